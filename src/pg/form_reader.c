/*
 * form_reader.c - fmgr glue for the form reader (src/core/form.h):
 * pjeval.read_forms(document text) returns the document's forms as one
 * jsonb array; pjeval.read_form_batch(document, …) returns the next few
 * forms from a position and where to go on, which is how
 * pjeval.import_forms() reads a document of any size in memory
 * proportional to a batch.  pjeval.document_line and document_find_line
 * show the document's lines for errors, numbered as the reader numbers them.
 *
 * Each form is an object: form (its position), line, the header fields,
 * amount_unit, the goals, total_weight, total_score, notes, total_grade,
 * fund_weight (预算执行情况（20分）), funds[],
 * indicators[] and findings[] (what was read but is worth a look: {line,
 * code}, and detail where the reader says what it read or inferred).  A fund
 * line's kind is the source its label names (pj_fund_source), null for none.  Each fund line and indicator carries its form's position too, so
 * that all of them can be taken out at once.  Amounts, weights and scores
 * are JSON numbers (exact in jsonb); an empty cell is null; everything else
 * is text as written.
 *
 * The jsonb is built directly (pushJsonbValue), not printed as JSON text
 * and parsed again: no escaping and no lexing.  The reader's cells live in
 * its scratch space, which the next form reuses, so their text is copied
 * once into an arena that lives until the jsonb is made.  A form's fields may arrive in any
 * order (总分 after the indicators, the amount unit inside the fund table),
 * so its rows are kept until the form ends and the object is written then.
 */
#include "glue.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "form.h"
#include "rules.h"

PG_FUNCTION_INFO_V1(read_forms);
PG_FUNCTION_INFO_V1(read_form_batch);
PG_FUNCTION_INFO_V1(document_line);
PG_FUNCTION_INFO_V1(document_find_line);
PG_FUNCTION_INFO_V1(standard_level_list);
PG_FUNCTION_INFO_V1(level_weight);

/* A batch ends after the form that takes it past this many bytes of text. */
#define BATCH_BYTES (8 * 1024 * 1024)

/* The largest jsonb value (JENTRY_OFFLENMASK), with room for the last form. */
#define JSONB_LIMIT ((size_t) JENTRY_OFFLENMASK - 1024 * 1024)

typedef struct Finding
{
	int			line;
	const char *code;
	PjCell		detail;			/* valid until the form's end */
} Finding;

typedef struct JsonSink
{
	JsonbParseState *state;		/* the array of forms, open */
	size_t		bytes;			/* more than the jsonb of the forms so far takes */
	char	   *arena;			/* the cells' text, kept until the jsonb is made */
	size_t		arena_left;
	PjCell		fields[PJ_N_FORM_FIELDS];
	PjFundRow  *funds;
	int			nfunds,
				maxfunds;
	PjIndicatorRow *inds;
	int			ninds,
				maxinds;
	Finding    *findings;
	int			nfindings,
				maxfindings;
	int			form,
				line;
} JsonSink;

static const char *const field_names[PJ_N_FORM_FIELDS] = {
	"project_code", "project_name", "year", "unit", "top_unit", "amount_unit",
	"goal_expected", "goal_actual", "total_weight", "total_score", "notes",
	"total_grade", "fund_weight", "execution_reason",
};

static void
push_key(JsonSink *j, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(&j->state, WJB_KEY, &k);
	j->bytes += k.val.string.len + 8;
}

static void
push_null(JsonSink *j)
{
	JsonbValue	v;

	v.type = jbvNull;
	pushJsonbValue(&j->state, WJB_VALUE, &v);
}

/* Text as written. */
static void
add_string(JsonSink *j, const char *key, PjCell c)
{
	JsonbValue	v;

	push_key(j, key);
	if (c.len == 0)
	{
		push_null(j);
		return;
	}
	if (c.len > j->arena_left)
	{
		j->arena_left = Max(c.len, (size_t) 1024 * 1024);
		j->arena = palloc_extended(j->arena_left, MCXT_ALLOC_HUGE);
	}
	memcpy(j->arena, c.s, c.len);
	v.type = jbvString;
	v.val.string.val = j->arena;
	v.val.string.len = (int) c.len;
	j->arena += c.len;
	j->arena_left -= c.len;
	pushJsonbValue(&j->state, WJB_VALUE, &v);
	j->bytes += c.len + 8;
}

/* The reader checked these are plain decimals. */
static void
add_number(JsonSink *j, const char *key, PjCell c)
{
	JsonbValue	v;
	char		buf[64];
	char	   *s = c.len < sizeof(buf) ? buf : palloc(c.len + 1);

	push_key(j, key);
	if (c.len == 0)
	{
		push_null(j);
		return;
	}
	memcpy(s, c.s, c.len);
	s[c.len] = '\0';
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	pushJsonbValue(&j->state, WJB_VALUE, &v);
	j->bytes += VARSIZE(v.val.numeric) + 8;
}

