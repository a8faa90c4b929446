-- schema_audit: audit_finding, code by code.  The seed forms (entered by
-- schema.sql) give exactly the three findings the issue asks for; made-up
-- forms give every other code, each with its severity and messages; the
-- count in evaluation_result agrees with the rows of audit_finding.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Every code the audit can give.
SELECT code, scope, severity, description_zh, description_en FROM finding_code ORDER BY scope, code;
SELECT count(*) AS codes, count(DISTINCT code) AS distinct_codes FROM finding_code;

-- Done when: the two over-achieved indicators without an explanation
-- (操作员数量 17 → 27, 案件操作数 200000 → 424876) and 经济效益指标 under 产出指标.
SELECT e.project_code, f.position, f.code, f.severity, f.message_zh, f.message_en
FROM audit_finding f JOIN evaluation_result e USING (evaluation_id)
WHERE e.project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY e.project_code, f.position NULLS FIRST, f.code;

-- An explanation clears the over-achievement finding (a placeholder does not).
BEGIN;
UPDATE indicator SET deviation_reason = '—' WHERE level3 = '操作员数量';
UPDATE indicator SET deviation_reason = '案件量随城市管理范围扩大而增长' WHERE level3 = '案件操作数';
SELECT e.project_code, f.position, f.code
FROM audit_finding f JOIN evaluation_result e USING (evaluation_id)
WHERE e.project_code = '440309210901500004279'
ORDER BY f.position NULLS FIRST, f.code;
ROLLBACK;

-- Made-up forms, each wrong in its own ways.
INSERT INTO unit (name) VALUES ('审计测试单位');
INSERT INTO project (code, name, unit_id)
SELECT v.code, v.name, u.unit_id
FROM unit u,
     (VALUES ('T-A1', '问题很多的表'), ('T-A2', '空表'), ('T-A3', '零预算且未填得分'),
             ('T-A4', '执行率偏低且总分不符'), ('T-A5', '零预算但填了得分')) AS v (code, name)
WHERE u.name = '审计测试单位';
INSERT INTO evaluation (project_id, year, reported_total)
SELECT p.project_id, 2023, v.reported_total
FROM project p
JOIN (VALUES ('T-A1', 90), ('T-A2', NULL), ('T-A3', 90), ('T-A4', 95), ('T-A5', 100)) AS v (code, reported_total)
  ON v.code = p.code;
CREATE TEMP TABLE a AS
SELECT p.code, e.evaluation_id FROM evaluation e JOIN project p USING (project_id) WHERE p.code LIKE 'T-A_';

INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
SELECT a.evaluation_id, v.source, v.initial_budget, v.annual_budget, v.executed, v.reported_weight, v.reported_rate, v.reported_score
FROM a
JOIN (VALUES
    -- T-A1: 120 executed of 100 budgeted, reported as 90 % and 9 points; the
    -- sources say 100 executed, and print 90 % and 9 points for it too
    ('T-A1', 'total', 100, 100, 120, 10, 90, 9),
    ('T-A1', 'appropriation', 100, 100, 100, NULL, 90, 9),
    -- T-A3: no budget, no reported score
    ('T-A3', 'total', 0, 0, 0, 10, NULL, NULL),
    -- T-A4: 70 % executed
    ('T-A4', 'total', 100, 100, 70, 10, 70, 7),
    -- T-A5: no budget, reported 10
    ('T-A5', 'total', 0, 0, 0, 10, 100, 10)
) AS v (code, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
  ON v.code = a.code;

INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score, deviation_reason, band)
SELECT a.evaluation_id, v.position, v.level1, v.level2, v.level3, v.target_text, v.actual_text, v.weight, v.reported_score, v.reason, v.band
FROM a
JOIN (VALUES
    ('T-A1',  1, '产出指标', '数量指标', '未完成且未说明', '≥100个', '90个', 5, 5, NULL, NULL),
    ('T-A1',  2, '产出指标', '质量指标', '得分超过分值', '≥90%', '95%', 5, 6, NULL, NULL),
    ('T-A1',  3, '产出指标', '时效指标', '未填分值', '≥90%', '95%', NULL, 5, NULL, NULL),
    ('T-A1',  4, '产出指标', '成本指标', '目标无法识别', '≤9x元', '5元', 5, 5, NULL, NULL),
    ('T-A1',  5, '效益指标', '社会效益指标', '实际无法识别', '≥90%', '9x%', 5, 5, NULL, NULL),
    ('T-A1',  6, '效益指标', '社会效益指标', '缺少目标', NULL, '5', 5, 5, NULL, NULL),
    ('T-A1',  7, '效益指标', '经济效益指标', '单位不可比', '≥100万元', '120次', 5, 5, NULL, NULL),
    ('T-A1',  8, '效益指标', '社会效益指标', '分项对不上', '采集率≥95%，准确率≥90%', '采集率96%', 5, 5, NULL, NULL),
    ('T-A1',  9, '满意度指标', '服务对象满意度指标', '以表述代替数值', '≥90%', '已完成', 5, 5, NULL, NULL),
    ('T-A1', 10, '满意度指标', '其他满意度指标', '定性未定档', '有效提升', '明显提升', 5, 4, NULL, NULL),
    ('T-A1', 11, '满意度指标', '其他满意度指标', '得分不在档次内', '有效提升', '有所提升', 10, 9, NULL, 'partial'),
    ('T-A1', 12, '产出指标', '时效指标', '逾期完成', '2022年12月31日前', '2023年3月', 5, 3, '设备到货延迟', NULL),
    ('T-A1', 13, '产出指标', '数量指标', '超额且未说明', '≥10次', '20次', 5, 5, '', NULL),
    ('T-A1', 14, '产出指标', '可持续影响指标', '放错位置', '不适用', '不适用', 0, 0, NULL, NULL),
    ('T-A1', 15, '效果指标', '社会效益指标', '非标准一级', '≥1个', '1个', 5, 5, NULL, NULL),
    ('T-A1', 16, '产出指标', '创新指标', '非标准二级', '≥1个', '1个', 5, 5, NULL, NULL),
    ('T-A1', 17, '效益指标', '社会效益指标', '无从得分', '明显改善', '有所改善', 5, NULL, NULL, NULL),
    ('T-A1', 18, '效益指标', '社会效益指标', '数值过大', '≥999999999999999999万', '0.000000000000000001', 0, 0, NULL, NULL),
    ('T-A3',  1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50, NULL, NULL),
    ('T-A3',  2, '效益指标', '社会效益指标', '覆盖率', '≥90%', '95%', 30, 30, NULL, NULL),
    ('T-A3',  3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '95%', 10, 10, NULL, NULL),
    ('T-A4',  1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50, NULL, NULL),
    ('T-A4',  2, '效益指标', '社会效益指标', '覆盖率', '≥90%', '95%', 30, 30, NULL, NULL),
    ('T-A4',  3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '95%', 10, 10, NULL, NULL),
    ('T-A5',  1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50, NULL, NULL),
    ('T-A5',  2, '效益指标', '社会效益指标', '覆盖率', '≥90%', '95%', 30, 30, NULL, NULL),
    ('T-A5',  3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '95%', 10, 10, NULL, NULL)
) AS v (code, position, level1, level2, level3, target_text, actual_text, weight, reported_score, reason, band)
  ON v.code = a.code;
-- What the form reader found (import_forms writes these): on an indicator's
-- line and on the header's.
INSERT INTO read_finding (evaluation_id, line, position, code, detail)
SELECT a.evaluation_id, v.line, v.position, v.finding, v.detail
FROM a JOIN (VALUES ('T-A1', 3, NULL, 'unclosed_quote', NULL), ('T-A1', 30, 16, 'unclosed_quote', NULL),
                    ('T-A1', 29, 15, 'level1_inferred', '效益指标')) AS v (code, line, position, finding, detail)
  ON v.code = a.code;

-- Every finding, with its messages.
SELECT a.code AS form, f.position, f.code, f.severity, f.message_zh
FROM audit_finding f JOIN a USING (evaluation_id)
ORDER BY a.code, f.position NULLS FIRST, f.code;
SELECT a.code AS form, f.position, f.code, f.message_en
FROM audit_finding f JOIN a USING (evaluation_id)
ORDER BY a.code, f.position NULLS FIRST, f.code;

-- What lies behind the indicator findings of T-A1.
SELECT r.position, r.weight, r.rule, r.computed_score, r.reported_score, r.counted_score, r.flags, r.findings
FROM indicator_result r JOIN a USING (evaluation_id)
WHERE a.code = 'T-A1'
ORDER BY r.position;
SELECT a.code AS form, e.execution_rate, e.fund_score, e.reported_fund_score, e.weight_total, e.total_score,
       e.reported_total, e.reported_score_sum, e.grade, e.findings, e.finding_count
FROM evaluation_result e JOIN a USING (evaluation_id)
ORDER BY a.code;

