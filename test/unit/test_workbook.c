/*
 * test_workbook.c - the number formats (src/wb/numfmt.h), one rule a case,
 * and the workbook reader (src/wb/workbook.h) on the committed fixtures:
 * each limit enforced (with small limits), a cancel honoured, and nothing
 * leaked on any path (ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "numfmt.h"
#include "workbook.h"

static void
fmt(const char *value, const char *format, int date1904, const char *want)
{
	char		out[256];
	int			n = pj_numfmt_render(value, strlen(value), format, date1904, out, sizeof(out));

	if (want == NULL)
		CHECK(n == -1, "%s through %s: want -1, got %d \"%s\"", value, format ? format : "General", n, out);
	else
		CHECK(n >= 0 && strlen(out) == (size_t) n && strcmp(out, want) == 0, "%s through %s: want \"%s\", got \"%s\"",
			  value, format ? format : "General", want, n >= 0 ? out : "(-1)");
}

static void
test_numfmt(void)
{
	/* General: 15 significant digits, no trailing zeros, plain from 1E-9 to below 1E15 */
	fmt("99.319999999999993", NULL, 0, "99.32");
	fmt("0.30000000000000004", "General", 0, "0.3");
	fmt("1E-3", NULL, 0, "0.001");
	fmt("1821100", NULL, 0, "1821100");
	fmt("123456789012345678", NULL, 0, "1.23456789012346E+17");
	fmt("1E-10", NULL, 0, "1E-10");
	fmt("-5", NULL, 0, "-5");
	fmt("0", NULL, 0, "0");
	/* fixed decimals, half away from zero, exactly (2.675 is not 2.67) */
	fmt("2.675", "0.00", 0, "2.68");
	fmt("-2.675", "0.00", 0, "-2.68");
	fmt("2.5", "0", 0, "3");
	fmt("-2.5", "0", 0, "-3");
	fmt("-0.001", "0.00", 0, "0.00");
	fmt("5", "000", 0, "005");
	fmt("0.5", "#.##", 0, ".5");
	/* percent: x 100 */
	fmt("0.95", "0%", 0, "95%");
	fmt("0.97109999999999996", "0.00%", 0, "97.11%");
	fmt("1", "0%", 0, "100%");
	/* thousands: grouping; a trailing comma divides by 1000 */
	fmt("1821100", "#,##0.00", 0, "1,821,100.00");
	fmt("1808698.26", "#,##0.00", 0, "1,808,698.26");
	fmt("1234567", "#,##0,", 0, "1,235");
	/* text in the format: quoted, escaped, currency, padding */
	fmt("461.74", "0.00\"万元\"", 0, "461.74万元");
	fmt("1821100", "[$¥-804]#,##0.00", 0, "¥1,821,100.00");
	fmt("2", "0\\次", 0, "2次");
	fmt("1821100", "_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * \"-\"??_ ;_ @_ ", 0, " 1,821,100.00 ");
	fmt("0", "_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * \"-\"??_ ;_ @_ ", 0, " -   ");
	/* sections by sign: positive; negative (without its minus); zero */
	fmt("-1234.5", "#,##0.00_);[Red]\\(#,##0.00\\)", 0, "(1,234.50)");
	fmt("0", "0;-0;\"零\"", 0, "零");
	fmt("-3", "0;;", 0, "");
	/* scientific */
	fmt("12345.678", "0.00E+00", 0, "1.23E+04");
	fmt("0.00012", "0.0E+00", 0, "1.2E-04");
	/* text and fractions: the number as General */
	fmt("5.25", "@", 0, "5.25");
	fmt("5.25", "# ?/?", 0, "5.25");
	/* dates: the 1900 system (with its 29 February 1900) and the 1904 system */
	fmt("44926", pj_numfmt_builtin(14), 0, "2022-12-31");
	fmt("44926", "yyyy\"年\"m\"月\"d\"日\"", 0, "2022年12月31日");
	fmt("44926", pj_numfmt_builtin(31), 0, "2022年12月31日");
	fmt("44926", pj_numfmt_builtin(57), 0, "2022年12月");
	fmt("60", "yyyy-mm-dd", 0, "1900-02-29");
	fmt("61", "yyyy-mm-dd", 0, "1900-03-01");
	fmt("1", "yyyy-mm-dd", 0, "1900-01-01");
	fmt("0", "yyyy-mm-dd", 1, "1904-01-01");
	fmt("43464", "yyyy-mm-dd", 1, "2022-12-31");
	fmt("44926", "d-mmm-yy dddd", 0, "31-Dec-22 Saturday");
	/* times: m after h or before s is minutes; AM/PM; 上午/下午; elapsed hours */
	fmt("44926.75", "yyyy-mm-dd hh:mm:ss", 0, "2022-12-31 18:00:00");
	fmt("0.75", "h:mm AM/PM", 0, "6:00 PM");
	fmt("0.25", pj_numfmt_builtin(34), 0, "上午6时00分");
	fmt("1.5", "[h]:mm", 0, "36:00");
	fmt("0.99999999", "hh:mm:ss", 0, "00:00:00");	/* rounds to the next day */
	/* out of the date range: the number */
	fmt("-1", "yyyy-mm-dd", 0, "-1");
	fmt("3000000", "yyyy-mm-dd", 0, "3000000");
	/* not a number: the caller shows it as stored */
	fmt("abc", "0", 0, NULL);
	fmt("1e", "0", 0, NULL);
	fmt("", NULL, 0, NULL);
	fmt("1E999", NULL, 0, NULL);
	/* what fuzzing found: placeholders beyond FRAC_MAX decimals, a format ending
	 * inside an escaped UTF-8 character, more exponent placeholders than digits */
	fmt("1.5", "0.00000000000000000000000000000000000", 0, "1.50000000000000000000000000000000000");
	fmt("1", "0\\\xe4", 0, "1\xe4");
	fmt("1", "0E+00000000000000000000", 0, "1E+0000000000");
	/* built-in ids */
	CHECK(strcmp(pj_numfmt_builtin(9), "0%") == 0, "id 9");
	CHECK(strcmp(pj_numfmt_builtin(4), "#,##0.00") == 0, "id 4");
	CHECK(pj_numfmt_builtin(0) == NULL && pj_numfmt_builtin(49) == NULL && pj_numfmt_builtin(163) == NULL, "General ids");
	/* a small buffer: -1, never an overflow */
	{
		char		small[4];

		CHECK(pj_numfmt_render("1821100", 7, "#,##0.00", 0, small, sizeof(small)) == -1, "small buffer");
	}
}

