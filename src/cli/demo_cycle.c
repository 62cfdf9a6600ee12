/*
 * The KAM cycle part of kam demo: products, business units, three years of ERP revenue
 * (concentrated in few accounts, seasonal, some churned or declining), FX rates,
 * opportunities, living plans with overdue actions, interactions (some accounts gone
 * quiet or single-threaded), cases (some breaching their SLA), risks and surveys with
 * detractors — so every screen, KPI and alert has something true to show.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "kam/date.h"
#include "cli/rng.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "store/portfolio.h"
#include "util/err.h"
#include "util/time.h"

static const struct {
	const char *name, *family;
} products[] = {
	{"Core Platform", "Platform"},	 {"Analytics Suite", "Platform"},
	{"Field Service", "Services"},	 {"Managed Operations", "Services"},
	{"Sensors Kit", "Hardware"},	 {"Edge Gateway", "Hardware"},
};
#define NPRODUCTS 6

static const char *const units[] = {"Procurement", "Operations", "R&D", "Finance", "Logistics",
				    "Sales"};

static int insert(struct store_conn *c, const struct model_entity *e, json_t *rec, int64_t now,
		  int64_t *id)
{
	int64_t ignored;
	int rc = rec ? store_insert(c, e, rec, now, id ? id : &ignored) : KAM_ENOMEM;

	json_decref(rec);
	return rc;
}

static void date_of(int64_t t, char out[11])
{
	time_date(t, out, 11);
}

/* The annual revenue of the account ranked rank (0 = biggest): a steep power law. */
static double annual_revenue(int rank)
{
	return 6.0e8 / pow(rank + 1.0, 1.35); /* minor units: 6 M EUR for the top account */
}

static int add_revenue(struct store_conn *c, struct rng *r, int64_t account, int rank,
		       const char *cur, const int64_t *prod, const int64_t *unit, int nunits,
		       int churn_month, bool declining, int64_t now)
{
	char month0[8], date[11], ext[64], today[11];
	int rc = KAM_OK;
	int64_t in_base;
	double base = annual_revenue(rank) / 12.0;
	int nprod = 1 + (rank < 10 ? 3 : rank < 20 ? 1 : 0);

	date_of(now, today);
	for (int m = -35; m <= 0 && rc == KAM_OK; m++) {
		time_month_key(now, m, month0, sizeof(month0));
		if (churn_month && m > -churn_month)
			break; /* churned: revenue stops */
		for (int p = 0; p < nprod && rc == KAM_OK; p++) {
			date_t first = 0;
			int mon = 1;

			date_parse_month(month0, &first);
			date_ymd(first, NULL, &mon, NULL);
			double season = 1.0 + 0.25 * sin(2.0 * M_PI * (mon - 3) / 12.0);
			double trend = declining ? (m > -12 ? 0.55 : 1.0) : 1.0 + 0.004 * (m + 35);
			double amount = base / nprod * season * trend * (0.8 + 0.4 * unit_rand(r));
			int pi = (int)((account + p) % NPRODUCTS);

			snprintf(date, sizeof(date), "%s-%02d", month0, 5 + pick(r, 20));
			if (strcmp(date, today) > 0)
				continue; /* nothing is booked in the future */
			snprintf(ext, sizeof(ext), "ERP-%lld-%s-%d", (long long)account, month0, p);
			/* the same rule as any write: the rate, rounded (demo amounts always fit)
			 */
			if (!money_convert((int64_t)amount, strcmp(cur, "USD") == 0 ? 0.92 : 1,
			                   &in_base))
				return KAM_EINVAL;
			rc = insert(
			    c, &model_transaction,
			    json_pack("{s:I,s:I,s:I,s:s,s:I,s:s,s:I,s:s}", "account_id",
			              (json_int_t)account, "product_id", (json_int_t)prod[pi],
			              "unit_id", (json_int_t)unit[p % nunits], "booked_on", date,
			              "amount", (json_int_t)amount, "currency", cur, "amount_base",
			              (json_int_t)in_base, "external_id", ext),
			    now, NULL);
		}
	}
	return rc;
}

