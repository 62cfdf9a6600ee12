/* The forecast (app/forecast.h): reads the rows, converts them and lets kam/forecast.c
 * place them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/forecast.h"
#include "app/list.h"
#include "app/record.h"
#include "app/scores.h"
#include "kam/forecast.h"
#include "kam/money.h"
#include "kam/settings.h"
#include "store/forecast.h"

struct owner_fig {
	int64_t id;
	struct fc_figures f;
};

struct calc {
	struct owner_fig *v;
	size_t n, cap;
	int64_t missing_rates; /* rows left out for want of an FX rate */
};

static void calc_free(struct calc *c)
{
	free(c->v);
	*c = (struct calc){0};
}

/* The figures of owner id, added when new; NULL when out of memory. */
static struct fc_figures *fig_of(struct calc *c, int64_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return &c->v[i].f;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct owner_fig *v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].id = id;
	fc_figures_init(&c->v[c->n].f);
	return &c->v[c->n++].f;
}

static int64_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* amount of cur in the base currency at the rates of day; KAM_ENOTFOUND without a rate */
static int to_base(struct store_conn *db, const struct settings *s, int64_t amount, const char *cur,
                   const char *day, int64_t *out)
{
	int rc;

	if (cur == NULL || day == NULL)
		return KAM_ENOTFOUND;
	rc = app_money_convert(db, amount, cur, s->base_currency, s->base_currency, day, out);
	return rc == KAM_EINVAL ? KAM_ENOTFOUND : rc;
}

/*
 * Every figure of q for owner (0: everyone) into c. With opps not NULL, each opportunity
 * placed in q goes there too, with its category and base amount.
 */
