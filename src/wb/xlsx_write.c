/*
 * xlsx_write.c - an .xlsx workbook written by libxlsxwriter from sheets of
 * cells (xlsx_write.h).  Everything libxlsxwriter allocates is freed here on
 * every path; nothing here longjmps.
 */
#include "xlsx_write.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

const char *const pj_xlsx_style_names[PJ_XS_COUNT] = {
	"title", "part", "head", "text", "level", "number", "note"
};

/* The template's columns A..I, in characters of the default font. */
static const double column_width[PJ_XLSX_COLUMNS] = {9, 12, 13, 20, 13, 13, 7, 8, 18};

#define FONT_NAME	"宋体"
#define FONT_SIZE	11.0
#define LINE_POINTS 14.25		/* one line of 11 pt text */
#define ROW_MAX_POINTS 409.0	/* Excel's highest row */
#define STOP_EVERY	4096		/* cells between two looks at the stop callback */

int
pj_xlsx_style(const char *name)
{
	int			i;

	for (i = 0; i < PJ_XS_COUNT; i++)
		if (strcmp(name, pj_xlsx_style_names[i]) == 0)
			return i;
	return -1;
}

bool
pj_xlsx_number(const char *decimal, double *value)
{
	const char *p = decimal;
	int			digits = 0;
	bool		significant = false;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if (significant || *p != '0')
		{
			significant = true;
			digits++;
		}
	if (*p == '.')
	{
		p++;
		if (*p < '0' || *p > '9')
			return false;
		for (; *p >= '0' && *p <= '9'; p++)
			if (significant || *p != '0')
			{
				significant = true;
				digits++;
			}
	}
	if (*p != '\0' || digits > 15)
		return false;
	*value = strtod(decimal, NULL);
	return true;
}

/* ---------------------------------------------------------- sheet names */

