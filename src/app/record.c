/* Create, read, update and delete of every record that hangs off an account (app/record.h):
 * access, references, the resource's own checks, the write, money caps and the audit row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/alerts.h"
#include "app/grouplinks.h"
#include "app/record.h"
#include "app/webhook.h"
#include "kam/validate.h"
#include "util/time.h"

static const struct {
	const char *name;
	const struct model_entity *e;
} entities[] = {
    {"user", &model_user}, {"account", &model_account},     {"contact", &model_contact},
    {"plan", &model_plan}, {"objective", &model_objective}, {"product", &model_product},
    {"unit", &model_unit},
};

const struct model_entity *app_entity(const char *name)
{
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (strcmp(entities[i].name, name) == 0)
			return entities[i].e;
	return NULL;
}

/*
 * A reference to record id (of entity t, on account ref_acc) from a record of account_id. It
 * stays inside the account, except two that follow the group (app/grouplinks.h): a contact's
 * manager may be a contact of any account of the same group, and a plan's group plan must be
 * a plan of an account above it.
 */
static int check_cross(struct store_conn *db, const struct model_field *f,
                       const struct model_entity *t, int64_t id, int64_t ref_acc,
                       int64_t account_id, struct kam_errinfo *ei)
{
	bool ok = ref_acc == account_id;
	int rc = KAM_OK;

	if (strcmp(f->name, "group_plan_id") == 0) {
		if ((rc = app_group_is_ancestor(db, ref_acc, account_id, &ok)) != KAM_OK)
			return rc;
		if (!ok)
			err_field(ei, f->name,
			          "plan %lld is not a plan of an account this one belongs to (its "
			          "parent, or higher up its group)",
			          (long long)id);
	} else if (!ok && strcmp(f->name, "reports_to_id") == 0) {
		if ((rc = app_group_same(db, ref_acc, account_id, &ok)) != KAM_OK)
			return rc;
		if (!ok)
			err_field(ei, f->name,
			          "%s %lld belongs to an account outside this account's group",
			          t->name, (long long)id);
	} else if (!ok) {
		err_field(ei, f->name, "%s %lld belongs to another account", t->name,
		          (long long)id);
	}
	return ok ? KAM_OK : KAM_EINVAL;
}

/* One reference: exists, is an active user where a user is meant, and is of this account. */
static int check_ref(struct store_conn *db, const struct actor *who, const struct model_field *f,
                     int64_t id, int64_t account_id, struct kam_errinfo *ei)
{
	const struct model_entity *t = app_entity(f->ref);
	json_t *row = NULL, *acc;
	int rc;

	if (t == &model_user)
		return app_check_user(db, id, f->name, ei);
	if (t == NULL)
		return KAM_OK;
	rc = store_get(db, t, id, &row, NULL);
	if (rc == KAM_ENOTFOUND) {
		err_field(ei, f->name, "no such %s %lld", t->name, (long long)id);
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	acc = json_object_get(row, "account_id");
	if (acc && (rc = app_account_visible(db, who, json_integer_value(acc), NULL, NULL)) ==
	               KAM_ENOTFOUND) {
		/* a record the caller cannot see answers exactly like a missing one */
		err_field(ei, f->name, "no such %s %lld", t->name, (long long)id);
		rc = KAM_EINVAL;
	} else if (rc == KAM_OK && acc && account_id > 0) {
		rc = check_cross(db, f, t, id, json_integer_value(acc), account_id, ei);
	}
	json_decref(row);
	return rc;
}

int app_check_refs(struct store_conn *db, const struct actor *who, const struct model_entity *e,
                   const json_t *rec, int64_t account_id, struct kam_errinfo *ei)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < e->nfields && rc == KAM_OK; i++) {
		const struct model_field *f = &e->fields[i];
		json_t *v = json_object_get(rec, f->name), *x;
		size_t j;

		if (strcmp(f->name, "account_id") == 0 || strcmp(f->name, "plan_id") == 0)
			continue;
		if (f->type == MT_REF && json_is_integer(v))
			rc = check_ref(db, who, f, json_integer_value(v), account_id, ei);
		else if (f->type == MT_REFS && json_is_array(v))
			json_array_foreach(v, j, x)
			{
				if (rc == KAM_OK)
					rc = check_ref(db, who, f, json_integer_value(x),
					               account_id, ei);
			}
	}
	return rc;
}

/* The account whose rights apply to rec of r. */
static int64_t account_of(const struct app_resource *r, const json_t *rec)
{
	return json_integer_value(
	    json_object_get(rec, r->scope == SCOPE_SELF ? "id" : "account_id"));
}

