/*
 * Calendar feeds (RFC 5545): each user may have one feed URL with a capability token in it,
 * shown once, kept as a hash, rotated by POST and revoked by DELETE /api/v1/me/calendar. The
 * feed holds the dates of the accounts the user may see: open plan actions' due dates, plan
 * reviews (held or scheduled, and the next one), open renewals' expected close dates and
 * open cases' SLA deadlines, from a year back on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "kam/date.h"
#include "kam/engagement.h"
#include "kam/money.h"
#include "kam/settings.h"
#include "store/calendar.h"
#include "util/ical.h"
#include "util/time.h"
#include "util/tok.h"

#define FEED_DAYS_BACK 365
#define FEED_MAX_ROWS 5000 /* per kind of event */
#define FEED_GONE "this calendar link is not valid or was revoked"

/* "https://host" from Host and X-Forwarded-Proto, or "" (relative URLs) when Host is missing
 * or not a plain host[:port]. */
static void base_url(const struct req *rq, char *out, size_t len)
{
	const char *h = rq->host;
	bool https = rq->forwarded_proto && strcmp(rq->forwarded_proto, "https") == 0;

	out[0] = '\0';
	if (h == NULL || h[0] == '\0' || strlen(h) > 255 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
	        strlen(h))
		return;
	snprintf(out, len, "%s://%s", https ? "https" : "http", h);
}

int api_calendar_create(struct req *rq, struct resp *rs)
{
	char tok[80], h[TOK_HASH_LEN], base[300], url[512], path[160], ts[32];
	int64_t now = time_now(), old;
	bool rotated;
	int rc;

	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	rc = store_calendar_get(rq->db, rq->user.who.user_id, &old);
	if (rc != KAM_OK && rc != KAM_ENOTFOUND)
		goto out;
	rotated = rc == KAM_OK;
	tok_random("", 32, tok, sizeof(tok));
	tok_hash(tok, h);
	if ((rc = store_calendar_set(rq->db, rq->user.who.user_id, h, now)) != KAM_OK ||
	    (rc = app_audit(rq->db, &rq->user.who, rotated ? "rotate" : "create", "calendar_feed", rq->user.who.user_id, NULL,
	                    NULL)) != KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	snprintf(path, sizeof(path), "/api/v1/calendar/%s.ics", tok);
	base_url(rq, base, sizeof(base));
	snprintf(url, sizeof(url), "%s%s", base, path);
	time_rfc3339(now, ts, sizeof(ts));
	http_reply_json(rs, 201,
	                json_pack("{s:s,s:s,s:s,s:b}", "url", url, "path", path, "created_at", ts,
	                          "rotated", rotated));
out:
	if (rc != KAM_OK)
		http_reply_err(rs, rc, NULL);
	return rc;
}

int api_calendar_get(struct req *rq, struct resp *rs)
{
	int64_t at = 0;
	char ts[32];
	int rc = store_calendar_get(rq->db, rq->user.who.user_id, &at);

	if (rc == KAM_ENOTFOUND)
		return http_reply_json(rs, 200,
		                       json_pack("{s:b,s:n}", "active", false, "created_at"));
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	time_rfc3339(at, ts, sizeof(ts));
	return http_reply_json(rs, 200, json_pack("{s:b,s:s}", "active", true, "created_at", ts));
}

int api_calendar_delete(struct req *rq, struct resp *rs)
{
	int rc;

	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = store_calendar_revoke(rq->db, rq->user.who.user_id)) != KAM_OK ||
	    (rc = app_audit(rq->db, &rq->user.who, "revoke", "calendar_feed", rq->user.who.user_id, NULL, NULL)) != KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_empty(rs, 204);
out:
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "calendar feed");
	if (rc != KAM_OK)
		http_reply_err(rs, rc, NULL);
	return rc;
}

/* --- the feed --- */

struct feed {
	struct ical ic;
	int64_t now;
	const char *base;
	int rc;
};

static const char *str(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s ? s : "";
}

static int64_t num(const json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}

/* One event about row's account; date or (when NULL) at. */
static void event(struct feed *f, const json_t *row, const char *uid, const char *date, int64_t at,
                  const char *what, const char *title, const char *desc, const char *category)
{
	char url[400], summary[2400]; /* 200 + 300 characters of up to 4 octets */
	struct ical_event ev = {uid, f->now, date, at, summary, desc, url, category};

	if (f->rc != KAM_OK || (date && !date_valid(date))) /* a bad date in old data: no event */
		return;
	snprintf(url, sizeof(url), "%s/#/accounts/%lld", f->base,
	         (long long)num(row, "account_id"));
	snprintf(summary, sizeof(summary), "%s: %s%s%s", str(row, "account_name"), what,
	         title && title[0] ? " - " : "", title ? title : "");
	f->rc = ical_event(&f->ic, &ev);
	if (f->rc == KAM_EINVAL) /* a malformed date in old data: leave the event out */
		f->rc = KAM_OK;
}

static void actions(struct feed *f, const json_t *rows)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
	{
		char uid[64], desc[2400];

		snprintf(uid, sizeof(uid), "action-%lld@kam", (long long)num(r, "id"));
		snprintf(desc, sizeof(desc), "Plan action (%s) of %s\nPlan: %s", str(r, "status"),
		         str(r, "account_name"), str(r, "plan_title"));
		event(f, r, uid, str(r, "due_on"), 0, "Action due", str(r, "title"), desc,
		      "action");
	}
}

