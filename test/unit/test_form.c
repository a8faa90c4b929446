/*
 * test_form.c - unit tests of the form reader (src/core/form.c): the seed
 * document, every tolerated quirk, and the errors that stop an import.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "form.h"

#define MAX_SEEN 64

/* What a sink saw, as NUL-terminated copies. */
typedef struct Seen
{
	int			forms,
				ends,
				nfunds,
				nind;
	char		field[8][PJ_N_FORM_FIELDS][256];
	char		fund[MAX_SEEN][8][64];	/* source init budget executed weight rate score kind */
	char		ind[MAX_SEEN][10][256]; /* l1 l1w l2 l3 target actual weight score expl position */
	int			ind_line[MAX_SEEN];
	int			nfind,
				find_form[MAX_SEEN],
				find_line[MAX_SEEN];
	int			ninfer,			/* level1_inferred */
				infer_line[MAX_SEEN];
	char		infer_detail[MAX_SEEN][32];
	int			nnototal,		/* no_total_row */
				nototal_form[MAX_SEEN],
				nototal_line[MAX_SEEN];
	int			nthis,			/* unit_this_unit */
				this_line[MAX_SEEN];
	char		this_detail[MAX_SEEN][64];
} Seen;

static void
copy(char *dst, size_t cap, PjCell c)
{
	size_t		n = c.len < cap - 1 ? c.len : cap - 1;

	memcpy(dst, c.s, n);
	dst[n] = '\0';
}

static void
on_begin(void *ctx, int form, int line)
{
	Seen	   *s = ctx;

	(void) line;
	s->forms = form;
}

static void
on_field(void *ctx, PjFormField f, PjCell v)
{
	Seen	   *s = ctx;

	if (s->forms > 0 && s->forms <= 8)
		copy(s->field[s->forms - 1][f], 256, v);
}

static void
on_fund(void *ctx, const PjFundRow *r)
{
	Seen	   *s = ctx;
	const PjCell *c[7] = {&r->source, &r->initial_budget, &r->budget, &r->executed,
	&r->weight, &r->rate, &r->score};
	int			i;

	if (s->nfunds >= MAX_SEEN)
		return;
	for (i = 0; i < 7; i++)
		copy(s->fund[s->nfunds][i], 64, *c[i]);
	snprintf(s->fund[s->nfunds][7], 64, "%s", r->kind ? r->kind : "");
	s->nfunds++;
}

static void
on_indicator(void *ctx, const PjIndicatorRow *r)
{
	Seen	   *s = ctx;
	const PjCell *c[9] = {&r->level1, &r->level1_weight, &r->level2, &r->level3, &r->target,
	&r->actual, &r->weight, &r->score, &r->explanation};
	int			i;

	if (s->nind >= MAX_SEEN)
		return;
	for (i = 0; i < 9; i++)
		copy(s->ind[s->nind][i], 256, *c[i]);
	snprintf(s->ind[s->nind][9], 256, "%d", r->position);
	s->ind_line[s->nind] = r->line;
	s->nind++;
}

static void
on_end(void *ctx)
{
	((Seen *) ctx)->ends++;
}

static void
on_finding(void *ctx, int line, const char *code, PjCell detail)
{
	Seen	   *s = ctx;

	if (strcmp(code, PJ_FINDING_LEVEL1_INFERRED) == 0 && s->ninfer < MAX_SEEN)
	{
		s->infer_line[s->ninfer] = line;
		snprintf(s->infer_detail[s->ninfer++], sizeof(s->infer_detail[0]), "%.*s", (int) detail.len, detail.s);
		return;
	}
	if (strcmp(code, PJ_FINDING_UNIT_THIS_UNIT) == 0 && s->nthis < MAX_SEEN)
	{
		s->this_line[s->nthis] = line;
		copy(s->this_detail[s->nthis++], 64, detail);
		return;
	}
	if (strcmp(code, PJ_FINDING_NO_TOTAL_ROW) == 0 && s->nnototal < MAX_SEEN)
	{
		s->nototal_form[s->nnototal] = s->forms;
		s->nototal_line[s->nnototal++] = line;
		return;
	}
	if (s->nfind >= MAX_SEEN || strcmp(code, PJ_FINDING_UNCLOSED_QUOTE) != 0)
		return;
	s->find_form[s->nfind] = s->forms;
	s->find_line[s->nfind++] = line;
}

static bool
read_doc(const char *doc, Seen *s, PjFormError *err)
{
	size_t		len = strlen(doc);
	char	   *copy_of_doc = malloc(len ? len : 1);
	char	   *scratch = malloc(pj_form_scratch_size(len));
	PjFormSink	sink = {s, on_begin, on_field, on_fund, on_indicator, on_end, on_finding, NULL};
	bool		ok;

	memcpy(copy_of_doc, doc, len);	/* exact size: ASan sees overreads */
	memset(s, 0, sizeof(*s));
	ok = pj_read_forms(copy_of_doc, len, scratch, &sink, err);
	free(copy_of_doc);
	free(scratch);
	return ok;
}

