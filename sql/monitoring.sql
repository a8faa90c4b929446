-- monitoring: in-year monitoring (docs/monitoring.md).  The light functions
-- with the worked examples and their boundaries and errors; the worked
-- 2023 1-7月 form (网格信息采集工作) entered end to end and read back through
-- pjeval.monitoring_result; row-level security, the workflow's locking and
-- the history of the monitoring tables.  One transaction, rolled back at
-- the end: the roles, units, rows and their history are all undone.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
-- Keys from a known place, whatever ran before (setval is not undone).
SELECT setval('monitoring_monitoring_id_seq', 1, false);
BEGIN;

-- 时间进度: month basis N/12, day basis days passed (2023-07-31 is day 212).
SELECT m, time_progress(2023, m) AS month_basis, time_progress(2023, m, 'day') AS day_basis,
       time_progress(2024, m, 'day') AS leap_year
FROM unnest(ARRAY[1, 2, 6, 7, 12]) m;
SELECT time_progress(2023, 0);
SELECT time_progress(2023, 13);
SELECT time_progress(0, 7, 'day');
SELECT time_progress(2023, 7, 'week');

-- The fund light: the table of §3.1, then the edges (exactly 60 and 80 are
-- the higher band; 7/12 is exact, not 58.33).
SELECT b, e, m, fund_light(b, e, m) AS light, (fund_status(b, e, m)).*
FROM (VALUES (100, 40, 6), (100, 35, 6), (100, 25, 6), (4680000.00, 2047500.00, 7),
             (100, 30, 6), (100, 29.99, 6), (100, 39.9999999, 6), (100, 60, 6),
             (4680000, 2184000, 7), (4680000, 2183999.99, 7), (4680000, 1638000, 7), (4680000, 1637999.99, 7),
             (60, 35, 7), (60, 34.9999, 7), (1821100.00, 1808698.26, 12), (100, 0, 6),
             (0, 0, 7), (0, 10, 7)) AS t(b, e, m);
-- the day basis (v 75.32), bands of a profile (50 / 70), NULLs
SELECT fund_light(4680000.00, 2047500.00, 7, 2023, 'day') AS light, (fund_status(4680000.00, 2047500.00, 7, 2023, 'day')).fund_index;
SELECT fund_light(100, 35, 6, NULL, 'month', 50, 70) AS green_at_70, fund_light(100, 24.99, 6, NULL, 'month', 50, 70) AS red_below_50;
SELECT fund_light(NULL, 10, 7) IS NULL AS null_budget, fund_light(100, 10, NULL) IS NULL AS null_month;
-- errors: month, the day basis without its year, negative amounts, bands
SELECT fund_light(100, 10, 13);
SELECT fund_light(100, 10, 7, NULL, 'day');
SELECT fund_light(-1, 10, 7);
SELECT fund_light(100, 'NaN', 7);
SELECT fund_light(100, 10, 7, NULL, 'month', 80, 60);
SELECT fund_light(100, 1e30, 7);

-- The indicator light: the ten rows of the worked example (§3.4).
SELECT n, t, a, indicator_light(t::indicator_value, a::indicator_value, 7, c, acc, 2023) AS light
FROM (VALUES (1, '≥120万条', '61.6万条', '数量指标', NULL),
             (2, '≥6000件', '2100件', '数量指标', NULL),
             (3, '3180套', '3180套', '数量指标', 'point'),
             (4, '97%以上', '96.85%', '质量指标', NULL),
             (5, '低于3%', '3.20%', '质量指标', NULL),
             (6, '2023年11月30日前', '进行中', '时效指标', NULL),
             (7, '≤468万元', '204.75万元', '成本指标', NULL),
             (8, '采集率达95%以上，准确率达90%以上，注销率达95%以上', '采集率96.10%，准确率99.20%，注销率75.00%', '社会效益指标', NULL),
             (9, '有效提升', '部分达成', '社会效益指标', NULL),
             (10, '95%以上', '—', '服务对象满意度指标', NULL)) AS x(n, t, a, c, acc)
