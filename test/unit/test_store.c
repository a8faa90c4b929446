/*
 * test_store.c - the storage block (iv_pack/iv_unpack) against damaged
 * blocks, and pj_wide_text's bounds.  iv_unpack must refuse every field
 * the reader could not have written, one field at a time, and accept what
 * it writes; pj_wide_text must stay inside PJ_WIDE_TEXT_MAX bytes for any
 * wide decimal and print numbers that numeric_in and JSON read.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ivalue_tables.h"
#include "rules.h"

/* A value read from text, with its own copy of the canonical text. */
typedef struct Read
{
	IvValue		v;
	char		buf[512];
} Read;

static bool
read_value(const char *in, Read *r)
{
	IvError		err;

	return iv_parse(in, strlen(in), &r->v, r->buf, sizeof(r->buf), &err);
}

/* Packs v into an exactly sized block and unpacks it (ASan sees overreads). */
static bool
round_trip(const IvValue *v)
{
	size_t		n = iv_packed_size(v);
	uint8_t    *p = malloc(n);
	IvValue		u;
	bool		ok;

	iv_pack(v, p);
	ok = iv_unpack(p, n, &u);
	free(p);
	return ok;
}

/* Unpacks bytes given in hex. */
static bool
unpack_hex(const char *hex)
{
	size_t		n = strlen(hex) / 2,
				i;
	uint8_t    *p = malloc(n > 0 ? n : 1);
	IvValue		u;
	bool		ok;

	for (i = 0; i < n; i++)
	{
		unsigned	b;

		sscanf(hex + 2 * i, "%2x", &b);
		p[i] = (uint8_t) b;
	}
	ok = iv_unpack(p, n, &u);
	free(p);
	return ok;
}

/* One field changed: what, which value to start from, and the change. */
typedef struct Damage
{
	const char *what;
	const char *from;
	void		(*change) (Read *r);
} Damage;

