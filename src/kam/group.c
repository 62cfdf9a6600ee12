/* Group accounts: roots, depths and the group-level score, over plain (id, parent) pairs. */
#include <stdlib.h>
#include "kam/group.h"

static int cmp_node(const void *key, const void *elem)
{
	int64_t x = *(const int64_t *)key, y = ((const struct group_node *)elem)->id;

	return (x > y) - (x < y);
}

/* The index of id among the nodes, or -1. */
static ptrdiff_t index_of(const struct group_node *v, size_t n, int64_t id)
{
	const struct group_node *p;

	if (id <= 0 || n == 0)
		return -1;
	p = bsearch(&id, v, n, sizeof(*v), cmp_node);
	return p ? p - v : -1;
}

void group_roots(const struct group_node *v, size_t n, size_t *root)
{
	for (size_t i = 0; i < n; i++) {
		size_t at = i, steps = 0;
		ptrdiff_t up;

		/* at most n steps: a longer walk has gone round a cycle */
		while ((up = index_of(v, n, v[at].parent_id)) >= 0 && steps++ < n)
			at = (size_t)up;
		root[i] = steps > n ? i : at;
	}
}

void group_depths(const struct group_node *v, size_t n, int64_t top, int *depth)
{
	for (size_t i = 0; i < n; i++) {
		size_t at = i;
		int d = 0;
		ptrdiff_t up;

		depth[i] = -1;
		for (;;) {
			if (v[at].id == top) {
				depth[i] = d;
				break;
			}
			if ((up = index_of(v, n, v[at].parent_id)) < 0 || (size_t)d >= n)
				break; /* not under top, or round a cycle */
			at = (size_t)up;
			d++;
		}
	}
}

void score_by_group(const struct settings *s, size_t n, const size_t *root,
                    const struct score_input *in, const double *intra, struct score_result *out,
                    double *combined)
{
	double *sum = calloc(n + 1, sizeof(*sum)), *rev = calloc(n + 1, sizeof(*rev)),
	       *pct = calloc(n + 1, sizeof(*pct));
	size_t *unit = calloc(n + 1, sizeof(*unit)), nu = 0;

	if (sum == NULL || rev == NULL || pct == NULL || unit == NULL) {
		/* no memory: each account scored alone rather than none */
		for (size_t i = 0; i < n; i++) {
			struct score_input one = in[i];

			one.revenue_pct = 0;
			score_compute(s, &one, &out[i]);
			if (combined)
				combined[i] = in[i].revenue;
		}
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		sum[root[i]] += in[i].revenue - (intra ? intra[i] : 0);
	for (size_t i = 0; i < n; i++)
		if (root[i] == i) {
			unit[nu] = i;
			rev[nu++] = sum[i];
		}
	/* the revenue percentile is taken among the units scored: groups and stand-alones */
	score_percentiles(rev, nu, pct);
	for (size_t k = 0; k < nu; k++) {
		struct score_input g = in[unit[k]];

		g.revenue = rev[k];
		g.revenue_pct = pct[k];
		score_compute(s, &g, &out[unit[k]]);
	}
	for (size_t i = 0; i < n; i++) {
		if (root[i] != i)
			out[i] = out[root[i]];
		if (combined)
			combined[i] = sum[root[i]];
	}
out:
	free(sum);
	free(rev);
	free(pct);
	free(unit);
}
