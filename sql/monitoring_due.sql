-- monitoring_due: 监控报送及时性 (docs/monitoring.md, due dates).  Due
-- dates per round; record_overdue_monitoring(as_of) records the expected
-- projects without a submitted report once a due day has ended, once;
-- monitoring_unit_summary counts reports submitted late and the projects
-- recorded overdue.  The pg_cron job is test/integration/monitoring_cron.sh.
-- One transaction, rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SET search_path = public, pjeval;
BEGIN;

-- A: the worked example (1-7月, a draft); B: a project of the same unit with
-- a 2023 self-evaluation and no report; C: another unit's project with a
-- 1-6月 report (a draft).
\set doc `cat demo/seed/longhua-monitoring-2023.txt`
SELECT count(*) AS imported FROM import_monitoring(:'doc');
INSERT INTO project (code, name, unit_id)
SELECT 'DUE-B', '自评已有项目', unit_id FROM project WHERE code = '440309210901500007728';
INSERT INTO evaluation (project_id, year) SELECT project_id, 2023 FROM project WHERE code = 'DUE-B';
INSERT INTO unit (name) VALUES ('报送测试其他单位');
INSERT INTO project (code, name, unit_id) SELECT 'DUE-C', '六月项目', unit_id FROM unit WHERE name = '报送测试其他单位';
INSERT INTO monitoring (project_id, year, month) SELECT project_id, 2023, 6 FROM project WHERE code = 'DUE-C';
INSERT INTO monitoring_due (year, month, due_date) VALUES (2023, 6, '2023-07-10'), (2023, 7, '2023-08-10');

-- On the due day of 1-7月 only 1-6月 has passed: B (its self-evaluation) and
-- C (its draft) are recorded; A (1-7月 only) is not expected for 1-6月.
SELECT record_overdue_monitoring('2023-08-10') AS recorded;
SELECT o.year, o.month, p.code, u.name AS unit, o.due_date
FROM monitoring_overdue o JOIN project p USING (project_id) JOIN unit u ON u.unit_id = o.unit_id
ORDER BY o.month, p.code;
-- A is submitted (now, after its due date: late); the next day B and C are
-- recorded for 1-7月, A is not; a second call adds nothing.
SELECT submit_monitoring(monitoring_id) FROM monitoring m JOIN project p USING (project_id) WHERE p.code = '440309210901500007728';
SELECT record_overdue_monitoring('2023-08-11') AS recorded;
SELECT record_overdue_monitoring('2023-08-11') AS recorded_again;
SELECT o.month, p.code FROM monitoring_overdue o JOIN project p USING (project_id) WHERE o.month = 7 ORDER BY p.code;
-- C's report submitted now stays recorded for 1-6月 (it was not in time).
SELECT submit_monitoring(monitoring_id) FROM monitoring m JOIN project p USING (project_id) WHERE p.code = 'DUE-C';
SELECT record_overdue_monitoring('2023-08-12') AS recorded;

-- The summary: per unit and round, the due date, the reports submitted
-- late and the projects recorded overdue.
SELECT unit_name, year, month, projects, reports_missing, due_date, reports_late, reports_overdue
FROM monitoring_unit_summary
WHERE unit_name IN ('深圳市龙华区平安建设中心', '报送测试其他单位') ORDER BY unit_name, month;

-- Who may record (the extension's owner) and who sees which rows.
CREATE ROLE regress_pjdue_member NOLOGIN;
INSERT INTO unit_member (unit_id, role_name) SELECT unit_id, 'regress_pjdue_member' FROM unit WHERE name = '报送测试其他单位';
SET ROLE regress_pjdue_member;
SELECT record_overdue_monitoring();
SELECT o.month, p.code FROM monitoring_overdue o JOIN project p USING (project_id) ORDER BY o.month, p.code;
INSERT INTO monitoring_overdue (year, month, project_id, unit_id, due_date)
SELECT 2023, 7, project_id, unit_id, '2023-08-10' FROM project WHERE code = 'DUE-C';
RESET ROLE;
-- a round's due date moved: the rows recorded keep the date they were
-- recorded against
UPDATE monitoring_due SET due_date = '2023-08-15' WHERE year = 2023 AND month = 7;
SELECT DISTINCT month, due_date FROM monitoring_overdue ORDER BY month;

ROLLBACK;
