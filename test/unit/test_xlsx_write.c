/*
 * test_xlsx_write.c - the workbook writer (src/wb/xlsx_write.h): numbers
 * written as numbers only when a double shows them back exactly, sheet names
 * made valid and unique, a workbook written and read back by the reader
 * (src/wb/workbook.h) as the cells were given (numbers through their
 * formats, merged ranges, text that looks like a formula kept as text, text
 * that looks like an _xHHHH_ escape kept as written, U+FFFE and U+FFFF,
 * which XML cannot hold, as U+FFFD), and
 * every refusal - a bad layout, a text beyond Excel's cell, too many sheets,
 * a file that cannot be written, a cancel - with nothing leaked (ASan).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "workbook.h"
#include "xlsx_write.h"

static void
number(const char *decimal, int want, double value)
{
	double		v = -1;
	bool		got = pj_xlsx_number(decimal, &v);

	CHECK(got == (bool) want && (!want || v == value), "pj_xlsx_number(\"%s\"): want %d %.17g, got %d %.17g",
		  decimal, want, value, got, v);
}

static void
name(const char *in, int index, const char *const *used, int nused, const char *want)
{
	char		out[PJ_XLSX_NAME_BUF];

	pj_xlsx_sheet_name(in, index, used, nused, out);
	CHECK(strcmp(out, want) == 0, "sheet name of \"%s\": want \"%s\", got \"%s\"", in, want, out);
}

static bool
stop_now(void *ctx)
{
	(void) ctx;
	return true;
}

/* Writes doc to a temporary file; on PJ_WB_OK reads it back into *wb. */
static PjWbStatus
write_read(const PjXlsxDoc *doc, PjWbStop stop, PjWorkbook *wb, PjWbError *err, bool *file_left)
{
	char		path[] = "/tmp/pjeval-xlsx-test-XXXXXX";
	int			fd = mkstemp(path);
	PjWbStatus	st;

	if (fd < 0)
		return PJ_WB_WRITE_FAILED;
	close(fd);
	unlink(path);
	st = pj_xlsx_write(path, doc, stop, NULL, err);
	*file_left = access(path, F_OK) == 0;
	if (st == PJ_WB_OK)
	{
		FILE	   *f = fopen(path, "rb");
		unsigned char *buf = malloc(1 << 20);
		size_t		len = f ? fread(buf, 1, 1 << 20, f) : 0;
		PjWbError	rerr;

		if (f)
			fclose(f);
		if (pj_wb_read(buf, len, &pj_wb_default_limits, NULL, NULL, wb, &rerr) != PJ_WB_OK)
		{
			printf("reading back: %s\n", rerr.message);
			st = PJ_WB_CORRUPT;
		}
		free(buf);
	}
	unlink(path);
	return st;
}

