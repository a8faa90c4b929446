/*
 * ivalue.h - the indicator value (年度指标值 / 实际完成值): model, reader,
 * canonical writer and storage layout.
 *
 * Plain C99 with no PostgreSQL headers, so the reader is unit-tested and
 * fuzzed outside the server; src/pg/ only adapts Datums to these calls.
 * Every table the reader uses (comparison words, units) is compiled in:
 * the result never depends on locale, settings or catalog contents.
 */
#ifndef PJEVAL_IVALUE_H
#define PJEVAL_IVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An exact decimal: coef x 10^exp.  The reader keeps the scale as written. */
typedef struct IvDecimal
{
	int64_t		coef;
	int32_t		exp;
} IvDecimal;

#define IV_MAX_DIGITS	18		/* more significant digits: out of range */
#define IV_MAX_CLAUSES	16		/* labelled clauses in one value */
#define IV_MAX_INPUT	8192	/* bytes of input text */

typedef enum IvKind
{
	IV_KIND_QUANTITY = 1,		/* one or more clauses with a number */
	IV_KIND_QUALITATIVE = 2,	/* text with no number: 重点解决 */
	IV_KIND_CLAIM = 3,			/* an actual that claims: 已完成, 达标, 已完成100% */
	IV_KIND_NOT_APPLICABLE = 4, /* 不适用 */
	IV_KIND_EMPTY = 5			/* an empty cell or a placeholder: - — / 一 */
} IvKind;

typedef enum IvCmp
{
	IV_CMP_EQ = 0,				/* = 等于, or no comparison at all */
	IV_CMP_GE = 1,				/* ≥ 不低于 至少 达到 …以上 */
	IV_CMP_GT = 2,				/* > 超过 高于 */
	IV_CMP_LE = 3,				/* ≤ 不超过 控制在 …以下 …以内 …前 */
	IV_CMP_LT = 4,				/* < 低于 不满 */
	IV_CMP_APPROX = 5,			/* ≈ 约 …左右 */
	IV_CMP_RANGE = 6			/* a-b, a~b, a至b */
} IvCmp;

typedef enum IvDim
{
	IV_DIM_NONE = 0,			/* a bare number: takes the other side's unit */
	IV_DIM_RATIO = 1,			/* % ‰ 百分比; base unit % */
	IV_DIM_MONEY = 2,			/* 元 千元 万元 亿元; base unit 元 */
	IV_DIM_DURATION = 3,		/* 秒..周 (base 秒), 月/年 (base 月), 工作日 */
	IV_DIM_FREQUENCY = 4,		/* 次/周, 2场/月: a count per period */
	IV_DIM_COUNT = 5,			/* 个 件 人次 …, and open units (5匹, 5kg): each its own base unit */
	IV_DIM_LENGTH = 6,			/* base 米 */
	IV_DIM_AREA = 7,			/* base 平方米; 亩 is kept apart (not exact) */
	IV_DIM_MASS = 8,			/* base 吨 */
	IV_DIM_VOLUME = 9,			/* base 立方米 */
	IV_DIM_DATE = 10,			/* value is yyyymmdd, 0 for a missing part */
	IV_DIM_RATE = 11			/* anything per something else: 元/人 */
} IvDim;

#define IV_DIM_COUNT_OF_DIMS 12

/* IvClause.flags */
#define IV_FLAG_MONTH_END	0x01	/* a date written with 底: end of that month */

/*
 * One comparison: [label] [cmp] number [unit].  Strings are (offset, length)
 * pairs into the owning IvValue's canonical text, so a value is one flat
 * block that can be stored as it is.
 */
typedef struct IvClause
{
	IvDecimal	value;			/* as written; IV_DIM_DATE: yyyymmdd */
	IvDecimal	upper;			/* IV_CMP_RANGE only: the upper bound */
	uint8_t		cmp;			/* IvCmp */
	uint8_t		dim;			/* IvDim */
	uint8_t		unit;			/* index into the unit table, 0 = none, iv_open_unit: the word in unit_off.. */
	uint8_t		mult;			/* power of ten of a 十/百/千/万/亿 prefix */
	uint8_t		mult_len;		/* bytes of that prefix as written */
	uint8_t		flags;			/* IV_FLAG_* */
	uint16_t	label_off,
				label_len;		/* label, e.g. 采集率; len 0 = none */
	uint16_t	unit_off,
				unit_len;		/* whole unit as written, e.g. 万元, 次/周 */
	uint16_t	per_off,
				per_len;		/* the part after '/', e.g. 周; len 0 = none */
} IvClause;

typedef struct IvValue
{
	uint8_t		kind;			/* IvKind */
	uint8_t		nclauses;		/* QUANTITY: >= 1; CLAIM: 0 or more */
	uint16_t	text_len;
	const char *text;			/* canonical text, not NUL-terminated */
	IvClause	clauses[IV_MAX_CLAUSES];
} IvValue;

typedef enum IvStatus
{
	IV_OK = 0,
	IV_ERR_SYNTAX,				/* 22P02 invalid_text_representation */
	IV_ERR_RANGE,				/* 22003 numeric_value_out_of_range */
	IV_ERR_ENCODING,			/* 22021 character_not_in_repertoire */
	IV_ERR_TOO_LONG				/* 54000 program_limit_exceeded */
} IvStatus;

typedef struct IvError
{
	IvStatus	status;
	size_t		offset;			/* byte offset where reading stopped */
	size_t		char_offset;	/* the same in characters, from 0 */
	char		detail[192];	/* what was wrong there, in English */
	const char *hint;			/* an accepted form (static string) */
} IvError;

/* Bytes of canonical text the reader may need for an input of len bytes. */
size_t		iv_text_capacity(size_t len);

/*
 * Read len bytes of UTF-8 (need not be NUL-terminated).  On success fills
 * *out, writes its canonical text into buf (cap >= iv_text_capacity(len))
 * and points out->text there.  On failure fills *err and returns false.
 * Never reads outside in[0..len), never writes outside buf[0..cap).
 */
bool		iv_parse(const char *in, size_t len, IvValue *out,
					 char *buf, size_t cap, IvError *err);

/*
 * Storage layout: a compact block of varints and the canonical text (see
 * ivalue_store.c), for the server's own pages.  Equal values have equal
 * bytes, and equal canonical text.
 */
size_t		iv_packed_size(const IvValue *v);
void		iv_pack(const IvValue *v, uint8_t *dst);
/* Reads a block written by iv_pack; false if it is malformed. */
bool		iv_unpack(const uint8_t *src, size_t len, IvValue *out);

/* Names for SQL: "≥" ">" "≤" "<" "=" "≈" "range"; "ratio", "money", ... */
const char *iv_cmp_symbol(IvCmp cmp);
const char *iv_dim_name(IvDim dim);
const char *iv_kind_name(IvKind kind);

/*
 * The factor that turns a clause's number into its base unit (unit table
 * factor x 10^mult), e.g. 万元 -> 1e4, 个月 -> 1, ‰ -> 0.1 (base %).
 */
IvDecimal	iv_clause_factor(const IvClause *c);

/*
 * The clause's base unit name (元, %, 秒, 月, 人次, 元/人, ...) written into
 * buf; returns its length (0 for a bare number).  cap >= 64 + per_len.
 */
size_t		iv_clause_base_unit(const IvValue *v, const IvClause *c,
								char *buf, size_t cap);

#endif							/* PJEVAL_IVALUE_H */
