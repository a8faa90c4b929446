/*
 * pjeval_load.c - pjeval-load, the loader for files and folders of forms:
 *
 *     pjeval-load [connection options] [--on-conflict error|replace] [--atomic] [--quiet] FILE|DIR...
 *
 * Walks the directories (recursively, each one's entries sorted by name),
 * imports every .xlsx and .xls file through pjeval.import_workbook() (the
 * bytes as a binary bytea parameter) and every .txt and .tsv file through
 * pjeval.import_forms() (decoded here to UTF-8: a byte-order mark, else valid
 * UTF-8, else UTF-16 by its NUL bytes, else GB18030, with iconv).  One
 * transaction per file (a failing file does not stop the others), or with
 * --atomic one for all, stopping at the first error with nothing imported.
 * A progress line on a terminal, a summary table on stdout at the end.
 *
 * Exit status: 0 every file imported (skipped files aside); 1 a file was not
 * imported (its error, an interrupt, a lost connection); 2 a usage error, a
 * path that does not exist, no connection or no pjeval in the database.
 *
 * A client on libpq alone: the connection options are psql's (-h -p -U -d,
 * -d taking a conninfo string too, and libpq's PG* environment variables).
 * Ctrl-C cancels the running statement (PQcancel) and ends with the summary
 * of what was done; a second Ctrl-C ends at once.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <iconv.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#ifndef PJEVAL_VERSION
#define PJEVAL_VERSION "unknown"
#endif

#define EXIT_IMPORTED 0
#define EXIT_NOT_IMPORTED 1
#define EXIT_USAGE 2

/*
 * The server's limits (docs/workbooks.md, docs/import.md), checked before a
 * file is sent: a workbook of more than 64 MB is refused by the reader
 * (54000), and a text is one value of at most 1 GB (PostgreSQL's limit of a
 * field, with room for the message around it).
 */
#define WORKBOOK_MAX ((size_t) 64 << 20)
#define TEXT_MAX (((size_t) 1 << 30) - ((size_t) 1 << 20))

#define BYTEAOID 17
#define TEXTOID 25

typedef enum
{
	KIND_SKIP,
	KIND_WORKBOOK,
	KIND_TEXT
} Kind;

typedef enum
{
	STATE_PENDING,
	STATE_IMPORTED,
	STATE_FAILED,
	STATE_SKIPPED,
	STATE_NOT_RUN,
	STATE_ROLLED_BACK
} State;

typedef struct
{
	char	   *path;
	Kind		kind;
	State		state;
	long		forms;
	char	   *ids;			/* "1-3, 7" */
	char		sqlstate[6];
	char	   *message;		/* the error's first line, or why skipped / not run */
} Item;

static Item *items;
static size_t nitems;
static size_t items_cap;

static const char *progname = "pjeval-load";
static volatile sig_atomic_t interrupted;
static PGcancel *volatile cancel_conn;

/* ------------------------------------------------------------ utilities */

static void
out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(EXIT_USAGE);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

static char *
xstrdup(const char *s)
{
	char	   *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

static char *
xasprintf(const char *fmt,...)
{
	va_list		ap;
	char	   *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	va_end(ap);
	return s;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ the files */

static Kind
kind_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot || strchr(dot, '/'))
		return KIND_SKIP;
	if (strcasecmp(dot, ".xlsx") == 0 || strcasecmp(dot, ".xls") == 0)
		return KIND_WORKBOOK;
	if (strcasecmp(dot, ".txt") == 0 || strcasecmp(dot, ".tsv") == 0)
		return KIND_TEXT;
	return KIND_SKIP;
}

static Item *
add_item(const char *path, Kind kind)
{
	Item	   *it;

	if (nitems == items_cap)
	{
		items_cap = items_cap ? items_cap * 2 : 64;
		items = realloc(items, items_cap * sizeof(Item));
		if (!items)
			out_of_memory();
	}
	it = &items[nitems++];
	memset(it, 0, sizeof(*it));
	it->path = xstrdup(path);
	it->kind = kind;
	it->state = kind == KIND_SKIP ? STATE_SKIPPED : STATE_PENDING;
	if (kind == KIND_SKIP)
		it->message = xstrdup("skipped: not .xlsx, .xls, .txt or .tsv");
	return it;
}