static char *
slurp(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	if (fread(buf, 1, (size_t) n, f) != (size_t) n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *TEMPLATE_HEAD =
"项目支出绩效自评表\n"
"项目编号:\tP1\t项目名称:\t测试项目\t绩效自评年度:\t2023\n"
"实施单位:\t甲单位\t一级预算单位:\t乙单位\n"
"资金使用情况\n"
"\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%)\t得分\n"
"项目资金（元）\t年度资金总额\t100.00\t200.00\t150.00\t10\t75.00\t7.5\n"
"年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施\n";

static void
test_seed_document(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	char	   *doc = slurp("demo/seed/longhua-2022.txt");

	CHECK(doc != NULL, "the seed document is readable");
	if (!doc)
	{
		free(s);
		return;
	}
	CHECK(read_doc(doc, s, &err), "seed reads: line %d %s", err.line, err.expected);
	CHECK(s->forms == 2 && s->ends == 2, "two forms, got %d", s->forms);
	CHECK(strcmp(s->field[0][PJ_FIELD_PROJECT_CODE], "440309210901500004279") == 0, "code 1");
	CHECK(strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "数字化城管信息系统运行项目（系统操作员）") == 0, "name 1");
	CHECK(strcmp(s->field[1][PJ_FIELD_PROJECT_NAME], "网格信息采集工作") == 0, "name 2");
	CHECK(strcmp(s->field[0][PJ_FIELD_YEAR], "2022") == 0, "year");
	CHECK(strcmp(s->field[0][PJ_FIELD_TOP_UNIT], "深圳市龙华区平安建设中心") == 0, "top unit");
	CHECK(strcmp(s->field[0][PJ_FIELD_AMOUNT_UNIT], "元") == 0, "amount unit");
	CHECK(strcmp(s->field[0][PJ_FIELD_TOTAL_SCORE], "99.93") == 0, "total score 1");
	CHECK(strcmp(s->field[1][PJ_FIELD_TOTAL_SCORE], "100") == 0, "total score 2");
	CHECK(strncmp(s->field[0][PJ_FIELD_GOAL_EXPECTED], "委托具有良好社会信誉", 30) == 0,
		  "quoted goal text unquoted");
	CHECK(strncmp(s->field[1][PJ_FIELD_GOAL_EXPECTED], "为完成以下考核指标", 27) == 0, "goal 2");
	/* the stray closing quote of form 2's goal is gone */
	CHECK(s->field[1][PJ_FIELD_GOAL_EXPECTED][strlen(s->field[1][PJ_FIELD_GOAL_EXPECTED]) - 1] != '"',
		  "stray quote dropped");
	CHECK(s->nfunds == 8, "four fund lines per form, got %d", s->nfunds);
	CHECK(strcmp(s->fund[0][0], "年度资金总额") == 0 && strcmp(s->fund[0][3], "1808698.26") == 0 &&
		  strcmp(s->fund[0][6], "9.93") == 0, "fund total 1");
	CHECK(strcmp(s->fund[1][0], "当年财政拨款") == 0 && s->fund[1][4][0] == '\0',
		  "其中： dropped, — is empty");
	CHECK(s->nind == 15 + 14, "29 indicators, got %d", s->nind);
	CHECK(strcmp(s->ind[0][0], "产出指标") == 0 && strcmp(s->ind[0][1], "50") == 0 &&
		  strcmp(s->ind[0][2], "数量指标") == 0 && strcmp(s->ind[0][3], "操作员数量") == 0 &&
		  strcmp(s->ind[0][4], "17") == 0 && strcmp(s->ind[0][5], "27") == 0 &&
		  strcmp(s->ind[0][6], "6") == 0, "first indicator");
	/* blank level-1/level-2 cells repeat the row above */
	CHECK(strcmp(s->ind[1][0], "产出指标") == 0 && strcmp(s->ind[1][2], "数量指标") == 0 &&
		  strcmp(s->ind[1][4], "至少2次/周") == 0, "repeated labels filled in");
	CHECK(strcmp(s->ind[9][2], "经济效益指标") == 0 && strcmp(s->ind[9][0], "产出指标") == 0,
		  "经济效益指标 stays where the form puts it");
	CHECK(strcmp(s->ind[10][0], "效益指标") == 0 && strcmp(s->ind[10][1], "30") == 0, "效益 (30分)");
	/* a blank line inside the table does not end it */
	CHECK(strcmp(s->ind[24][3], "实有事件（矛盾纠纷和隐患信息）信息通报") == 0 &&
		  strcmp(s->ind[24][9], "10") == 0, "after the blank line: position 10 of form 2");
	free(doc);
	free(s);
}

static void
test_quirks(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	char		doc[4096];

	/* CRLF, full-width colons and brackets, no 项目编号, no 年初预算数, 万元 */
	CHECK(read_doc("项目支出绩效自评表\r\n"
				   "项目名称：\t测试\t绩效自评年度：\t2023年\r\n"
				   "\t\t全年预算数\t全年执行数\t分值\t执行率(%)\t得分\r\n"
				   "项目资金 （万元）\t年度资金总额\t1,200.5\t１２００\t10\t99.96%\t10\r\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\r\n"
				   "\t产出指标（50分）\t数量指标\t\"多行\n名称\"\t\"≥\"\"5\"\"个\"\t6个\t50\t50\t\t\textra\r\n"
				   "总分\t\t\t\t\t\t100\t100\r\n", s, &err),
		  "quirky form reads: line %d %s", err.line, err.expected);
	CHECK(s->field[0][PJ_FIELD_PROJECT_CODE][0] == '\0', "no 项目编号");
	CHECK(strcmp(s->field[0][PJ_FIELD_YEAR], "2023") == 0, "2023年 → 2023");
	CHECK(strcmp(s->field[0][PJ_FIELD_AMOUNT_UNIT], "万元") == 0, "万元");
	CHECK(s->nfunds == 1 && s->fund[0][1][0] == '\0' && strcmp(s->fund[0][2], "1200.5") == 0 &&
		  strcmp(s->fund[0][3], "1200") == 0 && strcmp(s->fund[0][5], "99.96") == 0,
		  "no 年初预算数; separators, full-width digits and %% cleaned");
	CHECK(s->nind == 1 && strcmp(s->ind[0][3], "多行\n名称") == 0 && strcmp(s->ind[0][4], "≥\"5\"个") == 0,
		  "quoted cells keep line breaks and \"\"");
	CHECK(strcmp(s->ind[0][1], "50") == 0, "（50分）");

	/* a weight alone in the level-1 cell keeps the name above; blank rows inside */
	snprintf(doc, sizeof(doc), "%s"
			 "\t产出指标 50分\t数量指标\ta\t1\t1\t10\t10\n"
			 "\n\t\t\t\t\t\t\t\t\n"
			 "\t* 效益指标(30)\t社会效益指标\tb\t重点解决\t重点解决\t30\t30\n"
			 "总分\t\t\t\t\t\t40\t40\n备注：无\n作为导入模板，置灰信息无需录入\n", TEMPLATE_HEAD);
	CHECK(read_doc(doc, s, &err), "labels with weights: %s", err.expected);
	CHECK(s->nind == 2 && strcmp(s->ind[0][1], "50") == 0 && strcmp(s->ind[1][0], "效益指标") == 0 &&
		  strcmp(s->ind[1][1], "30") == 0, "产出指标 50分 and * 效益指标(30)");
	CHECK(strcmp(s->field[0][PJ_FIELD_NOTES], "无") == 0, "备注：无");

	/* two forms back to back without titles: a second 项目名称 starts a form */
	strcpy(doc, "项目名称\tA\t绩效自评年度\t2022\n项目名称\tB\t绩效自评年度\t2023\n");
	CHECK(read_doc(doc, s, &err) && s->forms == 2 &&
		  strcmp(s->field[1][PJ_FIELD_PROJECT_NAME], "B") == 0, "header rows start forms");
	free(s);
}

/*
 * Labels are matched whole: free text that contains a section's words is
 * text; the 备注 block runs over several lines; header values may share the
 * label's cell; a section label may be a merged cell beside its first row.
 */
static void
test_labels_and_notes(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;

	CHECK(read_doc("龙华区2022年度项目支出绩效自评表\n"
				   "项目编号：P9\t项目名称： 丙项目\t绩效自评年度：2022年度\n"
				   "实施单位：甲单位\t一级预算单位：乙单位\n"
				   "一、资金使用情况\t\t年初预算数\t全年预算数（元）\t全年执行数\t分值\t执行率\t得分\n"
				   "项目资金（万元）\t年度资金总额\t1\t2\t2\t10\t100%\t10\n"
				   "\t合计\t1\t2\t2\t—\t—\t—\n"
				   "年度总体目标\t完成资金使用情况检查和年度绩效指标\t\t\t\t已完成年度总体目标，资金使用情况良好\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
				   "\t* 产出指标\t数量指标\t资金使用情况\t1\t1\t10\t10\t全年预算数调整，项目目标完成情况良好\n"
				   "\t\t\t年度总体目标\t项目名称：甲\t1\t10\t10\n"
				   "总分\t\t\t\t\t\t20\t20\n"
				   "备注：\n"
				   "第一行\n"
				   "第二行\t续\n"
				   "\n"
				   "作为导入模板，置灰信息无需录入且不可修改。\n", s, &err),
		  "labels whole: line %d %s (%s)", err.line, err.expected, err.text);
	CHECK(s->forms == 1, "one form, got %d", s->forms);
	CHECK(strcmp(s->field[0][PJ_FIELD_PROJECT_CODE], "P9") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "丙项目") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_YEAR], "2022") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_UNIT], "甲单位") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_TOP_UNIT], "乙单位") == 0, "values in the labels' cells");
	CHECK(s->nfunds == 2 && strcmp(s->fund[0][0], "年度资金总额") == 0 && strcmp(s->fund[1][0], "合计") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_AMOUNT_UNIT], "万元") == 0, "一、资金使用情况 beside the fund header; 合计 is a fund row");
	CHECK(strcmp(s->field[0][PJ_FIELD_GOAL_EXPECTED], "完成资金使用情况检查和年度绩效指标") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_GOAL_ACTUAL], "已完成年度总体目标，资金使用情况良好") == 0,
		  "goals beside their label, free text with section words");
	CHECK(s->nind == 2 && strcmp(s->ind[0][0], "产出指标") == 0 && strcmp(s->ind[0][3], "资金使用情况") == 0 &&
		  strcmp(s->ind[0][8], "全年预算数调整，项目目标完成情况良好") == 0 &&
		  strcmp(s->ind[1][3], "年度总体目标") == 0 && strcmp(s->ind[1][4], "项目名称：甲") == 0,
		  "indicators named like sections stay indicators; * 产出指标 without weight");
	CHECK(strcmp(s->field[0][PJ_FIELD_NOTES], "第一行\n第二行 续") == 0, "备注 block: %s",
		  s->field[0][PJ_FIELD_NOTES]);
	CHECK(strcmp(s->field[0][PJ_FIELD_TOTAL_WEIGHT], "20") == 0, "总分 after the indicators");

	/* in the indicator table, 总分 or 备注… under 三级指标 is an indicator's name */
	CHECK(read_doc("项目名称\t戊\t绩效自评年度\t2022\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
				   "\t产出指标\t数量指标\t次数\t1\t1\t10\t10\n"
				   "\t\t\t总分\t1\t1\t10\t10\n"
				   "\t\t\t备注说明\t1\t1\t10\t10\n"
				   "总分\t\t\t\t\t\t30\t30\n备注：完\n", s, &err), "总分 as a name: %s", err.expected);
	CHECK(s->nind == 3 && strcmp(s->ind[1][3], "总分") == 0 && strcmp(s->ind[2][3], "备注说明") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_TOTAL_WEIGHT], "30") == 0 && strcmp(s->field[0][PJ_FIELD_NOTES], "完") == 0,
		  "总分 and 备注说明 under 三级指标 are indicators");

	/* a byte-order mark (a file saved by Notepad) and zero-width spaces mean nothing */
	CHECK(read_doc("\xef\xbb\xbf项目编号:\tP8\t\xe2\x80\x8b项目名称:\t己\xef\xbb\xbf\t绩效自评年度:\t2022\n", s, &err) &&
		  strcmp(s->field[0][PJ_FIELD_PROJECT_CODE], "P8") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "己") == 0, "BOM and zero-width spaces: %s", err.expected);

	/* a label with its value left blank does not swallow the next label */
	CHECK(read_doc("项目编号:\t项目名称:\t丁\t绩效自评年度:\t2022\n备注：\t右边的格\n", s, &err),
		  "blank code: %s", err.expected);
	CHECK(s->field[0][PJ_FIELD_PROJECT_CODE][0] == '\0' &&
		  strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "丁") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_NOTES], "右边的格") == 0, "blank 项目编号, 备注 in the next cell");

	/* the line in an error is whole (it was cut one character short) */
	CHECK(!read_doc("项目支出绩效自评表\n资金使用情况\n", s, &err) &&
		  strcmp(err.text, "项目支出绩效自评表") == 0, "whole line: \"%s\"", err.text);
	free(s);
}

