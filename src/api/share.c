/*
 * Client share links: a KAM creates an expiring, revocable link; whoever holds it sees the
 * account's agreed objectives, actions and service KPIs, read-only, with nothing internal
 * (no notes, situation, risks, attitudes, revenue or people's names on our side).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "kam/kpi_report.h"
#include "store/kpi.h"
#include "kam/plan.h"
#include "store/share.h"
#include "util/time.h"
#include "util/tok.h"

#define SHARE_DAYS_DEFAULT 30
#define SHARE_DAYS_MAX 90

static int writable_account(struct req *rq, int64_t id, struct kam_errinfo *ei)
{
	bool owner = false, team = false;
	int rc = app_account_visible(rq->db, &rq->user.who, id, &owner, &team);

	if (rc == KAM_ENOTFOUND)
		err_detail(ei, "no such account");
	else if (rc == KAM_OK && !auth_account_writable(rq->user.who.role, owner, team)) {
		err_detail(ei, "your role may not share this account");
		rc = KAM_EFORBIDDEN;
	}
	return rc;
}

int api_share_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), sid, now = time_now(), days = SHARE_DAYS_DEFAULT;
	char tok[80], h[TOK_HASH_LEN], url[160], ts[32];
	json_t *audit = NULL;
	int rc = KAM_OK;

	if (rq->json) {
		const char *k;
		json_t *v;

		if (!json_is_object(rq->json)) {
			err_detail(&ei, "send {\"expires_in_days\": 1 to 90}, or no body");
			rc = KAM_EINVAL;
			goto out;
		}
		json_object_foreach(rq->json, k, v)
		{
			if (strcmp(k, "expires_in_days") != 0 || !json_is_integer(v) ||
			    json_integer_value(v) < 1 || json_integer_value(v) > SHARE_DAYS_MAX) {
				err_field(&ei, k, "expires_in_days must be an integer from 1 to 90");
				rc = KAM_EINVAL;
			} else {
				days = json_integer_value(v);
			}
		}
		if (rc != KAM_OK)
			goto out;
	}
	if (id < 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK || (rc = writable_account(rq, id, &ei)) != KAM_OK)
		goto out;
	tok_random("", 32, tok, sizeof(tok));
	tok_hash(tok, h);
	if ((rc = store_share_create(rq->db, id, h, rq->user.who.user_id, now, now + days * 86400, &sid)) !=
	    KAM_OK)
		goto out;
	audit = json_pack("{s:I,s:I}", "share_id", (json_int_t)sid, "expires_in_days",
			  (json_int_t)days);
	if ((rc = app_audit(rq->db, &rq->user.who, "share", "account", id, NULL, audit)) != KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	snprintf(url, sizeof(url), "/#/shared/%s", tok);
	time_rfc3339(now + days * 86400, ts, sizeof(ts));
	http_reply_json(rs, 201,
			json_pack("{s:I,s:I,s:s,s:s,s:s}", "id", (json_int_t)sid, "account_id",
				  (json_int_t)id, "token", tok, "url", url, "expires_at", ts));
out:
	json_decref(audit);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_share_list(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *items = NULL;
	int rc;

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = store_share_list(rq->db, id, &items)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}

int api_share_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), sid = api_param_id(rq, 1);
	json_t *audit = NULL;
	int rc;

	if (id < 0 || sid < 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK || (rc = writable_account(rq, id, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_share_revoke(rq->db, id, sid, time_now())) != KAM_OK) {
		if (rc == KAM_ENOTFOUND)
			err_detail(&ei, "no such live share of this account");
		goto out;
	}
	audit = json_pack("{s:I}", "share_id", (json_int_t)sid);
	if ((rc = app_audit(rq->db, &rq->user.who, "unshare", "account", id, audit, NULL)) != KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_empty(rs, 204);
out:
	json_decref(audit);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

/* Copies only the named keys: what a client sees is listed, never filtered out. */
static json_t *pick(json_t *from, const char *const *keys)
{
	json_t *o = json_object();

	for (; *keys; keys++)
		json_object_set(o, *keys, json_object_get(from, *keys) ? json_object_get(from, *keys)
									: json_null());
	return o;
}

static int children(struct req *rq, const struct model_entity *e, int64_t plan, json_t **out)
{
	struct store_list q = {.sort = "id", .limit = 500};
	char *next = NULL;
	int rc;

	q.filters = json_pack("{s:o}", "plan_id", json_sprintf("%lld", (long long)plan));
	rc = store_list(rq->db, e, &q, out, &next);
	json_decref(q.filters);
	free(next);
	return rc;
}

/*
 * Of the active plans (newest start first), the one whose period holds today, else the
 * latest already started; never one that has not begun (next year's draft).
 */
static json_t *current_plan(json_t *plans, const char *today)
{
	json_t *x, *started = NULL;
	size_t i;

	json_array_foreach(plans, i, x)
	{
		const char *from = json_string_value(json_object_get(x, "period_start"));
		const char *to = json_string_value(json_object_get(x, "period_end"));

		if (from == NULL || strcmp(from, today) > 0)
			continue;
		if (to == NULL || strcmp(to, today) >= 0)
			return x;
		if (started == NULL)
			started = x;
	}
	return started;
}