static void
add_skipped(const char *path, const char *why)
{
	Item	   *it = add_item(path, KIND_SKIP);

	free(it->message);
	it->message = xasprintf("skipped: %s", why);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void walk(const char *dir);

/* An entry found in a directory walk. */
static void
add_entry(const char *path, const char *name)
{
	struct stat st;

	if (name[0] == '.' || strncmp(name, "~$", 2) == 0)
	{
		add_skipped(path, name[0] == '.' ? "a hidden file" : "an Office lock file");
		return;
	}
	if (lstat(path, &st) != 0)
	{
		add_skipped(path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode))
	{
		if (stat(path, &st) != 0)
		{
			add_skipped(path, "a broken symbolic link");
			return;
		}
		if (S_ISDIR(st.st_mode))
		{
			add_skipped(path, "a symbolic link to a directory (not followed)");
			return;
		}
	}
	if (S_ISDIR(st.st_mode))
		walk(path);
	else if (S_ISREG(st.st_mode))
		add_item(path, kind_of(name));
	else
		add_skipped(path, "not a regular file");
}

static void
walk(const char *dir)
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	char	  **names = NULL;
	size_t		n = 0,
				cap = 0;
	size_t		dlen = strlen(dir);
	bool		slash = dlen > 0 && dir[dlen - 1] == '/';

	if (!d)
	{
		add_skipped(dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL)
	{
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap)
		{
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(char *));
			if (!names)
				out_of_memory();
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(char *), compare_names);
	for (size_t i = 0; i < n; i++)
	{
		char	   *path = xasprintf("%s%s%s", dir, slash ? "" : "/", names[i]);

		add_entry(path, names[i]);
		free(path);
		free(names[i]);
	}
	free(names);
}

/* A path on the command line; false if it does not exist. */
static bool
add_argument(const char *path)
{
	struct stat st;
	const char *base;

	if (stat(path, &st) != 0)
	{
		fprintf(stderr, "%s: cannot access \"%s\": %s\n", progname, path, strerror(errno));
		return false;
	}
	if (S_ISDIR(st.st_mode))
		walk(path);
	else if (S_ISREG(st.st_mode))
	{
		base = strrchr(path, '/');
		add_item(path, kind_of(base ? base + 1 : path));
	}
	else
		add_skipped(path, "not a regular file");
	return true;
}

/* ----------------------------------------------------- reading a file */

typedef struct
{
	char	   *data;
	size_t		len;
	char		sqlstate[6];
	char	   *error;			/* NULL when read */
} Buffer;

static void
buffer_error(Buffer *b, const char *sqlstate, char *message)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	snprintf(b->sqlstate, sizeof(b->sqlstate), "%s", sqlstate);
	b->error = message;
}