static void reviews(struct feed *f, const json_t *rows, const char *since)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
	{
		bool qbr = strcmp(str(r, "kind"), "qbr") == 0;
		char uid[64], desc[2400];

		snprintf(desc, sizeof(desc), "%s of %s\nPlan: %s",
		         qbr ? "Quarterly business review" : "Internal plan review",
		         str(r, "account_name"), str(r, "plan_title"));
		if (strcmp(str(r, "held_on"), since) >= 0) {
			snprintf(uid, sizeof(uid), "review-%lld@kam", (long long)num(r, "id"));
			event(f, r, uid, str(r, "held_on"), 0, qbr ? "QBR" : "Plan review", NULL,
			      desc, "review");
		}
		if (json_is_string(json_object_get(r, "next_review_on")) &&
		    strcmp(str(r, "next_review_on"), since) >= 0) {
			snprintf(uid, sizeof(uid), "review-%lld-next@kam", (long long)num(r, "id"));
			event(f, r, uid, str(r, "next_review_on"), 0,
			      qbr ? "Next QBR due" : "Next plan review due", NULL, desc, "review");
		}
	}
}

static void renewals(struct feed *f, const json_t *rows)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
	{
		char uid[64], desc[2400], amount[64];

		snprintf(uid, sizeof(uid), "opportunity-%lld@kam", (long long)num(r, "id"));
		money_text(num(r, "amount"), str(r, "currency"), amount, sizeof(amount));
		snprintf(desc, sizeof(desc),
		         "Renewal of %s, expected to close\nAmount: %s\nStage: %s",
		         str(r, "account_name"), amount, str(r, "stage"));
		event(f, r, uid, str(r, "expected_close_on"), 0, "Renewal", str(r, "name"), desc,
		      "renewal");
	}
}

static void cases(struct feed *f, const json_t *rows, const struct settings *s)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
	{
		enum severity sev = settings_severity(str(r, "severity"));
		int hours = s->sla_hours[sev < SEV__MAX ? sev : SEV_CRITICAL];
		char uid[64], desc[2400];

		snprintf(uid, sizeof(uid), "case-%lld-sla@kam", (long long)num(r, "id"));
		snprintf(desc, sizeof(desc), "SLA deadline (%d h, %s severity) of a %s case of %s",
		         hours, str(r, "severity"), str(r, "status"), str(r, "account_name"));
		event(f, r, uid, NULL, case_sla_due(num(r, "opened_at"), hours), "SLA deadline",
		      str(r, "title"), desc, "case");
	}
}

int api_calendar_feed(struct req *rq, struct resp *rs)
{
	const char *p = rq->nparams ? rq->params[0] : "";
	size_t n = strlen(p);
	char tok[80], h[TOK_HASH_LEN], base[300], since[16], name[300];
	struct feed f = {.now = api_now(rq), .base = base};
	struct store_auth who = {0};
	struct settings set;
	json_t *rows = NULL;
	enum role role;
	int rc;

	if (n < 40 + 4 || n > 64 + 4 || strcmp(p + n - 4, ".ics") != 0) {
		http_problem(rs, 404, FEED_GONE, NULL);
		return KAM_ENOTFOUND;
	}
	snprintf(tok, sizeof(tok), "%.*s", (int)(n - 4), p);
	tok_hash(tok, h);
	if ((rc = store_calendar_user(rq->db, h, &who)) == KAM_ENOTFOUND) {
		http_problem(rs, 404, FEED_GONE, NULL);
		return rc;
	}
	if (rc != KAM_OK)
		goto out;
	role = auth_role_parse(who.role);
	rs->user_id = who.user_id;
	if ((rc = app_settings_load(rq->db, &set, NULL)) != KAM_OK)
		goto out;
	date_format(date_add_days_clamped(settings_today(&set, f.now), -FEED_DAYS_BACK), since);
	if ((rc = store_calendar_rows(rq->db, auth_sees_all(role) ? 0 : who.user_id, since,
	                              FEED_MAX_ROWS, &rows)) != KAM_OK)
		goto out;
	base_url(rq, base, sizeof(base));
	snprintf(name, sizeof(name), "kam: %s", who.name);
	f.rc = ical_begin(&f.ic, "-//kam//key account management//EN", name);
	actions(&f, json_object_get(rows, "actions"));
	reviews(&f, json_object_get(rows, "reviews"), since);
	renewals(&f, json_object_get(rows, "renewals"));
	cases(&f, json_object_get(rows, "cases"), &set);
	if (f.rc == KAM_OK)
		f.rc = ical_end(&f.ic);
	if ((rc = f.rc) != KAM_OK)
		goto out;
	http_header(rs, "X-Robots-Tag", "noindex");
	http_header(rs, "Content-Disposition", "inline; filename=\"kam.ics\"");
	http_reply_bytes(rs, 200, "text/calendar; charset=utf-8", f.ic.text.data, f.ic.text.len);
out:
	ical_free(&f.ic);
	json_decref(rows);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, NULL);
	return rc;
}
