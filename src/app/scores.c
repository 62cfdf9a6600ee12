/* Identification and segmentation as operations: the settings in force, every account's score
 * and tier, one account's score, and the matrix segments that follow from them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/scores.h"
#include "app/webhook.h"
#include "kam/group.h"
#include "kam/kpi.h"
#include "kam/kpi_report.h"
#include "kam/score.h"
#include "store/group.h"
#include "store/portfolio.h"
#include "util/log.h"
#include "util/time.h"

int app_today_at(struct store_conn *c, int64_t now, date_t *out)
{
	struct settings s;
	int rc = app_settings_load(c, &s, NULL);

	*out = settings_today(&s, now);
	return rc;
}

int app_today(struct store_conn *c, const struct actor *who, date_t *out)
{
	if (who->has_today) {
		*out = who->today;
		return KAM_OK;
	}
	return app_today_at(c, who->now, out);
}

int app_actor_today(struct store_conn *c, struct actor *who)
{
	int rc = KAM_OK;

	if (!who->has_today && (rc = app_today_at(c, who->now, &who->today)) == KAM_OK)
		who->has_today = true;
	return rc;
}

int app_actor_settings(struct store_conn *c, struct actor *who, struct settings *s)
{
	int rc = app_settings_load(c, s, NULL);

	if (rc == KAM_OK) {
		who->settings = s;
		who->today = settings_today(s, who->now);
		who->has_today = true;
	}
	return rc;
}

int app_today_text(struct store_conn *c, const struct actor *who, char out[DATE_LEN])
{
	date_t d = 0;
	int rc = app_today(c, who, &d);

	date_format(d, out);
	return rc;
}

void app_score_window(date_t today, char from[8], char to[8])
{
	date_t first, last;

	app_revenue_window(today, &first, &last);
	date_format_month(first, from);
	date_format_month(last, to);
}

/* Whole months only: a window ending in the current month would drop a full month's revenue
 * on the 1st and creep back up during the month, moving tiers and health with the calendar. */
void app_revenue_window(date_t today, date_t *first, date_t *last)
{
	date_t month = date_month_start(today);

	*first = date_add_months_clamped(month, -12);
	*last = date_add_months_clamped(month, -1);
}

void app_revenue_window_dates(date_t today, char from[DATE_LEN], char to[DATE_LEN])
{
	date_t first, last;

	app_revenue_window(today, &first, &last);
	date_format(first, from);
	date_format(date_add_months_clamped(last, 1), to);
}

int app_settings_load(struct store_conn *c, struct settings *s, int64_t *version)
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

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Each row's top-level group (root[i]: an index into rows) and intra-group revenue of the
 * score window, for identification at group level (rows sorted by id, as stored). */
static int group_inputs(struct store_conn *db, const struct store_score_row *rows, size_t n,
                        const char *from, const char *to, size_t *root, double *intra)
{
	struct group_node *nodes = calloc(n + 1, sizeof(*nodes));
	struct store_group_amount *x = NULL;
	int64_t *ids = NULL, *parents = NULL, *rid = calloc(n + 1, sizeof(*rid));
	size_t nl = 0, nx = 0;
	char fday[DATE_LEN], tday[DATE_LEN];
	date_t t;
	int rc;

	if (nodes == NULL || rid == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = store_group_links(db, &ids, &parents, &nl)) != KAM_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const int64_t *p = nl ? bsearch(&rows[i].id, ids, nl, sizeof(*ids), cmp_id) : NULL;

		rid[i] = rows[i].id;
		nodes[i] = (struct group_node){rows[i].id, p ? parents[p - ids] : 0};
	}
	group_roots(nodes, n, root);
	/* the window's months from..to, to included, as dates [from-01, the month after to) */
	snprintf(fday, sizeof(fday), "%s-01", from);
	if (date_parse_month(to, &t) != KAM_OK || date_add_months(t, 1, &t) != KAM_OK) {
		rc = KAM_EINVAL;
		goto out;
	}
	date_format(t, tday);
	if ((rc = store_group_intra(db, fday, tday, &x, &nx)) != KAM_OK)
		goto out;
	for (size_t j = 0; j < nx; j++) {
		const int64_t *p =
		    n ? bsearch(&x[j].account_id, rid, n, sizeof(*rid), cmp_id) : NULL;

		if (p)
			intra[p - rid] += x[j].amount;
	}
out:
	free(nodes);
	free(x);
	free(ids);
	free(parents);
	free(rid);
	return rc;
}

int app_scores_compute(struct store_conn *db, const struct settings *s, int64_t now,
                       struct store_score_row **rows, struct score_result **res, size_t *n)
{
	double *rev = NULL, *pct = NULL;
	char from[8], to[8];
	int rc;

