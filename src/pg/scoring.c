/*
 * scoring.c - fmgr glue for the scoring rules (src/core/rules.h): the
 * execution rate and fund score, an indicator's completion, score, flags,
 * assessment and explanation, and the grade.
 *
 * The rules live in the core, and only there; this file turns numerics into
 * the core's exact decimals and back, checks arguments, and words errors the
 * PostgreSQL way.  Numbers cross over as text (numeric_out, then
 * pj_decimal_from_text), which is exact; a numeric the core cannot hold
 * exactly (more than 18 significant digits) is refused with 22003 rather
 * than rounded.  What the views call never raises for a stored value:
 * try_execution_rate and try_fund_score give NULL where execution_rate and
 * fund_score would raise, and assess() gives a weight beyond exact scoring
 * a NULL score and the flag unscorable (the tables' checks keep such
 * numbers out: is_scorable_number).  Scores come back with scale 2, as the
 * forms print them.
 * Values whose base-unit arithmetic would go beyond the core's exact range
 * give a NULL score and the flag too_large, never an error: one odd row
 * must not break a view over a whole table of forms.
 *
 * indicator_score runs once per row of a whole table of forms, so it keeps
 * its per-row work small (bench/scoring_bench.sh measures it): values are
 * unpacked in place (glue.h); knobs and weights written as constants are
 * converted once per query, and ones from columns once per distinct value
 * (a cache in fn_extra keyed on the numeric's bytes: weights repeat, 5, 10,
 * 2 ...); and the score numerics already built are copied, not rebuilt.
 * Most of what remains per row is the core's own work.
 *
 * NULLs: the indicator functions are not STRICT because a NULL category is
 * meaningful (no level-2 category: the comparison alone decides).  A NULL
 * target or actual is a value that could not be read (try_indicator_value
 * gives NULL): scores are NULL and the flags say "unreadable".  A NULL
 * weight leaves only the score NULL.  A NULL over_ratio or negative_formula
 * makes the whole answer NULL.
 */
#include "glue.h"
#include "ivalue_tables.h"

#include <string.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

#include "rules.h"

PG_FUNCTION_INFO_V1(scoring_execution_rate);
PG_FUNCTION_INFO_V1(scoring_fund_score);
PG_FUNCTION_INFO_V1(scoring_try_execution_rate);
PG_FUNCTION_INFO_V1(scoring_try_fund_score);
PG_FUNCTION_INFO_V1(scoring_is_scorable_number);
PG_FUNCTION_INFO_V1(scoring_completion);
PG_FUNCTION_INFO_V1(scoring_indicator_score);
PG_FUNCTION_INFO_V1(scoring_indicator_flags);
PG_FUNCTION_INFO_V1(scoring_assess);
PG_FUNCTION_INFO_V1(scoring_explain);
PG_FUNCTION_INFO_V1(scoring_grade);
PG_FUNCTION_INFO_V1(scoring_level_name);

/* The flag for a target or actual that is NULL: it could not be read. */
#define FLAG_UNREADABLE_NAME	"unreadable"
/* assess()'s flag for a weight beyond exact scoring: no score, no error. */
#define FLAG_UNSCORABLE_NAME	"unscorable"

/* Columns of the composite type assessment */
#define ASSESSMENT_COLS		4

static const IvDecimal dec_one = {1, 0};


/* ---------- numeric to exact decimal ---------- */

typedef enum ArgCheck
{
	CHECK_ANY,					/* any finite number */
	CHECK_NONNEGATIVE,			/* weights and amounts */
	CHECK_ABOVE_ONE				/* over_ratio */
} ArgCheck;

/* Hints for the arguments that are checked. */
#define HINT_WEIGHT		"A weight (分值) is 0 or more; a 不适用 row has weight 0."
#define HINT_AMOUNT		"全年预算数 and 全年执行数 are amounts of 0 or more."
#define HINT_OVER_RATIO	"over_ratio is the A/T ratio from which a positive indicator counts as over-achieved; central-2020 uses 1.30."

/* What a numeric is to the core */
typedef enum NumStatus
{
	NUM_EXACT,					/* held exactly */
	NUM_NOT_FINITE,				/* NaN or an infinity */
	NUM_OUT_OF_RANGE			/* more digits than the core holds */
} NumStatus;

/*
 * The numeric as an exact decimal, if the core can hold it; *text is its
 * numeric_out text, for messages (the caller frees it).  Zeros padding the
 * scale (a numeric(12,6) column) are dropped first: they carry no digit the
 * core needs, and would otherwise count against its 18 decimal places.
 */
static NumStatus
numeric_exact(Datum num, IvDecimal *d, char **text)
{
	Numeric		n = DatumGetNumeric(num);
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
	size_t		len = strlen(s);
	bool		special = numeric_is_nan(n);

#if PG_VERSION_NUM >= 140000
	special = special || numeric_is_inf(n);
#endif
	*text = s;
	if (special)
		return NUM_NOT_FINITE;
	if (strchr(s, '.') != NULL)
	{
		while (s[len - 1] == '0')
			len--;
		if (s[len - 1] == '.')
			len--;
	}
	return pj_decimal_from_text(s, len, d) ? NUM_EXACT : NUM_OUT_OF_RANGE;
}

