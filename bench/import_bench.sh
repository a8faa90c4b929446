#!/usr/bin/env bash
# import_bench.sh - how fast pjeval.import_forms loads forms: a document of N
# generated forms (bench/gen_forms.sql, default 10,000) imported in one
# throwaway cluster, with the split between reading (read_forms, the C reader
# and its jsonb) and writing (the rows, their triggers, the history) shown
# side by side.  A script, not a test: it asserts nothing.
#
#   bash bench/import_bench.sh                 # PostgreSQL 15, the installed pjeval
#   N=2000 bash bench/import_bench.sh
#   PG_VIRTUALENV_OPTS="-p pjeval" bash bench/import_bench.sh   # a build installed
#                                              # with make install DESTDIR=debian/pjeval
#
# Each step prints wall-clock seconds and the CPU seconds of the server
# process that ran it (from /proc): on a busy machine the CPU figure is the
# fair one.  Rates are forms per second of each.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

N="${N:-10000}"
PG_MAJOR="${PG_MAJOR:-15}"

if [ "${1:-}" != --inside ]; then
	# shellcheck disable=SC2086
	exec pg_virtualenv -t -v "$PG_MAJOR" ${PG_VIRTUALENV_OPTS:-} bash "$0" --inside
fi

export PGCLIENTENCODING=UTF8
run() { psql -X -q -v ON_ERROR_STOP=1 -v n="$N" "$@"; }

for db in bench_read bench_import bench_nohistory bench_split; do
	createdb -E UTF8 -T template0 --locale=C "$db"
	run -d "$db" -c 'CREATE EXTENSION pjeval'
done

echo "import_bench: generating $N forms (bench/gen_forms.sql, seed 0.42)"
doc="$(mktemp -t pjeval-bench.XXXXXX)"
trap 'rm -f "$doc"' EXIT
chmod 644 "$doc"    # the server reads it
run -d bench_read -At -o "$doc" <<'SQL'
\i bench/gen_forms.sql
SELECT pg_temp.gen_forms(:n);
SQL
printf 'import_bench: %s bytes, %s lines\n\n' "$(wc -c <"$doc")" "$(wc -l <"$doc")"

# One step in one session: the document is loaded into a table first (not
# timed), then the step runs between two readings of the clock and of the
# backend's CPU time (utime + stime, fields 14 and 15 of /proc/<pid>/stat, in
# clock ticks of 10 ms; counted here from the field after the command name).
step() {
	local db="$1" label="$2" sql="$3" setup="${4:-}"
	run -d "$db" -At <<SQL
CREATE TEMP TABLE doc AS SELECT pg_catalog.pg_read_file('$doc') AS d;
CREATE FUNCTION pg_temp.cpu_ms() RETURNS bigint LANGUAGE sql AS \$\$
    SELECT (s[12]::bigint + s[13]::bigint) * 1000 / 100
    FROM (SELECT pg_catalog.regexp_split_to_array(
                     pg_catalog.split_part(pg_catalog.pg_read_file('/proc/' || pg_catalog.pg_backend_pid() || '/stat'), ') ', 2),
                     ' ') AS s) x
\$\$;
$setup
CHECKPOINT;
SELECT pg_catalog.clock_timestamp() AS t0, pg_temp.cpu_ms() AS c0 \gset
\o /dev/null
$sql;
\o
SELECT pg_catalog.format('%-44s %6s %9s %9s %9s %9s', '$label', $N,
           pg_catalog.round(s, 2), pg_catalog.round($N / s), pg_catalog.round(c / 1000.0, 2),
           pg_catalog.round($N / nullif(c / 1000.0, 0)))
FROM (SELECT extract(epoch FROM pg_catalog.clock_timestamp() - :'t0'::timestamptz) AS s,
             pg_temp.cpu_ms() - :c0 AS c) x;
SQL
}

printf '%-44s %6s %9s %9s %9s %9s\n' "step" "forms" "wall s" "forms/s" "CPU s" "forms/CPUs"
step bench_read "read_forms: C reader + jsonb (no writes)" \
	"SELECT pg_catalog.jsonb_array_length(pjeval.read_forms(d)) FROM doc"
step bench_import "import_forms: new forms (everything)" \
	"SELECT pg_catalog.count(*) FROM pjeval.import_forms((SELECT d FROM doc))"
step bench_import "import_forms: replace them all" \
	"SELECT pg_catalog.count(*) FROM pjeval.import_forms((SELECT d FROM doc), on_conflict => 'replace')"
step bench_nohistory "import_forms without history (comparison)" \
	"SELECT pg_catalog.count(*) FROM pjeval.import_forms((SELECT d FROM doc))" \
	"ALTER TABLE pjeval.unit DISABLE TRIGGER zz_history; ALTER TABLE pjeval.project DISABLE TRIGGER zz_history;
	 ALTER TABLE pjeval.evaluation DISABLE TRIGGER zz_history; ALTER TABLE pjeval.fund_line DISABLE TRIGGER zz_history;
	 ALTER TABLE pjeval.indicator DISABLE TRIGGER zz_history;"

echo
echo "Where the time of a new import goes (import_forms's own timings, at DEBUG):"
run -d bench_split -At <<SQL 2>&1 | sed -n 's/.*DEBUG:  import_forms: /  /p'
SET client_min_messages = debug1;
SELECT pg_catalog.count(*) FROM pjeval.import_forms(pg_catalog.pg_read_file('$doc'));
SQL
echo
run -d bench_import -At <<'SQL'
SELECT pg_catalog.format('stored: %s evaluations, %s fund lines, %s indicators, %s history rows',
       (SELECT count(*) FROM pjeval.evaluation), (SELECT count(*) FROM pjeval.fund_line),
       (SELECT count(*) FROM pjeval.indicator), (SELECT count(*) FROM pjeval.history));
SQL
