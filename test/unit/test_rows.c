/*
 * test_rows.c - unit tests of pj_read_rows (src/core/form.c): the rows of
 * any tab-separated document as the form reader reads them, which the
 * target form (72_targets.sql, pjeval.document_rows) is read with.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "form.h"

#define MAX_ROWS 16

typedef struct Rows
{
	int			n;
	int			line[MAX_ROWS];
	int			ncells[MAX_ROWS];
	int			quote_line[MAX_ROWS];
	char		cells[MAX_ROWS][8][64];
} Rows;

static void
on_row(void *ctx, int line, const PjCell *cells, int ncells, int quote_line)
{
	Rows	   *r = ctx;
	int			i;

	if (r->n >= MAX_ROWS)
		return;
	r->line[r->n] = line;
	r->ncells[r->n] = ncells;
	r->quote_line[r->n] = quote_line;
	for (i = 0; i < ncells && i < 8; i++)
	{
		size_t		len = cells[i].len < 63 ? cells[i].len : 63;

		memcpy(r->cells[r->n][i], cells[i].s, len);
		r->cells[r->n][i][len] = '\0';
	}
	r->n++;
}

static void
read_rows(const char *doc, Rows *r)
{
	size_t		len = strlen(doc);
	size_t		scratch_len = pj_form_scratch_size(len);
	char	   *scratch = malloc(scratch_len);
	PjRowSink	sink = {r, on_row, NULL};

	memset(r, 0, sizeof(*r));
	pj_read_rows(doc, len, scratch, scratch_len, &sink);
	free(scratch);
}

void
test_rows(void)
{
	Rows		r;

	/* a quoted cell over two lines, "" inside it, CRLF, trailing empty cells
	 * dropped, white space and a zero-width space trimmed */
	read_rows("a\t\"b\n\"\"c\"\"\"\t\t\r\n \xE2\x80\x8B" "d \te\n", &r);
	CHECK(r.n == 2, "two rows, got %d", r.n);
	CHECK(r.line[0] == 1 && r.ncells[0] == 2 && strcmp(r.cells[0][1], "b\n\"c\"") == 0,
		  "quoted cell over two lines: line %d, %d cells, [%s]", r.line[0], r.ncells[0], r.cells[0][1]);
	CHECK(r.line[1] == 3 && r.ncells[1] == 2 && strcmp(r.cells[1][0], "d") == 0 && strcmp(r.cells[1][1], "e") == 0,
		  "next row numbered by its line and trimmed: line %d [%s] [%s]", r.line[1], r.cells[1][0], r.cells[1][1]);
	CHECK(r.quote_line[0] == 0 && r.quote_line[1] == 0, "no stray quote");

	/* a quote that nothing closes is text, its line reported */
	read_rows("x\t\"y\tz\nw\t\t\t\tv\n", &r);
	CHECK(r.n == 2 && r.quote_line[0] == 1 && strcmp(r.cells[0][1], "y") == 0,
		  "unclosed quote read as text: %d rows, quote line %d [%s]", r.n, r.quote_line[0], r.cells[0][1]);

	/* lone CR line ends; an empty document has no rows; a blank line has no cells */
	read_rows("a\rb\r\rc", &r);
	CHECK(r.n == 4 && r.line[3] == 4 && r.ncells[2] == 0 && strcmp(r.cells[3][0], "c") == 0,
		  "CR line ends: %d rows, last line %d", r.n, r.line[3]);
	read_rows("", &r);
	CHECK(r.n == 0, "an empty document has no rows");
}
