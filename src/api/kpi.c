/* /api/v1/kpis: the figures of DESIGN §6 per scope and period, with the previous period. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/cache.h"
#include "app/group.h"
#include "app/importq.h"
#include "api/rollups.h"
#include "kam/date.h"
#include "kam/kpi_report.h"
#include "store/kpi.h"
#include "kam/score.h"
#include "store/portfolio.h"
#include "store/revenue.h"
#include "util/time.h"

/* The most periods one series may have (interval=month: ten years). */
#define API_KPI_SERIES_MAX 120

enum scope_kind { SC_PORTFOLIO, SC_ACCOUNT, SC_KAM, SC_SEGMENT, SC_GROUP };

struct scope {
	enum scope_kind kind;
	int64_t id;
	const char *segment;
	int64_t *ids; /* segment members, or the group's accounts counted; sorted */
	size_t nids;
	struct app_group group; /* scope=group: the group as the caller sees it */
};

/* Frees what a parsed scope holds. */
static void scope_free(struct scope *sc)
{
	free(sc->ids);
	app_group_free(&sc->group);
	sc->ids = NULL;
	sc->nids = 0;
}

/* The server's rollup holder; NULL outside kam serve. */
static struct api_rollups *rollups_of(const struct req *rq)
{
	const struct api_server *srv = rq->app_data;

	return srv ? srv->rollups : NULL;
}

/* The server's answer cache; NULL outside kam serve. */
static struct api_cache *cache_of(const struct req *rq)
{
	const struct api_server *srv = rq->app_data;

	return srv ? srv->cache : NULL;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool in_scope(const struct kpi_in_account *a, void *arg)
{
	const struct scope *s = arg;

	switch (s->kind) {
	case SC_ACCOUNT:
		return a->id == s->id;
	case SC_KAM:
		return a->owner_id == s->id;
	case SC_SEGMENT:
	case SC_GROUP:
		return bsearch(&a->id, s->ids, s->nids, sizeof(*s->ids), cmp_id) != NULL;
	default:
		return true;
	}
}

/* The key accounts of a matrix segment, as the matrix places them now. */
static int segment_ids(struct req *rq, const struct settings *set, struct scope *sc)
{
	json_t *rows = NULL, *row;
	char from[8], to[8], from_date[DATE_LEN];
	int64_t now = api_now(rq);
	date_t today = 0;
	size_t i;
	int rc;

	if ((rc = api_today(rq, &today)) != KAM_OK)
		return rc;
	app_score_window(today, from, to);
	date_format(date_add_days_clamped(today, -365), from_date);
	if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) != KAM_OK ||
	    (rc = store_matrix_rows(rq->db, api_scope_user(rq), from, to, from_date,
	                            now - 90 * 86400, &rows)) != KAM_OK)
		return rc;
	sc->ids = calloc(json_array_size(rows) + 1, sizeof(*sc->ids));
	json_array_foreach(rows, i, row)
	{
		json_t *it = app_matrix_item(set, row);

		if (sc->ids &&
		    !strcmp(json_string_value(json_object_get(it, "segment")), sc->segment))
			sc->ids[sc->nids++] = json_integer_value(json_object_get(it, "account_id"));
		json_decref(it);
	}
	json_decref(rows);
	if (sc->ids == NULL)
		return KAM_ENOMEM;
	qsort(sc->ids, sc->nids, sizeof(*sc->ids), cmp_id);
	return KAM_OK;
}

/* The accounts of a group the answer counts (figures) or lists (rows: only those whose own
 * figures the caller may see); a group the caller sees nothing of is a missing account. */
static int group_ids(struct req *rq, struct scope *sc, bool rows, struct kam_errinfo *ei)
{
	const int64_t *from;
	int rc = app_group_load(rq->db, &rq->user.who, sc->id, &sc->group);

	if (rc == KAM_ENOTFOUND)
		err_detail(ei, "no such account");
	if (rc != KAM_OK)
		return rc;
	sc->nids = rows ? sc->group.nlist : sc->group.ncount;
	from = rows ? sc->group.list : sc->group.count;
	if ((sc->ids = calloc(sc->nids + 1, sizeof(*sc->ids))) == NULL)
		return KAM_ENOMEM;
	memcpy(sc->ids, from, sc->nids * sizeof(*sc->ids));
	return KAM_OK;
}

