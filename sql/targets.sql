-- targets: the target form (docs/targets.md).  Reading and its refusals,
-- import and export read back to the same rows, the workflow, 目标调整 and
-- the targets in force, row-level security and the history; the
-- target-quality audit (T1, T3-T9) and the self-evaluation against its
-- targets, on the 2022 seed form 2 carried over three years
-- (test/fixtures/targets).  One transaction, rolled back at the end: the
-- roles, units, rows and their history are all undone.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
\set grid2023 `cat "$PG_ABS_SRCDIR/test/fixtures/targets/grid-2023.txt"`
\set grid2024 `cat "$PG_ABS_SRCDIR/test/fixtures/targets/grid-2024.txt"`
\set quality `cat "$PG_ABS_SRCDIR/test/fixtures/targets/quality-2023.txt"`
\set seed2 `sed -n '43,$p' "$PG_ABS_SRCDIR/demo/seed/longhua-2022.txt"`
-- Keys from a known place, whatever ran before (setval is not undone).
SELECT setval('target_target_id_seq', 1, false);
BEGIN;

-- The rows as the form reader reads them: a quoted cell over two lines, a
-- quote nothing closes, trailing empty cells dropped, CRLF.
SELECT line, cells, quote_line FROM document_rows(E'a\t"b\n c"\t\t\r\n"d\te\t\nf"g');
SELECT fund_source_of(l) FROM unnest(ARRAY['资金总额', '当年财政拨款', '财政拨款', '上年结转资金', '其他资金', '自有资金']) l;

-- ------------------------------------------------------------ the reader
-- A form that cannot be read is refused with its line, nothing written.
SELECT count(*) AS targets_before FROM target;
SELECT * FROM import_targets(E'随便一行\n项目支出绩效目标申报表');
SELECT * FROM import_targets(E'没有表\n');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t二〇二三\n实施单位:\t目标测试中心');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\t项目属性:\t续建');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023');
-- rows before any section: a field of the form passes, a table row does not
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目名称:\t甲\t申报年度:\t2023\t实施单位:\t目标测试中心\n项目负责人：\t张三\n'
                             || E'\t\t产出指标\t数量指标\t培训\t≥5个');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t申报年度:\t2023\n实施单位:\t目标测试中心');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'项目资金（元）\t资金来源\t上年度预算安排\t本年度申请金额');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'项目资金（元）\t资金来源\t上年度预算安排\t上年度实际执行\t本年度申请金额\n\t资金总额\t100\t九十\t100');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'绩效指标\t一级指标\t二级指标\t指标值');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n\t产出指标\t数量指标\t\t≥5个');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n\t\t数量指标\t培训\t≥5个');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'绩效指标\t期限\t一级指标\t二级指标\t三级指标\t指标值\t绩效标准\n\t年度\t产出指标\t数量指标\t培训\t≥5个\t经验');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\n'
                             || E'绩效指标\t期限\t一级指标\t二级指标\t三级指标\t指标值\n\t中期\t产出指标\t数量指标\t培训\t≥5个');
SELECT * FROM import_targets(E'项目支出绩效目标申报表\n项目编号:\tX1\t项目名称:\t甲\t申报年度:\t2023\n实施单位:\t目标测试中心\t目标版本:\t2');
SELECT * FROM import_targets('', 'merge');
-- the third form of a document is broken: the first two are not written either
SELECT * FROM import_targets(:'quality' || E'\n项目支出绩效目标申报表\n项目名称:\t乙\t申报年度:\t2023');
SELECT count(*) AS targets_after FROM target;
SELECT count(*) AS units_after FROM unit WHERE name LIKE '目标测试%';

-- The 2023 form of the worked project: header, funds (4,617,400.00 and — read),
-- goals (a quoted cell over two lines), the 年度 and 长期 sets.
SELECT import_targets(:'grid2023') AS grid_2023 \gset
SELECT t.year, t.version, t.status, t.attribute, t.amount_unit, p.code, p.name, u.name AS unit, b.name AS budget_unit,
       t.long_term_goal, t.annual_goal, t.notes
