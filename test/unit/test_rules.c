/*
 * test_rules.c - unit tests of the scoring rules (src/core/rules.c): every
 * indicator of the two seed forms, every row of the rules table, every
 * flag, exact half-up rounding.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rules.h"

static IvDecimal
dec(const char *s)
{
	IvDecimal	d = {0, 0};

	if (!pj_decimal_from_text(s, strlen(s), &d))
		CHECK(false, "bad decimal in test: %s", s);
	return d;
}

static void
dec_text(IvDecimal d, char *buf)
{
	PjWide		w = {d.coef, d.exp};

	buf[pj_wide_text(w, buf)] = '\0';
}

typedef struct Scored
{
	IvValue		t,
				a;
	char		tb[256],
				ab[256];
	PjOutcome	o;
} Scored;

static Scored *
score(const char *target, const char *actual, const char *weight, const char *category,
	  const PjRules *rules)
{
	Scored	   *s = malloc(sizeof(Scored));
	IvError		err;
	PjRules		def = pj_rules_default();

	if (!iv_parse(target, strlen(target), &s->t, s->tb, sizeof(s->tb), &err) ||
		!iv_parse(actual, strlen(actual), &s->a, s->ab, sizeof(s->ab), &err))
	{
		CHECK(false, "test values must read: %s / %s: %s", target, actual, err.detail);
		free(s);
		return NULL;
	}
	pj_score_indicator(&s->t, &s->a, dec(weight), category, category ? strlen(category) : 0,
					   rules ? rules : &def, &s->o);
	return s;
}

/* Expect a score ("NULL" for none), a rule and exactly these flags. */
static void
expect_with(const PjRules *rules, const char *target, const char *actual, const char *weight,
			const char *category, const char *want_score, PjRule want_rule, unsigned want_flags)
{
	Scored	   *s = score(target, actual, weight, category, rules);
	char		got[64];

	if (!s)
		return;
	if (s->o.has_score)
		dec_text(s->o.score, got);
	else
		strcpy(got, "NULL");
	CHECK(strcmp(got, want_score) == 0, "%s vs %s (w %s): score want %s, got %s",
		  target, actual, weight, want_score, got);
	CHECK(s->o.rule == want_rule, "%s vs %s: rule want %s, got %s", target, actual,
		  pj_rule_name(want_rule), pj_rule_name(s->o.rule));
	CHECK(s->o.flags == want_flags, "%s vs %s: flags want 0x%x, got 0x%x", target, actual,
		  want_flags, s->o.flags);
	free(s);
}

static void
expect(const char *target, const char *actual, const char *weight, const char *category,
	   const char *want_score, PjRule want_rule, unsigned want_flags)
{
	expect_with(NULL, target, actual, weight, category, want_score, want_rule, want_flags);
}

/* 深圳市龙华区平安建设中心 2022, 数字化城管信息系统运行项目: indicators total 90. */
static void
test_seed_form_1(void)
{
	expect("17", "27", "6", "数量指标", "6.00", PJ_RULE_POSITIVE, PJ_FLAG_OVER_ACHIEVED);
	expect("至少2次/周", "至少2次/周", "2", "数量指标", "2.00", PJ_RULE_POSITIVE, 0);
	expect("200000", "424876", "15", "数量指标", "15.00", PJ_RULE_POSITIVE, PJ_FLAG_OVER_ACHIEVED);
	expect("4", "4", "5", "数量指标", "5.00", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "5", "质量指标", "5.00", PJ_RULE_POSITIVE, 0);
	expect("95%", "95%", "5", "质量指标", "5.00", PJ_RULE_POSITIVE, 0);
	expect("1", "1", "5", "质量指标", "5.00", PJ_RULE_POSITIVE, 0);
	expect("1", "1", "5", "时效指标", "5.00", PJ_RULE_POSITIVE, 0);
	expect("<1821100元", "1808698.26元", "2", "成本指标", "2.00", PJ_RULE_NEGATIVE, 0);
	expect("不适用", "不适用", "0", "经济效益指标", "0.00", PJ_RULE_NOT_APPLICABLE, 0);
	expect("重点解决", "重点解决", "30", "社会效益指标", "30.00", PJ_RULE_QUALITATIVE_MATCH, 0);
	expect("95%", "100%", "10", "服务对象满意度指标", "10.00", PJ_RULE_POSITIVE, 0);
}

