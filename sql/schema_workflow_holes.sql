-- schema_workflow_holes: the holes an adversarial review found in the
-- workflow and the privileges, each closed.
--  (a) while a form is submitted or approved, the unit cannot change its
--      project's 项目编号, 项目名称 or unit (55000); a reviewer can, and the
--      history keeps it;
--  (b) choosing a form's profile is a reviewer's act (42501), and a profile
--      that a submitted or approved form is scored by is frozen (55000);
--      profile changes are in the history;
--  (c) a role that bypasses row-level security and sets what pg_restore sets
--      is not restoring a dump: the workflow and the history hold for it;
--      PUBLIC reads but does not write;
--  (d) member_units tells a role about itself and its group roles, not about
--      others (42501), reviewers about anyone;
--  (e) a form's 一级预算单位 is its project's unit or a unit above it, for a
--      unit member (42501), by UPDATE, INSERT, import or moving the project.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
-- Messages name forms by id: start them where no other file's are.
SELECT setval('evaluation_evaluation_id_seq', 700000, false) IS NOT NULL AS evaluation_ids_set;

CREATE ROLE regress_pjx_unit_a NOLOGIN;
CREATE ROLE regress_pjx_unit_b NOLOGIN;
CREATE ROLE regress_pjx_reviewers NOLOGIN;
CREATE ROLE regress_pjx_alice NOLOGIN IN ROLE regress_pjx_unit_a;
CREATE ROLE regress_pjx_bob NOLOGIN IN ROLE regress_pjx_unit_b;
CREATE ROLE regress_pjx_rita NOLOGIN IN ROLE regress_pjx_reviewers;
CREATE ROLE regress_pjx_bypass NOLOGIN BYPASSRLS;
CREATE ROLE regress_pjx_nobody NOLOGIN;
-- What an administrator grants to the roles that enter and review forms.
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    TO regress_pjx_unit_a, regress_pjx_unit_b, regress_pjx_reviewers;

-- Two level-1 budget units, each with a unit under it; Alice's unit also
-- works for a unit of its own at the top level.
INSERT INTO unit (name) VALUES ('漏洞测试甲局'), ('漏洞测试乙局'), ('漏洞测试独立单位');
INSERT INTO unit (name, parent_id) SELECT '漏洞测试甲中心', unit_id FROM unit WHERE name = '漏洞测试甲局';
INSERT INTO unit (name, parent_id) SELECT '漏洞测试甲分中心', unit_id FROM unit WHERE name = '漏洞测试甲局';
INSERT INTO unit (name, parent_id) SELECT '漏洞测试乙中心', unit_id FROM unit WHERE name = '漏洞测试乙局';
INSERT INTO unit_member (unit_id, role_name)
SELECT unit_id, 'regress_pjx_unit_a' FROM unit WHERE name IN ('漏洞测试甲中心', '漏洞测试甲分中心', '漏洞测试独立单位');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjx_unit_b' FROM unit WHERE name = '漏洞测试乙中心';
INSERT INTO reviewer VALUES ('regress_pjx_reviewers');
SELECT unit_id AS top_a FROM unit WHERE name = '漏洞测试甲局' \gset
SELECT unit_id AS top_b FROM unit WHERE name = '漏洞测试乙局' \gset
SELECT unit_id AS centre_a FROM unit WHERE name = '漏洞测试甲中心' \gset
SELECT unit_id AS branch_a FROM unit WHERE name = '漏洞测试甲分中心' \gset
SELECT unit_id AS lone_a FROM unit WHERE name = '漏洞测试独立单位' \gset

-- A lenient profile: 优 from 50.
INSERT INTO profile (name, description, grade_excellent, grade_good, grade_pass)
VALUES ('regress-lenient', '优≥50', 50, 40, 30);

