-- pjeval 0.2.0 -> 0.3.0 (ALTER EXTENSION pjeval UPDATE): the defects found by
-- an adversarial review (hostile stored values, hostile documents, one unit's
-- values breaking everyone's reports, workflow holes).  See CHANGELOG.md.
\echo Use "ALTER EXTENSION pjeval UPDATE TO '0.3.0'" to load this file. \quit


-- workflow and privileges (issue 17, part 6; part 8's privilege defects):
-- a submitted or approved form's project header is read-only for the unit;
-- choosing a profile is a reviewer's act and a profile in use is frozen,
-- with profile changes in the history; restoring_dump() needs a superuser or
-- the extension's owner; PUBLIC reads but no longer writes (GRANT INSERT,
-- UPDATE, DELETE to the roles that enter forms after updating); member_units
-- answers only about oneself, one's group roles, or for reviewers; a form's
-- 一级预算单位 is its project's unit or one above it.
CREATE FUNCTION @extschema@.default_profile()
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'central-2020'::text $$;

COMMENT ON FUNCTION @extschema@.default_profile() IS
'The profile a new form is scored by (central-2020); only a reviewer gives a form another one';

ALTER TABLE @extschema@.evaluation ALTER COLUMN profile SET DEFAULT @extschema@.default_profile();

CREATE OR REPLACE FUNCTION @extschema@.restoring_dump()
RETURNS boolean
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN pg_catalog.current_setting('row_security') OPERATOR(pg_catalog.=) 'off'
                 AND pg_catalog.current_setting('check_function_bodies') OPERATOR(pg_catalog.=) 'off'
           THEN pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'on'
                OR EXISTS (SELECT FROM pg_catalog.pg_extension x
                           WHERE x.extname OPERATOR(pg_catalog.=) 'pjeval'
                             AND pg_catalog.pg_has_role(CASE pg_catalog.current_setting('role')
                                                        WHEN 'none' THEN SESSION_USER
                                                        ELSE pg_catalog.current_setting('role')::name END,
                                                        x.extowner, 'USAGE'))
           ELSE false END
$$;

COMMENT ON FUNCTION @extschema@.restoring_dump() IS
'True while a dump is being loaded: row_security and check_function_bodies both off, as pg_dump and pg_restore set them, by a superuser or the extension''s owner. The workflow checks and the history stand aside';

DROP TRIGGER profile_protect_builtin ON @extschema@.profile;
DROP FUNCTION @extschema@.profile_protect_builtin();

CREATE FUNCTION @extschema@.profile_protect()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.builtin) OR (TG_OP <> 'INSERT' AND OLD.builtin) THEN
        RAISE EXCEPTION 'profile "%" is built in', coalesce(OLD.name, NEW.name)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ... ';
    END IF;
    IF TG_OP <> 'INSERT' AND NOT @extschema@.restoring_dump() THEN
        WITH locked AS MATERIALIZED (
            SELECT e.evaluation_id, e.status
            FROM @extschema@.evaluation e
            WHERE e.profile OPERATOR(pg_catalog.=) OLD.name
            FOR SHARE OF e)
        SELECT l.evaluation_id, l.status INTO bad
        FROM locked l
        WHERE l.status OPERATOR(pg_catalog.<>) 'draft'
        ORDER BY l.evaluation_id
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'profile "%" scores evaluation %, which is %: it cannot be changed or deleted', OLD.name, bad.evaluation_id, bad.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A profile that a submitted or approved form is scored by is frozen, so that the form''s grade stays as it was reviewed.',
                      HINT = format('Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ''%s-2'', ... FROM pjeval.profile WHERE name = %L; a reviewer then moves draft forms to it.', OLD.name, OLD.name);
        END IF;
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$;

CREATE TRIGGER profile_protect
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.profile
FOR EACH ROW EXECUTE FUNCTION @extschema@.profile_protect();
REVOKE EXECUTE ON FUNCTION @extschema@.profile_protect() FROM PUBLIC;

CREATE FUNCTION @extschema@.unit_and_ancestors(unit_id bigint)
RETURNS bigint[]
LANGUAGE sql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE up (unit_id, parent_id) AS (
        SELECT u.unit_id, u.parent_id FROM @extschema@.unit u WHERE u.unit_id OPERATOR(pg_catalog.=) $1
        UNION
        SELECT u.unit_id, u.parent_id FROM @extschema@.unit u JOIN up ON u.unit_id OPERATOR(pg_catalog.=) up.parent_id
    )
    SELECT coalesce(pg_catalog.array_agg(up.unit_id), '{}') FROM up
$$;

COMMENT ON FUNCTION @extschema@.unit_and_ancestors(bigint) IS
'The unit and every unit above it (parent_id upwards): the units a form of this unit may name as its 一级预算单位';

CREATE OR REPLACE FUNCTION @extschema@.unit_check_parent()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND NEW.unit_id = ANY (@extschema@.unit_and_ancestors(NEW.parent_id)) THEN
        RAISE EXCEPTION 'unit "%" cannot be placed under unit "%", which is already below it or is itself',
                NEW.name, (SELECT u.name FROM @extschema@.unit u WHERE u.unit_id = NEW.parent_id)
            USING ERRCODE = 'check_violation',
                  HINT = 'The units would form a cycle; choose a parent that is not one of its sub-units.';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.member_units(role_name name)
RETURNS bigint[]
LANGUAGE plpgsql
STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    asking name := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;
    units bigint[];
BEGIN
    IF $1 IS DISTINCT FROM asking
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                       WHERE r.rolname = $1 AND pg_catalog.pg_has_role(asking, r.oid, 'MEMBER'))
       AND NOT @extschema@.is_reviewer(asking) THEN
        RAISE EXCEPTION 'role % may not ask which units role % works for', asking, $1
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A role may ask about itself (pjeval.member_units(CURRENT_USER)) and the roles it is a member of; reviewers about anyone.';
    END IF;
    WITH RECURSIVE mine (unit_id, with_subunits) AS (
        SELECT m.unit_id, m.with_subunits
        FROM @extschema@.unit_member m
        JOIN pg_catalog.pg_roles r ON r.rolname = m.role_name
        WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER')
        UNION
        SELECT u.unit_id, true
        FROM @extschema@.unit u
        JOIN mine ON u.parent_id = mine.unit_id AND mine.with_subunits
    )
    SELECT coalesce(pg_catalog.array_agg(DISTINCT mine.unit_id), '{}') INTO units FROM mine;
    RETURN units;
END
$$;

COMMENT ON FUNCTION @extschema@.member_units(name) IS
'The units whose forms the role may see and change (through pjeval.unit_member, with sub-units where with_subunits); call it with CURRENT_USER. A role may ask about itself and the roles it is a member of, a reviewer about anyone (42501 otherwise)';

CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@'
       OR TG_TABLE_NAME NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE TG_TABLE_NAME
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN TG_TABLE_NAME IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator')
             THEN 't.' || TG_TABLE_NAME || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING TG_TABLE_NAME::text, TG_OP, acting;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@'
       OR TG_TABLE_NAME NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$I.%4$I t$q$,
        TG_TABLE_NAME, TG_TABLE_NAME || '_id', TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.profile
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.profile
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.profile
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.profile
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();

CREATE FUNCTION @extschema@.evaluation_check_budget_unit(budget_unit_id bigint, project_id bigint,
                                                         unit_id bigint DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
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

CREATE OR REPLACE FUNCTION @extschema@.evaluation_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    workflow_columns CONSTANT text[] := ARRAY['status', 'updated_at', 'submitted_at', 'approved_at', 'approved_by'];
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN coalesce(NEW, OLD);
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a new evaluation starts as a draft, not %', NEW.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Insert it as a draft and call pjeval.submit(evaluation_id) when it is complete.';
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
            RAISE EXCEPTION 'evaluation % is %: it cannot be deleted', OLD.evaluation_id, OLD.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('A reviewer can return it to draft first: SELECT pjeval.reopen(%s);', OLD.evaluation_id);
        END IF;
        RETURN OLD;
    END IF;

    -- UPDATE
    NEW.created_at := OLD.created_at;
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'evaluation % is %: it is read-only', OLD.evaluation_id, OLD.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen(%s);', OLD.evaluation_id);
        END IF;
        IF NEW.profile IS DISTINCT FROM OLD.profile AND NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can change the profile of evaluation %, not role %', OLD.evaluation_id, current_user
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
        RAISE EXCEPTION 'evaluation %: change the status alone, not together with other columns', OLD.evaluation_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Save the changes while it is a draft, then call pjeval.submit, pjeval.approve or pjeval.reopen.';
    END IF;

    IF OLD.status = 'draft' AND NEW.status = 'submitted' THEN
        NEW.submitted_at := now();
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
    ELSIF OLD.status = 'submitted' AND NEW.status = 'approved' THEN
        IF NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can approve evaluation %', OLD.evaluation_id
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Reviewers are the members of the roles listed in pjeval.reviewer.';
        END IF;
        NEW.submitted_at := OLD.submitted_at;
        NEW.approved_at := now();
        NEW.approved_by := current_user;
    ELSIF OLD.status IN ('submitted', 'approved') AND NEW.status = 'draft' THEN
        IF NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can reopen evaluation %', OLD.evaluation_id
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Reviewers are the members of the roles listed in pjeval.reviewer.';
        END IF;
        NEW.submitted_at := NULL;
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
    ELSE
        RAISE EXCEPTION 'evaluation % cannot go from % to %', OLD.evaluation_id, OLD.status, NEW.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The steps are draft → submitted (pjeval.submit) → approved (pjeval.approve); pjeval.reopen returns a form to draft.';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

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
    SELECT l.evaluation_id, l.status INTO bad
    FROM locked l
    WHERE l.status <> 'draft'
    ORDER BY l.evaluation_id
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'project % “%”: evaluation % is %, so its 项目编号, 项目名称 and unit are read-only',
                coalesce(OLD.code, '(no 项目编号)'), OLD.name, bad.evaluation_id, bad.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can change them, or return the form to draft: SELECT pjeval.reopen(%s);', bad.evaluation_id);
    END IF;
    -- (a unit the caller does not work for is the policy's to refuse)
    IF NEW.unit_id IS DISTINCT FROM OLD.unit_id AND NEW.unit_id = ANY (@extschema@.member_units(current_user)) THEN
        PERFORM @extschema@.evaluation_check_budget_unit(e.budget_unit_id, OLD.project_id, NEW.unit_id)
        FROM @extschema@.evaluation e
        WHERE e.project_id = OLD.project_id AND e.budget_unit_id IS NOT NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER project_workflow
BEFORE UPDATE ON @extschema@.project
FOR EACH ROW EXECUTE FUNCTION @extschema@.project_workflow();
REVOKE EXECUTE ON FUNCTION @extschema@.project_workflow() FROM PUBLIC;

REVOKE INSERT, UPDATE, DELETE ON
    @extschema@.unit, @extschema@.unit_member, @extschema@.reviewer,
    @extschema@.project, @extschema@.evaluation, @extschema@.fund_line, @extschema@.indicator
    FROM PUBLIC;


-- values (issue 17 part 7): signed comparisons; the flag opposite_sign
COMMENT ON FUNCTION @extschema@.indicator_flags(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.text, pg_catalog.numeric) IS
'The audit flags of an indicator, in a fixed order (not_met, over_achieved at A/T ≥ over_ratio, incomparable_units, qualitative_needs_band, actual_is_claim, missing_value, unmatched_clause, too_large, date_missed, opposite_sign: missed by an actual on the other side of zero, completion 0); {unreadable} for a NULL target or actual; {} when none. Numbers beyond exact arithmetic give too_large (and a NULL score), never an error';


-- workbook: .xlsx workbooks read as the spreadsheet shows them (36_workbook.sql)
CREATE FUNCTION @extschema@.workbook_text(workbook bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'workbook_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.workbook_text(bytea) IS
'The tab-separated document an .xlsx workbook holds, as pjeval.import_forms reads it: every visible sheet in order, a line per row, each cell as the spreadsheet shows it (numbers through their format, dates, formulas by their cached value, merged ranges by their top-left cell). Not a workbook: 22P03; .xls or a password: 0A000; beyond the limits of docs/workbooks.md: 54000';

CREATE FUNCTION @extschema@.workbook_read(workbook bytea, OUT document text, OUT sheets text[],
                                          OUT line_sheet integer[], OUT line_row integer[])
RETURNS record
AS 'MODULE_PATHNAME', 'workbook_read'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.workbook_read(bytea) IS
'workbook_text with the map back: sheets (their names, in order), and per line of the document (one more: the line after the last) its sheet (1-based into sheets) and row';

-- A message of import_forms with its document lines ("line 22", "Line 22:")
-- as the sheet and row they came from.  In a detail that shows the line
-- itself ('Line 22: "…"; expected …') the shown text is the workbook's and
-- stays as it is.
CREATE FUNCTION @extschema@.workbook_place(message text, sheets text[], line_sheet integer[], line_row integer[])
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parts text[];
    m text[];
    i integer := 0;
    n integer;
    result text;
BEGIN
    IF message IS NULL THEN
        RETURN NULL;
    END IF;
    m := pg_catalog.regexp_match(message, '^(Line [0-9]+: ")(.*)("; expected .*)$');
    IF m IS NOT NULL THEN
        RETURN @extschema@.workbook_place(m[1], sheets, line_sheet, line_row) || m[2]
            || @extschema@.workbook_place(m[3], sheets, line_sheet, line_row);
    END IF;
    parts := pg_catalog.regexp_split_to_array(message, '[[:<:]][Ll]ine [0-9]+');
    result := parts[1];
    FOR m IN SELECT pg_catalog.regexp_matches(message, '[[:<:]]([Ll]ine) ([0-9]+)', 'g') LOOP
        i := i + 1;
        n := CASE WHEN pg_catalog.length(m[2]) <= 9 THEN m[2]::integer END;
        result := result || CASE
            WHEN n BETWEEN 1 AND pg_catalog.cardinality(line_row)
                THEN pg_catalog.format('Sheet "%s", row %s', sheets[line_sheet[n]], line_row[n])
            ELSE m[1] || ' ' || m[2] END
            || parts[i + 1];
    END LOOP;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION @extschema@.workbook_place(text, text[], integer[], integer[]) IS
'A message of import_forms with "line N" and "Line N" replaced by the sheet and row of the workbook they came from (Sheet "NAME", row R); the line a detail shows in quotes is left as it is';

CREATE FUNCTION @extschema@.import_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    wb record;
    st text;
    msg text;
    det text;
    hint text;
BEGIN
    IF workbook IS NULL THEN
        -- as import_forms of no document: on_conflict is still checked
        RETURN QUERY SELECT * FROM @extschema@.import_forms(NULL, on_conflict);
        RETURN;
    END IF;
    -- A file that is not a workbook raises here (22P03, 0A000, 54000):
    -- nothing is written yet.
    wb := @extschema@.workbook_read(workbook);
    BEGIN
        RETURN QUERY SELECT * FROM @extschema@.import_forms(wb.document, on_conflict);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        msg := @extschema@.workbook_place(msg, wb.sheets, wb.line_sheet, wb.line_row);
        det := @extschema@.workbook_place(nullif(det, ''), wb.sheets, wb.line_sheet, wb.line_row);
        hint := @extschema@.workbook_place(nullif(hint, ''), wb.sheets, wb.line_sheet, wb.line_row);
        IF det IS NOT NULL AND hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hint;
        ELSIF det IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
        ELSIF hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hint;
        ELSE
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
        END IF;
    END;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_workbook(bytea, text) IS
'Imports every 项目支出绩效自评表 on every visible sheet of an .xlsx workbook: pjeval.import_forms on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict, findings); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';


-- reader (hostile documents, big documents): CR line ends, invisible
-- characters trimmed, a quote that closes nothing read as text (findings[]
-- in read_forms), read_form_batch, import_forms a batch at a time, the
-- document's lines read in C.

CREATE OR REPLACE FUNCTION @extschema@.read_forms(document text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'read_forms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_forms(text) IS
'Reads every 项目支出绩效自评表 of a tab-separated document into a jsonb array: per form its header, amount unit, goals, totals, notes, funds[], indicators[] and findings[] (cells as written; amounts, weights and scores as numbers). A form that cannot be read at all raises 22P02 naming the form, the line and what was expected; forms that make a jsonb value over 256 MB raise 54000 (read_form_batch reads any size)';

CREATE FUNCTION @extschema@.read_form_batch(document text, start_offset bigint DEFAULT 0,
                                            start_line integer DEFAULT 1, start_form integer DEFAULT 0,
                                            max_forms integer DEFAULT 500,
                                            OUT forms jsonb, OUT next_offset bigint,
                                            OUT next_line integer, OUT next_form integer)
RETURNS record
AS 'MODULE_PATHNAME', 'read_form_batch'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_form_batch(text, bigint, integer, integer, integer) IS
'The forms of a document that begin at byte start_offset (its line start_line, after start_form forms), as read_forms reads them: at most max_forms forms and about 8 MB of text, and where the next batch begins (next_offset NULL after the last form). Numbers of forms and lines go on across batches';

CREATE OR REPLACE FUNCTION @extschema@.document_line(document text, line integer)
RETURNS text
AS 'MODULE_PATHNAME', 'document_line'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.document_line(text, integer) IS
'Line n of a document as error messages show it (tabs as " | ", at most 120 characters)';

CREATE OR REPLACE FUNCTION @extschema@.document_find_line(document text, from_line integer, pattern text)
RETURNS integer
AS 'MODULE_PATHNAME', 'document_find_line'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.document_find_line(text, integer, text) IS
'The number of the first line at or after from_line that matches the pattern, NULL if none';

CREATE OR REPLACE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;            -- the forms of a batch
    funds jsonb;            -- every fund line of the batch
    inds jsonb;             -- every indicator of the batch
    bad record;
    pos_offset bigint := 0; -- where the next batch begins (NULL: the document is read)
    pos_line integer := 1;
    pos_form integer := 0;
    base integer;           -- forms before the batch: its form f is element f - base below
    done_form integer[] := '{}';    -- the forms of the batches before, for step 5
    done_line integer[] := '{}';
    done_year integer[] := '{}';
    done_project bigint[] := '{}';
    done_code text[] := '{}';
    done_name text[] := '{}';
    quote_lines integer[] := '{}';  -- cells whose quote nothing closes (read as text)
    form_unit bigint[];     -- per form of the batch, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];  -- batch-local, as the arrays above
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];         -- form numbers
    attempt integer;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- The document is read and written a batch of forms at a time (500
    -- forms or about 8 MB of text, see read_form_batch), steps 1-7 per
    -- batch, all in this one transaction: memory is that of a batch, and a
    -- cancel or a timeout stops the import between any two rows it reads.
    LOOP
        -- 1. Read.  A form that cannot be read at all raises here (22P02, with
        -- the form, the line and what was expected); what earlier batches wrote
        -- is undone with the rest.  The fund lines and indicators of the
        -- batch's forms are taken out once, each with its form's position:
        -- every statement below reads a flat set.
        EXIT WHEN pos_offset IS NULL;
        base := pos_form;
        SELECT b.forms, b.next_offset, b.next_line, b.next_form INTO forms, pos_offset, pos_line, pos_form
        FROM @extschema@.read_form_batch(document, pos_offset, pos_line, pos_form, 500) AS b;
        n := pg_catalog.jsonb_array_length(forms);
        EXIT WHEN n = 0;
        funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
        inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');
        quote_lines := quote_lines || ARRAY(SELECT x.line
                                            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                                                 AS x (line integer, code text)
                                            WHERE x.code = 'unclosed_quote'
                                            ORDER BY x.line);

        RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 2. What the reader lets through but no table can hold.  The header
        -- is checked here (before units and projects are looked for); fund
        -- lines and indicators by the tables' own constraints as they are
        -- written (step 7), at no cost when all is well.  Either way the error
        -- names the document's first such cell (import_raise_problem).
        IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                             total_weight numeric, total_score numeric)
                   WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                      OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
        -- created at the top level when there is none; 实施单位 is a unit of
        -- that name (under its 一级预算单位 first, then at the top level), created
        -- under its 一级预算单位 when there is none, at the top level when the
        -- form names none (and no other form of the document places it).
        -- Creating units is for reviewers (row-level security says so when
        -- someone else tries).
        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.top_unit
        FROM jsonb_to_recordset(forms) AS f (top_unit text)
        WHERE f.top_unit IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.top_unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
        FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
        LEFT JOIN (
            SELECT n.name,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
        ) t ON t.name = f.top_unit;

        INSERT INTO @extschema@.unit (name, parent_id)
        SELECT DISTINCT f.unit, form_top[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 2, 1
        ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.unit
        FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form - base], 0)) ORDER BY f.form) INTO form_unit
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN (
            SELECT n.name, n.top,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.unit AS name, form_top[x.form - base] AS top
                  FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
                  WHERE x.unit IS DISTINCT FROM x.top_unit) n
        ) t ON t.name = f.unit AND t.top = form_top[f.form - base] AND f.unit IS DISTINCT FROM f.top_unit;

        RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 4. Projects: by 项目编号, else by name within the unit.  A project the
        -- caller cannot see is not found; inserting it again then does nothing
        -- (its code is taken) or is refused by row-level security.
        INSERT INTO @extschema@.project (code, name, unit_id)
        SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p WHERE p.code = f.project_code)
        ORDER BY f.project_code, f.form
        ON CONFLICT (code) DO NOTHING;

        INSERT INTO @extschema@.project (name, unit_id)
        SELECT DISTINCT f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p
                          WHERE p.unit_id = form_unit[f.form - base] AND p.name = f.project_name)
        ORDER BY 2, 1
        ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
        FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form - base] AS unit_id
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
        LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
        LEFT JOIN (
            SELECT n.unit_id, n.name,
                   coalesce((SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                            (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
            FROM (SELECT DISTINCT form_unit[x.form - base] AS unit_id, x.project_name AS name
                  FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
                  WHERE x.project_code IS NULL) n
        ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

        -- A project the caller cannot see, or one that belongs to another unit.
        SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                             unit text, top_unit text)
        LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form - base]
        LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form - base]
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND bad.unit_id IS NULL THEN
            RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                    bad.form, bad.line, bad.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                    bad.project_unit, coalesce(bad.unit, bad.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 5. One form per project and year in the document: in the batch, and
        -- against the forms of the batches before it (never a replace of a form
        -- this import wrote).
        SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
        FROM (SELECT x.form, x.line, x.year, x.project_code, x.project_name, form_project[x.form - base] AS project_id
              FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text)
              UNION ALL
              SELECT d.*
              FROM ROWS FROM (pg_catalog.unnest(done_form), pg_catalog.unnest(done_line), pg_catalog.unnest(done_year),
                              pg_catalog.unnest(done_code), pg_catalog.unnest(done_name), pg_catalog.unnest(done_project))
                   AS d (form, line, year, project_code, project_name, project_id)) a
        JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
          ON b.form > a.form AND b.year = a.year AND form_project[b.form - base] = a.project_id
        ORDER BY b.form, a.form
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                    bad.form, bad.line, bad.other_form, bad.other_line,
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 6. The forms themselves.  A project and year already stored is an
        -- error, or with on_conflict => 'replace' is replaced in place: the same
        -- evaluation_id, its profile kept, its fund lines and indicators written
        -- anew (the evaluator's band carried over where an indicator is
        -- unchanged), the old version in pjeval.history.  The workflow refuses to
        -- replace a form that is submitted or approved.  An import that races
        -- with another for the same project and year finds it on its next try.
        form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
        todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g);
        old_bands := NULL;
        attempt := 0;
        LOOP
            attempt := attempt + 1;

            -- the forms of this try already stored, locked in one order
            SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
            INTO found_forms, found_evals
            FROM (SELECT f.form, e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                  JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year
                  ORDER BY e.evaluation_id
                  FOR UPDATE OF e) x;

            IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
                SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
                FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
                WHERE f.form = base + found_forms[1];
                RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                        coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                          HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
            END IF;

            IF found_forms IS NOT NULL THEN
                UPDATE @extschema@.evaluation e
                SET budget_unit_id = nullif(form_top[f.form - base], 0),
                    amount_unit = coalesce(f.amount_unit, '元'),
                    expected_goal = f.goal_expected,
                    actual_outcome = f.goal_actual,
                    reported_weight_total = f.total_weight,
                    reported_total = f.total_score,
                    notes = f.notes
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text)
                  ON f.form = base + x.form
                WHERE e.evaluation_id = x.evaluation_id;

                SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                           i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                           i.band), '{}')
                INTO old_bands
                FROM @extschema@.indicator i
                WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

                DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
                DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);

                form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
            END IF;

            -- the forms not stored yet; one that a concurrent import has just
            -- stored is left out, and found on the next try
            WITH ins AS (
                INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                    actual_outcome, reported_weight_total, reported_total, notes)
                SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                       f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes
                FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                     goal_actual text, total_weight numeric, total_score numeric, notes text)
                JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                ORDER BY form_project[f.form - base], f.year
                ON CONFLICT (project_id, year) DO NOTHING
                RETURNING evaluation_id, project_id, year
            )
            SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
            INTO found_forms, found_evals
            FROM ins
            JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
              ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

            todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
            EXIT WHEN pg_catalog.cardinality(todo) = 0;
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                    USING ERRCODE = 'serialization_failure',
                          HINT = 'Try again.';
            END IF;
        END LOOP;

        RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 7. Their rows.  Amounts left blank are 0; the values of targets and
        -- actuals are read by the indicator's trigger (NULL, and flagged by the
        -- audit, where a cell does not read: the text is kept as written).
        BEGIN
            INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                               reported_weight, reported_rate, reported_score)
            SELECT form_eval[x.form - base], @extschema@.fund_source(x.source), coalesce(x.initial_budget, 0),
                   coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score
            FROM jsonb_to_recordset(funds) AS x (form integer, source text, initial_budget numeric, budget numeric,
                                                 executed numeric, weight numeric, rate numeric, score numeric);

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                               weight, reported_score, deviation_reason, band)
            SELECT form_eval[x.form - base], x.position,
                   x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                   x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
                   CASE WHEN old_bands IS NOT NULL
                        THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                            || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
            FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                level2 text, level3 text, target text, actual text,
                                                weight numeric, score numeric, explanation text);
        EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
            -- a cell no table can hold: say which
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
            RAISE;
        END;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;

        SELECT done_form || pg_catalog.array_agg(x.form ORDER BY x.form),
               done_line || pg_catalog.array_agg(x.line ORDER BY x.form),
               done_year || pg_catalog.array_agg(x.year ORDER BY x.form),
               done_project || pg_catalog.array_agg(form_project[x.form - base] ORDER BY x.form),
               done_code || pg_catalog.array_agg(x.project_code ORDER BY x.form),
               done_name || pg_catalog.array_agg(x.project_name ORDER BY x.form)
        INTO done_form, done_line, done_year, done_project, done_code, done_name
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text);
    END LOOP;

    -- What was read but is worth a look: a cell that began with a quote
    -- that nothing closes (copied from a PDF) was read as text.
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_forms(text, text) IS
'Imports every 项目支出绩效自评表 of a tab-separated document of any size (read a batch of forms at a time by pjeval.read_form_batch): units and projects found or created, one evaluation per form with its fund lines and indicators. All or nothing. Returns the evaluation ids in the document''s order. on_conflict: ''error'' (default) refuses a project and year already stored (23505); ''replace'' replaces it in place, keeping the old version in pjeval.history';

-- reports: one unit's numbers must not break everyone's reports (issue 17,
-- parts 3 and 4).  Amounts, reported values, weights and scores beyond
-- exact scoring are refused by new checks (is_scorable_number); the views
-- call try_execution_rate / try_fund_score and assess() never raises for a
-- weight beyond exact scoring, so such a value, where one is stored, gives
-- NULL and the finding unscorable on its own form.  report_html's chart
-- axis stops at 200 %; html_escape drops what XML cannot hold; export_cell
-- keeps spreadsheets from reading formulas; the reports' level classifiers
-- ignore the caller's search_path; the functions that read the views run
-- without JIT.
-- What the views call: the same, but NULL where the plain functions raise
-- (an amount or weight that is negative, not finite or beyond exact
-- scoring, a rate beyond range), so that one form's numbers cannot break a
-- view over every form.  The tables' checks keep such numbers out
-- (is_scorable_number); the views flag what is left (finding unscorable).
CREATE FUNCTION @extschema@.try_execution_rate(budget pg_catalog.numeric, executed pg_catalog.numeric)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_try_execution_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.try_fund_score(budget pg_catalog.numeric, executed pg_catalog.numeric,
                                           weight pg_catalog.numeric DEFAULT 10)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_try_fund_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Numbers the rules compute with exactly: finite, at most 18 significant
-- digits and 18 decimal places.  The tables' checks on amounts, weights and
-- scores (40_schema.sql) and the import's explanations use it.
CREATE FUNCTION @extschema@.is_scorable_number(value pg_catalog.numeric)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'scoring_is_scorable_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.try_execution_rate(pg_catalog.numeric, pg_catalog.numeric) IS
'execution_rate(budget, executed), but NULL instead of an error (an amount negative, not finite or beyond exact scoring; a rate beyond range): for views';
COMMENT ON FUNCTION @extschema@.try_fund_score(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS
'fund_score(budget, executed, weight), but NULL instead of an error (an amount or weight negative, not finite or beyond exact scoring): for views';
COMMENT ON FUNCTION @extschema@.is_scorable_number(pg_catalog.numeric) IS
'True for a number the scoring rules compute with exactly: finite, at most 18 significant digits and 18 decimal places (false for NaN, infinities, 10^19, 0.1234567890123456789)';

COMMENT ON FUNCTION @extschema@.assess(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.numeric, pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
'Rule, completion, score and flags of an indicator in one call, each equal to what completion(), indicator_score() and indicator_flags() return (completion follows negative_formula), except that a weight beyond exact scoring gives a NULL score and the flag unscorable instead of an error; for views: CROSS JOIN LATERAL pjeval.assess(...)';

-- The new checks.  Added NOT VALID (a database may hold such numbers from
-- before), then validated where the rows allow it; where they do not, the
-- check stays NOT VALID (it still refuses every new such number) and the
-- views flag the old rows with the finding unscorable.
ALTER TABLE @extschema@.fund_line ADD CONSTRAINT fund_line_initial_budget_scorable CHECK (@extschema@.is_scorable_number(initial_budget)) NOT VALID;
ALTER TABLE @extschema@.fund_line ADD CONSTRAINT fund_line_annual_budget_scorable CHECK (@extschema@.is_scorable_number(annual_budget)) NOT VALID;
ALTER TABLE @extschema@.fund_line ADD CONSTRAINT fund_line_executed_scorable CHECK (@extschema@.is_scorable_number(executed)) NOT VALID;
ALTER TABLE @extschema@.fund_line ADD CONSTRAINT fund_line_reported_weight_scorable CHECK (@extschema@.is_scorable_number(reported_weight)) NOT VALID;
ALTER TABLE @extschema@.fund_line ADD CONSTRAINT fund_line_reported_rate_scorable CHECK (@extschema@.is_scorable_number(reported_rate)) NOT VALID;
ALTER TABLE @extschema@.fund_line ADD CONSTRAINT fund_line_reported_score_scorable CHECK (@extschema@.is_scorable_number(reported_score)) NOT VALID;
ALTER TABLE @extschema@.indicator ADD CONSTRAINT indicator_weight_scorable CHECK (@extschema@.is_scorable_number(weight)) NOT VALID;
ALTER TABLE @extschema@.indicator ADD CONSTRAINT indicator_reported_score_scorable CHECK (@extschema@.is_scorable_number(reported_score)) NOT VALID;
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT k.conrelid::pg_catalog.regclass AS rel, k.conname
        FROM pg_catalog.pg_constraint k
        WHERE k.conrelid IN ('@extschema@.fund_line'::pg_catalog.regclass, '@extschema@.indicator'::pg_catalog.regclass)
          AND k.conname LIKE '%\_scorable' AND NOT k.convalidated
        ORDER BY 1, 2
    LOOP
        BEGIN
            EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.rel, c.conname);
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING 'pjeval: rows of % hold numbers beyond exact scoring: check % left NOT VALID', c.rel, c.conname
                USING HINT = 'pjeval.audit_finding lists them (code unscorable); correct them, then ALTER TABLE ... VALIDATE CONSTRAINT.';
        END;
    END LOOP;
END
$$;

CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    n.level1_kind,
    h.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    a.rule,
    a.completion,
    a.score AS computed_score,
    i.reported_score,
    i.reported_score - a.score AS score_difference,
    coalesce(a.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - a.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
        CASE WHEN 'unscorable' = ANY (a.flags) THEN 'unscorable' END,
        CASE WHEN 'actual_is_claim' = ANY (a.flags) THEN 'actual_is_claim' END,
        CASE WHEN 'qualitative_needs_band' = ANY (a.flags) AND i.band IS NULL THEN 'band_missing' END,
        CASE WHEN i.reported_score < b.band_low
               OR i.reported_score > b.band_high
               OR (i.reported_score = b.band_high AND i.band <> 'achieved')
             THEN 'score_outside_band' END,
        CASE WHEN 'date_missed' = ANY (a.flags) THEN 'date_missed' END,
        CASE WHEN 'not_met' = ANY (a.flags) AND NOT x.explained THEN 'not_met_unexplained' END,
        CASE WHEN 'over_achieved' = ANY (a.flags) AND NOT x.explained THEN 'over_achieved_unexplained' END,
        CASE WHEN n.level1_kind <> h.level2_home
              AND NOT (n.level1_kind = 'cost' AND h.level2_name = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- The level names, read once per row: the name as the standard lists it is
-- the key of a join with the list of standard names, so it is computed once
-- when the row is probed and the kind comes back as a column.  Written as a
-- LATERAL sub-select instead, the call would be copied into every reference
-- to level1_kind (a dozen in evaluation_result); kept apart with OFFSET 0 it
-- would run once per row too, but on PostgreSQL 15 its parameters keep the
-- whole view out of parallel workers.
LEFT JOIN (VALUES ('产出指标', 'output'), ('效益指标', 'benefit'), ('满意度指标', 'satisfaction'), ('成本指标', 'cost'))
    AS n (level1_name, level1_kind)
    ON n.level1_name = @extschema@.indicator_level_name(i.level1)
LEFT JOIN (VALUES ('数量指标', 'output'), ('质量指标', 'output'), ('时效指标', 'output'), ('成本指标', 'output'),
                  ('经济效益指标', 'benefit'), ('社会效益指标', 'benefit'), ('生态效益指标', 'benefit'), ('可持续影响指标', 'benefit'),
                  ('服务对象满意度指标', 'satisfaction'), ('其他满意度指标', 'satisfaction'),
                  ('经济成本指标', 'cost'), ('社会成本指标', 'cost'), ('生态环境成本指标', 'cost'))
    AS h (level2_name, level2_home)
    ON h.level2_name = @extschema@.indicator_level_name(i.level2)
CROSS JOIN LATERAL (
    -- an explanation that is empty or a placeholder explains nothing
    SELECT coalesce(pg_catalog.btrim(i.deviation_reason, E' \t\r\n　'), '')
               NOT IN ('', '-', '—', '－', '/', '一', '无') AS explained
) x
CROSS JOIN LATERAL (
    -- the evaluator's band as a score range (profile band_achieved and
    -- band_partial): 达成 [achieved, 1], 部分达成 [partial, achieved),
    -- 未达成 [0, partial) of the weight
    SELECT pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight * pr.band_achieved
                                WHEN 'partial' THEN i.weight * pr.band_partial
                                WHEN 'not_achieved' THEN 0
                            END, 2) AS band_low,
           pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight
                                WHEN 'partial' THEN i.weight * pr.band_achieved
                                WHEN 'not_achieved' THEN i.weight * pr.band_partial
                            END, 2) AS band_high
) b
CROSS JOIN LATERAL @extschema@.assess(i.target, i.actual, i.weight, i.level2,
                                      pr.over_achievement_ratio, pr.negative_formula) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE OR REPLACE VIEW @extschema@.evaluation_result WITH (security_barrier = true) AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    pg_catalog.round(f.initial_budget * m.factor, 2) AS initial_budget,
    pg_catalog.round(f.annual_budget * m.factor, 2) AS annual_budget,
    pg_catalog.round(f.executed * m.factor, 2) AS executed,
    pg_catalog.round(f.sources_initial_budget * m.factor, 2) AS sources_initial_budget,
    pg_catalog.round(f.sources_annual_budget * m.factor, 2) AS sources_annual_budget,
    pg_catalog.round(f.sources_executed * m.factor, 2) AS sources_executed,
    c.execution_rate,
    f.reported_rate AS reported_execution_rate,
    c.fund_weight,
    c.fund_score,
    f.reported_score AS reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    t.total_score,
    e.reported_total,
    e.reported_total - t.total_score AS total_difference,
    CASE WHEN @extschema@.is_scorable_number(t.total_score)
         THEN @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) END AS grade,
    c.fund_weight + coalesce(s.weight_total, 0) AS weight_total,
    s.output_weight,
    s.benefit_weight,
    s.satisfaction_weight,
    s.cost_weight,
    s.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN (
    SELECT fl.evaluation_id,
           pg_catalog.bool_or(fl.source = 'total') AS has_total,
           pg_catalog.max(fl.initial_budget) FILTER (WHERE fl.source = 'total') AS initial_budget,
           pg_catalog.max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
           pg_catalog.max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
           pg_catalog.max(fl.reported_weight) FILTER (WHERE fl.source = 'total') AS reported_weight,
           pg_catalog.max(fl.reported_rate) FILTER (WHERE fl.source = 'total') AS reported_rate,
           pg_catalog.max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
           pg_catalog.sum(fl.initial_budget) FILTER (WHERE fl.source <> 'total') AS sources_initial_budget,
           pg_catalog.sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget,
           pg_catalog.sum(fl.executed) FILTER (WHERE fl.source <> 'total') AS sources_executed
    FROM @extschema@.fund_line fl
    GROUP BY fl.evaluation_id
) f ON f.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT r.evaluation_id,
           pg_catalog.count(*) AS indicator_count,
           pg_catalog.count(*) FILTER (WHERE r.counted_score IS NULL) AS unscored,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'output' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'output'), 0) END AS output_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'benefit' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'benefit'), 0) END AS benefit_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'satisfaction' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) END AS satisfaction_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'cost' AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'cost') END AS cost_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind IS NULL AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind IS NULL) END AS other_score,
           pg_catalog.sum(r.counted_score) AS indicator_score,
           pg_catalog.sum(r.weight) AS weight_total,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'cost') AS cost_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind IS NULL) AS other_weight,
           pg_catalog.sum(r.reported_score) AS reported_score_total,
           pg_catalog.sum(pg_catalog.cardinality(r.findings)) AS finding_count
    FROM @extschema@.indicator_result r
    GROUP BY r.evaluation_id
) s ON s.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, pr.execution_weight) AS fund_weight,
           @extschema@.try_fund_score(f.annual_budget, f.executed,
                                      coalesce(f.reported_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
CROSS JOIN LATERAL (
    SELECT pg_catalog.array_remove(ARRAY[
        CASE WHEN f.has_total IS NOT TRUE THEN 'fund_total_missing' END,
        CASE WHEN f.annual_budget = 0 THEN 'budget_zero' END,
        CASE WHEN f.sources_annual_budget IS NOT NULL
              AND (f.sources_initial_budget <> f.initial_budget
                   OR f.sources_annual_budget <> f.annual_budget
                   OR f.sources_executed <> f.executed) THEN 'fund_sources_mismatch' END,
        CASE WHEN f.executed > f.annual_budget THEN 'execution_above_budget' END,
        CASE WHEN c.execution_rate < pr.low_execution_rate THEN 'execution_rate_low' END,
        CASE WHEN pg_catalog.abs(f.reported_rate - c.execution_rate) > 0.01 THEN 'fund_rate_mismatch' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN (f.has_total AND f.annual_budget <> 0 AND (c.execution_rate IS NULL OR c.fund_score IS NULL))
               OR NOT @extschema@.is_scorable_number(t.total_score) THEN 'unscorable' END,
        CASE WHEN c.fund_weight + coalesce(s.weight_total, 0) <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight
               OR s.output_weight <> pr.output_weight
               OR s.benefit_weight <> pr.benefit_weight
               OR s.satisfaction_weight <> pr.satisfaction_weight
               OR coalesce(s.cost_weight, 0) <> coalesce(pr.cost_weight, 0) THEN 'level1_weight_off_profile' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE OR REPLACE VIEW @extschema@.finding_code (code, scope, severity, description_zh, description_en) AS
VALUES
    ('score_mismatch', 'indicator', 'error', '填报得分与计算得分相差超过 0.01', 'the reported score differs from the computed score by more than 0.01'),
    ('score_above_weight', 'indicator', 'error', '得分超过分值', 'the score is above the weight'),
    ('weight_missing', 'indicator', 'warning', '未填分值', 'the weight is missing'),
    ('target_unreadable', 'indicator', 'warning', '年度指标值无法识别', 'the target cannot be read'),
    ('actual_unreadable', 'indicator', 'warning', '实际完成值无法识别', 'the actual cannot be read'),
    ('value_missing', 'indicator', 'warning', '缺少年度指标值或实际完成值', 'the target or the actual is missing'),
    ('units_incomparable', 'indicator', 'warning', '目标与实际的单位不可比', 'the target and the actual are in units that cannot be compared'),
    ('clause_unmatched', 'indicator', 'warning', '目标中的某一项在实际完成值中找不到', 'a clause of the target has no matching clause in the actual'),
    ('value_too_large', 'indicator', 'warning', '数值过大，无法精确计算', 'the numbers are too large to compute exactly'),
    ('unscorable', 'both', 'warning', '数值超出精确计算的范围（至多 18 位有效数字和 18 位小数），无法按规则计算', 'a number is beyond exact scoring (at most 18 significant digits and 18 decimal places): the rules cannot compute with it'),
    ('actual_is_claim', 'indicator', 'warning', '实际完成值是表述而非测量值', 'the actual claims achievement instead of measuring it'),
    ('band_missing', 'indicator', 'warning', '定性指标未记录评价档次', 'a qualitative result that differs from its target has no band recorded'),
    ('score_outside_band', 'indicator', 'error', '定性指标得分不在所记录档次的区间内', 'the score of a qualitative result lies outside its recorded band'),
    ('date_missed', 'indicator', 'warning', '未按期完成', 'a deadline was missed'),
    ('not_met_unexplained', 'indicator', 'warning', '未完成目标且未填写偏差原因分析', 'not met, with no explanation of the deviation'),
    ('over_achieved_unexplained', 'indicator', 'warning', '超额完成且未填写偏差原因分析', 'over-achieved, with no explanation of the deviation'),
    ('level2_misplaced', 'indicator', 'info', '二级指标不在标准的一级指标之下', 'a level-2 indicator sits under a level 1 other than its standard one'),
    ('level1_nonstandard', 'indicator', 'info', '一级指标不是标准的一级指标', 'the level-1 indicator is not a standard one'),
    ('level2_nonstandard', 'indicator', 'info', '二级指标不是标准的二级指标', 'the level-2 indicator is not a standard one'),
    ('reported_score_used', 'both', 'info', '得分无法按规则计算，总分采用填报得分', 'the rules cannot score it: the total uses the reported score'),
    ('score_unavailable', 'both', 'error', '既无法计算也未填报得分，总分无法计算', 'neither a computed nor a reported score: no total'),
    ('fund_total_missing', 'form', 'error', '缺少“年度资金总额”行', 'the 年度资金总额 (total) fund row is missing'),
    ('budget_zero', 'form', 'warning', '全年预算数为 0', 'the annual budget is 0'),
    ('fund_sources_mismatch', 'form', 'error', '各资金来源之和与年度资金总额不符', 'the fund sources do not add up to the total'),
    ('execution_above_budget', 'form', 'warning', '全年执行数超过全年预算数', 'more was executed than budgeted'),
    ('execution_rate_low', 'form', 'warning', '执行率低于评分方案的预警线', 'the execution rate is below the profile''s warning line'),
    ('fund_rate_mismatch', 'form', 'error', '填报执行率与计算执行率不符', 'the reported execution rate differs from the computed one'),
    ('fund_score_mismatch', 'form', 'error', '预算执行率填报得分与计算得分不符', 'the reported execution-rate score differs from the computed one'),
    ('weights_not_100', 'form', 'error', '分值合计不等于 100', 'the weights do not total 100'),
    ('level1_weight_off_profile', 'form', 'warning', '一级指标分值与评分方案不符', 'level-1 weights differ from the profile'),
    ('reported_total_mismatch', 'form', 'error', '填报总分与各项填报得分之和不符', 'the reported total differs from the sum of the reported scores'),
    ('total_mismatch', 'form', 'error', '填报总分与计算总分不符', 'the reported total differs from the computed total'),
    ('indicators_missing', 'form', 'error', '没有年度绩效指标', 'the form has no performance indicators');

CREATE OR REPLACE VIEW @extschema@.audit_finding WITH (security_barrier = true) AS
SELECT r.evaluation_id,
       r.position,
       f.code,
       fc.severity,
       CASE f.code
           WHEN 'score_mismatch' THEN pg_catalog.format('“%s”填报得分 %s 与计算得分 %s 不符', r.level3, r.reported_score, r.computed_score)
           WHEN 'score_above_weight' THEN pg_catalog.format('“%s”得分 %s 超过分值 %s', r.level3, r.reported_score, r.weight)
           WHEN 'weight_missing' THEN pg_catalog.format('“%s”未填分值', r.level3)
           WHEN 'target_unreadable' THEN pg_catalog.format('“%s”的年度指标值“%s”无法识别：%s', r.level3, r.target_text, @extschema@.indicator_value_error(r.target_text))
           WHEN 'actual_unreadable' THEN pg_catalog.format('“%s”的实际完成值“%s”无法识别：%s', r.level3, r.actual_text, @extschema@.indicator_value_error(r.actual_text))
           WHEN 'value_missing' THEN pg_catalog.format('“%s”缺少年度指标值或实际完成值', r.level3)
           WHEN 'units_incomparable' THEN pg_catalog.format('“%s”的目标“%s”与实际“%s”单位不可比', r.level3, r.target_text, r.actual_text)
           WHEN 'clause_unmatched' THEN pg_catalog.format('“%s”的目标“%s”中有一项在实际“%s”中找不到', r.level3, r.target_text, r.actual_text)
           WHEN 'value_too_large' THEN pg_catalog.format('“%s”数值过大，无法精确计算', r.level3)
           WHEN 'unscorable' THEN pg_catalog.format('“%s”的分值 %s 超出精确计算的范围，无法按规则评分', r.level3, r.weight)
           WHEN 'actual_is_claim' THEN pg_catalog.format('“%s”的实际完成值“%s”是表述而非测量值，得分由评价人确定', r.level3, r.actual_text)
           WHEN 'band_missing' THEN pg_catalog.format('“%s”为定性指标，实际“%s”与目标“%s”不同，需记录评价档次（达成/部分达成/未达成）', r.level3, r.actual_text, r.target_text)
           WHEN 'score_outside_band' THEN pg_catalog.format('“%s”得分 %s 不在所记录档次的区间 [%s, %s] 内', r.level3, r.reported_score, pg_catalog.round(r.band_low, 2), pg_catalog.round(r.band_high, 2))
           WHEN 'date_missed' THEN pg_catalog.format('“%s”未按期完成（目标 %s，实际 %s），得分由评价人确定', r.level3, r.target_text, r.actual_text)
           WHEN 'not_met_unexplained' THEN pg_catalog.format('“%s”未完成目标（目标 %s，实际 %s），未填写偏差原因分析', r.level3, r.target_text, r.actual_text)
           WHEN 'over_achieved_unexplained' THEN pg_catalog.format('“%s”超额完成（目标 %s，实际 %s，为目标的 %s 倍），未填写偏差原因分析', r.level3, r.target_text, r.actual_text, pg_catalog.round(r.completion, 2))
           WHEN 'level2_misplaced' THEN pg_catalog.format('二级指标“%s”位于一级指标“%s”之下，按标准应属于%s', r.level2, r.level1, h.name_zh)
           WHEN 'level1_nonstandard' THEN pg_catalog.format('一级指标“%s”不是标准的一级指标（产出、效益、满意度、成本指标）', r.level1)
           WHEN 'level2_nonstandard' THEN pg_catalog.format('二级指标“%s”不是标准的二级指标', r.level2)
           WHEN 'reported_score_used' THEN pg_catalog.format('“%s”的得分无法按规则计算，总分采用填报得分 %s', r.level3, r.reported_score)
           WHEN 'score_unavailable' THEN pg_catalog.format('“%s”既无法计算得分也未填报得分，总分无法计算', r.level3)
       END AS message_zh,
       CASE f.code
           WHEN 'score_mismatch' THEN pg_catalog.format('"%s": the reported score %s differs from the computed %s', r.level3, r.reported_score, r.computed_score)
           WHEN 'score_above_weight' THEN pg_catalog.format('"%s": the score %s is above the weight %s', r.level3, r.reported_score, r.weight)
           WHEN 'weight_missing' THEN pg_catalog.format('"%s" has no weight', r.level3)
           WHEN 'target_unreadable' THEN pg_catalog.format('"%s": the target "%s" cannot be read: %s', r.level3, r.target_text, @extschema@.indicator_value_error(r.target_text))
           WHEN 'actual_unreadable' THEN pg_catalog.format('"%s": the actual "%s" cannot be read: %s', r.level3, r.actual_text, @extschema@.indicator_value_error(r.actual_text))
           WHEN 'value_missing' THEN pg_catalog.format('"%s": the target or the actual is missing', r.level3)
           WHEN 'units_incomparable' THEN pg_catalog.format('"%s": the target "%s" and the actual "%s" are in units that cannot be compared', r.level3, r.target_text, r.actual_text)
           WHEN 'clause_unmatched' THEN pg_catalog.format('"%s": a clause of the target "%s" has no match in the actual "%s"', r.level3, r.target_text, r.actual_text)
           WHEN 'value_too_large' THEN pg_catalog.format('"%s": the numbers are too large to compute exactly', r.level3)
           WHEN 'unscorable' THEN pg_catalog.format('"%s": the weight %s is beyond exact scoring: the rules cannot score it', r.level3, r.weight)
           WHEN 'actual_is_claim' THEN pg_catalog.format('"%s": the actual "%s" is a claim, not a measurement; the evaluator scores it', r.level3, r.actual_text)
           WHEN 'band_missing' THEN pg_catalog.format('"%s" is qualitative and the actual "%s" differs from the target "%s": record the evaluator''s band (achieved, partial, not_achieved)', r.level3, r.actual_text, r.target_text)
           WHEN 'score_outside_band' THEN pg_catalog.format('"%s": the score %s lies outside its recorded band [%s, %s]', r.level3, r.reported_score, pg_catalog.round(r.band_low, 2), pg_catalog.round(r.band_high, 2))
           WHEN 'date_missed' THEN pg_catalog.format('"%s": the deadline was missed (target %s, actual %s); the evaluator scores it', r.level3, r.target_text, r.actual_text)
           WHEN 'not_met_unexplained' THEN pg_catalog.format('"%s" is not met (target %s, actual %s) and the deviation is not explained', r.level3, r.target_text, r.actual_text)
           WHEN 'over_achieved_unexplained' THEN pg_catalog.format('"%s" is over-achieved (target %s, actual %s, %s times the target) and the deviation is not explained', r.level3, r.target_text, r.actual_text, pg_catalog.round(r.completion, 2))
           WHEN 'level2_misplaced' THEN pg_catalog.format('level-2 "%s" is placed under level-1 "%s"; the standard places it under %s', r.level2, r.level1, h.name_en)
           WHEN 'level1_nonstandard' THEN pg_catalog.format('level-1 "%s" is not a standard level-1 indicator (产出, 效益, 满意度 or 成本指标)', r.level1)
           WHEN 'level2_nonstandard' THEN pg_catalog.format('level-2 "%s" is not a standard level-2 indicator', r.level2)
           WHEN 'reported_score_used' THEN pg_catalog.format('"%s" cannot be scored by the rules: the total uses the reported score %s', r.level3, r.reported_score)
           WHEN 'score_unavailable' THEN pg_catalog.format('"%s" has neither a computable nor a reported score: no total can be computed', r.level3)
       END AS message_en
FROM @extschema@.indicator_result r
CROSS JOIN LATERAL pg_catalog.unnest(r.findings) AS f (code)
JOIN @extschema@.finding_code fc ON fc.code = f.code
LEFT JOIN (VALUES ('output', '产出指标', '产出指标 (output)'),
                  ('benefit', '效益指标', '效益指标 (benefit)'),
                  ('satisfaction', '满意度指标', '满意度指标 (satisfaction)'),
                  ('cost', '成本指标', '成本指标 (cost)')) AS h (kind, name_zh, name_en)
       ON h.kind = r.level2_home
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       CASE f.code
           WHEN 'fund_total_missing' THEN '缺少“年度资金总额”行，预算执行率无法计算'
           WHEN 'budget_zero' THEN '全年预算数为 0，执行率及其得分无法计算'
           WHEN 'fund_sources_mismatch' THEN pg_catalog.format('各资金来源之和（年初预算数 %s，全年预算数 %s，全年执行数 %s）与年度资金总额（%s，%s，%s）不符',
                e.sources_initial_budget, e.sources_annual_budget, e.sources_executed, e.initial_budget, e.annual_budget, e.executed)
           WHEN 'execution_above_budget' THEN pg_catalog.format('全年执行数 %s 元超过全年预算数 %s 元', e.executed, e.annual_budget)
           WHEN 'execution_rate_low' THEN pg_catalog.format('执行率 %s%% 低于 %s%%', e.execution_rate, pr.low_execution_rate)
           WHEN 'fund_rate_mismatch' THEN pg_catalog.format('填报执行率 %s%% 与计算执行率 %s%% 不符', e.reported_execution_rate, e.execution_rate)
           WHEN 'fund_score_mismatch' THEN pg_catalog.format('预算执行率填报得分 %s 与计算得分 %s 不符', e.reported_fund_score, e.fund_score)
           WHEN 'reported_score_used' THEN pg_catalog.format('预算执行率得分无法计算，总分采用填报得分 %s', e.reported_fund_score)
           WHEN 'score_unavailable' THEN '预算执行率得分既无法计算也未填报，总分无法计算'
           WHEN 'unscorable' THEN CASE WHEN e.execution_rate IS NULL OR e.fund_score IS NULL
                THEN pg_catalog.format('全年预算数 %s 元、全年执行数 %s 元或分值 %s 超出精确计算的范围，执行率或其得分无法按规则计算', e.annual_budget, e.executed, e.fund_weight)
                ELSE pg_catalog.format('总分 %s 超出精确计算的范围，无法评定等级', e.total_score) END
           WHEN 'weights_not_100' THEN pg_catalog.format('分值合计 %s，不等于 100', e.weight_total)
           WHEN 'level1_weight_off_profile' THEN pg_catalog.format('一级指标分值与评分方案“%s”不符：预算执行率 %s（%s），产出指标 %s（%s），效益指标 %s（%s），满意度指标 %s（%s），成本指标 %s（%s）',
                e.profile, e.fund_weight, pr.execution_weight, e.output_weight, pr.output_weight, e.benefit_weight, pr.benefit_weight,
                e.satisfaction_weight, pr.satisfaction_weight, coalesce(e.cost_weight, 0), coalesce(pr.cost_weight, 0))
           WHEN 'reported_total_mismatch' THEN pg_catalog.format('填报总分 %s 与各项填报得分之和 %s 不符', e.reported_total, e.reported_score_sum)
           WHEN 'total_mismatch' THEN pg_catalog.format('填报总分 %s 与计算总分 %s 不符', e.reported_total, e.total_score)
           WHEN 'indicators_missing' THEN '没有年度绩效指标'
       END,
       CASE f.code
           WHEN 'fund_total_missing' THEN 'the 年度资金总额 (total) fund row is missing: no execution rate'
           WHEN 'budget_zero' THEN 'the annual budget (全年预算数) is 0: the execution rate and its score are undefined'
           WHEN 'fund_sources_mismatch' THEN pg_catalog.format('the fund sources (initial %s, annual %s, executed %s) do not add up to the total (%s, %s, %s)',
                e.sources_initial_budget, e.sources_annual_budget, e.sources_executed, e.initial_budget, e.annual_budget, e.executed)
           WHEN 'execution_above_budget' THEN pg_catalog.format('executed %s 元 is more than the annual budget %s 元', e.executed, e.annual_budget)
           WHEN 'execution_rate_low' THEN pg_catalog.format('the execution rate %s%% is below %s%%', e.execution_rate, pr.low_execution_rate)
           WHEN 'fund_rate_mismatch' THEN pg_catalog.format('the reported execution rate %s%% differs from the computed %s%%', e.reported_execution_rate, e.execution_rate)
           WHEN 'fund_score_mismatch' THEN pg_catalog.format('the reported execution-rate score %s differs from the computed %s', e.reported_fund_score, e.fund_score)
           WHEN 'reported_score_used' THEN pg_catalog.format('the execution-rate score cannot be computed: the total uses the reported score %s', e.reported_fund_score)
           WHEN 'score_unavailable' THEN 'the execution-rate score can neither be computed nor was it reported: no total'
           WHEN 'unscorable' THEN CASE WHEN e.execution_rate IS NULL OR e.fund_score IS NULL
                THEN pg_catalog.format('the annual budget %s 元, the executed amount %s 元 or the weight %s is beyond exact scoring: the execution rate or its score cannot be computed', e.annual_budget, e.executed, e.fund_weight)
                ELSE pg_catalog.format('the total %s is beyond exact scoring: no grade', e.total_score) END
           WHEN 'weights_not_100' THEN pg_catalog.format('the weights total %s, not 100', e.weight_total)
           WHEN 'level1_weight_off_profile' THEN pg_catalog.format('level-1 weights differ from profile "%s": execution %s (%s), output %s (%s), benefit %s (%s), satisfaction %s (%s), cost %s (%s)',
                e.profile, e.fund_weight, pr.execution_weight, e.output_weight, pr.output_weight, e.benefit_weight, pr.benefit_weight,
                e.satisfaction_weight, pr.satisfaction_weight, coalesce(e.cost_weight, 0), coalesce(pr.cost_weight, 0))
           WHEN 'reported_total_mismatch' THEN pg_catalog.format('the reported total %s differs from the sum of the reported scores %s', e.reported_total, e.reported_score_sum)
           WHEN 'total_mismatch' THEN pg_catalog.format('the reported total %s differs from the computed total %s', e.reported_total, e.total_score)
           WHEN 'indicators_missing' THEN 'the form has no performance indicators'
       END
FROM @extschema@.evaluation_result e
CROSS JOIN LATERAL pg_catalog.unnest(e.findings) AS f (code)
JOIN @extschema@.finding_code fc ON fc.code = f.code
JOIN @extschema@.profile pr ON pr.name = e.profile;

COMMENT ON COLUMN @extschema@.evaluation_result.execution_rate IS '执行率 in percent: 全年执行数 / 全年预算数 of the 年度资金总额 row, 2 places; NULL for a zero budget, or amounts beyond exact scoring (finding unscorable)';

-- PostgreSQL 15+: the views run with the caller's rights, so the tables'
-- row-level security applies to them directly, and they need no barrier.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.audit_finding SET (security_invoker = true);
        ALTER VIEW @extschema@.audit_finding RESET (security_barrier);
        ALTER VIEW @extschema@.finding_code SET (security_invoker = true);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.html_escape(value pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.translate(
               pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                   coalesce($1, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
               E'\x01\x02\x03\x04\x05\x06\x07\x08\x0B\x0C\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\uFFFE\uFFFF',
               pg_catalog.repeat(E'\uFFFD', 30))
$$;

COMMENT ON FUNCTION @extschema@.html_escape(pg_catalog.text) IS
'Text made safe inside HTML or XML content and attribute values (& < > " and '' as entities; the control characters XML does not allow, and U+FFFE, U+FFFF, as U+FFFD); NULL is the empty string';

CREATE OR REPLACE FUNCTION @extschema@.import_problem(forms jsonb, funds jsonb, inds jsonb)
RETURNS TABLE (form integer, line integer, expected text, sqlstate text, pattern text)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $q$
    SELECT p.form, p.line, p.expected, p.sqlstate, p.pattern 
    FROM (
        SELECT f.form, f.line,
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN 'a year between 2000 and 2100 after 绩效自评年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '实施单位 or 一级预算单位 in the header (the unit the project belongs to)'
                    ELSE 'numbers from 0 to 100 under 分值 and 得分 in the 总分 row' END AS expected,
               CASE WHEN f.unit IS NULL AND f.top_unit IS NULL AND f.year BETWEEN 2000 AND 2100 THEN '22P02' ELSE '22003' END AS sqlstate,
               -- the row to show: the header's, or the 总分 row
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN '(绩效自评|自评|评价)年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '项目名称'
                    ELSE '^[[:space:]"]*(总分|合计)' END AS pattern
        FROM jsonb_to_recordset(import_problem.forms) AS f (form integer, line integer, year integer, unit text, top_unit text,
                                             total_weight numeric, total_score numeric)
        WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
           OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100
        UNION ALL
        SELECT x.form, x.line,
               CASE
                   WHEN x.src IS NULL THEN
                       pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', x.source)
                   WHEN x.src <> 'total' AND (x.weight IS NOT NULL OR x.rate IS NOT NULL OR x.score IS NOT NULL) THEN
                       '— under 分值, 执行率 and 得分 of a source row (only 年度资金总额 carries them)'
                   WHEN least(x.initial_budget, x.budget, x.executed) < 0 THEN
                       'amounts of 0 or more under 年初预算数, 全年预算数 and 全年执行数'
                   WHEN x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0 THEN
                       'a 分值 and 得分 from 0 to 100 and an 执行率 of 0 or more'
                   ELSE pg_catalog.format('a number of at most 18 significant digits and 18 decimal places under %s (scores are computed exactly)',
                            CASE WHEN NOT @extschema@.is_scorable_number(x.initial_budget) THEN '年初预算数'
                                 WHEN NOT @extschema@.is_scorable_number(x.budget) THEN '全年预算数'
                                 WHEN NOT @extschema@.is_scorable_number(x.executed) THEN '全年执行数'
                                 WHEN NOT @extschema@.is_scorable_number(x.weight) THEN '分值'
                                 WHEN NOT @extschema@.is_scorable_number(x.rate) THEN '执行率'
                                 ELSE '得分' END)
               END,
               CASE WHEN x.src IS NULL OR (x.src <> 'total' AND (x.weight IS NOT NULL OR x.rate IS NOT NULL OR x.score IS NOT NULL))
                    THEN '22P02' ELSE '22003' END,
               NULL
        FROM (SELECT y.*, @extschema@.fund_source(y.source) AS src
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text, initial_budget numeric,
                                                   budget numeric, executed numeric, weight numeric,
                                                   rate numeric, score numeric)) x
        WHERE x.src IS NULL
           OR (x.src <> 'total' AND (x.weight IS NOT NULL OR x.rate IS NOT NULL OR x.score IS NOT NULL))
           OR least(x.initial_budget, x.budget, x.executed) < 0
           OR x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0
           OR NOT (@extschema@.is_scorable_number(x.initial_budget) AND @extschema@.is_scorable_number(x.budget)
                   AND @extschema@.is_scorable_number(x.executed) AND @extschema@.is_scorable_number(x.weight)
                   AND @extschema@.is_scorable_number(x.rate) AND @extschema@.is_scorable_number(x.score))
        UNION ALL
        -- the same source twice in a form: the second row is the one to name
        SELECT d.form, d.lines[2],
               pg_catalog.format('each fund source once per form (“%s” was the row of line %s)', d.source, d.lines[1]),
               '22P02', NULL
        FROM (SELECT y.form, (pg_catalog.array_agg(y.source ORDER BY y.line))[1] AS source,
                     pg_catalog.array_agg(y.line ORDER BY y.line) AS lines
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text)
              GROUP BY y.form, @extschema@.fund_source(y.source)
              HAVING pg_catalog.count(*) > 1) d
        UNION ALL
        SELECT i.form, i.line,
               CASE WHEN i.level2 IS NULL
                    THEN 'a 二级指标 (数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, …) for this indicator or a row above'
                    WHEN i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100 THEN 'a 分值 and 得分 from 0 to 100'
                    ELSE pg_catalog.format('a number of at most 18 significant digits and 18 decimal places under %s (scores are computed exactly)',
                             CASE WHEN NOT @extschema@.is_scorable_number(i.weight) THEN '分值' ELSE '得分' END) END,
               CASE WHEN i.level2 IS NULL THEN '22P02' ELSE '22003' END,
               NULL
        FROM jsonb_to_recordset(import_problem.inds) AS i (form integer, line integer, level2 text, weight numeric, score numeric)
        WHERE i.level2 IS NULL OR i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100
           OR NOT (@extschema@.is_scorable_number(i.weight) AND @extschema@.is_scorable_number(i.score))
    ) p
    ORDER BY p.form, p.line
    LIMIT 1
$q$;

CREATE OR REPLACE FUNCTION @extschema@.export_cell(value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN v IS NULL THEN ''
        WHEN v ~ '[\t\n\r]' OR pg_catalog.left(v, 1) = '"' OR pg_catalog.right(v, 1) = '"'
            THEN '"' || pg_catalog.replace(v, '"', '""') || '"'
        ELSE v
    END
    FROM (SELECT CASE WHEN $1 ~ '^[=+\-@\t\r]' THEN E'\u200B' || $1 ELSE $1 END AS v) s
$$;

CREATE OR REPLACE FUNCTION @extschema@.export_form(evaluation_id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    out text[] := '{}';
    funds text;
    inds text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_forms reads it back); ''html'' writes a printable page.';
    END IF;
    IF export_form.evaluation_id IS NULL THEN
        RETURN NULL;
    END IF;

    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;

    IF format = 'html' THEN
        RETURN @extschema@.export_form_html(export_form.evaluation_id);
    END IF;

    -- The template's layout, as in the forms it was read from: the same
    -- sections, labels and columns, blank lines between the sections.
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END,
                   CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                                 WHEN 'carryover' THEN '上年结转资金' ELSE '其他资金' END,
                   f.initial_budget, f.annual_budget, f.executed,
                   coalesce(f.reported_weight::text, '—'), coalesce(f.reported_rate::text, '—'),
                   coalesce(f.reported_score::text, '—')),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source)) AS n
          FROM @extschema@.fund_line fl
          WHERE fl.evaluation_id = export_form.evaluation_id) f;

    -- Level-1 and level-2 cells left blank where they repeat the row above,
    -- as on the form, unless the row would then begin with a word the
    -- reader takes for the template's own (总分, 备注, …).
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.new1 THEN @extschema@.export_cell(i.level1) ELSE '' END,
                   CASE WHEN i.new2 OR (NOT i.new1 AND @extschema@.is_template_label(i.level3))
                        THEN @extschema@.export_cell(i.level2) ELSE '' END,
                   @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                   @extschema@.export_cell(i.actual_text), coalesce(i.weight::text, ''),
                   coalesce(i.reported_score::text, ''), @extschema@.export_cell(i.deviation_reason)),
               E'\n' ORDER BY i.position)
    INTO inds
    FROM (SELECT ind.*,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL
                     OR @extschema@.is_template_label(ind.level2) AS new1,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR ind.level2 IS DISTINCT FROM pg_catalog.lag(ind.level2) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL AS new2
          FROM @extschema@.indicator ind
          WHERE ind.evaluation_id = export_form.evaluation_id
          WINDOW w AS (ORDER BY ind.position)) i;

    out := ARRAY[
        '',
        '项目支出绩效自评表',
        '',
        pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(e.project_code),
                             '项目名称:', @extschema@.export_cell(e.project_name), '绩效自评年度:', e.year),
        pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(e.unit_name),
                             '一级预算单位:', @extschema@.export_cell(e.budget_unit_name), '', ''),
        '',
        '资金使用情况',
        '',
        E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分'];
    IF funds IS NOT NULL THEN
        out := out || funds;
    END IF;
    out := out || ARRAY[
        '',
        '项目目标完成情况',
        '',
        E'年度总体目标\t预期目标\t\t\t\t* 实际完成情况\t\t\t',
        pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(e.expected_goal), '', '', '',
                             @extschema@.export_cell(e.actual_outcome), '', '', ''),
        E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施'];
    IF inds IS NOT NULL THEN
        out := out || inds;
    END IF;
    out := out || ARRAY[
        pg_catalog.concat_ws(E'\t', '总分', '', '', '', '', '', coalesce(e.reported_weight_total::text, ''),
                             coalesce(e.reported_total::text, ''), '—'),
        '',
        CASE WHEN e.notes IS NULL THEN '备注：'
             WHEN e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"'
                 THEN E'备注：\t' || @extschema@.export_cell(e.notes)
             ELSE '备注：' || e.notes END,
        '',
        '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。'];
    RETURN pg_catalog.array_to_string(out, E'\n') || E'\n';
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.export_form_html(evaluation_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    r record;
    funds text;
    inds text;
    finds text;
    nfund integer;
    nind integer;
    h text;
    status_zh text;
    fs jsonb;
    total_sev text;
    total_marks text;
BEGIN
    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form_html.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form_html.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    SELECT * INTO r FROM @extschema@.evaluation_result er WHERE er.evaluation_id = export_form_html.evaluation_id;
    status_zh := CASE e.status WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' ELSE '已审核' END;

    -- the findings, numbered: the whole form's first, then by indicator.
    -- A form's finding is marked on the 年度资金总额 row when it is about the
    -- funds, else on the 总分 row.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY x.n), '[]') INTO fs
    FROM (SELECT pg_catalog.row_number() OVER (ORDER BY a.position NULLS FIRST,
                     pg_catalog.array_position(ARRAY['error', 'warning', 'info'], a.severity), a.code) AS n,
                 a.position, a.code, a.severity, a.message_zh, a.message_en,
                 CASE WHEN a.position IS NOT NULL THEN 'indicator'
                      WHEN a.code IN ('fund_total_missing', 'budget_zero', 'fund_sources_mismatch', 'execution_above_budget',
                                      'execution_rate_low', 'fund_rate_mismatch', 'fund_score_mismatch',
                                      'reported_score_used', 'score_unavailable') THEN 'fund'
                      ELSE 'total' END AS place
          FROM @extschema@.audit_finding a
          WHERE a.evaluation_id = export_form_html.evaluation_id) x;
    SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1],
           coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '')
    INTO total_sev, total_marks
    FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
    WHERE x.place = 'total';

    SELECT pg_catalog.count(*) INTO nfund FROM @extschema@.fund_line fl WHERE fl.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s>%s<td class="label">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
               '<td class="num">%s</td><td class="num">%s%s</td><td class="num">%s%s%s</td></tr>',
               CASE WHEN f.source = 'total' AND f.sev IS NOT NULL THEN ' class="finding-' || f.sev || '"' ELSE '' END,
               CASE WHEN f.n = 1 THEN pg_catalog.format('<th rowspan="%s" colspan="2" class="label">项目资金（%s）</th>',
                                                         nfund, @extschema@.html_escape(e.amount_unit)) ELSE '' END,
               CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                             WHEN 'carryover' THEN '上年结转资金' ELSE '其他资金' END,
               f.initial_budget, f.annual_budget, f.executed,
               coalesce(f.reported_weight::text, '—'),
               coalesce(f.reported_rate::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.execution_rate::text, '—')) ELSE '' END,
               coalesce(f.reported_score::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.fund_score::text, '—')) ELSE '' END,
               CASE WHEN f.source = 'total' THEN f.marks ELSE '' END),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source)) AS n,
                 m.sev, m.marks
          FROM @extschema@.fund_line fl
          CROSS JOIN LATERAL (
              SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                     coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
              FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
              WHERE x.place = 'fund') m
          WHERE fl.evaluation_id = export_form_html.evaluation_id) f;

    SELECT pg_catalog.count(*) INTO nind FROM @extschema@.indicator i WHERE i.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s><td class="pos">%s</td>%s%s<td>%s</td><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s<span class="computed">计算 %s</span>%s</td><td>%s</td></tr>',
               CASE WHEN g.sev IS NOT NULL THEN ' class="finding-' || g.sev || '"' ELSE '' END,
               g.position,
               CASE WHEN g.n1 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size1, @extschema@.html_escape(g.level1)) ELSE '' END,
               CASE WHEN g.n2 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size2, @extschema@.html_escape(g.level2)) ELSE '' END,
               @extschema@.html_escape(g.level3),
               @extschema@.html_escape(g.target_text),
               @extschema@.html_escape(g.actual_text),
               coalesce(g.weight::text, ''),
               coalesce(g.reported_score::text, ''),
               coalesce(g.computed_score::text, '—'),
               g.marks,
               @extschema@.html_escape(g.deviation_reason)),
               E'\n' ORDER BY g.position)
    INTO inds
    FROM (SELECT b.*,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1 ORDER BY b.position) AS n1,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1) AS size1,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1, b.run2 ORDER BY b.position) AS n2,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1, b.run2) AS size2
          FROM (SELECT a.*,
                       pg_catalog.sum(a.new1::integer) OVER (ORDER BY a.position) AS run1,
                       pg_catalog.sum(a.new2::integer) OVER (ORDER BY a.position) AS run2
                FROM (SELECT i.*, ir.computed_score,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new1,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR i.level2 IS DISTINCT FROM pg_catalog.lag(i.level2) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new2,
                             m.sev, m.marks
                      FROM @extschema@.indicator i
                      LEFT JOIN @extschema@.indicator_result ir ON ir.indicator_id = i.indicator_id
                      CROSS JOIN LATERAL (
                          SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                                 coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
                          FROM jsonb_to_recordset(fs) AS x (n integer, position integer, severity text)
                          WHERE x.position = i.position) m
                      WHERE i.evaluation_id = export_form_html.evaluation_id
                      WINDOW w AS (ORDER BY i.position)) a) b) g;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<li id="f%s" class="finding-%s"><span class="sev %s">%s</span> <span class="where">%s</span> %s <code>%s</code><br><span class="en">%s</span></li>',
               x.n, x.severity, x.severity,
               CASE x.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END,
               CASE WHEN x.position IS NULL THEN '整表' ELSE '指标 ' || x.position END,
               @extschema@.html_escape(x.message_zh), @extschema@.html_escape(x.code),
               @extschema@.html_escape(x.message_en)),
               E'\n' ORDER BY x.n)
    INTO finds
    FROM jsonb_to_recordset(fs) AS x (n integer, position integer, code text, severity text, message_zh text, message_en text);

    h := pg_catalog.concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pjeval">
<title>项目支出绩效自评表 · ', @extschema@.html_escape(e.project_name), ' · ', e.year, '年度</title>
<style>
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 10pt; color: #000; background: #fff; }
body { margin: 0 auto; padding: 8mm 0; max-width: 186mm; line-height: 1.45; }
h1 { text-align: center; font-size: 17pt; letter-spacing: .25em; margin: 0; font-weight: 700; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; font-size: 10pt; }
.status { display: inline-block; border: 1px solid #555; padding: 0 1.5mm; font-size: 8.5pt; margin-left: 2mm; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm 1.4mm; vertical-align: middle; overflow-wrap: anywhere; }
table.form th { font-weight: 400; background: #f0f0f0; text-align: center; font-size: 9pt; }
table.form th.part { background: #dcdcdc; font-weight: 700; letter-spacing: .1em; }
table.form th.section, table.form th.label, table.form td.level { text-align: center; }
table.form td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.form td.text { text-align: left; }
table.form td.pos { text-align: center; color: #333; }
.computed { display: block; color: #444; font-size: 7.5pt; white-space: nowrap; }
tr.finding-error > td:not(.level) { background: #fbe3e1; }
tr.finding-warning > td:not(.level) { background: #fdf3cf; }
tr.finding-info > td:not(.level) { background: #eaf1fb; }
td.code { white-space: nowrap; font-size: 8.5pt; font-variant-numeric: tabular-nums; }
a.mark { display: inline-block; min-width: 3.2mm; margin-left: .6mm; padding: 0 .5mm; border-radius: 1mm; font-size: 7pt; line-height: 1.4; text-align: center; text-decoration: none; color: #fff; vertical-align: super; }
a.mark.error, .sev.error { background: #b3261e; }
a.mark.warning, .sev.warning { background: #a86a00; }
a.mark.info, .sev.info { background: #41618f; }
.sev { color: #fff; padding: 0 1mm; border-radius: 1mm; font-size: 8pt; }
section.findings { margin-top: 5mm; }
section.findings h2 { font-size: 11pt; margin: 0 0 2mm; }
section.findings ol { margin: 0; padding-left: 0; list-style: none; }
section.findings li { padding: 1mm 1.5mm; margin-bottom: 1mm; border-left: 1mm solid transparent; break-inside: avoid; }
section.findings li.finding-error { border-color: #b3261e; background: #fbe3e1; }
section.findings li.finding-warning { border-color: #a86a00; background: #fdf3cf; }
section.findings li.finding-info { border-color: #41618f; background: #eaf1fb; }
section.findings .where { font-weight: 700; }
section.findings code { font-size: 7.5pt; color: #555; }
section.findings .en { color: #555; font-size: 8pt; }
p.foot { font-size: 8pt; color: #444; margin-top: 3mm; }
@media print {
  body { padding: 0; max-width: none; }
  li { break-inside: avoid; }
  a.mark { color: #fff; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<h1>项目支出绩效自评表</h1>
<p class="subtitle">（', e.year, '年度）<span class="status">', status_zh, '</span></p>
<table class="form">
<colgroup><col style="width:6%"><col style="width:11%"><col style="width:12%"><col style="width:17%"><col style="width:12%"><col style="width:12%"><col style="width:7%"><col style="width:10%"><col style="width:13%"></colgroup>
<tbody>
<tr><th colspan="2">项目编号</th><td colspan="2" class="code">', @extschema@.html_escape(e.project_code), '</td><th>项目名称</th><td colspan="2">',
        @extschema@.html_escape(e.project_name), '</td><th>绩效自评年度</th><td>', e.year, '</td></tr>
<tr><th colspan="2">实施单位</th><td colspan="2">', @extschema@.html_escape(e.unit_name), '</td><th>一级预算单位</th><td colspan="4">',
        @extschema@.html_escape(e.budget_unit_name), '</td></tr>
<tr><th colspan="9" class="part">资金使用情况</th></tr>
<tr><th colspan="3"></th><th>年初预算数</th><th>全年预算数</th><th>全年执行数</th><th>分值</th><th>执行率 (%)</th><th>得分</th></tr>
', coalesce(funds, ''), '
<tr><th colspan="9" class="part">项目目标完成情况</th></tr>
<tr><th rowspan="2" colspan="2" class="section">年度总体目标</th><th colspan="3">预期目标</th><th colspan="4">实际完成情况</th></tr>
<tr><td colspan="3" class="text">', @extschema@.html_escape(e.expected_goal), '</td><td colspan="4" class="text">',
        @extschema@.html_escape(e.actual_outcome), '</td></tr>
<tr><th colspan="9" class="part">年度绩效指标</th></tr>
<tr><th>序号</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th><th>分值</th><th>得分</th><th>偏差原因分析及改进措施</th></tr>
', coalesce(inds, ''), '
<tr', CASE WHEN total_sev IS NOT NULL THEN ' class="finding-' || total_sev || '"' END, '><th colspan="6">总分</th><td class="num">',
        coalesce(e.reported_weight_total::text, ''), '</td><td class="num">', coalesce(e.reported_total::text, ''),
        '<span class="computed">计算 ', coalesce(r.total_score::text, '—'), '</span>', total_marks, '</td><td>评级：',
        coalesce(r.grade, '—'), '</td></tr>
<tr><th colspan="2">备注</th><td colspan="7" class="text">', pg_catalog.replace(@extschema@.html_escape(e.notes), E'\n', '<br>'), '</td></tr>
</tbody>
</table>
<p class="foot">“计算”为 pjeval 按评分规则（', @extschema@.html_escape(e.profile), '）核算的数值，与填报数值并列；有审核发现的行以底色标出并编号。</p>
<section class="findings">
<h2>审核发现（', pg_catalog.jsonb_array_length(fs), '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
    RETURN h;
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_cell(text) IS
'A value as one cell of tab-separated text: quoted, with "" for a quote, where it holds a tab or a line break or begins or ends with a quote; after a zero-width space (U+200B), which the reader trims, where a spreadsheet would take it for a formula (= + - @, a tab or a carriage return first); NULL is the empty cell';

CREATE OR REPLACE FUNCTION @extschema@.indicator_level1_kind(level1 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (ARRAY['output', 'benefit', 'satisfaction', 'cost'])
           [pg_catalog.array_position(ARRAY['产出指标', '效益指标', '满意度指标', '成本指标'],
                                      @extschema@.indicator_level_name($1))]
$$;

CREATE OR REPLACE FUNCTION @extschema@.indicator_level2_home(level2 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (ARRAY['output', 'output', 'output', 'output',
                  'benefit', 'benefit', 'benefit', 'benefit',
                  'satisfaction', 'satisfaction',
                  'cost', 'cost', 'cost'])
           [pg_catalog.array_position(ARRAY['数量指标', '质量指标', '时效指标', '成本指标',
                                            '经济效益指标', '社会效益指标', '生态效益指标', '可持续影响指标',
                                            '服务对象满意度指标', '其他满意度指标',
                                            '经济成本指标', '社会成本指标', '生态环境成本指标'],
                                      @extschema@.indicator_level_name($1))]
$$;

-- unit_year_summary and unit_year_summary_mv compute the unit's rate with
-- try_execution_rate: the live view is replaced, the materialized view (and
-- unit_year_report, which reads it) made again as a fresh install makes them.
DROP VIEW @extschema@.unit_year_report;
DROP MATERIALIZED VIEW @extschema@.unit_year_summary_mv;
DO $do$
DECLARE
    form_columns constant text := $q$
    ev.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    ev.budget_unit_id,
    bu.name AS budget_unit_name,
    ev.year,
    ev.evaluation_id,
    ev.status,
    ev.amount_unit,
    r.initial_budget,
    r.annual_budget,
    r.executed,
    r.execution_rate,
    r.total_score,
    r.grade,
    r.reported_total,
    r.total_difference AS inflation,
    r.finding_count$q$;
    trend_columns constant text := $q$
    pg_catalog.lag(ev.year) OVER w AS previous_year,
    pg_catalog.lag(r.total_score) OVER w AS previous_total_score,
    r.total_score - pg_catalog.lag(r.total_score) OVER w AS total_score_change,
    pg_catalog.lag(r.grade) OVER w AS previous_grade,
    @extschema@.grade_rank(r.grade) - @extschema@.grade_rank(pg_catalog.lag(r.grade) OVER w) AS grade_change,
    pg_catalog.lag(r.execution_rate) OVER w AS previous_execution_rate,
    r.execution_rate - pg_catalog.lag(r.execution_rate) OVER w AS execution_rate_change,
    r.annual_budget - pg_catalog.lag(r.annual_budget) OVER w AS annual_budget_change,
    pg_catalog.row_number() OVER w AS form_number$q$;
    forms constant text := $q$
FROM @extschema@.evaluation ev
JOIN @extschema@.project p ON p.project_id = ev.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id$q$;
    -- live: one form at a time, by its id (OFFSET 0 keeps the sub-query
    -- from being merged into a join, which would score every form)
    live_scores constant text := $q$
CROSS JOIN LATERAL (SELECT r.* FROM @extschema@.evaluation_result r
                    WHERE r.evaluation_id = ev.evaluation_id OFFSET 0) r$q$;
    -- refreshed: every form at once
    all_scores constant text := $q$
JOIN @extschema@.evaluation_result r ON r.evaluation_id = ev.evaluation_id$q$;
    trend_window constant text := $q$
WINDOW w AS (PARTITION BY p.unit_id, ev.project_id ORDER BY ev.year)$q$;
    unit_year constant text := $q$
SELECT
    t.year,
    t.unit_id,
    t.unit_name,
    t.budget_unit_id,
    t.budget_unit_name,
    pg_catalog.count(*) AS forms,
    pg_catalog.count(*) FILTER (WHERE t.status = 'approved') AS approved_forms,
    pg_catalog.count(t.total_score) AS scored_forms,
    pg_catalog.sum(t.initial_budget) AS initial_budget,
    pg_catalog.sum(t.annual_budget) AS annual_budget,
    pg_catalog.sum(t.executed) AS executed,
    @extschema@.try_execution_rate(pg_catalog.sum(t.annual_budget), pg_catalog.sum(t.executed)) AS execution_rate,
    pg_catalog.sum(t.total_score) AS total_score_sum,
    @extschema@.quotient_half_up(pg_catalog.sum(t.total_score), pg_catalog.count(t.total_score)) AS avg_total_score,
    pg_catalog.min(t.total_score) AS min_total_score,
    pg_catalog.max(t.total_score) AS max_total_score,
    pg_catalog.count(*) FILTER (WHERE t.grade = '优') AS grade_excellent,
    pg_catalog.count(*) FILTER (WHERE t.grade = '良') AS grade_good,
    pg_catalog.count(*) FILTER (WHERE t.grade = '中') AS grade_pass,
    pg_catalog.count(*) FILTER (WHERE t.grade = '差') AS grade_poor,
    pg_catalog.count(*) FILTER (WHERE t.grade IS NULL) AS ungraded,
    pg_catalog.sum(t.finding_count)::bigint AS finding_count,
    pg_catalog.count(*) FILTER (WHERE t.finding_count > 0) AS forms_with_findings,
    pg_catalog.count(t.inflation) AS compared_forms,
    pg_catalog.count(*) FILTER (WHERE t.inflation > 0) AS inflated_forms,
    pg_catalog.sum(t.inflation) AS inflation_sum,
    @extschema@.quotient_half_up(pg_catalog.sum(t.inflation), pg_catalog.count(t.inflation)) AS inflation_avg,
    pg_catalog.max(t.inflation) AS inflation_max
FROM %s t
GROUP BY t.year, t.unit_id, t.unit_name, t.budget_unit_id, t.budget_unit_name$q$;
BEGIN
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.unit_year_summary WITH (security_barrier = true) AS'
            || pg_catalog.format(unit_year, '(SELECT' || form_columns || forms || live_scores || ')');
    EXECUTE 'CREATE MATERIALIZED VIEW @extschema@.unit_year_summary_mv AS'
            || pg_catalog.format(unit_year, '@extschema@.project_trend_mv');
END
$do$;
CREATE UNIQUE INDEX unit_year_summary_mv_key ON @extschema@.unit_year_summary_mv (year, unit_id, budget_unit_id);
CREATE INDEX unit_year_summary_mv_unit_idx ON @extschema@.unit_year_summary_mv (unit_id, year);
COMMENT ON MATERIALIZED VIEW @extschema@.unit_year_summary_mv IS
'pjeval.unit_year_summary for every unit, as of the last pjeval.refresh_reports(); read it through pjeval.unit_year_report';
REVOKE ALL ON @extschema@.unit_year_summary_mv FROM PUBLIC;

CREATE VIEW @extschema@.unit_year_report WITH (security_barrier = true) AS
SELECT m.*,
       (SELECT pg_catalog.max(rr.taken_at) FROM @extschema@.report_refresh rr) AS refreshed_at
FROM @extschema@.unit_year_summary_mv m
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR m.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.unit_year_report IS
'pjeval.unit_year_summary as of the last pjeval.refresh_reports() (refreshed_at), for the caller''s units (reviewers: all)';
GRANT SELECT ON @extschema@.unit_year_report TO PUBLIC;

-- Column by column: unit_year_summary, its refreshed copy unit_year_report
-- and the snapshot history share their columns and meaning; so do
-- project_trend and project_trend_report, and the three category views.
DO $do$
DECLARE
    rel text;
    col record;
BEGIN
    FOR col IN
        SELECT * FROM (VALUES
            ('year', '绩效自评年度'),
            ('unit_id', 'The implementing unit (实施单位) of the forms'),
            ('unit_name', 'Name of the implementing unit'),
            ('budget_unit_id', '一级预算单位 as written on the forms (a unit whose forms name two budget units has a row for each; NULL where a form names none)'),
            ('budget_unit_name', 'Name of the level-1 budget unit'),
            ('forms', 'Number of forms (项目支出绩效自评表), whatever their status'),
            ('approved_forms', 'Forms in status approved'),
            ('scored_forms', 'Forms with a computed total (total_score is not NULL)'),
            ('initial_budget', 'Σ 年初预算数 of the 年度资金总额 rows, in 元 (万元 forms × 10000, each rounded to 2 places as in evaluation_result); a form without that row adds nothing'),
            ('annual_budget', 'Σ 全年预算数 of the 年度资金总额 rows, in 元'),
            ('executed', 'Σ 全年执行数 of the 年度资金总额 rows, in 元'),
            ('execution_rate', '执行率 of the unit: Σ executed / Σ annual_budget in percent, rounded half-up to 2 places, exactly (pjeval.try_execution_rate); NULL when Σ annual_budget is 0 or the sums are beyond exact scoring'),
            ('total_score_sum', 'Σ computed totals of the scored forms (avg_total_score = total_score_sum / scored_forms)'),
            ('avg_total_score', 'Average computed total of the scored forms, rounded half-up to 2 places, exactly'),
            ('min_total_score', 'Lowest computed total'),
            ('max_total_score', 'Highest computed total'),
            ('grade_excellent', 'Forms graded 优'),
            ('grade_good', 'Forms graded 良'),
            ('grade_pass', 'Forms graded 中'),
            ('grade_poor', 'Forms graded 差'),
            ('ungraded', 'Forms without a grade (no computed total)'),
            ('finding_count', 'Σ rows of pjeval.audit_finding for these forms (form-level and indicator-level)'),
            ('forms_with_findings', 'Forms with at least one finding'),
            ('compared_forms', 'Forms with both a reported (总分) and a computed total: the forms the inflation figures are about'),
            ('inflated_forms', 'Forms whose reported total is above the computed total'),
            ('inflation_sum', 'Σ (reported_total - total_score) over the compared forms: how far the self-evaluations exceed the computed totals (negative: below them)'),
            ('inflation_avg', 'Average of reported_total - total_score over the compared forms, rounded half-up to 2 places, exactly'),
            ('inflation_max', 'Largest reported_total - total_score of a form'),
            ('refreshed_at', 'When the refresh that built these rows started (pjeval.report_refresh.taken_at)'),
            ('taken_at', 'The refresh that recorded this row (pjeval.report_refresh)')
        ) AS v (name, comment)
    LOOP
        FOREACH rel IN ARRAY ARRAY['unit_year_summary', 'unit_year_report', 'report_snapshot'] LOOP
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = pg_catalog.format('@extschema@.%I', rel)::pg_catalog.regclass
                         AND a.attname = col.name AND a.attnum > 0 AND NOT a.attisdropped) THEN
                EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L', rel, col.name, col.comment);
            END IF;
        END LOOP;
    END LOOP;
END
$do$;

DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.unit_year_summary SET (security_invoker = true);
    END IF;
END
$$;

CREATE OR REPLACE PROCEDURE @extschema@.refresh_reports(wait boolean DEFAULT true)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    taken timestamptz;
    mv text;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        -- a refresh that waited must see what the other one committed
        RAISE EXCEPTION 'pjeval.refresh_reports() must run in a READ COMMITTED transaction, not %',
                        upper(current_setting('transaction_isolation'))
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'CALL it on its own (autocommit) or in a READ COMMITTED transaction.';
    END IF;
    IF NOT @extschema@.is_reviewer(current_user) THEN
        -- the reports hold every unit: their owner must see every form
        RAISE EXCEPTION 'the owner of the pjeval reports, role %, does not see every form', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The extension''s owner must be a superuser, bypass row-level security or be a reviewer (pjeval.reviewer).';
    END IF;

    IF wait THEN
        PERFORM pg_advisory_xact_lock(1886020982, 1);
    ELSIF NOT pg_try_advisory_xact_lock(1886020982, 1) THEN
        RAISE NOTICE 'pjeval.refresh_reports: another refresh is running; this call did nothing';
        RETURN;
    END IF;

    taken := clock_timestamp();
    -- project_trend_mv first: unit_year_summary_mv is built from it.
    FOREACH mv IN ARRAY ARRAY['project_trend_mv', 'unit_year_summary_mv', 'indicator_category_mv'] LOOP
        IF (SELECT c.relispopulated FROM pg_class c
            WHERE c.oid = format('@extschema@.%I', mv)::regclass) THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY @extschema@.%I', mv);
        ELSE
            -- CONCURRENTLY needs a populated view (after WITH NO DATA)
            EXECUTE format('REFRESH MATERIALIZED VIEW @extschema@.%I', mv);
        END IF;
    END LOOP;

    INSERT INTO @extschema@.report_refresh (taken_at, finished_at, refreshed_by)
    VALUES (taken, clock_timestamp(),
            CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END);
    INSERT INTO @extschema@.report_snapshot (
        taken_at, year, unit_id, unit_name, budget_unit_id, budget_unit_name,
        forms, approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate,
        total_score_sum, avg_total_score, min_total_score, max_total_score,
        grade_excellent, grade_good, grade_pass, grade_poor, ungraded,
        finding_count, forms_with_findings, compared_forms, inflated_forms,
        inflation_sum, inflation_avg, inflation_max)
    SELECT taken, m.year, m.unit_id, m.unit_name, m.budget_unit_id, m.budget_unit_name,
           m.forms, m.approved_forms, m.scored_forms, m.initial_budget, m.annual_budget, m.executed, m.execution_rate,
           m.total_score_sum, m.avg_total_score, m.min_total_score, m.max_total_score,
           m.grade_excellent, m.grade_good, m.grade_pass, m.grade_poor, m.ungraded,
           m.finding_count, m.forms_with_findings, m.compared_forms, m.inflated_forms,
           m.inflation_sum, m.inflation_avg, m.inflation_max
    FROM @extschema@.unit_year_summary_mv m;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.report_html(year integer, unit text DEFAULT NULL, max_findings integer DEFAULT 1000)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    units bigint[];
    unit_rows @extschema@.unit_year_summary[];
    tot record;
    n integer;
    scale numeric;
    chart_height integer;
    bar_left constant numeric := 200;
    bar_span constant numeric := 430;
    html text;
    part text;
    finding_total bigint;
    finding_codes text;
    finding_list text;
    title text;
BEGIN
    IF report_html.year IS NULL THEN
        RAISE EXCEPTION 'pjeval.report_html: year must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF report_html.unit IS NOT NULL THEN
        SELECT array_agg(u.unit_id ORDER BY u.unit_id) INTO units
        FROM @extschema@.unit u
        WHERE u.name = report_html.unit OR u.code = report_html.unit;
        IF units IS NULL THEN
            RAISE EXCEPTION 'unit "%" does not exist', report_html.unit
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Give the name or the code of a unit of pjeval.unit.';
        END IF;
    END IF;

    -- The year's rows, once (the live view scores only these forms).
    unit_rows := ARRAY(
        SELECT s FROM @extschema@.unit_year_summary s
        WHERE s.year = report_html.year
          AND (units IS NULL OR s.unit_id = ANY (units) OR s.budget_unit_id = ANY (units))
        ORDER BY s.budget_unit_name NULLS LAST, s.unit_name, s.unit_id, s.budget_unit_id NULLS LAST);
    n := coalesce(array_length(unit_rows, 1), 0);

    SELECT sum(s.forms) AS forms, sum(s.scored_forms) AS scored_forms,
           sum(s.annual_budget) AS annual_budget, sum(s.executed) AS executed,
           @extschema@.try_execution_rate(sum(s.annual_budget), sum(s.executed)) AS execution_rate,
           @extschema@.quotient_half_up(sum(s.total_score_sum), sum(s.scored_forms)) AS avg_total_score,
           min(s.min_total_score) AS min_total_score, max(s.max_total_score) AS max_total_score,
           sum(s.grade_excellent) AS grade_excellent, sum(s.grade_good) AS grade_good,
           sum(s.grade_pass) AS grade_pass, sum(s.grade_poor) AS grade_poor, sum(s.ungraded) AS ungraded,
           sum(s.finding_count) AS finding_count, sum(s.inflated_forms) AS inflated_forms,
           sum(s.compared_forms) AS compared_forms,
           @extschema@.quotient_half_up(sum(s.inflation_sum), sum(s.compared_forms)) AS inflation_avg,
           -- the chart's axis: to the largest rate, at least 100 and at most
           -- 200 (a longer bar is cut there and marked), so that its size
           -- never follows a value
           least(200, greatest(100, ceil(max(s.execution_rate) / 20) * 20)) AS rate_scale
    INTO tot
    FROM unnest(unit_rows) s;

    title := format('%s年度项目支出绩效自评汇总报告', report_html.year);
    html := '<!DOCTYPE html>' || E'\n'
        || '<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">' || E'\n'
        || '<head>' || E'\n' || '<meta charset="utf-8"/>' || E'\n'
        || '<meta name="generator" content="pjeval report_html"/>' || E'\n'
        || '<title>' || @extschema@.html_escape(title) || '</title>' || E'\n'
        || $css$<style>
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif;
       font-size: 10pt; color: #222; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 186mm; line-height: 1.45; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 3pt 0; letter-spacing: 1pt; }
p.meta { text-align: center; color: #555; font-size: 9pt; margin: 0 0 10pt 0; }
h2 { font-size: 12.5pt; color: #1f3b6e; border-bottom: 1.2pt solid #2f5597; padding-bottom: 2pt; margin: 14pt 0 6pt 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 0.6pt solid #9aa5b5; padding: 2pt 4pt; vertical-align: top; }
th { background: #e8eef7; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.name { min-width: 7.5em; }
td.project { min-width: 8em; }
td.code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 7.5pt; }
tr.total td { font-weight: bold; background: #f2f4f7; }
td.sev-error, td.sev-warning, td.sev-info { white-space: nowrap; }
td.sev-error { color: #b00020; font-weight: bold; }
td.sev-warning { color: #a05a00; }
td.sev-info { color: #555; }
p.note { color: #555; font-size: 8.5pt; margin: 3pt 0; }
p.empty { color: #555; font-style: italic; }
svg { display: block; margin: 4pt auto; }
svg text { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; }
footer { margin-top: 12pt; color: #777; font-size: 8pt; border-top: 0.5pt solid #ccc; padding-top: 3pt; }
@media print {
  h2 { break-after: avoid; }
  tr, svg { break-inside: avoid; }
  thead { display: table-header-group; }
}
@media screen { body { padding: 10mm; } }
</style>$css$ || E'\n' || '</head>' || E'\n' || '<body>' || E'\n'
        || '<header>' || E'\n'
        || '<h1>' || @extschema@.html_escape(title) || '</h1>' || E'\n'
        || '<p class="meta">' || @extschema@.html_escape(format('范围：%s　|　自评表 %s 份　|　金额单位：万元　|　生成时间：%s',
               CASE WHEN report_html.unit IS NULL THEN '可见的全部单位' ELSE report_html.unit END,
               coalesce(tot.forms, 0), to_char(now(), 'YYYY-MM-DD HH24:MI'))) || '</p>' || E'\n'
        || '</header>' || E'\n';

    -- 一、各单位汇总
    html := html || '<section id="summary">' || E'\n' || '<h2>一、各单位汇总</h2>' || E'\n';
    IF n = 0 THEN
        html := html || '<p class="empty">本年度没有可见的自评表。</p>' || E'\n';
    ELSE
        SELECT string_agg(format('<tr><td class="name">%s</td><td class="name">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                                 '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                                 '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                 @extschema@.html_escape(s.unit_name),
                                 @extschema@.html_escape(coalesce(s.budget_unit_name, '—')),
                                 @extschema@.html_escape(s.forms::text),
                                 @extschema@.html_escape(coalesce(to_char(round(s.annual_budget / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(round(s.executed / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.execution_rate, 'FM99,999,999,999,999,990.00') || '%', '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.avg_total_score, 'FM999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.min_total_score, 'FM999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.max_total_score, 'FM999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(s.finding_count, 0)::text),
                                 @extschema@.html_escape(format('%s / %s', s.inflated_forms, s.compared_forms)),
                                 @extschema@.html_escape(coalesce(to_char(s.inflation_avg, 'FM999,999,990.00'), '—'))),
                          E'\n' ORDER BY o)
        INTO part
        FROM unnest(unit_rows) WITH ORDINALITY AS s (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
             approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
             avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
             ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
             inflation_max, o);
        html := html || '<table class="summary">' || E'\n'
            || '<thead><tr><th>实施单位</th><th>一级预算单位</th><th>表数</th><th>全年预算数</th><th>全年执行数</th>'
            || '<th>执行率</th><th>平均分</th><th>最低分</th><th>最高分</th><th>审核发现</th>'
            || '<th>高报表数</th><th>平均差值</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || part || E'\n'
            || format('<tr class="total"><td>合计</td><td>—</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                      '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                      '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                      @extschema@.html_escape(tot.forms::text),
                      @extschema@.html_escape(coalesce(to_char(round(tot.annual_budget / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(round(tot.executed / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.execution_rate, 'FM99,999,999,999,999,990.00') || '%', '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.avg_total_score, 'FM999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.min_total_score, 'FM999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.max_total_score, 'FM999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(tot.finding_count, 0)::text),
                      @extschema@.html_escape(format('%s / %s', tot.inflated_forms, tot.compared_forms)),
                      @extschema@.html_escape(coalesce(to_char(tot.inflation_avg, 'FM999,999,990.00'), '—')))
            || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n'
            || '<p class="note">执行率 = Σ全年执行数 / Σ全年预算数；平均分、最低分、最高分为按评分规则计算的总分；'
            || '“高报表数”为填报总分高于计算总分的自评表数 / 两者俱全的自评表数，平均差值 = 填报总分 − 计算总分的平均。</p>' || E'\n';
    END IF;
    html := html || '</section>' || E'\n';

    -- 二、总分与预算执行率 (a bar chart)
    IF n > 0 THEN
        scale := tot.rate_scale;
        chart_height := 34 + n * 34 + 26;
        SELECT string_agg(x, E'\n' ORDER BY k) INTO part FROM (
            -- the scale: a line and a label every 20
            SELECT 1 AS k, format('<line x1="%s" y1="30" x2="%s" y2="%s" stroke="#d5dae2" stroke-width="1"/>'
                                  '<text x="%s" y="%s" font-size="10" fill="#555" text-anchor="middle">%s</text>',
                                  round(bar_left + v / scale * bar_span, 1), round(bar_left + v / scale * bar_span, 1),
                                  34 + n * 34, round(bar_left + v / scale * bar_span, 1), 34 + n * 34 + 14, v) AS x
            FROM generate_series(0, scale::integer, 20) v
            UNION ALL
            -- the grade bounds, for the totals
            SELECT 2, format('<line x1="%s" y1="30" x2="%s" y2="%s" stroke="%s" stroke-width="1" stroke-dasharray="3,3"/>'
                             '<text x="%s" y="27" font-size="9" fill="%s" text-anchor="middle">%s</text>',
                             round(bar_left + g.v / scale * bar_span, 1), round(bar_left + g.v / scale * bar_span, 1),
                             34 + n * 34, g.c, round(bar_left + g.v / scale * bar_span, 1), g.c,
                             @extschema@.html_escape(g.label))
            FROM (VALUES (60, '中 60', '#b07d00'), (80, '良 80', '#5b8c1a'), (90, '优 90', '#2e7d32')) AS g (v, label, c)
            UNION ALL
            SELECT 3 + o::integer,
                   format('<g><title>%s</title>'
                          '<text x="%s" y="%s" font-size="11" fill="#222" text-anchor="end">%s</text>',
                          @extschema@.html_escape(s.unit_name || coalesce('（' || s.budget_unit_name || '）', '')),
                          bar_left - 8, 34 + (o - 1) * 34 + 19,
                          @extschema@.html_escape(CASE WHEN char_length(s.label) > 14
                                                       THEN left(s.label, 13) || '…' ELSE s.label END))
                   || bars.svg || '</g>'
            FROM (SELECT u.*,
                         -- a unit with forms under two budget units has a bar for each: say which
                         u.unit_name || CASE WHEN count(*) OVER (PARTITION BY u.unit_id) > 1
                                             THEN '（' || coalesce(u.budget_unit_name, '未填预算单位') || '）' ELSE '' END AS label
                  FROM unnest(unit_rows) WITH ORDINALITY AS u (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
                       approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
                       avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
                       ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
                       inflation_max, o)) s
            -- two bars, the average total and the execution rate, with the
            -- figure after the bar; a bar longer than the axis ends at it
            -- with an arrowhead (class overflow) and its figure inside it
            CROSS JOIN LATERAL (
                SELECT string_agg(
                           format('<rect x="%s" y="%s" width="%s" height="12" fill="%s"/>',
                                  bar_left, b.y, round(least(b.v, scale) / scale * bar_span, 1), b.fill)
                           || CASE WHEN b.v > scale
                                   THEN format('<polygon class="overflow" points="%s,%s %s,%s %s,%s" fill="%s"/>'
                                               '<text x="%s" y="%s" font-size="10" fill="#fff" text-anchor="end">%s</text>',
                                               bar_left + bar_span, b.y, bar_left + bar_span + 8, b.y + 6,
                                               bar_left + bar_span, b.y + 12, b.fill,
                                               bar_left + bar_span - 4, b.y + 10, @extschema@.html_escape(b.label))
                                   ELSE format('<text x="%s" y="%s" font-size="10" fill="%s">%s</text>',
                                               round(bar_left + b.v / scale * bar_span + 4, 1), b.y + 10, b.ink,
                                               @extschema@.html_escape(b.label))
                              END,
                           '' ORDER BY b.k) AS svg
                FROM (VALUES (1, coalesce(s.avg_total_score, 0), 34 + (o - 1) * 34 + 3, '#2f5597', '#2f5597',
                              coalesce(to_char(s.avg_total_score, 'FM999,999,990.00'), '—')),
                             (2, coalesce(s.execution_rate, 0), 34 + (o - 1) * 34 + 17, '#e0892a', '#b3641b',
                              coalesce(to_char(s.execution_rate, 'FM99,999,999,999,999,990.00') || '%', '—')))
                     AS b (k, v, y, fill, ink, label)
            ) bars
        ) chart;
        html := html || '<section id="chart">' || E'\n' || '<h2>二、平均总分与预算执行率</h2>' || E'\n'
            || format('<svg xmlns="http://www.w3.org/2000/svg" width="680" height="%s" viewBox="0 0 680 %s" role="img" aria-label="%s">',
                      chart_height, chart_height, @extschema@.html_escape('各单位平均总分与预算执行率条形图')) || E'\n'
            || '<rect x="200" y="4" width="12" height="10" fill="#2f5597"/><text x="216" y="13" font-size="10" fill="#222">平均总分（分）</text>'
            || '<rect x="330" y="4" width="12" height="10" fill="#e0892a"/><text x="346" y="13" font-size="10" fill="#222">预算执行率（%）</text>'
            || E'\n' || part || E'\n' || '</svg>' || E'\n'
            || '<p class="note">虚线为评价等级的分数线（优 ≥ 90，良 ≥ 80，中 ≥ 60）；坐标最长到 200，更长的条形截断于此，末端以箭头标出，数值写在条形内。</p>' || E'\n'
            || '</section>' || E'\n';
    END IF;

    -- 三、评价等级分布
    html := html || '<section id="grades">' || E'\n' || '<h2>三、评价等级分布</h2>' || E'\n';
    IF n = 0 THEN
        html := html || '<p class="empty">本年度没有可见的自评表。</p>' || E'\n';
    ELSE
        SELECT string_agg(format('<tr><td class="name">%s</td><td class="name">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                                 '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                 @extschema@.html_escape(s.unit_name),
                                 @extschema@.html_escape(coalesce(s.budget_unit_name, '—')),
                                 s.grade_excellent, s.grade_good, s.grade_pass, s.grade_poor, s.ungraded, s.forms),
                          E'\n' ORDER BY o)
        INTO part
        FROM unnest(unit_rows) WITH ORDINALITY AS s (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
             approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
             avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
             ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
             inflation_max, o);
        html := html || '<table class="grades">' || E'\n'
            || '<thead><tr><th>实施单位</th><th>一级预算单位</th><th>优（≥90）</th><th>良（80–90）</th><th>中（60–80）</th><th>差（&lt;60）</th><th>未评级</th><th>合计</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || part || E'\n'
            || format('<tr class="total"><td>合计</td><td>—</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                      '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                      tot.grade_excellent, tot.grade_good, tot.grade_pass, tot.grade_poor, tot.ungraded, tot.forms)
            || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n';
        -- the whole distribution as one stacked bar
        SELECT string_agg(format('<rect x="%s" y="8" width="%s" height="22" fill="%s"><title>%s</title></rect>%s',
                                 round(10 + 660 * (c.before::numeric / tot.forms), 1),
                                 round(660 * (c.cnt::numeric / tot.forms), 1), c.colour,
                                 @extschema@.html_escape(format('%s：%s 份', c.label, c.cnt)),
                                 CASE WHEN 660 * c.cnt / tot.forms >= 40 THEN
                                     format('<text x="%s" y="24" font-size="11" fill="#fff" text-anchor="middle">%s</text>',
                                            round(10 + 660 * ((c.before + c.cnt / 2.0) / tot.forms), 1),
                                            @extschema@.html_escape(format('%s %s', c.label, c.cnt)))
                                 ELSE '' END),
                          '' ORDER BY c.k)
        INTO part
        FROM (SELECT v.k, v.label, v.cnt, v.colour,
                     coalesce(sum(v.cnt) OVER (ORDER BY v.k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
              FROM (VALUES (1, '优', tot.grade_excellent, '#2e7d32'), (2, '良', tot.grade_good, '#7cb342'),
                           (3, '中', tot.grade_pass, '#f2a900'), (4, '差', tot.grade_poor, '#c62828'),
                           (5, '未评级', tot.ungraded, '#9e9e9e')) AS v (k, label, cnt, colour)) c
        WHERE c.cnt > 0;
        html := html
            || format('<svg xmlns="http://www.w3.org/2000/svg" width="680" height="58" viewBox="0 0 680 58" role="img" aria-label="%s">',
                      @extschema@.html_escape('评价等级分布'))
            || part
            || '<rect x="10" y="40" width="10" height="10" fill="#2e7d32"/><text x="24" y="49" font-size="10">优</text>'
            || '<rect x="54" y="40" width="10" height="10" fill="#7cb342"/><text x="68" y="49" font-size="10">良</text>'
            || '<rect x="98" y="40" width="10" height="10" fill="#f2a900"/><text x="112" y="49" font-size="10">中</text>'
            || '<rect x="142" y="40" width="10" height="10" fill="#c62828"/><text x="156" y="49" font-size="10">差</text>'
            || '<rect x="186" y="40" width="10" height="10" fill="#9e9e9e"/><text x="200" y="49" font-size="10">未评级</text>'
            || '</svg>' || E'\n';
    END IF;
    html := html || '</section>' || E'\n';

    -- 四、审核发现: each form scored once, by its id
    WITH f AS MATERIALIZED (
        SELECT u.name AS unit_name, p.code AS project_code, p.name AS project_name,
               a.position, a.code, a.severity, a.message_zh,
               row_number() OVER (ORDER BY u.name, p.code NULLS LAST, p.name, a.position NULLS FIRST,
                                  array_position(ARRAY['error', 'warning', 'info'], a.severity), a.code) AS rn
        FROM @extschema@.evaluation ev
        JOIN @extschema@.project p ON p.project_id = ev.project_id
        JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        CROSS JOIN LATERAL (SELECT af.* FROM @extschema@.audit_finding af
                            WHERE af.evaluation_id = ev.evaluation_id OFFSET 0) a
        WHERE ev.year = report_html.year
          AND (units IS NULL OR p.unit_id = ANY (units) OR ev.budget_unit_id = ANY (units))
    )
    SELECT (SELECT count(*) FROM f),
           (SELECT string_agg(format('<tr><td class="code">%s</td><td>%s</td><td class="sev-%s">%s</td><td class="num">%s</td></tr>',
                                     @extschema@.html_escape(c.code), @extschema@.html_escape(fc.description_zh),
                                     @extschema@.html_escape(c.severity),
                                     @extschema@.html_escape(CASE c.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END),
                                     c.cnt),
                              E'\n' ORDER BY array_position(ARRAY['error', 'warning', 'info'], c.severity), c.cnt DESC, c.code)
            FROM (SELECT f.code, f.severity, count(*) AS cnt FROM f GROUP BY f.code, f.severity) c
            LEFT JOIN @extschema@.finding_code fc ON fc.code = c.code),
           (SELECT string_agg(format('<tr><td class="name">%s</td><td class="project">%s</td><td class="num">%s</td><td class="sev-%s">%s</td><td>%s</td></tr>',
                                     @extschema@.html_escape(f.unit_name),
                                     @extschema@.html_escape(coalesce(f.project_code || ' ', '') || f.project_name),
                                     @extschema@.html_escape(coalesce(f.position::text, '表')),
                                     @extschema@.html_escape(f.severity),
                                     @extschema@.html_escape(CASE f.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END),
                                     @extschema@.html_escape(f.message_zh)),
                              E'\n' ORDER BY f.rn)
            FROM f WHERE report_html.max_findings IS NULL OR f.rn <= report_html.max_findings)
    INTO finding_total, finding_codes, finding_list;

    html := html || '<section id="findings">' || E'\n' || '<h2>四、审核发现</h2>' || E'\n';
    IF finding_total = 0 THEN
        html := html || '<p class="empty">没有审核发现。</p>' || E'\n';
    ELSE
        html := html || '<table class="finding-codes">' || E'\n'
            || '<thead><tr><th>代码</th><th>说明</th><th>级别</th><th>数量</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || finding_codes || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n'
            || '<p class="note">' || @extschema@.html_escape(format('共 %s 条审核发现%s。指标序号“表”表示整张自评表的问题。', finding_total,
                   CASE WHEN report_html.max_findings IS NOT NULL AND finding_total > report_html.max_findings
                        THEN format('，下表列出前 %s 条', report_html.max_findings) ELSE '' END)) || '</p>' || E'\n'
            || '<table class="findings">' || E'\n'
            || '<thead><tr><th>实施单位</th><th>项目</th><th>指标序号</th><th>级别</th><th>说明</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || coalesce(finding_list, '') || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n';
    END IF;
    html := html || '</section>' || E'\n'
        || '<footer>' || @extschema@.html_escape(format('由 pjeval 按《项目支出绩效评价管理办法》（财预〔2020〕10号）评分规则实时计算；'
                                                         '%s 年度，%s。', report_html.year,
                                                         CASE WHEN report_html.unit IS NULL THEN '全部可见单位' ELSE '单位：' || report_html.unit END))
        || '</footer>' || E'\n' || '</body>' || E'\n' || '</html>' || E'\n';
    RETURN html;
END
$fn$;

-- units (issue 11, item 2): open units (5匹, 3000尾, 5kg), periods (全年,
-- 2021年上半年, 第三季度) and a comparison or unit with no number (≥, ≥%, 万元)
-- refused.  The reader is C: no object changes.  Every stored value is read
-- again from its text when target and actual become generated columns
-- (section "generated", below), which says how many rows read otherwise.

-- export: pjeval.export_workbook writes the forms as .xlsx workbooks with libxlsxwriter (36_workbook.sql)
-- ------------------------------------------------------------------ export
--
--   export_workbook(evaluation_ids)       the forms as an .xlsx workbook,
--       one sheet each, laid out as export_form's text (so that
--       import_workbook reads it back to the same rows), with the
--       template's look: merged cells, borders, 宋体, A4
--
-- SQL lays out the cells (the rows a caller may see, with its rights);
-- workbook_write writes them in C (src/wb/xlsx_write.c, libxlsxwriter).

CREATE FUNCTION @extschema@.workbook_write(sheets jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'workbook_write'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION @extschema@.workbook_write(jsonb) IS
'The .xlsx workbook of sheets laid out as pjeval.export_workbook lays them out: an array of {"name", "cells": [[row, column, style, text] or [row, column, style, number, format]], "merges": [[first row, first column, last row, last column]], "repeat": [first row, last row]}, rows and columns from 1, columns A-I, styles title, part, head, text, level, number, note. Written by libxlsxwriter to a temporary file under base/pgsql_tmp, which is removed; never a formula';

-- One cell of a sheet for workbook_write, NULL for no value: kind 'text'
-- (as written), 'amount' (a number with thousands and its own decimals:
-- #,##0.00 for 1821100.00), 'number' (a number with its own decimals) or
-- 'value' (an indicator's
-- value: 95% as a percent cell, 17 as a number, anything else as text).
-- The number's format shows it as export_form writes it, so the workbook
-- reads back to the same text.
CREATE FUNCTION @extschema@.workbook_cell(r integer, c integer, style text, value text, kind text DEFAULT 'text')
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN $4 IS NULL THEN NULL
        WHEN $5 = 'amount' THEN
            pg_catalog.jsonb_build_array($1, $2, $3, $4::numeric,
                '#,##0' || CASE WHEN pg_catalog.scale($4::numeric) > 0
                                THEN '.' || pg_catalog.repeat('0', pg_catalog.scale($4::numeric)) ELSE '' END)
        WHEN $5 = 'number' OR $5 = 'value' AND $4 ~ '^(0|[1-9][0-9]*)(\.[0-9]+)?$' THEN
            pg_catalog.jsonb_build_array($1, $2, $3, $4::numeric,
                '0' || CASE WHEN pg_catalog.scale($4::numeric) > 0
                            THEN '.' || pg_catalog.repeat('0', pg_catalog.scale($4::numeric)) ELSE '' END)
        WHEN $5 = 'value' AND $4 ~ '^(0|[1-9][0-9]*)(\.[0-9]+)?%$' THEN
            pg_catalog.jsonb_build_array($1, $2, $3,
                pg_catalog.rtrim($4, '%')::numeric OPERATOR(pg_catalog.*) 0.01,
                '0' || CASE WHEN pg_catalog.scale(pg_catalog.rtrim($4, '%')::numeric) > 0
                            THEN '.' || pg_catalog.repeat('0', pg_catalog.scale(pg_catalog.rtrim($4, '%')::numeric)) ELSE '' END
                    || '%')
        ELSE pg_catalog.jsonb_build_array($1, $2, $3, $4)
    END
$$;

COMMENT ON FUNCTION @extschema@.workbook_cell(integer, integer, text, text, text) IS
'A cell for pjeval.workbook_write: [row, column, style, text] or [row, column, style, number, format]; kind amount (#,##0.00 with as many decimals as the number has), number (its own decimals), value (95% as a percent cell, 17 as a number, else text) or text; NULL for a NULL value';

CREATE FUNCTION @extschema@.export_workbook(evaluation_ids bigint[])
RETURNS bytea
LANGUAGE plpgsql
STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    ids bigint[];
    id bigint;
    e record;
    f record;
    i record;
    sheets jsonb[] := '{}';
    cells jsonb[];
    merges jsonb[];
    r integer;
    first integer;
    head integer;
    n integer;
BEGIN
    IF pg_catalog.array_position(evaluation_ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'evaluation_ids holds a NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the ids of the forms to export, e.g. ARRAY(SELECT evaluation_id FROM pjeval.evaluation WHERE year = 2022).';
    END IF;
    -- each form once, in the order given
    SELECT coalesce(pg_catalog.array_agg(x.id ORDER BY x.n), '{}') INTO ids
    FROM (SELECT u.id, pg_catalog.min(u.n) AS n
          FROM pg_catalog.unnest(evaluation_ids) WITH ORDINALITY AS u (id, n) GROUP BY u.id) x;
    IF pg_catalog.cardinality(ids) = 0 THEN
        RAISE EXCEPTION 'evaluation_ids is empty: a workbook needs one form at least'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the ids of the forms to export, e.g. ARRAY(SELECT evaluation_id FROM pjeval.evaluation WHERE year = 2022).';
    END IF;

    FOREACH id IN ARRAY ids LOOP
        SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
        INTO e
        FROM @extschema@.evaluation ev
        JOIN @extschema@.project p ON p.project_id OPERATOR(pg_catalog.=) ev.project_id
        JOIN @extschema@.unit u ON u.unit_id OPERATOR(pg_catalog.=) p.unit_id
        LEFT JOIN @extschema@.unit bu ON bu.unit_id OPERATOR(pg_catalog.=) ev.budget_unit_id
        WHERE ev.evaluation_id OPERATOR(pg_catalog.=) id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', id, current_user
                USING ERRCODE = 'no_data_found',
                      HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
        END IF;

        -- export_form's text, row by row, without its blank lines; the
        -- merged cells are blank below and right of their first cell, as
        -- the text leaves them.
        cells := ARRAY[@extschema@.workbook_cell(1, 1, 'title', '项目支出绩效自评表')];
        merges := ARRAY['[1, 1, 1, 9]'::jsonb];
        cells := cells || ARRAY[
            @extschema@.workbook_cell(2, 1, 'head', '项目编号:'),
            @extschema@.workbook_cell(2, 2, 'text', coalesce(e.project_code, '')),
            @extschema@.workbook_cell(2, 3, 'head', '项目名称:'),
            @extschema@.workbook_cell(2, 4, 'text', e.project_name),
            @extschema@.workbook_cell(2, 5, 'head', '绩效自评年度:'),
            @extschema@.workbook_cell(2, 6, 'number', e.year::text, 'number'),
            @extschema@.workbook_cell(3, 1, 'head', '实施单位:'),
            @extschema@.workbook_cell(3, 2, 'text', e.unit_name),
            @extschema@.workbook_cell(3, 3, 'head', '一级预算单位:'),
            @extschema@.workbook_cell(3, 4, 'text', coalesce(e.budget_unit_name, '')),
            @extschema@.workbook_cell(4, 1, 'part', '资金使用情况'),
            @extschema@.workbook_cell(5, 1, 'head', ''),
            @extschema@.workbook_cell(5, 3, 'head', '年初预算数'),
            @extschema@.workbook_cell(5, 4, 'head', '全年预算数'),
            @extschema@.workbook_cell(5, 5, 'head', '全年执行数'),
            @extschema@.workbook_cell(5, 6, 'head', '分值'),
            @extschema@.workbook_cell(5, 7, 'head', '执行率 (%)'),
            @extschema@.workbook_cell(5, 8, 'head', '得分')];
        merges := merges || ARRAY['[2, 6, 2, 9]', '[3, 4, 3, 9]', '[4, 1, 4, 9]', '[5, 1, 5, 2]', '[5, 8, 5, 9]']::jsonb[];

        r := 5;
        first := 6;
        FOR f IN
            SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                       ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source)) AS n
            FROM @extschema@.fund_line fl
            WHERE fl.evaluation_id OPERATOR(pg_catalog.=) id
            ORDER BY n
        LOOP
            r := r + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 1, 'head', CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END),
                @extschema@.workbook_cell(r, 2, 'head', CASE f.source WHEN 'total' THEN '年度资金总额'
                                                       WHEN 'appropriation' THEN '其中：当年财政拨款'
                                                       WHEN 'carryover' THEN '上年结转资金' ELSE '其他资金' END),
                @extschema@.workbook_cell(r, 3, 'number', f.initial_budget::text, 'amount'),
                @extschema@.workbook_cell(r, 4, 'number', f.annual_budget::text, 'amount'),
                @extschema@.workbook_cell(r, 5, 'number', f.executed::text, 'amount'),
                coalesce(@extschema@.workbook_cell(r, 6, 'number', f.reported_weight::text, 'number'),
                         @extschema@.workbook_cell(r, 6, 'number', '—')),
                coalesce(@extschema@.workbook_cell(r, 7, 'number', f.reported_rate::text, 'number'),
                         @extschema@.workbook_cell(r, 7, 'number', '—')),
                coalesce(@extschema@.workbook_cell(r, 8, 'number', f.reported_score::text, 'number'),
                         @extschema@.workbook_cell(r, 8, 'number', '—'))];
            merges := merges || pg_catalog.jsonb_build_array(r, 8, r, 9);
        END LOOP;
        IF r > first THEN
            merges := merges || pg_catalog.jsonb_build_array(first, 1, r, 1);
        END IF;

        r := r + 1;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'part', '项目目标完成情况'),
            @extschema@.workbook_cell(r + 1, 1, 'head', '年度总体目标'),
            @extschema@.workbook_cell(r + 1, 2, 'head', '预期目标'),
            @extschema@.workbook_cell(r + 1, 6, 'head', '* 实际完成情况'),
            @extschema@.workbook_cell(r + 2, 2, 'text', coalesce(e.expected_goal, '')),
            @extschema@.workbook_cell(r + 2, 6, 'text', coalesce(e.actual_outcome, ''))];
        merges := merges || ARRAY[pg_catalog.jsonb_build_array(r, 1, r, 9),
                                  pg_catalog.jsonb_build_array(r + 1, 1, r + 2, 1),
                                  pg_catalog.jsonb_build_array(r + 1, 2, r + 1, 5),
                                  pg_catalog.jsonb_build_array(r + 1, 6, r + 1, 9),
                                  pg_catalog.jsonb_build_array(r + 2, 2, r + 2, 5),
                                  pg_catalog.jsonb_build_array(r + 2, 6, r + 2, 9)];

        r := r + 3;
        head := r;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'head', '年度绩效指标'),
            @extschema@.workbook_cell(r, 2, 'head', '一级指标'),
            @extschema@.workbook_cell(r, 3, 'head', '二级指标'),
            @extschema@.workbook_cell(r, 4, 'head', '三级指标'),
            @extschema@.workbook_cell(r, 5, 'head', '年度指标值'),
            @extschema@.workbook_cell(r, 6, 'head', '* 实际完成值'),
            @extschema@.workbook_cell(r, 7, 'head', '* 分值'),
            @extschema@.workbook_cell(r, 8, 'head', '* 得分'),
            @extschema@.workbook_cell(r, 9, 'head', '偏差原因分析及改进措施')];
        -- Level-1 and level-2 cells written where export_form writes them
        -- (a new level, or a word the reader would take for the template's
        -- own), each merged down over the rows it heads.
        n := 0;
        FOR i IN
            SELECT b.*,
                   pg_catalog.count(*) OVER (PARTITION BY b.run1) AS size1,
                   pg_catalog.count(*) OVER (PARTITION BY b.run2) AS size2
            FROM (SELECT a.*,
                         pg_catalog.sum(a.w1::integer) OVER (ORDER BY a.position) AS run1,
                         pg_catalog.sum(a.w2::integer) OVER (ORDER BY a.position) AS run2
                  FROM (SELECT x.*, x.new1 AS w1,
                               x.new2 OR (NOT x.new1 AND @extschema@.is_template_label(x.level3)) AS w2
                        FROM (SELECT ind.*,
                                     ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                                         OR pg_catalog.lag(ind.position) OVER w IS NULL
                                         OR @extschema@.is_template_label(ind.level2) AS new1,
                                     ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                                         OR ind.level2 IS DISTINCT FROM pg_catalog.lag(ind.level2) OVER w
                                         OR pg_catalog.lag(ind.position) OVER w IS NULL AS new2
                              FROM @extschema@.indicator ind
                              WHERE ind.evaluation_id OPERATOR(pg_catalog.=) id
                              WINDOW w AS (ORDER BY ind.position)) x) a) b
            ORDER BY b.position
        LOOP
            r := r + 1;
            n := n + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 2, 'level', CASE WHEN i.w1 THEN i.level1 ELSE '' END),
                @extschema@.workbook_cell(r, 3, 'level', CASE WHEN i.w2 THEN i.level2 ELSE '' END),
                @extschema@.workbook_cell(r, 4, 'text', i.level3),
                coalesce(@extschema@.workbook_cell(r, 5, 'text', i.target_text, 'value'),
                         @extschema@.workbook_cell(r, 5, 'text', '')),
                coalesce(@extschema@.workbook_cell(r, 6, 'text', i.actual_text, 'value'),
                         @extschema@.workbook_cell(r, 6, 'text', '')),
                coalesce(@extschema@.workbook_cell(r, 7, 'number', i.weight::text, 'number'),
                         @extschema@.workbook_cell(r, 7, 'number', '')),
                coalesce(@extschema@.workbook_cell(r, 8, 'number', i.reported_score::text, 'number'),
                         @extschema@.workbook_cell(r, 8, 'number', '')),
                @extschema@.workbook_cell(r, 9, 'text', coalesce(i.deviation_reason, ''))];
            IF i.w1 AND i.size1 > 1 THEN
                merges := merges || pg_catalog.jsonb_build_array(r, 2, r + i.size1 - 1, 2);
            END IF;
            IF i.w2 AND i.size2 > 1 THEN
                merges := merges || pg_catalog.jsonb_build_array(r, 3, r + i.size2 - 1, 3);
            END IF;
        END LOOP;
        IF n > 0 THEN
            merges := merges || pg_catalog.jsonb_build_array(head, 1, r, 1);
        END IF;

        r := r + 1;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'head', '总分'),
            coalesce(@extschema@.workbook_cell(r, 7, 'number', e.reported_weight_total::text, 'number'),
                     @extschema@.workbook_cell(r, 7, 'number', '')),
            coalesce(@extschema@.workbook_cell(r, 8, 'number', e.reported_total::text, 'number'),
                     @extschema@.workbook_cell(r, 8, 'number', '')),
            @extschema@.workbook_cell(r, 9, 'head', '—')];
        merges := merges || pg_catalog.jsonb_build_array(r, 1, r, 6);

        -- 备注 as export_form writes it: in its own cell after the label
        -- where the text holds a tab or a line break or quotes at an end
        r := r + 1;
        IF e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"' THEN
            cells := cells || ARRAY[@extschema@.workbook_cell(r, 1, 'head', '备注：'),
                                    @extschema@.workbook_cell(r, 2, 'text', e.notes)];
            merges := merges || pg_catalog.jsonb_build_array(r, 2, r, 9);
        ELSE
            cells := cells || @extschema@.workbook_cell(r, 1, 'text', '备注：' || coalesce(e.notes, ''));
            merges := merges || pg_catalog.jsonb_build_array(r, 1, r, 9);
        END IF;
        r := r + 1;
        cells := cells || @extschema@.workbook_cell(r, 1, 'note',
            '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。');
        merges := merges || pg_catalog.jsonb_build_array(r, 1, r, 9);

        sheets := sheets || pg_catalog.jsonb_build_object(
            'name', e.project_name,
            'cells', pg_catalog.to_jsonb(pg_catalog.array_remove(cells, NULL)),
            'merges', pg_catalog.to_jsonb(merges),
            'repeat', pg_catalog.jsonb_build_array(head, head));
    END LOOP;
    RETURN @extschema@.workbook_write(pg_catalog.to_jsonb(sheets));
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_workbook(bigint[]) IS
'The forms as an .xlsx workbook, one sheet each (named after the project), laid out as the template 项目支出绩效自评表 as export_form writes it, so that pjeval.import_workbook reads it back to the same rows: amounts as numbers (#,##0.00), percentages as percent cells, merged level-1 and level-2 cells, 宋体, borders, A4 portrait one page wide. Each id once, in the order given; an id the caller cannot see raises no_data_found';


-- tolerant reader, first increment (issue 11, parts 1 and 3): what the form
-- reader finds worth a look is stored with the form (read_finding, written
-- and replaced by import_forms, row-level security and the workflow as for
-- fund lines) and shown by audit_finding; the finding codes and their
-- messages become tables (finding_catalogue, finding_message) under the
-- view finding_code, and audit_finding renders each message from its
-- template over one argument list per place.  A 分值, 执行率 or 得分 on a
-- source row is kept and checked (fund_line_result), no longer refused.
-- The standard level names come from the form reader's list
-- (standard_level), with the synonyms real templates use; fund labels
-- 年度财政资金总额, 财政专户管理资金 and 单位资金 are read, and a form may
-- have several other sources, each kept with its name (fund_line.label).
-- Roles that import forms need INSERT, DELETE on pjeval.read_finding where
-- a document has such findings.
CREATE TABLE @extschema@.read_finding (
    evaluation_id   bigint NOT NULL REFERENCES @extschema@.evaluation (evaluation_id) ON DELETE CASCADE,
    line            integer NOT NULL
                    CONSTRAINT read_finding_line_positive CHECK (line >= 1),
    position        integer
                    CONSTRAINT read_finding_position_positive CHECK (position >= 1),
    source          text
                    CONSTRAINT read_finding_source CHECK (source IN ('total', 'appropriation', 'carryover', 'other')),
    code            text NOT NULL
                    CONSTRAINT read_finding_code_not_blank CHECK (pg_catalog.btrim(code) <> ''),
    detail          text,
    CONSTRAINT read_finding_one_place CHECK (position IS NULL OR source IS NULL),
    PRIMARY KEY (evaluation_id, line, code)
);

COMMENT ON TABLE @extschema@.read_finding IS
'What the form reader read but found worth a look, per form and document line (codes in pjeval.finding_code); written and replaced by import_forms with the form';
COMMENT ON COLUMN @extschema@.read_finding.line IS 'The line of the imported document';
COMMENT ON COLUMN @extschema@.read_finding.position IS 'The indicator of that line, NULL for another row';
COMMENT ON COLUMN @extschema@.read_finding.source IS 'The fund row of that line, NULL for another row';
COMMENT ON COLUMN @extschema@.read_finding.detail IS 'What the reader read or inferred there, where the code needs it';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.read_finding', '');
ALTER TABLE @extschema@.read_finding ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_finding_unit ON @extschema@.read_finding FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));
GRANT SELECT ON @extschema@.read_finding TO PUBLIC;
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.read_finding
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.read_finding
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.read_finding
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow();

ALTER TABLE @extschema@.fund_line DROP CONSTRAINT fund_line_score_only_on_total;
ALTER TABLE @extschema@.fund_line
    ADD COLUMN label text
        CONSTRAINT fund_line_label_only_other CHECK (source = 'other' OR label IS NULL)
        CONSTRAINT fund_line_label_not_blank CHECK (pg_catalog.btrim(label) <> '');
ALTER TABLE @extschema@.fund_line DROP CONSTRAINT fund_line_evaluation_source_key;
-- The template's sources once per form; other sources (财政专户管理资金,
-- 单位资金, …) once per name.
CREATE UNIQUE INDEX fund_line_evaluation_source_key ON @extschema@.fund_line (evaluation_id, source)
    WHERE source <> 'other';
CREATE UNIQUE INDEX fund_line_evaluation_other_key ON @extschema@.fund_line (evaluation_id, (coalesce(label, '')))
    WHERE source = 'other';
CREATE INDEX fund_line_evaluation_idx ON @extschema@.fund_line (evaluation_id);
COMMENT ON COLUMN @extschema@.fund_line.label IS 'An other source''s name as the form writes it (财政专户管理资金, 单位资金), NULL for 其他资金 itself; a form may have several other sources';
COMMENT ON TABLE @extschema@.fund_line IS
'资金使用情况: total = 年度资金总额, appropriation = 当年财政拨款, carryover = 上年结转资金, other = 其他资金 and other sources by name (label); amounts in the evaluation''s amount_unit';
COMMENT ON COLUMN @extschema@.fund_line.reported_weight IS '分值 as written (the form''s on the total row; on a source row checked, never counted)';
COMMENT ON COLUMN @extschema@.fund_line.reported_rate IS '执行率 (%) as written (the form''s on the total row; on a source row checked, never counted)';
COMMENT ON COLUMN @extschema@.fund_line.reported_score IS '得分 as written (the form''s on the total row; on a source row checked, never counted)';

DROP VIEW @extschema@.audit_finding;
DROP VIEW @extschema@.finding_code;

CREATE FUNCTION @extschema@.standard_level_list(OUT name text, OUT level integer, OUT kind text,
                                                OUT level1 text, OUT standard text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'standard_level_list'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 20;

COMMENT ON FUNCTION @extschema@.standard_level_list() IS
'The form reader''s list of standard level names (see pjeval.standard_level)';

CREATE VIEW @extschema@.standard_level AS
SELECT l.name, l.level, l.kind, l.level1, l.standard
FROM @extschema@.standard_level_list() l;

COMMENT ON VIEW @extschema@.standard_level IS
'The standard''s level-1 and level-2 names as indicator_level_name() gives them, the kind of level 1 each is or belongs under (output, benefit, satisfaction, cost) and that level 1''s name; a name real templates use for a standard one (进度指标) names it under standard. The form reader''s own list';

CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    n.level1_kind,
    h.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    a.rule,
    a.completion,
    a.score AS computed_score,
    i.reported_score,
    i.reported_score - a.score AS score_difference,
    coalesce(a.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - a.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
        CASE WHEN 'unscorable' = ANY (a.flags) THEN 'unscorable' END,
        CASE WHEN 'actual_is_claim' = ANY (a.flags) THEN 'actual_is_claim' END,
        CASE WHEN 'qualitative_needs_band' = ANY (a.flags) AND i.band IS NULL THEN 'band_missing' END,
        CASE WHEN i.reported_score < b.band_low
               OR i.reported_score > b.band_high
               OR (i.reported_score = b.band_high AND i.band <> 'achieved')
             THEN 'score_outside_band' END,
        CASE WHEN 'date_missed' = ANY (a.flags) THEN 'date_missed' END,
        CASE WHEN 'not_met' = ANY (a.flags) AND NOT x.explained THEN 'not_met_unexplained' END,
        CASE WHEN 'over_achieved' = ANY (a.flags) AND NOT x.explained THEN 'over_achieved_unexplained' END,
        CASE WHEN n.level1_kind <> h.level2_home
              AND NOT (n.level1_kind = 'cost' AND h.level2_name = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- The level names, read once per row: the name as the standard lists it is
-- the key of a join with the list of standard names, so it is computed once
-- when the row is probed and the kind comes back as a column.  Written as a
-- LATERAL sub-select instead, the call would be copied into every reference
-- to level1_kind (a dozen in evaluation_result); kept apart with OFFSET 0 it
-- would run once per row too, but on PostgreSQL 15 its parameters keep the
-- whole view out of parallel workers.
LEFT JOIN (SELECT l.name AS level1_name, l.kind AS level1_kind FROM @extschema@.standard_level l WHERE l.level = 1)
    AS n ON n.level1_name = @extschema@.indicator_level_name(i.level1)
LEFT JOIN (SELECT coalesce(l.standard, l.name) AS level2_name, l.name, l.kind AS level2_home
           FROM @extschema@.standard_level l WHERE l.level = 2)
    AS h ON h.name = @extschema@.indicator_level_name(i.level2)
CROSS JOIN LATERAL (
    -- an explanation that is empty or a placeholder explains nothing
    SELECT coalesce(pg_catalog.btrim(i.deviation_reason, E' \t\r\n　'), '')
               NOT IN ('', '-', '—', '－', '/', '一', '无') AS explained
) x
CROSS JOIN LATERAL (
    -- the evaluator's band as a score range (profile band_achieved and
    -- band_partial): 达成 [achieved, 1], 部分达成 [partial, achieved),
    -- 未达成 [0, partial) of the weight
    SELECT pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight * pr.band_achieved
                                WHEN 'partial' THEN i.weight * pr.band_partial
                                WHEN 'not_achieved' THEN 0
                            END, 2) AS band_low,
           pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight
                                WHEN 'partial' THEN i.weight * pr.band_achieved
                                WHEN 'not_achieved' THEN i.weight * pr.band_partial
                            END, 2) AS band_high
) b
CROSS JOIN LATERAL @extschema@.assess(i.target, i.actual, i.weight, i.level2,
                                      pr.over_achievement_ratio, pr.negative_formula) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.indicator_result IS
'Every indicator the caller may see, scored live: rule, completion, computed and reported score and their difference, the score that counts in the total (the computed one, else the reported one), assess() flags and finding codes (see pjeval.audit_finding)';
COMMENT ON COLUMN @extschema@.indicator_result.level1_kind IS 'output (产出), benefit (效益), satisfaction (满意度), cost (成本), or NULL for a non-standard level 1';
COMMENT ON COLUMN @extschema@.indicator_result.level2_home IS 'The level 1 this level 2 belongs under by the standard (NULL: not a standard level 2)';
COMMENT ON COLUMN @extschema@.indicator_result.score_difference IS 'reported_score - computed_score';
COMMENT ON COLUMN @extschema@.indicator_result.counted_score IS 'The score the total counts: computed_score, or reported_score where the rules leave the score to a person (scoring-rules §3)';
COMMENT ON COLUMN @extschema@.indicator_result.band_low IS 'The lowest score the recorded band allows';
COMMENT ON COLUMN @extschema@.indicator_result.band_high IS 'The highest score the recorded band allows (excluded for partial and not_achieved)';
COMMENT ON COLUMN @extschema@.indicator_result.findings IS 'Codes of the problems found on this row (pjeval.finding_code)';

-- Every code the audit can give, and its messages: the one place a code is
-- listed (extension data, like pjeval.profile's defaults: not the users' to
-- edit, not dumped).  severity: error (the numbers on the form contradict
-- each other or the rules), warning (a person must look: an explanation is
-- missing, a value cannot be read or compared), info (noted: a non-standard
-- layout, a reported score standing in for a computed one).
CREATE TABLE @extschema@.finding_catalogue (
    code            text PRIMARY KEY,
    scope           text NOT NULL
                    CONSTRAINT finding_catalogue_scope CHECK (scope IN ('indicator', 'form', 'both')),
    severity        text NOT NULL
                    CONSTRAINT finding_catalogue_severity CHECK (severity IN ('error', 'warning', 'info')),
    description_zh  text NOT NULL,
    description_en  text NOT NULL
);

COMMENT ON TABLE @extschema@.finding_catalogue IS
'Every code pjeval.audit_finding can give: scope (indicator, form or both), severity (error, warning, info) and what it means; pjeval.finding_message holds its messages';

-- A code's message where it is found, as a format() template whose
-- positional arguments (%1$s, …) are the fixed argument list of that place
-- in pjeval.audit_finding:
--   indicator  1 level3, 2 level2, 3 level1, 4 target_text, 5 actual_text,
--              6 weight, 7 reported score, 8 computed score, 9 completion,
--              10 band low, 11 band high, 12 the standard level 1 of level2
--              (Chinese), 13 (English), 14 why the target does not read,
--              15 why the actual does not read
--   fund, total (the form's execution rate and score; its weights and
--              total) 1-3 the sources' initial budget, annual budget and
--              executed, 4-6 the total row's, 7 execution rate, 8 the
--              profile's warning line, 9 reported execution rate, 10
--              reported fund score, 11 fund score, 12 fund weight, 13 total,
--              14 weight total, 15 profile, 16 its execution weight, 17-24
--              output, benefit, satisfaction and cost weight each beside the
--              profile's, 25 reported total, 26 the reported scores' sum
--   source     (a source row of 资金使用情况) 1 its label, 2 reported
--              execution rate, 3 computed, 4 reported score, 5 computed, 6
--              the weight it is computed with
--   line       (what the form reader found) 1 the document's line, 2 the
--              reader's detail, 3 the indicator's level3, 4 the fund source
CREATE TABLE @extschema@.finding_message (
    code            text NOT NULL REFERENCES @extschema@.finding_catalogue (code),
    place           text NOT NULL
                    CONSTRAINT finding_message_place CHECK (place IN ('indicator', 'fund', 'total', 'source', 'line')),
    message_zh      text NOT NULL,
    message_en      text NOT NULL,
    PRIMARY KEY (code, place)
);

COMMENT ON TABLE @extschema@.finding_message IS
'The message of each finding code where it is found (indicator, fund, total, source, line): format() templates in Chinese and English over the fixed argument list of that place (see pjeval.audit_finding)';

INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('score_mismatch', 'indicator', 'error', '填报得分与计算得分相差超过 0.01', 'the reported score differs from the computed score by more than 0.01'),
    ('score_above_weight', 'indicator', 'error', '得分超过分值', 'the score is above the weight'),
    ('weight_missing', 'indicator', 'warning', '未填分值', 'the weight is missing'),
    ('target_unreadable', 'indicator', 'warning', '年度指标值无法识别', 'the target cannot be read'),
    ('actual_unreadable', 'indicator', 'warning', '实际完成值无法识别', 'the actual cannot be read'),
    ('value_missing', 'indicator', 'warning', '缺少年度指标值或实际完成值', 'the target or the actual is missing'),
    ('units_incomparable', 'indicator', 'warning', '目标与实际的单位不可比', 'the target and the actual are in units that cannot be compared'),
    ('clause_unmatched', 'indicator', 'warning', '目标中的某一项在实际完成值中找不到', 'a clause of the target has no matching clause in the actual'),
    ('value_too_large', 'indicator', 'warning', '数值过大，无法精确计算', 'the numbers are too large to compute exactly'),
    ('unscorable', 'both', 'warning', '数值超出精确计算的范围（至多 18 位有效数字和 18 位小数），无法按规则计算', 'a number is beyond exact scoring (at most 18 significant digits and 18 decimal places): the rules cannot compute with it'),
    ('actual_is_claim', 'indicator', 'warning', '实际完成值是表述而非测量值', 'the actual claims achievement instead of measuring it'),
    ('band_missing', 'indicator', 'warning', '定性指标未记录评价档次', 'a qualitative result that differs from its target has no band recorded'),
    ('score_outside_band', 'indicator', 'error', '定性指标得分不在所记录档次的区间内', 'the score of a qualitative result lies outside its recorded band'),
    ('date_missed', 'indicator', 'warning', '未按期完成', 'a deadline was missed'),
    ('not_met_unexplained', 'indicator', 'warning', '未完成目标且未填写偏差原因分析', 'not met, with no explanation of the deviation'),
    ('over_achieved_unexplained', 'indicator', 'warning', '超额完成且未填写偏差原因分析', 'over-achieved, with no explanation of the deviation'),
    ('level2_misplaced', 'indicator', 'info', '二级指标不在标准的一级指标之下', 'a level-2 indicator sits under a level 1 other than its standard one'),
    ('level1_nonstandard', 'indicator', 'info', '一级指标不是标准的一级指标', 'the level-1 indicator is not a standard one'),
    ('level2_nonstandard', 'indicator', 'info', '二级指标不是标准的二级指标', 'the level-2 indicator is not a standard one'),
    ('reported_score_used', 'both', 'info', '得分无法按规则计算，总分采用填报得分', 'the rules cannot score it: the total uses the reported score'),
    ('score_unavailable', 'both', 'error', '既无法计算也未填报得分，总分无法计算', 'neither a computed nor a reported score: no total'),
    ('fund_total_missing', 'form', 'error', '缺少“年度资金总额”行', 'the 年度资金总额 (total) fund row is missing'),
    ('budget_zero', 'form', 'warning', '全年预算数为 0', 'the annual budget is 0'),
    ('fund_sources_mismatch', 'form', 'error', '各资金来源之和与年度资金总额不符', 'the fund sources do not add up to the total'),
    ('execution_above_budget', 'form', 'warning', '全年执行数超过全年预算数', 'more was executed than budgeted'),
    ('execution_rate_low', 'form', 'warning', '执行率低于评分方案的预警线', 'the execution rate is below the profile''s warning line'),
    ('fund_rate_mismatch', 'form', 'error', '填报执行率与计算执行率不符', 'the reported execution rate differs from the computed one'),
    ('fund_score_mismatch', 'form', 'error', '预算执行率填报得分与计算得分不符', 'the reported execution-rate score differs from the computed one'),
    ('weights_not_100', 'form', 'error', '分值合计不等于 100', 'the weights do not total 100'),
    ('level1_weight_off_profile', 'form', 'warning', '一级指标分值与评分方案不符', 'level-1 weights differ from the profile'),
    ('reported_total_mismatch', 'form', 'error', '填报总分与各项填报得分之和不符', 'the reported total differs from the sum of the reported scores'),
    ('total_mismatch', 'form', 'error', '填报总分与计算总分不符', 'the reported total differs from the computed total'),
    ('indicators_missing', 'form', 'error', '没有年度绩效指标', 'the form has no performance indicators'),
    ('source_rate_mismatch', 'form', 'error', '资金来源行的填报执行率与按该行金额计算的执行率不符', 'a source row''s reported execution rate differs from the one its amounts give'),
    ('source_score_mismatch', 'form', 'error', '资金来源行的填报得分与按该行金额计算的得分不符', 'a source row''s reported score differs from the one its amounts give'),
    ('level1_inferred', 'indicator', 'info', '一级指标未填写，按标准由二级指标推定', 'the level 1 was not written: inferred from the standard level 2'),
    ('unclosed_quote', 'both', 'warning', '单元格以引号开头而没有引号闭合，已按文字读入', 'a cell begins with a quote that nothing closes: it was read as text');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('score_mismatch', 'indicator', '“%1$s”填报得分 %7$s 与计算得分 %8$s 不符', '"%1$s": the reported score %7$s differs from the computed %8$s'),
    ('score_above_weight', 'indicator', '“%1$s”得分 %7$s 超过分值 %6$s', '"%1$s": the score %7$s is above the weight %6$s'),
    ('weight_missing', 'indicator', '“%1$s”未填分值', '"%1$s" has no weight'),
    ('target_unreadable', 'indicator', '“%1$s”的年度指标值“%4$s”无法识别：%14$s', '"%1$s": the target "%4$s" cannot be read: %14$s'),
    ('actual_unreadable', 'indicator', '“%1$s”的实际完成值“%5$s”无法识别：%15$s', '"%1$s": the actual "%5$s" cannot be read: %15$s'),
    ('value_missing', 'indicator', '“%1$s”缺少年度指标值或实际完成值', '"%1$s": the target or the actual is missing'),
    ('units_incomparable', 'indicator', '“%1$s”的目标“%4$s”与实际“%5$s”单位不可比', '"%1$s": the target "%4$s" and the actual "%5$s" are in units that cannot be compared'),
    ('clause_unmatched', 'indicator', '“%1$s”的目标“%4$s”中有一项在实际“%5$s”中找不到', '"%1$s": a clause of the target "%4$s" has no match in the actual "%5$s"'),
    ('value_too_large', 'indicator', '“%1$s”数值过大，无法精确计算', '"%1$s": the numbers are too large to compute exactly'),
    ('unscorable', 'indicator', '“%1$s”的分值 %6$s 超出精确计算的范围，无法按规则评分', '"%1$s": the weight %6$s is beyond exact scoring: the rules cannot score it'),
    ('actual_is_claim', 'indicator', '“%1$s”的实际完成值“%5$s”是表述而非测量值，得分由评价人确定', '"%1$s": the actual "%5$s" is a claim, not a measurement; the evaluator scores it'),
    ('band_missing', 'indicator', '“%1$s”为定性指标，实际“%5$s”与目标“%4$s”不同，需记录评价档次（达成/部分达成/未达成）', '"%1$s" is qualitative and the actual "%5$s" differs from the target "%4$s": record the evaluator''s band (achieved, partial, not_achieved)'),
    ('score_outside_band', 'indicator', '“%1$s”得分 %7$s 不在所记录档次的区间 [%10$s, %11$s] 内', '"%1$s": the score %7$s lies outside its recorded band [%10$s, %11$s]'),
    ('date_missed', 'indicator', '“%1$s”未按期完成（目标 %4$s，实际 %5$s），得分由评价人确定', '"%1$s": the deadline was missed (target %4$s, actual %5$s); the evaluator scores it'),
    ('not_met_unexplained', 'indicator', '“%1$s”未完成目标（目标 %4$s，实际 %5$s），未填写偏差原因分析', '"%1$s" is not met (target %4$s, actual %5$s) and the deviation is not explained'),
    ('over_achieved_unexplained', 'indicator', '“%1$s”超额完成（目标 %4$s，实际 %5$s，为目标的 %9$s 倍），未填写偏差原因分析', '"%1$s" is over-achieved (target %4$s, actual %5$s, %9$s times the target) and the deviation is not explained'),
    ('level2_misplaced', 'indicator', '二级指标“%2$s”位于一级指标“%3$s”之下，按标准应属于%12$s', 'level-2 "%2$s" is placed under level-1 "%3$s"; the standard places it under %13$s'),
    ('level1_nonstandard', 'indicator', '一级指标“%3$s”不是标准的一级指标（产出、效益、满意度、成本指标）', 'level-1 "%3$s" is not a standard level-1 indicator (产出, 效益, 满意度 or 成本指标)'),
    ('level2_nonstandard', 'indicator', '二级指标“%2$s”不是标准的二级指标', 'level-2 "%2$s" is not a standard level-2 indicator'),
    ('reported_score_used', 'indicator', '“%1$s”的得分无法按规则计算，总分采用填报得分 %7$s', '"%1$s" cannot be scored by the rules: the total uses the reported score %7$s'),
    ('score_unavailable', 'indicator', '“%1$s”既无法计算得分也未填报得分，总分无法计算', '"%1$s" has neither a computable nor a reported score: no total can be computed'),
    ('fund_total_missing', 'fund', '缺少“年度资金总额”行，预算执行率无法计算', 'the 年度资金总额 (total) fund row is missing: no execution rate'),
    ('budget_zero', 'fund', '全年预算数为 0，执行率及其得分无法计算', 'the annual budget (全年预算数) is 0: the execution rate and its score are undefined'),
    ('fund_sources_mismatch', 'fund', '各资金来源之和（年初预算数 %1$s，全年预算数 %2$s，全年执行数 %3$s）与年度资金总额（%4$s，%5$s，%6$s）不符', 'the fund sources (initial %1$s, annual %2$s, executed %3$s) do not add up to the total (%4$s, %5$s, %6$s)'),
    ('execution_above_budget', 'fund', '全年执行数 %6$s 元超过全年预算数 %5$s 元', 'executed %6$s 元 is more than the annual budget %5$s 元'),
    ('execution_rate_low', 'fund', '执行率 %7$s%% 低于 %8$s%%', 'the execution rate %7$s%% is below %8$s%%'),
    ('fund_rate_mismatch', 'fund', '填报执行率 %9$s%% 与计算执行率 %7$s%% 不符', 'the reported execution rate %9$s%% differs from the computed %7$s%%'),
    ('fund_score_mismatch', 'fund', '预算执行率填报得分 %10$s 与计算得分 %11$s 不符', 'the reported execution-rate score %10$s differs from the computed %11$s'),
    ('reported_score_used', 'fund', '预算执行率得分无法计算，总分采用填报得分 %10$s', 'the execution-rate score cannot be computed: the total uses the reported score %10$s'),
    ('score_unavailable', 'fund', '预算执行率得分既无法计算也未填报，总分无法计算', 'the execution-rate score can neither be computed nor was it reported: no total'),
    ('unscorable', 'fund', '全年预算数 %5$s 元、全年执行数 %6$s 元或分值 %12$s 超出精确计算的范围，执行率或其得分无法按规则计算', 'the annual budget %5$s 元, the executed amount %6$s 元 or the weight %12$s is beyond exact scoring: the execution rate or its score cannot be computed'),
    ('unscorable', 'total', '总分 %13$s 超出精确计算的范围，无法评定等级', 'the total %13$s is beyond exact scoring: no grade'),
    ('weights_not_100', 'total', '分值合计 %14$s，不等于 100', 'the weights total %14$s, not 100'),
    ('level1_weight_off_profile', 'total', '一级指标分值与评分方案“%15$s”不符：预算执行率 %12$s（%16$s），产出指标 %17$s（%18$s），效益指标 %19$s（%20$s），满意度指标 %21$s（%22$s），成本指标 %23$s（%24$s）', 'level-1 weights differ from profile "%15$s": execution %12$s (%16$s), output %17$s (%18$s), benefit %19$s (%20$s), satisfaction %21$s (%22$s), cost %23$s (%24$s)'),
    ('reported_total_mismatch', 'total', '填报总分 %25$s 与各项填报得分之和 %26$s 不符', 'the reported total %25$s differs from the sum of the reported scores %26$s'),
    ('total_mismatch', 'total', '填报总分 %25$s 与计算总分 %13$s 不符', 'the reported total %25$s differs from the computed total %13$s'),
    ('indicators_missing', 'total', '没有年度绩效指标', 'the form has no performance indicators'),
    ('source_rate_mismatch', 'source', '“%1$s”行填报执行率 %2$s%% 与按该行金额计算的执行率 %3$s%% 不符', 'the %1$s row: the reported execution rate %2$s%% differs from the %3$s%% its amounts give'),
    ('source_score_mismatch', 'source', '“%1$s”行填报得分 %4$s 与按该行金额计算的得分 %5$s（分值 %6$s）不符', 'the %1$s row: the reported score %4$s differs from the %5$s its amounts give (weight %6$s)'),
    ('level1_inferred', 'line', '第 %1$s 行“%3$s”未填写一级指标，按二级指标推定为%2$s', 'line %1$s: "%3$s" has no level 1 written; inferred %2$s from its level 2'),
    ('unclosed_quote', 'line', '第 %1$s 行有一个单元格以引号开头而没有引号闭合，已按文字读入：请核对该行是否完整', 'line %1$s: a cell begins with a quote that nothing closes and was read as text: check that the row is whole');

-- The list of codes as it always was (documentation as data).
CREATE VIEW @extschema@.finding_code AS
SELECT c.code, c.scope, c.severity, c.description_zh, c.description_en
FROM @extschema@.finding_catalogue c;

COMMENT ON VIEW @extschema@.finding_code IS
'Every code pjeval.audit_finding can give: scope (indicator, form or both), severity (error, warning, info) and what it means';

-- The fund sources as the template names them (the one list the views and
-- reports take their labels and order from).
CREATE TABLE @extschema@.standard_fund_source (
    source          text PRIMARY KEY,
    label           text NOT NULL UNIQUE,
    position        smallint NOT NULL UNIQUE
);

COMMENT ON TABLE @extschema@.standard_fund_source IS
'The fund sources of 资金使用情况 as the template names them, in its order: total 年度资金总额, appropriation 当年财政拨款, carryover 上年结转资金, other 其他资金';

INSERT INTO @extschema@.standard_fund_source (source, label, position) VALUES
    ('total', '年度资金总额', 1),
    ('appropriation', '当年财政拨款', 2),
    ('carryover', '上年结转资金', 3),
    ('other', '其他资金', 4);

-- Every fund line, with the execution rate and score its own amounts give.
-- The total row's are the form's (pjeval.evaluation_result); a source row's
-- 执行率 and 得分, where a form prints them, are checked against its own:
-- its 分值, else the total row's, else the profile's.  They never count.
CREATE VIEW @extschema@.fund_line_result WITH (security_barrier = true) AS
SELECT
    fl.evaluation_id,
    fl.source,
    fl.label,
    fl.annual_budget,
    fl.executed,
    fl.reported_weight,
    fl.reported_rate,
    fl.reported_score,
    w.weight,
    c.execution_rate AS computed_rate,
    c.fund_score AS computed_score,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN fl.source <> 'total' AND pg_catalog.abs(fl.reported_rate - c.execution_rate) > 0.01
             THEN 'source_rate_mismatch' END,
        CASE WHEN fl.source <> 'total' AND pg_catalog.abs(fl.reported_score - c.fund_score) > 0.01
             THEN 'source_score_mismatch' END
    ], NULL) AS findings
FROM @extschema@.fund_line fl
JOIN @extschema@.evaluation e ON e.evaluation_id = fl.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN @extschema@.fund_line t ON t.evaluation_id = fl.evaluation_id AND t.source = 'total'
CROSS JOIN LATERAL (
    SELECT coalesce(fl.reported_weight, t.reported_weight, pr.execution_weight) AS weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(fl.annual_budget, fl.executed) AS execution_rate,
           @extschema@.try_fund_score(fl.annual_budget, fl.executed, w.weight) AS fund_score
) c
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.fund_line_result IS
'Every fund line the caller may see, with the execution rate and score its own amounts give (the weight: its own 分值, else the total row''s, else the profile''s) and its finding codes: a source row''s printed 执行率 or 得分 that differs (source_rate_mismatch, source_score_mismatch)';

CREATE OR REPLACE VIEW @extschema@.evaluation_result WITH (security_barrier = true) AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    pg_catalog.round(f.initial_budget * m.factor, 2) AS initial_budget,
    pg_catalog.round(f.annual_budget * m.factor, 2) AS annual_budget,
    pg_catalog.round(f.executed * m.factor, 2) AS executed,
    pg_catalog.round(f.sources_initial_budget * m.factor, 2) AS sources_initial_budget,
    pg_catalog.round(f.sources_annual_budget * m.factor, 2) AS sources_annual_budget,
    pg_catalog.round(f.sources_executed * m.factor, 2) AS sources_executed,
    c.execution_rate,
    f.reported_rate AS reported_execution_rate,
    c.fund_weight,
    c.fund_score,
    f.reported_score AS reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    t.total_score,
    e.reported_total,
    e.reported_total - t.total_score AS total_difference,
    CASE WHEN @extschema@.is_scorable_number(t.total_score)
         THEN @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) END AS grade,
    c.fund_weight + coalesce(s.weight_total, 0) AS weight_total,
    s.output_weight,
    s.benefit_weight,
    s.satisfaction_weight,
    s.cost_weight,
    s.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) + coalesce(rf.finding_count, 0)
        + coalesce(sf.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN (
    SELECT fl.evaluation_id,
           pg_catalog.bool_or(fl.source = 'total') AS has_total,
           pg_catalog.max(fl.initial_budget) FILTER (WHERE fl.source = 'total') AS initial_budget,
           pg_catalog.max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
           pg_catalog.max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
           pg_catalog.max(fl.reported_weight) FILTER (WHERE fl.source = 'total') AS reported_weight,
           pg_catalog.max(fl.reported_rate) FILTER (WHERE fl.source = 'total') AS reported_rate,
           pg_catalog.max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
           pg_catalog.sum(fl.initial_budget) FILTER (WHERE fl.source <> 'total') AS sources_initial_budget,
           pg_catalog.sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget,
           pg_catalog.sum(fl.executed) FILTER (WHERE fl.source <> 'total') AS sources_executed
    FROM @extschema@.fund_line fl
    GROUP BY fl.evaluation_id
) f ON f.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT r.evaluation_id,
           pg_catalog.count(*) AS indicator_count,
           pg_catalog.count(*) FILTER (WHERE r.counted_score IS NULL) AS unscored,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'output' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'output'), 0) END AS output_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'benefit' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'benefit'), 0) END AS benefit_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'satisfaction' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) END AS satisfaction_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'cost' AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'cost') END AS cost_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind IS NULL AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind IS NULL) END AS other_score,
           pg_catalog.sum(r.counted_score) AS indicator_score,
           pg_catalog.sum(r.weight) AS weight_total,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'cost') AS cost_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind IS NULL) AS other_weight,
           pg_catalog.sum(r.reported_score) AS reported_score_total,
           pg_catalog.sum(pg_catalog.cardinality(r.findings)) AS finding_count
    FROM @extschema@.indicator_result r
    GROUP BY r.evaluation_id
) s ON s.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.count(*) AS finding_count
    FROM @extschema@.read_finding x
    GROUP BY x.evaluation_id
) rf ON rf.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.sum(pg_catalog.cardinality(x.findings)) AS finding_count
    FROM @extschema@.fund_line_result x
    WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
    GROUP BY x.evaluation_id
) sf ON sf.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, pr.execution_weight) AS fund_weight,
           @extschema@.try_fund_score(f.annual_budget, f.executed,
                                      coalesce(f.reported_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
CROSS JOIN LATERAL (
    SELECT pg_catalog.array_remove(ARRAY[
        CASE WHEN f.has_total IS NOT TRUE THEN 'fund_total_missing' END,
        CASE WHEN f.annual_budget = 0 THEN 'budget_zero' END,
        CASE WHEN f.sources_annual_budget IS NOT NULL
              AND (f.sources_initial_budget <> f.initial_budget
                   OR f.sources_annual_budget <> f.annual_budget
                   OR f.sources_executed <> f.executed) THEN 'fund_sources_mismatch' END,
        CASE WHEN f.executed > f.annual_budget THEN 'execution_above_budget' END,
        CASE WHEN c.execution_rate < pr.low_execution_rate THEN 'execution_rate_low' END,
        CASE WHEN pg_catalog.abs(f.reported_rate - c.execution_rate) > 0.01 THEN 'fund_rate_mismatch' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN (f.has_total AND f.annual_budget <> 0 AND (c.execution_rate IS NULL OR c.fund_score IS NULL))
               OR NOT @extschema@.is_scorable_number(t.total_score) THEN 'unscorable' END,
        CASE WHEN c.fund_weight + coalesce(s.weight_total, 0) <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight
               OR s.output_weight <> pr.output_weight
               OR s.benefit_weight <> pr.benefit_weight
               OR s.satisfaction_weight <> pr.satisfaction_weight
               OR coalesce(s.cost_weight, 0) <> coalesce(pr.cost_weight, 0) THEN 'level1_weight_off_profile' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.evaluation_result IS
'Every form the caller may see, scored live: amounts in 元, execution rate, fund score, subtotals per level 1, total (fund score + counted indicator scores), reported total, grade by the form''s profile, weights, and its form-level finding codes and count of all findings';
COMMENT ON COLUMN @extschema@.evaluation_result.execution_rate IS '执行率 in percent: 全年执行数 / 全年预算数 of the 年度资金总额 row, 2 places; NULL for a zero budget, or amounts beyond exact scoring (finding unscorable)';
COMMENT ON COLUMN @extschema@.evaluation_result.fund_weight IS 'The form''s 分值 for the execution rate, else the profile''s';
COMMENT ON COLUMN @extschema@.evaluation_result.other_score IS 'Subtotal of rows under a non-standard level 1 (NULL when there are none)';
COMMENT ON COLUMN @extschema@.evaluation_result.cost_score IS 'Subtotal of 成本指标 as its own level 1 (NULL where the form has none)';
COMMENT ON COLUMN @extschema@.evaluation_result.total_score IS 'Fund score + Σ counted indicator scores (each rounded first); NULL when a part has neither a computed nor a reported score';
COMMENT ON COLUMN @extschema@.evaluation_result.total_difference IS 'reported_total - total_score';
COMMENT ON COLUMN @extschema@.evaluation_result.reported_score_sum IS 'The reported fund score plus every reported indicator score';
COMMENT ON COLUMN @extschema@.evaluation_result.findings IS 'Codes of the form-level problems (pjeval.finding_code)';
COMMENT ON COLUMN @extschema@.evaluation_result.finding_count IS 'Number of rows of pjeval.audit_finding for this form (form-level, indicator-level, source rows'' and the form reader''s)';

-- One row per problem.  position is the indicator's position, NULL for a
-- problem of the whole form.  The message is the code's template for the
-- place it was found (pjeval.finding_message) over that place's one fixed
-- list of arguments: a new code is a row there, not a change here.
CREATE VIEW @extschema@.audit_finding WITH (security_barrier = true) AS
SELECT r.evaluation_id,
       r.position,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(m.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.indicator_result r
CROSS JOIN LATERAL pg_catalog.unnest(r.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'indicator'
LEFT JOIN @extschema@.standard_level h ON h.level = 1 AND h.kind = r.level2_home
CROSS JOIN LATERAL (
    SELECT ARRAY[r.level3, r.level2, r.level1, r.target_text, r.actual_text,
                 r.weight::text, r.reported_score::text, r.computed_score::text,
                 pg_catalog.round(r.completion, 2)::text,
                 pg_catalog.round(r.band_low, 2)::text, pg_catalog.round(r.band_high, 2)::text,
                 h.name, h.name || ' (' || h.kind || ')',
                 CASE WHEN f.code = 'target_unreadable' THEN @extschema@.indicator_value_error(r.target_text) END,
                 CASE WHEN f.code = 'actual_unreadable' THEN @extschema@.indicator_value_error(r.actual_text) END] AS args
) a
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.evaluation_result e
CROSS JOIN LATERAL pg_catalog.unnest(e.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
-- unscorable is the execution rate's or its score's where one of them is
-- missing, else the total's
JOIN @extschema@.finding_message m
  ON m.code = f.code
 AND m.place = CASE WHEN f.code <> 'unscorable' THEN m.place
                    WHEN e.execution_rate IS NULL OR e.fund_score IS NULL THEN 'fund'
                    ELSE 'total' END
 AND m.place IN ('fund', 'total')
JOIN @extschema@.profile pr ON pr.name = e.profile
CROSS JOIN LATERAL (
    SELECT ARRAY[e.sources_initial_budget::text, e.sources_annual_budget::text, e.sources_executed::text,
                 e.initial_budget::text, e.annual_budget::text, e.executed::text,
                 e.execution_rate::text, pr.low_execution_rate::text, e.reported_execution_rate::text,
                 e.reported_fund_score::text, e.fund_score::text, e.fund_weight::text, e.total_score::text,
                 e.weight_total::text, e.profile, pr.execution_weight::text,
                 e.output_weight::text, pr.output_weight::text, e.benefit_weight::text, pr.benefit_weight::text,
                 e.satisfaction_weight::text, pr.satisfaction_weight::text,
                 coalesce(e.cost_weight, 0)::text, coalesce(pr.cost_weight, 0)::text,
                 e.reported_total::text, e.reported_score_sum::text] AS args
) a
UNION ALL
-- a source row's printed 执行率 or 得分
SELECT x.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.fund_line_result x
CROSS JOIN LATERAL pg_catalog.unnest(x.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'source'
JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.source
CROSS JOIN LATERAL (
    SELECT ARRAY[coalesce(x.label, sfs.label), x.reported_rate::text, x.computed_rate::text, x.reported_score::text,
                 x.computed_score::text, x.weight::text] AS args
) a
WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
UNION ALL
-- what the form reader found, on the indicator of its line or on the form
SELECT rf.evaluation_id,
       rf.position,
       rf.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.read_finding rf
JOIN @extschema@.evaluation e ON e.evaluation_id = rf.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message m ON m.code = rf.code AND m.place = 'line'
LEFT JOIN @extschema@.indicator i ON i.evaluation_id = rf.evaluation_id AND i.position = rf.position
CROSS JOIN LATERAL (
    SELECT ARRAY[rf.line::text, rf.detail, i.level3, rf.source] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.audit_finding IS
'One row per problem found on a form the caller may see: evaluation, indicator position (NULL for the whole form), stable code (pjeval.finding_code), severity and a message in Chinese and English';

DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.audit_finding SET (security_invoker = true);
        ALTER VIEW @extschema@.audit_finding RESET (security_barrier);
        ALTER VIEW @extschema@.finding_code SET (security_invoker = true);
        ALTER VIEW @extschema@.standard_level SET (security_invoker = true);
        ALTER VIEW @extschema@.fund_line_result SET (security_invoker = true);
        ALTER VIEW @extschema@.fund_line_result RESET (security_barrier);
    END IF;
END
$$;

GRANT SELECT ON @extschema@.audit_finding, @extschema@.finding_code TO PUBLIC;
GRANT SELECT ON @extschema@.finding_catalogue, @extschema@.finding_message, @extschema@.standard_fund_source,
                @extschema@.fund_line_result, @extschema@.standard_level TO PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.indicator_level1_kind(level1 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT l.kind FROM @extschema@.standard_level l
    WHERE l.level OPERATOR(pg_catalog.=) 1
      AND l.name OPERATOR(pg_catalog.=) @extschema@.indicator_level_name($1)
$$;

CREATE OR REPLACE FUNCTION @extschema@.indicator_level2_home(level2 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT l.kind FROM @extschema@.standard_level l
    WHERE l.level OPERATOR(pg_catalog.=) 2
      AND l.name OPERATOR(pg_catalog.=) @extschema@.indicator_level_name($1)
$$;

COMMENT ON FUNCTION @extschema@.indicator_level1_kind(pg_catalog.text) IS
'output (产出), benefit (效益), satisfaction (满意度) or cost (成本) for a level-1 name, NULL for a non-standard one: indicator_result.level1_kind';
COMMENT ON FUNCTION @extschema@.indicator_level2_home(pg_catalog.text) IS
'The level 1 a level-2 name belongs under by the standard (output, benefit, satisfaction, cost), NULL for a non-standard one: indicator_result.level2_home';


CREATE OR REPLACE FUNCTION @extschema@.fund_source_label(label text)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN l ~ '^(年度)?(项目)?(财政)?资金总额(合计)?$' OR l IN ('合计', '总计', '小计') THEN 'total'
        WHEN l ~ '^(当年|本年|年度)?财政(拨款|资金)(资金)?$' THEN 'appropriation'
        WHEN l ~ '^(上年)?结转(结余)?(资金)?$' THEN 'carryover'
        WHEN l ~ '^其他(资金|来源)?$' OR l IN ('财政专户管理资金', '单位资金') THEN 'other'
    END
    FROM (SELECT pg_catalog.regexp_replace($1, '[[:space:]　*＊:：]+', '', 'g') AS l) s
$$;

CREATE OR REPLACE FUNCTION @extschema@.import_problem(forms jsonb, funds jsonb, inds jsonb)
RETURNS TABLE (form integer, line integer, expected text, sqlstate text, pattern text)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $q$
    SELECT p.form, p.line, p.expected, p.sqlstate, p.pattern 
    FROM (
        SELECT f.form, f.line,
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN 'a year between 2000 and 2100 after 绩效自评年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '实施单位 or 一级预算单位 in the header (the unit the project belongs to)'
                    ELSE 'numbers from 0 to 100 under 分值 and 得分 in the 总分 row' END AS expected,
               CASE WHEN f.unit IS NULL AND f.top_unit IS NULL AND f.year BETWEEN 2000 AND 2100 THEN '22P02' ELSE '22003' END AS sqlstate,
               -- the row to show: the header's, or the 总分 row
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN '(绩效自评|自评|评价)年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '项目名称'
                    ELSE '^[[:space:]"]*(总分|合计)' END AS pattern
        FROM jsonb_to_recordset(import_problem.forms) AS f (form integer, line integer, year integer, unit text, top_unit text,
                                             total_weight numeric, total_score numeric)
        WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
           OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100
        UNION ALL
        SELECT x.form, x.line,
               CASE
                   WHEN x.src IS NULL THEN
                       pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', x.source)
                   WHEN least(x.initial_budget, x.budget, x.executed) < 0 THEN
                       'amounts of 0 or more under 年初预算数, 全年预算数 and 全年执行数'
                   WHEN x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0 THEN
                       'a 分值 and 得分 from 0 to 100 and an 执行率 of 0 or more'
                   ELSE pg_catalog.format('a number of at most 18 significant digits and 18 decimal places under %s (scores are computed exactly)',
                            CASE WHEN NOT @extschema@.is_scorable_number(x.initial_budget) THEN '年初预算数'
                                 WHEN NOT @extschema@.is_scorable_number(x.budget) THEN '全年预算数'
                                 WHEN NOT @extschema@.is_scorable_number(x.executed) THEN '全年执行数'
                                 WHEN NOT @extschema@.is_scorable_number(x.weight) THEN '分值'
                                 WHEN NOT @extschema@.is_scorable_number(x.rate) THEN '执行率'
                                 ELSE '得分' END)
               END,
               CASE WHEN x.src IS NULL THEN '22P02' ELSE '22003' END,
               NULL
        FROM (SELECT y.*, @extschema@.fund_source(y.source) AS src
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text, initial_budget numeric,
                                                   budget numeric, executed numeric, weight numeric,
                                                   rate numeric, score numeric)) x
        WHERE x.src IS NULL
           OR least(x.initial_budget, x.budget, x.executed) < 0
           OR x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0
           OR NOT (@extschema@.is_scorable_number(x.initial_budget) AND @extschema@.is_scorable_number(x.budget)
                   AND @extschema@.is_scorable_number(x.executed) AND @extschema@.is_scorable_number(x.weight)
                   AND @extschema@.is_scorable_number(x.rate) AND @extschema@.is_scorable_number(x.score))
        UNION ALL
        -- the same source twice in a form: the second row is the one to name
        SELECT d.form, d.lines[2],
               pg_catalog.format('each fund source once per form (“%s” was the row of line %s)', d.source, d.lines[1]),
               '22P02', NULL
        FROM (SELECT y.form, (pg_catalog.array_agg(y.source ORDER BY y.line))[1] AS source,
                     pg_catalog.array_agg(y.line ORDER BY y.line) AS lines
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text)
              GROUP BY y.form, @extschema@.fund_source(y.source),
                       CASE WHEN @extschema@.fund_source(y.source) = 'other'
                            THEN nullif(y.source, '其他资金') END
              HAVING pg_catalog.count(*) > 1) d
        UNION ALL
        SELECT i.form, i.line,
               CASE WHEN i.level2 IS NULL
                    THEN 'a 二级指标 (数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, …) for this indicator or a row above'
                    WHEN i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100 THEN 'a 分值 and 得分 from 0 to 100'
                    ELSE pg_catalog.format('a number of at most 18 significant digits and 18 decimal places under %s (scores are computed exactly)',
                             CASE WHEN NOT @extschema@.is_scorable_number(i.weight) THEN '分值' ELSE '得分' END) END,
               CASE WHEN i.level2 IS NULL THEN '22P02' ELSE '22003' END,
               NULL
        FROM jsonb_to_recordset(import_problem.inds) AS i (form integer, line integer, level2 text, weight numeric, score numeric)
        WHERE i.level2 IS NULL OR i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100
           OR NOT (@extschema@.is_scorable_number(i.weight) AND @extschema@.is_scorable_number(i.score))
    ) p
    ORDER BY p.form, p.line
    LIMIT 1
$q$;

CREATE OR REPLACE FUNCTION @extschema@.export_form(evaluation_id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    out text[] := '{}';
    funds text;
    inds text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_forms reads it back); ''html'' writes a printable page.';
    END IF;
    IF export_form.evaluation_id IS NULL THEN
        RETURN NULL;
    END IF;

    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;

    IF format = 'html' THEN
        RETURN @extschema@.export_form_html(export_form.evaluation_id);
    END IF;

    -- The template's layout, as in the forms it was read from: the same
    -- sections, labels and columns, blank lines between the sections.
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END,
                   CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                                 WHEN 'carryover' THEN '上年结转资金'
                                 ELSE @extschema@.export_cell(coalesce(f.label, '其他资金')) END,
                   f.initial_budget, f.annual_budget, f.executed,
                   coalesce(f.reported_weight::text, '—'), coalesce(f.reported_rate::text, '—'),
                   coalesce(f.reported_score::text, '—')),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source), fl.fund_line_id) AS n
          FROM @extschema@.fund_line fl
          WHERE fl.evaluation_id = export_form.evaluation_id) f;

    -- Level-1 and level-2 cells left blank where they repeat the row above,
    -- as on the form, unless the row would then begin with a word the
    -- reader takes for the template's own (总分, 备注, …).
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.new1 THEN @extschema@.export_cell(i.level1) ELSE '' END,
                   CASE WHEN i.new2 OR (NOT i.new1 AND @extschema@.is_template_label(i.level3))
                        THEN @extschema@.export_cell(i.level2) ELSE '' END,
                   @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                   @extschema@.export_cell(i.actual_text), coalesce(i.weight::text, ''),
                   coalesce(i.reported_score::text, ''), @extschema@.export_cell(i.deviation_reason)),
               E'\n' ORDER BY i.position)
    INTO inds
    FROM (SELECT ind.*,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL
                     OR @extschema@.is_template_label(ind.level2) AS new1,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR ind.level2 IS DISTINCT FROM pg_catalog.lag(ind.level2) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL AS new2
          FROM @extschema@.indicator ind
          WHERE ind.evaluation_id = export_form.evaluation_id
          WINDOW w AS (ORDER BY ind.position)) i;

    out := ARRAY[
        '',
        '项目支出绩效自评表',
        '',
        pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(e.project_code),
                             '项目名称:', @extschema@.export_cell(e.project_name), '绩效自评年度:', e.year),
        pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(e.unit_name),
                             '一级预算单位:', @extschema@.export_cell(e.budget_unit_name), '', ''),
        '',
        '资金使用情况',
        '',
        E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分'];
    IF funds IS NOT NULL THEN
        out := out || funds;
    END IF;
    out := out || ARRAY[
        '',
        '项目目标完成情况',
        '',
        E'年度总体目标\t预期目标\t\t\t\t* 实际完成情况\t\t\t',
        pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(e.expected_goal), '', '', '',
                             @extschema@.export_cell(e.actual_outcome), '', '', ''),
        E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施'];
    IF inds IS NOT NULL THEN
        out := out || inds;
    END IF;
    out := out || ARRAY[
        pg_catalog.concat_ws(E'\t', '总分', '', '', '', '', '', coalesce(e.reported_weight_total::text, ''),
                             coalesce(e.reported_total::text, ''), '—'),
        '',
        CASE WHEN e.notes IS NULL THEN '备注：'
             WHEN e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"'
                 THEN E'备注：\t' || @extschema@.export_cell(e.notes)
             ELSE '备注：' || e.notes END,
        '',
        '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。'];
    RETURN pg_catalog.array_to_string(out, E'\n') || E'\n';
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.export_form_html(evaluation_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    r record;
    funds text;
    inds text;
    finds text;
    nfund integer;
    nind integer;
    h text;
    status_zh text;
    fs jsonb;
    total_sev text;
    total_marks text;
BEGIN
    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form_html.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form_html.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    SELECT * INTO r FROM @extschema@.evaluation_result er WHERE er.evaluation_id = export_form_html.evaluation_id;
    status_zh := CASE e.status WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' ELSE '已审核' END;

    -- the findings, numbered: the whole form's first, then by indicator.
    -- A form's finding is marked on the 年度资金总额 row when it is about the
    -- funds, else on the 总分 row.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY x.n), '[]') INTO fs
    FROM (SELECT pg_catalog.row_number() OVER (ORDER BY a.position NULLS FIRST,
                     pg_catalog.array_position(ARRAY['error', 'warning', 'info'], a.severity), a.code) AS n,
                 a.position, a.code, a.severity, a.message_zh, a.message_en,
                 CASE WHEN a.position IS NOT NULL THEN 'indicator'
                      WHEN a.code IN ('fund_total_missing', 'budget_zero', 'fund_sources_mismatch', 'execution_above_budget',
                                      'execution_rate_low', 'fund_rate_mismatch', 'fund_score_mismatch',
                                      'reported_score_used', 'score_unavailable') THEN 'fund'
                      ELSE 'total' END AS place
          FROM @extschema@.audit_finding a
          WHERE a.evaluation_id = export_form_html.evaluation_id) x;
    SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1],
           coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '')
    INTO total_sev, total_marks
    FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
    WHERE x.place = 'total';

    SELECT pg_catalog.count(*) INTO nfund FROM @extschema@.fund_line fl WHERE fl.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s>%s<td class="label">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
               '<td class="num">%s</td><td class="num">%s%s</td><td class="num">%s%s%s</td></tr>',
               CASE WHEN f.source = 'total' AND f.sev IS NOT NULL THEN ' class="finding-' || f.sev || '"' ELSE '' END,
               CASE WHEN f.n = 1 THEN pg_catalog.format('<th rowspan="%s" colspan="2" class="label">项目资金（%s）</th>',
                                                         nfund, @extschema@.html_escape(e.amount_unit)) ELSE '' END,
               CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                             WHEN 'carryover' THEN '上年结转资金'
                             ELSE @extschema@.html_escape(coalesce(f.label, '其他资金')) END,
               f.initial_budget, f.annual_budget, f.executed,
               coalesce(f.reported_weight::text, '—'),
               coalesce(f.reported_rate::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.execution_rate::text, '—')) ELSE '' END,
               coalesce(f.reported_score::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.fund_score::text, '—')) ELSE '' END,
               CASE WHEN f.source = 'total' THEN f.marks ELSE '' END),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source), fl.fund_line_id) AS n,
                 m.sev, m.marks
          FROM @extschema@.fund_line fl
          CROSS JOIN LATERAL (
              SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                     coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
              FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
              WHERE x.place = 'fund') m
          WHERE fl.evaluation_id = export_form_html.evaluation_id) f;

    SELECT pg_catalog.count(*) INTO nind FROM @extschema@.indicator i WHERE i.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s><td class="pos">%s</td>%s%s<td>%s</td><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s<span class="computed">计算 %s</span>%s</td><td>%s</td></tr>',
               CASE WHEN g.sev IS NOT NULL THEN ' class="finding-' || g.sev || '"' ELSE '' END,
               g.position,
               CASE WHEN g.n1 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size1, @extschema@.html_escape(g.level1)) ELSE '' END,
               CASE WHEN g.n2 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size2, @extschema@.html_escape(g.level2)) ELSE '' END,
               @extschema@.html_escape(g.level3),
               @extschema@.html_escape(g.target_text),
               @extschema@.html_escape(g.actual_text),
               coalesce(g.weight::text, ''),
               coalesce(g.reported_score::text, ''),
               coalesce(g.computed_score::text, '—'),
               g.marks,
               @extschema@.html_escape(g.deviation_reason)),
               E'\n' ORDER BY g.position)
    INTO inds
    FROM (SELECT b.*,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1 ORDER BY b.position) AS n1,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1) AS size1,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1, b.run2 ORDER BY b.position) AS n2,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1, b.run2) AS size2
          FROM (SELECT a.*,
                       pg_catalog.sum(a.new1::integer) OVER (ORDER BY a.position) AS run1,
                       pg_catalog.sum(a.new2::integer) OVER (ORDER BY a.position) AS run2
                FROM (SELECT i.*, ir.computed_score,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new1,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR i.level2 IS DISTINCT FROM pg_catalog.lag(i.level2) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new2,
                             m.sev, m.marks
                      FROM @extschema@.indicator i
                      LEFT JOIN @extschema@.indicator_result ir ON ir.indicator_id = i.indicator_id
                      CROSS JOIN LATERAL (
                          SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                                 coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
                          FROM jsonb_to_recordset(fs) AS x (n integer, position integer, severity text)
                          WHERE x.position = i.position) m
                      WHERE i.evaluation_id = export_form_html.evaluation_id
                      WINDOW w AS (ORDER BY i.position)) a) b) g;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<li id="f%s" class="finding-%s"><span class="sev %s">%s</span> <span class="where">%s</span> %s <code>%s</code><br><span class="en">%s</span></li>',
               x.n, x.severity, x.severity,
               CASE x.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END,
               CASE WHEN x.position IS NULL THEN '整表' ELSE '指标 ' || x.position END,
               @extschema@.html_escape(x.message_zh), @extschema@.html_escape(x.code),
               @extschema@.html_escape(x.message_en)),
               E'\n' ORDER BY x.n)
    INTO finds
    FROM jsonb_to_recordset(fs) AS x (n integer, position integer, code text, severity text, message_zh text, message_en text);

    h := pg_catalog.concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pjeval">
<title>项目支出绩效自评表 · ', @extschema@.html_escape(e.project_name), ' · ', e.year, '年度</title>
<style>
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 10pt; color: #000; background: #fff; }
body { margin: 0 auto; padding: 8mm 0; max-width: 186mm; line-height: 1.45; }
h1 { text-align: center; font-size: 17pt; letter-spacing: .25em; margin: 0; font-weight: 700; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; font-size: 10pt; }
.status { display: inline-block; border: 1px solid #555; padding: 0 1.5mm; font-size: 8.5pt; margin-left: 2mm; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm 1.4mm; vertical-align: middle; overflow-wrap: anywhere; }
table.form th { font-weight: 400; background: #f0f0f0; text-align: center; font-size: 9pt; }
table.form th.part { background: #dcdcdc; font-weight: 700; letter-spacing: .1em; }
table.form th.section, table.form th.label, table.form td.level { text-align: center; }
table.form td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.form td.text { text-align: left; }
table.form td.pos { text-align: center; color: #333; }
.computed { display: block; color: #444; font-size: 7.5pt; white-space: nowrap; }
tr.finding-error > td:not(.level) { background: #fbe3e1; }
tr.finding-warning > td:not(.level) { background: #fdf3cf; }
tr.finding-info > td:not(.level) { background: #eaf1fb; }
td.code { white-space: nowrap; font-size: 8.5pt; font-variant-numeric: tabular-nums; }
a.mark { display: inline-block; min-width: 3.2mm; margin-left: .6mm; padding: 0 .5mm; border-radius: 1mm; font-size: 7pt; line-height: 1.4; text-align: center; text-decoration: none; color: #fff; vertical-align: super; }
a.mark.error, .sev.error { background: #b3261e; }
a.mark.warning, .sev.warning { background: #a86a00; }
a.mark.info, .sev.info { background: #41618f; }
.sev { color: #fff; padding: 0 1mm; border-radius: 1mm; font-size: 8pt; }
section.findings { margin-top: 5mm; }
section.findings h2 { font-size: 11pt; margin: 0 0 2mm; }
section.findings ol { margin: 0; padding-left: 0; list-style: none; }
section.findings li { padding: 1mm 1.5mm; margin-bottom: 1mm; border-left: 1mm solid transparent; break-inside: avoid; }
section.findings li.finding-error { border-color: #b3261e; background: #fbe3e1; }
section.findings li.finding-warning { border-color: #a86a00; background: #fdf3cf; }
section.findings li.finding-info { border-color: #41618f; background: #eaf1fb; }
section.findings .where { font-weight: 700; }
section.findings code { font-size: 7.5pt; color: #555; }
section.findings .en { color: #555; font-size: 8pt; }
p.foot { font-size: 8pt; color: #444; margin-top: 3mm; }
@media print {
  body { padding: 0; max-width: none; }
  li { break-inside: avoid; }
  a.mark { color: #fff; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<h1>项目支出绩效自评表</h1>
<p class="subtitle">（', e.year, '年度）<span class="status">', status_zh, '</span></p>
<table class="form">
<colgroup><col style="width:6%"><col style="width:11%"><col style="width:12%"><col style="width:17%"><col style="width:12%"><col style="width:12%"><col style="width:7%"><col style="width:10%"><col style="width:13%"></colgroup>
<tbody>
<tr><th colspan="2">项目编号</th><td colspan="2" class="code">', @extschema@.html_escape(e.project_code), '</td><th>项目名称</th><td colspan="2">',
        @extschema@.html_escape(e.project_name), '</td><th>绩效自评年度</th><td>', e.year, '</td></tr>
<tr><th colspan="2">实施单位</th><td colspan="2">', @extschema@.html_escape(e.unit_name), '</td><th>一级预算单位</th><td colspan="4">',
        @extschema@.html_escape(e.budget_unit_name), '</td></tr>
<tr><th colspan="9" class="part">资金使用情况</th></tr>
<tr><th colspan="3"></th><th>年初预算数</th><th>全年预算数</th><th>全年执行数</th><th>分值</th><th>执行率 (%)</th><th>得分</th></tr>
', coalesce(funds, ''), '
<tr><th colspan="9" class="part">项目目标完成情况</th></tr>
<tr><th rowspan="2" colspan="2" class="section">年度总体目标</th><th colspan="3">预期目标</th><th colspan="4">实际完成情况</th></tr>
<tr><td colspan="3" class="text">', @extschema@.html_escape(e.expected_goal), '</td><td colspan="4" class="text">',
        @extschema@.html_escape(e.actual_outcome), '</td></tr>
<tr><th colspan="9" class="part">年度绩效指标</th></tr>
<tr><th>序号</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th><th>分值</th><th>得分</th><th>偏差原因分析及改进措施</th></tr>
', coalesce(inds, ''), '
<tr', CASE WHEN total_sev IS NOT NULL THEN ' class="finding-' || total_sev || '"' END, '><th colspan="6">总分</th><td class="num">',
        coalesce(e.reported_weight_total::text, ''), '</td><td class="num">', coalesce(e.reported_total::text, ''),
        '<span class="computed">计算 ', coalesce(r.total_score::text, '—'), '</span>', total_marks, '</td><td>评级：',
        coalesce(r.grade, '—'), '</td></tr>
<tr><th colspan="2">备注</th><td colspan="7" class="text">', pg_catalog.replace(@extschema@.html_escape(e.notes), E'\n', '<br>'), '</td></tr>
</tbody>
</table>
<p class="foot">“计算”为 pjeval 按评分规则（', @extschema@.html_escape(e.profile), '）核算的数值，与填报数值并列；有审核发现的行以底色标出并编号。</p>
<section class="findings">
<h2>审核发现（', pg_catalog.jsonb_array_length(fs), '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
    RETURN h;
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;            -- the forms of a batch
    funds jsonb;            -- every fund line of the batch
    inds jsonb;             -- every indicator of the batch
    bad record;
    pos_offset bigint := 0; -- where the next batch begins (NULL: the document is read)
    pos_line integer := 1;
    pos_form integer := 0;
    base integer;           -- forms before the batch: its form f is element f - base below
    done_form integer[] := '{}';    -- the forms of the batches before, for step 5
    done_line integer[] := '{}';
    done_year integer[] := '{}';
    done_project bigint[] := '{}';
    done_code text[] := '{}';
    done_name text[] := '{}';
    quote_lines integer[] := '{}';  -- cells whose quote nothing closes (read as text)
    form_unit bigint[];     -- per form of the batch, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];  -- batch-local, as the arrays above
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];         -- form numbers
    attempt integer;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- The document is read and written a batch of forms at a time (500
    -- forms or about 8 MB of text, see read_form_batch), steps 1-7 per
    -- batch, all in this one transaction: memory is that of a batch, and a
    -- cancel or a timeout stops the import between any two rows it reads.
    LOOP
        -- 1. Read.  A form that cannot be read at all raises here (22P02, with
        -- the form, the line and what was expected); what earlier batches wrote
        -- is undone with the rest.  The fund lines and indicators of the
        -- batch's forms are taken out once, each with its form's position:
        -- every statement below reads a flat set.
        EXIT WHEN pos_offset IS NULL;
        base := pos_form;
        SELECT b.forms, b.next_offset, b.next_line, b.next_form INTO forms, pos_offset, pos_line, pos_form
        FROM @extschema@.read_form_batch(document, pos_offset, pos_line, pos_form, 500) AS b;
        n := pg_catalog.jsonb_array_length(forms);
        EXIT WHEN n = 0;
        funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
        inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');
        quote_lines := quote_lines || ARRAY(SELECT x.line
                                            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                                                 AS x (line integer, code text)
                                            WHERE x.code = 'unclosed_quote'
                                            ORDER BY x.line);

        RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 2. What the reader lets through but no table can hold.  The header
        -- is checked here (before units and projects are looked for); fund
        -- lines and indicators by the tables' own constraints as they are
        -- written (step 7), at no cost when all is well.  Either way the error
        -- names the document's first such cell (import_raise_problem).
        IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                             total_weight numeric, total_score numeric)
                   WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                      OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
        -- created at the top level when there is none; 实施单位 is a unit of
        -- that name (under its 一级预算单位 first, then at the top level), created
        -- under its 一级预算单位 when there is none, at the top level when the
        -- form names none (and no other form of the document places it).
        -- Creating units is for reviewers (row-level security says so when
        -- someone else tries).
        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.top_unit
        FROM jsonb_to_recordset(forms) AS f (top_unit text)
        WHERE f.top_unit IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.top_unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
        FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
        LEFT JOIN (
            SELECT n.name,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
        ) t ON t.name = f.top_unit;

        INSERT INTO @extschema@.unit (name, parent_id)
        SELECT DISTINCT f.unit, form_top[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 2, 1
        ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.unit
        FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form - base], 0)) ORDER BY f.form) INTO form_unit
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN (
            SELECT n.name, n.top,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.unit AS name, form_top[x.form - base] AS top
                  FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
                  WHERE x.unit IS DISTINCT FROM x.top_unit) n
        ) t ON t.name = f.unit AND t.top = form_top[f.form - base] AND f.unit IS DISTINCT FROM f.top_unit;

        RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 4. Projects: by 项目编号, else by name within the unit.  A project the
        -- caller cannot see is not found; inserting it again then does nothing
        -- (its code is taken) or is refused by row-level security.
        INSERT INTO @extschema@.project (code, name, unit_id)
        SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p WHERE p.code = f.project_code)
        ORDER BY f.project_code, f.form
        ON CONFLICT (code) DO NOTHING;

        INSERT INTO @extschema@.project (name, unit_id)
        SELECT DISTINCT f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p
                          WHERE p.unit_id = form_unit[f.form - base] AND p.name = f.project_name)
        ORDER BY 2, 1
        ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
        FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form - base] AS unit_id
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
        LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
        LEFT JOIN (
            SELECT n.unit_id, n.name,
                   coalesce((SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                            (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
            FROM (SELECT DISTINCT form_unit[x.form - base] AS unit_id, x.project_name AS name
                  FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
                  WHERE x.project_code IS NULL) n
        ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

        -- A project the caller cannot see, or one that belongs to another unit.
        SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                             unit text, top_unit text)
        LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form - base]
        LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form - base]
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND bad.unit_id IS NULL THEN
            RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                    bad.form, bad.line, bad.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                    bad.project_unit, coalesce(bad.unit, bad.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 5. One form per project and year in the document: in the batch, and
        -- against the forms of the batches before it (never a replace of a form
        -- this import wrote).
        SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
        FROM (SELECT x.form, x.line, x.year, x.project_code, x.project_name, form_project[x.form - base] AS project_id
              FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text)
              UNION ALL
              SELECT d.*
              FROM ROWS FROM (pg_catalog.unnest(done_form), pg_catalog.unnest(done_line), pg_catalog.unnest(done_year),
                              pg_catalog.unnest(done_code), pg_catalog.unnest(done_name), pg_catalog.unnest(done_project))
                   AS d (form, line, year, project_code, project_name, project_id)) a
        JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
          ON b.form > a.form AND b.year = a.year AND form_project[b.form - base] = a.project_id
        ORDER BY b.form, a.form
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                    bad.form, bad.line, bad.other_form, bad.other_line,
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 6. The forms themselves.  A project and year already stored is an
        -- error, or with on_conflict => 'replace' is replaced in place: the same
        -- evaluation_id, its profile kept, its fund lines and indicators written
        -- anew (the evaluator's band carried over where an indicator is
        -- unchanged), the old version in pjeval.history.  The workflow refuses to
        -- replace a form that is submitted or approved.  An import that races
        -- with another for the same project and year finds it on its next try.
        form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
        todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g);
        old_bands := NULL;
        attempt := 0;
        LOOP
            attempt := attempt + 1;

            -- the forms of this try already stored, locked in one order
            SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
            INTO found_forms, found_evals
            FROM (SELECT f.form, e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                  JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year
                  ORDER BY e.evaluation_id
                  FOR UPDATE OF e) x;

            IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
                SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
                FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
                WHERE f.form = base + found_forms[1];
                RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                        coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                          HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
            END IF;

            IF found_forms IS NOT NULL THEN
                UPDATE @extschema@.evaluation e
                SET budget_unit_id = nullif(form_top[f.form - base], 0),
                    amount_unit = coalesce(f.amount_unit, '元'),
                    expected_goal = f.goal_expected,
                    actual_outcome = f.goal_actual,
                    reported_weight_total = f.total_weight,
                    reported_total = f.total_score,
                    notes = f.notes
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text)
                  ON f.form = base + x.form
                WHERE e.evaluation_id = x.evaluation_id;

                SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                           i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                           i.band), '{}')
                INTO old_bands
                FROM @extschema@.indicator i
                WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

                DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
                DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);
                -- (asked first: an import without reader findings needs no
                -- right on read_finding)
                IF EXISTS (SELECT FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals)) THEN
                    DELETE FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals);
                END IF;

                form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
            END IF;

            -- the forms not stored yet; one that a concurrent import has just
            -- stored is left out, and found on the next try
            WITH ins AS (
                INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                    actual_outcome, reported_weight_total, reported_total, notes)
                SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                       f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes
                FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                     goal_actual text, total_weight numeric, total_score numeric, notes text)
                JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                ORDER BY form_project[f.form - base], f.year
                ON CONFLICT (project_id, year) DO NOTHING
                RETURNING evaluation_id, project_id, year
            )
            SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
            INTO found_forms, found_evals
            FROM ins
            JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
              ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

            todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
            EXIT WHEN pg_catalog.cardinality(todo) = 0;
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                    USING ERRCODE = 'serialization_failure',
                          HINT = 'Try again.';
            END IF;
        END LOOP;

        RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 7. Their rows.  Amounts left blank are 0; the values of targets and
        -- actuals are read by the indicator's trigger (NULL, and flagged by the
        -- audit, where a cell does not read: the text is kept as written).
        BEGIN
            INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                               reported_weight, reported_rate, reported_score, label)
            SELECT form_eval[x.form - base], x.src, coalesce(x.initial_budget, 0),
                   coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score,
                   CASE WHEN x.src = 'other' THEN nullif(x.source, sfs.label) END
            FROM (SELECT y.*, @extschema@.fund_source(y.source) AS src
                  FROM jsonb_to_recordset(funds) AS y (form integer, source text, initial_budget numeric, budget numeric,
                                                       executed numeric, weight numeric, rate numeric, score numeric)) x
            LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.src;

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                               weight, reported_score, deviation_reason, band)
            SELECT form_eval[x.form - base], x.position,
                   x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                   x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
                   CASE WHEN old_bands IS NOT NULL
                        THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                            || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
            FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                level2 text, level3 text, target text, actual text,
                                                weight numeric, score numeric, explanation text);
        EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
            -- a cell no table can hold: say which
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
            RAISE;
        END;

        -- What the reader found worth a look, on the row of its line (an
        -- indicator, a fund row) or on the form.
        IF pg_catalog.jsonb_path_exists(forms, '$[*].findings[*]') THEN
            INSERT INTO @extschema@.read_finding (evaluation_id, line, position, source, code, detail)
            SELECT form_eval[x.form - base], x.line, i.position, @extschema@.fund_source(fl.source), x.code, x.detail
            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                 AS x (form integer, line integer, code text, detail text)
            LEFT JOIN jsonb_to_recordset(inds) AS i (form integer, line integer, position integer)
              ON i.form = x.form AND i.line = x.line
            LEFT JOIN jsonb_to_recordset(funds) AS fl (form integer, line integer, source text)
              ON fl.form = x.form AND fl.line = x.line
            ORDER BY x.form, x.line;
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;

        SELECT done_form || pg_catalog.array_agg(x.form ORDER BY x.form),
               done_line || pg_catalog.array_agg(x.line ORDER BY x.form),
               done_year || pg_catalog.array_agg(x.year ORDER BY x.form),
               done_project || pg_catalog.array_agg(form_project[x.form - base] ORDER BY x.form),
               done_code || pg_catalog.array_agg(x.project_code ORDER BY x.form),
               done_name || pg_catalog.array_agg(x.project_name ORDER BY x.form)
        INTO done_form, done_line, done_year, done_project, done_code, done_name
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text);
    END LOOP;

    -- What was read but is worth a look: a cell that began with a quote
    -- that nothing closes (copied from a PDF) was read as text.
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
END
$fn$;

-- import_forms: one exception block for all batches, not one per batch (a
-- committed subtransaction's memory stays until the transaction ends).
CREATE OR REPLACE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;            -- the forms of a batch
    funds jsonb;            -- every fund line of the batch
    inds jsonb;             -- every indicator of the batch
    bad record;
    pos_offset bigint := 0; -- where the next batch begins (NULL: the document is read)
    pos_line integer := 1;
    pos_form integer := 0;
    base integer;           -- forms before the batch: its form f is element f - base below
    done_form integer[] := '{}';    -- the forms of the batches before, for step 5
    done_line integer[] := '{}';
    done_year integer[] := '{}';
    done_project bigint[] := '{}';
    done_code text[] := '{}';
    done_name text[] := '{}';
    quote_lines integer[] := '{}';  -- cells whose quote nothing closes (read as text)
    writing_rows boolean := false;  -- in step 7: a failure there is a cell no table holds
    form_unit bigint[];     -- per form of the batch, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];  -- batch-local, as the arrays above
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];         -- form numbers
    attempt integer;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- The document is read and written a batch of forms at a time (500
    -- forms or about 8 MB of text, see read_form_batch), steps 1-7 per
    -- batch, all in this one transaction: memory is that of a batch, and a
    -- cancel or a timeout stops the import between any two rows it reads.
    -- One exception block for all batches, not one per batch: each block
    -- is a subtransaction, and the memory a committed subtransaction used
    -- stays until the transaction ends (about 4 MB a batch).
    BEGIN
    LOOP
        -- 1. Read.  A form that cannot be read at all raises here (22P02, with
        -- the form, the line and what was expected); what earlier batches wrote
        -- is undone with the rest.  The fund lines and indicators of the
        -- batch's forms are taken out once, each with its form's position:
        -- every statement below reads a flat set.
        EXIT WHEN pos_offset IS NULL;
        base := pos_form;
        SELECT b.forms, b.next_offset, b.next_line, b.next_form INTO forms, pos_offset, pos_line, pos_form
        FROM @extschema@.read_form_batch(document, pos_offset, pos_line, pos_form, 500) AS b;
        n := pg_catalog.jsonb_array_length(forms);
        EXIT WHEN n = 0;
        funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
        inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');
        quote_lines := quote_lines || ARRAY(SELECT x.line
                                            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                                                 AS x (line integer, code text)
                                            WHERE x.code = 'unclosed_quote'
                                            ORDER BY x.line);

        RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 2. What the reader lets through but no table can hold.  The header
        -- is checked here (before units and projects are looked for); fund
        -- lines and indicators by the tables' own constraints as they are
        -- written (step 7), at no cost when all is well.  Either way the error
        -- names the document's first such cell (import_raise_problem).
        IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                             total_weight numeric, total_score numeric)
                   WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                      OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
        -- created at the top level when there is none; 实施单位 is a unit of
        -- that name (under its 一级预算单位 first, then at the top level), created
        -- under its 一级预算单位 when there is none, at the top level when the
        -- form names none (and no other form of the document places it).
        -- Creating units is for reviewers (row-level security says so when
        -- someone else tries).
        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.top_unit
        FROM jsonb_to_recordset(forms) AS f (top_unit text)
        WHERE f.top_unit IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.top_unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
        FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
        LEFT JOIN (
            SELECT n.name,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
        ) t ON t.name = f.top_unit;

        INSERT INTO @extschema@.unit (name, parent_id)
        SELECT DISTINCT f.unit, form_top[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 2, 1
        ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.unit
        FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form - base], 0)) ORDER BY f.form) INTO form_unit
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN (
            SELECT n.name, n.top,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.unit AS name, form_top[x.form - base] AS top
                  FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
                  WHERE x.unit IS DISTINCT FROM x.top_unit) n
        ) t ON t.name = f.unit AND t.top = form_top[f.form - base] AND f.unit IS DISTINCT FROM f.top_unit;

        RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 4. Projects: by 项目编号, else by name within the unit.  A project the
        -- caller cannot see is not found; inserting it again then does nothing
        -- (its code is taken) or is refused by row-level security.
        INSERT INTO @extschema@.project (code, name, unit_id)
        SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p WHERE p.code = f.project_code)
        ORDER BY f.project_code, f.form
        ON CONFLICT (code) DO NOTHING;

        INSERT INTO @extschema@.project (name, unit_id)
        SELECT DISTINCT f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p
                          WHERE p.unit_id = form_unit[f.form - base] AND p.name = f.project_name)
        ORDER BY 2, 1
        ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
        FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form - base] AS unit_id
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
        LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
        LEFT JOIN (
            SELECT n.unit_id, n.name,
                   coalesce((SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                            (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
            FROM (SELECT DISTINCT form_unit[x.form - base] AS unit_id, x.project_name AS name
                  FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
                  WHERE x.project_code IS NULL) n
        ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

        -- A project the caller cannot see, or one that belongs to another unit.
        SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                             unit text, top_unit text)
        LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form - base]
        LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form - base]
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND bad.unit_id IS NULL THEN
            RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                    bad.form, bad.line, bad.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                    bad.project_unit, coalesce(bad.unit, bad.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 5. One form per project and year in the document: in the batch, and
        -- against the forms of the batches before it (never a replace of a form
        -- this import wrote).
        SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
        FROM (SELECT x.form, x.line, x.year, x.project_code, x.project_name, form_project[x.form - base] AS project_id
              FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text)
              UNION ALL
              SELECT d.*
              FROM ROWS FROM (pg_catalog.unnest(done_form), pg_catalog.unnest(done_line), pg_catalog.unnest(done_year),
                              pg_catalog.unnest(done_code), pg_catalog.unnest(done_name), pg_catalog.unnest(done_project))
                   AS d (form, line, year, project_code, project_name, project_id)) a
        JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
          ON b.form > a.form AND b.year = a.year AND form_project[b.form - base] = a.project_id
        ORDER BY b.form, a.form
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                    bad.form, bad.line, bad.other_form, bad.other_line,
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 6. The forms themselves.  A project and year already stored is an
        -- error, or with on_conflict => 'replace' is replaced in place: the same
        -- evaluation_id, its profile kept, its fund lines and indicators written
        -- anew (the evaluator's band carried over where an indicator is
        -- unchanged), the old version in pjeval.history.  The workflow refuses to
        -- replace a form that is submitted or approved.  An import that races
        -- with another for the same project and year finds it on its next try.
        form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
        todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g);
        old_bands := NULL;
        attempt := 0;
        LOOP
            attempt := attempt + 1;

            -- the forms of this try already stored, locked in one order
            SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
            INTO found_forms, found_evals
            FROM (SELECT f.form, e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                  JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year
                  ORDER BY e.evaluation_id
                  FOR UPDATE OF e) x;

            IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
                SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
                FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
                WHERE f.form = base + found_forms[1];
                RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                        coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                          HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
            END IF;

            IF found_forms IS NOT NULL THEN
                UPDATE @extschema@.evaluation e
                SET budget_unit_id = nullif(form_top[f.form - base], 0),
                    amount_unit = coalesce(f.amount_unit, '元'),
                    expected_goal = f.goal_expected,
                    actual_outcome = f.goal_actual,
                    reported_weight_total = f.total_weight,
                    reported_total = f.total_score,
                    notes = f.notes
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text)
                  ON f.form = base + x.form
                WHERE e.evaluation_id = x.evaluation_id;

                SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                           i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                           i.band), '{}')
                INTO old_bands
                FROM @extschema@.indicator i
                WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

                DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
                DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);
                -- (asked first: an import without reader findings needs no
                -- right on read_finding)
                IF EXISTS (SELECT FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals)) THEN
                    DELETE FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals);
                END IF;

                form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
            END IF;

            -- the forms not stored yet; one that a concurrent import has just
            -- stored is left out, and found on the next try
            WITH ins AS (
                INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                    actual_outcome, reported_weight_total, reported_total, notes)
                SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                       f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes
                FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                     goal_actual text, total_weight numeric, total_score numeric, notes text)
                JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                ORDER BY form_project[f.form - base], f.year
                ON CONFLICT (project_id, year) DO NOTHING
                RETURNING evaluation_id, project_id, year
            )
            SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
            INTO found_forms, found_evals
            FROM ins
            JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
              ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

            todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
            EXIT WHEN pg_catalog.cardinality(todo) = 0;
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                    USING ERRCODE = 'serialization_failure',
                          HINT = 'Try again.';
            END IF;
        END LOOP;

        RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 7. Their rows.  Amounts left blank are 0; the values of targets and
        -- actuals are read by the indicator's trigger (NULL, and flagged by the
        -- audit, where a cell does not read: the text is kept as written).
        writing_rows := true;
            INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                               reported_weight, reported_rate, reported_score, label)
            SELECT form_eval[x.form - base], x.src, coalesce(x.initial_budget, 0),
                   coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score,
                   CASE WHEN x.src = 'other' THEN nullif(x.source, sfs.label) END
            FROM (SELECT y.*, @extschema@.fund_source(y.source) AS src
                  FROM jsonb_to_recordset(funds) AS y (form integer, source text, initial_budget numeric, budget numeric,
                                                       executed numeric, weight numeric, rate numeric, score numeric)) x
            LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.src;

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                               weight, reported_score, deviation_reason, band)
            SELECT form_eval[x.form - base], x.position,
                   x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                   x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
                   CASE WHEN old_bands IS NOT NULL
                        THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                            || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
            FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                level2 text, level3 text, target text, actual text,
                                                weight numeric, score numeric, explanation text);
        writing_rows := false;

        -- What the reader found worth a look, on the row of its line (an
        -- indicator, a fund row) or on the form.
        IF pg_catalog.jsonb_path_exists(forms, '$[*].findings[*]') THEN
            INSERT INTO @extschema@.read_finding (evaluation_id, line, position, source, code, detail)
            SELECT form_eval[x.form - base], x.line, i.position, @extschema@.fund_source(fl.source), x.code, x.detail
            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                 AS x (form integer, line integer, code text, detail text)
            LEFT JOIN jsonb_to_recordset(inds) AS i (form integer, line integer, position integer)
              ON i.form = x.form AND i.line = x.line
            LEFT JOIN jsonb_to_recordset(funds) AS fl (form integer, line integer, source text)
              ON fl.form = x.form AND fl.line = x.line
            ORDER BY x.form, x.line;
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;

        SELECT done_form || pg_catalog.array_agg(x.form ORDER BY x.form),
               done_line || pg_catalog.array_agg(x.line ORDER BY x.form),
               done_year || pg_catalog.array_agg(x.year ORDER BY x.form),
               done_project || pg_catalog.array_agg(form_project[x.form - base] ORDER BY x.form),
               done_code || pg_catalog.array_agg(x.project_code ORDER BY x.form),
               done_name || pg_catalog.array_agg(x.project_name ORDER BY x.form)
        INTO done_form, done_line, done_year, done_project, done_code, done_name
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text);
    END LOOP;
    EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
        -- a cell no table can hold (step 7 of the batch that failed): say which
        IF writing_rows THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;
        RAISE;
    END;

    -- What was read but is worth a look: a cell that began with a quote
    -- that nothing closes (copied from a PDF) was read as text.
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
END
$fn$;


-- tolerant2 (issue 11, item 1): a printed 执行率 compared within its printed
-- precision (99%, a fraction 0.93), a misprint one unit off its own finding
-- A printed 执行率 against the computed one, within the precision it was
-- printed with: 99 (or 99%) agrees with 99.32, 99.3 with 99.32; a fraction
-- (at most 1, with decimals: 0.93, 0.1) is read as that many hundred percent
-- where the percent reading does not agree (0.93 agrees with 93.32, 0.1 with
-- 9.93).  NULL where they agree (or either is NULL), 'misprint' where it is
-- one unit off in its last printed place (86.19 for 86.18), else 'mismatch'.
CREATE FUNCTION @extschema@.rate_disagreement(reported pg_catalog.numeric, computed pg_catalog.numeric)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p.off OPERATOR(pg_catalog.=) 0 OR f.off OPERATOR(pg_catalog.=) 0 THEN NULL
                WHEN p.off OPERATOR(pg_catalog.=) 1 OR f.off OPERATOR(pg_catalog.=) 1 THEN 'misprint'
                ELSE 'mismatch' END
    FROM (SELECT LEAST(pg_catalog.scale($1), 2) AS places) d
    CROSS JOIN LATERAL (
        SELECT pg_catalog.abs(pg_catalog.round($1, d.places) OPERATOR(pg_catalog.-) pg_catalog.round($2, d.places))
               OPERATOR(pg_catalog.*) pg_catalog.power(10::pg_catalog.numeric, d.places) AS off
    ) p
    CROSS JOIN LATERAL (
        SELECT CASE WHEN $1 OPERATOR(pg_catalog.<=) 1 AND pg_catalog.scale($1) OPERATOR(pg_catalog.>=) 1 THEN
                    pg_catalog.abs(pg_catalog.round($1 OPERATOR(pg_catalog.*) 100, d.places OPERATOR(pg_catalog.-) 2)
                                   OPERATOR(pg_catalog.-) pg_catalog.round($2, d.places OPERATOR(pg_catalog.-) 2))
                    OPERATOR(pg_catalog.*) pg_catalog.power(10::pg_catalog.numeric, d.places OPERATOR(pg_catalog.-) 2)
               END AS off
    ) f
$$;

COMMENT ON FUNCTION @extschema@.rate_disagreement(pg_catalog.numeric, pg_catalog.numeric) IS
'A printed 执行率 against the computed one within its printed precision (99 or 99% agrees with 99.32; a fraction 0.93 with 93.32): NULL where they agree, ''misprint'' one unit off in the last printed place (86.19 for 86.18), else ''mismatch''';

CREATE OR REPLACE VIEW @extschema@.fund_line_result WITH (security_barrier = true) AS
SELECT
    fl.evaluation_id,
    fl.source,
    fl.label,
    fl.annual_budget,
    fl.executed,
    fl.reported_weight,
    fl.reported_rate,
    fl.reported_score,
    w.weight,
    c.execution_rate AS computed_rate,
    c.fund_score AS computed_score,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN fl.source <> 'total' THEN
             CASE @extschema@.rate_disagreement(fl.reported_rate, c.execution_rate)
                  WHEN 'mismatch' THEN 'source_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END
        END,
        CASE WHEN fl.source <> 'total' AND pg_catalog.abs(fl.reported_score - c.fund_score) > 0.01
             THEN 'source_score_mismatch' END
    ], NULL) AS findings
FROM @extschema@.fund_line fl
JOIN @extschema@.evaluation e ON e.evaluation_id = fl.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN @extschema@.fund_line t ON t.evaluation_id = fl.evaluation_id AND t.source = 'total'
CROSS JOIN LATERAL (
    SELECT coalesce(fl.reported_weight, t.reported_weight, pr.execution_weight) AS weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(fl.annual_budget, fl.executed) AS execution_rate,
           @extschema@.try_fund_score(fl.annual_budget, fl.executed, w.weight) AS fund_score
) c
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.fund_line_result IS
'Every fund line the caller may see, with the execution rate and score its own amounts give (the weight: its own 分值, else the total row''s, else the profile''s) and its finding codes: a source row''s printed 执行率 or 得分 that differs (source_rate_mismatch, source_score_mismatch; a 执行率 compared within its printed precision, one unit off in its last place is reported_rate_misprint)';

CREATE OR REPLACE VIEW @extschema@.evaluation_result WITH (security_barrier = true) AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    pg_catalog.round(f.initial_budget * m.factor, 2) AS initial_budget,
    pg_catalog.round(f.annual_budget * m.factor, 2) AS annual_budget,
    pg_catalog.round(f.executed * m.factor, 2) AS executed,
    pg_catalog.round(f.sources_initial_budget * m.factor, 2) AS sources_initial_budget,
    pg_catalog.round(f.sources_annual_budget * m.factor, 2) AS sources_annual_budget,
    pg_catalog.round(f.sources_executed * m.factor, 2) AS sources_executed,
    c.execution_rate,
    f.reported_rate AS reported_execution_rate,
    c.fund_weight,
    c.fund_score,
    f.reported_score AS reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    t.total_score,
    e.reported_total,
    e.reported_total - t.total_score AS total_difference,
    CASE WHEN @extschema@.is_scorable_number(t.total_score)
         THEN @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) END AS grade,
    c.fund_weight + coalesce(s.weight_total, 0) AS weight_total,
    s.output_weight,
    s.benefit_weight,
    s.satisfaction_weight,
    s.cost_weight,
    s.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) + coalesce(rf.finding_count, 0)
        + coalesce(sf.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN (
    SELECT fl.evaluation_id,
           pg_catalog.bool_or(fl.source = 'total') AS has_total,
           pg_catalog.max(fl.initial_budget) FILTER (WHERE fl.source = 'total') AS initial_budget,
           pg_catalog.max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
           pg_catalog.max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
           pg_catalog.max(fl.reported_weight) FILTER (WHERE fl.source = 'total') AS reported_weight,
           pg_catalog.max(fl.reported_rate) FILTER (WHERE fl.source = 'total') AS reported_rate,
           pg_catalog.max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
           pg_catalog.sum(fl.initial_budget) FILTER (WHERE fl.source <> 'total') AS sources_initial_budget,
           pg_catalog.sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget,
           pg_catalog.sum(fl.executed) FILTER (WHERE fl.source <> 'total') AS sources_executed
    FROM @extschema@.fund_line fl
    GROUP BY fl.evaluation_id
) f ON f.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT r.evaluation_id,
           pg_catalog.count(*) AS indicator_count,
           pg_catalog.count(*) FILTER (WHERE r.counted_score IS NULL) AS unscored,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'output' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'output'), 0) END AS output_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'benefit' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'benefit'), 0) END AS benefit_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'satisfaction' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) END AS satisfaction_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'cost' AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'cost') END AS cost_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind IS NULL AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind IS NULL) END AS other_score,
           pg_catalog.sum(r.counted_score) AS indicator_score,
           pg_catalog.sum(r.weight) AS weight_total,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'cost') AS cost_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind IS NULL) AS other_weight,
           pg_catalog.sum(r.reported_score) AS reported_score_total,
           pg_catalog.sum(pg_catalog.cardinality(r.findings)) AS finding_count
    FROM @extschema@.indicator_result r
    GROUP BY r.evaluation_id
) s ON s.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.count(*) AS finding_count
    FROM @extschema@.read_finding x
    GROUP BY x.evaluation_id
) rf ON rf.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.sum(pg_catalog.cardinality(x.findings)) AS finding_count
    FROM @extschema@.fund_line_result x
    WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
    GROUP BY x.evaluation_id
) sf ON sf.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, pr.execution_weight) AS fund_weight,
           @extschema@.try_fund_score(f.annual_budget, f.executed,
                                      coalesce(f.reported_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
CROSS JOIN LATERAL (
    SELECT pg_catalog.array_remove(ARRAY[
        CASE WHEN f.has_total IS NOT TRUE THEN 'fund_total_missing' END,
        CASE WHEN f.annual_budget = 0 THEN 'budget_zero' END,
        CASE WHEN f.sources_annual_budget IS NOT NULL
              AND (f.sources_initial_budget <> f.initial_budget
                   OR f.sources_annual_budget <> f.annual_budget
                   OR f.sources_executed <> f.executed) THEN 'fund_sources_mismatch' END,
        CASE WHEN f.executed > f.annual_budget THEN 'execution_above_budget' END,
        CASE WHEN c.execution_rate < pr.low_execution_rate THEN 'execution_rate_low' END,
        CASE @extschema@.rate_disagreement(f.reported_rate, c.execution_rate)
             WHEN 'mismatch' THEN 'fund_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN (f.has_total AND f.annual_budget <> 0 AND (c.execution_rate IS NULL OR c.fund_score IS NULL))
               OR NOT @extschema@.is_scorable_number(t.total_score) THEN 'unscorable' END,
        CASE WHEN c.fund_weight + coalesce(s.weight_total, 0) <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight
               OR s.output_weight <> pr.output_weight
               OR s.benefit_weight <> pr.benefit_weight
               OR s.satisfaction_weight <> pr.satisfaction_weight
               OR coalesce(s.cost_weight, 0) <> coalesce(pr.cost_weight, 0) THEN 'level1_weight_off_profile' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.fund_line_result SET (security_invoker = true);
        ALTER VIEW @extschema@.fund_line_result RESET (security_barrier);
    END IF;
END
$$;

INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('reported_rate_misprint', 'form', 'warning', '填报执行率与计算执行率在末位相差一个单位（疑为笔误）', 'the reported execution rate is one unit off the computed one in its last printed place (a misprint?)');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('reported_rate_misprint', 'fund', '填报执行率 %9$s%% 与计算执行率 %7$s%% 在末位相差一个单位（疑为笔误）', 'the reported execution rate %9$s%% is one unit off the computed %7$s%% in its last printed place (a misprint?)'),
    ('reported_rate_misprint', 'source', '“%1$s”行填报执行率 %2$s%% 与按该行金额计算的执行率 %3$s%% 在末位相差一个单位（疑为笔误）', 'the %1$s row: the reported execution rate %2$s%% is one unit off the %3$s%% its amounts give in its last printed place (a misprint?)');

-- tolerant2: a form without a 总分 row is noted (read_finding no_total_row)
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('no_total_row', 'form', 'info', '表中没有总分行，填报总分未知', 'the form has no 总分 row: its reported total is unknown');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('no_total_row', 'line', '至第 %1$s 行结束的自评表没有总分行，填报总分未知', 'the form that ends on line %1$s has no 总分 row: its reported total is unknown');

-- tolerant2: 本单位 as the unit read as the unit the other cell names (read_finding unit_this_unit)
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('unit_this_unit', 'form', 'info', '实施单位或一级预算单位填作“本单位”，按表中另一单位读入', 'the 实施单位 or 一级预算单位 was written as 本单位 (this unit): read as the unit the other cell names');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('unit_this_unit', 'line', '第 %1$s 行单位填作“本单位”，按表中另一单位读作“%2$s”', 'line %1$s: the unit written as 本单位 (this unit) was read as "%2$s", the unit the other cell names');

-- monitoring (issue 15, first increment): 时间进度, the fund, indicator,
-- project and 双监控 lights (62_monitoring.sql, src/core/monitor.c); the
-- monitoring report with its fund lines and indicators, their row-level
-- security, workflow and history through the self-evaluation's own
-- functions (now serving both kinds of form); pjeval.monitoring_result; the
-- profile's monitoring knobs.
ALTER TABLE @extschema@.profile
    ADD COLUMN monitor_time_basis text NOT NULL DEFAULT 'month'
        CHECK (monitor_time_basis IN ('month', 'day')),
    ADD COLUMN monitor_yellow_from numeric(6,2) NOT NULL DEFAULT 60,
    ADD COLUMN monitor_green_from numeric(6,2) NOT NULL DEFAULT 80,
    ADD COLUMN monitor_blue_from numeric(6,2) NOT NULL DEFAULT 120,
    ADD CONSTRAINT profile_monitor_bands CHECK (monitor_yellow_from >= 0 AND monitor_green_from >= monitor_yellow_from
                                                AND monitor_blue_from >= monitor_green_from);

CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@'
       OR TG_TABLE_NAME NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE TG_TABLE_NAME
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.monitoring m
                                         JOIN @extschema@.project p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true';
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN TG_TABLE_NAME IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator')
             THEN 't.' || TG_TABLE_NAME || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING TG_TABLE_NAME::text, TG_OP, acting;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@'
       OR TG_TABLE_NAME NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$I.%4$I t$q$,
        TG_TABLE_NAME, TG_TABLE_NAME || '_id', TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.evaluation_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    workflow_columns CONSTANT text[] := ARRAY['status', 'updated_at', 'submitted_at', 'approved_at', 'approved_by'];
    form CONSTANT text := CASE TG_TABLE_NAME WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END;
    steps CONSTANT text := CASE TG_TABLE_NAME WHEN 'monitoring' THEN '_monitoring' ELSE '' END;
    id CONSTANT bigint := (to_jsonb(coalesce(NEW, OLD)) ->> (TG_TABLE_NAME || '_id'))::bigint;
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN coalesce(NEW, OLD);
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a new % starts as a draft, not %', form, NEW.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('Insert it as a draft and call pjeval.submit%s(%s_id) when it is complete.', steps, TG_TABLE_NAME);
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

CREATE OR REPLACE FUNCTION @extschema@.form_row_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    ids bigint[];
    id bigint;
    st text;
    form_table CONSTANT text := coalesce(TG_ARGV[0], 'evaluation');
    key CONSTANT text := form_table || '_id';
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' ELSE '' END;
BEGIN
    IF form_table NOT IN ('evaluation', 'monitoring') THEN
        RAISE EXCEPTION 'form_row_workflow() guards the rows of pjeval.evaluation and pjeval.monitoring, not of %', form_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN CASE WHEN TG_LEVEL = 'ROW' THEN coalesce(NEW, OLD) END;
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        -- UPDATE: the form the row is in, and the one it moves to
        ids := ARRAY[(to_jsonb(OLD) ->> key)::bigint, (to_jsonb(NEW) ->> key)::bigint];
        IF ids[1] = ids[2] THEN
            ids := ids[1:1];
        END IF;
        FOREACH id IN ARRAY ids LOOP
            IF form_table = 'evaluation' THEN
                SELECT e.status INTO st
                FROM @extschema@.evaluation e
                WHERE e.evaluation_id = id
                FOR SHARE;
            ELSE
                SELECT m.status INTO st
                FROM @extschema@.monitoring m
                WHERE m.monitoring_id = id
                FOR SHARE;
            END IF;
            IF FOUND AND st <> 'draft' THEN
                RAISE EXCEPTION '% % is %: its % rows are read-only', form, id, st, TG_TABLE_NAME
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
            FROM @extschema@.%2$I e
            WHERE e.%1$I IN (SELECT r.%1$I FROM %3$s r)
            FOR SHARE OF e)
        SELECT l.id, l.status
        FROM locked l
        WHERE l.status <> 'draft'
        ORDER BY l.id
        LIMIT 1$q$,
        key, form_table, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
    INTO bad;
    IF bad.id IS NOT NULL THEN
        RAISE EXCEPTION '% % is %: its % rows are read-only', form, bad.id, bad.status, TG_TABLE_NAME
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen%s(%s);', steps, bad.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION @extschema@.set_form_status(form_table text, id bigint, from_status text[], to_status text, step text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    st text;
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' ELSE '' END;
BEGIN
    IF form_table IS NULL OR form_table NOT IN ('evaluation', 'monitoring') THEN
        RAISE EXCEPTION 'set_form_status() moves pjeval.evaluation and pjeval.monitoring rows, not %', form_table
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

CREATE OR REPLACE FUNCTION @extschema@.set_status(evaluation_id bigint, from_status text[], to_status text, step text)
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

-- 62_monitoring.sql as it is
-- 时间进度 and the lights

CREATE FUNCTION @extschema@.time_progress(year integer, month integer,
                                          basis pg_catalog.text DEFAULT 'month')
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'monitor_time_progress'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.time_progress(integer, integer, pg_catalog.text) IS
'时间进度 (序时进度) to the end of month N as a percentage, half-up to 2 places: basis ''month'' N/12 (7 → 58.33), ''day'' the days from 1月1日 to month N''s last day, both included, over 365 or 366 (2023, 7 → 212/365 = 58.08). A month outside 1-12 or a year outside 1-9999 raises 22008';

-- What the view needs of the funds in one call.
CREATE TYPE @extschema@.fund_status AS (
    light pg_catalog.text,
    fund_index pg_catalog.numeric,
    on_schedule pg_catalog.bool
);

COMMENT ON TYPE @extschema@.fund_status IS
'What fund_status() returns: the fund light, v = 执行率 / 时间进度 × 100 (2 places, for display) and 达到序时支出进度 (执行率 ≥ 时间进度); all NULL when the budget is 0';

CREATE FUNCTION @extschema@.fund_light(adjusted_budget pg_catalog.numeric, executed pg_catalog.numeric,
                                       month integer, year integer DEFAULT NULL,
                                       basis pg_catalog.text DEFAULT 'month',
                                       yellow_from pg_catalog.numeric DEFAULT 60,
                                       green_from pg_catalog.numeric DEFAULT 80)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_fund_light'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.fund_status(adjusted_budget pg_catalog.numeric, executed pg_catalog.numeric,
                                        month integer, year integer DEFAULT NULL,
                                        basis pg_catalog.text DEFAULT 'month',
                                        yellow_from pg_catalog.numeric DEFAULT 60,
                                        green_from pg_catalog.numeric DEFAULT 80)
RETURNS @extschema@.fund_status
AS 'MODULE_PATHNAME', 'monitor_fund_status'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.fund_light(pg_catalog.numeric, pg_catalog.numeric, integer, integer, pg_catalog.text, pg_catalog.numeric, pg_catalog.numeric) IS
'预算执行预警: v = (executed / adjusted_budget) / 时间进度 × 100, compared exactly: red below yellow_from (60), yellow below green_from (80), else green; NULL for a budget of 0 or a NULL amount or month. The day basis needs the year (22004)';
COMMENT ON FUNCTION @extschema@.fund_status(pg_catalog.numeric, pg_catalog.numeric, integer, integer, pg_catalog.text, pg_catalog.numeric, pg_catalog.numeric) IS
'fund_light() with v (2 places) and 达到序时支出进度 (执行率 ≥ 时间进度, exactly) in one call, for views';

CREATE FUNCTION @extschema@.indicator_light(target @extschema@.indicator_value,
                                            actual @extschema@.indicator_value,
                                            month integer,
                                            category pg_catalog.text DEFAULT NULL,
                                            accrual pg_catalog.text DEFAULT NULL,
                                            year integer DEFAULT NULL,
                                            yellow_from pg_catalog.numeric DEFAULT 60,
                                            green_from pg_catalog.numeric DEFAULT 80,
                                            blue_from pg_catalog.numeric DEFAULT 120)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_indicator_light'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.indicator_light(@extschema@.indicator_value, @extschema@.indicator_value, integer, pg_catalog.text, pg_catalog.text, integer, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS
'目标执行预警 of one indicator at the end of month N: blue, green, yellow, red or NULL. Cumulative quantities (counts, measures, money with ≥ > = or bare) are pro-rated, v = A / (T × N/12) × 100; rates, frequencies, levels and accrual ''point'' (时点) are compared directly, v = A / T × 100; bands red < 60 ≤ yellow < 80 ≤ green < 120 ≤ blue. Reverse targets (≤ <, 成本 category) and a target of 0: green when met, else red. Ranges: inside green, else v = A/a or b/A. Dates: met or not yet due green, due and unmet red (year NULL: by month and day). 达成/部分达成/未达成 (目标…) give green/yellow/red, a text equal to the target green. Clauses: the worst. NULL for 不适用, no actual, incomparable units or a NULL target or actual';

-- The project light: the worst of its indicators' (red > yellow > green >
-- blue), NULLs skipped; an aggregate over worse_light.
CREATE FUNCTION @extschema@.worse_light(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_worse_light'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.project_light(pg_catalog.text) (
    SFUNC = @extschema@.worse_light,
    STYPE = pg_catalog.text,
    COMBINEFUNC = @extschema@.worse_light,
    PARALLEL = SAFE
);

CREATE FUNCTION @extschema@.dual_light(on_schedule pg_catalog.bool, stage_met pg_catalog.bool)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_dual_light'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.worse_light(pg_catalog.text, pg_catalog.text) IS
'The worse of two lights: red > yellow > green > blue (22023 for another word)';
COMMENT ON AGGREGATE @extschema@.project_light(pg_catalog.text) IS
'项目 目标执行预警: the worst of the indicator lights (red > yellow > green > blue), NULLs skipped; NULL when none has a light';
COMMENT ON FUNCTION @extschema@.dual_light(pg_catalog.bool, pg_catalog.bool) IS
'双监控 light from 达到序时支出进度 and 达到阶段性绩效目标: 否 and anything → red, 是 and 是 → green, 是 and 否 → yellow; NULL where an answer needed is NULL';

-- The words of the form: 偏差原因 (a set of the five standard causes),
-- 完成目标可能性, 原因类型 (合肥's seven reasons, by code).
CREATE TYPE @extschema@.deviation_cause AS ENUM ('经费保障', '制度保障', '人员保障', '硬件条件保障', '其他');
CREATE TYPE @extschema@.completion_likelihood AS ENUM ('确定能', '有可能', '完全不可能');

COMMENT ON TYPE @extschema@.deviation_cause IS
'偏差原因 of a monitoring indicator: 经费保障, 制度保障, 人员保障, 硬件条件保障, 其他 (a column holds a set of them)';
COMMENT ON TYPE @extschema@.completion_likelihood IS
'完成目标可能性: 确定能, 有可能, 完全不可能';

CREATE TABLE @extschema@.monitoring_reason (
    code            smallint PRIMARY KEY,
    label           text NOT NULL UNIQUE
);

INSERT INTO @extschema@.monitoring_reason (code, label) VALUES
    (1, '因政策调整影响项目实施或资金支付'),
    (2, '因疫情原因影响项目实施或资金支付'),
    (3, '因履行政府采购程序影响项目实施或资金支付'),
    (4, '因其他不可控因素影响项目实施或资金支付'),
    (5, '根据计划安排项目暂未实施'),
    (6, '根据合同约定资金暂未支付'),
    (7, '其他原因');

COMMENT ON TABLE @extschema@.monitoring_reason IS
'原因类型 of a monitoring report, the seven reasons for slow spending (合肥 practice), written 6-根据合同约定资金暂未支付';

-- One monitoring report (项目支出绩效目标执行监控表): a project's year to the
-- end of month N.  The key (project, year) finds its self-evaluation too.
CREATE TABLE @extschema@.monitoring (
    monitoring_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT monitoring_year_range CHECK (year BETWEEN 2000 AND 2100),
    month           integer NOT NULL
                    CONSTRAINT monitoring_month_range CHECK (month BETWEEN 1 AND 12),
    profile         text NOT NULL DEFAULT @extschema@.default_profile()
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE,
    budget_unit_id  bigint REFERENCES @extschema@.unit (unit_id),
    amount_unit     text NOT NULL DEFAULT '元'
                    CONSTRAINT monitoring_amount_unit CHECK (amount_unit IN ('元', '万元')),
    annual_goal     text,
    progress        text,
    declared_on_schedule boolean,
    declared_stage_met boolean,
    reason_type     smallint REFERENCES @extschema@.monitoring_reason (code),
    analysis        text,
    target_adjustment text,
    notes           text,
    status          text NOT NULL DEFAULT 'draft'
                    CONSTRAINT monitoring_status CHECK (status IN ('draft', 'submitted', 'approved')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     name,
    CONSTRAINT monitoring_project_period_key UNIQUE (project_id, year, month)
);
CREATE INDEX monitoring_year_month_idx ON @extschema@.monitoring (year, month);
CREATE INDEX monitoring_profile_idx ON @extschema@.monitoring (profile);
CREATE INDEX monitoring_budget_unit_idx ON @extschema@.monitoring (budget_unit_id);

COMMENT ON TABLE @extschema@.monitoring IS
'One 项目支出绩效目标执行监控表: a project''s year to the end of month N (监控期间 1-N月), scored by a profile; draft, submitted or approved';
COMMENT ON COLUMN @extschema@.monitoring.month IS '监控期间 1-N月: N';
COMMENT ON COLUMN @extschema@.monitoring.budget_unit_id IS '一级预算单位 (主管部门) as written on the form';
COMMENT ON COLUMN @extschema@.monitoring.amount_unit IS 'The unit of the fund amounts: 项目资金（元） or （万元）';
COMMENT ON COLUMN @extschema@.monitoring.annual_goal IS '年度总体目标: 年度目标, as written';
COMMENT ON COLUMN @extschema@.monitoring.progress IS '年度总体目标: 1-N月执行情况, as written';
COMMENT ON COLUMN @extschema@.monitoring.declared_on_schedule IS '是否达到序时支出进度 as declared (the view computes its own)';
COMMENT ON COLUMN @extschema@.monitoring.declared_stage_met IS '是否达到阶段性绩效目标 as declared (the view computes its own)';
COMMENT ON COLUMN @extschema@.monitoring.reason_type IS '原因类型: a code of pjeval.monitoring_reason';
COMMENT ON COLUMN @extschema@.monitoring.analysis IS '情况分析, as written';
COMMENT ON COLUMN @extschema@.monitoring.target_adjustment IS '绩效目标调整情况, as written';
COMMENT ON COLUMN @extschema@.monitoring.notes IS '备注, as written';
COMMENT ON COLUMN @extschema@.monitoring.status IS 'draft → submitted (pjeval.submit_monitoring) → approved (pjeval.approve_monitoring); pjeval.reopen_monitoring returns it to draft';

-- 资金执行情况: one row per source, as the self-evaluation's fund_line.
CREATE TABLE @extschema@.monitoring_fund_line (
    monitoring_fund_line_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitoring_id   bigint NOT NULL REFERENCES @extschema@.monitoring (monitoring_id) ON DELETE CASCADE,
    source          text NOT NULL REFERENCES @extschema@.standard_fund_source (source),
    label           text
                    CONSTRAINT monitoring_fund_line_label_only_other CHECK (source = 'other' OR label IS NULL)
                    CONSTRAINT monitoring_fund_line_label_not_blank CHECK (pg_catalog.btrim(label) <> ''),
    initial_budget  numeric NOT NULL DEFAULT 0
                    CONSTRAINT monitoring_fund_line_initial_budget_amount
                    CHECK (initial_budget >= 0 AND @extschema@.is_scorable_number(initial_budget)),
    added           numeric
                    CONSTRAINT monitoring_fund_line_added_amount
                    CHECK (added >= 0 AND @extschema@.is_scorable_number(added)),
    reduced         numeric
                    CONSTRAINT monitoring_fund_line_reduced_amount
                    CHECK (reduced >= 0 AND @extschema@.is_scorable_number(reduced)),
    adjusted_budget numeric NOT NULL DEFAULT 0
                    CONSTRAINT monitoring_fund_line_adjusted_budget_amount
                    CHECK (adjusted_budget >= 0 AND @extschema@.is_scorable_number(adjusted_budget)),
    executed        numeric NOT NULL DEFAULT 0
                    CONSTRAINT monitoring_fund_line_executed_amount
                    CHECK (executed >= 0 AND @extschema@.is_scorable_number(executed)),
    reported_rate   numeric
                    CONSTRAINT monitoring_fund_line_reported_rate_number
                    CHECK (reported_rate >= 0 AND @extschema@.is_scorable_number(reported_rate)),
    forecast        numeric
                    CONSTRAINT monitoring_fund_line_forecast_amount
                    CHECK (forecast >= 0 AND @extschema@.is_scorable_number(forecast))
);
CREATE UNIQUE INDEX monitoring_fund_line_source_key ON @extschema@.monitoring_fund_line (monitoring_id, source)
    WHERE source <> 'other';
CREATE UNIQUE INDEX monitoring_fund_line_other_key ON @extschema@.monitoring_fund_line (monitoring_id, (coalesce(label, '')))
    WHERE source = 'other';

COMMENT ON TABLE @extschema@.monitoring_fund_line IS
'资金执行情况 of a monitoring report, one row per source (pjeval.standard_fund_source; other sources by name); amounts in the report''s amount_unit';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.initial_budget IS '年初预算数';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.added IS '追加数 (NULL: not on the form)';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.reduced IS '追减数 (NULL: not on the form)';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.adjusted_budget IS '调整后预算数 (全年预算数): what 执行率 divides by';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.executed IS '1-N月执行数';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.reported_rate IS '1-N月执行率 (%) as written';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.forecast IS '全年预计执行数';

-- 年度绩效指标 of a monitoring report: target, in-year actual and forecast
-- as written and as read (generated columns, as for pjeval.indicator).
CREATE TABLE @extschema@.monitoring_indicator (
    monitoring_indicator_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitoring_id   bigint NOT NULL REFERENCES @extschema@.monitoring (monitoring_id) ON DELETE CASCADE,
    position        integer NOT NULL
                    CONSTRAINT monitoring_indicator_position_positive CHECK (position >= 1),
    level1          text NOT NULL
                    CONSTRAINT monitoring_indicator_level1_not_blank CHECK (pg_catalog.btrim(level1) <> ''),
    level2          text NOT NULL
                    CONSTRAINT monitoring_indicator_level2_not_blank CHECK (pg_catalog.btrim(level2) <> ''),
    level3          text NOT NULL
                    CONSTRAINT monitoring_indicator_level3_not_blank CHECK (pg_catalog.btrim(level3) <> ''),
    target_text     text,
    actual_text     text,
    forecast_text   text,
    target          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(target_text, ''))) STORED,
    actual          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(actual_text, ''))) STORED,
    forecast        @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(forecast_text, ''))) STORED,
    accrual         text
                    CONSTRAINT monitoring_indicator_accrual CHECK (accrual IN ('cumulative', 'point')),
    deviation_causes @extschema@.deviation_cause[] NOT NULL DEFAULT '{}',
    deviation_note  text,
    likelihood      @extschema@.completion_likelihood,
    notes           text,
    CONSTRAINT monitoring_indicator_position_key UNIQUE (monitoring_id, position)
);

COMMENT ON TABLE @extschema@.monitoring_indicator IS
'年度绩效指标 of a monitoring report: levels, 年度指标值 (target), 1-N月实际完成值 (actual), 全年预计完成值 (forecast), 偏差原因, 完成目标可能性, 备注';
COMMENT ON COLUMN @extschema@.monitoring_indicator.target_text IS '年度指标值 exactly as written';
COMMENT ON COLUMN @extschema@.monitoring_indicator.actual_text IS '1-N月实际完成值 exactly as written (— or empty: no in-year actual)';
COMMENT ON COLUMN @extschema@.monitoring_indicator.forecast_text IS '全年预计完成值 exactly as written';
COMMENT ON COLUMN @extschema@.monitoring_indicator.accrual IS 'The target''s accrual where its unit does not tell: cumulative (累计, pro-rated) or point (时点, a stock compared directly); NULL goes by the unit';
COMMENT ON COLUMN @extschema@.monitoring_indicator.deviation_causes IS '偏差原因: the standard causes ticked';
COMMENT ON COLUMN @extschema@.monitoring_indicator.deviation_note IS '偏差原因: what the form writes beyond the standard causes';
COMMENT ON COLUMN @extschema@.monitoring_indicator.likelihood IS '完成目标可能性';

-- Row-level security: the self-evaluation's test (60_security.sql).
ALTER TABLE @extschema@.monitoring ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.monitoring_fund_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.monitoring_indicator ENABLE ROW LEVEL SECURITY;

CREATE POLICY monitoring_unit ON @extschema@.monitoring FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                                  WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])));

CREATE POLICY monitoring_fund_line_unit ON @extschema@.monitoring_fund_line FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR monitoring_id IN (SELECT m.monitoring_id FROM @extschema@.monitoring m))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR monitoring_id IN (SELECT m.monitoring_id FROM @extschema@.monitoring m));

CREATE POLICY monitoring_indicator_unit ON @extschema@.monitoring_indicator FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR monitoring_id IN (SELECT m.monitoring_id FROM @extschema@.monitoring m))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR monitoring_id IN (SELECT m.monitoring_id FROM @extschema@.monitoring m));

-- The workflow: the self-evaluation's triggers, with the form's table as
-- their argument where they need it.
CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.monitoring
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow();

CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.monitoring_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.monitoring_fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring');
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.monitoring_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.monitoring_indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring');

CREATE FUNCTION @extschema@.submit_monitoring(monitoring_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('monitoring', $1, ARRAY['draft'], 'submitted', 'submitted')
$$;

CREATE FUNCTION @extschema@.approve_monitoring(monitoring_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('monitoring', $1, ARRAY['submitted'], 'approved', 'approved')
$$;

CREATE FUNCTION @extschema@.reopen_monitoring(monitoring_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('monitoring', $1, ARRAY['submitted', 'approved'], 'draft', 'reopened')
$$;

COMMENT ON FUNCTION @extschema@.submit_monitoring(bigint) IS
'Submits a draft monitoring report (draft → submitted); from then on it and its rows are read-only';
COMMENT ON FUNCTION @extschema@.approve_monitoring(bigint) IS
'Approves a submitted monitoring report (submitted → approved); reviewers only';
COMMENT ON FUNCTION @extschema@.reopen_monitoring(bigint) IS
'Returns a submitted or approved monitoring report to draft; reviewers only';

-- History: the self-evaluation's triggers (record_history knows these tables).
CREATE INDEX history_monitoring_idx ON @extschema@.history (row_id, history_id)
    WHERE table_name = 'monitoring';

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring_fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring_indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();

-- One row per report: the total row's money against time, the indicator
-- lights counted, and the lights computed from them, on the report's
-- profile.  Who sees what, as for evaluation_result (50_views.sql): the
-- view runs with the caller's rights (security_invoker), so the tables'
-- policies apply, and keeps the caller's units by the policies' test too.
CREATE VIEW @extschema@.monitoring_result WITH (security_invoker = true) AS
SELECT
    m.monitoring_id,
    m.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    m.year,
    m.month,
    m.status,
    m.profile,
    f.adjusted_budget,
    f.executed,
    f.forecast,
    @extschema@.try_execution_rate(f.adjusted_budget, f.executed) AS execution_rate,
    @extschema@.time_progress(m.year, m.month, pr.monitor_time_basis) AS time_progress,
    fs.fund_index,
    fs.light AS fund_light,
    fs.on_schedule,
    m.declared_on_schedule,
    coalesce(il.red, 0) AS red,
    coalesce(il.yellow, 0) AS yellow,
    coalesce(il.green, 0) AS green,
    coalesce(il.blue, 0) AS blue,
    coalesce(il.unlit, 0) AS unlit,
    il.project_light,
    il.project_light IN ('green', 'blue') AS stage_met,
    m.declared_stage_met,
    @extschema@.dual_light(fs.on_schedule, il.project_light IN ('green', 'blue')) AS dual_light,
    @extschema@.dual_light(m.declared_on_schedule, m.declared_stage_met) AS declared_dual_light
FROM @extschema@.monitoring m
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.profile pr ON pr.name = m.profile
LEFT JOIN @extschema@.monitoring_fund_line f ON f.monitoring_id = m.monitoring_id AND f.source = 'total'
LEFT JOIN LATERAL @extschema@.fund_status(f.adjusted_budget, f.executed, m.month, m.year, pr.monitor_time_basis,
                                          pr.monitor_yellow_from, pr.monitor_green_from) fs ON true
LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE l.light = 'red') AS red,
           pg_catalog.count(*) FILTER (WHERE l.light = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE l.light = 'green') AS green,
           pg_catalog.count(*) FILTER (WHERE l.light = 'blue') AS blue,
           pg_catalog.count(*) FILTER (WHERE l.light IS NULL) AS unlit,
           @extschema@.project_light(l.light) AS project_light
    FROM @extschema@.monitoring_indicator mi
    CROSS JOIN LATERAL (
        SELECT @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                           pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
    ) l
    WHERE mi.monitoring_id = m.monitoring_id
) il ON true
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_result IS
'One row per monitoring report: the total row''s 调整后预算数, 1-N月执行数 and 全年预计执行数, 执行率, 时间进度, v (fund_index) and the fund light, 达到序时支出进度 computed and declared, the indicator lights counted (unlit: no light), the project light, 达到阶段性绩效目标 computed (project light green or blue) and declared, and the 双监控 light on the computed and on the declared answers; on the report''s profile';

-- Daily use: PUBLIC reads (the policies decide what); writing is granted by
-- the administrator, as for the self-evaluation tables.
GRANT SELECT ON @extschema@.monitoring, @extschema@.monitoring_fund_line, @extschema@.monitoring_indicator,
                @extschema@.monitoring_reason, @extschema@.monitoring_result TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_fund_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_monitoring_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_fund_line_monitoring_fund_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_indicator_monitoring_indicator_id_seq', '');

-- Citus (issue 14, steps 1-2): refresh_reports() runs its distributed reads
-- over one connection per node, so that Citus lets it write report_refresh,
-- a reference table that report_snapshot references, afterwards
-- (test/integration/citus.sh); without Citus the setting is a placeholder.
ALTER PROCEDURE @extschema@.refresh_reports(boolean) SET citus.multi_shard_modify_mode = 'sequential';

-- blocks (issue 11, the last form variants)
-- part 1: a 总分 row holding the grade in its last cell (evaluation.reported_grade,
-- finding reported_grade_mismatch)
ALTER TABLE @extschema@.evaluation ADD COLUMN reported_grade text
    CONSTRAINT evaluation_reported_grade CHECK (reported_grade IN ('优', '良', '中', '差'));
COMMENT ON COLUMN @extschema@.evaluation.reported_grade IS '总分 row, the grade its last cell holds (优秀 read as 优, 良好 as 良, …), NULL where it holds none';

INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('reported_grade_mismatch', 'form', 'error', '总分行填报的等级与按计算总分评定的等级不符', 'the grade on the 总分 row differs from the grade of the computed total');
INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('reported_grade_mismatch', 'total', '总分行填报等级“%27$s”与计算总分 %13$s 的等级“%28$s”不符', 'the grade %27$s on the 总分 row differs from %28$s, the grade of the computed total %13$s');

-- part 2: the fund weight the form states, against the profile's (finding
-- fund_weight_off_profile; level1_weight_off_profile is the indicators' alone)
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('fund_weight_off_profile', 'form', 'warning', '表中预算执行率分值与评分方案不符（得分按表中分值计算）', 'the form''s weight for the execution rate differs from the profile''s (the score uses the form''s)');
INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('fund_weight_off_profile', 'fund', '表中预算执行率分值 %12$s 与评分方案“%15$s”的 %16$s 不符，得分按表中分值计算', 'the form weights the execution rate %12$s, profile "%15$s" %16$s: the score uses the form''s weight');

-- part 3: templates that weight whole blocks (evaluation.fund_block_weight,
-- indicator_level_weight, finding weights_by_block)
ALTER TABLE @extschema@.evaluation ADD COLUMN fund_block_weight numeric
    CONSTRAINT evaluation_fund_block_weight_range CHECK (fund_block_weight BETWEEN 0 AND 100);
COMMENT ON COLUMN @extschema@.evaluation.fund_block_weight IS 'The funds'' weight as a template that weights whole blocks writes it in their heading (预算执行情况（20分）): the execution rate''s weight where the 年度资金总额 row has no 分值';
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('weights_by_block', 'form', 'info', '表中指标未单列分值（按一级指标板块赋分），总分采用这些指标的填报得分', 'indicators carry no weight of their own (the form weights level-1 blocks): the total uses their reported scores');
INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('weights_by_block', 'total', '表中指标未单列分值，按一级指标板块赋分：各指标得分无法按规则计算，总分 %13$s 采用其填报得分', 'the form weights level-1 blocks, not each indicator: their scores cannot be computed by the rules, the total %13$s uses the reported ones');

CREATE OR REPLACE FUNCTION @extschema@.indicator_level_weight(level text)
RETURNS numeric
AS 'MODULE_PATHNAME', 'level_weight'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.indicator_level_weight(text) IS
'The weight a level''s name carries (产出指标 (40分) → 40), NULL where it carries none';

CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    n.level1_kind,
    h.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    a.rule,
    a.completion,
    a.score AS computed_score,
    i.reported_score,
    i.reported_score - a.score AS score_difference,
    coalesce(a.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - a.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
        CASE WHEN 'unscorable' = ANY (a.flags) THEN 'unscorable' END,
        CASE WHEN 'actual_is_claim' = ANY (a.flags) THEN 'actual_is_claim' END,
        CASE WHEN 'qualitative_needs_band' = ANY (a.flags) AND i.band IS NULL THEN 'band_missing' END,
        CASE WHEN i.reported_score < b.band_low
               OR i.reported_score > b.band_high
               OR (i.reported_score = b.band_high AND i.band <> 'achieved')
             THEN 'score_outside_band' END,
        CASE WHEN 'date_missed' = ANY (a.flags) THEN 'date_missed' END,
        CASE WHEN 'not_met' = ANY (a.flags) AND NOT x.explained THEN 'not_met_unexplained' END,
        CASE WHEN 'over_achieved' = ANY (a.flags) AND NOT x.explained THEN 'over_achieved_unexplained' END,
        CASE WHEN n.level1_kind <> h.level2_home
              AND NOT (n.level1_kind = 'cost' AND h.level2_name = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NOT NULL
              AND NOT (i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NOT NULL)
             THEN 'reported_score_used' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- The level names, read once per row: the name as the standard lists it is
-- the key of a join with the list of standard names, so it is computed once
-- when the row is probed and the kind comes back as a column.  Written as a
-- LATERAL sub-select instead, the call would be copied into every reference
-- to level1_kind (a dozen in evaluation_result); kept apart with OFFSET 0 it
-- would run once per row too, but on PostgreSQL 15 its parameters keep the
-- whole view out of parallel workers.
LEFT JOIN (SELECT l.name AS level1_name, l.kind AS level1_kind FROM @extschema@.standard_level l WHERE l.level = 1)
    AS n ON n.level1_name = @extschema@.indicator_level_name(i.level1)
LEFT JOIN (SELECT coalesce(l.standard, l.name) AS level2_name, l.name, l.kind AS level2_home
           FROM @extschema@.standard_level l WHERE l.level = 2)
    AS h ON h.name = @extschema@.indicator_level_name(i.level2)
CROSS JOIN LATERAL (
    -- an explanation that is empty or a placeholder explains nothing
    SELECT coalesce(pg_catalog.btrim(i.deviation_reason, E' \t\r\n　'), '')
               NOT IN ('', '-', '—', '－', '/', '一', '无') AS explained
) x
CROSS JOIN LATERAL (
    -- the evaluator's band as a score range (profile band_achieved and
    -- band_partial): 达成 [achieved, 1], 部分达成 [partial, achieved),
    -- 未达成 [0, partial) of the weight
    SELECT pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight * pr.band_achieved
                                WHEN 'partial' THEN i.weight * pr.band_partial
                                WHEN 'not_achieved' THEN 0
                            END, 2) AS band_low,
           pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight
                                WHEN 'partial' THEN i.weight * pr.band_achieved
                                WHEN 'not_achieved' THEN i.weight * pr.band_partial
                            END, 2) AS band_high
) b
CROSS JOIN LATERAL @extschema@.assess(i.target, i.actual, i.weight, i.level2,
                                      pr.over_achievement_ratio, pr.negative_formula) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE OR REPLACE VIEW @extschema@.fund_line_result WITH (security_barrier = true) AS
SELECT
    fl.evaluation_id,
    fl.source,
    fl.label,
    fl.annual_budget,
    fl.executed,
    fl.reported_weight,
    fl.reported_rate,
    fl.reported_score,
    w.weight,
    c.execution_rate AS computed_rate,
    c.fund_score AS computed_score,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN fl.source <> 'total' THEN
             CASE @extschema@.rate_disagreement(fl.reported_rate, c.execution_rate)
                  WHEN 'mismatch' THEN 'source_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END
        END,
        CASE WHEN fl.source <> 'total' AND pg_catalog.abs(fl.reported_score - c.fund_score) > 0.01
             THEN 'source_score_mismatch' END
    ], NULL) AS findings
FROM @extschema@.fund_line fl
JOIN @extschema@.evaluation e ON e.evaluation_id = fl.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN @extschema@.fund_line t ON t.evaluation_id = fl.evaluation_id AND t.source = 'total'
CROSS JOIN LATERAL (
    SELECT coalesce(fl.reported_weight, t.reported_weight, e.fund_block_weight, pr.execution_weight) AS weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(fl.annual_budget, fl.executed) AS execution_rate,
           @extschema@.try_fund_score(fl.annual_budget, fl.executed, w.weight) AS fund_score
) c
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE OR REPLACE VIEW @extschema@.evaluation_result WITH (security_barrier = true) AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    pg_catalog.round(f.initial_budget * m.factor, 2) AS initial_budget,
    pg_catalog.round(f.annual_budget * m.factor, 2) AS annual_budget,
    pg_catalog.round(f.executed * m.factor, 2) AS executed,
    pg_catalog.round(f.sources_initial_budget * m.factor, 2) AS sources_initial_budget,
    pg_catalog.round(f.sources_annual_budget * m.factor, 2) AS sources_annual_budget,
    pg_catalog.round(f.sources_executed * m.factor, 2) AS sources_executed,
    c.execution_rate,
    f.reported_rate AS reported_execution_rate,
    c.fund_weight,
    c.fund_score,
    f.reported_score AS reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    t.total_score,
    e.reported_total,
    e.reported_total - t.total_score AS total_difference,
    g.grade,
    c.fund_weight + w.weight_total AS weight_total,
    w.output_weight,
    w.benefit_weight,
    w.satisfaction_weight,
    w.cost_weight,
    w.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) + coalesce(rf.finding_count, 0)
        + coalesce(sf.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN (
    SELECT fl.evaluation_id,
           pg_catalog.bool_or(fl.source = 'total') AS has_total,
           pg_catalog.max(fl.initial_budget) FILTER (WHERE fl.source = 'total') AS initial_budget,
           pg_catalog.max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
           pg_catalog.max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
           pg_catalog.max(fl.reported_weight) FILTER (WHERE fl.source = 'total') AS reported_weight,
           pg_catalog.max(fl.reported_rate) FILTER (WHERE fl.source = 'total') AS reported_rate,
           pg_catalog.max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
           pg_catalog.sum(fl.initial_budget) FILTER (WHERE fl.source <> 'total') AS sources_initial_budget,
           pg_catalog.sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget,
           pg_catalog.sum(fl.executed) FILTER (WHERE fl.source <> 'total') AS sources_executed
    FROM @extschema@.fund_line fl
    GROUP BY fl.evaluation_id
) f ON f.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT r.evaluation_id,
           pg_catalog.count(*) AS indicator_count,
           pg_catalog.count(*) FILTER (WHERE r.counted_score IS NULL) AS unscored,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'output' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'output'), 0) END AS output_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'benefit' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'benefit'), 0) END AS benefit_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'satisfaction' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) END AS satisfaction_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'cost' AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'cost') END AS cost_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind IS NULL AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind IS NULL) END AS other_score,
           pg_catalog.sum(r.counted_score) AS indicator_score,
           pg_catalog.sum(r.weight) AS weight_total,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'cost') AS cost_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind IS NULL) AS other_weight,
           pg_catalog.sum(r.reported_score) AS reported_score_total,
           pg_catalog.sum(pg_catalog.cardinality(r.findings)) AS finding_count
    FROM @extschema@.indicator_result r
    GROUP BY r.evaluation_id
) s ON s.evaluation_id = e.evaluation_id
-- Level-1 blocks weighted as a whole (产出指标（40分）) whose indicators
-- carry no weight of their own: the block's weight counts for them.
LEFT JOIN (
    SELECT x.evaluation_id,
           pg_catalog.sum(x.weight) AS weight_total,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'cost') AS cost_weight,
           pg_catalog.sum(x.weight) FILTER (WHERE l.kind IS NULL) AS other_weight
    FROM (SELECT i.evaluation_id, i.level1, @extschema@.indicator_level_weight(i.level1) AS weight
          FROM @extschema@.indicator i
          WHERE i.weight IS NULL
          GROUP BY i.evaluation_id, i.level1) x
    LEFT JOIN @extschema@.standard_level l ON l.level = 1 AND l.name = @extschema@.indicator_level_name(x.level1)
    WHERE x.weight IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.indicator w
                      WHERE w.evaluation_id = x.evaluation_id AND w.level1 = x.level1 AND w.weight IS NOT NULL)
    GROUP BY x.evaluation_id
) b ON b.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.count(*) AS finding_count
    FROM @extschema@.read_finding x
    GROUP BY x.evaluation_id
) rf ON rf.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.sum(pg_catalog.cardinality(x.findings)) AS finding_count
    FROM @extschema@.fund_line_result x
    WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
    GROUP BY x.evaluation_id
) sf ON sf.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
-- the weights: the indicators' own, and a block's for the indicators of a
-- block weighted as a whole
CROSS JOIN LATERAL (
    SELECT coalesce(s.weight_total, 0) + coalesce(b.weight_total, 0) AS weight_total,
           s.output_weight + coalesce(b.output_weight, 0) AS output_weight,
           s.benefit_weight + coalesce(b.benefit_weight, 0) AS benefit_weight,
           s.satisfaction_weight + coalesce(b.satisfaction_weight, 0) AS satisfaction_weight,
           CASE WHEN s.cost_weight IS NOT NULL OR b.cost_weight IS NOT NULL
                THEN coalesce(s.cost_weight, 0) + coalesce(b.cost_weight, 0) END AS cost_weight,
           CASE WHEN s.other_weight IS NOT NULL OR b.other_weight IS NOT NULL
                THEN coalesce(s.other_weight, 0) + coalesce(b.other_weight, 0) END AS other_weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, e.fund_block_weight, pr.execution_weight) AS fund_weight,
           @extschema@.try_fund_score(f.annual_budget, f.executed,
                                      coalesce(f.reported_weight, e.fund_block_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
CROSS JOIN LATERAL (
    SELECT CASE WHEN @extschema@.is_scorable_number(t.total_score)
                THEN @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) END AS grade
) g
CROSS JOIN LATERAL (
    SELECT pg_catalog.array_remove(ARRAY[
        CASE WHEN f.has_total IS NOT TRUE THEN 'fund_total_missing' END,
        CASE WHEN f.annual_budget = 0 THEN 'budget_zero' END,
        CASE WHEN f.sources_annual_budget IS NOT NULL
              AND (f.sources_initial_budget <> f.initial_budget
                   OR f.sources_annual_budget <> f.annual_budget
                   OR f.sources_executed <> f.executed) THEN 'fund_sources_mismatch' END,
        CASE WHEN f.executed > f.annual_budget THEN 'execution_above_budget' END,
        CASE WHEN c.execution_rate < pr.low_execution_rate THEN 'execution_rate_low' END,
        CASE @extschema@.rate_disagreement(f.reported_rate, c.execution_rate)
             WHEN 'mismatch' THEN 'fund_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN (f.has_total AND f.annual_budget <> 0 AND (c.execution_rate IS NULL OR c.fund_score IS NULL))
               OR NOT @extschema@.is_scorable_number(t.total_score) THEN 'unscorable' END,
        CASE WHEN c.fund_weight + w.weight_total <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight THEN 'fund_weight_off_profile' END,
        CASE WHEN w.output_weight <> pr.output_weight
               OR w.benefit_weight <> pr.benefit_weight
               OR w.satisfaction_weight <> pr.satisfaction_weight
               OR coalesce(w.cost_weight, 0) <> coalesce(pr.cost_weight, 0) THEN 'level1_weight_off_profile' END,
        CASE WHEN b.weight_total IS NOT NULL THEN 'weights_by_block' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN e.reported_grade <> g.grade THEN 'reported_grade_mismatch' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE OR REPLACE VIEW @extschema@.audit_finding WITH (security_barrier = true) AS
SELECT r.evaluation_id,
       r.position,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(m.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.indicator_result r
CROSS JOIN LATERAL pg_catalog.unnest(r.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'indicator'
LEFT JOIN @extschema@.standard_level h ON h.level = 1 AND h.kind = r.level2_home
CROSS JOIN LATERAL (
    SELECT ARRAY[r.level3, r.level2, r.level1, r.target_text, r.actual_text,
                 r.weight::text, r.reported_score::text, r.computed_score::text,
                 pg_catalog.round(r.completion, 2)::text,
                 pg_catalog.round(r.band_low, 2)::text, pg_catalog.round(r.band_high, 2)::text,
                 h.name, h.name || ' (' || h.kind || ')',
                 CASE WHEN f.code = 'target_unreadable' THEN @extschema@.indicator_value_error(r.target_text) END,
                 CASE WHEN f.code = 'actual_unreadable' THEN @extschema@.indicator_value_error(r.actual_text) END] AS args
) a
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.evaluation_result e
CROSS JOIN LATERAL pg_catalog.unnest(e.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
-- unscorable is the execution rate's or its score's where one of them is
-- missing, else the total's
JOIN @extschema@.finding_message m
  ON m.code = f.code
 AND m.place = CASE WHEN f.code <> 'unscorable' THEN m.place
                    WHEN e.execution_rate IS NULL OR e.fund_score IS NULL THEN 'fund'
                    ELSE 'total' END
 AND m.place IN ('fund', 'total')
JOIN @extschema@.profile pr ON pr.name = e.profile
JOIN @extschema@.evaluation ev ON ev.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT ARRAY[e.sources_initial_budget::text, e.sources_annual_budget::text, e.sources_executed::text,
                 e.initial_budget::text, e.annual_budget::text, e.executed::text,
                 e.execution_rate::text, pr.low_execution_rate::text, e.reported_execution_rate::text,
                 e.reported_fund_score::text, e.fund_score::text, e.fund_weight::text, e.total_score::text,
                 e.weight_total::text, e.profile, pr.execution_weight::text,
                 e.output_weight::text, pr.output_weight::text, e.benefit_weight::text, pr.benefit_weight::text,
                 e.satisfaction_weight::text, pr.satisfaction_weight::text,
                 coalesce(e.cost_weight, 0)::text, coalesce(pr.cost_weight, 0)::text,
                 e.reported_total::text, e.reported_score_sum::text,
                 ev.reported_grade, e.grade] AS args
) a
UNION ALL
-- a source row's printed 执行率 or 得分
SELECT x.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.fund_line_result x
CROSS JOIN LATERAL pg_catalog.unnest(x.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'source'
JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.source
CROSS JOIN LATERAL (
    SELECT ARRAY[coalesce(x.label, sfs.label), x.reported_rate::text, x.computed_rate::text, x.reported_score::text,
                 x.computed_score::text, x.weight::text] AS args
) a
WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
UNION ALL
-- what the form reader found, on the indicator of its line or on the form
SELECT rf.evaluation_id,
       rf.position,
       rf.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.read_finding rf
JOIN @extschema@.evaluation e ON e.evaluation_id = rf.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message m ON m.code = rf.code AND m.place = 'line'
LEFT JOIN @extschema@.indicator i ON i.evaluation_id = rf.evaluation_id AND i.position = rf.position
CROSS JOIN LATERAL (
    SELECT ARRAY[rf.line::text, rf.detail, i.level3, rf.source] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
        ALTER VIEW @extschema@.fund_line_result SET (security_invoker = true);
        ALTER VIEW @extschema@.fund_line_result RESET (security_barrier);
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.audit_finding SET (security_invoker = true);
        ALTER VIEW @extschema@.audit_finding RESET (security_barrier);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.import_problem(forms jsonb, funds jsonb, inds jsonb)
RETURNS TABLE (form integer, line integer, expected text, sqlstate text, pattern text)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $q$
    SELECT p.form, p.line, p.expected, p.sqlstate, p.pattern 
    FROM (
        SELECT f.form, f.line,
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN 'a year between 2000 and 2100 after 绩效自评年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '实施单位 or 一级预算单位 in the header (the unit the project belongs to)'
                    ELSE 'numbers from 0 to 100 under 分值 and 得分 in the 总分 row' END AS expected,
               CASE WHEN f.unit IS NULL AND f.top_unit IS NULL AND f.year BETWEEN 2000 AND 2100 THEN '22P02' ELSE '22003' END AS sqlstate,
               -- the row to show: the header's, or the 总分 row
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN '(绩效自评|自评|评价)年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '项目名称'
                    ELSE '^[[:space:]"]*(总分|合计)' END AS pattern
        FROM jsonb_to_recordset(import_problem.forms) AS f (form integer, line integer, year integer, unit text, top_unit text,
                                             total_weight numeric, total_score numeric)
        WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
           OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100
        UNION ALL
        SELECT x.form, x.line,
               CASE
                   WHEN x.kind IS NULL THEN
                       pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', x.source)
                   WHEN least(x.initial_budget, x.budget, x.executed) < 0 THEN
                       'amounts of 0 or more under 年初预算数, 全年预算数 and 全年执行数'
                   WHEN x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0 THEN
                       'a 分值 and 得分 from 0 to 100 and an 执行率 of 0 or more'
                   ELSE pg_catalog.format('a number of at most 18 significant digits and 18 decimal places under %s (scores are computed exactly)',
                            CASE WHEN NOT @extschema@.is_scorable_number(x.initial_budget) THEN '年初预算数'
                                 WHEN NOT @extschema@.is_scorable_number(x.budget) THEN '全年预算数'
                                 WHEN NOT @extschema@.is_scorable_number(x.executed) THEN '全年执行数'
                                 WHEN NOT @extschema@.is_scorable_number(x.weight) THEN '分值'
                                 WHEN NOT @extschema@.is_scorable_number(x.rate) THEN '执行率'
                                 ELSE '得分' END)
               END,
               CASE WHEN x.kind IS NULL THEN '22P02' ELSE '22003' END,
               NULL
        FROM jsonb_to_recordset(import_problem.funds) AS x (form integer, line integer, source text, kind text, initial_budget numeric,
                                                 budget numeric, executed numeric, weight numeric,
                                                 rate numeric, score numeric)
        WHERE x.kind IS NULL
           OR least(x.initial_budget, x.budget, x.executed) < 0
           OR x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0
           OR NOT (@extschema@.is_scorable_number(x.initial_budget) AND @extschema@.is_scorable_number(x.budget)
                   AND @extschema@.is_scorable_number(x.executed) AND @extschema@.is_scorable_number(x.weight)
                   AND @extschema@.is_scorable_number(x.rate) AND @extschema@.is_scorable_number(x.score))
        UNION ALL
        -- the same source twice in a form: the second row is the one to name
        SELECT d.form, d.lines[2],
               pg_catalog.format('each fund source once per form (“%s” was the row of line %s)', d.source, d.lines[1]),
               '22P02', NULL
        FROM (SELECT y.form, (pg_catalog.array_agg(y.source ORDER BY y.line))[1] AS source,
                     pg_catalog.array_agg(y.line ORDER BY y.line) AS lines
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text, kind text)
              GROUP BY y.form, y.kind, CASE WHEN y.kind = 'other' THEN nullif(y.source, '其他资金') END
              HAVING pg_catalog.count(*) > 1) d
        UNION ALL
        SELECT i.form, i.line,
               CASE WHEN i.level2 IS NULL
                    THEN 'a 二级指标 (数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, …) for this indicator or a row above'
                    WHEN i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100 THEN 'a 分值 and 得分 from 0 to 100'
                    ELSE pg_catalog.format('a number of at most 18 significant digits and 18 decimal places under %s (scores are computed exactly)',
                             CASE WHEN NOT @extschema@.is_scorable_number(i.weight) THEN '分值' ELSE '得分' END) END,
               CASE WHEN i.level2 IS NULL THEN '22P02' ELSE '22003' END,
               NULL
        FROM jsonb_to_recordset(import_problem.inds) AS i (form integer, line integer, level2 text, weight numeric, score numeric)
        WHERE i.level2 IS NULL OR i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100
           OR NOT (@extschema@.is_scorable_number(i.weight) AND @extschema@.is_scorable_number(i.score))
    ) p
    ORDER BY p.form, p.line
    LIMIT 1
$q$;

CREATE OR REPLACE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;            -- the forms of a batch
    funds jsonb;            -- every fund line of the batch
    inds jsonb;             -- every indicator of the batch
    bad record;
    pos_offset bigint := 0; -- where the next batch begins (NULL: the document is read)
    pos_line integer := 1;
    pos_form integer := 0;
    base integer;           -- forms before the batch: its form f is element f - base below
    done_form integer[] := '{}';    -- the forms of the batches before, for step 5
    done_line integer[] := '{}';
    done_year integer[] := '{}';
    done_project bigint[] := '{}';
    done_code text[] := '{}';
    done_name text[] := '{}';
    quote_lines integer[] := '{}';  -- cells whose quote nothing closes (read as text)
    writing_rows boolean := false;  -- in step 7: a failure there is a cell no table holds
    form_unit bigint[];     -- per form of the batch, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];  -- batch-local, as the arrays above
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];         -- form numbers
    attempt integer;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- The document is read and written a batch of forms at a time (500
    -- forms or about 8 MB of text, see read_form_batch), steps 1-7 per
    -- batch, all in this one transaction: memory is that of a batch, and a
    -- cancel or a timeout stops the import between any two rows it reads.
    -- One exception block for all batches, not one per batch: each block
    -- is a subtransaction, and the memory a committed subtransaction used
    -- stays until the transaction ends (about 4 MB a batch).
    BEGIN
    LOOP
        -- 1. Read.  A form that cannot be read at all raises here (22P02, with
        -- the form, the line and what was expected); what earlier batches wrote
        -- is undone with the rest.  The fund lines and indicators of the
        -- batch's forms are taken out once, each with its form's position:
        -- every statement below reads a flat set.
        EXIT WHEN pos_offset IS NULL;
        base := pos_form;
        SELECT b.forms, b.next_offset, b.next_line, b.next_form INTO forms, pos_offset, pos_line, pos_form
        FROM @extschema@.read_form_batch(document, pos_offset, pos_line, pos_form, 500) AS b;
        n := pg_catalog.jsonb_array_length(forms);
        EXIT WHEN n = 0;
        funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
        inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');
        quote_lines := quote_lines || ARRAY(SELECT x.line
                                            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                                                 AS x (line integer, code text)
                                            WHERE x.code = 'unclosed_quote'
                                            ORDER BY x.line);

        RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 2. What the reader lets through but no table can hold.  The header
        -- is checked here (before units and projects are looked for); fund
        -- lines and indicators by the tables' own constraints as they are
        -- written (step 7), at no cost when all is well.  Either way the error
        -- names the document's first such cell (import_raise_problem).
        IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                             total_weight numeric, total_score numeric)
                   WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                      OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
        -- created at the top level when there is none; 实施单位 is a unit of
        -- that name (under its 一级预算单位 first, then at the top level), created
        -- under its 一级预算单位 when there is none, at the top level when the
        -- form names none (and no other form of the document places it).
        -- Creating units is for reviewers (row-level security says so when
        -- someone else tries).
        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.top_unit
        FROM jsonb_to_recordset(forms) AS f (top_unit text)
        WHERE f.top_unit IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.top_unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
        FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
        LEFT JOIN (
            SELECT n.name,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
        ) t ON t.name = f.top_unit;

        INSERT INTO @extschema@.unit (name, parent_id)
        SELECT DISTINCT f.unit, form_top[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 2, 1
        ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.unit
        FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
        WHERE f.unit IS NOT NULL AND f.top_unit IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form - base], 0)) ORDER BY f.form) INTO form_unit
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN (
            SELECT n.name, n.top,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.unit AS name, form_top[x.form - base] AS top
                  FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
                  WHERE x.unit IS DISTINCT FROM x.top_unit) n
        ) t ON t.name = f.unit AND t.top = form_top[f.form - base] AND f.unit IS DISTINCT FROM f.top_unit;

        RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 4. Projects: by 项目编号, else by name within the unit.  A project the
        -- caller cannot see is not found; inserting it again then does nothing
        -- (its code is taken) or is refused by row-level security.
        INSERT INTO @extschema@.project (code, name, unit_id)
        SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NOT NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p WHERE p.code = f.project_code)
        ORDER BY f.project_code, f.form
        ON CONFLICT (code) DO NOTHING;

        INSERT INTO @extschema@.project (name, unit_id)
        SELECT DISTINCT f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        WHERE f.project_code IS NULL
          AND NOT EXISTS (SELECT FROM @extschema@.project p
                          WHERE p.unit_id = form_unit[f.form - base] AND p.name = f.project_name)
        ORDER BY 2, 1
        ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
        FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form - base] AS unit_id
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
        LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
        LEFT JOIN (
            SELECT n.unit_id, n.name,
                   coalesce((SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                            (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
            FROM (SELECT DISTINCT form_unit[x.form - base] AS unit_id, x.project_name AS name
                  FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
                  WHERE x.project_code IS NULL) n
        ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

        -- A project the caller cannot see, or one that belongs to another unit.
        SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                             unit text, top_unit text)
        LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form - base]
        LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form - base]
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND bad.unit_id IS NULL THEN
            RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                    bad.form, bad.line, bad.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                    bad.project_unit, coalesce(bad.unit, bad.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 5. One form per project and year in the document: in the batch, and
        -- against the forms of the batches before it (never a replace of a form
        -- this import wrote).
        SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
        FROM (SELECT x.form, x.line, x.year, x.project_code, x.project_name, form_project[x.form - base] AS project_id
              FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text)
              UNION ALL
              SELECT d.*
              FROM ROWS FROM (pg_catalog.unnest(done_form), pg_catalog.unnest(done_line), pg_catalog.unnest(done_year),
                              pg_catalog.unnest(done_code), pg_catalog.unnest(done_name), pg_catalog.unnest(done_project))
                   AS d (form, line, year, project_code, project_name, project_id)) a
        JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
          ON b.form > a.form AND b.year = a.year AND form_project[b.form - base] = a.project_id
        ORDER BY b.form, a.form
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                    bad.form, bad.line, bad.other_form, bad.other_line,
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 6. The forms themselves.  A project and year already stored is an
        -- error, or with on_conflict => 'replace' is replaced in place: the same
        -- evaluation_id, its profile kept, its fund lines and indicators written
        -- anew (the evaluator's band carried over where an indicator is
        -- unchanged), the old version in pjeval.history.  The workflow refuses to
        -- replace a form that is submitted or approved.  An import that races
        -- with another for the same project and year finds it on its next try.
        form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
        todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g);
        old_bands := NULL;
        attempt := 0;
        LOOP
            attempt := attempt + 1;

            -- the forms of this try already stored, locked in one order
            SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
            INTO found_forms, found_evals
            FROM (SELECT f.form, e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                  JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year
                  ORDER BY e.evaluation_id
                  FOR UPDATE OF e) x;

            IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
                SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
                FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
                WHERE f.form = base + found_forms[1];
                RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                        coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                          HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
            END IF;

            IF found_forms IS NOT NULL THEN
                UPDATE @extschema@.evaluation e
                SET budget_unit_id = nullif(form_top[f.form - base], 0),
                    amount_unit = coalesce(f.amount_unit, '元'),
                    expected_goal = f.goal_expected,
                    actual_outcome = f.goal_actual,
                    reported_weight_total = f.total_weight,
                    reported_total = f.total_score,
                    notes = f.notes,
                    reported_grade = f.total_grade,
                    fund_block_weight = f.fund_weight
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text, total_grade text,
                                                     fund_weight numeric)
                  ON f.form = base + x.form
                WHERE e.evaluation_id = x.evaluation_id;

                SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                           i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                           i.band), '{}')
                INTO old_bands
                FROM @extschema@.indicator i
                WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

                DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
                DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);
                -- (asked first: an import without reader findings needs no
                -- right on read_finding)
                IF EXISTS (SELECT FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals)) THEN
                    DELETE FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals);
                END IF;

                form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
            END IF;

            -- the forms not stored yet; one that a concurrent import has just
            -- stored is left out, and found on the next try
            WITH ins AS (
                INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                    actual_outcome, reported_weight_total, reported_total, notes, reported_grade,
                                                    fund_block_weight)
                SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                       f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes, f.total_grade, f.fund_weight
                FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                     goal_actual text, total_weight numeric, total_score numeric, notes text,
                                                     total_grade text, fund_weight numeric)
                JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                ORDER BY form_project[f.form - base], f.year
                ON CONFLICT (project_id, year) DO NOTHING
                RETURNING evaluation_id, project_id, year
            )
            SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
            INTO found_forms, found_evals
            FROM ins
            JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
              ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

            todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
            EXIT WHEN pg_catalog.cardinality(todo) = 0;
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                    USING ERRCODE = 'serialization_failure',
                          HINT = 'Try again.';
            END IF;
        END LOOP;

        RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 7. Their rows.  Amounts left blank are 0; the values of targets and
        -- actuals are read by the indicator's trigger (NULL, and flagged by the
        -- audit, where a cell does not read: the text is kept as written).
        writing_rows := true;
            INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                               reported_weight, reported_rate, reported_score, label)
            SELECT form_eval[x.form - base], x.kind, coalesce(x.initial_budget, 0),
                   coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score,
                   CASE WHEN x.kind = 'other' THEN nullif(x.source, sfs.label) END
            FROM jsonb_to_recordset(funds) AS x (form integer, line integer, source text, kind text, initial_budget numeric,
                                                 budget numeric, executed numeric, weight numeric, rate numeric, score numeric)
            LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.kind
            ORDER BY x.form, x.line;

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                               weight, reported_score, deviation_reason, band)
            SELECT form_eval[x.form - base], x.position,
                   x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                   x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
                   CASE WHEN old_bands IS NOT NULL
                        THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                            || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
            FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                level2 text, level3 text, target text, actual text,
                                                weight numeric, score numeric, explanation text);
        writing_rows := false;

        -- What the reader found worth a look, on the row of its line (an
        -- indicator, a fund row) or on the form.
        IF pg_catalog.jsonb_path_exists(forms, '$[*].findings[*]') THEN
            INSERT INTO @extschema@.read_finding (evaluation_id, line, position, source, code, detail)
            SELECT form_eval[x.form - base], x.line, i.position, fl.kind, x.code, x.detail
            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                 AS x (form integer, line integer, code text, detail text)
            LEFT JOIN jsonb_to_recordset(inds) AS i (form integer, line integer, position integer)
              ON i.form = x.form AND i.line = x.line
            LEFT JOIN jsonb_to_recordset(funds) AS fl (form integer, line integer, kind text)
              ON fl.form = x.form AND fl.line = x.line
            ORDER BY x.form, x.line;
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;

        SELECT done_form || pg_catalog.array_agg(x.form ORDER BY x.form),
               done_line || pg_catalog.array_agg(x.line ORDER BY x.form),
               done_year || pg_catalog.array_agg(x.year ORDER BY x.form),
               done_project || pg_catalog.array_agg(form_project[x.form - base] ORDER BY x.form),
               done_code || pg_catalog.array_agg(x.project_code ORDER BY x.form),
               done_name || pg_catalog.array_agg(x.project_name ORDER BY x.form)
        INTO done_form, done_line, done_year, done_project, done_code, done_name
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text);
    END LOOP;
    EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
        -- a cell no table can hold (step 7 of the batch that failed): say which
        IF writing_rows THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;
        RAISE;
    END;

    -- What was read but is worth a look: a cell that began with a quote
    -- that nothing closes (copied from a PDF) was read as text.
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.export_form(evaluation_id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    out text[] := '{}';
    funds text;
    inds text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_forms reads it back); ''html'' writes a printable page.';
    END IF;
    IF export_form.evaluation_id IS NULL THEN
        RETURN NULL;
    END IF;

    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;

    IF format = 'html' THEN
        RETURN @extschema@.export_form_html(export_form.evaluation_id);
    END IF;

    -- The template's layout, as in the forms it was read from: the same
    -- sections, labels and columns, blank lines between the sections.
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END,
                   CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                                 WHEN 'carryover' THEN '上年结转资金'
                                 ELSE @extschema@.export_cell(coalesce(f.label, '其他资金')) END,
                   f.initial_budget, f.annual_budget, f.executed,
                   coalesce(f.reported_weight::text, '—'), coalesce(f.reported_rate::text, '—'),
                   coalesce(f.reported_score::text, '—')),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source), fl.fund_line_id) AS n
          FROM @extschema@.fund_line fl
          WHERE fl.evaluation_id = export_form.evaluation_id) f;

    -- Level-1 and level-2 cells left blank where they repeat the row above,
    -- as on the form, unless the row would then begin with a word the
    -- reader takes for the template's own (总分, 备注, …).
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.new1 THEN @extschema@.export_cell(i.level1) ELSE '' END,
                   CASE WHEN i.new2 OR (NOT i.new1 AND @extschema@.is_template_label(i.level3))
                        THEN @extschema@.export_cell(i.level2) ELSE '' END,
                   @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                   @extschema@.export_cell(i.actual_text), coalesce(i.weight::text, ''),
                   coalesce(i.reported_score::text, ''), @extschema@.export_cell(i.deviation_reason)),
               E'\n' ORDER BY i.position)
    INTO inds
    FROM (SELECT ind.*,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL
                     OR @extschema@.is_template_label(ind.level2) AS new1,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR ind.level2 IS DISTINCT FROM pg_catalog.lag(ind.level2) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL AS new2
          FROM @extschema@.indicator ind
          WHERE ind.evaluation_id = export_form.evaluation_id
          WINDOW w AS (ORDER BY ind.position)) i;

    out := ARRAY[
        '',
        '项目支出绩效自评表',
        '',
        pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(e.project_code),
                             '项目名称:', @extschema@.export_cell(e.project_name), '绩效自评年度:', e.year),
        pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(e.unit_name),
                             '一级预算单位:', @extschema@.export_cell(e.budget_unit_name), '', ''),
        '',
        '资金使用情况',
        '',
        E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分'];
    IF funds IS NOT NULL THEN
        out := out || funds;
    END IF;
    out := out || ARRAY[
        '',
        '项目目标完成情况',
        '',
        E'年度总体目标\t预期目标\t\t\t\t* 实际完成情况\t\t\t',
        pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(e.expected_goal), '', '', '',
                             @extschema@.export_cell(e.actual_outcome), '', '', ''),
        E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施'];
    IF inds IS NOT NULL THEN
        out := out || inds;
    END IF;
    out := out || ARRAY[
        pg_catalog.concat_ws(E'\t', '总分', '', '', '', '', '', coalesce(e.reported_weight_total::text, ''),
                             coalesce(e.reported_total::text, ''), coalesce(e.reported_grade, '—')),
        '',
        CASE WHEN e.notes IS NULL THEN '备注：'
             WHEN e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"'
                 THEN E'备注：\t' || @extschema@.export_cell(e.notes)
             ELSE '备注：' || e.notes END,
        '',
        '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。'];
    RETURN pg_catalog.array_to_string(out, E'\n') || E'\n';
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.export_form_html(evaluation_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    r record;
    funds text;
    inds text;
    finds text;
    nfund integer;
    nind integer;
    h text;
    status_zh text;
    fs jsonb;
    total_sev text;
    total_marks text;
BEGIN
    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form_html.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form_html.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    SELECT * INTO r FROM @extschema@.evaluation_result er WHERE er.evaluation_id = export_form_html.evaluation_id;
    status_zh := CASE e.status WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' ELSE '已审核' END;

    -- the findings, numbered: the whole form's first, then by indicator.
    -- A form's finding is marked on the 年度资金总额 row when it is about the
    -- funds, else on the 总分 row.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY x.n), '[]') INTO fs
    FROM (SELECT pg_catalog.row_number() OVER (ORDER BY a.position NULLS FIRST,
                     pg_catalog.array_position(ARRAY['error', 'warning', 'info'], a.severity), a.code) AS n,
                 a.position, a.code, a.severity, a.message_zh, a.message_en,
                 CASE WHEN a.position IS NOT NULL THEN 'indicator'
                      WHEN a.code IN ('fund_total_missing', 'budget_zero', 'fund_sources_mismatch', 'execution_above_budget',
                                      'execution_rate_low', 'fund_rate_mismatch', 'fund_score_mismatch',
                                      'reported_score_used', 'score_unavailable', 'fund_weight_off_profile') THEN 'fund'
                      ELSE 'total' END AS place
          FROM @extschema@.audit_finding a
          WHERE a.evaluation_id = export_form_html.evaluation_id) x;
    SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1],
           coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '')
    INTO total_sev, total_marks
    FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
    WHERE x.place = 'total';

    SELECT pg_catalog.count(*) INTO nfund FROM @extschema@.fund_line fl WHERE fl.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s>%s<td class="label">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
               '<td class="num">%s</td><td class="num">%s%s</td><td class="num">%s%s%s</td></tr>',
               CASE WHEN f.source = 'total' AND f.sev IS NOT NULL THEN ' class="finding-' || f.sev || '"' ELSE '' END,
               CASE WHEN f.n = 1 THEN pg_catalog.format('<th rowspan="%s" colspan="2" class="label">项目资金（%s）</th>',
                                                         nfund, @extschema@.html_escape(e.amount_unit)) ELSE '' END,
               CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                             WHEN 'carryover' THEN '上年结转资金'
                             ELSE @extschema@.html_escape(coalesce(f.label, '其他资金')) END,
               f.initial_budget, f.annual_budget, f.executed,
               coalesce(f.reported_weight::text, '—'),
               coalesce(f.reported_rate::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.execution_rate::text, '—')) ELSE '' END,
               coalesce(f.reported_score::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.fund_score::text, '—')) ELSE '' END,
               CASE WHEN f.source = 'total' THEN f.marks ELSE '' END),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source), fl.fund_line_id) AS n,
                 m.sev, m.marks
          FROM @extschema@.fund_line fl
          CROSS JOIN LATERAL (
              SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                     coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
              FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
              WHERE x.place = 'fund') m
          WHERE fl.evaluation_id = export_form_html.evaluation_id) f;

    SELECT pg_catalog.count(*) INTO nind FROM @extschema@.indicator i WHERE i.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s><td class="pos">%s</td>%s%s<td>%s</td><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s<span class="computed">计算 %s</span>%s</td><td>%s</td></tr>',
               CASE WHEN g.sev IS NOT NULL THEN ' class="finding-' || g.sev || '"' ELSE '' END,
               g.position,
               CASE WHEN g.n1 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size1, @extschema@.html_escape(g.level1)) ELSE '' END,
               CASE WHEN g.n2 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size2, @extschema@.html_escape(g.level2)) ELSE '' END,
               @extschema@.html_escape(g.level3),
               @extschema@.html_escape(g.target_text),
               @extschema@.html_escape(g.actual_text),
               coalesce(g.weight::text, ''),
               coalesce(g.reported_score::text, ''),
               coalesce(g.computed_score::text, '—'),
               g.marks,
               @extschema@.html_escape(g.deviation_reason)),
               E'\n' ORDER BY g.position)
    INTO inds
    FROM (SELECT b.*,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1 ORDER BY b.position) AS n1,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1) AS size1,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1, b.run2 ORDER BY b.position) AS n2,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1, b.run2) AS size2
          FROM (SELECT a.*,
                       pg_catalog.sum(a.new1::integer) OVER (ORDER BY a.position) AS run1,
                       pg_catalog.sum(a.new2::integer) OVER (ORDER BY a.position) AS run2
                FROM (SELECT i.*, ir.computed_score,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new1,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR i.level2 IS DISTINCT FROM pg_catalog.lag(i.level2) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new2,
                             m.sev, m.marks
                      FROM @extschema@.indicator i
                      LEFT JOIN @extschema@.indicator_result ir ON ir.indicator_id = i.indicator_id
                      CROSS JOIN LATERAL (
                          SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                                 coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
                          FROM jsonb_to_recordset(fs) AS x (n integer, position integer, severity text)
                          WHERE x.position = i.position) m
                      WHERE i.evaluation_id = export_form_html.evaluation_id
                      WINDOW w AS (ORDER BY i.position)) a) b) g;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<li id="f%s" class="finding-%s"><span class="sev %s">%s</span> <span class="where">%s</span> %s <code>%s</code><br><span class="en">%s</span></li>',
               x.n, x.severity, x.severity,
               CASE x.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END,
               CASE WHEN x.position IS NULL THEN '整表' ELSE '指标 ' || x.position END,
               @extschema@.html_escape(x.message_zh), @extschema@.html_escape(x.code),
               @extschema@.html_escape(x.message_en)),
               E'\n' ORDER BY x.n)
    INTO finds
    FROM jsonb_to_recordset(fs) AS x (n integer, position integer, code text, severity text, message_zh text, message_en text);

    h := pg_catalog.concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pjeval">
<title>项目支出绩效自评表 · ', @extschema@.html_escape(e.project_name), ' · ', e.year, '年度</title>
<style>
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 10pt; color: #000; background: #fff; }
body { margin: 0 auto; padding: 8mm 0; max-width: 186mm; line-height: 1.45; }
h1 { text-align: center; font-size: 17pt; letter-spacing: .25em; margin: 0; font-weight: 700; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; font-size: 10pt; }
.status { display: inline-block; border: 1px solid #555; padding: 0 1.5mm; font-size: 8.5pt; margin-left: 2mm; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm 1.4mm; vertical-align: middle; overflow-wrap: anywhere; }
table.form th { font-weight: 400; background: #f0f0f0; text-align: center; font-size: 9pt; }
table.form th.part { background: #dcdcdc; font-weight: 700; letter-spacing: .1em; }
table.form th.section, table.form th.label, table.form td.level { text-align: center; }
table.form td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.form td.text { text-align: left; }
table.form td.pos { text-align: center; color: #333; }
.computed { display: block; color: #444; font-size: 7.5pt; white-space: nowrap; }
tr.finding-error > td:not(.level) { background: #fbe3e1; }
tr.finding-warning > td:not(.level) { background: #fdf3cf; }
tr.finding-info > td:not(.level) { background: #eaf1fb; }
td.code { white-space: nowrap; font-size: 8.5pt; font-variant-numeric: tabular-nums; }
a.mark { display: inline-block; min-width: 3.2mm; margin-left: .6mm; padding: 0 .5mm; border-radius: 1mm; font-size: 7pt; line-height: 1.4; text-align: center; text-decoration: none; color: #fff; vertical-align: super; }
a.mark.error, .sev.error { background: #b3261e; }
a.mark.warning, .sev.warning { background: #a86a00; }
a.mark.info, .sev.info { background: #41618f; }
.sev { color: #fff; padding: 0 1mm; border-radius: 1mm; font-size: 8pt; }
section.findings { margin-top: 5mm; }
section.findings h2 { font-size: 11pt; margin: 0 0 2mm; }
section.findings ol { margin: 0; padding-left: 0; list-style: none; }
section.findings li { padding: 1mm 1.5mm; margin-bottom: 1mm; border-left: 1mm solid transparent; break-inside: avoid; }
section.findings li.finding-error { border-color: #b3261e; background: #fbe3e1; }
section.findings li.finding-warning { border-color: #a86a00; background: #fdf3cf; }
section.findings li.finding-info { border-color: #41618f; background: #eaf1fb; }
section.findings .where { font-weight: 700; }
section.findings code { font-size: 7.5pt; color: #555; }
section.findings .en { color: #555; font-size: 8pt; }
p.foot { font-size: 8pt; color: #444; margin-top: 3mm; }
@media print {
  body { padding: 0; max-width: none; }
  li { break-inside: avoid; }
  a.mark { color: #fff; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<h1>项目支出绩效自评表</h1>
<p class="subtitle">（', e.year, '年度）<span class="status">', status_zh, '</span></p>
<table class="form">
<colgroup><col style="width:6%"><col style="width:11%"><col style="width:12%"><col style="width:17%"><col style="width:12%"><col style="width:12%"><col style="width:7%"><col style="width:10%"><col style="width:13%"></colgroup>
<tbody>
<tr><th colspan="2">项目编号</th><td colspan="2" class="code">', @extschema@.html_escape(e.project_code), '</td><th>项目名称</th><td colspan="2">',
        @extschema@.html_escape(e.project_name), '</td><th>绩效自评年度</th><td>', e.year, '</td></tr>
<tr><th colspan="2">实施单位</th><td colspan="2">', @extschema@.html_escape(e.unit_name), '</td><th>一级预算单位</th><td colspan="4">',
        @extschema@.html_escape(e.budget_unit_name), '</td></tr>
<tr><th colspan="9" class="part">资金使用情况</th></tr>
<tr><th colspan="3"></th><th>年初预算数</th><th>全年预算数</th><th>全年执行数</th><th>分值</th><th>执行率 (%)</th><th>得分</th></tr>
', coalesce(funds, ''), '
<tr><th colspan="9" class="part">项目目标完成情况</th></tr>
<tr><th rowspan="2" colspan="2" class="section">年度总体目标</th><th colspan="3">预期目标</th><th colspan="4">实际完成情况</th></tr>
<tr><td colspan="3" class="text">', @extschema@.html_escape(e.expected_goal), '</td><td colspan="4" class="text">',
        @extschema@.html_escape(e.actual_outcome), '</td></tr>
<tr><th colspan="9" class="part">年度绩效指标</th></tr>
<tr><th>序号</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th><th>分值</th><th>得分</th><th>偏差原因分析及改进措施</th></tr>
', coalesce(inds, ''), '
<tr', CASE WHEN total_sev IS NOT NULL THEN ' class="finding-' || total_sev || '"' END, '><th colspan="6">总分</th><td class="num">',
        coalesce(e.reported_weight_total::text, ''), '</td><td class="num">', coalesce(e.reported_total::text, ''),
        '<span class="computed">计算 ', coalesce(r.total_score::text, '—'), '</span>', total_marks, '</td><td>评级：',
        coalesce(r.grade, '—'), '</td></tr>
<tr><th colspan="2">备注</th><td colspan="7" class="text">', pg_catalog.replace(@extschema@.html_escape(e.notes), E'\n', '<br>'), '</td></tr>
</tbody>
</table>
<p class="foot">“计算”为 pjeval 按评分规则（', @extschema@.html_escape(e.profile), '）核算的数值，与填报数值并列；有审核发现的行以底色标出并编号。</p>
<section class="findings">
<h2>审核发现（', pg_catalog.jsonb_array_length(fs), '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
    RETURN h;
END
$fn$;

-- part 4: the reader decides fund sources (read_forms' funds[].kind); the SQL
-- classifier is gone
DROP FUNCTION @extschema@.fund_source(text);
DROP FUNCTION @extschema@.fund_source_label(text);

-- monitoring, second increment (issue 15): a profile that a submitted or
-- approved monitoring report uses is frozen, and a project's header is
-- read-only while one of its monitoring reports is submitted or approved,
-- as for evaluations (moving the project keeps the reports' 一级预算单位
-- above it); pjeval.monitoring_unit_summary; the consistency findings
-- (scope monitor) and pjeval.monitoring_finding.
CREATE OR REPLACE FUNCTION @extschema@.profile_protect()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.builtin) OR (TG_OP <> 'INSERT' AND OLD.builtin) THEN
        RAISE EXCEPTION 'profile "%" is built in', coalesce(OLD.name, NEW.name)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ... ';
    END IF;
    IF TG_OP <> 'INSERT' AND NOT @extschema@.restoring_dump() THEN
        WITH locked_evaluation AS MATERIALIZED (
            SELECT 'evaluation'::text AS form, e.evaluation_id AS id, e.status
            FROM @extschema@.evaluation e
            WHERE e.profile OPERATOR(pg_catalog.=) OLD.name
            FOR SHARE OF e),
        locked_monitoring AS MATERIALIZED (
            SELECT 'monitoring report'::text AS form, m.monitoring_id AS id, m.status
            FROM @extschema@.monitoring m
            WHERE m.profile OPERATOR(pg_catalog.=) OLD.name
            FOR SHARE OF m)
        SELECT l.form, l.id, l.status INTO bad
        FROM (SELECT * FROM locked_evaluation UNION ALL SELECT * FROM locked_monitoring) l
        WHERE l.status OPERATOR(pg_catalog.<>) 'draft'
        ORDER BY l.form, l.id
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'profile "%" scores % %, which is %: it cannot be changed or deleted', OLD.name, bad.form, bad.id, bad.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A profile that a submitted or approved form is scored by is frozen, so that the form''s grade stays as it was reviewed.',
                      HINT = format('Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ''%s-2'', ... FROM pjeval.profile WHERE name = %L; a reviewer then moves draft forms to it.', OLD.name, OLD.name);
        END IF;
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.project_workflow()
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
              SELECT m.budget_unit_id FROM @extschema@.monitoring m WHERE m.project_id = OLD.project_id) f
        WHERE f.budget_unit_id IS NOT NULL;
    END IF;
    RETURN NEW;
END
$$;

ALTER TABLE @extschema@.finding_catalogue DROP CONSTRAINT finding_catalogue_scope,
    ADD CONSTRAINT finding_catalogue_scope CHECK (scope IN ('indicator', 'form', 'both', 'monitor'));
ALTER TABLE @extschema@.finding_message DROP CONSTRAINT finding_message_place,
    ADD CONSTRAINT finding_message_place CHECK (place IN ('indicator', 'fund', 'total', 'source', 'line', 'monitoring', 'monitoring_indicator'));

-- Per unit and round (year, month N), for dashboards (performance-cycle
-- §3.4's roll-up): the reports and their money in 元, the project lights
-- counted, and the reports missing: projects of the unit with a
-- self-evaluation of that year or a report of an earlier month of it, but
-- no report for the round.  The rounds are those of the reports the caller
-- sees.  Who sees what, as for monitoring_result.
CREATE VIEW @extschema@.monitoring_unit_summary WITH (security_invoker = true) AS
WITH counted AS (
    SELECT r.unit_id, r.year, r.month,
           pg_catalog.count(*) AS projects,
           pg_catalog.sum(r.adjusted_budget * s.factor) AS adjusted_budget,
           pg_catalog.sum(r.executed * s.factor) AS executed,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'red') AS red,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'green') AS green,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'blue') AS blue
    FROM @extschema@.monitoring_result r
    JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
    CROSS JOIN LATERAL (SELECT CASE m.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor) s
    GROUP BY r.unit_id, r.year, r.month
), missing AS (
    SELECT p.unit_id, rd.year, rd.month, pg_catalog.count(*) AS reports_missing
    FROM (SELECT DISTINCT m.year, m.month FROM @extschema@.monitoring m) rd
    JOIN @extschema@.project p
      ON EXISTS (SELECT 1 FROM @extschema@.evaluation e
                 WHERE e.project_id = p.project_id AND e.year = rd.year)
      OR EXISTS (SELECT 1 FROM @extschema@.monitoring m
                 WHERE m.project_id = p.project_id AND m.year = rd.year AND m.month < rd.month)
    WHERE NOT EXISTS (SELECT 1 FROM @extschema@.monitoring m
                      WHERE m.project_id = p.project_id AND m.year = rd.year AND m.month = rd.month)
    GROUP BY p.unit_id, rd.year, rd.month
)
SELECT unit_id,
       u.name AS unit_name,
       year,
       month,
       coalesce(c.projects, 0) AS projects,
       c.adjusted_budget,
       c.executed,
       coalesce(c.red, 0) AS red,
       coalesce(c.yellow, 0) AS yellow,
       coalesce(c.green, 0) AS green,
       coalesce(c.blue, 0) AS blue,
       coalesce(x.reports_missing, 0) AS reports_missing
FROM counted c
FULL JOIN missing x USING (unit_id, year, month)
LEFT JOIN @extschema@.unit u USING (unit_id)
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_unit_summary IS
'Per unit, year and period (month N): the monitoring reports (projects), the total rows'' 调整后预算数 and 1-N月执行数 summed in 元, the project lights counted (red, yellow, green, blue), and reports_missing: the unit''s projects with a self-evaluation of that year or a report of an earlier month of it but none for this period';

-- The monitoring consistency findings (performance-cycle §4) that need only
-- the report: their codes (scope monitor) and messages are rows of
-- finding_catalogue and finding_message, whose arguments are
--   monitoring            1 项目编号, 2 项目名称, 3 year, 4 month N, 5 调整后预算数,
--                         6 1-N月执行数, 7 全年预计执行数, 8 执行率, 9 时间进度,
--                         10 v, 11 the declared 是否达到序时支出进度 (是/否)
--   monitoring_indicator  1 三级指标, 2 年度指标值, 3 1-N月实际完成值,
--                         4 全年预计完成值, 5 the indicator light, 6 完成目标可能性,
--                         7 month N
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('fund_red_unexplained', 'monitor', 'warning', '预算执行红灯，预计全年执行完毕却未填写原因类型和情况分析', 'the fund light is red and the whole budget is forecast to be spent, with neither a 原因类型 nor a 情况分析'),
    ('impossible_unexplained', 'monitor', 'warning', '完成目标可能性为“完全不可能”却未填写偏差原因', 'the target is 完全不可能 (cannot be met), with no 偏差原因'),
    ('certain_under_red', 'monitor', 'warning', '指标红灯，完成目标可能性却为“确定能”', 'the indicator light is red, yet the target is 确定能 (certain to be met)'),
    ('schedule_declared_wrong', 'monitor', 'error', '填报的“是否达到序时支出进度”与执行率和时间进度不符', 'the declared 是否达到序时支出进度 contradicts the execution rate against 时间进度');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('fund_red_unexplained', 'monitoring', '1-%4$s月执行率 %8$s%% 仅为时间进度 %9$s%% 的 %10$s%%（红灯），全年预计执行数 %7$s 不低于调整后预算数 %5$s，却未填写原因类型和情况分析', 'months 1-%4$s: the execution rate %8$s%% is %10$s%% of 时间进度 %9$s%% (red), yet the forecast %7$s is not below the budget %5$s and neither 原因类型 nor 情况分析 is given'),
    ('schedule_declared_wrong', 'monitoring', '填报是否达到序时支出进度为“%11$s”，而 1-%4$s月执行率 %8$s%% 与时间进度 %9$s%% 相比结论相反', 'declared 是否达到序时支出进度 %11$s, but the execution rate of months 1-%4$s, %8$s%% against 时间进度 %9$s%%, says the opposite'),
    ('impossible_unexplained', 'monitoring_indicator', '“%1$s”完成目标可能性为“%6$s”（目标 %2$s，1-%7$s月实际 %3$s，全年预计 %4$s），未填写偏差原因', '"%1$s" is %6$s (target %2$s, actual of months 1-%7$s %3$s, forecast %4$s) with no 偏差原因'),
    ('certain_under_red', 'monitoring_indicator', '“%1$s”为红灯（目标 %2$s，1-%7$s月实际 %3$s），完成目标可能性却为“%6$s”', '"%1$s" is red (target %2$s, actual of months 1-%7$s %3$s), yet marked %6$s');

-- One row per finding on a report the caller may see: report, indicator
-- position (NULL for the report), code, severity and the messages.
CREATE VIEW @extschema@.monitoring_finding WITH (security_invoker = true) AS
SELECT r.monitoring_id,
       NULL::integer AS position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.monitoring_result r
JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
CROSS JOIN LATERAL (VALUES
    (CASE WHEN r.fund_light = 'red' AND r.forecast >= r.adjusted_budget
               AND m.reason_type IS NULL AND pg_catalog.btrim(coalesce(m.analysis, '')) = ''
          THEN 'fund_red_unexplained' END),
    (CASE WHEN r.declared_on_schedule <> r.on_schedule THEN 'schedule_declared_wrong' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring'
CROSS JOIN LATERAL (
    SELECT ARRAY[r.project_code, r.project_name, r.year::text, r.month::text, r.adjusted_budget::text,
                 r.executed::text, r.forecast::text, r.execution_rate::text, r.time_progress::text,
                 r.fund_index::text, CASE WHEN r.declared_on_schedule THEN '是' ELSE '否' END] AS args
) a
UNION ALL
SELECT m.monitoring_id,
       mi.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.monitoring m
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.profile pr ON pr.name = m.profile
JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = m.monitoring_id
CROSS JOIN LATERAL (
    SELECT @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                       pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
) l
CROSS JOIN LATERAL (VALUES
    (CASE WHEN mi.likelihood = '完全不可能' AND pg_catalog.cardinality(mi.deviation_causes) = 0
               AND pg_catalog.btrim(coalesce(mi.deviation_note, '')) = ''
          THEN 'impossible_unexplained' END),
    (CASE WHEN mi.likelihood = '确定能' AND l.light = 'red' THEN 'certain_under_red' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text, l.light, mi.likelihood::text, m.month::text] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_finding IS
'One row per monitoring consistency finding on a report the caller may see: report, indicator position (NULL for the whole report), code (pjeval.finding_code, scope monitor), severity and a message in Chinese and English: fund_red_unexplained (M1), impossible_unexplained (M2), certain_under_red (M3), schedule_declared_wrong (M5)';

GRANT SELECT ON @extschema@.monitoring_unit_summary, @extschema@.monitoring_finding TO PUBLIC;

-- generated (issue 13, first increment): target and actual are stored
-- generated columns (try_indicator_value of their text), no longer written by
-- the C trigger indicator_read_values; the level names the views join with
-- pjeval.standard_level are stored too (level1_name, level2_name), computed
-- when a row is written instead of on every read.  The table is rewritten
-- once; every stored value is read again from its text.
DO $generated$
DECLARE
    n pg_catalog.int8;
BEGIN
    SELECT pg_catalog.count(*) INTO n
    FROM @extschema@.indicator i
    WHERE i.target::pg_catalog.text IS DISTINCT FROM
              @extschema@.try_indicator_value(coalesce(i.target_text, ''))::pg_catalog.text
       OR i.actual::pg_catalog.text IS DISTINCT FROM
              @extschema@.try_indicator_value(coalesce(i.actual_text, ''))::pg_catalog.text;
    IF n > 0 THEN
        RAISE WARNING 'pjeval: % indicator rows held a target or actual that this version reads otherwise from its text; they are read again', n
            USING DETAIL = 'target and actual are now generated from target_text and actual_text. Measure words the unit table lacks (5匹) now read as open units, periods (全年, 2021年上半年) as date ranges, and a comparison or unit with no number (≥, 万元) no longer reads.';
    END IF;
END
$generated$;

DROP TRIGGER indicator_read_values ON @extschema@.indicator;
DROP FUNCTION @extschema@.indicator_read_values();

-- The old columns step aside (indicator_result follows them by number until
-- it is replaced), the new ones are added in one rewrite of the table, then
-- the old ones go.
ALTER TABLE @extschema@.indicator RENAME COLUMN target TO target_0_2_0;
ALTER TABLE @extschema@.indicator RENAME COLUMN actual TO actual_0_2_0;
ALTER TABLE @extschema@.indicator
    ADD COLUMN target @extschema@.indicator_value
        GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(target_text, ''))) STORED,
    ADD COLUMN actual @extschema@.indicator_value
        GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(actual_text, ''))) STORED,
    ADD COLUMN level1_name text GENERATED ALWAYS AS (@extschema@.indicator_level_name(level1)) STORED,
    ADD COLUMN level2_name text GENERATED ALWAYS AS (@extschema@.indicator_level_name(level2)) STORED;

COMMENT ON COLUMN @extschema@.indicator.target IS 'target_text read by try_indicator_value (generated; NULL when it does not read, the empty value for an empty cell)';
COMMENT ON COLUMN @extschema@.indicator.actual IS 'actual_text read by try_indicator_value (generated; NULL when it does not read, the empty value for an empty cell)';
COMMENT ON COLUMN @extschema@.indicator.level1_name IS 'level1 as the standard lists level names (generated: indicator_level_name, 产出指标 (50分) → 产出指标)';
COMMENT ON COLUMN @extschema@.indicator.level2_name IS 'level2 as the standard lists level names (generated: indicator_level_name)';

CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    n.level1_kind,
    h.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    a.rule,
    a.completion,
    a.score AS computed_score,
    i.reported_score,
    i.reported_score - a.score AS score_difference,
    coalesce(a.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - a.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
        CASE WHEN 'unscorable' = ANY (a.flags) THEN 'unscorable' END,
        CASE WHEN 'actual_is_claim' = ANY (a.flags) THEN 'actual_is_claim' END,
        CASE WHEN 'qualitative_needs_band' = ANY (a.flags) AND i.band IS NULL THEN 'band_missing' END,
        CASE WHEN i.reported_score < b.band_low
               OR i.reported_score > b.band_high
               OR (i.reported_score = b.band_high AND i.band <> 'achieved')
             THEN 'score_outside_band' END,
        CASE WHEN 'date_missed' = ANY (a.flags) THEN 'date_missed' END,
        CASE WHEN 'not_met' = ANY (a.flags) AND NOT x.explained THEN 'not_met_unexplained' END,
        CASE WHEN 'over_achieved' = ANY (a.flags) AND NOT x.explained THEN 'over_achieved_unexplained' END,
        CASE WHEN n.level1_kind <> h.level2_home
              AND NOT (n.level1_kind = 'cost' AND h.level2_standard = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NOT NULL
              AND NOT (i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NOT NULL)
             THEN 'reported_score_used' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- the level names as stored with the row (indicator.level1_name, level2_name)
LEFT JOIN (SELECT l.name, l.kind AS level1_kind FROM @extschema@.standard_level l WHERE l.level = 1)
    AS n ON n.name = i.level1_name
LEFT JOIN (SELECT coalesce(l.standard, l.name) AS level2_standard, l.name, l.kind AS level2_home
           FROM @extschema@.standard_level l WHERE l.level = 2)
    AS h ON h.name = i.level2_name
CROSS JOIN LATERAL (
    -- an explanation that is empty or a placeholder explains nothing
    SELECT coalesce(pg_catalog.btrim(i.deviation_reason, E' \t\r\n　'), '')
               NOT IN ('', '-', '—', '－', '/', '一', '无') AS explained
) x
CROSS JOIN LATERAL (
    -- the evaluator's band as a score range (profile band_achieved and
    -- band_partial): 达成 [achieved, 1], 部分达成 [partial, achieved),
    -- 未达成 [0, partial) of the weight
    SELECT pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight * pr.band_achieved
                                WHEN 'partial' THEN i.weight * pr.band_partial
                                WHEN 'not_achieved' THEN 0
                            END, 2) AS band_low,
           pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight
                                WHEN 'partial' THEN i.weight * pr.band_achieved
                                WHEN 'not_achieved' THEN i.weight * pr.band_partial
                            END, 2) AS band_high
) b
CROSS JOIN LATERAL @extschema@.assess(i.target, i.actual, i.weight, i.level2,
                                      pr.over_achievement_ratio, pr.negative_formula) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

ALTER TABLE @extschema@.indicator DROP COLUMN target_0_2_0, DROP COLUMN actual_0_2_0;

-- PostgreSQL 15+: as 50_views.sql leaves indicator_result.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
    END IF;
END
$$;

-- citus2 (issue 14, step 2): the triggers name their table by an argument
-- (on a Citus shard TG_TABLE_NAME is the shard's); profile_protect lets the
-- built-in rows be copied into a shard; the primary keys of fund_line and
-- indicator include evaluation_id; import_forms without correlated
-- sub-queries over jsonb_to_recordset in its INSERTs; pjeval.distribution_plan()
-- and pjeval.distribute().
CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.monitoring m
                                         JOIN @extschema@.project p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true';
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$s t$q$,
        tbl, tbl || '_id', TG_RELID::regclass);
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION @extschema@.evaluation_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    workflow_columns CONSTANT text[] := ARRAY['status', 'updated_at', 'submitted_at', 'approved_at', 'approved_by'];
    -- the form's table is the trigger's argument (on a Citus shard
    -- TG_TABLE_NAME is the shard's): evaluation or monitoring
    form_table CONSTANT text := TG_ARGV[0];
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' ELSE '' END;
    id CONSTANT bigint := (to_jsonb(coalesce(NEW, OLD)) ->> (form_table || '_id'))::bigint;
BEGIN
    IF form_table IS NULL OR form_table NOT IN ('evaluation', 'monitoring') THEN
        RAISE EXCEPTION 'evaluation_workflow() guards pjeval.evaluation and pjeval.monitoring, not %', coalesce(form_table, TG_TABLE_NAME)
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
CREATE OR REPLACE FUNCTION @extschema@.form_row_workflow()
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
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' ELSE '' END;
BEGIN
    IF TG_NARGS <> 2 OR form_table NOT IN ('evaluation', 'monitoring') THEN
        RAISE EXCEPTION 'form_row_workflow() guards the rows of pjeval.evaluation and pjeval.monitoring, not of %', coalesce(form_table, TG_TABLE_NAME)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN CASE WHEN TG_LEVEL = 'ROW' THEN coalesce(NEW, OLD) END;
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        -- UPDATE: the form the row is in, and the one it moves to
        ids := ARRAY[(to_jsonb(OLD) ->> key)::bigint, (to_jsonb(NEW) ->> key)::bigint];
        IF ids[1] = ids[2] THEN
            ids := ids[1:1];
        END IF;
        FOREACH id IN ARRAY ids LOOP
            IF form_table = 'evaluation' THEN
                SELECT e.status INTO st
                FROM @extschema@.evaluation e
                WHERE e.evaluation_id = id
                FOR SHARE;
            ELSE
                SELECT m.status INTO st
                FROM @extschema@.monitoring m
                WHERE m.monitoring_id = id
                FOR SHARE;
            END IF;
            IF FOUND AND st <> 'draft' THEN
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
            FROM @extschema@.%2$I e
            WHERE e.%1$I IN (SELECT r.%1$I FROM %3$s r)
            FOR SHARE OF e)
        SELECT l.id, l.status
        FROM locked l
        WHERE l.status <> 'draft'
        ORDER BY l.id
        LIMIT 1$q$,
        key, form_table, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
    INTO bad;
    IF bad.id IS NOT NULL THEN
        RAISE EXCEPTION '% % is %: its % rows are read-only', form, bad.id, bad.status, row_table
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen%s(%s);', steps, bad.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION @extschema@.profile_protect()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    IF ((TG_OP = 'INSERT' AND NEW.builtin) OR (TG_OP <> 'INSERT' AND OLD.builtin))
       AND NOT (TG_OP = 'INSERT' AND TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.profile'::pg_catalog.regclass
                AND (pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'on'
                     OR EXISTS (SELECT FROM pg_catalog.pg_extension x
                                WHERE x.extname OPERATOR(pg_catalog.=) 'pjeval'
                                  AND pg_catalog.pg_has_role(CASE pg_catalog.current_setting('role')
                                                             WHEN 'none' THEN SESSION_USER
                                                             ELSE pg_catalog.current_setting('role')::name END,
                                                             x.extowner, 'USAGE')))) THEN
        RAISE EXCEPTION 'profile "%" is built in', coalesce(OLD.name, NEW.name)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ... ';
    END IF;
    IF TG_OP <> 'INSERT' AND NOT @extschema@.restoring_dump() THEN
        WITH locked_evaluation AS MATERIALIZED (
            SELECT 'evaluation'::text AS form, e.evaluation_id AS id, e.status
            FROM @extschema@.evaluation e
            WHERE e.profile OPERATOR(pg_catalog.=) OLD.name
            FOR SHARE OF e),
        locked_monitoring AS MATERIALIZED (
            SELECT 'monitoring report'::text AS form, m.monitoring_id AS id, m.status
            FROM @extschema@.monitoring m
            WHERE m.profile OPERATOR(pg_catalog.=) OLD.name
            FOR SHARE OF m)
        SELECT l.form, l.id, l.status INTO bad
        FROM (SELECT * FROM locked_evaluation UNION ALL SELECT * FROM locked_monitoring) l
        WHERE l.status OPERATOR(pg_catalog.<>) 'draft'
        ORDER BY l.form, l.id
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'profile "%" scores % %, which is %: it cannot be changed or deleted', OLD.name, bad.form, bad.id, bad.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A profile that a submitted or approved form is scored by is frozen, so that the form''s grade stays as it was reviewed.',
                      HINT = format('Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ''%s-2'', ... FROM pjeval.profile WHERE name = %L; a reviewer then moves draft forms to it.', OLD.name, OLD.name);
        END IF;
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$;
DROP TRIGGER zz_history ON @extschema@.unit;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.unit
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit');
DROP TRIGGER zz_history_update ON @extschema@.unit;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.unit
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit');
DROP TRIGGER zz_history_delete ON @extschema@.unit;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.unit
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit');
DROP TRIGGER zz_history ON @extschema@.project;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.project
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('project');
DROP TRIGGER zz_history_update ON @extschema@.project;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.project
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('project');
DROP TRIGGER zz_history_delete ON @extschema@.project;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.project
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('project');
DROP TRIGGER zz_history ON @extschema@.evaluation;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.evaluation
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('evaluation');
DROP TRIGGER zz_history_update ON @extschema@.evaluation;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('evaluation');
DROP TRIGGER zz_history_delete ON @extschema@.evaluation;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('evaluation');
DROP TRIGGER zz_history ON @extschema@.fund_line;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('fund_line');
DROP TRIGGER zz_history_update ON @extschema@.fund_line;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('fund_line');
DROP TRIGGER zz_history_delete ON @extschema@.fund_line;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('fund_line');
DROP TRIGGER zz_history ON @extschema@.indicator;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('indicator');
DROP TRIGGER zz_history_update ON @extschema@.indicator;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('indicator');
DROP TRIGGER zz_history_delete ON @extschema@.indicator;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('indicator');
DROP TRIGGER zz_history ON @extschema@.unit_member;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.unit_member
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit_member');
DROP TRIGGER zz_history_update ON @extschema@.unit_member;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.unit_member
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit_member');
DROP TRIGGER zz_history_delete ON @extschema@.unit_member;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.unit_member
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit_member');
DROP TRIGGER zz_history ON @extschema@.reviewer;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.reviewer
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('reviewer');
DROP TRIGGER zz_history_update ON @extschema@.reviewer;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.reviewer
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('reviewer');
DROP TRIGGER zz_history_delete ON @extschema@.reviewer;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.reviewer
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('reviewer');
DROP TRIGGER zz_history ON @extschema@.profile;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.profile
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('profile');
DROP TRIGGER zz_history_update ON @extschema@.profile;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.profile
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('profile');
DROP TRIGGER zz_history_delete ON @extschema@.profile;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.profile
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('profile');
DROP TRIGGER zz_history_truncate ON @extschema@.unit;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.unit
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('unit');
DROP TRIGGER zz_history_truncate ON @extschema@.project;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.project
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('project');
DROP TRIGGER zz_history_truncate ON @extschema@.evaluation;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.evaluation
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('evaluation');
DROP TRIGGER zz_history_truncate ON @extschema@.fund_line;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('fund_line');
DROP TRIGGER zz_history_truncate ON @extschema@.indicator;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('indicator');
DROP TRIGGER zz_history_truncate ON @extschema@.unit_member;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.unit_member
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('unit_member');
DROP TRIGGER zz_history_truncate ON @extschema@.reviewer;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.reviewer
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('reviewer');
DROP TRIGGER zz_history_truncate ON @extschema@.profile;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.profile
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('profile');
DROP TRIGGER evaluation_workflow ON @extschema@.evaluation;
CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.evaluation
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow('evaluation');
DROP TRIGGER form_row_workflow ON @extschema@.fund_line;
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'fund_line');
DROP TRIGGER form_row_workflow_update ON @extschema@.fund_line;
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'fund_line');
DROP TRIGGER form_row_workflow_delete ON @extschema@.fund_line;
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'fund_line');
DROP TRIGGER form_row_workflow ON @extschema@.indicator;
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'indicator');
DROP TRIGGER form_row_workflow_update ON @extschema@.indicator;
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'indicator');
DROP TRIGGER form_row_workflow_delete ON @extschema@.indicator;
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'indicator');
DROP TRIGGER form_row_workflow ON @extschema@.read_finding;
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.read_finding
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'read_finding');
DROP TRIGGER form_row_workflow_update ON @extschema@.read_finding;
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.read_finding
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'read_finding');
DROP TRIGGER form_row_workflow_delete ON @extschema@.read_finding;
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.read_finding
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('evaluation', 'read_finding');
DROP TRIGGER evaluation_workflow ON @extschema@.monitoring;
CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.monitoring
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow('monitoring');
DROP TRIGGER form_row_workflow ON @extschema@.monitoring_fund_line;
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.monitoring_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_fund_line');
DROP TRIGGER form_row_workflow_update ON @extschema@.monitoring_fund_line;
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.monitoring_fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_fund_line');
DROP TRIGGER form_row_workflow_delete ON @extschema@.monitoring_fund_line;
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_fund_line');
DROP TRIGGER form_row_workflow ON @extschema@.monitoring_indicator;
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.monitoring_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_indicator');
DROP TRIGGER form_row_workflow_update ON @extschema@.monitoring_indicator;
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.monitoring_indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_indicator');
DROP TRIGGER form_row_workflow_delete ON @extschema@.monitoring_indicator;
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_indicator');
DROP TRIGGER zz_history ON @extschema@.monitoring;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring');
DROP TRIGGER zz_history_update ON @extschema@.monitoring;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring');
DROP TRIGGER zz_history_delete ON @extschema@.monitoring;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring');
DROP TRIGGER zz_history ON @extschema@.monitoring_fund_line;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_fund_line');
DROP TRIGGER zz_history_update ON @extschema@.monitoring_fund_line;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_fund_line');
DROP TRIGGER zz_history_delete ON @extschema@.monitoring_fund_line;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_fund_line');
DROP TRIGGER zz_history ON @extschema@.monitoring_indicator;
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_indicator');
DROP TRIGGER zz_history_update ON @extschema@.monitoring_indicator;
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_indicator');
DROP TRIGGER zz_history_delete ON @extschema@.monitoring_indicator;
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_indicator');
DROP TRIGGER zz_history_truncate ON @extschema@.monitoring;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('monitoring');
DROP TRIGGER zz_history_truncate ON @extschema@.monitoring_fund_line;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring_fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('monitoring_fund_line');
DROP TRIGGER zz_history_truncate ON @extschema@.monitoring_indicator;
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring_indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('monitoring_indicator');
ALTER TABLE @extschema@.fund_line DROP CONSTRAINT fund_line_pkey, ADD PRIMARY KEY (evaluation_id, fund_line_id);
ALTER TABLE @extschema@.indicator DROP CONSTRAINT indicator_pkey, ADD PRIMARY KEY (evaluation_id, indicator_id);
CREATE OR REPLACE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;            -- the forms of a batch
    funds jsonb;            -- every fund line of the batch
    inds jsonb;             -- every indicator of the batch
    bad record;
    pos_offset bigint := 0; -- where the next batch begins (NULL: the document is read)
    pos_line integer := 1;
    pos_form integer := 0;
    base integer;           -- forms before the batch: its form f is element f - base below
    done_form integer[] := '{}';    -- the forms of the batches before, for step 5
    done_line integer[] := '{}';
    done_year integer[] := '{}';
    done_project bigint[] := '{}';
    done_code text[] := '{}';
    done_name text[] := '{}';
    quote_lines integer[] := '{}';  -- cells whose quote nothing closes (read as text)
    writing_rows boolean := false;  -- in step 7: a failure there is a cell no table holds
    form_unit bigint[];     -- per form of the batch, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];  -- batch-local, as the arrays above
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];         -- form numbers
    attempt integer;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- The document is read and written a batch of forms at a time (500
    -- forms or about 8 MB of text, see read_form_batch), steps 1-7 per
    -- batch, all in this one transaction: memory is that of a batch, and a
    -- cancel or a timeout stops the import between any two rows it reads.
    -- One exception block for all batches, not one per batch: each block
    -- is a subtransaction, and the memory a committed subtransaction used
    -- stays until the transaction ends (about 4 MB a batch).
    BEGIN
    LOOP
        -- 1. Read.  A form that cannot be read at all raises here (22P02, with
        -- the form, the line and what was expected); what earlier batches wrote
        -- is undone with the rest.  The fund lines and indicators of the
        -- batch's forms are taken out once, each with its form's position:
        -- every statement below reads a flat set.
        EXIT WHEN pos_offset IS NULL;
        base := pos_form;
        SELECT b.forms, b.next_offset, b.next_line, b.next_form INTO forms, pos_offset, pos_line, pos_form
        FROM @extschema@.read_form_batch(document, pos_offset, pos_line, pos_form, 500) AS b;
        n := pg_catalog.jsonb_array_length(forms);
        EXIT WHEN n = 0;
        funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
        inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');
        quote_lines := quote_lines || ARRAY(SELECT x.line
                                            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                                                 AS x (line integer, code text)
                                            WHERE x.code = 'unclosed_quote'
                                            ORDER BY x.line);

        RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 2. What the reader lets through but no table can hold.  The header
        -- is checked here (before units and projects are looked for); fund
        -- lines and indicators by the tables' own constraints as they are
        -- written (step 7), at no cost when all is well.  Either way the error
        -- names the document's first such cell (import_raise_problem).
        IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                             total_weight numeric, total_score numeric)
                   WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                      OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
        -- created at the top level when there is none; 实施单位 is a unit of
        -- that name (under its 一级预算单位 first, then at the top level), created
        -- under its 一级预算单位 when there is none, at the top level when the
        -- form names none (and no other form of the document places it).
        -- Creating units is for reviewers (row-level security says so when
        -- someone else tries).
        -- (Anti-joins, not NOT EXISTS: Citus plans no correlated sub-query
        -- over a set-returning function such as jsonb_to_recordset.)
        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.top_unit
        FROM jsonb_to_recordset(forms) AS f (top_unit text)
        LEFT JOIN @extschema@.unit u ON u.name = f.top_unit
        WHERE f.top_unit IS NOT NULL AND u.unit_id IS NULL
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
        FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
        LEFT JOIN (
            SELECT n.name,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
        ) t ON t.name = f.top_unit;

        INSERT INTO @extschema@.unit (name, parent_id)
        SELECT DISTINCT f.unit, form_top[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN @extschema@.unit u ON u.name = f.unit
        WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit AND u.unit_id IS NULL
        ORDER BY 2, 1
        ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.unit
        FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
        LEFT JOIN @extschema@.unit u ON u.name = f.unit
        WHERE f.unit IS NOT NULL AND f.top_unit IS NULL AND u.unit_id IS NULL
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form - base], 0)) ORDER BY f.form) INTO form_unit
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN (
            SELECT n.name, n.top,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.unit AS name, form_top[x.form - base] AS top
                  FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
                  WHERE x.unit IS DISTINCT FROM x.top_unit) n
        ) t ON t.name = f.unit AND t.top = form_top[f.form - base] AND f.unit IS DISTINCT FROM f.top_unit;

        RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 4. Projects: by 项目编号, else by name within the unit.  A project the
        -- caller cannot see is not found; inserting it again then does nothing
        -- (its code is taken) or is refused by row-level security.
        INSERT INTO @extschema@.project (code, name, unit_id)
        SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        LEFT JOIN @extschema@.project p ON p.code = f.project_code
        WHERE f.project_code IS NOT NULL AND p.project_id IS NULL
        ORDER BY f.project_code, f.form
        ON CONFLICT (code) DO NOTHING;

        INSERT INTO @extschema@.project (name, unit_id)
        SELECT DISTINCT f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        LEFT JOIN @extschema@.project p ON p.unit_id = form_unit[f.form - base] AND p.name = f.project_name
        WHERE f.project_code IS NULL AND p.project_id IS NULL
        ORDER BY 2, 1
        ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
        FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form - base] AS unit_id
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
        LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
        LEFT JOIN (
            SELECT n.unit_id, n.name,
                   coalesce((SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                            (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
            FROM (SELECT DISTINCT form_unit[x.form - base] AS unit_id, x.project_name AS name
                  FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
                  WHERE x.project_code IS NULL) n
        ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

        -- A project the caller cannot see, or one that belongs to another unit.
        SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                             unit text, top_unit text)
        LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form - base]
        LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form - base]
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND bad.unit_id IS NULL THEN
            RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                    bad.form, bad.line, bad.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                    bad.project_unit, coalesce(bad.unit, bad.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 5. One form per project and year in the document: in the batch, and
        -- against the forms of the batches before it (never a replace of a form
        -- this import wrote).
        SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
        FROM (SELECT x.form, x.line, x.year, x.project_code, x.project_name, form_project[x.form - base] AS project_id
              FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text)
              UNION ALL
              SELECT d.*
              FROM ROWS FROM (pg_catalog.unnest(done_form), pg_catalog.unnest(done_line), pg_catalog.unnest(done_year),
                              pg_catalog.unnest(done_code), pg_catalog.unnest(done_name), pg_catalog.unnest(done_project))
                   AS d (form, line, year, project_code, project_name, project_id)) a
        JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
          ON b.form > a.form AND b.year = a.year AND form_project[b.form - base] = a.project_id
        ORDER BY b.form, a.form
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                    bad.form, bad.line, bad.other_form, bad.other_line,
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 6. The forms themselves.  A project and year already stored is an
        -- error, or with on_conflict => 'replace' is replaced in place: the same
        -- evaluation_id, its profile kept, its fund lines and indicators written
        -- anew (the evaluator's band carried over where an indicator is
        -- unchanged), the old version in pjeval.history.  The workflow refuses to
        -- replace a form that is submitted or approved.  An import that races
        -- with another for the same project and year finds it on its next try.
        form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
        todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g);
        old_bands := NULL;
        attempt := 0;
        LOOP
            attempt := attempt + 1;

            -- the forms of this try already stored, locked in one order
            SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
            INTO found_forms, found_evals
            FROM (SELECT f.form, e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                  JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year
                  ORDER BY e.evaluation_id
                  FOR UPDATE OF e) x;

            IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
                SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
                FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
                WHERE f.form = base + found_forms[1];
                RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                        coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                          HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
            END IF;

            IF found_forms IS NOT NULL THEN
                UPDATE @extschema@.evaluation e
                SET budget_unit_id = nullif(form_top[f.form - base], 0),
                    amount_unit = coalesce(f.amount_unit, '元'),
                    expected_goal = f.goal_expected,
                    actual_outcome = f.goal_actual,
                    reported_weight_total = f.total_weight,
                    reported_total = f.total_score,
                    notes = f.notes,
                    reported_grade = f.total_grade,
                    fund_block_weight = f.fund_weight
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text, total_grade text,
                                                     fund_weight numeric)
                  ON f.form = base + x.form
                WHERE e.evaluation_id = x.evaluation_id;

                SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                           i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                           i.band), '{}')
                INTO old_bands
                FROM @extschema@.indicator i
                WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

                DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
                DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);
                -- (asked first: an import without reader findings needs no
                -- right on read_finding)
                IF EXISTS (SELECT FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals)) THEN
                    DELETE FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals);
                END IF;

                form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
            END IF;

            -- the forms not stored yet; one that a concurrent import has just
            -- stored is left out, and found on the next try
            WITH ins AS (
                INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                    actual_outcome, reported_weight_total, reported_total, notes, reported_grade,
                                                    fund_block_weight)
                SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                       f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes, f.total_grade, f.fund_weight
                FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                     goal_actual text, total_weight numeric, total_score numeric, notes text,
                                                     total_grade text, fund_weight numeric)
                JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                ORDER BY form_project[f.form - base], f.year
                ON CONFLICT (project_id, year) DO NOTHING
                RETURNING evaluation_id, project_id, year
            )
            SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
            INTO found_forms, found_evals
            FROM ins
            JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
              ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

            todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
            EXIT WHEN pg_catalog.cardinality(todo) = 0;
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                    USING ERRCODE = 'serialization_failure',
                          HINT = 'Try again.';
            END IF;
        END LOOP;

        RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 7. Their rows.  Amounts left blank are 0; the values of targets and
        -- actuals are read by the indicator's trigger (NULL, and flagged by the
        -- audit, where a cell does not read: the text is kept as written).
        writing_rows := true;
            INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                               reported_weight, reported_rate, reported_score, label)
            SELECT form_eval[x.form - base], x.kind, coalesce(x.initial_budget, 0),
                   coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score,
                   CASE WHEN x.kind = 'other' THEN nullif(x.source, sfs.label) END
            FROM jsonb_to_recordset(funds) AS x (form integer, line integer, source text, kind text, initial_budget numeric,
                                                 budget numeric, executed numeric, weight numeric, rate numeric, score numeric)
            LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.kind
            ORDER BY x.form, x.line;

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                               weight, reported_score, deviation_reason, band)
            SELECT form_eval[x.form - base], x.position,
                   x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                   x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
                   CASE WHEN old_bands IS NOT NULL
                        THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                            || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
            FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                level2 text, level3 text, target text, actual text,
                                                weight numeric, score numeric, explanation text);
        writing_rows := false;

        -- What the reader found worth a look, on the row of its line (an
        -- indicator, a fund row) or on the form.
        IF pg_catalog.jsonb_path_exists(forms, '$[*].findings[*]') THEN
            INSERT INTO @extschema@.read_finding (evaluation_id, line, position, source, code, detail)
            SELECT form_eval[x.form - base], x.line, i.position, fl.kind, x.code, x.detail
            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                 AS x (form integer, line integer, code text, detail text)
            LEFT JOIN jsonb_to_recordset(inds) AS i (form integer, line integer, position integer)
              ON i.form = x.form AND i.line = x.line
            LEFT JOIN jsonb_to_recordset(funds) AS fl (form integer, line integer, kind text)
              ON fl.form = x.form AND fl.line = x.line
            ORDER BY x.form, x.line;
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;

        SELECT done_form || pg_catalog.array_agg(x.form ORDER BY x.form),
               done_line || pg_catalog.array_agg(x.line ORDER BY x.form),
               done_year || pg_catalog.array_agg(x.year ORDER BY x.form),
               done_project || pg_catalog.array_agg(form_project[x.form - base] ORDER BY x.form),
               done_code || pg_catalog.array_agg(x.project_code ORDER BY x.form),
               done_name || pg_catalog.array_agg(x.project_name ORDER BY x.form)
        INTO done_form, done_line, done_year, done_project, done_code, done_name
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text);
    END LOOP;
    EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
        -- a cell no table can hold (step 7 of the batch that failed): say which
        IF writing_rows THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;
        RAISE;
    END;

    -- What was read but is worth a look: a cell that began with a quote
    -- that nothing closes (copied from a PDF) was read as text.
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
END
$fn$;

-- The plan, the one list of it (bench/distribution_plan.sql and
-- bench/check_distribution.sql read it): every table of pjeval, distributed
-- by evaluation_id and co-located with evaluation, or a reference table (a
-- copy on every node), in the order pjeval.distribute() places them.
CREATE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;

COMMENT ON FUNCTION @extschema@.distribution_plan() IS
'Where each pjeval table goes on a Citus cluster: distributed (by evaluation_id, co-located with evaluation) or reference, in the order pjeval.distribute() places them';

-- Distributes pjeval's tables on a Citus cluster, as the plan says, in one
-- transaction (a refusal leaves every table where it was).  For a superuser
-- or the extension's owner (Citus needs the tables' owner).  On the way:
--  * the foreign keys between the plan's tables are dropped and added back
--    once every table is placed (a key from a local table to one being
--    placed makes Citus convert the local table, which recreates the views
--    on it, and those belong to the extension);
--  * the keys Citus cannot enforce across shards are dropped: evaluation's
--    UNIQUE (project_id, year) (one form per project and year is then the
--    importer's to keep, see docs/scaling.md) and history's primary key on
--    history_id alone (unique by its identity);
--  * the tables' triggers are disabled while Citus copies their rows into
--    the shards (the rows are not new: no second history, no workflow check)
--    and enabled again, on every shard.
-- Changes to a table that is still local are run on the workers too: their
-- copies of pjeval's tables (CREATE EXTENSION made them) become the
-- distributed tables' definitions there.  A table already placed is left.
CREATE PROCEDURE @extschema@.distribute()
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET citus.multi_shard_modify_mode = 'sequential'
AS $$
DECLARE
    r record;
    fkeys text[] := '{}';
    placed regclass[];
    owner name;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'pjeval.distribute() needs Citus: CREATE EXTENSION citus first'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'On a single node there is nothing to distribute.';
    END IF;
    SELECT x.extowner::regrole::text::name INTO owner FROM pg_catalog.pg_extension x WHERE x.extname = 'pjeval';
    IF NOT (pg_catalog.current_setting('is_superuser') = 'on' OR pg_catalog.pg_has_role(current_user, owner, 'USAGE')) THEN
        RAISE EXCEPTION 'only a superuser or the owner of pjeval (%) may distribute its tables, not role %', owner, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE 'SELECT coalesce(pg_catalog.array_agg(logicalrelid), ''{}'') FROM pg_catalog.pg_dist_partition' INTO placed;
    IF EXISTS (SELECT FROM @extschema@.history h WHERE h.evaluation_id IS NULL)
       AND NOT '@extschema@.history'::regclass = ANY (placed) THEN
        RAISE EXCEPTION 'pjeval.history holds % rows of no form (changes to units, projects, members, profiles, monitoring reports): they have no shard',
                (SELECT count(*) FROM @extschema@.history h WHERE h.evaluation_id IS NULL)
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'docs/scaling.md: history is distributed by evaluation_id; keep the rows elsewhere first.';
    END IF;
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

    -- the foreign keys between the plan's tables, and the keys that go
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS def
             FROM pg_catalog.pg_constraint c
             WHERE c.contype = 'f'
               AND c.conrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass FROM @extschema@.distribution_plan() p)
               AND c.confrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass FROM @extschema@.distribution_plan() p)
               AND NOT c.conrelid = ANY (placed)
             ORDER BY 1, 2
    LOOP
        fkeys := fkeys || pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.rel, r.conname, r.def);
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)'
            USING pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    END LOOP;
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname
             FROM pg_catalog.pg_constraint c
             WHERE (c.conrelid, c.conname) IN (('@extschema@.evaluation'::regclass, 'evaluation_project_year_key'),
                                               ('@extschema@.history'::regclass, 'history_pkey'))
               AND NOT c.conrelid = ANY (placed)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)'
            USING pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    END LOOP;

    -- the tables, in the plan's order
    FOR r IN SELECT ('@extschema@.' || p.table_name)::regclass AS rel, p.table_name, p.placement
             FROM @extschema@.distribution_plan() p
             WHERE NOT ('@extschema@.' || p.table_name)::regclass = ANY (placed)
             ORDER BY p.step
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', r.rel);
        IF r.placement = 'reference' THEN
            EXECUTE 'SELECT pg_catalog.create_reference_table($1)' USING r.rel;
        ELSE
            EXECUTE 'SELECT pg_catalog.create_distributed_table($1, ''evaluation_id'', colocate_with => $2)'
                USING r.rel, CASE r.table_name WHEN 'evaluation' THEN 'none' ELSE '@extschema@.evaluation' END;
        END IF;
        EXECUTE 'SELECT pg_catalog.truncate_local_data_after_distributing_table($1)' USING r.rel;
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER USER', r.rel);
    END LOOP;

    FOR i IN 1 .. pg_catalog.cardinality(fkeys) LOOP
        EXECUTE fkeys[i];
    END LOOP;
END
$$;

COMMENT ON PROCEDURE @extschema@.distribute() IS
'On a Citus cluster: distributes pjeval''s tables as pjeval.distribution_plan() says (by evaluation_id, co-located, or reference tables), in one transaction; for a superuser or the extension''s owner (docs/scaling.md)';
REVOKE EXECUTE ON PROCEDURE @extschema@.distribute() FROM PUBLIC;

-- exports: export_form and export_workbook lay out the indicator rows with one
-- function, export_indicator_rows (70_import.sql, 36_workbook.sql)
CREATE FUNCTION @extschema@.export_indicator_rows(evaluation_id bigint)
RETURNS TABLE(ind @extschema@.indicator, show_level1 boolean, show_level2 boolean,
              level1_rows bigint, level2_rows bigint)
LANGUAGE sql
STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT b.ind, b.show_level1, b.show_level2,
           pg_catalog.count(*) OVER (PARTITION BY b.run1),
           pg_catalog.count(*) OVER (PARTITION BY b.run2)
    FROM (SELECT a.*,
                 pg_catalog.sum(a.show_level1::integer) OVER (ORDER BY (a.ind).position) AS run1,
                 pg_catalog.sum(a.show_level2::integer) OVER (ORDER BY (a.ind).position) AS run2
          FROM (SELECT x.ind, x.new1 AS show_level1,
                       x.new2 OR (NOT x.new1 AND @extschema@.is_template_label((x.ind).level3)) AS show_level2
                FROM (SELECT i AS ind,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL
                                 OR @extschema@.is_template_label(i.level2) AS new1,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR i.level2 IS DISTINCT FROM pg_catalog.lag(i.level2) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new2
                      FROM @extschema@.indicator i
                      WHERE i.evaluation_id OPERATOR(pg_catalog.=) $1
                      WINDOW w AS (ORDER BY i.position)) x) a) b
    ORDER BY (b.ind).position
$$;

COMMENT ON FUNCTION @extschema@.export_indicator_rows(bigint) IS
'A form''s indicator rows in order, with where the exports write the level-1 and level-2 cells (show_level1, show_level2) and how many rows each written cell heads';

CREATE OR REPLACE FUNCTION @extschema@.export_form(evaluation_id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    e record;
    out text[] := '{}';
    funds text;
    inds text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_forms reads it back); ''html'' writes a printable page.';
    END IF;
    IF export_form.evaluation_id IS NULL THEN
        RETURN NULL;
    END IF;

    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;

    IF format = 'html' THEN
        RETURN @extschema@.export_form_html(export_form.evaluation_id);
    END IF;

    -- The template's layout, as in the forms it was read from: the same
    -- sections, labels and columns, blank lines between the sections.
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END,
                   CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                                 WHEN 'carryover' THEN '上年结转资金'
                                 ELSE @extschema@.export_cell(coalesce(f.label, '其他资金')) END,
                   f.initial_budget, f.annual_budget, f.executed,
                   coalesce(f.reported_weight::text, '—'), coalesce(f.reported_rate::text, '—'),
                   coalesce(f.reported_score::text, '—')),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source), fl.fund_line_id) AS n
          FROM @extschema@.fund_line fl
          WHERE fl.evaluation_id = export_form.evaluation_id) f;

    -- Level-1 and level-2 cells where export_indicator_rows() writes them.
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.show_level1 THEN @extschema@.export_cell((i.ind).level1) ELSE '' END,
                   CASE WHEN i.show_level2 THEN @extschema@.export_cell((i.ind).level2) ELSE '' END,
                   @extschema@.export_cell((i.ind).level3), @extschema@.export_cell((i.ind).target_text),
                   @extschema@.export_cell((i.ind).actual_text), coalesce((i.ind).weight::text, ''),
                   coalesce((i.ind).reported_score::text, ''), @extschema@.export_cell((i.ind).deviation_reason)),
               E'\n' ORDER BY (i.ind).position)
    INTO inds
    FROM @extschema@.export_indicator_rows(export_form.evaluation_id) i;

    out := ARRAY[
        '',
        '项目支出绩效自评表',
        '',
        pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(e.project_code),
                             '项目名称:', @extschema@.export_cell(e.project_name), '绩效自评年度:', e.year),
        pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(e.unit_name),
                             '一级预算单位:', @extschema@.export_cell(e.budget_unit_name), '', ''),
        '',
        '资金使用情况',
        '',
        E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分'];
    IF funds IS NOT NULL THEN
        out := out || funds;
    END IF;
    out := out || ARRAY[
        '',
        '项目目标完成情况',
        '',
        E'年度总体目标\t预期目标\t\t\t\t* 实际完成情况\t\t\t',
        pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(e.expected_goal), '', '', '',
                             @extschema@.export_cell(e.actual_outcome), '', '', ''),
        E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施'];
    IF inds IS NOT NULL THEN
        out := out || inds;
    END IF;
    out := out || ARRAY[
        pg_catalog.concat_ws(E'\t', '总分', '', '', '', '', '', coalesce(e.reported_weight_total::text, ''),
                             coalesce(e.reported_total::text, ''), coalesce(e.reported_grade, '—')),
        '',
        CASE WHEN e.notes IS NULL THEN '备注：'
             WHEN e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"'
                 THEN E'备注：\t' || @extschema@.export_cell(e.notes)
             ELSE '备注：' || e.notes END,
        '',
        '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。'];
    RETURN pg_catalog.array_to_string(out, E'\n') || E'\n';
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.export_workbook(evaluation_ids bigint[])
RETURNS bytea
LANGUAGE plpgsql
STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    ids bigint[];
    id bigint;
    e record;
    f record;
    i record;
    sheets jsonb[] := '{}';
    cells jsonb[];
    merges jsonb[];
    r integer;
    first integer;
    head integer;
    n integer;
BEGIN
    IF pg_catalog.array_position(evaluation_ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'evaluation_ids holds a NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the ids of the forms to export, e.g. ARRAY(SELECT evaluation_id FROM pjeval.evaluation WHERE year = 2022).';
    END IF;
    -- each form once, in the order given
    SELECT coalesce(pg_catalog.array_agg(x.id ORDER BY x.n), '{}') INTO ids
    FROM (SELECT u.id, pg_catalog.min(u.n) AS n
          FROM pg_catalog.unnest(evaluation_ids) WITH ORDINALITY AS u (id, n) GROUP BY u.id) x;
    IF pg_catalog.cardinality(ids) = 0 THEN
        RAISE EXCEPTION 'evaluation_ids is empty: a workbook needs one form at least'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the ids of the forms to export, e.g. ARRAY(SELECT evaluation_id FROM pjeval.evaluation WHERE year = 2022).';
    END IF;

    FOREACH id IN ARRAY ids LOOP
        SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
        INTO e
        FROM @extschema@.evaluation ev
        JOIN @extschema@.project p ON p.project_id OPERATOR(pg_catalog.=) ev.project_id
        JOIN @extschema@.unit u ON u.unit_id OPERATOR(pg_catalog.=) p.unit_id
        LEFT JOIN @extschema@.unit bu ON bu.unit_id OPERATOR(pg_catalog.=) ev.budget_unit_id
        WHERE ev.evaluation_id OPERATOR(pg_catalog.=) id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', id, current_user
                USING ERRCODE = 'no_data_found',
                      HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
        END IF;

        -- export_form's text, row by row, without its blank lines; the
        -- merged cells are blank below and right of their first cell, as
        -- the text leaves them.
        cells := ARRAY[@extschema@.workbook_cell(1, 1, 'title', '项目支出绩效自评表')];
        merges := ARRAY['[1, 1, 1, 9]'::jsonb];
        cells := cells || ARRAY[
            @extschema@.workbook_cell(2, 1, 'head', '项目编号:'),
            @extschema@.workbook_cell(2, 2, 'text', coalesce(e.project_code, '')),
            @extschema@.workbook_cell(2, 3, 'head', '项目名称:'),
            @extschema@.workbook_cell(2, 4, 'text', e.project_name),
            @extschema@.workbook_cell(2, 5, 'head', '绩效自评年度:'),
            @extschema@.workbook_cell(2, 6, 'number', e.year::text, 'number'),
            @extschema@.workbook_cell(3, 1, 'head', '实施单位:'),
            @extschema@.workbook_cell(3, 2, 'text', e.unit_name),
            @extschema@.workbook_cell(3, 3, 'head', '一级预算单位:'),
            @extschema@.workbook_cell(3, 4, 'text', coalesce(e.budget_unit_name, '')),
            @extschema@.workbook_cell(4, 1, 'part', '资金使用情况'),
            @extschema@.workbook_cell(5, 1, 'head', ''),
            @extschema@.workbook_cell(5, 3, 'head', '年初预算数'),
            @extschema@.workbook_cell(5, 4, 'head', '全年预算数'),
            @extschema@.workbook_cell(5, 5, 'head', '全年执行数'),
            @extschema@.workbook_cell(5, 6, 'head', '分值'),
            @extschema@.workbook_cell(5, 7, 'head', '执行率 (%)'),
            @extschema@.workbook_cell(5, 8, 'head', '得分')];
        merges := merges || ARRAY['[2, 6, 2, 9]', '[3, 4, 3, 9]', '[4, 1, 4, 9]', '[5, 1, 5, 2]', '[5, 8, 5, 9]']::jsonb[];

        r := 5;
        first := 6;
        FOR f IN
            SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                       ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source)) AS n
            FROM @extschema@.fund_line fl
            WHERE fl.evaluation_id OPERATOR(pg_catalog.=) id
            ORDER BY n
        LOOP
            r := r + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 1, 'head', CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END),
                @extschema@.workbook_cell(r, 2, 'head', CASE f.source WHEN 'total' THEN '年度资金总额'
                                                       WHEN 'appropriation' THEN '其中：当年财政拨款'
                                                       WHEN 'carryover' THEN '上年结转资金' ELSE '其他资金' END),
                @extschema@.workbook_cell(r, 3, 'number', f.initial_budget::text, 'amount'),
                @extschema@.workbook_cell(r, 4, 'number', f.annual_budget::text, 'amount'),
                @extschema@.workbook_cell(r, 5, 'number', f.executed::text, 'amount'),
                coalesce(@extschema@.workbook_cell(r, 6, 'number', f.reported_weight::text, 'number'),
                         @extschema@.workbook_cell(r, 6, 'number', '—')),
                coalesce(@extschema@.workbook_cell(r, 7, 'number', f.reported_rate::text, 'number'),
                         @extschema@.workbook_cell(r, 7, 'number', '—')),
                coalesce(@extschema@.workbook_cell(r, 8, 'number', f.reported_score::text, 'number'),
                         @extschema@.workbook_cell(r, 8, 'number', '—'))];
            merges := merges || pg_catalog.jsonb_build_array(r, 8, r, 9);
        END LOOP;
        IF r > first THEN
            merges := merges || pg_catalog.jsonb_build_array(first, 1, r, 1);
        END IF;

        r := r + 1;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'part', '项目目标完成情况'),
            @extschema@.workbook_cell(r + 1, 1, 'head', '年度总体目标'),
            @extschema@.workbook_cell(r + 1, 2, 'head', '预期目标'),
            @extschema@.workbook_cell(r + 1, 6, 'head', '* 实际完成情况'),
            @extschema@.workbook_cell(r + 2, 2, 'text', coalesce(e.expected_goal, '')),
            @extschema@.workbook_cell(r + 2, 6, 'text', coalesce(e.actual_outcome, ''))];
        merges := merges || ARRAY[pg_catalog.jsonb_build_array(r, 1, r, 9),
                                  pg_catalog.jsonb_build_array(r + 1, 1, r + 2, 1),
                                  pg_catalog.jsonb_build_array(r + 1, 2, r + 1, 5),
                                  pg_catalog.jsonb_build_array(r + 1, 6, r + 1, 9),
                                  pg_catalog.jsonb_build_array(r + 2, 2, r + 2, 5),
                                  pg_catalog.jsonb_build_array(r + 2, 6, r + 2, 9)];

        r := r + 3;
        head := r;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'head', '年度绩效指标'),
            @extschema@.workbook_cell(r, 2, 'head', '一级指标'),
            @extschema@.workbook_cell(r, 3, 'head', '二级指标'),
            @extschema@.workbook_cell(r, 4, 'head', '三级指标'),
            @extschema@.workbook_cell(r, 5, 'head', '年度指标值'),
            @extschema@.workbook_cell(r, 6, 'head', '* 实际完成值'),
            @extschema@.workbook_cell(r, 7, 'head', '* 分值'),
            @extschema@.workbook_cell(r, 8, 'head', '* 得分'),
            @extschema@.workbook_cell(r, 9, 'head', '偏差原因分析及改进措施')];
        -- Level-1 and level-2 cells written where export_form writes them
        -- (export_indicator_rows), each merged down over the rows it heads.
        n := 0;
        FOR i IN SELECT (x.ind).*, x.show_level1 AS w1, x.show_level2 AS w2, x.level1_rows AS size1,
                        x.level2_rows AS size2
                 FROM @extschema@.export_indicator_rows(id) x
        LOOP
            r := r + 1;
            n := n + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 2, 'level', CASE WHEN i.w1 THEN i.level1 ELSE '' END),
                @extschema@.workbook_cell(r, 3, 'level', CASE WHEN i.w2 THEN i.level2 ELSE '' END),
                @extschema@.workbook_cell(r, 4, 'text', i.level3),
                coalesce(@extschema@.workbook_cell(r, 5, 'text', i.target_text, 'value'),
                         @extschema@.workbook_cell(r, 5, 'text', '')),
                coalesce(@extschema@.workbook_cell(r, 6, 'text', i.actual_text, 'value'),
                         @extschema@.workbook_cell(r, 6, 'text', '')),
                coalesce(@extschema@.workbook_cell(r, 7, 'number', i.weight::text, 'number'),
                         @extschema@.workbook_cell(r, 7, 'number', '')),
                coalesce(@extschema@.workbook_cell(r, 8, 'number', i.reported_score::text, 'number'),
                         @extschema@.workbook_cell(r, 8, 'number', '')),
                @extschema@.workbook_cell(r, 9, 'text', coalesce(i.deviation_reason, ''))];
            IF i.w1 AND i.size1 > 1 THEN
                merges := merges || pg_catalog.jsonb_build_array(r, 2, r + i.size1 - 1, 2);
            END IF;
            IF i.w2 AND i.size2 > 1 THEN
                merges := merges || pg_catalog.jsonb_build_array(r, 3, r + i.size2 - 1, 3);
            END IF;
        END LOOP;
        IF n > 0 THEN
            merges := merges || pg_catalog.jsonb_build_array(head, 1, r, 1);
        END IF;

        r := r + 1;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'head', '总分'),
            coalesce(@extschema@.workbook_cell(r, 7, 'number', e.reported_weight_total::text, 'number'),
                     @extschema@.workbook_cell(r, 7, 'number', '')),
            coalesce(@extschema@.workbook_cell(r, 8, 'number', e.reported_total::text, 'number'),
                     @extschema@.workbook_cell(r, 8, 'number', '')),
            @extschema@.workbook_cell(r, 9, 'head', '—')];
        merges := merges || pg_catalog.jsonb_build_array(r, 1, r, 6);

        -- 备注 as export_form writes it: in its own cell after the label
        -- where the text holds a tab or a line break or quotes at an end
        r := r + 1;
        IF e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"' THEN
            cells := cells || ARRAY[@extschema@.workbook_cell(r, 1, 'head', '备注：'),
                                    @extschema@.workbook_cell(r, 2, 'text', e.notes)];
            merges := merges || pg_catalog.jsonb_build_array(r, 2, r, 9);
        ELSE
            cells := cells || @extschema@.workbook_cell(r, 1, 'text', '备注：' || coalesce(e.notes, ''));
            merges := merges || pg_catalog.jsonb_build_array(r, 1, r, 9);
        END IF;
        r := r + 1;
        cells := cells || @extschema@.workbook_cell(r, 1, 'note',
            '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。');
        merges := merges || pg_catalog.jsonb_build_array(r, 1, r, 9);

        sheets := sheets || pg_catalog.jsonb_build_object(
            'name', e.project_name,
            'cells', pg_catalog.to_jsonb(pg_catalog.array_remove(cells, NULL)),
            'merges', pg_catalog.to_jsonb(merges),
            'repeat', pg_catalog.jsonb_build_array(head, head));
    END LOOP;
    RETURN @extschema@.workbook_write(pg_catalog.to_jsonb(sheets));
END
$fn$;

-- 整改: pjeval.rectification, raise_rectification(), overdue_rectifications(),
-- rectification_overdue (68_rectification.sql); history knows the table;
-- a reference table on a cluster
CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.monitoring m
                                         JOIN @extschema@.project p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true';
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member', 'rectification') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$s t$q$,
        tbl, tbl || '_id', TG_RELID::regclass);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- 整改 items (per project and year)
             'rectification',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;

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
-- changes what is asked.  已销号 needs a 整改结果.  Overdue is computed,
-- never stored: 完成时限 before the day asked about and not closed.
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
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));
CREATE POLICY rectification_read ON @extschema@.rectification FOR SELECT
    USING (unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])
           OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])));
CREATE POLICY rectification_unit ON @extschema@.rectification FOR UPDATE
    USING (unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]))
    WITH CHECK (unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]));

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

-- 复核: pjeval.review, review_item, review_item_result, review_result,
-- review_unit_summary, review_finding, review_checklist (85_review.sql);
-- finding codes of scope review; history knows the tables; distributed
-- with their form on a cluster
ALTER TABLE @extschema@.finding_catalogue DROP CONSTRAINT finding_catalogue_scope,
    ADD CONSTRAINT finding_catalogue_scope CHECK (scope IN ('indicator', 'form', 'both', 'monitor', 'review'));
ALTER TABLE @extschema@.finding_message DROP CONSTRAINT finding_message_place,
    ADD CONSTRAINT finding_message_place CHECK (place IN ('indicator', 'fund', 'total', 'source', 'line', 'monitoring', 'monitoring_indicator',
                                                                    'review_item'));
CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator', 'review', 'review_item' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.monitoring m
                                         JOIN @extschema@.project p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true';
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member', 'rectification') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$s t$q$,
        tbl, tbl || '_id', TG_RELID::regclass);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- 整改 items (per project and year)
             'rectification',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;

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
    evaluation_id   bigint NOT NULL REFERENCES @extschema@.evaluation (evaluation_id) ON DELETE CASCADE,
    reviewer_role   name NOT NULL DEFAULT CURRENT_USER,
    reviewed_on     date NOT NULL DEFAULT CURRENT_DATE,
    conclusion      text,
    PRIMARY KEY (evaluation_id, reviewer_role)
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
    FOREIGN KEY (evaluation_id, reviewer_role) REFERENCES @extschema@.review (evaluation_id, reviewer_role)
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

ALTER TABLE @extschema@.review ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.review_item ENABLE ROW LEVEL SECURITY;

-- Reviewers write and see all; a unit reads the reviews of its forms.
CREATE POLICY review_review ON @extschema@.review FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));
CREATE POLICY review_unit ON @extschema@.review FOR SELECT
    USING (evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));
CREATE POLICY review_item_review ON @extschema@.review_item FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));
CREATE POLICY review_item_unit ON @extschema@.review_item FOR SELECT
    USING (evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));

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
       t.rows_reviewed,
       t.finding_count
FROM @extschema@.review r
JOIN @extschema@.evaluation_result er ON er.evaluation_id = r.evaluation_id
CROSS JOIN LATERAL (
    SELECT coalesce((SELECT ri.review_score FROM @extschema@.review_item ri
                     WHERE ri.evaluation_id = r.evaluation_id AND ri.reviewer_role = r.reviewer_role
                       AND ri.position IS NULL), er.reported_fund_score)
           + coalesce((SELECT pg_catalog.sum(coalesce(ri.review_score, i.reported_score))
                       FROM @extschema@.indicator i
                       LEFT JOIN @extschema@.review_item ri ON ri.evaluation_id = i.evaluation_id
                                                            AND ri.reviewer_role = r.reviewer_role AND ri.position = i.position
                       WHERE i.evaluation_id = r.evaluation_id), 0) AS review_total,
           (SELECT pg_catalog.count(*) FROM @extschema@.review_item ri
            WHERE ri.evaluation_id = r.evaluation_id AND ri.reviewer_role = r.reviewer_role) AS rows_reviewed,
           (SELECT coalesce(pg_catalog.sum(pg_catalog.cardinality(x.findings)), 0)
            FROM @extschema@.review_item_result x
            WHERE x.evaluation_id = r.evaluation_id AND x.reviewer_role = r.reviewer_role) AS finding_count
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

-- monitoring, third increment (issue 15), part 1: the monitoring form read
-- (read_monitoring_forms, src/core/form.c's monitoring layout) and written
-- (75_monitoring_io.sql: import_monitoring, export_monitoring and their
-- helpers).
-- Reading the monitoring form's text (src/core/form.c's monitoring layout,
-- src/pg/monitor_form.c): the document's forms as jsonb, which
-- pjeval.import_monitoring() writes into rows.
CREATE FUNCTION @extschema@.read_monitoring_forms(document text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'read_monitoring_forms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_monitoring_forms(text) IS
'Reads every 项目支出绩效目标执行监控表 of a tab-separated document into a jsonb array: per form its header, month (监控期间 1-N月), amount unit, goal and progress, the 执行情况分析 answers, notes, the line of each field (lines), funds[], indicators[] and findings[] (cells as written; amounts as numbers). A form that cannot be read raises 22P02 naming the form, the line and what was expected; forms that make a jsonb value over 256 MB raise 54000';

-- 75_monitoring_io.sql - reading and writing the monitoring form itself
-- (项目支出绩效目标执行监控表, docs/monitoring.md):
--
--   import_monitoring(document, on_conflict)  the forms of a document (the
--       template as tab-separated text, read in C by read_monitoring_forms)
--       into monitoring reports, all or nothing, returning their ids in the
--       document's order
--   export_monitoring(id, format)  one report back as the template's text
--       ('text', which import_monitoring reads back to the same rows) or as
--       a printable HTML page with its lights ('html')
--
-- Units and projects are found or created as import_forms finds them; the
-- errors are import_forms's (22P02 and 22003 with the form, the line and
-- what was expected; 23505 for a report already stored or twice in the
-- document; 42501 and 23000 for a project of another unit).  Everything
-- runs with the caller's rights: row-level security and the workflow
-- decide what an import may write.  After 62_monitoring.sql (the tables)
-- and 70_import.sql (export_cell, document_line, html_escape).

-- 原因类型 as written (6-根据合同约定资金暂未支付, 6, or the label) → its
-- code in pjeval.monitoring_reason; NULL for text that names none.
CREATE FUNCTION @extschema@.monitoring_reason_code(value text)
RETURNS smallint
LANGUAGE sql
STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.code
    FROM @extschema@.monitoring_reason r,
         LATERAL (SELECT pg_catalog.regexp_match(pg_catalog.btrim($1, E' \t\u3000'),
                                                 '^([0-9]{1,2})\s*(?:[-－—、.．:：]\s*(.*))?$') AS m) x
    WHERE CASE WHEN x.m IS NOT NULL
               THEN r.code OPERATOR(pg_catalog.=) x.m[1]::smallint
                    AND coalesce(x.m[2], '') IN ('', r.label)
               ELSE r.label OPERATOR(pg_catalog.=) pg_catalog.btrim($1, E' \t\u3000') END
$$;

COMMENT ON FUNCTION @extschema@.monitoring_reason_code(text) IS
'原因类型 as a form writes it (6-根据合同约定资金暂未支付, 6 or 根据合同约定资金暂未支付) → its code in pjeval.monitoring_reason; NULL when it names none';

-- 完成目标可能性 as written: the word, or its code 1/2/3 (the enum's order).
CREATE FUNCTION @extschema@.monitoring_likelihood(value text)
RETURNS @extschema@.completion_likelihood
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l
    FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::@extschema@.completion_likelihood)) WITH ORDINALITY AS e (l, n)
    WHERE l::text OPERATOR(pg_catalog.=) pg_catalog.btrim($1) OR n::text OPERATOR(pg_catalog.=) pg_catalog.btrim($1)
$$;

COMMENT ON FUNCTION @extschema@.monitoring_likelihood(text) IS
'完成目标可能性 as a form writes it (确定能, 有可能, 完全不可能, or the codes 1, 2, 3) → the value; NULL when it names none';

-- 偏差原因 as written (人员保障、其他): the standard causes named, in their
-- order, and the rest of the text (words that name none, joined by 、).
CREATE FUNCTION @extschema@.monitoring_causes(value text,
                                              OUT causes @extschema@.deviation_cause[], OUT note text)
RETURNS record
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT pg_catalog.array_agg(c ORDER BY c)
                     FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::@extschema@.deviation_cause)) c
                     WHERE c::text = ANY (w.words)), '{}'),
           (SELECT pg_catalog.string_agg(x, '、' ORDER BY n)
            FROM pg_catalog.unnest(w.words) WITH ORDINALITY AS u (x, n)
            WHERE x <> ALL (pg_catalog.enum_range(NULL::@extschema@.deviation_cause)::text[]))
    FROM (SELECT ARRAY(SELECT s FROM pg_catalog.regexp_split_to_table(coalesce($1, ''), '[、，,；;]+') AS s
                       WHERE pg_catalog.btrim(s) <> '') AS words) w
$$;

COMMENT ON FUNCTION @extschema@.monitoring_causes(text) IS
'偏差原因 as a form writes it (人员保障、其他) → the standard causes it names and the rest of its text (NULL when none)';

-- The first cell of a read document that no table can hold, with what was
-- expected there (import_problem's counterpart): a year out of range, no
-- unit, a 原因类型 or 完成目标可能性 that names none, an unknown or repeated
-- fund source, a negative amount or one beyond exact arithmetic, an
-- indicator without 一级指标 or 二级指标.
CREATE FUNCTION @extschema@.monitoring_import_problem(forms jsonb)
RETURNS TABLE (form integer, line integer, expected text, sqlstate text)
LANGUAGE sql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $q$
    SELECT p.form, p.line, p.expected, p.sqlstate
    FROM (
        SELECT f.form, coalesce((f.lines ->> 'year')::integer, f.line) AS line,
               'a year between 2000 and 2100 after 监控年度' AS expected, '22003' AS sqlstate
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, lines jsonb)
        WHERE f.year NOT BETWEEN 2000 AND 2100
        UNION ALL
        SELECT f.form, coalesce((f.lines ->> 'project_name')::integer, f.line),
               '实施单位 or 一级预算单位 in the header (the unit the project belongs to)', '22P02'
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, unit text, top_unit text, lines jsonb)
        WHERE f.unit IS NULL AND f.top_unit IS NULL
        UNION ALL
        SELECT f.form, (f.lines ->> 'reason_type')::integer,
               pg_catalog.format('a 原因类型 of pjeval.monitoring_reason, as 6-根据合同约定资金暂未支付, 6 or its label, not “%s”', f.reason_type),
               '22P02'
        FROM jsonb_to_recordset(forms) AS f (form integer, reason_type text, lines jsonb)
        WHERE f.reason_type IS NOT NULL AND @extschema@.monitoring_reason_code(f.reason_type) IS NULL
        UNION ALL
        SELECT x.form, x.line,
               CASE WHEN x.kind IS NULL
                    THEN pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', x.source)
                    WHEN least(x.initial_budget, x.added, x.reduced, x.adjusted_budget, x.executed, x.rate, x.forecast) < 0
                    THEN 'amounts of 0 or more'
                    ELSE 'numbers of at most 18 significant digits and 18 decimal places (lights are computed exactly)' END,
               CASE WHEN x.kind IS NULL THEN '22P02' ELSE '22003' END
        FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]'))
             AS x (form integer, line integer, source text, kind text, initial_budget numeric, added numeric,
                   reduced numeric, adjusted_budget numeric, executed numeric, rate numeric, forecast numeric)
        WHERE x.kind IS NULL
           OR least(x.initial_budget, x.added, x.reduced, x.adjusted_budget, x.executed, x.rate, x.forecast) < 0
           OR NOT (@extschema@.is_scorable_number(x.initial_budget) AND @extschema@.is_scorable_number(x.added)
                   AND @extschema@.is_scorable_number(x.reduced) AND @extschema@.is_scorable_number(x.adjusted_budget)
                   AND @extschema@.is_scorable_number(x.executed) AND @extschema@.is_scorable_number(x.rate)
                   AND @extschema@.is_scorable_number(x.forecast))
        UNION ALL
        SELECT d.form, d.lines[2],
               pg_catalog.format('each fund source once per form (“%s” was the row of line %s)', d.source, d.lines[1]),
               '22P02'
        FROM (SELECT y.form, (pg_catalog.array_agg(y.source ORDER BY y.line))[1] AS source,
                     pg_catalog.array_agg(y.line ORDER BY y.line) AS lines
              FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]'))
                   AS y (form integer, line integer, source text, kind text)
              GROUP BY y.form, y.kind, CASE WHEN y.kind = 'other' THEN nullif(y.source, '其他资金') END
              HAVING pg_catalog.count(*) > 1) d
        UNION ALL
        SELECT i.form, i.line,
               CASE WHEN i.level1 IS NULL THEN 'a 一级指标 (产出指标, 效益指标, …) for this indicator or a row above'
                    WHEN i.level2 IS NULL THEN 'a 二级指标 (数量指标, 质量指标, …) for this indicator or a row above'
                    ELSE pg_catalog.format('确定能, 有可能 or 完全不可能 (or 1, 2, 3) under 完成目标可能性, not “%s”', i.likelihood) END,
               '22P02'
        FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]'))
             AS i (form integer, line integer, level1 text, level2 text, likelihood text)
        WHERE i.level1 IS NULL OR i.level2 IS NULL
           OR (i.likelihood IS NOT NULL AND @extschema@.monitoring_likelihood(i.likelihood) IS NULL)
    ) p
    ORDER BY p.form, p.line
    LIMIT 1
$q$;

COMMENT ON FUNCTION @extschema@.monitoring_import_problem(jsonb) IS
'The first cell of a read monitoring document that no table can hold, with what was expected there: how import_monitoring explains a refusal';

CREATE FUNCTION @extschema@.import_monitoring(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    forms jsonb;
    f record;
    bad record;
    top_id bigint;
    unit_id bigint;
    proj record;
    id bigint;
    ids bigint[] := '{}';
    seen text[] := '{}';
    seen_at integer[] := '{}';
    k integer;
    quote_lines integer[];
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project, year and period already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- 1. Read (22P02 for a form that cannot be read), then what the reader
    -- lets through but no table can hold.
    forms := @extschema@.read_monitoring_forms(document);
    SELECT * INTO bad FROM @extschema@.monitoring_import_problem(forms);
    IF FOUND THEN
        RAISE EXCEPTION 'monitoring form % of the document cannot be read: line %', bad.form, bad.line
            USING ERRCODE = bad.sqlstate,
                  DETAIL = pg_catalog.format('Line %s: "%s"; expected %s.', bad.line,
                                             @extschema@.document_line(document, bad.line), bad.expected),
                  HINT = 'Nothing of the document was imported.';
    END IF;

    -- 2. Form by form (a unit's monitoring forms are few): its units and
    -- project found or created as import_forms finds them, then the report
    -- with its rows.
    FOR f IN
        SELECT *
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, project_code text, project_name text,
                                             year integer, unit text, top_unit text, month integer, amount_unit text,
                                             goal text, progress text, on_schedule text, stage_met text,
                                             reason_type text, analysis text, adjustment text, notes text,
                                             funds jsonb, indicators jsonb)
        ORDER BY x.form
    LOOP
        -- 一级预算单位: a unit of that name (a top-level one first), created at the top level
        top_id := NULL;
        IF f.top_unit IS NOT NULL THEN
            SELECT u.unit_id INTO top_id FROM @extschema@.unit u
            WHERE u.name = f.top_unit ORDER BY u.parent_id IS NOT NULL, u.unit_id LIMIT 1;
            IF top_id IS NULL THEN
                INSERT INTO @extschema@.unit (name) VALUES (f.top_unit)
                ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                SELECT u.unit_id INTO top_id FROM @extschema@.unit u
                WHERE u.name = f.top_unit AND u.parent_id IS NULL;
            END IF;
        END IF;
        -- 实施单位: under its 一级预算单位 first, then at the top level, then any
        unit_id := top_id;
        IF f.unit IS NOT NULL AND f.unit IS DISTINCT FROM f.top_unit THEN
            SELECT u.unit_id INTO unit_id FROM @extschema@.unit u
            WHERE u.name = f.unit
            ORDER BY u.parent_id IS NOT DISTINCT FROM top_id DESC, u.parent_id IS NULL DESC, u.unit_id LIMIT 1;
            IF NOT FOUND THEN
                IF top_id IS NULL THEN
                    INSERT INTO @extschema@.unit (name) VALUES (f.unit)
                    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                ELSE
                    INSERT INTO @extschema@.unit (name, parent_id) VALUES (f.unit, top_id)
                    ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;
                END IF;
                SELECT u.unit_id INTO unit_id FROM @extschema@.unit u
                WHERE u.name = f.unit AND u.parent_id IS NOT DISTINCT FROM top_id;
            END IF;
        END IF;

        -- the project: by 项目编号, else by name within the unit
        IF f.project_code IS NOT NULL THEN
            INSERT INTO @extschema@.project (code, name, unit_id) VALUES (f.project_code, f.project_name, unit_id)
            ON CONFLICT (code) DO NOTHING;
            SELECT p.project_id, p.unit_id, u.name AS unit_name INTO proj
            FROM @extschema@.project p JOIN @extschema@.unit u ON u.unit_id = p.unit_id
            WHERE p.code = f.project_code;
        ELSE
            INSERT INTO @extschema@.project (name, unit_id) VALUES (f.project_name, unit_id)
            ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;
            SELECT p.project_id, p.unit_id, u.name AS unit_name INTO proj
            FROM @extschema@.project p JOIN @extschema@.unit u ON u.unit_id = p.unit_id
            WHERE p.unit_id = import_monitoring.unit_id AND p.name = f.project_name
            ORDER BY p.code IS NOT NULL, p.project_id LIMIT 1;
        END IF;
        IF proj.project_id IS NULL THEN
            RAISE EXCEPTION 'monitoring form % of the document (line %): project % belongs to a unit that role % does not work for',
                    f.form, f.line, f.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF proj.unit_id <> unit_id THEN
            RAISE EXCEPTION 'monitoring form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    f.form, f.line, coalesce(f.project_code, '(no 项目编号)'), f.project_name,
                    proj.unit_name, coalesce(f.unit, f.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        -- one report per project, year and period in a document
        k := pg_catalog.array_position(seen, proj.project_id || '/' || f.year || '/' || f.month);
        IF k IS NOT NULL THEN
            RAISE EXCEPTION 'monitoring forms % (line %) and % (line %) of the document are both project % “%” for %, 1-%月',
                    k, seen_at[k], f.form, f.line, coalesce(f.project_code, '(no 项目编号)'), f.project_name, f.year, f.month
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project, year and period: remove one of them. Nothing of the document was imported.';
        END IF;
        seen := seen || (proj.project_id || '/' || f.year || '/' || f.month);
        seen_at := seen_at || f.line;

        -- the report: new, or replaced in place (the same id, its profile
        -- kept, its rows written anew, the old version in pjeval.history)
        SELECT m.monitoring_id INTO id FROM @extschema@.monitoring m
        WHERE m.project_id = proj.project_id AND m.year = f.year AND m.month = f.month
        FOR UPDATE;
        IF FOUND AND on_conflict = 'error' THEN
            RAISE EXCEPTION 'project % “%” already has a monitoring report for %, 1-%月 (monitoring %)',
                    coalesce(f.project_code, '(no 项目编号)'), f.project_name, f.year, f.month, id
                USING ERRCODE = 'unique_violation',
                      DETAIL = pg_catalog.format('Monitoring form %s of the document, line %s.', f.form, f.line),
                      HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
        ELSIF FOUND THEN
            UPDATE @extschema@.monitoring m
            SET budget_unit_id = top_id, amount_unit = coalesce(f.amount_unit, '元'), annual_goal = f.goal,
                progress = f.progress, declared_on_schedule = CASE f.on_schedule WHEN '是' THEN true WHEN '否' THEN false END,
                declared_stage_met = CASE f.stage_met WHEN '是' THEN true WHEN '否' THEN false END,
                reason_type = @extschema@.monitoring_reason_code(f.reason_type), analysis = f.analysis,
                target_adjustment = f.adjustment, notes = f.notes, updated_at = pg_catalog.now()
            WHERE m.monitoring_id = id;
            DELETE FROM @extschema@.monitoring_fund_line l WHERE l.monitoring_id = id;
            DELETE FROM @extschema@.monitoring_indicator i WHERE i.monitoring_id = id;
        ELSE
            INSERT INTO @extschema@.monitoring (project_id, year, month, budget_unit_id, amount_unit, annual_goal, progress,
                                                declared_on_schedule, declared_stage_met, reason_type, analysis,
                                                target_adjustment, notes)
            VALUES (proj.project_id, f.year, f.month, top_id, coalesce(f.amount_unit, '元'), f.goal, f.progress,
                    CASE f.on_schedule WHEN '是' THEN true WHEN '否' THEN false END,
                    CASE f.stage_met WHEN '是' THEN true WHEN '否' THEN false END,
                    @extschema@.monitoring_reason_code(f.reason_type), f.analysis, f.adjustment, f.notes)
            RETURNING monitoring_id INTO id;
        END IF;

        INSERT INTO @extschema@.monitoring_fund_line (monitoring_id, source, label, initial_budget, added, reduced,
                                                      adjusted_budget, executed, reported_rate, forecast)
        SELECT id, x.kind, CASE WHEN x.kind = 'other' THEN nullif(x.source, sfs.label) END,
               coalesce(x.initial_budget, 0), x.added, x.reduced, coalesce(x.adjusted_budget, 0),
               coalesce(x.executed, 0), x.rate, x.forecast
        FROM jsonb_to_recordset(f.funds) AS x (line integer, source text, kind text, initial_budget numeric, added numeric,
                                               reduced numeric, adjusted_budget numeric, executed numeric,
                                               rate numeric, forecast numeric)
        LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.kind
        ORDER BY x.line;

        -- 备注 beginning with 时点 or 累计 (时点指标) says the target's accrual
        INSERT INTO @extschema@.monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text,
                                                      actual_text, forecast_text, accrual, deviation_causes,
                                                      deviation_note, likelihood, notes)
        SELECT id, x.position, x.level1, x.level2, x.level3, x.target, x.actual, x.forecast,
               CASE WHEN x.notes LIKE '时点%' THEN 'point' WHEN x.notes LIKE '累计%' THEN 'cumulative' END,
               c.causes, c.note, @extschema@.monitoring_likelihood(x.likelihood), x.notes
        FROM jsonb_to_recordset(f.indicators) AS x (position integer, level1 text, level2 text, level3 text,
                                                    target text, actual text, forecast text, causes text,
                                                    likelihood text, notes text)
        CROSS JOIN LATERAL @extschema@.monitoring_causes(x.causes) c
        ORDER BY x.position;

        ids := ids || id;
    END LOOP;

    quote_lines := ARRAY(SELECT x.line
                         FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                              AS x (line integer, code text)
                         WHERE x.code = 'unclosed_quote' ORDER BY x.line);
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
    RETURN QUERY SELECT x FROM pg_catalog.unnest(ids) x;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_monitoring(text, text) IS
'Imports every 项目支出绩效目标执行监控表 of a tab-separated document (read by pjeval.read_monitoring_forms): units and projects found or created as import_forms finds them, one monitoring report per form with its fund lines and indicators. All or nothing. Returns the monitoring ids in the document''s order. on_conflict: ''error'' (default) refuses a project, year and period already stored (23505); ''replace'' replaces it in place, keeping the old version in pjeval.history';

-- ------------------------------------------------------------------ export

-- The light as a word of the page, with its colour class.
CREATE FUNCTION @extschema@.light_html(light text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 IS NULL THEN '<span class="light none">—</span>'
                ELSE pg_catalog.format('<span class="light %s">%s</span>', $1,
                                       CASE $1 WHEN 'red' THEN '红灯' WHEN 'yellow' THEN '黄灯'
                                               WHEN 'green' THEN '绿灯' WHEN 'blue' THEN '蓝灯' ELSE '?' END) END
$$;

COMMENT ON FUNCTION @extschema@.light_html(text) IS
'A light (red, yellow, green, blue or NULL) as a coloured word of an HTML page: 红灯, 黄灯, 绿灯, 蓝灯, —';

CREATE FUNCTION @extschema@.export_monitoring(id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m record;
    r record;
    funds text;
    inds text;
    finds text;
    nfind integer;
    period text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_monitoring reads it back); ''html'' writes a printable page with the lights.';
    END IF;
    IF export_monitoring.id IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT mo.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name,
           mr.code || '-' || mr.label AS reason
    INTO m
    FROM @extschema@.monitoring mo
    JOIN @extschema@.project p ON p.project_id = mo.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = mo.budget_unit_id
    LEFT JOIN @extschema@.monitoring_reason mr ON mr.code = mo.reason_type
    WHERE mo.monitoring_id = export_monitoring.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'monitoring report % does not exist or is not visible to role %', export_monitoring.id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the reports of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    period := '1-' || m.month || '月';

    IF format = 'text' THEN
        SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || m.amount_unit || '）' ELSE '' END,
                   CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                                 WHEN 'carryover' THEN '上年结转资金'
                                 ELSE @extschema@.export_cell(coalesce(f.label, '其他资金')) END,
                   f.initial_budget, coalesce(f.added::text, '—'), coalesce(f.reduced::text, '—'), f.adjusted_budget,
                   f.executed, coalesce(f.reported_rate::text, '—'), coalesce(f.forecast::text, '—')),
               E'\n' ORDER BY f.n)
        INTO funds
        FROM (SELECT l.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                         ARRAY['total', 'appropriation', 'carryover', 'other'], l.source), l.monitoring_fund_line_id) AS n
              FROM @extschema@.monitoring_fund_line l
              WHERE l.monitoring_id = export_monitoring.id) f;

        -- levels left blank where they repeat the row above, as on the form;
        -- a target's accrual is said in 备注 (时点指标, 累计指标) when 备注 does not say it
        SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.new1 THEN @extschema@.export_cell(i.level1) ELSE '' END,
                   CASE WHEN i.new1 OR i.new2 THEN @extschema@.export_cell(i.level2) ELSE '' END,
                   @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                   @extschema@.export_cell(i.actual_text), @extschema@.export_cell(i.forecast_text),
                   @extschema@.export_cell(nullif(pg_catalog.concat_ws('、',
                       nullif(pg_catalog.array_to_string(i.deviation_causes, '、'), ''), i.deviation_note), '')),
                   coalesce(i.likelihood::text, ''),
                   @extschema@.export_cell(CASE
                       WHEN i.accrual = 'point' AND coalesce(i.notes, '') NOT LIKE '时点%' THEN '时点指标' || coalesce('；' || i.notes, '')
                       WHEN i.accrual = 'cumulative' AND coalesce(i.notes, '') NOT LIKE '累计%' THEN '累计指标' || coalesce('；' || i.notes, '')
                       ELSE i.notes END)),
               E'\n' ORDER BY i.position)
        INTO inds
        FROM (SELECT mi.*,
                     mi.level1 IS DISTINCT FROM pg_catalog.lag(mi.level1) OVER w OR pg_catalog.lag(mi.position) OVER w IS NULL AS new1,
                     mi.level2 IS DISTINCT FROM pg_catalog.lag(mi.level2) OVER w AS new2
              FROM @extschema@.monitoring_indicator mi
              WHERE mi.monitoring_id = export_monitoring.id
              WINDOW w AS (ORDER BY mi.position)) i;

        RETURN pg_catalog.array_to_string(ARRAY[
            '项目支出绩效目标执行监控表',
            '',
            pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(m.project_code), '项目名称:',
                                 @extschema@.export_cell(m.project_name), '监控年度:', m.year),
            pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(m.unit_name), '一级预算单位:',
                                 @extschema@.export_cell(m.budget_unit_name), '监控期间:', period),
            '',
            '资金执行情况',
            '',
            E'\t\t年初预算数\t追加数\t追减数\t调整后预算数\t' || period || E'执行数\t' || period || E'执行率 (%)\t全年预计执行数',
            coalesce(funds, ''),
            '',
            '项目目标执行情况',
            '',
            E'年度总体目标\t年度目标\t' || period || '执行情况',
            E'\t' || @extschema@.export_cell(m.annual_goal) || E'\t' || @extschema@.export_cell(m.progress),
            E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t' || period || E'实际完成值\t全年预计完成值\t偏差原因\t完成目标可能性\t备注',
            coalesce(inds, ''),
            '',
            '执行情况分析',
            '',
            E'是否达到序时支出进度:\t' || CASE m.declared_on_schedule WHEN true THEN '是' WHEN false THEN '否' ELSE '' END,
            E'是否达到阶段性绩效目标:\t' || CASE m.declared_stage_met WHEN true THEN '是' WHEN false THEN '否' ELSE '' END,
            E'原因类型:\t' || coalesce(m.reason, ''),
            E'情况分析:\t' || @extschema@.export_cell(m.analysis),
            E'绩效目标调整情况:\t' || @extschema@.export_cell(m.target_adjustment),
            '',
            '备注：',
            @extschema@.export_cell(m.notes)], E'\n') || E'\n';
    END IF;

    -- 'html': the form as a printable page, with the lights the views compute
    SELECT * INTO r FROM @extschema@.monitoring_result mr WHERE mr.monitoring_id = export_monitoring.id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr><td class="label">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
               CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                             WHEN 'carryover' THEN '上年结转资金'
                             ELSE @extschema@.html_escape(coalesce(f.label, '其他资金')) END,
               f.initial_budget, coalesce(f.added::text, '—'), coalesce(f.reduced::text, '—'), f.adjusted_budget,
               f.executed, coalesce(f.reported_rate::text, '—'), coalesce(f.forecast::text, '—')),
               E'\n' ORDER BY pg_catalog.array_position(ARRAY['total', 'appropriation', 'carryover', 'other'], f.source),
                              f.monitoring_fund_line_id)
    INTO funds
    FROM @extschema@.monitoring_fund_line f
    WHERE f.monitoring_id = export_monitoring.id;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr class="light-%s"><td class="pos">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
               coalesce(x.light, 'none'), x.position, @extschema@.html_escape(x.level1), @extschema@.html_escape(x.level2),
               @extschema@.html_escape(x.level3), @extschema@.html_escape(x.target_text),
               @extschema@.html_escape(x.actual_text), @extschema@.html_escape(x.forecast_text),
               @extschema@.html_escape(nullif(pg_catalog.concat_ws('、',
                   nullif(pg_catalog.array_to_string(x.deviation_causes, '、'), ''), x.deviation_note), '')),
               @extschema@.html_escape(x.likelihood::text), @extschema@.html_escape(x.notes),
               @extschema@.light_html(x.light)),
               E'\n' ORDER BY x.position)
    INTO inds
    FROM (SELECT mi.*, @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                                   pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
          FROM @extschema@.monitoring_indicator mi
          JOIN @extschema@.profile pr ON pr.name = m.profile
          WHERE mi.monitoring_id = export_monitoring.id) x;

    SELECT pg_catalog.count(*),
           pg_catalog.string_agg(pg_catalog.format('<li class="finding-%s"><span class="where">%s</span> %s <code>%s</code><br><span class="en">%s</span></li>',
                                                   f.severity, CASE WHEN f.position IS NULL THEN '整表' ELSE '指标 ' || f.position END,
                                                   @extschema@.html_escape(f.message_zh), @extschema@.html_escape(f.code),
                                                   @extschema@.html_escape(f.message_en)),
                                 E'\n' ORDER BY f.position NULLS FIRST, f.code)
    INTO nfind, finds
    FROM @extschema@.monitoring_finding f
    WHERE f.monitoring_id = export_monitoring.id;

    RETURN pg_catalog.concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="generator" content="pjeval">
<title>项目支出绩效目标执行监控表 · ', @extschema@.html_escape(m.project_name), ' · ', m.year, '年', period, '</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 9.5pt; }
h1 { text-align: center; font-size: 16pt; margin: 0; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; }
table.form { width: 100%; border-collapse: collapse; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm; }
table.form th { background: #f0f0f0; font-weight: 400; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.light { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; color: #fff; white-space: nowrap; }
.light.red { background: #c62828; } .light.yellow { background: #f9a825; color: #000; }
.light.green { background: #2e7d32; } .light.blue { background: #1565c0; } .light.none { color: #555; }
section.lights, section.findings { margin-top: 4mm; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>项目支出绩效目标执行监控表</h1>
<p class="subtitle">（', m.year, '年', period, '）</p>
<table class="form">
<tr><th>项目编号</th><td>', @extschema@.html_escape(m.project_code), '</td><th>项目名称</th><td>', @extschema@.html_escape(m.project_name),
    '</td><th>监控年度</th><td>', m.year, '</td></tr>
<tr><th>实施单位</th><td>', @extschema@.html_escape(m.unit_name), '</td><th>一级预算单位</th><td>', @extschema@.html_escape(m.budget_unit_name),
    '</td><th>监控期间</th><td>', period, '</td></tr>
</table>
<section class="lights">
<table class="form lights">
<tr><th>执行率 (%)</th><th>时间进度 (%)</th><th>v</th><th>预算执行预警</th><th>目标执行预警</th><th>双监控（计算）</th><th>双监控（填报）</th></tr>
<tr><td class="num">', coalesce(r.execution_rate::text, '—'), '</td><td class="num">', r.time_progress, '</td><td class="num">',
    coalesce(r.fund_index::text, '—'), '</td><td>', @extschema@.light_html(r.fund_light), '</td><td>', @extschema@.light_html(r.project_light),
    '</td><td>', @extschema@.light_html(r.dual_light), '</td><td>', @extschema@.light_html(r.declared_dual_light), '</td></tr>
</table>
</section>
<h2>资金执行情况（', @extschema@.html_escape(m.amount_unit), '）</h2>
<table class="form funds">
<tr><th></th><th>年初预算数</th><th>追加数</th><th>追减数</th><th>调整后预算数</th><th>', period, '执行数</th><th>', period, '执行率 (%)</th><th>全年预计执行数</th></tr>
', coalesce(funds, ''), '
</table>
<h2>项目目标执行情况</h2>
<table class="form goals">
<tr><th>年度目标</th><th>', period, '执行情况</th></tr>
<tr><td>', @extschema@.html_escape(m.annual_goal), '</td><td>', @extschema@.html_escape(m.progress), '</td></tr>
</table>
<table class="form indicators">
<tr><th>序号</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>', period, '实际完成值</th><th>全年预计完成值</th><th>偏差原因</th><th>完成目标可能性</th><th>备注</th><th>预警</th></tr>
', coalesce(inds, ''), '
</table>
<h2>执行情况分析</h2>
<table class="form analysis">
<tr><th>是否达到序时支出进度</th><td>', CASE m.declared_on_schedule WHEN true THEN '是' WHEN false THEN '否' ELSE '' END,
    '</td><th>是否达到阶段性绩效目标</th><td>', CASE m.declared_stage_met WHEN true THEN '是' WHEN false THEN '否' ELSE '' END, '</td></tr>
<tr><th>原因类型</th><td colspan="3">', @extschema@.html_escape(m.reason), '</td></tr>
<tr><th>情况分析</th><td colspan="3">', @extschema@.html_escape(m.analysis), '</td></tr>
<tr><th>绩效目标调整情况</th><td colspan="3">', @extschema@.html_escape(m.target_adjustment), '</td></tr>
<tr><th>备注</th><td colspan="3">', pg_catalog.replace(@extschema@.html_escape(m.notes), E'\n', '<br>'), '</td></tr>
</table>
<section class="findings">
<h2>审核发现（', nfind, '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_monitoring(bigint, text) IS
'One monitoring report as the template''s tab-separated text (''text'', default: pjeval.import_monitoring reads it back to the same rows) or as a printable HTML page with its lights and findings (''html''). 02000 for a report that does not exist or that the caller may not see';

-- monitoring, third increment (issue 15), part 2: the year-end check (M4):
-- three codes of scope monitor with their messages, and
-- pjeval.monitoring_finding holding a project's self-evaluation against the
-- forecast of the year's last approved monitoring report.
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('year_end_execution_off_forecast', 'monitor', 'warning', '年度自评全年执行数与最后一次已审核监控的全年预计执行数相差超过预算的10%', 'the year-end 全年执行数 is more than 10 % of the budget away from the last approved monitoring forecast'),
    ('year_end_met_against_forecast', 'monitor', 'warning', '监控预计不能完成，年度自评却报告完成且未说明原因', 'the last approved monitoring report forecast a miss, yet the self-evaluation reports the target met with no explanation'),
    ('year_end_missed_against_forecast', 'monitor', 'warning', '监控预计“确定能”完成，年度自评却报告未完成', 'the last approved monitoring report was 确定能, yet the self-evaluation reports the target missed');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('year_end_execution_off_forecast', 'monitoring', '%3$s年度自评全年执行数 %13$s 元与 1-%4$s月监控的全年预计执行数 %14$s 元相差全年预算数 %12$s 元的 %15$s%%，超过 %16$s%%', 'the %3$s self-evaluation''s 全年执行数 %13$s 元 differs from the forecast %14$s 元 of the 1-%4$s月 monitoring report by %15$s%% of the budget %12$s 元, more than %16$s%%'),
    ('year_end_met_against_forecast', 'monitoring_indicator', '“%1$s”1-%7$s月监控预计全年 %4$s（%6$s，目标 %2$s），%9$s年度自评实际 %8$s 已完成，未说明原因', '"%1$s": the 1-%7$s月 monitoring report forecast %4$s (%6$s, target %2$s), yet the %9$s self-evaluation reports %8$s, met, with no explanation'),
    ('year_end_missed_against_forecast', 'monitoring_indicator', '“%1$s”1-%7$s月监控为“%6$s”、预计全年 %4$s（目标 %2$s），%9$s年度自评实际 %8$s 未完成', '"%1$s": the 1-%7$s月 monitoring report was %6$s with a forecast of %4$s (target %2$s), yet the %9$s self-evaluation reports %8$s, missed');

CREATE OR REPLACE VIEW @extschema@.monitoring_finding WITH (security_invoker = true) AS
SELECT r.monitoring_id,
       NULL::integer AS position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.monitoring_result r
JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
CROSS JOIN LATERAL (VALUES
    (CASE WHEN r.fund_light = 'red' AND r.forecast >= r.adjusted_budget
               AND m.reason_type IS NULL AND pg_catalog.btrim(coalesce(m.analysis, '')) = ''
          THEN 'fund_red_unexplained' END),
    (CASE WHEN r.declared_on_schedule <> r.on_schedule THEN 'schedule_declared_wrong' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring'
CROSS JOIN LATERAL (
    SELECT ARRAY[r.project_code, r.project_name, r.year::text, r.month::text, r.adjusted_budget::text,
                 r.executed::text, r.forecast::text, r.execution_rate::text, r.time_progress::text,
                 r.fund_index::text, CASE WHEN r.declared_on_schedule THEN '是' ELSE '否' END] AS args
) a
UNION ALL
SELECT m.monitoring_id,
       mi.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.monitoring m
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.profile pr ON pr.name = m.profile
JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = m.monitoring_id
CROSS JOIN LATERAL (
    SELECT @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                       pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
) l
CROSS JOIN LATERAL (VALUES
    (CASE WHEN mi.likelihood = '完全不可能' AND pg_catalog.cardinality(mi.deviation_causes) = 0
               AND pg_catalog.btrim(coalesce(mi.deviation_note, '')) = ''
          THEN 'impossible_unexplained' END),
    (CASE WHEN mi.likelihood = '确定能' AND l.light = 'red' THEN 'certain_under_red' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text, l.light, mi.likelihood::text, m.month::text] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])
UNION ALL
-- M4, the year end: a project's self-evaluation against the forecast of the
-- year's last approved monitoring report (the highest month approved), on
-- that report.  Money: |全年执行数 − 全年预计执行数| > 10 % of 全年预算数 (the
-- total rows, in 元).  Indicators, matched by their level names
-- (indicator_level_name) and 三级指标 folded (NFKC, no white space): a
-- forecast short of target or 完全不可能, and the self-evaluation's actual
-- meeting its target with no 偏差原因; or 确定能 with a forecast meeting the
-- target, and the actual missing it.  Meeting a target is the indicator
-- light at month 12 with all bands at 100: v ≥ 100, a reverse or dated
-- target met, 达成.
SELECT y.monitoring_id,
       y.position,
       y.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC y.args),
       pg_catalog.format(fm.message_en, VARIADIC y.args)
FROM (
    SELECT lm.monitoring_id, NULL::integer AS position, 'year_end_execution_off_forecast' AS code, 'monitoring' AS place,
           ARRAY[lm.project_code, lm.project_name, lm.year::text, lm.month::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 pg_catalog.round(x.budget, 2)::text, pg_catalog.round(x.executed, 2)::text, pg_catalog.round(x.forecast, 2)::text,
                 pg_catalog.round(pg_catalog.abs(x.executed - x.forecast) * 100 / x.budget, 2)::text, '10'] AS args
    FROM (SELECT DISTINCT ON (m.project_id, m.year) m.*, p.code AS project_code, p.name AS project_name
          FROM @extschema@.monitoring m
          JOIN @extschema@.project p ON p.project_id = m.project_id
          WHERE m.status = 'approved'
          ORDER BY m.project_id, m.year, m.month DESC) lm
    JOIN @extschema@.evaluation e ON e.project_id = lm.project_id AND e.year = lm.year
    JOIN @extschema@.monitoring_fund_line mf ON mf.monitoring_id = lm.monitoring_id AND mf.source = 'total'
    JOIN @extschema@.fund_line ef ON ef.evaluation_id = e.evaluation_id AND ef.source = 'total'
    CROSS JOIN LATERAL (
        SELECT ef.annual_budget * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS budget,
               ef.executed * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed,
               mf.forecast * CASE lm.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS forecast
    ) x
    WHERE x.budget > 0 AND pg_catalog.abs(x.executed - x.forecast) * 100 > 10 * x.budget
    UNION ALL
    SELECT lm.monitoring_id, mi.position, c.code, 'monitoring_indicator',
           ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text, NULL, mi.likelihood::text, lm.month::text,
                 i.actual_text, lm.year::text]
    FROM (SELECT DISTINCT ON (m.project_id, m.year) m.*
          FROM @extschema@.monitoring m
          WHERE m.status = 'approved'
          ORDER BY m.project_id, m.year, m.month DESC) lm
    JOIN @extschema@.evaluation e ON e.project_id = lm.project_id AND e.year = lm.year
    JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = lm.monitoring_id
    JOIN @extschema@.indicator i
      ON i.evaluation_id = e.evaluation_id
     AND i.level1_name = @extschema@.indicator_level_name(mi.level1)
     AND i.level2_name = @extschema@.indicator_level_name(mi.level2)
     AND pg_catalog.regexp_replace(pg_catalog.normalize(i.level3, 'NFKC'), '\s+', '', 'g')
         = pg_catalog.regexp_replace(pg_catalog.normalize(mi.level3, 'NFKC'), '\s+', '', 'g')
    CROSS JOIN LATERAL (
        SELECT @extschema@.indicator_light(mi.target, mi.forecast, 12, mi.level2, mi.accrual, lm.year, 100, 100, 100)
                   IN ('green', 'blue') AS forecast_met,
               @extschema@.indicator_light(i.target, i.actual, 12, i.level2, mi.accrual, lm.year, 100, 100, 100)
                   IN ('green', 'blue') AS actual_met
    ) met
    CROSS JOIN LATERAL (VALUES
        (CASE WHEN (mi.likelihood = '完全不可能' OR NOT met.forecast_met) AND met.actual_met
                   AND pg_catalog.btrim(coalesce(i.deviation_reason, '')) = ''
              THEN 'year_end_met_against_forecast' END),
        (CASE WHEN mi.likelihood = '确定能' AND met.forecast_met AND NOT met.actual_met
              THEN 'year_end_missed_against_forecast' END)
    ) c (code)
    WHERE c.code IS NOT NULL
) y
JOIN @extschema@.monitoring m ON m.monitoring_id = y.monitoring_id
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = y.code
JOIN @extschema@.finding_message fm ON fm.code = y.code AND fm.place = y.place
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_finding IS
'One row per monitoring consistency finding on a report the caller may see: report, indicator position (NULL for the whole report), code (pjeval.finding_code, scope monitor), severity and a message in Chinese and English: fund_red_unexplained (M1), impossible_unexplained (M2), certain_under_red (M3), schedule_declared_wrong (M5); against the year''s self-evaluation, on the last approved report (M4): year_end_execution_off_forecast, year_end_met_against_forecast, year_end_missed_against_forecast';


-- monitoring, third increment (issue 15), part 3: 监控报送及时性: due dates
-- (monitoring_due), the projects recorded overdue (monitoring_overdue) by
-- record_overdue_monitoring() (a pg_cron job), and monitoring_unit_summary's
-- due_date, reports_late and reports_overdue.
-- 监控报送及时性: the due date of each round (year, month N), and the
-- projects that had not submitted their report when it passed, as recorded
-- by pjeval.record_overdue_monitoring() (a pg_cron job: docs/monitoring.md).
-- Who expects a report: as monitoring_unit_summary's reports_missing, the
-- projects with a self-evaluation of the year, a report of an earlier month
-- of it, or a report for the round.
CREATE TABLE @extschema@.monitoring_due (
    year            integer NOT NULL
                    CONSTRAINT monitoring_due_year_range CHECK (year BETWEEN 2000 AND 2100),
    month           integer NOT NULL
                    CONSTRAINT monitoring_due_month_range CHECK (month BETWEEN 1 AND 12),
    due_date        date NOT NULL,
    PRIMARY KEY (year, month)
);

COMMENT ON TABLE @extschema@.monitoring_due IS
'报送截止日期: the date by which the reports of a round (year, 1-N月) are due; the administrator enters them';

CREATE TABLE @extschema@.monitoring_overdue (
    year            integer NOT NULL,
    month           integer NOT NULL,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id) ON DELETE CASCADE,
    unit_id         bigint NOT NULL REFERENCES @extschema@.unit (unit_id),
    due_date        date NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (year, month, project_id),
    FOREIGN KEY (year, month) REFERENCES @extschema@.monitoring_due (year, month) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX monitoring_overdue_unit_idx ON @extschema@.monitoring_overdue (unit_id, year, month);

COMMENT ON TABLE @extschema@.monitoring_overdue IS
'监控报送及时性: one row per project that was expected to report for a round and had no submitted or approved report when its due date passed (recorded by pjeval.record_overdue_monitoring, with the project''s unit then); kept when the report comes later';

ALTER TABLE @extschema@.monitoring_overdue ENABLE ROW LEVEL SECURITY;
CREATE POLICY monitoring_overdue_unit ON @extschema@.monitoring_overdue FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));

-- Records, for every round whose due date is before as_of (the due day has
-- ended), the expected projects without a submitted or approved report;
-- rows already recorded stay as they are.  Returns the rows it added.  For
-- the extension's owner, who must see every project (as refresh_reports);
-- a pg_cron job runs it daily.
CREATE FUNCTION @extschema@.record_overdue_monitoring(as_of date DEFAULT CURRENT_DATE)
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
        RAISE EXCEPTION 'the owner of pjeval, role %, does not see every project', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The extension''s owner must be a superuser, bypass row-level security or be a reviewer (pjeval.reviewer).';
    END IF;
    INSERT INTO @extschema@.monitoring_overdue (year, month, project_id, unit_id, due_date)
    SELECT d.year, d.month, p.project_id, p.unit_id, d.due_date
    FROM @extschema@.monitoring_due d
    JOIN @extschema@.project p
      ON EXISTS (SELECT 1 FROM @extschema@.evaluation e WHERE e.project_id = p.project_id AND e.year = d.year)
      OR EXISTS (SELECT 1 FROM @extschema@.monitoring m
                 WHERE m.project_id = p.project_id AND m.year = d.year AND m.month <= d.month)
    WHERE d.due_date < as_of
      AND NOT EXISTS (SELECT 1 FROM @extschema@.monitoring m
                      WHERE m.project_id = p.project_id AND m.year = d.year AND m.month = d.month
                        AND m.status IN ('submitted', 'approved'))
    ORDER BY d.year, d.month, p.project_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;

COMMENT ON FUNCTION @extschema@.record_overdue_monitoring(date) IS
'监控报送及时性: records in pjeval.monitoring_overdue, for every round of pjeval.monitoring_due whose due date is before as_of (default today), the projects expected to report (a self-evaluation of the year, a report of an earlier month of it, or a draft for the round) that have no submitted or approved report; returns the rows added. For the extension''s owner; daily from pg_cron: SELECT cron.schedule(''pjeval-monitoring-due'', ''5 0 * * *'', ''SELECT pjeval.record_overdue_monitoring()'')';
REVOKE EXECUTE ON FUNCTION @extschema@.record_overdue_monitoring(date) FROM PUBLIC;

GRANT SELECT ON @extschema@.monitoring_due, @extschema@.monitoring_overdue TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_due', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_overdue', '');

CREATE OR REPLACE VIEW @extschema@.monitoring_unit_summary WITH (security_invoker = true) AS
WITH counted AS (
    SELECT r.unit_id, r.year, r.month,
           pg_catalog.count(*) AS projects,
           pg_catalog.sum(r.adjusted_budget * s.factor) AS adjusted_budget,
           pg_catalog.sum(r.executed * s.factor) AS executed,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'red') AS red,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'green') AS green,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'blue') AS blue,
           pg_catalog.count(*) FILTER (WHERE m.submitted_at::date > d.due_date) AS late
    FROM @extschema@.monitoring_result r
    JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
    LEFT JOIN @extschema@.monitoring_due d ON d.year = m.year AND d.month = m.month
    CROSS JOIN LATERAL (SELECT CASE m.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor) s
    GROUP BY r.unit_id, r.year, r.month
), missing AS (
    SELECT p.unit_id, rd.year, rd.month, pg_catalog.count(*) AS reports_missing
    FROM (SELECT DISTINCT m.year, m.month FROM @extschema@.monitoring m) rd
    JOIN @extschema@.project p
      ON EXISTS (SELECT 1 FROM @extschema@.evaluation e
                 WHERE e.project_id = p.project_id AND e.year = rd.year)
      OR EXISTS (SELECT 1 FROM @extschema@.monitoring m
                 WHERE m.project_id = p.project_id AND m.year = rd.year AND m.month < rd.month)
    WHERE NOT EXISTS (SELECT 1 FROM @extschema@.monitoring m
                      WHERE m.project_id = p.project_id AND m.year = rd.year AND m.month = rd.month)
    GROUP BY p.unit_id, rd.year, rd.month
)
SELECT unit_id,
       u.name AS unit_name,
       year,
       month,
       coalesce(c.projects, 0) AS projects,
       c.adjusted_budget,
       c.executed,
       coalesce(c.red, 0) AS red,
       coalesce(c.yellow, 0) AS yellow,
       coalesce(c.green, 0) AS green,
       coalesce(c.blue, 0) AS blue,
       coalesce(x.reports_missing, 0) AS reports_missing,
       d.due_date,
       coalesce(c.late, 0) AS reports_late,
       coalesce(o.overdue, 0) AS reports_overdue
FROM counted c
FULL JOIN missing x USING (unit_id, year, month)
LEFT JOIN @extschema@.unit u USING (unit_id)
LEFT JOIN @extschema@.monitoring_due d USING (year, month)
LEFT JOIN (SELECT od.unit_id, od.year, od.month, pg_catalog.count(*) AS overdue
           FROM @extschema@.monitoring_overdue od
           GROUP BY od.unit_id, od.year, od.month) o USING (unit_id, year, month)
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_unit_summary IS
'Per unit, year and period (month N): the monitoring reports (projects), the total rows'' 调整后预算数 and 1-N月执行数 summed in 元, the project lights counted (red, yellow, green, blue), reports_missing: the unit''s projects with a self-evaluation of that year or a report of an earlier month of it but none for this period; due_date (pjeval.monitoring_due), reports_late: reports submitted after the due date (by their last submission), reports_overdue: projects recorded in pjeval.monitoring_overdue, without a submitted report when the due date passed';


-- monitoring, third increment (issue 15), part 4: the monitoring page
-- (78_monitoring_report.sql): monitoring_report_html, the lights per unit
-- as an inline SVG chart and the red projects with their reasons.
-- 78_monitoring_report.sql - the monitoring section of the printable
-- reports (docs/monitoring.md): one page per round (year, 1-N月) with the
-- project lights of every unit as an inline SVG chart and the red projects
-- with their reasons.  A page of its own beside report_html (80_reports.sql)
-- and export_monitoring's 'html'; it reads the views with the caller's
-- rights, so a unit member's page holds that unit's reports only.

CREATE FUNCTION @extschema@.monitoring_report_html(year integer, month integer DEFAULT NULL, unit text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer;              -- the round's month
    units jsonb;
    most integer;
    chart text;
    reds text;
    nred integer;
    bar_x constant integer := 230;   -- where the bars begin
    bar_w constant integer := 420;   -- the widest bar
    row_h constant integer := 24;
BEGIN
    IF monitoring_report_html.year IS NULL THEN
        RETURN NULL;
    END IF;
    IF monitoring_report_html.month IS NOT NULL AND monitoring_report_html.month NOT BETWEEN 1 AND 12 THEN
        RAISE EXCEPTION 'month must be from 1 to 12, not %', monitoring_report_html.month
            USING ERRCODE = 'datetime_field_overflow',
                  HINT = 'A monitoring period is 1-N月 with N from 1 to 12; NULL takes the year''s latest round.';
    END IF;
    n := coalesce(monitoring_report_html.month,
                  (SELECT max(r.month) FROM @extschema@.monitoring_result r WHERE r.year = monitoring_report_html.year));

    -- per unit: the project lights counted, reports without a lit indicator
    SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.unit_name, s.unit_id), '[]'), coalesce(max(s.projects), 0)
    INTO units, most
    FROM (SELECT su.unit_id, su.unit_name, su.projects, su.red, su.yellow, su.green, su.blue,
                 su.projects - su.red - su.yellow - su.green - su.blue AS unlit, su.reports_missing
          FROM @extschema@.monitoring_unit_summary su
          WHERE su.year = monitoring_report_html.year AND su.month = n
            AND (monitoring_report_html.unit IS NULL OR su.unit_name = monitoring_report_html.unit)) s;

    -- the chart: a bar per unit, its segments the lights in order
    SELECT string_agg(format(
               '<g class="unit"><text x="%s" y="%s" text-anchor="end" class="name">%s</text>%s<text x="%s" y="%s" class="count">%s</text></g>',
               bar_x - 8, 20 + i * row_h + 14, @extschema@.html_escape(u.unit_name),
               (SELECT string_agg(format('<rect class="bar %s" x="%s" y="%s" width="%s" height="16"><title>%s %s</title></rect>',
                                         seg.light, bar_x + seg.before * bar_w / most, 20 + i * row_h,
                                         seg.cnt * bar_w / most, seg.label, seg.cnt), '' ORDER BY seg.k)
                FROM (SELECT k, light, label, cnt, coalesce(sum(cnt) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                      FROM (VALUES (1, 'red', '红灯', u.red), (2, 'yellow', '黄灯', u.yellow), (3, 'green', '绿灯', u.green),
                                   (4, 'blue', '蓝灯', u.blue), (5, 'none', '无灯', u.unlit)) v (k, light, label, cnt)) seg
                WHERE seg.cnt > 0),
               bar_x + u.projects * bar_w / most + 6, 20 + i * row_h + 13, u.projects),
               E'\n' ORDER BY i)
    INTO chart
    FROM ROWS FROM (jsonb_to_recordset(units) AS (unit_name text, projects integer, red integer, yellow integer,
                                                  green integer, blue integer, unlit integer))
         WITH ORDINALITY AS u (unit_name, projects, red, yellow, green, blue, unlit, i);

    -- the red projects (目标执行预警 or 预算执行预警 red) with their reasons
    SELECT count(*), string_agg(format(
               '<li class="project"><span class="code">%s</span> <span class="name">%s</span> <span class="unit">（%s）</span> 目标 %s 资金 %s 双监控 %s%s%s%s</li>',
               @extschema@.html_escape(r.project_code), @extschema@.html_escape(r.project_name), @extschema@.html_escape(un.name),
               @extschema@.light_html(r.project_light), @extschema@.light_html(r.fund_light), @extschema@.light_html(r.dual_light),
               CASE WHEN r.fund_light = 'red' THEN format('<p class="fund">执行率 %s%%，时间进度 %s%%</p>', r.execution_rate, r.time_progress) ELSE '' END,
               CASE WHEN m.reason_type IS NOT NULL OR nullif(btrim(coalesce(m.analysis, '')), '') IS NOT NULL
                    THEN format('<p class="reason">原因类型：%s；情况分析：%s</p>',
                                @extschema@.html_escape(coalesce(mr.code || '-' || mr.label, '—')),
                                @extschema@.html_escape(coalesce(m.analysis, '—')))
                    ELSE '' END,
               coalesce((SELECT '<ul class="indicators">' || string_agg(format('<li>%s：目标 %s，1-%s月实际 %s，偏差原因 %s</li>',
                                     @extschema@.html_escape(x.level3), @extschema@.html_escape(x.target_text), n,
                                     @extschema@.html_escape(x.actual_text),
                                     @extschema@.html_escape(coalesce(nullif(concat_ws('、', nullif(array_to_string(x.deviation_causes, '、'), ''),
                                                                                        x.deviation_note), ''), '未填写'))),
                                     '' ORDER BY x.position) || '</ul>'
                         FROM @extschema@.monitoring_indicator x
                         JOIN @extschema@.profile pr ON pr.name = m.profile
                         WHERE x.monitoring_id = m.monitoring_id
                           AND @extschema@.indicator_light(x.target, x.actual, m.month, x.level2, x.accrual, m.year,
                                                           pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) = 'red'),
                        '')),
               E'\n' ORDER BY un.name, r.project_code)
    INTO nred, reds
    FROM @extschema@.monitoring_result r
    JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
    JOIN @extschema@.unit un ON un.unit_id = r.unit_id
    LEFT JOIN @extschema@.monitoring_reason mr ON mr.code = m.reason_type
    WHERE r.year = monitoring_report_html.year AND r.month = n
      AND (r.project_light = 'red' OR r.fund_light = 'red')
      AND (monitoring_report_html.unit IS NULL OR un.name = monitoring_report_html.unit);

    RETURN concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="generator" content="pjeval">
<title>绩效运行监控 · ', monitoring_report_html.year, '年', CASE WHEN n IS NULL THEN '' ELSE '1-' || n || '月' END, '</title>
<style>
@page { size: A4 portrait; margin: 14mm 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 10pt; }
h1 { text-align: center; font-size: 16pt; }
svg.lights .name, svg.lights .count { font-size: 10px; }
svg.lights rect.red, .light.red { fill: #c62828; background: #c62828; }
svg.lights rect.yellow, .light.yellow { fill: #f9a825; background: #f9a825; }
svg.lights rect.green, .light.green { fill: #2e7d32; background: #2e7d32; }
svg.lights rect.blue, .light.blue { fill: #1565c0; background: #1565c0; }
svg.lights rect.none { fill: #bdbdbd; }
.light { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; color: #fff; }
.light.yellow { color: #000; } .light.none { color: #555; }
li.project { margin-bottom: 2mm; break-inside: avoid; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>绩效运行监控（', monitoring_report_html.year, '年', CASE WHEN n IS NULL THEN '' ELSE '1-' || n || '月' END, '）</h1>
<section class="units">
<h2>各单位项目目标执行预警</h2>
', CASE WHEN jsonb_array_length(units) = 0 THEN '<p>无监控报表。</p>' ELSE concat(
'<svg class="lights" xmlns="http://www.w3.org/2000/svg" role="img" width="', bar_x + bar_w + 40, '" height="',
        jsonb_array_length(units) * row_h + 50, '" viewBox="0 0 ', bar_x + bar_w + 40, ' ', jsonb_array_length(units) * row_h + 50, '">
<title>各单位项目预警灯数（', monitoring_report_html.year, '年1-', n, '月）</title>
', chart, '
<g class="legend" transform="translate(', bar_x, ',', jsonb_array_length(units) * row_h + 30, ')"><rect class="red" x="0" y="0" width="10" height="10"/><text x="14" y="9">红灯</text><rect class="yellow" x="60" y="0" width="10" height="10"/><text x="74" y="9">黄灯</text><rect class="green" x="120" y="0" width="10" height="10"/><text x="134" y="9">绿灯</text><rect class="blue" x="180" y="0" width="10" height="10"/><text x="194" y="9">蓝灯</text><rect class="none" x="240" y="0" width="10" height="10"/><text x="254" y="9">无灯</text></g>
</svg>') END, '
</section>
<section class="red">
<h2>红灯项目（', coalesce(nred, 0), '）</h2>
', CASE WHEN reds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || reds || E'\n</ol>' END, '
</section>
</body>
</html>
');
END
$fn$;

COMMENT ON FUNCTION @extschema@.monitoring_report_html(integer, integer, text) IS
'The monitoring round (year, 1-N月; NULL: the year''s latest) as a printable page: the project lights of every unit the caller sees (or of one unit, by name) as an inline SVG bar chart, and the projects whose project or fund light is red with their reasons (原因类型, 情况分析, and each red indicator with its 偏差原因). A month outside 1-12 raises 22008';

-- monitoring, third increment (issue 15), part 3 (continued): the plan
-- places monitoring_due and monitoring_overdue (reference tables).
CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- their due dates and the projects recorded overdue (per round)
             'monitoring_due', 'monitoring_overdue',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;

COMMENT ON FUNCTION @extschema@.distribution_plan() IS
'Where each pjeval table goes on a Citus cluster: distributed (by evaluation_id, co-located with evaluation) or reference, in the order pjeval.distribute() places them';


-- the distribution plan with the monitoring due dates, rectification and review (merge)
CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- their due dates and the projects recorded overdue (per round)
             'monitoring_due', 'monitoring_overdue',
             -- 整改 items (per project and year)
             'rectification',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;


-- citus3 (issue 14, items 1, 3 and 4): writes and import_forms on a Citus
-- cluster.  The history and workflow triggers, fired on a shard, read and
-- write the shards on their node (colocated_shard): a form's history goes to
-- the co-located shard of history, the history of the rows of no form to
-- history_admin on the coordinator (a new table, empty on one node;
-- history_all reads both); pjeval.distribute() moves history's rows of no
-- form there, needs the coordinator in the metadata, gives the rights
-- granted before to the workers, and refuses while policies have
-- sub-selects unless called with without_row_security => true (it then
-- drops them); the functions the
-- workflow trigger calls on a worker may read reference tables there
-- (citus.allow_nested_distributed_execution); import_forms on a cluster
-- locks each project and year instead of FOR UPDATE and ON CONFLICT.

-- The history of the rows that belong to no form (units, projects, members,
-- reviewers, profiles, the monitoring reports) on a Citus cluster, where
-- history is distributed by evaluation_id and such a row has no shard
-- (docs/scaling.md): a table of the coordinator alone, written by the
-- trigger on the coordinator's copy of those reference tables, its ids from
-- history's sequence.  pjeval.distribute() moves the rows of no form here
-- from history; on one node it stays empty.  pjeval.history_all reads both.
CREATE TABLE @extschema@.history_admin (
    LIKE @extschema@.history INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (history_id)
);
ALTER TABLE @extschema@.history_admin
    ALTER COLUMN history_id SET DEFAULT pg_catalog.nextval('@extschema@.history_history_id_seq'::pg_catalog.regclass);
CREATE INDEX history_admin_unit_idx ON @extschema@.history_admin (unit_id);
CREATE INDEX history_admin_monitoring_idx ON @extschema@.history_admin (row_id, history_id) WHERE table_name = 'monitoring';

COMMENT ON TABLE @extschema@.history_admin IS
'On a Citus cluster, the history of the rows of no form (units, projects, members, reviewers, profiles, monitoring reports), kept on the coordinator; empty on one node. Append-only; pjeval.history_all reads it with pjeval.history';

-- All of the history, wherever it is kept.
CREATE VIEW @extschema@.history_all AS
SELECT h.history_id, h.table_name, h.operation, h.evaluation_id, h.unit_id, h.row_id, h.old_row, h.new_row,
       h.session_user_name, h.current_user_name, h.changed_at, h.transaction_id
FROM @extschema@.history h
UNION ALL
SELECT a.history_id, a.table_name, a.operation, a.evaluation_id, a.unit_id, a.row_id, a.old_row, a.new_row,
       a.session_user_name, a.current_user_name, a.changed_at, a.transaction_id
FROM @extschema@.history_admin a;

COMMENT ON VIEW @extschema@.history_all IS
'Every history row: pjeval.history and, on a Citus cluster, pjeval.history_admin (the rows of no form); what each role sees is what the tables'' row-level security shows it';

CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON @extschema@.history_admin
FOR EACH ROW EXECUTE FUNCTION @extschema@.history_append_only();
CREATE TRIGGER history_append_only_truncate BEFORE TRUNCATE ON @extschema@.history_admin
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.history_append_only();
SELECT pg_catalog.pg_extension_config_dump('@extschema@.history_admin', '');
ALTER TABLE @extschema@.history_admin ENABLE ROW LEVEL SECURITY;
CREATE POLICY history_admin_unit ON @extschema@.history_admin FOR SELECT
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]));
GRANT SELECT ON @extschema@.history_admin TO PUBLIC;
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

ALTER FUNCTION @extschema@.is_reviewer(name) SET citus.allow_nested_distributed_execution = on;
ALTER FUNCTION @extschema@.member_units(name) SET citus.allow_nested_distributed_execution = on;
ALTER FUNCTION @extschema@.unit_and_ancestors(bigint) SET citus.allow_nested_distributed_execution = on;
ALTER FUNCTION @extschema@.evaluation_check_budget_unit(bigint, bigint, bigint) SET citus.allow_nested_distributed_execution = on;

CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
    -- where the rows go: on one node pjeval.history.  On a Citus cluster
    -- (docs/scaling.md) the trigger fires on a shard, TG_TABLE_NAME is the
    -- shard's and the rows go to the shards on its node: a form's rows to the
    -- co-located shard of history (history_id then from this node's range,
    -- its group id in the top 16 bits: the shard has no identity), the
    -- rows of no form (units, projects, members, reviewers, profiles, the
    -- monitoring reports: reference tables, a copy on every node) to
    -- pjeval.history_admin on the coordinator, from the coordinator's copy.
    target text := '@extschema@.history';
    ids text := '';
    id_values text := '';
    node_group integer;
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;
    IF TG_TABLE_NAME <> tbl AND to_regclass('pg_catalog.pg_dist_local_group') IS NOT NULL THEN
        EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO node_group;
        IF tbl IN ('evaluation', 'fund_line', 'indicator', 'review', 'review_item') THEN
            target := @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'history');
            ids := 'history_id, ';
            id_values := format('(%s::bigint << 48) + nextval(%L::regclass), ', node_group, '@extschema@.history_history_id_seq');
        ELSIF node_group = 0 THEN
            target := '@extschema@.history_admin';
        ELSE
            RETURN NULL;
        END IF;
    END IF;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'fund_line', 'indicator', 'review', 'review_item' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s e
                                         JOIN %s p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'evaluation'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s m
                                         JOIN %s p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'monitoring'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO %s (%stable_name, operation, evaluation_id, unit_id, row_id,
                        old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT %s$1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        target, ids, id_values, eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.form_row_workflow()
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
    form CONSTANT text := CASE form_table WHEN 'monitoring' THEN 'monitoring report' ELSE 'evaluation' END;
    steps CONSTANT text := CASE form_table WHEN 'monitoring' THEN '_monitoring' ELSE '' END;
    forms text;  -- the form's table; on a Citus shard its co-located shard
BEGIN
    IF TG_NARGS <> 2 OR form_table NOT IN ('evaluation', 'monitoring') THEN
        RAISE EXCEPTION 'form_row_workflow() guards the rows of pjeval.evaluation and pjeval.monitoring, not of %', coalesce(form_table, TG_TABLE_NAME)
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
            ELSE
                SELECT m.status INTO st
                FROM @extschema@.monitoring m
                WHERE m.monitoring_id = id
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

CREATE OR REPLACE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;            -- the forms of a batch
    funds jsonb;            -- every fund line of the batch
    inds jsonb;             -- every indicator of the batch
    bad record;
    pos_offset bigint := 0; -- where the next batch begins (NULL: the document is read)
    pos_line integer := 1;
    pos_form integer := 0;
    base integer;           -- forms before the batch: its form f is element f - base below
    done_form integer[] := '{}';    -- the forms of the batches before, for step 5
    done_line integer[] := '{}';
    done_year integer[] := '{}';
    done_project bigint[] := '{}';
    done_code text[] := '{}';
    done_name text[] := '{}';
    quote_lines integer[] := '{}';  -- cells whose quote nothing closes (read as text)
    writing_rows boolean := false;  -- in step 7: a failure there is a cell no table holds
    form_unit bigint[];     -- per form of the batch, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];  -- batch-local, as the arrays above
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];         -- form numbers
    attempt integer;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
    on_cluster boolean := false;    -- evaluation distributed by Citus (step 6)
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid OPERATOR(pg_catalog.=) $1::regclass)'
            INTO on_cluster USING '@extschema@.evaluation';
    END IF;

    -- The document is read and written a batch of forms at a time (500
    -- forms or about 8 MB of text, see read_form_batch), steps 1-7 per
    -- batch, all in this one transaction: memory is that of a batch, and a
    -- cancel or a timeout stops the import between any two rows it reads.
    -- One exception block for all batches, not one per batch: each block
    -- is a subtransaction, and the memory a committed subtransaction used
    -- stays until the transaction ends (about 4 MB a batch).
    BEGIN
    LOOP
        -- 1. Read.  A form that cannot be read at all raises here (22P02, with
        -- the form, the line and what was expected); what earlier batches wrote
        -- is undone with the rest.  The fund lines and indicators of the
        -- batch's forms are taken out once, each with its form's position:
        -- every statement below reads a flat set.
        EXIT WHEN pos_offset IS NULL;
        base := pos_form;
        SELECT b.forms, b.next_offset, b.next_line, b.next_form INTO forms, pos_offset, pos_line, pos_form
        FROM @extschema@.read_form_batch(document, pos_offset, pos_line, pos_form, 500) AS b;
        n := pg_catalog.jsonb_array_length(forms);
        EXIT WHEN n = 0;
        funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
        inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');
        quote_lines := quote_lines || ARRAY(SELECT x.line
                                            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                                                 AS x (line integer, code text)
                                            WHERE x.code = 'unclosed_quote'
                                            ORDER BY x.line);

        RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 2. What the reader lets through but no table can hold.  The header
        -- is checked here (before units and projects are looked for); fund
        -- lines and indicators by the tables' own constraints as they are
        -- written (step 7), at no cost when all is well.  Either way the error
        -- names the document's first such cell (import_raise_problem).
        IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                             total_weight numeric, total_score numeric)
                   WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                      OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
        -- created at the top level when there is none; 实施单位 is a unit of
        -- that name (under its 一级预算单位 first, then at the top level), created
        -- under its 一级预算单位 when there is none, at the top level when the
        -- form names none (and no other form of the document places it).
        -- Creating units is for reviewers (row-level security says so when
        -- someone else tries).
        -- (Anti-joins, not NOT EXISTS: Citus plans no correlated sub-query
        -- over a set-returning function such as jsonb_to_recordset.)
        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.top_unit
        FROM jsonb_to_recordset(forms) AS f (top_unit text)
        LEFT JOIN @extschema@.unit u ON u.name = f.top_unit
        WHERE f.top_unit IS NOT NULL AND u.unit_id IS NULL
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
        FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
        LEFT JOIN (
            SELECT n.name,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
        ) t ON t.name = f.top_unit;

        INSERT INTO @extschema@.unit (name, parent_id)
        SELECT DISTINCT f.unit, form_top[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN @extschema@.unit u ON u.name = f.unit
        WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit AND u.unit_id IS NULL
        ORDER BY 2, 1
        ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

        INSERT INTO @extschema@.unit (name)
        SELECT DISTINCT f.unit
        FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
        LEFT JOIN @extschema@.unit u ON u.name = f.unit
        WHERE f.unit IS NOT NULL AND f.top_unit IS NULL AND u.unit_id IS NULL
        ORDER BY 1
        ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form - base], 0)) ORDER BY f.form) INTO form_unit
        FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
        LEFT JOIN (
            SELECT n.name, n.top,
                   coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                            (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
            FROM (SELECT DISTINCT x.unit AS name, form_top[x.form - base] AS top
                  FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
                  WHERE x.unit IS DISTINCT FROM x.top_unit) n
        ) t ON t.name = f.unit AND t.top = form_top[f.form - base] AND f.unit IS DISTINCT FROM f.top_unit;

        RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 4. Projects: by 项目编号, else by name within the unit.  A project the
        -- caller cannot see is not found; inserting it again then does nothing
        -- (its code is taken) or is refused by row-level security.
        INSERT INTO @extschema@.project (code, name, unit_id)
        SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        LEFT JOIN @extschema@.project p ON p.code = f.project_code
        WHERE f.project_code IS NOT NULL AND p.project_id IS NULL
        ORDER BY f.project_code, f.form
        ON CONFLICT (code) DO NOTHING;

        INSERT INTO @extschema@.project (name, unit_id)
        SELECT DISTINCT f.project_name, form_unit[f.form - base]
        FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
        LEFT JOIN @extschema@.project p ON p.unit_id = form_unit[f.form - base] AND p.name = f.project_name
        WHERE f.project_code IS NULL AND p.project_id IS NULL
        ORDER BY 2, 1
        ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

        SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
        FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form - base] AS unit_id
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
        LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
        LEFT JOIN (
            SELECT n.unit_id, n.name,
                   coalesce((SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                            (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
            FROM (SELECT DISTINCT form_unit[x.form - base] AS unit_id, x.project_name AS name
                  FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
                  WHERE x.project_code IS NULL) n
        ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

        -- A project the caller cannot see, or one that belongs to another unit.
        SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                             unit text, top_unit text)
        LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form - base]
        LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form - base]
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND bad.unit_id IS NULL THEN
            RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                    bad.form, bad.line, bad.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                    bad.project_unit, coalesce(bad.unit, bad.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 5. One form per project and year in the document: in the batch, and
        -- against the forms of the batches before it (never a replace of a form
        -- this import wrote).
        SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
        FROM (SELECT x.form, x.line, x.year, x.project_code, x.project_name, form_project[x.form - base] AS project_id
              FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text)
              UNION ALL
              SELECT d.*
              FROM ROWS FROM (pg_catalog.unnest(done_form), pg_catalog.unnest(done_line), pg_catalog.unnest(done_year),
                              pg_catalog.unnest(done_code), pg_catalog.unnest(done_name), pg_catalog.unnest(done_project))
                   AS d (form, line, year, project_code, project_name, project_id)) a
        JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
          ON b.form > a.form AND b.year = a.year AND form_project[b.form - base] = a.project_id
        ORDER BY b.form, a.form
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                    bad.form, bad.line, bad.other_form, bad.other_line,
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 6. The forms themselves.  A project and year already stored is an
        -- error, or with on_conflict => 'replace' is replaced in place: the same
        -- evaluation_id, its profile kept, its fund lines and indicators written
        -- anew (the evaluator's band carried over where an indicator is
        -- unchanged), the old version in pjeval.history.  The workflow refuses to
        -- replace a form that is submitted or approved.  An import that races
        -- with another for the same project and year finds it on its next try.
        form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
        todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g);
        old_bands := NULL;
        attempt := 0;
        LOOP
            attempt := attempt + 1;

            -- the forms of this try already stored, locked in one order
            IF NOT on_cluster THEN
                SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
                INTO found_forms, found_evals
                FROM (SELECT f.form, e.evaluation_id
                      FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                      JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                      JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year
                      ORDER BY e.evaluation_id
                      FOR UPDATE OF e) x;
            ELSE
                -- On a Citus cluster Citus neither locks rows of several
                -- shards at once nor keeps evaluation's UNIQUE (project_id,
                -- year) (docs/scaling.md): each project and year of the
                -- batch is locked instead (a transaction advisory lock on
                -- the coordinator, in one order), before its form is looked
                -- for, so that two imports of it take turns, and the second
                -- finds the first's form.
                PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
                            pg_catalog.format('pjeval.evaluation %s %s', k.project_id, k.year), 0))
                FROM (SELECT DISTINCT form_project[f.form - base] AS project_id, f.year
                      FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                      JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                      ORDER BY 1, 2) k;
                SELECT pg_catalog.array_agg(x.form - base ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
                INTO found_forms, found_evals
                FROM (SELECT f.form, e.evaluation_id
                      FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                      JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                      JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form - base] AND e.year = f.year) x;
            END IF;

            IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
                SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
                FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
                WHERE f.form = base + found_forms[1];
                RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                        coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                          HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
            END IF;

            IF found_forms IS NOT NULL THEN
                UPDATE @extschema@.evaluation e
                SET budget_unit_id = nullif(form_top[f.form - base], 0),
                    amount_unit = coalesce(f.amount_unit, '元'),
                    expected_goal = f.goal_expected,
                    actual_outcome = f.goal_actual,
                    reported_weight_total = f.total_weight,
                    reported_total = f.total_score,
                    notes = f.notes,
                    reported_grade = f.total_grade,
                    fund_block_weight = f.fund_weight
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text, total_grade text,
                                                     fund_weight numeric)
                  ON f.form = base + x.form
                WHERE e.evaluation_id = x.evaluation_id;

                SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                           i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                           i.band), '{}')
                INTO old_bands
                FROM @extschema@.indicator i
                WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

                DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
                DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);
                -- (asked first: an import without reader findings needs no
                -- right on read_finding; SELECT 1, not SELECT: Citus plans no
                -- empty target list over a distributed table)
                IF EXISTS (SELECT 1 FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals)) THEN
                    DELETE FROM @extschema@.read_finding rf WHERE rf.evaluation_id = ANY (found_evals);
                END IF;

                form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
            END IF;

            -- the forms not stored yet; one that a concurrent import has just
            -- stored is left out, and found on the next try (on a cluster
            -- the lock above keeps other imports out)
            IF NOT on_cluster THEN
                WITH ins AS (
                    INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                        actual_outcome, reported_weight_total, reported_total, notes, reported_grade,
                                                        fund_block_weight)
                    SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                           f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes, f.total_grade, f.fund_weight
                    FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                         goal_actual text, total_weight numeric, total_score numeric, notes text,
                                                         total_grade text, fund_weight numeric)
                    JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                    WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                    ORDER BY form_project[f.form - base], f.year
                    ON CONFLICT (project_id, year) DO NOTHING
                    RETURNING evaluation_id, project_id, year
                )
                SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
                INTO found_forms, found_evals
                FROM ins
                JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
                  ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;
            ELSE
                WITH ins AS (
                    INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                        actual_outcome, reported_weight_total, reported_total, notes, reported_grade,
                                                        fund_block_weight)
                    SELECT form_project[f.form - base], f.year, nullif(form_top[f.form - base], 0), coalesce(f.amount_unit, '元'),
                           f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes, f.total_grade, f.fund_weight
                    FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                         goal_actual text, total_weight numeric, total_score numeric, notes text,
                                                         total_grade text, fund_weight numeric)
                    JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                    WHERE form_eval[f.form - base] IS NULL     -- not just replaced
                    ORDER BY form_project[f.form - base], f.year
                    RETURNING evaluation_id, project_id, year
                )
                SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
                INTO found_forms, found_evals
                FROM ins
                JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
                  ON form_project[f.form - base] = ins.project_id AND f.year = ins.year;
            END IF;

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

            todo := ARRAY(SELECT base + g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
            EXIT WHEN pg_catalog.cardinality(todo) = 0;
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                    USING ERRCODE = 'serialization_failure',
                          HINT = 'Try again.';
            END IF;
        END LOOP;

        RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        -- 7. Their rows.  Amounts left blank are 0; the values of targets and
        -- actuals are read by the indicator's trigger (NULL, and flagged by the
        -- audit, where a cell does not read: the text is kept as written).
        writing_rows := true;
            INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                               reported_weight, reported_rate, reported_score, label)
            SELECT form_eval[x.form - base], x.kind, coalesce(x.initial_budget, 0),
                   coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score,
                   CASE WHEN x.kind = 'other' THEN nullif(x.source, sfs.label) END
            FROM jsonb_to_recordset(funds) AS x (form integer, line integer, source text, kind text, initial_budget numeric,
                                                 budget numeric, executed numeric, weight numeric, rate numeric, score numeric)
            LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.kind
            ORDER BY x.form, x.line;

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                               weight, reported_score, deviation_reason, band)
            SELECT form_eval[x.form - base], x.position,
                   x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                   x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
                   CASE WHEN old_bands IS NOT NULL
                        THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                            || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
            FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                level2 text, level3 text, target text, actual text,
                                                weight numeric, score numeric, explanation text);
        writing_rows := false;

        -- What the reader found worth a look, on the row of its line (an
        -- indicator, a fund row) or on the form.
        IF pg_catalog.jsonb_path_exists(forms, '$[*].findings[*]') THEN
            INSERT INTO @extschema@.read_finding (evaluation_id, line, position, source, code, detail)
            SELECT form_eval[x.form - base], x.line, i.position, fl.kind, x.code, x.detail
            FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                 AS x (form integer, line integer, code text, detail text)
            LEFT JOIN jsonb_to_recordset(inds) AS i (form integer, line integer, position integer)
              ON i.form = x.form AND i.line = x.line
            LEFT JOIN jsonb_to_recordset(funds) AS fl (form integer, line integer, kind text)
              ON fl.form = x.form AND fl.line = x.line
            ORDER BY x.form, x.line;
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;

        SELECT done_form || pg_catalog.array_agg(x.form ORDER BY x.form),
               done_line || pg_catalog.array_agg(x.line ORDER BY x.form),
               done_year || pg_catalog.array_agg(x.year ORDER BY x.form),
               done_project || pg_catalog.array_agg(form_project[x.form - base] ORDER BY x.form),
               done_code || pg_catalog.array_agg(x.project_code ORDER BY x.form),
               done_name || pg_catalog.array_agg(x.project_name ORDER BY x.form)
        INTO done_form, done_line, done_year, done_project, done_code, done_name
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, year integer, project_code text, project_name text);
    END LOOP;
    EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
        -- a cell no table can hold (step 7 of the batch that failed): say which
        IF writing_rows THEN
            PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        END IF;
        RAISE;
    END;

    -- What was read but is worth a look: a cell that began with a quote
    -- that nothing closes (copied from a PDF) was read as text.
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
END
$fn$;

-- The table a trigger of table tbl reads or writes as target, on the node
-- where it fires.  On one node (rel_name is tbl, or Citus is not there)
-- that is the table itself.
-- On a Citus cluster a trigger fires on a shard (rel_name is tbl_<shard id>)
-- inside a query Citus sent to the node that holds it, where a query on
-- another distributed or reference table is refused (a distributed query
-- from a query on a shard): it reads and writes the shards on its own node
-- instead, the co-located shard of a distributed table (the same hash
-- range) or the node's copy of a reference table.  NULL where there is none
-- (a reference table's copy has no co-located shard of a distributed table).
CREATE FUNCTION @extschema@.colocated_shard(rel_name name, tbl text, target text)
RETURNS text
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    shard bigint;
    found_shard bigint;
BEGIN
    IF rel_name OPERATOR(pg_catalog.=) tbl OR pg_catalog.to_regclass('pg_catalog.pg_dist_shard') IS NULL THEN
        RETURN pg_catalog.format('%I.%I', '@extschema@', target);
    END IF;
    IF rel_name OPERATOR(pg_catalog.!~) ('^' OPERATOR(pg_catalog.||) tbl OPERATOR(pg_catalog.||) '_[0-9]+$') THEN
        RAISE EXCEPTION '% is neither pjeval.% nor one of its Citus shards', rel_name, tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    shard := pg_catalog.substr(rel_name, pg_catalog.length(tbl) OPERATOR(pg_catalog.+) 2)::bigint;
    EXECUTE 'SELECT t.shardid
             FROM pg_catalog.pg_dist_shard s
             JOIN pg_catalog.pg_dist_shard t
               ON t.logicalrelid OPERATOR(pg_catalog.=) $2::regclass
              AND (t.shardminvalue IS NULL OR t.shardminvalue OPERATOR(pg_catalog.=) s.shardminvalue)
             WHERE s.shardid OPERATOR(pg_catalog.=) $1'
        INTO found_shard USING shard, pg_catalog.format('%I.%I', '@extschema@', target);
    IF found_shard IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.format('%I.%I', '@extschema@', target OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) found_shard);
END
$$;

COMMENT ON FUNCTION @extschema@.colocated_shard(name, text, text) IS
'For the triggers of table tbl firing on rel_name: pjeval.target itself on one node; on a Citus shard of tbl, the shard of target on the same node (co-located, or the node''s copy of a reference table), NULL where there is none';

CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- 整改 items (per project and year)
             'rectification',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history',
             -- the history of the rows of no form: stays on the coordinator
             'history_admin']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed'
                                    WHEN p.table_name = 'history_admin' THEN 'coordinator'
                                    ELSE 'reference' END AS placement) x
$$;

COMMENT ON FUNCTION @extschema@.distribution_plan() IS
'Where each pjeval table goes on a Citus cluster: distributed (by evaluation_id, co-located with evaluation), reference, or coordinator (left where it is), in the order pjeval.distribute() places them';

DROP PROCEDURE @extschema@.distribute();
CREATE PROCEDURE @extschema@.distribute(without_row_security boolean DEFAULT false)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET citus.multi_shard_modify_mode = 'sequential'
AS $$
DECLARE
    r record;
    fkeys text[] := '{}';
    placed regclass[];
    owner name;
    coordinator_known boolean;
    policies text[];
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'pjeval.distribute() needs Citus: CREATE EXTENSION citus first'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'On a single node there is nothing to distribute.';
    END IF;
    SELECT x.extowner::regrole::text::name INTO owner FROM pg_catalog.pg_extension x WHERE x.extname = 'pjeval';
    IF NOT (pg_catalog.current_setting('is_superuser') = 'on' OR pg_catalog.pg_has_role(current_user, owner, 'USAGE')) THEN
        RAISE EXCEPTION 'only a superuser or the owner of pjeval (%) may distribute its tables, not role %', owner, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE 'SELECT coalesce(pg_catalog.array_agg(logicalrelid), ''{}'') FROM pg_catalog.pg_dist_partition' INTO placed;
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_node WHERE groupid OPERATOR(pg_catalog.=) 0)' INTO coordinator_known;
    IF NOT coordinator_known THEN
        RAISE EXCEPTION 'pjeval.distribute() needs the coordinator in the cluster''s metadata'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'SELECT citus_set_coordinator_host(''<its host>'', <its port>); first: the history of units, projects, members and reviewers is kept on the coordinator (docs/scaling.md).';
    END IF;
    -- The policies Citus refuses: every one that asks is_reviewer or
    -- member_units through a scalar sub-select.  Dropped only when asked to;
    -- row-level security stays on, so without them only the roles that
    -- bypass it (superusers, BYPASSRLS) see and write the forms.
    policies := ARRAY(SELECT pg_catalog.format('DROP POLICY IF EXISTS %I ON %s', pol.polname, pol.polrelid::regclass)
                      FROM pg_catalog.pg_policy pol
                      WHERE pol.polrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                                             FROM @extschema@.distribution_plan() p
                                             WHERE p.placement <> 'coordinator')
                        AND NOT pol.polrelid = ANY (placed)
                        AND coalesce(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), '')
                            || coalesce(pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), '') ~* '\mSELECT\M'
                      ORDER BY 1);
    IF pg_catalog.cardinality(policies) > 0 AND NOT without_row_security THEN
        RAISE EXCEPTION 'pjeval.distribute(): % of pjeval''s row-level security policies ask through a sub-select, which Citus refuses on distributed and reference tables',
                pg_catalog.cardinality(policies)
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'CALL pjeval.distribute(without_row_security => true) drops them; row-level security stays on, so only roles that bypass it (superusers, BYPASSRLS) then see and write the forms (docs/scaling.md).';
    END IF;
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    FOR i IN 1 .. pg_catalog.cardinality(policies) LOOP
        EXECUTE policies[i];
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)' USING policies[i];
    END LOOP;

    -- history's rows of no form go to history_admin (once: history is then
    -- distributed, and such rows are written to history_admin)
    IF NOT '@extschema@.history'::regclass = ANY (placed) THEN
        ALTER TABLE @extschema@.history DISABLE TRIGGER history_append_only;
        WITH moved AS (DELETE FROM @extschema@.history h WHERE h.evaluation_id IS NULL RETURNING h.*)
        INSERT INTO @extschema@.history_admin SELECT * FROM moved;
        ALTER TABLE @extschema@.history ENABLE TRIGGER history_append_only;
    END IF;

    -- the foreign keys between the plan's tables, and the keys that go.  A
    -- key between two distributed tables comes back without ON UPDATE
    -- CASCADE, which Citus refuses on a key with the distribution column
    -- (review_item's to review: a review's reviewer_role is then changed
    -- only while it has no items).
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname,
                    CASE WHEN c.conrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                                             FROM @extschema@.distribution_plan() p WHERE p.placement = 'distributed')
                          AND c.confrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                                              FROM @extschema@.distribution_plan() p WHERE p.placement = 'distributed')
                         THEN pg_catalog.replace(pg_catalog.pg_get_constraintdef(c.oid), ' ON UPDATE CASCADE', '')
                         ELSE pg_catalog.pg_get_constraintdef(c.oid) END AS def
             FROM pg_catalog.pg_constraint c
             WHERE c.contype = 'f'
               AND c.conrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass FROM @extschema@.distribution_plan() p)
               AND c.confrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass FROM @extschema@.distribution_plan() p)
               AND NOT c.conrelid = ANY (placed)
             ORDER BY 1, 2
    LOOP
        fkeys := fkeys || pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.rel, r.conname, r.def);
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)'
            USING pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    END LOOP;
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname
             FROM pg_catalog.pg_constraint c
             WHERE (c.conrelid, c.conname) IN (('@extschema@.evaluation'::regclass, 'evaluation_project_year_key'),
                                               ('@extschema@.history'::regclass, 'history_pkey'))
               AND NOT c.conrelid = ANY (placed)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)'
            USING pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    END LOOP;

    -- the tables, in the plan's order
    FOR r IN SELECT ('@extschema@.' || p.table_name)::regclass AS rel, p.table_name, p.placement
             FROM @extschema@.distribution_plan() p
             WHERE NOT ('@extschema@.' || p.table_name)::regclass = ANY (placed)
               AND p.placement <> 'coordinator'
             ORDER BY p.step
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', r.rel);
        IF r.placement = 'reference' THEN
            EXECUTE 'SELECT pg_catalog.create_reference_table($1)' USING r.rel;
        ELSE
            EXECUTE 'SELECT pg_catalog.create_distributed_table($1, ''evaluation_id'', colocate_with => $2)'
                USING r.rel, CASE r.table_name WHEN 'evaluation' THEN 'none' ELSE '@extschema@.evaluation' END;
        END IF;
        EXECUTE 'SELECT pg_catalog.truncate_local_data_after_distributing_table($1)' USING r.rel;
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER USER', r.rel);
    END LOOP;

    FOR i IN 1 .. pg_catalog.cardinality(fkeys) LOOP
        EXECUTE fkeys[i];
    END LOOP;

    -- The rights granted on the tables before (GRANT INSERT, UPDATE, DELETE
    -- to the roles that enter forms, README "Who may do what") are the
    -- coordinator's alone: granted again, now that the tables are Citus
    -- tables, Citus gives them to the workers' tables and the shards too.
    FOR r IN SELECT c.oid::regclass AS rel, a.privilege_type, a.grantee, a.is_grantable
             FROM pg_catalog.pg_class c
             CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
             WHERE c.oid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                             FROM @extschema@.distribution_plan() p
                             WHERE p.placement <> 'coordinator')
               AND NOT c.oid = ANY (placed)
               AND a.grantee <> c.relowner
             ORDER BY 1, 3, 2
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON %s TO %s%s', r.privilege_type, r.rel,
                                  CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.grantee::regrole::text) END,
                                  CASE WHEN r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

COMMENT ON PROCEDURE @extschema@.distribute(boolean) IS
'On a Citus cluster: distributes pjeval''s tables as pjeval.distribution_plan() says (by evaluation_id, co-located, or reference tables), in one transaction; for a superuser or the extension''s owner. Refuses while policies with sub-selects are there, which Citus refuses; without_row_security => true drops them, leaving only roles that bypass row-level security able to see the forms (docs/scaling.md)';
REVOKE EXECUTE ON PROCEDURE @extschema@.distribute(boolean) FROM PUBLIC;

-- the distribution plan with every table of the merged sources
CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- their due dates and the projects recorded overdue (per round)
             'monitoring_due', 'monitoring_overdue',
             -- 整改 items (per project and year)
             'rectification',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history',
             -- the history of the rows of no form: stays on the coordinator
             'history_admin']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed'
                                    WHEN p.table_name = 'history_admin' THEN 'coordinator'
                                    ELSE 'reference' END AS placement) x
$$;

COMMENT ON FUNCTION @extschema@.distribution_plan() IS
'Where each pjeval table goes on a Citus cluster: distributed (by evaluation_id, co-located with evaluation), reference, or coordinator (left where it is), in the order pjeval.distribute() places them';


-- targets (issue 16, first increment): the target form (pjeval.target,
-- target_fund_line, target_indicator, target_read_finding) under the
-- self-evaluation's row-level security, workflow and history;
-- import_targets, export_targets, adjust_target, target_in_force,
-- target_finding and cycle_finding; the finding scope target.  The
-- workflow and history functions learn the form 'target'.
ALTER TABLE @extschema@.finding_catalogue DROP CONSTRAINT finding_catalogue_scope;
ALTER TABLE @extschema@.finding_catalogue ADD CONSTRAINT finding_catalogue_scope CHECK (scope IN ('indicator', 'form', 'both', 'monitor', 'review', 'target'));
ALTER TABLE @extschema@.finding_message DROP CONSTRAINT finding_message_place;
ALTER TABLE @extschema@.finding_message ADD CONSTRAINT finding_message_place CHECK (place IN ('indicator', 'fund', 'total', 'source', 'line', 'monitoring', 'monitoring_indicator', 'review_item', 'target', 'target_indicator', 'target_line', 'cycle'));

CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item',
                      'target', 'target_fund_line', 'target_indicator')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator', 'review', 'review_item' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.monitoring m
                                         JOIN @extschema@.project p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true';
        -- a target form (72_targets.sql) likewise
        WHEN 'target' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'target_fund_line', 'target_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.table_name = ''target'' AND h.row_id = t.target_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.target x
                                         JOIN @extschema@.project p ON p.project_id = x.project_id
                                         WHERE x.target_id = t.target_id OFFSET 0) p ON true';
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                                    'target', 'target_fund_line', 'target_indicator')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;


CREATE OR REPLACE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item',
                      'target', 'target_fund_line', 'target_indicator') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member', 'rectification') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$s t$q$,
        tbl, tbl || '_id', TG_RELID::regclass);
    RETURN NULL;
END
$$;


CREATE OR REPLACE FUNCTION @extschema@.evaluation_workflow()
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


CREATE OR REPLACE FUNCTION @extschema@.project_workflow()
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


CREATE OR REPLACE FUNCTION @extschema@.form_row_workflow()
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
BEGIN
    IF TG_NARGS <> 2 OR form_table NOT IN ('evaluation', 'monitoring', 'target') THEN
        RAISE EXCEPTION 'form_row_workflow() guards the rows of pjeval.evaluation, pjeval.monitoring and pjeval.target, not of %', coalesce(form_table, TG_TABLE_NAME)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN CASE WHEN TG_LEVEL = 'ROW' THEN coalesce(NEW, OLD) END;
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        -- UPDATE: the form the row is in, and the one it moves to
        ids := ARRAY[(to_jsonb(OLD) ->> key)::bigint, (to_jsonb(NEW) ->> key)::bigint];
        IF ids[1] = ids[2] THEN
            ids := ids[1:1];
        END IF;
        FOREACH id IN ARRAY ids LOOP
            IF form_table = 'evaluation' THEN
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
            IF FOUND AND st <> 'draft' THEN
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
            FROM @extschema@.%2$I e
            WHERE e.%1$I IN (SELECT r.%1$I FROM %3$s r)
            FOR SHARE OF e)
        SELECT l.id, l.status
        FROM locked l
        WHERE l.status <> 'draft'
        ORDER BY l.id
        LIMIT 1$q$,
        key, form_table, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
    INTO bad;
    IF bad.id IS NOT NULL THEN
        RAISE EXCEPTION '% % is %: its % rows are read-only', form, bad.id, bad.status, row_table
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen%s(%s);', steps, bad.id);
    END IF;
    RETURN NULL;
END
$$;


CREATE OR REPLACE FUNCTION @extschema@.set_form_status(form_table text, id bigint, from_status text[], to_status text, step text)
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


CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- 整改 items (per project and year)
             'rectification',
             -- the target forms (per project and year and version; 72_targets.sql)
             'target', 'target_fund_line', 'target_indicator', 'target_read_finding',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;


-- 72_targets.sql - the target form (项目支出绩效目标申报表, docs/targets.md):
-- the tables, its import and export, the targets in force, the
-- target-quality audit (pjeval.target_finding) and the consistency of the
-- self-evaluation with its targets (pjeval.cycle_finding).
--
-- The tables follow the monitoring report's (62_monitoring.sql) and reuse the
-- self-evaluation's machinery: the same row-level security test, the
-- workflow triggers (evaluation_workflow, form_row_workflow, set_form_status
-- know the form 'target'), the history triggers and the indicator's
-- generated typed values.  A project's targets for a year are versions: 1 is
-- the original, each 目标调整 a new version with its reason; the version in
-- force is the approved one with the highest number (pjeval.target_in_force),
-- and every version is kept.  After 70_import.sql, whose export_cell it
-- uses.

-- 项目支出绩效目标申报表: one version of a project's targets for a year.
CREATE TABLE @extschema@.target (
    target_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT target_year_range CHECK (year BETWEEN 2000 AND 2100),
    version         integer NOT NULL DEFAULT 1
                    CONSTRAINT target_version_positive CHECK (version BETWEEN 1 AND 1000),
    profile         text NOT NULL DEFAULT @extschema@.default_profile()
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE,
    budget_unit_id  bigint REFERENCES @extschema@.unit (unit_id),
    amount_unit     text NOT NULL DEFAULT '元'
                    CONSTRAINT target_amount_unit CHECK (amount_unit IN ('元', '万元')),
    attribute       text
                    CONSTRAINT target_attribute CHECK (attribute IN ('新增', '延续')),
    long_term_goal  text,
    annual_goal     text,
    adjustment_reason text
                    CONSTRAINT target_adjustment_reason_not_blank CHECK (pg_catalog.btrim(adjustment_reason) <> ''),
    requested_on    date,
    notes           text,
    status          text NOT NULL DEFAULT 'draft'
                    CONSTRAINT target_status CHECK (status IN ('draft', 'submitted', 'approved')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     name,
    CONSTRAINT target_adjustment_has_reason CHECK (version = 1 OR adjustment_reason IS NOT NULL),
    CONSTRAINT target_project_year_version_key UNIQUE (project_id, year, version)
);
CREATE INDEX target_year_idx ON @extschema@.target (year);
CREATE INDEX target_budget_unit_idx ON @extschema@.target (budget_unit_id);
CREATE INDEX target_profile_idx ON @extschema@.target (profile);

COMMENT ON TABLE @extschema@.target IS
'One version of a 项目支出绩效目标申报表: a project''s targets for a year; version 1 is the original, each 目标调整 a new version with its reason; draft, submitted or approved. pjeval.target_in_force gives the version in force';
COMMENT ON COLUMN @extschema@.target.version IS '1 the original; 2, 3, … the 目标调整 (adjustments), each with adjustment_reason';
COMMENT ON COLUMN @extschema@.target.profile IS 'The profile the form is checked by (central-2020 unless a reviewer chooses another), as for the self-evaluation; the target checks take no knobs from it yet';
COMMENT ON COLUMN @extschema@.target.budget_unit_id IS '主管部门 (一级预算单位) as written on the form';
COMMENT ON COLUMN @extschema@.target.amount_unit IS 'The unit of the fund amounts: 项目资金（元） or （万元）';
COMMENT ON COLUMN @extschema@.target.attribute IS '项目属性: 新增 or 延续';
COMMENT ON COLUMN @extschema@.target.long_term_goal IS '总体目标: 长期目标, as written';
COMMENT ON COLUMN @extschema@.target.annual_goal IS '总体目标: 年度目标, as written';
COMMENT ON COLUMN @extschema@.target.adjustment_reason IS '调整原因 of a 目标调整 (version 2 on)';
COMMENT ON COLUMN @extschema@.target.requested_on IS '申请日期 of a 目标调整';
COMMENT ON COLUMN @extschema@.target.status IS 'draft → submitted (pjeval.submit_target) → approved (pjeval.approve_target); pjeval.reopen_target returns it to draft';

-- 项目资金: one row per source, the previous year's budget and execution and
-- this year's request (大庆's layout).
CREATE TABLE @extschema@.target_fund_line (
    target_fund_line_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id       bigint NOT NULL REFERENCES @extschema@.target (target_id) ON DELETE CASCADE,
    source          text NOT NULL REFERENCES @extschema@.standard_fund_source (source),
    label           text
                    CONSTRAINT target_fund_line_label_only_other CHECK (source = 'other' OR label IS NULL)
                    CONSTRAINT target_fund_line_label_not_blank CHECK (pg_catalog.btrim(label) <> ''),
    last_year_budget numeric
                    CONSTRAINT target_fund_line_last_year_budget_amount
                    CHECK (last_year_budget >= 0 AND @extschema@.is_scorable_number(last_year_budget)),
    last_year_executed numeric
                    CONSTRAINT target_fund_line_last_year_executed_amount
                    CHECK (last_year_executed >= 0 AND @extschema@.is_scorable_number(last_year_executed)),
    requested       numeric
                    CONSTRAINT target_fund_line_requested_amount
                    CHECK (requested >= 0 AND @extschema@.is_scorable_number(requested))
);
CREATE UNIQUE INDEX target_fund_line_source_key ON @extschema@.target_fund_line (target_id, source)
    WHERE source <> 'other';
CREATE UNIQUE INDEX target_fund_line_other_key ON @extschema@.target_fund_line (target_id, (coalesce(label, '')))
    WHERE source = 'other';

COMMENT ON TABLE @extschema@.target_fund_line IS
'项目资金 of a target form, one row per source (pjeval.standard_fund_source; other sources by name): 上年度预算安排, 上年度实际执行, 本年度申请金额, in the form''s amount_unit';

-- 绩效指标: the 长期 and 年度 sets, each indicator's 指标值 as written and as
-- read (generated, as pjeval.indicator.target), 计算公式, 绩效标准 and
-- 上年度实际水平.
CREATE TABLE @extschema@.target_indicator (
    target_indicator_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id       bigint NOT NULL REFERENCES @extschema@.target (target_id) ON DELETE CASCADE,
    position        integer NOT NULL
                    CONSTRAINT target_indicator_position_positive CHECK (position >= 1),
    term            text NOT NULL DEFAULT '年度'
                    CONSTRAINT target_indicator_term CHECK (term IN ('年度', '长期')),
    level1          text NOT NULL
                    CONSTRAINT target_indicator_level1_not_blank CHECK (pg_catalog.btrim(level1) <> ''),
    level2          text NOT NULL
                    CONSTRAINT target_indicator_level2_not_blank CHECK (pg_catalog.btrim(level2) <> ''),
    level3          text NOT NULL
                    CONSTRAINT target_indicator_level3_not_blank CHECK (pg_catalog.btrim(level3) <> ''),
    target_text     text,
    target          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(target_text, ''))) STORED,
    formula         text,
    standard        text
                    CONSTRAINT target_indicator_standard CHECK (standard IN ('历史', '行业', '计划', '其他')),
    last_year_text  text,
    last_year       @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(last_year_text, ''))) STORED,
    notes           text,
    CONSTRAINT target_indicator_position_key UNIQUE (target_id, position)
);
CREATE INDEX target_indicator_level3_idx ON @extschema@.target_indicator (level3);

COMMENT ON TABLE @extschema@.target_indicator IS
'绩效指标 of a target form: term (年度 or 长期 set), levels, 指标值 (target_text as written, target as read), 计算公式 (formula), 绩效标准 (历史, 行业, 计划, 其他), 上年度实际水平 (last_year_text, last_year) and 备注';

-- Row-level security: the self-evaluation's test (60_security.sql).
ALTER TABLE @extschema@.target ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.target_fund_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.target_indicator ENABLE ROW LEVEL SECURITY;

CREATE POLICY target_unit ON @extschema@.target FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                                  WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])));

CREATE POLICY target_fund_line_unit ON @extschema@.target_fund_line FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR target_id IN (SELECT t.target_id FROM @extschema@.target t))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR target_id IN (SELECT t.target_id FROM @extschema@.target t));

CREATE POLICY target_indicator_unit ON @extschema@.target_indicator FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR target_id IN (SELECT t.target_id FROM @extschema@.target t))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR target_id IN (SELECT t.target_id FROM @extschema@.target t));

-- The workflow: the self-evaluation's triggers, with the form's table as
-- their argument.
CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.target
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow('target');

CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.target_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_fund_line');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.target_fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_fund_line');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.target_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_fund_line');
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.target_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_indicator');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.target_indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_indicator');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.target_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_indicator');

CREATE FUNCTION @extschema@.submit_target(target_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('target', $1, ARRAY['draft'], 'submitted', 'submitted')
$$;

CREATE FUNCTION @extschema@.approve_target(target_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('target', $1, ARRAY['submitted'], 'approved', 'approved')
$$;

CREATE FUNCTION @extschema@.reopen_target(target_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('target', $1, ARRAY['submitted', 'approved'], 'draft', 'reopened')
$$;

COMMENT ON FUNCTION @extschema@.submit_target(bigint) IS
'Submits a draft target form (draft → submitted); from then on it and its rows are read-only';
COMMENT ON FUNCTION @extschema@.approve_target(bigint) IS
'Approves a submitted target form (submitted → approved); reviewers only. The approved version with the highest number is the one in force';
COMMENT ON FUNCTION @extschema@.reopen_target(bigint) IS
'Returns a submitted or approved target form to draft; reviewers only';

-- History: the self-evaluation's triggers (record_history knows these tables).
CREATE INDEX history_target_idx ON @extschema@.history (row_id, history_id)
    WHERE table_name = 'target';

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.target
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.target
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.target
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.target_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_fund_line');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.target_fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_fund_line');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.target_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_fund_line');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.target_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_indicator');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.target_indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_indicator');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.target_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_indicator');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.target
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('target');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.target_fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('target_fund_line');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.target_indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('target_indicator');

-- 目标调整: a new draft version of the targets, a copy of the version in
-- force (the last approved one), with the reason; the unit edits it, submits
-- it, and once a reviewer approves it, it is in force.  The original stays.
CREATE FUNCTION @extschema@.adjust_target(target_id bigint, reason text, requested_on date DEFAULT CURRENT_DATE)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    new_id bigint;
BEGIN
    SELECT x.* INTO t FROM @extschema@.target x WHERE x.target_id = adjust_target.target_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'target form % does not exist or is not visible to role %', adjust_target.target_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    IF t.status <> 'approved' THEN
        RAISE EXCEPTION 'target form % is %: only approved targets are adjusted', t.target_id, t.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'A draft is changed in place; a submitted one is approved (pjeval.approve_target) or reopened first.';
    END IF;
    IF pg_catalog.btrim(coalesce(reason, '')) = '' THEN
        RAISE EXCEPTION 'a 目标调整 needs its reason (调整原因)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.target (project_id, year, version, budget_unit_id, amount_unit, attribute,
                                    long_term_goal, annual_goal, adjustment_reason, requested_on, notes)
    SELECT t.project_id, t.year, max(x.version) + 1, t.budget_unit_id, t.amount_unit, t.attribute,
           t.long_term_goal, t.annual_goal, reason, adjust_target.requested_on, t.notes
    FROM @extschema@.target x
    WHERE x.project_id = t.project_id AND x.year = t.year
    RETURNING target.target_id INTO new_id;
    INSERT INTO @extschema@.target_fund_line (target_id, source, label, last_year_budget, last_year_executed, requested)
    SELECT new_id, f.source, f.label, f.last_year_budget, f.last_year_executed, f.requested
    FROM @extschema@.target_fund_line f WHERE f.target_id = t.target_id ORDER BY f.target_fund_line_id;
    INSERT INTO @extschema@.target_indicator (target_id, position, term, level1, level2, level3, target_text,
                                              formula, standard, last_year_text, notes)
    SELECT new_id, i.position, i.term, i.level1, i.level2, i.level3, i.target_text,
           i.formula, i.standard, i.last_year_text, i.notes
    FROM @extschema@.target_indicator i WHERE i.target_id = t.target_id ORDER BY i.position;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION @extschema@.adjust_target(bigint, text, date) IS
'目标调整: a new draft version of an approved target form (a copy, numbered after the project''s last version of that year) with the reason and request date; change it, submit it, and once approved it is the version in force. The original is kept';

-- The targets in force: per project and year, the approved version with the
-- highest number.
CREATE VIEW @extschema@.target_in_force WITH (security_invoker = true) AS
SELECT DISTINCT ON (t.project_id, t.year)
       t.target_id, t.project_id, t.year, t.version, t.approved_at
FROM @extschema@.target t
WHERE t.status = 'approved'
ORDER BY t.project_id, t.year, t.version DESC;

COMMENT ON VIEW @extschema@.target_in_force IS
'Per project and year, the target form in force: the approved version with the highest number (a 目标调整 replaces the original once approved; both are kept)';

-- ------------------------------------------------------------------ reading

-- The rows of a tab-separated document as the form reader reads them.
CREATE FUNCTION @extschema@.document_rows(document text, OUT line integer, OUT cells text[], OUT quote_line integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'document_rows'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.document_rows(text) IS
'The rows of a tab-separated document as the form reader reads them: the row''s first line, its cells (quotes undone, white space and invisible characters trimmed, empty cells at the end dropped, at most 24) and the line of a quote read as text (NULL if none)';

CREATE FUNCTION @extschema@.fund_source_of(label text)
RETURNS text
AS 'MODULE_PATHNAME', 'fund_source_of'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.fund_source_of(text) IS
'The fund source a row label names, as the form reader reads it: total (资金总额, 合计, …), appropriation (财政拨款, …), carryover (上年结转资金, …), other (其他资金, …); NULL for a label that names none';

-- A cell as a label: no white space, '*' or colon, full-width brackets
-- folded (项目资金（元） and 项目资金 (元) are one label).
CREATE FUNCTION @extschema@.target_label(cell text)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.translate(pg_catalog.regexp_replace($1, '[[:space:]　*＊:：]+', '', 'g'), '（）', '()')
$$;

-- The target forms of a document as a jsonb array, one object per form:
-- line, the header (project_code, project_name, year, unit, top_unit,
-- attribute, version, adjustment_reason, requested_on), amount_unit, the
-- goals, notes, funds[] {line, source, label, last_year_budget,
-- last_year_executed, requested}, indicators[] {line, position, term,
-- level1, level2, level3, target_text, formula, standard, last_year_text,
-- notes} and findings[] {line, code}.  Layout in docs/targets.md.  A form
-- that cannot be read raises 22P02 naming the line, the line's text and
-- what was expected.
CREATE FUNCTION @extschema@.read_targets(document text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record;
    forms jsonb := '[]';
    f jsonb;                -- the form being read
    funds jsonb;
    inds jsonb;
    findings jsonb;
    section text := 'none';
    cols jsonb;             -- header label -> 1-based column of the section's table
    lab text;
    c text;
    v text;
    i integer;
    l1 text;
    l2 text;
    term text;
    pos integer;
    fund_label text;
    src text;
    amounts numeric[];
    header_labels CONSTANT jsonb := '{"项目编号": "project_code", "项目代码": "project_code", "项目名称": "project_name",
        "申报年度": "year", "年度": "year", "实施单位": "unit", "主管部门": "top_unit", "一级预算单位": "top_unit",
        "项目属性": "attribute", "目标版本": "version", "调整原因": "adjustment_reason", "申请日期": "requested_on"}';
    fund_words CONSTANT text[] := ARRAY['上年度预算安排', '上年度实际执行', '本年度申请金额'];
    ind_words CONSTANT jsonb := '{"期限": "term", "指标期限": "term", "一级指标": "level1", "二级指标": "level2",
        "三级指标": "level3", "指标内容": "level3", "指标值": "target_text", "本年度计划水平": "target_text",
        "计算公式": "formula", "绩效标准": "standard", "上年度实际水平": "last_year_text", "备注": "notes"}';
BEGIN
    FOR r IN SELECT d.line, d.cells, d.quote_line FROM @extschema@.document_rows(document) d ORDER BY d.line LOOP
        CONTINUE WHEN pg_catalog.cardinality(r.cells) = 0;
        lab := @extschema@.target_label(coalesce(r.cells[1], ''));
        -- a title begins a form
        IF lab LIKE '%项目支出绩效目标申报表%' THEN
            IF f IS NOT NULL THEN
                forms := forms || pg_catalog.jsonb_build_array(@extschema@.target_form_end(document, f, funds, inds, findings));
            END IF;
            f := pg_catalog.jsonb_build_object('form', pg_catalog.jsonb_array_length(forms) + 1, 'line', r.line, 'amount_unit', '元');
            funds := '[]'; inds := '[]'; findings := '[]';
            section := 'header';
            CONTINUE;
        END IF;
        IF f IS NULL THEN
            RAISE EXCEPTION 'the document has no target form before line %', r.line
                USING ERRCODE = 'invalid_text_representation',
                      DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                      HINT = 'A target form begins with the title 项目支出绩效目标申报表 on a line of its own.';
        END IF;
        IF r.quote_line IS NOT NULL THEN
            findings := findings || pg_catalog.jsonb_build_object('line', r.quote_line, 'code', 'unclosed_quote');
        END IF;
        -- section heads
        IF lab ~ '^项目资金\((万?元)\)' THEN
            section := 'funds';
            f := f || pg_catalog.jsonb_build_object('amount_unit', CASE WHEN lab LIKE '项目资金(万元)%' THEN '万元' ELSE '元' END);
            cols := '{}';
            FOR i IN 2 .. pg_catalog.cardinality(r.cells) LOOP
                c := @extschema@.target_label(r.cells[i]);
                IF c = ANY (fund_words) THEN
                    cols := cols || pg_catalog.jsonb_build_object(c, i);
                END IF;
            END LOOP;
            IF NOT cols ?& fund_words THEN
                RAISE EXCEPTION 'target form %: the funds'' header at line % lacks a column', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'The header of 项目资金 names the columns 上年度预算安排, 上年度实际执行 and 本年度申请金额.';
            END IF;
            CONTINUE;
        ELSIF lab = '总体目标' THEN
            section := 'goals';
            cols := '{}';
            FOR i IN 2 .. pg_catalog.cardinality(r.cells) LOOP
                c := @extschema@.target_label(r.cells[i]);
                IF c IN ('长期目标', '年度目标') THEN
                    cols := cols || pg_catalog.jsonb_build_object(c, i);
                END IF;
            END LOOP;
            CONTINUE;
        ELSIF lab IN ('绩效指标', '年度绩效指标', '绩效目标指标') THEN
            section := 'indicators';
            cols := '{}';
            FOR i IN 2 .. pg_catalog.cardinality(r.cells) LOOP
                c := ind_words ->> @extschema@.target_label(r.cells[i]);
                IF c IS NOT NULL AND NOT cols ? c THEN
                    cols := cols || pg_catalog.jsonb_build_object(c, i);
                END IF;
            END LOOP;
            IF NOT cols ?& ARRAY['level1', 'level2', 'level3', 'target_text'] THEN
                RAISE EXCEPTION 'target form %: the indicators'' header at line % lacks a column', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'The header of 绩效指标 names at least 一级指标, 二级指标, 三级指标 and 指标值.';
            END IF;
            l1 := NULL; l2 := NULL; term := '年度'; pos := 0;
            CONTINUE;
        ELSIF lab LIKE '备注%' THEN
            section := 'notes';
            v := pg_catalog.array_to_string(r.cells[2:], E'\n');
            IF pg_catalog.length(lab) > 2 THEN      -- 备注：text in one cell
                v := pg_catalog.concat_ws(E'\n', pg_catalog.regexp_replace(r.cells[1], '^\s*备注\s*[:：]?\s*', ''), nullif(v, ''));
            END IF;
            f := f || pg_catalog.jsonb_build_object('notes', nullif(v, ''));
            CONTINUE;
        END IF;

        IF section = 'header' THEN
            -- a header row names its fields (label: value); one of the
            -- form's other labels (项目负责人:, 联系电话:) is passed over, a
            -- row that is neither is out of place
            IF NOT EXISTS (SELECT FROM pg_catalog.unnest(r.cells) x WHERE header_labels ? @extschema@.target_label(x))
               AND r.cells[1] !~ '[:：]$' THEN
                RAISE EXCEPTION 'target form %: line % is not a header row', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'Under the title come the header rows (项目编号:, 项目名称:, 申报年度:, 实施单位:, 主管部门:, 项目属性:, each label followed by its value), then the sections 项目资金（元）, 总体目标 and 绩效指标, each with its header row.';
            END IF;
            i := 1;
            WHILE i <= pg_catalog.cardinality(r.cells) LOOP
                c := header_labels ->> @extschema@.target_label(r.cells[i]);
                IF c IS NOT NULL THEN
                    v := nullif(r.cells[i + 1], '');
                    IF c = 'year' AND v !~ '^\d{4}$' THEN
                        RAISE EXCEPTION 'target form %: 申报年度 at line % is not a year: %', f->>'form', r.line, coalesce(v, '(empty)')
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = 'Write the year in four digits: 申报年度: 2023.';
                    ELSIF c = 'version' AND v !~ '^\d{1,4}$' THEN
                        RAISE EXCEPTION 'target form %: 目标版本 at line % is not a number: %', f->>'form', r.line, coalesce(v, '(empty)')
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = '目标版本 is 1 for the original targets, 2, 3, … for each 目标调整.';
                    ELSIF c = 'attribute' AND v NOT IN ('新增', '延续') THEN
                        RAISE EXCEPTION 'target form %: 项目属性 at line % is %, not 新增 or 延续', f->>'form', r.line, pg_catalog.quote_literal(v)
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = '项目属性 is 新增 (a new project) or 延续 (continued from last year).';
                    ELSIF c = 'requested_on' AND v IS NOT NULL AND v !~ '^\d{4}-\d{2}-\d{2}$' THEN
                        RAISE EXCEPTION 'target form %: 申请日期 at line % is not a date: %', f->>'form', r.line, v
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = 'Write the date as 2023-06-15.';
                    END IF;
                    f := f || pg_catalog.jsonb_build_object(c, v);
                    i := i + 2;
                ELSE
                    i := i + 1;
                END IF;
            END LOOP;
        ELSIF section = 'funds' THEN
            fund_label := pg_catalog.regexp_replace(coalesce(nullif(r.cells[2], ''), r.cells[1]), '^\s*其中\s*[:：]?\s*', '');
            CONTINUE WHEN coalesce(fund_label, '') = '';
            src := @extschema@.fund_source_of(fund_label);
            amounts := '{}';
            FOREACH c IN ARRAY fund_words LOOP
                v := pg_catalog.replace(nullif(r.cells[(cols ->> c)::integer], ''), ',', '');
                IF v IN ('—', '-', '/') THEN
                    v := NULL;
                END IF;
                IF v !~ '^\d{1,18}(\.\d{1,18})?$' THEN
                    RAISE EXCEPTION 'target form %: % of “%” at line % is not an amount: %', f->>'form', c, fund_label, r.line, v
                        USING ERRCODE = 'invalid_text_representation',
                              DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                              HINT = 'Amounts are plain numbers in the form''s unit (元 or 万元): 4800000.00, 1,821,100; — or empty for none.';
                END IF;
                amounts := amounts || v::numeric;
            END LOOP;
            funds := funds || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                'line', r.line, 'source', coalesce(src, 'other'),
                'label', CASE WHEN coalesce(src, 'other') = 'other' THEN fund_label END,
                'last_year_budget', amounts[1], 'last_year_executed', amounts[2], 'requested', amounts[3]));
        ELSIF section = 'goals' THEN
            f := f || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'long_term_goal', nullif(r.cells[(cols ->> '长期目标')::integer], ''),
                'annual_goal', nullif(r.cells[(cols ->> '年度目标')::integer], '')));
        ELSIF section = 'indicators' THEN
            -- levels and the term repeat from the row above when left blank
            term := coalesce(nullif(r.cells[(cols ->> 'term')::integer], ''), term);
            l1 := coalesce(nullif(r.cells[(cols ->> 'level1')::integer], ''), l1);
            l2 := coalesce(nullif(r.cells[(cols ->> 'level2')::integer], ''), l2);
            c := nullif(r.cells[(cols ->> 'level3')::integer], '');
            IF term NOT IN ('年度', '长期') THEN
                RAISE EXCEPTION 'target form %: the term at line % is %, not 年度 or 长期', f->>'form', r.line, pg_catalog.quote_literal(term)
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = '期限 says which set an indicator belongs to: 年度 (this year) or 长期 (the project''s whole term).';
            END IF;
            IF c IS NULL THEN
                CONTINUE WHEN coalesce(nullif(r.cells[(cols ->> 'target_text')::integer], ''),
                                       nullif(r.cells[(cols ->> 'formula')::integer], '')) IS NULL;
                RAISE EXCEPTION 'target form %: the indicator at line % has no 三级指标', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'Every indicator row names its 三级指标 (指标内容).';
            END IF;
            IF l1 IS NULL OR l2 IS NULL THEN
                RAISE EXCEPTION 'target form %: the indicator “%” at line % has no %', f->>'form', c, r.line,
                        CASE WHEN l1 IS NULL THEN '一级指标' ELSE '二级指标' END
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'Write the 一级指标 and 二级指标 on the first row of each block; rows below may leave them blank.';
            END IF;
            v := nullif(r.cells[(cols ->> 'standard')::integer], '');
            v := CASE WHEN v IS NULL THEN NULL WHEN v ~ '^(历史|行业|计划|其他)(标准)?$' THEN pg_catalog.left(v, 2) ELSE v END;
            IF v NOT IN ('历史', '行业', '计划', '其他') THEN
                RAISE EXCEPTION 'target form %: 绩效标准 at line % is %', f->>'form', r.line, pg_catalog.quote_literal(v)
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = '绩效标准 is 历史, 行业, 计划 or 其他 (标准).';
            END IF;
            pos := pos + 1;
            inds := inds || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                'line', r.line, 'position', pos, 'term', term, 'level1', l1, 'level2', l2, 'level3', c,
                'target_text', nullif(r.cells[(cols ->> 'target_text')::integer], ''),
                'formula', nullif(r.cells[(cols ->> 'formula')::integer], ''),
                'standard', v,
                'last_year_text', nullif(r.cells[(cols ->> 'last_year_text')::integer], ''),
                'notes', nullif(r.cells[(cols ->> 'notes')::integer], '')));
        ELSIF section = 'notes' THEN
            f := f || pg_catalog.jsonb_build_object('notes',
                     pg_catalog.concat_ws(E'\n', f->>'notes', pg_catalog.array_to_string(r.cells, E'\t')));
        END IF;
    END LOOP;
    IF f IS NULL THEN
        RAISE EXCEPTION 'the document holds no target form'
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'A target form begins with the title 项目支出绩效目标申报表 on a line of its own.';
    END IF;
    RETURN forms || pg_catalog.jsonb_build_array(@extschema@.target_form_end(document, f, funds, inds, findings));
END
$fn$;

COMMENT ON FUNCTION @extschema@.read_targets(text) IS
'Reads every 项目支出绩效目标申报表 of a tab-separated document into a jsonb array: per form its header, amount unit, goals, notes, funds[], indicators[] and findings[] (cells as written, amounts as numbers). A form that cannot be read raises 22P02 naming the form, the line and what was expected';

-- A form read to its end: what it must have (项目名称, 申报年度, a unit).
CREATE FUNCTION @extschema@.target_form_end(document text, f jsonb, funds jsonb, inds jsonb, findings jsonb)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF f->>'project_name' IS NULL OR f->>'year' IS NULL OR coalesce(f->>'unit', f->>'top_unit') IS NULL THEN
        RAISE EXCEPTION 'target form % (line %) lacks %', f->>'form', f->>'line',
                CASE WHEN f->>'project_name' IS NULL THEN '项目名称' WHEN f->>'year' IS NULL THEN '申报年度'
                     ELSE '实施单位 or 主管部门' END
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = pg_catalog.format('line %s: %s', f->>'line', @extschema@.document_line(document, (f->>'line')::integer)),
                  HINT = 'The header under the title gives 项目编号, 项目名称, 申报年度, 实施单位, 主管部门 and 项目属性, each label followed by its value.';
    END IF;
    IF coalesce((f->>'version')::integer, 1) > 1 AND f->>'adjustment_reason' IS NULL THEN
        RAISE EXCEPTION 'target form % (line %): 目标版本 % needs its 调整原因', f->>'form', f->>'line', f->>'version'
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = pg_catalog.format('line %s: %s', f->>'line', @extschema@.document_line(document, (f->>'line')::integer)),
                  HINT = 'A 目标调整 (version 2 on) states its reason: 调整原因: … beside 目标版本.';
    END IF;
    RETURN f || pg_catalog.jsonb_build_object('funds', funds, 'indicators', inds, 'findings', findings);
END
$$;

-- What the reader noticed on a stored form (findings that never stop an
-- import): its line and code.
CREATE TABLE @extschema@.target_read_finding (
    target_id       bigint NOT NULL REFERENCES @extschema@.target (target_id) ON DELETE CASCADE,
    line            integer NOT NULL,
    code            text NOT NULL,
    PRIMARY KEY (target_id, line, code)
);

COMMENT ON TABLE @extschema@.target_read_finding IS
'What the reader noticed when a target form was imported (unclosed_quote: a quote read as text), by document line';

ALTER TABLE @extschema@.target_read_finding ENABLE ROW LEVEL SECURITY;
CREATE POLICY target_read_finding_unit ON @extschema@.target_read_finding FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR target_id IN (SELECT t.target_id FROM @extschema@.target t))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR target_id IN (SELECT t.target_id FROM @extschema@.target t));

-- import_targets(document, on_conflict): the target forms of a document
-- into rows, all or nothing, returning the target ids in the document's
-- order.  Units and projects are found (or created) as import_forms finds
-- them.  A project and year already stored: 'error' refuses (23505),
-- 'replace' replaces its last version (a draft; the history keeps the old
-- rows), 'adjust' adds the form as the next version (a 目标调整, with its
-- 调整原因).  With the caller's rights: row-level security and the workflow
-- decide what it may write.
CREATE FUNCTION @extschema@.import_targets(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f jsonb;
    top_id bigint;
    unit_ref bigint;
    proj_id bigint;
    prev record;
    ver integer;
    new_id bigint;
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace', 'adjust') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'', ''replace'' or ''adjust'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces its last version (a draft); ''adjust'' adds the form as the next version (目标调整).';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;
    FOR f IN SELECT x FROM pg_catalog.jsonb_array_elements(@extschema@.read_targets(document)) x LOOP
        -- units: 主管部门 at the top level, 实施单位 under it
        top_id := NULL;
        IF f->>'top_unit' IS NOT NULL THEN
            SELECT u.unit_id INTO top_id FROM @extschema@.unit u
            WHERE u.name = f->>'top_unit' ORDER BY u.parent_id IS NOT NULL, u.unit_id LIMIT 1;
            IF top_id IS NULL THEN
                INSERT INTO @extschema@.unit (name) VALUES (f->>'top_unit')
                ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                SELECT u.unit_id INTO top_id FROM @extschema@.unit u WHERE u.name = f->>'top_unit' AND u.parent_id IS NULL;
            END IF;
        END IF;
        unit_ref := top_id;
        IF f->>'unit' IS NOT NULL AND f->>'unit' IS DISTINCT FROM f->>'top_unit' THEN
            SELECT u.unit_id INTO unit_ref FROM @extschema@.unit u
            WHERE u.name = f->>'unit'
            ORDER BY u.parent_id IS NOT DISTINCT FROM top_id DESC, u.parent_id IS NOT NULL, u.unit_id LIMIT 1;
            IF unit_ref IS NULL THEN
                IF top_id IS NULL THEN
                    INSERT INTO @extschema@.unit (name) VALUES (f->>'unit')
                    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                ELSE
                    INSERT INTO @extschema@.unit (name, parent_id) VALUES (f->>'unit', top_id)
                    ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;
                END IF;
                SELECT u.unit_id INTO unit_ref FROM @extschema@.unit u
                WHERE u.name = f->>'unit' AND u.parent_id IS NOT DISTINCT FROM top_id;
            END IF;
        END IF;
        -- the project: by 项目编号, else by name within the unit
        proj_id := NULL;
        IF f->>'project_code' IS NOT NULL THEN
            SELECT p.project_id INTO proj_id FROM @extschema@.project p WHERE p.code = f->>'project_code';
        ELSE
            SELECT p.project_id INTO proj_id FROM @extschema@.project p
            WHERE p.code IS NULL AND p.unit_id = unit_ref AND p.name = f->>'project_name';
        END IF;
        IF proj_id IS NULL THEN
            INSERT INTO @extschema@.project (code, name, unit_id)
            VALUES (f->>'project_code', f->>'project_name', unit_ref)
            RETURNING project.project_id INTO proj_id;
        END IF;
        -- the version
        SELECT t.target_id, t.version, t.status INTO prev
        FROM @extschema@.target t
        WHERE t.project_id = proj_id AND t.year = (f->>'year')::integer
        ORDER BY t.version DESC LIMIT 1
        FOR UPDATE;
        ver := coalesce((f->>'version')::integer, 1);
        IF prev.target_id IS NOT NULL THEN
            IF on_conflict = 'error' THEN
                RAISE EXCEPTION 'project % “%” already has target form % (version %) for %',
                        coalesce(f->>'project_code', '(no 项目编号)'), f->>'project_name', prev.target_id, prev.version, f->>'year'
                    USING ERRCODE = 'unique_violation',
                          HINT = 'on_conflict => ''replace'' replaces its last version (a draft); ''adjust'' adds the form as a 目标调整.';
            ELSIF on_conflict = 'replace' THEN
                DELETE FROM @extschema@.target t WHERE t.target_id = prev.target_id;
                ver := prev.version;
            ELSE
                ver := prev.version + 1;
                IF f->>'adjustment_reason' IS NULL THEN
                    RAISE EXCEPTION 'target form % (line %): a 目标调整 needs its 调整原因', f->>'form', f->>'line'
                        USING ERRCODE = 'invalid_text_representation',
                              DETAIL = pg_catalog.format('line %s: %s', f->>'line', @extschema@.document_line(document, (f->>'line')::integer)),
                              HINT = 'Write 调整原因: … in the header of the adjusted form.';
                END IF;
            END IF;
        END IF;
        INSERT INTO @extschema@.target (project_id, year, version, budget_unit_id, amount_unit, attribute,
                                        long_term_goal, annual_goal, adjustment_reason, requested_on, notes)
        VALUES (proj_id, (f->>'year')::integer, ver, top_id, f->>'amount_unit', f->>'attribute',
                f->>'long_term_goal', f->>'annual_goal', CASE WHEN ver > 1 THEN f->>'adjustment_reason' END,
                (f->>'requested_on')::date, f->>'notes')
        RETURNING target.target_id INTO new_id;
        INSERT INTO @extschema@.target_fund_line (target_id, source, label, last_year_budget, last_year_executed, requested)
        SELECT new_id, x.source, x.label, x.last_year_budget, x.last_year_executed, x.requested
        FROM pg_catalog.jsonb_to_recordset(f->'funds')
             AS x (line integer, source text, label text, last_year_budget numeric, last_year_executed numeric, requested numeric)
        ORDER BY x.line;
        INSERT INTO @extschema@.target_indicator (target_id, position, term, level1, level2, level3, target_text,
                                                  formula, standard, last_year_text, notes)
        SELECT new_id, x.position, x.term, x.level1, x.level2, x.level3, x.target_text,
               x.formula, x.standard, x.last_year_text, x.notes
        FROM pg_catalog.jsonb_to_recordset(f->'indicators')
             AS x (position integer, term text, level1 text, level2 text, level3 text, target_text text,
                   formula text, standard text, last_year_text text, notes text)
        ORDER BY x.position;
        INSERT INTO @extschema@.target_read_finding (target_id, line, code)
        SELECT DISTINCT new_id, x.line, x.code
        FROM pg_catalog.jsonb_to_recordset(f->'findings') AS x (line integer, code text);
        RETURN NEXT new_id;
    END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.import_targets(text, text) IS
'Imports the 项目支出绩效目标申报表 forms of a tab-separated document, all or nothing, and returns their target ids in order. A form that cannot be read raises 22P02 with its line. A project and year already stored: on_conflict ''error'' (23505), ''replace'' (its last version, a draft), ''adjust'' (the next version, a 目标调整 with its 调整原因)';

-- One stored target form as the text import_targets reads back to the same
-- rows.  'text' only for now.
CREATE FUNCTION @extschema@.export_targets(id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    doc text[];
BEGIN
    IF format IS DISTINCT FROM 'text' THEN
        RAISE EXCEPTION 'export_targets() writes the format ''text'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT x.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, b.name AS top_name
    INTO t
    FROM @extschema@.target x
    JOIN @extschema@.project p ON p.project_id = x.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit b ON b.unit_id = x.budget_unit_id
    WHERE x.target_id = id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'target form % does not exist or is not visible to role %', id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    doc := ARRAY['项目支出绩效目标申报表', '',
        pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(t.project_code), '项目名称:', @extschema@.export_cell(t.project_name),
                             '申报年度:', t.year::text),
        pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(t.unit_name), '主管部门:', @extschema@.export_cell(t.top_name),
                             '项目属性:', coalesce(t.attribute, ''))];
    IF t.version > 1 THEN
        doc := doc || pg_catalog.concat_ws(E'\t', '目标版本:', t.version::text, '调整原因:', @extschema@.export_cell(t.adjustment_reason),
                                           '申请日期:', coalesce(pg_catalog.to_char(t.requested_on, 'YYYY-MM-DD'), ''));
    END IF;
    doc := doc || ARRAY['', '项目资金（' || t.amount_unit || '）' || E'\t资金来源\t上年度预算安排\t上年度实际执行\t本年度申请金额']
               || ARRAY(SELECT pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(coalesce(f.label, s.label)),
                                                    coalesce(f.last_year_budget::text, '—'), coalesce(f.last_year_executed::text, '—'),
                                                    coalesce(f.requested::text, '—'))
                        FROM @extschema@.target_fund_line f
                        JOIN @extschema@.standard_fund_source s ON s.source = f.source
                        WHERE f.target_id = id
                        ORDER BY s.position, f.label)
               || ARRAY['', E'总体目标\t长期目标\t年度目标',
                        pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(coalesce(t.long_term_goal, '')),
                                             @extschema@.export_cell(coalesce(t.annual_goal, ''))),
                        '', E'绩效指标\t期限\t一级指标\t二级指标\t三级指标\t指标值\t计算公式\t绩效标准\t上年度实际水平\t备注']
               || ARRAY(SELECT pg_catalog.concat_ws(E'\t', '', i.term, @extschema@.export_cell(i.level1), @extschema@.export_cell(i.level2),
                                                    @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                                                    @extschema@.export_cell(i.formula), coalesce(i.standard, ''),
                                                    @extschema@.export_cell(i.last_year_text), @extschema@.export_cell(i.notes))
                        FROM @extschema@.target_indicator i
                        WHERE i.target_id = id
                        ORDER BY i.position)
               || ARRAY['', E'备注：\t' || @extschema@.export_cell(coalesce(t.notes, ''))];
    RETURN pg_catalog.array_to_string(doc, E'\n') || E'\n';
END
$$;

COMMENT ON FUNCTION @extschema@.export_targets(bigint, text) IS
'One stored target form as tab-separated text in the layout import_targets reads (format ''text''), which reads it back to the same rows';

-- Daily use: PUBLIC reads (the policies decide what); writing is granted by
-- the administrator, as for the self-evaluation tables.
GRANT SELECT ON @extschema@.target, @extschema@.target_fund_line, @extschema@.target_indicator,
                @extschema@.target_read_finding, @extschema@.target_in_force TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.target', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_fund_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_read_finding', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_target_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_fund_line_target_fund_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_indicator_target_indicator_id_seq', '');

-- ---------------------------------------------------------------- findings

-- The target-quality checks (performance-cycle §5.2, docs/targets.md) and
-- the self-evaluation's consistency with its targets (§5.4): their codes
-- (scope target) and messages are rows of finding_catalogue and
-- finding_message, whose arguments are
--   target            1 项目编号, 2 项目名称, 3 year, 4 version, 5 the 年度
--                     indicators that apply (not 不适用)
--   target_indicator  1 三级指标, 2 指标值, 3 一级指标, 4 二级指标, 5 计算公式,
--                     6 the other project's 项目编号 (or name), 7 its unit,
--                     8 last year's actual (of the clause), 9 last year, 10 the
--                     clause's label in brackets, 11 this year's target (of the clause)
--   target_line       1 the document's line
--   cycle             1 项目编号, 2 项目名称, 3 year, 4 三级指标, 5 the
--                     self-evaluation's 年度指标值, 6 the target in force,
--                     7 its version
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('target_too_few', 'target', 'warning', '年度绩效指标中的三级指标少于 3 个', 'fewer than 3 三级指标 in the 年度 set'),
    ('target_formula_missing', 'target', 'warning', '定量指标未填写计算公式', 'a quantitative indicator has no 计算公式'),
    ('target_cost_at_least', 'target', 'warning', '成本指标使用“≥”或“>”，应为“≤”或“=”', 'a cost indicator is written ≥ or >: it should be ≤, or = for a fixed quota'),
    ('target_bare_percentage', 'target', 'warning', '效益指标仅为百分比，无计算公式或数据来源（形式上定量、实质上定性）', 'a benefit indicator is a bare percentage with no 计算公式 or data source'),
    ('target_satisfaction_unmeasured', 'target', 'warning', '满意度指标无调查依据或以投诉代替', 'a 满意度 indicator has no survey basis, or rests on complaints'),
    ('target_copied', 'target', 'info', '与其他单位项目的指标名称和指标值相同，可能照搬', 'the same indicator name and value appear on another unit''s project the same year: perhaps copied'),
    ('target_input_as_output', 'target', 'warning', '以资金、人员等投入作为产出目标', 'an input (money, staff, funding) is used as an output target'),
    ('target_below_last_year', 'target', 'warning', '本年目标低于上年实际完成值（pjeval 规则：请复核目标是否偏低）', 'this year''s target is below last year''s actual (pjeval''s rule: review whether the target is too low)'),
    ('evaluation_target_changed', 'target', 'error', '自评表的年度指标值与批复（调整）后的绩效目标不一致', 'the self-evaluation''s 年度指标值 differs from the approved (or adjusted) target in force'),
    ('evaluation_target_unmatched', 'target', 'warning', '自评表的指标在批复的绩效目标中找不到', 'an indicator of the self-evaluation is not among the approved targets'),
    ('evaluation_without_target', 'target', 'warning', '该年度已有绩效目标，本项目却没有批复的绩效目标申报表', 'targets exist for the year, but this project has no approved target form');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('target_too_few', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）年度三级指标仅 %5$s 个，至少应有 3 个', 'project %1$s "%2$s", %3$s targets (version %4$s): only %5$s 年度 三级指标, at least 3 are needed'),
    ('target_formula_missing', 'target_indicator', '“%1$s”（%2$s）为定量指标，未填写计算公式', '"%1$s" (%2$s) is quantitative but has no 计算公式'),
    ('target_cost_at_least', 'target_indicator', '成本指标“%1$s”写作 %2$s：成本应以“≤”控制，定额用“=”', 'cost indicator "%1$s" is written %2$s: a cost is capped with ≤, a fixed quota written ='),
    ('target_bare_percentage', 'target_indicator', '效益指标“%1$s”仅为 %2$s，无计算公式或数据来源，不具考核性', 'benefit indicator "%1$s" is only %2$s, with no 计算公式 or data source: it cannot be assessed'),
    ('target_satisfaction_unmeasured', 'target_indicator', '满意度指标“%1$s”（%2$s）未说明调查方式或样本，或以投诉代替满意度（计算公式：%5$s）', 'satisfaction indicator "%1$s" (%2$s) names no survey or sample, or rests on complaints (计算公式: %5$s)'),
    ('target_copied', 'target_indicator', '“%1$s”（%2$s）与其他单位“%7$s”的项目 %6$s 完全相同，请核实是否照搬', '"%1$s" (%2$s) is exactly as on project %6$s of another unit, "%7$s": check whether it was copied'),
    ('target_input_as_output', 'target_indicator', '“%1$s”（%2$s）在%3$s/%4$s下，是资金、人员等投入而非产出', '"%1$s" (%2$s) under %3$s/%4$s is an input (money, staff), not an output'),
    ('target_below_last_year', 'target_indicator', '“%1$s”%10$s本年目标 %11$s 低于（或宽于）%9$s 年实际完成值 %8$s：请复核目标是否偏低（pjeval 规则，非财政部规定）', '"%1$s"%10$s: this year''s target %11$s is below (or looser than) the actual of %9$s, %8$s: review whether the target is too low (pjeval''s rule, not a 财政部 threshold)'),
    ('unclosed_quote', 'target_line', '第 %1$s 行有一个单元格以引号开头而没有引号闭合，已按文字读入：请核对该行是否完整', 'line %1$s: a cell begins with a quote that nothing closes and was read as text: check that the row is whole'),
    ('evaluation_target_changed', 'cycle', '项目 %1$s“%2$s” %3$s 年自评表“%4$s”的年度指标值 %5$s 与批复的绩效目标（第 %7$s 版）%6$s 不一致', 'project %1$s "%2$s", %3$s: the self-evaluation''s 年度指标值 of "%4$s", %5$s, differs from the approved target (version %7$s), %6$s'),
    ('evaluation_target_unmatched', 'cycle', '项目 %1$s“%2$s” %3$s 年自评表的指标“%4$s”（%5$s）不在批复的绩效目标（第 %7$s 版）中', 'project %1$s "%2$s", %3$s: the self-evaluation''s indicator "%4$s" (%5$s) is not among the approved targets (version %7$s)'),
    ('evaluation_without_target', 'cycle', '项目 %1$s“%2$s” %3$s 年已有其他项目的绩效目标，本项目却没有批复的绩效目标申报表', 'project %1$s "%2$s", %3$s: targets exist for the year, but this project has no approved target form');

-- The target indicators with their levels classified by the standard
-- (pjeval.standard_level) and their name as matched across forms and years
-- (white space dropped).
CREATE VIEW @extschema@.target_indicator_class WITH (security_invoker = true) AS
SELECT ti.target_indicator_id,
       ti.target_id,
       ti.position,
       ti.term,
       ti.level1,
       ti.level2,
       ti.level3,
       ti.target_text,
       ti.target,
       ti.formula,
       ti.notes,
       ti.last_year,
       pg_catalog.regexp_replace(ti.level3, '[[:space:]　]+', '', 'g') AS name_key,
       coalesce(l1.kind, l2.kind) AS kind,
       (l1.kind = 'cost' OR l2.kind = 'cost' OR l2.name = '成本指标') IS TRUE AS is_cost,
       @extschema@.kind(ti.target) AS value_kind,
       pg_catalog.btrim(coalesce(ti.formula, '')) = '' AS no_formula
FROM @extschema@.target_indicator ti
LEFT JOIN @extschema@.standard_level l1 ON l1.level = 1 AND l1.name = @extschema@.indicator_level_name(ti.level1)
LEFT JOIN @extschema@.standard_level l2 ON l2.level = 2 AND l2.name = @extschema@.indicator_level_name(ti.level2);

COMMENT ON VIEW @extschema@.target_indicator_class IS
'Each target indicator with what the checks need: name_key (三级指标 without white space, how indicators match across forms and years), kind (output, benefit, satisfaction, cost: the standard level 1 its levels name), is_cost (成本指标 at either level), value_kind (pjeval.kind of 指标值) and no_formula';

-- One row per target-quality finding on a target form the caller may see:
-- the form, the indicator's position (NULL for the whole form), code,
-- severity and the messages.  The same shape as pjeval.audit_finding.
CREATE VIEW @extschema@.target_finding WITH (security_invoker = true) AS
SELECT t.target_id,
       NULL::integer AS position,
       'target_too_few'::text AS code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.target t
JOIN @extschema@.project p ON p.project_id = t.project_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS n
    FROM @extschema@.target_indicator ti
    WHERE ti.target_id = t.target_id AND ti.term = '年度' AND NOT @extschema@.is_not_applicable(ti.target) IS TRUE
) c
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_too_few'
JOIN @extschema@.finding_message fm ON fm.code = 'target_too_few' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, c.n::text] AS args
) a
WHERE c.n < 3
UNION ALL
SELECT i.target_id,
       i.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_indicator_class i
JOIN @extschema@.target t ON t.target_id = i.target_id
-- T7: the same name and value on another unit's project the same year
LEFT JOIN LATERAL (
    SELECT coalesce(op.code, op.name) AS project, ou.name AS unit
    FROM @extschema@.target_indicator oi
    JOIN @extschema@.target ot ON ot.target_id = oi.target_id
    JOIN @extschema@.project op ON op.project_id = ot.project_id
    JOIN @extschema@.unit ou ON ou.unit_id = op.unit_id
    WHERE i.value_kind = 'quantity'
      AND oi.level3 = i.level3 AND oi.target = i.target AND ot.year = t.year
      AND op.unit_id <> (SELECT p.unit_id FROM @extschema@.project p WHERE p.project_id = t.project_id)
    ORDER BY op.code, op.name
    LIMIT 1
) o ON true
-- T9: last year's actual of the same project's indicator of that name (its
-- self-evaluation, else the form's 上年度实际水平), clause by clause
LEFT JOIN LATERAL (
    SELECT tc.label,
           pg_catalog.concat(nullif(lc.comparison, '='), lc.number, lc.unit) AS actual_text,
           pg_catalog.concat(nullif(tc.comparison, '='), tc.number, tc.unit) AS target_clause
    FROM (SELECT coalesce((SELECT e_i.actual
                           FROM @extschema@.evaluation e
                           JOIN @extschema@.indicator e_i ON e_i.evaluation_id = e.evaluation_id
                           WHERE e.project_id = t.project_id AND e.year = t.year - 1
                             AND pg_catalog.regexp_replace(e_i.level3, '[[:space:]　]+', '', 'g') = i.name_key
                           ORDER BY e_i.position LIMIT 1), i.last_year) AS actual) la
    CROSS JOIN LATERAL @extschema@.clauses(i.target) tc
    JOIN LATERAL @extschema@.clauses(la.actual) lc
      ON coalesce(lc.label, '') = coalesce(tc.label, '') AND lc.base_unit = tc.base_unit
    WHERE t.attribute = '延续' AND i.value_kind = 'quantity'
      AND tc.dimension IS DISTINCT FROM 'date' AND tc.base_upper IS NULL AND lc.base_upper IS NULL
      AND CASE WHEN tc.comparison IN ('≤', '<') THEN tc.base_value > lc.base_value
               WHEN tc.comparison IN ('≥', '>', '=') OR tc.comparison IS NULL THEN tc.base_value < lc.base_value
          END
) ly ON true
CROSS JOIN LATERAL (VALUES
    -- T3, except where T5 says more
    (CASE WHEN i.value_kind = 'quantity' AND i.no_formula
               AND NOT (i.kind = 'benefit' AND NOT i.is_cost AND @extschema@.base_unit(i.target) = '%'
                        AND @extschema@.clause_count(i.target) <= 1)
          THEN 'target_formula_missing' END),
    (CASE WHEN i.is_cost AND @extschema@.comparison(i.target) IN ('≥', '>') THEN 'target_cost_at_least' END),
    (CASE WHEN i.kind = 'benefit' AND NOT i.is_cost AND i.value_kind = 'quantity' AND i.no_formula
               AND @extschema@.base_unit(i.target) = '%' AND @extschema@.clause_count(i.target) <= 1
          THEN 'target_bare_percentage' END),
    (CASE WHEN i.kind = 'satisfaction'
               AND (pg_catalog.concat(i.formula, ' ', i.notes) !~ '调查|问卷|抽样|抽查|测评|样本|回访'
                    OR pg_catalog.concat(i.formula, ' ', i.notes, ' ', i.target_text) ~ '投诉')
          THEN 'target_satisfaction_unmeasured' END),
    (CASE WHEN o.project IS NOT NULL THEN 'target_copied' END),
    (CASE WHEN i.kind = 'output' AND NOT i.is_cost
               AND (@extschema@.base_unit(i.target) = '元' OR i.level3 ~ '资金|经费|人员|投入')
          THEN 'target_input_as_output' END),
    (CASE WHEN ly.actual_text IS NOT NULL THEN 'target_below_last_year' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'target_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[i.level3, i.target_text, i.level1, i.level2, coalesce(i.formula, ''), o.project, o.unit,
                 ly.actual_text, (t.year - 1)::text, CASE WHEN ly.label IS NOT NULL THEN '（' || ly.label || '）' ELSE '' END,
                 ly.target_clause] AS args
) a
UNION ALL
SELECT rf.target_id,
       NULL::integer,
       rf.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, rf.line),
       pg_catalog.format(fm.message_en, rf.line)
FROM @extschema@.target_read_finding rf
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message fm ON fm.code = rf.code AND fm.place = 'target_line';

COMMENT ON VIEW @extschema@.target_finding IS
'One row per target-quality finding on a target form the caller may see (the shape of pjeval.audit_finding): form, indicator position (NULL for the form), code (scope target), severity and a message in Chinese and English: target_too_few (T1), target_formula_missing (T3), target_cost_at_least (T4), target_bare_percentage (T5), target_satisfaction_unmeasured (T6), target_copied (T7), target_input_as_output (T8), target_below_last_year (T9, pjeval''s rule), and what the reader noticed (unclosed_quote)';

-- The self-evaluation against its targets: per evaluation of a project and
-- year with a target form in force, each of its indicators whose 年度指标值
-- differs from the target in force (matched by 三级指标 name, the same 二级指标
-- first) or that has none there (不适用 rows aside); and an evaluation without an approved
-- target form where the year has target forms.
CREATE VIEW @extschema@.cycle_finding WITH (security_invoker = true) AS
SELECT e.evaluation_id,
       i.position,
       tf.target_id,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.target_in_force tf ON tf.project_id = e.project_id AND tf.year = e.year
JOIN @extschema@.indicator i ON i.evaluation_id = e.evaluation_id
                              AND NOT @extschema@.is_not_applicable(i.target) IS TRUE
LEFT JOIN LATERAL (
    SELECT ti.target, ti.target_text
    FROM @extschema@.target_indicator ti
    WHERE ti.target_id = tf.target_id AND ti.term = '年度'
      AND pg_catalog.regexp_replace(ti.level3, '[[:space:]　]+', '', 'g')
          = pg_catalog.regexp_replace(i.level3, '[[:space:]　]+', '', 'g')
    ORDER BY @extschema@.indicator_level_name(ti.level2) = i.level2_name DESC, ti.position
    LIMIT 1
) ti ON true
CROSS JOIN LATERAL (VALUES
    (CASE WHEN ti.target_text IS NULL AND ti.target IS NULL THEN 'evaluation_target_unmatched'
          WHEN coalesce(i.target::text, i.target_text) IS DISTINCT FROM coalesce(ti.target::text, ti.target_text)
          THEN 'evaluation_target_changed' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'cycle'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, e.year::text, i.level3, i.target_text, ti.target_text, tf.version::text] AS args
) a
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       NULL::bigint,
       'evaluation_without_target',
       fc.severity,
       pg_catalog.format(fm.message_zh, p.code, p.name, e.year),
       pg_catalog.format(fm.message_en, p.code, p.name, e.year)
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = 'evaluation_without_target'
JOIN @extschema@.finding_message fm ON fm.code = 'evaluation_without_target' AND fm.place = 'cycle'
WHERE NOT EXISTS (SELECT FROM @extschema@.target_in_force tf WHERE tf.project_id = e.project_id AND tf.year = e.year)
  AND EXISTS (SELECT FROM @extschema@.target t WHERE t.year = e.year);

COMMENT ON VIEW @extschema@.cycle_finding IS
'The self-evaluation against its targets, one row per finding on a form the caller may see: evaluation, indicator position (NULL for the form), the target form in force, code, severity, messages: evaluation_target_changed (the 年度指标值 differs from the target in force, compared as read), evaluation_target_unmatched (no target of that 三级指标), evaluation_without_target (no approved target form while the year has target forms)';

GRANT SELECT ON @extschema@.target_indicator_class, @extschema@.target_finding, @extschema@.cycle_finding TO PUBLIC;

-- the functions both the Citus and the target-form sections redefine, as merged
CREATE OR REPLACE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
    -- where the rows go: on one node pjeval.history.  On a Citus cluster
    -- (docs/scaling.md) the trigger fires on a shard, TG_TABLE_NAME is the
    -- shard's and the rows go to the shards on its node: a form's rows to the
    -- co-located shard of history (history_id then from this node's range,
    -- its group id in the top 16 bits: the shard has no identity), the
    -- rows of no form (units, projects, members, reviewers, profiles, the
    -- monitoring reports: reference tables, a copy on every node) to
    -- pjeval.history_admin on the coordinator, from the coordinator's copy.
    target text := '@extschema@.history';
    ids text := '';
    id_values text := '';
    node_group integer;
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item',
                      'target', 'target_fund_line', 'target_indicator')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;
    IF TG_TABLE_NAME <> tbl AND to_regclass('pg_catalog.pg_dist_local_group') IS NOT NULL THEN
        EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO node_group;
        IF tbl IN ('evaluation', 'fund_line', 'indicator', 'review', 'review_item') THEN
            target := @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'history');
            ids := 'history_id, ';
            id_values := format('(%s::bigint << 48) + nextval(%L::regclass), ', node_group, '@extschema@.history_history_id_seq');
        ELSIF node_group = 0 THEN
            target := '@extschema@.history_admin';
        ELSE
            RETURN NULL;
        END IF;
    END IF;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'fund_line', 'indicator', 'review', 'review_item' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s e
                                         JOIN %s p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'evaluation'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s m
                                         JOIN %s p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'monitoring'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        -- a target form (72_targets.sql) likewise
        WHEN 'target' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'target_fund_line', 'target_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.table_name = ''target'' AND h.row_id = t.target_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s x
                                         JOIN %s p ON p.project_id = x.project_id
                                         WHERE x.target_id = t.target_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'target'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO %s (%stable_name, operation, evaluation_id, unit_id, row_id,
                        old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT %s$1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        target, ids, id_values, eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                                    'target', 'target_fund_line', 'target_indicator')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.form_row_workflow()
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

CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- their due dates and the projects recorded overdue (per round)
             'monitoring_due', 'monitoring_overdue',
             -- 整改 items (per project and year)
             'rectification',
             -- the target forms (per project and year and version; 72_targets.sql)
             'target', 'target_fund_line', 'target_indicator', 'target_read_finding',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history',
             -- the history of the rows of no form: stays on the coordinator
             'history_admin']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed'
                                    WHEN p.table_name = 'history_admin' THEN 'coordinator'
                                    ELSE 'reference' END AS placement) x
$$;

-- monitoring_unit_summary and review_result without a sub-query per row (a
-- cluster runs them; no JIT compilation on small databases)
CREATE OR REPLACE VIEW @extschema@.monitoring_unit_summary WITH (security_invoker = true) AS
WITH counted AS (
    SELECT r.unit_id, r.year, r.month,
           pg_catalog.count(*) AS projects,
           pg_catalog.sum(r.adjusted_budget * s.factor) AS adjusted_budget,
           pg_catalog.sum(r.executed * s.factor) AS executed,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'red') AS red,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'green') AS green,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'blue') AS blue,
           pg_catalog.count(*) FILTER (WHERE m.submitted_at::date > d.due_date) AS late
    FROM @extschema@.monitoring_result r
    JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
    LEFT JOIN @extschema@.monitoring_due d ON d.year = m.year AND d.month = m.month
    CROSS JOIN LATERAL (SELECT CASE m.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor) s
    GROUP BY r.unit_id, r.year, r.month
), missing AS (
    -- a project expected in a period (a self-evaluation of that year, or a
    -- report of an earlier month of it) without a report for it: joins and
    -- an anti-join, no sub-query per project (a cluster refuses those over
    -- reference tables, and their cost estimate put small databases
    -- through JIT compilation)
    SELECT p.unit_id, x.year, x.month, pg_catalog.count(*) AS reports_missing
    FROM (SELECT e.project_id, rd.year, rd.month
          FROM (SELECT DISTINCT m.year, m.month FROM @extschema@.monitoring m) rd
          JOIN @extschema@.evaluation e ON e.year = rd.year
          UNION
          SELECT m.project_id, rd.year, rd.month
          FROM (SELECT DISTINCT m.year, m.month FROM @extschema@.monitoring m) rd
          JOIN @extschema@.monitoring m ON m.year = rd.year AND m.month < rd.month) x
    JOIN @extschema@.project p ON p.project_id = x.project_id
    LEFT JOIN @extschema@.monitoring m ON m.project_id = x.project_id AND m.year = x.year AND m.month = x.month
    WHERE m.monitoring_id IS NULL
    GROUP BY p.unit_id, x.year, x.month
)
SELECT unit_id,
       u.name AS unit_name,
       year,
       month,
       coalesce(c.projects, 0) AS projects,
       c.adjusted_budget,
       c.executed,
       coalesce(c.red, 0) AS red,
       coalesce(c.yellow, 0) AS yellow,
       coalesce(c.green, 0) AS green,
       coalesce(c.blue, 0) AS blue,
       coalesce(x.reports_missing, 0) AS reports_missing,
       d.due_date,
       coalesce(c.late, 0) AS reports_late,
       coalesce(o.overdue, 0) AS reports_overdue
FROM counted c
FULL JOIN missing x USING (unit_id, year, month)
LEFT JOIN @extschema@.unit u USING (unit_id)
LEFT JOIN @extschema@.monitoring_due d USING (year, month)
LEFT JOIN (SELECT od.unit_id, od.year, od.month, pg_catalog.count(*) AS overdue
           FROM @extschema@.monitoring_overdue od
           GROUP BY od.unit_id, od.year, od.month) o USING (unit_id, year, month)
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE OR REPLACE VIEW @extschema@.review_result WITH (security_invoker = true) AS
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

-- import_monitoring_workbook: the monitoring forms of a workbook, through what
-- import_workbook does (import_workbook_as)
CREATE FUNCTION @extschema@.import_workbook_as(workbook bytea, on_conflict text, importer text)
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    wb record;
    st text;
    msg text;
    det text;
    hint text;
BEGIN
    IF importer IS NULL OR importer NOT IN ('import_forms', 'import_monitoring') THEN
        RAISE EXCEPTION 'import_workbook_as() imports with import_forms or import_monitoring, not %',
                        coalesce(pg_catalog.quote_literal(importer), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF workbook IS NULL THEN
        -- as the import of no document: on_conflict is still checked
        RETURN QUERY EXECUTE pg_catalog.format('SELECT * FROM @extschema@.%I(NULL, $1)', importer) USING on_conflict;
        RETURN;
    END IF;
    -- A file that is not a workbook raises here (22P03, 0A000, 54000):
    -- nothing is written yet.
    wb := @extschema@.workbook_read(workbook);
    BEGIN
        RETURN QUERY EXECUTE pg_catalog.format('SELECT * FROM @extschema@.%I($1, $2)', importer)
            USING wb.document, on_conflict;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        msg := @extschema@.workbook_place(msg, wb.sheets, wb.line_sheet, wb.line_row);
        det := @extschema@.workbook_place(nullif(det, ''), wb.sheets, wb.line_sheet, wb.line_row);
        hint := @extschema@.workbook_place(nullif(hint, ''), wb.sheets, wb.line_sheet, wb.line_row);
        IF det IS NOT NULL AND hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hint;
        ELSIF det IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
        ELSIF hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hint;
        ELSE
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
        END IF;
    END;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_workbook_as(bytea, text, text) IS
'What import_workbook and import_monitoring_workbook share: the document pjeval.workbook_read makes of the workbook, imported by importer (import_forms or import_monitoring), its errors naming the sheet and row';

CREATE OR REPLACE FUNCTION @extschema@.import_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.import_workbook_as($1, $2, 'import_forms')
$$;

CREATE FUNCTION @extschema@.import_monitoring_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.import_workbook_as($1, $2, 'import_monitoring')
$$;

COMMENT ON FUNCTION @extschema@.import_monitoring_workbook(bytea, text) IS
'Imports every 项目支出绩效目标执行监控表 on every visible sheet of an .xlsx workbook: pjeval.import_monitoring on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';

-- monitoring: pjeval's own consistency checks M6-M9 (62_monitoring.sql)
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('stage_declared_wrong', 'monitor', 'warning', '填报达到阶段性绩效目标，项目目标执行预警却为红灯或黄灯', 'declared 是否达到阶段性绩效目标 = 是 while the project light is red or yellow'),
    ('light_unexplained', 'monitor', 'warning', '指标为红灯或黄灯却未填写偏差原因', 'a red or yellow indicator with no 偏差原因'),
    ('behind_schedule_unexplained', 'monitor', 'warning', '填报未达到序时支出进度却未选择原因类型', 'declared behind 序时进度 with no 原因类型'),
    ('adjusted_budget_mismatch', 'monitor', 'error', '调整后预算数不等于年初预算数加追加数减追减数', 'the adjusted budget is not 年初预算数 + 追加数 − 追减数'),
    ('executed_above_adjusted', 'monitor', 'warning', '1-N月执行数超过调整后预算数', 'more was executed in months 1-N than the adjusted budget'),
    ('forecast_below_executed', 'monitor', 'error', '全年预计执行数小于1-N月已执行数', 'the forecast for the year is below what months 1-N already executed'),
    ('executed_decreased', 'monitor', 'error', '1-N月执行数小于上一期监控的执行数（执行数应累计）', 'less executed by month N than the report of an earlier month says (execution is cumulative)');
INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('stage_declared_wrong', 'monitoring', '填报是否达到阶段性绩效目标为“是”，1-%4$s月项目目标执行预警却为%23$s', 'declared 是否达到阶段性绩效目标 是, yet the project light of months 1-%4$s is %23$s'),
    ('light_unexplained', 'monitoring_indicator', '“%1$s”1-%7$s月为%5$s（目标 %2$s，实际 %3$s），未填写偏差原因', '"%1$s" is %5$s in months 1-%7$s (target %2$s, actual %3$s) with no 偏差原因'),
    ('behind_schedule_unexplained', 'monitoring', '填报未达到序时支出进度（1-%4$s月执行率 %8$s%%，时间进度 %9$s%%），未选择原因类型', 'declared behind 序时进度 (months 1-%4$s: %8$s%% against %9$s%%) with no 原因类型'),
    ('adjusted_budget_mismatch', 'monitoring', '调整后预算数 %5$s 不等于年初预算数 %17$s + 追加数 %18$s − 追减数 %19$s', 'the adjusted budget %5$s is not 年初预算数 %17$s + 追加数 %18$s − 追减数 %19$s'),
    ('executed_above_adjusted', 'monitoring', '1-%4$s月执行数 %6$s 超过调整后预算数 %5$s', 'months 1-%4$s executed %6$s, more than the adjusted budget %5$s'),
    ('forecast_below_executed', 'monitoring', '全年预计执行数 %7$s 小于 1-%4$s月已执行数 %6$s', 'the forecast %7$s is below the %6$s months 1-%4$s already executed'),
    ('executed_decreased', 'monitoring', '1-%4$s月执行数 %22$s 元小于 1-%20$s月监控的执行数 %21$s 元', 'months 1-%4$s executed %22$s 元, less than the %21$s 元 of the 1-%20$s月 report');
CREATE OR REPLACE VIEW @extschema@.monitoring_finding WITH (security_invoker = true) AS
SELECT r.monitoring_id,
       NULL::integer AS position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.monitoring_result r
JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
LEFT JOIN @extschema@.monitoring_fund_line tf ON tf.monitoring_id = m.monitoring_id AND tf.source = 'total'
-- the report of the period before (M9), both amounts in 元
LEFT JOIN LATERAL (
    SELECT pm.month AS month,
           pf.executed * CASE pm.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed
    FROM @extschema@.monitoring pm
    JOIN @extschema@.monitoring_fund_line pf ON pf.monitoring_id = pm.monitoring_id AND pf.source = 'total'
    WHERE pm.project_id = m.project_id AND pm.year = m.year AND pm.month < m.month
    ORDER BY pm.month DESC
    LIMIT 1
) pv ON true
CROSS JOIN LATERAL (SELECT tf.executed * CASE m.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed) ty
CROSS JOIN LATERAL (VALUES
    (CASE WHEN r.fund_light = 'red' AND r.forecast >= r.adjusted_budget
               AND m.reason_type IS NULL AND pg_catalog.btrim(coalesce(m.analysis, '')) = ''
          THEN 'fund_red_unexplained' END),
    (CASE WHEN r.declared_on_schedule <> r.on_schedule THEN 'schedule_declared_wrong' END),
    -- M6-M9 [pjeval]
    (CASE WHEN m.declared_stage_met AND r.project_light IN ('red', 'yellow') THEN 'stage_declared_wrong' END),
    (CASE WHEN NOT m.declared_on_schedule AND m.reason_type IS NULL THEN 'behind_schedule_unexplained' END),
    -- (only where the form has 追加数 or 追减数: without them 调整后 may differ)
    (CASE WHEN tf.added IS NOT NULL OR tf.reduced IS NOT NULL THEN
          CASE WHEN tf.adjusted_budget <> tf.initial_budget + coalesce(tf.added, 0) - coalesce(tf.reduced, 0)
               THEN 'adjusted_budget_mismatch' END END),
    (CASE WHEN tf.executed > tf.adjusted_budget THEN 'executed_above_adjusted' END),
    (CASE WHEN tf.forecast < tf.executed THEN 'forecast_below_executed' END),
    (CASE WHEN pv.executed > ty.executed THEN 'executed_decreased' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring'
CROSS JOIN LATERAL (
    SELECT ARRAY[r.project_code, r.project_name, r.year::text, r.month::text, r.adjusted_budget::text,
                 r.executed::text, r.forecast::text, r.execution_rate::text, r.time_progress::text,
                 r.fund_index::text, CASE WHEN r.declared_on_schedule THEN '是' ELSE '否' END,
                 NULL, NULL, NULL, NULL, NULL,
                 tf.initial_budget::text, coalesce(tf.added, 0)::text, coalesce(tf.reduced, 0)::text,
                 pv.month::text, pv.executed::text, ty.executed::text,
                 CASE r.project_light WHEN 'red' THEN '红灯' WHEN 'yellow' THEN '黄灯' END] AS args
) a
UNION ALL
SELECT m.monitoring_id,
       mi.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.monitoring m
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.profile pr ON pr.name = m.profile
JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = m.monitoring_id
CROSS JOIN LATERAL (
    SELECT @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                       pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
) l
CROSS JOIN LATERAL (VALUES
    (CASE WHEN mi.likelihood = '完全不可能' AND pg_catalog.cardinality(mi.deviation_causes) = 0
               AND pg_catalog.btrim(coalesce(mi.deviation_note, '')) = ''
          THEN 'impossible_unexplained' END),
    (CASE WHEN mi.likelihood = '确定能' AND l.light = 'red' THEN 'certain_under_red' END),
    (CASE WHEN l.light IN ('red', 'yellow') AND pg_catalog.cardinality(mi.deviation_causes) = 0
               AND pg_catalog.btrim(coalesce(mi.deviation_note, '')) = ''
          THEN 'light_unexplained' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text,
                 CASE WHEN f.code = 'light_unexplained' THEN CASE l.light WHEN 'red' THEN '红灯' ELSE '黄灯' END ELSE l.light END,
                 mi.likelihood::text, m.month::text] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])
UNION ALL
-- M4, the year end: a project's self-evaluation against the forecast of the
-- year's last approved monitoring report (the highest month approved), on
-- that report.  Money: |全年执行数 − 全年预计执行数| > 10 % of 全年预算数 (the
-- total rows, in 元).  Indicators, matched by their level names
-- (indicator_level_name) and 三级指标 folded (NFKC, no white space): a
-- forecast short of target or 完全不可能, and the self-evaluation's actual
-- meeting its target with no 偏差原因; or 确定能 with a forecast meeting the
-- target, and the actual missing it.  Meeting a target is the indicator
-- light at month 12 with all bands at 100: v ≥ 100, a reverse or dated
-- target met, 达成.
SELECT y.monitoring_id,
       y.position,
       y.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC y.args),
       pg_catalog.format(fm.message_en, VARIADIC y.args)
FROM (
    SELECT lm.monitoring_id, NULL::integer AS position, 'year_end_execution_off_forecast' AS code, 'monitoring' AS place,
           ARRAY[lm.project_code, lm.project_name, lm.year::text, lm.month::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 pg_catalog.round(x.budget, 2)::text, pg_catalog.round(x.executed, 2)::text, pg_catalog.round(x.forecast, 2)::text,
                 pg_catalog.round(pg_catalog.abs(x.executed - x.forecast) * 100 / x.budget, 2)::text, '10'] AS args
    FROM (SELECT DISTINCT ON (m.project_id, m.year) m.*, p.code AS project_code, p.name AS project_name
          FROM @extschema@.monitoring m
          JOIN @extschema@.project p ON p.project_id = m.project_id
          WHERE m.status = 'approved'
          ORDER BY m.project_id, m.year, m.month DESC) lm
    JOIN @extschema@.evaluation e ON e.project_id = lm.project_id AND e.year = lm.year
    JOIN @extschema@.monitoring_fund_line mf ON mf.monitoring_id = lm.monitoring_id AND mf.source = 'total'
    JOIN @extschema@.fund_line ef ON ef.evaluation_id = e.evaluation_id AND ef.source = 'total'
    CROSS JOIN LATERAL (
        SELECT ef.annual_budget * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS budget,
               ef.executed * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed,
               mf.forecast * CASE lm.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS forecast
    ) x
    WHERE x.budget > 0 AND pg_catalog.abs(x.executed - x.forecast) * 100 > 10 * x.budget
    UNION ALL
    SELECT lm.monitoring_id, mi.position, c.code, 'monitoring_indicator',
           ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text, NULL, mi.likelihood::text, lm.month::text,
                 i.actual_text, lm.year::text]
    FROM (SELECT DISTINCT ON (m.project_id, m.year) m.*
          FROM @extschema@.monitoring m
          WHERE m.status = 'approved'
          ORDER BY m.project_id, m.year, m.month DESC) lm
    JOIN @extschema@.evaluation e ON e.project_id = lm.project_id AND e.year = lm.year
    JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = lm.monitoring_id
    JOIN @extschema@.indicator i
      ON i.evaluation_id = e.evaluation_id
     AND i.level1_name = @extschema@.indicator_level_name(mi.level1)
     AND i.level2_name = @extschema@.indicator_level_name(mi.level2)
     AND pg_catalog.regexp_replace(pg_catalog.normalize(i.level3, 'NFKC'), '\s+', '', 'g')
         = pg_catalog.regexp_replace(pg_catalog.normalize(mi.level3, 'NFKC'), '\s+', '', 'g')
    CROSS JOIN LATERAL (
        SELECT @extschema@.indicator_light(mi.target, mi.forecast, 12, mi.level2, mi.accrual, lm.year, 100, 100, 100)
                   IN ('green', 'blue') AS forecast_met,
               @extschema@.indicator_light(i.target, i.actual, 12, i.level2, mi.accrual, lm.year, 100, 100, 100)
                   IN ('green', 'blue') AS actual_met
    ) met
    CROSS JOIN LATERAL (VALUES
        (CASE WHEN (mi.likelihood = '完全不可能' OR NOT met.forecast_met) AND met.actual_met
                   AND pg_catalog.btrim(coalesce(i.deviation_reason, '')) = ''
              THEN 'year_end_met_against_forecast' END),
        (CASE WHEN mi.likelihood = '确定能' AND met.forecast_met AND NOT met.actual_met
              THEN 'year_end_missed_against_forecast' END)
    ) c (code)
    WHERE c.code IS NOT NULL
) y
JOIN @extschema@.monitoring m ON m.monitoring_id = y.monitoring_id
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = y.code
JOIN @extschema@.finding_message fm ON fm.code = y.code AND fm.place = y.place
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

-- local profiles: a deduction for over-achievement, caps of the total by the
-- execution rate, the built-in capped-2021 and capped-2021-80 (20_profile.sql,
-- 50_views.sql)
CREATE FUNCTION @extschema@.total_cap_valid(below pg_catalog.numeric[], cap pg_catalog.numeric[])
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT $1 IS NULL
        OR (pg_catalog.cardinality($1) = pg_catalog.cardinality($2) AND pg_catalog.cardinality($1) > 0
            AND pg_catalog.array_position($1, NULL) IS NULL AND pg_catalog.array_position($2, NULL) IS NULL
            AND $1 = (SELECT pg_catalog.array_agg(DISTINCT b ORDER BY b) FROM pg_catalog.unnest($1) b))
$$;

COMMENT ON FUNCTION @extschema@.total_cap_valid(pg_catalog.numeric[], pg_catalog.numeric[]) IS
'True when execution-rate caps are usable: none, or as many caps as bounds, no NULL, the bounds strictly ascending';

CREATE FUNCTION @extschema@.capped_total(total pg_catalog.numeric, execution_rate pg_catalog.numeric,
                                         below pg_catalog.numeric[], cap pg_catalog.numeric[])
RETURNS pg_catalog.numeric
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF total IS NULL OR execution_rate IS NULL OR below IS NULL THEN
        RETURN total;
    END IF;
    FOR i IN 1 .. pg_catalog.cardinality(below) LOOP
        IF execution_rate < below[i] THEN
            RETURN LEAST(total, pg_catalog.round(cap[i], 2));
        END IF;
    END LOOP;
    RETURN total;
END
$$;

COMMENT ON FUNCTION @extschema@.capped_total(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric[], pg_catalog.numeric[]) IS
'The total a profile''s execution-rate caps leave: below below[i] percent (the first that applies) at most cap[i]; the total itself where no cap applies or the rate is NULL';

ALTER TABLE @extschema@.profile
    ADD COLUMN over_achievement_deduction numeric(5,2) CHECK (over_achievement_deduction >= 0),
    ADD COLUMN total_cap_below numeric[],
    ADD COLUMN total_cap numeric[],
    ADD CONSTRAINT profile_total_cap CHECK ((total_cap_below IS NULL) = (total_cap IS NULL)
                                        AND @extschema@.total_cap_valid(total_cap_below, total_cap));
ALTER TABLE @extschema@.profile DISABLE TRIGGER USER;
INSERT INTO @extschema@.profile (name, description, builtin, grade_excellent, grade_good, grade_pass,
                                 over_achievement_deduction, total_cap_below, total_cap)
VALUES ('capped-2021', '一体化: 总分按执行率封顶 (<50% 59, <60% 69, <70% 79, <80% 89), 超额完成≥130%的指标减2分; 优≥90 良≥80 中≥60', true,
        90, 80, 60, 2, '{50,60,70,80}', '{59,69,79,89}'),
       ('capped-2021-80', '一体化 as capped-2021, with the grade bands 优≥80 良≥70 中≥60', true,
        80, 70, 60, 2, '{50,60,70,80}', '{59,69,79,89}');
ALTER TABLE @extschema@.profile ENABLE TRIGGER USER;
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('total_capped', 'form', 'info', '执行率低于评分方案的封顶线，总分按封顶分计', 'the execution rate is below a cap of the profile: the total is capped');
INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('total_capped', 'total', '执行率 %7$s%% 低于评分方案 %15$s 的封顶线，总分由 %29$s 封顶为 %13$s', 'the execution rate %7$s%% is below a cap of profile %15$s: the total %29$s is capped at %13$s');
CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    n.level1_kind,
    h.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    a.rule,
    a.completion,
    sc.score AS computed_score,
    i.reported_score,
    i.reported_score - sc.score AS score_difference,
    coalesce(sc.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - sc.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
        CASE WHEN 'unscorable' = ANY (a.flags) THEN 'unscorable' END,
        CASE WHEN 'actual_is_claim' = ANY (a.flags) THEN 'actual_is_claim' END,
        CASE WHEN 'qualitative_needs_band' = ANY (a.flags) AND i.band IS NULL THEN 'band_missing' END,
        CASE WHEN i.reported_score < b.band_low
               OR i.reported_score > b.band_high
               OR (i.reported_score = b.band_high AND i.band <> 'achieved')
             THEN 'score_outside_band' END,
        CASE WHEN 'date_missed' = ANY (a.flags) THEN 'date_missed' END,
        CASE WHEN 'not_met' = ANY (a.flags) AND NOT x.explained THEN 'not_met_unexplained' END,
        CASE WHEN 'over_achieved' = ANY (a.flags) AND NOT x.explained THEN 'over_achieved_unexplained' END,
        CASE WHEN n.level1_kind <> h.level2_home
              AND NOT (n.level1_kind = 'cost' AND h.level2_standard = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN sc.score IS NULL AND i.reported_score IS NOT NULL
              AND NOT (i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NOT NULL)
             THEN 'reported_score_used' END,
        CASE WHEN sc.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- the level names as stored with the row (indicator.level1_name, level2_name)
LEFT JOIN (SELECT l.name, l.kind AS level1_kind FROM @extschema@.standard_level l WHERE l.level = 1)
    AS n ON n.name = i.level1_name
LEFT JOIN (SELECT coalesce(l.standard, l.name) AS level2_standard, l.name, l.kind AS level2_home
           FROM @extschema@.standard_level l WHERE l.level = 2)
    AS h ON h.name = i.level2_name
CROSS JOIN LATERAL (
    -- an explanation that is empty or a placeholder explains nothing
    SELECT coalesce(pg_catalog.btrim(i.deviation_reason, E' \t\r\n　'), '')
               NOT IN ('', '-', '—', '－', '/', '一', '无') AS explained
) x
CROSS JOIN LATERAL (
    -- the evaluator's band as a score range (profile band_achieved and
    -- band_partial): 达成 [achieved, 1], 部分达成 [partial, achieved),
    -- 未达成 [0, partial) of the weight
    SELECT pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight * pr.band_achieved
                                WHEN 'partial' THEN i.weight * pr.band_partial
                                WHEN 'not_achieved' THEN 0
                            END, 2) AS band_low,
           pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight
                                WHEN 'partial' THEN i.weight * pr.band_achieved
                                WHEN 'not_achieved' THEN i.weight * pr.band_partial
                            END, 2) AS band_high
) b
CROSS JOIN LATERAL @extschema@.assess(i.target, i.actual, i.weight, i.level2,
                                      pr.over_achievement_ratio, pr.negative_formula) a
-- a profile's deduction for over-achievement (capped-2021: 2 points, floor 0)
CROSS JOIN LATERAL (
    SELECT CASE WHEN pr.over_achievement_deduction IS NOT NULL AND 'over_achieved' = ANY (a.flags)
                THEN GREATEST(a.score - pr.over_achievement_deduction, 0)
                ELSE a.score END AS score
) sc
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);
CREATE OR REPLACE VIEW @extschema@.evaluation_result WITH (security_barrier = true) AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    pg_catalog.round(f.initial_budget * m.factor, 2) AS initial_budget,
    pg_catalog.round(f.annual_budget * m.factor, 2) AS annual_budget,
    pg_catalog.round(f.executed * m.factor, 2) AS executed,
    pg_catalog.round(f.sources_initial_budget * m.factor, 2) AS sources_initial_budget,
    pg_catalog.round(f.sources_annual_budget * m.factor, 2) AS sources_annual_budget,
    pg_catalog.round(f.sources_executed * m.factor, 2) AS sources_executed,
    c.execution_rate,
    f.reported_rate AS reported_execution_rate,
    c.fund_weight,
    c.fund_score,
    f.reported_score AS reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    t.total_score,
    e.reported_total,
    e.reported_total - t.total_score AS total_difference,
    g.grade,
    c.fund_weight + w.weight_total AS weight_total,
    w.output_weight,
    w.benefit_weight,
    w.satisfaction_weight,
    w.cost_weight,
    w.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) + coalesce(rf.finding_count, 0)
        + coalesce(sf.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN (
    SELECT fl.evaluation_id,
           pg_catalog.bool_or(fl.source = 'total') AS has_total,
           pg_catalog.max(fl.initial_budget) FILTER (WHERE fl.source = 'total') AS initial_budget,
           pg_catalog.max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
           pg_catalog.max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
           pg_catalog.max(fl.reported_weight) FILTER (WHERE fl.source = 'total') AS reported_weight,
           pg_catalog.max(fl.reported_rate) FILTER (WHERE fl.source = 'total') AS reported_rate,
           pg_catalog.max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
           pg_catalog.sum(fl.initial_budget) FILTER (WHERE fl.source <> 'total') AS sources_initial_budget,
           pg_catalog.sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget,
           pg_catalog.sum(fl.executed) FILTER (WHERE fl.source <> 'total') AS sources_executed
    FROM @extschema@.fund_line fl
    GROUP BY fl.evaluation_id
) f ON f.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT r.evaluation_id,
           pg_catalog.count(*) AS indicator_count,
           pg_catalog.count(*) FILTER (WHERE r.counted_score IS NULL) AS unscored,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'output' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'output'), 0) END AS output_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'benefit' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'benefit'), 0) END AS benefit_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'satisfaction' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) END AS satisfaction_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'cost' AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'cost') END AS cost_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind IS NULL AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind IS NULL) END AS other_score,
           pg_catalog.sum(r.counted_score) AS indicator_score,
           pg_catalog.sum(r.weight) AS weight_total,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'cost') AS cost_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind IS NULL) AS other_weight,
           pg_catalog.sum(r.reported_score) AS reported_score_total,
           pg_catalog.sum(pg_catalog.cardinality(r.findings)) AS finding_count
    FROM @extschema@.indicator_result r
    GROUP BY r.evaluation_id
) s ON s.evaluation_id = e.evaluation_id
-- Level-1 blocks weighted as a whole (产出指标（40分）) whose indicators
-- carry no weight of their own: the block's weight counts for them.
LEFT JOIN (
    SELECT x.evaluation_id,
           pg_catalog.sum(x.weight) AS weight_total,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'cost') AS cost_weight,
           pg_catalog.sum(x.weight) FILTER (WHERE l.kind IS NULL) AS other_weight
    FROM (SELECT i.evaluation_id, i.level1, @extschema@.indicator_level_weight(i.level1) AS weight
          FROM @extschema@.indicator i
          WHERE i.weight IS NULL
          GROUP BY i.evaluation_id, i.level1) x
    LEFT JOIN @extschema@.standard_level l ON l.level = 1 AND l.name = @extschema@.indicator_level_name(x.level1)
    WHERE x.weight IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.indicator w
                      WHERE w.evaluation_id = x.evaluation_id AND w.level1 = x.level1 AND w.weight IS NOT NULL)
    GROUP BY x.evaluation_id
) b ON b.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.count(*) AS finding_count
    FROM @extschema@.read_finding x
    GROUP BY x.evaluation_id
) rf ON rf.evaluation_id = e.evaluation_id
LEFT JOIN (
    SELECT x.evaluation_id, pg_catalog.sum(pg_catalog.cardinality(x.findings)) AS finding_count
    FROM @extschema@.fund_line_result x
    WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
    GROUP BY x.evaluation_id
) sf ON sf.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
-- the weights: the indicators' own, and a block's for the indicators of a
-- block weighted as a whole
CROSS JOIN LATERAL (
    SELECT coalesce(s.weight_total, 0) + coalesce(b.weight_total, 0) AS weight_total,
           s.output_weight + coalesce(b.output_weight, 0) AS output_weight,
           s.benefit_weight + coalesce(b.benefit_weight, 0) AS benefit_weight,
           s.satisfaction_weight + coalesce(b.satisfaction_weight, 0) AS satisfaction_weight,
           CASE WHEN s.cost_weight IS NOT NULL OR b.cost_weight IS NOT NULL
                THEN coalesce(s.cost_weight, 0) + coalesce(b.cost_weight, 0) END AS cost_weight,
           CASE WHEN s.other_weight IS NOT NULL OR b.other_weight IS NOT NULL
                THEN coalesce(s.other_weight, 0) + coalesce(b.other_weight, 0) END AS other_weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, e.fund_block_weight, pr.execution_weight) AS fund_weight,
           @extschema@.try_fund_score(f.annual_budget, f.executed,
                                      coalesce(f.reported_weight, e.fund_block_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS sum_score
) su
CROSS JOIN LATERAL (
    -- the profile's cap by the execution rate (capped-2021), after the sum
    SELECT @extschema@.capped_total(su.sum_score, c.execution_rate, pr.total_cap_below, pr.total_cap) AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
CROSS JOIN LATERAL (
    SELECT CASE WHEN @extschema@.is_scorable_number(t.total_score)
                THEN @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) END AS grade
) g
CROSS JOIN LATERAL (
    SELECT pg_catalog.array_remove(ARRAY[
        CASE WHEN f.has_total IS NOT TRUE THEN 'fund_total_missing' END,
        CASE WHEN f.annual_budget = 0 THEN 'budget_zero' END,
        CASE WHEN f.sources_annual_budget IS NOT NULL
              AND (f.sources_initial_budget <> f.initial_budget
                   OR f.sources_annual_budget <> f.annual_budget
                   OR f.sources_executed <> f.executed) THEN 'fund_sources_mismatch' END,
        CASE WHEN f.executed > f.annual_budget THEN 'execution_above_budget' END,
        CASE WHEN c.execution_rate < pr.low_execution_rate THEN 'execution_rate_low' END,
        CASE @extschema@.rate_disagreement(f.reported_rate, c.execution_rate)
             WHEN 'mismatch' THEN 'fund_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN (f.has_total AND f.annual_budget <> 0 AND (c.execution_rate IS NULL OR c.fund_score IS NULL))
               OR NOT @extschema@.is_scorable_number(t.total_score) THEN 'unscorable' END,
        CASE WHEN c.fund_weight + w.weight_total <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight THEN 'fund_weight_off_profile' END,
        CASE WHEN w.output_weight <> pr.output_weight
               OR w.benefit_weight <> pr.benefit_weight
               OR w.satisfaction_weight <> pr.satisfaction_weight
               OR coalesce(w.cost_weight, 0) <> coalesce(pr.cost_weight, 0) THEN 'level1_weight_off_profile' END,
        CASE WHEN b.weight_total IS NOT NULL THEN 'weights_by_block' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN e.reported_grade <> g.grade THEN 'reported_grade_mismatch' END,
        CASE WHEN t.total_score < su.sum_score THEN 'total_capped' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);
CREATE OR REPLACE VIEW @extschema@.audit_finding WITH (security_barrier = true) AS
SELECT r.evaluation_id,
       r.position,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(m.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.indicator_result r
CROSS JOIN LATERAL pg_catalog.unnest(r.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'indicator'
LEFT JOIN @extschema@.standard_level h ON h.level = 1 AND h.kind = r.level2_home
CROSS JOIN LATERAL (
    SELECT ARRAY[r.level3, r.level2, r.level1, r.target_text, r.actual_text,
                 r.weight::text, r.reported_score::text, r.computed_score::text,
                 pg_catalog.round(r.completion, 2)::text,
                 pg_catalog.round(r.band_low, 2)::text, pg_catalog.round(r.band_high, 2)::text,
                 h.name, h.name || ' (' || h.kind || ')',
                 CASE WHEN f.code = 'target_unreadable' THEN @extschema@.indicator_value_error(r.target_text) END,
                 CASE WHEN f.code = 'actual_unreadable' THEN @extschema@.indicator_value_error(r.actual_text) END] AS args
) a
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.evaluation_result e
CROSS JOIN LATERAL pg_catalog.unnest(e.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
-- unscorable is the execution rate's or its score's where one of them is
-- missing, else the total's
JOIN @extschema@.finding_message m
  ON m.code = f.code
 AND m.place = CASE WHEN f.code <> 'unscorable' THEN m.place
                    WHEN e.execution_rate IS NULL OR e.fund_score IS NULL THEN 'fund'
                    ELSE 'total' END
 AND m.place IN ('fund', 'total')
JOIN @extschema@.profile pr ON pr.name = e.profile
JOIN @extschema@.evaluation ev ON ev.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT ARRAY[e.sources_initial_budget::text, e.sources_annual_budget::text, e.sources_executed::text,
                 e.initial_budget::text, e.annual_budget::text, e.executed::text,
                 e.execution_rate::text, pr.low_execution_rate::text, e.reported_execution_rate::text,
                 e.reported_fund_score::text, e.fund_score::text, e.fund_weight::text, e.total_score::text,
                 e.weight_total::text, e.profile, pr.execution_weight::text,
                 e.output_weight::text, pr.output_weight::text, e.benefit_weight::text, pr.benefit_weight::text,
                 e.satisfaction_weight::text, pr.satisfaction_weight::text,
                 coalesce(e.cost_weight, 0)::text, coalesce(pr.cost_weight, 0)::text,
                 e.reported_total::text, e.reported_score_sum::text,
                 ev.reported_grade, e.grade, (e.fund_score + e.indicator_score)::text] AS args
) a
UNION ALL
-- a source row's printed 执行率 or 得分
SELECT x.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.fund_line_result x
CROSS JOIN LATERAL pg_catalog.unnest(x.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'source'
JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.source
CROSS JOIN LATERAL (
    SELECT ARRAY[coalesce(x.label, sfs.label), x.reported_rate::text, x.computed_rate::text, x.reported_score::text,
                 x.computed_score::text, x.weight::text] AS args
) a
WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
UNION ALL
-- what the form reader found, on the indicator of its line or on the form
SELECT rf.evaluation_id,
       rf.position,
       rf.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.read_finding rf
JOIN @extschema@.evaluation e ON e.evaluation_id = rf.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message m ON m.code = rf.code AND m.place = 'line'
LEFT JOIN @extschema@.indicator i ON i.evaluation_id = rf.evaluation_id AND i.position = rf.position
CROSS JOIN LATERAL (
    SELECT ARRAY[rf.line::text, rf.detail, i.level3, rf.source] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);
-- (their options as 50_views.sql leaves them)
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.audit_finding SET (security_invoker = true);
        ALTER VIEW @extschema@.audit_finding RESET (security_barrier);
    END IF;
END
$$;

-- targets: T10 (72_targets.sql)
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('target_value_unreadable', 'target', 'warning', '指标值无法识别', 'the 指标值 cannot be read'),
    ('target_unit_missing', 'target', 'warning', '定量指标值缺少计量单位', 'a quantitative 指标值 has no unit'),
    ('target_level_missing', 'target', 'warning', '年度绩效指标缺少产出指标或效益指标', 'the 年度 set has no 产出 or no 效益 indicator');
INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('target_value_unreadable', 'target_indicator', '“%1$s”的指标值“%2$s”无法识别', 'the 指标值 "%2$s" of "%1$s" cannot be read'),
    ('target_unit_missing', 'target_indicator', '“%1$s”的指标值 %2$s 没有计量单位', 'the 指标值 %2$s of "%1$s" has no unit'),
    ('target_level_missing', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）年度指标中没有%6$s', 'project %1$s "%2$s", %3$s targets (version %4$s): the 年度 set has no %6$s');
CREATE OR REPLACE VIEW @extschema@.target_finding WITH (security_invoker = true) AS
SELECT t.target_id,
       NULL::integer AS position,
       'target_too_few'::text AS code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.target t
JOIN @extschema@.project p ON p.project_id = t.project_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS n
    FROM @extschema@.target_indicator ti
    WHERE ti.target_id = t.target_id AND ti.term = '年度' AND NOT @extschema@.is_not_applicable(ti.target) IS TRUE
) c
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_too_few'
JOIN @extschema@.finding_message fm ON fm.code = 'target_too_few' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, c.n::text] AS args
) a
WHERE c.n < 3
UNION ALL
-- T10 [pjeval]: a 年度 set with no 产出 or no 效益 indicator
SELECT t.target_id,
       NULL::integer,
       'target_level_missing'::text,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target t
JOIN @extschema@.project p ON p.project_id = t.project_id
CROSS JOIN (VALUES ('output', '产出指标'), ('benefit', '效益指标')) AS l (kind, name)
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_level_missing'
JOIN @extschema@.finding_message fm ON fm.code = 'target_level_missing' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, NULL, l.name] AS args
) a
WHERE EXISTS (SELECT 1 FROM @extschema@.target_indicator ti WHERE ti.target_id = t.target_id AND ti.term = '年度')
  AND NOT EXISTS (SELECT 1 FROM @extschema@.target_indicator_class i
                  WHERE i.target_id = t.target_id AND i.term = '年度' AND i.kind = l.kind AND NOT i.is_cost)
UNION ALL
SELECT i.target_id,
       i.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_indicator_class i
JOIN @extschema@.target t ON t.target_id = i.target_id
-- T7: the same name and value on another unit's project the same year
LEFT JOIN LATERAL (
    SELECT coalesce(op.code, op.name) AS project, ou.name AS unit
    FROM @extschema@.target_indicator oi
    JOIN @extschema@.target ot ON ot.target_id = oi.target_id
    JOIN @extschema@.project op ON op.project_id = ot.project_id
    JOIN @extschema@.unit ou ON ou.unit_id = op.unit_id
    WHERE i.value_kind = 'quantity'
      AND oi.level3 = i.level3 AND oi.target = i.target AND ot.year = t.year
      AND op.unit_id <> (SELECT p.unit_id FROM @extschema@.project p WHERE p.project_id = t.project_id)
    ORDER BY op.code, op.name
    LIMIT 1
) o ON true
-- T9: last year's actual of the same project's indicator of that name (its
-- self-evaluation, else the form's 上年度实际水平), clause by clause
LEFT JOIN LATERAL (
    SELECT tc.label,
           pg_catalog.concat(nullif(lc.comparison, '='), lc.number, lc.unit) AS actual_text,
           pg_catalog.concat(nullif(tc.comparison, '='), tc.number, tc.unit) AS target_clause
    FROM (SELECT coalesce((SELECT e_i.actual
                           FROM @extschema@.evaluation e
                           JOIN @extschema@.indicator e_i ON e_i.evaluation_id = e.evaluation_id
                           WHERE e.project_id = t.project_id AND e.year = t.year - 1
                             AND pg_catalog.regexp_replace(e_i.level3, '[[:space:]　]+', '', 'g') = i.name_key
                           ORDER BY e_i.position LIMIT 1), i.last_year) AS actual) la
    CROSS JOIN LATERAL @extschema@.clauses(i.target) tc
    JOIN LATERAL @extschema@.clauses(la.actual) lc
      ON coalesce(lc.label, '') = coalesce(tc.label, '') AND lc.base_unit = tc.base_unit
    WHERE t.attribute = '延续' AND i.value_kind = 'quantity'
      AND tc.dimension IS DISTINCT FROM 'date' AND tc.base_upper IS NULL AND lc.base_upper IS NULL
      AND CASE WHEN tc.comparison IN ('≤', '<') THEN tc.base_value > lc.base_value
               WHEN tc.comparison IN ('≥', '>', '=') OR tc.comparison IS NULL THEN tc.base_value < lc.base_value
          END
) ly ON true
CROSS JOIN LATERAL (VALUES
    -- T3, except where T5 says more
    (CASE WHEN i.value_kind = 'quantity' AND i.no_formula
               AND NOT (i.kind = 'benefit' AND NOT i.is_cost AND @extschema@.base_unit(i.target) = '%'
                        AND @extschema@.clause_count(i.target) <= 1)
          THEN 'target_formula_missing' END),
    (CASE WHEN i.is_cost AND @extschema@.comparison(i.target) IN ('≥', '>') THEN 'target_cost_at_least' END),
    (CASE WHEN i.kind = 'benefit' AND NOT i.is_cost AND i.value_kind = 'quantity' AND i.no_formula
               AND @extschema@.base_unit(i.target) = '%' AND @extschema@.clause_count(i.target) <= 1
          THEN 'target_bare_percentage' END),
    (CASE WHEN i.kind = 'satisfaction'
               AND (pg_catalog.concat(i.formula, ' ', i.notes) !~ '调查|问卷|抽样|抽查|测评|样本|回访'
                    OR pg_catalog.concat(i.formula, ' ', i.notes, ' ', i.target_text) ~ '投诉')
          THEN 'target_satisfaction_unmeasured' END),
    (CASE WHEN o.project IS NOT NULL THEN 'target_copied' END),
    (CASE WHEN i.kind = 'output' AND NOT i.is_cost
               AND (@extschema@.base_unit(i.target) = '元' OR i.level3 ~ '资金|经费|人员|投入')
          THEN 'target_input_as_output' END),
    (CASE WHEN ly.actual_text IS NOT NULL THEN 'target_below_last_year' END),
    -- T10 [pjeval]: a 指标值 that does not read; a number with no unit
    (CASE WHEN i.target IS NULL AND pg_catalog.btrim(coalesce(i.target_text, '')) <> '' THEN 'target_value_unreadable' END),
    (CASE WHEN i.value_kind = 'quantity' AND @extschema@.base_unit(i.target) IS NULL THEN 'target_unit_missing' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'target_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[i.level3, i.target_text, i.level1, i.level2, coalesce(i.formula, ''), o.project, o.unit,
                 ly.actual_text, (t.year - 1)::text, CASE WHEN ly.label IS NOT NULL THEN '（' || ly.label || '）' ELSE '' END,
                 ly.target_clause] AS args
) a
UNION ALL
SELECT rf.target_id,
       NULL::integer,
       rf.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, rf.line),
       pg_catalog.format(fm.message_en, rf.line)
FROM @extschema@.target_read_finding rf
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message fm ON fm.code = rf.code AND fm.place = 'target_line';

COMMENT ON VIEW @extschema@.target_finding IS
'One row per target-quality finding on a target form the caller may see (the shape of pjeval.audit_finding): form, indicator position (NULL for the form), code (scope target), severity and a message in Chinese and English: target_too_few (T1), target_formula_missing (T3), target_cost_at_least (T4), target_bare_percentage (T5), target_satisfaction_unmeasured (T6), target_copied (T7), target_input_as_output (T8), target_below_last_year (T9, pjeval''s rule), target_value_unreadable, target_unit_missing and target_level_missing (T10, pjeval''s), and what the reader noticed (unclosed_quote)';

-- issue 16: targets, session 5 (72_targets.sql): T2, the quantified share (target_setting,
-- target_quantified, target_quantified_share_low)

CREATE TABLE @extschema@.target_setting (
    profile         text PRIMARY KEY
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE ON DELETE CASCADE,
    quantified_share_min numeric(5,2)
                    CONSTRAINT target_setting_quantified_share_min_range CHECK (quantified_share_min BETWEEN 0 AND 100)
);

COMMENT ON TABLE @extschema@.target_setting IS
'What the target checks take from the profile a target form is checked by: quantified_share_min, the lowest share (in %) of 年度 indicators with a number before target_quantified_share_low is flagged (T2; NULL or no row: unset, never flagged). The administrator enters the rows';

COMMENT ON COLUMN @extschema@.target_setting.quantified_share_min IS
'T2: the minimum quantified share of the 年度 set, in % (0 to 100); NULL: unset, no finding';

GRANT SELECT ON @extschema@.target_setting TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_setting', '');

CREATE OR REPLACE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- their due dates and the projects recorded overdue (per round)
             'monitoring_due', 'monitoring_overdue',
             -- 整改 items (per project and year)
             'rectification',
             -- the target forms (per project and year and version; 72_targets.sql)
             'target', 'target_fund_line', 'target_indicator', 'target_read_finding', 'target_setting',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history',
             -- the history of the rows of no form: stays on the coordinator
             'history_admin']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed'
                                    WHEN p.table_name = 'history_admin' THEN 'coordinator'
                                    ELSE 'reference' END AS placement) x
$$;

INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('target_quantified_share_low', 'target', 'warning', '年度绩效指标中量化指标的比例低于设定的最低比例', 'the share of 年度 indicators with a number is below the minimum set for the profile');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('target_quantified_share_low', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）年度指标 %5$s 个，其中量化指标 %7$s 个，占 %8$s%%，低于最低比例 %9$s%%', 'project %1$s "%2$s", %3$s targets (version %4$s): %7$s of %5$s 年度 indicators have a number, %8$s %%, below the minimum of %9$s %%');

CREATE OR REPLACE VIEW @extschema@.target_quantified WITH (security_invoker = true) AS
SELECT t.target_id,
       c.applicable,
       c.quantified,
       CASE WHEN c.applicable > 0
            THEN pg_catalog.round(c.quantified * 100.0 / c.applicable, 2) END
           AS quantified_share,
       s.quantified_share_min,
       CASE WHEN c.applicable > 0
            THEN pg_catalog.round(c.quantified * 100.0 / c.applicable, 2)
                 < s.quantified_share_min END AS below_minimum
FROM @extschema@.target t
JOIN (SELECT x.target_id,
             pg_catalog.count(ti.target_indicator_id)
                 FILTER (WHERE NOT @extschema@.is_not_applicable(ti.target) IS TRUE) AS applicable,
             pg_catalog.count(ti.target_indicator_id)
                 FILTER (WHERE @extschema@.kind(ti.target) = 'quantity') AS quantified
      FROM @extschema@.target x
      LEFT JOIN @extschema@.target_indicator ti ON ti.target_id = x.target_id AND ti.term = '年度'
      GROUP BY x.target_id) c ON c.target_id = t.target_id
LEFT JOIN @extschema@.target_setting s ON s.profile = t.profile;

COMMENT ON VIEW @extschema@.target_quantified IS
'T2, per target form the caller may see: applicable (年度 indicators, 不适用 aside), quantified (those whose 指标值 has a number), quantified_share (in %, half-up to two places; NULL without indicators), quantified_share_min (pjeval.target_setting of the form''s profile; NULL: unset) and below_minimum (NULL when either is unset)';

GRANT SELECT ON @extschema@.target_quantified TO PUBLIC;

CREATE OR REPLACE VIEW @extschema@.target_finding WITH (security_invoker = true) AS
SELECT t.target_id,
       NULL::integer AS position,
       'target_too_few'::text AS code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
-- T1: the 年度 indicators that apply, as T2 counts them
FROM @extschema@.target_quantified c
JOIN @extschema@.target t ON t.target_id = c.target_id
JOIN @extschema@.project p ON p.project_id = t.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_too_few'
JOIN @extschema@.finding_message fm ON fm.code = 'target_too_few' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, c.applicable::text] AS args
) a
WHERE c.applicable < 3
UNION ALL
-- T10 [pjeval]: a 年度 set with no 产出 or no 效益 indicator
SELECT t.target_id,
       NULL::integer,
       'target_level_missing'::text,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target t
JOIN @extschema@.project p ON p.project_id = t.project_id
CROSS JOIN (VALUES ('output', '产出指标'), ('benefit', '效益指标')) AS l (kind, name)
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_level_missing'
JOIN @extschema@.finding_message fm ON fm.code = 'target_level_missing' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, NULL, l.name] AS args
) a
WHERE EXISTS (SELECT 1 FROM @extschema@.target_indicator ti WHERE ti.target_id = t.target_id AND ti.term = '年度')
  AND NOT EXISTS (SELECT 1 FROM @extschema@.target_indicator_class i
                  WHERE i.target_id = t.target_id AND i.term = '年度' AND i.kind = l.kind AND NOT i.is_cost)
UNION ALL
-- T2: the quantified share below the minimum of the form's profile
SELECT t.target_id,
       NULL::integer,
       'target_quantified_share_low'::text,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_quantified q
JOIN @extschema@.target t ON t.target_id = q.target_id
JOIN @extschema@.project p ON p.project_id = t.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_quantified_share_low'
JOIN @extschema@.finding_message fm ON fm.code = 'target_quantified_share_low' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, q.applicable::text, NULL, q.quantified::text,
                 q.quantified_share::text, q.quantified_share_min::text] AS args
) a
WHERE q.below_minimum
UNION ALL
SELECT i.target_id,
       i.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_indicator_class i
JOIN @extschema@.target t ON t.target_id = i.target_id
JOIN @extschema@.project tp ON tp.project_id = t.project_id
-- T7: the same name and value on another unit's project the same year.  Per
-- 三级指标, 指标值 (a number) and year, each unit's first project (by
-- 项目编号, then name), the units in that order: the first unit's project is
-- the other one for every other unit, the second unit's for the first.  One
-- pass over the indicators, not a search per indicator (which grew with the
-- square of the forms sharing a name and value: bench/targets_bench.sh).
LEFT JOIN (
    SELECT b.level3, b.target, b.year,
           pg_catalog.array_agg(b.unit_id ORDER BY b.code, b.name) AS units,
           pg_catalog.array_agg(coalesce(b.code, b.name) ORDER BY b.code, b.name) AS projects,
           pg_catalog.array_agg(b.unit_name ORDER BY b.code, b.name) AS unit_names
    FROM (SELECT DISTINCT ON (oi.level3, oi.target, ot.year, op.unit_id)
                 oi.level3, oi.target, ot.year, op.unit_id, op.code, op.name, ou.name AS unit_name
          FROM @extschema@.target_indicator oi
          JOIN @extschema@.target ot ON ot.target_id = oi.target_id
          JOIN @extschema@.project op ON op.project_id = ot.project_id
          JOIN @extschema@.unit ou ON ou.unit_id = op.unit_id
          WHERE @extschema@.kind(oi.target) = 'quantity'
          ORDER BY oi.level3, oi.target, ot.year, op.unit_id, op.code, op.name) b
    GROUP BY b.level3, b.target, b.year
    HAVING pg_catalog.count(*) > 1
) cp ON cp.level3 = i.level3 AND cp.target = i.target AND cp.year = t.year
CROSS JOIN LATERAL (
    SELECT cp.projects[k] AS project, cp.unit_names[k] AS unit
    FROM (SELECT CASE WHEN cp.units[1] <> tp.unit_id THEN 1 ELSE 2 END AS k) x
) o
-- T9: last year's actual of the same project's indicator of that name (its
-- self-evaluation, else the form's 上年度实际水平), clause by clause.  For the
-- 延续 forms' indicators with a number at once: each with the first
-- indicator of its name (by position) in the project's self-evaluation of the
-- year before, joined, not searched for per indicator; and the clauses read
-- inside, so that on a Citus cluster it is one sub-query of its own.
LEFT JOIN (
    SELECT y.target_indicator_id, tc.label,
           pg_catalog.concat(nullif(lc.comparison, '='), lc.number, lc.unit) AS actual_text,
           pg_catalog.concat(nullif(tc.comparison, '='), tc.number, tc.unit) AS target_clause
    FROM (SELECT DISTINCT ON (ti.target_indicator_id) ti.target_indicator_id, ti.target,
                 coalesce(e_i.actual, ti.last_year) AS actual
          FROM @extschema@.target_indicator ti
          JOIN @extschema@.target lt ON lt.target_id = ti.target_id
          LEFT JOIN @extschema@.evaluation e ON e.project_id = lt.project_id AND e.year = lt.year - 1
          LEFT JOIN @extschema@.indicator e_i
            ON e_i.evaluation_id = e.evaluation_id
           AND pg_catalog.regexp_replace(e_i.level3, '[[:space:]　]+', '', 'g')
               = pg_catalog.regexp_replace(ti.level3, '[[:space:]　]+', '', 'g')
          WHERE lt.attribute = '延续' AND @extschema@.kind(ti.target) = 'quantity'
          ORDER BY ti.target_indicator_id, e_i.position) y
    CROSS JOIN LATERAL @extschema@.clauses(y.target) tc
    JOIN LATERAL @extschema@.clauses(y.actual) lc
      ON coalesce(lc.label, '') = coalesce(tc.label, '') AND lc.base_unit = tc.base_unit
    WHERE tc.dimension IS DISTINCT FROM 'date' AND tc.base_upper IS NULL AND lc.base_upper IS NULL
      AND CASE WHEN tc.comparison IN ('≤', '<') THEN tc.base_value > lc.base_value
               WHEN tc.comparison IN ('≥', '>', '=') OR tc.comparison IS NULL THEN tc.base_value < lc.base_value
          END
) ly ON ly.target_indicator_id = i.target_indicator_id
CROSS JOIN LATERAL (VALUES
    -- T3, except where T5 says more
    (CASE WHEN i.value_kind = 'quantity' AND i.no_formula
               AND NOT (i.kind = 'benefit' AND NOT i.is_cost AND @extschema@.base_unit(i.target) = '%'
                        AND @extschema@.clause_count(i.target) <= 1)
          THEN 'target_formula_missing' END),
    (CASE WHEN i.is_cost AND @extschema@.comparison(i.target) IN ('≥', '>') THEN 'target_cost_at_least' END),
    (CASE WHEN i.kind = 'benefit' AND NOT i.is_cost AND i.value_kind = 'quantity' AND i.no_formula
               AND @extschema@.base_unit(i.target) = '%' AND @extschema@.clause_count(i.target) <= 1
          THEN 'target_bare_percentage' END),
    (CASE WHEN i.kind = 'satisfaction'
               AND (pg_catalog.concat(i.formula, ' ', i.notes) !~ '调查|问卷|抽样|抽查|测评|样本|回访'
                    OR pg_catalog.concat(i.formula, ' ', i.notes, ' ', i.target_text) ~ '投诉')
          THEN 'target_satisfaction_unmeasured' END),
    (CASE WHEN o.project IS NOT NULL THEN 'target_copied' END),
    (CASE WHEN i.kind = 'output' AND NOT i.is_cost
               AND (@extschema@.base_unit(i.target) = '元' OR i.level3 ~ '资金|经费|人员|投入')
          THEN 'target_input_as_output' END),
    (CASE WHEN ly.actual_text IS NOT NULL THEN 'target_below_last_year' END),
    -- T10 [pjeval]: a 指标值 that does not read; a number with no unit
    (CASE WHEN i.target IS NULL AND pg_catalog.btrim(coalesce(i.target_text, '')) <> '' THEN 'target_value_unreadable' END),
    (CASE WHEN i.value_kind = 'quantity' AND @extschema@.base_unit(i.target) IS NULL THEN 'target_unit_missing' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'target_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[i.level3, i.target_text, i.level1, i.level2, coalesce(i.formula, ''), o.project, o.unit,
                 ly.actual_text, (t.year - 1)::text, CASE WHEN ly.label IS NOT NULL THEN '（' || ly.label || '）' ELSE '' END,
                 ly.target_clause] AS args
) a
UNION ALL
SELECT rf.target_id,
       NULL::integer,
       rf.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, rf.line),
       pg_catalog.format(fm.message_en, rf.line)
FROM @extschema@.target_read_finding rf
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message fm ON fm.code = rf.code AND fm.place = 'target_line';

COMMENT ON VIEW @extschema@.target_finding IS
'One row per target-quality finding on a target form the caller may see (the shape of pjeval.audit_finding): form, indicator position (NULL for the form), code (scope target), severity and a message in Chinese and English: target_too_few (T1), target_formula_missing (T3), target_cost_at_least (T4), target_bare_percentage (T5), target_satisfaction_unmeasured (T6), target_copied (T7), target_input_as_output (T8), target_below_last_year (T9, pjeval''s rule), target_value_unreadable, target_unit_missing and target_level_missing (T10, pjeval''s), target_quantified_share_low (T2, below the minimum of pjeval.target_setting), and what the reader noticed (unclosed_quote)';

-- export_targets: 'html' too

CREATE OR REPLACE FUNCTION @extschema@.export_targets(id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    q record;
    doc text[];
    funds text;
    inds text;
    finds text;
    nfind integer;
    marked_positions integer[];
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the layout as tab-separated text (pjeval.import_targets reads it back); ''html'' writes a printable page with the findings.';
    END IF;
    SELECT x.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, b.name AS top_name
    INTO t
    FROM @extschema@.target x
    JOIN @extschema@.project p ON p.project_id = x.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit b ON b.unit_id = x.budget_unit_id
    WHERE x.target_id = id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'target form % does not exist or is not visible to role %', id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    IF format = 'text' THEN
        doc := ARRAY['项目支出绩效目标申报表', '',
            pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(t.project_code), '项目名称:', @extschema@.export_cell(t.project_name),
                                 '申报年度:', t.year::text),
            pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(t.unit_name), '主管部门:', @extschema@.export_cell(t.top_name),
                                 '项目属性:', coalesce(t.attribute, ''))];
        IF t.version > 1 THEN
            doc := doc || pg_catalog.concat_ws(E'\t', '目标版本:', t.version::text, '调整原因:', @extschema@.export_cell(t.adjustment_reason),
                                               '申请日期:', coalesce(pg_catalog.to_char(t.requested_on, 'YYYY-MM-DD'), ''));
        END IF;
        doc := doc || ARRAY['', '项目资金（' || t.amount_unit || '）' || E'\t资金来源\t上年度预算安排\t上年度实际执行\t本年度申请金额']
                   || ARRAY(SELECT pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(coalesce(f.label, s.label)),
                                                        coalesce(f.last_year_budget::text, '—'), coalesce(f.last_year_executed::text, '—'),
                                                        coalesce(f.requested::text, '—'))
                            FROM @extschema@.target_fund_line f
                            JOIN @extschema@.standard_fund_source s ON s.source = f.source
                            WHERE f.target_id = id
                            ORDER BY s.position, f.label)
                   || ARRAY['', E'总体目标\t长期目标\t年度目标',
                            pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(coalesce(t.long_term_goal, '')),
                                                 @extschema@.export_cell(coalesce(t.annual_goal, ''))),
                            '', E'绩效指标\t期限\t一级指标\t二级指标\t三级指标\t指标值\t计算公式\t绩效标准\t上年度实际水平\t备注']
                   || ARRAY(SELECT pg_catalog.concat_ws(E'\t', '', i.term, @extschema@.export_cell(i.level1), @extschema@.export_cell(i.level2),
                                                        @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                                                        @extschema@.export_cell(i.formula), coalesce(i.standard, ''),
                                                        @extschema@.export_cell(i.last_year_text), @extschema@.export_cell(i.notes))
                            FROM @extschema@.target_indicator i
                            WHERE i.target_id = id
                            ORDER BY i.position)
                   || ARRAY['', E'备注：\t' || @extschema@.export_cell(coalesce(t.notes, ''))];
        RETURN pg_catalog.array_to_string(doc, E'\n') || E'\n';
    END IF;

    -- 'html'
    -- the findings, and the positions of the rows they concern
    SELECT pg_catalog.count(*), coalesce(pg_catalog.array_agg(f.position) FILTER (WHERE f.position IS NOT NULL), '{}'),
           pg_catalog.string_agg(pg_catalog.format('<li class="finding-%s"><span class="where">%s</span> %s <code>%s</code><br/><span class="en">%s</span></li>',
                                                   f.severity, CASE WHEN f.position IS NULL THEN '整表' ELSE '指标 ' || f.position END,
                                                   @extschema@.html_escape(f.message_zh), @extschema@.html_escape(f.code),
                                                   @extschema@.html_escape(f.message_en)),
                                 E'\n' ORDER BY f.position NULLS FIRST, f.code, f.message_zh)
    INTO nfind, marked_positions, finds
    FROM @extschema@.target_finding f
    WHERE f.target_id = id;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
               @extschema@.html_escape(coalesce(f.label, s.label)), coalesce(f.last_year_budget::text, '—'),
               coalesce(f.last_year_executed::text, '—'), coalesce(f.requested::text, '—')),
               E'\n' ORDER BY s.position, f.label)
    INTO funds
    FROM @extschema@.target_fund_line f
    JOIN @extschema@.standard_fund_source s ON s.source = f.source
    WHERE f.target_id = id;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr class="%s" id="i%s"><td class="pos">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
               CASE WHEN i.marked THEN 'finding' ELSE 'plain' END, i.position, i.position, i.term,
               @extschema@.html_escape(i.level1), @extschema@.html_escape(i.level2), @extschema@.html_escape(i.level3),
               @extschema@.html_escape(i.target_text), @extschema@.html_escape(i.formula), @extschema@.html_escape(i.standard),
               @extschema@.html_escape(i.last_year_text), @extschema@.html_escape(i.notes)),
               E'\n' ORDER BY i.position)
    INTO inds
    FROM (SELECT ti.*, ti.position = ANY (marked_positions) AS marked
          FROM @extschema@.target_indicator ti
          WHERE ti.target_id = id) i;

    SELECT * INTO q FROM @extschema@.target_quantified x WHERE x.target_id = id;

    RETURN pg_catalog.concat(
'<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">
<head>
<meta charset="utf-8"/>
<meta name="generator" content="pjeval export_targets"/>
<title>项目支出绩效目标申报表 · ', @extschema@.html_escape(t.project_name), ' · ', t.year, '年度 · 第', t.version, '版</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 9.5pt; }
h1 { text-align: center; font-size: 16pt; margin: 0; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; }
table.form { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm; vertical-align: top; }
table.form th { background: #f0f0f0; font-weight: 400; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { white-space: pre-wrap; }
tr.finding td { background: #fff3cd; }
section.findings { margin-top: 4mm; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>项目支出绩效目标申报表</h1>
<p class="subtitle">（', t.year, '年度 · 第', t.version, '版 · ',
    CASE t.status WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' ELSE '已批复' END, '）</p>
<table class="form header">
<tr><th>项目编号</th><td>', @extschema@.html_escape(t.project_code), '</td><th>项目名称</th><td>', @extschema@.html_escape(t.project_name),
    '</td><th>申报年度</th><td>', t.year, '</td></tr>
<tr><th>实施单位</th><td>', @extschema@.html_escape(t.unit_name), '</td><th>主管部门</th><td>', @extschema@.html_escape(t.top_name),
    '</td><th>项目属性</th><td>', @extschema@.html_escape(t.attribute), '</td></tr>
', CASE WHEN t.version > 1 THEN pg_catalog.concat('<tr><th>目标版本</th><td>', t.version, '</td><th>调整原因</th><td>',
                                                     @extschema@.html_escape(t.adjustment_reason), '</td><th>申请日期</th><td>',
                                                     pg_catalog.to_char(t.requested_on, 'YYYY-MM-DD'), '</td></tr>
') END, '</table>
<h2>项目资金（', @extschema@.html_escape(t.amount_unit), '）</h2>
<table class="form funds">
<tr><th>资金来源</th><th>上年度预算安排</th><th>上年度实际执行</th><th>本年度申请金额</th></tr>
', coalesce(funds || E'\n', ''), '</table>
<h2>总体目标</h2>
<table class="form goals">
<tr><th>长期目标</th><th>年度目标</th></tr>
<tr><td class="text">', @extschema@.html_escape(t.long_term_goal), '</td><td class="text">', @extschema@.html_escape(t.annual_goal), '</td></tr>
</table>
<h2>绩效指标</h2>
<table class="form indicators">
<tr><th>序号</th><th>期限</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th><th>计算公式</th><th>绩效标准</th><th>上年度实际水平</th><th>备注</th></tr>
', coalesce(inds || E'\n', ''), '</table>
<p class="quantified">年度指标 ', q.applicable, ' 个，其中量化指标 ', q.quantified, ' 个',
    CASE WHEN q.quantified_share IS NOT NULL THEN '，占 ' || q.quantified_share || '%' ELSE '' END,
    CASE WHEN q.quantified_share_min IS NOT NULL THEN '（最低比例 ' || q.quantified_share_min || '%）' ELSE '' END, '。</p>
<table class="form notes">
<tr><th>备注</th><td class="text">', pg_catalog.replace(@extschema@.html_escape(t.notes), E'\n', '<br/>'), '</td></tr>
</table>
<section class="findings">
<h2>目标质量审核发现（', nfind, '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
END
$$;

COMMENT ON FUNCTION @extschema@.export_targets(bigint, text) IS
'One stored target form: ''text'' (default) in the tab-separated layout import_targets reads, which reads it back to the same rows; ''html'' a printable page (XHTML) with the quantified share (pjeval.target_quantified) and the findings of pjeval.target_finding, their rows marked. 02000 for a form that does not exist or that the caller may not see';

-- import_targets_workbook: the target forms of a workbook, through import_workbook_as (36_workbook.sql)

CREATE OR REPLACE FUNCTION @extschema@.import_workbook_as(workbook bytea, on_conflict text, importer text)
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    wb record;
    st text;
    msg text;
    det text;
    hint text;
BEGIN
    IF importer IS NULL OR importer NOT IN ('import_forms', 'import_monitoring', 'import_targets') THEN
        RAISE EXCEPTION 'import_workbook_as() imports with import_forms, import_monitoring or import_targets, not %',
                        coalesce(pg_catalog.quote_literal(importer), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF workbook IS NULL THEN
        -- as the import of no document: on_conflict is still checked
        RETURN QUERY EXECUTE pg_catalog.format('SELECT * FROM @extschema@.%I(NULL, $1)', importer) USING on_conflict;
        RETURN;
    END IF;
    -- A file that is not a workbook raises here (22P03, 0A000, 54000):
    -- nothing is written yet.
    wb := @extschema@.workbook_read(workbook);
    BEGIN
        RETURN QUERY EXECUTE pg_catalog.format('SELECT * FROM @extschema@.%I($1, $2)', importer)
            USING wb.document, on_conflict;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        msg := @extschema@.workbook_place(msg, wb.sheets, wb.line_sheet, wb.line_row);
        det := @extschema@.workbook_place(nullif(det, ''), wb.sheets, wb.line_sheet, wb.line_row);
        hint := @extschema@.workbook_place(nullif(hint, ''), wb.sheets, wb.line_sheet, wb.line_row);
        IF det IS NOT NULL AND hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hint;
        ELSIF det IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
        ELSIF hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hint;
        ELSE
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
        END IF;
    END;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_workbook_as(bytea, text, text) IS
'What import_workbook, import_monitoring_workbook and import_targets_workbook share: the document pjeval.workbook_read makes of the workbook, imported by importer (import_forms, import_monitoring or import_targets), its errors naming the sheet and row';

CREATE OR REPLACE FUNCTION @extschema@.import_targets_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.import_workbook_as($1, $2, 'import_targets')
$$;

COMMENT ON FUNCTION @extschema@.import_targets_workbook(bytea, text) IS
'Imports every 项目支出绩效目标申报表 on every visible sheet of an .xlsx workbook: pjeval.import_targets on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';
