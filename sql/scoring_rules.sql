-- scoring_rules: the SQL surface of the scoring rules, one query per row of
-- the rules table (scoring-rules.md §3), every flag, exact half-up rounding,
-- huge and tiny amounts, explain(), assess() against the separate functions,
-- errors with their SQLSTATEs, NULLs, and the catalog properties.
--
-- Each case carries the score and flags the rules ask for (want, want_flags);
-- ok must be t on every row.  The expected scores are worked out by hand
-- from the rules, not copied from the output.
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TEMP TABLE cases (
    n          serial PRIMARY KEY,
    section    text NOT NULL,
    target     pjeval.indicator_value,
    actual     pjeval.indicator_value,
    weight     numeric,
    category   text,
    want       numeric,
    want_flags text[]
);

CREATE TEMP VIEW checked AS
SELECT c.n, c.section, c.target, c.actual, c.weight, c.category,
       (pjeval.assess(c.target, c.actual, c.weight, c.category)).rule AS rule,
       pjeval.completion(c.target, c.actual, c.category) AS completion,
       pjeval.indicator_score(c.target, c.actual, c.weight, c.category) AS score,
       pjeval.indicator_flags(c.target, c.actual, c.category) AS flags,
       pjeval.indicator_score(c.target, c.actual, c.weight, c.category) IS NOT DISTINCT FROM c.want
           AND pjeval.indicator_flags(c.target, c.actual, c.category) = c.want_flags AS ok
FROM cases c;

