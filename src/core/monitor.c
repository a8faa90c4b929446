/*
 * monitor.c - the in-year monitoring rules (docs/monitoring.md, after the
 * shared performance-cycle notes §3): 时间进度, the fund light, the
 * indicator light, the project light and the 双监控 light.
 *
 * Every light compares a ratio v with the bands.  v is kept as the exact
 * fraction it is (executed × 12 × 100 / (budget × N) for the fund light on
 * the month basis, A × 12 × 100 / (T × N) for a cumulative indicator) and
 * compared with a band by cross-multiplying in the core's bignum, so 75.00
 * is 75 and not 74.999…; only the v handed back for display is rounded.
 * The comparison of a target with an actual is the scoring rules' own
 * (pj_score_indicator: units, directions, labelled clauses, dates), so a
 * light and a score never read a value differently.
 */
#include <string.h>

#include "exact.h"
#include "monitor.h"

/* Exponent differences beyond this are beyond exact arithmetic here. */
#define MAX_SHIFT	400

PjBands
pj_bands_default(void)
{
	PjBands		b = {{60, 0}, {80, 0}, {120, 0}};

	return b;
}

const char *
pj_light_name(PjLight light)
{
	switch (light)
	{
		case PJ_LIGHT_BLUE:
			return "blue";
		case PJ_LIGHT_GREEN:
			return "green";
		case PJ_LIGHT_YELLOW:
			return "yellow";
		case PJ_LIGHT_RED:
			return "red";
		case PJ_LIGHT_NONE:
			break;
	}
	return NULL;
}

PjLight
pj_worst_light(PjLight a, PjLight b)
{
	return a > b ? a : b;
}

PjLight
pj_dual_light(int on_schedule, int stage_met)
{
	if (on_schedule == 0)
		return PJ_LIGHT_RED;
	if (on_schedule < 0 || stage_met < 0)
		return PJ_LIGHT_NONE;
	return stage_met ? PJ_LIGHT_GREEN : PJ_LIGHT_YELLOW;
}

/* ------------------------------------------------------------ fractions */

/* b = coef × 10^shift × m, for coef ≥ 0 and 0 ≤ shift ≤ MAX_SHIFT */
static bool
big_term(PjBig *b, pj_int128 coef, int64_t shift, uint32_t m)
{
	if (coef < 0 || shift < 0 || shift > MAX_SHIFT || !big_from_wide(b, coef, (int) shift))
		return false;
	return big_mul_small(b, m);
}

/*
 * The sign of num × mul × 100 / (den × div) − thr, exactly: num ≥ 0,
 * den > 0, mul, div ≥ 1, thr ≥ 0.  False when beyond exact arithmetic.
 */
static bool
ratio_cmp(PjWide num, PjWide den, uint32_t mul, uint32_t div, IvDecimal thr, int *cmp)
{
	PjBig		l,
				r,
				t;
	int64_t		le = num.exp,
				re = (int64_t) den.exp + thr.exp,
				e = le < re ? le : re;

	if (den.coef <= 0 || thr.coef < 0 ||
		!big_term(&l, num.coef, le - e, mul * 100) ||
		!big_term(&r, den.coef, re - e, div))
		return false;
	big_set(&t, (unsigned __int128) thr.coef);
	if (!big_mul(&r, &r, &t))
		return false;
	*cmp = big_cmp(&l, &r);
	return true;
}

/* num × mul × 100 / (den × div), half-up to two places. */
static bool
ratio_percent(PjWide num, PjWide den, uint32_t mul, uint32_t div, IvDecimal *out)
{
	PjBig		n,
				d;
	int64_t		e = num.exp < den.exp ? num.exp : den.exp;
	uint64_t	q;

	if (den.coef <= 0 ||
		!big_term(&n, num.coef, num.exp - e, mul * 10000) ||
		!big_term(&d, den.coef, den.exp - e, div) ||
		!big_round_div(&n, &d, UINT64_MAX / 4, &q) || q > INT64_MAX)
		return false;
	out->coef = (int64_t) q;
	out->exp = -2;
	return true;
}

/* The band of num × mul × 100 / (den × div); blue only where allowed. */
static bool
ratio_light(PjWide num, PjWide den, uint32_t mul, uint32_t div, const PjBands *bands,
			bool blue, PjLight *light)
{
	int			c;

	if (blue)
	{
		if (!ratio_cmp(num, den, mul, div, bands->blue_from, &c))
			return false;
		if (c >= 0)
		{
			*light = PJ_LIGHT_BLUE;
			return true;
		}
	}
	if (!ratio_cmp(num, den, mul, div, bands->green_from, &c))
		return false;
	if (c >= 0)
	{
		*light = PJ_LIGHT_GREEN;
		return true;
	}
	if (!ratio_cmp(num, den, mul, div, bands->yellow_from, &c))
		return false;
	*light = c >= 0 ? PJ_LIGHT_YELLOW : PJ_LIGHT_RED;
	return true;
}