static int add_plan(struct store_conn *c, struct rng *r, int64_t account, int64_t owner,
		    int64_t member, int64_t now)
{
	static const char *const obj_titles[] = {"Grow share of wallet", "Expand into R&D unit",
						 "Secure multi-year renewal", "Lift NPS above 40",
						 "Launch joint innovation project"};
	static const char *const act_titles[] = {
		"Map the procurement decision process", "Run executive workshop",
		"Prepare renewal proposal", "Introduce our CTO to their CIO",
		"Quarterly business review deck", "Pilot Analytics Suite in Operations",
		"Agree success metrics with the sponsor"};
	char year[5], start[11], end[11], due[11], held[11], next[11];
	int64_t plan, obj[3];
	int rc, nobj = 2 + pick(r, 2);

	date_of(now, due);
	snprintf(year, sizeof(year), "%.4s", due);
	snprintf(start, sizeof(start), "%s-01-01", year);
	snprintf(end, sizeof(end), "%s-12-31", year);
	rc = insert(c, &model_plan,
		    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "account_id", (json_int_t)account,
			      "title", "Account plan", "period_start", start, "period_end", end,
			      "status", "active", "situation",
			      "Long-standing customer; procurement is consolidating suppliers.",
			      "vision", "Become their strategic partner for operations data."),
		    now, &plan);
	for (int i = 0; i < nobj && rc == KAM_OK; i++) {
		double base = 10 + pick(r, 20), target = base + 10 + pick(r, 20);
		static const char *const st[] = {"on_track", "on_track", "at_risk", "achieved"};

		date_of(now + (int64_t)(pick(r, 200) - 60) * 86400, due);
		rc = insert(c, &model_objective,
			    json_pack("{s:I,s:I,s:s,s:s,s:f,s:f,s:f,s:s,s:s}", "plan_id",
				      (json_int_t)plan, "account_id", (json_int_t)account, "title",
				      obj_titles[pick(r, 5)], "metric", "%", "baseline", base,
				      "target", target, "current", base + (target - base) * unit_rand(r),
				      "due_on", due, "status", st[pick(r, 4)]),
			    now, &obj[i]);
	}
	/* one in four plans also has an objective measured from data (no draw from the
	 * generator: the rest of the demo stays as it was) */
	if (rc == KAM_OK && account % 4 == 0)
		rc = insert(c, &model_objective,
			    json_pack("{s:I,s:I,s:s,s:s,s:i,s:s}", "plan_id", (json_int_t)plan,
				      "account_id", (json_int_t)account, "title",
				      "NPS of 70 or more, measured from the surveys", "measure", "nps",
				      "target", 70, "status", "on_track"),
			    now, &(int64_t){0});
	for (int i = 0; i < 3 + pick(r, 3) && rc == KAM_OK; i++) {
		int days = pick(r, 150) - 60; /* some already past due */
		bool done = days < -30 && pick(r, 2);
		json_t *a;

		date_of(now + (int64_t)days * 86400, due);
		a = json_pack("{s:I,s:I,s:I,s:s,s:I,s:s,s:s}", "plan_id", (json_int_t)plan,
			      "account_id", (json_int_t)account, "objective_id",
			      (json_int_t)obj[pick(r, nobj)], "title", act_titles[pick(r, 7)],
			      "owner_id", (json_int_t)(pick(r, 3) ? owner : member), "due_on", due,
			      "status", done ? "done" : days < 0 ? "open" : "in_progress");
		if (done)
			json_object_set_new(a, "done_on", json_string(due));
		/* the mutual action plan (issue 19): the second action is the client's, the third
		 * a joint one (no draw: the rest of the demo stays as it was) */
		if (i == 1 || i == 2)
			json_object_set_new(a, "side", json_string(i == 1 ? "theirs" : "joint"));
		rc = insert(c, &model_action, a, now, NULL);
	}
	if (rc == KAM_OK)
		rc = insert(c, &model_plan_resource,
			    json_pack("{s:I,s:I,s:I,s:s,s:i}", "plan_id", (json_int_t)plan,
				      "account_id", (json_int_t)account, "user_id", (json_int_t)member,
				      "role", "solution engineer", "commitment_hours_per_month",
				      8 + pick(r, 24)),
			    now, NULL);
	for (int q = 0; q < 1 + pick(r, 3) && rc == KAM_OK; q++) {
		date_of(now - (int64_t)(20 + q * 91 + pick(r, 10)) * 86400, held);
		date_of(now - (int64_t)(20 + q * 91) * 86400 + 91 * 86400, next);
		rc = insert(c, &model_review,
			    json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "plan_id", (json_int_t)plan,
				      "account_id", (json_int_t)account, "held_on", held, "kind",
				      q == 0 ? "qbr" : "internal", "notes",
				      "Reviewed objectives; sponsor asked for a roadmap session.",
				      "next_review_on", next),
			    now, NULL);
	}
	return rc;
}