	*rows = NULL;
	*res = NULL;
	*n = 0;
	app_score_window(settings_today(s, now), from, to);
	if ((rc = store_score_rows(db, from, to, rows, n)) != KAM_OK)
		return rc;
	rev = calloc(*n + 1, sizeof(*rev));
	pct = calloc(*n + 1, sizeof(*pct));
	*res = calloc(*n + 1, sizeof(**res));
	if (rev == NULL || pct == NULL || *res == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (s->segment_by_group) { /* groups scored as one, their entities take the result */
		size_t *root = calloc(*n + 1, sizeof(*root));
		double *intra = calloc(*n + 1, sizeof(*intra));
		struct score_input *in = calloc(*n + 1, sizeof(*in));

		if (root == NULL || intra == NULL || in == NULL)
			rc = KAM_ENOMEM;
		else
			rc = group_inputs(db, *rows, *n, from, to, root, intra);
		for (size_t i = 0; i < *n && rc == KAM_OK; i++) {
			const struct store_score_row *r = &(*rows)[i];

			in[i] = (struct score_input){
			    r->revenue, 0, r->growth, r->strategic, r->influence, r->churned};
		}
		if (rc == KAM_OK)
			score_by_group(s, *n, root, in, intra, *res, NULL);
		free(root);
		free(intra);
		free(in);
		goto out;
	}
	for (size_t i = 0; i < *n; i++)
		rev[i] = (*rows)[i].revenue;
	/* revenue counts as its percentile among all accounts */
	score_percentiles(rev, *n, pct);
	for (size_t i = 0; i < *n; i++) {
		const struct store_score_row *r = &(*rows)[i];
		struct score_input in = {r->revenue,   pct[i],       r->growth,
		                         r->strategic, r->influence, r->churned};

		score_compute(s, &in, &(*res)[i]);
	}
out:
	free(rev);
	free(pct);
	if (rc != KAM_OK) {
		free(*rows);
		free(*res);
		*rows = NULL;
		*res = NULL;
		*n = 0;
	}
	return rc;
}

int app_scores_refresh(struct store_conn *db, const struct settings *s, int64_t now)
{
	struct store_score_row *rows = NULL;
	struct score_result *res = NULL;
	char today[DATE_LEN];
	size_t n = 0;
	/* taken first where the transaction began with it; else here, before the first score */
	int rc = store_portfolio_lock(db);

	if (rc == KAM_OK)
		rc = app_scores_compute(db, s, now, &rows, &res, &n);
	date_format(settings_today(s, now), today);
	for (size_t i = 0; i < n && rc == KAM_OK; i++) {
		rc = store_score_set(db, rows[i].id, res[i].score, res[i].tier,
		                     (int64_t)rows[i].revenue);
		if (rc == KAM_OK && rows[i].tier[0] && strcmp(rows[i].tier, res[i].tier) != 0)
			rc = app_webhook_tier(db, rows[i].id, rows[i].tier);
	}
	if (rc == KAM_OK) /* tiers moved: so did who has a segment */
		rc = app_segments_refresh(db, s, now);
	if (rc == KAM_OK)
		rc = store_scores_clean(db, today);
	free(rows);
	free(res);
	return rc;
}

/* today: the installation's date at now, or NULL to work it out from the settings. */
static int fresh(struct store_conn *db, int64_t now, const date_t *day)
{
	struct settings s;
	char today[DATE_LEN];
	bool stale = false;
	int rc;

	if (day)
		date_format(*day, today);
	else if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	else
		date_format(settings_today(&s, now), today);
	if ((rc = store_scores_stale(db, today, &stale)) != KAM_OK || !stale)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = store_portfolio_lock(db)) == KAM_OK &&
	    (rc = app_settings_load(db, &s, NULL)) == KAM_OK &&
	    (rc = app_scores_refresh(db, &s, now)) == KAM_OK)
		rc = store_commit(db);
	if (rc != KAM_OK)
		store_rollback(db);
	return rc;
}

int app_scores_fresh(struct store_conn *db, int64_t now)
{
	return fresh(db, now, NULL);
}

int app_scores_fresh_as(struct store_conn *db, const struct actor *who)
{
	return fresh(db, who->now, who->has_today ? &who->today : NULL);
}

int app_score_explain(struct store_conn *db, const struct settings *s, int64_t now, int64_t id,
                      struct score_result *r, struct store_score_row *row)
{
	char from[8], to[8];
	size_t lower = 0, n = 0;
	struct score_input in;
	int rc;

