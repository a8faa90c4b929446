-- reports_refresh: CALL pjeval.refresh_reports() rebuilds the refreshed
-- reports from the live views, is idempotent, appends a dated snapshot per
-- refresh, shows a change only after the next refresh, rolls back as a whole,
-- refuses to run where it could not see a concurrent refresh's result, and
-- does not depend on the caller's search_path.  Two sessions at once are
-- tested by test/integration/reports_concurrent_refresh.sh, pg_cron by
-- test/integration/reports_cron.sh.  Uses the fixture of the reports test.
\set VERBOSITY default
\set SHOW_CONTEXT never
\c pjeval_reports_regress
SET search_path = public, pjeval;

-- Made at CREATE EXTENSION, the reports are empty until the first refresh.
SELECT (SELECT count(*) FROM unit_year_report) AS unit_years, (SELECT count(*) FROM project_trend_report) AS forms,
       (SELECT count(*) FROM indicator_category_report) AS categories,
       (SELECT count(*) FROM report_snapshot) AS snapshot_rows, (SELECT count(*) FROM report_refresh) AS refreshes;

CALL refresh_reports();

-- The refreshed reports are the live views, row for row.
CREATE FUNCTION pg_temp.report_differences()
RETURNS TABLE (report text, only_live bigint, only_refreshed bigint)
LANGUAGE sql AS $$
    SELECT 'unit_year',
           (SELECT count(*) FROM (SELECT to_jsonb(t) FROM pjeval.unit_year_summary t
                                  EXCEPT ALL SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.unit_year_report r) x),
           (SELECT count(*) FROM (SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.unit_year_report r
                                  EXCEPT ALL SELECT to_jsonb(t) FROM pjeval.unit_year_summary t) x)
    UNION ALL
    SELECT 'project_trend',
           (SELECT count(*) FROM (SELECT to_jsonb(t) FROM pjeval.project_trend t
                                  EXCEPT ALL SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.project_trend_report r) x),
           (SELECT count(*) FROM (SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.project_trend_report r
                                  EXCEPT ALL SELECT to_jsonb(t) FROM pjeval.project_trend t) x)
    UNION ALL
    SELECT 'indicator_category',
           (SELECT count(*) FROM (SELECT to_jsonb(t) FROM pjeval.indicator_category_summary t
                                  EXCEPT ALL SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.indicator_category_report r) x),
           (SELECT count(*) FROM (SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.indicator_category_report r
                                  EXCEPT ALL SELECT to_jsonb(t) FROM pjeval.indicator_category_summary t) x)
    UNION ALL
    SELECT 'indicator_category_by_unit',
           (SELECT count(*) FROM (SELECT to_jsonb(t) FROM pjeval.indicator_category_by_unit t
                                  EXCEPT ALL SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.indicator_category_by_unit_report r) x),
           (SELECT count(*) FROM (SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.indicator_category_by_unit_report r
                                  EXCEPT ALL SELECT to_jsonb(t) FROM pjeval.indicator_category_by_unit t) x)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.report_differences() TO PUBLIC;
SELECT (SELECT count(*) FROM unit_year_report) AS unit_years, (SELECT count(*) FROM project_trend_report) AS forms,
       (SELECT count(*) FROM indicator_category_report) AS categories;
SELECT * FROM pg_temp.report_differences();

-- One refresh: one row in report_refresh, and in report_snapshot one row
-- per unit, budget unit and year, equal to unit_year_summary.
SELECT count(*) AS refreshes, bool_and(finished_at >= taken_at) AS finished_after_start,
       bool_and(refreshed_by = current_user) AS by_me
FROM report_refresh;
SELECT (SELECT count(*) FROM report_snapshot) AS snapshot_rows,
       (SELECT count(*) FROM (SELECT to_jsonb(s) - 'taken_at' FROM report_snapshot s
                              EXCEPT ALL SELECT to_jsonb(t) FROM unit_year_summary t) x) AS differing_rows,
       (SELECT count(DISTINCT refreshed_at) FROM unit_year_report) = 1
       AND (SELECT max(refreshed_at) FROM unit_year_report) = (SELECT max(taken_at) FROM report_refresh) AS refreshed_at_shown;

