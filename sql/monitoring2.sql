-- monitoring2: in-year monitoring, second increment (docs/monitoring.md).
-- A profile in use by a submitted monitoring report is frozen; a project's
-- header is read-only while one of its monitoring reports is submitted, and
-- moving it keeps the reports' 一级预算单位 above it; monitoring_unit_summary;
-- monitoring_finding.  One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

CREATE ROLE regress_pjm2_unit NOLOGIN;
CREATE ROLE regress_pjm2_other NOLOGIN;
CREATE ROLE regress_pjm2_reviewers NOLOGIN;
CREATE ROLE regress_pjm2_member NOLOGIN IN ROLE regress_pjm2_unit;
CREATE ROLE regress_pjm2_stranger NOLOGIN IN ROLE regress_pjm2_other;
CREATE ROLE regress_pjm2_reviewer NOLOGIN IN ROLE regress_pjm2_reviewers;
-- works for the unit, may edit projects and evaluations but not monitoring
-- reports (a role granted its writes before monitoring existed)
CREATE ROLE regress_pjm2_editor NOLOGIN;
-- works for both units
CREATE ROLE regress_pjm2_both NOLOGIN;
GRANT INSERT, UPDATE, DELETE ON unit, project, evaluation, monitoring, monitoring_fund_line, monitoring_indicator
    TO regress_pjm2_unit, regress_pjm2_other, regress_pjm2_reviewers, regress_pjm2_both;
GRANT UPDATE ON project, evaluation TO regress_pjm2_editor;
INSERT INTO unit (name) VALUES ('监控二测试中心'), ('监控二其他单位');
SELECT unit_id AS unit_a FROM unit WHERE name = '监控二测试中心' \gset
SELECT unit_id AS unit_b FROM unit WHERE name = '监控二其他单位' \gset
INSERT INTO unit_member (unit_id, role_name) VALUES (:unit_a, 'regress_pjm2_unit'), (:unit_b, 'regress_pjm2_other'),
    (:unit_a, 'regress_pjm2_editor'), (:unit_a, 'regress_pjm2_both'), (:unit_b, 'regress_pjm2_both');
INSERT INTO reviewer VALUES ('regress_pjm2_reviewers');
INSERT INTO profile (name, description) VALUES ('regress-m2', 'monitoring2');

SET ROLE regress_pjm2_member;
INSERT INTO project (code, name, unit_id) VALUES
    ('M2-P1', '网格信息采集工作', :unit_a), ('M2-P2', '六月已报项目', :unit_a),
    ('M2-P3', '仅有自评项目', :unit_a), ('M2-P4', '万元项目', :unit_a);
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code = 'M2-P3';
INSERT INTO monitoring (project_id, year, month, budget_unit_id, declared_on_schedule, declared_stage_met, reason_type, analysis, amount_unit)
SELECT project_id, 2023, m, :unit_a, s, false, r, an, au
FROM project JOIN (VALUES ('M2-P1', 7, false, 6::smallint, '合同按季度付款', '元'),
                          ('M2-P2', 6, true, NULL, NULL, '元'),
                          ('M2-P4', 7, false, NULL, NULL, '万元')) AS v (c, m, s, r, an, au) ON v.c = code;
RESET ROLE;
SELECT monitoring_id AS r1 FROM monitoring JOIN project USING (project_id) WHERE code = 'M2-P1' \gset
SELECT monitoring_id AS r2 FROM monitoring JOIN project USING (project_id) WHERE code = 'M2-P2' \gset
SELECT monitoring_id AS r4 FROM monitoring JOIN project USING (project_id) WHERE code = 'M2-P4' \gset
SET ROLE regress_pjm2_member;
INSERT INTO monitoring_fund_line (monitoring_id, source, initial_budget, adjusted_budget, executed, forecast)
VALUES (:r1, 'total', 4800000.00, 4680000.00, 2047500.00, 4650000.00),
       (:r2, 'total', 1000000.00, 1000000.00, 250000.00, 1000000.00),
       (:r4, 'total', 100, 100, 80, 100);
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text, forecast_text,
                                  deviation_causes, deviation_note, likelihood)
VALUES (:r1, 1, '产出指标', '数量指标', '实有人口信息采集更新量', '≥120万条', '61.6万条', '122万条', '{}', NULL, '确定能'),
       (:r1, 2, '产出指标', '质量指标', '实有人口信息未注销率', '低于3%', '3.20%', '2.90%', '{人员保障}', NULL, '确定能'),
       (:r1, 3, '产出指标', '数量指标', '矛盾纠纷和隐患事件上报数', '≥6000件', '2100件', '5200件', '{}', NULL, '完全不可能'),
       (:r1, 4, '产出指标', '数量指标', '新增网格数', '≥60个', '20个', '40个', '{经费保障}', NULL, '完全不可能'),
       (:r1, 5, '产出指标', '数量指标', '培训人次', '≥600人次', '100人次', '300人次', '{}', '培训推迟至下半年', '完全不可能'),
       (:r1, 6, '产出指标', '质量指标', '设备完好率', '≥95%', '90%', '95%', '{}', NULL, '有可能'),
       (:r4, 1, '产出指标', '数量指标', '处理件数', '≥100件', '60件', '100件', '{}', NULL, '确定能');
RESET ROLE;