static unsigned char *
load(const char *name, size_t *len)
{
	char		path[256];
	FILE	   *f;
	unsigned char *b;
	long		n;

	snprintf(path, sizeof(path), "test/fixtures/%s", name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t) n + 1);
	*len = fread(b, 1, (size_t) n, f);
	fclose(f);
	return b;
}

static PjWbStatus
read_with(const char *name, const PjWbLimits *lim, PjWbStop stop, PjWorkbook *wb, PjWbError *err)
{
	size_t		len = 0;
	unsigned char *b = load(name, &len);
	PjWbStatus	st;

	CHECK(b != NULL, "fixture %s (run from the repository's root)", name);
	if (b == NULL)
		return PJ_WB_CORRUPT;
	st = pj_wb_read(b, len, lim, stop, NULL, wb, err);
	free(b);
	return st;
}

static int	stop_calls;

static bool
stop_at_third(void *ctx)
{
	(void) ctx;
	return ++stop_calls >= 3;
}

static void
limit(const char *name, PjWbLimits lim, const char *what)
{
	PjWorkbook	wb;
	PjWbError	err;
	PjWbStatus	st = read_with(name, &lim, NULL, &wb, &err);

	CHECK(st == PJ_WB_LIMIT && strstr(err.message, what) != NULL, "%s beyond %s: status %d \"%s\"",
		  name, what, st, err.message);
	CHECK(wb.text == NULL, "no result after a limit");
	if (st == PJ_WB_OK)
		pj_wb_free(&wb);
}

static void
test_reader(void)
{
	PjWorkbook	wb;
	PjWbError	err;
	PjWbLimits	lim = pj_wb_default_limits;
	PjWbStatus	st;

	st = read_with("seed.xlsx", NULL, NULL, &wb, &err);
	CHECK(st == PJ_WB_OK, "seed.xlsx reads: %s", err.message);
	if (st == PJ_WB_OK)
	{
		CHECK(wb.nsheets == 2 && strcmp(wb.sheet_names[1], "2-网格信息采集工作") == 0, "sheet names");
		CHECK(wb.line_sheet[0] == 0 && wb.line_row[0] == 1, "line 1 is sheet 1 row 1");
		CHECK(strstr(wb.text, "项目资金（元）\t年度资金总额\t1,663,900.00\t1,821,100.00\t1,808,698.26\t10\t99.32\t9.93\n") != NULL,
			  "the fund row as shown");
		pj_wb_free(&wb);
	}
	/* each limit, just below what the file needs */
	lim = pj_wb_default_limits;
	lim.max_compressed = 1000;
	limit("seed.xlsx", lim, "bytes, more than 1000");
	lim = pj_wb_default_limits;
	lim.max_inflated = 20000;
	limit("seed.xlsx", lim, "inflates to more than 20000 bytes");
	lim = pj_wb_default_limits;
	lim.max_entries = 3;
	limit("seed.xlsx", lim, "entries, more than 3");
	lim = pj_wb_default_limits;
	lim.max_sheets = 1;
	limit("seed.xlsx", lim, "more than 1 sheets");
	lim = pj_wb_default_limits;
	lim.max_rows = 60;
	limit("seed.xlsx", lim, "more than 60 rows");
	lim = pj_wb_default_limits;
	lim.max_cells = 100;
	limit("seed.xlsx", lim, "more than 100 cells");
	lim = pj_wb_default_limits;
	lim.max_strings = 3;
	limit("cells.xlsx", lim, "more than 3 shared strings");
	lim = pj_wb_default_limits;
	lim.max_text = 1000;
	limit("seed.xlsx", lim, "more than 1000 bytes");
	/* a cancel: the reader stops, cleans up and says so */
	stop_calls = 0;
	st = read_with("seed.xlsx", NULL, stop_at_third, &wb, &err);
	CHECK(st == PJ_WB_CANCELLED && wb.text == NULL, "cancelled: status %d", st);
	/* a DTD is refused before the parser acts on it */
	st = read_with("hostile-laughs.xlsx", NULL, NULL, &wb, &err);
	CHECK(st == PJ_WB_CORRUPT && strstr(err.message, "declaration") != NULL, "billion laughs: %d %s", st, err.message);
}

void
test_workbook(void)
{
	test_numfmt();
	test_reader();
}