static void
test_write_read(void)
{
	static const PjXlsxCell cells[] = {
		{0, 0, PJ_XS_TITLE, "项目支出绩效自评表", NULL, NULL},
		{1, 0, PJ_XS_HEAD, "项目资金（元）", NULL, NULL},
		{1, 2, PJ_XS_NUMBER, NULL, "1821100.00", "#,##0.00"},
		{1, 3, PJ_XS_NUMBER, NULL, "1808698.26", "#,##0.00"},
		{1, 4, PJ_XS_NUMBER, NULL, "99.32", "0.00"},
		{1, 5, PJ_XS_NUMBER, NULL, "10", "0"},
		{2, 1, PJ_XS_LEVEL, "产出指标", NULL, NULL},
		{2, 3, PJ_XS_TEXT, "=1+1", NULL, NULL},
		{2, 4, PJ_XS_TEXT, NULL, "0.92", "0%"},
		{2, 5, PJ_XS_TEXT, NULL, "0.9711", "0.00%"},
		{2, 6, PJ_XS_NUMBER, NULL, "1234567890123456789", "0"},
		{3, 3, PJ_XS_TEXT, "@SUM(A1:A2)", NULL, NULL},
		{3, 4, PJ_XS_TEXT, "-1", NULL, NULL},
		{3, 5, PJ_XS_TEXT, "+1", NULL, NULL},
		{3, 6, PJ_XS_TEXT, "两行\n第二行", NULL, NULL},
		{4, 0, PJ_XS_NOTE, "备注：", NULL, NULL},
		{5, 0, PJ_XS_TEXT, "_x0041_ _x000D_ _x005F_ _x12_", NULL, NULL},
		{6, 0, PJ_XS_TEXT, "a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c\xEF\xBF\xBD", NULL, NULL},
	};
	static const PjXlsxRange merges[] = {{0, 0, 0, 8}, {2, 1, 3, 1}, {4, 0, 4, 8}};
	PjXlsxSheet sheets[2] = {
		{"甲/乙:项目", cells, 18, merges, 3, 2, 2, NULL, 0},
		{"甲_乙_项目", cells, 1, NULL, 0, -1, -1, NULL, 0},
	};
	PjXlsxDoc	doc = {sheets, 2, 1640995200, NULL};
	PjWorkbook	wb;
	PjWbError	err;
	bool		left;
	PjWbStatus	st = write_read(&doc, NULL, &wb, &err, &left);
	const char *want =
		"项目支出绩效自评表\n"
		"项目资金（元）\t\t1,821,100.00\t1,808,698.26\t99.32\t10\n"
		"\t产出指标\t\t=1+1\t92%\t97.11%\t1234567890123456789\n"
		"\t\t\t@SUM(A1:A2)\t-1\t+1\t\"两行\n第二行\"\n"
		"备注：\n"
		"_x0041_ _x000D_ _x005F_ _x12_\n"
		"a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\n"
		"项目支出绩效自评表\n";

	CHECK(st == PJ_WB_OK, "write and read back: status %d %s", (int) st, err.message);
	if (st != PJ_WB_OK)
		return;
	CHECK(strcmp(wb.text, want) == 0, "read back:\n%s\nwant:\n%s", wb.text, want);
	CHECK(wb.nsheets == 2 && strcmp(wb.sheet_names[0], "甲_乙_项目") == 0 &&
		  strcmp(wb.sheet_names[1], "甲_乙_项目 (2)") == 0,
		  "sheet names: %s, %s", wb.nsheets > 0 ? wb.sheet_names[0] : "", wb.nsheets > 1 ? wb.sheet_names[1] : "");
	pj_wb_free(&wb);
}

/* A sheet with its own columns: ten (A..J, the target form's), a cell and a
 * merged range in J, read back; the sixteenth column is the last one. */
static void
test_own_columns(void)
{
	static const double widths[PJ_XLSX_MAX_COLUMNS] = {9, 6, 12, 13, 20, 13, 20, 8, 13, 14, 5, 5, 5, 5, 5, 5};
	static const PjXlsxCell cells[] = {
		{0, 0, PJ_XS_TITLE, "项目支出绩效目标申报表", NULL, NULL},
		{1, 1, PJ_XS_HEAD, "期限", NULL, NULL},
		{1, 9, PJ_XS_HEAD, "备注", NULL, NULL},
		{2, 9, PJ_XS_TEXT, "第十列的备注，较长的文字会折行显示", NULL, NULL},
		{3, 15, PJ_XS_NUMBER, NULL, "16", "0"},
	};
	static const PjXlsxRange merges[] = {{0, 0, 0, 9}, {2, 0, 2, 8}};
	PjXlsxSheet sheet = {"目标", cells, 5, merges, 2, -1, -1, widths, PJ_XLSX_MAX_COLUMNS};
	PjXlsxDoc	doc = {&sheet, 1, 0, NULL};
	PjWorkbook	wb;
	PjWbError	err;
	bool		left;
	PjWbStatus	st = write_read(&doc, NULL, &wb, &err, &left);
	const char *want =
		"项目支出绩效目标申报表\n"
		"\t期限\t\t\t\t\t\t\t\t备注\n"
		"\t\t\t\t\t\t\t\t\t第十列的备注，较长的文字会折行显示\n"
		"\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t16\n";

	CHECK(st == PJ_WB_OK, "ten columns and more: status %d %s", (int) st, err.message);
	if (st != PJ_WB_OK)
		return;
	CHECK(strcmp(wb.text, want) == 0, "read back:\n%s\nwant:\n%s", wb.text, want);
	pj_wb_free(&wb);
}

static void
refused(const char *what, const PjXlsxDoc *doc, PjWbStop stop, PjWbStatus want, const char *message)
{
	PjWorkbook	wb;
	PjWbError	err;
	bool		left = true;
	PjWbStatus	st = write_read(doc, stop, &wb, &err, &left);

	if (st == PJ_WB_OK)
		pj_wb_free(&wb);
	CHECK(st == want && strstr(err.message, message) != NULL, "%s: want status %d \"%s\", got %d \"%s\"",
		  what, (int) want, message, (int) st, err.message);
	if (want != PJ_WB_OK && want != PJ_WB_WRITE_FAILED)
		CHECK(!left, "%s: no file is written", what);
}

