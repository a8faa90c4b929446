-- schema_rls: row-level security with real roles.  A unit's members see and
-- change only their unit's forms, in the tables, in the history and through
-- the views; a reviewer sees all; a role listed nowhere sees nothing.  No
-- read or write crosses units, and no superuser is needed for daily work.
-- Also: the views keep units apart on their own (as before PostgreSQL 15,
-- where views run with their owner's rights), a caller's function in a WHERE
-- clause sees no other unit's rows, and the plans run no sub-query per row.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Group roles per unit and for the reviewers, people in them.
CREATE ROLE regress_pj_longhua NOLOGIN;
CREATE ROLE regress_pj_grid NOLOGIN;
CREATE ROLE regress_pj_district NOLOGIN;
CREATE ROLE regress_pj_reviewers NOLOGIN;
CREATE ROLE regress_pj_alice NOLOGIN IN ROLE regress_pj_longhua;
CREATE ROLE regress_pj_bob NOLOGIN IN ROLE regress_pj_grid;
CREATE ROLE regress_pj_dora NOLOGIN IN ROLE regress_pj_district;
CREATE ROLE regress_pj_carol NOLOGIN IN ROLE regress_pj_reviewers;
CREATE ROLE regress_pj_nobody NOLOGIN;
-- The writes an administrator grants to the roles that enter and review forms.
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    TO regress_pj_longhua, regress_pj_grid, regress_pj_district, regress_pj_reviewers;

-- Units: the seed forms' unit; a district with a grid unit under it.  The
-- district's members see their sub-units' forms (with_subunits).
INSERT INTO unit (name) VALUES ('测试区');
INSERT INTO unit (name, parent_id) SELECT '测试网格中心', unit_id FROM unit WHERE name = '测试区';
INSERT INTO unit_member (unit_id, role_name)
SELECT unit_id, 'regress_pj_longhua' FROM unit WHERE name = '深圳市龙华区平安建设中心';
INSERT INTO unit_member (unit_id, role_name)
SELECT unit_id, 'regress_pj_grid' FROM unit WHERE name = '测试网格中心';
INSERT INTO unit_member (unit_id, role_name, with_subunits)
SELECT unit_id, 'regress_pj_district', true FROM unit WHERE name = '测试区';
INSERT INTO reviewer (role_name) VALUES ('regress_pj_reviewers');

SELECT r.rolname, is_reviewer(r.rolname) AS reviewer,
       ARRAY(SELECT u.name FROM unit u WHERE u.unit_id = ANY (member_units(r.rolname)) ORDER BY u.name) AS units
FROM pg_roles r
WHERE r.rolname LIKE 'regress_pj_%'
ORDER BY r.rolname;

-- Bob enters his unit's form himself: no superuser needed.
SET ROLE regress_pj_bob;
INSERT INTO project (code, name, unit_id) SELECT 'T-GRID', '网格巡查', unit_id FROM unit WHERE name = '测试网格中心';
INSERT INTO evaluation (project_id, year, reported_total)
SELECT project_id, 2022, 100 FROM project WHERE code = 'T-GRID';
INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
SELECT e.evaluation_id, 'total', 100, 100, 100, 10, 100, 10
FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-GRID';
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
SELECT e.evaluation_id, v.*
FROM evaluation e JOIN project p USING (project_id),
     (VALUES (1, '产出指标', '数量指标', '巡查次数', '≥100次', '120次', 50, 50),
             (2, '效益指标', '社会效益指标', '问题发现率', '≥90%', '95%', 30, 30),
             (3, '满意度指标', '服务对象满意度指标', '居民满意度', '≥90%', '96%', 10, 10)) AS v
WHERE p.code = 'T-GRID';
SELECT project_code, unit_name, total_score, grade FROM evaluation_result ORDER BY project_code;
RESET ROLE;

-- What each role sees, table by table and view by view.
CREATE TEMP TABLE seen (rolname text, relation text, n bigint);
GRANT ALL ON seen TO PUBLIC;
CREATE FUNCTION pg_temp.count_all(who text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    rel text;
    n bigint;
BEGIN
    FOREACH rel IN ARRAY ARRAY['unit', 'unit_member', 'reviewer', 'project', 'evaluation', 'fund_line',
                               'indicator', 'history', 'indicator_result', 'evaluation_result', 'audit_finding'] LOOP
        EXECUTE format('SELECT count(*) FROM pjeval.%I', rel) INTO n;
        INSERT INTO seen VALUES (who, rel, n);
    END LOOP;
END
$$;
SET ROLE regress_pj_alice;   SELECT pg_temp.count_all('alice');    RESET ROLE;
SET ROLE regress_pj_bob;     SELECT pg_temp.count_all('bob');      RESET ROLE;
SET ROLE regress_pj_dora;    SELECT pg_temp.count_all('dora');     RESET ROLE;
SET ROLE regress_pj_carol;   SELECT pg_temp.count_all('carol');    RESET ROLE;
SET ROLE regress_pj_nobody;  SELECT pg_temp.count_all('nobody');   RESET ROLE;
SELECT relation,
       max(n) FILTER (WHERE rolname = 'alice') AS alice,
       max(n) FILTER (WHERE rolname = 'bob') AS bob,
       max(n) FILTER (WHERE rolname = 'dora') AS dora_district,
       max(n) FILTER (WHERE rolname = 'carol') AS carol_reviewer,
       max(n) FILTER (WHERE rolname = 'nobody') AS nobody
FROM seen
GROUP BY relation
ORDER BY array_position(ARRAY['unit', 'unit_member', 'reviewer', 'project', 'evaluation', 'fund_line',
                              'indicator', 'history', 'indicator_result', 'evaluation_result', 'audit_finding'], relation);

-- And which forms.
SET ROLE regress_pj_alice;
SELECT 'alice' AS who, project_code FROM evaluation_result ORDER BY project_code;
SELECT DISTINCT 'alice' AS who, p.code FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id) ORDER BY 2;
RESET ROLE;
SET ROLE regress_pj_dora;
SELECT 'dora' AS who, project_code FROM evaluation_result ORDER BY project_code;
RESET ROLE;
SET ROLE regress_pj_carol;
SELECT 'carol' AS who, project_code FROM evaluation_result ORDER BY project_code;
RESET ROLE;

-- No write crosses units.  Alice against Bob's form:
SET ROLE regress_pj_alice;
UPDATE indicator SET weight = 0
WHERE evaluation_id IN (SELECT evaluation_id FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) WHERE p.code = 'T-GRID');
UPDATE indicator SET weight = 0 WHERE level3 = '巡查次数';
DELETE FROM indicator WHERE level3 = '巡查次数';
DELETE FROM fund_line WHERE reported_rate = 100 AND initial_budget = 100;
UPDATE evaluation SET notes = 'alice was here' WHERE reported_total = 100 AND year = 2022
  AND project_id NOT IN (SELECT project_id FROM project);
