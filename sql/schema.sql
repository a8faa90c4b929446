-- schema: the tables that hold a form, their constraints and triggers.  Enters
-- the two seed forms (深圳市龙华区平安建设中心, 2022) with plain INSERTs; the
-- later schema_* tests use them.  Impossible rows are refused with a clear
-- error and SQLSTATE; unusual ones are stored (the audit flags them).
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Every table that holds users' data has row-level security and is kept by
-- pg_dump, and so is every key sequence (profile keeps its built-in rows out).
SELECT c.relname, c.relkind, c.relrowsecurity AS rls, c.oid = ANY (e.extconfig) AS dumped,
       e.extcondition[array_position(e.extconfig, c.oid)] AS dump_condition
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
CROSS JOIN pg_extension e
WHERE e.extname = 'pjeval' AND c.relkind IN ('r', 'p', 'S')
ORDER BY c.relkind, c.relname;

-- The schema_* tests start from empty tables: a test that runs before them
-- must remove the forms it enters.
SELECT (SELECT count(*) FROM unit) AS units, (SELECT count(*) FROM project) AS projects,
       (SELECT count(*) FROM evaluation) AS evaluations;

-- Keys in these tests start from a known place, whatever ran before.
SELECT setval(c.oid::regclass, 900000, false)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S'
ORDER BY c.relname;

-- Every view, with its options: on PostgreSQL 15+ the caller's rights
-- (security_invoker).  Each is guarded against a caller's functions seeing
-- rows of other units: by a security barrier, or on 15+ by the tables' own
-- policies, which apply through security_invoker (the three live views drop
-- their barrier there, 50_views.sql).  finding_code holds no unit's data.
SELECT c.relname,
       c.relname = 'finding_code'
           OR 'security_barrier=true' = ANY (c.reloptions)
           OR 'security_invoker=true' = ANY (c.reloptions) AS guarded,
       'security_invoker=true' = ANY (c.reloptions)
           OR current_setting('server_version_num')::int < 150000 AS invoker_where_available
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'v'
ORDER BY c.relname;

-- The two seed forms, every cell as written.
\i test/integration/seed_forms.sql

SELECT p.code, p.name, u.name AS unit, e.year, e.profile, e.amount_unit, e.status,
       bu.name AS budget_unit, e.reported_weight_total, e.reported_total,
       left(e.expected_goal, 20) AS expected_goal, left(e.actual_outcome, 20) AS actual_outcome,
       left(e.notes, 12) AS notes
FROM evaluation e
JOIN project p USING (project_id)
JOIN unit u ON u.unit_id = p.unit_id
LEFT JOIN unit bu ON bu.unit_id = e.budget_unit_id
ORDER BY p.code;

SELECT p.code, f.source, f.initial_budget, f.annual_budget, f.executed,
       f.reported_weight, f.reported_rate, f.reported_score
FROM fund_line f
JOIN evaluation e USING (evaluation_id)
JOIN project p USING (project_id)
ORDER BY p.code, array_position(ARRAY['total', 'appropriation', 'carryover', 'other'], f.source);

-- The trigger read every target and actual; the text is kept as written.
SELECT p.code, i.position, i.level2, i.target_text, i.target, kind(i.target) AS target_kind,
       i.actual_text, i.actual, kind(i.actual) AS actual_kind, i.weight, i.reported_score
FROM indicator i
JOIN evaluation e USING (evaluation_id)
JOIN project p USING (project_id)
ORDER BY p.code, i.position;

-- The typed values follow the text, and only the text: they are generated
-- columns, which cannot be written (428C9), neither can the level names.
CREATE TEMP TABLE form1 AS
SELECT e.evaluation_id FROM evaluation e JOIN project p USING (project_id)
WHERE p.code = '440309210901500004279';
UPDATE indicator SET target = '99' WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 2;
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET target_text = '99', actual = NULL WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 2;
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET level2_name = '数量指标' WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 2;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, target)
SELECT evaluation_id, 99, '产出指标', '数量指标', '写入值', '≥95%', '1' FROM form1;
\echo :LAST_ERROR_SQLSTATE
-- Writing DEFAULT is writing nothing: the value is still read from the text.
BEGIN;
UPDATE indicator SET actual_text = '25人' WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 1;
UPDATE indicator SET target = DEFAULT WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 2;
SELECT position, target_text, target, actual_text, actual
FROM indicator WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position IN (1, 2)
ORDER BY position;
-- The level names as the standard lists them, read once when the row is
-- written (and again when a level changes).
SELECT level1, level1_name, level2, level2_name
FROM indicator WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 1;
UPDATE indicator SET level1 = ' 效益 指标（30分）', level2 = '进度'
WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 1
RETURNING level1, level1_name, level2, level2_name;
SELECT level1_kind, level2_home FROM indicator_result
WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 1;
-- Text that does not read is stored, with a NULL value: never an import failure.
UPDATE indicator SET target_text = '≥9x%', actual_text = NULL
WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 5;
SELECT position, target_text, target IS NULL AS target_unread, actual_text, actual, kind(actual) AS actual_kind
FROM indicator WHERE evaluation_id = (SELECT evaluation_id FROM form1) AND position = 5;
ROLLBACK;

