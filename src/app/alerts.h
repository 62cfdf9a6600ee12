/* Health scores and alerts: computed for every account, kept, and shown. */
#ifndef KAM_APP_ALERTS_H
#define KAM_APP_ALERTS_H
#include "app/access.h"
#include "kam/settings.h"
#include "store/health.h"

struct alerts_run {
	size_t accounts, hits;
	int opened, updated, resolved, woke;
	double ms;
};

/* What the store reads for the health of account_id (0: all) at now, under settings s. */
void app_health_params(const struct settings *s, int64_t account_id, int64_t now,
                       struct store_health_params *p);
/* Refreshes stale tiers, then computes every account's health (keeping today's snapshot)
 * and syncs the alerts, in one write transaction on c. */
int app_alerts_run(struct store_conn *c, int64_t now, struct alerts_run *out);
/* Recomputes account_id's health at now and keeps it as today's snapshot (the score the
 * accounts list shows), in the open write transaction; an unknown account is no error. */
int app_health_account(struct store_conn *c, int64_t now, int64_t account_id);
/* The health below which a key account is at risk (the dashboard's panel). */
#define APP_AT_RISK_HEALTH 70
/*
 * The key accounts who sees whose health rests on enough data and is below
 * APP_AT_RISK_HEALTH, least healthy first, at most limit (1..20): each with its health, 12
 * months' revenue, owner's name and its health's weakest part's reason, into *out (owned):
 * {items, threshold, currency}.
 */
int app_at_risk(struct store_conn *db, const struct actor *who, int limit, json_t **out);
/* An alert as it goes out: its evidence as JSON, its account's name beside. */
int app_alert_expand(struct store_conn *db, json_t *alert);

#endif