/* A date query parameter: absent keeps the default in out; otherwise it must be a date of
 * kam/date's range, or the parameter is named in ei. */
static int date_param(struct kam_errinfo *ei, const char *name, const char *v, char out[DATE_LEN])
{
	date_t d;

	if (v == NULL)
		return KAM_OK;
	if (date_parse_bound(v, !strcmp(name, "to"), &d) != KAM_OK) {
		err_field(ei, name,
		          "must be a date YYYY-MM-DD or a month YYYY-MM between " DATE_MIN_TEXT
		          " and " DATE_MAX_TEXT);
		return KAM_EINVAL;
	}
	date_format(d, out);
	return KAM_OK;
}

static int months_of(const char *interval)
{
	return !strcmp(interval, "month") ? 1 : !strcmp(interval, "quarter") ? 3 : 12;
}

/* The start of the interval after day (month, quarter or year), capped at to; the stepping
 * is kam/date's, so it cannot leave the range and always moves forward. */
static void step(const char *day, const char *to, const char *interval, char out[DATE_LEN])
{
	date_t d, end;
	int y, m;

	if (date_parse(day, &d) != KAM_OK || date_parse(to, &end) != KAM_OK) {
		memcpy(out, to, DATE_LEN);
		return;
	}
	date_ymd(d, &y, &m, NULL);
	if (!strcmp(interval, "quarter"))
		m = (m - 1) / 3 * 3 + 1;
	else if (!strcmp(interval, "year"))
		m = 1;
	if (date_from_ymd(y, m, 1, &d) != KAM_OK ||
	    date_add_months(d, months_of(interval), &d) != KAM_OK || d > end)
		d = end;
	date_format(d, out);
}

/* The number of periods a series over [from, to) has (from and to checked, from < to). */
static long steps(const char *from, const char *to, const char *interval)
{
	date_t f, t;
	int fy, fm, ty, tm, td, k = months_of(interval);
	long first, last;

	if (date_parse(from, &f) != KAM_OK || date_parse(to, &t) != KAM_OK)
		return 0;
	date_ymd(f, &fy, &fm, NULL);
	date_ymd(t, &ty, &tm, &td);
	/* interval indices (in units of k months since year 0) of the first and last day */
	first = ((long)fy * 12 + fm - 1) / k;
	if (td == 1 && date_add_days(t, -1, &t) == KAM_OK)
		date_ymd(t, &ty, &tm, NULL);
	last = ((long)ty * 12 + tm - 1) / k;
	return last - first + 1;
}

