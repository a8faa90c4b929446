-- demo.sql - pjeval on two real forms: the 2022 项目支出绩效自评表 of
-- 深圳市龙华区平安建设中心 (demo/seed/longhua-2022.txt, as published: the
-- template copied out of a spreadsheet as tab-separated text) imported with
-- one call, scored, audited, and written back out.
--
-- Run from the repository root in a UTF-8 database (bash scripts/demo.sh
-- makes one on a throwaway cluster): psql -X -v out=DIR -f demo/demo.sql
-- writes the printable pages into DIR (default /tmp).
\set ON_ERROR_STOP on
\set QUIET on
\pset pager off
\pset linestyle unicode
\pset border 2
\pset null '∅'
\if :{?out}
\else
\set out /tmp
\endif

\echo
\echo '════ 1. The extension ════'
CREATE EXTENSION pjeval;
\pset title 'pjeval, installed'
SELECT extname AS extension, extversion AS version, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'pjeval';

\echo
\echo '════ 2. Import the forms: one call, the whole file ════'
\echo '  psql -v ON_ERROR_STOP=1 -c ''\\set doc `cat demo/seed/longhua-2022.txt`'' -f - <<< "SELECT * FROM pjeval.import_forms(:''doc'')"'
\echo 'Units and projects are found or made, each form becomes an evaluation with its fund lines and'
\echo 'indicators; a form that cannot be read stops the whole file with the line and what was expected.'
\set doc `cat demo/seed/longhua-2022.txt`
CREATE TEMP TABLE imported AS
SELECT row_number() OVER () AS n, id FROM pjeval.import_forms(:'doc') AS id;
\pset title 'pjeval.import_forms(document): the new evaluations, in the document''s order'
SELECT i.n AS "form", i.id AS evaluation_id, p.code AS "项目编号", p.name AS "项目名称", e.year AS "年度",
       u.name AS "实施单位",
       (SELECT count(*) FROM pjeval.fund_line f WHERE f.evaluation_id = e.evaluation_id) AS fund_lines,
       (SELECT count(*) FROM pjeval.indicator x WHERE x.evaluation_id = e.evaluation_id) AS indicators
  FROM imported i
  JOIN pjeval.evaluation e ON e.evaluation_id = i.id
  JOIN pjeval.project p USING (project_id)
  JOIN pjeval.unit u ON u.unit_id = p.unit_id
 ORDER BY i.n;

\echo
\echo '════ 3. The scores: pjeval.evaluation_result ════'
\echo 'Computed live from the stored cells, beside what the form reports.  执行率 = 全年执行数 / 全年预算数;'
\echo 'the total is the fund score plus every indicator''s score, each rounded half-up to 2 places.'
\pset title 'evaluation_result'
SELECT project_code AS "项目编号", execution_rate AS "执行率 %", reported_execution_rate AS "填报执行率",
       fund_score AS "资金得分", output_score AS "产出", benefit_score AS "效益", satisfaction_score AS "满意度",
       total_score AS "总分", reported_total AS "填报总分", grade AS "等级", weight_total AS "分值合计",
       finding_count AS findings
  FROM pjeval.evaluation_result
 ORDER BY project_code;

\echo
\echo '════ 4. What the audit finds: pjeval.audit_finding ════'
\echo 'One row per problem; position is the indicator''s 序号 (∅: the whole form).  Codes: pjeval.finding_code.'
\pset title 'audit_finding'
SELECT r.project_code AS "项目编号", a.position AS "#", a.severity, a.code, a.message_zh
  FROM pjeval.audit_finding a
  JOIN pjeval.evaluation_result r USING (evaluation_id)
 ORDER BY r.project_code, a.position NULLS FIRST, a.code;
\pset title 'the same, message_en'
SELECT a.position AS "#", a.code, a.message_en
  FROM pjeval.audit_finding a
  JOIN pjeval.evaluation_result r USING (evaluation_id)
 ORDER BY r.project_code, a.position NULLS FIRST, a.code;