DELETE FROM project WHERE code = 'T-GRID';
-- ... rows she cannot see cannot be written either: her statements touched none.
RESET ROLE;
SELECT e.evaluation_id AS grid_form FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-GRID' \gset
-- Writing into Bob's form, unit or project is refused by the policies (42501).
SET ROLE regress_pj_alice;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3) VALUES (:grid_form, 9, '产出指标', '数量指标', '混入');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO fund_line (evaluation_id, source) VALUES (:grid_form, 'other');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO project (code, name, unit_id) SELECT 'T-ALICE', '越界项目', unit_id FROM unit WHERE name = '测试网格中心';
\echo :LAST_ERROR_SQLSTATE
-- Nor can she move her own rows over to Bob.
UPDATE project SET unit_id = (SELECT unit_id FROM unit WHERE name = '测试网格中心') WHERE code = '440309210901500007728';
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET evaluation_id = :grid_form WHERE level3 = '操作员数量';
\echo :LAST_ERROR_SQLSTATE
-- Nor give herself another unit or a reviewer's rights, nor touch the history.
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pj_alice' FROM unit WHERE name = '测试网格中心';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO reviewer VALUES ('regress_pj_alice');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO unit (name) VALUES ('自建单位');
\echo :LAST_ERROR_SQLSTATE
UPDATE unit SET name = '改名' WHERE name = '测试网格中心';
DELETE FROM unit_member WHERE role_name = 'regress_pj_grid';
INSERT INTO history (table_name, operation, session_user_name, current_user_name, transaction_id)
VALUES ('indicator', 'DELETE', 'x', 'x', 0);
\echo :LAST_ERROR_SQLSTATE
UPDATE history SET old_row = NULL;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM history;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE indicator;
\echo :LAST_ERROR_SQLSTATE
-- Her own form she may change (and its history shows who did it).
UPDATE indicator SET deviation_reason = '业务量增长，增配操作员' WHERE level3 = '操作员数量';
RESET ROLE;
SELECT name FROM unit WHERE name IN ('测试网格中心', '改名');
SELECT role_name FROM unit_member WHERE role_name = 'regress_pj_grid';
SELECT h.table_name, h.operation, h.session_user_name, h.current_user_name,
       h.old_row ->> 'deviation_reason' AS old_reason, h.new_row ->> 'deviation_reason' AS new_reason
