#!/usr/bin/env bash
# reports_cron.sh - pg_cron runs `CALL pjeval.refresh_reports()` on a
# schedule: the job succeeds, the reports and a dated snapshot appear, and
# the job can be removed again.  pg_cron is optional for pjeval (no
# `requires`); this test needs it.
#
# Run it in a throwaway cluster with pg_cron preloaded, as scripts/test.sh does:
#     pg_virtualenv -t -p pjeval -o shared_preload_libraries=pg_cron \
#         -o cron.database_name=postgres bash test/integration/reports_cron.sh
# pg_cron lives in cron.database_name (postgres), so the extensions are
# created there, and dropped at the end; the test refuses to run where
# pjeval is already installed in postgres.  pg_cron 1.5+ takes a schedule
# in seconds ('5 seconds', waited for up to 90 s); older versions (Debian 12
# has 1.4) only minutes ('* * * * *', waited for up to 150 s).
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed or the set-up did not work.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB=postgres
JOB=pjeval-refresh
WORK="$(mktemp -d -t pjeval-cron.XXXXXX)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc -d "$DB")

. test/integration/lib/harness.sh
. test/integration/lib/cron.sh
created=0


cleanup() {
	if [ "$created" -eq 1 ]; then
		"${PSQL[@]}" >/dev/null 2>&1 <<-EOF
			SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$JOB';
			DROP EXTENSION IF EXISTS pjeval CASCADE;
			DROP EXTENSION IF EXISTS pg_cron;
		EOF
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT


# must STEP CMD...: a set-up step; if it fails nothing after it can be trusted.
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
must "enter the two seed forms" "${PSQL[@]}" -f test/integration/seed_forms.sql

if [ "$(q "SELECT count(*) FROM pjeval.unit_year_report") $(q "SELECT count(*) FROM pjeval.report_snapshot")" = "0 0" ]; then
	ok "before any refresh the reports and the history are empty"
else
	fail "before any refresh the reports and the history are empty"
fi

version="$(q "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")"
# pg_cron accepts '[1-59] seconds' from 1.5 on.
if [ "$(q "SELECT (string_to_array(split_part('$version', '-', 1), '.')::int[]) >= '{1,5}'::int[]")" = "t" ]; then
	schedule='5 seconds'; limit=90
else
	schedule='* * * * *'; limit=150
fi
echo "# pg_cron $version: schedule '$schedule', waiting up to ${limit}s"

# The job runs as the user who schedules it, through a libpq connection to
# cron.host (localhost).  A pg_virtualenv cluster asks for a password over
# TCP and trusts its own OS user on the Unix socket, so the job is pointed
# at the socket directory (in production: cron.host, a .pgpass file, or
# cron.use_background_workers).
must "cron.schedule('$JOB', '$schedule', 'CALL pjeval.refresh_reports()')" "${PSQL[@]}" <<-EOF
	SELECT cron.schedule('$JOB', '$schedule', 'CALL pjeval.refresh_reports()');
	UPDATE cron.job SET nodename = split_part(current_setting('unix_socket_directories'), ',', 1)
	WHERE jobname = '$JOB' AND current_setting('unix_socket_directories') <> '';
EOF
jobid="$(q "SELECT jobid FROM cron.job WHERE jobname = '$JOB'")"

# ---- wait (bounded) for a successful run and its snapshot -------------------------
cron_wait "the job" "$jobid" "$limit" "SELECT count(*) FROM pjeval.report_snapshot"
msg="$(q "SELECT return_message FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded' ORDER BY runid LIMIT 1")"
if [ "$msg" = "CALL" ]; then
	ok "the job ran the procedure (return message CALL)"
else
	fail "the job ran the procedure (return message: $msg)"
fi

if [ "${cron_counted:-0}" -gt 0 ]; then
	ok "a dated snapshot appeared ($cron_counted rows)"
else
	fail "a dated snapshot appeared"
fi

# ---- what the scheduled refresh built ---------------------------------------------
out="$(q "SELECT unit_name || '|' || year || '|' || forms || '|' || execution_rate || '|' || avg_total_score || '|' || grade_excellent
          FROM pjeval.unit_year_report")"
if [ "$out" = "深圳市龙华区平安建设中心|2022|2|99.81|99.97|2" ]; then
	ok "unit_year_report: the seed unit, 2 forms, 99.81 %, average 99.97, both 优"
else
	fail "unit_year_report: the seed unit, 2 forms, 99.81 %, average 99.97, both 优 (got: $out)"
fi
out="$(q "SELECT string_agg(project_code || ':' || total_score || ':' || grade, ' ' ORDER BY project_code) FROM pjeval.project_trend_report")"
if [ "$out" = "440309210901500004279:99.93:优 440309210901500007728:100.00:优" ]; then
	ok "project_trend_report: 99.93 and 100.00, 优"
else
	fail "project_trend_report: 99.93 and 100.00, 优 (got: $out)"
fi
out="$(q "SELECT count(*) FILTER (WHERE r.refreshed_by = j.username) || '/' || count(*)
          FROM pjeval.report_refresh r, cron.job j WHERE j.jobid = $jobid")"
if [ "${out%%/*}" = "${out##*/}" ] && [ "${out##*/}" -gt 0 ]; then
	ok "every refresh was made by the job's user ($out)"
else
	fail "every refresh was made by the job's user ($out)"
fi
out="$(q "SELECT count(*) FROM (SELECT taken_at FROM pjeval.report_snapshot GROUP BY taken_at HAVING count(*) <> 1) x")"
if [ "$out" = "0" ]; then
	ok "one snapshot row per refresh (one unit, one year)"
else
	fail "one snapshot row per refresh ($out refreshes with more)"
fi
out="$(q "SELECT count(*) FROM pjeval.report_refresh r WHERE NOT EXISTS (SELECT 1 FROM pjeval.report_snapshot s WHERE s.taken_at = r.taken_at)")"
if [ "$out" = "0" ]; then
	ok "every refresh left its snapshot"
else
	fail "every refresh left its snapshot ($out without)"
fi

# ---- unschedule ----------------------------------------------------------------------
out="$(q "SELECT cron.unschedule('$JOB')")"
if [ "$out" = "t" ] && [ "$(q "SELECT count(*) FROM cron.job WHERE jobname = '$JOB'")" = "0" ]; then
	ok "cron.unschedule('$JOB') removed the job"
else
	fail "cron.unschedule('$JOB') removed the job (got: $out)"
fi

finish
