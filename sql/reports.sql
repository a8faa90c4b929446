-- reports: the dashboard views on a fixture whose answers are worked out by
-- hand.  The reports_* tests run in a database of their own,
-- pjeval_reports_regress, created here and dropped by reports_rls (the last
-- of them): their forms stay out of the schema_* tests, which start from
-- empty tables and count every history row.
--
-- The fixture: three implementing units under two level-1 budget units,
-- 2021-2023, seven projects, 18 forms in 元 and in 万元, every grade band
-- with its lower bound (90.00, 80.00, 60.00, 59.99), a year missing from a
-- project, a form without a budget unit, one without a computed total, and
-- self-evaluations above and below the computed totals.  Each form has the
-- same four rows, so every total can be checked on paper:
--   执行率 B → X        10 × min(X / B, 1)
--   服务次数 ≥100次 → N   50 × min(N / 100, 1)
--   覆盖户数 ≥100户 → M   30 × min(M / 100, 1)
--   群众满意度 ≥90% → S   10 × min(S / 90, 1)
--   生态效益 不适用       0
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP DATABASE IF EXISTS pjeval_reports_regress;   -- left by an interrupted run
RESET client_min_messages;
CREATE DATABASE pjeval_reports_regress TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
\c pjeval_reports_regress
SET client_min_messages = warning;
CREATE EXTENSION pjeval;
RESET client_min_messages;
SET search_path = public, pjeval;

-- Units: 城市管理局 (a level-1 budget unit) over 环卫中心 and 园林中心;
-- 民政局 is its own level-1 budget unit.
INSERT INTO unit (name, code) VALUES ('示范区城市管理局', 'B-CG'), ('示范区民政局', 'B-MZ');
INSERT INTO unit (name, code, parent_id)
SELECT v.name, v.code, u.unit_id FROM unit u,
       (VALUES ('示范区环卫中心', 'U-HW'), ('示范区园林中心', 'U-YL')) AS v (name, code)
WHERE u.code = 'B-CG';

INSERT INTO project (code, name, unit_id)
SELECT v.code, v.name, u.unit_id
FROM (VALUES ('HW1', '道路清扫保洁', 'U-HW'), ('HW2', '垃圾分类宣传', 'U-HW'),
             ('YL1', '公园绿地养护', 'U-YL'), ('YL2', '行道树修剪', 'U-YL'),
             ('MZ1', '社区养老服务', 'B-MZ'), ('MZ2', '困难群众救助', 'B-MZ'),
             ('MZ3', '临时救助', 'B-MZ')) AS v (code, name, unit_code)
JOIN unit u ON u.code = v.unit_code;

-- The forms.  b, x: budget and executed in the form's amount unit; n, m, s:
-- the actuals; rf, rn, rm, rs: the reported scores (the computed ones
-- unless the form inflates them); why: the rows with an explanation.
CREATE TEMP TABLE form_input (
    code text, year int, budget_unit text, amount_unit text, b numeric, x numeric,
    n text, m text, s text, rf numeric, rn numeric, rm numeric, rs numeric,
    reported_total numeric, why text[], style text);