INSERT INTO cases (section, target, actual, weight, category, want, want_flags) VALUES
    -- positive (≥T >T T以上 不低于T 至少T 达到T): A ≥ T → 1, else A/T
    ('positive', '≥80', '66', 5, NULL, 4.13, '{not_met}'),            -- 5 × 0.825 = 4.125 → 4.13 half-up
    ('positive', '≥1000', '824.8', 5, NULL, 4.12, '{not_met}'),       -- 4.124 → 4.12
    ('positive', '97%以上', '96%', 10, NULL, 9.90, '{not_met}'),      -- 9.8969… → 9.90
    ('positive', '不低于95%', '95%', 10, NULL, 10.00, '{}'),
    ('positive', '至少100人', '50人', 10, NULL, 5.00, '{not_met}'),
    ('positive', '达到90%', '60%', 3, NULL, 2.00, '{not_met}'),
    ('positive', '>5天', '5天', 4, NULL, 4.00, '{not_met}'),          -- 超过 excludes the bound: not met, ratio 1
    ('positive', '>5天', '6天', 4, NULL, 4.00, '{}'),
    ('positive', '≥100', '50', 3.333, NULL, 1.67, '{not_met}'),       -- 1.6665 → 1.67
    ('positive', '≥3', '0.415', 3, NULL, 0.42, '{not_met}'),          -- exactly 0.415 → 0.42 (see below)
    -- negative (≤T <T T以下 T以内 不超过T 低于T): A ≤ T → 1, else T/A
    ('negative', '≤10万元', '12.5万元', 5, NULL, 4.00, '{not_met}'),
    ('negative', '不超过3%', '2%', 5, NULL, 5.00, '{}'),
    ('negative', '3天以内', '4天', 6, NULL, 4.50, '{not_met}'),
    ('negative', '10人以下', '8人', 5, NULL, 5.00, '{}'),
    ('negative', '低于3%', '3.5%', 10, NULL, 8.57, '{not_met}'),      -- 3/3.5 = 0.857142…
    ('negative', '<5', '5', 4, NULL, 4.00, '{not_met}'),              -- 低于 excludes the bound
    -- =T or bare T: direction from the level-2 category (成本 is negative)
    ('category', '100万元', '120万元', 5, '成本指标', 4.17, '{not_met}'),       -- 100/120 × 5 = 4.1666…
    ('category', '100万元', '120万元', 5, '经济成本指标', 4.17, '{not_met}'),
    ('category', '100万元', '120万元', 5, '社会成本指标', 4.17, '{not_met}'),
    ('category', '100万元', '120万元', 5, '生态环境成本指标', 4.17, '{not_met}'),
    ('category', '100万元', '80万元', 5, '成本指标', 5.00, '{}'),
    ('category', '100万元', '120万元', 5, '数量指标', 5.00, '{}'),
    ('category', '100万元', '80万元', 5, '数量指标', 4.00, '{not_met}'),
    ('category', '100万元', '120万元', 5, NULL, 5.00, '{}'),           -- no category: positive
    ('category', '=100', '80', 5, NULL, 4.00, '{not_met}'),
    ('category', '=100', '120', 5, '成本指标', 4.17, '{not_met}'),
    ('category', '<1821100元', '1808698.26元', 2, '数量指标', 2.00, '{}'),  -- a comparison beats the category
    -- T = 0 with no comparison: all or nothing
    ('zero', '0起', '0起', 5, '质量指标', 5.00, '{}'),
    ('zero', '0起', '1起', 5, '质量指标', 0.00, '{not_met}'),
    ('zero', '0', '2', 5, NULL, 0.00, '{not_met}'),
    ('zero', '≤0起', '0起', 5, NULL, 5.00, '{}'),                     -- written ≤0: negative, met
    -- range a-b a~b a至b: inside → 1; below A/a; above b/A
    ('range', '90%~95%', '92%', 10, NULL, 10.00, '{}'),
    ('range', '90%~95%', '90%', 10, NULL, 10.00, '{}'),               -- bounds included
    ('range', '90%~95%', '95%', 10, NULL, 10.00, '{}'),
    ('range', '90%~95%', '81%', 10, NULL, 9.00, '{not_met}'),
    ('range', '3-5万元', '10万元', 10, NULL, 5.00, '{not_met}'),
    ('range', '3至5天', '4天', 5, NULL, 5.00, '{}'),
    -- labelled clauses: the mean of each clause's capped c, matched by label
    ('clauses', '采集率达95%以上，准确率达90%以上', '准确率45%，采集率95%', 10, NULL, 7.50, '{not_met}'),
    ('clauses', '采集率达95%以上，准确率达90%以上', '96%，45%', 10, NULL, 7.50, '{not_met}'),     -- unlabelled: by position
    ('clauses', '采集率达95%以上，准确率达90%以上', '采集率95%', 10, NULL, NULL, '{unmatched_clause}'),
    ('clauses', 'a≥50%，b≥50%', 'a100%，b25%', 10, NULL, 7.50, '{not_met,over_achieved}'),     -- capped per clause
    ('clauses', '采集率达95%以上，准确率达98%以上；', '采集率99.74%，准确率达99.49%', 10, NULL, 10.00, '{}'),
    -- a bare number takes the other side's unit; 0 < x ≤ 1 against % is a fraction
    ('bare', '1', '100%', 5, '时效指标', 5.00, '{}'),
    ('bare', '1', '1', 5, '质量指标', 5.00, '{}'),
    ('bare', '100%', '0.9', 5, NULL, 4.50, '{not_met}'),
    ('bare', '≥95%', '96', 5, NULL, 5.00, '{}'),
    ('bare', '≥95%', '0.5', 5, NULL, 2.63, '{not_met}'),              -- 50/95 × 5 = 2.6315…
    ('bare', '≥50个', '50', 5, NULL, 5.00, '{}'),
    ('bare', '≤90万元', '90', 5, NULL, 5.00, '{}'),
    -- qualitative: the same text is full weight; anything else is the evaluator's band
    ('qualitative', '重点解决', '重点解决', 30, '社会效益指标', 30.00, '{}'),
    ('qualitative', '有效提升', '有效提升', 8, NULL, 8.00, '{}'),
    ('qualitative', '有效提升', '明显改善', 8, NULL, NULL, '{qualitative_needs_band}'),
    ('qualitative', '≥95%', '已完成', 8, NULL, NULL, '{qualitative_needs_band,actual_is_claim}'),
    ('qualitative', '≥95%', '已完成100%', 8, NULL, NULL, '{qualitative_needs_band,actual_is_claim}'),
    -- 不适用: score 0, whatever the weight
    ('not_applicable', '不适用', '不适用', 0, '经济效益指标', 0.00, '{}'),
    ('not_applicable', '不适用', '不适用', 5, NULL, 0.00, '{}'),
    -- 不适用 on one side only contradicts the row: no silent 0, a person decides
    ('not_applicable', '≥90%', '不适用', 5, NULL, NULL, '{missing_value}'),
    -- dates: met or not; a missed date is the evaluator's
    ('date', '2022年12月31日前', '2022年11月30日', 5, NULL, 5.00, '{}'),
    ('date', '11月前', '10月', 5, NULL, 5.00, '{}'),
    ('date', '2022年6月底前', '2022年8月', 5, NULL, NULL, '{not_met,date_missed}'),
    -- units: 万元 against 元, 亿元 against 万元, 小时 against 分钟; incomparable ones
    ('units', '≤461.74万元', '4617400元', 5, NULL, 5.00, '{}'),
    ('units', '≤4617400元', '461.75万元', 5, NULL, 5.00, '{not_met}'),  -- 4.99989… → 5.00, still not met
    ('units', '≥1亿元', '9999万元', 5, NULL, 5.00, '{not_met}'),        -- 4.9995 → 5.00 half-up
    ('units', '≤2小时', '90分钟', 5, NULL, 5.00, '{}'),
    ('units', '≥10次', '5万元', 5, NULL, NULL, '{incomparable_units}'),
    ('units', '≥10个', '10件', 5, NULL, NULL, '{incomparable_units}'),
    -- huge and tiny, exact
    ('extremes', '≥999999999999999999元', '999999999999999998元', 10, NULL, 10.00, '{not_met}'),
    ('extremes', '≥0.000000000000000002', '0.000000000000000001', 10, NULL, 5.00, '{not_met}'),
    ('extremes', '≥1亿元', '0.000000000000000001元', 5, NULL, 0.00, '{not_met}'),
    ('extremes', '≥95%', '96%', 9999999999999999, NULL, 9999999999999999.00, '{}'),
    ('extremes', '≥95%', '94%', 0.000000000000000001, NULL, 0.00, '{not_met}'),
    -- over-achievement: A/T ≥ 1.30 is flagged, the score stays full
    ('flags', '≥100', '130', 5, NULL, 5.00, '{over_achieved}'),
    ('flags', '≥100', '129.99', 5, NULL, 5.00, '{}'),
    ('flags', '17', '27', 6, '数量指标', 6.00, '{over_achieved}'),
    -- empty cells: missing, never zero
    ('flags', '≥95%', '—', 5, NULL, NULL, '{missing_value}'),
    ('flags', '-', '95%', 5, NULL, NULL, '{missing_value}');

