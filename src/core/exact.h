/*
 * exact.h - exact arithmetic for the rules (internal to src/core): wide
 * decimals and a fixed-size unsigned bignum.  Every operation reports
 * overflow instead of wrapping.
 */
#ifndef PJEVAL_EXACT_H
#define PJEVAL_EXACT_H

#include "rules.h"

#define PJ_BIG_LIMBS 96			/* 3072 bits: 16 clauses of 18-digit values */

typedef struct PjBig
{
	int			n;				/* limbs in use, little-endian */
	uint32_t	d[PJ_BIG_LIMBS];
} PjBig;

bool		wide_mul10(pj_int128 *v, int times);
bool		wide_from(IvDecimal v, IvDecimal factor, PjWide *out);
bool		wide_align(PjWide *a, PjWide *b);
int			wide_cmp(PjWide a, PjWide b, bool *ok);

void		big_set(PjBig *b, unsigned __int128 v);
bool		big_mul_small(PjBig *b, uint32_t m);
bool		big_mul_pow10(PjBig *b, int e);
bool		big_mul(PjBig *r, const PjBig *a, const PjBig *b);
bool		big_add(PjBig *r, const PjBig *a, const PjBig *b);
int			big_cmp(const PjBig *a, const PjBig *b);
bool		big_from_wide(PjBig *b, pj_int128 v, int shift);
bool		big_round_div(const PjBig *num, const PjBig *den, uint64_t qmax, uint64_t *q);

#endif							/* PJEVAL_EXACT_H */
