-- monitoring_report: pjeval.monitoring_report_html (docs/monitoring.md):
-- a round's page with the lights per unit as an inline SVG chart and the
-- red projects with their reasons.  One transaction, rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

-- The worked example (red: its 未注销率 and the 双监控) and a green project
-- of another unit, whose name needs escaping.
\set doc `cat demo/seed/longhua-monitoring-2023.txt`
SELECT count(*) AS imported FROM import_monitoring(:'doc');
INSERT INTO unit (name) VALUES ('<绿色>单位 & 测试');
INSERT INTO project (code, name, unit_id) SELECT 'RPT-G', '按期项目', unit_id FROM unit WHERE name = '<绿色>单位 & 测试';
INSERT INTO monitoring (project_id, year, month) SELECT project_id, 2023, 7 FROM project WHERE code = 'RPT-G';
INSERT INTO monitoring_fund_line (monitoring_id, source, adjusted_budget, executed)
SELECT m.monitoring_id, 'total', 1200, 700 FROM monitoring m JOIN project p USING (project_id) WHERE p.code = 'RPT-G';
INSERT INTO monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text)
SELECT m.monitoring_id, 1, '产出指标', '数量指标', '培训人次', '≥120人次', '70人次'
FROM monitoring m JOIN project p USING (project_id) WHERE p.code = 'RPT-G';
SELECT unit_name, projects, red, yellow, green, blue FROM monitoring_unit_summary WHERE year = 2023 ORDER BY unit_name;

CREATE TEMP TABLE page AS SELECT monitoring_report_html(2023) AS html;
SELECT html LIKE '<!DOCTYPE html>%' AS doctype,
       html LIKE '%<h1>绩效运行监控（2023年1-7月）</h1>%' AS latest_round,
       (SELECT count(*) FROM regexp_matches(html, '<g class="unit">', 'g')) AS unit_bars,
       (SELECT count(*) FROM regexp_matches(html, '<rect class="bar red"', 'g')) AS red_segments,
       (SELECT count(*) FROM regexp_matches(html, '<rect class="bar green"', 'g')) AS green_segments,
       html LIKE '%&lt;绿色&gt;单位 &amp; 测试%' AS escaped,
       html NOT LIKE '%<绿色>%' AS nothing_raw,
       html LIKE '%<h2>红灯项目（1）</h2>%' AS one_red_project,
       html LIKE '%<li>实有人口信息未注销率：目标 低于3%，1-7月实际 3.20%，偏差原因 人员保障</li>%' AS red_indicator_with_cause,
       html LIKE '%原因类型：6-根据合同约定资金暂未支付；情况分析：服务合同约定%' AS reasons,
       html NOT LIKE '%按期项目%' AS green_project_not_listed
FROM page;
-- the chart is well-formed SVG: a bar per unit, a segment per light it has
-- (one report each here: the full width)
SELECT xml_is_well_formed_document(substring(html FROM '<svg.*</svg>')) AS svg_well_formed FROM page;
SELECT (xpath('count(//*[local-name()="rect"][contains(@class,"bar")])', xmlparse(document substring(html FROM '<svg.*</svg>'))))[1]::text AS bars,
       (xpath('//*[local-name()="title"]/text()', xmlparse(document substring(html FROM '<svg.*</svg>'))))[1]::text AS chart_title
FROM page;
SELECT (xpath('//*[local-name()="rect"][contains(@class,"bar")]/@class', x))::text[] AS segments,
       (xpath('//*[local-name()="rect"][contains(@class,"bar")]/@width', x))::text[] AS widths
FROM (SELECT xmlparse(document substring(html FROM '<svg.*</svg>')) AS x FROM page) s;

-- One unit; a round without reports; a bad month; no year.
SELECT monitoring_report_html(2023, 7, '<绿色>单位 & 测试') LIKE '%<h2>红灯项目（0）</h2>%<p>无。</p>%' AS one_unit_no_red;
SELECT monitoring_report_html(2023, 3) LIKE '%<p>无监控报表。</p>%' AS empty_round;
SELECT monitoring_report_html(2023, 13);
SELECT monitoring_report_html(NULL) IS NULL AS no_year;

ROLLBACK;
