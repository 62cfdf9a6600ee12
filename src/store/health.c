/*
 * Health and alert inputs: one grouped query per kind of fact, over every account at once,
 * so evaluating 10,000 accounts is a handful of scans, not 10,000 round trips.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/date.h"
#include "store/health.h"
#include "store/internal.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/utf8.h"

static int cmp_input(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = ((const struct health_input *)b)->account_id;

	return (x > y) - (x < y);
}

static struct health_input *find(struct health_input *v, size_t n, int64_t id)
{
	return bsearch(&id, v, n, sizeof(*v), cmp_input);
}

/*
 * Runs a query whose last two arguments fill "(? = 0 OR col = ?)", the account filter,
 * written as what it means: nothing for every account, "col = ?" for one. The OR form
 * kept the planner off the account_id indexes, so one account's health scanned every
 * account's rows (43 ms at 10,000 accounts instead of about one).
 */
static int hquery(struct store_conn *c, const char *sql, struct db_val *args, int nargs,
                  struct db_stmt **st)
{
	const char *at = strstr(sql, "(? = 0 OR "), *col, *end;
	int64_t acc = nargs >= 2 ? args[nargs - 1].i : 0;
	char text[4096];

	if (at == NULL || nargs < 2 || (end = strstr(at, " = ?)")) == NULL)
		return c->ops->query(c->db, sql, args, nargs, st);
	col = at + strlen("(? = 0 OR ");
	if (strlen(sql) >= sizeof(text))
		return KAM_EINVAL; /* cut short it would be another query */
	if (acc == 0)
		snprintf(text, sizeof(text), "%.*s1 = 1%s", (int)(at - sql), sql,
		         end + strlen(" = ?)"));
	else
		snprintf(text, sizeof(text), "%.*s%.*s = ?%s", (int)(at - sql), sql,
		         (int)(end - col), col, end + strlen(" = ?)"));
	if (acc != 0)
		args[nargs - 2] = args[nargs - 1];
	return c->ops->query(c->db, text, args, acc == 0 ? nargs - 2 : nargs - 1, st);
}

/* Runs sql (args end with the account filter twice) and hands each row to fn. */
static int each(struct store_conn *c, const char *sql, struct db_val *args, int nargs,
                struct health_input *v, size_t n,
                void (*fn)(struct store_conn *c, struct db_stmt *st, struct health_input *in))
{
	struct db_stmt *st;
	int rc = hquery(c, sql, args, nargs, &st);

	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct health_input *in = find(v, n, c->ops->col_int(st, 0));

		if (in)
			fn(c, st, in);
	}
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

static void on_today(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	in->has_today_snapshot = true;
	in->today_snapshot = c->ops->col_real(st, 1);
}

/*
 * The revenue windows from the account rollup's cells of the last 24 months, summed here:
 * the covering (month, account_id, amount) index hands the cells over in month order, where
 * a GROUP BY account_id made the database sort them first (3 to 5 times slower). Sums are
 * exact integers, as the database's were, and turn into doubles at the end.
 */
