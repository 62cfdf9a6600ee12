/*
 * Privacy requests about a contact (a person at a client): an export of everything kam holds
 * about them, and an erasure that anonymises them everywhere while the aggregates stay.
 *
 * Erasing keeps the contact's row, renamed "Erased contact #ID" with title, e-mail, phone and
 * notes nulled and erased_at set: interactions keep it among their attendees (so counts and
 * last-contact dates stay), surveys keep their scores (so NPS and CSAT stay) with their
 * comments blanked, and the reporting lines to and from it stay, now pointing at an anonymous
 * node of the org chart. The before/after of earlier audit rows about the contact and its
 * surveys are redacted the same way (the one change the audit log allows, schema 10), and the
 * stored reports of import runs (rejected rows' messages, ignored columns) lose the person's
 * name, e-mail and phone, replaced wherever they occur as whole words. The erasure itself is
 * audited without personal data. Erasing again changes nothing.
 *
 * Who: admins, directors and the account's KAM (its owner); a KAM who is only on the account's
 * team, members and viewers get 403, anyone who cannot see the account 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "kam/privacy.h"
#include "store/privacy.h"
#include "store/workspace.h"
#include "util/time.h"

#define AUDIT_PAGE 500
#define IMPORT_PAGE 100

/* Loads the contact (locked for a write) if the caller may handle requests about it. */
static int load(struct req *rq, int64_t id, bool lock, json_t **rec, struct kam_errinfo *ei)
{
	bool owner = false, team = false;
	int rc = id < 0 ? KAM_ENOTFOUND
	         : lock ? store_get_locked(rq->db, &model_contact, id, rec, NULL)
	                : store_get(rq->db, &model_contact, id, rec, NULL);

	if (rc == KAM_OK)
		rc = app_account_visible(rq->db, &rq->user.who, json_integer_value(json_object_get(*rec, "account_id")), &owner, &team);
	if (rc == KAM_ENOTFOUND)
		err_detail(ei, "no such contact");
	else if (rc == KAM_OK && !auth_account_manage(rq->user.who.role, owner)) {
		err_detail(ei, "only directors, admins and the account's KAM handle privacy "
		               "requests");
		rc = KAM_EFORBIDDEN;
	}
	if (rc != KAM_OK) {
		json_decref(*rec);
		*rec = NULL;
	}
	return rc;
}

