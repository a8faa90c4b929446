-- import: the two seed forms (深圳市龙华区平安建设中心, 2022) from their raw
-- text, end to end: import_forms() stores exactly what seed_forms.sql enters
-- by hand, the views score them 99.93 and 100.00, export_form() writes back
-- the same cells in the same rows, and importing that export again (replace)
-- leaves identical rows, the old version in the history.
--
-- Every import_* test runs in one transaction that is rolled back at the
-- end: the schema_* tests that follow start from empty tables and count the
-- history, so nothing of these may stay.  ON_ERROR_ROLLBACK lets a statement
-- fail (with its message shown) without ending the transaction.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
-- Keys from a known place, whatever ran before (setval is not undone).
SELECT count(setval(c.oid::regclass, 100000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

\set doc `cat demo/seed/longhua-2022.txt`

-- What seed_forms.sql enters by hand, kept aside (without keys) and removed.
\set ECHO none
\i test/integration/seed_forms.sql
\set ECHO all
CREATE TEMP TABLE by_hand_evaluation AS
SELECT p.code, p.name, u.name AS unit, e.year, bu.name AS budget_unit, e.amount_unit, e.expected_goal,
       e.actual_outcome, e.reported_weight_total, e.reported_total, e.notes, e.status, e.profile
FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
LEFT JOIN unit bu ON bu.unit_id = e.budget_unit_id;
CREATE TEMP TABLE by_hand_fund AS
SELECT p.code, f.source, f.initial_budget, f.annual_budget, f.executed, f.reported_weight, f.reported_rate, f.reported_score
FROM fund_line f JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id);
CREATE TEMP TABLE by_hand_indicator AS
SELECT p.code, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.target, i.actual,
       i.weight, i.reported_score, i.deviation_reason, i.band
FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id);
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- The document as published: two forms, one evaluation id each, in the
-- document's order.
CREATE TEMP TABLE imported AS
SELECT row_number() OVER () AS n, id FROM import_forms(:'doc') AS id;
SELECT i.n, p.code, p.name, e.year, e.status
FROM imported i JOIN evaluation e ON e.evaluation_id = i.id JOIN project p USING (project_id)
ORDER BY i.n;

-- One unit (实施单位 and 一级预算单位 are the same), two projects.
SELECT u.name, u.parent_id, (SELECT count(*) FROM project p WHERE p.unit_id = u.unit_id) AS projects FROM unit u;

-- The same rows as by hand.  The one difference: the template's closing
-- line (作为导入模板，…) is the template's, not a note; the 备注 of the seed
-- forms is empty.
SELECT 'by hand, not imported' AS side, b.* FROM (
    SELECT code, name, unit, year, budget_unit, amount_unit, expected_goal, actual_outcome,
           reported_weight_total, reported_total, status, profile FROM by_hand_evaluation
    EXCEPT
    SELECT p.code, p.name, u.name, e.year, bu.name, e.amount_unit, e.expected_goal, e.actual_outcome,
           e.reported_weight_total, e.reported_total, e.status, e.profile
    FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
    LEFT JOIN unit bu ON bu.unit_id = e.budget_unit_id) b;
SELECT p.code, e.notes AS imported_notes, left(h.notes, 12) AS by_hand_notes
FROM evaluation e JOIN project p USING (project_id) JOIN by_hand_evaluation h ON h.code = p.code
ORDER BY p.code;
SELECT 'fund lines' AS rows, count(*) AS by_hand,
       (SELECT count(*) FROM fund_line) AS imported,
       (SELECT count(*) FROM (SELECT * FROM by_hand_fund
                              EXCEPT
                              SELECT p.code, f.source, f.initial_budget, f.annual_budget, f.executed,
                                     f.reported_weight, f.reported_rate, f.reported_score
                              FROM fund_line f JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)) x) AS differ
FROM by_hand_fund
UNION ALL
SELECT 'indicators', count(*), (SELECT count(*) FROM indicator),
       (SELECT count(*) FROM (SELECT * FROM by_hand_indicator
                              EXCEPT
                              SELECT p.code, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text,
                                     i.target, i.actual, i.weight, i.reported_score, i.deviation_reason, i.band
                              FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)) x)
FROM by_hand_indicator;

-- Scored: 99.93 and 100.00, both 优.
SELECT project_code, execution_rate, fund_score, total_score, reported_total, grade, indicator_count, finding_count
FROM evaluation_result ORDER BY project_code;
SELECT project_code, a.position, a.code, a.severity
FROM audit_finding a JOIN evaluation_result r USING (evaluation_id)
ORDER BY project_code, a.position NULLS FIRST, a.code;