/*
 * The numeric as an exact decimal, checked.  With out_of_range set, a
 * number beyond the core's range is no error: *out_of_range becomes true and
 * the result is 0 (assess() scores such a weight as unscorable).
 */
static IvDecimal
numeric_decimal_soft(Datum num, const char *what, ArgCheck check, const char *hint,
					 bool *out_of_range)
{
	char	   *s;
	IvDecimal	d = {0, 0};

	switch (numeric_exact(num, &d, &s))
	{
		case NUM_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite number, not %s", what, s),
					 errhint("Scores are computed from finite numbers only.")));
			break;
		case NUM_OUT_OF_RANGE:
			if (out_of_range != NULL)
			{
				*out_of_range = true;
				pfree(s);
				d.coef = 0;
				d.exp = 0;
				return d;
			}
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s %s is out of range for exact scoring", what, s),
					 errdetail("Scores are computed exactly, from numbers of at most %d significant digits and %d decimal places.",
							   IV_MAX_DIGITS, IV_MAX_DIGITS),
					 errhint("Round the number, or give the amount in a larger unit.")));
			break;
		case NUM_EXACT:
			break;
	}
	if (check == CHECK_NONNEGATIVE && d.coef < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative: %s", what, s),
				 errhint("%s", hint)));
	if (check == CHECK_ABOVE_ONE && pj_decimal_cmp(d, dec_one) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be greater than 1: %s", what, s),
				 errhint("%s", hint)));
	pfree(s);
	return d;
}

static IvDecimal
numeric_decimal(Datum num, const char *what, ArgCheck check, const char *hint)
{
	return numeric_decimal_soft(num, what, check, hint, NULL);
}

/* numeric_decimal for the other glue files (glue.h). */
IvDecimal
pj_numeric_arg(Datum num, const char *what, bool nonnegative, const char *hint)
{
	return numeric_decimal(num, what, nonnegative ? CHECK_NONNEGATIVE : CHECK_ANY, hint);
}

/*
 * An amount or weight for the try_ functions: false, never an error, where
 * the plain function would refuse it (not finite, beyond the core's range,
 * negative).
 */
static bool
nonnegative_exact(Datum num, IvDecimal *d)
{
	char	   *s;
	NumStatus	status = numeric_exact(num, d, &s);

	pfree(s);
	return status == NUM_EXACT && d->coef >= 0;
}

/*
 * Converted numerics, remembered by their bytes: a small two-way
 * set-associative table, so the handful of weights a table of forms uses
 * (0, 2, 5, 6, 10, 15, 30 ...) are each converted once per query, however
 * they alternate from row to row.  Equal bytes are an equal value (the
 * converse need not hold: 5 and 5.0 differ, and just take two entries).
 */
#define KEY_MAX_BYTES	24
#define CACHE_SETS		16		/* a power of two */

typedef struct DecimalKey
{
	uint8		len;			/* 0: empty (a numeric has at least a header) */
	uint64		head;			/* the first 8 bytes, zero-padded */
	char		bytes[KEY_MAX_BYTES];
	IvDecimal	value;
} DecimalKey;

typedef struct DecimalCache
{
	DecimalKey	ways[CACHE_SETS][2];
	uint8		older[CACHE_SETS];	/* the way to replace next */
} DecimalCache;

static IvDecimal
cached_decimal(DecimalCache *cache, Datum num, const char *what, ArgCheck check,
			   const char *hint, bool *out_of_range)
{
	struct varlena *p = PG_DETOAST_DATUM_PACKED(num);
	size_t		len = VARSIZE_ANY_EXHDR(p);
	const char *bytes = VARDATA_ANY(p);
	uint64		head = 0;
	uint32		h;
	size_t		i;
	DecimalKey *set,
			   *k;
	IvDecimal	d;

	if (len > KEY_MAX_BYTES)
		return numeric_decimal_soft(num, what, check, hint, out_of_range);
	/* the header and first digits tell the usual weights apart */
	if (len >= sizeof(head))
		memcpy(&head, bytes, sizeof(head));
	else
		for (i = 0; i < len; i++)
			head |= (uint64) (uint8) bytes[i] << (8 * i);
	h = (uint32) (((head ^ len) * UINT64CONST(0x9E3779B97F4A7C15)) >> 60) & (CACHE_SETS - 1);
	set = cache->ways[h];
	for (i = 0; i < 2; i++)
		if (set[i].len == len && set[i].head == head &&
			(len <= sizeof(head) || memcmp(set[i].bytes, bytes, len) == 0))
		{
			cache->older[h] = (uint8) (1 - i);
			return set[i].value;
		}

	/* checked before it is remembered: an error is never cached away */
	d = numeric_decimal_soft(num, what, check, hint, out_of_range);
	if (out_of_range != NULL && *out_of_range)
		return d;
	k = &set[cache->older[h]];
	cache->older[h] = (uint8) (1 - cache->older[h]);
	k->len = (uint8) len;
	k->head = head;
	memcpy(k->bytes, bytes, len);
	k->value = d;
	return d;
}


