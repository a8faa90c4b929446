-- 74_review.sql - the reviewers' re-scoring of a self-evaluation (复核 /
-- 抽查, docs/targets.md "Review (复核)"): one review per evaluation and reviewer,
-- its per-indicator scores and reasons, and pjeval.review_result with 偏离度
-- = (自评 − 复核) / 自评 per form and per indicator, and the statistics per
-- unit and year (pjeval.review_summary).  Only reviewers write reviews;
-- a unit reads the reviews of its own forms.  A review never changes the
-- form or its weights.  Both tables carry evaluation_id and are distributed
-- with the forms on a Citus cluster (pjeval.distribution_plan).

CREATE TABLE @extschema@.review (
    review_id       bigint GENERATED ALWAYS AS IDENTITY,
    evaluation_id   bigint NOT NULL REFERENCES @extschema@.evaluation (evaluation_id) ON DELETE CASCADE,
    reviewer        name NOT NULL DEFAULT CURRENT_USER,
    reviewed_on     date NOT NULL DEFAULT CURRENT_DATE,
    fund_score      numeric
                    CONSTRAINT review_fund_score_range CHECK (fund_score BETWEEN 0 AND 100)
                    CONSTRAINT review_fund_score_exact CHECK (@extschema@.is_scorable_number(fund_score)),
    total_score     numeric
                    CONSTRAINT review_total_score_range CHECK (total_score BETWEEN 0 AND 100)
                    CONSTRAINT review_total_score_exact CHECK (@extschema@.is_scorable_number(total_score)),
    opinion         text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT review_evaluation_reviewer_key UNIQUE (evaluation_id, reviewer),
    PRIMARY KEY (evaluation_id, review_id)  -- with evaluation_id, as fund_line's
);

COMMENT ON TABLE @extschema@.review IS
'复核: a reviewer''s re-scoring of one self-evaluation (one per evaluation and reviewer): the execution row''s 复核得分 (fund_score), the per-form 复核 total (total_score; NULL: the sum of fund_score and the indicators'' review scores) and the opinion';
COMMENT ON COLUMN @extschema@.review.total_score IS '复核 total as the reviewer records it; NULL: fund_score plus the indicators'' 复核得分';

CREATE TABLE @extschema@.review_indicator (
    evaluation_id   bigint NOT NULL,
    review_id       bigint NOT NULL,
    position        integer NOT NULL
                    CONSTRAINT review_indicator_position_positive CHECK (position >= 1),
    score           numeric NOT NULL
                    CONSTRAINT review_indicator_score_range CHECK (score BETWEEN 0 AND 100)
                    CONSTRAINT review_indicator_score_exact CHECK (@extschema@.is_scorable_number(score)),
    reason          text,
    defect          text,
    level           text
                    CONSTRAINT review_indicator_level CHECK (level IN ('P0', 'P1', 'P2', '通过')),
    PRIMARY KEY (evaluation_id, review_id, position),
    FOREIGN KEY (evaluation_id, review_id) REFERENCES @extschema@.review (evaluation_id, review_id) ON DELETE CASCADE
);

COMMENT ON TABLE @extschema@.review_indicator IS
'复核 of one indicator (by its position on the form): 复核得分 (score), 复核理由 (reason), defect class and level (P0, P1, P2, 通过)';

-- A form is reviewed once it is submitted (a draft is still the unit's),
-- and an indicator review names an indicator of the form.  (Not a foreign
-- key to pjeval.indicator: that would keep indicators from being truncated
-- and delete reviews with a form's rows when it is replaced.)
CREATE FUNCTION @extschema@.review_check_form()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e record;
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN NEW;
    END IF;
    SELECT p.code, p.name, x.year, x.status INTO e
    FROM @extschema@.evaluation x JOIN @extschema@.project p ON p.project_id = x.project_id
    WHERE x.evaluation_id = NEW.evaluation_id;
    IF TG_ARGV[0] = 'review' AND e.status = 'draft' THEN
        RAISE EXCEPTION 'the % self-evaluation of project % “%” is a draft: it is reviewed once submitted',
                e.year, coalesce(e.code, '(no 项目编号)'), e.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The unit submits it first: SELECT pjeval.submit(evaluation_id);';
    END IF;
    -- (nested: a review row has no position to name)
    IF TG_ARGV[0] = 'review_indicator' THEN
        IF NOT EXISTS (SELECT FROM @extschema@.indicator i
                       WHERE i.evaluation_id = NEW.evaluation_id AND i.position = NEW.position) THEN
            RAISE EXCEPTION 'the % self-evaluation of project % “%” has no indicator at position %',
                    e.year, coalesce(e.code, '(no 项目编号)'), e.name, NEW.position
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Review an indicator by its position on the form (pjeval.indicator.position).';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER review_check_form
BEFORE INSERT OR UPDATE OF evaluation_id ON @extschema@.review
FOR EACH ROW EXECUTE FUNCTION @extschema@.review_check_form('review');
CREATE TRIGGER review_check_form
BEFORE INSERT OR UPDATE OF evaluation_id, position ON @extschema@.review_indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.review_check_form('review_indicator');
REVOKE EXECUTE ON FUNCTION @extschema@.review_check_form() FROM PUBLIC;

ALTER TABLE @extschema@.review ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.review_indicator ENABLE ROW LEVEL SECURITY;

-- Reviewers write (and read) all reviews; a unit reads the reviews of the
-- forms it sees.
CREATE POLICY review_reviewer ON @extschema@.review FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));
CREATE POLICY review_unit_read ON @extschema@.review FOR SELECT
    USING (evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));
