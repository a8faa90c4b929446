-- gen_forms.sql - a deterministic generator of realistic 项目支出绩效自评表
-- documents, for benchmarks and concurrency tests (not for the regression
-- tests, which use real forms).
--
--   \i bench/gen_forms.sql
--   SELECT pg_temp.gen_forms(n, seed, first);   -- the document, as text
--
-- n forms numbered first .. first + n - 1 (the number is in the 项目编号, so
-- two calls with disjoint ranges give disjoint projects); the same (n, seed,
-- first) gives the same text, byte for byte (setseed, then random() in a
-- fixed order).  What real forms hold, in roughly their proportions:
--   - the template's sections and labels, level-1 weights 产出 50 / 效益 30 /
--     满意度 10 (a few forms off profile), level-2 and level-3 weights that
--     add up, blank repeated level labels, 产出指标 (50分) annotations in
--     either bracket width or none, 不适用 rows at weight 0;
--   - targets with every kind of comparison (≥, 以上, 不低于, 至少, ≤, 低于,
--     ranges, dates, money in 元 and 万元, counts with units, rates, labelled
--     clause lists, qualitative phrases) and actuals met, not met (with or
--     without an explanation), over-achieved, claimed (已完成), or
--     unreadable (about 2 % of cells);
--   - amounts in 元 or 万元, a missing 年初预算数 column or 项目编号, fund
--     sources, —/- placeholders, CRLF line ends, quoted cells with line
--     breaks, blank lines inside tables, 备注 blocks, reported scores that
--     are sometimes wrong.
-- Every form can be read and imported: the audit flags what is odd.

CREATE OR REPLACE FUNCTION pg_temp.gen_pick(a text[])
RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT a[1 + pg_catalog.floor(pg_catalog.random()::numeric * pg_catalog.cardinality(a))::integer] $$;

CREATE OR REPLACE FUNCTION pg_temp.gen_int(lo integer, hi integer)
RETURNS integer LANGUAGE sql VOLATILE AS
$$ SELECT lo + pg_catalog.floor(pg_catalog.random()::numeric * (hi - lo + 1))::integer $$;