static bool one_account(const struct kpi_in_account *a, void *arg)
{
	return a->id == *(int64_t *)arg;
}

int api_shared(struct req *rq, struct resp *rs)
{
	static const char *const obj_keys[] = {"title",	 "metric", "baseline", "target",
					       "current", "due_on", "status",	NULL};
	static const char *const act_keys[] = {"title", "due_on", "status", NULL};
	static const char *const kpi_keys[] = {"nps", "csat", "sla_compliance", "ttr_median_hours",
					       NULL};
	const char *tok = rq->nparams ? rq->params[0] : "";
	int64_t account_id, now = time_now();
	char h[TOK_HASH_LEN], today[DATE_LEN], from[DATE_LEN], pf[11], pt[11], ppf[11], ppt[11];
	date_t tday;
	json_t *acc = NULL, *plans = NULL, *ans = NULL, *objs = NULL, *acts = NULL, *x, *figs = NULL;
	struct store_list q = {.sort = "period_start", .desc = true, .limit = 50};
	struct kpi_input d;
	struct store_share_link link = {0};
	struct settings set;
	char *next = NULL;
	size_t i;
	int rc;

	if (strlen(tok) < 40 || strlen(tok) > 64) {
		http_problem(rs, 404, "this link is not valid, has expired or was revoked", NULL);
		return KAM_ENOTFOUND;
	}
	tok_hash(tok, h);
	rc = store_share_find(rq->db, h, now, &link);
	/* a link speaks for its creator: it dies with their right to share the account */
	if (rc == KAM_OK && !(link.creator_active &&
			      auth_account_writable(auth_role_parse(link.creator_role),
						    link.creator_owner, link.creator_on_team)))
		rc = KAM_ENOTFOUND;
	account_id = link.account_id;
	if (rc == KAM_ENOTFOUND) {
		http_problem(rs, 404, "this link is not valid, has expired or was revoked", NULL);
		return rc;
	}
	if (rc != KAM_OK || (rc = store_get(rq->db, &model_account, account_id, &acc, NULL)) != KAM_OK)
		goto out;
	q.filters = json_pack("{s:o,s:s}", "account_id", json_sprintf("%lld", (long long)account_id),
			      "status", "active");
	rc = store_list(rq->db, &model_plan, &q, &plans, &next);
	json_decref(q.filters);
	free(next);
	if (rc != KAM_OK)
		goto out;
	ans = json_pack("{s:{s:O},s:n,s:o,s:o}", "account", "name", json_object_get(acc, "name"),
			"plan", "objectives", json_array(), "actions", json_array());
	if ((rc = app_settings_load(rq->db, &set, NULL)) != KAM_OK)
		goto out;
	tday = settings_today(&set, api_now(rq));
	date_format(tday, today);
	x = current_plan(plans, today);
	if (x) {
		json_object_set_new(ans, "plan",
				    pick(x, (const char *const[]){"title", "period_start", "period_end",
								  "vision", NULL}));
		if ((rc = children(rq, &model_objective, json_integer_value(json_object_get(x, "id")),
				   &objs)) != KAM_OK ||
		    (rc = children(rq, &model_action, json_integer_value(json_object_get(x, "id")),
				   &acts)) != KAM_OK)
			goto out;
	}
	json_array_foreach(objs, i, x)
	{
		json_t *o = pick(x, obj_keys);
		double p;

		json_object_set_new(o, "progress", plan_progress(x, &p) ? json_real(p) : json_null());
		json_array_append_new(json_object_get(ans, "objectives"), o);
	}
	json_array_foreach(acts, i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "status")), "cancelled") != 0)
			json_array_append_new(json_object_get(ans, "actions"), pick(x, act_keys));
	}
	/* service KPIs over the 12-month revenue window every screen uses */
	app_revenue_window_dates(tday, from, today);
	kpi_previous(from, today, pf, pt);
	kpi_previous(pf, pt, ppf, ppt);
	{
		struct store_kpi_query kq = {0, from, today, pf, pt, ppf, ppt, set.base_currency, NULL};
		json_t *k = json_object();

		if ((rc = store_kpi_fetch(rq->db, &kq, &d)) != KAM_OK) {
			json_decref(k);
			goto out;
		}
		figs = kpi_figures(&set, &d, one_account, &account_id, from, today);
		store_kpi_free(&d);
		for (const char *const *n = kpi_keys; figs && *n; n++)
			json_object_set(k, *n, json_object_get(json_object_get(figs, *n), "value"));
		json_object_set_new(ans, "kpis", k);
		json_object_set_new(ans, "kpi_period", json_pack("{s:s,s:s}", "from", from, "to", today));
	}
	http_header(rs, "X-Robots-Tag", "noindex");
	http_reply_json(rs, 200, ans);
	ans = NULL;
out:
	json_decref(acc);
	json_decref(plans);
	json_decref(objs);
	json_decref(acts);
	json_decref(figs);
	json_decref(ans);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, NULL);
	return rc;
}
