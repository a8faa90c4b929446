/*
 * numfmt.c - spreadsheet number formats over exact decimals (numfmt.h).
 *
 * A number is read from its stored text into digits and a power of ten
 * (never a double), scaled by the format (%, trailing commas), rounded half
 * away from zero, and printed placeholder by placeholder.  A format is read
 * one section at a time into a short token list on the stack.
 */
#include "numfmt.h"

#include <string.h>

#define DEC_MAX 80				/* significant digits kept (stored values have 17) */
#define EXP_MAX 400				/* |power of ten| accepted (doubles end at 1E308) */
#define TOK_MAX 96				/* tokens in one format section */
#define FRAC_MAX 30				/* decimals a format may ask for */
#define BUF_MAX (DEC_MAX + EXP_MAX + FRAC_MAX + 16)

/* value = digits (most significant first, no leading zero; n = 0 for zero) x 10^exp */
typedef struct Dec
{
	bool		neg;
	int			n;
	int			exp;
	char		d[DEC_MAX + 8];
} Dec;

/* ------------------------------------------------------------ decimals */

static bool
dec_parse(const char *s, size_t len, Dec *v)
{
	size_t		i = 0;
	bool		any = false,
				dot = false;
	int			dropped = 0;

	memset(v, 0, sizeof(*v));
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		v->neg = s[i++] == '-';
	for (; i < len; i++)
	{
		char		c = s[i];

		if (c >= '0' && c <= '9')
		{
			any = true;
			if (v->n == 0 && c == '0')
			{
				if (dot)
					v->exp--;
				continue;
			}
			if (v->n < DEC_MAX)
			{
				v->d[v->n++] = c;
				if (dot)
					v->exp--;
			}
			else if (!dot)
				dropped++;		/* beyond DEC_MAX digits: refused below */
			else if (c != '0')
				return false;
		}
		else if (c == '.' && !dot)
			dot = true;
		else
			break;
	}
	if (!any || dropped)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		bool		eneg = false,
					edig = false;
		int			e = 0;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			edig = true;
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		}
		if (!edig)
			return false;
		v->exp += eneg ? -e : e;
	}
	if (i != len)
		return false;
	if (v->n == 0)
	{
		v->exp = 0;
		v->neg = false;
		return true;
	}
	while (v->n > 0 && v->d[v->n - 1] == '0')
	{
		v->n--;
		v->exp++;
	}
	return v->exp + v->n <= EXP_MAX && v->exp >= -EXP_MAX - DEC_MAX;
}

static void
dec_trim(Dec *v)
{
	while (v->n > 0 && v->d[v->n - 1] == '0')
	{
		v->n--;
		v->exp++;
	}
	if (v->n == 0)
		v->exp = 0;
}

/* Rounds half away from zero to k decimals (k may be negative). */
static void
dec_round(Dec *v, int k)
{
	int			drop = -k - v->exp;
	bool		up;
	int			i;

	if (drop <= 0 || v->n == 0)
		return;
	if (drop > v->n)
	{
		v->n = 0;
		v->exp = 0;
		return;
	}
	up = v->d[v->n - drop] >= '5';
	v->n -= drop;
	v->exp += drop;
	if (up)
	{
		for (i = v->n - 1; i >= 0; i--)
		{
			if (v->d[i] == '9')
				v->d[i] = '0';
			else
			{
				v->d[i]++;
				break;
			}
		}
		if (i < 0)
		{
			memmove(v->d + 1, v->d, v->n);
			v->d[0] = '1';
			v->n++;
		}
	}
	dec_trim(v);
}

/* Multiplies by a small factor (exactly). */
static bool
dec_mul(Dec *v, unsigned m)
{
	char		r[DEC_MAX + 8];
	unsigned long carry = 0;
	int			i,
				k = sizeof(r);

	for (i = v->n - 1; i >= 0; i--)
	{
		carry += (unsigned long) (v->d[i] - '0') * m;
		r[--k] = (char) ('0' + carry % 10);
		carry /= 10;
	}
	while (carry)
	{
		if (k == 0)
			return false;
		r[--k] = (char) ('0' + carry % 10);
		carry /= 10;
	}
	if ((int) sizeof(r) - k > DEC_MAX + 4)
		return false;
	v->n = (int) sizeof(r) - k;
	memcpy(v->d, r + k, v->n);
	dec_trim(v);
	return true;
}

