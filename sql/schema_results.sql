-- schema_results: indicator_result and evaluation_result, column by column,
-- on the two seed forms (entered by schema.sql) and on made-up forms for what
-- the seeds do not show: amounts in 万元, 成本指标 as its own level 1, a
-- profile's own weights and grade bands, a reported score standing in for
-- one the rules cannot compute, a total that cannot be computed, a zero
-- budget.  (The plans are checked in schema_rls, where row-level security
-- is in force.)
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Done when: 99.93 and 100.00, both 优 (scoring-rules §2, §5).
SELECT project_code, year, execution_rate, fund_score, total_score, reported_total, grade
FROM evaluation_result
WHERE project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY project_code;

-- Every column of evaluation_result for the seed forms.
\x on
SELECT r.*, r.evaluation_id = e.evaluation_id AS same_evaluation, r.project_id = e.project_id AS same_project,
       r.unit_id = p.unit_id AS same_unit
FROM evaluation_result r
JOIN evaluation e ON e.evaluation_id = r.evaluation_id
JOIN project p ON p.project_id = e.project_id
WHERE r.project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY r.project_code;
\x off

-- Every column of indicator_result for the seed forms.
SELECT e.project_code, r.position, r.level1, r.level2, r.level3, r.level1_kind, r.level2_home,
       r.target_text, r.actual_text, r.target, r.actual
FROM indicator_result r JOIN evaluation_result e USING (evaluation_id)
WHERE e.project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY e.project_code, r.position;
SELECT e.project_code, r.position, r.weight, r.rule, round(r.completion, 4) AS completion,
       r.computed_score, r.reported_score, r.score_difference, r.counted_score, r.flags,
       r.band, r.band_low, r.band_high, r.deviation_reason, r.findings,
       r.indicator_id = i.indicator_id AS same_indicator
FROM indicator_result r
JOIN evaluation_result e USING (evaluation_id)
JOIN indicator i ON i.evaluation_id = r.evaluation_id AND i.position = r.position
WHERE e.project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY e.project_code, r.position;

-- The subtotals add up to the total, and the total to the sum of the rows.
SELECT e.project_code,
       e.fund_score + e.output_score + e.benefit_score + e.satisfaction_score = e.total_score AS subtotals_add_up,
       e.fund_score + (SELECT sum(r.counted_score) FROM indicator_result r WHERE r.evaluation_id = e.evaluation_id) = e.total_score AS rows_add_up
FROM evaluation_result e
WHERE e.project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY e.project_code;

-- A profile of our own: execution 10, output 40, benefit 30, satisfaction 10,
-- 成本指标 10 as its own level 1; 优 from 95.
INSERT INTO profile (name, description, output_weight, cost_weight, grade_excellent, low_execution_rate)
VALUES ('test-cost-level1', '成本指标 as its own level 1 (财预〔2021〕101号), 优 ≥ 95', 40, 10, 95, 85);

INSERT INTO unit (name) VALUES ('结果测试单位');
INSERT INTO project (code, name, unit_id)
SELECT v.code, v.name, u.unit_id
FROM unit u, (VALUES ('T-R1', '万元与成本指标'), ('T-R2', '零预算'), ('T-R3', '非标准一级指标')) AS v (code, name)
WHERE u.name = '结果测试单位';
INSERT INTO evaluation (project_id, year, profile, amount_unit, reported_total)
SELECT p.project_id, 2023, v.profile, v.amount_unit, v.reported_total
FROM project p
JOIN (VALUES ('T-R1', 'test-cost-level1', '万元', 93.5),
             ('T-R2', 'central-2020', '元', 100),
             ('T-R3', 'central-2020', '元', NULL)) AS v (code, profile, amount_unit, reported_total)
  ON v.code = p.code;
CREATE TEMP TABLE r AS
SELECT p.code, e.evaluation_id FROM evaluation e JOIN project p USING (project_id) WHERE p.code LIKE 'T-R%';

INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
SELECT r.evaluation_id, v.source, v.initial_budget, v.annual_budget, v.executed, v.reported_weight, v.reported_rate, v.reported_score
FROM r
JOIN (VALUES ('T-R1', 'total', 461.74, 461.74, 415.566, 10, 90, 9),
             ('T-R1', 'appropriation', 400, 400, 360, NULL, NULL, NULL),
             ('T-R1', 'carryover', 61.74, 61.74, 55.566, NULL, NULL, NULL),
             ('T-R2', 'total', 0, 0, 0, 10, NULL, 10),
             ('T-R3', 'total', 100, 100, 100, NULL, NULL, NULL)) AS v (code, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
  ON v.code = r.code;

INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score, deviation_reason, band)
SELECT r.evaluation_id, v.position, v.level1, v.level2, v.level3, v.target_text, v.actual_text, v.weight, v.reported_score, v.reason, v.band
FROM r
JOIN (VALUES
    ('T-R1', 1, '产出指标（40分）', '数量指标', '培训人次', '≥500人次', '450人次', 20, 18, '疫情停课两周', NULL),
    ('T-R1', 2, '产出指标（40分）', '质量指标', '合格率', '≥95%', '96%', 20, 20, NULL, NULL),
    ('T-R1', 3, '成本指标（10分）', '经济成本指标', '人均培训成本', '≤800元/人', '760元/人', 10, 10, NULL, NULL),
    ('T-R1', 4, '效益指标（30分）', '社会效益指标', '群众知晓率', '有效提升', '明显提升', 30, 27, NULL, 'achieved'),
    ('T-R1', 5, '满意度指标（10分）', '服务对象满意度指标', '学员满意度', '≥90%', '85%', 10, 9.44, '课程安排偏紧', NULL),
    ('T-R2', 1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50, NULL, NULL),
    ('T-R2', 2, '效益指标', '社会效益指标', '群众评价', '好评', '较好', 30, NULL, NULL, NULL),
    ('T-R2', 3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '95%', 10, 10, NULL, NULL),
    ('T-R3', 1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50, NULL, NULL),
    ('T-R3', 2, '效果指标', '社会效益指标', '覆盖人数', '≥1000人', '1200人', 30, 30, NULL, NULL),
    ('T-R3', 3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '95%', 10, 10, NULL, NULL)
) AS v (code, position, level1, level2, level3, target_text, actual_text, weight, reported_score, reason, band)
  ON v.code = r.code;

-- T-R1: 万元 amounts in 元; rate 90.00 (415.566 / 461.74); 成本指标 as its own
-- level 1 with its own subtotal; the qualitative row counts its reported 27
-- (a person's score); 93.44 is 良 under this profile (优 from 95).
-- T-R2: zero budget: no rate, no fund score, the reported 10 stands in; the
-- row with neither a computable nor a reported score leaves the total (and
-- the benefit subtotal, and the grade) NULL.
-- T-R3: a level 1 that is not standard counts under other_score.
SELECT project_code, profile, amount_unit, initial_budget, annual_budget, executed,
       sources_initial_budget, sources_annual_budget, sources_executed,
       execution_rate, reported_execution_rate, fund_weight, fund_score, reported_fund_score
FROM evaluation_result WHERE project_code LIKE 'T-R%' ORDER BY project_code;
SELECT project_code, output_score, benefit_score, satisfaction_score, cost_score, other_score,
       indicator_score, total_score, reported_total, total_difference, grade
FROM evaluation_result WHERE project_code LIKE 'T-R%' ORDER BY project_code;
SELECT project_code, weight_total, output_weight, benefit_weight, satisfaction_weight, cost_weight, other_weight,
       reported_score_sum, indicator_count, findings, finding_count
FROM evaluation_result WHERE project_code LIKE 'T-R%' ORDER BY project_code;
SELECT e.project_code, r.position, r.level1_kind, r.level2_home, r.rule, r.computed_score, r.reported_score,
       r.score_difference, r.counted_score, r.flags, r.band, r.band_low, r.band_high, r.findings
FROM indicator_result r JOIN evaluation_result e USING (evaluation_id)
WHERE e.project_code LIKE 'T-R%'
ORDER BY e.project_code, r.position;

-- Scores are never stored: change a cell and the views follow at once.
BEGIN;
UPDATE indicator SET actual_text = '500人次'
WHERE evaluation_id = (SELECT evaluation_id FROM r WHERE code = 'T-R1') AND position = 1;
SELECT project_code, output_score, total_score, grade FROM evaluation_result WHERE project_code = 'T-R1';
ROLLBACK;

-- Clean up (the seed forms stay for the other tests).
-- the stored results are what the rules give (zz_results, 55_results.sql)
SELECT * FROM pjeval.verify_results();
DELETE FROM evaluation WHERE evaluation_id IN (SELECT evaluation_id FROM r);
DELETE FROM project WHERE code LIKE 'T-R%';
DELETE FROM unit WHERE name = '结果测试单位';
DELETE FROM profile WHERE name = 'test-cost-level1';
