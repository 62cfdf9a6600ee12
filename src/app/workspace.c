/*
 * The client workspace (see workspace.h, docs/workspace.md). Everything a client member sees
 * is picked key by key from records of their own account (the one in their actor), and only
 * what the KAM shared: client-visible objectives and actions, joint reviews, the service
 * KPIs, cases their people raised, revenue when the account shares it, their comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/document.h"
#include "app/jobs.h"
#include "app/mail.h"
#include "app/scores.h"
#include "app/workspace.h"
#include "kam/kpi_report.h"
#include "kam/plan.h"
#include "kam/plandoc.h"
#include "kam/validate.h"
#include "store/kpi.h"
#include "store/outbox.h"
#include "store/workspace.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/tok.h"

#define TEXT_MAX 2000 /* a comment, an agenda item, a question (characters) */

/* Characters (code points) of UTF-8 text. */
static size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Copies only the named keys (null for those missing). */
static json_t *pick(const json_t *from, const char *const *keys)
{
	json_t *o = json_object();

	for (; *keys; keys++)
		json_object_set(o, *keys,
		                json_object_get(from, *keys) ? json_object_get(from, *keys)
		                                             : json_null());
	return o;
}

static json_t *stamp_at(int64_t t)
{
	char b[32];

	time_rfc3339(t, b, sizeof(b));
	return json_string(b);
}

static json_t *stamp(const json_t *v)
{
	char t[32];

	if (!json_is_integer(v))
		return json_null();
	time_rfc3339(json_integer_value(v), t, sizeof(t));
	return json_string(t);
}

/* The body's keys must be among allowed: a 400 names the first that is not. */
static int only_keys(const json_t *body, const char *const *allowed, struct kam_errinfo *ei)
{
	void *it;

	if (!json_is_object(body)) {
		err_detail(ei, "the body must be a JSON object");
		return KAM_EINVAL;
	}
	for (it = json_object_iter((json_t *)(uintptr_t)body); it;
	     it = json_object_iter_next((json_t *)(uintptr_t)body, it)) {
		const char *k = json_object_iter_key(it);
		const char *const *a = allowed;

		while (*a && strcmp(*a, k) != 0)
			a++;
		if (*a == NULL) {
			err_field(ei, k, "is not a field of this request");
			return KAM_EINVAL;
		}
	}
	return KAM_OK;
}

/* A required (or optional) text of 1..max characters. */
static int text_field(const json_t *body, const char *k, bool required, size_t max,
                      const char **out, struct kam_errinfo *ei)
{
	json_t *v = json_object_get(body, k);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return KAM_OK;
		err_field(ei, k, "is required");
		return KAM_EINVAL;
	}
	if (!json_is_string(v) || (n = utf8_length(json_string_value(v))) == 0 || n > max) {
		err_field(ei, k, "must be a text of 1 to %zu characters", max);
		return KAM_EINVAL;
	}
	*out = json_string_value(v);
	return KAM_OK;
}

static int date_field(const json_t *body, const char *k, bool required, const char **out,
                      struct kam_errinfo *ei)
{
	json_t *v = json_object_get(body, k);
	date_t d;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return KAM_OK;
		err_field(ei, k, "is required: a date YYYY-MM-DD");
		return KAM_EINVAL;
	}
	if (!json_is_string(v) || date_parse(json_string_value(v), &d) != KAM_OK) {
		err_field(ei, k, "must be a date YYYY-MM-DD");
		return KAM_EINVAL;
	}
	*out = json_string_value(v);
	return KAM_OK;
}

static int id_field(const json_t *body, const char *k, int64_t *out, struct kam_errinfo *ei)
{
	json_t *v = json_object_get(body, k);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return KAM_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		err_field(ei, k, "must be a positive integer id");
		return KAM_EINVAL;
	}
	*out = json_integer_value(v);
	return KAM_OK;
}

/* --- staff ----------------------------------------------------------------------------------- */

/* Who may manage an account's workspace: its KAM (owner), a director or an admin; anyone who
 * sees the account may read it. KAM_ENOTFOUND when they do not see it. */
static int staff_check(struct store_conn *db, const struct actor *who, int64_t account_id,
                       bool write, struct kam_errinfo *ei)
{
	bool owner = false;
	int rc;

	if (who->role == ROLE_CLIENT || who->role == ROLE_NONE)
		return KAM_ENOTFOUND;
	if ((rc = app_account_visible(db, who, account_id, &owner, NULL)) != KAM_OK)
		return rc;
	if (!write || who->role == ROLE_ADMIN || who->role == ROLE_DIRECTOR ||
	    (who->role == ROLE_KAM && owner))
		return KAM_OK;
	if (ei)
		err_detail(ei,
		           "only the account's KAM, a director or an admin manage its workspace");
	return KAM_EFORBIDDEN;
}

/* What the audit keeps of a member: no name or e-mail, which a privacy erasure could not
 * take back out of the append-only log. */
static json_t *member_audit(const json_t *m)
{
	return json_pack("{s:O,s:O}", "account_id", json_object_get(m, "account_id"), "contact_id",
	                 json_object_get(m, "contact_id"));
}

static json_t *member_out(const json_t *m)
{
	return json_pack("{s:O,s:O,s:O,s:O,s:O,s:o,s:o,s:o}", "id", json_object_get(m, "id"),
	                 "account_id", json_object_get(m, "account_id"), "name",
	                 json_object_get(m, "name"), "email", json_object_get(m, "email"),
	                 "contact_id", json_object_get(m, "contact_id"), "invited_at",
	                 stamp(json_object_get(m, "invited_at")), "last_visit_at",
	                 stamp(json_object_get(m, "last_visit_at")), "removed_at",
	                 stamp(json_object_get(m, "removed_at")));
}

/* A new one-time link of member_id (replace: every earlier one dies) in the open
 * transaction; link gets "/#/workspace/<token>" (relative to the server). */
static int new_link(struct store_conn *db, int64_t member_id, bool replace, int64_t now, char *link,
                    size_t linklen, int64_t *expires)
{
	char token[WS_TOKEN_LEN], hash[TOK_HASH_LEN];

	tok_random("ws_", 32, token, sizeof(token));
	tok_hash(token, hash);
	*expires = now + WS_LINK_DAYS * 86400;
	snprintf(link, linklen, "/#/workspace/%s", token);
	return store_wslink_put(db, member_id, hash, replace, now, *expires);
}