	if (s->segment_by_group) { /* the account's group is ranked among all groups */
		struct store_score_row *rows = NULL;
		struct score_result *res = NULL;
		size_t k;

		if ((rc = app_scores_compute(db, s, now, &rows, &res, &n)) != KAM_OK)
			return rc;
		for (k = 0; k < n && rows[k].id != id; k++)
			;
		if (k < n) {
			*r = res[k];
			*row = rows[k];
		}
		free(rows);
		free(res);
		return k < n ? KAM_OK : KAM_ENOTFOUND;
	}
	app_score_window(settings_today(s, now), from, to);
	if ((rc = store_score_row(db, id, from, to, row, &lower, &n)) != KAM_OK)
		return rc;
	in = (struct score_input){row->revenue,   score_percentile_of(row->revenue, lower, n),
	                          row->growth,    row->strategic,
	                          row->influence, row->churned};
	score_compute(s, &in, r);
	return KAM_OK;
}

int app_score_account(struct store_conn *db, int64_t now, int64_t id)
{
	struct settings s;
	struct score_result r;
	struct store_score_row row;
	int rc = app_settings_load(db, &s, NULL);

	/* at group level one account's write moves its whole group (its parent, its revenue):
	 * everyone is ranked again */
	if (rc == KAM_OK && s.segment_by_group)
		return app_scores_refresh(db, &s, now);
	if (rc == KAM_OK)
		rc = app_score_explain(db, &s, now, id, &r, &row);
	if (rc == KAM_OK)
		rc = store_score_set(db, id, r.score, r.tier, (int64_t)row.revenue);
	if (rc == KAM_OK && row.tier[0] && strcmp(row.tier, r.tier) != 0)
		rc = app_webhook_tier(db, id, row.tier);
	return rc;
}

/* One matrix row: relationship strength from its parts, the segment, the explanation. */
double app_matrix_place(const struct settings *s, json_t *row,
                        struct strength_part parts[STRENGTH_PARTS], double *score_out,
                        const char **segment)
{
	struct strength_input in;
	json_t *pot = json_object_get(row, "potential");
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
	*score_out = score;
	*segment = score_segment(s, score, strength);
	return strength;
}

json_t *app_matrix_item(const struct settings *s, json_t *row)
{
	struct strength_part parts[STRENGTH_PARTS];
	json_t *comp = json_array();
	double score, strength;
	const char *segment;

	strength = app_matrix_place(s, row, parts, &score, &segment);
	for (int i = 0; i < STRENGTH_PARTS; i++)
		if (json_array_append_new(
		        comp,
		        json_pack("{s:s,s:o,s:o,s:f}", "name", parts[i].name, "raw",
		                  parts[i].missing ? json_null() : json_real(parts[i].raw),
		                  "normalized",
		                  parts[i].missing ? json_null() : json_real(parts[i].normalized),
		                  "weight", parts[i].weight)) != 0) {
			json_decref(comp); /* an item without all its parts is no item */
			return NULL;
		}
	return json_pack("{s:O,s:O,s:O,s:s,s:O,s:O,s:{s:f,s:f},s:{s:o,s:o}}", "account_id",
	                 json_object_get(row, "account_id"), "name", json_object_get(row, "name"),
	                 "owner_id", json_object_get(row, "owner_id"), "segment", segment,
	                 "revenue", json_object_get(row, "revenue"), "health",
	                 json_object_get(row, "health"), "attractiveness", "value", score, "score",
	                 score, "strength", "value",
	                 isnan(strength) ? json_null() : json_real(strength), "components", comp);
}

/* Every key entity of a group takes its top parent's segment (rows: the key accounts with
 * their own segment; at group level a group's entities are key exactly when its parent is). */
static int inherit_segments(struct store_conn *db, json_t *rows)
{
	int64_t *ids = NULL, *parents = NULL;
	struct group_node *nodes = NULL;
	size_t *root = NULL, nl = 0, i;
	json_t *seg = json_object(), *row;
	int rc = store_group_links(db, &ids, &parents, &nl);

	if (rc != KAM_OK || seg == NULL)
		goto out;
	nodes = calloc(nl + 1, sizeof(*nodes));
	root = calloc(nl + 1, sizeof(*root));
	if (nodes == NULL || root == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (i = 0; i < nl; i++)
		nodes[i] = (struct group_node){ids[i], parents[i]};
	group_roots(nodes, nl, root);
	json_array_foreach(rows, i, row)
	{
		char key[24];

		snprintf(key, sizeof(key), "%lld",
		         (long long)json_integer_value(json_object_get(row, "account_id")));
		json_object_set(seg, key, json_object_get(row, "segment"));
	}
	json_array_foreach(rows, i, row)
	{
		int64_t id = json_integer_value(json_object_get(row, "account_id"));
		const int64_t *p = nl ? bsearch(&id, ids, nl, sizeof(*ids), cmp_id) : NULL;
		char key[24];
		json_t *top;

		if (p == NULL || root[p - ids] == (size_t)(p - ids))
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)ids[root[p - ids]]);
		if ((top = json_object_get(seg, key)) != NULL &&
		    (rc = store_segment_set(db, id, json_string_value(top))) != KAM_OK)
			break;
	}
