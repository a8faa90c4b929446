#!/usr/bin/env bash
# monitoring_workbook.sh - a monitoring form (项目支出绩效目标执行监控表) in an
# .xlsx workbook imports as its text does: the worked example
# (demo/seed/longhua-monitoring-2023.txt) written cell by cell with Debian's
# python3-openpyxl (amounts as numbers under #,##0.00, percentages as percent
# cells, a second sheet holding the same form for another period), read by
# pjeval.import_monitoring_workbook, gives the rows, lights and findings
# pjeval.import_monitoring gives the text; a sheet that cannot be read is
# refused with its sheet and row named, and nothing is written.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval test/integration/monitoring_workbook.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_mwb_$$"
WORK="$(mktemp -d -t pjeval-mwb.XXXXXX)"
SEED="demo/seed/longhua-monitoring-2023.txt"
export PGCLIENTENCODING=UTF8 PGDATABASE="$DB"

. test/integration/lib/harness.sh
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

# The documents as a workbook, one sheet each (lib/text_workbook.py):
# make_workbook OUT NAME=DOCUMENT ...
make_workbook() { /usr/bin/python3 test/integration/lib/text_workbook.py "$@"; }

import_and_dump() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1" -f - >"$3" 2>"$3.err" <<SQL
BEGIN;
SELECT count(*) AS reports FROM $2;
SELECT 'result', r.project_code, r.year, r.month, r.adjusted_budget, r.executed, r.execution_rate, r.time_progress,
       r.fund_light, r.project_light, r.dual_light
FROM pjeval.monitoring_result r ORDER BY r.month;
SELECT 'fund', m.month, f.source, f.initial_budget, f.added, f.reduced, f.adjusted_budget, f.executed, f.reported_rate, f.forecast
FROM pjeval.monitoring_fund_line f JOIN pjeval.monitoring m USING (monitoring_id) ORDER BY m.month, f.source;
SELECT 'indicator', m.month, i.position, i.level1, i.level2, i.level3, i.target_text, i.actual_text, i.forecast_text,
       i.deviation_causes, i.likelihood
FROM pjeval.monitoring_indicator i JOIN pjeval.monitoring m USING (monitoring_id) ORDER BY m.month, i.position;
SELECT 'finding', position, code FROM pjeval.monitoring_finding ORDER BY monitoring_id, position NULLS FIRST, code;
ROLLBACK;
SQL
}

if createdb -E UTF8 -T template0 --locale=C "$DB" && psql -X -q -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"; finish
fi

# a second period of the same report (1-8月), so that one workbook holds two
sed 's/1-7月/1-8月/g' "$SEED" >"$WORK/aug.txt"
cat "$SEED" "$WORK/aug.txt" >"$WORK/both.txt"
if make_workbook "$WORK/both.xlsx" "1-7月=$SEED" "1-8月=$WORK/aug.txt" && [ -s "$WORK/both.xlsx" ]; then
	ok "the workbook generated (python3-openpyxl): two sheets, 1-7月 and 1-8月"
else
	fail "the workbook could not be generated"; finish
fi

import_and_dump "\\set doc \`cat $WORK/both.txt\`" "pjeval.import_monitoring(:'doc')" "$WORK/text.out"
import_and_dump "\\set wb \`base64 -w0 $WORK/both.xlsx\`" "pjeval.import_monitoring_workbook(decode(:'wb', 'base64'))" "$WORK/wb.out"
if [ "$(head -1 "$WORK/text.out")" = 2 ] && grep -q '^result|440309210901500007728|2023|7|' "$WORK/text.out"; then
	ok "the text: 2 reports ($(grep -c '^indicator' "$WORK/text.out") indicator rows, $(grep -c '^finding' "$WORK/text.out") findings)"
else
	fail "the text did not import: $(head -3 "$WORK/text.out") $(cat "$WORK/text.out.err")"
fi
if [ -s "$WORK/wb.out" ] && cmp -s "$WORK/text.out" "$WORK/wb.out"; then
	ok "the workbook imports as the text: the same rows, lights and findings"
else
	fail "workbook and text differ: $(diff "$WORK/text.out" "$WORK/wb.out" | head -20) $(cat "$WORK/wb.out.err")"
fi

# a sheet that cannot be read: its 监控期间 says 1-9月 while its headers say
# 1-8月; the error names the second sheet and its row, and nothing stays
sed 's/监控期间:\t1-8月/监控期间:\t1-9月/' "$WORK/aug.txt" >"$WORK/bad.txt"
make_workbook "$WORK/bad.xlsx" "1-7月=$SEED" "1-8月=$WORK/bad.txt"
psql -X -q -At -v VERBOSITY=verbose -c "\\set wb \`base64 -w0 $WORK/bad.xlsx\`" -f - >"$WORK/bad.out" 2>&1 <<'SQL'
SELECT count(*) FROM pjeval.import_monitoring_workbook(decode(:'wb', 'base64'));
SQL
if grep -q 'ERROR:  22P02' "$WORK/bad.out" && grep -q 'Sheet "1-8月", row [0-9]' "$WORK/bad.out" &&
   [ "$(psql -X -At -c 'SELECT count(*) FROM pjeval.monitoring')" = 0 ]; then
	ok "a sheet that cannot be read: 22P02 naming the sheet and row, nothing written ($(grep -o 'Sheet "1-8月", row [0-9]*' "$WORK/bad.out" | head -1))"
else
	fail "the unreadable sheet: $(cat "$WORK/bad.out")"
fi

finish