INSERT INTO form_input VALUES
--   code   year  budget  unit    budget        executed      N      M      S        rf    rn  rm  rs  reported why               style
    ('HW1', 2021, 'B-CG', '元',   1000000.00,    950000.00,  '100', '100', '95%',   9.50, 50, 30, 10, 99.50, '{}',             'a'),  -- 9.50+50+30+10 = 99.50 优
    ('HW1', 2022, 'B-CG', '元',   1200000.00,   1200000.00,  '150', '90',  '90%',  10,    50, 27, 10, 97.00, '{}',             'a'),  -- 10+50+27+10 = 97.00 优; N over-achieved, M not met: 2 findings
    ('HW1', 2023, 'B-CG', '元',   1000000.00,   1020000.00,  '80',  '80',  '81%',  10,    40, 24,  9, 83.00, '{n,m,s}',        'a'),  -- 10+40+24+9 = 83.00 良; executed > budget: 1 finding
    ('HW2', 2021, 'B-CG', '万元',      50.00,        40.00,  '90',  '100', '95%',   8,    45, 30, 10, 93.00, '{n}',            'b'),  -- 8+45+30+10 = 93.00 优
    ('HW2', 2022, 'B-CG', '万元',      60.50,        60.50,  '60',  '50',  '72%',  10,    50, 30,  8, 98.00, '{}',             'b'),  -- 10+30+15+8 = 63.00 中, reported 98: 3 not met, 2 scores, total: 6 findings
    ('HW2', 2023, 'B-CG', '万元',      60.50,        30.25,  '40',  '50',  '45%',   5,    20, 15,  5, 50.00, '{}',             'b'),  -- 5+20+15+5 = 45.00 差, reported 50: rate low, 3 not met, sum, total: 6 findings
    ('YL1', 2021, 'B-CG', '元',    800000.00,    640000.00,  '100', '80',  '72%',   8,    50, 24,  8, 90.00, '{m,s}',          'a'),  -- 8+50+24+8 = 90.00 优 (its bound)
    ('YL1', 2022, 'B-CG', '元',    800000.00,    720000.00,  '80',  '70',  '90%',   9,    40, 21, 10, 80.00, '{n,m}',          'a'),  -- 9+40+21+10 = 80.00 良 (its bound)
    ('YL1', 2023, 'B-CG', '元',    900000.00,    540000.00,  '60',  '70',  '27%',   6,    30, 21,  3, 60.00, '{}',             'a'),  -- 6+30+21+3 = 60.00 中 (its bound); rate low, 3 not met: 4 findings
    ('YL2', 2021, 'B-CG', '元',    300000.00,    297000.00,  '100', '100', '90%',   9.90, 50, 30, 10, 99.90, '{}',             'a'),  -- 9.90+50+30+10 = 99.90 优
    ('YL2', 2023, 'B-CG', '元',    330000.00,    329967.00,  '100', '100', '95%',  10,    50, 30, 10, 100,   '{}',             'a'),  -- 9.999 → 10.00, 100.00 优; no 2022 form
    ('MZ1', 2021, 'B-MZ', '万元',     120.00,       114.00,  '100', '90',  '90%',   9.50, 50, 27, 10, 96.50, '{m}',            'c'),  -- 9.50+50+27+10 = 96.50 优
    ('MZ1', 2022, 'B-MZ', '万元',     150.00,       105.00,  '90',  '80',  '72%',   7,    45, 24,  8, 90.00, '{}',             'c'),  -- 7+45+24+8 = 84.00 良, reported 90: rate low, 3 not met, sum, total: 6 findings
    ('MZ1', 2023, 'B-MZ', '万元',     150.00,       149.85,  '40',  '100', '0%',    9.99, 20, 30,  0, 59.99, '{}',             'c'),  -- 9.99+20+30+0 = 59.99 差 (just under 中); 2 not met: 2 findings
    ('MZ2', 2021, 'B-MZ', '元',   2000000.00,   1600000.00,  '100', '100', '90%',   8,    50, 30, 10, 98.00, '{}',             'c'),  -- 8+50+30+10 = 98.00 优
    ('MZ2', 2022, 'B-MZ', '元',   2000000.00,   2000000.00,  '100', '100', '95%',  10,    50, 30,  9, 99.00, '{}',             'c'),  -- 100.00 优, reported 99 (below): score, total: 2 findings
    ('MZ2', 2023, NULL,   '元',   2500000.00,   2250000.00,  '70',  '90',  '90%',   9,    35, 27, 10, 81.00, '{n,m}',          'c'),  -- 9+35+27+10 = 81.00 良; no budget unit on the form
    ('MZ3', 2023, 'B-MZ', '元',    100000.00,    100000.00,  '100', '100', '较满意', 10,  50, 30, NULL, 90.00, '{}',           'c');  -- 较满意 against ≥90%: a person must score it, no score reported: no total; 2 findings

