-- reports_hostile: what one unit stores cannot break anyone else's reports,
-- and what the reports write stays bounded and well-formed whatever the
-- forms hold.
--   * amounts, weights and scores beyond exact scoring (10^19, 19 decimal
--     places, NaN) are refused where they come in, by the import (naming the
--     document's cell) and by the tables' checks (naming the column);
--   * stored anyway (a check dropped by a superuser, or a row older than the
--     check: NOT VALID), such a value gives NULL and the finding unscorable
--     on its own form, and every view, page and refresh still works;
--   * report_html's chart axis stops at 200 % (an overflow mark instead of a
--     page that grows with the rate), its text drops what XML cannot hold;
--   * export_form's text keeps spreadsheets from taking a cell for a formula
--     and still reads back to the same rows;
--   * the level classifiers of the reports ignore a counterfeit = operator;
--   * every function that reads the views runs without JIT.
-- It runs in a database of its own, dropped at the end, with roles of its
-- own, dropped too.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS pjeval_hostile_regress;   -- left by an interrupted run
DROP ROLE IF EXISTS regress_rh_member;
DROP ROLE IF EXISTS regress_rh_reviewer;
RESET client_min_messages;
CREATE DATABASE pjeval_hostile_regress TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
\c pjeval_hostile_regress
SET client_min_messages = warning;
CREATE EXTENSION pjeval;
RESET client_min_messages;
SET search_path = public, pjeval;

-- 龙华's two seed forms, and a unit member of 示范街道办事处 who imports the
-- second seed form as its own (project HX-2022-01); a reviewer sees all.
CREATE ROLE regress_rh_member NOLOGIN;
CREATE ROLE regress_rh_reviewer NOLOGIN;
\set doc `cat demo/seed/longhua-2022.txt`
\set doc2 `sed -n '40,79p' demo/seed/longhua-2022.txt | sed 's/深圳市龙华区平安建设中心/示范街道办事处/g; s/440309210901500007728/HX-2022-01/'`
SELECT count(*) AS seed_forms FROM import_forms(:'doc');
INSERT INTO unit (name) VALUES ('示范街道办事处');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_rh_member' FROM unit WHERE name = '示范街道办事处';
INSERT INTO reviewer VALUES ('regress_rh_reviewer');
GRANT INSERT, UPDATE, DELETE ON unit, unit_member, reviewer, project, evaluation, fund_line, indicator
    TO regress_rh_member;
SET ROLE regress_rh_member;
SELECT count(*) AS own_forms FROM import_forms(:'doc2');
RESET ROLE;
SELECT e.evaluation_id AS own FROM evaluation e JOIN project p USING (project_id) WHERE p.code = 'HX-2022-01' \gset
SELECT e.evaluation_id AS other FROM evaluation e JOIN project p USING (project_id) WHERE p.code = '440309210901500004279' \gset
SELECT evaluation_id = :own AS own, execution_rate, fund_score, total_score, grade FROM evaluation_result ORDER BY evaluation_id;

-- 1. Numbers beyond exact scoring are refused where they come in.
SELECT v, is_scorable_number(v) AS scorable
FROM unnest('{0, 1821100.00, 999999999999999999, 0.000000000000000001, 10000000000000000000, 6.1234567890123456789, NaN, Infinity}'::numeric[]) AS v;
SET ROLE regress_rh_member;
-- by the import, naming the document's line and column
SELECT * FROM import_forms(replace(:'doc2', E'年度资金总额\t4617400.00\t4617400.00', E'年度资金总额\t4617400.00\t10000000000000000000'), 'replace');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM import_forms(replace(:'doc2', E'\t3180\t3180\t10\t10\t', E'\t3180\t3180\t9.1234567890123456789\t9\t'), 'replace');
\echo :LAST_ERROR_SQLSTATE
-- by the tables' checks, naming the column
UPDATE fund_line SET annual_budget = 1e19 WHERE evaluation_id = :own AND source = 'total';
\echo :LAST_ERROR_SQLSTATE
UPDATE fund_line SET executed = 'NaN' WHERE evaluation_id = :own AND source = 'total';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO fund_line (evaluation_id, source, executed) VALUES (:own, 'other', 'Infinity');
\echo :LAST_ERROR_SQLSTATE
UPDATE fund_line SET reported_weight = 9.1234567890123456789 WHERE evaluation_id = :own AND source = 'total';
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET weight = 6.1234567890123456789 WHERE evaluation_id = :own AND position = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE indicator SET reported_score = 0.0000000000000000001 WHERE evaluation_id = :own AND position = 1;
\echo :LAST_ERROR_SQLSTATE
-- the largest numbers that do fit are taken; together they can still go
-- beyond exact scoring (a rate of 10^38 %; a total of 21 digits, from a
-- reported score of 18 decimal places standing in for an unreadable row):
-- NULL and the finding unscorable, not an error
UPDATE fund_line SET annual_budget = 0.000000000000000001, executed = 999999999999999999
WHERE evaluation_id = :own AND source = 'total';
SELECT evaluation_id = :own AS own, execution_rate, fund_score, total_score, findings FROM evaluation_result ORDER BY evaluation_id;
UPDATE fund_line SET annual_budget = 4617400.00, executed = 4617360.00 WHERE evaluation_id = :own AND source = 'total';
UPDATE indicator SET actual_text = '9x%', reported_score = 0.000000000000000001 WHERE evaluation_id = :own AND position = 3;
SELECT evaluation_id = :own AS own, total_score, grade, findings FROM evaluation_result ORDER BY evaluation_id;
SELECT code, message_zh, message_en FROM audit_finding WHERE evaluation_id = :own AND code = 'unscorable';
UPDATE indicator SET actual_text = '99.94%', reported_score = 10 WHERE evaluation_id = :own AND position = 3;
RESET ROLE;