/* May the caller change records of this account? (visibility already checked) */
static bool writable(const struct actor *who, const struct app_resource *r, bool owner, bool team)
{
	if (r->scope == SCOPE_GLOBAL)
		return who->role == ROLE_ADMIN || who->role == ROLE_DIRECTOR;
	if (auth_account_writable(who->role, owner, team))
		return true;
	return r->member_writes && who->role == ROLE_MEMBER && team;
}

/* Loads a record the caller may see, and whether they may change it. */
/* Reads record id and who may see it; span: also the account's revenue span, kept in the
 * record under APP_REVENUE_SPAN for the account's decoration. */
static int load(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                int64_t id, bool lock, bool span, json_t **out, int64_t *version, bool *can_write)
{
	struct store_seen seen = {.user_id = who->user_id,
	                          .account = r->scope == SCOPE_SELF ? "id" : "account_id",
	                          .revenue_span = span};
	int rc;

	/* a plain read is one statement: the row, its tags and what decides visibility */
	if (!lock && r->scope != SCOPE_GLOBAL) {
		if ((rc = store_get_seen(db, r->e, id, &seen, out, version)) != KAM_OK)
			return rc;
		if (!actor_sees_account(who, seen.owner, seen.on_team)) {
			json_decref(*out);
			*out = NULL;
			return KAM_ENOTFOUND;
		}
		if (span && json_object_set_new(
		                *out, APP_REVENUE_SPAN,
		                json_pack("[ss]", seen.first_month, seen.last_month)) != 0) {
			json_decref(*out);
			*out = NULL;
			return KAM_ENOMEM;
		}
		*can_write = writable(who, r, seen.owner, seen.on_team);
		return KAM_OK;
	}
	rc = lock ? store_get_locked(db, r->e, id, out, version)
	          : store_get(db, r->e, id, out, version);
	if (rc != KAM_OK)
		return rc;
	if (r->scope != SCOPE_GLOBAL) {
		rc = app_account_visible(db, who, account_of(r, *out), &seen.owner, &seen.on_team);
		if (rc != KAM_OK) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
	}
	*can_write = writable(who, r, seen.owner, seen.on_team);
	return KAM_OK;
}

int app_res_load(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                 int64_t id, bool lock, json_t **out, int64_t *version, bool *can_write)
{
	return load(db, who, r, id, lock, false, out, version, can_write);
}