/* ---------- exact decimal to numeric ---------- */

/*
 * Scores repeat (5.00, 10.00, 0.00 ...): indicator_score keeps the numerics
 * it built, direct-mapped by value, and hands out copies, which is cheaper
 * than building each one again.
 */
#define RESULT_SLOTS	64		/* a power of two */
#define RESULT_MAX_BYTES 24

typedef struct ResultCache
{
	int64		coef[RESULT_SLOTS];
	uint8		size[RESULT_SLOTS]; /* 0: empty */
	char		bytes[RESULT_SLOTS][RESULT_MAX_BYTES];
} ResultCache;

static Datum scale2_numeric(IvDecimal d);

static Datum
cached_scale2_numeric(ResultCache *cache, IvDecimal d)
{
	uint32		slot = (uint32) (((uint64) d.coef * UINT64CONST(0x9E3779B97F4A7C15)) >> 58) &
		(RESULT_SLOTS - 1);
	Datum		result;
	Size		size;

	if (cache->size[slot] != 0 && cache->coef[slot] == d.coef)
	{
		void	   *copy = palloc(cache->size[slot]);

		memcpy(copy, cache->bytes[slot], cache->size[slot]);
		return PointerGetDatum(copy);
	}
	result = scale2_numeric(d);
	size = VARSIZE_ANY(DatumGetPointer(result));
	if (size <= RESULT_MAX_BYTES)
	{
		cache->coef[slot] = d.coef;
		cache->size[slot] = (uint8) size;
		memcpy(cache->bytes[slot], DatumGetPointer(result), size);
	}
	return result;
}

/* A score or a rate: coef x 10^-2, with scale 2 (100.00, 0.00). */
static Datum
scale2_numeric(IvDecimal d)
{
	Assert(d.exp == -2);
#if PG_VERSION_NUM >= 140000
	return NumericGetDatum(int64_div_fast_to_numeric(d.coef, 2));
#else
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), INT64_FORMAT "e-2", (int64) d.coef);
		return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
								   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	}
#endif
}

/* Room for pj_wide_text's longest text and a NUL: the type says the size. */
typedef struct WideText
{
	char		s[PJ_WIDE_TEXT_MAX + 1];
} WideText;

/* A plain decimal (JSON's and numeric_in's syntax), in buf. */
static char *
wide_cstring(PjWide w, WideText *buf)
{
	buf->s[pj_wide_text(w, buf->s)] = '\0';
	return buf->s;
}

static Datum
wide_numeric(PjWide w)
{
	WideText	buf;

	return DirectFunctionCall3(numeric_in, CStringGetDatum(wide_cstring(w, &buf)),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

static Datum
int_numeric(int64 i)
{
	return DirectFunctionCall1(int8_numeric, Int64GetDatum(i));
}

static bool
numeric_less(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b)) < 0;
}

/* One part's completion num / den in numeric's own division. */
static Datum
part_completion(const PjPart *p, bool capped)
{
	Datum		num = wide_numeric(p->num),
				den = wide_numeric(p->den);

	if (capped && !numeric_less(num, den))
		return int_numeric(1);
	return DirectFunctionCall2(numeric_div, num, den);
}

/*
 * The mean of the parts' completions: raw (over-achievement shows) or each
 * capped at 1 (what the score is computed from).  A matching qualitative
 * text has no parts and is complete.
 */
static Datum
outcome_completion(const PjOutcome *o, bool capped)
{
	Datum		sum;
	int			i;

	if (o->nparts == 0)
		return int_numeric(1);
	sum = part_completion(&o->parts[0], capped);
	for (i = 1; i < o->nparts; i++)
		sum = DirectFunctionCall2(numeric_add, sum, part_completion(&o->parts[i], capped));
	if (o->nparts == 1)
		return sum;
	return DirectFunctionCall2(numeric_div, sum, int_numeric(o->nparts));
}


/* ---------- per-call state ---------- */

/*
 * What a call site remembers across rows.  Knobs written as constants in
 * the query (the usual case, and always so for the defaults) are converted
 * once; a weight from a column goes through the cache above.
 */
typedef struct ScoreCache
{
	bool		stable_checked;
	bool		knobs_stable;	/* over_ratio and formula are constants */
	bool		knobs_known;
	PjRules		rules;
	bool		weight_checked;
	bool		weight_known;	/* the weight is a constant, converted */
	IvDecimal	weight;
	DecimalCache weights;
	DecimalCache over_ratios;
	ResultCache results;
	/* assess(): what its rows repeat, kept in fn_mcxt (heap_form_tuple copies) */
	TupleDesc	assessment;		/* blessed */
	Datum		rule_names[PJ_RULE_NOT_APPLICABLE + 1];
	Datum	   *flag_arrays;	/* by flags, plus 1 << PJ_N_FLAGS for "unreadable" */
} ScoreCache;

