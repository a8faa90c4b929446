-- targets_html: export_targets(id, 'html'), the target form as a printable
-- page (docs/targets.md).  The page parses as XML (XHTML); hostile text in
-- every field comes back as the same text, never as markup; the rows with
-- findings are marked and the findings listed; the quantified share is
-- shown.  One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
\set grid2023 `cat "$PG_ABS_SRCDIR/test/fixtures/targets/grid-2023.txt"`
BEGIN;

CREATE FUNCTION pg_temp.x(path text, doc text) RETURNS text[]
LANGUAGE sql AS $$
    SELECT coalesce(array_agg(v::text), '{}')
    FROM unnest(xpath(path, doc::xml, ARRAY[ARRAY['h', 'http://www.w3.org/1999/xhtml']])) v
$$;
-- the text of a node as the page holds it: PostgreSQL writes a text node
-- back with &, < and > as entities, undone here
CREATE FUNCTION pg_temp.s(path text, doc text) RETURNS text
LANGUAGE sql AS $$
    SELECT replace(replace(replace((xpath('string(' || path || ')', doc::xml,
                                          ARRAY[ARRAY['h', 'http://www.w3.org/1999/xhtml']]))[1]::text,
                                   '&lt;', '<'), '&gt;', '>'), '&amp;', '&')
$$;

-- The fixture of sql/targets.sql: its findings on the page.
SELECT import_targets(:'grid2023') AS grid \gset
CREATE TEMP TABLE page (name text PRIMARY KEY, html text);
INSERT INTO page VALUES ('grid', export_targets(:grid, 'html'));

SELECT xml_is_well_formed_document(html) AS well_formed,
       html LIKE '<!DOCTYPE html>%' AS doctype,
       (pg_temp.x('/h:html/@lang', html))[1] AS lang,
       (pg_temp.x('/h:html/h:head/h:title/text()', html))[1] AS title,
       cardinality(pg_temp.x('//h:script|//h:link|//h:img|//h:iframe|//h:object|//@src|//@href', html)) AS external_or_script,
       html LIKE '%@page { size: A4 landscape;%' AS print_css,
       cardinality(pg_temp.x('//h:table[contains(@class,"indicators")]/h:tr[@id]', html)) AS indicator_rows,
       cardinality(pg_temp.x('//h:table[contains(@class,"funds")]/h:tr[h:td]', html)) AS fund_rows,
       (pg_temp.x('//h:p[@class="quantified"]/text()', html))[1] AS quantified
FROM page WHERE name = 'grid';

-- Every finding of target_finding is listed; the rows marked are those of
-- the findings with a position.
SELECT (SELECT count(*) FROM target_finding WHERE target_id = :grid) AS findings,
       cardinality(pg_temp.x('//h:section[@class="findings"]/h:ol/h:li', html)) AS listed,
       (pg_temp.x('//h:section[@class="findings"]/h:h2/text()', html))[1] AS heading,
       (SELECT array_agg(DISTINCT position ORDER BY position) FROM target_finding
        WHERE target_id = :grid AND position IS NOT NULL)::text AS finding_positions,
       (SELECT array_agg(v::integer ORDER BY v::integer)
        FROM unnest(pg_temp.x('//h:tr[@class="finding"]/h:td[@class="pos"]/text()', html)) v)::text AS marked_rows
FROM page WHERE name = 'grid';
SELECT (pg_temp.x('//h:section[@class="findings"]/h:ol/h:li/h:code/text()', html))::text AS codes_listed
FROM page WHERE name = 'grid';

