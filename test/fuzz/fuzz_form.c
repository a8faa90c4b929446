/*
 * fuzz_form.c - libFuzzer target for the form reader (src/core/form.c):
 * any bytes must read or fail cleanly, never touch memory outside the
 * document and the scratch space, and every cell handed to the sink must lie
 * inside one of them (or be one of the reader's own constant strings).
 * Reading form by form (pj_read_form) with scratch space that starts tiny
 * and grows when the reader asks gives what one pass gives.  The same bytes
 * go through the monitoring form's layout (pj_read_monitor_form) too, with
 * the same checks: the corpus holds monitoring forms beside the
 * self-evaluation's (form-corpus/monitoring-*.txt).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "rules.h"

#define CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "invariant violated: %s\n", #cond); abort(); } } while (0)

typedef struct Ctx
{
	const char *doc,
			   *scratch;
	size_t		doc_len,
				scratch_len;
	int			forms,
				ends;
	int			last_position;
	int			nfunds,
				ninds,
				nfindings,
				last_finding;
	unsigned long hash;			/* of every cell, in order */
} Ctx;

static void
mix(Ctx *c, PjCell cell)
{
	size_t		i;

	for (i = 0; i < cell.len; i++)
		c->hash = c->hash * 31 + (unsigned char) cell.s[i];
	c->hash = c->hash * 31 + 7;
}

/* A level-1 name the reader inferred: the standard list's own text, whole. */
static bool
is_standard_level1(PjCell cell)
{
	int			i;

	for (i = 0; i < pj_n_standard_levels; i++)
		if (cell.s == pj_standard_levels[i].level1 && cell.len == strlen(pj_standard_levels[i].level1))
			return true;
	return false;
}

static void
check_cell(const Ctx *c, PjCell cell)
{
	bool		in_doc = cell.s >= c->doc && cell.s + cell.len <= c->doc + c->doc_len;
	bool		in_scratch = cell.s >= c->scratch && cell.s + cell.len <= c->scratch + c->scratch_len;

	CHECK(cell.len == 0 || in_doc || in_scratch || cell.len <= 6 || is_standard_level1(cell));
	if (cell.len > 0)
		CHECK(cell.s != NULL);
}

static void
on_begin(void *ctx, int form, int line)
{
	Ctx		   *c = ctx;

	CHECK(form == c->forms + 1 && line >= 1);
	CHECK(c->ends == c->forms);
	c->forms = form;
	c->last_position = 0;
}

static void
on_field(void *ctx, PjFormField f, PjCell v)
{
	CHECK(f >= 0 && f < PJ_N_FORM_FIELDS);
	check_cell(ctx, v);
	mix(ctx, v);
}

static void
on_fund(void *ctx, const PjFundRow *r)
{
	check_cell(ctx, r->source);
	CHECK(r->source.len > 0);
	check_cell(ctx, r->initial_budget);
	check_cell(ctx, r->budget);
	check_cell(ctx, r->executed);
	check_cell(ctx, r->weight);
	check_cell(ctx, r->rate);
	check_cell(ctx, r->score);
	mix(ctx, r->budget);
	((Ctx *) ctx)->nfunds++;
}

static void
on_indicator(void *ctx, const PjIndicatorRow *r)
{
	Ctx		   *c = ctx;

	CHECK(r->position == c->last_position + 1);
	c->last_position = r->position;
	CHECK(r->level3.len > 0 && r->level1.len > 0);
	check_cell(ctx, r->level1);
	check_cell(ctx, r->level2);
	check_cell(ctx, r->level3);
	check_cell(ctx, r->target);
	check_cell(ctx, r->actual);
	check_cell(ctx, r->weight);
	check_cell(ctx, r->score);
	check_cell(ctx, r->explanation);
	mix(ctx, r->level3);
	mix(ctx, r->target);
	c->ninds++;
}

static void
on_finding(void *ctx, int line, const char *code, PjCell detail)
{
	Ctx		   *c = ctx;

	CHECK(code != NULL && line >= c->last_finding && line >= 1);
	CHECK(detail.len == 0 || detail.s != NULL);
	if (detail.len > 0)
		check_cell(c, detail);
	c->last_finding = line;
	c->nfindings++;
}

static void
on_end(void *ctx)
{
	Ctx		   *c = ctx;

	c->ends++;
	CHECK(c->ends == c->forms);
}