/* Parses scope, id, from, to and interval; checks the caller may see the scope. */
static int parse(struct req *rq, const struct settings *set, struct scope *sc, char from[11],
                 char to[11], const char **interval, const char **name, struct kam_errinfo *ei)
{
	const char *scope = "portfolio", *id = NULL, *f = NULL, *t = NULL;
	int rc = KAM_OK;

	memset(sc, 0, sizeof(*sc));
	if (interval)
		*interval = NULL;
	for (size_t i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].key, *v = rq->query[i].value;

		/* each parameter comes once: the server refuses a repeat before routing */
		if (!strcmp(k, "scope"))
			scope = v;
		else if (!strcmp(k, "id") || !strcmp(k, "account_id")) {
			/* account_id: the name a group's or an account's scope reads best with */
			if (id != NULL) {
				err_field(ei, k, "is given twice (id and account_id name the same)");
				rc = KAM_EINVAL;
			}
			id = v;
		} else if (!strcmp(k, "from"))
			f = v;
		else if (!strcmp(k, "to"))
			t = v;
		else if (!strcmp(k, "interval") && interval)
			*interval = v;
		else if (!strcmp(k, "name") && name)
			*name = v;
		else {
			err_field(ei, k, "is not a parameter of this report");
			rc = KAM_EINVAL;
		}
	}
	/* default: the 12-month revenue window every screen uses */
	{
		date_t today = 0;
		int trc = api_today(rq, &today);

		if (trc != KAM_OK)
			rc = trc;
		app_revenue_window_dates(today, from, to);
	}
	rc = date_param(ei, "from", f, from) == KAM_OK ? rc : KAM_EINVAL;
	rc = date_param(ei, "to", t, to) == KAM_OK ? rc : KAM_EINVAL;
	if (rc == KAM_OK && strcmp(from, to) >= 0) {
		err_field(ei, "to", "must be after from (the period is [from, to))");
		rc = KAM_EINVAL;
	}
	if (interval && *interval && strcmp(*interval, "month") && strcmp(*interval, "quarter") &&
	    strcmp(*interval, "year")) {
		err_field(ei, "interval", "must be month, quarter or year");
		rc = KAM_EINVAL;
	} else if (rc == KAM_OK && interval && *interval &&
	           steps(from, to, *interval) > API_KPI_SERIES_MAX) {
		/* refused before any period is computed: each one is a KPI computation */
		err_field(ei, "interval",
		          "makes more than %d periods from %s to %s; use a longer interval or a "
		          "shorter range",
		          API_KPI_SERIES_MAX, from, to);
		rc = KAM_EINVAL;
	}
	if (name && (*name == NULL || !kpi_known(*name))) {
		err_field(ei, "name", "must name a KPI such as nrr, nps or ttr_median_hours");
		rc = KAM_EINVAL;
	}
	if (!strcmp(scope, "portfolio"))
		sc->kind = SC_PORTFOLIO;
	else if (!strcmp(scope, "account"))
		sc->kind = SC_ACCOUNT;
	else if (!strcmp(scope, "kam"))
		sc->kind = SC_KAM;
	else if (!strcmp(scope, "segment"))
		sc->kind = SC_SEGMENT;
	else if (!strcmp(scope, "group"))
		sc->kind = SC_GROUP;
	else {
		err_field(ei, "scope", "must be portfolio, account, kam, segment or group");
		return KAM_EINVAL;
	}
	if (sc->kind == SC_SEGMENT) {
		static const char *const segs[] = {"strategic", "develop", "maintain",
		                                   "streamline"};

		for (int i = 0; i < 4 && id; i++)
			if (!strcmp(id, segs[i]))
				sc->segment = segs[i];
		if (sc->segment == NULL) {
			err_field(ei, "id", "must be strategic, develop, maintain or streamline");
			return KAM_EINVAL;
		}
	} else if (sc->kind != SC_PORTFOLIO && (sc->id = validate_id(id)) < 0) {
		err_field(ei, "id", "must be the id of the %s",
		          sc->kind == SC_GROUP ? "group's parent account" : scope);
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	if (sc->kind == SC_ACCOUNT && app_account_visible(rq->db, &rq->user.who, sc->id, NULL, NULL) != KAM_OK) {
		err_detail(ei, "no such account");
		return KAM_ENOTFOUND;
	}
	if (sc->kind == SC_KAM && ((rq->user.who.role == ROLE_KAM && sc->id != rq->user.who.user_id) ||
	                           rq->user.who.role == ROLE_MEMBER)) {
		err_detail(ei, "no such kam");
		return KAM_ENOTFOUND;
	}
	if (sc->kind == SC_SEGMENT)
		return segment_ids(rq, set, sc);
	/* a group's figures are looked up in the cache first (api_kpis): its answer follows
	 * from the caller and the data version, which the cache key holds */
	if (sc->kind == SC_GROUP && name)
		return group_ids(rq, sc, true, ei);
	return KAM_OK;
}