static int compute(struct store_conn *db, const struct settings *s, const struct fc_quarter *q,
                   date_t today, int64_t owner, struct calc *c, json_t *opps)
{
	char from[DATE_LEN], to[DATE_LEN], today_s[DATE_LEN];
	struct fc_rules rules = {s->forecast_commit_probability, s->forecast_best_case_probability};
	json_t *rows = NULL, *r;
	struct fc_figures *f;
	size_t i;
	int rc;

	date_format(q->start, from);
	date_format(q->end, to);
	date_format(today, today_s);
	/* booked: the quarter's days up to today (kam/forecast.h) */
	if ((rc = store_forecast_booked(db, from, today < q->end ? today_s : to, owner, &rows)) !=
	    KAM_OK)
		goto out;
	json_array_foreach(rows, i, r)
	{
		if ((f = fig_of(c, jint(r, "owner_id"))) == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		fc_add_transaction(f, q, today, q->start, jint(r, "amount"));
	}
	json_decref(rows);
	rows = NULL;
	if ((rc = store_forecast_contracts(db, from, to, owner, &rows)) != KAM_OK)
		goto out;
	json_array_foreach(rows, i, r)
	{
		date_t start, end;
		int64_t annual;

		if (date_parse(jstr(r, "start_date"), &start) != 0 ||
		    date_parse(jstr(r, "end_date"), &end) != 0)
			continue;
		/* a contract's value is converted at today's rates: it is revenue to come */
		rc = to_base(db, s, jint(r, "annual_value"), jstr(r, "currency"), today_s, &annual);
		if (rc == KAM_ENOTFOUND) {
			c->missing_rates++;
			continue;
		}
		if (rc != KAM_OK)
			goto out;
		if ((f = fig_of(c, jint(r, "owner_id"))) == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		fc_add_contract(f, q, today, annual, start, end);
	}
	json_decref(rows);
	rows = NULL;
	if ((rc = store_forecast_opps(db, from, to, owner, &rows)) != KAM_OK)
		goto out;
	json_array_foreach(rows, i, r)
	{
		struct fc_opp o = {jstr(r, "stage"),
		                   (int)jint(r, "probability"),
		                   jstr(r, "forecast_category"),
		                   false,
		                   0,
		                   0};
		enum fc_category cat;
		bool won;

		o.has_close = date_parse(jstr(r, "close_on"), &o.close) == 0;
		/* at the rate of the close date (the latest known for a date to come) */
		rc = to_base(db, s, jint(r, "amount"), jstr(r, "currency"), jstr(r, "close_on"),
		             &o.amount);
		if (rc == KAM_ENOTFOUND) {
			c->missing_rates++;
			continue;
		}
		if (rc != KAM_OK)
			goto out;
		if ((f = fig_of(c, jint(r, "owner_id"))) == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		cat = fc_opp_place(&rules, &o, q, &won);
		fc_add_opp(f, &rules, &o, q);
		if (opps && (won || cat != FC__MAX)) {
			json_object_set_new(r, "category",
			                    json_string(won ? "won" : fc_category_names[cat]));
			json_object_set_new(r, "amount_base", json_integer(o.amount));
			json_array_append(opps, r);
		}
	}
	rc = KAM_OK;
out:
	json_decref(rows);
	return rc;
}

static json_t *fig_json(const struct fc_figures *f)
{
	int64_t call = fc_commit_total(f);
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "booked",
	                      (json_int_t)f->booked, "contracted", (json_int_t)f->contracted, "won",
	                      (json_int_t)f->won, "commit", (json_int_t)f->open[FC_COMMIT],
	                      "best_case", (json_int_t)f->open[FC_BEST_CASE], "pipeline",
	                      (json_int_t)f->open[FC_PIPELINE], "omitted",
	                      (json_int_t)f->open[FC_OMITTED], "forecast", (json_int_t)call,
	                      "best_case_total", (json_int_t)fc_best_total(f));

	if (o == NULL)
		return NULL;
	if (f->target >= 0) {
		json_object_set_new(o, "target", json_integer(f->target));
		json_object_set_new(o, "attainment",
		                    f->target > 0 ? json_real(round((double)f->booked /
		                                                    (double)f->target * 10000.0) /
		                                              10000.0)
		                                  : json_null());
		json_object_set_new(o, "gap", json_integer(f->target - call));
	} else {
		json_object_set_new(o, "target", json_null());
		json_object_set_new(o, "attainment", json_null());
		json_object_set_new(o, "gap", json_null());
	}
	return o;
}

/* Quarters are fiscal: the year starts in settings.fiscal_year_start_month. */
static int quarter_arg(struct store_conn *db, const struct actor *who, const char *quarter,
                       struct settings *s, struct fc_quarter *q, date_t *today,
                       struct kam_errinfo *ei)
{
	int rc = app_today(db, who, today);

	if (rc != KAM_OK || (rc = app_settings_load(db, s, NULL)) != KAM_OK)
		return rc;
	if (quarter == NULL || quarter[0] == '\0') {
		fc_quarter_of_fy(*today, s->fiscal_year_start_month, q);
		return KAM_OK;
	}
	if (fc_quarter_parse_fy(quarter, s->fiscal_year_start_month, q) != KAM_OK) {
		err_field(ei, "quarter", "must be a quarter such as 2026-Q4 or FY2027-Q1");
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* The quarters around today's for a picker: [{quarter, label}], four back, two ahead and q. */
static json_t *quarter_choices(const struct fc_quarter *q, date_t today)
{
	struct fc_quarter cur, x;
	json_t *list = json_array();
	char name[FC_QUARTER_LEN], label[FC_LABEL_LEN];
	bool has_q = false;

	fc_quarter_of_fy(today, q->fsm, &cur);
	for (int n = -4; list && n <= 2; n++) {
		if (fc_quarter_add(&cur, n, &x) != KAM_OK)
			continue;
		has_q = has_q || (x.year == q->year && x.q == q->q);
		fc_quarter_name(&x, name);
		fc_quarter_label(&x, label);
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "quarter", name, "label",
		                                      label, "current", n == 0));
	}
	if (list && !has_q) {
		fc_quarter_name(q, name);
		fc_quarter_label(q, label);
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "quarter", name, "label",
		                                      label, "current", 0));
	}
	return list;
}

