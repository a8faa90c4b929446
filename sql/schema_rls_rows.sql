-- schema_rls_rows: row-level security tests each row itself (issue 14).
-- No policy of pjeval asks through a sub-select (Citus refuses one on a
-- distributed or reference table): each calls pjeval.visible on a column of
-- the row, and the rows of a form carry its project (form_project_id), kept
-- equal to the form's by their key.  A member writes only its units' forms,
-- a row cannot name another form's project, a form moving to another
-- project takes its rows along, and a project moving to another unit takes
-- its forms' rows out of sight of the old unit and into the new one's.
-- Everything is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
\set ON_ERROR_ROLLBACK on
-- (sequences are not rolled back: they are set back at the end)
SELECT 'DO $r$ BEGIN '
       || string_agg(format('PERFORM pg_catalog.setval(%L, %s, %s);', format('%I.%I', schemaname, sequencename),
                            coalesce(last_value, start_value), (last_value IS NOT NULL)::text), ' ')
       || ' END $r$' AS restore_sequences
FROM pg_sequences WHERE schemaname = 'pjeval' \gset
BEGIN;

-- No policy of a pjeval table has a sub-select.
SELECT tablename, policyname
FROM pg_policies
WHERE schemaname = 'pjeval'
  AND coalesce(qual, '') || ' ' || coalesce(with_check, '') ~* '\mselect\M'
ORDER BY 1, 2;

CREATE ROLE regress_rr_east NOLOGIN;
CREATE ROLE regress_rr_west NOLOGIN;
CREATE ROLE regress_rr_rev NOLOGIN;
CREATE ROLE regress_rr_erin NOLOGIN IN ROLE regress_rr_east;
CREATE ROLE regress_rr_will NOLOGIN IN ROLE regress_rr_west;
CREATE ROLE regress_rr_rita NOLOGIN IN ROLE regress_rr_rev;
CREATE ROLE regress_rr_nobody NOLOGIN;
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator, read_finding
    TO regress_rr_east, regress_rr_west, regress_rr_rev;
GRANT INSERT, UPDATE, DELETE ON review, review_item TO regress_rr_rev;
INSERT INTO unit (name) VALUES ('行测试东'), ('行测试西');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_rr_east' FROM unit WHERE name = '行测试东';
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_rr_west' FROM unit WHERE name = '行测试西';
INSERT INTO reviewer VALUES ('regress_rr_rev');
INSERT INTO project (code, name, unit_id)
SELECT 'T-RR-' || u.code, '行测试' || u.code, u.unit_id
FROM (VALUES ('E1', '行测试东'), ('E2', '行测试东'), ('W1', '行测试西')) AS x (code, unit)
CROSS JOIN LATERAL (SELECT x.code, unit_id FROM unit WHERE name = x.unit) u;

-- pjeval.visible: a reviewer every row, and those of no unit (NULL); a
-- member its units' rows; someone listed nowhere none.
SET ROLE regress_rr_rita;
SELECT visible('unit', NULL) AS reviewer_null, visible('unit', -1) AS reviewer_any,
       visible('project', (SELECT project_id FROM project WHERE code = 'T-RR-W1')) AS reviewer_project;
RESET ROLE;
SET ROLE regress_rr_erin;
SELECT visible('unit', NULL) AS member_null,
       visible('unit', (SELECT unit_id FROM unit WHERE name = '行测试东')) AS own_unit,
       visible('unit', (SELECT unit_id FROM unit WHERE name = '行测试西')) AS other_unit,
       visible('project', (SELECT project_id FROM project WHERE code = 'T-RR-E1')) AS own_project,
       visible('project', (SELECT project_id FROM pjeval.project p WHERE p.code = 'T-RR-W1')) AS other_project;
-- (a project the member cannot see is not even found: ask by its id)
RESET ROLE;
SELECT project_id AS w1 FROM project WHERE code = 'T-RR-W1' \gset
SET ROLE regress_rr_erin;
SELECT visible('project', :w1) AS other_project_by_id;
SELECT visible('nonsense', 1);
RESET ROLE;
SET ROLE regress_rr_nobody;
SELECT visible('unit', NULL) AS nobody_null, visible('project', :w1) AS nobody_project;
RESET ROLE;

