/*
 * kam demo --accounts N --contacts N --transactions N: a large, deterministic data set for
 * benchmarks (DESIGN §7: up to 10,000 accounts, 100,000 contacts, 10,000,000 transactions).
 * Revenue follows a power law over accounts, spread over 36 months.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/rng.h"
#include "kam/auth.h"
#include "store/bulk.h"
#include "store/portfolio.h"
#include "util/time.h"

#define BATCH 65536
#define COMMIT_EVERY 1000000

static int insert(struct store_conn *c, const struct model_entity *e, json_t *rec, int64_t now,
		  int64_t *id)
{
	int64_t ignored;
	int rc = rec ? store_insert(c, e, rec, now, id ? id : &ignored) : KAM_ENOMEM;

	json_decref(rec);
	return rc;
}

static int users(struct store_conn *c, int nkams, const char *hash, int64_t now, int64_t *kam)
{
	char email[64], name[64];
	int rc = insert(c, &model_user,
			json_pack("{s:s,s:s,s:s,s:s}", "email", "admin@example.com", "name",
				  "Ada Admin", "role", "admin", "password_hash", hash),
			now, NULL);

	if (rc == KAM_OK)
		rc = insert(c, &model_user,
			    json_pack("{s:s,s:s,s:s,s:s}", "email", "director@example.com", "name",
				      "Dana Director", "role", "director", "password_hash", hash),
			    now, NULL);
	for (int i = 0; i < nkams && rc == KAM_OK; i++) {
		snprintf(email, sizeof(email), "kam%d@example.com", i + 1);
		snprintf(name, sizeof(name), "KAM %d", i + 1);
		rc = insert(c, &model_user,
			    json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", name, "role", "kam",
				      "password_hash", hash),
			    now, &kam[i]);
	}
	return rc;
}

int cli_demo_large(struct store *st, uint64_t seed, long accounts, long contacts,
		   long transactions)
{
	struct rng r = {seed * UINT64_C(0x9E3779B97F4A7C15) + 3};
	struct store_conn *c = NULL;
	int nkams = (int)(accounts / 8 > 2 ? accounts / 8 : 2);
	int64_t *kam = calloc((size_t)nkams, sizeof(*kam)), *acc = calloc((size_t)accounts, 8),
		prod[20], now = time_now(), n = 0;
	double *cum = calloc((size_t)accounts, sizeof(double)), total = 0, t0 = time_mono_ms();
	struct store_bulk_txn *batch = calloc(BATCH, sizeof(*batch));
	char hash[AUTH_HASH_LEN], months[36][8];
	long done = 0;
	int rc;

	if (!kam || !acc || !cum || !batch) {
		rc = KAM_ENOMEM;
		goto out;
	}
	store_acquire(st, &c);
	if ((rc = store_user_count(c, &n)) != KAM_OK)
		goto out;
	if (n > 0) {
		fprintf(stderr, "kam: the database is not empty; demo data goes only into an empty "
				"database\n");
		rc = KAM_ECONFLICT;
		goto out;
	}
	if ((rc = store_bulk_setup(c)) != KAM_OK || (rc = auth_password_hash(DEMO_PASSWORD, hash)) != KAM_OK ||
	    (rc = store_begin(c, true)) != KAM_OK || (rc = users(c, nkams, hash, now, kam)) != KAM_OK)
		goto out;
	for (int i = 0; i < 20 && rc == KAM_OK; i++) {
		char name[32];

		snprintf(name, sizeof(name), "Product %02d", i + 1);
		rc = insert(c, &model_product,
			    json_pack("{s:s,s:s}", "name", name, "family", i < 8 ? "Platform" : "Services"),
			    now, &prod[i]);
	}
	for (long a = 0; a < accounts && rc == KAM_OK; a++) {
		char name[64], date[11];
		double u = unit_rand(&r);
		const char *status = u < 0.03 ? "churned" : u < 0.05 ? "prospect" : "active";
		json_t *rec;

		snprintf(name, sizeof(name), "Account %05ld", a + 1);
		time_date(now - (int64_t)(400 + (rnd(&r) % 3000)) * 86400, date, sizeof(date));
		rec = json_pack("{s:s,s:I,s:s,s:s,s:s,s:I,s:i,s:i,s:i,s:i}", "name", name, "owner_id",
				(json_int_t)kam[a % nkams], "status", status, "acquired_on", date,
				"currency", "EUR", "potential_annual_spend",
				(json_int_t)(1e8 / pow((double)a + 1, 0.8)), "strategic_importance",
				(int)(1 + rnd(&r) % 5), "growth_potential", (int)(1 + rnd(&r) % 5),
				"industry_influence", (int)(1 + rnd(&r) % 5), "relationship_strength",
				(int)(1 + rnd(&r) % 5));
		if (!strcmp(status, "prospect"))
			json_object_del(rec, "acquired_on");
		if (!strcmp(status, "churned")) {
			time_date(now - (int64_t)(rnd(&r) % 300) * 86400, date, sizeof(date));
			json_object_set_new(rec, "churned_on", json_string(date));
		}
		rc = insert(c, &model_account, rec, now, &acc[a]);
		total += 1.0 / pow((double)a + 1, 1.1);
		cum[a] = total;
	}
	for (long k = 0; k < contacts && rc == KAM_OK; k++) {
		char name[48];

		snprintf(name, sizeof(name), "Contact %06ld", k + 1);
		rc = insert(c, &model_contact,
			    json_pack("{s:I,s:s,s:i}", "account_id", (json_int_t)acc[k % accounts],
				      "name", name, "influence", (int)(1 + rnd(&r) % 5)),
			    now, NULL);
	}
	if (rc == KAM_OK)
		rc = store_commit(c);
	if (rc != KAM_OK)
		goto out;
	fprintf(stderr, "demo: %ld accounts, %ld contacts in %.1f s\n", accounts, contacts,
		(time_mono_ms() - t0) / 1000);
	for (int m = 0; m < 36; m++)
		time_month_key(now, m - 35, months[m], sizeof(months[m]));
	while (done < transactions && rc == KAM_OK) {
		size_t k = 0;

		if ((rc = store_begin(c, true)) != KAM_OK)
			break;
		for (long in_tx = 0; in_tx < COMMIT_EVERY && done < transactions && rc == KAM_OK;) {
			for (k = 0; k < BATCH && done + (long)k < transactions; k++) {
				/* pick an account by its share of the power law: binary search */
				double x = unit_rand(&r) * total;
				long lo = 0, hi = accounts - 1;
				int m = (int)(rnd(&r) % 35); /* the current month is not over */

				while (lo < hi) {
					long mid = (lo + hi) / 2;

					if (cum[mid] < x)
						lo = mid + 1;
					else
						hi = mid;
				}
				batch[k].account_id = acc[lo];
				batch[k].product_id = prod[rnd(&r) % 20];
				snprintf(batch[k].booked_on, sizeof(batch[k].booked_on), "%s-%02d",
					 months[m], (int)(1 + rnd(&r) % 28));
				batch[k].amount = (int64_t)(5000 + unit_rand(&r) * 200000);
			}
			rc = store_bulk_transactions(c, batch, k, "EUR", now);
			done += (long)k;
			in_tx += (long)k;
		}
		if (rc == KAM_OK)
			rc = store_commit(c);
		fprintf(stderr, "demo: %ld of %ld transactions (%.1f s)\n", done, transactions,
			(time_mono_ms() - t0) / 1000);
	}
	if (rc == KAM_OK && (rc = store_begin(c, true)) == KAM_OK &&
	    (rc = store_derived_rebuild(c)) == KAM_OK)
		rc = store_commit(c);
	if (rc == KAM_OK)
		printf("demo data loaded: %d kams, %ld accounts, %ld contacts, %ld transactions in "
		       "%.1f s; logins admin@example.com, director@example.com, kam1@example.com "
		       "(password %s)\n",
		       nkams, accounts, contacts, transactions, (time_mono_ms() - t0) / 1000,
		       DEMO_PASSWORD);
out:
	if (rc != KAM_OK && rc != KAM_ECONFLICT)
		fprintf(stderr, "kam: cannot load the demo data (error %d: %s)\n", rc,
			c ? store_last_error(c) : "");
	if (c)
		store_release(st, c);
	free(kam);
	free(acc);
	free(cum);
	free(batch);
	return rc;
}
