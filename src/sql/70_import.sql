-- 70_import.sql - reading and writing the form itself:
--
--   import_forms(document, on_conflict)  the forms of a document (the
--       template 项目支出绩效自评表 as tab-separated text) into rows, all or
--       nothing, returning the evaluation ids in the document's order
--   export_form(evaluation_id, format)   one stored form back as the
--       template's text ('text', which import_forms reads back to the same
--       rows) or as a printable HTML page ('html')
--
-- The reading is done in C, a batch of forms at a time (read_form_batch,
-- 35_form_reader.sql); here the jsonb of each batch becomes rows with a few
-- set-based statements, one per table, never a statement per form or per
-- row.  Everything runs with the
-- caller's rights, so row-level security and the workflow (60_security.sql)
-- decide what an import may write, with their own errors.
--
-- Concurrency: every row that two imports could both create (a unit, a
-- project, a project's form for a year) is inserted with ON CONFLICT DO
-- NOTHING against its unique index and looked up again afterwards, so two
-- imports racing for the same name wait for each other instead of failing
-- with a bare unique violation; rows are taken in one order (by name, code,
-- key) so that two imports cannot deadlock on each other's rows.

-- The line of a document for an error message: tabs shown as " | ", as the
-- reader's own errors show them, and shortened.  Lines are the reader's
-- (ended by LF, CRLF or CR), read in C without splitting the document.
CREATE FUNCTION @extschema@.document_line(document text, line integer)
RETURNS text
AS 'MODULE_PATHNAME', 'document_line'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.document_line(text, integer) IS
'Line n of a document as error messages show it (tabs as " | ", at most 120 characters)';

-- The first line at or after a line that matches a pattern (NULL if none):
-- where a form's header or 总分 row is, for an error about it.
CREATE FUNCTION @extschema@.document_find_line(document text, from_line integer, pattern text)
RETURNS integer
AS 'MODULE_PATHNAME', 'document_find_line'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.document_find_line(text, integer, text) IS
'The number of the first line at or after from_line that matches the pattern, NULL if none';

-- a[keys[i]] := vals[i] for every i, as a new flat array.  PL/pgSQL keeps an
-- array assigned element by element in an expanded form that a query reads
-- in time proportional to its length at every subscript; the import reads
-- form_eval[form] once per row, so it keeps its arrays flat.
CREATE FUNCTION @extschema@.import_set_elements(a bigint[], keys integer[], vals bigint[])
RETURNS bigint[]
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $2 IS NULL THEN $1 ELSE
        (SELECT pg_catalog.array_agg(coalesce(x.v, $1[g]) ORDER BY g)
         FROM pg_catalog.generate_series(1, pg_catalog.cardinality($1)) g
         LEFT JOIN ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS x (k, v) ON x.k = g) END
$$;

COMMENT ON FUNCTION @extschema@.import_set_elements(bigint[], integer[], bigint[]) IS
'The array a with a[keys[i]] set to vals[i]: import_forms''s way to fill in its per-form array of evaluation ids';

-- The imports write their rows through this: rows is a jsonb array of
-- objects keyed by column name (every object with the same keys), inserted
-- in the array's order; conflict an ON CONFLICT clause, returns a RETURNING
-- list whose rows it gives back as a jsonb array ('[]' without).  Into a
-- table of this node an INSERT ... SELECT.  Into a table of a Citus cluster
-- (distributed or reference) an INSERT ... VALUES of at most 10,000 rows a
-- statement, which Citus routes row by row to the shards: an INSERT ...
-- SELECT it writes with COPY, which PostgreSQL refuses under row-level
-- security (a unit's member importing).
CREATE FUNCTION @extschema@.import_insert(tbl regclass, rows jsonb,
                                          conflict text DEFAULT NULL, returns text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cols text[] := ARRAY(SELECT k FROM pg_catalog.jsonb_object_keys(rows -> 0) k ORDER BY k);
    collist text := (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c), ', ' ORDER BY o)
                     FROM pg_catalog.unnest(cols) WITH ORDINALITY AS u (c, o));
    tail text := coalesce(' ON CONFLICT ' || conflict, '') || coalesce(' RETURNING ' || returns, '');
    n integer := coalesce(pg_catalog.jsonb_array_length(rows), 0);
    result jsonb := '[]';
    part jsonb;
    stmt text;
    done integer := 0;
    on_cluster boolean := false;
BEGIN
    IF n > 0 AND pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid OPERATOR(pg_catalog.=) $1)'
            INTO on_cluster USING tbl;
    END IF;
    WHILE done < n LOOP
        IF on_cluster THEN
            SELECT pg_catalog.format('INSERT INTO %s (%s) VALUES %s', tbl, collist,
                                     pg_catalog.string_agg(
                                         (SELECT '(' || pg_catalog.string_agg(
                                                    CASE WHEN pg_catalog.jsonb_typeof(r.v -> c) = 'array'   -- an array column
                                                         THEN pg_catalog.quote_literal(coalesce(
                                                                  (SELECT pg_catalog.array_agg(e)::text
                                                                   FROM pg_catalog.jsonb_array_elements_text(r.v -> c) e), '{}'))
                                                         ELSE pg_catalog.quote_nullable(r.v ->> c) END, ', ' ORDER BY o) || ')'
                                          FROM pg_catalog.unnest(cols) WITH ORDINALITY AS u (c, o)),
                                         ', ' ORDER BY r.i))
            INTO stmt
            FROM pg_catalog.jsonb_array_elements(rows) WITH ORDINALITY AS r (v, i)
            WHERE r.i > done AND r.i <= done + 10000;
            done := done + 10000;
        ELSE
            stmt := pg_catalog.format('INSERT INTO %s (%s) SELECT %s FROM pg_catalog.jsonb_populate_recordset(NULL::%s, $1)',
                                      tbl, collist, collist, tbl);
            done := n;
        END IF;
        IF returns IS NULL THEN
            EXECUTE stmt || tail USING rows;
        ELSE
            EXECUTE 'WITH ins AS (' || stmt || tail || ') SELECT pg_catalog.jsonb_agg(ins) FROM ins' INTO part USING rows;
            result := result || coalesce(part, '[]');
        END IF;
    END LOOP;
    RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.import_insert(regclass, jsonb, text, text) IS
