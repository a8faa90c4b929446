/*
 * rules.c - completion, score and flags of one indicator, the fund score,
 * the execution rate and the grade (docs/scoring-rules.md §2-§5).
 *
 * Completion c of a clause is kept as an exact fraction num/den of base
 * values, compared with their signs: a missed bound gives the smaller
 * magnitude over the larger (set_missed), so negative targets (growth and
 * decline rates) score on magnitudes.  score = round_half_up(weight × mean(clamp(c_i, 0, 1)), 2) is
 * computed exactly from those fractions.  Capping each clause before the
 * mean (a pjeval decision) keeps one over-achieved clause from hiding an
 * unmet one.
 */
#include <string.h>

#include "exact.h"
#include "ivalue_tables.h"

PjRules
pj_rules_default(void)
{
	PjRules		r = {{130, -2}, PJ_NEGATIVE_RATIO};

	return r;
}

bool
pj_is_cost_category(const char *category, size_t len)
{
	size_t		i;

	for (i = 0; category && i + 6 <= len; i++)
		if (memcmp(category + i, "成本", 6) == 0)
			return true;
	return false;
}

#define FULLWIDTH_SPACE		"\xe3\x80\x80"	/* 　 */
#define FULLWIDTH_OPEN		"\xef\xbc\x88"	/* （ */
#define FULLWIDTH_CLOSE		"\xef\xbc\x89"	/* ） */

/* Length of the bracket opening or closing at s (0: none), half or full width. */
static size_t
bracket_at(const char *s, size_t left, char half, const char *full)
{
	if (left >= 1 && s[0] == half)
		return 1;
	if (left >= 3 && memcmp(s, full, 3) == 0)
		return 3;
	return 0;
}

size_t
pj_level_name(const char *in, size_t len, char *out)
{
	const size_t word = sizeof(PJ_WORD_INDICATOR) - 1;
	size_t		i = 0,
				n = 0;

	while (i < len)
	{
		size_t		open;

		if (in[i] == ' ' || (in[i] >= '\t' && in[i] <= '\r'))
		{
			i++;
			continue;
		}
		if (len - i >= 3 && memcmp(in + i, FULLWIDTH_SPACE, 3) == 0)
		{
			i += 3;
			continue;
		}
		/* a bracket: up to the first closing one of either width, if any */
		open = bracket_at(in + i, len - i, '(', FULLWIDTH_OPEN);
		if (open)
		{
			size_t		close = 0,
						j;

			for (j = i + open; j < len && (close = bracket_at(in + j, len - j, ')', FULLWIDTH_CLOSE)) == 0; j++)
				;
			if (close)
			{
				i = j + close;
				continue;
			}
		}
		out[n++] = in[i++];
	}
	if (n >= word && memcmp(out + n - word, PJ_WORD_INDICATOR, word) == 0)
		n -= word;
	return n;
}

int
pj_decimal_cmp(IvDecimal a, IvDecimal b)
{
	PjWide		x = {a.coef, a.exp},
				y = {b.coef, b.exp};
	bool		ok;
	int			c = wide_cmp(x, y, &ok),
				sa = (a.coef > 0) - (a.coef < 0),
				sb = (b.coef > 0) - (b.coef < 0);

	if (ok)
		return c;
	/* exponents more than 20 apart: an 18-digit coefficient cannot bridge it */
	if (sa != sb || sa == 0)
		return sa < sb ? -1 : sa > sb;
	return (a.exp > b.exp ? 1 : -1) * sa;
}

/* ------------------------------------------------------------ one clause */

static const IvDecimal one = {1, 0};
static const PjWide wide_one = {1, 0};
static const PjWide wide_zero = {0, 0};

/* The clause's value in its base unit; a date is its yyyymmdd code. */
static bool
base_of(const IvClause *c, IvDecimal v, PjWide *out)
{
	return wide_from(v, c->dim == IV_DIM_DATE ? one : iv_clause_factor(c), out);
}

static bool
same_base_unit(const IvValue *tv, const IvClause *t, const IvValue *av, const IvClause *a)
{
	char		b1[160],
				b2[160];
	size_t		n1,
				n2;

	if (t->dim != a->dim)
		return false;
	/* most units name their base in the table: compare those, build no text */
	if (t->per_len == 0 && a->per_len == 0 && t->unit > 0 && a->unit > 0 &&
		iv_units[t->unit].base && iv_units[a->unit].base)
		return t->unit == a->unit || strcmp(iv_units[t->unit].base, iv_units[a->unit].base) == 0;
	n1 = iv_clause_base_unit(tv, t, b1, sizeof(b1));
	n2 = iv_clause_base_unit(av, a, b2, sizeof(b2));
	return n1 == n2 && memcmp(b1, b2, n1) == 0;
}