-- Idempotent: a second refresh with nothing changed leaves every report
-- row as it was (REFRESH ... CONCURRENTLY rewrites only rows that changed:
-- in unit_year_summary_mv just the one whose budget unit is NULL, which its
-- unique index cannot match) and appends a second, identical snapshot.
CREATE TEMP TABLE before AS
SELECT 'project_trend_mv' AS mv, ctid::text AS place, to_jsonb(m) AS r FROM project_trend_mv m
UNION ALL SELECT 'unit_year_summary_mv', ctid::text, to_jsonb(m) FROM unit_year_summary_mv m
UNION ALL SELECT 'indicator_category_mv', ctid::text, to_jsonb(m) FROM indicator_category_mv m;
CALL refresh_reports();
SELECT b.mv, count(*) AS rows, count(*) FILTER (WHERE a.r IS NULL) AS rewritten,
       count(*) FILTER (WHERE a.r IS NOT NULL AND a.r <> b.r) AS changed_in_place
FROM before b
LEFT JOIN (SELECT 'project_trend_mv' AS mv, ctid::text AS place, to_jsonb(m) AS r FROM project_trend_mv m
           UNION ALL SELECT 'unit_year_summary_mv', ctid::text, to_jsonb(m) FROM unit_year_summary_mv m
           UNION ALL SELECT 'indicator_category_mv', ctid::text, to_jsonb(m) FROM indicator_category_mv m) a
       ON a.mv = b.mv AND a.place = b.place
GROUP BY b.mv ORDER BY b.mv;
SELECT mv, count(*) AS rows FROM (
    SELECT 'project_trend_mv' AS mv, to_jsonb(m) AS r FROM project_trend_mv m
    UNION ALL SELECT 'unit_year_summary_mv', to_jsonb(m) FROM unit_year_summary_mv m
    UNION ALL SELECT 'indicator_category_mv', to_jsonb(m) FROM indicator_category_mv m
    EXCEPT ALL SELECT mv, r FROM before) x
GROUP BY mv;
SELECT * FROM pg_temp.report_differences();
SELECT s.taken_at = r.taken_at AS from_a_refresh, count(*) AS snapshot_rows
FROM report_snapshot s JOIN report_refresh r USING (taken_at)
GROUP BY 1;
SELECT count(*) AS refreshes, count(DISTINCT taken_at) AS distinct_dates,
       (SELECT count(*) FROM (SELECT to_jsonb(s) - 'taken_at' FROM report_snapshot s
                                WHERE s.taken_at = (SELECT max(taken_at) FROM report_refresh)
                              EXCEPT ALL
                              SELECT to_jsonb(s) - 'taken_at' FROM report_snapshot s
                                WHERE s.taken_at = (SELECT min(taken_at) FROM report_refresh)) x) AS snapshots_differ_by
FROM report_refresh;

-- A change: 服务次数 of HW1 2023 reaches 100 (40 → 50 points, 83.00 → 93.00).
-- The live views show it at once, the reports after the next refresh, and
-- the history keeps both.
UPDATE indicator SET actual_text = '100次'
WHERE position = 1
  AND evaluation_id = (SELECT e.evaluation_id FROM evaluation e JOIN project p USING (project_id)
                       WHERE p.code = 'HW1' AND e.year = 2023);
SELECT 'live' AS source, year, unit_name, avg_total_score, grade_excellent, grade_good, finding_count
FROM unit_year_summary WHERE year = 2023 AND unit_name = '示范区环卫中心'
UNION ALL
SELECT 'refreshed', year, unit_name, avg_total_score, grade_excellent, grade_good, finding_count
FROM unit_year_report WHERE year = 2023 AND unit_name = '示范区环卫中心';
SELECT * FROM pg_temp.report_differences();
CALL refresh_reports();
SELECT * FROM pg_temp.report_differences();
SELECT project_code, year, total_score, grade, inflation, total_score_change, grade_change
FROM project_trend_report WHERE project_code = 'HW1' ORDER BY year;
-- The history of 环卫中心 2023, one point per refresh.
SELECT row_number() OVER (ORDER BY s.taken_at) AS refresh, s.avg_total_score, s.grade_excellent, s.grade_good,
       s.finding_count, s.compared_forms, s.inflated_forms, s.inflation_sum
FROM report_snapshot s
WHERE s.year = 2023 AND s.unit_name = '示范区环卫中心'
ORDER BY s.taken_at;

