#!/usr/bin/env bash
# workbook_export.sh - another program opens what pjeval.export_workbook
# writes.  The seed forms (demo/seed/longhua-2022.txt) are imported,
# exported with the command docs/workbooks.md gives,
#
#     psql -X -At -c "SELECT encode(pjeval.export_workbook(ARRAY[…]), 'base64')" | base64 -d > forms.xlsx
#
# and the file is opened with Debian's python3-openpyxl, which checks the
# sheet names, the merged ranges, numbers stored as numbers with the
# template's formats, text that looks like a formula stored as text, the
# fonts, the borders, the column widths and the page setup (A4 portrait, one
# page wide, print titles).  The file read back by import_workbook gives the
# same totals; a cancel while writing ends the statement and leaves no
# temporary file.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed, e.g.  pg_virtualenv -t bash test/integration/workbook_export.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_wbx_$$"
WORK="$(mktemp -d -t pjeval-wbx.XXXXXX)"
export PGCLIENTENCODING=UTF8 PGDATABASE="$DB"

. test/integration/lib/harness.sh
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

if createdb -E UTF8 -T template0 --locale=C "$DB" && psql -X -q -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"; finish
fi

# the seed forms, and one whose cells begin like formulas
if psql -X -q -v ON_ERROR_STOP=1 -c '\set doc `cat demo/seed/longhua-2022.txt`' -f - >/dev/null <<'SQL'
SELECT * FROM pjeval.import_forms(:'doc');
SELECT * FROM pjeval.import_forms(concat_ws(E'\n',
    '项目支出绩效自评表',
    E'项目编号:\tF-1\t项目名称:\t公式/注入:测试\t绩效自评年度:\t2023',
    E'实施单位:\t公式测试中心\t一级预算单位:\t公式测试中心',
    E'\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分',
    E'项目资金（元）\t年度资金总额\t100\t100\t100\t10\t100\t10',
    E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施',
    E'\t产出指标 (50分)\t数量指标\t=1+1\t+5次\t@SUM(A1)\t50\t50\t-2+3',
    E'总分\t\t\t\t\t\t100\t100',
    '备注：') || E'\n');
SQL
then
	ok "the seed forms and a form of formula-like cells imported"
else
	fail "importing the forms"; finish
fi
before="$(psql -X -At -c "SELECT string_agg(concat_ws(' ', project_code, total_score, reported_total, findings), ', ' ORDER BY project_code) FROM pjeval.evaluation_result")"

if psql -X -At -v ON_ERROR_STOP=1 \
	-c "SELECT encode(pjeval.export_workbook(ARRAY(SELECT evaluation_id FROM pjeval.evaluation ORDER BY evaluation_id)), 'base64')" \
	| base64 -d > "$WORK/forms.xlsx" && [ -s "$WORK/forms.xlsx" ]; then
	ok "exported with the documented command ($(stat -c %s "$WORK/forms.xlsx") bytes)"
else
	fail "the export"; finish
fi

# openpyxl opens it and finds the template's layout
if /usr/bin/python3 - "$WORK/forms.xlsx" >"$WORK/py.out" 2>&1 <<'PY'
import sys
import warnings

import openpyxl

warnings.simplefilter('error')          # a warning while reading is a failure
wb = openpyxl.load_workbook(sys.argv[1])
problems = []


def check(cond, what):
    print(('ok     ' if cond else 'FAILED ') + what)
    if not cond:
        problems.append(what)


check(wb.sheetnames == ['数字化城管信息系统运行项目（系统操作员）', '网格信息采集工作', '公式_注入_测试'],
      f'sheet names {wb.sheetnames}')
ws = wb['数字化城管信息系统运行项目（系统操作员）']
merged = {str(r) for r in ws.merged_cells.ranges}
for r in ['A1:I1', 'A4:I4', 'A6:A9', 'A11:A12', 'B11:E11', 'F12:I12', 'A13:A28', 'B14:B23', 'C14:C17', 'C18:C20',
          'B24:B26', 'B27:B28', 'A29:F29', 'A30:I30']:
    check(r in merged, f'merged range {r}')