/*
 * The value rounded to k >= 0 decimals as integer digits ("" for 0) and
 * exactly k fraction digits.
 */
static bool
dec_fixed(const Dec *in, int k, char *ip, size_t ipsz, char *fp)
{
	Dec			v = *in;
	char		all[BUF_MAX];
	int			len = 0,
				i,
				zeros;

	dec_round(&v, k);
	zeros = v.exp + k;			/* >= 0 after rounding */
	if (v.n + zeros + k + 2 > (int) sizeof(all))
		return false;
	for (i = 0; i < k; i++)
		all[len++] = '0';		/* room for a value below 10^-k... */
	memcpy(all + len, v.d, v.n);
	len += v.n;
	for (i = 0; i < zeros; i++)
		all[len++] = '0';
	/* all = k zeros, then N = value x 10^k */
	{
		const char *s = all;
		int			slen = len;

		while (slen > k + 1 && s[0] == '0')
		{
			s++;
			slen--;
		}
		/* s has at least k+1 digits: integer part, then k decimals */
		if ((size_t) (slen - k) >= ipsz)
			return false;
		if (slen - k == 1 && s[0] == '0')
			ip[0] = '\0';
		else
		{
			memcpy(ip, s, slen - k);
			ip[slen - k] = '\0';
		}
		memcpy(fp, s + slen - k, k);
		fp[k] = '\0';
	}
	return true;
}

/* ------------------------------------------------------------ output */

typedef struct Out
{
	char	   *p;
	size_t		len,
				sz;
	bool		ok;
} Out;

