#!/usr/bin/env bash
# scoring_bench.sh - what scoring costs in a query: on one table of ROWS
# (default 5,000,000) indicators, side by side in one run,
#   (a) a bare scan:      SELECT sum(weight) FROM t
#   (b) pjeval:           SELECT sum(pjeval.indicator_score(target, actual, weight, category)) FROM t
#   (c) PL/pgSQL:         the same rules over pjeval's accessors
#                         (bench/scoring_baseline.sql), on a SAMPLE-row
#                         sample (default 200,000) scaled per row, since it
#                         is far slower; SAMPLE=0 runs it on the whole table.
# Each query runs ROUNDS times (default 3); the median counts.  Prints the
# times, the ratios (b)/(a) and (c)/(b), whether parallel workers ran, and
# checks that (b) and (c) give the same sum (and the same score on every
# sampled row).  Aims: (b) <= 1.5 x (a); (c) >= 50 x (b); sums equal.
# A benchmark, not a test: it asserts nothing but the equal sums.
#
# Builds and installs into ./debian/pjeval, then runs on a throwaway cluster
# (pg_virtualenv -t -p pjeval), so nothing is installed system-wide.
# Environment: ROWS, SAMPLE, ROUNDS, PG_MAJOR (15), SHARED_BUFFERS (4GB),
# JIT (on or off; default: the server's, on).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"
ROWS="${ROWS:-5000000}"
SAMPLE="${SAMPLE:-200000}"
ROUNDS="${ROUNDS:-3}"
SHARED_BUFFERS="${SHARED_BUFFERS:-4GB}"

if [ "${1:-}" != --inside ]; then
	PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
	make -s PG_CONFIG="$PG_CONFIG"
	make -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$PWD/debian/pjeval" >/dev/null
	# the table is kept in shared buffers (a scan of a table larger than a
	# quarter of them goes through a small ring instead)
	exec pg_virtualenv -t -p pjeval -v "$PG_MAJOR" -o "shared_buffers=$SHARED_BUFFERS" \
		bash "$0" --inside
fi

# ---- inside the throwaway cluster ------------------------------------------
export PGDATABASE=scoringbench PGCLIENTENCODING=UTF8
if [ -n "${JIT:-}" ]; then export PGOPTIONS="-c jit=$JIT"; fi
createdb -E UTF8 -T template0 --locale=C scoringbench
q() { psql -X -qAt -v ON_ERROR_STOP=1 "$@"; }
q -c 'CREATE EXTENSION pjeval'
q -f bench/scoring_baseline.sql

echo "scoring_bench: PostgreSQL $(q -c 'SHOW server_version'), $(nproc) CPUs," \
	"max_parallel_workers_per_gather=$(q -c 'SHOW max_parallel_workers_per_gather')," \
	"jit=$(q -c 'SHOW jit'), shared_buffers=$(q -c 'SHOW shared_buffers')"

# ~40 real target/actual pairs: every indicator of the two seed forms, and
# the other shapes of the rules table (negative not met, range, zero target,
# date, clauses matched by label, qualitative needing a band, a claim,
# incomparable units).  Where actual_fmt is set, the actual varies row by
# row within [lo, hi] (so many are met, some not).  Deterministic (setseed).
q <<SQL
CREATE TABLE pairs (
    id int PRIMARY KEY, target text, actual text, weight numeric, category text,
    actual_fmt text, lo numeric, hi numeric, places int);
