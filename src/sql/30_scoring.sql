-- 30_scoring.sql - scoring a 项目支出绩效自评表 (scoring-rules.md §2-§5):
-- execution rate and fund score, an indicator's completion, score, flags,
-- assessment and explanation, the grade, and helpers that take their knobs
-- from a named profile.
--
-- The C functions are thin wrappers over the core rules (src/core/rules.h),
-- which take the profile's knobs as arguments with central-2020's values as
-- defaults, so they stay IMMUTABLE.  The indicator functions are not STRICT:
-- a NULL category is meaningful (the comparison alone decides), and a NULL
-- target or actual, a value that could not be read, is reported as the flag
-- "unreadable" rather than silently dropped.  The profile_* helpers read
-- pjeval.profile and are STABLE.

-- One call gives everything a view needs (CROSS JOIN LATERAL pjeval.assess(...)).
CREATE TYPE @extschema@.assessment AS (
    rule pg_catalog.text,
    completion pg_catalog.numeric,
    score pg_catalog.numeric,
    flags pg_catalog.text[]
);

COMMENT ON TYPE @extschema@.assessment IS
'What assess() returns for one indicator: the rule applied, the raw completion ratio, the score (2 places, NULL when a person must score) and the audit flags';

-- Funds (资金使用情况)

CREATE FUNCTION @extschema@.execution_rate(budget pg_catalog.numeric, executed pg_catalog.numeric)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_execution_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.fund_score(budget pg_catalog.numeric, executed pg_catalog.numeric,
                                       weight pg_catalog.numeric DEFAULT 10)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_fund_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.execution_rate(pg_catalog.numeric, pg_catalog.numeric) IS
