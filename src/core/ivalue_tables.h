/*
 * ivalue_tables.h - compiled-in word and unit tables shared by the reader
 * and the accessors (internal to src/core).
 */
#ifndef PJEVAL_IVALUE_TABLES_H
#define PJEVAL_IVALUE_TABLES_H

#include "ivalue.h"

typedef struct IvWord
{
	const char *text;			/* UTF-8, after the reader's normalisation */
	uint8_t		len;			/* bytes */
	uint8_t		cmp;			/* IvCmp */
	bool		weak;			/* 达/达到/控制在: a suffix word overrides it */
} IvWord;

/* IvUnit.flags */
#define IV_UNIT_PERIOD	0x01	/* may follow '/' to make a frequency: 次/周 */
#define IV_UNIT_OPEN	0x02	/* the open unit: a measure word the table lacks */

typedef struct IvUnit
{
	const char *name;			/* as matched and as printed */
	uint8_t		len;
	uint8_t		dim;			/* IvDim */
	uint8_t		canon;			/* index of the entry printed instead (百分比 → %) */
	uint8_t		flags;
	IvDecimal	factor;			/* to the base unit */
	const char *base;			/* base unit name; NULL: the unit itself (counts) */
} IvUnit;

extern const IvWord iv_prefix_words[];
extern const size_t iv_n_prefix_words;
extern const IvWord iv_suffix_words[];
extern const size_t iv_n_suffix_words;
extern const IvWord iv_date_suffix_words[];
extern const size_t iv_n_date_suffix_words;
extern const IvUnit iv_units[];
extern const size_t iv_n_units;

/*
 * The open unit: a number followed by a word the table does not list, a
 * run of CJK ideographs (5匹, 3000尾) or of Latin letters (5kg), is a count
 * in that word, each word its own base unit.  Its entry has an empty name;
 * the word is in the clause's unit text, after any 十百千万亿 prefix.
 */
extern const uint8_t iv_open_unit;

/*
 * Periods that read as a range of months: 全年 (1~12), 上半年 (1~6),
 * 第三季度 (7~9); alone, or after a year (2021年全年).
 */
typedef struct IvPeriod
{
	const char *text;
	uint8_t		len;
	uint8_t		first,
				last;			/* months */
} IvPeriod;

extern const IvPeriod iv_periods[];
extern const size_t iv_n_periods;

/* Whole-value words. */
extern const char *const iv_claim_words[];	/* alone: 完成 达标 是 */
extern const size_t iv_n_claim_words;
extern const char *const iv_claim_prefixes[];	/* may carry a number: 已完成100% */
extern const size_t iv_n_claim_prefixes;
extern const char *const iv_placeholders[];
extern const size_t iv_n_placeholders;
bool		iv_is_placeholder(const char *s, size_t len);	/* empty or a placeholder */
bool		iv_explains_nothing(const char *s, size_t len); /* blank, placeholder or 无 */

/* The digit 0-9 that a decimal digit of any script other than ASCII stands for; -1: none. */
int			iv_digit_value(uint32_t c);

/*
 * Invisible format characters.  The reader drops them wherever they stand
 * (they are not part of a value, nor of its canonical text), except a
 * bidirectional control inside a number, which it refuses: it can make the
 * number display in an order other than the one it reads in.
 */
#define IV_MARK_NONE		0
#define IV_MARK_INVISIBLE	1	/* U+200B-200F zero-width and LRM/RLM, U+2060, U+FEFF */
#define IV_MARK_BIDI		2	/* U+202A-202E embeddings and overrides, U+2066-2069 isolates */
int			iv_format_mark(uint32_t c);

#define IV_NOT_APPLICABLE_TEXT "不适用"
#define IV_EMPTY_TEXT "—"


#endif							/* PJEVAL_IVALUE_TABLES_H */
