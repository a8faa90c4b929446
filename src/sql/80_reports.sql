-- 80_reports.sql - dashboards and scheduled aggregate reports (docs/reports.md).
--
-- Live dashboard views, aggregated on every read from the views of
-- 50_views.sql (which read the stored results), so they always agree with evaluation_result and
-- indicator_result and see exactly the forms the caller may see:
--
--   project_trend               one row per form (project and year), with the
--                               change from the project's previous form
--   unit_year_summary           one row per implementing unit, level-1
--                               budget unit and year
--   indicator_category_by_unit  one row per year, unit, level 1 and level 2
--   indicator_category_summary  one row per year, level 1 and level 2
--
-- Scheduled reports: CALL pjeval.refresh_reports() rebuilds three
-- materialized views (*_mv) with REFRESH MATERIALIZED VIEW CONCURRENTLY and
-- appends a dated copy of the unit/year figures to pjeval.report_snapshot.
-- Materialized views have no row-level security, so nobody but their owner
-- reads them; users read them through project_trend_report,
-- unit_year_report, indicator_category_by_unit_report and
-- indicator_category_report, which keep the caller's units only
-- (reviewers: all), like the policies of 60_security.sql.
--
-- pjeval.report_html(year, unit) renders a printable report of a year.
--
-- How the live views stay fast: evaluation_result and indicator_result are
-- security barriers, so a filter on year or unit cannot reach inside them.
-- The live views therefore take the forms from the tables (where row-level
-- security and the caller's filters apply) and read each one's results
-- (stored when the form last changed, 55_results.sql) through a LATERAL
-- sub-query on its evaluation_id, which reaches them by their key: a
-- dashboard query for one unit or one year reads only those forms.  The materialized views score everything at once with hash joins
-- (faster for all the forms, and parallel), from the same column lists: each
-- pair is built below from one text.  Figures in bench/reports_bench.sh.

-- Helpers ------------------------------------------------------------------

-- numerator / denominator rounded half away from zero to 2 places, computed
-- exactly with the integer quotient (numeric division stops after some 16
-- digits, which can land a value just below a .xx5 on it).  Not STRICT, so
-- that it is inlined.
CREATE FUNCTION @extschema@.quotient_half_up(numerator pg_catalog.numeric, denominator pg_catalog.numeric)
RETURNS pg_catalog.numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN $2 OPERATOR(pg_catalog.<>) 0 THEN
        pg_catalog.round(
            pg_catalog.sign($1) OPERATOR(pg_catalog.*) pg_catalog.sign($2)
            OPERATOR(pg_catalog.*) pg_catalog.div(200 OPERATOR(pg_catalog.*) pg_catalog.abs($1)
                                                  OPERATOR(pg_catalog.+) pg_catalog.abs($2),
                                                  2 OPERATOR(pg_catalog.*) pg_catalog.abs($2))
            OPERATOR(pg_catalog.*) 0.01, 2)
    END
$$;

COMMENT ON FUNCTION @extschema@.quotient_half_up(pg_catalog.numeric, pg_catalog.numeric) IS
'numerator / denominator rounded half away from zero to 2 places, exactly; NULL when the denominator is 0 or either is NULL';

-- Where the standard places a level-1 and a level-2 name, by the list of
-- pjeval.standard_level (the form reader's), as indicator_result places it
-- (level1_kind, level2_home), for the category reports, which classify a
-- group of rows once.  Every name and operator is named with its schema:
-- the caller's search_path does not take part.
CREATE FUNCTION @extschema@.indicator_level1_kind(level1 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT l.kind FROM @extschema@.standard_level l
    WHERE l.level OPERATOR(pg_catalog.=) 1
      AND l.name OPERATOR(pg_catalog.=) @extschema@.indicator_level_name($1)
$$;

CREATE FUNCTION @extschema@.indicator_level2_home(level2 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT l.kind FROM @extschema@.standard_level l
    WHERE l.level OPERATOR(pg_catalog.=) 2
      AND l.name OPERATOR(pg_catalog.=) @extschema@.indicator_level_name($1)
$$;

COMMENT ON FUNCTION @extschema@.indicator_level1_kind(pg_catalog.text) IS
'output (产出), benefit (效益), satisfaction (满意度) or cost (成本) for a level-1 name, NULL for a non-standard one: indicator_result.level1_kind';
COMMENT ON FUNCTION @extschema@.indicator_level2_home(pg_catalog.text) IS
'The level 1 a level-2 name belongs under by the standard (output, benefit, satisfaction, cost), NULL for a non-standard one: indicator_result.level2_home';

-- 优 4, 良 3, 中 2, 差 1: a change of grade as a number.
CREATE FUNCTION @extschema@.grade_rank(grade pg_catalog.text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.array_position(ARRAY['差', '中', '良', '优'], $1)
$$;

COMMENT ON FUNCTION @extschema@.grade_rank(pg_catalog.text) IS
'The rank of a grade: 差 1, 中 2, 良 3, 优 4 (NULL for anything else)';

-- One row per refresh.  Rows are added by pjeval.refresh_reports() only;
-- the report views show the last one as refreshed_at.
CREATE TABLE @extschema@.report_refresh (
    taken_at        timestamptz PRIMARY KEY,
    finished_at     timestamptz NOT NULL,
    refreshed_by    name NOT NULL
);

COMMENT ON TABLE @extschema@.report_refresh IS
'One row per run of pjeval.refresh_reports(): when it started (taken_at, the key of its rows in pjeval.report_snapshot), when it finished, and the role that ran it';
COMMENT ON COLUMN @extschema@.report_refresh.taken_at IS 'When the refresh started to read the forms (after waiting for any other refresh)';
COMMENT ON COLUMN @extschema@.report_refresh.finished_at IS 'When the refresh had rebuilt the reports (they become visible when its transaction commits)';
COMMENT ON COLUMN @extschema@.report_refresh.refreshed_by IS 'The role in effect that called refresh_reports() (for pg_cron: the job''s user)';

-- Per form and per unit and year ----------------------------------------------

-- project_trend and unit_year_summary (live), project_trend_mv and
-- unit_year_summary_mv (refreshed) from one text each:
--   form_columns   one form: who, when, amounts, scores (r is its row of
--                  evaluation_result, ev, p, u, bu its tables)
--   trend_columns  the change from the project's previous form.  The window
--                  is partitioned by unit and project (a project has one
--                  unit, so this is per project), so that a filter on
--                  unit_id still reaches the tables under it.
--   unit_year      the aggregate per unit, budget unit and year of rows t
--                  with the form columns
DO $do$
DECLARE
    form_columns constant text := $q$
    ev.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    ev.budget_unit_id,
    bu.name AS budget_unit_name,
    ev.year,
    ev.evaluation_id,
    ev.status,
    ev.amount_unit,
    r.initial_budget,
    r.annual_budget,
    r.executed,
    r.execution_rate,
    r.total_score,
    r.grade,
    r.reported_total,
    r.total_difference AS inflation,
    r.finding_count$q$;
    trend_columns constant text := $q$
    pg_catalog.lag(ev.year) OVER w AS previous_year,
    pg_catalog.lag(r.total_score) OVER w AS previous_total_score,
    r.total_score - pg_catalog.lag(r.total_score) OVER w AS total_score_change,
    pg_catalog.lag(r.grade) OVER w AS previous_grade,
    @extschema@.grade_rank(r.grade) - @extschema@.grade_rank(pg_catalog.lag(r.grade) OVER w) AS grade_change,
    pg_catalog.lag(r.execution_rate) OVER w AS previous_execution_rate,
    r.execution_rate - pg_catalog.lag(r.execution_rate) OVER w AS execution_rate_change,
    r.annual_budget - pg_catalog.lag(r.annual_budget) OVER w AS annual_budget_change,
    pg_catalog.row_number() OVER w AS form_number$q$;
    forms constant text := $q$
FROM @extschema@.evaluation ev
JOIN @extschema@.project p ON p.project_id = ev.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id$q$;
    -- live: one form at a time, by its id (OFFSET 0 keeps the sub-query
    -- from being merged into a join, which would score every form)
    live_scores constant text := $q$
CROSS JOIN LATERAL (SELECT r.* FROM @extschema@.evaluation_result r
                    WHERE r.evaluation_id = ev.evaluation_id OFFSET 0) r$q$;
    -- refreshed: every form at once
    all_scores constant text := $q$
JOIN @extschema@.evaluation_result r ON r.evaluation_id = ev.evaluation_id$q$;
    trend_window constant text := $q$
WINDOW w AS (PARTITION BY p.unit_id, ev.project_id ORDER BY ev.year)$q$;
    unit_year constant text := $q$
SELECT
    t.year,
    t.unit_id,
    t.unit_name,
    t.budget_unit_id,
    t.budget_unit_name,
    pg_catalog.count(*) AS forms,
    pg_catalog.count(*) FILTER (WHERE t.status = 'approved') AS approved_forms,
    pg_catalog.count(t.total_score) AS scored_forms,
    pg_catalog.sum(t.initial_budget) AS initial_budget,
    pg_catalog.sum(t.annual_budget) AS annual_budget,
    pg_catalog.sum(t.executed) AS executed,
    @extschema@.try_execution_rate(pg_catalog.sum(t.annual_budget), pg_catalog.sum(t.executed)) AS execution_rate,
    pg_catalog.sum(t.total_score) AS total_score_sum,
    @extschema@.quotient_half_up(pg_catalog.sum(t.total_score), pg_catalog.count(t.total_score)) AS avg_total_score,
    pg_catalog.min(t.total_score) AS min_total_score,
    pg_catalog.max(t.total_score) AS max_total_score,
    pg_catalog.count(*) FILTER (WHERE t.grade = '优') AS grade_excellent,
    pg_catalog.count(*) FILTER (WHERE t.grade = '良') AS grade_good,
    pg_catalog.count(*) FILTER (WHERE t.grade = '中') AS grade_pass,
    pg_catalog.count(*) FILTER (WHERE t.grade = '差') AS grade_poor,
    pg_catalog.count(*) FILTER (WHERE t.grade IS NULL) AS ungraded,
    pg_catalog.sum(t.finding_count)::bigint AS finding_count,
    pg_catalog.count(*) FILTER (WHERE t.finding_count > 0) AS forms_with_findings,
    pg_catalog.count(t.inflation) AS compared_forms,
    pg_catalog.count(*) FILTER (WHERE t.inflation > 0) AS inflated_forms,
    pg_catalog.sum(t.inflation) AS inflation_sum,
    @extschema@.quotient_half_up(pg_catalog.sum(t.inflation), pg_catalog.count(t.inflation)) AS inflation_avg,
    pg_catalog.max(t.inflation) AS inflation_max
FROM %s t
GROUP BY t.year, t.unit_id, t.unit_name, t.budget_unit_id, t.budget_unit_name$q$;
BEGIN
    EXECUTE 'CREATE VIEW @extschema@.project_trend WITH (security_barrier = true) AS SELECT'
            || form_columns || ',' || trend_columns || forms || live_scores || trend_window;
    EXECUTE 'CREATE VIEW @extschema@.unit_year_summary WITH (security_barrier = true) AS'
            || pg_catalog.format(unit_year, '(SELECT' || form_columns || forms || live_scores || ')');
    EXECUTE 'CREATE MATERIALIZED VIEW @extschema@.project_trend_mv AS SELECT'
            || form_columns || ',' || trend_columns || forms || all_scores || trend_window;
    EXECUTE 'CREATE MATERIALIZED VIEW @extschema@.unit_year_summary_mv AS'
            || pg_catalog.format(unit_year, '@extschema@.project_trend_mv');
END
$do$;

-- REFRESH ... CONCURRENTLY matches old and new rows on a unique index.  A
-- NULL budget unit never matches: such a row is replaced on every refresh,
-- which is correct.
CREATE UNIQUE INDEX project_trend_mv_key ON @extschema@.project_trend_mv (evaluation_id);
CREATE INDEX project_trend_mv_unit_idx ON @extschema@.project_trend_mv (unit_id, project_id, year);
CREATE INDEX project_trend_mv_project_idx ON @extschema@.project_trend_mv (project_id, year);
CREATE INDEX project_trend_mv_year_idx ON @extschema@.project_trend_mv (year);
CREATE UNIQUE INDEX unit_year_summary_mv_key ON @extschema@.unit_year_summary_mv (year, unit_id, budget_unit_id);
CREATE INDEX unit_year_summary_mv_unit_idx ON @extschema@.unit_year_summary_mv (unit_id, year);

COMMENT ON VIEW @extschema@.project_trend IS
'The same project across years, live: one row per form the caller may see, with its amounts in 元, execution rate, total, grade, inflation and findings, and the change from the project''s previous form (window functions over project and year)';
COMMENT ON VIEW @extschema@.unit_year_summary IS
'Per implementing unit, level-1 budget unit and year, live over the forms the caller may see: forms, budgets and executed amounts in 元, execution rate Σ executed / Σ budget, average/min/max total, forms per grade, findings, and self-evaluation inflation (reported total above the computed one)';
COMMENT ON MATERIALIZED VIEW @extschema@.project_trend_mv IS
'pjeval.project_trend for every form, as of the last pjeval.refresh_reports(); read it through pjeval.project_trend_report';
COMMENT ON MATERIALIZED VIEW @extschema@.unit_year_summary_mv IS
'pjeval.unit_year_summary for every unit, as of the last pjeval.refresh_reports(); read it through pjeval.unit_year_report';

-- Indicators per level ------------------------------------------------------------

-- indicator_category_by_unit (live) and indicator_category_mv (refreshed)
-- from one text: the rows of indicator_result (completion, flags, scores)
-- added up per year, unit and level as written, then per level as the
-- reports name and classify it (indicator_level_name, indicator_level1_kind,
-- indicator_level2_home), so that names are read once per group, not once
-- per row.  The sums are kept so that units can be added up.
DO $do$
DECLARE
    by_unit constant text := $q$
SELECT
    g.year,
    g.unit_id,
    u.name AS unit_name,
    n.level1,
    n.level2,
    n.level1_kind,
    n.level2_home,
    pg_catalog.sum(g.indicators)::bigint AS indicators,
    pg_catalog.sum(g.not_applicable)::bigint AS not_applicable,
    pg_catalog.sum(g.assessed)::bigint AS assessed,
    pg_catalog.sum(g.met)::bigint AS met,
    pg_catalog.sum(g.over_achieved)::bigint AS over_achieved,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(g.met), pg_catalog.sum(g.assessed)) AS met_share,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(g.over_achieved), pg_catalog.sum(g.assessed)) AS over_achieved_share,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(g.completion_sum), pg_catalog.sum(g.assessed)) AS avg_completion,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(g.completion_sum_uncapped), pg_catalog.sum(g.assessed)) AS avg_completion_uncapped,
    pg_catalog.sum(g.weight_sum) AS weight_sum,
    pg_catalog.sum(g.score_sum) AS score_sum,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(g.score_sum), pg_catalog.sum(g.weight_sum)) AS score_rate,
    pg_catalog.sum(g.completion_sum) AS completion_sum,
    pg_catalog.sum(g.completion_sum_uncapped) AS completion_sum_uncapped
