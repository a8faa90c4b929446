-- schema_shards: the triggers know their table by their argument, never by
-- the name of the relation they fire on.  On a Citus cluster a distributed
-- or reference table's rows live in shards, tables of the same definition
-- and triggers named after it and the shard (pjeval.indicator_102135), and
-- the triggers fire there.  Here a shard is imitated on one node: a copy of
-- the table with the table's own triggers (pg_get_triggerdef, as Citus
-- copies them).  Everything is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
\set ON_ERROR_ROLLBACK on
-- (sequences are not rolled back: they are set back at the end, so that the
-- files after this one see the ids they would see without it)
SELECT 'DO $r$ BEGIN '
       || string_agg(format('PERFORM pg_catalog.setval(%L, %s, %s);', format('%I.%I', schemaname, sequencename),
                            coalesce(last_value, start_value), (last_value IS NOT NULL)::text), ' ')
       || ' END $r$' AS restore_sequences
FROM pg_sequences WHERE schemaname = 'pjeval' \gset
BEGIN;

-- "shards" of evaluation, indicator and profile, with the tables' triggers
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, c.relname || '_102041' AS shard
             FROM pg_class c
             WHERE c.relnamespace = 'pjeval'::regnamespace AND c.relname IN ('evaluation', 'indicator', 'profile')
    LOOP
        EXECUTE format('CREATE TABLE pjeval.%I (LIKE pjeval.%I INCLUDING ALL)', r.shard, r.relname);
        EXECUTE (SELECT string_agg(replace(pg_get_triggerdef(t.oid), ' ON pjeval.' || r.relname || ' ',
                                           ' ON pjeval.' || r.shard || ' '), '; ')
                 FROM pg_trigger t WHERE t.tgrelid = ('pjeval.' || r.relname)::regclass AND NOT t.tgisinternal);
    END LOOP;
END
$$;
SELECT tgrelid::regclass AS shard, count(*) AS triggers
FROM pg_trigger WHERE tgrelid::regclass::text LIKE '%\_102041' AND NOT tgisinternal
GROUP BY 1 ORDER BY 1;

