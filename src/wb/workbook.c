/*
 * workbook.c - an .xlsx workbook as tab-separated text (workbook.h).
 *
 * The package is read the way its relationships say: _rels/.rels names the
 * workbook part, the workbook's relationships name its worksheets, shared
 * strings and styles.  Each part is inflated by libzip as libxml2's
 * xmlTextReader asks for bytes, so nothing is inflated ahead of the parser,
 * the inflated bytes are counted against the limit as they come (a declared
 * size is never trusted), and a document type declaration is refused in the
 * bytes themselves, before the parser could act on it.  The parser gets its
 * own error handler (per reader) and options without entity substitution or
 * network access; libxml2's global state is never touched, since the server
 * shares it.
 */
#define _POSIX_C_SOURCE 200809L	/* strdup, strtok_r under -std=c99 */

#include "workbook.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "numfmt.h"

const PjWbLimits pj_wb_default_limits = {
	.max_compressed = 64u << 20,
	.max_inflated = 128u << 20,
	.max_entries = 10000,
	.max_sheets = 1000,
	.max_rows = 200000,
	.max_cells = 2000000,
	.max_strings = 1000000,
	.max_text = 128u << 20,
};

#define MAX_ROW 1048576			/* the format's own bounds */
#define MAX_COL 16384
#define NAME_MAX_LEN 1024		/* part names, ids, sheet names, format codes */
#define SHOWN_MAX 1200			/* a number as shown */

typedef struct Buf
{
	char	   *p;
	size_t		len,
				cap;
} Buf;

typedef struct Cell
{
	int			row,
				col;
	long		seq;			/* the later of two cells at one place wins */
	size_t		off,
				len;
	bool		hidden;			/* inside a merged range, not its top-left */
} Cell;

typedef struct Merge
{
	int			r1,
				c1,
				r2,
				c2;
} Merge;

typedef struct Rel
{
	char		id[NAME_MAX_LEN];
	char		type[NAME_MAX_LEN];
	char		target[NAME_MAX_LEN];
	bool		external;
} Rel;

typedef struct Sheet
{
	char		name[NAME_MAX_LEN];
	char		rid[NAME_MAX_LEN];
	char		part[NAME_MAX_LEN];
	bool		hidden;
} Sheet;

typedef struct NumFmt
{
	int			id;
	char	   *code;
} NumFmt;

typedef struct Wb
{
	const PjWbLimits *lim;
	PjWbStop	stop;
	void	   *stop_ctx;
	PjWbError  *err;
	const unsigned char *data;
	size_t		data_len;
	zip_t	   *za;
	size_t		inflated;
	long		rows,
				cells;
	bool		date1904;

	Rel		   *rels;
	int			nrels,
				caprels;
	Sheet	   *sheets;
	int			nsheets,
				capsheets;
	int		   *xf_fmt;			/* cellXfs: the number format of each */
	int			nxf,
				capxf;
	NumFmt	   *fmts;
	int			nfmts,
				capfmts;
	Buf			sst;			/* shared strings, one after another */
	size_t	   *sst_off;
	long		nsst,
				capsst;

	/* one sheet at a time */
	Buf			arena;
	Cell	   *cellv;
	long		ncells,
				capcells;
	Merge	   *merges;
	long		nmerges,
				capmerges;

	/* the result */
	Buf			text;
	int		   *line_sheet,
			   *line_row;
	int			nlines,
				caplines;
} Wb;

/* ------------------------------------------------------------ small things */

static bool fail(struct Wb *w, PjWbStatus status, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
fail(Wb *w, PjWbStatus status, const char *fmt,...)
{
	va_list		ap;

	if (w->err->status != PJ_WB_OK)
		return false;			/* the first failure is the one to tell */
	w->err->status = status;
	va_start(ap, fmt);
	vsnprintf(w->err->message, sizeof(w->err->message), fmt, ap);
	va_end(ap);
	return false;
}

static bool
grow(Wb *w, void **p, long *cap, long need, size_t elem)
{
	long		ncap;
	void	   *np;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, (size_t) ncap * elem);
	if (np == NULL)
		return fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
	*p = np;
	*cap = ncap;
	return true;
}

static bool
grow_int(Wb *w, void **p, int *cap, int need, size_t elem)
{
	long		c = *cap;
	bool		ok = grow(w, p, &c, need, elem);

	*cap = (int) c;
	return ok;
}

