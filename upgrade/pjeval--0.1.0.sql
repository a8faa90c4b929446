-- pjeval 0.1.0: the released install script, frozen (built from src/sql/*.sql at 0.1.0); never edit
\echo Use "CREATE EXTENSION pjeval" to load this file. \quit

-- src/sql/10_indicator_value.sql
-- 10_indicator_value.sql - the type indicator_value (年度指标值 / 实际完成值
-- read once into a typed value), its I/O, its operators and operator
-- classes, the non-throwing reader and the accessors.
--
-- Every function is a thin C wrapper over the core reader (src/core/ivalue.h);
-- the reader depends on no locale, setting or table, so everything here is
-- IMMUTABLE STRICT PARALLEL SAFE.  The database must be UTF-8: the C
-- functions refuse to read text elsewhere, and CREATE EXTENSION stops at the
-- first one (see the end of this file).

-- The schema is created by CREATE EXTENSION, and a new schema grants nothing
-- to PUBLIC: without this no ordinary role could even name the type.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE TYPE @extschema@.indicator_value;

CREATE FUNCTION @extschema@.indicator_value_in(pg_catalog.cstring)
RETURNS @extschema@.indicator_value
AS 'MODULE_PATHNAME', 'indicator_value_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.indicator_value_out(@extschema@.indicator_value)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'indicator_value_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.indicator_value_recv(pg_catalog.internal)
RETURNS @extschema@.indicator_value
AS 'MODULE_PATHNAME', 'indicator_value_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.indicator_value_send(@extschema@.indicator_value)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'indicator_value_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.indicator_value (
    INTERNALLENGTH = VARIABLE,
    INPUT = @extschema@.indicator_value_in,
    OUTPUT = @extschema@.indicator_value_out,
    RECEIVE = @extschema@.indicator_value_recv,
    SEND = @extschema@.indicator_value_send,
    ALIGNMENT = int4,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.indicator_value IS
'A target (年度指标值) or actual (实际完成值) read into comparison, exact number, unit and dimension per clause, or a qualitative text, a claim, 不适用 or an empty cell; prints as its canonical text';
COMMENT ON FUNCTION @extschema@.indicator_value_in(pg_catalog.cstring) IS
'Text input of indicator_value: reads the value, raising 22P02 with the position and an accepted form when it does not read';
COMMENT ON FUNCTION @extschema@.indicator_value_out(@extschema@.indicator_value) IS
'Text output of indicator_value: the canonical text';
COMMENT ON FUNCTION @extschema@.indicator_value_recv(pg_catalog.internal) IS
'Binary input of indicator_value: format version byte 1, then the text in UTF-8, read again by the same reader as the text input';
COMMENT ON FUNCTION @extschema@.indicator_value_send(@extschema@.indicator_value) IS
'Binary output of indicator_value: format version byte 1, then the canonical text in UTF-8';

-- Comparison.  Equal means the same canonical text.  The order (bytewise on
-- the canonical text, then shorter first) is arbitrary but stable: it exists
-- for indexes, DISTINCT, GROUP BY and merge joins, and says nothing about
-- which value is larger.

CREATE FUNCTION @extschema@.indicator_value_eq(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_ne(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_lt(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_le(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_gt(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_ge(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_cmp(@extschema@.indicator_value, @extschema@.indicator_value)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'indicator_value_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_hash(@extschema@.indicator_value)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'indicator_value_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.indicator_value_hash_extended(@extschema@.indicator_value, pg_catalog.int8)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'indicator_value_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

COMMENT ON FUNCTION @extschema@.indicator_value_eq(@extschema@.indicator_value, @extschema@.indicator_value) IS
'True when both values have the same canonical text';
COMMENT ON FUNCTION @extschema@.indicator_value_ne(@extschema@.indicator_value, @extschema@.indicator_value) IS
'True when the canonical texts differ';
COMMENT ON FUNCTION @extschema@.indicator_value_lt(@extschema@.indicator_value, @extschema@.indicator_value) IS
'Sorts before, in the arbitrary but stable order of canonical texts (for indexes and DISTINCT, not magnitude)';
COMMENT ON FUNCTION @extschema@.indicator_value_le(@extschema@.indicator_value, @extschema@.indicator_value) IS
'Sorts before or equal, in the arbitrary but stable order of canonical texts (for indexes and DISTINCT, not magnitude)';
COMMENT ON FUNCTION @extschema@.indicator_value_gt(@extschema@.indicator_value, @extschema@.indicator_value) IS
'Sorts after, in the arbitrary but stable order of canonical texts (for indexes and DISTINCT, not magnitude)';
COMMENT ON FUNCTION @extschema@.indicator_value_ge(@extschema@.indicator_value, @extschema@.indicator_value) IS
'Sorts after or equal, in the arbitrary but stable order of canonical texts (for indexes and DISTINCT, not magnitude)';
COMMENT ON FUNCTION @extschema@.indicator_value_cmp(@extschema@.indicator_value, @extschema@.indicator_value) IS
'Btree support: -1, 0 or 1 in the arbitrary but stable order of canonical texts';
COMMENT ON FUNCTION @extschema@.indicator_value_hash(@extschema@.indicator_value) IS
'Hash support: hash of the canonical text';
COMMENT ON FUNCTION @extschema@.indicator_value_hash_extended(@extschema@.indicator_value, pg_catalog.int8) IS
'Hash support: seeded 64-bit hash of the canonical text';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.indicator_value,
    RIGHTARG = @extschema@.indicator_value,
    FUNCTION = @extschema@.indicator_value_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel,
    JOIN = pg_catalog.eqjoinsel,
    HASHES,
    MERGES
);

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.indicator_value,
    RIGHTARG = @extschema@.indicator_value,
    FUNCTION = @extschema@.indicator_value_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel,
    JOIN = pg_catalog.neqjoinsel
);

CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.indicator_value,
    RIGHTARG = @extschema@.indicator_value,
    FUNCTION = @extschema@.indicator_value_lt,
    COMMUTATOR = OPERATOR(@extschema@.>),
    NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel,
    JOIN = pg_catalog.scalarltjoinsel
);

CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.indicator_value,
    RIGHTARG = @extschema@.indicator_value,
    FUNCTION = @extschema@.indicator_value_le,
    COMMUTATOR = OPERATOR(@extschema@.>=),
    NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel,
    JOIN = pg_catalog.scalarlejoinsel
);

CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.indicator_value,
    RIGHTARG = @extschema@.indicator_value,
    FUNCTION = @extschema@.indicator_value_gt,
    COMMUTATOR = OPERATOR(@extschema@.<),
    NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel,
    JOIN = pg_catalog.scalargtjoinsel
);

CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.indicator_value,
    RIGHTARG = @extschema@.indicator_value,
    FUNCTION = @extschema@.indicator_value_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=),
    NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel,
    JOIN = pg_catalog.scalargejoinsel
);

COMMENT ON OPERATOR @extschema@.= (@extschema@.indicator_value, @extschema@.indicator_value) IS
'equal: the same canonical text';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.indicator_value, @extschema@.indicator_value) IS
'not equal: different canonical texts';
COMMENT ON OPERATOR @extschema@.< (@extschema@.indicator_value, @extschema@.indicator_value) IS
'sorts before (arbitrary but stable order, not magnitude)';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.indicator_value, @extschema@.indicator_value) IS
'sorts before or equal (arbitrary but stable order, not magnitude)';
COMMENT ON OPERATOR @extschema@.> (@extschema@.indicator_value, @extschema@.indicator_value) IS
'sorts after (arbitrary but stable order, not magnitude)';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.indicator_value, @extschema@.indicator_value) IS
'sorts after or equal (arbitrary but stable order, not magnitude)';

-- Equal values have identical stored bytes, so btree deduplication may use
-- the datum image (support function 4, btequalimage).
CREATE OPERATOR CLASS @extschema@.indicator_value_ops
DEFAULT FOR TYPE @extschema@.indicator_value USING btree AS
    OPERATOR 1 @extschema@.< ,
    OPERATOR 2 @extschema@.<= ,
    OPERATOR 3 @extschema@.= ,
    OPERATOR 4 @extschema@.>= ,
    OPERATOR 5 @extschema@.> ,
    FUNCTION 1 @extschema@.indicator_value_cmp(@extschema@.indicator_value, @extschema@.indicator_value),
    FUNCTION 4 pg_catalog.btequalimage(pg_catalog.oid);

CREATE OPERATOR CLASS @extschema@.indicator_value_ops
DEFAULT FOR TYPE @extschema@.indicator_value USING hash AS
    OPERATOR 1 @extschema@.= ,
    FUNCTION 1 @extschema@.indicator_value_hash(@extschema@.indicator_value),
    FUNCTION 2 @extschema@.indicator_value_hash_extended(@extschema@.indicator_value, pg_catalog.int8);

COMMENT ON OPERATOR CLASS @extschema@.indicator_value_ops USING btree IS
'Default btree class of indicator_value: order of canonical texts';
COMMENT ON OPERATOR CLASS @extschema@.indicator_value_ops USING hash IS
'Default hash class of indicator_value: hash of the canonical text';

-- Reading without raising.  Imports load whatever a form holds: these keep
-- the raw text usable when it does not read.

CREATE FUNCTION @extschema@.try_indicator_value(pg_catalog.text)
RETURNS @extschema@.indicator_value
AS 'MODULE_PATHNAME', 'try_indicator_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.indicator_value_error(pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.try_indicator_value(pg_catalog.text) IS
'The text read as an indicator_value, or NULL when it does not read (still raises in a database that is not UTF-8)';
COMMENT ON FUNCTION @extschema@.indicator_value_error(pg_catalog.text) IS
'NULL when the text reads as an indicator_value, else why not: where reading stopped (character from 1) and what was wrong there';

-- Accessors.  The scalar ones (comparison, number, base_value, base_upper,
-- unit, base_unit, dimension, label) answer for a value of exactly one
-- clause, a quantity or a claim with a number; for anything else they
-- return NULL, and clauses() gives every clause.

CREATE FUNCTION @extschema@.kind(@extschema@.indicator_value)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_kind'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.comparison(@extschema@.indicator_value)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_comparison'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.number(@extschema@.indicator_value)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'indicator_value_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.base_value(@extschema@.indicator_value)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'indicator_value_base_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.base_upper(@extschema@.indicator_value)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'indicator_value_base_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.unit(@extschema@.indicator_value)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_unit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.base_unit(@extschema@.indicator_value)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_base_unit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.dimension(@extschema@.indicator_value)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_dimension'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.label(@extschema@.indicator_value)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'indicator_value_label'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.is_qualitative(@extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_is_qualitative'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.is_claim(@extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_is_claim'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.is_not_applicable(@extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_is_not_applicable'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.is_empty(@extschema@.indicator_value)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'indicator_value_is_empty'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.clause_count(@extschema@.indicator_value)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'indicator_value_clause_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.clauses(@extschema@.indicator_value)
RETURNS TABLE (
    "position" pg_catalog.int4,
    label pg_catalog.text,
    comparison pg_catalog.text,
    number pg_catalog.numeric,
    upper pg_catalog.numeric,
    unit pg_catalog.text,
    base_value pg_catalog.numeric,
    base_upper pg_catalog.numeric,
    base_unit pg_catalog.text,
    dimension pg_catalog.text
)
AS 'MODULE_PATHNAME', 'indicator_value_clauses'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 2;

COMMENT ON FUNCTION @extschema@.kind(@extschema@.indicator_value) IS
'quantity, qualitative, claim, not_applicable or empty';
COMMENT ON FUNCTION @extschema@.comparison(@extschema@.indicator_value) IS
'The comparison of a one-clause value: = ≥ > ≤ < ≈ or range; NULL otherwise';
COMMENT ON FUNCTION @extschema@.number(@extschema@.indicator_value) IS
'The number of a one-clause value as written (a range: its lower bound; a date: yyyymmdd); NULL otherwise';
COMMENT ON FUNCTION @extschema@.base_value(@extschema@.indicator_value) IS
'The number of a one-clause value in its base unit, exactly (461.74万元 is 4617400; a range: its lower bound); NULL otherwise';
COMMENT ON FUNCTION @extschema@.base_upper(@extschema@.indicator_value) IS
'The upper bound of a one-clause range in its base unit, exactly; NULL for anything but a range';
COMMENT ON FUNCTION @extschema@.unit(@extschema@.indicator_value) IS
'The unit of a one-clause value as written (万元, 次/周); NULL for a bare number or anything but one clause';
COMMENT ON FUNCTION @extschema@.base_unit(@extschema@.indicator_value) IS
'The base unit of a one-clause value (元, %, 秒, 月, 人次, 元/人); NULL for a bare number or anything but one clause';
COMMENT ON FUNCTION @extschema@.dimension(@extschema@.indicator_value) IS
'The dimension of a one-clause value (none, ratio, money, duration, frequency, count, length, area, mass, volume, date, rate); NULL otherwise';
COMMENT ON FUNCTION @extschema@.label(@extschema@.indicator_value) IS
'The label of a one-clause value (采集率 in 采集率达95%以上); NULL when it has none or is not one clause';
COMMENT ON FUNCTION @extschema@.is_qualitative(@extschema@.indicator_value) IS
'True for a qualitative text (重点解决) and for a claim (已完成): nothing a ratio can be computed from';
COMMENT ON FUNCTION @extschema@.is_claim(@extschema@.indicator_value) IS
'True for an actual that claims achievement instead of measuring it (已完成, 达标, 已完成100%)';
COMMENT ON FUNCTION @extschema@.is_not_applicable(@extschema@.indicator_value) IS
'True for 不适用';
COMMENT ON FUNCTION @extschema@.is_empty(@extschema@.indicator_value) IS
'True for an empty cell or a placeholder (- — / 一)';
COMMENT ON FUNCTION @extschema@.clause_count(@extschema@.indicator_value) IS
'The number of clauses (采集率达95%以上，准确率达90%以上 has 2; a qualitative value 0)';
COMMENT ON FUNCTION @extschema@.clauses(@extschema@.indicator_value) IS
'One row per clause in the order written: label, comparison, number and upper bound as written, unit, and both bounds in the base unit (a date: yyyymmdd)';

-- Stop CREATE EXTENSION at once in a database that is not UTF-8, with the
-- same clear error every C function gives, rather than install a type that
-- can hold nothing.  (The result of the SELECT is discarded.)
SELECT @extschema@.indicator_value_error('0');

-- src/sql/20_profile.sql
-- 20_profile.sql - what varies by locality, as data: named scoring profiles.
--
-- The pure scoring functions take these knobs as arguments with the
-- central-2020 values as defaults (so they stay IMMUTABLE); views and the
-- profile_* helpers read them from here (STABLE).  Built-in rows ship with
-- the extension and are left out of pg_dump (CREATE EXTENSION recreates
-- them); a user's own profiles are dumped with the data.

CREATE TABLE @extschema@.profile (
    name                   text PRIMARY KEY
                           CHECK (name ~ '^[a-z0-9][a-z0-9_.-]*$'),
    description            text NOT NULL DEFAULT '',
    builtin                boolean NOT NULL DEFAULT false,
    -- level-1 weights; cost_weight is set where 成本指标 is its own level 1
    -- (财预〔2021〕101号), NULL where it sits under 产出指标
    execution_weight       numeric(6,2) NOT NULL DEFAULT 10 CHECK (execution_weight >= 0),
    output_weight          numeric(6,2) NOT NULL DEFAULT 50 CHECK (output_weight >= 0),
    benefit_weight         numeric(6,2) NOT NULL DEFAULT 30 CHECK (benefit_weight >= 0),
    satisfaction_weight    numeric(6,2) NOT NULL DEFAULT 10 CHECK (satisfaction_weight >= 0),
    cost_weight            numeric(6,2) CHECK (cost_weight >= 0),
    -- grade bands: 优 ≥ excellent, 良 ≥ good, 中 ≥ pass, else 差
    grade_excellent        numeric(5,2) NOT NULL DEFAULT 90,
    grade_good             numeric(5,2) NOT NULL DEFAULT 80,
    grade_pass             numeric(5,2) NOT NULL DEFAULT 60,
    -- qualitative bands as shares of the weight: 达成 [achieved, 1],
    -- 部分达成 [partial, achieved), 未达成 [0, partial)
    band_achieved          numeric(4,3) NOT NULL DEFAULT 0.80,
    band_partial           numeric(4,3) NOT NULL DEFAULT 0.60,
    -- a positive indicator at A/T ≥ this ratio must explain itself (广西: 1.30)
    over_achievement_ratio numeric(6,3) NOT NULL DEFAULT 1.30 CHECK (over_achievement_ratio > 1),
    -- a missed negative indicator: 'ratio' T/A, or 'linear' 1 - (A-T)/T
    negative_formula       text NOT NULL DEFAULT 'ratio'
                           CHECK (negative_formula IN ('ratio', 'linear')),
    -- an execution rate below this percentage is flagged
    low_execution_rate     numeric(5,2) NOT NULL DEFAULT 80 CHECK (low_execution_rate >= 0),
    CHECK (execution_weight + output_weight + benefit_weight + satisfaction_weight
           + coalesce(cost_weight, 0) = 100),
    CHECK (grade_excellent > grade_good AND grade_good > grade_pass AND grade_pass >= 0),
    CHECK (band_achieved > band_partial AND band_partial > 0 AND band_achieved <= 1)
);

COMMENT ON TABLE @extschema@.profile IS
'Named scoring profiles: level-1 weights, grade and qualitative bands, over-achievement ratio and negative-indicator formula. central-2020 (财预〔2020〕10号) is the default.';

INSERT INTO @extschema@.profile (name, description, builtin)
VALUES ('central-2020', '财政部《项目支出绩效评价管理办法》(财预〔2020〕10号): 执行率10, 产出50, 效益30, 满意度10; 优≥90 良≥80 中≥60', true);

-- Built-in rows are part of the extension: change a copy, not the original.
CREATE FUNCTION @extschema@.profile_protect_builtin()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.builtin) OR (TG_OP <> 'INSERT' AND OLD.builtin) THEN
        RAISE EXCEPTION 'profile "%" is built in', coalesce(OLD.name, NEW.name)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ... ';
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$;

CREATE TRIGGER profile_protect_builtin
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.profile
FOR EACH ROW EXECUTE FUNCTION @extschema@.profile_protect_builtin();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.profile', 'WHERE NOT builtin');

GRANT SELECT ON @extschema@.profile TO PUBLIC;

-- src/sql/30_scoring.sql
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
'The audit flags of an indicator, in a fixed order (not_met, over_achieved at A/T ≥ over_ratio, incomparable_units, qualitative_needs_band, actual_is_claim, missing_value, unmatched_clause, too_large, date_missed); {unreadable} for a NULL target or actual; {} when none. Numbers beyond exact arithmetic give too_large (and a NULL score), never an error';
COMMENT ON FUNCTION @extschema@.assess(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.numeric, pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
'Rule, completion, score and flags of an indicator in one call, each equal to what completion(), indicator_score() and indicator_flags() return (completion follows negative_formula); for views: CROSS JOIN LATERAL pjeval.assess(...)';
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

-- src/sql/35_form_reader.sql
-- 35_form_reader.sql - reading the form template's text (项目支出绩效自评表
-- copied out of a spreadsheet as tab-separated text) into one jsonb array
-- of forms; pjeval.import_forms() turns that into rows.

CREATE FUNCTION @extschema@.read_forms(document text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'read_forms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_forms(text) IS
'Reads every 项目支出绩效自评表 of a tab-separated document into a jsonb array: per form its header, amount unit, goals, totals, notes, funds[] and indicators[] (cells as written; amounts, weights and scores as numbers). A form that cannot be read at all raises 22P02 naming the form, the line and what was expected.';

-- src/sql/40_schema.sql
-- 40_schema.sql - the tables that hold a 项目支出绩效自评表 as written:
-- units, projects, one evaluation per project and year, its fund lines and
-- indicator rows; who belongs to which unit and who reviews; the history of
-- every change.  Scores are never stored as truth: the form's reported
-- numbers are kept as reported and the views (50_views.sql) compute beside
-- them.  Row-level security, the workflow and the grants are in
-- 60_security.sql.
--
-- Constraints reject only what no real form can hold (a negative amount or
-- weight, a year outside 2000-2100, a 得分 on a fund row that has no 得分
-- cell); the merely unusual (a score above its weight, weights that do not
-- total 100, a non-standard level-2 under a level-1) is stored and flagged by
-- pjeval.audit_finding.
--
-- Every name is schema-qualified and every function has a fixed search_path,
-- so nothing here depends on the caller's search_path.

-- Units (实施单位, 一级预算单位).  A unit may sit under a parent unit.
CREATE TABLE @extschema@.unit (
    unit_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL
                CONSTRAINT unit_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    parent_id   bigint REFERENCES @extschema@.unit (unit_id),
    code        text UNIQUE
                CONSTRAINT unit_code_not_blank CHECK (pg_catalog.btrim(code) <> ''),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT unit_not_own_parent CHECK (parent_id <> unit_id)
);
CREATE UNIQUE INDEX unit_top_name_key ON @extschema@.unit (name) WHERE parent_id IS NULL;
CREATE UNIQUE INDEX unit_parent_name_key ON @extschema@.unit (parent_id, name) WHERE parent_id IS NOT NULL;

COMMENT ON TABLE @extschema@.unit IS
'Budget units: an implementing unit (实施单位) and the level-1 budget unit (一级预算单位) it belongs to; parent_id links a unit to the unit above it';
COMMENT ON COLUMN @extschema@.unit.code IS 'The unit''s own code (单位编码), when known';

-- A unit cannot be its own ancestor.
CREATE FUNCTION @extschema@.unit_check_parent()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE up (unit_id, parent_id) AS (
            SELECT u.unit_id, u.parent_id FROM @extschema@.unit u WHERE u.unit_id = NEW.parent_id
            UNION
            SELECT u.unit_id, u.parent_id FROM @extschema@.unit u JOIN up ON u.unit_id = up.parent_id
        )
        SELECT 1 FROM up WHERE up.unit_id = NEW.unit_id)
    THEN
        RAISE EXCEPTION 'unit "%" cannot be placed under unit "%", which is already below it or is itself',
                NEW.name, (SELECT u.name FROM @extschema@.unit u WHERE u.unit_id = NEW.parent_id)
            USING ERRCODE = 'check_violation',
                  HINT = 'The units would form a cycle; choose a parent that is not one of its sub-units.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER unit_check_parent
BEFORE INSERT OR UPDATE OF parent_id ON @extschema@.unit
FOR EACH ROW EXECUTE FUNCTION @extschema@.unit_check_parent();

-- Projects (项目编号, 项目名称).  Real forms sometimes lack the code; a project
-- without one is known by its unit and name.
CREATE TABLE @extschema@.project (
    project_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text UNIQUE
                CONSTRAINT project_code_not_blank CHECK (pg_catalog.btrim(code) <> ''),
    name        text NOT NULL
                CONSTRAINT project_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    unit_id     bigint NOT NULL REFERENCES @extschema@.unit (unit_id),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX project_uncoded_name_key ON @extschema@.project (unit_id, name) WHERE code IS NULL;
CREATE INDEX project_unit_idx ON @extschema@.project (unit_id);

COMMENT ON TABLE @extschema@.project IS
'Projects: 项目编号 (code, NULL where the form has none), 项目名称 and the implementing unit (实施单位), whose members may see and change its forms';

-- One form: a project's self-evaluation for one year.
CREATE TABLE @extschema@.evaluation (
    evaluation_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT evaluation_year_range CHECK (year BETWEEN 2000 AND 2100),
    profile         text NOT NULL DEFAULT 'central-2020'
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE,
    budget_unit_id  bigint REFERENCES @extschema@.unit (unit_id),
    amount_unit     text NOT NULL DEFAULT '元'
                    CONSTRAINT evaluation_amount_unit CHECK (amount_unit IN ('元', '万元')),
    expected_goal   text,
    actual_outcome  text,
    reported_weight_total numeric
                    CONSTRAINT evaluation_reported_weight_total_range CHECK (reported_weight_total BETWEEN 0 AND 100),
    reported_total  numeric
                    CONSTRAINT evaluation_reported_total_range CHECK (reported_total BETWEEN 0 AND 100),
    notes           text,
    status          text NOT NULL DEFAULT 'draft'
                    CONSTRAINT evaluation_status CHECK (status IN ('draft', 'submitted', 'approved')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     name,
    CONSTRAINT evaluation_project_year_key UNIQUE (project_id, year)
);
CREATE INDEX evaluation_year_idx ON @extschema@.evaluation (year);
CREATE INDEX evaluation_profile_idx ON @extschema@.evaluation (profile);
CREATE INDEX evaluation_budget_unit_idx ON @extschema@.evaluation (budget_unit_id);

COMMENT ON TABLE @extschema@.evaluation IS
'One 项目支出绩效自评表: a project''s self-evaluation for one year (绩效自评年度), scored by a profile; draft, submitted or approved';
COMMENT ON COLUMN @extschema@.evaluation.budget_unit_id IS '一级预算单位 as written on the form';
COMMENT ON COLUMN @extschema@.evaluation.amount_unit IS 'The unit of the fund amounts, from the row label 项目资金（元） or （万元）';
COMMENT ON COLUMN @extschema@.evaluation.expected_goal IS '年度总体目标: 预期目标, as written';
COMMENT ON COLUMN @extschema@.evaluation.actual_outcome IS '年度总体目标: 实际完成情况, as written';
COMMENT ON COLUMN @extschema@.evaluation.reported_weight_total IS '总分 row, 分值 column, as written (normally 100)';
COMMENT ON COLUMN @extschema@.evaluation.reported_total IS '总分 row, 得分 column, as written';
COMMENT ON COLUMN @extschema@.evaluation.notes IS '备注, as written';
COMMENT ON COLUMN @extschema@.evaluation.status IS 'draft → submitted (pjeval.submit) → approved (pjeval.approve); pjeval.reopen returns it to draft';

-- 资金使用情况: one row per source.  Only the 年度资金总额 row has the 分值,
-- 执行率 and 得分 cells.  A blank amount cell is 0.
CREATE TABLE @extschema@.fund_line (
    fund_line_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id   bigint NOT NULL REFERENCES @extschema@.evaluation (evaluation_id) ON DELETE CASCADE,
    source          text NOT NULL
                    CONSTRAINT fund_line_source CHECK (source IN ('total', 'appropriation', 'carryover', 'other')),
    initial_budget  numeric NOT NULL DEFAULT 0
                    CONSTRAINT fund_line_initial_budget_not_negative CHECK (initial_budget >= 0),
    annual_budget   numeric NOT NULL DEFAULT 0
                    CONSTRAINT fund_line_annual_budget_not_negative CHECK (annual_budget >= 0),
    executed        numeric NOT NULL DEFAULT 0
                    CONSTRAINT fund_line_executed_not_negative CHECK (executed >= 0),
    reported_weight numeric
                    CONSTRAINT fund_line_reported_weight_range CHECK (reported_weight BETWEEN 0 AND 100),
    reported_rate   numeric
                    CONSTRAINT fund_line_reported_rate_not_negative CHECK (reported_rate >= 0),
    reported_score  numeric
                    CONSTRAINT fund_line_reported_score_range CHECK (reported_score BETWEEN 0 AND 100),
    CONSTRAINT fund_line_score_only_on_total
        CHECK (source = 'total' OR (reported_weight IS NULL AND reported_rate IS NULL AND reported_score IS NULL)),
    CONSTRAINT fund_line_evaluation_source_key UNIQUE (evaluation_id, source)
);

COMMENT ON TABLE @extschema@.fund_line IS
'资金使用情况: total = 年度资金总额, appropriation = 当年财政拨款, carryover = 上年结转资金, other = 其他资金; amounts in the evaluation''s amount_unit';
COMMENT ON COLUMN @extschema@.fund_line.initial_budget IS '年初预算数';
COMMENT ON COLUMN @extschema@.fund_line.annual_budget IS '全年预算数 (the adjusted budget the execution rate divides by)';
COMMENT ON COLUMN @extschema@.fund_line.executed IS '全年执行数';
COMMENT ON COLUMN @extschema@.fund_line.reported_weight IS '分值 as written (total row only)';
COMMENT ON COLUMN @extschema@.fund_line.reported_rate IS '执行率 (%) as written (total row only)';
COMMENT ON COLUMN @extschema@.fund_line.reported_score IS '得分 as written (total row only)';

-- 年度绩效指标: one row per indicator, in the form's order.  level1 and
-- level2 hold the cell's text, filled down from the row above where the form
-- leaves it blank; level1 may carry its weight (产出指标 (50分)).  target and
-- actual are read from the text by a trigger: NULL where the text does not
-- read (never an error), an empty value where the cell is empty.
CREATE TABLE @extschema@.indicator (
    indicator_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id   bigint NOT NULL REFERENCES @extschema@.evaluation (evaluation_id) ON DELETE CASCADE,
    position        integer NOT NULL
                    CONSTRAINT indicator_position_positive CHECK (position >= 1),
    level1          text NOT NULL
                    CONSTRAINT indicator_level1_not_blank CHECK (pg_catalog.btrim(level1) <> ''),
    level2          text NOT NULL
                    CONSTRAINT indicator_level2_not_blank CHECK (pg_catalog.btrim(level2) <> ''),
    level3          text NOT NULL
                    CONSTRAINT indicator_level3_not_blank CHECK (pg_catalog.btrim(level3) <> ''),
    target_text     text,
    actual_text     text,
    target          @extschema@.indicator_value,
    actual          @extschema@.indicator_value,
    weight          numeric
                    CONSTRAINT indicator_weight_range CHECK (weight BETWEEN 0 AND 100),
    reported_score  numeric
                    CONSTRAINT indicator_reported_score_range CHECK (reported_score BETWEEN 0 AND 100),
    deviation_reason text,
    band            text
                    CONSTRAINT indicator_band CHECK (band IN ('achieved', 'partial', 'not_achieved')),
    CONSTRAINT indicator_evaluation_position_key UNIQUE (evaluation_id, position)
);

COMMENT ON TABLE @extschema@.indicator IS
'年度绩效指标: one row per indicator with its levels, target and actual as written and as read, weight (分值), reported score (得分) and deviation explanation';
COMMENT ON COLUMN @extschema@.indicator.level1 IS '一级指标 as written (may carry its weight: 产出指标 (50分)), filled down';
COMMENT ON COLUMN @extschema@.indicator.level2 IS '二级指标 as written, filled down';
COMMENT ON COLUMN @extschema@.indicator.level3 IS '三级指标 as written';
COMMENT ON COLUMN @extschema@.indicator.target_text IS '年度指标值 exactly as written (NULL: empty cell)';
COMMENT ON COLUMN @extschema@.indicator.actual_text IS '实际完成值 exactly as written (NULL: empty cell)';
COMMENT ON COLUMN @extschema@.indicator.target IS 'target_text read by try_indicator_value (set by a trigger; NULL when it does not read)';
COMMENT ON COLUMN @extschema@.indicator.actual IS 'actual_text read by try_indicator_value (set by a trigger; NULL when it does not read)';
COMMENT ON COLUMN @extschema@.indicator.weight IS '分值 as written; NULL where the cell is empty';
COMMENT ON COLUMN @extschema@.indicator.reported_score IS '得分 as written';
COMMENT ON COLUMN @extschema@.indicator.deviation_reason IS '偏差原因分析及改进措施';
COMMENT ON COLUMN @extschema@.indicator.band IS 'The evaluator''s band for a qualitative result: achieved (达成年度指标), partial (部分达成), not_achieved (未达成)';

-- The typed values always follow the text: they are written here and nowhere
-- else, so an UPDATE of target or actual alone cannot make them disagree.
CREATE FUNCTION @extschema@.indicator_read_values()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.target := @extschema@.try_indicator_value(coalesce(NEW.target_text, ''));
    NEW.actual := @extschema@.try_indicator_value(coalesce(NEW.actual_text, ''));
    RETURN NEW;
END
$$;

CREATE TRIGGER indicator_read_values
BEFORE INSERT OR UPDATE ON @extschema@.indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.indicator_read_values();

-- Who is who.  Roles are cluster-wide, so the extension creates none: these
-- tables name roles that exist (or will).  A role is a member of a unit when
-- it is a member (pg_has_role ... 'MEMBER') of a role listed for the unit;
-- with_subunits extends that to the units below.  A role is a reviewer when
-- it is a member of a role listed in reviewer.
CREATE TABLE @extschema@.unit_member (
    unit_id         bigint NOT NULL REFERENCES @extschema@.unit (unit_id) ON DELETE CASCADE,
    role_name       name NOT NULL,
    with_subunits   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (unit_id, role_name)
);
CREATE INDEX unit_member_role_idx ON @extschema@.unit_member (role_name);

CREATE TABLE @extschema@.reviewer (
    role_name       name PRIMARY KEY
);

COMMENT ON TABLE @extschema@.unit_member IS
'Which database roles (and their members) work for a unit: they see and change its forms; with_subunits also those of the units below it';
COMMENT ON TABLE @extschema@.reviewer IS
'Database roles whose members review: they see every form, approve and reopen';

-- The two questions row-level security asks.  SECURITY DEFINER so that they
-- can read the membership tables whatever the caller may see; the caller
-- passes its own CURRENT_USER (policies and views do), since inside a
-- SECURITY DEFINER function current_user is the owner.  A role that
-- bypasses row-level security (superuser, BYPASSRLS) is a reviewer.
CREATE FUNCTION @extschema@.is_reviewer(role_name name)
RETURNS boolean
LANGUAGE sql
STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.rolname = $1 AND (r.rolsuper OR r.rolbypassrls))
        OR EXISTS (SELECT 1
                   FROM @extschema@.reviewer v
                   JOIN pg_catalog.pg_roles r ON r.rolname = v.role_name
                   WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER'))
$$;

CREATE FUNCTION @extschema@.member_units(role_name name)
RETURNS bigint[]
LANGUAGE sql
STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE mine (unit_id, with_subunits) AS (
        SELECT m.unit_id, m.with_subunits
        FROM @extschema@.unit_member m
        JOIN pg_catalog.pg_roles r ON r.rolname = m.role_name
        WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER')
        UNION
        SELECT u.unit_id, true
        FROM @extschema@.unit u
        JOIN mine ON u.parent_id = mine.unit_id AND mine.with_subunits
    )
    SELECT coalesce(pg_catalog.array_agg(DISTINCT unit_id), '{}') FROM mine
$$;

COMMENT ON FUNCTION @extschema@.is_reviewer(name) IS
'True when the role is a member of a role listed in pjeval.reviewer, or bypasses row-level security; call it with CURRENT_USER';
COMMENT ON FUNCTION @extschema@.member_units(name) IS
'The units whose forms the role may see and change (through pjeval.unit_member, with sub-units where with_subunits); call it with CURRENT_USER';

-- History: every INSERT, UPDATE and DELETE on the tables above, as whole rows
-- in jsonb.  It is written by a SECURITY DEFINER trigger, so no one needs (or
-- gets) the right to write it; rows are never changed or removed (see
-- history_append_only).  evaluation_id and unit_id are copied, not
-- referenced: the history of a deleted form stays, and stays visible to its
-- unit.
CREATE TABLE @extschema@.history (
    history_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name      text NOT NULL,
    operation       text NOT NULL
                    CONSTRAINT history_operation CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
    evaluation_id   bigint,
    unit_id         bigint,
    row_id          bigint,
    old_row         jsonb,
    new_row         jsonb,
    session_user_name name NOT NULL,
    current_user_name name NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    transaction_id  bigint NOT NULL
);
CREATE INDEX history_evaluation_idx ON @extschema@.history (evaluation_id, history_id);
CREATE INDEX history_unit_idx ON @extschema@.history (unit_id);

COMMENT ON TABLE @extschema@.history IS
'Every INSERT, UPDATE, DELETE (and TRUNCATE) on the pjeval form tables: the old and new row as jsonb, who (session_user, and the role in effect) and when. Append-only';
COMMENT ON COLUMN @extschema@.history.row_id IS 'The row''s own key (indicator_id, fund_line_id, ...), where it has a single one';
COMMENT ON COLUMN @extschema@.history.current_user_name IS 'The role in effect when the change was made: SET ROLE''s role, else the session user';

-- pg_dump and pg_restore set row_security = off and check_function_bodies =
-- off before they load data, and only a role that bypasses row-level
-- security can write these tables then.  While both are off the triggers let
-- rows in as they were dumped: an approved form's rows, its timestamps, and
-- no second copy of the history (the dumped history is loaded with them).
CREATE FUNCTION @extschema@.restoring_dump()
RETURNS boolean
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.current_setting('row_security') OPERATOR(pg_catalog.=) 'off'
       AND pg_catalog.current_setting('check_function_bodies') OPERATOR(pg_catalog.=) 'off'
$$;

COMMENT ON FUNCTION @extschema@.restoring_dump() IS
'True while a dump is being loaded (row_security and check_function_bodies both off, as pg_dump and pg_restore set them): the workflow checks and the history stand aside';

-- One statement's rows at a time (statement-level triggers with transition
-- tables): a load of many rows writes its history with one INSERT, not one
-- trigger call per row.  The old and new rows of an UPDATE are paired in the
-- order the statement changed them, the order both transition tables keep.
-- The query is put together per table and operation (each trigger has only
-- its own transition tables), once per statement.
CREATE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@'
       OR TG_TABLE_NAME NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE TG_TABLE_NAME
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id FROM @extschema@.project p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true';
        WHEN 'fund_line', 'indicator' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN 'coalesce(p.unit_id, (SELECT h.unit_id FROM @extschema@.history h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))'
                         ELSE 'p.unit_id' END;
            joins := 'LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM @extschema@.evaluation e
                                         JOIN @extschema@.project p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true';
        WHEN 'reviewer' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT $1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        eval_id, unit,
        CASE WHEN TG_TABLE_NAME IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator')
             THEN 't.' || TG_TABLE_NAME || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING TG_TABLE_NAME::text, TG_OP, acting;
    RETURN NULL;
END
$$;

-- TRUNCATE removes rows without row triggers: keep them in the history first.
CREATE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@'
       OR TG_TABLE_NAME NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$I.%4$I t$q$,
        TG_TABLE_NAME, TG_TABLE_NAME || '_id', TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.unit
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.unit
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.unit
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.project
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.project
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.project
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.evaluation
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.unit_member
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.unit_member
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.unit_member
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.reviewer
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.reviewer
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.reviewer
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history();

CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.unit
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.project
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.evaluation
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.unit_member
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.reviewer
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate();

-- The history is append-only, for its owner too.
CREATE FUNCTION @extschema@.history_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'pjeval.history is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'To prune it on purpose, a superuser can ALTER TABLE pjeval.history DISABLE TRIGGER USER for the time it takes.';
END
$$;

CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON @extschema@.history
FOR EACH ROW EXECUTE FUNCTION @extschema@.history_append_only();
CREATE TRIGGER history_append_only_truncate BEFORE TRUNCATE ON @extschema@.history
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.history_append_only();

-- Trigger functions are for the triggers above, not to be attached elsewhere
-- (a trigger fires without EXECUTE; CREATE TRIGGER needs it).
REVOKE EXECUTE ON FUNCTION @extschema@.unit_check_parent() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.indicator_read_values() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.record_history() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.record_truncate() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.history_append_only() FROM PUBLIC;

-- pg_dump keeps the rows of these tables (and where their keys stand): they
-- are the users' data, not the extension's.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.evaluation', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fund_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit_member', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reviewer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit_unit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_project_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.evaluation_evaluation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fund_line_fund_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator_indicator_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.history_history_id_seq', '');

-- src/sql/50_views.sql
-- 50_views.sql - what the rules make of the stored forms, computed live on
-- every read (scores are never stored):
--
--   indicator_result   every indicator: completion, computed and reported
--                      score, their difference, flags, finding codes
--   evaluation_result  every form: execution rate, fund score, subtotals per
--                      level 1, total, grade, weights, finding codes
--   audit_finding      one row per problem, with a stable code, a severity
--                      and a message in Chinese and English
--   finding_code       the list of codes (documentation as data)
--
-- assess() runs once per indicator row (CROSS JOIN LATERAL); per-form
-- numbers come from grouped joins, never from a subquery per row.
--
-- Who sees what: every view keeps only the forms of the caller's units (all
-- of them for a reviewer) by the same test as the row-level security policies
-- (60_security.sql), with CURRENT_USER evaluated at query time.  Where the
-- server has security_invoker (PostgreSQL 15+) the views also run with the
-- caller's rights, so the tables' own policies apply as well; before 15 a
-- view reads its tables with its owner's rights, and the owner (who installed
-- the extension) bypasses row-level security, so the views' own test is what
-- keeps units apart there.  security_barrier keeps a caller's functions from
-- seeing rows before that test has run.

-- Standard placement (scoring-rules §1): 产出 = 数量/质量/时效/成本指标,
-- 效益 = 经济效益/社会效益/生态效益/可持续影响指标, 满意度 = 服务对象满意度/
-- 其他满意度指标, and 成本 as its own level 1 (财预〔2021〕101号) = 经济成本/
-- 社会成本/生态环境成本指标.  Names are compared without spaces, without a
-- weight in brackets (产出指标 (50分)) and without the word 指标.
CREATE VIEW @extschema@.indicator_result WITH (security_barrier = true) AS
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
              AND NOT (n.level1_kind = 'cost' AND h.level2_name = '成本') THEN 'level2_misplaced' END,
        CASE WHEN n.level1_kind IS NULL THEN 'level1_nonstandard' END,
        CASE WHEN h.level2_home IS NULL THEN 'level2_nonstandard' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN a.score IS NULL AND i.reported_score IS NULL THEN 'score_unavailable' END
    ], NULL) AS findings
FROM @extschema@.indicator i
JOIN @extschema@.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.profile pr ON pr.name = e.profile
-- The level names, read once per row: the normalised name is the key of a
-- join with the list of standard names, so it is computed once when the
-- row is probed and the kind comes back as a column.  Written as a LATERAL
-- sub-select instead, the expressions would be copied into every reference
-- to level1_kind (a dozen in evaluation_result), each running the regular
-- expressions again; a sub-select kept apart with OFFSET 0 would run once
-- per row too, but on PostgreSQL 15 its parameters keep the whole view out
-- of parallel workers, and a function scan costs a microsecond a row.  A
-- cell that is exactly a standard name (most are) skips the regular
-- expressions, which cost a microsecond or more each.
LEFT JOIN (VALUES ('产出', 'output'), ('效益', 'benefit'), ('满意度', 'satisfaction'), ('成本', 'cost'))
    AS n (level1_name, level1_kind)
    ON n.level1_name = CASE WHEN i.level1 IN ('产出指标', '效益指标', '满意度指标', '成本指标')
                            THEN pg_catalog.left(i.level1, -2)
                            ELSE pg_catalog.regexp_replace(
                                     pg_catalog.regexp_replace(i.level1, '[[:space:]　]+|[（(][^）)]*[）)]', '', 'g'),
                                     '指标$', '')
                       END
LEFT JOIN (VALUES ('数量', 'output'), ('质量', 'output'), ('时效', 'output'), ('成本', 'output'),
                  ('经济效益', 'benefit'), ('社会效益', 'benefit'), ('生态效益', 'benefit'), ('可持续影响', 'benefit'),
                  ('服务对象满意度', 'satisfaction'), ('其他满意度', 'satisfaction'),
                  ('经济成本', 'cost'), ('社会成本', 'cost'), ('生态环境成本', 'cost'))
    AS h (level2_name, level2_home)
    ON h.level2_name = CASE WHEN i.level2 IN ('数量指标', '质量指标', '时效指标', '成本指标', '经济效益指标',
                                              '社会效益指标', '生态效益指标', '可持续影响指标', '服务对象满意度指标',
                                              '其他满意度指标', '经济成本指标', '社会成本指标', '生态环境成本指标')
                            THEN pg_catalog.left(i.level2, -2)
                            ELSE pg_catalog.regexp_replace(
                                     pg_catalog.regexp_replace(i.level2, '[[:space:]　]+|[（(][^）)]*[）)]', '', 'g'),
                                     '指标$', '')
                       END
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

COMMENT ON VIEW @extschema@.indicator_result IS
'Every indicator the caller may see, scored live: rule, completion, computed and reported score and their difference, the score that counts in the total (the computed one, else the reported one), assess() flags and finding codes (see pjeval.audit_finding)';
COMMENT ON COLUMN @extschema@.indicator_result.level1_kind IS 'output (产出), benefit (效益), satisfaction (满意度), cost (成本), or NULL for a non-standard level 1';
COMMENT ON COLUMN @extschema@.indicator_result.level2_home IS 'The level 1 this level 2 belongs under by the standard (NULL: not a standard level 2)';
COMMENT ON COLUMN @extschema@.indicator_result.score_difference IS 'reported_score - computed_score';
COMMENT ON COLUMN @extschema@.indicator_result.counted_score IS 'The score the total counts: computed_score, or reported_score where the rules leave the score to a person (scoring-rules §3)';
COMMENT ON COLUMN @extschema@.indicator_result.band_low IS 'The lowest score the recorded band allows';
COMMENT ON COLUMN @extschema@.indicator_result.band_high IS 'The highest score the recorded band allows (excluded for partial and not_achieved)';
COMMENT ON COLUMN @extschema@.indicator_result.findings IS 'Codes of the problems found on this row (pjeval.finding_code)';

-- One row per form.  Amounts are in 元 (万元 forms multiplied by 10000).  The
-- total is the fund score plus every indicator's counted score, each rounded
-- first; it is NULL (and a finding says why) when some part has neither a
-- computed nor a reported score, so it is never silently low.
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
    @extschema@.grade(t.total_score, pr.grade_excellent, pr.grade_good, pr.grade_pass) AS grade,
    c.fund_weight + coalesce(s.weight_total, 0) AS weight_total,
    s.output_weight,
    s.benefit_weight,
    s.satisfaction_weight,
    s.cost_weight,
    s.other_weight,
    t.reported_score_sum,
    coalesce(s.indicator_count, 0) AS indicator_count,
    ff.findings,
    pg_catalog.cardinality(ff.findings) + coalesce(s.finding_count, 0) AS finding_count
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.unit u ON u.unit_id = p.unit_id
LEFT JOIN @extschema@.unit bu ON bu.unit_id = e.budget_unit_id
JOIN @extschema@.profile pr ON pr.name = e.profile
LEFT JOIN (
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
    GROUP BY fl.evaluation_id
) f ON f.evaluation_id = e.evaluation_id
LEFT JOIN (
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
    FROM @extschema@.indicator_result r
    GROUP BY r.evaluation_id
) s ON s.evaluation_id = e.evaluation_id
CROSS JOIN LATERAL (
    SELECT CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor
) m
CROSS JOIN LATERAL (
    SELECT @extschema@.execution_rate(f.annual_budget, f.executed) AS execution_rate,
           coalesce(f.reported_weight, pr.execution_weight) AS fund_weight,
           @extschema@.fund_score(f.annual_budget, f.executed,
                                  coalesce(f.reported_weight, pr.execution_weight)) AS fund_score
) c
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce(c.fund_score, f.reported_score) IS NULL OR coalesce(s.unscored, 0) > 0 THEN NULL
                ELSE coalesce(c.fund_score, f.reported_score) + coalesce(s.indicator_score, 0)
           END AS total_score,
           coalesce(f.reported_score, 0) + coalesce(s.reported_score_total, 0) AS reported_score_sum
) t
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
        CASE WHEN pg_catalog.abs(f.reported_rate - c.execution_rate) > 0.01 THEN 'fund_rate_mismatch' END,
        CASE WHEN pg_catalog.abs(f.reported_score - c.fund_score) > 0.01 THEN 'fund_score_mismatch' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NOT NULL THEN 'reported_score_used' END,
        CASE WHEN f.has_total AND c.fund_score IS NULL AND f.reported_score IS NULL THEN 'score_unavailable' END,
        CASE WHEN c.fund_weight + coalesce(s.weight_total, 0) <> 100 THEN 'weights_not_100' END,
        CASE WHEN c.fund_weight <> pr.execution_weight
               OR s.output_weight <> pr.output_weight
               OR s.benefit_weight <> pr.benefit_weight
               OR s.satisfaction_weight <> pr.satisfaction_weight
               OR coalesce(s.cost_weight, 0) <> coalesce(pr.cost_weight, 0) THEN 'level1_weight_off_profile' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.reported_score_sum) > 0.01 THEN 'reported_total_mismatch' END,
        CASE WHEN pg_catalog.abs(e.reported_total - t.total_score) > 0.01 THEN 'total_mismatch' END,
        CASE WHEN s.indicator_count IS NULL THEN 'indicators_missing' END
    ], NULL) AS findings
) ff
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.evaluation_result IS
'Every form the caller may see, scored live: amounts in 元, execution rate, fund score, subtotals per level 1, total (fund score + counted indicator scores), reported total, grade by the form''s profile, weights, and its form-level finding codes and count of all findings';
COMMENT ON COLUMN @extschema@.evaluation_result.execution_rate IS '执行率 in percent: 全年执行数 / 全年预算数 of the 年度资金总额 row, 2 places; NULL for a zero budget';
COMMENT ON COLUMN @extschema@.evaluation_result.fund_weight IS 'The form''s 分值 for the execution rate, else the profile''s';
COMMENT ON COLUMN @extschema@.evaluation_result.other_score IS 'Subtotal of rows under a non-standard level 1 (NULL when there are none)';
COMMENT ON COLUMN @extschema@.evaluation_result.cost_score IS 'Subtotal of 成本指标 as its own level 1 (NULL where the form has none)';
COMMENT ON COLUMN @extschema@.evaluation_result.total_score IS 'Fund score + Σ counted indicator scores (each rounded first); NULL when a part has neither a computed nor a reported score';
COMMENT ON COLUMN @extschema@.evaluation_result.total_difference IS 'reported_total - total_score';
COMMENT ON COLUMN @extschema@.evaluation_result.reported_score_sum IS 'The reported fund score plus every reported indicator score';
COMMENT ON COLUMN @extschema@.evaluation_result.findings IS 'Codes of the form-level problems (pjeval.finding_code)';
COMMENT ON COLUMN @extschema@.evaluation_result.finding_count IS 'Number of rows of pjeval.audit_finding for this form (form-level and indicator-level)';

-- Every code the audit can give.  severity: error (the numbers on the form
-- contradict each other or the rules), warning (a person must look: an
-- explanation is missing, a value cannot be read or compared), info (noted:
-- a non-standard layout, a reported score standing in for a computed one).
CREATE VIEW @extschema@.finding_code (code, scope, severity, description_zh, description_en) AS
VALUES
    ('score_mismatch', 'indicator', 'error', '填报得分与计算得分相差超过 0.01', 'the reported score differs from the computed score by more than 0.01'),
    ('score_above_weight', 'indicator', 'error', '得分超过分值', 'the score is above the weight'),
    ('weight_missing', 'indicator', 'warning', '未填分值', 'the weight is missing'),
    ('target_unreadable', 'indicator', 'warning', '年度指标值无法识别', 'the target cannot be read'),
    ('actual_unreadable', 'indicator', 'warning', '实际完成值无法识别', 'the actual cannot be read'),
    ('value_missing', 'indicator', 'warning', '缺少年度指标值或实际完成值', 'the target or the actual is missing'),
    ('units_incomparable', 'indicator', 'warning', '目标与实际的单位不可比', 'the target and the actual are in units that cannot be compared'),
    ('clause_unmatched', 'indicator', 'warning', '目标中的某一项在实际完成值中找不到', 'a clause of the target has no matching clause in the actual'),
    ('value_too_large', 'indicator', 'warning', '数值过大，无法精确计算', 'the numbers are too large to compute exactly'),
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
    ('fund_rate_mismatch', 'form', 'error', '填报执行率与计算执行率不符', 'the reported execution rate differs from the computed one'),
    ('fund_score_mismatch', 'form', 'error', '预算执行率填报得分与计算得分不符', 'the reported execution-rate score differs from the computed one'),
    ('weights_not_100', 'form', 'error', '分值合计不等于 100', 'the weights do not total 100'),
    ('level1_weight_off_profile', 'form', 'warning', '一级指标分值与评分方案不符', 'level-1 weights differ from the profile'),
    ('reported_total_mismatch', 'form', 'error', '填报总分与各项填报得分之和不符', 'the reported total differs from the sum of the reported scores'),
    ('total_mismatch', 'form', 'error', '填报总分与计算总分不符', 'the reported total differs from the computed total'),
    ('indicators_missing', 'form', 'error', '没有年度绩效指标', 'the form has no performance indicators');

COMMENT ON VIEW @extschema@.finding_code IS
'Every code pjeval.audit_finding can give: scope (indicator, form or both), severity (error, warning, info) and what it means';

-- One row per problem.  position is the indicator's position, NULL for a
-- problem of the whole form.
CREATE VIEW @extschema@.audit_finding WITH (security_barrier = true) AS
SELECT r.evaluation_id,
       r.position,
       f.code,
       fc.severity,
       CASE f.code
           WHEN 'score_mismatch' THEN pg_catalog.format('“%s”填报得分 %s 与计算得分 %s 不符', r.level3, r.reported_score, r.computed_score)
           WHEN 'score_above_weight' THEN pg_catalog.format('“%s”得分 %s 超过分值 %s', r.level3, r.reported_score, r.weight)
           WHEN 'weight_missing' THEN pg_catalog.format('“%s”未填分值', r.level3)
           WHEN 'target_unreadable' THEN pg_catalog.format('“%s”的年度指标值“%s”无法识别：%s', r.level3, r.target_text, @extschema@.indicator_value_error(r.target_text))
           WHEN 'actual_unreadable' THEN pg_catalog.format('“%s”的实际完成值“%s”无法识别：%s', r.level3, r.actual_text, @extschema@.indicator_value_error(r.actual_text))
           WHEN 'value_missing' THEN pg_catalog.format('“%s”缺少年度指标值或实际完成值', r.level3)
           WHEN 'units_incomparable' THEN pg_catalog.format('“%s”的目标“%s”与实际“%s”单位不可比', r.level3, r.target_text, r.actual_text)
           WHEN 'clause_unmatched' THEN pg_catalog.format('“%s”的目标“%s”中有一项在实际“%s”中找不到', r.level3, r.target_text, r.actual_text)
           WHEN 'value_too_large' THEN pg_catalog.format('“%s”数值过大，无法精确计算', r.level3)
           WHEN 'actual_is_claim' THEN pg_catalog.format('“%s”的实际完成值“%s”是表述而非测量值，得分由评价人确定', r.level3, r.actual_text)
           WHEN 'band_missing' THEN pg_catalog.format('“%s”为定性指标，实际“%s”与目标“%s”不同，需记录评价档次（达成/部分达成/未达成）', r.level3, r.actual_text, r.target_text)
           WHEN 'score_outside_band' THEN pg_catalog.format('“%s”得分 %s 不在所记录档次的区间 [%s, %s] 内', r.level3, r.reported_score, pg_catalog.round(r.band_low, 2), pg_catalog.round(r.band_high, 2))
           WHEN 'date_missed' THEN pg_catalog.format('“%s”未按期完成（目标 %s，实际 %s），得分由评价人确定', r.level3, r.target_text, r.actual_text)
           WHEN 'not_met_unexplained' THEN pg_catalog.format('“%s”未完成目标（目标 %s，实际 %s），未填写偏差原因分析', r.level3, r.target_text, r.actual_text)
           WHEN 'over_achieved_unexplained' THEN pg_catalog.format('“%s”超额完成（目标 %s，实际 %s，为目标的 %s 倍），未填写偏差原因分析', r.level3, r.target_text, r.actual_text, pg_catalog.round(r.completion, 2))
           WHEN 'level2_misplaced' THEN pg_catalog.format('二级指标“%s”位于一级指标“%s”之下，按标准应属于%s', r.level2, r.level1, h.name_zh)
           WHEN 'level1_nonstandard' THEN pg_catalog.format('一级指标“%s”不是标准的一级指标（产出、效益、满意度、成本指标）', r.level1)
           WHEN 'level2_nonstandard' THEN pg_catalog.format('二级指标“%s”不是标准的二级指标', r.level2)
           WHEN 'reported_score_used' THEN pg_catalog.format('“%s”的得分无法按规则计算，总分采用填报得分 %s', r.level3, r.reported_score)
           WHEN 'score_unavailable' THEN pg_catalog.format('“%s”既无法计算得分也未填报得分，总分无法计算', r.level3)
       END AS message_zh,
       CASE f.code
           WHEN 'score_mismatch' THEN pg_catalog.format('"%s": the reported score %s differs from the computed %s', r.level3, r.reported_score, r.computed_score)
           WHEN 'score_above_weight' THEN pg_catalog.format('"%s": the score %s is above the weight %s', r.level3, r.reported_score, r.weight)
           WHEN 'weight_missing' THEN pg_catalog.format('"%s" has no weight', r.level3)
           WHEN 'target_unreadable' THEN pg_catalog.format('"%s": the target "%s" cannot be read: %s', r.level3, r.target_text, @extschema@.indicator_value_error(r.target_text))
           WHEN 'actual_unreadable' THEN pg_catalog.format('"%s": the actual "%s" cannot be read: %s', r.level3, r.actual_text, @extschema@.indicator_value_error(r.actual_text))
           WHEN 'value_missing' THEN pg_catalog.format('"%s": the target or the actual is missing', r.level3)
           WHEN 'units_incomparable' THEN pg_catalog.format('"%s": the target "%s" and the actual "%s" are in units that cannot be compared', r.level3, r.target_text, r.actual_text)
           WHEN 'clause_unmatched' THEN pg_catalog.format('"%s": a clause of the target "%s" has no match in the actual "%s"', r.level3, r.target_text, r.actual_text)
           WHEN 'value_too_large' THEN pg_catalog.format('"%s": the numbers are too large to compute exactly', r.level3)
           WHEN 'actual_is_claim' THEN pg_catalog.format('"%s": the actual "%s" is a claim, not a measurement; the evaluator scores it', r.level3, r.actual_text)
           WHEN 'band_missing' THEN pg_catalog.format('"%s" is qualitative and the actual "%s" differs from the target "%s": record the evaluator''s band (achieved, partial, not_achieved)', r.level3, r.actual_text, r.target_text)
           WHEN 'score_outside_band' THEN pg_catalog.format('"%s": the score %s lies outside its recorded band [%s, %s]', r.level3, r.reported_score, pg_catalog.round(r.band_low, 2), pg_catalog.round(r.band_high, 2))
           WHEN 'date_missed' THEN pg_catalog.format('"%s": the deadline was missed (target %s, actual %s); the evaluator scores it', r.level3, r.target_text, r.actual_text)
           WHEN 'not_met_unexplained' THEN pg_catalog.format('"%s" is not met (target %s, actual %s) and the deviation is not explained', r.level3, r.target_text, r.actual_text)
           WHEN 'over_achieved_unexplained' THEN pg_catalog.format('"%s" is over-achieved (target %s, actual %s, %s times the target) and the deviation is not explained', r.level3, r.target_text, r.actual_text, pg_catalog.round(r.completion, 2))
           WHEN 'level2_misplaced' THEN pg_catalog.format('level-2 "%s" is placed under level-1 "%s"; the standard places it under %s', r.level2, r.level1, h.name_en)
           WHEN 'level1_nonstandard' THEN pg_catalog.format('level-1 "%s" is not a standard level-1 indicator (产出, 效益, 满意度 or 成本指标)', r.level1)
           WHEN 'level2_nonstandard' THEN pg_catalog.format('level-2 "%s" is not a standard level-2 indicator', r.level2)
           WHEN 'reported_score_used' THEN pg_catalog.format('"%s" cannot be scored by the rules: the total uses the reported score %s', r.level3, r.reported_score)
           WHEN 'score_unavailable' THEN pg_catalog.format('"%s" has neither a computable nor a reported score: no total can be computed', r.level3)
       END AS message_en
FROM @extschema@.indicator_result r
CROSS JOIN LATERAL pg_catalog.unnest(r.findings) AS f (code)
JOIN @extschema@.finding_code fc ON fc.code = f.code
LEFT JOIN (VALUES ('output', '产出指标', '产出指标 (output)'),
                  ('benefit', '效益指标', '效益指标 (benefit)'),
                  ('satisfaction', '满意度指标', '满意度指标 (satisfaction)'),
                  ('cost', '成本指标', '成本指标 (cost)')) AS h (kind, name_zh, name_en)
       ON h.kind = r.level2_home
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       f.code,
       fc.severity,
       CASE f.code
           WHEN 'fund_total_missing' THEN '缺少“年度资金总额”行，预算执行率无法计算'
           WHEN 'budget_zero' THEN '全年预算数为 0，执行率及其得分无法计算'
           WHEN 'fund_sources_mismatch' THEN pg_catalog.format('各资金来源之和（年初预算数 %s，全年预算数 %s，全年执行数 %s）与年度资金总额（%s，%s，%s）不符',
                e.sources_initial_budget, e.sources_annual_budget, e.sources_executed, e.initial_budget, e.annual_budget, e.executed)
           WHEN 'execution_above_budget' THEN pg_catalog.format('全年执行数 %s 元超过全年预算数 %s 元', e.executed, e.annual_budget)
           WHEN 'execution_rate_low' THEN pg_catalog.format('执行率 %s%% 低于 %s%%', e.execution_rate, pr.low_execution_rate)
           WHEN 'fund_rate_mismatch' THEN pg_catalog.format('填报执行率 %s%% 与计算执行率 %s%% 不符', e.reported_execution_rate, e.execution_rate)
           WHEN 'fund_score_mismatch' THEN pg_catalog.format('预算执行率填报得分 %s 与计算得分 %s 不符', e.reported_fund_score, e.fund_score)
           WHEN 'reported_score_used' THEN pg_catalog.format('预算执行率得分无法计算，总分采用填报得分 %s', e.reported_fund_score)
           WHEN 'score_unavailable' THEN '预算执行率得分既无法计算也未填报，总分无法计算'
           WHEN 'weights_not_100' THEN pg_catalog.format('分值合计 %s，不等于 100', e.weight_total)
           WHEN 'level1_weight_off_profile' THEN pg_catalog.format('一级指标分值与评分方案“%s”不符：预算执行率 %s（%s），产出指标 %s（%s），效益指标 %s（%s），满意度指标 %s（%s），成本指标 %s（%s）',
                e.profile, e.fund_weight, pr.execution_weight, e.output_weight, pr.output_weight, e.benefit_weight, pr.benefit_weight,
                e.satisfaction_weight, pr.satisfaction_weight, coalesce(e.cost_weight, 0), coalesce(pr.cost_weight, 0))
           WHEN 'reported_total_mismatch' THEN pg_catalog.format('填报总分 %s 与各项填报得分之和 %s 不符', e.reported_total, e.reported_score_sum)
           WHEN 'total_mismatch' THEN pg_catalog.format('填报总分 %s 与计算总分 %s 不符', e.reported_total, e.total_score)
           WHEN 'indicators_missing' THEN '没有年度绩效指标'
       END,
       CASE f.code
           WHEN 'fund_total_missing' THEN 'the 年度资金总额 (total) fund row is missing: no execution rate'
           WHEN 'budget_zero' THEN 'the annual budget (全年预算数) is 0: the execution rate and its score are undefined'
           WHEN 'fund_sources_mismatch' THEN pg_catalog.format('the fund sources (initial %s, annual %s, executed %s) do not add up to the total (%s, %s, %s)',
                e.sources_initial_budget, e.sources_annual_budget, e.sources_executed, e.initial_budget, e.annual_budget, e.executed)
           WHEN 'execution_above_budget' THEN pg_catalog.format('executed %s 元 is more than the annual budget %s 元', e.executed, e.annual_budget)
           WHEN 'execution_rate_low' THEN pg_catalog.format('the execution rate %s%% is below %s%%', e.execution_rate, pr.low_execution_rate)
           WHEN 'fund_rate_mismatch' THEN pg_catalog.format('the reported execution rate %s%% differs from the computed %s%%', e.reported_execution_rate, e.execution_rate)
           WHEN 'fund_score_mismatch' THEN pg_catalog.format('the reported execution-rate score %s differs from the computed %s', e.reported_fund_score, e.fund_score)
           WHEN 'reported_score_used' THEN pg_catalog.format('the execution-rate score cannot be computed: the total uses the reported score %s', e.reported_fund_score)
           WHEN 'score_unavailable' THEN 'the execution-rate score can neither be computed nor was it reported: no total'
           WHEN 'weights_not_100' THEN pg_catalog.format('the weights total %s, not 100', e.weight_total)
           WHEN 'level1_weight_off_profile' THEN pg_catalog.format('level-1 weights differ from profile "%s": execution %s (%s), output %s (%s), benefit %s (%s), satisfaction %s (%s), cost %s (%s)',
                e.profile, e.fund_weight, pr.execution_weight, e.output_weight, pr.output_weight, e.benefit_weight, pr.benefit_weight,
                e.satisfaction_weight, pr.satisfaction_weight, coalesce(e.cost_weight, 0), coalesce(pr.cost_weight, 0))
           WHEN 'reported_total_mismatch' THEN pg_catalog.format('the reported total %s differs from the sum of the reported scores %s', e.reported_total, e.reported_score_sum)
           WHEN 'total_mismatch' THEN pg_catalog.format('the reported total %s differs from the computed total %s', e.reported_total, e.total_score)
           WHEN 'indicators_missing' THEN 'the form has no performance indicators'
       END
FROM @extschema@.evaluation_result e
CROSS JOIN LATERAL pg_catalog.unnest(e.findings) AS f (code)
JOIN @extschema@.finding_code fc ON fc.code = f.code
JOIN @extschema@.profile pr ON pr.name = e.profile;

COMMENT ON VIEW @extschema@.audit_finding IS
'One row per problem found on a form the caller may see: evaluation, indicator position (NULL for the whole form), stable code (pjeval.finding_code), severity and a message in Chinese and English';

-- PostgreSQL 15+: the views run with the caller's rights, so the tables'
-- row-level security applies to them directly as well.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW @extschema@.indicator_result SET (security_invoker = true);
        ALTER VIEW @extschema@.evaluation_result SET (security_invoker = true);
        ALTER VIEW @extschema@.audit_finding SET (security_invoker = true);
        ALTER VIEW @extschema@.finding_code SET (security_invoker = true);
    END IF;
END
$$;

-- src/sql/60_security.sql
-- 60_security.sql - who may see and change which form, and the workflow
-- draft → submitted → approved.
--
-- Row-level security: a role sees and changes the forms of the units it works
-- for (pjeval.unit_member, checked with pg_has_role through the SECURITY
-- DEFINER pjeval.member_units); a reviewer (pjeval.reviewer, or a role that
-- bypasses row-level security) sees and changes all.  Each policy calls those
-- functions once per query (a scalar sub-select becomes an InitPlan) and
-- reaches a form's rows through a hashed semi-join, never a sub-query per
-- row.  The extension creates no role: roles are cluster-wide.  Privileges
-- go to PUBLIC and the policies decide: a role listed nowhere sees nothing.
--
-- Workflow: a new form is a draft.  pjeval.submit() moves it to submitted;
-- only a reviewer moves it on with pjeval.approve() or back to draft with
-- pjeval.reopen().  A submitted or approved form, its fund lines and its
-- indicators are read-only (SQLSTATE 55000) until it is reopened.  The rules
-- live in triggers, so a plain UPDATE of status obeys them too, and the
-- functions are SECURITY INVOKER: they act with the caller's rights and
-- policies.

ALTER TABLE @extschema@.unit ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.unit_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.reviewer ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.project ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.evaluation ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.fund_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.indicator ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.history ENABLE ROW LEVEL SECURITY;

-- Units and who is who: anyone may read the names of units and reviewers;
-- members read their units' memberships; only reviewers change them.
CREATE POLICY unit_read ON @extschema@.unit FOR SELECT USING (true);
CREATE POLICY unit_review ON @extschema@.unit FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));

CREATE POLICY unit_member_read ON @extschema@.unit_member FOR SELECT
    USING (unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]));
CREATE POLICY unit_member_review ON @extschema@.unit_member FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));

CREATE POLICY reviewer_read ON @extschema@.reviewer FOR SELECT USING (true);
CREATE POLICY reviewer_review ON @extschema@.reviewer FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER)))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER)));

-- The forms: a project belongs to a unit, an evaluation to a project, fund
-- lines and indicators to an evaluation.  The same test reads and writes, so
-- nothing can be moved into (or out of) another unit either.
CREATE POLICY project_unit ON @extschema@.project FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]));

CREATE POLICY evaluation_unit ON @extschema@.evaluation FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                             WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR project_id IN (SELECT p.project_id FROM @extschema@.project p
                                  WHERE p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])));

CREATE POLICY fund_line_unit ON @extschema@.fund_line FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));

CREATE POLICY indicator_unit ON @extschema@.indicator FOR ALL
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e))
    WITH CHECK ((SELECT @extschema@.is_reviewer(CURRENT_USER))
                OR evaluation_id IN (SELECT e.evaluation_id FROM @extschema@.evaluation e));

-- History: read-only for everyone (written by its trigger), each unit sees
-- its own, including that of forms since deleted.
CREATE POLICY history_unit ON @extschema@.history FOR SELECT
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]));

-- Daily use needs no superuser.  Identity columns need no sequence
-- privilege.  No one is granted TRUNCATE or any write on history.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    @extschema@.unit, @extschema@.unit_member, @extschema@.reviewer,
    @extschema@.project, @extschema@.evaluation, @extschema@.fund_line, @extschema@.indicator
    TO PUBLIC;
GRANT SELECT ON @extschema@.history TO PUBLIC;
GRANT SELECT ON @extschema@.indicator_result, @extschema@.evaluation_result,
                @extschema@.audit_finding, @extschema@.finding_code TO PUBLIC;

-- The workflow on the evaluation row.  SECURITY INVOKER: current_user is the
-- role making the change.
CREATE FUNCTION @extschema@.evaluation_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    workflow_columns CONSTANT text[] := ARRAY['status', 'updated_at', 'submitted_at', 'approved_at', 'approved_by'];
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN coalesce(NEW, OLD);
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a new evaluation starts as a draft, not %', NEW.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Insert it as a draft and call pjeval.submit(evaluation_id) when it is complete.';
        END IF;
        NEW.created_at := now();
        NEW.updated_at := now();
        NEW.submitted_at := NULL;
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
        RETURN NEW;
    END IF;

    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'evaluation % is %: it cannot be deleted', OLD.evaluation_id, OLD.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('A reviewer can return it to draft first: SELECT pjeval.reopen(%s);', OLD.evaluation_id);
        END IF;
        RETURN OLD;
    END IF;

    -- UPDATE
    NEW.created_at := OLD.created_at;
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'evaluation % is %: it is read-only', OLD.evaluation_id, OLD.status
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen(%s);', OLD.evaluation_id);
        END IF;
        NEW.submitted_at := OLD.submitted_at;
        NEW.approved_at := OLD.approved_at;
        NEW.approved_by := OLD.approved_by;
        NEW.updated_at := now();
        RETURN NEW;
    END IF;

    -- A change of status, and nothing else with it.
    IF to_jsonb(NEW) - workflow_columns IS DISTINCT FROM to_jsonb(OLD) - workflow_columns THEN
        RAISE EXCEPTION 'evaluation %: change the status alone, not together with other columns', OLD.evaluation_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Save the changes while it is a draft, then call pjeval.submit, pjeval.approve or pjeval.reopen.';
    END IF;

    IF OLD.status = 'draft' AND NEW.status = 'submitted' THEN
        NEW.submitted_at := now();
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
    ELSIF OLD.status = 'submitted' AND NEW.status = 'approved' THEN
        IF NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can approve evaluation %', OLD.evaluation_id
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Reviewers are the members of the roles listed in pjeval.reviewer.';
        END IF;
        NEW.submitted_at := OLD.submitted_at;
        NEW.approved_at := now();
        NEW.approved_by := current_user;
    ELSIF OLD.status IN ('submitted', 'approved') AND NEW.status = 'draft' THEN
        IF NOT @extschema@.is_reviewer(current_user) THEN
            RAISE EXCEPTION 'only a reviewer can reopen evaluation %', OLD.evaluation_id
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Reviewers are the members of the roles listed in pjeval.reviewer.';
        END IF;
        NEW.submitted_at := NULL;
        NEW.approved_at := NULL;
        NEW.approved_by := NULL;
    ELSE
        RAISE EXCEPTION 'evaluation % cannot go from % to %', OLD.evaluation_id, OLD.status, NEW.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The steps are draft → submitted (pjeval.submit) → approved (pjeval.approve); pjeval.reopen returns a form to draft.';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.evaluation
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow();

-- A form's rows follow its status.  The evaluation row is locked FOR SHARE,
-- so a form cannot be submitted or approved while a change to its rows is
-- still open.  A row whose evaluation is gone (deleted in this statement, by
-- ON DELETE CASCADE) or not visible (the policy refuses it anyway) passes.
-- INSERT and DELETE are checked once per statement for all the forms they
-- touch (statement-level triggers with transition tables), so loading a
-- form's rows costs one check, not one per row; a refusal undoes the whole
-- statement.  UPDATE is checked row by row, before the row moves: a row moved
-- into a read-only form is refused as such, before any other constraint.
CREATE FUNCTION @extschema@.form_row_workflow()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    ids bigint[];
    id bigint;
    st text;
BEGIN
    IF @extschema@.restoring_dump() THEN
        RETURN CASE WHEN TG_LEVEL = 'ROW' THEN coalesce(NEW, OLD) END;
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        -- UPDATE: the form the row is in, and the one it moves to
        ids := CASE WHEN NEW.evaluation_id = OLD.evaluation_id THEN ARRAY[NEW.evaluation_id]
                    ELSE ARRAY[OLD.evaluation_id, NEW.evaluation_id] END;
        FOREACH id IN ARRAY ids LOOP
            SELECT e.status INTO st
            FROM @extschema@.evaluation e
            WHERE e.evaluation_id = id
            FOR SHARE;
            IF FOUND AND st <> 'draft' THEN
                RAISE EXCEPTION 'evaluation % is %: its % rows are read-only', id, st, TG_TABLE_NAME
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen(%s);', id);
            END IF;
        END LOOP;
        RETURN NEW;
    END IF;
    -- Every form the statement touched is locked; the first that is not a
    -- draft, if any, is named.  Each kind of trigger has only its own
    -- transition tables, hence the query's text is put together here.
    EXECUTE format($q$
        WITH locked AS MATERIALIZED (
            SELECT e.evaluation_id, e.status
            FROM @extschema@.evaluation e
            WHERE e.evaluation_id IN (%s)
            FOR SHARE OF e)
        SELECT l.evaluation_id, l.status
        FROM locked l
        WHERE l.status <> 'draft'
        ORDER BY l.evaluation_id
        LIMIT 1$q$,
        CASE TG_OP
            WHEN 'INSERT' THEN 'SELECT n.evaluation_id FROM new_rows n'
            ELSE 'SELECT o.evaluation_id FROM old_rows o'
        END)
    INTO bad;
    IF bad.evaluation_id IS NOT NULL THEN
        RAISE EXCEPTION 'evaluation % is %: its % rows are read-only', bad.evaluation_id, bad.status, TG_TABLE_NAME
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('A reviewer can return it to draft: SELECT pjeval.reopen(%s);', bad.evaluation_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow();
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow();

REVOKE EXECUTE ON FUNCTION @extschema@.evaluation_workflow() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.form_row_workflow() FROM PUBLIC;

-- The three steps.  Each locks the form, says clearly why it cannot move,
-- and returns the new status.
CREATE FUNCTION @extschema@.set_status(evaluation_id bigint, from_status text[], to_status text, step text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    st text;
BEGIN
    SELECT e.status INTO st
    FROM @extschema@.evaluation e
    WHERE e.evaluation_id = set_status.evaluation_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', set_status.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    IF NOT st = ANY (from_status) THEN
        RAISE EXCEPTION 'evaluation % is %: it cannot be %', set_status.evaluation_id, st, step
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The steps are draft → submitted (pjeval.submit) → approved (pjeval.approve); pjeval.reopen returns a form to draft.';
    END IF;
    UPDATE @extschema@.evaluation e SET status = to_status
    WHERE e.evaluation_id = set_status.evaluation_id;
    RETURN to_status;
END
$$;

COMMENT ON FUNCTION @extschema@.set_status(bigint, text[], text, text) IS
'The body of submit, approve and reopen: moves a visible form from one of from_status to to_status, with the workflow trigger''s checks';

CREATE FUNCTION @extschema@.submit(evaluation_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_status($1, ARRAY['draft'], 'submitted', 'submitted')
$$;

CREATE FUNCTION @extschema@.approve(evaluation_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_status($1, ARRAY['submitted'], 'approved', 'approved')
$$;

CREATE FUNCTION @extschema@.reopen(evaluation_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_status($1, ARRAY['submitted', 'approved'], 'draft', 'reopened')
$$;

COMMENT ON FUNCTION @extschema@.submit(bigint) IS
'Submits a draft form for review (draft → submitted); from then on the form and its rows are read-only';
COMMENT ON FUNCTION @extschema@.approve(bigint) IS
'Approves a submitted form (submitted → approved); reviewers only';
COMMENT ON FUNCTION @extschema@.reopen(bigint) IS
'Returns a submitted or approved form to draft so that it can be changed again; reviewers only';

-- src/sql/65_html.sql
-- 65_html.sql - what the printable pages (export_form's 'html', report_html)
-- share.

CREATE FUNCTION @extschema@.html_escape(value pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
               coalesce($1, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;

COMMENT ON FUNCTION @extschema@.html_escape(pg_catalog.text) IS
'Text made safe inside HTML or XML content and attribute values (& < > " and '' as entities); NULL is the empty string';

-- src/sql/70_import.sql
-- 70_import.sql - reading and writing the form itself:
--
--   import_forms(document, on_conflict)  the forms of a document (the
--       template 项目支出绩效自评表 as tab-separated text) into rows, all or
--       nothing, returning the evaluation ids in the document's order
--   export_form(evaluation_id, format)   one stored form back as the
--       template's text ('text', which import_forms reads back to the same
--       rows) or as a printable HTML page ('html')
--
-- The reading is done once, in C (read_forms, 35_form_reader.sql); here the
-- jsonb it returns becomes rows with a few set-based statements, one per
-- table, never a statement per form or per row.  Everything runs with the
-- caller's rights, so row-level security and the workflow (60_security.sql)
-- decide what an import may write, with their own errors.
--
-- Concurrency: every row that two imports could both create (a unit, a
-- project, a project's form for a year) is inserted with ON CONFLICT DO
-- NOTHING against its unique index and looked up again afterwards, so two
-- imports racing for the same name wait for each other instead of failing
-- with a bare unique violation; rows are taken in one order (by name, code,
-- key) so that two imports cannot deadlock on each other's rows.

-- 资金使用情况: the label of a fund row, as the reader hands it over (其中：
-- already removed), to the stored source.  NULL: not a fund source.
CREATE FUNCTION @extschema@.fund_source_label(label text)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN l ~ '^(年度)?(项目)?资金总额(合计)?$' OR l IN ('合计', '总计', '小计') THEN 'total'
        WHEN l ~ '^(当年|本年|年度)?财政(拨款|资金)(资金)?$' THEN 'appropriation'
        WHEN l ~ '^(上年)?结转(结余)?(资金)?$' THEN 'carryover'
        WHEN l ~ '^其他(资金|来源)?$' THEN 'other'
    END
    FROM (SELECT pg_catalog.regexp_replace($1, '[[:space:]　*＊:：]+', '', 'g') AS l) s
$$;

COMMENT ON FUNCTION @extschema@.fund_source_label(text) IS
'fund_source() for labels other than the template''s own: spaces, colons and * ignored, the usual variants of the four sources';

-- The template's own words need no pattern; written as a bare CASE (not
-- STRICT, no SET: its operator named with its schema instead) so that the
-- planner inlines it into the statements that use it.
CREATE FUNCTION @extschema@.fund_source(label text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN $1 OPERATOR(pg_catalog.=) '年度资金总额' THEN 'total'
        WHEN $1 OPERATOR(pg_catalog.=) '当年财政拨款' THEN 'appropriation'
        WHEN $1 OPERATOR(pg_catalog.=) '上年结转资金' THEN 'carryover'
        WHEN $1 OPERATOR(pg_catalog.=) '其他资金' THEN 'other'
        ELSE @extschema@.fund_source_label($1)
    END
$$;

COMMENT ON FUNCTION @extschema@.fund_source(text) IS
'The fund line source (total, appropriation, carryover, other) a row label of 资金使用情况 names: 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金 and their usual variants; NULL for anything else';

-- The line of a document for an error message: tabs shown as " | ", as the
-- reader's own errors show them, and shortened.
CREATE FUNCTION @extschema@.document_line(document text, line integer)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_catalog.char_length(l) > 120 THEN pg_catalog.left(l, 119) || '…' ELSE l END
    FROM (SELECT pg_catalog.replace(pg_catalog.rtrim(pg_catalog.split_part($1, E'\n', $2), E'\r'),
                                    E'\t', ' | ') AS l) s
$$;

COMMENT ON FUNCTION @extschema@.document_line(text, integer) IS
'Line n of a document as error messages show it (tabs as " | ", at most 120 characters)';

-- The first line at or after a line that matches a pattern (NULL if none):
-- where a form's header or 总分 row is, for an error about it.
CREATE FUNCTION @extschema@.document_find_line(document text, from_line integer, pattern text)
RETURNS integer
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT min(l.n)::integer
    FROM pg_catalog.regexp_split_to_table($1, E'\n') WITH ORDINALITY AS l (line, n)
    WHERE l.n >= $2 AND l.line ~ $3
$$;

COMMENT ON FUNCTION @extschema@.document_find_line(text, integer, text) IS
'The number of the first line at or after from_line that matches the pattern, NULL if none';

-- a[keys[i]] := vals[i] for every i, as a new flat array.  PL/pgSQL keeps an
-- array assigned element by element in an expanded form that a query reads
-- in time proportional to its length at every subscript; the import reads
-- form_eval[form] once per row, so it keeps its arrays flat.
CREATE FUNCTION @extschema@.import_set_elements(a bigint[], keys integer[], vals bigint[])
RETURNS bigint[]
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $2 IS NULL THEN $1 ELSE
        (SELECT pg_catalog.array_agg(coalesce(x.v, $1[g]) ORDER BY g)
         FROM pg_catalog.generate_series(1, pg_catalog.cardinality($1)) g
         LEFT JOIN ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS x (k, v) ON x.k = g) END
$$;

COMMENT ON FUNCTION @extschema@.import_set_elements(bigint[], integer[], bigint[]) IS
'The array a with a[keys[i]] set to vals[i]: import_forms''s way to fill in its per-form array of evaluation ids';

-- The first cell of a document (in the document's order) that the reader
-- lets through but no table can hold: a year out of range, no unit, an
-- unknown fund source or one twice, a negative amount, a score on a source
-- row, a weight or score beyond 0-100, an indicator without 二级指标.
-- pattern, where set, finds the row to show (the header's, the 总分 row).
-- import_forms asks only when something failed: the constraints of the
-- tables catch all of these, this says where.
CREATE FUNCTION @extschema@.import_problem(forms jsonb, funds jsonb, inds jsonb)
RETURNS TABLE (form integer, line integer, expected text, sqlstate text, pattern text)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $q$
    SELECT p.form, p.line, p.expected, p.sqlstate, p.pattern 
    FROM (
        SELECT f.form, f.line,
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN 'a year between 2000 and 2100 after 绩效自评年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '实施单位 or 一级预算单位 in the header (the unit the project belongs to)'
                    ELSE 'numbers from 0 to 100 under 分值 and 得分 in the 总分 row' END AS expected,
               CASE WHEN f.unit IS NULL AND f.top_unit IS NULL AND f.year BETWEEN 2000 AND 2100 THEN '22P02' ELSE '22003' END AS sqlstate,
               -- the row to show: the header's, or the 总分 row
               CASE WHEN f.year NOT BETWEEN 2000 AND 2100 THEN '(绩效自评|自评|评价)年度'
                    WHEN f.unit IS NULL AND f.top_unit IS NULL THEN '项目名称'
                    ELSE '^[[:space:]"]*(总分|合计)' END AS pattern
        FROM jsonb_to_recordset(import_problem.forms) AS f (form integer, line integer, year integer, unit text, top_unit text,
                                             total_weight numeric, total_score numeric)
        WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
           OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100
        UNION ALL
        SELECT x.form, x.line,
               CASE
                   WHEN x.src IS NULL THEN
                       pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', x.source)
                   WHEN x.src <> 'total' AND (x.weight IS NOT NULL OR x.rate IS NOT NULL OR x.score IS NOT NULL) THEN
                       '— under 分值, 执行率 and 得分 of a source row (only 年度资金总额 carries them)'
                   WHEN least(x.initial_budget, x.budget, x.executed) < 0 THEN
                       'amounts of 0 or more under 年初预算数, 全年预算数 and 全年执行数'
                   ELSE 'a 分值 and 得分 from 0 to 100 and an 执行率 of 0 or more'
               END,
               CASE WHEN x.src IS NULL OR (x.src <> 'total' AND (x.weight IS NOT NULL OR x.rate IS NOT NULL OR x.score IS NOT NULL))
                    THEN '22P02' ELSE '22003' END,
               NULL
        FROM (SELECT y.*, @extschema@.fund_source(y.source) AS src
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text, initial_budget numeric,
                                                   budget numeric, executed numeric, weight numeric,
                                                   rate numeric, score numeric)) x
        WHERE x.src IS NULL
           OR (x.src <> 'total' AND (x.weight IS NOT NULL OR x.rate IS NOT NULL OR x.score IS NOT NULL))
           OR least(x.initial_budget, x.budget, x.executed) < 0
           OR x.weight NOT BETWEEN 0 AND 100 OR x.score NOT BETWEEN 0 AND 100 OR x.rate < 0
        UNION ALL
        -- the same source twice in a form: the second row is the one to name
        SELECT d.form, d.lines[2],
               pg_catalog.format('each fund source once per form (“%s” was the row of line %s)', d.source, d.lines[1]),
               '22P02', NULL
        FROM (SELECT y.form, (pg_catalog.array_agg(y.source ORDER BY y.line))[1] AS source,
                     pg_catalog.array_agg(y.line ORDER BY y.line) AS lines
              FROM jsonb_to_recordset(import_problem.funds) AS y (form integer, line integer, source text)
              GROUP BY y.form, @extschema@.fund_source(y.source)
              HAVING pg_catalog.count(*) > 1) d
        UNION ALL
        SELECT i.form, i.line,
               CASE WHEN i.level2 IS NULL
                    THEN 'a 二级指标 (数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, …) for this indicator or a row above'
                    ELSE 'a 分值 and 得分 from 0 to 100' END,
               CASE WHEN i.level2 IS NULL THEN '22P02' ELSE '22003' END,
               NULL
        FROM jsonb_to_recordset(import_problem.inds) AS i (form integer, line integer, level2 text, weight numeric, score numeric)
        WHERE i.level2 IS NULL OR i.weight NOT BETWEEN 0 AND 100 OR i.score NOT BETWEEN 0 AND 100
    ) p
    ORDER BY p.form, p.line
    LIMIT 1
$q$;

COMMENT ON FUNCTION @extschema@.import_problem(jsonb, jsonb, jsonb) IS
'The first cell of a read document that no table can hold, with what was expected there: how import_forms explains a refusal';

-- Raises the document's first problem (see import_problem) as the error of
-- a form that cannot be read; returns when there is none.
CREATE FUNCTION @extschema@.import_raise_problem(document text, forms jsonb, funds jsonb, inds jsonb)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    SELECT * INTO bad FROM @extschema@.import_problem(forms, funds, inds);
    IF FOUND THEN
        IF bad.pattern IS NOT NULL THEN
            bad.line := coalesce(@extschema@.document_find_line(document, bad.line, bad.pattern), bad.line);
        END IF;
        RAISE EXCEPTION 'form % of the document cannot be read: line %', bad.form, bad.line
            USING ERRCODE = bad.sqlstate,
                  DETAIL = pg_catalog.format('Line %s: "%s"; expected %s.', bad.line,
                                             @extschema@.document_line(document, bad.line), bad.expected),
                  HINT = 'Nothing of the document was imported.';
    END IF;
END
$fn$;

CREATE FUNCTION @extschema@.import_forms(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    forms jsonb;
    funds jsonb;            -- every fund line of the document
    inds jsonb;             -- every indicator of the document
    bad record;
    form_unit bigint[];     -- per form, in the document's order
    form_top bigint[];      -- 0: no 一级预算单位 (no NULLs: subscripts stay O(1))
    form_project bigint[];
    form_eval bigint[];
    found_forms integer[];
    found_evals bigint[];
    old_bands jsonb;
    todo integer[];
    attempt integer := 0;
    n integer;
    t0 timestamptz := clock_timestamp();   -- for the timings at DEBUG1
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- 1. Read.  A form that cannot be read at all raises here (22P02, with
    -- the form, the line and what was expected); nothing is written yet.
    -- The fund lines and indicators of all forms are taken out once, each
    -- with its form's position: every statement below reads a flat set.
    forms := @extschema@.read_forms(document);
    funds := pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]');
    inds := pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]');

    RAISE DEBUG 'import_forms: % % ms', 'read', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    -- 2. What the reader lets through but no table can hold.  The header
    -- is checked here (before units and projects are looked for); fund
    -- lines and indicators by the tables' own constraints as they are
    -- written (step 7), at no cost when all is well.  Either way the error
    -- names the document's first such cell (import_raise_problem).
    IF EXISTS (SELECT FROM jsonb_to_recordset(forms) AS f (year integer, unit text, top_unit text,
                                                         total_weight numeric, total_score numeric)
               WHERE f.year NOT BETWEEN 2000 AND 2100 OR (f.unit IS NULL AND f.top_unit IS NULL)
                  OR f.total_weight NOT BETWEEN 0 AND 100 OR f.total_score NOT BETWEEN 0 AND 100) THEN
        PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
    END IF;

    RAISE DEBUG 'import_forms: % % ms', 'checked', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    -- 3. Units.  一级预算单位 is a unit of that name (a top-level one first),
    -- created at the top level when there is none; 实施单位 is a unit of
    -- that name (under its 一级预算单位 first, then at the top level), created
    -- under its 一级预算单位 when there is none, at the top level when the
    -- form names none (and no other form of the document places it).
    -- Creating units is for reviewers (row-level security says so when
    -- someone else tries).
    INSERT INTO @extschema@.unit (name)
    SELECT DISTINCT f.top_unit
    FROM jsonb_to_recordset(forms) AS f (top_unit text)
    WHERE f.top_unit IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.top_unit)
    ORDER BY 1
    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

    SELECT pg_catalog.array_agg(coalesce(t.unit_id, 0) ORDER BY f.form) INTO form_top
    FROM jsonb_to_recordset(forms) AS f (form integer, top_unit text)
    LEFT JOIN (
        SELECT n.name,
               coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                        (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
        FROM (SELECT DISTINCT x.top_unit AS name FROM jsonb_to_recordset(forms) AS x (top_unit text)) n
    ) t ON t.name = f.top_unit;

    INSERT INTO @extschema@.unit (name, parent_id)
    SELECT DISTINCT f.unit, form_top[f.form]
    FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
    WHERE f.unit IS NOT NULL AND f.top_unit IS NOT NULL AND f.unit <> f.top_unit
      AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
    ORDER BY 2, 1
    ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;

    INSERT INTO @extschema@.unit (name)
    SELECT DISTINCT f.unit
    FROM jsonb_to_recordset(forms) AS f (unit text, top_unit text)
    WHERE f.unit IS NOT NULL AND f.top_unit IS NULL
      AND NOT EXISTS (SELECT FROM @extschema@.unit u WHERE u.name = f.unit)
    ORDER BY 1
    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;

    SELECT pg_catalog.array_agg(coalesce(t.unit_id, nullif(form_top[f.form], 0)) ORDER BY f.form) INTO form_unit
    FROM jsonb_to_recordset(forms) AS f (form integer, unit text, top_unit text)
    LEFT JOIN (
        SELECT n.name, n.top,
               coalesce((SELECT u.unit_id FROM @extschema@.unit u WHERE u.parent_id = n.top AND u.name = n.name),
                        (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name AND u.parent_id IS NULL),
                        (SELECT u.unit_id FROM @extschema@.unit u WHERE u.name = n.name ORDER BY u.unit_id LIMIT 1)) AS unit_id
        FROM (SELECT DISTINCT x.unit AS name, form_top[x.form] AS top
              FROM jsonb_to_recordset(forms) AS x (form integer, unit text, top_unit text)
              WHERE x.unit IS DISTINCT FROM x.top_unit) n
    ) t ON t.name = f.unit AND t.top = form_top[f.form] AND f.unit IS DISTINCT FROM f.top_unit;

    RAISE DEBUG 'import_forms: % % ms', 'units', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    -- 4. Projects: by 项目编号, else by name within the unit.  A project the
    -- caller cannot see is not found; inserting it again then does nothing
    -- (its code is taken) or is refused by row-level security.
    INSERT INTO @extschema@.project (code, name, unit_id)
    SELECT DISTINCT ON (f.project_code) f.project_code, f.project_name, form_unit[f.form]
    FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
    WHERE f.project_code IS NOT NULL
      AND NOT EXISTS (SELECT FROM @extschema@.project p WHERE p.code = f.project_code)
    ORDER BY f.project_code, f.form
    ON CONFLICT (code) DO NOTHING;

    INSERT INTO @extschema@.project (name, unit_id)
    SELECT DISTINCT f.project_name, form_unit[f.form]
    FROM jsonb_to_recordset(forms) AS f (form integer, project_code text, project_name text)
    WHERE f.project_code IS NULL
      AND NOT EXISTS (SELECT FROM @extschema@.project p
                      WHERE p.unit_id = form_unit[f.form] AND p.name = f.project_name)
    ORDER BY 2, 1
    ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;

    SELECT pg_catalog.array_agg(coalesce(pc.project_id, pn.project_id) ORDER BY f.form) INTO form_project
    FROM (SELECT x.form, x.project_code, x.project_name, form_unit[x.form] AS unit_id
          FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)) f
    LEFT JOIN @extschema@.project pc ON pc.code = f.project_code
    LEFT JOIN (
        SELECT n.unit_id, n.name,
               coalesce((SELECT p.project_id FROM @extschema@.project p
                         WHERE p.unit_id = n.unit_id AND p.name = n.name AND p.code IS NULL),
                        (SELECT p.project_id FROM @extschema@.project p
                         WHERE p.unit_id = n.unit_id AND p.name = n.name ORDER BY p.project_id LIMIT 1)) AS project_id
        FROM (SELECT DISTINCT form_unit[x.form] AS unit_id, x.project_name AS name
              FROM jsonb_to_recordset(forms) AS x (form integer, project_code text, project_name text)
              WHERE x.project_code IS NULL) n
    ) pn ON f.project_code IS NULL AND pn.unit_id = f.unit_id AND pn.name = f.project_name;

    -- A project the caller cannot see, or one that belongs to another unit.
    SELECT f.form, f.line, f.project_code, f.project_name, f.unit, f.top_unit, p.unit_id, u.name AS project_unit INTO bad
    FROM jsonb_to_recordset(forms) AS f (form integer, line integer, project_code text, project_name text,
                                         unit text, top_unit text)
    LEFT JOIN @extschema@.project p ON p.project_id = form_project[f.form]
    LEFT JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    WHERE p.project_id IS NULL OR p.unit_id <> form_unit[f.form]
    ORDER BY f.form
    LIMIT 1;
    IF FOUND AND bad.unit_id IS NULL THEN
        RAISE EXCEPTION 'form % of the document (line %): project % belongs to a unit that role % does not work for',
                bad.form, bad.line, bad.project_code, current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                bad.form, bad.line, coalesce(bad.project_code, '(no 项目编号)'), bad.project_name,
                bad.project_unit, coalesce(bad.unit, bad.top_unit)
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
    END IF;

    RAISE DEBUG 'import_forms: % % ms', 'projects', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    -- 5. One form per project and year in the document.
    SELECT a.form, a.line, b.form AS other_form, b.line AS other_line, a.year, a.project_code, a.project_name INTO bad
    FROM jsonb_to_recordset(forms) AS a (form integer, line integer, year integer, project_code text, project_name text)
    JOIN jsonb_to_recordset(forms) AS b (form integer, line integer, year integer)
      ON b.form > a.form AND b.year = a.year AND form_project[b.form] = form_project[a.form]
    ORDER BY b.form, a.form
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'forms % (line %) and % (line %) of the document are both project % “%” for %',
                bad.form, bad.line, bad.other_form, bad.other_line,
                coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year
            USING ERRCODE = 'unique_violation',
                  HINT = 'A document holds one form per project and year: remove one of them. Nothing of the document was imported.';
    END IF;

    RAISE DEBUG 'import_forms: % % ms', 'duplicates', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    -- 6. The forms themselves.  A project and year already stored is an
    -- error, or with on_conflict => 'replace' is replaced in place: the same
    -- evaluation_id, its profile kept, its fund lines and indicators written
    -- anew (the evaluator's band carried over where an indicator is
    -- unchanged), the old version in pjeval.history.  The workflow refuses to
    -- replace a form that is submitted or approved.  An import that races
    -- with another for the same project and year finds it on its next try.
    n := pg_catalog.jsonb_array_length(forms);
    form_eval := pg_catalog.array_fill(NULL::bigint, ARRAY[n]);
    todo := ARRAY(SELECT g FROM pg_catalog.generate_series(1, n) g);
    LOOP
        attempt := attempt + 1;

        -- the forms of this try already stored, locked in one order
        SELECT pg_catalog.array_agg(x.form ORDER BY x.form), pg_catalog.array_agg(x.evaluation_id ORDER BY x.form)
        INTO found_forms, found_evals
        FROM (SELECT f.form, e.evaluation_id
              FROM jsonb_to_recordset(forms) AS f (form integer, year integer)
              JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
              JOIN @extschema@.evaluation e ON e.project_id = form_project[f.form] AND e.year = f.year
              ORDER BY e.evaluation_id
              FOR UPDATE OF e) x;

        IF found_forms IS NOT NULL AND on_conflict = 'error' THEN
            SELECT f.form, f.line, f.year, f.project_code, f.project_name INTO bad
            FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, project_code text, project_name text)
            WHERE f.form = found_forms[1];
            RAISE EXCEPTION 'project % “%” already has a form for % (evaluation %)',
                    coalesce(bad.project_code, '(no 项目编号)'), bad.project_name, bad.year, found_evals[1]
                USING ERRCODE = 'unique_violation',
                      DETAIL = pg_catalog.format('Form %s of the document, line %s.', bad.form, bad.line),
                      HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
        END IF;

        IF found_forms IS NOT NULL THEN
            UPDATE @extschema@.evaluation e
            SET budget_unit_id = nullif(form_top[f.form], 0),
                amount_unit = coalesce(f.amount_unit, '元'),
                expected_goal = f.goal_expected,
                actual_outcome = f.goal_actual,
                reported_weight_total = f.total_weight,
                reported_total = f.total_score,
                notes = f.notes
            FROM ROWS FROM (pg_catalog.unnest(found_forms), pg_catalog.unnest(found_evals)) AS x (form, evaluation_id)
            JOIN jsonb_to_recordset(forms) AS f (form integer, amount_unit text, goal_expected text, goal_actual text,
                                                 total_weight numeric, total_score numeric, notes text)
              ON f.form = x.form
            WHERE e.evaluation_id = x.evaluation_id;

            SELECT coalesce(old_bands, '{}') || coalesce(pg_catalog.jsonb_object_agg(
                       i.evaluation_id || '/' || i.position || '/' || i.level3 || '/'
                           || coalesce(i.target_text, '') || '/' || coalesce(i.actual_text, ''),
                       i.band), '{}')
            INTO old_bands
            FROM @extschema@.indicator i
            WHERE i.evaluation_id = ANY (found_evals) AND i.band IS NOT NULL;

            DELETE FROM @extschema@.fund_line fl WHERE fl.evaluation_id = ANY (found_evals);
            DELETE FROM @extschema@.indicator i WHERE i.evaluation_id = ANY (found_evals);

            form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);
        END IF;

        -- the forms not stored yet; one that a concurrent import has just
        -- stored is left out, and found on the next try
        WITH ins AS (
            INSERT INTO @extschema@.evaluation (project_id, year, budget_unit_id, amount_unit, expected_goal,
                                                actual_outcome, reported_weight_total, reported_total, notes)
            SELECT form_project[f.form], f.year, nullif(form_top[f.form], 0), coalesce(f.amount_unit, '元'),
                   f.goal_expected, f.goal_actual, f.total_weight, f.total_score, f.notes
            FROM jsonb_to_recordset(forms) AS f (form integer, year integer, amount_unit text, goal_expected text,
                                                 goal_actual text, total_weight numeric, total_score numeric, notes text)
            JOIN pg_catalog.unnest(todo) AS t (form) ON t.form = f.form
            WHERE form_eval[f.form] IS NULL     -- not just replaced
            ORDER BY form_project[f.form], f.year
            ON CONFLICT (project_id, year) DO NOTHING
            RETURNING evaluation_id, project_id, year
        )
        SELECT pg_catalog.array_agg(f.form), pg_catalog.array_agg(ins.evaluation_id)
        INTO found_forms, found_evals
        FROM ins
        JOIN jsonb_to_recordset(forms) AS f (form integer, year integer)
          ON form_project[f.form] = ins.project_id AND f.year = ins.year;

        form_eval := @extschema@.import_set_elements(form_eval, found_forms, found_evals);

        todo := ARRAY(SELECT g FROM pg_catalog.generate_series(1, n) g WHERE form_eval[g] IS NULL);
        EXIT WHEN pg_catalog.cardinality(todo) = 0;
        IF attempt >= 3 THEN
            RAISE EXCEPTION 'form % of the document: its project and year are being written by another import at the same time', todo[1]
                USING ERRCODE = 'serialization_failure',
                      HINT = 'Try again.';
        END IF;
    END LOOP;

    RAISE DEBUG 'import_forms: % % ms', 'evaluations', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    -- 7. Their rows.  Amounts left blank are 0; the values of targets and
    -- actuals are read by the indicator's trigger (NULL, and flagged by the
    -- audit, where a cell does not read: the text is kept as written).
    BEGIN
        INSERT INTO @extschema@.fund_line (evaluation_id, source, initial_budget, annual_budget, executed,
                                           reported_weight, reported_rate, reported_score)
        SELECT form_eval[x.form], @extschema@.fund_source(x.source), coalesce(x.initial_budget, 0),
               coalesce(x.budget, 0), coalesce(x.executed, 0), x.weight, x.rate, x.score
        FROM jsonb_to_recordset(funds) AS x (form integer, source text, initial_budget numeric, budget numeric,
                                             executed numeric, weight numeric, rate numeric, score numeric);

        RAISE DEBUG 'import_forms: % % ms', 'fund lines', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        INSERT INTO @extschema@.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text,
                                           weight, reported_score, deviation_reason, band)
        SELECT form_eval[x.form], x.position,
               x.level1 || coalesce(' (' || x.level1_weight || '分)', ''),
               x.level2, x.level3, x.target, x.actual, x.weight, x.score, x.explanation,
               CASE WHEN old_bands IS NOT NULL
                    THEN old_bands ->> (form_eval[x.form] || '/' || x.position || '/' || x.level3 || '/'
                                        || coalesce(x.target, '') || '/' || coalesce(x.actual, '')) END
        FROM jsonb_to_recordset(inds) AS x (form integer, position integer, level1 text, level1_weight numeric,
                                            level2 text, level3 text, target text, actual text,
                                            weight numeric, score numeric, explanation text);
    EXCEPTION WHEN not_null_violation OR check_violation OR unique_violation THEN
        -- a cell no table can hold: say which
        PERFORM @extschema@.import_raise_problem(document, forms, funds, inds);
        RAISE;
    END;

    RAISE DEBUG 'import_forms: % % ms', 'indicators', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    t0 := clock_timestamp();
    RETURN QUERY SELECT form_eval[g] FROM pg_catalog.generate_subscripts(form_eval, 1) g ORDER BY g;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_forms(text, text) IS
'Imports every 项目支出绩效自评表 of a tab-separated document (read by pjeval.read_forms): units and projects found or created, one evaluation per form with its fund lines and indicators. All or nothing. Returns the evaluation ids in the document''s order. on_conflict: ''error'' (default) refuses a project and year already stored (23505); ''replace'' replaces it in place, keeping the old version in pjeval.history';

-- ------------------------------------------------------------------ export

-- A cell of tab-separated text: quoted (with "" for a quote) when it holds a
-- tab or a line break or begins or ends with a quote, as a spreadsheet
-- writes it and as the reader reads it back.
CREATE FUNCTION @extschema@.export_cell(value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN $1 IS NULL THEN ''
        WHEN $1 ~ '[\t\n\r]' OR pg_catalog.left($1, 1) = '"' OR pg_catalog.right($1, 1) = '"'
            THEN '"' || pg_catalog.replace($1, '"', '""') || '"'
        ELSE $1
    END
$$;

COMMENT ON FUNCTION @extschema@.export_cell(text) IS
'A value as one cell of tab-separated text: quoted, with "" for a quote, where it holds a tab or a line break or begins or ends with a quote; NULL is the empty cell';

-- Would the reader take this text, as the first filled cell of a row, for
-- one of the template's own labels (总分, 备注, a header, a title)?  Then the
-- export repeats the label on the left instead of leaving it blank.
CREATE FUNCTION @extschema@.is_template_label(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l ~ '^(总分|合计)$'
        OR l ~ '^(项目编号|项目代码|项目名称|绩效自评年度|自评年度|评价年度|实施单位|一级预算单位|主管部门)([:：]|$)'
        OR l ~ '^作为导[入出]模板'
        OR l ~ '项目支出绩效自评表'
        OR pg_catalog.btrim($1, E' \t\r\n　') LIKE '备注%'
    FROM (SELECT pg_catalog.regexp_replace($1, '[[:space:]　*＊]+', '', 'g') AS l) s
$$;

COMMENT ON FUNCTION @extschema@.is_template_label(text) IS
'True when the text, alone at the start of a row, would read as one of the template''s own labels (总分, 合计, 备注, a header label, the title)';


CREATE FUNCTION @extschema@.export_form(evaluation_id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    e record;
    out text[] := '{}';
    funds text;
    inds text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_forms reads it back); ''html'' writes a printable page.';
    END IF;
    IF export_form.evaluation_id IS NULL THEN
        RETURN NULL;
    END IF;

    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;

    IF format = 'html' THEN
        RETURN @extschema@.export_form_html(export_form.evaluation_id);
    END IF;

    -- The template's layout, as in the forms it was read from: the same
    -- sections, labels and columns, blank lines between the sections.
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || e.amount_unit || '）' ELSE '' END,
                   CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                                 WHEN 'carryover' THEN '上年结转资金' ELSE '其他资金' END,
                   f.initial_budget, f.annual_budget, f.executed,
                   coalesce(f.reported_weight::text, '—'), coalesce(f.reported_rate::text, '—'),
                   coalesce(f.reported_score::text, '—')),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source)) AS n
          FROM @extschema@.fund_line fl
          WHERE fl.evaluation_id = export_form.evaluation_id) f;

    -- Level-1 and level-2 cells left blank where they repeat the row above,
    -- as on the form, unless the row would then begin with a word the
    -- reader takes for the template's own (总分, 备注, …).
    SELECT pg_catalog.string_agg(
               pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.new1 THEN @extschema@.export_cell(i.level1) ELSE '' END,
                   CASE WHEN i.new2 OR (NOT i.new1 AND @extschema@.is_template_label(i.level3))
                        THEN @extschema@.export_cell(i.level2) ELSE '' END,
                   @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                   @extschema@.export_cell(i.actual_text), coalesce(i.weight::text, ''),
                   coalesce(i.reported_score::text, ''), @extschema@.export_cell(i.deviation_reason)),
               E'\n' ORDER BY i.position)
    INTO inds
    FROM (SELECT ind.*,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL
                     OR @extschema@.is_template_label(ind.level2) AS new1,
                 ind.level1 IS DISTINCT FROM pg_catalog.lag(ind.level1) OVER w
                     OR ind.level2 IS DISTINCT FROM pg_catalog.lag(ind.level2) OVER w
                     OR pg_catalog.lag(ind.position) OVER w IS NULL AS new2
          FROM @extschema@.indicator ind
          WHERE ind.evaluation_id = export_form.evaluation_id
          WINDOW w AS (ORDER BY ind.position)) i;

    out := ARRAY[
        '',
        '项目支出绩效自评表',
        '',
        pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(e.project_code),
                             '项目名称:', @extschema@.export_cell(e.project_name), '绩效自评年度:', e.year),
        pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(e.unit_name),
                             '一级预算单位:', @extschema@.export_cell(e.budget_unit_name), '', ''),
        '',
        '资金使用情况',
        '',
        E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分'];
    IF funds IS NOT NULL THEN
        out := out || funds;
    END IF;
    out := out || ARRAY[
        '',
        '项目目标完成情况',
        '',
        E'年度总体目标\t预期目标\t\t\t\t* 实际完成情况\t\t\t',
        pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(e.expected_goal), '', '', '',
                             @extschema@.export_cell(e.actual_outcome), '', '', ''),
        E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施'];
    IF inds IS NOT NULL THEN
        out := out || inds;
    END IF;
    out := out || ARRAY[
        pg_catalog.concat_ws(E'\t', '总分', '', '', '', '', '', coalesce(e.reported_weight_total::text, ''),
                             coalesce(e.reported_total::text, ''), '—'),
        '',
        CASE WHEN e.notes IS NULL THEN '备注：'
             WHEN e.notes ~ '[\t\n\r]' OR pg_catalog.left(e.notes, 1) = '"' OR pg_catalog.right(e.notes, 1) = '"'
                 THEN E'备注：\t' || @extschema@.export_cell(e.notes)
             ELSE '备注：' || e.notes END,
        '',
        '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。'];
    RETURN pg_catalog.array_to_string(out, E'\n') || E'\n';
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_form(bigint, text) IS
'One stored form written out: ''text'' is the template 项目支出绩效自评表 as tab-separated text, which pjeval.import_forms reads back to the same rows; ''html'' is a printable page of the form with the computed scores beside the reported ones and the audit''s findings marked';

-- The form as a printable page.  One <table> in the template's layout
-- (header, 资金使用情况, 项目目标完成情况, 年度绩效指标 with merged level-1 and
-- level-2 cells, 总分, 备注); beside each reported 执行率 and 得分 the computed
-- one; rows with findings of pjeval.audit_finding shaded by severity and
-- numbered, the findings listed below.  No script, no external resource: a
-- CJK font stack and print CSS (A4) only.  Every value is escaped.
CREATE FUNCTION @extschema@.export_form_html(evaluation_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    e record;
    r record;
    funds text;
    inds text;
    finds text;
    nfund integer;
    nind integer;
    h text;
    status_zh text;
    fs jsonb;
    total_sev text;
    total_marks text;
BEGIN
    SELECT ev.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name
    INTO e
    FROM @extschema@.evaluation ev
    JOIN @extschema@.project p ON p.project_id = ev.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = ev.budget_unit_id
    WHERE ev.evaluation_id = export_form_html.evaluation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'evaluation % does not exist or is not visible to role %', export_form_html.evaluation_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    SELECT * INTO r FROM @extschema@.evaluation_result er WHERE er.evaluation_id = export_form_html.evaluation_id;
    status_zh := CASE e.status WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' ELSE '已审核' END;

    -- the findings, numbered: the whole form's first, then by indicator.
    -- A form's finding is marked on the 年度资金总额 row when it is about the
    -- funds, else on the 总分 row.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY x.n), '[]') INTO fs
    FROM (SELECT pg_catalog.row_number() OVER (ORDER BY a.position NULLS FIRST,
                     pg_catalog.array_position(ARRAY['error', 'warning', 'info'], a.severity), a.code) AS n,
                 a.position, a.code, a.severity, a.message_zh, a.message_en,
                 CASE WHEN a.position IS NOT NULL THEN 'indicator'
                      WHEN a.code IN ('fund_total_missing', 'budget_zero', 'fund_sources_mismatch', 'execution_above_budget',
                                      'execution_rate_low', 'fund_rate_mismatch', 'fund_score_mismatch',
                                      'reported_score_used', 'score_unavailable') THEN 'fund'
                      ELSE 'total' END AS place
          FROM @extschema@.audit_finding a
          WHERE a.evaluation_id = export_form_html.evaluation_id) x;
    SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1],
           coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '')
    INTO total_sev, total_marks
    FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
    WHERE x.place = 'total';

    SELECT pg_catalog.count(*) INTO nfund FROM @extschema@.fund_line fl WHERE fl.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s>%s<td class="label">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
               '<td class="num">%s</td><td class="num">%s%s</td><td class="num">%s%s%s</td></tr>',
               CASE WHEN f.source = 'total' AND f.sev IS NOT NULL THEN ' class="finding-' || f.sev || '"' ELSE '' END,
               CASE WHEN f.n = 1 THEN pg_catalog.format('<th rowspan="%s" colspan="2" class="label">项目资金（%s）</th>',
                                                         nfund, @extschema@.html_escape(e.amount_unit)) ELSE '' END,
               CASE f.source WHEN 'total' THEN '年度资金总额' WHEN 'appropriation' THEN '其中：当年财政拨款'
                             WHEN 'carryover' THEN '上年结转资金' ELSE '其他资金' END,
               f.initial_budget, f.annual_budget, f.executed,
               coalesce(f.reported_weight::text, '—'),
               coalesce(f.reported_rate::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.execution_rate::text, '—')) ELSE '' END,
               coalesce(f.reported_score::text, '—'),
               CASE WHEN f.source = 'total' THEN pg_catalog.format('<span class="computed">计算 %s</span>',
                                                                   coalesce(r.fund_score::text, '—')) ELSE '' END,
               CASE WHEN f.source = 'total' THEN f.marks ELSE '' END),
               E'\n' ORDER BY f.n)
    INTO funds
    FROM (SELECT fl.*, pg_catalog.row_number() OVER (ORDER BY pg_catalog.array_position(
                     ARRAY['total', 'appropriation', 'carryover', 'other'], fl.source)) AS n,
                 m.sev, m.marks
          FROM @extschema@.fund_line fl
          CROSS JOIN LATERAL (
              SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                     coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
              FROM jsonb_to_recordset(fs) AS x (n integer, severity text, place text)
              WHERE x.place = 'fund') m
          WHERE fl.evaluation_id = export_form_html.evaluation_id) f;

    SELECT pg_catalog.count(*) INTO nind FROM @extschema@.indicator i WHERE i.evaluation_id = export_form_html.evaluation_id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s><td class="pos">%s</td>%s%s<td>%s</td><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s<span class="computed">计算 %s</span>%s</td><td>%s</td></tr>',
               CASE WHEN g.sev IS NOT NULL THEN ' class="finding-' || g.sev || '"' ELSE '' END,
               g.position,
               CASE WHEN g.n1 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size1, @extschema@.html_escape(g.level1)) ELSE '' END,
               CASE WHEN g.n2 = 1 THEN pg_catalog.format('<td rowspan="%s" class="level">%s</td>', g.size2, @extschema@.html_escape(g.level2)) ELSE '' END,
               @extschema@.html_escape(g.level3),
               @extschema@.html_escape(g.target_text),
               @extschema@.html_escape(g.actual_text),
               coalesce(g.weight::text, ''),
               coalesce(g.reported_score::text, ''),
               coalesce(g.computed_score::text, '—'),
               g.marks,
               @extschema@.html_escape(g.deviation_reason)),
               E'\n' ORDER BY g.position)
    INTO inds
    FROM (SELECT b.*,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1 ORDER BY b.position) AS n1,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1) AS size1,
                 pg_catalog.row_number() OVER (PARTITION BY b.run1, b.run2 ORDER BY b.position) AS n2,
                 pg_catalog.count(*) OVER (PARTITION BY b.run1, b.run2) AS size2
          FROM (SELECT a.*,
                       pg_catalog.sum(a.new1::integer) OVER (ORDER BY a.position) AS run1,
                       pg_catalog.sum(a.new2::integer) OVER (ORDER BY a.position) AS run2
                FROM (SELECT i.*, ir.computed_score,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new1,
                             i.level1 IS DISTINCT FROM pg_catalog.lag(i.level1) OVER w
                                 OR i.level2 IS DISTINCT FROM pg_catalog.lag(i.level2) OVER w
                                 OR pg_catalog.lag(i.position) OVER w IS NULL AS new2,
                             m.sev, m.marks
                      FROM @extschema@.indicator i
                      LEFT JOIN @extschema@.indicator_result ir ON ir.indicator_id = i.indicator_id
                      CROSS JOIN LATERAL (
                          SELECT (pg_catalog.array_agg(x.severity ORDER BY pg_catalog.array_position(ARRAY['error', 'warning', 'info'], x.severity)))[1] AS sev,
                                 coalesce(pg_catalog.string_agg(pg_catalog.format('<a class="mark %s" href="#f%s">%s</a>', x.severity, x.n, x.n), '' ORDER BY x.n), '') AS marks
                          FROM jsonb_to_recordset(fs) AS x (n integer, position integer, severity text)
                          WHERE x.position = i.position) m
                      WHERE i.evaluation_id = export_form_html.evaluation_id
                      WINDOW w AS (ORDER BY i.position)) a) b) g;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<li id="f%s" class="finding-%s"><span class="sev %s">%s</span> <span class="where">%s</span> %s <code>%s</code><br><span class="en">%s</span></li>',
               x.n, x.severity, x.severity,
               CASE x.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END,
               CASE WHEN x.position IS NULL THEN '整表' ELSE '指标 ' || x.position END,
               @extschema@.html_escape(x.message_zh), @extschema@.html_escape(x.code),
               @extschema@.html_escape(x.message_en)),
               E'\n' ORDER BY x.n)
    INTO finds
    FROM jsonb_to_recordset(fs) AS x (n integer, position integer, code text, severity text, message_zh text, message_en text);

    h := pg_catalog.concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pjeval">
<title>项目支出绩效自评表 · ', @extschema@.html_escape(e.project_name), ' · ', e.year, '年度</title>
<style>
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 10pt; color: #000; background: #fff; }
body { margin: 0 auto; padding: 8mm 0; max-width: 186mm; line-height: 1.45; }
h1 { text-align: center; font-size: 17pt; letter-spacing: .25em; margin: 0; font-weight: 700; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; font-size: 10pt; }
.status { display: inline-block; border: 1px solid #555; padding: 0 1.5mm; font-size: 8.5pt; margin-left: 2mm; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm 1.4mm; vertical-align: middle; overflow-wrap: anywhere; }
table.form th { font-weight: 400; background: #f0f0f0; text-align: center; font-size: 9pt; }
table.form th.part { background: #dcdcdc; font-weight: 700; letter-spacing: .1em; }
table.form th.section, table.form th.label, table.form td.level { text-align: center; }
table.form td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.form td.text { text-align: left; }
table.form td.pos { text-align: center; color: #333; }
.computed { display: block; color: #444; font-size: 7.5pt; white-space: nowrap; }
tr.finding-error > td:not(.level) { background: #fbe3e1; }
tr.finding-warning > td:not(.level) { background: #fdf3cf; }
tr.finding-info > td:not(.level) { background: #eaf1fb; }
td.code { white-space: nowrap; font-size: 8.5pt; font-variant-numeric: tabular-nums; }
a.mark { display: inline-block; min-width: 3.2mm; margin-left: .6mm; padding: 0 .5mm; border-radius: 1mm; font-size: 7pt; line-height: 1.4; text-align: center; text-decoration: none; color: #fff; vertical-align: super; }
a.mark.error, .sev.error { background: #b3261e; }
a.mark.warning, .sev.warning { background: #a86a00; }
a.mark.info, .sev.info { background: #41618f; }
.sev { color: #fff; padding: 0 1mm; border-radius: 1mm; font-size: 8pt; }
section.findings { margin-top: 5mm; }
section.findings h2 { font-size: 11pt; margin: 0 0 2mm; }
section.findings ol { margin: 0; padding-left: 0; list-style: none; }
section.findings li { padding: 1mm 1.5mm; margin-bottom: 1mm; border-left: 1mm solid transparent; break-inside: avoid; }
section.findings li.finding-error { border-color: #b3261e; background: #fbe3e1; }
section.findings li.finding-warning { border-color: #a86a00; background: #fdf3cf; }
section.findings li.finding-info { border-color: #41618f; background: #eaf1fb; }
section.findings .where { font-weight: 700; }
section.findings code { font-size: 7.5pt; color: #555; }
section.findings .en { color: #555; font-size: 8pt; }
p.foot { font-size: 8pt; color: #444; margin-top: 3mm; }
@media print {
  body { padding: 0; max-width: none; }
  li { break-inside: avoid; }
  a.mark { color: #fff; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<h1>项目支出绩效自评表</h1>
<p class="subtitle">（', e.year, '年度）<span class="status">', status_zh, '</span></p>
<table class="form">
<colgroup><col style="width:6%"><col style="width:11%"><col style="width:12%"><col style="width:17%"><col style="width:12%"><col style="width:12%"><col style="width:7%"><col style="width:10%"><col style="width:13%"></colgroup>
<tbody>
<tr><th colspan="2">项目编号</th><td colspan="2" class="code">', @extschema@.html_escape(e.project_code), '</td><th>项目名称</th><td colspan="2">',
        @extschema@.html_escape(e.project_name), '</td><th>绩效自评年度</th><td>', e.year, '</td></tr>
<tr><th colspan="2">实施单位</th><td colspan="2">', @extschema@.html_escape(e.unit_name), '</td><th>一级预算单位</th><td colspan="4">',
        @extschema@.html_escape(e.budget_unit_name), '</td></tr>
<tr><th colspan="9" class="part">资金使用情况</th></tr>
<tr><th colspan="3"></th><th>年初预算数</th><th>全年预算数</th><th>全年执行数</th><th>分值</th><th>执行率 (%)</th><th>得分</th></tr>
', coalesce(funds, ''), '
<tr><th colspan="9" class="part">项目目标完成情况</th></tr>
<tr><th rowspan="2" colspan="2" class="section">年度总体目标</th><th colspan="3">预期目标</th><th colspan="4">实际完成情况</th></tr>
<tr><td colspan="3" class="text">', @extschema@.html_escape(e.expected_goal), '</td><td colspan="4" class="text">',
        @extschema@.html_escape(e.actual_outcome), '</td></tr>
<tr><th colspan="9" class="part">年度绩效指标</th></tr>
<tr><th>序号</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th><th>分值</th><th>得分</th><th>偏差原因分析及改进措施</th></tr>
', coalesce(inds, ''), '
<tr', CASE WHEN total_sev IS NOT NULL THEN ' class="finding-' || total_sev || '"' END, '><th colspan="6">总分</th><td class="num">',
        coalesce(e.reported_weight_total::text, ''), '</td><td class="num">', coalesce(e.reported_total::text, ''),
        '<span class="computed">计算 ', coalesce(r.total_score::text, '—'), '</span>', total_marks, '</td><td>评级：',
        coalesce(r.grade, '—'), '</td></tr>
<tr><th colspan="2">备注</th><td colspan="7" class="text">', pg_catalog.replace(@extschema@.html_escape(e.notes), E'\n', '<br>'), '</td></tr>
</tbody>
</table>
<p class="foot">“计算”为 pjeval 按评分规则（', @extschema@.html_escape(e.profile), '）核算的数值，与填报数值并列；有审核发现的行以底色标出并编号。</p>
<section class="findings">
<h2>审核发现（', pg_catalog.jsonb_array_length(fs), '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
    RETURN h;
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_form_html(bigint) IS
'export_form(evaluation_id, ''html''): the form as a standalone printable page';

-- src/sql/80_reports.sql
-- 80_reports.sql - dashboards and scheduled aggregate reports (docs/reports.md).
--
-- Live dashboard views, computed on every read from the views of
-- 50_views.sql, so they always agree with evaluation_result and
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
-- security and the caller's filters apply) and score each one through a
-- LATERAL sub-query on its evaluation_id, which does reach the indicators by
-- their index: a dashboard query for one unit or one year scores only those
-- forms.  The materialized views score everything at once with hash joins
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

-- The name of a level-1 or level-2 indicator as the reports group it: the
-- same normalisation as indicator_result (no spaces, no weight in brackets,
-- no trailing 指标), with 指标 put back, so that 产出指标 (50分), 产出指标（50分）
-- and 产出 are one row: 产出指标.
CREATE FUNCTION @extschema@.indicator_level_name(level pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.regexp_replace(
               pg_catalog.regexp_replace($1, '[[:space:]　]+|[（(][^）)]*[）)]', '', 'g'),
               '指标$', '') OPERATOR(pg_catalog.||) '指标'
$$;

COMMENT ON FUNCTION @extschema@.indicator_level_name(pg_catalog.text) IS
'A level-1 or level-2 indicator name without spaces, without a bracketed weight and ending in 指标: 产出指标 (50分) → 产出指标';

-- Where the standard places a level-1 and a level-2 name: the lists of
-- indicator_result (level1_kind, level2_home in 50_views.sql), for the
-- category reports, which classify a group of rows once where
-- indicator_result classifies every row (its regular expressions cost more
-- than assess() itself).  Keep the lists equal: the reports test compares
-- them with indicator_result on every standard name.
CREATE FUNCTION @extschema@.indicator_level1_kind(level1 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE pg_catalog.regexp_replace(
                    pg_catalog.regexp_replace($1, '[[:space:]　]+|[（(][^）)]*[）)]', '', 'g'), '指标$', '')
               WHEN '产出' THEN 'output'
               WHEN '效益' THEN 'benefit'
               WHEN '满意度' THEN 'satisfaction'
               WHEN '成本' THEN 'cost'
           END
$$;

CREATE FUNCTION @extschema@.indicator_level2_home(level2 pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE pg_catalog.regexp_replace(
                    pg_catalog.regexp_replace($1, '[[:space:]　]+|[（(][^）)]*[）)]', '', 'g'), '指标$', '')
               WHEN '数量' THEN 'output'
               WHEN '质量' THEN 'output'
               WHEN '时效' THEN 'output'
               WHEN '成本' THEN 'output'
               WHEN '经济效益' THEN 'benefit'
               WHEN '社会效益' THEN 'benefit'
               WHEN '生态效益' THEN 'benefit'
               WHEN '可持续影响' THEN 'benefit'
               WHEN '服务对象满意度' THEN 'satisfaction'
               WHEN '其他满意度' THEN 'satisfaction'
               WHEN '经济成本' THEN 'cost'
               WHEN '社会成本' THEN 'cost'
               WHEN '生态环境成本' THEN 'cost'
           END
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
    @extschema@.execution_rate(pg_catalog.sum(t.annual_budget), pg_catalog.sum(t.executed)) AS execution_rate,
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
            ('execution_rate', '执行率 of the unit: Σ executed / Σ annual_budget in percent, rounded half-up to 2 places, exactly (pjeval.execution_rate); NULL when Σ annual_budget is 0'),
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
    USING ((SELECT @extschema@.is_reviewer(CURRENT_USER))
           OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]));

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
-- new ones, never a mix.
CREATE PROCEDURE @extschema@.refresh_reports(wait boolean DEFAULT true)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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
           @extschema@.execution_rate(sum(s.annual_budget), sum(s.executed)) AS execution_rate,
           @extschema@.quotient_half_up(sum(s.total_score_sum), sum(s.scored_forms)) AS avg_total_score,
           min(s.min_total_score) AS min_total_score, max(s.max_total_score) AS max_total_score,
           sum(s.grade_excellent) AS grade_excellent, sum(s.grade_good) AS grade_good,
           sum(s.grade_pass) AS grade_pass, sum(s.grade_poor) AS grade_poor, sum(s.ungraded) AS ungraded,
           sum(s.finding_count) AS finding_count, sum(s.inflated_forms) AS inflated_forms,
           sum(s.compared_forms) AS compared_forms,
           @extschema@.quotient_half_up(sum(s.inflation_sum), sum(s.compared_forms)) AS inflation_avg,
           greatest(100, ceil(max(s.execution_rate) / 20) * 20) AS rate_scale
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
                                 @extschema@.html_escape(coalesce(to_char(round(s.annual_budget / 10000, 2), 'FM999,999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(round(s.executed / 10000, 2), 'FM999,999,999,990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.execution_rate, 'FM999,990.00') || '%', '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.avg_total_score, 'FM990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.min_total_score, 'FM990.00'), '—')),
                                 @extschema@.html_escape(coalesce(to_char(s.max_total_score, 'FM990.00'), '—')),
                                 @extschema@.html_escape(coalesce(s.finding_count, 0)::text),
                                 @extschema@.html_escape(format('%s / %s', s.inflated_forms, s.compared_forms)),
                                 @extschema@.html_escape(coalesce(to_char(s.inflation_avg, 'FM990.00'), '—'))),
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
                      @extschema@.html_escape(coalesce(to_char(round(tot.annual_budget / 10000, 2), 'FM999,999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(round(tot.executed / 10000, 2), 'FM999,999,999,990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.execution_rate, 'FM999,990.00') || '%', '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.avg_total_score, 'FM990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.min_total_score, 'FM990.00'), '—')),
                      @extschema@.html_escape(coalesce(to_char(tot.max_total_score, 'FM990.00'), '—')),
                      @extschema@.html_escape(coalesce(tot.finding_count, 0)::text),
                      @extschema@.html_escape(format('%s / %s', tot.inflated_forms, tot.compared_forms)),
                      @extschema@.html_escape(coalesce(to_char(tot.inflation_avg, 'FM990.00'), '—')))
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
                          '<text x="%s" y="%s" font-size="11" fill="#222" text-anchor="end">%s</text>'
                          '<rect x="%s" y="%s" width="%s" height="12" fill="#2f5597"/>'
                          '<text x="%s" y="%s" font-size="10" fill="#2f5597">%s</text>'
                          '<rect x="%s" y="%s" width="%s" height="12" fill="#e0892a"/>'
                          '<text x="%s" y="%s" font-size="10" fill="#b3641b">%s</text></g>',
                          @extschema@.html_escape(s.unit_name || coalesce('（' || s.budget_unit_name || '）', '')),
                          bar_left - 8, 34 + (o - 1) * 34 + 19,
                          @extschema@.html_escape(CASE WHEN char_length(s.label) > 14
                                                       THEN left(s.label, 13) || '…' ELSE s.label END),
                          bar_left, 34 + (o - 1) * 34 + 3,
                          round(coalesce(s.avg_total_score, 0) / scale * bar_span, 1),
                          round(bar_left + coalesce(s.avg_total_score, 0) / scale * bar_span + 4, 1), 34 + (o - 1) * 34 + 13,
                          @extschema@.html_escape(coalesce(to_char(s.avg_total_score, 'FM990.00'), '—')),
                          bar_left, 34 + (o - 1) * 34 + 17,
                          round(least(coalesce(s.execution_rate, 0), scale) / scale * bar_span, 1),
                          round(bar_left + least(coalesce(s.execution_rate, 0), scale) / scale * bar_span + 4, 1), 34 + (o - 1) * 34 + 27,
                          @extschema@.html_escape(coalesce(to_char(s.execution_rate, 'FM999,990.00') || '%', '—')))
            FROM (SELECT u.*,
                         -- a unit with forms under two budget units has a bar for each: say which
                         u.unit_name || CASE WHEN count(*) OVER (PARTITION BY u.unit_id) > 1
                                             THEN '（' || coalesce(u.budget_unit_name, '未填预算单位') || '）' ELSE '' END AS label
                  FROM unnest(unit_rows) WITH ORDINALITY AS u (year, unit_id, unit_name, budget_unit_id, budget_unit_name, forms,
                       approved_forms, scored_forms, initial_budget, annual_budget, executed, execution_rate, total_score_sum,
                       avg_total_score, min_total_score, max_total_score, grade_excellent, grade_good, grade_pass, grade_poor,
                       ungraded, finding_count, forms_with_findings, compared_forms, inflated_forms, inflation_sum, inflation_avg,
                       inflation_max, o)) s
        ) chart;
        html := html || '<section id="chart">' || E'\n' || '<h2>二、平均总分与预算执行率</h2>' || E'\n'
            || format('<svg xmlns="http://www.w3.org/2000/svg" width="680" height="%s" viewBox="0 0 680 %s" role="img" aria-label="%s">',
                      chart_height, chart_height, @extschema@.html_escape('各单位平均总分与预算执行率条形图')) || E'\n'
            || '<rect x="200" y="4" width="12" height="10" fill="#2f5597"/><text x="216" y="13" font-size="10" fill="#222">平均总分（分）</text>'
            || '<rect x="330" y="4" width="12" height="10" fill="#e0892a"/><text x="346" y="13" font-size="10" fill="#222">预算执行率（%）</text>'
            || E'\n' || part || E'\n' || '</svg>' || E'\n'
            || '<p class="note">虚线为评价等级的分数线（优 ≥ 90，良 ≥ 80，中 ≥ 60）；执行率超过坐标范围的部分不画出。</p>' || E'\n'
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
