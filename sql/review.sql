-- review: 复核 (docs/review.md).  The sample of performance-cycle §6: A
-- 100.00 → 72.00 (偏离度 28.00 %: three 社会效益 rows ≥95% of 10 with no
-- formula, 中等, keep 4.00 each; the 满意度 row on 未收到投诉, 严重, 0), B
-- 95.50 → 93.20 (2.41 %), C 88.00 → 88.00 (0.00 %); mean 10.14 %, pooled
-- 30.30 / 283.50 = 10.69 %.  The review findings R1-R5; only reviewers
-- write, units read theirs; a draft is not reviewed; history.  One
-- transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
-- Keys from a known place, whatever ran before (setval is not undone).
SELECT count(setval(c.oid::regclass, 100000, false)) > 0 AS sequences
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pjeval'
WHERE c.relkind = 'S';
BEGIN;

CREATE ROLE regress_pjv_unit NOLOGIN;
CREATE ROLE regress_pjv_other NOLOGIN;
CREATE ROLE regress_pjv_reviewers NOLOGIN;
CREATE ROLE regress_pjv_member NOLOGIN IN ROLE regress_pjv_unit;
CREATE ROLE regress_pjv_stranger NOLOGIN IN ROLE regress_pjv_other;
CREATE ROLE regress_pjv_reviewer NOLOGIN IN ROLE regress_pjv_reviewers;
GRANT INSERT, UPDATE, DELETE ON project, evaluation, indicator, fund_line, review, review_item
    TO regress_pjv_unit, regress_pjv_other, regress_pjv_reviewers;
INSERT INTO unit (name) VALUES ('复核测试单位'), ('复核测试其他单位');
SELECT unit_id AS unit_a FROM unit WHERE name = '复核测试单位' \gset
INSERT INTO unit_member (unit_id, role_name)
SELECT unit_id, CASE name WHEN '复核测试单位' THEN 'regress_pjv_unit' ELSE 'regress_pjv_other' END
FROM unit WHERE name LIKE '复核测试%';
INSERT INTO reviewer VALUES ('regress_pjv_reviewers');

-- Four forms of the unit (D a draft), every row at full marks but B's first
-- (over-achieved, 35.50 of 40) and C's (300 of ≥500 人次, 28 of 40).
SET ROLE regress_pjv_member;
INSERT INTO project (code, name, unit_id) VALUES ('V-A', '项目A', :unit_a), ('V-B', '项目B', :unit_a),
    ('V-C', '项目C', :unit_a), ('V-D', '草稿项目', :unit_a);
INSERT INTO evaluation (project_id, year, reported_total)
SELECT project_id, 2022, t FROM project JOIN (VALUES ('V-A', 100.00), ('V-B', 95.50), ('V-C', 88.00), ('V-D', 90))
    AS v (c, t) ON v.c = code;
INSERT INTO fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_rate, reported_score)
SELECT evaluation_id, 'total', 100, 100, 100, 10, 100, 10 FROM evaluation e JOIN project USING (project_id) WHERE code LIKE 'V-%';
INSERT INTO indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
SELECT e.evaluation_id, v.pos, v.l1, v.l2, v.l3, v.t,
       CASE WHEN p.code = 'V-B' AND v.pos = 1 THEN '900人次' WHEN p.code = 'V-C' AND v.pos = 1 THEN '300人次' ELSE v.a END, v.w,
       CASE WHEN p.code = 'V-B' AND v.pos = 1 THEN 35.50 WHEN p.code = 'V-C' AND v.pos = 1 THEN 28 ELSE v.w END
FROM evaluation e JOIN project p USING (project_id)
CROSS JOIN (VALUES (1, '产出指标', '数量指标', '培训人次', '≥500人次', '600人次', 40),
                   (2, '效益指标', '社会效益指标', '群众知晓率', '≥95%', '96%', 10),
                   (3, '效益指标', '社会效益指标', '群众参与率', '≥95%', '97%', 10),
                   (4, '效益指标', '社会效益指标', '问题解决率', '≥95%', '95%', 10),
                   (5, '满意度指标', '服务对象满意度指标', '群众满意度', '未收到投诉', '未收到投诉', 10),
                   (6, '产出指标', '质量指标', '验收合格率', '100%', '100%', 10))
    AS v (pos, l1, l2, l3, t, a, w)
WHERE p.code LIKE 'V-%';
SELECT submit(e.evaluation_id) FROM evaluation e JOIN project USING (project_id) WHERE code IN ('V-A', 'V-B', 'V-C');
RESET ROLE;
SELECT evaluation_id AS ea FROM evaluation JOIN project USING (project_id) WHERE code = 'V-A' \gset
SELECT evaluation_id AS eb FROM evaluation JOIN project USING (project_id) WHERE code = 'V-B' \gset
SELECT evaluation_id AS ec FROM evaluation JOIN project USING (project_id) WHERE code = 'V-C' \gset
SELECT evaluation_id AS ed FROM evaluation JOIN project USING (project_id) WHERE code = 'V-D' \gset

