-- schema_workflow: draft → submitted → approved, and back to draft only by
-- a reviewer's reopen.  A submitted or approved form and its rows are
-- read-only (55000, with a hint); only reviewers approve and reopen (42501).
-- Every INSERT, UPDATE, DELETE (and TRUNCATE) is in the history with the old
-- and new row, the session user and the role in effect; the history is
-- append-only.  While a dump is restored the checks stand aside.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

CREATE ROLE regress_pjw_unit NOLOGIN;
CREATE ROLE regress_pjw_reviewers NOLOGIN;
CREATE ROLE regress_pjw_member NOLOGIN IN ROLE regress_pjw_unit;
CREATE ROLE regress_pjw_reviewer NOLOGIN IN ROLE regress_pjw_reviewers;
-- The writes an administrator grants to the roles that enter and review forms.
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    TO regress_pjw_unit, regress_pjw_reviewers;
INSERT INTO unit (name) VALUES ('流程测试单位');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjw_unit' FROM unit WHERE name = '流程测试单位';
INSERT INTO reviewer VALUES ('regress_pjw_reviewers');

-- The member enters a form: a draft, with its timestamps set by the trigger.
SET ROLE regress_pjw_member;
INSERT INTO project (code, name, unit_id) SELECT 'T-FLOW', '流程测试项目', unit_id FROM unit WHERE name = '流程测试单位';
INSERT INTO evaluation (project_id, year, reported_total, submitted_at, approved_by)
SELECT project_id, 2023, 100, '2000-01-01', 'regress_pjw_member' FROM project WHERE code = 'T-FLOW';
RESET ROLE;
SELECT e.evaluation_id AS form FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-FLOW' \gset
SET ROLE regress_pjw_member;
INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
VALUES (:form, 'total', 100, 100, 100, 10, 100, 10);
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
VALUES (:form, 1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50),
       (:form, 2, '效益指标', '社会效益指标', '覆盖率', '≥90%', '95%', 30, 30),
       (:form, 3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '88%', 10, 9.78);
SELECT status, submitted_at, approved_at, approved_by, created_at = updated_at AS untouched FROM evaluation WHERE evaluation_id = :form;
-- A new form cannot start beyond draft.
INSERT INTO evaluation (project_id, year, status) SELECT project_id, 2024, 'approved' FROM project WHERE code = 'T-FLOW';
\echo :LAST_ERROR_SQLSTATE

-- A draft is changed freely.
UPDATE indicator SET deviation_reason = '样本偏少' WHERE evaluation_id = :form AND position = 3;
UPDATE evaluation SET notes = '初稿' WHERE evaluation_id = :form;
-- Approval needs a submitted form; a member cannot skip a step.
SELECT approve(:form);
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET status = 'approved' WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
-- Submit.  Status moves alone, not together with other changes.
UPDATE evaluation SET status = 'submitted', notes = '顺便改一下' WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
SELECT submit(:form);
SELECT status, submitted_at IS NOT NULL AS submitted, approved_at, approved_by FROM evaluation WHERE evaluation_id = :form;
SELECT submit(:form);
\echo :LAST_ERROR_SQLSTATE

