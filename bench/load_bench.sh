#!/usr/bin/env bash
# load_bench.sh - pjeval-load on many small files: N one-form workbooks
# (default 1,000) against the same N forms as text files, each set imported
# by the installed pjeval-load (one transaction per file) into a fresh
# database of one throwaway cluster, in alternating rounds; prints each
# round, the medians and the ratio workbooks / text.  A script, not a test:
# it asserts nothing.
#
#   bash bench/load_bench.sh                  # N=1000, ROUNDS=5, PostgreSQL 15
#   N=200 ROUNDS=5 bash bench/load_bench.sh
#   make install DESTDIR=$PWD/debian/pjeval && PG_VIRTUALENV_OPTS="-p pjeval" \
#       PJEVAL_LOAD=$PWD/debian/pjeval/usr/lib/postgresql/15/bin/pjeval-load bash bench/load_bench.sh
#
# The forms are the first seed form (demo/seed/longhua-2022.txt), each with
# its own project code: as text, that form's lines; as a workbook, its sheet
# of test/fixtures/seed.xlsx alone (written once with Debian's
# python3-openpyxl, then copied with the code replaced in the sheet's XML).
# Each round checks that both sets stored N forms with the seed's total.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

N="${N:-1000}"
ROUNDS="${ROUNDS:-5}"
PG_MAJOR="${PG_MAJOR:-15}"
export N ROUNDS

if [ "${1:-}" != --inside ]; then
	# shellcheck disable=SC2086
	exec pg_virtualenv -t -v "$PG_MAJOR" ${PG_VIRTUALENV_OPTS:-} bash "$0" --inside
fi

export PGCLIENTENCODING=UTF8
# PJEVAL_LOAD: another pjeval-load (e.g. one installed with DESTDIR=debian/pjeval)
LOAD="${PJEVAL_LOAD:-$("${PG_CONFIG:-pg_config}" --bindir)/pjeval-load}"
WORK="$(mktemp -d -t pjeval-load-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

echo "load_bench: generating $N one-form workbooks and $N text files"
/usr/bin/python3 - "$WORK" "$N" <<'PY'
import io, os, sys, zipfile
import openpyxl
work, n = sys.argv[1], int(sys.argv[2])
code = '440309210901500004279'
lines = open('demo/seed/longhua-2022.txt', encoding='utf-8').read().split('\n')
second = [i for i, l in enumerate(lines) if l.strip() == '项目支出绩效自评表'][1]
text = '\n'.join(lines[:second]) + '\n'
wb = openpyxl.load_workbook('test/fixtures/seed.xlsx')
for ws in wb.worksheets[1:]:
    wb.remove(ws)
buf = io.BytesIO()
wb.save(buf)
with zipfile.ZipFile(buf) as z:
    parts = [(i, z.read(i.filename)) for i in z.infolist()]
os.makedirs(f'{work}/xlsx'); os.makedirs(f'{work}/txt')
for k in range(1, n + 1):
    c = f'LB-{k:06d}'
    with zipfile.ZipFile(f'{work}/xlsx/{c}.xlsx', 'w', zipfile.ZIP_DEFLATED) as o:
        for info, data in parts:
            if info.filename.startswith('xl/worksheets/'):
                data = data.replace(code.encode(), c.encode())
            o.writestr(info, data)
    with open(f'{work}/txt/{c}.txt', 'w', encoding='utf-8') as f:
        f.write(text.replace(code, c))
PY
printf 'load_bench: %s workbooks, %s bytes; %s text files, %s bytes\n\n' \
	"$N" "$(cat "$WORK"/xlsx/* | wc -c)" "$N" "$(cat "$WORK"/txt/* | wc -c)"

# run SET ROUND: seconds to load the set into a fresh database
run() {
	local db="bench_$1_$2" t0 t1 check
	createdb -E UTF8 -T template0 --locale=C "$db"
	psql -X -q -d "$db" -c 'CREATE EXTENSION pjeval'
	psql -X -q -d "$db" -c 'CHECKPOINT'
	t0=$(date +%s.%N)
	"$LOAD" -q -d "$db" "$WORK/$1"
	t1=$(date +%s.%N)
	check="$(psql -X -At -d "$db" -c "SELECT count(*) || ' forms, totals ' || string_agg(DISTINCT total_score::text, ' ') FROM pjeval.evaluation_result")"
	[ "$check" = "$N forms, totals 99.93" ] || echo "load_bench: $1 round $2: stored $check" >&2
	dropdb "$db"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

printf '%-6s %12s %12s %8s\n' round "xlsx s" "txt s" ratio
xs=(); ts=(); rs=()
for ((r = 1; r <= ROUNDS; r++)); do
	# alternate which set goes first
	if [ $((r % 2)) = 1 ]; then x=$(run xlsx "$r"); t=$(run txt "$r"); else t=$(run txt "$r"); x=$(run xlsx "$r"); fi
	xs+=("$x"); ts+=("$t"); rs+=("$(awk -v x="$x" -v t="$t" 'BEGIN { printf "%.3f", x / t }')")
	awk -v r="$r" -v x="$x" -v t="$t" 'BEGIN { printf "%-6s %12.2f %12.2f %8.2f\n", r, x, t, x / t }'
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mx=$(median "${xs[@]}"); mt=$(median "${ts[@]}"); mr=$(median "${rs[@]}")
echo
awk -v n="$N" -v x="$mx" -v t="$mt" -v r="$mr" 'BEGIN {
	printf "median: %d workbooks %.2f s (%.0f forms/s), %d text files %.2f s (%.0f forms/s)\n", n, x, n / x, n, t, n / t
	printf "ratio workbooks / text: %.2f (median of the rounds\047 ratios; of the medians: %.2f)\n", r, x / t }'
