#!/usr/bin/env bash
# reports_concurrent_refresh.sh - pjeval.refresh_reports() from several
# sessions at once, with readers querying the reports all the while.
#
#   1. A refresh holds its transaction open (BEGIN; CALL ...; pg_sleep; COMMIT).
#      Meanwhile: readers never wait (lock_timeout) and see the old reports,
#      whole; a form changes and commits; a second CALL waits for the first
#      (it is seen waiting on the advisory lock), then rebuilds from what is
#      committed by then, so its reports hold the change and the first one's
#      do not; CALL refresh_reports(wait => false) returns at once, doing
#      nothing.  Both CALLs succeed, each with its own complete snapshot.
#   2. Rounds of two CALLs started together, readers in a loop: every call
#      succeeds, no refresh has a duplicate or missing snapshot row, no
#      reader fails or sees a half-built report.
#   3. The history survives pg_dump and restore, and the restored database
#      refreshes.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval bash test/integration/reports_concurrent_refresh.sh
# It creates (and drops) two databases named pjeval_cr_*.  The last line is
# `N passed, N failed`; the exit status is non-zero when a check failed or the
# set-up did not work.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_cr_$$"
RESTORED="${DB}_restored"
WORK="$(mktemp -d -t pjeval-cr.XXXXXX)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc)

. test/integration/lib/harness.sh


cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
	dropdb --if-exists "$RESTORED" >/dev/null 2>&1
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

q() { "${PSQL[@]}" -d "$DB" -A -t -c "$1"; }

# wait_for SECONDS SQL: poll until SQL returns t (bounded).
wait_for() {
	local limit=$(($1 * 10)) i=0
	while [ "$i" -lt "$limit" ]; do
		[ "$(q "$2")" = "t" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

now_ms() { date +%s%3N; }

# reader NAME COUNT: COUNT queries on the reports, each refusing to wait for a
# lock; one line per query: ok|error, milliseconds, refreshed_at, and whether
# the report is whole (its forms add up to the forms of project_trend_report
# and of its snapshot, in one statement, so in one snapshot of the data).
reader() {
	local name="$1" count="$2" i t0 t1 out
	for ((i = 0; i < count; i++)); do
		t0=$(now_ms)
		if out="$(PGAPPNAME="pjeval_cr_reader" "${PSQL[@]}" -d "$DB" -A -t -F ' ' 2>&1 <<-'EOF'
			SET lock_timeout = '200ms';
			SELECT coalesce((SELECT max(refreshed_at)::text FROM pjeval.unit_year_report), 'never'),
			       (SELECT sum(forms) FROM pjeval.unit_year_report)
			       = (SELECT count(*) FROM pjeval.project_trend_report)
			   AND (SELECT sum(forms) FROM pjeval.unit_year_report)
			       = (SELECT sum(indicators) / 4 FROM pjeval.indicator_category_report);
			EOF
		)"; then
			t1=$(now_ms)
			echo "ok $((t1 - t0)) ${out// /_}" >>"$WORK/$name.log"
		else
			t1=$(now_ms)
			echo "error $((t1 - t0)) $(echo "$out" | tr '\n' ' ')" >>"$WORK/$name.log"
		fi
	done
}

# ---- a database with 300 forms -------------------------------------------------
must "create the database" createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C "$DB"
must "CREATE EXTENSION pjeval" "${PSQL[@]}" -d "$DB" -c 'CREATE EXTENSION pjeval'
# 6 units, 60 projects, 2019-2023: 300 forms of four indicators each, every
# figure a function of the project and the year.
must "enter 300 forms" "${PSQL[@]}" -d "$DB" <<-'EOF'
	INSERT INTO pjeval.unit (name, code) SELECT '单位' || g, 'U' || g FROM generate_series(1, 6) g;
	INSERT INTO pjeval.project (code, name, unit_id)
	SELECT 'P' || g, '项目' || g, u.unit_id FROM generate_series(1, 60) g JOIN pjeval.unit u ON u.code = 'U' || (g % 6 + 1);
	INSERT INTO pjeval.evaluation (project_id, year, budget_unit_id, amount_unit, reported_total)
	SELECT p.project_id, y, p.unit_id, CASE WHEN p.project_id % 3 = 0 THEN '万元' ELSE '元' END, 90 + p.project_id % 10
	FROM pjeval.project p, generate_series(2019, 2023) y;
	INSERT INTO pjeval.fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight)
	SELECT e.evaluation_id, 'total', 1000 + e.evaluation_id, 1000 + e.evaluation_id,
	       (1000 + e.evaluation_id) * (70 + e.evaluation_id % 31) / 100, 10
	FROM pjeval.evaluation e;
	INSERT INTO pjeval.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score)
	SELECT e.evaluation_id, v.position, v.level1, v.level2, v.level3, v.target_text,
	       CASE v.position WHEN 1 THEN (60 + e.evaluation_id % 70) || '次'
	                       WHEN 2 THEN (80 + e.evaluation_id % 25) || '%'
	                       WHEN 3 THEN (85 + e.evaluation_id % 15) || '%'
	                       ELSE '不适用' END,
	       v.weight, v.weight
	FROM pjeval.evaluation e,
	     (VALUES (1, '产出指标', '数量指标', '次数', '≥100次', 50),
	             (2, '效益指标', '社会效益指标', '覆盖率', '≥95%', 30),
	             (3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', 10),
	             (4, '效益指标', '生态效益指标', '不适用', '不适用', 0)) AS v (position, level1, level2, level3, target_text, weight);
	CALL pjeval.refresh_reports();
EOF
unit_years="$(q "SELECT count(*) FROM pjeval.unit_year_summary")"
first="$(q "SELECT max(taken_at) FROM pjeval.report_refresh")"
if [ "$unit_years" = "30" ] && [ -n "$first" ]; then
	ok "a first refresh: 30 unit-years"
else
	fail "a first refresh: 30 unit-years (got $unit_years)"
	finish
fi

# ---- 1. one refresh holds its transaction open ---------------------------------------
PGAPPNAME=pjeval_cr_A "${PSQL[@]}" -d "$DB" -A -t \
	-c "BEGIN" -c "CALL pjeval.refresh_reports()" -c "SELECT pg_sleep(8)" -c "COMMIT" >"$WORK/A.log" 2>&1 &
pid_a=$!
if wait_for 30 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
                               WHERE a.application_name = 'pjeval_cr_A' AND a.wait_event = 'PgSleep'
                                 AND l.locktype = 'advisory' AND l.classid = 1886020982 AND l.objid = 1 AND l.granted)"; then
	ok "session A refreshed and holds the refresh lock, its transaction open"
