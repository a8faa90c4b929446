#!/usr/bin/env bash
# eval_result_bench.sh - pjeval.evaluation_result over every form against a
# plain GROUP BY over the same rows (the view's joins and sums, without the
# scoring functions, the level names and the findings), side by side, with
# max_parallel_workers_per_gather 0 and 2.  Runs against the database that
# PGDATABASE etc. name (bench/suite.sh calls it inside its cluster after
# bench/load_scale.sql); prints one line per setting:
#
#   w=W plain_ms=… view_ms=… ratio=… workers=… (median of ROUNDS, interleaved)
#
# then one line for a dashboard's query (one unit's forms of one year):
#
#   unit=… year=… forms=… ms=… (median of ROUNDS)
#
# and, with EXPLAIN=FILE, keeps EXPLAIN (ANALYZE, BUFFERS) of both queries
# at w=2 in FILE (the workers figures come from it).  A benchmark: it
# asserts nothing.
# Environment: ROUNDS (3), WORKERS ("0 2").
set -euo pipefail

ROUNDS="${ROUNDS:-3}"
WORKERS="${WORKERS:-0 2}"

# Both consume the same kind of result: one row per form, reduced to a few
# sums so that output costs nothing and no column can be planned away.
VIEW_Q="SELECT count(*), sum(total_score), sum(finding_count), count(*) FILTER (WHERE grade = '优')
FROM pjeval.evaluation_result"
PLAIN_Q="SELECT count(*), sum(t.total), sum(t.n), count(*) FILTER (WHERE t.total >= 90)
FROM (
    SELECT e.evaluation_id, p.code, p.name, u.name AS unit_name, bu.name AS budget_unit_name, e.year, e.status,
           coalesce(f.reported_score, 0) + coalesce(s.reported_sum, 0) AS total,
           coalesce(s.n, 0) + coalesce(f.n, 0) AS n
    FROM pjeval.evaluation e
    JOIN pjeval.project p ON p.project_id = e.project_id
    JOIN pjeval.unit u ON u.unit_id = p.unit_id
    LEFT JOIN pjeval.unit bu ON bu.unit_id = e.budget_unit_id
    JOIN pjeval.profile pr ON pr.name = e.profile
    LEFT JOIN (SELECT fl.evaluation_id, count(*) AS n,
                      max(fl.annual_budget) FILTER (WHERE fl.source = 'total') AS annual_budget,
                      max(fl.executed) FILTER (WHERE fl.source = 'total') AS executed,
                      max(fl.reported_score) FILTER (WHERE fl.source = 'total') AS reported_score,
                      sum(fl.annual_budget) FILTER (WHERE fl.source <> 'total') AS sources_annual_budget
               FROM pjeval.fund_line fl GROUP BY fl.evaluation_id) f ON f.evaluation_id = e.evaluation_id
    LEFT JOIN (SELECT i.evaluation_id, count(*) AS n, sum(i.weight) AS weight_total,
                      sum(i.reported_score) AS reported_sum
               FROM pjeval.indicator i
               JOIN pjeval.evaluation e2 ON e2.evaluation_id = i.evaluation_id
               JOIN pjeval.project p2 ON p2.project_id = e2.project_id
               JOIN pjeval.profile pr2 ON pr2.name = e2.profile
               GROUP BY i.evaluation_id) s ON s.evaluation_id = e.evaluation_id
) t"

# one run, in a session of its own: milliseconds of the statement
run_ms() {
	psql -X -q -v ON_ERROR_STOP=1 -c "SET max_parallel_workers_per_gather = $1" -c '\timing on' -c "$2" |
		sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# warm the caches once
run_ms 2 "$PLAIN_Q" >/dev/null
run_ms 2 "$VIEW_Q" >/dev/null

# EXPLAIN (ANALYZE, BUFFERS) of both at w=2: where the time goes, and how
# many workers ran (the timed runs below are not instrumented)
plans="${EXPLAIN:-$(mktemp -t pjeval-explain.XXXXXX)}"
{
	echo "---- EXPLAIN (ANALYZE, BUFFERS) evaluation_result, max_parallel_workers_per_gather = 2"
	psql -X -q -v ON_ERROR_STOP=1 -c 'SET max_parallel_workers_per_gather = 2' -c "EXPLAIN (ANALYZE, BUFFERS) $VIEW_Q"
	echo "---- EXPLAIN (ANALYZE, BUFFERS) plain GROUP BY, max_parallel_workers_per_gather = 2"
	psql -X -q -v ON_ERROR_STOP=1 -c 'SET max_parallel_workers_per_gather = 2' -c "EXPLAIN (ANALYZE, BUFFERS) $PLAIN_Q"
} >"$plans"
# workers launched and partial aggregates, per query, from the plans
workers() {
	awk -v which="$1" '/^---- / { on = (index($0, which) > 0) }
		on && /Workers Launched:/ { w += $NF } on && /Partial/ { p = 1 }
		END { printf "%d%s", w, p ? " (partial aggregate)" : "" }' "$plans"
}

for w in $WORKERS; do
	p_runs=(); v_runs=()
	for ((r = 0; r < ROUNDS; r++)); do
		p_runs+=("$(run_ms "$w" "$PLAIN_Q")")
		v_runs+=("$(run_ms "$w" "$VIEW_Q")")
	done
	pm="$(printf '%s\n' "${p_runs[@]}" | median)"
	vm="$(printf '%s\n' "${v_runs[@]}" | median)"
	if [ "$w" = 0 ]; then pw=0; vw=0; else pw="$(workers plain)"; vw="$(workers evaluation_result)"; fi
	printf 'w=%s plain_ms=%.1f view_ms=%.1f ratio=%.2f plain_workers=%s view_workers="%s" runs_plain="%s" runs_view="%s"\n' \
		"$w" "$pm" "$vm" "$(awk -v a="$vm" -v b="$pm" 'BEGIN { print a / b }')" \
		"$pw" "$vw" "${p_runs[*]}" "${v_runs[*]}"
done
[ -n "${EXPLAIN:-}" ] || rm -f "$plans"

# A dashboard's query: one unit's forms of one year, as evaluation_result
# gives them (the unit with the median number of forms, its latest year),
# timed in one session after a first run.
read -r unit year < <(psql -X -q -At -F ' ' -c "
    SELECT p.unit_id, max(e.year) FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
    GROUP BY p.unit_id ORDER BY count(*), p.unit_id
    OFFSET (SELECT count(DISTINCT unit_id) / 2 FROM pjeval.project) LIMIT 1")
DASH_Q="SELECT count(*), sum(total_score), sum(finding_count), count(*) FILTER (WHERE grade = '优')
FROM pjeval.evaluation_result WHERE unit_id = $unit AND year = $year"
# in one session, as a dashboard's pooled connection runs it: the first
# run (the session's catalog caches, the plan) is left out
mapfile -t d_runs < <(for ((r = 0; r <= ROUNDS; r++)); do echo '\timing on'; echo "$DASH_Q;"; done |
	psql -X -q -v ON_ERROR_STOP=1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -n +2)
printf 'dashboard unit=%s year=%s forms=%s ms=%.2f runs="%s"\n' "$unit" "$year" \
	"$(psql -X -q -At -c "SELECT count(*) FROM pjeval.evaluation_result WHERE unit_id = $unit AND year = $year")" \
	"$(printf '%s\n' "${d_runs[@]}" | median)" "${d_runs[*]}"