static bool
buf_add(Wb *w, Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		ncap = b->cap ? b->cap * 2 : 4096;
		char	   *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (np == NULL)
			return fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
		b->p = np;
		b->cap = ncap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static bool
stopped(Wb *w)
{
	if (w->stop && w->stop(w->stop_ctx))
		return !fail(w, PJ_WB_CANCELLED, "reading the workbook was cancelled");
	return w->err->status != PJ_WB_OK;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		a = strlen(s),
				b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A part name from a relationship's target, relative to the source's folder. */
static void
resolve(const char *dir, const char *target, char *out, size_t outsz)
{
	char		tmp[2 * NAME_MAX_LEN];
	char	   *seg[256];
	int			nseg = 0,
				i;
	char	   *p,
			   *save = NULL;
	size_t		len = 0;

	if (target[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", target + 1);
	else
		snprintf(tmp, sizeof(tmp), "%s%s", dir, target);
	for (p = strtok_r(tmp, "/", &save); p; p = strtok_r(NULL, "/", &save))
	{
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0)
		{
			if (nseg > 0)
				nseg--;
			continue;
		}
		if (nseg < 256)
			seg[nseg++] = p;
	}
	out[0] = '\0';
	for (i = 0; i < nseg; i++)
	{
		int			n = snprintf(out + len, outsz - len, "%s%s", i ? "/" : "", seg[i]);

		if (n < 0 || (size_t) n >= outsz - len)
			break;
		len += n;
	}
}

/* "xl/workbook.xml" -> "xl/", "xl/_rels/workbook.xml.rels" */
static void
part_dir(const char *part, char *dir, size_t dirsz)
{
	const char *slash = strrchr(part, '/');
	size_t		n = slash ? (size_t) (slash - part + 1) : 0;

	if (n >= dirsz)
		n = dirsz - 1;
	memcpy(dir, part, n);
	dir[n] = '\0';
}

/* ------------------------------------------------------------ parts */

typedef struct Part
{
	Wb		   *w;
	zip_file_t *zf;
	const char *name;
	char		prev[2];		/* the last two bytes read: "<!" may span a read */
	char		xml_error[160];
} Part;

/* libxml2 asks for bytes: inflate them, count them, refuse a DTD in them. */
static int
part_read(void *ctx, char *buf, int len)
{
	Part	   *p = ctx;
	Wb		   *w = p->w;
	zip_int64_t n;
	zip_int64_t i;

	if (stopped(w))
		return -1;
	n = zip_fread(p->zf, buf, (zip_uint64_t) len);
	if (n < 0)
	{
		zip_error_t *ze = zip_file_get_error(p->zf);

		if (zip_error_code_zip(ze) == ZIP_ER_CRC)
			fail(w, PJ_WB_CORRUPT, "%s is damaged (its checksum does not match)", p->name);
		else
			fail(w, PJ_WB_CORRUPT, "%s cannot be inflated: %s", p->name, zip_error_strerror(ze));
		return -1;
	}
	if ((size_t) n > w->lim->max_inflated - w->inflated)
	{
		fail(w, PJ_WB_LIMIT, "the workbook inflates to more than %zu bytes (at %s)", w->lim->max_inflated, p->name);
		return -1;
	}
	w->inflated += (size_t) n;
	for (i = 0; i < n; i++)
	{
		if (p->prev[0] == '<' && p->prev[1] == '!' && (buf[i] == 'D' || buf[i] == 'E'))
		{
			fail(w, PJ_WB_CORRUPT, "%s has a document type or entity declaration, which no workbook part has", p->name);
			return -1;
		}
		p->prev[0] = p->prev[1];
		p->prev[1] = buf[i];
	}
	return (int) n;
}

static void
xml_error(void *ctx, xmlErrorPtr e)
{
	Part	   *p = ctx;

	if (p->xml_error[0] == '\0' && e && e->message)
	{
		size_t		n;

		snprintf(p->xml_error, sizeof(p->xml_error), "line %d: %s", e->line, e->message);
		n = strlen(p->xml_error);
		while (n > 0 && (p->xml_error[n - 1] == '\n' || p->xml_error[n - 1] == ' '))
			p->xml_error[--n] = '\0';
	}
}

/* The next node; false at the end or on an error (then err is set). */
static bool
next(Part *p, xmlTextReaderPtr r)
{
	int			ret = xmlTextReaderRead(r);

	if (ret == 1)
	{
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE)
			return fail(p->w, PJ_WB_CORRUPT, "%s has a document type declaration, which no workbook part has", p->name);
		return true;
	}
	if (ret < 0)
		fail(p->w, PJ_WB_CORRUPT, "%s is not well-formed XML (%s)", p->name,
			 p->xml_error[0] ? p->xml_error : "it ends too soon");
	return false;
}

static bool
is(xmlTextReaderPtr r, int type, const char *local)
{
	const xmlChar *n;

	if (xmlTextReaderNodeType(r) != type)
		return false;
	n = xmlTextReaderConstLocalName(r);
	return n && strcmp((const char *) n, local) == 0;
}

/*
 * An attribute of the current element by local name, copied into out ("" if
 * absent); in_ns: only a namespaced one (r:id), else only one without.
 */
static bool
attr(xmlTextReaderPtr r, const char *local, bool in_ns, char *out, size_t outsz)
{
	bool		found = false;

	out[0] = '\0';
	if (xmlTextReaderMoveToFirstAttribute(r) != 1)
		return false;
	do
	{
		const xmlChar *n = xmlTextReaderConstLocalName(r);
		const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);

		if (n && strcmp((const char *) n, local) == 0 && (ns != NULL) == in_ns)
		{
			const xmlChar *v = xmlTextReaderConstValue(r);

			size_t		n = v ? strlen((const char *) v) : 0;

			if (n >= outsz)
			{
				/* cut to fit, never inside a UTF-8 character */
				n = outsz - 1;
				while (n > 0 && (v[n] & 0xC0) == 0x80)
					n--;
			}
			if (n)
				memcpy(out, v, n);
			out[n] = '\0';
			found = true;
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(r) == 1);
	xmlTextReaderMoveToElement(r);
	return found;
}

typedef bool (*Walk) (Wb *w, Part *p, xmlTextReaderPtr r, void *ctx);

/* Reads one part with walk; a missing part is fine unless required. */
static bool
read_part(Wb *w, const char *name, bool required, PjWbStatus missing, Walk walk, void *ctx)
{
	zip_int64_t idx;
	zip_stat_t	st;
	zip_file_t *zf;
	Part		p;
	xmlTextReaderPtr r;
	bool		ok;

	idx = zip_name_locate(w->za, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return required ? fail(w, missing, "it has no part %s", name) : true;
	zip_stat_init(&st);
	if (zip_stat_index(w->za, (zip_uint64_t) idx, 0, &st) == 0 &&
		(st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return fail(w, PJ_WB_ENCRYPTED, "%s is encrypted", name);
	zf = zip_fopen_index(w->za, (zip_uint64_t) idx, 0);
	if (zf == NULL)
	{
		zip_error_t *ze = zip_get_error(w->za);

		if (zip_error_code_zip(ze) == ZIP_ER_NOPASSWD || zip_error_code_zip(ze) == ZIP_ER_ENCRNOTSUPP)
			return fail(w, PJ_WB_ENCRYPTED, "%s is encrypted", name);
		return fail(w, PJ_WB_CORRUPT, "%s cannot be read: %s", name, zip_error_strerror(ze));
	}
	memset(&p, 0, sizeof(p));
	p.w = w;
	p.zf = zf;
	p.name = name;
	r = xmlReaderForIO(part_read, NULL, &p, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (r == NULL)
	{
		zip_fclose(zf);
		return fail(w, PJ_WB_CORRUPT, "%s cannot be read as XML", name);
	}
	xmlTextReaderSetStructuredErrorHandler(r, xml_error, &p);
	ok = walk(w, &p, r, ctx);
	xmlFreeTextReader(r);
	zip_fclose(zf);
	return ok && w->err->status == PJ_WB_OK;
}

/*
 * The text of the element the reader is on, appended to out: every text
 * node (v, f) or only those in t elements outside phonetic runs (si, is).
 */
static bool
element_text(Wb *w, Part *p, xmlTextReaderPtr r, bool only_t, Buf *out)
{
	int			depth = xmlTextReaderDepth(r);
	bool		in_t = false;
	int			rph = -1;

	if (xmlTextReaderIsEmptyElement(r))
		return true;
	while (next(p, r))
	{
		int			type = xmlTextReaderNodeType(r);

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == depth)
			return true;
		if (type == XML_READER_TYPE_ELEMENT && !xmlTextReaderIsEmptyElement(r))
		{
			if (is(r, type, "rPh") && rph < 0)
				rph = xmlTextReaderDepth(r);
			else if (is(r, type, "t"))
				in_t = true;
		}
		else if (type == XML_READER_TYPE_END_ELEMENT)
		{
			if (xmlTextReaderDepth(r) == rph)
				rph = -1;
			else if (is(r, type, "t"))
				in_t = false;
		}
		else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
				  type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) &&
				 (!only_t || (in_t && rph < 0)))
		{
			const xmlChar *v = xmlTextReaderConstValue(r);

			if (v && !buf_add(w, out, (const char *) v, strlen((const char *) v)))
				return false;
		}
	}
	return fail(w, PJ_WB_CORRUPT, "%s ends inside an element", p->name);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A string as shown: _xHHHH_ escapes decoded (_x000D_ a carriage return,
 * _x005F_ an underscore), then line ends made \n and other control
 * characters dropped.  In place: the result is never longer.
 */
static size_t
shown_string(char *s, size_t len)
{
	size_t		i = 0,
				o = 0,
				n;

	while (i < len)
	{
		unsigned	cp = 0;
		int			k;

		if (s[i] == '_' && i + 6 < len && s[i + 1] == 'x' && s[i + 6] == '_')
		{
			for (k = 2; k < 6 && hexval(s[i + k]) >= 0; k++)
				cp = cp * 16 + (unsigned) hexval(s[i + k]);
			if (k == 6)
			{
				i += 7;
				if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
					continue;
				if (cp < 0x80)
					s[o++] = (char) cp;
				else if (cp < 0x800)
				{
					s[o++] = (char) (0xC0 | (cp >> 6));
					s[o++] = (char) (0x80 | (cp & 0x3F));
				}
				else
				{
					/* three bytes in place of seven */
					s[o++] = (char) (0xE0 | (cp >> 12));
					s[o++] = (char) (0x80 | ((cp >> 6) & 0x3F));
					s[o++] = (char) (0x80 | (cp & 0x3F));
				}
				continue;
			}
		}
		s[o++] = s[i++];
	}
	n = o;
	for (i = 0, o = 0; i < n; i++)
	{
		if (s[i] == '\r')
		{
			if (i + 1 < n && s[i + 1] == '\n')
				continue;
			s[o++] = '\n';
		}
		else if ((unsigned char) s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n')
			s[o++] = s[i];
	}
	return o;
}

/* ------------------------------------------------------------ relationships */

static bool
walk_rels(Wb *w, Part *p, xmlTextReaderPtr r, void *ctx)
{
	(void) ctx;
	while (next(p, r))
	{
		Rel		   *x;
		char		mode[32];

		if (!is(r, XML_READER_TYPE_ELEMENT, "Relationship"))
			continue;
		if (w->nrels >= 10000)
			return fail(w, PJ_WB_LIMIT, "%s has more than 10000 relationships", p->name);
		if (!grow_int(w, (void **) &w->rels, &w->caprels, w->nrels + 1, sizeof(Rel)))
			return false;
		x = &w->rels[w->nrels++];
		attr(r, "Id", false, x->id, sizeof(x->id));
		attr(r, "Type", false, x->type, sizeof(x->type));
		attr(r, "Target", false, x->target, sizeof(x->target));
		attr(r, "TargetMode", false, mode, sizeof(mode));
		x->external = strcmp(mode, "External") == 0;
	}
	return w->err->status == PJ_WB_OK;
}

static bool
read_rels(Wb *w, const char *name, bool required, PjWbStatus missing)
{
	free(w->rels);
	w->rels = NULL;
	w->nrels = w->caprels = 0;
	return read_part(w, name, required, missing, walk_rels, NULL);
}

/* The first internal relationship whose type ends with suffix (/worksheet, /styles). */
static const Rel *
rel_of_type(Wb *w, const char *suffix)
{
	int			i;

	for (i = 0; i < w->nrels; i++)
		if (!w->rels[i].external && ends_with(w->rels[i].type, suffix))
			return &w->rels[i];
	return NULL;
}

/* ------------------------------------------------------------ workbook, styles, strings */

static bool
walk_workbook(Wb *w, Part *p, xmlTextReaderPtr r, void *ctx)
{
	bool		root = true;
	char		v[NAME_MAX_LEN];

	(void) ctx;
	while (next(p, r))
	{
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		if (root)
		{
			if (!is(r, XML_READER_TYPE_ELEMENT, "workbook"))
				return fail(w, PJ_WB_NOT_XLSX, "its main part %s is not a workbook (is it a .docx or a .pptx?)", p->name);
			root = false;
		}
		else if (is(r, XML_READER_TYPE_ELEMENT, "workbookPr"))
		{
			attr(r, "date1904", false, v, sizeof(v));
			w->date1904 = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
		}
		else if (is(r, XML_READER_TYPE_ELEMENT, "sheet"))
		{
			Sheet	   *s;
			long		cap = w->capsheets;

			if (w->nsheets >= w->lim->max_sheets)
				return fail(w, PJ_WB_LIMIT, "the workbook has more than %ld sheets", w->lim->max_sheets);
			if (!grow(w, (void **) &w->sheets, &cap, w->nsheets + 1, sizeof(Sheet)))
				return false;
			w->capsheets = (int) cap;
			s = &w->sheets[w->nsheets++];
			memset(s, 0, sizeof(*s));
			attr(r, "name", false, s->name, sizeof(s->name));
			attr(r, "id", true, s->rid, sizeof(s->rid));
			attr(r, "state", false, v, sizeof(v));
			s->hidden = strcmp(v, "hidden") == 0 || strcmp(v, "veryHidden") == 0;
		}
	}
	if (root && w->err->status == PJ_WB_OK)
		return fail(w, PJ_WB_CORRUPT, "%s is empty", p->name);
	return w->err->status == PJ_WB_OK;
}

static bool
walk_styles(Wb *w, Part *p, xmlTextReaderPtr r, void *ctx)
{
	int			in_xfs = -1;
	char		v[NAME_MAX_LEN];

	(void) ctx;
	while (next(p, r))
	{
		int			type = xmlTextReaderNodeType(r);

		if (is(r, XML_READER_TYPE_ELEMENT, "numFmt"))
		{
			NumFmt	   *f;

			if (!grow_int(w, (void **) &w->fmts, &w->capfmts, w->nfmts + 1, sizeof(NumFmt)))
				return false;
			if (w->nfmts >= 100000)
				return fail(w, PJ_WB_LIMIT, "%s has more than 100000 number formats", p->name);
			f = &w->fmts[w->nfmts];
			attr(r, "numFmtId", false, v, sizeof(v));
			f->id = atoi(v);
			attr(r, "formatCode", false, v, sizeof(v));
			f->code = strdup(v);
			if (f->code == NULL)
				return fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
			w->nfmts++;
		}
		else if (is(r, XML_READER_TYPE_ELEMENT, "cellXfs") && !xmlTextReaderIsEmptyElement(r))
			in_xfs = xmlTextReaderDepth(r);
		else if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == in_xfs)
			in_xfs = -1;
		else if (in_xfs >= 0 && xmlTextReaderDepth(r) == in_xfs + 1 && is(r, XML_READER_TYPE_ELEMENT, "xf"))
		{
			if (w->nxf >= 100000)
				return fail(w, PJ_WB_LIMIT, "%s has more than 100000 cell formats", p->name);
			if (!grow_int(w, (void **) &w->xf_fmt, &w->capxf, w->nxf + 1, sizeof(int)))
				return false;
			attr(r, "numFmtId", false, v, sizeof(v));
			w->xf_fmt[w->nxf++] = atoi(v);
		}
	}
	return w->err->status == PJ_WB_OK;
}

static bool
walk_strings(Wb *w, Part *p, xmlTextReaderPtr r, void *ctx)
{
	(void) ctx;
	while (next(p, r))
	{
		size_t		start;

		if (!is(r, XML_READER_TYPE_ELEMENT, "si"))
			continue;
		if (w->nsst >= w->lim->max_strings)
			return fail(w, PJ_WB_LIMIT, "the workbook has more than %ld shared strings", w->lim->max_strings);
		if (!grow(w, (void **) &w->sst_off, &w->capsst, w->nsst + 2, sizeof(size_t)))
			return false;
		start = w->sst.len;
		if (!element_text(w, p, r, true, &w->sst))
			return false;
		w->sst.len = start + shown_string(w->sst.p ? w->sst.p + start : NULL, w->sst.len - start);
		w->sst_off[w->nsst++] = start;
		w->sst_off[w->nsst] = w->sst.len;
	}
	return w->err->status == PJ_WB_OK;
}

/* The format code of a cell format index: NULL for General. */
static const char *
format_of(Wb *w, int xf)
{
	int			id,
				i;

	if (xf < 0 || xf >= w->nxf)
		return NULL;
	id = w->xf_fmt[xf];
	for (i = 0; i < w->nfmts; i++)
		if (w->fmts[i].id == id)
			return w->fmts[i].code;
	return pj_numfmt_builtin(id);
}

/* ------------------------------------------------------------ worksheets */

/* "B12" -> column 2, row 12; false if it is not a cell reference. */
static bool
cell_ref(const char *s, int *col, int *row)
{
	long		c = 0,
				r = 0;
	int			letters = 0,
				digits = 0;

	if (*s == '$')
		s++;
	for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++)
	{
		c = c * 26 + ((*s | 0x20) - 'a' + 1);
		if (++letters > 3)
			return false;
	}
	if (*s == '$')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
	{
		r = r * 10 + (*s - '0');
		if (++digits > 7)
			return false;
	}
	if (*s || !letters || !digits || c > MAX_COL || r < 1 || r > MAX_ROW)
		return false;
	*col = (int) c;
	*row = (int) r;
	return true;
}

typedef struct SheetState
{
	int			index;
	int			last_row;
	long		rows_before;
} SheetState;

static bool
add_cell(Wb *w, Part *p, SheetState *ss, int row, int col, const char *s, size_t len)
{
	Cell	   *c;

	if (len == 0)
		return true;
	if (row > ss->last_row)
	{
		if (row > w->lim->max_rows - ss->rows_before)
			return fail(w, PJ_WB_LIMIT, "sheet \"%s\" reaches row %d: more than %ld rows in the workbook",
						w->sheets[ss->index].name, row, w->lim->max_rows);
		ss->last_row = row;
	}
	if (len > w->lim->max_text - w->arena.len)
		return fail(w, PJ_WB_LIMIT, "sheet \"%s\" has more than %zu bytes of text",
					w->sheets[ss->index].name, w->lim->max_text);
	if (!grow(w, (void **) &w->cellv, &w->capcells, w->ncells + 1, sizeof(Cell)))
		return false;
	c = &w->cellv[w->ncells];
	c->row = row;
	c->col = col;
	c->seq = w->ncells;
	c->off = w->arena.len;
	c->len = len;
	c->hidden = false;
	w->ncells++;
	(void) p;
	return buf_add(w, &w->arena, s, len);
}

static bool
walk_sheet(Wb *w, Part *p, xmlTextReaderPtr r, void *ctx)
{
	SheetState *ss = ctx;
	int			row = 0,
				next_col = 1;
	char		v[NAME_MAX_LEN];
	Buf			val = {0},
				inl = {0};
	bool		ok = true;

	while (ok && next(p, r))
	{
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		if (is(r, XML_READER_TYPE_ELEMENT, "row"))
		{
			if (attr(r, "r", false, v, sizeof(v)))
			{
				long		n = strtol(v, NULL, 10);

				if (n < 1 || n > MAX_ROW)
				{
					ok = fail(w, PJ_WB_CORRUPT, "%s has a row numbered \"%.40s\"", p->name, v);
					break;
				}
				row = (int) n;
			}
			else if (++row > MAX_ROW)
			{
				ok = fail(w, PJ_WB_CORRUPT, "%s has more than %d rows", p->name, MAX_ROW);
				break;
			}
			next_col = 1;
		}
		else if (is(r, XML_READER_TYPE_ELEMENT, "c"))
		{
			char		type[16],
						shown[SHOWN_MAX];
			int			col,
						crow,
						xf = 0,
						depth;
			bool		has_v = false,
						has_is = false;
			const char *s = NULL;
			size_t		len = 0;

			if (++w->cells > w->lim->max_cells)
			{
				ok = fail(w, PJ_WB_LIMIT, "the workbook has more than %ld cells", w->lim->max_cells);
				break;
			}
			if ((w->cells & 4095) == 0 && stopped(w))
			{
				ok = false;
				break;
			}
			if (attr(r, "r", false, v, sizeof(v)))
			{
				if (!cell_ref(v, &col, &crow))
				{
					ok = fail(w, PJ_WB_CORRUPT, "%s has a cell at \"%.40s\", which is not a cell reference", p->name, v);
					break;
				}
			}
			else
			{
				col = next_col;
				crow = row > 0 ? row : 1;
				if (col > MAX_COL)
				{
					ok = fail(w, PJ_WB_CORRUPT, "%s has more than %d columns", p->name, MAX_COL);
					break;
				}
			}
			next_col = col + 1;
			if (attr(r, "s", false, v, sizeof(v)))
				xf = atoi(v);
			attr(r, "t", false, type, sizeof(type));
			if (xmlTextReaderIsEmptyElement(r))
				continue;
			val.len = inl.len = 0;
			depth = xmlTextReaderDepth(r);
			while ((ok = next(p, r)))
			{
				int			t = xmlTextReaderNodeType(r);

				if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == depth)
					break;
				if (is(r, XML_READER_TYPE_ELEMENT, "v"))
				{
					has_v = true;
					if (!(ok = element_text(w, p, r, false, &val)))
						break;
				}
				else if (is(r, XML_READER_TYPE_ELEMENT, "is"))
				{
					has_is = true;
					if (!(ok = element_text(w, p, r, true, &inl)))
						break;
				}
			}
			if (!ok)
			{
				fail(w, PJ_WB_CORRUPT, "%s ends inside a cell", p->name);
				break;
			}
			/* what the cell shows */
			if (strcmp(type, "inlineStr") == 0)
			{
				if (has_is)
				{
					inl.len = shown_string(inl.p, inl.len);
					s = inl.p;
					len = inl.len;
				}
			}
			else if (!has_v)
				continue;		/* a formula without its cached value, or nothing */
			else if (strcmp(type, "s") == 0)
			{
				char	   *end;
				long		i = strtol(val.p ? val.p : "", &end, 10);

				if (val.len == 0 || *end != '\0' || i < 0 || i >= w->nsst)
				{
					ok = fail(w, PJ_WB_CORRUPT, "%s refers to shared string \"%.40s\", which there is not",
							  p->name, val.p ? val.p : "");
					break;
				}
				s = w->sst.p + w->sst_off[i];
				len = w->sst_off[i + 1] - w->sst_off[i];
			}
			else if (strcmp(type, "b") == 0)
			{
				s = (val.len == 1 && val.p[0] == '1') ? "TRUE" : "FALSE";
				len = strlen(s);
			}
			else if (strcmp(type, "str") == 0 || strcmp(type, "e") == 0 || strcmp(type, "d") == 0)
			{
				val.len = shown_string(val.p, val.len);
				s = val.p;
				len = val.len;
			}
			else
			{
				/* a number, through its format; as stored if it is not one */
				int			n = pj_numfmt_render(val.p, val.len, format_of(w, xf), w->date1904,
												 shown, sizeof(shown));

				if (n >= 0)
				{
					s = shown;
					len = (size_t) n;
				}
				else
				{
					val.len = shown_string(val.p, val.len);
					s = val.p;
					len = val.len;
				}
			}
			if (!(ok = add_cell(w, p, ss, crow, col, s, len)))
				break;
		}
		else if (is(r, XML_READER_TYPE_ELEMENT, "mergeCell"))
		{
			Merge		m;
			char	   *colon;

			attr(r, "ref", false, v, sizeof(v));
			colon = strchr(v, ':');
			if (colon == NULL)
				continue;		/* one cell: nothing merged */
			*colon = '\0';
			if (!cell_ref(v, &m.c1, &m.r1) || !cell_ref(colon + 1, &m.c2, &m.r2))
			{
				ok = fail(w, PJ_WB_CORRUPT, "%s merges \"%.40s:%.40s\", which is not a range", p->name, v, colon + 1);
				break;
			}
			if (++w->cells > w->lim->max_cells)
			{
				ok = fail(w, PJ_WB_LIMIT, "the workbook has more than %ld cells", w->lim->max_cells);
				break;
			}
			if (!(ok = grow(w, (void **) &w->merges, &w->capmerges, w->nmerges + 1, sizeof(Merge))))
				break;
			w->merges[w->nmerges++] = m;
		}
	}
	free(val.p);
	free(inl.p);
	return ok && w->err->status == PJ_WB_OK;
}

static int
cmp_cell(const void *a, const void *b)
{
	const Cell *x = a,
			   *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool
add_line(Wb *w, int sheet, int row)
{
	if (w->nlines >= w->caplines)
	{
		int			ncap = w->caplines ? w->caplines * 2 : 256;
		int		   *a = realloc(w->line_sheet, (size_t) ncap * sizeof(int));

		if (a == NULL)
			return fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
		w->line_sheet = a;
		a = realloc(w->line_row, (size_t) ncap * sizeof(int));
		if (a == NULL)
			return fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
		w->line_row = a;
		w->caplines = ncap;
	}
	w->line_sheet[w->nlines] = sheet;
	w->line_row[w->nlines] = row;
	w->nlines++;
	return true;
}

static bool
text_add(Wb *w, const char *s, size_t n)
{
	if (n > w->lim->max_text - w->text.len)
		return fail(w, PJ_WB_LIMIT, "the workbook's text is more than %zu bytes", w->lim->max_text);
	return buf_add(w, &w->text, s, n);
}

/* One cell of tab-separated text: quoted where it holds a tab or a line break or begins or ends with a quote. */
static bool
put_cell(Wb *w, int sheet, int row, const char *s, size_t len)
{
	size_t		i;
	bool		quote = len > 0 && (s[0] == '"' || s[len - 1] == '"');

	for (i = 0; i < len && !quote; i++)
		quote = s[i] == '\t' || s[i] == '\n';
	if (!quote)
		return text_add(w, s, len);
	if (!text_add(w, "\"", 1))
		return false;
	for (i = 0; i < len; i++)
	{
		if (s[i] == '"' && !text_add(w, "\"", 1))
			return false;
		if (!text_add(w, s + i, 1))
			return false;
		if (s[i] == '\n' && !add_line(w, sheet, row))
			return false;
	}
	return text_add(w, "\"", 1);
}

/* Merged ranges show their top-left cell; the sheet's rows as lines. */
static bool
emit_sheet(Wb *w, int sheet, int last_row)
{
	long		i,
				m,
				work = 0;
	int			row;

	qsort(w->cellv, (size_t) w->ncells, sizeof(Cell), cmp_cell);
	for (m = 0; m < w->nmerges; m++)
	{
		const Merge *g = &w->merges[m];
		long		lo = 0,
					hi = w->ncells;

		while (lo < hi)
		{
			long		mid = lo + (hi - lo) / 2;

			if (w->cellv[mid].row < g->r1)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo; i < w->ncells && w->cellv[i].row <= g->r2; i++)
		{
			Cell	   *c = &w->cellv[i];

			if (++work > 4 * w->lim->max_cells)
				return fail(w, PJ_WB_LIMIT, "sheet \"%s\" has merged ranges over more than %ld cells",
							w->sheets[sheet].name, 4 * w->lim->max_cells);
			if (c->col >= g->c1 && c->col <= g->c2 && !(c->row == g->r1 && c->col == g->c1))
				c->hidden = true;
		}
	}
	i = 0;
	for (row = 1; row <= last_row; row++)
	{
		int			col = 1;

		if ((row & 4095) == 0 && stopped(w))
			return false;
		for (; i < w->ncells && w->cellv[i].row == row; i++)
		{
			const Cell *c = &w->cellv[i];

			if (c->hidden)
				continue;
			if (i + 1 < w->ncells && w->cellv[i + 1].row == row && w->cellv[i + 1].col == c->col)
				continue;		/* the later one wins */
			for (; col < c->col; col++)
				if (!text_add(w, "\t", 1))
					return false;
			if (!put_cell(w, sheet, row, w->arena.p + c->off, c->len))
				return false;
		}
		if (!text_add(w, "\n", 1) || !add_line(w, sheet, row))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ the whole */

static bool
contains(const unsigned char *d, size_t len, const char *needle, size_t n)
{
	size_t		i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(d + i, needle, n) == 0)
			return true;
	return false;
}

static bool
read_workbook(Wb *w)
{
	static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	zip_error_t ze;
	zip_source_t *src;
	zip_int64_t nentries;
	const Rel  *rel;
	char		wbpart[NAME_MAX_LEN],
				dir[NAME_MAX_LEN],
				relsname[2 * NAME_MAX_LEN + 16],
				name[NAME_MAX_LEN];
	int			i,
				visible = 0;

	if (w->data_len > w->lim->max_compressed)
		return fail(w, PJ_WB_LIMIT, "the file is %zu bytes, more than %zu", w->data_len, w->lim->max_compressed);
	if (w->data_len >= 8 && memcmp(w->data, ole, 8) == 0)
	{
		/* an encrypted .xlsx is an OLE file with these streams (names in UTF-16) */
		if (contains(w->data, w->data_len, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32))
			return fail(w, PJ_WB_ENCRYPTED, "it is an encrypted workbook (an OLE compound file with an EncryptedPackage)");
		return fail(w, PJ_WB_OLE, "it is an OLE compound file, such as an .xls (Excel 97-2003) workbook");
	}
	if (w->data_len < 4 || memcmp(w->data, "PK", 2) != 0)
		return fail(w, PJ_WB_NOT_XLSX, "it is not a zip archive (an .xlsx file begins with \"PK\")");

	zip_error_init(&ze);
	src = zip_source_buffer_create(w->data, w->data_len, 0, &ze);
	if (src == NULL)
	{
		zip_error_fini(&ze);
		return fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
	}
	w->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (w->za == NULL)
	{
		int			code = zip_error_code_zip(&ze);

		zip_source_free(src);
		if (code == ZIP_ER_MEMORY)
			fail(w, PJ_WB_NOMEM, "out of memory reading the workbook");
		else
			fail(w, PJ_WB_CORRUPT, "it is not a readable zip archive (%s)", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return false;
	}
	zip_error_fini(&ze);
	nentries = zip_get_num_entries(w->za, 0);
	if (nentries > w->lim->max_entries)
		return fail(w, PJ_WB_LIMIT, "the zip archive has %lld entries, more than %ld",
					(long long) nentries, w->lim->max_entries);

	/* the package's main part */
	if (!read_rels(w, "_rels/.rels", true, PJ_WB_NOT_XLSX))
		return false;
	rel = rel_of_type(w, "/officeDocument");
	if (rel == NULL)
		return fail(w, PJ_WB_NOT_XLSX, "its _rels/.rels names no main document");
	resolve("", rel->target, wbpart, sizeof(wbpart));
	if (ends_with(wbpart, ".bin"))
		return fail(w, PJ_WB_NOT_XLSX, "it is an .xlsb (binary) workbook");
	if (!read_part(w, wbpart, true, PJ_WB_NOT_XLSX, walk_workbook, NULL))
		return false;
	part_dir(wbpart, dir, sizeof(dir));
	{
		const char *base = wbpart + strlen(dir);

		snprintf(relsname, sizeof(relsname), "%s_rels/%s.rels", dir, base);
	}
	if (!read_rels(w, relsname, true, PJ_WB_CORRUPT))
		return false;
	for (i = 0; i < w->nsheets; i++)
	{
		int			k;

		for (k = 0; k < w->nrels; k++)
			if (strcmp(w->rels[k].id, w->sheets[i].rid) == 0 && !w->rels[k].external &&
				ends_with(w->rels[k].type, "/worksheet"))
				resolve(dir, w->rels[k].target, w->sheets[i].part, sizeof(w->sheets[i].part));
		/* a chart sheet or a dialog sheet has no part here: not read */
	}
	if ((rel = rel_of_type(w, "/styles")) != NULL)
	{
		resolve(dir, rel->target, name, sizeof(name));
		if (!read_part(w, name, true, PJ_WB_CORRUPT, walk_styles, NULL))
			return false;
	}
	if ((rel = rel_of_type(w, "/sharedStrings")) != NULL)
	{
		resolve(dir, rel->target, name, sizeof(name));
		if (!read_part(w, name, true, PJ_WB_CORRUPT, walk_strings, NULL))
			return false;
	}

	for (i = 0; i < w->nsheets; i++)
	{
		SheetState	ss;

		if (w->sheets[i].hidden || w->sheets[i].part[0] == '\0')
			continue;
		visible++;
		memset(&ss, 0, sizeof(ss));
		ss.index = i;
		ss.rows_before = w->rows;
		w->ncells = 0;
		w->nmerges = 0;
		w->arena.len = 0;
		if (!read_part(w, w->sheets[i].part, true, PJ_WB_CORRUPT, walk_sheet, &ss))
			return false;
		if (!emit_sheet(w, i, ss.last_row))
			return false;
		w->rows += ss.last_row;
	}
	if (visible == 0)
		return fail(w, PJ_WB_CORRUPT, "it has no visible worksheet");
	/* the line after the last: where a reader says "the document ends" */
	{
		int			s = w->nlines ? w->line_sheet[w->nlines - 1] : 0,
					r = w->nlines ? w->line_row[w->nlines - 1] + 1 : 1;

		if (w->nlines == 0)
			for (i = 0; i < w->nsheets; i++)
				if (!w->sheets[i].hidden && w->sheets[i].part[0])
				{
					s = i;
					break;
				}
		if (!add_line(w, s, r) || !buf_add(w, &w->text, "", 0))
			return false;
	}
	return true;
}

static void
wb_cleanup(Wb *w)
{
	int			i;

	if (w->za)
		zip_discard(w->za);
	free(w->rels);
	free(w->sheets);
	free(w->xf_fmt);
	for (i = 0; i < w->nfmts; i++)
		free(w->fmts[i].code);
	free(w->fmts);
	free(w->sst.p);
	free(w->sst_off);
	free(w->arena.p);
	free(w->cellv);
	free(w->merges);
}

PjWbStatus
pj_wb_read(const unsigned char *data, size_t len, const PjWbLimits *limits,
		   PjWbStop stop, void *stop_ctx, PjWorkbook *wb, PjWbError *err)
{
	Wb			w;
	int			i;

	memset(wb, 0, sizeof(*wb));
	memset(err, 0, sizeof(*err));
	memset(&w, 0, sizeof(w));
	w.lim = limits ? limits : &pj_wb_default_limits;
	w.stop = stop;
	w.stop_ctx = stop_ctx;
	w.err = err;
	w.data = data;
	w.data_len = len;

	if (read_workbook(&w) && err->status == PJ_WB_OK)
	{
		wb->sheet_names = calloc((size_t) (w.nsheets > 0 ? w.nsheets : 1), sizeof(char *));
		if (wb->sheet_names == NULL)
			fail(&w, PJ_WB_NOMEM, "out of memory reading the workbook");
		for (i = 0; i < w.nsheets && err->status == PJ_WB_OK; i++)
		{
			wb->sheet_names[i] = strdup(w.sheets[i].name);
			wb->nsheets = i + 1;
			if (wb->sheet_names[i] == NULL)
				fail(&w, PJ_WB_NOMEM, "out of memory reading the workbook");
		}
	}
	else if (err->status == PJ_WB_OK)
		fail(&w, PJ_WB_CORRUPT, "it cannot be read");
	wb_cleanup(&w);
	if (err->status != PJ_WB_OK)
	{
		free(w.text.p);
		free(w.line_sheet);
		free(w.line_row);
		pj_wb_free(wb);
		return err->status;
	}
	wb->text = w.text.p;
	wb->len = w.text.len;
	wb->nlines = w.nlines;
	wb->line_sheet = w.line_sheet;
	wb->line_row = w.line_row;
	return PJ_WB_OK;
}

void
pj_wb_free(PjWorkbook *wb)
{
	int			i;

	if (wb->sheet_names)
		for (i = 0; i < wb->nsheets; i++)
			free(wb->sheet_names[i]);
	free(wb->sheet_names);
	free(wb->text);
	free(wb->line_sheet);
	free(wb->line_row);
	memset(wb, 0, sizeof(*wb));
}