static void
add_int(JsonSink *j, const char *key, int n)
{
	JsonbValue	v;

	push_key(j, key);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	pushJsonbValue(&j->state, WJB_VALUE, &v);
	j->bytes += VARSIZE(v.val.numeric) + 8;
}

static void
begin_container(JsonSink *j, JsonbIteratorToken token)
{
	pushJsonbValue(&j->state, token, NULL);
	j->bytes += 16;
}

static void
on_begin(void *ctx, int form, int line)
{
	JsonSink   *j = ctx;

	j->form = form;
	j->line = line;
	memset(j->fields, 0, sizeof(j->fields));
	j->nfunds = j->ninds = j->nfindings = 0;
}

static void
on_field(void *ctx, PjFormField f, PjCell v)
{
	((JsonSink *) ctx)->fields[f] = v;
}

static void
on_fund(void *ctx, const PjFundRow *r)
{
	JsonSink   *j = ctx;

	if (j->nfunds == j->maxfunds)
	{
		j->maxfunds *= 2;
		j->funds = repalloc(j->funds, sizeof(PjFundRow) * j->maxfunds);
	}
	j->funds[j->nfunds++] = *r;
}

static void
on_indicator(void *ctx, const PjIndicatorRow *r)
{
	JsonSink   *j = ctx;

	if (j->ninds == j->maxinds)
	{
		j->maxinds *= 2;
		j->inds = repalloc(j->inds, sizeof(PjIndicatorRow) * j->maxinds);
	}
	j->inds[j->ninds++] = *r;
}

static void
on_finding(void *ctx, int line, const char *code, PjCell detail)
{
	JsonSink   *j = ctx;

	if (j->nfindings == j->maxfindings)
	{
		j->maxfindings *= 2;
		j->findings = repalloc(j->findings, sizeof(Finding) * j->maxfindings);
	}
	j->findings[j->nfindings].line = line;
	j->findings[j->nfindings].detail = detail;
	j->findings[j->nfindings++].code = code;
}

/* Before each row the reader reads: a cancel or a timeout stops it here. */
static void
on_tick(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

static void
on_end(void *ctx)
{
	JsonSink   *j = ctx;
	int			f,
				i;

	begin_container(j, WJB_BEGIN_OBJECT);
	add_int(j, "form", j->form);
	add_int(j, "line", j->line);
	for (f = 0; f < PJ_N_FORM_FIELDS; f++)
	{
		if (f == PJ_FIELD_YEAR || f == PJ_FIELD_TOTAL_WEIGHT || f == PJ_FIELD_TOTAL_SCORE ||
			f == PJ_FIELD_FUND_WEIGHT)
			add_number(j, field_names[f], j->fields[f]);
		else
			add_string(j, field_names[f], j->fields[f]);
	}

	push_key(j, "funds");
	begin_container(j, WJB_BEGIN_ARRAY);
	for (i = 0; i < j->nfunds; i++)
	{
		const PjFundRow *r = &j->funds[i];

		begin_container(j, WJB_BEGIN_OBJECT);
		add_int(j, "form", j->form);
		add_int(j, "line", r->line);
		add_string(j, "source", r->source);
		add_string(j, "kind", r->kind ? (PjCell) {r->kind, strlen(r->kind)} : (PjCell) {"", 0});
		add_number(j, "initial_budget", r->initial_budget);
		add_number(j, "budget", r->budget);
		add_number(j, "executed", r->executed);
		add_number(j, "weight", r->weight);
		add_number(j, "rate", r->rate);
		add_number(j, "score", r->score);
		pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&j->state, WJB_END_ARRAY, NULL);

	push_key(j, "indicators");
	begin_container(j, WJB_BEGIN_ARRAY);
	for (i = 0; i < j->ninds; i++)
	{
		const PjIndicatorRow *r = &j->inds[i];

		begin_container(j, WJB_BEGIN_OBJECT);
		add_int(j, "form", j->form);
		add_int(j, "position", r->position);
		add_int(j, "line", r->line);
		add_string(j, "level1", r->level1);
		add_number(j, "level1_weight", r->level1_weight);
		add_string(j, "level2", r->level2);
		add_string(j, "level3", r->level3);
		add_string(j, "target", r->target);
		add_string(j, "actual", r->actual);
		add_number(j, "weight", r->weight);
		add_number(j, "score", r->score);
		add_string(j, "explanation", r->explanation);
		pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&j->state, WJB_END_ARRAY, NULL);

	push_key(j, "findings");
	begin_container(j, WJB_BEGIN_ARRAY);
	for (i = 0; i < j->nfindings; i++)
	{
		begin_container(j, WJB_BEGIN_OBJECT);
		add_int(j, "form", j->form);
		add_int(j, "line", j->findings[i].line);
		add_string(j, "code", (PjCell) {j->findings[i].code, strlen(j->findings[i].code)});
		if (j->findings[i].detail.len > 0)
			add_string(j, "detail", j->findings[i].detail);
		pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&j->state, WJB_END_ARRAY, NULL);
	pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	if (j->bytes > JSONB_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the forms read up to form %d of the document make a jsonb value of more than %zu MB",
						j->form, (size_t) JENTRY_OFFLENMASK >> 20),
				 errhint("pjeval.read_form_batch reads a document a few forms at a time; pjeval.import_forms imports a document of any size.")));
}

