-- import_tolerant2: the tolerant reader's second increment (issue 11, item 1).
-- A printed 执行率 is kept as written and compared with the computed one
-- within the precision it was printed with (99%, a fraction 0.99); one unit
-- off in its last printed place is a misprint (warning), more is a mismatch.
--
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 610000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

\set doc `cat demo/seed/longhua-2022.txt`
SELECT array_to_string(l[1:42], E'\n') AS form1
FROM (SELECT string_to_array(:'doc', E'\n') AS l) s \gset

-- The comparison on its own: the printed precision is the number of places
-- written (at most 2, the computed rate's); a fraction (at most 1, with
-- decimals) is read as hundreds of percent where the percent reading does
-- not agree.
SELECT r.reported, r.computed, rate_disagreement(r.reported, r.computed) AS disagreement
FROM (VALUES (99.32, 99.32), (99, 99.32), (99.3, 99.32), (100, 99.50), (0.99, 99.32), (0.93, 93.32),
             (0.1, 9.93), (0.50, 0.50), (0.01, 0.50), (99.324, 99.32),
             (86.19, 86.18), (98, 99.32), (0.92, 93.32), (99.4, 99.32),
             (90, 99.32), (0.93, 99.32), (93, 0.93), (NULL, 99.32), (99.32, NULL)) r (reported, computed);

-- On a form: 99% (the 年度资金总额 row's 执行率 as a percent without
-- decimals) is kept as 99 and agrees with the computed 99.32: no finding,
-- the form scores as before (it was fund_rate_mismatch, an error).
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99.32\t9.93',
                                    E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99%\t9.93'));
SELECT project_code, execution_rate, reported_execution_rate, fund_score, total_score, grade, findings
FROM evaluation_result;
-- A fraction, 0.99: kept as written, agrees.
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99.32\t9.93',
                                    E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t0.99\t9.93'),
                  on_conflict => 'replace');
SELECT project_code, execution_rate, reported_execution_rate, fund_score, total_score, grade, findings
FROM evaluation_result;
-- A fraction that disagrees (0.93 is 93 %): fund_rate_mismatch as before.
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99.32\t9.93',
                                    E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t0.93\t9.93'),
                  on_conflict => 'replace');
SELECT project_code, execution_rate, reported_execution_rate, findings FROM evaluation_result;
SELECT code, severity, message_zh, message_en FROM audit_finding WHERE code LIKE '%rate%' ORDER BY code;
-- A misprint, 99.33 for 99.32 (it used to pass unflagged, within 0.01):
-- reported_rate_misprint, a warning, not fund_rate_mismatch.  On a source
-- row the same (99.31 on 当年财政拨款).
SELECT count(*) AS imported
FROM import_forms(replace(replace(:'form1',
                  E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99.32\t9.93',
                  E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99.33\t9.93'),
                  E'\t其中：当年财政拨款\t1663900.00\t1821100.00\t1808698.26\t—\t—\t—',
                  E'\t其中：当年财政拨款\t1663900.00\t1821100.00\t1808698.26\t—\t99.31\t—'),
                  on_conflict => 'replace');
SELECT project_code, execution_rate, reported_execution_rate, fund_score, total_score, grade, findings
FROM evaluation_result;
SELECT f.source, f.reported_rate, f.computed_rate, f.findings FROM fund_line_result f ORDER BY f.source;
SELECT code, severity, message_zh, message_en FROM audit_finding WHERE code LIKE '%rate%' ORDER BY message_en;

-- No 总分 row: the form imports, its reported total NULL, noted on its
-- last line (no_total_row, info); the computed total is the form's.
DELETE FROM evaluation;
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\n总分\t\t\t\t\t\t100\t99.93\t—', ''));
SELECT project_code, reported_total, total_score, grade, findings, finding_count FROM evaluation_result;
SELECT line, position, source, code, detail FROM read_finding;
SELECT position, code, severity, message_zh, message_en FROM audit_finding WHERE code = 'no_total_row';
-- With its 总分 row: no such finding.
SELECT count(*) AS imported FROM import_forms(:'form1', on_conflict => 'replace');
SELECT project_code, reported_total, total_score, grade, findings, finding_count FROM evaluation_result;
SELECT count(*) AS read_findings FROM read_finding;

-- 本单位 (this unit) as the 实施单位: the 一级预算单位 the form names, noted
-- on its line (unit_this_unit, info); as the 一级预算单位: the 实施单位 (a
-- unit that is its own level 1).
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'实施单位:\t深圳市龙华区平安建设中心\t一级预算单位:\t深圳市龙华区平安建设中心',
                                    E'实施单位:\t本单位\t一级预算单位:\t深圳市龙华区城市管理中心'));
SELECT p.code, u.name AS unit, t.name AS parent
FROM evaluation e JOIN project p USING (project_id) JOIN unit u USING (unit_id) LEFT JOIN unit t ON t.unit_id = u.parent_id;
SELECT line, position, source, code, detail FROM read_finding;
SELECT position, code, severity, message_zh, message_en FROM audit_finding WHERE code = 'unit_this_unit';
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'实施单位:\t深圳市龙华区平安建设中心\t一级预算单位:\t深圳市龙华区平安建设中心',
                                    E'实施单位:\t深圳市龙华区城市管理中心\t一级预算单位:\t本单位'),
                  on_conflict => 'replace');
SELECT p.code, u.name AS unit, t.name AS parent
FROM evaluation e JOIN project p USING (project_id) JOIN unit u USING (unit_id) LEFT JOIN unit t ON t.unit_id = u.parent_id;
SELECT line, code, detail FROM read_finding;
-- Neither cell names a unit: refused, the form's title line and a hint.
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'实施单位:\t深圳市龙华区平安建设中心\t一级预算单位:\t深圳市龙华区平安建设中心',
                                    E'实施单位:\t本单位\t一级预算单位:\t本单位'), on_conflict => 'replace');
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'实施单位:\t深圳市龙华区平安建设中心\t一级预算单位:\t深圳市龙华区平安建设中心',
                                    E'实施单位:\t本单位'), on_conflict => 'replace');
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
