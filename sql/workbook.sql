-- workbook: .xlsx workbooks (test/fixtures/, written by make_workbooks.py
-- with Debian's python3-openpyxl, and by hand where openpyxl cannot: cached
-- formula values, inline strings, rich text) read as the spreadsheet shows
-- them, imported with import_forms' semantics, and hostile files refused
-- cleanly with nothing written.  Leaves the database as it found it.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = pjeval, public;

-- The fixtures are read by psql (the client), as a user sends a file: the
-- server need not see the test's directory.  One line per file: its name, a
-- tab, its bytes in base64.
\set fixtures `cd "$PG_ABS_SRCDIR/test/fixtures" && for f in cells.xlsx date1904.xlsx seed.xlsx seed-broken.xlsx hostile-crc.xlsx hostile-docx.xlsx hostile-laughs.xlsx hostile-rows.xlsx hostile-xml.xlsx hostile-xxe.xlsx hostile-zipcrypto.xlsx; do printf '%s\t%s\n' "$f" "$(base64 -w0 "$f")"; done`
CREATE TEMP TABLE fx AS
SELECT split_part(l, E'\t', 1) AS name, decode(split_part(l, E'\t', 2), 'base64') AS b
FROM regexp_split_to_table(:'fixtures', E'\n') AS l;
SELECT count(*) AS fixtures, count(*) FILTER (WHERE length(b) > 0) AS read FROM fx;

-- A statement's error as a row (the statement's work is rolled back).
CREATE FUNCTION pg_temp.try(sql text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;

-- 1. Every kind of cell, one a row (label | cell), tabs shown as " | ":
-- shared, rich (without its phonetic run) and inline strings; a line break
-- (_x000D__x000A_) and a tab quoted as a spreadsheet quotes them; numbers
-- through General (15 digits), 0%, 0.00%, #,##0.00, 0.00 and 0 (half away
-- from zero), 0.00"万元", a red-bracket negative; dates (built-in 14 as
-- ISO, a 年月日 format, the 1900 system's 29 February); booleans, an error,
-- formulas by their cached value (none: empty); cells without references
-- following on; a merged range showing only its top-left; the hidden sheet
-- left out, the third sheet's rows after the first's.
SELECT n, replace(line, E'\t', ' | ') AS line
FROM fx, regexp_split_to_table(workbook_text(b), E'\n') WITH ORDINALITY AS l (line, n)
WHERE name = 'cells.xlsx';

-- The map back: each line's sheet and row (the quoted line break is two
-- lines of row 4; the last entry is the line after the last).
SELECT r.sheets, r.line_sheet, r.line_row
FROM fx, workbook_read(b) AS r WHERE name = 'cells.xlsx';

-- 2. Dates in the 1904 system (openpyxl's CALENDAR_MAC_1904).
SELECT replace(rtrim(workbook_text(b), E'\n'), E'\t', ' | ') AS line FROM fx WHERE name = 'date1904.xlsx';

-- 3. The seed forms typed into a workbook, one sheet each (numbers as
-- numbers, 95% as a percent cell, #,##0.00 amounts, merged 一级指标 and
-- 二级指标): what the workbook shows reads as the same forms as the text.
CREATE FUNCTION pg_temp.noline(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE jsonb_typeof(j)
        WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(k, pg_temp.noline(v)), '{}')
                            FROM jsonb_each(j) AS e (k, v) WHERE k <> 'line')
        WHEN 'array' THEN (SELECT coalesce(jsonb_agg(pg_temp.noline(v) ORDER BY n), '[]')
                           FROM jsonb_array_elements(j) WITH ORDINALITY AS e (v, n))
        ELSE j END
$$;
\set doc `cat demo/seed/longhua-2022.txt`
SELECT pg_temp.noline(read_forms(workbook_text(b))) = pg_temp.noline(read_forms(:'doc')) AS same_forms,
       jsonb_array_length(read_forms(workbook_text(b))) AS forms
FROM fx WHERE name = 'seed.xlsx';
-- as cells: the fund table and the first indicators of sheet 1
SELECT n, replace(line, E'\t', ' | ') AS line
FROM fx, regexp_split_to_table(workbook_text(b), E'\n') WITH ORDINALITY AS l (line, n)
WHERE name = 'seed.xlsx' AND n BETWEEN 8 AND 12 OR name = 'seed.xlsx' AND n BETWEEN 19 AND 23;

-- Imported: the published numbers and the same findings as the text import.
BEGIN;
SELECT count(*) AS text_forms FROM import_forms(:'doc', on_conflict => 'replace');
CREATE TEMP TABLE text_result AS
SELECT project_code, execution_rate, fund_score, total_score, reported_total, grade
FROM evaluation_result WHERE project_code IN ('440309210901500004279', '440309210901500007728');
CREATE TEMP TABLE text_finding AS
SELECT r.project_code, f.position, f.code, f.severity, f.message_zh
FROM audit_finding f JOIN evaluation_result r USING (evaluation_id)
WHERE r.project_code IN ('440309210901500004279', '440309210901500007728');
SELECT count(*) AS workbook_forms FROM fx, import_workbook(b, on_conflict => 'replace') WHERE name = 'seed.xlsx';
SELECT project_code, execution_rate, fund_score, total_score, reported_total, grade
FROM evaluation_result WHERE project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY project_code;
SELECT r.project_code, f.position, f.code, f.severity
FROM audit_finding f JOIN evaluation_result r USING (evaluation_id)
WHERE r.project_code IN ('440309210901500004279', '440309210901500007728')
ORDER BY 1, 2, 3;
-- nothing differs from the text import (both ways)
(SELECT project_code, execution_rate, fund_score, total_score, reported_total, grade
 FROM evaluation_result WHERE project_code IN ('440309210901500004279', '440309210901500007728')
 EXCEPT SELECT * FROM text_result)
