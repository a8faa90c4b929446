#!/usr/bin/env bash
# upgrade_bench.sh - how long ALTER EXTENSION pjeval UPDATE takes from the
# last released version (upgrade/RELEASES) on a populated database: N forms
# (default 100,000) loaded by that version's own bench/load_scale.sql, then
# the update timed, then pjeval.verify_results() (every stored result what
# the live views give; the count of differences is printed, 0 expected) and
# the number of forms and indicators with a stored result.  A benchmark, not
# a test: it asserts nothing (test/integration/upgrade.sh checks the update
# object by object).
#
#   bash bench/upgrade_bench.sh               # builds and installs into ./debian/pjeval
#   N=10000 bash bench/upgrade_bench.sh
#
# Runs in a throwaway cluster (pg_virtualenv -t -p pjeval); the old
# version's install script goes into ./debian/pjeval beside the current one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

N="${N:-100000}"
PG_MAJOR="${PG_MAJOR:-15}"
read -r FROM COMMIT < <(grep -v '^#' upgrade/RELEASES | grep . | tail -n 1)
CURRENT="$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" pjeval.control)"

if [ "${1:-}" != --inside ]; then
	make -s
	make -s install DESTDIR="$PWD/debian/pjeval" >/dev/null
	src="$(mktemp -d -t pjeval-upbench.XXXXXX)"
	trap 'rm -rf "$src"' EXIT
	git archive "$COMMIT" | tar -x -C "$src"
	make -s -C "$src" "pjeval--$FROM.sql" PG_CONFIG="$(command -v pg_config)"
	cp "$src/pjeval--$FROM.sql" "debian/pjeval$(pg_config --sharedir)/extension/"
	cp "$src/bench/load_scale.sql" "debian/pjeval/load_scale-$FROM.sql"
	PG_VIRTUALENV_OPTS="${PG_VIRTUALENV_OPTS:--o shared_buffers=4GB -o max_wal_size=16GB -o jit=off}"
	# shellcheck disable=SC2086
	exec pg_virtualenv -t -p pjeval -v "$PG_MAJOR" $PG_VIRTUALENV_OPTS bash "$0" --inside
fi

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
createdb -E UTF8 -T template0 --locale=C upbench
export PGDATABASE=upbench
q -c "CREATE EXTENSION pjeval VERSION '$FROM'"
t0=$(date +%s.%N)
PGOPTIONS="-c client_min_messages=warning" q -v seed=20220101 -f "debian/pjeval/load_scale-$FROM.sql" >/dev/null
half=$((N / 2))
q -c "CALL bench_scale.load(1, $half)" & p1=$!
q -c "CALL bench_scale.load($((half + 1)), $N)" & p2=$!
wait "$p1"; wait "$p2"
q -c "CALL bench_scale.finish()" >/dev/null
q -c 'VACUUM (ANALYZE)' -c 'CHECKPOINT'
t1=$(date +%s.%N)
echo "upgrade_bench: $N forms loaded into pjeval $FROM in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s:" \
	"$(q -c "SELECT count(*) || ' forms, ' || (SELECT count(*) FROM pjeval.indicator) || ' indicators' FROM pjeval.evaluation")"
t0=$(date +%s.%N)
q -c 'ALTER EXTENSION pjeval UPDATE' 2>&1 | sed 's/^/  /'
t1=$(date +%s.%N)
echo "upgrade_bench: ALTER EXTENSION pjeval UPDATE ($FROM -> $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'pjeval'")," \
	"target $CURRENT) took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
echo "upgrade_bench: stored results: $(q -c "SELECT (SELECT count(*) FROM pjeval.evaluation_score) || ' forms, ' || (SELECT count(*) FROM pjeval.indicator_outcome) || ' indicators'")"
t0=$(date +%s.%N)
echo "upgrade_bench: verify_results() differences: $(q -c 'SELECT count(*) FROM pjeval.verify_results()')" \
	"($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
