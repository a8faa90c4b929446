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

/*
 * Unpack a stored value.  v->text points into the returned (possibly
 * detoasted) block, which must outlive v.
 */
static inline struct varlena *
pj_fetch_value(Datum d, IvValue *v)
{
	struct varlena *p = PG_DETOAST_DATUM_PACKED(d);

	if (!iv_unpack((const uint8_t *) VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p), v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid stored value of type %s", IV_TYPE_NAME),
				 errdetail("The stored block of %zu bytes does not unpack.",
						   (size_t) VARSIZE_ANY_EXHDR(p))));
	return p;
}

#endif							/* PJEVAL_GLUE_H */