PjLight
pj_light_of(IvDecimal v, const PjBands *bands)
{
	PjLight		light = PJ_LIGHT_NONE;
	PjWide		num = {v.coef, v.exp},
				den = {1, 0};

	/* v / 1 × 1 × 100 against a band × 100: the bands scaled alike */
	num.exp -= 2;
	if (!ratio_light(num, den, 1, 1, bands, true, &light))
		return PJ_LIGHT_NONE;
	return light;
}

/* ----------------------------------------------------------------- time */

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The last day of a month; year 0 (not known): February has 29. */
static int
month_days(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && (year == 0 || leap_year(year)))
		return 29;
	return days[month - 1];
}

bool
pj_time_progress(int year, int month, PjTimeBasis basis, PjTime *out)
{
	int			m,
				day = 0;

	if (month < 1 || month > 12)
		return false;
	if (basis == PJ_TIME_MONTH)
	{
		out->num = (uint32_t) month;
		out->den = 12;
		return true;
	}
	if (year < PJ_YEAR_MIN || year > PJ_YEAR_MAX)
		return false;
	/* from 1月1日 to month N's last day, both included */
	for (m = 1; m <= month; m++)
		day += month_days(year, m);
	out->num = (uint32_t) day;
	out->den = leap_year(year) ? 366 : 365;
	return true;
}

IvDecimal
pj_time_percent(PjTime t)
{
	/* num × 10^4 / den, half-up: small enough for plain integers */
	uint64_t	n = (uint64_t) t.num * 10000;
	IvDecimal	d = {(int64_t) ((2 * n + t.den) / (2 * (uint64_t) t.den)), -2};

	return d;
}

/* ---------------------------------------------------------------- funds */

bool
pj_fund_light(IvDecimal budget, IvDecimal executed, PjTime t, const PjBands *bands,
			  PjFundLight *out)
{
	PjWide		num = {executed.coef, executed.exp},
				den = {budget.coef, budget.exp};
	IvDecimal	hundred = {100, 0};
	int			c;

	memset(out, 0, sizeof(*out));
	if (budget.coef <= 0)
		return budget.coef == 0 && executed.coef >= 0;
	/* v = (E / B) / (num / den) × 100 = E × den × 100 / (B × num) */
	if (!ratio_light(num, den, t.den, t.num, bands, false, &out->light) ||
		!ratio_cmp(num, den, t.den, t.num, hundred, &c))
	{
		memset(out, 0, sizeof(*out));
		return false;
	}
	out->on_schedule = c >= 0;
	/* v for display only: a light does not depend on it fitting */
	out->has_index = ratio_percent(num, den, t.den, t.num, &out->index);
	return true;
}

/* ----------------------------------------------------------- indicators */

/*
 * The qualitative results of pmkpi's qualitativeindex03 and their short
 * forms: the only texts an in-year actual states its own light with.
 */
static const struct
{
	const char *text;
	PjLight		light;
}			band_words[] = {
	{"达成目标", PJ_LIGHT_GREEN},
	{"达成", PJ_LIGHT_GREEN},
	{"部分达成目标并具有一定效果", PJ_LIGHT_YELLOW},
	{"部分达成", PJ_LIGHT_YELLOW},
	{"未达成目标且效果较差", PJ_LIGHT_RED},
	{"未达成", PJ_LIGHT_RED},
};

static PjLight
band_word_light(const IvValue *v)
{
	size_t		i;

	for (i = 0; i < sizeof(band_words) / sizeof(band_words[0]); i++)
		if (strlen(band_words[i].text) == v->text_len &&
			memcmp(band_words[i].text, v->text, v->text_len) == 0)
			return band_words[i].light;
	return PJ_LIGHT_NONE;
}

/* Quantities that build up over the year: counts, measures, money. */
static bool
cumulative_dim(int dim)
{
	switch (dim)
	{
		case IV_DIM_COUNT:
		case IV_DIM_LENGTH:
		case IV_DIM_AREA:
		case IV_DIM_MASS:
		case IV_DIM_VOLUME:
		case IV_DIM_MONEY:
			return true;
		default:
			return false;
	}
}

/* A target date is due when it is not after the period's last day. */
static PjLight
date_light(bool met, int64_t target_date, int64_t period_end)
{
	if (met)
		return PJ_LIGHT_GREEN;
	return pj_date_cmp(target_date, period_end) <= 0 ? PJ_LIGHT_RED : PJ_LIGHT_GREEN;
}

