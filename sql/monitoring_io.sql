-- monitoring_io: the monitoring form's text template read and written
-- (docs/monitoring.md, import and export).  The worked example (网格信息采集工作,
-- 2023, 1-7月) imported gives §3.4's lights and its one finding; exported
-- as text it imports back to the same rows (also with hostile cells); the
-- reader's tolerance; its refusals (22P02/22003 with the line and what was
-- expected, 23505, 22023), all or nothing; 'html' a printable page with
-- the lights.  One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT setval('monitoring_monitoring_id_seq', 900, false);
BEGIN;

\set doc `cat demo/seed/longhua-monitoring-2023.txt`
SELECT r.form, r.line, r.year, r.month, r.amount_unit, r.on_schedule, r.stage_met, r.reason_type,
       jsonb_array_length(r.funds) AS funds, jsonb_array_length(r.indicators) AS indicators
FROM jsonb_to_recordset(read_monitoring_forms(:'doc'))
     AS r (form int, line int, year int, month int, amount_unit text, on_schedule text, stage_met text,
           reason_type text, funds jsonb, indicators jsonb);

-- Imported: the lights of §3.4 (fund yellow at 75.00, one red, three
-- yellow, five green, one unlit; project red; 双监控 red) and finding M3.
SELECT import_monitoring(:'doc') AS id;
SELECT project_code, year, month, adjusted_budget, executed, forecast, execution_rate, time_progress, fund_index,
       fund_light, red, yellow, green, blue, unlit, project_light, dual_light, declared_dual_light
FROM monitoring_result WHERE monitoring_id = 900;
SELECT position, code FROM monitoring_finding WHERE monitoring_id = 900 ORDER BY position;
SELECT m.amount_unit, m.declared_on_schedule, m.declared_stage_met, m.reason_type, u.name AS budget_unit
FROM monitoring m JOIN unit u ON u.unit_id = m.budget_unit_id WHERE m.monitoring_id = 900;
SELECT source, label, initial_budget, added, reduced, adjusted_budget, executed, reported_rate, forecast
FROM monitoring_fund_line WHERE monitoring_id = 900 ORDER BY monitoring_fund_line_id;
SELECT position, level1, level2, level3, accrual, deviation_causes, deviation_note, likelihood, notes
FROM monitoring_indicator WHERE monitoring_id = 900 ORDER BY position;

-- Round trip: the export imported again (replace) gives the same rows, and
-- exports to the same text.
CREATE TEMP TABLE snap AS
SELECT 'm' AS t, to_jsonb(m) - '{updated_at,created_at}'::text[] AS r FROM monitoring m WHERE monitoring_id = 900
UNION ALL SELECT 'f', to_jsonb(f) - 'monitoring_fund_line_id' FROM monitoring_fund_line f WHERE monitoring_id = 900
UNION ALL SELECT 'i', to_jsonb(i) - 'monitoring_indicator_id' FROM monitoring_indicator i WHERE monitoring_id = 900;
CREATE TEMP TABLE exported AS SELECT export_monitoring(900) AS doc;
SELECT import_monitoring((SELECT doc FROM exported), 'replace') AS replaced;
CREATE TEMP TABLE snap2 AS
SELECT 'm' AS t, to_jsonb(m) - '{updated_at,created_at}'::text[] AS r FROM monitoring m WHERE monitoring_id = 900
UNION ALL SELECT 'f', to_jsonb(f) - 'monitoring_fund_line_id' FROM monitoring_fund_line f WHERE monitoring_id = 900
UNION ALL SELECT 'i', to_jsonb(i) - 'monitoring_indicator_id' FROM monitoring_indicator i WHERE monitoring_id = 900;
SELECT (SELECT count(*) FROM snap) AS rows,
       (SELECT count(*) FROM (SELECT * FROM snap EXCEPT SELECT * FROM snap2) x) AS lost,
       (SELECT count(*) FROM (SELECT * FROM snap2 EXCEPT SELECT * FROM snap) x) AS gained,
       export_monitoring(900) = (SELECT doc FROM exported) AS same_text;

-- Hostile cells: tabs, line breaks, quotes, a formula's first character,
-- a cause beyond the standard ones, 万元, another fund by name, an accrual
-- with no 备注, NULL declarations, a multi-line 备注.
UPDATE monitoring SET amount_unit = '万元', annual_goal = E'目标\t一\n二', progress = '"引号"开头',
                      declared_on_schedule = NULL, declared_stage_met = true, reason_type = NULL,
                      analysis = '=SUM(A1)', target_adjustment = NULL, notes = E'第一行\n第二行\t制表'
WHERE monitoring_id = 900;
INSERT INTO monitoring_fund_line (monitoring_id, source, label, initial_budget, adjusted_budget, executed)
VALUES (900, 'other', '单位资金', 1.5, 1.5, 0.25);
UPDATE monitoring_indicator SET level3 = E'名称\t带制表', target_text = '-5', notes = NULL, accrual = 'cumulative',
                                deviation_causes = '{经费保障,其他}', deviation_note = '天气原因', likelihood = NULL
