/*
 * form.h - the reader of 项目支出绩效自评表 documents: the official template
 * copied out of a spreadsheet or PDF as tab-separated text, one or many
 * forms per document.  Plain C, no PostgreSQL headers.
 *
 * The reader is tolerant (blank repeated labels, 产出指标 (50分), full-width
 * labels, quoted cells, CRLF or CR line ends, extra cells, a missing 项目编号
 * or 年初预算数) and strict only where a form cannot be read at all.  It hands
 * each part of a form to a sink as cells "as written" (trimmed of white space
 * and invisible characters, and unquoted); amounts and weights are checked to
 * be numbers and written plainly (1,821,100 → 1821100).
 *
 * It reads one form per call (pj_read_form), from a position the previous
 * call returned, with scratch space for that form only: a document of any
 * size is read in memory proportional to its largest form.
 */
#ifndef PJEVAL_FORM_H
#define PJEVAL_FORM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct PjCell
{
	const char *s;				/* not NUL-terminated; len 0 = empty */
	size_t		len;
} PjCell;

typedef enum PjFormField
{
	PJ_FIELD_PROJECT_CODE,		/* 项目编号 */
	PJ_FIELD_PROJECT_NAME,		/* 项目名称 */
	PJ_FIELD_YEAR,				/* 绩效自评年度 */
	PJ_FIELD_UNIT,				/* 实施单位 */
	PJ_FIELD_TOP_UNIT,			/* 一级预算单位 */
	PJ_FIELD_AMOUNT_UNIT,		/* 元 or 万元, from 项目资金（元） */
	PJ_FIELD_GOAL_EXPECTED,		/* 年度总体目标: 预期目标 */
	PJ_FIELD_GOAL_ACTUAL,		/* 年度总体目标: 实际完成情况 */
	PJ_FIELD_TOTAL_WEIGHT,		/* 总分: 分值 */
	PJ_FIELD_TOTAL_SCORE,		/* 总分: 得分 */
	PJ_FIELD_NOTES,				/* 备注 */
	PJ_FIELD_TOTAL_GRADE,		/* 总分: the grade its last cell holds, as the
								 * standard names it (优, 良, 中, 差) */
	PJ_FIELD_FUND_WEIGHT,		/* 20 from the funds' heading 预算执行情况（20分） */
	PJ_FIELD_EXECUTION_REASON,	/* 未完成原因分析: why the budget was not spent */
	PJ_N_FORM_FIELDS
} PjFormField;

typedef struct PjFundRow
{
	int			line;
	PjCell		source;			/* 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金 */
	PjCell		initial_budget, /* 年初预算数; empty when the form has none */
				budget,			/* 全年预算数 */
				executed;		/* 全年执行数 */
	PjCell		weight,			/* 分值, 执行率, 得分 as reported; empty for — */
				rate,
				score;
	const char *kind;			/* the source the label names (pj_fund_source):
								 * total, appropriation, carryover, other;
								 * NULL for a label that names none */
} PjFundRow;

typedef struct PjIndicatorRow
{
	int			line;
	int			position;		/* 1-based within the form */
	PjCell		level1,			/* repeated labels filled in from above */
				level2,
				level3;
	PjCell		level1_weight;	/* 50 from 产出指标 (50分) */
	PjCell		target,
				actual,
				weight,
				score,
				explanation;
} PjIndicatorRow;

typedef struct PjFormSink
{
	void	   *ctx;
	void		(*begin) (void *ctx, int form, int line);
	void		(*field) (void *ctx, PjFormField field, PjCell value);
	void		(*fund) (void *ctx, const PjFundRow *row);
	void		(*indicator) (void *ctx, const PjIndicatorRow *row);
	void		(*end) (void *ctx);
	/* something read but worth a look, in the form begun last: code is one
	 * of the PJ_FINDING_ words below, detail what was read or inferred
	 * (empty where the code says it all; valid as the form's cells are);
	 * may be NULL */
	void		(*finding) (void *ctx, int line, const char *code, PjCell detail);
	/* before each row, and on each line a quoted cell's look-ahead crosses:
	 * the caller may stop the reading here without returning (a longjmp: the
	 * reader holds nothing); may be NULL */
	void		(*tick) (void *ctx);
} PjFormSink;

/* A cell began with a quote that no quote closes: the quote was read as text. */
#define PJ_FINDING_UNCLOSED_QUOTE "unclosed_quote"
/* An indicator's 一级指标 was not written (empty at the top of the table, or
 * only its weight where no name was written above): the reader took the
 * level 1 its standard 二级指标 belongs to (detail: that name). */
#define PJ_FINDING_LEVEL1_INFERRED "level1_inferred"
/* The form has no 总分 row: its reported total is unknown (line: the form's
 * last). */
