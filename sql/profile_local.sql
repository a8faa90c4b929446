-- profile_local: the provincial profiles (docs/scoring-rules.md, "Local
-- profiles"): capped-2021 takes 2 points off a positive indicator at A/T ≥
-- 1.30 (floor 0) and caps the total by the execution rate (< 50 % 59,
-- < 60 % 69, < 70 % 79, < 80 % 89; each band includes its lower bound);
-- capped-2021-80 the same with the grade bands 80/70/60.  The cases of the
-- performance cycle's profiles: seed form 1 (99.93) loses 2 on 操作员数量
-- (1.59×) and 2 on 案件操作数 (2.12×): 95.93, still 优; 执行率 72.50 % with
-- 95.40 computed: 89.00, 良 nationally, 优 on 80/70/60; 执行率 48.00 %
-- (4.80) and 70.00: 74.80 → 59.00, 差 on both; 85.00 is 良 nationally, 优 on
-- 80/70/60.  One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

\i test/integration/seed_forms.sql
SELECT evaluation_id AS seed1 FROM evaluation JOIN project USING (project_id)
WHERE code = '440309210901500004279' \gset

-- 1. The seed form under each profile (a reviewer's choice; here a superuser's)
UPDATE evaluation SET profile = 'capped-2021' WHERE evaluation_id = :seed1;
SELECT execution_rate, fund_score, indicator_score, total_score, grade, findings
FROM evaluation_result WHERE evaluation_id = :seed1;
SELECT position, level3, target_text, actual_text, weight, completion, computed_score, findings
FROM indicator_result WHERE evaluation_id = :seed1 AND 'over_achieved' = ANY (flags) ORDER BY position;

-- 2. Caps: three forms, each under the three profiles
INSERT INTO unit (name) VALUES ('封顶测试单位');
INSERT INTO project (code, name, unit_id)
SELECT c, c, unit_id FROM unit, unnest(ARRAY['CAP-72', 'CAP-48', 'BAND-85']) c WHERE name = '封顶测试单位';
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code IN ('CAP-72', 'CAP-48', 'BAND-85');
INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed)
SELECT evaluation_id, 'total', 100, 100, v.e
FROM evaluation JOIN project USING (project_id)
JOIN (VALUES ('CAP-72', 72.5), ('CAP-48', 48), ('BAND-85', 100)) AS v (c, e) ON v.c = code;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
SELECT evaluation_id, 1, '产出指标', '数量指标', '办结件数', '≥100件', v.a, 90
FROM evaluation JOIN project USING (project_id)
JOIN (VALUES ('CAP-72', '97.94件'), ('CAP-48', '77.78件'), ('BAND-85', '83.33件')) AS v (c, a) ON v.c = code;

CREATE TEMP TABLE by_profile (code text, profile text, execution_rate numeric, total_score numeric, grade text,
                              capped boolean);
DO $$
DECLARE
    p text;
BEGIN
    FOREACH p IN ARRAY ARRAY['central-2020', 'capped-2021', 'capped-2021-80'] LOOP
        UPDATE pjeval.evaluation e SET profile = p
        FROM pjeval.project pr WHERE pr.project_id = e.project_id AND pr.code IN ('CAP-72', 'CAP-48', 'BAND-85');
        INSERT INTO by_profile
        SELECT r.project_code, p, r.execution_rate, r.total_score, r.grade, 'total_capped' = ANY (r.findings)
        FROM pjeval.evaluation_result r WHERE r.project_code IN ('CAP-72', 'CAP-48', 'BAND-85');
    END LOOP;
END
$$;
SELECT * FROM by_profile ORDER BY code, profile;

-- the finding's message names the total before the cap
SELECT code, severity, message_zh, message_en FROM audit_finding
WHERE code = 'total_capped' AND evaluation_id = (SELECT evaluation_id FROM evaluation JOIN project USING (project_id)
                                                 WHERE code = 'CAP-72');

-- 3. The caps and the function
SELECT capped_total(95.40, 72.50, '{50,60,70,80}', '{59,69,79,89}') AS at_72_50,
       capped_total(95.40, 80, '{50,60,70,80}', '{59,69,79,89}') AS at_80,
       capped_total(95.40, 79.99, '{50,60,70,80}', '{59,69,79,89}') AS at_79_99,
       capped_total(60, 50, '{50,60,70,80}', '{59,69,79,89}') AS lower_than_cap,
       capped_total(95.40, NULL, '{50,60,70,80}', '{59,69,79,89}') AS no_rate,
       capped_total(95.40, 10, NULL, NULL) AS no_bands;
-- bands a profile cannot hold: unequal lengths, not ascending, one without the other
INSERT INTO profile (name, total_cap_below, total_cap) VALUES ('cap-short', '{50,60}', '{59}');
INSERT INTO profile (name, total_cap_below, total_cap) VALUES ('cap-unsorted', '{60,50}', '{69,59}');
INSERT INTO profile (name, total_cap_below) VALUES ('cap-half', '{50}');
INSERT INTO profile (name, over_achievement_deduction) VALUES ('deduct-negative', -2);

ROLLBACK;
