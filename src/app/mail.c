/* Mail settings, SMTP through libcurl, the outbox and its worker (see mail.h). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/mail.h"
#include "kam/mail.h"
#include "store/invitation.h"
#include "store/outbox.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tok.h"

#define LEASE_SECONDS 300 /* longer than one SMTP exchange may take (connect 15 s, all 120 s) */
#define INVITE_DAYS_MAIL 7

static void env_copy(const char *name, char *out, size_t outlen)
{
	const char *v = getenv(name);

	snprintf(out, outlen, "%s", v ? v : "");
}

static bool url_host_local(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return strncmp(h, "127.0.0.1", 9) == 0 || strncmp(h, "localhost", 9) == 0 ||
	       strncmp(h, "[::1]", 5) == 0;
}

int app_mail_config(struct mail_config *c, char *err, size_t errlen)
{
	const char *tls = getenv("KAM_SMTP_TLS"), *pwfile = getenv("KAM_SMTP_PASSWORD_FILE");
	const char *retry = getenv("KAM_MAIL_RETRY_SECONDS");

	memset(c, 0, sizeof(*c));
	c->retry_base = 60;
	c->max_attempts = 8; /* 60 s doubling: the last try some four hours after the first */
	if (retry && strtol(retry, NULL, 10) >= 1 && strtol(retry, NULL, 10) <= 3600)
		c->retry_base = (int)strtol(retry, NULL, 10);
	env_copy("KAM_SMTP_URL", c->url, sizeof(c->url));
	env_copy("KAM_SMTP_USER", c->user, sizeof(c->user));
	env_copy("KAM_MAIL_FROM", c->from, sizeof(c->from));
	env_copy("KAM_PUBLIC_URL", c->public_url, sizeof(c->public_url));
	for (size_t n = strlen(c->public_url); n > 0 && c->public_url[n - 1] == '/'; n--)
		c->public_url[n - 1] = '\0';
	if (c->url[0] == '\0')
		return KAM_OK;
	if (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "KAM_SMTP_URL must start with smtp:// or smtps://");
		return KAM_EINVAL;
	}
	if (tls && strcmp(tls, "none") == 0) {
		if (!url_host_local(c->url) || strncmp(c->url, "smtps://", 8) == 0) {
			snprintf(err, errlen,
			         "KAM_SMTP_TLS=none is only for a server on localhost (tests)");
			return KAM_EINVAL;
		}
		c->plain = true;
	} else if (tls && tls[0] && strcmp(tls, "starttls") != 0) {
		snprintf(err, errlen, "KAM_SMTP_TLS must be starttls (the default) or none");
		return KAM_EINVAL;
	}
	if (pwfile && pwfile[0]) {
		FILE *f = fopen(pwfile, "r");
		size_t n;

		if (f == NULL) {
			snprintf(err, errlen, "cannot read KAM_SMTP_PASSWORD_FILE %s", pwfile);
			return KAM_EINVAL;
		}
		n = fread(c->password, 1, sizeof(c->password) - 1, f);
		fclose(f);
		c->password[n] = '\0';
		while (n > 0 && (c->password[n - 1] == '\n' || c->password[n - 1] == '\r'))
			c->password[--n] = '\0';
	} else
		env_copy("KAM_SMTP_PASSWORD", c->password, sizeof(c->password));
	{
		char addr[320];

		mail_address_of(c->from, addr, sizeof(addr));
		if (!mail_address_ok(addr)) {
			snprintf(err, errlen,
			         "KAM_MAIL_FROM must be an address (kam@example.com or "
			         "\"kam <kam@example.com>\")");
			return KAM_EINVAL;
		}
	}
	c->on = true;
	return KAM_OK;
}

void app_mail_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t room = size * n, left = u->len - u->pos;

	if (room > left)
		room = left;
	memcpy(dst, u->data + u->pos, room);
	u->pos += room;
	return room;
}

/* The server's replies: its last line, and its first refusal (4xx or 5xx), which says more
 * than the "221 Bye" that ends the session. */
struct answers {
	char last[256];
	char refusal[256];
};

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct answers *a = arg;
	size_t n = size;

	(void)h;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n == 0)
		return 0;
	if (n > 255)
		n = 255;
	snprintf(a->last, sizeof(a->last), "%.*s", (int)n, data);
	if (a->refusal[0] == '\0' && (data[0] == '4' || data[0] == '5'))
		snprintf(a->refusal, sizeof(a->refusal), "%.*s", (int)n, data);
	return 0;
}

