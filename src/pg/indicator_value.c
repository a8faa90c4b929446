/*
 * indicator_value.c - fmgr glue for the type pjeval.indicator_value.
 *
 * Only converts Datums and reports errors the PostgreSQL way: what a value
 * means is decided by the core (src/core/ivalue.h), the one reader that
 * every SQL entry point (the type input, recv, try_indicator_value,
 * indicator_value_error) calls.
 *
 * On disk a value is a varlena whose payload is exactly the block written by
 * iv_pack(): clauses plus canonical text, in native byte order.  That block
 * never leaves the server, and is read back only through iv_unpack (glue.h),
 * which refuses a block the reader could not have written (XX001).
 *
 * Binary wire format (send/recv, COPY ... (FORMAT binary)), version 1:
 *
 *		byte 0		format version, always 1
 *		bytes 1..	the canonical text, UTF-8, no terminator and no length
 *					(the enclosing protocol message or COPY field carries it)
 *
 * The text is UTF-8 whatever client_encoding is, so a binary dump reads the
 * same everywhere.  recv treats the bytes as untrusted: it checks the version,
 * checks the bytes are valid UTF-8, and reads the text with the same reader
 * as the text input, so anything the text input accepts is accepted (and
 * canonicalised), and nothing else.  A future version 2 will get a new
 * version byte; version 1 stays readable.
 *
 * Comparison: two values are equal iff their canonical texts are byte-equal
 * (equal values have equal iv_pack bytes, so the datum image is a valid
 * equality image too).  The order is bytewise on the canonical text, shorter
 * first on a tie: arbitrary but stable, meant for indexes, DISTINCT, GROUP BY
 * and merge joins, not as a "larger value" order.
 *
 * Errors: character positions in messages count from 1, like SQL's
 * position(); the core counts from 0.
 */
#include "glue.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

#define IV_WIRE_VERSION		1

/* Columns of clauses(v) */
#define IV_CLAUSE_COLS		10

PG_FUNCTION_INFO_V1(indicator_value_in);
PG_FUNCTION_INFO_V1(indicator_value_out);
PG_FUNCTION_INFO_V1(indicator_value_recv);
PG_FUNCTION_INFO_V1(indicator_value_send);
PG_FUNCTION_INFO_V1(indicator_value_eq);
PG_FUNCTION_INFO_V1(indicator_value_ne);
PG_FUNCTION_INFO_V1(indicator_value_lt);
PG_FUNCTION_INFO_V1(indicator_value_le);
PG_FUNCTION_INFO_V1(indicator_value_gt);
PG_FUNCTION_INFO_V1(indicator_value_ge);
PG_FUNCTION_INFO_V1(indicator_value_cmp);
PG_FUNCTION_INFO_V1(indicator_value_hash);
PG_FUNCTION_INFO_V1(indicator_value_hash_extended);
PG_FUNCTION_INFO_V1(try_indicator_value);
PG_FUNCTION_INFO_V1(indicator_read_values);
PG_FUNCTION_INFO_V1(indicator_value_error);
PG_FUNCTION_INFO_V1(indicator_value_kind);
PG_FUNCTION_INFO_V1(indicator_value_comparison);
PG_FUNCTION_INFO_V1(indicator_value_number);
PG_FUNCTION_INFO_V1(indicator_value_base_value);
PG_FUNCTION_INFO_V1(indicator_value_base_upper);
PG_FUNCTION_INFO_V1(indicator_value_unit);
PG_FUNCTION_INFO_V1(indicator_value_base_unit);
PG_FUNCTION_INFO_V1(indicator_value_dimension);
PG_FUNCTION_INFO_V1(indicator_value_label);
PG_FUNCTION_INFO_V1(indicator_value_is_qualitative);
PG_FUNCTION_INFO_V1(indicator_value_is_claim);
PG_FUNCTION_INFO_V1(indicator_value_is_not_applicable);
PG_FUNCTION_INFO_V1(indicator_value_is_empty);
PG_FUNCTION_INFO_V1(indicator_value_clause_count);
PG_FUNCTION_INFO_V1(indicator_value_clauses);


/* ---------- reading text ---------- */


/*
 * The reader's tables are UTF-8, and a value read in any other server
 * encoding would silently mean something else; so refuse, and say why.
 */
