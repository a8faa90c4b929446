-- indicator_value_marks: invisible format marks, the digits of other scripts
-- and the ideographic full stop between digits (docs/indicator-values.md,
-- "Invisible marks, other scripts' digits, 。").
--
-- * Format marks (U+200B-U+200F, U+202A-U+202E, U+2060, U+2066-U+2069,
--   U+FEFF) are dropped wherever they stand: they are no part of a value and
--   never reach its canonical text.  A bidirectional control (U+202A-U+202E,
--   U+2066-U+2069) inside a number is refused (22P02): it can make the number
--   display in an order other than the one it reads in.
-- * The decimal digits of every script read as digits (٩٠% is 90%) and print
--   as ASCII; one number's digits must come from one script (1٥ looks like 10).
-- * 。 between two digits is a decimal point (90。5% is 90.5%); elsewhere it
--   separates clauses or ends the value.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Marks at the edges, between tokens and inside words: the value as if they
-- were not there, through the type's input and through try_indicator_value().
SELECT label, pg_catalog.length(s) AS chars, s::indicator_value AS value,
       pg_catalog.octet_length(s::indicator_value::text) AS bytes,
       try_indicator_value(s) = expected::indicator_value AS as_expected,
       kind(s::indicator_value) AS kind
FROM (VALUES
    ('right-to-left override first', E'\u202e≥90%', '≥90%'),
    ('left-to-right mark first', E'\u200e≥90%', '≥90%'),
    ('right-to-left mark last', E'≥90%\u200f', '≥90%'),
    ('isolates around', E'\u2066≥90%\u2069', '≥90%'),
    ('word joiners around', E'\u2060≥90%\u2060', '≥90%'),
    ('byte order mark', E'\ufeff≥90%', '≥90%'),
    ('between tokens', E'\u202b≥\u202e90\u202e%\u202c', '≥90%'),
    ('zero-width space in a number', E'≥9\u200b0%', '≥90%'),
    ('left-to-right mark in a number', E'9\u200e0%', '90%'),
    ('in a label', E'采集率\u200e达95%', '采集率≥95%'),
    ('in qualitative text', E'\u202e重点\u200e解决\u202c', '重点解决'),
    ('after qualitative text', E'重点解决\u200b', '重点解决'),
    ('before 不适用', E'\u200f不适用', '不适用'),
    ('a mark alone', E'\u2060', '—')
) AS t(label, s, expected);

-- A qualitative actual with a mark matches its target: full weight.
SELECT indicator_score('重点解决', E'\u200e重点解决\u200b', 30) AS score;

-- A bidirectional control inside a number: refused, 22P02, with where and why.
SELECT s, try_indicator_value(s) AS value, indicator_value_error(s) AS error
FROM unnest(ARRAY[E'9\u202e0%', E'≥-\u20665%', E'1\u202d,000元', E'9\u202c.5', E'90。\u202b5%']) AS s;
SELECT E'9\u202e0%'::indicator_value;
SELECT E'1\u202d,000元'::indicator_value;
\echo :LAST_ERROR_SQLSTATE

-- Other scripts' digits: Arabic-Indic, Extended Arabic-Indic, Devanagari,
-- mathematical, Bengali.  The canonical text is ASCII; in(out(v)) = v.
SELECT label, s, s::indicator_value AS value, try_indicator_value(s) = expected::indicator_value AS as_expected,
       base_value(s::indicator_value) AS base_value, unit(s::indicator_value) AS unit,
       s::indicator_value::text::indicator_value = s::indicator_value AS round_trip
FROM (VALUES
    ('Arabic-Indic', '٩٠%', '90%'),
    ('Extended Arabic-Indic', '≥۹۵%', '≥95%'),
    ('Devanagari', '至少२次/周', '≥2次/周'),
    ('Devanagari, suffix', '९०%以上', '≥90%'),
    ('Arabic-Indic, decimals and 万元', '≤٤٦١.٧٤万元', '≤461.74万元'),
    ('mathematical bold', '𝟗𝟎%', '90%'),
    ('mathematical monospace', '𝟿𝟶', '90'),
    ('Bengali', '৯০%', '90%'),
    ('ASCII, full-width and mathematical mixed', '9０𝟎%', '900%'),
    ('one script per number', '采集率٩٠%，准确率۹۵%', '采集率90%；准确率95%')
) AS t(label, s, expected);
-- They were qualitative text before: now a target and an actual compare.
SELECT indicator_score('≥٩٠%', '۹۵%', 5) AS score, indicator_flags('≥٩٠%', '۹۵%') AS flags;

-- Refused, never qualitative: mixed scripts in one number, a unit that does
-- not read.
SELECT s, try_indicator_value(s) AS value, indicator_value_error(s) AS error
FROM unnest(ARRAY['1٥', E'9\u06f55%', '٤٦١.7万元', '1,٠٠٠元', '٩٠٪']) AS s;
SELECT '1٥'::indicator_value;

-- 。 between two digits is a decimal point; elsewhere a separator or an end.
SELECT s, s::indicator_value AS value, clause_count(s::indicator_value) AS clauses,
       base_value(s::indicator_value) AS base_value
FROM unnest(ARRAY['90。5%', '达到90。', '90。5。', '≥９０。５％', E'90\uff615%', E'90\u200b。\u200b5%',
                  '采集率95%。准确率90。5%', '2022。12。31前']) AS s;
-- 1。2。3 is 1.2.3, which does not read: refused, not three clauses.
SELECT indicator_value_error('1。2。3') AS error;
