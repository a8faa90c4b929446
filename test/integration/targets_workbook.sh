#!/usr/bin/env bash
# targets_workbook.sh - target forms (项目支出绩效目标申报表) in an .xlsx
# workbook import as their text does: the fixtures of sql/targets.sql
# (test/fixtures/targets: grid-2023.txt, and quality-2023.txt with two forms)
# written cell by cell with Debian's python3-openpyxl (amounts as numbers
# under #,##0.00, percentages as percent cells, a cell over two lines), one
# sheet each, read by pjeval.import_targets_workbook, give the rows, the
# quantified shares and the findings pjeval.import_targets gives the text; a
# sheet that cannot be read is refused with its sheet and row named, and
# nothing is written.  The other way, pjeval.export_targets_workbook writes
# the stored forms in ten columns (A-J), which openpyxl opens and which
# import back to the same rows, quantified shares and findings.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval test/integration/targets_workbook.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_twb_$$"
WORK="$(mktemp -d -t pjeval-twb.XXXXXX)"
GRID="test/fixtures/targets/grid-2023.txt"
QUALITY="test/fixtures/targets/quality-2023.txt"
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
SELECT count(*) AS forms FROM $2;
SELECT 'target', p.code, p.name, u.name, t.year, t.version, t.attribute, t.amount_unit, t.long_term_goal, t.annual_goal, t.notes
FROM pjeval.target t JOIN pjeval.project p USING (project_id) JOIN pjeval.unit u ON u.unit_id = p.unit_id
ORDER BY p.code, t.version;
SELECT 'fund', p.code, f.source, f.label, f.last_year_budget, f.last_year_executed, f.requested
FROM pjeval.target_fund_line f JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
ORDER BY p.code, f.source, f.label;
SELECT 'indicator', p.code, i.position, i.term, i.level1, i.level2, i.level3, i.target_text, i.target, i.formula,
       i.standard, i.last_year_text, i.notes
FROM pjeval.target_indicator i JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
ORDER BY p.code, i.position;
SELECT 'quantified', p.code, q.applicable, q.quantified, q.quantified_share
FROM pjeval.target_quantified q JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
ORDER BY p.code;
SELECT 'finding', p.code, f.position, f.code, f.message_en
FROM pjeval.target_finding f JOIN pjeval.target t USING (target_id) JOIN pjeval.project p USING (project_id)
ORDER BY p.code, f.position NULLS FIRST, f.code, f.message_en;
ROLLBACK;
SQL
}

if createdb -E UTF8 -T template0 --locale=C "$DB" && psql -X -q -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"; finish
fi

cp "$GRID" "$WORK/网格.txt"
cp "$QUALITY" "$WORK/质量.txt"
cat "$GRID" "$QUALITY" >"$WORK/both.txt"
if make_workbook "$WORK/both.xlsx" "网格=$WORK/网格.txt" "质量=$WORK/质量.txt" && [ -s "$WORK/both.xlsx" ]; then
	ok "the workbook generated (python3-openpyxl): two sheets, 网格 (one form) and 质量 (two)"
else
	fail "the workbook could not be generated"; finish
fi

import_and_dump "\\set doc \`cat $WORK/both.txt\`" "pjeval.import_targets(:'doc')" "$WORK/text.out"
import_and_dump "\\set wb \`base64 -w0 $WORK/both.xlsx\`" "pjeval.import_targets_workbook(decode(:'wb', 'base64'))" "$WORK/wb.out"
if [ "$(head -1 "$WORK/text.out")" = 3 ] && grep -q '^target|TGT-7728|网格信息采集工作|' "$WORK/text.out"; then
	ok "the text: 3 forms ($(grep -c '^indicator' "$WORK/text.out") indicator rows, $(grep -c '^finding' "$WORK/text.out") findings)"
else
	fail "the text did not import: $(head -3 "$WORK/text.out") $(cat "$WORK/text.out.err")"
fi
if [ -s "$WORK/wb.out" ] && cmp -s "$WORK/text.out" "$WORK/wb.out"; then
	ok "the workbook imports as the text: the same rows, quantified shares and findings"
else
	fail "workbook and text differ: $(diff "$WORK/text.out" "$WORK/wb.out" | head -20) $(cat "$WORK/wb.out.err")"
fi
# the workbook's numbers were numbers and percent cells, read as shown
if /usr/bin/python3 - "$WORK/both.xlsx" <<-'PY'
	import sys, openpyxl
	ws = openpyxl.load_workbook(sys.argv[1])["网格"]
	formats = {c.number_format for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float))}
	sys.exit(0 if {"#,##0.00", "0.00%"} <= formats else 1)
	PY
