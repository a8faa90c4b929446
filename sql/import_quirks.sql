-- import_quirks: what real forms do, and what import_forms makes of it.
-- Every quirk is read, nothing is dropped: blank repeated level labels,
-- 产出指标 (50分) annotations in any width (or a weight alone), —/-
-- placeholders, full- and half-width labels, colons, brackets and spaces,
-- 项目资金（元） or （万元）, a missing 项目编号 or 年初预算数, blank lines inside
-- tables, extra trailing cells, quoted cells, * before a header, CRLF, the
-- 备注 block; values that do not read are kept as text and flagged.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 300000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

-- One form per quirk, all in one document (one import).  Lines are given
-- as arrays of cells to keep the tabs visible here.
CREATE FUNCTION pg_temp.doc(VARIADIC lines text[])
RETURNS text LANGUAGE sql AS $$ SELECT array_to_string($1, E'\n') || E'\n' $$;
CREATE FUNCTION pg_temp.row(VARIADIC cells text[])
RETURNS text LANGUAGE sql AS $$ SELECT array_to_string($1, E'\t') $$;

CREATE TEMP TABLE quirk (n serial, name text, doc text);

-- 1. The seed's layout: blank repeated labels, 产出指标 (50分), — placeholders.
INSERT INTO quirk (name, doc) VALUES ('template as published', pg_temp.doc(
    '项目支出绩效自评表',
    pg_temp.row('项目编号:', 'Q-01', '项目名称:', '样式测试一', '绩效自评年度:', '2023'),
    pg_temp.row('实施单位:', '测试中心', '一级预算单位:', '测试局', '', ''),
    '资金使用情况',
    pg_temp.row('', '', '年初预算数', '全年预算数', '全年执行数', '分值', '执行率 (%)', '得分'),
    pg_temp.row('项目资金（元）', '年度资金总额', '100.00', '200.00', '190.00', '10', '95.00', '9.5'),
    pg_temp.row('', '其中：当年财政拨款', '100.00', '200.00', '190.00', '—', '—', '—'),
    pg_temp.row('', '上年结转资金', '0.00', '0.00', '0.00', '-', '-', '-'),
    pg_temp.row('', '其他资金', '0', '0', '0', '/', '－', ''),
    '项目目标完成情况',
    pg_temp.row('年度总体目标', '预期目标', '', '', '', '* 实际完成情况', '', '', ''),
    pg_temp.row('', '完成测试', '', '', '', '已完成', '', '', ''),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '* 实际完成值', '* 分值', '* 得分', '偏差原因分析及改进措施'),
    pg_temp.row('', '产出指标 (50分)', '数量指标', '次数', '≥10次', '12次', '30', '30', ''),
    pg_temp.row('', '', '', '人数', '≥5人', '5人', '10', '10', ''),
    pg_temp.row('', '', '质量指标', '合格率', '≥90%', '95%', '10', '10', ''),
    pg_temp.row('', '效益指标 (30分)', '社会效益指标', '覆盖率', '≥90%', '80%', '30', '26.67', '—'),
    pg_temp.row('', '满意度指标 (10分)', '服务对象满意度指标', '满意度', '≥90%', '96%', '10', '10', ''),
    pg_temp.row('', '', '其他满意度指标', '不适用', '不适用', '不适用', '0', '—', ''),
    pg_temp.row('总分', '', '', '', '', '', '100', '96.17', '—'),
    '备注：',
    '作为导入模板，置灰信息无需录入且不可修改。'));

-- 2. Level-1 annotations in every width, or none, or a weight alone under a
-- name above; * before a level-1 name.
INSERT INTO quirk (name, doc) VALUES ('level-1 annotations', pg_temp.doc(
    '项目支出绩效自评表',
    pg_temp.row('项目编号:', 'Q-02', '项目名称:', '样式测试二', '绩效自评年度:', '2023'),
    pg_temp.row('实施单位:', '测试中心'),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分'),
    pg_temp.row('', '产出指标（50分）', '数量指标', 'a', '1', '1', '10', '10'),
    pg_temp.row('', '产出指标50分', '质量指标', 'b', '1', '1', '10', '10'),
    pg_temp.row('', '产出指标 (50)', '时效指标', 'c', '1', '1', '10', '10'),
    pg_temp.row('', '(45分)', '成本指标', 'd', '1', '1', '10', '10'),
    pg_temp.row('', '* 效益指标', '社会效益指标', 'e', '1', '1', '30', '30'),
    pg_temp.row('', '满意度指标', '服务对象满意度指标', 'f', '1', '1', '10', '10'),
    pg_temp.row('总分', '', '', '', '', '', '80', '80')));

