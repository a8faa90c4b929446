-- indicator_value_open_units: a number in a measure word the unit table
-- does not list (5匹, 3000尾, 2万尾, 5kg) is a count in that word; a period
-- (全年, 2021年上半年, 第三季度) is a range of dates; a comparison or a unit
-- with no number (≥, ≥%, 万元) is refused, not qualitative text.
-- docs/indicator-values.md, "Open units", "Periods", "Bad input".
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

-- Open units: the word is the unit and its own base unit; 万 scales it.
SELECT s, v, kind(v), comparison(v), number(v), base_value(v), base_upper(v), unit(v), base_unit(v), dimension(v), label(v)
FROM unnest(ARRAY['5匹', '3000尾', '2盏', '12眼', '6枚', '5匹以上', '约6枚', '2万尾', '3至5匹', '3尾-5尾',
                  '每月5盏', '5元/匹', '放流鱼苗达3000尾以上', '5 kg', '５ｋｇ', '5kg以上']) WITH ORDINALITY AS t(s, n),
     LATERAL (SELECT s::indicator_value AS v) x
ORDER BY n;

-- The canonical text reads back as the same value; the word is compared as
-- normalised text (５ｋｇ is 5kg; 尾 and 匹 differ).
SELECT s, s::indicator_value::text::indicator_value = s::indicator_value AS round_trip
FROM unnest(ARRAY['5匹', '≥2万尾', '3~5盏', '5kg', '5匹/月']) AS s;
SELECT '５ｋｇ'::indicator_value = '5kg'::indicator_value AS same, '5尾'::indicator_value = '5匹'::indicator_value AS other;

-- Known units keep their readings and conversions; a labelled clause keeps its label.
SELECT s, v, unit(v), base_value(v), base_unit(v), dimension(v), label(v)
FROM unnest(ARRAY['培训人次达500人次以上', '10 台套', '≤461.74万元', '2公里', '3年']) WITH ORDINALITY AS t(s, n),
     LATERAL (SELECT s::indicator_value AS v) x
ORDER BY n;

-- Periods: months alone, days within a year.
SELECT s, v, kind(v), comparison(v), base_value(v), base_upper(v), dimension(v)
FROM unnest(ARRAY['全年', '上半年', '下半年', '第三季度', '四季度', '1-6月', '2021年全年', '2020年上半年',
                  '2024年第一季度', '完成时间2021年全年']) WITH ORDINALITY AS t(s, n),
     LATERAL (SELECT s::indicator_value AS v) x
ORDER BY n;

-- Scoring: the same open unit compares (2万尾 is 20000 尾); another word,
-- or a known unit, is incomparable (NULL score, flagged); periods against dates.
SELECT t, a, indicator_score(t::indicator_value, a::indicator_value, 10) AS score,
       indicator_flags(t::indicator_value, a::indicator_value) AS flags
FROM (VALUES ('≥3000尾', '2400尾'), ('≥2万尾', '15000尾'), ('5匹以上', '6'), ('3~5盏', '4盏'),
             ('≥5匹', '5头'), ('≥5匹', '5个'), ('≥5kg', '5公斤'), ('≥5尾', '5匹'),
             ('2021年全年', '2021年12月31日'), ('2021年上半年', '2021年7月'), ('上半年', '6月'),
             ('第三季度', '2022年9月30日'), ('第三季度', '2022年10月')) AS p(t, a);
SELECT (explain('≥5匹', '5个', 10))->'flags' AS flags, (explain('≥3000尾', '2400尾', 10))->>'rule' AS rule;

-- A comparison or a unit that lost its number: 22P02 from the type's input,
-- NULL and the reason from try_indicator_value and indicator_value_error.
SELECT '≥'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '≥%'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '万元'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT s, try_indicator_value(s) AS try, indicator_value_error(s) AS error
FROM unnest(ARRAY['≥', '≥%', '>=', '≤万元', '万元', '以上', '约', '%', '≥ 次/周']) WITH ORDINALITY AS t(s, n)
ORDER BY n;
-- text with no number that is more than a comparison or a unit stays qualitative
SELECT s, kind(s::indicator_value) FROM unnest(ARRAY['年内', '人次', '不低于去年', '重点解决', '达到预期']) AS s;
-- a Latin word that runs into a digit or another unit is not a unit
SELECT s, indicator_value_error(s) AS error FROM unnest(ARRAY['1e5', '9x%', '≤9x元', '5匹x']) AS s;

-- On import: an unreadable value stays as text, its typed value NULL, and
-- the audit shows it; open units and periods score.
-- (the sequences are put back afterwards: later files count and number rows)
CREATE TEMP TABLE saved_sequences AS
SELECT pg_catalog.format('%I.%I', schemaname, sequencename) AS seq, last_value
FROM pg_sequences WHERE schemaname = 'pjeval';
BEGIN;
CREATE FUNCTION pg_temp.row(VARIADIC cells text[])
RETURNS text LANGUAGE sql AS $$ SELECT array_to_string($1, E'\t') $$;
SELECT count(*) AS imported FROM import_forms(array_to_string(ARRAY[
    '项目支出绩效自评表',
    pg_temp.row('项目编号:', 'OU-1', '项目名称:', '开放单位测试', '绩效自评年度:', '2021'),
    pg_temp.row('实施单位:', '测试中心', '一级预算单位:', '测试局'),
    pg_temp.row('年度绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分'),
    pg_temp.row('', '产出指标', '数量指标', '鱼苗放流', '≥2万尾', '15000尾', '20', '15'),
    pg_temp.row('', '', '', '马匹', '≥5匹', '5头', '20', '20'),
    pg_temp.row('', '', '质量指标', '合格率', '≥%', '95%', '20', '20'),
    pg_temp.row('', '', '成本指标', '成本', '≤100万元', '万元', '20', '20'),
    pg_temp.row('', '', '时效指标', '完成时间', '2021年上半年', '2021年6月', '20', '20'),
    pg_temp.row('总分', '', '', '', '', '', '100', '95'),
    '备注：无'], E'\n') || E'\n');
SELECT i.position, i.target_text, i.target, i.actual_text, i.actual
FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'OU-1' ORDER BY i.position;
SELECT a.position, a.code
FROM audit_finding a JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'OU-1' AND a.position IS NOT NULL AND a.code <> 'reported_score_used'
ORDER BY a.position, a.code;
SELECT position, indicator_score(target, actual, weight) AS score
FROM indicator i JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'OU-1' ORDER BY position;
ROLLBACK;
SELECT count(setval(seq::regclass, coalesce(last_value, 1), last_value IS NOT NULL)) > 0 AS sequences_restored
FROM saved_sequences;
DROP TABLE saved_sequences;
