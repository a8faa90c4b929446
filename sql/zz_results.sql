-- zz_results: the stored results (55_results.sql).  Runs last: after every
-- other file's forms, the stored results must be what the rules give now
-- (verify_results() returns nothing); every change of an input is stored in
-- the same statement; the recomputation writes no history; a result
-- corrupted on purpose is found.  Everything below the first check runs in
-- a transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- After the whole suite (the files leave the seed forms; the import and
-- schema files call verify_results() before they roll their forms back).
SELECT count(*) AS forms, (SELECT count(*) FROM pjeval.indicator) AS indicators FROM pjeval.evaluation;
SELECT * FROM pjeval.verify_results();
-- every form and indicator has its stored row
SELECT (SELECT count(*) FROM pjeval.evaluation) = (SELECT count(*) FROM pjeval.evaluation_score) AS every_form,
       (SELECT count(*) FROM pjeval.indicator) = (SELECT count(*) FROM pjeval.indicator_outcome) AS every_indicator;

-- The seed numbers, read from the stored rows.
SELECT project_code, execution_rate, fund_score, total_score, grade, finding_count
FROM pjeval.evaluation_result
WHERE project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY project_code;

BEGIN;
CREATE TEMP TABLE f AS
SELECT e.evaluation_id AS id FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
WHERE p.code = '440309210901500004279';
SELECT pg_catalog.count(*) AS history_before FROM pjeval.history \gset

-- An indicator's actual changes: its score, the form's total, grade and
-- findings change in the same statement.
UPDATE pjeval.indicator SET actual_text = '50%', deviation_reason = NULL
WHERE evaluation_id = (SELECT id FROM f) AND position = 1
RETURNING level3, target_text, actual_text;
SELECT position, rule, completion, computed_score, flags, findings
FROM pjeval.indicator_result WHERE evaluation_id = (SELECT id FROM f) AND position = 1;
SELECT total_score, grade, finding_count, findings FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);
-- one history row: the indicator's, none for the stored results
SELECT pg_catalog.count(*) - :history_before AS history_rows FROM pjeval.history;
SELECT table_name, operation FROM pjeval.history ORDER BY history_id DESC LIMIT 1;

-- A fund line: the execution rate and fund score follow.
UPDATE pjeval.fund_line SET executed = annual_budget / 2
WHERE evaluation_id = (SELECT id FROM f) AND source = 'total';
SELECT execution_rate, fund_score, total_score, grade, findings
FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);

-- A deleted indicator leaves the form and its stored row goes.
DELETE FROM pjeval.indicator WHERE evaluation_id = (SELECT id FROM f) AND position = 2;
SELECT indicator_count, weight_total, total_score FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);
SELECT pg_catalog.count(*) AS outcome_rows FROM pjeval.indicator_outcome o
WHERE o.evaluation_id = (SELECT id FROM f)
  AND NOT EXISTS (SELECT FROM pjeval.indicator i WHERE i.indicator_id = o.indicator_id);

-- A finding of the form reader counts.
SELECT finding_count AS before FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f) \gset
INSERT INTO pjeval.read_finding (evaluation_id, line, code, detail) SELECT id, 1, 'no_total_row', NULL FROM f;
SELECT finding_count - :before AS more FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);

-- The form's profile: another profile's grade bands grade it.
INSERT INTO pjeval.profile (name, description, grade_excellent, grade_good, grade_pass)
VALUES ('regress-results', 'zz_results', 95, 90, 60);
SELECT pg_catalog.count(*) AS history_before FROM pjeval.history \gset
UPDATE pjeval.evaluation SET profile = 'regress-results' WHERE evaluation_id = (SELECT id FROM f);
SELECT profile, total_score, grade FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);
-- the evaluation's own history row only
SELECT table_name, operation FROM pjeval.history WHERE history_id > 0 ORDER BY history_id DESC
LIMIT (SELECT pg_catalog.count(*) - :history_before FROM pjeval.history);
-- a profile only drafts use can change: its forms are regraded
UPDATE pjeval.profile SET grade_excellent = 95, grade_good = 94, grade_pass = 93 WHERE name = 'regress-results';
SELECT profile, total_score, grade FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);