/* The whole file, refused (54000) when larger than max, before it is read. */
static void
read_file(const char *path, size_t max, const char *what, Buffer *b)
{
	int			fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t		got = 0;

	memset(b, 0, sizeof(*b));
	if (fd < 0 || fstat(fd, &st) != 0)
	{
		buffer_error(b, "58030", xasprintf("cannot read the file: %s", strerror(errno)));
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((uintmax_t) st.st_size > (uintmax_t) max)
	{
		buffer_error(b, "54000", xasprintf("the file is %jd bytes, more than the %zu of %s (not sent)",
										   (intmax_t) st.st_size, max, what));
		close(fd);
		return;
	}
	b->data = xmalloc((size_t) st.st_size + 1);
	while (got < (size_t) st.st_size)
	{
		ssize_t		r = read(fd, b->data + got, (size_t) st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
		{
			buffer_error(b, "58030", xasprintf("cannot read the file: %s", strerror(errno)));
			close(fd);
			return;
		}
		if (r == 0)
			break;				/* shorter than it was: take what is there */
		got += (size_t) r;
	}
	close(fd);
	b->len = got;
	b->data[got] = '\0';
}

/*
 * The length of the valid UTF-8 prefix of s[0..len): shortest forms only, no
 * surrogates, nothing above U+10FFFF.
 */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		uint32_t	cp,
					min;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2, cp = c & 0x1F, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3, cp = c & 0x0F, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4, cp = c & 0x07, min = 0x10000;
		else
			return i;
		if (len - i < n)
			return i;
		for (size_t k = 1; k < n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n;
	}
	return len;
}

/* in[0..len) from the encoding to UTF-8 with iconv(3); false and b->error when not valid in it. */
static bool
convert(Buffer *b, const char *from, const char *label, size_t skip)
{
	iconv_t		cd = iconv_open("UTF-8", from);
	char	   *in = b->data + skip;
	size_t		inleft = b->len - skip;
	size_t		cap = inleft / 2 * 3 + 16;	/* UTF-16 and GB18030 grow at most 3/2 */
	char	   *outbuf,
			   *out;
	size_t		outleft;

	if (cd == (iconv_t) -1)
	{
		buffer_error(b, "58000", xasprintf("iconv cannot convert from %s: %s", from, strerror(errno)));
		return false;
	}
	outbuf = xmalloc(cap + 1);
	out = outbuf;
	outleft = cap;
	while (inleft > 0)
	{
		if (iconv(cd, &in, &inleft, &out, &outleft) != (size_t) -1)
			continue;
		if (errno == E2BIG)
		{
			size_t		used = (size_t) (out - outbuf);

			cap *= 2;
			outbuf = realloc(outbuf, cap + 1);
			if (!outbuf)
				out_of_memory();
			out = outbuf + used;
			outleft = cap - used;
			continue;
		}
		{
			size_t		at = (size_t) (in - b->data);

			iconv_close(cd);
			free(outbuf);
			buffer_error(b, "22021", xasprintf("%s: %s at byte %zu",
											   label, errno == EINVAL ? "incomplete character" : "invalid byte sequence", at));
			return false;
		}
	}
	iconv_close(cd);
	free(b->data);
	b->data = outbuf;
	b->len = (size_t) (out - outbuf);
	b->data[b->len] = '\0';
	return true;
}

/*
 * A text file as UTF-8: a byte-order mark says UTF-8 or UTF-16 (LE, BE);
 * else text without NUL bytes that is valid UTF-8 is UTF-8; else NUL bytes
 * mostly at odd (even) offsets are UTF-16LE (BE) without a mark; else GB18030.
 */
static const char *
decode_text(Buffer *b)
{
	const unsigned char *u = (const unsigned char *) b->data;
	const char *encoding;
	size_t		nul_even = 0,
				nul_odd = 0,
				bad;

	if (b->len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
	{
		encoding = "UTF-8";
		memmove(b->data, b->data + 3, b->len - 3 + 1);
		b->len -= 3;
		bad = utf8_valid_prefix(u, b->len);
		if (bad < b->len)
		{
			buffer_error(b, "22021", xasprintf("UTF-8 (by its byte-order mark): invalid byte sequence at byte %zu", bad + 3));
			return NULL;
		}
	}
	else if (b->len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
	{
		encoding = "UTF-16LE";
		if (!convert(b, "UTF-16LE", "UTF-16LE (by its byte-order mark)", 2))
			return NULL;
	}
	else if (b->len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
	{
		encoding = "UTF-16BE";
		if (!convert(b, "UTF-16BE", "UTF-16BE (by its byte-order mark)", 2))
			return NULL;
	}
	else
	{
		for (size_t i = 0; i < b->len; i++)
			if (u[i] == 0)
				(i % 2 ? nul_odd++ : nul_even++);
		if (nul_even + nul_odd == 0 && utf8_valid_prefix(u, b->len) == b->len)
			encoding = "UTF-8";
		else if (nul_even + nul_odd == 0)
		{
			encoding = "GB18030";
			if (!convert(b, "GB18030", "neither UTF-8 nor UTF-16 nor GB18030: as GB18030", 0))
				return NULL;
		}
		else if (b->len % 2 == 0 && nul_odd > 2 * nul_even)
		{
			encoding = "UTF-16LE";
			if (!convert(b, "UTF-16LE", "UTF-16LE (by its NUL bytes)", 0))
				return NULL;
		}
		else if (b->len % 2 == 0 && nul_even > 2 * nul_odd)
		{
			encoding = "UTF-16BE";
			if (!convert(b, "UTF-16BE", "UTF-16BE (by its NUL bytes)", 0))
				return NULL;
		}
		else
		{
			buffer_error(b, "22021", xasprintf("not text: a NUL byte at byte %zu, and not UTF-16",
											   (size_t) ((const unsigned char *) memchr(u, 0, b->len) - u)));
			return NULL;
		}
	}
	/* A NUL character cannot be in a text value. */
	{
		const char *nul = memchr(b->data, 0, b->len);

		if (nul)
		{
			buffer_error(b, "22021", xasprintf("%s text with a NUL character (U+0000) at byte %zu of the UTF-8 text",
											   encoding, (size_t) (nul - b->data)));
			return NULL;
		}
	}
	if (b->len > TEXT_MAX)
	{
		buffer_error(b, "54000", xasprintf("the text is %zu bytes in UTF-8, more than the %zu of one text value (not sent)",
										   b->len, (size_t) TEXT_MAX));
		return NULL;
	}
	return encoding;
}

/* ---------------------------------------------------------- the output */

static bool show_progress;
static bool quiet;
static size_t total_files;
static size_t files_done;
static long forms_done;
static size_t errors_seen;
static double started;

static void
progress(bool last)
{
	double		elapsed;

	if (!show_progress)
		return;
	elapsed = now_seconds() - started;
	fprintf(stderr, "\r\033[K%s: %zu/%zu files, %ld forms, %.1f forms/s, %zu error%s",
			progname, files_done, total_files, forms_done,
			elapsed > 0 ? (double) forms_done / elapsed : 0.0,
			errors_seen, errors_seen == 1 ? "" : "s");
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

/* The display width of s: East Asian wide characters count 2, control characters are shown as '?'. */
static size_t
display_width(const char *s)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		w = 0,
				len = strlen(s),
				i = 0;

	while (i < len)
	{
		size_t		ok = utf8_valid_prefix(u + i, len - i < 4 ? len - i : 4);
		uint32_t	cp;
		size_t		n;

		if (u[i] < 0x80 || ok == 0)
		{
			w++;
			i++;
			continue;
		}
		n = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : 2;
		if (ok < n)
		{
			w++;
			i++;
			continue;
		}
		cp = n == 2 ? (u[i] & 0x1Fu) : n == 3 ? (u[i] & 0x0Fu) : (u[i] & 0x07u);
		for (size_t k = 1; k < n; k++)
			cp = (cp << 6) | (u[i + k] & 0x3Fu);
		w += ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
			  (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
			  (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
			  (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)) ? 2 : 1;
		i += n;
	}
	return w;
}

/* A copy fit for one line of a table: control characters as '?' (or a space, for a tab). */
static char *
one_line(const char *s, bool first_line_only)
{
	char	   *c = xstrdup(s);

	for (char *p = c; *p; p++)
	{
		if (*p == '\n' && first_line_only)
		{
			*p = '\0';
			break;
		}
		if (*p == '\t')
			*p = ' ';
		else if ((unsigned char) *p < 0x20 || *p == 0x7F)
			*p = '?';
	}
	return c;
}

static void
print_padded(const char *s, size_t width, bool right)
{
	size_t		w = display_width(s);

	if (right)
		for (size_t i = w; i < width; i++)
			putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (size_t i = w; i < width; i++)
			putchar(' ');
}

static void
print_summary(bool atomic)
{
	size_t		wfile = strlen("file"),
				wforms = strlen("forms");
	char	  **names = xmalloc((nitems ? nitems : 1) * sizeof(char *));
	char	  **forms = xmalloc((nitems ? nitems : 1) * sizeof(char *));
	size_t		imported = 0,
				failed = 0,
				skipped = 0,
				not_run = 0;
	long		nforms = 0;

	for (size_t i = 0; i < nitems; i++)
	{
		names[i] = one_line(items[i].path, false);
		forms[i] = items[i].state == STATE_IMPORTED ? xasprintf("%ld", items[i].forms) : xstrdup("");
		if (display_width(names[i]) > wfile)
			wfile = display_width(names[i]);
		if (strlen(forms[i]) > wforms)
			wforms = strlen(forms[i]);
	}
	putchar(' ');
	print_padded("file", wfile, false);
	fputs(" | ", stdout);
	print_padded("forms", wforms, false);
	fputs(" | evaluation ids or error\n", stdout);
	for (size_t i = 0; i < wfile + 2; i++)
		putchar('-');
	putchar('+');
	for (size_t i = 0; i < wforms + 2; i++)
		putchar('-');
	fputs("+-------------------------\n", stdout);
	for (size_t i = 0; i < nitems; i++)
	{
		Item	   *it = &items[i];

		putchar(' ');
		print_padded(names[i], wfile, false);
		fputs(" | ", stdout);
		print_padded(forms[i], wforms, true);
		fputs(" | ", stdout);
		switch (it->state)
		{
			case STATE_IMPORTED:
				fputs(it->ids, stdout);
				imported++;
				nforms += it->forms;
				break;
			case STATE_FAILED:
				printf("%s %s", it->sqlstate, it->message);
				failed++;
				break;
			default:
				fputs(it->message ? it->message : "not run", stdout);
				if (it->state == STATE_SKIPPED)
					skipped++;
				else
					not_run++;
				break;
		}
		putchar('\n');
		free(names[i]);
		free(forms[i]);
	}
	free(names);
	free(forms);
	printf("(%zu file%s: %zu imported with %ld form%s, %zu failed, %zu not run, %zu skipped%s)\n",
		   nitems, nitems == 1 ? "" : "s", imported, nforms, nforms == 1 ? "" : "s",
		   failed, not_run, skipped,
		   atomic && failed + not_run > 0 ? "; --atomic: nothing imported" : "");
}

/* The ids as runs: "1-3, 7". */
static char *
id_runs(PGresult *res)
{
	int			n = PQntuples(res);
	size_t		cap = 64,
				len = 0;
	char	   *s = xmalloc(cap);
	int			i = 0;

	s[0] = '\0';
	while (i < n)
	{
		long long	first = strtoll(PQgetvalue(res, i, 0), NULL, 10),
					last = first;
		int			j = i + 1;
		char		piece[64];
		int			k;

		while (j < n && strtoll(PQgetvalue(res, j, 0), NULL, 10) == last + 1)
			last++, j++;
		if (last == first)
			k = snprintf(piece, sizeof(piece), "%s%lld", i ? ", " : "", first);
		else
			k = snprintf(piece, sizeof(piece), "%s%lld-%lld", i ? ", " : "", first, last);
		while (len + (size_t) k + 1 > cap)
		{
			cap *= 2;
			s = realloc(s, cap);
			if (!s)
				out_of_memory();
		}
		memcpy(s + len, piece, (size_t) k + 1);
		len += (size_t) k;
		i = j;
	}
	return s;
}

/* ------------------------------------------------------------ importing */

static void
fail_item(Item *it, const char *sqlstate, const char *message, const char *full)
{
	it->state = STATE_FAILED;
	snprintf(it->sqlstate, sizeof(it->sqlstate), "%s", sqlstate ? sqlstate : "?????");
	it->message = one_line(message ? message : "(no message)", true);
	errors_seen++;
	if (show_progress)
		fputs("\r\033[K", stderr);
	if (full)
		fprintf(stderr, "%s: %s: %s", progname, it->path, full);
	else
		fprintf(stderr, "%s: %s: %s %s\n", progname, it->path, it->sqlstate, it->message);
}

/*
 * Runs the statement and waits for its result.  After a Ctrl-C the cancel
 * request is sent again every 100 ms until the result comes: a request that
 * reaches the server while it is still reading the statement's parameter (a
 * file of megabytes) is dropped there, so one alone is not enough.
 */
static PGresult *
exec_cancellable(PGconn *conn, const char *sql, const Oid *types, const char *const *values,
				 const int *lengths, const int *formats)
{
	PGresult   *res,
			   *last = NULL;
	double		cancelled = 0;

	if (!PQsendQueryParams(conn, sql, 2, types, values, lengths, formats, 0))
		return NULL;
	while (PQisBusy(conn))
	{
		struct pollfd p = {.fd = PQsocket(conn),.events = POLLIN};

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if (interrupted && cancel_conn && now_seconds() - cancelled >= 0.1)
		{
			char		err[256];

			PQcancel(cancel_conn, err, sizeof(err));
			cancelled = now_seconds();
		}
		if (!PQconsumeInput(conn))
			break;				/* PQgetResult reports it */
	}
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (last && PQresultStatus(last) == PGRES_FATAL_ERROR)
			PQclear(res);		/* the first error is the one */
		else
		{
			PQclear(last);
			last = res;
		}
	}
	return last;
}

/* Imports one file; false when the connection is lost. */
static bool
import_item(PGconn *conn, Item *it, const char *on_conflict)
{
	Buffer		b;
	const char *values[2];
	int			lengths[2];
	int			formats[2] = {1, 0};
	Oid			types[2];
	const char *sql;
	PGresult   *res;

	if (it->kind == KIND_WORKBOOK)
	{
		read_file(it->path, WORKBOOK_MAX, "a workbook (docs/workbooks.md)", &b);
		types[0] = BYTEAOID;
		sql = "SELECT id FROM pjeval.import_workbook($1, $2) AS id";
	}
	else
	{
		read_file(it->path, TEXT_MAX, "one text value", &b);
		if (!b.error)
			decode_text(&b);
		types[0] = TEXTOID;
		sql = "SELECT id FROM pjeval.import_forms($1, $2) AS id";
	}
	if (b.error)
	{
		fail_item(it, b.sqlstate, b.error, NULL);
		free(b.error);
		return true;
	}
	if (interrupted)
	{
		/* a Ctrl-C while reading: the file is not sent */
		free(b.data);
		return true;
	}
	if (b.len > INT32_MAX)
	{
		free(b.data);
		fail_item(it, "54000", "the file is too large to send", NULL);
		return true;
	}
	types[1] = TEXTOID;
	values[0] = b.data;
	lengths[0] = (int) b.len;
	values[1] = on_conflict;
	lengths[1] = 0;
	res = exec_cancellable(conn, sql, types, values, lengths, formats);
	free(b.data);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		it->state = STATE_IMPORTED;
		it->forms = PQntuples(res);
		it->ids = id_runs(res);
		forms_done += it->forms;
	}
	else if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY))
		fail_item(it, PQresultErrorField(res, PG_DIAG_SQLSTATE),
				  PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), PQresultErrorMessage(res));
	else						/* no result, or one made by libpq: the connection's message */
		fail_item(it, "08006", PQerrorMessage(conn), PQerrorMessage(conn));
	PQclear(res);
	return PQstatus(conn) == CONNECTION_OK;
}

