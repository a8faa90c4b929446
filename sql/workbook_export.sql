-- workbook_export: export_workbook() writes the forms as an .xlsx workbook,
-- one sheet each, laid out as export_form's text; import_workbook reads it
-- back to the same rows and scores.  Text that looks like a formula stays
-- text; sheet names are valid and unique; row-level security decides what
-- may be exported; bad arguments are clear errors; no temporary file is
-- left behind.  Everything runs in one transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- A statement's error as a row (the statement's work is rolled back).
CREATE FUNCTION pg_temp.try(sql text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;
-- pjeval's temporary workbooks in base/pgsql_tmp (none may be left)
CREATE FUNCTION pg_temp.left_behind() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp%.pjeval%'
$$;

BEGIN;
\set doc `cat demo/seed/longhua-2022.txt`
CREATE TEMP TABLE seed AS
SELECT n, id FROM import_forms(:'doc', on_conflict => 'replace') WITH ORDINALITY AS i (id, n);
CREATE TEMP TABLE wb AS SELECT export_workbook(ARRAY(SELECT id FROM seed ORDER BY n)) AS b;

-- 1. A zip (PK) of two sheets named after the projects; what it shows is
-- export_form's text without its blank lines: amounts under #,##0.00,
-- percentages from percent cells, merged cells blank below their first.
SELECT substring(b FROM 1 FOR 2) = '\x504b' AS zip, (workbook_read(b)).sheets FROM wb;
\pset format unaligned
SELECT replace(workbook_text(b), E'\t', ' | ') AS workbook_text FROM wb;
\pset format aligned
SELECT pg_temp.left_behind() AS temporary_files;

-- 2. Read back: the same forms as export_form's text …
CREATE FUNCTION pg_temp.noline(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE jsonb_typeof(j)
        WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(k, pg_temp.noline(v)), '{}')
                            FROM jsonb_each(j) AS e (k, v) WHERE k <> 'line')
        WHEN 'array' THEN (SELECT coalesce(jsonb_agg(pg_temp.noline(v) ORDER BY n), '[]')
                           FROM jsonb_array_elements(j) WITH ORDINALITY AS e (v, n))
        ELSE j END
$$;
SELECT pg_temp.noline(read_forms(workbook_text(b)))
       = pg_temp.noline(read_forms((SELECT string_agg(export_form(id), '' ORDER BY n) FROM seed))) AS same_forms
FROM wb;

-- … and imported over them with on_conflict => 'replace': the same rows,
-- the same results and the same findings.
CREATE FUNCTION pg_temp.rows(ids bigint[]) RETURNS TABLE (x text) LANGUAGE sql AS $$
    SELECT concat_ws(' | ', 'form', p.code, p.name, u.name, bu.name, e.year, e.profile, e.amount_unit, e.expected_goal,
                     e.actual_outcome, e.reported_weight_total, e.reported_total, e.notes, e.status, e.execution_reason)
    FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) JOIN pjeval.unit u ON u.unit_id = p.unit_id
    LEFT JOIN pjeval.unit bu ON bu.unit_id = e.budget_unit_id
    WHERE e.evaluation_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'fund', p.code, f.source, f.label, f.initial_budget, f.annual_budget, f.executed,
                     f.reported_weight, f.reported_rate, f.reported_score)
    FROM pjeval.fund_line f JOIN pjeval.evaluation e USING (evaluation_id) JOIN pjeval.project p USING (project_id)
    WHERE e.evaluation_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'indicator', p.code, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text,
                     i.target, i.actual, i.weight, i.reported_score, i.deviation_reason, i.band)
    FROM pjeval.indicator i JOIN pjeval.evaluation e USING (evaluation_id) JOIN pjeval.project p USING (project_id)
    WHERE e.evaluation_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'result', r.project_code, r.execution_rate, r.fund_score, r.total_score, r.reported_total,
                     r.grade, r.findings)
    FROM pjeval.evaluation_result r WHERE r.evaluation_id = ANY (ids)
    UNION ALL
    SELECT concat_ws(' | ', 'finding', r.project_code, a.position, a.code, a.severity, a.message_zh)
    FROM pjeval.audit_finding a JOIN pjeval.evaluation_result r USING (evaluation_id)
    WHERE a.evaluation_id = ANY (ids)
