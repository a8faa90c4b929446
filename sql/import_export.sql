-- import_export: export_form() in both formats.  'text' is the template's
-- tab-separated layout that import_forms reads back to identical rows,
-- whatever a cell holds (tabs, line breaks, quotes, a name that looks like
-- one of the template's labels); 'html' is a printable standalone page:
-- zh-CN, a CJK font stack, A4 print CSS, the computed figures beside the
-- reported ones, the audit's findings marked, every value escaped.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 500000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

-- The cell writer and its helpers.
SELECT v AS value, export_cell(v) AS cell
FROM unnest(ARRAY['plain', E'a\tb', E'two\nlines', '"quoted"', 'ends with"', 'in "the" middle', '', NULL]) AS v;
SELECT v AS value, is_template_label(v) AS looks_like_the_template
FROM unnest(ARRAY['总分', ' 合 计 ', '备注：见附件', '项目名称：甲', '项目名称', '2023年度项目支出绩效自评表',
                  '作为导入模板，…', '总分值', '项目名称规范性', '完成率']) AS v;
SELECT html_escape(E'<b>"甲" & \'乙\'</b>') AS escaped, html_escape(NULL) AS null_is_empty;

-- The seed forms as a printable page.
\set doc `cat demo/seed/longhua-2022.txt`
CREATE TEMP TABLE seed AS SELECT row_number() OVER () AS n, id FROM import_forms(:'doc') AS id;
CREATE TEMP TABLE page AS SELECT n, export_form(id, 'html') AS html FROM seed;
SELECT n,
       html LIKE '<!DOCTYPE html>%' AS doctype,
       html LIKE '%<html lang="zh-CN">%' AS zh_cn,
       html LIKE '%<meta charset="utf-8">%' AS utf8,
       html LIKE '%font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif%' AS cjk_fonts,
       html LIKE '%@page { size: A4%' AS a4,
       html LIKE '%@media print%' AS print_css,
       (length(html) - length(replace(html, '<table', ''))) / length('<table') AS tables,
       html !~ '<script|src=|href="http|@import|url\(' AS self_contained
FROM page ORDER BY n;
-- The template's sections and header cells, in order.
SELECT n, array_agg(m[1] ORDER BY ord) AS parts
FROM page, regexp_matches(html, 'class="part">([^<]+)<', 'g') WITH ORDINALITY AS r (m, ord)
GROUP BY n ORDER BY n;
SELECT n, array_agg(m[1] ORDER BY ord) AS indicator_columns
FROM page, regexp_matches(substr(html, strpos(html, 'class="part">年度绩效指标')),
                          '<th>(序号|一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分|偏差原因分析及改进措施)</th>', 'g')
     WITH ORDINALITY AS r (m, ord)
GROUP BY n ORDER BY n;
-- The figures: reported, and computed beside them.
SELECT n,
       html LIKE '%1821100.00%' AND html LIKE '%1808698.26%' AS amounts,
       html LIKE '%99.32<span class="computed">计算 99.32</span>%' AS rate_and_computed,
       html LIKE '%99.93<span class="computed">计算 99.93</span>%' AS total_and_computed,
       html LIKE '%评级：优%' AS grade
FROM page WHERE n = 1;
SELECT n, html LIKE '%100<span class="computed">计算 100.00</span>%' AS total_and_computed
FROM page WHERE n = 2;
-- The findings: marked on their rows (one shaded row each) and listed.
SELECT n,
       (length(html) - length(replace(html, '<tr class="finding-warning">', ''))) / length('<tr class="finding-warning">') AS warning_rows,
       (length(html) - length(replace(html, '<tr class="finding-info">', ''))) / length('<tr class="finding-info">') AS info_rows,
       (regexp_match(html, '审核发现（(\d+)）'))[1] AS findings_listed,
       html LIKE '%<li id="f1" class="finding-warning">%over_achieved_unexplained%' AS first_finding,
       html LIKE '%超额完成（目标 17，实际 27，为目标的 1.59 倍）%' AS message
FROM page ORDER BY n;
-- Escaped: the target <1821100元 of form 1 is text, never a tag.
SELECT html LIKE '%&lt;1821100元%' AS escaped, html LIKE '%<1821100%' AS raw FROM page WHERE n = 1;

-- A form whose cells hold what HTML and the tab-separated text must not
-- take literally.
CREATE TEMP TABLE tricky AS
SELECT id FROM import_forms(concat_ws(E'\n',
    '项目支出绩效自评表',
    E'项目编号:\tX-1\t项目名称:\t<script>alert("项目")</script>\t绩效自评年度:\t2023',
    E'实施单位:\t甲 & 乙 中心\t一级预算单位:\t"引号"局',
    E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分',
    E'项目资金（元）\t年度资金总额\t100\t100\t100\t10\t100\t10',
    E'年度总体目标\t预期目标\t\t\t\t实际完成情况',
    E'\t"第一行\t含制表符\n第二行"\t\t\t\t"""以引号开头"',
    E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施',
    E'\t产出指标 (50分)\t数量指标\t<b>次数</b>\t<10次\t>5次\t50\t40\t"原因：""未完成""\n改进：加快"',
    E'\t\t\t总分\t≥1\t1\t20\t20',
    E'\t\t\t备注说明\t≥1\t1\t20\t20',
    E'\t\t质量指标\t项目名称：规范\t≥1\t1\t10\t10',
    E'总分\t\t\t\t\t\t100\t90',
    '备注：',
    E'第一行 <i>备注</i>\n第二行') || E'\n') AS id;
SELECT (SELECT id FROM tricky) AS x1 \gset
-- The page escapes every one of them.
SELECT export_form(:x1, 'html') !~ '<script|<b>|<i>' AS no_injected_tags,
       export_form(:x1, 'html') LIKE '%&lt;script&gt;alert(&quot;项目&quot;)&lt;/script&gt;%' AS name_escaped,
       export_form(:x1, 'html') LIKE '%甲 &amp; 乙 中心%' AS ampersand,
       export_form(:x1, 'html') LIKE '%第一行 &lt;i&gt;备注&lt;/i&gt;<br>第二行%' AS notes_with_line_break;
-- The text: quoted where a cell needs it, the level-2 label repeated where
-- a row would otherwise begin with 总分 or 备注, …
\pset format unaligned
SELECT replace(export_form(:x1), E'\t', ' | ') AS export_form;
\pset format aligned
-- … and read back to the same rows.
CREATE TEMP TABLE tricky_before AS
SELECT p.code, p.name, u.name AS unit, bu.name AS budget_unit, e.expected_goal, e.actual_outcome, e.notes,
       i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.weight, i.reported_score, i.deviation_reason
FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
LEFT JOIN unit bu ON bu.unit_id = e.budget_unit_id JOIN indicator i USING (evaluation_id)
WHERE e.evaluation_id = :x1;
SELECT id = :x1 AS same_evaluation FROM import_forms(export_form(:x1), 'replace') AS id;
SELECT (SELECT count(*) FROM tricky_before) AS rows,
       (SELECT count(*) FROM (
            SELECT p.code, p.name, u.name, bu.name, e.expected_goal, e.actual_outcome, e.notes,
                   i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.weight, i.reported_score, i.deviation_reason
            FROM evaluation e JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
            LEFT JOIN unit bu ON bu.unit_id = e.budget_unit_id JOIN indicator i USING (evaluation_id)
            WHERE e.evaluation_id = :x1
            EXCEPT SELECT * FROM tricky_before) x) AS changed;

-- A form with nothing but its header exports too, both ways.
SELECT count(*) FROM import_forms(E'项目名称\t空表\t绩效自评年度\t2023\t实施单位\t甲 & 乙 中心\n');
SELECT e.evaluation_id AS bare FROM evaluation e JOIN project p USING (project_id) WHERE p.name = '空表' \gset
SELECT length(export_form(:bare)) > 0 AS text, export_form(:bare, 'html') LIKE '%审核发现（%' AS html;
SELECT id = :bare AS reads_back FROM import_forms(export_form(:bare), 'replace') AS id;

-- Whatever the caller's search_path holds: counterfeits of pjeval's helpers
-- and of built-ins (exact matches where the built-in needs a cast) change
-- nothing in what is imported or exported.
CREATE TEMP TABLE honest AS
SELECT export_form(id) AS text, export_form(id, 'html') AS html FROM seed WHERE n = 1;
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.read_forms(text) RETURNS jsonb LANGUAGE sql AS $$ SELECT '[]'::jsonb $$;
CREATE FUNCTION hostile.fund_source(text) RETURNS text LANGUAGE sql AS $$ SELECT 'other' $$;
CREATE FUNCTION hostile.export_cell(text) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION hostile.html_escape(text) RETURNS text LANGUAGE sql AS $$ SELECT $1 $$;
CREATE FUNCTION hostile.replace(text, varchar, varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION hostile.concat_ws(varchar, VARIADIC text[]) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION hostile.split_part(varchar, text, integer) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION hostile.eq(text, varchar) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = hostile.eq);
CREATE FUNCTION hostile.match(text, varchar) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE OPERATOR hostile.~ (LEFTARG = text, RIGHTARG = varchar, FUNCTION = hostile.match);
CREATE TABLE hostile.evaluation (evaluation_id bigint, project_id bigint, year integer);
CREATE TABLE hostile.project (project_id bigint, code text);
SET search_path = hostile, public, pjeval;
SELECT 'a'::text = 'b'::varchar AS hostile_operator_wins;
SELECT count(*) AS imported FROM pjeval.import_forms(replace(:'doc', '44030921090150000', 'H-'));
SELECT pjeval.export_form(id) = (SELECT text FROM honest) AS same_text,
       pjeval.export_form(id, 'html') = (SELECT html FROM honest) AS same_html
FROM seed WHERE n = 1;
SELECT count(*) AS replaced FROM pjeval.import_forms(pjeval.export_form((SELECT id FROM seed WHERE n = 1)), 'replace');
SELECT f.source, count(*) FROM pjeval.fund_line f JOIN pjeval.evaluation e USING (evaluation_id)
JOIN pjeval.project p USING (project_id) WHERE p.code LIKE 'H-%' GROUP BY 1 ORDER BY 1;
SET search_path = public, pjeval;

-- Arguments.
SELECT export_form(:x1, 'pdf');
\echo :LAST_ERROR_SQLSTATE
SELECT export_form(:x1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT export_form(NULL) IS NULL AS null_in_null_out;
DO $$
BEGIN
    PERFORM pjeval.export_form(-1);
EXCEPTION WHEN no_data_found THEN
    RAISE NOTICE 'export_form(-1): % (%)', regexp_replace(SQLERRM, 'role .*', 'role …'), SQLSTATE;
END
$$;
SELECT p.provolatile, p.prosecdef
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'pjeval'
WHERE p.proname IN ('export_form', 'import_forms', 'export_form_html')
ORDER BY p.proname;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
