#!/usr/bin/env bash
# rls_bench.sh - what row-level security costs a unit member and a reviewer
# on one node (issue 14: the policies' test, pjeval.visible): N forms
# (default 20000) from bench/load_scale.sql, a role that works for the unit
# with the most projects and a reviewer (neither bypasses row-level
# security), and per role and max_parallel_workers_per_gather (0, 2) the
# median of 5 runs (after a warm-up) of evaluation_result over every form
# it sees, indicator_result likewise, and one of the member's forms, timed
# by EXPLAIN ANALYZE (TIMING OFF).  Prints one line per setting and role:
#
#   w=W ROLE forms=… evaluation_result_ms=… indicator_result_ms=… one_form_ms=…
#
# Run it inside a throwaway cluster from the source tree, after
# make install DESTDIR=$PWD/debian/pjeval:
#     pg_virtualenv -t -p pjeval -v 15 bench/rls_bench.sh
# A benchmark: it asserts nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${N:-20000}
Q="psql -X -q -At -v ON_ERROR_STOP=1"
$Q -c "CREATE EXTENSION pjeval"
$Q -v seed=20220101 -f bench/load_scale.sql -c "CALL bench_scale.load(1, $N)" -c "CALL bench_scale.finish()" >/dev/null
$Q -c "VACUUM ANALYZE"
uid=$($Q -c "SELECT p.unit_id FROM pjeval.project p GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
$Q -c "CREATE ROLE bench_member" -c "INSERT INTO pjeval.unit_member VALUES ($uid, 'bench_member')" -c "CREATE ROLE bench_rev" -c "INSERT INTO pjeval.reviewer VALUES ('bench_rev')"
t() { # role query
  for i in 1 2 3 4 5 6; do
    $Q -c "SET ROLE $1" -c "SET max_parallel_workers_per_gather = ${W:-0}" -c "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) $2" | sed -nE 's/^Execution Time: ([0-9.]+) ms/\1/p'
  done | tail -5 | sort -n | sed -n 3p
}
for W in 0 2; do for r in bench_member bench_rev; do
  n=$($Q -c "SET ROLE $r" -c "SELECT count(*) FROM pjeval.evaluation_result")
  echo "w=$W $r forms=$n evaluation_result_ms=$(t $r 'SELECT count(*), sum(total_score), sum(finding_count) FROM pjeval.evaluation_result') indicator_result_ms=$(t $r 'SELECT count(*), sum(counted_score) FROM pjeval.indicator_result') one_form_ms=$(t $r "SELECT * FROM pjeval.evaluation_result WHERE evaluation_id = (SELECT min(evaluation_id) FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) WHERE p.unit_id = $uid)")"
done; done
