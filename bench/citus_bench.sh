#!/usr/bin/env bash
# citus_bench.sh - pjeval on a Citus cluster against one node, side by side
# in one run (issue 14): the same FORMS generated forms (bench/gen_forms.sql)
# imported into a coordinator with two workers (CALL pjeval.distribute(),
# docs/scaling.md) and into a single node beside it, then
#
#   import   import_forms of the same batch of IMPORT_FORMS further forms, as
#            the role that loads forms (not a superuser, BYPASSRLS), each run
#            rolled back
#   views    as a reviewer and as a unit member (neither bypasses row-level
#            security): evaluation_result, indicator_result and audit_finding
#            over every form the role sees (a count and a sum), the live
#            report views of 80_reports.sql (unit_year_summary,
#            project_trend, indicator_category_summary) and one form of
#            evaluation_result by its id (a single-shard, router, query)
#   EXPLAIN  of evaluation_result as the reviewer and as the member on the
#            cluster: the lines that show the pushdown (Citus's custom scan,
#            its task count, and the plan a worker runs for one shard)
#
# Each figure is the median of ROUNDS runs (the import: IMPORT_ROUNDS)
# after one warm-up, timed by psql
# (\timing: the client's round trip), cluster ms against single ms and their
# ratio, with whether both gave the same rows.  All four PostgreSQL servers
# run on this one machine, so the figures show what the cluster costs over
# one node (planning the distributed query, 32 shard queries, the
# connections, the rows gathered on the coordinator), not scale-out: workers
# on machines of their own would each scan half the shards with their own
# cores.  A benchmark, not a test: it asserts nothing about time.  It exits
# non-zero on any SQL error.
#
#   bash bench/citus_bench.sh                      # FORMS=20000
#   FORMS=2000 IMPORT_FORMS=500 bash bench/citus_bench.sh
#
# Needs Citus installed for the server (scripts/build-citus.sh).  Builds and
# installs pjeval into ./debian/pjeval and points the clusters at it
# (extension_destdir): nothing is installed system-wide.  Run as root (the
# clusters then belong to postgres) or as a user who can run initdb.  The
# whole output also goes to bench/results/citus-<UTC stamp>.txt (OUT= to
# choose).  Environment: FORMS (20000), IMPORT_FORMS (2000), IMPORT_ROUNDS
# (3: runs of the import), ROUNDS (5: of each view), CITUS_EXPLAIN (set:
# every line of the plans),
# SHARED_BUFFERS (512MB, each server), PG_MAJOR (15).
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
PG_MAJOR="${PG_MAJOR:-15}"
BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
FORMS="${FORMS:-20000}"
IMPORT_FORMS="${IMPORT_FORMS:-2000}"
ROUNDS="${ROUNDS:-5}"
IMPORT_ROUNDS="${IMPORT_ROUNDS:-3}"
SHARED_BUFFERS="${SHARED_BUFFERS:-512MB}"
export PGCLIENTENCODING=UTF8
. test/integration/lib/citus_cluster.sh

if [ ! -f "$("$BIN/pg_config" --pkglibdir)/citus.so" ]; then
	echo "citus_bench: Citus is not installed for PostgreSQL $PG_MAJOR (scripts/build-citus.sh builds it)" >&2
	exit 2
fi

mkdir -p bench/results
OUT="${OUT:-bench/results/citus-$(date -u +%Y%m%dT%H%M%SZ).txt}"
exec > >(tee "$OUT") 2>&1

make -s PG_CONFIG="$BIN/pg_config"
make -s install PG_CONFIG="$BIN/pg_config" DESTDIR="$ROOT/debian/pjeval" >/dev/null

echo "citus_bench: $(date -u '+%F %T UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), FORMS=$FORMS, IMPORT_FORMS=$IMPORT_FORMS, IMPORT_ROUNDS=$IMPORT_ROUNDS, ROUNDS=$ROUNDS"
echo "machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "NOTE: the coordinator, both workers and the single node share these $(nproc) CPUs: the ratios show the"
echo "      cluster's overhead over one node, not scale-out (workers on machines of their own are not measured here)"

