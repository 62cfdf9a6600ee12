/* Health scores (/accounts/{id}/health, /health/history) and alerts (/api/v1/alerts). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "kam/date.h"
#include "kam/health.h"
#include "store/health.h"
#include "util/log.h"
#include "util/time.h"

static void params_of(const struct settings *s, int64_t account_id, int64_t now,
                      struct store_health_params *p)
{
	p->account_id = account_id;
	p->now = now;
	p->today = settings_today(s, now);
	for (int i = 0; i < SEV__MAX; i++)
		p->sla_hours[i] = s->sla_hours[i];
	p->detractor_days = s->alert_threshold[AR_DETRACTOR];
}

int api_account_health(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), now = api_now(rq);
	struct store_health_params p;
	struct health_input *in = NULL;
	struct health_result r;
	struct settings s;
	size_t n = 0;
	char ts[32];
	json_t *out;
	int rc;

	if (id < 0 || api_account_visible(rq, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = api_settings_load(rq, &s, NULL)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	params_of(&s, id, now, &p);
	if ((rc = store_health_inputs(rq->db, &p, &in, &n)) != KAM_OK || n != 1) {
		free(in);
		return http_reply_err(rs, rc ? rc : KAM_ENOTFOUND, NULL), rc;
	}
	health_compute(&s, &in[0], now, &r);
	out = health_json(&r);
	time_rfc3339(now, ts, sizeof(ts));
	json_object_set_new(out, "account_id", json_integer(id));
	json_object_set_new(out, "as_of", json_string(ts));
	json_object_set_new(out, "score_30_days_ago",
	                    isnan(in[0].health_before) ? json_null()
	                                               : json_real(in[0].health_before));
	free(in);
	return http_reply_json(rs, 200, out);
}

int api_account_health_history(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	const char *from = http_query(rq, "from");
	struct kam_errinfo ei = {0};
	char def[DATE_LEN];
	json_t *items = NULL;
	date_t today;
	int rc;

	if (id < 0 || api_account_visible(rq, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	for (size_t i = 0; i < rq->nquery; i++)
		if (strcmp(rq->query[i].key, "from") != 0)
			err_field(&ei, rq->query[i].key,
			          "is not a parameter (the only one is from)");
	if ((rc = api_today(rq, &today)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	date_format(date_add_days_clamped(today, -365), def);
	if (from && !date_valid(from))
		err_field(&ei, "from",
		          "must be a date written YYYY-MM-DD between " DATE_MIN_TEXT
		          " and " DATE_MAX_TEXT);
	if (ei.errors) {
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	if ((rc = store_health_history(rq->db, id, from ? from : def, &items)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(
	    rs, 200, json_pack("{s:I,s:o}", "account_id", (json_int_t)id, "items", items));
}

int api_alerts_run(struct store_conn *c, int64_t now, struct alerts_run *out)
{
	struct store_health_params p;
	struct health_input *in = NULL;
	struct alert_hit *hits = NULL;
	struct store_alert_sync sync;
	struct settings s;
	double *scores = NULL, t0 = time_mono_ms();
	char today[DATE_LEN];
	size_t n = 0, nh = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_begin(c, true)) != KAM_OK)
		return rc;
	if ((rc = api_settings_load_conn(c, &s, NULL)) != KAM_OK)
		goto out;
	params_of(&s, 0, now, &p);
	date_format(p.today, today);
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
		scores[i] = r.score;
		/* the daily snapshot keeps the trend (the latest run of the day wins) */
		rc = store_health_snapshot(c, in[i].account_id, today, r.score);
	}
	if (rc != KAM_OK)
		goto out;
	if (alert_evaluate(&s, in, scores, n, now, &hits, &nh) != 0) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = store_alerts_sync(c, hits, nh, now, &sync)) != KAM_OK)
		goto out;
	/* engagement and NPS move a key account's segment without touching its score */
	if ((rc = api_segments_refresh_conn(c, &s, now)) != KAM_OK)
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

int api_alert_evaluate(struct req *rq, struct resp *rs)
{
	struct alerts_run r;
	int rc = api_alerts_run(rq->db, api_now(rq), &r);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200,
	                       json_pack("{s:I,s:I,s:i,s:i,s:i,s:i,s:f}", "accounts",
	                                 (json_int_t)r.accounts, "holding", (json_int_t)r.hits,
	                                 "opened", r.opened, "updated", r.updated, "resolved",
	                                 r.resolved, "woke_from_snooze", r.woke, "ms", r.ms));
}

/* Evidence is stored as JSON text; it goes out as JSON, with the account's name beside. */
static void expand(struct req *rq, json_t *alert)
{
	const char *ev = json_string_value(json_object_get(alert, "evidence"));
	json_t *j = ev ? json_loads(ev, 0, NULL) : NULL,
	       *acc = json_object_get(alert, "account_id");
	json_t *a = NULL;

	if (j)
		json_object_set_new(alert, "evidence", j);
	if (json_is_integer(acc) &&
	    store_get(rq->db, &model_account, json_integer_value(acc), &a, NULL) == KAM_OK)
		json_object_set(alert, "account_name", json_object_get(a, "name"));
	else
		json_object_set_new(alert, "account_name", json_null());
	json_decref(a);
}