ORDER BY n;
-- row 3 without its 时点 override is pro-rated (171.43: blue); the edges of
-- the bands; month 12; an actual of 0; reverse and dated targets
SELECT t, a, m, indicator_light(t::indicator_value, a::indicator_value, m, NULL, NULL, 2023) AS light
FROM (VALUES ('3180套', '3180套', 7), ('≥100件', '30件', 6), ('≥100件', '29.99件', 6),
             ('≥100件', '40件', 6), ('≥100件', '39.99件', 6), ('≥100件', '60件', 6), ('≥100件', '59.99件', 6),
             ('≥120万条', '96万条', 12), ('≥120万条', '95.9万条', 12), ('≥6000件', '0件', 7),
             ('≥90%', '54%', 7), ('≥90%', '108%', 7), ('≤5%', '5%', 7), ('<5%', '5%', 7),
             ('2023年7月31日前', '进行中', 7), ('2023年8月1日前', '进行中', 7),
             ('2023年6月30日前', '2023年7月15日', 7), ('有效提升', '达成目标', 7),
             ('有效提升', '未达成', 7), ('≥6000件', '50%', 7), ('不适用', '不适用', 7)) AS x(t, a, m);
SELECT indicator_light('≥90%', '45%', 6, NULL, 'cumulative') AS cumulative_override,
       indicator_light('≥90%', '45%', 6, NULL, NULL, NULL, 50, 60, 100) AS profile_bands,
       indicator_light(NULL, '45%', 6) IS NULL AS unreadable;
SELECT indicator_light('≥90%', '45%', 0);
SELECT indicator_light('≥90%', '45%', 6, NULL, 'stock');
SELECT indicator_light('≥90%', '45%', 6, NULL, NULL, NULL, 60, 80, 70);

-- The project light (the worst) and the 双监控 matrix.
SELECT project_light(l) FROM unnest(ARRAY['green', 'yellow', 'green', 'green', 'red', 'green', 'green', 'yellow', 'yellow', NULL]) l;
SELECT project_light(l) FROM unnest(ARRAY['blue', 'green', NULL]) l;
SELECT project_light(l) IS NULL AS no_light FROM unnest(ARRAY[NULL::text]) l;
SELECT worse_light('green', 'amber');
SELECT s, g, dual_light(s, g) FROM (VALUES (true, true), (true, false), (false, true), (false, false),
                                          (false, NULL), (true, NULL), (NULL, true)) AS x(s, g);

-- The worked form, entered by a unit member.
CREATE ROLE regress_pjm_unit NOLOGIN;
CREATE ROLE regress_pjm_other NOLOGIN;
CREATE ROLE regress_pjm_reviewers NOLOGIN;
CREATE ROLE regress_pjm_member NOLOGIN IN ROLE regress_pjm_unit;
CREATE ROLE regress_pjm_stranger NOLOGIN IN ROLE regress_pjm_other;
CREATE ROLE regress_pjm_reviewer NOLOGIN IN ROLE regress_pjm_reviewers;
GRANT INSERT, UPDATE, DELETE ON unit, project, monitoring, monitoring_fund_line, monitoring_indicator
    TO regress_pjm_unit, regress_pjm_other, regress_pjm_reviewers;
INSERT INTO unit (name) VALUES ('监控测试中心'), ('监控其他单位');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjm_unit' FROM unit WHERE name = '监控测试中心';
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjm_other' FROM unit WHERE name = '监控其他单位';
INSERT INTO reviewer VALUES ('regress_pjm_reviewers');

SET ROLE regress_pjm_member;
INSERT INTO project (code, name, unit_id)
SELECT '440309210901500007728-M', '网格信息采集工作', unit_id FROM unit WHERE name = '监控测试中心';
INSERT INTO monitoring (project_id, year, month, declared_on_schedule, declared_stage_met, reason_type, analysis, target_adjustment)
SELECT project_id, 2023, 7, false, false, 6,
       '服务合同约定按季度验收后付款，二季度服务费于8月支付；追减120000.00元为设备采购节余。',
       '随预算追减，成本指标"项目支出"由≤480万元调整为≤468万元，已批准。'
