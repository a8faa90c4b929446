/*
 * fuzz_store.c - libFuzzer target for the storage block as the server reads
 * it from a page: arbitrary bytes through iv_unpack and, when it accepts
 * them, through everything the core does with a value.  Built by `make fuzz`
 * with ASan and UBSan (a read or write outside a buffer is a finding); the
 * checks below abort() on anything else the server relies on:
 *
 *   - iv_unpack reads only the block, and an accepted block is exactly what
 *     iv_pack writes for the value (one encoding: no padded varints, no
 *     bytes after the text);
 *   - every field is in the reader's range: comparison, dimension, unit,
 *     multiplier, flags, exponents in [-18, 0], coefficients below 10^18,
 *     spans inside the text on character boundaries, the text valid UTF-8
 *     without NUL;
 *   - the canonical text reads without a crash; when it reads, the value
 *     read packs and unpacks unchanged and its text reads back to itself;
 *   - scoring (pj_score_indicator) with the value as target and as actual,
 *     against itself and against values read from text, under both
 *     negative formulas, with and without a cost category, is safe and
 *     gives parts that refer to real clauses;
 *   - pj_wide_text of every base value, ratio, range bound and decimal
 *     stays within PJ_WIDE_TEXT_MAX bytes (an exactly sized heap buffer)
 *     and is a JSON number.
 *
 * iv_unpack checks fields, not the text's meaning (that would cost reading
 * the text again on every row), so a block whose fields are each possible
 * but disagree with its text need not read back to the same value; it must
 * only be safe.  Values the reader writes are fuzzed by fuzz_ivalue.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define FUZZ_MAX_INPUT 4096

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			fail(__LINE__, #cond); \
	} while (0)

static void
fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_store.c:%d: invariant violated: %s\n", line, what);
	abort();
}

/* Strict UTF-8 without NUL, checked here independently of iv_unpack. */
static int
valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		uint32_t	cp;

		if (c == 0)
			return 0;
		if (c < 0x80)
		{
			i++;
			continue;
		}
		else if (c >= 0xC2 && c <= 0xDF)
		{
			n = 1;
			cp = c & 0x1F;
		}
		else if (c >= 0xE0 && c <= 0xEF)
		{
			n = 2;
			cp = c & 0x0F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			n = 3;
			cp = c & 0x07;
		}
		else
			return 0;
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
			cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?(e-?[0-9]+)? */
