/*
 * test_monitor.c - unit tests of the monitoring rules (src/core/monitor.c):
 * the worked examples of docs/monitoring.md (time progress, the fund light
 * table, the ten indicators of the 2023 1-7月 form), and the boundaries
 * (v exactly 60, 80, 120 and 100; month 12; a budget of 0; an actual of 0).
 */
#include <string.h>

#include "check.h"
#include "monitor.h"

static IvDecimal
mdec(const char *s)
{
	IvDecimal	d = {0, 0};

	if (!pj_decimal_from_text(s, strlen(s), &d))
		CHECK(false, "bad decimal in test: %s", s);
	return d;
}

static const char *
text_of(IvDecimal d, char *buf)
{
	PjWide		w = {d.coef, d.exp};

	buf[pj_wide_text(w, buf)] = '\0';
	return buf;
}

static const char *
light_text(PjLight l)
{
	const char *n = pj_light_name(l);

	return n ? n : "none";
}

static void
expect_time(int year, int month, PjTimeBasis basis, const char *want)
{
	PjTime		t;
	char		got[64];

	if (!pj_time_progress(year, month, basis, &t))
	{
		CHECK(false, "time progress %d-%d refused", year, month);
		return;
	}
	text_of(pj_time_percent(t), got);
	CHECK(strcmp(got, want) == 0, "time progress %d-%02d (%s): want %s, got %s", year, month,
		  basis == PJ_TIME_DAY ? "day" : "month", want, got);
}

static void
test_time(void)
{
	PjTime		t;

	expect_time(2023, 7, PJ_TIME_MONTH, "58.33");
	expect_time(2023, 6, PJ_TIME_MONTH, "50.00");
	expect_time(2023, 12, PJ_TIME_MONTH, "100.00");
	expect_time(2023, 1, PJ_TIME_MONTH, "8.33");
	/* 2023-07-31: 212 / 365 */
	expect_time(2023, 7, PJ_TIME_DAY, "58.08");
	CHECK(pj_time_progress(2023, 7, PJ_TIME_DAY, &t) && t.num == 212 && t.den == 365,
		  "day basis 2023-07: 212/365, got %u/%u", t.num, t.den);
	/* a leap year: 2024-07-31 is day 213 of 366; 2024-02-29 day 60 */
	CHECK(pj_time_progress(2024, 7, PJ_TIME_DAY, &t) && t.num == 213 && t.den == 366,
		  "day basis 2024-07: 213/366, got %u/%u", t.num, t.den);
	CHECK(pj_time_progress(2024, 2, PJ_TIME_DAY, &t) && t.num == 60, "2024-02: day 60, got %u", t.num);
	CHECK(pj_time_progress(2100, 2, PJ_TIME_DAY, &t) && t.num == 59 && t.den == 365,
		  "2100 is not a leap year: 59/365, got %u/%u", t.num, t.den);
	expect_time(2023, 12, PJ_TIME_DAY, "100.00");
	expect_time(2024, 12, PJ_TIME_DAY, "100.00");
	/* out of range */
	CHECK(!pj_time_progress(2023, 0, PJ_TIME_MONTH, &t), "month 0 refused");
	CHECK(!pj_time_progress(2023, 13, PJ_TIME_MONTH, &t), "month 13 refused");
	CHECK(!pj_time_progress(2023, -1, PJ_TIME_DAY, &t), "month -1 refused");
	CHECK(!pj_time_progress(0, 7, PJ_TIME_DAY, &t), "year 0 refused on the day basis");
	CHECK(!pj_time_progress(10000, 7, PJ_TIME_DAY, &t), "year 10000 refused on the day basis");
	CHECK(pj_time_progress(0, 7, PJ_TIME_MONTH, &t), "the month basis needs no year");
}

