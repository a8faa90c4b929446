-- pjeval 0.2.0 -> 0.2.1 (ALTER EXTENSION pjeval UPDATE): the defects found by
-- an adversarial review (hostile stored values, hostile documents, one unit's
-- values breaking everyone's reports, workflow holes).  See CHANGELOG.md.
\echo Use "ALTER EXTENSION pjeval UPDATE TO '0.2.1'" to load this file. \quit

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