WHERE monitoring_id = 900 AND position = 2;
UPDATE monitoring_indicator SET notes = NULL WHERE monitoring_id = 900 AND position = 3;
TRUNCATE snap, snap2;
INSERT INTO snap
SELECT 'm', to_jsonb(m) - '{updated_at,created_at}'::text[] FROM monitoring m WHERE monitoring_id = 900
UNION ALL SELECT 'f', to_jsonb(f) - 'monitoring_fund_line_id' FROM monitoring_fund_line f WHERE monitoring_id = 900
UNION ALL SELECT 'i', to_jsonb(i) - 'monitoring_indicator_id' FROM monitoring_indicator i WHERE monitoring_id = 900;
TRUNCATE exported;
INSERT INTO exported SELECT export_monitoring(900);
SELECT import_monitoring((SELECT doc FROM exported), 'replace') AS replaced;
INSERT INTO snap2
SELECT 'm', to_jsonb(m) - '{updated_at,created_at}'::text[] FROM monitoring m WHERE monitoring_id = 900
UNION ALL SELECT 'f', to_jsonb(f) - 'monitoring_fund_line_id' FROM monitoring_fund_line f WHERE monitoring_id = 900
UNION ALL SELECT 'i', to_jsonb(i) - 'monitoring_indicator_id' FROM monitoring_indicator i WHERE monitoring_id = 900;
-- what differs: only the 备注 that now says the accrual (时点指标, 累计指标)
SELECT a.r ->> 'position' AS position, a.r ->> 'notes' AS before, b.r ->> 'notes' AS after
FROM snap a JOIN snap2 b ON a.t = 'i' AND b.t = 'i' AND a.r ->> 'position' = b.r ->> 'position'
WHERE a.r IS DISTINCT FROM b.r ORDER BY 1;
SELECT (SELECT count(*) FROM (SELECT * FROM snap WHERE t <> 'i' EXCEPT SELECT * FROM snap2 WHERE t <> 'i') x) AS lost,
       (SELECT count(*) FROM (SELECT * FROM snap2 WHERE t <> 'i' EXCEPT SELECT * FROM snap WHERE t <> 'i') x) AS gained,
       (SELECT count(*) FROM (SELECT r - 'notes' FROM snap WHERE t = 'i' EXCEPT SELECT r - 'notes' FROM snap2 WHERE t = 'i') x) AS indicators_lost;
SELECT m.progress, m.analysis, m.notes, m.amount_unit, m.declared_on_schedule, m.declared_stage_met
FROM monitoring m WHERE monitoring_id = 900;
SELECT position, level3, target_text, accrual, deviation_causes, deviation_note, likelihood, notes
FROM monitoring_indicator WHERE monitoring_id = 900 AND position IN (2, 3) ORDER BY position;

-- Tolerance: 主管部门, full-width colons, the value in the label's cell,
-- periods written 1—7月, 1至7月 and 截止7月底, no 追加数/追减数, CRLF line
-- ends, extra empty cells, codes for 原因类型 and 完成目标可能性, a year in
-- the title instead of 监控年度.
SELECT r.year, r.month, r.top_unit, r.reason_type, r.funds -> 0 ->> 'added' AS added,
       r.funds -> 0 ->> 'adjusted_budget' AS adjusted, r.goal, r.progress,
       r.indicators -> 0 ->> 'likelihood' AS likelihood, r.indicators -> 0 ->> 'level2' AS level2
FROM jsonb_to_recordset(read_monitoring_forms(replace(
    E'2024年度项目支出绩效目标执行监控表\n' ||
    E'项目名称：容错项目\t\t主管部门：\t某局\t监控期间\t1—7月\n' ||
    E'资金执行情况\t\t\t\n' ||
    E'\t\t年初预算数\t全年预算数\t1至7月执行数\t全年预计执行数\n' ||
    E'项目资金（万元）\t合计\t10\t12\t5\t12\t\t\n' ||
    E'项目目标执行情况\n' ||
    E'年度总体目标\t年度目标\t截止7月底执行情况\n' ||
    E'\t全年目标\t进展\n' ||
    E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t1-7月实际完成值\t全年预计完成值\t偏差原因\t完成目标可能性\t备注\n' ||
    E'\t产出指标\t数量指标\t培训人次\t≥100人次\t50人次\t100人次\t\t2\t\n' ||
    E'执行情况分析\n' ||
    E'原因类型：\t5\n', E'\n', E'\r\n')))
    AS r (year int, month int, top_unit text, reason_type text, funds jsonb, goal text, progress text, indicators jsonb);
SELECT monitoring_reason_code(v) AS code, v
FROM unnest(ARRAY['6-根据合同约定资金暂未支付', '6', ' 6 - 根据合同约定资金暂未支付', '根据合同约定资金暂未支付', '6-其他原因', '8', '']) v;
SELECT monitoring_likelihood(v) AS likelihood, v FROM unnest(ARRAY['确定能', '3', ' 有可能 ', '4', '能']) v;
SELECT (monitoring_causes(v)).*, v FROM unnest(ARRAY['人员保障、其他', '其他，经费保障；天气', '', NULL]) v;