/* The targets of q into c (owners) and *portfolio (-1: none). */
static int load_targets(struct store_conn *db, const char *qname, struct calc *c, int64_t owner,
                        int64_t *portfolio)
{
	json_t *rows = NULL, *r;
	size_t i;
	int rc = store_forecast_targets(db, qname, &rows);

	*portfolio = -1;
	json_array_foreach(rows, i, r)
	{
		int64_t u = jint(r, "user_id");
		struct fc_figures *f;

		if (u == 0) {
			*portfolio = jint(r, "amount");
			continue;
		}
		if (owner && u != owner)
			continue;
		if ((f = fig_of(c, u)) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		f->target = jint(r, "amount");
	}
	json_decref(rows);
	return rc;
}

static json_t *person(json_t *people, int64_t id)
{
	size_t i;
	json_t *p;

	json_array_foreach(people, i, p) if (jint(p, "id") == id) return p;
	return NULL;
}

static int cmp_name(const void *a, const void *b)
{
	const char *x = jstr(*(json_t *const *)a, "name"), *y = jstr(*(json_t *const *)b, "name");

	return strcmp(x ? x : "", y ? y : "");
}

/* The scope of who: 0 for all, else their own id. */
static int64_t scope_of(const struct actor *who)
{
	return auth_sees_all(who->role) ? 0 : who->user_id;
}

int app_forecast(struct store_conn *db, const struct actor *who, const char *quarter,
                 const char *by, json_t **out, struct kam_errinfo *ei)
{
	struct fc_quarter q;
	struct calc c = {0};
	struct fc_figures total;
	struct settings s;
	json_t *people = NULL, *rows = NULL, *res = NULL;
	char qname[FC_QUARTER_LEN], qlabel[FC_LABEL_LEN], from[DATE_LEN], to[DATE_LEN],
	    today_s[DATE_LEN];
	int64_t owner = scope_of(who), portfolio_target = -1, kam_targets = -1;
	date_t today;
	int rc;

	*out = NULL;
	if (by == NULL || by[0] == '\0')
		by = "kam";
	if (strcmp(by, "kam") && strcmp(by, "team") && strcmp(by, "portfolio")) {
		err_field(ei, "by", "is kam, team or portfolio");
		return KAM_EINVAL;
	}
	if ((rc = quarter_arg(db, who, quarter, &s, &q, &today, ei)) != KAM_OK)
		return rc;
	fc_quarter_name(&q, qname);
	if ((rc = compute(db, &s, &q, today, owner, &c, NULL)) != KAM_OK ||
	    (rc = load_targets(db, qname, &c, owner, &portfolio_target)) != KAM_OK ||
	    (rc = store_forecast_people(db, &people)) != KAM_OK)
		goto out;
	if (owner && fig_of(&c, owner) == NULL) { /* a KAM sees their own row, even empty */
		rc = KAM_ENOMEM;
		goto out;
	}
	fc_figures_init(&total);
	rows = json_array();
	for (size_t i = 0; i < c.n; i++) {
		json_t *p = person(people, c.v[i].id), *row = fig_json(&c.v[i].f);

		if (row == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		json_object_set_new(row, "owner_id", json_integer(c.v[i].id));
		json_object_set_new(
		    row, "name", json_string(p && jstr(p, "name") ? jstr(p, "name") : "(unknown)"));
		json_object_set_new(row, "team",
		                    jstr(p, "team") ? json_string(jstr(p, "team")) : json_null());
		json_array_append_new(rows, row);
		if (c.v[i].f.target >= 0)
			kam_targets = (kam_targets < 0 ? 0 : kam_targets) + c.v[i].f.target;
		fc_figures_sum(&total, &c.v[i].f);
	}
	{
		size_t n = json_array_size(rows);
		json_t **v = n ? calloc(n, sizeof(*v)) : NULL;

		if (n && v == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			v[i] = json_incref(json_array_get(rows, i));
		if (n > 1) /* qsort's array may not be NULL, even empty */
			qsort(v, n, sizeof(*v), cmp_name);
		json_array_clear(rows);
		for (size_t i = 0; i < n; i++)
			if (json_array_append_new(rows, v[i]) != 0)
				rc = KAM_ENOMEM; /* a forecast short of a row would look whole */
		free(v);
		if (rc != KAM_OK)
			goto out;
	}
	/* the portfolio's own target when one is set, else what the KAMs' add up to */
	total.target = owner ? kam_targets : portfolio_target >= 0 ? portfolio_target : kam_targets;
	if (!strcmp(by, "team")) {
		/* each KAM's figures summed under their team (users.team; none: "No team") */
		struct calc teams = {0};
		json_t *names = json_array(), *list = json_array(), *row;
		size_t i;

		json_array_foreach(rows, i, row)
		{
			const char *team = jstr(row, "team") ? jstr(row, "team") : "";
			size_t t, k;
			json_t *nm;

			json_array_foreach(names, t,
			                   nm) if (!strcmp(json_string_value(nm), team)) break;
			if (t == json_array_size(names))
				json_array_append_new(names, json_string(team));
			for (k = 0; k < c.n; k++)
				if (c.v[k].id == jint(row, "owner_id") &&
				    fig_of(&teams, (int64_t)t))
					fc_figures_sum(fig_of(&teams, (int64_t)t), &c.v[k].f);
		}
		for (i = 0; i < teams.n; i++) {
			const char *team =
			    json_string_value(json_array_get(names, (size_t)teams.v[i].id));

			if ((row = fig_json(&teams.v[i].f)) == NULL)
				continue;
			json_object_set_new(row, "team",
			                    team && team[0] ? json_string(team) : json_null());
			json_object_set_new(row, "name",
			                    json_string(team && team[0] ? team : "No team"));
			json_array_append_new(list, row);
		}
		calc_free(&teams);
		json_decref(names);
		json_decref(rows);
		rows = list;
	} else if (!strcmp(by, "portfolio")) {
		json_t *row = fig_json(&total);

		json_decref(rows);
		rows = json_array();
		if (row) {
			json_object_set_new(row, "name", json_string("Portfolio"));
			json_array_append_new(rows, row);
		}
	}
	date_format(q.start, from);
	date_format(q.end, to);
	date_format(today, today_s);
	fc_quarter_label(&q, qlabel);
	res = json_pack(
	    "{s:s,s:s,s:i,s:o,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:{s:i,s:i,s:b}}", "quarter", qname,
	    "label", qlabel, "fiscal_year_start_month", s.fiscal_year_start_month, "quarters",
	    quarter_choices(&q, today), "from", from, "to", to, "today", today_s, "by", by,
	    "currency", s.base_currency, "rows", rows, "total", fig_json(&total), "missing_rates",
	    (json_int_t)c.missing_rates, "rules", "commit_probability",
	    s.forecast_commit_probability, "best_case_probability",
	    s.forecast_best_case_probability, "book_won_opportunities", s.book_won_opportunities);
	rows = NULL;
	if (res == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	*out = res;
out:
	json_decref(rows);
	json_decref(people);
	calc_free(&c);
	return rc;
}

int app_forecast_opportunities(struct store_conn *db, const struct actor *who, const char *quarter,
                               int64_t owner_id, const char *category, json_t **out,
                               struct kam_errinfo *ei)
{
	struct fc_quarter q;
	struct calc c = {0};
	struct settings s;
	json_t *opps = json_array(), *items = json_array(), *r;
	char qname[FC_QUARTER_LEN];
	int64_t owner = scope_of(who);
	date_t today;
	size_t i;
	int rc;

	*out = NULL;
	if (category && fc_category_parse(category) == FC__MAX && strcmp(category, "won")) {
		err_field(ei, "category", "is commit, best_case, pipeline, omitted or won");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = quarter_arg(db, who, quarter, &s, &q, &today, ei)) != KAM_OK)
		goto out;
	/* a KAM asking for another's deals sees none, as for an owner without any */
	if (owner && owner_id && owner_id != owner)
		owner = -1;
	else if (owner_id)
		owner = owner_id;
	if (owner >= 0 && (rc = compute(db, &s, &q, today, owner, &c, opps)) != KAM_OK)
		goto out;
	json_array_foreach(opps, i, r)
	{
		if (category && strcmp(category, jstr(r, "category")))
			continue;
		json_array_append(items, r);
	}
	fc_quarter_name(&q, qname);
	*out = json_pack("{s:s,s:s,s:O}", "quarter", qname, "currency", s.base_currency, "items",
	                 items);
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	json_decref(opps);
	json_decref(items);
	calc_free(&c);
	return rc;
}

int app_forecast_targets(struct store_conn *db, const struct actor *who, const char *quarter,
                         json_t **out, struct kam_errinfo *ei)
{
	struct fc_quarter q;
	struct settings s;
	json_t *rows = NULL, *items = json_array(), *r;
	char qname[FC_QUARTER_LEN];
	int64_t owner = scope_of(who);
	date_t today;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = quarter_arg(db, who, quarter, &s, &q, &today, ei)) != KAM_OK)
		goto out;
	fc_quarter_name(&q, qname);
	if ((rc = store_forecast_targets(db, qname, &rows)) != KAM_OK)
		goto out;
	json_array_foreach(rows, i, r)
	{
		int64_t u = jint(r, "user_id");

		if (owner && u != owner)
			continue;
		json_array_append_new(items, json_pack("{s:o,s:I}", "user_id",
		                                       u ? json_integer(u) : json_null(), "amount",
		                                       (json_int_t)jint(r, "amount")));
	}
	*out = json_pack("{s:s,s:O}", "quarter", qname, "targets", items);
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	json_decref(rows);
	json_decref(items);
	return rc;
}

int app_forecast_targets_put(struct store_conn *db, const struct actor *who, json_t *body,
                             json_t **out, struct kam_errinfo *ei)
{
	const char *quarter = jstr(body, "quarter");
	json_t *list = json_object_get(body, "targets"), *t, *before = NULL, *u = NULL;
	struct fc_quarter q;
	struct settings s;
	char qname[FC_QUARTER_LEN];
	bool open = false;
	size_t i;
	int rc;

	*out = NULL;
	if (who->role != ROLE_ADMIN && who->role != ROLE_DIRECTOR) {
		err_detail(ei, "only admins and directors set targets");
		return KAM_EFORBIDDEN;
	}
	if (!json_is_object(body)) {
		err_detail(ei, "the body must be an object {quarter, targets}");
		return KAM_EINVAL;
	}
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	if (fc_quarter_parse_fy(quarter, s.fiscal_year_start_month, &q) != KAM_OK) {
		err_field(ei, "quarter", "must be a quarter such as 2026-Q4 or FY2027-Q1");
		return KAM_EINVAL;
	}
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 1000) {
		err_field(ei, "targets", "must be a list of 1 to 1000 {user_id, amount}");
		return KAM_EINVAL;
	}
	{
		const char *k;
		json_t *v;

		json_object_foreach(body, k, v) if (strcmp(k, "quarter") && strcmp(k, "targets"))
		{
			err_field(ei, k, "is not a field of targets");
			return KAM_EINVAL;
		}
	}
	fc_quarter_name(&q, qname);
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	json_array_foreach(list, i, t)
	{
		json_t *uid = json_object_get(t, "user_id"), *amt = json_object_get(t, "amount");
		char field[64];
		int64_t id = 0;

		snprintf(field, sizeof(field), "targets[%zu]", i);
		if (!json_is_object(t) || json_object_size(t) > 2 ||
		    (uid && !json_is_null(uid) && !json_is_integer(uid)) ||
		    (!json_is_null(amt) && !json_is_integer(amt))) {
			err_field(ei, field,
			          "must be {user_id: id or null, amount: integer or null}");
			rc = KAM_EINVAL;
			goto out;
		}
		if (json_is_integer(amt) &&
		    (json_integer_value(amt) < 0 || json_integer_value(amt) > MONEY_ROW_MAX)) {
			snprintf(field, sizeof(field), "targets[%zu].amount", i);
			err_field(ei, field, "must be from 0 to %lld minor units",
			          (long long)MONEY_ROW_MAX);
			rc = KAM_EINVAL;
			goto out;
		}
		if (json_is_integer(uid)) {
			id = json_integer_value(uid);
			snprintf(field, sizeof(field), "targets[%zu].user_id", i);
			if (id < 1 || store_get(db, &model_user, id, &u, NULL) != KAM_OK) {
				err_field(ei, field, "no such user");
				rc = KAM_EINVAL;
				goto out;
			}
			json_decref(u);
			u = NULL;
		}
		if ((rc = store_forecast_target_put(
		         db, qname, id, json_is_integer(amt) ? json_integer_value(amt) : -1,
		         who->now)) != KAM_OK)
			goto out;
	}
	if ((rc = app_audit(db, who, "update", "forecast_target", 0, NULL, body)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
	if (rc == KAM_OK)
		rc = app_forecast_targets(db, who, qname, out, ei);
out:
	if (open)
		store_rollback(db);
	json_decref(before);
	return rc;
}

static json_t *point_json(const json_t *r)
{
	int64_t booked = jint(r, "booked"), contracted = jint(r, "contracted"),
	        commit = jint(r, "commit_amount"), best = jint(r, "best_case");
	json_t *target = json_object_get(r, "target");

	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:O}", "week", jstr(r, "week"),
	                 "booked", (json_int_t)booked, "contracted", (json_int_t)contracted,
	                 "commit", (json_int_t)commit, "best_case", (json_int_t)best, "pipeline",
	                 (json_int_t)jint(r, "pipeline"), "won", (json_int_t)jint(r, "won"),
	                 "forecast", (json_int_t)(booked + contracted + commit), "best_case_total",
	                 (json_int_t)(booked + contracted + commit + best), "target",
	                 target ? target : json_null());
}