static void
init_sink(JsonSink *j)
{
	memset(j, 0, sizeof(*j));
	j->maxfunds = 8;
	j->funds = palloc(sizeof(PjFundRow) * j->maxfunds);
	j->maxinds = 32;
	j->inds = palloc(sizeof(PjIndicatorRow) * j->maxinds);
	j->maxfindings = 4;
	j->findings = palloc(sizeof(Finding) * j->maxfindings);
	begin_container(j, WJB_BEGIN_ARRAY);
}

/*
 * Reads forms from *pos into j's array until max_forms forms or BATCH_BYTES
 * bytes (at least one form) or the end; true when the document has no more
 * forms.  Scratch space is that of the largest form read, grown when the
 * reader asks for more.
 */
static bool
read_some(JsonSink *j, const char *doc, size_t len, PjFormPos *pos, int max_forms, size_t max_bytes)
{
	PjFormSink	sink = {j, on_begin, on_field, on_fund, on_indicator, on_end, on_finding, on_tick};
	PjFormError err;
	size_t		start = pos->offset,
				cap = Min(pj_form_scratch_size(len), (size_t) 64 * 1024);
	char	   *scratch = palloc(cap);
	int			n = 0;

	for (;;)
	{
		switch (pj_read_form(doc, len, pos, scratch, cap, &sink, &err))
		{
			case PJ_READ_FORM:
				if (++n >= max_forms || pos->offset - start >= max_bytes)
				{
					pfree(scratch);
					return pos->offset >= len;
				}
				continue;
			case PJ_READ_DONE:
				pfree(scratch);
				return true;
			case PJ_READ_SCRATCH:
				pfree(scratch);
				cap *= 2;
				scratch = palloc_extended(cap, MCXT_ALLOC_HUGE);
				continue;
			case PJ_READ_ERROR:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("form %d of the document cannot be read: line %d", err.form, err.line),
						 errdetail("Line %d: \"%s\"; expected %s.", err.line, err.text, err.expected),
						 errhint("A document is one or more forms of the template 项目支出绩效自评表 as tab-separated text, as copied from a spreadsheet.")));
		}
	}
}

Datum
read_forms(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	JsonSink	j;
	PjFormPos	pos = {0, 1, 0};
	JsonbValue *res;

	pj_require_utf8();
	init_sink(&j);
	read_some(&j, VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), &pos, INT_MAX, SIZE_MAX);
	res = pushJsonbValue(&j.state, WJB_END_ARRAY, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/*
 * read_form_batch(document, start_offset, start_line, start_form, max_forms)
 * → (forms jsonb, next_offset bigint, next_line integer, next_form integer):
 * the forms that begin at byte start_offset (line start_line, after
 * start_form forms), at most max_forms of them and about BATCH_BYTES of
 * text; next_offset is NULL after the last form.
 */
Datum
read_form_batch(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	int64		offset = PG_GETARG_INT64(1);
	int32		line = PG_GETARG_INT32(2),
				form = PG_GETARG_INT32(3),
				max_forms = PG_GETARG_INT32(4);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	JsonSink	j;
	PjFormPos	pos;
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	bool		done;

	pj_require_utf8();
	if (offset < 0 || (uint64) offset > len || line < 1 || form < 0 || max_forms < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("read_form_batch cannot start at byte %lld, line %d, after %d forms, for %d forms",
						(long long) offset, line, form, max_forms),
				 errdetail("The document has %zu bytes.", len),
				 errhint("Start at 0, 1, 0 (the defaults), then go on from the next_offset, next_line and next_form a batch returned; max_forms is 1 or more.")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "read_form_batch must return a record");
	pos.offset = (size_t) offset;
	pos.line = line;
	pos.form = form;
	init_sink(&j);
	done = read_some(&j, VARDATA_ANY(doc), len, &pos, max_forms, BATCH_BYTES);
	values[0] = JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&j.state, WJB_END_ARRAY, NULL)));
	values[1] = Int64GetDatum((int64) pos.offset);
	nulls[1] = done;
	values[2] = Int32GetDatum(pos.line);
	values[3] = Int32GetDatum(pos.form);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/* Line n of a document (1-based, as the reader counts); false past the end. */