static void
expect_fund(const char *budget, const char *executed, int year, int month, PjTimeBasis basis,
			const PjBands *bands, const char *want_light, const char *want_v, bool want_on_schedule)
{
	PjTime		t;
	PjFundLight f;
	PjBands		def = pj_bands_default();
	char		got[64];

	if (!pj_time_progress(year, month, basis, &t))
	{
		CHECK(false, "time progress refused");
		return;
	}
	if (!pj_fund_light(mdec(budget), mdec(executed), t, bands ? bands : &def, &f))
	{
		CHECK(false, "fund light %s / %s refused", executed, budget);
		return;
	}
	CHECK(strcmp(light_text(f.light), want_light) == 0, "fund %s / %s, month %d: light want %s, got %s",
		  executed, budget, month, want_light, light_text(f.light));
	if (want_v)
	{
		CHECK(f.has_index && strcmp(text_of(f.index, got), want_v) == 0,
			  "fund %s / %s, month %d: v want %s, got %s", executed, budget, month, want_v,
			  f.has_index ? got : "none");
		CHECK(f.on_schedule == want_on_schedule, "fund %s / %s, month %d: on schedule want %d",
			  executed, budget, month, want_on_schedule);
	}
	else
		CHECK(!f.has_index && !f.on_schedule, "fund %s / %s: no v", executed, budget);
}

static void
test_fund(void)
{
	PjBands		b = pj_bands_default();
	PjTime		t = {6, 12};
	PjFundLight f;

	/* the table of §3.1 */
	expect_fund("100", "40", 2023, 6, PJ_TIME_MONTH, NULL, "green", "80.00", false);
	expect_fund("100", "35", 2023, 6, PJ_TIME_MONTH, NULL, "yellow", "70.00", false);
	expect_fund("100", "25", 2023, 6, PJ_TIME_MONTH, NULL, "red", "50.00", false);
	expect_fund("4680000.00", "2047500.00", 2023, 7, PJ_TIME_MONTH, NULL, "yellow", "75.00", false);
	expect_fund("4680000.00", "2047500.00", 2023, 7, PJ_TIME_DAY, NULL, "yellow", "75.32", false);
	/* M1's example: v = 25 / 50 × 100 = 50 */
	expect_fund("1000000.00", "250000.00", 2023, 6, PJ_TIME_MONTH, NULL, "red", "50.00", false);

	/* boundaries: exactly 60 and 80 fall in the higher band; no blue for funds */
	expect_fund("100", "30", 2023, 6, PJ_TIME_MONTH, NULL, "yellow", "60.00", false);
	expect_fund("100", "29.99", 2023, 6, PJ_TIME_MONTH, NULL, "red", "59.98", false);
	expect_fund("100", "29.9999999", 2023, 6, PJ_TIME_MONTH, NULL, "red", "60.00", false);
	expect_fund("100", "39.9999999", 2023, 6, PJ_TIME_MONTH, NULL, "yellow", "80.00", false);
	expect_fund("100", "60", 2023, 6, PJ_TIME_MONTH, NULL, "green", "120.00", true);
	/* 7/12 exactly: 35/60 of the budget is v = 100, on schedule, not 99.99… */
	expect_fund("60", "35", 2023, 7, PJ_TIME_MONTH, NULL, "green", "100.00", true);
	expect_fund("60", "34.9999", 2023, 7, PJ_TIME_MONTH, NULL, "green", "100.00", false);
	/* 7/12 of 4680000 is 2730000: 80 % of it is 2184000 (green), 60 % 1638000 (yellow) */
	expect_fund("4680000", "2184000", 2023, 7, PJ_TIME_MONTH, NULL, "green", "80.00", false);
	expect_fund("4680000", "2183999.99", 2023, 7, PJ_TIME_MONTH, NULL, "yellow", "80.00", false);
	expect_fund("4680000", "1638000", 2023, 7, PJ_TIME_MONTH, NULL, "yellow", "60.00", false);
	expect_fund("4680000", "1637999.99", 2023, 7, PJ_TIME_MONTH, NULL, "red", "60.00", false);
	/* month 12: v is the execution rate */
	expect_fund("1821100.00", "1808698.26", 2022, 12, PJ_TIME_MONTH, NULL, "green", "99.32", false);
	expect_fund("100", "100", 2022, 12, PJ_TIME_MONTH, NULL, "green", "100.00", true);
	/* nothing executed: red, v 0 */
	expect_fund("100", "0", 2023, 6, PJ_TIME_MONTH, NULL, "red", "0.00", false);
	/* a budget of 0: no light, no v */
	expect_fund("0", "0", 2023, 6, PJ_TIME_MONTH, NULL, "none", NULL, false);
	expect_fund("0.00", "15", 2023, 6, PJ_TIME_MONTH, NULL, "none", NULL, false);
	/* other bands: 50 / 70 */
	b.yellow_from = mdec("50");
	b.green_from = mdec("70");
	expect_fund("100", "35", 2023, 6, PJ_TIME_MONTH, &b, "green", "70.00", false);
	expect_fund("100", "25", 2023, 6, PJ_TIME_MONTH, &b, "yellow", "50.00", false);
	expect_fund("100", "24.99", 2023, 6, PJ_TIME_MONTH, &b, "red", "49.98", false);
	/* bands with decimals: 62.5 */
	b.yellow_from = mdec("62.5");
	expect_fund("100", "31.25", 2023, 6, PJ_TIME_MONTH, &b, "yellow", "62.50", false);
	expect_fund("100", "31.2499", 2023, 6, PJ_TIME_MONTH, &b, "red", "62.50", false);
	/* amounts at the edge of exact arithmetic, and beyond */
	b = pj_bands_default();
	CHECK(pj_fund_light(mdec("999999999999999999"), mdec("999999999999999999"), t, &b, &f) &&
		  f.light == PJ_LIGHT_GREEN && f.on_schedule, "18 digits: green, on schedule");
	CHECK(pj_fund_light(mdec("0.000000000000000001"), mdec("999999999999999999"), t, &b, &f) &&
		  f.light == PJ_LIGHT_GREEN && f.on_schedule && !f.has_index,
		  "a tiny budget: v too large to show, still green");
	CHECK(!pj_fund_light(mdec("1"), (IvDecimal) {1, 500}, t, &b, &f) && f.light == PJ_LIGHT_NONE,
		  "beyond exact arithmetic: refused, no light");
}