typedef struct BadDoc
{
	const char *doc;
	int			form,
				line;
	const char *expected;		/* substring */
} BadDoc;

static void
test_errors(void)
{
	static const BadDoc bad[] = {
		{"", 1, 1, "at least one form"},
		{"随便一行\n", 1, 1, "项目支出绩效自评表"},
		{"项目支出绩效自评表\n资金使用情况\n", 1, 1, "项目名称"},
		{"项目支出绩效自评表\n项目名称\t甲\n", 1, 1, "绩效自评年度"},
		{"项目名称\t甲\t绩效自评年度\t二〇二二\n", 1, 1, "a year"},
		{"项目名称\t甲\t绩效自评年度\t2022\n资金使用情况\n\t\t年初预算数\t全年预算数\t全年执行数\n"
		"项目资金（元）\t年度资金总额\t100\t一百万\t5\n", 1, 4, "全年预算数"},
		{"项目名称\t甲\t绩效自评年度\t2022\n年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
		"\t产出指标\t数量指标\t\t≥5\t6\t10\t10\n", 1, 3, "三级指标"},
		{"项目名称\t甲\t绩效自评年度\t2022\n年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
		"\t产出指标\t数量指标\tx\t≥5\t6\t十\t10\n", 1, 3, "分值"},
		{"项目名称\t甲\t绩效自评年度\t2022\n项目支出绩效自评表\n项目名称\t乙\n", 2, 2, "绩效自评年度"},
	};
	size_t		i;
	Seen	   *s = malloc(sizeof(Seen));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		PjFormError err;
		bool		ok = read_doc(bad[i].doc, s, &err);

		CHECK(!ok, "bad document #%zu must not read", i);
		if (ok)
			continue;
		CHECK(err.form == bad[i].form, "#%zu form: want %d, got %d", i, bad[i].form, err.form);
		CHECK(err.line == bad[i].line, "#%zu line: want %d, got %d", i, bad[i].line, err.line);
		CHECK(strstr(err.expected, bad[i].expected) != NULL, "#%zu expected: want \"%s\" in \"%s\"",
			  i, bad[i].expected, err.expected);
	}
	free(s);
}

/* A small form; name and the cells marked are written as given. */
static void
small_form(char *out, size_t cap, const char *code, const char *name, const char *level3,
		   const char *explanation, const char *notes)
{
	snprintf(out, cap,
			 "项目支出绩效自评表\n"
			 "项目编号:\t%s\t项目名称:\t%s\t绩效自评年度:\t2023\n"
			 "实施单位:\t甲单位\t一级预算单位:\t乙单位\n"
			 "资金使用情况\n"
			 "\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率 (%%)\t得分\n"
			 "项目资金（元）\t年度资金总额\t100.00\t200.00\t150.00\t10\t75.00\t7.5\n"
			 "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施\n"
			 "\t产出指标 (50分)\t数量指标\t%s\t≥100人次\t120人次\t50\t50\n"
			 "\t效益指标\t社会效益指标\t满意\t重点解决\t重点解决\t40\t40\t%s\n"
			 "总分\t\t\t\t\t\t100\t97.5\n"
			 "备注：%s",
			 code, name, level3, explanation, notes);
}

/*
 * A cell that opens a quote and never closes it (copied from a PDF) is
 * text: it does not swallow the rows, forms and quotes after it.
 */
static void
test_unclosed_quotes(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	char		f1[2048],
				f2[2048],
				f3[2048],
				doc[8192];

	/* form 1: a header cell; form 2: an indicator cell, a stray quote a row
	 * below; form 3: the last cell of the document */
	small_form(f1, sizeof(f1), "P1", "\"甲项目", "培训人次", "", "无\n");
	small_form(f2, sizeof(f2), "P2", "乙项目", "\"培训人次", "原因\"", "无\n");
	small_form(f3, sizeof(f3), "P3", "丙项目", "培训人次", "", "\t\"最后一格");
	snprintf(doc, sizeof(doc), "%s%s%s", f1, f2, f3);
	CHECK(read_doc(doc, s, &err), "unclosed quotes read: line %d %s", err.line, err.expected);
	CHECK(s->forms == 3 && s->ends == 3, "three forms, got %d", s->forms);
	CHECK(strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "甲项目") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_UNIT], "甲单位") == 0, "header cell: %s",
		  s->field[0][PJ_FIELD_PROJECT_NAME]);
	CHECK(s->nind == 6 && strcmp(s->ind[2][3], "培训人次") == 0 && strcmp(s->ind[2][4], "≥100人次") == 0 &&
		  strcmp(s->ind[3][3], "满意") == 0 && strcmp(s->ind[3][8], "原因") == 0,
		  "indicator cell: %d indicators, \"%s\"", s->nind, s->ind[2][3]);
	CHECK(strcmp(s->field[2][PJ_FIELD_NOTES], "最后一格") == 0, "last cell: %s", s->field[2][PJ_FIELD_NOTES]);
	CHECK(s->nfind == 3 && s->find_form[0] == 1 && s->find_line[0] == 2 &&
		  s->find_form[1] == 2 && s->find_line[1] == 19 && s->find_form[2] == 3 && s->find_line[2] == 33,
		  "three findings, got %d (form %d line %d, form %d line %d, form %d line %d)", s->nfind,
		  s->find_form[0], s->find_line[0], s->find_form[1], s->find_line[1], s->find_form[2], s->find_line[2]);

	/* a quote that runs into a lone quote, or into the next form's title */
	CHECK(read_doc("项目名称\t\"甲\t绩效自评年度\t2022\n备注：\t\"a\nb\"c\n", s, &err) && s->forms == 1 &&
		  strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "甲") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_NOTES], "a\nb\"c") == 0 && s->nfind == 2,
		  "lone quotes: %s / %s (%d)", s->field[0][PJ_FIELD_PROJECT_NAME], s->field[0][PJ_FIELD_NOTES], s->nfind);
	CHECK(read_doc("项目名称\t甲\t绩效自评年度\t2022\n备注：\t\"未完\n\n项目支出绩效自评表\n"
				   "项目名称\t乙\t绩效自评年度\t2022\n备注：\t完\"\n", s, &err) && s->forms == 2 &&
		  strcmp(s->field[0][PJ_FIELD_NOTES], "未完") == 0 && strcmp(s->field[1][PJ_FIELD_NOTES], "完") == 0,
		  "a title ends a quote: %d forms", s->forms);

	/* what a spreadsheet writes still reads: line breaks, a tab, "" */
	CHECK(read_doc("项目名称\t甲\t绩效自评年度\t2022\n备注：\t\"一\n二\t三\n\"\"四\"\"\"\n", s, &err) &&
		  strcmp(s->field[0][PJ_FIELD_NOTES], "一\n二\t三\n\"四\"") == 0 && s->nfind == 0,
		  "a multi-line cell: %s", s->field[0][PJ_FIELD_NOTES]);
	free(s);
}