int app_forecast_history(struct store_conn *db, const struct actor *who, const char *quarter,
                         json_t **out, struct kam_errinfo *ei)
{
	struct fc_quarter q;
	struct calc c = {0};
	struct settings s;
	json_t *rows = NULL, *people = NULL, *series = json_array(), *r;
	char qname[FC_QUARTER_LEN], qlabel[FC_LABEL_LEN];
	int64_t owner = scope_of(who);
	date_t today;
	bool over;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = quarter_arg(db, who, quarter, &s, &q, &today, ei)) != KAM_OK)
		goto out;
	fc_quarter_name(&q, qname);
	over = today > q.end;
	if ((rc = store_forecast_snapshots(db, qname, owner, &rows)) != KAM_OK ||
	    (rc = store_forecast_people(db, &people)) != KAM_OK ||
	    (over && (rc = compute(db, &s, &q, today, owner, &c, NULL)) != KAM_OK))
		goto out;
	json_array_foreach(rows, i, r)
	{
		int64_t u = jint(r, "user_id");
		json_t *ser = NULL, *x, *pt;
		size_t k;

		json_array_foreach(series, k, x) if (jint(x, "user_id") == u) ser = x;
		if (ser == NULL) {
			json_t *p = person(people, u);
			json_t *actual = json_null();

			if (over) {
				struct fc_figures all;

				fc_figures_init(&all);
				for (size_t j = 0; j < c.n; j++)
					if (u == 0 || c.v[j].id == u)
						fc_figures_sum(&all, &c.v[j].f);
				json_decref(actual);
				actual = json_integer(all.booked);
			}
			ser = json_pack("{s:I,s:s,s:o,s:[]}", "user_id", (json_int_t)u, "name",
			                u == 0                 ? "Portfolio"
			                : p && jstr(p, "name") ? jstr(p, "name")
			                                       : "(unknown)",
			                "actual", actual, "points");
			if (ser == NULL) {
				rc = KAM_ENOMEM;
				goto out;
			}
			json_array_append_new(series, ser);
		}
		pt = point_json(r);
		if (pt == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		if (over) {
			int64_t actual = jint(ser, "actual"), call = jint(pt, "forecast");

			json_object_set_new(pt, "error", json_integer(call - actual));
			/* how far the call was from what was booked, as a share of it */
			json_object_set_new(
			    pt, "accuracy",
			    actual > 0
			        ? json_real(round(fmax(0.0, 1.0 - fabs((double)(call - actual)) /
			                                              (double)actual) *
			                          10000.0) /
			                    10000.0)
			        : json_null());
		}
		json_array_append_new(json_object_get(ser, "points"), pt);
	}
	fc_quarter_label(&q, qlabel);
	*out = json_pack("{s:s,s:s,s:s,s:b,s:O}", "quarter", qname, "label", qlabel, "currency",
	                 s.base_currency, "over", over, "series", series);
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	json_decref(rows);
	json_decref(people);
	json_decref(series);
	calc_free(&c);
	return rc;
}

