-- targets_review: the reviewers' re-scoring (复核, docs/targets.md "Review
-- (复核)"): reviews of submitted forms only, by reviewers only, read by the
-- units; pjeval.review_result with 偏离度 per form and per indicator and
-- pjeval.review_summary per unit and year, on the sample of
-- performance-cycle §6 (100 → 72, 95.50 → 93.20, 88 → 88: mean 10.14 %,
-- pooled 30.30 / 283.50 = 10.69 %).  One transaction, rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
\set seed `cat "$PG_ABS_SRCDIR/demo/seed/longhua-2022.txt"`
\set seed2 `sed -n '43,$p' "$PG_ABS_SRCDIR/demo/seed/longhua-2022.txt"`
BEGIN;

SELECT deviation_rate(100, 72) AS a, deviation_rate(95.50, 93.20) AS b, deviation_rate(88, 88) AS c,
       deviation_rate(0, 5) AS self_zero, deviation_rate(NULL, 5) AS self_null, deviation_rate(10, 0) AS review_zero;

-- Three forms of a unit: the seed's second (A), its first (B) and a copy of
-- its second (C).
SELECT count(*) FROM import_forms(replace(replace(replace(:'seed', '440309210901500004279', 'RV-B'),
                                                  '440309210901500007728', 'RV-A'),
                                          '深圳市龙华区平安建设中心', '复核测试中心'));
SELECT count(*) FROM import_forms(replace(replace(:'seed2', '440309210901500007728', 'RV-C'),
                                          '深圳市龙华区平安建设中心', '复核测试中心'));
CREATE TEMP TABLE f AS
SELECT p.code, e.evaluation_id FROM evaluation e JOIN project p USING (project_id) WHERE p.code LIKE 'RV-%';
UPDATE evaluation e SET reported_total = x.total
FROM f JOIN (VALUES ('RV-A', 100.00), ('RV-B', 95.50), ('RV-C', 88.00)) x (code, total) USING (code)
WHERE e.evaluation_id = f.evaluation_id;
SELECT evaluation_id AS form_a FROM f WHERE code = 'RV-A' \gset
SELECT evaluation_id AS form_b FROM f WHERE code = 'RV-B' \gset
SELECT evaluation_id AS form_c FROM f WHERE code = 'RV-C' \gset

CREATE ROLE regress_pjr_unit NOLOGIN;
CREATE ROLE regress_pjr_other NOLOGIN;
CREATE ROLE regress_pjr_reviewers NOLOGIN;
CREATE ROLE regress_pjr_member NOLOGIN IN ROLE regress_pjr_unit;
CREATE ROLE regress_pjr_stranger NOLOGIN IN ROLE regress_pjr_other;
CREATE ROLE regress_pjr_reviewer NOLOGIN IN ROLE regress_pjr_reviewers;
GRANT INSERT, UPDATE, DELETE ON review, review_indicator TO regress_pjr_unit, regress_pjr_other, regress_pjr_reviewers;
INSERT INTO unit (name) VALUES ('复核其他单位');
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjr_unit' FROM unit WHERE name = '复核测试中心';
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjr_other' FROM unit WHERE name = '复核其他单位';
INSERT INTO reviewer VALUES ('regress_pjr_reviewers');

-- A draft is not reviewed; a submitted form is, by a reviewer.
SET ROLE regress_pjr_reviewer;
INSERT INTO review (evaluation_id, total_score) VALUES (:form_a, 72.00);
RESET ROLE;
SELECT submit(evaluation_id) FROM f ORDER BY code;
SET ROLE regress_pjr_reviewer;
INSERT INTO review (evaluation_id, fund_score, total_score, opinion)
VALUES (:form_a, 10, 72.00, '三项社会效益指标有方向无计算公式（中等），满意度以“未收到投诉”为据（严重）'),
       (:form_b, 10, 93.20, NULL),
       (:form_c, 10, 88.00, NULL);
INSERT INTO review_indicator (evaluation_id, review_id, position, score, reason, defect, level)
SELECT :form_a, r.review_id, x.position, x.score, x.reason, x.defect, x.level
FROM review r,
     (VALUES (8, 4.00, '有方向无计算公式', '中等', 'P1'), (13, 0.00, '满意度以未收到投诉为据', '严重', 'P0')) x (position, score, reason, defect, level)
WHERE r.evaluation_id = :form_a;
-- an indicator the form does not have
INSERT INTO review_indicator (evaluation_id, review_id, position, score)
SELECT :form_a, review_id, 99, 1 FROM review WHERE evaluation_id = :form_a;
-- one review per form and reviewer
INSERT INTO review (evaluation_id, total_score) VALUES (:form_c, 80);
RESET ROLE;

-- 自评, 复核, their difference and 偏离度, per form and per indicator
SELECT f.code, r.position, r.level3, r.self_score, r.review_score, r.difference, r.deviation
FROM review_result r JOIN f USING (evaluation_id)
ORDER BY f.code, r.position NULLS FIRST;
SELECT unit_name, year, reviewed, mean_self_score, mean_review_score, mean_deviation, pooled_deviation, self_scored_100
FROM review_summary WHERE unit_name = '复核测试中心';
-- without a recorded total, the 复核 total is the execution row's plus the indicators'
UPDATE review SET total_score = NULL WHERE evaluation_id = :form_a;
SELECT review_score, deviation FROM review_result WHERE evaluation_id = :form_a AND position IS NULL;

-- The unit reads its reviews and writes none; another unit sees none.
SET ROLE regress_pjr_member;
SELECT count(*) AS member_reads_reviews, (SELECT count(*) FROM review_indicator) AS member_reads_indicators FROM review;
SELECT count(*) AS member_reads_results FROM review_result;
INSERT INTO review (evaluation_id, total_score) VALUES (:form_b, 100);
UPDATE review SET total_score = 100 WHERE evaluation_id = :form_b;
SELECT total_score FROM review WHERE evaluation_id = :form_b;
RESET ROLE;
SET ROLE regress_pjr_stranger;
SELECT count(*) AS stranger_reads FROM review;
SELECT count(*) AS stranger_reads_results FROM review_result;
RESET ROLE;

ROLLBACK;
