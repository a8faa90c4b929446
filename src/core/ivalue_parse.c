/*
 * ivalue_parse.c - the one reader of indicator values.
 *
 * The input is first normalised (full-width ASCII and other scripts' digits
 * to ASCII, odd spaces and dashes folded, invisible format marks dropped,
 * 。 between digits made a decimal point) into a UTF-8 buffer that
 * remembers where each character came from, then read as one of: an empty cell, 不适用, a period
 * (全年, 上半年: a range of months), a claim, qualitative text (no digit at
 * all, and not a comparison or a unit alone: ≥, ≥%, 万元 lost their number),
 * or a list of clauses "[label][cmp]number[unit]".  A unit is one of the
 * table's or an open unit: any other measure word (5匹, 5kg), a count in it.
 * While reading it writes the canonical text, which is what the value
 * prints as; reading that text again gives the same value.
 */
#include <stdio.h>
#include <string.h>

#include "ivalue_tables.h"

typedef struct Reader
{
	const char *in;
	size_t		in_len;
	char		norm[IV_MAX_INPUT];
	uint16_t	src[IV_MAX_INPUT + 1];	/* input offset of the char at norm[i] */
	size_t		n;
	char	   *out;
	size_t		cap;
	size_t		olen;
	IvError    *err;
} Reader;

/* A number with what follows it: unit, or the parts of a date. */
typedef struct Scalar
{
	IvDecimal	value;
	bool		is_date;
	bool		is_int;			/* a whole number >= 0 */
	uint8_t		dim;
	uint8_t		unit;			/* iv_units index, canonical */
	uint8_t		mult;
	uint8_t		flags;
	int			year,
				month,
				day;
	size_t		mult_at,
				mult_end;		/* the 万 prefix in norm */
	size_t		absorb_at,
				absorb_end;		/* count noun after the unit: 台套, 个项目 */
	size_t		per_at,
				per_end;		/* after '/' */
} Scalar;

#define IV_MAX_WORD 16			/* bytes of the longest comparison word */

static const char *const HINT_GENERAL =
"Write a comparison, a number and a unit, e.g. \"≥90%\", \"至少2次/周\", \"≤461.74万元\" or \"采集率达95%以上，准确率达90%以上\".";
static const char *const HINT_UNIT =
"Known units include % ‰ 元 万元 次/周 个 件 人次 天 个月 工作日 公里 平方米 吨; a label goes before the number, not after it.";
static const char *const HINT_RANGE =
"Write a range lower bound first, with one unit: \"3-5万元\", \"90%~95%\" or \"1-12月\".";
static const char *const HINT_DATE =
"Write a date as \"2022年12月31日前\", \"2022年12月底\" or \"2022-12-31\".";
static const char *const HINT_DIGITS =
"A number may have at most 18 significant digits.";
static const char *const HINT_MARKS =
"Remove the invisible bidirectional controls (U+202A-U+202E, U+2066-U+2069) from the number; they can make it display in another order than it reads.";
static const char *const HINT_DIGIT_SCRIPTS =
"Write each number in one script's digits, e.g. \"90%\" or \"٩٠%\", not a mix of them.";
static const char *const HINT_LOST_NUMBER =
"Write the number the comparison or unit belongs to, e.g. \"≥90%\" or \"≤461.74万元\"; text with no number reads as qualitative, but not a comparison or a unit alone.";
static const char *const HINT_CLAUSES =
"Separate labelled clauses with \"，\" or \"；\", each with its own number: \"采集率达95%以上，准确率达90%以上\".";

/* ---------------------------------------------------------------- utf-8 */