/*
 * Puts target and actual in one unit.  A bare number takes the other
 * side's unit, except 0 < x ≤ 1 against a percentage, which is a fraction
 * (平台在岗率 1 against 100%).  Returns false if they cannot be compared.
 */
static bool
resolve_units(const IvValue *tv, const IvClause *t, const IvValue *av, const IvClause *a,
			  IvDecimal tval, IvDecimal aval, PjWide *tb, PjWide *ab, uint16_t *flags)
{
	bool		t_bare = t->dim == IV_DIM_NONE,
				a_bare = a->dim == IV_DIM_NONE;

	if (t_bare != a_bare)
	{
		const IvClause *bare = t_bare ? t : a,
				   *unit = t_bare ? a : t;
		IvDecimal	uf = iv_clause_factor(unit);
		PjWide		b;
		bool		ok;

		if (unit->dim == IV_DIM_DATE)
			return false;
		/* the bare side keeps its own 万; a fraction of 1 is a percentage */
		if (!wide_from(t_bare ? tval : aval, iv_clause_factor(bare), &b))
			goto too_large;
		if (unit->dim == IV_DIM_RATIO && b.coef > 0 && wide_cmp(b, wide_one, &ok) <= 0 && ok)
			uf = (IvDecimal) {100, 0};
		if (__builtin_mul_overflow(b.coef, (pj_int128) uf.coef, &b.coef))
			goto too_large;
		b.exp += uf.exp;
		*(t_bare ? tb : ab) = b;
		if (!base_of(unit, t_bare ? aval : tval, t_bare ? ab : tb))
			goto too_large;
		return true;
	}
	if (!same_base_unit(tv, t, av, a))
		return false;
	if (!base_of(t, tval, tb) || !base_of(a, aval, ab))
		goto too_large;
	return true;

too_large:
	*flags |= PJ_FLAG_TOO_LARGE;
	return false;
}

static void
set_ratio(PjPart *p, PjWide num, PjWide den)
{
	p->has_ratio = true;
	p->num = num;
	p->den = den;
}

static int
wide_sign(PjWide w)
{
	return (w.coef > 0) - (w.coef < 0);
}

static PjWide
wide_abs(PjWide w)
{
	if (w.coef < 0)
		w.coef = -w.coef;
	return w;
}

/*
 * The completion of a bound b that the actual a missed (below it when
 * below): the smaller of |a| and |b| over the larger, which for positive
 * values is the table's A/T, T/A, A/a or b/A.  A bound of 0 gives 0 (met or
 * not), and so does an actual on the other side of zero, flagged.
 */
static void
set_missed(PjPart *p, PjWide a, PjWide b, bool below)
{
	if (b.coef == 0 || wide_sign(a) * wide_sign(b) < 0)
	{
		if (b.coef != 0)
			p->flags |= PJ_FLAG_OPPOSITE_SIGN;
		set_ratio(p, wide_zero, wide_one);
		return;
	}
	/* same side of zero: below a positive bound |a| is the smaller, below a negative one |b| */
	if (below == (b.coef > 0))
		set_ratio(p, wide_abs(a), wide_abs(b));
	else
		set_ratio(p, wide_abs(b), wide_abs(a));
}

/* Dates compare at the coarser of the two precisions; day 0 is "that month". */
int
pj_date_cmp(int64_t a, int64_t b)
{
	if (a / 10000 == 0 || b / 10000 == 0)
	{
		a %= 10000;
		b %= 10000;
	}
	if (a % 100 == 0 || b % 100 == 0)
	{
		a /= 100;
		b /= 100;
	}
	return a < b ? -1 : a > b;
}

