/*
 * form_reader.c - fmgr glue for the form reader (src/core/form.h):
 * pjeval.read_forms(document text) returns the document's forms as one
 * jsonb array, which pjeval.import_forms() turns into rows.
 *
 * Each form is an object: form (its position), line, the header fields,
 * amount_unit, the goals, total_weight, total_score, notes, funds[] and
 * indicators[].  Each fund line and indicator carries its form's position
 * too, so that all of them can be taken out at once.  Amounts, weights and
 * scores are JSON numbers (exact in jsonb); an empty cell is null;
 * everything else is text as written.
 *
 * The jsonb is built directly (pushJsonbValue), not printed as JSON text
 * and parsed again: cells are handed over where the reader left them, with
 * no copy, no escaping and no lexing.  A form's fields may arrive in any
 * order (总分 after the indicators, the amount unit inside the fund table),
 * so its rows are kept until the form ends and the object is written then.
 */
#include "glue.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "form.h"

PG_FUNCTION_INFO_V1(read_forms);

typedef struct JsonSink
{
	JsonbParseState *state;		/* the document's array, open */
	PjCell		fields[PJ_N_FORM_FIELDS];
	PjFundRow  *funds;
	int			nfunds,
				maxfunds;
	PjIndicatorRow *inds;
	int			ninds,
				maxinds;
	int			form,
				line;
} JsonSink;

static const char *const field_names[PJ_N_FORM_FIELDS] = {
	"project_code", "project_name", "year", "unit", "top_unit", "amount_unit",
	"goal_expected", "goal_actual", "total_weight", "total_score", "notes",
};

static void
push_key(JsonSink *j, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(&j->state, WJB_KEY, &k);
}

static void
push_null(JsonSink *j)
{
	JsonbValue	v;

	v.type = jbvNull;
	pushJsonbValue(&j->state, WJB_VALUE, &v);
}

/* Text as written; the reader's cells stay valid until the call ends. */
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
	v.type = jbvString;
	v.val.string.val = (char *) c.s;
	v.val.string.len = (int) c.len;
	pushJsonbValue(&j->state, WJB_VALUE, &v);
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
}

static void
add_int(JsonSink *j, const char *key, int n)
{
	JsonbValue	v;

	push_key(j, key);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	pushJsonbValue(&j->state, WJB_VALUE, &v);
}

static void
on_begin(void *ctx, int form, int line)
{
	JsonSink   *j = ctx;

	j->form = form;
	j->line = line;
	memset(j->fields, 0, sizeof(j->fields));
	j->nfunds = j->ninds = 0;
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
on_end(void *ctx)
{
	JsonSink   *j = ctx;
	int			f,
				i;

	pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
	add_int(j, "form", j->form);
	add_int(j, "line", j->line);
	for (f = 0; f < PJ_N_FORM_FIELDS; f++)
	{
		if (f == PJ_FIELD_YEAR || f == PJ_FIELD_TOTAL_WEIGHT || f == PJ_FIELD_TOTAL_SCORE)
			add_number(j, field_names[f], j->fields[f]);
		else
			add_string(j, field_names[f], j->fields[f]);
	}

	push_key(j, "funds");
	pushJsonbValue(&j->state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < j->nfunds; i++)
	{
		const PjFundRow *r = &j->funds[i];

		pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
		add_int(j, "form", j->form);
		add_int(j, "line", r->line);
		add_string(j, "source", r->source);
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
	pushJsonbValue(&j->state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < j->ninds; i++)
	{
		const PjIndicatorRow *r = &j->inds[i];

		pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
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
	pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
}

Datum
read_forms(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	char	   *scratch;
	JsonSink	j;
	PjFormSink	sink = {&j, on_begin, on_field, on_fund, on_indicator, on_end};
	PjFormError err;
	JsonbValue *res;

	pj_require_utf8();
	scratch = palloc(pj_form_scratch_size(len));
	memset(&j, 0, sizeof(j));
	j.maxfunds = 8;
	j.funds = palloc(sizeof(PjFundRow) * j.maxfunds);
	j.maxinds = 32;
	j.inds = palloc(sizeof(PjIndicatorRow) * j.maxinds);
	pushJsonbValue(&j.state, WJB_BEGIN_ARRAY, NULL);
	if (!pj_read_forms(VARDATA_ANY(doc), len, scratch, &sink, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("form %d of the document cannot be read: line %d", err.form, err.line),
				 errdetail("Line %d: \"%s\"; expected %s.", err.line, err.text, err.expected),
				 errhint("A document is one or more forms of the template 项目支出绩效自评表 as tab-separated text, as copied from a spreadsheet.")));
	res = pushJsonbValue(&j.state, WJB_END_ARRAY, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