CREATE POLICY review_indicator_reviewer ON @extschema@.review_indicator FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));
CREATE POLICY review_indicator_unit_read ON @extschema@.review_indicator FOR SELECT
    USING (evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));

-- 偏离度 = (自评 − 复核) / 自评 as a percentage, half-up to 2 places; NULL
-- when 自评 is 0 or either is NULL.
CREATE FUNCTION @extschema@.deviation_rate(self_score numeric, review_score numeric)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.round(($1 OPERATOR(pg_catalog.-) $2) OPERATOR(pg_catalog.*) 100
                            OPERATOR(pg_catalog./) NULLIF($1, 0), 2)
$$;

COMMENT ON FUNCTION @extschema@.deviation_rate(numeric, numeric) IS
'偏离度 = (自评 − 复核) / 自评 × 100, half-up to 2 places (100.00 / 72.00 → 28.00); NULL when 自评 is 0 or a score is NULL';

-- Per review, the form (position NULL) and each indicator reviewed: 自评 (the
-- unit's reported score; for the form its reported total, with pjeval's
-- computed total beside it), 复核, their difference and 偏离度.
CREATE VIEW @extschema@.review_result WITH (security_invoker = true) AS
SELECT r.review_id,
       r.evaluation_id,
       e.project_id,
       p.unit_id,
       e.year,
       r.reviewer,
       NULL::integer AS position,
       NULL::text AS level3,
       e.reported_total AS self_score,
       er.total_score AS computed_self_score,
       s.review_score,
       e.reported_total - s.review_score AS difference,
       @extschema@.deviation_rate(e.reported_total, s.review_score) AS deviation,
       @extschema@.deviation_rate(er.total_score, s.review_score) AS computed_deviation
FROM @extschema@.review r
JOIN @extschema@.evaluation e ON e.evaluation_id = r.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
LEFT JOIN @extschema@.evaluation_result er ON er.evaluation_id = r.evaluation_id
CROSS JOIN LATERAL (
    SELECT coalesce(r.total_score,
                    r.fund_score + (SELECT pg_catalog.sum(ri.score) FROM @extschema@.review_indicator ri
                                    WHERE ri.evaluation_id = r.evaluation_id AND ri.review_id = r.review_id)) AS review_score
) s
UNION ALL
SELECT r.review_id,
       r.evaluation_id,
       e.project_id,
       p.unit_id,
       e.year,
       r.reviewer,
       ri.position,
       i.level3,
       i.reported_score,
       ir.computed_score,
       ri.score,
       i.reported_score - ri.score,
       @extschema@.deviation_rate(i.reported_score, ri.score),
       @extschema@.deviation_rate(ir.computed_score, ri.score)
FROM @extschema@.review r
JOIN @extschema@.evaluation e ON e.evaluation_id = r.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.review_indicator ri ON ri.evaluation_id = r.evaluation_id AND ri.review_id = r.review_id
LEFT JOIN @extschema@.indicator i ON i.evaluation_id = r.evaluation_id AND i.position = ri.position
LEFT JOIN @extschema@.indicator_result ir ON ir.evaluation_id = r.evaluation_id AND ir.position = ri.position;

COMMENT ON VIEW @extschema@.review_result IS
'Per review the form (position NULL) and each indicator reviewed: 自评 (self_score: the reported total or score), pjeval''s computed one, 复核 (review_score), difference (自评 − 复核) and 偏离度 = (自评 − 复核) / 自评 as a percentage (deviation; computed_deviation on the computed score), NULL when 自评 is 0';

-- Per unit and year, the reviewed forms: how many, mean 自评 and 复核, mean
-- 偏离度, pooled 偏离度 = Σ(自评 − 复核) / Σ自评, and self-scores of exactly 100.
CREATE VIEW @extschema@.review_summary WITH (security_invoker = true) AS
SELECT r.unit_id,
       u.name AS unit_name,
       r.year,
       pg_catalog.count(*) AS reviewed,
       pg_catalog.round(pg_catalog.avg(r.self_score), 2) AS mean_self_score,
       pg_catalog.round(pg_catalog.avg(r.review_score), 2) AS mean_review_score,
       pg_catalog.round(pg_catalog.avg(r.deviation), 2) AS mean_deviation,
       @extschema@.deviation_rate(pg_catalog.sum(r.self_score), pg_catalog.sum(r.review_score)) AS pooled_deviation,
       pg_catalog.count(*) FILTER (WHERE r.self_score = 100) AS self_scored_100
FROM @extschema@.review_result r
JOIN @extschema@.unit u ON u.unit_id = r.unit_id
WHERE r.position IS NULL
GROUP BY r.unit_id, u.name, r.year;

COMMENT ON VIEW @extschema@.review_summary IS
'Per unit and year, the reviewed forms: reviewed (count), mean 自评 and 复核, mean 偏离度 (of the forms'' 偏离度), pooled 偏离度 = Σ(自评 − 复核) / Σ自评, and self_scored_100 (forms whose 自评 is exactly 100)';

GRANT SELECT ON @extschema@.review, @extschema@.review_indicator, @extschema@.review_result,
                @extschema@.review_summary TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.review', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.review_indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.review_review_id_seq', '');