static ScoreCache *
score_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(ScoreCache));
	return (ScoreCache *) fcinfo->flinfo->fn_extra;
}

static PjNegativeFormula
negative_formula_arg(text *t)
{
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);

	if (len == 5 && memcmp(s, "ratio", 5) == 0)
		return PJ_NEGATIVE_RATIO;
	if (len == 6 && memcmp(s, "linear", 6) == 0)
		return PJ_NEGATIVE_LINEAR;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown negative_formula \"%s\"", text_to_cstring(t)),
			 errhint("Use 'ratio' (T/A, central-2020) or 'linear' (1 - (A-T)/T, floored at 0).")));
	return PJ_NEGATIVE_RATIO;	/* not reached */
}

/*
 * The knobs of a call: over_ratio from argument over_arg and the negative
 * formula from formula_arg (-1: not an argument, central-2020's).  False
 * when one of them is NULL.
 */
static bool
rules_args(FunctionCallInfo fcinfo, ScoreCache *cache, int over_arg, int formula_arg,
		   PjRules *rules)
{
	if (cache->knobs_known)
	{
		*rules = cache->rules;
		return true;
	}
	*rules = pj_rules_default();
	if (PG_ARGISNULL(over_arg) || (formula_arg >= 0 && PG_ARGISNULL(formula_arg)))
		return false;
	rules->over_ratio = cached_decimal(&cache->over_ratios, PG_GETARG_DATUM(over_arg),
									   "over_ratio", CHECK_ABOVE_ONE, HINT_OVER_RATIO, NULL);
	if (formula_arg >= 0)
		rules->negative = negative_formula_arg(PG_GETARG_TEXT_PP(formula_arg));

	if (!cache->stable_checked)
	{
		cache->stable_checked = true;
		cache->knobs_stable = get_fn_expr_arg_stable(fcinfo->flinfo, over_arg) &&
			(formula_arg < 0 || get_fn_expr_arg_stable(fcinfo->flinfo, formula_arg));
		if (cache->knobs_stable)
		{
			cache->rules = *rules;
			cache->knobs_known = true;
		}
	}
	return true;
}

/*
 * The weight (not NULL) from argument arg, checked.  With out_of_range set,
 * a weight beyond the core's range sets it instead of raising.
 */
static IvDecimal
weight_arg_soft(FunctionCallInfo fcinfo, ScoreCache *cache, int arg, bool *out_of_range)
{
	IvDecimal	w;

	if (cache->weight_known)
		return cache->weight;
	w = cached_decimal(&cache->weights, PG_GETARG_DATUM(arg), "weight",
					   CHECK_NONNEGATIVE, HINT_WEIGHT, out_of_range);
	if (out_of_range != NULL && *out_of_range)
		return w;
	if (!cache->weight_checked)
	{
		cache->weight_checked = true;
		if (get_fn_expr_arg_stable(fcinfo->flinfo, arg))
		{
			cache->weight = w;
			cache->weight_known = true;
		}
	}
	return w;
}

static IvDecimal
weight_arg(FunctionCallInfo fcinfo, ScoreCache *cache, int arg)
{
	return weight_arg_soft(fcinfo, cache, arg, NULL);
}

/* Scores target (arg 0) against actual (arg 1); the category is arg cat_arg. */
static void
score_args(FunctionCallInfo fcinfo, IvValue *t, IvValue *a, IvDecimal weight, int cat_arg,
		   const PjRules *rules, PjOutcome *out)
{
	const char *category = NULL;
	size_t		category_len = 0;

	pj_fetch_value(PG_GETARG_DATUM(0), t);
	pj_fetch_value(PG_GETARG_DATUM(1), a);
	if (!PG_ARGISNULL(cat_arg))
	{
		text	   *c = PG_GETARG_TEXT_PP(cat_arg);

		category = VARDATA_ANY(c);
		category_len = VARSIZE_ANY_EXHDR(c);
	}
	pj_score_indicator(t, a, weight, category, category_len, rules, out);
}

static Datum
flags_array(uint16 flags, bool unreadable, bool unscorable)
{
	Datum		names[PJ_N_FLAGS + 2];
	int			n = 0,
				bit;

	if (unreadable)
		names[n++] = CStringGetTextDatum(FLAG_UNREADABLE_NAME);
	for (bit = 0; bit < PJ_N_FLAGS; bit++)
		if (flags & (1u << bit))
			names[n++] = CStringGetTextDatum(pj_flag_name(bit));
	if (unscorable)
		names[n++] = CStringGetTextDatum(FLAG_UNSCORABLE_NAME);
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
}


/* ---------- funds ---------- */

/*
 * An amount or weight argument: checked (an error when it is not a number
 * of 0 or more the core holds exactly), or with soft, false instead.
 */
static bool
fund_arg(FunctionCallInfo fcinfo, int arg, bool soft, const char *what, const char *hint,
		 IvDecimal *d)
{
	if (soft)
		return nonnegative_exact(PG_GETARG_DATUM(arg), d);
	*d = numeric_decimal(PG_GETARG_DATUM(arg), what, CHECK_NONNEGATIVE, hint);
	return true;
}