check(ws['A1'].value == '项目支出绩效自评表' and ws['A1'].font.b and ws['A1'].font.sz == 16, 'the title, bold 16 pt')
check(ws['C6'].data_type == 'n' and ws['C6'].value == 1663900 and ws['C6'].number_format == '#,##0.00',
      f'年初预算数 a number under #,##0.00 ({ws["C6"].value!r}, {ws["C6"].number_format})')
check(ws['E6'].value == 1808698.26 and ws['E6'].number_format == '#,##0.00', 'executed 1808698.26')
check(ws['G6'].data_type == 'n' and abs(ws['G6'].value - 99.32) < 1e-9 and ws['G6'].number_format == '0.00',
      f'执行率 99.32 under 0.00 ({ws["G6"].number_format})')
check(ws['F6'].value == 10 and ws['F6'].number_format == '0', '分值 10 under 0')
check(ws['F18'].data_type == 'n' and abs(ws['F18'].value - 0.92) < 1e-12 and ws['F18'].number_format == '0%',
      f'92% a percent cell ({ws["F18"].value!r}, {ws["F18"].number_format})')
check(ws['E18'].data_type == 's' and ws['E18'].value == '≥90%', 'the target ≥90% as text')
check(ws['B14'].value == '产出指标 (50分)' and ws['B15'].value is None, 'the level-1 cell once, merged down')
check(ws['H29'].value == 99.93 and ws['H29'].number_format == '0.00', '总分 99.93')
check(all(c.font.name == '宋体' for row in ws.iter_rows() for c in row if c.value is not None),
      'every filled cell in 宋体')
check(ws['D16'].font.sz == 11, '11 pt')
check(ws['D16'].border.left.style == 'thin' and ws['D16'].border.bottom.style == 'thin'
      and ws['B15'].border.left.style == 'thin', 'the table bordered, in merged ranges too')
check(ws['D16'].alignment.wrap_text, 'text wrapped')
widths = [ws.column_dimensions[c].width for c in 'ABCDEFGHI']
check(all(w and w > 5 for w in widths) and sum(widths) < 130, f'column widths {widths}')
check(ws.row_dimensions[12].height and ws.row_dimensions[12].height > 30, 'the goals row tall enough for its text')
ps = ws.page_setup
check(str(ps.paperSize) == '9' and ps.orientation == 'portrait', f'A4 portrait ({ps.paperSize}, {ps.orientation})')
# fitToWidth left out is 1, the schema's default
check(ws.sheet_properties.pageSetUpPr.fitToPage and str(ps.fitToWidth or 1) == '1' and str(ps.fitToHeight) == '0',
      f'one page wide ({ps.fitToWidth or 1} x {ps.fitToHeight})')
check(ws.print_title_rows == '$13:$13', f'print titles {ws.print_title_rows}')
check('&P' in (ws.oddFooter.center.text or '') and '&N' in (ws.oddFooter.center.text or ''),
      f'page numbers in the footer ({ws.oddFooter.center.text})')
f = wb['公式_注入_测试']
formula_like = [f[r].value for r in ('D11', 'E11', 'F11', 'I11')]
check(formula_like == ['=1+1', '+5次', '@SUM(A1)', '-2+3'] and all(f[r].data_type == 's' for r in ('D11', 'E11', 'F11', 'I11')),
      f'formula-like text stored as strings: {formula_like}')
check(not any(isinstance(c.value, str) and c.data_type == 'f' for s in wb for row in s.iter_rows() for c in row),
      'no formula anywhere')
sys.exit(1 if problems else 0)
PY
then
	ok "python3-openpyxl opens it: $(grep -c '^ok' "$WORK/py.out") checks of layout, numbers, fonts, borders and page setup"
else
	fail "python3-openpyxl: $(grep -v '^ok' "$WORK/py.out")"
fi

