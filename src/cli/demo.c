/*
 * kam demo: a small, deterministic data set (same seed, same data) with a few KAMs,
 * ~30 accounts, their contacts with reporting lines, and account teams.
 */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/rng.h"
#include "app/playbooks.h"
#include "kam/auth.h"
#include "util/time.h"

static const struct {
	const char *email, *name, *role;
} users[] = {
	{"admin@example.com", "Ada Admin", "admin"},
	{"director@example.com", "Dana Director", "director"},
	{"anna@example.com", "Anna Berg", "kam"},
	{"ben@example.com", "Ben Osei", "kam"},
	{"chloe@example.com", "Chloé Martin", "kam"},
	{"dev@example.com", "Dev Patel", "kam"},
	{"mia@example.com", "Mia Jensen", "member"},
	{"sam@example.com", "Sam Rivera", "member"},
	{"viewer@example.com", "Vic Viewer", "viewer"},
};

static const char *const names[] = {
	"Northwind Traders", "Contoso Pharma",	 "Fabrikam Motors",   "Globex Energy",
	"Initech Systems",   "Umbrella Foods",	 "Stark Logistics",   "Wayne Aerospace",
	"Tyrell Robotics",   "Cyberdyne Health", "Soylent Retail",    "Hooli Cloud",
	"Vandelay Imports",  "Acme Industrial",	 "Aperture Labs",     "Massive Dynamic",
	"Oscorp Chemicals",  "Wonka Confection", "Gringotts Finance", "Tyrell Robotics Japan",
	"Pied Piper Media",  "Dunder Paper",	 "Tyrell Robotics UK",   "Blue Sun Fuel",
	"Nakatomi Trading",  "Virtucon Steel",	 "Tyrell Osaka Works",    "Gringotts Brasil",
	"Prestige Worldwide", "Gringotts Singapore",	 "Weyland Mining",    "Zorg Industries",
};
static const char *const industries[] = {"Manufacturing", "Pharma", "Automotive", "Energy",
					 "Software",	  "Retail", "Logistics",  "Finance"};
static const char *const regions[][2] = {{"EMEA", "DE"}, {"EMEA", "FR"}, {"EMEA", "GB"},
					 {"NA", "US"},	 {"NA", "CA"},	 {"APAC", "JP"},
					 {"APAC", "SG"}, {"LATAM", "BR"}};
static const char *const tags[] = {"strategic", "at-risk", "expansion", "new-logo", "renewal-2027"};
static const char *const first[] = {"Emma", "Lukas", "Sofia", "Noah", "Olivia", "Mateo", "Yuki",
				    "Amara", "Jonas", "Priya", "Liam", "Elena", "Omar", "Hana"};
static const char *const last[] = {"Schmidt", "Dubois", "Smith", "Tanaka", "Silva", "Kowalski",
				   "Nguyen", "Okafor", "Rossi", "Larsen", "Haddad", "Kim"};
static const struct {
	const char *title, *dept;
	int level;
} titles[] = {
	{"Chief Executive Officer", "Executive", 0}, {"Chief Procurement Officer", "Procurement", 1},
	{"CIO", "IT", 1},			     {"Head of Operations", "Operations", 1},
	{"Category Manager", "Procurement", 2},	     {"IT Architect", "IT", 2},
	{"Plant Manager", "Operations", 2},	     {"Buyer", "Procurement", 3},
};
static const char *const attitudes[] = {"champion", "supporter", "neutral", "critic", "blocker"};
static const char *const droles[] = {"decision_maker", "economic_buyer", "influencer", "user",
				     "gatekeeper"};
static const char *const team_roles[] = {"executive_sponsor", "solution_engineer",
					 "support_lead", "delivery_manager"};

/* A renewal playbook under way (issue 17): "Renewal preparation" started by hand by the KAM
 * of the last account with an active plan (the first ones are every test's favourites), in
 * a transaction of its own. */