/* Lines that end with a lone CR (old Mac exporters) read as any others. */
static void
test_cr_line_ends(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	char	   *doc = slurp("demo/seed/longhua-2022.txt");
	char	   *p;

	CHECK(doc != NULL, "the seed document is readable");
	if (!doc)
	{
		free(s);
		return;
	}
	for (p = doc; *p; p++)
		if (*p == '\n')
			*p = '\r';
	CHECK(read_doc(doc, s, &err), "CR-only seed reads: line %d %s", err.line, err.expected);
	CHECK(s->forms == 2 && s->nind == 29 && s->nfunds == 8 &&
		  strcmp(s->field[1][PJ_FIELD_TOTAL_SCORE], "100") == 0 && s->ind_line[0] == 21,
		  "CR-only seed: %d forms, %d indicators, first at line %d", s->forms, s->nind, s->ind_line[0]);
	free(doc);

	/* CR, CRLF and LF mixed count one line each; a CR inside a quoted cell too */
	CHECK(!read_doc("项目名称\t甲\t绩效自评年度\t2022\r\r\n\"a\rb\"\n全年预算数\t全年执行数\r"
					"项目资金\t年度资金总额\tx\t1\r", s, &err) &&
		  err.line == 6 && strcmp(err.text, "项目资金 | 年度资金总额 | x | 1") == 0,
		  "CR lines: line %d \"%s\"", err.line, err.text);
	free(s);
}

/* A name of invisible characters only is no name; edges are trimmed. */
static void
test_invisible_names(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;

	/* U+2060 word joiner, U+200B, U+FEFF, U+00A0, U+3000, U+200F, U+202E, U+2066 */
	CHECK(!read_doc("项目名称:\t\u2060\u200b\ufeff\u00a0\u3000\u200f\u202e\u2066\t绩效自评年度:\t2022\n", s, &err) &&
		  err.line == 1 && strstr(err.expected, "a project name") != NULL,
		  "an invisible project name: %s", err.expected);
	CHECK(!read_doc("项目名称：\u2060\u00a0\t绩效自评年度：2022\n", s, &err) &&
		  strstr(err.expected, "a project name") != NULL, "an invisible name in the label's cell: %s", err.expected);
	CHECK(read_doc("项目名称:\t\u200e甲 项目\u2060\t绩效自评年度:\t2022\n"
				   "实施单位:\t\u2060\u200b\t一级预算单位:\t\u3000\u00ad\u180e\n", s, &err) &&
		  strcmp(s->field[0][PJ_FIELD_PROJECT_NAME], "甲 项目") == 0 &&
		  s->field[0][PJ_FIELD_UNIT][0] == '\0' && s->field[0][PJ_FIELD_TOP_UNIT][0] == '\0',
		  "edges trimmed, invisible units empty: \"%s\" \"%s\" \"%s\"", s->field[0][PJ_FIELD_PROJECT_NAME],
		  s->field[0][PJ_FIELD_UNIT], s->field[0][PJ_FIELD_TOP_UNIT]);
	free(s);
}

/*
 * Reading form by form, with scratch space for one form and more when the
 * reader asks for it, gives what one pass over the document gives.
 */
static void
test_form_by_form(void)
{
	Seen	   *whole = malloc(sizeof(Seen)),
			   *parts = malloc(sizeof(Seen));
	PjFormError err;
	char	   *doc = slurp("demo/seed/longhua-2022.txt");
	size_t		len = doc ? strlen(doc) : 0,
				cap = 16;
	char	   *scratch = malloc(cap);
	PjFormSink	sink = {parts, on_begin, on_field, on_fund, on_indicator, on_end, on_finding, NULL};
	PjFormPos	pos = {0, 1, 0};
	int			calls = 0,
				retries = 0,
				starts[4] = {0};
	PjReadStatus st;
	const char *two;

	CHECK(doc != NULL && read_doc(doc, whole, &err), "the seed reads");
	memset(parts, 0, sizeof(*parts));
	for (;;)
	{
		int			nfunds = parts->nfunds,
					nind = parts->nind,
					nfind = parts->nfind;

		if ((st = pj_read_form(doc, len, &pos, scratch, cap, &sink, &err)) == PJ_READ_DONE || calls++ > 64)
			break;
		if (st == PJ_READ_SCRATCH)
		{
			/* what the sink saw of the form does not count */
			parts->nfunds = nfunds;
			parts->nind = nind;
			parts->nfind = nfind;
			cap *= 2;
			scratch = realloc(scratch, cap);
			retries++;
			continue;
		}
		CHECK(st == PJ_READ_FORM, "status %d at line %d: %s", (int) st, err.line, err.expected);
		if (st != PJ_READ_FORM)
			break;
		if (pos.form < 4)
			starts[pos.form] = pos.line;
	}
	CHECK(retries > 0 && cap < pj_form_scratch_size(len), "scratch grew to %zu for one form", cap);
	CHECK(parts->forms == 2 && parts->ends == 2 && starts[1] == 43 && starts[2] == 80 && pos.offset == len,
		  "two forms, the second from line %d, end at line %d", starts[1], starts[2]);
	CHECK(memcmp(whole, parts, sizeof(Seen)) == 0, "form by form = one pass");

	/* numbering goes on from the position: an error in the second form */
	pos = (PjFormPos) {0, 1, 0};
	two = "项目名称\t甲\t绩效自评年度\t2022\n项目名称\t乙\n";
	CHECK(pj_read_form(two, strlen(two), &pos, scratch, cap, &sink, &err) == PJ_READ_FORM && pos.form == 1 &&
		  pos.line == 2 && pos.offset == strlen("项目名称\t甲\t绩效自评年度\t2022\n"),
		  "stops at the next form: %zu", pos.offset);
	CHECK(pj_read_form(two, strlen(two), &pos, scratch, cap, &sink, &err) ==
		  PJ_READ_ERROR && err.form == 2 && err.line == 2, "form %d line %d", err.form, err.line);
	free(scratch);
	free(doc);
	free(whole);
	free(parts);
}

/*
 * A 一级指标 not written (its name lost with a merged cell, only its weight
 * left, or the column empty) is the level 1 the standard places the row's
 * 二级指标 under, row by row, each noted; a name written above is kept.
 */