-- Submitted: read-only for everyone, the form and its rows, every way.
UPDATE evaluation SET notes = '提交后修改' WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM evaluation WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET reported_score = 10 WHERE evaluation_id = :form AND position = 3;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3) VALUES (:form, 4, '产出指标', '数量指标', '新增');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM indicator WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
UPDATE fund_line SET executed = 99 WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM fund_line WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
-- ... nor can a row be moved out of it, or into it.
RESET ROLE;
INSERT INTO evaluation (project_id, year) SELECT project_id, 2024 FROM project WHERE code = 'T-FLOW';
SELECT e.evaluation_id AS draft FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-FLOW' AND e.year = 2024 \gset
SET ROLE regress_pjw_member;
UPDATE indicator SET evaluation_id = :draft WHERE evaluation_id = :form AND position = 1;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO indicator (evaluation_id, position, level1, level2, level3) VALUES (:draft, 1, '产出指标', '数量指标', '草稿行');
UPDATE indicator SET evaluation_id = :form WHERE evaluation_id = :draft;
\echo :LAST_ERROR_SQLSTATE
-- ... and a member cannot reopen or approve.
SELECT reopen(:form);
\echo :LAST_ERROR_SQLSTATE
SELECT approve(:form);
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET status = 'draft' WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- The reviewer approves; approved is read-only too, for the reviewer as well.
SET ROLE regress_pjw_reviewer;
SELECT approve(:form);
SELECT status, approved_at IS NOT NULL AS approved, approved_by FROM evaluation WHERE evaluation_id = :form;
UPDATE indicator SET deviation_reason = '审核时补充' WHERE evaluation_id = :form AND position = 3;
\echo :LAST_ERROR_SQLSTATE
SELECT approve(:form);
\echo :LAST_ERROR_SQLSTATE
UPDATE evaluation SET status = 'submitted' WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
-- The views still score it.
SELECT project_code, status, total_score, grade, finding_count FROM evaluation_result WHERE evaluation_id = :form;
-- Reopen: a draft again, changeable again.
SELECT reopen(:form);
SELECT status, submitted_at, approved_at, approved_by FROM evaluation WHERE evaluation_id = :form;
UPDATE indicator SET deviation_reason = '样本偏少，已补充调查' WHERE evaluation_id = :form AND position = 3;
SELECT reopen(:form);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A form nobody can see cannot be stepped.
SELECT submit(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT submit(NULL);

-- A change to a form's rows locks the form's row (FOR SHARE) until the
-- change commits, so the form cannot be submitted or approved under it.
BEGIN;
UPDATE indicator SET weight = 10 WHERE evaluation_id = :form AND position = 3;
SELECT e.xmax::text::bigint = pg_current_xact_id()::text::bigint % 4294967296 AS form_locked_by_this_change
FROM evaluation e WHERE e.evaluation_id = :form;
ROLLBACK;

-- The history of this form, in order: what was done, by whom.
SELECT h.table_name, h.operation, h.row_id IS NOT DISTINCT FROM
           CASE h.table_name WHEN 'evaluation' THEN h.evaluation_id ELSE h.row_id END AS keyed,
       h.session_user_name, h.current_user_name,
       h.old_row ->> 'status' AS old_status, h.new_row ->> 'status' AS new_status,
       coalesce(h.new_row, h.old_row) ->> 'position' AS position,
       h.old_row ->> 'deviation_reason' AS old_reason, h.new_row ->> 'deviation_reason' AS new_reason
FROM history h
WHERE h.evaluation_id = :form
ORDER BY h.history_id;
-- Each step of the workflow and each change of a row is one history row;
-- refused changes leave none.
SELECT h.table_name, h.operation, count(*)
FROM history h WHERE h.evaluation_id = :form
GROUP BY 1, 2 ORDER BY 1, 2;
-- Rows are stored whole: the old and new row together give every change.
SELECT key, h.old_row -> key AS old, h.new_row -> key AS new
FROM history h, jsonb_object_keys(h.new_row) AS key
WHERE h.evaluation_id = :form AND h.table_name = 'indicator' AND h.operation = 'UPDATE'
  AND h.old_row -> key IS DISTINCT FROM h.new_row -> key
ORDER BY h.history_id, key;

-- Deleting a draft keeps its history, which its unit still sees.
SET ROLE regress_pjw_member;
DELETE FROM evaluation WHERE evaluation_id = :draft;
SELECT h.table_name, h.operation, h.unit_id = p.unit_id AS unit_kept
FROM history h, project p
WHERE h.evaluation_id = :draft AND p.code = 'T-FLOW'
ORDER BY h.history_id;
RESET ROLE;

-- TRUNCATE (only the owner may) keeps the rows in the history first.
BEGIN;
SELECT count(*) AS indicator_rows FROM indicator \gset
TRUNCATE indicator;
SELECT count(*) = :indicator_rows AS all_kept
FROM history h WHERE h.table_name = 'indicator' AND h.operation = 'TRUNCATE' AND h.old_row IS NOT NULL;
ROLLBACK;

-- The history is append-only, for the owner too.
UPDATE history SET current_user_name = 'someone else' WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM history WHERE evaluation_id = :form;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE history;
\echo :LAST_ERROR_SQLSTATE

-- While a dump is being restored (pg_dump and pg_restore set row_security and
-- check_function_bodies off) an approved form's rows load as they were, and
-- the loaded rows add no history of their own.
SELECT restoring_dump() AS restoring;
BEGIN;
SET LOCAL row_security = off;
SET LOCAL check_function_bodies = off;
SELECT restoring_dump() AS restoring;
SELECT count(*) AS history_before FROM history \gset
INSERT INTO evaluation (project_id, year, status, approved_by, created_at)
SELECT project_id, 2021, 'approved', 'regress_pjw_reviewer', '2022-01-15 10:00:00+08' FROM project WHERE code = 'T-FLOW';
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
SELECT e.evaluation_id, 1, '产出指标', '数量指标', '恢复的行', '≥1个', '1个', 10
FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-FLOW' AND e.year = 2021;
SELECT e.status, e.approved_by, e.created_at = '2022-01-15 10:00:00+08' AS created_kept, i.level3, i.target
FROM evaluation e JOIN project p USING (project_id) JOIN indicator i USING (evaluation_id)
WHERE p.code = 'T-FLOW' AND e.year = 2021;
SELECT count(*) - :history_before AS new_history_rows FROM history;
ROLLBACK;
-- One setting alone is not a restore.
BEGIN;
SET LOCAL row_security = off;
SELECT restoring_dump() AS restoring;
ROLLBACK;
-- And a role subject to row-level security cannot pretend to restore.
SET ROLE regress_pjw_member;
SET row_security = off;
SET check_function_bodies = off;
INSERT INTO evaluation (project_id, year, status) SELECT project_id, 2021, 'approved' FROM project WHERE code = 'T-FLOW';
\echo :LAST_ERROR_SQLSTATE
RESET row_security;
RESET check_function_bodies;
RESET ROLE;

-- Clean up: reopened forms are drafts and can go; the history stays.
DELETE FROM evaluation WHERE project_id = (SELECT project_id FROM project WHERE code = 'T-FLOW');
DELETE FROM project WHERE code = 'T-FLOW';
DELETE FROM unit_member WHERE role_name LIKE 'regress_pjw_%';
DELETE FROM reviewer WHERE role_name LIKE 'regress_pjw_%';
DELETE FROM unit WHERE name = '流程测试单位';
REVOKE INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    FROM regress_pjw_unit, regress_pjw_reviewers;
DROP ROLE regress_pjw_member, regress_pjw_reviewer, regress_pjw_unit, regress_pjw_reviewers;