/* 网格信息采集工作: indicators total 90. */
static void
test_seed_form_2(void)
{
	expect("3180", "3180", "10", "数量指标", "10.00", PJ_RULE_POSITIVE, 0);
	expect("97%以上", "97.11%", "10", "质量指标", "10.00", PJ_RULE_POSITIVE, 0);
	expect("97%以上", "99.94%", "10", "质量指标", "10.00", PJ_RULE_POSITIVE, 0);
	expect("低于3%", "2.95%", "10", "质量指标", "10.00", PJ_RULE_NEGATIVE, 0);
	/* a bare 1 against a percentage is the fraction 100% */
	expect("1", "100%", "5", "时效指标", "5.00", PJ_RULE_POSITIVE, 0);
	expect("≤461.74万元", "461.736万元", "5", "成本指标", "5.00", PJ_RULE_NEGATIVE, 0);
	expect("采集率达95%以上，准确率达90%以上，注销率达95%以上；",
		   "采集率96.22%，准确率达99.31%，注销率95.35%", "10", "社会效益指标", "10.00",
		   PJ_RULE_CLAUSES, 0);
	expect("采集率达95%以上，准确率达98%以上；", "采集率99.74%，准确率达99.49%", "10",
		   "社会效益指标", "10.00", PJ_RULE_CLAUSES, 0);
	expect("信息通报率达95%以上", "99.55%", "10", "社会效益指标", "10.00", PJ_RULE_POSITIVE, 0);
	expect("95%以上", "100%", "10", "服务对象满意度指标", "10.00", PJ_RULE_POSITIVE, 0);
}

