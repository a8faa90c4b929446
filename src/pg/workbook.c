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
 */
#include "glue.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "workbook.h"

PG_FUNCTION_INFO_V1(workbook_text);
PG_FUNCTION_INFO_V1(workbook_read);

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
