#!/usr/bin/env bash
# test.sh - THE test command for pjeval: `bash scripts/test.sh`, as root on
# a fresh Debian 12 machine (CI runs it through .ci/run).
#
# Stages, each counted, all run even when an earlier one failed:
#   build        scripts/deps.sh: packages, make, make install
#   unittest     the pure C core under ASan/UBSan (counts its own tests)
#   fuzz         each libFuzzer target over its corpus and a fixed number of
#                mutations from a fixed seed (`make fuzz`: the same inputs on
#                every run); any finding fails it
#   installcheck pg_regress on a throwaway cluster (pg_virtualenv), one count
#                per regression test; regression.diffs is printed on failure
#   integration  each test/integration/*.sh in its own throwaway cluster,
#                counting the `N passed, N failed` line it prints; a script
#                that cannot run here (citus.sh without Citus) prints
#                `0 passed, 0 failed, 1 skipped` and is listed as SKIPPED
#                with its reason
# The last line is `N passed, N failed` (`, N skipped` when a script was
# skipped); the exit status is non-zero if any
# count failed, 2 if a package or tool is missing (nothing else is tried).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
LOGDIR="$(mktemp -d -t pjeval-test.XXXXXX)"
trap 'rm -rf "$LOGDIR"' EXIT

passed=0
failed=0
skipped=0
summary=()

banner() { printf '\n==== %s ====\n' "$*"; }

# record STAGE NPASSED NFAILED NOTE [NSKIPPED]
record() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	skipped=$((skipped + ${5:-0}))
	summary+=("$(printf '%-13s %5d passed %5d failed  %s' "$1" "$2" "$3" "$4")")
}

finish() {
	banner "summary"
	printf '%s\n' "${summary[@]}"
	echo
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	if [ -n "${1:-}" ]; then exit "$1"; fi
	[ "$failed" -eq 0 ]
	exit $?
}

# ---- build: packages, make, make install -------------------------------
banner "build: scripts/deps.sh"
bash scripts/deps.sh
rc=$?
build_ok=0
case $rc in
	0) record build 1 0 "make && make install"; build_ok=1 ;;
	2) echo "test.sh: STOP: a required package or tool is missing (see the deps.sh message above)" >&2
	   record build 0 1 "missing package or tool: stopped"
	   finish 2 ;;
	*) record build 0 1 "make or make install failed (rc=$rc)" ;;
esac

# ---- unittest: the pure core under ASan/UBSan ---------------------------
banner "unittest: make unittest"
make unittest 2>&1 | tee "$LOGDIR/unit.log"
rc=${PIPESTATUS[0]}
# The binary prints its own `N passed, N failed` (a word and a colon may lead).
counts="$(grep -aE '^[[:space:]]*([[:alnum:]_-]+:[[:space:]]*)?[0-9]+ passed, [0-9]+ failed' "$LOGDIR/unit.log" | tail -n 1 |
	sed -E 's/^[^0-9]*([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')"
if [ -n "$counts" ]; then
	read -r up uf <<<"$counts"
	note="unit tests"
	if [ "$rc" -ne 0 ] && [ "$uf" -eq 0 ]; then
		uf=1; note="unit tests; binary exited $rc (sanitizer report?)"
	fi
	record unittest "$up" "$uf" "$note"
elif [ "$rc" -eq 0 ]; then
	record unittest 1 0 "passed (no count printed)"
else
	record unittest 0 1 "make unittest failed (rc=$rc) before printing a count"
fi

# ---- fuzz: bounded libFuzzer run ------------------------------------------
banner "fuzz: make fuzz"
stamp="$LOGDIR/fuzz.stamp"; : >"$stamp"
make fuzz >"$LOGDIR/fuzz.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	# libFuzzer's closing lines: "Done N runs in S second(s)" and the stats.
	grep -aE '^Done [0-9]+ runs' "$LOGDIR/fuzz.log"
	runs="$(grep -aoE '^Done [0-9]+ runs' "$LOGDIR/fuzz.log" | awk '{ s += $2 } END { print s + 0 }')"
	record fuzz 1 0 "${runs:-?} inputs over four targets, no finding"