int app_forecast_snapshot_run(struct store_conn *db, const struct actor *who, int *added)
{
	struct fc_quarter q;
	struct calc c = {0};
	struct settings s;
	struct fc_figures total;
	char qname[FC_QUARTER_LEN], week[DATE_LEN];
	int64_t portfolio_target = -1, kam_targets = -1;
	date_t today;
	int rc, one;

	*added = 0;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	today = settings_today(&s, who->now);
	fc_quarter_of_fy(today, s.fiscal_year_start_month, &q);
	fc_quarter_name(&q, qname);
	date_format(fc_week_start(today), week);
	if ((rc = compute(db, &s, &q, today, 0, &c, NULL)) != KAM_OK ||
	    (rc = load_targets(db, qname, &c, 0, &portfolio_target)) != KAM_OK)
		goto out;
	fc_figures_init(&total);
	for (size_t i = 0; i <= c.n; i++) {
		const struct fc_figures *f = i < c.n ? &c.v[i].f : &total;
		int64_t fig[7] = {f->booked,
		                  f->contracted,
		                  f->open[FC_COMMIT],
		                  f->open[FC_BEST_CASE],
		                  f->open[FC_PIPELINE],
		                  f->won,
		                  0};

		if (i == c.n)
			total.target = portfolio_target >= 0 ? portfolio_target : kam_targets;
		else {
			fc_figures_sum(&total, f);
			if (f->target >= 0)
				kam_targets = (kam_targets < 0 ? 0 : kam_targets) + f->target;
		}
		if ((rc = store_forecast_snapshot_put(db, qname, week, i < c.n ? c.v[i].id : 0, fig,
		                                      f->target, who->now, &one)) != KAM_OK)
			goto out;
		*added += one;
	}
	calc_free(&c);
	return store_commit(db);
out:
	store_rollback(db);
	calc_free(&c);
	return rc;
}