-- A form of our own for the checks below (removed at the end).
INSERT INTO unit (name, parent_id)
SELECT '测试下属单位', unit_id FROM unit WHERE name = '深圳市龙华区平安建设中心';
INSERT INTO project (code, name, unit_id)
SELECT 'T-SCHEMA', '约束测试项目', unit_id FROM unit WHERE name = '测试下属单位';
INSERT INTO evaluation (project_id, year)
SELECT project_id, 2023 FROM project WHERE code = 'T-SCHEMA';
CREATE TEMP TABLE t AS
SELECT e.evaluation_id FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-SCHEMA';
SELECT e.profile, e.amount_unit, e.status, e.created_at IS NOT NULL AS created, e.submitted_at
FROM evaluation e WHERE e.evaluation_id = (SELECT evaluation_id FROM t);

-- The impossible is refused: a constraint, named for what it checks, and a
-- SQLSTATE.  (Terse: the failing row would print ids and times.)
\set VERBOSITY terse
-- negative amounts and weights
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed)
SELECT evaluation_id, 'total', 100, -1 FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO fund_line (evaluation_id, source, initial_budget)
SELECT evaluation_id, 'total', -0.01 FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, weight)
SELECT evaluation_id, 1, '产出指标', '数量指标', 'x', -5 FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, weight)
SELECT evaluation_id, 1, '产出指标', '数量指标', 'x', 100.5 FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, weight, reported_score)
SELECT evaluation_id, 1, '产出指标', '数量指标', 'x', 5, -1 FROM t;
\echo :LAST_ERROR_SQLSTATE
-- years outside 2000-2100
INSERT INTO evaluation (project_id, year) SELECT project_id, 1999 FROM project WHERE code = 'T-SCHEMA';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO evaluation (project_id, year) SELECT project_id, 2101 FROM project WHERE code = 'T-SCHEMA';
\echo :LAST_ERROR_SQLSTATE
-- a 得分 or 执行率 out of range, on a source row as on the total
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed, reported_score)
SELECT evaluation_id, 'carryover', 0, 0, -1 FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed, reported_rate)
SELECT evaluation_id, 'other', 0, 0, -100 FROM t;
\echo :LAST_ERROR_SQLSTATE
-- a row for a form that does not exist
INSERT INTO indicator (evaluation_id, position, level1, level2, level3)
VALUES (-1, 1, '产出指标', '数量指标', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO fund_line (evaluation_id, source) VALUES (-1, 'total');
\echo :LAST_ERROR_SQLSTATE
-- a second form for the same project and year, a second row at one position
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code = 'T-SCHEMA';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO fund_line (evaluation_id, source) SELECT evaluation_id, 'total' FROM t;
INSERT INTO fund_line (evaluation_id, source) SELECT evaluation_id, 'total' FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3)
SELECT evaluation_id, 1, '产出指标', '数量指标', 'x' FROM t;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3)
SELECT evaluation_id, 1, '产出指标', '数量指标', 'y' FROM t;
\echo :LAST_ERROR_SQLSTATE
-- values outside their lists
INSERT INTO fund_line (evaluation_id, source) SELECT evaluation_id, '专项资金' FROM t;
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET amount_unit = '千元' WHERE evaluation_id = (SELECT evaluation_id FROM t);
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET band = '良好' WHERE evaluation_id = (SELECT evaluation_id FROM t);
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET profile = 'no-such-profile' WHERE evaluation_id = (SELECT evaluation_id FROM t);
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET reported_total = 100.01 WHERE evaluation_id = (SELECT evaluation_id FROM t);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3)
SELECT evaluation_id, 0, '产出指标', '数量指标', 'z' FROM t;
\echo :LAST_ERROR_SQLSTATE
-- cells that must hold something
INSERT INTO indicator (evaluation_id, position, level1, level2, level3)
SELECT evaluation_id, 2, '产出指标', NULL, 'z' FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3)
SELECT evaluation_id, 2, '  ', '数量指标', 'z' FROM t;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO project (code, name, unit_id) SELECT '', 'x', unit_id FROM unit WHERE name = '测试下属单位';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- units cannot go round in a circle
UPDATE unit SET parent_id = (SELECT unit_id FROM unit WHERE name = '测试下属单位')
WHERE name = '深圳市龙华区平安建设中心';
\echo :LAST_ERROR_SQLSTATE
UPDATE unit SET parent_id = unit_id WHERE name = '测试下属单位';
\echo :LAST_ERROR_SQLSTATE
-- keys are the database's to give
INSERT INTO unit (unit_id, name) VALUES (424242, '自定义编号单位');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse

-- The unusual is stored: a score above its weight, a 经济效益指标 under 产出指标,
-- weights that do not total 100, a missing weight, an empty actual, a
-- project without a code, an amount unit of 万元.
UPDATE evaluation SET amount_unit = '万元' WHERE evaluation_id = (SELECT evaluation_id FROM t);
UPDATE indicator SET level2 = '经济效益指标', target_text = '≥1万元', actual_text = NULL, weight = 3, reported_score = 4
WHERE evaluation_id = (SELECT evaluation_id FROM t) AND position = 1;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text)
SELECT evaluation_id, 2, '产出指标', '数量指标', '无分值', '5', '5' FROM t;
INSERT INTO project (name, unit_id) SELECT '没有编号的项目', unit_id FROM unit WHERE name = '测试下属单位';
INSERT INTO project (name, unit_id) SELECT '没有编号的项目', unit_id FROM unit WHERE name = '测试下属单位';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT i.position, i.level1, i.level2, i.target, i.actual, i.weight, i.reported_score
FROM indicator i WHERE i.evaluation_id = (SELECT evaluation_id FROM t) ORDER BY i.position;

-- Deleting a draft form takes its rows with it (ON DELETE CASCADE).
DELETE FROM evaluation WHERE evaluation_id = (SELECT evaluation_id FROM t);
SELECT (SELECT count(*) FROM indicator WHERE evaluation_id = (SELECT evaluation_id FROM t)) AS indicators,
       (SELECT count(*) FROM fund_line WHERE evaluation_id = (SELECT evaluation_id FROM t)) AS fund_lines;
-- A project with forms cannot be deleted; a unit with projects neither.
DELETE FROM project WHERE code IN ('440309210901500004279');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM project WHERE unit_id = (SELECT unit_id FROM unit WHERE name = '测试下属单位');
DELETE FROM unit WHERE name = '测试下属单位';
SELECT count(*) AS forms, count(DISTINCT project_id) AS projects FROM evaluation;

-- The typed values are generated columns, not a trigger: the C trigger of
-- 0.2.0 is gone, and a table made LIKE indicator, with its generation
-- expressions, reads its values the same way.
SELECT to_regprocedure('pjeval.indicator_read_values()') AS old_trigger_function,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'pjeval.indicator'::regclass
                                          AND tgname = 'indicator_read_values') AS old_triggers;
SELECT a.attname, a.attgenerated, pg_get_expr(d.adbin, d.adrelid) AS expression
FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'pjeval.indicator'::regclass AND a.attgenerated <> ''
ORDER BY a.attnum;
CREATE TABLE public.like_indicator (LIKE pjeval.indicator INCLUDING GENERATED);
INSERT INTO public.like_indicator (indicator_id, evaluation_id, form_project_id, position, level1, level2, level3, target_text, actual_text)
VALUES (1, 1, 1, 1, '产出指标 (50分)', '数量指标', '甲', '≥95%', NULL), (2, 1, 1, 2, '产出', '时效', '乙', '≥9x%', '3次/周')
RETURNING target_text, target, actual_text, actual, kind(actual) AS actual_kind, level1_name, level2_name;
DROP TABLE public.like_indicator;

-- The C trigger of 0.2.0 stays in the library for databases not yet updated
-- (their trigger keeps reading the values until ALTER EXTENSION UPDATE); it
-- still guards the bytes it writes: on another table it needs the same
-- columns, of the same types, and it runs before the row is written.
CREATE FUNCTION pjeval.legacy_read_values() RETURNS trigger
AS '$libdir/pjeval', 'indicator_read_values' LANGUAGE C;
CREATE TABLE public.not_indicator (target_text text, actual_text text, target text, actual text);
CREATE TRIGGER read_values BEFORE INSERT ON public.not_indicator
FOR EACH ROW EXECUTE FUNCTION pjeval.legacy_read_values();
INSERT INTO public.not_indicator VALUES ('≥95%', '96%', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE public.old_indicator (target_text text, actual_text text,
                                   target pjeval.indicator_value, actual pjeval.indicator_value);
CREATE TRIGGER read_values_after AFTER INSERT ON public.old_indicator
FOR EACH ROW EXECUTE FUNCTION pjeval.legacy_read_values();
INSERT INTO public.old_indicator VALUES ('≥95%', '96%', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER read_values_after ON public.old_indicator;
CREATE TRIGGER read_values BEFORE INSERT OR UPDATE ON public.old_indicator
FOR EACH ROW EXECUTE FUNCTION pjeval.legacy_read_values();
INSERT INTO public.old_indicator VALUES ('≥95%', NULL, '1', '2'), ('≥9x%', '3次/周', NULL, NULL)
RETURNING target_text, target, actual_text, actual, kind(actual) AS actual_kind;
UPDATE public.old_indicator SET target = '99' WHERE target_text = '≥95%' RETURNING target_text, target;
DROP TABLE public.not_indicator, public.old_indicator;
DROP FUNCTION pjeval.legacy_read_values();