int app_smtp_send(const struct mail_config *c, const char *to, const char *message, char *answer,
                  size_t alen, bool *permanent)
{
	CURL *h = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	struct upload u = {message, strlen(message), 0};
	char from[320], rcptaddr[330];
	struct answers an = {"", ""};
	const char *said;
	CURLcode cc;

	*permanent = false;
	if (h == NULL)
		return KAM_ENOMEM;
	mail_address_of(c->from, from, sizeof(from));
	snprintf(rcptaddr, sizeof(rcptaddr), "<%s>", to);
	rcpt = curl_slist_append(NULL, rcptaddr);
	{
		char mf[330];

		snprintf(mf, sizeof(mf), "<%s>", from);
		curl_easy_setopt(h, CURLOPT_MAIL_FROM, mf);
	}
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	                 c->plain ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	if (c->user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	}
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &an);
	cc = curl_easy_perform(h);
	said = an.refusal[0] ? an.refusal : an.last;
	if (cc == CURLE_OK)
		snprintf(answer, alen, "%s", an.last[0] ? an.last : "250 accepted");
	else
		snprintf(answer, alen, "%s%s%s", curl_easy_strerror(cc), said[0] ? ": " : "", said);
	/* a 5xx is the server's final word; anything else (down, 4xx, TLS) may pass later */
	*permanent = cc != CURLE_OK && an.refusal[0] == '5';
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return cc == CURLE_OK ? KAM_OK : KAM_EBUSY;
}

int app_mail_message(const struct mail_config *c, int64_t id, const char *to, const char *to_name,
                     const char *subject, const char *text, const char *html,
                     const char *unsubscribe, int64_t now, char **out)
{
	char from[320], mid[512], boundary[64], rnd[48];
	const char *dom;
	struct mail_parts p = {0};

	mail_address_of(c->from, from, sizeof(from));
	dom = strchr(from, '@');
	tok_random("", 12, rnd, sizeof(rnd));
	snprintf(mid, sizeof(mid), "kam.%lld.%s@%s", (long long)id, rnd, dom ? dom + 1 : "kam");
	tok_random("=_kam_", 18, boundary, sizeof(boundary));
	p.from = c->from;
	p.to = to;
	p.to_name = to_name;
	p.subject = subject;
	p.text = text;
	p.html = html;
	p.message_id = mid;
	p.date = now;
	p.list_unsubscribe = unsubscribe;
	p.boundary = boundary;
	return mail_compose(&p, out);
}

int app_mail_enqueue(struct store_conn *db, const char *kind, int64_t user_id, const char *to,
                     const char *to_name, const char *subject, const char *text, const char *html,
                     const char *unsubscribe, int64_t now)
{
	json_t *h = json_object();
	char *hs;

	if (unsubscribe)
		json_object_set_new(h, "List-Unsubscribe", json_string(unsubscribe));
	if (to_name && to_name[0])
		json_object_set_new(h, "To-Name", json_string(to_name));
	hs = json_object_size(h) ? json_dumps(h, JSON_COMPACT) : NULL;
	struct outbox_msg m = {.channel = "mail",
	                       .kind = kind,
	                       .user_id = user_id,
	                       .recipient = to,
	                       .subject = subject,
	                       .body_text = text,
	                       .body_html = html,
	                       .headers = hs};
	int rc = store_outbox_put(db, &m, now, NULL);

	free(hs);
	json_decref(h);
	return rc;
}

/* s with every "{{link}}" replaced by link (owned by the caller); NULL for NULL. */
static char *fill_link(const char *s, const char *link)
{
	struct buf b = {0};
	const char *p;

	if (s == NULL)
		return NULL;
	while ((p = strstr(s, "{{link}}")) != NULL) {
		buf_put(&b, s, (size_t)(p - s));
		buf_puts(&b, link);
		s = p + 8;
	}
	buf_puts(&b, s);
	return buf_take(&b, NULL);
}

/* An invitation's token is made when its mail goes out, so the outbox never holds it:
 * a new invitation (replacing any earlier one) in its own transaction. */