static void
test_funds(void)
{
	IvDecimal	r;
	char		got[64];

	CHECK(pj_execution_rate(dec("1821100.00"), dec("1808698.26"), &r), "rate 1");
	dec_text(r, got);
	CHECK(strcmp(got, "99.32") == 0, "execution rate want 99.32, got %s", got);
	CHECK(pj_fund_score(dec("10"), dec("1821100.00"), dec("1808698.26"), &r), "fund 1");
	dec_text(r, got);
	CHECK(strcmp(got, "9.93") == 0, "fund score want 9.93, got %s", got);
	CHECK(pj_execution_rate(dec("4617400.00"), dec("4617360.00"), &r), "rate 2");
	dec_text(r, got);
	CHECK(strcmp(got, "100.00") == 0, "execution rate want 100.00, got %s", got);
	CHECK(pj_fund_score(dec("10"), dec("4617400.00"), dec("4617360.00"), &r), "fund 2");
	dec_text(r, got);
	CHECK(strcmp(got, "10.00") == 0, "fund score want 10.00, got %s", got);

	/* above the budget: the rate shows it, the score is capped */
	CHECK(pj_execution_rate(dec("100"), dec("120"), &r), "rate over");
	dec_text(r, got);
	CHECK(strcmp(got, "120.00") == 0, "rate want 120.00, got %s", got);
	CHECK(pj_fund_score(dec("10"), dec("100"), dec("120"), &r), "fund over");
	dec_text(r, got);
	CHECK(strcmp(got, "10.00") == 0, "capped fund score want 10.00, got %s", got);
	/* a zero budget has no rate */
	CHECK(!pj_execution_rate(dec("0"), dec("5"), &r), "zero budget has no rate");
	CHECK(!pj_fund_score(dec("10"), dec("0.00"), dec("5"), &r), "zero budget has no score");
	/* half-up at the boundary: 2/3 → 66.666… → 66.67; 1/8 → 12.5 exactly */
	CHECK(pj_execution_rate(dec("3"), dec("2"), &r), "rate 2/3");
	dec_text(r, got);
	CHECK(strcmp(got, "66.67") == 0, "rate want 66.67, got %s", got);
	CHECK(pj_execution_rate(dec("80000"), dec("10"), &r), "rate 1/8000");
	dec_text(r, got);
	CHECK(strcmp(got, "0.01") == 0, "0.0125 %% rounds half-up to 0.01, got %s", got);
	CHECK(pj_execution_rate(dec("40000"), dec("2"), &r), "rate 0.005");
	dec_text(r, got);
	CHECK(strcmp(got, "0.01") == 0, "0.005 %% rounds half-up to 0.01, got %s", got);
	/* huge and tiny amounts stay exact */
	CHECK(pj_execution_rate(dec("999999999999999999"), dec("999999999999999998"), &r), "huge");
	dec_text(r, got);
	CHECK(strcmp(got, "100.00") == 0, "huge rate want 100.00, got %s", got);
	CHECK(pj_fund_score(dec("10"), dec("0.000000000000000003"), dec("0.000000000000000001"), &r),
		  "tiny");
	dec_text(r, got);
	CHECK(strcmp(got, "3.33") == 0, "tiny fund score want 3.33, got %s", got);
	/* a rate beyond 64 bits (here 10^38 %, past 128-bit arithmetic) is refused, not clamped */
	CHECK(!pj_execution_rate(dec("0.000000000000000001"), dec("999999999999999999"), &r),
		  "rate of 10^38 %% is out of range");
	CHECK(!pj_execution_rate(dec("0.00001"), dec("999999999999999999"), &r),
		  "rate of 10^25 %% is out of range");
	/* a rate of 10^16 % still fits */
	CHECK(pj_execution_rate(dec("1"), dec("100000000000000"), &r), "rate 10^16 %%");
	dec_text(r, got);
	CHECK(strcmp(got, "10000000000000000.00") == 0, "rate want 10^16, got %s", got);
}

