-- schema_hostile: the views, triggers and workflow give the right answers
-- whatever the caller's search_path holds.  Objects in public are named like
-- built-ins and like pjeval's own (tables, functions, an operator that would
-- win over the built-in one for numeric > integer), and the search_path puts
-- public first.  Every pjeval object names what it uses with its schema, and
-- every function that runs statements has a fixed search_path.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The answers before.
CREATE TEMP TABLE before_results AS SELECT * FROM pjeval.evaluation_result;
CREATE TEMP TABLE before_findings AS SELECT * FROM pjeval.audit_finding;
CREATE TEMP TABLE before_indicators AS SELECT * FROM pjeval.indicator_result;

-- Hostile objects.
CREATE TABLE public.evaluation (evaluation_id bigint, status text);
CREATE TABLE public.indicator (evaluation_id bigint, position integer);
CREATE TABLE public.project (project_id bigint, unit_id bigint);
CREATE TABLE public.unit (unit_id bigint, name text, parent_id bigint);
CREATE TABLE public.history (history_id bigint);
CREATE TABLE public.profile (name text);
INSERT INTO public.evaluation VALUES (1, 'draft');
-- pjeval's own functions, counterfeit
CREATE FUNCTION public.try_indicator_value(text) RETURNS pjeval.indicator_value
    LANGUAGE sql AS $$ SELECT '999'::pjeval.indicator_value $$;
CREATE FUNCTION public.assess(pjeval.indicator_value, pjeval.indicator_value, numeric, text, numeric, text)
    RETURNS pjeval.assessment LANGUAGE sql AS $$ SELECT ROW('none', 0, 0, '{}')::pjeval.assessment $$;