static int revenue_sums(struct store_conn *c, struct health_input *v, size_t n, int64_t acc,
                        const char *m0, const char *m5, const char *m6, const char *m11,
                        const char *m23)
{
	int64_t(*sum)[4] = n ? calloc(n, sizeof(*sum)) : NULL;
	struct db_stmt *st = NULL;
	int rc;

	if (n == 0)
		return KAM_OK;
	if (sum == NULL)
		return KAM_ENOMEM;
	rc = hquery(c,
	            "SELECT account_id, month, amount FROM revenue_account_monthly WHERE month "
	            ">= ? AND month <= ? AND (? = 0 OR account_id = ?)",
	            (struct db_val[]){DB_STR(m23), DB_STR(m0), DB_INT(acc), DB_INT(acc)}, 4, &st);
	/* within a month the index hands the accounts over in id order, as v holds them: the
	 * next input is found by stepping forward from the last (a binary search per cell was
	 * a tenth of an evaluation), and the month's windows are worked out once per month */
	char month[8] = "";
	bool in6 = false, in6b = false, in12 = false;
	size_t at = 0;

	while (rc == KAM_OK && (rc = c->ops->next(st)) == 1) {
		int64_t id = c->ops->col_int(st, 0), a = c->ops->col_int(st, 2), *s;
		const char *m = c->ops->col_text(st, 1);
		bool over = false;

		rc = KAM_OK;
		if (strcmp(m, month) != 0) {
			snprintf(month, sizeof(month), "%s", m);
			in6 = strcmp(m, m5) >= 0;
			in6b = strcmp(m, m11) >= 0 && strcmp(m, m6) <= 0;
			in12 = strcmp(m, m11) >= 0;
			at = 0;
		}
		/* a few steps at most (accounts without a cell that month), else a search: the
		 * order is the index's, which PostgreSQL need not follow */
		for (size_t step = 0; at < n && v[at].account_id < id && step < 16; step++)
			at++;
		if (at >= n || v[at].account_id != id) {
			struct health_input *in = find(v, n, id);

			if (in == NULL)
				continue;
			at = (size_t)(in - v);
		}
		s = sum[at];
		if (in6)
			over |= __builtin_add_overflow(s[0], a, &s[0]);
		if (in6b)
			over |= __builtin_add_overflow(s[1], a, &s[1]);
		if (in12)
			over |= __builtin_add_overflow(s[2], a, &s[2]);
		else
			over |= __builtin_add_overflow(s[3], a, &s[3]);
		if (over) /* as the database's sum() refused it */
			rc = KAM_EDB;
	}
	c->ops->done(st);
	if (rc >= 0) {
		rc = KAM_OK;
		for (size_t i = 0; i < n; i++) {
			v[i].rev_6m = (double)sum[i][0];
			v[i].rev_6m_before = (double)sum[i][1];
			v[i].rev_12m = (double)sum[i][2];
			v[i].rev_12m_before = (double)sum[i][3];
		}
	}
	free(sum);
	return rc;
}

static void on_surveys(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	in->nps_n = (int)c->ops->col_int(st, 1);
	in->promoters = (int)c->ops->col_int(st, 2);
	in->detractors = (int)c->ops->col_int(st, 3);
	in->csat_n = (int)c->ops->col_int(st, 4);
	in->csat_sum = c->ops->col_real(st, 5);
}

static void on_detractor(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	/* rows come newest first: keep the first per account */
	if (in->detractor_survey)
		return;
	in->detractor_survey = c->ops->col_int(st, 1);
	in->detractor_score = (int)c->ops->col_int(st, 2);
	snprintf(in->detractor_on, sizeof(in->detractor_on), "%s", c->ops->col_text(st, 3));
}

static void on_changed(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	/* rows come newest first: keep the first per account */
	if (in->changed_contact)
		return;
	in->changed_contact = c->ops->col_int(st, 1);
	snprintf(in->changed_name, sizeof(in->changed_name), "%s", c->ops->col_text(st, 2));
	snprintf(in->changed_on, sizeof(in->changed_on), "%s", c->ops->col_text(st, 3));
	in->changed_left = c->ops->col_int(st, 4) != 0;
	snprintf(in->attitude_was, sizeof(in->attitude_was), "%s",
	         c->ops->is_null(st, 5) ? "" : c->ops->col_text(st, 5));
	snprintf(in->attitude_now, sizeof(in->attitude_now), "%s",
	         c->ops->is_null(st, 6) ? "" : c->ops->col_text(st, 6));
}

static void on_cases(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	in->open_critical = (int)c->ops->col_int(st, 1);
	in->open_breached = (int)c->ops->col_int(st, 2);
	in->worst_breach_hours = c->ops->is_null(st, 3) ? 0 : c->ops->col_int(st, 3);
}

static void on_contacts(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	in->influential = (int)c->ops->col_int(st, 1);
	in->engaged = (int)c->ops->col_int(st, 2);
}

static void on_renewal_won(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	(void)c;
	(void)st;
	in->renewal_won = true;
}