void
pj_require_utf8(void)
{
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pjeval requires a UTF-8 database"),
				 errdetail("The encoding of the current database is %s.",
						   GetDatabaseEncodingName()),
				 errhint("Create the database with ENCODING 'UTF8' (for example CREATE DATABASE name TEMPLATE template0 ENCODING 'UTF8'), and use pjeval there.")));
}

static bytea *
pack_value(const IvValue *v)
{
	size_t		n = iv_packed_size(v);
	bytea	   *result = (bytea *) palloc(VARHDRSZ + n);

	SET_VARSIZE(result, VARHDRSZ + n);
	iv_pack(v, (uint8_t *) VARDATA(result));
	return result;
}

/*
 * Read len bytes of text into a packed datum, or return NULL with *err
 * filled.  Over-long input is refused before the canonical-text buffer is
 * sized from it, so a huge text never turns into a huge allocation.
 */
static bytea *
parse_value(const char *in, size_t len, IvError *err)
{
	IvValue		v;
	size_t		cap;
	char		stack_buf[512];
	char	   *buf;
	bytea	   *result;

	memset(err, 0, sizeof(*err));
	if (len > IV_MAX_INPUT)
	{
		/* the core would refuse it too; describe_error() words it */
		err->status = IV_ERR_TOO_LONG;
		err->offset = IV_MAX_INPUT;
		return NULL;
	}

	/* most values are a few bytes: no allocation for their canonical text */
	cap = iv_text_capacity(len);
	buf = cap <= sizeof(stack_buf) ? stack_buf : palloc(cap);
	result = iv_parse(in, len, &v, buf, cap, err) ? pack_value(&v) : NULL;
	if (buf != stack_buf)
		pfree(buf);
	return result;
}

/*
 * Why the text did not read, for errdetail and indicator_value_error():
 * "Reading stopped at character 3: unknown unit at "xx"." (characters from 1).
 */
static char *
describe_error(size_t len, const IvError *err)
{
	StringInfoData s;
	size_t		dlen = strnlen(err->detail, sizeof(err->detail));

	initStringInfo(&s);
	if (err->status == IV_ERR_TOO_LONG && len > IV_MAX_INPUT)
	{
		appendStringInfo(&s, "The input has %zu bytes; at most %d are accepted.",
						 len, IV_MAX_INPUT);
		return s.data;
	}

	if (err->offset >= len)
		appendStringInfoString(&s, "Reading stopped at the end of the input");
	else
		appendStringInfo(&s, "Reading stopped at character %zu",
						 err->char_offset + 1);
	if (dlen > 0)
	{
		appendStringInfoString(&s, ": ");
		appendBinaryStringInfo(&s, err->detail, (int) dlen);
	}
	if (s.data[s.len - 1] != '.')
		appendStringInfoChar(&s, '.');
	return s.data;
}

/*
 * Report a failed read of the NUL-terminated input (valid server-encoded
 * text), into escontext when the caller has one (soft error, 16+), else by
 * throwing.  Returns only after a soft error.
 */
static void
report_error(const char *input, size_t len, const IvError *err,
			 struct Node *escontext)
{
	char	   *detail = describe_error(len, err);
	const char *hint = err->hint;

	switch (err->status)
	{
		case IV_ERR_RANGE:
			PJ_ERRSAVE(escontext,
					   (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						errmsg("value \"%s\" is out of range for type %s",
							   input, IV_TYPE_NAME),
						errdetail("%s", detail),
						hint ? errhint("%s", hint) : 0));
			break;
		case IV_ERR_ENCODING:
			PJ_ERRSAVE(escontext,
					   (errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
						errmsg("unsupported character in input for type %s: \"%s\"",
							   IV_TYPE_NAME, input),
						errdetail("%s", detail),
						hint ? errhint("%s", hint) : 0));
			break;
		case IV_ERR_TOO_LONG:
			/* not echoed: it may be a megabyte */
			PJ_ERRSAVE(escontext,
					   (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("input for type %s is too long", IV_TYPE_NAME),
						errdetail("%s", detail),
						hint ? errhint("%s", hint) : 0));
			break;
		case IV_ERR_SYNTAX:
		default:
			PJ_ERRSAVE(escontext,
					   (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("invalid input syntax for type %s: \"%s\"",
							   IV_TYPE_NAME, input),
						errdetail("%s", detail),
						hint ? errhint("%s", hint) : 0));
			break;
	}
}