-- positive
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'positive' ORDER BY n;
-- the last row above is exact where numeric division rounds first:
-- 3 × (0.415 / 3) in numeric is 0.41499… → 0.41, the rules' exact value is 0.42
SELECT pg_catalog.round(3 * (0.415 / 3), 2) AS numeric_first,
       pjeval.indicator_score('≥3', '0.415', 3) AS exact;
-- negative
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'negative' ORDER BY n;
-- negative, linear formula of a profile: 1 - (A - T)/T, floored at 0
SELECT t AS target, a AS actual, w AS weight,
       pjeval.indicator_score(t, a, w, NULL, 1.30, 'linear') AS linear,
       pjeval.indicator_score(t, a, w) AS ratio,
       pjeval.indicator_score(t, a, w, NULL, 1.30, 'linear') = want AS ok
FROM (VALUES ('≤10万元'::pjeval.indicator_value, '12.5万元'::pjeval.indicator_value, 5::numeric, 3.75),
             ('≤10', '25', 5, 0.00),                 -- 1 - 15/10 < 0: floored
             ('≤10', '8', 5, 5.00),                  -- met: full
             ('不超过3%', '4.5%', 10, 5.00),         -- 1 - 1.5/3 = 0.5
             ('≤100万元', '150万元', 5, 2.50)) AS v(t, a, w, want);  -- 1 - 50/100 = 0.5
