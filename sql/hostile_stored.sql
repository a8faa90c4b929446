-- hostile_stored: a stored indicator_value that pjeval did not write (a
-- damaged page; here a binary-coercible cast from bytea, which only a
-- superuser can make) is refused with XX001 by every function that reads it,
-- never trusted: an exponent out of range used to overflow a stack buffer in
-- explain() and assess() and restart the cluster.  Also: explain() prints
-- every base value as a JSON number (a zero with a multiplier printed 00000).
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE CAST (bytea AS pjeval.indicator_value) WITHOUT FUNCTION;

-- The block pjeval writes for ≥90% reads as ≥90% through the cast ...
SELECT v, pjeval.kind(v), pjeval.base_value(v), v OPERATOR(pjeval.=) '≥90%' AS equal
FROM (SELECT decode('01010106010101000000b40100000005010000e289a5393025', 'hex')::pjeval.indicator_value v) s;

-- ... the same block with the exponent -80: the statement that crashed.
SELECT pjeval.assess(v, v, 10)
FROM (SELECT decode('01010106010101000000b401b0000005010000e289a5393025','hex')::pjeval.indicator_value v) s;

-- Every other way in is refused the same way.
CREATE TEMP TABLE damaged AS
SELECT decode('01010106010101000000b401b0000005010000e289a5393025', 'hex')::pjeval.indicator_value AS v;
SELECT pjeval.explain(v, v, 10) FROM damaged;
SELECT pjeval.explain('≥90%', v, 10) FROM damaged;
SELECT pjeval.indicator_score(v, '95%', 10) FROM damaged;
SELECT pjeval.completion('≥90%', v) FROM damaged;
SELECT pjeval.indicator_flags(v, v) FROM damaged;
SELECT pjeval.profile_indicator_score(v, v, 10, NULL) FROM damaged;
SELECT v::text FROM damaged;
SELECT v FROM damaged;
SELECT pjeval.kind(v) FROM damaged;
SELECT * FROM pjeval.clauses((SELECT v FROM damaged));
SELECT v OPERATOR(pjeval.=) '≥90%' FROM damaged;
SELECT v OPERATOR(pjeval.<) '≥90%' FROM damaged;
SELECT '≥90%' OPERATOR(pjeval.<>) v FROM damaged;
SELECT pjeval.indicator_value_cmp(v, v) FROM damaged;
SELECT pjeval.indicator_value_hash(v) FROM damaged;
SELECT pjeval.indicator_value_hash_extended(v, 1) FROM damaged;
SELECT pjeval.indicator_value_send(v) FROM damaged;
SET enable_hashagg = on;
SELECT count(*) FROM (SELECT v FROM damaged UNION SELECT '≥90%') u;
SELECT cardinality(array_agg(v ORDER BY v)) FROM (SELECT v FROM damaged UNION ALL SELECT '≥90%') u;

-- recv never sees the stored block: sent as a binary value (wire version 1,
-- then text), its bytes are not UTF-8 text, and recv refuses them (22021).
CREATE TEMP TABLE hostile_payload (b bytea);
CREATE TEMP TABLE hostile_recv (v pjeval.indicator_value);
INSERT INTO hostile_payload VALUES (decode('01010106010101000000b401b0000005010000e289a5393025', 'hex'));
\copy hostile_payload TO 'results/hostile_stored.bin' WITH (FORMAT binary)
\copy hostile_recv FROM 'results/hostile_stored.bin' WITH (FORMAT binary)
SELECT count(*) AS received FROM hostile_recv;