else
	fail "session A refreshed and holds the refresh lock, its transaction open"
	cat "$WORK/A.log"
	finish
fi

# A form changes and commits while A's reports are not yet visible.
must "session C changes a form and commits" "${PSQL[@]}" -d "$DB" <<-'EOF'
	UPDATE pjeval.indicator SET actual_text = '1次'
	WHERE position = 1 AND evaluation_id = (SELECT e.evaluation_id FROM pjeval.evaluation e
	                                        JOIN pjeval.project p USING (project_id) WHERE p.code = 'P1' AND e.year = 2023);
EOF

# Readers now: they must not wait, and must see the first refresh, whole.
reader during_hold 10
if ! grep -qv '^ok' "$WORK/during_hold.log" && [ "$(wc -l <"$WORK/during_hold.log")" -eq 10 ]; then
	ok "10 readers during the open refresh: none waited for a lock (lock_timeout 200ms)"
else
	fail "10 readers during the open refresh: none waited for a lock"
	sed 's/^/    /' "$WORK/during_hold.log"
fi
slowest="$(awk '{print $2}' "$WORK/during_hold.log" | sort -n | tail -1)"
if [ "$(awk -v f="${first// /_}" '$3 != f"_t"' "$WORK/during_hold.log" | wc -l)" -eq 0 ]; then
	ok "... they saw the previous reports, whole (slowest ${slowest} ms)"
else
	fail "... they saw the previous reports, whole"
	sed 's/^/    /' "$WORK/during_hold.log"
fi

# wait => false returns at once and does nothing.
t0=$(now_ms)
out="$(PGAPPNAME=pjeval_cr_D "${PSQL[@]}" -d "$DB" -c "CALL pjeval.refresh_reports(wait => false)" 2>&1)"
rc=$?
t1=$(now_ms)
if [ "$rc" -eq 0 ] && [[ "$out" == *"another refresh is running"* ]] && [ $((t1 - t0)) -lt 2000 ]; then
	ok "CALL refresh_reports(wait => false) returned at once ($((t1 - t0)) ms) with a notice"
else
	fail "CALL refresh_reports(wait => false) returned at once with a notice (rc $rc, $((t1 - t0)) ms: $out)"
fi

# A second refresh waits for the first.
t0=$(now_ms)
PGAPPNAME=pjeval_cr_B "${PSQL[@]}" -d "$DB" -c "CALL pjeval.refresh_reports()" >"$WORK/B.log" 2>&1 &
pid_b=$!
if wait_for 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
                               WHERE a.application_name = 'pjeval_cr_B' AND a.wait_event_type = 'Lock'
                                 AND a.wait_event = 'advisory' AND l.locktype = 'advisory' AND NOT l.granted)"; then
	ok "session B waits on the refresh lock"
else
	fail "session B waits on the refresh lock"
fi

wait "$pid_a"; rc_a=$?
wait "$pid_b"; rc_b=$?
t1=$(now_ms)
if [ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ]; then
	ok "both refreshes succeeded (B returned after $((t1 - t0)) ms)"
else
	fail "both refreshes succeeded (A: $rc_a, B: $rc_b)"
	sed 's/^/    A: /' "$WORK/A.log"
	sed 's/^/    B: /' "$WORK/B.log"
fi

out="$(q "SELECT count(*) FROM pjeval.report_refresh WHERE taken_at > '$first'")"
if [ "$out" = "2" ]; then
	ok "two new refreshes recorded"
else
	fail "two new refreshes recorded (got $out)"
fi
out="$(q "SELECT (SELECT taken_at FROM pjeval.report_refresh ORDER BY taken_at DESC LIMIT 1)
               >= (SELECT finished_at FROM pjeval.report_refresh ORDER BY taken_at DESC OFFSET 1 LIMIT 1)")"
if [ "$out" = "t" ]; then
	ok "B started to read only after A had finished"
else
	fail "B started to read only after A had finished"
fi
# P1 2023 lost 服务次数 (1 of 100: 0.50 instead of its score), so its unit's
# 2023 average fell: A's snapshot does not show it, B's does.
out="$(q "WITH s AS (SELECT s.taken_at, s.avg_total_score FROM pjeval.report_snapshot s
                     JOIN pjeval.unit u ON u.unit_id = s.unit_id
                     WHERE u.code = 'U2' AND s.year = 2023 AND s.taken_at > '$first')
          SELECT (SELECT avg_total_score FROM pjeval.report_snapshot s JOIN pjeval.unit u ON u.unit_id = s.unit_id
                  WHERE u.code = 'U2' AND s.year = 2023 AND s.taken_at = '$first')
                 = (SELECT avg_total_score FROM s ORDER BY taken_at LIMIT 1)
             AND (SELECT avg_total_score FROM s ORDER BY taken_at LIMIT 1)
                 > (SELECT avg_total_score FROM s ORDER BY taken_at DESC LIMIT 1)
             AND (SELECT avg_total_score FROM s ORDER BY taken_at DESC LIMIT 1)
                 = (SELECT avg_total_score FROM pjeval.unit_year_summary v JOIN pjeval.unit u ON u.unit_id = v.unit_id
                    WHERE u.code = 'U2' AND v.year = 2023)")"
if [ "$out" = "t" ]; then
	ok "A's reports predate the change committed during its transaction; B's include it"
else
	fail "A's reports predate the change committed during its transaction; B's include it"
	q "SELECT s.taken_at, s.avg_total_score FROM pjeval.report_snapshot s JOIN pjeval.unit u ON u.unit_id = s.unit_id
	   WHERE u.code = 'U2' AND s.year = 2023 ORDER BY 1" | sed 's/^/    /'
fi

# ---- 2. two refreshes at once, readers in a loop ---------------------------------------
reader loop 60 &
pid_r=$!
rcs=""
for round in 1 2 3 4 5; do
	"${PSQL[@]}" -d "$DB" -c "UPDATE pjeval.evaluation SET notes = 'round $round' WHERE evaluation_id % 7 = $round" >/dev/null 2>&1
	PGAPPNAME=pjeval_cr_X "${PSQL[@]}" -d "$DB" -c "CALL pjeval.refresh_reports()" >"$WORK/X$round.log" 2>&1 &
	px=$!
	PGAPPNAME=pjeval_cr_Y "${PSQL[@]}" -d "$DB" -c "CALL pjeval.refresh_reports()" >"$WORK/Y$round.log" 2>&1 &
	py=$!
	wait "$px"; rx=$?
	wait "$py"; ry=$?
	rcs="$rcs $rx$ry"
done
wait "$pid_r"
if [ "$rcs" = " 00 00 00 00 00" ]; then
	ok "5 rounds of two refreshes at once: all 10 succeeded"
else
	fail "5 rounds of two refreshes at once: all 10 succeeded (exit codes:$rcs)"
	cat "$WORK"/X*.log "$WORK"/Y*.log | sed 's/^/    /'
fi
out="$(q "SELECT count(*) FROM pjeval.report_refresh")"
if [ "$out" = "13" ]; then
	ok "13 refreshes recorded in all (1 + 2 + 10)"
else
	fail "13 refreshes recorded in all (got $out)"
fi
out="$(q "SELECT count(*) FILTER (WHERE n <> $unit_years) || ' ' || count(*)
          FROM (SELECT r.taken_at, count(s.*) AS n FROM pjeval.report_refresh r
                LEFT JOIN pjeval.report_snapshot s USING (taken_at) GROUP BY r.taken_at) x")"
dups="$(q "SELECT count(*) FROM (SELECT 1 FROM pjeval.report_snapshot
                                 GROUP BY taken_at, year, unit_id, budget_unit_id HAVING count(*) > 1) x")"
if [ "$out" = "0 13" ] && [ "$dups" = "0" ]; then
	ok "every refresh has exactly one snapshot row per unit-year ($unit_years), none twice"
else
	fail "every refresh has exactly one snapshot row per unit-year (refreshes off: $out; duplicates: $dups)"
fi
n="$(wc -l <"$WORK/loop.log")"
bad="$(grep -cv '_t$' "$WORK/loop.log")"
slowest="$(awk '{print $2}' "$WORK/loop.log" | sort -n | tail -1)"
if [ "$n" -eq 60 ] && [ "$bad" -eq 0 ]; then
	ok "60 reader queries during the rounds: none failed or waited, every report whole (slowest ${slowest} ms)"
else
	fail "60 reader queries during the rounds: none failed or waited, every report whole ($bad of $n bad)"
	grep -v '_t$' "$WORK/loop.log" | head -n 5 | sed 's/^/    /'
fi
out="$(q "SELECT count(*) FROM (SELECT to_jsonb(t) FROM pjeval.unit_year_summary t
                                EXCEPT ALL SELECT to_jsonb(r) - 'refreshed_at' FROM pjeval.unit_year_report r) x")"
if [ "$out" = "0" ]; then
	ok "after the last refresh the report is the live view"
else
	fail "after the last refresh the report is the live view ($out rows differ)"
fi

# ---- 3. the history survives pg_dump and restore ----------------------------------------
must "pg_dump" pg_dump -d "$DB" -f "$WORK/dump.sql"
must "restore into a new database" createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C "$RESTORED"
must "psql -f dump.sql (ON_ERROR_STOP)" "${PSQL[@]}" -d "$RESTORED" -f "$WORK/dump.sql"
history() {
	"${PSQL[@]}" -d "$1" -A -t -c "SELECT r.taken_at, r.refreshed_by, s.* FROM pjeval.report_refresh r
	                                JOIN pjeval.report_snapshot s USING (taken_at) ORDER BY s.taken_at, s.year, s.unit_id"
}
if diff <(history "$DB") <(history "$RESTORED") >/dev/null && [ "$(history "$RESTORED" | wc -l)" -eq $((13 * unit_years)) ]; then
	ok "report_refresh and report_snapshot restored row for row ($((13 * unit_years)) snapshot rows)"
else
	fail "report_refresh and report_snapshot restored row for row"
fi
out="$("${PSQL[@]}" -d "$RESTORED" -A -t -c "SELECT count(*) FROM pjeval.unit_year_report" \
	-c "CALL pjeval.refresh_reports()" -c "SELECT count(*) FROM pjeval.unit_year_report" \
	-c "SELECT count(*) FROM pjeval.report_refresh" 2>&1 | tr '\n' ' ')"
if [ "$out" = "0 $unit_years 14 " ]; then
	ok "restored: the reports are empty until the next refresh, which rebuilds them and adds to the history"
else
	fail "restored: the reports are empty until the next refresh, which rebuilds them (got: $out)"
fi

finish