FROM project WHERE code = '440309210901500007728-M';
RESET ROLE;
SELECT monitoring_id AS report FROM monitoring m JOIN project p USING (project_id)
WHERE p.code = '440309210901500007728-M' \gset
SET ROLE regress_pjm_member;
INSERT INTO monitoring_fund_line (monitoring_id, source, initial_budget, added, reduced, adjusted_budget, executed, reported_rate, forecast)
VALUES (:report, 'total', 4800000.00, 0.00, 120000.00, 4680000.00, 2047500.00, 43.75, 4650000.00),
       (:report, 'appropriation', 4800000.00, 0.00, 120000.00, 4680000.00, 2047500.00, 43.75, 4650000.00),
       (:report, 'carryover', 0, 0, 0, 0, 0, NULL, 0),
       (:report, 'other', 0, 0, 0, 0, 0, NULL, 0);
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text, forecast_text,
                                  accrual, deviation_causes, likelihood, notes)
VALUES (:report, 1, '产出指标', '数量指标', '实有人口信息采集更新量', '≥120万条', '61.6万条', '122万条', NULL, '{}', '确定能', NULL),
       (:report, 2, '产出指标', '数量指标', '矛盾纠纷和隐患事件上报数', '≥6000件', '2100件', '5200件', NULL, '{人员保障,其他}', '有可能', '上半年网格员缺编12人'),
       (:report, 3, '产出指标', '数量指标', '通讯服务及身份证信息读取功能等服务套数', '3180套', '3180套', '3180套', 'point', '{}', '确定能', '时点指标'),
       (:report, 4, '产出指标', '质量指标', '实有人口信息采集率', '97%以上', '96.85%', '97.20%', NULL, '{}', '确定能', NULL),
       (:report, 5, '产出指标', '质量指标', '实有人口信息未注销率', '低于3%', '3.20%', '2.90%', NULL, '{人员保障}', '确定能', NULL),
       (:report, 6, '产出指标', '时效指标', '年度数据核查完成时间', '2023年11月30日前', '进行中', '2023年11月30日前', NULL, '{}', '确定能', NULL),
       (:report, 7, '产出指标', '成本指标', '项目支出', '≤468万元', '204.75万元', '465万元', NULL, '{}', '确定能', '目标已调整，原为≤480万元'),
       (:report, 8, '效益指标', '社会效益指标', '实有法人信息采集', '采集率达95%以上，准确率达90%以上，注销率达95%以上',
        '采集率96.10%，准确率99.20%，注销率75.00%', '采集率96.50%，准确率99.30%，注销率95.20%', NULL, '{制度保障}', '有可能', '注销需公安部门协同核实'),
       (:report, 9, '效益指标', '社会效益指标', '基层治理精细化水平', '有效提升', '部分达成', '达成', NULL, '{制度保障}', '有可能', '网格事项准入清单待印发'),
       (:report, 10, '满意度指标', '服务对象满意度指标', '工作人员满意度', '95%以上', '—', '95%', NULL, '{}', '有可能', '年底开展满意度调查');
-- the values are read by the trigger, the forecast too
SELECT position, target, actual, forecast, kind(actual) AS actual_kind FROM monitoring_indicator
WHERE monitoring_id = :report ORDER BY position;
-- a cause outside the five is refused by its type
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, deviation_causes)
VALUES (:report, 11, '产出指标', '数量指标', 'x', '{天气原因}');
-- the report: fund light yellow (v 75.00), project light red (row 5),
-- 达到序时支出进度 否 and 阶段性绩效目标 否 as declared, 双监控 red
SELECT project_name, year, month, adjusted_budget, executed, forecast, execution_rate, time_progress, fund_index,
       fund_light, on_schedule, declared_on_schedule, red, yellow, green, blue, unlit, project_light,
       stage_met, declared_stage_met, dual_light, declared_dual_light