/* ---------- reading datums ---------- */

#define GETARG_IV(n, v) pj_fetch_value(PG_GETARG_DATUM(n), (v))

/* Scalar accessors answer only for a value of exactly one clause. */
static const IvClause *
single_clause(const IvValue *v)
{
	if (v->nclauses == 1 &&
		(v->kind == IV_KIND_QUANTITY || v->kind == IV_KIND_CLAIM))
		return &v->clauses[0];
	return NULL;
}

static text *
span_text(const IvValue *v, uint16_t off, uint16_t len)
{
	return cstring_to_text_with_len(v->text + off, len);
}

/*
 * d x factor as an exact numeric, keeping the scale as written: the
 * product's coefficient is built from integers and the power of ten goes
 * into numeric_in's exponent, so no float is ever involved.  e.g. 461.74万元
 * is 46174e-2 x 1e4 -> "46174e2" -> 4617400.
 */
static Datum
decimal_numeric(IvDecimal d, IvDecimal factor)
{
	char		buf[64];
	Datum		n;

	snprintf(buf, sizeof(buf), INT64_FORMAT "e" INT64_FORMAT,
			 (int64) d.coef, (int64) d.exp + (int64) factor.exp);
	n = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	if (factor.coef != 1)
	{
		Datum		f;

		snprintf(buf, sizeof(buf), INT64_FORMAT, (int64) factor.coef);
		f = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
								ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		n = DirectFunctionCall2(numeric_mul, n, f);
	}
	return n;
}

static const IvDecimal iv_one = {1, 0};

static Datum
number_numeric(IvDecimal d)
{
	return decimal_numeric(d, iv_one);
}

/* A date's number is a yyyymmdd code: it has no base unit to convert to. */
static IvDecimal
clause_factor(const IvClause *c)
{
	if (c->dim == IV_DIM_DATE)
		return iv_one;
	return iv_clause_factor(c);
}

static Datum
base_numeric(const IvClause *c, IvDecimal d)
{
	return decimal_numeric(d, clause_factor(c));
}

/* The base unit's name, or NULL for a bare number. */
static text *
base_unit_text(const IvValue *v, const IvClause *c)
{
	size_t		cap = 64 + (size_t) c->per_len + 1;
	char	   *buf = palloc(cap);
	size_t		n = iv_clause_base_unit(v, c, buf, cap);

	if (n == 0)
		return NULL;
	return cstring_to_text_with_len(buf, (int) n);
}


/* ---------- I/O ---------- */

/*
 * Bulk loads repeat the same cells over and over (≥90%, 100%, 不适用), so
 * each call site (a COPY column, a cast in a query) keeps the values it
 * read last in a small direct-mapped cache in fn_extra, and a repeat costs
 * a hash and a copy instead of a read.  Reading is a pure function of the
 * text, so a cached value is exactly what reading again would give.
 */
#define IN_CACHE_SLOTS		256
#define IN_CACHE_TEXT		48		/* longer inputs are read every time */
#define IN_CACHE_VALUE		160

typedef struct InCacheSlot
{
	uint8		text_len;
	uint8		value_len;		/* 0: empty slot */
	char		text[IN_CACHE_TEXT];
	char		value[IN_CACHE_VALUE];	/* the whole varlena */
} InCacheSlot;

static bytea *
cached_parse(FunctionCallInfo fcinfo, const char *str, size_t len, IvError *err)
{
	InCacheSlot *cache = (InCacheSlot *) fcinfo->flinfo->fn_extra;
	InCacheSlot *slot;
	bytea	   *result;

	if (len == 0 || len > IN_CACHE_TEXT)
		return parse_value(str, len, err);
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(InCacheSlot) * IN_CACHE_SLOTS);
		fcinfo->flinfo->fn_extra = cache;
	}
	slot = &cache[hash_bytes((const unsigned char *) str, (int) len) % IN_CACHE_SLOTS];
	if (slot->value_len > 0 && slot->text_len == len && memcmp(slot->text, str, len) == 0)
	{
		result = palloc(slot->value_len);
		memcpy(result, slot->value, slot->value_len);
		return result;
	}
	result = parse_value(str, len, err);
	if (result != NULL && VARSIZE(result) <= IN_CACHE_VALUE)
	{
		slot->text_len = (uint8) len;
		memcpy(slot->text, str, len);
		slot->value_len = (uint8) VARSIZE(result);
		memcpy(slot->value, result, VARSIZE(result));
	}
	return result;
}