#define PJ_FINDING_NO_TOTAL_ROW "no_total_row"
/* 实施单位 or 一级预算单位 was written as 本单位 (this unit): the reader took
 * the unit the other cell names (detail: that name; line: where both were
 * read, and the field is handed to the sink again there).  Neither naming a
 * unit is an error. */
#define PJ_FINDING_UNIT_THIS_UNIT "unit_this_unit"

/*
 * The standard's level names (scoring-rules §1; 财预〔2021〕101号 for 成本 as
 * its own level 1), the one list the reader and the database use
 * (pjeval.standard_level is built from it): name as pj_level_name() reduces
 * it (no 指标, no weight), the level (1 or 2), the kind of level 1 it is or
 * belongs under (output, benefit, satisfaction, cost), and the level-1 name
 * a level 2 belongs under as the template writes it.  Names that real
 * templates use for a standard one (进度指标 for 时效指标) are listed too,
 * with the standard name they stand for.
 */
typedef struct PjStandardLevel
{
	const char *name;			/* 产出, 数量, …; 进度 (a synonym) */
	int			level;
	const char *kind;
	const char *level1;			/* 产出指标, … */
	const char *standard;		/* a synonym's standard name (时效), else NULL */
} PjStandardLevel;

extern const PjStandardLevel pj_standard_levels[];
extern const int pj_n_standard_levels;

/* The standard level a name (as written: 数量指标, 社会效益, 产出指标 (50分))
 * is, at that level; NULL for a name the standard does not list. */
const PjStandardLevel *pj_standard_level(PjCell name, int level);

/*
 * A level name and the weight written with it: 产出指标 (50分), 产出指标（50分）,
 * 产出指标50分, 预算执行情况(20分) → the name and 50; the weight empty where
 * none is written or it is no weight (a number of more than 100, or of more
 * than 4 decimal places).  Both point into c.
 */
void		pj_split_level(PjCell c, PjCell *name, PjCell *weight);

/*
 * The fund source a row label of 资金使用情况 names (其中： removed): total
 * (年度资金总额, 资金总额, 合计, …), appropriation (当年财政拨款, 本年财政拨款,
 * 财政拨款, …), carryover (上年结转资金, 结转结余, …), other (其他资金,
 * 财政专户管理资金, 单位资金, …); NULL for a label that names none (专项资金).
 * Spaces, colons and * are ignored.  The one list of these labels.
 */
const char *pj_fund_source(PjCell label);

typedef struct PjFormError
{
	int			form;			/* 1-based position of the form in the document */
	int			line;			/* 1-based line of the document */
	char		text[256];		/* that line, tabs shown as " | ", shortened */
	char		expected[192];	/* what the reader expected there */
} PjFormError;

/* Bytes of scratch space a form (or a document) of len bytes needs at most. */
size_t		pj_form_scratch_size(size_t len);

/* Where reading goes on: a byte offset, its line, and the forms read before it. */
typedef struct PjFormPos
{
	size_t		offset;
	int			line;			/* 1 at the start of the document */
	int			form;			/* 0 at the start */
} PjFormPos;

typedef enum PjReadStatus
{
	PJ_READ_FORM,				/* one form handed to the sink; *pos is past it */
	PJ_READ_DONE,				/* no form left */
	PJ_READ_ERROR,				/* *err filled: the form cannot be read */
	PJ_READ_SCRATCH				/* scratch_len is too small for this form: nothing
								 * of it counts (the sink may have seen part of it,
								 * never its end); call again with more */
} PjReadStatus;

/*
 * Reads the form that begins at *pos (the document's first form when *pos is
 * {0, 1, 0}) and hands it to the sink, begin to end; advances *pos to where
 * the next form begins.  Cells point into the document or scratch (used from
 * its start at every call) and stay valid until the next call.  A document
 * without any form is an error.
 */
PjReadStatus pj_read_form(const char *doc, size_t len, PjFormPos *pos, char *scratch,
						  size_t scratch_len, const PjFormSink *sink, PjFormError *err);

/*
 * The line that begins at doc[at]: sets *line_len to its length without its
 * end and returns where the next line begins (len at the last).  Lines end
 * with LF, CRLF or a lone CR, as the reader counts them.
 */
size_t		pj_next_line(const char *doc, size_t len, size_t at, size_t *line_len);

/*
 * Reads every form of doc (pj_read_form in a loop; scratch holds
 * pj_form_scratch_size(len) bytes) and hands its parts to sink in order.
 * Cells stay valid until the sink's end of their form.  Returns false with *err
 * filled at the first form that cannot be read; the sink may have been
 * called for earlier parts, so a caller that must be atomic discards them.
 */
bool		pj_read_forms(const char *doc, size_t len, char *scratch,
						  const PjFormSink *sink, PjFormError *err);

