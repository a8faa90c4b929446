/*
 * form.c - reads 项目支出绩效自评表 documents (see form.h).
 *
 * Two layers: a tokenizer that turns the text into rows of cells the way a
 * spreadsheet writes tab-separated text (quoted cells may hold tabs, line
 * breaks and "" for a quote; lines end with LF, CRLF or CR), and a small
 * state machine that recognises the template's sections by their labels,
 * not by line numbers, so blank lines, extra cells and moved columns do not
 * matter.  Each call reads one form: the row that begins the next form ends
 * it, and the next call begins there.
 */
#include <stdio.h>
#include <string.h>

#include "form.h"
#include "ivalue_tables.h"
#include "rules.h"

#define MAX_CELLS 24
#define LABEL_MAX 96
#define MAX_NOTES 256
#define MAX_QUOTED_TABS 2		/* in a quoted cell that spans lines */

typedef struct Row
{
	int			line;
	int			ncells;
	PjCell		cells[MAX_CELLS];
	char		labels[MAX_CELLS][LABEL_MAX];	/* each cell as a label, see label() */
	unsigned int labelled;		/* which labels are made (lab_at makes them when asked) */
	const char *raw;
	size_t		raw_len;
	int			unclosed_line;	/* line of a cell's quote read as text, 0 if none */
} Row;

typedef enum Section
{
	SEC_NONE,
	SEC_HEADER,
	SEC_FUNDS,
	SEC_GOALS,
	SEC_INDICATORS,
	SEC_TAIL
} Section;

enum
{
	FC_INITIAL, FC_BUDGET, FC_EXECUTED, FC_WEIGHT, FC_RATE, FC_SCORE, FC_N
};
enum
{
	IC_L1, IC_L2, IC_L3, IC_TARGET, IC_ACTUAL, IC_WEIGHT, IC_SCORE, IC_EXPLAIN, IC_N
};

typedef struct Reader
{
	const char *doc;
	size_t		len,
				pos;
	int			line;
	char	   *scratch;
	size_t		used,
				cap;
	bool		overflow;		/* scratch was too small: the form must be read again */
	bool		stopped;		/* the row that begins the next form was reached */
	const PjFormSink *sink;
	PjFormError *err;

	int			form;			/* forms begun so far */
	Row			form_row;		/* the row that began it, for errors */
	bool		in_form,
				has_name,
				has_year,
				has_total;		/* a 总分 (or 合计) row was read */
	PjCell		title_year;		/* 2022 of 2022年度项目支出绩效自评表 or a (2022年度) line under it */
	int			stray_line;		/* the first line of text before the first form, 0 if none */
	const char *stray_raw;
	size_t		stray_len;
	PjCell		unit[2];		/* 实施单位, 一级预算单位 as written */
	bool		unit_resolved;	/* 本单位 in one taken from the other */
	int			last_line;		/* the last line of the form's rows so far */
	Section		section;
	int			fund_col[FC_N];
	int			goal_col[2];
	bool		goal_pending;
	bool		goal_by_label;	/* goal_col from 预期目标/实际完成情况 labels */
	int			ind_col[IC_N];
	int			ind_upper[IC_N];	/* columns an upper header row gave (年度指标值 over 指标性质, 指标值, 度量单位) */
	int			ind_op_col,		/* 指标性质 and 度量单位: the target written in three cells, -1 if not */
				ind_unit_col;
	PjCell		last_l1,
				last_l2,
				last_l1_weight;
	bool		l1_inferred;	/* last_l1 was not written but inferred */
	int			position;
	bool		notes_open;		/* inside the 备注 block */
	int			nnotes;
	PjCell		notes[MAX_NOTES];	/* its cells, joined at the end of the form */
	bool		notes_line[MAX_NOTES];	/* the cell begins a new line */
} Reader;

static const PjCell empty_cell = {"", 0};

/* ------------------------------------------------------------- tokenizer */

static void
push(Reader *r, char c)
{
	if (r->used < r->cap)
		r->scratch[r->used++] = c;
	else
		r->overflow = true;
}

/*
 * The bytes of the white space or invisible character at s (at most len
 * bytes), 0 if there is none: ASCII white space; U+00A0 no-break space and
 * U+00AD soft hyphen; U+061C and U+200E/U+200F and U+202A-U+202E and
 * U+2066-U+2069 bidi marks; U+180E; U+2000-U+200D spaces and zero widths;
 * U+2028/U+2029; U+202F, U+205F, U+3000 spaces; U+2060-U+2064 word joiner
 * and invisible operators, U+206A-U+206F; U+2800 blank braille; U+3164 and
 * U+FFA0 Hangul fillers; U+FEFF (a byte-order mark, or a zero-width
 * no-break space pasted from a word processor).  The one list of what
 * counts as nothing in a cell or a label.
 */
static size_t
invisible(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *) str;

	if (len == 0)
		return 0;
	switch (s[0])
	{
		case ' ':
		case '\t':
		case '\n':
		case '\r':
		case '\v':
		case '\f':
			return 1;
		case 0xC2:
			return len >= 2 && (s[1] == 0xA0 || s[1] == 0xAD) ? 2 : 0;
		case 0xD8:
			return len >= 2 && s[1] == 0x9C ? 2 : 0;
		case 0xE1:
			return len >= 3 && s[1] == 0xA0 && s[2] == 0x8E ? 3 : 0;
		case 0xE2:
			if (len < 3)
				return 0;
			if (s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8F) || (s[2] >= 0xA8 && s[2] <= 0xAF)))
				return 3;
			if (s[1] == 0x81 && s[2] >= 0x9F && s[2] <= 0xAF)
				return 3;
			return s[1] == 0xA0 && s[2] == 0x80 ? 3 : 0;
		case 0xE3:
			return len >= 3 && ((s[1] == 0x80 && s[2] == 0x80) || (s[1] == 0x85 && s[2] == 0xA4)) ? 3 : 0;
		case 0xEF:
			return len >= 3 && ((s[1] == 0xBB && s[2] == 0xBF) || (s[1] == 0xBE && s[2] == 0xA0)) ? 3 : 0;
		default:
			return 0;
	}
}

/* The bytes of the invisible character that ends s[0..len), 0 if none. */
static size_t
invisible_at_end(const char *s, size_t len)
{
	size_t		w;

	for (w = 3; w >= 1; w--)
		if (len >= w && invisible(s + len - w, w) == w)
			return w;
	return 0;
}

/* A cell without white space and invisible characters at either end. */
static PjCell
trim(PjCell c)
{
	size_t		w;

	while ((w = invisible(c.s, c.len)) > 0)
	{
		c.s += w;
		c.len -= w;
	}
	while ((w = invisible_at_end(c.s, c.len)) > 0)
		c.len -= w;
	return c;
}

static size_t label(PjCell c, char *out);
static void emit_field(Reader *r, PjFormField f, PjCell v);

/*
 * Cell i of a row as a label, made the first time it is asked for: most
 * cells of most rows (the data) are never compared with a label.  The row
 * is the reader's own, so the cache may be filled in through a const view.
 */
static const char *
lab_at(const Row *row, int i)
{
	Row		   *w = (Row *) row;

	if (!(w->labelled & (1u << i)))
	{
		label(w->cells[i], w->labels[i]);
		w->labelled |= 1u << i;
	}
	return w->labels[i];
}

static bool opens_template_row(const char *s, size_t len);

/* The bytes of the line end at doc[p] (LF, CRLF or a lone CR), 0 if none. */
static size_t
line_end(const char *doc, size_t len, size_t p)
{
	if (p >= len)
		return 0;
	if (doc[p] == '\n')
		return 1;
	if (doc[p] == '\r')
		return p + 1 < len && doc[p + 1] == '\n' ? 2 : 1;
	return 0;
}

static bool
ends_cell(const Reader *r, size_t p)
{
	return p >= r->len || r->doc[p] == '\t' || r->doc[p] == '\n' || r->doc[p] == '\r';
}

/*
 * Does the quote at doc[open], the first character of a cell, open a quoted
 * cell?  A spreadsheet doubles every quote inside one and closes it with a
 * quote that ends the cell (a tab, a line end or the end of the document
 * follows it).  On the cell's first line a lone quote closes it too ("a"b
 * reads ab).  Past a line end the cell goes on only as a spreadsheet's
 * multi-line cell does: a lone quote, the end of the document, a line that
 * begins with one of the template's labels (a title, a header, a section,
 * 总分, 备注), or more than MAX_QUOTED_TABS tabs in all (the cells of the
 * table's rows) before the closing quote say that the quote opens
 * nothing.  It is then text (“"培训人次” copied from a PDF), and the rest of
 * the document is read as rows.  Every quote but "" stops the look-ahead,
 * so it reads the document's bytes a bounded number of times in all.
 */
static bool
quote_opens(Reader *r, size_t open)
{
	size_t		p = open + 1,
				n;
	bool		crossed = false;
	int			tabs = 0;

	while (p < r->len)
	{
		if (r->doc[p] == '\t' && ++tabs > MAX_QUOTED_TABS && crossed)
			return false;
		if (r->doc[p] == '"')
		{
			if (p + 1 < r->len && r->doc[p + 1] == '"')
			{
				p += 2;
				continue;
			}
			return ends_cell(r, p + 1) || !crossed;
		}
		if ((n = line_end(r->doc, r->len, p)) > 0)
		{
			p += n;
			crossed = true;
			if (tabs > MAX_QUOTED_TABS)
				return false;
			if (r->sink->tick)
				r->sink->tick(r->sink->ctx);
			if (opens_template_row(r->doc + p, r->len - p))
				return false;
			continue;
		}
		p++;
	}
	return false;
}

/* Reads the next row; false at the end of the document. */
static bool
read_row(Reader *r, Row *row)
{
	if (r->pos >= r->len)
		return false;
	row->line = r->line;
	row->ncells = 0;
	row->raw = r->doc + r->pos;
	row->unclosed_line = 0;
	for (;;)
	{
		size_t		start = r->used,
					n;
		PjCell		c;
		bool		quoted = r->pos < r->len && r->doc[r->pos] == '"';
		bool		end_of_row = false;

		if (quoted && !quote_opens(r, r->pos))
		{
			quoted = false;		/* text, its quote dropped as a stray one (below) */
			if (row->unclosed_line == 0)
				row->unclosed_line = r->line;
		}
		if (quoted)
		{
			r->pos++;
			while (r->pos < r->len)
			{
				char		ch = r->doc[r->pos];

				if (ch == '"' && r->pos + 1 < r->len && r->doc[r->pos + 1] == '"')
				{
					push(r, '"');
					r->pos += 2;
				}
				else if (ch == '"')
				{
					r->pos++;
					break;
				}
				else
				{
					if (line_end(r->doc, r->len, r->pos) == 1)	/* LF, or CR alone; CRLF at its LF */
						r->line++;
					push(r, ch);
					r->pos++;
				}
			}
		}
		/* the unquoted part (or what follows a closing quote) */
		while (r->pos < r->len && r->doc[r->pos] != '\t' && r->doc[r->pos] != '\n' &&
			   r->doc[r->pos] != '\r')
			push(r, r->doc[r->pos++]);
		if (r->pos >= r->len)
			end_of_row = true;
		else if ((n = line_end(r->doc, r->len, r->pos)) > 0)
		{
			end_of_row = true;
			r->line++;
			r->pos += n;
		}
		else
			r->pos++;			/* the tab */
		c.s = r->scratch + start;
		c.len = r->used - start;
		c = trim(c);
		/* a stray quote left by a broken copy: 99%以上" */
		if (!quoted && c.len > 0 && c.s[c.len - 1] == '"')
			c = trim((PjCell) {c.s, c.len - 1});
		if (!quoted && c.len > 0 && c.s[0] == '"')
			c = trim((PjCell) {c.s + 1, c.len - 1});
		if (row->ncells < MAX_CELLS)
			row->cells[row->ncells++] = c;
		if (end_of_row)
			break;
	}
	row->raw_len = (size_t) (r->doc + r->pos - row->raw);
	/* extra empty cells at the end mean nothing */
	while (row->ncells > 0 && row->cells[row->ncells - 1].len == 0)
		row->ncells--;
	row->labelled = 0;
	return true;
}

/* --------------------------------------------------------------- labels */

/*
 * A label for comparison: spaces, '*', colons dropped, full-width brackets
 * folded, so 项目资金 (元), 项目资金（元）, * 实际完成值 all match.
 */
