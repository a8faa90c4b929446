-- targets3: T2 of the target-quality checks (docs/targets.md): the
-- quantified share of a target form's 年度 set (pjeval.target_quantified)
-- and its finding target_quantified_share_low, flagged below the minimum of
-- the form's profile (pjeval.target_setting), never while it is unset.  One
-- transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
BEGIN;

INSERT INTO unit (name) VALUES ('目标二测试单位');
INSERT INTO project (code, name, unit_id)
SELECT c, c, unit_id FROM unit, unnest(ARRAY['T2-A', 'T2-B', 'T2-C', 'T2-D', 'T2-E']) c WHERE name = '目标二测试单位';
INSERT INTO target (project_id, year, attribute)
SELECT project_id, 2024, '新增' FROM project WHERE code LIKE 'T2-%';
-- A: two numbers (a count, a date), one qualitative, one 不适用, and a 长期
--    row that does not count: 2 of 3
-- B: three numbers: 3 of 3
-- C: no indicators
-- D: a 指标值 that does not read and an empty one count, without a number: 1 of 3
INSERT INTO target_indicator (target_id, position, term, level1, level2, level3, target_text, formula)
SELECT t.target_id, v.pos, v.term, v.l1, v.l2, v.l3, v.tt, '实际数/计划数'
FROM target t JOIN project p USING (project_id)
JOIN (VALUES ('T2-A', 1, '年度', '产出指标', '数量指标', '办结件数', '≥100件'),
             ('T2-A', 2, '年度', '产出指标', '时效指标', '完成时间', '2024年11月30日前'),
             ('T2-A', 3, '年度', '效益指标', '社会效益指标', '治理水平', '有效提升'),
             ('T2-A', 4, '年度', '效益指标', '经济效益指标', '经济效益', '不适用'),
             ('T2-A', 5, '长期', '效益指标', '社会效益指标', '长期治理水平', '持续提升'),
             ('T2-B', 1, '年度', '产出指标', '数量指标', '办结件数', '≥100件'),
             ('T2-B', 2, '年度', '产出指标', '质量指标', '合格率', '100%'),
             ('T2-B', 3, '年度', '满意度指标', '服务对象满意度指标', '满意度', '≥90%'),
             ('T2-D', 1, '年度', '产出指标', '数量指标', '办结件数', '≥100件'),
             ('T2-D', 2, '年度', '效益指标', '社会效益指标', '群众知晓率', '≥万元'),
             ('T2-D', 3, '年度', '效益指标', '社会效益指标', '服务质量', NULL))
     AS v (c, pos, term, l1, l2, l3, tt)
  ON v.c = p.code;
-- E: one number among 800 rows: 0.125 %, half-up 0.13
INSERT INTO target_indicator (target_id, position, level1, level2, level3, target_text)
SELECT t.target_id, g, '效益指标', '社会效益指标', '指标' || g, CASE WHEN g = 1 THEN '≥1件' ELSE '有效提升' END
FROM target t JOIN project p USING (project_id), generate_series(1, 800) g
WHERE p.code = 'T2-E';

-- Unset (no row of target_setting): the share is reported, nothing is flagged.
SELECT p.code, q.applicable, q.quantified, q.quantified_share, q.quantified_share_min, q.below_minimum
FROM target_quantified q JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' ORDER BY p.code;
SELECT count(*) AS t2_findings_unset FROM target_finding WHERE code = 'target_quantified_share_low';

-- A minimum of 70 % for the forms' profile: A (66.67), D (33.33) and E
-- (0.13) are below it; B is not; C, without indicators, is never flagged.
INSERT INTO target_setting (profile, quantified_share_min) VALUES (default_profile(), 70);
SELECT p.code, q.quantified_share, q.quantified_share_min, q.below_minimum
FROM target_quantified q JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' ORDER BY p.code;
SELECT p.code, f.position, f.code AS finding, f.severity, f.message_zh, f.message_en
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' AND f.code = 'target_quantified_share_low'
ORDER BY p.code;

-- A share equal to the minimum is not below it.
UPDATE target_setting SET quantified_share_min = 66.67 WHERE profile = default_profile();
SELECT p.code FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' AND f.code = 'target_quantified_share_low' ORDER BY p.code;

-- The minimum belongs to the profile the form is checked by: a form moved to
-- another profile, which has no row, is not flagged.
UPDATE target SET profile = 'capped-2021'
WHERE project_id = (SELECT project_id FROM project WHERE code = 'T2-D');
SELECT p.code FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' AND f.code = 'target_quantified_share_low' ORDER BY p.code;

-- NULL is unset.
UPDATE target_setting SET quantified_share_min = NULL WHERE profile = default_profile();
SELECT count(*) AS t2_findings_null FROM target_finding WHERE code = 'target_quantified_share_low';

-- A minimum is a percentage.
SAVEPOINT s;
INSERT INTO target_setting (profile, quantified_share_min) VALUES ('capped-2021', 100.5);
ROLLBACK TO SAVEPOINT s;
INSERT INTO target_setting (profile, quantified_share_min) VALUES ('no-such-profile', 50);
ROLLBACK TO SAVEPOINT s;

-- The code is in the catalogue with its scope, as the other target codes.
SELECT code, scope, severity FROM finding_catalogue WHERE code = 'target_quantified_share_low';

ROLLBACK;
