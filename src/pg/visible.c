/*
 * visible.c - the membership test of the row-level security policies
 * (60_security.sql): pjeval.visible(what, id), true when the role in effect
 * may see the row of unit, project, monitoring report or target form id.
 *
 * A policy calls it once per row, on a Citus cluster on the workers, inside
 * the query on a shard, where a sub-select in a policy is refused and a
 * query per row would cost a query per row.  So the answer is asked once
 * per call site and statement: the first call asks
 * pjeval.visible_ids(what, role) (SQL, SECURITY DEFINER: NULL for a
 * reviewer, else the ids the role may see, read from the membership tables
 * and the projects, reference tables that every node holds) and keeps the
 * sorted ids in fn_extra, which lives as long as the expression it belongs
 * to (one execution of a statement); each later call is a binary search.  A
 * change of the role in effect (a SECURITY DEFINER function called in the
 * same expression) asks again.  A NULL id (a row of no unit) is a
 * reviewer's alone.
 */
#include "compat.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

typedef struct VisibleCache
{
	Oid			role;			/* the role the answer is for */
	text	   *what;			/* the kind it is for */
	bool		all;			/* a reviewer: every row */
	int			n;
	int64	   *ids;			/* sorted */
} VisibleCache;

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Asks pjeval.visible_ids(what, role) and keeps its answer in c. */
static void
load_visible(FunctionCallInfo fcinfo, VisibleCache *c, text *what, Oid role)
{
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	char	   *nspname = get_namespace_name(nsp);
	Oid			argtypes[2] = {TEXTOID, NAMEOID};
	Oid			fn;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(call, 2);
	Datum		result;
	Name		rolename;

	if (nspname == NULL)
		elog(ERROR, "pjeval.visible(): the schema of the function is gone");
	fn = LookupFuncName(list_make2(makeString(nspname), makeString("visible_ids")), 2, argtypes, false);
	fmgr_info(fn, &flinfo);

	rolename = (Name) palloc0(NAMEDATALEN);
	namestrcpy(rolename, GetUserNameFromId(role, false));

	InitFunctionCallInfoData(*call, &flinfo, 2, InvalidOid, NULL, NULL);
	call->args[0].value = PointerGetDatum(what);
	call->args[0].isnull = false;
	call->args[1].value = NameGetDatum(rolename);
	call->args[1].isnull = false;

	/* a call that fails leaves no half answer behind: what is set last */
	if (c->ids != NULL)
		pfree(c->ids);
	if (c->what != NULL)
		pfree(c->what);
	c->ids = NULL;
	c->what = NULL;
	c->n = 0;
	result = FunctionCallInvoke(call);

	c->role = role;
	c->all = call->isnull;
	if (!call->isnull)
	{
		ArrayType  *arr = DatumGetArrayTypeP(result);
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;
		int			k = 0;

		if (ARR_ELEMTYPE(arr) != INT8OID)
			elog(ERROR, "pjeval.visible_ids() must return bigint[]");
		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &nelems);
		c->ids = (int64 *) MemoryContextAlloc(mcxt, sizeof(int64) * Max(nelems, 1));
		for (int i = 0; i < nelems; i++)
			if (!nulls[i])
				c->ids[k++] = DatumGetInt64(elems[i]);
		qsort(c->ids, k, sizeof(int64), cmp_int64);
		c->n = k;
	}
	c->what = (text *) MemoryContextAlloc(mcxt, VARSIZE_ANY(what));
	memcpy(c->what, what, VARSIZE_ANY(what));
}

PG_FUNCTION_INFO_V1(pj_visible);

Datum
pj_visible(PG_FUNCTION_ARGS)
{
	VisibleCache *c = (VisibleCache *) fcinfo->flinfo->fn_extra;
	Oid			role = GetUserId();
	text	   *what;
	int64		id;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("pjeval.visible(): what must be unit, project, monitoring or target, not NULL")));
	what = PG_GETARG_TEXT_PP(0);
	if (c == NULL)
	{
		c = (VisibleCache *) MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(VisibleCache));
		fcinfo->flinfo->fn_extra = c;
	}
	if (c->what == NULL || c->role != role
		|| VARSIZE_ANY_EXHDR(c->what) != VARSIZE_ANY_EXHDR(what)
		|| memcmp(VARDATA_ANY(c->what), VARDATA_ANY(what), VARSIZE_ANY_EXHDR(what)) != 0)
		load_visible(fcinfo, c, what, role);
	if (c->all)
		PG_RETURN_BOOL(true);
	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	id = PG_GETARG_INT64(1);
	PG_RETURN_BOOL(c->n > 0 && bsearch(&id, c->ids, c->n, sizeof(int64), cmp_int64) != NULL);
}