/* The figures of [from, to) with each figure's value in the previous period beside it. */
static int figures(struct req *rq, const struct settings *set, struct scope *sc, const char *from,
                   const char *to, const struct kpi_rollup *rollup,
                   struct store_kpi_accounts *accounts, struct store_kpi_span *span, json_t **out,
                   json_t **period, json_t **previous)
{
	struct kpi_input cur;
	struct app_kpi_periods p;
	date_t today = 0;
	/* a group's figures may count entities the caller cannot open (its owner's, or shared
	 * totals): its members are chosen by the scope, not by the caller's accounts */
	struct store_kpi_query q = {.scope_user = sc->kind == SC_GROUP ? 0 : api_scope_user(rq),
	                            .base_currency = set->base_currency,
	                            .rollup = rollup,
	                            .account_id = sc->kind == SC_ACCOUNT ? sc->id : 0,
	                            .net_intra_group = sc->kind == SC_GROUP,
	                            .accounts = accounts,
	                            .span = span};
	json_t *a, *b, *v;
	const char *name;
	int rc;

	app_kpi_periods(&p, from, to, &q);
	if ((rc = api_today(rq, &today)) != KAM_OK ||
	    (rc = app_kpi_fetch(rq->db, set, today, &q, &cur)) != KAM_OK)
		return rc;
	a = kpi_figures(set, &cur, in_scope, sc, from, to);
	b = kpi_figures_previous(set, &cur, in_scope, sc, p.pfrom, p.pto);
	store_kpi_free(&cur);
	if (a == NULL || b == NULL) {
		json_decref(a);
		json_decref(b);
		return KAM_ENOMEM;
	}
	json_object_foreach(a, name, v)
	{
		if (json_object_set(v, "previous",
		                    json_object_get(json_object_get(b, name), "value")) != 0)
			rc = KAM_ENOMEM;
	}
	json_decref(b);
	if (rc != KAM_OK) {
		json_decref(a);
		return rc;
	}
	*out = a;
	*period = json_pack("{s:s,s:s}", "from", from, "to", to);
	if (previous)
		*previous = json_pack("{s:s,s:s}", "from", p.pfrom, "to", p.pto);
	return KAM_OK;
}

static json_t *scope_json(const struct scope *sc)
{
	static const char *const kinds[] = {"portfolio", "account", "kam", "segment", "group"};

	/* how many entities the figures count, and whether that is the whole group */
	if (sc->kind == SC_GROUP)
		return json_pack("{s:s,s:I,s:I,s:b}", "kind", kinds[sc->kind], "id",
		                 (json_int_t)sc->id, "entities", (json_int_t)sc->nids, "complete",
		                 sc->nids == sc->group.n);
	if (sc->kind == SC_PORTFOLIO)
		return json_pack("{s:s}", "kind", kinds[sc->kind]);
	if (sc->kind == SC_SEGMENT)
		return json_pack("{s:s,s:s}", "kind", kinds[sc->kind], "id", sc->segment);
	return json_pack("{s:s,s:I}", "kind", kinds[sc->kind], "id", (json_int_t)sc->id);
}