-- Alice enters two forms of her centre, under its own budget unit.
SET ROLE regress_pjx_alice;
INSERT INTO project (code, name, unit_id) VALUES ('T-HOLE-1', '漏洞测试项目一', :centre_a), ('T-HOLE-2', '漏洞测试项目二', :centre_a);
INSERT INTO evaluation (project_id, year, budget_unit_id, reported_total)
SELECT project_id, 2023, :top_a, 54 FROM project WHERE code IN ('T-HOLE-1', 'T-HOLE-2');
SELECT p.code, e.profile, bu.name AS budget_unit
FROM evaluation e JOIN project p USING (project_id) JOIN unit bu ON bu.unit_id = e.budget_unit_id
ORDER BY p.code;
RESET ROLE;
SELECT e.evaluation_id AS form1 FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-HOLE-1' \gset
SELECT e.evaluation_id AS form2 FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-HOLE-2' \gset

-- (b) A unit member does not choose the profile of a form: not on INSERT ...
SET ROLE regress_pjx_alice;
INSERT INTO evaluation (project_id, year, profile) SELECT project_id, 2024, 'regress-lenient' FROM project WHERE code = 'T-HOLE-1';
\echo :LAST_ERROR_SQLSTATE
-- (naming the default is fine)
INSERT INTO evaluation (project_id, year, profile) SELECT project_id, 2024, default_profile() FROM project WHERE code = 'T-HOLE-1';
DELETE FROM evaluation WHERE year = 2024;
-- ... nor by UPDATE of her own draft.
UPDATE evaluation SET profile = 'regress-lenient' WHERE evaluation_id = :form1;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A reviewer does, and the history says who.
SET ROLE regress_pjx_rita;
UPDATE evaluation SET profile = 'regress-lenient' WHERE evaluation_id = :form1;
RESET ROLE;
SELECT h.current_user_name, h.old_row ->> 'profile' AS old_profile, h.new_row ->> 'profile' AS new_profile
FROM history h WHERE h.evaluation_id = :form1 AND h.table_name = 'evaluation' AND h.operation = 'UPDATE'
ORDER BY h.history_id DESC LIMIT 1;

-- A profile only drafts use may still change, and the change is in the
-- history (seen by reviewers; it belongs to no unit).
UPDATE profile SET description = '优≥50 (宽松)' WHERE name = 'regress-lenient';
SELECT h.operation, h.unit_id, h.old_row ->> 'description' AS old_description, h.new_row ->> 'description' AS new_description
FROM history h WHERE h.table_name = 'profile' AND coalesce(h.new_row, h.old_row) ->> 'name' = 'regress-lenient'
ORDER BY h.history_id;

-- (a) Alice submits form 1; its project's header is now read-only for her:
-- code, name, unit.  Form 2's project, a draft's, is not.
SET ROLE regress_pjx_alice;
SELECT submit(:form1);
UPDATE project SET name = '改过的名称' WHERE code = 'T-HOLE-1';
\echo :LAST_ERROR_SQLSTATE
UPDATE project SET code = 'T-HOLE-X' WHERE code = 'T-HOLE-1';
\echo :LAST_ERROR_SQLSTATE
UPDATE project SET unit_id = :branch_a WHERE code = 'T-HOLE-1';
\echo :LAST_ERROR_SQLSTATE
UPDATE project SET name = '漏洞测试项目二（修订）' WHERE code = 'T-HOLE-2';
SELECT code, name FROM project WHERE code LIKE 'T-HOLE-%' ORDER BY code;
RESET ROLE;

-- (b) The submitted form's profile is frozen now: not changed, renamed or
-- deleted (not even by its owner), with a hint to copy it.
UPDATE profile SET grade_excellent = 45 WHERE name = 'regress-lenient';
\echo :LAST_ERROR_SQLSTATE
UPDATE profile SET name = 'regress-lenient-2' WHERE name = 'regress-lenient';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM profile WHERE name = 'regress-lenient';
\echo :LAST_ERROR_SQLSTATE
SELECT name, grade_excellent FROM profile WHERE name LIKE 'regress-lenient%';

