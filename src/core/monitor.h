/*
 * monitor.h - the in-year monitoring rules (绩效运行监控, "双监控";
 * docs/monitoring.md): 时间进度, the fund light, the indicator light, the
 * project light and the 双监控 light.
 *
 * Plain C on top of rules.h, no PostgreSQL headers, no allocation.  Every
 * comparison with a threshold is exact (the ratios are fractions of exact
 * decimals, never rounded before they are compared); a value exactly on a
 * threshold falls in the higher band.  Only the figures handed back for
 * display (time progress, v) are rounded, half-up to two places.
 */
#ifndef PJEVAL_MONITOR_H
#define PJEVAL_MONITOR_H

#include "rules.h"

/* Ordered so that the worse light is the larger (none is no light at all). */
typedef enum PjLight
{
	PJ_LIGHT_NONE = 0,
	PJ_LIGHT_BLUE = 1,			/* well ahead: v ≥ blue_from */
	PJ_LIGHT_GREEN = 2,			/* on track */
	PJ_LIGHT_YELLOW = 3,		/* lagging: yellow_from ≤ v < green_from */
	PJ_LIGHT_RED = 4			/* behind: v < yellow_from */
} PjLight;

/* The bands, as percentages of v; pj_bands_default() is 60 / 80 / 120. */
typedef struct PjBands
{
	IvDecimal	yellow_from,
				green_from,
				blue_from;
} PjBands;

typedef enum PjTimeBasis
{
	PJ_TIME_MONTH = 0,			/* N / 12 */
	PJ_TIME_DAY = 1				/* day of the year of month N's last day / 365 or 366 */
} PjTimeBasis;

/* 时间进度 as the exact fraction num / den of the year. */
typedef struct PjTime
{
	uint32_t	num,
				den;
} PjTime;

/* A target's accrual: by its unit, or the 累计 / 时点 override (§3.2). */
typedef enum PjAccrual
{
	PJ_ACCRUAL_AUTO = 0,
	PJ_ACCRUAL_CUMULATIVE = 1,	/* 累计: pro-rated by N / 12 */
	PJ_ACCRUAL_POINT = 2		/* 时点: compared directly */
} PjAccrual;

/* Years the calendar rules accept (the Gregorian calendar, four digits). */
#define PJ_YEAR_MIN		1
#define PJ_YEAR_MAX		9999

PjBands		pj_bands_default(void);

/* The light of v against the bands (exact). */
PjLight		pj_light_of(IvDecimal v, const PjBands *bands);

const char *pj_light_name(PjLight light);	/* "blue", ...; NULL for none */

/*
 * 时间进度 to the end of month (1-12) of year: false for a month outside
 * 1-12, or on the day basis a year outside PJ_YEAR_MIN..PJ_YEAR_MAX (the
 * month basis does not look at the year).
 */
bool		pj_time_progress(int year, int month, PjTimeBasis basis, PjTime *out);

/* The fraction as a percentage, half-up to two places (7/12 → 58.33). */
IvDecimal	pj_time_percent(PjTime t);

typedef struct PjFundLight
{
	PjLight		light;			/* none when the budget is 0 */
	bool		has_index;		/* false where v is too large to show */
	IvDecimal	index;			/* v = 执行率 / 时间进度 × 100, two places, for display */
	bool		on_schedule;	/* 达到序时支出进度: 执行率 ≥ 时间进度 (v ≥ 100) */
} PjFundLight;

/*
 * The fund light (预算执行预警) from v = (executed / budget) / t × 100.
 * budget ≥ 0 and executed ≥ 0 (the caller checks); a budget of 0 gives no
 * light.  False when the numbers are beyond exact arithmetic.
 */
bool		pj_fund_light(IvDecimal budget, IvDecimal executed, PjTime t,
						  const PjBands *bands, PjFundLight *out);

typedef struct PjIndicatorLight
{
	PjLight		light;			/* the worst clause's; none when no clause has one */
	int			nparts;			/* clauses compared (0 for a value without clauses) */
	PjLight		parts[IV_MAX_CLAUSES];
	bool		has_v[IV_MAX_CLAUSES];
	IvDecimal	v[IV_MAX_CLAUSES];	/* the clause's v, two places, where it has one */
} PjIndicatorLight;

/*
 * The indicator light (§3.2) of an in-year actual against the annual target
 * at the end of month (1-12) of year (0: not known, a dated target is then
 * compared by month and day).  The comparison itself is pj_score_indicator's
 * (the scoring rules' units, directions, clauses and dates); category is the
 * level-2 name (成本 makes a bare target reverse) or NULL.
 */
void		pj_indicator_light(const IvValue *target, const IvValue *actual,
							   int year, int month, PjAccrual accrual,
							   const char *category, size_t category_len,
							   const PjBands *bands, PjIndicatorLight *out);

/* The project light: the worst of the lights given, none skipped over. */
PjLight		pj_worst_light(PjLight a, PjLight b);

/*
 * The 双监控 light from 达到序时支出进度 and 达到阶段性绩效目标, each 1 (是),
 * 0 (否) or -1 (not known): 否 on schedule → red; 是 and 是 → green; 是 and
 * 否 → yellow; anything else unknown → none.
 */
PjLight		pj_dual_light(int on_schedule, int stage_met);

#endif							/* PJEVAL_MONITOR_H */