\echo
\echo '════ 5. How a few indicator values read ════'
\echo 'Each 年度指标值 and 实际完成值 is read once, at input, into an indicator_value (comparison, exact'
\echo 'number, unit); the text is kept as written.  A list of labelled clauses is compared clause by clause.'
\pset title 'pjeval.indicator: target_text → target, actual_text → actual, and what indicator_result makes of them'
SELECT x.n AS form, i.position AS "#",
       CASE WHEN char_length(i.level3) > 9 THEN left(i.level3, 8) || '…' ELSE i.level3 END AS "三级指标",
       i.target_text AS "年度指标值", i.target::text AS target, pjeval.kind(i.target) AS kind,
       pjeval.base_value(i.target) || ' ' || pjeval.base_unit(i.target) AS "in base unit",
       i.actual_text AS "实际完成值", round(r.completion, 4) AS completion, r.computed_score AS score
  FROM pjeval.indicator i
  JOIN imported x ON x.id = i.evaluation_id
  JOIN pjeval.indicator_result r USING (indicator_id)
 WHERE (x.n, i.position) IN ((1, 2), (1, 9), (1, 11), (2, 2), (2, 4), (2, 6), (2, 7), (2, 8))
 ORDER BY x.n, i.position;

\echo
\echo 'pjeval.explain(): how one indicator was scored, for an auditor — 操作员数量, 17 → 27 (over-achieved,'
\echo 'full score, flagged because the deviation is not explained):'
\pset title
\pset format unaligned
\pset tuples_only on
SELECT jsonb_pretty(pjeval.explain(i.target, i.actual, i.weight, i.level2))
  FROM pjeval.indicator i JOIN pjeval.evaluation e USING (evaluation_id) JOIN pjeval.project p USING (project_id)
 WHERE p.code = '440309210901500004279' AND i.position = 1;
\pset tuples_only off
\pset format aligned

\echo
\echo '════ 6. Written back out: pjeval.export_form ════'
\echo '''text'' is the template again, cell for cell (import_forms reads it back to the same rows); the first'
\echo 'rows of form 1, tabs shown as │:'
\pset title
\pset format unaligned
\pset tuples_only on
SELECT string_agg(replace(t.l, E'\t', ' │ '), E'\n' ORDER BY t.n)
  FROM imported i,
       regexp_split_to_table(pjeval.export_form(i.id), E'\n') WITH ORDINALITY AS t (l, n)
 WHERE i.n = 1 AND t.n BETWEEN 2 AND 13 AND t.l <> '';
\pset tuples_only off
\pset format aligned
-- Read back: the same rows again (replace in place, the old version goes to the history).
\pset title 'the export read back with import_forms(…, on_conflict => ''replace'')'
SELECT count(*) AS forms_replaced
  FROM pjeval.import_forms((SELECT string_agg(pjeval.export_form(id), '' ORDER BY n) FROM imported), on_conflict => 'replace');
\pset title 'after it: the same evaluations and scores, the replaced rows in pjeval.history'
SELECT string_agg(evaluation_id::text, ', ' ORDER BY project_code) AS evaluations,
       string_agg(total_score::text, ', ' ORDER BY project_code) AS totals,
       (SELECT count(*) FROM pjeval.history WHERE operation = 'DELETE') AS old_rows_in_history
  FROM pjeval.evaluation_result;

\echo
\echo '''html'' is a printable page of the official form (A4, 计算 beside each reported score, findings marked):'
\pset tuples_only on
\pset format unaligned
\o :out/pjeval-demo-form-1.html
SELECT pjeval.export_form(id, 'html') FROM imported WHERE n = 1;
\o :out/pjeval-demo-form-2.html
SELECT pjeval.export_form(id, 'html') FROM imported WHERE n = 2;
\o
\pset tuples_only off
\pset format aligned
\pset title 'pages written'
SELECT format('%s/pjeval-demo-form-%s.html', :'out', n) AS page, p.name AS "项目名称",
       length(pjeval.export_form(id, 'html')) AS characters
  FROM imported i JOIN pjeval.evaluation e ON e.evaluation_id = i.id JOIN pjeval.project p USING (project_id)
 ORDER BY n;
