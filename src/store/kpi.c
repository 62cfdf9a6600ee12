/*
 * KPI reads. Revenue comes from the monthly rollup for whole months and from transactions
 * only for the partial months at a window's edges, so a year over 10M transactions reads
 * a few thousand rollup rows, not the transactions.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/date.h"
#include "kam/money.h"
#include "store/internal.h"
#include "store/kpi.h"
#include "util/buf.h"

/* The month after "YYYY-MM"; past the range's last month, a key after every stored month. */
static void next_month(const char *m, char out[8])
{
	date_t d;

	if (date_parse_month(m, &d) != KAM_OK || date_add_months(d, 1, &d) != KAM_OK)
		memcpy(out, "3000-01", 8);
	else
		date_format_month(d, out);
}

static int cmp_acc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = ((const struct kpi_in_account *)b)->id;

	return (x > y) - (x < y);
}

static struct kpi_in_account *find(struct kpi_input *d, int64_t id)
{
	if (!d->nacc) /* a brand-new account's figures: bsearch wants an array */
		return NULL;
	return bsearch(&id, d->acc, d->nacc, sizeof(*d->acc), cmp_acc);
}

/* "YYYY-MM" as year * 12 + month - 1: ordered as the text is (every month a window or the
 * rollup holds has this form, "3000-01" and "9999-12" past the range included). */
static int month_key(const char *m)
{
	int y = 0, mm = 0, i = 0;

	for (; i < 4 && m[i] >= '0' && m[i] <= '9'; i++)
		y = y * 10 + (m[i] - '0');
	if (i == 4 && m[4] == '-')
		for (i = 5; i < 7 && m[i] >= '0' && m[i] <= '9'; i++)
			mm = mm * 10 + (m[i] - '0');
	return y * 12 + mm - 1;
}

/* The month of month_key as "YYYY-MM". */
static void month_text(int mon, char out[8])
{
	unsigned m = (unsigned)mon;

	snprintf(out, 8, "%04u-%02u", m / 12 % 10000, m % 12 + 1);
}

/* A revenue window [from, to): whole months [fm, tm) from the rollup, the partial months at
 * either edge ([from, head_to) and [tail_from, to)) from transactions. */
struct window {
	const char *from, *to;
	char fm[8], tm[8], fm_day[11], tm_day[11];
	const char *head_to, *tail_from;
	size_t off; /* where the sum goes in struct kpi_in_account */
};

static void window_split(struct window *w)
{
	snprintf(w->fm, sizeof(w->fm), "%.7s", w->from);
	if (strcmp(w->from + 8, "01") != 0)
		next_month(w->fm, w->fm);
	snprintf(w->tm, sizeof(w->tm), "%.7s", w->to);
	snprintf(w->fm_day, sizeof(w->fm_day), "%s-01", w->fm);
	snprintf(w->tm_day, sizeof(w->tm_day), "%s-01", w->tm);
	if (strcmp(w->fm, w->tm) < 0) {
		w->head_to = w->fm_day;
		w->tail_from = w->tm_day;
	} else { /* no whole month inside: all of it from transactions */
		snprintf(w->fm, sizeof(w->fm), "9999-12");
		w->head_to = w->to;
		w->tail_from = w->to;
	}
}

static void add(struct kpi_input *d, int64_t id, size_t off, double v)
{
	struct kpi_in_account *a = find(d, id);

	if (a)
		*(double *)((char *)a + off) += v;
}