cluster_init
trap cluster_cleanup EXIT
settings=(
	"extension_destdir = '$ROOT/debian/pjeval'"
	"dynamic_library_path = '$ROOT/debian/pjeval/usr/lib/postgresql/$PG_MAJOR/lib:\$libdir'"
	"shared_buffers = $SHARED_BUFFERS"
	"max_connections = 100"
	"fsync = off"
	"jit = off"
)
for n in coord w1 w2; do cluster_start "$n" citus "${settings[@]}"; done
cluster_start single '' "${settings[@]}"
citus_join coord w1 w2
v_pg="$(cq single -c 'SHOW server_version')"
v_citus="$(cq coord -c 'SELECT citus_version()')"
v_pw="$(cq single -c 'SHOW max_parallel_workers_per_gather')"
v_shards="$(cq coord -c 'SHOW citus.shard_count')"
echo "servers: PostgreSQL $v_pg, $(echo "$v_citus" | cut -d' ' -f1-2); coordinator ${PORT[coord]}, workers ${PORT[w1]} ${PORT[w2]}," \
	"single node ${PORT[single]}; each shared_buffers=$SHARED_BUFFERS, fsync=off, jit=off, max_parallel_workers_per_gather=$v_pw, citus.shard_count=$v_shards"

# ---- pjeval, the roles, the documented distribution --------------------------
# as README's "Scaling out": the extension, the rights of the roles that
# enter forms, CALL pjeval.distribute(); on the single node all of it but the
# call.  The role that loads forms bypasses row-level security (Citus writes
# an INSERT ... SELECT with COPY, which PostgreSQL refuses under it); the
# member and the reviewer do not.
W=pjeval_bench_writer
for n in coord single; do
	cq "$n" -c 'CREATE EXTENSION pjeval' \
		-c "CREATE ROLE $W LOGIN BYPASSRLS" \
		-c "GRANT INSERT, UPDATE, DELETE ON pjeval.unit, pjeval.unit_member, pjeval.project, pjeval.evaluation, pjeval.fund_line, pjeval.indicator, pjeval.read_finding TO $W" \
		-c 'CREATE ROLE pjeval_bench_member LOGIN' -c 'CREATE ROLE pjeval_bench_reviewer LOGIN'
done
cq coord -c 'SET client_min_messages = warning' -c 'CALL pjeval.distribute()'
v="$(cq coord -c "SELECT extversion FROM pg_extension WHERE extname = 'pjeval'")"
placed="$(cq coord -c "SELECT count(*) FILTER (WHERE partmethod = 'h') || ' tables distributed by evaluation_id, ' || count(*) FILTER (WHERE partmethod = 'n') || ' reference tables' FROM pg_dist_partition")"
echo "pjeval $v on both; on the cluster: $placed"

