/*
 * workbook.c - fmgr glue for the workbook reader (src/wb/workbook.h):
 * pjeval.workbook_text(bytea) and pjeval.workbook_read(bytea), the
 * tab-separated document an .xlsx workbook holds and the map from its lines
 * back to sheets and rows, which pjeval.import_workbook() hands to
 * import_forms().
 *
 * The reader runs on malloc'd libzip and libxml2 state, so nothing may
 * longjmp over it: a cancel is noticed by its stop callback (which only
 * reads the interrupt flags), the reader cleans up and returns, and only
 * then does CHECK_FOR_INTERRUPTS() raise.  Its result is copied into
 * palloc'd memory under PG_FINALLY, which frees the malloc'd result
 * whatever happens.
 *
 * pjeval.workbook_write(jsonb) is the writer's glue (src/wb/xlsx_write.h):
 * the sheets pjeval.export_workbook() lays out, written by libxlsxwriter to
 * a temporary file under the data directory's base/pgsql_tmp (libxlsxwriter
 * 1.1.4 writes only to files; its own temporary files go there too), read
 * back into a bytea and removed under PG_FINALLY whatever happens (and, after
 * a crash, by the server's start, as every pgsql_tmp file is).  The writer
 * runs on malloc'd libxlsxwriter state and is called with palloc'd input
 * only after all of it is read, so nothing longjmps over it; a cancel is
 * noticed by the same stop callback as the reader's.
 */
#include "glue.h"

#include "catalog/pg_type.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_tablespace_d.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "access/xact.h"

#include "workbook.h"
#include "xlsx_write.h"

PG_FUNCTION_INFO_V1(workbook_text);
PG_FUNCTION_INFO_V1(workbook_read);
PG_FUNCTION_INFO_V1(workbook_write);

static bool
wb_stop(void *ctx)
{
	(void) ctx;
	return QueryCancelPending || ProcDiePending;
}

#define WB_HINT_XLSX "pjeval reads Office Open XML workbooks (.xlsx) as Excel and WPS save them."

/* Reads the workbook or raises its error; the caller frees *wb. */
static void
wb_read(bytea *b, PjWorkbook *wb)
{
	PjWbError	err;
	PjWbStatus	st;

	st = pj_wb_read((const unsigned char *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &pj_wb_default_limits,
					wb_stop, NULL, wb, &err);
	if (st == PJ_WB_OK)
		return;
	/* "it is not a zip archive" -> "It is not a zip archive." (a part's name stays) */
	if (err.message[0] >= 'a' && err.message[0] <= 'z' &&
		memchr(err.message, '/', strcspn(err.message, " ")) == NULL)
		err.message[0] = (char) (err.message[0] - 'a' + 'A');
	switch (st)
	{
		case PJ_WB_CANCELLED:
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling statement due to user request")));
			break;
		case PJ_WB_NOT_XLSX:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("the file is not an .xlsx workbook"),
					 errdetail("%s.", err.message),
					 errhint(WB_HINT_XLSX)));
			break;
		case PJ_WB_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("the workbook cannot be read: it is damaged or not an .xlsx workbook"),
					 errdetail("%s.", err.message),
					 errhint("Open it in Excel or WPS and save it again as .xlsx (Excel Workbook).")));
			break;
		case PJ_WB_OLE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("the file is an .xls (Excel 97-2003) workbook, which pjeval does not read"),
					 errdetail("%s.", err.message),
					 errhint("Save it as .xlsx (Excel Workbook) in Excel or WPS.")));
			break;
		case PJ_WB_ENCRYPTED:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("the workbook is protected by a password, which pjeval does not read"),
					 errdetail("%s.", err.message),
					 errhint("Remove the password (save it as .xlsx without one) and import that copy.")));
			break;
		case PJ_WB_LIMIT:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the workbook is beyond pjeval's limits"),
					 errdetail("%s.", err.message),
					 errhint("A workbook holds forms of the template; split a larger one into several files.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("%s.", err.message)));
			break;
	}
}

/* The document as text, checked to be UTF-8 (the reader writes nothing else). */
static text *
wb_document(const PjWorkbook *wb)
{
	pg_verifymbstr(wb->text, (int) wb->len, false);
	return cstring_to_text_with_len(wb->text, (int) wb->len);
}

Datum
workbook_text(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	PjWorkbook	wb;
	text	   *volatile result = NULL;

	pj_require_utf8();
	wb_read(b, &wb);
	PG_TRY();
	{
		result = wb_document(&wb);
	}
	PG_FINALLY();
	{
		pj_wb_free(&wb);
	}
	PG_END_TRY();
	PG_RETURN_TEXT_P(result);
}

