-- indicator_value_ops: equality, the stable order, hashing, and what they
-- enable: DISTINCT, GROUP BY, hash and merge joins, btree and hash indexes,
-- unique constraints.  Equal means the same canonical text; the order is
-- arbitrary but stable (bytewise on the canonical text), not magnitude.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Spellings of the same value are equal; different values are not.
SELECT a, b, a::indicator_value = b::indicator_value AS eq,
       a::indicator_value <> b::indicator_value AS ne
FROM (VALUES ('≥90%', '90%以上'), ('≥90%', '不低于９０％'), ('≥90%', '达到90%及以上'),
             ('461.74万元', '461.74 万元'), ('1821100元', '1,821,100元'),
             ('≥90%', '>90%'), ('95%', '0.95'), ('461.74万元', '4617400元'),
             ('90.0%', '90%'), ('不适用', '不适用。'), ('-', '—')) AS t(a, b);

-- The order: a total order, consistent with the comparison function.
CREATE TEMP TABLE vals (id serial, v indicator_value);
INSERT INTO vals (v) VALUES ('95%'), ('≥90%'), ('92%'), ('不适用'), ('17'), ('—'),
    ('≤461.74万元'), ('重点解决'), ('<1821100元'), ('100%'), ('1'), ('≥2次/周'),
    ('90%以上'), ('９５％'), ('1808698.26元'), ('采集率≥95%；准确率≥90%'), ('已完成');
SELECT v, v::text AS canonical FROM vals ORDER BY v, id;
SELECT a.v AS a, b.v AS b
FROM vals a, vals b
WHERE sign(indicator_value_cmp(a.v, b.v)) <> -sign(indicator_value_cmp(b.v, a.v))
   OR (indicator_value_cmp(a.v, b.v) = 0) <> (a.v = b.v)
   OR (indicator_value_cmp(a.v, b.v) < 0) <> (a.v < b.v)
   OR (indicator_value_cmp(a.v, b.v) <= 0) <> (a.v <= b.v)
   OR (indicator_value_cmp(a.v, b.v) > 0) <> (a.v > b.v)
   OR (indicator_value_cmp(a.v, b.v) >= 0) <> (a.v >= b.v)
   OR (a.v = b.v) <> (a.v::text = b.v::text);

-- Hashes agree with equality; the extended hash with seed 0 has the plain
-- hash in its low 32 bits, and other seeds give other hashes.
SELECT a.v AS a, b.v AS b
FROM vals a, vals b
WHERE a.v = b.v AND (indicator_value_hash(a.v) <> indicator_value_hash(b.v)
                     OR indicator_value_hash_extended(a.v, 7) <> indicator_value_hash_extended(b.v, 7));
SELECT count(*) AS low_bits_differ
FROM vals
WHERE (indicator_value_hash_extended(v, 0) & 4294967295) <> (indicator_value_hash(v)::int8 & 4294967295);
SELECT count(*) AS same_for_seed_0_and_1
FROM vals
WHERE indicator_value_hash_extended(v, 0) = indicator_value_hash_extended(v, 1);

-- DISTINCT and GROUP BY, sorted and hashed.
SELECT count(*) AS all_rows, count(DISTINCT v) AS distinct_values FROM vals;
SET enable_hashagg = off;
SELECT v, count(*) FROM vals GROUP BY v HAVING count(*) > 1 ORDER BY v;
RESET enable_hashagg;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT v, count(*) FROM vals GROUP BY v;
SELECT v, count(*) FROM vals GROUP BY v HAVING count(*) > 1 ORDER BY 1;
SELECT count(*) FROM (SELECT DISTINCT v FROM vals) d;
RESET enable_sort;

-- Joins: hash join and merge join on =.
CREATE TEMP TABLE targets (indicator text, v indicator_value);
CREATE TEMP TABLE actuals (indicator text, v indicator_value);
INSERT INTO targets VALUES ('结案率', '≥90%'), ('案件派遣及时率', '95%'), ('市民满意度', '95%'),
    ('项目支出', '≤461.74万元'), ('操作员数量', '17'), ('经济效益指标', '不适用');
INSERT INTO actuals VALUES ('结案率', '90%以上'), ('案件派遣及时率', '９５％'), ('市民满意度', '100%'),
    ('项目支出', '461.74 万元'), ('操作员数量', '27'), ('经济效益指标', '不适用。');
ANALYZE targets;
ANALYZE actuals;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT t.indicator, a.indicator FROM targets t JOIN actuals a ON t.v = a.v;
SELECT t.indicator AS target_of, a.indicator AS actual_of, t.v
FROM targets t JOIN actuals a ON t.v = a.v ORDER BY 1, 2;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT t.indicator, a.indicator FROM targets t JOIN actuals a ON t.v = a.v;
SELECT t.indicator AS target_of, a.indicator AS actual_of, t.v
FROM targets t JOIN actuals a ON t.v = a.v ORDER BY 1, 2;
RESET enable_hashjoin;
RESET enable_nestloop;

-- A btree index is used for = and for ranges of the order.
CREATE TEMP TABLE many (id int, v indicator_value);
INSERT INTO many SELECT i, ((i % 100) || '%')::indicator_value FROM generate_series(1, 2000) i;
CREATE INDEX many_v ON many (v);
ANALYZE many;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM many WHERE v = '95%';
SELECT count(*) FROM many WHERE v = '９５％';
EXPLAIN (COSTS OFF) SELECT id FROM many WHERE v >= '95%' AND v < '96%';
SELECT count(*) FROM many WHERE v >= '95%' AND v < '96%';
EXPLAIN (COSTS OFF) SELECT id FROM many ORDER BY v LIMIT 3;
-- and a hash index
CREATE INDEX many_v_hash ON many USING hash (v);
DROP INDEX many_v;
EXPLAIN (COSTS OFF) SELECT id FROM many WHERE v = '95%';
SELECT count(*) FROM many WHERE v = '95 %';
RESET enable_seqscan;
RESET enable_bitmapscan;

-- A unique index sees spellings of one value as duplicates.
CREATE TEMP TABLE uniq (v indicator_value UNIQUE);
INSERT INTO uniq VALUES ('≥90%');
INSERT INTO uniq VALUES ('90%以上');
\echo :LAST_ERROR_SQLSTATE

-- Both operator classes are the defaults and pass amvalidate().
SELECT am.amname, opc.opcname, opc.opcdefault, amvalidate(opc.oid)
FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
WHERE opc.opcintype = 'pjeval.indicator_value'::regtype
ORDER BY am.amname;
SELECT o.oprname, o.oprcanhash, o.oprcanmerge, o.oprcom::regoperator, o.oprnegate::regoperator,
       o.oprrest, o.oprjoin
FROM pg_operator o
WHERE o.oprleft = 'pjeval.indicator_value'::regtype
ORDER BY o.oprname;

-- A hostile search_path: everything still resolves when named with its schema.
SET search_path = pg_catalog;
SELECT '≥90%'::pjeval.indicator_value OPERATOR(pjeval.=) '90%以上'::pjeval.indicator_value AS eq,
       pjeval.base_value('≤461.74万元') AS base;
RESET search_path;