static bool
run_command(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "%s: %s: %s", progname, sql, PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

/* ---------------------------------------------------------- connecting */

static void
on_signal(int sig)
{
	char		err[256];
	int			saved = errno;

	if (interrupted)
	{
		/* a second one: end now */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = 1;
	if (cancel_conn && !PQcancel(cancel_conn, err, sizeof(err)))
	{
		/* write(2) alone: this is a signal handler */
		static const char what[] = "pjeval-load: could not send the cancel request: ";

		if (write(STDERR_FILENO, what, sizeof(what) - 1) >= 0 && write(STDERR_FILENO, err, strlen(err)) >= 0)
			(void) !write(STDERR_FILENO, "\n", 1);
	}
	errno = saved;
}

/* A password from the terminal, without echo; NULL when there is none. */
static char *
prompt_password(void)
{
	FILE	   *tty = fopen("/dev/tty", "r+");
	struct termios t,
				saved;
	char		line[1024];
	bool		echo_off;
	char	   *nl;

	if (!tty)
		return NULL;
	/* echo off before the prompt is shown: what is typed after it is kept */
	echo_off = tcgetattr(fileno(tty), &saved) == 0;
	if (echo_off)
	{
		t = saved;
		t.c_lflag &= ~(tcflag_t) ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &t);
	}
	fputs("Password: ", tty);
	fflush(tty);
	if (!fgets(line, sizeof(line), tty))
		line[0] = '\0';
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &saved);
	fputc('\n', tty);
	fclose(tty);
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	return xstrdup(line);
}

