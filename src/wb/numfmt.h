/*
 * numfmt.h - a spreadsheet number as the spreadsheet shows it: the stored
 * decimal text of a cell (`0.95`, `1821100`, `99.319999999999993`, `1E-3`)
 * rendered through its number format (`0%`, `#,##0.00`, `0.00"万元"`,
 * `yyyy"年"m"月"d"日"`, General).  Plain C: no PostgreSQL headers, no
 * allocation (the caller owns every buffer), no floating point.
 *
 * The rules (docs/workbooks.md): exact decimals, rounded half away from
 * zero to the format's decimals; General shows at most 15 significant
 * digits without trailing zeros; a format's sections are chosen by sign
 * (positive; negative; zero); a format with date or time codes reads the
 * number as a serial date of the 1900 or the 1904 system.
 */
#ifndef PJEVAL_NUMFMT_H
#define PJEVAL_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

/* The format code of a built-in number format id; NULL for General or unknown. */
const char *pj_numfmt_builtin(int id);

/*
 * Renders the number written in value[0..vlen) through format (NUL-terminated;
 * NULL or "" is General) into out (NUL-terminated).  Returns the length
 * written, or -1 when value is not a number or out is too small: the caller
 * then shows the value as stored.
 */
int			pj_numfmt_render(const char *value, size_t vlen, const char *format,
							 bool date1904, char *out, size_t outsz);

#endif							/* PJEVAL_NUMFMT_H */
