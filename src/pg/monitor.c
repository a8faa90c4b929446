/*
 * monitor.c - fmgr glue for the monitoring rules (src/core/monitor.h):
 * time_progress, fund_light and fund_status, indicator_light, worse_light
 * (the project light's step) and dual_light.
 *
 * The rules are the core's; this file checks and converts arguments and
 * words errors: a month outside 1-12 or a year outside 1-9999 is 22008 (as
 * make_date says of a bad date), a day basis without its year 22004, an
 * unknown basis, accrual or light name and bands out of order 22023, a
 * negative amount 22023 and a number beyond exact arithmetic 22003 (as the
 * scoring functions say).  Lights are text: blue, green, yellow, red, or
 * NULL for none.
 */
#include "glue.h"

#include <string.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "monitor.h"

PG_FUNCTION_INFO_V1(monitor_time_progress);
PG_FUNCTION_INFO_V1(monitor_fund_light);
PG_FUNCTION_INFO_V1(monitor_fund_status);
PG_FUNCTION_INFO_V1(monitor_indicator_light);
PG_FUNCTION_INFO_V1(monitor_worse_light);
PG_FUNCTION_INFO_V1(monitor_dual_light);

#define HINT_MONTH	"A monitoring period is 1-N月 with N from 1 to 12."
#define HINT_BANDS	"The bands are percentages with 0 ≤ yellow_from ≤ green_from ≤ blue_from (central-2020: 60, 80, 120)."

static int
month_arg(FunctionCallInfo fcinfo, int arg)
{
	int32		m = PG_GETARG_INT32(arg);

	if (m < 1 || m > 12)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("month %d is out of range for a monitoring period", m),
				 errhint(HINT_MONTH)));
	return m;
}

/* The year: 0 where it is NULL (not known), else checked. */
static int
year_arg(FunctionCallInfo fcinfo, int arg)
{
	int32		y;

	if (PG_ARGISNULL(arg))
		return 0;
	y = PG_GETARG_INT32(arg);
	if (y < PJ_YEAR_MIN || y > PJ_YEAR_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("year %d is out of range", y),
				 errhint("A year runs from %d to %d.", PJ_YEAR_MIN, PJ_YEAR_MAX)));
	return y;
}

static PjTimeBasis
basis_arg(FunctionCallInfo fcinfo, int arg)
{
	char	   *b;

	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the time basis must not be NULL"),
				 errhint("The basis is 'month' (N/12) or 'day' (days passed).")));
	b = text_to_cstring(PG_GETARG_TEXT_PP(arg));
	if (strcmp(b, "month") == 0)
		return PJ_TIME_MONTH;
	if (strcmp(b, "day") == 0)
		return PJ_TIME_DAY;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown time basis \"%s\"", b),
			 errhint("The basis is 'month' (N/12) or 'day' (days passed).")));
	return PJ_TIME_MONTH;		/* not reached */
}

/* 时间进度 from (month, year, basis) arguments; the day basis needs the year. */
static PjTime
time_args(FunctionCallInfo fcinfo, int month_at, int year_at, int basis_at)
{
	int			month = month_arg(fcinfo, month_at),
				year = year_arg(fcinfo, year_at);
	PjTimeBasis basis = basis_arg(fcinfo, basis_at);
	PjTime		t;

	if (basis == PJ_TIME_DAY && year == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the day basis needs the year"),
				 errhint("Give the year, or use the month basis.")));
	if (!pj_time_progress(year, month, basis, &t))
		elog(ERROR, "time progress refused checked arguments");
	return t;
}

/* Bands from arguments first, first + 1 (and first + 2 with blue). */
static PjBands
bands_args(FunctionCallInfo fcinfo, int first, bool blue)
{
	PjBands		b = pj_bands_default();
	int			i,
				n = blue ? 3 : 2;
	IvDecimal  *slot[3] = {&b.yellow_from, &b.green_from, &b.blue_from};
	static const char *const names[3] = {"yellow_from", "green_from", "blue_from"};

	for (i = 0; i < n; i++)
	{
		if (PG_ARGISNULL(first + i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be NULL", names[i]),
					 errhint(HINT_BANDS)));
		*slot[i] = pj_numeric_arg(PG_GETARG_DATUM(first + i), names[i], true, HINT_BANDS);
	}
	if (pj_decimal_cmp(b.yellow_from, b.green_from) > 0 ||
		(blue && pj_decimal_cmp(b.green_from, b.blue_from) > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the light bands are out of order"),
				 errhint(HINT_BANDS)));
	return b;
}

static Datum
light_datum(PjLight light)
{
	return CStringGetTextDatum(pj_light_name(light));
}