/* One test per row of the rules table (scoring-rules §3). */
static void
test_rules_table(void)
{
	PjRules		linear = pj_rules_default();

	/* positive: A ≥ T → 1, else A/T; 5 × 0.825 = 4.125 → 4.13 half-up */
	expect("≥80", "66", "5", NULL, "4.13", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	expect("不低于95%", "95%", "10", NULL, "10.00", PJ_RULE_POSITIVE, 0);
	expect("至少100人", "50人", "10", NULL, "5.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	expect("达到90%", "60%", "3", NULL, "2.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	/* strict: 超过5天 is not met by 5天, the ratio is still 1 */
	expect(">5天", "5天", "4", NULL, "4.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	/* negative: A ≤ T → 1, else T/A */
	expect("≤10万元", "12.5万元", "5", NULL, "4.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET);
	expect("不超过3%", "2%", "5", NULL, "5.00", PJ_RULE_NEGATIVE, 0);
	expect("3天以内", "4天", "6", NULL, "4.50", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET);
	/* negative, linear profile: 1 - (12.5 - 10)/10 = 0.75 */
	linear.negative = PJ_NEGATIVE_LINEAR;
	{
		Scored	   *s = score("≤10万元", "12.5万元", "5", NULL, &linear);
		char		got[64];

		dec_text(s->o.score, got);
		CHECK(s->o.has_score && strcmp(got, "3.75") == 0, "linear negative want 3.75, got %s", got);
		free(s);
		s = score("≤10", "25", "5", NULL, &linear);
		dec_text(s->o.score, got);
		CHECK(s->o.has_score && strcmp(got, "0.00") == 0, "linear floors at 0, got %s", got);
		free(s);
	}
	/* = T or bare: direction from the level-2 category */
	expect("100万元", "120万元", "5", "成本指标", "4.17", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET);
	expect("100万元", "120万元", "5", "经济成本指标", "4.17", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET);
	expect("100万元", "80万元", "5", "数量指标", "4.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	expect("=100", "80", "5", NULL, "4.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	/* T = 0 with no comparison: all or nothing */
	expect("0起", "0起", "5", "质量指标", "5.00", PJ_RULE_ZERO_TARGET, 0);
	expect("0起", "1起", "5", "质量指标", "0.00", PJ_RULE_ZERO_TARGET, PJ_FLAG_NOT_MET);
	/* range: inside 1; below A/a; above b/A */
	expect("90%~95%", "92%", "10", NULL, "10.00", PJ_RULE_RANGE, 0);
	expect("90%~95%", "81%", "10", NULL, "9.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET);
	expect("3-5万元", "10万元", "10", NULL, "5.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET);
	/* clauses: mean of each clause's capped c, matched by label */
	expect("采集率达95%以上，准确率达90%以上", "准确率45%，采集率95%", "10", NULL, "7.50",
		   PJ_RULE_CLAUSES, PJ_FLAG_NOT_MET);
	expect("采集率达95%以上，准确率达90%以上", "采集率95%", "10", NULL, "NULL",
		   PJ_RULE_CLAUSES, PJ_FLAG_UNMATCHED);
	/* an over-achieved clause does not hide an unmet one */
	expect("a≥50%，b≥50%", "a100%，b25%", "10", NULL, "7.50", PJ_RULE_CLAUSES,
		   PJ_FLAG_NOT_MET | PJ_FLAG_OVER_ACHIEVED);
	/* a bare number takes the other side's unit */
	expect("≥50个", "50", "5", NULL, "5.00", PJ_RULE_POSITIVE, 0);
	expect("≤90万元", "90", "5", NULL, "5.00", PJ_RULE_NEGATIVE, 0);
	expect("≥95%", "96", "5", NULL, "5.00", PJ_RULE_POSITIVE, 0);
	expect("≥95%", "0.5", "5", NULL, "2.63", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	/* 万元 against 元: one base unit */
	expect("≤461.74万元", "4617400元", "5", NULL, "5.00", PJ_RULE_NEGATIVE, 0);
	expect("≤4617400元", "461.75万元", "5", NULL, "5.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET);
	/* dates: met or not, a missed date is the evaluator's */
	expect("2022年12月31日前", "2022年11月30日", "5", NULL, "5.00", PJ_RULE_DATE, 0);
	expect("11月前", "10月", "5", NULL, "5.00", PJ_RULE_DATE, 0);
	expect("2022年6月底前", "2022年8月", "5", NULL, "NULL", PJ_RULE_DATE,
		   PJ_FLAG_NOT_MET | PJ_FLAG_DATE_MISSED);
	/* qualitative: equal text gets full weight, anything else a band */
	expect("有效提升", "有效提升", "8", NULL, "8.00", PJ_RULE_QUALITATIVE_MATCH, 0);
	expect("有效提升", "明显改善", "8", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_NEEDS_BAND);
	expect("≥95%", "已完成", "8", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_CLAIM | PJ_FLAG_NEEDS_BAND);
	expect("≥95%", "已完成100%", "8", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_CLAIM | PJ_FLAG_NEEDS_BAND);
	/* incomparable units and missing values are flagged, never zero */
	expect("≥10次", "5万元", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_INCOMPARABLE);
	expect("≥10个", "10件", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_INCOMPARABLE);
	expect("≥95%", "—", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_MISSING);
	/* open units: the same word compares, scaled by its 万; another word or a known unit does not */
	expect("≥3000尾", "2400尾", "5", NULL, "4.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	expect("≥2万尾", "15000尾", "4", NULL, "3.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	expect("5匹以上", "6", "5", NULL, "5.00", PJ_RULE_POSITIVE, 0);
	expect("≥5匹", "5头", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_INCOMPARABLE);
	expect("≥5匹", "5个", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_INCOMPARABLE);
	expect("≥5kg", "5公斤", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_INCOMPARABLE);
	expect("≥5kg", "5KG", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_INCOMPARABLE);	/* case is kept */
	expect("≥5kg", "6 ｋｇ", "5", NULL, "5.00", PJ_RULE_POSITIVE, 0);
	/* periods against dates */
	expect("2021年全年", "2021年12月31日", "5", NULL, "5.00", PJ_RULE_DATE, 0);
	expect("2021年上半年", "2021年7月", "5", NULL, "NULL", PJ_RULE_DATE,
		   PJ_FLAG_NOT_MET | PJ_FLAG_DATE_MISSED);
	expect("上半年", "6月", "5", NULL, "5.00", PJ_RULE_DATE, 0);
	expect("第三季度", "2022年9月30日", "5", NULL, "5.00", PJ_RULE_DATE, 0);
	expect("第三季度", "2022年10月", "5", NULL, "NULL", PJ_RULE_DATE, PJ_FLAG_NOT_MET | PJ_FLAG_DATE_MISSED);
	/* 不适用 on one side only is not a silent 0 */
	expect("≥90%", "不适用", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_MISSING);
	expect("不适用", "95%", "5", NULL, "NULL", PJ_RULE_NONE, PJ_FLAG_MISSING);
	/* over-achievement at exactly the profile's 1.30 */
	expect("≥100", "130", "5", NULL, "5.00", PJ_RULE_POSITIVE, PJ_FLAG_OVER_ACHIEVED);
	expect("≥100", "129.99", "5", NULL, "5.00", PJ_RULE_POSITIVE, 0);
	/* fractional weights: 3.333 × 0.5 = 1.6665 → 1.67 */
	expect("≥100", "50", "3.333", NULL, "1.67", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	/* exact where numeric's division would round first: 3 × (0.415/3) */
	expect("≥3", "0.415", "3", NULL, "0.42", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	/* met: the weight itself, rounded half-up (the 128-bit fast path) */
	expect("≥90%", "92%", "3.335", NULL, "3.34", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "1.66649", NULL, "1.67", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "1.66449", NULL, "1.66", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "0.005", NULL, "0.01", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "0.0049999", NULL, "0.00", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "0.000000000000000001", NULL, "0.00", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "92233720368547758", NULL, "92233720368547758.00", PJ_RULE_POSITIVE, 0);
	expect("≥90%", "92%", "92233720368547759", NULL, "NULL", PJ_RULE_POSITIVE, PJ_FLAG_TOO_LARGE);
	/* one part, not met, at the edges of 128 bits: the bignum takes over */
	expect("≥999999999999999999元", "999999999999999998元", "999999999999", NULL,
		   "999999999999.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET);
	expect("≥0.000000000000000003", "0.000000000000000001", "10", NULL, "3.33", PJ_RULE_POSITIVE,
		   PJ_FLAG_NOT_MET);
	expect("≥1亿元", "0.000000000000000001元", "999999999999999", NULL, "0.00", PJ_RULE_POSITIVE,
		   PJ_FLAG_NOT_MET);
}

/*
 * Signed values (growth and decline rates, differences): met or not is
 * decided on the signed values; a missed bound B gives c = the smaller of
 * |A| and |B| over the larger (A/T, T/A, A/a, b/A when both are positive),
 * 0 when B is 0, and 0 flagged opposite_sign when A and B lie on opposite
 * sides of zero.  Where more is better on magnitudes (≥T with T > 0, ≤T with
 * T < 0) a met target's c is |A|/|T|, uncapped, and over-achievement shows.
 * Each row: the answer by hand and why.
 */
typedef struct SignedCase
{
	const char *target,
			   *actual,
			   *category;
	bool		linear;
	const char *score;			/* weight 10 */
	PjRule		rule;
	unsigned	flags;
	const char *num,
			   *den;			/* the one part's completion, NULL: none */
} SignedCase;

static void
test_signed(void)
{
	static const SignedCase cases[] = {
		/* ≥-5% (a fall of at most 5%): scored like ≤5% on magnitudes */
		{"≥-5%", "-10%", NULL, false, "5.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "5", "10"},	/* 5/10; was 10.00 */
		{"≥-5%", "-3%", NULL, false, "10.00", PJ_RULE_POSITIVE, 0, "1", "1"},
		{"≥-5%", "-5%", NULL, false, "10.00", PJ_RULE_POSITIVE, 0, "1", "1"},	/* bound included */
		{"≥-5%", "2%", NULL, false, "10.00", PJ_RULE_POSITIVE, 0, "1", "1"},	/* growth beats a fall */
		{">-5%", "-5%", NULL, false, "10.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "1", "1"},	/* strict, at the bound */
		{"≥-5%", "-10", NULL, false, "5.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "5", "10"},	/* bare -10 is -10% */
		/* ≤-3% (a fall of at least 3%): scored like ≥3% on magnitudes */
		{"≤-3%", "-1%", NULL, false, "3.33", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET, "1", "3"},	/* 1/3; was 0.00 */
		{"≤-3%", "-3%", NULL, false, "10.00", PJ_RULE_NEGATIVE, 0, "3", "3"},
		{"≤-3%", "-3.6%", NULL, false, "10.00", PJ_RULE_NEGATIVE, 0, "3.6", "3"},	/* 1.2 < 1.30 */
		{"≤-3%", "-4%", NULL, false, "10.00", PJ_RULE_NEGATIVE, PJ_FLAG_OVER_ACHIEVED, "4", "3"},	/* 1.33 ≥ 1.30 */
		{"<-3%", "-3%", NULL, false, "10.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET, "3", "3"},	/* strict, at the bound */
		{"≤-3%", "0%", NULL, false, "0.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET, "0", "3"},	/* no fall at all */
		{"≤-3%", "2%", NULL, false, "0.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET | PJ_FLAG_OPPOSITE_SIGN, "0", "1"},
		/* a positive target missed by a negative actual: nothing achieved */
		{"≥5%", "-3%", NULL, false, "0.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET | PJ_FLAG_OPPOSITE_SIGN, "0", "1"},
		{"≤5", "-3", NULL, false, "10.00", PJ_RULE_NEGATIVE, 0, "1", "1"},	/* below a ceiling: met */
		/* a bare target: the category decides; 成本 is negative */
		{"-10", "-20", "成本指标", false, "10.00", PJ_RULE_NEGATIVE, PJ_FLAG_OVER_ACHIEVED, "20", "10"},	/* was 0.00 not_met */
		{"-10", "-5", "成本指标", false, "5.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET, "5", "10"},
		{"-10", "5", "成本指标", false, "0.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET | PJ_FLAG_OPPOSITE_SIGN, "0", "1"},
		{"-10", "-20", "数量指标", false, "5.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "10", "20"},
		{"-10", "-5", "数量指标", false, "10.00", PJ_RULE_POSITIVE, 0, "1", "1"},
		/* target 0: met or not, no ratio */
		{"≥0", "-2", NULL, false, "0.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "0", "1"},	/* was 10.00 */
		{"≥0", "0", NULL, false, "10.00", PJ_RULE_POSITIVE, 0, "1", "1"},
		{"≤0", "-1", NULL, false, "10.00", PJ_RULE_NEGATIVE, 0, "1", "1"},
		{"≤0", "1", NULL, false, "0.00", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET, "0", "1"},
		{"0", "-1", NULL, false, "0.00", PJ_RULE_ZERO_TARGET, PJ_FLAG_NOT_MET, "0", "1"},	/* was 10.00 */
		/* ranges: the bound missed, on magnitudes */
		{"-1-0", "-5", NULL, false, "2.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "1", "5"},	/* below -1: 1/5; was 10.00 */
		{"-1-0", "-0.5", NULL, false, "10.00", PJ_RULE_RANGE, 0, "1", "1"},
		{"-1-0", "0", NULL, false, "10.00", PJ_RULE_RANGE, 0, "1", "1"},
		{"-1-0", "3", NULL, false, "0.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "0", "1"},	/* above 0: no ratio */
		{"-2~3", "-4", NULL, false, "5.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "2", "4"},	/* across zero: below -2 */
		{"-2~3", "6", NULL, false, "5.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "3", "6"},	/* above 3 */
		{"-2~3", "0", NULL, false, "10.00", PJ_RULE_RANGE, 0, "1", "1"},
		{"-5~-2", "-10", NULL, false, "5.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "5", "10"},
		{"-5~-2", "-1", NULL, false, "5.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "1", "2"},
		{"-5~-2", "1", NULL, false, "0.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET | PJ_FLAG_OPPOSITE_SIGN, "0", "1"},
		{"2~5", "-1", NULL, false, "0.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET | PJ_FLAG_OPPOSITE_SIGN, "0", "1"},
		{"0~5", "-1", NULL, false, "0.00", PJ_RULE_RANGE, PJ_FLAG_NOT_MET, "0", "1"},	/* was 10.00 */
		/* the linear profile replaces |T|/|A| (more than the bound on magnitudes) only */
		{"≥-5%", "-6%", NULL, true, "8.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "4", "5"},	/* (10 - 6)/5 */
		{"≥-5%", "-6%", NULL, false, "8.33", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "5", "6"},
		{"≥-5%", "-12%", NULL, true, "0.00", PJ_RULE_POSITIVE, PJ_FLAG_NOT_MET, "0", "5"},	/* floored at 0 */
		{"≤-3%", "-1%", NULL, true, "3.33", PJ_RULE_NEGATIVE, PJ_FLAG_NOT_MET, "1", "3"},
	};
	size_t		k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
	{
		const SignedCase *c = &cases[k];
		PjRules		rules = pj_rules_default();
		Scored	   *s;
		char		num[64],
					den[64];

		rules.negative = c->linear ? PJ_NEGATIVE_LINEAR : PJ_NEGATIVE_RATIO;
		expect_with(&rules, c->target, c->actual, "10", c->category, c->score, c->rule, c->flags);
		s = score(c->target, c->actual, "10", c->category, &rules);
		if (!s)
			continue;
		CHECK(s->o.nparts == 1 && s->o.parts[0].has_ratio, "%s vs %s: one part with a ratio",
			  c->target, c->actual);
		num[pj_wide_text(s->o.parts[0].num, num)] = '\0';
		den[pj_wide_text(s->o.parts[0].den, den)] = '\0';
		CHECK(strcmp(num, c->num) == 0 && strcmp(den, c->den) == 0,
			  "%s vs %s: completion want %s/%s, got %s/%s", c->target, c->actual, c->num, c->den,
			  num, den);
		free(s);
	}
	/* clauses: each clause on its own signs, then the mean (0.5 + 1) / 2 */
	expect("a≥-5%，b≥5%", "a-10%，b5%", "10", NULL, "7.50", PJ_RULE_CLAUSES, PJ_FLAG_NOT_MET);
}

static void
test_grade_and_parts(void)
{
	IvDecimal	ex = dec("90"),
				good = dec("80"),
				pass = dec("60");

	CHECK(strcmp(pj_grade(dec("99.93"), ex, good, pass), "优") == 0, "99.93 is 优");
	CHECK(strcmp(pj_grade(dec("90.00"), ex, good, pass), "优") == 0, "90 is 优 (bound included)");
	CHECK(strcmp(pj_grade(dec("89.99"), ex, good, pass), "良") == 0, "89.99 is 良");
	CHECK(strcmp(pj_grade(dec("80"), ex, good, pass), "良") == 0, "80 is 良");
	CHECK(strcmp(pj_grade(dec("60"), ex, good, pass), "中") == 0, "60 is 中");
	CHECK(strcmp(pj_grade(dec("59.99"), ex, good, pass), "差") == 0, "59.99 is 差");
	CHECK(strcmp(pj_grade(dec("-1"), ex, good, pass), "差") == 0, "negative is 差");

	CHECK(pj_is_cost_category("生态环境成本指标", strlen("生态环境成本指标")), "成本 is cost");
	CHECK(!pj_is_cost_category("数量指标", strlen("数量指标")), "数量 is not cost");
	CHECK(!pj_is_cost_category(NULL, 0), "no category is not cost");

	{
		IvDecimal	d;

		CHECK(pj_decimal_from_text("-12.50", 6, &d) && d.coef == -1250 && d.exp == -2, "decimal text");
		CHECK(!pj_decimal_from_text("1e5", 3, &d), "no exponents");
		CHECK(!pj_decimal_from_text("", 0, &d), "empty is not a decimal");
		CHECK(!pj_decimal_from_text("1234567890123456789", 19, &d), "19 digits is too many");
	}
	{
		/* completion keeps over-achievement visible: 27/17 as a fraction */
		Scored	   *s = score("17", "27", "6", NULL, NULL);
		char		buf[64];

		CHECK(s->o.has_completion && s->o.nparts == 1, "one part");
		buf[pj_wide_text(s->o.parts[0].num, buf)] = '\0';
		CHECK(strcmp(buf, "27") == 0, "num 27, got %s", buf);
		buf[pj_wide_text(s->o.parts[0].den, buf)] = '\0';
		CHECK(strcmp(buf, "17") == 0, "den 17, got %s", buf);
		free(s);
		/* base values: 461.74万元 is 4617400.00元 */
		s = score("≤461.74万元", "461.736万元", "5", NULL, NULL);
		buf[pj_wide_text(s->o.parts[0].target, buf)] = '\0';
		CHECK(strcmp(buf, "4617400") == 0, "target base 4617400, got %s", buf);
		buf[pj_wide_text(s->o.parts[0].actual, buf)] = '\0';
		CHECK(strcmp(buf, "4617360") == 0, "actual base 4617360, got %s", buf);
		free(s);
	}
}

/* Level names: the cases indicator_result must classify (50_views.sql). */
static void
test_level_names(void)
{
	static const char *const cases[][2] = {
		{"产出指标", "产出"},
		{"产出", "产出"},
		{"产出指标 (50分)", "产出"},
		{"产出指标（50分）", "产出"},
		{" 效益 指标\t", "效益"},
		{"　满意度指标　", "满意度"},
		{"数量指标(分值)(20)", "数量"},
		{"成本指标（经济", "成本指标（经济"},	/* no closing bracket: kept */
		{"(a(b)c)", "c)"},	/* the first closing bracket ends it */
		{"产出指标指标", "产出指标"},	/* one trailing 指标 only */
		{"指标", ""},
		{"", ""},
		{"（）", ""},
	};
	size_t		k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
	{
		char		out[64];
		size_t		n = pj_level_name(cases[k][0], strlen(cases[k][0]), out);

		CHECK(n == strlen(cases[k][1]) && memcmp(out, cases[k][1], n) == 0,
			  "level name of \"%s\": \"%.*s\", expected \"%s\"", cases[k][0], (int) n, out, cases[k][1]);
	}
}

void
test_rules(void)
{
	test_level_names();
	test_seed_form_1();
	test_seed_form_2();
	test_funds();
	test_rules_table();
	test_signed();
	test_grade_and_parts();
}