FROM (
    SELECT ev.year,
           p.unit_id,
           r.level1 AS level1_text,
           r.level2 AS level2_text,
           pg_catalog.count(*) AS indicators,
           pg_catalog.count(*) FILTER (WHERE r.rule = 'not_applicable') AS not_applicable,
           pg_catalog.count(r.completion) AS assessed,
           pg_catalog.count(*) FILTER (WHERE r.completion >= 1) AS met,
           pg_catalog.count(*) FILTER (WHERE r.completion IS NOT NULL AND 'over_achieved' = ANY (r.flags)) AS over_achieved,
           pg_catalog.sum(CASE WHEN r.completion > 1 THEN 1 ELSE r.completion END) AS completion_sum,
           pg_catalog.sum(r.completion) AS completion_sum_uncapped,
           pg_catalog.sum(r.weight) AS weight_sum,
           pg_catalog.sum(r.counted_score) AS score_sum
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    %s
    GROUP BY ev.year, p.unit_id, r.level1, r.level2
) g
JOIN @extschema@.unit u ON u.unit_id = g.unit_id
CROSS JOIN LATERAL (
    SELECT @extschema@.indicator_level_name(g.level1_text) AS level1,
           @extschema@.indicator_level_name(g.level2_text) AS level2,
           @extschema@.indicator_level1_kind(g.level1_text) AS level1_kind,
           @extschema@.indicator_level2_home(g.level2_text) AS level2_home
) n
GROUP BY g.year, g.unit_id, u.name, n.level1, n.level2, n.level1_kind, n.level2_home$q$;
BEGIN
    EXECUTE 'CREATE VIEW @extschema@.indicator_category_by_unit WITH (security_barrier = true) AS'
            || pg_catalog.format(by_unit, $q$CROSS JOIN LATERAL (SELECT r.* FROM @extschema@.indicator_result r
                                             WHERE r.evaluation_id = ev.evaluation_id OFFSET 0) r$q$);
    EXECUTE 'CREATE MATERIALIZED VIEW @extschema@.indicator_category_mv AS'
            || pg_catalog.format(by_unit, $q$JOIN @extschema@.indicator_result r ON r.evaluation_id = ev.evaluation_id$q$);
