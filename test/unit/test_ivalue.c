/*
 * test_ivalue.c - unit tests of the pure indicator value reader, run under
 * ASan/UBSan by `make unittest`.  No server involved.
 */
#include <stdlib.h>
#include <string.h>

#include "ivalue.h"
#include "ivalue_tables.h"

#include "check.h"

/* Reads s into a heap copy of exactly its length, so ASan sees overreads. */
static bool
parse(const char *s, IvValue *v, char **buf, IvError *err)
{
	size_t		len = strlen(s);
	char	   *in = malloc(len ? len : 1);
	bool		ok;

	memcpy(in, s, len);
	*buf = malloc(iv_text_capacity(len));
	ok = iv_parse(in, len, v, *buf, iv_text_capacity(len), err);
	free(in);
	return ok;
}

static void
decimal_text(IvDecimal d, char *out, size_t cap)
{
	char		digits[32];
	unsigned long long mag = d.coef < 0 ? 0ULL - (unsigned long long) d.coef : (unsigned long long) d.coef;
	int			n = snprintf(digits, sizeof(digits), "%llu", mag),
				frac = -d.exp;
	const char *sign = d.coef < 0 ? "-" : "";

	if (frac <= 0)
		snprintf(out, cap, "%s%s", sign, digits);
	else if (n <= frac)
		snprintf(out, cap, "%s0.%.*s%s", sign, frac - n, "0000000000000000000000", digits);
	else
		snprintf(out, cap, "%s%.*s.%s", sign, n - frac, digits, digits + n - frac);
}

/* value x factor, as exact decimal text (fits: test values are small) */
static void
base_text(const IvClause *c, IvDecimal v, char *out, size_t cap)
{
	IvDecimal	f = iv_clause_factor(c),
				b = {v.coef * f.coef, v.exp + f.exp};

	while (b.exp > 0)
	{
		b.coef *= 10;
		b.exp--;
	}
	decimal_text(b, out, cap);
}

/* Invisible format marks, as UTF-8 (kept apart: "\xae" "90" is not "\xae90") */
#define LRM "\xe2\x80\x8e"
#define RLM "\xe2\x80\x8f"
#define ZWSP "\xe2\x80\x8b"
#define RLE "\xe2\x80\xab"
#define PDF "\xe2\x80\xac"
#define LRO "\xe2\x80\xad"
#define RLO "\xe2\x80\xae"
#define WJ "\xe2\x81\xa0"
#define LRI "\xe2\x81\xa6"
#define PDI "\xe2\x81\xa9"
#define BOM "\xef\xbb\xbf"

typedef struct ValidCase
{
	const char *in;
	const char *canon;			/* canonical text */
	const char *kind;
	const char *cmp;			/* first clause; NULL: no clause */
	const char *number;			/* as written */
	const char *base;			/* in the base unit */
	const char *unit;			/* as written */
	const char *base_unit;
	const char *dim;
	const char *label;
} ValidCase;