/* Bytes of the UTF-8 sequence at s (1 for a byte that does not begin one). */
static int
utf8_len(const unsigned char *s)
{
	int			n;
	int			i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 1;
	if (s[0] >= 0xF5)
		n = 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

static bool
same_name(const char *a, const char *b)
{
	for (;; a++, b++)
	{
		unsigned char x = (unsigned char) *a;
		unsigned char y = (unsigned char) *b;

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char) (x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char) (y - 'A' + 'a');
		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
}

/*
 * The cleaned name cut to max characters into out (PJ_XLSX_NAME_BUF bytes),
 * without apostrophes at either end.
 */
static void
clean_name(const char *name, int max, char *out)
{
	const unsigned char *s = (const unsigned char *) name;
	size_t		len = 0;
	int			chars = 0;

	while (*s == '\'')
		s++;
	while (*s)
	{
		int			n = utf8_len(s);
		int			w = n == 4 ? 2 : 1;

		if (chars + w > max)
			break;
		if (n == 1 && (*s < 0x20 || *s >= 0x80 || strchr("[]:*?/\\", *s) != NULL))
			out[len++] = '_';
		else
		{
			memcpy(out + len, s, (size_t) n);
			len += (size_t) n;
		}
		chars += w;
		s += n;
	}
	while (len > 0 && out[len - 1] == '\'')
		len--;
	out[len] = '\0';
}

void
pj_xlsx_sheet_name(const char *name, int index, const char *const *used, int nused, char *out)
{
	char		base[PJ_XLSX_NAME_BUF];
	int			k;

	clean_name(name, PJ_XLSX_NAME_MAX, base);
	if (base[0] == '\0')
		snprintf(base, sizeof(base), "Sheet%d", index + 1);
	if (same_name(base, "History"))
		strcat(base, "_");
	for (k = 1;; k++)
	{
		int			i;
		bool		taken = false;

		if (k == 1)
			strcpy(out, base);
		else
		{
			char		suffix[16];

			snprintf(suffix, sizeof(suffix), " (%d)", k);
			clean_name(base, PJ_XLSX_NAME_MAX - (int) strlen(suffix), out);
			strcat(out, suffix);
		}
		for (i = 0; i < nused && !taken; i++)
			taken = same_name(out, used[i]);
		if (!taken)
			return;
	}
}

/* ------------------------------------------------------------ the writer */

typedef struct Formats
{
	lxw_workbook *wb;
	struct
	{
		PjXlsxStyle style;
		const char *format;		/* the caller's string (outlives the writer) */
		lxw_format *f;
	}		   *items;
	int			n;
	int			cap;
} Formats;

static lxw_format *
style_format(Formats *fs, PjXlsxStyle style, const char *num_format)
{
	lxw_format *f;
	int			i;

	for (i = 0; i < fs->n; i++)
		if (fs->items[i].style == style &&
			(fs->items[i].format == num_format ||
			 (fs->items[i].format && num_format && strcmp(fs->items[i].format, num_format) == 0)))
			return fs->items[i].f;
	if (fs->n == fs->cap)
	{
		int			cap = fs->cap ? fs->cap * 2 : 16;
		void	   *items = realloc(fs->items, sizeof(*fs->items) * (size_t) cap);

		if (items == NULL)
			return NULL;
		fs->items = items;
		fs->cap = cap;
	}
	f = workbook_add_format(fs->wb);
	if (f == NULL)
		return NULL;
	format_set_font_name(f, FONT_NAME);
	format_set_font_size(f, FONT_SIZE);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	switch (style)
	{
		case PJ_XS_TITLE:
			format_set_font_size(f, 16);
			format_set_bold(f);
			format_set_align(f, LXW_ALIGN_CENTER);
			break;
		case PJ_XS_PART:
			format_set_bold(f);
			format_set_align(f, LXW_ALIGN_CENTER);
			format_set_border(f, LXW_BORDER_THIN);
			break;
		case PJ_XS_HEAD:
		case PJ_XS_LEVEL:
			format_set_align(f, LXW_ALIGN_CENTER);
			format_set_text_wrap(f);
			format_set_border(f, LXW_BORDER_THIN);
			break;
		case PJ_XS_TEXT:
			format_set_align(f, LXW_ALIGN_LEFT);
			format_set_text_wrap(f);
			format_set_border(f, LXW_BORDER_THIN);
			break;
		case PJ_XS_NUMBER:
			format_set_align(f, LXW_ALIGN_RIGHT);
			format_set_border(f, LXW_BORDER_THIN);
			break;
		case PJ_XS_NOTE:
			format_set_font_size(f, 9);
			format_set_align(f, LXW_ALIGN_LEFT);
			format_set_text_wrap(f);
			break;
		default:
			break;
	}
	if (num_format)
		format_set_num_format(f, num_format);
	fs->items[fs->n].style = style;
	fs->items[fs->n].format = num_format;
	fs->items[fs->n].f = f;
	fs->n++;
	return f;
}

static PjWbStatus fail(PjWbError *err, PjWbStatus st, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static PjWbStatus
fail(PjWbError *err, PjWbStatus st, const char *fmt,...)
{
	va_list		ap;

	err->status = st;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return st;
}

static PjWbStatus
lxw_fail(PjWbError *err, lxw_error e, const char *what, const char *sheet)
{
	PjWbStatus	st = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? PJ_WB_NOMEM : PJ_WB_WRITE_FAILED;

	err->status = st;
	snprintf(err->message, sizeof(err->message), "libxlsxwriter could not %s%s%s%s: %s", what,
			 sheet ? " (sheet \"" : "", sheet ? sheet : "", sheet ? "\")" : "", lxw_strerror(e));
	return st;
}

/* Characters of s as Excel counts them (UTF-16 units). */
static long
text_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	long		n = 0;

	while (*p)
	{
		int			len = utf8_len(p);

		n += len == 4 ? 2 : 1;
		p += len;
	}
	return n;
}

/*
 * Lines that text takes in a wrapped cell width characters wide (a
 * character outside ASCII is two wide, as CJK characters are).
 */
static double
text_lines(const char *s, double width)
{
	const unsigned char *p = (const unsigned char *) s;
	double		lines = 0;
	double		units = 0;

	for (;;)
	{
		if (*p == '\n' || *p == '\0')
		{
			double		l = units <= 0 ? 1 : (double) (long) ((units + width - 1) / width);

			lines += l < 1 ? 1 : l;
			units = 0;
			if (*p == '\0')
				break;
			p++;
			continue;
		}
		units += *p < 0x80 ? 1.1 : 2.0;
		p += utf8_len(p);
	}
	return lines;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Does s[0..] begin an _xHHHH_ escape as a spreadsheet reads it? */
static bool
looks_escaped(const char *s)
{
	return s[0] == '_' && s[1] == 'x' && is_hex(s[2]) && is_hex(s[3]) && is_hex(s[4]) && is_hex(s[5]) && s[6] == '_';
}

/* U+FFFE or U+FFFF, which XML does not allow in a document (EF BF BE/BF)? */
static bool
xml_nonchar(const char *s)
{
	return (unsigned char) s[0] == 0xEF && (unsigned char) s[1] == 0xBF &&
		((unsigned char) s[2] == 0xBE || (unsigned char) s[2] == 0xBF);
}

/*
 * The text as a string cell must hold it: the underscore of every _xHHHH_
 * written _x005F_, as Excel writes it, so that a reader shows _xHHHH_ and
 * does not decode it (libxlsxwriter escapes control characters but not
 * this), and U+FFFE and U+FFFF, which no XML document may hold, made U+FFFD.
 * NULL when the text needs neither (or malloc failed: *failed says which).
 */
static char *
string_text(const char *s, bool *failed)
{
	size_t		n = 0;
	const char *p;
	char	   *out;
	char	   *o;

	*failed = false;
	for (p = s; *p; p++)
		if (looks_escaped(p) || xml_nonchar(p))
			n++;
	if (n == 0)
		return NULL;
	out = malloc(strlen(s) + 6 * n + 1);
	if (out == NULL)
	{
		*failed = true;
		return NULL;
	}
	for (p = s, o = out; *p; p++)
	{
		if (looks_escaped(p))
		{
			memcpy(o, "_x005F_", 7);	/* the underscore, then x... as it was */
			o += 7;
			continue;
		}
		if (xml_nonchar(p))
		{
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			p += 2;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Writes one sheet; nothing is allocated that the workbook does not own. */
static PjWbStatus
write_sheet(lxw_workbook *wb, Formats *fs, const PjXlsxSheet *sh, const char *name, long *cells_done,
			PjWbStop stop, void *stop_ctx, PjWbError *err)
{
	lxw_worksheet *ws;
	unsigned char *used;
	double	   *height;
	const double *width = sh->ncols == 0 ? column_width : sh->widths;
	int			ncols = sh->ncols == 0 ? PJ_XLSX_COLUMNS : sh->ncols;
	int			nrows = 0;
	int			i;
	int			c;
	lxw_error	e;
	PjWbStatus	st = PJ_WB_OK;

	/* the sheet's columns: the template's, or as many as it gives widths */
	if (sh->ncols < 0 || sh->ncols > PJ_XLSX_MAX_COLUMNS || (sh->ncols > 0 && sh->widths == NULL))
		return fail(err, PJ_WB_INVALID, "sheet \"%s\": %ld columns, not 1 to %d", name, (long) sh->ncols,
					PJ_XLSX_MAX_COLUMNS);
	for (c = 0; c < ncols; c++)
		if (!(width[c] > 0 && width[c] <= PJ_XLSX_MAX_WIDTH))	/* NaN too */
			return fail(err, PJ_WB_INVALID, "sheet \"%s\": the width of column %c is not above 0 and at most %g",
						name, 'A' + c, PJ_XLSX_MAX_WIDTH);

	/* rows in use, checked before anything is written */
	for (i = 0; i < sh->ncells; i++)
	{
		const PjXlsxCell *cell = &sh->cells[i];

		if (cell->row < 0 || cell->row >= PJ_XLSX_MAX_ROWS || cell->col < 0 || cell->col >= ncols ||
			(cell->text == NULL) == (cell->number == NULL) || (int) cell->style < 0 || cell->style >= PJ_XS_COUNT)
			return fail(err, PJ_WB_INVALID, "sheet \"%s\": cell %ld of row %ld is not a cell of the sheet (columns A-%c, text or a number)",
						name, (long) i + 1, (long) cell->row + 1, 'A' + ncols - 1);
		if (cell->row + 1 > nrows)
			nrows = cell->row + 1;
	}
	for (i = 0; i < sh->nmerges; i++)
	{
		const PjXlsxRange *m = &sh->merges[i];

		if (m->first_row < 0 || m->first_col < 0 || m->last_row >= PJ_XLSX_MAX_ROWS || m->last_col >= ncols ||
			m->first_row > m->last_row || m->first_col > m->last_col ||
			(m->first_row == m->last_row && m->first_col == m->last_col))
			return fail(err, PJ_WB_INVALID, "sheet \"%s\": merged range %ld (from row %ld) is not a range of the sheet's columns A-%c",
						name, (long) i + 1, (long) m->first_row + 1, 'A' + ncols - 1);
		if (m->last_row + 1 > nrows)
			nrows = m->last_row + 1;
	}
	if (sh->repeat_first >= 0 && (sh->repeat_last < sh->repeat_first || sh->repeat_last >= PJ_XLSX_MAX_ROWS))
		return fail(err, PJ_WB_INVALID, "sheet \"%s\": the print titles (rows %ld to %ld) are not a range of rows",
					name, (long) sh->repeat_first + 1, (long) sh->repeat_last + 1);

	/* merged ranges may not overlap: each cell of the grid is in one at most */
	used = calloc((size_t) nrows * (size_t) ncols + 1, 1);
	height = calloc((size_t) nrows + 1, sizeof(double));
	if (used == NULL || height == NULL)
	{
		free(used);
		free(height);
		err->status = PJ_WB_NOMEM;
		snprintf(err->message, sizeof(err->message), "out of memory for sheet \"%s\"", name);
		return PJ_WB_NOMEM;
	}
	for (i = 0; i < sh->nmerges && st == PJ_WB_OK; i++)
	{
		const PjXlsxRange *m = &sh->merges[i];
		int			r;

		for (r = m->first_row; r <= m->last_row && st == PJ_WB_OK; r++)
			for (c = m->first_col; c <= m->last_col; c++)
			{
				if (used[(size_t) r * (size_t) ncols + c])
				{
					st = fail(err, PJ_WB_INVALID, "sheet \"%s\": merged range %ld overlaps another one in row %ld",
							  name, (long) i + 1, (long) r + 1);
					break;
				}
				used[(size_t) r * (size_t) ncols + c] = 1;
			}
	}
	if (st != PJ_WB_OK)
		goto done;

	ws = workbook_add_worksheet(wb, name);
	if (ws == NULL)
	{
		st = fail(err, PJ_WB_WRITE_FAILED, "libxlsxwriter refused the sheet name \"%s\"", name);
		goto done;
	}
	for (c = 0; c < ncols; c++)
		if ((e = worksheet_set_column(ws, (lxw_col_t) c, (lxw_col_t) c, width[c], NULL)) != LXW_NO_ERROR)
		{
			st = lxw_fail(err, e, "set the column widths", name);
			goto done;
		}

	/* the merged ranges, formatted as their top-left cell (for the borders) */
	for (i = 0; i < sh->nmerges; i++)
	{
		const PjXlsxRange *m = &sh->merges[i];
		const PjXlsxCell *top = NULL;
		lxw_format *f;
		int			k;

		for (k = 0; k < sh->ncells && top == NULL; k++)
			if (sh->cells[k].row == m->first_row && sh->cells[k].col == m->first_col)
				top = &sh->cells[k];
		f = style_format(fs, top ? top->style : PJ_XS_TEXT, top ? top->format : NULL);
		if (f == NULL)
		{
			st = lxw_fail(err, LXW_ERROR_MEMORY_MALLOC_FAILED, "add a format", name);
			goto done;
		}
		if ((e = worksheet_merge_range(ws, (lxw_row_t) m->first_row, (lxw_col_t) m->first_col,
									   (lxw_row_t) m->last_row, (lxw_col_t) m->last_col, "", f)) != LXW_NO_ERROR)
		{
			st = lxw_fail(err, e, "merge a range", name);
			goto done;
		}
		/* a wrapped text's height is spread over the rows of its range */
		if (top && top->text && m->first_row == m->last_row && top->style != PJ_XS_TITLE)
		{
			double		w = 0;
			double		h;

			for (c = m->first_col; c <= m->last_col; c++)
				w += width[c];
			h = text_lines(top->text, w) * LINE_POINTS + 3;
			if (h > height[m->first_row])
				height[m->first_row] = h;
		}
		used[(size_t) m->first_row * (size_t) ncols + m->first_col] = 2;	/* the range's top-left */
	}

	for (i = 0; i < sh->ncells; i++)
	{
		const PjXlsxCell *cell = &sh->cells[i];
		lxw_format *f = style_format(fs, cell->style, cell->number ? cell->format : NULL);
		double		v;

		if (f == NULL)
		{
			st = lxw_fail(err, LXW_ERROR_MEMORY_MALLOC_FAILED, "add a format", name);
			goto done;
		}
		if (cell->text)
		{
			if (text_chars(cell->text) > PJ_XLSX_MAX_TEXT)
			{
				st = fail(err, PJ_WB_LIMIT, "sheet \"%s\", row %ld: a cell holds more than 32,767 characters, Excel's limit (%ld)",
						  name, (long) cell->row + 1, text_chars(cell->text));
				goto done;
			}
			{
				bool		failed;
				char	   *escaped = string_text(cell->text, &failed);

				e = failed ? LXW_ERROR_MEMORY_MALLOC_FAILED :
					worksheet_write_string(ws, (lxw_row_t) cell->row, (lxw_col_t) cell->col,
										   escaped ? escaped : cell->text, f);
				free(escaped);
			}
			if (cell->style == PJ_XS_TEXT || cell->style == PJ_XS_HEAD || cell->style == PJ_XS_NOTE)
			{
				unsigned char u = used[(size_t) cell->row * (size_t) ncols + cell->col];

				if (u == 0)		/* not in a merged range: its own column's width */
				{
					double		h = text_lines(cell->text, width[cell->col]) * LINE_POINTS + 3;

					if (h > height[cell->row])
						height[cell->row] = h;
				}
			}
		}
		else if (pj_xlsx_number(cell->number, &v))
			e = worksheet_write_number(ws, (lxw_row_t) cell->row, (lxw_col_t) cell->col, v, f);
		else
			e = worksheet_write_string(ws, (lxw_row_t) cell->row, (lxw_col_t) cell->col, cell->number,
									   style_format(fs, cell->style, NULL));
		if (e != LXW_NO_ERROR)
		{
			st = lxw_fail(err, e, "write a cell", name);
			goto done;
		}
		if (++*cells_done % STOP_EVERY == 0 && stop && stop(stop_ctx))
		{
			st = fail(err, PJ_WB_CANCELLED, "cancelled while writing sheet \"%s\"", name);
			goto done;
		}
	}

	for (i = 0; i < nrows; i++)
		if (height[i] > LINE_POINTS + 3)
		{
			double		h = height[i] > ROW_MAX_POINTS ? ROW_MAX_POINTS : height[i];

			if ((e = worksheet_set_row(ws, (lxw_row_t) i, h, NULL)) != LXW_NO_ERROR)
			{
				st = lxw_fail(err, e, "set a row's height", name);
				goto done;
			}
		}

	/* A4 portrait, one page wide, the print titles on every page */
	worksheet_set_paper(ws, 9);
	worksheet_set_portrait(ws);
	worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
	worksheet_center_horizontally(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	if (sh->repeat_first >= 0 &&
		(e = worksheet_repeat_rows(ws, (lxw_row_t) sh->repeat_first, (lxw_row_t) sh->repeat_last)) != LXW_NO_ERROR)
	{
		st = lxw_fail(err, e, "set the print titles", name);
		goto done;
	}
	if ((e = worksheet_set_footer(ws, "&C第 &P 页，共 &N 页")) != LXW_NO_ERROR)
		st = lxw_fail(err, e, "set the footer", name);

done:
	free(used);
	free(height);
	return st;
}

PjWbStatus
pj_xlsx_write(const char *path, const PjXlsxDoc *doc, PjWbStop stop, void *stop_ctx, PjWbError *err)
{
	lxw_workbook_options options = {0};
	lxw_doc_properties props = {0};
	lxw_workbook *wb;
	Formats		fs = {0};
	char	  (*names)[PJ_XLSX_NAME_BUF] = NULL;
	const char **used = NULL;
	long		cells = 0;
	long		cells_done = 0;
	int			i;
	lxw_error	e;
	PjWbStatus	st = PJ_WB_OK;

	err->status = PJ_WB_OK;
	err->message[0] = '\0';
	if (doc->nsheets < 1)
		return fail(err, PJ_WB_INVALID, "a workbook needs one sheet at least");
	if (doc->nsheets > pj_wb_default_limits.max_sheets)
		return fail(err, PJ_WB_LIMIT, "%ld sheets, more than the %ld a workbook may hold",
					(long) doc->nsheets, pj_wb_default_limits.max_sheets);
	/* every cell and every cell of a merged range is a cell libxlsxwriter keeps */
	for (i = 0; i < doc->nsheets; i++)
	{
		const PjXlsxSheet *sh = &doc->sheets[i];
		int			k;

		if (sh->ncells < 0 || sh->nmerges < 0)
			return fail(err, PJ_WB_INVALID, "sheet %ld: a negative count", (long) i + 1);
		cells += sh->ncells;
		for (k = 0; k < sh->nmerges && cells <= pj_wb_default_limits.max_cells; k++)
		{
			const PjXlsxRange *m = &sh->merges[k];

			if (m->last_row >= m->first_row && m->last_col >= m->first_col)
				cells += ((long) m->last_row - m->first_row + 1) * ((long) m->last_col - m->first_col + 1);
		}
		if (cells > pj_wb_default_limits.max_cells)
			return fail(err, PJ_WB_LIMIT, "more than %ld cells (with those of merged ranges) by sheet %ld",
						pj_wb_default_limits.max_cells, (long) i + 1);
	}

	names = malloc(sizeof(*names) * (size_t) doc->nsheets);
	used = malloc(sizeof(*used) * (size_t) doc->nsheets);
	if (names == NULL || used == NULL)
	{
		free(names);
		free((void *) used);
		return fail(err, PJ_WB_NOMEM, "out of memory");
	}
	for (i = 0; i < doc->nsheets; i++)
	{
		pj_xlsx_sheet_name(doc->sheets[i].name ? doc->sheets[i].name : "", i, used, i, names[i]);
		used[i] = names[i];
	}

	options.tmpdir = (char *) doc->tmpdir;
	wb = workbook_new_opt(path, &options);
	if (wb == NULL)
	{
		free(names);
		free((void *) used);
		return fail(err, PJ_WB_NOMEM, "out of memory");
	}
	fs.wb = wb;
	props.title = (char *) "项目支出绩效自评表";
	props.created = (time_t) doc->created;
	if ((e = workbook_set_properties(wb, &props)) != LXW_NO_ERROR)
		st = lxw_fail(err, e, "set the document properties", NULL);

	for (i = 0; i < doc->nsheets && st == PJ_WB_OK; i++)
	{
		if (stop && stop(stop_ctx))
			st = fail(err, PJ_WB_CANCELLED, "cancelled before sheet \"%s\"", names[i]);
		else
			st = write_sheet(wb, &fs, &doc->sheets[i], names[i], &cells_done, stop, stop_ctx, err);
	}
	if (st == PJ_WB_OK && stop && stop(stop_ctx))
		st = fail(err, PJ_WB_CANCELLED, "cancelled before the workbook was packed");

	if (st == PJ_WB_OK)
	{
		/* writes the file and frees the workbook, whatever happens */
		e = workbook_close(wb);
		if (e != LXW_NO_ERROR)
			st = lxw_fail(err, e, "write the workbook", NULL);
	}
	else
		lxw_workbook_free(wb);
	free(fs.items);
	free(names);
	free((void *) used);
	return st;
}