'执行率: executed / budget (全年执行数 / 全年预算数) as a percentage rounded half-up to 2 places (99.32, 100.00), not capped; NULL for a zero budget';
COMMENT ON FUNCTION @extschema@.fund_score(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS
'The execution-rate score: weight × min(executed / budget, 1) rounded half-up to 2 places, computed exactly; NULL for a zero budget';

-- What the views call: the same, but NULL where the plain functions raise
-- (an amount or weight that is negative, not finite or beyond exact
-- scoring, a rate beyond range), so that one form's numbers cannot break a
-- view over every form.  The tables' checks keep such numbers out
-- (is_scorable_number); the views flag what is left (finding unscorable).
CREATE FUNCTION @extschema@.try_execution_rate(budget pg_catalog.numeric, executed pg_catalog.numeric)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_try_execution_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.try_fund_score(budget pg_catalog.numeric, executed pg_catalog.numeric,
                                           weight pg_catalog.numeric DEFAULT 10)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_try_fund_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Numbers the rules compute with exactly: finite, at most 18 significant
-- digits and 18 decimal places.  The tables' checks on amounts, weights and
-- scores (40_schema.sql) and the import's explanations use it.
CREATE FUNCTION @extschema@.is_scorable_number(value pg_catalog.numeric)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'scoring_is_scorable_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.try_execution_rate(pg_catalog.numeric, pg_catalog.numeric) IS
'execution_rate(budget, executed), but NULL instead of an error (an amount negative, not finite or beyond exact scoring; a rate beyond range): for views';
COMMENT ON FUNCTION @extschema@.try_fund_score(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS
'fund_score(budget, executed, weight), but NULL instead of an error (an amount or weight negative, not finite or beyond exact scoring): for views';
COMMENT ON FUNCTION @extschema@.is_scorable_number(pg_catalog.numeric) IS
'True for a number the scoring rules compute with exactly: finite, at most 18 significant digits and 18 decimal places (false for NaN, infinities, 10^19, 0.1234567890123456789)';

-- A printed 执行率 against the computed one, within the precision it was
-- printed with: 99 (or 99%) agrees with 99.32, 99.3 with 99.32; a fraction
-- (at most 1, with decimals: 0.93, 0.1) is read as that many hundred percent
-- where the percent reading does not agree (0.93 agrees with 93.32, 0.1 with
-- 9.93).  NULL where they agree (or either is NULL), 'misprint' where it is
-- one unit off in its last printed place (86.19 for 86.18), else 'mismatch'.
CREATE FUNCTION @extschema@.rate_disagreement(reported pg_catalog.numeric, computed pg_catalog.numeric)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p.off OPERATOR(pg_catalog.=) 0 OR f.off OPERATOR(pg_catalog.=) 0 THEN NULL
                WHEN p.off OPERATOR(pg_catalog.=) 1 OR f.off OPERATOR(pg_catalog.=) 1 THEN 'misprint'
                ELSE 'mismatch' END
    FROM (SELECT LEAST(pg_catalog.scale($1), 2) AS places) d
    CROSS JOIN LATERAL (
        SELECT pg_catalog.abs(pg_catalog.round($1, d.places) OPERATOR(pg_catalog.-) pg_catalog.round($2, d.places))
               OPERATOR(pg_catalog.*) pg_catalog.power(10::pg_catalog.numeric, d.places) AS off
    ) p
    CROSS JOIN LATERAL (
        SELECT CASE WHEN $1 OPERATOR(pg_catalog.<=) 1 AND pg_catalog.scale($1) OPERATOR(pg_catalog.>=) 1 THEN
                    pg_catalog.abs(pg_catalog.round($1 OPERATOR(pg_catalog.*) 100, d.places OPERATOR(pg_catalog.-) 2)
                                   OPERATOR(pg_catalog.-) pg_catalog.round($2, d.places OPERATOR(pg_catalog.-) 2))
                    OPERATOR(pg_catalog.*) pg_catalog.power(10::pg_catalog.numeric, d.places OPERATOR(pg_catalog.-) 2)
               END AS off
    ) f
$$;

COMMENT ON FUNCTION @extschema@.rate_disagreement(pg_catalog.numeric, pg_catalog.numeric) IS
'A printed 执行率 against the computed one within its printed precision (99 or 99% agrees with 99.32; a fraction 0.93 with 93.32): NULL where they agree, ''misprint'' one unit off in the last printed place (86.19 for 86.18), else ''mismatch''';

-- One indicator (年度绩效指标)

CREATE FUNCTION @extschema@.completion(target @extschema@.indicator_value,
                                       actual @extschema@.indicator_value,
                                       category pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_completion'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.indicator_score(target @extschema@.indicator_value,
                                            actual @extschema@.indicator_value,
                                            weight pg_catalog.numeric,
                                            category pg_catalog.text DEFAULT NULL,
                                            over_ratio pg_catalog.numeric DEFAULT 1.30,
                                            negative_formula pg_catalog.text DEFAULT 'ratio')
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'scoring_indicator_score'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.indicator_flags(target @extschema@.indicator_value,
                                            actual @extschema@.indicator_value,
                                            category pg_catalog.text DEFAULT NULL,
                                            over_ratio pg_catalog.numeric DEFAULT 1.30)
RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'scoring_indicator_flags'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.assess(target @extschema@.indicator_value,
                                   actual @extschema@.indicator_value,
                                   weight pg_catalog.numeric,
                                   category pg_catalog.text DEFAULT NULL,
                                   over_ratio pg_catalog.numeric DEFAULT 1.30,
                                   negative_formula pg_catalog.text DEFAULT 'ratio')
RETURNS @extschema@.assessment
AS 'MODULE_PATHNAME', 'scoring_assess'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.explain(target @extschema@.indicator_value,
                                    actual @extschema@.indicator_value,
                                    weight pg_catalog.numeric,
                                    category pg_catalog.text DEFAULT NULL,
                                    over_ratio pg_catalog.numeric DEFAULT 1.30,
                                    negative_formula pg_catalog.text DEFAULT 'ratio')
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'scoring_explain'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.completion(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.text) IS
'The completion ratio of actual against target, not capped (27 against 17 is 1.588…): the mean over labelled clauses, in numeric division; the category (成本指标 is negative) decides the direction of =T and bare targets; NULL when no ratio can be computed; central-2020''s T/A for a missed negative indicator';
COMMENT ON FUNCTION @extschema@.indicator_score(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.numeric, pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
'The indicator''s score: weight × the mean of each clause''s completion capped at 1, rounded half-up to 2 places, exactly; 不适用 scores 0; NULL when a person must score it (a qualitative actual that differs, a claim, a missed date, unreadable or incomparable values, a NULL weight). negative_formula is ''ratio'' (T/A) or ''linear'' (1 - (A-T)/T, floored at 0)';
COMMENT ON FUNCTION @extschema@.indicator_flags(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.text, pg_catalog.numeric) IS
'The audit flags of an indicator, in a fixed order (not_met, over_achieved at A/T ≥ over_ratio, incomparable_units, qualitative_needs_band, actual_is_claim, missing_value, unmatched_clause, too_large, date_missed, opposite_sign: missed by an actual on the other side of zero, completion 0); {unreadable} for a NULL target or actual; {} when none. Numbers beyond exact arithmetic give too_large (and a NULL score), never an error';
COMMENT ON FUNCTION @extschema@.assess(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.numeric, pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
'Rule, completion, score and flags of an indicator in one call, each equal to what completion(), indicator_score() and indicator_flags() return (completion follows negative_formula), except that a weight beyond exact scoring gives a NULL score and the flag unscorable instead of an error; for views: CROSS JOIN LATERAL pjeval.assess(...)';
COMMENT ON FUNCTION @extschema@.explain(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.numeric, pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
'How an indicator was scored, for an auditor: rule, direction, and for each clause the base values compared, their unit, the comparison, the label and the completion (raw and capped), then the weight, score and flags';

-- The grade (§5)

CREATE FUNCTION @extschema@.grade(total pg_catalog.numeric,
                                  excellent pg_catalog.numeric DEFAULT 90,
                                  good pg_catalog.numeric DEFAULT 80,
                                  pass pg_catalog.numeric DEFAULT 60)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'scoring_grade'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.grade(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS
'优 for a total ≥ excellent, 良 ≥ good, 中 ≥ pass, else 差 (lower bounds included; central-2020: 90, 80, 60)';

-- The name of a level-1 or level-2 indicator as the standard lists it (§1):
-- no spaces, no weight in brackets, ending in 指标, so that 产出指标 (50分),
-- 产出指标（50分） and 产出 are one name, 产出指标.  In C: it runs on every
-- indicator row of the views.
CREATE FUNCTION @extschema@.indicator_level_name(level pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'scoring_level_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.indicator_level_name(pg_catalog.text) IS
'A level-1 or level-2 indicator name without white space (ASCII or 　), without bracketed text and ending in 指标: 产出指标 (50分) → 产出指标';

-- Knobs from a named profile.  get_profile() is the one place that looks a
-- profile up, so an unknown name always gets the same clear error.  The
-- helpers are plain SQL with every name qualified (no SET search_path).

CREATE FUNCTION @extschema@.get_profile(name pg_catalog.text)
RETURNS @extschema@.profile
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    result @extschema@.profile;
BEGIN
    SELECT p.* INTO result
    FROM @extschema@.profile AS p
    WHERE p.name OPERATOR(pg_catalog.=) get_profile.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'profile "%" does not exist', get_profile.name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Known profiles: ' OPERATOR(pg_catalog.||)
                         (SELECT pg_catalog.string_agg(p.name, ', ' ORDER BY p.name)
                          FROM @extschema@.profile AS p)
                         OPERATOR(pg_catalog.||) ' (SELECT name FROM @extschema@.profile).';
    END IF;
    RETURN result;
END
$$;

CREATE FUNCTION @extschema@.profile_grade(total pg_catalog.numeric,
                                          profile pg_catalog.text DEFAULT 'central-2020')
RETURNS pg_catalog.text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT @extschema@.grade($1, p.grade_excellent, p.grade_good, p.grade_pass)
FROM @extschema@.get_profile($2) AS p
$$;

CREATE FUNCTION @extschema@.profile_indicator_score(target @extschema@.indicator_value,
                                                    actual @extschema@.indicator_value,
                                                    weight pg_catalog.numeric,
                                                    category pg_catalog.text,
                                                    profile pg_catalog.text DEFAULT 'central-2020')
RETURNS pg_catalog.numeric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT @extschema@.indicator_score($1, $2, $3, $4, p.over_achievement_ratio, p.negative_formula)
FROM @extschema@.get_profile($5) AS p
$$;

COMMENT ON FUNCTION @extschema@.get_profile(pg_catalog.text) IS
'The named row of pjeval.profile; raises 22023, listing the known names, when there is none';
COMMENT ON FUNCTION @extschema@.profile_grade(pg_catalog.numeric, pg_catalog.text) IS
'grade() with the bounds of a named profile (default central-2020)';
COMMENT ON FUNCTION @extschema@.profile_indicator_score(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.numeric, pg_catalog.text, pg_catalog.text) IS
'indicator_score() with the over-achievement ratio and negative formula of a named profile (default central-2020)';
