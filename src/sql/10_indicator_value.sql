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
