-- import_hostile: documents that do not play along.  A cell that opens a
-- quote and never closes it (copied from a PDF) is text and swallows
-- nothing; lines that end with a lone CR read as any others; a name made of
-- invisible characters is no name; a document of more than one batch (500
-- forms) is one import, its forms and lines numbered as in one piece.
--
-- One transaction, rolled back at the end (see import.sql).
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

\set doc `cat demo/seed/longhua-2022.txt`
SELECT array_to_string(l[1:42], E'\n') AS form1, array_to_string(l[43:80], E'\n') AS form2
FROM (SELECT string_to_array(:'doc', E'\n') AS l) s \gset

-- Three forms, a quote that nothing closes in each: in the header of the
-- first (项目名称), in an indicator of the second (三级指标), in the last cell
-- of the document (the third, the first again under another code).
SELECT replace(:'form1', E'\t数字化城管信息系统运行项目（系统操作员）\t', E'\t"数字化城管信息系统运行项目（系统操作员）\t')
       || E'\n' || replace(:'form2', E'\t\t\t实有人口信息准确率\t', E'\t\t\t"实有人口信息准确率\t')
       || E'\n' || rtrim(replace(replace(:'form1', '440309210901500004279', '440309210901599999999'),
                                 '作为导入模板', '"作为导入模板'), E'\n') AS hostile \gset
-- The reader says where (findings), and reads every row.
SELECT f.form, f.line, f.project_name, jsonb_array_length(f.indicators) AS indicators, f.findings
FROM jsonb_to_recordset(read_forms(:'hostile')) AS f (form integer, line integer, project_name text,
                                                     indicators jsonb, findings jsonb);
SELECT count(*) AS imported FROM import_forms(:'hostile');
SELECT project_code, project_name, execution_rate, fund_score, total_score, reported_total, grade, indicator_count
FROM evaluation_result ORDER BY project_code;
SELECT p.code, i.position, i.level3, i.target_text, i.actual_text, i.weight
FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE i.level3 LIKE '%实有人口信息准确率%';
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- Lines that end with a lone CR (old Mac exporters): the same two forms.
SELECT count(*) AS imported FROM import_forms(replace(:'doc', E'\n', E'\r'));
SELECT project_code, execution_rate, fund_score, total_score, grade FROM evaluation_result ORDER BY project_code;
-- and an error names the line as the reader counts it, and shows it
SELECT * FROM import_forms(replace(replace(:'doc', E'绩效自评年度:\t2022', E'绩效自评年度:\t1999'), E'\n', E'\r'),
                           on_conflict => 'replace');
SELECT document_line(E'a\rb\tc\r\nd\ne', n) AS line, document_find_line(E'a\rb\tc\r\nd\ne', 1, '^[de]') AS first_d_or_e
FROM generate_series(1, 5) n;
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- A name of invisible characters only (U+2060 word joiner, U+200B, U+FEFF,
-- U+00A0, U+3000, U+200F) is no name; units of them are no unit.
SELECT * FROM import_forms(replace(:'form1', '数字化城管信息系统运行项目（系统操作员）', E'\u2060\u200b\ufeff\u00a0\u3000\u200f'));
SELECT * FROM import_forms(replace(:'form1', '深圳市龙华区平安建设中心', E'\u2060\u202e\u2066'));
-- invisible characters at the edges of a name are not part of it
SELECT count(*) AS imported
FROM import_forms(replace(replace(:'form1', '数字化城管信息系统运行项目（系统操作员）', E'\u200e数字化城管信息系统运行项目（系统操作员）\u2060'),
                          E'实施单位:\t深圳市龙华区平安建设中心', E'实施单位:\t\u3000\u202a深圳市龙华区平安建设中心\ufeff'));
SELECT p.name, u.name AS unit, p.name = '数字化城管信息系统运行项目（系统操作员）' AS plain_name, u.name = '深圳市龙华区平安建设中心' AS plain_unit
FROM project p JOIN unit u USING (unit_id);
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- Batches: the seed a form at a time, each batch going on where the last
-- stopped; bad positions are refused.
SELECT b1.forms -> 0 ->> 'form' AS form, b1.forms -> 0 ->> 'line' AS line, b1.next_line, b1.next_form,
       b2.forms -> 0 ->> 'form' AS then_form, b2.forms -> 0 ->> 'line' AS then_line, b2.next_offset AS then_next_offset,
       b2.forms -> 0 ->> 'project_name' AS then_name
FROM read_form_batch(:'doc', max_forms => 1) b1,
     LATERAL read_form_batch(:'doc', b1.next_offset, b1.next_line, b1.next_form, 1) b2;
SELECT * FROM read_form_batch(:'doc', -1);
SELECT * FROM read_form_batch(:'doc', 0, 1, 0, 0);

-- 501 small forms (two batches), and a 502nd that repeats the first: the
-- duplicate is found across the batches, whatever on_conflict says, and
-- nothing is written.
SELECT string_agg(format(E'项目支出绩效自评表\n项目编号:\tB%s\t项目名称:\t批量%s\t绩效自评年度:\t2022\n实施单位:\t批量单位\n'
                         || E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n'
                         || E'\t产出指标\t数量指标\t次数\t≥1次\t%s次\t100\t100\n总分\t\t\t\t\t\t100\t100\n', g, g, g), '' ORDER BY g) AS many
FROM generate_series(1, 501) g \gset
SELECT count(*) FROM import_forms(:'many' || E'项目支出绩效自评表\n项目编号:\tB1\t项目名称:\t批量1\t绩效自评年度:\t2022\n实施单位:\t批量单位\n');
SELECT count(*) FROM import_forms(:'many' || E'项目支出绩效自评表\n项目编号:\tB1\t项目名称:\t批量1\t绩效自评年度:\t2022\n实施单位:\t批量单位\n',
                                  on_conflict => 'replace');
SELECT count(*) AS evaluations FROM evaluation;
-- and an error in the second batch names its form and line in the document
SELECT count(*) FROM import_forms(:'many' || E'项目支出绩效自评表\n项目名称:\t批量坏\t绩效自评年度:\t二〇二二\n');
-- without it, every form in the document's order
CREATE TEMP TABLE many_ids AS SELECT * FROM import_forms(:'many') WITH ORDINALITY AS t (id, n);
SELECT count(*) AS ids, count(DISTINCT t.id) AS distinct_ids,
       bool_and(p.code = 'B' || t.n) AS in_order, count(*) FILTER (WHERE i.actual_text <> t.n || '次') AS wrong_actuals
FROM many_ids t
JOIN evaluation e ON e.evaluation_id = t.id JOIN project p USING (project_id)
JOIN indicator i ON i.evaluation_id = e.evaluation_id;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