-- 2. Bounded output: an execution rate of 10^9 % (a budget of 1 元 against
-- 10^7 元 executed: 万元 typed under a 元 header, and worse) makes a page
-- as large as one of 1000 % (but for the figure's digits): the chart's axis
-- stops at 200 and a longer bar ends there with an overflow mark, its
-- figure written inside.
CREATE TEMP TABLE page (name text PRIMARY KEY, html text);
UPDATE fund_line SET initial_budget = 4617400.00, annual_budget = 4617400.00, executed = 4617360.00
WHERE evaluation_id = :own AND source = 'total';
INSERT INTO page VALUES ('rate 100 %', report_html(2022));
UPDATE fund_line SET annual_budget = 461740.00 WHERE evaluation_id = :own AND source = 'total';
INSERT INTO page VALUES ('rate 1000 %', report_html(2022));
SET ROLE regress_rh_member;
UPDATE fund_line SET annual_budget = 1, executed = 10000000 WHERE evaluation_id = :own AND source = 'total';
RESET ROLE;
SELECT execution_rate FROM evaluation_result WHERE evaluation_id = :own;
INSERT INTO page VALUES ('rate 10^9 %', report_html(2022));
CREATE FUNCTION pg_temp.x(path text, doc text) RETURNS text[]
LANGUAGE sql AS $$
    SELECT coalesce(array_agg(v::text), '{}')
    FROM unnest(xpath(path, doc::xml, ARRAY[ARRAY['h', 'http://www.w3.org/1999/xhtml'],
                                             ARRAY['s', 'http://www.w3.org/2000/svg']])) v
$$;
SELECT name, xml_is_well_formed_document(html) AS well_formed,
       length(html) < 20000 + 2000 * (SELECT count(*) FROM evaluation) AS bounded,
       length(html) - (SELECT length(html) FROM page WHERE name = 'rate 1000 %') AS longer_than_1000,
       cardinality(pg_temp.x('//s:line', html)) AS grid_and_grade_lines,
       cardinality(pg_temp.x('//s:polygon[@class="overflow"]', html)) AS overflow_marks,
       pg_temp.x('//s:polygon[@class="overflow"]/following-sibling::s:text[1]/text()', html) AS figure_in_bar
FROM page ORDER BY name;
-- the widest bar stops at the end of the axis
SELECT name, max(substring(r FROM 'width="([0-9.]+)"')::numeric) AS widest_bar
FROM page, unnest(pg_temp.x('//s:g/s:rect', html)) AS r
GROUP BY name ORDER BY name;

-- 3. Stored anyway: a superuser drops two checks, the unit's form gets a
-- budget of 10^19 and a weight of 19 decimal places, and the checks come
-- back NOT VALID (as on a database updated with such rows).  Every report
-- of every reader still works: the form shows NULL and the finding
-- unscorable, the other forms their usual figures.
ALTER TABLE fund_line DROP CONSTRAINT fund_line_annual_budget_scorable;
ALTER TABLE indicator DROP CONSTRAINT indicator_weight_scorable;
UPDATE fund_line SET annual_budget = 1e19, executed = 4617360.00 WHERE evaluation_id = :own AND source = 'total';
UPDATE indicator SET weight = 6.1234567890123456789 WHERE evaluation_id = :own AND position = 1;
ALTER TABLE fund_line ADD CONSTRAINT fund_line_annual_budget_scorable CHECK (is_scorable_number(annual_budget)) NOT VALID;
ALTER TABLE indicator ADD CONSTRAINT indicator_weight_scorable CHECK (is_scorable_number(weight)) NOT VALID;
SET ROLE regress_rh_reviewer;
SELECT evaluation_id = :own AS own, execution_rate, fund_score, total_score, grade, findings
FROM evaluation_result ORDER BY evaluation_id;
SELECT position, computed_score, reported_score, counted_score, flags, findings
FROM indicator_result WHERE evaluation_id = :own AND position = 1;
SELECT evaluation_id = :own AS own, position, code, severity, message_zh, message_en
FROM audit_finding WHERE code = 'unscorable' ORDER BY evaluation_id, position NULLS FIRST;
SELECT * FROM finding_code WHERE code = 'unscorable';
SELECT xml_is_well_formed_document(report_html(2022)) AS report_html,
       export_form(:other, 'html') LIKE '%99.93<span class="computed">计算 99.93</span>%' AS other_form_page,
       export_form(:own, 'html') LIKE '%<span class="computed">计算 —</span>%' AS own_form_page;
SELECT project_code, execution_rate, total_score, grade FROM project_trend ORDER BY project_code;
SELECT unit_name, forms, execution_rate, avg_total_score FROM unit_year_summary ORDER BY unit_name;
SELECT level1, level2, indicators, assessed, weight_sum FROM indicator_category_summary ORDER BY level1, level2;
RESET ROLE;
CALL refresh_reports();
SELECT unit_name, forms, execution_rate, avg_total_score FROM unit_year_report ORDER BY unit_name;
SELECT project_code, execution_rate, total_score FROM project_trend_report ORDER BY project_code;
-- the ad-hoc functions keep their errors for such numbers
SELECT execution_rate(1e19, 4617360.00);
\echo :LAST_ERROR_SQLSTATE
SELECT indicator_score('17', '27', 6.1234567890123456789, '数量指标');
\echo :LAST_ERROR_SQLSTATE
SELECT try_execution_rate(1e19, 4617360.00) AS try_rate, try_execution_rate(0.000000000000000001, 999999999999999999) AS rate_beyond,
       try_fund_score(1821100.00, 1808698.26) AS fund, try_fund_score(1821100.00, 1808698.26, 'NaN') AS fund_nan,
       try_fund_score(-1, 1) AS negative;

-- 4. Control characters: XML allows none of U+0001-U+001F but TAB, LF and
-- CR, nor U+FFFE and U+FFFF; html_escape writes U+FFFD for them, so a name
-- holding them keeps the page well-formed.
SELECT html_escape(E'a\x01b\x08c\x0Bd\x1Fe\uFFFEf\uFFFF|\t|\n|\r|<&>') = E'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFD|\t|\n|\r|&lt;&amp;&gt;' AS escaped;
UPDATE project SET name = E'控制\x01字符\x1F项目\uFFFE' WHERE project_id = (SELECT project_id FROM evaluation WHERE evaluation_id = :own);
UPDATE unit SET name = E'示范\x07街道' WHERE name = '示范街道办事处';
SELECT xml_is_well_formed_document(report_html(2022)) AS well_formed,
       report_html(2022) LIKE E'%示范\uFFFD街道%' AS unit_name_replaced,
       report_html(2022) ~ E'[\x01-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]' AS control_left;
SELECT position(E'控制\uFFFD字符\uFFFD项目\uFFFD' IN export_form(:own, 'html')) > 0 AS form_page_replaced;

-- 5. The text export and spreadsheets: a cell that begins with = + - @
-- (or a TAB or CR) would be a formula there; it is written after a
-- zero-width space, which the reader trims, so the rows read back the same.
UPDATE fund_line SET annual_budget = 4617400.00 WHERE evaluation_id = :own AND source = 'total';
UPDATE indicator SET weight = 6 WHERE evaluation_id = :own AND position = 1;
UPDATE project SET name = '=1+2' WHERE project_id = (SELECT project_id FROM evaluation WHERE evaluation_id = :own);
UPDATE unit SET name = '@示范街道' WHERE name = E'示范\x07街道';
UPDATE indicator SET level3 = '=HYPERLINK("http://example.invalid/","点击")', target_text = '-5%', actual_text = '+3%',
                     deviation_reason = '=cmd|'' /c calc''!A1'
WHERE evaluation_id = :own AND position = 1;
UPDATE indicator SET level3 = '-负向指标', target_text = '@SUM(1)', actual_text = '-' WHERE evaluation_id = :own AND position = 2;
SELECT v AS value, replace(export_cell(v), E'\u200B', '<ZWSP>') AS cell
FROM unnest(ARRAY['=1+2', '+3%', '-5%', '@SUM(1)', E'\t=x', E'\r=x', '-', '5%', '—', '"=q"', NULL]) AS v;
-- no cell of the text begins with a formula's first character (a quoted
-- cell taken as its first character)
SELECT count(*) AS formula_cells
FROM regexp_split_to_table(regexp_replace(export_form(:own), '"(.)([^"]|"")*"', '\1', 'g'), E'[\t\n]') AS c
WHERE c ~ '^[=+\-@\t\r]';
SELECT position(E'\u200B=HYPERLINK("http://example.invalid/","点击")' IN export_form(:own)) > 0 AS guarded_name,
       position(E'\u200B-5%' IN export_form(:own)) > 0 AS guarded_target;
