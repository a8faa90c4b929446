/*
 * exact.c - exact decimal arithmetic for the rules: wide decimals (128-bit
 * coefficient) for base values, and a small fixed-size bignum so that a
 * score (weight × mean of fractions, rounded half-up to 2 places) is the
 * exact rational result whatever the inputs, never a float.
 */
#include <string.h>

#include "exact.h"

/* ------------------------------------------------------------ wide decimals */

bool
wide_mul10(pj_int128 *v, int times)
{
	for (; times > 0; times--)
		if (__builtin_mul_overflow(*v, (pj_int128) 10, v))
			return false;
	return true;
}

bool
wide_from(IvDecimal v, IvDecimal factor, PjWide *out)
{
	out->exp = v.exp + factor.exp;
	return !__builtin_mul_overflow((pj_int128) v.coef, (pj_int128) factor.coef, &out->coef);
}

/* Brings a and b to the smaller exponent. */
bool
wide_align(PjWide *a, PjWide *b)
{
	if (a->exp > b->exp)
	{
		if (!wide_mul10(&a->coef, a->exp - b->exp))
			return false;
		a->exp = b->exp;
	}
	else if (b->exp > a->exp)
	{
		if (!wide_mul10(&b->coef, b->exp - a->exp))
			return false;
		b->exp = a->exp;
	}
	return true;
}

/* Compares; *ok is false if the values are too far apart to align. */
int
wide_cmp(PjWide a, PjWide b, bool *ok)
{
	*ok = wide_align(&a, &b);
	return a.coef < b.coef ? -1 : a.coef > b.coef;
}

/*
 * The longest text pj_wide_text may write in exponent form: a sign, the 39
 * digits of a 128-bit coefficient, 'e' and an int32 exponent with its sign.
 */
#define WIDE_DIGITS_MAX		39
#define WIDE_EXP_FORM_MAX	(1 + WIDE_DIGITS_MAX + 1 + 11)

_Static_assert(WIDE_EXP_FORM_MAX <= PJ_WIDE_TEXT_MAX, "pj_wide_text's exponent form fits");

/*
 * Plain decimal text, as numeric_out writes it and JSON reads it: "-12.5",
 * "0.05", "4617400"; a zero is "0" (or "0.00" with its scale).  A number
 * whose plain text would be longer than PJ_WIDE_TEXT_MAX bytes (which no
 * value the reader produces gives) is written "<coef>e<exp>", which
 * numeric_in and JSON read too: never more than PJ_WIDE_TEXT_MAX bytes.
 */
size_t
pj_wide_text(PjWide w, char *buf)
{
	char		digits[WIDE_DIGITS_MAX];
	int			n = 0,
				o = 0,
				i;
	int64_t		frac = -(int64_t) w.exp,
				plain;
	unsigned __int128 mag = w.coef < 0 ? -(unsigned __int128) w.coef : (unsigned __int128) w.coef;

	do
	{
		digits[n++] = (char) ('0' + (int) (mag % 10));
		mag /= 10;
	} while (mag > 0);
	if (w.coef == 0 && frac < 0)
		frac = 0;				/* zero times 10^k is 0, not 000 */
	/* sign, digits and the zeros after them, or "0." and the zeros before them */
	plain = (w.coef < 0) + (frac <= 0 ? n - frac : (n > frac ? n + 1 : frac + 2));
	if (w.coef < 0)
		buf[o++] = '-';
	if (plain > PJ_WIDE_TEXT_MAX)
	{
		char		e[11];
		int			ne = 0;
		uint32_t	emag = w.exp < 0 ? 0u - (uint32_t) w.exp : (uint32_t) w.exp;

		for (i = n - 1; i >= 0; i--)
			buf[o++] = digits[i];
		buf[o++] = 'e';
		if (w.exp < 0)
			buf[o++] = '-';
		do
		{
			e[ne++] = (char) ('0' + emag % 10);
			emag /= 10;
		} while (emag > 0);
		while (ne > 0)
			buf[o++] = e[--ne];
		return (size_t) o;
	}
	if (frac <= 0)
	{
		for (i = n - 1; i >= 0; i--)
			buf[o++] = digits[i];
		for (i = 0; i < -frac; i++)
			buf[o++] = '0';
		return (size_t) o;
	}
	if (n <= frac)
	{
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = n; i < frac; i++)
			buf[o++] = '0';
		for (i = n - 1; i >= 0; i--)
			buf[o++] = digits[i];
		return (size_t) o;
	}
	for (i = n - 1; i >= 0; i--)
	{
		buf[o++] = digits[i];
		if (i == frac)
			buf[o++] = '.';
	}
	return (size_t) o;
}

/* -------------------------------------------------------------------- bignum */