Datum
workbook_read(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	PjWorkbook	wb;
	TupleDesc	tupdesc;
	volatile Datum result = (Datum) 0;

	pj_require_utf8();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	wb_read(b, &wb);
	PG_TRY();
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		Datum	   *names = palloc(sizeof(Datum) * Max(wb.nsheets, 1));
		Datum	   *sheet = palloc(sizeof(Datum) * wb.nlines);
		Datum	   *row = palloc(sizeof(Datum) * wb.nlines);
		int			i;

		for (i = 0; i < wb.nsheets; i++)
		{
			pg_verifymbstr(wb.sheet_names[i], (int) strlen(wb.sheet_names[i]), false);
			names[i] = CStringGetTextDatum(wb.sheet_names[i]);
		}
		for (i = 0; i < wb.nlines; i++)
		{
			sheet[i] = Int32GetDatum(wb.line_sheet[i] + 1);
			row[i] = Int32GetDatum(wb.line_row[i]);
		}
		values[0] = PointerGetDatum(wb_document(&wb));
		values[1] = PointerGetDatum(construct_array(names, wb.nsheets, TEXTOID, -1, false, TYPALIGN_INT));
		values[2] = PointerGetDatum(construct_array(sheet, wb.nlines, INT4OID, 4, true, TYPALIGN_INT));
		values[3] = PointerGetDatum(construct_array(row, wb.nlines, INT4OID, 4, true, TYPALIGN_INT));
		result = HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls));
	}
	PG_FINALLY();
	{
		pj_wb_free(&wb);
	}
	PG_END_TRY();
	PG_RETURN_DATUM(result);
}

/* ------------------------------------------------------------ writing */

#define WX_HINT "pjeval.workbook_write takes the sheets pjeval.export_workbook lays out: an array of {\"name\", \"cells\": [[row, column, style, value, format]], \"merges\": [[row, column, row, column]], \"repeat\": [row, row], \"widths\": [characters, ...] (optional, up to 16 columns; the template's nine without it)}, rows and columns from 1."

static void pg_attribute_noreturn()
wx_bad(int sheet, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("sheet %d of the workbook to write is not laid out as pjeval.workbook_write expects", sheet),
			 errdetail("%s.", what),
			 errhint(WX_HINT)));
}

/* The i-th element of an array container (NULL beyond its end or if not an array). */
static JsonbValue *
wx_item(JsonbValue *array, int i)
{
	if (array == NULL || array->type != jbvBinary || !JsonContainerIsArray(array->val.binary.data) ||
		JsonContainerIsScalar(array->val.binary.data))
		return NULL;
	return getIthJsonbValueFromContainer(array->val.binary.data, (uint32) i);
}

static int
wx_size(JsonbValue *array, int sheet, const char *what)
{
	if (array == NULL)
		return 0;
	if (array->type != jbvBinary || !JsonContainerIsArray(array->val.binary.data) ||
		JsonContainerIsScalar(array->val.binary.data))
		wx_bad(sheet, psprintf("%s is not an array", what));
	return (int) JsonContainerSize(array->val.binary.data);
}

/* A 1-based row or column as the writer's 0-based one. */
static int
wx_index(JsonbValue *v, int sheet, const char *what)
{
	int32		n;

	if (v == NULL || v->type != jbvNumeric)
		wx_bad(sheet, psprintf("%s is not a number", what));
	n = DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(v->val.numeric)));
	if (n < 1 || n > PJ_XLSX_MAX_ROWS)
		wx_bad(sheet, psprintf("%s is %d, not from 1 to %d", what, n, PJ_XLSX_MAX_ROWS));
	return n - 1;
}