-- A cell whose quote nothing closes (copied from a PDF) is read as text,
-- with a notice naming its line.
SELECT count(*) AS imported
FROM import_monitoring(replace(replace(:'doc', '440309210901500007728', '440309210901500007777'),
                               E'\t上半年网格员缺编12人', E'\t"上半年网格员缺编12人'));
SELECT i.notes FROM monitoring_indicator i JOIN monitoring m USING (monitoring_id) JOIN project p USING (project_id)
WHERE p.code = '440309210901500007777' AND i.position = 2;

-- Refusals: the form, the line and what was expected; nothing imported.
SELECT count(*) AS reports_before FROM monitoring;
SELECT import_monitoring(replace(:'doc', E'年初预算数\t追加数', E'年初预算数(1-6月)\t追加数'));
SELECT import_monitoring(replace(:'doc', E'监控期间:\t1-7月', E'监控期间:\t1-13月'));
SELECT import_monitoring(replace(:'doc', E'监控期间:\t1-7月', ''));
SELECT import_monitoring(replace(:'doc', E'是否达到序时支出进度:\t否', E'是否达到序时支出进度:\t不确定'));
SELECT import_monitoring(replace(:'doc', '6-根据合同约定资金暂未支付', '9-天气'));
SELECT import_monitoring(replace(:'doc', E'有可能\t上半年', E'大概\t上半年'));
SELECT import_monitoring(replace(:'doc', '上年结转资金', '专项资金'));
SELECT import_monitoring(replace(:'doc', E'\t2047500.00\t43.75', E'\t-2047500.00\t43.75'));
SELECT import_monitoring(replace(:'doc', E'\t2047500.00\t43.75', E'\t2047500.0000000000000000001\t43.75'));
SELECT import_monitoring(replace(:'doc', E'\t4650000.00\n\t其中', E'\t很多\n\t其中'));
SELECT import_monitoring(replace(:'doc', '监控年度:	2023', '监控年度:	1999'));
SELECT import_monitoring('随便写的一行字');
SELECT import_monitoring('');
-- a document of two forms whose second fails: the first is not kept (a
-- form that cannot be read; a project of another unit, found after the
-- first form is written)
SELECT import_monitoring(replace(:'doc', '440309210901500007728', '440309210901500009999') || E'\n' ||
                         replace(:'doc', '监控期间:	1-7月', '监控期间:	1-8月'));
SELECT import_monitoring(replace(:'doc', '440309210901500007728', '440309210901500009999') || E'\n' ||
                         replace(replace(:'doc', '1-7月', '1-8月'), E'实施单位:\t深圳市龙华区平安建设中心', E'实施单位:\t另一个单位'));
SELECT count(*) AS reports_after, count(*) FILTER (WHERE p.code = '440309210901500009999') AS new_project_reports
FROM monitoring m JOIN project p USING (project_id);
-- the same report again; twice in a document; a bad on_conflict
SELECT import_monitoring(:'doc');
SELECT import_monitoring(replace(:'doc', '440309210901500007728', '440309210901500008888') || E'\n' ||
                         replace(:'doc', '440309210901500007728', '440309210901500008888'));
SELECT import_monitoring(:'doc', 'merge');
SELECT count(*) AS null_document FROM import_monitoring(NULL);
-- a submitted report is not replaced (the workflow's 55000)
SELECT submit_monitoring(900);
SELECT import_monitoring(:'doc', 'replace');
-- export: a report nobody has, a bad format
SELECT export_monitoring(12345);
SELECT export_monitoring(900, 'pdf');
SELECT export_monitoring(NULL) IS NULL AS null_id;

-- The page: a standalone document, every light of the report, the finding,
-- values escaped.
UPDATE project SET name = '<b>网格</b> & "采集"' WHERE project_id = (SELECT project_id FROM monitoring WHERE monitoring_id = 900);
CREATE TEMP TABLE page AS SELECT export_monitoring(900, 'html') AS html;
SELECT html LIKE '<!DOCTYPE html>%' AS doctype,
       html LIKE '%<html lang="zh-CN">%' AS zh_cn,
       html LIKE '%@page { size: A4 landscape;%' AS print_css,
       html LIKE '%&lt;b&gt;网格&lt;/b&gt; &amp; &quot;采集&quot;%' AS escaped,
       html NOT LIKE '%<b>网格%' AS nothing_raw,
       (SELECT count(*) FROM regexp_matches(html, '<tr class="light-[a-z]+">', 'g')) AS indicator_rows,
       (SELECT count(*) FROM regexp_matches(html, '<tr class="light-red">', 'g')) AS red_rows,
       (SELECT count(*) FROM regexp_matches(html, '<tr class="light-none">', 'g')) AS unlit_rows,
       html LIKE '%<td><span class="light yellow">黄灯</span></td><td><span class="light red">红灯</span></td>%' AS fund_then_project_light,
       (SELECT count(*) FROM regexp_matches(html, '<li class="finding-', 'g')) AS findings,
       html LIKE '%</html>%' AS closed
FROM page;

ROLLBACK;