static const ValidCase valid[] = {
	/* every target and actual of the two seed forms */
	{"17", "17", "quantity", "=", "17", "17", "", "", "none", ""},
	{"27", "27", "quantity", "=", "27", "27", "", "", "none", ""},
	{"至少2次/周", "≥2次/周", "quantity", "≥", "2", "2", "次/周", "次/周", "frequency", ""},
	{"200000", "200000", "quantity", "=", "200000", "200000", "", "", "none", ""},
	{"424876", "424876", "quantity", "=", "424876", "424876", "", "", "none", ""},
	{"≥90%", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{"92%", "92%", "quantity", "=", "92", "92", "%", "%", "ratio", ""},
	{"1", "1", "quantity", "=", "1", "1", "", "", "none", ""},
	{"<1821100元", "<1821100元", "quantity", "<", "1821100", "1821100", "元", "元", "money", ""},
	{"1808698.26元", "1808698.26元", "quantity", "=", "1808698.26", "1808698.26", "元", "元", "money", ""},
	{"不适用", "不适用", "not_applicable", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"重点解决", "重点解决", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"100%", "100%", "quantity", "=", "100", "100", "%", "%", "ratio", ""},
	{"3180", "3180", "quantity", "=", "3180", "3180", "", "", "none", ""},
	{"97%以上", "≥97%", "quantity", "≥", "97", "97", "%", "%", "ratio", ""},
	{"97.11%", "97.11%", "quantity", "=", "97.11", "97.11", "%", "%", "ratio", ""},
	{"低于3%", "<3%", "quantity", "<", "3", "3", "%", "%", "ratio", ""},
	{"≤461.74万元", "≤461.74万元", "quantity", "≤", "461.74", "4617400", "万元", "元", "money", ""},
	{"461.736万元", "461.736万元", "quantity", "=", "461.736", "4617360", "万元", "元", "money", ""},
	{"采集率达95%以上，准确率达90%以上，注销率达95%以上；", "采集率≥95%；准确率≥90%；注销率≥95%",
	"quantity", "≥", "95", "95", "%", "%", "ratio", "采集率"},
	{"采集率96.22%，准确率达99.31%，注销率95.35%", "采集率96.22%；准确率≥99.31%；注销率95.35%",
	"quantity", "=", "96.22", "96.22", "%", "%", "ratio", "采集率"},
	{"信息通报率达95%以上", "信息通报率≥95%", "quantity", "≥", "95", "95", "%", "%", "ratio", "信息通报率"},
	/* comparison words, prefix and suffix (以上 includes, 超过/不满 exclude) */
	{"不低于95%", "≥95%", "quantity", "≥", "95", "95", "%", "%", "ratio", ""},
	{"大于等于80%", "≥80%", "quantity", "≥", "80", "80", "%", "%", "ratio", ""},
	{"＞＝90％", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	/* small form variants (U+FE64-FE66, U+FE6A), as 云南's 指标性质 column writes ﹦ */
	{"﹦72890元", "72890元", "quantity", "=", "72890", "72890", "元", "元", "money", ""},
	{"﹥﹦90﹪", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{"﹤5天", "<5天", "quantity", "<", "5", "432000", "天", "秒", "duration", ""},
	{"超过5天", ">5天", "quantity", ">", "5", "432000", "天", "秒", "duration", ""},
	{"不满3个", "<3个", "quantity", "<", "3", "3", "个", "个", "count", ""},
	{"不超过10万元", "≤10万元", "quantity", "≤", "10", "100000", "万元", "元", "money", ""},
	{"控制在5%以内", "≤5%", "quantity", "≤", "5", "5", "%", "%", "ratio", ""},
	{"3天内", "≤3天", "quantity", "≤", "3", "259200", "天", "秒", "duration", ""},
	{"约100人", "≈100人", "quantity", "≈", "100", "100", "人", "人", "count", ""},
	{"100人左右", "≈100人", "quantity", "≈", "100", "100", "人", "人", "count", ""},
	{"等于0起", "0起", "quantity", "=", "0", "0", "起", "起", "count", ""},
	{">= 75 %", "≥75%", "quantity", "≥", "75", "75", "%", "%", "ratio", ""},
	/* numbers */
	{"９５％", "95%", "quantity", "=", "95", "95", "%", "%", "ratio", ""},
	{"1,821,100元", "1821100元", "quantity", "=", "1821100", "1821100", "元", "元", "money", ""},
	{"3.5亿元", "3.5亿元", "quantity", "=", "3.5", "350000000", "亿元", "元", "money", ""},
	{"2万人次", "2万人次", "quantity", "=", "2", "20000", "万人次", "人次", "count", ""},
	{"2万", "2万", "quantity", "=", "2", "20000", "万", "", "none", ""},
	{"0.00", "0.00", "quantity", "=", "0.00", "0.00", "", "", "none", ""},
	{"-5%", "-5%", "quantity", "=", "-5", "-5", "%", "%", "ratio", ""},
	{"95%,90%", "95%；90%", "quantity", "=", "95", "95", "%", "%", "ratio", ""},
	/* 每周2次 is a frequency; 不晚于 a deadline */
	{"每周至少2次", "≥2次/周", "quantity", "≥", "2", "2", "次/周", "次/周", "frequency", ""},
	{"不晚于2022年12月31日", "≤2022年12月31日", "quantity", "≤", "20221231", "20221231", "", "yyyymmdd", "date", ""},
	/* units */
	{"5‰", "5‰", "quantity", "=", "5", "0.5", "‰", "%", "ratio", ""},
	{"≥100百分比", "≥100%", "quantity", "≥", "100", "100", "%", "%", "ratio", ""},
	{"95%(百分比)", "95%", "quantity", "=", "95", "95", "%", "%", "ratio", ""},
	{"10 台套", "10台套", "quantity", "=", "10", "10", "台套", "台套", "count", ""},
	{"500元/人", "500元/人", "quantity", "=", "500", "500", "元/人", "元/人", "rate", ""},
	{"1.2万元/人*月", "1.2万元/人*月", "quantity", "=", "1.2", "12000", "万元/人*月", "元/人*月", "rate", ""},
	{"4次/季度", "4次/季度", "quantity", "=", "4", "4", "次/季度", "次/季度", "frequency", ""},
	{"12个月", "12个月", "quantity", "=", "12", "12", "个月", "月", "duration", ""},
	{"3年", "3年", "quantity", "=", "3", "36", "年", "月", "duration", ""},
	{"5个工作日内", "≤5个工作日", "quantity", "≤", "5", "5", "个工作日", "工作日", "duration", ""},
	{"2公里", "2公里", "quantity", "=", "2", "2000", "公里", "米", "length", ""},
	{"3公顷", "3公顷", "quantity", "=", "3", "30000", "公顷", "平方米", "area", ""},
	{"50亩", "50亩", "quantity", "=", "50", "50", "亩", "亩", "area", ""},
	{"1.5万吨", "1.5万吨", "quantity", "=", "1.5", "15000", "万吨", "吨", "mass", ""},
	{"200公斤", "200公斤", "quantity", "=", "200", "0.200", "公斤", "吨", "mass", ""},
	{"15万元。", "15万元", "quantity", "=", "15", "150000", "万元", "元", "money", ""},
	/* ranges: unit after both numbers or only the last */
	{"3-5万元", "3~5万元", "quantity", "range", "3", "30000", "万元", "元", "money", ""},
	{"3万元至5万元", "3~5万元", "quantity", "range", "3", "30000", "万元", "元", "money", ""},
	{"90%～95%", "90~95%", "quantity", "range", "90", "90", "%", "%", "ratio", ""},
	/* dates: 前 → ≤, 后 → ≥, 底 = last day */
	{"2022年12月31日前", "≤2022年12月31日", "quantity", "≤", "20221231", "20221231", "", "yyyymmdd", "date", ""},
	{"2022年12月底前", "≤2022年12月底", "quantity", "≤", "20221231", "20221231", "", "yyyymmdd", "date", ""},
	{"2022-12-31", "2022年12月31日", "quantity", "=", "20221231", "20221231", "", "yyyymmdd", "date", ""},
	{"2023年2月底", "2023年2月底", "quantity", "=", "20230228", "20230228", "", "yyyymmdd", "date", ""},
	{"2022年6月以后", "≥2022年6月", "quantity", "≥", "20220600", "20220600", "", "yyyymmdd", "date", ""},
	{"11月前", "≤11月", "quantity", "≤", "1100", "1100", "", "yyyymmdd", "date", ""},
	{"2021年12月完成", "≤2021年12月", "quantity", "≤", "20211200", "20211200", "", "yyyymmdd", "date", ""},
	{"1-12月", "1月~12月", "quantity", "range", "100", "100", "", "yyyymmdd", "date", ""},
	/* claims, qualitative, placeholders */
	{"已完成", "已完成", "claim", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"已完成100%", "已完成100%", "claim", "=", "100", "100", "%", "%", "ratio", ""},
	/* a 每<period> label before the claimed frequency (fuzz_ivalue, 0.3.0) */
	{"已完成 每月 每周8次", "已完成每月8次/周", "claim", "=", "8", "8", "次/周", "次/周", "frequency", "每月"},
	{"达成预期指标", "达成预期指标", "claim", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"是", "是", "claim", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"优良中低差", "优良中低差", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"  有效提升。 ", "有效提升", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"IO", "IO", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"-", "—", "empty", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"一", "—", "empty", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"/", "—", "empty", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"－", "—", "empty", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"", "—", "empty", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	/* OCR damage reads as what it says */
	{"290%", "290%", "quantity", "=", "290", "290", "%", "%", "ratio", ""},
	/* labels that contain comparison words stay labels */
	{"达标率100%", "达标率100%", "quantity", "=", "100", "100", "%", "%", "ratio", "达标率"},
	{"实有人口信息未注销率低于3%", "实有人口信息未注销率<3%", "quantity", "<", "3", "3", "%", "%", "ratio",
	"实有人口信息未注销率"},
	/* format marks at the edges and between tokens are dropped, from the value and its text */
	{RLO "≥90%", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{LRM "≥90%", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{"≥90%" RLM, "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{BOM "≥90%", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{WJ "≥90%" WJ, "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{LRI "≥90%" PDI, "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{RLE "≥" RLO "90" RLO "%" PDF, "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{"9" ZWSP "0%", "90%", "quantity", "=", "90", "90", "%", "%", "ratio", ""},	/* not a bidi control */
	{"9" LRM "0%", "90%", "quantity", "=", "90", "90", "%", "%", "ratio", ""},
	{"采集率" LRM "达95%", "采集率≥95%", "quantity", "≥", "95", "95", "%", "%", "ratio", "采集率"},
	{LRM "采集" ZWSP "率达95%", "采集率≥95%", "quantity", "≥", "95", "95", "%", "%", "ratio", "采集率"},
	{"重点解决" ZWSP, "重点解决", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{RLO "重点" LRM "解决" PDF, "重点解决", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{RLM "不适用", "不适用", "not_applicable", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{WJ, "—", "empty", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	/* the decimal digits of other scripts read as digits; the text prints ASCII */
	{"٩٠%", "90%", "quantity", "=", "90", "90", "%", "%", "ratio", ""},	/* Arabic-Indic */
	{"≥۹۵%", "≥95%", "quantity", "≥", "95", "95", "%", "%", "ratio", ""},	/* Extended Arabic-Indic */
	{"至少२次/周", "≥2次/周", "quantity", "≥", "2", "2", "次/周", "次/周", "frequency", ""},	/* Devanagari */
	{"९०%以上", "≥90%", "quantity", "≥", "90", "90", "%", "%", "ratio", ""},
	{"𝟗𝟎%", "90%", "quantity", "=", "90", "90", "%", "%", "ratio", ""},	/* mathematical bold */
	{"𝟿𝟶", "90", "quantity", "=", "90", "90", "", "", "none", ""},	/* mathematical monospace */
	{"9０𝟎%", "900%", "quantity", "=", "900", "900", "%", "%", "ratio", ""},	/* all shaped like ASCII */
	{"٩٠%，۹۵%", "90%；95%", "quantity", "=", "90", "90", "%", "%", "ratio", ""},	/* one script per number */
	{"≤٤٦١.٧٤万元", "≤461.74万元", "quantity", "≤", "461.74", "4617400", "万元", "元", "money", ""},
	{"৯০%", "90%", "quantity", "=", "90", "90", "%", "%", "ratio", ""},	/* Bengali: every Nd script */
	/* 。 between two digits is a decimal point (a Chinese IME), elsewhere a separator */
	{"90。5%", "90.5%", "quantity", "=", "90.5", "90.5", "%", "%", "ratio", ""},
	{"达到90。", "≥90", "quantity", "≥", "90", "90", "", "", "none", ""},
	{"90。5。", "90.5", "quantity", "=", "90.5", "90.5", "", "", "none", ""},
	{"≥９０。５％", "≥90.5%", "quantity", "≥", "90.5", "90.5", "%", "%", "ratio", ""},
	{"90｡5%", "90.5%", "quantity", "=", "90.5", "90.5", "%", "%", "ratio", ""},	/* half-width ｡ */
	{"90" ZWSP "。" ZWSP "5%", "90.5%", "quantity", "=", "90.5", "90.5", "%", "%", "ratio", ""},
	{"2022。12。31前", "≤2022年12月31日", "quantity", "≤", "20221231", "20221231", "", "yyyymmdd", "date", ""},
	/* open units: a measure word the table lacks is a count in that word */
	{"5匹", "5匹", "quantity", "=", "5", "5", "匹", "匹", "count", ""},
	{"3000尾", "3000尾", "quantity", "=", "3000", "3000", "尾", "尾", "count", ""},
	{"2盏", "2盏", "quantity", "=", "2", "2", "盏", "盏", "count", ""},
	{"12眼", "12眼", "quantity", "=", "12", "12", "眼", "眼", "count", ""},
	{"6枚", "6枚", "quantity", "=", "6", "6", "枚", "枚", "count", ""},
	{"5匹以上", "≥5匹", "quantity", "≥", "5", "5", "匹", "匹", "count", ""},
	{"约6枚", "≈6枚", "quantity", "≈", "6", "6", "枚", "枚", "count", ""},
	{"6枚左右", "≈6枚", "quantity", "≈", "6", "6", "枚", "枚", "count", ""},
	{"3000尾以上", "≥3000尾", "quantity", "≥", "3000", "3000", "尾", "尾", "count", ""},
	{"12眼以内", "≤12眼", "quantity", "≤", "12", "12", "眼", "眼", "count", ""},
	{"3到5盏", "3~5盏", "quantity", "range", "3", "3", "盏", "盏", "count", ""},
	{"5KG", "5KG", "quantity", "=", "5", "5", "KG", "KG", "count", ""},
	{"2万尾", "2万尾", "quantity", "=", "2", "20000", "万尾", "尾", "count", ""},
	{"3至5匹", "3~5匹", "quantity", "range", "3", "3", "匹", "匹", "count", ""},
	{"3尾-5尾", "3~5尾", "quantity", "range", "3", "3", "尾", "尾", "count", ""},
	{"每月5盏", "5盏/月", "quantity", "=", "5", "5", "盏/月", "盏/月", "frequency", ""},
	{"5元/匹", "5元/匹", "quantity", "=", "5", "5", "元/匹", "元/匹", "rate", ""},
	{"放流鱼苗达3000尾以上", "放流鱼苗≥3000尾", "quantity", "≥", "3000", "3000", "尾", "尾", "count", "放流鱼苗"},
	{"5 kg", "5kg", "quantity", "=", "5", "5", "kg", "kg", "count", ""},
	{"５ｋｇ", "5kg", "quantity", "=", "5", "5", "kg", "kg", "count", ""},
	{"12abc", "12abc", "quantity", "=", "12", "12", "abc", "abc", "count", ""},
	/* known units keep their readings */
	{"培训人次达500人次以上", "培训人次≥500人次", "quantity", "≥", "500", "500", "人次", "人次", "count", "培训人次"},
	/* periods: a range of months, or of days within a year */
	{"全年", "1月~12月", "quantity", "range", "100", "100", "", "yyyymmdd", "date", ""},
	{"上半年", "1月~6月", "quantity", "range", "100", "100", "", "yyyymmdd", "date", ""},
	{"第三季度", "7月~9月", "quantity", "range", "700", "700", "", "yyyymmdd", "date", ""},
	{"三季度", "7月~9月", "quantity", "range", "700", "700", "", "yyyymmdd", "date", ""},
	{"第3季度", "7月~9月", "quantity", "range", "700", "700", "", "yyyymmdd", "date", ""},
	{"第03季度", "7月~9月", "quantity", "range", "700", "700", "", "yyyymmdd", "date", ""},	/* leading zero (fuzz_ivalue, 0.3.0) */
	{"第=1季度", "1月~3月", "quantity", "range", "100", "100", "", "yyyymmdd", "date", ""},	/* equality word dropped (fuzz_ivalue, 0.3.0) */
	{"第+1季度", "1月~3月", "quantity", "range", "100", "100", "", "yyyymmdd", "date", ""},	/* plus sign dropped (fuzz_ivalue, 0.3.0) */
	{"下半年", "7月~12月", "quantity", "range", "700", "700", "", "yyyymmdd", "date", ""},
	{"1-6月", "1月~6月", "quantity", "range", "100", "100", "", "yyyymmdd", "date", ""},
	{"2021年全年", "2021年1月1日~2021年12月31日", "quantity", "range", "20210101", "20210101", "",
	"yyyymmdd", "date", ""},
	{"2020年上半年", "2020年1月1日~2020年6月30日", "quantity", "range", "20200101", "20200101", "",
	"yyyymmdd", "date", ""},
	{"2024年第一季度", "2024年1月1日~2024年3月31日", "quantity", "range", "20240101", "20240101", "",
	"yyyymmdd", "date", ""},
	/* no number, but more than a comparison or a unit alone: qualitative as before */
	{"年内", "年内", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"人次", "人次", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"不低于去年", "不低于去年", "qualitative", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

typedef struct InvalidCase
{
	const char *in;
	IvStatus	status;
	const char *detail;			/* substring */
	size_t		char_offset;
} InvalidCase;

static const InvalidCase invalid[] = {
	{"95%x", IV_ERR_SYNTAX, "unexpected text", 3},
	{"95分钟x", IV_ERR_SYNTAX, "unexpected text", 4},
	{"1e5", IV_ERR_SYNTAX, "unknown unit", 1},	/* a Latin word runs into no digit */
	{"5匹x", IV_ERR_SYNTAX, "unexpected text", 2},
	{"2021年全年以后", IV_ERR_SYNTAX, "range takes no comparison", 0},
	{"≥95%以下", IV_ERR_SYNTAX, "conflicting comparison", 1},
	{"5-3万元", IV_ERR_SYNTAX, "lower bound above", 0},
	{"3万元-5人", IV_ERR_SYNTAX, "different units", 0},
	{"≥3-5", IV_ERR_SYNTAX, "range takes no comparison", 1},
	{"2022年13月", IV_ERR_SYNTAX, "no such date", 0},
	{"2023年2月29日", IV_ERR_SYNTAX, "no such date", 0},
	{"2022-02-30", IV_ERR_SYNTAX, "no such date", 0},
	{"采集率95%，按时完成", IV_ERR_SYNTAX, "no number", 7},
	{"99999999999999999999", IV_ERR_RANGE, "out of range", 0},
	{"0.0000000000000000001", IV_ERR_RANGE, "out of range", 0},
	{"5/", IV_ERR_SYNTAX, "unknown unit", 1},
	{"5元/", IV_ERR_SYNTAX, "nothing after", 2},
	{"3亿亿元", IV_ERR_SYNTAX, "multiplier too large", 1},
	/* misreadings refused rather than guessed */
	{"≥≥90%", IV_ERR_SYNTAX, "two comparison words", 0},
	{">>90%", IV_ERR_SYNTAX, "a comparison where a label should be", 0},
	{"以上95%", IV_ERR_SYNTAX, "comparison word before the number", 0},
	{"%95", IV_ERR_SYNTAX, "a unit before the number", 0},
	{"万元95", IV_ERR_SYNTAX, "a unit before the number", 0},
	{"1,82,1100元", IV_ERR_SYNTAX, "thousands separator", 1},
	{"12,3456元", IV_ERR_SYNTAX, "thousands separator", 2},
	{"1,2", IV_ERR_SYNTAX, "thousands separator", 1},
	/* a bidirectional control inside a number can reorder how it displays: refused */
	{"9" RLO "0%", IV_ERR_SYNTAX, "bidirectional control U+202E inside a number", 2},
	{"≥-" LRI "5%", IV_ERR_SYNTAX, "U+2066 inside a number", 3},
	{"1" LRO ",000元", IV_ERR_SYNTAX, "U+202D inside a number", 2},
	{"9" PDF ".5", IV_ERR_SYNTAX, "U+202C inside a number", 2},
	{"90。" RLE "5%", IV_ERR_SYNTAX, "U+202B inside a number", 4},
	/* other scripts' digits are digits: a unit that does not read is refused, not qualitative */
	{"٩٠٪", IV_ERR_SYNTAX, "unknown unit", 2},
	/* one number, one script: 1٥ looks like 10 and would read as 15 */
	{"1٥", IV_ERR_SYNTAX, "digits of two scripts", 1},
	{"9۵5%", IV_ERR_SYNTAX, "digits of two scripts", 1},
	{"٤٦١.7万元", IV_ERR_SYNTAX, "digits of two scripts", 4},
	{"1,٠٠٠元", IV_ERR_SYNTAX, "digits of two scripts", 2},
	/* a comparison or a unit that lost its number is not qualitative text */
	{"≥", IV_ERR_SYNTAX, "a comparison with no number", 1},
	{">=", IV_ERR_SYNTAX, "a comparison with no number", 2},
	{"以上", IV_ERR_SYNTAX, "a comparison with no number", 0},
	{"≥%", IV_ERR_SYNTAX, "a unit with no number", 1},
	{"≤万元", IV_ERR_SYNTAX, "a unit with no number", 1},
	{"万元", IV_ERR_SYNTAX, "a unit with no number", 0},
	{"≥ 次/周", IV_ERR_SYNTAX, "a unit with no number", 2},
	/* 1。2。3 is 1.2.3, not three clauses */
	{"1。2。3", IV_ERR_SYNTAX, "unknown unit", 3},
};

static void
test_valid(void)
{
	size_t		i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
	{
		const ValidCase *t = &valid[i];
		IvValue		v;
		IvError		err;
		char	   *buf;
		char		got[128];

		if (!parse(t->in, &v, &buf, &err))
		{
			CHECK(false, "\"%s\" should read, got: %s", t->in, err.detail);
			free(buf);
			continue;
		}
		CHECK(v.text_len == strlen(t->canon) && memcmp(v.text, t->canon, v.text_len) == 0,
			  "\"%s\" canonical: want \"%s\", got \"%.*s\"", t->in, t->canon, v.text_len, v.text);
		CHECK(strcmp(iv_kind_name(v.kind), t->kind) == 0,
			  "\"%s\" kind: want %s, got %s", t->in, t->kind, iv_kind_name(v.kind));
		if (t->cmp)
		{
			const IvClause *c = &v.clauses[0];
			size_t		n;

			CHECK(v.nclauses >= 1, "\"%s\" has no clause", t->in);
			CHECK(strcmp(iv_cmp_symbol(c->cmp), t->cmp) == 0,
				  "\"%s\" cmp: want %s, got %s", t->in, t->cmp, iv_cmp_symbol(c->cmp));
			decimal_text(c->value, got, sizeof(got));
			CHECK(strcmp(got, t->number) == 0, "\"%s\" number: want %s, got %s", t->in, t->number, got);
			base_text(c, c->value, got, sizeof(got));
			CHECK(strcmp(got, t->base) == 0, "\"%s\" base: want %s, got %s", t->in, t->base, got);
			CHECK(c->unit_len == strlen(t->unit) && memcmp(v.text + c->unit_off, t->unit, c->unit_len) == 0,
				  "\"%s\" unit: want %s, got %.*s", t->in, t->unit, c->unit_len, v.text + c->unit_off);
			n = iv_clause_base_unit(&v, c, got, sizeof(got));
			CHECK(n == strlen(t->base_unit) && memcmp(got, t->base_unit, n) == 0,
				  "\"%s\" base unit: want %s, got %.*s", t->in, t->base_unit, (int) n, got);
			CHECK(strcmp(iv_dim_name(c->dim), t->dim) == 0,
				  "\"%s\" dim: want %s, got %s", t->in, t->dim, iv_dim_name(c->dim));
			CHECK(c->label_len == strlen(t->label) && memcmp(v.text + c->label_off, t->label, c->label_len) == 0,
				  "\"%s\" label: want %s, got %.*s", t->in, t->label, c->label_len, v.text + c->label_off);
		}
		else
			CHECK(v.nclauses == 0, "\"%s\" should have no clause", t->in);
		free(buf);
	}
}

static void
test_clause_lists(void)
{
	IvValue		v;
	IvError		err;
	char	   *buf;
	char		got[64];

	CHECK(parse("采集率达95%以上，准确率达98%以上；", &v, &buf, &err) && v.nclauses == 2,
		  "two clauses expected");
	decimal_text(v.clauses[1].value, got, sizeof(got));
	CHECK(strcmp(got, "98") == 0 && v.clauses[1].cmp == IV_CMP_GE, "second clause ≥98, got %s", got);
	CHECK(v.clauses[1].label_len == strlen("准确率") &&
		  memcmp(v.text + v.clauses[1].label_off, "准确率", v.clauses[1].label_len) == 0,
		  "second label 准确率");
	free(buf);

	/* a part with no number joins the next label; 1,821,100 is one number */
	CHECK(parse("矛盾纠纷、隐患信息通报率99%", &v, &buf, &err) && v.nclauses == 1 &&
		  v.clauses[0].label_len == strlen("矛盾纠纷、隐患信息通报率"),
		  "a numberless part joins the next label");
	free(buf);
	CHECK(parse("1,821,100", &v, &buf, &err) && v.nclauses == 1 && v.clauses[0].value.coef == 1821100,
		  "thousands separators");
	free(buf);
	CHECK(parse("1；2、3", &v, &buf, &err) && v.nclauses == 3, "unlabelled clauses");
	free(buf);
	/* 。 after a % or before a label still separates clauses */
	CHECK(parse("采集率95%。准确率90。5%", &v, &buf, &err) && v.nclauses == 2 &&
		  v.clauses[1].value.coef == 905 && v.clauses[1].value.exp == -1,
		  "。 separates clauses and is a decimal point between digits");
	free(buf);
	CHECK(!parse("1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17", &v, &buf, &err) &&
		  strstr(err.detail, "more than 16") != NULL, "at most 16 clauses");
	free(buf);
}

static void
test_invalid(void)
{
	size_t		i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
	{
		const InvalidCase *t = &invalid[i];
		IvValue		v;
		IvError		err;
		char	   *buf;
		bool		ok = parse(t->in, &v, &buf, &err);

		CHECK(!ok, "\"%s\" should not read (got \"%.*s\")", t->in, ok ? v.text_len : 0, ok ? v.text : "");
		if (!ok)
		{
			CHECK(err.status == t->status, "\"%s\" status: want %d, got %d", t->in, t->status, err.status);
			CHECK(strstr(err.detail, t->detail) != NULL, "\"%s\" detail: want \"%s\" in \"%s\"",
				  t->in, t->detail, err.detail);
			CHECK(err.char_offset == t->char_offset, "\"%s\" position: want %zu, got %zu",
				  t->in, t->char_offset, err.char_offset);
			CHECK(err.hint != NULL && err.hint[0] != '\0', "\"%s\" has a hint", t->in);
		}
		free(buf);
	}
}

static void
test_encoding_and_limits(void)
{
	static const char *const bad[] = {"\xff", "9\xc3", "\xe4\xb8", "\xc0\x80", "\xed\xa0\x80", "95\x00%"};
	static const size_t badlen[] = {1, 2, 2, 2, 3, 4};
	size_t		i;
	IvValue		v;
	IvError		err;
	char		buf[64];
	char	   *big;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!iv_parse(bad[i], badlen[i], &v, buf, sizeof(buf), &err) && err.status == IV_ERR_ENCODING,
			  "bad UTF-8 #%zu is an encoding error", i);

	big = malloc(IV_MAX_INPUT + 1);
	memset(big, 'a', IV_MAX_INPUT + 1);
	CHECK(!iv_parse(big, IV_MAX_INPUT + 1, &v, big, 0, &err) && err.status == IV_ERR_TOO_LONG,
		  "input over IV_MAX_INPUT is too long");
	free(big);

	/* a buffer too small for the canonical text fails cleanly */
	CHECK(!iv_parse("≤461.74万元", strlen("≤461.74万元"), &v, buf, 4, &err) &&
		  err.status == IV_ERR_TOO_LONG, "small output buffer");
}

/* Reading the canonical text again gives the same bytes: in(out(v)) = v. */
static void
test_round_trip(void)
{
	size_t		i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
	{
		IvValue		v,
					w,
					u;
		IvError		err;
		char	   *buf,
				   *buf2;
		uint8_t    *p1,
				   *p2;

		if (!parse(valid[i].in, &v, &buf, &err))
		{
			free(buf);
			continue;
		}
		{
			char	   *canon = malloc(v.text_len + 1);

			memcpy(canon, v.text, v.text_len);
			canon[v.text_len] = '\0';
			CHECK(parse(canon, &w, &buf2, &err), "canonical \"%s\" reads", canon);
			free(canon);
		}
		p1 = malloc(iv_packed_size(&v));
		p2 = malloc(iv_packed_size(&w));
		iv_pack(&v, p1);
		iv_pack(&w, p2);
		CHECK(iv_packed_size(&v) == iv_packed_size(&w) && memcmp(p1, p2, iv_packed_size(&v)) == 0,
			  "\"%s\" round trip", valid[i].in);
		CHECK(iv_unpack(p1, iv_packed_size(&v), &u) && u.text_len == v.text_len &&
			  memcmp(u.text, v.text, v.text_len) == 0 && u.nclauses == v.nclauses,
			  "\"%s\" unpack", valid[i].in);
		/* damaged blocks are refused, not trusted */
		CHECK(!iv_unpack(p1, iv_packed_size(&v) - 1, &u), "\"%s\" short block refused", valid[i].in);
		p1[0] = 99;
		CHECK(!iv_unpack(p1, iv_packed_size(&v), &u), "\"%s\" unknown layout refused", valid[i].in);
		free(p1);
		free(p2);
		free(buf);
		free(buf2);
	}
}

/* The one list of placeholders, and explanations that say nothing. */
static void
test_placeholders(void)
{
	static const char *const empty[] = {"", "-", "—", "－", "/", "一", "\\", "一一"};
	static const char *const nothing[] = {"", " ", "\u3000", " — ", "\u3000无\u3000", "无", "\t/\n"};
	static const char *const something[] = {"x", "无法", "已完成", "-1", "/ 见说明", "一项"};
	size_t		i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		CHECK(iv_is_placeholder(empty[i], strlen(empty[i])), "\"%s\" should be a placeholder", empty[i]);
	CHECK(!iv_is_placeholder("无", strlen("无")), "无 is no placeholder of a value");
	for (i = 0; i < sizeof(nothing) / sizeof(nothing[0]); i++)
		CHECK(iv_explains_nothing(nothing[i], strlen(nothing[i])), "\"%s\" should explain nothing", nothing[i]);
	for (i = 0; i < sizeof(something) / sizeof(something[0]); i++)
		CHECK(!iv_explains_nothing(something[i], strlen(something[i])), "\"%s\" explains something", something[i]);
}

void
test_ivalue(void)
{
	test_valid();
	test_clause_lists();
	test_invalid();
	test_encoding_and_limits();
	test_round_trip();
	test_placeholders();
}
