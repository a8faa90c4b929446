-- indicator_value_io: text input and output, the accessors on each kind of
-- value, exact numerics, errors with their SQLSTATEs, the non-throwing
-- reader, soft errors (16+), and the catalog properties of all of it.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- One value of each kind, through every accessor.
CREATE TEMP TABLE sample (id int PRIMARY KEY, src text NOT NULL);
INSERT INTO sample VALUES
    (1, '≥90%'),
    (2, '≤461.74万元'),
    (3, '至少2次/周'),
    (4, '90-95%'),
    (5, '2022年12月底前'),
    (6, '信息通报率达95%以上'),
    (7, '采集率达95%以上，准确率达90%以上，注销率达95%以上；'),
    (8, '已完成100%'),
    (9, '已完成'),
    (10, '重点解决'),
    (11, '不适用'),
    (12, '—'),
    (13, '1'),
    (14, '200元/人');

SELECT id, src, v AS canonical, kind(v) AS kind, comparison(v) AS cmp,
       number(v) AS number, base_value(v) AS base_value, base_upper(v) AS base_upper,
       unit(v) AS unit, base_unit(v) AS base_unit, dimension(v) AS dim, label(v) AS label
FROM (SELECT id, src, src::indicator_value AS v FROM sample) s
ORDER BY id;

SELECT id, src, clause_count(v) AS n, is_qualitative(v) AS qualitative,
       is_claim(v) AS claim, is_not_applicable(v) AS not_applicable, is_empty(v) AS empty
FROM (SELECT id, src, src::indicator_value AS v FROM sample) s
ORDER BY id;

-- clauses(): one row per clause; none for a value without a number.
SELECT s.id, c.*
FROM sample s, LATERAL clauses(s.src::indicator_value) c
ORDER BY s.id, c."position";
SELECT count(*) AS rows_for_qualitative FROM clauses('重点解决');

-- Output is the canonical text, and it reads back as the same value.
SELECT '  ≥ ９０ ％。'::indicator_value AS canonical,
       '  ≥ ９０ ％。'::indicator_value = '≥90%'::indicator_value AS same,
       '≥90%'::indicator_value::text = '≥90%' AS text_is_canonical;

-- Exact numerics: built from the decimal as written, never from a float.
SELECT base_value('461.74万元') = 4617400 AS exact_4617400,
       base_value('461.74万元') AS base_value,
       pg_typeof(base_value('461.74万元')) AS type,
       number('461.740万元') AS number_keeps_scale,
       base_value('461.736万元') AS base_461736,
       base_value('3.5亿元') AS base_3_5yi,
       base_value('1,821,100元') AS base_commas,
       base_value('1.5‰') AS base_permille,
       base_value('0.000000000000000001') AS tiny,
       base_value('123456789012345678亿元') AS huge;

-- NULL in, NULL out (everything is STRICT).
SELECT NULL::indicator_value AS v, kind(NULL) AS kind, base_value(NULL) AS base,
       try_indicator_value(NULL) AS try, indicator_value_error(NULL) AS error;
SELECT count(*) AS clause_rows_for_null FROM clauses(NULL);

-- Errors: message naming the type and echoing the input, the position in
-- the detail, an accepted form in the hint, and the SQLSTATE.
SELECT '95x%'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '95%(元)'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '采集率达95%以上；；准确率达'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '2022年2月29日前'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '95-90%'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '1234567890123456789'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '≥0.0000000000000000001%'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
-- too long: not echoed
SELECT repeat('9', 8193)::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT length(indicator_value_error(repeat('9', 8193))) > 0 AS too_long_has_reason,
       indicator_value_error(repeat('9', 8193)) AS reason;
-- errors raised from a table load name the value too
CREATE TEMP TABLE target (v indicator_value);
INSERT INTO target VALUES ('≥90%'), ('达到95%以上');
INSERT INTO target VALUES ('≥90%%');
\echo :LAST_ERROR_SQLSTATE
SELECT v FROM target ORDER BY v;