-- 3. Labels in the other width, with spaces, colons and values inside the
-- label's cell; 万元; 主管部门 for 一级预算单位; 2023年度; thousands
-- separators and full-width digits in amounts; 执行率 with %.
INSERT INTO quirk (name, doc) VALUES ('label variants, 万元', pg_temp.doc(
    '2023年度项目支出绩效自评表',
    pg_temp.row('项目编号：Q-03', '项 目 名 称 ：', '样式测试三', '绩效自评年度：', '2023年度'),
    pg_temp.row('实施单位：测试站', '主管部门:', '测试局'),
    '一、资金使用情况',
    pg_temp.row('', '', '年初预算数', '全年预算数（万元）', '全年执行数', '分值', '执行率（%）', '得分'),
    pg_temp.row('项目资金 (万元)', '年度资金总额', '1,200.50', '１２００', '1,080.0', '10', '90%', '9'),
    pg_temp.row('', '其中: 当年财政拨款', '1,200.50', '１２００', '1,080.0', '—', '—', '—'),
    pg_temp.row('年度总体目标', '预期目标', '', '', '', '实际完成情况'),
    pg_temp.row('', '目标', '', '', '', '完成'),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '＊实际完成值', ' 分 值 ', '得分：', '偏差原因分析及改进措施'),
    pg_temp.row('', '产出指标', '成本指标', '项目支出', '≤1200万元', '1080万元', '50', '50'),
    pg_temp.row('合计', '', '', '', '', '', '60', '59')));

-- 4. No 项目编号 (a dash), no 年初预算数 column, no 一级预算单位: the project
-- is known by its name in its unit; blank and blank-looking lines inside
-- the tables; extra trailing cells; CRLF line ends.
INSERT INTO quirk (name, doc) VALUES ('missing code and column, blank lines, CRLF', replace(pg_temp.doc(
    '项目支出绩效自评表',
    pg_temp.row('项目编号:', '—', '项目名称:', '样式测试四', '绩效自评年度:', '2023'),
    pg_temp.row('实施单位:', '测试站'),
    '资金使用情况',
    pg_temp.row('', '', '全年预算数', '全年执行数', '分值', '执行率 (%)', '得分'),
    '',
    pg_temp.row('项目资金（元）', '年度资金总额', '500', '400', '10', '80', '8', '', '', '多余的格'),
    pg_temp.row('', '', '', ''),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'),
    pg_temp.row('', '产出指标', '数量指标', '次数', '10', '10', '50', '50', '', '多余', '的格'),
    '   ',
    pg_temp.row('', '', '', '天数', '≤5天', '4天', '40', '40'),
    pg_temp.row('总分', '', '', '', '', '', '100', '98')), E'\n', E'\r\n'));

-- 5. Quoted cells as a spreadsheet writes them: a tab, line breaks and ""
-- inside; a stray closing quote left by a copy; the 备注 block over several
-- lines; free text that mentions the sections' names.
INSERT INTO quirk (name, doc) VALUES ('quoted cells, 备注 block, free text', pg_temp.doc(
    '项目支出绩效自评表',
    pg_temp.row('项目编号:', 'Q-05', '项目名称:', '"样式测试五"', '绩效自评年度:', '2023'),
    pg_temp.row('实施单位:', '测试中心', '一级预算单位:', '测试局'),
    pg_temp.row('年度总体目标', '预期目标', '', '', '', '实际完成情况'),
    pg_temp.row('', E'"第一行\n第二行，含""引号""与\t制表符"', '', '', '', '资金使用情况良好，年度绩效指标全部完成"'),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'),
    pg_temp.row('', '产出指标', '数量指标', '资金使用情况', '"≥""5""个"', '6个', '50', '50', E'"全年预算数调整\n已说明"'),
    pg_temp.row('总分', '', '', '', '', '', '50', '50'),
    '备注：',
    '第一行备注',
    pg_temp.row('第二行', '续'),
    '作为导入模板，置灰信息无需录入且不可修改。'));