static void
set_v(PjIndicatorLight *out, int i, PjWide num, PjWide den, uint32_t mul, uint32_t div)
{
	out->has_v[i] = ratio_percent(num, den, mul, div, &out->v[i]);
}

static PjLight
part_light(const PjPart *p, const IvValue *target, const IvValue *actual, int month,
		   int64_t period_end, PjAccrual accrual, const PjBands *bands,
		   PjIndicatorLight *out, int i)
{
	const IvClause *t = &target->clauses[p->target_clause];
	bool		not_met = (p->flags & PJ_FLAG_NOT_MET) != 0;
	PjLight		light = PJ_LIGHT_NONE;

	if (p->flags & (PJ_FLAG_UNMATCHED | PJ_FLAG_INCOMPARABLE | PJ_FLAG_TOO_LARGE))
		return PJ_LIGHT_NONE;
	switch (p->rule)
	{
		case PJ_RULE_DATE:
			return date_light(!not_met, t->value.coef, period_end);
		case PJ_RULE_ZERO_TARGET:
		case PJ_RULE_NEGATIVE:
			/* reverse: met or not, never pro-rated */
			return not_met ? PJ_LIGHT_RED : PJ_LIGHT_GREEN;
		case PJ_RULE_RANGE:
			if (!not_met)
				return PJ_LIGHT_GREEN;
			set_v(out, i, p->num, p->den, 1, 1);
			return ratio_light(p->num, p->den, 1, 1, bands, true, &light) ? light : PJ_LIGHT_NONE;
		case PJ_RULE_POSITIVE:
			{
				const IvClause *a = &actual->clauses[p->actual_clause];
				int			dim = t->dim != IV_DIM_NONE ? t->dim : a->dim;
				bool		cumulative = accrual == PJ_ACCRUAL_CUMULATIVE ||
					(accrual == PJ_ACCRUAL_AUTO && cumulative_dim(dim));
				uint32_t	mul = cumulative ? 12 : 1,
							div = cumulative ? (uint32_t) month : 1;

				/* a target of 0: met or not (pmkpi traceequalzero) */
				if (p->target.coef == 0)
					return not_met ? PJ_LIGHT_RED : PJ_LIGHT_GREEN;
				set_v(out, i, p->num, p->den, mul, div);
				if (cumulative && p->actual.coef == 0)
					return PJ_LIGHT_RED;
				return ratio_light(p->num, p->den, mul, div, bands, true, &light) ? light : PJ_LIGHT_NONE;
			}
		default:
			return PJ_LIGHT_NONE;
	}
}

void
pj_indicator_light(const IvValue *target, const IvValue *actual, int year, int month,
				   PjAccrual accrual, const char *category, size_t category_len,
				   const PjBands *bands, PjIndicatorLight *out)
{
	PjRules		rules = pj_rules_default();
	PjOutcome	o;
	IvDecimal	zero = {0, 0};
	int64_t		period_end;
	int			i;

	memset(out, 0, sizeof(*out));
	if (month < 1 || month > 12 || year < 0 || year > PJ_YEAR_MAX)
		return;
	period_end = (int64_t) year * 10000 + month * 100 + month_days(year, month);

	if (target->kind == IV_KIND_NOT_APPLICABLE || actual->kind == IV_KIND_NOT_APPLICABLE ||
		target->kind == IV_KIND_EMPTY || actual->kind == IV_KIND_EMPTY)
		return;
	if (actual->kind != IV_KIND_QUANTITY)
	{
		/* an actual that states its result: 达成 / 部分达成 / 未达成 */
		out->light = band_word_light(actual);
		if (out->light != PJ_LIGHT_NONE)
			return;
		/* a deadline with no date yet (进行中): due or not; a claim is done */
		if (target->kind == IV_KIND_QUANTITY && target->nclauses == 1 &&
			target->clauses[0].dim == IV_DIM_DATE)
		{
			out->light = date_light(actual->kind == IV_KIND_CLAIM,
									target->clauses[0].value.coef, period_end);
			return;
		}
	}
	pj_score_indicator(target, actual, zero, category, category_len, &rules, &o);
	if (o.rule == PJ_RULE_QUALITATIVE_MATCH)
	{
		out->light = PJ_LIGHT_GREEN;
		return;
	}
	out->nparts = o.nparts;
	for (i = 0; i < o.nparts; i++)
	{
		out->parts[i] = part_light(&o.parts[i], target, actual, month, period_end,
								   accrual, bands, out, i);
		out->light = pj_worst_light(out->light, out->parts[i]);
	}
}
