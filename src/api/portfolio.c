/* Identification and segmentation: settings, scores, the Pareto list and the portfolio matrix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "kam/date.h"
#include "kam/score.h"
#include "store/portfolio.h"
#include "util/log.h"
#include "util/time.h"

/* The score's revenue window at now: the last 12 months of the installation's time zone,
 * this one included. */
static void window_of(date_t today, char from[DATE_MONTH_LEN], char to[DATE_MONTH_LEN])
{
	date_t m0 = date_month_start(today);

	date_format_month(date_add_months_clamped(m0, -11), from);
	date_format_month(m0, to);
}

static void window(const struct settings *s, int64_t now, char from[DATE_MONTH_LEN],
                   char to[DATE_MONTH_LEN])
{
	window_of(settings_today(s, now), from, to);
}

int api_settings_load(struct req *rq, struct settings *s, int64_t *version)
{
	return api_settings_load_conn(rq->db, s, version);
}

int api_settings_load_conn(struct store_conn *c, struct settings *s, int64_t *version)
{
	struct kam_errinfo ei = {0};
	json_t *doc = NULL;
	int64_t v = 0;
	int rc = store_settings_get(c, &doc, &v);

	settings_defaults(s);
	if (rc != KAM_OK)
		return rc;
	if (settings_apply(s, doc, &ei) != KAM_OK)
		log_msg("warn", "stored settings are invalid (%s); using defaults", ei.detail);
	err_clear(&ei);
	json_decref(doc);
	if (version)
		*version = v;
	return KAM_OK;
}

int api_scores_refresh(struct req *rq, const struct settings *s)
{
	return api_scores_refresh_conn(rq->db, s, api_now(rq));
}