/*
 * The monitoring form (项目支出绩效目标执行监控表, docs/monitoring.md): the
 * same tokenizer, tolerance, errors and scratch rules as the
 * self-evaluation's, a layout of its own.  Sections are found by their
 * labels (资金执行情况, 项目目标执行情况, 年度绩效指标, 执行情况分析, 备注),
 * columns by their header text; 追加数 and 追减数 are optional; 主管部门
 * reads as 一级预算单位; the period is 1-N月, 1—N月, 1至N月 or 截止N月底, and
 * every 1-N月 in a header must be 监控期间's, or the form cannot be read.
 */
typedef enum PjMonitorField
{
	PJ_MF_PROJECT_CODE,			/* 项目编号 */
	PJ_MF_PROJECT_NAME,			/* 项目名称 */
	PJ_MF_YEAR,					/* 监控年度: four digits */
	PJ_MF_UNIT,					/* 实施单位 */
	PJ_MF_TOP_UNIT,				/* 一级预算单位 (主管部门) */
	PJ_MF_MONTH,				/* N of 监控期间 1-N月: digits, 1-12 */
	PJ_MF_AMOUNT_UNIT,			/* 元 or 万元, from 项目资金（元） */
	PJ_MF_GOAL,					/* 年度总体目标: 年度目标 */
	PJ_MF_PROGRESS,				/* 年度总体目标: 1-N月执行情况 */
	PJ_MF_ON_SCHEDULE,			/* 是否达到序时支出进度: 是 or 否 */
	PJ_MF_STAGE_MET,			/* 是否达到阶段性绩效目标: 是 or 否 */
	PJ_MF_REASON_TYPE,			/* 原因类型, as written (6-根据合同约定…) */
	PJ_MF_ANALYSIS,				/* 情况分析 */
	PJ_MF_ADJUSTMENT,			/* 绩效目标调整情况 */
	PJ_MF_NOTES,				/* 备注 */
	PJ_N_MONITOR_FIELDS
} PjMonitorField;

typedef struct PjMonitorFundRow
{
	int			line;
	PjCell		source;			/* the row's label, 其中 removed */
	const char *kind;			/* pj_fund_source(source), NULL for none */
	PjCell		initial_budget, /* 年初预算数 */
				added,			/* 追加数 (empty: not on the form) */
				reduced,		/* 追减数 */
				adjusted_budget,	/* 调整后预算数 (全年预算数) */
				executed,		/* 1-N月执行数 */
				rate,			/* 1-N月执行率 (%), empty for — */
				forecast;		/* 全年预计执行数 */
} PjMonitorFundRow;

typedef struct PjMonitorIndicatorRow
{
	int			line;
	int			position;		/* 1-based within the form */
	PjCell		level1,			/* repeated labels filled in from above */
				level2,
				level3;
	PjCell		target,			/* 年度指标值 */
				actual,			/* 1-N月实际完成值 */
				forecast,		/* 全年预计完成值 */
				causes,			/* 偏差原因, as written (人员保障、其他) */
				likelihood,		/* 完成目标可能性, as written */
				notes;			/* 备注 */
} PjMonitorIndicatorRow;

typedef struct PjMonitorSink
{
	void	   *ctx;
	void		(*begin) (void *ctx, int form, int line);
	/* line: where the value was read */
	void		(*field) (void *ctx, PjMonitorField field, PjCell value, int line);
	void		(*fund) (void *ctx, const PjMonitorFundRow *row);
	void		(*indicator) (void *ctx, const PjMonitorIndicatorRow *row);
	void		(*end) (void *ctx);
	void		(*finding) (void *ctx, int line, const char *code, PjCell detail);	/* may be NULL */
	void		(*tick) (void *ctx);	/* may be NULL; as PjFormSink's */
} PjMonitorSink;

/*
 * pj_read_form for the monitoring form: the same positions, scratch
 * (pj_form_scratch_size) and statuses.  A form needs 项目名称, 监控年度 (or
 * a year in its title) and 监控期间.
 */
PjReadStatus pj_read_monitor_form(const char *doc, size_t len, PjFormPos *pos, char *scratch,
								  size_t scratch_len, const PjMonitorSink *sink, PjFormError *err);

/*
 * The rows of any tab-separated document, cell by cell, as the form reader
 * reads them (quoted cells, line ends, white space and invisible characters
 * trimmed, empty cells at a row's end dropped; at most 24 cells a row): for
 * forms other than the self-evaluation, whose layout the caller reads
 * (pjeval.document_rows, the target form).  row() gets each row's first
 * line, its cells (valid until the next call) and the line of a quote read
 * as text (0 if none); tick() (may be NULL) is called before each row and
 * may stop the reading with a longjmp.  scratch holds
 * pj_form_scratch_size(len) bytes.
 */
typedef struct PjRowSink
{
	void	   *ctx;
	void		(*row) (void *ctx, int line, const PjCell *cells, int ncells, int quote_line);
	void		(*tick) (void *ctx);
} PjRowSink;

void		pj_read_rows(const char *doc, size_t len, char *scratch, size_t scratch_len,
						 const PjRowSink *sink);

#endif							/* PJEVAL_FORM_H */