static void
test_light_of(void)
{
	PjBands		b = pj_bands_default();

	CHECK(pj_light_of(mdec("59.99"), &b) == PJ_LIGHT_RED, "59.99 red");
	CHECK(pj_light_of(mdec("60"), &b) == PJ_LIGHT_YELLOW, "60 yellow");
	CHECK(pj_light_of(mdec("79.999"), &b) == PJ_LIGHT_YELLOW, "79.999 yellow");
	CHECK(pj_light_of(mdec("80.00"), &b) == PJ_LIGHT_GREEN, "80 green");
	CHECK(pj_light_of(mdec("119.99"), &b) == PJ_LIGHT_GREEN, "119.99 green");
	CHECK(pj_light_of(mdec("120"), &b) == PJ_LIGHT_BLUE, "120 blue");
	CHECK(pj_light_of(mdec("0"), &b) == PJ_LIGHT_RED, "0 red");
	CHECK(strcmp(light_text(PJ_LIGHT_NONE), "none") == 0 && pj_light_name(PJ_LIGHT_NONE) == NULL,
		  "no light has no name");
}

typedef struct Lit
{
	IvValue		t,
				a;
	char		tb[512],
				ab[512];
	PjIndicatorLight l;
} Lit;

static bool
light_of(Lit *s, const char *target, const char *actual, int year, int month, PjAccrual accrual,
		 const char *category)
{
	IvError		err;
	PjBands		b = pj_bands_default();

	if (!iv_parse(target, strlen(target), &s->t, s->tb, sizeof(s->tb), &err) ||
		!iv_parse(actual, strlen(actual), &s->a, s->ab, sizeof(s->ab), &err))
	{
		CHECK(false, "test values must read: %s / %s: %s", target, actual, err.detail);
		return false;
	}
	pj_indicator_light(&s->t, &s->a, year, month, accrual, category,
					   category ? strlen(category) : 0, &b, &s->l);
	return true;
}