-- Each field out of what the reader writes, one block each (built like
-- iv_pack from ≥90%, with one field changed): all refused with XX001.
CREATE FUNCTION pg_temp.read_block(b bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
    msg text;
BEGIN
    RETURN (b::pjeval.indicator_value)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN state || ' ' || msg;
END
$$;
SELECT what, pg_temp.read_block(decode(hex, 'hex')) AS reads
FROM (VALUES
    ('exponent -80', '01010106010101000000b401b0000005010000e289a5393025'),
    ('exponent -19', '01010106010101000000b401ed000005010000e289a5393025'),
    ('exponent +100', '01010106010101000000b40164000005010000e289a5393025'),
    ('coefficient 10^18', '010101060101010000008080a0f6f4acdbe01b00000005010000e289a5393025'),
    ('coefficient not minimal', '01010106010101000000b4810000000005010000e289a5393025'),
    ('kind 0', '01000106010101000000b40100000005010000e289a5393025'),
    ('kind 6', '01060106010101000000b40100000005010000e289a5393025'),
    ('quantity without clauses', '01010006e289a5393025'),
    ('comparison 7', '01010106070101000000b40100000005010000e289a5393025'),
    ('dimension 12', '01010106010c01000000b40100000005010000e289a5393025'),
    ('dimension money for %', '01010106010201000000b40100000005010000e289a5393025'),
    ('unit 250', '010101060101fa000000b40100000005010000e289a5393025'),
    ('unit 百分比 (not canonical)', '01010106010103000000b40100000005010000e289a5393025'),
    ('unit 元 for the text %', '01010106010204000000b40100000005010000e289a5393025'),
    ('multiplier 13', '010101060101010d0300b40100000005010000e289a5393025'),
    ('multiplier without its text', '01010106010101040000b40100000005010000e289a5393025'),
    ('flags 0x02', '01010106010101000002b40100000005010000e289a5393025'),
    ('month end on a number', '01010106010101000001b40100000005010000e289a5393025'),
    ('label outside the text', '01010106010101000000b40100050505010000e289a5393025'),
    ('unit inside a character', '01010106010101000000b40100000001020000e289a5393025'),
    ('text not UTF-8', '01010106010101000000b40100000005010000fffefd393025'),
    ('text with NUL', '01010106010101000000b40100000005010000e289a5393000'),
    ('text_len one too many', '01010107010101000000b40100000005010000e289a5393025'),
    ('truncated', '01010106010101000000b40100000005010000e289a53930'),
    ('layout version 2', '02010106010101000000b40100000005010000e289a5393025'),
    ('range upper below lower', '010101040601010000000a000600000003010000357e3325'),
    ('date 2022-13-01', '01010113030a00000000eab5a41300000000000000e289a432303232e5b9b43133e69c8831e697a5'),
    ('empty cell with other text', '0105000178')
) AS c(what, hex);

-- The fields are checked, not the text's meaning (that would mean reading
-- the text again on every row): 91 stored with the text ≥90% is in range,
-- and reads safely as what it holds.
SELECT v, pjeval.number(v), pjeval.base_value(v)
FROM (SELECT decode('01010106010101000000b60100000005010000e289a5393025', 'hex')::pjeval.indicator_value v) s;

DROP CAST (bytea AS pjeval.indicator_value);
DROP TABLE damaged, hostile_payload, hostile_recv;
RESET enable_hashagg;

-- explain() is valid JSON whatever the numbers: zero with a multiplier (0万元
-- printed as 00000), negative, tiny and huge numbers, every multiplier.
SELECT pjeval.explain('≥5万元', '0万元', 10) -> 'parts' -> 0 -> 'target' AS target,
       pjeval.explain('≥5万元', '0万元', 10) -> 'parts' -> 0 -> 'actual' AS actual,
       pjeval.explain('≥5万元', '0万元', 10) ->> 'score' AS score;
SELECT pjeval.explain('≥5万元', '0万元', 10)::text;

-- every pair of these values: explain() returns (it builds its jsonb from
-- text, so a bad number is an error), and where target and actual share a
-- unit, its target and actual are their base values.
CREATE TEMP TABLE jv (v pjeval.indicator_value);
INSERT INTO jv
SELECT (n || m || u)::pjeval.indicator_value
FROM unnest(ARRAY['0', '0.00', '5', '-0.05', '0.000000000000000001', '999999999999999999']) n,
     unnest(ARRAY['', '十', '万', '亿', '万亿']) m,
     unnest(ARRAY['', '元', '‰', '次/周', '平方千米', '克']) u;
INSERT INTO jv VALUES ('≥0万元'), ('≤0.5亿元'), ('0-5万元'), ('-3~5万元'), ('≈0千克'), ('2022年12月底前'),
    ('采集率达0万元，准确率达0.5%'), ('已完成0万元'), ('不适用'), ('—'), ('有效提升');
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE e IS NOT NULL) AS explained,
       count(*) FILTER (WHERE jsonb_typeof(e -> 'parts') = 'array') AS with_parts
FROM (SELECT pjeval.explain(t.v, a.v, 10) AS e FROM jv t, jv a) s;
SELECT count(*) AS same_unit_pairs,
       count(*) FILTER (WHERE (e -> 'parts' -> 0 ->> 'target')::numeric = pjeval.base_value(t)
                          AND (e -> 'parts' -> 0 ->> 'actual')::numeric = pjeval.base_value(a)) AS base_values_right,
       count(*) FILTER (WHERE jsonb_typeof(e -> 'parts' -> 0 -> 'target') = 'number'
                          AND jsonb_typeof(e -> 'parts' -> 0 -> 'actual') = 'number') AS numbers
FROM (SELECT t.v AS t, a.v AS a, pjeval.explain(t.v, a.v, 10) AS e
      FROM jv t, jv a
      WHERE pjeval.kind(t.v) = 'quantity' AND pjeval.kind(a.v) = 'quantity'
        AND pjeval.base_unit(t.v) = pjeval.base_unit(a.v) AND pjeval.comparison(t.v) <> 'range'
        AND pjeval.dimension(t.v) <> 'date') s;
DROP TABLE jv;
