#!/usr/bin/python3
"""text_workbook.py OUT NAME=DOCUMENT ... - tab-separated documents as one
.xlsx workbook for the integration tests (Debian's python3-openpyxl): a
sheet per document, named NAME, every tab-separated cell in its column (a
quoted cell over two lines is one cell holding a line break, as a
spreadsheet reads it), numbers with two places as numbers under #,##0.00,
n% and n.nn% as percent cells.  Nothing is committed: the tests make the
files when they run."""
import csv
import re
import sys

import openpyxl

out, docs = sys.argv[1], sys.argv[2:]
wb = openpyxl.Workbook()
wb.remove(wb.active)
for doc in docs:
    name, path = doc.split("=", 1)
    ws = wb.create_sheet(name)
    with open(path, encoding="utf-8", newline="") as f:
        for r, row in enumerate(csv.reader(f, delimiter="\t", quotechar='"'), start=1):
            for c, text in enumerate(row, start=1):
                if text == "":
                    continue
                cell = ws.cell(row=r, column=c)
                m = re.fullmatch(r"(\d+(?:\.(\d+))?)%", text)
                if re.fullmatch(r"-?\d+\.\d\d", text):
                    cell.value = float(text)
                    cell.number_format = "#,##0.00"
                elif m:
                    cell.value = float(m.group(1)) / 100
                    cell.number_format = "0.%s%%" % ("0" * len(m.group(2))) if m.group(2) else "0%"
                else:
                    cell.value = text
wb.save(out)
