/*
 * rules.h - the scoring rules of a 项目支出绩效自评表 (docs/scoring-rules.md):
 * completion ratio, indicator score, audit flags.
 *
 * Plain C on top of ivalue.h, no PostgreSQL headers.  Arithmetic is exact:
 * a completion is kept as a fraction of two exact decimals and a score is
 * the exact rational result rounded half-up to two places, never a float.
 */
#ifndef PJEVAL_RULES_H
#define PJEVAL_RULES_H

#include "ivalue.h"

__extension__ typedef __int128 pj_int128;

/* An exact decimal wide enough for any value times its unit factor. */
typedef struct PjWide
{
	pj_int128	coef;
	int32_t		exp;
} PjWide;

typedef enum PjRule
{
	PJ_RULE_NONE = 0,			/* no rule applies: the score is a person's */
	PJ_RULE_POSITIVE,			/* ≥T: A ≥ T → 1, else A/T (signed: |T|/|A| for T < 0) */
	PJ_RULE_NEGATIVE,			/* ≤T: A ≤ T → 1, else T/A or linear (|A|/|T| for T < 0) */
	PJ_RULE_ZERO_TARGET,		/* T = 0 with no comparison: A = 0 → 1, else 0 */
	PJ_RULE_RANGE,				/* a ≤ A ≤ b → 1; below A/a; above b/A (on magnitudes) */
	PJ_RULE_DATE,				/* a deadline: met or not, no ratio */
	PJ_RULE_CLAUSES,			/* labelled clauses: the mean of each clause's c */
	PJ_RULE_QUALITATIVE_MATCH,	/* the actual text is the target text: full weight */
	PJ_RULE_NOT_APPLICABLE		/* 不适用: weight 0, score 0 */
} PjRule;

typedef enum PjNegativeFormula
{
	PJ_NEGATIVE_RATIO = 0,		/* T / A (central-2020) */
	PJ_NEGATIVE_LINEAR = 1		/* 1 - (A - T) / T, floored at 0 */
} PjNegativeFormula;

/* Audit flags (scoring-rules §4). */
#define PJ_FLAG_NOT_MET			0x0001	/* c < 1, or a strict target missed */
#define PJ_FLAG_OVER_ACHIEVED	0x0002	/* positive, A / T ≥ the profile's ratio */
#define PJ_FLAG_INCOMPARABLE	0x0004	/* units of different dimensions */
#define PJ_FLAG_NEEDS_BAND		0x0008	/* qualitative: the evaluator's band decides */
#define PJ_FLAG_CLAIM			0x0010	/* the actual claims instead of measuring */
#define PJ_FLAG_MISSING			0x0020	/* an empty target or actual */
#define PJ_FLAG_UNMATCHED		0x0040	/* a target clause with no actual clause */
#define PJ_FLAG_TOO_LARGE		0x0080	/* numbers beyond exact arithmetic here */
#define PJ_FLAG_DATE_MISSED		0x0100	/* a deadline missed: the evaluator scores */
#define PJ_FLAG_OPPOSITE_SIGN	0x0200	/* missed on the other side of zero: c = 0 */
#define PJ_N_FLAGS 10

/* The knobs a profile sets; pj_rules_default() is central-2020. */
typedef struct PjRules
{
	IvDecimal	over_ratio;		/* 1.30 */
	PjNegativeFormula negative;
} PjRules;

/* One compared clause: its completion is num / den (den > 0). */
typedef struct PjPart
{
	PjRule		rule;
	uint16_t	flags;
	uint8_t		target_clause,
				actual_clause;
	bool		has_ratio;
	PjWide		target,			/* base values compared */
				actual;
	PjWide		num,
				den;
} PjPart;

typedef struct PjOutcome
{
	PjRule		rule;			/* for clause lists: PJ_RULE_CLAUSES */
	uint16_t	flags;			/* union of the parts' flags */
	int			nparts;
	PjPart		parts[IV_MAX_CLAUSES];
	bool		has_completion; /* every part has a ratio */
	bool		has_score;
	IvDecimal	score;			/* exp -2, half-up */
} PjOutcome;

PjRules		pj_rules_default(void);

/* 成本指标 and its kinds (经济/社会/生态环境成本指标) are negative. */
bool		pj_is_cost_category(const char *category, size_t len);

/*
 * A level-1 or level-2 name reduced to what the standard's lists hold: no
 * white space (ASCII or 　), no bracketed text (a weight: (50分), （50分）),
 * no trailing 指标.  产出指标 (50分) -> 产出.  Writes at most len bytes to out
 * (UTF-8 in, UTF-8 out) and returns how many.
 */
size_t		pj_level_name(const char *in, size_t len, char *out);

/* 指标, the word the standard's level names end in */
#define PJ_WORD_INDICATOR	"\xe6\x8c\x87\xe6\xa0\x87"

/*
 * Scores one indicator.  weight >= 0 (the caller checks).  category is the
 * level-2 name or NULL; it decides the direction of "=T" and bare targets.
 */
void		pj_score_indicator(const IvValue *target, const IvValue *actual,
							   IvDecimal weight, const char *category, size_t category_len,
							   const PjRules *rules, PjOutcome *out);

/* round_half_up(weight × min(num / den, 1), 2); false if it cannot be computed. */
bool		pj_fund_score(IvDecimal weight, IvDecimal budget, IvDecimal executed,
						  IvDecimal *score);

/* round_half_up(executed / budget × 100, 2); false for a zero budget. */
bool		pj_execution_rate(IvDecimal budget, IvDecimal executed, IvDecimal *rate);

/* 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差 (bounds given, lower bounds included). */
const char *pj_grade(IvDecimal total, IvDecimal excellent, IvDecimal good, IvDecimal pass);

const char *pj_rule_name(PjRule rule);
const char *pj_flag_name(int bit);	/* bit 0 .. PJ_N_FLAGS - 1 */

/* Reads a plain decimal "[-]digits[.digits]" (numeric_out's form). */
bool		pj_decimal_from_text(const char *s, size_t len, IvDecimal *out);

/*
 * Writes a wide decimal as plain text ("-12.5", "0.05", "0"), or for a
 * number too long for that as "<coef>e<exp>"; returns its length, at most
 * PJ_WIDE_TEXT_MAX (buf needs one more byte for a NUL).
 */
#define PJ_WIDE_TEXT_MAX	63
size_t		pj_wide_text(PjWide w, char *buf);

int			pj_decimal_cmp(IvDecimal a, IvDecimal b);

/*
 * Two yyyymmdd dates compared at the coarser of their precisions: a year of
 * 0 compares month and day only, a day of 0 ("that month") the month.
 */
int			pj_date_cmp(int64_t a, int64_t b);

#endif							/* PJEVAL_RULES_H */
