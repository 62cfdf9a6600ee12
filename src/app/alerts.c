/* Health and alerts as operations: every account's score and today's snapshot, the alert
 * rules over them, and an alert as it goes out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "app/alerts.h"
#include "app/mail.h"
#include "app/mywork.h"
#include "app/playbooks.h"
#include "app/scores.h"
#include "app/webhook.h"
#include "kam/health.h"
#include "store/outbox.h"
#include "util/time.h"

void app_health_params(const struct settings *s, int64_t account_id, int64_t now,
                       struct store_health_params *p)
{
	p->account_id = account_id;
	p->now = now;
	p->today = settings_today(s, now);
	app_revenue_window(p->today, &(date_t){0}, &p->last_month);
	for (int i = 0; i < SEV__MAX; i++)
		p->sla_hours[i] = s->sla_hours[i];
	p->detractor_days = s->alert_threshold[AR_DETRACTOR];
	p->stakeholder_days = s->alert_threshold[AR_STAKEHOLDER_CHANGE];
}

int app_alerts_run(struct store_conn *c, int64_t now, struct alerts_run *out)
{
	struct store_health_params p;
	struct health_input *in = NULL;
	struct alert_hit *hits = NULL;
	struct store_alert_sync sync;
	struct settings s;
	double *scores = NULL, t0 = time_mono_ms();
	char today[DATE_LEN];
	size_t n = 0, nh = 0;
	int64_t before = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	/* the rules read the tiers (key accounts; evidence names them): stale tiers are
	 * brought up to date first, or the next run would rewrite what this one wrote */
	if ((rc = app_scores_fresh(c, now)) != KAM_OK)
		return rc;
	if ((rc = store_begin(c, true)) != KAM_OK)
		return rc;
	/* every account's health and segment: before any account row (store/store.h) */
	if ((rc = store_portfolio_lock(c)) != KAM_OK ||
	    (rc = app_settings_load(c, &s, NULL)) != KAM_OK)
		goto out;
	date_format(settings_today(&s, now), today);
	app_health_params(&s, 0, now, &p);
	if ((rc = store_health_inputs(c, &p, &in, &n)) != KAM_OK)
		goto out;
	scores = calloc(n + 1, sizeof(*scores));
	if (scores == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && rc == KAM_OK; i++) {
		struct health_result r;

		health_compute(&s, &in[i], now, &r);
		/* a score made of defaults is no score: no drop is measured from or to it */
		scores[i] = r.enough_data ? r.score : NAN;
		/* the daily snapshot keeps the trend (the latest run of the day wins) */
		rc = store_health_keep(c, &in[i], today, r.score, r.enough_data);
	}
	if (rc != KAM_OK)
		goto out;
	if (alert_evaluate(&s, in, scores, n, now, &hits, &nh) != 0) {
		rc = KAM_ENOMEM;
		goto out;
	}
	/* freed as soon as done with: what comes next reuses their pages */
	free(in);
	free(scores);
	in = NULL;
	scores = NULL;
	if ((rc = store_alerts_max_id(c, &before)) != KAM_OK ||
	    (rc = store_alerts_sync(c, hits, nh, now, &sync)) != KAM_OK)
		goto out;
	alert_hits_free(hits, nh);
	hits = NULL;
	/* immediate mails go in the outbox in the transaction that opens their alerts */
	if (sync.opened > 0 && (rc = app_mail_alerts(c, before, time_now())) != KAM_OK)
		goto out;
	/* and so do their webhook events */
	if (sync.opened > 0 && (rc = app_webhook_alerts_opened(c, before)) != KAM_OK)
		goto out;
	if (sync.resolved > 0 && (rc = app_webhook_alerts_resolved(c, now)) != KAM_OK)
		goto out;
	/* engagement and NPS move a key account's segment without touching its score */
	if ((rc = app_segments_refresh(c, &s, now)) != KAM_OK)
		goto out;
	rc = store_commit(c);
	out->accounts = n;
	out->hits = nh;
	out->opened = sync.opened;
	out->updated = sync.updated;
	out->resolved = sync.resolved;
	out->woke = sync.reopened_from_snooze;
	out->ms = time_mono_ms() - t0;
out:
	if (rc != KAM_OK)
		store_rollback(c);
	alert_hits_free(hits, nh);
	free(in);
	free(scores);
	return rc;
}

int app_health_account(struct store_conn *c, int64_t now, int64_t account_id)
{
	struct store_health_params p;
	struct health_input *in = NULL;
	struct health_result r;
	struct settings s;
	char today[DATE_LEN];
	size_t n = 0;
	int rc = app_settings_load(c, &s, NULL);

	if (rc != KAM_OK)
		return rc;
	app_health_params(&s, account_id, now, &p);
	date_format(p.today, today);
	if ((rc = store_health_inputs(c, &p, &in, &n)) == KAM_OK && n == 1) {
		health_compute(&s, &in[0], now, &r);
		rc = store_health_keep(c, &in[0], today, r.score, r.enough_data);
	}
	free(in);
	return rc;
}