INSERT INTO evaluation (project_id, year, budget_unit_id, amount_unit, reported_weight_total, reported_total)
SELECT p.project_id, f.year, bu.unit_id, f.amount_unit, 100, f.reported_total
FROM form_input f
JOIN project p ON p.code = f.code
LEFT JOIN unit bu ON bu.code = f.budget_unit;

INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_score)
SELECT e.evaluation_id, v.source, f.b, f.b, f.x, v.weight, CASE WHEN v.source = 'total' THEN f.rf END
FROM form_input f
JOIN project p ON p.code = f.code
JOIN evaluation e ON e.project_id = p.project_id AND e.year = f.year
CROSS JOIN (VALUES ('total', 10), ('appropriation', NULL)) AS v (source, weight);

INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                       weight, reported_score, deviation_reason)
SELECT e.evaluation_id, v.position,
       CASE f.style WHEN 'a' THEN v.level1 || ' (' || v.level1_weight || '分)'
                    WHEN 'b' THEN v.level1
                    ELSE v.level1 || '（' || v.level1_weight || '分）' END,
       v.level2, v.level3, v.target_text, v.actual_text, v.weight, v.reported_score,
       CASE WHEN v.tag = ANY (f.why) THEN '人员调整，已说明原因' END
FROM form_input f
JOIN project p ON p.code = f.code
JOIN evaluation e ON e.project_id = p.project_id AND e.year = f.year
CROSS JOIN LATERAL (VALUES
    (1, '产出指标', 50, '数量指标', '服务次数', '≥100次', f.n || '次', 50, f.rn, 'n'),
    (2, '效益指标', 30, '社会效益指标', '覆盖户数', '≥100户', f.m || '户', 30, f.rm, 'm'),
    (3, '满意度指标', 10, '服务对象满意度指标', '群众满意度', '≥90%', f.s, 10, f.rs, 's'),
    (4, '效益指标', 30, '生态效益指标', '不适用', '不适用', '不适用', 0, 0, '-')
) AS v (position, level1, level1_weight, level2, level3, target_text, actual_text, weight, reported_score, tag);

-- Some forms move on: approved, submitted; the rest stay drafts.
SELECT p.code, e.year, submit(e.evaluation_id)
FROM evaluation e JOIN project p USING (project_id)
WHERE (p.code, e.year) IN (('HW1', 2021), ('HW1', 2022), ('MZ2', 2021), ('YL1', 2021))
ORDER BY 1, 2;
SELECT p.code, e.year, approve(e.evaluation_id)
FROM evaluation e JOIN project p USING (project_id)
WHERE (p.code, e.year) IN (('HW1', 2021), ('HW1', 2022), ('MZ2', 2021))
ORDER BY 1, 2;