static int invitation_link(struct store_conn *db, const struct mail_config *c, int64_t user_id,
                           int64_t now, char *link, size_t linklen)
{
	char token[64], hash[TOK_HASH_LEN];
	int rc;

	tok_random("inv_", 32, token, sizeof(token));
	tok_hash(token, hash);
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	rc = store_invitation_put(db, user_id, hash, 0, now, now + INVITE_DAYS_MAIL * 86400);
	if (rc == KAM_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
	snprintf(link, linklen, "%s/#/invite/%s", c->public_url, token);
	return rc;
}

static int send_one(struct store_conn *db, const struct mail_config *c, const char *owner,
                    json_t *row, int64_t now, bool *ok)
{
	int64_t id = json_integer_value(json_object_get(row, "id"));
	int64_t attempts = json_integer_value(json_object_get(row, "attempts"));
	const char *to = json_string_value(json_object_get(row, "recipient"));
	const char *kind = json_string_value(json_object_get(row, "kind"));
	json_t *hdr = NULL;
	char *text = NULL, *html = NULL, *msg = NULL, answer[512] = "";
	const char *unsub = NULL;
	bool permanent = false;
	int rc = KAM_OK, src;

	*ok = false;
	if (json_string_value(json_object_get(row, "headers")))
		hdr = json_loads(json_string_value(json_object_get(row, "headers")), 0, NULL);
	unsub = json_string_value(json_object_get(hdr, "List-Unsubscribe"));
	if (kind && strcmp(kind, "invitation") == 0) {
		char link[700];

		if ((rc =
		         invitation_link(db, c, json_integer_value(json_object_get(row, "user_id")),
		                         now, link, sizeof(link))) != KAM_OK)
			goto out;
		text = fill_link(json_string_value(json_object_get(row, "body_text")), link);
		html = fill_link(json_string_value(json_object_get(row, "body_html")), link);
	} else {
		text = fill_link(json_string_value(json_object_get(row, "body_text")), "");
		html = fill_link(json_string_value(json_object_get(row, "body_html")), "");
	}
	src = app_mail_message(
	    c, id, to ? to : "", json_string_value(json_object_get(hdr, "To-Name")),
	    json_string_value(json_object_get(row, "subject")), text, html, unsub, now, &msg);
	if (src == KAM_EINVAL) {
		snprintf(answer, sizeof(answer), "not a valid address");
		permanent = true;
	} else if (src != KAM_OK) {
		rc = src;
		goto out;
	} else if (app_smtp_send(c, to, msg, answer, sizeof(answer), &permanent) == KAM_OK) {
		*ok = true;
		rc = store_outbox_sent(db, id, owner, now);
		goto out;
	}
	{
		/* exponential backoff: base, 2 base, 4 base, … */
		int64_t next = now + ((int64_t)c->retry_base << (attempts < 20 ? attempts : 20));

		if (permanent || attempts + 1 >= c->max_attempts)
			next = 0;
		log_msg("warn", "mail %lld to %s: %s%s", (long long)id, to ? to : "", answer,
		        next ? "; will retry" : "; given up");
		rc = store_outbox_retry(db, id, owner, answer, next, now);
	}
out:
	free(text);
	free(html);
	free(msg);
	json_decref(hdr);
	return rc;
}

int app_outbox_run(struct store_conn *db, const char *owner, int64_t now, int *sent, int *failed)
{
	struct mail_config c;
	char err[256];
	json_t *due = NULL;
	size_t i;
	json_t *v;
	int rc;

	*sent = *failed = 0;
	if (app_mail_config(&c, err, sizeof(err)) != KAM_OK || !c.on)
		return KAM_OK; /* kam serve said why at start */
	if ((rc = store_outbox_due(db, "mail", now, 50, &due)) != KAM_OK)
		return rc;
	json_array_foreach(due, i, v)
	{
		json_t *row = NULL;
		bool got = false, ok = false;

		rc = store_outbox_claim(db, json_integer_value(json_object_get(v, "id")), owner,
		                        now, LEASE_SECONDS, &got, &row);
		if (rc != KAM_OK)
			break;
		if (!got)
			continue; /* another node has it */
		rc = send_one(db, &c, owner, row, now, &ok);
		json_decref(row);
		if (rc != KAM_OK)
			break;
		if (ok)
			(*sent)++;
		else
			(*failed)++;
	}
	json_decref(due);
	return rc;
}

int app_outbox_list(struct store_conn *db, const struct actor *who, const char *state, json_t **out,
                    struct kam_errinfo *ei)
{
	json_t *items = NULL;
	int64_t failed = 0;
	int rc;

	*out = NULL;
	if (who->role != ROLE_ADMIN) {
		err_detail(ei, "only admins see the outbox");
		return KAM_EFORBIDDEN;
	}
	if (state == NULL)
		state = "failed";
	if (strcmp(state, "failed") && strcmp(state, "pending") && strcmp(state, "sent")) {
		err_field(ei, "state", "must be failed, pending or sent");
		return KAM_EINVAL;
	}
	if ((rc = store_outbox_list(db, "mail", state, 200, &items)) != KAM_OK ||
	    (rc = store_outbox_failed_count(db, &failed)) != KAM_OK) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o,s:I}", "items", items, "failed", (json_int_t)failed);
	return *out ? KAM_OK : KAM_ENOMEM;
}