static const char *
wx_string(JsonbValue *v, int sheet, const char *what)
{
	if (v == NULL || v->type != jbvString)
		wx_bad(sheet, psprintf("%s is not a string", what));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static void
wx_range(JsonbValue *a, int sheet, const char *what, PjXlsxRange *r)
{
	if (wx_size(a, sheet, what) != 4)
		wx_bad(sheet, psprintf("%s is not [first row, first column, last row, last column]", what));
	r->first_row = wx_index(wx_item(a, 0), sheet, what);
	r->first_col = wx_index(wx_item(a, 1), sheet, what);
	r->last_row = wx_index(wx_item(a, 2), sheet, what);
	r->last_col = wx_index(wx_item(a, 3), sheet, what);
}

/* The sheets of the jsonb, palloc'd. */
static int
wx_sheets(Jsonb *j, PjXlsxSheet **out)
{
	JsonbValue	top;
	int			n;
	int			s;
	PjXlsxSheet *sheets;

	top.type = jbvBinary;
	top.val.binary.data = &j->root;
	top.val.binary.len = (int) VARSIZE(j) - VARHDRSZ;
	if (!JB_ROOT_IS_ARRAY(j) || JB_ROOT_IS_SCALAR(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the workbook to write is not an array of sheets"),
				 errhint(WX_HINT)));
	n = (int) JsonContainerSize(&j->root);
	/* the writer checks the count against the reader's limit */
	sheets = palloc0(sizeof(PjXlsxSheet) * Max(n, 1));
	for (s = 0; s < n && s <= pj_wb_default_limits.max_sheets; s++)
	{
		JsonbValue *sv = wx_item(&top, s);
		JsonbContainer *obj;
		JsonbValue *cells;
		JsonbValue *merges;
		JsonbValue *repeat;
		JsonbValue *widths;
		PjXlsxSheet *sh = &sheets[s];
		PjXlsxCell *cs;
		PjXlsxRange *ms;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (sv == NULL || sv->type != jbvBinary || !JsonContainerIsObject(sv->val.binary.data))
			wx_bad(s + 1, "it is not an object");
		obj = sv->val.binary.data;
		sh->name = wx_string(getKeyJsonValueFromContainer(obj, "name", 4, NULL), s + 1, "its name");
		cells = getKeyJsonValueFromContainer(obj, "cells", 5, NULL);
		merges = getKeyJsonValueFromContainer(obj, "merges", 6, NULL);
		repeat = getKeyJsonValueFromContainer(obj, "repeat", 6, NULL);
		widths = getKeyJsonValueFromContainer(obj, "widths", 6, NULL);

		sh->ncells = wx_size(cells, s + 1, "cells");
		if (sh->ncells > pj_wb_default_limits.max_cells)
			sh->ncells = (int) pj_wb_default_limits.max_cells + 1;		/* the writer says so */
		cs = palloc0(sizeof(PjXlsxCell) * Max(sh->ncells, 1));
		for (i = 0; i < sh->ncells; i++)
		{
			JsonbValue *c = wx_item(cells, i);
			int			len = wx_size(c, s + 1, "a cell");
			JsonbValue *style;
			JsonbValue *value;
			int			st;

			if (len != 4 && len != 5)
				wx_bad(s + 1, psprintf("cell %d is not [row, column, style, value] or [row, column, style, number, format]", i + 1));
			cs[i].row = wx_index(wx_item(c, 0), s + 1, "a cell's row");
			cs[i].col = wx_index(wx_item(c, 1), s + 1, "a cell's column");
			style = wx_item(c, 2);
			st = pj_xlsx_style(wx_string(style, s + 1, "a cell's style"));
			if (st < 0)
				wx_bad(s + 1, psprintf("cell %d has the style %s, not one of title, part, head, text, level, number, note",
									   i + 1, wx_string(style, s + 1, "a cell's style")));
			cs[i].style = (PjXlsxStyle) st;
			value = wx_item(c, 3);
			if (value != NULL && value->type == jbvString)
				cs[i].text = wx_string(value, s + 1, "a cell's text");
			else if (value != NULL && value->type == jbvNumeric)
				cs[i].number = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value->val.numeric)));
			else
				wx_bad(s + 1, psprintf("cell %d holds neither a string nor a number", i + 1));
			if (len == 5)
			{
				if (cs[i].number == NULL)
					wx_bad(s + 1, psprintf("cell %d has a number format but holds text", i + 1));
				cs[i].format = wx_string(wx_item(c, 4), s + 1, "a number's format");
			}
			if ((i & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		sh->cells = cs;

		sh->nmerges = wx_size(merges, s + 1, "merges");
		if (sh->nmerges > pj_wb_default_limits.max_cells)
			sh->nmerges = (int) pj_wb_default_limits.max_cells + 1;
		ms = palloc0(sizeof(PjXlsxRange) * Max(sh->nmerges, 1));
		for (i = 0; i < sh->nmerges; i++)
			wx_range(wx_item(merges, i), s + 1, "a merged range", &ms[i]);
		sh->merges = ms;

		sh->repeat_first = sh->repeat_last = -1;
		if (repeat != NULL && repeat->type != jbvNull)
		{
			if (wx_size(repeat, s + 1, "repeat") != 2)
				wx_bad(s + 1, "repeat is not [first row, last row]");
			sh->repeat_first = wx_index(wx_item(repeat, 0), s + 1, "repeat's first row");
			sh->repeat_last = wx_index(wx_item(repeat, 1), s + 1, "repeat's last row");
		}

		/* the sheet's own columns (the writer checks each width) */
		if (widths != NULL && widths->type != jbvNull)
		{
			double	   *ws;

			sh->ncols = wx_size(widths, s + 1, "widths");
			if (sh->ncols < 1 || sh->ncols > PJ_XLSX_MAX_COLUMNS)
				wx_bad(s + 1, psprintf("widths has %d columns, not 1 to %d", sh->ncols, PJ_XLSX_MAX_COLUMNS));
			ws = palloc(sizeof(double) * sh->ncols);
			for (i = 0; i < sh->ncols; i++)
			{
				JsonbValue *w = wx_item(widths, i);

				if (w == NULL || w->type != jbvNumeric)
					wx_bad(s + 1, "a column's width is not a number");
				ws[i] = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(w->val.numeric)));
			}
			sh->widths = ws;
		}
	}
	*out = sheets;
	return n;
}