# LibreOffice, where it is installed (it is not in scripts/deps.sh: too
# large for a test dependency), opens it too and shows every cell as
# pjeval's reader does: its CSV of each sheet, cells as shown, is
# workbook_text's lines
if command -v soffice >/dev/null; then
	mkdir -p "$WORK/lo"
	psql -X -At -c "\\set wb \`base64 -w0 $WORK/forms.xlsx\`" -f - \
		<<< "SELECT pjeval.workbook_text(decode(:'wb', 'base64'))" > "$WORK/text.txt"
	if HOME="$WORK/lo" timeout 120 soffice --headless --norestore \
		--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1' \
		--outdir "$WORK/lo" "$WORK/forms.xlsx" >"$WORK/lo.out" 2>&1 \
		&& /usr/bin/python3 - "$WORK" >"$WORK/lo.cmp" 2>&1 <<'PY'
import csv
import io
import sys

import openpyxl

work = sys.argv[1]
names = openpyxl.load_workbook(f'{work}/forms.xlsx', read_only=True).sheetnames
shown = []
for name in names:
    with open(f'{work}/lo/forms-{name}.csv', encoding='utf-8', newline='') as f:
        shown += list(csv.reader(f))
with open(f'{work}/text.txt', encoding='utf-8') as f:
    text = f.read().rstrip('\n') + '\n'
read = list(csv.reader(io.StringIO(text), delimiter='\t'))


def trim(rows):
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] == '':
            r.pop()
        out.append(r)
    return out


a, b = trim(shown), trim(read)
for i, (x, y) in enumerate(zip(a, b), 1):
    if x != y:
        print(f'row {i}: LibreOffice {x} / pjeval {y}')
        sys.exit(1)
if len(a) != len(b):
    print(f'{len(a)} rows in LibreOffice, {len(b)} read by pjeval')
    sys.exit(1)
print(len(a))
PY
	then
		ok "LibreOffice opens it and shows the $(cat "$WORK/lo.cmp") rows as pjeval's reader reads them"
	else
		fail "LibreOffice: $(cat "$WORK/lo.out" "$WORK/lo.cmp" 2>/dev/null)"
	fi
else
	echo "skip   - LibreOffice (soffice) is not installed"
fi

# read back: the same totals and findings
if psql -X -q -v ON_ERROR_STOP=1 -c "\\set wb \`base64 -w0 $WORK/forms.xlsx\`" -f - >/dev/null \
	<<< "SELECT * FROM pjeval.import_workbook(decode(:'wb', 'base64'), on_conflict => 'replace')"; then
	after="$(psql -X -At -c "SELECT string_agg(concat_ws(' ', project_code, total_score, reported_total, findings), ', ' ORDER BY project_code) FROM pjeval.evaluation_result")"
	if [ "$after" = "$before" ] && [ "$(psql -X -At -c 'SELECT count(*) FROM pjeval.evaluation')" = 3 ]; then
		ok "import_workbook reads it back: $after"
	else
		fail "read back: '$after', was '$before'"
	fi
else
	fail "import_workbook of the exported file"
fi

# a cancel while the workbook is laid out or written (900,000 cells, which
# take over a second to write): the statement ends with 57014 within 5 s,
# libxlsxwriter's state is freed and the temporary file removed, and the
# backend goes on
psql -X -q -c "CREATE TABLE big AS SELECT jsonb_agg(jsonb_build_object('name', 's' || s, 'cells',
    (SELECT jsonb_agg(jsonb_build_array(r, c, 'text', 'x' || r)) FROM generate_series(1, 1000) r, generate_series(1, 9) c))) AS j
    FROM generate_series(1, 100) s" >/dev/null
for t in 200 800; do
	start=$(date +%s)
	out="$(psql -X -At -v VERBOSITY=verbose -c "SET statement_timeout = '${t}ms'" -c "SELECT length(pjeval.workbook_write(j)) FROM big" 2>&1)"
	took=$(( $(date +%s) - start ))
	if grep -q 'ERROR:  57014' <<< "$out" && [ "$took" -le 5 ] && [ "$(psql -X -At -c 'SELECT 1')" = 1 ]; then
		ok "a cancel after ${t} ms ends the statement (57014) within 5 s, the server answers"
	else
		fail "cancel after ${t} ms (${took}s): $out"
	fi
done

# nothing left in base/pgsql_tmp
left="$(psql -X -At -c "SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp%.pjeval%'")"
if [ "$left" = 0 ]; then ok "no temporary workbook left"; else fail "$left temporary workbooks left"; fi

finish