static void kind_zero(Read *r) { r->v.kind = 0; }
static void kind_six(Read *r) { r->v.kind = 6; }
static void kind_qualitative(Read *r) { r->v.kind = IV_KIND_QUALITATIVE; r->v.nclauses = 0; }
static void kind_empty(Read *r) { r->v.kind = IV_KIND_EMPTY; }
static void kind_na(Read *r) { r->v.kind = IV_KIND_NOT_APPLICABLE; }
static void kind_claim(Read *r) { r->v.kind = IV_KIND_CLAIM; }
static void no_clauses(Read *r) { r->v.nclauses = 0; }
static void cmp_seven(Read *r) { r->v.clauses[0].cmp = 7; }
static void cmp_range(Read *r) { r->v.clauses[0].cmp = IV_CMP_RANGE; r->v.clauses[0].upper = r->v.clauses[0].value; r->v.clauses[0].upper.coef--; }
static void dim_twelve(Read *r) { r->v.clauses[0].dim = IV_DIM_COUNT_OF_DIMS; }
static void dim_money(Read *r) { r->v.clauses[0].dim = IV_DIM_MONEY; }
static void dim_none(Read *r) { r->v.clauses[0].dim = IV_DIM_NONE; }
static void dim_rate(Read *r) { r->v.clauses[0].dim = IV_DIM_RATE; }
static void dim_frequency(Read *r) { r->v.clauses[0].dim = IV_DIM_FREQUENCY; }
static void dim_date(Read *r) { r->v.clauses[0].dim = IV_DIM_DATE; }
static void unit_past_table(Read *r) { r->v.clauses[0].unit = (uint8_t) iv_n_units; }
static void unit_255(Read *r) { r->v.clauses[0].unit = 255; }
static void unit_other(Read *r) { r->v.clauses[0].unit = 4; r->v.clauses[0].dim = IV_DIM_MONEY; }	/* 元 */
static void unit_not_canonical(Read *r) { r->v.clauses[0].unit = 3; }	/* 百分比 */
static void unit_none(Read *r) { r->v.clauses[0].unit = 0; }
static void mult_13(Read *r) { r->v.clauses[0].mult = 13; }
static void mult_zero(Read *r) { r->v.clauses[0].mult = 0; }
static void mult_9(Read *r) { r->v.clauses[0].mult = 9; }	/* 万 is 10^4 */
static void mult_len_2(Read *r) { r->v.clauses[0].mult_len = 2; }
static void mult_len_12(Read *r) { r->v.clauses[0].mult_len = 12; }
static void mult_len_0(Read *r) { r->v.clauses[0].mult_len = 0; }
static void flags_two(Read *r) { r->v.clauses[0].flags = 0x02; }
static void flags_month_end(Read *r) { r->v.clauses[0].flags = IV_FLAG_MONTH_END; }
static void exp_minus_19(Read *r) { r->v.clauses[0].value.exp = -19; }
static void exp_minus_80(Read *r) { r->v.clauses[0].value.exp = -80; }
static void exp_plus_1(Read *r) { r->v.clauses[0].value.exp = 1; }
static void exp_plus_100(Read *r) { r->v.clauses[0].value.exp = 100; }
static void coef_1e18(Read *r) { r->v.clauses[0].value.coef = INT64_C(1000000000000000000); }
static void coef_min(Read *r) { r->v.clauses[0].value.coef = INT64_MIN; }
static void upper_exp(Read *r) { r->v.clauses[0].upper.exp = -19; }
static void upper_below(Read *r) { r->v.clauses[0].upper.coef = r->v.clauses[0].value.coef - 1; }
static void date_month_13(Read *r) { r->v.clauses[0].value.coef = 20221301; }
static void date_feb_29(Read *r) { r->v.clauses[0].value.coef = 20230229; }
static void date_year_1899(Read *r) { r->v.clauses[0].value.coef = 18991231; }
static void date_zero(Read *r) { r->v.clauses[0].value.coef = 0; }
static void date_exp(Read *r) { r->v.clauses[0].value.exp = -1; }
static void date_day_no_month(Read *r) { r->v.clauses[0].value.coef = 20220005; }
static void label_outside(Read *r) { r->v.clauses[0].label_off = r->v.text_len; r->v.clauses[0].label_len = 1; }
static void label_off_alone(Read *r) { r->v.clauses[0].label_off = 1; r->v.clauses[0].label_len = 0; }
static void label_mid_char(Read *r) { r->v.clauses[0].label_off = 1; r->v.clauses[0].label_len = 2; }
static void unit_outside(Read *r) { r->v.clauses[0].unit_len = (uint16_t) (r->v.text_len - r->v.clauses[0].unit_off + 1); }
static void unit_mid_char(Read *r) { r->v.clauses[0].unit_len = 1; }
static void unit_off_65535(Read *r) { r->v.clauses[0].unit_off = UINT16_MAX; r->v.clauses[0].unit_len = UINT16_MAX; }
static void per_off_alone(Read *r) { r->v.clauses[0].per_off = 2; }
static void per_outside(Read *r) { r->v.clauses[0].per_len = (uint16_t) (r->v.clauses[0].per_len + 1); }
static void per_not_last(Read *r) { r->v.clauses[0].per_off = (uint16_t) (r->v.clauses[0].per_off - 3); }
static void per_added(Read *r) { r->v.clauses[0].per_off = r->v.clauses[0].unit_off; r->v.clauses[0].per_len = r->v.clauses[0].unit_len; }
static void text_zero_len(Read *r) { r->v.text_len = 0; }
static void text_not_utf8(Read *r) { r->buf[0] = (char) 0xFF; }
static void text_nul(Read *r) { r->buf[r->v.text_len - 1] = '\0'; }
static void text_surrogate(Read *r) { memcpy(r->buf, "\xed\xa0\x80", 3); }
static void text_overlong(Read *r) { memcpy(r->buf, "\xe0\x80\xaf", 3); }
static void text_cut_char(Read *r) { r->v.text_len--; }
static void text_digit(Read *r) { r->buf[0] = '5'; }
static void text_empty_cell(Read *r) { memcpy(r->buf, IV_EMPTY_TEXT, 3); r->v.text_len = 3; }
static void text_na(Read *r) { memcpy(r->buf, IV_NOT_APPLICABLE_TEXT, 9); r->v.text_len = 9; }
static void text_qualitative(Read *r) { memcpy(r->buf, "有效提升", 12); r->v.text_len = 12; }
static void text_claim_prefix(Read *r) { memcpy(r->buf, "已做成", 9); }
static void open_word_empty(Read *r) { r->v.clauses[0].unit_len = 0; }
static void open_word_digit(Read *r) { r->buf[2] = '9'; }	/* 5kg -> 5k9 */
static void open_word_symbol(Read *r) { memcpy(r->buf + 1, "‰", 3); }	/* 5匹 -> 5‰ */
static void open_word_mixed(Read *r) { memcpy(r->buf + 1, "k", 1); }	/* 5匹 -> 5k + 2 bytes of 匹 */