INSERT INTO pairs (id, target, actual, weight, category, actual_fmt, lo, hi, places) VALUES
    ( 0, '17', '27', 6, '数量指标', '%s', 10, 30, 0),
    ( 1, '至少2次/周', '至少2次/周', 2, '数量指标', NULL, NULL, NULL, NULL),
    ( 2, '200000', '424876', 15, '数量指标', '%s', 150000, 450000, 0),
    ( 3, '4', '4', 5, '数量指标', NULL, NULL, NULL, NULL),
    ( 4, '≥90%', '92%', 5, '质量指标', '%s%%', 80, 100, 2),
    ( 5, '95%', '95%', 5, '质量指标', NULL, NULL, NULL, NULL),
    ( 6, '1', '1', 5, '质量指标', NULL, NULL, NULL, NULL),
    ( 7, '1', '1', 5, '时效指标', NULL, NULL, NULL, NULL),
    ( 8, '<1821100元', '1808698.26元', 2, '成本指标', '%s元', 1700000, 1900000, 2),
    ( 9, '不适用', '不适用', 0, '经济效益指标', NULL, NULL, NULL, NULL),
    (10, '重点解决', '重点解决', 30, '社会效益指标', NULL, NULL, NULL, NULL),
    (11, '不适用', '不适用', 0, '生态效益指标', NULL, NULL, NULL, NULL),
    (12, '不适用', '不适用', 0, '可持续影响指标', NULL, NULL, NULL, NULL),
    (13, '95%', '100%', 10, '服务对象满意度指标', '%s%%', 85, 100, 1),
    (14, '不适用', '不适用', 0, '其他满意度指标', NULL, NULL, NULL, NULL),
    (15, '3180', '3180', 10, '数量指标', NULL, NULL, NULL, NULL),
    (16, '97%以上', '97.11%', 10, '质量指标', '%s%%', 90, 100, 2),
    (17, '97%以上', '99.94%', 10, '质量指标', NULL, NULL, NULL, NULL),
    (18, '低于3%', '2.95%', 10, '质量指标', '%s%%', 1, 5, 2),
    (19, '1', '100%', 5, '时效指标', NULL, NULL, NULL, NULL),
    (20, '≤461.74万元', '461.736万元', 5, '成本指标', '%s万元', 400, 500, 3),
    (21, '不适用', '不适用', 0, '经济效益指标', NULL, NULL, NULL, NULL),
    (22, '采集率达95%以上，准确率达90%以上，注销率达95%以上；', '采集率96.22%，准确率达99.31%，注销率95.35%', 10, '社会效益指标',
         '采集率%s%%，准确率达99.31%%，注销率95.35%%', 85, 100, 2),
    (23, '采集率达95%以上，准确率达98%以上；', '采集率99.74%，准确率达99.49%', 10, '社会效益指标', NULL, NULL, NULL, NULL),
    (24, '信息通报率达95%以上', '99.55%', 10, '社会效益指标', '%s%%', 90, 100, 2),
    (25, '不适用', '不适用', 0, '生态效益指标', NULL, NULL, NULL, NULL),
    (26, '不适用', '不适用', 0, '可持续影响指标', NULL, NULL, NULL, NULL),
    (27, '95%以上', '100%', 10, '服务对象满意度指标', NULL, NULL, NULL, NULL),
    (28, '不适用', '不适用', 0, '其他满意度指标', NULL, NULL, NULL, NULL),
    (29, '≥95%', '90%', 10, '服务对象满意度指标', NULL, NULL, NULL, NULL),
    (30, '≤10万元', '12.5万元', 5, '成本指标', '%s万元', 8, 14, 1),
    (31, '90%~95%', '81%', 10, '质量指标', '%s%%', 80, 99, 1),
    (32, '0起', '0起', 5, '质量指标', NULL, NULL, NULL, NULL),
    (33, '2022年12月31日前', '2022年11月30日', 5, '时效指标', NULL, NULL, NULL, NULL),
    (34, '采集率达95%以上，准确率达90%以上', '准确率45%，采集率95%', 10, '社会效益指标', NULL, NULL, NULL, NULL),
    (35, '有效提升', '明显改善', 8, '社会效益指标', NULL, NULL, NULL, NULL),
    (36, '≥95%', '已完成', 5, '质量指标', NULL, NULL, NULL, NULL),
    (37, '3天以内', '4天', 6, '时效指标', '%s天', 1, 6, 0),
    (38, '≥10个', '10件', 5, '数量指标', NULL, NULL, NULL, NULL);

SELECT setseed(0.2022);
CREATE TABLE t AS
SELECT p.target::pjeval.indicator_value AS target,
       (CASE WHEN p.actual_fmt IS NULL THEN p.actual
             ELSE format(p.actual_fmt, round((p.lo + random() * (p.hi - p.lo))::numeric, p.places))
        END)::pjeval.indicator_value AS actual,
       p.weight, p.category
FROM generate_series(0, $ROWS - 1) AS g
JOIN pairs AS p ON p.id = g % 39;
VACUUM ANALYZE t;
-- the baseline runs on a sample of the same rows, scaled per row
CREATE TABLE t_sample AS SELECT * FROM t LIMIT CASE WHEN $SAMPLE > 0 THEN $SAMPLE END;
VACUUM ANALYZE t_sample;
SQL

echo "table t: $(q -c 'SELECT count(*) FROM t') rows, $(q -c "SELECT pg_size_pretty(pg_table_size('t'))");" \
	"baseline sample t_sample: $(q -c 'SELECT count(*) FROM t_sample') rows"