-- Submitted: the status changes, the results stay right; its rows are
-- read-only as before (the workflow, not the results, refuses).
SELECT pjeval.submit((SELECT id FROM f));
SELECT status, grade FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT id FROM f);
SAVEPOINT locked;
UPDATE pjeval.indicator SET actual_text = '100%' WHERE evaluation_id = (SELECT id FROM f) AND position = 1;
ROLLBACK TO SAVEPOINT locked;
SELECT * FROM pjeval.verify_results();

-- A new form: stored as soon as it is inserted, before it has any line.
INSERT INTO pjeval.evaluation (project_id, year)
SELECT project_id, 2030 FROM pjeval.project WHERE code = '440309210901500004279'
RETURNING year;
SELECT indicator_count, findings, finding_count FROM pjeval.evaluation_result
WHERE project_code = '440309210901500004279' AND year = 2030;

-- A form deleted with its rows: no stored row is left.
DELETE FROM pjeval.evaluation e USING pjeval.project p
WHERE p.project_id = e.project_id AND p.code = '440309210901500004279' AND e.year = 2030;
SELECT (SELECT pg_catalog.count(*) FROM pjeval.evaluation_score s
        WHERE NOT EXISTS (SELECT FROM pjeval.evaluation e WHERE e.evaluation_id = s.evaluation_id)) AS left_scores,
       (SELECT pg_catalog.count(*) FROM pjeval.indicator_outcome o
        WHERE NOT EXISTS (SELECT FROM pjeval.indicator i WHERE i.indicator_id = o.indicator_id)) AS left_outcomes;

-- Several forms in one statement: each is recomputed.
UPDATE pjeval.indicator SET weight = weight WHERE evaluation_id IN (SELECT evaluation_id FROM pjeval.evaluation WHERE status = 'draft');
SELECT * FROM pjeval.verify_results();
-- TRUNCATE recomputes everything: no form keeps an indicator
SAVEPOINT t;
TRUNCATE pjeval.indicator;
SELECT pg_catalog.count(*) AS outcomes, pg_catalog.sum(indicator_count) AS indicators,
       pg_catalog.bool_and('indicators_missing' = ANY (findings)) AS all_missing
FROM pjeval.evaluation_score s, (SELECT pg_catalog.count(*) FROM pjeval.indicator_outcome) o (outcomes);
SELECT * FROM pjeval.verify_results();
ROLLBACK TO SAVEPOINT t;

-- Corrupted on purpose (triggers off): every difference is named.
SET LOCAL session_replication_role = replica;
UPDATE pjeval.evaluation_score SET total_score = total_score + 1, findings = '{}'
WHERE evaluation_id = (SELECT id FROM f);
UPDATE pjeval.indicator_outcome SET computed_score = 0 WHERE evaluation_id = (SELECT id FROM f)
  AND indicator_id = (SELECT indicator_id FROM pjeval.indicator WHERE evaluation_id = (SELECT id FROM f) AND position = 3);
DELETE FROM pjeval.indicator_outcome WHERE evaluation_id = (SELECT id FROM f)
  AND indicator_id = (SELECT indicator_id FROM pjeval.indicator WHERE evaluation_id = (SELECT id FROM f) AND position = 4);
-- an input changed behind the triggers' back
UPDATE pjeval.indicator SET weight = 0 WHERE evaluation_id = (SELECT id FROM f) AND position = 5;
SELECT evaluation_id = (SELECT id FROM f) AS the_form, position, what, stored, recomputed
FROM pjeval.verify_results();
-- refresh_results() puts them right
SELECT pjeval.refresh_results(ARRAY[(SELECT id FROM f)]) AS forms;
SELECT * FROM pjeval.verify_results();
ROLLBACK;