static size_t
label(PjCell c, char *out)
{
	const unsigned char *s = (const unsigned char *) c.s;
	size_t		i = 0,
				o = 0;

	/*
	 * Byte by byte, looking further only at the lead bytes of the few
	 * characters that matter (every cell of every row goes through here).
	 */
	while (i < c.len && o + 4 < LABEL_MAX)
	{
		unsigned char b = s[i];
		size_t		rest = c.len - i,
					w;

		if (b == '*' || b == ':')
		{
			i++;
			continue;
		}
		if ((b <= ' ' || b >= 0xC2) && (w = invisible(c.s + i, rest)) > 0)
		{
			i += w;
			continue;
		}
		if (b == 0xEF && rest >= 3 && s[i + 1] == 0xBC)
		{
			unsigned char t = s[i + 2];

			if (t == 0x9A || t == 0x8A)	/* ： ＊ */
			{
				i += 3;
				continue;
			}
			if (t == 0x88 || t == 0x89)	/* （ ） */
			{
				out[o++] = t == 0x88 ? '(' : ')';
				i += 3;
				continue;
			}
		}
		out[o++] = (char) b;
		i++;
	}
	out[o] = '\0';
	return o;
}

static bool
cell_is(PjCell c, const char *word)
{
	char		buf[LABEL_MAX];

	label(c, buf);
	return strcmp(buf, word) == 0;
}

static bool
cell_has(PjCell c, const char *word)
{
	char		buf[LABEL_MAX];

	label(c, buf);
	return strstr(buf, word) != NULL;
}

static int
find_cell(const Row *row, const char *word, bool exact)
{
	int			i;

	for (i = 0; i < row->ncells; i++)
		if (exact ? strcmp(lab_at(row, i), word) == 0 : strstr(lab_at(row, i), word) != NULL)
			return i;
	return -1;
}

/*
 * Only decoration around a template's label: numbering (一、 1. (二)), a
 * year (2022年度).  Labels have their brackets folded to ASCII by label().
 */
static bool
is_decoration(const char *s, size_t len)
{
	static const char *const marks[] = {"、", "．", "一", "二", "三", "四", "五", "六", "七",
	"八", "九", "十", "年", "度", "第"};
	size_t		i = 0,
				k;

	while (i < len)
	{
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '(' || s[i] == ')')
		{
			i++;
			continue;
		}
		for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
			if (len - i >= 3 && memcmp(s + i, marks[k], 3) == 0)
				break;
		if (k == sizeof(marks) / sizeof(marks[0]))
			return false;
		i += 3;
	}
	return true;
}

/*
 * Is this label the template's label word, and not free text that happens
 * to contain it (完成资金使用情况检查, 全年预算数调整)?  Numbering or a year
 * may come before it, decoration or one bracketed remark after it:
 * 一、资金使用情况, 2022年度项目支出绩效自评表, 全年预算数（元）.
 */
static bool
is_marker(const char *lab, const char *word)
{
	const char *p = strstr(lab, word);
	const char *after;
	size_t		n;

	if (p == NULL || !is_decoration(lab, (size_t) (p - lab)))
		return false;
	after = p + strlen(word);
	n = strlen(after);
	if (is_decoration(after, n))
		return true;
	return n <= 48 && after[0] == '(' && after[n - 1] == ')';
}

/* The first cell at or after from that is the label word; -1 if none. */
static int
find_marker(const Row *row, const char *word, int from)
{
	int			i;

	for (i = from < 0 ? 0 : from; i < row->ncells; i++)
		if (is_marker(lab_at(row, i), word))
			return i;
	return -1;
}

static PjCell
cell_at(const Row *row, int col)
{
	return col >= 0 && col < row->ncells ? row->cells[col] : empty_cell;
}

