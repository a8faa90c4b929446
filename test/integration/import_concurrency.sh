#!/usr/bin/env bash
# import_concurrency.sh - several clients call pjeval.import_forms at the same
# time.  Different forms: every form is stored once, with all its rows, and
# the units they share are made once.  The same project and year: with
# on_conflict 'error' exactly one client wins and every other gets the clear
# 23505 error; with 'replace' every client's version is applied in turn, one
# evaluation remains with one set of rows, and the history holds every
# version.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval bash test/integration/import_concurrency.sh
# It creates (and drops) one database.  The last line is `N passed, N
# failed`; the exit status is non-zero when a check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_conc_$$"
CLIENTS="${CLIENTS:-6}"
FORMS="${FORMS:-40}"             # forms per client in the first part
WORK="$(mktemp -d -t pjeval-conc.XXXXXX)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc -d "$DB")
export PGCLIENTENCODING=UTF8

. test/integration/lib/harness.sh
# check NAME SQL: the query must return the single word t
check() {
	local out
	out="$("${PSQL[@]}" -At -c "$2" 2>&1)"
	if [ "$out" = t ]; then ok "$1"; else fail "$1"; echo "$out" | sed 's/^/    /'; fi
}
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

if createdb -E UTF8 -T template0 --locale=C "$DB" && "${PSQL[@]}" -c 'CREATE EXTENSION pjeval' >/dev/null; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"
	finish
fi

# The documents, made once (bench/gen_forms.sql, a fixed seed): client k
# imports forms numbered k*1000 + 1 … so that no two clients share a project,
# while the units (a handful of 一级预算单位 and their centres) are shared.
if "${PSQL[@]}" >"$WORK/gen.log" 2>&1 <<-SQL
	\i bench/gen_forms.sql
	CREATE TABLE public.doc (client integer PRIMARY KEY, doc text NOT NULL);
	INSERT INTO public.doc SELECT k, pg_temp.gen_forms($FORMS, 0.1 * k, k * 1000 + 1) FROM generate_series(1, $CLIENTS) k;
	CREATE TABLE public.expected AS
	SELECT d.client, jsonb_array_length(f) AS forms,
	       (SELECT sum(jsonb_array_length(x -> 'indicators')) FROM jsonb_array_elements(f) x) AS indicators,
	       (SELECT sum(jsonb_array_length(x -> 'funds')) FROM jsonb_array_elements(f) x) AS funds
	FROM public.doc d CROSS JOIN LATERAL pjeval.read_forms(d.doc) AS f;
SQL
then
	ok "$CLIENTS documents of $FORMS generated forms each"
else
	fail "$CLIENTS documents of $FORMS generated forms each"
	sed 's/^/    /' "$WORK/gen.log"
	finish
fi

# start_together: clients wait on an advisory lock the test holds, so that
# they all start importing at the same moment once it lets go.
hold_gate() {
	rm -f "$WORK/gate.in"
	mkfifo "$WORK/gate.in"
	"${PSQL[@]}" <"$WORK/gate.in" >/dev/null 2>&1 &
	gate_pid=$!
	exec 7>"$WORK/gate.in"
	echo "SELECT pg_advisory_lock(4242);" >&7
	echo "SELECT pg_sleep(0.3);" >&7    # the lock is held before clients start
	sleep 0.5
}
open_gate() {
	echo "SELECT pg_advisory_unlock(4242);" >&7
	exec 7>&-
	wait "$gate_pid"
}
# client NAME SQL: one client in the background, its output and status kept
client() {
	local name="$1" sql="$2"
	(
		"${PSQL[@]}" -At >"$WORK/$name.out" 2>&1 <<-SQL
			SELECT pg_advisory_lock_shared(4242);
			SELECT pg_advisory_unlock_shared(4242);
			$sql
		SQL
		echo $? >"$WORK/$name.rc"
	) &
}

# ---- 1. different forms, at once --------------------------------------------
hold_gate
for k in $(seq 1 "$CLIENTS"); do
	client "diff$k" "SELECT count(*) FROM pjeval.import_forms((SELECT doc FROM public.doc WHERE client = $k));"
done
open_gate
wait
bad=0
for k in $(seq 1 "$CLIENTS"); do
	[ "$(cat "$WORK/diff$k.rc")" = 0 ] || { bad=1; sed "s/^/    client $k: /" "$WORK/diff$k.out"; }
done
[ "$bad" = 0 ] && ok "$CLIENTS clients importing different forms at once all succeed" \
	|| fail "$CLIENTS clients importing different forms at once all succeed"