out:
	json_decref(seg);
	free(ids);
	free(parents);
	free(nodes);
	free(root);
	return rc;
}

int app_segments_refresh(struct store_conn *db, const struct settings *s, int64_t now)
{
	char from[8], to[8], from_date[DATE_LEN];
	date_t today = settings_today(s, now);
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	json_t *seg_before = NULL; /* for account.segment_changed webhooks */

	app_score_window(today, from, to);
	date_format(date_add_days_clamped(today, -365), from_date);
	if ((rc = app_webhook_segments_before(db, &seg_before)) != KAM_OK)
		return rc;
	if ((rc = store_segments_clear(db)) != KAM_OK ||
	    (rc = store_matrix_rows(db, 0, from, to, from_date, now - 90 * 86400, &rows)) !=
	        KAM_OK) {
		json_decref(seg_before);
		return rc;
	}
	json_array_foreach(rows, i, row)
	{
		/* the place alone: the bubble's explanation (app_matrix_item) is not stored */
		struct strength_part parts[STRENGTH_PARTS];
		const char *segment;
		double score;

		if (rc != KAM_OK)
			break;
		app_matrix_place(s, row, parts, &score, &segment);
		rc = store_segment_set(db, json_integer_value(json_object_get(row, "account_id")),
		                       segment);
		/* at group level the segment is the parent's, set below for its entities */
		if (rc == KAM_OK && s->segment_by_group &&
		    json_object_set_new(row, "segment", json_string(segment)) != 0)
			rc = KAM_ENOMEM;
	}
	if (rc == KAM_OK && s->segment_by_group)
		rc = inherit_segments(db, rows);
	json_decref(rows);
	if (rc == KAM_OK)
		rc = app_webhook_segments_after(db, seg_before);
	else
		json_decref(seg_before);
	return rc;
}

void app_kpi_periods(struct app_kpi_periods *p, const char *from, const char *to,
                     struct store_kpi_query *q)
{
	snprintf(p->from, sizeof(p->from), "%s", from);
	snprintf(p->to, sizeof(p->to), "%s", to);
	kpi_previous(p->from, p->to, p->pfrom, p->pto);
	kpi_previous(p->pfrom, p->pto, p->ppfrom, p->ppto);
	q->from = p->from;
	q->to = p->to;
	q->pfrom = p->pfrom;
	q->pto = p->pto;
	q->ppfrom = p->ppfrom;
	q->ppto = p->ppto;
}

int app_kpi_fetch(struct store_conn *db, const struct settings *s, date_t today,
                  const struct store_kpi_query *q, struct kpi_input *d)
{
	char day[DATE_LEN];
	int rc = store_kpi_fetch(db, q, d);

	if (rc != KAM_OK)
		return rc;
	/* a series' periods copy their accounts from q->accounts: inferred there once, on the
	 * first period, the next ones copy the inferred dates (the inference reads the account
	 * and today, never the period) */
	if (q->accounts && q->accounts->inferred)
		return KAM_OK;
	date_format(today, day);
	kpi_lifecycle_infer(d->acc, d->nacc, day, s->churn_after_months);
	if (q->accounts && q->accounts->loaded) {
		kpi_lifecycle_infer(q->accounts->acc, q->accounts->nacc, day,
		                    s->churn_after_months);
		q->accounts->inferred = true;
	}
	return KAM_OK;
}

static bool one_account(const struct kpi_in_account *a, void *arg)
{
	return a->id == *(const int64_t *)arg;
}

int app_account_figures(struct store_conn *db, const struct settings *s, date_t today,
                        int64_t scope_user, int64_t account_id, const char *from,
                        const char *to, json_t **now, json_t **before)
{
	struct app_kpi_periods p;
	struct store_kpi_query q = {
	    .scope_user = scope_user, .base_currency = s->base_currency, .account_id = account_id};
	struct kpi_input d;
	int rc;

	*now = NULL;
	if (before)
		*before = NULL;
	app_kpi_periods(&p, from, to, &q);
	if ((rc = app_kpi_fetch(db, s, today, &q, &d)) != KAM_OK)
		return rc;
	*now = kpi_figures(s, &d, one_account, &account_id, from, to);
	if (before)
		*before = kpi_figures_previous(s, &d, one_account, &account_id, p.pfrom, p.pto);
	store_kpi_free(&d);
	if (*now == NULL || (before && *before == NULL)) {
		json_decref(*now);
		*now = NULL;
		if (before) {
			json_decref(*before);
			*before = NULL;
		}
		return KAM_ENOMEM;
	}
	return KAM_OK;
}
