-- 85_review.sql - 复核 (review; docs/review.md): a reviewer re-scores a
-- submitted self-evaluation, row by row, and the views measure how far the
-- unit's own scores were off (偏离度).
--
-- One review per form and reviewer role [pjeval]; per indicator row (and the
-- execution row, position NULL) the 复核得分, the defect class the reviewer
-- chose, 复核理由, 核验依据 and a level P0/P1/P2/pass as in a firm's 复核问题清单
-- [practice: 郫都 复核].  A row not re-scored keeps the unit's score; a review
-- never changes weights.  The review findings (R1-R5 of performance-cycle §6)
-- are finding codes of scope review, in finding_catalogue like every other.
-- After 80_reports.sql (quotient_half_up).

-- Keyed by the form (evaluation_id) and the reviewer role, so that a form's
-- reviews live with it (co-located on a cluster).
CREATE TABLE @extschema@.review (
    evaluation_id   bigint NOT NULL,
    reviewer_role   name NOT NULL DEFAULT CURRENT_USER,
    reviewed_on     date NOT NULL DEFAULT CURRENT_DATE,
    conclusion      text,
    PRIMARY KEY (evaluation_id, reviewer_role),
    -- the form's project, for row-level security (form_project, 40_schema.sql)
    form_project_id bigint NOT NULL,
    CONSTRAINT review_evaluation_id_fkey FOREIGN KEY (evaluation_id, form_project_id)
        REFERENCES @extschema@.evaluation (evaluation_id, project_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT review_evaluation_role_project_key UNIQUE (evaluation_id, reviewer_role, form_project_id)
);

CREATE TABLE @extschema@.review_item (
    evaluation_id   bigint NOT NULL,
    reviewer_role   name NOT NULL DEFAULT CURRENT_USER,
    position        integer
                    CONSTRAINT review_item_position_positive CHECK (position >= 1),
    review_score    numeric NOT NULL
                    CONSTRAINT review_item_score_scorable CHECK (@extschema@.is_scorable_number(review_score)),
    defect_class    text
                    CONSTRAINT review_item_defect_class CHECK (defect_class IN ('severe', 'moderate', 'minor', 'mismatch')),
    reason          text,
    basis           text,
    level           text
                    CONSTRAINT review_item_level CHECK (level IN ('P0', 'P1', 'P2', 'pass')),
    form_project_id bigint NOT NULL,
    CONSTRAINT review_item_evaluation_id_reviewer_role_fkey FOREIGN KEY (evaluation_id, reviewer_role, form_project_id)
        REFERENCES @extschema@.review (evaluation_id, reviewer_role, form_project_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);

-- One item per row of the form (NULL: the execution row).
CREATE UNIQUE INDEX review_item_row_key ON @extschema@.review_item
    (evaluation_id, reviewer_role, (coalesce(position, 0)));

COMMENT ON TABLE @extschema@.review IS
'复核: one reviewer''s re-scoring of one self-evaluation (one per form and reviewer role)';
COMMENT ON TABLE @extschema@.review_item IS
'复核 of one row of the form: the indicator at position (NULL: the execution row, 预算执行率), its 复核得分, the defect class chosen, 复核理由, 核验依据 and the level';
COMMENT ON COLUMN @extschema@.review_item.defect_class IS 'severe (严重: 空洞定量无佐证, → 0), moderate (中等: 有方向无计算公式, 扣60%), minor (轻微: 有公式缺来源, 扣30%), mismatch (指标不匹配, → 0); NULL: no defect class';
COMMENT ON COLUMN @extschema@.review.form_project_id IS 'The form''s project (pjeval.evaluation.project_id, kept equal by the key to it), which row-level security tests';
COMMENT ON COLUMN @extschema@.review_item.form_project_id IS 'The form''s project (its review''s, kept equal by the key to it), which row-level security tests';
COMMENT ON COLUMN @extschema@.review_item.level IS '问题等级: P0, P1, P2 or pass (通过)';

-- Only reviewers review, and only forms the unit has submitted.
CREATE FUNCTION @extschema@.review_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    form_status text;
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN NEW;
    END IF;
    SELECT e.status INTO form_status FROM @extschema@.evaluation e WHERE e.evaluation_id = NEW.evaluation_id;
    IF form_status = 'draft' THEN
        RAISE EXCEPTION 'evaluation % is a draft: only a submitted or approved form is reviewed', NEW.evaluation_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER review_check
BEFORE INSERT OR UPDATE OF evaluation_id ON @extschema@.review
FOR EACH ROW EXECUTE FUNCTION @extschema@.review_check();

-- A review item names a row the form has.
CREATE FUNCTION @extschema@.review_item_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.position IS NOT NULL AND NOT @extschema@.restoring_dump()
       AND NOT EXISTS (SELECT 1 FROM @extschema@.indicator i
                       WHERE i.evaluation_id = NEW.evaluation_id AND i.position = NEW.position) THEN
        RAISE EXCEPTION 'evaluation % has no indicator at position %', NEW.evaluation_id, NEW.position
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'position is the indicator''s on the form; NULL is the execution row.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER review_item_check
BEFORE INSERT OR UPDATE ON @extschema@.review_item
FOR EACH ROW EXECUTE FUNCTION @extschema@.review_item_check();

CREATE TRIGGER form_project BEFORE INSERT ON @extschema@.review
FOR EACH ROW WHEN (NEW.form_project_id IS NULL) EXECUTE FUNCTION @extschema@.form_project('review');
CREATE TRIGGER form_project_update BEFORE UPDATE OF evaluation_id ON @extschema@.review
FOR EACH ROW WHEN (NEW.evaluation_id IS DISTINCT FROM OLD.evaluation_id AND NEW.form_project_id IS NOT DISTINCT FROM OLD.form_project_id)
EXECUTE FUNCTION @extschema@.form_project('review');
CREATE TRIGGER form_project BEFORE INSERT ON @extschema@.review_item
FOR EACH ROW WHEN (NEW.form_project_id IS NULL) EXECUTE FUNCTION @extschema@.form_project('review_item');
CREATE TRIGGER form_project_update BEFORE UPDATE OF evaluation_id ON @extschema@.review_item
FOR EACH ROW WHEN (NEW.evaluation_id IS DISTINCT FROM OLD.evaluation_id AND NEW.form_project_id IS NOT DISTINCT FROM OLD.form_project_id)
EXECUTE FUNCTION @extschema@.form_project('review_item');

ALTER TABLE @extschema@.review ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.review_item ENABLE ROW LEVEL SECURITY;

-- Reviewers write and see all; a unit reads the reviews of its forms.
CREATE POLICY review_review ON @extschema@.review FOR ALL
    USING (@extschema@.visible('unit', NULL))
    WITH CHECK (@extschema@.may_write('review', 'unit', NULL));
CREATE POLICY review_unit ON @extschema@.review FOR SELECT
    USING (@extschema@.visible('project', form_project_id));
CREATE POLICY review_item_review ON @extschema@.review_item FOR ALL
    USING (@extschema@.visible('unit', NULL))
    WITH CHECK (@extschema@.may_write('review_item', 'unit', NULL));
CREATE POLICY review_item_unit ON @extschema@.review_item FOR SELECT
    USING (@extschema@.visible('project', form_project_id));

GRANT SELECT ON @extschema@.review, @extschema@.review_item TO PUBLIC;

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.review
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('review');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.review
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('review');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.review
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('review');
CREATE TRIGGER zz_history_truncate AFTER TRUNCATE ON @extschema@.review
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('review');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.review_item
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('review_item');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.review_item
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('review_item');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.review_item
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('review_item');
CREATE TRIGGER zz_history_truncate AFTER TRUNCATE ON @extschema@.review_item
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('review_item');

SELECT pg_catalog.pg_extension_config_dump('@extschema@.review', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.review_item', '');

-- The review findings (performance-cycle §6, R1-R5; [pjeval]).  Message
-- arguments (place review_item): 1 三级指标 (or 预算执行率), 2 分值, 3 自评得分,
-- 4 复核得分, 5 the defect class, 6 the score its class gives, 7 completion.
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('review_score_out_of_range', 'review', 'error', '复核得分超出 0 至分值的范围', 'the review score is outside 0 to the weight'),
    ('review_reason_missing', 'review', 'warning', '复核得分与自评得分不同却未写复核理由', 'the review score differs from the self-assessed score with no reason given'),
    ('review_above_self_not_met', 'review', 'warning', '指标未完成，复核得分却高于自评得分', 'the indicator was not met, yet the review score is above the self-assessed score'),
    ('review_off_scale', 'review', 'error', '复核得分与所选问题类别的扣分标准不符', 'the review score is not what the chosen defect class gives'),
    ('review_over_achievement_deducted', 'review', 'warning', '仅因超额完成扣分（超额完成不扣分，应在备注说明）', 'points deducted for over-achievement alone (over-achievement is noted, not penalised)');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('review_score_out_of_range', 'review_item', '“%1$s”复核得分 %4$s 不在 0 至分值 %2$s 之间', '"%1$s": the review score %4$s is not between 0 and the weight %2$s'),
    ('review_reason_missing', 'review_item', '“%1$s”复核得分 %4$s 与自评得分 %3$s 不同，未写复核理由', '"%1$s": the review score %4$s differs from the self-assessed %3$s with no reason'),
    ('review_above_self_not_met', 'review_item', '“%1$s”完成率 %7$s，未完成，复核得分 %4$s 却高于自评得分 %3$s', '"%1$s": completion %7$s, not met, yet the review score %4$s is above the self-assessed %3$s'),
    ('review_off_scale', 'review_item', '“%1$s”问题类别为%5$s，应得 %6$s 分，复核得分为 %4$s', '"%1$s": the defect class %5$s gives %6$s, the review score is %4$s'),
    ('review_over_achievement_deducted', 'review_item', '“%1$s”完成率 %7$s，超额完成，未选问题类别，复核得分 %4$s 却低于自评得分 %3$s', '"%1$s": completion %7$s, over-achieved, no defect class, yet the review score %4$s is below the self-assessed %3$s');

-- The deduction scale of a defect class [practice: 郫都 复核 口径]: severe
-- and mismatch 0, moderate 分值 × 0.40, minor 分值 × 0.70, 2 places.
CREATE FUNCTION @extschema@.review_class_score(defect_class text, weight pg_catalog.numeric)
RETURNS pg_catalog.numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.round(CASE $1 WHEN 'severe' THEN 0 WHEN 'mismatch' THEN 0
                                    WHEN 'moderate' THEN $2 * 0.40 WHEN 'minor' THEN $2 * 0.70 END, 2)
$$;

COMMENT ON FUNCTION @extschema@.review_class_score(text, pg_catalog.numeric) IS
'The score a defect class gives a row of weight w: severe (严重) and mismatch (指标不匹配) 0, moderate (中等) w × 0.40, minor (轻微) w × 0.70, half-up to 2 places; NULL without a class';

-- Every reviewed row beside the unit's: 分值, 自评得分 (the unit's reported
-- score; the execution row's reported fund score), 复核得分, their difference
-- and 偏离度, and the row's review findings.
CREATE VIEW @extschema@.review_item_result WITH (security_invoker = true) AS
SELECT ri.evaluation_id,
       ri.reviewer_role,
       ri.position,
       coalesce(ir.level3, '预算执行率') AS level3,
       w.weight,
       w.self_score,
       ri.review_score,
       w.self_score - ri.review_score AS difference,
       @extschema@.quotient_half_up((w.self_score - ri.review_score) * 100, w.self_score) AS deviation,
       ri.defect_class,
       ri.level,
       ri.reason,
       ir.completion,
       pg_catalog.array_remove(ARRAY[
           CASE WHEN ri.review_score < 0 OR ri.review_score > w.weight THEN 'review_score_out_of_range' END,
           CASE WHEN ri.review_score <> w.self_score AND pg_catalog.btrim(coalesce(ri.reason, '')) = ''
                THEN 'review_reason_missing' END,
           CASE WHEN ri.review_score > w.self_score AND 'not_met' = ANY (ir.flags) THEN 'review_above_self_not_met' END,
           CASE WHEN ri.review_score <> @extschema@.review_class_score(ri.defect_class, w.weight) THEN 'review_off_scale' END,
           CASE WHEN ri.review_score < w.self_score AND ri.defect_class IS NULL AND 'over_achieved' = ANY (ir.flags)
                THEN 'review_over_achievement_deducted' END
       ], NULL) AS findings
FROM @extschema@.review_item ri
LEFT JOIN @extschema@.indicator_result ir ON ir.evaluation_id = ri.evaluation_id AND ir.position = ri.position
LEFT JOIN @extschema@.evaluation_result er ON er.evaluation_id = ri.evaluation_id AND ri.position IS NULL
CROSS JOIN LATERAL (
    SELECT CASE WHEN ri.position IS NULL THEN er.fund_weight ELSE coalesce(ir.weight, 0) END AS weight,
           CASE WHEN ri.position IS NULL THEN er.reported_fund_score ELSE ir.reported_score END AS self_score
) w
WHERE ri.position IS NULL OR ir.position IS NOT NULL;

COMMENT ON VIEW @extschema@.review_item_result IS
'Each re-scored row: weight, the unit''s score, the review score, difference, 偏离度 = (自评 − 复核) / 自评 in percent (2 places, NULL for a self score of 0), and its review finding codes';

-- One row per review: 自评 (the unit's reported total, and pjeval's computed
-- total), 复核 (every row's review score where it was re-scored, the unit's
-- score elsewhere), difference and 偏离度 on each.
CREATE VIEW @extschema@.review_result WITH (security_invoker = true) AS
SELECT r.evaluation_id,
       r.reviewer_role,
       er.project_code,
       er.project_name,
       er.unit_id,
       er.unit_name,
       er.year,
       r.reviewed_on,
       er.reported_total AS self_total,
       er.total_score AS computed_total,
       t.review_total,
       er.reported_total - t.review_total AS difference,
       @extschema@.quotient_half_up((er.reported_total - t.review_total) * 100, er.reported_total) AS deviation,
       @extschema@.quotient_half_up((er.total_score - t.review_total) * 100, er.total_score) AS computed_deviation,
       coalesce(c.rows_reviewed, 0) AS rows_reviewed,
       coalesce(f.finding_count, 0) AS finding_count
FROM @extschema@.review r
JOIN @extschema@.evaluation_result er ON er.evaluation_id = r.evaluation_id
-- joined on the form, never a sub-query per review: a form's reviews, items
-- and indicators are on one shard of a cluster
LEFT JOIN (SELECT ri.evaluation_id, ri.reviewer_role, pg_catalog.count(*) AS rows_reviewed,
                  pg_catalog.max(ri.review_score) FILTER (WHERE ri.position IS NULL) AS fund_review_score
           FROM @extschema@.review_item ri
           GROUP BY ri.evaluation_id, ri.reviewer_role) c
       ON c.evaluation_id = r.evaluation_id AND c.reviewer_role = r.reviewer_role
LEFT JOIN (SELECT rv.evaluation_id, rv.reviewer_role,
                  pg_catalog.sum(coalesce(ri.review_score, i.reported_score)) AS indicator_total
           FROM @extschema@.review rv
           JOIN @extschema@.indicator i ON i.evaluation_id = rv.evaluation_id
           LEFT JOIN @extschema@.review_item ri ON ri.evaluation_id = i.evaluation_id
                                                AND ri.reviewer_role = rv.reviewer_role AND ri.position = i.position
           GROUP BY rv.evaluation_id, rv.reviewer_role) s
       ON s.evaluation_id = r.evaluation_id AND s.reviewer_role = r.reviewer_role
LEFT JOIN (SELECT x.evaluation_id, x.reviewer_role, pg_catalog.sum(pg_catalog.cardinality(x.findings)) AS finding_count
           FROM @extschema@.review_item_result x
           GROUP BY x.evaluation_id, x.reviewer_role) f
       ON f.evaluation_id = r.evaluation_id AND f.reviewer_role = r.reviewer_role
CROSS JOIN LATERAL (
    SELECT coalesce(c.fund_review_score, er.reported_fund_score) + coalesce(s.indicator_total, 0) AS review_total
) t;

COMMENT ON VIEW @extschema@.review_result IS
'One row per review: the unit''s reported total (self_total) and pjeval''s computed total beside the review total (each row''s review score where re-scored, the unit''s reported score elsewhere), their difference and 偏离度 = (自评 − 复核) / 自评 in percent, 2 places (NULL for a total of 0)';

-- Per unit and year [pjeval]: projects sampled, mean 自评 and 复核, mean
-- 偏离度, pooled 偏离度 = Σ(自评 − 复核) / Σ自评, and the self-scores of
-- exactly 100.
CREATE VIEW @extschema@.review_unit_summary WITH (security_invoker = true) AS
SELECT r.unit_id,
       r.unit_name,
       r.year,
       pg_catalog.count(*) AS reviews,
       pg_catalog.round(pg_catalog.avg(r.self_total), 2) AS mean_self_total,
       pg_catalog.round(pg_catalog.avg(r.review_total), 2) AS mean_review_total,
       pg_catalog.round(pg_catalog.avg(r.deviation), 2) AS mean_deviation,
       @extschema@.quotient_half_up(pg_catalog.sum(r.difference) * 100, pg_catalog.sum(r.self_total)) AS pooled_deviation,
       pg_catalog.count(*) FILTER (WHERE r.self_total = 100) AS self_total_100
FROM @extschema@.review_result r
GROUP BY r.unit_id, r.unit_name, r.year;

COMMENT ON VIEW @extschema@.review_unit_summary IS
'Per unit and year: reviews, mean self and review totals, mean 偏离度, pooled 偏离度 = Σ(自评 − 复核) / Σ自评 (percent, 2 places), and how many self totals are exactly 100';

-- The review findings as rows, with their messages (the reviewer's
-- checklist beside pjeval.audit_finding's).
CREATE VIEW @extschema@.review_finding WITH (security_invoker = true) AS
SELECT x.evaluation_id,
       x.reviewer_role,
       x.position,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(m.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.review_item_result x
CROSS JOIN LATERAL pg_catalog.unnest(x.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'review_item'
CROSS JOIN LATERAL (
    SELECT ARRAY[x.level3, x.weight::text, x.self_score::text, x.review_score::text,
                 CASE x.defect_class WHEN 'severe' THEN '严重' WHEN 'moderate' THEN '中等'
                                     WHEN 'minor' THEN '轻微' WHEN 'mismatch' THEN '指标不匹配' END,
                 @extschema@.review_class_score(x.defect_class, x.weight)::text,
                 pg_catalog.round(x.completion, 2)::text] AS args
) a;

COMMENT ON VIEW @extschema@.review_finding IS
'The review findings (scope review in pjeval.finding_catalogue) of every re-scored row, with their messages';

-- The reviewer's checklist: per reviewed form, every audit finding and
-- what the reviewer decided on its row.
CREATE VIEW @extschema@.review_checklist WITH (security_invoker = true) AS
SELECT f.evaluation_id,
       r.reviewer_role,
       f.position,
       f.code,
       f.severity,
       f.message_zh,
       ri.review_score,
       ri.defect_class,
       ri.level,
       ri.reason
FROM @extschema@.review r
JOIN @extschema@.audit_finding f ON f.evaluation_id = r.evaluation_id
LEFT JOIN @extschema@.review_item ri ON ri.evaluation_id = r.evaluation_id AND ri.reviewer_role = r.reviewer_role
                                     AND coalesce(ri.position, 0) = coalesce(f.position, 0);

COMMENT ON VIEW @extschema@.review_checklist IS
'Per review, every audit finding of the reviewed form beside what the reviewer decided on that row (NULL: not re-scored)';

GRANT SELECT ON @extschema@.review_item_result, @extschema@.review_result, @extschema@.review_unit_summary,
                @extschema@.review_finding, @extschema@.review_checklist TO PUBLIC;