/* Expect a light and, for a one-clause value, v ("-" for none). */
static void
expect_light_in(const char *target, const char *actual, int year, int month, PjAccrual accrual,
				const char *category, const char *want, const char *want_v)
{
	Lit			s;
	char		got[64];

	if (!light_of(&s, target, actual, year, month, accrual, category))
		return;
	CHECK(strcmp(light_text(s.l.light), want) == 0, "%s vs %s (month %d): light want %s, got %s",
		  target, actual, month, want, light_text(s.l.light));
	if (want_v)
	{
		if (strcmp(want_v, "-") == 0)
			CHECK(s.l.nparts == 0 || !s.l.has_v[0], "%s vs %s: no v", target, actual);
		else
			CHECK(s.l.nparts >= 1 && s.l.has_v[0] && strcmp(text_of(s.l.v[0], got), want_v) == 0,
				  "%s vs %s (month %d): v want %s, got %s", target, actual, month, want_v,
				  s.l.nparts >= 1 && s.l.has_v[0] ? got : "none");
	}
}

static void
expect_light(const char *target, const char *actual, int month, const char *want, const char *want_v)
{
	expect_light_in(target, actual, 2023, month, PJ_ACCRUAL_AUTO, NULL, want, want_v);
}

/* The ten indicators of the worked example (2023, 1-7月), §3.4. */
static void
test_worked_example(void)
{
	Lit			s;
	char		v[64];
	int			i;
	static const char *const want_v[3] = {"101.16", "110.22", "78.95"};

	/* 1, 2: cumulative counts, pro-rated by 7/12 */
	expect_light("≥120万条", "61.6万条", 7, "green", "88.00");
	expect_light("≥6000件", "2100件", 7, "yellow", "60.00");
	/* 3: a stock at a point in time (时点), and what pro-rating would give */
	expect_light_in("3180套", "3180套", 2023, 7, PJ_ACCRUAL_POINT, "数量指标", "green", "100.00");
	expect_light_in("3180套", "3180套", 2023, 7, PJ_ACCRUAL_AUTO, "数量指标", "blue", "171.43");
	/* 4: a rate, compared directly */
	expect_light("97%以上", "96.85%", 7, "green", "99.85");
	/* 5: reverse, strict: 3.20 is not below 3 */
	expect_light_in("低于3%", "3.20%", 2023, 7, PJ_ACCRUAL_AUTO, "质量指标", "red", "-");
	/* 6: a date not yet due; the same a month after it */
	expect_light("2023年11月30日前", "进行中", 7, "green", "-");
	expect_light("2023年11月30日前", "进行中", 12, "red", "-");
	/* 7: reverse money, not pro-rated */
	expect_light_in("≤468万元", "204.75万元", 2023, 7, PJ_ACCRUAL_AUTO, "成本指标", "green", "-");
	/* 8: three rate clauses, the worst counts */
	if (light_of(&s, "采集率达95%以上，准确率达90%以上，注销率达95%以上",
				 "采集率96.10%，准确率99.20%，注销率75.00%", 2023, 7, PJ_ACCRUAL_AUTO, "社会效益指标"))
	{
		CHECK(s.l.light == PJ_LIGHT_YELLOW && s.l.nparts == 3, "row 8: yellow over 3 clauses, got %s / %d",
			  light_text(s.l.light), s.l.nparts);
		for (i = 0; i < 3 && i < s.l.nparts; i++)
			CHECK(s.l.has_v[i] && strcmp(text_of(s.l.v[i], v), want_v[i]) == 0,
				  "row 8 clause %d: v want %s, got %s", i, want_v[i], s.l.has_v[i] ? v : "none");
		CHECK(s.l.parts[0] == PJ_LIGHT_GREEN && s.l.parts[1] == PJ_LIGHT_GREEN &&
			  s.l.parts[2] == PJ_LIGHT_YELLOW, "row 8: green, green, yellow");
	}
	/* 9: a qualitative result */
	expect_light("有效提升", "部分达成", 7, "yellow", "-");
	/* 10: no in-year actual */
	expect_light("95%以上", "—", 7, "none", "-");
	expect_light("95%以上", "", 7, "none", "-");
}

