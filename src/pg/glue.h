/*
 * glue.h - what more than one fmgr file needs to read a stored
 * indicator_value: the type's name for messages and the unpacking of a
 * datum.
 *
 * Unpacking is inline because scoring calls it twice per row: a value stored
 * in a table arrives as a short (1-byte header) varlena, which
 * PG_DETOAST_DATUM_PACKED hands back as it is, so reading a row copies
 * nothing but the clauses.
 */
#ifndef PJEVAL_GLUE_H
#define PJEVAL_GLUE_H

#include "compat.h"

#include "ivalue.h"

#define IV_TYPE_NAME		"indicator_value"

/* Raises a clear error unless the database is UTF-8 (the reader's tables are). */
extern void pj_require_utf8(void);

/*
 * A numeric argument as the core's exact decimal (scoring.c): 22023 for NaN
 * or an infinity, and with nonnegative for a negative number (hint says
 * what is expected); 22003 beyond the core's 18 digits.
 */
extern IvDecimal pj_numeric_arg(Datum num, const char *what, bool nonnegative, const char *hint);

/*
 * Unpack a stored value.  v->text points into the returned (possibly
 * detoasted) block, which must outlive v.  A block iv_unpack refuses (a
 * damaged page, a binary-coercible cast from bytea) raises XX001 here, before
 * anything reads a field of it.
 */
static inline struct varlena *
pj_fetch_value(Datum d, IvValue *v)
{
	struct varlena *p = PG_DETOAST_DATUM_PACKED(d);

	if (!iv_unpack((const uint8_t *) VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p), v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored %s is damaged", IV_TYPE_NAME),
				 errdetail("Its %zu bytes are not a block pjeval writes: a field is out of range, or the block is cut short.",
						   (size_t) VARSIZE_ANY_EXHDR(p)),
				 errhint("A damaged page, or a value made by a cast from another type, can cause this; enter the value again from its text.")));
	return p;
}

#endif							/* PJEVAL_GLUE_H */