-- 1. Only reviewers review, only submitted forms, only rows the form has.
SET ROLE regress_pjv_member;
INSERT INTO review (evaluation_id) VALUES (:ea);
RESET ROLE;
SET ROLE regress_pjv_reviewer;
INSERT INTO review (evaluation_id) VALUES (:ed);
INSERT INTO review (evaluation_id, reviewed_on) VALUES (:ea, '2023-06-30'), (:eb, '2023-06-30'), (:ec, '2023-06-30');
INSERT INTO review_item (evaluation_id, position, review_score) VALUES (:ea, 9, 1);
-- A: three 社会效益 rows 中等 (4.00 each), the 满意度 row 严重 (0)
INSERT INTO review_item (evaluation_id, position, review_score, defect_class, reason, level) VALUES
    (:ea, 2, 4.00, 'moderate', '有方向无计算公式', 'P1'),
    (:ea, 3, 4.00, 'moderate', '有方向无计算公式', 'P1'),
    (:ea, 4, 4.00, 'moderate', '有方向无计算公式', 'P1'),
    (:ea, 5, 0, 'severe', '以未收到投诉代替满意度调查', 'P0');
-- B: the first row 35.50 → 33.20, with its reason; C: the execution row confirmed
INSERT INTO review_item (evaluation_id, position, review_score, reason, level) VALUES
    (:eb, 1, 33.20, '培训记录缺少签到表', 'P2'),
    (:ec, NULL, 10, NULL, 'pass');
RESET ROLE;

SELECT project_code, self_total, computed_total, review_total, difference, deviation, rows_reviewed, finding_count
FROM review_result ORDER BY project_code;
SELECT unit_name, year, reviews, mean_self_total, mean_review_total, mean_deviation, pooled_deviation, self_total_100
FROM review_unit_summary WHERE unit_id = :unit_a;
SELECT evaluation_id = :ea AS a, position, level3, weight, self_score, review_score, difference, deviation, findings
FROM review_item_result WHERE evaluation_id = :ea ORDER BY position;

-- 2. The findings: R1 out of range, R2 no reason, R3 above the unit's on a
-- row not met, R4 off its class's scale, R5 deducted for over-achievement.
SET ROLE regress_pjv_reviewer;
INSERT INTO review_item (evaluation_id, position, review_score, defect_class, reason) VALUES
    (:ec, 1, 30, NULL, '按比例'),
    (:ec, 2, 12, NULL, '超出分值'),
    (:ec, 3, 8, 'minor', '有公式缺来源'),
    (:ec, 4, 9, NULL, NULL);
RESET ROLE;
SELECT position, code, severity, message_zh FROM review_finding WHERE evaluation_id = :ec ORDER BY position, code;
SET ROLE regress_pjv_reviewer;
UPDATE review_item SET review_score = 30, reason = '超额完成' WHERE evaluation_id = :eb AND position = 1;
RESET ROLE;
SELECT position, code, message_en FROM review_finding WHERE evaluation_id = :eb ORDER BY position, code;

-- A review finding raises a 整改 item (docs/rectification.md).
GRANT INSERT, UPDATE ON rectification TO regress_pjv_reviewers;
SET ROLE regress_pjv_reviewer;
SELECT raise_rectification('review', :ec, 'review_reason_missing', '补写复核理由', '2023-07-31', 4) AS item \gset
SELECT stage, position, finding_code, problem, requirement FROM rectification WHERE rectification_id = :item;
RESET ROLE;

-- 3. The checklist: C's audit findings beside the reviewer's decisions.
SELECT position, code, review_score, defect_class FROM review_checklist WHERE evaluation_id = :ec ORDER BY position NULLS FIRST, code;

-- 4. The unit reads its reviews but cannot change them; others see none.
SET ROLE regress_pjv_member;
SELECT count(*) AS member_reviews, (SELECT count(*) FROM review_item) AS member_items FROM review;
UPDATE review_item SET review_score = 40 WHERE evaluation_id = :eb;
SELECT review_score FROM review_item WHERE evaluation_id = :eb AND position = 1;
DELETE FROM review WHERE evaluation_id = :ea;
SELECT count(*) AS still_there FROM review;
RESET ROLE;
SET ROLE regress_pjv_stranger;
SELECT (SELECT count(*) FROM review) AS reviews, (SELECT count(*) FROM review_item) AS items,
       (SELECT count(*) FROM review_result) AS results;
RESET ROLE;

-- 5. History, under the form.
SELECT table_name, operation, count(*), bool_and(evaluation_id = :ea) AS under_the_form
FROM history WHERE table_name IN ('review', 'review_item') AND evaluation_id = :ea GROUP BY 1, 2 ORDER BY 1, 2;

-- 6. The class scale.
SELECT c, review_class_score(c, 10) FROM unnest(ARRAY['severe', 'moderate', 'minor', 'mismatch', NULL]) c;

ROLLBACK;