-- unscorable: numbers beyond exact scoring, which the tables' checks refuse
-- (reports_hostile), stored past the checks for the time of the two
-- queries below: T-A5's budget and its first weight.
BEGIN;
ALTER TABLE fund_line DROP CONSTRAINT fund_line_annual_budget_scorable;
ALTER TABLE indicator DROP CONSTRAINT indicator_weight_scorable;
UPDATE fund_line SET annual_budget = 1e19
WHERE source = 'total' AND evaluation_id = (SELECT evaluation_id FROM a WHERE code = 'T-A5');
UPDATE indicator SET weight = 50.0000000000000000001
WHERE position = 1 AND evaluation_id = (SELECT evaluation_id FROM a WHERE code = 'T-A5');
SELECT f.position, f.code, f.severity, f.message_zh, f.message_en
FROM audit_finding f JOIN a USING (evaluation_id)
WHERE a.code = 'T-A5' AND f.code = 'unscorable'
ORDER BY f.position NULLS FIRST;
-- The tolerant reader's second increment (sql/import_tolerant2.sql has them
-- from documents): T-A4's 执行率 printed one unit off in its last place, a
-- form without a 总分 row and 本单位 as its unit, for the time of the queries
-- below.
UPDATE fund_line fl SET reported_rate = e.execution_rate + 0.01
FROM evaluation_result e JOIN a USING (evaluation_id)
WHERE a.code = 'T-A4' AND fl.evaluation_id = e.evaluation_id AND fl.source = 'total';
INSERT INTO read_finding (evaluation_id, line, position, code, detail)
SELECT a.evaluation_id, v.line, NULL, v.finding, v.detail
FROM a JOIN (VALUES ('T-A2', 1, 'no_total_row', NULL), ('T-A2', 3, 'unit_this_unit', '测试一级单位')) AS v (code, line, finding, detail)
  ON v.code = a.code;
-- a grade on the 总分 row that is not the computed total's
UPDATE evaluation e SET reported_grade = '差' FROM a WHERE a.code = 'T-A4' AND e.evaluation_id = a.evaluation_id;
-- a fund weight on the form that is not the profile's
UPDATE fund_line fl SET reported_weight = 20 FROM a WHERE a.code = 'T-A4' AND fl.evaluation_id = a.evaluation_id AND fl.source = 'total';
-- indicators without weights of their own in a block that has one
UPDATE indicator i SET weight = NULL, level1 = '产出指标 (90分)' FROM a WHERE a.code = 'T-A4' AND i.evaluation_id = a.evaluation_id;
SELECT a.code AS form, f.code, f.severity, f.message_en
FROM audit_finding f JOIN a USING (evaluation_id)
WHERE f.code IN ('reported_rate_misprint', 'no_total_row', 'unit_this_unit', 'reported_grade_mismatch', 'fund_weight_off_profile',
                 'weights_by_block')
ORDER BY a.code, f.code;
-- Every code is given somewhere above, at the scope it belongs to; a code
-- listed here was not.
SELECT c.code, c.scope
FROM finding_code c
WHERE (c.scope IN ('indicator', 'both')
       AND NOT EXISTS (SELECT 1 FROM audit_finding f WHERE f.code = c.code AND f.position IS NOT NULL))
   OR (c.scope IN ('form', 'both')
       AND NOT EXISTS (SELECT 1 FROM audit_finding f WHERE f.code = c.code AND f.position IS NULL))
ORDER BY c.code;
-- Every finding has a known code, a severity and both messages.
SELECT count(*) AS incomplete
FROM audit_finding f LEFT JOIN finding_code c USING (code)
WHERE c.code IS NULL OR f.severity IS DISTINCT FROM c.severity OR f.message_zh IS NULL OR f.message_en IS NULL;
ROLLBACK;
-- evaluation_result counts exactly the rows of audit_finding.
SELECT e.project_code, e.finding_count, (SELECT count(*) FROM audit_finding f WHERE f.evaluation_id = e.evaluation_id) AS rows
FROM evaluation_result e
WHERE e.finding_count <> (SELECT count(*) FROM audit_finding f WHERE f.evaluation_id = e.evaluation_id);
-- One form asked for alone gives the same findings as in the full list.
SELECT (SELECT count(*) FROM audit_finding WHERE evaluation_id = (SELECT evaluation_id FROM a WHERE code = 'T-A1'))
     = (SELECT count(*) FROM audit_finding f JOIN a USING (evaluation_id) WHERE a.code = 'T-A1') AS same;

-- the stored results are what the rules give (zz_results, 55_results.sql)
SELECT * FROM pjeval.verify_results();
-- Clean up (the seed forms stay).
DELETE FROM evaluation WHERE evaluation_id IN (SELECT evaluation_id FROM a);
DELETE FROM project WHERE code LIKE 'T-A_';
DELETE FROM unit WHERE name = '审计测试单位';
