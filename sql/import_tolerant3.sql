-- import_tolerant3: the tolerant reader's last form variants (issue 11,
-- item 1): a 总分 row holding the grade, the fund weight the form states,
-- templates that weight whole blocks, and fund sources the reader decides.
--
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
SELECT count(setval(c.oid::regclass, 620000, false)) AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

\set doc `cat demo/seed/longhua-2022.txt`
SELECT array_to_string(l[1:42], E'\n') AS form1
FROM (SELECT string_to_array(:'doc', E'\n') AS l) s \gset

-- A 总分 row holding the grade in its last cell (总分 | … | 100 | 99.93 | 优):
-- read and stored (evaluation.reported_grade), compared with the grade of
-- the computed total.  Where they agree there is no finding; the form
-- scores as the seed does, with its three findings.
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\n总分\t\t\t\t\t\t100\t99.93\t—', E'\n总分\t\t\t\t\t\t100\t99.93\t优'));
SELECT r.project_code, r.reported_total, e.reported_grade, r.total_score, r.grade, r.findings, r.finding_count
FROM evaluation_result r JOIN evaluation e USING (evaluation_id);
SELECT code FROM audit_finding ORDER BY position NULLS FIRST, code;
-- written back in the 总分 row's last cell, and read back the same
SELECT line FROM regexp_split_to_table(export_form((SELECT evaluation_id FROM evaluation)), E'\n') AS line
WHERE line LIKE '总分%';
SELECT count(*) AS imported FROM import_forms(export_form((SELECT evaluation_id FROM evaluation)), on_conflict => 'replace');
SELECT reported_total, reported_grade FROM evaluation;
-- A row whose cells a copy closed up (总分 | 100 | 99.93 | 良), its grade
-- not the computed total's: read all the same, reported_grade_mismatch.
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\n总分\t\t\t\t\t\t100\t99.93\t—', E'\n总分\t100\t99.93\t良'), on_conflict => 'replace');
SELECT r.project_code, r.reported_total, e.reported_grade, r.total_score, r.grade, r.findings, r.finding_count
FROM evaluation_result r JOIN evaluation e USING (evaluation_id);
SELECT position, code, severity, message_zh, message_en FROM audit_finding WHERE position IS NULL ORDER BY code;
-- 优秀 is 优; a cell that names no grade is none (as before)
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\n总分\t\t\t\t\t\t100\t99.93\t—', E'\n总分\t\t\t\t\t\t100\t99.93\t优秀'), on_conflict => 'replace');
SELECT e.reported_grade, r.findings FROM evaluation_result r JOIN evaluation e USING (evaluation_id);
SELECT count(*) AS imported
FROM import_forms(replace(:'form1', E'\n总分\t\t\t\t\t\t100\t99.93\t—', E'\n总分\t\t\t\t\t\t100\t99.93\t自评良好'), on_conflict => 'replace');
SELECT e.reported_grade, r.findings FROM evaluation_result r JOIN evaluation e USING (evaluation_id);
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- The fund weight the form states (分值 20 on the 年度资金总额 row, as 湖北's
-- template has it, and 80 for the indicators): the fund score is computed
-- with it (20 × 99.32 % = 19.86), not with the profile's 10, and the total
-- is 99.86 as reported; fund_weight_off_profile (warning) says that it
-- differs from the profile, level1_weight_off_profile that 产出 does.
SELECT count(*) AS imported
FROM import_forms(replace(replace(replace(replace(:'form1',
         E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t10\t99.32\t9.93',
         E'\t年度资金总额\t1663900.00\t1821100.00\t1808698.26\t20\t99.32\t19.86'),
         E'\t产出指标 (50分)\t', E'\t产出指标 (40分)\t'),
         E'\t案件操作数\t200000\t424876\t15\t15', E'\t案件操作数\t200000\t424876\t5\t5'),
         E'\n总分\t\t\t\t\t\t100\t99.93\t—', E'\n总分\t\t\t\t\t\t100\t99.86\t优'));
SELECT project_code, execution_rate, fund_weight, fund_score, reported_fund_score, output_weight, weight_total,
       total_score, reported_total, grade, findings