UNION ALL
(SELECT * FROM text_result
 EXCEPT SELECT project_code, execution_rate, fund_score, total_score, reported_total, grade
 FROM evaluation_result WHERE project_code IN ('440309210901500004279', '440309210901500007728'));
(SELECT r.project_code, f.position, f.code, f.severity, f.message_zh
 FROM audit_finding f JOIN evaluation_result r USING (evaluation_id)
 WHERE r.project_code IN ('440309210901500004279', '440309210901500007728')
 EXCEPT SELECT * FROM text_finding)
UNION ALL
(SELECT * FROM text_finding
 EXCEPT SELECT r.project_code, f.position, f.code, f.severity, f.message_zh
 FROM audit_finding f JOIN evaluation_result r USING (evaluation_id)
 WHERE r.project_code IN ('440309210901500004279', '440309210901500007728'));
ROLLBACK;

-- 4. A form that cannot be read: the error names the sheet and the row, with
-- import_forms' SQLSTATE; the text reader says the same of the same line.
SELECT count(*) AS evaluations_before FROM evaluation \gset
SELECT t.* FROM fx, pg_temp.try(format('SELECT * FROM pjeval.import_workbook(%L::bytea)', b)) t
WHERE name = 'seed-broken.xlsx';
SELECT t.state, t.message FROM fx, pg_temp.try(format('SELECT * FROM pjeval.import_forms(%L)', workbook_text(b))) t
WHERE name = 'seed-broken.xlsx';
-- a project and year already stored: the detail names the sheet and row
BEGIN;
SELECT count(*) AS imported FROM fx, import_workbook(b, on_conflict => 'replace') WHERE name = 'seed.xlsx';
SELECT t.state, regexp_replace(t.message, 'evaluation [0-9]+', 'evaluation N') AS message, t.detail, t.hint
FROM fx, pg_temp.try(format('SELECT * FROM pjeval.import_workbook(%L::bytea)', b)) t
WHERE name = 'seed.xlsx';
ROLLBACK;

-- How lines become places: in the message and around a detail's quoted line,
-- never inside it; a number beyond the document stays a line.
SELECT workbook_place('forms 1 (line 1) and 2 (line 3) of the document', '{甲,乙}', '{1,1,2,2}', '{1,2,5,6}'),
       workbook_place('Line 2: "a line 1 b"; expected each fund source once per form (“x” was the row of line 1).',
                      '{甲,乙}', '{1,1,2,2}', '{1,2,5,6}'),
       workbook_place('line 9 and Line 0 and outline 2', '{甲}', '{1}', '{1}');

-- 5. Hostile and foreign files: each a clear error with its SQLSTATE.
SELECT name, t.state, t.message, t.detail, t.hint
FROM (SELECT name, b FROM fx WHERE name LIKE 'hostile-%'
      UNION ALL SELECT 'empty', ''::bytea
      UNION ALL SELECT 'text', convert_to('项目支出绩效自评表', 'UTF8')
      UNION ALL SELECT 'xls', '\xd0cf11e0a1b11ae1'::bytea || convert_to(repeat('x', 600), 'UTF8')
      UNION ALL SELECT 'encrypted', '\xd0cf11e0a1b11ae1'::bytea
                || convert_to(repeat('x', 600), 'UTF8')
                || decode(regexp_replace(encode(convert_to('EncryptedPackage', 'UTF8'), 'hex'), '(..)', '\100', 'g'), 'hex')
      UNION ALL SELECT 'truncated', substring(b FROM 1 FOR length(b) / 2) FROM fx WHERE name = 'seed.xlsx'
      UNION ALL SELECT 'no central directory', substring(b FROM 1 FOR length(b) - 22) FROM fx WHERE name = 'seed.xlsx'
     ) f,
     pg_temp.try(format('SELECT * FROM pjeval.import_workbook(%L::bytea)', f.b)) t
ORDER BY name;
-- nothing was written by any of them
SELECT count(*) = :evaluations_before AS nothing_written FROM evaluation;

-- 6. NULLs and arguments as import_forms has them.
SELECT workbook_text(NULL) IS NULL AS strict, count(*) AS no_ids FROM import_workbook(NULL);
SELECT t.state, t.message FROM pg_temp.try($$SELECT * FROM pjeval.import_workbook(NULL, 'merge')$$) t;
SELECT t.state, t.message FROM fx, pg_temp.try(format('SELECT * FROM pjeval.import_workbook(%L::bytea, NULL)', b)) t
WHERE name = 'seed.xlsx';

-- 7. Markings.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef, p.proconfig
FROM pg_proc p
WHERE p.pronamespace = 'pjeval'::regnamespace AND p.proname IN ('workbook_text', 'workbook_read', 'workbook_place', 'import_workbook')
ORDER BY 1::text;
