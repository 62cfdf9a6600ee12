/* What ties a group's entities together on the account page (app/grouplinks.h). A group is an
 * account and every account under it through parent_id, at any depth; the walks stop at 64
 * levels, the depth check_parent (app/account.c) lets a chain reach. */
#include <string.h>
#include "app/grouplinks.h"
#include "store/revenue.h"
#include "util/time.h"

/* id and the accounts above it, nearest first: [{id, depth}] (owned). */
static int ancestors(struct store_conn *db, int64_t id, json_t **out)
{
	return store_rows(db,
	                  "WITH RECURSIVE up(id, parent_id, depth) AS (SELECT id, parent_id, 0 "
	                  "FROM accounts WHERE id = ? UNION ALL SELECT a.id, a.parent_id, "
	                  "up.depth + 1 FROM accounts a JOIN up ON a.id = up.parent_id WHERE "
	                  "up.depth < 64) SELECT id, depth FROM up ORDER BY depth",
	                  id, out);
}

int app_group_is_ancestor(struct store_conn *db, int64_t anc, int64_t id, bool *yes)
{
	json_t *up = NULL, *x;
	size_t i;
	int rc = ancestors(db, id, &up);

	*yes = false;
	if (rc != KAM_OK)
		return rc;
	json_array_foreach(up, i, x)
	{
		if (i > 0 && json_integer_value(json_object_get(x, "id")) == anc)
			*yes = true;
	}
	json_decref(up);
	return KAM_OK;
}

int app_group_root(struct store_conn *db, int64_t id, int64_t *root)
{
	json_t *up = NULL;
	int rc = ancestors(db, id, &up);

	*root = id;
	if (rc != KAM_OK)
		return rc;
	if (json_array_size(up) > 0)
		*root = json_integer_value(
		    json_object_get(json_array_get(up, json_array_size(up) - 1), "id"));
	json_decref(up);
	return KAM_OK;
}

int app_group_same(struct store_conn *db, int64_t a, int64_t b, bool *yes)
{
	int64_t ra, rb;
	int rc;

	*yes = false;
	if ((rc = app_group_root(db, a, &ra)) != KAM_OK ||
	    (rc = app_group_root(db, b, &rb)) != KAM_OK)
		return rc;
	*yes = ra == rb;
	return KAM_OK;
}

/* The entities of the group under root, root first, each after its parent, siblings by name. */
static int entities(struct store_conn *db, int64_t root, json_t **out)
{
	/* path orders a child after its parent: the names down from the root, then the id */
	return store_rows(db,
	                  "WITH RECURSIVE down(id, depth) AS (SELECT id, 0 FROM accounts WHERE "
	                  "id = ? UNION ALL SELECT a.id, down.depth + 1 FROM accounts a JOIN "
	                  "down ON a.parent_id = down.id WHERE down.depth < 64) SELECT a.id, "
	                  "a.name, a.parent_id, d.depth FROM down d JOIN accounts a ON a.id = "
	                  "d.id ORDER BY d.depth, a.name, a.id",
	                  root, out);
}

/* node and its subtree of flat (parents before children, siblings by name) onto out, each
 * parent followed by its children; the query bounded the depth. */
static void walk(json_t *flat, json_t *node, json_t *out)
{
	int64_t id = json_integer_value(json_object_get(node, "id"));
	json_t *x;
	size_t i;

	json_array_append(out, node);
	json_array_foreach(flat, i, x)
	{
		if (json_integer_value(json_object_get(x, "parent_id")) == id)
			walk(flat, x, out);
	}
}

static json_t *tree_order(json_t *flat)
{
	json_t *out = json_array();

	if (json_array_size(flat) > 0)
		walk(flat, json_array_get(flat, 0), out);
	return out;
}