check "every form is stored, once" \
	"SELECT count(*) = (SELECT sum(forms) FROM public.expected)
	        AND count(*) = count(DISTINCT (project_id, year)) FROM pjeval.evaluation"
check "every project once (by code, or by name in its unit), each with its form" \
	"SELECT count(*) FILTER (WHERE code IS NOT NULL) = count(DISTINCT code)
	    AND count(*) FILTER (WHERE code IS NULL) = count(DISTINCT (unit_id, name)) FILTER (WHERE code IS NULL)
	    AND count(*) = (SELECT count(*) FROM pjeval.evaluation) FROM pjeval.project"
check "every indicator and fund line, none twice" \
	"SELECT (SELECT count(*) FROM pjeval.indicator) = (SELECT sum(indicators) FROM public.expected)
	    AND (SELECT count(*) FROM pjeval.fund_line) = (SELECT sum(funds) FROM public.expected)
	    AND (SELECT count(*) = count(DISTINCT (evaluation_id, position)) FROM pjeval.indicator)"
check "the shared units were made once each" \
	"SELECT count(*) = count(DISTINCT name) AND count(*) > 0 FROM pjeval.unit"
check "each client's forms are scored" \
	"SELECT count(*) = (SELECT sum(forms) FROM public.expected) FROM pjeval.evaluation_result WHERE total_score IS NOT NULL"
check "the history holds one INSERT per form and per indicator" \
	"SELECT (SELECT count(*) FROM pjeval.history WHERE table_name = 'evaluation' AND operation = 'INSERT') = (SELECT sum(forms) FROM public.expected)
	    AND (SELECT count(*) FROM pjeval.history WHERE table_name = 'indicator' AND operation = 'INSERT') = (SELECT sum(indicators) FROM public.expected)"

# ---- 2. the same project and year, on_conflict 'error' --------------------------
# Each client keeps its transaction open a moment after importing, so the
# others meet its uncommitted row and must wait for it.
"${PSQL[@]}" >/dev/null 2>&1 <<-'SQL'
	\i bench/gen_forms.sql
	CREATE TABLE public.one AS SELECT pg_temp.gen_forms(1, 0.77, 900001) AS doc;
	CREATE TABLE public.one_code AS
	SELECT (pjeval.read_forms(doc) -> 0 ->> 'project_code') AS code,
	       (pjeval.read_forms(doc) -> 0 ->> 'year')::int AS year,
	       (pjeval.read_forms(doc) -> 0 ->> 'project_name') AS name
	FROM public.one;
SQL
hold_gate
for k in $(seq 1 "$CLIENTS"); do
	client "same$k" "BEGIN; SELECT count(*) FROM pjeval.import_forms((SELECT doc FROM public.one)); SELECT pg_sleep(0.3); COMMIT;"
done
open_gate
wait
wins=0; clear=0
for k in $(seq 1 "$CLIENTS"); do
	if [ "$(cat "$WORK/same$k.rc")" = 0 ]; then
		wins=$((wins + 1))
	elif grep -q 'already has a form for' "$WORK/same$k.out" && grep -q "on_conflict => 'replace'" "$WORK/same$k.out"; then
		clear=$((clear + 1))
	else
		sed "s/^/    client $k: /" "$WORK/same$k.out"
	fi
done
[ "$wins" = 1 ] && ok "the same project and year from $CLIENTS clients: exactly one wins" \
	|| fail "the same project and year from $CLIENTS clients: exactly one wins (got $wins)"
[ "$clear" = $((CLIENTS - 1)) ] && ok "every other client gets the clear error (already has a form …, hint on_conflict => 'replace')" \
	|| fail "every other client gets the clear error (got $clear of $((CLIENTS - 1)))"
grep -h 'ERROR' "$WORK"/same*.out | head -n 1 | sed 's/^/    e.g. /'
check "one evaluation for that project and year, with one set of rows" \
	"SELECT count(*) = 1 AND min(n) = max(n) AND min(n) > 0
	 FROM (SELECT e.evaluation_id, (SELECT count(*) FROM pjeval.indicator i WHERE i.evaluation_id = e.evaluation_id) AS n
	       FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) JOIN public.one_code c ON c.code = p.code AND c.year = e.year) x"

# ---- 3. the same project and year, on_conflict 'replace' --------------------------
# Every client brings its own version (its number in the goal text); each
# replaces the one before it.
hold_gate
for k in $(seq 1 "$CLIENTS"); do
	client "repl$k" "BEGIN;
		SELECT count(*) FROM pjeval.import_forms(replace((SELECT doc FROM public.one), '围绕', '版本$k：围绕'), 'replace');
		SELECT pg_sleep(0.2); COMMIT;"