static PjLight
light_arg(FunctionCallInfo fcinfo, int arg)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(arg));
	int			l;

	for (l = PJ_LIGHT_BLUE; l <= PJ_LIGHT_RED; l++)
		if (strcmp(s, pj_light_name((PjLight) l)) == 0)
			return (PjLight) l;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown light \"%s\"", s),
			 errhint("A light is blue, green, yellow or red (NULL for none).")));
	return PJ_LIGHT_NONE;		/* not reached */
}

static Datum
scale2(IvDecimal d)
{
	Assert(d.exp == -2);
	return NumericGetDatum(int64_div_fast_to_numeric(d.coef, 2));
}

/* time_progress(year, month, basis): percent, two places */
Datum
monitor_time_progress(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(scale2(pj_time_percent(time_args(fcinfo, 1, 0, 2))));
}

/*
 * fund_light / fund_status(adjusted_budget, executed, month, year, basis,
 * yellow_from, green_from).  NULL amounts or month: NULL.
 */
static bool
fund_common(FunctionCallInfo fcinfo, PjFundLight *f)
{
	IvDecimal	budget,
				executed;
	PjTime		t;
	PjBands		b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return false;
	budget = pj_numeric_arg(PG_GETARG_DATUM(0), "adjusted budget", true,
							"调整后预算数 and 1-N月执行数 are amounts of 0 or more.");
	executed = pj_numeric_arg(PG_GETARG_DATUM(1), "executed amount", true,
							  "调整后预算数 and 1-N月执行数 are amounts of 0 or more.");
	t = time_args(fcinfo, 2, 3, 4);
	b = bands_args(fcinfo, 5, false);
	if (!pj_fund_light(budget, executed, t, &b, f))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("fund light out of range"),
				 errdetail("The amounts are beyond exact arithmetic."),
				 errhint("Check that both amounts are in the same unit.")));
	return true;
}

Datum
monitor_fund_light(PG_FUNCTION_ARGS)
{
	PjFundLight f;

	if (!fund_common(fcinfo, &f) || f.light == PJ_LIGHT_NONE)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(light_datum(f.light));
}

Datum
monitor_fund_status(PG_FUNCTION_ARGS)
{
	PjFundLight f;
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {true, true, true};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "fund_status must return a composite type");
	desc = BlessTupleDesc(desc);
	if (fund_common(fcinfo, &f) && f.light != PJ_LIGHT_NONE)
	{
		values[0] = light_datum(f.light);
		nulls[0] = false;
		if (f.has_index)
		{
			values[1] = scale2(f.index);
			nulls[1] = false;
		}
		values[2] = BoolGetDatum(f.on_schedule);
		nulls[2] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * indicator_light(target, actual, month, category, accrual, year,
 * yellow_from, green_from, blue_from).  A NULL target or actual (a value
 * that did not read) or month: NULL.
 */
Datum
monitor_indicator_light(PG_FUNCTION_ARGS)
{
	IvValue		t,
				a;
	PjIndicatorLight l;
	PjAccrual	accrual = PJ_ACCRUAL_AUTO;
	PjBands		b;
	int			month,
				year;
	const char *cat = NULL;
	size_t		cat_len = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	month = month_arg(fcinfo, 2);
	year = year_arg(fcinfo, 5);
	if (!PG_ARGISNULL(4))
	{
		char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(4));

		if (strcmp(s, "cumulative") == 0)
			accrual = PJ_ACCRUAL_CUMULATIVE;
		else if (strcmp(s, "point") == 0)
			accrual = PJ_ACCRUAL_POINT;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown accrual \"%s\"", s),
					 errhint("accrual is 'cumulative' (累计), 'point' (时点), or NULL to go by the value's unit.")));
	}
	b = bands_args(fcinfo, 6, true);
	if (!PG_ARGISNULL(3))
	{
		text	   *c = PG_GETARG_TEXT_PP(3);

		cat = VARDATA_ANY(c);
		cat_len = VARSIZE_ANY_EXHDR(c);
	}
	pj_fetch_value(PG_GETARG_DATUM(0), &t);
	pj_fetch_value(PG_GETARG_DATUM(1), &a);
	pj_indicator_light(&t, &a, year, month, accrual, cat, cat_len, &b, &l);
	if (l.light == PJ_LIGHT_NONE)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(light_datum(l.light));
}

/* worse_light(a, b): the worse of two lights (STRICT: NULLs are skipped). */
Datum
monitor_worse_light(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(light_datum(pj_worst_light(light_arg(fcinfo, 0), light_arg(fcinfo, 1))));
}

/* dual_light(on_schedule, stage_met): NULL is not known */
Datum
monitor_dual_light(PG_FUNCTION_ARGS)
{
	int			on = PG_ARGISNULL(0) ? -1 : PG_GETARG_BOOL(0),
				met = PG_ARGISNULL(1) ? -1 : PG_GETARG_BOOL(1);
	PjLight		l = pj_dual_light(on, met);

	if (l == PJ_LIGHT_NONE)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(light_datum(l));
}