-- Each unit enters its forms; the rows get their form's project without
-- being told.
SET ROLE regress_rr_erin;
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code IN ('T-RR-E1', 'T-RR-E2');
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed, reported_weight)
SELECT evaluation_id, 'total', 100, 90, 10 FROM evaluation;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
SELECT evaluation_id, 1, '产出指标', '数量指标', '次数', '10次', '10次', 90 FROM evaluation;
RESET ROLE;
SET ROLE regress_rr_will;
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code = 'T-RR-W1';
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed, reported_weight)
SELECT evaluation_id, 'total', 100, 100, 10 FROM evaluation;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
SELECT evaluation_id, 1, '产出指标', '数量指标', '次数', '10次', '8次', 90 FROM evaluation;
RESET ROLE;
SELECT evaluation_id AS e1 FROM evaluation JOIN project USING (project_id) WHERE code = 'T-RR-E1' \gset
SELECT evaluation_id AS w1e FROM evaluation JOIN project USING (project_id) WHERE code = 'T-RR-W1' \gset
SELECT p.code, t.tbl, t.rows, t.with_form_project
FROM project p
CROSS JOIN LATERAL (
    SELECT 'fund_line' AS tbl, count(*) AS rows, bool_and(f.form_project_id = e.project_id) AS with_form_project
    FROM fund_line f JOIN evaluation e USING (evaluation_id) WHERE e.project_id = p.project_id
    UNION ALL
    SELECT 'indicator', count(*), bool_and(i.form_project_id = e.project_id)
    FROM indicator i JOIN evaluation e USING (evaluation_id) WHERE e.project_id = p.project_id
    UNION ALL
    SELECT 'indicator_outcome', count(*), bool_and(o.form_project_id = e.project_id)
    FROM indicator_outcome o JOIN evaluation e USING (evaluation_id) WHERE e.project_id = p.project_id
    UNION ALL
    SELECT 'evaluation_score', count(*), bool_and(s.form_project_id = e.project_id)
    FROM evaluation_score s JOIN evaluation e USING (evaluation_id) WHERE e.project_id = p.project_id) t
WHERE p.code LIKE 'T-RR-%'
ORDER BY 1, 2;

-- Who sees what, table by table and through the views.
CREATE FUNCTION pg_temp.seen() RETURNS TABLE (relation text, projects text)
LANGUAGE sql AS $$
    SELECT 'evaluation', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) WHERE p.code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'fund_line', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.fund_line f JOIN pjeval.project p ON p.project_id = f.form_project_id WHERE p.code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'indicator', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.indicator i JOIN pjeval.project p ON p.project_id = i.form_project_id WHERE p.code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'indicator_outcome', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.indicator_outcome o JOIN pjeval.project p ON p.project_id = o.form_project_id WHERE p.code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'evaluation_score', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.evaluation_score s JOIN pjeval.project p ON p.project_id = s.form_project_id WHERE p.code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'evaluation_result', string_agg(DISTINCT r.project_code, ',' ORDER BY r.project_code)
    FROM pjeval.evaluation_result r WHERE r.project_code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'indicator_result', string_agg(DISTINCT r.project_code, ',' ORDER BY r.project_code)
    FROM pjeval.indicator_result i JOIN pjeval.evaluation_result r USING (evaluation_id) WHERE r.project_code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'review', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.review v JOIN pjeval.project p ON p.project_id = v.form_project_id WHERE p.code LIKE 'T-RR-%'
    UNION ALL
    SELECT 'review_item', string_agg(DISTINCT p.code, ',' ORDER BY p.code)
    FROM pjeval.review_item v JOIN pjeval.project p ON p.project_id = v.form_project_id WHERE p.code LIKE 'T-RR-%'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.seen() TO PUBLIC;

-- A reviewer reviews W1 (submitted for it, then reopened by the reviewer).
SET ROLE regress_rr_will;
SELECT submit(:w1e);
RESET ROLE;
SET ROLE regress_rr_rita;
INSERT INTO review (evaluation_id, conclusion) VALUES (:w1e, '复核');
INSERT INTO review_item (evaluation_id, position, review_score) VALUES (:w1e, 1, 70);
SELECT reopen(:w1e);
RESET ROLE;