static int expand_listed(struct req *rq, json_t *rec, const void *arg)
{
	(void)arg;
	expand(rq, rec);
	return KAM_OK;
}

int api_alert_list(struct req *rq, struct resp *rs)
{
	const struct api_lister l = {&model_alert, api_scope_user(rq), expand_listed, NULL};
	struct kam_errinfo ei = {0};
	json_t *items = NULL, *it;
	char *next = NULL;
	size_t i;
	int rc = api_list_collect(rq, &model_alert, api_scope_user(rq), &items, &next, &ei);

	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	json_array_foreach(items, i, it) expand(rq, it);
	return api_reply_page(rq, rs, &l, items, next);
}

/* Loads an alert the caller may see: of a visible account, or their own workload alert. */
static int load_alert(struct req *rq, int64_t id, bool lock, json_t **out, int64_t *version)
{
	json_t *acc, *usr;
	int rc = lock ? store_get_locked(rq->db, &model_alert, id, out, version)
	              : store_get(rq->db, &model_alert, id, out, version);

	if (rc != KAM_OK)
		return rc;
	acc = json_object_get(*out, "account_id");
	usr = json_object_get(*out, "user_id");
	if (json_is_integer(acc))
		rc = api_account_visible(rq, json_integer_value(acc), NULL, NULL);
	else if (!auth_sees_all(rq->user.role) && json_integer_value(usr) != rq->user.id)
		rc = KAM_ENOTFOUND;
	if (rc != KAM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int api_alert_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), version;
	json_t *a = NULL;

	if (id < 0 || load_alert(rq, id, false, &a, &version) != KAM_OK)
		return api_not_found(rs, "alert");
	expand(rq, a);
	http_etag(rs, version);
	return http_reply_json(rs, 200, a);
}

/* Users acknowledge, snooze (until a time), reopen or resolve; the rest is the engine's. */
int api_alert_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq), until = 0,
	        now = api_now(rq);
	json_t *before = NULL, *after = NULL, *patch = NULL;
	const char *state;
	int rc;

	if (id < 0)
		return api_not_found(rs, "alert");
	if (rq->user.role == ROLE_VIEWER) {
		http_problem(rs, 403, "viewers read alerts but do not handle them", NULL);
		return KAM_EFORBIDDEN;
	}
	if ((rc = validate_body(&model_alert, rq->json, false, &ei)) != KAM_OK)
		goto out;
	state = json_string_value(json_object_get(rq->json, "state"));
	if (state == NULL) {
		err_field(&ei, "state", "is required: open, acknowledged, snoozed or resolved");
		rc = KAM_EINVAL;
		goto out;
	}
	if (!strcmp(state, "snoozed")) {
		const char *u = json_string_value(json_object_get(rq->json, "snoozed_until"));

		if (u == NULL || date_parse_time(u, &until) != KAM_OK || until <= now) {
			err_field(&ei, "snoozed_until", "a snooze needs a time in the future");
			rc = KAM_EINVAL;
			goto out;
		}
	} else if (json_object_get(rq->json, "snoozed_until") &&
	           !json_is_null(json_object_get(rq->json, "snoozed_until"))) {
		err_field(&ei, "snoozed_until", "only goes with state snoozed");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = load_alert(rq, id, true, &before, &version)) != KAM_OK) {
		err_detail(&ei, "no such alert");
		goto out;
	}
	if (want == -2 || (want >= 0 && want != version)) {
		rc = KAM_ESTALE;
		goto out;
	}
	if (!strcmp(json_string_value(json_object_get(before, "state")), "resolved") &&
	    strcmp(state, "resolved") != 0) {
		err_field(&ei, "state",
		          "a resolved alert stays resolved; it comes back as a new "
		          "alert if it holds again");
		rc = KAM_ECONFLICT;
		goto out;
	}
	patch = json_pack(
	    "{s:s,s:o}", "state", state, "snoozed_until",
	    until ? json_string(json_string_value(json_object_get(rq->json, "snoozed_until")))
	          : json_null());
	if (!strcmp(state, "resolved"))
		json_object_set_new(patch, "resolved_at", json_integer(now));
	if ((rc = store_update(rq->db, &model_alert, id, patch, version, now)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_alert, id, &after, &version)) != KAM_OK)
		goto out;
	if ((rc = api_audit(rq, "update", "alert", id, before, after)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	expand(rq, after);
	http_etag(rs, version);
	http_reply_json(rs, 200, after);
	after = NULL;
out:
	json_decref(before);
	json_decref(after);
	json_decref(patch);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