int demo_cycle(struct store_conn *c, uint64_t seed, const int64_t *acct, int nacct,
	       const int64_t *uid, int64_t now)
{
	struct rng r = {seed * UINT64_C(0xD1B54A32D192ED03) + 7};
	int64_t prod[NPRODUCTS], ids[64];
	char date[11];
	int rc = KAM_OK;

	for (int i = 0; i < NPRODUCTS && rc == KAM_OK; i++)
		rc = insert(c, &model_product,
			    json_pack("{s:s,s:s}", "name", products[i].name, "family",
				      products[i].family),
			    now, &prod[i]);
	for (int y = -3; y <= 0 && rc == KAM_OK; y++) {
		char from[8];

		time_month_key(now, y * 12, from, sizeof(from));
		snprintf(date, sizeof(date), "%.4s-01-01", from);
		rc = insert(c, &model_fx_rate,
			    json_pack("{s:s,s:s,s:f}", "currency", "USD", "valid_from", date, "rate",
				      0.92),
			    now, NULL);
	}
	for (int a = 0; a < nacct && rc == KAM_OK; a++) {
		int64_t id = acct[a], unit[4], owner, member;
		json_t *acc = NULL, *contacts = NULL, *cl = NULL;
		struct store_list q = {.limit = 50};
		int nunits = 2 + pick(&r, 3), rank = (a * 7) % nacct, nct;
		/* a few stories: churned, declining, gone quiet, single-threaded */
		bool churned = a == 11 || a == 23, declining = a == 5 || a == 17;
		bool quiet = a % 9 == 4, single = a % 7 == 3;
		char *next = NULL;
		const char *cur;

		if ((rc = store_get(c, &model_account, id, &acc, NULL)) != KAM_OK)
			break;
		owner = json_integer_value(json_object_get(acc, "owner_id"));
		member = uid[6 + pick(&r, 2)];
		cur = json_string_value(json_object_get(acc, "currency"));
		if (strcmp(json_string_value(json_object_get(acc, "status")), "prospect") == 0) {
			json_decref(acc);
			continue;
		}
		for (int u = 0; u < nunits && rc == KAM_OK; u++)
			rc = insert(c, &model_unit,
				    json_pack("{s:I,s:s}", "account_id", (json_int_t)id, "name",
					      units[(a + u) % 6]),
				    now, &unit[u]);
		if (rc == KAM_OK) {
			json_t *patch = json_pack("{s:i}", "relationship_strength", 1 + pick(&r, 5));

			if (churned) {
				date_of(now - 150 * 86400, date);
				json_object_set_new(patch, "status", json_string("churned"));
				json_object_set_new(patch, "churned_on", json_string(date));
			}
			rc = store_update(c, &model_account, id, patch, -1, now);
			json_decref(patch);
		}
		if (rc == KAM_OK)
			rc = add_revenue(c, &r, id, rank, cur, prod, unit, nunits, churned ? 5 : 0,
					 declining, now);
		for (int o = 0; o < 1 + pick(&r, 3) && rc == KAM_OK && !churned; o++) {
			static const char *const kinds[] = {"upsell", "cross_sell", "renewal",
							    "new_business"};
			static const char *const stages[] = {"identified", "qualified", "proposal",
							     "negotiation", "won", "lost"};
			const char *stage = stages[pick(&r, 6)];
			json_t *op;
			char nm[96];

			/* a name in words ("Analytics Suite cross-sell"), not the kind */
			static const char *const said[] = {"upsell", "cross-sell", "renewal",
			                                   "new business"};

			snprintf(nm, sizeof(nm), "%s %s", products[(a + o) % NPRODUCTS].name,
			         said[o % 4]);
			date_of(now + (int64_t)(pick(&r, 240) - 30) * 86400, date);
			op = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:s,s:I,s:i}", "account_id",
				       (json_int_t)id, "name", nm, "kind", kinds[o % 4], "product_id",
				       (json_int_t)prod[(a + o) % NPRODUCTS], "unit_id",
				       (json_int_t)unit[o % nunits], "amount",
				       (json_int_t)(annual_revenue(rank) * (0.05 + 0.2 * unit_rand(&r))),
				       "currency", cur, "stage", stage, "expected_close_on", date,
				       "owner_id", (json_int_t)owner, "probability",
				       revenue_stage_probability(stage));
			if (strcmp(stage, "won") == 0 || strcmp(stage, "lost") == 0) {
				date_of(now - (int64_t)pick(&r, 200) * 86400, date);
				json_object_set_new(op, "closed_on", json_string(date));
			}
			rc = insert(c, &model_opportunity, op, now, NULL);
		}
		if (rc == KAM_OK && !churned && a % 3 != 2)
			rc = add_plan(c, &r, id, owner, member, now);
		/* the account's contacts, for interactions and surveys */
		if (rc == KAM_OK) {
			q.filters = cl = json_pack("{s:o}", "account_id",
						       json_sprintf("%lld", (long long)id));
			rc = store_list(c, &model_contact, &q, &contacts, &next);
			free(next);
		}
		nct = contacts ? (int)json_array_size(contacts) : 0;
		for (int k = 0; k < nct && k < 64; k++)
			ids[k] = json_integer_value(json_object_get(json_array_get(contacts, k), "id"));
		for (int i = 0; i < (churned ? 3 : 6 + pick(&r, 14)) && rc == KAM_OK && nct; i++) {
			static const char *const kinds[] = {"meeting", "call", "email", "visit", "qbr"};
			int64_t ago = (quiet ? 100 : 2) + (int64_t)pick(&r, 330);
			char ts[32];
			int k1 = single ? 0 : pick(&r, nct), k2 = single ? 0 : pick(&r, nct);
			json_t *cids = k1 == k2 ? json_pack("[I]", (json_int_t)ids[k1])
					      : json_pack("[I,I]", (json_int_t)ids[k1],
							  (json_int_t)ids[k2]);

			time_rfc3339(now - ago * 86400 - pick(&r, 36000), ts, sizeof(ts));
			rc = insert(c, &model_interaction,
				    json_pack("{s:I,s:s,s:s,s:[I],s:o,s:s,s:i,s:s}", "account_id",
					      (json_int_t)id, "kind", kinds[pick(&r, 5)], "occurred_at",
					      ts, "user_ids", (json_int_t)owner, "contact_ids", cids,
					      "summary", "Discussed roadmap, open cases and next steps.",
					      "sentiment", pick(&r, 5) - 2, "next_step",
					      "Send follow-up summary"),
				    now, NULL);
		}
		for (int i = 0; i < pick(&r, 4) && rc == KAM_OK; i++) {
			static const char *const sev[] = {"low", "medium", "high", "critical"};
			int64_t opened = now - (int64_t)(1 + pick(&r, 120)) * 86400;
			char o[32], f[32], res[32];
			bool resolved = pick(&r, 3) != 0;
			json_t *cs;

			time_rfc3339(opened, o, sizeof(o));
			time_rfc3339(opened + 3600 * (1 + pick(&r, 6)), f, sizeof(f));
			time_rfc3339(opened + 3600 * (2 + pick(&r, 150)), res, sizeof(res));
			cs = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "account_id", (json_int_t)id,
				       "title", "Delivery delay on spare parts", "severity",
				       sev[pick(&r, 4)], "status", resolved ? "resolved" : "open",
				       "opened_at", o, "first_response_at", f, "owner_id",
				       (json_int_t)member);
			if (resolved)
				json_object_set_new(cs, "resolved_at", json_string(res));
			/* raised by the account's first contact (the client workspace shows them) */
			if (nct)
				json_object_set_new(cs, "contact_id", json_integer(ids[0]));
			rc = insert(c, &model_case, cs, now, NULL);
		}
		for (int i = 0; i < pick(&r, 3) && rc == KAM_OK; i++) {
			static const char *const cat[] = {"relationship", "financial", "competitive",
							  "delivery", "regulatory"};

			date_of(now + (int64_t)(pick(&r, 90) - 30) * 86400, date);
			rc = insert(c, &model_risk,
				    json_pack("{s:I,s:s,s:s,s:i,s:i,s:s,s:I,s:s,s:s}", "account_id",
					      (json_int_t)id, "title",
					      i ? "Competitor pilot in Operations"
						: "Champion may leave after reorganisation",
					      "category", cat[pick(&r, 5)], "probability", 1 + pick(&r, 5),
					      "impact", 1 + pick(&r, 5), "mitigation",
					      "Build a second relationship at director level", "owner_id",
					      (json_int_t)owner, "status", "open", "review_on", date),
				    now, NULL);
		}
		for (int i = 0; i < 2 + pick(&r, 5) && rc == KAM_OK && nct; i++) {
			int score = declining || quiet ? pick(&r, 8) : 5 + pick(&r, 6);

			date_of(now - (int64_t)pick(&r, 700) * 86400, date);
			rc = insert(c, &model_survey,
				    json_pack("{s:I,s:s,s:I,s:s,s:i,s:s}", "account_id", (json_int_t)id,
					      "kind", i % 3 == 2 ? "csat" : "nps", "contact_id",
					      (json_int_t)ids[pick(&r, nct)], "answered_on", date, "score",
					      i % 3 == 2 ? (score > 8 ? 5 : 1 + score / 2) : score, "comment",
					      score <= 6 ? "Response times on cases are too slow."
							 : "Great partnership, proactive team."),
				    now, NULL);
		}
		json_decref(contacts);
		json_decref(cl);
		json_decref(acc);
	}
	if (rc == KAM_OK)
		rc = store_derived_rebuild(c);
	return rc;
}
