/*
 * compat.h - the few places where PostgreSQL versions differ for pjeval's glue.
 * Only PostgreSQL 15 is built and tested; the 16+ branch is written, not tested.
 *
 * Soft errors: from PostgreSQL 16 an input function may report bad input
 * into fcinfo->context (an ErrorSaveContext) instead of throwing, which is
 * what pg_input_is_valid() and pg_input_error_message() use.  Older servers
 * have no such context, so the same call site throws there.  The report is
 * written once, in the parenthesised form both macros accept:
 *
 *		PJ_ERRSAVE(escontext, (errcode(...), errmsg(...)));
 *
 * The caller must return right after a PJ_ERRSAVE (on 16+ it returns to it
 * when the error was saved).
 */
#ifndef PJEVAL_COMPAT_H
#define PJEVAL_COMPAT_H

#include "postgres.h"
#include "fmgr.h"

#if PG_VERSION_NUM < 150000
#error "pjeval needs PostgreSQL 15 or later"
#endif

#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#define PJ_ESCONTEXT(fcinfo)		((fcinfo)->context)
#define PJ_ERRSAVE(escontext, rest) errsave((escontext), rest)
#else
#define PJ_ESCONTEXT(fcinfo)		((struct Node *) NULL)
#define PJ_ERRSAVE(escontext, rest) ereport(ERROR, rest)
#endif

#endif							/* PJEVAL_COMPAT_H */
