# harness.sh - what every test/integration/*.sh counts with, sourced from the
# repository's root:  . test/integration/lib/harness.sh
#   ok MESSAGE / fail MESSAGE   count a check and print it
#   finish                      print `N passed, N failed` (the line
#                               scripts/test.sh reads) and exit non-zero
#                               when a check failed or none ran
passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok     - $*"; }
fail() { failed=$((failed + 1)); echo "FAILED - $*"; }
finish() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}
