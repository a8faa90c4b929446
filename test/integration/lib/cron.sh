# shellcheck shell=bash
# cron.sh - waiting for a pg_cron job in the integration tests, sourced
# after harness.sh by a script that defines q SQL (psql, unaligned, tuples
# only):
#   cron_wait LABEL JOBID LIMIT COUNT_SQL
#       waits, at most LIMIT seconds and every 2 s, until job JOBID has a
#       successful run and COUNT_SQL (a scalar sub-query) counts something,
#       or until a run has failed; then checks "LABEL ran and succeeded"
#       (ok / fail, with the last runs' messages).  Sets cron_waited (s),
#       cron_succeeded, cron_counted and cron_failed.
cron_wait() {
	local label=$1 jobid=$2 limit=$3 sql=$4 start=$SECONDS state=""
	cron_succeeded=0 cron_counted=0 cron_failed=0
	while [ $((SECONDS - start)) -lt "$limit" ]; do
		state="$(q "SELECT (SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded')
		                || ' ' || ($sql)
		                || ' ' || (SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status = 'failed')")"
		read -r cron_succeeded cron_counted cron_failed <<<"$state"
		if { [ "${cron_succeeded:-0}" -gt 0 ] && [ "${cron_counted:-0}" -gt 0 ]; } || [ "${cron_failed:-0}" -gt 0 ]; then
			break
		fi
		sleep 2
	done
	cron_waited=$((SECONDS - start))
	if [ "${cron_succeeded:-0}" -gt 0 ] && [ "${cron_failed:-0}" -eq 0 ]; then
		ok "$label ran and succeeded (after ${cron_waited}s)"
	else
		fail "$label ran and succeeded (succeeded ${cron_succeeded:-0}, failed ${cron_failed:-0} after ${cron_waited}s)"
		q "SELECT status, return_message FROM cron.job_run_details WHERE jobid = $jobid ORDER BY runid DESC LIMIT 3" | sed 's/^/    /'
	fi
}