static void
score_clause(const IvValue *tv, const IvClause *t, const IvValue *av, const IvClause *a,
			 const char *category, size_t category_len, const PjRules *rules, PjPart *p)
{
	PjWide		tb,
				ab,
				ub;
	bool		ok = true,
				below,
				above;
	int			cmp;
	IvCmp		tc = t->cmp;

	if (t->dim == IV_DIM_DATE && a->dim == IV_DIM_DATE)
	{
		int			d = pj_date_cmp(a->value.coef, t->value.coef);
		bool		met = tc == IV_CMP_GE ? d >= 0 : tc == IV_CMP_GT ? d > 0 :
			tc == IV_CMP_LT ? d < 0 : tc == IV_CMP_RANGE ?
			d >= 0 && pj_date_cmp(a->value.coef, t->upper.coef) <= 0 : d <= 0;

		p->rule = PJ_RULE_DATE;
		base_of(t, t->value, &p->target);
		base_of(a, a->value, &p->actual);
		if (met)
			set_ratio(p, wide_one, wide_one);
		else
			p->flags |= PJ_FLAG_NOT_MET | PJ_FLAG_DATE_MISSED;
		return;
	}
	if (!resolve_units(tv, t, av, a, t->value, a->value, &tb, &ab, &p->flags))
	{
		if (!(p->flags & PJ_FLAG_TOO_LARGE))
			p->flags |= PJ_FLAG_INCOMPARABLE;
		return;
	}
	p->target = tb;
	p->actual = ab;

	if (tc == IV_CMP_RANGE)
	{
		PjWide		unused;

		if (!resolve_units(tv, t, av, a, t->upper, a->value, &ub, &unused, &p->flags))
		{
			p->flags |= PJ_FLAG_TOO_LARGE;
			return;
		}
		p->rule = PJ_RULE_RANGE;
		below = wide_cmp(ab, tb, &ok) < 0;
		above = ok && !below && wide_cmp(ab, ub, &ok) > 0;
		if (!ok)
			p->flags |= PJ_FLAG_TOO_LARGE;
		else if (below || above)
		{
			p->flags |= PJ_FLAG_NOT_MET;
			set_missed(p, ab, below ? tb : ub, below);
		}
		else
			set_ratio(p, wide_one, wide_one);
		return;
	}

	/* direction: the comparison, else the category (成本 is negative) */
	if (tc == IV_CMP_EQ && tb.coef == 0)
		p->rule = PJ_RULE_ZERO_TARGET;
	else if (tc == IV_CMP_GE || tc == IV_CMP_GT)
		p->rule = PJ_RULE_POSITIVE;
	else if (tc == IV_CMP_LE || tc == IV_CMP_LT)
		p->rule = PJ_RULE_NEGATIVE;
	else
		p->rule = pj_is_cost_category(category, category_len) ? PJ_RULE_NEGATIVE : PJ_RULE_POSITIVE;

	cmp = wide_cmp(ab, tb, &ok);
	if (!ok)
	{
		p->flags |= PJ_FLAG_TOO_LARGE;
		return;
	}
	if (p->rule == PJ_RULE_ZERO_TARGET)
	{
		set_ratio(p, cmp == 0 ? wide_one : wide_zero, wide_one);
		if (cmp != 0)
			p->flags |= PJ_FLAG_NOT_MET;
		return;
	}
	{
		bool		positive = p->rule == PJ_RULE_POSITIVE;
		/* more is better on magnitudes: ≥T with T > 0, ≤T with T < 0 */
		bool		more_better = tb.coef != 0 && positive == (tb.coef > 0);
		PjWide		mt = wide_abs(tb),
					ma = wide_abs(ab);

		if (positive ? cmp < 0 : cmp > 0)
		{
			p->flags |= PJ_FLAG_NOT_MET;
			if (!more_better && tb.coef != 0 && rules->negative == PJ_NEGATIVE_LINEAR &&
				wide_sign(ab) == wide_sign(tb))
			{
				/* 1 - (|A| - |T|)/|T| = (2|T| - |A|)/|T|, floored at 0 */
				PjWide		two_t = mt;

				if (!__builtin_mul_overflow(two_t.coef, (pj_int128) 2, &two_t.coef) &&
					wide_align(&two_t, &ma))
				{
					two_t.coef -= ma.coef;
					set_ratio(p, two_t.coef > 0 ? two_t : wide_zero, mt);
				}
				else
					p->flags |= PJ_FLAG_TOO_LARGE;
			}
			else
				set_missed(p, ab, tb, positive);
			return;
		}
		/* met, or at a strict bound (not met, but the ratio is 1) */
		if (cmp == 0 && (tc == IV_CMP_GT || tc == IV_CMP_LT))
			p->flags |= PJ_FLAG_NOT_MET;
		if (!more_better)
		{
			set_ratio(p, wide_one, wide_one);
			return;
		}
		set_ratio(p, ma, mt);	/* uncapped: over-achievement stays visible */
		{
			/* over-achieved: |A| ≥ ratio × |T| */
			PjWide		lim;

			if (wide_from(rules->over_ratio, (IvDecimal) {1, 0}, &lim) &&
				!__builtin_mul_overflow(lim.coef, mt.coef, &lim.coef))
			{
				lim.exp += mt.exp;
				if (wide_cmp(ma, lim, &ok) >= 0 && ok)
					p->flags |= PJ_FLAG_OVER_ACHIEVED;
			}
		}
	}
}