/* A target's quarter is written as kam writes it ("2026-q4" → "2026-Q4"). */
static int target_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                          const json_t *before, struct kam_errinfo *ei)
{
	struct fc_quarter q;
	struct settings s;
	char name[FC_QUARTER_LEN];
	int rc;

	(void)who;
	(void)before;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	if (fc_quarter_parse_fy(jstr(rec, "quarter"), s.fiscal_year_start_month, &q) != KAM_OK) {
		err_field(ei, "quarter", "must be a quarter such as 2026-Q4 or FY2027-Q1");
		return KAM_EINVAL;
	}
	fc_quarter_name(&q, name);
	json_object_set_new(rec, "quarter", json_string(name));
	return KAM_OK;
}

/* Targets as records, for the importer (kind targets); the API sets them with PUT
 * /api/v1/forecast/targets, which shows a KAM their own only. */
const struct app_resource res_forecast_targets = {
    .e = &model_forecast_target,
    .base = "/api/v1/forecast/targets",
    .scope = SCOPE_GLOBAL,
    .prepare = target_prepare,
    .conflict = "this quarter already has a target for this user",
};

/* minor units as exact major-unit text ("1234.5" → "1234.50" for EUR) */
static json_t *major(json_t *v, int digits)
{
	char buf[48];
	int64_t n, unit = 1, a;

	if (!json_is_integer(v))
		return json_string("");
	n = json_integer_value(v);
	for (int i = 0; i < digits; i++)
		unit *= 10;
	a = n < 0 ? -(n / unit) : n / unit;
	if (digits == 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)n);
	else
		snprintf(buf, sizeof(buf), "%s%lld.%0*lld", n < 0 ? "-" : "", (long long)a, digits,
		         (long long)(n < 0 ? -(n % unit) : n % unit));
	return json_string(buf);
}