static void
test_indicator_rules(void)
{
	/* bands at the boundaries, cumulative (month 6: T/2 is the schedule) */
	expect_light("≥100件", "30件", 6, "yellow", "60.00");
	expect_light("≥100件", "29.99件", 6, "red", "59.98");
	expect_light("≥100件", "40件", 6, "green", "80.00");
	expect_light("≥100件", "39.99件", 6, "yellow", "79.98");
	expect_light("≥100件", "60件", 6, "blue", "120.00");
	expect_light("≥100件", "59.99件", 6, "green", "119.98");
	/* month 12: cumulative is compared with the whole target */
	expect_light("≥120万条", "96万条", 12, "green", "80.00");
	expect_light("≥120万条", "95.9万条", 12, "yellow", "79.92");
	/* a cumulative actual of 0: red; a rate of 0: red by its v */
	expect_light("≥6000件", "0件", 7, "red", "0.00");
	expect_light("≥95%", "0%", 7, "red", "0.00");
	/* non-cumulative at the boundaries: rates, frequencies, per-unit amounts */
	expect_light("≥90%", "54%", 7, "yellow", "60.00");
	expect_light("≥90%", "72%", 7, "green", "80.00");
	expect_light("≥90%", "108%", 7, "blue", "120.00");
	expect_light("至少2次/周", "1次/周", 7, "red", "50.00");
	expect_light("≥2次/周", "2次/周", 1, "green", "100.00");
	/* money with a positive direction is cumulative */
	expect_light("≥100万元", "50万元", 6, "green", "100.00");
	/* the 累计 override pro-rates what would be compared directly */
	expect_light_in("≥90%", "45%", 2023, 6, PJ_ACCRUAL_CUMULATIVE, NULL, "green", "100.00");
	/* a bare number is compared directly unless 累计 */
	expect_light("≥80", "66", 6, "green", "82.50");
	expect_light_in("≥80", "40", 2023, 6, PJ_ACCRUAL_CUMULATIVE, NULL, "green", "100.00");
	/* reverse targets: met or not, never pro-rated, never blue */
	expect_light("≤5%", "5%", 7, "green", "-");
	expect_light("≤5%", "5.01%", 7, "red", "-");
	expect_light("<5%", "5%", 7, "red", "-");
	expect_light("≤468万元", "468万元", 1, "green", "-");
	expect_light_in("468万元", "469万元", 2023, 7, PJ_ACCRUAL_AUTO, "成本指标", "red", "-");
	expect_light_in("468万元", "100万元", 2023, 7, PJ_ACCRUAL_AUTO, "经济成本指标", "green", "-");
	/* a target of 0: met or not */
	expect_light("0起", "0起", 7, "green", "-");
	expect_light("0起", "1起", 7, "red", "-");
	expect_light("≥0起", "2起", 7, "green", "-");
	expect_light(">0起", "0起", 7, "red", "-");
	/* ranges: inside green; outside v = A/a or b/A */
	expect_light("90%-110%", "100%", 7, "green", "-");
	expect_light("90%-110%", "54%", 7, "yellow", "60.00");
	expect_light("90%-110%", "200%", 7, "red", "55.00");
	/* dates: met by the date, due and unmet, not yet due */
	expect_light("2023年6月30日前", "2023年6月15日", 7, "green", "-");
	expect_light("2023年6月30日前", "2023年7月15日", 7, "red", "-");
	expect_light("2023年7月31日前", "进行中", 7, "red", "-");
	expect_light("2023年8月1日前", "进行中", 7, "green", "-");
	expect_light("2023年11月30日前", "2023年12月1日", 7, "green", "-");
	expect_light("2023年6月30日前", "已完成", 7, "green", "-");
	/* year not known: the date compares by month and day */
	expect_light_in("2023年11月30日前", "进行中", 0, 7, PJ_ACCRUAL_AUTO, NULL, "green", "-");
	expect_light_in("2023年7月30日前", "进行中", 0, 7, PJ_ACCRUAL_AUTO, NULL, "red", "-");
	/* a later year's deadline is not due */
	expect_light("2024年6月30日前", "进行中", 7, "green", "-");
	/* qualitative: the three results and their short forms, a matching text */
	expect_light("有效提升", "达成目标", 7, "green", "-");
	expect_light("有效提升", "达成", 7, "green", "-");
	expect_light("有效提升", "部分达成目标并具有一定效果", 7, "yellow", "-");
	expect_light("有效提升", "未达成目标且效果较差", 7, "red", "-");
	expect_light("有效提升", "未达成", 7, "red", "-");
	expect_light("有效提升", "有效提升", 7, "green", "-");
	expect_light("有效提升", "正在推进", 7, "none", "-");
	/* no light: 不适用, incomparable units, an unmatched clause, a claim */
	expect_light("不适用", "不适用", 7, "none", "-");
	expect_light("≥95%", "不适用", 7, "none", "-");
	expect_light("≥6000件", "50%", 7, "none", "-");
	expect_light("≥6000件", "已完成", 7, "none", "-");
	/* an unmatched clause has no light: the matched one decides */
	expect_light("采集率达95%以上，准确率达90%以上", "采集率96%，覆盖率90%", 7, "green", NULL);
	/* a month outside 1-12 gives no light */
	expect_light("≥6000件", "2100件", 0, "none", "-");
	expect_light("≥6000件", "2100件", 13, "none", "-");
}