/* ------------------------------------------------------------- the score */

/* 10^k in 128 bits, k <= 38 */
static bool
pow10_u128(int k, unsigned __int128 *out)
{
	unsigned __int128 r = 1;

	if (k < 0 || k > 38)
		return false;
	while (k-- > 0)
		r *= 10;
	*out = r;
	return true;
}

/*
 * The common cases in 128 bits: every part met (the score is the weight),
 * or one part.  score × 100 = weight.coef × 10^(weight.exp + 2) × P / Q,
 * half-up.  False when a product would not fit: the caller then uses the
 * bignum, which gives the same result.
 */
static bool
fast_score(IvDecimal weight, const PjPart *parts, int n, IvDecimal *score)
{
	unsigned __int128 P = 1,
				Q = 1,
				num,
				den,
				f,
				q;
	int			i,
				we = weight.exp + 2;
	bool		all_met = true;

	if (weight.coef < 0)
		return false;
	for (i = 0; i < n && all_met; i++)
	{
		bool		ok;

		if (!(parts[i].num.coef >= 0 && wide_cmp(parts[i].num, parts[i].den, &ok) >= 0 && ok))
			all_met = false;
	}
	if (!all_met)
	{
		PjWide		a = parts[0].num,
					b = parts[0].den;
		int			e;

		if (n != 1 || b.coef <= 0)
			return false;
		if (a.coef < 0)
			a.coef = 0;
		e = a.exp - b.exp;
		if (!pow10_u128(e > 0 ? e : 0, &f) || __builtin_mul_overflow((unsigned __int128) a.coef, f, &P))
			return false;
		if (!pow10_u128(e < 0 ? -e : 0, &f) || __builtin_mul_overflow((unsigned __int128) b.coef, f, &Q))
			return false;
	}
	if (!pow10_u128(we > 0 ? we : 0, &f) ||
		__builtin_mul_overflow((unsigned __int128) weight.coef, f, &num) ||
		__builtin_mul_overflow(num, P, &num))
		return false;
	if (!pow10_u128(we < 0 ? -we : 0, &f) || __builtin_mul_overflow(Q, f, &den))
		return false;
	/* q = floor((2 num + den) / (2 den)) */
	if (__builtin_mul_overflow(num, (unsigned __int128) 2, &num) ||
		__builtin_add_overflow(num, den, &num) ||
		__builtin_mul_overflow(den, (unsigned __int128) 2, &den))
		return false;
	q = num / den;
	if (q > (unsigned __int128) INT64_MAX)
		return false;
	score->coef = (int64_t) q;
	score->exp = -2;
	return true;
}

