/* The shared handlers behind every account-scoped resource (see resource.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/resource.h"
#include "util/time.h"

static const struct {
	const char *name;
	const struct model_entity *e;
} entities[] = {
    {"user", &model_user}, {"account", &model_account},     {"contact", &model_contact},
    {"plan", &model_plan}, {"objective", &model_objective}, {"product", &model_product},
    {"unit", &model_unit},
};

const struct model_entity *api_entity(const char *name)
{
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (strcmp(entities[i].name, name) == 0)
			return entities[i].e;
	return NULL;
}

/* One reference: exists, is an active user where a user is meant, and is of this account. */
static int check_ref(struct req *rq, const struct model_field *f, int64_t id, int64_t account_id,
                     struct kam_errinfo *ei)
{
	const struct model_entity *t = api_entity(f->ref);
	json_t *row = NULL, *acc;
	int rc;

	if (t == &model_user)
		return api_check_user(rq, id, f->name, ei);
	if (t == NULL)
		return KAM_OK;
	rc = store_get(rq->db, t, id, &row, NULL);
	if (rc == KAM_ENOTFOUND) {
		err_field(ei, f->name, "no such %s %lld", t->name, (long long)id);
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	acc = json_object_get(row, "account_id");
	if (acc &&
	    (rc = api_account_visible(rq, json_integer_value(acc), NULL, NULL)) == KAM_ENOTFOUND) {
		/* a record the caller cannot see answers exactly like a missing one */
		err_field(ei, f->name, "no such %s %lld", t->name, (long long)id);
		rc = KAM_EINVAL;
	} else if (rc == KAM_OK && acc && account_id > 0 && json_integer_value(acc) != account_id) {
		err_field(ei, f->name, "%s %lld belongs to another account", t->name,
		          (long long)id);
		rc = KAM_EINVAL;
	}
	json_decref(row);
	return rc;
}

int api_check_refs(struct req *rq, const struct model_entity *e, const json_t *rec,
                   int64_t account_id, struct kam_errinfo *ei)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < e->nfields && rc == KAM_OK; i++) {
		const struct model_field *f = &e->fields[i];
		json_t *v = json_object_get(rec, f->name), *x;
		size_t j;

		if (strcmp(f->name, "account_id") == 0 || strcmp(f->name, "plan_id") == 0)
			continue;
		if (f->type == MT_REF && json_is_integer(v))
			rc = check_ref(rq, f, json_integer_value(v), account_id, ei);
		else if (f->type == MT_REFS && json_is_array(v))
			json_array_foreach(v, j, x)
			{
				if (rc == KAM_OK)
					rc =
					    check_ref(rq, f, json_integer_value(x), account_id, ei);
			}
	}
	return rc;
}

static const struct api_resource *res_of(const struct req *rq)
{
	return rq->route_arg;
}

/* May the caller change records of this account? (visibility already checked) */
static bool writable(const struct req *rq, const struct api_resource *r, bool owner, bool team)
{
	if (r->scope == SCOPE_GLOBAL)
		return rq->user.role == ROLE_ADMIN || rq->user.role == ROLE_DIRECTOR;
	if (auth_account_writable(rq->user.role, owner, team))
		return true;
	return r->member_writes && rq->user.role == ROLE_MEMBER && team;
}

/* Loads a record the caller may see, and whether they may change it. */
static int load(struct req *rq, const struct api_resource *r, int64_t id, bool lock, json_t **out,
                int64_t *version, bool *can_write)
{
	bool owner = false, team = false;
	int rc = lock ? store_get_locked(rq->db, r->e, id, out, version)
	              : store_get(rq->db, r->e, id, out, version);

	if (rc != KAM_OK)
		return rc;
	if (r->scope != SCOPE_GLOBAL) {
		rc = api_account_visible(
		    rq, json_integer_value(json_object_get(*out, "account_id")), &owner, &team);
		if (rc != KAM_OK) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
	}
	*can_write = writable(rq, r, owner, team);
	return KAM_OK;
}

int api_res_may_write(struct req *rq, const struct api_resource *r, const json_t *rec,
                      struct kam_errinfo *ei)
{
	bool owner = false, team = false;
	int rc;

	if (r->scope != SCOPE_GLOBAL) {
		rc = api_account_visible(rq, json_integer_value(json_object_get(rec, "account_id")),
		                         &owner, &team);
		if (rc != KAM_OK)
			return rc;
	}
	if (!writable(rq, r, owner, team)) {
		err_detail(ei, "your role may read this %s but not change it", r->e->name);
		return KAM_EFORBIDDEN;
	}
	return KAM_OK;
}

