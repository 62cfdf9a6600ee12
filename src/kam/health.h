/*
 * The account health score: seven parts, each turned into 0–100 with a one-line reason a
 * KAM understands, weighted (parts without data drop out and the others' weights grow),
 * and the alert rules evaluated over the same inputs.
 */
#ifndef KAM_KAM_HEALTH_H
#define KAM_KAM_HEALTH_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "kam/settings.h"
#include "store/health.h"

struct health_part {
	const char *name;
	bool missing;
	double value;  /* 0..100 */
	double weight; /* effective share 0..1 */
	double points; /* value × weight */
	char reason[192];
};

struct health_result {
	double score;
	struct health_part part[HP__MAX];
};

/* Computes the health of one account at time now. */
void health_compute(const struct settings *s, const struct health_input *in, int64_t now,
		    struct health_result *out);
/* The result as JSON {score, components:[…]} (caller owns it). */
json_t *health_json(const struct health_result *r);

/*
 * The alerts that hold for these accounts (with their health already computed in scores).
 * *hits is a new array the caller frees with alert_hits_free.
 */
int alert_evaluate(const struct settings *s, const struct health_input *in, const double *scores,
		   size_t n, int64_t now, struct alert_hit **hits, size_t *nhits);
/* Frees hits and their evidence. */
void alert_hits_free(struct alert_hit *hits, size_t n);

#endif