'The imports'' writes: the rows (a jsonb array of objects keyed by column name) inserted in order, with an ON CONFLICT clause and a RETURNING list whose rows it returns as jsonb; into a Citus table as INSERT ... VALUES (Citus would write an INSERT ... SELECT with COPY, which PostgreSQL refuses under row-level security)';

-- The first cell of a document (in the document's order) that the reader
-- lets through but no table can hold: a year out of range, no unit, an
-- unknown fund source or one twice, a negative amount, a weight or score
-- beyond 0-100, an amount, weight or score beyond
-- exact scoring (is_scorable_number), an indicator without 二级指标.
-- pattern, where set, finds the row to show (the header's, the 总分 row).
-- import_forms asks only when something failed: the constraints of the
-- tables catch all of these, this says where.
CREATE FUNCTION @extschema@.import_problem(forms jsonb, funds jsonb, inds jsonb)
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

COMMENT ON FUNCTION @extschema@.import_problem(jsonb, jsonb, jsonb) IS
'The first cell of a read document that no table can hold, with what was expected there: how import_forms explains a refusal';

-- Raises the document's first problem (see import_problem) as the error of
-- a form that cannot be read; returns when there is none.
CREATE FUNCTION @extschema@.import_raise_problem(document text, forms jsonb, funds jsonb, inds jsonb)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    SELECT * INTO bad FROM @extschema@.import_problem(forms, funds, inds);
    IF FOUND THEN
        IF bad.pattern IS NOT NULL THEN
            bad.line := coalesce(@extschema@.document_find_line(document, bad.line, bad.pattern), bad.line);
        END IF;
        RAISE EXCEPTION 'form % of the document cannot be read: line %', bad.form, bad.line
            USING ERRCODE = bad.sqlstate,
                  DETAIL = pg_catalog.format('Line %s: "%s"; expected %s.', bad.line,
                                             @extschema@.document_line(document, bad.line), bad.expected),
                  HINT = 'Nothing of the document was imported.';
    END IF;
END
$fn$;

CREATE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
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
        -- the results of the batch's forms are stored once, after step 7
        -- (55_results.sql), not after each statement
        PERFORM @extschema@.defer_results();
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
                    fund_block_weight = f.fund_weight,
                    execution_reason = f.execution_reason
                FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
                JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                     total_weight numeric, total_score numeric, notes text, total_grade text,
                                                     fund_weight numeric, execution_reason text)
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
            SELECT pg_catalog.array_agg(f.form - base), pg_catalog.array_agg(ins.evaluation_id)
            INTO found_forms, found_evals
            FROM jsonb_to_recordset(@extschema@.import_insert(
                     '@extschema@.evaluation',
                     (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                 'project_id', form_project[f.form - base], 'year', f.year,
                                 'budget_unit_id', nullif(form_top[f.form - base], 0),
                                 'amount_unit', coalesce(f.amount_unit, '元'), 'expected_goal', f.goal_expected,
                                 'actual_outcome', f.goal_actual, 'reported_weight_total', f.total_weight,
                                 'reported_total', f.total_score, 'notes', f.notes, 'reported_grade', f.total_grade,
                                 'fund_block_weight', f.fund_weight, 'execution_reason', f.execution_reason)
                             ORDER BY form_project[f.form - base], f.year)
                      FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                           goal_actual text, total_weight numeric, total_score numeric, notes text,
                                                           total_grade text, fund_weight numeric, execution_reason text)
                      JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
                      WHERE form_eval[f.form - base] IS NULL),     -- not just replaced
                     CASE WHEN NOT on_cluster THEN '(project_id, year) DO NOTHING' END,
                     'evaluation_id, project_id, year')) AS ins (evaluation_id bigint, project_id bigint, year integer)
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
            PERFORM @extschema@.import_insert('@extschema@.fund_line',
                (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'evaluation_id', form_eval[x.form - base], 'form_project_id', form_project[x.form - base],
                            'source', x.kind, 'initial_budget', coalesce(x.initial_budget, 0),
                            'annual_budget', coalesce(x.budget, 0), 'executed', coalesce(x.executed, 0),
                            'reported_weight', x.weight, 'reported_rate', x.rate, 'reported_score', x.score,
                            'label', CASE WHEN x.kind = 'other' THEN nullif(x.source, sfs.label) END)
                        ORDER BY x.form, x.line)
                 FROM jsonb_to_recordset(funds) AS x (form integer, line integer, source text, kind text, initial_budget numeric,
                                                      budget numeric, executed numeric, weight numeric, rate numeric, score numeric)
                 LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.kind));

            RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
            t0 := clock_timestamp();
            PERFORM @extschema@.import_insert('@extschema@.indicator',
                (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'evaluation_id', form_eval[x.form - base], 'form_project_id', form_project[x.form - base],
                            'position', x.position, 'level1', x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
                            'level2', x.level2, 'level3', x.level3, 'target_text', x.target, 'actual_text', x.actual,
                            'weight', x.weight, 'reported_score', x.score, 'deviation_reason', x.explanation,
                            'band', CASE WHEN old_bands IS NOT NULL
                                         THEN old_bands ->> (form_eval[x.form - base] || '/' || x.position || '/' || x.level3 || '/'
                                                             || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END))
                 FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                                     level2 text, level3 text, target text, actual text,
                                                     weight numeric, score numeric, explanation text)));
        writing_rows := false;

        -- What the reader found worth a look, on the row of its line (an
        -- indicator, a fund row) or on the form.
        IF pg_catalog.jsonb_path_exists(forms, '$[*].findings[*]') THEN
            PERFORM @extschema@.import_insert('@extschema@.read_finding',
                (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'evaluation_id', form_eval[x.form - base], 'form_project_id', form_project[x.form - base],
                            'line', x.line, 'position', i.position, 'source', fl.kind, 'code', x.code, 'detail', x.detail)
                        ORDER BY x.form, x.line)
                 FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                      AS x (form integer, line integer, code text, detail text)
                 LEFT JOIN jsonb_to_recordset(inds) AS i (form integer, line integer, position integer)
                   ON i.form = x.form AND i.line = x.line
                 LEFT JOIN jsonb_to_recordset(funds) AS fl (form integer, line integer, kind text)
                   ON fl.form = x.form AND fl.line = x.line));
        END IF;

        RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        PERFORM @extschema@.store_deferred_results();
        RAISE DEBUG 'import_forms: % % ms', 'results', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
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

