-- import_security: import_forms and export_form run with the caller's
-- rights.  A unit's member imports and replaces the forms of the units it
-- works for, and nothing else (row-level security refuses with its own
-- error); only reviewers create units; a submitted or approved form is not
-- replaced (the workflow refuses, with its hint), until a reviewer reopens
-- it; the history says who imported what.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 400000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

CREATE ROLE regress_pji_a_unit NOLOGIN;
CREATE ROLE regress_pji_b_unit NOLOGIN;
CREATE ROLE regress_pji_reviewers NOLOGIN;
CREATE ROLE regress_pji_alice NOLOGIN IN ROLE regress_pji_a_unit;
CREATE ROLE regress_pji_bob NOLOGIN IN ROLE regress_pji_b_unit;
CREATE ROLE regress_pji_carol NOLOGIN IN ROLE regress_pji_reviewers;
CREATE ROLE regress_pji_nobody NOLOGIN;
-- The writes an administrator grants to the roles that enter and review forms.
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    TO regress_pji_a_unit, regress_pji_b_unit, regress_pji_reviewers;
INSERT INTO reviewer VALUES ('regress_pji_reviewers');

-- A small form: project code, name, unit, year, and one indicator.
CREATE FUNCTION pg_temp.form(code text, unit text, year integer DEFAULT 2023, actual text DEFAULT '12次')
RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(E'\n', '项目支出绩效自评表',
        format(E'项目编号:\t%s\t项目名称:\t权限测试%s\t绩效自评年度:\t%s', code, code, year),
        format(E'实施单位:\t%s\t一级预算单位:\t权限测试局', unit),
        E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分',
        E'项目资金（元）\t年度资金总额\t100\t100\t100\t10\t100\t10',
        E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分',
        format(E'\t产出指标\t数量指标\t次数\t≥10次\t%s\t90\t90', actual),
        E'总分\t\t\t\t\t\t100\t100') || E'\n'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.form(text, text, integer, text) TO PUBLIC;

-- A reviewer imports the first forms of two units; the units are made
-- (under their 一级预算单位), then their members are listed.
SET ROLE regress_pji_carol;
SELECT count(*) AS imported FROM import_forms(pg_temp.form('S-1', '权限测试甲单位') || pg_temp.form('S-2', '权限测试乙单位'));
RESET ROLE;
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pji_a_unit' FROM unit WHERE name = '权限测试甲单位';
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pji_b_unit' FROM unit WHERE name = '权限测试乙单位';
SELECT u.name, pu.name AS under, array_agg(m.role_name ORDER BY m.role_name) AS members
FROM unit u LEFT JOIN unit pu ON pu.unit_id = u.parent_id LEFT JOIN unit_member m ON m.unit_id = u.unit_id
GROUP BY u.name, pu.name ORDER BY u.name;

-- Alice imports a new form of her unit: no superuser, no reviewer needed.
SET ROLE regress_pji_alice;
SELECT count(*) AS imported FROM import_forms(pg_temp.form('S-3', '权限测试甲单位'));
SELECT project_code, unit_name, total_score FROM evaluation_result ORDER BY project_code;
-- Not for another unit: row-level security refuses the project ...
SELECT count(*) FROM import_forms(pg_temp.form('S-4', '权限测试乙单位'));
\echo :LAST_ERROR_SQLSTATE
-- ... and the unit she would have to create.
SELECT count(*) FROM import_forms(pg_temp.form('S-5', '权限测试丙单位'));
\echo :LAST_ERROR_SQLSTATE
-- The whole document fails with the form she may not import.
SELECT count(*) FROM import_forms(pg_temp.form('S-6', '权限测试甲单位') || pg_temp.form('S-7', '权限测试乙单位'));
SELECT count(*) AS s6_not_imported FROM project WHERE code = 'S-6';
RESET ROLE;

-- Bob may not take over a project of another unit by its code: he does not
-- see it, and is told so.
SET ROLE regress_pji_bob;
SELECT count(*) FROM import_forms(pg_temp.form('S-1', '权限测试乙单位', 2024));
\echo :LAST_ERROR_SQLSTATE
-- He reads out the form of his own unit, not another's.
SELECT count(*) AS visible, min(split_part(export_form(evaluation_id), E'\n', 4)) AS header_row FROM evaluation;
RESET ROLE;
SELECT evaluation_id AS s3 FROM evaluation_result WHERE project_code = 'S-3' \gset
SET ROLE regress_pji_bob;
SELECT export_form(:s3);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Someone listed nowhere imports nothing.
SET ROLE regress_pji_nobody;
SELECT count(*) FROM import_forms(pg_temp.form('S-8', '权限测试甲单位'));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A project found by its code keeps its unit: a form that says another one
-- is refused, with a hint how to move the project.
SET ROLE regress_pji_carol;
SELECT count(*) FROM import_forms(pg_temp.form('S-1', '权限测试乙单位', 2024));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Alice replaces her draft: same evaluation, new rows, and the history says
-- she did it.
SET ROLE regress_pji_alice;
SELECT id = :s3 AS same_evaluation FROM import_forms(pg_temp.form('S-3', '权限测试甲单位', actual => '8次'), 'replace') AS id;
SELECT project_code, total_score FROM evaluation_result WHERE project_code = 'S-3';
SELECT h.table_name, h.operation, h.current_user_name, count(*)
FROM history h WHERE h.evaluation_id = :s3
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT h.old_row ->> 'actual_text' AS old_actual, h2.new_row ->> 'actual_text' AS new_actual
FROM history h JOIN history h2 ON h2.evaluation_id = h.evaluation_id AND h2.table_name = 'indicator' AND h2.operation = 'INSERT'
WHERE h.evaluation_id = :s3 AND h.table_name = 'indicator' AND h.operation = 'DELETE'
ORDER BY h2.history_id DESC LIMIT 1;

-- Submitted: the workflow refuses the replacement, and nothing changes.
SELECT submit(:s3);
SELECT count(*) FROM import_forms(pg_temp.form('S-3', '权限测试甲单位', actual => '20次'), 'replace');
\echo :LAST_ERROR_SQLSTATE
SELECT status, (SELECT actual_text FROM indicator i WHERE i.evaluation_id = e.evaluation_id) AS actual
FROM evaluation e WHERE evaluation_id = :s3;
-- Without replace it is the plain conflict.
SELECT count(*) FROM import_forms(pg_temp.form('S-3', '权限测试甲单位'));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Approved: still refused; a reviewer reopens, then Alice may replace it.
SET ROLE regress_pji_carol;
SELECT approve(:s3);
RESET ROLE;
SET ROLE regress_pji_alice;
SELECT count(*) FROM import_forms(pg_temp.form('S-3', '权限测试甲单位', actual => '20次'), 'replace');
RESET ROLE;
SET ROLE regress_pji_carol;
SELECT reopen(:s3);
RESET ROLE;
SET ROLE regress_pji_alice;
SELECT count(*) AS replaced FROM import_forms(pg_temp.form('S-3', '权限测试甲单位', actual => '20次'), 'replace');
SELECT e.status, i.actual_text FROM evaluation e JOIN indicator i USING (evaluation_id) WHERE e.evaluation_id = :s3;
-- She exports her own form.
SELECT split_part(export_form(:s3), E'\n', 4) AS header_row;
RESET ROLE;

-- Every import left the history of who made each row.
SELECT h.table_name, h.current_user_name, count(*)
FROM history h WHERE h.operation = 'INSERT' AND h.table_name IN ('unit', 'project', 'evaluation')
GROUP BY 1, 2 ORDER BY 1, 2;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
