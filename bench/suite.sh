#!/usr/bin/env bash
# suite.sh - pjeval's performance, measured end to end in one run and
# printed as ratios side by side (BENCHMARKS.md explains the method):
#
#   parse    COPY into indicator_value against the same file into text
#            (bench/copy_bench.sh)
#   scoring  sum(indicator_score(...)) against a bare scan and against the
#            same rules in PL/pgSQL (bench/scoring_bench.sh)
#   scale    for each size in SIZES (ascending), in one throwaway cluster:
#            forms loaded up to that size (bench/load_scale.sql, one session
#            per core), then evaluation_result over every form against a
#            plain GROUP BY over the same rows at max_parallel_workers_per_gather
#            0 and 2 (bench/eval_result_bench.sh), an import of IMPORT_FORMS
#            generated forms (bench/gen_forms.sql -> pjeval.import_forms,
#            rolled back) and CALL pjeval.refresh_reports(), where this
#            build has them; and how each grows with the size.
#
#   bash bench/suite.sh                               # everything, SIZES="10000 100000 1000000"
#   SIZES="10000 100000" PARTS=scale bash bench/suite.sh
#
# Builds and installs into ./debian/pjeval and runs on throwaway clusters
# (pg_virtualenv -t -p pjeval): nothing is installed system-wide.  The whole
# output also goes to bench/results/suite-<date>.txt (OUT= to choose).
# Environment: SIZES, PARTS ("parse scoring scale"), ROUNDS (3; medians),
# SEED (20220101), IMPORT_FORMS (1000), IMPORT_MAX (largest size at which
# to import; default: every size), REFRESH_ROUNDS (default ROUNDS up to
# 100000 forms, 1 above: a refresh of 10^6 forms takes minutes),
# COPY_ROWS (1000000), SCORING_ROWS
# (2000000), SHARED_BUFFERS (8GB), WORK_MEM (256MB), PG_MAJOR (15).
# A benchmark, not a test: it asserts nothing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"
SIZES="${SIZES:-10000 100000 1000000}"
PARTS="${PARTS:-parse scoring scale}"
ROUNDS="${ROUNDS:-3}"
SEED="${SEED:-20220101}"
IMPORT_FORMS="${IMPORT_FORMS:-1000}"
IMPORT_MAX="${IMPORT_MAX:-}"
SHARED_BUFFERS="${SHARED_BUFFERS:-8GB}"
WORK_MEM="${WORK_MEM:-256MB}"
export PG_MAJOR ROUNDS SEED IMPORT_FORMS IMPORT_MAX SIZES
[ -z "${REFRESH_ROUNDS:-}" ] || export REFRESH_ROUNDS

