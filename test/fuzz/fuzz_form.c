/*
 * fuzz_form.c - libFuzzer target for the form reader (src/core/form.c):
 * any bytes must read or fail cleanly, never touch memory outside the
 * document and the scratch space, and every cell handed to the sink must lie
 * inside one of them (or be one of the reader's own constant strings).
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
} Ctx;

static void
check_cell(const Ctx *c, PjCell cell)
{
	bool		in_doc = cell.s >= c->doc && cell.s + cell.len <= c->doc + c->doc_len;
	bool		in_scratch = cell.s >= c->scratch && cell.s + cell.len <= c->scratch + c->scratch_len;

	CHECK(cell.len == 0 || in_doc || in_scratch || cell.len <= 6);
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		scratch_len = pj_form_scratch_size(size);
	char	   *scratch = malloc(scratch_len);
	Ctx			c = {(const char *) data, scratch, size, scratch_len, 0, 0, 0};
	PjFormSink	sink = {&c, on_begin, on_field, on_fund, on_indicator, on_end};
	PjFormError err;

	check_level_name((const char *) data, size);
	if (pj_read_forms((const char *) data, size, scratch, &sink, &err))
		CHECK(c.forms >= 1 && c.ends == c.forms);
	else
	{
		CHECK(err.form >= 1 && err.line >= 1 && err.expected[0] != '\0');
		CHECK(memchr(err.text, '\0', sizeof(err.text)) != NULL);
	}
	free(scratch);
	return 0;
}