-- Written back: the template, cell for cell.  Both documents are cut into
-- rows of cells the way the reader cuts them (tabs; blank lines and empty
-- trailing cells mean nothing) and each cell compared without its spaces,
-- its surrounding quotes (form 2's goal ends in a stray one) and with the
-- brackets and colons of its labels in one width (form 2 writes
-- 项目资金 (元) and 其中: where the export writes the template's （元） and 其中：).
CREATE FUNCTION pg_temp.cells(doc text)
RETURNS TABLE (n bigint, cells text[])
LANGUAGE sql AS $$
    SELECT row_number() OVER (ORDER BY l.i), c.cells
    FROM regexp_split_to_table(replace($1, E'\r', ''), E'\n') WITH ORDINALITY AS l (line, i)
    CROSS JOIN LATERAL (
        SELECT array_agg(x.cell ORDER BY x.j) AS cells
        FROM (SELECT btrim(translate(regexp_replace(c, '[[:space:]　]+', '', 'g'), '（）：', '():'), '"') AS cell, j
              FROM regexp_split_to_table(l.line, E'\t') WITH ORDINALITY AS t (c, j)) x
        WHERE x.j <= (SELECT max(k) FROM regexp_split_to_table(l.line, E'\t') WITH ORDINALITY AS t2 (c2, k)
                      WHERE btrim(regexp_replace(c2, '[[:space:]　]+', '', 'g'), '"') <> '')) c
    WHERE c.cells IS NOT NULL
$$;
CREATE TEMP TABLE exported AS
SELECT string_agg(export_form(id), '' ORDER BY n) AS doc FROM imported;
SELECT count(*) AS rows_of_cells,
       count(*) FILTER (WHERE o.cells IS NOT DISTINCT FROM x.cells) AS same,
       count(*) FILTER (WHERE o.cells IS DISTINCT FROM x.cells) AS different
FROM pg_temp.cells(:'doc') o
FULL JOIN pg_temp.cells((SELECT doc FROM exported)) x USING (n);
-- The export itself, first form (\t shown as |).
\pset format unaligned
SELECT replace(export_form(id), E'\t', ' | ') AS export_form FROM imported WHERE n = 1;
\pset format aligned

-- Imported again over itself with on_conflict => 'replace': the same
-- evaluations (replaced in place), the same rows, the old ones in the
-- history.
CREATE TEMP TABLE before_replace AS
SELECT e.evaluation_id, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.target, i.actual,
       i.weight, i.reported_score, i.deviation_reason, i.band, e.expected_goal, e.actual_outcome, e.notes,
       e.reported_total, e.amount_unit
FROM indicator i JOIN evaluation e USING (evaluation_id);
SELECT max(history_id) AS history_before FROM history \gset
SELECT array_agg(id ORDER BY n) = (SELECT array_agg(id ORDER BY n) FROM imported) AS same_evaluation_ids
FROM (SELECT row_number() OVER () AS n, id FROM import_forms((SELECT doc FROM exported), on_conflict => 'replace') AS id) r;
SELECT (SELECT count(*) FROM before_replace) AS rows_before,
       (SELECT count(*) FROM (SELECT e.evaluation_id, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text,
                                     i.target, i.actual, i.weight, i.reported_score, i.deviation_reason, i.band,
                                     e.expected_goal, e.actual_outcome, e.notes, e.reported_total, e.amount_unit
                              FROM indicator i JOIN evaluation e USING (evaluation_id)
                              EXCEPT SELECT * FROM before_replace) x) AS rows_changed,
       (SELECT count(*) FROM evaluation) AS evaluations,
       (SELECT count(*) FROM fund_line) AS fund_lines;
SELECT h.table_name, h.operation, count(*)
FROM history h
WHERE h.history_id > :history_before
GROUP BY 1, 2 ORDER BY 1, 2;
-- the replaced version is whole in the history
SELECT h.old_row ->> 'level3' AS old_level3, h.old_row ->> 'target_text' AS old_target
FROM history h
WHERE h.table_name = 'indicator' AND h.operation = 'DELETE'
  AND h.evaluation_id = (SELECT id FROM imported WHERE n = 1) AND (h.old_row ->> 'position')::int = 1;
SELECT project_code, total_score, grade FROM evaluation_result ORDER BY project_code;

-- The same document again without replace: refused, and nothing changes.
SELECT * FROM import_forms(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS evaluations FROM evaluation;

ROLLBACK;