-- (a) The reviewer approves; the header is still read-only for the unit,
-- and a reviewer may correct it (the history keeps the old row).
SET ROLE regress_pjx_rita;
SELECT approve(:form1);
RESET ROLE;
SET ROLE regress_pjx_alice;
UPDATE project SET name = '批准后改名' WHERE code = 'T-HOLE-1';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_pjx_rita;
UPDATE project SET name = '漏洞测试项目一（审核更正）' WHERE code = 'T-HOLE-1';
RESET ROLE;
SELECT h.current_user_name, h.old_row ->> 'name' AS old_name, h.new_row ->> 'name' AS new_name
FROM history h WHERE h.table_name = 'project' AND h.operation = 'UPDATE' AND h.old_row ->> 'code' = 'T-HOLE-1'
ORDER BY h.history_id;

-- (c) PUBLIC reads but does not write: a role that bypasses row-level
-- security and was granted nothing writes nothing.
SET ROLE regress_pjx_bypass;
UPDATE evaluation SET notes = 'x' WHERE evaluation_id = :form1;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Granted the writes (as a reviewer's role might be), it may set what
-- pg_restore sets, but that makes no restore: the approved form stays
-- read-only, approved_by is not forged, no row goes without history.
GRANT INSERT, UPDATE, DELETE ON evaluation, fund_line, indicator TO regress_pjx_bypass;
SET ROLE regress_pjx_bypass;
SET row_security = off;
SET check_function_bodies = off;
SELECT restoring_dump() AS restoring;
UPDATE evaluation SET approved_by = 'regress_pjx_rita', reported_total = 100 WHERE evaluation_id = :form1;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3) VALUES (:form1, 9, '产出指标', '数量指标', '混入');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO evaluation (project_id, year, status, approved_by)
SELECT project_id, 2021, 'approved', 'regress_pjx_rita' FROM project WHERE code = 'T-HOLE-1';
\echo :LAST_ERROR_SQLSTATE
-- a draft it may change, and the history has it
UPDATE evaluation SET notes = '绕过行级安全' WHERE evaluation_id = :form2;
RESET row_security;
RESET check_function_bodies;
RESET ROLE;
SELECT e.status, e.approved_by, e.reported_total FROM evaluation e WHERE e.evaluation_id = :form1;
SELECT h.current_user_name, h.new_row ->> 'notes' AS notes
FROM history h WHERE h.evaluation_id = :form2 AND h.operation = 'UPDATE' ORDER BY h.history_id DESC LIMIT 1;
-- A superuser with the same settings is a restore (as in schema_workflow).
BEGIN;
SET LOCAL row_security = off;
SET LOCAL check_function_bodies = off;
SELECT restoring_dump() AS restoring;
ROLLBACK;
-- So is the extension's owner (were the bypassing role the owner).
BEGIN;
SET LOCAL allow_system_table_mods = on;
UPDATE pg_catalog.pg_extension SET extowner = 'regress_pjx_bypass'::regrole WHERE extname = 'pjeval';
SET LOCAL ROLE regress_pjx_bypass;
SET LOCAL row_security = off;
SET LOCAL check_function_bodies = off;
SELECT restoring_dump() AS restoring_as_owner;
ROLLBACK;
REVOKE INSERT, UPDATE, DELETE ON evaluation, fund_line, indicator FROM regress_pjx_bypass;

