-- profile: scoring profiles as data (scoring-rules.md §3: weights and bands
-- belong to a named, editable profile; central-2020 is the default).  The
-- built-in row cannot be changed, a user's own profile can be added and
-- used by profile_grade() and profile_indicator_score(), bad profiles are
-- refused by the table's CHECK constraints, and an unknown name is a clear
-- error.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- central-2020 ships with the extension: 10/50/30/10, 90/80/60, 1.30, ratio.
SELECT name, builtin, execution_weight, output_weight, benefit_weight, satisfaction_weight,
       cost_weight, grade_excellent, grade_good, grade_pass, band_achieved, band_partial,
       over_achievement_ratio, negative_formula, low_execution_rate
FROM pjeval.profile ORDER BY name;

-- ... and is what the helpers use when no profile is named.
SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS arguments
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'pjeval'::pg_catalog.regnamespace
  AND p.proname IN ('profile_grade', 'profile_indicator_score')
ORDER BY p.proname;
SELECT t AS total, pjeval.profile_grade(t) AS "default", pjeval.profile_grade(t, 'central-2020') AS central,
       pjeval.profile_grade(t) = pjeval.grade(t) AS same_as_grade
FROM (VALUES (99.93), (90), (89.99), (80), (60), (59.99)) AS v(t);
SELECT pjeval.profile_indicator_score('≤10万元', '12.5万元', 5, NULL) AS "default",
       pjeval.profile_indicator_score('≤10万元', '12.5万元', 5, NULL, 'central-2020') AS central,
       pjeval.indicator_score('≤10万元', '12.5万元', 5) AS indicator_score;

-- The built-in row cannot be changed, deleted or forged.
UPDATE pjeval.profile SET grade_excellent = 85 WHERE name = 'central-2020';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM pjeval.profile WHERE name = 'central-2020';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name, builtin) VALUES ('fake-builtin', true);
\echo :LAST_ERROR_SQLSTATE
SELECT grade_excellent FROM pjeval.profile WHERE name = 'central-2020';

-- A user's own profiles: a stricter grade (优 from 85) and the linear formula
-- for a missed negative indicator.
INSERT INTO pjeval.profile (name, description, grade_excellent, grade_good, grade_pass)
VALUES ('excellent-85', '优≥85 良≥75 中≥60', 85, 75, 60);
INSERT INTO pjeval.profile (name, description, negative_formula, over_achievement_ratio)
VALUES ('linear', 'a missed negative indicator scores 1 - (A-T)/T', 'linear', 1.50);
SELECT t AS total, pjeval.profile_grade(t) AS central, pjeval.profile_grade(t, 'excellent-85') AS excellent_85
FROM (VALUES (90), (86), (85), (84.99), (75), (74.99), (60), (59.99)) AS v(t);
SELECT t AS target, a AS actual,
       pjeval.profile_indicator_score(t, a, 5, c) AS central,
       pjeval.profile_indicator_score(t, a, 5, c, 'linear') AS linear
FROM (VALUES ('≤10万元'::pjeval.indicator_value, '12.5万元'::pjeval.indicator_value, NULL::text),
             ('100万元', '120万元', '成本指标'),        -- negative through the category
             ('≥95%', '90%', NULL),                     -- positive: the formula does not apply
             ('≤10', '25', NULL)) AS v(t, a, c);
-- a user profile can be changed and removed
UPDATE pjeval.profile SET grade_excellent = 88 WHERE name = 'excellent-85';
SELECT pjeval.profile_grade(86, 'excellent-85') AS after_update;

-- CHECK constraints refuse a bad profile (23514).
INSERT INTO pjeval.profile (name, output_weight) VALUES ('weights-99', 49);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name, grade_excellent, grade_good) VALUES ('bands-upside-down', 80, 90);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name, over_achievement_ratio) VALUES ('ratio-one', 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name, negative_formula) VALUES ('quadratic', 'quadratic');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name, band_achieved, band_partial) VALUES ('bands-over-1', 1.2, 0.6);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name) VALUES ('Central 2020');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pjeval.profile (name, execution_weight, output_weight) VALUES ('negative-weight', -10, 70);
\echo :LAST_ERROR_SQLSTATE
-- 湖北-style weights with 成本 as its own level 1 add up and are accepted
INSERT INTO pjeval.profile (name, execution_weight, output_weight, benefit_weight, satisfaction_weight, cost_weight)
VALUES ('hubei-like', 20, 40, 20, 10, 10);
SELECT name, execution_weight + output_weight + benefit_weight + satisfaction_weight + cost_weight AS total_weight
FROM pjeval.profile WHERE name = 'hubei-like';

-- An unknown profile is an error that names the known ones (22023); a NULL
-- profile gives NULL.
SELECT pjeval.profile_grade(95, 'central-2021');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.profile_indicator_score('≥95%', '96%', 5, NULL, 'nope');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.profile_grade(95, NULL) AS null_profile;

-- Only the user's rows are dumped; CREATE EXTENSION recreates central-2020.
SELECT c.extconfig::pg_catalog.regclass[] AS config_tables, c.extcondition
FROM pg_catalog.pg_extension c WHERE c.extname = 'pjeval';

DELETE FROM pjeval.profile WHERE NOT builtin;
SELECT name FROM pjeval.profile ORDER BY name;
