/*
 * monitor_form.c - fmgr glue for the monitoring form's reader
 * (pj_read_monitor_form, src/core/form.h): pjeval.read_monitoring_forms
 * (document text) returns the document's 项目支出绩效目标执行监控表 as one
 * jsonb array, which pjeval.import_monitoring() writes into rows.
 *
 * Each form is an object: form (its position), line, the header fields,
 * month, amount_unit, goal, progress, on_schedule and stage_met (是/否),
 * reason_type, analysis, adjustment, notes, lines (the line each field was
 * read on), funds[], indicators[] and findings[] ({line, code}).  Each fund
 * line and indicator carries its form's position too.  Amounts are JSON
 * numbers (exact in jsonb); an empty cell is null; everything else is text
 * as written.  Errors are form_reader.c's: 22P02 with the form, the line and
 * what was expected; a jsonb value over the limit 54000.
 */
#include "glue.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "form.h"

PG_FUNCTION_INFO_V1(read_monitoring_forms);

#define JSONB_LIMIT ((size_t) JENTRY_OFFLENMASK - 1024 * 1024)

typedef struct MonFinding
{
	int			line;
	const char *code;
} MonFinding;

typedef struct MonJson
{
	JsonbParseState *state;
	size_t		bytes;
	PjCell		fields[PJ_N_MONITOR_FIELDS];
	int			lines[PJ_N_MONITOR_FIELDS];
	PjMonitorFundRow *funds;
	int			nfunds,
				maxfunds;
	PjMonitorIndicatorRow *inds;
	int			ninds,
				maxinds;
	MonFinding *findings;
	int			nfindings,
				maxfindings;
	int			form,
				line;
} MonJson;

static const char *const mon_field_names[PJ_N_MONITOR_FIELDS] = {
	"project_code", "project_name", "year", "unit", "top_unit", "month", "amount_unit",
	"goal", "progress", "on_schedule", "stage_met", "reason_type", "analysis", "adjustment", "notes",
};

static void
key(MonJson *j, const char *k)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) k;
	v.val.string.len = strlen(k);
	pushJsonbValue(&j->state, WJB_KEY, &v);
	j->bytes += v.val.string.len + 8;
}

/* Text as written (copied: the reader's scratch is reused by the next form). */
static void
put_string(MonJson *j, const char *k, PjCell c)
{
	JsonbValue	v;

	key(j, k);
	if (c.len == 0)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = pnstrdup(c.s, c.len);
		v.val.string.len = (int) c.len;
		j->bytes += c.len + 8;
	}
	pushJsonbValue(&j->state, WJB_VALUE, &v);
}

/* The reader checked these are plain decimals. */
static void
put_number(MonJson *j, const char *k, PjCell c)
{
	JsonbValue	v;

	key(j, k);
	if (c.len == 0)
		v.type = jbvNull;
	else
	{
		v.type = jbvNumeric;
		v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(pnstrdup(c.s, c.len)),
															ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
		j->bytes += VARSIZE(v.val.numeric) + 8;
	}
	pushJsonbValue(&j->state, WJB_VALUE, &v);
}

static void
put_int(MonJson *j, const char *k, int n)
{
	JsonbValue	v;

	key(j, k);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	pushJsonbValue(&j->state, WJB_VALUE, &v);
	j->bytes += 16;
}

static void
on_begin(void *ctx, int form, int line)
{
	MonJson    *j = ctx;

	j->form = form;
	j->line = line;
	memset(j->fields, 0, sizeof(j->fields));
	memset(j->lines, 0, sizeof(j->lines));
	j->nfunds = j->ninds = j->nfindings = 0;
}

/* Fields are copied at once: the amount unit and the month may be written
 * from the reader's constants, the rest lives until the form's end. */
static void
on_field(void *ctx, PjMonitorField f, PjCell v, int line)
{
	MonJson    *j = ctx;

	j->fields[f] = v;
	j->lines[f] = line;
}

static void
on_fund(void *ctx, const PjMonitorFundRow *r)
{
	MonJson    *j = ctx;

	if (j->nfunds == j->maxfunds)
	{
		j->maxfunds *= 2;
		j->funds = repalloc(j->funds, sizeof(PjMonitorFundRow) * j->maxfunds);
	}
	j->funds[j->nfunds++] = *r;
}

static void
on_indicator(void *ctx, const PjMonitorIndicatorRow *r)
{
	MonJson    *j = ctx;

	if (j->ninds == j->maxinds)
	{
		j->maxinds *= 2;
		j->inds = repalloc(j->inds, sizeof(PjMonitorIndicatorRow) * j->maxinds);
	}
	j->inds[j->ninds++] = *r;
}

static void
on_finding(void *ctx, int line, const char *code, PjCell detail)
{
	MonJson    *j = ctx;

	if (j->nfindings == j->maxfindings)
	{
		j->maxfindings *= 2;
		j->findings = repalloc(j->findings, sizeof(MonFinding) * j->maxfindings);
	}
	j->findings[j->nfindings].line = line;
	j->findings[j->nfindings++].code = code;
}

