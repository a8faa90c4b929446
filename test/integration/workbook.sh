#!/usr/bin/env bash
# workbook.sh - workbooks from files, as docs/workbooks.md gives it:
#
#     psql -v ON_ERROR_STOP=1 -c "\set wb \`base64 -w0 forms.xlsx\`" -f - <<< "SELECT * FROM pjeval.import_workbook(decode(:'wb', 'base64'))"
#
# imports the seed workbook (test/fixtures/seed.xlsx) and the large hostile
# files, generated here by test/fixtures/make_workbooks.py --big (Debian's
# python3-openpyxl): a zip bomb (300 MB of XML from about 300 KB) and a
# 10^6-row sheet end in 54000 with nothing written, and a cancel
# (statement_timeout) ends the read of the bomb with 57014 well before it
# is inflated.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed, e.g.  pg_virtualenv -t bash test/integration/workbook.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_wb_$$"
WORK="$(mktemp -d -t pjeval-wb.XXXXXX)"
export PGCLIENTENCODING=UTF8 PGDATABASE="$DB"

. test/integration/lib/harness.sh
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
count() { psql -X -At -c "SELECT count(*) FROM pjeval.evaluation"; }
# import FILE [SETTING]: the documented command, output in $WORK/out, status in $rc
import() {
	local f="$1" set="${2:-}"
	psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "\\set wb \`base64 -w0 $f\`" -f - \
		<<< "$set SELECT * FROM pjeval.import_workbook(decode(:'wb', 'base64'))" >"$WORK/out" 2>&1
	rc=$?
}

if createdb -E UTF8 -T template0 --locale=C "$DB" && psql -X -q -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"; finish
fi
if /usr/bin/python3 test/fixtures/make_workbooks.py "$WORK" --big >/dev/null; then
	ok "the workbooks generated (make_workbooks.py --big)"
else
	fail "make_workbooks.py --big"; finish
fi

import test/fixtures/seed.xlsx
totals="$(psql -X -At -c "SELECT string_agg(total_score::text, ' ' ORDER BY total_score) FROM pjeval.evaluation_result")"
if [ "$rc" = 0 ] && [ "$(grep -c '^ *[0-9]' "$WORK/out")" = 2 ] && [ "$totals" = "99.93 100.00" ]; then
	ok "the documented command imports the seed workbook: totals $totals"
else
	fail "the seed workbook (rc=$rc, totals '$totals'): $(cat "$WORK/out")"
fi

before="$(count)"
for f in hostile-bomb hostile-million; do
	import "$WORK/$f.xlsx"
	if [ "$rc" = 3 ] && grep -q 'ERROR:  54000' "$WORK/out" && [ "$(count)" = "$before" ]; then
		ok "$f.xlsx: 54000 ($(grep DETAIL "$WORK/out" | head -1 | sed 's/^DETAIL: *//')), nothing written"
	else
		fail "$f.xlsx (rc=$rc): $(cat "$WORK/out")"
	fi
done

start=$(date +%s)
import "$WORK/hostile-bomb.xlsx" "SET statement_timeout = '100ms';"
took=$(( $(date +%s) - start ))
if [ "$rc" = 3 ] && grep -q 'ERROR:  57014' "$WORK/out" && [ "$took" -le 5 ] && [ "$(count)" = "$before" ]; then
	ok "a cancel while inflating the bomb ends the statement (57014) within 5 s, nothing written"
else
	fail "cancel (rc=$rc, ${took}s): $(cat "$WORK/out")"
fi
# the backend is still there and well
if [ "$(psql -X -At -c 'SELECT 1')" = 1 ]; then ok "the server answers afterwards"; else fail "the server after the cancel"; fi

finish
