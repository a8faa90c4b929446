# harness.sh - what every test/integration/*.sh counts with, sourced from the
# repository's root:  . test/integration/lib/harness.sh
#   ok MESSAGE / fail MESSAGE   count a check and print it
#   finish                      print `N passed, N failed` (the line
#                               scripts/test.sh reads) and exit non-zero
#                               when a check failed or none ran
#   skip REASON                 the whole script cannot run here (a tool it
#                               needs is absent): print the reason and
#                               `0 passed, 0 failed, 1 skipped`, exit 0;
#                               scripts/test.sh counts it as skipped
passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok     - $*"; }
fail() { failed=$((failed + 1)); echo "FAILED - $*"; }
skip() {
	echo "skipped - $*"
	echo
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}
finish() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}
