-- 60_security.sql - who may see and change which form, and the workflow
-- draft → submitted → approved.
--
-- Row-level security: a role sees and changes the forms of the units it works
-- for (pjeval.unit_member, checked with pg_has_role through the SECURITY
-- DEFINER pjeval.member_units); a reviewer (pjeval.reviewer, or a role that
-- bypasses row-level security) sees and changes all.  Each policy tests the
-- row itself with pjeval.visible (its unit_id, its project_id; the rows of
-- a form carry the form's as form_project_id, 40_schema.sql), which asks who may see
-- what once per statement and then answers each row from memory: no
-- sub-select (Citus refuses one in a policy), no look-up per row, on one
-- node or on a shard.  The extension creates no role: roles are cluster-wide.  PUBLIC may
-- read (the policies decide what); the right to write is the
-- administrator's to give, to the roles that enter or review forms (GRANT
-- INSERT, UPDATE, DELETE ON the seven tables below, README "Who may do
-- what"), and then the policies and the workflow decide.  A role listed
-- nowhere sees nothing.
--
-- Workflow: a new form is a draft.  pjeval.submit() moves it to submitted;
-- only a reviewer moves it on with pjeval.approve() or back to draft with
-- pjeval.reopen().  A submitted or approved form, its fund lines, its
-- indicators and its project's header (项目编号, 项目名称, unit) are read-only
-- for the unit (SQLSTATE 55000) until it is reopened.  Choosing a form's
-- scoring profile is a reviewer's act (42501 for others), and a form's
-- 一级预算单位 is its project's unit or a unit above it unless a reviewer says
-- otherwise (42501).  The rules
-- live in triggers, so a plain UPDATE of status obeys them too, and the
-- functions are SECURITY INVOKER: they act with the caller's rights and
-- policies.

ALTER TABLE @extschema@.unit ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.unit_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.reviewer ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.project ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.evaluation ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.fund_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.indicator ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.read_finding ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.history ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.history_admin ENABLE ROW LEVEL SECURITY;

-- Units and who is who: anyone may read the names of units and reviewers;
-- members read their units' memberships; only reviewers change them
-- (visible(..., NULL): a reviewer's alone).
CREATE POLICY unit_read ON @extschema@.unit FOR SELECT USING (true);
CREATE POLICY unit_review ON @extschema@.unit FOR ALL
    USING (@extschema@.visible('unit', NULL))
    WITH CHECK (@extschema@.may_write('unit', 'unit', NULL));

CREATE POLICY unit_member_read ON @extschema@.unit_member FOR SELECT
    USING (@extschema@.visible('unit', unit_id));
CREATE POLICY unit_member_review ON @extschema@.unit_member FOR ALL
    USING (@extschema@.visible('unit', NULL))
    WITH CHECK (@extschema@.may_write('unit_member', 'unit', NULL));

CREATE POLICY reviewer_read ON @extschema@.reviewer FOR SELECT USING (true);
CREATE POLICY reviewer_review ON @extschema@.reviewer FOR ALL
    USING (@extschema@.visible('unit', NULL))
    WITH CHECK (@extschema@.may_write('reviewer', 'unit', NULL));

-- The forms: a project belongs to a unit, an evaluation to a project, fund
-- lines and indicators to an evaluation, and carry its project.  The same
-- test reads and writes, so nothing can be moved into (or out of) another
-- unit either.
CREATE POLICY project_unit ON @extschema@.project FOR ALL
    USING (@extschema@.visible('unit', unit_id))
    WITH CHECK (@extschema@.may_write('project', 'unit', unit_id));

CREATE POLICY evaluation_unit ON @extschema@.evaluation FOR ALL
    USING (@extschema@.visible('project', project_id))
    WITH CHECK (@extschema@.may_write('evaluation', 'project', project_id));

CREATE POLICY fund_line_unit ON @extschema@.fund_line FOR ALL
    USING (@extschema@.visible('project', form_project_id))
    WITH CHECK (@extschema@.may_write('fund_line', 'project', form_project_id));

CREATE POLICY indicator_unit ON @extschema@.indicator FOR ALL
    USING (@extschema@.visible('project', form_project_id))
    WITH CHECK (@extschema@.may_write('indicator', 'project', form_project_id));

CREATE POLICY read_finding_unit ON @extschema@.read_finding FOR ALL
    USING (@extschema@.visible('project', form_project_id))
    WITH CHECK (@extschema@.may_write('read_finding', 'project', form_project_id));

-- History: read-only for everyone (written by its trigger), each unit sees
-- its own, including that of forms since deleted.
CREATE POLICY history_unit ON @extschema@.history FOR SELECT
    USING (@extschema@.visible('unit', unit_id));
CREATE POLICY history_admin_unit ON @extschema@.history_admin FOR SELECT
    USING (@extschema@.visible('unit', unit_id));

-- Daily use needs no superuser.  PUBLIC reads; writing is granted by the
-- administrator to the roles that need it (a role that bypasses row-level
-- security gets no write by that alone).  Identity columns need no sequence
-- privilege.  No one is granted TRUNCATE or any write on history.
GRANT SELECT ON
    @extschema@.unit, @extschema@.unit_member, @extschema@.reviewer,
    @extschema@.project, @extschema@.evaluation, @extschema@.fund_line, @extschema@.indicator,
    @extschema@.read_finding
    TO PUBLIC;
GRANT SELECT ON @extschema@.history, @extschema@.history_admin TO PUBLIC;
-- history_all reads both with the caller's rights (PostgreSQL 15+), so
-- their policies decide; before 15 it would read them with its owner's, and
-- PUBLIC does not get it.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.history_all SET (security_invoker = true);
        GRANT SELECT ON @extschema@.history_all TO PUBLIC;
    END IF;
END
$$;
GRANT SELECT ON @extschema@.indicator_result, @extschema@.evaluation_result,
                @extschema@.audit_finding, @extschema@.finding_code TO PUBLIC;
GRANT SELECT ON @extschema@.finding_catalogue, @extschema@.finding_message, @extschema@.standard_fund_source,
                @extschema@.fund_line_result, @extschema@.standard_level TO PUBLIC;

-- A form's 一级预算单位 (budget_unit_id) is its project's unit or a unit
-- above it: a unit member cannot attribute a form to another unit's budget
-- unit, by an INSERT, an UPDATE or an import.  Reviewers may (a unit not yet
-- placed in the tree).  A project the caller cannot see is left to the
-- policy, which refuses it with its own error.  SECURITY INVOKER.
CREATE FUNCTION @extschema@.evaluation_check_budget_unit(budget_unit_id bigint, project_id bigint,
                                                         unit_id bigint DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET citus.allow_nested_distributed_execution = on
AS $$
DECLARE
    p record;
BEGIN
    IF budget_unit_id IS NULL THEN
        RETURN;
    END IF;
    -- the project's unit, or the one it is being moved to
    SELECT pr.code, pr.name, coalesce(evaluation_check_budget_unit.unit_id, pr.unit_id) AS unit_id INTO p
    FROM @extschema@.project pr
    WHERE pr.project_id = evaluation_check_budget_unit.project_id;
    IF FOUND AND NOT budget_unit_id = ANY (@extschema@.unit_and_ancestors(p.unit_id))
       AND NOT @extschema@.is_reviewer(current_user) THEN
        RAISE EXCEPTION 'project % “%” of unit “%”: unit “%” is not above it and cannot be its 一级预算单位',
                coalesce(p.code, '(no 项目编号)'), p.name,
                (SELECT u.name FROM @extschema@.unit u WHERE u.unit_id = p.unit_id),
                coalesce((SELECT u.name FROM @extschema@.unit u WHERE u.unit_id = budget_unit_id), budget_unit_id::text)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A form''s 一级预算单位 is its project''s unit or a unit above it. If the unit belongs under it, a reviewer places it there: UPDATE pjeval.unit SET parent_id = … .';
    END IF;
END
$$;

COMMENT ON FUNCTION @extschema@.evaluation_check_budget_unit(bigint, bigint, bigint) IS
'Refuses (42501) a form whose 一级预算单位 is neither its project''s unit (or unit_id, where the project moves there) nor a unit above it, unless a reviewer writes it';

-- The workflow on the evaluation row, and on the monitoring report's
-- (62_monitoring.sql), which has the same columns for it.  SECURITY INVOKER:
-- current_user is the role making the change.
CREATE FUNCTION @extschema@.evaluation_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    workflow_columns CONSTANT text[] := ARRAY['status', 'updated_at', 'submitted_at', 'approved_at', 'approved_by'];
    -- the form's table is the trigger's argument (on a Citus shard
    -- TG_TABLE_NAME is the shard's): evaluation or monitoring
    form_table CONSTANT text := TG_ARGV[0];
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' WHEN 'target' THEN 'target form' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' WHEN 'target' THEN '_target' ELSE '' END;
    id CONSTANT bigint := (to_jsonb(coalesce(NEW, OLD)) ->> (form_table || '_id'))::bigint;
BEGIN
    IF form_table IS NULL OR form_table NOT IN ('evaluation', 'monitoring', 'target') THEN
        RAISE EXCEPTION 'evaluation_workflow() guards pjeval.evaluation, pjeval.monitoring and pjeval.target, not %', coalesce(form_table, TG_TABLE_NAME)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN coalesce(NEW, OLD);
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a new % starts as a draft, not %', form, NEW.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('Insert it as a draft and call pjeval.submit%s(%s_id) when it is complete.', steps, form_table);
        END IF;
        IF NEW.profile IS DISTINCT FROM @extschema@.default_profile() AND NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can choose the profile of a form, not role %', current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = format('Leave the profile out (the form is scored by %s); a reviewer can change it later.', @extschema@.default_profile());
        END IF;
        PERFORM @extschema@.evaluation_check_budget_unit(NEW.budget_unit_id, NEW.project_id);
        NEW.created_at := now();
        NEW.updated_at := now();
        NEW.submitted_at := NULL;
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
        RETURN NEW;
    END IF;

    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION '% % is %: it cannot be deleted', form, id, OLD.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('A reviewer can return it to draft first: SELECT pjeval.reopen%s(%s);', steps, id);
        END IF;
        RETURN OLD;
    END IF;

    -- UPDATE
    NEW.created_at := OLD.created_at;
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION '% % is %: it is read-only', form, id, OLD.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen%s(%s);', steps, id);
        END IF;
        IF NEW.profile IS DISTINCT FROM OLD.profile AND NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can change the profile of % %, not role %', form, id, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Choosing the scoring profile is the reviewer''s act; ask a reviewer (pjeval.reviewer).';
        END IF;
        IF NEW.budget_unit_id IS DISTINCT FROM OLD.budget_unit_id OR NEW.project_id IS DISTINCT FROM OLD.project_id THEN
            PERFORM @extschema@.evaluation_check_budget_unit(NEW.budget_unit_id, NEW.project_id);
        END IF;
        NEW.submitted_at := OLD.submitted_at;
        NEW.approved_at := OLD.approved_at;
        NEW.approved_by := OLD.approved_by;
        NEW.updated_at := now();
        RETURN NEW;
    END IF;

    -- A change of status, and nothing else with it.
    IF to_jsonb(NEW) - workflow_columns IS DISTINCT FROM to_jsonb(OLD) - workflow_columns THEN
        RAISE EXCEPTION '% %: change the status alone, not together with other columns', form, id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('Save the changes while it is a draft, then call pjeval.submit%1$s, pjeval.approve%1$s or pjeval.reopen%1$s.', steps);
    END IF;

    IF OLD.status = 'draft' AND NEW.status = 'submitted' THEN
        NEW.submitted_at := now();
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
    ELSIF OLD.status = 'submitted' AND NEW.status = 'approved' THEN
        IF NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can approve % %', form, id
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Reviewers are the members of the roles listed in pjeval.reviewer.';
        END IF;
        NEW.submitted_at := OLD.submitted_at;
        NEW.approved_at := now();
        NEW.approved_by := current_user;
    ELSIF OLD.status IN ('submitted', 'approved') AND NEW.status = 'draft' THEN
        IF NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can reopen % %', form, id
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Reviewers are the members of the roles listed in pjeval.reviewer.';
        END IF;
        NEW.submitted_at := NULL;
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
    ELSE
        RAISE EXCEPTION '% % cannot go from % to %', form, id, OLD.status, NEW.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('The steps are draft → submitted (pjeval.submit%1$s) → approved (pjeval.approve%1$s); pjeval.reopen%1$s returns a form to draft.', steps);
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.evaluation
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow('evaluation');

-- A project's header (项目编号, 项目名称, its unit) is part of its forms (its
-- evaluations, monitoring reports and target forms): while one of them is submitted or
-- approved, only a reviewer changes it (the history keeps the old row).  The
-- project's forms are locked FOR SHARE, so none can be submitted while the
-- change is open (a monitoring report only where the role may lock it).  Moving a project to
-- another unit keeps each form's 一级预算单位 above the new unit.
CREATE FUNCTION @extschema@.project_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    IF @extschema@.restoring_dump()
       OR (NEW.code, NEW.name, NEW.unit_id) IS NOT DISTINCT FROM (OLD.code, OLD.name, OLD.unit_id)
       OR @extschema@.is_reviewer(current_user) THEN
        RETURN NEW;
    END IF;
    WITH locked AS MATERIALIZED (
        SELECT e.evaluation_id, e.status
        FROM @extschema@.evaluation e
        WHERE e.project_id = OLD.project_id
        FOR SHARE OF e)
    SELECT 'evaluation'::text AS form, '' AS steps, l.evaluation_id AS id, l.status INTO bad
    FROM locked l
    WHERE l.status <> 'draft'
    ORDER BY l.evaluation_id
    LIMIT 1;
    IF NOT FOUND THEN
        -- The monitoring reports (62_monitoring.sql) likewise; a role that
        -- may not lock them (no UPDATE on pjeval.monitoring) reads them.
        IF has_any_column_privilege(current_user, '@extschema@.monitoring'::regclass, 'UPDATE') THEN
            SELECT 'monitoring report'::text AS form, '_monitoring'::text AS steps, l.monitoring_id AS id, l.status INTO bad
            FROM (SELECT m.monitoring_id, m.status
                  FROM @extschema@.monitoring m
                  WHERE m.project_id = OLD.project_id
                  FOR SHARE OF m) l
            WHERE l.status <> 'draft'
            ORDER BY l.monitoring_id
            LIMIT 1;
        ELSE
            SELECT 'monitoring report'::text AS form, '_monitoring'::text AS steps, m.monitoring_id AS id, m.status INTO bad
            FROM @extschema@.monitoring m
            WHERE m.project_id = OLD.project_id AND m.status <> 'draft'
            ORDER BY m.monitoring_id
            LIMIT 1;
        END IF;
    END IF;
    IF NOT FOUND THEN
        -- The target forms (72_targets.sql) likewise.
        IF has_any_column_privilege(current_user, '@extschema@.target'::regclass, 'UPDATE') THEN
            SELECT 'target form'::text AS form, '_target'::text AS steps, l.target_id AS id, l.status INTO bad
            FROM (SELECT t.target_id, t.status
                  FROM @extschema@.target t
                  WHERE t.project_id = OLD.project_id
                  FOR SHARE OF t) l
            WHERE l.status <> 'draft'
            ORDER BY l.target_id
            LIMIT 1;
        ELSE
            SELECT 'target form'::text AS form, '_target'::text AS steps, t.target_id AS id, t.status INTO bad
            FROM @extschema@.target t
            WHERE t.project_id = OLD.project_id AND t.status <> 'draft'
            ORDER BY t.target_id
            LIMIT 1;
        END IF;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'project % “%”: % % is %, so its 项目编号, 项目名称 and unit are read-only',
                coalesce(OLD.code, '(no 项目编号)'), OLD.name, bad.form, bad.id, bad.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can change them, or return the form to draft: SELECT pjeval.reopen%s(%s);', bad.steps, bad.id);
    END IF;
    -- (a unit the caller does not work for is the policy's to refuse)
    IF NEW.unit_id IS DISTINCT FROM OLD.unit_id AND NEW.unit_id = ANY (@extschema@.member_units(current_user)) THEN
        PERFORM @extschema@.evaluation_check_budget_unit(f.budget_unit_id, OLD.project_id, NEW.unit_id)
        FROM (SELECT e.budget_unit_id FROM @extschema@.evaluation e WHERE e.project_id = OLD.project_id
              UNION ALL
              SELECT m.budget_unit_id FROM @extschema@.monitoring m WHERE m.project_id = OLD.project_id
              UNION ALL
              SELECT t.budget_unit_id FROM @extschema@.target t WHERE t.project_id = OLD.project_id) f
        WHERE f.budget_unit_id IS NOT NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER project_workflow
BEFORE UPDATE ON @extschema@.project
FOR EACH ROW EXECUTE FUNCTION @extschema@.project_workflow();

-- A form's rows follow its status.  The evaluation row is locked FOR SHARE,
-- so a form cannot be submitted or approved while a change to its rows is
-- still open.  A row whose evaluation is gone (deleted in this statement, by
-- ON DELETE CASCADE) or not visible (the policy refuses it anyway) passes.
-- INSERT and DELETE are checked once per statement for all the forms they
-- touch (statement-level triggers with transition tables), so loading a
-- form's rows costs one check, not one per row; a refusal undoes the whole
-- statement.  UPDATE is checked row by row, before the row moves: a row moved
-- into a read-only form is refused as such, before any other constraint.
-- The trigger's arguments name the form's table, evaluation or monitoring
-- (62_monitoring.sql; its key is that name with _id), and the rows' table
-- for the messages: on a Citus shard TG_TABLE_NAME is the shard's
-- (indicator_102135), never the table's.
CREATE FUNCTION @extschema@.form_row_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    ids bigint[];
    id bigint;
    st text;
    form_table CONSTANT text := TG_ARGV[0];
    row_table CONSTANT text := TG_ARGV[1];
    key CONSTANT text := form_table || '_id';
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' WHEN 'target' THEN 'target form' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' WHEN 'target' THEN '_target' ELSE '' END;
    forms text;  -- the form's table; on a Citus shard its co-located shard
BEGIN
    IF TG_NARGS <> 2 OR form_table NOT IN ('evaluation', 'monitoring', 'target') THEN
        RAISE EXCEPTION 'form_row_workflow() guards the rows of pjeval.evaluation, pjeval.monitoring and pjeval.target, not of %', coalesce(form_table, TG_TABLE_NAME)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN CASE WHEN TG_LEVEL = 'ROW' THEN coalesce(NEW, OLD) END;
    END IF;
    forms := @extschema@.colocated_shard(TG_TABLE_NAME, row_table, form_table);
    IF TG_LEVEL = 'ROW' THEN
        -- UPDATE: the form the row is in, and the one it moves to
        ids := ARRAY[(to_jsonb(OLD) ->> key)::bigint, (to_jsonb(NEW) ->> key)::bigint];
        IF ids[1] = ids[2] THEN
            ids := ids[1:1];
        END IF;
        FOREACH id IN ARRAY ids LOOP
            -- (st is NULL where no row is found)
            IF TG_TABLE_NAME <> row_table THEN
                EXECUTE format('SELECT f.status FROM %s f WHERE f.%I = $1 FOR SHARE', forms, key)
                INTO st USING id;
            ELSIF form_table = 'evaluation' THEN
                SELECT e.status INTO st
                FROM @extschema@.evaluation e
                WHERE e.evaluation_id = id
                FOR SHARE;
            ELSIF form_table = 'monitoring' THEN
                SELECT m.status INTO st
                FROM @extschema@.monitoring m
                WHERE m.monitoring_id = id
                FOR SHARE;
            ELSE
                SELECT t.status INTO st
                FROM @extschema@.target t
                WHERE t.target_id = id
                FOR SHARE;
            END IF;
            IF st <> 'draft' THEN
                RAISE EXCEPTION '% % is %: its % rows are read-only', form, id, st, row_table
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen%s(%s);', steps, id);
            END IF;
        END LOOP;
        RETURN NEW;
    END IF;
    -- Every form the statement touched is locked; the first that is not a
    -- draft, if any, is named.  Each kind of trigger has only its own
    -- transition tables, hence the query's text is put together here.
    EXECUTE format($q$
        WITH locked AS MATERIALIZED (
            SELECT e.%1$I AS id, e.status
            FROM %2$s e
            WHERE e.%1$I IN (SELECT r.%1$I FROM %3$s r)
            FOR SHARE OF e)
        SELECT l.id, l.status
        FROM locked l
        WHERE l.status <> 'draft'
        ORDER BY l.id
        LIMIT 1$q$,
        key, forms, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
    INTO bad;
    IF bad.id IS NOT NULL THEN
        RAISE EXCEPTION '% % is %: its % rows are read-only', form, bad.id, bad.status, row_table
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen%s(%s);', steps, bad.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'fund_line');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'fund_line');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'fund_line');
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'indicator');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'indicator');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'indicator');
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.read_finding
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'read_finding');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.read_finding
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'read_finding');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.read_finding
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'read_finding');

