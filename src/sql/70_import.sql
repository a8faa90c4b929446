-- 70_import.sql - reading and writing the form itself:
--
--   import_forms(document, on_conflict)  the forms of a document (the
--       template 项目支出绩效自评表 as tab-separated text) into rows, all or
--       nothing, returning the evaluation ids in the document's order
--   export_form(evaluation_id, format)   one stored form back as the
--       template's text ('text', which import_forms reads back to the same
--       rows) or as a printable HTML page ('html')
--
-- The reading is done once, in C (read_forms, 35_form_reader.sql); here the
-- jsonb it returns becomes rows with a few set-based statements, one per
-- table, never a statement per form or per row.  Everything runs with the
-- caller's rights, so row-level security and the workflow (60_security.sql)
-- decide what an import may write, with their own errors.
--
-- Concurrency: every row that two imports could both create (a unit, a
-- project, a project's form for a year) is inserted with ON CONFLICT DO
-- NOTHING against its unique index and looked up again afterwards, so two
-- imports racing for the same name wait for each other instead of failing
-- with a bare unique violation; rows are taken in one order (by name, code,
-- key) so that two imports cannot deadlock on each other's rows.

-- 资金使用情况: the label of a fund row, as the reader hands it over (其中：
-- already removed), to the stored source.  NULL: not a fund source.
CREATE FUNCTION @extschema@.fund_source(label text)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN l ~ '^(年度)?(项目)?资金总额(合计)?$' OR l IN ('合计', '总计', '小计') THEN 'total'
        WHEN l ~ '^(当年|本年|年度)?财政(拨款|资金)(资金)?$' THEN 'appropriation'
        WHEN l ~ '^(上年)?结转(结余)?(资金)?$' THEN 'carryover'
        WHEN l ~ '^其他(资金|来源)?$' THEN 'other'
    END
    FROM (SELECT pg_catalog.regexp_replace($1, '[[:space:]　*＊:：]+', '', 'g') AS l) s
$$;

COMMENT ON FUNCTION @extschema@.fund_source(text) IS
'The fund line source (total, appropriation, carryover, other) a row label of 资金使用情况 names: 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金 and their usual variants; NULL for anything else';

-- The line of a document for an error message: tabs shown as " | ", as the
-- reader's own errors show them, and shortened.
CREATE FUNCTION @extschema@.document_line(document text, line integer)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN pg_catalog.char_length(l) > 120 THEN pg_catalog.left(l, 119) || '…' ELSE l END
    FROM (SELECT pg_catalog.replace(pg_catalog.rtrim(pg_catalog.split_part($1, E'\n', $2), E'\r'),
                                    E'\t', ' | ') AS l) s
$$;

COMMENT ON FUNCTION @extschema@.document_line(text, integer) IS
'Line n of a document as error messages show it (tabs as " | ", at most 120 characters)';

CREATE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    forms jsonb;
    bad record;
    form_unit bigint[];     -- per form, in the document's order
    form_top bigint[];
    form_project bigint[];
    form_eval bigint[];
    replaced bigint[];
    old_bands jsonb;
    todo integer[];
    attempt integer := 0;
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

    -- 1. Read.  A form that cannot be read at all raises here (22P02, with
    -- the form, the line and what was expected); nothing is written yet.
    forms := @extschema@.read_forms(document);

    -- 2. What the reader lets through but no table can hold: the first such
    -- cell of the document, as one error of the same shape.
    SELECT p.form, p.line, p.expected, p.sqlstate INTO bad
    FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                         year integer, unit text, top_unit text, total_weight numeric,
                                         total_score numeric, funds jsonb, indicators jsonb)
    CROSS JOIN LATERAL (
        SELECT f.form, f.line, 'a year between 2000 and 2100 after 绩效自评年度' AS expected, '22003' AS sqlstate
        WHERE f.year NOT BETWEEN 2000 AND 2100
        UNION ALL
        SELECT f.form, f.line, '实施单位 or 一级预算单位 in the header (the unit the project belongs to)', '22P02'
        WHERE f.unit IS NULL AND f.top_unit IS NULL
        UNION ALL
        SELECT f.form, f.line, 'numbers from 0 to 100 under 分值 and 得分 in the 总分 row', '22003'
        WHERE f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100
        UNION ALL
        SELECT f.form, fl.line,
               CASE
                   WHEN fl.src IS NULL THEN
                       pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', fl.source)
                   WHEN fl.nth > 1 THEN
                       pg_catalog.format('each fund source once per form (“%s” is the row of line %s)', fl.source, fl.first_line)
                   WHEN least(fl.initial_budget, fl.budget, fl.executed) < 0 THEN
                       'amounts of 0 or more under 年初预算数, 全年预算数 and 全年执行数'
                   WHEN fl.src <> 'total' AND (fl.weight IS NOT NULL OR fl.rate IS NOT NULL OR fl.score IS NOT NULL) THEN
                       '— under 分值, 执行率 and 得分 of a source row (only 年度资金总额 carries them)'
                   WHEN fl.weight NOT BETWEEN 0 AND 100 OR fl.score NOT BETWEEN 0 AND 100 OR fl.rate < 0 THEN
                       'a 分值 and 得分 from 0 to 100 and an 执行率 of 0 or more'
               END,
               CASE WHEN fl.src IS NULL OR fl.nth > 1
                      OR (fl.src <> 'total' AND (fl.weight IS NOT NULL OR fl.rate IS NOT NULL OR fl.score IS NOT NULL))
                    THEN '22P02' ELSE '22003' END
        FROM (SELECT x.*, @extschema@.fund_source(x.source) AS src,
                     pg_catalog.row_number() OVER w AS nth,
                     pg_catalog.first_value(x.line) OVER w AS first_line
              FROM jsonb_to_recordset(f.funds) AS x (line integer, source text, initial_budget numeric,
                                                     budget numeric, executed numeric, weight numeric,
                                                     rate numeric, score numeric)
              WINDOW w AS (PARTITION BY @extschema@.fund_source(x.source) ORDER BY x.line)) fl
        WHERE fl.src IS NULL OR fl.nth > 1
           OR least(fl.initial_budget, fl.budget, fl.executed) < 0
           OR (fl.src <> 'total' AND (fl.weight IS NOT NULL OR fl.rate IS NOT NULL OR fl.score IS NOT NULL))
           OR fl.weight NOT BETWEEN 0 AND 100 OR fl.score NOT BETWEEN 0 AND 100 OR fl.rate < 0
        UNION ALL
        SELECT f.form, i.line,
               CASE WHEN i.level2 IS NULL
                    THEN 'a 二级指标 (数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, …) for this indicator or a row above'
                    ELSE 'a 分值 and 得分 from 0 to 100' END,
               CASE WHEN i.level2 IS NULL THEN '22P02' ELSE '22003' END
        FROM jsonb_to_recordset(f.indicators) AS i (line integer, level2 text, weight numeric, score numeric)
        WHERE i.level2 IS NULL OR i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100
    ) p
    ORDER BY p.form, p.line
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'form % of the document cannot be read: line %', bad.form, bad.line
            USING ERRCODE = bad.sqlstate,
                  DETAIL = pg_catalog.format('Line %s: "%s"; expected %s.', bad.line,
                                             @extschema@.document_line(document, bad.line), bad.expected),
                  HINT = 'Nothing of the document was imported.';
    END IF;

    -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
    -- created at the top level when there is none; 实施单位 is a unit of
    -- that name (under its 一级预算单位 first, then at the top level), created
    -- under its 一级预算单位 when there is none.  Creating units is for
    -- reviewers (row-level security says so when someone else tries).
    INSERT INTO @extschema@.unit (name)
    SELECT DISTINCT n.name
    FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
    CROSS JOIN LATERAL (VALUES (f.top_unit), (CASE WHEN f.top_unit IS NULL THEN f.unit END)) AS n (name)
    WHERE n.name IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = n.name)
    ORDER BY n.name
    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

    SELECT pg_catalog.array_agg(t.unit_id ORDER BY f.form) INTO form_top
    FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
    LEFT JOIN LATERAL (
        SELECT u.unit_id FROM @extschema@.unit u
        WHERE u.name = f.top_unit
        ORDER BY u.parent_id IS NOT NULL, u.unit_id
        LIMIT 1) t ON true;

    INSERT INTO @extschema@.unit (name, parent_id)
    SELECT DISTINCT f.unit, form_top[f.form]
    FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
    WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit
      AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
    ORDER BY 2, 1
    ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

    SELECT pg_catalog.array_agg(coalesce(t.unit_id, form_top[f.form]) ORDER BY f.form) INTO form_unit
    FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
    LEFT JOIN LATERAL (
        SELECT u.unit_id FROM @extschema@.unit u
        WHERE u.name = f.unit
        ORDER BY u.parent_id IS NOT DISTINCT FROM form_top[f.form] DESC, u.parent_id IS NOT NULL, u.unit_id
        LIMIT 1) t ON f.unit IS DISTINCT FROM f.top_unit;

    -- 4. Projects: by 项目编号, else by name within the unit.  A project the
    -- caller cannot see is not found; inserting it again then does nothing
    -- (its code is taken) or is refused by row-level security.
    INSERT INTO @extschema@.project (code, name, unit_id)
    SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form]
    FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
    WHERE f.project_code IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.project p WHERE p.code = f.project_code)
    ORDER BY f.project_code, f.form
    ON CONFLICT (code) DO NOTHING;

    INSERT INTO @extschema@.project (name, unit_id)
    SELECT DISTINCT f.project_name, form_unit[f.form]
    FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
    WHERE f.project_code IS NULL
      AND NOT EXISTS (SELECT FROM @extschema@.project p
                      WHERE p.unit_id = form_unit[f.form] AND p.name = f.project_name)
    ORDER BY 2, 1
    ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

    SELECT pg_catalog.array_agg(p.project_id ORDER BY f.form) INTO form_project
    FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
    LEFT JOIN LATERAL (
        SELECT p.project_id FROM @extschema@.project p
        WHERE CASE WHEN f.project_code IS NOT NULL THEN p.code = f.project_code
                   ELSE p.unit_id = form_unit[f.form] AND p.name = f.project_name END
        ORDER BY p.code IS NOT NULL, p.project_id
        LIMIT 1) p ON true;

    -- A project the caller cannot see, or one that belongs to another unit.
    SELECT f.form, f.line, f.project_code, f.project_name, f.unit, p.unit_id, u.name AS project_unit INTO bad
    FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                         unit text, top_unit text)
    LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form]
    LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form]
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

    -- 5. One form per project and year in the document.
    SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
    FROM jsonb_to_recordset(forms) AS a (form integer, line integer, year integer, project_code text, project_name text)
    JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
      ON b.form > a.form AND b.year = a.year AND form_project[b.form] = form_project[a.form]
    ORDER BY b.form, a.form
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                bad.form, bad.line, bad.other_form, bad.other_line,
                coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
            USING ERRCODE = 'unique_violation',
                  HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
    END IF;

    -- 6. The forms themselves.  A project and year already stored is an
    -- error, or with on_conflict => 'replace' is replaced in place: the same
    -- evaluation_id, its profile kept, its fund lines and indicators written
    -- anew (the evaluator's band carried over where an indicator is
    -- unchanged), the old version in pjeval.history.  The workflow refuses to
    -- replace a form that is submitted or approved.  An import that races
    -- with another for the same project and year finds it on its second try.
    form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[pg_catalog.jsonb_array_length(forms)]);
    todo := ARRAY(SELECT g FROM pg_catalog.generate_series(1, pg_catalog.jsonb_array_length(forms)) g);
    LOOP
        attempt := attempt + 1;

        SELECT f.form, f.line, f.year, f.project_code, f.project_name, e.evaluation_id INTO bad
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
        JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form] AND e.year = f.year
        WHERE f.form = ANY (todo)
        ORDER BY f.form
        LIMIT 1;
        IF FOUND AND on_conflict = 'error' THEN
            RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, bad.evaluation_id
                USING ERRCODE = 'unique_violation',
                      DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                      HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
        END IF;

        IF FOUND THEN
            -- replace: lock in one order, then rewrite
            SELECT pg_catalog.array_agg(e.evaluation_id ORDER BY e.evaluation_id) INTO replaced
            FROM (SELECT e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form] AND e.year = f.year
                  WHERE f.form = ANY (todo)
                  ORDER BY e.evaluation_id
                  FOR UPDATE OF e) e;

            UPDATE @extschema@.evaluation e
            SET budget_unit_id = form_top[f.form],
                amount_unit = coalesce(f.amount_unit, '元'),
                expected_goal = f.goal_expected,
                actual_outcome = f.goal_actual,
                reported_weight_total = f.total_weight,
                reported_total = f.total_score,
                notes = f.notes
            FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                 goal_actual text, total_weight numeric, total_score numeric, notes text)
            WHERE f.form = ANY (todo)
              AND e.project_id = form_project[f.form] AND e.year = f.year
              AND e.evaluation_id = ANY (replaced);

            SELECT pg_catalog.jsonb_object_agg(i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                                               || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                                               i.band)
            INTO old_bands
            FROM @extschema@.indicator i
            WHERE i.evaluation_id = ANY (replaced) AND i.band IS NOT NULL;

            DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (replaced);
            DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (replaced);

            SELECT pg_catalog.array_agg(f.form) INTO todo
            FROM (SELECT f.form, e.evaluation_id
                  FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
                  LEFT JOIN @extschema@.evaluation e
                         ON e.project_id = form_project[f.form] AND e.year = f.year
                        AND e.evaluation_id = ANY (replaced)
                  WHERE f.form = ANY (todo)) f
            WHERE f.evaluation_id IS NULL;
            SELECT pg_catalog.array_agg(coalesce(e.evaluation_id, form_eval[g]) ORDER BY g) INTO form_eval
            FROM pg_catalog.generate_series(1, pg_catalog.jsonb_array_length(forms)) g
            LEFT JOIN (jsonb_to_recordset(forms) AS f (form integer, year integer)
                       JOIN @extschema@.evaluation e
                         ON e.project_id = form_project[f.form] AND e.year = f.year
                        AND e.evaluation_id = ANY (replaced)) ON f.form = g;
        END IF;

        -- new forms; one a concurrent import has just stored is left out
        WITH ins AS (
            INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                actual_outcome, reported_weight_total, reported_total, notes)
            SELECT form_project[f.form], f.year, form_top[f.form], coalesce(f.amount_unit, '元'),
                   f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes
            FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                 goal_actual text, total_weight numeric, total_score numeric, notes text)
            WHERE f.form = ANY (todo)
            ORDER BY form_project[f.form], f.year
            ON CONFLICT (project_id, year) DO NOTHING
            RETURNING evaluation_id, project_id, year
        )
        SELECT pg_catalog.array_agg(coalesce(ins.evaluation_id, form_eval[g]) ORDER BY g) INTO form_eval
        FROM pg_catalog.generate_series(1, pg_catalog.jsonb_array_length(forms)) g
        LEFT JOIN (jsonb_to_recordset(forms) AS f (form integer, year integer)
                   JOIN ins ON ins.project_id = form_project[f.form] AND ins.year = f.year) ON f.form = g
                                                                                          AND f.form = ANY (todo);

        todo := ARRAY(SELECT g FROM pg_catalog.generate_subscripts(form_eval, 1) g WHERE form_eval[g] IS NULL);
        EXIT WHEN pg_catalog.cardinality(todo) = 0;
        IF attempt >= 3 THEN
            RAISE EXCEPTION 'form % of the document: project and year are being written by another import at the same time', todo[1]
                USING ERRCODE = 'serialization_failure',
                      HINT = 'Try again.';
        END IF;
    END LOOP;

    -- 7. Their rows.  Amounts left blank are 0; the values of targets and
    -- actuals are read by the indicator's trigger (NULL, and flagged by the
    -- audit, where a cell does not read: the text is kept as written).
    INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                       reported_weight, reported_rate, reported_score)
    SELECT form_eval[f.form], @extschema@.fund_source(x.source), coalesce(x.initial_budget, 0),
           coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score
    FROM jsonb_to_recordset(forms) AS f (form integer, funds jsonb)
    CROSS JOIN LATERAL jsonb_to_recordset(f.funds) AS x (line integer, source text, initial_budget numeric,
                                                        budget numeric, executed numeric, weight numeric,
                                                        rate numeric, score numeric)
    ORDER BY f.form, x.line;

    INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                       weight, reported_score, deviation_reason, band)
    SELECT form_eval[f.form], x.position,
           x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
           x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
           old_bands ->> (form_eval[f.form] || '/' || x.position || '/' || x.level3 || '/'
                          || coalesce(x.target, '') || '/' || coalesce(x.actual, ''))
    FROM jsonb_to_recordset(forms) AS f (form integer, indicators jsonb)
    CROSS JOIN LATERAL jsonb_to_recordset(f.indicators) AS x (position integer, level1 text, level1_weight numeric,
                                                             level2 text, level3 text, target text, actual text,
                                                             weight numeric, score numeric, explanation text)
    ORDER BY f.form, x.position;

    RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_forms(text, text) IS
'Imports every 项目支出绩效自评表 of a tab-separated document (read by pjeval.read_forms): units and projects found or created, one evaluation per form with its fund lines and indicators. All or nothing. Returns the evaluation ids in the document''s order. on_conflict: ''error'' (default) refuses a project and year already stored (23505); ''replace'' replaces it in place, keeping the old version in pjeval.history';