static void on_before(struct store_conn *c, struct db_stmt *st, struct health_input *in)
{
	in->health_before = c->ops->col_real(st, 1);
}

/* The day number of a stored YYYY-MM-DD (the range's start for anything else). */
static int64_t day_of(const char *d)
{
	date_t n;

	return date_parse(d, &n) == KAM_OK ? n : DATE_MIN;
}

int store_health_inputs(struct store_conn *c, const struct store_health_params *p,
                        struct health_input **out, size_t *n)
{
	struct health_input *v = NULL;
	size_t len = 0, cap = 0;
	struct db_stmt *st;
	char m0[8], m5[8], m6[8], m11[8], m12[8], m23[8], today[DATE_LEN], year_ago[DATE_LEN],
	    det_from[DATE_LEN], in180[DATE_LEN], ago180[DATE_LEN], month_ago[DATE_LEN],
	    changed_from[DATE_LEN];
	const int64_t now = p->now, acc = p->account_id, today_n = p->today;
	const date_t month = date_month_start(p->last_month);
	int rc;

	date_format_month(month, m0);
	date_format_month(date_add_months_clamped(month, -5), m5);
	date_format_month(date_add_months_clamped(month, -6), m6);
	date_format_month(date_add_months_clamped(month, -11), m11);
	date_format_month(date_add_months_clamped(month, -12), m12);
	date_format_month(date_add_months_clamped(month, -23), m23);
	date_format(p->today, today);
	date_format(date_add_days_clamped(p->today, -365), year_ago);
	date_format(date_add_days_clamped(p->today, -(int64_t)p->detractor_days), det_from);
	date_format(date_add_days_clamped(p->today, 180), in180);
	date_format(date_add_days_clamped(p->today, -180), ago180);
	date_format(date_add_days_clamped(p->today, -30), month_ago);
	date_format(date_add_days_clamped(p->today, -(int64_t)p->stakeholder_days), changed_from);

