-- 78_monitoring_report.sql - the monitoring section of the printable
-- reports (docs/monitoring.md): one page per round (year, 1-N月) with the
-- project lights of every unit as an inline SVG chart and the red projects
-- with their reasons.  A page of its own beside report_html (80_reports.sql)
-- and export_monitoring's 'html'; it reads the views with the caller's
-- rights, so a unit member's page holds that unit's reports only.

CREATE FUNCTION @extschema@.monitoring_report_html(year integer, month integer DEFAULT NULL, unit text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer;              -- the round's month
    units jsonb;
    most integer;
    chart text;
    reds text;
    nred integer;
    bar_x constant integer := 230;   -- where the bars begin
    bar_w constant integer := 420;   -- the widest bar
    row_h constant integer := 24;
BEGIN
    IF monitoring_report_html.year IS NULL THEN
        RETURN NULL;
    END IF;
    IF monitoring_report_html.month IS NOT NULL AND monitoring_report_html.month NOT BETWEEN 1 AND 12 THEN
        RAISE EXCEPTION 'month must be from 1 to 12, not %', monitoring_report_html.month
            USING ERRCODE = 'datetime_field_overflow',
                  HINT = 'A monitoring period is 1-N月 with N from 1 to 12; NULL takes the year''s latest round.';
    END IF;
    n := coalesce(monitoring_report_html.month,
                  (SELECT max(r.month) FROM @extschema@.monitoring_result r WHERE r.year = monitoring_report_html.year));

    -- per unit: the project lights counted, reports without a lit indicator
    SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.unit_name, s.unit_id), '[]'), coalesce(max(s.projects), 0)
    INTO units, most
    FROM (SELECT su.unit_id, su.unit_name, su.projects, su.red, su.yellow, su.green, su.blue,
                 su.projects - su.red - su.yellow - su.green - su.blue AS unlit, su.reports_missing
          FROM @extschema@.monitoring_unit_summary su
          WHERE su.year = monitoring_report_html.year AND su.month = n
            AND (monitoring_report_html.unit IS NULL OR su.unit_name = monitoring_report_html.unit)) s;

    -- the chart: a bar per unit, its segments the lights in order
    SELECT string_agg(format(
               '<g class="unit"><text x="%s" y="%s" text-anchor="end" class="name">%s</text>%s<text x="%s" y="%s" class="count">%s</text></g>',
               bar_x - 8, 20 + i * row_h + 14, @extschema@.html_escape(u.unit_name),
               (SELECT string_agg(format('<rect class="bar %s" x="%s" y="%s" width="%s" height="16"><title>%s %s</title></rect>',
                                         seg.light, bar_x + seg.before * bar_w / most, 20 + i * row_h,
                                         seg.cnt * bar_w / most, seg.label, seg.cnt), '' ORDER BY seg.k)
                FROM (SELECT k, light, label, cnt, coalesce(sum(cnt) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                      FROM (VALUES (1, 'red', '红灯', u.red), (2, 'yellow', '黄灯', u.yellow), (3, 'green', '绿灯', u.green),
                                   (4, 'blue', '蓝灯', u.blue), (5, 'none', '无灯', u.unlit)) v (k, light, label, cnt)) seg
                WHERE seg.cnt > 0),
               bar_x + u.projects * bar_w / most + 6, 20 + i * row_h + 13, u.projects),
               E'\n' ORDER BY i)
    INTO chart
    FROM ROWS FROM (jsonb_to_recordset(units) AS (unit_name text, projects integer, red integer, yellow integer,
                                                  green integer, blue integer, unlit integer))
         WITH ORDINALITY AS u (unit_name, projects, red, yellow, green, blue, unlit, i);

    -- the red projects (目标执行预警 or 预算执行预警 red) with their reasons
    SELECT count(*), string_agg(format(
               '<li class="project"><span class="code">%s</span> <span class="name">%s</span> <span class="unit">（%s）</span> 目标 %s 资金 %s 双监控 %s%s%s%s</li>',
               @extschema@.html_escape(r.project_code), @extschema@.html_escape(r.project_name), @extschema@.html_escape(un.name),
               @extschema@.light_html(r.project_light), @extschema@.light_html(r.fund_light), @extschema@.light_html(r.dual_light),
               CASE WHEN r.fund_light = 'red' THEN format('<p class="fund">执行率 %s%%，时间进度 %s%%</p>', r.execution_rate, r.time_progress) ELSE '' END,
               CASE WHEN m.reason_type IS NOT NULL OR nullif(btrim(coalesce(m.analysis, '')), '') IS NOT NULL
                    THEN format('<p class="reason">原因类型：%s；情况分析：%s</p>',
                                @extschema@.html_escape(coalesce(mr.code || '-' || mr.label, '—')),
                                @extschema@.html_escape(coalesce(m.analysis, '—')))
                    ELSE '' END,
               coalesce((SELECT '<ul class="indicators">' || string_agg(format('<li>%s：目标 %s，1-%s月实际 %s，偏差原因 %s</li>',
                                     @extschema@.html_escape(x.level3), @extschema@.html_escape(x.target_text), n,
                                     @extschema@.html_escape(x.actual_text),
                                     @extschema@.html_escape(coalesce(nullif(concat_ws('、', nullif(array_to_string(x.deviation_causes, '、'), ''),
                                                                                        x.deviation_note), ''), '未填写'))),
                                     '' ORDER BY x.position) || '</ul>'
                         FROM @extschema@.monitoring_indicator x
                         JOIN @extschema@.profile pr ON pr.name = m.profile
                         WHERE x.monitoring_id = m.monitoring_id
                           AND @extschema@.indicator_light(x.target, x.actual, m.month, x.level2, x.accrual, m.year,
                                                           pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) = 'red'),
                        '')),
               E'\n' ORDER BY un.name, r.project_code)
    INTO nred, reds
    FROM @extschema@.monitoring_result r
    JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
    JOIN @extschema@.unit un ON un.unit_id = r.unit_id
    LEFT JOIN @extschema@.monitoring_reason mr ON mr.code = m.reason_type
    WHERE r.year = monitoring_report_html.year AND r.month = n
      AND (r.project_light = 'red' OR r.fund_light = 'red')
      AND (monitoring_report_html.unit IS NULL OR un.name = monitoring_report_html.unit);

    RETURN concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="generator" content="pjeval">
<title>绩效运行监控 · ', monitoring_report_html.year, '年', CASE WHEN n IS NULL THEN '' ELSE '1-' || n || '月' END, '</title>
<style>
@page { size: A4 portrait; margin: 14mm 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 10pt; }
h1 { text-align: center; font-size: 16pt; }
svg.lights .name, svg.lights .count { font-size: 10px; }
svg.lights rect.red, .light.red { fill: #c62828; background: #c62828; }
svg.lights rect.yellow, .light.yellow { fill: #f9a825; background: #f9a825; }
svg.lights rect.green, .light.green { fill: #2e7d32; background: #2e7d32; }
svg.lights rect.blue, .light.blue { fill: #1565c0; background: #1565c0; }
svg.lights rect.none { fill: #bdbdbd; }
.light { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; color: #fff; }
.light.yellow { color: #000; } .light.none { color: #555; }
li.project { margin-bottom: 2mm; break-inside: avoid; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>绩效运行监控（', monitoring_report_html.year, '年', CASE WHEN n IS NULL THEN '' ELSE '1-' || n || '月' END, '）</h1>
<section class="units">
<h2>各单位项目目标执行预警</h2>
', CASE WHEN jsonb_array_length(units) = 0 THEN '<p>无监控报表。</p>' ELSE concat(
'<svg class="lights" xmlns="http://www.w3.org/2000/svg" role="img" width="', bar_x + bar_w + 40, '" height="',
        jsonb_array_length(units) * row_h + 50, '" viewBox="0 0 ', bar_x + bar_w + 40, ' ', jsonb_array_length(units) * row_h + 50, '">
<title>各单位项目预警灯数（', monitoring_report_html.year, '年1-', n, '月）</title>
', chart, '
<g class="legend" transform="translate(', bar_x, ',', jsonb_array_length(units) * row_h + 30, ')"><rect class="red" x="0" y="0" width="10" height="10"/><text x="14" y="9">红灯</text><rect class="yellow" x="60" y="0" width="10" height="10"/><text x="74" y="9">黄灯</text><rect class="green" x="120" y="0" width="10" height="10"/><text x="134" y="9">绿灯</text><rect class="blue" x="180" y="0" width="10" height="10"/><text x="194" y="9">蓝灯</text><rect class="none" x="240" y="0" width="10" height="10"/><text x="254" y="9">无灯</text></g>
</svg>') END, '
</section>
<section class="red">
<h2>红灯项目（', coalesce(nred, 0), '）</h2>
', CASE WHEN reds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || reds || E'\n</ol>' END, '
</section>
</body>
</html>
');
END
$fn$;

COMMENT ON FUNCTION @extschema@.monitoring_report_html(integer, integer, text) IS
'The monitoring round (year, 1-N月; NULL: the year''s latest) as a printable page: the project lights of every unit the caller sees (or of one unit, by name) as an inline SVG bar chart, and the projects whose project or fund light is red with their reasons (原因类型, 情况分析, and each red indicator with its 偏差原因). A month outside 1-12 raises 22008';