CREATE TEMP TABLE own_before AS
SELECT p.code, p.name, u.name AS unit, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text,
       i.target, i.actual, i.weight, i.reported_score, i.deviation_reason
FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
JOIN indicator i USING (evaluation_id) WHERE e.evaluation_id = :own;
SELECT id = :own AS same_evaluation FROM import_forms(export_form(:own), 'replace') AS id;
SELECT (SELECT count(*) FROM own_before) AS rows,
       (SELECT array_agg(x.position ORDER BY x.position) FROM (
            SELECT p.code, p.name, u.name, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text,
                   i.target, i.actual, i.weight, i.reported_score, i.deviation_reason
            FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
            JOIN indicator i USING (evaluation_id) WHERE e.evaluation_id = :own
            EXCEPT SELECT * FROM own_before) x) AS changed;
SELECT name, level3, target_text, actual_text, target, pjeval.base_value(target) AS target_value, deviation_reason
FROM indicator JOIN evaluation USING (evaluation_id) JOIN project USING (project_id)
WHERE evaluation_id = :own AND position <= 2 ORDER BY position;

-- 6. The reports' level classifiers compare names with the type's own
-- equality: a counterfeit = for text earlier on the search_path changes
-- nothing (they are inlined into the caller's query).
CREATE TEMP TABLE honest AS
SELECT level1, level2, level1_kind, level2_home, indicators FROM indicator_category_summary;
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.texteq(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT false $$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.texteq);
SET search_path = hostile, pg_catalog, public, pjeval;
SELECT '产出指标'::text = '产出指标'::text AS counterfeit_equal;
SELECT pjeval.indicator_level1_kind('产出指标 (50分)') AS level1_kind,
       pjeval.indicator_level2_home('服务对象满意度指标') AS level2_home;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE coalesce(s.level1_kind, '-') OPERATOR(pg_catalog.=) coalesce(h.level1_kind, '-')
                          AND coalesce(s.level2_home, '-') OPERATOR(pg_catalog.=) coalesce(h.level2_home, '-')) AS same
FROM pjeval.indicator_category_summary s
JOIN honest h ON h.level1 OPERATOR(pg_catalog.=) s.level1 AND h.level2 OPERATOR(pg_catalog.=) s.level2;
SET search_path = public, pjeval;

-- 7. No JIT for the functions that read the views (report_html with JIT
-- took 13.3 s where it takes 8.0 s without): every one sets jit = off.
SELECT p.oid::regprocedure AS reads_views_with_jit
FROM pg_proc p
WHERE p.pronamespace = 'pjeval'::regnamespace
  AND (p.proname IN ('report_html', 'export_form', 'export_form_html', 'refresh_reports')
       OR p.prosrc ~ '(evaluation_result|indicator_result|audit_finding|project_trend|unit_year_summary|indicator_category|_mv\M)')
  AND NOT coalesce('jit=off' = ANY (p.proconfig), false)
ORDER BY 1;
SELECT p.proname, p.proconfig FROM pg_proc p
WHERE p.pronamespace = 'pjeval'::regnamespace AND 'jit=off' = ANY (p.proconfig) ORDER BY 1;

\c :regress_db
DROP DATABASE pjeval_hostile_regress;
DROP ROLE regress_rh_member;
DROP ROLE regress_rh_reviewer;
