/* Identification and segmentation: settings, scores, the Pareto list and the portfolio matrix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "app/group.h"
#include "app/settings.h"
#include "kam/date.h"
#include "kam/money.h"
#include "kam/score.h"
#include "store/portfolio.h"
#include "util/log.h"
#include "util/time.h"

int api_settings_get(struct req *rq, struct resp *rs)
{
	struct settings s;
	int64_t version = 0;
	int rc = app_settings_load(rq->db, &s, &version);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_etag(rs, version);
	return http_reply_json(rs, 200, settings_to_json(&s));
}

int api_settings_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t version = 0, want = http_if_match(rq);
	int rc = want == -2 ? KAM_ESTALE
	                    : app_settings_update(rq->db, &rq->user.who, rq->json, want, &out,
	                                          &version, &ei);

	if (rc == KAM_OK) {
		http_etag(rs, version);
		http_reply_json(rs, 200, out);
	} else {
		http_reply_err(rs, rc, &ei);
	}
	err_clear(&ei);
	return rc;
}

/* Who would be key, potential or standard under proposed settings: nothing is saved. */
int api_settings_preview(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings s;
	struct store_score_row *rows = NULL;
	struct score_result *res = NULL;
	json_t *items = NULL;
	int counts[2][3] = {{0}}; /* now / proposed × key, potential, standard */
	size_t n = 0;
	int rc;

	if ((rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK)
		goto out;
	if (rq->json && (rc = settings_apply(&s, rq->json, &ei)) != KAM_OK)
		goto out;
	if ((rc = app_scores_compute(rq->db, &s, api_now(rq), &rows, &res, &n)) != KAM_OK)
		goto out;
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		int before = !strcmp(rows[i].tier, "key")         ? 0
		             : !strcmp(rows[i].tier, "potential") ? 1
		                                                  : 2;
		int after = !strcmp(res[i].tier, "key") ? 0 : !strcmp(res[i].tier, "potential") ? 1 : 2;

		counts[0][before]++;
		counts[1][after]++;
		if (before != after)
			/* revenue (base minor units, the 12-month window) so a director sees what
			 * moves, not only how many */
			json_array_append_new(
			    items,
			    json_pack("{s:I,s:f,s:s,s:s,s:I,s:s}", "account_id",
			              (json_int_t)rows[i].id, "score", res[i].score, "tier",
			              res[i].tier, "tier_now", rows[i].tier, "revenue",
			              (json_int_t)rows[i].revenue, "currency", s.base_currency));
	}
	http_reply_json(rs, 200,
	                json_pack("{s:{s:i,s:i,s:i},s:{s:i,s:i,s:i},s:o}", "now", "key",
	                          counts[0][0], "potential", counts[0][1], "standard", counts[0][2],
	                          "proposed", "key", counts[1][0], "potential", counts[1][1],
	                          "standard", counts[1][2], "changes", items));
	items = NULL;
out:
	free(rows);
	free(res);
	json_decref(items);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_account_score(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	struct settings s;
	struct score_result r;
	struct store_score_row row;
	char from[8], to[8];
	json_t *crit;
	int rc;

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK ||
	    (rc = app_score_explain(rq->db, &s, api_now(rq), id, &r, &row)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	app_score_window(settings_today(&s, api_now(rq)), from, to);
	crit = json_array();
	for (int i = 0; i < SCORE_CRITERIA; i++)
		json_array_append_new(
		    crit, json_pack("{s:s,s:o,s:f,s:f,s:f}", "name", r.c[i].name, "raw",
		                    r.c[i].raw_null ? json_null()
		                    : i == 0        ? json_integer((json_int_t)r.c[i].raw)
		                                    : json_integer((json_int_t)r.c[i].raw),
		                    "normalized", r.c[i].normalized, "weight", r.c[i].weight,
		                    "contribution", r.c[i].contribution));
	return http_reply_json(
	    rs, 200,
	    json_pack("{s:I,s:f,s:s,s:o,s:{s:f,s:f},s:{s:s,s:s},s:s}", "account_id", (json_int_t)id,
	              "score", r.score, "tier", r.tier, "criteria", crit, "thresholds", "key",
	              s.key_threshold, "potential", s.potential_threshold, "revenue_window", "from",
	              from, "to", to, "currency", s.base_currency));
}

/* ?from=&to= as every report takes them (as date_parse_bound: months, or days that start a
 * month, to excluded), as the whole months from..to (YYYY-MM, to included) these reports
 * count in; the default is the last 12 months. */
static int month_range(struct req *rq, char from[8], char to[8], struct kam_errinfo *ei)
{
	const char *f = http_query(rq, "from"), *t = http_query(rq, "to");
	date_t today = 0;
	int rc = api_today(rq, &today);

	if (rc != KAM_OK)
		return rc;
	app_score_window(today, from, to);
	for (int i = 0; i < 2; i++) {
		const char *v = i == 0 ? f : t;
		date_t d;

		if (v == NULL)
			continue;
		/* a month is itself, to included; a date must start a month, to excluded */
		if (date_parse_month(v, &d) != KAM_OK &&
		    (date_parse(v, &d) != KAM_OK || date_month_start(d) != d ||
		     (i == 1 && date_add_months(d, -1, &d) != KAM_OK))) {
			err_field(ei, i == 0 ? "from" : "to",
			          "must be a month YYYY-MM, or the first day of a month YYYY-MM-01 "
			          "(to excluded), between 1900-01 and 2999-12");
			rc = KAM_EINVAL;
			continue;
		}
		date_format_month(d, i == 0 ? from : to);
	}
	if (rc == KAM_OK && strcmp(from, to) > 0) {
		err_field(ei, "to", "must not be before from");
		rc = KAM_EINVAL;
	}
	return rc;
}

static int only_params(struct req *rq, const char *const *allowed, struct kam_errinfo *ei)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < rq->nquery; i++) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, rq->query[i].key) != 0)
			a++;
		if (*a == NULL) {
			err_field(ei, rq->query[i].key, "is not a parameter of this report");
			rc = KAM_EINVAL;
		}
	}
	return rc;
}

