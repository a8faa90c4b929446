-- targets3: T2 of the target-quality checks (docs/targets.md): the
-- quantified share of a target form's 年度 set (pjeval.target_quantified)
-- and its finding target_quantified_share_low, flagged below the minimum of
-- the form's profile (profile.target_quantified_share_min), never while it
-- is unset.  One transaction, rolled back at the end.
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

-- Unset (the profile's target_quantified_share_min is NULL, as in every
-- built-in profile): the share is reported, nothing is flagged.
SELECT name FROM profile WHERE target_quantified_share_min IS NOT NULL;
SELECT p.code, q.applicable, q.quantified, q.quantified_share, q.quantified_share_min, q.below_minimum
FROM target_quantified q JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' ORDER BY p.code;
SELECT count(*) AS t2_findings_unset FROM target_finding WHERE code = 'target_quantified_share_low';

-- A built-in profile is not changed for it, as for any other parameter: a
-- copy is.
SAVEPOINT s;
UPDATE profile SET target_quantified_share_min = 70 WHERE name = default_profile();
ROLLBACK TO SAVEPOINT s;

-- A copy of the default profile with a minimum of 70 %, the forms moved to
-- it: A (66.67), D (33.33) and E (0.13) are below it; B is not; C, without
-- indicators, is never flagged.
INSERT INTO profile (name, description, target_quantified_share_min)
VALUES ('regress-t2', 'central-2020 with T2''s minimum', 70);
UPDATE target SET profile = 'regress-t2' WHERE project_id IN (SELECT project_id FROM project WHERE code LIKE 'T2-%');
SELECT p.code, q.quantified_share, q.quantified_share_min, q.below_minimum
FROM target_quantified q JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' ORDER BY p.code;
SELECT p.code, f.position, f.code AS finding, f.severity, f.message_zh, f.message_en
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' AND f.code = 'target_quantified_share_low'
ORDER BY p.code;

-- A share equal to the minimum is not below it; the change is in the
-- profile's history.
UPDATE profile SET target_quantified_share_min = 66.67 WHERE name = 'regress-t2';
SELECT p.code FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' AND f.code = 'target_quantified_share_low' ORDER BY p.code;
SELECT operation, old_row ->> 'target_quantified_share_min' AS old_min, new_row ->> 'target_quantified_share_min' AS new_min
FROM history_all WHERE table_name = 'profile' AND coalesce(new_row, old_row) ->> 'name' = 'regress-t2'
ORDER BY history_id;

-- The minimum belongs to the profile the form is checked by: a form moved to
-- another profile, whose minimum is unset, is not flagged.
UPDATE target SET profile = 'capped-2021'
WHERE project_id = (SELECT project_id FROM project WHERE code = 'T2-D');
SELECT p.code FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T2-%' AND f.code = 'target_quantified_share_low' ORDER BY p.code;

-- NULL is unset.
UPDATE profile SET target_quantified_share_min = NULL WHERE name = 'regress-t2';
SELECT count(*) AS t2_findings_null FROM target_finding WHERE code = 'target_quantified_share_low';

-- A minimum is a percentage.
SAVEPOINT s;
UPDATE profile SET target_quantified_share_min = 100.5 WHERE name = 'regress-t2';
ROLLBACK TO SAVEPOINT s;
UPDATE profile SET target_quantified_share_min = -1 WHERE name = 'regress-t2';
ROLLBACK TO SAVEPOINT s;

-- It is the profile's column, and no table of its own.
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'pjeval.profile'::regclass AND attname = 'target_quantified_share_min';
SELECT to_regclass('pjeval.target_setting') AS target_setting;

-- The code is in the catalogue with its scope, as the other target codes.
SELECT code, scope, severity FROM finding_catalogue WHERE code = 'target_quantified_share_low';

ROLLBACK;
