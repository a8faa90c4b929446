/*
 * check.h - the few lines of test harness the unit tests share.
 */
#ifndef PJEVAL_CHECK_H
#define PJEVAL_CHECK_H

#include <stdio.h>

extern int	check_passed,
			check_failed;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			check_passed++; \
		else \
		{ \
			check_failed++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

void		test_ivalue(void);
void		test_rules(void);
void		test_monitor(void);
void		test_form(void);
void		test_monitor_form(void);
void		test_rows(void);
void		test_workbook(void);
void		test_store(void);
void		test_xlsx_write(void);

#endif							/* PJEVAL_CHECK_H */