then
	ok "the sheet holds amounts as numbers (#,##0.00) and percentages as percent cells (0.00%)"
else
	fail "the sheet has no number or percent cell"
fi

# a sheet that cannot be read: the second form of 质量 says 项目属性 续建;
# the error names the sheet and its row, and nothing stays
sed '20s/项目属性:\t新增/项目属性:\t续建/' "$QUALITY" >"$WORK/质量.txt"
make_workbook "$WORK/bad.xlsx" "网格=$WORK/网格.txt" "质量=$WORK/质量.txt"
psql -X -q -At -v VERBOSITY=verbose -c "\\set wb \`base64 -w0 $WORK/bad.xlsx\`" -f - >"$WORK/bad.out" 2>&1 <<'SQL'
SELECT count(*) FROM pjeval.import_targets_workbook(decode(:'wb', 'base64'));
SQL
if grep -q 'ERROR:  22P02' "$WORK/bad.out" && grep -q 'Sheet "质量", row 20' "$WORK/bad.out" &&
   [ "$(psql -X -At -c 'SELECT count(*) FROM pjeval.target')" = 0 ] &&
   [ "$(psql -X -At -c 'SELECT count(*) FROM pjeval.project')" = 0 ]; then
	ok "a sheet that cannot be read: 22P02 naming the sheet and row, nothing written ($(grep -o 'ERROR:  22P02: .*' "$WORK/bad.out" | head -1))"
else
	fail "the unreadable sheet: $(cat "$WORK/bad.out")"
fi

# the importer's own refusals keep their SQLSTATE: on_conflict
psql -X -q -At -v VERBOSITY=verbose -c "\\set wb \`base64 -w0 $WORK/both.xlsx\`" -f - >"$WORK/conflict.out" 2>&1 <<'SQL'
SELECT count(*) FROM pjeval.import_targets_workbook(decode(:'wb', 'base64'), 'merge');
SQL
if grep -q 'ERROR:  22023' "$WORK/conflict.out"; then
	ok "on_conflict outside error, replace, adjust: 22023"
else
	fail "on_conflict: $(cat "$WORK/conflict.out")"
fi

# the other way: the stored forms exported as a workbook (ten columns, A-J),
# opened by openpyxl, imported again where they were (the rows removed,
# units and projects kept) as the text was
psql -X -q -At -v ON_ERROR_STOP=1 -c "\\set doc \`cat $WORK/both.txt\`" -f - >"$WORK/export.b64" 2>"$WORK/export.err" <<'SQL'
SELECT count(*) FROM pjeval.import_targets(:'doc') \gset
SELECT encode(pjeval.export_targets_workbook(ARRAY(SELECT target_id FROM pjeval.target ORDER BY target_id)), 'base64');
DELETE FROM pjeval.target;
SQL
base64 -d <"$WORK/export.b64" >"$WORK/exported.xlsx" 2>/dev/null
if /usr/bin/python3 - "$WORK/exported.xlsx" <<-'PY'
	import sys, openpyxl
	wb = openpyxl.load_workbook(sys.argv[1])
	ok = len(wb.worksheets) == 3
	for ws in wb.worksheets:
	    heads = [r for r in ws.iter_rows() if r[0].value == "绩效指标"]
	    ok = ok and ws.max_column == 10 and len(heads) == 1 and heads[0][9].value == "备注" \
	        and ws.column_dimensions["J"].width > 0
	ok = ok and any(isinstance(c.value, (int, float)) and c.number_format == "#,##0.00"
	                for ws in wb.worksheets for r in ws.iter_rows() for c in r)
	sys.exit(0 if ok else 1)
	PY
then
	ok "export_targets_workbook: 3 sheets of ten columns (A-J, 备注 in J), amounts as numbers, opened by openpyxl"
else
	fail "the exported workbook: $(cat "$WORK/export.err") $(ls -l "$WORK/exported.xlsx" 2>&1)"
fi
import_and_dump "\\set wb \`base64 -w0 $WORK/exported.xlsx\`" "pjeval.import_targets_workbook(decode(:'wb', 'base64'))" "$WORK/exported.out"
if [ -s "$WORK/exported.out" ] && cmp -s "$WORK/text.out" "$WORK/exported.out"; then
	ok "the exported workbook imports as the text: the same rows, quantified shares and findings"
else
	fail "exported workbook and text differ: $(diff "$WORK/text.out" "$WORK/exported.out" | head -20) $(cat "$WORK/exported.out.err")"
fi

finish