END
$do$;

CREATE UNIQUE INDEX indicator_category_mv_key ON @extschema@.indicator_category_mv (year, unit_id, level1, level2);
CREATE INDEX indicator_category_mv_unit_idx ON @extschema@.indicator_category_mv (unit_id);

COMMENT ON VIEW @extschema@.indicator_category_by_unit IS
'Indicators per year, implementing unit, level 1 and level 2, live over the forms the caller may see: counts, shares met and over-achieved, average completion, and the sums they are made of (so that units can be added up)';
COMMENT ON MATERIALIZED VIEW @extschema@.indicator_category_mv IS
'pjeval.indicator_category_by_unit for every unit, as of the last pjeval.refresh_reports(); read it through pjeval.indicator_category_report';

-- indicator_category_summary (live) and indicator_category_report
-- (refreshed): the by-unit rows added up over the caller's units.
DO $do$
DECLARE
    summary constant text := $q$
SELECT
    c.year,
    c.level1,
    c.level2,
    c.level1_kind,
    c.level2_home,
    pg_catalog.count(*) AS units,
    pg_catalog.sum(c.indicators)::bigint AS indicators,
    pg_catalog.sum(c.not_applicable)::bigint AS not_applicable,
    pg_catalog.sum(c.assessed)::bigint AS assessed,
    pg_catalog.sum(c.met)::bigint AS met,
    pg_catalog.sum(c.over_achieved)::bigint AS over_achieved,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(c.met), pg_catalog.sum(c.assessed)) AS met_share,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(c.over_achieved), pg_catalog.sum(c.assessed)) AS over_achieved_share,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(c.completion_sum), pg_catalog.sum(c.assessed)) AS avg_completion,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(c.completion_sum_uncapped), pg_catalog.sum(c.assessed)) AS avg_completion_uncapped,
    pg_catalog.sum(c.weight_sum) AS weight_sum,
    pg_catalog.sum(c.score_sum) AS score_sum,
    @extschema@.quotient_half_up(100 * pg_catalog.sum(c.score_sum), pg_catalog.sum(c.weight_sum)) AS score_rate%s
FROM %s c
GROUP BY c.year, c.level1, c.level2, c.level1_kind, c.level2_home$q$;
BEGIN
    EXECUTE 'CREATE VIEW @extschema@.indicator_category_summary WITH (security_barrier = true) AS'
            || pg_catalog.format(summary, '', '@extschema@.indicator_category_by_unit');
    EXECUTE 'CREATE VIEW @extschema@.indicator_category_report WITH (security_barrier = true) AS'
            || pg_catalog.format(summary,
                   $q$,
    (SELECT pg_catalog.max(rr.taken_at) FROM @extschema@.report_refresh rr) AS refreshed_at$q$,
                   $q$(SELECT m.*
      FROM @extschema@.indicator_category_mv m
      WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
         OR m.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]))$q$);
END
$do$;

COMMENT ON VIEW @extschema@.indicator_category_summary IS
'Indicators per year, level 1 and level 2, live over the forms the caller may see: how many, the share met, the share over-achieved and the average completion';
COMMENT ON VIEW @extschema@.indicator_category_report IS
'pjeval.indicator_category_summary as of the last pjeval.refresh_reports() (refreshed_at), added up over the caller''s units (reviewers: all)';

REVOKE ALL ON @extschema@.project_trend_mv, @extschema@.unit_year_summary_mv, @extschema@.indicator_category_mv FROM PUBLIC;

-- The refreshed reports as users read them: the rows of the caller's units
-- (reviewers: all), by the test of the row-level security policies.  They
-- read the materialized views with their owner's rights, so unlike the live
-- views they are not security_invoker; security_barrier keeps a caller's
-- functions from seeing a row before that test has run.
CREATE VIEW @extschema@.project_trend_report WITH (security_barrier = true) AS
SELECT m.*,
       (SELECT pg_catalog.max(rr.taken_at) FROM @extschema@.report_refresh rr) AS refreshed_at
FROM @extschema@.project_trend_mv m
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR m.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE VIEW @extschema@.unit_year_report WITH (security_barrier = true) AS
SELECT m.*,
       (SELECT pg_catalog.max(rr.taken_at) FROM @extschema@.report_refresh rr) AS refreshed_at
FROM @extschema@.unit_year_summary_mv m
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR m.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

CREATE VIEW @extschema@.indicator_category_by_unit_report WITH (security_barrier = true) AS
SELECT m.*,
       (SELECT pg_catalog.max(rr.taken_at) FROM @extschema@.report_refresh rr) AS refreshed_at
FROM @extschema@.indicator_category_mv m
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR m.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.project_trend_report IS
'pjeval.project_trend as of the last pjeval.refresh_reports() (refreshed_at), for the caller''s units (reviewers: all): indexed by unit, project and year';
COMMENT ON VIEW @extschema@.unit_year_report IS
'pjeval.unit_year_summary as of the last pjeval.refresh_reports() (refreshed_at), for the caller''s units (reviewers: all)';
COMMENT ON VIEW @extschema@.indicator_category_by_unit_report IS
'pjeval.indicator_category_by_unit as of the last pjeval.refresh_reports() (refreshed_at), for the caller''s units (reviewers: all)';

-- The dated history of the unit/year figures: every refresh appends one row
-- per unit, budget unit and year, so that trends can be charted.  Names are
-- copied (a unit may be renamed or removed later); unit ids are not
-- references for the same reason.
CREATE TABLE @extschema@.report_snapshot (
    taken_at            timestamptz NOT NULL
                        REFERENCES @extschema@.report_refresh (taken_at) ON DELETE CASCADE,
    year                integer NOT NULL,
    unit_id             bigint NOT NULL,
    unit_name           text NOT NULL,
    budget_unit_id      bigint,
    budget_unit_name    text,
    forms               bigint NOT NULL,
    approved_forms      bigint NOT NULL,
    scored_forms        bigint NOT NULL,
    initial_budget      numeric,
    annual_budget       numeric,
    executed            numeric,
    execution_rate      numeric,
    total_score_sum     numeric,
    avg_total_score     numeric,
    min_total_score     numeric,
    max_total_score     numeric,
    grade_excellent     bigint NOT NULL,
    grade_good          bigint NOT NULL,
    grade_pass          bigint NOT NULL,
    grade_poor          bigint NOT NULL,
    ungraded            bigint NOT NULL,
    finding_count       bigint,
    forms_with_findings bigint NOT NULL,
    compared_forms      bigint NOT NULL,
    inflated_forms      bigint NOT NULL,
    inflation_sum       numeric,
    inflation_avg       numeric,
    inflation_max       numeric
);
-- One row per unit, budget unit and year in each refresh, whatever runs at
-- the same time (no budget unit counts as budget unit 0 here).
CREATE UNIQUE INDEX report_snapshot_key
    ON @extschema@.report_snapshot (taken_at, year, unit_id, (COALESCE(budget_unit_id, 0)));