Datum
indicator_value_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	IvError		err;
	bytea	   *result;

	pj_require_utf8();
	result = cached_parse(fcinfo, str, len, &err);
	if (result == NULL)
	{
		report_error(str, len, &err, PJ_ESCONTEXT(fcinfo));
		PG_RETURN_DATUM((Datum) 0);		/* soft error saved */
	}
	PG_RETURN_BYTEA_P(result);
}

Datum
indicator_value_out(PG_FUNCTION_ARGS)
{
	IvValue		v;
	char	   *s;

	GETARG_IV(0, &v);
	s = palloc(v.text_len + 1);
	if (v.text_len > 0)
		memcpy(s, v.text, v.text_len);
	s[v.text_len] = '\0';
	PG_RETURN_CSTRING(s);
}

Datum
indicator_value_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int			nbytes;
	const char *data;
	char	   *str;
	IvError		err;
	bytea	   *result;

	pj_require_utf8();
	if (msg->cursor >= msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type %s", IV_TYPE_NAME),
				 errdetail("The value is empty; it must start with the format version byte %d.",
						   IV_WIRE_VERSION)));
	version = pq_getmsgbyte(msg);
	if (version != IV_WIRE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary format version %d for type %s",
						version, IV_TYPE_NAME),
				 errdetail("This server reads version %d.", IV_WIRE_VERSION)));

	nbytes = msg->len - msg->cursor;
	data = pq_getmsgbytes(msg, nbytes);
	/* untrusted bytes: raises 22021 for invalid UTF-8 or a NUL byte */
	pg_verify_mbstr(PG_UTF8, data, nbytes, false);
	str = pnstrdup(data, nbytes);

	result = parse_value(str, (size_t) nbytes, &err);
	if (result == NULL)
		report_error(str, (size_t) nbytes, &err, NULL);
	pfree(str);
	PG_RETURN_BYTEA_P(result);
}

Datum
indicator_value_send(PG_FUNCTION_ARGS)
{
	IvValue		v;
	StringInfoData buf;

	GETARG_IV(0, &v);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, IV_WIRE_VERSION);
	if (v.text_len > 0)
		pq_sendbytes(&buf, v.text, v.text_len);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}


/* ---------- comparison and hashing ---------- */

static int
compare_args(FunctionCallInfo fcinfo)
{
	IvValue		a,
				b;
	struct varlena *pa = GETARG_IV(0, &a);
	struct varlena *pb = GETARG_IV(1, &b);
	size_t		n = Min(a.text_len, b.text_len);
	int			r = n > 0 ? memcmp(a.text, b.text, n) : 0;

	if (r == 0)
		r = (a.text_len > b.text_len) - (a.text_len < b.text_len);
	else
		r = r > 0 ? 1 : -1;

	/* sorts and index builds call this a great many times */
	PG_FREE_IF_COPY(pa, 0);
	PG_FREE_IF_COPY(pb, 1);
	return r;
}

Datum
indicator_value_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) == 0);
}

Datum
indicator_value_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) != 0);
}

Datum
indicator_value_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) < 0);
}

Datum
indicator_value_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) <= 0);
}

Datum
indicator_value_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) > 0);
}

Datum
indicator_value_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) >= 0);
}

Datum
indicator_value_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compare_args(fcinfo));
}

Datum
indicator_value_hash(PG_FUNCTION_ARGS)
{
	IvValue		v;
	struct varlena *p = GETARG_IV(0, &v);
	Datum		h = hash_any((const unsigned char *) (v.text_len > 0 ? v.text : ""),
							 v.text_len);

	PG_FREE_IF_COPY(p, 0);
	PG_RETURN_DATUM(h);
}