static int add_running_playbook(struct store_conn *c, const int64_t *acct, int n, int64_t now)
{
	json_t *body = json_pack("{s:i}", "playbook_id", 1), *run = NULL;
	int rc = KAM_ENOTFOUND;

	for (int i = n - 1; i >= 0 && rc != KAM_OK; i--) {
		struct kam_errinfo ei = {0};
		struct actor kam = {.role = ROLE_KAM, .now = now};
		json_t *a = NULL;

		if (store_get(c, &model_account, acct[i], &a, NULL) != KAM_OK)
			continue;
		kam.user_id = json_integer_value(json_object_get(a, "owner_id"));
		json_decref(a);
		rc = app_run_start(c, &kam, acct[i], body, &run, &ei);
		err_clear(&ei);
		json_decref(run);
		run = NULL;
	}
	json_decref(body);
	/* an installation without the default playbook has no demo run: no error */
	return rc == KAM_ENOMEM || rc == KAM_EBUSY ? rc : KAM_OK;
}

static int add_user(struct store_conn *c, int i, const char *hash, int64_t now, int64_t *id)
{
	json_t *u = json_pack("{s:s,s:s,s:s,s:s}", "email", users[i].email, "name", users[i].name,
			      "role", users[i].role, "password_hash", hash);
	int rc = store_insert(c, &model_user, u, now, id);

	json_decref(u);
	return rc;
}

/* The contact's relationship owner covers a decider or influencer, as strongly as the contact
 * is influential, verified some days ago (a few over 180: stale); one in five stays uncovered.
 * No draw from the generator, so the rest of the demo stays as it was. */
static int add_coverage(struct store_conn *c, int64_t account_id, int k, int64_t contact,
                        int64_t user, int strength, int64_t now)
{
	char day[16];
	json_t *rec;
	int rc;

	if ((account_id + k) % 5 == 0)
		return KAM_OK;
	time_date(now - (int64_t)((account_id * 37 + k * 53) % 300) * 86400, day, sizeof(day));
	rec = json_pack("{s:I,s:I,s:I,s:i,s:s}", "account_id", (json_int_t)account_id, "contact_id",
	                (json_int_t)contact, "user_id", (json_int_t)user, "strength", strength,
	                "verified_on", day);
	rc = rec ? store_insert(c, &model_coverage, rec, now, &(int64_t){0}) : KAM_ENOMEM;
	json_decref(rec);
	return rc;
}

static int add_contacts(struct store_conn *c, struct rng *r, int64_t account_id,
			const int64_t *uid, int64_t now)
{
	int64_t ids[8] = {0};
	int levels[8] = {0};
	int n = 4 + pick(r, 5), rc = KAM_OK;

	for (int k = 0; k < n && rc == KAM_OK; k++) {
		int t = k == 0 ? 0 : 1 + pick(r, 7);
		char name[64], email[128];
		const char *role;
		int64_t boss = 0;
		int influence;
		json_t *ct;

		snprintf(name, sizeof(name), "%s %s", first[pick(r, 14)], last[pick(r, 12)]);
		snprintf(email, sizeof(email), "contact%lld.%d@client.example", (long long)account_id,
			 k);
		/* report to the latest contact above one's level, so the org chart is a tree */
		for (int j = k - 1; j >= 0 && boss == 0; j--)
			if (levels[j] < titles[t].level)
				boss = ids[j];
		levels[k] = titles[t].level;
		ct = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:I}", "account_id",
			       (json_int_t)account_id, "name", name, "title", titles[t].title,
			       "department", titles[t].dept, "email", email, "influence",
			       5 - titles[t].level - pick(r, 2) > 0 ? 5 - titles[t].level - pick(r, 2)
								   : 1,
			       "attitude", attitudes[pick(r, 5)], "decision_role",
			       droles[titles[t].level == 0 ? 0 : pick(r, 5)],
			       "relationship_owner_id", (json_int_t)uid[2 + pick(r, 4)]);
		if (boss)
			json_object_set_new(ct, "reports_to_id", json_integer(boss));
		rc = store_insert(c, &model_contact, ct, now, &ids[k]);
		if (rc == KAM_OK &&
		    (influence = (int)json_integer_value(json_object_get(ct, "influence"))) &&
		    (role = json_string_value(json_object_get(ct, "decision_role"))) &&
		    (strcmp(role, "user") && strcmp(role, "gatekeeper")))
			rc = add_coverage(
			    c, account_id, k, ids[k],
			    json_integer_value(json_object_get(ct, "relationship_owner_id")),
			    influence, now);
		json_decref(ct);
	}
	return rc;
}