int app_ws_mail_link(struct store_conn *db, const char *public_url, int64_t member_id, int64_t now,
                     char *link, size_t linklen)
{
	char rel[WS_TOKEN_LEN + 32];
	int64_t expires;
	int rc;

	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	rc = new_link(db, member_id, false, now, rel, sizeof(rel), &expires);
	if (rc == KAM_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
	snprintf(link, linklen, "%s%s", public_url, rel);
	return rc;
}

/* The sign-in mail of member m: its link is made when the mail goes out (app_ws_mail_link),
 * so the outbox never holds a token. */
static int link_mail(struct store_conn *db, const json_t *m, const char *account, int64_t now)
{
	const char *name = str(m, "name");
	struct buf b = {0};
	char *text, *html, *hs;
	json_t *h;
	int rc;

	buf_printf(
	    &b,
	    "Hello %s,\n\nyou are invited to the joint account plan of %s. Open it with this "
	    "link (valid for %d days, once):\n\n{{link}}\n",
	    name ? name : "", account ? account : "", WS_LINK_DAYS);
	text = buf_take(&b, NULL);
	buf_puts(&b, "<p>Hello ");
	plandoc_put_escaped(&b, name);
	buf_puts(&b, ",</p><p>you are invited to the joint account plan of ");
	plandoc_put_escaped(&b, account);
	buf_printf(&b,
	           ".</p><p><a href=\"{{link}}\">Open the plan</a> (the link is valid for %d "
	           "days, once).</p>",
	           WS_LINK_DAYS);
	html = buf_take(&b, NULL);
	h = json_pack("{s:s,s:I}", "To-Name", name ? name : "", "Workspace-Member",
	              (json_int_t)num(m, "id"));
	hs = h ? json_dumps(h, JSON_COMPACT) : NULL;
	struct outbox_msg msg = {.channel = "mail",
	                         .kind = "workspace_link",
	                         .recipient = str(m, "email"),
	                         .subject = "Your joint account plan",
	                         .body_text = text,
	                         .body_html = html,
	                         .headers = hs};
	rc = text && html && hs ? store_outbox_put(db, &msg, now, NULL) : KAM_ENOMEM;
	free(text);
	free(html);
	free(hs);
	json_decref(h);
	return rc;
}

static bool mail_on(void)
{
	struct mail_config mc;
	char merr[256];

	return app_mail_config(&mc, merr, sizeof(merr)) == KAM_OK && mc.on && mc.public_url[0];
}

int app_ws_member_create(struct store_conn *db, const struct actor *who, int64_t account_id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"name", "email", "contact_id", NULL};
	const char *name, *email;
	char link[WS_TOKEN_LEN + 32];
	int64_t contact = 0, id = 0, expires = 0, now = time_now();
	json_t *c = NULL, *m = NULL, *acc = NULL, *note = NULL;
	bool open = false, mailed = false;
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, true, ei)) != KAM_OK)
		return rc;
	if ((rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = text_field(body, "name", true, 200, &name, ei)) != KAM_OK ||
	    (rc = id_field(body, "contact_id", &contact, ei)) != KAM_OK)
		return rc;
	if ((rc = validate_value(model_field_find(&model_contact, "email"),
	                         json_object_get(body, "email"), ei)) != KAM_OK)
		return rc;
	if (!(email = str(body, "email"))) {
		err_field(ei, "email", "is required");
		return KAM_EINVAL;
	}
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	if (contact > 0) {
		rc = store_get(db, &model_contact, contact, &c, NULL);
		if (rc == KAM_ENOTFOUND || (rc == KAM_OK && num(c, "account_id") != account_id)) {
			err_field(ei, "contact_id", "no such contact of this account");
			rc = KAM_EINVAL;
		}
		if (rc != KAM_OK)
			goto out;
	}
	if ((rc = store_get(db, &model_account, account_id, &acc, NULL)) != KAM_OK ||
	    (rc = store_member_insert(db, account_id, contact, name, email, who->user_id, now,
	                              &id)) != KAM_OK ||
	    (rc = new_link(db, id, true, now, link, sizeof(link), &expires)) != KAM_OK ||
	    (rc = store_member_get(db, id, &m)) != KAM_OK)
		goto out;
	if (mail_on()) {
		if ((rc = link_mail(db, m, str(acc, "name"), now)) != KAM_OK)
			goto out;
		mailed = true;
	}
	note = member_audit(m);
	if ((rc = app_audit(db, who, "invite", "client_member", id, NULL, note)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK)
		goto out;
	open = false;
	if (mailed)
		jobs_wake_outbox();
	*out = member_out(m);
	json_object_set_new(*out, "link", json_string(link));
	json_object_set_new(*out, "expires_at", stamp_at(expires));
	json_object_set_new(*out, "mailed", json_boolean(mailed));
out:
	if (open)
		store_rollback(db);
	json_decref(c);
	json_decref(m);
	json_decref(acc);
	json_decref(note);
	return rc;
}

int app_ws_members(struct store_conn *db, const struct actor *who, int64_t account_id, json_t **out)
{
	json_t *rows = NULL, *items, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, false, NULL)) != KAM_OK ||
	    (rc = store_member_list(db, account_id, &rows)) != KAM_OK)
		return rc;
	items = json_array();
	json_array_foreach(rows, i, x) json_array_append_new(items, member_out(x));
	json_decref(rows);
	*out = json_pack("{s:o}", "items", items);
	return *out ? KAM_OK : KAM_ENOMEM;
}

/* Member id as staff who may manage its account see it (KAM_ENOTFOUND otherwise). */
static int staff_member(struct store_conn *db, const struct actor *who, int64_t id, json_t **m,
                        struct kam_errinfo *ei)
{
	int rc = store_member_get(db, id, m);

	if (rc == KAM_OK &&
	    (rc = staff_check(db, who, num(*m, "account_id"), true, ei)) != KAM_OK) {
		json_decref(*m);
		*m = NULL;
	}
	return rc;
}

int app_ws_member_link(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                       struct kam_errinfo *ei)
{
	char link[WS_TOKEN_LEN + 32];
	int64_t expires, now = time_now();
	json_t *m = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = staff_member(db, who, id, &m, ei)) != KAM_OK)
		goto out;
	if (json_is_integer(json_object_get(m, "removed_at"))) {
		err_detail(ei, "this client member was removed; invite them again");
		rc = KAM_ECONFLICT;
		goto out;
	}
	if ((rc = new_link(db, id, true, now, link, sizeof(link), &expires)) != KAM_OK ||
	    (rc = app_audit(db, who, "new_link", "client_member", id, NULL, NULL)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK)
		goto out;
	*out = member_out(m);
	json_object_set_new(*out, "link", json_string(link));
	json_object_set_new(*out, "expires_at", stamp_at(expires));
	json_object_set_new(*out, "mailed", json_false());
	json_decref(m);
	return KAM_OK;
out:
	store_rollback(db);
	json_decref(m);
	return rc;
}

int app_ws_member_remove(struct store_conn *db, const struct actor *who, int64_t id,
                         struct kam_errinfo *ei)
{
	json_t *m = NULL, *note = NULL;
	int rc;

	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = staff_member(db, who, id, &m, ei)) != KAM_OK ||
	    (rc = store_member_remove(db, id, time_now())) != KAM_OK ||
	    (note = member_audit(m)) == NULL ||
	    (rc = app_audit(db, who, "remove", "client_member", id, note, NULL)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK) {
		store_rollback(db);
		json_decref(m);
		json_decref(note);
		return rc == KAM_OK ? KAM_ENOMEM : rc;
	}
	json_decref(m);
	json_decref(note);
	return KAM_OK;
}

int app_ws_activity(struct store_conn *db, const struct actor *who, int64_t account_id,
                    json_t **out)
{
	json_t *rows = NULL, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, false, NULL)) != KAM_OK ||
	    (rc = store_ws_activity_list(db, account_id, 200, &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i, x)
	    json_object_set_new(x, "at", stamp(json_object_get(x, "at")));
	*out = json_pack("{s:o}", "items", rows);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_ws_review_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	json_t *items = NULL;
	int rc;

	(void)who;
	(void)single;
	if ((rc = store_agenda_list(db, num(rec, "id"), &items)) != KAM_OK)
		return rc;
	json_object_set_new(rec, "agenda", items);
	return KAM_OK;
}