/* round_half_up(weight × mean(clamp(num_i/den_i, 0, 1)), 2), exactly */
static bool
exact_score(IvDecimal weight, const PjPart *parts, int n, IvDecimal *score)
{
	PjBig		num,
				den,
				t;
	int			i,
				j,
				e;
	uint64_t	q,
				qmax;

	if (fast_score(weight, parts, n, score))
		return true;
	/* Σ P_i/Q_i as one fraction num/den over the product of denominators */
	big_set(&num, 0);
	big_set(&den, 1);
	for (i = 0; i < n; i++)
	{
		PjWide		a = parts[i].num,
					b = parts[i].den;
		PjBig		pi,
					qi;
		bool		ok;

		if (a.coef < 0)
			a.coef = 0;
		if (wide_cmp(a, b, &ok) >= 0 && ok)
			a = b = wide_one;	/* capped at 1 */
		if (!ok && a.exp > b.exp)
			a = b = wide_one;	/* far above 1 */
		e = a.exp - b.exp;
		if (!big_from_wide(&pi, a.coef, e > 0 ? e : 0) ||
			!big_from_wide(&qi, b.coef, e < 0 ? -e : 0))
			return false;
		/* num/den + pi/qi = (num×qi + pi×den) / (den×qi) */
		if (!big_mul(&num, &num, &qi) || !big_mul(&t, &pi, &den) ||
			!big_add(&num, &num, &t) || !big_mul(&den, &den, &qi))
			return false;
	}
	if (weight.coef < 0)
		return false;
	/* score × 100 = weight × 100 × num / (n × den) */
	if (!big_mul_small(&den, (uint32_t) n))
		return false;
	e = weight.exp + 2;
	big_set(&t, (unsigned __int128) weight.coef);
	if (e >= 0)
	{
		if (!big_mul_pow10(&t, e))
			return false;
	}
	else if (!big_mul_pow10(&den, -e))
		return false;
	if (!big_mul(&num, &num, &t))
		return false;

	/* the mean is at most 1, so the score is at most the weight */
	qmax = (uint64_t) weight.coef;
	for (j = 0; j < e; j++)
	{
		if (qmax > UINT64_MAX / 10)
			return false;
		qmax *= 10;
	}
	if (!big_round_div(&num, &den, qmax + 1, &q) || q > INT64_MAX)
		return false;
	score->coef = (int64_t) q;
	score->exp = -2;
	return true;
}

static bool
texts_equal(const IvValue *a, const IvValue *b)
{
	return a->text_len == b->text_len && memcmp(a->text, b->text, a->text_len) == 0;
}

static bool
labels_equal(const IvValue *tv, const IvClause *t, const IvValue *av, const IvClause *a)
{
	return t->label_len == a->label_len &&
		memcmp(tv->text + t->label_off, av->text + a->label_off, t->label_len) == 0;
}

/* The actual clause for target clause i: same label, else same position. */
static int
match_clause(const IvValue *target, int i, const IvValue *actual)
{
	const IvClause *t = &target->clauses[i];
	int			j;
	bool		actual_unlabelled = true;

	if (target->nclauses == 1 && actual->nclauses == 1)
		return 0;
	for (j = 0; j < actual->nclauses; j++)
	{
		if (labels_equal(target, t, actual, &actual->clauses[j]))
			return j;
		if (actual->clauses[j].label_len > 0)
			actual_unlabelled = false;
	}
	if (actual_unlabelled && actual->nclauses == target->nclauses)
		return i;
	return -1;
}

void
pj_score_indicator(const IvValue *target, const IvValue *actual,
				   IvDecimal weight, const char *category, size_t category_len,
				   const PjRules *rules, PjOutcome *out)
{
	int			i;

	out->rule = PJ_RULE_NONE;
	out->flags = 0;
	out->nparts = 0;
	out->has_completion = false;
	out->has_score = false;
	out->score.coef = 0;
	out->score.exp = -2;

	if (target->kind == IV_KIND_NOT_APPLICABLE && actual->kind == IV_KIND_NOT_APPLICABLE)
	{
		out->rule = PJ_RULE_NOT_APPLICABLE;
		out->has_score = true;
		return;
	}
	/* 不适用 on one side only: the row contradicts itself, a person decides */
	if (target->kind == IV_KIND_NOT_APPLICABLE || actual->kind == IV_KIND_NOT_APPLICABLE)
	{
		out->flags |= PJ_FLAG_MISSING;
		return;
	}
	if (target->kind == IV_KIND_EMPTY || actual->kind == IV_KIND_EMPTY)
	{
		out->flags |= PJ_FLAG_MISSING;
		return;
	}
	if (actual->kind == IV_KIND_CLAIM)
		out->flags |= PJ_FLAG_CLAIM;
	if (target->kind != IV_KIND_QUANTITY || actual->kind != IV_KIND_QUANTITY)
	{
		if (target->kind != IV_KIND_QUANTITY && actual->kind != IV_KIND_QUANTITY &&
			texts_equal(target, actual))
		{
			out->rule = PJ_RULE_QUALITATIVE_MATCH;
			out->has_completion = true;
			out->has_score = exact_score(weight, &(PjPart) {.num = wide_one, .den = wide_one}, 1,
										 &out->score);
			return;
		}
		out->flags |= PJ_FLAG_NEEDS_BAND;
		return;
	}

	out->has_completion = true;
	for (i = 0; i < target->nclauses; i++)
	{
		PjPart	   *p = &out->parts[out->nparts++];
		int			j = match_clause(target, i, actual);

		memset(p, 0, sizeof(*p));
		p->target_clause = (uint8_t) i;
		if (j < 0)
		{
			p->flags |= PJ_FLAG_UNMATCHED;
			p->actual_clause = UINT8_MAX;
		}
		else
		{
			p->actual_clause = (uint8_t) j;
			score_clause(target, &target->clauses[i], actual, &actual->clauses[j],
						 category, category_len, rules, p);
		}
		out->flags |= p->flags;
		if (!p->has_ratio)
			out->has_completion = false;
	}
	out->rule = out->nparts > 1 ? PJ_RULE_CLAUSES : out->parts[0].rule;
	if (out->has_completion)
	{
		out->has_score = exact_score(weight, out->parts, out->nparts, &out->score);
		if (!out->has_score)
			out->flags |= PJ_FLAG_TOO_LARGE;
	}
}