Datum
indicator_value_hash_extended(PG_FUNCTION_ARGS)
{
	IvValue		v;
	struct varlena *p = GETARG_IV(0, &v);
	Datum		h = hash_any_extended((const unsigned char *) (v.text_len > 0 ? v.text : ""),
									  v.text_len, (uint64) PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(p, 0);
	PG_RETURN_DATUM(h);
}


/* ---------- non-throwing reading ---------- */

Datum
try_indicator_value(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	IvError		err;
	bytea	   *result;

	pj_require_utf8();
	result = parse_value(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &err);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(result);
}

/*
 * indicator_read_values(): the BEFORE INSERT OR UPDATE row trigger that read
 * target and actual of pjeval.indicator up to 0.2.0, where they are now
 * generated columns.  Kept only for a database still at 0.1.0 or 0.2.0: its
 * trigger keeps working with this library until ALTER EXTENSION pjeval
 * UPDATE drops it (and those versions' install scripts still load).  Exactly
 * target := try_indicator_value(coalesce(target_text, '')), the same for
 * actual; it writes the value's bytes, so it refuses a table whose columns
 * are not text and this extension's indicator_value (39P01).
 */
Datum
indicator_read_values(PG_FUNCTION_ARGS)
{
	static const char *const names[2][2] = {{"target_text", "target"}, {"actual_text", "actual"}};
	TriggerData *trig = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;
	Oid			value_type;
	int			replace[2];
	Datum		values[2];
	bool		nulls[2];
	int			k;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trig->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trig->tg_event) || TRIGGER_FIRED_BY_DELETE(trig->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("indicator_read_values() must be fired BEFORE INSERT OR UPDATE, FOR EACH ROW")));
	pj_require_utf8();
	desc = RelationGetDescr(trig->tg_relation);
	value_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("indicator_value"),
								 ObjectIdGetDatum(get_func_namespace(fcinfo->flinfo->fn_oid)));
	tuple = TRIGGER_FIRED_BY_UPDATE(trig->tg_event) ? trig->tg_newtuple : trig->tg_trigtuple;
	for (k = 0; k < 2; k++)
	{
		int			text_att = SPI_fnumber(desc, names[k][0]);
		int			value_att = SPI_fnumber(desc, names[k][1]);
		bool		isnull;
		text	   *t;
		IvError		err;
		bytea	   *value;

		if (text_att <= 0 || TupleDescAttr(desc, text_att - 1)->atttypid != TEXTOID ||
			value_att <= 0 || !OidIsValid(value_type) ||
			TupleDescAttr(desc, value_att - 1)->atttypid != value_type)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("indicator_read_values() needs columns \"%s\" of type text and \"%s\" of type indicator_value in table \"%s\"",
							names[k][0], names[k][1], RelationGetRelationName(trig->tg_relation)),
					 errhint("It is the trigger of pjeval.indicator up to 0.2.0; ALTER EXTENSION pjeval UPDATE replaces it with generated columns.")));
		t = heap_attisnull(tuple, text_att, desc) ? NULL
			: DatumGetTextPP(heap_getattr(tuple, text_att, desc, &isnull));
		value = parse_value(t ? VARDATA_ANY(t) : "", t ? VARSIZE_ANY_EXHDR(t) : 0, &err);
		replace[k] = value_att;
		values[k] = PointerGetDatum(value);
		nulls[k] = value == NULL;
	}
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 2, replace, values, nulls));
}

Datum
indicator_value_error(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	IvError		err;
	bytea	   *result;

	pj_require_utf8();
	result = parse_value(VARDATA_ANY(t), len, &err);
	if (result != NULL)
	{
		pfree(result);
		PG_RETURN_NULL();
	}
	PG_RETURN_TEXT_P(cstring_to_text(describe_error(len, &err)));
}


/* ---------- accessors ---------- */

Datum
indicator_value_kind(PG_FUNCTION_ARGS)
{
	IvValue		v;

	GETARG_IV(0, &v);
	PG_RETURN_TEXT_P(cstring_to_text(iv_kind_name((IvKind) v.kind)));
}

Datum
indicator_value_comparison(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(iv_cmp_symbol((IvCmp) c->cmp)));
}

Datum
indicator_value_number(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(number_numeric(c->value));
}

Datum
indicator_value_base_value(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(base_numeric(c, c->value));
}

Datum
indicator_value_base_upper(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL || c->cmp != IV_CMP_RANGE)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(base_numeric(c, c->upper));
}

Datum
indicator_value_unit(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL || c->unit_len == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(span_text(&v, c->unit_off, c->unit_len));
}