int app_ws_review_create(struct store_conn *db, const struct actor *who, int64_t plan_id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"proposed_on", "agenda", NULL};
	const char *on;
	json_t *plan = NULL, *rec = NULL, *agenda = json_object_get(body, "agenda"), *x,
	       *row = NULL;
	int64_t id = 0, now = time_now();
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = store_get(db, &model_plan, plan_id, &plan, NULL)) != KAM_OK)
		return rc;
	rc = staff_check(db, who, num(plan, "account_id"), true, ei);
	if (rc == KAM_OK && (rc = only_keys(body, keys, ei)) == KAM_OK)
		rc = date_field(body, "proposed_on", true, &on, ei);
	if (rc == KAM_OK && agenda && !json_is_array(agenda)) {
		err_field(ei, "agenda", "must be an array of texts");
		rc = KAM_EINVAL;
	}
	json_array_foreach(agenda, i, x)
	{
		size_t n;

		if (rc != KAM_OK)
			break;
		if (!json_is_string(x) || (n = utf8_length(json_string_value(x))) == 0 ||
		    n > TEXT_MAX || i >= 50) {
			err_field(ei, "agenda", "must hold at most 50 texts of 1 to %d characters",
			          TEXT_MAX);
			rc = KAM_EINVAL;
		}
	}
	if (rc != KAM_OK)
		goto out;
	rec = json_pack("{s:I,s:s,s:s,s:b,s:s,s:s}", "plan_id", (json_int_t)plan_id, "held_on", on,
	                "kind", "qbr", "joint", 1, "proposed_on", on, "status", "proposed");
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	json_object_set(rec, "account_id", json_object_get(plan, "account_id"));
	if ((rc = store_insert(db, &model_review, rec, now, &id)) != KAM_OK)
		goto fail;
	json_array_foreach(agenda, i, x)
	{
		if ((rc = store_agenda_add(db, id, json_string_value(x), 0, who->user_id, now)) !=
		    KAM_OK)
			goto fail;
	}
	if ((rc = store_get(db, &model_review, id, &row, NULL)) != KAM_OK ||
	    (rc = app_audit(db, who, "create", "review", id, NULL, row)) != KAM_OK ||
	    (rc = app_ws_review_decorate(db, who, row, true)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK)
		goto fail;
	*out = row;
	row = NULL;
	goto out;
fail:
	store_rollback(db);
out:
	json_decref(plan);
	json_decref(rec);
	json_decref(row);
	return rc;
}

static int plan_children(struct store_conn *db, const struct model_entity *e, int64_t plan,
                         json_t **out)
{
	struct store_list q = {.sort = "id", .limit = 500};
	char *next = NULL;
	int rc;

	q.filters = json_pack("{s:o}", "plan_id", json_sprintf("%lld", (long long)plan));
	rc = store_list(db, e, &q, out, &next);
	json_decref(q.filters);
	free(next);
	return rc;
}

int app_ws_reviews(struct store_conn *db, const struct actor *who, int64_t plan_id, json_t **out)
{
	json_t *plan = NULL, *rows = NULL, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = store_get(db, &model_plan, plan_id, &plan, NULL)) != KAM_OK)
		return rc;
	rc = staff_check(db, who, num(plan, "account_id"), false, NULL);
	json_decref(plan);
	if (rc != KAM_OK || (rc = plan_children(db, &model_review, plan_id, &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i, x)
	{
		if ((rc = app_ws_review_decorate(db, who, x, false)) != KAM_OK) {
			json_decref(rows);
			return rc;
		}
	}
	*out = json_pack("{s:o}", "items", rows);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_ws_survey_request(struct store_conn *db, const struct actor *who, int64_t account_id,
                          const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"kind", "question", NULL};
	const char *kind = str(body, "kind"), *q;
	int64_t id = 0, now = time_now();
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, true, ei)) != KAM_OK ||
	    (rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = text_field(body, "question", false, TEXT_MAX, &q, ei)) != KAM_OK)
		return rc;
	if (kind == NULL || (strcmp(kind, "nps") != 0 && strcmp(kind, "csat") != 0)) {
		err_field(ei, "kind", "must be nps or csat");
		return KAM_EINVAL;
	}
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = store_survey_request_add(db, account_id, kind, q, who->user_id, now, &id)) !=
	        KAM_OK ||
	    (rc = app_audit(db, who, "create", "survey_request", id, NULL, body)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK) {
		store_rollback(db);
		return rc;
	}
	*out = json_pack("{s:I,s:I,s:s,s:s?,s:o,s:n,s:i}", "id", (json_int_t)id, "account_id",
	                 (json_int_t)account_id, "kind", kind, "question", q, "created_at",
	                 stamp_at(now), "closed_at", "answers", 0);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_ws_survey_requests(struct store_conn *db, const struct actor *who, int64_t account_id,
                           json_t **out)
{
	json_t *rows = NULL, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, false, NULL)) != KAM_OK ||
	    (rc = store_survey_requests(db, account_id, &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i, x)
	{
		json_object_set_new(x, "created_at", stamp(json_object_get(x, "created_at")));
		json_object_set_new(x, "closed_at", stamp(json_object_get(x, "closed_at")));
	}
	*out = json_pack("{s:o}", "items", rows);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_ws_survey_request_close(struct store_conn *db, const struct actor *who, int64_t account_id,
                                int64_t request_id, json_t **out, struct kam_errinfo *ei)
{
	char summary[200];
	json_t *req = NULL, *u = NULL, *rows = NULL, *x;
	int64_t now = time_now();
	size_t i;
	int rc;

	*out = NULL;
	/* a request of an account the caller cannot see, or of another account, answers as a
	 * missing one; only then does a reader learn they may not close it */
	if ((rc = staff_check(db, who, account_id, false, NULL)) != KAM_OK)
		return rc;
	rc = store_survey_request_get(db, request_id, &req);
	if (rc == KAM_OK && num(req, "account_id") != account_id)
		rc = KAM_ENOTFOUND;
	json_decref(req);
	req = NULL;
	if (rc != KAM_OK || (rc = staff_check(db, who, account_id, true, ei)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	/* read again inside the transaction: a second close (or a racing one) changes nothing */
	if ((rc = store_survey_request_get(db, request_id, &req)) != KAM_OK)
		goto fail;
	if (!json_is_integer(json_object_get(req, "closed_at"))) {
		snprintf(summary, sizeof(summary), "closed the %s survey request",
		         strcmp(str(req, "kind"), "nps") ? "CSAT" : "NPS");
		if ((rc = store_survey_request_close(db, request_id, now)) != KAM_OK ||
		    (rc = store_get(db, &model_user, who->user_id, &u, NULL)) != KAM_OK ||
		    (rc = app_audit(db, who, "close", "survey_request", request_id, req, NULL)) !=
		        KAM_OK ||
		    (rc = store_ws_activity_add(db, account_id, 0, str(u, "name"), "close",
		                                "survey_request", request_id, summary, now)) !=
		        KAM_OK)
			goto fail;
	}
	if ((rc = store_survey_requests(db, account_id, &rows)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK)
		goto fail;
	json_array_foreach(rows, i, x)
	{
		if (num(x, "id") != request_id)
			continue;
		json_object_set_new(x, "created_at", stamp(json_object_get(x, "created_at")));
		json_object_set_new(x, "closed_at", stamp(json_object_get(x, "closed_at")));
		*out = json_incref(x);
	}
	rc = *out ? KAM_OK : KAM_ENOMEM;
	goto out;
fail:
	store_rollback(db);
out:
	json_decref(req);
	json_decref(u);
	json_decref(rows);
	return rc;
}

static json_t *comment_out(const json_t *c)
{
	return json_pack("{s:O,s:O,s:O,s:O,s:s,s:o}", "id", json_object_get(c, "id"),
	                 "objective_id", json_object_get(c, "objective_id"), "action_id",
	                 json_object_get(c, "action_id"), "author", json_object_get(c, "author"),
	                 "side",
	                 json_is_integer(json_object_get(c, "member_id")) ? "theirs" : "ours",
	                 "created_at", stamp(json_object_get(c, "created_at")));
}

static json_t *comment_full(const json_t *c)
{
	json_t *o = comment_out(c);

	json_object_set(o, "body", json_object_get(c, "body"));
	return o;
}

int app_ws_comments(struct store_conn *db, const struct actor *who, int64_t account_id,
                    json_t **out)
{
	json_t *rows = NULL, *items, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, false, NULL)) != KAM_OK ||
	    (rc = store_ws_comments(db, account_id, &rows)) != KAM_OK)
		return rc;
	items = json_array();
	json_array_foreach(rows, i, x) json_array_append_new(items, comment_full(x));
	json_decref(rows);
	*out = json_pack("{s:o}", "items", items);
	return *out ? KAM_OK : KAM_ENOMEM;
}

/* --- the client's side ----------------------------------------------------------------------- */

/* Whether rec (an objective or action) is shared with account's workspace. */
static bool shared_with(const json_t *rec, int64_t account)
{
	return rec && num(rec, "account_id") == account &&
	       json_is_true(json_object_get(rec, "client_visible")) &&
	       (str(rec, "status") == NULL || strcmp(str(rec, "status"), "cancelled") != 0);
}

/* The comment target {objective_id | action_id} of body, shared with who's account, as
 * (objective, action) ids; staff pass account_id, clients their own. */
static int comment_target(struct store_conn *db, const json_t *body, int64_t account, int64_t *obj,
                          int64_t *act, struct kam_errinfo *ei)
{
	json_t *rec = NULL;
	int rc;

	if ((rc = id_field(body, "objective_id", obj, ei)) != KAM_OK ||
	    (rc = id_field(body, "action_id", act, ei)) != KAM_OK)
		return rc;
	if ((*obj > 0) == (*act > 0)) {
		err_field(ei, *obj ? "action_id" : "objective_id",
		          "give either objective_id or action_id");
		return KAM_EINVAL;
	}
	rc = store_get(db, *obj ? &model_objective : &model_action, *obj ? *obj : *act, &rec, NULL);
	if (rc == KAM_OK && !shared_with(rec, account))
		rc = KAM_ENOTFOUND;
	json_decref(rec);
	if (rc == KAM_ENOTFOUND) {
		err_field(ei, *obj ? "objective_id" : "action_id", "no such shared %s",
		          *obj ? "objective" : "action");
		return KAM_EINVAL;
	}
	return rc;
}

int app_ws_staff_comment(struct store_conn *db, const struct actor *who, int64_t account_id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"objective_id", "action_id", "body", NULL};
	int64_t obj = 0, act = 0, id = 0, now = time_now();
	const char *text;
	json_t *u = NULL, *rows = NULL, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = staff_check(db, who, account_id, true, ei)) != KAM_OK ||
	    (rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = text_field(body, "body", true, TEXT_MAX, &text, ei)) != KAM_OK ||
	    (rc = comment_target(db, body, account_id, &obj, &act, ei)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = store_get(db, &model_user, who->user_id, &u, NULL)) != KAM_OK ||
	    (rc = store_ws_comment_add(db, account_id, obj, act, 0, who->user_id, str(u, "name"),
	                               text, now, &id)) != KAM_OK ||
	    (rc = app_audit(db, who, "create", "workspace_comment", id, NULL, body)) != KAM_OK ||
	    (rc = store_ws_comments(db, account_id, &rows)) != KAM_OK ||
	    (rc = store_commit(db)) != KAM_OK) {
		store_rollback(db);
		goto out;
	}
	json_array_foreach(rows, i, x) if (num(x, "id") == id) *out = comment_full(x);
	rc = *out ? KAM_OK : KAM_ENOMEM;