	/* one array of the right size: grown by doubling, its copies were a quarter of the
	 * pages an evaluation touched (each a page fault once the heap was given back) */
	if (acc == 0) {
		int64_t all = 0;

		if ((rc = sq_int(c, "SELECT count(*) FROM accounts", NULL, 0, &all)) != KAM_OK)
			return rc;
		if (all > 0 && (v = malloc((size_t)all * sizeof(*v))) == NULL)
			return KAM_ENOMEM;
		cap = v ? (size_t)all : 0;
	}
	rc = hquery(c,
	            "SELECT id, owner_id, status, tier, coalesce(last_interaction_at, 0), "
	            "created_at, health, health_enough_data "
	            "FROM accounts WHERE (? = 0 OR id = ?) ORDER BY id",
	            (struct db_val[]){DB_INT(acc), DB_INT(acc)}, 2, &st);
	if (rc != KAM_OK)
		goto fail;
	while ((rc = c->ops->next(st)) == 1) {
		struct health_input *in;

		if ((in = vec_push((void **)&v, &len, &cap, sizeof(*v))) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		in->account_id = c->ops->col_int(st, 0);
		in->owner_id = c->ops->col_int(st, 1);
		in->active = strcmp(c->ops->col_text(st, 2), "active") == 0;
		in->key = strcmp(c->ops->col_text(st, 3), "key") == 0;
		in->last_interaction_at = c->ops->col_int(st, 4);
		in->created_at = c->ops->col_int(st, 5);
		in->renewal_stage = -1;
		in->review_overdue_days = -1;
		in->health_before = NAN;
		in->stored_health = c->ops->col_real(st, 6);
		in->stored_enough = c->ops->col_int(st, 7) != 0;
	}
	c->ops->done(st);
	if (rc < 0)
		goto fail;

#define ACC " AND (? = 0 OR account_id = ?)"
#define A2 DB_INT(acc), DB_INT(acc)
	rc = revenue_sums(c, v, len, acc, m0, m5, m6, m11, m23);
	if (rc == KAM_OK)
		rc = each(c, "SELECT account_id, score FROM health_snapshots WHERE day = ?" ACC,
		          (struct db_val[]){DB_STR(today), A2}, 3, v, len, on_today);
	if (rc == KAM_OK)
		rc = each(c,
		          "SELECT account_id, "
		          "sum(CASE WHEN kind = 'nps' THEN 1 ELSE 0 END), "
		          "sum(CASE WHEN kind = 'nps' AND score >= 9 THEN 1 ELSE 0 END), "
		          "sum(CASE WHEN kind = 'nps' AND score <= 6 THEN 1 ELSE 0 END), "
		          "sum(CASE WHEN kind = 'csat' THEN 1 ELSE 0 END), "
		          "sum(CASE WHEN kind = 'csat' THEN score ELSE 0 END) "
		          "FROM surveys WHERE answered_on >= ?" ACC " GROUP BY account_id",
		          (struct db_val[]){DB_STR(year_ago), A2}, 3, v, len, on_surveys);
	if (rc == KAM_OK)
		rc = each(
		    c,
		    "SELECT account_id, id, score, answered_on FROM surveys WHERE kind = 'nps' "
		    "AND score <= 6 AND answered_on >= ?" ACC
		    " ORDER BY account_id, answered_on DESC, id DESC",
		    (struct db_val[]){DB_STR(det_from), A2}, 3, v, len, on_detractor);
	if (rc == KAM_OK)
		rc = each(
		    c,
		    "SELECT account_id, sum(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END), "
		    "sum(CASE WHEN CAST(? AS BIGINT) - opened_at > 3600 * (CASE severity WHEN "
		    "'low' THEN CAST(? AS BIGINT) WHEN 'medium' THEN CAST(? AS BIGINT) WHEN "
		    "'high' THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END) THEN 1 ELSE 0 END), "
		    "max((CAST(? AS BIGINT) - opened_at) / 3600 - (CASE severity WHEN 'low' THEN "
		    "CAST(? AS BIGINT) WHEN 'medium' THEN CAST(? AS BIGINT) WHEN 'high' THEN "
		    "CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END)) "
		    "FROM cases WHERE status IN ('open', 'in_progress')" ACC " GROUP BY account_id",
		    (struct db_val[]){DB_INT(now), DB_INT(p->sla_hours[0]), DB_INT(p->sla_hours[1]),
		                      DB_INT(p->sla_hours[2]), DB_INT(p->sla_hours[3]), DB_INT(now),
		                      DB_INT(p->sla_hours[0]), DB_INT(p->sla_hours[1]),
		                      DB_INT(p->sla_hours[2]), DB_INT(p->sla_hours[3]), A2},
		    12, v, len, on_cases);
	if (rc == KAM_OK) {
		struct db_stmt *s2 = NULL; /* still NULL (done ignores it) when the query fails */

		/* overdue actions: counted here, their age from the oldest due date (every row: a
		 * loop stopping at the first left all other accounts without, in the stored score
		 * the accounts list shows) */
		rc = hquery(c,
		            "SELECT account_id, count(*), min(due_on) FROM actions WHERE status "
		            "IN ('open', 'in_progress') AND due_on < ?" ACC " GROUP BY account_id",
		            (struct db_val[]){DB_STR(today), A2}, 3, &s2);
		for (; rc == KAM_OK && (rc = c->ops->next(s2)) == 1; rc = KAM_OK) {
			struct health_input *in = find(v, len, c->ops->col_int(s2, 0));

			if (in) {
				in->overdue_actions = (int)c->ops->col_int(s2, 1);
				in->oldest_overdue_days =
				    (int)(today_n - day_of(c->ops->col_text(s2, 2)));
			}
		}
		if (rc >= 0) {
			c->ops->done(s2);
			rc = KAM_OK;
		} else {
			c->ops->done(s2);
		}
	}
	if (rc == KAM_OK)
		rc = each(c,
		          /* the partial index contacts_influential (migration 037) covers this */
		          "SELECT account_id, count(*), "
		          "sum(CASE WHEN last_contacted_at >= ? THEN 1 ELSE 0 END) "
		          "FROM contacts WHERE influence >= 4" ACC " GROUP BY account_id",
		          (struct db_val[]){DB_INT(now - 90 * 86400), A2}, 3, v, len, on_contacts);
	if (rc == KAM_OK) {
		struct db_stmt *s2 = NULL; /* still NULL (done ignores it) when the query fails */

		rc = hquery(c,
		            "SELECT account_id, max(CASE stage WHEN 'negotiation' THEN 3 WHEN "
		            "'proposal' THEN 2 WHEN 'qualified' THEN 1 ELSE 0 END), "
		            "min(expected_close_on) FROM opportunities WHERE kind = 'renewal' AND "
		            "stage NOT IN ('won', 'lost') AND expected_close_on >= ? AND "
		            "expected_close_on <= ?" ACC " GROUP BY account_id",
		            (struct db_val[]){DB_STR(today), DB_STR(in180), A2}, 4, &s2);
		for (; rc == KAM_OK && (rc = c->ops->next(s2)) == 1; rc = KAM_OK) {
			struct health_input *in = find(v, len, c->ops->col_int(s2, 0));

			if (in) {
				in->renewal_stage = (int)c->ops->col_int(s2, 1);
				in->renewal_days = (int)(day_of(c->ops->col_text(s2, 2)) - today_n);
			}
		}
		c->ops->done(s2);
		rc = rc < 0 ? rc : KAM_OK;
	}
	if (rc == KAM_OK)
		rc =
		    each(c,
		         "SELECT DISTINCT account_id FROM opportunities WHERE kind = 'renewal' AND "
		         "stage = 'won' AND closed_on >= ?" ACC,
		         (struct db_val[]){DB_STR(ago180), A2}, 3, v, len, on_renewal_won);
	if (rc == KAM_OK) {
		struct db_stmt *s2 = NULL; /* still NULL (done ignores it) when the query fails */

		/* an active plan whose latest review planned the next one before today */
		rc = hquery(c,
		            "SELECT p.account_id, max(r.next_review_on) FROM plans p JOIN "
		            "reviews r ON r.plan_id = p.id WHERE p.status = 'active' AND "
		            "(? = 0 OR p.account_id = ?) GROUP BY p.id, p.account_id",
		            (struct db_val[]){A2}, 2, &s2);
		for (; rc == KAM_OK && (rc = c->ops->next(s2)) == 1; rc = KAM_OK) {
			struct health_input *in = find(v, len, c->ops->col_int(s2, 0));
			int64_t late;

			if (in == NULL || c->ops->is_null(s2, 1))
				continue;
			late = today_n - day_of(c->ops->col_text(s2, 1));
			if (late > 0 && late > in->review_overdue_days)
				in->review_overdue_days = (int)late;
		}
		c->ops->done(s2);
		rc = rc < 0 ? rc : KAM_OK;
	}
	if (rc == KAM_OK)
		rc = each(
		    c,
		    "SELECT h.account_id, h.score FROM health_snapshots h WHERE h.day = (SELECT "
		    "max(h2.day) FROM health_snapshots h2 WHERE h2.account_id = h.account_id AND "
		    "h2.day <= ?) AND (? = 0 OR h.account_id = ?)",
		    (struct db_val[]){DB_STR(month_ago), A2}, 3, v, len, on_before);
	/* a decider or champion who left, or one of them (or a supporter) who turned critic or
	 * blocker, in the window; the latest first. */
	if (rc == KAM_OK)
		rc = each(
		    c,
		    "SELECT account_id, id, name, CASE WHEN left_on >= ? AND left_on <= ? THEN "
		    "left_on ELSE attitude_changed_on END AS d, CASE WHEN left_on >= ? AND left_on "
		    "<= "
		    "? THEN 1 ELSE 0 END, attitude_was, attitude FROM contacts WHERE erased_at IS "
		    "NULL "
		    "AND ((left_on >= ? AND left_on <= ? AND (attitude = 'champion' OR "
		    "decision_role "
		    "IN ('decision_maker', 'economic_buyer'))) OR (left_on IS NULL AND "
		    "attitude_changed_on >= ? AND attitude IN ('critic', 'blocker') AND "
		    "(attitude_was "
		    "IN ('champion', 'supporter') OR decision_role IN ('decision_maker', "
		    "'economic_buyer'))))" ACC " ORDER BY account_id, d DESC, id DESC",
		    (struct db_val[]){DB_STR(changed_from), DB_STR(today), DB_STR(changed_from),
		                      DB_STR(today), DB_STR(changed_from), DB_STR(today),
		                      DB_STR(changed_from), A2},
		    9, v, len, on_changed);
#undef ACC
#undef A2
	if (rc != KAM_OK)
		goto fail;
	*out = v;
	*n = len;
	return KAM_OK;
fail:
	free(v);
	return rc;
}

int store_health_snapshot(struct store_conn *c, int64_t account_id, const char *day, double score,
                          bool enough_data)
{
	int rc =
	    enough_data
	        ? sq_run(c,
	                 "INSERT INTO health_snapshots (account_id, day, score) VALUES (?, ?, ?) "
	                 "ON CONFLICT (account_id, day) DO UPDATE SET score = excluded.score",
	                 (struct db_val[]){DB_INT(account_id), DB_TEXT(day), DB_REAL(score)}, 3)
	        : sq_run(c, "DELETE FROM health_snapshots WHERE account_id = ? AND day = ?",
	                 (struct db_val[]){DB_INT(account_id), DB_TEXT(day)}, 2);

	/* the latest score on the account itself, so lists sort by it; one without enough
	 * data is kept as -1 (it goes out null), so those sort together, before every score */
	if (!enough_data)
		score = -1;
	if (rc == KAM_OK)
		rc = sq_run(
		    c,
		    "UPDATE accounts SET health = ?, health_enough_data = ? WHERE id = ? AND "
		    "(health <> ? OR health_enough_data <> ?)",
		    (struct db_val[]){DB_REAL(score), DB_INT(enough_data), DB_INT(account_id),
		                      DB_REAL(score), DB_INT(enough_data)},
		    5);
	/* the at-risk list and the matrix are cached on the data version */
	if (rc == KAM_OK)
		rc = store_derived_changed(c);
	return rc;
}

int store_health_keep(struct store_conn *c, const struct health_input *in, const char *day,
                      double score, bool enough_data)
{
	/* exactly what the writes below would leave: the same snapshot (or none, without
	 * enough data) and the same score and flag on the account */
	bool same = enough_data
	                ? in->has_today_snapshot && in->today_snapshot == score &&
	                      in->stored_health == score && in->stored_enough
	                : !in->has_today_snapshot && in->stored_health == -1 && !in->stored_enough;

	return same ? KAM_OK : store_health_snapshot(c, in->account_id, day, score, enough_data);
}

int store_health_history(struct store_conn *c, int64_t account_id, const char *from, json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db,
	                       "SELECT day, score FROM health_snapshots WHERE account_id = ? AND "
	                       "day >= ? ORDER BY day",
	                       (struct db_val[]){DB_INT(account_id), DB_TEXT(from)}, 2, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1)
		json_array_append_new(arr, json_pack("{s:s,s:f}", "day", c->ops->col_text(st, 0),
		                                     "score", c->ops->col_real(st, 1)));
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}