/* Transactions of [from, to), summed per account into off; nothing to do when empty. */
static int edge(struct store_conn *c, struct kpi_input *d, const char *from, const char *to,
                const size_t *offs, int noffs, int64_t account)
{
	struct db_stmt *st;
	const char *sql;
	int rc;

	if (strcmp(from, to) >= 0)
		return KAM_OK;
	/* one account: its own rows by index, not every account's rows of the range. On SQLite
	 * the rows are summed here as they come off the (booked_on, account_id, amount_base)
	 * index: its GROUP BY sorted a month of rows first, held whole in memory (temp_store),
	 * the peak of a mid-month question at 10M transactions. add() sums either way; integer
	 * cents in a double are exact below 2^53, as sum()'s result read as a double is. */
	if (c->ops == &db_sqlite)
		sql = account > 0 ? "SELECT account_id, amount_base FROM transactions WHERE booked_on "
		                    ">= ? AND booked_on < ? AND account_id = ?"
		                  : "SELECT account_id, amount_base FROM transactions WHERE booked_on "
		                    ">= ? AND booked_on < ?";
	else
		sql = account > 0 ? "SELECT account_id, sum(amount_base) FROM transactions WHERE "
		                    "booked_on >= ? AND booked_on < ? AND account_id = ? GROUP BY "
		                    "account_id"
		                  : "SELECT account_id, sum(amount_base) FROM transactions WHERE "
		                    "booked_on >= ? AND booked_on < ? GROUP BY account_id";
	rc = c->ops->query(c->db, sql,
	                   (struct db_val[]){DB_STR(from), DB_STR(to), DB_INT(account)},
	                   account > 0 ? 3 : 2, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1)
		for (int i = 0; i < noffs; i++)
			add(d, c->ops->col_int(st, 0), offs[i], c->ops->col_real(st, 1));
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

/* Every window's whole months in one pass over the account rollup, then the edges
 * (n must be 7: the query has seven sums). With the accounts' running sums (acc->cum, for
 * this rollup) a window is the difference of two of them, found in one walk over each
 * account's cells for all seven windows: the amounts are whole minor units and every sum
 * of them is below 2^53 (kam/money.h's caps), so the difference of two running sums is
 * exactly the sum of the cells between them, whatever the order. */
static int revenue_windows(struct store_conn *c, struct kpi_input *d, struct window *w, int n,
                           const struct kpi_rollup *r, const struct store_kpi_accounts *acc,
                           int64_t account)
{
	struct db_val args[7 * 2 + 2];
	struct db_stmt *st;
	const char *upto = w[0].tm;
	int rc, k = 0;

	for (int i = 0; i < n; i++) {
		window_split(&w[i]);
		args[k++] = DB_STR(w[i].fm);
		args[k++] = DB_STR(w[i].tm);
		if (strcmp(w[i].tm, upto) > 0)
			upto = w[i].tm;
	}
	args[k++] = DB_STR(upto);
	if (account > 0)
		args[k++] = DB_INT(account);
	if (r) { /* the same sums over the rollup already in memory: each account's cells */
		int fm[7], tm[7], up = month_key(upto);
		size_t j = 0;

		for (int i = 0; i < n; i++) {
			fm[i] = month_key(w[i].fm);
			tm[i] = month_key(w[i].tm);
		}
		if (acc && acc->rollup == r && acc->cum && acc->nacc == d->nacc) {
			/* the windows' bounds, ascending and each once; per account one walk over
			 * its cells finds where each bound falls (at[b]: its first cell of month
			 * bound[b] or later), and a window is the running sums at its two bounds */
			int bound[14], nb = 0, wb[7][2];
			size_t at[14];

			for (int i = 0; i < 2 * n; i++) {
				int v = i % 2 ? tm[i / 2] : fm[i / 2], b = 0;

				while (b < nb && bound[b] < v)
					b++;
				if (b == nb || bound[b] != v) {
					memmove(&bound[b + 1], &bound[b], (size_t)(nb - b) * sizeof(*bound));
					bound[b] = v;
					nb++;
				}
			}
			for (int i = 0; i < n; i++)
				for (int e = 0; e < 2; e++)
					for (int b = 0; b < nb; b++)
						if (bound[b] == (e ? tm[i] : fm[i]))
							wb[i][e] = b;
			for (size_t ai = 0; ai < d->nacc; ai++) {
				const struct kpi_rollup_account *ra;
				size_t m, end;

				if (acc->racc[ai] < 0)
					continue;
				ra = &r->acc[acc->racc[ai]];
				m = ra->start;
				end = ra->start + ra->n;
				for (int b = 0; b < nb; b++) {
					while (m < end && r->cells[m].mon < bound[b])
						m++;
					at[b] = m;
				}
				for (int i = 0; i < n; i++) {
					size_t lo = at[wb[i][0]], hi = at[wb[i][1]];

					if (hi > lo)
						*(double *)((char *)&d->acc[ai] + w[i].off) +=
						    acc->cum[hi - 1] -
						    (lo > ra->start ? acc->cum[lo - 1] : 0.0);
				}
			}
			goto edges;
		}
		for (size_t ai = 0; ai < d->nacc && j < r->nacc; ai++) {
			struct kpi_in_account *a = &d->acc[ai];

			while (j < r->nacc && r->acc[j].id < a->id)
				j++;
			if (j == r->nacc || r->acc[j].id != a->id)
				continue;
			for (size_t m = r->acc[j].start; m < r->acc[j].start + r->acc[j].n; m++) {
				const struct kpi_rollup_cell *x = &r->cells[m];

				if (x->mon >= up)
					continue;
				for (int i = 0; i < n; i++)
					if (x->mon >= fm[i] && x->mon < tm[i])
						*(double *)((char *)a + w[i].off) += x->amount;
			}
		}
		goto edges;
	}
#define SUMS                                                                                    \
	"SELECT account_id, "                                                                   \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END), "                      \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END), "                      \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END), "                      \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END), "                      \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END), "                      \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END), "                      \
	"sum(CASE WHEN month >= ? AND month < ? THEN amount ELSE 0 END) "                       \
	"FROM revenue_account_monthly WHERE month < ? "
	rc = c->ops->query(c->db,
	                   account > 0 ? SUMS "AND account_id = ? GROUP BY account_id"
	                               : SUMS "GROUP BY account_id",
	                   args, k, &st);
