/*
 * results.c - the stored results' deferral (55_results.sql): a writer of
 * many statements over the same forms (import_forms: the forms, then their
 * fund lines, indicators and reader findings) asks that the results of the
 * forms it changes be stored once, when it is done, instead of after each
 * statement.
 *
 * defer_results() starts a deferral in this backend; while it lasts, the
 * results triggers hand the forms they would have recomputed to
 * pend_results(), and store_deferred_results() (SQL, SECURITY DEFINER)
 * takes them with take_pending_results(), ends the deferral and stores
 * their results.  The results can never be committed stale: a transaction
 * that is still deferring when it commits or prepares is refused (2D000)
 * and rolls back.  A
 * subtransaction that rolls back the level the deferral began at ends it
 * (everything it deferred was rolled back with it); one that commits hands
 * it to its parent.  Anybody may defer (it can only cost work, never skip
 * it); only the extension's owner takes the pending forms, and only to
 * store them.
 *
 * The forms are kept in a memory context of their own, reset when the
 * transaction ends, as a plain array: refresh_results() removes duplicates.
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/memutils.h"

static bool deferring = false;
static int	defer_level = 0;	/* the transaction nest level it began at */
static MemoryContext pending_cxt = NULL;
static int64 *pending = NULL;
static int	npending = 0;
static int	maxpending = 0;
static bool callbacks_registered = false;

/* An upper bound that keeps a runaway loop from taking the server's memory. */
#define MAX_PENDING (64 * 1024 * 1024)

static void
reset_deferral(void)
{
	deferring = false;
	defer_level = 0;
	pending = NULL;
	npending = 0;
	maxpending = 0;
	if (pending_cxt != NULL)
		MemoryContextReset(pending_cxt);
}

static void
results_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (deferring)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
						 errmsg("the results of the forms this transaction changed were deferred and not stored"),
						 errdetail("pjeval.defer_results() was called and pjeval.store_deferred_results() was not."),
						 errhint("Call SELECT pjeval.store_deferred_results(); before COMMIT.")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			reset_deferral();
			break;
	}
}

static void
results_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	int			level;

	if (!deferring)
		return;
	level = GetCurrentTransactionNestLevel();
	if (event == SUBXACT_EVENT_ABORT_SUB && level <= defer_level)
		reset_deferral();
	else if (event == SUBXACT_EVENT_COMMIT_SUB && level == defer_level)
		defer_level = level - 1;
}

static void
register_callbacks(void)
{
	if (callbacks_registered)
		return;
	pending_cxt = AllocSetContextCreate(TopMemoryContext, "pjeval deferred results",
										ALLOCSET_SMALL_SIZES);
	RegisterXactCallback(results_xact_callback, NULL);
	RegisterSubXactCallback(results_subxact_callback, NULL);
	callbacks_registered = true;
}

PG_FUNCTION_INFO_V1(pj_defer_results);
Datum
pj_defer_results(PG_FUNCTION_ARGS)
{
	register_callbacks();
	if (!deferring)
	{
		deferring = true;
		defer_level = GetCurrentTransactionNestLevel();
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(pj_pend_results);
Datum
pj_pend_results(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (!deferring || PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	a = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(a, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		if (npending == maxpending)
		{
			int			newmax = maxpending == 0 ? 1024 : maxpending * 2;

			if (newmax > MAX_PENDING)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("more than %d changed forms wait for their results", MAX_PENDING),
						 errhint("Call pjeval.store_deferred_results() more often.")));
			pending = pending == NULL
				? MemoryContextAlloc(pending_cxt, sizeof(int64) * newmax)
				: repalloc(pending, sizeof(int64) * newmax);
			maxpending = newmax;
		}
		pending[npending++] = DatumGetInt64(elems[i]);
	}
	PG_RETURN_BOOL(true);
}

PG_FUNCTION_INFO_V1(pj_take_pending_results);
Datum
pj_take_pending_results(PG_FUNCTION_ARGS)
{
	ArrayType  *r;
	Datum	   *elems;

	elems = palloc(sizeof(Datum) * Max(npending, 1));
	for (int i = 0; i < npending; i++)
		elems[i] = Int64GetDatum(pending[i]);
	r = construct_array(elems, npending, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	reset_deferral();
	PG_RETURN_ARRAYTYPE_P(r);
}