FROM target t JOIN project p USING (project_id) JOIN unit u ON u.unit_id = p.unit_id
LEFT JOIN unit b ON b.unit_id = t.budget_unit_id
WHERE t.target_id = :grid_2023;
SELECT source, label, last_year_budget, last_year_executed, requested
FROM target_fund_line WHERE target_id = :grid_2023 ORDER BY target_fund_line_id;
SELECT position, term, level1, level2, level3, target_text, target, formula, standard, last_year_text, last_year, notes
FROM target_indicator WHERE target_id = :grid_2023 ORDER BY position;
-- the columns' other names: 指标内容, 本年度计划水平, 一级预算单位, 指标期限
SELECT f ->> 'top_unit' AS top_unit, i ->> 'term' AS term, i ->> 'level3' AS level3, i ->> 'target_text' AS target_text
FROM jsonb_array_elements(read_targets(E'项目支出绩效目标申报表\n项目名称：\t甲\t申报年度：\t2023\t一级预算单位：\t乙局\n'
                                       || E'绩效指标\t指标期限\t一级指标\t二级指标\t指标内容\t本年度计划水平\n'
                                       || E'\t长期\t产出指标\t数量指标\t培训\t≥5个')) f,
     jsonb_array_elements(f -> 'indicators') i;
-- the same project and year again: refused, unless replaced or adjusted
SELECT * FROM import_targets(:'grid2023');
SELECT * FROM import_targets(:'grid2023', 'adjust');

-- Export and import read back to the same rows: export, replace the draft
-- with what was exported, export again.
SELECT export_targets(:grid_2023) AS exported \gset
SELECT :'exported';
CREATE TEMP TABLE before_rows AS
SELECT position, term, level1, level2, level3, target_text, formula, standard, last_year_text, notes
FROM target_indicator WHERE target_id = :grid_2023;
SELECT import_targets(:'exported', 'replace') AS grid_2023 \gset
SELECT export_targets(:grid_2023) = :'exported' AS same_text;
SELECT count(*) AS rows_differing
FROM ((SELECT position, term, level1, level2, level3, target_text, formula, standard, last_year_text, notes
       FROM target_indicator WHERE target_id = :grid_2023 EXCEPT SELECT * FROM before_rows)
      UNION ALL
      (SELECT * FROM before_rows EXCEPT SELECT position, term, level1, level2, level3, target_text, formula, standard, last_year_text, notes
       FROM target_indicator WHERE target_id = :grid_2023)) d;
SELECT export_targets(:grid_2023, 'pdf');
SELECT export_targets(-1);

-- ------------------------------------------------ workflow and 目标调整
SELECT submit_target(:grid_2023), approve_target(:grid_2023);
SELECT target_id = :grid_2023 AS this_form, version, approved_at IS NOT NULL AS approved FROM target_in_force WHERE target_id = :grid_2023;
UPDATE target_indicator SET target_text = '≥1%' WHERE target_id = :grid_2023 AND position = 1;
SELECT * FROM import_targets(:'exported', 'replace');
-- 目标调整: a new version, a draft, with its reason; the original stays in force until it is approved
SELECT adjust_target(:grid_2023, '');
SELECT adjust_target(:grid_2023, '随预算追减，成本指标调整', '2023-06-15') AS grid_2023_v2 \gset
SELECT adjust_target(:grid_2023_v2, '再调');
SELECT version, status, adjustment_reason, requested_on FROM target WHERE target_id = :grid_2023_v2;
UPDATE target_indicator SET target_text = '≤461.74万元' WHERE target_id = :grid_2023_v2 AND level3 = '项目支出';
SELECT version FROM target_in_force tf JOIN project p USING (project_id) WHERE p.code = 'TGT-7728' AND tf.year = 2023;
SELECT submit_target(:grid_2023_v2), approve_target(:grid_2023_v2);
SELECT version FROM target_in_force tf JOIN project p USING (project_id) WHERE p.code = 'TGT-7728' AND tf.year = 2023;
SELECT t.version, i.target_text FROM target t JOIN target_indicator i USING (target_id)
JOIN project p USING (project_id) WHERE p.code = 'TGT-7728' AND i.level3 = '项目支出' ORDER BY t.version;
-- an adjusted version in a document: 目标版本 and 调整原因 are exported and read back
SELECT export_targets(:grid_2023_v2) ~ E'目标版本:\t2\t调整原因:\t随预算追减，成本指标调整\t申请日期:\t2023-06-15' AS exported_as_version_2;
SELECT (read_targets(export_targets(:grid_2023_v2)) -> 0) - 'funds' - 'indicators' - 'goals' AS header_read_back;