static void
put(Out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (!o->ok || o->len + n + 1 > o->sz)
	{
		o->ok = false;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
puts_(Out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_int(Out *o, long v, int width)
{
	char		b[24];
	int			k = sizeof(b);

	if (v < 0)
		v = 0;
	do
	{
		b[--k] = (char) ('0' + v % 10);
		v /= 10;
		width--;
	} while (v > 0);
	while (width-- > 0 && k > 0)
		b[--k] = '0';
	put(o, b + k, sizeof(b) - k);
}

/* General: at most 15 significant digits, no trailing zeros; plain from 1E-9 to below 1E15. */
static void
put_general(Out *o, const Dec *in)
{
	Dec			v = *in;
	int			lead,
				i;

	if (v.n > 15)
		dec_round(&v, -(v.exp + v.n - 15));
	if (v.n == 0)
	{
		puts_(o, "0");
		return;
	}
	lead = v.exp + v.n - 1;		/* power of ten of the first digit */
	if (lead >= 15 || lead < -9)
	{
		put(o, v.d, 1);
		if (v.n > 1)
		{
			puts_(o, ".");
			put(o, v.d + 1, v.n - 1);
		}
		puts_(o, lead < 0 ? "E-" : "E+");
		put_int(o, lead < 0 ? -lead : lead, 2);
		return;
	}
	if (lead < 0)
	{
		puts_(o, "0.");
		for (i = -1; i > lead; i--)
			puts_(o, "0");
		put(o, v.d, v.n);
	}
	else if (v.exp >= 0)
	{
		put(o, v.d, v.n);
		for (i = 0; i < v.exp; i++)
			puts_(o, "0");
	}
	else
	{
		put(o, v.d, v.n + v.exp);
		puts_(o, ".");
		put(o, v.d + v.n + v.exp, -v.exp);
	}
}

/* ------------------------------------------------------------ format tokens */

typedef enum TokKind
{
	T_LIT, T_DIG, T_DOT, T_COMMA, T_PCT, T_EXP, T_GEN, T_AT, T_DATE, T_AMPM
} TokKind;

typedef struct Tok
{
	TokKind		kind;
	char		c;				/* T_DIG: 0 # ?; T_EXP: + -; T_DATE: y m d h s (lower) */
	int			count;			/* T_DATE: run length */
	bool		elapsed;		/* T_DATE: [h] [m] [s] */
	int			ampm;			/* T_AMPM: 1 AM/PM, 2 am/pm, 3 A/P, 4 a/p, 5 上午/下午 */
	const char *s;				/* T_LIT */
	size_t		len;
	bool		minute;			/* T_DATE m: minutes, not months */
} Tok;

/* The byte after the character at s (a UTF-8 sequence), never past a NUL or end. */
static const char *
char_end(const char *s, const char *end)
{
	if (s >= end || *s == '\0')
		return s;
	s++;
	while (s < end && (*s & 0xC0) == 0x80)
		s++;
	return s;
}

static bool
ieq(const char *s, size_t len, const char *word)
{
	size_t		n = strlen(word),
				i;

	if (len < n)
		return false;
	for (i = 0; i < n; i++)
	{
		char		a = s[i],
					b = word[i];

		if (a >= 'A' && a <= 'Z')
			a = (char) (a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* The end of the section that starts at s (at a ; outside quotes, escapes and brackets). */
static const char *
section_end(const char *s)
{
	while (*s && *s != ';')
	{
		if (*s == '"')
		{
			s++;
			while (*s && *s != '"')
				s++;
			if (*s)
				s++;
		}
		else if (*s == '\\' || *s == '_' || *s == '*')
			s = char_end(s + 1, s + 1 + strlen(s + 1));
		else if (*s == '[')
		{
			while (*s && *s != ']')
				s++;
			if (*s)
				s++;
		}
		else
			s++;
	}
	return s;
}

static bool
add(Tok *t, int *n, Tok x)
{
	if (*n >= TOK_MAX)
		return false;
	t[(*n)++] = x;
	return true;
}

static bool
tokenize(const char *s, const char *end, Tok *t, int *nt)
{
	*nt = 0;
	while (s < end)
	{
		Tok			x;
		char		c = *s;
		char		lc = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;

		memset(&x, 0, sizeof(x));
		x.kind = T_LIT;
		if (c == '"')
		{
			const char *q = s + 1;

			while (q < end && *q != '"')
				q++;
			x.s = s + 1;
			x.len = q - s - 1;
			s = q < end ? q + 1 : q;
		}
		else if (c == '\\' && s + 1 < end)
		{
			x.s = s + 1;
			s = char_end(x.s, end);
			x.len = s - x.s;
		}
		else if (c == '_' || c == '*')
		{
			/* _x: the width of x (a space); *x: fill with x (nothing) */
			x.s = " ";
			x.len = c == '_' ? 1 : 0;
			s = char_end(s + 1, end);
		}
		else if (c == '[')
		{
			const char *q = s + 1;

			while (q < end && *q != ']')
				q++;
			if (q > s + 1 && (s[1] == 'h' || s[1] == 'H' || s[1] == 'm' || s[1] == 'M' || s[1] == 's' || s[1] == 'S'))
			{
				const char *r = s + 1;

				while (r < q && (*r == s[1] || *r == (s[1] ^ 0x20)))
					r++;
				if (r == q)
				{
					x.kind = T_DATE;
					x.c = (char) (s[1] | 0x20);
					x.count = (int) (q - s - 1);
					x.elapsed = true;
				}
			}
			else if (q > s + 1 && s[1] == '$')
			{
				/* [$¥-804]: the currency text before the locale */
				const char *r = s + 2;

				while (r < q && *r != '-')
					r++;
				x.s = s + 2;
				x.len = r - (s + 2);
			}
			if (x.kind == T_LIT && x.s == NULL)
				x.len = 0;		/* a colour, a condition, a locale: nothing shown */
			s = q < end ? q + 1 : q;
		}
		else if (ieq(s, end - s, "general"))
		{
			x.kind = T_GEN;
			s += 7;
		}
		else if (c == '0' || c == '#' || c == '?')
		{
			x.kind = T_DIG;
			x.c = c;
			s++;
		}
		else if (c == '.')
		{
			x.kind = T_DOT;
			s++;
		}
		else if (c == ',')
		{
			x.kind = T_COMMA;
			s++;
		}
		else if (c == '%')
		{
			x.kind = T_PCT;
			x.s = "%";
			x.len = 1;
			s++;
		}
		else if ((c == 'E' || c == 'e') && s + 1 < end && (s[1] == '+' || s[1] == '-'))
		{
			x.kind = T_EXP;
			x.c = s[1];
			s += 2;
		}
		else if (c == '@')
		{
			x.kind = T_AT;
			s++;
		}
		else if ((size_t) (end - s) >= 5 && (memcmp(s, "AM/PM", 5) == 0 || memcmp(s, "am/pm", 5) == 0))
		{
			x.kind = T_AMPM;
			x.ampm = s[0] == 'A' ? 1 : 2;
			s += 5;
		}
		else if ((size_t) (end - s) >= 3 && (memcmp(s, "A/P", 3) == 0 || memcmp(s, "a/p", 3) == 0))
		{
			x.kind = T_AMPM;
			x.ampm = s[0] == 'A' ? 3 : 4;
			s += 3;
		}
		else if ((size_t) (end - s) >= 13 && memcmp(s, "上午/下午", 13) == 0)
		{
			x.kind = T_AMPM;
			x.ampm = 5;
			s += 13;
		}
		else if (lc == 'y' || lc == 'm' || lc == 'd' || lc == 'h' || lc == 's')
		{
			x.kind = T_DATE;
			x.c = lc;
			while (s < end && (*s == lc || *s == (lc ^ 0x20)))
			{
				x.count++;
				s++;
			}
		}
		else
		{
			x.s = s;
			s = char_end(s, end);
			x.len = s - x.s;
		}
		if (!add(t, nt, x))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ dates */

/* The civil date of a count of days since 1970-01-01 (proleptic Gregorian). */
static void
civil(long z, long *y, int *m, int *d)
{
	long		era,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const day_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
};

static bool
render_date(const Dec *v, Tok *t, int nt, bool date1904, Out *o)
{
	Dec			frac;
	long		days = 0,
				secs,
				y,
				h,
				mi,
				se;
	int			m,
				d,
				wday,
				i,
				k;
	bool		ampm = false;

	/* 0 to 9999-12-31 (serial 2958465 in the 1900 system), as the spreadsheet does */
	if (v->neg || v->exp + v->n > 7)
		return false;
	frac = *v;
	for (i = 0; i < v->n + v->exp; i++)
		days = days * 10 + (i < v->n ? v->d[i] - '0' : 0);
	if (frac.exp < 0)
	{
		int			ilen = frac.n + frac.exp;	/* integer digits among d */

		if (ilen > 0)
		{
			memmove(frac.d, frac.d + ilen, frac.n - ilen);
			frac.n -= ilen;
		}
		while (frac.n > 0 && frac.d[0] == '0')
		{
			memmove(frac.d, frac.d + 1, frac.n - 1);
			frac.n--;
		}
		if (!dec_mul(&frac, 86400))
			return false;
		dec_round(&frac, 0);
		secs = 0;
		for (i = 0; i < frac.n + frac.exp; i++)
			secs = secs * 10 + (i < frac.n ? frac.d[i] - '0' : 0);
	}
	else
		secs = 0;
	if (secs >= 86400)
	{
		days++;
		secs -= 86400;
	}
	if (days > (date1904 ? 2957003L : 2958465L))
		return false;
	/* days since 1970-01-01 */
	if (date1904)
		civil(days - 24107, &y, &m, &d);
	else if (days == 0)
	{
		y = 1900;
		m = 1;
		d = 0;
	}
	else if (days == 60)
	{
		y = 1900;				/* the 1900 system's 29 February 1900 */
		m = 2;
		d = 29;
	}
	else
		civil(days - (days < 60 ? 25568 : 25569), &y, &m, &d);
	wday = (int) (((days - (date1904 ? -1462 : 0)) % 7 + 6) % 7);
	h = secs / 3600;
	mi = secs / 60 % 60;
	se = secs % 60;

	for (i = 0; i < nt; i++)
		if (t[i].kind == T_AMPM)
			ampm = true;
	/* m after h or before s is minutes */
	for (i = 0; i < nt; i++)
	{
		int			j;

		if (t[i].kind != T_DATE || t[i].c != 'm' || t[i].elapsed || t[i].count > 2)
			continue;
		for (j = i - 1; j >= 0 && t[j].kind != T_DATE; j--)
			;
		if (j >= 0 && t[j].c == 'h')
		{
			t[i].minute = true;
			continue;
		}
		for (j = i + 1; j < nt && t[j].kind != T_DATE; j++)
			;
		if (j < nt && t[j].c == 's')
			t[i].minute = true;
	}
	for (i = 0; i < nt; i++)
	{
		const Tok  *x = &t[i];

		switch (x->kind)
		{
			case T_DATE:
				k = x->count;
				if (x->elapsed)
					put_int(o, x->c == 'h' ? days * 24 + h : x->c == 'm' ? (days * 24 + h) * 60 + mi
							: ((days * 24 + h) * 60 + mi) * 60 + se, k);
				else if (x->c == 'y')
					k <= 2 ? put_int(o, y % 100, 2) : put_int(o, y, 4);
				else if (x->c == 'm' && x->minute)
					put_int(o, mi, k >= 2 ? 2 : 1);
				else if (x->c == 'm')
				{
					if (k <= 2)
						put_int(o, m, k);
					else if (k == 3)
						put(o, month_names[m - 1], 3);
					else if (k == 4)
						puts_(o, month_names[m - 1]);
					else
						put(o, month_names[m - 1], 1);
				}
				else if (x->c == 'd')
				{
					if (k <= 2)
						put_int(o, d, k);
					else if (k == 3)
						put(o, day_names[wday], 3);
					else
						puts_(o, day_names[wday]);
				}
				else if (x->c == 'h')
					put_int(o, ampm ? (h % 12 == 0 ? 12 : h % 12) : h, k >= 2 ? 2 : 1);
				else
					put_int(o, se, k >= 2 ? 2 : 1);
				break;
			case T_AMPM:
				if (x->ampm == 5)
					puts_(o, h < 12 ? "上午" : "下午");
				else
				{
					const char *a[] = {"", "AM", "am", "A", "a"};
					const char *p[] = {"", "PM", "pm", "P", "p"};

					puts_(o, h < 12 ? a[x->ampm] : p[x->ampm]);
				}
				break;
			case T_DIG:
				put(o, &x->c, 1);
				break;
			case T_DOT:
				puts_(o, ".");
				break;
			case T_COMMA:
				puts_(o, ",");
				break;
			case T_GEN:
			case T_AT:
			case T_EXP:
				break;
			default:
				put(o, x->s, x->len);
				break;
		}
	}
	return true;
}

/* ------------------------------------------------------------ numbers */

static void
put_grouped(Out *o, const char *digits, bool group)
{
	size_t		n = strlen(digits),
				i;

	for (i = 0; i < n; i++)
	{
		put(o, digits + i, 1);
		if (group && i + 1 < n && (n - i - 1) % 3 == 0)
			puts_(o, ",");
	}
}

static bool
render_number(const Dec *in, bool minus, const Tok *t, int nt, Out *o)
{
	Dec			v = *in;
	int			i,
				first_int = -1,
				dot = -1,
				exp = -1,
				nint = 0,
				nint_zero = 0,
				nfrac = 0,
				nexp = 0,
				last_int = -1,
				scale = 0,
				e10 = 0,
				fi = 0,
				ei = 0;
	bool		group = false,
				gen = false;
	char		ip[BUF_MAX],
				fp[FRAC_MAX + 2],
				eb[16];

	v.neg = false;
	for (i = 0; i < nt; i++)
	{
		if (t[i].kind == T_GEN)
			gen = true;
		else if (t[i].kind == T_PCT)
			v.exp += 2;
		else if (t[i].kind == T_DOT && dot < 0 && exp < 0)
			dot = i;
		else if (t[i].kind == T_EXP && exp < 0)
			exp = i;
		else if (t[i].kind == T_DIG)
		{
			if (exp >= 0)
				nexp++;
			else if (dot >= 0)
				nfrac++;
			else
			{
				if (first_int < 0)
					first_int = i;
				last_int = i;
				nint++;
				if (t[i].c != '#')
					nint_zero++;
			}
		}
	}
	/* commas among the integer placeholders group; right after them, divide by 1000 */
	for (i = 0; i < nt; i++)
	{
		if (t[i].kind != T_COMMA || first_int < 0)
			continue;
		if (i > first_int && i < last_int && (dot < 0 || i < dot) && (exp < 0 || i < exp))
			group = true;
		else if (i > last_int && (dot < 0 || i < dot) && (exp < 0 || i < exp))
		{
			int			j;

			for (j = last_int + 1; j < i && (t[j].kind == T_COMMA); j++)
				;
			if (j == i)
				scale++;
		}
	}
	v.exp -= 3 * scale;
	if (nfrac > FRAC_MAX)
		nfrac = FRAC_MAX;
	if (gen && first_int < 0)
	{
		/* General with text around it */
		if (minus && v.n)
			puts_(o, "-");
		for (i = 0; i < nt; i++)
		{
			if (t[i].kind == T_GEN)
				put_general(o, &v);
			else if (t[i].kind == T_LIT || t[i].kind == T_PCT)
				put(o, t[i].s, t[i].len);
		}
		return true;
	}
	if (exp >= 0 && v.n > 0)
	{
		/* one integer digit (or as many as the placeholders) before the point */
		int			lead = v.exp + v.n - 1;
		int			want = nint > 0 ? nint : 1;

		e10 = lead - (want - 1);
		v.exp -= e10;
		dec_round(&v, nfrac);
		if (v.exp + v.n - 1 >= want)
		{
			v.exp--;
			e10++;
		}
	}
	if (!dec_fixed(&v, nfrac, ip, sizeof(ip), fp))
		return false;
	if (minus && (ip[0] || strspn(fp, "0") != strlen(fp)))
		puts_(o, "-");
	{
		int			ae = e10 < 0 ? -e10 : e10,
					k = 0;
		char		tmp[16];

		do
		{
			tmp[k++] = (char) ('0' + ae % 10);
			ae /= 10;
		} while (ae);
		while (k < nexp && k < 10)
			tmp[k++] = '0';
		for (i = 0; i < k; i++)
			eb[i] = tmp[k - 1 - i];
		eb[k] = '\0';
	}
	for (i = 0; i < nt; i++)
	{
		const Tok  *x = &t[i];

		switch (x->kind)
		{
			case T_DIG:
				if (exp >= 0 && i > exp)
				{
					/* exponent digits: all of them at the first placeholder */
					if (ei++ == 0)
						puts_(o, eb);
				}
				else if (dot >= 0 && i > dot)
				{
					/* placeholders beyond FRAC_MAX show zeros */
					char		c = fi < nfrac ? fp[fi] : '0';
					bool		rest_zero = fi >= nfrac || strspn(fp + fi, "0") == strlen(fp + fi);

					fi++;
					if (rest_zero && x->c == '#')
						break;
					if (rest_zero && x->c == '?')
						c = ' ';
					put(o, &c, 1);
				}
				else if (i == first_int)
				{
					/* placeholders beyond the digits: 0 shows 0, ? a space, # nothing */
					char		digits[BUF_MAX];
					size_t		len = strlen(ip),
								pad = 0,
								k = 0;
					int			j;

					if ((size_t) nint_zero > len)
						pad = nint_zero - len;
					if (pad + len + 1 > sizeof(digits))
						return false;
					for (j = first_int; j <= last_int && k < pad; j++)
						if (t[j].kind == T_DIG && t[j].c != '#')
							digits[k++] = t[j].c == '0' ? '0' : ' ';
					memcpy(digits + k, ip, len + 1);
					put_grouped(o, digits, group);
				}
				break;
			case T_DOT:
				if (i == dot)
				{
					if (first_int < 0 && ip[0])
						put_grouped(o, ip, false);
					puts_(o, ".");
				}
				else
					puts_(o, ".");
				break;
			case T_EXP:
				if (i == exp)
				{
					puts_(o, "E");
					if (e10 < 0)
						puts_(o, "-");
					else if (x->c == '+')
						puts_(o, "+");
				}
				break;
			case T_GEN:
				put_general(o, &v);
				break;
			case T_COMMA:
				if (first_int < 0)
					puts_(o, ",");
				break;
			case T_DATE:
			case T_AMPM:
			case T_AT:
				break;
			default:
				put(o, x->s, x->len);
				break;
		}
	}
	return true;
}

/* ------------------------------------------------------------ entry points */

const char *
pj_numfmt_builtin(int id)
{
	switch (id)
	{
		case 1: return "0";
		case 2: return "0.00";
		case 3: return "#,##0";
		case 4: return "#,##0.00";
		case 5: return "\"¥\"#,##0;\"¥\"-#,##0";
		case 6: return "\"¥\"#,##0;[Red]\"¥\"-#,##0";
		case 7: return "\"¥\"#,##0.00;\"¥\"-#,##0.00";
		case 8: return "\"¥\"#,##0.00;[Red]\"¥\"-#,##0.00";
		case 9: return "0%";
		case 10: return "0.00%";
		case 11: return "0.00E+00";
		case 12: return "# ?/?";
		case 13: return "# ?\?/??";
		case 14: return "yyyy-mm-dd";	/* the system's short date: ISO 8601 here */
		case 15: return "d-mmm-yy";
		case 16: return "d-mmm";
		case 17: return "mmm-yy";
		case 18: return "h:mm AM/PM";
		case 19: return "h:mm:ss AM/PM";
		case 20: return "h:mm";
		case 21: return "h:mm:ss";
		case 22: return "yyyy-mm-dd h:mm";
		case 27: case 36: case 50: case 52: case 57:
			return "yyyy\"年\"m\"月\"";
		case 28: case 29: case 51: case 53: case 54: case 58:
			return "m\"月\"d\"日\"";
		case 30: return "m-d-yy";
		case 31: return "yyyy\"年\"m\"月\"d\"日\"";
		case 32: return "h\"时\"mm\"分\"";
		case 33: return "h\"时\"mm\"分\"ss\"秒\"";
		case 34: case 55: return "上午/下午h\"时\"mm\"分\"";
		case 35: case 56: return "上午/下午h\"时\"mm\"分\"ss\"秒\"";
		case 37: return "#,##0 ;(#,##0)";
		case 38: return "#,##0 ;[Red](#,##0)";
		case 39: return "#,##0.00;(#,##0.00)";
		case 40: return "#,##0.00;[Red](#,##0.00)";
		case 41: return "_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)";
		case 42: return "_(\"¥\"* #,##0_);_(\"¥\"* \\(#,##0\\);_(\"¥\"* \"-\"_);_(@_)";
		case 43: return "_(* #,##0.00_);_(* \\(#,##0.00\\);_(* \"-\"??_);_(@_)";
		case 44: return "_(\"¥\"* #,##0.00_);_(\"¥\"* \\(#,##0.00\\);_(\"¥\"* \"-\"??_);_(@_)";
		case 45: return "mm:ss";
		case 46: return "[h]:mm:ss";
		case 47: return "mm:ss.0";
		case 48: return "##0.0E+0";
		default: return NULL;	/* 0 General, 49 @ (text), and ids no file should use */
	}
}

int
pj_numfmt_render(const char *value, size_t vlen, const char *format,
				 bool date1904, char *out, size_t outsz)
{
	Dec			v;
	Out			o = {out, 0, outsz, outsz > 0};
	const char *sec[4],
			   *end[4];
	int			nsec = 0,
				pick,
				nt,
				i;
	Tok			t[TOK_MAX];
	bool		is_date = false,
				minus = false,
				any = false;

	if (outsz > 0)
		out[0] = '\0';
	if (!dec_parse(value, vlen, &v))
		return -1;
	if (format == NULL || format[0] == '\0')
	{
		if (v.neg)
			puts_(&o, "-");
		put_general(&o, &v);
		return o.ok ? (int) o.len : -1;
	}
	{
		const char *s = format;

		for (;;)
		{
			sec[nsec] = s;
			end[nsec] = section_end(s);
			s = end[nsec];
			nsec++;
			if (*s != ';' || nsec == 4)
				break;
			s++;
		}
	}
	/* sections by sign: positive; negative; zero (text has the fourth) */
	if (nsec == 1 || (v.n > 0 && !v.neg))
		pick = 0;
	else if (v.neg)
		pick = 1;
	else
		pick = nsec >= 3 ? 2 : 0;
	minus = v.neg && pick == 0;
	if (!tokenize(sec[pick], end[pick], t, &nt))
		return -1;
	for (i = 0; i < nt; i++)
	{
		if (t[i].kind == T_DATE)
			is_date = true;
		if (t[i].kind != T_LIT || t[i].len > 0)
			any = true;
	}
	if (!any)
		return 0;				/* an empty section shows nothing */
	for (i = 0; i < nt && !is_date; i++)
	{
		/* text (@) or a fraction (# ?/?): the number as General */
		bool		frac = t[i].kind == T_LIT && t[i].len == 1 && t[i].s[0] == '/' &&
			i > 0 && t[i - 1].kind == T_DIG && i + 1 < nt && t[i + 1].kind == T_DIG;

		if (frac || t[i].kind == T_AT)
		{
			if (v.neg)
				puts_(&o, "-");
			put_general(&o, &v);
			return o.ok ? (int) o.len : -1;
		}
	}
	if (is_date)
	{
		if (!render_date(&v, t, nt, date1904, &o))
		{
			/* outside the dates a spreadsheet shows: the number, General */
			o.len = 0;
			o.ok = outsz > 0;
			if (o.ok)
				out[0] = '\0';
			if (v.neg)
				puts_(&o, "-");
			put_general(&o, &v);
		}
	}
	else if (!render_number(&v, minus, t, nt, &o))
		return -1;
	return o.ok ? (int) o.len : -1;
}