SELECT pjeval.indicator_score('100万元', '120万元', 5, '成本指标', 1.30, 'linear') AS cost_linear;
-- =T or bare: the category decides
SELECT n, target, actual, weight, category, rule, completion, score, flags, ok FROM checked WHERE section = 'category' ORDER BY n;
-- T = 0
SELECT n, target, actual, weight, category, rule, completion, score, flags, ok FROM checked WHERE section = 'zero' ORDER BY n;
-- range
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'range' ORDER BY n;
-- clauses
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'clauses' ORDER BY n;
-- bare 1 against 100%
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'bare' ORDER BY n;
-- qualitative
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'qualitative' ORDER BY n;
-- 不适用
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'not_applicable' ORDER BY n;
-- dates
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'date' ORDER BY n;
-- units
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'units' ORDER BY n;
-- huge and tiny
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'extremes' ORDER BY n;
-- flags not covered above
SELECT n, target, actual, weight, rule, completion, score, flags, ok FROM checked WHERE section = 'flags' ORDER BY n;
-- the profile's over-achievement ratio moves the flag, never the score
SELECT r AS over_ratio,
       pjeval.indicator_flags('17', '27', '数量指标', r) AS flags,
       pjeval.indicator_score('17', '27', 6, '数量指标', r) AS score
FROM (VALUES (1.5), (1.588), (1.59), (2.0)) AS v(r);
-- too_large: beyond exact arithmetic, reported by indicator_flags without raising
SELECT t AS target, a AS actual, pjeval.indicator_flags(t, a) AS flags
FROM (VALUES ('≥999999999999999999亿元'::pjeval.indicator_value, '0.000000000000000001元'::pjeval.indicator_value),
             ('≥999999999999999999万', '0.000000000000000001')) AS v(t, a);
-- every flag name appears somewhere above (unreadable: see the NULLs below)
SELECT f AS flag, count(*) AS cases
FROM (SELECT unnest(flags) AS f FROM checked
      UNION ALL SELECT unnest(pjeval.indicator_flags('≥999999999999999999万', '0.000000000000000001'))) AS x
GROUP BY f ORDER BY f;
SELECT count(*) AS cases, count(*) FILTER (WHERE NOT ok) AS failing FROM checked;

-- Funds: rate and score, half-up, huge and tiny, over the budget
SELECT b AS budget, e AS executed, pjeval.execution_rate(b, e) AS rate,
       pjeval.fund_score(b, e) AS score, pjeval.fund_score(b, e, 20) AS score_20
FROM (VALUES (1821100.00, 1808698.26), (4617400.00, 4617360.00),
             (3, 2),                                          -- 66.666… → 66.67
             (80000, 10),                                     -- 0.0125 % → 0.01
             (40000, 2),                                      -- 0.005 % → 0.01 half-up
             (100, 120),                                      -- over: the rate shows it, the score is capped
             (100, 0),
             (999999999999999999, 999999999999999998),
             (0.000000000000000003, 0.000000000000000001),
             (1000000.000000, 999995.000000)                  -- scale padding is no obstacle
            ) AS v(b, e);
-- a weight from a numeric(40,20) column: the padding zeros are not digits that count
SELECT pjeval.indicator_score('≥95%', '94%', 5.00000000000000000000::numeric(40,20)) AS score;
-- a zero budget has no rate and no score
SELECT pjeval.execution_rate(0, 5) IS NULL AS no_rate, pjeval.fund_score(0.00, 5) IS NULL AS no_score;

-- Grade: bounds included
SELECT t AS total, pjeval.grade(t) AS grade, pjeval.grade(t, 85, 75, 60) AS grade_85
FROM (VALUES (99.93), (90), (89.99), (85), (80), (79.99), (60), (59.99), (0), (-1)) AS v(t);

-- explain(): what an auditor reads
SELECT pg_catalog.jsonb_pretty(pjeval.explain('1', '100%', 5, '时效指标'));
SELECT pg_catalog.jsonb_pretty(pjeval.explain('100万元', '120万元', 5, '成本指标', 1.30, 'linear'));
SELECT pg_catalog.jsonb_pretty(pjeval.explain('采集率达95%以上，准确率达90%以上', '准确率45%，采集率95%', 10));
SELECT pg_catalog.jsonb_pretty(pjeval.explain('采集率达95%以上，准确率达90%以上', '采集率95%', 10));
SELECT pg_catalog.jsonb_pretty(pjeval.explain('3-5万元', '10万元', 10));
SELECT pg_catalog.jsonb_pretty(pjeval.explain('有效提升', '明显改善', 8));
-- a JSON string is escaped, whatever the text holds
SELECT pjeval.explain('"引号"\反斜杠', '"引号"\反斜杠', 1) -> 'target' AS target,
       pjeval.explain('≥95%', '96%', 5, E'成本\t"指标"') -> 'category' AS category;