-- A refresh is one transaction: rolled back, it leaves no trace.
SELECT count(*) AS refreshes_before FROM report_refresh \gset
BEGIN;
UPDATE indicator SET actual_text = '80次'
WHERE position = 1
  AND evaluation_id = (SELECT e.evaluation_id FROM evaluation e JOIN project p USING (project_id)
                       WHERE p.code = 'HW1' AND e.year = 2023);
CALL refresh_reports();
SELECT avg_total_score AS inside_the_transaction FROM unit_year_report WHERE year = 2023 AND unit_name = '示范区环卫中心';
-- the lock that makes a second refresh wait is held until the end
SELECT locktype, classid, objid, objsubid, mode, granted
FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY classid, objid;
ROLLBACK;
SELECT count(*) - :refreshes_before AS new_refreshes,
       (SELECT avg_total_score FROM unit_year_report WHERE year = 2023 AND unit_name = '示范区环卫中心') AS after_rollback,
       (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks_left
FROM report_refresh;

-- Above READ COMMITTED a refresh that waited could not see what the other
-- one committed: it refuses (25000) instead.
BEGIN ISOLATION LEVEL REPEATABLE READ;
CALL refresh_reports();
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
CALL refresh_reports();
ROLLBACK;

-- wait => false with no other refresh running: an ordinary refresh.
CALL refresh_reports(wait => false);
SELECT count(*) - :refreshes_before AS new_refreshes FROM report_refresh;

-- A report left unpopulated (REFRESH ... WITH NO DATA) cannot be read; the
-- next refresh rebuilds it (CONCURRENTLY needs a populated view, so that
-- one is rebuilt plainly).
REFRESH MATERIALIZED VIEW unit_year_summary_mv WITH NO DATA;
SELECT count(*) FROM unit_year_report;
CALL refresh_reports();
SELECT count(*) AS unit_years FROM unit_year_report;
SELECT * FROM pg_temp.report_differences();

-- The caller's search_path does not matter: look-alike objects ahead of
-- pjeval are not touched.
CREATE SCHEMA regress_reports_evil;
CREATE TABLE regress_reports_evil.report_snapshot (LIKE pjeval.report_snapshot);
CREATE TABLE regress_reports_evil.report_refresh (LIKE pjeval.report_refresh);
CREATE FUNCTION regress_reports_evil.is_reviewer(name) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE FUNCTION regress_reports_evil.pg_advisory_xact_lock(integer, integer) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'wrong function'; END $$;
SET search_path = regress_reports_evil, public;
CALL pjeval.refresh_reports();
SELECT (SELECT count(*) FROM regress_reports_evil.report_snapshot) AS evil_snapshot,
       (SELECT count(*) FROM regress_reports_evil.report_refresh) AS evil_refresh,
       (SELECT count(*) FROM pjeval.report_refresh) - :refreshes_before AS new_refreshes;
RESET search_path;
DROP SCHEMA regress_reports_evil CASCADE;
SET search_path = public, pjeval;

-- What the procedure is: it runs as its owner (REFRESH needs the views'
-- owner) with a fixed search_path; no one may call it unless granted.
SELECT p.proname, p.prokind, p.prosecdef AS security_definer, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       pg_get_function_arguments(p.oid) AS arguments
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'pjeval'
WHERE p.proname IN ('refresh_reports', 'report_html', 'quotient_half_up', 'indicator_level_name', 'grade_rank', 'html_escape')
ORDER BY p.proname;
-- The materialized views: unique indexes for CONCURRENTLY, no privilege for
-- PUBLIC.
SELECT c.relname, c.relkind, has_table_privilege('public', c.oid, 'SELECT') AS public_select,
       (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY i.indexrelid::regclass::text)
        FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique) AS unique_indexes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'm' ORDER BY c.relname;
-- pg_dump keeps the history (not the materialized views: the next refresh
-- rebuilds them), and pg_cron stays optional.
SELECT c.relname AS config_table, c.relkind
FROM pg_extension e JOIN pg_class c ON c.oid = ANY (e.extconfig)
WHERE e.extname = 'pjeval' AND (c.relname LIKE 'report%' OR c.relkind = 'm') ORDER BY 1;
-- Every released version updates to the current one (upgrade/; the update
-- itself is checked against a fresh install by test/integration/upgrade.sh).
SELECT source, path FROM pg_extension_update_paths('pjeval')
WHERE target = (SELECT default_version FROM pg_available_extensions WHERE name = 'pjeval') AND path IS NOT NULL
ORDER BY source;
