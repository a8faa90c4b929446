/*
 * fuzz_ivalue.c - libFuzzer target for the indicator value reader (iv_parse)
 * and the storage layout (iv_pack/iv_unpack).  Built by `make fuzz` with
 * ASan and UBSan, so a read or write outside the caller's buffers is a
 * finding; the checks below abort() on anything else the contract in
 * ivalue.h promises and the server relies on:
 *
 *   - the reader is deterministic, and leaves no byte of the value unset
 *     (the value is prefilled with a different pattern for each parse, and
 *     the packed bytes must still agree: equal values have equal bytes);
 *   - every offset/length points inside the canonical text, which is valid
 *     UTF-8 and fits in the buffer the caller gave;
 *   - in(out(v)) = v: the canonical text reads back to the same packed bytes
 *     and the same canonical text (the type's output is its own input);
 *   - iv_pack -> iv_unpack round-trips, and iv_unpack rejects a truncated
 *     block and survives arbitrary bytes (the server reads its own pages,
 *     but a value must never crash it);
 *   - the accessors (factor, base unit, names) are safe on every clause;
 *   - a failure sets a status, an offset within the input and a NUL-
 *     terminated detail.
 *
 * Inputs are capped at 512 bytes (`make fuzz` also passes -max_len=512):
 * real cells are far shorter, and short inputs keep the run fast.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ivalue.h"

#define FUZZ_MAX_INPUT 512

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			fail(__LINE__, #cond); \
	} while (0)

static void
fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_ivalue.c:%d: invariant violated: %s\n", line, what);
	abort();
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int
valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		uint32_t	cp;

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

static int
in_text(const IvValue *v, uint16_t off, uint16_t len)
{
	return (size_t) off + len <= v->text_len;
}

/* A static name: non-NULL and NUL-terminated within reason. */
static void
check_name(const char *s)
{
	CHECK(s != NULL);
	CHECK(strlen(s) < 64);
	CHECK(valid_utf8((const unsigned char *) s, strlen(s)));
}

/*
 * Everything the accessors may be asked about one clause must be safe.  A
 * block iv_pack did not write (arbitrary bytes) need only be memory-safe:
 * its strings need not be UTF-8.
 */
static void
check_clause(const IvValue *v, const IvClause *c, bool from_reader)
{
	size_t		cap = 64 + (size_t) c->per_len;
	char	   *buf = malloc(cap);	/* exact size: ASan sees an overflow */
	size_t		n;
	IvDecimal	f;

	CHECK(buf != NULL);
	CHECK(c->cmp <= IV_CMP_RANGE);
	CHECK(c->dim < IV_DIM_COUNT_OF_DIMS);
	CHECK(in_text(v, c->label_off, c->label_len));
	CHECK(in_text(v, c->unit_off, c->unit_len));
	CHECK(in_text(v, c->per_off, c->per_len));
	check_name(iv_cmp_symbol((IvCmp) c->cmp));
	check_name(iv_dim_name((IvDim) c->dim));
	f = iv_clause_factor(c);
	(void) f;
	n = iv_clause_base_unit(v, c, buf, cap);
	CHECK(n <= cap);
	if (from_reader)
		CHECK(valid_utf8((const unsigned char *) buf, n));
	free(buf);
}

/* Structural checks on a value the reader (or iv_unpack) produced. */
static void
check_value(const IvValue *v, bool from_reader)
{
	CHECK(v->kind >= IV_KIND_QUANTITY && v->kind <= IV_KIND_EMPTY);
	CHECK(v->nclauses <= IV_MAX_CLAUSES);
	if (v->kind == IV_KIND_QUANTITY)
		CHECK(v->nclauses >= 1);
	if (v->kind != IV_KIND_QUANTITY && v->kind != IV_KIND_CLAIM)
		CHECK(v->nclauses == 0);
	CHECK(v->text != NULL || v->text_len == 0);
	check_name(iv_kind_name((IvKind) v->kind));
	for (int i = 0; i < v->nclauses; i++)
		check_clause(v, &v->clauses[i], from_reader);
}

/* Pack into an exactly sized block (so ASan sees an overflow). */
static uint8_t *
pack(const IvValue *v, size_t *size)
{
	uint8_t    *p;

	*size = iv_packed_size(v);
	CHECK(*size >= 4);
	p = malloc(*size);
	CHECK(p != NULL);
	iv_pack(v, p);
	return p;
}

static void
check_error(const IvError *err, size_t size)
{
	CHECK(err->status != IV_OK);
	CHECK(err->status <= IV_ERR_TOO_LONG);
	CHECK(err->offset <= size);
	CHECK(err->char_offset <= err->offset);
	CHECK(memchr(err->detail, '\0', sizeof(err->detail)) != NULL);
	if (err->hint)
		CHECK(strlen(err->hint) < 1024);
}

