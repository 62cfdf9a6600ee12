/* Reads the inputs of health scores and alert rules, and keeps snapshots and alerts. */
#ifndef KAM_STORE_HEALTH_H
#define KAM_STORE_HEALTH_H
#include <stdbool.h>
#include "kam/date.h"
#include "store/store.h"

/* What one account's health and alerts are computed from (see store/health.c). */
struct health_input {
	int64_t account_id, owner_id;
	bool active;  /* status active: prospects and churned accounts get no alerts */
	bool key;     /* tier key */
	double rev_6m, rev_6m_before;   /* the last 6 months and the 6 before */
	double rev_12m, rev_12m_before; /* the last 12 months and the 12 before */
	int nps_n, promoters, detractors; /* NPS answers of the last 12 months */
	int csat_n;
	double csat_sum;
	int64_t last_interaction_at; /* 0 when none */
	int open_critical, open_breached; /* open cases: critical, past their SLA target */
	int64_t worst_breach_hours;       /* the longest an open case is past its target */
	int overdue_actions;
	int oldest_overdue_days;
	int influential, engaged; /* contacts with influence >= 4; of them contacted in 90 days */
	int renewal_stage;        /* upcoming renewal in 180 days: 0..3 by stage, -1 none */
	int renewal_days;         /* days to that renewal */
	bool renewal_won;         /* a renewal won in the last 180 days */
	int64_t detractor_survey; /* the latest detractor answer in the rule's window, 0 none */
	int detractor_score;
	char detractor_on[11];
	int review_overdue_days; /* days the active plan's next review is past, -1 none */
	double health_before;    /* the score about 30 days ago, NAN when unknown */
};

/* One alert that holds now. */
struct alert_hit {
	int64_t account_id; /* 0 for a KAM's alert */
	int64_t user_id;    /* the KAM, for kam_over_capacity */
	const char *rule;     /* an alert_rule_names entry */
	const char *severity; /* info, warning, critical */
	char subject_key[64]; /* what makes this alert this one: rule + account (+ survey) */
	json_t *evidence;     /* owned */
};

struct store_health_params {
	int64_t account_id; /* 0: every account */
	int64_t now;        /* the instant: SLA clocks, recent contacts */
	date_t today;       /* the date at now in the installation's zone: every date window */
	int sla_hours[4]; /* low, medium, high, critical */
	int detractor_days; /* how far back a detractor answer raises an alert */
};

/* The inputs of every account asked for, sorted by account id (*out owned by the caller). */
int store_health_inputs(struct store_conn *c, const struct store_health_params *p,
			struct health_input **out, size_t *n);
/* Keeps today's health score of an account (the latest of the day wins). */
int store_health_snapshot(struct store_conn *c, int64_t account_id, const char *day,
			  double score);
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