if [ "${1:-}" = --scale-inside ]; then
	# ---- inside the scale cluster -------------------------------------------
	export PGDATABASE=pjscale PGCLIENTENCODING=UTF8
	# LLVM's compile of the views' expressions and of the loader costs seconds
	# to minutes: off here, said in BENCHMARKS.md
	export PGOPTIONS="-c jit=off"
	q() { psql -X -qAt -v ON_ERROR_STOP=1 "$@"; }
	createdb -E UTF8 -T template0 --locale=C pjscale
	q -c 'CREATE EXTENSION pjeval'
	q -v seed="$SEED" -f bench/load_scale.sql >/dev/null
	echo "scale: PostgreSQL $(q -c 'SHOW server_version'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB," \
		"shared_buffers=$(q -c 'SHOW shared_buffers'), work_mem=$(q -c 'SHOW work_mem')," \
		"max_parallel_workers=$(q -c 'SHOW max_parallel_workers'), jit=$(q -c 'SHOW jit')"
	has_import="$(q -c "SELECT to_regprocedure('pjeval.import_forms(text,text)') IS NOT NULL")"
	has_reports="$(q -c "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'refresh_reports' AND pronamespace = 'pjeval'::regnamespace)")"
	doc=""
	if [ "$has_import" = t ] && [ -f bench/gen_forms.sql ]; then
		doc="$(mktemp -t pjeval-suite-doc.XXXXXX)"
		chmod 644 "$doc"
		# gen_forms's own projects, codes and units: none is one of load_scale's
		q -o "$doc" -v n="$IMPORT_FORMS" <<-'SQL'
			\i bench/gen_forms.sql
			SELECT pg_temp.gen_forms(:n, 0.42, 1);
		SQL
		echo "scale: import document: $IMPORT_FORMS forms from bench/gen_forms.sql, $(wc -c <"$doc") bytes"
	else
		echo "scale: import not measured: $( [ "$has_import" = t ] || echo 'no pjeval.import_forms in this build;' ) $( [ -f bench/gen_forms.sql ] || echo 'no bench/gen_forms.sql' )"
	fi
	[ "$has_reports" = t ] || echo "scale: report refresh not measured: no pjeval.refresh_reports() in this build"
	median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	loaded=0
	for size in $SIZES; do
		echo
		echo "---- $size forms"
		if [ "$size" -gt "$loaded" ]; then
			lo=$((loaded + 1)); mid=$(((loaded + size) / 2))
			t0=$(date +%s.%N)
			# two sessions, two halves (one per core)
			q -c "CALL bench_scale.load($lo, $mid)" & p1=$!
			q -c "CALL bench_scale.load($((mid + 1)), $size)" & p2=$!
			wait "$p1"; wait "$p2"
			q -c "CALL bench_scale.finish()"
			t1=$(date +%s.%N)
			q -c 'VACUUM (ANALYZE) pjeval.unit, pjeval.project, pjeval.evaluation, pjeval.fund_line, pjeval.indicator'
			q -c 'CHECKPOINT'
			t2=$(date +%s.%N)
			awk -v n=$((size - loaded)) -v a="$t0" -v b="$t1" -v c="$t2" \
				'BEGIN { printf "load: %d forms in %.1f s (%.0f forms/s, 2 sessions), VACUUM ANALYZE %.1f s\n", n, b - a, n / (b - a), c - b }'
			loaded=$size
		fi
		echo "rows: $(q -c "SELECT format('%s forms, %s fund lines, %s indicators, %s projects; indicator table %s, database %s',
			(SELECT count(*) FROM pjeval.evaluation), (SELECT count(*) FROM pjeval.fund_line),
			(SELECT count(*) FROM pjeval.indicator), (SELECT count(*) FROM pjeval.project),
			pg_size_pretty(pg_total_relation_size('pjeval.indicator')), pg_size_pretty(pg_database_size(current_database())))")"
		ROUNDS="$ROUNDS" EXPLAIN="$RESULTS/explain-$size.txt" bash bench/eval_result_bench.sh | sed "s/^/eval_result size=$size /"
		# the plan's summary: where the time goes at w=2
		grep -E '^---- |Workers (Planned|Launched)|Execution Time|Partial|Finalize|HashAggregate|GroupAggregate|Disk Usage|Function Scan on assess|Gather|^ +Batches: ' \
			"$RESULTS/explain-$size.txt" | grep -v Buckets | sed -E 's/  +/ /g; s/^/  plan: /' | head -40
		if [ -n "$doc" ] && { [ -z "$IMPORT_MAX" ] || [ "$size" -le "$IMPORT_MAX" ]; }; then
			runs=()
			for ((r = 0; r < ROUNDS; r++)); do
				runs+=("$(psql -X -q -v ON_ERROR_STOP=1 -c 'BEGIN' -c '\timing on' \
					-c "SELECT count(*) FROM pjeval.import_forms(pg_read_file('$doc'))" -c 'ROLLBACK' |
					sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | sed -n 1p)")
			done
			im="$(printf '%s\n' "${runs[@]}" | median)"
			awk -v n="$IMPORT_FORMS" -v ms="$im" -v s="$size" -v r="${runs[*]}" \
				'BEGIN { printf "import size=%s forms=%d ms=%.1f forms_per_s=%.0f runs=\"%s\"\n", s, n, ms, n * 1000 / ms, r }'
		fi
		if [ "$has_reports" = t ]; then
			runs=()
			# a refresh of 10^6 forms takes minutes: REFRESH_ROUNDS (default:
			# ROUNDS up to 100000 forms, 1 above)
			rr="${REFRESH_ROUNDS:-$([ "$size" -le 100000 ] && echo "$ROUNDS" || echo 1)}"
			for ((r = 0; r < rr; r++)); do
				runs+=("$(psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c 'CALL pjeval.refresh_reports()' |
					sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p')")
			done
			awk -v ms="$(printf '%s\n' "${runs[@]}" | median)" -v s="$size" -v r="${runs[*]}" \
				'BEGIN { printf "refresh size=%s ms=%.1f runs=\"%s\"\n", s, ms, r }'
		fi
	done
	[ -z "$doc" ] || rm -f "$doc"
	exit 0
fi

# ---- the driver ---------------------------------------------------------------
RESULTS="${RESULTS:-bench/results}"
mkdir -p "$RESULTS"
OUT="${OUT:-$RESULTS/suite-$(date -u +%Y%m%dT%H%M%SZ).txt}"
export RESULTS
exec > >(tee "$OUT") 2>&1

PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
echo "suite: $(date -u '+%F %T UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), SIZES=\"$SIZES\", PARTS=\"$PARTS\", ROUNDS=$ROUNDS, SEED=$SEED"
echo "machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
make -s PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$PWD/debian/pjeval" >/dev/null

work="$(mktemp -d -t pjeval-suite.XXXXXX)"
trap 'rm -rf "$work"' EXIT

for part in $PARTS; do
	case $part in
	parse)
		echo; echo "==== parse: bench/copy_bench.sh (ROWS=${COPY_ROWS:-1000000}) ===="
		ROWS="${COPY_ROWS:-1000000}" ROUNDS="$ROUNDS" PG_VIRTUALENV_OPTS="-p pjeval" \
			bash bench/copy_bench.sh | tee "$work/parse.txt"
		;;
	scoring)
		echo; echo "==== scoring: bench/scoring_bench.sh (ROWS=${SCORING_ROWS:-2000000}) ===="
		ROWS="${SCORING_ROWS:-2000000}" ROUNDS="$ROUNDS" JIT=off \
			bash bench/scoring_bench.sh | tee "$work/scoring.txt" || true
		;;
	scale)
		echo; echo "==== scale: SIZES=\"$SIZES\" ===="
		pg_virtualenv -t -p pjeval -v "$PG_MAJOR" \
			-o "shared_buffers=$SHARED_BUFFERS" -o "work_mem=$WORK_MEM" -o maintenance_work_mem=1GB \
			-o max_wal_size=32GB -o checkpoint_timeout=1h -o synchronous_commit=off \
			-o max_parallel_workers_per_gather=2 -o temp_buffers=256MB \
			bash "$0" --scale-inside | tee "$work/scale.txt"
		;;
	*) echo "suite: unknown part $part" >&2; exit 2 ;;
	esac