-- ------------------------------------------------ row-level security
CREATE ROLE regress_pjt_unit NOLOGIN;
CREATE ROLE regress_pjt_other NOLOGIN;
CREATE ROLE regress_pjt_reviewers NOLOGIN;
CREATE ROLE regress_pjt_member NOLOGIN IN ROLE regress_pjt_unit;
CREATE ROLE regress_pjt_stranger NOLOGIN IN ROLE regress_pjt_other;
CREATE ROLE regress_pjt_reviewer NOLOGIN IN ROLE regress_pjt_reviewers;
GRANT INSERT, UPDATE, DELETE ON unit, project, evaluation, target, target_fund_line, target_indicator, target_read_finding
    TO regress_pjt_unit, regress_pjt_other, regress_pjt_reviewers;
INSERT INTO unit (name) VALUES ('目标其他单位');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjt_unit' FROM unit WHERE name = '目标测试中心';
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjt_other' FROM unit WHERE name = '目标其他单位';
INSERT INTO reviewer VALUES ('regress_pjt_reviewers');

SET ROLE regress_pjt_stranger;
SELECT count(*) AS stranger_sees FROM target;
SELECT count(*) AS stranger_sees_rows FROM target_indicator;
SELECT export_targets(:grid_2023);
SELECT adjust_target(:grid_2023_v2, '越权');
RESET ROLE;
SET ROLE regress_pjt_member;
SELECT count(*) AS member_sees FROM target;
SELECT import_targets(:'grid2024') AS grid_2024 \gset
SELECT submit_target(:grid_2024);
UPDATE target_indicator SET notes = '改' WHERE target_id = :grid_2024;
SELECT approve_target(:grid_2024);
-- the project's header is part of its target forms: read-only while one is submitted
UPDATE project SET name = '网格信息采集' WHERE code = 'TGT-7728';
RESET ROLE;
SET ROLE regress_pjt_reviewer;
SELECT approve_target(:grid_2024);
RESET ROLE;
-- the history keeps every row with its unit, and who changed it
SELECT h.table_name, h.operation, count(*), bool_and(h.unit_id = p.unit_id) AS unit_kept,
       string_agg(DISTINCT h.current_user_name, ',') AS by_role
FROM history h CROSS JOIN (SELECT unit_id FROM project WHERE code = 'TGT-7728') p
WHERE h.table_name LIKE 'target%'
  AND (h.new_row ->> 'target_id')::bigint = :grid_2024
GROUP BY 1, 2 ORDER BY 1, 2;

-- ------------------------------------------------ target-quality audit
-- T1, T3-T8 on two projects of two units; T7 finds the same name and value
-- across the units, not the same name with another value.
SELECT count(*) FROM import_targets(:'quality');
SELECT p.code, f.position, i.level3, f.code AS finding, f.severity
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
LEFT JOIN target_indicator i ON i.target_id = f.target_id AND i.position = f.position
WHERE p.code IN ('TGT-Q1', 'TGT-Q2')
ORDER BY p.code, f.position NULLS FIRST, f.code;
SELECT f.message_zh, f.message_en
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code IN ('TGT-Q1', 'TGT-Q2') AND f.code IN ('target_too_few', 'target_copied', 'target_cost_at_least')
ORDER BY p.code, f.position NULLS FIRST;