int app_res_read(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                 int64_t id, json_t **out, int64_t *version)
{
	bool w;
	int rc = load(db, who, r, id, false, r->e == &model_account && r->scope == SCOPE_SELF, out,
	              version, &w);

	if (rc == KAM_OK && r->decorate)
		rc = r->decorate(db, who, *out, true);
	if (*out)
		json_object_del(*out, APP_REVENUE_SPAN); /* never goes out */
	if (rc != KAM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int app_res_history(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                    int64_t id, int limit, const char *cursor, json_t **items, char **next)
{
	json_t *rec = NULL;
	int64_t version;
	bool w;
	/* the record's own visibility decides: an invisible record has no history either */
	int rc = app_res_load(db, who, r, id, false, &rec, &version, &w);

	json_decref(rec);
	if (rc != KAM_OK)
		return rc;
	return store_audit_list(db, r->e->name, id, limit, cursor, items, next);
}

int app_res_may_write(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                      const json_t *rec, struct kam_errinfo *ei)
{
	bool owner = false, team = false;
	int rc;

	if (r->scope != SCOPE_GLOBAL) {
		rc = app_account_visible(db, who, account_of(r, rec), &owner, &team);
		if (rc != KAM_OK)
			return rc;
	}
	if (!writable(who, r, owner, team)) {
		err_detail(ei, "your role may read this %s but not change it", r->e->name);
		return KAM_EFORBIDDEN;
	}
	return KAM_OK;
}

/* Finds the account a new record belongs to, checking the caller may write there. */
static int owning_account(struct store_conn *db, const struct actor *who,
                          const struct app_resource *r, json_t *rec, int64_t *account_id,
                          struct kam_errinfo *ei)
{
	const char *field = r->scope == SCOPE_PLAN ? "plan_id" : "account_id";
	bool owner = false, team = false;
	int rc;

	*account_id = 0;
	if (r->scope == SCOPE_GLOBAL) {
		if (writable(who, r, false, false))
			return KAM_OK;
		err_detail(ei, "your role may read %ss but not add them", r->e->name);
		return KAM_EFORBIDDEN;
	}
	if (r->scope == SCOPE_SELF) { /* a new account: the roles that may own one add them */
		if (auth_can_own(who->role))
			return KAM_OK;
		err_detail(ei, "your role may read %ss but not add them", r->e->name);
		return KAM_EFORBIDDEN;
	}
	if (r->scope == SCOPE_PLAN) {
		json_t *plan = NULL;

		rc = store_get(db, &model_plan, json_integer_value(json_object_get(rec, "plan_id")),
		               &plan, NULL);
		if (rc == KAM_OK) {
			*account_id = json_integer_value(json_object_get(plan, "account_id"));
			json_decref(plan);
		}
	} else {
		*account_id = json_integer_value(json_object_get(rec, "account_id"));
		rc = KAM_OK;
	}
	if (rc == KAM_OK)
		rc = app_account_visible(db, who, *account_id, &owner, &team);
	if (rc == KAM_ENOTFOUND) {
		err_field(ei, field, "no such %s", r->scope == SCOPE_PLAN ? "plan" : "account");
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	if (!writable(who, r, owner, team)) {
		err_detail(ei, "your role may read this account's %ss but not add to them",
		           r->e->name);
		return KAM_EFORBIDDEN;
	}
	if (r->scope == SCOPE_PLAN)
		json_object_set_new(rec, "account_id", json_integer(*account_id));
	return KAM_OK;
}

int app_res_insert(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   json_t *rec, json_t **out, struct kam_errinfo *ei)
{
	json_t *after = NULL;
	int64_t id, account_id = 0;
	int rc;

	if ((rc = owning_account(db, who, r, rec, &account_id, ei)) != KAM_OK)
		goto out;
	if ((rc = app_check_refs(db, who, r->e, rec, account_id, ei)) != KAM_OK)
		goto out;
	if (r->prepare && (rc = r->prepare(db, who, rec, NULL, ei)) != KAM_OK)
		goto out;
	if ((rc = store_insert(db, r->e, rec, time_now(), &id)) != KAM_OK)
		goto out;
	if ((rc = store_get(db, r->e, id, &after, NULL)) != KAM_OK)
		goto out;
	if (r->after_write && (rc = r->after_write(db, who, NULL, after)) != KAM_OK)
		goto out;
	if ((rc = app_money_check(db, r->e, ei)) != KAM_OK)
		goto out;
	if ((rc = app_audit(db, who, "create", r->e->name, id, NULL, after)) != KAM_OK)
		goto out;
	/* webhook events go in the outbox in the write's transaction */
	rc = app_webhook_record(db, who, r, NULL, after);
out:
	if (rc == KAM_OK && out)
		*out = after;
	else
		json_decref(after);
	return rc;
}

/* A patch may repeat a fixed field's stored value, never change it. */
static int check_fixed(const struct model_entity *e, const json_t *patch, const json_t *before,
                       struct kam_errinfo *ei)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];
		json_t *v = json_object_get(patch, f->name);

		if ((f->flags & MF_FIXED) && v &&
		    !json_equal(v, json_object_get(before, f->name))) {
			err_field(ei, f->name,
			          "cannot be changed once set; create a new %s instead", e->name);
			rc = KAM_EINVAL;
		}
	}
	return rc;
}

int app_res_patch(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                  int64_t id, json_t *patch, int64_t want, json_t **out, struct kam_errinfo *ei)
{
	json_t *before = NULL, *after = NULL, *merged = NULL;
	int64_t version, account_id;
	bool can_write = false;
	int rc;

	if ((rc = app_res_load(db, who, r, id, true, &before, &version, &can_write)) != KAM_OK)
		goto out;
	if (!can_write) {
		err_detail(ei, "your role may read this %s but not change it", r->e->name);
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = check_fixed(r->e, patch, before, ei)) != KAM_OK)
		goto out;
	account_id = json_integer_value(json_object_get(before, "account_id"));
	if ((rc = app_check_refs(db, who, r->e, patch, account_id, ei)) != KAM_OK)
		goto out;
	merged = json_deep_copy(before);
	if (json_object_update(merged, patch) != 0) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (r->prepare && (rc = r->prepare(db, who, merged, before, ei)) != KAM_OK)
		goto out;
	if ((rc = store_update(db, r->e, id, merged, version, time_now())) != KAM_OK)
		goto out;
	if ((rc = store_get(db, r->e, id, &after, NULL)) != KAM_OK)
		goto out;
	if (r->after_write && (rc = r->after_write(db, who, before, after)) != KAM_OK)
		goto out;
	if ((rc = app_money_check(db, r->e, ei)) != KAM_OK)
		goto out;
	if ((rc = app_audit(db, who, "update", r->e->name, id, before, after)) != KAM_OK)
		goto out;
	rc = app_webhook_record(db, who, r, before, after);
