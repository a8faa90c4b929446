-- pjeval 0.2.0 -> 0.2.1 (ALTER EXTENSION pjeval UPDATE): the defects found by
-- an adversarial review (hostile stored values, hostile documents, one unit's
-- values breaking everyone's reports, workflow holes).  See CHANGELOG.md.
\echo Use "ALTER EXTENSION pjeval UPDATE TO '0.2.1'" to load this file. \quit

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