done
open_gate
wait
bad=0
for k in $(seq 1 "$CLIENTS"); do
	[ "$(cat "$WORK/repl$k.rc")" = 0 ] || { bad=1; sed "s/^/    client $k: /" "$WORK/repl$k.out"; }
done
[ "$bad" = 0 ] && ok "$CLIENTS clients replacing the same form at once all succeed, one after another" \
	|| fail "$CLIENTS clients replacing the same form at once all succeed, one after another"
check "still one evaluation for that project and year, with one set of rows (no duplicates)" \
	"SELECT count(*) = 1 AND bool_and(n = m) AND bool_and(f = 4)
	 FROM (SELECT (SELECT count(*) FROM pjeval.indicator i WHERE i.evaluation_id = e.evaluation_id) AS n,
	              (SELECT count(DISTINCT position) FROM pjeval.indicator i WHERE i.evaluation_id = e.evaluation_id) AS m,
	              (SELECT count(*) FROM pjeval.fund_line f WHERE f.evaluation_id = e.evaluation_id) AS f
	       FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) JOIN public.one_code c ON c.code = p.code AND c.year = e.year) x"
check "the form is the last client's version, whole" \
	"SELECT e.expected_goal ~ '^版本[0-9]+：围绕' FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) JOIN public.one_code c ON c.code = p.code"
check "the history holds every version: one UPDATE per replace, every old row DELETEd, every new row INSERTed" \
	"WITH e AS (SELECT e.evaluation_id, (SELECT count(*) FROM pjeval.indicator i WHERE i.evaluation_id = e.evaluation_id) AS n
	            FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id) JOIN public.one_code c ON c.code = p.code)
	 SELECT (SELECT count(*) FROM pjeval.history h WHERE h.evaluation_id = e.evaluation_id AND h.table_name = 'evaluation' AND h.operation = 'UPDATE') = $CLIENTS
	    AND (SELECT count(*) FROM pjeval.history h WHERE h.evaluation_id = e.evaluation_id AND h.table_name = 'indicator' AND h.operation = 'DELETE') = $CLIENTS * e.n
	    AND (SELECT count(*) FROM pjeval.history h WHERE h.evaluation_id = e.evaluation_id AND h.table_name = 'indicator' AND h.operation = 'INSERT') = ($CLIENTS + 1) * e.n
	    AND (SELECT count(DISTINCT h.old_row ->> 'expected_goal') FROM pjeval.history h
	         WHERE h.evaluation_id = e.evaluation_id AND h.table_name = 'evaluation' AND h.operation = 'UPDATE') = $CLIENTS
	 FROM e"

# ---- 4. 'replace' racing for a form nobody has stored yet -----------------------
"${PSQL[@]}" >/dev/null 2>&1 <<-'SQL'
	\i bench/gen_forms.sql
	CREATE TABLE public.fresh AS SELECT pg_temp.gen_forms(1, 0.55, 950001) AS doc;
SQL
hold_gate
for k in $(seq 1 "$CLIENTS"); do
	client "fresh$k" "BEGIN; SELECT count(*) FROM pjeval.import_forms((SELECT doc FROM public.fresh), 'replace'); SELECT pg_sleep(0.2); COMMIT;"
done
open_gate
wait
bad=0
for k in $(seq 1 "$CLIENTS"); do
	[ "$(cat "$WORK/fresh$k.rc")" = 0 ] || { bad=1; sed "s/^/    client $k: /" "$WORK/fresh$k.out"; }
done
[ "$bad" = 0 ] && ok "$CLIENTS clients racing to create the same form with 'replace' all succeed" \
	|| fail "$CLIENTS clients racing to create the same form with 'replace' all succeed"
check "one evaluation made, then replaced by the others" \
	"SELECT count(*) = 1 FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
	 WHERE p.code = (SELECT pjeval.read_forms(doc) -> 0 ->> 'project_code' FROM public.fresh)"

# ---- 5. all of it is consistent ---------------------------------------------------
check "no evaluation without its rows, no row without its evaluation" \
	"SELECT NOT EXISTS (SELECT FROM pjeval.evaluation e WHERE NOT EXISTS (SELECT FROM pjeval.indicator i WHERE i.evaluation_id = e.evaluation_id))
	    AND NOT EXISTS (SELECT FROM pjeval.evaluation e WHERE NOT EXISTS (SELECT FROM pjeval.fund_line f WHERE f.evaluation_id = e.evaluation_id))"

finish