static void
test_refusals(void)
{
	static const PjXlsxCell cells[] = {
		{0, 0, PJ_XS_TEXT, "a", NULL, NULL},
		{1, 1, PJ_XS_TEXT, "b", NULL, NULL},
	};
	static const PjXlsxRange overlap[] = {{0, 0, 1, 1}, {1, 1, 2, 2}};
	static const PjXlsxRange single[] = {{0, 0, 0, 0}};
	static const PjXlsxCell beyond[] = {{0, PJ_XLSX_COLUMNS, PJ_XS_TEXT, "j", NULL, NULL}};
	static const PjXlsxCell both[] = {{0, 0, PJ_XS_TEXT, "a", "1", NULL}};
	static const PjXlsxRange huge[] = {{0, 0, PJ_XLSX_MAX_ROWS - 1, PJ_XLSX_COLUMNS - 1}};
	PjXlsxSheet sheet = {"s", cells, 2, overlap, 2, -1, -1, NULL, 0};
	PjXlsxDoc	doc = {&sheet, 1, 0, NULL};
	PjXlsxCell	long_cell = {0, 0, PJ_XS_TEXT, NULL, NULL, NULL};
	PjXlsxSheet *many;
	char	   *text;
	int			i;

	refused("overlapping merged ranges", &doc, NULL, PJ_WB_INVALID, "overlaps another one in row 2");
	sheet.merges = single;
	sheet.nmerges = 1;
	refused("a merged range of one cell", &doc, NULL, PJ_WB_INVALID, "merged range 1 (from row 1)");
	sheet.merges = NULL;
	sheet.nmerges = 0;
	sheet.cells = beyond;
	sheet.ncells = 1;
	refused("a cell beyond column I", &doc, NULL, PJ_WB_INVALID, "cell 1 of row 1");
	{
		/* a sheet's own columns: a cell beyond them, too many, a bad width */
		double		widths[PJ_XLSX_MAX_COLUMNS + 1];
		static const PjXlsxCell in_j[] = {{0, 9, PJ_XS_TEXT, "j", NULL, NULL}};
		static const PjXlsxRange to_j[] = {{0, 0, 0, 9}};

		for (i = 0; i <= PJ_XLSX_MAX_COLUMNS; i++)
			widths[i] = 10;
		sheet.widths = widths;
		sheet.ncols = 9;
		sheet.cells = in_j;
		refused("a cell beyond the sheet's nine columns", &doc, NULL, PJ_WB_INVALID, "not a cell of the sheet (columns A-I");
		sheet.cells = beyond;
		sheet.ncells = 0;
		sheet.merges = to_j;
		sheet.nmerges = 1;
		refused("a merged range beyond the sheet's columns", &doc, NULL, PJ_WB_INVALID, "the sheet's columns A-I");
		sheet.merges = NULL;
		sheet.nmerges = 0;
		sheet.ncells = 1;
		sheet.cells = in_j;
		sheet.ncols = PJ_XLSX_MAX_COLUMNS + 1;
		refused("seventeen columns", &doc, NULL, PJ_WB_INVALID, "17 columns, not 1 to 16");
		sheet.ncols = -1;
		refused("a negative column count", &doc, NULL, PJ_WB_INVALID, "-1 columns");
		sheet.ncols = 10;
		sheet.widths = NULL;
		refused("columns without widths", &doc, NULL, PJ_WB_INVALID, "10 columns");
		sheet.widths = widths;
		widths[9] = 0;
		refused("a width of 0", &doc, NULL, PJ_WB_INVALID, "the width of column J");
		widths[9] = 255.5;
		refused("a width beyond Excel's", &doc, NULL, PJ_WB_INVALID, "the width of column J");
		widths[9] = 0.0 / 0.0;
		refused("a width that is not a number", &doc, NULL, PJ_WB_INVALID, "the width of column J");
		sheet.widths = NULL;
		sheet.ncols = 0;
		sheet.cells = beyond;
	}
	sheet.cells = both;
	refused("a cell with text and a number", &doc, NULL, PJ_WB_INVALID, "cell 1 of row 1");
	sheet.cells = cells;
	sheet.ncells = 2;
	sheet.repeat_first = 3;
	sheet.repeat_last = 1;
	refused("print titles backwards", &doc, NULL, PJ_WB_INVALID, "print titles (rows 4 to 2)");
	sheet.repeat_first = sheet.repeat_last = -1;
	/* a merged range is as many cells as it covers */
	sheet.merges = huge;
	sheet.nmerges = 1;
	refused("a merged range of the whole grid", &doc, NULL, PJ_WB_LIMIT, "more than 2000000 cells");
	sheet.merges = NULL;
	sheet.nmerges = 0;

	/* Excel's cell holds 32,767 characters: 32,767 CJK ones are fine, one more is not */
	text = malloc(3 * (PJ_XLSX_MAX_TEXT + 1) + 1);
	for (i = 0; i < PJ_XLSX_MAX_TEXT + 1; i++)
		memcpy(text + 3 * i, "字", 3);
	text[3 * (PJ_XLSX_MAX_TEXT + 1)] = '\0';
	long_cell.text = text;
	sheet.cells = &long_cell;
	sheet.ncells = 1;
	refused("a text of 32,768 characters", &doc, NULL, PJ_WB_LIMIT, "more than 32,767 characters");
	text[3 * PJ_XLSX_MAX_TEXT] = '\0';
	refused("a text of 32,767 characters", &doc, NULL, PJ_WB_OK, "");
	free(text);
	sheet.cells = cells;
	sheet.ncells = 2;

	doc.nsheets = 0;
	refused("no sheet", &doc, NULL, PJ_WB_INVALID, "one sheet at least");
	many = calloc((size_t) pj_wb_default_limits.max_sheets + 1, sizeof(PjXlsxSheet));
	for (i = 0; i <= pj_wb_default_limits.max_sheets; i++)
		many[i] = sheet;
	doc.sheets = many;
	doc.nsheets = (int) pj_wb_default_limits.max_sheets + 1;
	refused("one sheet beyond the reader's limit", &doc, NULL, PJ_WB_LIMIT, "1001 sheets, more than the 1000");
	free(many);
	doc.sheets = &sheet;
	doc.nsheets = 1;

	/* a cancel: nothing written, everything freed */
	refused("a cancel", &doc, stop_now, PJ_WB_CANCELLED, "cancelled before sheet \"s\"");

	/* a file that cannot be written */
	{
		PjWbError	err;
		PjWbStatus	st = pj_xlsx_write("/nonexistent-pjeval-dir/x.xlsx", &doc, NULL, NULL, &err);

		CHECK(st == PJ_WB_WRITE_FAILED && strstr(err.message, "libxlsxwriter could not write the workbook") != NULL,
			  "an unwritable file: got %d \"%s\"", (int) st, err.message);
	}
}

