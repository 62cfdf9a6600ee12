/* /api/v1/contacts: the people of the client's organisation, with their place in it, and
 * /api/v1/coverage: which of our people covers them. Served by the generic resource handlers;
 * what is particular is the reporting line and the coverage grid. */
#include "app/access.h"
#include "app/contacts.h"
#include "app/record.h"
#include "app/scores.h"
#include "kam/coverage.h"
#include "store/revenue.h"

#define MAX_CHAIN 100

/* reports_to must be another contact of the same account or of another account of its group
 * (app_check_refs sees to that),
 * and following the chain up must never come back to this contact. */
static int contact_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                           const json_t *before, struct kam_errinfo *ei)
{
	int64_t self = before ? json_integer_value(json_object_get(before, "id")) : 0;
	int64_t boss = json_integer_value(json_object_get(rec, "reports_to_id"));
	json_t *was = before ? json_object_get(before, "attitude") : NULL;

	/* a changed attitude keeps what it was and since when: a champion turned critic is an
	 * alert (stakeholder_change) */
	if (before &&
	    !json_equal(was ? was : json_null(), json_object_get(rec, "attitude") ?: json_null())) {
		char today[DATE_LEN];
		int rc = app_today_text(db, who, today);

		if (rc != KAM_OK)
			return rc;
		if (json_object_set(rec, "attitude_was", was ? was : json_null()) != 0 ||
		    json_object_set_new(rec, "attitude_changed_on", json_string(today)) != 0)
			return KAM_ENOMEM;
	}

	for (int hops = 0; self > 0 && boss > 0 && hops < MAX_CHAIN; hops++) {
		json_t *b = NULL;
		int rc;

		if (boss == self) {
			err_field(ei, "reports_to_id", "would make a reporting loop");
			return KAM_EINVAL;
		}
		if ((rc = store_get(db, &model_contact, boss, &b, NULL)) != KAM_OK)
			return rc == KAM_ENOTFOUND ? KAM_OK : rc;
		boss = json_integer_value(json_object_get(b, "reports_to_id"));
		json_decref(b);
	}
	return KAM_OK;
}

const struct app_resource res_contacts = {
	.e = &model_contact,
	.base = "/api/v1/contacts",
	.scope = SCOPE_ACCOUNT,
	.prepare = contact_prepare,
	.cached = true,
};

const struct app_resource res_coverage = {
    .e = &model_coverage,
    .base = "/api/v1/coverage",
    .scope = SCOPE_ACCOUNT,
    .member_writes = true, /* the team records its own relationships */
    .conflict = "this person already covers this contact; change that link instead",
};

int app_account_coverage(struct store_conn *db, const struct actor *who, int64_t id, json_t **out)
{
	json_t *contacts = NULL, *people = NULL, *links = NULL;
	date_t today;
	int rc;

	*out = NULL;
	if (app_account_visible(db, who, id, NULL, NULL) != KAM_OK)
		return KAM_ENOTFOUND;
	if ((rc = app_today(db, who, &today)) != KAM_OK)
		return rc;
	/* the deciders first, then in the order they were added: the same on both backends */
	if ((rc = store_rows(
	         db,
	         "SELECT id, name, title, decision_role, attitude, left_on FROM contacts "
	         "WHERE account_id = ? AND erased_at IS NULL ORDER BY CASE decision_role "
	         "WHEN 'economic_buyer' THEN 0 WHEN 'decision_maker' THEN 1 WHEN "
	         "'influencer' THEN 2 ELSE 3 END, id",
	         id, &contacts)) != KAM_OK ||
	    /* the KAM, the team with its roles, and anyone else who covers someone */
	    (rc = store_rows(
	         db,
	         "SELECT u.id, u.name, CASE WHEN u.id = a.owner_id THEN 'kam' ELSE "
	         "t.role END AS role FROM accounts a JOIN users u ON u.id = a.owner_id OR "
	         "u.id IN (SELECT user_id FROM account_team WHERE account_id = a.id) OR "
	         "u.id IN (SELECT user_id FROM coverage WHERE account_id = a.id) LEFT "
	         "JOIN account_team t ON t.account_id = a.id AND t.user_id = u.id WHERE "
	         "a.id = ? ORDER BY CASE WHEN u.id = a.owner_id THEN 0 WHEN t.role IS "
	         "NULL THEN 2 ELSE 1 END, u.id",
	         id, &people)) != KAM_OK ||
	    (rc = store_rows(db,
	                     "SELECT id, contact_id, user_id, strength, verified_on FROM coverage "
	                     "WHERE account_id = ? ORDER BY id",
	                     id, &links)) != KAM_OK)
		goto out;
	if ((*out = coverage_grid(contacts, people, links, today)) == NULL)
		rc = KAM_ENOMEM;
	else
		json_object_set_new(*out, "account_id", json_integer(id));
out:
	json_decref(contacts);
	json_decref(people);
	json_decref(links);
	return rc;
}
