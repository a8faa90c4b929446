-- targets_workbook_export: export_targets_workbook() writes target forms as
-- an .xlsx workbook, one sheet each in ten columns (A-J), laid out as
-- export_targets' text; import_targets_workbook reads it back to the same
-- rows, hostile text included (formulas, quotes, tabs, line breaks, markup,
-- _xHHHH_).  A 目标调整's header reads back too; export_targets refuses a
-- format it does not write, naming the workbook function; bad arguments are
-- clear errors; no temporary file is left.  One transaction, rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
\set grid2023 `cat "$PG_ABS_SRCDIR/test/fixtures/targets/grid-2023.txt"`

-- pjeval's temporary workbooks in base/pgsql_tmp (none may be left)
CREATE FUNCTION pg_temp.left_behind() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp%.pjeval%'
$$;
-- a jsonb without its "line" keys (the document's lines differ)
CREATE FUNCTION pg_temp.noline(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE jsonb_typeof(j)
        WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(k, pg_temp.noline(v)), '{}')
                            FROM jsonb_each(j) AS e (k, v) WHERE k <> 'line')
        WHEN 'array' THEN (SELECT coalesce(jsonb_agg(pg_temp.noline(v) ORDER BY n), '[]')
                           FROM jsonb_array_elements(j) WITH ORDINALITY AS e (v, n))
        ELSE j END
$$;
-- a target form's rows, without their ids
CREATE FUNCTION pg_temp.rows(ids bigint[]) RETURNS TABLE (x text) LANGUAGE sql AS $$
    SELECT concat_ws(' | ', 'form', p.code, p.name, u.name, b.name, t.year, t.version, t.profile, t.amount_unit,
                     t.attribute, t.long_term_goal, t.annual_goal, t.adjustment_reason, t.requested_on, t.notes, t.status)
    FROM pjeval.target t JOIN pjeval.project p USING (project_id) JOIN pjeval.unit u ON u.unit_id = p.unit_id
    LEFT JOIN pjeval.unit b ON b.unit_id = t.budget_unit_id
    WHERE t.target_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'fund', p.code, f.source, f.label, f.last_year_budget, f.last_year_executed, f.requested)
    FROM pjeval.target_fund_line f JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
    WHERE t.target_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'indicator', p.code, i.position, i.term, i.level1, i.level2, i.level3, i.target_text,
                     i.target, i.formula, i.standard, i.last_year_text, i.last_year, i.notes)
    FROM pjeval.target_indicator i JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
    WHERE t.target_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'finding', p.code, f.position, f.code, f.message_zh)
    FROM pjeval.target_finding f JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
    WHERE t.target_id = ANY (ids)
$$;

BEGIN;
CREATE TEMP TABLE forms (n integer, id bigint);
INSERT INTO forms SELECT n, id FROM import_targets(:'grid2023') WITH ORDINALITY AS i (id, n);

-- A form of hostile text in every field a sheet shows.
INSERT INTO unit (name) VALUES ('<单位> & "引号"');
INSERT INTO project (code, name, unit_id)
SELECT '=H1', '=HYPERLINK("http://x")项目', unit_id FROM unit WHERE name = '<单位> & "引号"';
INSERT INTO target (project_id, year, attribute, amount_unit, long_term_goal, annual_goal, notes)
SELECT project_id, 2024, '延续', '万元', E'第一行\n第二行\t制表', '"全引号"', E'@SUM(A1)\t"引"\n_x0041_ 与 &amp;'
FROM project WHERE code = '=H1';
INSERT INTO forms SELECT 2, target_id FROM target JOIN project USING (project_id) WHERE code = '=H1';
INSERT INTO target_fund_line (target_id, source, label, last_year_budget, last_year_executed, requested)
SELECT t.target_id, v.source, v.label, v.b, v.e, v.r
FROM target t JOIN project p USING (project_id),
     (VALUES ('total', NULL, 12.5, NULL, 1234567890123456.78),
             ('other', '+自有资金 <b>', 0.125, 0, 3)) AS v (source, label, b, e, r)
WHERE p.code = '=H1';
INSERT INTO target_indicator (target_id, position, term, level1, level2, level3, target_text, formula, standard,
                              last_year_text, notes)
SELECT t.target_id, v.*
FROM target t JOIN project p USING (project_id),
     (VALUES (1, '年度', '产出指标', '数量指标', '+1 件数', '≥95%', '=A1/B1', '历史', '96.5%', '-1'),
             (2, '年度', '产出指标', '数量指标', E'多行\n名称', '95%', NULL, NULL, '17', NULL),
             (3, '年度', '效益指标', '社会效益指标', 'x"y"', '=SUM(A1)', E'a\tb', '计划', NULL, '_x0041_'),
             (4, '长期', '满意度指标', '服务对象满意度指标', '满意度', '≥90.50%', '问卷调查', '行业', '0.5', '<script>'))
     AS v (position, term, level1, level2, level3, target_text, formula, standard, last_year_text, notes)
WHERE p.code = '=H1';

CREATE TEMP TABLE wb AS SELECT export_targets_workbook(ARRAY(SELECT id FROM forms ORDER BY n)) AS b;

