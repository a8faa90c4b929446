#!/usr/bin/env bash
# check_distribution.sh - bench/check_distribution.sql on a throwaway
# cluster with this build (make install DESTDIR=debian/pjeval): does the
# schema fit the Citus plan of docs/scaling.md?  Prints one line per rule and
# object and `N passed, N failed`.  Environment: PG_MAJOR (15).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
make -s PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$PWD/debian/pjeval" >/dev/null
exec pg_virtualenv -t -p pjeval -v "$PG_MAJOR" bash test/integration/distribution_check.sh
