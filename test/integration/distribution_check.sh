#!/usr/bin/env bash
# distribution_check.sh - the pjeval schema still fits the plan for
# distributing it with Citus (docs/scaling.md): bench/check_distribution.sql
# on a fresh database, one line per rule and object, known gaps listed in
# docs/scaling.md counted as passing.  Citus itself is not installed.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER may create databases, e.g.
#     pg_virtualenv -t -p pjeval test/integration/distribution_check.sh
# (bench/check_distribution.sh does that).  The last line is
# `N passed, N failed`; the exit status is non-zero when a check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_dist_$$"
export PGCLIENTENCODING=UTF8
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1' EXIT

if ! createdb -E UTF8 -T template0 --locale=C "$DB" ||
   ! psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'CREATE EXTENSION pjeval'; then
	echo "distribution_check: could not create a database with pjeval"
	echo "0 passed, 1 failed"
	exit 1
fi
out="$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f bench/check_distribution.sql 2>&1)"
rc=$?
echo "$out"
last="$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)"
if [ "$rc" -ne 0 ] || [ -z "$last" ]; then
	echo "0 passed, 1 failed"
	exit 1
fi
[ "$(echo "$last" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed$/\1/')" -eq 0 ]
