#!/usr/bin/env bash
# import_big.sh - a document of more than 100 MB (the two seed forms
# repeated under distinct project codes, about 37,000 forms) through the
# documented psql command:
#
#   - a 1 s statement_timeout, and a pg_cancel_backend after 2 s, end the
#     import with their error within 5 s, and nothing is written (the reader
#     and the import check for interrupts between any two rows; before, the
#     reading alone ran for minutes, then failed on jsonb's size);
#   - the whole document imports: every form, scored as the seed's, with the
#     backend's peak memory (VmHWM, which counts the shared buffers it
#     touched) under the bound docs/import.md states: what the statement
#     itself takes (its 100 MB literal and what the parser makes of it,
#     measured in a session that only reads it) + 1 × the document + 64 MB
#     + shared_buffers (before, the reading alone took 25-235 × the
#     document, and a document past about 95 MB did not import).
#
# Run it as root (it reads the backend's /proc/PID/status) with
# PGHOST/PGPORT/PGUSER pointing at a server on this machine where pjeval is
# installed, e.g.  pg_virtualenv -t bash test/integration/import_big.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_big_$$"
WORK="$(mktemp -d -t pjeval-big.XXXXXX)"
DOC="$WORK/forms.txt"
MIN_BYTES=$((100 * 1024 * 1024))
export PGCLIENTENCODING=UTF8 PGDATABASE="$DB"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)

