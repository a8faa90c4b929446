#!/usr/bin/env bash
# copy_bench.sh - what reading indicator values costs on load: COPY of
# 1,000,000 realistic cells into an indicator_value column against the same
# file into a text column, on a throwaway cluster (pg_virtualenv).
#
# The file is generated once; then text and indicator_value loads alternate,
# ROUNDS each (default 3), each into a fresh UNLOGGED table, with a CHECKPOINT
# before each load.  Prints every time and the median of the per-round
# ratios indicator_value/text.  A benchmark, not a test: it asserts nothing.
#
# Needs pjeval installed (bash scripts/deps.sh, or bench/run.sh which runs it).
# Environment: ROWS (1000000), ROUNDS (3), PG_MAJOR (15).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"
ROWS="${ROWS:-1000000}"
ROUNDS="${ROUNDS:-3}"
IV_TYPE="pjeval.indicator_value"

if [ "${1:-}" != --inside ]; then
	sharedir="$(/usr/lib/postgresql/"$PG_MAJOR"/bin/pg_config --sharedir)"
	# PG_VIRTUALENV_OPTS="-p pjeval": a build installed with
	# make install DESTDIR=debian/pjeval (bench/suite.sh does that)
	[ -n "${PG_VIRTUALENV_OPTS:-}" ] || [ -f "$sharedir/extension/pjeval.control" ] ||
		{ echo "copy_bench.sh: pjeval is not installed; run: bash scripts/deps.sh" >&2; exit 2; }
	work="$(mktemp -d -t pjeval-copybench.XXXXXX)"
	trap 'rm -rf "$work"' EXIT
	chmod 755 "$work"				# the server (user postgres) reads the file

	# Realistic cells: the shapes of real forms with varied numbers, weighted
	# towards short single values.  Deterministic (fixed seed).
	awk -v rows="$ROWS" 'BEGIN {
		srand(20220101);
		for (i = 0; i < rows; i++) {
			r = rand() * 100; n = int(rand() * 1000) + 1; p = 80 + int(rand() * 20);
			d = int(rand() * 100);
			if      (r < 10) s = n;
			else if (r < 20) s = sprintf("≥%d%%", p);
			else if (r < 30) s = sprintf("%d.%02d%%", p, d);
			else if (r < 36) s = sprintf("%d%%以上", p);
			else if (r < 42) s = "不适用";
			else if (r < 46) s = sprintf("<%d元", n * 1821);
			else if (r < 50) s = sprintf("%d.%02d元", n * 1808, d);
			else if (r < 54) s = sprintf("≤%d.%02d万元", n, d);
			else if (r < 58) s = sprintf("至少%d次/周", n % 7 + 1);
			else if (r < 62) s = sprintf("低于%d%%", n % 10 + 1);
			else if (r < 66) s = sprintf("≥%d个", n);
			else if (r < 69) s = "重点解决";
			else if (r < 72) s = "100%";
			else if (r < 75) s = sprintf("2022年%d月%d日前", n % 12 + 1, n % 28 + 1);
			else if (r < 78) s = sprintf("不少于%d人次", n);
			else if (r < 81) s = sprintf("%d个工作日内", n % 30 + 1);
			else if (r < 84) s = "1";
			else if (r < 87) s = sprintf("不低于%d%%", p);
			else if (r < 89) s = sprintf("≤%d元/人", n);
			else if (r < 91) s = "已完成";
			else if (r < 93) s = "—";
			else if (r < 95) s = sprintf("%d.%d亿元", n % 10, d % 10);
			else if (r < 97) s = sprintf("采集率达%d%%以上，准确率达%d%%以上，注销率达%d%%以上；", p, p - 5, p);
			else             s = sprintf("采集率%d.%02d%%，准确率达%d.%02d%%，注销率%d.%02d%%", p, d, p, d, p, d);
			print s;
		}
	}' >"$work/cells.txt"
	chmod 644 "$work/cells.txt"
	echo "copy_bench: $(wc -l <"$work/cells.txt") rows, $(($(wc -c <"$work/cells.txt") / 1024 / 1024)) MiB in $work/cells.txt"
	# shellcheck disable=SC2086
	pg_virtualenv -t -v "$PG_MAJOR" ${PG_VIRTUALENV_OPTS:-} bash "$0" --inside "$work/cells.txt"
	exit
fi

# ---- inside the throwaway cluster ------------------------------------------
file="$2"
export PGDATABASE=copybench PGCLIENTENCODING=UTF8
createdb -E UTF8 -T template0 --locale=C copybench
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pjeval'

# Every generated shape must read, or the comparison means nothing.
bad="$(psql -X -qAt -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE s (v text);
COPY s FROM '$file';
SELECT count(*) FILTER (WHERE pjeval.try_indicator_value(v) IS NULL) || ' of ' || count(*)
  FROM (SELECT DISTINCT v FROM s) d;
SQL
)"
echo "copy_bench: distinct cells that do not read: $bad"

# load TYPE -> prints the COPY's milliseconds
load() {
	psql -X -q -v ON_ERROR_STOP=1 <<SQL | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -n 1
SET client_min_messages = warning;
DROP TABLE IF EXISTS t;
CREATE UNLOGGED TABLE t (v $1);
CHECKPOINT;
\timing on
COPY t FROM '$file';
SQL
}
size() { psql -X -qAt -c "SELECT pg_size_pretty(pg_table_size('t'))"; }

ratios=()
for r in $(seq 1 "$ROUNDS"); do
	tt="$(load text)"; st="$(size)"
	ti="$(load "$IV_TYPE")"; si="$(size)"
	ratio="$(awk -v a="$ti" -v b="$tt" 'BEGIN { printf "%.3f", a / b }')"
	ratios+=("$ratio")
	printf 'round %d: text %8.1f ms (%s)   indicator_value %8.1f ms (%s)   ratio %s\n' \
		"$r" "$tt" "$st" "$ti" "$si" "$ratio"
done
median="$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
echo "COPY ratio indicator_value/text: $median (median of $ROUNDS rounds, $(wc -l <"$file") rows)"