-- The forms as scored (the views' foundation): each total as on paper.
SELECT project_code, year, amount_unit, annual_budget, executed, execution_rate, fund_score,
       total_score, grade, reported_total, finding_count
FROM evaluation_result ORDER BY project_code, year;

-- project_trend: every form with the change from the project's previous one.
-- YL2 has no 2022 form: its 2023 row compares with 2021.
SELECT project_code, year, unit_name, budget_unit_name, status, annual_budget, executed, execution_rate,
       total_score, grade, inflation, finding_count,
       previous_year, previous_total_score, total_score_change, previous_grade, grade_change,
       previous_execution_rate, execution_rate_change, annual_budget_change, form_number
FROM project_trend ORDER BY project_code, year;

-- The hand-worked changes agree.
SELECT t.project_code, t.year, t.total_score_change, t.grade_change, t.execution_rate_change, t.annual_budget_change
FROM project_trend t
JOIN (VALUES ('HW1', 2022, -2.50, 0, 5.00, 200000.00), ('HW1', 2023, -14.00, -1, 2.00, -200000.00),
             ('HW2', 2022, -30.00, -2, 20.00, 105000.00), ('HW2', 2023, -18.00, -1, -50.00, 0.00),
             ('YL1', 2022, -10.00, -1, 10.00, 0.00), ('YL1', 2023, -20.00, -1, -30.00, 100000.00),
             ('YL2', 2023, 0.10, 0, 0.99, 30000.00),
             ('MZ1', 2022, -12.50, -1, -25.00, 300000.00), ('MZ1', 2023, -24.01, -2, 29.90, 0.00),
             ('MZ2', 2022, 2.00, 0, 20.00, 0.00), ('MZ2', 2023, -19.00, -1, -10.00, 500000.00))
     AS v (code, year, total_change, grade_change, rate_change, budget_change)
  ON v.code = t.project_code AND v.year = t.year
WHERE (t.total_score_change, t.grade_change, t.execution_rate_change, t.annual_budget_change)
      IS DISTINCT FROM (v.total_change, v.grade_change, v.rate_change, v.budget_change);

-- unit_year_summary: one row per unit, budget unit and year.
SELECT year, unit_name, budget_unit_name, forms, approved_forms, scored_forms,
       initial_budget, annual_budget, executed, execution_rate
FROM unit_year_summary ORDER BY year, unit_name, budget_unit_name NULLS LAST;
SELECT year, unit_name, budget_unit_name, total_score_sum, avg_total_score, min_total_score, max_total_score,
       grade_excellent AS "优", grade_good AS "良", grade_pass AS "中", grade_poor AS "差", ungraded
FROM unit_year_summary ORDER BY year, unit_name, budget_unit_name NULLS LAST;
SELECT year, unit_name, budget_unit_name, finding_count, forms_with_findings,
       compared_forms, inflated_forms, inflation_sum, inflation_avg, inflation_max
FROM unit_year_summary ORDER BY year, unit_name, budget_unit_name NULLS LAST;

-- ... and agrees with the sums done by hand.  The rates: 1322500 / 1605000
-- = 82.3987… → 82.40; 937000 / 1100000 = 85.1818… → 85.18; 869967 /
-- 1230000 = 70.7290… → 70.73; 2740000 / 3200000 = 85.625 exactly → 85.63
-- (half-up); 3050000 / 3500000 = 87.1428… → 87.14; 1598500 / 1600000 =
-- 99.90625 → 99.91.
SELECT s.year, s.unit_name, s.budget_unit_name
FROM unit_year_summary s
FULL JOIN (VALUES
    -- year  unit               budget unit          forms budget       executed     rate    avg    min     max     优 良 中 差 none findings inflated sum avg   max
    (2021, '示范区环卫中心', '示范区城市管理局', 2, 1500000.00, 1350000.00, 90.00,  96.25, 93.00,  99.50, 2, 0, 0, 0, 0, 0, 0, 0.00, 0.00, 0.00),
    (2022, '示范区环卫中心', '示范区城市管理局', 2, 1805000.00, 1805000.00, 100.00, 80.00, 63.00,  97.00, 1, 0, 1, 0, 0, 8, 1, 35.00, 17.50, 35.00),
    (2023, '示范区环卫中心', '示范区城市管理局', 2, 1605000.00, 1322500.00, 82.40,  64.00, 45.00,  83.00, 0, 1, 0, 1, 0, 7, 1, 5.00, 2.50, 5.00),
    (2021, '示范区园林中心', '示范区城市管理局', 2, 1100000.00,  937000.00, 85.18,  94.95, 90.00,  99.90, 2, 0, 0, 0, 0, 0, 0, 0.00, 0.00, 0.00),
    (2022, '示范区园林中心', '示范区城市管理局', 1,  800000.00,  720000.00, 90.00,  80.00, 80.00,  80.00, 0, 1, 0, 0, 0, 0, 0, 0.00, 0.00, 0.00),
    (2023, '示范区园林中心', '示范区城市管理局', 2, 1230000.00,  869967.00, 70.73,  80.00, 60.00, 100.00, 1, 0, 1, 0, 0, 4, 0, 0.00, 0.00, 0.00),
    (2021, '示范区民政局',   '示范区民政局',     2, 3200000.00, 2740000.00, 85.63,  97.25, 96.50,  98.00, 2, 0, 0, 0, 0, 0, 0, 0.00, 0.00, 0.00),
    (2022, '示范区民政局',   '示范区民政局',     2, 3500000.00, 3050000.00, 87.14,  92.00, 84.00, 100.00, 1, 1, 0, 0, 0, 8, 1, 5.00, 2.50, 6.00),
    (2023, '示范区民政局',   '示范区民政局',     2, 1600000.00, 1598500.00, 99.91,  59.99, 59.99,  59.99, 0, 0, 0, 1, 1, 4, 0, 0.00, 0.00, 0.00),
    (2023, '示范区民政局',   NULL,               1, 2500000.00, 2250000.00, 90.00,  81.00, 81.00,  81.00, 0, 1, 0, 0, 0, 0, 0, 0.00, 0.00, 0.00)
) AS v (year, unit_name, budget_unit_name, forms, annual_budget, executed, execution_rate,
        avg_total_score, min_total_score, max_total_score, excellent, good, pass, poor, ungraded,
        finding_count, inflated_forms, inflation_sum, inflation_avg, inflation_max)
  ON v.year = s.year AND v.unit_name = s.unit_name AND v.budget_unit_name IS NOT DISTINCT FROM s.budget_unit_name
WHERE v.year IS NULL OR s.year IS NULL
   OR (s.forms, s.annual_budget, s.executed, s.execution_rate, s.avg_total_score, s.min_total_score, s.max_total_score,
       s.grade_excellent, s.grade_good, s.grade_pass, s.grade_poor, s.ungraded,
       s.finding_count, s.inflated_forms, s.inflation_sum, s.inflation_avg, s.inflation_max)
      IS DISTINCT FROM
      (v.forms, v.annual_budget, v.executed, v.execution_rate, v.avg_total_score, v.min_total_score, v.max_total_score,
       v.excellent, v.good, v.pass, v.poor, v.ungraded,
       v.finding_count, v.inflated_forms, v.inflation_sum, v.inflation_avg, v.inflation_max);

-- A unit's figures add up to those of its forms, and the findings to the
-- rows of audit_finding.
SELECT (SELECT sum(forms) FROM unit_year_summary) = (SELECT count(*) FROM evaluation) AS forms_add_up,
       (SELECT sum(finding_count) FROM unit_year_summary) = (SELECT count(*) FROM audit_finding) AS findings_add_up,
       (SELECT sum(annual_budget) FROM unit_year_summary) = (SELECT sum(annual_budget) FROM evaluation_result) AS budgets_add_up;

-- indicator_category_summary: the four kinds of row, per year.  产出指标
-- (50分), 产出指标 and 产出指标（50分） are one level 1.
SELECT year, level1, level2, level1_kind, level2_home, units, indicators, not_applicable, assessed, met, over_achieved,
       met_share, over_achieved_share, avg_completion, avg_completion_uncapped, weight_sum, score_sum, score_rate
FROM indicator_category_summary ORDER BY year, level1, level2;

-- 2022, 数量指标 by hand: N = 150, 60, 80, 90, 100 → completion 1.5, 0.6,
-- 0.8, 0.9, 1.0: met 2 (40.00 %), over-achieved 1 (20.00 %), capped mean
-- 4.3 / 5 = 86.00 %, uncapped 4.8 / 5 = 96.00 %; scores 50 + 30 + 40 + 45 +
-- 50 = 215 of 250 = 86.00 %.  2023, 服务对象满意度指标: S = 81, 45, 27, 95,
-- 0, 90 % against ≥90 % (较满意 is not assessed): met 2 of 6 = 33.33 %, mean
-- (0.9 + 0.5 + 0.3 + 1 + 0 + 1) / 6 = 61.67 %, uncapped (… + 95/90 …) 62.59 %;
-- scores 9 + 5 + 3 + 10 + 0 + 10 = 37 of 70 (较满意 has its weight but no
-- score) = 52.86 %.
SELECT year, level2, assessed, met, met_share, over_achieved_share, avg_completion, avg_completion_uncapped, score_rate
FROM indicator_category_summary
WHERE (year, level2) IN ((2022, '数量指标'), (2023, '服务对象满意度指标'))
ORDER BY year;

-- indicator_category_by_unit: the same per unit; units add up to the summary.
SELECT year, unit_name, level1, level2, indicators, assessed, met, met_share, avg_completion, score_rate
FROM indicator_category_by_unit WHERE year = 2022 ORDER BY unit_name, level1, level2;
SELECT s.year, s.level1, s.level2
FROM indicator_category_summary s
JOIN (SELECT year, level1, level2, sum(indicators) AS indicators, sum(met) AS met, sum(score_sum) AS score_sum
      FROM indicator_category_by_unit GROUP BY 1, 2, 3) u USING (year, level1, level2)
WHERE (s.indicators, s.met, s.score_sum) IS DISTINCT FROM (u.indicators, u.met, u.score_sum);
-- ... and the counts agree with indicator_result row by row.
SELECT (SELECT sum(indicators) FROM indicator_category_summary) = (SELECT count(*) FROM indicator_result) AS rows_add_up,
       (SELECT sum(met) FROM indicator_category_summary) = (SELECT count(*) FROM indicator_result WHERE completion >= 1) AS met_add_up,
       (SELECT sum(score_sum) FROM indicator_category_summary) = (SELECT sum(counted_score) FROM indicator_result) AS scores_add_up;

-- The category reports classify level names as indicator_result does, on
-- every standard name and some variants (the form is rolled back).
BEGIN;
INSERT INTO project (code, name, unit_id) SELECT 'NAMES', '名称', unit_id FROM unit WHERE code = 'U-HW';
INSERT INTO evaluation (project_id, year) SELECT project_id, 2020 FROM project WHERE code = 'NAMES';
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
SELECT e.evaluation_id, row_number() OVER (), l1, l2, '名称', '1', '1', 1
FROM evaluation e,
     unnest(ARRAY['产出指标', '产出指标 (50分)', '效益指标（30分）', '满意度 指标', '满意度', '成本指标', '其他指标', '指标']) l1,
     unnest(ARRAY['数量指标', '质量指标', '时效指标', '成本指标', '经济效益指标', '社会效益指标', '生态效益指标',
                  '可持续影响指标', '服务对象满意度指标', '其他满意度指标', '经济成本指标', '社会成本指标',
                  '生态环境成本指标', '满意度指标', '自定义指标', '数量']) l2
WHERE e.year = 2020;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE indicator_level1_kind(level1) IS DISTINCT FROM level1_kind
                           OR indicator_level2_home(level2) IS DISTINCT FROM level2_home) AS disagree,
       count(DISTINCT level1_kind) AS kinds, count(DISTINCT level2_home) AS homes
