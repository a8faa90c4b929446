/*
 * parse_bench.c - how many indicator values the pure reader (iv_parse)
 * reads per second on one core, over a mix of real cells: the seed forms'
 * targets and actuals and the shapes of indicator-values.md, weighted
 * towards the short single values that dominate real forms.
 *
 * A benchmark, not a test: it prints figures and exits 0 unless the mix is
 * unusable.  `make bench/parse_bench && ./bench/parse_bench [parses]`
 * (default 6,000,000 parses: 3 timed rounds of 2,000,000 after a warm-up;
 * the median round is reported).
 */
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ivalue.h"

/* Each entry appears once; real frequencies come from the repeat counts. */
static const struct
{
	const char *text;
	int			weight;
} mix[] = {
	/* the seed forms (深圳市龙华区, 2022) */
	{"17", 3}, {"27", 3}, {"至少2次/周", 2}, {"200000", 2}, {"424876", 2},
	{"4", 3}, {"≥90%", 4}, {"92%", 4}, {"95%", 6}, {"1", 4},
	{"<1821100元", 2}, {"1808698.26元", 2}, {"不适用", 8}, {"重点解决", 2},
	{"100%", 6}, {"3180", 2}, {"97%以上", 3}, {"97.11%", 2}, {"99.94%", 2},
	{"低于3%", 2}, {"2.95%", 2}, {"≤461.74万元", 2}, {"461.736万元", 2},
	{"采集率达95%以上，准确率达90%以上，注销率达95%以上；", 1},
	{"采集率96.22%，准确率达99.31%，注销率95.35%", 1},
	{"采集率达95%以上，准确率达98%以上；", 1},
	{"采集率99.74%，准确率达99.49%", 1}, {"信息通报率达95%以上", 1},
	{"99.55%", 2}, {"95%以上", 4},
	/* shapes seen on other published forms */
	{"≥50个", 2}, {"50", 2}, {"≤90万元", 2}, {"90", 2}, {"≥95%", 4}, {"96", 2},
	{"≥100百分比", 1}, {"10 台套", 1}, {"≤350元/户", 1}, {"2次/年", 1},
	{"2022年12月31日前", 2}, {"2022年12月底前", 1}, {"2022-12-31", 1},
	{"15万元。", 1}, {">= 75 %", 1}, {"—", 2}, {"-", 2}, {"/", 1},
	{"已完成", 2}, {"已完成100%", 1}, {"达标", 1}, {"有效提升", 2},
	{"明显改善", 1}, {"按时完成", 1}, {"合格", 1}, {"９５％", 1},
	{"1,821,100元", 1}, {"3.5亿元", 1}, {"2万人次", 1}, {"≥5‰", 1},
	{"不超过3个工作日", 1}, {"不少于12场", 1}, {"超过100人", 1},
	{"≥1000平方米", 1}, {"500吨以上", 1}, {"约30天", 1}, {"30天左右", 1},
	{"24小时内", 1}, {"3个月以内", 1}, {"不低于98%", 2}, {"达到100%", 2},
	{"控制在5%以内", 1}, {"≥2场/月", 1}, {"1次/月", 1}, {"80%-90%", 1},
	{"10至20个", 1}, {"≥90分", 1}, {"≤5个工作日", 1}, {"≥1200元/人", 1},
	{"满意度≥90%、覆盖率≥85%", 1},
};

#define NMIX (sizeof(mix) / sizeof(mix[0]))

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
gcd(size_t a, size_t b)
{
	while (b)
	{
		size_t		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	long		total = argc > 1 ? atol(argv[1]) : 6000000L;
	const char **seq;
	size_t	   *lens;
	size_t		nseq = 0,
				distinct = 0,
				bytes = 0,
				maxlen = 0,
				cap;
	char	   *buf;
	IvValue		v;
	IvError		err;
	volatile unsigned long sink = 0;
	double		rates[3];
	long		per_round;

	/* Keep only what the reader accepts, so the figure is for successes. */
	for (size_t i = 0; i < NMIX; i++)
		if (strlen(mix[i].text) > maxlen)
			maxlen = strlen(mix[i].text);
	cap = iv_text_capacity(maxlen);
	buf = malloc(cap);
	seq = malloc(sizeof(*seq) * NMIX * 16);
	lens = malloc(sizeof(*lens) * NMIX * 16);
	if (!buf || !seq || !lens)
		return 2;
	for (size_t i = 0; i < NMIX; i++)
	{
		size_t		len = strlen(mix[i].text);

		if (!iv_parse(mix[i].text, len, &v, buf, cap, &err))
		{
			fprintf(stderr, "parse_bench: left out of the mix (rejected): \"%s\": %s\n",
					mix[i].text, err.detail);
			continue;
		}
		distinct++;
		for (int w = 0; w < mix[i].weight; w++)
		{
			seq[nseq] = mix[i].text;
			lens[nseq] = len;
			bytes += len;
			nseq++;
		}
	}
	if (distinct < 50)
	{
		fprintf(stderr, "parse_bench: only %zu distinct strings read; the mix needs 50\n", distinct);
		return 2;
	}
	/* Interleave: a stride coprime with nseq spreads the repeats apart. */
	{
		const char **s2 = malloc(sizeof(*s2) * nseq);
		size_t	   *l2 = malloc(sizeof(*l2) * nseq);
		size_t		stride = 7;

		while (gcd(nseq, stride) != 1)
			stride += 2;
		for (size_t i = 0, j = 0; i < nseq; i++, j = (j + stride) % nseq)
		{
			s2[i] = seq[j];
			l2[i] = lens[j];
		}
		seq = s2;
		lens = l2;
	}

	per_round = total / 3;
	/* warm-up: caches and branch predictors */
	for (long i = 0; i < per_round / 10; i++)
	{
		size_t		k = (size_t) i % nseq;

		sink += iv_parse(seq[k], lens[k], &v, buf, cap, &err) ? v.text_len : 1;
	}
	for (int r = 0; r < 3; r++)
	{
		double		t0 = now(),
					t;

		for (long i = 0; i < per_round; i++)
		{
			size_t		k = (size_t) i % nseq;

			sink += iv_parse(seq[k], lens[k], &v, buf, cap, &err) ? v.text_len : 1;
		}
		t = now() - t0;
		rates[r] = per_round / t;
		printf("round %d: %ld parses in %.3f s = %.0f values/s\n", r + 1, per_round, t, rates[r]);
	}
	qsort(rates, 3, sizeof(double), cmp_double);
	printf("mix: %zu distinct strings, %zu weighted, mean %.1f bytes\n",
		   distinct, nseq, (double) bytes / nseq);
	printf("parse rate: %.0f values/s (median of 3 rounds, one core, %ld parses)\n",
		   rates[1], per_round * 3);
	(void) sink;
	return 0;
}