INSERT INTO unit (name) VALUES ('分片测试单位');
INSERT INTO project (code, name, unit_id) SELECT 'T-SHARD', '分片测试项目', unit_id FROM unit WHERE name = '分片测试单位';
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code = 'T-SHARD';
SELECT e.evaluation_id AS form FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'T-SHARD' \gset
SELECT max(history_id) AS before FROM history \gset
-- A statement's error, its SQLSTATE and hint, with the form's id as <form>
-- (ids differ with what ran before).
CREATE FUNCTION pg_temp.try(sql text, form bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    msg text; hint text; state text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
    RETURN regexp_replace(state || ': ' || msg || ' / ' || hint, '\m' || form || '\M', '<form>', 'g');
END
$$;

-- A form's row on a shard of evaluation: the workflow names the form, and
-- its history is the evaluation table's.
INSERT INTO evaluation_102041 (project_id, year, profile, status)
SELECT project_id, 2024, default_profile(), 'submitted' FROM project WHERE code = 'T-SHARD';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO evaluation_102041 (project_id, year, profile) SELECT project_id, 2024, default_profile() FROM project WHERE code = 'T-SHARD';
UPDATE evaluation_102041 SET status = 'submitted';
SELECT status, submitted_at IS NOT NULL AS submitted_at_set FROM evaluation_102041;
SELECT pg_temp.try('DELETE FROM evaluation_102041', (SELECT evaluation_id FROM evaluation_102041));

-- Indicator rows on a shard: history under indicator, and a read-only
-- form's rows refused by the table's name.
INSERT INTO indicator_102041 (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
VALUES (:form, 1, '产出指标', '数量指标', '完成数', '10个', '10个', 50, 50);
UPDATE indicator_102041 SET deviation_reason = '无';
SELECT table_name, operation, evaluation_id = :form AS its_form,
       unit_id = (SELECT unit_id FROM unit WHERE name = '分片测试单位') AS its_unit,
       row_id = (SELECT indicator_id FROM indicator_102041) AS its_row
FROM history WHERE history_id > :before AND table_name <> 'evaluation' ORDER BY history_id;
SELECT table_name, operation, count(*) FROM history
WHERE history_id > :before AND table_name = 'evaluation' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT pjeval.submit(:form);
SELECT pg_temp.try($$INSERT INTO indicator_102041 (evaluation_id, position, level1, level2, level3, weight)
                      VALUES ($$ || :form || $$, 2, '产出指标', '数量指标', '完成数2', 10)$$, :form);
SELECT pg_temp.try($$UPDATE indicator_102041 SET deviation_reason = '有'$$, :form);
SELECT pg_temp.try('DELETE FROM indicator_102041', :form);
-- TRUNCATE of a shard keeps its rows in the history, as the table's.
SELECT max(history_id) AS before FROM history \gset
TRUNCATE indicator_102041;
SELECT table_name, operation, evaluation_id = :form AS its_form, row_id IS NOT NULL AS has_row_id
FROM history WHERE history_id > :before ORDER BY history_id;

-- The built-in profile copied into a shard of profile (create_reference_table
-- does it as the table's owner): let in for a superuser or the extension's
-- owner, refused to anyone else and always on pjeval.profile itself.
INSERT INTO profile_102041 SELECT * FROM profile WHERE builtin;
SELECT name, builtin FROM profile_102041 ORDER BY name;
UPDATE profile_102041 SET description = 'x' WHERE builtin;
DELETE FROM profile_102041 WHERE builtin;
INSERT INTO profile SELECT 'central-2020-copy', description, true FROM profile WHERE name = 'central-2020';
CREATE ROLE regress_pjs_writer NOLOGIN;
GRANT INSERT ON profile_102041 TO regress_pjs_writer;
GRANT SELECT ON profile TO regress_pjs_writer;
SET ROLE regress_pjs_writer;
INSERT INTO profile_102041 (name, builtin) VALUES ('central-2020-b', true);
RESET ROLE;

-- The policies on a shard (Citus copies them as they are, expression and
-- all): a new row they refuse is refused with the table's name, not the
-- shard's, for a role that may not write it.
ALTER TABLE indicator_102041 ENABLE ROW LEVEL SECURITY;
SELECT format('CREATE POLICY %I ON pjeval.indicator_102041 FOR %s USING (%s) WITH CHECK (%s)',
              policyname, cmd, qual, with_check)
FROM pg_policies WHERE schemaname = 'pjeval' AND tablename = 'indicator' \gexec
INSERT INTO evaluation (project_id, year) SELECT project_id, 2025 FROM project WHERE code = 'T-SHARD'
RETURNING evaluation_id AS form2 \gset
CREATE ROLE regress_pjs_member NOLOGIN;
GRANT SELECT, INSERT ON indicator_102041 TO regress_pjs_member;
SET ROLE regress_pjs_member;
SELECT pg_temp.try($$INSERT INTO indicator_102041 (evaluation_id, position, level1, level2, level3, weight)
                      VALUES ($$ || :form2 || $$, 1, '产出指标', '数量指标', '完成数', 10)$$, :form2);
RESET ROLE;

:restore_sequences;
ROLLBACK;

-- pjeval.distribute() places the tables on a Citus cluster; without Citus
-- it says so (0A000), and it is not for everyone (EXECUTE revoked).
CALL pjeval.distribute();
\echo :LAST_ERROR_SQLSTATE
SELECT has_function_privilege('public', 'pjeval.distribute()', 'EXECUTE') AS public_may_distribute;
-- The plan places every table of pjeval, each once.
SELECT count(*) AS tables, count(*) FILTER (WHERE placement = 'distributed') AS distributed,
       bool_and(to_regclass('pjeval.' || table_name) IS NOT NULL) AS all_exist
FROM pjeval.distribution_plan();
SELECT c.relname AS not_in_plan FROM pg_class c
WHERE c.relnamespace = 'pjeval'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT IN (SELECT table_name FROM pjeval.distribution_plan());