void
big_set(PjBig *b, unsigned __int128 v)
{
	b->n = 0;
	while (v > 0)
	{
		b->d[b->n++] = (uint32_t) v;
		v >>= 32;
	}
}

bool
big_mul_small(PjBig *b, uint32_t m)
{
	uint64_t	carry = 0;
	int			i;

	for (i = 0; i < b->n; i++)
	{
		uint64_t	t = (uint64_t) b->d[i] * m + carry;

		b->d[i] = (uint32_t) t;
		carry = t >> 32;
	}
	if (carry)
	{
		if (b->n == PJ_BIG_LIMBS)
			return false;
		b->d[b->n++] = (uint32_t) carry;
	}
	if (m == 0)
		b->n = 0;
	return true;
}

bool
big_mul_pow10(PjBig *b, int e)
{
	for (; e >= 9; e -= 9)
		if (!big_mul_small(b, 1000000000u))
			return false;
	for (; e > 0; e--)
		if (!big_mul_small(b, 10))
			return false;
	return true;
}

bool
big_mul(PjBig *r, const PjBig *a, const PjBig *b)
{
	PjBig		t;
	int			i,
				j;

	if (a->n + b->n > PJ_BIG_LIMBS)
		return false;
	memset(t.d, 0, sizeof(uint32_t) * (size_t) (a->n + b->n));
	for (i = 0; i < a->n; i++)
	{
		uint64_t	carry = 0;

		for (j = 0; j < b->n; j++)
		{
			uint64_t	x = (uint64_t) a->d[i] * b->d[j] + t.d[i + j] + carry;

			t.d[i + j] = (uint32_t) x;
			carry = x >> 32;
		}
		t.d[i + b->n] = (uint32_t) carry;
	}
	t.n = a->n + b->n;
	while (t.n > 0 && t.d[t.n - 1] == 0)
		t.n--;
	*r = t;
	return true;
}

bool
big_add(PjBig *r, const PjBig *a, const PjBig *b)
{
	PjBig		t;
	uint64_t	carry = 0;
	int			i,
				n = a->n > b->n ? a->n : b->n;

	for (i = 0; i < n; i++)
	{
		uint64_t	x = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);

		t.d[i] = (uint32_t) x;
		carry = x >> 32;
	}
	t.n = n;
	if (carry)
	{
		if (n == PJ_BIG_LIMBS)
			return false;
		t.d[t.n++] = (uint32_t) carry;
	}
	*r = t;
	return true;
}

int
big_cmp(const PjBig *a, const PjBig *b)
{
	int			i;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = a->n - 1; i >= 0; i--)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

static bool
big_to_u128(const PjBig *b, unsigned __int128 *v)
{
	int			i;

	if (b->n > 4)
		return false;
	*v = 0;
	for (i = b->n - 1; i >= 0; i--)
		*v = (*v << 32) | b->d[i];
	return true;
}

/*
 * q = round_half_up(num / den) for num >= 0, den > 0, when q is known to be
 * at most qmax: one 128-bit division when the numbers fit, else a binary
 * search that only multiplies and compares.
 */
bool
big_round_div(const PjBig *num, const PjBig *den, uint64_t qmax, uint64_t *q)
{
	PjBig		two_num_den,
				two_den,
				t;
	unsigned __int128 a,
				b;
	uint64_t	lo = 0,
				hi = qmax;

	/* q = floor((2 num + den) / (2 den)) */
	two_num_den = *num;
	if (!big_mul_small(&two_num_den, 2) || !big_add(&two_num_den, &two_num_den, den))
		return false;
	two_den = *den;
	if (!big_mul_small(&two_den, 2))
		return false;
	if (big_to_u128(&two_num_den, &a) && big_to_u128(&two_den, &b) && b != 0)
	{
		unsigned __int128 r = a / b;

		if (r > qmax)
			return false;
		*q = (uint64_t) r;
		return true;
	}
	/* largest q in [0, qmax] with q × 2den <= 2num + den */
	while (lo < hi)
	{
		uint64_t	mid = lo + (hi - lo + 1) / 2;
		PjBig		m;

		big_set(&m, mid);
		if (!big_mul(&t, &m, &two_den))
			return false;
		if (big_cmp(&t, &two_num_den) <= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	/* the search stops at qmax: a larger quotient is out of range, as above */
	if (lo == qmax)
	{
		PjBig		m;

		big_set(&m, (unsigned __int128) qmax + 1);
		if (!big_mul(&t, &m, &two_den) || big_cmp(&t, &two_num_den) <= 0)
			return false;
	}
	*q = lo;
	return true;
}

/* b = v × 10^shift for v >= 0 */
bool
big_from_wide(PjBig *b, pj_int128 v, int shift)
{
	if (v < 0)
		return false;
	big_set(b, (unsigned __int128) v);
	return big_mul_pow10(b, shift);
}