-- (d) member_units: about oneself and one's group roles, not about others;
-- reviewers ask about anyone.  Row-level security still uses it as before.
SET ROLE regress_pjx_alice;
SELECT cardinality(member_units(CURRENT_USER)) AS own, cardinality(member_units('regress_pjx_unit_a')) AS own_group;
SELECT member_units('regress_pjx_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT member_units('regress_pjx_unit_b');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS alice_sees_forms FROM evaluation;
RESET ROLE;
SET ROLE regress_pjx_nobody;
SELECT member_units('regress_pjx_alice');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_pjx_rita;
SELECT ARRAY(SELECT u.name FROM unit u WHERE u.unit_id = ANY (member_units('regress_pjx_bob'))) AS bob_units;
RESET ROLE;
-- Nor through a function that runs as another role: its rows are that
-- role's to see, and the session's role is not a member of it.
CREATE FUNCTION public.alice_forms() RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$ SELECT count(*) FROM pjeval.evaluation $$;
ALTER FUNCTION public.alice_forms() OWNER TO regress_pjx_alice;
SET ROLE regress_pjx_alice;
SELECT public.alice_forms() AS alice_herself;
RESET ROLE;
SET ROLE regress_pjx_bob;
SELECT public.alice_forms();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP FUNCTION public.alice_forms();

-- (e) The 一级预算单位: Alice cannot attribute her draft to another unit's
-- budget unit, by UPDATE ...
SET ROLE regress_pjx_alice;
UPDATE evaluation SET budget_unit_id = :top_b WHERE evaluation_id = :form2;
\echo :LAST_ERROR_SQLSTATE
-- ... or by INSERT ...
INSERT INTO evaluation (project_id, year, budget_unit_id) SELECT project_id, 2022, :top_b FROM project WHERE code = 'T-HOLE-2';
\echo :LAST_ERROR_SQLSTATE
-- ... nor move the project to a unit the budget unit is not above.
UPDATE project SET unit_id = :lone_a WHERE code = 'T-HOLE-2';
\echo :LAST_ERROR_SQLSTATE
-- Her own unit, or one above it, is fine; so is a move under the same one.
UPDATE evaluation SET budget_unit_id = :centre_a WHERE evaluation_id = :form2;
UPDATE evaluation SET budget_unit_id = :top_a WHERE evaluation_id = :form2;
UPDATE project SET unit_id = :branch_a WHERE code = 'T-HOLE-2';
UPDATE project SET unit_id = :centre_a WHERE code = 'T-HOLE-2';
-- ... or by an import: a form of her centre naming the other budget unit.
SELECT count(*) FROM import_forms(concat_ws(E'\n', '项目支出绩效自评表',
    E'项目编号:\tT-HOLE-3\t项目名称:\t漏洞测试项目三\t绩效自评年度:\t2023',
    E'实施单位:\t漏洞测试甲中心\t一级预算单位:\t漏洞测试乙局',
    E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分',
    E'项目资金（元）\t年度资金总额\t100\t100\t100\t10\t100\t10',
    E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分',
    E'\t产出指标\t数量指标\t次数\t≥10次\t12次\t90\t90',
    E'总分\t\t\t\t\t\t100\t100') || E'\n');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT p.code, bu.name AS budget_unit FROM evaluation e JOIN project p USING (project_id) JOIN unit bu ON bu.unit_id = e.budget_unit_id
WHERE p.code LIKE 'T-HOLE-%' ORDER BY p.code;
-- A reviewer may record it (a unit not placed in the tree yet).
SET ROLE regress_pjx_rita;
UPDATE evaluation SET budget_unit_id = :top_b WHERE evaluation_id = :form2;
RESET ROLE;
SELECT bu.name AS budget_unit FROM evaluation e JOIN unit bu ON bu.unit_id = e.budget_unit_id WHERE e.evaluation_id = :form2;

-- Clean up: forms back to draft, then everything made here (the history stays).
SET ROLE regress_pjx_rita;
SELECT reopen(:form1);
RESET ROLE;
DELETE FROM evaluation WHERE evaluation_id IN (:form1, :form2);
DELETE FROM project WHERE code LIKE 'T-HOLE-%';
DELETE FROM profile WHERE name = 'regress-lenient';
DELETE FROM unit_member WHERE role_name LIKE 'regress_pjx_%';
DELETE FROM reviewer WHERE role_name LIKE 'regress_pjx_%';
DELETE FROM unit WHERE name IN ('漏洞测试甲中心', '漏洞测试甲分中心', '漏洞测试乙中心');
DELETE FROM unit WHERE name IN ('漏洞测试甲局', '漏洞测试乙局', '漏洞测试独立单位');
REVOKE INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    FROM regress_pjx_unit_a, regress_pjx_unit_b, regress_pjx_reviewers;
DROP ROLE regress_pjx_alice, regress_pjx_bob, regress_pjx_rita, regress_pjx_bypass, regress_pjx_nobody;
DROP ROLE regress_pjx_unit_a, regress_pjx_unit_b, regress_pjx_reviewers;
