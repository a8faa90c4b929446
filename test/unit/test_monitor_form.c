/*
 * test_monitor_form.c - the monitoring form's layout of the form reader
 * (pj_read_monitor_form, src/core/form.c): fields, funds, indicators and
 * notes as read; the period's spellings; the refusals with their lines.
 */
#include <string.h>

#include "check.h"
#include "form.h"

typedef struct Got
{
	char		fields[PJ_N_MONITOR_FIELDS][160];
	int			field_line[PJ_N_MONITOR_FIELDS];
	int			forms,
				ends,
				funds,
				inds;
	char		fund0[4][32];	/* source, added, adjusted, rate of the first fund row */
	char		ind_levels[3][64];	/* level1, level2, likelihood of the last indicator */
} Got;

static void
copy(char *out, size_t n, PjCell c)
{
	size_t		len = c.len < n - 1 ? c.len : n - 1;

	memcpy(out, c.s, len);
	out[len] = '\0';
}

static void
on_begin(void *ctx, int form, int line)
{
	(void) line;
	((Got *) ctx)->forms = form;
}

static void
on_field(void *ctx, PjMonitorField f, PjCell v, int line)
{
	Got		   *g = ctx;

	copy(g->fields[f], sizeof(g->fields[f]), v);
	g->field_line[f] = line;
}

static void
on_fund(void *ctx, const PjMonitorFundRow *r)
{
	Got		   *g = ctx;

	if (g->funds++ == 0)
	{
		copy(g->fund0[0], 32, r->source);
		copy(g->fund0[1], 32, r->added);
		copy(g->fund0[2], 32, r->adjusted_budget);
		copy(g->fund0[3], 32, r->rate);
	}
}

static void
on_indicator(void *ctx, const PjMonitorIndicatorRow *r)
{
	Got		   *g = ctx;

	g->inds++;
	copy(g->ind_levels[0], 64, r->level1);
	copy(g->ind_levels[1], 64, r->level2);
	copy(g->ind_levels[2], 64, r->likelihood);
}

static void
on_end(void *ctx)
{
	((Got *) ctx)->ends++;
}

static PjReadStatus
read_one(const char *doc, Got *g, PjFormError *err, size_t cap)
{
	static char scratch[8192];
	PjMonitorSink sink = {g, on_begin, on_field, on_fund, on_indicator, on_end, NULL, NULL};
	PjFormPos	pos = {0, 1, 0};

	memset(g, 0, sizeof(*g));
	return pj_read_monitor_form(doc, strlen(doc), &pos, scratch, cap, &sink, err);
}