FROM indicator_result r JOIN evaluation e USING (evaluation_id) WHERE e.year = 2020;
ROLLBACK;

-- The helpers.  quotient_half_up is exact where numeric division is not:
-- 2 / 3 = 0.67, 1 / 8 = 0.13 (half-up), -1 / 8 = -0.13 (half away from
-- zero), x / 0 and NULL are NULL.
SELECT quotient_half_up(2, 3) AS two_thirds, quotient_half_up(1, 8) AS eighth, quotient_half_up(-1, 8) AS minus_eighth,
       quotient_half_up(1, -8) AS eighth_by_minus, quotient_half_up(5, 0) AS by_zero, quotient_half_up(NULL, 3) AS null_in,
       quotient_half_up(1000000000000000000000.005, 1) AS big;
SELECT v, indicator_level_name(v) FROM unnest(ARRAY['产出指标 (50分)', '产出指标（50分）', '产出', ' 满意度 指标 ', '成本指标(20分)',
    E'\t　效益指标（30分）　', '数量指标（未闭合', '指标', '', NULL]) v;
SELECT g, grade_rank(g) FROM unnest(ARRAY['优', '良', '中', '差', 'x', NULL]) g;
SELECT html_escape('<a href="x">Tom & Jerry''s</a>') AS escaped;

