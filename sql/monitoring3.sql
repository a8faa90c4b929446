-- monitoring3: the year-end check (M4, docs/monitoring.md): a project's
-- self-evaluation against the forecast of the year's last approved
-- monitoring report, as findings of pjeval.monitoring_finding.  The worked
-- example (1-7月) imported and approved, then a 2023 self-evaluation of the
-- same project entered by hand.  One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT setval('monitoring_monitoring_id_seq', 950, false);
BEGIN;

\set doc `cat demo/seed/longhua-monitoring-2023.txt`
SELECT import_monitoring(:'doc') AS id;
-- 完全不可能 on 实有法人信息采集 (forecast meeting its target otherwise)
UPDATE monitoring_indicator SET likelihood = '完全不可能' WHERE monitoring_id = 950 AND position = 8;

-- The self-evaluation: 全年预算数 468万元, 全年执行数 3900000 元 (the forecast
-- was 4650000: 16.03 % of the budget away); 上报数 6100件 (forecast 5200件,
-- short of ≥6000件: met with no explanation); 采集更新量 118万条 (确定能,
-- forecast 122万条: missed); 法人信息 met (完全不可能 forecast), with an
-- explanation; 采集率 97.5% (forecast met, met: nothing).  A name written
-- with a space, a level 1 with its weight, still match.
INSERT INTO evaluation (project_id, year, amount_unit)
SELECT project_id, 2023, '万元' FROM project WHERE code = '440309210901500007728';
\set eval `echo "(SELECT evaluation_id FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) WHERE p.code = '440309210901500007728' AND e.year = 2023)"`
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed) VALUES (:eval, 'total', 468, 390);
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, deviation_reason)
VALUES (:eval, 1, '产出指标 (50分)', '数量指标', '实有人口信息采集更新量', '≥120万条', '118万条', 10, '部分街道人口外流'),
       (:eval, 2, '产出指标 (50分)', '数量指标', '矛盾纠纷和隐患事件 上报数', '≥6000件', '6100件', 10, NULL),
       (:eval, 3, '产出指标 (50分)', '质量指标', '实有人口信息采集率', '97%以上', '97.5%', 10, NULL),
       (:eval, 4, '效益指标', '社会效益指标', '实有法人信息采集', '采集率达95%以上，准确率达90%以上，注销率达95%以上',
        '采集率96.6%，准确率99.3%，注销率95.1%', 10, '公安部门协同后完成注销');

-- A draft or submitted monitoring report is not held against the year end.
SELECT count(*) AS year_end_findings_before_approval FROM monitoring_finding WHERE code LIKE 'year_end%';
SELECT submit_monitoring(950), approve_monitoring(950);
SELECT position, code, severity, message_zh, message_en
FROM monitoring_finding WHERE monitoring_id = 950 AND code LIKE 'year_end%' ORDER BY position NULLS FIRST, code;

-- The explanation silences (a); within the tolerance, the money is no
-- finding (|3900000 + 300000 − 4650000| = 450000 ≤ 468000); exactly at it
-- neither (468000), a cent beyond it is.
UPDATE indicator SET deviation_reason = '下半年补充网格员' WHERE evaluation_id = :eval AND position = 2;
UPDATE fund_line SET executed = 420 WHERE evaluation_id = :eval AND source = 'total';
SELECT position, code FROM monitoring_finding WHERE monitoring_id = 950 AND code LIKE 'year_end%' ORDER BY position NULLS FIRST, code;
UPDATE fund_line SET executed = 418.2 WHERE evaluation_id = :eval AND source = 'total';
SELECT count(*) AS at_the_tolerance FROM monitoring_finding WHERE code = 'year_end_execution_off_forecast';
UPDATE fund_line SET executed = 418.199999 WHERE evaluation_id = :eval AND source = 'total';
SELECT count(*) AS a_cent_beyond, min(message_en) AS message
FROM monitoring_finding WHERE code = 'year_end_execution_off_forecast';

-- A later approved report (1-8月) is the one held against the year end:
-- its forecast says 采集更新量 有可能 (119万条), and the year's execution as
-- found (4182000): no finding is left, 1-7月's 确定能 included.
INSERT INTO monitoring (project_id, year, month, status)
SELECT project_id, 2023, 8, 'draft' FROM monitoring WHERE monitoring_id = 950;
INSERT INTO monitoring_fund_line (monitoring_id, source, adjusted_budget, executed, forecast)
SELECT monitoring_id, 'total', 4680000, 2500000, 4182000 FROM monitoring WHERE month = 8 AND year = 2023;
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text, forecast_text, likelihood)
SELECT monitoring_id, 1, '产出指标', '数量指标', '实有人口信息采集更新量', '≥120万条', '80万条', '119万条', '有可能'
FROM monitoring WHERE month = 8 AND year = 2023;
SELECT submit_monitoring(monitoring_id), approve_monitoring(monitoring_id) FROM monitoring WHERE month = 8 AND year = 2023;
SELECT m.month, f.position, f.code
FROM monitoring_finding f JOIN monitoring m USING (monitoring_id)
WHERE f.code LIKE 'year_end%' ORDER BY m.month, f.position NULLS FIRST, f.code;

-- The codes are the catalogue's, with a message for their place.
SELECT c.code, c.scope, c.severity, array_agg(m.place ORDER BY m.place) AS places
FROM finding_catalogue c JOIN finding_message m USING (code)
WHERE c.code LIKE 'year_end%' GROUP BY c.code, c.scope, c.severity ORDER BY c.code;

ROLLBACK;