Datum
indicator_value_base_unit(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;
	text	   *t;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL || (t = base_unit_text(&v, c)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(t);
}

Datum
indicator_value_dimension(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(iv_dim_name((IvDim) c->dim)));
}

Datum
indicator_value_label(PG_FUNCTION_ARGS)
{
	IvValue		v;
	const IvClause *c;

	GETARG_IV(0, &v);
	if ((c = single_clause(&v)) == NULL || c->label_len == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(span_text(&v, c->label_off, c->label_len));
}

Datum
indicator_value_is_qualitative(PG_FUNCTION_ARGS)
{
	IvValue		v;

	GETARG_IV(0, &v);
	PG_RETURN_BOOL(v.kind == IV_KIND_QUALITATIVE || v.kind == IV_KIND_CLAIM);
}

Datum
indicator_value_is_claim(PG_FUNCTION_ARGS)
{
	IvValue		v;

	GETARG_IV(0, &v);
	PG_RETURN_BOOL(v.kind == IV_KIND_CLAIM);
}

Datum
indicator_value_is_not_applicable(PG_FUNCTION_ARGS)
{
	IvValue		v;

	GETARG_IV(0, &v);
	PG_RETURN_BOOL(v.kind == IV_KIND_NOT_APPLICABLE);
}

Datum
indicator_value_is_empty(PG_FUNCTION_ARGS)
{
	IvValue		v;

	GETARG_IV(0, &v);
	PG_RETURN_BOOL(v.kind == IV_KIND_EMPTY);
}

Datum
indicator_value_clause_count(PG_FUNCTION_ARGS)
{
	IvValue		v;

	GETARG_IV(0, &v);
	PG_RETURN_INT32((int32) v.nclauses);
}

/*
 * clauses(v): one row per clause, in the order written.  Value-per-call, so
 * the same code runs on 13..17; the unpacked value lives in the multi-call
 * context, over its own copy of the datum (v.text points into it).
 */
Datum
indicator_value_clauses(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	IvValue    *v;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;
		TupleDesc	tupdesc;
		struct varlena *copy;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning record called in context that cannot accept type record")));
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);

		copy = PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
		v = (IvValue *) palloc(sizeof(IvValue));
		pj_fetch_value(PointerGetDatum(copy), v);
		funcctx->user_fctx = v;
		funcctx->max_calls = v->nclauses;

		MemoryContextSwitchTo(oldcontext);
	}

	funcctx = SRF_PERCALL_SETUP();
	v = (IvValue *) funcctx->user_fctx;

	if (funcctx->call_cntr < funcctx->max_calls)
	{
		const IvClause *c = &v->clauses[funcctx->call_cntr];
		bool		is_range = (c->cmp == IV_CMP_RANGE);
		Datum		values[IV_CLAUSE_COLS];
		bool		nulls[IV_CLAUSE_COLS];
		text	   *bu;
		HeapTuple	tuple;

		memset(nulls, 0, sizeof(nulls));

		values[0] = Int32GetDatum((int32) funcctx->call_cntr + 1);	/* position */
		if (c->label_len > 0)	/* label */
			values[1] = PointerGetDatum(span_text(v, c->label_off, c->label_len));
		else
			nulls[1] = true;
		values[2] = PointerGetDatum(cstring_to_text(iv_cmp_symbol((IvCmp) c->cmp)));
		values[3] = number_numeric(c->value);	/* number */
		if (is_range)			/* upper */
			values[4] = number_numeric(c->upper);
		else
			nulls[4] = true;
		if (c->unit_len > 0)	/* unit */
			values[5] = PointerGetDatum(span_text(v, c->unit_off, c->unit_len));
		else
			nulls[5] = true;
		values[6] = base_numeric(c, c->value);	/* base_value */
		if (is_range)			/* base_upper */
			values[7] = base_numeric(c, c->upper);
		else
			nulls[7] = true;
		if ((bu = base_unit_text(v, c)) != NULL)	/* base_unit */
			values[8] = PointerGetDatum(bu);
		else
			nulls[8] = true;
		values[9] = PointerGetDatum(cstring_to_text(iv_dim_name((IvDim) c->dim)));

		tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}

	SRF_RETURN_DONE(funcctx);
}