/* --------------------------------------------------------------- funds */

bool
pj_fund_score(IvDecimal weight, IvDecimal budget, IvDecimal executed, IvDecimal *score)
{
	PjPart		p;

	if (budget.coef <= 0 || executed.coef < 0 || weight.coef < 0)
		return false;
	memset(&p, 0, sizeof(p));
	p.num = (PjWide) {executed.coef, executed.exp};
	p.den = (PjWide) {budget.coef, budget.exp};
	return exact_score(weight, &p, 1, score);
}

bool
pj_execution_rate(IvDecimal budget, IvDecimal executed, IvDecimal *rate)
{
	PjBig		num,
				den;
	int			e;
	uint64_t	q;

	if (budget.coef <= 0 || executed.coef < 0)
		return false;
	/* rate × 100 = executed × 10^4 / budget */
	e = executed.exp - budget.exp + 4;
	if (!big_from_wide(&num, executed.coef, e > 0 ? e : 0) ||
		!big_from_wide(&den, budget.coef, e < 0 ? -e : 0) ||
		!big_round_div(&num, &den, UINT64_MAX / 4, &q) || q > INT64_MAX)
		return false;
	rate->coef = (int64_t) q;
	rate->exp = -2;
	return true;
}

const char *
pj_grade(IvDecimal total, IvDecimal excellent, IvDecimal good, IvDecimal pass)
{
	if (pj_decimal_cmp(total, excellent) >= 0)
		return "优";
	if (pj_decimal_cmp(total, good) >= 0)
		return "良";
	if (pj_decimal_cmp(total, pass) >= 0)
		return "中";
	return "差";
}

/* ------------------------------------------------------------------ names */

const char *
pj_rule_name(PjRule rule)
{
	static const char *const names[] = {
		"none", "positive", "negative", "zero_target", "range", "date", "clauses",
		"qualitative_match", "not_applicable",
	};

	return (unsigned) rule < sizeof(names) / sizeof(names[0]) ? names[rule] : "?";
}

const char *
pj_flag_name(int bit)
{
	static const char *const names[PJ_N_FLAGS] = {
		"not_met", "over_achieved", "incomparable_units", "qualitative_needs_band",
		"actual_is_claim", "missing_value", "unmatched_clause", "too_large",
		"date_missed", "opposite_sign",
	};

	return bit >= 0 && bit < PJ_N_FLAGS ? names[bit] : "?";
}

bool
pj_decimal_from_text(const char *s, size_t len, IvDecimal *out)
{
	size_t		i = 0;
	int			digits = 0,
				frac = -1;
	bool		neg = false;
	int64_t		coef = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len; i++)
	{
		if (s[i] == '.' && frac < 0)
			frac = 0;
		else if (s[i] >= '0' && s[i] <= '9')
		{
			if (coef > 0 || s[i] != '0')
				digits++;
			if (digits > IV_MAX_DIGITS || frac >= IV_MAX_DIGITS)
				return false;
			coef = coef * 10 + (s[i] - '0');
			if (frac >= 0)
				frac++;
		}
		else
			return false;
	}
	if (len == 0 || (neg && len == 1))
		return false;
	out->coef = neg ? -coef : coef;
	out->exp = frac > 0 ? -frac : 0;
	return true;
}