out:
	json_decref(u);
	json_decref(rows);
	return rc;
}

/* The acting member and "client: Name (Account)"; KAM_ENOTFOUND for anyone but a live client
 * member (a removed one's sessions are gone already). */
static int client_load(struct store_conn *db, const struct actor *who, json_t **member, char *actor,
                       size_t len)
{
	json_t *acc = NULL;
	int rc;

	*member = NULL;
	if (who->role != ROLE_CLIENT || who->member_id <= 0 || who->member_account <= 0)
		return KAM_ENOTFOUND;
	if ((rc = store_member_get(db, who->member_id, member)) != KAM_OK)
		return rc;
	if (num(*member, "account_id") != who->member_account ||
	    json_is_integer(json_object_get(*member, "removed_at")) ||
	    (rc = store_get(db, &model_account, who->member_account, &acc, NULL)) != KAM_OK) {
		json_decref(*member);
		*member = NULL;
		return rc == KAM_OK ? KAM_ENOTFOUND : rc;
	}
	snprintf(actor, len, "client: %s (%s)", str(*member, "name"), str(acc, "name"));
	json_decref(acc);
	return KAM_OK;
}

/* Tells the account's KAM by mail, when mail is set up, what a client member did. */
static int notify_owner(struct store_conn *db, int64_t account_id, const char *actor,
                        const char *summary, int64_t now)
{
	json_t *acc = NULL, *u = NULL;
	struct buf b = {0};
	char *text = NULL, *html = NULL, subject[300];
	int rc;

	if (!mail_on())
		return KAM_OK;
	if ((rc = store_get(db, &model_account, account_id, &acc, NULL)) != KAM_OK ||
	    (rc = store_get(db, &model_user, num(acc, "owner_id"), &u, NULL)) != KAM_OK)
		goto out;
	if (!json_is_true(json_object_get(u, "active")))
		goto out;
	snprintf(subject, sizeof(subject), "%s: %s", str(acc, "name"), summary);
	buf_printf(&b, "%s %s.\n", actor, summary);
	text = buf_take(&b, NULL);
	buf_puts(&b, "<p>");
	plandoc_put_escaped(&b, actor);
	buf_puts(&b, " ");
	plandoc_put_escaped(&b, summary);
	buf_puts(&b, ".</p>");
	html = buf_take(&b, NULL);
	rc = text && html ? app_mail_enqueue(db, "workspace", num(u, "id"), str(u, "email"),
	                                     str(u, "name"), subject, text, html, NULL, now)
	                  : KAM_ENOMEM;
out:
	free(text);
	free(html);
	json_decref(acc);
	json_decref(u);
	return rc;
}

/* Commits a client change; its mail to the KAM leaves now, not at the next jobs run. */
static int client_commit(struct store_conn *db)
{
	int rc = store_commit(db);

	if (rc == KAM_OK && mail_on())
		jobs_wake_outbox();
	return rc;
}

/* What a client member did: an audit row (no user), a line of the account's workspace
 * activity and a word to its KAM, all in the open transaction. */
static int client_did(struct store_conn *db, const struct actor *who, const char *actor,
                      const char *action, const char *entity, int64_t id, const json_t *before,
                      const json_t *after, const char *summary)
{
	int64_t now = time_now();
	int rc = store_audit_add_by(db, 0, who->member_id, action, entity, id, before, after, now);

	if (rc == KAM_OK)
		rc = store_ws_activity_add(db, who->member_account, who->member_id, actor, action,
		                           entity, id, summary, now);
	if (rc == KAM_OK)
		rc = notify_owner(db, who->member_account, actor, summary, now);
	return rc;
}

/* Of the active plans of account (newest start first), the one whose period holds today,
 * else the latest already started (as the share view). *plan owned, NULL for none. */
static int current_plan(struct store_conn *db, int64_t account, const char *today, json_t **plan)
{
	struct store_list q = {.sort = "period_start", .desc = true, .limit = 50};
	json_t *plans = NULL, *x, *started = NULL;
	char *next = NULL;
	size_t i;
	int rc;

	*plan = NULL;
	q.filters = json_pack("{s:o,s:s}", "account_id", json_sprintf("%lld", (long long)account),
	                      "status", "active");
	rc = store_list(db, &model_plan, &q, &plans, &next);
	json_decref(q.filters);
	free(next);
	if (rc != KAM_OK)
		return rc;
	json_array_foreach(plans, i, x)
	{
		const char *from = str(x, "period_start"), *to = str(x, "period_end");

		if (from == NULL || strcmp(from, today) > 0)
			continue;
		if (to == NULL || strcmp(to, today) >= 0) {
			started = x;
			break;
		}
		if (started == NULL)
			started = x;
	}
	*plan = json_incref(started);
	json_decref(plans);
	return KAM_OK;
}