-- weights that add up to total over n rows, each at least 1
CREATE OR REPLACE FUNCTION pg_temp.gen_split(total integer, n integer)
RETURNS integer[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    w integer[] := pg_catalog.array_fill(1, ARRAY[n]);
    i integer;
    k integer;
BEGIN
    IF n = 0 THEN
        RETURN '{}';
    END IF;
    FOR i IN 1 .. total - n LOOP
        k := pg_temp.gen_int(1, n);
        w[k] := w[k] + 1;
    END LOOP;
    RETURN w;
END
$$;

-- One indicator: {level2, level3, target, actual, weight, score, explanation}
-- as text, for a level-2 category and a weight (0: 不适用).
CREATE OR REPLACE FUNCTION pg_temp.gen_indicator(level2 text, weight integer, budget numeric, executed numeric, wan boolean)
RETURNS text[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    kind text;
    name text;
    unit text;
    t numeric;
    a numeric;
    target text;
    actual text;
    c numeric;             -- completion, capped at 1
    outcome text;          -- met, not_met, over, claim, unreadable, qualitative_same, qualitative_other
    r numeric := pg_catalog.random();
    score numeric;
    expl text := '';
BEGIN
    IF weight = 0 THEN
        RETURN ARRAY[level2, '不适用', '不适用', '不适用', '0', '0', ''];
    END IF;
    outcome := CASE WHEN r < 0.55 THEN 'met' WHEN r < 0.70 THEN 'not_met' WHEN r < 0.85 THEN 'over'
                    WHEN r < 0.90 THEN 'claim' WHEN r < 0.92 THEN 'unreadable' ELSE 'exact' END;
    kind := CASE level2
        WHEN '数量指标' THEN 'count'
        WHEN '质量指标' THEN pg_temp.gen_pick(ARRAY['rate', 'rate', 'rate', 'clauses', 'negative_rate'])
        WHEN '时效指标' THEN pg_temp.gen_pick(ARRAY['rate', 'days', 'date'])
        WHEN '成本指标' THEN 'cost'
        WHEN '经济效益指标' THEN pg_temp.gen_pick(ARRAY['money', 'qualitative'])
        WHEN '社会效益指标' THEN pg_temp.gen_pick(ARRAY['qualitative', 'qualitative', 'rate', 'clauses', 'count'])
        WHEN '生态效益指标' THEN 'qualitative'
        WHEN '可持续影响指标' THEN 'qualitative'
        ELSE 'satisfaction' END;

    IF kind = 'count' THEN
        name := pg_temp.gen_pick(ARRAY['培训场次', '服务人次', '设备数量', '巡查次数', '采集信息条数', '宣传活动场次',
                                      '维修工单数', '覆盖社区数', '操作员数量', '话务坐席数量', '案件操作数', '发放套数']);
        unit := CASE name WHEN '培训场次' THEN '场' WHEN '服务人次' THEN '人次' WHEN '设备数量' THEN '台'
                          WHEN '巡查次数' THEN '次' WHEN '采集信息条数' THEN '条' WHEN '宣传活动场次' THEN '场'
                          WHEN '维修工单数' THEN '件' WHEN '覆盖社区数' THEN '个' WHEN '操作员数量' THEN '人'
                          WHEN '话务坐席数量' THEN '个' WHEN '案件操作数' THEN '件' ELSE '套' END;
        t := (ARRAY[4, 12, 20, 50, 120, 300, 1000, 3180, 20000, 200000])[pg_temp.gen_int(1, 10)];
        target := pg_catalog.format(pg_temp.gen_pick(ARRAY['≥%s%s', '%s%s', '不少于%s%s', '至少%s%s', '%s%s以上', '%s']), t, unit);
        a := CASE outcome WHEN 'not_met' THEN pg_catalog.floor(t * (0.6 + 0.35 * pg_catalog.random()::numeric))
                          WHEN 'over' THEN pg_catalog.ceil(t * (1.05 + 1.4 * pg_catalog.random()::numeric))
                          ELSE t END;
        actual := a || CASE WHEN pg_catalog.random()::numeric < 0.8 THEN unit ELSE '' END;
        c := least(a / t, 1);
    ELSIF kind IN ('rate', 'satisfaction') THEN
        name := CASE kind WHEN 'satisfaction' THEN pg_temp.gen_pick(ARRAY['群众满意度', '服务对象满意度', '市民满意度', '工作人员满意度'])
                          ELSE pg_temp.gen_pick(ARRAY['合格率', '验收合格率', '信息准确率', '结案率', '设备完好率', '覆盖率',
                                                      '完成及时率', '整改完成率', '问题解决率']) END;
        t := (ARRAY[80, 85, 90, 95, 97, 98, 100])[pg_temp.gen_int(1, 7)];
        target := pg_catalog.format(pg_temp.gen_pick(ARRAY['≥%s%%', '%s%%以上', '不低于%s%%', '%s%%', '≥%s％', '达到%s%%']), t);
        a := CASE outcome WHEN 'not_met' THEN pg_catalog.round((t * (0.80 + 0.19 * pg_catalog.random()::numeric))::numeric, 2)
                          WHEN 'over' THEN least(100, pg_catalog.round((t + (100 - t) * pg_catalog.random()::numeric)::numeric, 2))
                          ELSE t END;
        actual := a || '%';
        c := least(a / t, 1);
    ELSIF kind = 'negative_rate' THEN
        name := pg_temp.gen_pick(ARRAY['差错率', '投诉率', '未注销率', '返修率']);
        t := (ARRAY[1, 2, 3, 5])[pg_temp.gen_int(1, 4)];
        target := pg_catalog.format(pg_temp.gen_pick(ARRAY['≤%s%%', '低于%s%%', '不超过%s%%', '%s%%以下']), t);
        a := CASE outcome WHEN 'not_met' THEN pg_catalog.round((t * (1.1 + pg_catalog.random()::numeric))::numeric, 2)
                          ELSE pg_catalog.round((t * (0.3 + 0.6 * pg_catalog.random()::numeric))::numeric, 2) END;
        actual := a || '%';
        c := CASE WHEN a <= t THEN 1 ELSE t / a END;
    ELSIF kind = 'clauses' THEN
        name := pg_temp.gen_pick(ARRAY['实有人口信息采集', '实有法人信息采集', '实有房屋信息采集', '数据质量']);
        t := (ARRAY[90, 95, 97])[pg_temp.gen_int(1, 3)];
        a := CASE outcome WHEN 'not_met' THEN t - 3 ELSE t + 1 END;
        target := pg_catalog.format('采集率达%s%%以上，准确率达%s%%以上', t, t - 5);
        actual := pg_catalog.format('采集率%s%%，准确率达%s%%', a + 0.22, t + 2.31);
        c := CASE outcome WHEN 'not_met' THEN (least((a + 0.22) / t, 1) + 1) / 2 ELSE 1 END;
    ELSIF kind = 'days' THEN
        name := pg_temp.gen_pick(ARRAY['整改时限', '响应时间', '办结时限']);
        t := (ARRAY[3, 5, 7, 15, 30])[pg_temp.gen_int(1, 5)];
        unit := pg_temp.gen_pick(ARRAY['天', '个工作日', '日']);
        target := pg_catalog.format(pg_temp.gen_pick(ARRAY['≤%s%s', '%s%s内', '不超过%s%s']), t, unit);
        a := CASE outcome WHEN 'not_met' THEN t + pg_temp.gen_int(1, 5) ELSE pg_temp.gen_int(1, t::integer) END;
        actual := a || unit;
        c := CASE WHEN a <= t THEN 1 ELSE t / a END;
    ELSIF kind = 'date' THEN
        name := pg_temp.gen_pick(ARRAY['项目完成时间', '验收时间', '资金支付时间']);
        target := pg_temp.gen_pick(ARRAY['2022年12月31日前', '2022年12月底前', '2022年11月30日前']);
        actual := CASE WHEN outcome = 'not_met' THEN '2023年1月15日' ELSE pg_temp.gen_pick(ARRAY['2022年10月20日', '2022年11月28日', '按时完成']) END;
        c := CASE WHEN outcome = 'not_met' THEN NULL ELSE 1 END;
    ELSIF kind = 'cost' THEN
        name := pg_temp.gen_pick(ARRAY['项目支出', '项目成本控制', '预算执行金额']);
        IF wan THEN
            target := '≤' || pg_catalog.round(budget, 4) || '万元';
            actual := pg_catalog.round(executed, 4) || '万元';
        ELSE
            target := pg_temp.gen_pick(ARRAY['≤', '<', '不超过']) || budget || '元';
            actual := executed || '元';
        END IF;
        c := 1;
    ELSIF kind = 'money' THEN
        name := pg_temp.gen_pick(ARRAY['节约运维成本', '带动社会投资']);
        t := pg_temp.gen_int(2, 50);
        target := '≥' || t || '万元';
        a := CASE outcome WHEN 'not_met' THEN t - 1 WHEN 'over' THEN t * 2 ELSE t END;
        actual := a || '万元';
        c := least(a / t, 1);
    ELSE
        name := pg_temp.gen_pick(ARRAY['群众获得感', '基层治理能力', '社会治安环境', '生态环境质量', '长效管理机制',
                                      '各类民生诉求事件快速响应、高效办理、及时反馈，切实提高群众获得感、幸福感、安全感']);
        target := pg_temp.gen_pick(ARRAY['有效提升', '重点解决', '明显改善', '建立健全', '持续优化']);
        IF outcome = 'not_met' THEN
            actual := '基本' || pg_catalog.right(target, 2);
            c := 0.85;
        ELSE
            actual := target;
            c := 1;
        END IF;
    END IF;

    IF outcome = 'claim' AND kind NOT IN ('qualitative', 'date') THEN
        actual := pg_temp.gen_pick(ARRAY['已完成', '达标', '达成预期指标']);
        c := 1;
    ELSIF outcome = 'unreadable' THEN
        IF pg_catalog.random()::numeric < 0.5 THEN
            target := pg_temp.gen_pick(ARRAY['≥≥90%', '9O%', '≥5~', '95%以上以下', '2022年13月31日前']);
        ELSE
            actual := pg_temp.gen_pick(ARRAY['约95%~', '≥90%%', '达到3.5.1版']);
        END IF;
        c := 1;
    END IF;

    score := pg_catalog.round(weight * coalesce(c, 0.5), 2);
    IF pg_catalog.random()::numeric < 0.03 THEN
        score := weight;    -- a reported score that ignores the shortfall
    END IF;
    IF outcome = 'not_met' AND pg_catalog.random()::numeric < 0.6 THEN
        expl := pg_temp.gen_pick(ARRAY['受疫情影响，部分工作延期，下一年度加快推进。', '需求减少，按实际完成。',
                                      '采购流程延后，已督促供应商按期交付。']);
    ELSIF outcome = 'over' AND pg_catalog.random()::numeric < 0.4 THEN
        expl := '服务需求增加，超额完成。';
    END IF;
    RETURN ARRAY[level2, name, target, actual, weight::text, score::text, expl];
END
$$;

CREATE OR REPLACE FUNCTION pg_temp.gen_forms(n integer, seed double precision DEFAULT 0.42, first integer DEFAULT 1)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    tops CONSTANT text[] := ARRAY['深圳市龙华区平安建设中心', '深圳市龙华区城市管理和综合执法局', '深圳市龙华区教育局',
                                  '深圳市龙华区卫生健康局', '深圳市龙华区民政局', '深圳市龙华区文化广电旅游体育局',
                                  '深圳市龙华区住房和建设局', '深圳市龙华区政务服务数据管理局', '深圳市龙华区应急管理局',
                                  '深圳市龙华区人力资源局'];
    subs CONSTANT text[] := ARRAY['信息中心', '服务中心', '管理所', '执法队', '保障中心', '事务中心'];
    kinds CONSTANT text[] := ARRAY['数字化城管信息系统运行项目', '网格信息采集工作', '环卫保洁服务', '绿化养护项目',
                                   '业务培训项目', '设备购置项目', '宣传推广项目', '基层治理专项', '政务服务热线运营',
                                   '安全生产专项检查', '社区健康服务', '校园安全保障'];
    doc text[] := '{}';
    f integer;
    nl text;
    code text;
    top text;
    unit text;
    pname text;
    year integer;
    wan boolean;
    budget numeric;
    initial numeric;
    executed numeric;
    carry numeric;
    rate numeric;
    fscore numeric;
    no_initial boolean;
    ph text;
    l1 text[];
    l1w integer[];
    l2 text[];
    w integer[];
    rows text[];
    ind text[];
    i integer;
    j integer;
    k integer;
    total_w numeric;
    total_s numeric;
    last1 text;
    last2 text;
    lines text[];
    goal_e text;
    goal_a text;
    notes text;
    r numeric;
BEGIN
    PERFORM pg_catalog.setseed(seed);
    FOR f IN first .. first + n - 1 LOOP
        nl := CASE WHEN pg_catalog.random()::numeric < 0.05 THEN E'\r\n' ELSE E'\n' END;
        code := CASE WHEN pg_catalog.random()::numeric < 0.08 THEN '' ELSE '4403092109015' || pg_catalog.lpad(f::text, 8, '0') END;
        top := pg_temp.gen_pick(tops);
        unit := CASE WHEN pg_catalog.random()::numeric < 0.4 THEN top ELSE top || pg_temp.gen_pick(subs) END;
        pname := pg_temp.gen_pick(kinds) || '（' || f || '）';
        year := pg_temp.gen_int(2021, 2023);
        wan := pg_catalog.random()::numeric < 0.2;
        budget := pg_temp.gen_int(50, 5000) * 1000 + pg_temp.gen_int(0, 99) * 10;
        initial := CASE WHEN pg_catalog.random()::numeric < 0.6 THEN budget ELSE pg_catalog.round(budget * 0.9, -2) END;
        r := pg_catalog.random()::numeric;
        executed := pg_catalog.round(budget * CASE WHEN r < 0.85 THEN 0.95 + 0.05 * pg_catalog.random()::numeric
                                                   WHEN r < 0.95 THEN 0.80 + 0.15 * pg_catalog.random()::numeric
                                                   ELSE 0.40 + 0.40 * pg_catalog.random()::numeric END, 2);
        carry := CASE WHEN pg_catalog.random()::numeric < 0.1 THEN pg_catalog.round(budget * 0.2, -2) ELSE 0 END;
        IF wan THEN
            budget := budget / 10000; initial := initial / 10000; executed := pg_catalog.round(executed / 10000, 4);
            carry := carry / 10000;
        ELSE
            budget := pg_catalog.round(budget, 2); initial := pg_catalog.round(initial, 2); carry := pg_catalog.round(carry, 2);
        END IF;
        rate := pg_catalog.round(executed / budget * 100, 2);
        fscore := pg_catalog.round(10 * least(executed / budget, 1), 2);
        no_initial := pg_catalog.random()::numeric < 0.05;
        ph := pg_temp.gen_pick(ARRAY['—', '—', '—', '-', '']);

        lines := ARRAY['', '项目支出绩效自评表', '',
            pg_catalog.concat_ws(E'\t', CASE WHEN pg_catalog.random()::numeric < 0.1 THEN '项目编号：' ELSE '项目编号:' END, code,
                                 '项目名称:', pname, '绩效自评年度:', year || CASE WHEN pg_catalog.random()::numeric < 0.1 THEN '年度' ELSE '' END),
            pg_catalog.concat_ws(E'\t', '实施单位:', unit, '一级预算单位:', top, '', ''),
            '', '资金使用情况', '',
            CASE WHEN no_initial THEN E'\t\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分'
                 ELSE E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分' END];
        FOR k IN 1 .. 4 LOOP
            lines := lines || pg_catalog.concat_ws(E'\t',
                CASE WHEN k = 1 THEN '项目资金' || CASE WHEN pg_catalog.random()::numeric < 0.3 THEN ' (' ELSE '（' END
                                     || CASE WHEN wan THEN '万元' ELSE '元' END
                                     || CASE WHEN pg_catalog.random()::numeric < 0.3 THEN ')' ELSE '）' END ELSE '' END,
                (ARRAY['年度资金总额', '其中：当年财政拨款', '上年结转资金', '其他资金'])[k],
                CASE WHEN no_initial THEN NULL
                     ELSE (ARRAY[initial, initial - carry, carry, 0])[k]::text END,
                (ARRAY[budget, budget - carry, carry, 0])[k]::text,
                CASE k WHEN 1 THEN executed WHEN 2 THEN executed - least(carry, executed)
                       WHEN 3 THEN least(carry, executed) ELSE 0 END::text,
                CASE WHEN k = 1 THEN '10' ELSE ph END,
                CASE WHEN k = 1 THEN rate::text ELSE ph END,
                CASE WHEN k = 1 THEN fscore::text ELSE ph END);
        END LOOP;

        goal_e := '围绕' || pname || '，完成年度工作任务，提升服务质量和管理水平，确保资金使用规范、有效。';
        goal_a := '已完成' || pname || '年度工作任务，资金执行率' || rate || '%，各项指标基本达成。';
        IF pg_catalog.random()::numeric < 0.05 THEN
            goal_a := '"' || goal_a || E'\n存在问题：部分指标""未完成""，已整改。"';
        ELSIF pg_catalog.random()::numeric < 0.3 THEN
            goal_e := '"' || goal_e || '"';
        END IF;
        lines := lines || ARRAY['', '项目目标完成情况', '',
            E'年度总体目标\t预期目标\t\t\t\t* 实际完成情况\t\t\t',
            E'\t' || goal_e || E'\t\t\t\t' || goal_a || E'\t\t\t',
            E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施'];

        -- the levels: 产出 50, 效益 30, 满意度 10 (a few forms off profile)
        l1 := ARRAY['产出指标', '效益指标', '满意度指标'];
        l1w := CASE WHEN pg_catalog.random()::numeric < 0.05 THEN ARRAY[40, 40, 10] ELSE ARRAY[50, 30, 10] END;
        total_w := 10;
        total_s := fscore;
        i := 0;
        FOR j IN 1 .. 3 LOOP
            -- level 2s with their row counts (0: 不适用)
            IF j = 1 THEN
                l2 := ARRAY['数量指标', '质量指标', '时效指标', '成本指标'];
                w := ARRAY[pg_temp.gen_int(1, 4), pg_temp.gen_int(1, 3), pg_temp.gen_int(1, 2), 1];
                IF pg_catalog.random()::numeric < 0.2 THEN
                    l2 := l2 || '经济效益指标'::text;  -- misplaced, as on the first seed form
                    w := w || 0;
                END IF;
            ELSIF j = 2 THEN
                l2 := ARRAY['经济效益指标', '社会效益指标', '生态效益指标', '可持续影响指标'];
                w := ARRAY[CASE WHEN pg_catalog.random()::numeric < 0.7 THEN 0 ELSE 1 END, pg_temp.gen_int(1, 3),
                           CASE WHEN pg_catalog.random()::numeric < 0.8 THEN 0 ELSE 1 END,
                           CASE WHEN pg_catalog.random()::numeric < 0.6 THEN 0 ELSE 1 END];
            ELSE
                l2 := ARRAY['服务对象满意度指标', '其他满意度指标'];
                w := ARRAY[1, CASE WHEN pg_catalog.random()::numeric < 0.85 THEN 0 ELSE 1 END];
            END IF;
            -- the level 1's weight split over its rows that apply
            rows := '{}';
            DECLARE
                nrows integer := (SELECT pg_catalog.sum(x) FROM pg_catalog.unnest(w) x)::integer;
                ws integer[] := pg_temp.gen_split(l1w[j], nrows);
                m integer := 0;
                kk integer;
                head text := l1[j] || CASE pg_temp.gen_int(1, 7) WHEN 1 THEN '' WHEN 2 THEN '（' || l1w[j] || '分）'
                                                                ELSE ' (' || l1w[j] || '分)' END;
            BEGIN
                last1 := NULL;
                FOR k IN 1 .. pg_catalog.cardinality(l2) LOOP
                    last2 := NULL;
                    FOR kk IN 1 .. greatest(w[k], 1) LOOP
                        IF w[k] = 0 THEN
                            ind := pg_temp.gen_indicator(l2[k], 0, budget, executed, wan);
                        ELSE
                            m := m + 1;
                            ind := pg_temp.gen_indicator(l2[k], ws[m], budget, executed, wan);
                        END IF;
                        i := i + 1;
                        total_w := total_w + ind[5]::numeric;
                        total_s := total_s + ind[6]::numeric;
                        lines := lines || pg_catalog.concat_ws(E'\t', '',
                            CASE WHEN last1 IS NULL THEN head ELSE '' END,
                            CASE WHEN last2 IS NULL THEN ind[1] ELSE '' END,
                            ind[2], ind[3], ind[4], ind[5], ind[6], ind[7]);
                        last1 := head;
                        last2 := ind[1];
                        IF pg_catalog.random()::numeric < 0.02 THEN
                            lines := lines || ''::text;    -- a blank line inside the table
                        END IF;
                    END LOOP;
                END LOOP;
            END;
        END LOOP;

        notes := CASE WHEN pg_catalog.random()::numeric < 0.85 THEN '备注：'
                      WHEN pg_catalog.random()::numeric < 0.6 THEN '备注：无'
                      ELSE E'备注：\n本表数据来源于财务系统。\n指标完成情况经单位审核。' END;
        lines := lines || ARRAY[
            pg_catalog.concat_ws(E'\t', '总分', '', '', '', '', '', total_w::text, total_s::text, '—'),
            '', notes, '',
            '作为导入模板，置灰信息无需录入且不可修改。置灰部分如强制修改导入系统，数据有出入请自行负责；作为导出模板，置灰信息系统自动带出。'];
        doc := doc || pg_catalog.array_to_string(lines, nl);
    END LOOP;
    RETURN pg_catalog.array_to_string(doc, E'\n') || E'\n';
END
$$;