static void
test_level1_inferred(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	char		doc[4096];

	snprintf(doc, sizeof(doc), "%s"
			 "\t(50分)\t数量指标\ta\t1\t1\t25\t25\n"
			 "\t\t质量指标\tb\t1\t1\t25\t25\n"
			 "\t(30分)\t社会效益\tc\t1\t1\t30\t30\n"
			 "\t\t服务对象满意度指标\td\t1\t1\t10\t10\n"
			 "\t\t创新指标\te\t1\t1\t0\t0\n"
			 "总分\t\t\t\t\t\t100\t100\n", TEMPLATE_HEAD);
	CHECK(read_doc(doc, s, &err), "weights without names read: line %d %s", err.line, err.expected);
	CHECK(s->nind == 5, "five indicators, got %d", s->nind);
	CHECK(strcmp(s->ind[0][0], "产出指标") == 0 && strcmp(s->ind[0][1], "50") == 0 &&
		  strcmp(s->ind[1][0], "产出指标") == 0 && strcmp(s->ind[1][1], "50") == 0,
		  "(50分) beside 数量指标, then 质量指标: 产出指标 (50): %s %s / %s %s",
		  s->ind[0][0], s->ind[0][1], s->ind[1][0], s->ind[1][1]);
	CHECK(strcmp(s->ind[2][0], "效益指标") == 0 && strcmp(s->ind[2][1], "30") == 0,
		  "(30分) beside 社会效益: 效益指标 (30): %s %s", s->ind[2][0], s->ind[2][1]);
	CHECK(strcmp(s->ind[3][0], "满意度指标") == 0 && s->ind[3][1][0] == '\0',
		  "a blank cell beside 服务对象满意度指标: 满意度指标, without the 30 of 效益: %s %s",
		  s->ind[3][0], s->ind[3][1]);
	CHECK(strcmp(s->ind[4][0], "满意度指标") == 0, "a level 2 the standard does not list: the level 1 above");
	CHECK(s->ninfer == 5 && s->infer_line[0] == 8 && strcmp(s->infer_detail[0], "产出指标") == 0 &&
		  s->infer_line[2] == 10 && strcmp(s->infer_detail[2], "效益指标") == 0 &&
		  s->infer_line[4] == 12 && strcmp(s->infer_detail[4], "满意度指标") == 0,
		  "each inferred row noted: %d (line %d %s)", s->ninfer, s->infer_line[0], s->infer_detail[0]);

	/* a name written above is kept for a weight alone, and nothing is noted */
	snprintf(doc, sizeof(doc), "%s"
			 "\t产出指标\t数量指标\ta\t1\t1\t25\t25\n"
			 "\t(50分)\t质量指标\tb\t1\t1\t25\t25\n"
			 "总分\t\t\t\t\t\t100\t100\n", TEMPLATE_HEAD);
	CHECK(read_doc(doc, s, &err) && s->nind == 2 && strcmp(s->ind[1][0], "产出指标") == 0 &&
		  strcmp(s->ind[1][1], "50") == 0 && s->ninfer == 0, "(50分) under 产出指标: %s, %d noted",
		  s->ind[1][0], s->ninfer);

	/* nothing to infer from: still an error */
	snprintf(doc, sizeof(doc), "%s"
			 "\t(50分)\t创新指标\ta\t1\t1\t25\t25\n", TEMPLATE_HEAD);
	CHECK(!read_doc(doc, s, &err) && err.line == 8 && strstr(err.expected, "一级指标") != NULL,
		  "no level 1 and a level 2 not in the standard: line %d %s", err.line, err.expected);

	/* the list itself: every level 2 belongs under a level 1 of the list */
	{
		int			i;

		for (i = 0; i < pj_n_standard_levels; i++)
			CHECK(pj_standard_levels[i].level == 1 ||
				  pj_standard_level((PjCell) {pj_standard_levels[i].level1, strlen(pj_standard_levels[i].level1)}, 1) != NULL,
				  "%s belongs under a standard level 1", pj_standard_levels[i].name);
		CHECK(pj_standard_level((PjCell) {"产出指标 (50分)", strlen("产出指标 (50分)")}, 1) != NULL &&
			  pj_standard_level((PjCell) {"产出指标", strlen("产出指标")}, 2) == NULL &&
			  pj_standard_level((PjCell) {"成本指标", strlen("成本指标")}, 2) != NULL &&
			  pj_standard_level((PjCell) {"", 0}, 2) == NULL, "names are looked up at their level");
		CHECK(pj_standard_level((PjCell) {"进度指标", strlen("进度指标")}, 2) != NULL &&
			  strcmp(pj_standard_level((PjCell) {"进度指标", strlen("进度指标")}, 2)->standard, "时效") == 0 &&
			  strcmp(pj_standard_level((PjCell) {"服务对象满意度指标等", strlen("服务对象满意度指标等")}, 2)->level1,
					 "满意度指标") == 0, "synonyms: 进度指标 is 时效指标, 服务对象满意度指标等 is 服务对象满意度指标");
	}
	free(s);
}

/*
 * A 执行率 as forms print it: a percent without decimals (99%, 99％), a
 * fraction (0.93, 0.1): kept as written, without the percent sign (the
 * database compares it within its printed precision).
 */
static void
test_rate_as_written(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;

	CHECK(read_doc("项目支出绩效自评表\n"
				   "项目名称:\t测试\t绩效自评年度:\t2023\n"
				   "\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
				   "项目资金（元）\t年度资金总额\t100\t200\t187\t10\t94%\t9.35\n"
				   "\t当年财政拨款\t100\t100\t93\t—\t0.93\t—\n"
				   "\t上年结转资金\t0\t60\t58\t—\t９７％\t—\n"
				   "\t其他资金\t0\t40\t36\t—\t0.9\t—\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
				   "\t产出指标\t数量指标\ta\t1\t1\t90\t90\n", s, &err),
		  "rates as printed read: line %d %s", err.line, err.expected);
	CHECK(s->nfunds == 4 && strcmp(s->fund[0][5], "94") == 0 && strcmp(s->fund[1][5], "0.93") == 0 &&
		  strcmp(s->fund[2][5], "97") == 0 && strcmp(s->fund[3][5], "0.9") == 0,
		  "94%%, 0.93, ９７％, 0.9 kept as written: %s %s %s %s",
		  s->fund[0][5], s->fund[1][5], s->fund[2][5], s->fund[3][5]);
	free(s);
}

/*
 * A form without a 总分 row is read (no reported total) and noted on its
 * last line; a form with one (总分 or 合计) is not.
 */
static void
test_no_total_row(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	const char *form = "项目支出绩效自评表\n"
		"项目名称:\t测试\t绩效自评年度:\t2023\n"
		"\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
		"项目资金（元）\t年度资金总额\t100\t200\t200\t10\t100\t10\n"
		"年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
		"\t产出指标\t数量指标\ta\t1\t1\t90\t90\n";
	char		doc[2048];

	snprintf(doc, sizeof(doc), "%s%s总分\t\t\t\t\t\t100\t100\n%s合计\t\t\t\t\t\t100\t100\n",
			 form, form, form);
	CHECK(read_doc(doc, s, &err), "forms with and without 总分 read: line %d %s", err.line, err.expected);
	CHECK(s->forms == 3 && s->ends == 3 && strcmp(s->field[0][PJ_FIELD_TOTAL_SCORE], "") == 0 &&
		  strcmp(s->field[1][PJ_FIELD_TOTAL_SCORE], "100") == 0 && strcmp(s->field[2][PJ_FIELD_TOTAL_SCORE], "100") == 0,
		  "three forms, the first without a total: %d %d '%s'", s->forms, s->ends, s->field[0][PJ_FIELD_TOTAL_SCORE]);
	CHECK(s->nnototal == 1 && s->nototal_form[0] == 1 && s->nototal_line[0] == 6,
		  "no_total_row once, on form 1's last line: %d (form %d line %d)", s->nnototal, s->nototal_form[0],
		  s->nototal_line[0]);
	free(s);
}

/*
 * 本单位 (this unit) under 实施单位 is the 一级预算单位 the form names, and
 * under 一级预算单位 the 实施单位 (a unit that is its own level 1); noted on
 * its line.  Neither naming a unit is an error.
 */