FROM history h
WHERE h.table_name = 'indicator' AND h.operation = 'UPDATE'
ORDER BY h.history_id DESC LIMIT 1;

-- Bob against Alice's forms: the same walls.
SET ROLE regress_pj_bob;
SELECT count(*) AS bob_sees_seed_rows FROM indicator_result WHERE level3 = '操作员数量';
UPDATE indicator SET reported_score = 0 WHERE level3 = '操作员数量';
DELETE FROM evaluation WHERE reported_total = 99.93;
RESET ROLE;
SELECT e.evaluation_id AS seed_form FROM evaluation e JOIN project p USING (project_id) WHERE p.code = '440309210901500004279' \gset
SET ROLE regress_pj_bob;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3) VALUES (:seed_form, 99, '产出指标', '数量指标', '混入');
\echo :LAST_ERROR_SQLSTATE
SELECT submit(:seed_form);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS seed_rows_intact FROM indicator WHERE evaluation_id = :seed_form AND reported_score IS NOT NULL AND position <= 15;

-- A role listed nowhere can do nothing at all.
SET ROLE regress_pj_nobody;
INSERT INTO project (code, name, unit_id) SELECT 'T-NOBODY', 'x', unit_id FROM unit WHERE name = '测试区';
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET notes = 'x';
RESET ROLE;

-- The reviewer sees all and may work on any unit's forms.
SET ROLE regress_pj_carol;
UPDATE indicator SET deviation_reason = '审核意见：已核实' WHERE level3 = '巡查次数';
SELECT p.code, i.deviation_reason FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE i.level3 = '巡查次数';
RESET ROLE;

-- A caller's own function in a WHERE clause sees only the rows the caller
-- may see (security_barrier): it cannot be evaluated before the test.
CREATE TABLE public.leaked (rolname name, project_code text);
GRANT INSERT, SELECT ON public.leaked TO PUBLIC;
CREATE FUNCTION public.leak(code text) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
    INSERT INTO public.leaked VALUES (current_user, code);
    RETURN true;
END
$$;
SET ROLE regress_pj_bob;
SELECT count(*) FROM evaluation_result WHERE leak(project_code);
SELECT count(*) FROM audit_finding f JOIN evaluation_result e USING (evaluation_id) WHERE leak(e.project_code);
SELECT count(*) FROM indicator_result r WHERE leak(r.level3);
RESET ROLE;
SELECT DISTINCT project_code FROM public.leaked ORDER BY 1;

-- Before PostgreSQL 15 a view reads its tables with its owner's rights, and
-- the owner (who installed the extension) bypasses row-level security: the
-- views' own test must keep units apart there.  Switch security_invoker
-- off to see it do so.
BEGIN;
ALTER VIEW indicator_result SET (security_invoker = false);
ALTER VIEW evaluation_result SET (security_invoker = false);
ALTER VIEW audit_finding SET (security_invoker = false);
SET LOCAL ROLE regress_pj_bob;
SELECT 'bob' AS who, project_code FROM evaluation_result ORDER BY project_code;
SELECT 'bob' AS who, count(*) AS indicators FROM indicator_result;
SELECT 'bob' AS who, count(DISTINCT evaluation_id) AS forms_with_findings FROM audit_finding;
SET LOCAL ROLE regress_pj_alice;
SELECT 'alice' AS who, project_code FROM evaluation_result ORDER BY project_code;
SELECT 'alice' AS who, count(*) AS indicators FROM indicator_result;
SELECT 'alice' AS who, count(*) AS findings FROM audit_finding;
SET LOCAL ROLE regress_pj_nobody;
SELECT 'nobody' AS who, count(*) AS forms FROM evaluation_result;
SELECT 'nobody' AS who, count(*) AS indicators FROM indicator_result;
SELECT 'nobody' AS who, count(*) AS findings FROM audit_finding;
ROLLBACK;

