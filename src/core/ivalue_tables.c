/*
 * ivalue_tables.c - the words and units pjeval reads, compiled in so the
 * reader depends on no locale, setting or catalog (its SQL input function
 * is truly IMMUTABLE).  Sources: docs/indicator-values.md and the
 * published forms it summarises.
 */
#include <string.h>

#include "ivalue_tables.h"

#define W(s, c) {s, sizeof(s) - 1, IV_CMP_##c, false}
#define WEAK(s, c) {s, sizeof(s) - 1, IV_CMP_##c, true}

/*
 * Comparison words before the number.  The reader takes the longest match,
 * so 不低于 wins over 低于 and 达到 over 达.  以上/以下/以内 include the number
 * and 超过/不满 exclude it (民法典 第1259条).
 */
const IvWord iv_prefix_words[] = {
	W(">=", GE), W("=>", GE), W("≥", GE), W("≧", GE), W("不低于", GE), W("不少于", GE),
	W("不小于", GE), W("大于等于", GE), W("大于或等于", GE), W("至少", GE), W("最少", GE),
	W("最低", GE), W("不早于", GE), WEAK("达到", GE), WEAK("达", GE),
	W(">", GT), W("大于", GT), W("高于", GT), W("超过", GT), W("多于", GT),
	W("<=", LE), W("=<", LE), W("≤", LE), W("≦", LE), W("不高于", LE), W("不超过", LE),
	W("不多于", LE), W("不大于", LE), W("小于等于", LE), W("小于或等于", LE), W("至多", LE),
	W("最多", LE), W("最高", LE), W("不晚于", LE), W("不迟于", LE), WEAK("控制在", LE),
	W("<", LT), W("小于", LT), W("低于", LT), W("少于", LT), W("不满", LT), W("不足", LT),
	W("=", EQ), W("等于", EQ),
	W("≈", APPROX), W("约", APPROX), W("大约", APPROX),
};
const size_t iv_n_prefix_words = sizeof(iv_prefix_words) / sizeof(iv_prefix_words[0]);

const IvWord iv_suffix_words[] = {
	W("以上", GE), W("及以上", GE), W("或以上", GE), W("及其以上", GE),
	W("以下", LE), W("及以下", LE), W("或以下", LE), W("以内", LE), W("之内", LE), W("内", LE),
	W("左右", APPROX),
};
const size_t iv_n_suffix_words = sizeof(iv_suffix_words) / sizeof(iv_suffix_words[0]);

/* After a date: 前 → ≤ and 后 → ≥ (2022年12月31日前). */
const IvWord iv_date_suffix_words[] = {
	W("前", LE), W("之前", LE), W("以前", LE),
	W("后", GE), W("之后", GE), W("以后", GE),
};
const size_t iv_n_date_suffix_words = sizeof(iv_date_suffix_words) / sizeof(iv_date_suffix_words[0]);

#define U(s, d, c, e, b, f) {s, sizeof(s) - 1, IV_DIM_##d, 0, f, {c, e}, b}
#define COUNT(s) U(s, COUNT, 1, 0, NULL, 0)
#define PERIOD IV_UNIT_PERIOD

/*
 * Units.  Entry 0 stands for "no unit".  Factors are exact decimals: 亩 is
 * kept apart from 平方米 because 1 亩 = 666.66… 平方米 is not one, and 月/年
 * apart from 天 because a month has no fixed length.  十百千万亿 prefixes
 * (万元, 万人次) are read separately, so each unit appears once.
 */
