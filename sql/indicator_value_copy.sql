-- indicator_value_copy: the binary wire format (docs/binary-format.md):
-- one version byte (1), then the canonical text in UTF-8.  COPY (FORMAT
-- binary) round trips, and recv refuses damaged or crafted bytes.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

CREATE TABLE iv_copy_src (id int PRIMARY KEY, v indicator_value);
INSERT INTO iv_copy_src VALUES
    (1, '17'), (2, '至少2次/周'), (3, '≥90%'), (4, '<1821100元'), (5, '1808698.26元'),
    (6, '不适用'), (7, '重点解决'), (8, '≤461.74万元'), (9, '461.736万元'),
    (10, '采集率达95%以上，准确率达90%以上，注销率达95%以上；'),
    (11, '采集率96.22%，准确率达99.31%，注销率95.35%'), (12, '90-95%'),
    (13, '2022年12月底前'), (14, '已完成100%'), (15, '已完成'), (16, '—'),
    (17, '1500元/人*月'), (18, '0.5‰'), (19, NULL);

-- send: version byte 1, then the canonical text.
SELECT id, v, indicator_value_send(v) AS wire
FROM iv_copy_src WHERE id IN (1, 3, 6, 8, 16) ORDER BY id;
SELECT id, v
FROM iv_copy_src
WHERE get_byte(indicator_value_send(v), 0) <> 1
   OR convert_from(substring(indicator_value_send(v) FROM 2), 'UTF8') <> v::text;

-- COPY out in binary and back into another table: the same rows.
\copy iv_copy_src TO 'results/indicator_value.bin' WITH (FORMAT binary)
CREATE TABLE iv_copy_dst (id int PRIMARY KEY, v indicator_value);
\copy iv_copy_dst FROM 'results/indicator_value.bin' WITH (FORMAT binary)
SELECT (SELECT count(*) FROM iv_copy_src) AS src_rows, (SELECT count(*) FROM iv_copy_dst) AS dst_rows;
SELECT * FROM iv_copy_src EXCEPT SELECT * FROM iv_copy_dst;
SELECT * FROM iv_copy_dst EXCEPT SELECT * FROM iv_copy_src;
SELECT s.id
FROM iv_copy_src s JOIN iv_copy_dst d USING (id)
WHERE s.v::text IS DISTINCT FROM d.v::text
   OR clause_count(s.v) IS DISTINCT FROM clause_count(d.v)
   OR base_value(s.v) IS DISTINCT FROM base_value(d.v);

-- And in text format.
\copy iv_copy_src TO 'results/indicator_value.txt'
TRUNCATE iv_copy_dst;
\copy iv_copy_dst FROM 'results/indicator_value.txt'
SELECT count(*) AS text_round_trip_differences
FROM (SELECT * FROM iv_copy_src EXCEPT SELECT * FROM iv_copy_dst) d;

-- recv with crafted bytes: write each payload as a binary bytea field (its
-- bytes go into the file as they are), then read that file as
-- indicator_value, so recv sees exactly the payload.
CREATE TABLE iv_payload (b bytea);
CREATE TABLE iv_recv (v indicator_value);

-- a non-canonical spelling is accepted and stored canonical
INSERT INTO iv_payload VALUES ('\x01'::bytea || convert_to('不低于９０％。', 'UTF8'));
\copy iv_payload TO 'results/indicator_value_payload.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_payload.bin' WITH (FORMAT binary)
SELECT v, v = '≥90%' AS canonical FROM iv_recv;

-- Damaged or crafted payloads, one file each.
-- unknown format version
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x02'::bytea || convert_to('≥90%', 'UTF8'));
\copy iv_payload TO 'results/indicator_value_version.bin' WITH (FORMAT binary)
-- no version byte at all
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x'::bytea);
\copy iv_payload TO 'results/indicator_value_empty.bin' WITH (FORMAT binary)
-- bytes that are not UTF-8 (the GBK encoding of ≥90%)
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x01a1dd393025'::bytea);
\copy iv_payload TO 'results/indicator_value_gbk.bin' WITH (FORMAT binary)
-- a NUL byte
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x0139300025'::bytea);
\copy iv_payload TO 'results/indicator_value_nul.bin' WITH (FORMAT binary)
-- valid UTF-8 that does not read as a value
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x01'::bytea || convert_to('95x%', 'UTF8'));
\copy iv_payload TO 'results/indicator_value_syntax.bin' WITH (FORMAT binary)
-- a number out of range
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x01'::bytea || convert_to('1234567890123456789元', 'UTF8'));
\copy iv_payload TO 'results/indicator_value_range.bin' WITH (FORMAT binary)
-- too long
TRUNCATE iv_payload;
INSERT INTO iv_payload VALUES ('\x01'::bytea || convert_to(repeat('9', 9000), 'UTF8'));
\copy iv_payload TO 'results/indicator_value_long.bin' WITH (FORMAT binary)

-- Reading each one fails with a clear error ...
\copy iv_recv FROM 'results/indicator_value_version.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_empty.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_gbk.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_nul.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_syntax.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_range.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_long.bin' WITH (FORMAT binary)
-- ... and these SQLSTATEs (psql keeps no LAST_ERROR_SQLSTATE for \copy).
\set VERBOSITY sqlstate
\copy iv_recv FROM 'results/indicator_value_version.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_empty.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_gbk.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_nul.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_syntax.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_range.bin' WITH (FORMAT binary)
\copy iv_recv FROM 'results/indicator_value_long.bin' WITH (FORMAT binary)
\set VERBOSITY default

-- only the first, good payload was stored
SELECT count(*) AS stored FROM iv_recv;

DROP TABLE iv_copy_src, iv_copy_dst, iv_payload, iv_recv;