-- The plans, with row-level security in force: the views call is_reviewer
-- and member_units once per query (InitPlan), the policies test each row
-- with pjeval.visible (no sub-plan), and a query for one form finds its
-- fund lines and indicators by its id.  A sub-plan run once per row would
-- be a SubPlan that is not hashed.
CREATE FUNCTION pg_temp.plan(query text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    p json;
BEGIN
    EXECUTE 'EXPLAIN (COSTS OFF, FORMAT JSON) ' || query INTO p;
    RETURN p::jsonb;
END
$$;
CREATE FUNCTION pg_temp.plan_facts(query text, form bigint)
RETURNS TABLE (per_row_subplans bigint, assess_scans bigint, form_rows_by_id boolean)
LANGUAGE sql AS $$
    WITH p AS (SELECT pg_temp.plan(query) AS j),
    sub AS (SELECT n #>> '{}' AS name
            FROM p, jsonb_path_query(p.j, 'strict $.**?(@."Parent Relationship" == "SubPlan")."Subplan Name"') n)
    SELECT (SELECT count(*) FROM sub, p WHERE p.j::text !~ ('hashed ' || sub.name || '\M')),
           (SELECT count(*) FROM p, jsonb_path_query(p.j, 'strict $.**?(@."Function Name" == "assess")') n),
           (SELECT CASE WHEN form IS NULL THEN NULL
                   ELSE bool_and(concat_ws(' ', n ->> 'Index Cond', n ->> 'Recheck Cond', n ->> 'Filter')
                                 ~ ('evaluation_id = ''?' || form || '\M')) END
            FROM p, jsonb_path_query(p.j, 'strict $.**?(@."Relation Name" == "indicator" || @."Relation Name" == "fund_line")') n)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.plan(text), pg_temp.plan_facts(text, bigint) TO PUBLIC;
CREATE TEMP TABLE plans (who text, query text, per_row_subplans bigint, assess_scans bigint, form_rows_by_id boolean);
GRANT ALL ON plans TO PUBLIC;
CREATE FUNCTION pg_temp.check_plans(who text, form bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    q text;
BEGIN
    FOREACH q IN ARRAY ARRAY['SELECT * FROM pjeval.indicator_result',
                             'SELECT * FROM pjeval.evaluation_result',
                             'SELECT * FROM pjeval.audit_finding',
                             'SELECT * FROM pjeval.indicator',
                             'SELECT * FROM pjeval.history',
                             'SELECT * FROM pjeval.evaluation_result WHERE evaluation_id = ' || form,
                             'SELECT * FROM pjeval.audit_finding WHERE evaluation_id = ' || form] LOOP
        INSERT INTO plans SELECT who, replace(q, form::text, 'F'), f.*
        FROM pg_temp.plan_facts(q, CASE WHEN q ~ 'WHERE' THEN form END) f;
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.check_plans(text, bigint) TO PUBLIC;
SET ROLE regress_pj_alice;  SELECT pg_temp.check_plans('member', :seed_form);  RESET ROLE;
SET ROLE regress_pj_carol;  SELECT pg_temp.check_plans('reviewer', :seed_form); RESET ROLE;
SELECT * FROM plans ORDER BY query, who;

-- Privileges: members and reviewers need no more than PUBLIC has.
SELECT c.relname,
       has_table_privilege('regress_pj_nobody', c.oid, 'SELECT') AS sel,
       has_table_privilege('regress_pj_nobody', c.oid, 'INSERT') AS ins,
       has_table_privilege('regress_pj_nobody', c.oid, 'UPDATE') AS upd,
       has_table_privilege('regress_pj_nobody', c.oid, 'DELETE') AS del,
       has_table_privilege('regress_pj_nobody', c.oid, 'TRUNCATE') AS trunc
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind IN ('r', 'v')
ORDER BY c.relname;
-- The functions row-level security calls run as their owner, with a fixed
-- search_path; the trigger functions cannot be attached to other tables.
SELECT p.proname, p.prosecdef AS security_definer, p.provolatile, p.proconfig,
       has_function_privilege('regress_pj_nobody', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'pjeval'
WHERE p.proname IN ('is_reviewer', 'member_units', 'record_history', 'record_truncate', 'evaluation_workflow',
                    'form_row_workflow', 'unit_check_parent', 'history_append_only',
                    'submit', 'approve', 'reopen', 'restoring_dump')
ORDER BY p.proname;

-- Clean up: Bob's form, the units and memberships, the roles.
SET ROLE regress_pj_bob;
DELETE FROM evaluation WHERE project_id IN (SELECT project_id FROM project WHERE code = 'T-GRID');
DELETE FROM project WHERE code = 'T-GRID';
RESET ROLE;
DELETE FROM unit_member WHERE role_name LIKE 'regress_pj_%';
DELETE FROM reviewer WHERE role_name LIKE 'regress_pj_%';
DELETE FROM unit WHERE name = '测试网格中心';
DELETE FROM unit WHERE name = '测试区';
UPDATE indicator SET deviation_reason = NULL WHERE level3 = '操作员数量';
DROP FUNCTION public.leak(text);
DROP TABLE public.leaked;
REVOKE INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    FROM regress_pj_longhua, regress_pj_grid, regress_pj_district, regress_pj_reviewers;
DROP ROLE regress_pj_alice, regress_pj_bob, regress_pj_dora, regress_pj_carol, regress_pj_nobody;
DROP ROLE regress_pj_longhua, regress_pj_grid, regress_pj_district, regress_pj_reviewers;