-- 1. A profile that a submitted monitoring report uses is frozen (55000);
-- while the report is a draft it may change.
SET ROLE regress_pjm2_reviewer;
UPDATE monitoring SET profile = 'regress-m2' WHERE monitoring_id = :r2;
RESET ROLE;
UPDATE profile SET description = 'draft only' WHERE name = 'regress-m2';
SET ROLE regress_pjm2_member;
SELECT submit_monitoring(:r2);
RESET ROLE;
UPDATE profile SET monitor_yellow_from = 20 WHERE name = 'regress-m2';
DELETE FROM profile WHERE name = 'regress-m2';
SELECT description, monitor_yellow_from FROM profile WHERE name = 'regress-m2';

-- 2. A project's header is read-only while a monitoring report of it is
-- submitted: for a member who may lock the reports, for one who may only
-- read them; a reviewer may change it.
SET ROLE regress_pjm2_member;
UPDATE project SET name = '改名' WHERE code = 'M2-P2';
UPDATE project SET code = 'M2-P2x' WHERE code = 'M2-P2';
RESET ROLE;
SET ROLE regress_pjm2_editor;
UPDATE project SET name = '改名' WHERE code = 'M2-P2';
UPDATE project SET name = '草稿项目改名' WHERE code = 'M2-P4';
RESET ROLE;
SET ROLE regress_pjm2_reviewer;
UPDATE project SET name = '六月已报项目（审核改）' WHERE code = 'M2-P2';
RESET ROLE;
SELECT code, name FROM project WHERE code LIKE 'M2-%' ORDER BY code;
-- Moving a project to a unit outside its reports' 一级预算单位 is refused.
SET ROLE regress_pjm2_both;
UPDATE project SET unit_id = :unit_b WHERE code = 'M2-P4';
RESET ROLE;
SELECT count(*) AS p4_still_in_unit_a FROM project WHERE code = 'M2-P4' AND unit_id = :unit_a;

-- Another unit's report, red with its reasons given.
SET ROLE regress_pjm2_stranger;
INSERT INTO project (code, name, unit_id) VALUES ('M2-Q1', '其他单位项目', :unit_b);
INSERT INTO monitoring (project_id, year, month, declared_on_schedule, analysis)
SELECT project_id, 2023, 7, false, '采购程序延误' FROM project WHERE code = 'M2-Q1';
INSERT INTO monitoring_fund_line (monitoring_id, source, adjusted_budget, executed, forecast)
SELECT monitoring_id, 'total', 100, 10, 100 FROM monitoring JOIN project USING (project_id) WHERE code = 'M2-Q1';
RESET ROLE;

-- 3. The unit summary.  2023 1-6月: M2-P2 reported, M2-P3 (a 2023
-- self-evaluation) missing; 1-7月: M2-P1 and M2-P4 (100 万元 = 1000000 元)
-- reported, M2-P2 (reported for 1-6月) and M2-P3 missing.
SELECT monitoring_id, project_code, month, fund_light, project_light FROM monitoring_result
WHERE project_code LIKE 'M2-%' ORDER BY project_code;
SELECT unit_name, year, month, projects, adjusted_budget, executed, red, yellow, green, blue, reports_missing
FROM monitoring_unit_summary WHERE unit_id IN (:unit_a, :unit_b) ORDER BY unit_name, year, month;
-- a unit member sees its unit's rows, a reviewer every unit's
SET ROLE regress_pjm2_member;
SELECT unit_name, month, projects, reports_missing FROM monitoring_unit_summary ORDER BY unit_name, month;
RESET ROLE;
SET ROLE regress_pjm2_stranger;
SELECT unit_name, month, projects, reports_missing FROM monitoring_unit_summary ORDER BY unit_name, month;
RESET ROLE;
SET ROLE regress_pjm2_reviewer;
SELECT unit_name, month, projects, reports_missing FROM monitoring_unit_summary
WHERE unit_id IN (:unit_a, :unit_b) ORDER BY unit_name, month;
RESET ROLE;

-- 4. The findings.  M2-P1: row 2 确定能 under a red light (M3), row 3
-- 完全不可能 with no 偏差原因 (M2; rows 4 and 5 give a cause or a note).
-- M2-P2: §4's M1 example (1-6月 25 % of 1000000.00, forecast all, no
-- reason) declared on schedule (M5).  M2-P4: 80 % at 1-7月, declared 否
-- (M5).  M2-Q1: red with forecast all, but 情况分析 given: nothing.
SELECT p.code, f.position, f.code AS finding, f.severity, f.message_zh, f.message_en
FROM monitoring_finding f JOIN monitoring m USING (monitoring_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'M2-%' ORDER BY p.code, f.position NULLS FIRST, f.code;
SELECT code, scope, severity FROM finding_code WHERE scope = 'monitor' ORDER BY code;
-- another unit sees none of them, a reviewer all
SET ROLE regress_pjm2_stranger;
SELECT count(*) AS stranger_sees FROM monitoring_finding WHERE monitoring_id IN (:r1, :r2, :r4);
RESET ROLE;
SET ROLE regress_pjm2_reviewer;
SELECT count(*) AS reviewer_sees FROM monitoring_finding WHERE monitoring_id IN (:r1, :r2, :r4);
RESET ROLE;
ROLLBACK;
SELECT (SELECT count(*) FROM monitoring) AS reports_left, (SELECT count(*) FROM profile WHERE name = 'regress-m2') AS profiles_left,
       (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'regress_pjm2_%') AS roles_left;