-- 6. Values that do not read: kept as written, NULL as values, flagged.
INSERT INTO quirk (name, doc) VALUES ('values that do not read', pg_temp.doc(
    '项目支出绩效自评表',
    pg_temp.row('项目编号:', 'Q-06', '项目名称:', '样式测试六', '绩效自评年度:', '2023'),
    pg_temp.row('实施单位:', '测试中心', '一级预算单位:', '测试局'),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分'),
    pg_temp.row('', '产出指标', '数量指标', '次数', '≥≥90%', '95%', '50', '50'),
    pg_temp.row('', '', '质量指标', '合格率', '≥90%', '约95%~', '40', '40'),
    pg_temp.row('', '', '时效指标', '时限', '', '', '0', ''),
    pg_temp.row('总分', '', '', '', '', '', '90', '90'),
    '备注：无'));

-- All six forms in one document, one import.
SELECT count(*) AS imported FROM import_forms((SELECT string_agg(doc, E'\n' ORDER BY n) FROM quirk));

-- The headers, units and totals as stored.
SELECT coalesce(p.code, '(none)') AS code, p.name, u.name AS unit, pu.name AS unit_under, bu.name AS budget_unit,
       e.year, e.amount_unit, e.reported_weight_total, e.reported_total
FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
LEFT JOIN unit pu ON pu.unit_id = u.parent_id LEFT JOIN unit bu ON bu.unit_id = e.budget_unit_id
ORDER BY p.name;

-- The fund lines: placeholders are NULL, a missing 年初预算数 is 0, numbers
-- as written (1,200.50 and １２００ read as 1200.50 and 1200).
SELECT p.name, f.source, f.initial_budget, f.annual_budget, f.executed, f.reported_weight, f.reported_rate, f.reported_score
FROM fund_line f JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
ORDER BY p.name, array_position(ARRAY['total', 'appropriation', 'carryover', 'other'], f.source);

-- The indicators: level labels filled down, level-1 weights in one
-- spelling, quoted cells whole.
SELECT p.name, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.weight, i.reported_score,
       i.deviation_reason
FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
ORDER BY p.name, i.position;

-- Goals and notes (line breaks shown as ⏎).
SELECT p.name, replace(e.expected_goal, E'\n', '⏎') AS expected_goal, replace(e.actual_outcome, E'\n', '⏎') AS actual_outcome,
       replace(e.notes, E'\n', '⏎') AS notes
FROM evaluation e JOIN project p USING (project_id)
ORDER BY p.name;

-- What did not read is kept and flagged; the totals still hold (the
-- reported score stands in, and the audit says so).
SELECT i.position, i.target_text, i.target, i.actual_text, i.actual
FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'Q-06' ORDER BY i.position;
SELECT a.position, a.code, a.severity, a.message_en
FROM audit_finding a JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'Q-06' AND a.position IS NOT NULL
ORDER BY a.position, a.code;
SELECT r.project_code, r.total_score, r.reported_total, r.grade FROM evaluation_result r WHERE r.project_code = 'Q-06';

-- 万元 forms are scored in 元.
SELECT project_name, amount_unit, annual_budget, executed, execution_rate, fund_score
FROM evaluation_result WHERE amount_unit = '万元';

-- The form without 项目编号 is found again by its name and unit: importing
-- it a second time is a conflict, not a second project.
SELECT count(*) FROM import_forms((SELECT doc FROM quirk WHERE name LIKE 'missing code%'));
SELECT count(*) AS projects_named_样式测试四 FROM project WHERE name = '样式测试四';

-- Every quirky form exports to the template and reads back to the same rows.
CREATE TEMP TABLE before_round_trip AS
SELECT p.code, p.name, e.year, e.amount_unit, e.expected_goal, e.actual_outcome, e.notes, e.reported_total,
       i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.weight, i.reported_score, i.deviation_reason
FROM evaluation e JOIN project p USING (project_id) JOIN indicator i USING (evaluation_id);
SELECT count(*) AS replaced
FROM import_forms((SELECT string_agg(export_form(evaluation_id), '' ORDER BY evaluation_id) FROM evaluation), 'replace');
SELECT (SELECT count(*) FROM before_round_trip) AS rows,
       (SELECT count(*) FROM (
            SELECT p.code, p.name, e.year, e.amount_unit, e.expected_goal, e.actual_outcome, e.notes, e.reported_total,
                   i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.weight, i.reported_score, i.deviation_reason
            FROM evaluation e JOIN project p USING (project_id) JOIN indicator i USING (evaluation_id)
            EXCEPT SELECT * FROM before_round_trip) x) AS changed;
SELECT p.name, f.source, f.initial_budget, f.annual_budget, f.executed
FROM fund_line f JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.name IN ('样式测试三', '样式测试四') AND f.source = 'total' ORDER BY p.name;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