CREATE INDEX report_snapshot_unit_idx ON @extschema@.report_snapshot (unit_id, year, taken_at);

COMMENT ON TABLE @extschema@.report_snapshot IS
'The history of pjeval.unit_year_summary: each pjeval.refresh_reports() appends its figures, dated by taken_at (pjeval.report_refresh). Members see their units'' rows, reviewers all. The owner prunes it with DELETE FROM pjeval.report_refresh WHERE taken_at < ... (the snapshot rows go with their refresh)';

-- Column by column: unit_year_summary, its refreshed copy unit_year_report
-- and the snapshot history share their columns and meaning; so do
-- project_trend and project_trend_report, and the three category views.
DO $do$
DECLARE
    rel text;
    col record;
BEGIN
    FOR col IN
        SELECT * FROM (VALUES
            ('year', '绩效自评年度'),
            ('unit_id', 'The implementing unit (实施单位) of the forms'),
            ('unit_name', 'Name of the implementing unit'),
            ('budget_unit_id', '一级预算单位 as written on the forms (a unit whose forms name two budget units has a row for each; NULL where a form names none)'),
            ('budget_unit_name', 'Name of the level-1 budget unit'),
            ('forms', 'Number of forms (项目支出绩效自评表), whatever their status'),
            ('approved_forms', 'Forms in status approved'),
            ('scored_forms', 'Forms with a computed total (total_score is not NULL)'),
            ('initial_budget', 'Σ 年初预算数 of the 年度资金总额 rows, in 元 (万元 forms × 10000, each rounded to 2 places as in evaluation_result); a form without that row adds nothing'),
            ('annual_budget', 'Σ 全年预算数 of the 年度资金总额 rows, in 元'),
            ('executed', 'Σ 全年执行数 of the 年度资金总额 rows, in 元'),
            ('execution_rate', '执行率 of the unit: Σ executed / Σ annual_budget in percent, rounded half-up to 2 places, exactly (pjeval.try_execution_rate); NULL when Σ annual_budget is 0 or the sums are beyond exact scoring'),
            ('total_score_sum', 'Σ computed totals of the scored forms (avg_total_score = total_score_sum / scored_forms)'),
            ('avg_total_score', 'Average computed total of the scored forms, rounded half-up to 2 places, exactly'),
            ('min_total_score', 'Lowest computed total'),
            ('max_total_score', 'Highest computed total'),
            ('grade_excellent', 'Forms graded 优'),
            ('grade_good', 'Forms graded 良'),
            ('grade_pass', 'Forms graded 中'),
            ('grade_poor', 'Forms graded 差'),
            ('ungraded', 'Forms without a grade (no computed total)'),
            ('finding_count', 'Σ rows of pjeval.audit_finding for these forms (form-level and indicator-level)'),
            ('forms_with_findings', 'Forms with at least one finding'),
            ('compared_forms', 'Forms with both a reported (总分) and a computed total: the forms the inflation figures are about'),
            ('inflated_forms', 'Forms whose reported total is above the computed total'),
            ('inflation_sum', 'Σ (reported_total - total_score) over the compared forms: how far the self-evaluations exceed the computed totals (negative: below them)'),
            ('inflation_avg', 'Average of reported_total - total_score over the compared forms, rounded half-up to 2 places, exactly'),
            ('inflation_max', 'Largest reported_total - total_score of a form'),
            ('refreshed_at', 'When the refresh that built these rows started (pjeval.report_refresh.taken_at)'),
            ('taken_at', 'The refresh that recorded this row (pjeval.report_refresh)')
        ) AS v (name, comment)
    LOOP
        FOREACH rel IN ARRAY ARRAY['unit_year_summary', 'unit_year_report', 'report_snapshot'] LOOP
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = pg_catalog.format('@extschema@.%I', rel)::pg_catalog.regclass
                         AND a.attname = col.name AND a.attnum > 0 AND NOT a.attisdropped) THEN
                EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L', rel, col.name, col.comment);
            END IF;
        END LOOP;
    END LOOP;

    FOR col IN
        SELECT * FROM (VALUES
            ('project_id', 'The project (pjeval.project)'),
            ('project_code', '项目编号 (NULL where the form has none)'),
            ('project_name', '项目名称'),
            ('unit_id', 'The implementing unit (实施单位) of the project'),
            ('unit_name', 'Name of the implementing unit'),
            ('budget_unit_id', '一级预算单位 as written on this year''s form (NULL where the form names none)'),
            ('budget_unit_name', 'Name of the level-1 budget unit'),
            ('year', '绩效自评年度'),
            ('evaluation_id', 'The form (pjeval.evaluation) of this project and year'),
            ('status', 'draft, submitted or approved'),
            ('amount_unit', 'The amount unit written on the form (元 or 万元); the amounts here are in 元 whatever it is'),
            ('initial_budget', '年初预算数 of the 年度资金总额 row, in 元 (万元 × 10000), 2 places'),
            ('annual_budget', '全年预算数 of the 年度资金总额 row, in 元, 2 places'),
            ('executed', '全年执行数 of the 年度资金总额 row, in 元, 2 places'),
            ('execution_rate', '执行率 in percent, 2 places (NULL for a zero budget), as evaluation_result'),
            ('total_score', 'The computed total (evaluation_result.total_score); NULL when a part can neither be computed nor was reported'),
            ('grade', '优, 良, 中 or 差 by the form''s profile (NULL without a total)'),
            ('reported_total', '总分 as written on the form'),
            ('inflation', 'reported_total - total_score: how far the self-evaluation exceeds the computed total (negative: below it)'),
            ('finding_count', 'Rows of pjeval.audit_finding for this form'),
            ('previous_year', 'Year of the project''s previous form (normally year - 1; the last earlier year when one is missing; NULL for the first)'),
            ('previous_total_score', 'total_score of the previous form'),
            ('total_score_change', 'total_score - previous_total_score'),
            ('previous_grade', 'grade of the previous form'),
            ('grade_change', 'How far the grade moved, counting 差 1, 中 2, 良 3, 优 4: 良 → 优 is +1, 优 → 中 is -2'),
            ('previous_execution_rate', 'execution_rate of the previous form'),
            ('execution_rate_change', 'execution_rate - previous_execution_rate, in percentage points'),
            ('annual_budget_change', 'annual_budget - the previous form''s annual_budget, in 元'),
            ('form_number', '1 for the project''s first form, 2 for the next, ... in year order'),
            ('refreshed_at', 'When the refresh that built these rows started (pjeval.report_refresh.taken_at)')
        ) AS v (name, comment)
    LOOP
        FOREACH rel IN ARRAY ARRAY['project_trend', 'project_trend_report'] LOOP
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = pg_catalog.format('@extschema@.%I', rel)::pg_catalog.regclass
                         AND a.attname = col.name AND a.attnum > 0 AND NOT a.attisdropped) THEN
                EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L', rel, col.name, col.comment);
            END IF;
        END LOOP;
    END LOOP;

    FOR col IN
        SELECT * FROM (VALUES
            ('year', '绩效自评年度'),
            ('unit_id', 'The implementing unit (实施单位) of the forms'),
            ('unit_name', 'Name of the implementing unit'),
            ('level1', '一级指标 as the reports name it: without spaces or a bracketed weight, ending in 指标 (产出指标 (50分) → 产出指标; pjeval.indicator_level_name)'),
            ('level2', '二级指标, named the same way'),
            ('level1_kind', 'output (产出), benefit (效益), satisfaction (满意度), cost (成本), or NULL for a non-standard level 1 (as indicator_result)'),
            ('level2_home', 'The level 1 this level 2 belongs under by the standard (NULL: not a standard level 2); it differs from level1_kind where the form places it elsewhere'),
            ('units', 'Number of implementing units with such indicators'),
            ('indicators', 'Indicator rows'),
            ('not_applicable', 'Rows marked 不适用 (no part in scoring)'),
            ('assessed', 'Rows with a completion ratio: the base of the shares and averages (不适用 rows and those a person must score are not assessed)'),
            ('met', 'Assessed rows met or exceeded (completion ≥ 1)'),
            ('over_achieved', 'Assessed rows over-achieved by the profile''s ratio (A / T ≥ 1.30 by default)'),
            ('met_share', 'met / assessed in percent, rounded half-up to 2 places'),
            ('over_achieved_share', 'over_achieved / assessed in percent, rounded half-up to 2 places'),
            ('avg_completion', 'Average completion of the assessed rows, each capped at 100 % (as it scores), in percent, 2 places'),
            ('avg_completion_uncapped', 'Average completion of the assessed rows, not capped (over-achievement counts), in percent, 2 places'),
            ('weight_sum', 'Σ 分值 of the rows'),
            ('score_sum', 'Σ counted score of the rows (the computed score, else the reported one)'),
            ('score_rate', 'score_sum / weight_sum in percent, rounded half-up to 2 places'),
            ('completion_sum', 'Σ completion capped at 1 over the assessed rows (avg_completion = 100 × completion_sum / assessed), for adding units up'),
            ('completion_sum_uncapped', 'Σ completion, not capped, over the assessed rows, for adding units up'),
            ('refreshed_at', 'When the refresh that built these rows started (pjeval.report_refresh.taken_at)')
        ) AS v (name, comment)
    LOOP
        FOREACH rel IN ARRAY ARRAY['indicator_category_by_unit', 'indicator_category_summary',
                                   'indicator_category_by_unit_report', 'indicator_category_report'] LOOP
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = pg_catalog.format('@extschema@.%I', rel)::pg_catalog.regclass
                         AND a.attname = col.name AND a.attnum > 0 AND NOT a.attisdropped) THEN
                EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L', rel, col.name, col.comment);
            END IF;
        END LOOP;
    END LOOP;
