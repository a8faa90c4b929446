-- 50_views.sql - what the rules make of the stored forms:
--
--   indicator_result   every indicator: completion, computed and reported
--                      score, their difference, flags, finding codes
--   evaluation_result  every form: execution rate, fund score, subtotals per
--                      level 1, total, grade, weights, finding codes
--   audit_finding      one row per problem, with a stable code, a severity
--                      and a message in Chinese and English
--   finding_code       the list of codes (documentation as data)
--
-- The rules run when a form changes, not when it is read: the live views
-- indicator_result_live and evaluation_result_live compute the results from
-- the form's rows, pjeval.refresh_results() (55_results.sql) stores what they
-- compute for the forms a statement changed in pjeval.indicator_outcome and
-- pjeval.evaluation_score, and indicator_result and evaluation_result read
-- those rows beside the form's own columns.  pjeval.verify_results()
-- compares the stored rows with the live views.  In the live views assess()
-- runs once per indicator row (CROSS JOIN LATERAL); per-form numbers come
-- from LATERAL sub-queries on the form's evaluation_id, which reach its rows
-- by their index, so that recomputing a few forms reads only those.
--
-- No stored value makes a view fail: what they call never raises for one
-- (try_execution_rate, try_fund_score, assess() with a weight beyond exact
-- scoring, grade() only of a total it can compute with), so a number the
-- rules cannot compute with exactly gives NULL and the finding unscorable
-- on its own form, and every other form is scored as usual.
--
-- Who sees what: every view users read keeps only the forms of the caller's
-- units (all of them for a reviewer) by the same test as the row-level
-- security policies (60_security.sql), with CURRENT_USER evaluated at query
-- time; the live views are their owner's alone.  Where the
-- server has security_invoker (PostgreSQL 15+) the views also run with the
-- caller's rights, so the tables' own policies apply as well; before 15 a
-- view reads its tables with its owner's rights, and the owner (who installed
-- the extension) bypasses row-level security, so the views' own test is what
-- keeps units apart there.  security_barrier keeps a caller's functions from
-- seeing rows before that test has run.  On 15+ the barrier comes off again:
-- the tables' policies are security quals of their own, always evaluated
-- before a caller's function, and a barrier view cannot be merged into the
-- query that reads it.

-- Standard placement (scoring-rules §1): 产出 = 数量/质量/时效/成本指标,
-- 效益 = 经济效益/社会效益/生态效益/可持续影响指标, 满意度 = 服务对象满意度/
-- 其他满意度指标, and 成本 as its own level 1 (财预〔2021〕101号) = 经济成本/
-- 社会成本/生态环境成本指标: the list of pjeval.standard_level (the form
-- reader's, with the names real templates use for a standard one, 进度指标 for
-- 时效指标).  Names are compared as indicator_level_name() gives them: no
-- spaces, no weight in brackets (产出指标 (50分)), ending in 指标; each
-- indicator row stores its names so (level1_name, level2_name), computed
-- once when the row is written, not on every read.
CREATE VIEW @extschema@.standard_level AS
SELECT l.name, l.level, l.kind, l.level1, l.standard
FROM @extschema@.standard_level_list() l;

COMMENT ON VIEW @extschema@.standard_level IS
'The standard''s level-1 and level-2 names as indicator_level_name() gives them, the kind of level 1 each is or belongs under (output, benefit, satisfaction, cost) and that level 1''s name; a name real templates use for a standard one (进度指标) names it under standard. The form reader''s own list';

