-- load_scale.sql - realistic 项目支出绩效自评表 forms at scale, written
-- straight into the pjeval tables with set-based INSERT ... SELECT, for the
-- benchmarks (bench/suite.sh).  Not a test and not an import: no text is
-- read as a form; the typed values (generated columns of pjeval.indicator)
-- are computed by PostgreSQL from the cell text as the rows are written.
--
--   psql -v seed=20220101 -f bench/load_scale.sql         -- defines bench_scale.*
--   CALL bench_scale.load(1, 100000);                     -- forms 1..100000
--   CALL bench_scale.finish();                            -- sequences, VACUUM ANALYZE by the caller
--
-- Deterministic for a seed: form n's rows depend only on (seed, n), so
-- loading 1..10000 then 10001..100000 gives the same rows as 1..100000 at
-- once, and two sessions may load disjoint ranges side by side (the suite
-- loads with one session per core).  Ids are chosen, not drawn from the
-- identity sequences: evaluation_id = n, fund_line_id = 4n + k,
-- indicator_id = 32n + position, project_id = (n - 1) / 6 + 1 (six years
-- per project, 2019-2024); finish() moves the sequences past them.
--
-- What a form holds (per seed, per form): 220 units (20 level-1 budget
-- units, 10 implementing units under each), projects with a 项目编号 or
-- (1 in 10) without; 元 forms and (3 in 10) 万元 forms; 2 to 4 fund lines
-- whose sources add up (1 in 100 does not), execution mostly 90-100 %,
-- some below 80 %, a few above budget; 12 to 26 indicators (about 20) laid
-- out as real forms are: 产出 (数量/质量/时效/成本), 效益 (经济/社会/生态/
-- 可持续影响, the economic and ecological rows mostly 不适用 with weight 0),
-- 满意度, weights 50/30/10 plus 10 for the execution rate (1 layout in 32
-- totals 99; some put 经济效益 under 产出 as the seed form does, some write
-- the level-1 weight in the cell); targets and actuals in the shapes real
-- forms use (bare numbers, ≥ 以上 不低于 至少 低于 ≤ 不超过, %, 个 人次 次/周
-- 元 万元 元/人 天 工作日, dates, ranges, labelled clause lists,
-- qualitative text, 不适用), and per row an outcome: met (78 %), not met
-- (12 %), over-achieved (6 %), unreadable (2 %), a claim (2 %).  Reported
-- scores are the computed ones, except 2 in 100 rows and 1 in 100 totals
-- that are off, so the audit has something to find.
--
-- Needs a superuser: it loads with session_replication_role = replica, so
-- the per-row triggers (workflow, history) and the foreign-key
-- checks stand aside; the ids are consistent by construction.  No history is
-- written: that is the import path's cost, measured by the suite with
-- pjeval.import_forms.

\set ON_ERROR_STOP 1
\if :{?seed}
\else
\set seed 20220101
\endif

CREATE SCHEMA IF NOT EXISTS bench_scale;

-- A deterministic draw in [0, n) for key a and stream k.
SELECT format($f$
CREATE OR REPLACE FUNCTION bench_scale.h(a bigint, k integer, n integer)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS 'SELECT ((pg_catalog.hashint8extended($1, %s::bigint * 1000 + $2) & 2147483647) %% $3)::integer'
$f$, :'seed') \gexec

-- Layouts: 32 indicator tables (level 1, level 2, level 3, weight, the class
-- of value the row holds), drawn once per seed; each form takes one.
DROP TABLE IF EXISTS bench_scale.layout;
CREATE TABLE bench_scale.layout (
    layout_id integer, position integer, level1 text, level2 text, level3 text,
    weight numeric, class text, PRIMARY KEY (layout_id, position));

DO $$
DECLARE
    l integer;
    pos integer;
    sec record;
    n integer;
    k integer;
    w numeric;
    rest numeric;
    cls text;
    l1 text;