/* The file's bytes as a bytea. */
static bytea *
wx_read_file(const char *path)
{
	int			fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	struct stat st;
	bytea	   *b;
	size_t		done = 0;

	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open the written workbook \"%s\": %m", path)));
	if (fstat(fd, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat the written workbook \"%s\": %m", path)));
	if ((Size) st.st_size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the workbook is too large for a bytea"),
				 errdetail("It has %lld bytes; a bytea holds at most 1 GB.", (long long) st.st_size),
				 errhint("Export fewer forms at a time.")));
	b = palloc((Size) st.st_size + VARHDRSZ);
	while (done < (size_t) st.st_size)
	{
		ssize_t		n = read(fd, VARDATA(b) + done, (size_t) st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read the written workbook \"%s\": %m", path)));
		done += (size_t) n;
	}
	CloseTransientFile(fd);
	SET_VARSIZE(b, done + VARHDRSZ);
	return b;
}

Datum
workbook_write(PG_FUNCTION_ARGS)
{
	Jsonb	   *j = PG_GETARG_JSONB_P(0);
	static long counter = 0;
	PjXlsxDoc	doc;
	PjXlsxSheet *sheets;
	PjWbError	err;
	char		tmpdir[MAXPGPATH];
	char		path[MAXPGPATH];
	bytea	   *volatile result = NULL;

	pj_require_utf8();
	doc.nsheets = wx_sheets(j, &sheets);
	doc.sheets = sheets;
	doc.created = (long long) timestamptz_to_time_t(GetCurrentTransactionStartTimestamp());

	/* base/pgsql_tmp, made as the server makes it for its own temporary files */
	TempTablespacePath(tmpdir, DEFAULTTABLESPACE_OID);
	if (MakePGDirectory(tmpdir) != 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create the directory \"%s\" for the workbook: %m", tmpdir)));
	snprintf(path, sizeof(path), "%s/%s%d.pjeval%ld.xlsx", tmpdir, PG_TEMP_FILE_PREFIX, MyProcPid, counter++);
	doc.tmpdir = tmpdir;

	CHECK_FOR_INTERRUPTS();
	PG_TRY();
	{
		PjWbStatus	st = pj_xlsx_write(path, &doc, wb_stop, NULL, &err);

		switch (st)
		{
			case PJ_WB_OK:
				break;
			case PJ_WB_CANCELLED:
				CHECK_FOR_INTERRUPTS();
				ereport(ERROR,
						(errcode(ERRCODE_QUERY_CANCELED),
						 errmsg("canceling statement due to user request")));
				break;
			case PJ_WB_LIMIT:
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the workbook would be beyond pjeval's or Excel's limits"),
						 errdetail("%s.", err.message),
						 errhint("Export fewer forms at a time; a text longer than a cell holds cannot be exported to a workbook (export_form writes it as text).")));
				break;
			case PJ_WB_INVALID:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the sheets cannot be written as a workbook"),
						 errdetail("%s.", err.message),
						 errhint(WX_HINT)));
				break;
			case PJ_WB_NOMEM:
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory"),
						 errdetail("%s.", err.message)));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_IO_ERROR),
						 errmsg("could not write the workbook \"%s\"", path),
						 errdetail("%s.", err.message)));
				break;
		}
		result = wx_read_file(path);
	}
	PG_FINALLY();
	{
		/* whatever happened: the file goes (a crash leaves it to the server's start) */
		(void) unlink(path);
	}
	PG_END_TRY();
	PG_RETURN_BYTEA_P(result);
}
