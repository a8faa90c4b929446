-- reports_rls: who sees what in the dashboards and the refreshed reports,
-- with real roles and SET ROLE.  A unit's members see their units' rows, in
-- the live views (row-level security under them), in the refreshed reports
-- (their own unit test over the materialized views) and in the snapshot
-- history; a reviewer sees all; a role listed nowhere sees nothing.  Live
-- and refreshed agree for every role.  The materialized views themselves
-- are closed, and only a role granted EXECUTE refreshes.  The last of the
-- reports_* tests: it drops their database at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_database() AS regress_db \gset
\c pjeval_reports_regress
SET search_path = public, pjeval;

CREATE ROLE regress_rep_hw NOLOGIN;          -- 环卫中心
CREATE ROLE regress_rep_cg NOLOGIN;          -- 城市管理局 and the units below it
CREATE ROLE regress_rep_mz NOLOGIN;          -- 民政局
CREATE ROLE regress_rep_reviewers NOLOGIN;
CREATE ROLE regress_rep_hana NOLOGIN IN ROLE regress_rep_hw;
CREATE ROLE regress_rep_chen NOLOGIN IN ROLE regress_rep_cg;
CREATE ROLE regress_rep_min NOLOGIN IN ROLE regress_rep_mz;
CREATE ROLE regress_rep_rita NOLOGIN IN ROLE regress_rep_reviewers;
CREATE ROLE regress_rep_nobody NOLOGIN;
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_rep_hw' FROM unit WHERE code = 'U-HW';
INSERT INTO unit_member (unit_id, role_name, with_subunits) SELECT unit_id, 'regress_rep_cg', true FROM unit WHERE code = 'B-CG';
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_rep_mz' FROM unit WHERE code = 'B-MZ';
INSERT INTO reviewer VALUES ('regress_rep_reviewers');
CALL refresh_reports();