REVOKE EXECUTE ON FUNCTION @extschema@.evaluation_workflow() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.project_workflow() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.form_row_workflow() FROM PUBLIC;

-- The three steps.  Each locks the form, says clearly why it cannot move,
-- and returns the new status.  set_form_status serves either kind of form:
-- evaluation or monitoring (its key is the name with _id), named in
-- messages as evaluation or monitoring report.
CREATE FUNCTION @extschema@.set_form_status(form_table text, id bigint, from_status text[], to_status text, step text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    st text;
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' WHEN 'target' THEN 'target form' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' WHEN 'target' THEN '_target' ELSE '' END;
BEGIN
    IF form_table IS NULL OR form_table NOT IN ('evaluation', 'monitoring', 'target') THEN
        RAISE EXCEPTION 'set_form_status() moves pjeval.evaluation, pjeval.monitoring and pjeval.target rows, not %', form_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('SELECT f.status FROM @extschema@.%I f WHERE f.%I = $1 FOR UPDATE', form_table, form_table || '_id')
    INTO st USING id;
    IF st IS NULL THEN
        RAISE EXCEPTION '% % does not exist or is not visible to role %', form, id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    IF NOT st = ANY (from_status) THEN
        RAISE EXCEPTION '% % is %: it cannot be %', form, id, st, step
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('The steps are draft → submitted (pjeval.submit%1$s) → approved (pjeval.approve%1$s); pjeval.reopen%1$s returns a form to draft.', steps);
    END IF;
    EXECUTE format('UPDATE @extschema@.%I f SET status = $2 WHERE f.%I = $1', form_table, form_table || '_id')
    USING id, to_status;
    RETURN to_status;
END
$$;

COMMENT ON FUNCTION @extschema@.set_form_status(text, bigint, text[], text, text) IS
'The body of submit, approve and reopen and of their _monitoring twins: moves a visible form (form_table evaluation or monitoring) from one of from_status to to_status, with the workflow trigger''s checks';

CREATE FUNCTION @extschema@.set_status(evaluation_id bigint, from_status text[], to_status text, step text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.set_form_status('evaluation', set_status.evaluation_id, from_status, to_status, step);
END
$$;

COMMENT ON FUNCTION @extschema@.set_status(bigint, text[], text, text) IS
'The body of submit, approve and reopen: moves a visible form from one of from_status to to_status, with the workflow trigger''s checks';

CREATE FUNCTION @extschema@.submit(evaluation_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_status($1, ARRAY['draft'], 'submitted', 'submitted')
$$;

CREATE FUNCTION @extschema@.approve(evaluation_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_status($1, ARRAY['submitted'], 'approved', 'approved')
$$;

CREATE FUNCTION @extschema@.reopen(evaluation_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_status($1, ARRAY['submitted', 'approved'], 'draft', 'reopened')
$$;

COMMENT ON FUNCTION @extschema@.submit(bigint) IS
'Submits a draft form for review (draft → submitted); from then on the form and its rows are read-only';
COMMENT ON FUNCTION @extschema@.approve(bigint) IS
'Approves a submitted form (submitted → approved); reviewers only';
COMMENT ON FUNCTION @extschema@.reopen(bigint) IS
'Returns a submitted or approved form to draft so that it can be changed again; reviewers only';
