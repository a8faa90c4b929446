#!/usr/bin/env bash
# run.sh - pjeval's benchmarks, side by side in one run: the pure reader's
# rate (bench/parse_bench.c) and the cost of COPY into indicator_value
# against text (bench/copy_bench.sh).  Prints figures and a summary against
# the aims (>= 2,000,000 values/s; COPY ratio <= 1.5); asserts nothing.
# `bash bench/run.sh` as root (it runs scripts/deps.sh first).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
out="$(mktemp -d -t pjeval-bench.XXXXXX)"
trap 'rm -rf "$out"' EXIT

bash scripts/deps.sh

echo; echo "==== parse_bench: iv_parse on one core ===="
make -s bench/parse_bench PG_CONFIG="$PG_CONFIG"
./bench/parse_bench | tee "$out/parse.txt"

echo; echo "==== copy_bench: COPY 1,000,000 cells, indicator_value vs text ===="
bash bench/copy_bench.sh | tee "$out/copy.txt"

rate="$(sed -nE 's/^parse rate: ([0-9]+) values\/s.*/\1/p' "$out/parse.txt")"
ratio="$(sed -nE 's/^COPY ratio indicator_value\/text: ([0-9.]+).*/\1/p' "$out/copy.txt")"
verdict() { if awk "BEGIN { exit !($1) }"; then echo "meets the aim"; else echo "MISSES the aim"; fi; }

echo; echo "==== summary ===="
printf '%-34s %14s   aim %-12s %s\n' "parser rate (values/s, one core)" "${rate:-?}" ">= 2000000" \
	"$([ -n "$rate" ] && verdict "$rate >= 2000000" || echo "not measured")"
printf '%-34s %14s   aim %-12s %s\n' "COPY ratio indicator_value/text" "${ratio:-?}" "<= 1.5" \
	"$([ -n "$ratio" ] && verdict "$ratio <= 1.5" || echo "not measured")"
