/*
 * xlsx_write.h - writes an .xlsx workbook (Office Open XML) with
 * libxlsxwriter: sheets of cells laid out by the caller (text, or numbers
 * with a number format), merged ranges, and the template's look - a Chinese
 * font (宋体 11 pt), borders on the tables, column widths, row heights for
 * wrapped text, A4 portrait fitted to one page wide with print titles.
 *
 * Plain C without PostgreSQL headers.  libxlsxwriter allocates with malloc;
 * pj_xlsx_write frees all of it on every path (libxlsxwriter's close, or
 * lxw_workbook_free before it) and never longjmps: every failure is a status
 * and a message.  libxlsxwriter writes to a file (its version 1.1.4 has no
 * in-memory output), so the caller names the file and the directory for
 * libxlsxwriter's own temporary files, and reads the file back.
 *
 * No cell is ever a formula: text is always written as a string, so a text
 * that begins with = + - @ is shown as written, never evaluated; a text
 * that holds _xHHHH_ has its underscore written _x005F_, so that it is not
 * read as an escape; U+FFFE and U+FFFF, which no XML document may hold, are
 * written U+FFFD.
 */
#ifndef PJEVAL_XLSX_WRITE_H
#define PJEVAL_XLSX_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "workbook.h"			/* PjWbStatus, PjWbError, PjWbStop, the reader's limits */

/* The cell styles of the template, by name in PjXlsxStyleNames. */
typedef enum PjXlsxStyle
{
	PJ_XS_TITLE = 0,			/* the form's title: bold 16 pt, centred, no border */
	PJ_XS_PART,					/* a section's heading (资金使用情况): bold, centred, bordered */
	PJ_XS_HEAD,					/* a label or column heading: centred, bordered, wrapped */
	PJ_XS_TEXT,					/* a value as text: left, bordered, wrapped */
	PJ_XS_LEVEL,				/* a level-1/level-2 cell: centred both ways, bordered, wrapped */
	PJ_XS_NUMBER,				/* a number: right, bordered */
	PJ_XS_NOTE,					/* a note below the table: 9 pt, wrapped, no border */
	PJ_XS_COUNT
} PjXlsxStyle;

extern const char *const pj_xlsx_style_names[PJ_XS_COUNT];

/* The style named name, or -1. */
int			pj_xlsx_style(const char *name);

/*
 * A cell: text, or a number given as its decimal text with a number format.
 * Rows and columns are 0-based.  A number is written as a number when the
 * decimal has at most 15 digits (pj_xlsx_number), so that a double holds it
 * and the format shows it back exactly; any other number is written as its
 * text.
 */
typedef struct PjXlsxCell
{
	int			row;
	int			col;
	PjXlsxStyle style;
	const char *text;			/* a string cell, or NULL */
	const char *number;			/* a number's decimal text (-?digits[.digits]), or NULL */
	const char *format;			/* the number's format (e.g. "#,##0.00"); NULL: General */
} PjXlsxCell;

typedef struct PjXlsxRange
{
	int			first_row;
	int			first_col;
	int			last_row;
	int			last_col;
} PjXlsxRange;

typedef struct PjXlsxSheet
{
	const char *name;			/* any text: made a valid, unique sheet name (pj_xlsx_sheet_name) */
	const PjXlsxCell *cells;
	int			ncells;
	const PjXlsxRange *merges;	/* merged ranges, not overlapping; the top-left cell's style
								 * is the range's */
	int			nmerges;
	int			repeat_first;	/* rows printed at the top of every page, or -1 */
	int			repeat_last;
	const double *widths;		/* the sheet's column widths in characters (each > 0 and at
								 * most PJ_XLSX_MAX_WIDTH), from column A */
	int			ncols;			/* how many: 1 .. PJ_XLSX_MAX_COLUMNS; 0: the template's
								 * nine (A..I), whatever widths is */
} PjXlsxSheet;

typedef struct PjXlsxDoc
{
	const PjXlsxSheet *sheets;
	int			nsheets;		/* 1 .. the reader's max_sheets */
	long long	created;		/* the document's creation time, seconds since 1970 (UTC) */
	const char *tmpdir;			/* libxlsxwriter's temporary files; NULL: the system's */
} PjXlsxDoc;

/* Columns of the template (A..I), whose widths a sheet has unless it gives
 * its own; a sheet that does has at most PJ_XLSX_MAX_COLUMNS (A..P), each at
 * most PJ_XLSX_MAX_WIDTH characters wide (Excel's 255). */
#define PJ_XLSX_COLUMNS 9
#define PJ_XLSX_MAX_COLUMNS 16
#define PJ_XLSX_MAX_WIDTH 255.0

/* Excel's limits that the writer checks. */
#define PJ_XLSX_MAX_ROWS	1048576
#define PJ_XLSX_MAX_TEXT	32767	/* characters of a cell */
#define PJ_XLSX_NAME_MAX	31		/* characters of a sheet name */
#define PJ_XLSX_NAME_BUF	(PJ_XLSX_NAME_MAX * 4 + 16)

/*
 * Writes doc to the file at path (created or replaced).  On failure the
 * file may exist, partly written: the caller removes it.
 */
PjWbStatus	pj_xlsx_write(const char *path, const PjXlsxDoc *doc, PjWbStop stop, void *stop_ctx,
						  PjWbError *err);

/*
 * Is the decimal text a number the writer writes as a number (-?digits with
 * an optional .digits, at most 15 digits from the first non-zero one)?  Then
 * *value is it as a double.
 */
bool		pj_xlsx_number(const char *decimal, double *value);

/*
 * The sheet name Excel accepts for name: []:*?/\ and control characters
 * made _, apostrophes at either end dropped, cut to 31 characters (a
 * character outside the BMP counts two), "Sheet<index+1>" when nothing is
 * left, "History" (reserved by Excel) made "History_", and made unique
 * against used[0..nused) (ignoring ASCII case) by " (2)", " (3)", ...
 * out has PJ_XLSX_NAME_BUF bytes.
 */
void		pj_xlsx_sheet_name(const char *name, int index, const char *const *used, int nused, char *out);

#endif							/* PJEVAL_XLSX_WRITE_H */