/*
 * The level-name reduction (rules.h) writes at most len bytes into a
 * buffer of exactly that size (ASan checks it) and leaves no ASCII white
 * space (on arbitrary bytes; 　 is only whole in valid UTF-8).
 */
static void
check_level_name(const char *in, size_t len)
{
	char	   *out = malloc(len ? len : 1);
	size_t		n = pj_level_name(in, len, out),
				i;

	CHECK(n <= len);
	for (i = 0; i < n; i++)
		CHECK(out[i] != ' ' && (out[i] < '\t' || out[i] > '\r'));
	free(out);
}

/*
 * The document form by form, scratch space from 8 bytes, doubled whenever
 * the reader asks (what the sink saw of that form is forgotten): the same
 * cells, forms and findings as one pass, and the same error.
 */
static void
check_form_by_form(const uint8_t *data, size_t size, const Ctx *whole, bool whole_ok,
				   const PjFormError *whole_err)
{
	size_t		cap = 8;
	char	   *scratch = malloc(cap);
	Ctx			c;
	PjFormSink	sink = {&c, on_begin, on_field, on_fund, on_indicator, on_end, on_finding, NULL};
	PjFormPos	pos = {0, 1, 0};
	PjFormError err;
	PjReadStatus st;

	memset(&c, 0, sizeof(c));
	c.doc = (const char *) data;
	c.doc_len = size;
	c.scratch = scratch;
	c.scratch_len = cap;
	for (;;)
	{
		Ctx			before = c;

		st = pj_read_form((const char *) data, size, &pos, scratch, cap, &sink, &err);
		if (st == PJ_READ_SCRATCH)
		{
			CHECK(cap < pj_form_scratch_size(size));
			c = before;
			cap *= 2;
			free(scratch);
			scratch = malloc(cap);
			c.scratch = scratch;
			c.scratch_len = cap;
			continue;
		}
		if (st != PJ_READ_FORM)
			break;
		CHECK(pos.offset <= size && c.ends == pos.form);
	}
	CHECK((st == PJ_READ_DONE) == whole_ok);
	CHECK(c.forms == whole->forms && c.ends == whole->ends && c.nfunds == whole->nfunds &&
		  c.ninds == whole->ninds && c.nfindings == whole->nfindings && c.hash == whole->hash);
	if (!whole_ok)
		CHECK(err.form == whole_err->form && err.line == whole_err->line &&
			  strcmp(err.expected, whole_err->expected) == 0 && strcmp(err.text, whole_err->text) == 0);
	free(scratch);
}

/* ------------------------------------------------- the monitoring layout */

static void
on_mon_field(void *ctx, PjMonitorField f, PjCell v, int line)
{
	CHECK(f >= 0 && f < PJ_N_MONITOR_FIELDS && line >= 1);
	check_cell(ctx, v);
	if (f == PJ_MF_MONTH)
		CHECK(v.len == 1 || v.len == 2);
	mix(ctx, v);
}

static void
on_mon_fund(void *ctx, const PjMonitorFundRow *r)
{
	check_cell(ctx, r->source);
	CHECK(r->source.len > 0);
	check_cell(ctx, r->initial_budget);
	check_cell(ctx, r->added);
	check_cell(ctx, r->reduced);
	check_cell(ctx, r->adjusted_budget);
	check_cell(ctx, r->executed);
	check_cell(ctx, r->rate);
	check_cell(ctx, r->forecast);
	mix(ctx, r->executed);
	((Ctx *) ctx)->nfunds++;
}

static void
on_mon_indicator(void *ctx, const PjMonitorIndicatorRow *r)
{
	Ctx		   *c = ctx;

	CHECK(r->position == c->last_position + 1);
	c->last_position = r->position;
	CHECK(r->level3.len > 0);
	check_cell(ctx, r->level1);
	check_cell(ctx, r->level2);
	check_cell(ctx, r->level3);
	check_cell(ctx, r->target);
	check_cell(ctx, r->actual);
	check_cell(ctx, r->forecast);
	check_cell(ctx, r->causes);
	check_cell(ctx, r->likelihood);
	check_cell(ctx, r->notes);
	mix(ctx, r->level3);
	mix(ctx, r->actual);
	c->ninds++;
}

