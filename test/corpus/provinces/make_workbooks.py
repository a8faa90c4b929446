#!/usr/bin/python3
"""make_workbooks.py - the corpus forms (test/corpus/provinces/*.txt) as the
workbooks a unit's Excel holds them in, for test/integration/workbook_provinces.sh.

    /usr/bin/python3 test/corpus/provinces/make_workbooks.py OUTDIR

One workbook per form (NN-place-year.xlsx, one sheet), written with Debian's
python3-openpyxl, cell by cell from the text: numbers as numbers with the
formats that show them as printed (amounts #,##0.00 or #,##0 as written, 95% as 0.95 under 0%,
100.00% as 1 under 0.00%, weights and scores as plain numbers), the 一级指标
column merged down over the rows it covers, the title merged across, and the
年度资金总额 row's 全年执行数 as a formula (the sum of its sources) with its
cached value, which openpyxl does not write: it is put into the sheet's XML
afterwards.  Nothing is committed: the files are made at test time.
"""
import glob
import os
import re
import sys
import zipfile
from decimal import Decimal

import openpyxl
from openpyxl.utils import get_column_letter

HERE = os.path.dirname(os.path.abspath(__file__))
NUMBER = re.compile(r'^-?\d+(\.\d+)?$')
PERCENT = re.compile(r'^(\d+(\.\d+)?)%$')
FIXED_TIME = (2022, 1, 1, 0, 0, 0)


def rows_of(path):
    with open(path, encoding='utf-8') as f:
        return [line.rstrip('\n').split('\t') for line in f]


def put(ws, row, col, text, amount):
    """A cell as a person types it into the template."""
    c = ws.cell(row=row, column=col)
    m = PERCENT.match(text)
    if m:
        digits = m.group(1)
        c.value = float(Decimal(digits) / 100)
        places = len(digits.split('.')[1]) if '.' in digits else 0
        c.number_format = '0%' if places == 0 else '0.' + '0' * places + '%'
    elif NUMBER.match(text) and len(text.replace('.', '').lstrip('-')) < 15 and not (text.startswith('0') and len(text) > 1 and '.' not in text):
        c.value = float(text) if '.' in text else int(text)
        places = len(text.split('.')[1]) if '.' in text else 0
        if amount:
            # shown as printed: 238.93 under #,##0.00, 89.974 under #,##0.000, 90 under #,##0
            c.number_format = '#,##0' + ('.' + '0' * places if places else '')
        elif places:
            c.number_format = '0.' + '0' * places
    else:
        c.value = text
    return c


def workbook(txt, out):
    rows = rows_of(txt)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = os.path.basename(txt)[:-4][:31]
    amount_cols, fund_rows, total_row, ind_l1_col, ind_rows = set(), [], None, None, []
    section = None
    for n, r in enumerate(rows, start=1):
        labels = [c.replace(' ', '') for c in r]
        if any('全年执行数' in c or '预算执行数' in c for c in labels):
            section = 'funds'
            amount_cols = {k + 1 for k, c in enumerate(labels)
                           if any(w in c for w in ('年初预算', '全年预算数', '调整后预算数', '全年执行数', '预算执行数'))}
        elif '一级指标' in labels:
            section = 'indicators'
            ind_l1_col = labels.index('一级指标') + 1
            continue
        elif section == 'funds' and (labels[:1] == ['年度总体目标'] or '实际完成值' in labels):
            section = None
        elif section == 'funds' and any(labels):
            fund_rows.append(n)
            if total_row is None:
                total_row = n
        elif section == 'indicators' and any(labels):
            ind_rows.append(n)
    for n, r in enumerate(rows, start=1):
        for k, text in enumerate(r, start=1):
            if text != '':
                put(ws, n, k, text, n in fund_rows and k in amount_cols)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    # the 一级指标 cells merged down over the rows they cover
    if ind_l1_col:
        start = None
        for n in ind_rows + [None]:
            v = ws.cell(row=n, column=ind_l1_col).value if n else None
            if n is None or v is not None:
                if start is not None and (n or ind_rows[-1] + 1) - 1 > start:
                    ws.merge_cells(start_row=start, start_column=ind_l1_col,
                                   end_row=(n or ind_rows[-1] + 1) - 1, end_column=ind_l1_col)
                start = n
    # 年度资金总额's 全年执行数 as the sum of its sources, with the value shown
    formula = None
    executed = max(amount_cols) if amount_cols else None
    if total_row and executed and len(fund_rows) > 1:
        c = ws.cell(row=total_row, column=executed)
        shown = c.value
        ref = f'{get_column_letter(executed)}{fund_rows[1]}:{get_column_letter(executed)}{fund_rows[-1]}'
        sources = sum(Decimal(str(ws.cell(row=m, column=executed).value or 0)) for m in fund_rows[1:])
        if shown is not None and Decimal(str(shown)) == sources:
            c.value = f'=SUM({ref})'
            formula = (f'SUM({ref})', shown)
    wb.save(out)
    cached(out, formula)


def cached(path, formula):
    """Rewrite the zip with fixed times, the formula's cached value put in."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if formula and name == 'xl/worksheets/sheet1.xml':
                f, v = formula
                text, k = re.subn(r'<f>%s</f>(<v\s*/>|<v></v>)?' % re.escape(f), '<f>%s</f><v>%s</v>' % (f, v),
                                  data.decode('utf-8'))
                assert k == 1, 'the formula cell was not found'
                data = text.encode('utf-8')
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for txt in sorted(glob.glob(os.path.join(HERE, '*.txt'))):
        workbook(txt, os.path.join(out, os.path.basename(txt)[:-4] + '.xlsx'))


if __name__ == '__main__':
    main()