static void
test_this_unit(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	const char *tail = "\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
		"项目资金（元）\t年度资金总额\t100\t200\t200\t10\t100\t10\n"
		"年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
		"\t产出指标\t数量指标\ta\t1\t1\t90\t90\n总分\t\t\t\t\t\t100\t100\n";
	char		doc[2048];

	snprintf(doc, sizeof(doc),
			 "项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t本单位\t一级预算单位:\t深圳市某区教育局\n%s"
			 "项目支出绩效自评表\n项目名称:\t乙\t绩效自评年度:\t2023\n实施单位：\t某区文化馆\n一级预算单位：本 单 位\n%s"
			 "项目支出绩效自评表\n项目名称:\t丙\t绩效自评年度:\t2023\n实施单位:\t某区图书馆\t一级预算单位:\t某区文广旅体局\n%s",
			 tail, tail, tail);
	CHECK(read_doc(doc, s, &err), "本单位 read: line %d %s", err.line, err.expected);
	CHECK(s->forms == 3 && strcmp(s->field[0][PJ_FIELD_UNIT], "深圳市某区教育局") == 0 &&
		  strcmp(s->field[0][PJ_FIELD_TOP_UNIT], "深圳市某区教育局") == 0 &&
		  strcmp(s->field[1][PJ_FIELD_UNIT], "某区文化馆") == 0 && strcmp(s->field[1][PJ_FIELD_TOP_UNIT], "某区文化馆") == 0 &&
		  strcmp(s->field[2][PJ_FIELD_UNIT], "某区图书馆") == 0 && strcmp(s->field[2][PJ_FIELD_TOP_UNIT], "某区文广旅体局") == 0,
		  "本单位 resolved to the other cell: %s/%s %s/%s", s->field[0][PJ_FIELD_UNIT], s->field[0][PJ_FIELD_TOP_UNIT],
		  s->field[1][PJ_FIELD_UNIT], s->field[1][PJ_FIELD_TOP_UNIT]);
	CHECK(s->nthis == 2 && s->this_line[0] == 3 && strcmp(s->this_detail[0], "深圳市某区教育局") == 0 &&
		  s->this_line[1] == 12 && strcmp(s->this_detail[1], "某区文化馆") == 0,
		  "unit_this_unit on the 本单位 lines: %d (%d %s, %d %s)", s->nthis, s->this_line[0], s->this_detail[0],
		  s->this_line[1], s->this_detail[1]);
	snprintf(doc, sizeof(doc), "项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t本单位\n%s", tail);
	CHECK(!read_doc(doc, s, &err) && err.line == 1 && strstr(err.expected, "本单位") != NULL,
		  "本单位 alone names no unit: line %d %s", err.line, err.expected);
	snprintf(doc, sizeof(doc),
			 "项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t本单位\t一级预算单位:\t本单位\n%s", tail);
	CHECK(!read_doc(doc, s, &err) && err.line == 1 && strstr(err.expected, "本单位") != NULL,
		  "本单位 twice names no unit: line %d %s", err.line, err.expected);
	free(s);
}

/*
 * A 总分 row holding the grade in its last cell (优, 良好 read as 良, 评级：中),
 * in the template's columns or closed up (总分 | 100 | 99.93 | 优); text
 * that is no grade is nothing, as before.
 */
static void
test_total_grade(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	const char *form = "项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t某单位\n"
		"年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
		"\t产出指标\t数量指标\ta\t1\t1\t90\t90\n";
	char		doc[4096];

	snprintf(doc, sizeof(doc),
			 "%s总分\t\t\t\t\t\t100\t99.93\t优\n%s总分\t100\t89.5\t良好\n%s总分\t\t\t\t\t\t100\t70\t评级：中\n"
			 "%s总分\t\t\t\t\t\t100\t99.93\t—\n%s总分\t99.93\t优秀\n%s总分\t\t\t\t\t\t\t\t自评结论良好\n"
			 "%s总分\t100\t65\t等级: 中等\n%s总分\t100\t50\t较差\n",
			 form, form, form, form, form, form, form, form);
	CHECK(read_doc(doc, s, &err), "总分 rows with grades read: line %d %s", err.line, err.expected);
	CHECK(s->forms == 8, "eight forms, got %d", s->forms);
	CHECK(strcmp(s->field[0][PJ_FIELD_TOTAL_SCORE], "99.93") == 0 && strcmp(s->field[0][PJ_FIELD_TOTAL_GRADE], "优") == 0,
		  "优 in the last column: %s %s", s->field[0][PJ_FIELD_TOTAL_SCORE], s->field[0][PJ_FIELD_TOTAL_GRADE]);
	CHECK(strcmp(s->field[1][PJ_FIELD_TOTAL_WEIGHT], "100") == 0 && strcmp(s->field[1][PJ_FIELD_TOTAL_SCORE], "89.5") == 0 &&
		  strcmp(s->field[1][PJ_FIELD_TOTAL_GRADE], "良") == 0,
		  "closed up, 良好 is 良: %s %s %s", s->field[1][PJ_FIELD_TOTAL_WEIGHT], s->field[1][PJ_FIELD_TOTAL_SCORE],
		  s->field[1][PJ_FIELD_TOTAL_GRADE]);
	CHECK(strcmp(s->field[2][PJ_FIELD_TOTAL_GRADE], "中") == 0, "评级：中: %s", s->field[2][PJ_FIELD_TOTAL_GRADE]);
	CHECK(s->field[3][PJ_FIELD_TOTAL_GRADE][0] == '\0' && strcmp(s->field[3][PJ_FIELD_TOTAL_SCORE], "99.93") == 0,
		  "— is no grade: '%s'", s->field[3][PJ_FIELD_TOTAL_GRADE]);
	CHECK(s->field[4][PJ_FIELD_TOTAL_WEIGHT][0] == '\0' && strcmp(s->field[4][PJ_FIELD_TOTAL_SCORE], "99.93") == 0 &&
		  strcmp(s->field[4][PJ_FIELD_TOTAL_GRADE], "优") == 0,
		  "one number closed up is the 得分: '%s' %s %s", s->field[4][PJ_FIELD_TOTAL_WEIGHT],
		  s->field[4][PJ_FIELD_TOTAL_SCORE], s->field[4][PJ_FIELD_TOTAL_GRADE]);
	CHECK(s->field[5][PJ_FIELD_TOTAL_GRADE][0] == '\0' && s->field[5][PJ_FIELD_TOTAL_SCORE][0] == '\0',
		  "text that is no grade: '%s'", s->field[5][PJ_FIELD_TOTAL_GRADE]);
	CHECK(strcmp(s->field[6][PJ_FIELD_TOTAL_GRADE], "中") == 0 && strcmp(s->field[7][PJ_FIELD_TOTAL_GRADE], "差") == 0,
		  "等级: 中等, 较差: %s %s", s->field[6][PJ_FIELD_TOTAL_GRADE], s->field[7][PJ_FIELD_TOTAL_GRADE]);
	free(s);
}

/*
 * A template that weights whole blocks: the funds' heading with its weight
 * (预算执行情况（20分）), no 分值 column under the indicators, a level-1 row
 * that carries its block's weight under 分值; a number that is no weight
 * (产出指标2022, （200分）) is part of the name.
 */