-- The results as stored.  What the live views below compute is written
-- here when an input changes, in the same statement (refresh_results(),
-- 55_results.sql), and the views users read (indicator_result,
-- evaluation_result, audit_finding and the reports) read these rows.  Both
-- tables are keyed by evaluation_id first, like the form tables, so that a
-- form's results live on the shard of its form on a Citus cluster.  Nobody
-- writes them but refresh_results(); they are not dumped (a restore
-- recomputes them as the forms' rows are loaded).
CREATE TABLE @extschema@.indicator_outcome (
    evaluation_id   bigint NOT NULL,
    indicator_id    bigint NOT NULL,
    level1_kind     text,
    level2_home     text,
    rule            text,
    completion      numeric,
    computed_score  numeric,
    flags           text[],
    band_low        numeric,
    band_high       numeric,
    findings        text[],
    PRIMARY KEY (evaluation_id, indicator_id),
    form_project_id bigint NOT NULL   -- the form's project_id, for row-level security
);

COMMENT ON TABLE @extschema@.indicator_outcome IS
'What the rules make of each indicator row (pjeval.indicator_result_live), stored by pjeval.refresh_results() when the form changes; read through pjeval.indicator_result';

CREATE TABLE @extschema@.evaluation_score (
    evaluation_id   bigint PRIMARY KEY REFERENCES @extschema@.evaluation (evaluation_id) ON DELETE CASCADE,
    initial_budget  numeric,
    annual_budget   numeric,
    executed        numeric,
    sources_initial_budget numeric,
    sources_annual_budget numeric,
    sources_executed numeric,
    execution_rate  numeric,
    reported_execution_rate numeric,
    fund_weight     numeric,
    fund_score      numeric,
    reported_fund_score numeric,
    output_score    numeric,
    benefit_score   numeric,
    satisfaction_score numeric,
    cost_score      numeric,
    other_score     numeric,
    indicator_score numeric,
    total_score     numeric,
    grade           text,
    weight_total    numeric,
    output_weight   numeric,
    benefit_weight  numeric,
    satisfaction_weight numeric,
    cost_weight     numeric,
    other_weight    numeric,
    reported_score_sum numeric,
    indicator_count bigint NOT NULL,
    findings        text[] NOT NULL,
    finding_count   bigint NOT NULL,
    form_project_id bigint NOT NULL   -- the form's project_id, for row-level security
);

COMMENT ON COLUMN @extschema@.indicator_outcome.form_project_id IS 'The form''s project (pjeval.evaluation.project_id, stored with the results), which row-level security tests';
COMMENT ON COLUMN @extschema@.evaluation_score.form_project_id IS 'The form''s project (pjeval.evaluation.project_id, stored with the results), which row-level security tests';
COMMENT ON TABLE @extschema@.evaluation_score IS
'What the rules make of each form (pjeval.evaluation_result_live), stored by pjeval.refresh_results() when the form, its fund lines, indicators or reader findings change; read through pjeval.evaluation_result';

-- An explanation (偏差原因, 未完成原因分析) that is empty or a placeholder
-- explains nothing.
CREATE FUNCTION @extschema@.is_explained(reason text)
RETURNS boolean
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pj_is_explained';

COMMENT ON FUNCTION @extschema@.is_explained(text) IS
'False for an explanation that says nothing: NULL, blank, a placeholder (the value reader''s: - — － / 一 …) or 无';

-- (evaluation_id is the form's, e's: a recomputation's filter on it reaches
-- the forms by their key and their indicators by theirs, where one on
-- i.evaluation_id would leave the planner a hash join over every form)
CREATE VIEW @extschema@.indicator_result_live AS
SELECT
    e.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    n.level1_kind,
    h.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    a.rule,
    a.completion,
    sc.score AS computed_score,
    i.reported_score,
    i.reported_score - sc.score AS score_difference,
    coalesce(sc.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - sc.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
        CASE WHEN 'unscorable' = ANY (a.flags) THEN 'unscorable' END,
        CASE WHEN 'actual_is_claim' = ANY (a.flags) THEN 'actual_is_claim' END,
        CASE WHEN 'qualitative_needs_band' = ANY (a.flags) AND i.band IS NULL THEN 'band_missing' END,
        CASE WHEN i.reported_score < b.band_low
               OR i.reported_score > b.band_high
               OR (i.reported_score = b.band_high AND i.band <> 'achieved')
             THEN 'score_outside_band' END,
        CASE WHEN 'date_missed' = ANY (a.flags) THEN 'date_missed' END,
        CASE WHEN 'not_met' = ANY (a.flags) AND NOT x.explained THEN 'not_met_unexplained' END,
        CASE WHEN 'over_achieved' = ANY (a.flags) AND NOT x.explained THEN 'over_achieved_unexplained' END,
        CASE WHEN n.level1_kind <> h.level2_home
              AND NOT (n.level1_kind = 'cost' AND h.level2_standard = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN sc.score IS NULL AND i.reported_score IS NOT NULL
              AND NOT (i.weight IS NULL AND @extschema@.indicator_level_weight(i.level1) IS NOT NULL)
             THEN 'reported_score_used' END,
        CASE WHEN sc.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- the level names as stored with the row (indicator.level1_name, level2_name)
LEFT JOIN (SELECT l.name, l.kind AS level1_kind FROM @extschema@.standard_level l WHERE l.level = 1)
    AS n ON n.name = i.level1_name
LEFT JOIN (SELECT coalesce(l.standard, l.name) AS level2_standard, l.name, l.kind AS level2_home
           FROM @extschema@.standard_level l WHERE l.level = 2)
    AS h ON h.name = i.level2_name
CROSS JOIN LATERAL (
    SELECT @extschema@.is_explained(i.deviation_reason) AS explained
) x
CROSS JOIN LATERAL (
    -- the evaluator's band as a score range (profile band_achieved and
    -- band_partial): 达成 [achieved, 1], 部分达成 [partial, achieved),
    -- 未达成 [0, partial) of the weight
    SELECT pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight * pr.band_achieved
                                WHEN 'partial' THEN i.weight * pr.band_partial
                                WHEN 'not_achieved' THEN 0
                            END, 2) AS band_low,
           pg_catalog.round(CASE i.band
                                WHEN 'achieved' THEN i.weight
                                WHEN 'partial' THEN i.weight * pr.band_achieved
                                WHEN 'not_achieved' THEN i.weight * pr.band_partial
                            END, 2) AS band_high
) b
CROSS JOIN LATERAL @extschema@.assess(i.target, i.actual, i.weight, i.level2,
                                      pr.over_achievement_ratio, pr.negative_formula) a
-- a profile's deduction for over-achievement (capped-2021: 2 points, floor 0)
CROSS JOIN LATERAL (
    SELECT CASE WHEN pr.over_achievement_deduction IS NOT NULL AND 'over_achieved' = ANY (a.flags)
                THEN GREATEST(a.score - pr.over_achievement_deduction, 0)
                ELSE a.score END AS score
) sc;

COMMENT ON VIEW @extschema@.indicator_result_live IS
'Every indicator scored live by the rules (the recomputation pjeval.refresh_results() stores and pjeval.verify_results() checks against): the columns of pjeval.indicator_result; the owner''s, not granted';

-- The fund sources as the template names them (the one list the views and
-- reports take their labels and order from).
CREATE TABLE @extschema@.standard_fund_source (
    source          text PRIMARY KEY,
    label           text NOT NULL UNIQUE,
    position        smallint NOT NULL UNIQUE
);

COMMENT ON TABLE @extschema@.standard_fund_source IS
'The fund sources of 资金使用情况 as the template names them, in its order: total 年度资金总额, appropriation 当年财政拨款, carryover 上年结转资金, other 其他资金';

INSERT INTO @extschema@.standard_fund_source (source, label, position) VALUES
    ('total', '年度资金总额', 1),
    ('appropriation', '当年财政拨款', 2),
    ('carryover', '上年结转资金', 3),
    ('other', '其他资金', 4);

-- A fund line's label as the template writes it (the exports of forms and
-- monitoring reports): the standard one (standard_fund_source.label, which the
-- caller joins: on a Citus cluster this runs on the shards, where a query of
-- its own on a reference table would be a nested distributed query),
-- 其中： before 当年财政拨款, an other source by its own name.
CREATE FUNCTION @extschema@.fund_line_label(source text, label text, standard_label text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE $1 WHEN 'appropriation' THEN '其中：' ELSE '' END
           || coalesce(CASE WHEN $1 OPERATOR(pg_catalog.=) 'other' THEN $2 END, $3)
$$;

COMMENT ON FUNCTION @extschema@.fund_line_label(text, text, text) IS
'The label the template gives a fund line of this source: its standard label (pjeval.standard_fund_source), 其中： before 当年财政拨款, an other source''s own label where it has one';

-- Every fund line, with the execution rate and score its own amounts give.
-- The total row's are the form's (pjeval.evaluation_result); a source row's
-- 执行率 and 得分, where a form prints them, are checked against its own:
-- its 分值, else the total row's, else the profile's.  They never count.
CREATE VIEW @extschema@.fund_line_result WITH (security_barrier = true) AS
SELECT
    fl.evaluation_id,
    fl.source,
    fl.label,
    fl.annual_budget,
    fl.executed,
    fl.reported_weight,
    fl.reported_rate,
    fl.reported_score,
    w.weight,
    c.execution_rate AS computed_rate,
    c.fund_score AS computed_score,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN fl.source <> 'total' THEN
             CASE @extschema@.rate_disagreement(fl.reported_rate, c.execution_rate)
                  WHEN 'mismatch' THEN 'source_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END
        END,
        CASE WHEN fl.source <> 'total' AND pg_catalog.abs(fl.reported_score - c.fund_score) > 0.01
             THEN 'source_score_mismatch' END
    ], NULL) AS findings
FROM @extschema@.fund_line fl
JOIN @extschema@.evaluation e ON e.evaluation_id = fl.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN @extschema@.fund_line t ON t.evaluation_id = fl.evaluation_id AND t.source = 'total'
CROSS JOIN LATERAL (
    SELECT coalesce(fl.reported_weight, t.reported_weight, e.fund_block_weight, pr.execution_weight) AS weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(fl.annual_budget, fl.executed) AS execution_rate,
           @extschema@.try_fund_score(fl.annual_budget, fl.executed, w.weight) AS fund_score
) c
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.fund_line_result IS
'Every fund line the caller may see, with the execution rate and score its own amounts give (the weight: its own 分值, else the total row''s, else the profile''s) and its finding codes: a source row''s printed 执行率 or 得分 that differs (source_rate_mismatch, source_score_mismatch; a 执行率 compared within its printed precision, one unit off in its last place is reported_rate_misprint)';