#undef SUMS
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1)
		for (int i = 0; i < n; i++)
			add(d, c->ops->col_int(st, 0), w[i].off, c->ops->col_real(st, 1 + i));
	c->ops->done(st);
	if (rc < 0)
		return rc;
edges:
	/* the partial months at the windows' edges: windows share many of them (P and its year,
	 * P's end and the lifetime total), so each distinct range is read once */
	{
		struct {
			const char *from, *to;
			size_t offs[14];
			int n;
		} e[14];
		int ne = 0;

		for (int i = 0; i < 2 * n; i++) {
			const char *f = i % 2 ? w[i / 2].tail_from : w[i / 2].from;
			const char *t = i % 2 ? w[i / 2].to : w[i / 2].head_to;
			int j = 0;

			if (strcmp(f, t) >= 0)
				continue;
			while (j < ne && (strcmp(e[j].from, f) != 0 || strcmp(e[j].to, t) != 0))
				j++;
			if (j == ne) {
				e[ne].from = f;
				e[ne].to = t;
				e[ne++].n = 0;
			}
			e[j].offs[e[j].n++] = w[i / 2].off;
		}
		rc = KAM_OK;
		for (int j = 0; j < ne && rc == KAM_OK; j++)
			rc = edge(c, d, e[j].from, e[j].to, e[j].offs, e[j].n, account);
	}
	return rc < 0 ? rc : KAM_OK;
}

/* Takes one intra-group transaction out of each of the n windows its day falls in. */
static void intra_take(struct kpi_input *d, const struct window *w, int n, int64_t id,
                       const char *day, double amount)
{
	for (int i = 0; i < n; i++)
		if (strcmp(day, w[i].from) >= 0 && strcmp(day, w[i].to) < 0)
			add(d, id, w[i].off, -amount);
}

/* The intra-group transactions booked before upto, each passed to intra_take (s NULL) or
 * kept in s. A covering partial index holds only these rows. */
