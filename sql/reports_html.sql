-- reports_html: pjeval.report_html(year, unit) on the fixture of the
-- reports test.  The page is well-formed (it parses as XML: every element
-- opened is closed), standalone (no script, no link, no image, nothing to
-- fetch), printable (A4, a CJK font stack), holds the figures of
-- unit_year_summary and the findings, and escapes every value.  What it
-- looks like is checked by eye in headless Chromium (docs/reports.md).
\set VERBOSITY default
\set SHOW_CONTEXT never
\c pjeval_reports_regress
SET search_path = public, pjeval;

CREATE TEMP TABLE page (name text PRIMARY KEY, html text);
INSERT INTO page VALUES ('2022', report_html(2022)),
                        ('2023 城市管理局', report_html(2023, '示范区城市管理局')),
                        ('2023 U-HW', report_html(2023, 'U-HW')),
                        ('2022 top 3', report_html(2022, NULL, 3)),
                        ('2023', report_html(2023)),
                        ('2030', report_html(2030));
CREATE FUNCTION pg_temp.x(path text, doc text) RETURNS text[]
LANGUAGE sql AS $$
    SELECT coalesce(array_agg(v::text), '{}')
    FROM unnest(xpath(path, doc::xml, ARRAY[ARRAY['h', 'http://www.w3.org/1999/xhtml'],
                                             ARRAY['s', 'http://www.w3.org/2000/svg']])) v
$$;

-- Well-formed, standalone, printable.
SELECT name, xml_is_well_formed_document(html) AS well_formed,
       html LIKE '<!DOCTYPE html>%' AS doctype,
       (pg_temp.x('/h:html/@lang', html))[1] AS lang,
       (pg_temp.x('/h:html/h:head/h:meta/@charset', html))[1] AS charset,
       (pg_temp.x('/h:html/h:head/h:title/text()', html))[1] AS title,
       cardinality(pg_temp.x('//h:script|//h:link|//h:img|//h:iframe|//h:object|//@src|//@href', html)) AS external_or_script,
       html ~ '@page \{ size: A4;' AS a4,
       html LIKE '%"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif%' AS cjk_fonts,
       cardinality(pg_temp.x('//s:svg', html)) AS charts
FROM page ORDER BY name;
-- The same by counting tags: every element opened is closed (void
-- elements are written <meta/>, <rect/>, <line/>).
SELECT p.name, t.tag, t.opened, t.closed
FROM page p,
     LATERAL (SELECT o.tag, o.opened, coalesce(c.closed, 0) AS closed
              FROM (SELECT m[1] AS tag, count(*) AS opened
                    FROM regexp_matches(p.html, '<([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*[^/<>])?>', 'g') m GROUP BY 1) o
              LEFT JOIN (SELECT m[1] AS tag, count(*) AS closed
                         FROM regexp_matches(p.html, '</([a-zA-Z][a-zA-Z0-9]*)>', 'g') m GROUP BY 1) c USING (tag)) t
WHERE t.opened <> t.closed
ORDER BY 1, 2;

-- 2022: one summary row per unit and a total; the figures are those of
-- unit_year_summary (amounts in 万元).  Totals by hand: budget 1805000 +
-- 800000 + 3500000 = 6105000 元 = 610.50 万元; executed 5575000 元 =
-- 557.50 万元, 91.32 %; average total (97 + 63 + 80 + 84 + 100) / 5 = 84.80;
-- 16 findings; reported above computed in 2 of 5 forms, by (35 + 0 + 0 + 6
-- - 1) / 5 = 8.00 on average.
SELECT array_to_string(pg_temp.x('//h:table[@class="summary"]/h:thead/h:tr/h:th/text()', html), ' | ') AS columns
FROM page WHERE name = '2022';
SELECT r AS row_number, array_to_string(pg_temp.x(format('//h:table[@class="summary"]/h:tbody/h:tr[%s]/h:td/text()', r), html), ' | ') AS cells
FROM page, generate_series(1, 4) r WHERE name = '2022' ORDER BY r;
SELECT year, unit_name, budget_unit_name, forms, round(annual_budget / 10000, 2) AS budget_wan, round(executed / 10000, 2) AS executed_wan,
       execution_rate, avg_total_score, min_total_score, max_total_score, finding_count, inflated_forms, compared_forms, inflation_avg
FROM unit_year_summary WHERE year = 2022 ORDER BY budget_unit_name, unit_name;

-- The chart: a labelled pair of bars per unit (average total, execution
-- rate), the scale and the grade lines, all inline SVG.
SELECT (pg_temp.x('(//s:svg)[1]/@aria-label', html))[1] AS chart,
       cardinality(pg_temp.x('(//s:svg)[1]/s:g', html)) AS units,
       pg_temp.x('(//s:svg)[1]/s:g/s:title/text()', html) AS labels,
       pg_temp.x('(//s:svg)[1]/s:g/s:text[2]/text()', html) AS totals,
       pg_temp.x('(//s:svg)[1]/s:g/s:text[3]/text()', html) AS rates,
       pg_temp.x('(//s:svg)[1]/s:text[@text-anchor="middle"]/text()', html) AS scale_and_grades
FROM page WHERE name = '2022';
-- The bars are as long as their figures: 430 px for the whole scale, here
-- 0-100: 园林中心 80.00 → 344.0 px, 70.73 % → 304.1 px; 环卫中心 64.00 →
-- 275.2 px, 82.40 % → 354.3 px.
SELECT pg_temp.x('(//s:svg)[1]/s:g/s:rect[1]/@width', html) AS total_bars,
       pg_temp.x('(//s:svg)[1]/s:g/s:rect[2]/@width', html) AS rate_bars
