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