-- Hostile text in every field: markup, quotes, ampersands, a control
-- character XML does not allow, a line break.
INSERT INTO unit (name) VALUES ('<i>单位</i> & "主管"');
INSERT INTO unit (name, parent_id) SELECT '</td></tr><script>alert(1)</script>', unit_id FROM unit WHERE name = '<i>单位</i> & "主管"';
INSERT INTO project (code, name, unit_id)
SELECT 'H<1>', '<b>项目</b> & ''引号'' "双引号"', unit_id FROM unit WHERE name = '</td></tr><script>alert(1)</script>';
INSERT INTO target (project_id, year, attribute, budget_unit_id, long_term_goal, annual_goal, notes)
SELECT p.project_id, 2024, '新增', u.unit_id, '<![CDATA[长期]]>', E'年度\x01目标 ]]> &amp;', E'第一行 <br>\n第二行 &lt;'
FROM project p, unit u WHERE p.code = 'H<1>' AND u.name = '<i>单位</i> & "主管"';
INSERT INTO target_fund_line (target_id, source, label, requested)
SELECT target_id, 'other', '<自有>资金 & 其他', 12.50 FROM target t JOIN project p USING (project_id) WHERE p.code = 'H<1>';
INSERT INTO target_indicator (target_id, position, level1, level2, level3, target_text, formula, notes)
SELECT target_id, 1, '产出指标', '数量指标', '<script>x</script>', '≥5<个>', '"a" < b & c', '<!-- 注释 -->'
FROM target t JOIN project p USING (project_id) WHERE p.code = 'H<1>';
INSERT INTO page
SELECT 'hostile', export_targets(t.target_id, 'html') FROM target t JOIN project p USING (project_id) WHERE p.code = 'H<1>';

SELECT xml_is_well_formed_document(html) AS well_formed,
       cardinality(pg_temp.x('//h:script|//h:b|//h:i|//h:br[not(ancestor::h:li)][not(ancestor::h:table[contains(@class,"notes")])]', html)) AS injected_elements,
       (pg_temp.x('/h:html/h:head/h:title/text()', html))[1] AS title,
       (pg_temp.x('//h:table[contains(@class,"header")]/h:tr[1]/h:td[1]/text()', html))[1] AS code,
       (pg_temp.x('//h:table[contains(@class,"header")]/h:tr[1]/h:td[2]/text()', html))[1] AS project,
       (pg_temp.x('//h:table[contains(@class,"header")]/h:tr[2]/h:td[1]/text()', html))[1] AS unit,
       (pg_temp.x('//h:table[contains(@class,"header")]/h:tr[2]/h:td[2]/text()', html))[1] AS top_unit
FROM page WHERE name = 'hostile';
-- the same text as stored, once the page is read as XML
SELECT pg_temp.s('//h:table[contains(@class,"header")]/h:tr[1]/h:td[1]', html) = p.code AS code_same,
       pg_temp.s('//h:table[contains(@class,"header")]/h:tr[1]/h:td[2]', html) = p.name AS project_same,
       pg_temp.s('//h:table[contains(@class,"header")]/h:tr[2]/h:td[1]', html) = u.name AS unit_same,
       pg_temp.s('//h:table[contains(@class,"indicators")]/h:tr[@id="i1"]/h:td[5]', html) = '<script>x</script>' AS level3_same,
       pg_temp.s('//h:table[contains(@class,"indicators")]/h:tr[@id="i1"]/h:td[6]', html) = '≥5<个>' AS value_same,
       pg_temp.s('//h:table[contains(@class,"indicators")]/h:tr[@id="i1"]/h:td[7]', html) = '"a" < b & c' AS formula_same,
       pg_temp.s('//h:table[contains(@class,"indicators")]/h:tr[@id="i1"]/h:td[10]', html) = '<!-- 注释 -->' AS notes_same,
       pg_temp.s('//h:table[contains(@class,"goals")]/h:tr[2]/h:td[1]', html) = '<![CDATA[长期]]>' AS long_term_same,
       pg_temp.s('//h:table[contains(@class,"funds")]/h:tr[2]/h:td[1]', html) = '<自有>资金 & 其他' AS fund_label_same
FROM page, project p JOIN unit u USING (unit_id) WHERE page.name = 'hostile' AND p.code = 'H<1>';
-- a control character XML does not allow becomes U+FFFD; a line break of
-- 备注 a <br/>
SELECT pg_temp.s('//h:table[contains(@class,"goals")]/h:tr[2]/h:td[2]', html) AS annual_goal,
       cardinality(pg_temp.x('//h:table[contains(@class,"notes")]//h:br', html)) AS notes_line_breaks,
       pg_temp.s('//h:table[contains(@class,"notes")]//h:td', html) AS notes
FROM page WHERE name = 'hostile';

-- Another format, a form that is not there or not visible: refused.
SELECT export_targets(:grid, 'xml');
SELECT export_targets(:grid, NULL);
SELECT export_targets(-1, 'html');

ROLLBACK;
