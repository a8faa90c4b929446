/*
 * targets.c - fmgr glue the target form (64_targets.sql) reads with:
 * pjeval.document_rows(document) gives a tab-separated document's rows as
 * the form reader reads them (pj_read_rows: quoted cells, line ends, white
 * space and invisible characters), so that the target form's layout can be
 * read in SQL with the reader's own cells; pjeval.fund_source_of(label)
 * names the fund source a row label names (pj_fund_source, the one list).
 */
#include "glue.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "catalog/pg_type.h"

#include "form.h"

PG_FUNCTION_INFO_V1(document_rows);
PG_FUNCTION_INFO_V1(fund_source_of);

typedef struct RowsCtx
{
	ReturnSetInfo *rsinfo;
} RowsCtx;

static void
rows_tick(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

static void
rows_row(void *ctx, int line, const PjCell *cells, int ncells, int quote_line)
{
	RowsCtx    *c = ctx;
	Datum		values[3];
	bool		nulls[3] = {false, false, quote_line == 0};
	Datum	   *elems = palloc(sizeof(Datum) * (ncells > 0 ? ncells : 1));
	int			i;

	for (i = 0; i < ncells; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(cells[i].s, (int) cells[i].len));
	values[0] = Int32GetDatum(line);
	values[1] = PointerGetDatum(construct_array(elems, ncells, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = Int32GetDatum(quote_line);
	tuplestore_putvalues(c->rsinfo->setResult, c->rsinfo->setDesc, values, nulls);
	for (i = 0; i < ncells; i++)
		pfree(DatumGetPointer(elems[i]));
	pfree(elems);
	pfree(DatumGetPointer(values[1]));
}

/*
 * document_rows(document text, OUT line integer, OUT cells text[], OUT
 * quote_line integer): one row per row of the document, numbered by its
 * first line; quote_line is the line of a quote that nothing closes (read
 * as text), NULL if none.  Memory: the scratch (a few times the document)
 * and the rows in the tuplestore, which spills to disk.
 */
Datum
document_rows(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	size_t		scratch_len;
	char	   *scratch;
	RowsCtx		c;
	PjRowSink	sink;

	pj_require_utf8();
	InitMaterializedSRF(fcinfo, 0);
	c.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	scratch_len = pj_form_scratch_size(len);
	if (scratch_len > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("document of %zu bytes is too large to read", len)));
	scratch = palloc_extended(scratch_len, MCXT_ALLOC_HUGE);
	sink.ctx = &c;
	sink.row = rows_row;
	sink.tick = rows_tick;
	pj_read_rows(VARDATA_ANY(doc), len, scratch, scratch_len, &sink);
	pfree(scratch);
	return (Datum) 0;
}

/* fund_source_of(label): total, appropriation, carryover, other or NULL. */
Datum
fund_source_of(PG_FUNCTION_ARGS)
{
	text	   *label = PG_GETARG_TEXT_PP(0);
	const char *kind = pj_fund_source((PjCell) {VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label)});

	if (kind == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(kind));
}
