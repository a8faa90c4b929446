-- targets4: T9's money comparison (docs/targets.md, pjeval's rule): a 延续
-- form's fund line whose 本年度申请金额 is above last year's 实际执行 while
-- last year's execution rate (实际执行 / 预算安排, rounded as execution_rate
-- rounds it) is below the form's profile's low_execution_rate
-- (target_request_above_executed); and every boundary that must not flag: a
-- request equal to or below last year's execution, a rate equal to the line
-- (79.995 % rounds to it), a budget executed in full, a NULL amount, a budget
-- of 0, a 新增 form, a form without 项目属性, a profile with a lower line.
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
BEGIN;

INSERT INTO unit (name) VALUES ('目标九资金测试单位');
INSERT INTO project (code, name, unit_id)
SELECT c, c, unit_id FROM unit, unnest(ARRAY['T9M-A', 'T9M-B', 'T9M-C', 'T9M-D']) c WHERE name = '目标九资金测试单位';
INSERT INTO target (project_id, year, attribute, amount_unit)
SELECT project_id, 2024, v.attribute, v.amount_unit
FROM project p
JOIN (VALUES ('T9M-A', '延续', '元'), ('T9M-B', '延续', '万元'), ('T9M-C', '新增', '元'), ('T9M-D', NULL, '元'))
     AS v (code, attribute, amount_unit) ON v.code = p.code;
INSERT INTO target_fund_line (target_id, source, label, last_year_budget, last_year_executed, requested)
SELECT t.target_id, v.source, v.label, v.budget, v.executed, v.requested
FROM target t JOIN project p USING (project_id)
JOIN (VALUES
        -- A (延续, 元, central-2020: the line is 80 %)
        ('T9M-A', 'total',         NULL,       100.00,  79.99,  90.00),   -- 79.99 %: flagged
        ('T9M-A', 'appropriation', NULL,       100.00,  60.00,  60.00),   -- equal to last year's execution
        ('T9M-A', 'carryover',     NULL,        50.00,  50.00,  80.00),   -- last year's budget executed in full
        ('T9M-A', 'other',         '社会捐赠',   20.00,  10.00,  15.00),   -- 50 %: flagged, by its own name
        ('T9M-A', 'other',         '自筹资金',    NULL,  10.00,  15.00),   -- no budget
        ('T9M-A', 'other',         '事业收入',   20.00,   NULL,  15.00),   -- no execution
        ('T9M-A', 'other',         '经营收入',   20.00,  10.00,   NULL),   -- no request
        ('T9M-A', 'other',         '上级补助',  100.00,  80.00,  90.00),   -- 80.00 %: the line itself
        ('T9M-A', 'other',         '助学基金',  100.00, 79.995,  90.00),   -- 79.995 % is 80.00 %
        ('T9M-A', 'other',         '捐赠收入',  100.00,  50.00,  40.00),   -- asks for less than was spent
        -- B (延续, 万元)
        ('T9M-B', 'total',         NULL,        12.50,   5.00,   5.01),   -- 40 %, just above: flagged
        ('T9M-B', 'appropriation', NULL,        12.50,   5.00,   4.99),   -- just below
        ('T9M-B', 'other',         '社会捐赠',    0,      0,       5),     -- a budget of 0 has no rate
        -- C (新增) and D (no 项目属性): the amounts of A's flagged line
        ('T9M-C', 'total',         NULL,       100.00,  79.99,  90.00),
        ('T9M-D', 'total',         NULL,       100.00,  79.99,  90.00))
     AS v (code, source, label, budget, executed, requested)
  ON v.code = p.code;

SELECT p.code, f.position, f.code AS finding, f.severity, f.message_zh, f.message_en
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T9M-%'
ORDER BY p.code, f.message_en;

-- The line is the form's profile's: B under a profile whose line is 30 %
-- is not flagged at 40 %.
INSERT INTO profile (name, description, low_execution_rate) VALUES ('regress-t9', 'central-2020 with a line of 30 %', 30);
UPDATE target SET profile = 'regress-t9' WHERE project_id = (SELECT project_id FROM project WHERE code = 'T9M-B');
SELECT count(*) AS b_money_findings
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code = 'T9M-B' AND f.code = 'target_request_above_executed';

-- A 目标调整 of A carries its fund lines: the new version is flagged too,
-- with its own version number.
SELECT submit_target(target_id), approve_target(target_id)
FROM target WHERE project_id = (SELECT project_id FROM project WHERE code = 'T9M-A');
SELECT adjust_target(target_id, '资金调整') IS NOT NULL AS adjusted
FROM target WHERE project_id = (SELECT project_id FROM project WHERE code = 'T9M-A');
SELECT t.version, count(*) AS money_findings
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code = 'T9M-A' AND f.code = 'target_request_above_executed'
GROUP BY t.version ORDER BY t.version;

-- From a document too: a 延续 form's 其他资金 named by its row.
SELECT count(*) AS imported FROM import_targets(
    E'项目支出绩效目标申报表\n'
    || E'项目编号:\tT9M-E\t项目名称:\tT9M-E\t申报年度:\t2024\n'
    || E'实施单位:\t目标九资金测试单位\t项目属性:\t延续\n'
    || E'项目资金（万元）\t资金来源\t上年度预算安排\t上年度实际执行\t本年度申请金额\n'
    || E'\t年度资金总额\t300\t210\t260\n'
    || E'\t社会捐赠\t30\t30\t40\n'
    || E'\t助学基金\t50\t20\t40\n'
    || E'绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n'
    || E'\t产出指标\t数量指标\t办结件数\t≥100件\n');
SELECT f.message_zh
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code = 'T9M-E' AND f.code = 'target_request_above_executed'
ORDER BY f.message_zh;

-- The code is in the catalogue with the other target codes, said to be pjeval's.
SELECT code, scope, severity, description_zh, description_en
FROM finding_catalogue WHERE code = 'target_request_above_executed';
SELECT place FROM finding_message WHERE code = 'target_request_above_executed';

ROLLBACK;
