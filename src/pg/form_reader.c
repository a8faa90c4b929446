/*
 * form_reader.c - fmgr glue for the form reader (src/core/form.h):
 * pjeval.read_forms(document text) returns the document's forms as one
 * jsonb array, which pjeval.import_forms() turns into rows.
 *
 * Each form is an object: form (its position), line, the header fields,
 * amount_unit, the goals, total_weight, total_score, notes, funds[] and
 * indicators[].  Amounts, weights and scores are JSON numbers (exact in
 * jsonb); an empty cell is null; everything else is text as written.
 */
#include "glue.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "form.h"

PG_FUNCTION_INFO_V1(read_forms);

typedef struct JsonSink
{
	StringInfoData out;			/* the array of finished forms */
	StringInfoData funds;
	StringInfoData indicators;
	PjCell		fields[PJ_N_FORM_FIELDS];
	int			form,
				line;
} JsonSink;

static const char *const field_names[PJ_N_FORM_FIELDS] = {
	"project_code", "project_name", "year", "unit", "top_unit", "amount_unit",
	"goal_expected", "goal_actual", "total_weight", "total_score", "notes",
};

static void
add_string(StringInfo s, const char *key, PjCell c)
{
	char	   *v;

	appendStringInfo(s, "\"%s\": ", key);
	if (c.len == 0)
	{
		appendStringInfoString(s, "null");
		return;
	}
	v = pnstrdup(c.s, c.len);
	escape_json(s, v);
	pfree(v);
}

/* The reader checked these are plain decimals. */
static void
add_number(StringInfo s, const char *key, PjCell c)
{
	appendStringInfo(s, "\"%s\": ", key);
	if (c.len == 0)
		appendStringInfoString(s, "null");
	else
		appendBinaryStringInfo(s, c.s, (int) c.len);
}

static void
on_begin(void *ctx, int form, int line)
{
	JsonSink   *j = ctx;

	j->form = form;
	j->line = line;
	memset(j->fields, 0, sizeof(j->fields));
	resetStringInfo(&j->funds);
	resetStringInfo(&j->indicators);
}

static void
on_field(void *ctx, PjFormField f, PjCell v)
{
	((JsonSink *) ctx)->fields[f] = v;
}

static void
on_fund(void *ctx, const PjFundRow *r)
{
	StringInfo	s = &((JsonSink *) ctx)->funds;

	appendStringInfo(s, "%s{\"line\": %d, ", s->len ? ", " : "", r->line);
	add_string(s, "source", r->source);
	appendStringInfoString(s, ", ");
	add_number(s, "initial_budget", r->initial_budget);
	appendStringInfoString(s, ", ");
	add_number(s, "budget", r->budget);
	appendStringInfoString(s, ", ");
	add_number(s, "executed", r->executed);
	appendStringInfoString(s, ", ");
	add_number(s, "weight", r->weight);
	appendStringInfoString(s, ", ");
	add_number(s, "rate", r->rate);
	appendStringInfoString(s, ", ");
	add_number(s, "score", r->score);
	appendStringInfoChar(s, '}');
}

static void
on_indicator(void *ctx, const PjIndicatorRow *r)
{
	StringInfo	s = &((JsonSink *) ctx)->indicators;

	appendStringInfo(s, "%s{\"position\": %d, \"line\": %d, ", s->len ? ", " : "",
					 r->position, r->line);
	add_string(s, "level1", r->level1);
	appendStringInfoString(s, ", ");
	add_number(s, "level1_weight", r->level1_weight);
	appendStringInfoString(s, ", ");
	add_string(s, "level2", r->level2);
	appendStringInfoString(s, ", ");
	add_string(s, "level3", r->level3);
	appendStringInfoString(s, ", ");
	add_string(s, "target", r->target);
	appendStringInfoString(s, ", ");
	add_string(s, "actual", r->actual);
	appendStringInfoString(s, ", ");
	add_number(s, "weight", r->weight);
	appendStringInfoString(s, ", ");
	add_number(s, "score", r->score);
	appendStringInfoString(s, ", ");
	add_string(s, "explanation", r->explanation);
	appendStringInfoChar(s, '}');
}

static void
on_end(void *ctx)
{
	JsonSink   *j = ctx;
	StringInfo	s = &j->out;
	int			f;

	appendStringInfo(s, "%s{\"form\": %d, \"line\": %d", s->len > 1 ? ", " : "", j->form, j->line);
	for (f = 0; f < PJ_N_FORM_FIELDS; f++)
	{
		appendStringInfoString(s, ", ");
		if (f == PJ_FIELD_YEAR || f == PJ_FIELD_TOTAL_WEIGHT || f == PJ_FIELD_TOTAL_SCORE)
			add_number(s, field_names[f], j->fields[f]);
		else
			add_string(s, field_names[f], j->fields[f]);
	}
	appendStringInfo(s, ", \"funds\": [%s], \"indicators\": [%s]}", j->funds.data,
					 j->indicators.data);
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

	pj_require_utf8();
	scratch = palloc(pj_form_scratch_size(len));
	initStringInfo(&j.out);
	initStringInfo(&j.funds);
	initStringInfo(&j.indicators);
	appendStringInfoChar(&j.out, '[');
	if (!pj_read_forms(VARDATA_ANY(doc), len, scratch, &sink, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("form %d of the document cannot be read: line %d", err.form, err.line),
				 errdetail("Line %d: \"%s\"; expected %s.", err.line, err.text, err.expected),
				 errhint("A document is one or more forms of the template 项目支出绩效自评表 as tab-separated text, as copied from a spreadsheet.")));
	appendStringInfoChar(&j.out, ']');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(j.out.data)));
}