# ---- the forms ----------------------------------------------------------------
# the same documents for both: FORMS forms to load, and a batch of
# IMPORT_FORMS others (numbered apart: other projects) for the timed import
gen() { cq single -f bench/gen_forms.sql -c "SELECT pg_temp.gen_forms($1, $2, $3)" >"$CLUSTER_WORK/$4"; }
gen "$FORMS" 0.42 10001 forms.txt
gen "$IMPORT_FORMS" 0.43 900001 batch.txt
chmod 644 "$CLUSTER_WORK"/*.txt
# as(ROLE NODE ARGS...): psql as that role
as() { local r=$1 n=$2; shift 2; psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${PORT[$n]}" -U "$r" -d postgres "$@"; }
load() { # NODE: import forms.txt as the writer, in one statement; prints the seconds
	local t0 t1
	t0=$(date +%s.%N)
	(cd "$CLUSTER_WORK" && as "$W" "$1" -c '\set doc `cat forms.txt`' -f - <<<"SELECT count(*) FROM pjeval.import_forms(:'doc')" >/dev/null)
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}
s_load="$(load single)"
c_load="$(load coord)"
for n in single coord; do cq "$n" -c 'VACUUM ANALYZE'; done
rows="$(cq coord -c "SELECT format('%s forms, %s fund lines, %s indicators, %s projects, %s units',
	(SELECT count(*) FROM pjeval.evaluation), (SELECT count(*) FROM pjeval.fund_line), (SELECT count(*) FROM pjeval.indicator),
	(SELECT count(*) FROM pjeval.project), (SELECT count(*) FROM pjeval.unit))")"
echo "loaded: $FORMS forms ($(wc -c <"$CLUSTER_WORK/forms.txt") bytes) by one import_forms as $W: single node $s_load s, cluster $c_load s (one run each); $rows"

# the member works for the unit with the most projects (by name: the same
# unit on both); the reviewer is listed in pjeval.reviewer
unit="$(cq single -c 'SELECT u.name FROM pjeval.unit u JOIN pjeval.project p USING (unit_id) GROUP BY u.unit_id, u.name ORDER BY count(*) DESC, u.name LIMIT 1')"
for n in single coord; do
	cq "$n" -v unit="$unit" -f - <<-'SQL'
		INSERT INTO pjeval.unit_member (unit_id, role_name) SELECT unit_id, 'pjeval_bench_member' FROM pjeval.unit WHERE name = :'unit';
		INSERT INTO pjeval.reviewer (role_name) VALUES ('pjeval_bench_reviewer');
	SQL
done
n_rev="$(as pjeval_bench_reviewer coord -c 'SELECT count(*) FROM pjeval.evaluation_result')"
n_mem="$(as pjeval_bench_member coord -c 'SELECT count(*) FROM pjeval.evaluation_result')"
echo "roles (not superusers, not BYPASSRLS): pjeval_bench_reviewer sees $n_rev forms, pjeval_bench_member (unit $unit) $n_mem forms, on the cluster"

declare -A FORM
# ---- timing ---------------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# timed ROLE NODE SQL [BATCH]: in one session, SQL once to warm up, then
# ROUNDS times, each timed by psql; with BATCH set, each run in a
# transaction rolled back, with :'doc' the batch document.  Prints
# "median ms|the runs' ms|rows of one run|md5 of every run's rows"
timed() {
	local role=$1 node=$2 sql=$3 batch=${4:-} i out ms rows
	out="$(cd "$CLUSTER_WORK" && {
		[ -z "$batch" ] || echo "\\set doc \`cat $batch\`"
		echo "\\set form ${FORM[$node]:-0}"
		for ((i = 0; i <= ROUNDS; i++)); do
			[ -z "$batch" ] || echo 'BEGIN;'
			echo '\timing on'
			echo "$sql;"
			echo '\timing off'
			[ -z "$batch" ] || echo 'ROLLBACK;'
		done
	} | as "$role" "$node" -f -)"
	ms="$(echo "$out" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -n "$ROUNDS")"
	[ "$(echo "$ms" | wc -l)" = "$ROUNDS" ] || { echo "citus_bench: no timing from: $out" >&2; return 1; }
	rows="$(echo "$out" | grep -v '^Time: ' || true)"
	printf '%s|%s|%s|%s\n' "$(echo "$ms" | median)" "$(echo "$ms" | paste -sd' ')" \
		$(($(echo -n "$rows" | grep -c '^' || true) / (ROUNDS + 1))) "$(echo "$rows" | md5sum | cut -c1-32)"
}
# bench LABEL ROLE SQL [BATCH]: the same on the cluster and on the single
# node, one line of the table
results=()
bench() {
	local c s c_ms c_runs c_rows c_md5 s_ms s_runs s_md5
	c="$(timed "$2" coord "$3" "${4:-}")"
	s="$(timed "$2" single "$3" "${4:-}")"
	IFS='|' read -r c_ms c_runs c_rows c_md5 <<<"$c"
	IFS='|' read -r s_ms s_runs _ s_md5 <<<"$s"
	results+=("$(awk -v l="$1" -v r="${2#pjeval_bench_}" -v c="$c_ms" -v s="$s_ms" -v n="$c_rows" -v same="$([ "$c_md5" = "$s_md5" ] && echo yes || echo NO)" \
		'BEGIN { printf "%-48s %-8s %11.1f %11.1f %7.2f %6s %5s", l, r, c, s, c / s, n, same }')")
	echo "runs: $1, ${2#pjeval_bench_}: cluster ms $c_runs; single ms $s_runs"
}

echo
echo "==== timings: median of $ROUNDS runs after a warm-up, psql's \\timing ===="
ROUNDS="$IMPORT_ROUNDS" bench "import_forms, $IMPORT_FORMS forms (rolled back; of $IMPORT_ROUNDS)" "$W" 'SELECT count(*) FROM pjeval.import_forms(:'"'doc'"')' batch.txt
for r in pjeval_bench_reviewer pjeval_bench_member; do
	bench "evaluation_result: count, sum(total_score)" "$r" 'SELECT count(*), sum(total_score) FROM pjeval.evaluation_result'
	bench "indicator_result: count, sum(counted_score)" "$r" 'SELECT count(*), sum(counted_score) FROM pjeval.indicator_result'
	bench "audit_finding: per code, count, sum(length)" "$r" 'SELECT code, count(*), sum(length(message_en)) FROM pjeval.audit_finding GROUP BY code ORDER BY code'
	bench "unit_year_summary: count, sum(forms)" "$r" 'SELECT count(*), sum(forms), sum(total_score_sum) FROM pjeval.unit_year_summary'
	bench "project_trend: count, sum(total_score_change)" "$r" 'SELECT count(*), sum(total_score_change) FROM pjeval.project_trend'
	bench "indicator_category_summary: count, sum" "$r" 'SELECT count(*), sum(indicators), sum(met) FROM pjeval.indicator_category_summary'
done
# one of the member's forms, by its id on each node (:form; the same
# project on both)
code="$(as pjeval_bench_member single -c 'SELECT min(project_code) FROM pjeval.evaluation_result')"
for n in single coord; do
	FORM[$n]="$(cq "$n" -c "SELECT e.evaluation_id FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) WHERE p.code = '$code'")"
done
for r in pjeval_bench_reviewer pjeval_bench_member; do
	bench "one form by id: evaluation_result" "$r" 'SELECT * FROM pjeval.evaluation_result WHERE evaluation_id = :form'
done

echo
echo "==== cluster against single node (ratio = cluster / single; rows: of one run; same: the same rows on both) ===="
printf '%-48s %-8s %11s %11s %7s %6s %5s\n' query role "cluster ms" "single ms" ratio rows same
printf '%s\n' "${results[@]}"
echo "(one machine, $(nproc) CPUs, for the coordinator, both workers and the single node: the cluster's overhead, not scale-out)"

echo
echo "==== EXPLAIN (COSTS OFF) on the cluster, as each role: the lines that show the pushdown ===="
echo "(Citus's scan on the coordinator and its tasks; of the task shown, its node, the plan's top node there, the"
echo " shards it reads with the policies' test pjeval.visible(...) run on the worker, and the InitPlans whose"
echo " values (is_reviewer, member_units) the coordinator computed once and shipped as intermediate results."
echo " CITUS_EXPLAIN=full prints every line)"
pushdown() {
	if [ -n "${CITUS_EXPLAIN:-}" ]; then cat; return; fi
	awk '/Node: host=/ { print; getline; print; worker = 1; next }
	     !worker || /InitPlan|intermediate_result| on [a-z_]+_[0-9]+( |$)|visible\(/ { print }'
}
for r in pjeval_bench_reviewer pjeval_bench_member; do
	for q in 'SELECT count(*), sum(total_score) FROM pjeval.evaluation_result' "SELECT * FROM pjeval.evaluation_result WHERE evaluation_id = ${FORM[coord]}"; do
		echo "---- as ${r#pjeval_bench_}: $q"
		as "$r" coord -c "EXPLAIN (COSTS OFF) $q" | pushdown
	done
done
echo
echo "citus_bench: done $(date -u '+%F %T UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg); output in $OUT"