/*
 * The monitoring layout, form by form: once with scratch space for the
 * whole document, once from 8 bytes doubled whenever the reader asks; both
 * give the same cells, forms and findings, or the same error.
 */
static void
check_monitor(const uint8_t *data, size_t size)
{
	Ctx			pass[2];
	PjFormError err[2];
	PjReadStatus st[2];
	int			k;

	for (k = 0; k < 2; k++)
	{
		size_t		cap = k == 0 ? pj_form_scratch_size(size) : 8;
		char	   *scratch = malloc(cap);
		Ctx		   *c = &pass[k];
		PjMonitorSink sink = {c, on_begin, on_mon_field, on_mon_fund, on_mon_indicator, on_end, on_finding, NULL};
		PjFormPos	pos = {0, 1, 0};

		memset(c, 0, sizeof(*c));
		c->doc = (const char *) data;
		c->doc_len = size;
		c->scratch = scratch;
		c->scratch_len = cap;
		for (;;)
		{
			Ctx			before = *c;

			st[k] = pj_read_monitor_form((const char *) data, size, &pos, scratch, cap, &sink, &err[k]);
			if (st[k] == PJ_READ_SCRATCH)
			{
				CHECK(k == 1 && cap < pj_form_scratch_size(size));
				*c = before;
				cap *= 2;
				free(scratch);
				scratch = malloc(cap);
				c->scratch = scratch;
				c->scratch_len = cap;
				continue;
			}
			if (st[k] != PJ_READ_FORM)
				break;
			CHECK(pos.offset <= size && c->ends == pos.form);
		}
		if (st[k] == PJ_READ_DONE)
			CHECK(c->forms >= 1 && c->ends == c->forms);
		else
		{
			CHECK(st[k] == PJ_READ_ERROR);
			CHECK(err[k].form >= 1 && err[k].line >= 1 && err[k].expected[0] != '\0');
			CHECK(memchr(err[k].text, '\0', sizeof(err[k].text)) != NULL);
		}
		free(scratch);
	}
	CHECK(st[0] == st[1]);
	CHECK(pass[0].forms == pass[1].forms && pass[0].ends == pass[1].ends && pass[0].nfunds == pass[1].nfunds &&
		  pass[0].ninds == pass[1].ninds && pass[0].nfindings == pass[1].nfindings && pass[0].hash == pass[1].hash);
	if (st[0] == PJ_READ_ERROR)
		CHECK(err[0].form == err[1].form && err[0].line == err[1].line &&
			  strcmp(err[0].expected, err[1].expected) == 0 && strcmp(err[0].text, err[1].text) == 0);
}

/* pj_read_rows (the target form's reader): every cell in the document or
 * the scratch, rows in line order, a quote's line within its row's lines. */
static void
on_row(void *ctx, int line, const PjCell *cells, int ncells, int quote_line)
{
	Ctx		   *c = ctx;
	int			i;

	CHECK(line > c->last_position && ncells >= 0 && ncells <= 24);
	CHECK(quote_line == 0 || quote_line >= line);
	for (i = 0; i < ncells; i++)
		check_cell(c, cells[i]);
	c->last_position = line;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		scratch_len = pj_form_scratch_size(size);
	char	   *scratch = malloc(scratch_len);
	Ctx			c;
	PjFormSink	sink = {&c, on_begin, on_field, on_fund, on_indicator, on_end, on_finding, NULL};
	PjFormError err;
	bool		ok;

	memset(&c, 0, sizeof(c));
	c.doc = (const char *) data;
	c.doc_len = size;
	c.scratch = scratch;
	c.scratch_len = scratch_len;

	check_level_name((const char *) data, size);
	ok = pj_read_forms((const char *) data, size, scratch, &sink, &err);
	if (ok)
		CHECK(c.forms >= 1 && c.ends == c.forms);
	else
	{
		CHECK(err.form >= 1 && err.line >= 1 && err.expected[0] != '\0');
		CHECK(memchr(err.text, '\0', sizeof(err.text)) != NULL);
	}
	check_form_by_form(data, size, &c, ok, &err);
	{
		PjRowSink	rows = {&c, on_row, NULL};

		c.scratch = scratch;
		c.scratch_len = scratch_len;
		c.last_position = 0;
		pj_read_rows((const char *) data, size, scratch, scratch_len, &rows);
	}
	free(scratch);
	check_monitor(data, size);
	return 0;
}
