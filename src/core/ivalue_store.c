/*
 * ivalue_store.c - the flat block a value is stored as.  The reader already
 * produces a canonical value, so equal values pack to equal bytes.
 */
#include <string.h>

#include "ivalue_tables.h"

#define IV_LAYOUT_VERSION 1
#define IV_HEADER_SIZE 6

size_t
iv_packed_size(const IvValue *v)
{
	return IV_HEADER_SIZE + (size_t) v->nclauses * sizeof(IvClause) + v->text_len;
}

void
iv_pack(const IvValue *v, uint8_t *dst)
{
	size_t		clauses = (size_t) v->nclauses * sizeof(IvClause);

	dst[0] = IV_LAYOUT_VERSION;
	dst[1] = v->kind;
	dst[2] = v->nclauses;
	dst[3] = 0;
	memcpy(dst + 4, &v->text_len, sizeof(uint16_t));
	/* clauses are zeroed by the reader, so padding bytes are too */
	memcpy(dst + IV_HEADER_SIZE, v->clauses, clauses);
	memcpy(dst + IV_HEADER_SIZE + clauses, v->text, v->text_len);
}

static bool
span_ok(size_t off, size_t len, size_t text_len)
{
	return off + len <= text_len;
}

bool
iv_unpack(const uint8_t *src, size_t len, IvValue *out)
{
	size_t		clauses,
				i;

	if (len < IV_HEADER_SIZE || src[0] != IV_LAYOUT_VERSION ||
		src[1] < IV_KIND_QUANTITY || src[1] > IV_KIND_EMPTY || src[2] > IV_MAX_CLAUSES)
		return false;
	out->kind = src[1];
	out->nclauses = src[2];
	memcpy(&out->text_len, src + 4, sizeof(uint16_t));
	clauses = (size_t) out->nclauses * sizeof(IvClause);
	if (len != IV_HEADER_SIZE + clauses + out->text_len)
		return false;
	/* only quantities and claims carry clauses, and a quantity has one at least */
	if ((out->kind == IV_KIND_QUANTITY && out->nclauses == 0) ||
		(out->kind != IV_KIND_QUANTITY && out->kind != IV_KIND_CLAIM && out->nclauses > 0))
		return false;
	memcpy(out->clauses, src + IV_HEADER_SIZE, clauses);
	out->text = (const char *) src + IV_HEADER_SIZE + clauses;
	for (i = 0; i < out->nclauses; i++)
	{
		const IvClause *c = &out->clauses[i];

		if (c->unit >= iv_n_units || c->dim >= IV_DIM_COUNT_OF_DIMS || c->cmp > IV_CMP_RANGE ||
			!span_ok(c->label_off, c->label_len, out->text_len) ||
			!span_ok(c->unit_off, c->unit_len, out->text_len) ||
			!span_ok(c->per_off, c->per_len, out->text_len))
			return false;
	}
	return true;
}
