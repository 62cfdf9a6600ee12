/* Mail settings, SMTP through libcurl, the outbox and its worker (see mail.h). */
#include <curl/curl.h>
#include <sodium.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/mail.h"
#include "app/mywork.h"
#include "app/reset.h"
#include "app/users.h"
#include "app/scores.h"
#include "kam/plandoc.h"
#include "kam/settings.h"
#include "util/tz.h"
#include "util/time.h"
#include "kam/mail.h"
#include "store/invitation.h"
#include "app/workspace.h"
#include "store/outbox.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tok.h"
#include "util/words.h"

#define LEASE_SECONDS 300 /* longer than one SMTP exchange may take (connect 15 s, all 120 s) */

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
	if (getenv("KAM_MAIL_ATTEMPTS")) {
		long n = strtol(getenv("KAM_MAIL_ATTEMPTS"), NULL, 10);

		if (n >= 1 && n <= 20)
			c->max_attempts = (int)n;
	}
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

/* Sends message to one address on h, an easy handle kept across the mails of one outbox run:
 * libcurl then keeps its SMTP connection open and sends the next mail on it (a new MAIL FROM,
 * no new connection, EHLO, STARTTLS or login per mail). */
static int smtp_send_on(CURL *h, const struct mail_config *c, const char *to, const char *message,
                        char *answer, size_t alen, bool *permanent)
{
	struct curl_slist *rcpt = NULL;
	struct upload u = {message, strlen(message), 0};
	char from[320], rcptaddr[330], mf[330];
	struct answers an = {"", ""};
	const char *said;
	CURLcode cc;

	*permanent = false;
	mail_address_of(c->from, from, sizeof(from));
	snprintf(rcptaddr, sizeof(rcptaddr), "<%s>", to);
	if ((rcpt = curl_slist_append(NULL, rcptaddr)) == NULL)
		return KAM_ENOMEM;
	snprintf(mf, sizeof(mf), "<%s>", from);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, mf);
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
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(h, CURLOPT_READDATA, NULL);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, NULL);
	said = an.refusal[0] ? an.refusal : an.last;
	if (cc == CURLE_OK)
		snprintf(answer, alen, "%s", an.last[0] ? an.last : "250 accepted");
	else
		snprintf(answer, alen, "%s%s%s", curl_easy_strerror(cc), said[0] ? ": " : "", said);
	/* a 5xx is the server's final word; anything else (down, 4xx, TLS) may pass later */
	*permanent = cc != CURLE_OK && an.refusal[0] == '5';
	curl_slist_free_all(rcpt);
	return cc == CURLE_OK ? KAM_OK : KAM_EBUSY;
}