static int intra_read(struct store_conn *c, const char *upto, struct kpi_input *d,
                      const struct window *w, int n, struct store_kpi_span *s)
{
	struct db_stmt *st;
	size_t cap = 0;
	int rc;

	rc = c->ops->query(c->db,
	                   "SELECT account_id, booked_on, amount_base FROM transactions WHERE "
	                   "intra_group = 1 AND booked_on < ?",
	                   (struct db_val[]){DB_STR(upto)}, 1, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		int64_t id = c->ops->col_int(st, 0);
		const char *day = c->ops->col_text(st, 1);
		double amount = c->ops->col_real(st, 2);
		struct kpi_span_intra *x;

		if (s == NULL) {
			intra_take(d, w, n, id, day, amount);
			continue;
		}
		if ((x = vec_push((void **)&s->intra, &s->nintra, &cap, sizeof(*x))) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		x->account_id = id;
		snprintf(x->day, sizeof(x->day), "%s", day);
		x->amount = amount;
	}
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

/* Takes intra-group revenue out of each window: each is counted on another entity of its
 * group already. One pass reads the rows up to the latest window's end, and each row goes
 * to the windows it falls in (summed by the database with GROUP BY, SQLite walked all
 * transactions by account instead). A series' periods (s not NULL: it holds every window)
 * read the rows once, up to the series' end, and each period takes them from s. */
static int net_intra(struct store_conn *c, struct kpi_input *d, const struct window *w, int n,
                     struct store_kpi_span *s)
{
	const char *upto = w[0].to;
	int rc;

	if (s == NULL) {
		for (int i = 1; i < n; i++)
			if (strcmp(w[i].to, upto) > 0)
				upto = w[i].to;
		return intra_read(c, upto, d, w, n, NULL);
	}
	if (!s->intra_loaded) {
		if ((rc = intra_read(c, s->to, d, w, n, s)) != KAM_OK) {
			free(s->intra);
			s->intra = NULL;
			s->nintra = 0;
			return rc;
		}
		s->intra_loaded = true;
	}
	for (size_t i = 0; i < s->nintra; i++)
		intra_take(d, w, n, s->intra[i].account_id, s->intra[i].day, s->intra[i].amount);
	return KAM_OK;
}

/* A rollup account's entry, or NULL. */
static const struct kpi_rollup_account *rollup_account(const struct kpi_rollup *r, int64_t id)
{
	size_t lo = 0, hi = r->nacc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->acc[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nacc && r->acc[lo].id == id ? &r->acc[lo] : NULL;
}

/* Each account's entry in rollup r and, for the accounts read only, the running sums of
 * their cells (the rest of x->cum is left unset: no window reads it). */
static int running_sums(const struct kpi_rollup *r, struct store_kpi_accounts *x)
{
	if ((x->racc = malloc((x->nacc + 1) * sizeof(*x->racc))) == NULL ||
	    (x->cum = malloc((r->n + 1) * sizeof(*x->cum))) == NULL)
		return KAM_ENOMEM;
	for (size_t i = 0; i < x->nacc; i++) {
		long k = x->raw[i].racc;

		x->racc[i] = k;
		if (k >= 0) {
			const struct kpi_rollup_account *a = &r->acc[k];
			double sum = 0;

			for (size_t m = a->start; m < a->start + a->n; m++)
				x->cum[m] = sum += r->cells[m].amount;
		}
	}
	x->rollup = r;
	return KAM_OK;
}

/* The accounts as stored, and every exchange rate; first and last month of revenue from the
 * rollup in memory when there is one (else from the table, per account). */
static int accounts_load(struct store_conn *c, const struct store_kpi_query *q,
                         struct store_kpi_accounts *x)
{
#define ACCOUNTS(MONTHS)                                                                           \
	"SELECT a.id, a.owner_id, coalesce(a.acquired_on, ''), coalesce(a.churned_on, ''), "       \
	"a.potential_annual_spend, a.currency" MONTHS " FROM accounts a WHERE (? = 0 OR "          \
	"a.owner_id = ? OR a.id IN (SELECT account_id FROM account_team WHERE user_id = ?)) "      \
	"AND a.id >= ? AND a.id <= ? ORDER BY a.id"
	struct db_stmt *st;
	size_t cap = 0, nraw = 0, rcap = 0, ccap = 0, fcap = 0;
	int rc = c->ops->query(
	    c->db,
	    q->rollup ? ACCOUNTS("")
	              : ACCOUNTS(", coalesce((SELECT min(r.month) FROM revenue_account_monthly r "
	                         "WHERE r.account_id = a.id), ''), coalesce((SELECT max(r.month) "
	                         "FROM revenue_account_monthly r WHERE r.account_id = a.id AND "
	                         "r.amount <> 0), '')"),
	    (struct db_val[]){DB_INT(q->scope_user), DB_INT(q->scope_user), DB_INT(q->scope_user),
	                      DB_INT(q->account_id > 0 ? q->account_id : 0),
	                      DB_INT(q->account_id > 0 ? q->account_id : INT64_MAX)},
	    5, &st);
#undef ACCOUNTS

	memset(x, 0, sizeof(*x));
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_in_account *a =
		    vec_push((void **)&x->acc, &x->nacc, &cap, sizeof(*x->acc));
		struct kpi_acc_raw *w =
		    a ? vec_push((void **)&x->raw, &nraw, &rcap, sizeof(*x->raw)) : NULL;
		const char *cur = c->ops->col_text(st, 5);
		size_t k = 0;

		if (w == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		memset(a, 0, sizeof(*a));
		a->id = c->ops->col_int(st, 0);
		a->owner_id = c->ops->col_int(st, 1);
		snprintf(a->acquired_on, sizeof(a->acquired_on), "%s", c->ops->col_text(st, 2));
		snprintf(a->churned_on, sizeof(a->churned_on), "%s", c->ops->col_text(st, 3));
		w->has_potential = !c->ops->is_null(st, 4);
		w->potential = w->has_potential ? c->ops->col_int(st, 4) : 0;
		while (k < x->ncur && strcmp(x->cur[k], cur) != 0)
			k++;
		if (k == x->ncur) {
			char(*slot)[8] =
			    vec_push((void **)&x->cur, &x->ncur, &ccap, sizeof(*x->cur));

			if (slot == NULL) {
				rc = KAM_ENOMEM;
				break;
			}
			snprintf(*slot, sizeof(*slot), "%s", cur);
		}
		w->currency = k;
		if (q->rollup) {
			const struct kpi_rollup_account *r = rollup_account(q->rollup, a->id);

			if (r) {
				memcpy(a->first_month, r->first_month, sizeof(a->first_month));
				memcpy(a->last_month, r->last_month, sizeof(a->last_month));
			}
			w->racc = r ? (long)(r - q->rollup->acc) : -1;
		} else {
			snprintf(a->first_month, sizeof(a->first_month), "%s",
			         c->ops->col_text(st, 6));
			snprintf(a->last_month, sizeof(a->last_month), "%s",
			         c->ops->col_text(st, 7));
		}
	}
	c->ops->done(st);
	if (rc < 0)
		goto out;
	if (q->rollup && x == q->accounts && (rc = running_sums(q->rollup, x)) != KAM_OK)
		goto out;
	if ((rc = c->ops->query(c->db, "SELECT currency, valid_from, rate FROM fx_rates", NULL, 0,
	                        &st)) != KAM_OK)
		goto out;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_fx *f = vec_push((void **)&x->fx, &x->nfx, &fcap, sizeof(*x->fx));

		if (f == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		snprintf(f->currency, sizeof(f->currency), "%s", c->ops->col_text(st, 0));
		snprintf(f->valid_from, sizeof(f->valid_from), "%s", c->ops->col_text(st, 1));
		f->rate = c->ops->col_real(st, 2);
	}
	c->ops->done(st);
out:
	if (rc < 0) {
		store_kpi_accounts_free(x);
		return rc;
	}
	x->loaded = true;
	return KAM_OK;
}

void store_kpi_accounts_free(struct store_kpi_accounts *x)
{
	free(x->racc);
	free(x->cum);
	free(x->acc);
	free(x->raw);
	free(x->cur);
	free(x->fx);
	memset(x, 0, sizeof(*x));
}

/* The accounts of x into d, each potential spend converted at the rate in force before
 * q->to (the latest rate valid from before it; the base currency at 1; unknown without a
 * rate): as the statement "CASE WHEN a.currency = base THEN 1.0 ELSE (SELECT rate FROM
 * fx_rates WHERE currency = a.currency AND valid_from < to ORDER BY valid_from DESC LIMIT
 * 1) END" gave it per account. */
static int accounts_copy(const struct store_kpi_query *q, const struct store_kpi_accounts *x,
                         struct kpi_input *d)
{
	double *rate = calloc(x->ncur + 1, sizeof(*rate)),
	       *scale = calloc(x->ncur + 1, sizeof(*scale));
	bool *known = calloc(x->ncur + 1, sizeof(*known));
	int rc = KAM_ENOMEM;

	if (rate == NULL || scale == NULL || known == NULL ||
	    (x->nacc && (d->acc = malloc(x->nacc * sizeof(*d->acc))) == NULL))
		goto out;
	for (size_t k = 0; k < x->ncur; k++) {
		const char *best = NULL;

		scale[k] = money_scale(x->cur[k], q->base_currency);
		if (!strcmp(x->cur[k], q->base_currency)) {
			rate[k] = 1.0;
			known[k] = true;
			continue;
		}
		for (size_t j = 0; j < x->nfx; j++)
			if (!strcmp(x->fx[j].currency, x->cur[k]) &&
			    strcmp(x->fx[j].valid_from, q->to) < 0 &&
			    (best == NULL || strcmp(x->fx[j].valid_from, best) > 0)) {
				best = x->fx[j].valid_from;
				rate[k] = x->fx[j].rate;
				known[k] = true;
			}
	}
	if (x->nacc)
		memcpy(d->acc, x->acc, x->nacc * sizeof(*d->acc));
	d->nacc = x->nacc;
	for (size_t i = 0; i < x->nacc; i++) {
		const struct kpi_acc_raw *w = &x->raw[i];

		/* potential spend is in the account's currency: converted (its digits told
		 * apart from the base's), or unknown without a rate */
		d->acc[i].potential =
		    !w->has_potential || !known[w->currency]
		        ? -1
		        : (double)w->potential * rate[w->currency] * scale[w->currency];
	}
	rc = KAM_OK;
out:
	free(rate);
	free(scale);
	free(known);
	return rc;
}

static int fetch_accounts(struct store_conn *c, const struct store_kpi_query *q,
                          struct kpi_input *d)
{
	struct store_kpi_accounts own, *x = q->accounts ? q->accounts : &own;
	int rc = KAM_OK;

	if (x == &own || !x->loaded)
		rc = accounts_load(c, q, x);
	if (rc == KAM_OK)
		rc = accounts_copy(q, x, d);
	if (x == &own)
		store_kpi_accounts_free(&own);
	return rc;
}

/* The statement sql, or sql with "AND account_id = ?" before its end when account > 0. */
#define ONE(sql, account) ((account) > 0 ? sql " AND account_id = ?" : sql)

static int fetch_upsells(struct store_conn *c, const char *from, const char *to,
                         struct kpi_input *d, bool prev, int64_t account)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db,
	                       ONE("SELECT DISTINCT account_id FROM opportunities WHERE kind IN "
	                           "('upsell', 'cross_sell') AND stage = 'won' AND closed_on >= ? "
	                           "AND closed_on < ?",
	                           account),
	                       (struct db_val[]){DB_TEXT(from), DB_TEXT(to), DB_INT(account)},
	                       account > 0 ? 3 : 2, &st);

	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_in_account *a = find(d, c->ops->col_int(st, 0));

		if (a && prev)
			a->upsell_won_prev = true;
		else if (a)
			a->upsell_won = true;
	}
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

static int fetch_events(struct store_conn *c, const struct store_kpi_query *q,
                        struct kpi_input *d)
{
	struct db_stmt *st;
	size_t cap = 0;
	int64_t t0 = date_text_time(q->pfrom), t1 = date_text_time(q->to), one = q->account_id;
	int rc, n = one > 0 ? 3 : 2;

	rc = c->ops->query(c->db,
	                   ONE("SELECT account_id, kind, score, answered_on FROM surveys WHERE "
	                       "answered_on >= ? AND answered_on < ?",
	                       one),
	                   (struct db_val[]){DB_TEXT(q->pfrom), DB_TEXT(q->to), DB_INT(one)}, n,
	                   &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_in_survey *s =
		    vec_push((void **)&d->surveys, &d->nsurveys, &cap, sizeof(*s));

		if (s == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		s->account_id = c->ops->col_int(st, 0);
		s->csat = strcmp(c->ops->col_text(st, 1), "csat") == 0;
		s->score = (int)c->ops->col_int(st, 2);
		snprintf(s->answered_on, sizeof(s->answered_on), "%s", c->ops->col_text(st, 3));
	}
	c->ops->done(st);
	if (rc < 0)
		return rc;

	cap = 0;
	rc =
	    c->ops->query(c->db,
	                  ONE("SELECT account_id, status, due_on FROM objectives WHERE due_on >= ? "
	                      "AND due_on < ?",
	                      one),
	                  (struct db_val[]){DB_TEXT(q->pfrom), DB_TEXT(q->to), DB_INT(one)}, n, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_in_objective *o =
		    vec_push((void **)&d->objectives, &d->nobjectives, &cap, sizeof(*o));

		if (o == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		o->account_id = c->ops->col_int(st, 0);
		o->achieved = strcmp(c->ops->col_text(st, 1), "achieved") == 0;
		snprintf(o->due_on, sizeof(o->due_on), "%s", c->ops->col_text(st, 2));
	}
	c->ops->done(st);
	if (rc < 0)
		return rc;

	cap = 0;
	rc = c->ops->query(
	    c->db,
	    ONE("SELECT id, account_id, CASE severity WHEN 'low' THEN 0 WHEN 'medium' THEN 1 "
	        "WHEN 'high' THEN 2 ELSE 3 END, opened_at, resolved_at FROM cases WHERE "
	        "resolved_at >= ? AND resolved_at < ?",
	        one),
	    (struct db_val[]){DB_INT(t0), DB_INT(t1), DB_INT(one)}, n, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_in_case *k = vec_push((void **)&d->cases, &d->ncases, &cap, sizeof(*k));

		if (k == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		k->id = c->ops->col_int(st, 0);
		k->account_id = c->ops->col_int(st, 1);
		k->severity = (int)c->ops->col_int(st, 2); /* the order of enum severity */
		k->opened_at = c->ops->col_int(st, 3);
		k->resolved_at = c->ops->col_int(st, 4);
	}
	c->ops->done(st);
	if (rc < 0)
		return rc;

	cap = 0;
	rc =
	    c->ops->query(c->db,
	                  ONE("SELECT account_id, occurred_at FROM interactions WHERE "
	                      "occurred_at >= ? AND occurred_at < ?",
	                      one),
	                  (struct db_val[]){DB_INT(t0), DB_INT(t1), DB_INT(one)}, n, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_in_interaction *i =
		    vec_push((void **)&d->interactions, &d->ninteractions, &cap, sizeof(*i));

		if (i == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		i->account_id = c->ops->col_int(st, 0);
		i->occurred_at = c->ops->col_int(st, 1);
	}
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

void store_kpi_span_free(struct store_kpi_span *s)
{
	store_kpi_free(&s->ev);
	free(s->won);
	s->won = NULL;
	s->nwon = 0;
	s->loaded = false;
	free(s->intra);
	s->intra = NULL;
	s->nintra = 0;
	s->intra_loaded = false;
}

/* The events of [s->from, s->to) into s, read by the statements a period's own read uses
 * (so in the same order: a mean of the cases' hours adds them in that order), and the
 * upsells and cross-sells won in it. */
static int span_load(struct store_conn *c, const struct store_kpi_query *q,
                     struct store_kpi_span *s)
{
	struct store_kpi_query one = *q;
	struct kpi_input d = {0};
	struct db_stmt *st;
	size_t cap = 0;
	int rc;

	one.pfrom = s->from;
	one.to = s->to;
	if ((rc = fetch_events(c, &one, &d)) != KAM_OK)
		goto out;
	rc = c->ops->query(
	    c->db,
	    ONE("SELECT account_id, closed_on FROM opportunities WHERE kind IN "
	        "('upsell', 'cross_sell') AND stage = 'won' AND closed_on >= ? "
	        "AND closed_on < ?",
	        q->account_id),
	    (struct db_val[]){DB_TEXT(s->from), DB_TEXT(s->to), DB_INT(q->account_id)},
	    q->account_id > 0 ? 3 : 2, &st);
	if (rc != KAM_OK)
		goto out;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_span_won *w = vec_push((void **)&s->won, &s->nwon, &cap, sizeof(*w));

		if (w == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		w->account_id = c->ops->col_int(st, 0);
		snprintf(w->closed_on, sizeof(w->closed_on), "%s", c->ops->col_text(st, 1));
	}
	c->ops->done(st);
	if (rc < 0)
		goto out;
	rc = KAM_OK;
	s->ev = d;
	memset(&d, 0, sizeof(d));
	s->loaded = true;
out:
	store_kpi_free(&d);
	if (rc != KAM_OK)
		store_kpi_span_free(s);
	return rc;
}

/* The events of q's periods ([pfrom, to), upsells of P and of P-1) taken from span s, in the
 * order s holds them. */
static int span_take(const struct store_kpi_query *q, const struct store_kpi_span *s,
                     struct kpi_input *d)
{
	const struct kpi_input *e = &s->ev;
	int64_t t0 = date_text_time(q->pfrom), t1 = date_text_time(q->to);

	if ((e->nsurveys && (d->surveys = malloc(e->nsurveys * sizeof(*d->surveys))) == NULL) ||
	    (e->nobjectives &&
	     (d->objectives = malloc(e->nobjectives * sizeof(*d->objectives))) == NULL) ||
	    (e->ncases && (d->cases = malloc(e->ncases * sizeof(*d->cases))) == NULL) ||
	    (e->ninteractions &&
	     (d->interactions = malloc(e->ninteractions * sizeof(*d->interactions))) == NULL))
		return KAM_ENOMEM;
	for (size_t i = 0; i < e->nsurveys; i++)
		if (strcmp(e->surveys[i].answered_on, q->pfrom) >= 0 &&
		    strcmp(e->surveys[i].answered_on, q->to) < 0)
			d->surveys[d->nsurveys++] = e->surveys[i];
	for (size_t i = 0; i < e->nobjectives; i++)
		if (strcmp(e->objectives[i].due_on, q->pfrom) >= 0 &&
		    strcmp(e->objectives[i].due_on, q->to) < 0)
			d->objectives[d->nobjectives++] = e->objectives[i];
	for (size_t i = 0; i < e->ncases; i++)
		if (e->cases[i].resolved_at >= t0 && e->cases[i].resolved_at < t1)
			d->cases[d->ncases++] = e->cases[i];
	for (size_t i = 0; i < e->ninteractions; i++)
		if (e->interactions[i].occurred_at >= t0 && e->interactions[i].occurred_at < t1)
			d->interactions[d->ninteractions++] = e->interactions[i];
	for (size_t i = 0; i < s->nwon; i++) {
		const char *on = s->won[i].closed_on;
		bool cur = strcmp(on, q->from) >= 0 && strcmp(on, q->to) < 0;
		bool prev = strcmp(on, q->pfrom) >= 0 && strcmp(on, q->pto) < 0;
		struct kpi_in_account *a = cur || prev ? find(d, s->won[i].account_id) : NULL;

		if (a && cur)
			a->upsell_won = true;
		if (a && prev)
			a->upsell_won_prev = true;
	}
	return KAM_OK;
}

/* Whether span s holds every event q's fetch reads. */
static bool span_holds(const struct store_kpi_span *s, const struct store_kpi_query *q)
{
	return s->from && s->to && strcmp(s->from, q->pfrom) <= 0 && strcmp(q->to, s->to) <= 0 &&
	       strcmp(q->pfrom, q->to) <= 0;
}

int store_kpi_fetch(struct store_conn *c, const struct store_kpi_query *q, struct kpi_input *d)
{
	char year_ago[11], year_ago_p[11];
	int rc;

	memset(d, 0, sizeof(*d));
	date_text_year_before(q->to, year_ago);
	date_text_year_before(q->pto, year_ago_p);
	{
#define OFF(f) offsetof(struct kpi_in_account, f)
		struct window w[7] = {
		    {.from = q->from, .to = q->to, .off = OFF(rev)},
		    {.from = q->pfrom, .to = q->pto, .off = OFF(rev_prev)},
		    {.from = q->ppfrom, .to = q->ppto, .off = OFF(rev_prev2)},
		    {.from = DATE_MIN_TEXT, .to = q->to, .off = OFF(rev_total)},
		    {.from = DATE_MIN_TEXT, .to = q->pto, .off = OFF(rev_total_prev)},
		    {.from = year_ago, .to = q->to, .off = OFF(rev_year)},
		    {.from = year_ago_p, .to = q->pto, .off = OFF(rev_year_prev)},
		};
#undef OFF

		bool span = q->span && span_holds(q->span, q);

		if ((rc = fetch_accounts(c, q, d)) != KAM_OK ||
		    (rc = revenue_windows(c, d, w, 7, q->rollup, q->accounts, q->account_id)) !=
		        KAM_OK ||
		    (q->net_intra_group &&
		     (rc = net_intra(c, d, w, 7, span ? q->span : NULL)) != KAM_OK))
			goto out;
		/* a series' periods: the events of its whole range read once, each period's
		 * taken from them (the same rows in the same order as its own read gives) */
		if (span && !q->span->loaded && (rc = span_load(c, q, q->span)) != KAM_OK)
			goto out;
		if (span)
			rc = span_take(q, q->span, d);
		else if ((rc = fetch_upsells(c, q->from, q->to, d, false, q->account_id)) ==
		             KAM_OK &&
		         (rc = fetch_upsells(c, q->pfrom, q->pto, d, true, q->account_id)) ==
		             KAM_OK)
			rc = fetch_events(c, q, d);
	out:
		if (rc != KAM_OK)
			store_kpi_free(d);
	}
	return rc;
}

void store_kpi_free(struct kpi_input *d)
{
	free(d->acc);
	free(d->surveys);
	free(d->objectives);
	free(d->cases);
	free(d->interactions);
	memset(d, 0, sizeof(*d));
}

static int cmp_cell(const void *a, const void *b)
{
	const struct kpi_rollup_cell *x = a, *y = b;

	if (x->account_id != y->account_id)
		return (x->account_id > y->account_id) - (x->account_id < y->account_id);
	return (x->mon > y->mon) - (x->mon < y->mon);
}

int store_kpi_rollup_load(struct store_conn *c, size_t hint, struct kpi_rollup *r)
{
	struct db_stmt *st;
	size_t cap = 0, acap = 0;
	bool sorted = true;
	/* a first load has no size from the last one: its cells go into blocks, copied once
	 * into one allocation of their number at the end (grown by doubling, they were copied
	 * up to twice and twice as many pages touched: 12% of a cold series in perf) */
	enum { BLOCK = 8192 };
	struct kpi_rollup_cell **blocks = NULL, prev = {0};
	size_t nblocks = 0, bcap = 0;
	int rc;

	/* in account order from revenue_account_monthly_account (migration 044): grouped as
	 * read, not sorted after */
	rc = c->ops->query(c->db,
	                  "SELECT account_id, month, amount FROM revenue_account_monthly ORDER "
	                  "BY account_id, month",
	                  NULL, 0, &st);

	memset(r, 0, sizeof(*r));
	if (rc != KAM_OK)
		return rc;
	/* room for as many cells as the last load had, and some: one allocation, each page
	 * touched once, instead of a copy at every doubling */
	if (hint && hint < SIZE_MAX / 2 / sizeof(*r->cells) &&
	    (r->cells = malloc((hint + hint / 8 + 64) * sizeof(*r->cells))) != NULL)
		cap = hint + hint / 8 + 64;
	while ((rc = c->ops->next(st)) == 1) {
		struct kpi_rollup_cell *x;

		if (cap == 0 || blocks) { /* a first load */
			if (r->n % BLOCK == 0) {
				struct kpi_rollup_cell **b =
				    vec_push((void **)&blocks, &nblocks, &bcap, sizeof(*blocks));

				if (b == NULL || (*b = malloc(BLOCK * sizeof(**b))) == NULL) {
					rc = KAM_ENOMEM;
					break;
				}
			}
			x = &blocks[r->n / BLOCK][r->n % BLOCK];
			r->n++;
		} else if (r->n == cap) { /* more than the hint: grown by doubling */
			size_t nc = cap * 2;
			void *nv = nc < SIZE_MAX / sizeof(*r->cells)
			               ? realloc(r->cells, nc * sizeof(*r->cells))
			               : NULL;

			if (nv == NULL) {
				rc = KAM_ENOMEM;
				break;
			}
			r->cells = nv;
			cap = nc;
			x = &r->cells[r->n++];
		} else
			x = &r->cells[r->n++];
		x->account_id = c->ops->col_int(st, 0);
		x->mon = month_key(c->ops->col_text(st, 1));
		x->amount = c->ops->col_real(st, 2);
		sorted = sorted && (r->n == 1 || cmp_cell(&prev, x) < 0);
		prev = *x;
	}
	c->ops->done(st);
	if (rc >= 0 && blocks && r->n && (r->cells = malloc(r->n * sizeof(*r->cells))) == NULL)
		rc = KAM_ENOMEM;
	for (size_t b = 0; b < nblocks; b++) {
		size_t k = r->n - b * BLOCK < BLOCK ? r->n - b * BLOCK : BLOCK;

		if (rc >= 0)
			memcpy(r->cells + b * BLOCK, blocks[b], k * sizeof(*r->cells));
		free(blocks[b]);
	}
	free(blocks);
	if (rc < 0)
		goto fail;
	/* each account's cells together (the amounts are whole minor units: a sum does not
	 * depend on their order), with its first month and its last month with revenue, as
	 * min(month) and max(month) WHERE amount <> 0 give them */
	if (!sorted)
		qsort(r->cells, r->n, sizeof(*r->cells), cmp_cell);
	for (size_t i = 0; i < r->n;) {
		struct kpi_rollup_account *a =
		    vec_push((void **)&r->acc, &r->nacc, &acap, sizeof(*r->acc));
		int last = 0;
		bool any = false;

		if (a == NULL) {
			rc = KAM_ENOMEM;
			goto fail;
		}
		a->id = r->cells[i].account_id;
		a->start = i;
		month_text(r->cells[i].mon, a->first_month);
		for (; i < r->n && r->cells[i].account_id == a->id; i++)
			if (r->cells[i].amount != 0) {
				last = r->cells[i].mon; /* months ascending: the latest so far */
				any = true;
			}
		a->n = i - a->start;
		if (any)
			month_text(last, a->last_month);
	}
	return KAM_OK;
fail:
	store_kpi_rollup_free(r);
	return rc;
}

void store_kpi_rollup_free(struct kpi_rollup *r)
{
	free(r->cells);
	free(r->acc);
	memset(r, 0, sizeof(*r));
}