-- 1. A zip (PK) of two sheets named after the projects, what it shows in
-- ten columns (备注 of the indicators in J), no temporary file left.
SELECT substring(b FROM 1 FOR 2) = '\x504b' AS zip, (workbook_read(b)).sheets FROM wb;
\pset format unaligned
SELECT replace(workbook_text(b), E'\t', ' | ') AS workbook_text FROM wb;
\pset format aligned
SELECT pg_temp.left_behind() AS temporary_files;

-- 2. Read back: the same forms as export_targets' text …
SELECT pg_temp.noline(read_targets(workbook_text(b)))
       = pg_temp.noline(read_targets((SELECT string_agg(export_targets(id), '' ORDER BY n) FROM forms))) AS same_forms
FROM wb;

-- … and imported over them with on_conflict => 'replace': the same rows
-- and the same findings.
CREATE TEMP TABLE before_rows AS SELECT x FROM pg_temp.rows(ARRAY(SELECT id FROM forms));
CREATE TEMP TABLE again AS SELECT n, id FROM import_targets_workbook((SELECT b FROM wb), 'replace') WITH ORDINALITY AS i (id, n);
SELECT count(*) AS imported, bool_and(id NOT IN (SELECT id FROM forms)) AS new_ids FROM again;
SELECT count(*) AS rows_before, (SELECT count(*) FROM before_rows WHERE x LIKE 'finding%') AS findings_before FROM before_rows;
SELECT count(*) AS rows_differing
FROM ((SELECT x FROM pg_temp.rows(ARRAY(SELECT id FROM again)) EXCEPT ALL SELECT x FROM before_rows)
      UNION ALL
      (SELECT x FROM before_rows EXCEPT ALL SELECT x FROM pg_temp.rows(ARRAY(SELECT id FROM again)))) d;

-- 3. A 目标调整: 目标版本, 调整原因 and 申请日期 read back.
SELECT submit_target(id), approve_target(id) FROM again WHERE n = 1;
SELECT adjust_target(id, '=调整 "原因"', '2024-06-15') AS v2 FROM again WHERE n = 1 \gset
SELECT pg_temp.noline(read_targets(workbook_text(export_targets_workbook(ARRAY[:v2]))))
       = pg_temp.noline(read_targets(export_targets(:v2))) AS same_adjusted_form,
       (read_targets(workbook_text(export_targets_workbook(ARRAY[:v2]))) -> 0) ->> 'version' AS version,
       (read_targets(workbook_text(export_targets_workbook(ARRAY[:v2]))) -> 0) ->> 'adjustment_reason' AS reason,
       (read_targets(workbook_text(export_targets_workbook(ARRAY[:v2]))) -> 0) ->> 'requested_on' AS requested_on;

-- 4. Formats and arguments: export_targets writes text and html and names
-- the workbook function for 'xlsx'; an unknown format is refused as before.
SAVEPOINT s;
SELECT export_targets(:v2, 'xlsx');
ROLLBACK TO SAVEPOINT s;
SELECT export_targets(:v2, 'pdf');
ROLLBACK TO SAVEPOINT s;
SELECT export_targets_workbook(ARRAY[:v2, NULL]);
ROLLBACK TO SAVEPOINT s;
SELECT export_targets_workbook('{}');
ROLLBACK TO SAVEPOINT s;
SELECT export_targets_workbook(ARRAY[-1]);
ROLLBACK TO SAVEPOINT s;
SELECT export_targets_workbook(NULL) IS NULL AS null_for_null;
-- each form once, in the order given
SELECT (workbook_read(export_targets_workbook(ARRAY[(SELECT id FROM again WHERE n = 2), :v2, (SELECT id FROM again WHERE n = 2)]))).sheets;

-- 5. workbook_write: a sheet's own columns (up to 16, A-P); without them the
-- template's nine, a cell beyond them refused; a bad width refused.
SELECT length(workbook_write('[{"name": "j", "cells": [[1, 16, "text", "P"]], "widths": [9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,255]}]')) > 0 AS sixteen_columns;
SELECT workbook_write('[{"name": "j", "cells": [[1, 10, "text", "J"]]}]');
ROLLBACK TO SAVEPOINT s;
SELECT workbook_write('[{"name": "j", "cells": [[1, 11, "text", "K"]], "widths": [9,9,9,9,9,9,9,9,9,9]}]');
ROLLBACK TO SAVEPOINT s;
SELECT workbook_write('[{"name": "j", "cells": [[1, 1, "text", "A"]], "widths": [9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9]}]');
ROLLBACK TO SAVEPOINT s;
SELECT workbook_write('[{"name": "j", "cells": [[1, 1, "text", "A"]], "widths": []}]');
ROLLBACK TO SAVEPOINT s;
SELECT workbook_write('[{"name": "j", "cells": [[1, 1, "text", "A"]], "widths": [9, "wide"]}]');
ROLLBACK TO SAVEPOINT s;
SELECT workbook_write('[{"name": "j", "cells": [[1, 1, "text", "A"]], "widths": [9, 0]}]');
ROLLBACK TO SAVEPOINT s;
SELECT workbook_write('[{"name": "j", "cells": [[1, 1, "text", "A"]], "widths": [9, 255.5]}]');
ROLLBACK TO SAVEPOINT s;
SELECT pg_temp.left_behind() AS temporary_files;

ROLLBACK;