FROM page WHERE name = '2023 城市管理局';

-- In 2023 民政局 has forms with and without a budget unit: two rows, two
-- pairs of bars, told apart by their budget unit.
SELECT pg_temp.x('(//s:svg)[1]/s:g/s:text[1]/text()', html) AS bar_labels FROM page WHERE name = '2023';

-- The grade distribution: per unit and in all, and as one stacked bar.
SELECT r AS row_number, array_to_string(pg_temp.x(format('//h:table[@class="grades"]/h:tbody/h:tr[%s]/h:td/text()', r), html), ' | ') AS cells
FROM page, generate_series(1, 4) r WHERE name = '2022' ORDER BY r;
SELECT pg_temp.x('(//s:svg)[2]/s:rect/s:title/text()', html) AS segments FROM page WHERE name = '2022';

-- The findings: the count per code, then each one with its form and row.
SELECT array_to_string(pg_temp.x('//h:table[@class="finding-codes"]/h:tbody/h:tr/h:td[1]/text()', html), ', ') AS codes,
       array_to_string(pg_temp.x('//h:table[@class="finding-codes"]/h:tbody/h:tr/h:td[4]/text()', html), ', ') AS counts,
       cardinality(pg_temp.x('//h:table[@class="findings"]/h:tbody/h:tr', html)) AS listed,
       (SELECT count(*) FROM audit_finding a JOIN evaluation e USING (evaluation_id) WHERE e.year = 2022) AS audit_finding_rows
FROM page WHERE name = '2022';
SELECT r AS row_number, array_to_string(pg_temp.x(format('//h:table[@class="findings"]/h:tbody/h:tr[%s]/h:td/text()', r), html), ' | ') AS cells
FROM page, generate_series(1, 3) r WHERE name = '2022' ORDER BY r;
-- At most max_findings are listed; the note says so.
SELECT cardinality(pg_temp.x('//h:table[@class="findings"]/h:tbody/h:tr', html)) AS listed,
       (pg_temp.x('//h:section[@id="findings"]/h:p/text()', html))[1] AS note
FROM page WHERE name = '2022 top 3';

-- One unit, by name or by code: a level-1 budget unit brings the units
-- whose forms name it; an implementing unit its own forms.
SELECT name, pg_temp.x('//h:table[@class="summary"]/h:tbody/h:tr/h:td[1]/text()', html) AS units,
       substring((pg_temp.x('//h:p[@class="meta"]/text()', html))[1] FROM '范围：([^　]*)') AS scope
FROM page WHERE name IN ('2023 城市管理局', '2023 U-HW') ORDER BY name;

-- A year without forms: a short page, no chart.
SELECT pg_temp.x('//h:p[@class="empty"]/text()', html) AS empty_notes FROM page WHERE name = '2030';

-- Every value is escaped: a unit and a project whose names are markup.
INSERT INTO unit (name, code) VALUES ('<b>"Tom" & Jerry''s</b> 中心', 'U-<X>');
INSERT INTO project (code, name, unit_id) SELECT 'X&1', '<script>alert(1)</script>', unit_id FROM unit WHERE code = 'U-<X>';
INSERT INTO evaluation (project_id, year, reported_total) SELECT project_id, 2024, 100 FROM project WHERE code = 'X&1';
INSERT INTO fund_line (evaluation_id, source, annual_budget, executed)
SELECT e.evaluation_id, 'total', 100, 100 FROM evaluation e WHERE e.year = 2024;
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
SELECT e.evaluation_id, 1, '产出指标', '数量指标', '<i>次数</i> & "more"', '≥10次', '5次', 90, 90 FROM evaluation e WHERE e.year = 2024;
INSERT INTO page VALUES ('2024 markup', report_html(2024, 'U-<X>'));
SELECT xml_is_well_formed_document(html) AS well_formed,
       cardinality(pg_temp.x('//h:script|//h:b|//h:i', html)) AS injected_elements,
       position('&lt;b&gt;&quot;Tom&quot; &amp; Jerry&#39;s&lt;/b&gt; 中心' IN html) > 0 AS unit_escaped,
       position('X&amp;1 &lt;script&gt;alert(1)&lt;/script&gt;' IN html) > 0 AS project_escaped,
       position('“&lt;i&gt;次数&lt;/i&gt; &amp; &quot;more&quot;”' IN html) > 0 AS message_escaped,
       (pg_temp.x('//h:table[@class="summary"]/h:tbody/h:tr[1]/h:td[1]/text()', html))[1] AS unit_as_read_back
FROM page WHERE name = '2024 markup';
DELETE FROM evaluation WHERE year = 2024;
DELETE FROM project WHERE code = 'X&1';
DELETE FROM unit WHERE code = 'U-<X>';

-- Errors: an unknown unit (22023), no year.
\set VERBOSITY sqlstate
SELECT report_html(2022, '没有这个单位');
SELECT report_html(NULL);
\set VERBOSITY default
SELECT report_html(2022, '没有这个单位');

-- A report reads, it never writes: STABLE, with the caller's rights.
SELECT p.provolatile, p.prosecdef, p.proconfig FROM pg_proc p WHERE p.oid = 'pjeval.report_html(integer, text, integer)'::regprocedure;