BEGIN
    FOR l IN 0..31 LOOP
        pos := 0;
        FOR sec IN
            SELECT * FROM (VALUES
                (1, '产出指标', '数量指标', 'count', 3, 5, 50),
                (2, '产出指标', '质量指标', 'ratio', 2, 5, 50),
                (3, '产出指标', '时效指标', 'time', 1, 3, 50),
                (4, '产出指标', '成本指标', 'cost', 1, 2, 50),
                (5, '效益指标', '经济效益指标', 'na', 1, 1, 30),
                (6, '效益指标', '社会效益指标', 'benefit', 2, 5, 30),
                (7, '效益指标', '生态效益指标', 'na', 1, 1, 30),
                (8, '效益指标', '可持续影响指标', 'lasting', 1, 2, 30),
                (9, '满意度指标', '服务对象满意度指标', 'satisfaction', 1, 2, 10),
                (10, '满意度指标', '其他满意度指标', 'na', 1, 1, 10)
            ) AS s (ord, level1, level2, class, lo, hi, section_weight)
            ORDER BY ord
        LOOP
            n := sec.lo + bench_scale.h(l, sec.ord, sec.hi - sec.lo + 1);
            FOR k IN 1..n LOOP
                pos := pos + 1;
                cls := sec.class;
                -- the economic and ecological rows are sometimes real
                IF cls = 'na' AND sec.ord = 5 AND bench_scale.h(l, 20, 4) = 0 THEN cls := 'benefit'; END IF;
                l1 := sec.level1;
                IF bench_scale.h(l, 21, 4) = 0 THEN
                    l1 := l1 || ' (' || sec.section_weight || '分)';
                END IF;
                -- as in the seed form: 经济效益 under 产出
                IF sec.ord = 5 AND bench_scale.h(l, 22, 8) = 0 THEN
                    l1 := '产出指标';
                END IF;
                INSERT INTO bench_scale.layout VALUES (l, pos, l1, sec.level2,
                    CASE WHEN cls = 'na' THEN '不适用' ELSE replace(sec.level2, '指标', '') || '指标' || k END,
                    NULL, cls);
            END LOOP;
        END LOOP;
        -- weights: each level 1's points spread over its scored rows
        FOR sec IN SELECT * FROM (VALUES ('产出', 50), ('效益', 30), ('满意度', 10)) AS s (name, points) LOOP
            SELECT count(*) INTO n FROM bench_scale.layout
            WHERE layout_id = l AND class <> 'na' AND level1 LIKE sec.name || '%';
            rest := sec.points;
            k := 0;
            FOR pos IN SELECT position FROM bench_scale.layout
                       WHERE layout_id = l AND class <> 'na' AND level1 LIKE sec.name || '%'
                       ORDER BY position LOOP
                k := k + 1;
                w := CASE WHEN k = n THEN rest ELSE floor(sec.points::numeric / n) END;
                rest := rest - w;
                UPDATE bench_scale.layout SET weight = w WHERE layout_id = l AND position = pos;
            END LOOP;
        END LOOP;
        UPDATE bench_scale.layout SET weight = 0 WHERE layout_id = l AND class = 'na';
        -- one layout in 32 does not total 100
        IF l % 32 = 7 THEN
            UPDATE bench_scale.layout SET weight = weight - 1
            WHERE layout_id = l AND position = (SELECT min(position) FROM bench_scale.layout
                                                WHERE layout_id = l AND weight > 1);
        END IF;
    END LOOP;
END
$$;
ANALYZE bench_scale.layout;

-- Units: 20 level-1 budget units with 10 implementing units each.
CREATE OR REPLACE PROCEDURE bench_scale.setup()
LANGUAGE plpgsql
AS $$
BEGIN
    SET LOCAL session_replication_role = replica;
    INSERT INTO pjeval.unit (unit_id, name, parent_id, code)
    OVERRIDING SYSTEM VALUE
    SELECT b, format('第%s一级预算单位', b), NULL, format('B%s', lpad(b::text, 3, '0'))
    FROM generate_series(1, 20) AS b
    ON CONFLICT DO NOTHING;
    INSERT INTO pjeval.unit (unit_id, name, parent_id, code)
    OVERRIDING SYSTEM VALUE
    SELECT u, format('第%s实施单位', u), 1 + (u - 21) / 10, format('U%s', lpad(u::text, 4, '0'))
    FROM generate_series(21, 220) AS u
    ON CONFLICT DO NOTHING;
END
$$;

-- Forms first..last, in chunks of chunk forms, one transaction each.
CREATE OR REPLACE PROCEDURE bench_scale.load(first bigint, last bigint, chunk bigint DEFAULT 20000)
LANGUAGE plpgsql
AS $$
DECLARE
    lo bigint := first;
    hi bigint;
