-- rectification_overdue: 整改 overdue as the daily job records it
-- (docs/rectification.md, "Overdue").  record_overdue_rectifications(as_of)
-- records each item not closed whose 完成时限 is before as_of, once, with
-- its unit and 完成时限 then; the record stays when the item is closed
-- later; rectification_overdue_summary counts them per unit.  The worked
-- example of performance-cycle §7: due 2023-09-30, still 整改中 on
-- 2023-10-08: 8 days.  The pg_cron job is test/integration/monitoring_cron.sh.
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

CREATE ROLE regress_pjro_unit NOLOGIN;
CREATE ROLE regress_pjro_other NOLOGIN;
CREATE ROLE regress_pjro_owner NOLOGIN;
INSERT INTO unit (name) VALUES ('整改逾期测试单位'), ('整改逾期其他单位');
SELECT unit_id AS unit_a FROM unit WHERE name = '整改逾期测试单位' \gset
SELECT unit_id AS unit_b FROM unit WHERE name = '整改逾期其他单位' \gset
INSERT INTO unit_member (unit_id, role_name) VALUES (:unit_a, 'regress_pjro_unit'), (:unit_b, 'regress_pjro_other');
INSERT INTO project (code, name, unit_id) VALUES ('RO-P1', '网格信息采集工作', :unit_a), ('RO-P2', '其他项目', :unit_b);

-- 1: the worked example (整改中, due 2023-09-30); 2: closed in time (due
-- 2023-09-30, closed before); 3: due 2023-10-31; 4: the other unit's, due
-- 2023-09-15, open.
INSERT INTO rectification (project_id, year, stage, problem, requirement, unit_id, due_date, status, result, closed_at)
SELECT p.project_id, 2023, 'monitoring', v.problem, v.requirement, p.unit_id, v.due_date, v.status, v.result,
       CASE WHEN v.status = 'closed' THEN now() END
FROM (VALUES ('RO-P1', '实有人口信息未注销率 3.20% 高于 3%', '核实未注销率数据，9月底前完成注销清理', date '2023-09-30', 'in_progress', NULL),
             ('RO-P1', '采集更新量进度偏慢', '加快采集', date '2023-09-30', 'closed', '已完成'),
             ('RO-P1', '预算执行偏慢', '加快支付', date '2023-10-31', 'open', NULL),
             ('RO-P2', '其他问题', '其他要求', date '2023-09-15', 'open', NULL))
     AS v (code, problem, requirement, due_date, status, result)
JOIN project p ON p.code = v.code
ORDER BY v.due_date, v.problem;
SELECT rectification_id AS r1 FROM rectification WHERE requirement = '核实未注销率数据，9月底前完成注销清理' \gset
SELECT rectification_id AS r2 FROM rectification WHERE requirement = '加快采集' \gset
SELECT rectification_id AS r4 FROM rectification WHERE requirement = '其他要求' \gset

-- On the due day nothing of it is overdue: only the other unit's item
-- (due 2023-09-15).
SELECT record_overdue_rectifications('2023-09-30') AS recorded;
SELECT rectification_id = :r4 AS r4, unit_id = :unit_b AS unit_b, due_date, found_on
FROM rectification_overdue_record ORDER BY rectification_id;

-- On 2023-10-08 the worked example is recorded with 8 days; the item
-- closed in time is not, nor the one due 2023-10-31; a second run adds
-- nothing.
SELECT record_overdue_rectifications('2023-10-08') AS recorded;
SELECT record_overdue_rectifications('2023-10-08') AS recorded_again;
SELECT r.requirement, o.unit_id = :unit_a AS unit_a, o.due_date, o.found_on, o.found_on - o.due_date AS days_overdue
FROM rectification_overdue_record o JOIN rectification r USING (rectification_id)
ORDER BY o.rectification_id;
SELECT count(*) AS closed_in_time_recorded FROM rectification_overdue_record WHERE rectification_id = :r2;

-- Closed after being recorded (and its 完成时限 moved): the record stays as
-- it was found; a later run adds nothing and changes nothing.
UPDATE rectification SET status = 'to_verify', result = '已注销 1.2 万条，未注销率 2.8%' WHERE rectification_id = :r1;
UPDATE rectification SET status = 'closed' WHERE rectification_id = :r1;
UPDATE rectification SET due_date = '2023-12-31' WHERE rectification_id = :r4;
SELECT record_overdue_rectifications('2023-10-20') AS recorded;
SELECT r.requirement, r.status, o.due_date, o.found_on
FROM rectification_overdue_record o JOIN rectification r USING (rectification_id)
ORDER BY o.rectification_id;

-- The summary per unit: recorded, of them closed late, still open.
SELECT unit_name, recorded_overdue, closed_late, still_open, max_days_overdue
FROM rectification_overdue_summary WHERE unit_id IN (:unit_a, :unit_b) ORDER BY unit_name;

-- A member sees its unit's records only, cannot write them, cannot call
-- the function.
SET ROLE regress_pjro_unit;
SELECT o.unit_id = :unit_a AS unit_a, o.due_date, o.found_on FROM rectification_overdue_record o;
SELECT unit_name, recorded_overdue, closed_late, still_open FROM rectification_overdue_summary;
SELECT record_overdue_rectifications('2023-11-30');
INSERT INTO rectification_overdue_record (rectification_id, unit_id, due_date, found_on)
VALUES (:r2, :unit_a, '2023-09-30', '2023-10-01');
DELETE FROM rectification_overdue_record;
RESET ROLE;
SET ROLE regress_pjro_other;
SELECT o.unit_id = :unit_b AS unit_b, o.due_date, o.found_on FROM rectification_overdue_record o;
RESET ROLE;
SELECT count(*) AS records FROM rectification_overdue_record WHERE unit_id IN (:unit_a, :unit_b);

-- An owner who is not a reviewer (and does not bypass row-level security)
-- would see only some items: the function refuses to run.
ALTER FUNCTION record_overdue_rectifications(date) OWNER TO regress_pjro_owner;
GRANT EXECUTE ON FUNCTION record_overdue_rectifications(date) TO regress_pjro_unit;
SET ROLE regress_pjro_unit;
SELECT record_overdue_rectifications('2023-11-30');
RESET ROLE;

ROLLBACK;
