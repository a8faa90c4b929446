-- scoring_seed: both seed forms (深圳市龙华区平安建设中心, 2022, demo/seed/
-- longhua-2022.txt) scored end to end in SQL.  Every number the forms
-- print must come back: each indicator's 得分, the execution rates 99.32 and
-- 100.00, the fund scores 9.93 and 10.00, the totals 99.93 and 100.00, and
-- grade 优 for both (scoring-rules.md §2-§5).  The two over-achieved
-- indicators (操作员数量 17 → 27, 案件操作数 200000 → 424876) keep full
-- score and carry the flag over_achieved.
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TEMP TABLE seed_funds (
    form     int PRIMARY KEY,
    project  text,
    budget   numeric,        -- 全年预算数
    executed numeric,        -- 全年执行数
    weight   numeric,        -- 分值
    reported_rate numeric,   -- 执行率 (%) as printed
    reported_score numeric   -- 得分 as printed
);
INSERT INTO seed_funds VALUES
    (1, '数字化城管信息系统运行项目（系统操作员）', 1821100.00, 1808698.26, 10, 99.32, 9.93),
    (2, '网格信息采集工作', 4617400.00, 4617360.00, 10, 100, 10);

-- Level-1 and level-2 cells left blank on the form are filled from the row above.
CREATE TEMP TABLE seed_indicators (
    form     int,
    line     int,
    level1   text,
    category text,           -- 二级指标
    name     text,           -- 三级指标
    target   pjeval.indicator_value,
    actual   pjeval.indicator_value,
    weight   numeric,
    reported numeric,        -- 得分 as printed
    PRIMARY KEY (form, line)
);
INSERT INTO seed_indicators VALUES
    (1,  1, '产出指标', '数量指标', '操作员数量', '17', '27', 6, 6),
    (1,  2, '产出指标', '数量指标', '督查检查', '至少2次/周', '至少2次/周', 2, 2),
    (1,  3, '产出指标', '数量指标', '案件操作数', '200000', '424876', 15, 15),
    (1,  4, '产出指标', '数量指标', '话务坐席数量', '4', '4', 5, 5),
    (1,  5, '产出指标', '质量指标', '结案率', '≥90%', '92%', 5, 5),
    (1,  6, '产出指标', '质量指标', '案件派遣及时率', '95%', '95%', 5, 5),
    (1,  7, '产出指标', '质量指标', '平台在岗率', '1', '1', 5, 5),
    (1,  8, '产出指标', '时效指标', '工作及时完成率', '1', '1', 5, 5),
    (1,  9, '产出指标', '成本指标', '项目支出', '<1821100元', '1808698.26元', 2, 2),
    (1, 10, '产出指标', '经济效益指标', '不适用', '不适用', '不适用', 0, 0),
    (1, 11, '效益指标', '社会效益指标',
        '各类民生诉求事件快速响应、高效办理、及时反馈，切实提高群众获得感、幸福感、安全感，使人民群众利益得到有效保障。',
        '重点解决', '重点解决', 30, 30),
    (1, 12, '效益指标', '生态效益指标', '不适用', '不适用', '不适用', 0, 0),
    (1, 13, '效益指标', '可持续影响指标', '不适用', '不适用', '不适用', 0, 0),
    (1, 14, '满意度指标', '服务对象满意度指标', '市民满意度', '95%', '100%', 10, 10),
    (1, 15, '满意度指标', '其他满意度指标', '不适用', '不适用', '不适用', 0, 0),
    (2,  1, '产出指标', '数量指标', '通讯服务及身份证信息读取功能等服务套数', '3180', '3180', 10, 10),
    (2,  2, '产出指标', '质量指标', '实有人口信息采集率', '97%以上', '97.11%', 10, 10),
    (2,  3, '产出指标', '质量指标', '实有人口信息准确率', '97%以上', '99.94%', 10, 10),
    (2,  4, '产出指标', '质量指标', '实有人口信息未注销率', '低于3%', '2.95%', 10, 10),
    (2,  5, '产出指标', '时效指标', '通讯服务发放及时性', '1', '100%', 5, 5),
    (2,  6, '产出指标', '成本指标', '项目支出', '≤461.74万元', '461.736万元', 5, 5),
    (2,  7, '效益指标', '经济效益指标', '不适用', '不适用', '不适用', 0, 0),
    (2,  8, '效益指标', '社会效益指标', '实有法人信息采集',
        '采集率达95%以上，准确率达90%以上，注销率达95%以上；',
        '采集率96.22%，准确率达99.31%，注销率95.35%', 10, 10),
    (2,  9, '效益指标', '社会效益指标', '实有房屋（城市部件）信息采集',
        '采集率达95%以上，准确率达98%以上；', '采集率99.74%，准确率达99.49%', 10, 10),
    (2, 10, '效益指标', '社会效益指标', '实有事件（矛盾纠纷和隐患信息）信息通报',
        '信息通报率达95%以上', '99.55%', 10, 10),
    (2, 11, '效益指标', '生态效益指标', '不适用', '不适用', '不适用', 0, 0),
    (2, 12, '效益指标', '可持续影响指标', '不适用', '不适用', '不适用', 0, 0),
    (2, 13, '满意度指标', '服务对象满意度指标', '工作人员满意度', '95%以上', '100%', 10, 10),
    (2, 14, '满意度指标', '其他满意度指标', '不适用', '不适用', '不适用', 0, 0);