-- explain() and assess() agree with the separate functions on every case:
-- this query must return no row
SELECT c.n, c.target, c.actual, a, e
FROM cases c
CROSS JOIN LATERAL pjeval.assess(c.target, c.actual, c.weight, c.category) AS a
CROSS JOIN LATERAL pjeval.explain(c.target, c.actual, c.weight, c.category) AS e
WHERE a.completion IS DISTINCT FROM pjeval.completion(c.target, c.actual, c.category)
   OR a.score IS DISTINCT FROM pjeval.indicator_score(c.target, c.actual, c.weight, c.category)
   OR a.flags IS DISTINCT FROM pjeval.indicator_flags(c.target, c.actual, c.category)
   OR a.rule IS DISTINCT FROM e ->> 'rule'
   OR a.completion IS DISTINCT FROM (e ->> 'completion')::numeric
   OR a.score IS DISTINCT FROM (e ->> 'score')::numeric
   OR a.flags IS DISTINCT FROM ARRAY(SELECT pg_catalog.jsonb_array_elements_text(e -> 'flags'))
   OR (e ->> 'capped_completion')::numeric > 1;
-- ... also with NULLs and non-default knobs
SELECT v.*, a
FROM (VALUES (NULL::pjeval.indicator_value, '95%'::pjeval.indicator_value, 5::numeric, NULL::text),
             ('≥95%', NULL, 5, NULL),
             ('≥95%', '90%', NULL, NULL),
             ('≤10万元', '12.5万元', 5, '成本指标')) AS v(t, a, w, c)
CROSS JOIN LATERAL pjeval.assess(v.t, v.a, v.w, v.c, 1.5, 'linear') AS a
WHERE a.score IS DISTINCT FROM pjeval.indicator_score(v.t, v.a, v.w, v.c, 1.5, 'linear')
   OR a.flags IS DISTINCT FROM pjeval.indicator_flags(v.t, v.a, v.c, 1.5);

-- NULLs: an unreadable target or actual is flagged, never scored
SELECT pjeval.indicator_score(NULL, '95%', 5) AS null_target,
       pjeval.indicator_score('≥95%', NULL, 5) AS null_actual,
       pjeval.indicator_score('≥95%', '90%', NULL) AS null_weight,
       pjeval.indicator_score('≥95%', '90%', 5, NULL) AS null_category,
       pjeval.indicator_score('≥95%', '90%', 5, NULL, NULL) AS null_over_ratio,
       pjeval.indicator_score('≥95%', '90%', 5, NULL, 1.30, NULL) AS null_formula;
SELECT pjeval.indicator_flags(NULL, '95%') AS null_target,
       pjeval.indicator_flags('≥95%', NULL) AS null_actual,
       pjeval.indicator_flags('≥95%', '90%', NULL, NULL) AS null_over_ratio,
       pjeval.completion(NULL, '95%') AS completion,
       pjeval.completion('不适用', '不适用') AS completion_not_applicable;
SELECT * FROM pjeval.assess(NULL, '95%', 5);
SELECT * FROM pjeval.assess('≥95%', '90%', NULL);
SELECT pjeval.assess('≥95%', '90%', 5, NULL, NULL) IS NULL AS null_knob;
SELECT pjeval.explain(NULL, '95%', 5);
SELECT pjeval.execution_rate(NULL, 1) AS rate, pjeval.fund_score(1, NULL) AS fund,
       pjeval.fund_score(1, 1, NULL) AS fund_weight, pjeval.grade(NULL) AS grade,
       pjeval.grade(95, NULL) AS grade_bound;

