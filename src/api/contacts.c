/* /api/v1/contacts: the people of the client's organisation, with their place in it. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "util/time.h"

#define BASE "/api/v1/contacts"
#define MAX_CHAIN 100

int api_contact_list(struct req *rq, struct resp *rs)
{
	return api_list(rq, rs, &model_contact, api_scope_user(rq));
}

/* Loads a contact the caller may see, with whether they may write it. */
static int load_visible(struct req *rq, int64_t id, json_t **out, int64_t *version,
			bool *writable, bool lock)
{
	bool owner = false, team = false;
	int rc = lock ? store_get_locked(rq->db, &model_contact, id, out, version)
		      : store_get(rq->db, &model_contact, id, out, version);

	if (rc != KAM_OK)
		return rc;
	rc = api_account_visible(rq, json_integer_value(json_object_get(*out, "account_id")),
				 &owner, &team);
	if (rc != KAM_OK) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	*writable = auth_contact_writable(rq->user.role, owner, team);
	return KAM_OK;
}

/* reports_to must be another contact of the same account, and no chain may loop back. */
static int check_reports_to(struct req *rq, int64_t self, int64_t account_id, int64_t boss,
			    struct kam_errinfo *ei)
{
	for (int hops = 0; boss > 0 && hops < MAX_CHAIN; hops++) {
		json_t *b = NULL;
		int rc;

		if (boss == self) {
			err_field(ei, "reports_to_id", "would make a reporting loop");
			return KAM_EINVAL;
		}
		rc = store_get(rq->db, &model_contact, boss, &b, NULL);
		if (rc == KAM_ENOTFOUND ||
		    (rc == KAM_OK &&
		     json_integer_value(json_object_get(b, "account_id")) != account_id)) {
			json_decref(b);
			err_field(ei, "reports_to_id", "must be a contact of the same account");
			return KAM_EINVAL;
		}
		if (rc != KAM_OK)
			return rc;
		boss = json_integer_value(json_object_get(b, "reports_to_id"));
		json_decref(b);
		if (hops == 0 && self == 0)
			return KAM_OK; /* a new contact cannot be anyone's boss yet */
	}
	return KAM_OK;
}

static int check_refs(struct req *rq, int64_t self, int64_t account_id, const json_t *body,
		      struct kam_errinfo *ei)
{
	json_t *v = json_object_get(body, "reports_to_id");
	int rc;

	if (json_is_integer(v) &&
	    (rc = check_reports_to(rq, self, account_id, json_integer_value(v), ei)) != KAM_OK)
		return rc;
	v = json_object_get(body, "relationship_owner_id");
	if (json_is_integer(v))
		return api_check_user(rq, json_integer_value(v), "relationship_owner_id", ei);
	return KAM_OK;
}

int api_contact_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), version;
	json_t *c = NULL;
	bool writable;
	int rc;

	if (id < 0)
		return api_not_found(rs, "contact");
	rc = load_visible(rq, id, &c, &version, &writable, false);
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "contact");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_etag(rs, version);
	return http_reply_json(rs, 200, c);
}

int api_contact_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *rec = NULL;
	int64_t id, version, account_id;
	bool owner = false, team = false;
	int rc;

	if ((rc = validate_body(&model_contact, rq->json, true, &ei)) != KAM_OK)
		goto out;
	account_id = json_integer_value(json_object_get(rq->json, "account_id"));
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	rc = api_account_visible(rq, account_id, &owner, &team);
	if (rc == KAM_ENOTFOUND) {
		err_field(&ei, "account_id", "no such account");
		rc = KAM_EINVAL;
	}
	if (rc != KAM_OK)
		goto out;
	if (!auth_contact_writable(rq->user.role, owner, team)) {
		err_detail(&ei, "your role may read this account's contacts but not add to them");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if ((rc = check_refs(rq, 0, account_id, rq->json, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_insert(rq->db, &model_contact, rq->json, time_now(), &id)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_contact, id, &rec, &version)) != KAM_OK)
		goto out;
	if ((rc = api_audit(rq, "create", "contact", id, NULL, rec)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	api_created(rs, BASE, id, version, rec);
	rec = NULL;
out:
	json_decref(rec);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_contact_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq), account_id;
	json_t *before = NULL, *after = NULL, *acc;
	bool writable = false;
	int rc;

	if (id < 0)
		return api_not_found(rs, "contact");
	if (want == -2) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = validate_body(&model_contact, rq->json, false, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = load_visible(rq, id, &before, &version, &writable, true)) != KAM_OK) {
		err_detail(&ei, "no such contact");
		goto out;
	}
	if (!writable) {
		err_detail(&ei, "your role may read this contact but not change it");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	account_id = json_integer_value(json_object_get(before, "account_id"));
	acc = json_object_get(rq->json, "account_id");
	if (acc && json_integer_value(acc) != account_id) {
		err_field(&ei, "account_id", "cannot change; a contact stays with its account");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = check_refs(rq, id, account_id, rq->json, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_update(rq->db, &model_contact, id, rq->json, version, time_now())) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_contact, id, &after, &version)) != KAM_OK)
		goto out;
	if ((rc = api_audit(rq, "update", "contact", id, before, after)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_etag(rs, version);
	http_reply_json(rs, 200, after);
	after = NULL;
out:
	json_decref(before);
	json_decref(after);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_contact_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq);
	json_t *before = NULL;
	bool writable = false;
	int rc;

	if (id < 0)
		return api_not_found(rs, "contact");
	if (want == -2) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = load_visible(rq, id, &before, &version, &writable, true)) != KAM_OK) {
		err_detail(&ei, "no such contact");
		goto out;
	}
	if (!writable) {
		err_detail(&ei, "your role may read this contact but not delete it");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_delete(rq->db, &model_contact, id, version)) != KAM_OK)
		goto out;
	if ((rc = api_audit(rq, "delete", "contact", id, before, NULL)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_empty(rs, 204);
out:
	json_decref(before);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