-- Each indicator: score, raw completion (over-achievement visible) and flags.
-- matches_form must be t on every row.
SELECT form, line, category, name, target, actual, weight,
       pjeval.indicator_score(target, actual, weight, category) AS score,
       pjeval.indicator_score(target, actual, weight, category) = reported AS matches_form,
       pjeval.completion(target, actual, category) AS completion,
       pjeval.indicator_flags(target, actual, category) AS flags
FROM seed_indicators
ORDER BY form, line;

-- The over-achieved indicators are exactly the two the rules name.
SELECT form, name, target, actual
FROM seed_indicators
WHERE 'over_achieved' = ANY (pjeval.indicator_flags(target, actual, category))
ORDER BY form, line;

-- Funds: execution rate and its score, as printed.
SELECT form, budget, executed,
       pjeval.execution_rate(budget, executed) AS rate,
       pjeval.fund_score(budget, executed, weight) AS fund_score,
       pjeval.execution_rate(budget, executed) = reported_rate
           AND pjeval.fund_score(budget, executed, weight) = reported_score AS matches_form
FROM seed_funds
ORDER BY form;

-- Totals: fund score + Σ indicator scores, each rounded first; then the grade.
-- Weights total 100 on both forms (10 + 90).
SELECT f.form, f.weight + sum(i.weight) AS weight_total,
       sum(pjeval.indicator_score(i.target, i.actual, i.weight, i.category)) AS indicators,
       pjeval.fund_score(f.budget, f.executed, f.weight)
           + sum(pjeval.indicator_score(i.target, i.actual, i.weight, i.category)) AS total,
       pjeval.grade(pjeval.fund_score(f.budget, f.executed, f.weight)
           + sum(pjeval.indicator_score(i.target, i.actual, i.weight, i.category))) AS grade,
       pjeval.profile_grade(pjeval.fund_score(f.budget, f.executed, f.weight)
           + sum(pjeval.indicator_score(i.target, i.actual, i.weight, i.category))) AS profile_grade
FROM seed_funds f
JOIN seed_indicators i USING (form)
GROUP BY f.form, f.budget, f.executed, f.weight
ORDER BY f.form;

-- The same totals through assess(), one call per indicator, level 1 by level 1
-- (产出 50 / 效益 30 / 满意度 10 on both forms).
SELECT i.form, i.level1, sum(i.weight) AS weight, sum(a.score) AS score,
       count(*) FILTER (WHERE a.rule = 'not_applicable') AS not_applicable
FROM seed_indicators i
CROSS JOIN LATERAL pjeval.assess(i.target, i.actual, i.weight, i.category) AS a
GROUP BY i.form, i.level1
ORDER BY i.form, min(i.line);

-- How the second form's clause list and its 万元 cost were scored.
SELECT pg_catalog.jsonb_pretty(pjeval.explain(target, actual, weight, category)) AS explain
FROM seed_indicators
WHERE (form, line) IN ((2, 6), (2, 9))
ORDER BY line;

DROP TABLE seed_indicators, seed_funds;