-- Errors: bad arguments are 22023, numbers beyond exact arithmetic 22003
SELECT pjeval.indicator_score('≥95%', '96%', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_score('≥95%', '96%', 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_score('≥95%', '96%', 5, NULL, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_score('≥95%', '96%', 5, NULL, 1.30, 'quadratic');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_score('≥95%', '96%', 5, NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_flags('≥95%', '96%', NULL, 0.5);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.assess('≥95%', '96%', -0.01);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.explain('≥95%', '96%', 5, NULL, 1.30, 'Linear');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.fund_score(100, 90, -10);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.execution_rate(-1821100, 1808698.26);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.fund_score(1821100, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.execution_rate('NaN', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.grade('NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.grade(85, 80, 90, 60);
\echo :LAST_ERROR_SQLSTATE
-- knobs and weights that change from row to row are checked on every row
-- (a value converted once is remembered, an error never is)
SELECT pjeval.indicator_score('≥95%', '96%', w) FROM (VALUES (5), (10), (5), (-1)) AS v(w);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_score('≤10', '12.5', 5, NULL, 1.30, f) FROM (VALUES ('ratio'), ('linear'), ('Ratio')) AS v(f);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.indicator_flags('17', '27', NULL, r) FROM (VALUES (1.5), (2.0), (1.5), (1.0)) AS v(r);
\echo :LAST_ERROR_SQLSTATE
-- ... and give the same answers as constants would
SELECT w, f, r, pjeval.indicator_score('≤10', '12.5', w, NULL, r, f) AS score,
       pjeval.indicator_flags('17', '27', NULL, r) AS flags
FROM (VALUES (5, 'ratio', 1.5), (10, 'linear', 2.0), (5, 'linear', 1.5), (5.0, 'ratio', 2.0), (5, 'ratio', 1.5)) AS v(w, f, r);
-- more than 18 significant digits or decimal places
SELECT pjeval.indicator_score('≥95%', '96%', 1234567890123456789);
\echo :LAST_ERROR_SQLSTATE
SELECT pjeval.fund_score(100, 0.0000000000000000001);
\echo :LAST_ERROR_SQLSTATE
-- beyond exact arithmetic: a NULL score and the flag too_large, never an
-- error, so one odd row cannot break a view over all forms
SELECT pjeval.indicator_score('≥95%', '96%', 999999999999999999) AS score_beyond_64_bits,
       (pjeval.assess('≥95%', '96%', 999999999999999999)).flags AS flags;
SELECT pjeval.indicator_score('≥999999999999999999万', '0.000000000000000001', 5) AS score_far_apart,
       pjeval.completion('≥999999999999999999万', '0.000000000000000001') AS completion_far_apart,
       pjeval.assess('≥999999999999999999万', '0.000000000000000001', 5) AS assessment;
SELECT pjeval.execution_rate(0.000000000000000001, 999999999999999999);
\echo :LAST_ERROR_SQLSTATE

-- Catalog: volatility, parallel safety and strictness as specified, and a
-- comment on everything
SELECT p.oid::pg_catalog.regprocedure AS function,
       p.provolatile AS vol, p.proparallel AS par, p.proisstrict AS strict,
       (p.provolatile, p.proparallel, p.proisstrict) = (s.vol, s.par, s.strict) AS as_specified,
       pg_catalog.obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_catalog.pg_proc p
JOIN (VALUES ('execution_rate', 'i', 's', true), ('fund_score', 'i', 's', true),
             ('completion', 'i', 's', false), ('indicator_score', 'i', 's', false),
             ('indicator_flags', 'i', 's', false), ('assess', 'i', 's', false),
             ('explain', 'i', 's', false), ('grade', 'i', 's', true),
             ('get_profile', 's', 's', true), ('profile_grade', 's', 's', false),
             ('profile_indicator_score', 's', 's', false)) AS s(name, vol, par, strict)
  ON p.proname = s.name
WHERE p.pronamespace = 'pjeval'::pg_catalog.regnamespace
ORDER BY p.proname;
SELECT pg_catalog.obj_description('pjeval.assessment'::pg_catalog.regtype, 'pg_type') IS NOT NULL AS type_commented;
-- the defaults are central-2020's
SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS arguments
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'pjeval'::pg_catalog.regnamespace
  AND p.proname IN ('indicator_score', 'indicator_flags', 'assess', 'explain', 'fund_score', 'grade')
ORDER BY p.proname;
-- the functions keep working under an empty search_path
SET search_path = '';
SELECT pjeval.indicator_score('≥90%', '92%', 5) AS score, pjeval.profile_grade(99.93) AS grade;
RESET search_path;

DROP VIEW checked;
DROP TABLE cases;