/* scope=group&id=N narrows a portfolio report to a group as the caller may see it
 * (docs/groups.md): *grouped then, g loaded; a group the caller sees nothing of is a
 * missing account. scope=portfolio (the default) is the caller's accounts. */
static int report_scope(struct req *rq, struct app_group *g, bool *grouped, struct kam_errinfo *ei)
{
	const char *scope = http_query(rq, "scope"), *id = http_query(rq, "id");
	int64_t gid;
	int rc;

	memset(g, 0, sizeof(*g));
	*grouped = false;
	/* account_id names the group's parent as well as id does */
	if (http_query(rq, "account_id")) {
		if (id) {
			err_field(ei, "account_id", "is given twice (id and account_id name the same)");
			return KAM_EINVAL;
		}
		id = http_query(rq, "account_id");
	}
	if (scope == NULL || !strcmp(scope, "portfolio")) {
		if (id == NULL)
			return KAM_OK;
		err_field(ei, "id", "is only taken with scope=group");
		return KAM_EINVAL;
	}
	if (strcmp(scope, "group") != 0) {
		err_field(ei, "scope", "must be portfolio or group");
		return KAM_EINVAL;
	}
	if (id == NULL || (gid = validate_id(id)) < 0) {
		err_field(ei, "id", "must be the id of the group's parent account");
		return KAM_EINVAL;
	}
	if ((rc = app_group_load(rq->db, &rq->user.who, gid, g)) == KAM_ENOTFOUND)
		err_detail(ei, "no such account");
	*grouped = rc == KAM_OK;
	return rc;
}