/*
 * execution_rate(budget, executed): executed / budget as a percentage, 2
 * places.  try_execution_rate (soft): NULL instead of an error.
 */
static Datum
execution_rate_common(FunctionCallInfo fcinfo, bool soft)
{
	IvDecimal	budget,
				executed,
				rate;

	if (!fund_arg(fcinfo, 0, soft, "budget", HINT_AMOUNT, &budget) ||
		!fund_arg(fcinfo, 1, soft, "executed amount", HINT_AMOUNT, &executed) ||
		budget.coef == 0)
		PG_RETURN_NULL();
	if (!pj_execution_rate(budget, executed, &rate))
	{
		if (soft)
			PG_RETURN_NULL();
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("execution rate out of range"),
				 errdetail("The executed amount is more than about 4.6 × 10^14 times the budget."),
				 errhint("Check that both amounts are in the same unit.")));
	}
	PG_RETURN_DATUM(scale2_numeric(rate));
}

Datum
scoring_execution_rate(PG_FUNCTION_ARGS)
{
	return execution_rate_common(fcinfo, false);
}

Datum
scoring_try_execution_rate(PG_FUNCTION_ARGS)
{
	return execution_rate_common(fcinfo, true);
}

/*
 * fund_score(budget, executed, weight): weight x min(executed / budget, 1),
 * 2 places.  try_fund_score (soft): NULL instead of an error.
 */
static Datum
fund_score_common(FunctionCallInfo fcinfo, bool soft)
{
	IvDecimal	budget,
				executed,
				weight,
				score;

	if (!fund_arg(fcinfo, 0, soft, "budget", HINT_AMOUNT, &budget) ||
		!fund_arg(fcinfo, 1, soft, "executed amount", HINT_AMOUNT, &executed) ||
		!fund_arg(fcinfo, 2, soft, "weight", HINT_WEIGHT, &weight) ||
		budget.coef == 0)
		PG_RETURN_NULL();
	if (!pj_fund_score(weight, budget, executed, &score))
	{
		if (soft)
			PG_RETURN_NULL();
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("fund score out of range"),
				 errdetail("The weight or the amounts are beyond exact arithmetic."),
				 errhint("Check that both amounts are in the same unit.")));
	}
	PG_RETURN_DATUM(scale2_numeric(score));
}

Datum
scoring_fund_score(PG_FUNCTION_ARGS)
{
	return fund_score_common(fcinfo, false);
}

Datum
scoring_try_fund_score(PG_FUNCTION_ARGS)
{
	return fund_score_common(fcinfo, true);
}

/* is_scorable_number(value): does the core hold it exactly? */
Datum
scoring_is_scorable_number(PG_FUNCTION_ARGS)
{
	IvDecimal	d;
	char	   *s;
	NumStatus	status = numeric_exact(PG_GETARG_DATUM(0), &d, &s);

	pfree(s);
	PG_RETURN_BOOL(status == NUM_EXACT);
}


/* ---------- one indicator ---------- */

/* completion(target, actual, category): the raw mean of num/den, uncapped */
Datum
scoring_completion(PG_FUNCTION_ARGS)
{
	PjRules		rules = pj_rules_default();
	IvValue		t,
				a;
	PjOutcome	o;
	IvDecimal	zero = {0, 0};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	score_args(fcinfo, &t, &a, zero, 2, &rules, &o);
	if (!o.has_completion)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(outcome_completion(&o, false));
}

/*
 * indicator_score(target, actual, weight, category, over_ratio,
 * negative_formula): the hot path, one call per row.
 */
Datum
scoring_indicator_score(PG_FUNCTION_ARGS)
{
	ScoreCache *cache;
	PjRules		rules;
	IvDecimal	weight;
	IvValue		t,
				a;
	PjOutcome	o;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	cache = score_cache(fcinfo);
	if (!rules_args(fcinfo, cache, 4, 5, &rules))
		PG_RETURN_NULL();
	weight = weight_arg(fcinfo, cache, 2);
	score_args(fcinfo, &t, &a, weight, 3, &rules, &o);
	if (!o.has_score)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(cached_scale2_numeric(&cache->results, o.score));
}

/* indicator_flags(target, actual, category, over_ratio): text[] */
Datum
scoring_indicator_flags(PG_FUNCTION_ARGS)
{
	ScoreCache *cache;
	PjRules		rules;
	IvValue		t,
				a;
	PjOutcome	o;
	IvDecimal	zero = {0, 0};

	cache = score_cache(fcinfo);
	if (!rules_args(fcinfo, cache, 3, -1, &rules))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_DATUM(flags_array(0, true, false));
	score_args(fcinfo, &t, &a, zero, 2, &rules, &o);
	PG_RETURN_DATUM(flags_array(o.flags, false, false));
}