static int
first_filled(const Row *row)
{
	int			i;

	for (i = 0; i < row->ncells; i++)
		if (row->cells[i].len > 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------- errors */

static bool
fail(Reader *r, const Row *row, const char *expected)
{
	size_t		i,
				o = 0;
	bool		cut = false;

	r->err->form = r->form > 0 ? r->form : 1;
	r->err->line = row->line;
	for (i = 0; i < row->raw_len; i++)
	{
		char		ch = row->raw[i];

		if (ch == '\n' || ch == '\r')
			break;
		if (o + 8 >= sizeof(r->err->text))
		{
			cut = true;
			break;
		}
		if (ch == '\t')
		{
			memcpy(r->err->text + o, " | ", 3);
			o += 3;
		}
		else
			r->err->text[o++] = ch;
	}
	if (cut)
	{
		/* never cut a UTF-8 character in half; say that the line goes on */
		while (o > 0 && ((unsigned char) r->err->text[o - 1] & 0xC0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char) r->err->text[o - 1] & 0xC0) == 0xC0)
			o--;
		memcpy(r->err->text + o, "…", 3);
		o += 3;
	}
	r->err->text[o] = '\0';
	snprintf(r->err->expected, sizeof(r->err->expected), "%s", expected);
	return false;
}

/* ---------------------------------------------------------------- numbers */

static bool
is_placeholder(PjCell c)
{
	return iv_is_placeholder(c.s, c.len);
}

/*
 * A number as written in an amount, weight or score cell, rewritten plainly
 * into scratch: full-width digits, thousands separators and a trailing %
 * (执行率) are accepted.  A placeholder is the empty cell.  false: not a number.
 */
static bool
clean_number(Reader *r, PjCell c, bool percent_ok, PjCell *out)
{
	size_t		i = 0,
				start = r->used;
	int			digits = 0;
	bool		point = false;

	*out = empty_cell;
	if (is_placeholder(c))
		return true;
	if (c.s[0] == '-' || c.s[0] == '+')
	{
		if (c.s[0] == '-')
			push(r, '-');
		i++;
	}
	for (; i < c.len; i++)
	{
		unsigned char ch = (unsigned char) c.s[i];

		if (ch >= '0' && ch <= '9')
		{
			push(r, (char) ch);
			digits++;
		}
		else if (ch == 0xEF && i + 2 < c.len && (unsigned char) c.s[i + 1] == 0xBC &&
				 (unsigned char) c.s[i + 2] >= 0x90 && (unsigned char) c.s[i + 2] <= 0x99)
		{
			push(r, (char) ('0' + (unsigned char) c.s[i + 2] - 0x90));	/* ０-９ */
			digits++;
			i += 2;
		}
		else if (ch == '.' && !point && digits > 0)
		{
			push(r, '.');
			point = true;
		}
		else if (ch == ',' && digits > 0 && !point)
			continue;
		else if (ch == ' ')
			continue;
		else if (percent_ok && ch == '%' && i == c.len - 1)
			continue;
		else if (percent_ok && c.len - i == 3 && memcmp(c.s + i, "％", 3) == 0)
			break;				/* a full-width percent sign, last */
		else
		{
			r->used = start;
			return false;
		}
	}
	if (digits == 0 || r->scratch[r->used - 1] == '.')
	{
		r->used = start;
		return false;
	}
	out->s = r->scratch + start;
	out->len = r->used - start;
	return true;
}

/* ------------------------------------------------------------------ forms */

/*
 * The 备注 block's cells joined: cells of one row by a space, rows by a line
 * break.  Written after everything else in scratch; the cells came from
 * distinct parts of the document, so this never needs more than the bytes
 * they took there (see pj_form_scratch_size).
 */
static bool
join_notes(Reader *r, PjCell *out)
{
	size_t		start = r->used;
	int			i;

	if (r->nnotes == 0)
		return false;
	if (r->nnotes == 1)
	{
		*out = r->notes[0];
		return true;
	}
	for (i = 0; i < r->nnotes; i++)
	{
		if (i > 0)
			push(r, r->notes_line[i] ? '\n' : ' ');
		if (r->notes[i].len > r->cap - r->used)
		{
			r->overflow = true;
			return false;
		}
		memcpy(r->scratch + r->used, r->notes[i].s, r->notes[i].len);
		r->used += r->notes[i].len;
	}
	*out = (PjCell) {r->scratch + start, r->used - start};
	return true;
}

static void
emit_notes(Reader *r)
{
	PjCell		notes;

	if (join_notes(r, &notes))
		emit_field(r, PJ_FIELD_NOTES, notes);
}

/* The form's end; never when scratch ran short (the form is read again). */
static void
end_form(Reader *r)
{
	if (r->in_form)
		emit_notes(r);
	if (r->in_form && !r->overflow && !r->has_total && r->sink->finding)
		r->sink->finding(r->sink->ctx, r->last_line, PJ_FINDING_NO_TOTAL_ROW, empty_cell);
	if (r->in_form && !r->overflow && r->sink->end)
		r->sink->end(r->sink->ctx);
	r->in_form = false;
}

/*
 * The year a title line gives: 2022 of 2022年度项目支出绩效自评表,
 * 部门预算项目支出绩效自评表(2023年度) or a line (2022年度) under the title;
 * empty if none.  Four ASCII digits, not part of a longer number, then 年.
 */
static PjCell
year_of(PjCell c)
{
	size_t		i;

	for (i = 0; i + 7 <= c.len; i++)
		if ((i == 0 || c.s[i - 1] < '0' || c.s[i - 1] > '9') &&
			c.s[i] >= '1' && c.s[i] <= '2' && c.s[i + 1] >= '0' && c.s[i + 1] <= '9' &&
			c.s[i + 2] >= '0' && c.s[i + 2] <= '9' && c.s[i + 3] >= '0' && c.s[i + 3] <= '9' &&
			memcmp(c.s + i + 4, "年", 3) == 0)
			return (PjCell) {c.s + i, 4};
	return empty_cell;
}

static PjCell
title_year(const Row *row)
{
	int			first = first_filled(row);

	return first < 0 ? empty_cell : year_of(row->cells[first]);
}

static void
begin_form(Reader *r, const Row *row)
{
	int			i;

	end_form(r);
	r->form++;
	r->form_row = *row;
	r->in_form = true;
	r->has_name = r->has_year = r->has_total = false;
	r->title_year = title_year(row);
	r->unit[0] = r->unit[1] = empty_cell;
	r->unit_resolved = false;
	r->last_line = row->line;
	r->section = SEC_HEADER;
	r->goal_pending = false;
	r->goal_by_label = true;
	r->notes_open = false;
	r->nnotes = 0;
	r->position = 0;
	r->last_l1 = r->last_l2 = r->last_l1_weight = empty_cell;
	r->l1_inferred = false;
	/* the template's own columns until a header row says otherwise */
	for (i = 0; i < FC_N; i++)
		r->fund_col[i] = 2 + i;
	r->goal_col[0] = 1;
	r->goal_col[1] = 5;
	for (i = 0; i < IC_N; i++)
	{
		r->ind_col[i] = 1 + i;
		r->ind_upper[i] = -1;
	}
	r->ind_op_col = r->ind_unit_col = -1;
	if (r->sink->begin)
		r->sink->begin(r->sink->ctx, r->form, row->line);
}

static void
emit_field(Reader *r, PjFormField f, PjCell v)
{
	if (r->sink->field)
		r->sink->field(r->sink->ctx, f, v);
}

/* A form must say at least what project and which year it evaluates. */
static bool
check_form_complete(Reader *r, const Row *at)
{
	if (!r->in_form)
		return true;
	(void) at;
	if (!r->has_name)
		return fail(r, &r->form_row, "a header row with 项目名称 (项目编号, 项目名称, 绩效自评年度) in the form this line begins");
	if (!r->has_year && r->title_year.len > 0)
	{
		/* no 绩效自评年度 cell: the year its title gives (四川, 云南, 安徽 templates) */
		emit_field(r, PJ_FIELD_YEAR, r->title_year);
		r->has_year = true;
	}
	if (!r->has_year)
		return fail(r, &r->form_row, "绩效自评年度 in the header of the form this line begins");
	/* 本单位 (this unit) that the other cell does not name (read_header_row) */
	if (!r->unit_resolved && (cell_is(r->unit[0], "本单位") || cell_is(r->unit[1], "本单位")))
		return fail(r, &r->form_row, "a unit's name under 实施单位 or 一级预算单位 in the form this line "
					"begins (本单位, this unit, names none: write the unit's name)");
	return true;
}

/*
 * The row that begins a form: it ends the form read so far, if any, and
 * the reading stops there (the next call begins the next form with it).
 */
static bool
start_form(Reader *r, const Row *row)
{
	if (!check_form_complete(r, row))
		return false;
	if (r->in_form)
	{
		end_form(r);
		r->stopped = true;
		return true;
	}
	begin_form(r, row);
	return true;
}

static const struct
{
	const char *label;
	PjFormField field;
}			header_labels[] = {
	{"项目编号", PJ_FIELD_PROJECT_CODE},
	{"项目代码", PJ_FIELD_PROJECT_CODE},
	{"项目名称", PJ_FIELD_PROJECT_NAME},
	{"绩效自评年度", PJ_FIELD_YEAR},
	{"自评年度", PJ_FIELD_YEAR},
	{"评价年度", PJ_FIELD_YEAR},
	{"实施单位", PJ_FIELD_UNIT},
	{"一级预算单位", PJ_FIELD_TOP_UNIT},
	{"主管部门", PJ_FIELD_TOP_UNIT},
};

/*
 * A raw cell that begins with a header label and a colon, the value in the
 * same cell (项目编号：4403…, 项目名称: 甲): the value after the colon.
 */
static bool
inline_value(PjCell c, const char *lab, PjCell *value)
{
	size_t		i = 0,
				k = 0,
				n = strlen(lab),
				w;

	while (k < n && i < c.len)
	{
		if ((w = invisible(c.s + i, c.len - i)) > 0)
			i += w;
		else if (c.s[i] == '*')
			i++;
		else if (c.len - i >= 3 && memcmp(c.s + i, "＊", 3) == 0)
			i += 3;
		else if (c.s[i] == lab[k])
		{
			i++;
			k++;
		}
		else
			return false;
	}
	if (k < n)
		return false;
	while ((w = invisible(c.s + i, c.len - i)) > 0)
		i += w;
	if (i < c.len && c.s[i] == ':')
		i++;
	else if (c.len - i >= 3 && memcmp(c.s + i, "：", 3) == 0)
		i += 3;
	else
		return false;
	*value = trim((PjCell) {c.s + i, c.len - i});
	return value->len > 0;
}

/*
 * The header field a cell labels, -1 if none.  *value is set (and *inline
 * true) when the value shares the label's cell.
 */
static int
header_cell(PjCell c, const char *lab, PjCell *value, bool *in_cell)
{
	size_t		i;

	*in_cell = false;
	/* every header label begins with one of these: most cells stop here */
	if (strncmp(lab, "项目", 6) != 0 && strncmp(lab, "绩效", 6) != 0 && strncmp(lab, "自评", 6) != 0 &&
		strncmp(lab, "评价", 6) != 0 && strncmp(lab, "实施", 6) != 0 && strncmp(lab, "一级", 6) != 0 &&
		strncmp(lab, "主管", 6) != 0)
		return -1;
	for (i = 0; i < sizeof(header_labels) / sizeof(header_labels[0]); i++)
	{
		size_t		n = strlen(header_labels[i].label),
					rest;

		if (strncmp(lab, header_labels[i].label, n) != 0)
			continue;
		/* the label alone, or with a remark in brackets: 实施单位 (盖章) */
		rest = strlen(lab + n);
		if (rest == 0 || (rest <= 48 && lab[n] == '(' && lab[n + rest - 1] == ')'))
			return (int) header_labels[i].field;
	}
	for (i = 0; i < sizeof(header_labels) / sizeof(header_labels[0]); i++)
		if (inline_value(c, header_labels[i].label, value))
		{
			*in_cell = true;
			return (int) header_labels[i].field;
		}
	return -1;
}

/* Does the row hold this header label, alone or with its value? */
static bool
has_header(const Row *row, PjFormField field)
{
	int			i;
	PjCell		v;
	bool		in_cell;

	for (i = 0; i < row->ncells; i++)
		if (row->cells[i].len > 0 &&
			header_cell(row->cells[i], lab_at(row, i), &v, &in_cell) == (int) field)
			return true;
	return false;
}

static bool
read_header_row(Reader *r, const Row *row)
{
	int			i;

	for (i = 0; i < row->ncells; i++)
	{
		PjCell		v = empty_cell;
		bool		in_cell;
		int			f = row->cells[i].len > 0 ?
			header_cell(row->cells[i], lab_at(row, i), &v, &in_cell) : -1;

		if (f < 0)
			continue;
		if (!in_cell && i + 1 < row->ncells)
		{
			PjCell		next_v;
			bool		next_in_cell;

			/* the value is the next cell, unless that is the next label */
			if (header_cell(row->cells[i + 1], lab_at(row, i + 1), &next_v, &next_in_cell) < 0)
				v = row->cells[++i];
		}
		if (f == PJ_FIELD_PROJECT_NAME)
		{
			if (r->has_name)
				return fail(r, row, "one 项目名称 per form (start the next form with its title 项目支出绩效自评表)");
			if (v.len == 0)
				return fail(r, row, "a project name after 项目名称");
			r->has_name = true;
		}
		if (f == PJ_FIELD_YEAR)
		{
			/* 2022, 2022年, 2022年度 */
			size_t		d = 0;

			while (d < v.len && v.s[d] >= '0' && v.s[d] <= '9')
				d++;
			if (d != 4 || (v.len > 4 && !(cell_is((PjCell) {v.s + 4, v.len - 4}, "年") ||
										  cell_is((PjCell) {v.s + 4, v.len - 4}, "年度"))))
				return fail(r, row, "a year such as 2022 after 绩效自评年度");
			v.len = 4;
			r->has_year = true;
		}
		if (f == PJ_FIELD_PROJECT_CODE && is_placeholder(v))
			v = empty_cell;
		emit_field(r, (PjFormField) f, v);
		if (f == PJ_FIELD_UNIT || f == PJ_FIELD_TOP_UNIT)
		{
			/* 本单位 (this unit) is the unit the other cell names, once both are read */
			int			k;

			r->unit[f == PJ_FIELD_TOP_UNIT] = v;
			for (k = 0; k < 2 && !r->unit_resolved; k++)
				if (cell_is(r->unit[k], "本单位") && r->unit[1 - k].len > 0 && !cell_is(r->unit[1 - k], "本单位"))
				{
					r->unit_resolved = true;
					emit_field(r, k == 0 ? PJ_FIELD_UNIT : PJ_FIELD_TOP_UNIT, r->unit[1 - k]);
					if (r->sink->finding)
						r->sink->finding(r->sink->ctx, row->line, PJ_FINDING_UNIT_THIS_UNIT, r->unit[1 - k]);
				}
		}
	}
	return true;
}

static void
map_columns(const Row *row, int *cols, const char *const (*words)[2], int n)
{
	int			k;

	for (k = 0; k < n; k++)
	{
		int			c = find_cell(row, words[k][0], false);

		if (c < 0 && words[k][1] != NULL)
			c = find_cell(row, words[k][1], false);
		cols[k] = c;
	}
}

/*
 * The fund sources' labels: a pattern is words in order, each of them one
 * of its alternatives (a|b), or none of them where it ends with ?: the
 * usual variants of the template's four sources.
 */
static const struct
{
	const char *source;
	const char *pattern;
}			fund_source_words[] = {
	{"total", "年度? 项目? 财政? 资金? 总额 合计?"},
	{"total", "合计|总计|小计"},
	{"appropriation", "当年|本年|年度? 财政 拨款|资金 资金?"},
	{"carryover", "上年? 结转 结余? 资金?"},
	{"other", "其他 资金|来源?"},
	{"other", "财政专户管理资金|单位资金"},
};

/* Does s[0..len) match the words of pattern p (see fund_source_words)? */
static bool
words_match(const char *s, size_t len, const char *p)
{
	const char *end;
	const char *alt;
	bool		optional;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return len == 0;
	end = p + strcspn(p, " ");
	optional = end[-1] == '?';
	if (optional && words_match(s, len, end))
		return true;
	for (alt = p; alt < end - optional;)
	{
		size_t		n = strcspn(alt, "| ?");

		if (alt + n > end - optional)
			n = (size_t) (end - optional - alt);
		if (n <= len && memcmp(s, alt, n) == 0 && words_match(s + n, len - n, end))
			return true;
		alt += n + 1;
	}
	return false;
}

const char *
pj_fund_source(PjCell c)
{
	char		buf[LABEL_MAX];
	size_t		n = label(c, buf),
				i;

	for (i = 0; i < sizeof(fund_source_words) / sizeof(fund_source_words[0]); i++)
		if (words_match(buf, n, fund_source_words[i].pattern))
			return fund_source_words[i].source;
	return NULL;
}

static bool
read_fund_row(Reader *r, const Row *row)
{
	PjFundRow	f;
	int			i,
				first_amount = MAX_CELLS;
	PjCell		unit = empty_cell;
	PjCell	   *amounts[3] = {&f.initial_budget, &f.budget, &f.executed};
	PjCell	   *reported[3] = {&f.weight, &f.rate, &f.score};

	memset(&f, 0, sizeof(f));
	f.line = row->line;
	for (i = 0; i < FC_N; i++)
		if (r->fund_col[i] >= 0 && r->fund_col[i] < first_amount)
			first_amount = r->fund_col[i];
	/* the source is the last label before the amounts; 项目资金（元） gives the unit */
	for (i = 0; i < row->ncells && i < first_amount; i++)
	{
		PjCell		c = row->cells[i];

		if (c.len == 0)
			continue;
		if (cell_has(c, "项目资金") || cell_has(c, "资金来源"))
		{
			if (cell_has(c, "万元"))
				unit = (PjCell) {"万元", strlen("万元")};
			else if (cell_has(c, "元"))
				unit = (PjCell) {"元", strlen("元")};
			continue;
		}
		f.source = c;
	}
	/* 其中：当年财政拨款 is 当年财政拨款 */
	{
		char		buf[LABEL_MAX];

		label(f.source, buf);
		if (strncmp(buf, "其中", 6) == 0)
		{
			size_t		skip = 6;

			while (skip < f.source.len && (f.source.s[skip] == ':' || f.source.s[skip] == ' ' ||
										   (f.source.len - skip >= 3 && memcmp(f.source.s + skip, "：", 3) == 0)))
				skip += f.source.s[skip] == ':' || f.source.s[skip] == ' ' ? 1 : 3;
			f.source = trim((PjCell) {f.source.s + skip, f.source.len - skip});
		}
	}
	if (f.source.len == 0)
		return fail(r, row, "the name of a fund source (年度资金总额, 当年财政拨款, 上年结转资金, 其他资金)");
	f.kind = pj_fund_source(f.source);
	if (unit.len > 0)
		emit_field(r, PJ_FIELD_AMOUNT_UNIT, unit);
	for (i = 0; i < 3; i++)
		if (!clean_number(r, cell_at(row, r->fund_col[i]), false, amounts[i]))
			return fail(r, row, i == 0 ? "an amount (a number) under 年初预算数" :
						i == 1 ? "an amount (a number) under 全年预算数" :
						"an amount (a number) under 全年执行数");
	for (i = 0; i < 3; i++)
		if (!clean_number(r, cell_at(row, r->fund_col[FC_WEIGHT + i]), i == 1, reported[i]))
			return fail(r, row, i == 0 ? "a number or — under 分值" :
						i == 1 ? "a number or — under 执行率" : "a number or — under 得分");
	if (r->sink->fund)
		r->sink->fund(r->sink->ctx, &f);
	return true;
}

const PjStandardLevel pj_standard_levels[] = {
	{"产出", 1, "output", "产出指标", NULL},
	{"效益", 1, "benefit", "效益指标", NULL},
	{"满意度", 1, "satisfaction", "满意度指标", NULL},
	{"成本", 1, "cost", "成本指标", NULL},
	{"数量", 2, "output", "产出指标", NULL},
	{"质量", 2, "output", "产出指标", NULL},
	{"时效", 2, "output", "产出指标", NULL},
	{"成本", 2, "output", "产出指标", NULL},
	{"经济效益", 2, "benefit", "效益指标", NULL},
	{"社会效益", 2, "benefit", "效益指标", NULL},
	{"生态效益", 2, "benefit", "效益指标", NULL},
	{"可持续影响", 2, "benefit", "效益指标", NULL},
	{"服务对象满意度", 2, "satisfaction", "满意度指标", NULL},
	{"其他满意度", 2, "satisfaction", "满意度指标", NULL},
	{"经济成本", 2, "cost", "成本指标", NULL},
	{"社会成本", 2, "cost", "成本指标", NULL},
	{"生态环境成本", 2, "cost", "成本指标", NULL},
	/* synonyms real templates use */
	{"进度", 2, "output", "产出指标", "时效"},
	{"服务对象满意度指标等", 2, "satisfaction", "满意度指标", "服务对象满意度"},
};
const int	pj_n_standard_levels = (int) (sizeof(pj_standard_levels) / sizeof(pj_standard_levels[0]));

const PjStandardLevel *
pj_standard_level(PjCell name, int level)
{
	char		buf[64];
	size_t		n;
	int			i;

	if (name.len == 0 || name.len >= sizeof(buf))
		return NULL;
	n = pj_level_name(name.s, name.len, buf);
	for (i = 0; i < pj_n_standard_levels; i++)
		if (pj_standard_levels[i].level == level && strlen(pj_standard_levels[i].name) == n &&
			memcmp(pj_standard_levels[i].name, buf, n) == 0)
			return &pj_standard_levels[i];
	return NULL;
}

/*
 * A weight as a level's name carries it: 0 to 100 written plainly, at most
 * 4 decimal places (50, 12.5; not 2022 nor 1.2.3).
 */
static bool
is_weight(PjCell w)
{
	size_t		i,
				point = w.len;
	unsigned	whole = 0;

	for (i = 0; i < w.len; i++)
		if (w.s[i] == '.' && point == w.len && i > 0 && i + 1 < w.len)
			point = i;
		else if (w.s[i] < '0' || w.s[i] > '9' || (i > point + 4))
			return false;
		else if (point == w.len && (whole = whole * 10 + (unsigned) (w.s[i] - '0')) > 100)
			return false;
	if (w.len == 0)
		return false;
	for (i = point + 1; whole == 100 && i < w.len; i++)
		if (w.s[i] != '0')
			return false;
	return true;
}

/* 产出指标 (50分), 产出指标（50分）, 产出指标50分 → name and weight */
static void
split_level1(PjCell c, PjCell *name, PjCell *weight)
{
	size_t		i,
				j;

	while (c.len > 0 && c.s[0] == '*')	/* * 效益指标: a template's mark */
		c = trim((PjCell) {c.s + 1, c.len - 1});
	*name = c;
	*weight = empty_cell;
	/* the last bracket (年度绩效目标1（40分）), else the first digit (产出指标50分) */
	for (i = c.len, j = 0; j < c.len; j++)
		if (c.s[j] == '(' || (c.len - j >= 3 && memcmp(c.s + j, "（", 3) == 0))
			i = j;
	if (i == c.len)
	{
		for (i = 0; i < c.len && !(c.s[i] >= '0' && c.s[i] <= '9'); i++)
			;
		for (j = i; j < c.len && ((c.s[j] >= '0' && c.s[j] <= '9') || c.s[j] == '.' || c.s[j] == ' '); j++)
			;
		if (i == c.len || c.len - j < 3 || memcmp(c.s + j, "分", 3) != 0)
			return;
	}
	j = i;
	while (j < c.len && !(c.s[j] >= '0' && c.s[j] <= '9'))
		j++;
	*name = trim((PjCell) {c.s, i});
	weight->s = c.s + j;
	while (j < c.len && ((c.s[j] >= '0' && c.s[j] <= '9') || c.s[j] == '.'))
		j++;
	weight->len = (size_t) (c.s + j - weight->s);
	if (!is_weight(*weight))
	{
		*name = c;				/* 产出指标2022: a name, no weight */
		*weight = empty_cell;
	}
}

void
pj_split_level(PjCell c, PjCell *name, PjCell *weight)
{
	split_level1(trim(c), name, weight);
}

/*
 * A value written in three cells (指标性质, 指标值, 度量单位) as one, in
 * scratch: the comparison before a value that begins with a digit, the unit
 * after one that ends with a digit (应保尽保 | % stays 应保尽保).  A value
 * alone is the cell itself.
 */
static bool
digit_at(PjCell c, size_t i)
{
	return c.s[i] >= '0' && c.s[i] <= '9';
}

static PjCell
joined(Reader *r, PjCell op, PjCell v, PjCell unit)
{
	size_t		start = r->used,
				i;
	bool		with_op,
				with_unit;

	if (v.len == 0)
		return v;
	with_op = op.len > 0 && digit_at(v, 0);
	with_unit = unit.len > 0 && digit_at(v, v.len - 1) && !is_placeholder(unit);
	if (!with_op && !with_unit)
		return v;
	for (i = 0; with_op && i < op.len; i++)
		push(r, op.s[i]);
	for (i = 0; i < v.len; i++)
		push(r, v.s[i]);
	for (i = 0; with_unit && i < unit.len; i++)
		push(r, unit.s[i]);
	if (r->overflow)
		return v;
	return (PjCell) {r->scratch + start, r->used - start};
}

/*
 * The central template's placeholder names of indicator lines, as a unit
 * leaves them unfilled: 指标1, 指标2：, ……, … (a label, brackets and colons
 * folded).
 */
static bool
is_unfilled_indicator(const char *lab)
{
	static const char word[] = "指标";
	const char *p = lab;

	if (strcmp(lab, "……") == 0 || strcmp(lab, "…") == 0 || strcmp(lab, "...") == 0)
		return true;
	if (strncmp(p, word, strlen(word)) != 0)
		return false;
	p += strlen(word);
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' || strcmp(p, ":") == 0 || strcmp(p, "：") == 0;
}

static bool
read_indicator_row(Reader *r, const Row *row)
{
	PjIndicatorRow ind;
	PjCell		l1 = cell_at(row, r->ind_col[IC_L1]);
	PjCell		l2 = cell_at(row, r->ind_col[IC_L2]);

	bool		l1_cell = l1.len > 0;

	memset(&ind, 0, sizeof(ind));
	ind.line = row->line;
	if (l1_cell)
	{
		PjCell		w;

		split_level1(l1, &l1, &w);
		if (l1.len > 0)
		{
			r->last_l1 = l1;
			r->l1_inferred = false;
		}
		if (w.len > 0 || l1.len > 0)
			r->last_l1_weight = w;
		r->last_l2 = empty_cell;	/* a new level 1 starts its own level 2s */
	}
	if (l2.len > 0)
		r->last_l2 = l2;
	/*
	 * No level-1 name written (none above, or only inferred ones): the level
	 * 1 the standard places this level 2 under, row by row.
	 */
	if (r->last_l1.len == 0 || r->l1_inferred)
	{
		const PjStandardLevel *std = pj_standard_level(r->last_l2, 2);

		if (std != NULL)
		{
			PjCell		name = {std->level1, strlen(std->level1)};

			/* a weight written above is another level 1's */
			if (!l1_cell && (name.len != r->last_l1.len || memcmp(name.s, r->last_l1.s, name.len) != 0))
				r->last_l1_weight = empty_cell;
			r->last_l1 = name;
			r->l1_inferred = true;
		}
	}
	ind.level1 = r->last_l1;
	ind.level1_weight = r->last_l1_weight;
	ind.level2 = r->last_l2;
	ind.level3 = cell_at(row, r->ind_col[IC_L3]);
	ind.target = cell_at(row, r->ind_col[IC_TARGET]);
	ind.actual = cell_at(row, r->ind_col[IC_ACTUAL]);
	if (r->ind_op_col >= 0 || r->ind_unit_col >= 0)
	{
		/* ≥ | 95 | % is the target ≥95%; an actual 93 is 93% */
		PjCell		op = cell_at(row, r->ind_op_col),
					unit = cell_at(row, r->ind_unit_col);

		ind.target = joined(r, op, ind.target, unit);
		ind.actual = joined(r, empty_cell, ind.actual, unit);
	}
	ind.explanation = cell_at(row, r->ind_col[IC_EXPLAIN]);
	if (!clean_number(r, cell_at(row, r->ind_col[IC_WEIGHT]), false, &ind.weight))
		return fail(r, row, "a number under 分值 (the indicator's weight)");
	if (!clean_number(r, cell_at(row, r->ind_col[IC_SCORE]), false, &ind.score))
		return fail(r, row, "a number or — under 得分");
	/*
	 * The template's own unfilled line (指标2, ……) with nothing written
	 * beside it: no indicator, as a person reads it.
	 */
	if (ind.target.len == 0 && ind.actual.len == 0 && ind.weight.len == 0 && ind.score.len == 0 &&
		ind.explanation.len == 0 && ind.level3.len > 0 && is_unfilled_indicator(lab_at(row, r->ind_col[IC_L3])))
		return true;
	if (ind.level3.len == 0)
	{
		if (ind.target.len == 0 && ind.actual.len == 0 && ind.weight.len == 0 &&
			ind.score.len == 0)
			return true;		/* only repeats a level-1 or level-2 label */
		/*
		 * A level-1 row that carries its block's weight under 分值 (产出指标 |
		 * | | | | 40, a 得分 beside it being the block's subtotal): the
		 * weight of the level 1, as 产出指标 (40分) would give it.
		 */
		if (l1_cell && r->last_l1.len > 0 && ind.target.len == 0 && ind.actual.len == 0 &&
			is_weight(ind.weight))
		{
			if (r->last_l1_weight.len == 0)
				r->last_l1_weight = ind.weight;
			return true;
		}
		return fail(r, row, "the indicator's name under 三级指标");
	}
	if (ind.level1.len == 0)
		return fail(r, row, "a 一级指标 (产出指标, 效益指标, 满意度指标), or a standard 二级指标 to infer it from, for this indicator");
	if (r->l1_inferred && r->sink->finding)
		r->sink->finding(r->sink->ctx, row->line, PJ_FINDING_LEVEL1_INFERRED, ind.level1);
	ind.position = ++r->position;
	if (r->sink->indicator)
		r->sink->indicator(r->sink->ctx, &ind);
	return true;
}

/*
 * The grades a 总分 row's last cell may hold, and the standard grade each is
 * (scoring-rules §5): the one list the reader knows them by.  A prefix such
 * as 评级： or 等级： may come first.
 */
static const struct
{
	const char *word;
	const char *grade;
}			grade_words[] = {
	{"优", "优"}, {"优秀", "优"}, {"良", "良"}, {"良好", "良"},
	{"中", "中"}, {"中等", "中"}, {"差", "差"}, {"较差", "差"},
};
static const char *const grade_prefixes[] = {"自评等级", "评价等级", "绩效等级", "等级", "评级"};

/* The standard grade a cell names (优 for 优秀, 评级：优), NULL for none. */
static const char *
grade_of(const Row *row, int i)
{
	const char *lab = lab_at(row, i);
	size_t		k;

	for (k = 0; k < sizeof(grade_prefixes) / sizeof(grade_prefixes[0]); k++)
		if (strncmp(lab, grade_prefixes[k], strlen(grade_prefixes[k])) == 0)
		{
			lab += strlen(grade_prefixes[k]);
			break;
		}
	for (k = 0; k < sizeof(grade_words) / sizeof(grade_words[0]); k++)
		if (strcmp(lab, grade_words[k].word) == 0)
			return grade_words[k].grade;
	return NULL;
}

/*
 * 总分 | … | 100 | 99.93 | 优: 分值 and 得分 under their columns, or (a row
 * whose cells a copy closed up, 总分 | 100 | 99.93 | 优) the numbers after
 * the label in order, one number being the 得分; a grade in the row's last
 * filled cell.
 */
static bool
read_totals(Reader *r, const Row *row, int at)
{
	PjCell		w,
				s;
	int			last = row->ncells - 1;
	const char *grade = last > at ? grade_of(row, last) : NULL;

	if (!clean_number(r, cell_at(row, r->ind_col[IC_WEIGHT]), false, &w) ||
		!clean_number(r, cell_at(row, r->ind_col[IC_SCORE]), false, &s))
		return fail(r, row, "numbers under 分值 and 得分 in the 总分 row");
	if (w.len == 0 && s.len == 0)
	{
		PjCell		n[2];
		int			i,
					k = 0;

		/* text there is nothing the row says, as before */
		for (i = at + 1; i < row->ncells - (grade != NULL) && k < 2; i++)
			if (clean_number(r, row->cells[i], false, &n[k]) && n[k].len > 0)
				k++;
		if (k == 2)
		{
			w = n[0];
			s = n[1];
		}
		else if (k == 1)
			s = n[0];
	}
	emit_field(r, PJ_FIELD_TOTAL_WEIGHT, w);
	emit_field(r, PJ_FIELD_TOTAL_SCORE, s);
	if (grade != NULL)
		emit_field(r, PJ_FIELD_TOTAL_GRADE, (PjCell) {grade, strlen(grade)});
	r->has_total = true;
	r->section = SEC_TAIL;
	return true;
}

static bool
add_note(Reader *r, const Row *row, PjCell c, bool new_line)
{
	if (c.len == 0)
		return true;
	if (r->nnotes >= MAX_NOTES)
		return fail(r, row, "a 备注 of at most 256 cells");
	r->notes_line[r->nnotes] = new_line;
	r->notes[r->nnotes++] = c;
	return true;
}

static int	filled_after(const Row *row, int at);

/*
 * 未完成原因分析 (the 四川 form: why the budget was not spent): the text after
 * the label and its colon in the same cell, else the next filled cell.
 */
static bool
read_reason(Reader *r, const Row *row, int at)
{
	PjCell		c = row->cells[at];
	size_t		n = strlen("未完成原因分析");

	c = trim((PjCell) {c.s + n, c.len - n});
	if (c.len >= 3 && memcmp(c.s, "：", 3) == 0)
		c = trim((PjCell) {c.s + 3, c.len - 3});
	else if (c.len >= 1 && c.s[0] == ':')
		c = trim((PjCell) {c.s + 1, c.len - 1});
	if (c.len == 0)
		c = cell_at(row, filled_after(row, at));
	emit_field(r, PJ_FIELD_EXECUTION_REASON, c);
	return true;
}

/* 备注：text in the same cell, or in the cells after it, or in the lines below */
static bool
read_notes(Reader *r, const Row *row, int at)
{
	PjCell		c = trim((PjCell) {row->cells[at].s + 6, row->cells[at].len - 6});
	int			i;

	if (c.len >= 3 && memcmp(c.s, "：", 3) == 0)
		c = trim((PjCell) {c.s + 3, c.len - 3});
	else if (c.len >= 1 && c.s[0] == ':')
		c = trim((PjCell) {c.s + 1, c.len - 1});
	r->notes_open = true;
	r->section = SEC_TAIL;
	if (!add_note(r, row, c, true))
		return false;
	for (i = at + 1; i < row->ncells; i++)
		if (!add_note(r, row, row->cells[i], r->nnotes == 0))
			return false;
	return true;
}

static bool
read_note_row(Reader *r, const Row *row)
{
	int			i;
	bool		line_start = true;

	for (i = 0; i < row->ncells; i++)
	{
		if (row->cells[i].len == 0)
			continue;
		if (!add_note(r, row, row->cells[i], line_start))
			return false;
		line_start = false;
	}
	return true;
}

/* 项目支出绩效自评表, 2022年度项目支出绩效自评表, 龙华区2022年度项目支出绩效自评表 */
static bool
is_title(const char *lab)
{
	static const char word[] = "项目支出绩效自评表";
	const char *p = strstr(lab, word);
	const char *y;

	if (p == NULL)
	{
		/*
		 * A project's own title, its year in brackets after it:
		 * 市级文物保护专项经费绩效自评表(2022年度) (安徽 六安)
		 */
		static const char own[] = "绩效自评表";

		p = strstr(lab, own);
		return p != NULL && p > lab && p[strlen(own)] == '(' && is_marker(p, own) &&
			year_of((PjCell) {p, strlen(p)}).len > 0;
	}
	if (is_marker(lab, word))
		return true;
	/* 部门预算项目支出绩效自评表(2023年度), 四川's 510000_0013zp */
	if (p - lab == (ptrdiff_t) strlen("部门预算") && strncmp(lab, "部门预算", strlen("部门预算")) == 0)
		return is_marker(p, word);
	/* a place before the year: the prefix ends with 2022年 or 2022年度 */
	y = p;
	if (y - lab >= 3 && memcmp(y - 3, "度", 3) == 0)
		y -= 3;
	if (y - lab < 7 || memcmp(y - 3, "年", 3) != 0)
		return false;
	y -= 3;
	return y[-1] >= '0' && y[-1] <= '9' && y[-2] >= '0' && y[-2] <= '9' &&
		y[-3] >= '0' && y[-3] <= '9' && y[-4] >= '0' && y[-4] <= '9' &&
		is_marker(p, word);
}

static bool
starts_with(const char *lab, const char *word)
{
	return strncmp(lab, word, strlen(word)) == 0;
}

/*
 * Does the line at s begin (in its first filled cell) with one of the
 * labels that head the template's rows: a title, a header label, a
 * section, 总分 or 合计, 备注, the template's footnote?  A quoted cell that
 * would run into such a line was never quoted (see quote_opens).
 */
static bool
opens_template_row(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len && s[i] != '\n' && s[i] != '\r')
	{
		size_t		start = i;
		PjCell		c;
		char		lab[LABEL_MAX];
		PjCell		v;
		bool		in_cell;

		while (i < len && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			i++;
		c = trim((PjCell) {s + start, i - start});
		if (i < len && s[i] == '\t')
			i++;
		if (c.len == 0)
			continue;
		label(c, lab);
		return is_title(lab) || header_cell(c, lab, &v, &in_cell) >= 0 ||
			is_marker(lab, "资金使用情况") || is_marker(lab, "预算执行情况") || is_marker(lab, "项目目标完成情况") ||
			is_marker(lab, "年度总体目标") || is_marker(lab, "年度绩效指标") ||
			strcmp(lab, "总分") == 0 || strcmp(lab, "合计") == 0 || starts_with(lab, "备注") ||
			starts_with(lab, "未完成原因分析") ||
			starts_with(lab, "作为导入模板") || starts_with(lab, "作为导出模板");
	}
	return false;
}

static int
filled_after(const Row *row, int at)
{
	int			i;

	for (i = at + 1; i < row->ncells; i++)
		if (row->cells[i].len > 0)
			return i;
	return -1;
}

/* Each column's label, and the other one real templates write for it */
static const char *const fund_words[FC_N][2] = {
	{"年初预算数", "年初预算"}, {"全年预算数", "调整后预算数"}, {"全年执行数", "预算执行数"},
	{"分值", "权重"}, {"执行率", NULL}, {"得分", NULL}
};
static const char *const ind_words[IC_N][2] = {
	{"一级指标", NULL}, {"二级指标", NULL}, {"三级指标", NULL}, {"指标值", NULL},
	{"实际完成值", "完成值"}, {"分值", "权重"}, {"得分", NULL}, {"偏差", NULL}
};

/*
 * One row of an open (or not yet open) form.  The sections come in the
 * template's order, and a section's label is looked for only until that
 * section has begun: further down the same words are free text (an
 * indicator may well be called 资金使用情况).  Labels are matched whole, with
 * numbering or a bracketed remark at most (see is_marker), never inside a
 * longer text.
 */
static bool
read_row_in_form(Reader *r, const Row *row)
{
	int			first = first_filled(row);
	const char *lab;
	int			at,
				f0;
	bool		label_col;

	if (first < 0)
		return true;			/* blank lines mean nothing, even inside tables */
	lab = lab_at(row, first);

	/* a title starts a form; so does a header when none is open */
	if (is_title(lab))
		return start_form(r, row);
	/*
	 * A header row begins with a header label; one that begins with 项目名称
	 * or 项目编号 may begin a form.  Only the first cell counts: a goal or an
	 * indicator may well mention 项目名称 further along.
	 */
	{
		PjCell		v;
		bool		in_cell;

		f0 = header_cell(row->cells[first], lab, &v, &in_cell);
	}
	if (f0 == PJ_FIELD_PROJECT_NAME || f0 == PJ_FIELD_PROJECT_CODE)
	{
		bool		name_here = has_header(row, PJ_FIELD_PROJECT_NAME);

		if (!r->in_form || r->section > SEC_HEADER || (r->has_name && name_here))
		{
			if (!start_form(r, row))
				return false;
			if (r->stopped)
				return true;
		}
		return read_header_row(r, row);
	}
	/* the template's own footnote, at the end of each form */
	if (starts_with(lab, "作为导入模板") || starts_with(lab, "作为导出模板"))
		return true;
	if (!r->in_form)
	{
		/*
		 * Text above the first form (附件1, 报表编号:510000_0013zp): not the
		 * form's.  A document that never begins a form is refused on it.
		 */
		if (r->form == 0 && r->stray_line == 0)
		{
			r->stray_line = row->line;
			r->stray_raw = row->raw;
			r->stray_len = row->raw_len;
		}
		return true;
	}
	if (r->section == SEC_HEADER && f0 >= 0)
		return read_header_row(r, row);
	/* the year on a line of its own under the title: (2022年度) */
	if (r->section == SEC_HEADER && r->title_year.len == 0 && filled_after(row, first) < 0 &&
		is_decoration(lab, strlen(lab)) && year_of(row->cells[first]).len > 0)
	{
		r->title_year = year_of(row->cells[first]);
		return true;
	}

	if (r->section <= SEC_FUNDS &&
		(find_marker(row, fund_words[FC_BUDGET][0], 0) >= 0 || find_marker(row, fund_words[FC_EXECUTED][0], 0) >= 0 ||
		 find_marker(row, fund_words[FC_BUDGET][1], 0) >= 0 || find_marker(row, fund_words[FC_EXECUTED][1], 0) >= 0))
	{
		int			k;

		r->section = SEC_FUNDS;
		map_columns(row, r->fund_col, fund_words, FC_N);
		if (r->fund_col[FC_BUDGET] < 0 || r->fund_col[FC_EXECUTED] < 0)
			return fail(r, row, "both 全年预算数 and 全年执行数 in the funds header");
		/* 项目资金（万元）, 年度预算数(万元) heading the header row (a merged cell) */
		for (k = 0; k < r->fund_col[FC_BUDGET] && k < row->ncells; k++)
			if (cell_has(row->cells[k], "资金") || cell_has(row->cells[k], "预算数"))
			{
				if (cell_has(row->cells[k], "万元"))
					emit_field(r, PJ_FIELD_AMOUNT_UNIT, (PjCell) {"万元", strlen("万元")});
				else if (cell_has(row->cells[k], "(元)"))
					emit_field(r, PJ_FIELD_AMOUNT_UNIT, (PjCell) {"元", strlen("元")});
			}
		return true;
	}
	if (r->section < SEC_FUNDS && ((at = find_marker(row, "资金使用情况", 0)) >= 0 ||
									(at = find_marker(row, "预算执行情况", 0)) >= 0))
	{
		PjCell		name,
					w;

		/* 预算执行情况（20分）: the funds weighted as a block */
		split_level1(row->cells[at], &name, &w);
		if (w.len > 0)
			emit_field(r, PJ_FIELD_FUND_WEIGHT, w);
		r->section = SEC_FUNDS;
		if (filled_after(row, at) < 0)
			return true;
		/* else a merged cell beside the first fund row: read the row */
	}
	if (r->section < SEC_GOALS && (at = find_marker(row, "项目目标完成情况", 0)) >= 0)
	{
		r->section = SEC_GOALS;
		if (filled_after(row, at) < 0)
			return true;
	}
	if (r->section <= SEC_GOALS && !r->goal_pending && (at = find_marker(row, "年度总体目标", 0)) >= 0)
	{
		int			e = find_marker(row, "预期目标", at + 1),
					a = find_marker(row, "实际完成情况", at + 1);

		r->section = SEC_GOALS;
		if (e >= 0 || a >= 0)
		{
			/* a header: the texts are in the row below, in these columns */
			r->goal_col[0] = e >= 0 ? e : at + 1;
			r->goal_col[1] = a >= 0 ? a : filled_after(row, e);
			r->goal_by_label = true;
			r->goal_pending = true;
			return true;
		}
		e = filled_after(row, at);
		if (e < 0)
		{
			/* no labels and no texts: the texts are the row below's */
			r->goal_col[0] = at;
			r->goal_by_label = false;
			r->goal_pending = true;
			return true;
		}
		/* 年度总体目标 | expected | actual on one row */
		a = filled_after(row, e);
		emit_field(r, PJ_FIELD_GOAL_EXPECTED, row->cells[e]);
		emit_field(r, PJ_FIELD_GOAL_ACTUAL, cell_at(row, a));
		return true;
	}
	/*
	 * An indicator header in two rows: 年度指标值 (over 指标性质, 指标值,
	 * 度量单位), 实际完成值, 分值, 得分 above, the level labels below.  The
	 * columns of the upper row serve where the lower one has none.
	 */
	if (r->section < SEC_INDICATORS && find_marker(row, "一级指标", 0) < 0 &&
		find_marker(row, "实际完成值", 0) >= 0 && find_marker(row, "得分", 0) >= 0)
	{
		map_columns(row, r->ind_upper, ind_words, IC_N);
		r->goal_pending = false;
		return true;
	}
	/* the indicator header; inside the table only a repeated one (a page
	 * break in a copied PDF), which begins with its own label */
	if ((r->section < SEC_INDICATORS ||
		 (r->section == SEC_INDICATORS && (is_marker(lab, "年度绩效指标") || is_marker(lab, "一级指标")))) &&
		find_marker(row, "一级指标", 0) >= 0 && find_marker(row, "三级指标", 0) >= 0)
	{
		int			k;

		r->section = SEC_INDICATORS;
		r->goal_pending = false;
		map_columns(row, r->ind_col, ind_words, IC_N);
		for (k = 0; k < IC_N; k++)
			if (r->ind_col[k] < 0)
				r->ind_col[k] = r->ind_upper[k];
		/* the target as 指标性质 (≥), 指标值 (95), 度量单位 (%) */
		r->ind_op_col = find_marker(row, "指标性质", 0);
		r->ind_unit_col = find_marker(row, "度量单位", 0);
		if (r->ind_unit_col < 0)
			r->ind_unit_col = find_marker(row, "计量单位", 0);
		/* a template that weights blocks has no 分值 column */
		for (k = 0; k < IC_EXPLAIN; k++)
			if (r->ind_col[k] < 0 && k != IC_WEIGHT)
				return fail(r, row, "the indicator header: 一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分");
		return true;
	}
	if (r->section < SEC_INDICATORS && (at = find_marker(row, "年度绩效指标", 0)) >= 0)
	{
		r->section = SEC_INDICATORS;
		r->goal_pending = false;
		if (filled_after(row, at) >= 0)
			return fail(r, row, "the indicator header: 一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分");
		return true;
	}
	/*
	 * 总分 and 备注 head their rows on the left; inside the indicator table a
	 * cell under 二级指标 or 三级指标 that says 总分 is an indicator's name.
	 */
	label_col = r->section == SEC_INDICATORS ? first <= r->ind_col[IC_L1] : true;
	if (label_col && (strcmp(lab, "总分") == 0 ||
					  (r->section >= SEC_GOALS && strcmp(lab, "合计") == 0)))
	{
		r->notes_open = false;
		return read_totals(r, row, first);
	}
	if (label_col && row->cells[first].len >= 6 && memcmp(row->cells[first].s, "备注", 6) == 0 &&
		!r->notes_open)
		return read_notes(r, row, first);
	if (label_col && !r->notes_open && starts_with(lab, "未完成原因分析"))
		return read_reason(r, row, first);

	switch (r->section)
	{
		case SEC_FUNDS:
			return read_fund_row(r, row);
		case SEC_GOALS:
			if (r->goal_pending)
			{
				if (r->goal_by_label)
				{
					emit_field(r, PJ_FIELD_GOAL_EXPECTED, cell_at(row, r->goal_col[0]));
					emit_field(r, PJ_FIELD_GOAL_ACTUAL, cell_at(row, r->goal_col[1]));
				}
				else
				{
					at = filled_after(row, r->goal_col[0] - 1);
					emit_field(r, PJ_FIELD_GOAL_EXPECTED, cell_at(row, at));
					emit_field(r, PJ_FIELD_GOAL_ACTUAL, cell_at(row, at < 0 ? -1 : filled_after(row, at)));
				}
				r->goal_pending = false;
			}
			return true;
		case SEC_INDICATORS:
			return read_indicator_row(r, row);
		case SEC_TAIL:
			return r->notes_open ? read_note_row(r, row) : true;
		default:
			return true;		/* text the template does not define */
	}
}

size_t
pj_form_scratch_size(size_t len)
{
	/* cells are copied shorter than written; numbers once more; a target
	 * or actual written in three cells (指标性质, 指标值, 度量单位) joined,
	 * with the unit once more */
	return 3 * len + 64;
}

PjReadStatus
pj_read_form(const char *doc, size_t len, PjFormPos *pos, char *scratch, size_t scratch_len,
			 const PjFormSink *sink, PjFormError *err)
{
	Reader		r;
	Row			row;

	memset(&r, 0, sizeof(r));
	memset(err, 0, sizeof(*err));
	r.doc = doc;
	r.len = len;
	r.pos = pos->offset < len ? pos->offset : len;
	r.line = pos->line;
	r.form = pos->form;
	r.scratch = scratch;
	r.cap = scratch_len;
	r.sink = sink;
	r.err = err;
	for (;;)
	{
		size_t		row_start = r.pos;
		int			row_line = r.line;
		bool		ok;

		if (sink->tick)
			sink->tick(sink->ctx);
		if (!read_row(&r, &row))
			break;
		if (r.overflow)
			return PJ_READ_SCRATCH;
		ok = read_row_in_form(&r, &row);
		if (r.overflow)
			return PJ_READ_SCRATCH;
		if (!ok)
			return PJ_READ_ERROR;
		if (r.stopped)
		{
			/* this row begins the next form: the next call reads it again */
			pos->offset = row_start;
			pos->line = row_line;
			pos->form = r.form;
			return PJ_READ_FORM;
		}
		if (row.unclosed_line > 0 && r.in_form && sink->finding)
			sink->finding(sink->ctx, row.unclosed_line, PJ_FINDING_UNCLOSED_QUOTE, empty_cell);
		r.last_line = row.line > r.line - 1 ? row.line : r.line - 1;
		if (row.unclosed_line > r.last_line)
			r.last_line = row.unclosed_line;
	}
	row.line = r.line;
	row.raw = "";
	row.raw_len = 0;
	row.ncells = 0;
	if (r.form == 0)
	{
		if (r.stray_line > 0)
		{
			row.line = r.stray_line;
			row.raw = r.stray_raw;
			row.raw_len = r.stray_len;
			fail(&r, &row, "the title 项目支出绩效自评表 or a header row with 项目名称");
		}
		else
			fail(&r, &row, "at least one form: the title 项目支出绩效自评表 and a header row with 项目名称");
		return PJ_READ_ERROR;
	}
	if (!r.in_form)
		return PJ_READ_DONE;
	if (!check_form_complete(&r, &row))
		return PJ_READ_ERROR;
	end_form(&r);
	if (r.overflow)
		return PJ_READ_SCRATCH;
	pos->offset = r.pos;
	pos->line = r.line;
	pos->form = r.form;
	return PJ_READ_FORM;
}

size_t
pj_next_line(const char *doc, size_t len, size_t at, size_t *line_len)
{
	size_t		p = at;

	while (p < len && doc[p] != '\n' && doc[p] != '\r')
		p++;
	*line_len = p - at;
	return p + line_end(doc, len, p);
}

bool
pj_read_forms(const char *doc, size_t len, char *scratch, const PjFormSink *sink,
			  PjFormError *err)
{
	PjFormPos	pos = {0, 1, 0};

	for (;;)
		switch (pj_read_form(doc, len, &pos, scratch, pj_form_scratch_size(len), sink, err))
		{
			case PJ_READ_FORM:
				continue;
			case PJ_READ_DONE:
				return true;
			default:
				return false;	/* an error (the scratch is big enough for any form) */
		}
}

/* ------------------------------------------------------ the monitoring form */

/*
 * 项目支出绩效目标执行监控表 (form.h, docs/monitoring.md): the tokenizer,
 * labels, numbers, errors and 备注 block above, with a layout of its own.
 * The reader's state embeds the self-evaluation reader's (its tokenizer
 * state, scratch, errors and notes); the sections come in the template's
 * order and each is looked for only until it has begun, as above.
 */
typedef enum MonSection
{
	MS_HEADER,
	MS_FUNDS,
	MS_GOALS,
	MS_INDICATORS,
	MS_ANALYSIS,
	MS_NOTES
} MonSection;

enum
{
	MF_INITIAL, MF_ADDED, MF_REDUCED, MF_ADJUSTED, MF_EXECUTED, MF_RATE, MF_FORECAST, MF_N
};
enum
{
	MI_L1, MI_L2, MI_L3, MI_TARGET, MI_ACTUAL, MI_FORECAST, MI_CAUSES, MI_LIKELIHOOD, MI_NOTES, MI_N
};

typedef struct MonReader
{
	Reader		r;
	PjFormSink	shim;			/* the tokenizer's view of the sink: its tick */
	const PjMonitorSink *sink;
	MonSection	section;
	int			month;			/* 监控期间's N, 0 until read */
	int			fund_col[MF_N];
	int			goal_col[2];
	bool		goal_pending;
	int			ind_col[MI_N];
	PjCell		last_l1,
				last_l2;
	int			position;
} MonReader;

static const struct
{
	const char *label;
	PjMonitorField field;
}			mon_header_labels[] = {
	{"项目编号", PJ_MF_PROJECT_CODE},
	{"项目代码", PJ_MF_PROJECT_CODE},
	{"项目名称", PJ_MF_PROJECT_NAME},
	{"监控年度", PJ_MF_YEAR},
	{"年度", PJ_MF_YEAR},
	{"实施单位", PJ_MF_UNIT},
	{"一级预算单位", PJ_MF_TOP_UNIT},
	{"主管部门", PJ_MF_TOP_UNIT},
	{"监控期间", PJ_MF_MONTH},
};

/* The labels of 执行情况分析's rows, each the first cell of its row. */
static const struct
{
	const char *label;
	PjMonitorField field;
}			mon_analysis_labels[] = {
	{"是否达到序时支出进度", PJ_MF_ON_SCHEDULE},
	{"是否达到阶段性绩效目标", PJ_MF_STAGE_MET},
	{"原因类型", PJ_MF_REASON_TYPE},
	{"情况分析", PJ_MF_ANALYSIS},
	{"绩效目标调整情况", PJ_MF_ADJUSTMENT},
};

static void
mon_field(MonReader *m, PjMonitorField f, PjCell v, int line)
{
	if (m->sink->field)
		m->sink->field(m->sink->ctx, f, v, line);
}

static bool
is_monitor_title(const char *lab)
{
	return is_marker(lab, "项目支出绩效目标执行监控表") || is_marker(lab, "绩效目标执行监控表");
}

/*
 * A period at s (a label): 1-N月 (also with —, –, －, ~, ～ or 至) or 截止N月
 * / 截至N月 (底 or 末 may follow); N (which may be out of 1-12), 0 if none
 * begins here.  *used: its bytes.
 */
static int
period_at(const char *s, size_t *used)
{
	static const char *const dashes[] = {"-", "~", "—", "–", "－", "～", "至"};
	size_t		i = 0,
				k;
	int			n = 0,
				digits = 0;

	if (s[0] == '1' && s[1] != '\0' && !(s[1] >= '0' && s[1] <= '9'))
	{
		for (k = 0; k < sizeof(dashes) / sizeof(dashes[0]); k++)
			if (strncmp(s + 1, dashes[k], strlen(dashes[k])) == 0)
				break;
		if (k == sizeof(dashes) / sizeof(dashes[0]))
			return 0;
		i = 1 + strlen(dashes[k]);
	}
	else if (strncmp(s, "截止", 6) == 0 || strncmp(s, "截至", 6) == 0)
		i = 6;
	else
		return 0;
	while (s[i] >= '0' && s[i] <= '9' && digits < 3)
	{
		n = n * 10 + (s[i++] - '0');
		digits++;
	}
	if (digits == 0 || strncmp(s + i, "月", 3) != 0)
		return 0;
	i += 3;
	if (strncmp(s + i, "底", 3) == 0 || strncmp(s + i, "末", 3) == 0)
		i += 3;
	*used = i;
	return n > 0 ? n : -1;
}

/*
 * Does every period a header label names equal 监控期间's?  Fails the form
 * where one does not (or where 监控期间 was not read before it).
 */
static bool
mon_check_periods(MonReader *m, const Row *row)
{
	int			i;

	for (i = 0; i < row->ncells; i++)
	{
		const char *lab = lab_at(row, i);
		size_t		p = 0,
					used;

		while (lab[p] != '\0')
		{
			int			n = (p == 0 || !(lab[p - 1] >= '0' && lab[p - 1] <= '9')) ? period_at(lab + p, &used) : 0;
			char		expected[96];

			if (n == 0)
			{
				p++;
				continue;
			}
			if (m->month == 0)
				return fail(&m->r, row, "监控期间 (1-N月) in the header, above this line");
			if (n != m->month)
			{
				snprintf(expected, sizeof(expected), "1-%d月 as 监控期间 says, in every header of the form", m->month);
				return fail(&m->r, row, expected);
			}
			p += used;
		}
	}
	return true;
}

static int
mon_header_cell(PjCell c, const char *lab, PjCell *value, bool *in_cell)
{
	size_t		i;

	*in_cell = false;
	for (i = 0; i < sizeof(mon_header_labels) / sizeof(mon_header_labels[0]); i++)
	{
		size_t		n = strlen(mon_header_labels[i].label),
					rest;

		if (strncmp(lab, mon_header_labels[i].label, n) != 0)
			continue;
		rest = strlen(lab + n);
		if (rest == 0 || (rest <= 48 && lab[n] == '(' && lab[n + rest - 1] == ')'))
			return (int) mon_header_labels[i].field;
	}
	for (i = 0; i < sizeof(mon_header_labels) / sizeof(mon_header_labels[0]); i++)
		if (inline_value(c, mon_header_labels[i].label, value))
		{
			*in_cell = true;
			return (int) mon_header_labels[i].field;
		}
	return -1;
}

static bool
mon_has_header(const Row *row, PjMonitorField field)
{
	int			i;
	PjCell		v;
	bool		in_cell;

	for (i = 0; i < row->ncells; i++)
		if (row->cells[i].len > 0 && mon_header_cell(row->cells[i], lab_at(row, i), &v, &in_cell) == (int) field)
			return true;
	return false;
}

static void
mon_end_form(MonReader *m)
{
	PjCell		notes;

	if (m->r.in_form && join_notes(&m->r, &notes))
		mon_field(m, PJ_MF_NOTES, notes, m->r.last_line);
	if (m->r.in_form && !m->r.overflow && m->sink->end)
		m->sink->end(m->sink->ctx);
	m->r.in_form = false;
}

static void
mon_begin_form(MonReader *m, const Row *row)
{
	int			i;

	mon_end_form(m);
	m->r.form++;
	m->r.form_row = *row;
	m->r.in_form = true;
	m->r.has_name = m->r.has_year = false;
	m->r.title_year = title_year(row);
	m->r.last_line = row->line;
	m->r.notes_open = false;
	m->r.nnotes = 0;
	m->section = MS_HEADER;
	m->month = 0;
	m->goal_pending = false;
	m->position = 0;
	m->last_l1 = m->last_l2 = empty_cell;
	/* the template's own columns until a header row says otherwise */
	for (i = 0; i < MF_N; i++)
		m->fund_col[i] = 2 + i;
	m->goal_col[0] = 1;
	m->goal_col[1] = 2;
	for (i = 0; i < MI_N; i++)
		m->ind_col[i] = 1 + i;
	if (m->sink->begin)
		m->sink->begin(m->sink->ctx, m->r.form, row->line);
}

static bool
mon_check_complete(MonReader *m)
{
	if (!m->r.in_form)
		return true;
	if (!m->r.has_name)
		return fail(&m->r, &m->r.form_row, "a header row with 项目名称 (项目编号, 项目名称, 监控年度) in the form this line begins");
	if (!m->r.has_year && m->r.title_year.len > 0)
	{
		mon_field(m, PJ_MF_YEAR, m->r.title_year, m->r.form_row.line);
		m->r.has_year = true;
	}
	if (!m->r.has_year)
		return fail(&m->r, &m->r.form_row, "监控年度 in the header of the form this line begins");
	if (m->month == 0)
		return fail(&m->r, &m->r.form_row, "监控期间 (1-N月) in the header of the form this line begins");
	return true;
}

static bool
mon_start_form(MonReader *m, const Row *row)
{
	if (!mon_check_complete(m))
		return false;
	if (m->r.in_form)
	{
		mon_end_form(m);
		m->r.stopped = true;
		return true;
	}
	mon_begin_form(m, row);
	return true;
}

static bool
mon_read_header_row(MonReader *m, const Row *row)
{
	int			i;

	for (i = 0; i < row->ncells; i++)
	{
		PjCell		v = empty_cell;
		bool		in_cell;
		int			f = row->cells[i].len > 0 ?
			mon_header_cell(row->cells[i], lab_at(row, i), &v, &in_cell) : -1;

		if (f < 0)
			continue;
		if (!in_cell && i + 1 < row->ncells)
		{
			PjCell		next_v;
			bool		next_in_cell;

			if (mon_header_cell(row->cells[i + 1], lab_at(row, i + 1), &next_v, &next_in_cell) < 0)
				v = row->cells[++i];
		}
		if (f == PJ_MF_PROJECT_NAME)
		{
			if (m->r.has_name)
				return fail(&m->r, row, "one 项目名称 per form (start the next form with its title 项目支出绩效目标执行监控表)");
			if (v.len == 0)
				return fail(&m->r, row, "a project name after 项目名称");
			m->r.has_name = true;
		}
		if (f == PJ_MF_YEAR)
		{
			size_t		d = 0;

			while (d < v.len && v.s[d] >= '0' && v.s[d] <= '9')
				d++;
			if (d != 4 || (v.len > 4 && !(cell_is((PjCell) {v.s + 4, v.len - 4}, "年") ||
										  cell_is((PjCell) {v.s + 4, v.len - 4}, "年度"))))
				return fail(&m->r, row, "a year such as 2023 after 监控年度");
			v.len = 4;
			m->r.has_year = true;
		}
		if (f == PJ_MF_MONTH)
		{
			char		lab[LABEL_MAX];
			size_t		used = 0;
			int			n;

			label(v, lab);
			n = period_at(lab, &used);
			if (n < 1 || n > 12 || lab[used] != '\0')
				return fail(&m->r, row, "a period 1-N月 (N from 1 to 12) after 监控期间");
			m->month = n;
			/* its digits, as written in the label */
			v = (PjCell) {&"123456789101112"[n < 10 ? n - 1 : 9 + 2 * (n - 10)], n < 10 ? 1u : 2u};
		}
		if (f == PJ_MF_PROJECT_CODE && is_placeholder(v))
			v = empty_cell;
		mon_field(m, (PjMonitorField) f, v, row->line);
	}
	return true;
}

/* The column of each word of the funds' header (see the template). */
static bool
mon_read_fund_header(MonReader *m, const Row *row)
{
	int			i,
				k;

	for (k = 0; k < MF_N; k++)
		m->fund_col[k] = -1;
	for (i = 0; i < row->ncells; i++)
	{
		const char *lab = lab_at(row, i);

		if (strstr(lab, "年初预算") != NULL)
			m->fund_col[MF_INITIAL] = i;
		else if (strstr(lab, "追加") != NULL)
			m->fund_col[MF_ADDED] = i;
		else if (strstr(lab, "追减") != NULL)
			m->fund_col[MF_REDUCED] = i;
		else if (strstr(lab, "调整后预算") != NULL || strstr(lab, "全年预算") != NULL)
			m->fund_col[MF_ADJUSTED] = i;
		else if (strstr(lab, "预计执行") != NULL)
			m->fund_col[MF_FORECAST] = i;
		else if (strstr(lab, "执行率") != NULL)
			m->fund_col[MF_RATE] = i;
		else if (strstr(lab, "执行数") != NULL)
			m->fund_col[MF_EXECUTED] = i;
		else if (strstr(lab, "资金") != NULL && strstr(lab, "万元") != NULL)
			mon_field(m, PJ_MF_AMOUNT_UNIT, (PjCell) {"万元", strlen("万元")}, row->line);
		else if (strstr(lab, "资金") != NULL && strstr(lab, "(元)") != NULL)
			mon_field(m, PJ_MF_AMOUNT_UNIT, (PjCell) {"元", strlen("元")}, row->line);
	}
	if (m->fund_col[MF_ADJUSTED] < 0 || m->fund_col[MF_EXECUTED] < 0)
		return fail(&m->r, row, "both 调整后预算数 and 1-N月执行数 in the funds header");
	m->section = MS_FUNDS;
	return mon_check_periods(m, row);
}

static bool
mon_read_fund_row(MonReader *m, const Row *row)
{
	PjMonitorFundRow f;
	int			i,
				first_amount = MAX_CELLS;
	static const char *const what[MF_N] = {
		"an amount (a number) under 年初预算数", "an amount (a number) or — under 追加数",
		"an amount (a number) or — under 追减数", "an amount (a number) under 调整后预算数",
		"an amount (a number) under 1-N月执行数", "a percentage or — under 1-N月执行率",
		"an amount (a number) under 全年预计执行数"
	};
	PjCell	   *cells[MF_N];

	memset(&f, 0, sizeof(f));
	cells[MF_INITIAL] = &f.initial_budget;
	cells[MF_ADDED] = &f.added;
	cells[MF_REDUCED] = &f.reduced;
	cells[MF_ADJUSTED] = &f.adjusted_budget;
	cells[MF_EXECUTED] = &f.executed;
	cells[MF_RATE] = &f.rate;
	cells[MF_FORECAST] = &f.forecast;
	f.line = row->line;
	for (i = 0; i < MF_N; i++)
		if (m->fund_col[i] >= 0 && m->fund_col[i] < first_amount)
			first_amount = m->fund_col[i];
	/* the source is the last label before the amounts; 项目资金（元） gives the unit */
	for (i = 0; i < row->ncells && i < first_amount; i++)
	{
		PjCell		c = row->cells[i];

		if (c.len == 0)
			continue;
		if (cell_has(c, "项目资金") || cell_has(c, "资金来源"))
		{
			if (cell_has(c, "万元"))
				mon_field(m, PJ_MF_AMOUNT_UNIT, (PjCell) {"万元", strlen("万元")}, row->line);
			else if (cell_has(c, "元"))
				mon_field(m, PJ_MF_AMOUNT_UNIT, (PjCell) {"元", strlen("元")}, row->line);
			continue;
		}
		f.source = c;
	}
	{
		char		buf[LABEL_MAX];

		label(f.source, buf);
		if (strncmp(buf, "其中", 6) == 0)
		{
			size_t		skip = 6;

			while (skip < f.source.len && (f.source.s[skip] == ':' || f.source.s[skip] == ' ' ||
										   (f.source.len - skip >= 3 && memcmp(f.source.s + skip, "：", 3) == 0)))
				skip += f.source.s[skip] == ':' || f.source.s[skip] == ' ' ? 1 : 3;
			f.source = trim((PjCell) {f.source.s + skip, f.source.len - skip});
		}
	}
	if (f.source.len == 0)
		return fail(&m->r, row, "the name of a fund source (年度资金总额, 当年财政拨款, 上年结转资金, 其他资金)");
	f.kind = pj_fund_source(f.source);
	for (i = 0; i < MF_N; i++)
		if (!clean_number(&m->r, cell_at(row, m->fund_col[i]), i == MF_RATE, cells[i]))
			return fail(&m->r, row, what[i]);
	if (m->sink->fund)
		m->sink->fund(m->sink->ctx, &f);
	return true;
}

static bool
mon_read_indicator_header(MonReader *m, const Row *row)
{
	int			i,
				k;

	for (k = 0; k < MI_N; k++)
		m->ind_col[k] = -1;
	for (i = 0; i < row->ncells; i++)
	{
		const char *lab = lab_at(row, i);

		if (strstr(lab, "一级指标") != NULL)
			m->ind_col[MI_L1] = i;
		else if (strstr(lab, "二级指标") != NULL)
			m->ind_col[MI_L2] = i;
		else if (strstr(lab, "三级指标") != NULL)
			m->ind_col[MI_L3] = i;
		else if (strstr(lab, "预计完成值") != NULL)
			m->ind_col[MI_FORECAST] = i;
		else if (strstr(lab, "完成值") != NULL)
			m->ind_col[MI_ACTUAL] = i;
		else if (strstr(lab, "指标值") != NULL)
			m->ind_col[MI_TARGET] = i;
		else if (strstr(lab, "偏差原因") != NULL)
			m->ind_col[MI_CAUSES] = i;
		else if (strstr(lab, "可能性") != NULL)
			m->ind_col[MI_LIKELIHOOD] = i;
		else if (strncmp(lab, "备注", 6) == 0)
			m->ind_col[MI_NOTES] = i;
	}
	for (k = 0; k <= MI_ACTUAL; k++)
		if (m->ind_col[k] < 0)
			return fail(&m->r, row, "the indicator header: 一级指标, 二级指标, 三级指标, 年度指标值, 1-N月实际完成值, 全年预计完成值, 偏差原因, 完成目标可能性, 备注");
	m->section = MS_INDICATORS;
	m->goal_pending = false;
	return mon_check_periods(m, row);
}

static bool
mon_read_indicator_row(MonReader *m, const Row *row)
{
	PjMonitorIndicatorRow x;
	PjCell		l1 = cell_at(row, m->ind_col[MI_L1]),
				l2 = cell_at(row, m->ind_col[MI_L2]);
	int			k;
	bool		data = false;

	memset(&x, 0, sizeof(x));
	x.line = row->line;
	x.level3 = cell_at(row, m->ind_col[MI_L3]);
	x.target = cell_at(row, m->ind_col[MI_TARGET]);
	x.actual = cell_at(row, m->ind_col[MI_ACTUAL]);
	x.forecast = cell_at(row, m->ind_col[MI_FORECAST]);
	x.causes = cell_at(row, m->ind_col[MI_CAUSES]);
	x.likelihood = cell_at(row, m->ind_col[MI_LIKELIHOOD]);
	x.notes = cell_at(row, m->ind_col[MI_NOTES]);
	for (k = MI_L3; k < MI_N; k++)
		if (cell_at(row, m->ind_col[k]).len > 0)
			data = true;
	if (l1.len > 0)
	{
		m->last_l1 = l1;
		m->last_l2 = empty_cell;
	}
	if (l2.len > 0)
		m->last_l2 = l2;
	if (!data)
		return true;			/* a level's name alone (a merged cell's row) */
	if (x.level3.len == 0)
		return fail(&m->r, row, "a 三级指标 name in this indicator row");
	x.level1 = m->last_l1;
	x.level2 = m->last_l2;
	x.position = ++m->position;
	if (m->sink->indicator)
		m->sink->indicator(m->sink->ctx, &x);
	return true;
}

/* 是否达到序时支出进度 | 是, 原因类型: 6-…, 情况分析 | text (the value in its
 * cell after a colon, or the next filled cell) */
static bool
mon_read_analysis_row(MonReader *m, const Row *row, int first, PjMonitorField f, const char *word)
{
	PjCell		v = empty_cell;
	int			next = filled_after(row, first);

	if (!inline_value(row->cells[first], word, &v))
		v = cell_at(row, next);
	if ((f == PJ_MF_ON_SCHEDULE || f == PJ_MF_STAGE_MET) && v.len > 0 && !cell_is(v, "是") && !cell_is(v, "否"))
	{
		char		expected[96];

		snprintf(expected, sizeof(expected), "是 or 否 after %s", word);
		return fail(&m->r, row, expected);
	}
	m->section = MS_ANALYSIS;
	mon_field(m, f, v, row->line);
	return true;
}

static bool
mon_read_row(MonReader *m, const Row *row)
{
	int			first = first_filled(row);
	const char *lab;
	int			f0,
				at;
	size_t		k;
	PjCell		v;
	bool		in_cell,
				label_col;

	if (first < 0)
		return true;
	lab = lab_at(row, first);
	if (is_monitor_title(lab))
		return mon_start_form(m, row);
	f0 = mon_header_cell(row->cells[first], lab, &v, &in_cell);
	if (f0 == PJ_MF_PROJECT_NAME || f0 == PJ_MF_PROJECT_CODE)
	{
		if (!m->r.in_form || m->section > MS_HEADER || (m->r.has_name && mon_has_header(row, PJ_MF_PROJECT_NAME)))
		{
			if (!mon_start_form(m, row))
				return false;
			if (m->r.stopped)
				return true;
		}
		return mon_read_header_row(m, row);
	}
	if (!m->r.in_form)
	{
		if (m->r.form == 0 && m->r.stray_line == 0)
		{
			m->r.stray_line = row->line;
			m->r.stray_raw = row->raw;
			m->r.stray_len = row->raw_len;
		}
		return true;
	}
	if (m->section == MS_HEADER && f0 >= 0)
		return mon_read_header_row(m, row);
	if (m->section == MS_HEADER && m->r.title_year.len == 0 && filled_after(row, first) < 0 &&
		is_decoration(lab, strlen(lab)) && year_of(row->cells[first]).len > 0)
	{
		m->r.title_year = year_of(row->cells[first]);
		return true;
	}
	if (m->section < MS_FUNDS && (at = find_marker(row, "资金执行情况", 0)) >= 0)
	{
		m->section = MS_FUNDS;
		if (filled_after(row, at) < 0)
			return true;
	}
	if (m->section <= MS_FUNDS && find_cell(row, "预算数", false) >= 0 && find_cell(row, "执行数", false) >= 0)
		return mon_read_fund_header(m, row);
	if (m->section < MS_GOALS && (at = find_marker(row, "项目目标执行情况", 0)) >= 0)
	{
		m->section = MS_GOALS;
		if (filled_after(row, at) < 0)
			return true;
	}
	if (m->section <= MS_GOALS && !m->goal_pending && (at = find_marker(row, "年度总体目标", 0)) >= 0)
	{
		int			e = find_marker(row, "年度目标", at + 1),
					a = find_cell(row, "执行情况", false);

		m->section = MS_GOALS;
		if (e >= 0 || a > at)
		{
			if (!mon_check_periods(m, row))
				return false;
			m->goal_col[0] = e >= 0 ? e : at + 1;
			m->goal_col[1] = a > at ? a : filled_after(row, m->goal_col[0]);
			m->goal_pending = true;
			return true;
		}
		e = filled_after(row, at);
		if (e < 0)
		{
			m->goal_col[0] = at + 1;
			m->goal_col[1] = at + 2;
			m->goal_pending = true;
			return true;
		}
		mon_field(m, PJ_MF_GOAL, row->cells[e], row->line);
		mon_field(m, PJ_MF_PROGRESS, cell_at(row, filled_after(row, e)), row->line);
		return true;
	}
	if ((m->section < MS_INDICATORS ||
		 (m->section == MS_INDICATORS && (is_marker(lab, "年度绩效指标") || is_marker(lab, "一级指标")))) &&
		find_marker(row, "一级指标", 0) >= 0 && find_marker(row, "三级指标", 0) >= 0)
		return mon_read_indicator_header(m, row);
	if (m->section < MS_INDICATORS && (at = find_marker(row, "年度绩效指标", 0)) >= 0)
	{
		m->section = MS_INDICATORS;
		m->goal_pending = false;
		if (filled_after(row, at) >= 0)
			return fail(&m->r, row, "the indicator header: 一级指标, 二级指标, 三级指标, 年度指标值, 1-N月实际完成值, 全年预计完成值, 偏差原因, 完成目标可能性, 备注");
		return true;
	}
	if (m->section < MS_ANALYSIS && is_marker(lab, "执行情况分析") && filled_after(row, first) < 0)
	{
		m->section = MS_ANALYSIS;
		return true;
	}
	/* the analysis's labels and 备注 head their rows on the left */
	label_col = m->section == MS_INDICATORS ? first <= m->ind_col[MI_L1] : true;
	if (label_col && m->section >= MS_GOALS && !m->r.notes_open)
		for (k = 0; k < sizeof(mon_analysis_labels) / sizeof(mon_analysis_labels[0]); k++)
		{
			PjCell		iv;

			if (strcmp(lab, mon_analysis_labels[k].label) == 0 ||
				inline_value(row->cells[first], mon_analysis_labels[k].label, &iv))
				return mon_read_analysis_row(m, row, first, mon_analysis_labels[k].field,
											 mon_analysis_labels[k].label);
		}
	if (label_col && m->section >= MS_FUNDS && row->cells[first].len >= 6 &&
		memcmp(row->cells[first].s, "备注", 6) == 0 && !m->r.notes_open)
	{
		m->section = MS_NOTES;
		return read_notes(&m->r, row, first);
	}
	switch (m->section)
	{
		case MS_FUNDS:
			return mon_read_fund_row(m, row);
		case MS_GOALS:
			if (m->goal_pending)
			{
				mon_field(m, PJ_MF_GOAL, cell_at(row, m->goal_col[0]), row->line);
				mon_field(m, PJ_MF_PROGRESS, cell_at(row, m->goal_col[1]), row->line);
				m->goal_pending = false;
			}
			return true;
		case MS_INDICATORS:
			return mon_read_indicator_row(m, row);
		case MS_NOTES:
			return m->r.notes_open ? read_note_row(&m->r, row) : true;
		default:
			return true;		/* text the template does not define */
	}
}

PjReadStatus
pj_read_monitor_form(const char *doc, size_t len, PjFormPos *pos, char *scratch, size_t scratch_len,
					 const PjMonitorSink *sink, PjFormError *err)
{
	MonReader	m;
	Reader	   *r = &m.r;
	Row			row;

	memset(&m, 0, sizeof(m));
	memset(err, 0, sizeof(*err));
	m.sink = sink;
	m.shim.ctx = sink->ctx;
	m.shim.tick = sink->tick;
	r->doc = doc;
	r->len = len;
	r->pos = pos->offset < len ? pos->offset : len;
	r->line = pos->line;
	r->form = pos->form;
	r->scratch = scratch;
	r->cap = scratch_len;
	r->sink = &m.shim;
	r->err = err;
	for (;;)
	{
		size_t		row_start = r->pos;
		int			row_line = r->line;
		bool		ok;

		if (sink->tick)
			sink->tick(sink->ctx);
		if (!read_row(r, &row))
			break;
		if (r->overflow)
			return PJ_READ_SCRATCH;
		ok = mon_read_row(&m, &row);
		if (r->overflow)
			return PJ_READ_SCRATCH;
		if (!ok)
			return PJ_READ_ERROR;
		if (r->stopped)
		{
			pos->offset = row_start;
			pos->line = row_line;
			pos->form = r->form;
			return PJ_READ_FORM;
		}
		if (row.unclosed_line > 0 && r->in_form && sink->finding)
			sink->finding(sink->ctx, row.unclosed_line, PJ_FINDING_UNCLOSED_QUOTE, empty_cell);
		r->last_line = row.line > r->line - 1 ? row.line : r->line - 1;
		if (row.unclosed_line > r->last_line)
			r->last_line = row.unclosed_line;
	}
	row.line = r->line;
	row.raw = "";
	row.raw_len = 0;
	row.ncells = 0;
	if (r->form == 0)
	{
		if (r->stray_line > 0)
		{
			row.line = r->stray_line;
			row.raw = r->stray_raw;
			row.raw_len = r->stray_len;
			fail(r, &row, "the title 项目支出绩效目标执行监控表 or a header row with 项目名称");
		}
		else
			fail(r, &row, "at least one form: the title 项目支出绩效目标执行监控表 and a header row with 项目名称");
		return PJ_READ_ERROR;
	}
	if (!r->in_form)
		return PJ_READ_DONE;
	if (!mon_check_complete(&m))
		return PJ_READ_ERROR;
	mon_end_form(&m);
	if (r->overflow)
		return PJ_READ_SCRATCH;
	pos->offset = r->pos;
	pos->line = r->line;
	pos->form = r->form;
	return PJ_READ_FORM;
}

void
pj_read_rows(const char *doc, size_t len, char *scratch, size_t scratch_len,
			 const PjRowSink *sink)
{
	Reader		r;
	Row			row;
	PjFormSink	ticks = {0};
	PjFormError err;

	memset(&r, 0, sizeof(r));
	ticks.ctx = sink->ctx;
	ticks.tick = sink->tick;
	r.doc = doc;
	r.len = len;
	r.line = 1;
	r.scratch = scratch;
	r.cap = scratch_len;
	r.sink = &ticks;
	r.err = &err;
	for (;;)
	{
		if (sink->tick)
			sink->tick(sink->ctx);
		r.used = 0;				/* the previous row's cells are done with */
		if (!read_row(&r, &row))
			break;
		/* a row is never longer than the document: scratch_len holds it */
		sink->row(sink->ctx, row.line, row.cells, row.ncells, row.unclosed_line);
	}
}