. test/integration/lib/harness.sh
bg_pid=""
cleanup() {
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
count() { "${PSQL[@]}" -c "SELECT count(*) FROM pjeval.evaluation"; }

if createdb -E UTF8 -T template0 --locale=C "$DB" && "${PSQL[@]}" -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"
	finish
fi

# The seed's two forms, copy i under the codes A0000000i and B0000000i.
one="$(awk '{ sub("440309210901500004279", "A00000001"); sub("440309210901500007728", "B00000001"); print }' \
	demo/seed/longhua-2022.txt | wc -c)"
copies=$(( (MIN_BYTES + one - 1) / one ))
awk -v n="$copies" '{ l[NR] = $0 }
	END { for (i = 1; i <= n; i++) for (j = 1; j <= NR; j++) {
	          s = l[j]; sub("440309210901500004279", sprintf("A%08d", i), s); sub("440309210901500007728", sprintf("B%08d", i), s); print s } }' \
	demo/seed/longhua-2022.txt > "$DOC"
bytes="$(wc -c < "$DOC")"
forms=$((2 * copies))
if [ "$bytes" -ge "$MIN_BYTES" ]; then
	ok "a document of $bytes bytes, $forms forms"
else
	fail "a document of at least $MIN_BYTES bytes (got $bytes)"
	finish
fi

# 1. statement_timeout: the error within 5 s, nothing written.
cd "$WORK" || exit 2
t0="$(now)"
out="$("${PSQL[@]}" -c "SET statement_timeout = '1s'" -c '\set doc `cat forms.txt`' -f - <<< "SELECT count(*) FROM pjeval.import_forms(:'doc')" 2>&1)"
t1="$(now)"
cd - >/dev/null || exit 2
took="$(elapsed "$t0" "$t1")"
# (57014; a timeout that fires while the server still parses the statement's
# 100 MB literal is reported as "due to user request", PostgreSQL re-arms it)
if echo "$out" | grep -Eq 'canceling statement due to (statement timeout|user request)' && awk -v t="$took" 'BEGIN { exit !(t < 1 + 5) }'; then
	ok "statement_timeout = 1s ends the import in ${took} s"
else
	fail "statement_timeout = 1s ends the import within 5 s (took ${took} s)"; echo "$out" | head -5 | cut -c1-200 | sed 's/^/    /'
fi
[ "$(count)" = 0 ] && ok "nothing written after the timeout" || fail "nothing written after the timeout ($(count) forms)"

# 2. pg_cancel_backend 2 s into the import (once the server has the
# statement): the error within 5 s of the cancel, nothing written.
importing="SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND state = 'active' AND query LIKE '%import_forms%'"
cd "$WORK" || exit 2
"${PSQL[@]}" -c '\set doc `cat forms.txt`' -f - <<< "SELECT count(*) FROM pjeval.import_forms(:'doc')" > "$WORK/cancel.out" 2>&1 &
bg_pid=$!
cd - >/dev/null || exit 2
for _ in $(seq 1 300); do
	[ -n "$("${PSQL[@]}" -c "$importing")" ] && break
	sleep 0.1
done
sleep 2
cancelled="$("${PSQL[@]}" -c "SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM ($importing) a")"
t0="$(now)"
for _ in $(seq 1 100); do
	kill -0 "$bg_pid" 2>/dev/null || break
	sleep 0.1
done
t1="$(now)"
took="$(elapsed "$t0" "$t1")"
if kill -0 "$bg_pid" 2>/dev/null; then
	fail "pg_cancel_backend ends the import within 5 s (still running after 10 s)"
	"${PSQL[@]}" -c "SELECT pg_terminate_backend(pid) FROM ($importing) a" >/dev/null
	kill "$bg_pid" 2>/dev/null
elif [ "$cancelled" = 1 ] && grep -q 'canceling statement due to user request' "$WORK/cancel.out" &&
	awk -v t="$took" 'BEGIN { exit !(t < 5) }'; then
	ok "pg_cancel_backend after 2 s ends the import in ${took} s"
else
	fail "pg_cancel_backend ends the import within 5 s (cancelled $cancelled, took ${took} s)"
	head -5 "$WORK/cancel.out" | cut -c1-200 | sed 's/^/    /'
fi
wait "$bg_pid" 2>/dev/null
bg_pid=""
[ "$(count)" = 0 ] && ok "nothing written after the cancel" || fail "nothing written after the cancel ($(count) forms)"

# read_forms, one jsonb value: a clear 54000 past its 256 MB, not jsonb's own error.
cd "$WORK" || exit 2
out="$("${PSQL[@]}" -c '\set doc `cat forms.txt`' -f - <<< "SELECT jsonb_array_length(pjeval.read_forms(:'doc'))" 2>&1)"
cd - >/dev/null || exit 2
if grep -q 'ERROR:  the forms read up to form [0-9]* of the document make a jsonb value of more than 255 MB' <<<"$out" &&
	grep -q 'HINT:  pjeval.read_form_batch reads a document a few forms at a time' <<<"$out"; then
	ok "read_forms refuses a jsonb value past 256 MB, pointing to read_form_batch"
else
	fail "read_forms refuses a jsonb value past 256 MB"; echo "$out" | head -3 | cut -c1-200 | sed 's/^/    /'
fi

# 3. The whole document, with the documented command; the backend's peak
# memory read from /proc when it is done, beside that of a session that
# only reads the same statement's literal.
peak_of() {
	"${PSQL[@]}" -f - 2>&1 <<-SQL
		SELECT pg_backend_pid() AS pid \gset
		\setenv PJ_PID :pid
		\set doc \`cat forms.txt\`
		$1
		\! awk '/^VmHWM:/ { print "peak", \$2 * 1024 }' /proc/\$PJ_PID/status
		SELECT 'shared_buffers', pg_size_bytes(current_setting('shared_buffers'));
	SQL
}
cd "$WORK" || exit 2
statement="$(peak_of "SELECT length(:'doc');" | awk '$1 == "peak" { print $2 }')"
t0="$(now)"
out="$(peak_of "SELECT count(*) FROM pjeval.import_forms(:'doc');")"
t1="$(now)"
cd - >/dev/null || exit 2
imported="$(echo "$out" | sed -n 1p)"
peak="$(echo "$out" | awk '$1 == "peak" { print $2 }')"
shared="$(echo "$out" | awk -F'|' '$1 == "shared_buffers" { print $2 }')"
if [ "$imported" = "$forms" ] && [ "$(count)" = "$forms" ]; then
	ok "all $forms forms imported in $(elapsed "$t0" "$t1") s"
else
	fail "all $forms forms imported"; echo "$out" | head -5 | cut -c1-200 | sed 's/^/    /'
fi
if [ -n "$peak" ] && [ -n "$shared" ] && [ -n "$statement" ] &&
	[ "$peak" -le $((statement + bytes + 64 * 1024 * 1024 + shared)) ]; then
	ok "peak memory $((peak >> 20)) MB <= the statement's $((statement >> 20)) MB + 1 x $((bytes >> 20)) MB + 64 MB + shared_buffers $((shared >> 20)) MB"
else
	fail "peak memory ${peak:-?} <= the statement's ${statement:-?} + 1 x $bytes + 64 MB + shared_buffers ${shared:-?}"
fi

# Forms from the start, the middle and the end score as the seed's.
want="$(printf '%s\n' "A00000001|99.32|9.93|99.93|优" "B00000001|100.00|10.00|100.00|优" \
	"$(printf 'A%08d|99.32|9.93|99.93|优' $((copies / 2)))" "$(printf 'B%08d|100.00|10.00|100.00|优' "$copies")")"
got="$("${PSQL[@]}" -c "SELECT project_code, execution_rate, fund_score, total_score, grade FROM pjeval.evaluation_result
                        WHERE project_code IN ('A00000001', 'B00000001', '$(printf 'A%08d' $((copies / 2)))', '$(printf 'B%08d' "$copies")')
                        ORDER BY right(project_code, 8), project_code")"
[ "$got" = "$want" ] && ok "first, middle and last forms scored as the seed's" ||
	{ fail "first, middle and last forms scored as the seed's"; echo "$got" | sed 's/^/    /'; }

finish