void
test_xlsx_write(void)
{
	int			i;

	for (i = 0; i < PJ_XS_COUNT; i++)
		CHECK(pj_xlsx_style(pj_xlsx_style_names[i]) == i, "style %s", pj_xlsx_style_names[i]);
	CHECK(pj_xlsx_style("bold") == -1, "an unknown style");

	/* numbers: plain decimals of at most 15 digits, counted from the first non-zero one */
	number("1663900.00", 1, 1663900);
	number("0.92", 1, 0.92);
	number("-5", 1, -5);
	number("0", 1, 0);
	number("0.000000000000001", 1, 1e-15);
	number("12345678901234.5", 1, 12345678901234.5);
	number("1234567890123456", 0, 0);
	number("100000000000000000", 0, 0);
	number("1.000000000000000", 0, 0);
	number("1e5", 0, 0);
	number("", 0, 0);
	number("1.", 0, 0);
	number(".5", 0, 0);
	number("--1", 0, 0);
	number("NaN", 0, 0);

	/* sheet names */
	{
		const char *used[] = {"甲", "ABC", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"};

		name("数字化城管信息系统运行项目（系统操作员）", 0, NULL, 0, "数字化城管信息系统运行项目（系统操作员）");
		name("a[b]c:d*e?f/g\\h", 0, NULL, 0, "a_b_c_d_e_f_g_h");
		name("tab\there", 0, NULL, 0, "tab_here");
		name("'quoted'", 0, NULL, 0, "quoted");
		name("'''", 2, NULL, 0, "Sheet3");
		name("", 0, NULL, 0, "Sheet1");
		name("history", 0, NULL, 0, "history_");
		name("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", 0, NULL, 0,
			 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一");
		name("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", 0, NULL, 0, "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀");
		name("甲", 0, used, 3, "甲 (2)");
		name("abc", 0, used, 3, "abc (2)");
		name("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", 0, used, 3,
			 "一二三四五六七八九十一二三四五六七八九十一二三四五六七 (2)");
		name("ab'", 0, NULL, 0, "ab");
		name("\xff\xfe", 0, NULL, 0, "__");
	}

	test_write_read();
	test_own_columns();
	test_refusals();
}
