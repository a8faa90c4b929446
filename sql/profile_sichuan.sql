-- profile_sichuan: the 四川 profile (docs/scoring-rules.md, "Local
-- profiles"; the 510000_0013zp form of 2023): 执行率 10, the indicators 90
-- by their own weights with no level-1 split (level-1 weights are not
-- compared with the profile's; Σ = 100 still is), and an execution rate
-- below 90 % needs a reason, 未完成原因分析 (evaluation.execution_reason,
-- read from the form and written back by export_form).  One transaction,
-- rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

SELECT name, execution_weight, level1_split, execution_reason_below, grade_excellent, grade_good, grade_pass
FROM profile WHERE name = 'sichuan-2023';

-- Three forms: 执行率 85 % without a reason, 85 % with one, 95 % without;
-- each with indicator weights 60 / 20 / 10 (not the national 50 / 30 / 10).
INSERT INTO unit (name) VALUES ('四川测试单位');
INSERT INTO project (code, name, unit_id)
SELECT c, c, unit_id FROM unit, unnest(ARRAY['SC-85', 'SC-85-WHY', 'SC-95']) c WHERE name = '四川测试单位';
INSERT INTO evaluation (project_id, year, execution_reason)
SELECT project_id, 2023, CASE code WHEN 'SC-85-WHY' THEN '部分合同款按约定于次年支付' WHEN 'SC-85' THEN '无' END
FROM project WHERE code IN ('SC-85', 'SC-85-WHY', 'SC-95');
INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed)
SELECT evaluation_id, 'total', 100, 100, CASE WHEN code = 'SC-95' THEN 95 ELSE 85 END
FROM evaluation JOIN project USING (project_id) WHERE code LIKE 'SC-%';
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
SELECT evaluation_id, v.pos, v.l1, v.l2, v.l3, '≥100件', '100件', v.w
FROM evaluation JOIN project USING (project_id),
     (VALUES (1, '产出指标', '数量指标', '办结件数', 60), (2, '效益指标', '社会效益指标', '群众受益件数', 20),
             (3, '满意度指标', '服务对象满意度指标', '回访件数', 10)) AS v (pos, l1, l2, l3, w)
WHERE code LIKE 'SC-%';

-- Under the national profile: the level-1 weights differ from 50/30/10,
-- the execution rate is low only below 80 %, no reason is asked for.
SELECT project_code, execution_rate, total_score, grade, findings
FROM evaluation_result WHERE project_code LIKE 'SC-%' ORDER BY project_code;

-- Under sichuan-2023: no level-1 split; below 90 % without a reason (or
-- with a placeholder, 无) is a finding, with a reason or at 95 % it is not.
UPDATE evaluation e SET profile = 'sichuan-2023' FROM project p
WHERE p.project_id = e.project_id AND p.code LIKE 'SC-%';
SELECT project_code, execution_rate, total_score, grade, findings
FROM evaluation_result WHERE project_code LIKE 'SC-%' ORDER BY project_code;
SELECT r.project_code, a.code, a.severity, a.message_zh, a.message_en
FROM audit_finding a JOIN evaluation_result r USING (evaluation_id)
WHERE r.project_code LIKE 'SC-%' ORDER BY r.project_code, a.code;

-- Σ = 100 is still checked: an indicator weight off by 5
UPDATE indicator i SET weight = 55 FROM evaluation e JOIN project p USING (project_id)
WHERE e.evaluation_id = i.evaluation_id AND p.code = 'SC-95' AND i.position = 1;
SELECT project_code, weight_total, findings FROM evaluation_result WHERE project_code = 'SC-95';

-- The form reader: 未完成原因分析 in the same cell after a colon, or in the
-- next cell; exported back, it reads again to the same text.
SELECT f ->> 'execution_reason' AS reason
FROM jsonb_array_elements(read_forms(E'项目支出绩效自评表\n（2023年度）\n项目名称\t四川读入\n实施单位\t四川测试单位\n'
    || E'项目资金（元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n年度资金总额\t\t100\t100\t85\t10\t85%\t8.5\n'
    || E'未完成原因分析：部分合同款按约定于次年支付\n'
    || E'年度总体目标\t预期目标\t实际完成情况\n\t目标\t完成\n'
    || E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n'
    || E'\t产出指标\t数量指标\t办结件数\t≥100件\t100件\t90\t90\t\n')) f
UNION ALL
SELECT f ->> 'execution_reason'
FROM jsonb_array_elements(read_forms(E'项目支出绩效自评表\n（2023年度）\n项目名称\t四川读入\n实施单位\t四川测试单位\n'
    || E'项目资金（元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n年度资金总额\t\t100\t100\t85\t10\t85%\t8.5\n'
    || E'未完成原因分析\t"合同尚未验收，\n尾款待付"\n'
    || E'年度总体目标\t预期目标\t实际完成情况\n\t目标\t完成\n'
    || E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n'
    || E'\t产出指标\t数量指标\t办结件数\t≥100件\t100件\t90\t90\t\n')) f;
SELECT evaluation_id AS why FROM evaluation_result WHERE project_code = 'SC-85-WHY' \gset
UPDATE evaluation SET execution_reason = E'合同尚未验收，\n尾款待付' WHERE evaluation_id = :why;
SELECT line FROM regexp_split_to_table(export_form(:why), E'\n') AS line WHERE line LIKE '未完成原因分析%';
SELECT x AS again FROM import_forms(replace(export_form(:why), 'SC-85-WHY', 'SC-85-AGAIN')) x \gset
SELECT execution_reason = E'合同尚未验收，\n尾款待付' AS same_text FROM evaluation WHERE evaluation_id = :again;
SELECT position('未完成原因分析' IN export_form(:why, 'html')) > 0 AS in_html;

SELECT * FROM verify_results();
ROLLBACK;