/* The reason of the part that costs the score most ((1 - value) × weight), or NULL. */
static const char *weakest(const struct health_result *r)
{
	const struct health_part *w = NULL;
	double cost = -1;

	for (int i = 0; i < HP__MAX; i++) {
		const struct health_part *p = &r->part[i];
		double c = (1 - p->value / 100) * p->weight;

		if (!p->missing && c > cost) {
			cost = c;
			w = p;
		}
	}
	return w ? w->reason : NULL;
}

/* One at-risk row: the account's health worked out now, its weakest part, its owner. */
static int at_risk_item(struct store_conn *db, const struct settings *s, int64_t now,
                        const json_t *a, json_t **out)
{
	int64_t id = json_integer_value(json_object_get(a, "id")),
	        owner = json_integer_value(json_object_get(a, "owner_id"));
	struct store_health_params p;
	struct health_input *in = NULL;
	struct health_result r;
	json_t *u = NULL;
	size_t n = 0;
	int rc;

	app_health_params(s, id, now, &p);
	if ((rc = store_health_inputs(db, &p, &in, &n)) != KAM_OK)
		return rc;
	if (n == 1)
		health_compute(s, &in[0], now, &r);
	free(in);
	if (n != 1)
		return KAM_ENOTFOUND;
	if (store_get(db, &model_user, owner, &u, NULL) != KAM_OK)
		u = NULL;
	*out = json_pack("{s:I,s:O,s:O,s:O,s:O,s:I,s:O,s:o}", "id", (json_int_t)id, "name",
	                 json_object_get(a, "name"), "health", json_object_get(a, "health"),
	                 "revenue_12m", json_object_get(a, "revenue_12m"), "segment",
	                 json_object_get(a, "segment"), "owner_id", (json_int_t)owner, "owner_name",
	                 u ? json_object_get(u, "name") : json_null(), "reason",
	                 weakest(&r) ? json_string(weakest(&r)) : json_null());
	json_decref(u);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_at_risk(struct store_conn *db, const struct actor *who, int limit, json_t **out)
{
	struct store_list q = {.sort = "health", .limit = 100, .scope_user = actor_scope(who)};
	json_t *items = json_array(), *page = NULL, *a;
	struct settings s;
	char *next = NULL, *cursor = NULL;
	bool done = false;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = app_scores_fresh_as(db, who)) != KAM_OK ||
	    (rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	q.filters = json_pack("{s:s}", "tier", "key");
	/* least healthy first, a page at a time, until the threshold or the limit; the ones
	 * without enough data are not at risk, only unknown */
	while (rc == KAM_OK && !done) {
		rc = store_list(db, &model_account, &q, &page, &next);
		if (rc != KAM_OK)
			break;
		json_array_foreach(page, i, a)
		{
			json_t *it = NULL;

			if (json_array_size(items) >= (size_t)limit ||
			    json_number_value(json_object_get(a, "health")) >= APP_AT_RISK_HEALTH) {
				done = true;
				break;
			}
			if (json_is_false(json_object_get(a, "health_enough_data")))
				continue;
			if ((rc = at_risk_item(db, &s, who->now, a, &it)) == KAM_OK)
				json_array_append_new(items, it);
			else if (rc == KAM_ENOTFOUND)
				rc = KAM_OK;
			else
				break;
		}
		json_decref(page);
		page = NULL;
		free(cursor);
		q.cursor = cursor = next;
		next = NULL;
		done = done || cursor == NULL;
	}
	if (rc == KAM_OK)
		*out = json_pack("{s:O,s:i,s:s}", "items", items, "threshold", APP_AT_RISK_HEALTH,
		                 "currency", s.base_currency);
out:
	json_decref(q.filters);
	free(cursor);
	json_decref(items);
	return rc == KAM_OK && *out == NULL ? KAM_ENOMEM : rc;
}

/* Evidence is stored as JSON text; it goes out as JSON, with the account's name beside. */
int app_alert_expand(struct store_conn *db, json_t *alert)
{
	const char *ev = json_string_value(json_object_get(alert, "evidence"));
	json_t *j = ev ? json_loads(ev, 0, NULL) : NULL,
	       *acc = json_object_get(alert, "account_id");
	json_t *a = NULL;

	if (j)
		json_object_set_new(alert, "evidence", j);
	json_object_set_new(alert, "rule_label",
	                    json_string(app_alert_rule_label(
	                        json_string_value(json_object_get(alert, "rule")))));
	if (json_is_integer(acc) &&
	    store_get(db, &model_account, json_integer_value(acc), &a, NULL) == KAM_OK)
		json_object_set(alert, "account_name", json_object_get(a, "name"));
	else
		json_object_set_new(alert, "account_name", json_null());
	json_decref(a);
	/* "why did this fire?" and the playbook runs it started (app/playbooks.c) */
	return app_alert_why(db, alert);
}
