-- indicator_value_encoding: characters the reader folds or ignores, and a
-- database that is not UTF-8, where pjeval refuses clearly.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Full-width forms, odd spaces and invisible characters read like ASCII.
SELECT label, s, try_indicator_value(s) AS value,
       try_indicator_value(s) = expected::indicator_value AS as_expected
FROM (VALUES
    ('full-width digits and sign', '＞＝９０％', '≥90%'),
    ('full-width percent', '≥90％', '≥90%'),
    ('ideographic space', '≥　90%', '≥90%'),
    ('no-break space', E'≥\u00a090%', '≥90%'),
    ('tab', E'≥\t90%', '≥90%'),
    ('zero-width space', E'≥9\u200b0%', '≥90%'),
    ('byte order mark', E'\ufeff≥90%', '≥90%'),
    ('ideographic full stop', '≥90%。', '≥90%'),
    ('halfwidth full stop', E'≥90%\uff61', '≥90%'),
    ('full-width decimal point', '９５．５％', '95.5%'),
    ('full-width comma', '1，821，100元', '1821100元'),
    ('wave dash range', E'90\u301c95%', '90-95%'),
    ('full-width tilde range', '90～95%', '90-95%'),
    ('em dash range', '90—95%', '90-95%'),
    ('minus sign', E'\u22125%', '-5%'),
    ('ideographic comma between clauses', '采集率95%、准确率90%', '采集率95%，准确率90%')
) AS t(label, s, expected);

-- Characters outside the reader's alphabet do not sneak in as units.
SELECT s, indicator_value_error(s) AS error
FROM unnest(ARRAY[E'95\u00b0', E'95\u2103', E'9\u06f55%', '95％％']) AS s;

-- The database must be UTF-8.  In a LATIN1 database CREATE EXTENSION stops
-- with a clear error, and so does every reader of text if it is reached.
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regression_pjeval_latin1;
RESET client_min_messages;
CREATE DATABASE regression_pjeval_latin1
    TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C';
\c regression_pjeval_latin1
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT pg_catalog.getdatabaseencoding();
CREATE EXTENSION pjeval;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS installed FROM pg_catalog.pg_extension WHERE extname = 'pjeval';
-- The C functions check too (declared here by hand, as no extension can be).
CREATE FUNCTION public.iv_error_probe(text) RETURNS text
    AS '$libdir/pjeval', 'indicator_value_error' LANGUAGE C STRICT;
SELECT public.iv_error_probe('95%');
\echo :LAST_ERROR_SQLSTATE
\c :regress_db
DROP DATABASE regression_pjeval_latin1;
