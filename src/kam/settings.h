/*
 * Settings of identification, SLAs and currency: one table of names, bounds and defaults
 * (like Redis's config table), validated in one place. Stored as one JSON document.
 */
#ifndef KAM_KAM_SETTINGS_H
#define KAM_KAM_SETTINGS_H
#include <stdbool.h>
#include <jansson.h>
#include "kam/date.h"
#include "util/err.h"
#include "util/tz.h"

enum severity { SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV__MAX };

/* The parts of the health score, in answer order. */
enum health_part_id {
	HP_REVENUE_TREND,
	HP_SATISFACTION,
	HP_ENGAGEMENT,
	HP_CASES,
	HP_ACTIONS,
	HP_COVERAGE,
	HP_RENEWAL,
	HP__MAX
};

/* Alert rules, in answer order. */
enum alert_rule {
	AR_NO_INTERACTION,
	AR_DETRACTOR,
	AR_HEALTH_DROP,
	AR_OVERDUE_ACTION,
	AR_SLA_BREACH,
	AR_RENEWAL_RISK,
	AR_REVENUE_DECLINE,
	AR_SINGLE_THREADED,
	AR_KAM_OVER_CAPACITY,
	AR_REVIEW_OVERDUE,
	AR_STAKEHOLDER_CHANGE,
	AR__MAX
};

extern const char *const health_part_names[HP__MAX];
extern const char *const alert_rule_names[AR__MAX];

struct settings {
	double w_financial, w_growth, w_strategic, w_influence; /* criterion weights, >= 0 */
	double key_threshold;       /* score from which an account is key */
	double potential_threshold; /* score from which it is potential */
	int kam_capacity;           /* key accounts one KAM can look after */
	int sla_hours[SEV__MAX];    /* resolution target per case severity */
	char base_currency[4];      /* ISO 4217: every revenue figure is converted to it */
	double attractiveness_split; /* portfolio matrix: high attractiveness from this score */
	double strength_split;       /* portfolio matrix: strong relationship from this value */
	double gross_margin;         /* predictive CLTV: share of revenue kept */
	double cltv_horizon_years;   /* predictive CLTV is capped at this many years */
	double health_weights[HP__MAX];
	int alert_threshold[AR__MAX]; /* days, points, percent or count: see settings.c */
	bool alert_enabled[AR__MAX];
	int no_interaction_grace_days; /* a new account raises no no_interaction alert before */
	char time_zone[TZ_NAME_MAX]; /* IANA name: what "today" and a month's edges mean */
	char company_name[201];      /* our name as clients see it on a share link; "" unset */
	/* an account whose churn date is not given counts as churned after this many whole
	 * months without revenue (kpi_lifecycle_infer) */
	int churn_after_months;
	/* book each won opportunity as revenue on its close date: for companies whose only
	 * revenue source is their CRM (no ERP feed) */
	bool book_won_opportunities;
	/* alerts on accounts whose trailing-12-month revenue (base currency, minor units) is at
	 * least this are mailed to the directors too; 0 is off */
	int64_t director_alert_min_revenue;
	/* a renewal opportunity is made this many days before an active contract ends */
	int renewal_lead_days;
	/* the forecast's rule: an open deal at or above this probability is commit, at or
	 * above the best-case one best case, else pipeline (a KAM's own call overrides) */
	int forecast_commit_probability;
	int forecast_best_case_probability;
	/* the month (1..12) the fiscal year starts in: the forecast's quarters are fiscal */
	int fiscal_year_start_month;
	/* identification and segmentation at group level: a top-level group is scored on its
	 * combined revenue and its entities take its score, tier and segment (docs/groups.md) */
	bool segment_by_group;
};

/* The built-in defaults. */
void settings_defaults(struct settings *s);
/* Applies a (partial) settings document over s; every fault goes in ei, s untouched then. */
int settings_apply(struct settings *s, json_t *doc, struct kam_errinfo *ei);
/* The settings as stored: settings_to_json without the descriptive units. */
json_t *settings_to_stored_json(const struct settings *s);
/* The whole settings as a new JSON document (caller owns it). */
json_t *settings_to_json(const struct settings *s);
/* The date it is at Unix time now in the installation's time zone: the one "today" of
 * kam (overdue actions, KPI months, alerts, scores). */
date_t settings_today(const struct settings *s, int64_t now);
/* The severity named s, or SEV__MAX. */
enum severity settings_severity(const char *s);

#endif
