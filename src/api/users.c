/* /api/v1/users: people who log in to kam. Admins manage them; everyone may look them up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "util/time.h"
#include "util/tok.h"

#define BASE "/api/v1/users"

int api_user_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), version;
	json_t *u = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "user");
	rc = store_get(rq->db, &model_user, id, &u, &version);
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "user");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_etag(rs, version);
	return http_reply_json(rs, 200, u);
}

/* Takes "password" out of body (it is not a column): *pw points into *pwv, which the caller frees. */
static int take_password(json_t *body, json_t **pwv, struct kam_errinfo *ei)
{
	json_t *pw = json_object_get(body, "password");

	*pwv = NULL;
	if (pw == NULL)
		return KAM_OK;
	if (!json_is_string(pw)) {
		err_field(ei, "password", "must be a string");
		return KAM_EINVAL;
	}
	*pwv = json_incref(pw);
	json_object_del(body, "password");
	return auth_password_policy(json_string_value(pw), ei);
}

static int conflict_email(int rc, struct kam_errinfo *ei)
{
	if (rc == KAM_ECONFLICT)
		err_field(ei, "email", "another user has this e-mail address");
	return rc;
}

int api_user_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *pwv = NULL, *rec = NULL;
	char generated[40], hash[AUTH_HASH_LEN];
	const char *pw;
	int64_t id, version, now = time_now();
	int rc;

	if (!json_is_object(rq->json)) {
		rc = validate_body(&model_user, rq->json, true, &ei);
		goto out;
	}
	rc = take_password(rq->json, &pwv, &ei);
	if (validate_body(&model_user, rq->json, true, &ei) != KAM_OK)
		rc = KAM_EINVAL;
	if (rc != KAM_OK)
		goto out;
	if (pwv) {
		pw = json_string_value(pwv);
	} else {
		tok_random("", 15, generated, sizeof(generated));
		pw = generated;
	}
	if ((rc = auth_password_hash(pw, hash)) != KAM_OK)
		goto out;
	json_object_set_new(rq->json, "password_hash", json_string(hash));
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = conflict_email(store_insert(rq->db, &model_user, rq->json, now, &id), &ei)) !=
	    KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_user, id, &rec, &version)) != KAM_OK)
		goto out;
	if ((rc = app_audit(rq->db, &rq->user.who, "create", "user", id, NULL, rec)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	if (pwv == NULL) /* shown once, here, and never stored in clear */
		json_object_set_new(rec, "password", json_string(generated));
	api_created(rs, BASE, id, version, rec);
	rec = NULL;
out:
	json_decref(pwv);
	json_decref(rec);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

/* Refuses a change that would leave no active admin. */
static int keeps_an_admin(struct req *rq, const json_t *before, const json_t *patch,
			  struct kam_errinfo *ei)
{
	json_t *role = json_object_get(patch, "role"), *active = json_object_get(patch, "active");
	bool was_admin = strcmp(json_string_value(json_object_get(before, "role")), "admin") == 0 &&
			 json_is_true(json_object_get(before, "active"));
	bool stays_admin = (role == NULL || strcmp(json_string_value(role), "admin") == 0) &&
			   (active == NULL || json_is_true(active));
	struct store_list q = {.limit = 2, .filters = NULL};
	json_t *filters, *items = NULL;
	char *next = NULL;
	int rc;

	if (!was_admin || stays_admin)
		return KAM_OK;
	filters = json_pack("{s:s,s:s}", "role", "admin", "active", "true");
	q.filters = filters;
	rc = store_list(rq->db, &model_user, &q, &items, &next);
	if (rc == KAM_OK && json_array_size(items) < 2) {
		err_detail(ei, "this is the last active admin; make another admin first");
		rc = KAM_ECONFLICT;
	}
	json_decref(filters);
	json_decref(items);
	free(next);
	return rc;
}

int api_user_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq), now = time_now();
	json_t *pwv = NULL, *before = NULL, *after = NULL, *active;
	char hash[AUTH_HASH_LEN];
	int rc;

	if (id < 0)
		return api_not_found(rs, "user");
	if (want == -2) {
		rc = KAM_ESTALE;
		goto out;
	}
	if (!json_is_object(rq->json)) {
		rc = validate_body(&model_user, rq->json, false, &ei);
		goto out;
	}
	rc = take_password(rq->json, &pwv, &ei);
	if (validate_body(&model_user, rq->json, false, &ei) != KAM_OK)
		rc = KAM_EINVAL;
	if (rc != KAM_OK)
		goto out;
	if (pwv) {
		if ((rc = auth_password_hash(json_string_value(pwv), hash)) != KAM_OK)
			goto out;
		json_object_set_new(rq->json, "password_hash", json_string(hash));
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = store_get_locked(rq->db, &model_user, id, &before, &version)) != KAM_OK)
		goto out;
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = keeps_an_admin(rq, before, rq->json, &ei)) != KAM_OK)
		goto out;
	rc = store_update(rq->db, &model_user, id, rq->json, version, now);
	if ((rc = conflict_email(rc, &ei)) != KAM_OK)
		goto out;
	active = json_object_get(rq->json, "active");
	/* a deactivated user or a new password ends every session and token of that user */
	if ((pwv || (active && !json_is_true(active))) &&
	    (rc = store_user_logout_all(rq->db, id)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_user, id, &after, &version)) != KAM_OK)
		goto out;
	if ((rc = app_audit(rq->db, &rq->user.who, pwv ? "update+password" : "update", "user", id, before, after)) !=
	    KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_etag(rs, version);
	http_reply_json(rs, 200, after);
	after = NULL;
out:
	json_decref(pwv);
	json_decref(before);
	json_decref(after);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