FROM monitoring_result WHERE monitoring_id = :report;
-- its one consistency finding: 确定能 under the red light of row 5 (M3)
SELECT position, code, severity FROM monitoring_finding WHERE monitoring_id = :report;
SELECT mi.position, indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year) AS light
FROM monitoring m JOIN monitoring_indicator mi USING (monitoring_id)
WHERE m.monitoring_id = :report ORDER BY mi.position;
RESET ROLE;

-- Row-level security: another unit sees nothing and cannot write; a reviewer
-- sees all.
SET ROLE regress_pjm_stranger;
SELECT count(*) AS reports, (SELECT count(*) FROM monitoring_indicator) AS indicators,
       (SELECT count(*) FROM monitoring_fund_line) AS fund_lines, (SELECT count(*) FROM monitoring_result) AS results
FROM monitoring;
UPDATE monitoring_indicator SET actual_text = '120万条' WHERE monitoring_id = :report;
INSERT INTO monitoring (project_id, year, month)
SELECT project_id, 2023, 8 FROM project WHERE code = '440309210901500007728-M';
RESET ROLE;
SELECT count(*) AS project_invisible_to_stranger_but_insert_by_id_refused FROM monitoring WHERE month = 8;
SET ROLE regress_pjm_stranger;
INSERT INTO monitoring (project_id, year, month) VALUES ((SELECT min(project_id) FROM pjeval.project), 2023, 9);
RESET ROLE;
SET ROLE regress_pjm_reviewer;
SELECT count(*) AS reviewer_sees FROM monitoring_result WHERE monitoring_id = :report;
RESET ROLE;

-- The workflow: a report is born a draft; submitted, it and its rows are
-- read-only for the unit; only a reviewer approves and reopens.
SET ROLE regress_pjm_member;
INSERT INTO monitoring (project_id, year, month, status)
SELECT project_id, 2023, 8, 'submitted' FROM project WHERE code = '440309210901500007728-M';
SELECT submit_monitoring(:report);
UPDATE monitoring SET analysis = '改' WHERE monitoring_id = :report;
UPDATE monitoring_indicator SET actual_text = '120万条' WHERE monitoring_id = :report AND position = 1;
INSERT INTO monitoring_fund_line (monitoring_id, source, label) VALUES (:report, 'other', '单位资金');
DELETE FROM monitoring_indicator WHERE monitoring_id = :report;
DELETE FROM monitoring WHERE monitoring_id = :report;
SELECT approve_monitoring(:report);
SELECT reopen_monitoring(:report);
SELECT submit_monitoring(:report);
RESET ROLE;
SET ROLE regress_pjm_reviewer;
SELECT approve_monitoring(:report);
SELECT status, submitted_at IS NOT NULL AS submitted, approved_by FROM monitoring WHERE monitoring_id = :report;
SELECT reopen_monitoring(:report);
RESET ROLE;
SET ROLE regress_pjm_member;
UPDATE monitoring_indicator SET actual_text = '72万条' WHERE monitoring_id = :report AND position = 1;
SELECT position, actual FROM monitoring_indicator WHERE monitoring_id = :report AND position = 1;
RESET ROLE;
SELECT submit_monitoring(-1);

-- The history has every change, with its unit (the member sees it).
SET ROLE regress_pjm_member;
SELECT table_name, operation, count(*)
FROM history WHERE table_name LIKE 'monitoring%' AND (new_row ->> 'monitoring_id' = :'report' OR old_row ->> 'monitoring_id' = :'report')
GROUP BY 1, 2 ORDER BY 1, 2;
RESET ROLE;
SELECT count(*) AS history_rows_without_unit FROM history WHERE table_name LIKE 'monitoring%' AND unit_id IS NULL;

-- Deleting the draft report takes its rows; their history keeps its unit.
DELETE FROM monitoring WHERE monitoring_id = :report;
SELECT count(*) AS history_rows_without_unit_after_delete FROM history WHERE table_name LIKE 'monitoring%' AND unit_id IS NULL;
ROLLBACK;
SELECT count(*) AS reports_left, (SELECT count(*) FROM history WHERE table_name LIKE 'monitoring%') AS history_left,
       (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'regress_pjm_%') AS roles_left
FROM monitoring;