-- Every column of every report view and of the snapshot table is described.
SELECT c.relname, count(*) AS columns, count(d.description) AS described
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE c.relname IN ('project_trend', 'unit_year_summary', 'indicator_category_by_unit', 'indicator_category_summary',
                    'project_trend_report', 'unit_year_report', 'indicator_category_by_unit_report', 'indicator_category_report',
                    'report_snapshot', 'report_refresh')
GROUP BY c.relname ORDER BY c.relname;

-- Plans: a dashboard query for one unit or one year scores only its forms
-- (the indicators are reached by evaluation_id, one form at a time); no
-- sub-plan runs once per row.
CREATE FUNCTION pg_temp.plan(query text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    p json;
BEGIN
    EXECUTE 'EXPLAIN (COSTS OFF, FORMAT JSON) ' || query INTO p;
    RETURN p::jsonb;
END
$$;
CREATE FUNCTION pg_temp.plan_facts(query text)
RETURNS TABLE (per_row_subplans bigint, indicator_by_form boolean, indicator_seq_scans bigint)
LANGUAGE sql AS $$
    WITH p AS (SELECT pg_temp.plan(query) AS j),
    sub AS (SELECT n #>> '{}' AS name
            FROM p, jsonb_path_query(p.j, 'strict $.**?(@."Parent Relationship" == "SubPlan")."Subplan Name"') n)
    SELECT (SELECT count(*) FROM sub, p WHERE p.j::text !~ ('hashed ' || sub.name || '\M')),
           (SELECT bool_and(coalesce(n ->> 'Index Cond', '') ~ 'evaluation_id = ')
            FROM p, jsonb_path_query(p.j, 'strict $.**?(@."Relation Name" == "indicator")') n),
           (SELECT count(*) FROM p, jsonb_path_query(p.j, 'strict $.**?(@."Relation Name" == "indicator" && @."Node Type" == "Seq Scan")') n)
$$;
SET enable_seqscan = off;  -- the fixture is small; the plan shape is what counts
SELECT q, f.*
FROM unnest(ARRAY['SELECT * FROM pjeval.unit_year_summary WHERE unit_id = 3',
                  'SELECT * FROM pjeval.unit_year_summary WHERE year = 2022',
                  'SELECT * FROM pjeval.project_trend WHERE unit_id = 3',
                  'SELECT * FROM pjeval.indicator_category_summary WHERE year = 2022',
                  'SELECT * FROM pjeval.indicator_category_by_unit WHERE unit_id = 3 AND year = 2022']) q,
     pg_temp.plan_facts(q) f;
RESET enable_seqscan;
-- The refreshed reports score nothing when read.
SELECT q, jsonb_path_exists(pg_temp.plan(q), 'strict $.**?(@."Relation Name" == "indicator")') AS reads_indicators
FROM unnest(ARRAY['SELECT * FROM pjeval.unit_year_report WHERE unit_id = 3',
                  'SELECT * FROM pjeval.project_trend_report WHERE year = 2022',
                  'SELECT * FROM pjeval.indicator_category_report WHERE year = 2022',
                  'SELECT * FROM pjeval.indicator_category_by_unit_report WHERE unit_id = 3']) q;