$$;
CREATE TEMP TABLE before AS SELECT * FROM pg_temp.rows(ARRAY(SELECT id FROM seed));
SELECT array_agg(id ORDER BY id) = (SELECT array_agg(id ORDER BY id) FROM seed) AS same_ids
FROM wb, import_workbook(b, on_conflict => 'replace') AS id;
SELECT (SELECT count(*) FROM before) AS rows,
       (SELECT count(*) FROM (SELECT * FROM pg_temp.rows(ARRAY(SELECT id FROM seed)) EXCEPT ALL SELECT * FROM before) x) AS added,
       (SELECT count(*) FROM (SELECT * FROM before EXCEPT ALL SELECT * FROM pg_temp.rows(ARRAY(SELECT id FROM seed))) x) AS lost;
SELECT project_name, execution_rate, fund_score, total_score, reported_total, grade
FROM evaluation_result WHERE evaluation_id IN (SELECT id FROM seed) ORDER BY project_code;
SELECT r.project_code, f.position, f.code, f.severity
FROM audit_finding f JOIN evaluation_result r USING (evaluation_id)
WHERE f.evaluation_id IN (SELECT id FROM seed) ORDER BY 1, 2, 3;

-- 3. Cells that must stay as written: text that begins like a formula (= + -
-- @) is text, never a formula (a formula would show its cached value);
-- tabs, line breaks and quotes; a level name that reads like the template's
-- own label; notes over two lines; a text that looks like the _xHHHH_
-- escape of the file format; numbers with more digits than a double
-- holds (written as text); a name with the characters a sheet name may not
-- hold and longer than 31 characters, twice, for two units.
CREATE TEMP TABLE tricky AS
SELECT x.id FROM import_forms(concat_ws(E'\n',
    '项目支出绩效自评表',
    E'项目编号:\tX-1\t项目名称:\t[测试]项目:一/二\\三*四?五——一个非常非常长的项目名称超过三十一字\t绩效自评年度:\t2023',
    E'实施单位:\t导出测试中心甲\t一级预算单位:\t导出测试中心甲',
    E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分',
    E'项目资金（元）\t年度资金总额\t1234567890123.456\t100.5\t100\t10\t99.5\t9.95',
    E'\t单位资金\t1\t1\t1',
    E'未完成原因分析\t"合同尾款\n次年支付"',
    E'年度总体目标\t预期目标\t\t\t\t实际完成情况',
    E'\t"=HYPERLINK(""http://x"")\t第二格"\t\t\t\t@SUM(A1)',
    E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施',
    E'\t产出指标 (50分)\t数量指标\t=1+1\t+5次\t-\t50\t40\t"原因：""未完成""\n改进：加快"',
    E'\t\t\t总分\t≥90.50%\t90.5%\t20\t20',
    E'\t\t质量指标\t项目名称：规范\t0.000000000000000001\t12345678901234567\t10\t10.5\t见_x0041_附件',
    E'总分\t\t\t\t\t\t80\t70.5',
    '备注：',
    E'第一行\n第二行') || E'\n') AS x (id);
INSERT INTO tricky
SELECT x.id FROM import_forms(concat_ws(E'\n',
    '项目支出绩效自评表',
    E'项目编号:\tX-2\t项目名称:\t[测试]项目:一/二\\三*四?五——一个非常非常长的项目名称超过三十一字\t绩效自评年度:\t2023',
    E'实施单位:\t导出测试中心乙\t一级预算单位:\t导出测试中心乙',
    E'总分\t\t\t\t\t\t100\t100',
    '备注：') || E'\n') AS x (id);
CREATE TEMP TABLE tricky_wb AS SELECT export_workbook(ARRAY(SELECT id FROM tricky ORDER BY id)) AS b;
SELECT (workbook_read(b)).sheets FROM tricky_wb;
\pset format unaligned
SELECT replace(workbook_text(b), E'\t', ' | ') AS workbook_text FROM tricky_wb;
\pset format aligned
CREATE TEMP TABLE tricky_before AS SELECT * FROM pg_temp.rows(ARRAY(SELECT id FROM tricky));
SELECT count(*) AS reimported FROM tricky_wb, import_workbook(b, on_conflict => 'replace');
SELECT (SELECT count(*) FROM tricky_before) AS rows,
       (SELECT count(*) FROM (SELECT * FROM pg_temp.rows(ARRAY(SELECT id FROM tricky)) EXCEPT ALL SELECT * FROM tricky_before) x) AS added,
       (SELECT count(*) FROM (SELECT * FROM tricky_before EXCEPT ALL SELECT * FROM pg_temp.rows(ARRAY(SELECT id FROM tricky))) x) AS lost;

-- 4. Each id once, in the order given; the order of the sheets follows.
SELECT (workbook_read(export_workbook(ARRAY[s2.id, s1.id, s2.id]))).sheets
FROM seed s1, seed s2 WHERE s1.n = 1 AND s2.n = 2;

