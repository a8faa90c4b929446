/*
 * fuzz_workbook.c - libFuzzer target for the workbook reader (src/wb):
 * any bytes must read as a workbook or fail with a status and a message,
 * within small limits, leaking nothing; a result must be well formed (the
 * text NUL-terminated, one map entry per line and one more, each naming a
 * sheet that exists).  The same bytes also go through the number formats:
 * the first line as a stored value, the rest as a format code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "workbook.h"

#define CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "invariant violated: %s\n", #cond); abort(); } } while (0)

static const PjWbLimits limits = {
	.max_compressed = 1 << 20,
	.max_inflated = 4 << 20,
	.max_entries = 64,
	.max_sheets = 16,
	.max_rows = 2000,
	.max_cells = 20000,
	.max_strings = 20000,
	.max_text = 1 << 20,
};

static void
numfmt(const uint8_t *data, size_t size)
{
	char		fmt[512],
				out[256];
	const uint8_t *nl = memchr(data, '\n', size);
	size_t		vlen = nl ? (size_t) (nl - data) : size;
	size_t		flen = nl ? size - vlen - 1 : 0;
	int			n;

	if (flen >= sizeof(fmt))
		flen = sizeof(fmt) - 1;
	if (nl)
		memcpy(fmt, nl + 1, flen);
	fmt[flen] = '\0';
	n = pj_numfmt_render((const char *) data, vlen, fmt, size & 1, out, sizeof(out));
	CHECK(n < (int) sizeof(out));
	if (n >= 0)
		CHECK(strlen(out) == (size_t) n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PjWorkbook	wb;
	PjWbError	err;
	PjWbStatus	st;

	numfmt(data, size);
	st = pj_wb_read(data, size, &limits, NULL, NULL, &wb, &err);
	if (st != PJ_WB_OK)
	{
		CHECK(err.status == st);
		CHECK(err.message[0] != '\0');
		CHECK(wb.text == NULL && wb.line_sheet == NULL);
		return 0;
	}
	{
		size_t		lines = 1,
					i;

		CHECK(wb.text != NULL && wb.text[wb.len] == '\0' && strlen(wb.text) == wb.len);
		CHECK(wb.len <= limits.max_text);
		for (i = 0; i < wb.len; i++)
			lines += wb.text[i] == '\n';
		CHECK((size_t) wb.nlines == lines);
		for (i = 0; i < (size_t) wb.nlines; i++)
		{
			CHECK(wb.line_sheet[i] >= 0 && wb.line_sheet[i] < wb.nsheets);
			CHECK(wb.line_row[i] >= 1);
		}
	}
	pj_wb_free(&wb);
	return 0;
}
