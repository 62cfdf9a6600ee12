/*
 * The demo's two groups of accounts (issue 18, docs/groups.md): Tyrell Robotics with a
 * subsidiary in the UK and one in Japan, which has its own in Osaka (three levels), and
 * Gringotts Finance with subsidiaries in Singapore and Brazil. Each subsidiary's chief
 * executive reports to the one of the entity above it, and the parent's plan is the group
 * plan the subsidiaries' plans link to. Written in the demo's transaction, with no draw
 * from the generator, so the rest of the demo stays as it was.
 */
#include <stdio.h>
#include "cli/cli.h"
#include "model/model.h"
#include "store/revenue.h"
#include "util/err.h"
#include "util/time.h"

static const struct {
	int index, parent; /* into the demo's accounts; parent -1: the top of a group */
	const char *country, *region;
} entities[] = {
    {8, -1, "DE", "EMEA"},  {19, 8, "JP", "APAC"},  {22, 8, "GB", "EMEA"},   {26, 19, "JP", "APAC"},
    {18, -1, "GB", "EMEA"}, {29, 18, "SG", "APAC"}, {27, 18, "BR", "LATAM"},
};
#define NENT (sizeof(entities) / sizeof(entities[0]))

/* The first row's first column of a one-argument query, 0 when there is none. */
static int first_id(struct store_conn *c, const char *sql, int64_t arg, int64_t *id)
{
	json_t *rows = NULL;
	int rc = store_rows(c, sql, arg, &rows);

	*id = 0;
	if (rc == KAM_OK && json_array_size(rows) > 0)
		*id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
	json_decref(rows);
	return rc;
}

static int patch(struct store_conn *c, const struct model_entity *e, int64_t id, json_t *p,
                 int64_t now)
{
	int rc = p ? store_update(c, e, id, p, -1, now) : KAM_ENOMEM;

	json_decref(p);
	return rc;
}

/* The top of a group's plan: its active plan, else a new one; *plan 0 for a churned top. */
static int group_plan(struct store_conn *c, int64_t account, int64_t now, int64_t *plan)
{
	char today[11], start[11], end[11];
	json_t *rec;
	int rc = first_id(c, "SELECT id FROM plans WHERE account_id = ? AND status = 'active'",
	                  account, plan);

	if (rc != KAM_OK)
		return rc;
	if (*plan)
		return patch(c, &model_plan, *plan,
		             json_pack("{s:s,s:s}", "title", "Group plan", "vision",
		                       "One supplier for the whole group's operations "
		                       "data, country by country."),
		             now);
	time_date(now, today, sizeof(today));
	snprintf(start, sizeof(start), "%.4s-01-01", today);
	snprintf(end, sizeof(end), "%.4s-12-31", today);
	rec = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "account_id", (json_int_t)account, "title",
	                "Group plan", "period_start", start, "period_end", end, "status", "active",
	                "vision",
	                "One supplier for the whole group's operations data, country by "
	                "country.");
	rc = rec ? store_insert(c, &model_plan, rec, now, plan) : KAM_ENOMEM;
	json_decref(rec);
	return rc;
}

int demo_groups(struct store_conn *c, const int64_t *acct, int nacct, int64_t now)
{
	int64_t plan[NENT] = {0}, ceo[NENT] = {0};
	int rc = KAM_OK;

	for (size_t i = 0; i < NENT && rc == KAM_OK; i++) {
		int64_t id = entities[i].index < nacct ? acct[entities[i].index] : 0;
		json_t *p;
		size_t top = i;

		if (id == 0)
			continue;
		p = json_pack("{s:s,s:s}", "country", entities[i].country, "region",
		              entities[i].region);
		for (size_t j = 0; j < i && p; j++)
			if (entities[j].index == entities[i].parent)
				json_object_set_new(p, "parent_id",
				                    json_integer(acct[entities[j].index]));
		if ((rc = patch(c, &model_account, id, p, now)) != KAM_OK)
			break;
		/* the chief executive: the contact who reports to nobody */
		if ((rc = first_id(
		         c,
		         "SELECT id FROM contacts WHERE account_id = ? AND reports_to_id IS "
		         "NULL ORDER BY id",
		         id, &ceo[i])) != KAM_OK)
			break;
		while (entities[top].parent >= 0)
			top--; /* the top of the group comes first in the table */
		if (top == i) {
			rc = group_plan(c, id, now, &plan[i]);
			continue;
		}
		/* to the chief executive of the entity just above */
		for (size_t j = 0; j < i && rc == KAM_OK; j++)
			if (entities[j].index == entities[i].parent && ceo[i] && ceo[j])
				rc = patch(c, &model_contact, ceo[i],
				           json_pack("{s:I}", "reports_to_id", (json_int_t)ceo[j]),
				           now);
		if (rc == KAM_OK &&
		    (rc = first_id(
		         c, "SELECT id FROM plans WHERE account_id = ? AND status = 'active'", id,
		         &plan[i])) == KAM_OK &&
		    plan[i] && plan[top])
			rc = patch(c, &model_plan, plan[i],
			           json_pack("{s:I}", "group_plan_id", (json_int_t)plan[top]), now);
	}
	return rc;
}