int api_kpis(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings set;
	struct scope sc = {0};
	char from[11], to[11];
	const char *interval = NULL;
	json_t *kpis = NULL, *period = NULL, *previous = NULL, *series = NULL;
	const struct kpi_rollup *rollup = NULL;
	struct api_rollup_ref *ref = NULL;
	/* the accounts every period of a series reads: read once */
	struct store_kpi_accounts accounts = {0};
	/* a series' events: those of the whole range and of its previous period, read once */
	struct store_kpi_span span = {0};
	char key[256], month[DATE_MONTH_LEN], span_from[11], span_to[11];
	date_t today = 0;
	int64_t version = 0;
	int rc;

	if ((rc = app_settings_load(rq->db, &set, NULL)) != KAM_OK ||
	    (rc = parse(rq, &set, &sc, from, to, &interval, NULL, &ei)) != KAM_OK)
		goto out;
	/* the same question at the same data version has the same answer, within a month: an
	 * inferred churn (kpi_lifecycle_infer) happens on the first day of a month */
	if ((rc = api_today(rq, &today)) != KAM_OK)
		goto out;
	date_format_month(today, month);
	snprintf(key, sizeof(key), "kpis|%lld|%d|%lld|%s|%s|%s|%s|%s",
	         (long long)api_scope_user(rq), (int)sc.kind, (long long)sc.id,
	         sc.segment ? sc.segment : "", from, to, interval ? interval : "", month);
	if (rq->has_versions) /* read with the credential's auth version, at the start */
		version = rq->data_version;
	else if ((rc = store_data_version(rq->db, &version)) != KAM_OK)
		goto out;
	if (api_cache_reply(cache_of(rq), key, version, rs))
		goto out;
	if (sc.kind == SC_GROUP && (rc = group_ids(rq, &sc, false, &ei)) != KAM_OK)
		goto out;
	/* the rollup in memory: the server holds it while the rollup version stands (a change
	 * that touches no revenue keeps it); read after the data version, so the rollup is at
	 * least as new as the data this answer is kept under. Without a server a series still
	 * reads it once rather than once per period */
	if (rollups_of(rq) || interval) {
		int64_t rv = 0;

		if ((rc = store_rollup_version(rq->db, &rv)) != KAM_OK ||
		    (rc = api_rollups_get(rollups_of(rq), rq->db, rv, &rollup, &ref)) != KAM_OK)
			goto out;
	}
	if (interval) {
		char a[11], b[11];

		kpi_previous(from, to, span_from, span_to);
		span.from = span_from;
		span.to = to;
		if ((series = json_array()) == NULL)
			rc = KAM_ENOMEM;
		for (snprintf(a, sizeof(a), "%s", from); strcmp(a, to) < 0 && rc == KAM_OK;
		     snprintf(a, sizeof(a), "%s", b)) {
			json_t *k = NULL, *p = NULL;

			step(a, to, interval, b);
			rc = figures(rq, &set, &sc, a, b, rollup, &accounts, &span, &k, &p, NULL);
			if (rc == KAM_OK &&
			    json_array_append_new(
			        series, json_pack("{s:o,s:o}", "period", p, "kpis", k)) != 0)
				rc = KAM_ENOMEM;
		}
		if (rc != KAM_OK)
			goto out;
	}
	if ((rc = figures(rq, &set, &sc, from, to, rollup, &accounts, interval ? &span : NULL,
	                  &kpis, &period, &previous)) != KAM_OK)
		goto out;
	{
		json_t *ans =
		    json_pack("{s:o,s:o,s:o,s:s,s:o}", "scope", scope_json(&sc), "period", period,
		              "previous", previous, "currency", set.base_currency, "kpis", kpis);

		/* an answer without its series would be cached and served as whole */
		if (ans == NULL ||
		    (series && (json_object_set_new(ans, "interval", json_string(interval)) != 0 ||
		                json_object_set(ans, "series", series) != 0))) {
			json_decref(ans);
			rc = KAM_ENOMEM;
			goto out;
		}
		api_cache_answer(cache_of(rq), key, version, -1, ans, rs);
	}
out:
	json_decref(series);
	store_kpi_span_free(&span);
	store_kpi_accounts_free(&accounts);
	api_rollups_put(rollups_of(rq), ref);
	scope_free(&sc);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

/* Each row of a group answer names its entity, so a figure is traceable to the company. */
static void group_names(const struct app_group *g, json_t *rows)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		int64_t id = json_integer_value(json_object_get(row, "account_id"));

		for (size_t k = 0; k < g->n; k++)
			if (g->m[k].id == id) {
				json_object_set_new(row, "account_name", json_string(g->m[k].name));
				break;
			}
	}
}

int api_kpi_rows(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings set;
	struct scope sc = {0};
	struct kpi_input d;
	char from[11], to[11];
	const char *name = NULL;
	struct store_kpi_query q = {0};
	struct app_kpi_periods p;
	date_t today = 0;
	json_t *rows;
	int rc;

	if ((rc = app_settings_load(rq->db, &set, NULL)) != KAM_OK ||
	    (rc = parse(rq, &set, &sc, from, to, NULL, &name, &ei)) != KAM_OK)
		goto out;
	q = (struct store_kpi_query){.scope_user = sc.kind == SC_GROUP ? 0 : api_scope_user(rq),
	                             .base_currency = set.base_currency,
	                             .account_id = sc.kind == SC_ACCOUNT ? sc.id : 0,
	                             .net_intra_group = sc.kind == SC_GROUP};
	app_kpi_periods(&p, from, to, &q);
	if ((rc = api_today(rq, &today)) == KAM_OK)
		rc = app_kpi_fetch(rq->db, &set, today, &q, &d);
	if (rc != KAM_OK)
		goto out;
	rows = kpi_rows(name, &set, &d, in_scope, &sc, from, to);
	store_kpi_free(&d);
	if (sc.kind == SC_GROUP)
		group_names(&sc.group, rows);
	http_reply_json(rs, 200,
	                json_pack("{s:s,s:o,s:{s:s,s:s},s:o}", "name", name, "scope",
	                          scope_json(&sc), "period", "from", from, "to", to, "items",
	                          rows));
out:
	scope_free(&sc);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
