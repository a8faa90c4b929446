-- targets2: T10 of the target-quality checks (docs/targets.md, pjeval's
-- rule): a 指标值 that does not read (target_value_unreadable), a number
-- with no unit (target_unit_missing), a 年度 set with no 产出 or no 效益
-- indicator (target_level_missing); and rows that must not be flagged (a
-- percentage, a count in 件, a date, a qualitative 达标).  One transaction,
-- rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
BEGIN;

INSERT INTO unit (name) VALUES ('目标十测试单位');
INSERT INTO project (code, name, unit_id)
SELECT c, c, unit_id FROM unit, unnest(ARRAY['T10-A', 'T10-B']) c WHERE name = '目标十测试单位';
INSERT INTO target (project_id, year, attribute) SELECT project_id, 2024, '新增' FROM project WHERE code IN ('T10-A', 'T10-B');
-- A: output and benefit present; B: output only
INSERT INTO target_indicator (target_id, position, level1, level2, level3, target_text, formula, standard)
SELECT t.target_id, v.pos, v.l1, v.l2, v.l3, v.tt, '实际数/计划数', '计划'
FROM target t JOIN project p USING (project_id)
JOIN (VALUES ('T10-A', 1, '产出指标', '数量指标', '培训场次', '≥100'),
             ('T10-A', 2, '产出指标', '数量指标', '办结件数', '≥100件'),
             ('T10-A', 3, '产出指标', '时效指标', '完成时间', '2024年11月30日前'),
             ('T10-A', 4, '效益指标', '社会效益指标', '群众知晓率', '≥万元'),
             ('T10-A', 5, '效益指标', '社会效益指标', '服务质量', '达标'),
             ('T10-A', 6, '满意度指标', '服务对象满意度指标', '满意度', '≥90%'),
             ('T10-B', 1, '产出指标', '数量指标', '办结件数', '≥100件'),
             ('T10-B', 2, '产出指标', '质量指标', '合格率', '100%'),
             ('T10-B', 3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%')) AS v (c, pos, l1, l2, l3, tt)
  ON v.c = p.code;

SELECT p.code, f.position, f.code AS finding, f.severity, f.message_zh
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code LIKE 'T10-%' AND f.code IN ('target_value_unreadable', 'target_unit_missing', 'target_level_missing')
ORDER BY p.code, f.position NULLS FIRST, f.code;

ROLLBACK;
