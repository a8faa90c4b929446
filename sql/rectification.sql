-- rectification: 整改 items (docs/rectification.md).  Raised once per
-- finding of a self-evaluation or a monitoring report, or per red project
-- light; the unit writes its measures and result and moves the item to
-- to_verify; only a reviewer closes or returns it; 已销号 needs a result;
-- overdue items per unit; history; row-level security.  The example of
-- performance-cycle §7: the 未注销率 row of the 1-7月 report (red, yet
-- 确定能), due 2023-09-30, still in progress on 2023-10-08: 8 days overdue.
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
-- Keys from a known place, whatever ran before (setval is not undone).
SELECT count(setval(c.oid::regclass, 100000, false)) > 0 AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

CREATE ROLE regress_pjr_unit NOLOGIN;
CREATE ROLE regress_pjr_other NOLOGIN;
CREATE ROLE regress_pjr_reviewers NOLOGIN;
CREATE ROLE regress_pjr_member NOLOGIN IN ROLE regress_pjr_unit;
CREATE ROLE regress_pjr_stranger NOLOGIN IN ROLE regress_pjr_other;
CREATE ROLE regress_pjr_reviewer NOLOGIN IN ROLE regress_pjr_reviewers;
GRANT INSERT, UPDATE, DELETE ON project, evaluation, indicator, fund_line, monitoring, monitoring_fund_line,
    monitoring_indicator, rectification TO regress_pjr_unit, regress_pjr_other, regress_pjr_reviewers;
INSERT INTO unit (name) VALUES ('深圳市龙华区平安建设中心'), ('整改测试其他单位');
SELECT unit_id AS unit_a FROM unit WHERE name = '深圳市龙华区平安建设中心' \gset
SELECT unit_id AS unit_b FROM unit WHERE name = '整改测试其他单位' \gset
INSERT INTO unit_member (unit_id, role_name) VALUES (:unit_a, 'regress_pjr_unit'), (:unit_b, 'regress_pjr_other');
INSERT INTO reviewer VALUES ('regress_pjr_reviewers');

SET ROLE regress_pjr_member;
INSERT INTO project (code, name, unit_id) VALUES ('R-P1', '网格信息采集工作', :unit_a);
INSERT INTO monitoring (project_id, year, month, declared_on_schedule, declared_stage_met)
SELECT project_id, 2023, 7, false, false FROM project WHERE code = 'R-P1';
SELECT monitoring_id AS m1 FROM monitoring JOIN project USING (project_id) WHERE code = 'R-P1' \gset
INSERT INTO monitoring_fund_line (monitoring_id, source, initial_budget, adjusted_budget, executed, forecast)
VALUES (:m1, 'total', 4800000.00, 4680000.00, 2047500.00, 4650000.00);
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text, forecast_text,
                                  deviation_causes, likelihood)
VALUES (:m1, 1, '产出指标', '数量指标', '实有人口信息采集更新量', '≥120万条', '70万条', '122万条', '{}', '确定能'),
       (:m1, 2, '产出指标', '质量指标', '实有人口信息未注销率', '低于3%', '3.20%', '2.90%', '{人员保障}', '确定能');
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code = 'R-P1';
SELECT evaluation_id AS e1 FROM evaluation JOIN project USING (project_id) WHERE code = 'R-P1' \gset
INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed)
VALUES (:e1, 'total', 100, 100, 100);
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
VALUES (:e1, 1, '产出指标', '数量指标', '采集量', '≥100条', '100条', 90, 80);
RESET ROLE;

-- What there is to raise: the 未注销率 row is red yet 确定能; the project light is red.
SELECT monitoring_id = :m1 AS m1, position, code FROM monitoring_finding WHERE monitoring_id = :m1 ORDER BY position, code;
SELECT project_light FROM monitoring_result WHERE monitoring_id = :m1;
SELECT position, code FROM audit_finding WHERE evaluation_id = :e1 ORDER BY position, code;

-- 1. Only a reviewer raises items.
SET ROLE regress_pjr_member;
SELECT raise_rectification('monitoring', :m1, 'certain_under_red', '核实未注销率数据，9月底前完成注销清理', '2023-09-30', 2);
RESET ROLE;

