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
 *
 * iv_unpack trusts nothing: a block comes from a page that may be damaged,
 * or from a binary-coercible cast a superuser made.  It refuses every field
 * outside what the reader produces (clause_ok and text_ok below), so
 * the rest of the code may rely on a value's ranges: exponents in
 * [-18, 0], coefficients below 10^18, units from the table (an open
 * unit's word one run of ideographs or of ASCII letters), spans on
 * character boundaries of valid UTF-8.  Checking each field costs a few
 * comparisons per clause and one pass over the text; it does not read the
 * text again (that costs more than scoring the row), so a block whose
 * fields are each possible but disagree with its text (91 stored with the
 * text ≥90%) is not detected: it is only safe.  docs/binary-format.md lists
 * what is refused.
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

/* A varint as put_varint writes it: no padding bytes, no bits beyond 64. */
static uint64_t
get_long_varint(Cursor *c)
{
	uint64_t	v = 0;
	int			shift;

	for (shift = 0; shift < 64; shift += 7)
	{
		uint8_t		b;

		if (c->p >= c->end)
			break;
		b = *c->p++;
		if (shift == 63 && b > 1)
			break;
		v |= (uint64_t) (b & 0x7F) << shift;
		if (!(b & 0x80))
		{
			if (b == 0 && shift > 0)
				break;			/* a trailing zero byte: not minimal */
			return v;
		}
	}
	c->ok = false;
	return 0;
}

/* Most varints are one byte (offsets, lengths, small numbers): inline that. */
static inline uint64_t
get_varint(Cursor *c)
{
	if (c->p < c->end && *c->p < 0x80)
		return *c->p++;
	return get_long_varint(c);
}

static inline uint8_t
get_byte(Cursor *c)
{
	if (c->p >= c->end)
	{
		c->ok = false;
		return 0;
	}
	return *c->p++;
}

static inline uint16_t
get_u16(Cursor *c)
{
	uint64_t	v = get_varint(c);

	if (v > UINT16_MAX)
		c->ok = false;
	return (uint16_t) v;
}

static inline IvDecimal
get_decimal(Cursor *c)
{
	uint64_t	z = get_varint(c);
	IvDecimal	d;

	d.coef = (int64_t) (z >> 1) ^ -(int64_t) (z & 1);
	d.exp = (int8_t) get_byte(c);
	return d;
}

/* ------------------------------------------------------------- validation */

#define IV_MAX_COEF		INT64_C(999999999999999999) /* IV_MAX_DIGITS nines */
#define IV_MULT_BYTES	3		/* 十 百 千 万 亿: one 3-byte character each */
#define IV_MAX_MULT_CHARS 3		/* the reader reads at most 3 of them */
#define IV_MAX_MULT		12		/* and refuses a larger power of ten */
#define IV_MAX_MULT_POWER 8		/* 亿, the largest one */

/* A number as read_number writes it: at most 18 digits and 18 decimals. */
static bool
number_ok(IvDecimal d)
{
	return d.exp >= -IV_MAX_DIGITS && d.exp <= 0 &&
		d.coef >= -IV_MAX_COEF && d.coef <= IV_MAX_COEF;
}

/* A yyyymmdd code as check_date writes it: year 0 or 1900..2199. */
static bool
date_ok(IvDecimal d)
{
	static const uint32_t days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	uint32_t	code,
				year,
				month,
				day;

	if (d.exp != 0 || d.coef <= 0 || d.coef > 21991231)
		return false;
	code = (uint32_t) d.coef;	/* 32-bit divisions: this runs on every row */
	year = code / 10000;
	month = code / 100 % 100;
	day = code % 100;
	if ((year != 0 && (year < 1900 || year > 2199)) || month > 12 || day > 31 ||
		(day > 0 && month == 0))
		return false;
	if (day == 0)
		return true;
	if (month == 2 && year != 0 &&
		!((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return day <= 28;
	return day <= days[month - 1];
}

/* a <= b for two numbers that passed number_ok (or date_ok) */
static bool
decimal_le(IvDecimal a, IvDecimal b)
{
	__extension__ __int128 x = a.coef,
				y = b.coef;
	int			e;

	for (e = a.exp; e > b.exp; e--)
		x *= 10;
	for (e = b.exp; e > a.exp; e--)
		y *= 10;
	return x <= y;
}

/* A character starts at off (or the text ends there): text is valid UTF-8. */
static bool
boundary(const IvValue *v, size_t off)
{
	return off == v->text_len ||
		(off < v->text_len && ((uint8_t) v->text[off] & 0xC0) != 0x80);
}

/* off, len lie inside the text, on character boundaries. */
static bool
span_ok(const IvValue *v, uint16_t off, uint16_t len)
{
	return (size_t) off + len <= v->text_len && boundary(v, off) && boundary(v, (size_t) off + len);
}

static bool
text_is(const IvValue *v, size_t off, size_t len, const char *s)
{
	size_t		n = strlen(s);

	return len == n && (size_t) off + n <= v->text_len && memcmp(v->text + off, s, n) == 0;
}

/*
 * Is the text at off..off+len exactly the name of a period unit (周, 月 ...)?
 * The period units' indexes are listed on first use (the table is constant).
 */
static bool
is_period_unit(const IvValue *v, size_t off, size_t len)
{
	static uint8_t period[256];
	static size_t nperiod;
	static bool listed;
	size_t		i;

	if (!listed)
	{
		for (i = 1; i < iv_n_units && nperiod < sizeof(period); i++)
			if (iv_units[i].flags & IV_UNIT_PERIOD)
				period[nperiod++] = (uint8_t) i;
		listed = true;
	}
	for (i = 0; i < nperiod; i++)
		if (iv_units[period[i]].len == len &&
			memcmp(v->text + off, iv_units[period[i]].name, len) == 0)
			return true;
	return false;
}

/*
 * The word of an open unit, text[from..to): one or more CJK ideographs
 * (U+4E00-9FFF), or ASCII letters, as the reader's open_unit_len takes them.
 */
static bool
open_word_ok(const IvValue *v, size_t from, size_t to)
{
	const uint8_t *s = (const uint8_t *) v->text;
	size_t		i;

	if (from >= to || to > v->text_len)
		return false;
	if (s[from] < 0x80)
	{
		for (i = from; i < to; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
				return false;
		return true;
	}
	/* valid UTF-8 already (text_ok): U+4E00-9FFF is E4 B8 80 .. E9 BF BF */
	for (i = from; i < to; i += 3)
		if (to - i < 3 || s[i] < 0xE4 || s[i] > 0xE9 || (s[i] == 0xE4 && s[i + 1] < 0xB8))
			return false;
	return true;
}

/*
 * One clause's fields against what read_clause and emit_scalar write: the
 * comparison, dimension and unit are known codes and agree with each other;
 * the numbers are in the reader's range (a date is a real yyyymmdd code);
 * the 十百千万亿 prefix, the unit's name and the part after '/' sit in the
 * unit's span of the text in that order.
 */
static bool
clause_ok(const IvValue *v, const IvClause *k)
{
	const IvUnit *u;
	size_t		name_end,
				unit_end = (size_t) k->unit_off + k->unit_len;

	if (k->cmp > IV_CMP_RANGE || k->dim >= IV_DIM_COUNT_OF_DIMS ||
		k->unit >= iv_n_units || (k->flags & ~IV_FLAG_MONTH_END) != 0 ||
		!span_ok(v, k->label_off, k->label_len) ||
		!span_ok(v, k->unit_off, k->unit_len) ||
		!span_ok(v, k->per_off, k->per_len) ||
		(k->label_len == 0 && k->label_off != 0) || (k->per_len == 0 && k->per_off != 0))
		return false;
	if (k->cmp != IV_CMP_RANGE && (k->upper.coef != 0 || k->upper.exp != 0))
		return false;

	if (k->dim == IV_DIM_DATE)
		return k->unit == 0 && k->mult == 0 && k->mult_len == 0 &&
			k->unit_off == 0 && k->unit_len == 0 && k->per_len == 0 &&
			date_ok(k->value) &&
			(k->cmp != IV_CMP_RANGE || (date_ok(k->upper) && decimal_le(k->value, k->upper)));

	if (k->flags != 0 || !number_ok(k->value) ||
		(k->cmp == IV_CMP_RANGE && (!number_ok(k->upper) || !decimal_le(k->value, k->upper))))
		return false;

	/* the prefix: 1 to 3 multipliers of 10^1 .. 10^8 each, 10^12 at most */
	if (k->mult_len % IV_MULT_BYTES != 0 || k->mult_len > IV_MAX_MULT_CHARS * IV_MULT_BYTES ||
		k->mult > IV_MAX_MULT || k->mult < k->mult_len / IV_MULT_BYTES ||
		k->mult > IV_MAX_MULT_POWER * (k->mult_len / IV_MULT_BYTES) ||
		k->mult_len > k->unit_len)
		return false;

	if (k->unit == 0)			/* a bare number, perhaps with its 万 */
		return k->dim == IV_DIM_NONE && k->unit_len == k->mult_len && k->per_len == 0;

	/*
	 * a unit: the table's own entry (百分比 is stored as %), named in the
	 * text after the prefix; only a count takes a longer noun (台套, 个项目)
	 */
	u = &iv_units[k->unit];
	name_end = (size_t) k->unit_off + k->mult_len + u->len;
	if (u->canon != 0 || name_end > unit_end ||
		memcmp(v->text + k->unit_off + k->mult_len, u->name, u->len) != 0)
		return false;
	if ((u->flags & IV_UNIT_OPEN) &&
		!open_word_ok(v, name_end, k->per_len ? (size_t) k->per_off - 1 : unit_end))
		return false;
	if (k->per_len == 0)
		return k->dim == u->dim && (u->dim == IV_DIM_COUNT || name_end == unit_end);
	/* .../per ends the unit: 次/周 is a frequency, anything else per a rate */
	if ((size_t) k->per_off + k->per_len != unit_end || k->per_off < name_end + 1 ||
		(u->dim != IV_DIM_COUNT && k->per_off != name_end + 1) ||
		v->text[k->per_off - 1] != '/')
		return false;
	if (u->dim == IV_DIM_COUNT && is_period_unit(v, k->per_off, k->per_len))
		return k->dim == IV_DIM_FREQUENCY;
	return k->dim == IV_DIM_RATE;
}

/*
 * Valid UTF-8 (as the reader's u8_decode accepts it: no overlong form, no
 * surrogate, nothing above U+10FFFF) without NUL bytes; *digits tells
 * whether an ASCII digit occurs.  One pass, on every unpack: kept cheap.
 */
static bool
utf8_ok(const uint8_t *s, size_t len, bool *digits)
{
	const uint8_t *end = s + len;
	bool		digit = false;

	while (s < end)
	{
		uint8_t		b = *s;

		if (b < 0x80)
		{
			if (b == 0)
				return false;
			digit |= (uint8_t) (b - '0') < 10;
			s++;
		}
		else if (b >= 0xE0 && b <= 0xEF)	/* 3 bytes: CJK, ≥, ‰ */
		{
			if (end - s < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
				(b == 0xE0 && s[1] < 0xA0) || (b == 0xED && s[1] >= 0xA0))
				return false;
			s += 3;
		}
		else if (b >= 0xC2 && b <= 0xDF)
		{
			if (end - s < 2 || (s[1] & 0xC0) != 0x80)
				return false;
			s += 2;
		}
		else if (b >= 0xF0 && b <= 0xF4)
		{
			if (end - s < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
				(s[3] & 0xC0) != 0x80 || (b == 0xF0 && s[1] < 0x90) || (b == 0xF4 && s[1] >= 0x90))
				return false;
			s += 4;
		}
		else
			return false;		/* a continuation byte, or no lead byte */
	}
	*digits = digit;
	return true;
}

static bool
is_one_of(const IvValue *v, const char *const *words, size_t n, bool prefix)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		size_t		len = strlen(words[i]);

		if ((prefix ? len < v->text_len : len == v->text_len) &&
			memcmp(v->text, words[i], len) == 0)
			return true;
	}
	return false;
}

/*
 * The text against the kind: never empty; an empty cell and 不适用 print
 * as one fixed text, a claim as one of its words, qualitative text has no
 * digit (else it would have been read as a number).
 */
static bool
text_ok(const IvValue *v)
{
	bool		digits;

	if (v->text_len == 0 || !utf8_ok((const uint8_t *) v->text, v->text_len, &digits))
		return false;
	switch (v->kind)
	{
		case IV_KIND_EMPTY:
			return text_is(v, 0, v->text_len, IV_EMPTY_TEXT);
		case IV_KIND_NOT_APPLICABLE:
			return text_is(v, 0, v->text_len, IV_NOT_APPLICABLE_TEXT);
		case IV_KIND_CLAIM:
			return v->nclauses == 0 ?
				is_one_of(v, iv_claim_words, iv_n_claim_words, false) :
				is_one_of(v, iv_claim_prefixes, iv_n_claim_prefixes, true);
		case IV_KIND_QUALITATIVE:
			return !digits;
		default:
			return true;
	}
}

bool
iv_unpack(const uint8_t *src, size_t len, IvValue *out)
{
	Cursor		c = {src, src + len, true};
	uint8_t		kind,
				nclauses;
	int			i;

	if (get_byte(&c) != IV_LAYOUT_VERSION)
		return false;
	kind = get_byte(&c);
	nclauses = get_byte(&c);
	out->text_len = get_u16(&c);
	if (!c.ok || kind < IV_KIND_QUANTITY || kind > IV_KIND_EMPTY || nclauses > IV_MAX_CLAUSES ||
		(kind == IV_KIND_QUANTITY && nclauses == 0) ||
		(kind != IV_KIND_QUANTITY && kind != IV_KIND_CLAIM && nclauses > 0))
		return false;
	out->kind = kind;
	out->nclauses = nclauses;
	for (i = 0; i < nclauses; i++)
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
		if (!c.ok)
			return false;
	}
	if ((size_t) (c.end - c.p) != out->text_len)
		return false;
	out->text = (const char *) c.p;
	/* the text first: the clauses' checks read it */
	if (!text_ok(out))
		return false;
	for (i = 0; i < nclauses; i++)
		if (!clause_ok(out, &out->clauses[i]))
			return false;
	return true;
}
