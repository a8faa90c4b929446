/*
 * main.c - runs the unit tests of the pure core (src/core) and the workbook
 * reader (src/wb) under ASan and
 * UBSan; `make unittest`.  Ends with "N passed, N failed".
 */
#include "check.h"

int			check_passed,
			check_failed;

int
main(void)
{
	test_ivalue();
	test_rules();
	test_monitor();
	test_form();
	test_monitor_form();
	test_rows();
	test_workbook();
	test_store();
	test_xlsx_write();
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