static void
on_tick(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

static void
on_end(void *ctx)
{
	MonJson    *j = ctx;
	int			f,
				i;

	pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
	put_int(j, "form", j->form);
	put_int(j, "line", j->line);
	for (f = 0; f < PJ_N_MONITOR_FIELDS; f++)
		if (f == PJ_MF_YEAR || f == PJ_MF_MONTH)
			put_number(j, mon_field_names[f], j->fields[f]);
		else
			put_string(j, mon_field_names[f], j->fields[f]);
	key(j, "lines");
	pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
	for (f = 0; f < PJ_N_MONITOR_FIELDS; f++)
		if (j->lines[f] > 0)
			put_int(j, mon_field_names[f], j->lines[f]);
	pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);

	key(j, "funds");
	pushJsonbValue(&j->state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < j->nfunds; i++)
	{
		const PjMonitorFundRow *r = &j->funds[i];

		pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
		put_int(j, "form", j->form);
		put_int(j, "line", r->line);
		put_string(j, "source", r->source);
		put_string(j, "kind", r->kind ? (PjCell) {r->kind, strlen(r->kind)} : (PjCell) {"", 0});
		put_number(j, "initial_budget", r->initial_budget);
		put_number(j, "added", r->added);
		put_number(j, "reduced", r->reduced);
		put_number(j, "adjusted_budget", r->adjusted_budget);
		put_number(j, "executed", r->executed);
		put_number(j, "rate", r->rate);
		put_number(j, "forecast", r->forecast);
		pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&j->state, WJB_END_ARRAY, NULL);

	key(j, "indicators");
	pushJsonbValue(&j->state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < j->ninds; i++)
	{
		const PjMonitorIndicatorRow *r = &j->inds[i];

		pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
		put_int(j, "form", j->form);
		put_int(j, "position", r->position);
		put_int(j, "line", r->line);
		put_string(j, "level1", r->level1);
		put_string(j, "level2", r->level2);
		put_string(j, "level3", r->level3);
		put_string(j, "target", r->target);
		put_string(j, "actual", r->actual);
		put_string(j, "forecast", r->forecast);
		put_string(j, "causes", r->causes);
		put_string(j, "likelihood", r->likelihood);
		put_string(j, "notes", r->notes);
		pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&j->state, WJB_END_ARRAY, NULL);

	key(j, "findings");
	pushJsonbValue(&j->state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < j->nfindings; i++)
	{
		pushJsonbValue(&j->state, WJB_BEGIN_OBJECT, NULL);
		put_int(j, "form", j->form);
		put_int(j, "line", j->findings[i].line);
		put_string(j, "code", (PjCell) {j->findings[i].code, strlen(j->findings[i].code)});
		pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&j->state, WJB_END_ARRAY, NULL);
	pushJsonbValue(&j->state, WJB_END_OBJECT, NULL);
	if (j->bytes > JSONB_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the monitoring forms read up to form %d of the document make a jsonb value of more than %zu MB",
						j->form, (size_t) JENTRY_OFFLENMASK >> 20),
				 errhint("Import the document in parts, a few forms at a time.")));
}

Datum
read_monitoring_forms(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(doc);
	size_t		len = VARSIZE_ANY_EXHDR(doc),
				cap = Min(pj_form_scratch_size(len), (size_t) 64 * 1024);
	MonJson		j;
	PjMonitorSink sink = {&j, on_begin, on_field, on_fund, on_indicator, on_end, on_finding, on_tick};
	PjFormPos	pos = {0, 1, 0};
	PjFormError err;
	char	   *scratch;

	pj_require_utf8();
	memset(&j, 0, sizeof(j));
	j.maxfunds = 8;
	j.funds = palloc(sizeof(PjMonitorFundRow) * j.maxfunds);
	j.maxinds = 16;
	j.inds = palloc(sizeof(PjMonitorIndicatorRow) * j.maxinds);
	j.maxfindings = 4;
	j.findings = palloc(sizeof(MonFinding) * j.maxfindings);
	pushJsonbValue(&j.state, WJB_BEGIN_ARRAY, NULL);
	scratch = palloc(cap);
	for (;;)
	{
		PjReadStatus st = pj_read_monitor_form(s, len, &pos, scratch, cap, &sink, &err);

		if (st == PJ_READ_DONE)
			break;
		if (st == PJ_READ_SCRATCH)
		{
			pfree(scratch);
			cap *= 2;
			scratch = palloc_extended(cap, MCXT_ALLOC_HUGE);
			continue;
		}
		if (st == PJ_READ_ERROR)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("monitoring form %d of the document cannot be read: line %d", err.form, err.line),
					 errdetail("Line %d: \"%s\"; expected %s.", err.line, err.text, err.expected),
					 errhint("A document is one or more forms of the template 项目支出绩效目标执行监控表 as tab-separated text, as copied from a spreadsheet (docs/monitoring.md).")));
	}
	PG_RETURN_JSONB_P(JsonbValueToJsonb(pushJsonbValue(&j.state, WJB_END_ARRAY, NULL)));
}