const IvUnit iv_units[] = {
	{"", 0, IV_DIM_NONE, 0, 0, {1, 0}, NULL},
	U("%", RATIO, 1, 0, "%", 0),
	U("‰", RATIO, 1, -1, "%", 0),
	{"百分比", sizeof("百分比") - 1, IV_DIM_RATIO, 1, 0, {1, 0}, "%"},
	U("元", MONEY, 1, 0, "元", 0),
	U("秒", DURATION, 1, 0, "秒", PERIOD),
	U("分钟", DURATION, 60, 0, "秒", PERIOD),
	U("小时", DURATION, 3600, 0, "秒", PERIOD),
	U("个小时", DURATION, 3600, 0, "秒", 0),
	U("天", DURATION, 86400, 0, "秒", PERIOD),
	U("日", DURATION, 86400, 0, "秒", PERIOD),
	U("周", DURATION, 604800, 0, "秒", PERIOD),
	U("星期", DURATION, 604800, 0, "秒", PERIOD),
	U("个星期", DURATION, 604800, 0, "秒", 0),
	U("月", DURATION, 1, 0, "月", PERIOD),
	U("个月", DURATION, 1, 0, "月", 0),
	U("季度", DURATION, 3, 0, "月", PERIOD),
	U("个季度", DURATION, 3, 0, "月", 0),
	U("季", DURATION, 3, 0, "月", PERIOD),
	U("半年", DURATION, 6, 0, "月", PERIOD),
	U("年", DURATION, 12, 0, "月", PERIOD),
	U("工作日", DURATION, 1, 0, "工作日", PERIOD),
	U("个工作日", DURATION, 1, 0, "工作日", 0),
	U("米", LENGTH, 1, 0, "米", 0),
	U("千米", LENGTH, 1000, 0, "米", 0),
	U("公里", LENGTH, 1000, 0, "米", 0),
	U("厘米", LENGTH, 1, -2, "米", 0),
	U("毫米", LENGTH, 1, -3, "米", 0),
	U("平方米", AREA, 1, 0, "平方米", 0),
	U("平方千米", AREA, 1000000, 0, "平方米", 0),
	U("平方公里", AREA, 1000000, 0, "平方米", 0),
	U("公顷", AREA, 10000, 0, "平方米", 0),
	U("亩", AREA, 1, 0, "亩", 0),
	U("吨", MASS, 1, 0, "吨", 0),
	U("千克", MASS, 1, -3, "吨", 0),
	U("公斤", MASS, 1, -3, "吨", 0),
	U("斤", MASS, 5, -4, "吨", 0),
	U("克", MASS, 1, -6, "吨", 0),
	U("立方米", VOLUME, 1, 0, "立方米", 0),
	U("方", VOLUME, 1, 0, "立方米", 0),
	U("升", VOLUME, 1, -3, "立方米", 0),
	COUNT("个"), COUNT("件"), COUNT("人"), COUNT("人次"), COUNT("次"), COUNT("名"),
	COUNT("户"), COUNT("户次"), COUNT("家"), COUNT("家次"), COUNT("套"), COUNT("台"),
	COUNT("项"), COUNT("份"), COUNT("批"), COUNT("场"), COUNT("场次"), COUNT("期"),
	COUNT("所"), COUNT("座"), COUNT("处"), COUNT("篇"), COUNT("本"), COUNT("条"),
	COUNT("辆"), COUNT("通"), COUNT("起"), COUNT("宗"), COUNT("张"), COUNT("间"),
	COUNT("栋"), COUNT("棵"), COUNT("株"), COUNT("例"), COUNT("册"), COUNT("部"),
	COUNT("组"), COUNT("类"), COUNT("支"), COUNT("只"), COUNT("头"), COUNT("车次"),
	COUNT("架次"), COUNT("班次"), COUNT("课时"), COUNT("学时"), COUNT("床"), COUNT("门"),
	COUNT("款"), COUNT("种"), COUNT("轮"), COUNT("区"), COUNT("村"), COUNT("分"),
	/* last, so that the stored indexes of the units above never change */
	{"", 0, IV_DIM_COUNT, 0, IV_UNIT_OPEN, {1, 0}, NULL},
};
const size_t iv_n_units = sizeof(iv_units) / sizeof(iv_units[0]);
const uint8_t iv_open_unit = sizeof(iv_units) / sizeof(iv_units[0]) - 1;

#define P(s, a, b) {s, sizeof(s) - 1, a, b}

const IvPeriod iv_periods[] = {
	P("全年", 1, 12), P("全年度", 1, 12), P("上半年", 1, 6), P("下半年", 7, 12),
	P("第一季度", 1, 3), P("第二季度", 4, 6), P("第三季度", 7, 9), P("第四季度", 10, 12),
	P("第1季度", 1, 3), P("第2季度", 4, 6), P("第3季度", 7, 9), P("第4季度", 10, 12),
	P("一季度", 1, 3), P("二季度", 4, 6), P("三季度", 7, 9), P("四季度", 10, 12),
};
const size_t iv_n_periods = sizeof(iv_periods) / sizeof(iv_periods[0]);

/* A claim of achievement with no measurement: readable, never a ratio. */
const char *const iv_claim_words[] = {
	"完成", "全部完成", "已完成", "已全部完成", "圆满完成", "达成", "已达成", "达标",
	"已达标", "实现", "已实现", "是", "达成预期指标", "达成预期目标", "达成年度指标",
	"达到预期", "达到预期目标", "达到预期效果", "完成预期目标", "已完成年度目标",
};
const size_t iv_n_claim_words = sizeof(iv_claim_words) / sizeof(iv_claim_words[0]);

/* Past-tense claims that may carry a number: 已完成100%. */
const char *const iv_claim_prefixes[] = {
	"已完成", "已全部完成", "已达成", "已达标", "已实现",
};
const size_t iv_n_claim_prefixes = sizeof(iv_claim_prefixes) / sizeof(iv_claim_prefixes[0]);

/*
 * Cells that mean "empty" (the value reader's, the form reader's, and the
 * explanations'); 一 is the character often typed for a dash, － the
 * full-width hyphen.
 */
const char *const iv_placeholders[] = {
	"-", "--", "—", "——", "–", "―", "－", "/", "\\", "一", "一一",
};
const size_t iv_n_placeholders = sizeof(iv_placeholders) / sizeof(iv_placeholders[0]);

bool
iv_is_placeholder(const char *s, size_t len)
{
	size_t		i;

	if (len == 0)
		return true;
	for (i = 0; i < iv_n_placeholders; i++)
		if (len == strlen(iv_placeholders[i]) && memcmp(s, iv_placeholders[i], len) == 0)
			return true;
	return false;
}