static void
test_project_and_dual(void)
{
	PjLight		worst = PJ_LIGHT_NONE;
	static const PjLight rows[10] = {
		PJ_LIGHT_GREEN, PJ_LIGHT_YELLOW, PJ_LIGHT_GREEN, PJ_LIGHT_GREEN, PJ_LIGHT_RED,
		PJ_LIGHT_GREEN, PJ_LIGHT_GREEN, PJ_LIGHT_YELLOW, PJ_LIGHT_YELLOW, PJ_LIGHT_NONE
	};
	int			i;

	for (i = 0; i < 10; i++)
		worst = pj_worst_light(worst, rows[i]);
	CHECK(worst == PJ_LIGHT_RED, "worked example: project light red");
	CHECK(pj_worst_light(PJ_LIGHT_BLUE, PJ_LIGHT_GREEN) == PJ_LIGHT_GREEN, "green over blue");
	CHECK(pj_worst_light(PJ_LIGHT_BLUE, PJ_LIGHT_NONE) == PJ_LIGHT_BLUE, "blue over none");
	CHECK(pj_worst_light(PJ_LIGHT_YELLOW, PJ_LIGHT_GREEN) == PJ_LIGHT_YELLOW, "yellow over green");
	CHECK(pj_worst_light(PJ_LIGHT_NONE, PJ_LIGHT_NONE) == PJ_LIGHT_NONE, "none");

	/* the matrix of §3.3 */
	CHECK(pj_dual_light(1, 1) == PJ_LIGHT_GREEN, "是 是 green");
	CHECK(pj_dual_light(1, 0) == PJ_LIGHT_YELLOW, "是 否 yellow");
	CHECK(pj_dual_light(0, 1) == PJ_LIGHT_RED, "否 是 red");
	CHECK(pj_dual_light(0, 0) == PJ_LIGHT_RED, "否 否 red");
	CHECK(pj_dual_light(0, -1) == PJ_LIGHT_RED, "否 and unknown: red");
	CHECK(pj_dual_light(1, -1) == PJ_LIGHT_NONE, "是 and unknown: none");
	CHECK(pj_dual_light(-1, 1) == PJ_LIGHT_NONE, "unknown schedule: none");
}

void
test_monitor(void)
{
	test_time();
	test_fund();
	test_light_of();
	test_worked_example();
	test_indicator_rules();
	test_project_and_dual();
}