static int reply_err(struct resp *rs, const struct api_resource *r, int rc, struct kam_errinfo *ei)
{
	if (rc == KAM_ENOTFOUND && ei->detail[0] == '\0')
		err_detail(ei, "no such %s", r->e->name);
	if (rc == KAM_ECONFLICT && ei->detail[0] == '\0' && r->conflict)
		err_detail(ei, "%s", r->conflict);
	http_reply_err(rs, rc, ei);
	err_clear(ei);
	return rc;
}

static int decorate_listed(struct req *rq, json_t *rec, const void *arg)
{
	const struct api_resource *r = arg;

	return r->decorate(rq, rec, false);
}

int api_res_list(struct req *rq, struct resp *rs)
{
	const struct api_resource *r = res_of(rq);
	const struct api_lister l = {r->e, r->scope == SCOPE_GLOBAL ? 0 : api_scope_user(rq),
	                             r->decorate ? decorate_listed : NULL, r};
	struct kam_errinfo ei = {0};
	json_t *items = NULL, *it;
	char *next = NULL;
	size_t i;
	int rc = api_list_collect(rq, r->e, r->scope == SCOPE_GLOBAL ? 0 : api_scope_user(rq),
	                          &items, &next, &ei);

	if (rc == KAM_OK && r->decorate)
		json_array_foreach(items, i, it)
		{
			if (rc == KAM_OK)
				rc = r->decorate(rq, it, false);
		}
	if (rc != KAM_OK) {
		json_decref(items);
		free(next);
		return reply_err(rs, r, rc, &ei);
	}
	err_clear(&ei);
	return api_reply_page(rq, rs, &l, items, next);
}

int api_res_get(struct req *rq, struct resp *rs)
{
	const struct api_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version;
	json_t *rec = NULL;
	bool w;
	int rc = id < 0 ? KAM_ENOTFOUND : load(rq, r, id, false, &rec, &version, &w);

	if (rc == KAM_OK && r->decorate)
		rc = r->decorate(rq, rec, true);
	if (rc != KAM_OK) {
		json_decref(rec);
		return reply_err(rs, r, rc, &ei);
	}
	http_etag(rs, version);
	return http_reply_json(rs, 200, rec);
}

/* Finds the account a new record belongs to, checking the caller may write there. */
static int owning_account(struct req *rq, const struct api_resource *r, json_t *rec,
                          int64_t *account_id, struct kam_errinfo *ei)
{
	const char *field = r->scope == SCOPE_PLAN ? "plan_id" : "account_id";
	bool owner = false, team = false;
	int rc;

	*account_id = 0;
	if (r->scope == SCOPE_GLOBAL) {
		if (writable(rq, r, false, false))
			return KAM_OK;
		err_detail(ei, "your role may read %ss but not add them", r->e->name);
		return KAM_EFORBIDDEN;
	}
	if (r->scope == SCOPE_PLAN) {
		json_t *plan = NULL;

		rc = store_get(rq->db, &model_plan,
		               json_integer_value(json_object_get(rec, "plan_id")), &plan, NULL);
		if (rc == KAM_OK) {
			*account_id = json_integer_value(json_object_get(plan, "account_id"));
			json_decref(plan);
		}
	} else {
		*account_id = json_integer_value(json_object_get(rec, "account_id"));
		rc = KAM_OK;
	}
	if (rc == KAM_OK)
		rc = api_account_visible(rq, *account_id, &owner, &team);
	if (rc == KAM_ENOTFOUND) {
		err_field(ei, field, "no such %s", r->scope == SCOPE_PLAN ? "plan" : "account");
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	if (!writable(rq, r, owner, team)) {
		err_detail(ei, "your role may read this account's %ss but not add to them",
		           r->e->name);
		return KAM_EFORBIDDEN;
	}
	if (r->scope == SCOPE_PLAN)
		json_object_set_new(rec, "account_id", json_integer(*account_id));
	return KAM_OK;
}

int api_res_insert(struct req *rq, const struct api_resource *r, json_t *rec, json_t **out,
                   struct kam_errinfo *ei)
{
	json_t *after = NULL;
	int64_t id, account_id = 0;
	int rc;

	if ((rc = owning_account(rq, r, rec, &account_id, ei)) != KAM_OK)
		goto out;
	if ((rc = api_check_refs(rq, r->e, rec, account_id, ei)) != KAM_OK)
		goto out;
	if (r->prepare && (rc = r->prepare(rq, rec, NULL, ei)) != KAM_OK)
		goto out;
	if ((rc = store_insert(rq->db, r->e, rec, time_now(), &id)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, r->e, id, &after, NULL)) != KAM_OK)
		goto out;
	if (r->after_write && (rc = r->after_write(rq, NULL, after)) != KAM_OK)
		goto out;
	if ((rc = api_money_check(rq->db, r->e, ei)) != KAM_OK)
		goto out;
	rc = api_audit(rq, "create", r->e->name, id, NULL, after);
out:
	if (rc == KAM_OK && out)
		*out = after;
	else
		json_decref(after);
	return rc;
}

