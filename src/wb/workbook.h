/*
 * workbook.h - an .xlsx workbook (Office Open XML) as the tab-separated
 * document the form reader reads: every visible worksheet in sheet order, a
 * line per row, each cell as the spreadsheet shows it (shared and inline
 * strings, numbers through their number format, dates, booleans, formulas
 * by their cached value, merged ranges by their top-left cell), with a map
 * from each line back to its sheet and row.
 *
 * Plain C without PostgreSQL headers.  libzip reads the zip container
 * straight from memory, libxml2's xmlTextReader reads each XML part as it
 * is inflated.  The reader allocates with malloc and frees everything
 * itself; it never longjmps: every failure is a status and a message.  A
 * workbook is untrusted input, so every size is limited (PjWbLimits), the
 * inflated size is counted as it is inflated, and XML with a document type
 * declaration is refused (no entity is ever declared, let alone expanded).
 */
#ifndef PJEVAL_WORKBOOK_H
#define PJEVAL_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>

typedef enum PjWbStatus
{
	PJ_WB_OK = 0,
	PJ_WB_NOT_XLSX,				/* not a zip, or a zip without a workbook */
	PJ_WB_CORRUPT,				/* a damaged zip, XML or workbook part */
	PJ_WB_OLE,					/* an OLE compound file: .xls (Excel 97-2003) */
	PJ_WB_ENCRYPTED,			/* a workbook with a password */
	PJ_WB_LIMIT,				/* beyond one of PjWbLimits */
	PJ_WB_NOMEM,				/* malloc failed */
	PJ_WB_CANCELLED,			/* the stop callback said stop */
	PJ_WB_INVALID,				/* the writer (xlsx_write.h): a layout it cannot write */
	PJ_WB_WRITE_FAILED			/* the writer: the file or a temporary file could not be written */
} PjWbStatus;

typedef struct PjWbLimits
{
	size_t		max_compressed; /* bytes of the .xlsx file */
	size_t		max_inflated;	/* bytes inflated, all parts together */
	long		max_entries;	/* entries in the zip */
	long		max_sheets;		/* worksheets */
	long		max_rows;		/* rows, all sheets together (up to each one's last) */
	long		max_cells;		/* cell elements, all sheets together */
	long		max_strings;	/* shared strings */
	size_t		max_text;		/* bytes of the document written */
} PjWbLimits;

extern const PjWbLimits pj_wb_default_limits;

typedef struct PjWbError
{
	PjWbStatus	status;
	char		message[256];	/* what is wrong, naming the part or the limit */
} PjWbError;

typedef struct PjWorkbook
{
	char	   *text;			/* the document, NUL-terminated, lines end in \n */
	size_t		len;
	int			nlines;			/* lines of text, plus one: the line after the last */
	int		   *line_sheet;		/* per line (0-based index), its sheet: 0-based */
	int		   *line_row;		/* per line, its row (1-based) */
	int			nsheets;
	char	  **sheet_names;
} PjWorkbook;

/* Returns true to stop reading (a cancel): the reader cleans up and returns PJ_WB_CANCELLED. */
typedef bool (*PjWbStop) (void *ctx);

/*
 * Reads the workbook in data[0..len).  On PJ_WB_OK *wb holds the result
 * (free it with pj_wb_free); otherwise *wb is empty and err says why.
 */
PjWbStatus	pj_wb_read(const unsigned char *data, size_t len, const PjWbLimits *limits,
					   PjWbStop stop, void *stop_ctx, PjWorkbook *wb, PjWbError *err);

void		pj_wb_free(PjWorkbook *wb);

#endif							/* PJEVAL_WORKBOOK_H */