int cli_demo(struct store *st, uint64_t seed)
{
	struct store_conn *c = NULL;
	struct rng r = {seed * UINT64_C(0x9E3779B97F4A7C15) + 1};
	int64_t uid[sizeof(users) / sizeof(users[0])], n = 0, now = time_now(), acct[30];
	char hash[AUTH_HASH_LEN];
	int rc;

	store_acquire(st, &c);
	if ((rc = store_user_count(c, &n)) != KAM_OK)
		goto out;
	if (n > 0) {
		fprintf(stderr, "kam: the database already has users; demo data goes only into an "
				"empty database\n");
		rc = KAM_ECONFLICT;
		goto out;
	}
	if ((rc = auth_password_hash(DEMO_PASSWORD, hash)) != KAM_OK)
		goto out;
	if ((rc = store_begin(c, true)) != KAM_OK)
		goto out;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if ((rc = add_user(c, (int)i, hash, now, &uid[i])) != KAM_OK)
			goto out;
	for (int a = 0; a < 30; a++) {
		char date[11], web[128], *p;
		int reg = pick(&r, 8), owner = 2 + a % 4, status = pick(&r, 10);
		int64_t id;
		json_t *rec, *tg = json_array();

		snprintf(web, sizeof(web), "https://www.%s.example", names[a]);
		for (p = web + 12; *p; p++)
			*p = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		time_date(now - (int64_t)(200 + pick(&r, 2500)) * 86400, date, sizeof(date));
		if (pick(&r, 3) == 0)
			json_array_append_new(tg, json_string(tags[pick(&r, 5)]));
		rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:s,s:i,s:i,s:i,s:o}", "name",
				 names[a], "industry", industries[pick(&r, 8)], "region",
				 regions[reg][0], "country", regions[reg][1], "website", web,
				 "owner_id", (json_int_t)uid[owner], "status",
				 status == 0 ? "prospect" : "active", "acquired_on", date,
				 "potential_annual_spend",
				 (json_int_t)(500000 + pick(&r, 9500000)) * 100, "currency",
				 reg >= 3 && reg <= 4 ? "USD" : "EUR", "strategic_importance",
				 1 + pick(&r, 5), "growth_potential", 1 + pick(&r, 5),
				 "industry_influence", 1 + pick(&r, 5), "tags", tg);
		if (status == 0)
			json_object_del(rec, "acquired_on");
		rc = store_insert(c, &model_account, rec, now, &id);
		json_decref(rec);
		acct[a] = id;
		if (rc != KAM_OK)
			goto out;
		if ((rc = add_contacts(c, &r, id, uid, now)) != KAM_OK)
			goto out;
		for (int m = 0; m < 2; m++) {
			bool created;
			int64_t who = uid[m == 0 ? 6 + pick(&r, 2) : 2 + (owner - 1) % 4];

			if ((rc = store_team_put(c, id, who, team_roles[pick(&r, 4)], now,
						 &created)) != KAM_OK)
				goto out;
		}
	}
	if ((rc = demo_cycle(c, seed, acct, 30, uid, now)) != KAM_OK ||
	    (rc = demo_contracts(c, acct, 30, now)) != KAM_OK ||
	    (rc = demo_groups(c, acct, 30, now)) != KAM_OK)
		goto out;
	if ((rc = store_audit_add(c, 0, "demo", "database", 0, NULL, NULL, now)) != KAM_OK)
		goto out;
	if ((rc = store_commit(c)) != KAM_OK || (rc = demo_forecast_history(c, now)) != KAM_OK)
		goto out;
	if ((rc = add_running_playbook(c, acct, 30, now)) != KAM_OK)
		goto out;
	printf("demo data loaded: %zu users, 30 accounts with contacts, teams, three years of "
	       "revenue, plans, opportunities, interactions, cases, risks, surveys, contracts and "
	       "two quarters of forecast history; two groups of accounts\n",
	       sizeof(users) / sizeof(users[0]));
	printf("logins (password %s):\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		printf("  %-22s %s\n", users[i].email, users[i].role);
out:
	if (rc != KAM_OK && rc != KAM_ECONFLICT)
		fprintf(stderr, "kam: cannot load the demo data (error %d)\n", rc);
	store_release(st, c);
	return rc;
}
