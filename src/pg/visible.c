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
 *
 * pjeval.may_write(tbl, what, id), the policies' WITH CHECK, is visible()
 * that refuses a row it does not let through with the table's name.
 *
 * The planner is told how many rows pass (pj_visible_support): all of them
 * for a reviewer, for others as many as "id = ANY (the ids they may see)"
 * would let through, so that a reviewer's report is planned for every form
 * (hash joins) and a member's for its few.  The plans of queries with
 * row-level security are made per role, so an estimate for one role is not
 * used for another.
 */
#include "compat.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
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

/*
 * Asks pjeval.visible_ids(what, role) (in the schema of function self) and
 * keeps its answer in c, allocated in mcxt.
 */
static void
load_visible(Oid self, MemoryContext mcxt, VisibleCache *c, text *what, Oid role)
{
	char	   *nspname = get_namespace_name(get_func_namespace(self));
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

/*
 * visible(what, id), with what the argument at position arg and id the next.
 */
static bool
visible_at(FunctionCallInfo fcinfo, int arg)
{
	VisibleCache *c = (VisibleCache *) fcinfo->flinfo->fn_extra;
	Oid			role = GetUserId();
	text	   *what;
	int64		id;

	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("pjeval.visible(): what must be unit, project, monitoring or target, not NULL")));
	what = PG_GETARG_TEXT_PP(arg);
	if (c == NULL)
	{
		c = (VisibleCache *) MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(VisibleCache));
		fcinfo->flinfo->fn_extra = c;
	}
	if (c->what == NULL || c->role != role
		|| VARSIZE_ANY_EXHDR(c->what) != VARSIZE_ANY_EXHDR(what)
		|| memcmp(VARDATA_ANY(c->what), VARDATA_ANY(what), VARSIZE_ANY_EXHDR(what)) != 0)
		load_visible(fcinfo->flinfo->fn_oid, fcinfo->flinfo->fn_mcxt, c, what, role);
	if (c->all)
		return true;
	if (PG_ARGISNULL(arg + 1))
		return false;
	id = PG_GETARG_INT64(arg + 1);
	return c->n > 0 && bsearch(&id, c->ids, c->n, sizeof(int64), cmp_int64) != NULL;
}

PG_FUNCTION_INFO_V1(pj_visible);

Datum
pj_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(visible_at(fcinfo, 0));
}

/*
 * may_write(tbl, what, id): the WITH CHECK of the policies, true when
 * visible(what, id), else PostgreSQL's refusal of a new row with the table
 * named tbl.  On a Citus cluster the check runs on the shard, whose name
 * PostgreSQL's own message would give (indicator_102108).
 */
PG_FUNCTION_INFO_V1(pj_may_write);

Datum
pj_may_write(PG_FUNCTION_ARGS)
{
	if (visible_at(fcinfo, 1))
		PG_RETURN_BOOL(true);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("new row violates row-level security policy for table \"%s\"",
					PG_ARGISNULL(0) ? "?" : text_to_cstring(PG_GETARG_TEXT_PP(0)))));
	PG_RETURN_BOOL(false);		/* not reached */
}

PG_FUNCTION_INFO_V1(pj_visible_support);

Datum
pj_visible_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSelectivity *req;
	Node	   *what;
	Node	   *id;
	VisibleCache c = {0};

	if (!IsA(rawreq, SupportRequestSelectivity))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSelectivity *) rawreq;
	if (list_length(req->args) != 2)
		PG_RETURN_POINTER(NULL);
	what = (Node *) linitial(req->args);
	id = (Node *) lsecond(req->args);
	if (!IsA(what, Const) || ((Const *) what)->constisnull)
		PG_RETURN_POINTER(NULL);

	load_visible(req->funcid, CurrentMemoryContext, &c, DatumGetTextPP(((Const *) what)->constvalue), GetUserId());
	if (c.all)
		req->selectivity = 1.0;
	else if (c.n == 0 || (IsA(id, Const) && ((Const *) id)->constisnull))
		req->selectivity = 0.0;
	else
	{
		/* as "id = ANY (ids)" */
		Datum	   *elems = (Datum *) palloc(sizeof(Datum) * c.n);
		ScalarArrayOpExpr *saop = makeNode(ScalarArrayOpExpr);

		for (int i = 0; i < c.n; i++)
			elems[i] = Int64GetDatum(c.ids[i]);
		saop->opno = OpernameGetOprid(list_make2(makeString("pg_catalog"), makeString("=")), INT8OID, INT8OID);
		saop->opfuncid = get_opcode(saop->opno);
		saop->useOr = true;
		saop->inputcollid = InvalidOid;
		saop->args = list_make2(id,
								makeConst(INT8ARRAYOID, -1, InvalidOid, -1,
										  PointerGetDatum(construct_array(elems, c.n, INT8OID, 8, FLOAT8PASSBYVAL,
																		  TYPALIGN_DOUBLE)),
										  false, false));
		saop->location = -1;
		req->selectivity = clause_selectivity(req->root, (Node *) saop, req->varRelid, req->jointype, req->sjinfo);
	}
	PG_RETURN_POINTER(req);
}