static int
json_number(const char *s, size_t n)
{
	size_t		i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.')
	{
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && s[i] == 'e')
	{
		if (++i < n && s[i] == '-')
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

static void
check_wide(PjWide w)
{
	char	   *buf = malloc(PJ_WIDE_TEXT_MAX);	/* exactly the promised room */
	size_t		n;

	CHECK(buf != NULL);
	n = pj_wide_text(w, buf);
	CHECK(n >= 1 && n <= PJ_WIDE_TEXT_MAX);
	CHECK(json_number(buf, n));
	free(buf);
}

static void
check_decimal(IvDecimal d)
{
	check_wide((PjWide) {d.coef, d.exp});
}

static int
boundary(const IvValue *v, size_t off)
{
	return off == v->text_len || (off < v->text_len && ((uint8_t) v->text[off] & 0xC0) != 0x80);
}

static void
check_span(const IvValue *v, uint16_t off, uint16_t len)
{
	CHECK((size_t) off + len <= v->text_len);
	CHECK(boundary(v, off) && boundary(v, (size_t) off + len));
}

/* The fields of an accepted value, against the reader's ranges. */
static void
check_value(const IvValue *v)
{
	CHECK(v->kind >= IV_KIND_QUANTITY && v->kind <= IV_KIND_EMPTY);
	CHECK(v->nclauses <= IV_MAX_CLAUSES);
	CHECK(v->kind != IV_KIND_QUANTITY || v->nclauses >= 1);
	CHECK(v->kind == IV_KIND_QUANTITY || v->kind == IV_KIND_CLAIM || v->nclauses == 0);
	CHECK(v->text_len >= 1);
	CHECK(valid_utf8((const unsigned char *) v->text, v->text_len));
	for (int i = 0; i < v->nclauses; i++)
	{
		const IvClause *c = &v->clauses[i];
		size_t		cap = 64 + (size_t) c->per_len;
		char	   *buf = malloc(cap);
		size_t		n;
		IvDecimal	f;

		CHECK(buf != NULL);
		CHECK(c->cmp <= IV_CMP_RANGE && c->dim < IV_DIM_COUNT_OF_DIMS);
		CHECK(c->mult <= 12 && c->mult_len <= 9 && c->mult_len <= c->unit_len);
		CHECK((c->flags & ~IV_FLAG_MONTH_END) == 0);
		CHECK(c->value.exp >= -IV_MAX_DIGITS && c->value.exp <= 0);
		CHECK(c->value.coef > -INT64_C(1000000000000000000) &&
			  c->value.coef < INT64_C(1000000000000000000));
		CHECK(c->upper.exp >= -IV_MAX_DIGITS && c->upper.exp <= 0);
		CHECK(c->upper.coef > -INT64_C(1000000000000000000) &&
			  c->upper.coef < INT64_C(1000000000000000000));
		check_span(v, c->label_off, c->label_len);
		check_span(v, c->unit_off, c->unit_len);
		check_span(v, c->per_off, c->per_len);
		check_decimal(c->value);
		check_decimal(c->upper);
		f = iv_clause_factor(c);
		CHECK(f.exp >= -6 && f.exp <= 12);
		/* the upper bound in base units, as explain() builds it */
		check_wide((PjWide) {(pj_int128) c->upper.coef * f.coef, c->upper.exp + f.exp});
		n = iv_clause_base_unit(v, c, buf, cap);
		CHECK(n <= cap);
		CHECK(valid_utf8((const unsigned char *) buf, n));
		CHECK(strlen(iv_cmp_symbol((IvCmp) c->cmp)) < 8);
		CHECK(strlen(iv_dim_name((IvDim) c->dim)) < 16);
		free(buf);
	}
	CHECK(strlen(iv_kind_name((IvKind) v->kind)) < 16);
}

/* Values read from text, to score the fuzzed one against. */
static const char *const others[] = {
	"≥90%", "95%", "≤461.74万元", "3-5万元", "2022年12月31日前", "至少2次/周", "0万元",
	"采集率达95%以上，准确率达90%以上", "不适用", "重点解决", "-5", "999999999999999999万亿元",
	"0.000000000000000001%", "已完成100%", "—", "≤350元/户",
};
#define N_OTHERS (sizeof(others) / sizeof(others[0]))

static IvValue other_values[N_OTHERS];
static char other_text[N_OTHERS][256];

static void
read_others(void)
{
	static int	done;

	if (done)
		return;
	for (size_t i = 0; i < N_OTHERS; i++)
	{
		IvError		err;

		CHECK(iv_parse(others[i], strlen(others[i]), &other_values[i], other_text[i],
					   sizeof(other_text[i]), &err));
	}
	done = 1;
}

static void
score(const IvValue *t, const IvValue *a)
{
	static const char cost[] = "经济成本指标";
	PjRules		rules = pj_rules_default();
	IvDecimal	weight = {5, 0};
	PjOutcome	o;

	for (int k = 0; k < 4; k++)
	{
		rules.negative = (k & 1) ? PJ_NEGATIVE_LINEAR : PJ_NEGATIVE_RATIO;
		memset(&o, 0x5A, sizeof(o));
		pj_score_indicator(t, a, weight, (k & 2) ? cost : NULL, (k & 2) ? sizeof(cost) - 1 : 0,
						   &rules, &o);
		CHECK(o.nparts >= 0 && o.nparts <= IV_MAX_CLAUSES);
		CHECK(!o.has_score || (o.score.exp == -2 && o.score.coef >= 0 && o.score.coef <= 500));
		CHECK(strlen(pj_rule_name(o.rule)) < 32);
		for (int i = 0; i < o.nparts; i++)
		{
			const PjPart *p = &o.parts[i];

			CHECK(p->target_clause < t->nclauses);
			CHECK(p->actual_clause == UINT8_MAX || p->actual_clause < a->nclauses);
			if (p->rule != PJ_RULE_NONE)
			{
				check_wide(p->target);
				check_wide(p->actual);
			}
			if (p->has_ratio)
			{
				check_wide(p->num);
				check_wide(p->den);
			}
		}
	}
}

/* Packs into an exactly sized block. */
static uint8_t *
pack(const IvValue *v, size_t *size)
{
	uint8_t    *p;

	*size = iv_packed_size(v);
	p = malloc(*size);
	CHECK(p != NULL);
	iv_pack(v, p);
	return p;
}

/* The text reads without a crash; when it does, reading is stable. */
static void
reread(const IvValue *v)
{
	char	   *in = malloc(v->text_len);
	size_t		cap = iv_text_capacity(v->text_len),
				n1,
				n2;
	char	   *buf = malloc(cap),
			   *buf2 = malloc(cap);
	IvValue		r,
				r2,
				u;
	IvError		err;
	uint8_t    *p1,
			   *p2;

	CHECK(in != NULL && buf != NULL && buf2 != NULL);
	memcpy(in, v->text, v->text_len);
	if (iv_parse(in, v->text_len, &r, buf, cap, &err))
	{
		p1 = pack(&r, &n1);
		CHECK(iv_unpack(p1, n1, &u));
		CHECK(u.text_len == r.text_len && memcmp(u.text, r.text, r.text_len) == 0);
		CHECK(iv_parse(r.text, r.text_len, &r2, buf2, cap, &err));
		p2 = pack(&r2, &n2);
		CHECK(n1 == n2 && memcmp(p1, p2, n1) == 0);
		score(v, &r);
		score(&r, v);
		free(p2);
		free(p1);
	}
	free(buf2);
	free(buf);
	free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *block,
			   *again;
	size_t		n;
	IvValue		v;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	read_others();

	/* libFuzzer's buffer is exactly size bytes, the copy too */
	block = malloc(size > 0 ? size : 1);
	CHECK(block != NULL);
	memcpy(block, data, size);
	memset(&v, 0xA5, sizeof(v));
	if (!iv_unpack(block, size, &v))
	{
		free(block);
		return 0;
	}
	CHECK((const uint8_t *) v.text >= block && (const uint8_t *) v.text + v.text_len == block + size);
	check_value(&v);

	/* one encoding: the value packs to exactly the block read */
	again = pack(&v, &n);
	CHECK(n == size && memcmp(again, block, size) == 0);
	free(again);

	reread(&v);
	score(&v, &v);
	for (size_t i = 0; i < N_OTHERS; i++)
	{
		score(&v, &other_values[i]);
		score(&other_values[i], &v);
	}
	free(block);
	return 0;
}