struct live {
	int64_t id;
	char rule[32], subject[64], state[16], severity[16];
	char *evidence; /* as stored */
	int64_t snoozed_until;
	bool seen;
};

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;
	int c = strcmp(x->rule, y->rule);

	return c ? c : strcmp(x->subject, y->subject);
}

int store_alerts_sync(struct store_conn *c, const struct alert_hit *hits, size_t n, int64_t now,
                      struct store_alert_sync *out)
{
	struct db_stmt *st;
	struct live *lv = NULL;
	size_t nl = 0, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = c->ops->query(c->db,
	                   "SELECT id, rule, subject_key, state, coalesce(snoozed_until, 0), "
	                   "severity, evidence FROM alerts WHERE state <> 'resolved'",
	                   NULL, 0, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct live *l;

		if ((l = vec_push((void **)&lv, &nl, &cap, sizeof(*lv))) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		l->id = c->ops->col_int(st, 0);
		utf8_copy(l->rule, sizeof(l->rule), c->ops->col_text(st, 1));
		utf8_copy(l->subject, sizeof(l->subject), c->ops->col_text(st, 2));
		utf8_copy(l->state, sizeof(l->state), c->ops->col_text(st, 3));
		l->snoozed_until = c->ops->col_int(st, 4);
		utf8_copy(l->severity, sizeof(l->severity), c->ops->col_text(st, 5));
		if ((l->evidence = strdup(c->ops->col_text(st, 6))) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	c->ops->done(st);
	if (rc < 0)
		goto out;
	rc = KAM_OK;
	/* sorted by (rule, subject): each hit finds its live alert by binary search */
	if (nl > 1)
		qsort(lv, nl, sizeof(*lv), cmp_live);
	for (size_t i = 0; i < n && rc == KAM_OK; i++) {
		const struct alert_hit *h = &hits[i];
		const char *rule = h->rule;
		const char *ev = h->evidence;
		struct live key, *l = NULL;

		utf8_copy(key.rule, sizeof(key.rule), rule);
		utf8_copy(key.subject, sizeof(key.subject), h->subject_key);
		if (nl > 0)
			l = bsearch(&key, lv, nl, sizeof(*lv), cmp_live);
		if (l) {
			/* still holds: fresh evidence; a snooze that ran out wakes up */
			bool wake = !strcmp(l->state, "snoozed") && l->snoozed_until <= now;

			l->seen = true;
			/* what the UPDATE below would leave as it is is not written: most alerts
			 * hold unchanged from one run to the next */
			if (!wake && !strcmp(l->evidence, ev) && !strcmp(l->severity, h->severity))
				continue;
			rc = sq_run(
			    c,
			    "UPDATE alerts SET evidence = ?, severity = ?, state = CASE WHEN "
			    "CAST(? AS BIGINT) = 1 THEN 'open' ELSE state END, updated_at = ? "
			    "WHERE id = ? AND "
			    "(evidence <> ? OR severity <> ? OR CAST(? AS BIGINT) = 1)",
			    (struct db_val[]){DB_TEXT(ev), DB_TEXT(h->severity), DB_INT(wake),
			                      DB_INT(now), DB_INT(l->id), DB_TEXT(ev),
			                      DB_TEXT(h->severity), DB_INT(wake)},
			    8);
			if (rc == KAM_OK && c->ops->changes(c->db) > 0) {
				out->updated++;
				out->reopened_from_snooze += wake;
			}
		} else {
			rc = sq_run(
			    c,
			    "INSERT INTO alerts (account_id, user_id, subject_key, rule, "
			    "severity, evidence, opened_at, created_at, updated_at) VALUES (?, ?, "
			    "?, ?, ?, ?, ?, ?, ?)",
			    (struct db_val[]){h->account_id ? DB_INT(h->account_id) : DB_NULL,
			                      h->user_id ? DB_INT(h->user_id) : DB_NULL,
			                      DB_TEXT(h->subject_key), DB_TEXT(rule),
			                      DB_TEXT(h->severity), DB_TEXT(ev), DB_INT(now),
			                      DB_INT(now), DB_INT(now)},
			    9);
			out->opened += rc == KAM_OK;
		}
	}
	/* whatever no longer holds resolves itself */
	for (size_t j = 0; j < nl && rc == KAM_OK; j++) {
		if (lv[j].seen)
			continue;
		rc =
		    sq_run(c,
		           "UPDATE alerts SET state = 'resolved', resolved_at = ?, updated_at = ?, "
		           "version = version + 1 WHERE id = ?",
		           (struct db_val[]){DB_INT(now), DB_INT(now), DB_INT(lv[j].id)}, 3);
		out->resolved += rc == KAM_OK;
	}
out:
	for (size_t j = 0; j < nl; j++)
		free(lv[j].evidence);
	free(lv);
	return rc;
}
