-- 68_rectification.sql - 整改 (rectification; docs/rectification.md): the
-- items a reviewer raises from a finding or a red light, what the unit does
-- about them, and which are overdue.
--
-- An item names the project, the year and the stage it comes from (目标审核,
-- 监控, 自评, 复核), the form and the finding (its code and indicator
-- position) where it was raised from one, what is wrong (问题描述, the
-- finding's message unless the reviewer writes another), what must be done
-- (整改要求和建议), by whom (责任单位, the project's unit unless given) and by
-- when (完成时限).  Its status goes 待整改 open → 整改中 in_progress → 待验收
-- to_verify → 已销号 closed, and 退回 returns it from to_verify to
-- in_progress [pjeval].  The unit moves it up to to_verify and writes its
-- 整改措施 and 整改结果; only a reviewer raises, closes or returns an item and
-- changes what is asked.  已销号 needs a 整改结果.  Overdue is computed:
-- 完成时限 before the day asked about and not closed; a daily job records
-- what it found overdue (rectification_overdue_record), kept when the item
-- closes later.
-- After 62_monitoring.sql, whose findings it raises items from.

CREATE TABLE @extschema@.rectification (
    rectification_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT rectification_year_range CHECK (year BETWEEN 2000 AND 2100),
    stage           text NOT NULL
                    CONSTRAINT rectification_stage CHECK (stage IN ('target', 'monitoring', 'evaluation', 'review')),
    form_id         bigint,
    position        integer
                    CONSTRAINT rectification_position_positive CHECK (position >= 1),
    finding_code    text REFERENCES @extschema@.finding_catalogue (code),
    problem         text NOT NULL
                    CONSTRAINT rectification_problem_not_blank CHECK (pg_catalog.btrim(problem) <> ''),
    requirement     text NOT NULL
                    CONSTRAINT rectification_requirement_not_blank CHECK (pg_catalog.btrim(requirement) <> ''),
    unit_id         bigint NOT NULL REFERENCES @extschema@.unit (unit_id),
    due_date        date NOT NULL,
    measures        text,
    result          text,
    evidence        text,
    application     text,
    status          text NOT NULL DEFAULT 'open'
                    CONSTRAINT rectification_status CHECK (status IN ('open', 'in_progress', 'to_verify', 'closed')),
    raised_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    closed_at       timestamptz,
    CONSTRAINT rectification_closed_with_result
        CHECK (status <> 'closed' OR pg_catalog.btrim(coalesce(result, '')) <> ''),
    CONSTRAINT rectification_closed_at CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

-- One item per finding (or per red light: a monitoring report's item with
-- no code).
CREATE UNIQUE INDEX rectification_finding_key ON @extschema@.rectification
    (stage, form_id, (coalesce(finding_code, '')), (coalesce(position, 0)))
    WHERE form_id IS NOT NULL;
CREATE INDEX rectification_project_idx ON @extschema@.rectification (project_id, year);
CREATE INDEX rectification_unit_idx ON @extschema@.rectification (unit_id);

-- Users' data: kept by pg_dump, with its key sequence.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rectification', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rectification_rectification_id_seq', '');

COMMENT ON TABLE @extschema@.rectification IS
'整改 items: what a reviewer asked a unit to put right (from a finding, a red light or a review), by when, and what the unit did';
COMMENT ON COLUMN @extschema@.rectification.stage IS '来源: target (目标审核), monitoring (监控), evaluation (自评) or review (复核)';
COMMENT ON COLUMN @extschema@.rectification.form_id IS 'The form the item was raised from: an evaluation_id (evaluation), a monitoring_id (monitoring); NULL for an item raised by hand. Kept when the form is deleted';
COMMENT ON COLUMN @extschema@.rectification.position IS 'The indicator''s position on that form (NULL: the form as a whole)';
COMMENT ON COLUMN @extschema@.rectification.finding_code IS 'The finding raised (pjeval.finding_catalogue); NULL for a red project light or an item raised by hand';
COMMENT ON COLUMN @extschema@.rectification.problem IS '问题描述: the finding''s message unless the reviewer wrote another';
COMMENT ON COLUMN @extschema@.rectification.requirement IS '整改要求和建议';
COMMENT ON COLUMN @extschema@.rectification.unit_id IS '责任单位 (by default the project''s 实施单位)';
COMMENT ON COLUMN @extschema@.rectification.due_date IS '完成时限';
COMMENT ON COLUMN @extschema@.rectification.measures IS '整改措施, written by the unit';
COMMENT ON COLUMN @extschema@.rectification.result IS '整改结果和结论, written by the unit; needed to close the item';
COMMENT ON COLUMN @extschema@.rectification.evidence IS '佐证材料';
COMMENT ON COLUMN @extschema@.rectification.application IS '结果应用: what follows for the budget (暂缓拨款, 调整预算, …)';
COMMENT ON COLUMN @extschema@.rectification.status IS 'open (待整改), in_progress (整改中), to_verify (待验收), closed (已销号)';

-- Who may write what, and the status's steps.  SECURITY INVOKER: the
-- caller's rights; the policies below decide which items it reaches.
CREATE FUNCTION @extschema@.rectification_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reviewer CONSTANT boolean := @extschema@.is_reviewer(current_user);
    -- the steps: (from, to, by a reviewer only)
    step CONSTANT text := OLD.status || '>' || NEW.status;
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN NEW;
    END IF;
    IF NOT reviewer AND (NEW.project_id, NEW.year, NEW.stage, NEW.form_id, NEW.position, NEW.finding_code,
                         NEW.problem, NEW.requirement, NEW.unit_id, NEW.due_date, NEW.application, NEW.raised_at)
                        IS DISTINCT FROM
                        (OLD.project_id, OLD.year, OLD.stage, OLD.form_id, OLD.position, OLD.finding_code,
                         OLD.problem, OLD.requirement, OLD.unit_id, OLD.due_date, OLD.application, OLD.raised_at) THEN
        RAISE EXCEPTION 'only a reviewer changes what rectification item % asks, of whom and by when', OLD.rectification_id
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A unit writes measures, result and evidence, and moves the item to in_progress and to_verify.';
    END IF;
    IF NEW.status <> OLD.status THEN
        IF step NOT IN ('open>in_progress', 'in_progress>to_verify', 'open>to_verify',
                        'to_verify>closed', 'to_verify>in_progress', 'closed>in_progress') THEN
            RAISE EXCEPTION 'rectification item % cannot go from % to %', OLD.rectification_id, OLD.status, NEW.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'open → in_progress → to_verify → closed; a reviewer returns an item from to_verify (or closed) to in_progress.';
        END IF;
        IF NOT reviewer AND step IN ('to_verify>closed', 'to_verify>in_progress', 'closed>in_progress') THEN
            RAISE EXCEPTION 'only a reviewer closes or returns rectification item %', OLD.rectification_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF OLD.status = 'closed' AND NOT reviewer THEN
        RAISE EXCEPTION 'rectification item % is closed', OLD.rectification_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF NEW.status = 'closed' AND pg_catalog.btrim(coalesce(NEW.result, '')) = '' THEN
        RAISE EXCEPTION 'rectification item % cannot be closed without its result', OLD.rectification_id
            USING ERRCODE = 'check_violation', HINT = 'Write 整改结果和结论 (result) first.';
    END IF;
    NEW.closed_at := CASE WHEN NEW.status = 'closed'
                          THEN coalesce(CASE WHEN OLD.status = 'closed' THEN OLD.closed_at END, pg_catalog.now()) END;
    RETURN NEW;
END
$$;

CREATE TRIGGER rectification_workflow
BEFORE UPDATE ON @extschema@.rectification
FOR EACH ROW EXECUTE FUNCTION @extschema@.rectification_workflow();

-- Row-level security: reviewers raise and see all; a unit sees the items of
-- its projects and those it is responsible for, and updates the latter
-- (the trigger says which columns).
ALTER TABLE @extschema@.rectification ENABLE ROW LEVEL SECURITY;

CREATE POLICY rectification_review ON @extschema@.rectification FOR ALL
    USING (@extschema@.visible('unit', NULL))
    WITH CHECK (@extschema@.visible('unit', NULL));
CREATE POLICY rectification_read ON @extschema@.rectification FOR SELECT
    USING (@extschema@.visible('unit', unit_id) OR @extschema@.visible('project', project_id));
CREATE POLICY rectification_unit ON @extschema@.rectification FOR UPDATE
    USING (@extschema@.visible('unit', unit_id))
    WITH CHECK (@extschema@.visible('unit', unit_id));

GRANT SELECT ON @extschema@.rectification TO PUBLIC;

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.rectification
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('rectification');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.rectification
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('rectification');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.rectification
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('rectification');
CREATE TRIGGER zz_history_truncate AFTER TRUNCATE ON @extschema@.rectification
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('rectification');

-- Raises the item for one finding of a self-evaluation (audit_finding) or a
-- monitoring report (monitoring_finding), or for a monitoring report's red
-- project light (code NULL), once: raised again, the finding gives the item
-- it already has.  The problem is the finding's Chinese message unless one
-- is given.  SECURITY INVOKER: the caller must see the finding and be a
-- reviewer (the policies).
CREATE FUNCTION @extschema@.raise_rectification(stage text, form_id bigint, finding_code text,
                                                requirement text, due_date date,
                                                at_position integer DEFAULT NULL,
                                                unit_id bigint DEFAULT NULL,
                                                problem text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    found record;
    id bigint;
BEGIN
    IF stage IS NULL OR stage NOT IN ('evaluation', 'monitoring', 'review') THEN
        RAISE EXCEPTION 'raise_rectification() raises items from evaluation, monitoring and review findings, not from %',
                        coalesce(pg_catalog.quote_literal(stage), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Insert other items (target, by hand) into pjeval.rectification.';
    END IF;
    IF stage IN ('evaluation', 'review') THEN
        SELECT e.project_id, e.year, p.unit_id, f.message_zh INTO found
        FROM (SELECT a.evaluation_id, a.position, a.code, a.message_zh
              FROM @extschema@.audit_finding a WHERE raise_rectification.stage = 'evaluation'
              UNION ALL
              SELECT v.evaluation_id, v.position, v.code, v.message_zh
              FROM @extschema@.review_finding v WHERE raise_rectification.stage = 'review') f
        JOIN @extschema@.evaluation e ON e.evaluation_id = f.evaluation_id
        JOIN @extschema@.project p ON p.project_id = e.project_id
        WHERE f.evaluation_id = raise_rectification.form_id AND f.code = raise_rectification.finding_code
          AND f.position IS NOT DISTINCT FROM raise_rectification.at_position
        LIMIT 1;
    ELSIF finding_code IS NULL THEN
        SELECT m.project_id, m.year, p.unit_id,
               pg_catalog.format('%s年1-%s月 项目目标执行预警为红灯', m.year, m.month) AS message_zh INTO found
        FROM @extschema@.monitoring_result r
        JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
        JOIN @extschema@.project p ON p.project_id = m.project_id
        WHERE r.monitoring_id = raise_rectification.form_id AND r.project_light = 'red'
          AND raise_rectification.at_position IS NULL;
    ELSE
        SELECT m.project_id, m.year, p.unit_id, f.message_zh INTO found
        FROM @extschema@.monitoring_finding f
        JOIN @extschema@.monitoring m ON m.monitoring_id = f.monitoring_id
        JOIN @extschema@.project p ON p.project_id = m.project_id
        WHERE f.monitoring_id = raise_rectification.form_id AND f.code = raise_rectification.finding_code
          AND f.position IS NOT DISTINCT FROM raise_rectification.at_position
        LIMIT 1;
    END IF;
    IF found IS NULL THEN
        RAISE EXCEPTION '% % has no finding % at %', CASE stage WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END,
                        coalesce(form_id::text, 'NULL'), coalesce(finding_code, '(red project light)'),
                        coalesce('position ' || at_position, 'form level')
            USING ERRCODE = 'no_data_found',
                  HINT = 'Raise only what pjeval.audit_finding, pjeval.monitoring_finding, pjeval.review_finding or a red pjeval.monitoring_result shows you.';
    END IF;

    INSERT INTO @extschema@.rectification AS r (project_id, year, stage, form_id, position, finding_code,
                                                problem, requirement, unit_id, due_date)
    VALUES (found.project_id, found.year, stage, form_id, at_position, finding_code,
            coalesce(problem, found.message_zh), requirement, coalesce(unit_id, found.unit_id), due_date)
    ON CONFLICT (stage, form_id, (coalesce(finding_code, '')), (coalesce(position, 0))) WHERE form_id IS NOT NULL
    DO NOTHING
    RETURNING r.rectification_id INTO id;
    IF id IS NULL THEN
        SELECT r.rectification_id INTO id
        FROM @extschema@.rectification r
        WHERE r.stage = raise_rectification.stage AND r.form_id = raise_rectification.form_id
          AND coalesce(r.finding_code, '') = coalesce(raise_rectification.finding_code, '')
          AND coalesce(r.position, 0) = coalesce(raise_rectification.at_position, 0);
    END IF;
    RETURN id;
END
$$;

COMMENT ON FUNCTION @extschema@.raise_rectification(text, bigint, text, text, date, integer, bigint, text) IS
'Raises the 整改 item for one finding of a self-evaluation (stage evaluation: audit_finding), of a review of it (stage review: review_finding; form_id the evaluation_id) or a monitoring report (stage monitoring: monitoring_finding; code NULL: its red project light), once per finding (raised again, returns the existing item); 问题描述 is the finding''s message unless given, 责任单位 the project''s unit unless given. P0002 when the caller sees no such finding';

-- The items not closed by as_of whose 完成时限 has passed, with the days
-- overdue (as_of - 完成时限).  SECURITY INVOKER: the caller's items.
CREATE FUNCTION @extschema@.overdue_rectifications(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (rectification_id bigint, unit_id bigint, unit_name text, project_id bigint,
               project_code text, project_name text, year integer, stage text, status text,
               due_date date, days_overdue integer, requirement text)
LANGUAGE sql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.rectification_id, r.unit_id, u.name, r.project_id, p.code, p.name, r.year, r.stage, r.status,
           r.due_date, $1 OPERATOR(pg_catalog.-) r.due_date, r.requirement
    FROM @extschema@.rectification r
    JOIN @extschema@.unit u ON u.unit_id OPERATOR(pg_catalog.=) r.unit_id
    JOIN @extschema@.project p ON p.project_id OPERATOR(pg_catalog.=) r.project_id
    WHERE r.status OPERATOR(pg_catalog.<>) 'closed' AND r.due_date OPERATOR(pg_catalog.<) $1
    ORDER BY r.unit_id, r.due_date, r.rectification_id
$$;

COMMENT ON FUNCTION @extschema@.overdue_rectifications(date) IS
'整改 items the caller may see that are not closed and whose 完成时限 is before as_of (default today), with the days overdue';

CREATE VIEW @extschema@.rectification_overdue WITH (security_invoker = true) AS
SELECT * FROM @extschema@.overdue_rectifications(CURRENT_DATE);

COMMENT ON VIEW @extschema@.rectification_overdue IS
'整改 items overdue today (pjeval.overdue_rectifications(current_date)), per unit';

GRANT SELECT ON @extschema@.rectification_overdue TO PUBLIC;

-- 整改 overdue, as the daily job records it (docs/rectification.md,
-- "Overdue"): each item found not closed after its 完成时限, once, with its
-- responsible unit and 完成时限 then and the day it was found (found_on −
-- due_date: the days overdue then).  Kept when the item is closed later:
-- "closed late" stays visible.  Written only by
-- pjeval.record_overdue_rectifications(), a pg_cron job; as
-- monitoring_overdue.
CREATE TABLE @extschema@.rectification_overdue_record (
    rectification_id bigint PRIMARY KEY
                    REFERENCES @extschema@.rectification (rectification_id) ON DELETE CASCADE,
    unit_id         bigint NOT NULL REFERENCES @extschema@.unit (unit_id),
    due_date        date NOT NULL,
    found_on        date NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX rectification_overdue_record_unit_idx ON @extschema@.rectification_overdue_record (unit_id);

COMMENT ON TABLE @extschema@.rectification_overdue_record IS
'整改 overdue: one row per item found not closed after its 完成时限 (recorded by pjeval.record_overdue_rectifications, with the responsible unit and 完成时限 then and the day found, found_on); kept when the item is closed later';

ALTER TABLE @extschema@.rectification_overdue_record ENABLE ROW LEVEL SECURITY;
CREATE POLICY rectification_overdue_record_unit ON @extschema@.rectification_overdue_record FOR ALL
    USING (@extschema@.visible('unit', unit_id))
    WITH CHECK (@extschema@.may_write('rectification_overdue_record', 'unit', NULL));

GRANT SELECT ON @extschema@.rectification_overdue_record TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rectification_overdue_record', '');

-- Records every item not closed whose 完成时限 is before as_of (the day has
-- ended); items already recorded stay as they are.  Returns the rows it
-- added.  For the extension's owner, who must see every item (as
-- record_overdue_monitoring); a pg_cron job runs it daily.  No sub-query:
-- rectification is a reference table on a Citus cluster.
CREATE FUNCTION @extschema@.record_overdue_rectifications(as_of date DEFAULT CURRENT_DATE)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer;
BEGIN
    IF NOT @extschema@.is_reviewer(current_user) THEN
        RAISE EXCEPTION 'the owner of pjeval, role %, does not see every rectification item', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The extension''s owner must be a superuser, bypass row-level security or be a reviewer (pjeval.reviewer).';
    END IF;
    INSERT INTO @extschema@.rectification_overdue_record (rectification_id, unit_id, due_date, found_on)
    SELECT r.rectification_id, r.unit_id, r.due_date, as_of
    FROM @extschema@.rectification r
    WHERE r.status <> 'closed' AND r.due_date < as_of
    ORDER BY r.rectification_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;

COMMENT ON FUNCTION @extschema@.record_overdue_rectifications(date) IS
'整改 overdue: records in pjeval.rectification_overdue_record every item not closed whose 完成时限 is before as_of (default today), once, with its responsible unit and 完成时限 then and found_on = as_of; returns the rows added. For the extension''s owner; daily from pg_cron: SELECT cron.schedule(''pjeval-rectification-overdue'', ''10 0 * * *'', ''SELECT pjeval.record_overdue_rectifications()'')';
REVOKE EXECUTE ON FUNCTION @extschema@.record_overdue_rectifications(date) FROM PUBLIC;

-- Per responsible unit (as recorded), for dashboards: the items recorded
-- overdue, of them closed since (late) and still not closed, and the most
-- days overdue when found.  Who sees what: the records and items the
-- caller sees.
CREATE VIEW @extschema@.rectification_overdue_summary WITH (security_invoker = true) AS
SELECT o.unit_id,
       u.name AS unit_name,
       pg_catalog.count(*) AS recorded_overdue,
       pg_catalog.count(*) FILTER (WHERE r.status = 'closed') AS closed_late,
       pg_catalog.count(*) FILTER (WHERE r.status <> 'closed') AS still_open,
       pg_catalog.max(o.found_on - o.due_date) AS max_days_overdue
FROM @extschema@.rectification_overdue_record o
JOIN @extschema@.unit u ON u.unit_id = o.unit_id
LEFT JOIN @extschema@.rectification r ON r.rectification_id = o.rectification_id
GROUP BY o.unit_id, u.name;

COMMENT ON VIEW @extschema@.rectification_overdue_summary IS
'整改 overdue per responsible unit (as recorded by pjeval.record_overdue_rectifications): recorded_overdue items, of them closed_late (closed since) and still_open, and max_days_overdue (found_on - 完成时限)';

GRANT SELECT ON @extschema@.rectification_overdue_summary TO PUBLIC;