int app_forecast_file(struct store_conn *db, const struct actor *who, const char *quarter,
                      const char *by, bool xlsx, int *fd, size_t *len, char name[64],
                      struct kam_errinfo *ei)
{
	static const char *const money_cols[] = {"booked",   "contracted", "won",
	                                         "commit",   "best_case",  "pipeline",
	                                         "forecast", "target",     "gap"};
	json_t *f = NULL, *items = json_array(), *cols, *r;
	const char *cur;
	size_t i;
	int rc = app_forecast(db, who, quarter, by, &f, ei), digits;

	*fd = -1;
	*len = 0;
	if (rc != KAM_OK)
		goto out;
	cur = jstr(f, "currency");
	digits = money_digits(cur);
	json_object_set_new(json_object_get(f, "total"), "name", json_string("Total"));
	json_array_append(json_object_get(f, "rows"), json_object_get(f, "total"));
	json_array_foreach(json_object_get(f, "rows"), i, r)
	{
		json_t *o =
		    json_pack("{s:O,s:O,s:O,s:s}", "name", json_object_get(r, "name"), "team",
		              json_object_get(r, "team") ? json_object_get(r, "team") : json_null(),
		              "attainment", json_object_get(r, "attainment"), "currency", cur);

		for (size_t k = 0; o && k < sizeof(money_cols) / sizeof(money_cols[0]); k++)
			json_object_set_new(o, money_cols[k],
			                    major(json_object_get(r, money_cols[k]), digits));
		if (o == NULL || json_array_append_new(items, o) != 0) {
			rc = KAM_ENOMEM;
			goto out;
		}
	}
	cols = json_pack("[s,s,s,s,s,s,s,s,s,s,s,s,s]", "name", "team", "booked", "contracted",
	                 "won", "commit", "best_case", "pipeline", "forecast", "target",
	                 "attainment", "gap", "currency");
	snprintf(name, 64, "forecast-%s-%s.%s", jstr(f, "quarter"), jstr(f, "by"),
	         xlsx ? "xlsx" : "csv");
	rc = app_export_rows(xlsx, "forecast", cols, items, fd, len);
out:
	json_decref(f);
	json_decref(items);
	return rc;
}