int api_scores_refresh_conn(struct store_conn *db, const struct settings *s, int64_t now)
{
	struct store_score_row *rows = NULL;
	double *rev = NULL, *pct = NULL;
	char from[8], to[8], today[DATE_LEN];
	size_t n = 0;
	int rc;

	window(s, now, from, to);
	date_format(settings_today(s, now), today);
	if ((rc = store_score_rows(db, from, to, &rows, &n)) != KAM_OK)
		return rc;
	rev = calloc(n + 1, sizeof(*rev));
	pct = calloc(n + 1, sizeof(*pct));
	if (rev == NULL || pct == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		rev[i] = rows[i].revenue;
	score_percentiles(rev, n, pct);
	for (size_t i = 0; i < n && rc == KAM_OK; i++) {
		struct score_input in = {rows[i].revenue,   pct[i],
		                         rows[i].growth,    rows[i].strategic,
		                         rows[i].influence, rows[i].churned};
		struct score_result r;

		score_compute(s, &in, &r);
		rc = store_score_set(db, rows[i].id, r.score, r.tier, (int64_t)rows[i].revenue);
	}
	if (rc == KAM_OK) /* tiers moved: so did who has a segment */
		rc = api_segments_refresh_conn(db, s, now);
	if (rc == KAM_OK)
		rc = store_scores_clean(db, today);
out:
	free(rows);
	free(rev);
	free(pct);
	return rc;
}

int api_scores_fresh(struct req *rq)
{
	return api_scores_fresh_conn(rq->db, api_now(rq));
}

int api_scores_fresh_conn(struct store_conn *db, int64_t now)
{
	struct settings s;
	char today[DATE_LEN];
	bool stale = false;
	int rc;

	if ((rc = api_settings_load_conn(db, &s, NULL)) != KAM_OK)
		return rc;
	date_format(settings_today(&s, now), today);
	if ((rc = store_scores_stale(db, today, &stale)) != KAM_OK || !stale)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	/* read again under the write lock: another node may have changed them meanwhile */
	if ((rc = api_settings_load_conn(db, &s, NULL)) == KAM_OK &&
	    (rc = api_scores_refresh_conn(db, &s, now)) == KAM_OK)
		rc = store_commit(db);
	if (rc != KAM_OK)
		store_rollback(db);
	return rc;
}

/* Computes one account's score now, with its criteria; fills r. */
static int score_one(struct req *rq, const struct settings *s, int64_t id, struct score_result *r,
                     struct store_score_row *row)
{
	char from[8], to[8];
	size_t lower = 0, n = 0;
	struct score_input in;
	int rc;

	window(s, api_now(rq), from, to);
	if ((rc = store_score_row(rq->db, id, from, to, row, &lower, &n)) != KAM_OK)
		return rc;
	in = (struct score_input){row->revenue,   score_percentile_of(row->revenue, lower, n),
	                          row->growth,    row->strategic,
	                          row->influence, row->churned};
	score_compute(s, &in, r);
	return KAM_OK;
}

int api_score_account(struct req *rq, int64_t id)
{
	struct settings s;
	struct score_result r;
	struct store_score_row row;
	int rc = api_settings_load(rq, &s, NULL);

	if (rc == KAM_OK)
		rc = score_one(rq, &s, id, &r, &row);
	if (rc == KAM_OK)
		rc = store_score_set(rq->db, id, r.score, r.tier, (int64_t)row.revenue);
	return rc;
}

int api_settings_get(struct req *rq, struct resp *rs)
{
	struct settings s;
	int64_t version = 0;
	int rc = api_settings_load(rq, &s, &version);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_etag(rs, version);
	return http_reply_json(rs, 200, settings_to_json(&s));
}

int api_settings_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings s, before;
	json_t *stored = NULL, *jb = NULL, *ja = NULL;
	int64_t version = 0, want = http_if_match(rq), ntx = 0;
	int rc;

	if (want == -2) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = api_settings_load(rq, &s, &version)) != KAM_OK)
		goto out;
	before = s;
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = settings_apply(&s, rq->json, &ei)) != KAM_OK)
		goto out;
	if (strcmp(s.base_currency, before.base_currency) != 0) {
		rc = store_count_transactions(rq->db, &ntx);
		if (rc == KAM_OK && ntx > 0) {
			err_field(&ei, "base_currency",
			          "cannot change once transactions exist (%lld are stored in %s)",
			          (long long)ntx, before.base_currency);
			rc = KAM_ECONFLICT;
		}
		if (rc != KAM_OK)
			goto out;
	}
	jb = settings_to_json(&before);
	ja = settings_to_json(&s);
	stored = settings_to_stored_json(&s);
	if ((rc = store_settings_put(rq->db, stored, version, time_now())) != KAM_OK)
		goto out;
	if ((rc = api_audit(rq, "update", "settings", 0, jb, ja)) != KAM_OK)
		goto out;
	/* new weights or thresholds re-rank everyone in the same transaction */
	if ((rc = api_scores_refresh(rq, &s)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_etag(rs, version + 1);
	http_reply_json(rs, 200, ja);
	ja = NULL;
out:
	json_decref(stored);
	json_decref(jb);
	json_decref(ja);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

/* Who would be key, potential or standard under proposed settings: nothing is saved. */
int api_settings_preview(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings s;
	struct store_score_row *rows = NULL;
	double *rev = NULL, *pct = NULL;
	char from[8], to[8];
	json_t *items = NULL;
	int counts[2][3] = {{0}}; /* now / proposed × key, potential, standard */
	size_t n = 0;
	int rc;

	if ((rc = api_settings_load(rq, &s, NULL)) != KAM_OK)
		goto out;
	if (rq->json && (rc = settings_apply(&s, rq->json, &ei)) != KAM_OK)
		goto out;
	window(&s, api_now(rq), from, to);
	if ((rc = store_score_rows(rq->db, from, to, &rows, &n)) != KAM_OK)
		goto out;
	rev = calloc(n + 1, sizeof(*rev));
	pct = calloc(n + 1, sizeof(*pct));
	if (rev == NULL || pct == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		rev[i] = rows[i].revenue;
	score_percentiles(rev, n, pct);
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		struct score_input in = {rows[i].revenue,   pct[i],
		                         rows[i].growth,    rows[i].strategic,
		                         rows[i].influence, rows[i].churned};
		struct score_result r;
		int before = !strcmp(rows[i].tier, "key")         ? 0
		             : !strcmp(rows[i].tier, "potential") ? 1
		                                                  : 2;
		int after;

		score_compute(&s, &in, &r);
		after = !strcmp(r.tier, "key") ? 0 : !strcmp(r.tier, "potential") ? 1 : 2;
		counts[0][before]++;
		counts[1][after]++;
		if (before != after)
			json_array_append_new(items,
			                      json_pack("{s:I,s:f,s:s,s:s}", "account_id",
			                                (json_int_t)rows[i].id, "score", r.score,
			                                "tier", r.tier, "tier_now", rows[i].tier));
	}
	http_reply_json(rs, 200,
	                json_pack("{s:{s:i,s:i,s:i},s:{s:i,s:i,s:i},s:o}", "now", "key",
	                          counts[0][0], "potential", counts[0][1], "standard", counts[0][2],
	                          "proposed", "key", counts[1][0], "potential", counts[1][1],
	                          "standard", counts[1][2], "changes", items));
	items = NULL;
out:
	free(rows);
	free(rev);
	free(pct);
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

	if (id < 0 || api_account_visible(rq, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = api_settings_load(rq, &s, NULL)) != KAM_OK ||
	    (rc = score_one(rq, &s, id, &r, &row)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	window(&s, api_now(rq), from, to);
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

/* ?from=YYYY-MM&to=YYYY-MM, defaulting to the last 12 months. */
static int month_range(struct req *rq, char from[8], char to[8], struct kam_errinfo *ei)
{
	const char *f = http_query(rq, "from"), *t = http_query(rq, "to");
	date_t today;
	int rc;

	if ((rc = api_today(rq, &today)) != KAM_OK)
		return rc;
	window_of(today, from, to);
	for (int i = 0; i < 2; i++) {
		const char *v = i == 0 ? f : t;

		if (v == NULL)
			continue;
		date_t d;

		if (date_parse_month(v, &d) != KAM_OK) {
			err_field(ei, i == 0 ? "from" : "to",
			          "must be a month written YYYY-MM between 1900-01 and 2999-12");
			rc = KAM_EINVAL;
			continue;
		}
		snprintf(i == 0 ? from : to, 8, "%s", v);
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

int api_portfolio_pareto(struct req *rq, struct resp *rs)
{
	static const char *const params[] = {"from", "to", NULL};
	struct kam_errinfo ei = {0};
	struct settings s;
	char from[8], to[8];
	json_t *items = NULL, *it;
	double total = 0, cum = 0;
	size_t i, n80 = 0;
	int rc;

	if ((rc = only_params(rq, params, &ei)) != KAM_OK ||
	    (rc = month_range(rq, from, to, &ei)) != KAM_OK)
		goto out;
	if ((rc = api_scores_fresh(rq)) != KAM_OK ||
	    (rc = api_settings_load(rq, &s, NULL)) != KAM_OK ||
	    (rc = store_pareto(rq->db, api_scope_user(rq), from, to, &items)) != KAM_OK)
		goto out;
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
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

/* One matrix row: relationship strength from its parts, the segment, the explanation. */
json_t *api_matrix_item(const struct settings *s, json_t *row)
{
	struct strength_input in;
	struct strength_part parts[STRENGTH_PARTS];
	json_t *pot = json_object_get(row, "potential"), *comp = json_array();
	double score = json_real_value(json_object_get(row, "score"));
	double revenue = (double)json_integer_value(json_object_get(row, "revenue"));
	json_int_t nps_n = json_integer_value(json_object_get(row, "nps_n"));
	json_int_t infl = json_integer_value(json_object_get(row, "influential"));
	const char *cur = json_string_value(json_object_get(row, "currency"));
	double strength;

	in.rating = (int)json_integer_value(json_object_get(row, "rating"));
	/* potential spend is in the account's currency; only comparable when that is the base */
	in.wallet_share = json_integer_value(pot) > 0 && strcmp(cur, s->base_currency) == 0
	                      ? revenue / (double)json_integer_value(pot)
	                      : -1;
	in.nps = nps_n > 0 ? 100.0 *
	                         (double)(json_integer_value(json_object_get(row, "promoters")) -
	                                  json_integer_value(json_object_get(row, "detractors"))) /
	                         (double)nps_n
	                   : NAN;
	in.coverage =
	    infl > 0 ? (double)json_integer_value(json_object_get(row, "engaged")) / (double)infl
	             : -1;
	strength = score_strength(&in, parts);
	for (int i = 0; i < STRENGTH_PARTS; i++)
		json_array_append_new(
		    comp, json_pack("{s:s,s:o,s:o,s:f}", "name", parts[i].name, "raw",
		                    parts[i].missing ? json_null() : json_real(parts[i].raw),
		                    "normalized",
		                    parts[i].missing ? json_null() : json_real(parts[i].normalized),
		                    "weight", parts[i].weight));
	return json_pack("{s:O,s:O,s:O,s:s,s:O,s:O,s:{s:f,s:f},s:{s:o,s:o}}", "account_id",
	                 json_object_get(row, "account_id"), "name", json_object_get(row, "name"),
	                 "owner_id", json_object_get(row, "owner_id"), "segment",
	                 score_segment(s, score, strength), "revenue",
	                 json_object_get(row, "revenue"), "health", json_object_get(row, "health"),
	                 "attractiveness", "value", score, "score", score, "strength", "value",
	                 isnan(strength) ? json_null() : json_real(strength), "components", comp);
}

int api_segments_refresh_conn(struct store_conn *db, const struct settings *s, int64_t now)
{
	char from[8], to[8], from_date[DATE_LEN];
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	window(s, now, from, to);
	date_format(date_add_days_clamped(settings_today(s, now), -365), from_date);
	if ((rc = store_segments_clear(db)) != KAM_OK ||
	    (rc = store_matrix_rows(db, 0, from, to, from_date, now - 90 * 86400, &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i, row)
	{
		json_t *it = api_matrix_item(s, row);

		if (rc == KAM_OK)
			rc = store_segment_set(
			    db, json_integer_value(json_object_get(it, "account_id")),
			    json_string_value(json_object_get(it, "segment")));
		json_decref(it);
	}
	json_decref(rows);
	return rc;
}

int api_portfolio_matrix(struct req *rq, struct resp *rs)
{
	static const char *const params[] = {"from", "to", "explain", NULL};
	struct kam_errinfo ei = {0};
	struct settings s;
	char from[8], to[8], wfrom[8], wto[8], from_date[11];
	json_t *rows = NULL, *items = json_array(), *row, *counts, *period = NULL,
	       *rev = json_object();
	int64_t now = api_now(rq);
	size_t i;
	int rc;

	/* from, to (YYYY-MM): the months a bubble's revenue covers, as the dashboard's period */
	const char *explain = http_query(rq, "explain");

	if ((rc = only_params(rq, params, &ei)) != KAM_OK ||
	    (rc = month_range(rq, from, to, &ei)) != KAM_OK)
		goto out;
	/* explain=false leaves out each point's strength components: a chart of thousands of
	 * key accounts needs only where the points go */
	if (explain && strcmp(explain, "true") != 0 && strcmp(explain, "false") != 0) {
		err_field(&ei, "explain", "is true or false");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = api_scores_fresh(rq)) != KAM_OK ||
	    (rc = api_settings_load(rq, &s, NULL)) != KAM_OK)
		goto out;
	date_format(date_add_days_clamped(settings_today(&s, now), -365), from_date);
	/* position and segment from the twelve-month window the scores use; only the bubble's
	 * revenue follows the period asked for */
	window(&s, now, wfrom, wto);
	if ((rc = store_matrix_rows(rq->db, api_scope_user(rq), wfrom, wto, from_date,
	                            now - 90 * 86400, &rows)) != KAM_OK)
		goto out;
	if ((rc = store_pareto(rq->db, api_scope_user(rq), from, to, &period)) != KAM_OK)
		goto out;
	json_array_foreach(period, i, row)
	{
		char key[24];

		snprintf(key, sizeof(key), "%lld",
		         (long long)json_integer_value(json_object_get(row, "account_id")));
		json_object_set(rev, key, json_object_get(row, "revenue"));
	}
	counts = json_pack("{s:i,s:i,s:i,s:i}", "strategic", 0, "develop", 0, "maintain", 0,
	                   "streamline", 0);
	json_array_foreach(rows, i, row)
	{
		json_t *it = api_matrix_item(&s, row), *r;
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
		json_array_append_new(items, it);
	}
	http_reply_json(rs, 200,
	                json_pack("{s:{s:f,s:f},s:o,s:O}", "splits", "attractiveness",
	                          s.attractiveness_split, "strength", s.strength_split, "counts",
	                          counts, "items", items));
out:
	json_decref(rows);
	json_decref(items);
	json_decref(period);
	json_decref(rev);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