/* Decodes one character; returns its length, or 0 if the bytes are not UTF-8. */
static size_t
u8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	c;
	size_t		len,
				i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
	{
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
	{
		len = 2;
		c = s[0] & 0x1F;
	}
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
	{
		len = 3;
		c = s[0] & 0x0F;
	}
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
	{
		len = 4;
		c = s[0] & 0x07;
	}
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
		(c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static size_t
u8_encode(uint32_t c, char *out)
{
	if (c < 0x80)
	{
		out[0] = (char) c;
		return 1;
	}
	if (c < 0x800)
	{
		out[0] = (char) (0xC0 | (c >> 6));
		out[1] = (char) (0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000)
	{
		out[0] = (char) (0xE0 | (c >> 12));
		out[1] = (char) (0x80 | ((c >> 6) & 0x3F));
		out[2] = (char) (0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (c >> 18));
	out[1] = (char) (0x80 | ((c >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((c >> 6) & 0x3F));
	out[3] = (char) (0x80 | (c & 0x3F));
	return 4;
}

/* Length of the (already valid) UTF-8 character at s. */
static size_t
u8_len(unsigned char b)
{
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* ---------------------------------------------------------------- errors */

static size_t
char_offset(const Reader *r, size_t in_off)
{
	size_t		i,
				chars = 0;

	for (i = 0; i < in_off && i < r->in_len; i++)
		if (((unsigned char) r->in[i] & 0xC0) != 0x80)
			chars++;
	return chars;
}

/* Fails at norm position pos; what names the problem, quoted text follows. */
static bool
fail_at(Reader *r, IvStatus st, size_t pos, const char *hint, const char *what)
{
	size_t		at = pos < r->n ? r->src[pos] : r->in_len;
	size_t		end = at,
				chars = 0;

	/* quote up to 12 characters of the input from where reading stopped */
	while (end < r->in_len && chars < 12)
	{
		end += u8_len((unsigned char) r->in[end]);
		chars++;
	}
	if (end > r->in_len)
		end = r->in_len;
	r->err->status = st;
	r->err->offset = at;
	r->err->char_offset = char_offset(r, at);
	r->err->hint = hint;
	if (end > at)
		snprintf(r->err->detail, sizeof(r->err->detail), "%s at \"%.*s\"",
				 what, (int) (end - at), r->in + at);
	else
		snprintf(r->err->detail, sizeof(r->err->detail), "%s at the end", what);
	return false;
}

/* ------------------------------------------------------- normalisation */

static uint32_t
fold(uint32_t c)
{
	int			digit;

	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFEE0;		/* full-width ASCII: ９５％ ＞＝ （ ） */
	digit = iv_digit_value(c);
	if (digit >= 0)
		return (uint32_t) ('0' + digit);	/* ٩٠ ۹۰ ९० 𝟗𝟎: 90 */
	switch (c)
	{
		case '\t':
		case '\n':
		case '\r':
		case '\v':
		case '\f':
		case 0x00A0:
		case 0x2002:
		case 0x2003:
		case 0x2009:
		case 0x3000:
			return ' ';
		case 0x2212:			/* − minus */
		case 0xFE63:
		case 0x2010:
		case 0x2011:
		case 0x2012:
		case 0x2013:
			return '-';
		case 0xFE64:			/* ﹤ ﹥ ﹦ ﹪ small form variants */
			return '<';
		case 0xFE65:
			return '>';
		case 0xFE66:
			return '=';
		case 0xFE6A:
			return '%';
		case 0x2015:			/* ― horizontal bar */
			return 0x2014;
		case 0x301C:			/* 〜 wave dash */
			return '~';
		case 0xFF61:
			return 0x3002;
	}
	return c;
}

/*
 * The script of the digit at norm[pos]: 0 for the digits shaped like ASCII
 * (ASCII, full-width, mathematical), else the code point of its zero.
 */
static uint32_t
digit_script(const Reader *r, size_t pos)
{
	const unsigned char *s = (const unsigned char *) r->in + r->src[pos];
	uint32_t	c;

	if (s[0] < 0x80 || u8_decode(s, r->in_len - r->src[pos], &c) == 0 ||
		(c >= 0xFF10 && c <= 0xFF19) || (c >= 0x1D7CE && c <= 0x1D7FF))
		return 0;
	return c - (uint32_t) iv_digit_value(c);
}

/*
 * One number's digits come from one script: 1٥ (Arabic-Indic 5, shaped like
 * 0) would look like 10 and read as 15.
 */
static bool
check_digit_scripts(Reader *r)
{
	const uint32_t none = UINT32_MAX;
	uint32_t	run = none;
	size_t		p;

	for (p = 0; p < r->n; p++)
	{
		char		ch = r->norm[p];

		if (ch >= '0' && ch <= '9')
		{
			uint32_t	script = digit_script(r, p);

			if (run != none && script != run)
				return fail_at(r, IV_ERR_SYNTAX, p, HINT_DIGIT_SCRIPTS,
							   "digits of two scripts in one number");
			run = script;
		}
		else if (ch != '.' && ch != ',')
			run = none;
	}
	return true;
}

static bool
normalise(Reader *r)
{
	const unsigned char *s = (const unsigned char *) r->in;
	size_t		i = 0;
	bool		other_digits = false;

	r->n = 0;
	while (i < r->in_len)
	{
		uint32_t	c,
					folded;
		size_t		len;

		/* printable ASCII stays as it is: the common case, kept cheap */
		if (s[i] >= 0x20 && s[i] < 0x7F)
		{
			r->src[r->n] = (uint16_t) i;
			r->norm[r->n++] = (char) s[i++];
			continue;
		}
		len = u8_decode(s + i, r->in_len - i, &c);
		if (len == 0 || c == 0)
		{
			r->src[r->n] = (uint16_t) i;
			r->err->status = IV_ERR_ENCODING;
			r->err->offset = i;
			r->err->char_offset = char_offset(r, i);
			r->err->hint = "Send text in UTF-8 with no NUL bytes.";
			snprintf(r->err->detail, sizeof(r->err->detail),
					 "invalid UTF-8 byte 0x%02x at byte %zu", s[i], i);
			return false;
		}
		folded = c;
		c = fold(c);
		other_digits |= c >= '0' && c <= '9' && (folded < 0xFF10 || folded > 0xFF19);
		if (c < 0x20 || c == 0x7F)
			c = ' ';
		/* 。 between two digits is a decimal point typed with a Chinese IME: 90。5% */
		if (c == 0x3002 && r->n > 0 && r->norm[r->n - 1] >= '0' && r->norm[r->n - 1] <= '9')
		{
			uint32_t	next = 0;
			size_t		j = i + len,
						k;

			/* the next character that is not a format mark */
			while ((k = u8_decode(s + j, r->in_len - j, &next)) > 0 &&
				   iv_format_mark(next) != IV_MARK_NONE)
				j += k;
			if (k > 0 && (next = fold(next)) >= '0' && next <= '9')
				c = '.';
		}
		if (iv_format_mark(folded) == IV_MARK_NONE)
		{
			size_t		k,
						w = folded == c ? len : u8_encode(c, r->norm + r->n);

			if (folded == c)
				memcpy(r->norm + r->n, s + i, len);
			for (k = 0; k < w; k++)
				r->src[r->n + k] = (uint16_t) i;
			r->n += w;
		}
		i += len;
	}
	r->src[r->n] = (uint16_t) r->in_len;
	return !other_digits || check_digit_scripts(r);
}

/* ------------------------------------------------------------- scanning */

static bool
is_digit_at(const Reader *r, size_t pos, size_t end)
{
	return pos < end && r->norm[pos] >= '0' && r->norm[pos] <= '9';
}

static bool
is_space_at(const Reader *r, size_t pos, size_t end)
{
	return pos < end && r->norm[pos] == ' ';
}

static size_t
skip_spaces(const Reader *r, size_t pos, size_t end)
{
	while (is_space_at(r, pos, end))
		pos++;
	return pos;
}

static bool
at_text(const Reader *r, size_t pos, size_t end, const char *w, size_t wlen)
{
	return wlen > 0 && pos <= end && wlen <= end - pos && memcmp(r->norm + pos, w, wlen) == 0;
}

#define AT(r, pos, end, lit) at_text(r, pos, end, lit, sizeof(lit) - 1)

/*
 * Word and unit lookup by first character: each table gets a small hash of
 * its entries' first characters, built on first use (the tables are
 * constant, so every build gives the same index).
 */
#define IDX_BUCKETS 64

typedef struct TableIndex
{
	bool		built;
	uint8_t		head[IDX_BUCKETS];	/* entry + 1, 0 = none */
	uint8_t		next[256];
} TableIndex;

static unsigned
first_char_key(const char *s, size_t avail)
{
	unsigned char c = (unsigned char) s[0];
	unsigned	key = c;

	if (c >= 0xE0 && avail >= 3)
		key = (key << 16) | ((unsigned) (unsigned char) s[1] << 8) | (unsigned char) s[2];
	else if (c >= 0xC0 && avail >= 2)
		key = (key << 8) | (unsigned char) s[1];
	return (key * 2654435761u) >> 26;	/* IDX_BUCKETS = 2^6 */
}

static void
build_index(TableIndex *ix, const char *(*name) (size_t), size_t n)
{
	size_t		i;

	memset(ix->head, 0, sizeof(ix->head));
	for (i = n; i-- > 0;)
	{
		const char *w = name(i);

		if (w[0] == '\0')
			continue;
		ix->next[i] = ix->head[first_char_key(w, strlen(w))];
		ix->head[first_char_key(w, strlen(w))] = (uint8_t) (i + 1);
	}
	ix->built = true;
}

static const IvWord *word_table;

static const char *
word_name(size_t i)
{
	return word_table[i].text;
}

static const char *
unit_name(size_t i)
{
	return iv_units[i].name;
}

static const IvWord *
longest_word(const Reader *r, size_t pos, size_t end, const IvWord *words, size_t n)
{
	static TableIndex prefix_ix,
				suffix_ix,
				date_ix;
	TableIndex *ix = words == iv_prefix_words ? &prefix_ix :
		words == iv_suffix_words ? &suffix_ix : &date_ix;
	const IvWord *best = NULL;
	unsigned	e;

	if (pos >= end)
		return NULL;
	if (!ix->built)
	{
		word_table = words;
		build_index(ix, word_name, n);
	}
	for (e = ix->head[first_char_key(r->norm + pos, end - pos)]; e; e = ix->next[e - 1])
	{
		const IvWord *w = &words[e - 1];

		if ((!best || w->len > best->len) && at_text(r, pos, end, w->text, w->len))
			best = w;
	}
	return best;
}

/* A number starts here: a digit, or a sign before one. */
static bool
number_starts(const Reader *r, size_t pos, size_t end)
{
	if (is_digit_at(r, pos, end))
		return true;
	return pos < end && (r->norm[pos] == '-' || r->norm[pos] == '+') &&
		is_digit_at(r, pos + 1, end);
}

/* [spaces][comparison word][spaces] number */
static bool
compared_number_starts(const Reader *r, size_t pos, size_t end)
{
	const IvWord *w;

	pos = skip_spaces(r, pos, end);
	w = longest_word(r, pos, end, iv_prefix_words, iv_n_prefix_words);
	if (w)
		pos = skip_spaces(r, pos + w->len, end);
	return number_starts(r, pos, end);
}

/*
 * A number after 每 and a period (每月4户: the frequency 4户/月), which the
 * clause reader turns into the number's own period: after a claim prefix it
 * starts the claimed value as a number does (已完成 每月4户 reads as
 * 已完成4户/月, its canonical text).  A 每<period> before it (每月 每周4户)
 * is the clause's label, and the claim still starts: otherwise the text would
 * read as a quantity labelled 已完成 每月, whose canonical text reads back as
 * the claim.
 */
static bool
period_number_starts(const Reader *r, size_t pos, size_t end)
{
	size_t		i;

	pos = skip_spaces(r, pos, end);
	if (!AT(r, pos, end, "每"))
		return false;
	pos += 3;
	for (i = 1; i < iv_n_units; i++)
		if ((iv_units[i].flags & IV_UNIT_PERIOD) && pos + iv_units[i].len <= end &&
			memcmp(r->norm + pos, iv_units[i].name, iv_units[i].len) == 0 &&
			(compared_number_starts(r, pos + iv_units[i].len, end) ||
			 period_number_starts(r, pos + iv_units[i].len, end)))
			return true;
	return false;
}

/* A comma between two digits belongs to the number: 1,821,100. */
static bool
in_number(const Reader *r, size_t pos, size_t end)
{
	return pos > 0 && is_digit_at(r, pos - 1, end) && is_digit_at(r, pos + 1, end);
}

/* A separator between labelled clauses; a comma inside 1,821,100 is not one. */
static size_t
separator_len(const Reader *r, size_t pos, size_t end)
{
	char		c = r->norm[pos];

	if (c == ';' || c == '!' || c == '?')
		return 1;
	if (c == ',')
		return in_number(r, pos, end) ? 0 : 1;
	if (AT(r, pos, end, "、") || AT(r, pos, end, "。"))
		return 3;
	return 0;
}

static bool
is_ideograph_at(const Reader *r, size_t pos, size_t end, size_t *len)
{
	uint32_t	c;
	size_t		l = u8_decode((const unsigned char *) r->norm + pos, end - pos, &c);

	*len = l;
	return l == 3 && c >= 0x4E00 && c <= 0x9FFF;
}

/* ---------------------------------------------------------------- output */

static bool
emit(Reader *r, const char *s, size_t len)
{
	if (r->olen + len > r->cap)
		return fail_at(r, IV_ERR_TOO_LONG, r->n, HINT_GENERAL, "canonical text too long");
	memcpy(r->out + r->olen, s, len);
	r->olen += len;
	return true;
}

#define EMIT(r, lit) emit(r, lit, sizeof(lit) - 1)

/*
 * Copies the input behind norm[from..to) as written (labels, free text),
 * less the invisible format marks the reader ignores.
 */
static bool
emit_original(Reader *r, size_t from, size_t to)
{
	const unsigned char *s = (const unsigned char *) r->in;
	size_t		i = r->src[from],
				end = r->src[to],
				run = i;

	while (i < end)
	{
		uint32_t	c;
		size_t		len = u8_len(s[i]);

		/* every mark starts with 0xE2 (U+2xxx) or 0xEF (U+FEFF) */
		if ((s[i] == 0xE2 || s[i] == 0xEF) && u8_decode(s + i, end - i, &c) == len &&
			iv_format_mark(c) != IV_MARK_NONE)
		{
			if (!emit(r, r->in + run, i - run))
				return false;
			run = i + len;
		}
		i += len;
	}
	return emit(r, r->in + run, end - run);
}

/*
 * A bidirectional control dropped just before norm[pos] (between it and
 * the character before it)?  Only format marks are ever dropped.
 */
static bool
bidi_mark_before(const Reader *r, size_t pos, uint32_t *mark)
{
	const unsigned char *s = (const unsigned char *) r->in;
	size_t		i = r->src[pos - 1] + u8_len(s[r->src[pos - 1]]);

	while (i < r->src[pos])
	{
		size_t		len = u8_decode(s + i, r->src[pos] - i, mark);

		if (len == 0)
			return false;
		if (iv_format_mark(*mark) == IV_MARK_BIDI)
			return true;
		i += len;
	}
	return false;
}

static bool
emit_decimal(Reader *r, IvDecimal d)
{
	char		digits[24],
				buf[48];
	int			nd,
				frac = -d.exp,
				i,
				o = 0;
	uint64_t	mag = d.coef < 0 ? (uint64_t) 0 - (uint64_t) d.coef : (uint64_t) d.coef;

	nd = 0;
	do
	{
		digits[sizeof(digits) - 1 - nd++] = (char) ('0' + mag % 10);
		mag /= 10;
	} while (mag > 0);
	memmove(digits, digits + sizeof(digits) - nd, (size_t) nd);
	if (d.coef < 0)
		buf[o++] = '-';
	if (frac <= 0)
	{
		memcpy(buf + o, digits, (size_t) nd);
		o += nd;
	}
	else
	{
		if (nd <= frac)
		{
			buf[o++] = '0';
			buf[o++] = '.';
			for (i = nd; i < frac; i++)
				buf[o++] = '0';
			memcpy(buf + o, digits, (size_t) nd);
			o += nd;
		}
		else
		{
			memcpy(buf + o, digits, (size_t) (nd - frac));
			o += nd - frac;
			buf[o++] = '.';
			memcpy(buf + o, digits + nd - frac, (size_t) frac);
			o += frac;
		}
	}
	return emit(r, buf, (size_t) o);
}

/* ---------------------------------------------------------------- numbers */

static bool
read_number(Reader *r, size_t *pos, size_t end, IvDecimal *d)
{
	size_t		p = *pos;
	bool		neg = false,
				any = false;
	int			sig = 0,
				frac = 0;
	int64_t		coef = 0;

	if (r->norm[p] == '-' || r->norm[p] == '+')
	{
		neg = r->norm[p] == '-';
		p++;
	}
	for (;;)
	{
		uint32_t	mark;

		if (p > *pos && p < end && (is_digit_at(r, p, end) || r->norm[p] == ',' || r->norm[p] == '.') &&
			bidi_mark_before(r, p, &mark))
		{
			char		what[64];

			snprintf(what, sizeof(what), "a bidirectional control U+%04X inside a number", (unsigned) mark);
			return fail_at(r, IV_ERR_SYNTAX, p, HINT_MARKS, what);
		}
		if (is_digit_at(r, p, end))
		{
			int			dig = r->norm[p] - '0';

			if (coef > 0 || dig > 0)
				sig++;
			if (sig > IV_MAX_DIGITS || frac > IV_MAX_DIGITS)
				return fail_at(r, IV_ERR_RANGE, *pos, HINT_DIGITS, "number out of range");
			coef = coef * 10 + dig;
			if (frac > 0)
				frac++;
			any = true;
			p++;
		}
		else if (p < end && r->norm[p] == ',' && any && frac == 0 && in_number(r, p, end))
		{
			if (!is_digit_at(r, p + 3, end) || is_digit_at(r, p + 4, end))
				return fail_at(r, IV_ERR_SYNTAX, p, HINT_GENERAL,
							   "a thousands separator not followed by three digits");
			p++;
		}
		else if (p < end && r->norm[p] == '.' && any && frac == 0 &&
				 is_digit_at(r, p + 1, end))
		{
			frac = 1;
			p++;
		}
		else
			break;
	}
	d->coef = neg ? -coef : coef;
	d->exp = frac > 0 ? -(frac - 1) : 0;
	*pos = p;
	return true;
}

/* ------------------------------------------------------------------ dates */

static int
days_in_month(int year, int month)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && year > 0 &&
		!((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 28;
	return days[month - 1];
}

static bool
check_date(Reader *r, size_t at, Scalar *s)
{
	if (s->month < 0 || s->month > 12 || s->day < 0 ||
		(s->day > 0 && (s->month == 0 || s->day > days_in_month(s->year, s->month))))
		return fail_at(r, IV_ERR_SYNTAX, at, HINT_DATE, "no such date");
	s->is_date = true;
	s->dim = IV_DIM_DATE;
	s->value.coef = (int64_t) s->year * 10000 + s->month * 100 + s->day;
	s->value.exp = 0;
	return true;
}

/* A small unsigned integer of at most max_digits digits. */
static bool
read_small_int(const Reader *r, size_t *pos, size_t end, int max_digits, int *v)
{
	size_t		p = *pos;
	int			n = 0,
				k = 0;

	while (is_digit_at(r, p, end) && k < max_digits)
	{
		n = n * 10 + (r->norm[p] - '0');
		p++;
		k++;
	}
	if (k == 0 || is_digit_at(r, p, end))
		return false;
	*v = n;
	*pos = p;
	return true;
}

/* 2022-12-31, 2022/12/31, 2022.12.31 */
static bool
try_iso_date(Reader *r, size_t *pos, size_t end, Scalar *s, bool *ok)
{
	size_t		p = *pos;
	int			y,
				m,
				d;
	char		sep;

	*ok = false;
	if (!read_small_int(r, &p, end, 4, &y) || p - *pos != 4 || p >= end)
		return true;
	sep = r->norm[p];
	if (sep != '-' && sep != '/' && sep != '.')
		return true;
	p++;
	if (!read_small_int(r, &p, end, 2, &m) || p >= end || r->norm[p] != sep)
		return true;
	p++;
	if (!read_small_int(r, &p, end, 2, &d))
		return true;
	s->year = y;
	s->month = m;
	s->day = d;
	if (y < 1900 || y > 2199 || m < 1 || d < 1)
		return fail_at(r, IV_ERR_SYNTAX, *pos, HINT_DATE, "no such date");
	if (!check_date(r, *pos, s))
		return false;
	*pos = p;
	*ok = true;
	return true;
}

/*
 * After a whole number n (read from at) at *pos: 2022年[12月[31日|底]], 2022年底, 12月[底].
 * A bare N月 with N in 1..12 is a month of the form's year, not a span
 * (N个月 is the span): real forms write 11月前 against 10月.
 */
static bool
try_cn_date(Reader *r, size_t at, size_t *pos, size_t end, int64_t n, Scalar *s, bool *ok)
{
	size_t		p = *pos;

	*ok = false;
	s->year = s->month = s->day = 0;
	if (AT(r, p, end, "年") && n >= 1900 && n <= 2199)
	{
		s->year = (int) n;
		p += 3;
		if (AT(r, p, end, "底") || AT(r, p, end, "末"))
		{
			s->month = 12;
			s->day = 31;
			s->flags |= IV_FLAG_MONTH_END;
			p += 3;
			goto done;
		}
		{
			size_t		q = p;
			int			m;

			if (!read_small_int(r, &q, end, 2, &m) || !AT(r, q, end, "月"))
				goto done;
			if (m < 1 || m > 12)
				return fail_at(r, IV_ERR_SYNTAX, at, HINT_DATE, "no such date");
			s->month = m;
			p = q + 3;
		}
	}
	else if (AT(r, p, end, "月") && n >= 1 && n <= 12)
	{
		s->month = (int) n;
		p += 3;
	}
	else
		return true;

	/* the day of a month: 31日, 31号, or 底 for its last day */
	if (AT(r, p, end, "份"))
		p += 3;
	if (AT(r, p, end, "底") || AT(r, p, end, "末"))
	{
		if (s->month >= 1 && s->month <= 12)
			s->day = days_in_month(s->year, s->month);
		s->flags |= IV_FLAG_MONTH_END;
		p += 3;
	}
	else
	{
		size_t		q = p;
		int			d;

		if (read_small_int(r, &q, end, 2, &d) &&
			(AT(r, q, end, "日") || AT(r, q, end, "号")))
		{
			if (d < 1)
				return fail_at(r, IV_ERR_SYNTAX, at, HINT_DATE, "no such date");
			s->day = d;
			p = q + 3;
		}
	}
done:
	if (!check_date(r, at, s))
		return false;
	*pos = p;
	*ok = true;
	return true;
}

/* ------------------------------------------------------------------ units */

static int
multiplier_power(const Reader *r, size_t pos, size_t end)
{
	if (AT(r, pos, end, "十"))
		return 1;
	if (AT(r, pos, end, "百"))
		return 2;
	if (AT(r, pos, end, "千"))
		return 3;
	if (AT(r, pos, end, "万"))
		return 4;
	if (AT(r, pos, end, "亿"))
		return 8;
	return -1;
}

static int
longest_unit(const Reader *r, size_t pos, size_t end)
{
	static TableIndex ix;
	int			best = -1;
	unsigned	e;

	if (pos >= end)
		return -1;
	if (!ix.built)
		build_index(&ix, unit_name, iv_n_units);
	for (e = ix.head[first_char_key(r->norm + pos, end - pos)]; e; e = ix.next[e - 1])
	{
		int			i = (int) e - 1;

		if ((best < 0 || iv_units[i].len > iv_units[best].len) &&
			at_text(r, pos, end, iv_units[i].name, iv_units[i].len))
			best = i;
	}
	return best;
}

/* Does a word that ends a count noun start here (以上, 左右, 至, 前 ...)? */
static bool
ends_count_noun(const Reader *r, size_t pos, size_t end)
{
	return longest_word(r, pos, end, iv_suffix_words, iv_n_suffix_words) != NULL ||
		longest_word(r, pos, end, iv_date_suffix_words, iv_n_date_suffix_words) != NULL ||
		AT(r, pos, end, "至") || AT(r, pos, end, "到") || AT(r, pos, end, "及") ||
		AT(r, pos, end, "或");
}

static bool
is_latin_letter_at(const Reader *r, size_t pos, size_t end)
{
	char		c = pos < end ? r->norm[pos] : 0;

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * The word of an open unit at pos: a run of CJK ideographs up to a word
 * that ends a count noun (以上, 左右, 至, 前 ...), or a run of Latin
 * letters; 0 if none starts here.
 */
static size_t
open_unit_len(const Reader *r, size_t pos, size_t end)
{
	size_t		p = pos,
				len;

	while (is_latin_letter_at(r, p, end))
		p++;
	if (p > pos)
	{
		/* a Latin word ends the unit: 1e5, 0x10, 9x% and 9x元 are typing errors */
		if (p == end || r->norm[p] == ' ' || r->norm[p] == '/' || r->norm[p] == '-' ||
			r->norm[p] == '~' || AT(r, p, end, "—") || ends_count_noun(r, p, end))
			return p - pos;
		return 0;
	}
	while (p < end && is_ideograph_at(r, p, end, &len) && !ends_count_noun(r, p, end))
		p += len;
	return p - pos;
}

static bool
is_period(const Reader *r, size_t from, size_t to)
{
	int			u = longest_unit(r, from, to);

	return u > 0 && from + iv_units[u].len == to && (iv_units[u].flags & IV_UNIT_PERIOD);
}

/*
 * The period (全年, 上半年, 第三季度) that norm[pos..end) starts with, longest
 * first, white space between its characters skipped (第1 季度 is 第1季度, as
 * its canonical text reads); *len is the bytes it takes in norm.
 */
static const IvPeriod *
period_at(const Reader *r, size_t pos, size_t end, size_t *len)
{
	const IvPeriod *best = NULL;
	const IvWord *w;
	size_t		i;

	for (i = 0; i < iv_n_periods; i++)
	{
		size_t		t = 0,
					p = pos;

		while (t < iv_periods[i].len && p < end)
		{
			if (t > 0 && r->norm[p] == ' ')
				p++;
			/* a number's leading zeros: 第03季度 is 第3季度 */
			else if (r->norm[p] == '0' && iv_periods[i].text[t] >= '1' &&
					 iv_periods[i].text[t] <= '9')
				p++;

			/*
			 * an equality word before the number, which canonical text drops:
			 * 第=1季度 would otherwise read as the label 第 and one quarter,
			 * printed 第1季度
			 */
			else if (iv_periods[i].text[t] >= '1' && iv_periods[i].text[t] <= '9' &&
					 (w = longest_word(r, p, end, iv_prefix_words, iv_n_prefix_words)) != NULL &&
					 w->cmp == IV_CMP_EQ)
				p += w->len;
			/* a plus sign, which canonical text drops too: 第+1季度 */
			else if (iv_periods[i].text[t] >= '1' && iv_periods[i].text[t] <= '9' && r->norm[p] == '+')
				p++;
			else if (r->norm[p] == iv_periods[i].text[t])
				p++, t++;
			else
				break;
		}
		if (t == iv_periods[i].len && (!best || iv_periods[i].len > best->len))
		{
			best = &iv_periods[i];
			*len = p - pos;
		}
	}
	return best;
}

/*
 * The unit after a number: [十百千万亿...]unit[count noun][/per][(decoration)].
 * Leaves s->unit 0 when there is none.
 */
static bool
read_unit(Reader *r, size_t *pos, size_t end, Scalar *s)
{
	size_t		p = *pos,
				run[4],
				best_len = 0;
	int			nrun = 0,
				power[4],
				k,
				best_k = -1,
				best_u = -1;

	/* the multiplier prefix run, then the longest unit after any part of it */
	run[0] = p;
	power[0] = 0;
	while (nrun < 3)
	{
		int			pw = multiplier_power(r, run[nrun], end);

		if (pw < 0)
			break;
		power[nrun + 1] = power[nrun] + pw;
		run[nrun + 1] = run[nrun] + 3;
		nrun++;
	}
	for (k = 0; k <= nrun; k++)
	{
		int			u = longest_unit(r, run[k], end);
		size_t		len = u > 0 ? run[k] - p + iv_units[u].len : 0;

		if (u > 0 && len > best_len)
		{
			best_len = len;
			best_k = k;
			best_u = u;
		}
	}
	if (best_u < 0 && open_unit_len(r, run[nrun], end) > 0)
	{
		best_u = iv_open_unit;	/* 5匹, 2万尾, 5kg: the word is absorbed below */
		best_k = nrun;
		best_len = run[nrun] - p;
	}
	else if (best_u < 0 && nrun > 0)
	{
		best_k = nrun;			/* 2万: a bare number with a multiplier */
		best_len = run[nrun] - p;
	}
	if (best_k < 0)
		return true;
	if (power[best_k] > 12)
		return fail_at(r, IV_ERR_SYNTAX, p, HINT_UNIT, "multiplier too large");

	s->mult = (uint8_t) power[best_k];
	s->mult_at = p;
	s->mult_end = run[best_k];
	s->unit = best_u > 0 ? iv_units[best_u].canon ? iv_units[best_u].canon : (uint8_t) best_u : 0;
	s->dim = best_u > 0 ? iv_units[best_u].dim : IV_DIM_NONE;
	p += best_len;

	/* a count may be a longer noun: 台套, 个项目 */
	s->absorb_at = s->absorb_end = p;
	if (best_u == iv_open_unit)
		p += open_unit_len(r, p, end);
	else if (s->dim == IV_DIM_COUNT)
	{
		size_t		len;

		while (p < end && is_ideograph_at(r, p, end, &len) && !ends_count_noun(r, p, end))
			p += len;
	}
	s->absorb_end = p;

	/* per something: 次/周 is a frequency, 元/人 a rate */
	s->per_at = s->per_end = p;
	if (best_u > 0 && p < end && r->norm[p] == '/' && !number_starts(r, p + 1, end))
	{
		size_t		q = p + 1,
					len;

		while (q < end)
		{
			if (is_ideograph_at(r, q, end, &len) && !ends_count_noun(r, q, end))
				q += len;
			else if (r->norm[q] == '*' || r->norm[q] == '/' ||
					 AT(r, q, end, "·") || AT(r, q, end, "×"))
				q += u8_len((unsigned char) r->norm[q]);
			else
				break;
		}
		if (q == p + 1)
			return fail_at(r, IV_ERR_SYNTAX, p, HINT_UNIT, "nothing after \"/\" in the unit");
		s->per_at = p + 1;
		s->per_end = q;
		s->dim = (s->dim == IV_DIM_COUNT && is_period(r, p + 1, q)) ?
			IV_DIM_FREQUENCY : IV_DIM_RATE;
		p = q;
	}

	/* a decoration naming the same unit again: %(百分比) */
	if (best_u > 0 && best_u != iv_open_unit && p < end && r->norm[p] == '(')
	{
		size_t		q = skip_spaces(r, p + 1, end);
		int			u = longest_unit(r, q, end);

		if (u > 0 && iv_units[u].dim == iv_units[best_u].dim)
		{
			q = skip_spaces(r, q + iv_units[u].len, end);
			if (q < end && r->norm[q] == ')')
				p = q + 1;
		}
	}
	*pos = p;
	return true;
}

static bool
same_unit(const Reader *r, const Scalar *a, const Scalar *b)
{
	return a->unit == b->unit && a->mult == b->mult && a->dim == b->dim &&
		a->mult_end - a->mult_at == b->mult_end - b->mult_at &&
		a->absorb_end - a->absorb_at == b->absorb_end - b->absorb_at &&
		a->per_end - a->per_at == b->per_end - b->per_at &&
		memcmp(r->norm + a->mult_at, r->norm + b->mult_at, a->mult_end - a->mult_at) == 0 &&
		memcmp(r->norm + a->absorb_at, r->norm + b->absorb_at, a->absorb_end - a->absorb_at) == 0 &&
		memcmp(r->norm + a->per_at, r->norm + b->per_at, a->per_end - a->per_at) == 0;
}

static void
take_unit(Scalar *to, const Scalar *from)
{
	to->dim = from->dim;
	to->unit = from->unit;
	to->mult = from->mult;
	to->mult_at = from->mult_at;
	to->mult_end = from->mult_end;
	to->absorb_at = from->absorb_at;
	to->absorb_end = from->absorb_end;
	to->per_at = from->per_at;
	to->per_end = from->per_end;
}

/* A number with its unit, or a date. */
static bool
read_scalar(Reader *r, size_t *pos, size_t end, Scalar *s)
{
	size_t		p = *pos,
				start = *pos;
	bool		ok;

	memset(s, 0, sizeof(*s));
	if (!try_iso_date(r, &p, end, s, &ok))
		return false;
	if (ok)
	{
		*pos = p;
		return true;
	}
	if (!number_starts(r, p, end))
		return fail_at(r, IV_ERR_SYNTAX, p, HINT_GENERAL, "expected a number");
	if (!read_number(r, &p, end, &s->value))
		return false;
	/* by value, not by writing: +2022年 and 2,022年 print as 2022年 */
	s->is_int = s->value.exp == 0 && s->value.coef >= 0;
	if (s->is_int)
	{
		size_t		q = skip_spaces(r, p, end);

		if (!try_cn_date(r, start, &q, end, s->value.coef, s, &ok))
			return false;
		if (ok)
		{
			*pos = q;
			return true;
		}
	}
	p = skip_spaces(r, p, end);
	if (!read_unit(r, &p, end, s))
		return false;
	*pos = p;
	return true;
}

static bool
emit_scalar(Reader *r, const Scalar *s, bool with_unit, IvClause *c)
{
	if (s->is_date)
	{
		char		buf[32];
		int			o = 0;

		if (s->year)
			o += snprintf(buf + o, sizeof(buf) - o, "%d年", s->year);
		if (s->month)
			o += snprintf(buf + o, sizeof(buf) - o, "%d月", s->month);
		if (s->flags & IV_FLAG_MONTH_END)
			o += snprintf(buf + o, sizeof(buf) - o, "底");
		else if (s->day)
			o += snprintf(buf + o, sizeof(buf) - o, "%d日", s->day);
		return emit(r, buf, (size_t) o);
	}
	if (!emit_decimal(r, s->value))
		return false;
	if (!with_unit)
		return true;
	c->unit_off = (uint16_t) r->olen;
	if (!emit(r, r->norm + s->mult_at, s->mult_end - s->mult_at))
		return false;
	if (s->unit && !emit(r, iv_units[s->unit].name, iv_units[s->unit].len))
		return false;
	if (!emit(r, r->norm + s->absorb_at, s->absorb_end - s->absorb_at))
		return false;
	if (s->per_end > s->per_at)
	{
		if (!EMIT(r, "/"))
			return false;
		c->per_off = (uint16_t) r->olen;
		c->per_len = (uint16_t) (s->per_end - s->per_at);
		if (!emit(r, r->norm + s->per_at, s->per_end - s->per_at))
			return false;
	}
	c->unit_len = (uint16_t) (r->olen - c->unit_off);
	return true;
}

static int
decimal_cmp(IvDecimal a, IvDecimal b)
{
	__extension__ typedef __int128 int128;
	int128		x = a.coef,
				y = b.coef;
	int			e;

	/* both come from read_number: exponents within [-18, 0] */
	for (e = a.exp; e > b.exp; e--)
		x *= 10;
	for (e = b.exp; e > a.exp; e--)
		y *= 10;
	return x < y ? -1 : x > y;
}

/* ---------------------------------------------------------------- clauses */

/*
 * A label names what a clause measures (采集率).  One that is itself a
 * comparison (≥≥90%, 以上95%) or a unit (%95, 万元95) is a misreading, and
 * refusing it keeps the canonical text unambiguous: a label never ends
 * where a comparison word could.
 */
static bool
check_label(Reader *r, size_t from, size_t to)
{
	size_t		i;
	char		last = r->norm[to - 1];
	int			u;

	if (last == '+' || last == '-' || last == '=' || last == '<' || last == '>')
		return fail_at(r, IV_ERR_SYNTAX, from, HINT_GENERAL, "a comparison where a label should be");
	for (i = 0; i < iv_n_prefix_words; i++)
	{
		size_t		len = iv_prefix_words[i].len;

		if (to - from >= len && last == iv_prefix_words[i].text[len - 1] &&
			memcmp(r->norm + to - len, iv_prefix_words[i].text, len) == 0)
			return fail_at(r, IV_ERR_SYNTAX, to - len, HINT_GENERAL, "two comparison words");
	}
	for (i = 0; i < iv_n_suffix_words; i++)
		if (to - from == iv_suffix_words[i].len &&
			memcmp(r->norm + from, iv_suffix_words[i].text, iv_suffix_words[i].len) == 0)
			return fail_at(r, IV_ERR_SYNTAX, from, HINT_GENERAL, "a comparison word before the number");
	for (i = from; multiplier_power(r, i, to) >= 0; i += 3)
		;
	u = longest_unit(r, i, to);
	if (last == '%' || AT(r, to - 3, to, "‰") || (u > 0 && i + iv_units[u].len == to))
		return fail_at(r, IV_ERR_SYNTAX, from, HINT_UNIT, "a unit before the number");
	return true;
}

/* 每周2次 is the frequency 2次/周: the period moves from the label to the unit. */
static void
take_period_from_label(const Reader *r, size_t from, size_t *label_end, Scalar *s)
{
	size_t		i;

	if (s->dim != IV_DIM_COUNT || s->per_end > s->per_at)
		return;
	for (i = 1; i < iv_n_units; i++)
	{
		size_t		len = iv_units[i].len,
					at = *label_end - len;

		if ((iv_units[i].flags & IV_UNIT_PERIOD) && *label_end >= from + 3 + len &&
			memcmp(r->norm + at, iv_units[i].name, len) == 0 && AT(r, at - 3, at + len, "每"))
		{
			s->per_at = at;
			s->per_end = *label_end;
			s->dim = IV_DIM_FREQUENCY;
			*label_end = at - 3;
			while (*label_end > from && r->norm[*label_end - 1] == ' ')
				(*label_end)--;
			return;
		}
	}
}

/*
 * One clause in norm[from..to): [label][prefix] scalar [~ scalar] [suffix].
 * A comparison word is a prefix only when a number follows it, so 达标率
 * stays a label while 达95% compares.
 */
static bool
read_clause(Reader *r, size_t from, size_t to, IvClause *c)
{
	size_t		plen = 0,
				p = from,
				num,
				word_from,
				label_end,
				at;
	const IvWord *prefix = NULL,
			   *suffix = NULL;
	Scalar		lo,
				hi;
	bool		range = false;
	uint8_t		cmp;

	memset(c, 0, sizeof(*c));
	from = skip_spaces(r, from, to);
	for (num = from; num < to && !number_starts(r, num, to); num++)
		;
	for (word_from = num; word_from > from && r->norm[word_from - 1] == ' '; word_from--)
		;
	word_from = word_from > from + IV_MAX_WORD ? word_from - IV_MAX_WORD : from;
	for (p = from; p < to; p += u8_len((unsigned char) r->norm[p]))
	{
		if (p == num)
			break;
		if (p < word_from)
			continue;			/* too far from the number to be its comparison */
		prefix = longest_word(r, p, to, iv_prefix_words, iv_n_prefix_words);
		if (prefix && number_starts(r, skip_spaces(r, p + prefix->len, to), to))
			break;
		prefix = NULL;
	}
	if (p >= to)
		return fail_at(r, IV_ERR_SYNTAX, from, HINT_CLAUSES, "no number in this part");
	label_end = p;
	while (label_end > from && r->norm[label_end - 1] == ' ')
		label_end--;
	if (prefix)
		p = skip_spaces(r, p + prefix->len, to);

	at = p;
	if (!read_scalar(r, &p, to, &lo))
		return false;
	if (lo.is_date && lo.year != 0 && lo.month == 0 && !(lo.flags & IV_FLAG_MONTH_END) &&
		period_at(r, skip_spaces(r, p, to), to, &plen))
	{
		/* 2021年全年 is 2021年1月1日~2021年12月31日, 2020年上半年 to 6月30日 */
		const IvPeriod *per = period_at(r, skip_spaces(r, p, to), to, &plen);

		p = skip_spaces(r, p, to) + plen;
		hi = lo;
		lo.month = per->first;
		lo.day = 1;
		hi.month = per->last;
		hi.day = days_in_month(hi.year, hi.month);
		if (!check_date(r, at, &lo) || !check_date(r, at, &hi))
			return false;
		range = true;
	}
	else
	{
		size_t		q = skip_spaces(r, p, to),
					seplen = 0;

		if (q < to && (r->norm[q] == '-' || r->norm[q] == '~'))
			seplen = 1;
		else if (AT(r, q, to, "—") || AT(r, q, to, "至") || AT(r, q, to, "到"))
			seplen = 3;
		if (seplen && number_starts(r, skip_spaces(r, q + seplen, to), to))
		{
			p = skip_spaces(r, q + seplen, to);
			if (!read_scalar(r, &p, to, &hi))
				return false;
			range = true;
		}
	}
	if (range)
	{
		/* 1-12月: a bare month number before a month */
		if (hi.is_date && !lo.is_date && lo.is_int && lo.unit == 0 && lo.mult == 0 &&
			lo.value.coef >= 1 && lo.value.coef <= 12 && hi.month > 0 && hi.day == 0)
		{
			lo.month = (int) lo.value.coef;
			lo.year = hi.year;
			if (!check_date(r, at, &lo))
				return false;
		}
		if (lo.is_date && hi.is_date)
		{
			if (hi.year == 0 && lo.year != 0)
			{
				hi.year = lo.year;
				if (!check_date(r, at, &hi))
					return false;
			}
			else if (lo.year == 0 && hi.year != 0)
			{
				lo.year = hi.year;
				if (!check_date(r, at, &lo))
					return false;
			}
		}
		else if (lo.is_date || hi.is_date)
			return fail_at(r, IV_ERR_SYNTAX, at, HINT_RANGE, "a range of a date and a number");
		else if (lo.unit == 0 && lo.mult_end == lo.mult_at)
			take_unit(&lo, &hi);
		else if (!same_unit(r, &lo, &hi))
			return fail_at(r, IV_ERR_SYNTAX, at, HINT_RANGE, "range bounds in different units");
		if (decimal_cmp(lo.value, hi.value) > 0)
			return fail_at(r, IV_ERR_SYNTAX, at, HINT_RANGE, "range lower bound above its upper bound");
	}

	/* suffix comparison: 以上, 以内, 左右; after a date 前/后 and 完成 */
	p = skip_spaces(r, p, to);
	suffix = longest_word(r, p, to, iv_suffix_words, iv_n_suffix_words);
	if (lo.is_date)
	{
		const IvWord *ds = longest_word(r, p, to, iv_date_suffix_words, iv_n_date_suffix_words);

		if (ds && (!suffix || ds->len > suffix->len))
			suffix = ds;
	}
	if (suffix)
		p = skip_spaces(r, p + suffix->len, to);
	if (lo.is_date && (AT(r, p, to, "完成") || AT(r, p, to, "完工") || AT(r, p, to, "办结")))
	{
		p = skip_spaces(r, p + 6, to);
		if (!suffix && (!prefix || prefix->weak))
			prefix = &iv_date_suffix_words[0];	/* a deadline: ≤ */
	}
	if (p < to)
		return fail_at(r, IV_ERR_SYNTAX, p, lo.unit || lo.is_date ? HINT_GENERAL : HINT_UNIT,
					   lo.unit || lo.is_date || lo.mult ? "unexpected text after the value" : "unknown unit");

	if (prefix && suffix && prefix->cmp != suffix->cmp && !prefix->weak)
		return fail_at(r, IV_ERR_SYNTAX, at, HINT_GENERAL, "conflicting comparison words");
	cmp = suffix ? suffix->cmp : prefix ? prefix->cmp : IV_CMP_EQ;
	if (range)
	{
		/* "=3-5" is the range itself; 达/控制在 add nothing to it */
		if ((prefix && !prefix->weak && prefix->cmp != IV_CMP_EQ) || suffix)
			return fail_at(r, IV_ERR_SYNTAX, at, HINT_RANGE, "a range takes no comparison word");
		cmp = IV_CMP_RANGE;
	}

	/* fill the clause and write its canonical text */
	if (!range)
		take_period_from_label(r, from, &label_end, &lo);
	c->cmp = cmp;
	c->dim = lo.dim;
	c->unit = lo.unit;
	c->mult = lo.mult;
	c->mult_len = (uint8_t) (lo.mult_end - lo.mult_at);
	c->flags = lo.flags;
	c->value = lo.value;
	if (range)
	{
		c->upper = hi.value;
		c->flags |= hi.flags;
	}
	if (label_end > from)
	{
		if (!check_label(r, from, label_end))
			return false;
		c->label_off = (uint16_t) r->olen;
		if (!emit_original(r, from, label_end))
			return false;
		c->label_len = (uint16_t) (r->olen - c->label_off);
	}
	if (cmp != IV_CMP_EQ && cmp != IV_CMP_RANGE &&
		!emit(r, iv_cmp_symbol(cmp), strlen(iv_cmp_symbol(cmp))))
		return false;
	if (range)
	{
		if (!emit_scalar(r, &lo, lo.is_date, c) || !EMIT(r, "~") ||
			!emit_scalar(r, &hi, true, c))
			return false;
	}
	else if (!emit_scalar(r, &lo, true, c))
		return false;
	return true;
}

/* -------------------------------------------------------------- the value */

/*
 * Text with no digit that is only a comparison, a unit or both (≥, ≥%,
 * ≤万元, 万元, 以上) lost its number: refused, at where the number belongs.
 * A count or duration word alone or with 内 (年内, 人次) stays qualitative.
 */
static bool
check_lost_number(Reader *r, size_t from, size_t to)
{
	const IvWord *prefix = longest_word(r, from, to, iv_prefix_words, iv_n_prefix_words),
			   *suffix;
	size_t		p = from,
				num_at;
	bool		mult = false;
	int			u;

	if (prefix)
		p = skip_spaces(r, p + prefix->len, to);
	num_at = p;
	while (multiplier_power(r, p, to) >= 0)
	{
		p += 3;
		mult = true;
	}
	u = longest_unit(r, p, to);
	if (u > 0)
	{
		p += iv_units[u].len;
		if (p < to && r->norm[p] == '/')
		{
			int			per = longest_unit(r, p + 1, to);

			if (per > 0)
				p += 1 + iv_units[per].len;
		}
	}
	p = skip_spaces(r, p, to);
	suffix = longest_word(r, p, to, iv_suffix_words, iv_n_suffix_words);
	if (suffix)
		p += suffix->len;
	if (p != to || !(prefix || mult || (u > 0 && iv_units[u].dim == IV_DIM_RATIO) ||
					 (suffix && u <= 0)))
		return true;
	return fail_at(r, IV_ERR_SYNTAX, num_at, HINT_LOST_NUMBER,
				   u > 0 || mult ? "a unit with no number" : "a comparison with no number");
}

static bool
has_digit(const Reader *r, size_t from, size_t to)
{
	size_t		i;

	for (i = from; i < to; i++)
		if (r->norm[i] >= '0' && r->norm[i] <= '9')
			return true;
	return false;
}

static bool
equals_text(const Reader *r, size_t from, size_t to, const char *w)
{
	size_t		len = strlen(w);

	return to - from == len && memcmp(r->norm + from, w, len) == 0;
}

/*
 * Clauses separated by ，；、: a part with no number joins the next label.
 * The canonical separator is ； since ， between digits is a thousands mark.
 */
static bool
read_clauses(Reader *r, size_t from, size_t to, IvValue *v)
{
	size_t		p = from,
				start = from;
	bool		digit = false;

	v->nclauses = 0;
	while (p <= to)
	{
		unsigned char c = p < to ? (unsigned char) r->norm[p] : 0;
		/* only these bytes can start a separator: , ; ! ? 、 。 */
		size_t		sep = (c == ',' || c == ';' || c == '!' || c == '?' || c == 0xE3) ?
			separator_len(r, p, to) : 0;

		if (p == to || sep > 0)
		{
			if (digit)
			{
				if (v->nclauses == IV_MAX_CLAUSES)
					return fail_at(r, IV_ERR_SYNTAX, start, HINT_CLAUSES, "more than 16 clauses");
				if (v->nclauses > 0 && !EMIT(r, "；"))
					return false;
				if (!read_clause(r, start, p, &v->clauses[v->nclauses]))
					return false;
				v->nclauses++;
				start = p + sep;
				digit = false;
			}
			else if (skip_spaces(r, start, p) == p)
				start = p + sep;	/* an empty part: 1；；2 */
			if (p == to)
				break;
			p += sep;
		}
		else
		{
			digit |= c >= '0' && c <= '9';
			p += u8_len(c);
		}
	}
	if (skip_spaces(r, start, to) < to)
		return fail_at(r, IV_ERR_SYNTAX, skip_spaces(r, start, to), HINT_CLAUSES,
					   "no number in this part");
	return true;
}

static bool
is_trailing_punct(const Reader *r, size_t end, size_t *len)
{
	char		c = r->norm[end - 1];

	if (c == ' ' || c == '.' || c == ';' || c == ',' || c == '!' || c == '?')
	{
		*len = 1;
		return true;
	}
	if (end >= 3 && (memcmp(r->norm + end - 3, "。", 3) == 0 ||
					 memcmp(r->norm + end - 3, "、", 3) == 0))
	{
		*len = 3;
		return true;
	}
	return false;
}

size_t
iv_text_capacity(size_t len)
{
	return 2 * len + 64;
}

bool
iv_parse(const char *in, size_t len, IvValue *out, char *buf, size_t cap, IvError *err)
{
	Reader		r;
	size_t		from,
				to,
				i,
				plen;
	bool		digits;

	/* only what a caller may read is reset: clauses are zeroed as read */
	err->status = IV_OK;
	err->offset = err->char_offset = 0;
	err->detail[0] = '\0';
	err->hint = NULL;
	out->kind = 0;
	out->nclauses = 0;
	out->text_len = 0;
	r.in = in;
	r.in_len = len;
	r.out = buf;
	r.cap = cap;
	r.olen = 0;
	r.err = err;
	r.n = 0;
	if (len > IV_MAX_INPUT)
	{
		err->status = IV_ERR_TOO_LONG;
		err->offset = IV_MAX_INPUT;
		err->hint = "An indicator value is a short phrase; keep long explanations in their own column.";
		snprintf(err->detail, sizeof(err->detail), "input is %zu bytes, more than %d",
				 len, IV_MAX_INPUT);
		return false;
	}
	if (!normalise(&r))
		return false;

	from = 0;
	while (from < r.n && (r.norm[from] == ' ' || separator_len(&r, from, r.n) > 0))
		from += u8_len((unsigned char) r.norm[from]);
	to = r.n;
	while (to > from && is_trailing_punct(&r, to, &plen))
		to -= plen;
	out->text = buf;

	if (to == from)
	{
		out->kind = IV_KIND_EMPTY;
		if (!EMIT(&r, IV_EMPTY_TEXT))
			return false;
		goto done;
	}
	{
		/*
		 * a period alone, 上半年: the months it spans, as 1-6月 reads (looked
		 * up only after an ideograph: ≥90% and 95% are not periods)
		 */
		const IvPeriod *per = (unsigned char) r.norm[from] >= 0xE4 ?
			period_at(&r, from, to, &plen) : NULL;

		if (per && from + plen == to)
		{
			char		months[16];
			int			n = snprintf(months, sizeof(months), "%d月~%d月", per->first, per->last);

			return iv_parse(months, (size_t) n, out, buf, cap, err);
		}
	}
	digits = has_digit(&r, from, to);
	for (i = 0; !digits && i < iv_n_placeholders; i++)
		if (equals_text(&r, from, to, iv_placeholders[i]))
		{
			out->kind = IV_KIND_EMPTY;
			if (!EMIT(&r, IV_EMPTY_TEXT))
				return false;
			goto done;
		}
	if (!digits && equals_text(&r, from, to, IV_NOT_APPLICABLE_TEXT))
	{
		out->kind = IV_KIND_NOT_APPLICABLE;
		if (!EMIT(&r, IV_NOT_APPLICABLE_TEXT))
			return false;
		goto done;
	}
	for (i = 0; !digits && i < iv_n_claim_words; i++)
		if (equals_text(&r, from, to, iv_claim_words[i]))
		{
			out->kind = IV_KIND_CLAIM;
			if (!emit(&r, iv_claim_words[i], strlen(iv_claim_words[i])))
				return false;
			goto done;
		}
	for (i = 0; digits && r.norm[from] == iv_claim_prefixes[0][0] && i < iv_n_claim_prefixes; i++)
	{
		size_t		wlen = strlen(iv_claim_prefixes[i]);

		if (at_text(&r, from, to, iv_claim_prefixes[i], wlen) &&
			(compared_number_starts(&r, from + wlen, to) || period_number_starts(&r, from + wlen, to)))
		{
			out->kind = IV_KIND_CLAIM;
			if (!emit(&r, iv_claim_prefixes[i], wlen) ||
				!read_clauses(&r, from + wlen, to, out))
				return false;
			goto done;
		}
	}
	if (!digits && !check_lost_number(&r, from, to))
		return false;
	if (!digits)
	{
		out->kind = IV_KIND_QUALITATIVE;
		if (!emit_original(&r, from, to))
			return false;
		goto done;
	}
	out->kind = IV_KIND_QUANTITY;
	if (!read_clauses(&r, from, to, out))
		return false;

done:
	if (r.olen > UINT16_MAX)
		return fail_at(&r, IV_ERR_TOO_LONG, r.n, HINT_GENERAL, "canonical text too long");
	out->text_len = (uint16_t) r.olen;
	return true;
}