static const Damage damages[] = {
	{"kind 0", "≥90%", kind_zero},
	{"kind 6", "≥90%", kind_six},
	{"qualitative with a digit", "ok", text_digit},
	{"qualitative with clauses", "≥90%", kind_empty},
	{"not applicable with clauses", "≥90%", kind_na},
	{"qualitative that was a number", "90%", kind_qualitative},
	{"empty cell with other text", "—", text_na},
	{"not applicable with other text", "不适用", text_empty_cell},
	{"claim that is not a claim word", "≥90%", kind_claim},
	{"claim word changed", "已完成", text_qualitative},
	{"claim with clauses, no claim prefix", "已完成100%", text_claim_prefix},
	{"quantity without clauses", "≥90%", no_clauses},
	{"comparison 7", "≥90%", cmp_seven},
	{"range with its upper bound below", "≥90%", cmp_range},
	{"dimension 12", "≥90%", dim_twelve},
	{"dimension money for %", "≥90%", dim_money},
	{"dimension none for %", "≥90%", dim_none},
	{"dimension rate without a per", "≥90%", dim_rate},
	{"dimension rate for 次/周", "至少2次/周", dim_rate},
	{"dimension frequency for 元/人", "≤350元/户", dim_frequency},
	{"dimension date for a number", "95", dim_date},
	{"dimension money for a bare number", "95", dim_money},
	{"unit past the table", "≥90%", unit_past_table},
	{"unit 255", "≥90%", unit_255},
	{"unit 元 for the text %", "≥90%", unit_other},
	{"unit 百分比 (printed as %)", "≥90%", unit_not_canonical},
	{"no unit with a unit text", "≥90%", unit_none},
	{"multiplier 13", "2万元", mult_13},
	{"multiplier without its text", "2万元", mult_len_0},
	{"multiplier text without a power", "2万元", mult_zero},
	{"multiplier 9 for one character", "2万元", mult_9},
	{"multiplier of 2 bytes", "2万元", mult_len_2},
	{"multiplier of 4 characters", "2万亿", mult_len_12},
	{"flags 0x02", "≥90%", flags_two},
	{"month end on a number", "≥90%", flags_month_end},
	{"exponent -19", "≥90%", exp_minus_19},
	{"exponent -80", "≥90%", exp_minus_80},
	{"exponent +1", "≥90%", exp_plus_1},
	{"exponent +100", "≥90%", exp_plus_100},
	{"coefficient 10^18", "≥90%", coef_1e18},
	{"coefficient INT64_MIN", "≥90%", coef_min},
	{"range upper exponent -19", "3-5万元", upper_exp},
	{"range upper below lower", "3-5万元", upper_below},
	{"date month 13", "2022年12月31日前", date_month_13},
	{"date 2023-02-29", "2022年12月31日前", date_feb_29},
	{"date year 1899", "2022年12月31日前", date_year_1899},
	{"date 0", "2022年12月31日前", date_zero},
	{"date with an exponent", "2022年12月31日前", date_exp},
	{"date day without month", "2022年12月31日前", date_day_no_month},
	{"label outside the text", "≥90%", label_outside},
	{"label offset without a label", "≥90%", label_off_alone},
	{"label inside a character", "采集率达95%以上", label_mid_char},
	{"unit outside the text", "≥90%", unit_outside},
	{"unit inside a character", "≥90万元", unit_mid_char},
	{"unit at 65535", "≥90%", unit_off_65535},
	{"per offset without a per", "≥90%", per_off_alone},
	{"per outside the text", "至少2次/周", per_outside},
	{"per not at the end of the unit", "≤350元/户", per_not_last},
	{"per the whole unit", "≤350元/户", per_added},
	{"text empty", "≥90%", text_zero_len},
	{"text not UTF-8", "有效提升", text_not_utf8},
	{"text with NUL", "ok", text_nul},
	{"text with a surrogate", "有效提升", text_surrogate},
	{"text with an overlong form", "有效提升", text_overlong},
	{"text ends inside a character", "有效提升", text_cut_char},
	{"open unit with no word", "5匹", open_word_empty},
	{"open unit word with a digit", "5kg", open_word_digit},
	{"open unit word a symbol", "5匹", open_word_symbol},
	{"open unit word of a letter and a broken character", "5匹", open_word_mixed},
};

