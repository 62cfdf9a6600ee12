/* Reads the inputs of health scores and alert rules, and keeps snapshots and alerts. */
#ifndef KAM_STORE_HEALTH_H
#define KAM_STORE_HEALTH_H
#include <stdbool.h>
#include "kam/health.h"
#include "kam/date.h"
#include "store/store.h"

struct store_health_params {
	int64_t account_id; /* 0: every account */
	int64_t now;        /* the instant: SLA clocks, recent contacts */
	date_t today;       /* the date at now in the installation's zone: every date window */
	date_t last_month;  /* the last month of the revenue windows (app_revenue_window) */
	int sla_hours[4]; /* low, medium, high, critical */
	int detractor_days; /* how far back a detractor answer raises an alert */
	int stakeholder_days; /* how far back a stakeholder leaving or turning raises one */
};

/* The inputs of every account asked for, sorted by account id (*out owned by the caller). */
int store_health_inputs(struct store_conn *c, const struct store_health_params *p,
			struct health_input **out, size_t *n);
/* Keeps today's health score of an account (the latest of the day wins) and whether it
 * rests on enough data; a score without is kept on the account as -1 (lists sort those
 * together, first) and not in the history, so no trend is drawn or measured from defaults. */
int store_health_snapshot(struct store_conn *c, int64_t account_id, const char *day, double score,
                          bool enough_data);
/* store_health_snapshot, unless in (read by store_health_inputs for the same day) shows
 * the account and today's snapshot already hold this score. */
int store_health_keep(struct store_conn *c, const struct health_input *in, const char *day,
                      double score, bool enough_data);
/* An account's daily scores from a day on, oldest first (*items owned by the caller). */
int store_health_history(struct store_conn *c, int64_t account_id, const char *from,
			 json_t **items);

struct store_alert_sync {
	int opened, updated, resolved, reopened_from_snooze;
};

/*
 * Makes the stored alerts match the hits: a new hit opens an alert, a hit that holds
 * refreshes its evidence (and wakes a snooze that ran out), a live alert without a hit
 * resolves itself. Call inside a write transaction.
 */
int store_alerts_sync(struct store_conn *c, const struct alert_hit *hits, size_t n,
		      int64_t now, struct store_alert_sync *out);

#endif