-- The non-throwing reader: NULL and a reason instead of an error.
SELECT s, try_indicator_value(s) AS value, indicator_value_error(s) AS error
FROM unnest(ARRAY['≥90%', '95x%', '', '不适用', '1234567890123456789', '5-3万元', '12月32日']) AS s;

-- Soft errors (PostgreSQL 16+): pg_input_is_valid() and pg_input_error_info()
-- see the same error without raising.  Checked inside, silent on every
-- version, so the expected output is the same on 13..17.
DO $$
DECLARE
    ok bool;
    code text;
    msg text;
    det text;
BEGIN
    IF pg_catalog.current_setting('server_version_num')::int >= 160000 THEN
        EXECUTE $q$SELECT pg_catalog.pg_input_is_valid('≥90%', 'pjeval.indicator_value')$q$ INTO ok;
        ASSERT ok, 'a valid value is valid';
        EXECUTE $q$SELECT pg_catalog.pg_input_is_valid('95x%', 'pjeval.indicator_value')$q$ INTO ok;
        ASSERT NOT ok, 'an invalid value is invalid';
        EXECUTE $q$SELECT message, detail, sql_error_code
                   FROM pg_catalog.pg_input_error_info('95x%', 'pjeval.indicator_value')$q$
            INTO msg, det, code;
        ASSERT code = '22P02', 'syntax error code ' || code;
        ASSERT msg = 'invalid input syntax for type indicator_value: "95x%"', msg;
        ASSERT det LIKE 'Reading stopped at character 3:%', det;
        EXECUTE $q$SELECT sql_error_code
                   FROM pg_catalog.pg_input_error_info('1234567890123456789', 'pjeval.indicator_value')$q$
            INTO code;
        ASSERT code = '22003', 'range error code ' || code;
        EXECUTE $q$SELECT sql_error_code
                   FROM pg_catalog.pg_input_error_info(pg_catalog.repeat('9', 8193), 'pjeval.indicator_value')$q$
            INTO code;
        ASSERT code = '54000', 'length error code ' || code;
    END IF;
END
$$;

-- Catalog: every function of the type is IMMUTABLE STRICT PARALLEL SAFE,
-- none is SECURITY DEFINER, and every object has a comment.  No rows.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel, p.prosecdef
FROM pg_proc p
WHERE p.probin = '$libdir/pjeval'
  AND (p.prosrc LIKE 'indicator\_value\_%' OR p.prosrc = 'try_indicator_value')
  AND (p.provolatile <> 'i' OR NOT p.proisstrict OR p.proparallel <> 's' OR p.prosecdef);
SELECT p.oid::regprocedure AS uncommented
FROM pg_proc p
WHERE p.probin = '$libdir/pjeval'
  AND (p.prosrc LIKE 'indicator\_value\_%' OR p.prosrc = 'try_indicator_value')
  AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT count(*) AS functions
FROM pg_proc p
WHERE p.probin = '$libdir/pjeval'
  AND (p.prosrc LIKE 'indicator\_value\_%' OR p.prosrc = 'try_indicator_value');
SELECT obj_description('pjeval.indicator_value'::regtype, 'pg_type') IS NOT NULL AS type_commented;
SELECT t.typname, t.typlen, t.typalign, t.typstorage, t.typreceive::regproc, t.typsend::regproc
FROM pg_type t WHERE t.oid = 'pjeval.indicator_value'::regtype;

-- No superuser needed: an ordinary role reads, stores, indexes and queries.
CREATE ROLE regress_pjeval_user;
SET ROLE regress_pjeval_user;
CREATE TEMP TABLE mine (v pjeval.indicator_value);
INSERT INTO mine VALUES ('≥90%'), ('92%'), ('不适用');
CREATE INDEX ON mine (v);
SELECT v, pjeval.kind(v), pjeval.base_value(v), pjeval.try_indicator_value(v::text) = v AS reread
FROM mine ORDER BY v;
RESET ROLE;
DROP TABLE mine;
DROP ROLE regress_pjeval_user;