SET ROLE regress_pjr_reviewer;
SELECT raise_rectification('monitoring', :m1, 'certain_under_red', '核实未注销率数据，9月底前完成注销清理', '2023-09-30', 2) AS r1 \gset
-- raised again: the same item
SELECT raise_rectification('monitoring', :m1, 'certain_under_red', '另一个要求', '2024-01-01', 2) = :r1 AS same_item;
-- the red project light, and a self-evaluation finding
SELECT raise_rectification('monitoring', :m1, NULL, '说明红灯原因并调整实施计划', '2023-08-31') AS r2 \gset
SELECT raise_rectification('evaluation', :e1, 'score_mismatch', '按评分规则重新计算得分', '2024-03-31', 1,
                           problem => '自评得分与规则不符') AS r3 \gset
-- what is not a finding the caller sees
SELECT raise_rectification('monitoring', :m1, 'certain_under_red', '要求', '2023-09-30', 1);
SELECT raise_rectification('evaluation', :e1, 'total_mismatch', '要求', '2023-09-30');
SELECT raise_rectification('target', :e1, 'score_mismatch', '要求', '2023-09-30');
SELECT rectification_id = :r1 AS r1, stage, position, finding_code, problem, requirement, unit_id = :unit_a AS own_unit,
       due_date, status
FROM rectification ORDER BY rectification_id;
RESET ROLE;

-- 2. The unit sees its items, writes measures and result, moves them on;
-- cannot change what is asked, close or return.
SET ROLE regress_pjr_stranger;
SELECT count(*) AS stranger_sees FROM rectification;
UPDATE rectification SET measures = 'x' WHERE rectification_id = :r1;
RESET ROLE;
SET ROLE regress_pjr_member;
SELECT count(*) AS member_sees FROM rectification;
UPDATE rectification SET status = 'in_progress', measures = '逐条核对注销名单' WHERE rectification_id = :r1;
UPDATE rectification SET due_date = '2023-12-31' WHERE rectification_id = :r1;
UPDATE rectification SET requirement = '不用改了' WHERE rectification_id = :r1;
UPDATE rectification SET status = 'closed', result = '已完成' WHERE rectification_id = :r1;
INSERT INTO rectification (project_id, year, stage, problem, requirement, unit_id, due_date)
SELECT project_id, 2023, 'evaluation', '自查', '自改', :unit_a, '2023-12-31' FROM project WHERE code = 'R-P1';
RESET ROLE;

-- 3. Overdue: 完成时限 2023-09-30, still in progress on 2023-10-08; the red
-- light's item (2023-08-31) too, not yet the evaluation's.
SET ROLE regress_pjr_member;
SELECT rectification_id = :r1 AS r1, unit_name, project_code, stage, status, due_date, days_overdue
FROM overdue_rectifications('2023-10-08');
SELECT count(*) AS overdue_on_due_date FROM overdue_rectifications('2023-09-30') WHERE rectification_id = :r1;
RESET ROLE;

-- 4. Steps: to_verify needs nothing; closing needs a result and a reviewer;
-- a reviewer returns it; no step back from open to closed.
SET ROLE regress_pjr_member;
UPDATE rectification SET status = 'to_verify' WHERE rectification_id = :r1;
RESET ROLE;
SET ROLE regress_pjr_reviewer;
UPDATE rectification SET status = 'closed' WHERE rectification_id = :r1;
UPDATE rectification SET status = 'in_progress' WHERE rectification_id = :r1;
UPDATE rectification SET status = 'closed' WHERE rectification_id = :r3;
RESET ROLE;
SET ROLE regress_pjr_member;
UPDATE rectification SET status = 'to_verify', result = '已注销 1.2 万条，未注销率 2.8%' WHERE rectification_id = :r1;
RESET ROLE;
SET ROLE regress_pjr_reviewer;
UPDATE rectification SET status = 'closed' WHERE rectification_id = :r1;
SELECT status, closed_at IS NOT NULL AS closed_at_set FROM rectification WHERE rectification_id = :r1;
RESET ROLE;
SET ROLE regress_pjr_member;
UPDATE rectification SET result = '改写' WHERE rectification_id = :r1;
SELECT count(*) AS overdue_after_closing FROM overdue_rectifications('2023-10-08') WHERE rectification_id = :r1;
RESET ROLE;

-- 5. History keeps every step, in the unit's name.
SELECT operation, new_row ->> 'status' AS status, unit_id = :unit_a AS own_unit
FROM history WHERE table_name = 'rectification' AND row_id = :r1 ORDER BY history_id;

-- 6. The view is today's overdue list: these items' dates are long past.
SELECT count(*) AS overdue_today FROM rectification_overdue WHERE project_code = 'R-P1';

ROLLBACK;