-- One row per form.  Amounts are in 元 (万元 forms multiplied by 10000).  The
-- total is the fund score plus every indicator's counted score, each rounded
-- first; it is NULL (and a finding says why) when some part has neither a
-- computed nor a reported score, so it is never silently low.
CREATE VIEW @extschema@.evaluation_result_live AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    pg_catalog.round(f.initial_budget * m.factor, 2) AS initial_budget,
    pg_catalog.round(f.annual_budget * m.factor, 2) AS annual_budget,
    pg_catalog.round(f.executed * m.factor, 2) AS executed,
    pg_catalog.round(f.sources_initial_budget * m.factor, 2) AS sources_initial_budget,
    pg_catalog.round(f.sources_annual_budget * m.factor, 2) AS sources_annual_budget,
    pg_catalog.round(f.sources_executed * m.factor, 2) AS sources_executed,
    c.execution_rate,
    f.reported_rate AS reported_execution_rate,
    c.fund_weight,
    c.fund_score,
    f.reported_score AS reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    t.total_score,
    e.reported_total,
    e.reported_total - t.total_score AS total_difference,
    g.grade,
    c.fund_weight + w.weight_total AS weight_total,
    w.output_weight,
    w.benefit_weight,
    w.satisfaction_weight,
    w.cost_weight,
    w.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) + coalesce(rf.finding_count, 0)
        + coalesce(sf.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN LATERAL (
    SELECT fl.evaluation_id,
           pg_catalog.bool_or(fl.source = 'total') AS has_total,
           pg_catalog.max(fl.initial_budget) FILTER (WHERE fl.source = 'total') AS initial_budget,
           pg_catalog.max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
           pg_catalog.max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
           pg_catalog.max(fl.reported_weight) FILTER (WHERE fl.source = 'total') AS reported_weight,
           pg_catalog.max(fl.reported_rate) FILTER (WHERE fl.source = 'total') AS reported_rate,
           pg_catalog.max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
           pg_catalog.sum(fl.initial_budget) FILTER (WHERE fl.source <> 'total') AS sources_initial_budget,
           pg_catalog.sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget,
           pg_catalog.sum(fl.executed) FILTER (WHERE fl.source <> 'total') AS sources_executed
    FROM @extschema@.fund_line fl
    WHERE fl.evaluation_id = e.evaluation_id
    GROUP BY fl.evaluation_id
) f ON true
LEFT JOIN LATERAL (
    SELECT r.evaluation_id,
           pg_catalog.count(*) AS indicator_count,
           pg_catalog.count(*) FILTER (WHERE r.counted_score IS NULL) AS unscored,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'output' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'output'), 0) END AS output_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'benefit' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'benefit'), 0) END AS benefit_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'satisfaction' AND r.counted_score IS NULL) = 0
                THEN coalesce(pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) END AS satisfaction_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind = 'cost' AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind = 'cost') END AS cost_score,
           CASE WHEN pg_catalog.count(*) FILTER (WHERE r.level1_kind IS NULL AND r.counted_score IS NULL) = 0
                THEN pg_catalog.sum(r.counted_score) FILTER (WHERE r.level1_kind IS NULL) END AS other_score,
           pg_catalog.sum(r.counted_score) AS indicator_score,
           pg_catalog.sum(r.weight) AS weight_total,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind = 'cost') AS cost_weight,
           pg_catalog.sum(r.weight) FILTER (WHERE r.level1_kind IS NULL) AS other_weight,
           pg_catalog.sum(r.reported_score) AS reported_score_total,
           pg_catalog.sum(pg_catalog.cardinality(r.findings)) AS finding_count
    -- the indicators as stored (indicator_outcome, which refresh_results()
    -- fills first and verify_results() checks against indicator_result_live)
    FROM (SELECT i.evaluation_id, o.level1_kind, i.weight, i.reported_score, o.findings,
                 coalesce(o.computed_score, i.reported_score) AS counted_score
          FROM @extschema@.indicator i
          JOIN @extschema@.indicator_outcome o
            ON o.evaluation_id = i.evaluation_id AND o.indicator_id = i.indicator_id
          WHERE i.evaluation_id = e.evaluation_id) r
    GROUP BY r.evaluation_id
) s ON true
-- Level-1 blocks weighted as a whole (产出指标（40分）) whose indicators
-- carry no weight of their own: the block's weight counts for them.
LEFT JOIN LATERAL (
    SELECT x.evaluation_id,
           pg_catalog.sum(x.weight) AS weight_total,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'output'), 0) AS output_weight,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'benefit'), 0) AS benefit_weight,
           coalesce(pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'satisfaction'), 0) AS satisfaction_weight,
           pg_catalog.sum(x.weight) FILTER (WHERE l.kind = 'cost') AS cost_weight,
           pg_catalog.sum(x.weight) FILTER (WHERE l.kind IS NULL) AS other_weight
    FROM (SELECT i.evaluation_id, i.level1, @extschema@.indicator_level_weight(i.level1) AS weight
          FROM @extschema@.indicator i
          WHERE i.weight IS NULL AND i.evaluation_id = e.evaluation_id
          GROUP BY i.evaluation_id, i.level1) x
    LEFT JOIN @extschema@.standard_level l ON l.level = 1 AND l.name = @extschema@.indicator_level_name(x.level1)
    WHERE x.weight IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.indicator w
                      WHERE w.evaluation_id = x.evaluation_id AND w.level1 = x.level1 AND w.weight IS NOT NULL)
    GROUP BY x.evaluation_id
) b ON true
LEFT JOIN LATERAL (
    SELECT x.evaluation_id, pg_catalog.count(*) AS finding_count
    FROM @extschema@.read_finding x
    WHERE x.evaluation_id = e.evaluation_id
    GROUP BY x.evaluation_id
) rf ON true
LEFT JOIN LATERAL (
    SELECT x.evaluation_id, pg_catalog.sum(pg_catalog.cardinality(x.findings)) AS finding_count
    FROM @extschema@.fund_line_result x
    WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
      AND x.evaluation_id = e.evaluation_id
    GROUP BY x.evaluation_id
) sf ON true
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
-- the weights: the indicators' own, and a block's for the indicators of a
-- block weighted as a whole
CROSS JOIN LATERAL (
    SELECT coalesce(s.weight_total, 0) + coalesce(b.weight_total, 0) AS weight_total,
           s.output_weight + coalesce(b.output_weight, 0) AS output_weight,
           s.benefit_weight + coalesce(b.benefit_weight, 0) AS benefit_weight,
           s.satisfaction_weight + coalesce(b.satisfaction_weight, 0) AS satisfaction_weight,
           CASE WHEN s.cost_weight IS NOT NULL OR b.cost_weight IS NOT NULL
                THEN coalesce(s.cost_weight, 0) + coalesce(b.cost_weight, 0) END AS cost_weight,
           CASE WHEN s.other_weight IS NOT NULL OR b.other_weight IS NOT NULL
                THEN coalesce(s.other_weight, 0) + coalesce(b.other_weight, 0) END AS other_weight
) w
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, e.fund_block_weight, pr.execution_weight) AS fund_weight,
           @extschema@.try_fund_score(f.annual_budget, f.executed,
                                      coalesce(f.reported_weight, e.fund_block_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS sum_score
) su
CROSS JOIN LATERAL (
    -- the profile's cap by the execution rate (capped-2021), after the sum
    SELECT @extschema@.capped_total(su.sum_score, c.execution_rate, pr.total_cap_below, pr.total_cap) AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
CROSS JOIN LATERAL (
    SELECT CASE WHEN @extschema@.is_scorable_number(t.total_score)
                THEN @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) END AS grade
) g
CROSS JOIN LATERAL (
    SELECT pg_catalog.array_remove(ARRAY[
        CASE WHEN f.has_total IS NOT TRUE THEN 'fund_total_missing' END,
        CASE WHEN f.annual_budget = 0 THEN 'budget_zero' END,
        CASE WHEN f.sources_annual_budget IS NOT NULL
              AND (f.sources_initial_budget <> f.initial_budget
                   OR f.sources_annual_budget <> f.annual_budget
                   OR f.sources_executed <> f.executed) THEN 'fund_sources_mismatch' END,
        CASE WHEN f.executed > f.annual_budget THEN 'execution_above_budget' END,
        CASE WHEN c.execution_rate < pr.low_execution_rate THEN 'execution_rate_low' END,
        CASE WHEN c.execution_rate < pr.execution_reason_below AND NOT @extschema@.is_explained(e.execution_reason)
             THEN 'execution_reason_missing' END,
        CASE @extschema@.rate_disagreement(f.reported_rate, c.execution_rate)
             WHEN 'mismatch' THEN 'fund_rate_mismatch' WHEN 'misprint' THEN 'reported_rate_misprint' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN (f.has_total AND f.annual_budget <> 0 AND (c.execution_rate IS NULL OR c.fund_score IS NULL))
               OR NOT @extschema@.is_scorable_number(t.total_score) THEN 'unscorable' END,
        CASE WHEN c.fund_weight + w.weight_total <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight THEN 'fund_weight_off_profile' END,
        CASE WHEN pr.level1_split
              AND (w.output_weight <> pr.output_weight
                   OR w.benefit_weight <> pr.benefit_weight
                   OR w.satisfaction_weight <> pr.satisfaction_weight
                   OR coalesce(w.cost_weight, 0) <> coalesce(pr.cost_weight, 0)) THEN 'level1_weight_off_profile' END,
        CASE WHEN b.weight_total IS NOT NULL THEN 'weights_by_block' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN e.reported_grade <> g.grade THEN 'reported_grade_mismatch' END,
        CASE WHEN t.total_score < su.sum_score THEN 'total_capped' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff;

COMMENT ON VIEW @extschema@.evaluation_result_live IS
'Every form scored live by the rules from its indicators'' stored outcomes (pjeval.indicator_outcome, checked against pjeval.indicator_result_live; the recomputation pjeval.refresh_results() stores and pjeval.verify_results() checks against): the columns of pjeval.evaluation_result; the owner''s, not granted';

-- Every indicator, with what the rules make of it as stored (columns as
-- indicator_result_live computes them).
CREATE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
    i.indicator_id,
    i.position,
    i.level1,
    i.level2,
    i.level3,
    o.level1_kind,
    o.level2_home,
    i.target_text,
    i.actual_text,
    i.target,
    i.actual,
    i.weight,
    o.rule,
    o.completion,
    o.computed_score,
    i.reported_score,
    i.reported_score - o.computed_score AS score_difference,
    coalesce(o.computed_score, i.reported_score) AS counted_score,
    o.flags,
    i.band,
    o.band_low,
    o.band_high,
    i.deviation_reason,
    o.findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
LEFT JOIN @extschema@.indicator_outcome o ON o.evaluation_id = i.evaluation_id AND o.indicator_id = i.indicator_id
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.indicator_result IS
'Every indicator the caller may see, as stored when its form last changed (pjeval.indicator_outcome): rule, completion, computed and reported score and their difference, the score that counts in the total (the computed one, else the reported one), assess() flags and finding codes (see pjeval.audit_finding)';
COMMENT ON COLUMN @extschema@.indicator_result.level1_kind IS 'output (产出), benefit (效益), satisfaction (满意度), cost (成本), or NULL for a non-standard level 1';
COMMENT ON COLUMN @extschema@.indicator_result.level2_home IS 'The level 1 this level 2 belongs under by the standard (NULL: not a standard level 2)';
COMMENT ON COLUMN @extschema@.indicator_result.score_difference IS 'reported_score - computed_score';
COMMENT ON COLUMN @extschema@.indicator_result.counted_score IS 'The score the total counts: computed_score, or reported_score where the rules leave the score to a person (scoring-rules §3)';
COMMENT ON COLUMN @extschema@.indicator_result.band_low IS 'The lowest score the recorded band allows';
COMMENT ON COLUMN @extschema@.indicator_result.band_high IS 'The highest score the recorded band allows (excluded for partial and not_achieved)';
COMMENT ON COLUMN @extschema@.indicator_result.findings IS 'Codes of the problems found on this row (pjeval.finding_code)';

-- One row per form, as stored (columns as evaluation_result_live computes
-- them); the form's own columns come from its tables.
CREATE VIEW @extschema@.evaluation_result WITH (security_barrier = true) AS
SELECT
    e.evaluation_id,
    e.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    u.name AS unit_name,
    bu.name AS budget_unit_name,
    e.year,
    e.status,
    e.profile,
    e.amount_unit,
    s.initial_budget,
    s.annual_budget,
    s.executed,
    s.sources_initial_budget,
    s.sources_annual_budget,
    s.sources_executed,
    s.execution_rate,
    s.reported_execution_rate,
    s.fund_weight,
    s.fund_score,
    s.reported_fund_score,
    s.output_score,
    s.benefit_score,
    s.satisfaction_score,
    s.cost_score,
    s.other_score,
    s.indicator_score,
    s.total_score,
    e.reported_total,
    e.reported_total - s.total_score AS total_difference,
    s.grade,
    s.weight_total,
    s.output_weight,
    s.benefit_weight,
    s.satisfaction_weight,
    s.cost_weight,
    s.other_weight,
    s.reported_score_sum,
    s.indicator_count,
    s.findings,
    s.finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
LEFT JOIN @extschema@.evaluation_score s ON s.evaluation_id = e.evaluation_id
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.evaluation_result IS
'Every form the caller may see, as stored when it last changed (pjeval.evaluation_score): amounts in 元, execution rate, fund score, subtotals per level 1, total (fund score + counted indicator scores), reported total, grade by the form''s profile, weights, and its form-level finding codes and count of all findings';
COMMENT ON COLUMN @extschema@.evaluation_result.execution_rate IS '执行率 in percent: 全年执行数 / 全年预算数 of the 年度资金总额 row, 2 places; NULL for a zero budget, or amounts beyond exact scoring (finding unscorable)';
COMMENT ON COLUMN @extschema@.evaluation_result.fund_weight IS 'The form''s 分值 for the execution rate, else the profile''s';
COMMENT ON COLUMN @extschema@.evaluation_result.other_score IS 'Subtotal of rows under a non-standard level 1 (NULL when there are none)';
COMMENT ON COLUMN @extschema@.evaluation_result.cost_score IS 'Subtotal of 成本指标 as its own level 1 (NULL where the form has none)';
COMMENT ON COLUMN @extschema@.evaluation_result.total_score IS 'Fund score + Σ counted indicator scores (each rounded first); NULL when a part has neither a computed nor a reported score';
COMMENT ON COLUMN @extschema@.evaluation_result.total_difference IS 'reported_total - total_score';
COMMENT ON COLUMN @extschema@.evaluation_result.reported_score_sum IS 'The reported fund score plus every reported indicator score';
COMMENT ON COLUMN @extschema@.evaluation_result.findings IS 'Codes of the form-level problems (pjeval.finding_code)';
COMMENT ON COLUMN @extschema@.evaluation_result.finding_count IS 'Number of rows of pjeval.audit_finding for this form (form-level, indicator-level, source rows'' and the form reader''s)';

-- Every code the audit can give, and its messages: the one place a code is
-- listed (extension data, like pjeval.profile's defaults: not the users' to
-- edit, not dumped).  severity: error (the numbers on the form contradict
-- each other or the rules), warning (a person must look: an explanation is
-- missing, a value cannot be read or compared), info (noted: a non-standard
-- layout, a reported score standing in for a computed one).
CREATE TABLE @extschema@.finding_catalogue (
    code            text PRIMARY KEY,
    scope           text NOT NULL
                    CONSTRAINT finding_catalogue_scope CHECK (scope IN ('indicator', 'form', 'both', 'monitor', 'review', 'target')),
    severity        text NOT NULL
                    CONSTRAINT finding_catalogue_severity CHECK (severity IN ('error', 'warning', 'info')),
    description_zh  text NOT NULL,
    description_en  text NOT NULL
);

COMMENT ON TABLE @extschema@.finding_catalogue IS
'Every code pjeval.audit_finding can give: scope (indicator, form or both), severity (error, warning, info) and what it means; pjeval.finding_message holds its messages';

-- A code's message where it is found, as a format() template whose
-- positional arguments (%1$s, …) are the fixed argument list of that place
-- in pjeval.audit_finding:
--   indicator  1 level3, 2 level2, 3 level1, 4 target_text, 5 actual_text,
--              6 weight, 7 reported score, 8 computed score, 9 completion,
--              10 band low, 11 band high, 12 the standard level 1 of level2
--              (Chinese), 13 (English), 14 why the target does not read,
--              15 why the actual does not read
--   fund, total (the form's execution rate and score; its weights and
--              total) 1-3 the sources' initial budget, annual budget and
--              executed, 4-6 the total row's, 7 execution rate, 8 the
--              profile's warning line, 9 reported execution rate, 10
--              reported fund score, 11 fund score, 12 fund weight, 13 total,
--              14 weight total, 15 profile, 16 its execution weight, 17-24
--              output, benefit, satisfaction and cost weight each beside the
--              profile's, 25 reported total, 26 the reported scores' sum,
--              27 the reported grade, 28 the computed total's grade, 29 the
--              total before a profile's cap by the execution rate, 30 the
--              profile's execution rate below which a reason is due
--   source     (a source row of 资金使用情况) 1 its label, 2 reported
--              execution rate, 3 computed, 4 reported score, 5 computed, 6
--              the weight it is computed with
--   line       (what the form reader found) 1 the document's line, 2 the
--              reader's detail, 3 the indicator's level3, 4 the fund source
--   monitoring, monitoring_indicator: pjeval.monitoring_finding's
--              (62_monitoring.sql), whose codes have the scope monitor
--   review_item  pjeval.review_finding's (85_review.sql), scope review
--   target, target_indicator, target_line, cycle: pjeval.target_finding's
--              and pjeval.cycle_finding's (72_targets.sql), scope target
CREATE TABLE @extschema@.finding_message (
    code            text NOT NULL REFERENCES @extschema@.finding_catalogue (code),
    place           text NOT NULL
                    CONSTRAINT finding_message_place CHECK (place IN ('indicator', 'fund', 'total', 'source', 'line', 'monitoring', 'monitoring_indicator',
                                                                    'review_item', 'target', 'target_indicator', 'target_line', 'cycle')),
    message_zh      text NOT NULL,
    message_en      text NOT NULL,
    PRIMARY KEY (code, place)
);

COMMENT ON TABLE @extschema@.finding_message IS
'The message of each finding code where it is found (indicator, fund, total, source, line): format() templates in Chinese and English over the fixed argument list of that place (see pjeval.audit_finding)';

INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('score_mismatch', 'indicator', 'error', '填报得分与计算得分相差超过 0.01', 'the reported score differs from the computed score by more than 0.01'),
    ('score_above_weight', 'indicator', 'error', '得分超过分值', 'the score is above the weight'),
    ('weight_missing', 'indicator', 'warning', '未填分值', 'the weight is missing'),
    ('target_unreadable', 'indicator', 'warning', '年度指标值无法识别', 'the target cannot be read'),
    ('actual_unreadable', 'indicator', 'warning', '实际完成值无法识别', 'the actual cannot be read'),
    ('value_missing', 'indicator', 'warning', '缺少年度指标值或实际完成值', 'the target or the actual is missing'),
    ('units_incomparable', 'indicator', 'warning', '目标与实际的单位不可比', 'the target and the actual are in units that cannot be compared'),
    ('clause_unmatched', 'indicator', 'warning', '目标中的某一项在实际完成值中找不到', 'a clause of the target has no matching clause in the actual'),
    ('value_too_large', 'indicator', 'warning', '数值过大，无法精确计算', 'the numbers are too large to compute exactly'),
    ('unscorable', 'both', 'warning', '数值超出精确计算的范围（至多 18 位有效数字和 18 位小数），无法按规则计算', 'a number is beyond exact scoring (at most 18 significant digits and 18 decimal places): the rules cannot compute with it'),
    ('actual_is_claim', 'indicator', 'warning', '实际完成值是表述而非测量值', 'the actual claims achievement instead of measuring it'),
    ('band_missing', 'indicator', 'warning', '定性指标未记录评价档次', 'a qualitative result that differs from its target has no band recorded'),
    ('score_outside_band', 'indicator', 'error', '定性指标得分不在所记录档次的区间内', 'the score of a qualitative result lies outside its recorded band'),
    ('date_missed', 'indicator', 'warning', '未按期完成', 'a deadline was missed'),
    ('not_met_unexplained', 'indicator', 'warning', '未完成目标且未填写偏差原因分析', 'not met, with no explanation of the deviation'),
    ('over_achieved_unexplained', 'indicator', 'warning', '超额完成且未填写偏差原因分析', 'over-achieved, with no explanation of the deviation'),
    ('level2_misplaced', 'indicator', 'info', '二级指标不在标准的一级指标之下', 'a level-2 indicator sits under a level 1 other than its standard one'),
    ('level1_nonstandard', 'indicator', 'info', '一级指标不是标准的一级指标', 'the level-1 indicator is not a standard one'),
    ('level2_nonstandard', 'indicator', 'info', '二级指标不是标准的二级指标', 'the level-2 indicator is not a standard one'),
    ('reported_score_used', 'both', 'info', '得分无法按规则计算，总分采用填报得分', 'the rules cannot score it: the total uses the reported score'),
    ('score_unavailable', 'both', 'error', '既无法计算也未填报得分，总分无法计算', 'neither a computed nor a reported score: no total'),
    ('fund_total_missing', 'form', 'error', '缺少“年度资金总额”行', 'the 年度资金总额 (total) fund row is missing'),
    ('budget_zero', 'form', 'warning', '全年预算数为 0', 'the annual budget is 0'),
    ('fund_sources_mismatch', 'form', 'error', '各资金来源之和与年度资金总额不符', 'the fund sources do not add up to the total'),
    ('execution_above_budget', 'form', 'warning', '全年执行数超过全年预算数', 'more was executed than budgeted'),
    ('execution_rate_low', 'form', 'warning', '执行率低于评分方案的预警线', 'the execution rate is below the profile''s warning line'),
    ('execution_reason_missing', 'form', 'warning', '执行率低于评分方案要求说明原因的比例，未填写未完成原因分析', 'the execution rate is below the profile''s line for a stated reason, and the form gives none (未完成原因分析)'),
    ('fund_rate_mismatch', 'form', 'error', '填报执行率与计算执行率不符', 'the reported execution rate differs from the computed one'),
    ('fund_score_mismatch', 'form', 'error', '预算执行率填报得分与计算得分不符', 'the reported execution-rate score differs from the computed one'),
    ('weights_not_100', 'form', 'error', '分值合计不等于 100', 'the weights do not total 100'),
    ('level1_weight_off_profile', 'form', 'warning', '一级指标分值与评分方案不符', 'level-1 weights differ from the profile'),
    ('reported_total_mismatch', 'form', 'error', '填报总分与各项填报得分之和不符', 'the reported total differs from the sum of the reported scores'),
    ('total_mismatch', 'form', 'error', '填报总分与计算总分不符', 'the reported total differs from the computed total'),
    ('indicators_missing', 'form', 'error', '没有年度绩效指标', 'the form has no performance indicators'),
    ('source_rate_mismatch', 'form', 'error', '资金来源行的填报执行率与按该行金额计算的执行率不符', 'a source row''s reported execution rate differs from the one its amounts give'),
    ('source_score_mismatch', 'form', 'error', '资金来源行的填报得分与按该行金额计算的得分不符', 'a source row''s reported score differs from the one its amounts give'),
    ('level1_inferred', 'indicator', 'info', '一级指标未填写，按标准由二级指标推定', 'the level 1 was not written: inferred from the standard level 2'),
    ('unclosed_quote', 'both', 'warning', '单元格以引号开头而没有引号闭合，已按文字读入', 'a cell begins with a quote that nothing closes: it was read as text'),
    ('reported_rate_misprint', 'form', 'warning', '填报执行率与计算执行率在末位相差一个单位（疑为笔误）', 'the reported execution rate is one unit off the computed one in its last printed place (a misprint?)'),
    ('no_total_row', 'form', 'info', '表中没有总分行，填报总分未知', 'the form has no 总分 row: its reported total is unknown'),
    ('unit_this_unit', 'form', 'info', '实施单位或一级预算单位填作“本单位”，按表中另一单位读入', 'the 实施单位 or 一级预算单位 was written as 本单位 (this unit): read as the unit the other cell names'),
    ('fund_weight_off_profile', 'form', 'warning', '表中预算执行率分值与评分方案不符（得分按表中分值计算）', 'the form''s weight for the execution rate differs from the profile''s (the score uses the form''s)'),
    ('weights_by_block', 'form', 'info', '表中指标未单列分值（按一级指标板块赋分），总分采用这些指标的填报得分', 'indicators carry no weight of their own (the form weights level-1 blocks): the total uses their reported scores'),
    ('reported_grade_mismatch', 'form', 'error', '总分行填报的等级与按计算总分评定的等级不符', 'the grade on the 总分 row differs from the grade of the computed total'),
    ('total_capped', 'form', 'info', '执行率低于评分方案的封顶线，总分按封顶分计', 'the execution rate is below a cap of the profile: the total is capped');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('score_mismatch', 'indicator', '“%1$s”填报得分 %7$s 与计算得分 %8$s 不符', '"%1$s": the reported score %7$s differs from the computed %8$s'),
    ('score_above_weight', 'indicator', '“%1$s”得分 %7$s 超过分值 %6$s', '"%1$s": the score %7$s is above the weight %6$s'),
    ('weight_missing', 'indicator', '“%1$s”未填分值', '"%1$s" has no weight'),
    ('target_unreadable', 'indicator', '“%1$s”的年度指标值“%4$s”无法识别：%14$s', '"%1$s": the target "%4$s" cannot be read: %14$s'),
    ('actual_unreadable', 'indicator', '“%1$s”的实际完成值“%5$s”无法识别：%15$s', '"%1$s": the actual "%5$s" cannot be read: %15$s'),
    ('value_missing', 'indicator', '“%1$s”缺少年度指标值或实际完成值', '"%1$s": the target or the actual is missing'),
    ('units_incomparable', 'indicator', '“%1$s”的目标“%4$s”与实际“%5$s”单位不可比', '"%1$s": the target "%4$s" and the actual "%5$s" are in units that cannot be compared'),
    ('clause_unmatched', 'indicator', '“%1$s”的目标“%4$s”中有一项在实际“%5$s”中找不到', '"%1$s": a clause of the target "%4$s" has no match in the actual "%5$s"'),
    ('value_too_large', 'indicator', '“%1$s”数值过大，无法精确计算', '"%1$s": the numbers are too large to compute exactly'),
    ('unscorable', 'indicator', '“%1$s”的分值 %6$s 超出精确计算的范围，无法按规则评分', '"%1$s": the weight %6$s is beyond exact scoring: the rules cannot score it'),
    ('actual_is_claim', 'indicator', '“%1$s”的实际完成值“%5$s”是表述而非测量值，得分由评价人确定', '"%1$s": the actual "%5$s" is a claim, not a measurement; the evaluator scores it'),
    ('band_missing', 'indicator', '“%1$s”为定性指标，实际“%5$s”与目标“%4$s”不同，需记录评价档次（达成/部分达成/未达成）', '"%1$s" is qualitative and the actual "%5$s" differs from the target "%4$s": record the evaluator''s band (achieved, partial, not_achieved)'),
    ('score_outside_band', 'indicator', '“%1$s”得分 %7$s 不在所记录档次的区间 [%10$s, %11$s] 内', '"%1$s": the score %7$s lies outside its recorded band [%10$s, %11$s]'),
    ('date_missed', 'indicator', '“%1$s”未按期完成（目标 %4$s，实际 %5$s），得分由评价人确定', '"%1$s": the deadline was missed (target %4$s, actual %5$s); the evaluator scores it'),
    ('not_met_unexplained', 'indicator', '“%1$s”未完成目标（目标 %4$s，实际 %5$s），未填写偏差原因分析', '"%1$s" is not met (target %4$s, actual %5$s) and the deviation is not explained'),
    ('over_achieved_unexplained', 'indicator', '“%1$s”超额完成（目标 %4$s，实际 %5$s，为目标的 %9$s 倍），未填写偏差原因分析', '"%1$s" is over-achieved (target %4$s, actual %5$s, %9$s times the target) and the deviation is not explained'),
    ('level2_misplaced', 'indicator', '二级指标“%2$s”位于一级指标“%3$s”之下，按标准应属于%12$s', 'level-2 "%2$s" is placed under level-1 "%3$s"; the standard places it under %13$s'),
    ('level1_nonstandard', 'indicator', '一级指标“%3$s”不是标准的一级指标（产出、效益、满意度、成本指标）', 'level-1 "%3$s" is not a standard level-1 indicator (产出, 效益, 满意度 or 成本指标)'),
    ('level2_nonstandard', 'indicator', '二级指标“%2$s”不是标准的二级指标', 'level-2 "%2$s" is not a standard level-2 indicator'),
    ('reported_score_used', 'indicator', '“%1$s”的得分无法按规则计算，总分采用填报得分 %7$s', '"%1$s" cannot be scored by the rules: the total uses the reported score %7$s'),
    ('score_unavailable', 'indicator', '“%1$s”既无法计算得分也未填报得分，总分无法计算', '"%1$s" has neither a computable nor a reported score: no total can be computed'),
    ('fund_total_missing', 'fund', '缺少“年度资金总额”行，预算执行率无法计算', 'the 年度资金总额 (total) fund row is missing: no execution rate'),
    ('budget_zero', 'fund', '全年预算数为 0，执行率及其得分无法计算', 'the annual budget (全年预算数) is 0: the execution rate and its score are undefined'),
    ('fund_sources_mismatch', 'fund', '各资金来源之和（年初预算数 %1$s，全年预算数 %2$s，全年执行数 %3$s）与年度资金总额（%4$s，%5$s，%6$s）不符', 'the fund sources (initial %1$s, annual %2$s, executed %3$s) do not add up to the total (%4$s, %5$s, %6$s)'),
    ('execution_above_budget', 'fund', '全年执行数 %6$s 元超过全年预算数 %5$s 元', 'executed %6$s 元 is more than the annual budget %5$s 元'),
    ('execution_rate_low', 'fund', '执行率 %7$s%% 低于 %8$s%%', 'the execution rate %7$s%% is below %8$s%%'),
    ('execution_reason_missing', 'fund', '执行率 %7$s%% 低于评分方案“%15$s”的 %30$s%%，未说明原因（未完成原因分析）', 'the execution rate %7$s%% is below the %30$s%% of profile "%15$s" and no reason is given (未完成原因分析)'),
    ('fund_rate_mismatch', 'fund', '填报执行率 %9$s%% 与计算执行率 %7$s%% 不符', 'the reported execution rate %9$s%% differs from the computed %7$s%%'),
    ('fund_score_mismatch', 'fund', '预算执行率填报得分 %10$s 与计算得分 %11$s 不符', 'the reported execution-rate score %10$s differs from the computed %11$s'),
    ('reported_score_used', 'fund', '预算执行率得分无法计算，总分采用填报得分 %10$s', 'the execution-rate score cannot be computed: the total uses the reported score %10$s'),
    ('score_unavailable', 'fund', '预算执行率得分既无法计算也未填报，总分无法计算', 'the execution-rate score can neither be computed nor was it reported: no total'),
    ('unscorable', 'fund', '全年预算数 %5$s 元、全年执行数 %6$s 元或分值 %12$s 超出精确计算的范围，执行率或其得分无法按规则计算', 'the annual budget %5$s 元, the executed amount %6$s 元 or the weight %12$s is beyond exact scoring: the execution rate or its score cannot be computed'),
    ('unscorable', 'total', '总分 %13$s 超出精确计算的范围，无法评定等级', 'the total %13$s is beyond exact scoring: no grade'),
    ('weights_not_100', 'total', '分值合计 %14$s，不等于 100', 'the weights total %14$s, not 100'),
    ('level1_weight_off_profile', 'total', '一级指标分值与评分方案“%15$s”不符：预算执行率 %12$s（%16$s），产出指标 %17$s（%18$s），效益指标 %19$s（%20$s），满意度指标 %21$s（%22$s），成本指标 %23$s（%24$s）', 'level-1 weights differ from profile "%15$s": execution %12$s (%16$s), output %17$s (%18$s), benefit %19$s (%20$s), satisfaction %21$s (%22$s), cost %23$s (%24$s)'),
    ('reported_total_mismatch', 'total', '填报总分 %25$s 与各项填报得分之和 %26$s 不符', 'the reported total %25$s differs from the sum of the reported scores %26$s'),
    ('total_mismatch', 'total', '填报总分 %25$s 与计算总分 %13$s 不符', 'the reported total %25$s differs from the computed total %13$s'),
    ('total_capped', 'total', '执行率 %7$s%% 低于评分方案 %15$s 的封顶线，总分由 %29$s 封顶为 %13$s', 'the execution rate %7$s%% is below a cap of profile %15$s: the total %29$s is capped at %13$s'),
    ('fund_weight_off_profile', 'fund', '表中预算执行率分值 %12$s 与评分方案“%15$s”的 %16$s 不符，得分按表中分值计算', 'the form weights the execution rate %12$s, profile "%15$s" %16$s: the score uses the form''s weight'),
    ('weights_by_block', 'total', '表中指标未单列分值，按一级指标板块赋分：各指标得分无法按规则计算，总分 %13$s 采用其填报得分', 'the form weights level-1 blocks, not each indicator: their scores cannot be computed by the rules, the total %13$s uses the reported ones'),
    ('reported_grade_mismatch', 'total', '总分行填报等级“%27$s”与计算总分 %13$s 的等级“%28$s”不符', 'the grade %27$s on the 总分 row differs from %28$s, the grade of the computed total %13$s'),
    ('indicators_missing', 'total', '没有年度绩效指标', 'the form has no performance indicators'),
    ('source_rate_mismatch', 'source', '“%1$s”行填报执行率 %2$s%% 与按该行金额计算的执行率 %3$s%% 不符', 'the %1$s row: the reported execution rate %2$s%% differs from the %3$s%% its amounts give'),
    ('source_score_mismatch', 'source', '“%1$s”行填报得分 %4$s 与按该行金额计算的得分 %5$s（分值 %6$s）不符', 'the %1$s row: the reported score %4$s differs from the %5$s its amounts give (weight %6$s)'),
    ('reported_rate_misprint', 'fund', '填报执行率 %9$s%% 与计算执行率 %7$s%% 在末位相差一个单位（疑为笔误）', 'the reported execution rate %9$s%% is one unit off the computed %7$s%% in its last printed place (a misprint?)'),
    ('reported_rate_misprint', 'source', '“%1$s”行填报执行率 %2$s%% 与按该行金额计算的执行率 %3$s%% 在末位相差一个单位（疑为笔误）', 'the %1$s row: the reported execution rate %2$s%% is one unit off the %3$s%% its amounts give in its last printed place (a misprint?)'),
    ('level1_inferred', 'line', '第 %1$s 行“%3$s”未填写一级指标，按二级指标推定为%2$s', 'line %1$s: "%3$s" has no level 1 written; inferred %2$s from its level 2'),
    ('unclosed_quote', 'line', '第 %1$s 行有一个单元格以引号开头而没有引号闭合，已按文字读入：请核对该行是否完整', 'line %1$s: a cell begins with a quote that nothing closes and was read as text: check that the row is whole'),
    ('no_total_row', 'line', '至第 %1$s 行结束的自评表没有总分行，填报总分未知', 'the form that ends on line %1$s has no 总分 row: its reported total is unknown'),
    ('unit_this_unit', 'line', '第 %1$s 行单位填作“本单位”，按表中另一单位读作“%2$s”', 'line %1$s: the unit written as 本单位 (this unit) was read as "%2$s", the unit the other cell names');

-- The list of codes as it always was (documentation as data).
CREATE VIEW @extschema@.finding_code AS
SELECT c.code, c.scope, c.severity, c.description_zh, c.description_en
FROM @extschema@.finding_catalogue c;

COMMENT ON VIEW @extschema@.finding_code IS
'Every code pjeval.audit_finding can give: scope (indicator, form or both), severity (error, warning, info) and what it means';

-- One row per problem.  position is the indicator's position, NULL for a
-- problem of the whole form.  The message is the code's template for the
-- place it was found (pjeval.finding_message) over that place's one fixed
-- list of arguments: a new code is a row there, not a change here.
CREATE VIEW @extschema@.audit_finding WITH (security_barrier = true) AS
SELECT r.evaluation_id,
       r.position,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(m.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.indicator_result r
CROSS JOIN LATERAL pg_catalog.unnest(r.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'indicator'
LEFT JOIN @extschema@.standard_level h ON h.level = 1 AND h.kind = r.level2_home
CROSS JOIN LATERAL (
    SELECT ARRAY[r.level3, r.level2, r.level1, r.target_text, r.actual_text,
                 r.weight::text, r.reported_score::text, r.computed_score::text,
                 pg_catalog.round(r.completion, 2)::text,
                 pg_catalog.round(r.band_low, 2)::text, pg_catalog.round(r.band_high, 2)::text,
                 h.name, h.name || ' (' || h.kind || ')',
                 CASE WHEN f.code = 'target_unreadable' THEN @extschema@.indicator_value_error(r.target_text) END,
                 CASE WHEN f.code = 'actual_unreadable' THEN @extschema@.indicator_value_error(r.actual_text) END] AS args
) a
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.evaluation_result e
CROSS JOIN LATERAL pg_catalog.unnest(e.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
-- unscorable is the execution rate's or its score's where one of them is
-- missing, else the total's
JOIN @extschema@.finding_message m
  ON m.code = f.code
 AND m.place = CASE WHEN f.code <> 'unscorable' THEN m.place
                    WHEN e.execution_rate IS NULL OR e.fund_score IS NULL THEN 'fund'
                    ELSE 'total' END
 AND m.place IN ('fund', 'total')
JOIN @extschema@.profile pr ON pr.name = e.profile
JOIN @extschema@.evaluation ev ON ev.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT ARRAY[e.sources_initial_budget::text, e.sources_annual_budget::text, e.sources_executed::text,
                 e.initial_budget::text, e.annual_budget::text, e.executed::text,
                 e.execution_rate::text, pr.low_execution_rate::text, e.reported_execution_rate::text,
                 e.reported_fund_score::text, e.fund_score::text, e.fund_weight::text, e.total_score::text,
                 e.weight_total::text, e.profile, pr.execution_weight::text,
                 e.output_weight::text, pr.output_weight::text, e.benefit_weight::text, pr.benefit_weight::text,
                 e.satisfaction_weight::text, pr.satisfaction_weight::text,
                 coalesce(e.cost_weight, 0)::text, coalesce(pr.cost_weight, 0)::text,
                 e.reported_total::text, e.reported_score_sum::text,
                 ev.reported_grade, e.grade, (e.fund_score + e.indicator_score)::text,
                 pr.execution_reason_below::text] AS args
) a
UNION ALL
-- a source row's printed 执行率 or 得分
SELECT x.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.fund_line_result x
CROSS JOIN LATERAL pg_catalog.unnest(x.findings) AS f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message m ON m.code = f.code AND m.place = 'source'
JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.source
CROSS JOIN LATERAL (
    SELECT ARRAY[coalesce(x.label, sfs.label), x.reported_rate::text, x.computed_rate::text, x.reported_score::text,
                 x.computed_score::text, x.weight::text] AS args
) a
WHERE x.source <> 'total' AND (x.reported_rate IS NOT NULL OR x.reported_score IS NOT NULL)
UNION ALL
-- what the form reader found, on the indicator of its line or on the form
SELECT rf.evaluation_id,
       rf.position,
       rf.code,
       fc.severity,
       pg_catalog.format(m.message_zh, VARIADIC a.args),
       pg_catalog.format(m.message_en, VARIADIC a.args)
FROM @extschema@.read_finding rf
JOIN @extschema@.evaluation e ON e.evaluation_id = rf.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message m ON m.code = rf.code AND m.place = 'line'
LEFT JOIN @extschema@.indicator i ON i.evaluation_id = rf.evaluation_id AND i.position = rf.position
CROSS JOIN LATERAL (
    SELECT ARRAY[rf.line::text, rf.detail, i.level3, rf.source] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.audit_finding IS
'One row per problem found on a form the caller may see: evaluation, indicator position (NULL for the whole form), stable code (pjeval.finding_code), severity and a message in Chinese and English';

-- PostgreSQL 15+: the views run with the caller's rights, so the tables'
-- row-level security applies to them directly, and they need no barrier.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.audit_finding SET (security_invoker = true);
        ALTER VIEW @extschema@.audit_finding RESET (security_barrier);
        ALTER VIEW @extschema@.finding_code SET (security_invoker = true);
        ALTER VIEW @extschema@.standard_level SET (security_invoker = true);
        ALTER VIEW @extschema@.fund_line_result SET (security_invoker = true);
        ALTER VIEW @extschema@.fund_line_result RESET (security_barrier);
    END IF;
END
$$;