/* The name of a rule as text, built once per call site. */
static Datum
assess_rule_name(FunctionCallInfo fcinfo, ScoreCache *cache, PjRule rule)
{
	if (cache->rule_names[rule] == (Datum) 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache->rule_names[rule] = CStringGetTextDatum(pj_rule_name(rule));
		MemoryContextSwitchTo(old);
	}
	return cache->rule_names[rule];
}

/* The flags as text[], built once per call site and combination of flags. */
static Datum
assess_flags(FunctionCallInfo fcinfo, ScoreCache *cache, uint16 flags, bool unreadable)
{
	uint32		key = unreadable ? 1u << PJ_N_FLAGS : flags;
	MemoryContext old;

	Assert(flags < (1u << PJ_N_FLAGS));
	if (cache->flag_arrays == NULL)
		cache->flag_arrays = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
													sizeof(Datum) << (PJ_N_FLAGS + 1));
	if (cache->flag_arrays[key] == (Datum) 0)
	{
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cache->flag_arrays[key] = flags_array(flags, unreadable, false);
		MemoryContextSwitchTo(old);
	}
	return cache->flag_arrays[key];
}

/* assess(target, actual, weight, category, over_ratio, negative_formula): all in one */
Datum
scoring_assess(PG_FUNCTION_ARGS)
{
	ScoreCache *cache = score_cache(fcinfo);
	PjRules		rules;
	IvDecimal	weight = {0, 0};
	IvValue		t,
				a;
	PjOutcome	o;
	Datum		values[ASSESSMENT_COLS];
	bool		nulls[ASSESSMENT_COLS] = {false, true, true, false};

	if (!rules_args(fcinfo, cache, 4, 5, &rules))
		PG_RETURN_NULL();
	if (cache->assessment == NULL)
	{
		TupleDesc	desc;
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning record called in context that cannot accept type record")));
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cache->assessment = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
	}

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		values[0] = assess_rule_name(fcinfo, cache, PJ_RULE_NONE);
		values[3] = assess_flags(fcinfo, cache, 0, true);
	}
	else
	{
		/* a weight beyond exact scoring: no score and a flag, no error */
		bool		unscorable = false;

		if (!PG_ARGISNULL(2))
			weight = weight_arg_soft(fcinfo, cache, 2, &unscorable);
		score_args(fcinfo, &t, &a, weight, 3, &rules, &o);
		values[0] = assess_rule_name(fcinfo, cache, o.rule);
		if (o.has_completion)
		{
			values[1] = outcome_completion(&o, false);
			nulls[1] = false;
		}
		if (o.has_score && !PG_ARGISNULL(2) && !unscorable)
		{
			values[2] = cached_scale2_numeric(&cache->results, o.score);
			nulls[2] = false;
		}
		values[3] = unscorable ? flags_array(o.flags, false, true)
			: assess_flags(fcinfo, cache, o.flags, false);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->assessment, values, nulls)));
}


/* ---------- explain ---------- */

typedef struct Json
{
	StringInfoData buf;
	bool		first;			/* no member yet in the open object */
} Json;

static void
json_key(Json *j, const char *key)
{
	if (!j->first)
		appendStringInfoString(&j->buf, ", ");
	j->first = false;
	escape_json(&j->buf, key);
	appendStringInfoString(&j->buf, ": ");
}

static void
json_open(Json *j, char c)
{
	appendStringInfoChar(&j->buf, c);
	j->first = true;
}

static void
json_close(Json *j, char c)
{
	appendStringInfoChar(&j->buf, c);
	j->first = false;
}

static void
json_string(Json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s == NULL)
		appendStringInfoString(&j->buf, "null");
	else
		escape_json(&j->buf, s);
}

static void
json_span(Json *j, const char *key, const char *s, size_t len)
{
	char	   *c = len > 0 ? pnstrdup(s, len) : NULL;

	json_string(j, key, c);
	if (c)
		pfree(c);
}

/* numeric_out's text is a valid JSON number (never NaN here) */
static void
json_numeric(Json *j, const char *key, Datum num, bool isnull)
{
	json_key(j, key);
	if (isnull)
		appendStringInfoString(&j->buf, "null");
	else
		appendStringInfoString(&j->buf,
							   DatumGetCString(DirectFunctionCall1(numeric_out, num)));
}

static void
json_int(Json *j, const char *key, int i, bool isnull)
{
	json_key(j, key);
	if (isnull)
		appendStringInfoString(&j->buf, "null");
	else
		appendStringInfo(&j->buf, "%d", i);
}

static void
json_flags(Json *j, const char *key, uint16 flags, bool unreadable)
{
	int			bit;

	json_key(j, key);
	json_open(j, '[');
	if (unreadable)
	{
		j->first = false;
		escape_json(&j->buf, FLAG_UNREADABLE_NAME);
	}
	for (bit = 0; bit < PJ_N_FLAGS; bit++)
		if (flags & (1u << bit))
		{
			if (!j->first)
				appendStringInfoString(&j->buf, ", ");
			j->first = false;
			escape_json(&j->buf, pj_flag_name(bit));
		}
	json_close(j, ']');
}