/* Reader values of every shape unpack (the fields' checks refuse none of them). */
static const char *const accepted[] = {
	"≥90%", "95", "2万", "≥5‰", "3-5万元", "90%~95%", "1-12月", "2022年12月31日前",
	"2022年12月底前", "2022年底", "2022年", "11月前", "2024年2月底", "12月底",
	"至少2次/周", "每周2次", "≤350元/户", "≥1200元/人", "10台套", "10个项目/年", "2个月/次",
	"已完成100%", "完成", "达标", "不适用", "—", "重点解决", "-0.05万元", "999999999999999999万亿元",
	"0.000000000000000001%", "采集率达95%以上，准确率达90%以上，注销率达95%以上；",
	"≥100百分比", "约30天", "-3~-1", "2万亿", "1,821,100元", "≤461.74万元", "５亿",
	"5匹", "≥2万尾", "3~5盏", "5kg", "5匹/月", "5元/匹", "2021年全年", "上半年",
};

static void
test_unpack_refuses(void)
{
	size_t		i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
	{
		Read		r;

		CHECK(read_value(accepted[i], &r), "\"%s\" reads", accepted[i]);
		CHECK(round_trip(&r.v), "\"%s\" packs and unpacks", accepted[i]);
	}
	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++)
	{
		Read		r;

		if (!read_value(damages[i].from, &r))
		{
			CHECK(false, "%s: \"%s\" reads", damages[i].what, damages[i].from);
			continue;
		}
		CHECK(round_trip(&r.v), "%s: \"%s\" unpacks before the change", damages[i].what, damages[i].from);
		damages[i].change(&r);	/* r.v.text is r.buf */
		CHECK(!round_trip(&r.v), "%s (from \"%s\") is refused", damages[i].what, damages[i].from);
	}

	/* the layout itself */
	CHECK(unpack_hex("01010106010101000000b40100000005010000e289a5393025"), "≥90%% as packed");
	/* blocks 0.2.0 wrote (the open unit is the table's last entry: no index moved) */
	CHECK(unpack_hex("0101010b0105340000001400000005060000e289a53130e58fb0e5a597"), "≥10台套 as 0.2.0 packed it");
	CHECK(unpack_hex("0101010a00052c040300040000000109000032e4b887e4babae6aca1"), "2万人次 as 0.2.0 packed it");
	CHECK(unpack_hex("0101010f030204040300bcd105fe000009060000e289a43436312e3734e4b887e58583"),
		  "≤461.74万元 as 0.2.0 packed it");
	CHECK(unpack_hex("0101010400055f0000000a0000000103000035e58cb9"), "5匹 as packed");
	CHECK(!unpack_hex(""), "empty block");
	CHECK(!unpack_hex("02010106010101000000b40100000005010000e289a5393025"), "layout version 2");
	CHECK(!unpack_hex("01010106010101000000b40100000005010000e289a53930"), "text cut short");
	CHECK(!unpack_hex("01010106010101000000b40100000005010000e289a539302525"), "a byte after the text");
	CHECK(!unpack_hex("0101018006010101000000b40100000005010000e289a5393025"), "text_len not minimal");
	CHECK(!unpack_hex("01010106010101000000b4810000000005010000e289a5393025"), "coefficient not minimal");
	CHECK(!unpack_hex("01010106010101000000ffffffffffffffffff0200000005010000e289a5393025"),
		  "coefficient varint beyond 64 bits");
	CHECK(!unpack_hex("0101010601010100000080808080808080808080010000000005010000e289a5393025"),
		  "coefficient varint of 11 bytes");
	CHECK(!unpack_hex("010101060101010000008080808080808080800100000005010000e289a5393025"),
		  "coefficient 2^63 zigzagged (|coef| above 10^18)");
	CHECK(!unpack_hex("01010106010101000000b401b0000005010000e289a5393025"),
		  "the review's block: exponent -80");
	CHECK(!unpack_hex("0101018180040601010000000a0006"), "text_len 65537");
	CHECK(!unpack_hex("0101110601"), "17 clauses");
}

