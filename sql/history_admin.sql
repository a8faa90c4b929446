-- history_admin: where the history of the rows of no form (units, projects,
-- members, reviewers, profiles, monitoring reports) is kept on a Citus
-- cluster, history being distributed by evaluation_id there
-- (docs/scaling.md; test/integration/citus.sh runs the cluster).  On one
-- node it stays empty and history keeps every row; pjeval.history_all reads
-- both, with the caller's rights.  Everything is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
-- (sequences are not rolled back: they are set back at the end, so that the
-- files after this one see the ids they would see without it)
SELECT 'DO $r$ BEGIN '
       || string_agg(format('PERFORM pg_catalog.setval(%L, %s, %s);', format('%I.%I', schemaname, sequencename),
                            coalesce(last_value, start_value), (last_value IS NOT NULL)::text), ' ')
       || ' END $r$' AS restore_sequences
FROM pg_sequences WHERE schemaname = 'pjeval' \gset
BEGIN;

-- On one node: every row in history, none in history_admin; history_all
-- is the two.
INSERT INTO unit (name) VALUES ('历史测试单位');
SELECT (SELECT count(*) FROM history_admin) AS admin_rows,
       (SELECT count(*) FROM history_all) = (SELECT count(*) FROM history) AS all_is_history,
       (SELECT count(*) FROM history WHERE table_name = 'unit' AND new_row ->> 'name' = '历史测试单位') AS unit_row_in_history;

-- The plan leaves it on the coordinator; the triggers' tables on one node
-- are the tables themselves (a name like a shard's too, without Citus).
SELECT table_name, placement FROM distribution_plan() WHERE table_name LIKE 'history%' ORDER BY step;
SELECT colocated_shard('indicator', 'indicator', 'history') AS on_the_table,
       colocated_shard('indicator_102041', 'indicator', 'evaluation') AS without_citus;

-- Rows as pjeval.distribute() moves them there (with their ids): read
-- through history_all, append-only like history.
INSERT INTO history_admin (history_id, table_name, operation, unit_id, row_id, new_row,
                           session_user_name, current_user_name, transaction_id)
SELECT history_id, table_name, operation, unit_id, row_id, new_row, session_user_name, current_user_name, transaction_id
FROM history WHERE table_name = 'unit' AND new_row ->> 'name' = '历史测试单位';
INSERT INTO history_admin (table_name, operation, unit_id, session_user_name, current_user_name, transaction_id)
VALUES ('reviewer', 'INSERT', NULL, 'x', 'x', 1);
SELECT table_name, count(*) AS rows, count(DISTINCT history_id) AS ids
FROM history_all WHERE table_name IN ('unit', 'reviewer') AND (unit_id IS NULL OR new_row ->> 'name' = '历史测试单位')
GROUP BY 1 ORDER BY 1;
SAVEPOINT s;
UPDATE history_admin SET operation = 'DELETE';
ROLLBACK TO s;
DELETE FROM history_admin;
ROLLBACK TO s;
TRUNCATE history_admin;
ROLLBACK TO s;

-- Row-level security: a unit's member sees its unit's rows of history_admin
-- (through history_all too), a reviewer all, anyone else none; no one
-- writes it.
CREATE ROLE regress_pjh_member NOLOGIN;
CREATE ROLE regress_pjh_reviewer NOLOGIN;
CREATE ROLE regress_pjh_nobody NOLOGIN;
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjh_member' FROM unit WHERE name = '历史测试单位';
INSERT INTO reviewer (role_name) VALUES ('regress_pjh_reviewer');
SELECT has_table_privilege('public', 'pjeval.history_all', 'SELECT') AS public_reads_history_all,
       has_table_privilege('public', 'pjeval.history_admin', 'INSERT') AS public_writes_history_admin;
SET ROLE regress_pjh_member;
SELECT count(*) AS member_sees, bool_and(unit_id IS NOT NULL) AS only_its_unit FROM history_admin;
SELECT count(*) AS member_sees_through_history_all FROM history_all
WHERE table_name = 'unit' AND new_row ->> 'name' = '历史测试单位';
SAVEPOINT m;
INSERT INTO history_admin (table_name, operation, session_user_name, current_user_name, transaction_id)
VALUES ('unit', 'INSERT', 'x', 'x', 1);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO m;
RESET ROLE;
SET ROLE regress_pjh_reviewer;
SELECT count(*) AS reviewer_sees FROM history_admin;
RESET ROLE;
SET ROLE regress_pjh_nobody;
SELECT count(*) AS nobody_sees FROM history_admin;
RESET ROLE;

:restore_sequences;
ROLLBACK;