int api_portfolio_pareto(struct req *rq, struct resp *rs)
{
	static const char *const params[] = {"from", "to", "scope", "id", "account_id", NULL};
	struct app_group g;
	bool grouped = false;
	struct kam_errinfo ei = {0};
	struct settings s;
	char from[8], to[8];
	json_t *items = NULL, *it;
	double total = 0, cum = 0;
	size_t i, n80 = 0;
	int rc;

	memset(&g, 0, sizeof(g));
	if ((rc = only_params(rq, params, &ei)) != KAM_OK ||
	    (rc = month_range(rq, from, to, &ei)) != KAM_OK ||
	    (rc = report_scope(rq, &g, &grouped, &ei)) != KAM_OK)
		goto out;
	if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) != KAM_OK ||
	    (rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK ||
	    (rc = store_pareto(rq->db, grouped ? 0 : api_scope_user(rq), from, to, &items)) !=
	        KAM_OK)
		goto out;
	if (grouped) { /* the group's entities, each net of its intra-group revenue */
		json_t *mine = NULL;

		if ((rc = app_group_items(rq->db, &g, from, to, items, true, &mine)) != KAM_OK)
			goto out;
		json_decref(items);
		items = mine;
	}
	json_array_foreach(items, i, it) total +=
	    (double)json_integer_value(json_object_get(it, "revenue"));
	json_array_foreach(items, i, it)
	{
		double r = (double)json_integer_value(json_object_get(it, "revenue"));

		cum += r;
		json_object_set_new(it, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(it, "share", total > 0 ? json_real(r / total) : json_null());
		json_object_set_new(it, "cumulative_share",
		                    total > 0 ? json_real(cum / total) : json_null());
		/* the smallest number of accounts whose revenue reaches 80% of the total */
		if (n80 == 0 && total > 0 && cum / total >= 0.8 - 1e-12)
			n80 = i + 1;
	}
	http_reply_json(
	    rs, 200,
	    json_pack("{s:{s:s,s:s},s:s,s:I,s:I,s:o,s:o,s:O}", "period", "from", from, "to", to,
	              "currency", s.base_currency, "total", (json_int_t)total, "accounts",
	              (json_int_t)json_array_size(items), "accounts_for_80",
	              n80 ? json_integer((json_int_t)n80) : json_null(), "share_of_accounts_for_80",
	              n80 ? json_real((double)n80 / (double)json_array_size(items)) : json_null(),
	              "items", items));
out:
	json_decref(items);
	app_group_free(&g);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_portfolio_matrix(struct req *rq, struct resp *rs)
{
	static const char *const params[] = {"from",  "to", "explain",    "form",
	                                     "scope", "id", "account_id", NULL};
	struct kam_errinfo ei = {0};
	struct app_group g;
	bool grouped = false;
	struct settings s;
	char from[8], to[8], wfrom[8], wto[8], from_date[DATE_LEN];
	json_t *rows = NULL, *items = json_array(), *row, *counts, *period = NULL,
	       *rev = json_object(), *ans;
	bool compact = false;
	const char *seg_c;
	char ck[API_CACHE_KEY_LEN];
	int64_t now = api_now(rq), version = 0;
	size_t i;
	int rc;

	/* from, to (YYYY-MM): the months a bubble's revenue covers, as the dashboard's period */
	const char *explain = http_query(rq, "explain");
	/* form=compact: one array per key account with only what the picture draws, for a
	 * dashboard of thousands of bubbles (a third of the bytes, no object per point) */
	const char *form = http_query(rq, "form");

	memset(&g, 0, sizeof(g));
	if ((rc = only_params(rq, params, &ei)) != KAM_OK ||
	    (rc = month_range(rq, from, to, &ei)) != KAM_OK ||
	    (rc = report_scope(rq, &g, &grouped, &ei)) != KAM_OK)
		goto out;
	/* explain=false leaves out each point's strength components: a chart of thousands of
	 * key accounts needs only where the points go */
	if (explain && strcmp(explain, "true") != 0 && strcmp(explain, "false") != 0) {
		err_field(&ei, "explain", "is true or false");
		rc = KAM_EINVAL;
		goto out;
	}
	if (form && strcmp(form, "compact") != 0 && strcmp(form, "explained") != 0) {
		err_field(&ei, "form", "is compact or explained");
		rc = KAM_EINVAL;
		goto out;
	}
	compact = form && !strcmp(form, "compact");
	if (compact && explain && !strcmp(explain, "true")) {
		err_field(&ei, "explain", "the compact form has no strength components");
		rc = KAM_EINVAL;
		goto out;
	}
	/* thousands of bubbles take a while to place: the same question at the same data
	 * version (after the scores are brought up to date) has the same answer */
	if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) != KAM_OK ||
	    (rc = api_cached(rq, rs, ck, &version)) != 0 ||
	    (rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK)
		goto out;
	date_format(date_add_days_clamped(settings_today(&s, now), -365), from_date);
	/* position and segment from the twelve-month window the scores use; only the bubble's
	 * revenue follows the period asked for */
	app_score_window(settings_today(&s, now), wfrom, wto);
	if ((rc = store_matrix_rows(rq->db, grouped ? 0 : api_scope_user(rq), wfrom, wto, from_date,
	                            now - 90 * 86400, &rows)) != KAM_OK)
		goto out;
	if (grouped) { /* the group's key accounts; revenue net of intra-group revenue */
		json_t *a = NULL, *b = NULL;

		if ((rc = store_pareto(rq->db, 0, from, to, &period)) != KAM_OK)
			goto out;
		if ((rc = app_group_items(rq->db, &g, wfrom, wto, rows, false, &a)) != KAM_OK ||
		    (rc = app_group_items(rq->db, &g, from, to, period, false, &b)) != KAM_OK) {
			json_decref(a);
			goto out;
		}
		json_decref(rows);
		json_decref(period);
		rows = a;
		period = b;
	}
	/* each key account's revenue of the period: only theirs, not every account's row */
	if (!grouped) {
		json_decref(rev);
		rev = NULL;
		if ((rc = store_key_revenue(rq->db, api_scope_user(rq), from, to, &rev)) != KAM_OK)
			goto out;
	}
	json_array_foreach(period, i, row)
	{
		char key[24];

		snprintf(key, sizeof(key), "%lld",
		         (long long)json_integer_value(json_object_get(row, "account_id")));
		json_object_set(rev, key, json_object_get(row, "revenue"));
	}
	/* every account's row of the period is done with: gone before the bubbles are made
	 * (at 10,000 accounts the trees of one request weigh tens of MB) */
	json_decref(period);
	period = NULL;
	counts = json_pack("{s:i,s:i,s:i,s:i}", "strategic", 0, "develop", 0, "maintain", 0,
	                   "streamline", 0);
	json_array_foreach(rows, i, row)
	{
		json_t *it, *r;

		if (compact) { /* only what the picture draws: no object per bubble on the way */
			struct strength_part parts[STRENGTH_PARTS];
			double score, strength = app_matrix_place(&s, row, parts, &score, &seg_c);
			char key[24];

			snprintf(key, sizeof(key), "%lld",
			         (long long)json_integer_value(json_object_get(row, "account_id")));
			r = json_object_get(rev, key);
			json_object_set_new(
			    counts, seg_c,
			    json_integer(json_integer_value(json_object_get(counts, seg_c)) + 1));
			it = json_pack("[O,O,s,f,o,o,O]", json_object_get(row, "account_id"),
			               json_object_get(row, "name"), seg_c, score,
			               isnan(strength) ? json_null() : json_real(strength),
			               r ? json_incref(r) : json_integer(0),
			               json_object_get(row, "health"));
			if (it == NULL || json_array_append_new(items, it) != 0) {
				json_decref(counts);
				rc = KAM_ENOMEM;
				goto out;
			}
			json_array_set_new(rows, i, json_null());
			continue;
		}
		it = app_matrix_item(&s, row);
		const char *seg = json_string_value(json_object_get(it, "segment"));
		char key[24];

		snprintf(key, sizeof(key), "%lld",
		         (long long)json_integer_value(json_object_get(it, "account_id")));
		r = json_object_get(rev, key);
		json_object_set_new(it, "revenue", r ? json_incref(r) : json_integer(0));
		if (explain && !strcmp(explain, "false"))
			json_object_del(json_object_get(it, "strength"), "components");
		json_object_set_new(
		    counts, seg,
		    json_integer(json_integer_value(json_object_get(counts, seg)) + 1));
		if (compact) {
			json_t *a = json_pack(
			    "[O,O,s,O,O,O,O]", json_object_get(it, "account_id"),
			    json_object_get(it, "name"), seg,
			    json_object_get(json_object_get(it, "attractiveness"), "value"),
			    json_object_get(json_object_get(it, "strength"), "value"),
			    json_object_get(it, "revenue"), json_object_get(it, "health"));

			json_decref(it);
			it = a;
		}
		if (it == NULL || json_array_append_new(items, it) != 0) {
			json_decref(counts);
			rc = KAM_ENOMEM;
			goto out;
		}
		json_array_set_new(rows, i, json_null()); /* and each row once its bubble is */
	}
	if (compact)
		ans =
		    json_pack("{s:{s:f,s:f},s:o,s:[s,s,s,s,s,s,s],s:O}", "splits", "attractiveness",
		              s.attractiveness_split, "strength", s.strength_split, "counts",
		              counts, "fields", "account_id", "name", "segment", "attractiveness",
		              "strength", "revenue", "health", "rows", items);
	else
		ans = json_pack("{s:{s:f,s:f},s:o,s:O}", "splits", "attractiveness",
		                s.attractiveness_split, "strength", s.strength_split, "counts",
		                counts, "items", items);
	if (ans == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	api_cache_keep(rq, rs, ck, version, ans);
out:
	if (rc > 0)
		rc = KAM_OK; /* answered from the cache */
	json_decref(rows);
	json_decref(items);
	json_decref(period);
	json_decref(rev);
	app_group_free(&g);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