/* The service KPIs over the 12-month window, with the 12 months before for the trend. */
static int service_kpis(struct store_conn *db, const struct settings *set, int64_t account_id,
                        date_t tday, json_t *ans)
{
	char to[DATE_LEN], from[DATE_LEN];
	json_t *figs, *prev, *k;
	int rc;

	app_revenue_window_dates(tday, from, to);
	if ((rc = app_account_figures(db, set, tday, 0, account_id, from, to, &figs, &prev)) !=
	    KAM_OK)
		return rc;
#define V(o, n) json_incref(json_object_get(json_object_get(o, n), "value"))
	k = json_pack("{s:o?,s:o?,s:{s:o?,s:o?},s:{s:o?,s:o?}}", "sla_compliance",
	              V(figs, "sla_compliance"), "ttr_median_hours", V(figs, "ttr_median_hours"),
	              "nps", "value", V(figs, "nps"), "previous", V(prev, "nps"), "csat", "value",
	              V(figs, "csat"), "previous", V(prev, "csat"));
#undef V
	json_decref(figs);
	json_decref(prev);
	if (k == NULL)
		return KAM_ENOMEM;
	json_object_set_new(ans, "kpis", k);
	json_object_set_new(ans, "kpi_period", json_pack("{s:s,s:s}", "from", from, "to", to));
	return KAM_OK;
}

/* The user's name (or null) for an action's owner. */
static json_t *user_name(struct store_conn *db, const json_t *id)
{
	json_t *u = NULL, *n;

	if (!json_is_integer(id) ||
	    store_get(db, &model_user, json_integer_value(id), &u, NULL) != KAM_OK)
		return json_null();
	n = json_incref(json_object_get(u, "name"));
	json_decref(u);
	return n ? n : json_null();
}

static json_t *review_out(struct store_conn *db, const json_t *r)
{
	json_t *o = pick(r, (const char *const[]){"id", "proposed_on", "client_proposed_on",
	                                          "held_on", "status", NULL}),
	       *agenda = NULL, *x;
	size_t i;

	json_object_set_new(o, "agenda", json_array());
	if (store_agenda_list(db, num(r, "id"), &agenda) == KAM_OK)
		json_array_foreach(agenda, i, x) json_array_append_new(
		    json_object_get(o, "agenda"),
		    pick(x, (const char *const[]){"id", "item", "author", "side", NULL}));
	json_decref(agenda);
	if (json_is_true(json_object_get(r, "published")))
		json_object_set(o, "minutes", json_object_get(r, "minutes"));
	json_object_set_new(o, "published",
	                    json_boolean(json_is_true(json_object_get(r, "published"))));
	return o;
}

int app_ws_view(struct store_conn *db, const struct actor *who, json_t **out)
{
	static const char *const obj_keys[] = {"id",      "title",  "metric", "baseline", "target",
	                                       "current", "due_on", "status", NULL};
	char actor[600], today[DATE_LEN];
	json_t *m = NULL, *acc = NULL, *plan = NULL, *objs = NULL, *acts = NULL, *revs = NULL,
	       *comments = NULL, *ans = NULL, *x, *owner = NULL, *cases = NULL, *surveys = NULL,
	       *next = NULL, *published;
	struct settings set;
	date_t tday;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = client_load(db, who, &m, actor, sizeof(actor))) != KAM_OK ||
	    (rc = store_get(db, &model_account, who->member_account, &acc, NULL)) != KAM_OK ||
	    (rc = app_settings_load(db, &set, NULL)) != KAM_OK)
		goto out;
	if (json_is_true(json_object_get(acc, "workspace_shares_revenue"))) {
		/* shared revenue is the account's 12 months as the scores last counted them:
		 * counted again first when revenue changed since (as the plan document does) */
		json_decref(acc);
		acc = NULL;
		if ((rc = app_scores_fresh_as(db, who)) != KAM_OK ||
		    (rc = store_get(db, &model_account, who->member_account, &acc, NULL)) != KAM_OK)
			goto out;
	}
	tday = settings_today(&set, who->now);
	date_format(tday, today);
	if ((rc = current_plan(db, who->member_account, today, &plan)) != KAM_OK ||
	    (rc = store_ws_comments(db, who->member_account, &comments)) != KAM_OK)
		goto out;
	ans =
	    json_pack("{s:{s:O,s:O},s:{s:O,s:O},s:s?,s:n,s:n,s:o,s:o,s:n,s:o,s:s}", "account", "id",
	              json_object_get(acc, "id"), "name", json_object_get(acc, "name"), "member",
	              "id", json_object_get(m, "id"), "name", json_object_get(m, "name"), "company",
	              set.company_name[0] ? set.company_name : NULL, "kam", "plan", "objectives",
	              json_array(), "actions", json_array(), "next_review", "reviews", json_array(),
	              "as_of", today);
	if (ans == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (store_get(db, &model_user, num(acc, "owner_id"), &owner, NULL) == KAM_OK)
		json_object_set_new(ans, "kam",
		                    pick(owner, (const char *const[]){"name", "email", NULL}));
	if (plan) {
		int64_t pid = num(plan, "id");

		json_object_set_new(
		    ans, "plan",
		    pick(plan, (const char *const[]){"id", "title", "period_start", "period_end",
		                                     "vision", NULL}));
		if ((rc = plan_children(db, &model_objective, pid, &objs)) != KAM_OK ||
		    (rc = plan_children(db, &model_action, pid, &acts)) != KAM_OK ||
		    (rc = plan_children(db, &model_review, pid, &revs)) != KAM_OK)
			goto out;
	}
	json_array_foreach(objs, i, x)
	{
		json_t *o, *cs, *c;
		double p;
		size_t j;

		if (!shared_with(x, who->member_account))
			continue;
		cs = json_array();
		o = pick(x, obj_keys);
		json_object_set_new(o, "progress",
		                    plan_progress(x, &p) ? json_real(p) : json_null());
		json_array_foreach(comments, j, c) if (num(c, "objective_id") == num(x, "id"))
		    json_array_append_new(cs, comment_full(c));
		json_object_set_new(o, "comments", cs);
		json_array_append_new(json_object_get(ans, "objectives"), o);
	}
	json_array_foreach(acts, i, x)
	{
		json_t *o, *cs, *c;
		const char *side = str(x, "side");
		size_t j;

		if (!shared_with(x, who->member_account))
			continue;
		cs = json_array();
		o = pick(x, (const char *const[]){"id", "title", "side", "status", "due_on",
		                                  "objective_id", NULL});
		json_object_set_new(o, "owner", user_name(db, json_object_get(x, "owner_id")));
		json_object_set_new(o, "editable",
		                    json_boolean(side && strcmp(side, "ours") != 0 &&
		                                 strcmp(str(x, "status"), "proposed") != 0));
		json_array_foreach(comments, j, c) if (num(c, "action_id") == num(x, "id"))
		    json_array_append_new(cs, comment_full(c));
		json_object_set_new(o, "comments", cs);
		json_array_append_new(json_object_get(ans, "actions"), o);
	}
	/* the next joint review: the earliest not yet past; the minutes of those published */
	published = json_object_get(ans, "reviews");
	json_array_foreach(revs, i, x)
	{
		const char *on = str(x, "proposed_on") ? str(x, "proposed_on") : str(x, "held_on");

		if (!json_is_true(json_object_get(x, "joint")))
			continue;
		if (on && strcmp(on, today) >= 0 &&
		    (next == NULL ||
		     strcmp(on, str(next, "proposed_on") ? str(next, "proposed_on")
		                                         : str(next, "held_on")) < 0))
			next = x;
		if (json_is_true(json_object_get(x, "published")))
			json_array_append_new(published, review_out(db, x));
	}
	if (next)
		json_object_set_new(ans, "next_review", review_out(db, next));
	if ((rc = service_kpis(db, &set, who->member_account, tday, ans)) != KAM_OK ||
	    (rc = store_ws_cases(db, who->member_account, &cases)) != KAM_OK ||
	    (rc = store_survey_pending(db, who->member_account, who->member_id, &surveys)) !=
	        KAM_OK)
		goto out;
	json_array_foreach(cases, i, x)
	    json_object_set_new(x, "opened_at", stamp(json_object_get(x, "opened_at")));
	json_object_set(ans, "cases", cases);
	json_object_set(ans, "surveys", surveys);
	if (json_is_true(json_object_get(acc, "workspace_shares_revenue")))
		json_object_set_new(ans, "revenue",
		                    json_pack("{s:O?,s:s}", "revenue_12m",
		                              json_object_get(acc, "revenue_12m"), "currency",
		                              set.base_currency));
	else
		json_object_set_new(ans, "revenue", json_null());
	*out = ans;
	ans = NULL;
out:
	json_decref(m);
	json_decref(acc);
	json_decref(plan);
	json_decref(objs);
	json_decref(acts);
	json_decref(revs);
	json_decref(comments);
	json_decref(owner);
	json_decref(cases);
	json_decref(surveys);
	json_decref(ans);
	return rc;
}