void
test_monitor_form(void)
{
	Got			g;
	PjFormError err;
	PjReadStatus st;
	static const char tolerant[] =
		"2024年度项目支出绩效目标执行监控表\r\n"
		"项目名称：容错项目\t\t主管部门：\t某局\t监控期间\t1—7月\r\n"
		"资金执行情况\r\n"
		"\t\t年初预算数\t全年预算数\t1至7月执行数\t1-7月执行率(%)\t全年预计执行数\r\n"
		"项目资金（万元）\t其中：当年财政拨款\t10\t12\t5\t41.67%\t12\t\t\r\n"
		"项目目标执行情况\r\n"
		"年度总体目标\t年度目标\t截止7月底执行情况\r\n"
		"\t全年目标\t进展\r\n"
		"年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t1-7月实际完成值\t全年预计完成值\t偏差原因\t完成目标可能性\t备注\r\n"
		"\t产出指标\t数量指标\t培训人次\t≥100人次\t50人次\t100人次\t\t2\t\r\n"
		"\t\t\t受训满意度\t≥90%\t92%\t92%\t\t确定能\t\r\n"
		"执行情况分析\r\n"
		"是否达到序时支出进度：是\r\n"
		"原因类型:\t5\r\n"
		"备注：第一行\r\n"
		"第二行\r\n";

	st = read_one(tolerant, &g, &err, 8192);
	CHECK(st == PJ_READ_FORM, "the tolerant form reads (%d: line %d, %s)", (int) st, err.line, err.expected);
	CHECK(g.forms == 1 && g.ends == 1, "one form, ended (%d, %d)", g.forms, g.ends);
	CHECK(strcmp(g.fields[PJ_MF_YEAR], "2024") == 0, "the year from the title: %s", g.fields[PJ_MF_YEAR]);
	CHECK(strcmp(g.fields[PJ_MF_MONTH], "7") == 0, "1—7月 is month 7: %s", g.fields[PJ_MF_MONTH]);
	CHECK(strcmp(g.fields[PJ_MF_PROJECT_NAME], "容错项目") == 0, "the name in its label's cell: %s", g.fields[PJ_MF_PROJECT_NAME]);
	CHECK(strcmp(g.fields[PJ_MF_TOP_UNIT], "某局") == 0, "主管部门 is 一级预算单位: %s", g.fields[PJ_MF_TOP_UNIT]);
	CHECK(strcmp(g.fields[PJ_MF_AMOUNT_UNIT], "万元") == 0, "项目资金（万元）: %s", g.fields[PJ_MF_AMOUNT_UNIT]);
	CHECK(strcmp(g.fields[PJ_MF_GOAL], "全年目标") == 0 && strcmp(g.fields[PJ_MF_PROGRESS], "进展") == 0,
		  "the goals under their header: %s / %s", g.fields[PJ_MF_GOAL], g.fields[PJ_MF_PROGRESS]);
	CHECK(strcmp(g.fields[PJ_MF_ON_SCHEDULE], "是") == 0 && g.field_line[PJ_MF_ON_SCHEDULE] == 13,
		  "是否达到序时支出进度 in its label's cell, line 13: %s, %d", g.fields[PJ_MF_ON_SCHEDULE], g.field_line[PJ_MF_ON_SCHEDULE]);
	CHECK(strcmp(g.fields[PJ_MF_REASON_TYPE], "5") == 0 && g.field_line[PJ_MF_REASON_TYPE] == 14,
		  "原因类型 as written, line 14: %s, %d", g.fields[PJ_MF_REASON_TYPE], g.field_line[PJ_MF_REASON_TYPE]);
	CHECK(strcmp(g.fields[PJ_MF_NOTES], "第一行\n第二行") == 0, "备注 over two lines: %s", g.fields[PJ_MF_NOTES]);
	CHECK(g.funds == 1 && strcmp(g.fund0[0], "当年财政拨款") == 0 && g.fund0[1][0] == '\0' &&
		  strcmp(g.fund0[2], "12") == 0 && strcmp(g.fund0[3], "41.67") == 0,
		  "the fund row: 其中 removed, no 追加数, 全年预算数 is 调整后预算数, 41.67%%: %s %s %s %s",
		  g.fund0[0], g.fund0[1], g.fund0[2], g.fund0[3]);
	CHECK(g.inds == 2 && strcmp(g.ind_levels[0], "产出指标") == 0 && strcmp(g.ind_levels[1], "数量指标") == 0 &&
		  strcmp(g.ind_levels[2], "确定能") == 0, "levels filled in from above: %d %s %s %s",
		  g.inds, g.ind_levels[0], g.ind_levels[1], g.ind_levels[2]);

	/* scratch too small: asked for more, the form not ended */
	st = read_one(tolerant, &g, &err, 16);
	CHECK(st == PJ_READ_SCRATCH && g.ends == 0, "a short scratch asks for more (%d, %d ends)", (int) st, g.ends);

	/* a header's period other than 监控期间's, on its line */
	st = read_one("项目支出绩效目标执行监控表\n项目名称:\t甲\t监控年度:\t2023\t监控期间:\t1-7月\n"
				  "\t\t年初预算数\t调整后预算数\t1-6月执行数\n", &g, &err, 8192);
	CHECK(st == PJ_READ_ERROR && err.line == 3 && strstr(err.expected, "1-7月") != NULL,
		  "1-6月 under 1-7月 is refused on line 3 (%d, %d: %s)", (int) st, err.line, err.expected);
	/* no 监控期间 */
	st = read_one("项目支出绩效目标执行监控表\n项目名称:\t甲\t监控年度:\t2023\n", &g, &err, 8192);
	CHECK(st == PJ_READ_ERROR && err.line == 1 && strstr(err.expected, "监控期间") != NULL,
		  "a form without 监控期间 is refused at its title (%d, %d: %s)", (int) st, err.line, err.expected);
	/* month 13, and 是/否 */
	st = read_one("项目名称:\t甲\t监控年度:\t2023\t监控期间:\t截止13月底\n", &g, &err, 8192);
	CHECK(st == PJ_READ_ERROR && err.line == 1, "截止13月底 is no period (%d, %d)", (int) st, err.line);
	st = read_one("项目名称:\t甲\t监控年度:\t2023\t监控期间:\t截止12月底\n项目目标执行情况\n是否达到阶段性绩效目标:\t也许\n",
				  &g, &err, 8192);
	CHECK(st == PJ_READ_ERROR && err.line == 3 && strstr(err.expected, "是 or 否") != NULL,
		  "是 or 否 only (%d, %d: %s)", (int) st, err.line, err.expected);
	/* a self-evaluation is no monitoring form */
	st = read_one("项目支出绩效自评表\n项目名称:\t甲\t绩效自评年度:\t2023\n", &g, &err, 8192);
	CHECK(st == PJ_READ_ERROR, "a self-evaluation form is refused (%d)", (int) st);
}