int api_res_create(struct req *rq, struct resp *rs)
{
	const struct api_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	json_t *after = NULL;
	int64_t id, version;
	int rc;

	if ((rc = validate_body(r->e, rq->json, true, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = api_res_insert(rq, r, rq->json, &after, &ei)) != KAM_OK)
		goto out;
	id = json_integer_value(json_object_get(after, "id"));
	json_decref(after);
	after = NULL;
	if ((rc = store_get(rq->db, r->e, id, &after, &version)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	if (r->decorate && (rc = r->decorate(rq, after, true)) != KAM_OK)
		goto out;
	api_created(rs, r->base, id, version, after);
	after = NULL;
out:
	json_decref(after);
	if (rc != KAM_OK)
		return reply_err(rs, r, rc, &ei);
	err_clear(&ei);
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

int api_res_patch(struct req *rq, const struct api_resource *r, int64_t id, json_t *patch,
                  int64_t want, json_t **out, struct kam_errinfo *ei)
{
	json_t *before = NULL, *after = NULL, *merged = NULL;
	int64_t version, account_id;
	bool can_write = false;
	int rc;

	if ((rc = load(rq, r, id, true, &before, &version, &can_write)) != KAM_OK)
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
	if ((rc = api_check_refs(rq, r->e, patch, account_id, ei)) != KAM_OK)
		goto out;
	merged = json_deep_copy(before);
	json_object_update(merged, patch);
	if (r->prepare && (rc = r->prepare(rq, merged, before, ei)) != KAM_OK)
		goto out;
	if ((rc = store_update(rq->db, r->e, id, merged, version, time_now())) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, r->e, id, &after, NULL)) != KAM_OK)
		goto out;
	if (r->after_write && (rc = r->after_write(rq, before, after)) != KAM_OK)
		goto out;
	if ((rc = api_money_check(rq->db, r->e, ei)) != KAM_OK)
		goto out;
	rc = api_audit(rq, "update", r->e->name, id, before, after);
out:
	json_decref(before);
	json_decref(merged);
	if (rc == KAM_OK && out)
		*out = after;
	else
		json_decref(after);
	return rc;
}

int api_res_update(struct req *rq, struct resp *rs)
{
	const struct api_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq);
	json_t *after = NULL;
	int rc;

	if (id < 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if (want == -2) {
		err_detail(&ei, "If-Match must be an ETag such as \"3\"");
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = validate_body(r->e, rq->json, false, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = api_res_patch(rq, r, id, rq->json, want, NULL, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, r->e, id, &after, &version)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	if (r->decorate && (rc = r->decorate(rq, after, true)) != KAM_OK)
		goto out;
	http_etag(rs, version);
	http_reply_json(rs, 200, after);
	after = NULL;
out:
	json_decref(after);
	if (rc != KAM_OK)
		return reply_err(rs, r, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_res_delete(struct req *rq, struct resp *rs)
{
	const struct api_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq);
	json_t *before = NULL;
	bool can_write = false;
	int rc;

	if (id < 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if (want == -2) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = load(rq, r, id, true, &before, &version, &can_write)) != KAM_OK)
		goto out;
	if (!can_write) {
		err_detail(&ei, "your role may read this %s but not delete it", r->e->name);
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_delete(rq->db, r->e, id, version)) != KAM_OK)
		goto out;
	if (r->after_write && (rc = r->after_write(rq, before, NULL)) != KAM_OK)
		goto out;
	if ((rc = api_audit(rq, "delete", r->e->name, id, before, NULL)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_empty(rs, 204);
out:
	json_decref(before);
	if (rc != KAM_OK)
		return reply_err(rs, r, rc, &ei);
	err_clear(&ei);
	return rc;
}