FROM evaluation_result;
SELECT code, severity, message_zh, message_en FROM audit_finding WHERE position IS NULL ORDER BY code;
-- The profile's own weight written on the form is no finding (the seed).
SELECT count(*) AS imported FROM import_forms(:'form1', on_conflict => 'replace');
SELECT fund_weight, fund_score, total_score, findings FROM evaluation_result;
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- A template that weights whole blocks (made up for this test, in the
-- layout of such provinces): the funds under 预算执行情况（20分）, the level-1
-- blocks 产出指标（40分）, 效益指标（30分）, 满意度指标（10分）, no 分值 column,
-- each indicator's 得分 as the unit gave it.  Read whole: the funds' block
-- weight kept (evaluation.fund_block_weight) and used for the fund score
-- (20 × 94.70 % = 18.94), the level-1 blocks' weights kept with their names,
-- the indicators' weights NULL and their reported scores counted (the rules
-- cannot score an indicator without a weight), so the total is 96.44 as
-- reported.  No finding on any row: the form says once that it is
-- weighted by blocks (weights_by_block, info), and where its weights differ
-- from the profile (fund_weight_off_profile, level1_weight_off_profile).
\set blocks `cat test/fuzz/form-corpus/block-weights.txt`
SELECT count(*) AS imported FROM import_forms(:'blocks');
SELECT e.fund_block_weight, e.amount_unit, e.reported_total, e.reported_grade, e.reported_weight_total
FROM evaluation e;
SELECT position, level1, level2, weight, reported_score, indicator_level_weight(level1) AS block_weight
FROM indicator ORDER BY position;
SELECT r.project_code, r.execution_rate, r.fund_weight, r.fund_score, r.reported_fund_score, r.output_weight,
       r.benefit_weight, r.satisfaction_weight, r.weight_total, r.indicator_score, r.total_score, r.reported_total,
       r.grade, r.findings, r.finding_count
FROM evaluation_result r;
SELECT position, code, severity, message_zh, message_en FROM audit_finding ORDER BY position NULLS FIRST, code;
SELECT count(*) AS row_findings FROM indicator_result WHERE findings <> '{}';
-- The same form with a 分值 column (empty: the blocks still carry the
-- weights) reads the same.
SELECT left(:'blocks', strpos(:'blocks', '年度绩效指标') - 1)
       || replace(replace(regexp_replace(substr(:'blocks', strpos(:'blocks', '年度绩效指标')),
                                         E'(\n\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t)', E'\\1\t', 'g'),
                          E'\t实际完成值\t得分\t', E'\t实际完成值\t分值\t得分\t'),
                  E'\t\t\t\t\t\t96.44\t', E'\t\t\t\t\t\t\t96.44\t') AS weighted \gset
SELECT count(*) AS imported FROM import_forms(:'weighted', on_conflict => 'replace');
SELECT r.weight_total, r.total_score, r.findings FROM evaluation_result r;
-- A computed score where one can be computed: a block whose indicator has
-- its own 分值 (满意度指标, 10) is scored by the rules (10.00, as reported);
-- the other blocks' rows still count their reported scores.
SELECT count(*) AS imported
FROM import_forms(replace(replace(:'weighted',
         E'\t受益群众满意度\t≥90%\t92%\t\t9.5\t', E'\t受益群众满意度\t≥90%\t92%\t10\t10\t'),
         E'\t96.44\t', E'\t96.94\t'), on_conflict => 'replace');
SELECT i.position, i.weight, i.reported_score, r.computed_score, r.counted_score, r.findings
FROM indicator i JOIN indicator_result r USING (indicator_id) ORDER BY i.position;
SELECT r.weight_total, r.satisfaction_weight, r.total_score, r.reported_total, r.findings FROM evaluation_result r;
-- A level-1 row carrying only its block's weight under 分值 (产出指标 | … |
-- 40 | 38, its 得分 the block's subtotal), the indicators below it without
-- theirs: the block's weight, as 产出指标（40分） gives it.
SELECT count(*) AS imported
FROM import_forms(replace(:'weighted',
         E'\t产出指标（40分）\t数量指标\t维修养护集中供水工程\t≥45处\t47处\t\t10\t',
         E'\t产出指标\t\t\t\t\t40\t38\n\t\t数量指标\t维修养护集中供水工程\t≥45处\t47处\t\t10\t'), on_conflict => 'replace');
SELECT position, level1, level2, weight, reported_score FROM indicator WHERE position <= 4 ORDER BY position;
SELECT r.output_weight, r.weight_total, r.total_score, r.findings FROM evaluation_result r;
DELETE FROM evaluation;
DELETE FROM project;
DELETE FROM unit;

-- the stored results are what the rules give (zz_results, 55_results.sql)
RESET ROLE;
SELECT * FROM pjeval.verify_results();
ROLLBACK;