/* white space at s[0] (ASCII, or the ideographic space U+3000): its length */
static size_t
space_at(const char *s, size_t len)
{
	if (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		return 1;
	if (len >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

/*
 * An explanation (偏差原因, 未完成原因分析) that says nothing: blank, a
 * placeholder, or 无 ("none").
 */
bool
iv_explains_nothing(const char *s, size_t len)
{
	size_t		n;

	while ((n = space_at(s, len)) > 0)
		s += n, len -= n;
	for (;;)
	{
		if (len > 0 && space_at(s + len - 1, 1) == 1)
			len--;
		else if (len >= 3 && space_at(s + len - 3, 3) == 3)
			len -= 3;
		else
			break;
	}
	return iv_is_placeholder(s, len) || (len == strlen("无") && memcmp(s, "无", len) == 0);
}

/*
 * The decimal digits of every script (Unicode 14, general category Nd), each
 * given by the code point of its zero: ٠١٢ (Arabic-Indic), ۰۱۲ (Extended
 * Arabic-Indic), ०१२ (Devanagari), 𝟎𝟏𝟐 (mathematical) and the rest read as
 * 0 1 2.  ASCII and full-width digits are not listed: the reader folds them
 * before it looks here.
 */
static const uint32_t iv_digit_zeros[] = {
	0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6,
	0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
	0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
	0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136,
	0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
	0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2,
	0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
};

int
iv_digit_value(uint32_t c)
{
	size_t		lo = 0,
				hi = sizeof(iv_digit_zeros) / sizeof(iv_digit_zeros[0]);

	if (c < iv_digit_zeros[0] || (c >= 0x2000 && c < 0xA620))	/* most text: CJK, punctuation */
		return -1;
	/* the last zero at or below c */
	while (hi - lo > 1)
	{
		size_t		mid = (lo + hi) / 2;

		if (iv_digit_zeros[mid] <= c)
			lo = mid;
		else
			hi = mid;
	}
	return c - iv_digit_zeros[lo] < 10 ? (int) (c - iv_digit_zeros[lo]) : -1;
}

int
iv_format_mark(uint32_t c)
{
	if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
		return IV_MARK_BIDI;
	if ((c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF)
		return IV_MARK_INVISIBLE;
	return IV_MARK_NONE;
}

const char *
iv_cmp_symbol(IvCmp cmp)
{
	static const char *const sym[] = {"=", "≥", ">", "≤", "<", "≈", "range"};

	return (unsigned) cmp < sizeof(sym) / sizeof(sym[0]) ? sym[cmp] : "?";
}

const char *
iv_dim_name(IvDim dim)
{
	static const char *const name[IV_DIM_COUNT_OF_DIMS] = {
		"none", "ratio", "money", "duration", "frequency", "count", "length",
		"area", "mass", "volume", "date", "rate",
	};

	return (unsigned) dim < IV_DIM_COUNT_OF_DIMS ? name[dim] : "?";
}

const char *
iv_kind_name(IvKind kind)
{
	switch (kind)
	{
		case IV_KIND_QUANTITY:
			return "quantity";
		case IV_KIND_QUALITATIVE:
			return "qualitative";
		case IV_KIND_CLAIM:
			return "claim";
		case IV_KIND_NOT_APPLICABLE:
			return "not_applicable";
		case IV_KIND_EMPTY:
			return "empty";
	}
	return "?";
}

IvDecimal
iv_clause_factor(const IvClause *c)
{
	IvDecimal	f = {1, 0};

	if (c->unit < iv_n_units)
		f = iv_units[c->unit].factor;
	f.exp += c->mult;
	return f;
}

size_t
iv_clause_base_unit(const IvValue *v, const IvClause *c, char *buf, size_t cap)
{
	const IvUnit *u;
	const char *name;
	size_t		len,
				out = 0;

	if (c->dim == IV_DIM_DATE)
	{
		name = "yyyymmdd";
		len = strlen(name);
	}
	else if (c->unit == 0 || c->unit >= iv_n_units)
		return 0;
	else
	{
		u = &iv_units[c->unit];
		if (u->base)
		{
			name = u->base;
			len = strlen(name);
		}
		else
		{
			/* A count is its own base: the written unit less any 万 prefix. */
			size_t		skip = c->mult_len;
			size_t		end = c->per_len ? (size_t) (c->per_off - 1) : (size_t) (c->unit_off + c->unit_len);

			if (c->unit_off + skip > end || end > v->text_len)
				return 0;
			name = v->text + c->unit_off + skip;
			len = end - c->unit_off - skip;
		}
	}
	if (len + 1 + c->per_len > cap || (size_t) c->per_off + c->per_len > v->text_len)
		return 0;
	memcpy(buf, name, len);
	out = len;
	if (c->per_len)
	{
		buf[out++] = '/';
		memcpy(buf + out, v->text + c->per_off, c->per_len);
		out += c->per_len;
	}
	return out;
}