int app_ws_session_open(struct store_conn *db, const char *token, const char *addr, int64_t now,
                        char cookie[WS_TOKEN_LEN], char csrf[WS_CSRF_LEN], json_t **out,
                        int64_t *retry_after)
{
	char hash[TOK_HASH_LEN], key[128];
	int64_t member = 0, count = 0, start = 0;
	json_t *m = NULL, *acc = NULL;
	bool open = false;
	int rc;

	*out = NULL;
	*retry_after = 0;
	cookie[0] = csrf[0] = '\0';
	snprintf(key, sizeof(key), "%s%s", auth_throttle_workspace.prefix, addr ? addr : "");
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	/* counted before the token is looked at, so parallel guesses cannot pass the limit */
	if ((rc = store_throttle_take(db, key, auth_throttle_workspace.window, now, &count,
	                              &start)) != KAM_OK)
		goto out;
	if ((*retry_after = auth_throttle_wait(&auth_throttle_workspace, count, start, now)) > 0) {
		rc = store_commit(db);
		open = false;
		if (rc == KAM_OK)
			rc = KAM_ERATE;
		goto out;
	}
	if (token == NULL || strncmp(token, "ws_", 3) != 0 || strlen(token) >= WS_TOKEN_LEN) {
		rc = store_commit(db);
		open = false;
		if (rc == KAM_OK)
			rc = KAM_ENOTFOUND;
		goto out;
	}
	tok_hash(token, hash);
	/* the link is found by its hash (the lookup learns nothing from timing) and used up */
	rc = store_wslink_take(db, hash, now, &member);
	if (rc == KAM_ENOTFOUND) {
		rc = store_commit(db);
		open = false;
		if (rc == KAM_OK)
			rc = KAM_ENOTFOUND;
		goto out;
	}
	if (rc != KAM_OK || (rc = store_member_get(db, member, &m)) != KAM_OK ||
	    (rc = store_get(db, &model_account, num(m, "account_id"), &acc, NULL)) != KAM_OK)
		goto out;
	tok_random("wss_", 32, cookie, WS_TOKEN_LEN);
	tok_random("", 24, csrf, WS_CSRF_LEN);
	tok_hash(cookie, hash);
	if ((rc = store_wssession_create(db, hash, member, csrf, now)) != KAM_OK ||
	    (rc = store_wssession_touch(db, hash, member, now)) != KAM_OK ||
	    (rc = store_throttle_give(db, key, false)) != KAM_OK ||
	    (rc = store_audit_add_by(db, 0, member, "client_sign_in", "client_member", member, NULL,
	                             NULL, now)) != KAM_OK)
		goto out;
	{
		char actor[600];

		snprintf(actor, sizeof(actor), "client: %s (%s)", str(m, "name"), str(acc, "name"));
		if ((rc = store_ws_activity_add(db, num(m, "account_id"), member, actor, "sign_in",
		                                "client_member", member, "signed in", now)) !=
		    KAM_OK)
			goto out;
	}
	if ((rc = store_commit(db)) != KAM_OK)
		goto out;
	open = false;
	*out = json_pack("{s:{s:O,s:O},s:{s:O,s:O},s:s}", "member", "id", json_object_get(m, "id"),
	                 "name", json_object_get(m, "name"), "account", "id",
	                 json_object_get(acc, "id"), "name", json_object_get(acc, "name"),
	                 "csrf_token", csrf);
	rc = *out ? KAM_OK : KAM_ENOMEM;
out:
	if (open)
		store_rollback(db);
	if (rc != KAM_OK)
		cookie[0] = csrf[0] = '\0';
	json_decref(m);
	json_decref(acc);
	return rc;
}

int app_ws_session_close(struct store_conn *db, const char *hash)
{
	return store_wssession_delete(db, hash);
}

/* A record of who's account shared with them, locked for a write (KAM_ENOTFOUND otherwise,
 * as for a missing one). */
static int shared_record(struct store_conn *db, const struct actor *who,
                         const struct model_entity *e, int64_t id, json_t **rec, int64_t *version)
{
	int rc = store_get_locked(db, e, id, rec, version);

	if (rc == KAM_OK && !shared_with(*rec, who->member_account)) {
		json_decref(*rec);
		*rec = NULL;
		rc = KAM_ENOTFOUND;
	}
	return rc;
}

int app_ws_action_update(struct store_conn *db, const struct actor *who, int64_t id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"status", "due_on", NULL};
	char actor[600], today[DATE_LEN], summary[400];
	json_t *m = NULL, *rec = NULL, *patch = NULL, *after = NULL, *st;
	const char *due = NULL, *status = NULL, *side;
	int64_t version = 0;
	int rc;

	*out = NULL;
	if ((rc = client_load(db, who, &m, actor, sizeof(actor))) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto done;
	if ((rc = shared_record(db, who, &model_action, id, &rec, &version)) != KAM_OK)
		goto fail;
	side = str(rec, "side");
	if (side == NULL || strcmp(side, "ours") == 0 ||
	    strcmp(str(rec, "status"), "proposed") == 0) {
		err_detail(ei, "only actions on your side (theirs or joint) may be changed here");
		rc = KAM_EFORBIDDEN;
		goto fail;
	}
	if ((rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = date_field(body, "due_on", false, &due, ei)) != KAM_OK)
		goto fail;
	st = json_object_get(body, "status");
	if (st && (!json_is_string(st) || (strcmp(json_string_value(st), "open") != 0 &&
	                                   strcmp(json_string_value(st), "in_progress") != 0 &&
	                                   strcmp(json_string_value(st), "done") != 0))) {
		err_field(ei, "status", "must be open, in_progress or done");
		rc = KAM_EINVAL;
		goto fail;
	}
	status = json_string_value(st);
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		goto fail;
	patch = json_object();
	if (status) {
		json_object_set_new(patch, "status", json_string(status));
		json_object_set_new(patch, "done_on",
		                    strcmp(status, "done") == 0 ? json_string(today) : json_null());
	}
	if (json_object_get(body, "due_on"))
		json_object_set_new(patch, "due_on", due ? json_string(due) : json_null());
	if ((rc = store_update(db, &model_action, id, patch, version, time_now())) != KAM_OK ||
	    (rc = store_get(db, &model_action, id, &after, NULL)) != KAM_OK)
		goto fail;
	snprintf(summary, sizeof(summary), "%s%s%s%s the action \"%.200s\"",
	         status ? "set to " : "", status ? status : "", status && due ? " and " : "",
	         due ? "rescheduled" : (!status ? "changed" : ""), str(rec, "title"));
	if ((rc = client_did(db, who, actor, "client_update", "action", id, rec, after, summary)) !=
	        KAM_OK ||
	    (rc = client_commit(db)) != KAM_OK)
		goto fail;
	*out = pick(after, (const char *const[]){"id", "title", "side", "status", "due_on",
	                                         "objective_id", NULL});
	goto done;
fail:
	store_rollback(db);
done:
	json_decref(m);
	json_decref(rec);
	json_decref(patch);
	json_decref(after);
	return rc;
}