END
$do$;

-- Members read their units' history, reviewers all, through row-level
-- security; only the refresh (as the owner) writes.
ALTER TABLE @extschema@.report_refresh ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.report_snapshot ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_refresh_read ON @extschema@.report_refresh FOR SELECT USING (true);
CREATE POLICY report_snapshot_unit ON @extschema@.report_snapshot FOR SELECT
    USING (@extschema@.visible('unit', unit_id));

-- pg_dump keeps the history; the materialized views are rebuilt by the next
-- refresh after a restore.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.report_refresh', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.report_snapshot', '');

-- The refresh -----------------------------------------------------------------

-- REFRESH MATERIALIZED VIEW needs the views' owner, so the procedure runs as
-- its owner (SECURITY DEFINER) and EXECUTE is granted to no one: the owner
-- grants it to the roles that may refresh (a pg_cron job of the owner needs
-- nothing).  Two refreshes at once: the second waits for the first (an
-- advisory lock, seen in pg_locks as classid 1886020982 = 'pjev', objid 1)
-- and then rebuilds from what is committed by then; with wait => false it
-- returns at once with a notice instead.  CONCURRENTLY: readers never wait,
-- and since the three views, the refresh row and the snapshot are written in
-- one transaction, readers see the old reports until it commits, then the
-- new ones, never a mix.  On a Citus cluster (docs/scaling.md) the refresh
-- reads the distributed form tables and then writes report_refresh, a
-- reference table that report_snapshot references: Citus allows that write
-- only when the transaction's distributed queries ran over one connection
-- per node (citus.multi_shard_modify_mode = sequential), so the procedure
-- sets it; without Citus the setting is an unused placeholder.
CREATE PROCEDURE @extschema@.refresh_reports(wait boolean DEFAULT true)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET citus.multi_shard_modify_mode = 'sequential'
AS $$
DECLARE
    taken timestamptz;
    mv text;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        -- a refresh that waited must see what the other one committed
        RAISE EXCEPTION 'pjeval.refresh_reports() must run in a READ COMMITTED transaction, not %',
                        upper(current_setting('transaction_isolation'))
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'CALL it on its own (autocommit) or in a READ COMMITTED transaction.';
    END IF;
    IF NOT @extschema@.is_reviewer(current_user) THEN
        -- the reports hold every unit: their owner must see every form
        RAISE EXCEPTION 'the owner of the pjeval reports, role %, does not see every form', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The extension''s owner must be a superuser, bypass row-level security or be a reviewer (pjeval.reviewer).';
    END IF;

    IF wait THEN
        PERFORM pg_advisory_xact_lock(1886020982, 1);
    ELSIF NOT pg_try_advisory_xact_lock(1886020982, 1) THEN
        RAISE NOTICE 'pjeval.refresh_reports: another refresh is running; this call did nothing';
        RETURN;
    END IF;

    taken := clock_timestamp();
    -- project_trend_mv first: unit_year_summary_mv is built from it.
    FOREACH mv IN ARRAY ARRAY['project_trend_mv', 'unit_year_summary_mv', 'indicator_category_mv'] LOOP
        IF (SELECT c.relispopulated FROM pg_class c
            WHERE c.oid = format('@extschema@.%I', mv)::regclass) THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY @extschema@.%I', mv);
        ELSE
            -- CONCURRENTLY needs a populated view (after WITH NO DATA)
            EXECUTE format('REFRESH MATERIALIZED VIEW @extschema@.%I', mv);
        END IF;
    END LOOP;

    INSERT INTO @extschema@.report_refresh (taken_at, finished_at, refreshed_by)
    VALUES (taken, clock_timestamp(),
            CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END);
    INSERT INTO @extschema@.report_snapshot (
        taken_at, year, unit_id, unit_name, budget_unit_id, budget_unit_name,
        forms, approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate,
        total_score_sum, avg_total_score, min_total_score, max_total_score,
        grade_excellent, grade_good, grade_pass, grade_poor, ungraded,
        finding_count, forms_with_findings, compared_forms, inflated_forms,
        inflation_sum, inflation_avg, inflation_max)
    SELECT taken, m.year, m.unit_id, m.unit_name, m.budget_unit_id, m.budget_unit_name,
           m.forms, m.approved_forms, m.scored_forms, m.initial_budget, m.annual_budget, m.executed, m.execution_rate,
           m.total_score_sum, m.avg_total_score, m.min_total_score, m.max_total_score,
           m.grade_excellent, m.grade_good, m.grade_pass, m.grade_poor, m.ungraded,
           m.finding_count, m.forms_with_findings, m.compared_forms, m.inflated_forms,
           m.inflation_sum, m.inflation_avg, m.inflation_max
    FROM @extschema@.unit_year_summary_mv m;
END
$$;

REVOKE EXECUTE ON PROCEDURE @extschema@.refresh_reports(boolean) FROM PUBLIC;

COMMENT ON PROCEDURE @extschema@.refresh_reports(boolean) IS
'Rebuilds the refreshed reports (project_trend_report, unit_year_report, indicator_category_report) with REFRESH MATERIALIZED VIEW CONCURRENTLY and appends the unit/year figures to pjeval.report_snapshot, in one transaction. A second call while one runs waits for it; with wait => false it returns at once with a notice. For pg_cron: SELECT cron.schedule(''pjeval-refresh'', ''*/10 * * * *'', ''CALL pjeval.refresh_reports()'')';

