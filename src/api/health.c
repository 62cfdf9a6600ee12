/* Health scores (/accounts/{id}/health, /health/history) and alerts (/api/v1/alerts). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/groups.h"
#include "app/alerts.h"
#include "app/scores.h"
#include "app/webhook.h"
#include "app/playbooks.h"
#include "kam/date.h"
#include "kam/health.h"
#include "store/health.h"
#include "util/log.h"
#include "util/time.h"


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

	{ /* ?scope=group: the health of the group id is the parent of (docs/groups.md) */
		struct kam_errinfo ei = {0};
		struct app_group g;
		bool grouped = false;

		rc = api_group_param(rq, id, &g, &grouped, &ei);
		if (rc == KAM_OK && grouped)
			rc = api_account_group_health(rq, rs, &g);
		else if (rc == KAM_ENOTFOUND)
			api_not_found(rs, "account");
		else if (rc != KAM_OK)
			http_reply_err(rs, rc, &ei);
		app_group_free(&g);
		err_clear(&ei);
		if (rc != KAM_OK || grouped)
			return rc;
	}
	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	app_health_params(&s, id, now, &p);
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

int api_at_risk(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	char key[API_CACHE_KEY_LEN];
	int64_t version = 0;
	long limit = 6;
	int rc = KAM_OK;

	for (size_t i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].key, *v = rq->query[i].value;
		char *end = NULL;

		if (strcmp(k, "limit") != 0) {
			err_field(&ei, k, "is not a parameter (the only one is limit)");
			continue;
		}
		limit = v && *v ? strtol(v, &end, 10) : 0;
		if (end == NULL || *end || limit < 1 || limit > 20)
			err_field(&ei, "limit", "must be an integer from 1 to 20");
	}
	if (ei.errors)
		rc = KAM_EINVAL;
	/* the dashboard asks on every visit; scores first, then the answer at this version */
	else if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) == KAM_OK &&
	         (rc = api_cached(rq, rs, key, &version)) == 0)
		rc = app_at_risk(rq->db, &rq->user.who, (int)limit, &out);
	if (rc > 0)
		return KAM_OK;
	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	return api_cache_keep(rq, rs, key, version, out);
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

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
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

int api_alert_evaluate(struct req *rq, struct resp *rs)
{
	struct alerts_run r;
	int started = 0;
	int rc = app_alerts_run(rq->db, api_now(rq), &r);

	/* the playbooks the rules and the review schedule start, as the job does */
	if (rc == KAM_OK)
		rc = app_playbooks_run(rq->db, api_now(rq), &started);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200,
	                       json_pack("{s:I,s:I,s:i,s:i,s:i,s:i,s:f,s:i}", "accounts",
	                                 (json_int_t)r.accounts, "holding", (json_int_t)r.hits,
	                                 "opened", r.opened, "updated", r.updated, "resolved",
	                                 r.resolved, "woke_from_snooze", r.woke, "ms", r.ms,
	                                 "playbooks_started", started));
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
		rc = app_account_visible(rq->db, &rq->user.who, json_integer_value(acc), NULL, NULL);
	else if (!auth_sees_all(rq->user.who.role) && json_integer_value(usr) != rq->user.who.user_id)
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
	app_alert_expand(rq->db, a);
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
	if (rq->user.who.role == ROLE_VIEWER) {
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
	if ((rc = app_audit(rq->db, &rq->user.who, "update", "alert", id, before, after)) != KAM_OK)
		goto out;
	if (!strcmp(state, "resolved") &&
	    strcmp(json_string_value(json_object_get(before, "state")), "resolved") != 0 &&
	    (rc = app_webhook_alert_resolved(rq->db, id)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	app_alert_expand(rq->db, after);
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