else
	# The report starts at the first sign of trouble; a build error has none.
	first="$(grep -anE 'invariant violated|runtime error|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|deadly signal|Error [0-9]+$' \
		"$LOGDIR/fuzz.log" | head -n 1 | cut -d: -f1)"
	if [ -n "$first" ]; then
		tail -n +"$first" "$LOGDIR/fuzz.log" | head -n 60
	else
		tail -n 40 "$LOGDIR/fuzz.log"
	fi
	find test/fuzz . -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$stamp" 2>/dev/null |
	while read -r f; do
		echo "---- fuzz artifact $f ($(wc -c <"$f") bytes), as hex:"
		od -An -tx1 -v "$f" | head -n 40
	done
	record fuzz 0 1 "make fuzz failed (rc=$rc): a finding or a build error, see above"
fi

# ---- installcheck: pg_regress on a throwaway cluster ------------------------
banner "installcheck: pg_virtualenv -v $PG_MAJOR make installcheck"
if [ "$build_ok" -ne 1 ]; then
	echo "skipped: the extension did not build"
	record installcheck 0 1 "skipped: build failed"
else
	rm -rf results regression.diffs regression.out
	# -t: a cluster in a temporary directory even as root, so it never
	# collides with a `regress` cluster someone else has open.
	pg_virtualenv -t -v "$PG_MAJOR" make installcheck PG_CONFIG="$PG_CONFIG" 2>&1 | tee "$LOGDIR/regress.log"
	rc=${PIPESTATUS[0]}
	rp="$(grep -acE '\.\.\. ok' "$LOGDIR/regress.log")"
	rf="$(grep -acE '\.\.\. (FAILED|failed)' "$LOGDIR/regress.log")"
	if [ -f regression.diffs ] && [ -s regression.diffs ]; then
		banner "regression.diffs"
		cat regression.diffs
	fi
	note="pg_regress tests"
	if [ "$rc" -ne 0 ] && [ "$rf" -eq 0 ]; then
		rf=1; note="make installcheck failed (rc=$rc) outside any test"
	elif [ "$rp" -eq 0 ] && [ "$rf" -eq 0 ]; then
		rf=1; note="no regression test ran"
	fi
	record installcheck "$rp" "$rf" "$note"
fi

# ---- integration: shell tests, each in its own throwaway cluster ------------
# test/integration/*.sh get PGHOST/PGPORT/PGUSER from pg_virtualenv; pg_cron is
# preloaded so the scheduled-refresh test can use it (the others ignore it).
banner "integration: test/integration/*.sh"
if [ "$build_ok" -ne 1 ]; then
	echo "skipped: the extension did not build"
	record integration 0 1 "skipped: build failed"
else
	for t in test/integration/*.sh; do
		[ -e "$t" ] || continue
		name="$(basename "$t" .sh)"
		banner "integration: $name"
		pg_virtualenv -t -v "$PG_MAJOR" -o shared_preload_libraries=pg_cron \
			-o cron.database_name=postgres bash "$t" 2>&1 | tee "$LOGDIR/$name.log"
		rc=${PIPESTATUS[0]}
		counts="$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$LOGDIR/$name.log" | tail -n 1)"
		ip="$(echo "$counts" | sed -nE 's/^([0-9]+) passed.*/\1/p')"
		if_="$(echo "$counts" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')"
		is="$(echo "$counts" | sed -nE 's/^[0-9]+ passed, [0-9]+ failed, ([0-9]+) skipped$/\1/p')"
		ip="${ip:-0}"; if_="${if_:-0}"; is="${is:-0}"
		if [ "$rc" -ne 0 ] && [ "$if_" -eq 0 ]; then if_=1; fi
		if [ "$rc" -eq 0 ] && [ "$ip" -eq 0 ] && [ "$if_" -eq 0 ] && [ "$is" -gt 0 ]; then
			# the script could not run here (test/integration/lib/harness.sh skip)
			reason="$(grep -a '^skipped - ' "$LOGDIR/$name.log" | tail -n 1 | sed 's/^skipped - //')"
			record "$name" 0 0 "SKIPPED: ${reason:-no reason given}" "$is"
			continue
		fi
		if [ "$ip" -eq 0 ] && [ "$if_" -eq 0 ]; then if_=1; fi
		record "$name" "$ip" "$if_" "test/integration/$name.sh"
	done
fi

finish
