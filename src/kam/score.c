#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kam/score.h"

static double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

double score_percentile_of(double revenue, size_t lower, size_t n)
{
	if (revenue <= 0 || n == 0)
		return 0;
	if (n == 1)
		return 100;
	return round2(100.0 * (double)lower / (double)(n - 1));
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* How many of the n sorted values are below v: the first index not below it. */
static size_t count_below(const double *sorted, size_t n, double v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void score_percentiles(const double *revenue, size_t n, double *pct)
{
	/* each account's count of lower revenues, by binary search in a sorted copy: the count
	 * of every pair made a 100,000-account import spend most of its time here (a NaN is
	 * lower than nothing and nothing is lower than it, as the pairwise < had it) */
	double *sorted = n ? malloc(n * sizeof(*sorted)) : NULL;
	size_t m = 0;

	if (sorted == NULL) { /* no memory (or nothing to do): the plain count */
		for (size_t i = 0; i < n; i++) {
			size_t lower = 0;

			for (size_t j = 0; j < n; j++)
				if (revenue[j] < revenue[i])
					lower++;
			pct[i] = score_percentile_of(revenue[i], lower, n);
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!isnan(revenue[i]))
			sorted[m++] = revenue[i];
	qsort(sorted, m, sizeof(*sorted), by_value);
	for (size_t i = 0; i < n; i++)
		pct[i] = score_percentile_of(
		    revenue[i], isnan(revenue[i]) ? 0 : count_below(sorted, m, revenue[i]), n);
	free(sorted);
}

static void rating(struct score_criterion *c, const char *name, int v, double w)
{
	c->name = name;
	c->raw_null = v < 1;
	c->raw = c->raw_null ? 0 : v;
	c->normalized = c->raw_null ? 0 : (v - 1) * 25.0;
	c->weight = w;
}

void score_compute(const struct settings *s, const struct score_input *in,
		   struct score_result *out)
{
	double sum = s->w_financial + s->w_growth + s->w_strategic + s->w_influence;

	memset(out, 0, sizeof(*out));
	if (sum <= 0)
		sum = 1;
	out->c[0].name = "financial";
	out->c[0].raw = in->revenue;
	out->c[0].normalized = in->revenue_pct;
	out->c[0].weight = s->w_financial / sum;
	rating(&out->c[1], "growth", in->growth, s->w_growth / sum);
	rating(&out->c[2], "strategic", in->strategic, s->w_strategic / sum);
	rating(&out->c[3], "influence", in->influence, s->w_influence / sum);
	for (int i = 0; i < SCORE_CRITERIA; i++) {
		out->c[i].weight = round(out->c[i].weight * 10000.0) / 10000.0;
		out->c[i].contribution = round2(out->c[i].normalized * out->c[i].weight);
		out->score += out->c[i].contribution;
	}
	out->score = round2(out->score);
	if (out->score > 100)
		out->score = 100;
	if (!in->churned && out->score >= s->key_threshold)
		out->tier = "key";
	else if (!in->churned && out->score >= s->potential_threshold)
		out->tier = "potential";
	else
		out->tier = "standard";
}

double score_strength(const struct strength_input *in, struct strength_part out[STRENGTH_PARTS])
{
	static const double base[STRENGTH_PARTS] = {0.4, 0.2, 0.2, 0.2};
	double wsum = 0, total = 0;

	out[0] = (struct strength_part){"relationship_input", in->rating, in->rating < 1,
					(in->rating - 1) * 25.0, 0};
	out[1] = (struct strength_part){"share_of_wallet", in->wallet_share, in->wallet_share < 0,
					fmin(in->wallet_share, 1.0) * 100.0, 0};
	out[2] = (struct strength_part){"nps", in->nps, isnan(in->nps), (in->nps + 100.0) / 2.0,
					0};
	out[3] = (struct strength_part){"stakeholder_coverage", in->coverage, in->coverage < 0,
					fmin(in->coverage, 1.0) * 100.0, 0};
	for (int i = 0; i < STRENGTH_PARTS; i++)
		if (!out[i].missing)
			wsum += base[i];
	if (wsum == 0) {
		for (int i = 0; i < STRENGTH_PARTS; i++) {
			out[i].normalized = 0;
			out[i].raw = 0;
		}
		return NAN;
	}
	for (int i = 0; i < STRENGTH_PARTS; i++) {
		if (out[i].missing) {
			out[i].normalized = 0;
			out[i].raw = 0;
			continue;
		}
		out[i].normalized = round2(out[i].normalized);
		out[i].weight = round(base[i] / wsum * 10000.0) / 10000.0;
		total += out[i].normalized * base[i] / wsum;
	}
	return round2(total);
}

const char *score_segment(const struct settings *s, double attractiveness, double strength)
{
	bool high = attractiveness >= s->attractiveness_split;
	bool strong = !isnan(strength) && strength >= s->strength_split;

	if (high)
		return strong ? "strategic" : "develop";
	return strong ? "maintain" : "streamline";
}