int app_ws_action_propose(struct store_conn *db, const struct actor *who, const json_t *body,
                          json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"title", "due_on", "objective_id", NULL};
	char actor[600], today[DATE_LEN], summary[400];
	const char *title, *due;
	int64_t obj = 0, id = 0, now = time_now();
	json_t *m = NULL, *plan = NULL, *o = NULL, *rec = NULL, *after = NULL;
	int rc;

	*out = NULL;
	if ((rc = client_load(db, who, &m, actor, sizeof(actor))) != KAM_OK)
		return rc;
	if ((rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = text_field(body, "title", true, 300, &title, ei)) != KAM_OK ||
	    (rc = date_field(body, "due_on", false, &due, ei)) != KAM_OK ||
	    (rc = id_field(body, "objective_id", &obj, ei)) != KAM_OK ||
	    (rc = app_today_text(db, who, today)) != KAM_OK)
		goto done;
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto done;
	if ((rc = current_plan(db, who->member_account, today, &plan)) != KAM_OK)
		goto fail;
	if (plan == NULL) {
		err_detail(ei, "there is no current plan to propose an action in");
		rc = KAM_ECONFLICT;
		goto fail;
	}
	if (obj > 0) {
		rc = store_get(db, &model_objective, obj, &o, NULL);
		if (rc == KAM_OK &&
		    (!shared_with(o, who->member_account) || num(o, "plan_id") != num(plan, "id")))
			rc = KAM_ENOTFOUND;
		if (rc == KAM_ENOTFOUND) {
			err_field(ei, "objective_id",
			          "no such shared objective of the current plan");
			rc = KAM_EINVAL;
		}
		if (rc != KAM_OK)
			goto fail;
	}
	rec = json_pack("{s:O,s:O,s:s,s:s,s:s,s:b}", "plan_id", json_object_get(plan, "id"),
	                "account_id", json_object_get(plan, "account_id"), "title", title, "status",
	                "proposed", "side", "theirs", "client_visible", 1);
	if (due)
		json_object_set_new(rec, "due_on", json_string(due));
	if (obj > 0)
		json_object_set_new(rec, "objective_id", json_integer(obj));
	snprintf(summary, sizeof(summary), "proposed the action \"%.200s\"", title);
	if ((rc = store_insert(db, &model_action, rec, now, &id)) != KAM_OK ||
	    (rc = store_get(db, &model_action, id, &after, NULL)) != KAM_OK ||
	    (rc = client_did(db, who, actor, "client_propose", "action", id, NULL, after,
	                     summary)) != KAM_OK ||
	    (rc = client_commit(db)) != KAM_OK)
		goto fail;
	*out = pick(after, (const char *const[]){"id", "title", "side", "status", "due_on",
	                                         "objective_id", NULL});
	goto done;
fail:
	store_rollback(db);
done:
	json_decref(m);
	json_decref(plan);
	json_decref(o);
	json_decref(rec);
	json_decref(after);
	return rc;
}

int app_ws_comment(struct store_conn *db, const struct actor *who, const json_t *body, json_t **out,
                   struct kam_errinfo *ei)
{
	static const char *const keys[] = {"objective_id", "action_id", "body", NULL};
	char actor[600], summary[400];
	int64_t obj = 0, act = 0, id = 0, now = time_now();
	const char *text;
	json_t *m = NULL, *rows = NULL, *x;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = client_load(db, who, &m, actor, sizeof(actor))) != KAM_OK)
		return rc;
	if ((rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = text_field(body, "body", true, TEXT_MAX, &text, ei)) != KAM_OK ||
	    (rc = comment_target(db, body, who->member_account, &obj, &act, ei)) != KAM_OK)
		goto done;
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto done;
	snprintf(summary, sizeof(summary), "commented on %s %lld", obj ? "objective" : "action",
	         (long long)(obj ? obj : act));
	if ((rc = store_ws_comment_add(db, who->member_account, obj, act, who->member_id, 0,
	                               str(m, "name"), text, now, &id)) != KAM_OK ||
	    (rc = client_did(db, who, actor, "client_comment", "workspace_comment", id, NULL, body,
	                     summary)) != KAM_OK ||
	    (rc = store_ws_comments(db, who->member_account, &rows)) != KAM_OK ||
	    (rc = client_commit(db)) != KAM_OK) {
		store_rollback(db);
		goto done;
	}
	json_array_foreach(rows, i, x) if (num(x, "id") == id) *out = comment_full(x);
	rc = *out ? KAM_OK : KAM_ENOMEM;
done:
	json_decref(m);
	json_decref(rows);
	return rc;
}

int app_ws_review_answer(struct store_conn *db, const struct actor *who, int64_t id,
                         const char *what, const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	char actor[600], summary[400];
	json_t *m = NULL, *rec = NULL, *plan = NULL, *patch = NULL, *after = NULL;
	const char *on = NULL, *item = NULL;
	int64_t version = 0;
	int rc;

	*out = NULL;
	if ((rc = client_load(db, who, &m, actor, sizeof(actor))) != KAM_OK)
		return rc;
	if (body && !strcmp(what, "confirm"))
		rc = only_keys(body, (const char *const[]){NULL}, ei);
	else if (!strcmp(what, "propose") &&
	         (rc = only_keys(body, (const char *const[]){"proposed_on", NULL}, ei)) == KAM_OK)
		rc = date_field(body, "proposed_on", true, &on, ei);
	else if (!strcmp(what, "agenda") &&
	         (rc = only_keys(body, (const char *const[]){"item", NULL}, ei)) == KAM_OK)
		rc = text_field(body, "item", true, TEXT_MAX, &item, ei);
	if (rc != KAM_OK)
		goto done;
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto done;
	rc = store_get_locked(db, &model_review, id, &rec, &version);
	if (rc == KAM_OK && (num(rec, "account_id") != who->member_account ||
	                     !json_is_true(json_object_get(rec, "joint"))))
		rc = KAM_ENOTFOUND;
	if (rc != KAM_OK)
		goto fail;
	patch = json_object();
	if (!strcmp(what, "confirm")) {
		json_object_set_new(patch, "status", json_string("confirmed"));
		json_object_set_new(patch, "client_proposed_on", json_null());
		snprintf(summary, sizeof(summary), "confirmed the review on %s",
		         str(rec, "proposed_on") ? str(rec, "proposed_on") : str(rec, "held_on"));
	} else if (!strcmp(what, "propose")) {
		json_object_set_new(patch, "status", json_string("rescheduled"));
		json_object_set_new(patch, "client_proposed_on", json_string(on));
		snprintf(summary, sizeof(summary), "proposed %s for the review", on);
	} else {
		snprintf(summary, sizeof(summary), "added \"%.200s\" to the review's agenda", item);
		if ((rc = store_agenda_add(db, id, item, who->member_id, 0, time_now())) != KAM_OK)
			goto fail;
	}
	if (json_object_size(patch) &&
	    (rc = store_update(db, &model_review, id, patch, version, time_now())) != KAM_OK)
		goto fail;
	if ((rc = store_get(db, &model_review, id, &after, NULL)) != KAM_OK ||
	    (rc = client_did(db, who, actor,
	                     !strcmp(what, "agenda") ? "client_agenda" : "client_update", "review",
	                     id, rec, after, summary)) != KAM_OK ||
	    (rc = client_commit(db)) != KAM_OK)
		goto fail;
	*out = review_out(db, after);
	goto done;
fail:
	store_rollback(db);
done:
	json_decref(m);
	json_decref(rec);
	json_decref(plan);
	json_decref(patch);
	json_decref(after);
	return rc;
}