-- A statement over very many forms takes one lock per bucket of forms
-- (1,024), not one per form: 100,000 would fill the lock table ("out of
-- shared memory").
BEGIN;
SELECT pjeval.refresh_results(ARRAY(SELECT pg_catalog.generate_series(1, 100000)::bigint)) AS forms_stored;
SELECT pg_catalog.count(*) AS advisory_locks FROM pg_catalog.pg_locks
WHERE locktype = 'advisory' AND classid = 1886020978 AND pid = pg_catalog.pg_backend_pid();
ROLLBACK;

-- A deferral (import_forms's, 55_results.sql): while it lasts the triggers
-- only note the forms, store_deferred_results() stores them, and a
-- transaction still deferring cannot commit, so stale results never are.
CREATE TEMP TABLE seed AS
SELECT e.evaluation_id AS id FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
WHERE p.code = '440309210901500004279';
BEGIN;
SELECT pjeval.defer_results();
UPDATE pjeval.indicator SET actual_text = '50%' WHERE evaluation_id = (SELECT id FROM seed) AND position = 1;
SELECT what, stored, recomputed FROM pjeval.verify_results() WHERE position = 1 ORDER BY what;
SELECT pjeval.store_deferred_results() AS forms_stored;
SELECT * FROM pjeval.verify_results();
-- the deferral has ended: the next change is stored at once
UPDATE pjeval.indicator SET actual_text = '60%' WHERE evaluation_id = (SELECT id FROM seed) AND position = 1;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
BEGIN;
SELECT pjeval.defer_results();
UPDATE pjeval.indicator SET actual_text = '50%' WHERE evaluation_id = (SELECT id FROM seed) AND position = 1;
COMMIT;
SELECT actual_text AS not_committed FROM pjeval.indicator WHERE evaluation_id = (SELECT id FROM seed) AND position = 1;
-- a savepoint rolled back ends the deferral it began (what it deferred is
-- gone with it); one released hands it to the transaction
BEGIN;
SAVEPOINT s;
SELECT pjeval.defer_results();
UPDATE pjeval.indicator SET weight = weight WHERE evaluation_id = (SELECT id FROM seed);
ROLLBACK TO SAVEPOINT s;
COMMIT;
BEGIN;
SAVEPOINT s;
SELECT pjeval.defer_results();
UPDATE pjeval.indicator SET weight = weight WHERE evaluation_id = (SELECT id FROM seed);
RELEASE SAVEPOINT s;
COMMIT;
-- only the extension's owner takes the noted forms, and only to store them
CREATE ROLE regress_pjr_defer NOLOGIN;
SET ROLE regress_pjr_defer;
SELECT pjeval.take_pending_results();
SELECT pjeval.pend_results(ARRAY[1::bigint]);
RESET ROLE;
DROP ROLE regress_pjr_defer;
SELECT * FROM pjeval.verify_results();

-- Statistics that call a full table empty (analyzed while it held only
-- rolled-back rows: 0 rows a page) made the recomputation scan whole tables
-- once per form, an import of 6,000 forms ran for minutes: such a table is
-- analyzed before a recomputation, and the plans scale with its size again.
UPDATE pg_catalog.pg_class SET reltuples = 0, relpages = 1 WHERE oid = 'pjeval.indicator'::regclass;
BEGIN;
UPDATE pjeval.indicator SET weight = weight WHERE evaluation_id = (SELECT id FROM seed);
ROLLBACK;
SELECT reltuples > 0 AS indicator_analyzed FROM pg_catalog.pg_class WHERE oid = 'pjeval.indicator'::regclass;

-- Who reads the stored rows: PUBLIC through row-level security, like the
-- form tables; nobody but refresh_results() writes them; the recomputation
-- and the check are the owner's.
CREATE ROLE regress_pjr_nobody NOLOGIN;
SET ROLE regress_pjr_nobody;
SELECT (SELECT pg_catalog.count(*) FROM pjeval.evaluation_score) AS scores,
       (SELECT pg_catalog.count(*) FROM pjeval.indicator_outcome) AS outcomes,
       (SELECT pg_catalog.count(*) FROM pjeval.evaluation_result) AS results;
UPDATE pjeval.evaluation_score SET total_score = 0;
SELECT pjeval.refresh_results();
SELECT * FROM pjeval.verify_results();
SELECT * FROM pjeval.indicator_result_live LIMIT 1;
RESET ROLE;
DROP ROLE regress_pjr_nobody;