COMMENT ON FUNCTION @extschema@.import_forms(text, text) IS
'Imports every 项目支出绩效自评表 of a tab-separated document of any size (read a batch of forms at a time by pjeval.read_form_batch): units and projects found or created, one evaluation per form with its fund lines and indicators. All or nothing. Returns the evaluation ids in the document''s order. on_conflict: ''error'' (default) refuses a project and year already stored (23505); ''replace'' replaces it in place, keeping the old version in pjeval.history';

-- ------------------------------------------------------------------ export

-- A cell of tab-separated text: quoted (with "" for a quote) when it holds a
-- tab or a line break or begins or ends with a quote, as a spreadsheet
-- writes it and as the reader reads it back.  A value that a spreadsheet
-- would take for a formula (it begins with = + - @, a tab or a carriage
-- return) is written after a zero-width space (U+200B): the spreadsheet
-- shows it as text, and the reader, which trims white space (U+200B too),
-- reads the value back as it was.
CREATE FUNCTION @extschema@.export_cell(value text)
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

COMMENT ON FUNCTION @extschema@.export_cell(text) IS
'A value as one cell of tab-separated text: quoted, with "" for a quote, where it holds a tab or a line break or begins or ends with a quote; after a zero-width space (U+200B), which the reader trims, where a spreadsheet would take it for a formula (= + - @, a tab or a carriage return first); NULL is the empty cell';