SET ROLE regress_rr_erin;   SELECT 'erin' AS who, * FROM pg_temp.seen();  RESET ROLE;
SET ROLE regress_rr_will;   SELECT 'will' AS who, * FROM pg_temp.seen();  RESET ROLE;
SET ROLE regress_rr_rita;   SELECT 'rita' AS who, * FROM pg_temp.seen();  RESET ROLE;
SET ROLE regress_rr_nobody; SELECT 'nobody' AS who, * FROM pg_temp.seen(); RESET ROLE;

-- A member writes nothing into another unit's form: not by naming it, not
-- by naming its own project on the other form's row, not by moving a row.
SET ROLE regress_rr_erin;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, weight)
VALUES (:w1e, 9, '产出指标', '数量指标', '闯入', 1);
INSERT INTO indicator (evaluation_id, form_project_id, position, level1, level2, level3, weight)
SELECT :w1e, project_id, 9, '产出指标', '数量指标', '闯入', 1 FROM project WHERE code = 'T-RR-E1';
UPDATE indicator SET evaluation_id = :w1e, position = 9 WHERE evaluation_id = :e1;
UPDATE indicator SET form_project_id = :w1 WHERE evaluation_id = :e1;
UPDATE indicator SET weight = 1 WHERE evaluation_id = :w1e;
DELETE FROM fund_line WHERE evaluation_id = :w1e;
UPDATE evaluation SET project_id = :w1 WHERE evaluation_id = :e1;
RESET ROLE;
SELECT count(*) AS w1_indicators, sum(weight) AS w1_weight FROM indicator WHERE evaluation_id = :w1e;
SELECT count(*) AS w1_fund_lines FROM fund_line WHERE evaluation_id = :w1e;
-- A row that names a form that does not exist is refused as before.
INSERT INTO fund_line (evaluation_id, source) VALUES (-1, 'total');
\echo :LAST_ERROR_SQLSTATE

-- A form moved to another project (of the same unit) takes its rows with it.
SET ROLE regress_rr_erin;
UPDATE evaluation SET project_id = (SELECT project_id FROM project WHERE code = 'T-RR-E2'), year = 2022
WHERE evaluation_id = :e1;
RESET ROLE;
SELECT p.code, e.year,
       (SELECT count(*) FROM fund_line f WHERE f.evaluation_id = e.evaluation_id AND f.form_project_id = e.project_id) AS fund_lines,
       (SELECT count(*) FROM indicator i WHERE i.evaluation_id = e.evaluation_id AND i.form_project_id = e.project_id) AS indicators,
       (SELECT count(*) FROM indicator_outcome o WHERE o.evaluation_id = e.evaluation_id AND o.form_project_id = e.project_id) AS outcomes,
       (SELECT count(*) FROM evaluation_score s WHERE s.evaluation_id = e.evaluation_id AND s.form_project_id = e.project_id) AS scores
FROM evaluation e JOIN project p USING (project_id)
WHERE e.evaluation_id = :e1;

-- A project moved to another unit (by a reviewer: its form is submitted):
-- its forms, their rows, results and reviews leave the old unit's sight and
-- come into the new one's; nothing is rewritten.
SET ROLE regress_rr_will;
SELECT submit(:w1e);
RESET ROLE;
SELECT count(*) AS history_before FROM history \gset
SET ROLE regress_rr_rita;
UPDATE project SET unit_id = (SELECT unit_id FROM unit WHERE name = '行测试东') WHERE code = 'T-RR-W1';
RESET ROLE;
SELECT count(*) - :history_before AS history_rows_written FROM history;
SET ROLE regress_rr_erin;   SELECT 'erin' AS who, * FROM pg_temp.seen();  RESET ROLE;
SET ROLE regress_rr_will;   SELECT 'will' AS who, * FROM pg_temp.seen();  RESET ROLE;
-- and the new unit writes it once a reviewer reopens it
SET ROLE regress_rr_rita;
SELECT reopen(:w1e);
RESET ROLE;
SET ROLE regress_rr_erin;
UPDATE indicator SET actual_text = '10次' WHERE evaluation_id = :w1e;
SELECT project_code, total_score FROM evaluation_result WHERE evaluation_id = :w1e;
RESET ROLE;
SET ROLE regress_rr_will;
UPDATE indicator SET actual_text = '1次' WHERE evaluation_id = :w1e;
RESET ROLE;
SELECT actual_text FROM indicator WHERE evaluation_id = :w1e;

SELECT count(*) AS stored_results_differing FROM verify_results();
ROLLBACK;
:restore_sequences;
