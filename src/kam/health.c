#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/health.h"
#include "util/buf.h"

static double clamp100(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

static void part(struct health_part *p, int i, bool missing, double value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void part(struct health_part *p, int i, bool missing, double value, const char *fmt, ...)
{
	va_list ap;

	p->name = health_part_names[i];
	p->missing = missing;
	p->value = missing ? 0 : round(clamp100(value) * 10.0) / 10.0;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

/* the plural ending of a count's noun: "1 answer", "2 answers" */
static const char *plural(double n)
{
	return n == 1 ? "" : "s";
}

const char health_no_data_reason[] =
    "Not enough data: no revenue trend, survey answer or logged interaction yet";

static const char *const stages[] = {"identified", "qualified", "proposal", "negotiation"};

void health_compute(const struct settings *s, const struct health_input *in, int64_t now,
		    struct health_result *out)
{
	struct health_part *p = out->part;
	double wsum = 0;

	memset(out, 0, sizeof(*out));
	if (in->rev_6m_before > 0) {
		double change = in->rev_6m / in->rev_6m_before - 1;

		/* −30% or worse is 0, +10% or better is 100 */
		part(&p[HP_REVENUE_TREND], HP_REVENUE_TREND, false, (change + 0.3) / 0.4 * 100,
		     "Revenue of the last 6 months is %.0f%% %s the 6 months before",
		     fabs(change) * 100, change < 0 ? "below" : "above");
	} else {
		part(&p[HP_REVENUE_TREND], HP_REVENUE_TREND, true, 0,
		     "No revenue in the 6 months before the last 6 to compare with");
	}
	if (in->nps_n > 0) {
		double nps = 100.0 * (in->promoters - in->detractors) / in->nps_n;

		part(&p[HP_SATISFACTION], HP_SATISFACTION, false, (nps + 100) / 2,
		     "NPS is %.0f over %d answer%s in the last 12 months (%d detractor%s)", nps,
		     in->nps_n, plural(in->nps_n), in->detractors, plural(in->detractors));
	} else if (in->csat_n > 0) {
		double mean = in->csat_sum / in->csat_n;

		part(&p[HP_SATISFACTION], HP_SATISFACTION, false, (mean - 1) / 4 * 100,
		     "CSAT averages %.1f of 5 over %d answer%s in the last 12 months", mean,
		     in->csat_n, plural(in->csat_n));
	} else {
		part(&p[HP_SATISFACTION], HP_SATISFACTION, true, 0,
		     "No NPS or CSAT answers in the last 12 months");
	}
	if (in->last_interaction_at > 0) {
		double days = floor((double)(now - in->last_interaction_at) / 86400.0);

		/* 14 days or fewer is full marks, 90 or more none */
		part(&p[HP_ENGAGEMENT], HP_ENGAGEMENT, false, (90 - days) / 76 * 100,
		     "Last interaction %.0f day%s ago", days < 0 ? 0 : days,
		     plural(days < 0 ? 0 : days));
	} else {
		part(&p[HP_ENGAGEMENT], HP_ENGAGEMENT, false, 0, "No interaction logged yet");
	}
	if (in->open_critical || in->open_breached)
		part(&p[HP_CASES], HP_CASES, false,
		     100 - 40.0 * in->open_critical - 20.0 * in->open_breached,
		     "%d open critical case%s, %d open case%s past %s SLA target",
		     in->open_critical, plural(in->open_critical), in->open_breached,
		     plural(in->open_breached), in->open_breached == 1 ? "its" : "their");
	else
		part(&p[HP_CASES], HP_CASES, false, 100,
		     "No open critical case and none past its SLA target");
	if (in->overdue_actions == 1)
		part(&p[HP_ACTIONS], HP_ACTIONS, false, 100 - 25.0 * in->overdue_actions,
		     "1 plan action is overdue, by %d day%s", in->oldest_overdue_days,
		     plural(in->oldest_overdue_days));
	else if (in->overdue_actions)
		part(&p[HP_ACTIONS], HP_ACTIONS, false, 100 - 25.0 * in->overdue_actions,
		     "%d plan actions are overdue, the oldest by %d day%s", in->overdue_actions,
		     in->oldest_overdue_days, plural(in->oldest_overdue_days));
	else
		part(&p[HP_ACTIONS], HP_ACTIONS, false, 100, "No overdue plan actions");
	if (in->influential > 0)
		part(&p[HP_COVERAGE], HP_COVERAGE, false, 100.0 * in->engaged / in->influential,
		     "%d of %d influential contact%s engaged in the last 90 days", in->engaged,
		     in->influential, plural(in->influential));
	else
		part(&p[HP_COVERAGE], HP_COVERAGE, false, 0,
		     "No contact with influence 4 or 5 is mapped");
	if (in->renewal_stage >= 0)
		part(&p[HP_RENEWAL], HP_RENEWAL, false, 25.0 * (in->renewal_stage + 1),
		     "Renewal in %d day%s, at stage %s", in->renewal_days, plural(in->renewal_days),
		     stages[in->renewal_stage > 3 ? 3 : in->renewal_stage]);
	else
		part(&p[HP_RENEWAL], HP_RENEWAL, true, 0, "No renewal due in the next 180 days");

	for (int i = 0; i < HP__MAX; i++)
		if (!p[i].missing)
			wsum += s->health_weights[i];
	for (int i = 0; i < HP__MAX; i++) {
		p[i].weight = p[i].missing || wsum <= 0 ? 0
							: round(s->health_weights[i] / wsum * 10000) /
								  10000;
		p[i].points = round(p[i].value * p[i].weight * 100) / 100;
		out->score += p[i].points;
	}
	out->score = round(clamp100(out->score) * 100) / 100;
	out->enough_data = !p[HP_REVENUE_TREND].missing || !p[HP_SATISFACTION].missing ||
			   in->last_interaction_at > 0;
}

json_t *health_json(const struct health_result *r)
{
	json_t *parts = json_array();

	for (int i = 0; i < HP__MAX; i++) {
		const struct health_part *p = &r->part[i];

		json_array_append_new(parts, json_pack("{s:s,s:o,s:f,s:f,s:s}", "name", p->name,
						       "value",
						       p->missing ? json_null() : json_real(p->value),
						       "weight", p->weight, "points", p->points,
						       "reason", p->reason));
	}
	return json_pack("{s:o,s:b,s:o,s:o}", "score",
			 r->enough_data ? json_real(r->score) : json_null(), "enough_data",
			 r->enough_data, "reason",
			 r->enough_data ? json_null() : json_string(health_no_data_reason),
			 "components", parts);
}

static struct alert_hit *add(struct alert_hit **v, size_t *n, size_t *cap)
{
	return vec_push((void **)v, n, cap, sizeof(**v));
}

/* evidence as stored: compact, keys sorted; dumped into a buffer on the stack first (a
 * dump through a callback took a seventh of an evaluation at 10,000 accounts) */
static char *evidence_text(const json_t *evidence)
{
	char tmp[512];
	size_t len = json_dumpb(evidence, tmp, sizeof(tmp), JSON_COMPACT | JSON_SORT_KEYS);

	if (len == 0)
		return NULL;
	if (len >= sizeof(tmp))
		return buf_json(evidence, JSON_COMPACT | JSON_SORT_KEYS);
	return strndup(tmp, len);
}

static int hit(struct alert_hit **v, size_t *n, size_t *cap, int64_t account, enum alert_rule r,
	       const char *severity, json_t *evidence)
{
	struct alert_hit *h = add(v, n, cap);

	if (h == NULL || evidence == NULL) {
		json_decref(evidence);
		return -1;
	}
	h->account_id = account;
	h->rule = alert_rule_names[r];
	h->severity = severity;
	h->evidence = evidence_text(evidence);
	json_decref(evidence);
	if (h->evidence == NULL)
		return -1;
	snprintf(h->subject_key, sizeof(h->subject_key), "account:%lld", (long long)account);
	return 0;
}

/* An account's owner and its place among the inputs, for counting key accounts per owner. */
struct owner_at {
	int64_t owner;
	size_t i;
	int keys;
};

static int by_owner(const void *a, const void *b)
{
	const struct owner_at *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static int by_index(const void *a, const void *b)
{
	const struct owner_at *x = a, *y = b;

	return (x->i > y->i) - (x->i < y->i);
}

int alert_evaluate(const struct settings *s, const struct health_input *in, const double *scores,
		   size_t n, int64_t now, struct alert_hit **hits, size_t *nhits)
{
	/* room for about one and a half alerts an account from the start: grown by doubling,
	 * its copies were pages touched for nothing */
	size_t nv = 0, cap = n + n / 2;
	struct alert_hit *v = cap ? malloc(cap * sizeof(*v)) : NULL;
	const int *t = s->alert_threshold;
	const bool *on = s->alert_enabled;
	int rc = 0;

	if (cap && v == NULL)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct health_input *a = &in[i];
		int64_t id = a->account_id;

		if (!a->active)
			continue;
		/* a brand-new account has had no time to be contacted yet */
		if (on[AR_NO_INTERACTION] &&
		    (a->created_at <= 0 ||
		     now - a->created_at >= (int64_t)s->no_interaction_grace_days * 86400)) {
			int64_t days = a->last_interaction_at
					       ? (now - a->last_interaction_at) / 86400
					       : -1;

			if (days < 0 || days >= t[AR_NO_INTERACTION])
				rc |= hit(&v, &nv, &cap, id, AR_NO_INTERACTION,
					  days < 0 || days >= 2 * t[AR_NO_INTERACTION] ? "critical"
										       : "warning",
					  json_pack("{s:o,s:i}", "days_since_interaction",
						    days < 0 ? json_null() : json_integer(days),
						    "threshold_days", t[AR_NO_INTERACTION]));
		}
		if (on[AR_DETRACTOR] && a->detractor_survey > 0) {
			rc |= hit(&v, &nv, &cap, id, AR_DETRACTOR,
				  a->detractor_score <= 3 ? "critical" : "warning",
				  json_pack("{s:I,s:i,s:s}", "survey_id",
					    (json_int_t)a->detractor_survey, "score",
					    a->detractor_score, "answered_on", a->detractor_on));
			if (rc == 0) /* each detractor answer is its own alert */
				snprintf(v[nv - 1].subject_key, sizeof(v[nv - 1].subject_key),
					 "account:%lld:survey:%lld", (long long)id,
					 (long long)a->detractor_survey);
		}
		if (on[AR_STAKEHOLDER_CHANGE] && a->changed_contact > 0) {
			bool left = a->changed_left;

			/* a key account losing its sponsor cannot wait for the next review */
			rc |= hit(&v, &nv, &cap, id, AR_STAKEHOLDER_CHANGE,
			          a->key ? "critical" : "warning",
			          left ? json_pack("{s:I,s:s,s:s,s:s}", "contact_id",
			                           (json_int_t)a->changed_contact, "contact",
			                           a->changed_name, "change", "left", "on",
			                           a->changed_on)
			               : json_pack("{s:I,s:s,s:s,s:s,s:o,s:s}", "contact_id",
			                           (json_int_t)a->changed_contact, "contact",
			                           a->changed_name, "change", "turned", "on",
			                           a->changed_on, "attitude_was",
			                           a->attitude_was[0] ? json_string(a->attitude_was)
			                                              : json_null(),
			                           "attitude", a->attitude_now));
			if (rc == 0) /* each person's change is its own alert */
				snprintf(v[nv - 1].subject_key, sizeof(v[nv - 1].subject_key),
				         "account:%lld:contact:%lld:%s", (long long)id,
				         (long long)a->changed_contact, left ? "left" : "turned");
		}
		if (on[AR_HEALTH_DROP] && !isnan(a->health_before) && !isnan(scores[i]) &&
		    a->health_before - scores[i] >= t[AR_HEALTH_DROP])
			rc |= hit(&v, &nv, &cap, id, AR_HEALTH_DROP,
				  a->health_before - scores[i] >= 2 * t[AR_HEALTH_DROP] ? "critical"
											: "warning",
				  json_pack("{s:f,s:f,s:i}", "health_now", scores[i],
					    "health_30_days_ago", a->health_before, "threshold_points",
					    t[AR_HEALTH_DROP]));
		if (on[AR_OVERDUE_ACTION] && a->overdue_actions > 0 &&
		    a->oldest_overdue_days >= t[AR_OVERDUE_ACTION])
			rc |= hit(&v, &nv, &cap, id, AR_OVERDUE_ACTION,
				  a->oldest_overdue_days > 30 ? "critical" : "warning",
				  json_pack("{s:i,s:i}", "overdue_actions", a->overdue_actions,
					    "oldest_overdue_days", a->oldest_overdue_days));
		if (on[AR_SLA_BREACH] && a->open_breached > 0 &&
		    a->worst_breach_hours >= t[AR_SLA_BREACH])
			rc |= hit(&v, &nv, &cap, id, AR_SLA_BREACH,
				  a->open_critical ? "critical" : "warning",
				  json_pack("{s:i,s:I,s:i}", "open_cases_past_sla", a->open_breached,
					    "worst_hours_past_target", (json_int_t)a->worst_breach_hours,
					    "open_critical", a->open_critical));
		if (on[AR_RENEWAL_RISK] && a->renewal_stage >= 0 &&
		    a->renewal_days <= t[AR_RENEWAL_RISK] && !a->renewal_won)
			rc |= hit(&v, &nv, &cap, id, AR_RENEWAL_RISK,
				  a->renewal_days <= t[AR_RENEWAL_RISK] / 3 ? "critical" : "warning",
				  json_pack("{s:i,s:s,s:i}", "days_to_renewal", a->renewal_days,
					    "stage", stages[a->renewal_stage > 3 ? 3 : a->renewal_stage],
					    "threshold_days", t[AR_RENEWAL_RISK]));
		if (on[AR_REVENUE_DECLINE] && a->rev_12m_before > 0 &&
		    (1 - a->rev_12m / a->rev_12m_before) * 100 >= t[AR_REVENUE_DECLINE])
			rc |= hit(
			    &v, &nv, &cap, id, AR_REVENUE_DECLINE,
			    (1 - a->rev_12m / a->rev_12m_before) * 100 >= 2 * t[AR_REVENUE_DECLINE]
			        ? "critical"
			        : "warning",
			    /* the sums are minor units of the base currency: named, so a
			     * screen can write them as money */
			    json_pack("{s:f,s:f,s:s,s:f,s:i}", "revenue_last_12_months", a->rev_12m,
			              "revenue_12_months_before", a->rev_12m_before, "currency",
			              s->base_currency, "change_percent",
			              round((a->rev_12m / a->rev_12m_before - 1) * 1000) / 10,
			              "threshold_percent", t[AR_REVENUE_DECLINE]));
		if (on[AR_SINGLE_THREADED] && a->engaged < t[AR_SINGLE_THREADED])
			rc |= hit(&v, &nv, &cap, id, AR_SINGLE_THREADED,
				  a->key && a->engaged == 0 ? "critical" : "warning",
				  json_pack("{s:i,s:i,s:i}", "engaged_influential_contacts",
					    a->engaged, "influential_contacts", a->influential,
					    "threshold", t[AR_SINGLE_THREADED]));
		if (on[AR_REVIEW_OVERDUE] && a->review_overdue_days >= 0 &&
		    a->review_overdue_days >= t[AR_REVIEW_OVERDUE])
			rc |= hit(&v, &nv, &cap, id, AR_REVIEW_OVERDUE, "warning",
				  json_pack("{s:i}", "days_past_planned_review",
					    a->review_overdue_days));
	}
	/* KAM over capacity: key accounts per owner against the setting, one alert per owner
	 * at that owner's first account (so the order of the hits is the accounts' order) */
	if (on[AR_KAM_OVER_CAPACITY] && n > 0 && rc == 0) {
		struct owner_at *o = calloc(n, sizeof(*o));

		if (o == NULL)
			rc = -1;
		for (size_t i = 0; o && i < n; i++)
			o[i] = (struct owner_at){in[i].owner_id, i, in[i].key && in[i].active};
		/* grouped by owner, each group's first entry its first account and its count the
		 * group's; then back in account order */
		if (o)
			qsort(o, n, sizeof(*o), by_owner);
		for (size_t i = 0, g = 0; o && i < n; i = g) {
			int keys = 0;

			for (g = i; g < n && o[g].owner == o[i].owner; g++)
				keys += o[g].keys;
			o[i].keys = keys;
			for (size_t j = i + 1; j < g; j++)
				o[j].keys = -1; /* not the owner's first account */
		}
		if (o)
			qsort(o, n, sizeof(*o), by_index);
		for (size_t i = 0; o && i < n && rc == 0; i++) {
			int64_t owner = o[i].owner;
			int keys = o[i].keys;

			if (keys < 0 || keys - s->kam_capacity <= t[AR_KAM_OVER_CAPACITY])
				continue;
			rc |= hit(&v, &nv, &cap, 0, AR_KAM_OVER_CAPACITY,
				  keys > s->kam_capacity * 1.5 ? "critical" : "warning",
				  json_pack("{s:i,s:i}", "key_accounts", keys, "capacity",
					    s->kam_capacity));
			if (rc == 0) {
				v[nv - 1].user_id = owner;
				snprintf(v[nv - 1].subject_key, sizeof(v[nv - 1].subject_key),
					 "user:%lld", (long long)owner);
			}
		}
		free(o);
	}
	if (rc != 0) {
		alert_hits_free(v, nv);
		return -1;
	}
	*hits = v;
	*nhits = nv;
	return 0;
}

void alert_hits_free(struct alert_hit *hits, size_t n)
{
	for (size_t i = 0; hits && i < n; i++)
		free(hits[i].evidence);
	free(hits);
}