/* pj_wide_text into an exactly sized heap buffer, NUL-terminated for the checks. */
static const char *
wide_text(pj_int128 coef, int32_t exp, char *out)
{
	char	   *buf = malloc(PJ_WIDE_TEXT_MAX);	/* ASan sees any byte past it */
	size_t		n = pj_wide_text((PjWide) {coef, exp}, buf);

	CHECK(n >= 1 && n <= PJ_WIDE_TEXT_MAX, "length %zu within PJ_WIDE_TEXT_MAX", n);
	memcpy(out, buf, n);
	out[n] = '\0';
	free(buf);
	return out;
}

/* A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.')
	{
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E')
	{
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static void
test_wide_text(void)
{
	static const struct
	{
		int64_t		coef;
		int32_t		exp;
		const char *text;
	}			cases[] = {
		{0, 0, "0"}, {0, 4, "0"}, {0, 40, "0"}, {0, -2, "0.00"}, {5, 4, "50000"},
		{-5, 4, "-50000"}, {5, -1, "0.5"}, {-5, -3, "-0.005"}, {12345, -2, "123.45"},
		{1, -24, "0.000000000000000000000001"}, {4617400, 0, "4617400"},
		{INT64_MIN, 0, "-9223372036854775808"},
		/* beyond PJ_WIDE_TEXT_MAX in plain text: coefficient e exponent */
		{5, -80, "5e-80"}, {-5, -80, "-5e-80"}, {5, 100, "5e100"},
		{123, INT32_MIN, "123e-2147483648"}, {123, INT32_MAX, "123e2147483647"},
	};
	pj_int128	big = ((pj_int128) 1) << 126;
	char		out[PJ_WIDE_TEXT_MAX + 1];
	size_t		i;
	int32_t		e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		wide_text(cases[i].coef, cases[i].exp, out);
		CHECK(strcmp(out, cases[i].text) == 0, "pj_wide_text %lld e%d: %s, want %s",
			  (long long) cases[i].coef, cases[i].exp, out, cases[i].text);
	}
	/* every exponent near the edge, the largest coefficients: bounded JSON numbers */
	for (e = -70; e <= 70; e++)
	{
		CHECK(json_number(wide_text(-big * 2, e, out)), "int128 min e%d: %s", e, out);
		CHECK(json_number(wide_text(big - 1 + big, e, out)), "int128 max e%d: %s", e, out);
		CHECK(json_number(wide_text(0, e, out)), "0 e%d: %s", e, out);
		CHECK(json_number(wide_text(7, e, out)), "7 e%d: %s", e, out);
	}
	CHECK(strcmp(wide_text(-big * 2, 0, out), "-170141183460469231731687303715884105728") == 0,
		  "int128 min: %s", out);
	CHECK(strcmp(wide_text(-big * 2, INT32_MIN, out),
				 "-170141183460469231731687303715884105728e-2147483648") == 0,
		  "the longest text: %s", out);
}

void
test_store(void)
{
	test_unpack_refuses();
	test_wide_text();
}
