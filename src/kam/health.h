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

/* What one account's health and alerts are computed from (read by store_health_inputs). */
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
	int64_t created_at;          /* when the account was entered: the no-contact grace */
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
	/* the latest decider or champion who left, or turned critic or blocker, in the rule's
	 * window (0: none); attitude_was is empty when unknown */
	int64_t changed_contact;
	bool changed_left; /* left the company, rather than turned */
	char changed_name[128], changed_on[11], attitude_was[12], attitude_now[12];
	/* what is stored now (the account's health and flag, today's snapshot if any), so a
	 * run that finds the same score does not write it again */
	double stored_health, today_snapshot;
	bool stored_enough, has_today_snapshot;
};

/* One alert that holds now. */
struct alert_hit {
	int64_t account_id; /* 0 for a KAM's alert */
	int64_t user_id;    /* the KAM, for kam_over_capacity */
	const char *rule;     /* an alert_rule_names entry */
	const char *severity; /* info, warning, critical */
	char subject_key[64]; /* what makes this alert this one: rule + account (+ survey) */
	/* owned: compact JSON with its keys sorted, as stored; text rather than a tree, as an
	 * evaluation holds one per alert (13,000 at 10,000 accounts) */
	char *evidence;
};

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
	/* false when the score rests on no evidence: no revenue trend, no survey answer and no
	 * interaction; what is left (no overdue action, no open case) scores by default */
	bool enough_data;
	struct health_part part[HP__MAX];
};

/* Why a score without enough data is not shown. */
extern const char health_no_data_reason[];

/* Computes the health of one account at time now. */
void health_compute(const struct settings *s, const struct health_input *in, int64_t now,
		    struct health_result *out);
/* The result as JSON {score, enough_data, components:[…]}, score null and a reason when
 * there is not enough data (caller owns it). */
json_t *health_json(const struct health_result *r);

/*
 * The alerts that hold for these accounts (with their health already computed in scores;
 * NAN for a score without enough data, which never counts as a drop).
 * *hits is a new array the caller frees with alert_hits_free.
 */
int alert_evaluate(const struct settings *s, const struct health_input *in, const double *scores,
		   size_t n, int64_t now, struct alert_hit **hits, size_t *nhits);
/* Frees hits and their evidence (nothing when hits is NULL, whatever n). */
void alert_hits_free(struct alert_hit *hits, size_t n);

#endif