static bool
find_line(const char *doc, size_t len, int n, size_t *at, size_t *line_len, size_t *next)
{
	size_t		p = 0;
	int			i;

	for (i = 1;; i++)
	{
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (p >= len && !(p == 0 && i == 1))
			return false;
		*at = p;
		*next = pj_next_line(doc, len, p, line_len);
		if (i >= n)
			return true;
		p = *next;
	}
}

/*
 * document_line(document, n): line n as error messages show it, tabs as
 * " | ", at most 120 characters ('' past the end).
 */
Datum
document_line(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	int32		n = PG_GETARG_INT32(1);
	const char *s = VARDATA_ANY(doc);
	size_t		at,
				len,
				next,
				i;
	int			chars = 0;
	StringInfoData out;


	initStringInfo(&out);
	if (!find_line(s, VARSIZE_ANY_EXHDR(doc), n, &at, &len, &next))
		PG_RETURN_TEXT_P(cstring_to_text(""));
	/* tabs shown first, then cut: as long as it may be, no longer */
	for (i = at; i < at + len && chars <= 120; i += pg_mblen(s + i))
	{
		if (s[i] == '\t')
		{
			appendStringInfoString(&out, " | ");
			chars += 3;
		}
		else
		{
			appendBinaryStringInfo(&out, s + i, pg_mblen(s + i));
			chars++;
		}
	}
	if (chars > 120)
	{
		out.len = pg_mbcharcliplen(out.data, out.len, 119);
		out.data[out.len] = '\0';
		appendStringInfoString(&out, "…");
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

/*
 * document_find_line(document, from_line, pattern): the number of the first
 * line at or after from_line that matches the regular expression, NULL if
 * none.
 */
Datum
document_find_line(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	int32		n = PG_GETARG_INT32(1);
	Datum		pattern = PG_GETARG_DATUM(2);
	Oid			coll = OidIsValid(PG_GET_COLLATION()) ? PG_GET_COLLATION() : DEFAULT_COLLATION_OID;
	const char *s = VARDATA_ANY(doc);
	size_t		len = VARSIZE_ANY_EXHDR(doc),
				at,
				line_len,
				next;

	if (n < 1)
		n = 1;
	if (!find_line(s, len, n, &at, &line_len, &next))
		PG_RETURN_NULL();
	for (;;)
	{
		text	   *line = cstring_to_text_with_len(s + at, (int) line_len);

		CHECK_FOR_INTERRUPTS();
		if (DatumGetBool(DirectFunctionCall2Coll(textregexeq, coll, PointerGetDatum(line), pattern)))
			PG_RETURN_INT32(n);
		pfree(line);
		if (next >= len)
			PG_RETURN_NULL();
		at = next;
		next = pj_next_line(s, len, at, &line_len);
		n++;
	}
}

/*
 * standard_level_list(): the reader's list of standard level names
 * (pj_standard_levels), as the views compare names (indicator_level_name:
 * ending in 指标), so that the database and the reader share one list.
 */
Datum
standard_level_list(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < pj_n_standard_levels; i++)
	{
		const PjStandardLevel *l = &pj_standard_levels[i];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = CStringGetTextDatum(psprintf("%s%s", l->name, PJ_WORD_INDICATOR));
		values[1] = Int32GetDatum(l->level);
		values[2] = CStringGetTextDatum(l->kind);
		values[3] = CStringGetTextDatum(l->level1);
		if (l->standard)
			values[4] = CStringGetTextDatum(psprintf("%s%s", l->standard, PJ_WORD_INDICATOR));
		else
			nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * indicator_level_weight(level): the weight a level's name carries, as the
 * reader reads it (产出指标 (40分) → 40; pj_split_level), NULL where it
 * carries none: how the views know a block's weight.
 */
Datum
level_weight(PG_FUNCTION_ARGS)
{
	text	   *level = PG_GETARG_TEXT_PP(0);
	PjCell		name,
				w;
	char		buf[16];

	pj_split_level((PjCell) {VARDATA_ANY(level), VARSIZE_ANY_EXHDR(level)}, &name, &w);
	if (w.len == 0 || w.len >= sizeof(buf))
		PG_RETURN_NULL();
	memcpy(buf, w.s, w.len);
	buf[w.len] = '\0';
	PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(InvalidOid),
										Int32GetDatum(-1)));
}
