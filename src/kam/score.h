/*
 * Identification and segmentation, as plain arithmetic a KAM can check by hand:
 * the weighted criteria score with its contributions, the tier, the relationship-strength
 * blend and the portfolio-matrix segment.
 */
#ifndef KAM_KAM_SCORE_H
#define KAM_KAM_SCORE_H
#include <stdbool.h>
#include <stddef.h>
#include "kam/settings.h"

#define SCORE_CRITERIA 4

struct score_criterion {
	const char *name; /* financial, growth, strategic, influence */
	double raw;       /* revenue (base minor units) or the 1..5 rating */
	bool raw_null;    /* rating not given */
	double normalized; /* 0..100 */
	double weight;     /* share of the weights, 0..1 */
	double contribution; /* normalized × weight, rounded to 2 decimals */
};

struct score_result {
	double score; /* sum of the contributions, 0..100 */
	const char *tier; /* key, potential or standard */
	struct score_criterion c[SCORE_CRITERIA];
};

/* The fields of one account that feed its score. */
struct score_input {
	double revenue;     /* last 12 months, base currency minor units */
	double revenue_pct; /* its percentile among all accounts, 0..100 (score_percentiles) */
	int growth, strategic, influence; /* 1..5, 0 when not given */
	bool churned;       /* a churned account is never key */
};

/*
 * Percentile ranks of revenues: 100 × (how many are strictly lower) / (n − 1), so ties share
 * a rank, the top is 100 and the bottom 0; zero revenue is always 0; one account alone with
 * revenue is 100. pct must hold n values.
 */
void score_percentiles(const double *revenue, size_t n, double *pct);
/* The rank of one revenue given how many of n accounts earn strictly less (as above). */
double score_percentile_of(double revenue, size_t lower, size_t n);
/* Computes the score, its criteria and the tier. */
void score_compute(const struct settings *s, const struct score_input *in,
		   struct score_result *out);

#define STRENGTH_PARTS 4

struct strength_part {
	const char *name; /* relationship_input, share_of_wallet, nps, stakeholder_coverage */
	double raw;       /* 1..5 rating, wallet share 0..1, NPS −100..100, coverage 0..1 */
	bool missing;     /* no data: left out, the other weights grow */
	double normalized; /* 0..100 */
	double weight;     /* effective share, 0..1 (0 when missing) */
};

struct strength_input {
	int rating;             /* relationship_strength 1..5, 0 unknown */
	double wallet_share;    /* revenue / potential spend, < 0 unknown */
	double nps;             /* −100..100, or NAN when no answers */
	double coverage;        /* influential contacts engaged / influential contacts, < 0 unknown */
};

/* Blends the relationship strength 0..100 from its parts; NAN when every part is missing. */
double score_strength(const struct strength_input *in, struct strength_part out[STRENGTH_PARTS]);
/* The segment of a key account: strategic, develop, maintain or streamline. */
const char *score_segment(const struct settings *s, double attractiveness, double strength);

#endif
