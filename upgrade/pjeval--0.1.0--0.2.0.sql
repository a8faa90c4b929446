-- pjeval 0.1.0 -> 0.2.0 (ALTER EXTENSION pjeval UPDATE): level names read
-- in C.  indicator_level_name() was a SQL function of two regular
-- expressions that indicator_result ran on every row, the largest cost of
-- evaluation_result; it is now C, and indicator_result, indicator_level1_kind
-- and indicator_level2_home use it.  Same answers for every name (ASCII
-- white space and 　 are the spaces removed, whatever the locale).  On
-- PostgreSQL 15+ the views indicator_result, evaluation_result and
-- audit_finding drop security_barrier.  The indicator trigger that reads
-- target and actual is C.
\echo Use "ALTER EXTENSION pjeval UPDATE TO '0.2.0'" to load this file. \quit

CREATE OR REPLACE FUNCTION @extschema@.indicator_read_values()
RETURNS trigger
AS 'MODULE_PATHNAME', 'indicator_read_values'
LANGUAGE C;

CREATE OR REPLACE FUNCTION @extschema@.indicator_level_name(level pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'scoring_level_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.indicator_level_name(pg_catalog.text) IS
'A level-1 or level-2 indicator name without white space (ASCII or 　), without bracketed text and ending in 指标: 产出指标 (50分) → 产出指标';

CREATE OR REPLACE FUNCTION @extschema@.indicator_level1_kind(level1 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE @extschema@.indicator_level_name($1)
               WHEN '产出指标' THEN 'output'
               WHEN '效益指标' THEN 'benefit'
               WHEN '满意度指标' THEN 'satisfaction'
               WHEN '成本指标' THEN 'cost'
           END
$$;

CREATE OR REPLACE FUNCTION @extschema@.indicator_level2_home(level2 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE @extschema@.indicator_level_name($1)
               WHEN '数量指标' THEN 'output'
               WHEN '质量指标' THEN 'output'
               WHEN '时效指标' THEN 'output'
               WHEN '成本指标' THEN 'output'
               WHEN '经济效益指标' THEN 'benefit'
               WHEN '社会效益指标' THEN 'benefit'
               WHEN '生态效益指标' THEN 'benefit'
               WHEN '可持续影响指标' THEN 'benefit'
               WHEN '服务对象满意度指标' THEN 'satisfaction'
               WHEN '其他满意度指标' THEN 'satisfaction'
               WHEN '经济成本指标' THEN 'cost'
               WHEN '社会成本指标' THEN 'cost'
               WHEN '生态环境成本指标' THEN 'cost'
           END
$$;

CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
SELECT
    i.evaluation_id,
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
    a.score AS computed_score,
    i.reported_score,
    i.reported_score - a.score AS score_difference,
    coalesce(a.score, i.reported_score) AS counted_score,
    a.flags,
    i.band,
    b.band_low,
    b.band_high,
    i.deviation_reason,
    pg_catalog.array_remove(ARRAY[
        CASE WHEN pg_catalog.abs(i.reported_score - a.score) > 0.01 THEN 'score_mismatch' END,
        CASE WHEN i.reported_score > i.weight THEN 'score_above_weight' END,
        CASE WHEN i.weight IS NULL THEN 'weight_missing' END,
        CASE WHEN i.target IS NULL THEN 'target_unreadable' END,
        CASE WHEN i.actual IS NULL THEN 'actual_unreadable' END,
        CASE WHEN 'missing_value' = ANY (a.flags) THEN 'value_missing' END,
        CASE WHEN 'incomparable_units' = ANY (a.flags) THEN 'units_incomparable' END,
        CASE WHEN 'unmatched_clause' = ANY (a.flags) THEN 'clause_unmatched' END,
        CASE WHEN 'too_large' = ANY (a.flags) THEN 'value_too_large' END,
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
              AND NOT (n.level1_kind = 'cost' AND h.level2_name = '成本指标') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- The level names, read once per row: the name as the standard lists it is
-- the key of a join with the list of standard names, so it is computed once
-- when the row is probed and the kind comes back as a column.  Written as a
-- LATERAL sub-select instead, the call would be copied into every reference
-- to level1_kind (a dozen in evaluation_result); kept apart with OFFSET 0 it
-- would run once per row too, but on PostgreSQL 15 its parameters keep the
-- whole view out of parallel workers.
LEFT JOIN (VALUES ('产出指标', 'output'), ('效益指标', 'benefit'), ('满意度指标', 'satisfaction'), ('成本指标', 'cost'))
    AS n (level1_name, level1_kind)
    ON n.level1_name = @extschema@.indicator_level_name(i.level1)
LEFT JOIN (VALUES ('数量指标', 'output'), ('质量指标', 'output'), ('时效指标', 'output'), ('成本指标', 'output'),
                  ('经济效益指标', 'benefit'), ('社会效益指标', 'benefit'), ('生态效益指标', 'benefit'), ('可持续影响指标', 'benefit'),
                  ('服务对象满意度指标', 'satisfaction'), ('其他满意度指标', 'satisfaction'),
                  ('经济成本指标', 'cost'), ('社会成本指标', 'cost'), ('生态环境成本指标', 'cost'))
    AS h (level2_name, level2_home)
    ON h.level2_name = @extschema@.indicator_level_name(i.level2)
CROSS JOIN LATERAL (
    -- an explanation that is empty or a placeholder explains nothing
    SELECT coalesce(pg_catalog.btrim(i.deviation_reason, E' \t\r\n　'), '')
               NOT IN ('', '-', '—', '－', '/', '一', '无') AS explained
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
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

-- CREATE OR REPLACE VIEW resets the options it is not given.  On 15+ the
-- views lose their barrier (see 50_views.sql): the tables' policies guard
-- them, and indicator_result can then be aggregated in parallel workers.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.indicator_result RESET (security_barrier);
        ALTER VIEW @extschema@.evaluation_result RESET (security_barrier);
        ALTER VIEW @extschema@.audit_finding RESET (security_barrier);
    END IF;
END
$$;