CREATE FUNCTION public.is_reviewer(name) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION public.member_units(name) RETURNS bigint[] LANGUAGE sql AS $$ SELECT ARRAY[-1]::bigint[] $$;
CREATE FUNCTION public.restoring_dump() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION public.grade(numeric, numeric, numeric, numeric) RETURNS text LANGUAGE sql AS $$ SELECT '差' $$;
CREATE FUNCTION public.fund_score(numeric, numeric, numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT 0::numeric $$;
CREATE FUNCTION public.set_status(bigint, text[], text, text) RETURNS text LANGUAGE sql AS $$ SELECT 'approved' $$;
-- built-ins, counterfeit: exact matches where the built-in needs a cast
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE sql AS $$ SELECT 'off' $$;
CREATE FUNCTION public.current_setting(varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'off' $$;
CREATE FUNCTION public.btrim(varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION public.abs(integer) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$;
CREATE FUNCTION public.round(numeric, bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 0::numeric $$;
CREATE FUNCTION public.cardinality(text[]) RETURNS integer LANGUAGE sql AS $$ SELECT 99 $$;
CREATE FUNCTION public.to_jsonb(pjeval.indicator) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION public.hostile_gt(numeric, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.> (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = public.hostile_gt);
CREATE FUNCTION public.hostile_eq(text, varchar) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.hostile_eq);
CREATE FUNCTION public.hostile_eq_name(name, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.hostile_eq_name);
-- (The hostile operator is real: unqualified SQL picks it.)
SET search_path = public, pjeval;
SELECT 0.5::numeric > 1 AS hostile_operator_wins, current_setting('row_security'::varchar) AS hostile_function_wins;

-- The views give the same answers as before.
SELECT project_code, total_score, grade, finding_count FROM pjeval.evaluation_result ORDER BY project_code;
SELECT (SELECT count(*) FROM (SELECT * FROM pjeval.evaluation_result EXCEPT SELECT * FROM before_results) d) AS results_changed,
       (SELECT count(*) FROM (SELECT * FROM pjeval.audit_finding EXCEPT SELECT * FROM before_findings) d) AS findings_changed,
       (SELECT count(*) FROM (SELECT * FROM pjeval.indicator_result EXCEPT SELECT * FROM before_indicators) d) AS indicators_changed,
       (SELECT count(*) FROM pjeval.audit_finding) = (SELECT count(*) FROM before_findings) AS same_number_of_findings;
-- ... and under an empty search_path (as pg_dump runs).
SET search_path = '';
SELECT project_code, total_score, grade FROM pjeval.evaluation_result ORDER BY project_code;
SET search_path = public, pjeval;

-- The triggers and the workflow, with the hostile path in force.
CREATE ROLE regress_pjh_unit NOLOGIN;
CREATE ROLE regress_pjh_member NOLOGIN IN ROLE regress_pjh_unit;
-- The writes an administrator grants to the roles that enter and review forms.
GRANT INSERT, UPDATE, DELETE ON pjeval.unit, pjeval.unit_member, pjeval.reviewer, pjeval.project, pjeval.evaluation, pjeval.fund_line, pjeval.indicator
    TO regress_pjh_unit;
INSERT INTO pjeval.unit (name) VALUES ('敌意路径测试单位');
INSERT INTO pjeval.unit_member (unit_id, role_name)
SELECT u.unit_id, 'regress_pjh_unit' FROM pjeval.unit u WHERE u.name = '敌意路径测试单位';
SET ROLE regress_pjh_member;
SET search_path = public, pjeval;
INSERT INTO pjeval.project (code, name, unit_id)
SELECT 'T-HOSTILE', '敌意路径', u.unit_id FROM pjeval.unit u WHERE u.name = '敌意路径测试单位';
INSERT INTO pjeval.evaluation (project_id, year, reported_total)
SELECT p.project_id, 2023, 100 FROM pjeval.project p WHERE p.code = 'T-HOSTILE';
INSERT INTO pjeval.fund_line (evaluation_id, source, annual_budget, executed, reported_weight, reported_score)
SELECT e.evaluation_id, 'total', 100, 100, 10, 10
FROM pjeval.evaluation e JOIN pjeval.project p ON p.project_id = e.project_id WHERE p.code = 'T-HOSTILE';
INSERT INTO pjeval.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
SELECT e.evaluation_id, v.pos, v.l1, v.l2, v.l3, v.t, v.a, v.w, v.s
FROM pjeval.evaluation e JOIN pjeval.project p ON p.project_id = e.project_id,
     (VALUES (1, '产出指标', '数量指标', '完成数', '≥10个', '12个', 50::numeric, 50::numeric),
             (2, '效益指标', '社会效益指标', '覆盖率', '≥90%', '80%', 30, 30),
             (3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '95%', 10, 10)) AS v (pos, l1, l2, l3, t, a, w, s)
WHERE p.code = 'T-HOSTILE';
-- values read by the real reader, scored by the real rules, seen by the unit
SELECT r.position, r.target, r.actual, r.computed_score, r.reported_score, r.findings
FROM pjeval.indicator_result r JOIN pjeval.evaluation_result e ON e.evaluation_id = r.evaluation_id
WHERE e.project_code = 'T-HOSTILE' ORDER BY r.position;
SELECT project_code, total_score, grade, findings FROM pjeval.evaluation_result ORDER BY project_code;
-- the workflow: the real one (not the counterfeit set_status, not a restore)
SELECT pjeval.submit(e.evaluation_id) FROM pjeval.evaluation e JOIN pjeval.project p ON p.project_id = e.project_id
WHERE p.code = 'T-HOSTILE';
UPDATE pjeval.indicator SET reported_score = 27.78 WHERE position = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.approve(e.evaluation_id) FROM pjeval.evaluation e JOIN pjeval.project p ON p.project_id = e.project_id
WHERE p.code = 'T-HOSTILE';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the history, written by the real trigger
SELECT h.table_name, h.operation, h.current_user_name, h.new_row ->> 'status' AS status
FROM pjeval.history h JOIN pjeval.evaluation e ON e.evaluation_id = h.evaluation_id
JOIN pjeval.project p ON p.project_id = e.project_id
WHERE p.code = 'T-HOSTILE'
ORDER BY h.history_id;
-- the hostile tables were never touched
SELECT (SELECT count(*) FROM public.evaluation) AS public_evaluation, (SELECT count(*) FROM public.indicator) AS public_indicator,
       (SELECT count(*) FROM public.history) AS public_history;

-- Clean up.
SET search_path = public, pjeval;
SELECT pjeval.reopen(e.evaluation_id) FROM pjeval.evaluation e JOIN pjeval.project p ON p.project_id = e.project_id
WHERE p.code = 'T-HOSTILE';
DELETE FROM pjeval.evaluation WHERE project_id = (SELECT p.project_id FROM pjeval.project p WHERE p.code = 'T-HOSTILE');
DELETE FROM pjeval.project WHERE code = 'T-HOSTILE';
DELETE FROM pjeval.unit_member WHERE role_name = 'regress_pjh_unit';
DELETE FROM pjeval.unit WHERE name = '敌意路径测试单位';
REVOKE INSERT, UPDATE, DELETE ON pjeval.unit, pjeval.unit_member, pjeval.reviewer, pjeval.project, pjeval.evaluation, pjeval.fund_line, pjeval.indicator
    FROM regress_pjh_unit;
DROP ROLE regress_pjh_member, regress_pjh_unit;
RESET search_path;
DROP OPERATOR public.> (numeric, integer);
DROP OPERATOR public.= (text, varchar);
DROP OPERATOR public.= (name, text);
DROP FUNCTION public.hostile_gt(numeric, integer), public.hostile_eq(text, varchar), public.hostile_eq_name(name, text),
    public.try_indicator_value(text), public.assess(pjeval.indicator_value, pjeval.indicator_value, numeric, text, numeric, text),
    public.is_reviewer(name), public.member_units(name), public.restoring_dump(), public.grade(numeric, numeric, numeric, numeric),
    public.fund_score(numeric, numeric, numeric), public.set_status(bigint, text[], text, text),
    public.current_setting(text), public.current_setting(varchar), public.btrim(varchar), public.abs(integer),
    public.round(numeric, bigint), public.cardinality(text[]), public.to_jsonb(pjeval.indicator);
DROP TABLE public.evaluation, public.indicator, public.project, public.unit, public.history, public.profile;