static void
test_block_weights(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	PjCell		name,
				w;

	CHECK(read_doc("项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t某单位\n"
				   "预算执行情况（20分）\n"
				   "\t\t年初预算数\t全年预算数\t全年执行数\t执行率\t得分\n"
				   "项目资金（万元）\t年度资金总额\t120\t126.5\t119.8\t94.70%\t18.94\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t得分\n"
				   "\t年度绩效目标1（40分）\t数量指标\ta\t≥45处\t47处\t40\n"
				   "\t效益指标（30分）\t社会效益指标\tb\t≥3万人\t3.3万人\t30\n"
				   "总分\t\t\t\t\t\t88.94\t良\n", s, &err),
		  "a form weighted by blocks reads: line %d %s", err.line, err.expected);
	CHECK(strcmp(s->field[0][PJ_FIELD_FUND_WEIGHT], "20") == 0, "预算执行情况（20分）: '%s'", s->field[0][PJ_FIELD_FUND_WEIGHT]);
	CHECK(s->nfunds == 1 && s->fund[0][4][0] == '\0' && strcmp(s->fund[0][5], "94.70") == 0 &&
		  strcmp(s->fund[0][6], "18.94") == 0, "no 分值 column in the funds: '%s' %s %s", s->fund[0][4], s->fund[0][5],
		  s->fund[0][6]);
	CHECK(s->nind == 2 && strcmp(s->ind[0][0], "年度绩效目标1") == 0 && strcmp(s->ind[0][1], "40") == 0 &&
		  s->ind[0][6][0] == '\0' && strcmp(s->ind[0][7], "40") == 0 && strcmp(s->ind[1][1], "30") == 0,
		  "blocks' weights, no indicator weights: %s %s '%s' %s", s->ind[0][0], s->ind[0][1], s->ind[0][6], s->ind[0][7]);
	CHECK(strcmp(s->field[0][PJ_FIELD_TOTAL_SCORE], "88.94") == 0 && s->field[0][PJ_FIELD_TOTAL_WEIGHT][0] == '\0',
		  "总分 without a 分值 column: %s", s->field[0][PJ_FIELD_TOTAL_SCORE]);

	CHECK(read_doc("项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t某单位\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
				   "\t产出指标\t\t\t\t\t40\t38\n"
				   "\t\t数量指标\ta\t1\t1\t\t20\n"
				   "\t\t质量指标\tb\t1\t1\t\t18\n"
				   "\t效益指标（30分）\t\t\t\t\t20\n"
				   "\t\t社会效益指标\tc\t1\t1\t\t30\n", s, &err),
		  "a level-1 row with its block's weight reads: line %d %s", err.line, err.expected);
	CHECK(s->nind == 3 && strcmp(s->ind[0][0], "产出指标") == 0 && strcmp(s->ind[0][1], "40") == 0 &&
		  strcmp(s->ind[1][1], "40") == 0 && s->ind[0][6][0] == '\0' && strcmp(s->ind[2][1], "30") == 0,
		  "the level-1 row's 分值 is its block's weight; a weight in the name comes first: %s %s %s",
		  s->ind[0][1], s->ind[1][1], s->ind[2][1]);
	CHECK(!read_doc("项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n实施单位:\t某单位\n"
					"年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
					"\t产出指标\t\t\t\t\t400\n", s, &err) && err.line == 5,
		  "a level-1 row with a number that is no weight is no block: line %d", err.line);

	pj_split_level((PjCell) {"产出指标2022", strlen("产出指标2022")}, &name, &w);
	CHECK(name.len == strlen("产出指标2022") && w.len == 0, "产出指标2022 is a name");
	pj_split_level((PjCell) {" 预算执行情况(20.5分) ", strlen(" 预算执行情况(20.5分) ")}, &name, &w);
	CHECK(w.len == 4 && memcmp(w.s, "20.5", 4) == 0 && name.len == strlen("预算执行情况"), "预算执行情况(20.5分)");
	pj_split_level((PjCell) {"效益指标（200分）", strlen("效益指标（200分）")}, &name, &w);
	CHECK(w.len == 0, "（200分） is no weight");
	free(s);
}

/* The source each fund label names: the reader's one list. */
static void
test_fund_sources(void)
{
	static const char *const cases[][2] = {
		{"年度资金总额", "total"}, {"年度财政资金总额", "total"}, {"资金总额", "total"}, {"总额", "total"}, {"项目资金总额合计", "total"},
		{"合计", "total"}, {"总计", "total"}, {"当年财政拨款", "appropriation"}, {"本年财政拨款", "appropriation"},
		{"财政拨款", "appropriation"}, {"财政资金", "appropriation"}, {"年度财政拨款资金", "appropriation"},
		{"上年结转资金", "carryover"}, {"结转结余", "carryover"}, {"上年 结转 资金", "carryover"},
		{"其他资金", "other"}, {"其他", "other"}, {"其他来源", "other"}, {"财政专户管理资金", "other"},
		{"单位资金", "other"}, {"* 其他资金：", "other"}, {"专项资金", NULL}, {"年度", NULL}, {"资金", NULL},
		{"合计合计", NULL}, {"其他资金来源", NULL}, {"", NULL},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const char *got = pj_fund_source((PjCell) {cases[i][0], strlen(cases[i][0])});

		CHECK(cases[i][1] == NULL ? got == NULL : got != NULL && strcmp(got, cases[i][1]) == 0,
			  "%s names %s, got %s", cases[i][0], cases[i][1] ? cases[i][1] : "none", got ? got : "none");
	}
}

/* The labels real templates write for the template's columns. */
static void
test_column_synonyms(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;

	CHECK(read_doc("项目支出绩效自评表\n"
				   "项目名称:\t测试\t绩效自评年度:\t2023\n"
				   "\t\t年初预算数\t调整后预算数\t预算执行数\t权重\t预算执行率\t得分\n"
				   "项目资金（元）\t年度财政资金总额\t100\t200\t150\t10\t75\t7.5\n"
				   "\t其中:本年财政拨款\t100\t200\t150\t—\t75\t—\n"
				   "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t权重\t得分\n"
				   "\t产出指标\t进度指标\ta\t1\t1\t90\t90\n", s, &err),
		  "column synonyms read: line %d %s", err.line, err.expected);
	CHECK(s->nfunds == 2 && strcmp(s->fund[0][0], "年度财政资金总额") == 0 && strcmp(s->fund[0][2], "200") == 0 &&
		  strcmp(s->fund[0][3], "150") == 0 && strcmp(s->fund[0][4], "10") == 0 && strcmp(s->fund[0][5], "75") == 0,
		  "调整后预算数, 预算执行数, 权重, 预算执行率: %s %s %s %s", s->fund[0][2], s->fund[0][3], s->fund[0][4], s->fund[0][5]);
	CHECK(strcmp(s->fund[0][7], "total") == 0 && strcmp(s->fund[1][7], "appropriation") == 0,
		  "each row's source kind, from its label: %s %s", s->fund[0][7], s->fund[1][7]);
	CHECK(strcmp(s->fund[1][0], "本年财政拨款") == 0 && strcmp(s->fund[1][5], "75") == 0,
		  "其中: with an ASCII colon, a rate on the source row: %s %s", s->fund[1][0], s->fund[1][5]);
	CHECK(s->nind == 1 && strcmp(s->ind[0][6], "90") == 0, "权重 under the indicators: %s", s->ind[0][6]);
	free(s);
}

/*
 * Templates of other provinces (test/corpus/provinces): the year only in
 * the title or on a line (2022年度) under it, text above the first form,
 * 实施单位 (盖章), the amount unit in the funds header, 年初预算, and the
 * target written in three cells (指标性质, 指标值, 度量单位) under an
 * indicator header of two rows, 完成值 for 实际完成值.
 */