/* Parse with the value prefilled by a pattern; returns the text buffer. */
static char *
parse(const char *in, size_t len, IvValue *v, IvError *err, int fill, bool *ok)
{
	size_t		cap = iv_text_capacity(len);
	char	   *buf = malloc(cap > 0 ? cap : 1);

	CHECK(buf != NULL);
	memset(v, fill, sizeof(*v));
	memset(err, fill, sizeof(*err));
	*ok = iv_parse(in, len, v, buf, cap, err);
	if (*ok)
	{
		CHECK(v->text_len <= cap);
		CHECK(v->text_len == 0 || v->text == buf);
	}
	return buf;
}

/* iv_unpack must refuse or survive any block, never read past it. */
static void
unpack_arbitrary(const uint8_t *data, size_t size)
{
	uint8_t    *copy = malloc(size > 0 ? size : 1);
	IvValue		v;

	CHECK(copy != NULL);
	memcpy(copy, data, size);
	memset(&v, 0xA5, sizeof(v));
	if (iv_unpack(copy, size, &v))
	{
		CHECK(v.text_len == 0 ||
			  ((const uint8_t *) v.text >= copy &&
			   (const uint8_t *) v.text + v.text_len <= copy + size));
		check_value(&v, false);
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	IvValue		v1,
				v2,
				v3;
	IvError		err;
	char	   *buf1,
			   *buf2,
			   *buf3;
	uint8_t    *p1,
			   *p2,
			   *p3,
			   *p4;
	size_t		n1,
				n2,
				n3,
				n4;
	bool		ok;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	unpack_arbitrary(data, size);

	/* libFuzzer's buffer is exactly size bytes: a read past it is caught. */
	buf1 = parse((const char *) data, size, &v1, &err, 0x00, &ok);
	if (!ok)
	{
		check_error(&err, size);
		/* Failing is deterministic too. */
		buf2 = parse((const char *) data, size, &v2, &err, 0xFF, &ok);
		CHECK(!ok);
		free(buf2);
		free(buf1);
		return 0;
	}
	check_value(&v1, true);
	CHECK(valid_utf8((const unsigned char *) v1.text, v1.text_len));
	p1 = pack(&v1, &n1);

	/* Deterministic, and no byte left to whatever the memory held. */
	buf2 = parse((const char *) data, size, &v2, &err, 0xFF, &ok);
	CHECK(ok);
	p2 = pack(&v2, &n2);
	CHECK(n1 == n2 && memcmp(p1, p2, n1) == 0);

	/* in(out(v)) = v: the canonical text reads back to the same value. */
	{
		char	   *canon = malloc(v1.text_len > 0 ? v1.text_len : 1);

		CHECK(canon != NULL);
		memcpy(canon, v1.text, v1.text_len);
		buf3 = parse(canon, v1.text_len, &v3, &err, 0x5A, &ok);
		if (!ok)
			fprintf(stderr, "canonical text \"%.*s\" does not read back: %s\n",
					(int) v1.text_len, v1.text, err.detail);
		CHECK(ok);
		CHECK(v3.text_len == v1.text_len &&
			  memcmp(v3.text, v1.text, v1.text_len) == 0);
		p3 = pack(&v3, &n3);
		CHECK(n3 == n1 && memcmp(p3, p1, n1) == 0);
		free(p3);
		free(buf3);
		free(canon);
	}

	/* iv_pack -> iv_unpack -> iv_pack gives the same bytes and value. */
	{
		IvValue		u;

		memset(&u, 0xC3, sizeof(u));
		CHECK(iv_unpack(p1, n1, &u));
		check_value(&u, true);
		CHECK(u.kind == v1.kind && u.nclauses == v1.nclauses &&
			  u.text_len == v1.text_len);
		CHECK(memcmp(u.text, v1.text, v1.text_len) == 0);
		CHECK(memcmp(u.clauses, v1.clauses,
					 sizeof(IvClause) * v1.nclauses) == 0);
		p4 = pack(&u, &n4);
		CHECK(n4 == n1 && memcmp(p4, p1, n1) == 0);
		free(p4);

		/* A truncated block is malformed. */
		{
			uint8_t    *t = malloc(n1 - 1);

			CHECK(t != NULL);
			memcpy(t, p1, n1 - 1);
			CHECK(!iv_unpack(t, n1 - 1, &u));
			free(t);
		}
	}

	free(p2);
	free(p1);
	free(buf2);
	free(buf1);
	return 0;
}
