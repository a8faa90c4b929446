-- import_errors: documents that cannot be imported.  Each raises ONE error
-- that names the form (its position in the document), the line, the line
-- itself (tabs shown as " | ") and what was expected there, with a SQLSTATE
-- (22P02 for what does not read, 22003 for a number out of range, 23505 for
-- a form twice, 22023 for a bad argument); and nothing of the document is
-- written, whatever part of it was fine.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 200000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

-- A small valid form; each case replaces one part.  Lines: 1 title, 2-3
-- header, 4 资金使用情况, 5 fund header, 6-7 fund rows, 8-10 goals, 11
-- indicator header, 12-14 indicators, 15 总分, 16 备注.
CREATE FUNCTION pg_temp.form(code text DEFAULT 'E-1',
                             header text DEFAULT E'项目编号:\t%s\t项目名称:\t错误测试%s\t绩效自评年度:\t2023\n实施单位:\t错误测试单位\t一级预算单位:\t错误测试主管部门',
                             funds text DEFAULT E'项目资金（元）\t年度资金总额\t100.00\t100.00\t90.00\t10\t90.00\t9.00\n\t其中：当年财政拨款\t100.00\t100.00\t90.00\t—\t—\t—',
                             ind_header text DEFAULT E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施',
                             indicators text DEFAULT E'\t产出指标 (50分)\t数量指标\t测试次数\t≥10次\t12次\t50\t50\n\t效益指标 (30分)\t社会效益指标\t问题解决率\t≥90%\t95%\t30\t30\n\t满意度指标 (10分)\t服务对象满意度指标\t满意度\t≥90%\t96%\t10\t10',
                             total text DEFAULT E'总分\t\t\t\t\t\t100\t99\t—')
RETURNS text
LANGUAGE sql AS $$
    SELECT concat_ws(E'\n', '项目支出绩效自评表', format(header, code, code), '资金使用情况',
                     E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分', funds,
                     '项目目标完成情况', E'年度总体目标\t预期目标\t\t\t\t实际完成情况', E'\t完成测试\t\t\t\t已完成',
                     ind_header, indicators, total, '备注：') || E'\n'
$$;

-- It is valid as it stands (and is not kept).
SAVEPOINT valid;
SELECT count(*) AS imported FROM import_forms(pg_temp.form());
SELECT project_code, total_score, grade FROM evaluation_result;
ROLLBACK TO valid;

