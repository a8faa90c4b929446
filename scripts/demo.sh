#!/usr/bin/env bash
# demo.sh - the pjeval demo: `bash scripts/demo.sh` as root on a fresh
# Debian 12 machine.  Installs what it needs (scripts/deps.sh), starts a
# throwaway PostgreSQL 15 cluster (pg_virtualenv), creates a UTF-8 database,
# and runs demo/demo.sql: the two real forms of demo/seed/longhua-2022.txt
# imported from their raw text with pjeval.import_forms, their scores
# (evaluation_result) and findings (audit_finding), how a few values read,
# one indicator explained, and the forms written back out (export_form: the
# template's text, and printable HTML pages kept in $DEMO_OUT, by default a
# new directory under /tmp).  The cluster is dropped at the end.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"

if [ "${1:-}" != --inside ]; then
	export DEMO_OUT="${DEMO_OUT:-$(mktemp -d -t pjeval-demo.XXXXXX)}"
	mkdir -p "$DEMO_OUT"
	bash scripts/deps.sh
	echo
	echo "demo.sh: starting a throwaway PostgreSQL $PG_MAJOR cluster"
	# -t: a cluster in a temporary directory even as root.
	exec pg_virtualenv -t -v "$PG_MAJOR" bash "$0" --inside
fi

: "${DEMO_OUT:=/tmp}"
export PGCLIENTENCODING=UTF8 PGDATABASE=pjeval_demo
createdb -E UTF8 -T template0 --locale=C pjeval_demo
psql -X -v ON_ERROR_STOP=1 -v out="$DEMO_OUT" -f demo/demo.sql
echo
echo "demo.sh: done (the throwaway cluster is dropped now; the pages stay in $DEMO_OUT)"