/* The records of entity e with the given ids, in that order. */
static int records(struct req *rq, const struct model_entity *e, const json_t *ids, json_t **out)
{
	json_t *arr = json_array(), *x;
	size_t i;
	int rc = arr ? KAM_OK : KAM_ENOMEM;

	json_array_foreach(ids, i, x)
	{
		json_t *r = NULL;

		if (rc != KAM_OK ||
		    (rc = store_get(rq->db, e, json_integer_value(x), &r, NULL)) != KAM_OK)
			break;
		/* an export short of a record would look whole */
		if (json_array_append_new(arr, r) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	if (rc != KAM_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return KAM_OK;
}

/* Every audit row about the contact, newest first. */
static int audit_rows(struct req *rq, int64_t id, json_t **out)
{
	json_t *all = json_array();
	char *next = NULL;
	int rc = all ? KAM_OK : KAM_ENOMEM;

	while (rc == KAM_OK) {
		json_t *page = NULL;
		char *cur = next;

		next = NULL; /* set by a page that has one after it */
		rc = store_audit_list(rq->db, "contact", id, AUDIT_PAGE, cur, &page, &next);
		free(cur);
		if (rc != KAM_OK)
			break;
		if (json_array_extend(all, page) != 0)
			rc = KAM_ENOMEM;
		json_decref(page);
		if (next == NULL)
			break;
	}
	free(next);
	if (rc != KAM_OK) {
		json_decref(all);
		return rc;
	}
	*out = all;
	return KAM_OK;
}

int api_contact_export(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	json_t *rec = NULL, *refs = NULL, *inter = NULL, *surv = NULL, *audit = NULL, *note = NULL,
	       *ans;
	char ts[32], fn[96];
	int rc;

	if ((rc = store_begin(rq->db, true)) != KAM_OK ||
	    (rc = load(rq, id, false, &rec, &ei)) != KAM_OK ||
	    (rc = store_privacy_refs(rq->db, id, &refs)) != KAM_OK ||
	    (rc = records(rq, &model_interaction, json_object_get(refs, "interactions"), &inter)) !=
	        KAM_OK ||
	    (rc = records(rq, &model_survey, json_object_get(refs, "surveys"), &surv)) != KAM_OK ||
	    (rc = audit_rows(rq, id, &audit)) != KAM_OK)
		goto out;
	/* the request is audited; what was handed out is not copied into the log */
	note = json_pack("{s:I,s:I}", "interactions", (json_int_t)json_array_size(inter), "surveys",
	                 (json_int_t)json_array_size(surv));
	if (note == NULL)
		rc = KAM_ENOMEM;
	if (rc != KAM_OK ||
	    (rc = app_audit(rq->db, &rq->user.who, "export", "contact", id, NULL, note)) != KAM_OK)
		goto out;
	/* the answer is made before the commit: an export that cannot be answered is not
	 * recorded as handed out (an open transaction is rolled back when the request ends) */
	time_rfc3339(time_now(), ts, sizeof(ts));
	if ((ans = json_pack("{s:s,s:O,s:O,s:O,s:O}", "exported_at", ts, "contact", rec,
	                     "interactions", inter, "surveys", surv, "audit", audit)) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	/* the reply's bytes are made here (a 500 in their stead when they cannot be) */
	if (http_reply_json(rs, 200, ans) != KAM_OK || rs->status != 200) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	snprintf(fn, sizeof(fn), "attachment; filename=\"contact-%lld.json\"", (long long)id);
	http_header(rs, "Content-Disposition", fn);
out:
	json_decref(rec);
	json_decref(refs);
	json_decref(inter);
	json_decref(surv);
	json_decref(audit);
	json_decref(note);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

/* Redacts the audit rows about the contact and its surveys; *n says how many changed. */
static int redact_audit(struct req *rq, int64_t id, int64_t now, int *n)
{
	json_t *rows = NULL, *r;
	size_t i;
	int rc = store_privacy_audit_rows(rq->db, id, &rows);

	*n = 0;
	json_array_foreach(rows, i, r)
	{
		const char *entity = json_string_value(json_object_get(r, "entity"));
		json_t *b = json_object_get(r, "before"), *a = json_object_get(r, "after");

		if (rc != KAM_OK)
			break;
		if (privacy_redact(b, entity, id) + privacy_redact(a, entity, id) == 0)
			continue;
		rc = store_privacy_audit_redact(
		    rq->db, json_integer_value(json_object_get(r, "id")), b, a, now);
		(*n)++;
	}
	json_decref(rows);
	return rc;
}

/* Scrubs the contact's name, e-mail and phone (as in rec, before erasure) from the stored
 * reports of import runs, a page at a time; *n says how many runs changed. */
static int scrub_imports(struct req *rq, const json_t *rec, int64_t id, int64_t now, int *n)
{
	static const char *const keys[] = {"name", "email", "phone"};
	char erased[64];
	int64_t after = 0;
	int rc = KAM_OK;

	*n = 0;
	privacy_erased_name(id, erased, sizeof(erased));
	for (;;) {
		json_t *rows = NULL, *r;
		size_t i;

		if ((rc = store_privacy_import_reports(rq->db, after, IMPORT_PAGE, &rows)) !=
		    KAM_OK)
			break;
		json_array_foreach(rows, i, r)
		{
			json_t *e = json_object_get(r, "errors"),
			       *g = json_object_get(r, "ignored_columns");
			int changed = 0;

			after = json_integer_value(json_object_get(r, "id"));
			for (size_t k = 0; k < 3; k++) {
				const char *v = json_string_value(json_object_get(rec, keys[k]));
				const char *to = k == 0 ? erased : "(erased)";

				changed += privacy_scrub(e, v, to) + privacy_scrub(g, v, to);
			}
			if (changed && rc == KAM_OK) {
				rc = store_privacy_import_scrub(rq->db, after, e, g, now);
				(*n)++;
			}
		}
		i = json_array_size(rows);
		json_decref(rows);
		if (rc != KAM_OK || i < IMPORT_PAGE)
			break;
	}
	return rc;
}

int api_contact_erase(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), now = time_now(), blanked = 0, uncovered = 0, members = 0;
	json_t *rec = NULL, *patch = NULL, *note = NULL, *fields = NULL;
	const char *k;
	json_t *v;
	bool was_erased, changed;
	int redacted = 0, scrubbed = 0, rc;

	if (rq->json && (!json_is_object(rq->json) || json_object_size(rq->json) > 0)) {
		err_detail(&ei, "send no body, or {}");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK ||
	    (rc = load(rq, id, true, &rec, &ei)) != KAM_OK)
		goto out;
	was_erased = json_is_string(json_object_get(rec, "erased_at"));
	patch = privacy_contact_patch(rec, id);
	fields = json_array();
	json_object_foreach(patch, k, v)
	{
		json_array_append_new(fields, json_string(k));
	}
	if (!was_erased) {
		char ts[32];

		time_rfc3339(now, ts, sizeof(ts));
		json_object_set_new(patch, "erased_at", json_string(ts));
	}
	if ((json_object_size(patch) &&
	     (rc = store_update(rq->db, &model_contact, id, patch, -1, now)) != KAM_OK) ||
	    (rc = store_privacy_blank_surveys(rq->db, id, now, &blanked)) != KAM_OK ||
	    (rc = redact_audit(rq, id, now, &redacted)) != KAM_OK ||
	    /* after the audit: its rows are found through the links */
	    (rc = store_privacy_drop_coverage(rq->db, id, &uncovered)) != KAM_OK ||
	    (rc = store_privacy_erase_members(rq->db, id, now, &members)) != KAM_OK ||
	    (rc = scrub_imports(rq, rec, id, now, &scrubbed)) != KAM_OK)
		goto out;
	changed = json_object_size(patch) || blanked || uncovered || redacted || scrubbed || members;
	/* the erasure's own audit row names what changed, never the values */
	note = json_pack("{s:O,s:I,s:I,s:i,s:i,s:I}", "fields", fields, "surveys_blanked",
	                 (json_int_t)blanked, "coverage_removed", (json_int_t)uncovered,
	                 "audit_redacted", redacted, "imports_scrubbed", scrubbed,
	                 "client_members_erased", (json_int_t)members);
	if ((changed && (rc = app_audit(rq->db, &rq->user.who, "erase", "contact", id, NULL, note)) != KAM_OK) ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	json_decref(rec);
	rec = NULL;
	if ((rc = store_get(rq->db, &model_contact, id, &rec, NULL)) != KAM_OK)
		goto out;
	http_reply_json(rs, 200,
	                json_pack("{s:O,s:b,s:I,s:I,s:i,s:i,s:I}", "contact", rec, "already_erased",
	                          was_erased && !changed, "surveys_blanked", (json_int_t)blanked,
	                          "coverage_removed", (json_int_t)uncovered, "audit_redacted",
	                          redacted, "imports_scrubbed", scrubbed, "client_members_erased",
	                          (json_int_t)members));
out:
	json_decref(rec);
	json_decref(patch);
	json_decref(fields);
	json_decref(note);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