/*
 * Which way a part counts, for a reader: the rule says it, a date deadline
 * (≤, before) counts like a negative indicator, a date floor like a positive
 * one.
 */
static const char *
part_direction(const PjPart *p, const IvClause *tc)
{
	switch (p->rule)
	{
		case PJ_RULE_POSITIVE:
			return "positive";
		case PJ_RULE_NEGATIVE:
		case PJ_RULE_ZERO_TARGET:
			return "negative";
		case PJ_RULE_RANGE:
			return "two_sided";
		case PJ_RULE_DATE:
			return tc->cmp == IV_CMP_RANGE ? "two_sided" :
				tc->cmp == IV_CMP_GE || tc->cmp == IV_CMP_GT ? "positive" : "negative";
		default:
			return NULL;
	}
}

/*
 * Whether the comparison or the level-2 category set the direction: a
 * target written =T, ≈T or bare takes it from the category (成本 is
 * negative), scoring-rules §3.
 */
static const char *
part_direction_source(const PjPart *p, const IvClause *tc)
{
	if (p->rule == PJ_RULE_NONE)
		return NULL;
	if (p->rule == PJ_RULE_ZERO_TARGET)
		return "zero_target";
	if ((p->rule == PJ_RULE_POSITIVE || p->rule == PJ_RULE_NEGATIVE) &&
		(tc->cmp == IV_CMP_EQ || tc->cmp == IV_CMP_APPROX))
		return "category";
	return "comparison";
}

/* The unit both sides were compared in; a bare number took the other side's. */
static void
json_base_unit(Json *j, const IvValue *v, const IvClause *c, const IvValue *other,
			   const IvClause *oc)
{
	size_t		cap = 64 + (size_t) Max(c->per_len, oc ? oc->per_len : 0) + 1;
	char	   *buf = palloc(cap);
	size_t		n = iv_clause_base_unit(v, c, buf, cap);

	if (n == 0 && oc != NULL)
		n = iv_clause_base_unit(other, oc, buf, cap);
	json_span(j, "base_unit", buf, n);
	pfree(buf);
}

static void
json_part(Json *j, const PjPart *p, const IvValue *t, const IvValue *a)
{
	const IvClause *tc = &t->clauses[p->target_clause];
	const IvClause *ac = p->actual_clause == UINT8_MAX ? NULL : &a->clauses[p->actual_clause];
	bool		resolved = p->rule != PJ_RULE_NONE;
	WideText	buf;

	json_open(j, '{');
	json_int(j, "target_clause", p->target_clause + 1, false);
	json_int(j, "actual_clause", p->actual_clause + 1, ac == NULL);
	json_span(j, "label", t->text + tc->label_off, tc->label_len);
	json_string(j, "comparison", iv_cmp_symbol((IvCmp) tc->cmp));
	json_string(j, "rule", pj_rule_name(p->rule));
	json_string(j, "direction", part_direction(p, tc));
	json_string(j, "direction_from", part_direction_source(p, tc));
	/* base values as compared, in one unit */
	json_key(j, "target");
	appendStringInfoString(&j->buf, resolved ? wide_cstring(p->target, &buf) : "null");
	json_key(j, "actual");
	appendStringInfoString(&j->buf, resolved ? wide_cstring(p->actual, &buf) : "null");
	if (tc->cmp == IV_CMP_RANGE)
	{
		/* the upper bound in the target's own base unit, as base_upper() */
		bool		known = resolved && (tc->dim != IV_DIM_NONE || (ac && ac->dim == IV_DIM_NONE));
		IvDecimal	f = tc->dim == IV_DIM_DATE ? dec_one : iv_clause_factor(tc);
		PjWide		u = {(pj_int128) tc->upper.coef * f.coef, tc->upper.exp + f.exp};

		json_key(j, "target_upper");
		appendStringInfoString(&j->buf, known ? wide_cstring(u, &buf) : "null");
	}
	if (resolved)
		json_base_unit(j, t, tc, a, ac);
	else
		json_string(j, "base_unit", NULL);
	json_numeric(j, "completion", p->has_ratio ? part_completion(p, false) : (Datum) 0, !p->has_ratio);
	json_numeric(j, "capped_completion", p->has_ratio ? part_completion(p, true) : (Datum) 0, !p->has_ratio);
	json_flags(j, "flags", p->flags, false);
	json_close(j, '}');
}