int app_ws_survey_answer(struct store_conn *db, const struct actor *who, int64_t id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"score", "comment", NULL};
	char actor[600], today[DATE_LEN], summary[200];
	json_t *m = NULL, *req = NULL, *rec = NULL, *sc = json_object_get(body, "score");
	const char *comment = NULL;
	int64_t sid = 0, score, now = time_now();
	bool nps;
	int rc;

	*out = NULL;
	if ((rc = client_load(db, who, &m, actor, sizeof(actor))) != KAM_OK)
		return rc;
	rc = store_survey_request_get(db, id, &req);
	if (rc == KAM_OK && num(req, "account_id") != who->member_account)
		rc = KAM_ENOTFOUND;
	if (rc == KAM_OK && json_is_integer(json_object_get(req, "closed_at"))) {
		/* the member saw it open: say why it is refused (its answers stay counted) */
		err_detail(ei, "this survey request was closed: it takes no more answers");
		rc = KAM_ECONFLICT;
	}
	if (rc != KAM_OK)
		goto done;
	nps = !strcmp(str(req, "kind"), "nps");
	if ((rc = only_keys(body, keys, ei)) != KAM_OK ||
	    (rc = text_field(body, "comment", false, TEXT_MAX, &comment, ei)) != KAM_OK)
		goto done;
	score = json_integer_value(sc);
	if (!json_is_integer(sc) || score < (nps ? 0 : 1) || score > (nps ? 10 : 5)) {
		err_field(ei, "score",
		          nps ? "must be a whole number from 0 to 10"
		              : "must be a whole number from 1 to 5");
		rc = KAM_EINVAL;
		goto done;
	}
	if ((rc = app_today_text(db, who, today)) != KAM_OK ||
	    (rc = store_begin(db, true)) != KAM_OK)
		goto done;
	/* closed by the KAM since it was read: refused alike, inside the writing transaction */
	json_decref(req);
	req = NULL;
	if ((rc = store_survey_request_get(db, id, &req)) != KAM_OK) {
		store_rollback(db);
		goto done;
	}
	if (json_is_integer(json_object_get(req, "closed_at"))) {
		store_rollback(db);
		err_detail(ei, "this survey request was closed: it takes no more answers");
		rc = KAM_ECONFLICT;
		goto done;
	}
	rec = json_pack("{s:I,s:s,s:s,s:I}", "account_id", (json_int_t)who->member_account, "kind",
	                str(req, "kind"), "answered_on", today, "score", (json_int_t)score);
	if (json_is_integer(json_object_get(m, "contact_id")))
		json_object_set(rec, "contact_id", json_object_get(m, "contact_id"));
	if (comment)
		json_object_set_new(rec, "comment", json_string(comment));
	snprintf(summary, sizeof(summary), "answered the %s survey: %lld", nps ? "NPS" : "CSAT",
	         (long long)score);
	if ((rc = store_insert(db, &model_survey, rec, now, &sid)) != KAM_OK ||
	    (rc = store_survey_answer_add(db, id, who->member_id, sid, now)) != KAM_OK ||
	    (rc = client_did(db, who, actor, "client_answer", "survey", sid, NULL, rec, summary)) !=
	        KAM_OK ||
	    (rc = client_commit(db)) != KAM_OK) {
		store_rollback(db);
		if (rc == KAM_ECONFLICT)
			err_detail(ei, "you answered this survey already");
		goto done;
	}
	/* the answer is not echoed: "score" is an internal word of kam (the account's) */
	*out = json_pack("{s:I,s:s,s:s}", "request_id", (json_int_t)id, "kind", str(req, "kind"),
	                 "answered_on", today);
	rc = *out ? KAM_OK : KAM_ENOMEM;
done:
	json_decref(m);
	json_decref(req);
	json_decref(rec);
	return rc;
}

int app_ws_document(struct store_conn *db, const struct actor *who, const char *format, char **buf,
                    size_t *len, char *filename, size_t fnlen, char *err, size_t errlen)
{
	json_t *view = NULL, *doc = NULL, *full = NULL, *x, *arr;
	size_t i;
	int rc;

	*buf = NULL;
	*len = 0;
	if ((rc = app_ws_view(db, who, &view)) != KAM_OK)
		return rc;
	/* the account's full document is read for its KPI and revenue parts only; everything
	 * else comes from the workspace view, which holds nothing internal */
	if (json_is_integer(json_object_get(json_object_get(view, "plan"), "id")) &&
	    (rc = app_plan_document_data(db, num(json_object_get(view, "plan"), "id"), who->now,
	                                 &full)) != KAM_OK)
		goto out;
	doc = json_pack("{s:O,s:{s:O},s:O,s:[],s:[],s:[],s:O?}", "generated_on",
	                json_object_get(view, "as_of"), "account", "name",
	                json_object_get(json_object_get(view, "account"), "name"), "plan",
	                json_object_get(view, "plan"), "stakeholders", "risks", "competitors",
	                "kpi_period", json_object_get(full, "kpi_period"));
	if (doc == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (json_is_null(json_object_get(doc, "plan")))
		json_object_set_new(doc, "plan", json_object());
	json_object_del(json_object_get(doc, "plan"), "id");
	arr = json_array();
	json_object_set_new(doc, "objectives", arr);
	json_array_foreach(json_object_get(view, "objectives"), i, x) json_array_append_new(
	    arr, pick(x, (const char *const[]){"title", "metric", "baseline", "target", "current",
	                                       "due_on", "status", "progress", NULL}));
	arr = json_array();
	json_object_set_new(doc, "actions", arr);
	json_array_foreach(json_object_get(view, "actions"), i, x)
	{
		json_t *a =
		    pick(x, (const char *const[]){"title", "owner", "due_on", "status", NULL});

		json_object_set_new(a, "overdue", json_false());
		json_array_append_new(arr, a);
	}
	{
		json_t *k = json_object_get(view, "kpis");
		bool rev = json_is_object(json_object_get(view, "revenue"));

		json_object_set_new(doc, "kpis",
		                    json_pack("{s:O?,s:O?}", "nps",
		                              json_object_get(json_object_get(k, "nps"), "value"),
		                              "sla_compliance",
		                              json_object_get(k, "sla_compliance")));
		if (rev && full) {
			json_object_set(
			    json_object_get(doc, "kpis"), "revenue_12m",
			    json_object_get(json_object_get(full, "kpis"), "revenue_12m"));
			json_object_set(doc, "revenue_by_month",
			                json_object_get(full, "revenue_by_month"));
			json_object_set(doc, "currency", json_object_get(full, "currency"));
		}
	}
	if ((rc = app_plan_document_render(doc, format, buf, len, err, errlen)) != KAM_OK)
		goto out;
	plandoc_filename(doc, format, filename, fnlen);
out:
	json_decref(view);
	json_decref(doc);
	json_decref(full);
	return rc;
}
