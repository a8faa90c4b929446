-- import_tolerant: what the form reader reads but finds worth a look is
-- stored with the form (pjeval.read_finding) and shown by the audit
-- (pjeval.audit_finding), on the indicator of its line or on the form;
-- replacing the form replaces them; each unit sees its own.
--
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 600000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

\set doc `cat demo/seed/longhua-2022.txt`
SELECT array_to_string(l[1:42], E'\n') AS form1, array_to_string(l[43:80], E'\n') AS form2
FROM (SELECT string_to_array(:'doc', E'\n') AS l) s \gset

-- A 执行率 and 得分 printed on the source rows (其中：当年财政拨款, …), as many
-- provinces' templates print them: read and kept on that row, checked
-- against the row's own amounts, never counted.  Where they agree there is
-- no finding, and the form scores as before.
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\t其中：当年财政拨款\t1663900.00\t1821100.00\t1808698.26\t—\t—\t—',
                                    E'\t其中：当年财政拨款\t1663900.00\t1821100.00\t1808698.26\t—\t99.32\t9.93'));
SELECT f.source, f.reported_weight, f.reported_rate, f.reported_score, f.computed_rate, f.computed_score, f.findings
FROM fund_line_result f JOIN evaluation_result r USING (evaluation_id)
ORDER BY f.source;
SELECT project_code, execution_rate, reported_execution_rate, fund_score, total_score, grade, findings, finding_count
FROM evaluation_result;
SELECT code, message_zh FROM audit_finding ORDER BY position NULLS FIRST, code;
-- Where they differ: a finding on that row (its own 分值 where it prints
-- one, else the total row's); the form's numbers are still the total row's.
-- A source of no budget has no rate to check.
SELECT count(*) AS imported
FROM import_forms(replace(replace(:'form1',
                  E'\t其中：当年财政拨款\t1663900.00\t1821100.00\t1808698.26\t—\t—\t—',
                  E'\t其中：当年财政拨款\t1663900.00\t1821100.00\t1808698.26\t10\t90\t9'),
                  E'\t上年结转资金\t0.00\t0.00\t0.00\t—\t—\t—', E'\t上年结转资金\t0.00\t0.00\t0.00\t—\t0\t0'),
                  on_conflict => 'replace');
SELECT f.source, f.reported_weight, f.reported_rate, f.reported_score, f.weight, f.computed_rate, f.computed_score, f.findings
FROM fund_line_result f
ORDER BY f.source;
SELECT project_code, execution_rate, reported_execution_rate, fund_score, total_score, grade, findings, finding_count
FROM evaluation_result;
SELECT position, code, severity, message_zh, message_en FROM audit_finding
WHERE code LIKE 'source%' ORDER BY code;
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- Labels as real templates write them: 调整后预算数, 预算执行数, 预算执行率 and
-- 权重 for the template's columns, 年度财政资金总额 for the total, 其中: with
-- an ASCII colon and 本年财政拨款, 单位资金 for the other source.
SELECT count(*) AS imported
FROM import_forms(replace(replace(replace(replace(replace(:'form1',
         E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分',
         E'\t\t年初预算数\t调整后预算数\t预算执行数\t权重\t预算执行率\t得分'),
         E'\t年度资金总额\t', E'\t年度财政资金总额\t'),
         E'\t其中：当年财政拨款\t', E'\t其中:本年财政拨款\t'),
         E'\t其他资金\t', E'\t单位资金\t'),
         E'\t* 实际完成值\t* 分值\t', E'\t* 实际完成值\t* 权重\t'));
SELECT project_code, execution_rate, fund_score, total_score, grade, weight_total, finding_count FROM evaluation_result;
SELECT source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score
FROM fund_line ORDER BY source;
DELETE FROM evaluation;
-- More fund rows than the template's: other sources each kept with its
-- name, exported as written, read back to the same rows; a name twice is
-- still one source twice.
SELECT replace(:'form1', E'\t其他资金\t0.00\t0.00\t0.00\t—\t—\t—',
               E'\t其他资金\t0.00\t0.00\t0.00\t—\t—\t—\n\t财政专户管理资金\t0.00\t0.00\t0.00\t—\t—\t—\n\t单位资金\t0.00\t0.00\t0.00\t—\t—\t—') AS extra \gset
SELECT count(*) AS imported FROM import_forms(:'extra', on_conflict => 'replace');
SELECT source, label, annual_budget, executed FROM fund_line ORDER BY fund_line_id;
SELECT project_code, execution_rate, total_score, finding_count FROM evaluation_result;
SELECT line FROM regexp_split_to_table(export_form((SELECT evaluation_id FROM evaluation)), E'\n') AS line
WHERE line ~ '资金' AND line !~ '使用情况';
SELECT count(*) AS imported FROM import_forms(export_form((SELECT evaluation_id FROM evaluation)), on_conflict => 'replace');
SELECT source, label FROM fund_line ORDER BY fund_line_id;
SELECT count(*) FROM import_forms(replace(:'extra', E'\t财政专户管理资金\t', E'\t单位资金\t'), on_conflict => 'replace');
-- a name entered by hand is written as a cell (text) and as text (HTML)
UPDATE fund_line SET label = E'<b>单位\t资金</b>' WHERE label = '单位资金';
SELECT line FROM regexp_split_to_table(export_form((SELECT evaluation_id FROM evaluation)), E'\n') AS line
WHERE line ~ '单位';
SELECT export_form((SELECT evaluation_id FROM evaluation), 'html') LIKE '%&lt;b&gt;单位%' AS escaped,
       export_form((SELECT evaluation_id FROM evaluation), 'html') NOT LIKE '%<b>单位%' AS no_markup;
DELETE FROM evaluation;
-- (the reader says which source each label names: its kind)
SELECT f ->> 'source' AS label, f ->> 'kind' AS source
FROM jsonb_array_elements(read_forms(E'项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t乙\n'
                                     || E'\t\t年初预算数\t全年预算数\t全年执行数\n'
                                     || (SELECT string_agg(E'\t' || l || E'\t0\t0\t0', E'\n')
                                         FROM unnest(ARRAY['年度财政资金总额', '资金总额', '合计', '本年财政拨款', '财政拨款',
                                                           '财政专户管理资金', '单位资金', '专项资金']) AS l))
                          -> 0 -> 'funds') AS f;

-- A 一级指标 cell that holds only its weight, (50分), its name lost with a
-- merged cell: the level 1 the standard places the 二级指标 beside it under,
-- with an info finding on each row so read.  The form scores as written.
SELECT count(*) AS imported
FROM import_forms(replace(replace(replace(:'form2', E'\t产出指标 (50分)\t', E'\t(50分)\t'),
                                  E'\t效益指标 (30分)\t', E'\t（30分）\t'),
                          E'\t满意度指标 (10分)\t', E'\t(10分)\t'));
SELECT project_code, execution_rate, fund_score, total_score, grade, output_weight, benefit_weight, satisfaction_weight
FROM evaluation_result;
SELECT i.level1, i.level2, count(*) AS indicators
FROM indicator i GROUP BY i.level1, i.level2 ORDER BY min(i.position);
SELECT code, severity, count(*) AS findings, min(message_zh) AS first_zh, min(message_en) AS first_en
FROM audit_finding GROUP BY code, severity ORDER BY code;
DELETE FROM evaluation;
-- Level-2 names real templates use beside the standard ones: 进度指标 for
-- 时效指标, 服务对象满意度指标等 for 服务对象满意度指标 (one list, the reader's:
-- pjeval.standard_level); they place their row as the standard name does,
-- with no finding, a level 1 is inferred from them; a name that is no
-- standard one is kept and flagged.
SELECT name, level, kind, level1, standard FROM standard_level ORDER BY level, kind, name;
SELECT count(*) AS imported
FROM import_forms(replace(replace(replace(:'form2', E'\t产出指标 (50分)\t数量指标\t', E'\t(50分)\t进度指标\t'),
                                  E'\t\t时效指标\t', E'\t\t创新指标\t'),
                          E'\t服务对象满意度指标\t', E'\t服务对象满意度指标等\t'));
SELECT i.position, i.level1, i.level2, r.level1_kind, r.level2_home, r.findings
FROM indicator i JOIN indicator_result r USING (evaluation_id, position)
WHERE i.level2 IN ('进度指标', '创新指标', '服务对象满意度指标等') ORDER BY i.position;
SELECT position, code, severity, message_zh FROM audit_finding ORDER BY position, code;
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- The document of import_hostile: a quote that nothing closes in the header
-- of the first form (项目名称), in an indicator of the second (三级指标) and in
-- the last cell of the third (备注).
SELECT replace(:'form1', E'\t数字化城管信息系统运行项目（系统操作员）\t', E'\t"数字化城管信息系统运行项目（系统操作员）\t')
       || E'\n' || replace(:'form2', E'\t\t\t实有人口信息准确率\t', E'\t\t\t"实有人口信息准确率\t')
       || E'\n' || rtrim(replace(replace(:'form1', '440309210901500004279', '440309210901599999999'),
                                 '作为导入模板', '"作为导入模板'), E'\n') AS hostile \gset
SELECT count(*) AS imported FROM import_forms(:'hostile');
-- stored where the reader found them
SELECT p.code, rf.line, rf.position, rf.source, rf.code, rf.detail
FROM read_finding rf JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
ORDER BY rf.line;
-- and in the audit, each form's beside its other findings
SELECT r.project_code, f.position, f.code, f.severity, f.message_zh, f.message_en
FROM audit_finding f JOIN evaluation_result r USING (evaluation_id)
WHERE f.code = 'unclosed_quote'
ORDER BY r.project_code, f.position NULLS FIRST;
SELECT r.project_code, r.finding_count, (SELECT count(*) FROM audit_finding f WHERE f.evaluation_id = r.evaluation_id) AS audit_rows
FROM evaluation_result r ORDER BY r.project_code;

-- Replaced by a clean copy, a form keeps no finding of its old text; the
-- other forms keep theirs.
SELECT count(*) AS replaced FROM import_forms(:'form2', on_conflict => 'replace');
SELECT p.code, rf.line, rf.code
FROM read_finding rf JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
ORDER BY rf.line;
-- and a clean form replaced by a quoted one gets its finding (line 21 of
-- this document is the indicator's)
SELECT count(*) AS replaced FROM import_forms(replace(:'form2', E'\t\t\t实有人口信息准确率\t', E'\t\t\t"实有人口信息准确率\t'),
                                              on_conflict => 'replace');
SELECT p.code, rf.line, rf.position, rf.code
FROM read_finding rf JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = '440309210901500007728';
-- a refused document writes no finding either
SELECT count(*) FROM import_forms(replace(:'hostile', E'绩效自评年度:\t2022', E'绩效自评年度:\t1999'), on_conflict => 'replace');
SELECT count(*) AS findings FROM read_finding;

-- Each unit sees the findings of its own forms (the table's policy, and the
-- audit's), and writes them only where it writes forms.
CREATE ROLE regress_pjt_member NOLOGIN;
CREATE ROLE regress_pjt_other NOLOGIN;
GRANT INSERT, UPDATE, DELETE ON project, evaluation, fund_line, indicator, read_finding
    TO regress_pjt_member, regress_pjt_other;
INSERT INTO unit (name) VALUES ('另一个单位');
INSERT INTO unit_member (unit_id, role_name)
SELECT u.unit_id, 'regress_pjt_member' FROM unit u WHERE u.name = '深圳市龙华区平安建设中心';
INSERT INTO unit_member (unit_id, role_name)
SELECT u.unit_id, 'regress_pjt_other' FROM unit u WHERE u.name = '另一个单位';
SELECT e.evaluation_id AS own FROM evaluation e JOIN project p USING (project_id) WHERE p.code = '440309210901500007728' \gset
SET ROLE regress_pjt_member;
SELECT count(*) AS own_findings FROM read_finding;
SELECT count(*) AS own_audit_rows FROM audit_finding WHERE code = 'unclosed_quote';
RESET ROLE;
SET ROLE regress_pjt_other;
SELECT count(*) AS others_findings FROM read_finding;
SELECT count(*) AS others_audit_rows FROM audit_finding WHERE code = 'unclosed_quote';
INSERT INTO read_finding (evaluation_id, line, code) VALUES (:own, 1, 'unclosed_quote');
RESET ROLE;
-- a submitted form's findings are as read-only as its rows
SELECT submit(e.evaluation_id) FROM evaluation e JOIN project p USING (project_id) WHERE p.code = '440309210901500007728';
SET ROLE regress_pjt_member;
DELETE FROM read_finding WHERE evaluation_id = :own;
RESET ROLE;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
