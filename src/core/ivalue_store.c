/*
 * ivalue_store.c - the compact block a value is stored as on disk.
 *
 *   u8 layout version (1) | u8 kind | u8 nclauses | varint text_len |
 *   nclauses x clause | text_len bytes of canonical text
 *   clause: u8 cmp, dim, unit, mult, mult_len, flags |
 *           zigzag-varint coef, i8 exp of the value | the same for the upper
 *           bound of a range | varint label_off, label_len, unit_off,
 *           unit_len, per_off, per_len
 *
 * Varints keep a typical value ("≥90%") near 20 bytes, which is what a
 * bulk load writes.  The reader produces canonical values, so equal values
 * pack to equal bytes.
 */
#include <string.h>

#include "ivalue_tables.h"

#define IV_LAYOUT_VERSION 1

static uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

static size_t
varint_size(uint64_t v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t) v << 1) ^ (uint64_t) (v >> 63);
}

static size_t
clause_size(const IvClause *c)
{
	size_t		n = 6 + varint_size(zigzag(c->value.coef)) + 1;

	if (c->cmp == IV_CMP_RANGE)
		n += varint_size(zigzag(c->upper.coef)) + 1;
	return n + varint_size(c->label_off) + varint_size(c->label_len) +
		varint_size(c->unit_off) + varint_size(c->unit_len) +
		varint_size(c->per_off) + varint_size(c->per_len);
}

size_t
iv_packed_size(const IvValue *v)
{
	size_t		n = 3 + varint_size(v->text_len) + v->text_len;
	int			i;

	for (i = 0; i < v->nclauses; i++)
		n += clause_size(&v->clauses[i]);
	return n;
}

void
iv_pack(const IvValue *v, uint8_t *dst)
{
	int			i;

	*dst++ = IV_LAYOUT_VERSION;
	*dst++ = v->kind;
	*dst++ = v->nclauses;
	dst = put_varint(dst, v->text_len);
	for (i = 0; i < v->nclauses; i++)
	{
		const IvClause *c = &v->clauses[i];

		*dst++ = c->cmp;
		*dst++ = c->dim;
		*dst++ = c->unit;
		*dst++ = c->mult;
		*dst++ = c->mult_len;
		*dst++ = c->flags;
		dst = put_varint(dst, zigzag(c->value.coef));
		*dst++ = (uint8_t) (int8_t) c->value.exp;
		if (c->cmp == IV_CMP_RANGE)
		{
			dst = put_varint(dst, zigzag(c->upper.coef));
			*dst++ = (uint8_t) (int8_t) c->upper.exp;
		}
		dst = put_varint(dst, c->label_off);
		dst = put_varint(dst, c->label_len);
		dst = put_varint(dst, c->unit_off);
		dst = put_varint(dst, c->unit_len);
		dst = put_varint(dst, c->per_off);
		dst = put_varint(dst, c->per_len);
	}
	memcpy(dst, v->text, v->text_len);
}

typedef struct Cursor
{
	const uint8_t *p,
			   *end;
	bool		ok;
} Cursor;

static uint64_t
get_varint(Cursor *c)
{
	uint64_t	v = 0;
	int			shift;

	for (shift = 0; shift < 64; shift += 7)
	{
		uint8_t		b;

		if (c->p >= c->end)
			break;
		b = *c->p++;
		v |= (uint64_t) (b & 0x7F) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->ok = false;
	return 0;
}

static uint8_t
get_byte(Cursor *c)
{
	if (c->p >= c->end)
	{
		c->ok = false;
		return 0;
	}
	return *c->p++;
}

static uint16_t
get_u16(Cursor *c)
{
	uint64_t	v = get_varint(c);

	if (v > UINT16_MAX)
		c->ok = false;
	return (uint16_t) v;
}

static IvDecimal
get_decimal(Cursor *c)
{
	uint64_t	z = get_varint(c);
	IvDecimal	d;

	d.coef = (int64_t) (z >> 1) ^ -(int64_t) (z & 1);
	d.exp = (int8_t) get_byte(c);
	return d;
}

static bool
span_ok(size_t off, size_t len, size_t text_len)
{
	return off + len <= text_len;
}

bool
iv_unpack(const uint8_t *src, size_t len, IvValue *out)
{
	Cursor		c = {src, src + len, true};
	int			i;

	if (get_byte(&c) != IV_LAYOUT_VERSION)
		return false;
	out->kind = get_byte(&c);
	out->nclauses = get_byte(&c);
	out->text_len = get_u16(&c);
	if (!c.ok || out->kind < IV_KIND_QUANTITY || out->kind > IV_KIND_EMPTY ||
		out->nclauses > IV_MAX_CLAUSES ||
		(out->kind == IV_KIND_QUANTITY && out->nclauses == 0) ||
		(out->kind != IV_KIND_QUANTITY && out->kind != IV_KIND_CLAIM && out->nclauses > 0))
		return false;
	for (i = 0; i < out->nclauses; i++)
	{
		IvClause   *k = &out->clauses[i];

		memset(k, 0, sizeof(*k));	/* padding too: unpacked equals parsed */
		k->cmp = get_byte(&c);
		k->dim = get_byte(&c);
		k->unit = get_byte(&c);
		k->mult = get_byte(&c);
		k->mult_len = get_byte(&c);
		k->flags = get_byte(&c);
		k->value = get_decimal(&c);
		if (k->cmp == IV_CMP_RANGE)
			k->upper = get_decimal(&c);
		k->label_off = get_u16(&c);
		k->label_len = get_u16(&c);
		k->unit_off = get_u16(&c);
		k->unit_len = get_u16(&c);
		k->per_off = get_u16(&c);
		k->per_len = get_u16(&c);
		if (!c.ok || k->unit >= iv_n_units || k->dim >= IV_DIM_COUNT_OF_DIMS ||
			k->cmp > IV_CMP_RANGE ||
			!span_ok(k->label_off, k->label_len, out->text_len) ||
			!span_ok(k->unit_off, k->unit_len, out->text_len) ||
			!span_ok(k->per_off, k->per_len, out->text_len))
			return false;
	}
	if ((size_t) (c.end - c.p) != out->text_len)
		return false;
	out->text = (const char *) c.p;
	return true;
}