-- 5. Arguments: NULL is NULL (STRICT); an empty array, a NULL id, an id
-- that does not exist are errors; nothing is left in base/pgsql_tmp.
SELECT export_workbook(NULL) IS NULL AS strict;
SELECT t.* FROM pg_temp.try($$SELECT pjeval.export_workbook('{}')$$) t;
SELECT t.* FROM pg_temp.try($$SELECT pjeval.export_workbook(ARRAY[1, NULL])$$) t;
SELECT t.state, regexp_replace(t.message, 'evaluation [0-9]+', 'evaluation N') AS message, t.hint
FROM pg_temp.try($$SELECT pjeval.export_workbook(ARRAY[-1])$$) t;
-- a text beyond the 32,767 characters of an Excel cell
SAVEPOINT long_text;
UPDATE evaluation SET notes = repeat('长', 32768) WHERE evaluation_id = (SELECT id FROM seed WHERE n = 1);
SELECT t.* FROM pg_temp.try(format('SELECT pjeval.export_workbook(ARRAY[%s])', (SELECT id FROM seed WHERE n = 1))) t;
ROLLBACK TO SAVEPOINT long_text;
SELECT pg_temp.left_behind() AS temporary_files;

-- The writer refuses a layout it cannot write (a caller of workbook_write
-- that is not export_workbook).
SELECT t.state, t.message, t.detail FROM pg_temp.try($$SELECT pjeval.workbook_write('{"name": "x"}')$$) t;
SELECT t.state, t.message, t.detail
FROM pg_temp.try($$SELECT pjeval.workbook_write('[{"name": "x", "cells": [[1, 1, "text", "a"]], "merges": [[1, 1, 2, 2], [2, 2, 3, 3]]}]')$$) t;
SELECT t.state, t.message, t.detail
FROM pg_temp.try($$SELECT pjeval.workbook_write('[{"name": "x", "cells": [[1, 10, "text", "a"]]}]')$$) t;
SELECT t.state, t.message, t.detail
FROM pg_temp.try($$SELECT pjeval.workbook_write('[{"name": "x", "cells": [[1, 1, "bold", "a"]]}]')$$) t;
SELECT t.state, t.message, t.detail
FROM pg_temp.try($$SELECT pjeval.workbook_write('[{"name": "x", "cells": [], "merges": [[1, 1, 1048576, 9]]}]')$$) t;
SELECT replace(workbook_text(workbook_write('[{"name": "x", "cells": [[1, 1, "text", "=1+1"], [1, 2, "number", 0.5, "0%"]]}]')),
               E'\t', ' | ') AS written;
SELECT pg_temp.left_behind() AS temporary_files;

-- 6. Row-level security: a unit's member exports its unit's forms, and an
-- id it cannot see is the same error as an id that does not exist.
CREATE ROLE regress_pj_export_member NOLOGIN;
CREATE ROLE regress_pj_export_other NOLOGIN;
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    TO regress_pj_export_member, regress_pj_export_other;
INSERT INTO unit_member (unit_id, role_name)
SELECT unit_id, 'regress_pj_export_member' FROM unit WHERE name = '导出测试中心甲';
INSERT INTO unit_member (unit_id, role_name)
SELECT unit_id, 'regress_pj_export_other' FROM unit WHERE name = '导出测试中心乙';
SELECT e.evaluation_id AS mine FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'X-1' \gset
SELECT e.evaluation_id AS theirs FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'X-2' \gset
SET ROLE regress_pj_export_member;
SELECT (workbook_read(export_workbook(ARRAY[:mine]))).sheets AS member_exports_own;
SELECT t.state, regexp_replace(t.message, 'evaluation [0-9]+', 'evaluation N') AS message, t.hint
FROM pg_temp.try(format('SELECT pjeval.export_workbook(ARRAY[%s, %s])', :mine, :theirs)) t;
RESET ROLE;
SET ROLE regress_pj_export_other;
SELECT t.state, regexp_replace(t.message, 'evaluation [0-9]+', 'evaluation N') AS message
FROM pg_temp.try(format('SELECT pjeval.export_workbook(ARRAY[%s])', :mine)) t;
RESET ROLE;

-- 7. Markings.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef, p.proconfig
FROM pg_proc p
WHERE p.pronamespace = 'pjeval'::regnamespace AND p.proname IN ('export_workbook', 'workbook_write', 'workbook_cell')
ORDER BY 1::text;

ROLLBACK;