BEGIN
    CALL bench_scale.setup();
    COMMIT;
    WHILE lo <= last LOOP
        hi := least(lo + chunk - 1, last);
        CALL bench_scale.load_chunk(lo, hi);
        COMMIT;
        lo := hi + 1;
    END LOOP;
END
$$;

CREATE OR REPLACE PROCEDURE bench_scale.load_chunk(lo bigint, hi bigint)
LANGUAGE plpgsql
AS $$
BEGIN
    SET LOCAL session_replication_role = replica;
    SET LOCAL synchronous_commit = off;
    -- a generator this large is no query to compile: LLVM would take minutes
    SET LOCAL jit = off;

    INSERT INTO pjeval.project (project_id, code, name, unit_id)
    OVERRIDING SYSTEM VALUE
    SELECT p,
           CASE WHEN bench_scale.h(p, 1, 10) > 0 THEN '4403' || lpad(p::text, 17, '0') END,
           format('项目%s（%s）', p, (ARRAY['系统运行', '网格采集', '设备购置', '专项补助', '运维服务', '宣传培训'])[1 + bench_scale.h(p, 2, 6)]),
           21 + bench_scale.h(p, 3, 200)
    FROM generate_series((lo - 1) / 6 + 1, (hi - 1) / 6 + 1) AS p
    ON CONFLICT DO NOTHING;

    -- the form's header and funds, drawn once
    CREATE TEMP TABLE form_stage ON COMMIT DROP AS
    SELECT n,
           (n - 1) / 6 + 1 AS project_id,
           2019 + ((n - 1) % 6)::integer AS year,
           1 + (21 + bench_scale.h((n - 1) / 6 + 1, 3, 200) - 21) / 10 AS budget_unit_id,
           CASE WHEN bench_scale.h(n, 1, 10) < 3 THEN '万元' ELSE '元' END AS amount_unit,
           bench_scale.h(n, 2, 32) AS layout_id,
           CASE WHEN bench_scale.h(n, 3, 10) < 7 THEN 'approved' WHEN bench_scale.h(n, 3, 10) < 9 THEN 'submitted' ELSE 'draft' END AS status,
           b.budget, b.initial, x.executed, b.carry, b.other
    FROM generate_series(lo, hi) AS n
    CROSS JOIN LATERAL (
        SELECT (10000 + bench_scale.h(n, 4, 5000000))::numeric * 100 / 100 AS budget_yuan,
               bench_scale.h(n, 5, 1000) AS rate_draw
    ) r
    CROSS JOIN LATERAL (
        -- amounts in the form's unit: 元 to the fen, 万元 to 2 places
        SELECT CASE WHEN bench_scale.h(n, 1, 10) < 3 THEN round(r.budget_yuan / 10000, 2) ELSE r.budget_yuan + bench_scale.h(n, 6, 100) / 100.0 END AS budget,
               CASE WHEN bench_scale.h(n, 1, 10) < 3 THEN round(r.budget_yuan * 0.95 / 10000, 2) ELSE round(r.budget_yuan * 0.95, 2) END AS initial,
               CASE bench_scale.h(n, 7, 3) WHEN 0 THEN 0.00 ELSE 0.10 END AS carry_share,
               CASE bench_scale.h(n, 8, 4) WHEN 0 THEN 0.05 ELSE 0.00 END AS other_share
    ) b0
    CROSS JOIN LATERAL (
        SELECT b0.budget, b0.initial,
               round(b0.budget * b0.carry_share, 2) AS carry,
               round(b0.budget * b0.other_share, 2) AS other
    ) b
    CROSS JOIN LATERAL (
        -- execution: mostly 90-100 %, 1 in 10 between 60 and 90 %, 2 in 100 above budget
        SELECT round(b.budget * CASE WHEN r.rate_draw < 20 THEN 1.0 + r.rate_draw / 1000.0
                                     WHEN r.rate_draw < 120 THEN 0.6 + (r.rate_draw - 20) * 0.003
                                     ELSE 0.9 + (r.rate_draw - 120) / 8800.0 * 1.0 END, 2) AS executed
    ) x;

    -- the indicator rows, with their typed values and reported scores
    CREATE TEMP TABLE ind_stage ON COMMIT DROP AS
    SELECT f.n, l.position, l.level1, l.level2, l.level3, v.target_text, v.actual_text, l.weight,
           CASE WHEN l.class = 'na' THEN 0
                WHEN v.score IS NOT NULL AND bench_scale.h(v.k, 40, 50) = 0 THEN greatest(v.score - 1, 0)
                WHEN v.score IS NOT NULL THEN v.score
                WHEN v.outcome >= 98 THEN round(l.weight * 0.9, 2)      -- a claim, scored in band
                ELSE l.weight                                            -- unreadable: as reported
           END AS reported_score,
           CASE WHEN v.outcome >= 78 AND v.outcome < 96 AND bench_scale.h(v.k, 41, 10) < 7
                THEN (ARRAY['受疫情影响，部分工作延后', '需求增加，超额完成', '政策调整，目标值偏差', '统计口径变化'])[1 + bench_scale.h(v.k, 42, 4)]
           END AS deviation_reason,
           CASE WHEN v.score IS NULL AND l.class <> 'na' AND v.outcome >= 98 THEN 'achieved' END AS band
    FROM form_stage f
    JOIN bench_scale.layout l ON l.layout_id = f.layout_id
    CROSS JOIN LATERAL (
        SELECT f.n * 32 + l.position AS k,
               bench_scale.h(f.n * 32 + l.position, 30, 100) AS outcome,
               bench_scale.h(f.n * 32 + l.position, 31, 4) AS variant,
               bench_scale.h(f.n * 32 + l.position, 32, 1000) AS d1,
               bench_scale.h(f.n * 32 + l.position, 33, 1000) AS d2
    ) r
    CROSS JOIN LATERAL (
        -- the actual as a multiple of the target: met, not met, over-achieved
        SELECT CASE WHEN r.outcome < 78 THEN 1 + r.d2 / 10000.0
                    WHEN r.outcome < 90 THEN 0.6 + r.d2 * 0.00039
                    WHEN r.outcome < 96 THEN 1.3 + r.d2 / 800.0
                    ELSE 1 END AS up,
               CASE WHEN r.outcome < 78 THEN 1 - r.d2 / 5000.0
                    WHEN r.outcome < 90 THEN 1.01 + r.d2 / 2000.0
                    ELSE 1 END AS down,
               20 + r.d1 AS cnt,
               80 + r.d1 % 16 AS pct
    ) m
    CROSS JOIN LATERAL (
        SELECT CASE l.class
            WHEN 'na' THEN ARRAY['不适用', '不适用']
            WHEN 'count' THEN CASE r.variant
                WHEN 0 THEN ARRAY[m.cnt::text, round(m.cnt * m.up)::text]
                WHEN 1 THEN ARRAY['≥' || m.cnt || '个', round(m.cnt * m.up) || '个']
                WHEN 2 THEN ARRAY['不少于' || m.cnt * 10 || '人次', round(m.cnt * 10 * m.up) || '人次']
                ELSE ARRAY['至少' || (2 + r.d1 % 3) || '次/周', CASE WHEN r.outcome < 78 THEN (2 + r.d1 % 3) ELSE greatest(1, round((2 + r.d1 % 3) * m.up)) END || '次/周'] END
            WHEN 'ratio' THEN CASE r.variant
                WHEN 0 THEN ARRAY['≥' || m.pct || '%', least(100, round(m.pct * m.up, 2)) || '%']
                WHEN 1 THEN ARRAY[m.pct || '%以上', least(100, round(m.pct * m.up, 2)) || '%']
                WHEN 2 THEN ARRAY['低于' || (1 + r.d1 % 5) || '%', round((1 + r.d1 % 5) * m.down, 2) || '%']
                ELSE ARRAY['采集率达' || m.pct || '%以上，准确率达' || (m.pct - 5) || '%以上；',
                           '采集率' || least(100, round(m.pct * m.up, 2)) || '%，准确率达' || least(100, round((m.pct - 5) * 1.02, 2)) || '%'] END
            WHEN 'time' THEN CASE r.variant
                WHEN 0 THEN ARRAY[f.year || '年12月31日前',
                                  CASE WHEN r.outcome BETWEEN 78 AND 89 THEN (f.year + 1) || '年2月15日' ELSE f.year || '年' || (10 + r.d1 % 3) || '月' || (1 + r.d1 % 28) || '日' END]
                WHEN 1 THEN ARRAY[(5 + r.d1 % 10) || '个工作日内', round((5 + r.d1 % 10) * m.down) || '个工作日']
                WHEN 2 THEN ARRAY['1', CASE WHEN r.outcome < 78 THEN '100%' ELSE least(100, round(100 * m.up)) || '%' END]
                ELSE ARRAY['3天以内', round(3 * m.down) || '天'] END
            WHEN 'cost' THEN CASE r.variant
                WHEN 0 THEN ARRAY['≤' || round(f.budget * CASE f.amount_unit WHEN '万元' THEN 1 ELSE 0.0001 END, 2) || '万元',
                                  round(f.budget * CASE f.amount_unit WHEN '万元' THEN 1 ELSE 0.0001 END * m.down, 3) || '万元']
                WHEN 1 THEN ARRAY['<' || round(f.budget * CASE f.amount_unit WHEN '万元' THEN 10000 ELSE 1 END) || '元',
                                  round(f.budget * CASE f.amount_unit WHEN '万元' THEN 10000 ELSE 1 END * m.down * 0.999, 2) || '元']
                WHEN 2 THEN ARRAY['不超过' || (100 + r.d1) || '元/人', round((100 + r.d1) * m.down, 2) || '元/人']
                ELSE ARRAY[(50 + r.d1) || '元', round((50 + r.d1) * m.down, 2) || '元'] END
            WHEN 'benefit' THEN CASE r.variant
                WHEN 0 THEN ARRAY['重点解决', CASE WHEN r.outcome < 90 THEN '重点解决' ELSE '基本解决' END]
                WHEN 1 THEN ARRAY['有效提升', CASE WHEN r.outcome < 90 THEN '有效提升' ELSE '明显改善' END]
                WHEN 2 THEN ARRAY['信息通报率达' || m.pct || '%以上', least(100, round(m.pct * m.up, 2)) || '%']
                ELSE ARRAY['≥' || m.cnt || '户', round(m.cnt * m.up) || '户'] END
            WHEN 'lasting' THEN CASE r.variant
                WHEN 0 THEN ARRAY['长期', '长期']
                WHEN 1 THEN ARRAY['≥' || (1 + r.d1 % 5) || '年', round((1 + r.d1 % 5) * m.up) || '年']
                ELSE ARRAY['持续发挥作用', '持续发挥作用'] END
            ELSE CASE r.variant % 3
                WHEN 0 THEN ARRAY['≥' || (85 + r.d1 % 11) || '%', least(100, round((85 + r.d1 % 11) * m.up, 1)) || '%']
                WHEN 1 THEN ARRAY[(85 + r.d1 % 11) || '%以上', least(100, round((85 + r.d1 % 11) * m.up, 1)) || '%']
                ELSE ARRAY['不低于' || (85 + r.d1 % 11) || '%', least(100, round((85 + r.d1 % 11) * m.up, 1)) || '%'] END
        END AS cell
    ) c
    CROSS JOIN LATERAL (
        -- 2 in 100 rows cannot be read, 2 in 100 claim instead of measuring
        SELECT CASE WHEN l.class = 'na' OR r.outcome < 96 THEN c.cell
                    WHEN r.outcome < 97 THEN ARRAY[c.cell[1], c.cell[2] || '（预计）']
                    WHEN r.outcome < 98 THEN ARRAY[c.cell[1] || '（暂定）', c.cell[2]]
                    ELSE ARRAY[c.cell[1], '已完成'] END AS cell
    ) c2
    CROSS JOIN LATERAL (
        SELECT r.k, r.outcome, c2.cell[1] AS target_text, c2.cell[2] AS actual_text,
               pjeval.indicator_score(t.v, a.v, l.weight, l.level2) AS score
        FROM (SELECT pjeval.try_indicator_value(c2.cell[1]) AS v) t,
             (SELECT pjeval.try_indicator_value(c2.cell[2]) AS v) a
    ) v;

    INSERT INTO pjeval.evaluation (evaluation_id, project_id, year, profile, budget_unit_id, amount_unit,
                                   expected_goal, actual_outcome, reported_weight_total, reported_total,
                                   notes, status, submitted_at, approved_at, approved_by)
    OVERRIDING SYSTEM VALUE
    SELECT f.n, f.project_id, f.year, 'central-2020', f.budget_unit_id, f.amount_unit,
           '按计划完成项目年度目标，保障工作正常开展。', '已按计划完成年度目标。',
           (SELECT sum(weight) FROM bench_scale.layout l WHERE l.layout_id = f.layout_id) + 10,
           least(100, s.reported + coalesce(pjeval.fund_score(f.budget, f.executed, 10), 0)
                      + CASE WHEN bench_scale.h(f.n, 9, 100) = 0 THEN -1 ELSE 0 END),
           NULL, f.status,
           CASE WHEN f.status <> 'draft' THEN now() END,
           CASE WHEN f.status = 'approved' THEN now() END,
           CASE WHEN f.status = 'approved' THEN 'bench_reviewer'::name END
    FROM form_stage f
    LEFT JOIN (SELECT n, sum(reported_score) AS reported FROM ind_stage GROUP BY n) s ON s.n = f.n
    ORDER BY f.n;

    INSERT INTO pjeval.fund_line (fund_line_id, evaluation_id, form_project_id, source, initial_budget, annual_budget, executed,
                                  reported_weight, reported_rate, reported_score)
    OVERRIDING SYSTEM VALUE
    SELECT f.n * 4 + x.k, f.n, f.project_id, x.source, x.initial_budget, x.annual_budget, x.executed,
           x.reported_weight, x.reported_rate, x.reported_score
    FROM form_stage f
    CROSS JOIN LATERAL (VALUES
        (0, 'total', f.initial, f.budget, f.executed, 10::numeric,
         pjeval.execution_rate(f.budget, f.executed), pjeval.fund_score(f.budget, f.executed, 10)),
        (1, 'appropriation', f.initial - f.carry - f.other, f.budget - f.carry - f.other
              + CASE WHEN bench_scale.h(f.n, 10, 100) = 0 THEN 1 ELSE 0 END,
         f.executed - f.carry - f.other, NULL, NULL, NULL),
        (2, 'carryover', f.carry, f.carry, f.carry, NULL, NULL, NULL),
        (3, 'other', f.other, f.other, f.other, NULL, NULL, NULL)
    ) AS x (k, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
    WHERE x.k <= 1 OR (x.k = 2 AND f.carry > 0) OR (x.k = 3 AND f.other > 0)
    ORDER BY f.n, x.k;

    INSERT INTO pjeval.indicator (indicator_id, evaluation_id, form_project_id, position, level1, level2, level3,
                                  target_text, actual_text, weight, reported_score,
                                  deviation_reason, band)
    OVERRIDING SYSTEM VALUE
    SELECT s.n * 32 + s.position, s.n, (s.n - 1) / 6 + 1, s.position, s.level1, s.level2, s.level3,
           s.target_text, s.actual_text, s.weight, s.reported_score,
           s.deviation_reason, s.band
    FROM ind_stage s
    ORDER BY s.n, s.position;

    -- the stored results (pjeval 0.3.0: refresh_results(), which the
    -- triggers call on every change and which stand aside here), in the
    -- same transaction as the chunk's rows
    IF to_regprocedure('pjeval.refresh_results(bigint[])') IS NOT NULL THEN
        PERFORM pjeval.refresh_results(ARRAY(SELECT pg_catalog.generate_series(lo, hi)));
    END IF;
END
$$;

-- After the last load: the identity sequences past the chosen ids.
CREATE OR REPLACE PROCEDURE bench_scale.finish()
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM setval('pjeval.unit_unit_id_seq', coalesce((SELECT max(unit_id) FROM pjeval.unit), 1));
    PERFORM setval('pjeval.project_project_id_seq', coalesce((SELECT max(project_id) FROM pjeval.project), 1));
    PERFORM setval('pjeval.evaluation_evaluation_id_seq', coalesce((SELECT max(evaluation_id) FROM pjeval.evaluation), 1));
    PERFORM setval('pjeval.fund_line_fund_line_id_seq', coalesce((SELECT max(fund_line_id) FROM pjeval.fund_line), 1));
    PERFORM setval('pjeval.indicator_indicator_id_seq', coalesce((SELECT max(indicator_id) FROM pjeval.indicator), 1));
END
$$;
