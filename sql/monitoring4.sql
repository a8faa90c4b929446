-- monitoring4: pjeval's own consistency checks of a monitoring report
-- (docs/monitoring.md, M6-M9): 是否达到阶段性绩效目标 = 是 under a red or
-- yellow project light; a red or yellow indicator without 偏差原因; behind
-- 序时进度 without 原因类型; 调整后预算数 ≠ 年初 + 追加 − 追减 (only where the
-- form has 追加数 or 追减数); 1-N月执行数 above 调整后预算数; a forecast below
-- what is executed; less executed than the report of an earlier month says
-- (in 元, across 元 and 万元).  Each with a report that must not be flagged.
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
BEGIN;

INSERT INTO unit (name) VALUES ('监控四测试单位');
INSERT INTO project (code, name, unit_id)
SELECT c, c, unit_id FROM unit, unnest(ARRAY['M4-A', 'M4-B', 'M4-C']) c WHERE name = '监控四测试单位';
-- A: 1-6月 in 元 and 1-7月 in 万元 with less executed; B: clean; C: the
-- amounts contradict each other
INSERT INTO monitoring (project_id, year, month, declared_on_schedule, declared_stage_met, reason_type, amount_unit)
SELECT project_id, 2023, v.m, v.s, v.st, v.r, v.u
FROM project JOIN (VALUES ('M4-A', 6, false, true, NULL::smallint, '元'),
                          ('M4-A', 7, true, false, NULL, '万元'),
                          ('M4-B', 7, false, false, 6::smallint, '元'),
                          ('M4-C', 7, true, false, NULL, '元')) AS v (c, m, s, st, r, u) ON v.c = code;
INSERT INTO monitoring_fund_line (monitoring_id, source, initial_budget, added, reduced, adjusted_budget, executed, forecast)
SELECT monitoring_id, 'total', v.i, v.a, v.r, v.adj, v.e, v.f
FROM monitoring m JOIN project p USING (project_id)
JOIN (VALUES ('M4-A', 6, 1000000, NULL, NULL, 1000000, 600000, 1000000),
             ('M4-A', 7, 100, NULL, NULL, 100, 59.99, 100),
             ('M4-B', 7, 100, 20, 10, 110, 50, 110),
             ('M4-C', 7, 100, 20, 0, 110, 130, 120)) AS v (c, mo, i, a, r, adj, e, f)
  ON v.c = p.code AND v.mo = m.month;
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text, forecast_text,
                                  deviation_causes, deviation_note, likelihood)
SELECT monitoring_id, 1, '产出指标', '数量指标', '培训人次', '≥1200人次', v.a, '1200人次', v.dc::deviation_cause[], v.dn, '有可能'
FROM monitoring m JOIN project p USING (project_id)
JOIN (VALUES ('M4-A', 6, '300人次', '{}', NULL),      -- 300 / 600 = 50: red, no cause
             ('M4-A', 7, '700人次', '{}', NULL),      -- 700 / 700 = 100: green
             ('M4-B', 7, '400人次', '{其他}', NULL),  -- red, with a cause
             ('M4-C', 7, '500人次', '{}', '培训推迟')) AS v (c, mo, a, dc, dn)  -- yellow, with a note
  ON v.c = p.code AND v.mo = m.month;

SELECT p.code, m.month, f.position, f.code AS finding, f.severity, f.message_zh
FROM monitoring_finding f JOIN monitoring m USING (monitoring_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'M4-%'
  AND f.code IN ('stage_declared_wrong', 'light_unexplained', 'behind_schedule_unexplained', 'adjusted_budget_mismatch',
                 'executed_above_adjusted', 'forecast_below_executed', 'executed_decreased')
ORDER BY p.code, m.month, f.position NULLS FIRST, f.code;

ROLLBACK;