/* explain(target, actual, weight, category, over_ratio, negative_formula): jsonb */
Datum
scoring_explain(PG_FUNCTION_ARGS)
{
	ScoreCache *cache = score_cache(fcinfo);
	PjRules		rules;
	IvDecimal	weight = {0, 0};
	IvValue		t,
				a;
	PjOutcome	o;
	bool		readable = !PG_ARGISNULL(0) && !PG_ARGISNULL(1);
	bool		has_weight = !PG_ARGISNULL(2);
	Json		j;
	int			i;

	if (!rules_args(fcinfo, cache, 4, 5, &rules))
		PG_RETURN_NULL();
	if (has_weight)
		weight = weight_arg(fcinfo, cache, 2);

	initStringInfo(&j.buf);
	json_open(&j, '{');
	if (!PG_ARGISNULL(0))
	{
		pj_fetch_value(PG_GETARG_DATUM(0), &t);
		json_span(&j, "target", t.text, t.text_len);
	}
	else
		json_string(&j, "target", NULL);
	if (!PG_ARGISNULL(1))
	{
		pj_fetch_value(PG_GETARG_DATUM(1), &a);
		json_span(&j, "actual", a.text, a.text_len);
	}
	else
		json_string(&j, "actual", NULL);
	if (PG_ARGISNULL(3))
		json_string(&j, "category", NULL);
	else
		json_string(&j, "category", TextDatumGetCString(PG_GETARG_DATUM(3)));

	if (readable)
		score_args(fcinfo, &t, &a, weight, 3, &rules, &o);
	else
	{
		memset(&o, 0, sizeof(o));
		o.rule = PJ_RULE_NONE;
	}

	json_string(&j, "rule", pj_rule_name(o.rule));
	if (o.rule == PJ_RULE_CLAUSES)
		json_string(&j, "direction", "per_clause");
	else if (o.nparts == 1)
		json_string(&j, "direction", part_direction(&o.parts[0], &t.clauses[o.parts[0].target_clause]));
	else
		json_string(&j, "direction", NULL);

	json_key(&j, "parts");
	json_open(&j, '[');
	for (i = 0; i < o.nparts; i++)
	{
		if (i > 0)
			appendStringInfoString(&j.buf, ", ");
		json_part(&j, &o.parts[i], &t, &a);
	}
	json_close(&j, ']');

	json_numeric(&j, "completion", o.has_completion ? outcome_completion(&o, false) : (Datum) 0,
				 !o.has_completion);
	json_numeric(&j, "capped_completion", o.has_completion ? outcome_completion(&o, true) : (Datum) 0,
				 !o.has_completion);
	json_numeric(&j, "weight", PG_GETARG_DATUM(2), !has_weight);
	json_numeric(&j, "score", o.has_score && has_weight ? scale2_numeric(o.score) : (Datum) 0,
				 !(o.has_score && has_weight));
	json_flags(&j, "flags", o.flags, !readable);
	json_numeric(&j, "over_ratio", PG_GETARG_DATUM(4), false);
	json_string(&j, "negative_formula", rules.negative == PJ_NEGATIVE_LINEAR ? "linear" : "ratio");
	json_close(&j, '}');

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(j.buf.data)));
}


/* ---------- grade ---------- */

/* grade(total, excellent, good, pass): 优 良 中 差, lower bounds included */
Datum
scoring_grade(PG_FUNCTION_ARGS)
{
	IvDecimal	total = numeric_decimal(PG_GETARG_DATUM(0), "total", CHECK_ANY, NULL),
				excellent = numeric_decimal(PG_GETARG_DATUM(1), "excellent", CHECK_ANY, NULL),
				good = numeric_decimal(PG_GETARG_DATUM(2), "good", CHECK_ANY, NULL),
				pass = numeric_decimal(PG_GETARG_DATUM(3), "pass", CHECK_ANY, NULL);

	if (pj_decimal_cmp(excellent, good) < 0 || pj_decimal_cmp(good, pass) < 0)
	{
		char	   *e = DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(1))),
				   *g = DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(2))),
				   *p = DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(3)));

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grade bounds out of order: excellent %s, good %s, pass %s", e, g, p),
				 errhint("The bounds must satisfy excellent >= good >= pass (central-2020: 90, 80, 60).")));
	}
	PG_RETURN_TEXT_P(cstring_to_text(pj_grade(total, excellent, good, pass)));
}

/*
 * indicator_level_name(level): the level name the standard's lists hold,
 * with 指标 put back (产出指标 (50分) -> 产出指标).  Runs once per indicator
 * row in indicator_result, where the regular expressions it replaced cost
 * more than scoring the row.
 */
Datum
scoring_level_name(PG_FUNCTION_ARGS)
{
	const size_t word = sizeof(PJ_WORD_INDICATOR) - 1;
	text	   *level = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(level),
				n;
	text	   *result;

	pj_require_utf8();
	result = palloc(VARHDRSZ + len + word);
	n = pj_level_name(VARDATA_ANY(level), len, VARDATA(result));
	memcpy(VARDATA(result) + n, PJ_WORD_INDICATOR, word);
	SET_VARSIZE(result, VARHDRSZ + n + word);
	PG_RETURN_TEXT_P(result);
}

/*
 * is_explained(text): false for an explanation that says nothing (NULL,
 * blank, a placeholder, 无: iv_explains_nothing), true otherwise.
 */
PG_FUNCTION_INFO_V1(pj_is_explained);
Datum
pj_is_explained(PG_FUNCTION_ARGS)
{
	text	   *t;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	t = PG_GETARG_TEXT_PP(0);
	PG_RETURN_BOOL(!iv_explains_nothing(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}
