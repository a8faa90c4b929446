-- 36_workbook.sql - .xlsx workbooks (Office Open XML) as units send them
-- back, one form per sheet:
--   workbook_text(workbook)               the tab-separated document the
--       workbook holds, each cell as the spreadsheet shows it: what
--       import_forms reads, for a person to see
--   import_workbook(workbook, on_conflict) every form of every sheet, by
--       import_forms on that document; errors name the sheet and the row
--   export_workbook(evaluation_ids)       the other way: stored forms as a
--       workbook, one sheet each (below)
--
-- The reading is done once, in C (src/wb: libzip and libxml2); there is one
-- form reader, the text one, and the workbook only supplies its rows.

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

-- The workbook's document given to an import (importer: import_forms,
-- import_monitoring or import_targets), its errors placed on the sheet and
-- row instead of a line.  The import functions are defined later
-- (70_import.sql, 72_targets.sql, 75_monitoring_io.sql): PL/pgSQL finds them
-- when it runs.
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

CREATE FUNCTION @extschema@.import_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.import_workbook_as($1, $2, 'import_forms')
$$;

COMMENT ON FUNCTION @extschema@.import_workbook(bytea, text) IS
'Imports every 项目支出绩效自评表 on every visible sheet of an .xlsx workbook: pjeval.import_forms on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict, findings); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';

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
'The .xlsx workbook of sheets laid out as pjeval.export_workbook lays them out: an array of {"name", "cells": [[row, column, style, text] or [row, column, style, number, format]], "merges": [[first row, first column, last row, last column]], "repeat": [first row, last row]}, rows and columns from 1, columns A-I with the template''s widths or, with "widths": [characters, ...], as many columns as widths (at most 16, A-P; each above 0 and at most 255), styles title, part, head, text, level, number, note. Written by libxlsxwriter to a temporary file under base/pgsql_tmp, which is removed; never a formula';

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

-- The forms a workbook export writes: each id once, in the order given;
-- a NULL among them or none at all refused (arg names the argument, hint
-- says what to pass).
CREATE FUNCTION @extschema@.workbook_ids(ids bigint[], arg text, hint text)
RETURNS bigint[]
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    result bigint[];
BEGIN
    IF pg_catalog.array_position(ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION '% holds a NULL', arg
            USING ERRCODE = 'null_value_not_allowed', HINT = hint;
    END IF;
    SELECT coalesce(pg_catalog.array_agg(x.id ORDER BY x.n), '{}') INTO result
    FROM (SELECT u.id, pg_catalog.min(u.n) AS n
          FROM pg_catalog.unnest(ids) WITH ORDINALITY AS u (id, n) GROUP BY u.id) x;
    IF pg_catalog.cardinality(result) = 0 THEN
        RAISE EXCEPTION '% is empty: a workbook needs one form at least', arg
            USING ERRCODE = 'invalid_parameter_value', HINT = hint;
    END IF;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION @extschema@.workbook_ids(bigint[], text, text) IS
'The ids of the forms a workbook export writes, each once in the order given; refuses a NULL among them (22004) or none (22023)';

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
    ids := @extschema@.workbook_ids(evaluation_ids, 'evaluation_ids',
        'Pass the ids of the forms to export, e.g. ARRAY(SELECT evaluation_id FROM pjeval.evaluation WHERE year = 2022).');

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
            SELECT fl.*, s.label AS standard_label, pg_catalog.row_number() OVER (ORDER BY s.position, fl.fund_line_id) AS n
            FROM @extschema@.fund_line fl
            JOIN @extschema@.standard_fund_source s ON s.source OPERATOR(pg_catalog.=) fl.source
            WHERE fl.evaluation_id OPERATOR(pg_catalog.=) id
            ORDER BY n
        LOOP
            r := r + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 1, 'head', CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END),
                @extschema@.workbook_cell(r, 2, 'head', @extschema@.fund_line_label(f.source, f.label, f.standard_label)),
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
        IF e.execution_reason IS NOT NULL THEN
            -- 未完成原因分析 (四川), as export_form writes it
            r := r + 1;
            cells := cells || ARRAY[@extschema@.workbook_cell(r, 1, 'head', '未完成原因分析'),
                                    @extschema@.workbook_cell(r, 2, 'text', e.execution_reason)];
            merges := merges || pg_catalog.jsonb_build_array(r, 2, r, 9);
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

COMMENT ON FUNCTION @extschema@.export_workbook(bigint[]) IS
'The forms as an .xlsx workbook, one sheet each (named after the project), laid out as the template 项目支出绩效自评表 as export_form writes it, so that pjeval.import_workbook reads it back to the same rows: amounts as numbers (#,##0.00), percentages as percent cells, merged level-1 and level-2 cells, 宋体, borders, A4 portrait one page wide. Each id once, in the order given; an id the caller cannot see raises no_data_found';