-- The printable report --------------------------------------------------------

-- A standalone page: inline CSS and SVG, no script, no external file.  It is
-- XHTML-compatible HTML (every element closed, no named entities but XML's),
-- so xmlparse() and xpath() can check it.  Computed from the live views as
-- the caller (SECURITY INVOKER), so it shows what the caller may see, as of
-- now; for one unit only those forms are scored.  unit: the name or code of
-- a unit; the report keeps the forms whose implementing unit or level-1
-- budget unit it is.  At most max_findings findings are listed (NULL: all);
-- the count per code covers them all.
CREATE FUNCTION @extschema@.report_html(year integer, unit text DEFAULT NULL, max_findings integer DEFAULT 1000)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    units bigint[];
    unit_rows @extschema@.unit_year_summary[];
    tot record;
    n integer;
    scale numeric;
    chart_height integer;
    bar_left constant numeric := 200;
    bar_span constant numeric := 430;
    html text;
    part text;
    finding_total bigint;
    finding_codes text;
    finding_list text;
    title text;
BEGIN
    IF report_html.year IS NULL THEN
        RAISE EXCEPTION 'pjeval.report_html: year must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF report_html.unit IS NOT NULL THEN
        SELECT array_agg(u.unit_id ORDER BY u.unit_id) INTO units
        FROM @extschema@.unit u
        WHERE u.name = report_html.unit OR u.code = report_html.unit;
        IF units IS NULL THEN
            RAISE EXCEPTION 'unit "%" does not exist', report_html.unit
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Give the name or the code of a unit of pjeval.unit.';
        END IF;
    END IF;

    -- The year's rows, once (the live view scores only these forms).
    unit_rows := ARRAY(
        SELECT s FROM @extschema@.unit_year_summary s
        WHERE s.year = report_html.year
          AND (units IS NULL OR s.unit_id = ANY (units) OR s.budget_unit_id = ANY (units))
        ORDER BY s.budget_unit_name NULLS LAST, s.unit_name, s.unit_id, s.budget_unit_id NULLS LAST);
    n := coalesce(array_length(unit_rows, 1), 0);

    SELECT sum(s.forms) AS forms, sum(s.scored_forms) AS scored_forms,
           sum(s.annual_budget) AS annual_budget, sum(s.executed) AS executed,
           @extschema@.try_execution_rate(sum(s.annual_budget), sum(s.executed)) AS execution_rate,
           @extschema@.quotient_half_up(sum(s.total_score_sum), sum(s.scored_forms)) AS avg_total_score,
           min(s.min_total_score) AS min_total_score, max(s.max_total_score) AS max_total_score,
           sum(s.grade_excellent) AS grade_excellent, sum(s.grade_good) AS grade_good,
           sum(s.grade_pass) AS grade_pass, sum(s.grade_poor) AS grade_poor, sum(s.ungraded) AS ungraded,
           sum(s.finding_count) AS finding_count, sum(s.inflated_forms) AS inflated_forms,
           sum(s.compared_forms) AS compared_forms,
           @extschema@.quotient_half_up(sum(s.inflation_sum), sum(s.compared_forms)) AS inflation_avg,
           -- the chart's axis: to the largest rate, at least 100 and at most
           -- 200 (a longer bar is cut there and marked), so that its size
           -- never follows a value
           least(200, greatest(100, ceil(max(s.execution_rate) / 20) * 20)) AS rate_scale
    INTO tot
    FROM unnest(unit_rows) s;

    title := format('%s年度项目支出绩效自评汇总报告', report_html.year);
    html := '<!DOCTYPE html>' || E'\n'
        || '<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">' || E'\n'
        || '<head>' || E'\n' || '<meta charset="utf-8"/>' || E'\n'
        || '<meta name="generator" content="pjeval report_html"/>' || E'\n'
        || '<title>' || @extschema@.html_escape(title) || '</title>' || E'\n'
        || $css$<style>
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif;
       font-size: 10pt; color: #222; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 186mm; line-height: 1.45; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 3pt 0; letter-spacing: 1pt; }
p.meta { text-align: center; color: #555; font-size: 9pt; margin: 0 0 10pt 0; }
h2 { font-size: 12.5pt; color: #1f3b6e; border-bottom: 1.2pt solid #2f5597; padding-bottom: 2pt; margin: 14pt 0 6pt 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 0.6pt solid #9aa5b5; padding: 2pt 4pt; vertical-align: top; }
th { background: #e8eef7; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.name { min-width: 7.5em; }
td.project { min-width: 8em; }
td.code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 7.5pt; }
tr.total td { font-weight: bold; background: #f2f4f7; }
td.sev-error, td.sev-warning, td.sev-info { white-space: nowrap; }
td.sev-error { color: #b00020; font-weight: bold; }
td.sev-warning { color: #a05a00; }
td.sev-info { color: #555; }
p.note { color: #555; font-size: 8.5pt; margin: 3pt 0; }
p.empty { color: #555; font-style: italic; }
svg { display: block; margin: 4pt auto; }
svg text { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; }
footer { margin-top: 12pt; color: #777; font-size: 8pt; border-top: 0.5pt solid #ccc; padding-top: 3pt; }
@media print {
  h2 { break-after: avoid; }
  tr, svg { break-inside: avoid; }
  thead { display: table-header-group; }
}
@media screen { body { padding: 10mm; } }
</style>$css$ || E'\n' || '</head>' || E'\n' || '<body>' || E'\n'
        || '<header>' || E'\n'
        || '<h1>' || @extschema@.html_escape(title) || '</h1>' || E'\n'
        || '<p class="meta">' || @extschema@.html_escape(format('范围：%s　|　自评表 %s 份　|　金额单位：万元　|　生成时间：%s',
               CASE WHEN report_html.unit IS NULL THEN '可见的全部单位' ELSE report_html.unit END,
               coalesce(tot.forms, 0), to_char(now(), 'YYYY-MM-DD HH24:MI'))) || '</p>' || E'\n'
        || '</header>' || E'\n';

    -- 一、各单位汇总
    html := html || '<section id="summary">' || E'\n' || '<h2>一、各单位汇总</h2>' || E'\n';
    IF n = 0 THEN
        html := html || '<p class="empty">本年度没有可见的自评表。</p>' || E'\n';
    ELSE
        SELECT string_agg(format('<tr><td class="name">%s</td><td class="name">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                                 '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                                 '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                 @extschema@.html_escape(s.unit_name),
                                 @extschema@.html_escape(coalesce(s.budget_unit_name, '—')),
                                 @extschema@.html_escape(s.forms::text),
                                 @extschema@.html_escape(coalesce(to_char(round(s.annual_budget / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(round(s.executed / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.execution_rate, 'FM99,999,999,999,999,990.00') || '%', '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.avg_total_score, 'FM999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.min_total_score, 'FM999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.max_total_score, 'FM999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(s.finding_count, 0)::text),
                                 @extschema@.html_escape(format('%s / %s', s.inflated_forms, s.compared_forms)),
                                 @extschema@.html_escape(coalesce(to_char(s.inflation_avg, 'FM999,999,990.00'), '—'))),
                          E'\n' ORDER BY o)
        INTO part
        FROM unnest(unit_rows) WITH ORDINALITY AS s (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
             approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
             avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
             ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
             inflation_max, o);
        html := html || '<table class="summary">' || E'\n'
            || '<thead><tr><th>实施单位</th><th>一级预算单位</th><th>表数</th><th>全年预算数</th><th>全年执行数</th>'
            || '<th>执行率</th><th>平均分</th><th>最低分</th><th>最高分</th><th>审核发现</th>'
            || '<th>高报表数</th><th>平均差值</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || part || E'\n'
            || format('<tr class="total"><td>合计</td><td>—</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                      '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                      '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                      @extschema@.html_escape(tot.forms::text),
                      @extschema@.html_escape(coalesce(to_char(round(tot.annual_budget / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(round(tot.executed / 10000, 2), 'FM999,999,999,999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.execution_rate, 'FM99,999,999,999,999,990.00') || '%', '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.avg_total_score, 'FM999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.min_total_score, 'FM999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.max_total_score, 'FM999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(tot.finding_count, 0)::text),
                      @extschema@.html_escape(format('%s / %s', tot.inflated_forms, tot.compared_forms)),
                      @extschema@.html_escape(coalesce(to_char(tot.inflation_avg, 'FM999,999,990.00'), '—')))
            || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n'
            || '<p class="note">执行率 = Σ全年执行数 / Σ全年预算数；平均分、最低分、最高分为按评分规则计算的总分；'
            || '“高报表数”为填报总分高于计算总分的自评表数 / 两者俱全的自评表数，平均差值 = 填报总分 − 计算总分的平均。</p>' || E'\n';
    END IF;
    html := html || '</section>' || E'\n';

    -- 二、总分与预算执行率 (a bar chart)
    IF n > 0 THEN
        scale := tot.rate_scale;
        chart_height := 34 + n * 34 + 26;
        SELECT string_agg(x, E'\n' ORDER BY k) INTO part FROM (
            -- the scale: a line and a label every 20
            SELECT 1 AS k, format('<line x1="%s" y1="30" x2="%s" y2="%s" stroke="#d5dae2" stroke-width="1"/>'
                                  '<text x="%s" y="%s" font-size="10" fill="#555" text-anchor="middle">%s</text>',
                                  round(bar_left + v / scale * bar_span, 1), round(bar_left + v / scale * bar_span, 1),
                                  34 + n * 34, round(bar_left + v / scale * bar_span, 1), 34 + n * 34 + 14, v) AS x
            FROM generate_series(0, scale::integer, 20) v
            UNION ALL
            -- the grade bounds, for the totals
            SELECT 2, format('<line x1="%s" y1="30" x2="%s" y2="%s" stroke="%s" stroke-width="1" stroke-dasharray="3,3"/>'
                             '<text x="%s" y="27" font-size="9" fill="%s" text-anchor="middle">%s</text>',
                             round(bar_left + g.v / scale * bar_span, 1), round(bar_left + g.v / scale * bar_span, 1),
                             34 + n * 34, g.c, round(bar_left + g.v / scale * bar_span, 1), g.c,
                             @extschema@.html_escape(g.label))
            FROM (VALUES (60, '中 60', '#b07d00'), (80, '良 80', '#5b8c1a'), (90, '优 90', '#2e7d32')) AS g (v, label, c)
            UNION ALL
            SELECT 3 + o::integer,
                   format('<g><title>%s</title>'
                          '<text x="%s" y="%s" font-size="11" fill="#222" text-anchor="end">%s</text>',
                          @extschema@.html_escape(s.unit_name || coalesce('（' || s.budget_unit_name || '）', '')),
                          bar_left - 8, 34 + (o - 1) * 34 + 19,
                          @extschema@.html_escape(CASE WHEN char_length(s.label) > 14
                                                       THEN left(s.label, 13) || '…' ELSE s.label END))
                   || bars.svg || '</g>'
            FROM (SELECT u.*,
                         -- a unit with forms under two budget units has a bar for each: say which
                         u.unit_name || CASE WHEN count(*) OVER (PARTITION BY u.unit_id) > 1
                                             THEN '（' || coalesce(u.budget_unit_name, '未填预算单位') || '）' ELSE '' END AS label
                  FROM unnest(unit_rows) WITH ORDINALITY AS u (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
                       approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
                       avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
                       ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
                       inflation_max, o)) s
            -- two bars, the average total and the execution rate, with the
            -- figure after the bar; a bar longer than the axis ends at it
            -- with an arrowhead (class overflow) and its figure inside it
            CROSS JOIN LATERAL (
                SELECT string_agg(
                           format('<rect x="%s" y="%s" width="%s" height="12" fill="%s"/>',
                                  bar_left, b.y, round(least(b.v, scale) / scale * bar_span, 1), b.fill)
                           || CASE WHEN b.v > scale
                                   THEN format('<polygon class="overflow" points="%s,%s %s,%s %s,%s" fill="%s"/>'
                                               '<text x="%s" y="%s" font-size="10" fill="#fff" text-anchor="end">%s</text>',
                                               bar_left + bar_span, b.y, bar_left + bar_span + 8, b.y + 6,
                                               bar_left + bar_span, b.y + 12, b.fill,
                                               bar_left + bar_span - 4, b.y + 10, @extschema@.html_escape(b.label))
                                   ELSE format('<text x="%s" y="%s" font-size="10" fill="%s">%s</text>',
                                               round(bar_left + b.v / scale * bar_span + 4, 1), b.y + 10, b.ink,
                                               @extschema@.html_escape(b.label))
                              END,
                           '' ORDER BY b.k) AS svg
                FROM (VALUES (1, coalesce(s.avg_total_score, 0), 34 + (o - 1) * 34 + 3, '#2f5597', '#2f5597',
                              coalesce(to_char(s.avg_total_score, 'FM999,999,990.00'), '—')),
                             (2, coalesce(s.execution_rate, 0), 34 + (o - 1) * 34 + 17, '#e0892a', '#b3641b',
                              coalesce(to_char(s.execution_rate, 'FM99,999,999,999,999,990.00') || '%', '—')))
                     AS b (k, v, y, fill, ink, label)
            ) bars
        ) chart;
        html := html || '<section id="chart">' || E'\n' || '<h2>二、平均总分与预算执行率</h2>' || E'\n'
            || format('<svg xmlns="http://www.w3.org/2000/svg" width="680" height="%s" viewBox="0 0 680 %s" role="img" aria-label="%s">',
                      chart_height, chart_height, @extschema@.html_escape('各单位平均总分与预算执行率条形图')) || E'\n'
            || '<rect x="200" y="4" width="12" height="10" fill="#2f5597"/><text x="216" y="13" font-size="10" fill="#222">平均总分（分）</text>'
            || '<rect x="330" y="4" width="12" height="10" fill="#e0892a"/><text x="346" y="13" font-size="10" fill="#222">预算执行率（%）</text>'
            || E'\n' || part || E'\n' || '</svg>' || E'\n'
            || '<p class="note">虚线为评价等级的分数线（优 ≥ 90，良 ≥ 80，中 ≥ 60）；坐标最长到 200，更长的条形截断于此，末端以箭头标出，数值写在条形内。</p>' || E'\n'
            || '</section>' || E'\n';
    END IF;

    -- 三、评价等级分布
    html := html || '<section id="grades">' || E'\n' || '<h2>三、评价等级分布</h2>' || E'\n';
    IF n = 0 THEN
        html := html || '<p class="empty">本年度没有可见的自评表。</p>' || E'\n';
    ELSE
        SELECT string_agg(format('<tr><td class="name">%s</td><td class="name">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                                 '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                 @extschema@.html_escape(s.unit_name),
                                 @extschema@.html_escape(coalesce(s.budget_unit_name, '—')),
                                 s.grade_excellent, s.grade_good, s.grade_pass, s.grade_poor, s.ungraded, s.forms),
                          E'\n' ORDER BY o)
        INTO part
        FROM unnest(unit_rows) WITH ORDINALITY AS s (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
             approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
             avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
             ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
             inflation_max, o);
        html := html || '<table class="grades">' || E'\n'
            || '<thead><tr><th>实施单位</th><th>一级预算单位</th><th>优（≥90）</th><th>良（80–90）</th><th>中（60–80）</th><th>差（&lt;60）</th><th>未评级</th><th>合计</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || part || E'\n'
            || format('<tr class="total"><td>合计</td><td>—</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                      '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                      tot.grade_excellent, tot.grade_good, tot.grade_pass, tot.grade_poor, tot.ungraded, tot.forms)
            || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n';
        -- the whole distribution as one stacked bar
        SELECT string_agg(format('<rect x="%s" y="8" width="%s" height="22" fill="%s"><title>%s</title></rect>%s',
                                 round(10 + 660 * (c.before::numeric / tot.forms), 1),
                                 round(660 * (c.cnt::numeric / tot.forms), 1), c.colour,
                                 @extschema@.html_escape(format('%s：%s 份', c.label, c.cnt)),
                                 CASE WHEN 660 * c.cnt / tot.forms >= 40 THEN
                                     format('<text x="%s" y="24" font-size="11" fill="#fff" text-anchor="middle">%s</text>',
                                            round(10 + 660 * ((c.before + c.cnt / 2.0) / tot.forms), 1),
                                            @extschema@.html_escape(format('%s %s', c.label, c.cnt)))
                                 ELSE '' END),
                          '' ORDER BY c.k)
        INTO part
        FROM (SELECT v.k, v.label, v.cnt, v.colour,
                     coalesce(sum(v.cnt) OVER (ORDER BY v.k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
              FROM (VALUES (1, '优', tot.grade_excellent, '#2e7d32'), (2, '良', tot.grade_good, '#7cb342'),
                           (3, '中', tot.grade_pass, '#f2a900'), (4, '差', tot.grade_poor, '#c62828'),
                           (5, '未评级', tot.ungraded, '#9e9e9e')) AS v (k, label, cnt, colour)) c
        WHERE c.cnt > 0;
        html := html
            || format('<svg xmlns="http://www.w3.org/2000/svg" width="680" height="58" viewBox="0 0 680 58" role="img" aria-label="%s">',
                      @extschema@.html_escape('评价等级分布'))
            || part
            || '<rect x="10" y="40" width="10" height="10" fill="#2e7d32"/><text x="24" y="49" font-size="10">优</text>'
            || '<rect x="54" y="40" width="10" height="10" fill="#7cb342"/><text x="68" y="49" font-size="10">良</text>'
            || '<rect x="98" y="40" width="10" height="10" fill="#f2a900"/><text x="112" y="49" font-size="10">中</text>'
            || '<rect x="142" y="40" width="10" height="10" fill="#c62828"/><text x="156" y="49" font-size="10">差</text>'
            || '<rect x="186" y="40" width="10" height="10" fill="#9e9e9e"/><text x="200" y="49" font-size="10">未评级</text>'
            || '</svg>' || E'\n';
    END IF;
    html := html || '</section>' || E'\n';

    -- 四、审核发现: each form scored once, by its id
    WITH f AS MATERIALIZED (
        SELECT u.name AS unit_name, p.code AS project_code, p.name AS project_name,
               a.position, a.code, a.severity, a.message_zh,
               row_number() OVER (ORDER BY u.name, p.code NULLS LAST, p.name, a.position NULLS FIRST,
                                  array_position(ARRAY['error', 'warning', 'info'], a.severity), a.code) AS rn
        FROM @extschema@.evaluation ev
        JOIN @extschema@.project p ON p.project_id = ev.project_id
        JOIN @extschema@.unit u ON u.unit_id = p.unit_id
        CROSS JOIN LATERAL (SELECT af.* FROM @extschema@.audit_finding af
                            WHERE af.evaluation_id = ev.evaluation_id OFFSET 0) a
        WHERE ev.year = report_html.year
          AND (units IS NULL OR p.unit_id = ANY (units) OR ev.budget_unit_id = ANY (units))
    )
    SELECT (SELECT count(*) FROM f),
           (SELECT string_agg(format('<tr><td class="code">%s</td><td>%s</td><td class="sev-%s">%s</td><td class="num">%s</td></tr>',
                                     @extschema@.html_escape(c.code), @extschema@.html_escape(fc.description_zh),
                                     @extschema@.html_escape(c.severity),
                                     @extschema@.html_escape(CASE c.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END),
                                     c.cnt),
                              E'\n' ORDER BY array_position(ARRAY['error', 'warning', 'info'], c.severity), c.cnt DESC, c.code)
            FROM (SELECT f.code, f.severity, count(*) AS cnt FROM f GROUP BY f.code, f.severity) c
            LEFT JOIN @extschema@.finding_code fc ON fc.code = c.code),
           (SELECT string_agg(format('<tr><td class="name">%s</td><td class="project">%s</td><td class="num">%s</td><td class="sev-%s">%s</td><td>%s</td></tr>',
                                     @extschema@.html_escape(f.unit_name),
                                     @extschema@.html_escape(coalesce(f.project_code || ' ', '') || f.project_name),
                                     @extschema@.html_escape(coalesce(f.position::text, '表')),
                                     @extschema@.html_escape(f.severity),
                                     @extschema@.html_escape(CASE f.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END),
                                     @extschema@.html_escape(f.message_zh)),
                              E'\n' ORDER BY f.rn)
            FROM f WHERE report_html.max_findings IS NULL OR f.rn <= report_html.max_findings)
    INTO finding_total, finding_codes, finding_list;

    html := html || '<section id="findings">' || E'\n' || '<h2>四、审核发现</h2>' || E'\n';
    IF finding_total = 0 THEN
        html := html || '<p class="empty">没有审核发现。</p>' || E'\n';
    ELSE
        html := html || '<table class="finding-codes">' || E'\n'
            || '<thead><tr><th>代码</th><th>说明</th><th>级别</th><th>数量</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || finding_codes || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n'
            || '<p class="note">' || @extschema@.html_escape(format('共 %s 条审核发现%s。指标序号“表”表示整张自评表的问题。', finding_total,
                   CASE WHEN report_html.max_findings IS NOT NULL AND finding_total > report_html.max_findings
                        THEN format('，下表列出前 %s 条', report_html.max_findings) ELSE '' END)) || '</p>' || E'\n'
            || '<table class="findings">' || E'\n'
            || '<thead><tr><th>实施单位</th><th>项目</th><th>指标序号</th><th>级别</th><th>说明</th></tr></thead>' || E'\n'
            || '<tbody>' || E'\n' || coalesce(finding_list, '') || E'\n' || '</tbody>' || E'\n' || '</table>' || E'\n';
    END IF;
    html := html || '</section>' || E'\n'
        || '<footer>' || @extschema@.html_escape(format('由 pjeval 按《项目支出绩效评价管理办法》（财预〔2020〕10号）评分规则实时计算；'
                                                         '%s 年度，%s。', report_html.year,
                                                         CASE WHEN report_html.unit IS NULL THEN '全部可见单位' ELSE '单位：' || report_html.unit END))
        || '</footer>' || E'\n' || '</body>' || E'\n' || '</html>' || E'\n';
    RETURN html;
END
$fn$;

COMMENT ON FUNCTION @extschema@.report_html(integer, text, integer) IS
'A printable, standalone HTML report (lang zh-CN, A4, inline CSS and SVG, no script) of a year, for every unit the caller may see or for one unit (name or code: forms whose implementing or level-1 budget unit it is): a summary table per unit, a bar chart of average totals and execution rates, the grade distribution and the findings (at most max_findings listed). Every value is HTML-escaped; the output is well-formed XML';

-- Grants and rights ---------------------------------------------------------------

-- Daily use needs no superuser: anyone may read the views (they show the
-- caller's units) and the history (row-level security does the same).
GRANT SELECT ON @extschema@.project_trend, @extschema@.unit_year_summary,
                @extschema@.indicator_category_by_unit, @extschema@.indicator_category_summary,
                @extschema@.project_trend_report, @extschema@.unit_year_report,
                @extschema@.indicator_category_by_unit_report, @extschema@.indicator_category_report,
                @extschema@.report_refresh, @extschema@.report_snapshot
    TO PUBLIC;

-- PostgreSQL 15+: the live views run with the caller's rights, like those of
-- 50_views.sql, so the tables' row-level security applies to them directly.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.project_trend SET (security_invoker = true);
        ALTER VIEW @extschema@.unit_year_summary SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_category_by_unit SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_category_summary SET (security_invoker = true);
    END IF;
END
$$;