-- Would the reader take this text, as the first filled cell of a row, for
-- one of the template's own labels (总分, 备注, a header, a title)?  Then the
-- export repeats the label on the left instead of leaving it blank.
CREATE FUNCTION @extschema@.is_template_label(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l ~ '^(总分|合计)$'
        OR l ~ '^(项目编号|项目代码|项目名称|绩效自评年度|自评年度|评价年度|实施单位|一级预算单位|主管部门)([:：]|$)'
        OR l ~ '^作为导[入出]模板'
        OR l ~ '项目支出绩效自评表'
        OR pg_catalog.btrim($1, E' \t\r\n　') LIKE '备注%'
    FROM (SELECT pg_catalog.regexp_replace($1, '[[:space:]　*＊]+', '', 'g') AS l) s
$$;

COMMENT ON FUNCTION @extschema@.is_template_label(text) IS
'True when the text, alone at the start of a row, would read as one of the template''s own labels (总分, 合计, 备注, a header label, the title)';

-- A form's indicator rows as the exports lay them out (export_form's text,
-- export_workbook's sheet): the level-1 and level-2 cells written where a
-- new level starts, blank where they repeat the row above, unless the row
-- would then begin with a word the reader takes for the template's own
-- (总分, 备注, …); and how many rows each written cell heads (a workbook
-- merges it over them).  Runs as the caller: row-level security applies.
-- (PL/pgSQL, not SQL: Citus plans no query of a distributed table with a
-- SQL function's parameter in it.)
CREATE FUNCTION @extschema@.export_indicator_rows(evaluation_id bigint)
RETURNS TABLE(ind @extschema@.indicator, show_level1 boolean, show_level2 boolean,
              level1_rows bigint, level2_rows bigint)
LANGUAGE plpgsql
STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
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
                      WHERE i.evaluation_id OPERATOR(pg_catalog.=) export_indicator_rows.evaluation_id
                      WINDOW w AS (ORDER BY i.position)) x) a) b
    ORDER BY (b.ind).position;
END
$$;

COMMENT ON FUNCTION @extschema@.export_indicator_rows(bigint) IS
'A form''s indicator rows in order, with where the exports write the level-1 and level-2 cells (show_level1, show_level2) and how many rows each written cell heads';


CREATE FUNCTION @extschema@.export_form(evaluation_id bigint, format text DEFAULT 'text')
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
                   @extschema@.export_cell(@extschema@.fund_line_label(f.source, f.label, f.standard_label)),
                   f.initial_budget, f.annual_budget, f.executed,
                   coalesce(f.reported_weight::text, '—'), coalesce(f.reported_rate::text, '—'),
                   coalesce(f.reported_score::text, '—')),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, s.label AS standard_label, pg_catalog.row_number() OVER (ORDER BY s.position, fl.fund_line_id) AS n
          FROM @extschema@.fund_line fl
          JOIN @extschema@.standard_fund_source s ON s.source = fl.source
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
    IF e.execution_reason IS NOT NULL THEN
        out := out || (E'未完成原因分析\t' || @extschema@.export_cell(e.execution_reason));
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

COMMENT ON FUNCTION @extschema@.export_form(bigint, text) IS
'One stored form written out: ''text'' is the template 项目支出绩效自评表 as tab-separated text, which pjeval.import_forms reads back to the same rows; ''html'' is a printable page of the form with the computed scores beside the reported ones and the audit''s findings marked';

-- The form as a printable page.  One <table> in the template's layout
-- (header, 资金使用情况, 项目目标完成情况, 年度绩效指标 with merged level-1 and
-- level-2 cells, 总分, 备注); beside each reported 执行率 and 得分 the computed
-- one; rows with findings of pjeval.audit_finding shaded by severity and
-- numbered, the findings listed below.  No script, no external resource: a
-- CJK font stack and print CSS (A4) only.  Every value is escaped.
CREATE FUNCTION @extschema@.export_form_html(evaluation_id bigint)
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
               @extschema@.html_escape(@extschema@.fund_line_label(f.source, f.label, f.standard_label)),
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
    FROM (SELECT fl.*, s.label AS standard_label, pg_catalog.row_number() OVER (ORDER BY s.position, fl.fund_line_id) AS n,
                 m.sev, m.marks
          FROM @extschema@.fund_line fl
          JOIN @extschema@.standard_fund_source s ON s.source = fl.source
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
', coalesce(funds, ''),
        CASE WHEN e.execution_reason IS NOT NULL
             THEN E'\n<tr><th colspan="3">未完成原因分析</th><td colspan="6" class="text">'
                  || pg_catalog.replace(@extschema@.html_escape(e.execution_reason), E'\n', '<br>') || '</td></tr>' END, '
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

COMMENT ON FUNCTION @extschema@.export_form_html(bigint) IS
'export_form(evaluation_id, ''html''): the form as a standalone printable page';