int app_group_stakeholders(struct store_conn *db, const struct actor *who, int64_t id,
                           bool scope_group, json_t **out)
{
	json_t *flat = NULL, *ents = NULL, *shown = json_array(), *contacts = json_array(), *x;
	int64_t root = id;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = app_account_visible(db, who, id, NULL, NULL)) != KAM_OK)
		goto out;
	if (scope_group && (rc = app_group_root(db, id, &root)) != KAM_OK)
		goto out;
	if ((rc = entities(db, root, &flat)) != KAM_OK)
		goto out;
	ents = tree_order(flat);
	json_array_foreach(ents, i, x)
	{
		int64_t eid = json_integer_value(json_object_get(x, "id"));
		json_t *rows = NULL, *c;
		size_t j;

		if (!scope_group && eid != id)
			continue;
		rc = app_account_visible(db, who, eid, NULL, NULL);
		if (rc == KAM_ENOTFOUND)
			continue; /* an entity the caller cannot see is not on their map */
		if (rc != KAM_OK)
			goto out;
		json_array_append(shown, x);
		if ((rc = store_rows(
		         db,
		         "SELECT c.id, c.account_id, a.name AS account_name, c.name, "
		         "c.title, c.department, c.reports_to_id, c.influence, "
		         "c.attitude, c.decision_role, c.left_on, c.email, c.phone FROM "
		         "contacts c JOIN accounts a ON a.id = c.account_id WHERE "
		         "c.account_id = ? AND c.erased_at IS NULL ORDER BY c.name, c.id",
		         eid, &rows)) != KAM_OK)
			goto out;
		json_array_foreach(rows, j, c) json_array_append(contacts, c);
		json_decref(rows);
	}
	/* a manager who is not on this map (another entity the caller does not see, or outside
	 * the account when the scope is one account) is not named */
	json_array_foreach(contacts, i, x)
	{
		int64_t boss = json_integer_value(json_object_get(x, "reports_to_id"));
		bool here = false;
		json_t *y;
		size_t j;

		json_array_foreach(contacts, j, y) here |=
		    json_integer_value(json_object_get(y, "id")) == boss;
		json_object_set_new(x, "reports_elsewhere", json_boolean(boss > 0 && !here));
		if (boss > 0 && !here)
			json_object_set_new(x, "reports_to_id", json_null());
	}
	rc = KAM_OK;
	*out =
	    json_pack("{s:I,s:s,s:O,s:O}", "root_id", (json_int_t)root, "scope",
	              scope_group ? "group" : "account", "entities", shown, "contacts", contacts);
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	json_decref(flat);
	json_decref(ents);
	json_decref(shown);
	json_decref(contacts);
	return rc;
}

#define PLAN_COLS                                                                                  \
	"SELECT p.id, p.title, p.status, p.period_start, p.period_end, p.account_id, a.name AS "   \
	"account_name FROM plans p JOIN accounts a ON a.id = p.account_id "

int app_plan_group_plan(struct store_conn *db, const struct actor *who, const json_t *rec,
                        json_t **out)
{
	json_int_t gid = json_integer_value(json_object_get(rec, "group_plan_id"));
	json_t *rows = NULL, *p;
	int rc;

	*out = json_null();
	if (gid <= 0)
		return KAM_OK;
	if ((rc = store_rows(db, PLAN_COLS "WHERE p.id = ?", gid, &rows)) != KAM_OK)
		return rc;
	p = json_array_get(rows, 0);
	if (p) {
		rc = app_account_visible(
		    db, who, json_integer_value(json_object_get(p, "account_id")), NULL, NULL);
		if (rc == KAM_OK)
			*out = json_incref(p);
		else if (rc == KAM_ENOTFOUND)
			rc = KAM_OK;
	}
	json_decref(rows);
	return rc;
}

int app_plan_entity_plans(struct store_conn *db, const struct actor *who, int64_t id, json_t **out)
{
	json_t *rows = NULL, *x;
	size_t i;
	int rc;

	*out = json_array();
	if ((rc = store_rows(db, PLAN_COLS "WHERE p.group_plan_id = ? ORDER BY a.name, p.id", id,
	                     &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i, x)
	{
		rc = app_account_visible(
		    db, who, json_integer_value(json_object_get(x, "account_id")), NULL, NULL);
		if (rc == KAM_OK)
			json_array_append(*out, x);
		else if (rc != KAM_ENOTFOUND)
			break;
		rc = KAM_OK;
	}
	json_decref(rows);
	return rc;
}

int app_group_unlink_moved(struct store_conn *db, const struct actor *who, int64_t moved)
{
	json_t *rows = NULL, *x;
	size_t i;
	int rc;

	/* the plans of the moved account and everything under it that link to a group plan */
	if ((rc = store_rows(db,
	                     "WITH RECURSIVE down(id, depth) AS (SELECT id, 0 FROM accounts WHERE "
	                     "id = ? UNION ALL SELECT a.id, down.depth + 1 FROM accounts a JOIN "
	                     "down ON a.parent_id = down.id WHERE down.depth < 64) SELECT p.id, "
	                     "p.account_id, g.account_id AS group_account FROM plans p JOIN plans "
	                     "g ON g.id = p.group_plan_id WHERE p.account_id IN (SELECT id FROM "
	                     "down) ORDER BY p.id",
	                     moved, &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i, x)
	{
		int64_t id = json_integer_value(json_object_get(x, "id"));
		json_t *before = NULL, *after = NULL, *patch;
		bool still;

		if ((rc = app_group_is_ancestor(
		         db, json_integer_value(json_object_get(x, "group_account")),
		         json_integer_value(json_object_get(x, "account_id")), &still)) != KAM_OK)
			break;
		if (still)
			continue;
		if ((patch = json_pack("{s:n}", "group_plan_id")) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		if ((rc = store_get(db, &model_plan, id, &before, NULL)) == KAM_OK &&
		    (rc = store_update(db, &model_plan, id, patch, -1, time_now())) == KAM_OK &&
		    (rc = store_get(db, &model_plan, id, &after, NULL)) == KAM_OK)
			rc = app_audit(db, who, "update", "plan", id, before, after);
		json_decref(patch);
		json_decref(before);
		json_decref(after);
		if (rc != KAM_OK)
			break;
	}
	json_decref(rows);
	return rc;
}