static PGconn *
connect_db(const char *host, const char *port, const char *user, const char *dbname, int password_mode)
{
	const char *keys[] = {"host", "port", "user", "password", "dbname",
	"fallback_application_name", "client_encoding", NULL};
	const char *vals[8];
	char	   *password = password_mode == 'W' ? prompt_password() : NULL;
	PGconn	   *conn;

	for (;;)
	{
		vals[0] = host;
		vals[1] = port;
		vals[2] = user;
		vals[3] = password;
		vals[4] = dbname;
		vals[5] = "pjeval-load";
		vals[6] = "UTF8";
		vals[7] = NULL;
		conn = PQconnectdbParams(keys, vals, 1);
		if (PQstatus(conn) == CONNECTION_BAD && PQconnectionNeedsPassword(conn) && !password
			&& password_mode != 'w' && isatty(STDIN_FILENO))
		{
			PQfinish(conn);
			password = prompt_password();
			if (password)
				continue;
			conn = PQconnectdbParams(keys, vals, 1);
		}
		break;
	}
	free(password);
	return conn;
}

/* ---------------------------------------------------------------- main */

static void
usage(void)
{
	printf("%s imports files of 项目支出绩效自评表 forms into pjeval.\n\n"
		   "Usage:\n  %s [OPTION]... FILE|DIR...\n\n"
		   "Files: .xlsx and .xls (pjeval.import_workbook), .txt and .tsv (pjeval.import_forms;\n"
		   "UTF-8, UTF-16 and GB18030 are recognised and sent as UTF-8).  Directories are read\n"
		   "recursively, in order of name; other files are skipped and listed as skipped.\n\n"
		   "Options:\n"
		   "      --on-conflict=error|replace  a project and year already stored: an error (default)\n"
		   "                             or replaced in place\n"
		   "      --atomic               one transaction for all files: stop at the first error,\n"
		   "                             nothing imported (default: one transaction per file)\n"
		   "  -q, --quiet                no progress line and no summary; errors still on stderr\n"
		   "  -V, --version              output version information, then exit\n"
		   "  -?, --help                 show this help, then exit\n\n"
		   "Connection options (as psql's; libpq's PG* environment variables apply):\n"
		   "  -h, --host=HOSTNAME        database server host or socket directory\n"
		   "  -p, --port=PORT            database server port\n"
		   "  -U, --username=USERNAME    database user name\n"
		   "  -d, --dbname=DBNAME        database name or a conninfo string\n"
		   "  -w, --no-password          never prompt for a password\n"
		   "  -W, --password             prompt for a password\n\n"
		   "Exit status: 0 every file imported (skipped files aside); 1 a file was not imported;\n"
		   "2 a usage error, a path that does not exist, no connection or no pjeval.\n",
		   progname, progname);
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"dbname", required_argument, NULL, 'd'},
		{"no-password", no_argument, NULL, 'w'},
		{"password", no_argument, NULL, 'W'},
		{"on-conflict", required_argument, NULL, 1},
		{"atomic", no_argument, NULL, 2},
		{"quiet", no_argument, NULL, 'q'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 3},
		{NULL, 0, NULL, 0}
	};
	const char *host = NULL,
			   *port = NULL,
			   *user = NULL,
			   *dbname = NULL,
			   *on_conflict = "error";
	int			password_mode = 0;
	bool		atomic = false;
	bool		lost = false;
	bool		in_transaction = false;
	int			c;
	PGconn	   *conn;
	PGresult   *res;
	struct sigaction sa;
	int			status;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h:p:U:d:wWqV?", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'h':
				host = optarg;
				break;
			case 'p':
				port = optarg;
				break;
			case 'U':
				user = optarg;
				break;
			case 'd':
				dbname = optarg;
				break;
			case 'w':
			case 'W':
				password_mode = c;
				break;
			case 1:
				if (strcmp(optarg, "error") != 0 && strcmp(optarg, "replace") != 0)
				{
					fprintf(stderr, "%s: --on-conflict must be error or replace, not \"%s\"\n", progname, optarg);
					return EXIT_USAGE;
				}
				on_conflict = optarg;
				break;
			case 2:
				atomic = true;
				break;
			case 'q':
				quiet = true;
				break;
			case 'V':
				printf("%s (pjeval) %s\n", progname, PJEVAL_VERSION);
				return EXIT_IMPORTED;
			case 3:
				usage();
				return EXIT_IMPORTED;
			case '?':
				if (strcmp(argv[optind - 1], "-?") == 0)
				{
					usage();
					return EXIT_IMPORTED;
				}
				if (optopt)
					fprintf(stderr, "%s: unknown option -%c\n", progname, optopt);
				else
					fprintf(stderr, "%s: unknown option \"%s\"\n", progname, argv[optind - 1]);
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				return EXIT_USAGE;
			case ':':
				fprintf(stderr, "%s: option \"%s\" needs a value\n", progname, argv[optind - 1]);
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				return EXIT_USAGE;
			default:
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				return EXIT_USAGE;
		}
	}
	if (optind >= argc)
	{
		fprintf(stderr, "%s: no file or directory given\nTry \"%s --help\" for more information.\n",
				progname, progname);
		return EXIT_USAGE;
	}
	{
		bool		all_there = true;

		for (int i = optind; i < argc; i++)
			all_there &= add_argument(argv[i]);
		if (!all_there)
			return EXIT_USAGE;
	}
	for (size_t i = 0; i < nitems; i++)
		if (items[i].state == STATE_PENDING)
			total_files++;

	conn = connect_db(host, port, user, dbname, password_mode);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "%s: %s", progname, PQerrorMessage(conn));
		PQfinish(conn);
		return EXIT_USAGE;
	}
	res = PQexec(conn, "SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pjeval'");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			fprintf(stderr, "%s: %s", progname, PQerrorMessage(conn));
		else
			fprintf(stderr, "%s: pjeval is not installed in database \"%s\" (CREATE EXTENSION pjeval)\n",
					progname, PQdb(conn));
		PQclear(res);
		PQfinish(conn);
		return EXIT_USAGE;
	}
	PQclear(res);
	/* the server's PL/pgSQL context lines say nothing to the user */
	PQsetErrorContextVisibility(conn, PQSHOW_CONTEXT_NEVER);

	show_progress = !quiet && isatty(STDERR_FILENO);
	signal(SIGPIPE, SIG_IGN);
	cancel_conn = PQgetCancel(conn);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	started = now_seconds();
	progress(false);
	if (atomic)
		in_transaction = run_command(conn, "BEGIN");
	if (!atomic || in_transaction)
	{
		for (size_t i = 0; i < nitems; i++)
		{
			Item	   *it = &items[i];

			if (it->state != STATE_PENDING)
				continue;
			if (interrupted)
				break;
			lost = !import_item(conn, it, on_conflict);
			if (it->state == STATE_PENDING)
				break;			/* interrupted before it was sent */
			files_done++;
			progress(false);
			if (lost || (atomic && it->state == STATE_FAILED))
				break;
		}
	}
	if (in_transaction)
	{
		bool		all = true;

		for (size_t i = 0; i < nitems; i++)
			if (items[i].state == STATE_PENDING || items[i].state == STATE_FAILED)
				all = false;
		if (all && !interrupted && run_command(conn, "COMMIT"))
			;
		else
		{
			if (!lost)
				run_command(conn, "ROLLBACK");
			for (size_t i = 0; i < nitems; i++)
				if (items[i].state == STATE_IMPORTED)
				{
					Item	   *it = &items[i];

					it->state = STATE_ROLLED_BACK;
					free(it->message);
					it->message = xasprintf("rolled back (--atomic): %ld form%s read", it->forms,
											it->forms == 1 ? "" : "s");
				}
			if (all && !interrupted)
				errors_seen++;	/* the COMMIT failed */
		}
	}
	for (size_t i = 0; i < nitems; i++)
		if (items[i].state == STATE_PENDING)
			items[i].message = xstrdup(interrupted ? "not run: interrupted"
										: lost ? "not run: the connection was lost"
										: atomic ? "not run: an earlier file failed (--atomic)"
										: "not run");
	progress(true);
	{
		PGcancel   *cc = cancel_conn;

		cancel_conn = NULL;		/* before it is freed: the handler reads it */
		PQfreeCancel(cc);
	}
	PQfinish(conn);

	status = EXIT_IMPORTED;
	for (size_t i = 0; i < nitems; i++)
		if (items[i].state != STATE_IMPORTED && items[i].state != STATE_SKIPPED)
			status = EXIT_NOT_IMPORTED;
	if (!quiet)
		print_summary(atomic);
	if (interrupted)
		fprintf(stderr, "%s: interrupted\n", progname);
	fflush(stdout);
	return status;
}