out:
	json_decref(before);
	json_decref(merged);
	if (rc == KAM_OK && out)
		*out = after;
	else
		json_decref(after);
	return rc;
}

/* The stored row id of r as it goes out: read in the open transaction, then decorated, so
 * nothing that can fail is left after the commit (a 5xx after a commit would make a
 * retrying client write twice). */
static int read_back(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                     int64_t id, json_t **out, int64_t *version)
{
	int rc = store_get(db, r->e, id, out, version);

	if (rc == KAM_OK && r->decorate && (rc = r->decorate(db, who, *out, true)) != KAM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* A write by hand moves its account's health at once, in the list as on the account page
 * (the importer leaves it to the next health run). */
static int health_settle(struct store_conn *db, const struct actor *who,
                         const struct app_resource *r, const json_t *rec)
{
	int64_t id =
	    json_integer_value(json_object_get(rec, r->e == &model_account ? "id" : "account_id"));

	return id > 0 ? app_health_account(db, who->now, id) : KAM_OK;
}

int app_res_create_also(struct store_conn *db, const struct actor *who,
                        const struct app_resource *r, json_t *body, app_also_fn also, void *arg,
                        json_t **out, int64_t *version, struct kam_errinfo *ei)
{
	json_t *after = NULL;
	int64_t id;
	int rc;

	*out = NULL;
	if ((rc = validate_body(r->e, body, true, ei)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_res_insert(db, who, r, body, &after, ei)) != KAM_OK)
		goto out;
	id = json_integer_value(json_object_get(after, "id"));
	if (also && (rc = also(db, who, after, arg, ei)) != KAM_OK)
		goto out;
	if (r->settle && (rc = r->settle(db, who, after)) != KAM_OK)
		goto out;
	if ((rc = health_settle(db, who, r, after)) != KAM_OK)
		goto out;
	if ((rc = read_back(db, who, r, id, out, version)) != KAM_OK)
		goto out;
	rc = store_commit(db);
out:
	json_decref(after);
	if (rc != KAM_OK) {
		store_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int app_res_create(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   json_t *body, json_t **out, int64_t *version, struct kam_errinfo *ei)
{
	if (r->create)
		return r->create(db, who, body, out, version, ei);
	return app_res_create_also(db, who, r, body, NULL, NULL, out, version, ei);
}

int app_res_update(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   int64_t id, json_t *patch, int64_t want, json_t **out, int64_t *version,
                   struct kam_errinfo *ei)
{
	json_t *after = NULL;
	int rc;

	*out = NULL;
	if ((rc = validate_body(r->e, patch, false, ei)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_res_patch(db, who, r, id, patch, want, &after, ei)) == KAM_OK &&
	    (!r->settle || (rc = r->settle(db, who, after)) == KAM_OK) &&
	    (rc = health_settle(db, who, r, after)) == KAM_OK &&
	    (rc = read_back(db, who, r, id, out, version)) == KAM_OK)
		rc = store_commit(db);
	json_decref(after);
	if (rc != KAM_OK) {
		store_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int app_res_delete(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   int64_t id, int64_t want, struct kam_errinfo *ei)
{
	json_t *before = NULL;
	int64_t version;
	bool can_write = false;
	int rc;

	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_res_load(db, who, r, id, true, &before, &version, &can_write)) != KAM_OK)
		goto out;
	if (r->may_delete) {
		if ((rc = r->may_delete(db, who, before, ei)) != KAM_OK)
			goto out;
	} else if (!can_write) {
		err_detail(ei, "your role may read this %s but not delete it", r->e->name);
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_delete(db, r->e, id, version)) != KAM_OK)
		goto out;
	if (r->after_write && (rc = r->after_write(db, who, before, NULL)) != KAM_OK)
		goto out;
	if (r->e != &model_account && (rc = health_settle(db, who, r, before)) != KAM_OK)
		goto out;
	if ((rc = app_audit(db, who, "delete", r->e->name, id, before, NULL)) != KAM_OK)
		goto out;
	rc = store_commit(db);
out:
	if (rc != KAM_OK)
		store_rollback(db);
	json_decref(before);
	return rc;
}