echo "mix (rule: rows, not met, scored NULL):"
q -F ' ' -c "SELECT '  ' || rpad(a.rule, 18) || lpad(count(*)::text, 9) || lpad(count(*) FILTER (WHERE 'not_met' = ANY (a.flags))::text, 9)
                    || lpad(count(*) FILTER (WHERE a.score IS NULL)::text, 9)
             FROM t_sample CROSS JOIN LATERAL pjeval.assess(target, actual, weight, category) AS a
             GROUP BY a.rule ORDER BY count(*) DESC" | sed 's/$/   (in the sample)/'

# Median of ROUNDS runs of one query, in ms (psql's \timing: the whole
# statement, the result is one row).
median_ms() {
	local table="$1" expr="$2" i
	for ((i = 0; i < ROUNDS; i++)); do
		psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c "SELECT $expr FROM $table" |
			sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# "workers launched, JIT or not" from EXPLAIN ANALYZE
workers() {
	psql -X -qAt -v ON_ERROR_STOP=1 -c "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT $2 FROM $1" |
		awk '/Workers Launched:/ && !w { w = $NF } /^JIT:/ { j = 1 } END { printf "%s%s", w ? w : 0, j ? ", JIT" : "" }'
}

A="sum(weight)"
B="sum(pjeval.indicator_score(target, actual, weight, category))"
C="sum(bench.plpgsql_indicator_score(target, actual, weight, category))"

# warm the buffers, and check both give the same scores on the sample
q -c "SELECT $A FROM t" >/dev/null
q -c "SELECT $A FROM t_sample" >/dev/null
sum_b="$(q -c "SELECT $B FROM t_sample")"
sum_c="$(q -c "SELECT $C FROM t_sample")"
differ="$(q -c "SELECT count(*) FROM t_sample
                WHERE pjeval.indicator_score(target, actual, weight, category)
                      IS DISTINCT FROM bench.plpgsql_indicator_score(target, actual, weight, category)")"
sum_b_full="$(q -c "SELECT $B FROM t")"

rows="$(q -c 'SELECT count(*) FROM t')"
srows="$(q -c 'SELECT count(*) FROM t_sample')"
ta="$(median_ms t "$A")"
tb="$(median_ms t "$B")"
tbs="$(median_ms t_sample "$B")"
tc="$(median_ms t_sample "$C")"
wa="$(workers t "$A")"; wb="$(workers t "$B")"; wc="$(workers t_sample "$C")"

echo
printf '%-44s %10s %12s   %s\n' "query (median of $ROUNDS)" "rows" "ms" "workers launched"
printf '%-44s %10s %12.1f   %s\n' "(a) sum(weight)" "$rows" "$ta" "$wa"
printf '%-44s %10s %12.1f   %s\n' "(b) sum(pjeval.indicator_score(...))" "$rows" "$tb" "$wb"
printf '%-44s %10s %12.1f   %s\n' "(b) on the sample" "$srows" "$tbs" "-"
printf '%-44s %10s %12.1f   %s\n' "(c) sum(bench.plpgsql_indicator_score(...))" "$srows" "$tc" "$wc"
if [ "$srows" != "$rows" ]; then
	echo "(c) ran on a sample of $srows of the $rows rows; its time is scaled per row below."
fi
echo
awk -v ta="$ta" -v tb="$tb" -v tc="$tc" -v rows="$rows" -v srows="$srows" 'BEGIN {
	ns_a = ta * 1e6 / rows; ns_b = tb * 1e6 / rows; ns_c = tc * 1e6 / srows;
	printf "per row: (a) %.0f ns, (b) %.0f ns (scoring itself: %.0f ns), (c) %.0f ns\n", ns_a, ns_b, ns_b - ns_a, ns_c;
	rab = tb / ta; rcb = ns_c / ns_b;
	printf "(b)/(a) = %.2f   aim <= 1.5: %s\n", rab, (rab <= 1.5) ? "met" : "MISSED";
	printf "(c)/(b) = %.1f (per row)   aim >= 50: %s\n", rcb, (rcb >= 50) ? "met" : "MISSED";
}'
echo "sums on the $srows-row sample: (b) $sum_b, (c) $sum_c: $([ "$sum_b" = "$sum_c" ] && echo equal || echo DIFFERENT);" \
	"rows scored differently: $differ"
echo "sum (b) over all $rows rows: $sum_b_full"
[ "$sum_b" = "$sum_c" ] && [ "$differ" = 0 ]