static void
test_province_templates(void)
{
	Seen	   *s = malloc(sizeof(Seen));
	PjFormError err;
	const char *funds = "项目资金 (万元)\t\t年初预算\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
		"\t年度资金总额\t7.29\t7.29\t7.29\t10\t100%\t10\n";
	const char *inds = "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
		"\t产出指标\t数量指标\ta\t1\t1\t90\t90\n";
	char		doc[4096];

	/* 2020年度项目支出绩效自评表; a (2022年度) line; 部门预算项目支出绩效自评表(2023年度) */
	snprintf(doc, sizeof(doc),
			 "附件1\n2020年度项目支出绩效自评表\n项目名称\t甲\n主管部门\t乙局\t实施单位 (盖章)\t丙所\n%s%s"
			 "项目支出绩效自评表\n(2022年度)\n项目名称\t丁\n主管部门\t乙局\t实施单位\t丙所\n%s%s"
			 "部门预算项目支出绩效自评表(2023年度)\n项目名称\t戊\t绩效自评年度\t2021\n实施单位\t丙所\n%s%s",
			 funds, inds, funds, inds, funds, inds);
	CHECK(read_doc(doc, s, &err), "province templates read: line %d %s", err.line, err.expected);
	CHECK(s->forms == 3 && strcmp(s->field[0][PJ_FIELD_YEAR], "2020") == 0 &&
		  strcmp(s->field[1][PJ_FIELD_YEAR], "2022") == 0 && strcmp(s->field[2][PJ_FIELD_YEAR], "2021") == 0,
		  "the title's year, the line under it, the header's over the title's: %d %s %s %s", s->forms,
		  s->field[0][PJ_FIELD_YEAR], s->field[1][PJ_FIELD_YEAR], s->field[2][PJ_FIELD_YEAR]);
	CHECK(strcmp(s->field[0][PJ_FIELD_UNIT], "丙所") == 0 && strcmp(s->field[0][PJ_FIELD_TOP_UNIT], "乙局") == 0,
		  "实施单位 (盖章): %s %s", s->field[0][PJ_FIELD_UNIT], s->field[0][PJ_FIELD_TOP_UNIT]);
	CHECK(strcmp(s->field[0][PJ_FIELD_AMOUNT_UNIT], "万元") == 0 && strcmp(s->fund[0][1], "7.29") == 0,
		  "万元 in the funds header, 年初预算: %s %s", s->field[0][PJ_FIELD_AMOUNT_UNIT], s->fund[0][1]);

	/* the target in three cells under a header of two rows */
	CHECK(read_doc("2020年度项目支出绩效自评表\n项目名称\t甲\n实施单位\t丙所\n"
				   "项目资金 (万元)\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
				   "\t年度资金总额\t7.29\t7.29\t7.29\t10.00\t100%\t10.00\n"
				   "绩效指标\t\t\t年度指标值\t\t\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
				   "一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\n"
				   "产出指标\t数量指标\ta\t﹦\t72890\t元\t72890\t10.00\t9.00\n"
				   "效益指标\t社会效益指标\tb\t≥\t95\t%\t93\t30\t27\tc\n"
				   "\t\td\t定性\t应保尽保\t%\t完成\t10\t10\n", s, &err),
		  "two header rows read: line %d %s", err.line, err.expected);
	CHECK(s->nind == 3 && strcmp(s->ind[0][4], "﹦72890元") == 0 && strcmp(s->ind[0][5], "72890元") == 0 &&
		  strcmp(s->ind[1][4], "≥95%") == 0 && strcmp(s->ind[1][5], "93%") == 0 &&
		  strcmp(s->ind[1][6], "30") == 0 && strcmp(s->ind[1][7], "27") == 0 && strcmp(s->ind[1][8], "c") == 0,
		  "指标性质 + 指标值 + 度量单位: %d '%s' '%s' '%s' '%s' %s %s %s", s->nind, s->ind[0][4], s->ind[0][5],
		  s->ind[1][4], s->ind[1][5], s->ind[1][6], s->ind[1][7], s->ind[1][8]);
	CHECK(strcmp(s->ind[2][4], "应保尽保") == 0 && strcmp(s->ind[2][5], "完成") == 0,
		  "text keeps no comparison or unit: '%s' '%s'", s->ind[2][4], s->ind[2][5]);

	/* 四川 510000_0013zp: one header row, 完成值 */
	CHECK(read_doc("报表编号:510000_0013zp\n部门预算项目支出绩效自评表(2023年度)\n项目名称\t甲\n"
				   "主管部门\t乙局\t实施单位 (盖章)\t丙所\n"
				   "预算执行情况(10分)\t年度预算数(万元)\t年初预算\t调整后预算数\t预算执行数\t预算执行率\t权重\t得分\t原因\n"
				   "\t年度资金总额\t238.93\t251.89\t251.89\t100.00%\t10\n"
				   "绩效指标(90分)\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t完成值\t权重\t得分\t未完成原因分析\n"
				   "\t产出指标\t数量指标\ta\t=\t100\t%\t98\t60\t58\n"
				   "合计\t\t\t\t\t\t\t\t100\t98\n", s, &err),
		  "510000_0013zp read: line %d %s", err.line, err.expected);
	CHECK(strcmp(s->field[0][PJ_FIELD_YEAR], "2023") == 0 && strcmp(s->field[0][PJ_FIELD_AMOUNT_UNIT], "万元") == 0 &&
		  strcmp(s->fund[0][1], "238.93") == 0 && s->nind == 1 && strcmp(s->ind[0][4], "=100%") == 0 &&
		  strcmp(s->ind[0][5], "98%") == 0 && strcmp(s->field[0][PJ_FIELD_TOTAL_SCORE], "98") == 0,
		  "510000_0013zp: %s %s %s '%s' '%s' %s", s->field[0][PJ_FIELD_YEAR], s->field[0][PJ_FIELD_AMOUNT_UNIT],
		  s->fund[0][1], s->ind[0][4], s->ind[0][5], s->field[0][PJ_FIELD_TOTAL_SCORE]);

	/* a project's own title, its year in brackets (安徽 六安 2022) */
	snprintf(doc, sizeof(doc), "市级文物保护专项经费绩效自评表(2022年度)\n项目名称\t甲\n实施单位\t丙所\n%s%s", funds, inds);
	CHECK(read_doc(doc, s, &err) && s->forms == 1 && strcmp(s->field[0][PJ_FIELD_YEAR], "2022") == 0,
		  "X绩效自评表(2022年度) is a title with its year: line %d %s %s", err.line, err.expected,
		  s->field[0][PJ_FIELD_YEAR]);
	CHECK(!read_doc("项目绩效自评表填写说明\n项目名称\t甲\n实施单位\t丙所\n", s, &err) &&
		  strstr(err.expected, "绩效自评年度") != NULL,
		  "绩效自评表 without a year in brackets is no title: line %d %s", err.line, err.expected);

	/* the template's unfilled lines (河北 廊坊 2019): 指标2, ……, 指标1 with nothing beside */
	CHECK(read_doc("2019年度项目支出绩效自评表\n项目名称\t甲\n实施单位\t丙所\n"
				   "项目资金(万元)\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
				   "\t年度资金总额\t43.2\t43.2\t37.24\t10\t86%\t9\n"
				   "\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
				   "\t产出指标\t数量指标\t指标1工程资金金额\t43.2\t37.24\t10\t9\n"
				   "\t\t\t指标2\n\t\t\t……\n\t\t\t指标3：\n"
				   "\t\t生态效益指标\t指标1\n"
				   "\t\t\t指标2\t\t\t\t\t未填\n"
				   "\t\t质量指标\t指标12\t100\t100\t10\t10\n", s, &err),
		  "unfilled lines read: line %d %s", err.line, err.expected);
	CHECK(s->nind == 3 && strcmp(s->ind[0][3], "指标1工程资金金额") == 0 && strcmp(s->ind[1][3], "指标2") == 0 &&
		  strcmp(s->ind[1][8], "未填") == 0 && strcmp(s->ind[2][3], "指标12") == 0,
		  "no indicator for an unfilled line, one for a line with anything written: %d '%s' '%s' '%s'", s->nind,
		  s->ind[0][3], s->ind[1][3], s->ind[2][3]);

	/* text only, or a title whose form has no year anywhere: refused as before */
	CHECK(!read_doc("附件1\n第二行\n", s, &err) && err.line == 1 && strstr(err.expected, "the title") != NULL,
		  "text that is no form refused on its first line: %d %s", err.line, err.expected);
	snprintf(doc, sizeof(doc), "附件1\n项目支出绩效自评表\n项目名称\t甲\n实施单位\t丙所\n%s%s", funds, inds);
	CHECK(!read_doc(doc, s, &err) && err.line == 2 && strstr(err.expected, "绩效自评年度") != NULL,
		  "no year anywhere: line %d %s", err.line, err.expected);
	free(s);
}

void
test_form(void)
{
	test_province_templates();
	test_rate_as_written();
	test_total_grade();
	test_fund_sources();
	test_block_weights();
	test_no_total_row();
	test_this_unit();
	test_column_synonyms();
	test_level1_inferred();
	test_unclosed_quotes();
	test_cr_line_ends();
	test_invisible_names();
	test_form_by_form();
	test_seed_document();
	test_quirks();
	test_labels_and_notes();
	test_errors();
}
