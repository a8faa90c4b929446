#!/usr/bin/env bash
# monitoring_cron.sh - pg_cron runs `SELECT pjeval.record_overdue_monitoring()`
# (监控报送及时性, docs/monitoring.md) on a schedule: the job succeeds, the
# projects that had not submitted their report when the round's due date
# passed are recorded, pjeval.monitoring_unit_summary counts them (and the
# reports submitted late), and the job can be removed again.  Then the same
# for `SELECT pjeval.record_overdue_rectifications()` (整改 overdue,
# docs/rectification.md): the item past its 完成时限 is recorded, once.  As
# reports_cron.sh, whose harness and set-up it follows.
#
#     pg_virtualenv -t -p pjeval -o shared_preload_libraries=pg_cron \
#         -o cron.database_name=postgres bash test/integration/monitoring_cron.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed or the set-up did not work.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB=postgres
JOB=pjeval-monitoring-due
RJOB=pjeval-rectification-overdue
WORK="$(mktemp -d -t pjeval-mcron.XXXXXX)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc -d "$DB")

. test/integration/lib/harness.sh
. test/integration/lib/cron.sh
created=0

cleanup() {
	if [ "$created" -eq 1 ]; then
		"${PSQL[@]}" >/dev/null 2>&1 <<-EOF
			SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname IN ('$JOB', '$RJOB');
			DROP EXTENSION IF EXISTS pjeval CASCADE;
			DROP EXTENSION IF EXISTS pg_cron;
		EOF
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

must() {
	local step="$1"
	shift
	if "$@" >"$WORK/step.log" 2>&1; then
		ok "$step"
	else
		fail "$step"
		sed 's/^/    /' "$WORK/step.log"
		finish
	fi
}

q() { "${PSQL[@]}" -A -t -c "$1"; }

# ---- set-up --------------------------------------------------------------------
preload="$(q "SHOW shared_preload_libraries" 2>&1)"
crondb="$(q "SELECT current_setting('cron.database_name', true)" 2>&1)"
if [[ "$preload" == *pg_cron* ]] && [ "$crondb" = "$DB" ]; then
	ok "pg_cron is preloaded with cron.database_name = $DB"
else
	fail "pg_cron is preloaded with cron.database_name = $DB (shared_preload_libraries: $preload; cron.database_name: $crondb)"
	finish
fi
if [ "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pjeval'")" != "0" ]; then
	fail "pjeval is not yet installed in $DB (this test creates and drops it: run it in a throwaway cluster)"
	finish
fi
created=1
must "CREATE EXTENSION pg_cron, pjeval in $DB" "${PSQL[@]}" -c 'CREATE EXTENSION IF NOT EXISTS pg_cron' -c 'CREATE EXTENSION pjeval'

# The worked example's report (1-7月), submitted now: after its due date.  A
# second project of the unit with a 2023 self-evaluation and no report.
doc="$(cat demo/seed/longhua-monitoring-2023.txt)"
must "import the worked example and submit it; a project with a self-evaluation and no report; due dates" \
	"${PSQL[@]}" -v doc="$doc" <<-'EOF'
	SELECT pjeval.submit_monitoring(id) FROM pjeval.import_monitoring(:'doc') AS id;
	INSERT INTO pjeval.project (code, name, unit_id)
	SELECT 'CRON-B', '未报送项目', unit_id FROM pjeval.project WHERE code = '440309210901500007728';
	INSERT INTO pjeval.evaluation (project_id, year) SELECT project_id, 2023 FROM pjeval.project WHERE code = 'CRON-B';
	INSERT INTO pjeval.monitoring_due (year, month, due_date) VALUES (2023, 7, '2023-08-10'), (2100, 7, '2100-08-10');
EOF
# The worked example's 整改 item, due 2023-09-30 and still 整改中; another
# due in 2100.
must "two rectification items: the worked example's (due 2023-09-30, in progress), one due in 2100" "${PSQL[@]}" <<-'EOF'
	INSERT INTO pjeval.rectification (project_id, year, stage, problem, requirement, unit_id, due_date, status)
	SELECT project_id, 2023, 'monitoring', v.problem, v.requirement, unit_id, v.due_date, 'in_progress'
	FROM pjeval.project,
	     (VALUES ('实有人口信息未注销率 3.20% 高于 3%', '核实未注销率数据，9月底前完成注销清理', date '2023-09-30'),
	             ('以后的问题', '以后整改', date '2100-09-30')) AS v (problem, requirement, due_date)
	WHERE code = '440309210901500007728';
EOF

if [ "$(q "SELECT count(*) FROM pjeval.monitoring_overdue")" = "0" ]; then
	ok "before the job nothing is recorded"
else
	fail "before the job nothing is recorded"
fi

version="$(q "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")"
if [ "$(q "SELECT (string_to_array(split_part('$version', '-', 1), '.')::int[]) >= '{1,5}'::int[]")" = "t" ]; then
	schedule='5 seconds'; limit=90
else
	schedule='* * * * *'; limit=150
fi
echo "# pg_cron $version: schedule '$schedule', waiting up to ${limit}s"

# As reports_cron.sh: the job connects through the socket directory.  In
# production it runs daily: cron.schedule('pjeval-monitoring-due', '5 0 * * *', …).
must "cron.schedule('$JOB', '$schedule', 'SELECT pjeval.record_overdue_monitoring()')" "${PSQL[@]}" <<-EOF
	SELECT cron.schedule('$JOB', '$schedule', 'SELECT pjeval.record_overdue_monitoring()');
	UPDATE cron.job SET nodename = split_part(current_setting('unix_socket_directories'), ',', 1)
	WHERE jobname = '$JOB' AND current_setting('unix_socket_directories') <> '';
EOF
jobid="$(q "SELECT jobid FROM cron.job WHERE jobname = '$JOB'")"

# ---- wait (bounded) for a successful run and its record -----------------------
cron_wait "the job" "$jobid" "$limit" "SELECT count(*) FROM pjeval.monitoring_overdue"

got="$(q "SELECT string_agg(o.year || '/' || o.month || ' ' || p.code || ' ' || o.due_date, ', ' ORDER BY p.code)
          FROM pjeval.monitoring_overdue o JOIN pjeval.project p USING (project_id)")"
if [ "$got" = "2023/7 CRON-B 2023-08-10" ]; then
	ok "the project without a submitted report is recorded for the round whose due date passed, no other"
else
	fail "the project without a submitted report is recorded for the round whose due date passed, no other (got: $got)"
fi

got="$(q "SELECT string_agg(projects || ' ' || reports_missing || ' ' || due_date || ' ' || reports_late || ' ' || reports_overdue, ', ')
          FROM pjeval.monitoring_unit_summary WHERE year = 2023 AND month = 7")"
if [ "$got" = "1 1 2023-08-10 1 1" ]; then
	ok "monitoring_unit_summary: 1 report (submitted late), 1 missing, recorded overdue, due 2023-08-10"
else
	fail "monitoring_unit_summary: 1 report (submitted late), 1 missing, recorded overdue, due 2023-08-10 (got: $got)"
fi

# The job keeps running; the round stays recorded once.
if [ "$(q "SELECT pjeval.record_overdue_monitoring()") $(q "SELECT count(*) FROM pjeval.monitoring_overdue")" = "0 1" ]; then
	ok "a later run records the round no second time"
else
	fail "a later run records the round no second time"
fi

must "cron.unschedule('$JOB')" q "SELECT cron.unschedule('$JOB')"
if [ "$(q "SELECT count(*) FROM cron.job WHERE jobname = '$JOB'")" = "0" ]; then
	ok "the job is gone"
else
	fail "the job is gone"
fi

# ---- 整改 overdue: the second job ------------------------------------------------
if [ "$(q "SELECT count(*) FROM pjeval.rectification_overdue_record")" = "0" ]; then
	ok "before the 整改 job no item is recorded overdue"
else
	fail "before the 整改 job no item is recorded overdue"
fi

# In production it runs daily: cron.schedule('pjeval-rectification-overdue',
# '10 0 * * *', 'SELECT pjeval.record_overdue_rectifications()').
must "cron.schedule('$RJOB', '$schedule', 'SELECT pjeval.record_overdue_rectifications()')" "${PSQL[@]}" <<-EOF
	SELECT cron.schedule('$RJOB', '$schedule', 'SELECT pjeval.record_overdue_rectifications()');
	UPDATE cron.job SET nodename = split_part(current_setting('unix_socket_directories'), ',', 1)
	WHERE jobname = '$RJOB' AND current_setting('unix_socket_directories') <> '';
EOF
rjobid="$(q "SELECT jobid FROM cron.job WHERE jobname = '$RJOB'")"

cron_wait "the 整改 job" "$rjobid" "$limit" "SELECT count(*) FROM pjeval.rectification_overdue_record"

got="$(q "SELECT string_agg(r.requirement || ' ' || to_char(o.due_date, 'YYYY-MM-DD') || ' ' || (o.found_on = current_date), ', ')
          FROM pjeval.rectification_overdue_record o JOIN pjeval.rectification r USING (rectification_id)")"
if [ "$got" = "核实未注销率数据，9月底前完成注销清理 2023-09-30 true" ]; then
	ok "the item past its 完成时限 is recorded, found today, not the one due in 2100"
else
	fail "the item past its 完成时限 is recorded, found today, not the one due in 2100 (got: $got)"
fi

if [ "$(q "SELECT pjeval.record_overdue_rectifications()") $(q "SELECT count(*) FROM pjeval.rectification_overdue_record")" = "0 1" ]; then
	ok "a later run records the item no second time"
else
	fail "a later run records the item no second time"
fi

got="$(q "SELECT recorded_overdue || ' ' || closed_late || ' ' || still_open FROM pjeval.rectification_overdue_summary")"
if [ "$got" = "1 0 1" ]; then
	ok "rectification_overdue_summary: 1 item recorded overdue, still open"
else
	fail "rectification_overdue_summary: 1 item recorded overdue, still open (got: $got)"
fi

must "cron.unschedule('$RJOB')" q "SELECT cron.unschedule('$RJOB')"
if [ "$(q "SELECT count(*) FROM cron.job WHERE jobname = '$RJOB'")" = "0" ]; then
	ok "the 整改 job is gone"
else
	fail "the 整改 job is gone"
fi

finish