-- The corpus: one row per document, with the error it gets.
CREATE TEMP TABLE bad (n serial, name text, doc text);
INSERT INTO bad (name, doc) VALUES
    ('empty document', ''),
    ('text that is no form', E'随便写的一行字\n第二行'),
    ('a title and nothing else', E'项目支出绩效自评表\n资金使用情况\n'),
    ('no 绩效自评年度', pg_temp.form(header => E'项目编号:\t%s\t项目名称:\t错误测试%s\n实施单位:\t错误测试单位')),
    ('a year that does not read', pg_temp.form(header => E'项目编号:\t%s\t项目名称:\t错误测试%s\t绩效自评年度:\t二〇二三\n实施单位:\t甲')),
    ('a year out of range', pg_temp.form(header => E'项目编号:\t%s\t项目名称:\t错误测试%s\t绩效自评年度:\t1999\n实施单位:\t甲')),
    ('two 项目名称 in one row', pg_temp.form(header => E'项目编号:\t%s\t项目名称:\t错误测试%s\t绩效自评年度:\t2023\t项目名称:\t另一个\n实施单位:\t甲')),
    ('a second 项目名称 row begins a second form', pg_temp.form(header => E'项目编号:\t%s\t项目名称:\t错误测试%s\t绩效自评年度:\t2023\n项目名称:\t另一个')),
    ('no unit at all', pg_temp.form(header => E'项目编号:\t%s\t项目名称:\t错误测试%s\t绩效自评年度:\t2023')),
    ('an amount in words', pg_temp.form(funds => E'项目资金（元）\t年度资金总额\t100.00\t一百万\t90.00\t10\t90.00\t9.00')),
    ('a fund source that is none', pg_temp.form(funds => E'项目资金（元）\t年度资金总额\t100.00\t100.00\t90.00\t10\t90.00\t9.00\n\t专项资金\t100.00\t100.00\t90.00\t—\t—\t—')),
    ('the same fund source twice', pg_temp.form(funds => E'项目资金（元）\t年度资金总额\t100.00\t100.00\t90.00\t10\t90.00\t9.00\n\t资金总额\t100.00\t100.00\t90.00\t—\t—\t—')),
    ('a negative amount', pg_temp.form(funds => E'项目资金（元）\t年度资金总额\t100.00\t100.00\t-5\t10\t90.00\t9.00')),
    ('a score above 100 on a source row', pg_temp.form(funds => E'项目资金（元）\t年度资金总额\t100.00\t100.00\t90.00\t10\t90.00\t9.00\n\t其中：当年财政拨款\t100.00\t100.00\t90.00\t10\t90\t900')),
    ('a 执行率 in words', pg_temp.form(funds => E'项目资金（元）\t年度资金总额\t100.00\t100.00\t90.00\t10\t九成\t9.00')),
    ('an indicator header without 得分 (one without 分值 is a template that weights blocks: import_tolerant3)', pg_temp.form(ind_header => E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值')),
    ('a weight in words', pg_temp.form(indicators => E'\t产出指标 (50分)\t数量指标\t测试次数\t≥10次\t12次\t五十\t50')),
    ('a weight above 100', pg_temp.form(indicators => E'\t产出指标\t数量指标\t测试次数\t≥10次\t12次\t150\t50')),
    ('a score that is negative', pg_temp.form(indicators => E'\t产出指标\t数量指标\t测试次数\t≥10次\t12次\t50\t-1')),
    ('values without an indicator name', pg_temp.form(indicators => E'\t产出指标\t数量指标\t\t≥10次\t12次\t50\t50')),
    ('an indicator without level 1', pg_temp.form(indicators => E'\t\t数量指标\t测试次数\t≥10次\t12次\t50\t50')),
    ('an indicator without level 2', pg_temp.form(indicators => E'\t产出指标\t\t测试次数\t≥10次\t12次\t50\t50')),
    ('a 总分 in words', pg_temp.form(total => E'总分\t\t\t\t\t\t一百\t99')),
    ('a 总分 above 100', pg_temp.form(total => E'总分\t\t\t\t\t\t100\t199')),
    ('the second form breaks', pg_temp.form('E-2') || pg_temp.form('E-3', funds => E'项目资金（元）\t年度资金总额\t100\t100\t九十')),
    ('the same form twice', pg_temp.form('E-4') || pg_temp.form('E-4')),
    ('the same project without its code twice',
     pg_temp.form('E-5') || pg_temp.form('E-5', header => E'项目编号:\t\t项目名称:\t错误测试%s\t绩效自评年度:\t2023\n实施单位:\t错误测试单位\t一级预算单位:\t错误测试主管部门')),
    ('a long line', pg_temp.form(indicators => E'\t产出指标\t数量指标\t' || repeat('很长的指标名称', 30) || E'\t≥10次\t12次\t五十\t50'));

CREATE FUNCTION pg_temp.try_import(doc text)
RETURNS TABLE (sqlstate text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
DECLARE
    s text; m text; d text; h text;
BEGIN
    PERFORM pjeval.import_forms(doc);
    RETURN QUERY SELECT '00000'::text, 'imported'::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN QUERY SELECT s, m, d, h;
END
$$;

\x on
SELECT b.n, b.name, e.sqlstate, e.message, e.detail
FROM bad b CROSS JOIN LATERAL pg_temp.try_import(b.doc) e
ORDER BY b.n;
\x off

-- The hints: what a document is, that nothing was imported, how to proceed.
SELECT DISTINCT e.sqlstate, e.hint
FROM bad b CROSS JOIN LATERAL pg_temp.try_import(b.doc) e
ORDER BY 1, 2;

-- Nothing of a document that fails is written: not the first form, which
-- was fine, nor the units and projects a failing form would have needed
-- (the same form twice fails only after they were found or made).
SELECT (SELECT count(*) FROM unit) AS units, (SELECT count(*) FROM project) AS projects,
       (SELECT count(*) FROM evaluation) AS evaluations, (SELECT count(*) FROM history) AS history;
SELECT * FROM import_forms((SELECT doc FROM bad WHERE name = 'the second form breaks'));
SELECT * FROM import_forms((SELECT doc FROM bad WHERE name = 'the same form twice'));
SELECT (SELECT count(*) FROM unit) AS units, (SELECT count(*) FROM project) AS projects,
       (SELECT count(*) FROM evaluation) AS evaluations, (SELECT count(*) FROM history) AS history;

-- A project and year already stored: 23505 naming them, a hint at
-- on_conflict => 'replace'; replace works.
SELECT count(*) AS imported FROM import_forms(pg_temp.form('E-6'));
SELECT count(*) FROM import_forms(pg_temp.form('E-6'));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS replaced FROM import_forms(pg_temp.form('E-6'), on_conflict => 'replace');
SELECT count(*) AS explicit_error FROM import_forms(pg_temp.form('E-6'), on_conflict => 'error');
\echo :LAST_ERROR_SQLSTATE
-- Without its code the project is found by name within its unit.
SELECT count(*) FROM import_forms(pg_temp.form('E-7', header => E'项目编号:\t—\t项目名称:\t错误测试%s\t绩效自评年度:\t2023\n实施单位:\t错误测试单位'));
SELECT count(*) FROM import_forms(pg_temp.form('E-7', header => E'项目编号:\t\t项目名称:\t错误测试%s\t绩效自评年度:\t2023\n实施单位:\t错误测试单位'));
\echo :LAST_ERROR_SQLSTATE

-- Bad arguments.
SELECT * FROM import_forms(pg_temp.form('E-8'), on_conflict => 'overwrite');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM import_forms(pg_temp.form('E-8'), on_conflict => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM import_forms(pg_temp.form('E-8'), on_conflict => 'REPLACE');
\echo :LAST_ERROR_SQLSTATE
-- A NULL document imports nothing.
SELECT count(*) AS imported FROM import_forms(NULL);
-- In a database that is not UTF-8 the reader refuses (read_forms says so);
-- here it is UTF-8.
SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database();

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