-- T9 from the form's own 上年度实际水平, while last year has no
-- self-evaluation: the rows that give one.
SELECT t.version, f.position, f.message_en
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code = 'TGT-7728' AND t.year = 2023 AND t.version = 1 AND f.code = 'target_below_last_year'
ORDER BY f.position, f.message_en;
-- T9 across three years: 2022's self-evaluation (seed form 2), 2023's
-- targets against its actuals clause by clause (延续), 2024's against
-- 2023's self-evaluation: a tighter target is not flagged, a lower one is.
SELECT count(*) FROM import_forms(replace(replace(:'seed2', '440309210901500007728', 'TGT-7728'),
                                          '深圳市龙华区平安建设中心', '目标测试中心'));
SELECT t.year, t.version, f.position, f.message_zh
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code = 'TGT-7728' AND f.code = 'target_below_last_year'
ORDER BY t.year, t.version, f.position, f.message_zh;
SELECT count(*) FROM import_forms(replace(replace(replace(replace(:'seed2', '440309210901500007728', 'TGT-7728'),
                                                          '深圳市龙华区平安建设中心', '目标测试中心'),
                                                  E'绩效自评年度:\t2022', E'绩效自评年度:\t2023'),
                                          E'97%以上\t97.11%', E'96%以上\t97.11%'));
SELECT t.year, f.position, f.message_en
FROM target_finding f JOIN target t USING (target_id) JOIN project p USING (project_id)
WHERE p.code = 'TGT-7728' AND t.year = 2024
ORDER BY f.position;
-- a 新增 project is not compared with last year (once the form is a draft
-- again: approved, its header is read-only too)
UPDATE target SET attribute = '新增' WHERE target_id = :grid_2024;
SELECT count(*) AS after_marked_new FROM target_finding WHERE target_id = :grid_2024 AND code = 'target_below_last_year';
SELECT reopen_target(:grid_2024);
UPDATE target SET attribute = '新增' WHERE target_id = :grid_2024;
SELECT count(*) AS after_marked_new FROM target_finding WHERE target_id = :grid_2024 AND code = 'target_below_last_year';

-- ------------------------------------------ the self-evaluation and its targets
-- 2023: 采集率 written 96%以上 on the self-evaluation against 97%以上 approved;
-- 项目支出 ≤461.74万元 is what the adjusted version (in force) says; 实有事件
-- has no target.  2022 has no target forms: nothing to say.
SELECT e.year, c.position, i.level3, c.code, c.severity, c.message_zh
FROM cycle_finding c JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
LEFT JOIN indicator i ON i.evaluation_id = c.evaluation_id AND i.position = c.position
WHERE p.code = 'TGT-7728'
ORDER BY e.year, c.position;
-- before the adjustment was approved, 项目支出 differed too
SELECT reopen_target(:grid_2023_v2);
SELECT c.position, c.code, c.message_en
FROM cycle_finding c JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'TGT-7728' AND e.year = 2023
ORDER BY c.position;
-- a self-evaluation of 2023 whose project has no approved target form
SELECT count(*) FROM import_forms(replace(replace(:'seed2', '440309210901500007728', 'TGT-7729'),
                                          E'绩效自评年度:\t2022', E'绩效自评年度:\t2023'));
SELECT c.position, c.target_id, c.code, c.message_zh
FROM cycle_finding c JOIN evaluation e USING (evaluation_id) JOIN project p USING (project_id)
WHERE p.code = 'TGT-7729';

-- Every code the views give is in the catalogue with a message.
SELECT c.code, c.scope, c.severity, string_agg(m.place, ', ' ORDER BY m.place) AS message_places
FROM finding_catalogue c LEFT JOIN finding_message m USING (code)
WHERE c.scope = 'target' OR m.place LIKE 'target%' OR m.place = 'cycle'
GROUP BY 1, 2, 3 ORDER BY 1;

ROLLBACK;