-- Rows per role and view.
CREATE TEMP TABLE seen (who text, relation text, n bigint, units text[]);
GRANT ALL ON seen TO PUBLIC;
CREATE FUNCTION pg_temp.look(who text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['project_trend', 'unit_year_summary', 'indicator_category_by_unit',
                               'project_trend_report', 'unit_year_report', 'indicator_category_by_unit_report',
                               'report_snapshot'] LOOP
        EXECUTE format('INSERT INTO seen SELECT %L, %L, count(*), array_agg(DISTINCT unit_name ORDER BY unit_name) FROM pjeval.%I',
                       who, rel, rel);
    END LOOP;
    FOREACH rel IN ARRAY ARRAY['indicator_category_summary', 'indicator_category_report'] LOOP
        EXECUTE format('INSERT INTO seen SELECT %L, %L, coalesce(sum(indicators), 0), NULL FROM pjeval.%I', who, rel, rel);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.look(text) TO PUBLIC;
SET ROLE regress_rep_hana;    SELECT pg_temp.look('hana 环卫');      RESET ROLE;
SET ROLE regress_rep_chen;    SELECT pg_temp.look('chen 城管局');    RESET ROLE;
SET ROLE regress_rep_min;     SELECT pg_temp.look('min 民政');       RESET ROLE;
SET ROLE regress_rep_rita;    SELECT pg_temp.look('rita reviewer');  RESET ROLE;
SET ROLE regress_rep_nobody;  SELECT pg_temp.look('nobody');         RESET ROLE;
SELECT relation,
       max(n) FILTER (WHERE who LIKE 'hana%') AS hana,
       max(n) FILTER (WHERE who LIKE 'chen%') AS chen,
       max(n) FILTER (WHERE who LIKE 'min%') AS min,
       max(n) FILTER (WHERE who LIKE 'rita%') AS rita,
       max(n) FILTER (WHERE who = 'nobody') AS nobody
FROM seen GROUP BY relation
ORDER BY array_position(ARRAY['project_trend', 'project_trend_report', 'unit_year_summary', 'unit_year_report',
                              'indicator_category_by_unit', 'indicator_category_by_unit_report',
                              'indicator_category_summary', 'indicator_category_report',
                              'report_snapshot'], relation);
SELECT who, relation, units FROM seen WHERE units IS NOT NULL AND relation IN ('unit_year_summary', 'unit_year_report', 'report_snapshot')
ORDER BY who, relation;

-- Each role sees in the live views exactly what the refreshed reports show
-- it, and a member sees the reviewer's rows of its units, no fewer.
CREATE TEMP TABLE reviewer_rows AS
SELECT 'unit_year' AS view, unit_id, to_jsonb(t) AS r FROM unit_year_summary t
UNION ALL SELECT 'project_trend', unit_id, to_jsonb(t) FROM project_trend t;
GRANT ALL ON reviewer_rows TO PUBLIC;
CREATE FUNCTION pg_temp.report_differences_for_role()
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
CREATE FUNCTION pg_temp.agree(who text)
RETURNS TABLE (who text, live_vs_refreshed bigint, missing_rows bigint, foreign_rows bigint)
LANGUAGE sql AS $$
    SELECT who,
           (SELECT count(*) FROM pg_temp.report_differences_for_role() d WHERE d.only_live + d.only_refreshed > 0),
           (SELECT count(*) FROM (SELECT view, r FROM reviewer_rows
                                  WHERE unit_id = ANY (pjeval.member_units(CURRENT_USER)) OR pjeval.is_reviewer(CURRENT_USER)
                                  EXCEPT ALL
                                  (SELECT 'unit_year', to_jsonb(t) FROM pjeval.unit_year_summary t
                                   UNION ALL SELECT 'project_trend', to_jsonb(t) FROM pjeval.project_trend t)) x),
           (SELECT count(*) FROM (SELECT 'unit_year', to_jsonb(t) FROM pjeval.unit_year_summary t
                                  UNION ALL SELECT 'project_trend', to_jsonb(t) FROM pjeval.project_trend t
                                  EXCEPT ALL
                                  SELECT view, r FROM reviewer_rows
                                  WHERE unit_id = ANY (pjeval.member_units(CURRENT_USER)) OR pjeval.is_reviewer(CURRENT_USER)) x)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.agree(text), pg_temp.report_differences_for_role() TO PUBLIC;
SET ROLE regress_rep_hana;    SELECT * FROM pg_temp.agree('hana');    RESET ROLE;
SET ROLE regress_rep_chen;    SELECT * FROM pg_temp.agree('chen');    RESET ROLE;
SET ROLE regress_rep_min;     SELECT * FROM pg_temp.agree('min');     RESET ROLE;
SET ROLE regress_rep_rita;    SELECT * FROM pg_temp.agree('rita');    RESET ROLE;
SET ROLE regress_rep_nobody;  SELECT * FROM pg_temp.agree('nobody');  RESET ROLE;

-- 民政局's category figures are its own: 2022, 数量指标: N = 90 and 100.
SET ROLE regress_rep_min;
SELECT year, level2, units, indicators, met, met_share, avg_completion FROM indicator_category_report
WHERE year = 2022 AND level2 = '数量指标';
RESET ROLE;

-- The printable report shows a member its own units only.
SET ROLE regress_rep_hana;
SELECT array_agg(v::text) AS units_in_report
FROM unnest(xpath('//h:table[@class="summary"]/h:tbody/h:tr/h:td[1]/text()', report_html(2022)::xml,
                  ARRAY[ARRAY['h', 'http://www.w3.org/1999/xhtml']])) v;
RESET ROLE;

-- Closed: the materialized views, writing the history, refreshing (42501).
SET ROLE regress_rep_hana;
SELECT count(*) FROM unit_year_summary_mv;
SELECT count(*) FROM project_trend_mv;
SELECT count(*) FROM indicator_category_mv;
INSERT INTO report_snapshot (taken_at, year, unit_id, unit_name, forms, approved_forms, scored_forms, grade_excellent,
                             grade_good, grade_pass, grade_poor, ungraded, forms_with_findings, compared_forms, inflated_forms)
SELECT taken_at, 2099, 1, 'x', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM report_refresh LIMIT 1;
UPDATE report_snapshot SET forms = 0;
DELETE FROM report_snapshot;
DELETE FROM report_refresh;
CALL refresh_reports();
RESET ROLE;
SET ROLE regress_rep_rita;
CALL refresh_reports();
RESET ROLE;
-- The owner grants the refresh; it then runs with the owner's rights and
-- records who called it.
GRANT EXECUTE ON PROCEDURE refresh_reports(boolean) TO regress_rep_reviewers;
SET ROLE regress_rep_rita;
CALL refresh_reports();
SELECT refreshed_by FROM report_refresh ORDER BY taken_at DESC LIMIT 1;
RESET ROLE;
REVOKE EXECUTE ON PROCEDURE refresh_reports(boolean) FROM regress_rep_reviewers;

-- A caller's function in a WHERE clause sees no row of another unit: the
-- report views are security barriers (the function costs nothing, so the
-- planner would run it first if it could).
CREATE TABLE public.leaked (unit_name text);
GRANT ALL ON public.leaked TO PUBLIC;
CREATE FUNCTION public.leak(text) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$ BEGIN INSERT INTO public.leaked VALUES ($1); RETURN true; END $$;
SET ROLE regress_rep_hana;
SELECT count(*) FROM unit_year_report WHERE public.leak(unit_name);
SELECT count(*) FROM project_trend_report WHERE public.leak(unit_name);
SELECT count(*) FROM unit_year_summary WHERE public.leak(unit_name);
SELECT count(*) FROM indicator_category_by_unit_report WHERE public.leak(unit_name);
RESET ROLE;
SELECT DISTINCT unit_name AS leaked FROM public.leaked ORDER BY 1;
DROP FUNCTION public.leak(text);
DROP TABLE public.leaked;

-- Clean up: the database of the reports_* tests, then the roles.
\c :regress_db
DROP DATABASE pjeval_reports_regress;
DROP ROLE regress_rep_hana, regress_rep_chen, regress_rep_min, regress_rep_rita, regress_rep_nobody;
DROP ROLE regress_rep_hw, regress_rep_cg, regress_rep_mz, regress_rep_reviewers;