int app_smtp_send(const struct mail_config *c, const char *to, const char *message, char *answer,
                  size_t alen, bool *permanent)
{
	CURL *h = curl_easy_init();
	int rc;

	*permanent = false;
	if (h == NULL)
		return KAM_ENOMEM;
	rc = smtp_send_on(h, c, to, message, answer, alen, permanent);
	curl_easy_cleanup(h);
	return rc;
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
	rc = store_invitation_put(db, user_id, hash, 0, now, now + INVITE_DAYS * 86400);
	if (rc == KAM_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
	snprintf(link, linklen, "%s/#/invite/%s", c->public_url, token);
	return rc;
}

/* What became of one claimed message: sent, or its answer and when to try again (0: never). */
struct outcome {
	int64_t id;
	bool ok;
	int64_t next;
	char answer[512];
};

/* Sends one claimed message on h and says how it went in *o (the caller records it). */
static int send_one(struct store_conn *db, const struct mail_config *c, CURL *h, json_t *row,
                    int64_t now, struct outcome *o)
{
	int64_t id = json_integer_value(json_object_get(row, "id"));
	int64_t attempts = json_integer_value(json_object_get(row, "attempts"));
	const char *to = json_string_value(json_object_get(row, "recipient"));
	const char *kind = json_string_value(json_object_get(row, "kind"));
	json_t *hdr = NULL;
	char *text = NULL, *html = NULL, *msg = NULL;
	const char *unsub = NULL;
	bool permanent = false;
	int rc = KAM_OK, src;

	o->id = id;
	o->ok = false;
	o->answer[0] = '\0';
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
	} else if (kind && strcmp(kind, "workspace_link") == 0) {
		char link[700];

		/* a client member's sign-in link (issue 19), made now as an invitation's is */
		if ((rc = app_ws_mail_link(
		         db, c->public_url,
		         json_integer_value(json_object_get(hdr, "Workspace-Member")), now, link,
		         sizeof(link))) != KAM_OK)
			goto out;
		text = fill_link(json_string_value(json_object_get(row, "body_text")), link);
		html = fill_link(json_string_value(json_object_get(row, "body_html")), link);
	} else if (kind && strcmp(kind, "password_reset") == 0) {
		char link[700];

		if ((rc = app_reset_link(db, c, json_integer_value(json_object_get(row, "user_id")),
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
		snprintf(o->answer, sizeof(o->answer), "not a valid address");
		permanent = true;
	} else if (src != KAM_OK) {
		rc = src;
		goto out;
	} else if (smtp_send_on(h, c, to, msg, o->answer, sizeof(o->answer), &permanent) ==
	           KAM_OK) {
		o->ok = true;
		goto out;
	}
	/* exponential backoff: base, 2 base, 4 base, … */
	o->next = now + ((int64_t)c->retry_base << (attempts < 20 ? attempts : 20));
	if (permanent || attempts + 1 >= c->max_attempts)
		o->next = 0;
	log_msg("warn", "mail %lld to %s: %s%s", (long long)id, to ? to : "", o->answer,
	        o->next ? "; will retry" : "; given up");
out:
	free(text);
	free(html);
	free(msg);
	json_decref(hdr);
	return rc;
}

/* Writes the outcomes of a batch in one transaction (one commit, not one per mail) and lets
 * go of the claimed messages it did not get to (from skip on). */
static int record(struct store_conn *db, const char *owner, const struct outcome *o, size_t n,
                  const json_t *claimed, size_t skip, int64_t now)
{
	int rc = store_begin(db, true);

	for (size_t i = 0; rc == KAM_OK && i < n; i++)
		rc = o[i].ok ? store_outbox_sent(db, o[i].id, owner, now)
		             : store_outbox_retry(db, o[i].id, owner, o[i].answer, o[i].next, now);
	for (size_t i = skip; rc == KAM_OK && i < json_array_size(claimed); i++)
		rc = store_outbox_release(
		    db, json_integer_value(json_object_get(json_array_get(claimed, i), "id")),
		    owner);
	if (rc == KAM_OK)
		return store_commit(db);
	store_rollback(db);
	return rc;
}

/* How long one outbox run may go on sending before the jobs' loop gets its turn back. */
#define OUTBOX_RUN_SECONDS 30
#define OUTBOX_BATCH 50

int app_outbox_run(struct store_conn *db, const char *owner, int64_t now, int *sent, int *failed)
{
	struct mail_config c;
	char err[256];
	json_t *batch = NULL;
	struct outcome *o = NULL;
	CURL *h = NULL;
	int64_t t = now;
	int rc;

	*sent = *failed = 0;
	if (app_mail_config(&c, err, sizeof(err)) != KAM_OK || !c.on)
		return KAM_OK; /* kam serve said why at start */
	/* a sent mail is kept 30 days, for the admins' list */
	if ((rc = store_outbox_purge(db, now - 30 * 86400)) != KAM_OK)
		return rc;
	if ((o = calloc(OUTBOX_BATCH, sizeof(*o))) == NULL)
		return KAM_ENOMEM;
	/* batch after batch until nothing is due: a burst of 1,000 alert mails leaves now, not
	 * 50 a minute. Each batch is claimed by one UPDATE and recorded by one transaction, and
	 * one connection (h) carries every mail of the run. */
	while (rc == KAM_OK && t - now < OUTBOX_RUN_SECONDS) {
		size_t n = 0, i;
		int rrc;

		json_decref(batch);
		batch = NULL;
		if ((rc = store_outbox_claim_batch(db, "mail", owner, t, LEASE_SECONDS,
		                                   OUTBOX_BATCH, &batch)) != KAM_OK ||
		    json_array_size(batch) == 0)
			break;
		if (h == NULL && (h = curl_easy_init()) == NULL) {
			rc = KAM_ENOMEM;
		}
		for (i = 0; rc == KAM_OK && i < json_array_size(batch); i++) {
			/* a slow server: what is left goes back before its lease could run out */
			if (time_now() - t > LEASE_SECONDS / 2)
				break;
			rc = send_one(db, &c, h, json_array_get(batch, i), time_now(), &o[n]);
			if (rc == KAM_OK) {
				if (o[n].ok)
					(*sent)++;
				else
					(*failed)++;
				n++;
			}
		}
		/* what was sent is recorded even when something failed after it */
		rrc = record(db, owner, o, n, batch, n + (rc != KAM_OK), time_now());
		if (rc == KAM_OK)
			rc = rrc;
		t = time_now();
	}
	if (h)
		curl_easy_cleanup(h);
	json_decref(batch);
	free(o);
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

/* The HMAC key of unsubscribe links, made once per database (32 random bytes as hex). */
static int unsub_key(struct store_conn *db, unsigned char key[32])
{
	unsigned char fresh[32];
	char hex[65], *stored = NULL;
	int rc;

	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
	if ((rc = store_secret(db, "unsubscribe", hex, &stored)) != KAM_OK)
		return rc;
	rc = sodium_hex2bin(key, 32, stored, strlen(stored), NULL, NULL, NULL) == 0 ? KAM_OK
	                                                                            : KAM_EDB;
	free(stored);
	return rc;
}

/* "ID.MAC": the user and a keyed BLAKE2b of "unsubscribe:ID", so the link needs no login and
 * cannot be made for someone else. */
static int unsub_token(struct store_conn *db, int64_t user_id, char *out, size_t outlen)
{
	unsigned char key[32], mac[16];
	char msg[64], hex[33];
	int rc = unsub_key(db, key);

	if (rc != KAM_OK)
		return rc;
	snprintf(msg, sizeof(msg), "unsubscribe:%lld", (long long)user_id);
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg, strlen(msg), key,
	                   sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, outlen, "%lld.%s", (long long)user_id, hex);
	return KAM_OK;
}

int app_unsubscribe(struct store_conn *db, const char *token)
{
	char want[64];
	char *end = NULL;
	long long id = token ? strtoll(token, &end, 10) : 0;
	bool open = false;
	int rc;

	if (id <= 0 || end == NULL || *end != '.')
		return KAM_ENOTFOUND;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	if ((rc = unsub_token(db, id, want, sizeof(want))) != KAM_OK)
		goto out;
	if (!tok_equal(want, token)) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	{
		json_t *row = NULL; /* the hour stays, for the day they turn the digest back on */

		if ((rc = store_notify_prefs_get(db, id, &row)) == KAM_OK)
			rc = store_notify_prefs_put(
			    db, id, false,
			    (int)json_integer_value(json_object_get(row, "digest_hour")), "");
		json_decref(row);
		if (rc != KAM_OK)
			goto out;
	}
	rc = store_commit(db);
	open = false;
out:
	if (open)
		store_rollback(db);
	return rc;
}

static int unsub_url(struct store_conn *db, const struct mail_config *c, int64_t user_id, char *out,
                     size_t outlen)
{
	char tok[64];
	int rc = unsub_token(db, user_id, tok, sizeof(tok));

	if (rc == KAM_OK)
		snprintf(out, outlen, "%s/api/v1/unsubscribe/%s", c->public_url, tok);
	return rc;
}

static void put_footer(struct buf *t, struct buf *h, const struct mail_config *c, const char *unsub)
{
	buf_printf(t,
	           "\n-- \nYour mail settings: %s/#/settings\nUnsubscribe from these mails: %s\n",
	           c->public_url, unsub);
	buf_printf(h,
	           "<hr><p style=\"color:#666;font-size:12px\"><a href=\"%s/#/settings\">Your "
	           "mail settings</a> · <a href=\"%s\">Unsubscribe</a></p>",
	           c->public_url, unsub);
}

/* Queues the immediate mail of alert row r (store_alerts_for_mail) to its user, if they chose
 * its severity; director says the user gets it as a director (the account is above the
 * revenue threshold), not as its KAM. */
static int alert_mail(struct store_conn *db, const struct mail_config *c, const json_t *r,
                      bool director, int64_t now)
{
	const char *sev = json_string_value(json_object_get(r, "severity"));
	const char *acc = json_string_value(json_object_get(r, "account_name"));
	const char *label = app_alert_rule_label(json_string_value(json_object_get(r, "rule")));
	int64_t uid = json_integer_value(json_object_get(r, "user_id"));
	int64_t aid = json_integer_value(json_object_get(r, "account_id"));
	char subject[512], unsub[700], link[700];
	struct buf t = {0}, h = {0};
	char *text, *html;
	int rc;

	if (!words_has(json_string_value(json_object_get(r, "immediate")), sev))
		return KAM_OK;
	if ((rc = unsub_url(db, c, uid, unsub, sizeof(unsub))) != KAM_OK)
		return rc;
	snprintf(link, sizeof(link), "%s/#/accounts/%lld", c->public_url, (long long)aid);
	snprintf(subject, sizeof(subject), "[kam] %s alert: %s, %s", sev, acc, label);
	buf_printf(&t, "A %s alert opened on %s: %s.\n", sev, acc, label);
	if (director)
		buf_puts(&t, "You get it as a director: the account's revenue over the last 12 "
		             "months is above the installation's threshold.\n");
	buf_printf(&t, "\nOpen the account: %s\nAll alerts: %s/#/alerts\n", link, c->public_url);
	buf_printf(&h, "<p>A <b>%s</b> alert opened on <a href=\"%s\">", sev, link);
	plandoc_put_escaped(&h, acc);
	buf_puts(&h, "</a>: ");
	plandoc_put_escaped(&h, label);
	buf_puts(&h, ".</p>");
	if (director)
		buf_puts(&h, "<p>You get it as a director: the account's revenue over the last 12 "
		             "months is above the installation's threshold.</p>");
	buf_printf(&h, "<p><a href=\"%s/#/alerts\">All alerts</a></p>", c->public_url);
	put_footer(&t, &h, c, unsub);
	text = buf_take(&t, NULL);
	html = buf_take(&h, NULL);
	rc = text && html ? app_mail_enqueue(db, director ? "director_alert" : "alert", uid,
	                                     json_string_value(json_object_get(r, "email")),
	                                     json_string_value(json_object_get(r, "user_name")),
	                                     subject, text, html, unsub, now)
	                  : KAM_ENOMEM;
	free(text);
	free(html);
	return rc;
}

int app_mail_alerts(struct store_conn *db, int64_t after_id, int64_t now)
{
	struct mail_config c;
	struct settings s;
	char err[256];
	json_t *rows = NULL, *r;
	size_t i;
	int rc;

	if (app_mail_config(&c, err, sizeof(err)) != KAM_OK || !c.on || !c.public_url[0])
		return KAM_OK;
	if ((rc = store_alerts_for_mail(db, after_id, &rows)) != KAM_OK)
		return rc;
	json_array_foreach(rows, i,
	                   r) if ((rc = alert_mail(db, &c, r, false, now)) != KAM_OK) break;
	json_decref(rows);
	rows = NULL;
	if (rc != KAM_OK || (rc = app_settings_load(db, &s, NULL)) != KAM_OK ||
	    s.director_alert_min_revenue <= 0)
		return rc;
	/* and to the directors, on the accounts at or above the threshold */
	if ((rc = store_alerts_for_directors(db, after_id, s.director_alert_min_revenue, &rows)) !=
	    KAM_OK)
		return rc;
	json_array_foreach(rows, i, r) if ((rc = alert_mail(db, &c, r, true, now)) != KAM_OK) break;
	json_decref(rows);
	return rc;
}

/* Appends one line of the digest to both parts: text, and its link into the app. */
static void digest_line(struct buf *t, struct buf *h, const char *link, const char *fmt_a,
                        const char *a, const char *b, const char *c)
{
	buf_printf(t, "- %s%s%s%s%s\n  %s\n", fmt_a, a ? a : "", b ? b : "", c ? ", " : "",
	           c ? c : "", link);
	buf_printf(h, "<li><a href=\"%s\">", link);
	plandoc_put_escaped(h, fmt_a);
	plandoc_put_escaped(h, a);
	plandoc_put_escaped(h, b);
	if (c) {
		buf_puts(h, ", ");
		plandoc_put_escaped(h, c);
	}
	buf_puts(h, "</a></li>");
}

/* The digest of user u at now (nothing to say: *sent false, no mail). */
static int digest_one(struct store_conn *db, const struct mail_config *c, const json_t *u,
                      int64_t now, bool *sent)
{
	struct actor who = {.user_id = json_integer_value(json_object_get(u, "id")),
	                    .role = auth_role_parse(json_string_value(json_object_get(u, "role"))),
	                    .now = now};
	struct app_work_query q = {.horizon = 90};
	struct kam_errinfo ei = {0};
	struct buf t = {0}, h = {0};
	json_t *w = NULL, *g, *a, *health = NULL, *fell = json_array();
	size_t i, k, nalerts = 0, nover, nweek, ndates = 0, nlater = 0, nfell;
	char link[700], unsub[700], subject[256], *text = NULL, *html = NULL;
	const char *base = c->public_url;
	int rc;

	*sent = false;
	if ((rc = app_work(db, &who, &q, &w, &ei)) != KAM_OK) {
		err_clear(&ei);
		return rc == KAM_EINVAL || rc == KAM_EFORBIDDEN ? KAM_OK : rc;
	}
	json_array_foreach(json_object_get(w, "alerts"), i, g) nalerts +=
	    json_array_size(json_object_get(g, "alerts"));
	nover = json_array_size(json_object_get(w, "overdue"));
	nweek = json_array_size(json_object_get(w, "this_week"));
	json_array_foreach(json_object_get(w, "dates"), i, a)
	{
		if (json_integer_value(json_object_get(a, "days_away")) <= 30)
			ndates++;
		else
			nlater++;
	}
	/* health now against what the last digest saw; what it sees now is kept for the next,
	 * in this transaction (with the mail and the day's mark), mail or none */
	if ((rc = store_digest_health(db, who.user_id, &health)) != KAM_OK ||
	    (rc = store_digest_health_put(db, who.user_id, health)) != KAM_OK)
		goto out;
	json_array_foreach(health, i, a)
	{
		json_t *before = json_object_get(a, "before");
		double now_h = json_number_value(json_object_get(a, "health"));

		if (json_is_number(before) &&
		    (long)(json_number_value(before) + 0.5) - (long)(now_h + 0.5) >= 1)
			json_array_append(fell, a);
	}
	nfell = json_array_size(fell);
	/* what is 31 to 90 days away is said when there is something else to say */
	if (nalerts + nover + nweek + ndates + nfell == 0)
		goto out;
	if ((rc = unsub_url(db, c, who.user_id, unsub, sizeof(unsub))) != KAM_OK)
		goto out;
	buf_printf(&t, "Good morning %s,\n\nwhat needs you today (%s):\n",
	           json_string_value(json_object_get(u, "name")),
	           json_string_value(json_object_get(w, "today")));
	buf_puts(&h, "<p>Good morning ");
	plandoc_put_escaped(&h, json_string_value(json_object_get(u, "name")));
	buf_printf(&h, ",</p><p>what needs you today (%s):</p>",
	           json_string_value(json_object_get(w, "today")));
	if (nfell) {
		buf_printf(&t, "\nHealth fell since your last digest (%zu)\n", nfell);
		buf_printf(&h, "<h3>Health fell since your last digest (%zu)</h3><ul>", nfell);
		json_array_foreach(fell, i, a)
		{
			long from = (long)(json_number_value(json_object_get(a, "before")) + 0.5);
			long to = (long)(json_number_value(json_object_get(a, "health")) + 0.5);
			char what[96];

			snprintf(link, sizeof(link), "%s/#/accounts/%lld", base,
			         (long long)json_integer_value(json_object_get(a, "account_id")));
			snprintf(what, sizeof(what), ": health %ld → %ld (−%ld points)", from, to,
			         from - to);
			digest_line(&t, &h, link, "", json_string_value(json_object_get(a, "name")),
			            what, NULL);
		}
		buf_puts(&h, "</ul>");
	}
	if (nalerts) {
		buf_printf(&t, "\nOpen alerts (%zu)\n", nalerts);
		buf_printf(&h, "<h3>Open alerts (%zu)</h3><ul>", nalerts);
		json_array_foreach(json_object_get(w, "alerts"), i, g)
		{
			json_array_foreach(json_object_get(g, "alerts"), k, a)
			{
				json_t *acc = json_object_get(a, "account_id");

				if (json_is_integer(acc))
					snprintf(link, sizeof(link), "%s/#/accounts/%lld", base,
					         (long long)json_integer_value(acc));
				else
					snprintf(link, sizeof(link), "%s/#/alerts", base);
				digest_line(&t, &h, link,
				            json_string_value(json_object_get(a, "severity")), ": ",
				            json_string_value(json_object_get(a, "account_name")),
				            json_string_value(json_object_get(a, "rule_label")));
			}
		}
		buf_puts(&h, "</ul>");
	}
	for (int part = 0; part < 2; part++) {
		json_t *list = json_object_get(w, part ? "this_week" : "overdue");
		const char *title = part ? "Actions due this week" : "Overdue actions";

		if (json_array_size(list) == 0)
			continue;
		buf_printf(&t, "\n%s (%zu)\n", title, json_array_size(list));
		buf_printf(&h, "<h3>%s (%zu)</h3><ul>", title, json_array_size(list));
		json_array_foreach(list, i, a)
		{
			char due[64];

			snprintf(link, sizeof(link), "%s/#/accounts/%lld", base,
			         (long long)json_integer_value(json_object_get(a, "account_id")));
			snprintf(due, sizeof(due), " (due %s)",
			         json_string_value(json_object_get(a, "due_on")));
			digest_line(&t, &h, link, "",
			            json_string_value(json_object_get(a, "title")), due,
			            json_string_value(json_object_get(a, "account_name")));
		}
		buf_puts(&h, "</ul>");
	}
	for (int later = 0; later < 2; later++) {
		size_t n = later ? nlater : ndates;
		const char *title = later ? "Reviews and renewals in 31 to 90 days"
		                          : "Reviews and renewals in the next 30 days";

		if (n == 0)
			continue;
		buf_printf(&t, "\n%s (%zu)\n", title, n);
		buf_printf(&h, "<h3>%s (%zu)</h3><ul>", title, n);
		json_array_foreach(json_object_get(w, "dates"), i, a)
		{
			const char *kind = json_string_value(json_object_get(a, "kind"));
			char on[64];

			if ((json_integer_value(json_object_get(a, "days_away")) > 30) != later)
				continue;
			snprintf(link, sizeof(link), "%s/#/accounts/%lld", base,
			         (long long)json_integer_value(json_object_get(a, "account_id")));
			snprintf(on, sizeof(on), " on %s",
			         json_string_value(json_object_get(a, "day")));
			digest_line(&t, &h, link,
			            kind && !strcmp(kind, "renewal")    ? "Renewal: "
			            : kind && !strcmp(kind, "plan_end") ? "Plan ends: "
			                                                : "Review: ",
			            json_string_value(json_object_get(a, "title")), on,
			            json_string_value(json_object_get(a, "account_name")));
		}
		buf_puts(&h, "</ul>");
	}
	buf_printf(&t, "\nMy work: %s/#/work\n", base);
	buf_printf(&h, "<p><a href=\"%s/#/work\">Open My work</a></p>", base);
	put_footer(&t, &h, c, unsub);
	snprintf(subject, sizeof(subject),
	         "[kam] Your day: %zu alerts, %zu overdue, %zu due this week", nalerts, nover,
	         nweek);
	text = buf_take(&t, NULL);
	html = buf_take(&h, NULL);
	rc = text && html ? app_mail_enqueue(db, "digest", who.user_id,
	                                     json_string_value(json_object_get(u, "email")),
	                                     json_string_value(json_object_get(u, "name")), subject,
	                                     text, html, unsub, time_now())
	                  : KAM_ENOMEM;
	*sent = rc == KAM_OK;
out:
	buf_free(&t);
	buf_free(&h);
	free(text);
	free(html);
	json_decref(w);
	json_decref(health);
	json_decref(fell);
	return rc;
}

int app_digest_run(struct store_conn *db, int64_t now, int *queued)
{
	struct mail_config c;
	struct settings s;
	char err[256], today[DATE_LEN];
	json_t *users = NULL, *u;
	int32_t off = 0;
	int hour, rc;
	size_t i;

	*queued = 0;
	if (app_mail_config(&c, err, sizeof(err)) != KAM_OK || !c.on || !c.public_url[0])
		return KAM_OK;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	tz_offset(s.time_zone, now, &off);
	hour = (int)((((now + off) % 86400) + 86400) % 86400 / 3600);
	date_format(settings_today(&s, now), today);
	if ((rc = store_digest_users(db, &users)) != KAM_OK)
		return rc;
	json_array_foreach(users, i, u)
	{
		const char *last = json_string_value(json_object_get(u, "last_digest_day"));
		bool sent = false;

		if (hour < json_integer_value(json_object_get(u, "digest_hour")) ||
		    (last && strcmp(last, today) == 0))
			continue;
		/* the mail and "done for today" in one transaction: one digest a day */
		if ((rc = store_begin(db, true)) != KAM_OK)
			break;
		rc = digest_one(db, &c, u, now, &sent);
		if (rc == KAM_OK)
			rc = store_digest_done(db, json_integer_value(json_object_get(u, "id")),
			                       today);
		if (rc == KAM_OK)
			rc = store_commit(db);
		else
			store_rollback(db);
		if (rc != KAM_OK)
			break;
		*queued += sent;
	}
	json_decref(users);
	return rc;
}

static const char *const severities[] = {"info", "warning", "critical"};

/* The stored row as the API shows it: immediate as a list. */
static json_t *prefs_json(const json_t *row)
{
	const char *imm = json_string_value(json_object_get(row, "immediate"));
	json_t *list = json_array();

	for (size_t i = 0; i < sizeof(severities) / sizeof(*severities); i++)
		if (words_has(imm, severities[i]))
			json_array_append_new(list, json_string(severities[i]));
	return json_pack("{s:b,s:I,s:o}", "digest",
	                 json_integer_value(json_object_get(row, "digest")) != 0, "digest_hour",
	                 json_integer_value(json_object_get(row, "digest_hour")), "immediate",
	                 list);
}

int app_notify_get(struct store_conn *db, const struct actor *who, json_t **out)
{
	json_t *row = NULL;
	int rc = store_notify_prefs_get(db, who->user_id, &row);

	*out = NULL;
	if (rc == KAM_OK)
		*out = prefs_json(row);
	json_decref(row);
	return rc == KAM_OK && *out == NULL ? KAM_ENOMEM : rc;
}

int app_notify_patch(struct store_conn *db, const struct actor *who, const json_t *patch,
                     json_t **out, struct kam_errinfo *ei)
{
	json_t *row = NULL, *v;
	bool digest, open = false;
	json_int_t hour;
	char imm[64] = "";
	int rc;

	*out = NULL;
	if (who->user_id <= 0) {
		err_detail(ei, "only a user has mail preferences");
		return KAM_EFORBIDDEN;
	}
	if (!json_is_object(patch)) {
		err_detail(ei, "the body must be a JSON object");
		return KAM_EINVAL;
	}
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	if ((rc = store_notify_prefs_get(db, who->user_id, &row)) != KAM_OK)
		goto out;
	digest = json_integer_value(json_object_get(row, "digest")) != 0;
	hour = json_integer_value(json_object_get(row, "digest_hour"));
	snprintf(imm, sizeof(imm), "%s", json_string_value(json_object_get(row, "immediate")));
	if ((v = json_object_get(patch, "digest")) != NULL) {
		if (!json_is_boolean(v)) {
			err_field(ei, "digest", "must be true or false");
			rc = KAM_EINVAL;
			goto out;
		}
		digest = json_is_true(v);
	}
	if ((v = json_object_get(patch, "digest_hour")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 23) {
			err_field(ei, "digest_hour",
			          "must be an hour from 0 to 23 (installation time)");
			rc = KAM_EINVAL;
			goto out;
		}
		hour = json_integer_value(v);
	}
	if ((v = json_object_get(patch, "immediate")) != NULL) {
		size_t i;
		json_t *s;
		struct buf b = {0};
		char *joined;

		if (!json_is_array(v)) {
			err_field(ei, "immediate",
			          "must be a list of severities: info, warning, critical");
			rc = KAM_EINVAL;
			goto out;
		}
		json_array_foreach(v, i, s)
		{
			const char *x = json_string_value(s);

			if (!x ||
			    (strcmp(x, "info") && strcmp(x, "warning") && strcmp(x, "critical"))) {
				err_field(ei, "immediate",
				          "must be a list of severities: info, warning, critical");
				buf_free(&b);
				rc = KAM_EINVAL;
				goto out;
			}
		}
		for (size_t k = 0; k < sizeof(severities) / sizeof(*severities); k++)
			json_array_foreach(v, i,
			                   s) if (!strcmp(json_string_value(s), severities[k]))
			{
				buf_printf(&b, "%s%s", b.len ? "," : "", severities[k]);
				break;
			}
		joined = buf_take(&b, NULL);
		snprintf(imm, sizeof(imm), "%s", joined ? joined : "");
		free(joined);
	}
	if ((rc = store_notify_prefs_put(db, who->user_id, digest, (int)hour, imm)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
	if (rc == KAM_OK)
		rc = app_notify_get(db, who, out);
out:
	if (open)
		store_rollback(db);
	json_decref(row);
	return rc;
}