done

# ---- summary ------------------------------------------------------------------
echo; echo "==== summary: ratios (medians of $ROUNDS runs, measured side by side) ===="
aim() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
if [ -f "$work/parse.txt" ]; then
	r="$(sed -nE 's/^COPY ratio indicator_value\/text: ([0-9.]+).*/\1/p' "$work/parse.txt")"
	printf '%-58s %10s   aim %-8s %s\n' "parse: COPY indicator_value / text" "${r:-?}" "<= 1.3" "$([ -n "$r" ] && aim "$r <= 1.3")"
fi
if [ -f "$work/scoring.txt" ]; then
	r="$(sed -nE 's/^\(b\)\/\(a\) = ([0-9.]+).*/\1/p' "$work/scoring.txt")"
	c="$(sed -nE 's/^\(c\)\/\(b\) = ([0-9.]+).*/\1/p' "$work/scoring.txt")"
	printf '%-58s %10s   aim %-8s %s\n' "scoring: indicator_score / bare scan" "${r:-?}" "<= 1.5" "$([ -n "$r" ] && aim "$r <= 1.5")"
	printf '%-58s %10s   aim %-8s %s\n' "scoring: PL/pgSQL / indicator_score (per row)" "${c:-?}" ">= 50" "$([ -n "$c" ] && aim "$c >= 50")"
fi
if [ -f "$work/scale.txt" ]; then
	echo
	printf '%10s %4s %11s %11s %8s %12s %12s   %s\n' forms w "plain ms" "view ms" "ratio" "plain us/form" "view us/form" "view workers"
	awk '/^eval_result size=[0-9]+ w=/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		gsub(/"/, "", v["view_workers"]);
		printf "%10s %4s %11.1f %11.1f %8.2f %12.2f %12.2f   %s\n", v["size"], v["w"], v["plain_ms"], v["view_ms"], v["ratio"],
			v["plain_ms"] * 1000 / v["size"], v["view_ms"] * 1000 / v["size"], v["view_workers"];
		if (!(v["w"] in first)) first[v["w"]] = v["size"] " " v["view_ms"] * 1000 / v["size"] " " v["plain_ms"] * 1000 / v["size"];
		last[v["w"]] = v["size"] " " v["view_ms"] * 1000 / v["size"] " " v["plain_ms"] * 1000 / v["size"];
		ratio_last[v["w"]] = v["ratio"]
	}
	END {
		for (w in first) {
			split(first[w], f, " "); split(last[w], l, " ");
			printf "growth w=%s: view time per form x%.2f, plain x%.2f from %s to %s forms (1.00 = linear)\n", w, l[2] / f[2], l[3] / f[3], f[1], l[1];
			printf "%-58s %10.2f   aim %-8s %s\n", "evaluation_result / plain GROUP BY, " l[1] " forms, w=" w, ratio_last[w], "<= 1.3", (ratio_last[w] <= 1.3) ? "met" : "MISSED"
		}
	}' "$work/scale.txt"
	awk '/^import size=/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%-58s %10s   aim %-8s %s\n", "import: forms/s into " v["size"] " forms", v["forms_per_s"], ">= 3000", (v["forms_per_s"] >= 3000) ? "met" : "MISSED"
	}' "$work/scale.txt"
	awk '/^eval_result size=[0-9]+ dashboard / {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%-58s %10.2f   aim %-8s %s\n", "dashboard: one unit, one year (" v["forms"] " forms) ms at " v["size"], v["ms"], "<= 10", (v["ms"] <= 10) ? "met" : "MISSED"
	}' "$work/scale.txt"
	awk '/^refresh size=/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%-58s %10.1f   (us per form %.2f)\n", "report refresh ms at " v["size"] " forms", v["ms"], v["ms"] * 1000 / v["size"]
	}' "$work/scale.txt"
fi
echo; echo "suite: done $(date -u '+%F %T UTC'); output in $OUT"
