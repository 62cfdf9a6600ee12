/* Webhooks (see webhook.h): endpoints, events into the outbox, signed delivery. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "app/alerts.h"
#include "app/mail.h"
#include "app/record.h"
#include "app/webhook.h"
#include "kam/validate.h"
#include "store/outbox.h"
#include "store/webhook.h"
#include "util/err.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/node.h"
#include "util/time.h"
#include "util/words.h"

#define ROTATE_OVERLAP 86400    /* the previous secret signs for a day after a rotation */
#define RESPONSE_KEEP 1024      /* bytes of an answer kept in the log */
#define RESPONSE_READ (1 << 20) /* bytes of an answer read at most */
#define RETRY_CAP (12 * 3600)   /* no two tries further apart */

static const char *const event_types[] = {
    "alert.opened",         "alert.resolved",          "account.created", "account.updated",
    "account.tier_changed", "account.segment_changed", "account.churned", "opportunity.won",
    "opportunity.lost",     "case.sla_breached",       "plan.review_due", "action.overdue",
    "import.finished",      "survey.detractor",
};
#define NEVENTS (sizeof(event_types) / sizeof(*event_types))

/* This process's deliveries by outcome, for GET /metrics. */
static atomic_ullong n_ok, n_retry, n_failed, n_refused;
static struct metrics_hist attempt_ms;

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *v = getenv(name);
	long n;

	if (v == NULL || v[0] == '\0')
		return def;
	n = strtol(v, NULL, 10);
	return n >= lo && n <= hi ? (int)n : def;
}

void app_webhook_config(struct webhook_config *c)
{
	const char *allow = getenv("KAM_WEBHOOK_ALLOW"), *pub = getenv("KAM_PUBLIC_URL");

	memset(c, 0, sizeof(*c));
	c->retry_base = env_int("KAM_WEBHOOK_RETRY_SECONDS", 30, 1, 3600);
	/* 30 s doubling, at most 12 h apart: the 17th try comes about 3 days after the event */
	c->max_attempts = env_int("KAM_WEBHOOK_ATTEMPTS", 17, 1, 50);
	c->max_age = env_int("KAM_WEBHOOK_MAX_AGE", 3 * 86400, 60, 30 * 86400);
	c->timeout = env_int("KAM_WEBHOOK_TIMEOUT", 10, 1, 60);
	snprintf(c->allow, sizeof(c->allow), "%s", allow ? allow : "");
	snprintf(c->public_url, sizeof(c->public_url), "%s", pub ? pub : "");
	for (size_t n = strlen(c->public_url); n > 0 && c->public_url[n - 1] == '/'; n--)
		c->public_url[n - 1] = '\0';
}

/* ---- SSRF: which addresses kam calls ---- */

/* An address as 16 bytes (IPv4 as ::ffff:a.b.c.d) from text; false for none. */
static bool addr_parse(const char *s, unsigned char out[16])
{
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, s, out) == 1;
}

static bool v4_private(const unsigned char *b)
{
	uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];

	return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
	       (a & 0xffc00000u) == 0x64400000u || /* 100.64/10, carrier-grade NAT */
	       (a & 0xffff0000u) == 0xa9fe0000u || /* 169.254/16, link-local and cloud metadata */
	       (a & 0xfff00000u) == 0xac100000u || /* 172.16/12 */
	       (a & 0xffffff00u) == 0xc0000000u || /* 192.0.0/24 */
	       (a & 0xffff0000u) == 0xc0a80000u || /* 192.168/16 */
	       (a & 0xfffe0000u) == 0xc6120000u || /* 198.18/15, benchmarking */
	       a >= 0xe0000000u;                   /* multicast, reserved, broadcast */
}

static bool bin_private(const unsigned char b[16])
{
	static const unsigned char zero[16] = {0};

	if (memcmp(b, zero, 10) == 0 && ((b[10] == 0xff && b[11] == 0xff) || /* mapped */
	                                 (b[10] == 0 && b[11] == 0)))        /* compatible */
		return memcmp(b, zero, 16) == 0 || v4_private(b + 12);
	if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) /* NAT64 64:ff9b::/96 */
		return v4_private(b + 12);
	if (b[0] == 0x20 && b[1] == 0x02) /* 6to4 carries an IPv4 address */
		return v4_private(b + 2);
	return b[0] == 0xff ||                            /* multicast */
	       (b[0] & 0xfe) == 0xfc ||                   /* unique local fc00::/7 */
	       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* link-local fe80::/10 */
	       (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* site-local fec0::/10 */
	       (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || /* docs */
	       (b[0] == 0x01 && b[1] == 0 && memcmp(b + 2, zero, 6) == 0); /* discard 100::/64 */
}

bool app_webhook_addr_private(const char *addr)
{
	unsigned char b[16];

	return !addr_parse(addr, b) || bin_private(b);
}

/* Whether the allow-list (comma-separated addresses or CIDR ranges) names b. */
static bool allowed(const char *list, const unsigned char b[16])
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char item[80], *slash;
		unsigned char a[16];
		long bits = 128;

		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		snprintf(item, sizeof(item), "%.*s", (int)(len < 79 ? len : 79), p);
		for (size_t n = strlen(item); n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t');
		     n--)
			item[n - 1] = '\0';
		if ((slash = strchr(item, '/')) != NULL) {
			*slash = '\0';
			bits = strtol(slash + 1, NULL, 10);
		}
		if (addr_parse(item, a)) {
			if (strchr(item, ':') == NULL && slash)
				bits += 96; /* an IPv4 prefix counts within ::ffff:0:0/96 */
			if (bits >= 0 && bits <= 128) {
				size_t full = (size_t)bits / 8;
				int rest = (int)(bits % 8);

				if (memcmp(a, b, full) == 0 &&
				    (rest == 0 || ((a[full] ^ b[full]) &
				                   (unsigned char)(0xff << (8 - rest))) == 0))
					return true;
			}
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}

static void sa_bin(const struct sockaddr *sa, unsigned char b[16])
{
	memset(b, 0, 16);
	if (sa->sa_family == AF_INET) {
		b[10] = b[11] = 0xff;
		memcpy(b + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
}

int app_webhook_url_check(const struct webhook_config *c, const char *url, char *why, size_t whylen,
                          char *pin, size_t pinlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	char name[300], text[INET6_ADDRSTRLEN];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	unsigned char b[16];
	int rc = KAM_EINVAL, gai;

	if (pin)
		pin[0] = '\0';
	if (u == NULL)
		return KAM_ENOMEM;
	if (url == NULL || strlen(url) > 2000 ||
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(why, whylen, "must be an absolute http:// or https:// URL");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(why, whylen, "must be an http:// or https:// URL, not %s://", scheme);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	snprintf(name, sizeof(name), "%s", host);
	if (name[0] == '[') { /* an IPv6 literal */
		memmove(name, name + 1, strlen(name));
		if (strchr(name, ']'))
			*strchr(name, ']') = '\0';
		if (strchr(name, '%'))
			*strchr(name, '%') = '\0'; /* no zone ids */
	}
	if ((gai = getaddrinfo(name, port, &hints, &res)) != 0 || res == NULL) {
		snprintf(why, whylen, "the host %s does not resolve (%s)", name, gai_strerror(gai));
		goto out;
	}
	/* every address the name has must be allowed: a rebinding name may hand out any */
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		sa_bin(ai->ai_addr, b);
		if (bin_private(b) && !allowed(c->allow, b)) {
			if (b[10] == 0xff && b[11] == 0xff &&
			    !memcmp(b, (unsigned char[10]){0}, 10))
				inet_ntop(AF_INET, b + 12, text, sizeof(text));
			else
				inet_ntop(AF_INET6, b, text, sizeof(text));
			snprintf(
			    why, whylen,
			    "goes to %s, a private, loopback, link-local or multicast address; "
			    "an operator may allow it with KAM_WEBHOOK_ALLOW",
			    text);
			goto out;
		}
	}
	if (pin && strcmp(name, host) == 0 && !addr_parse(name, b)) {
		/* a name: the connection goes to the address checked here, not a second lookup */
		if (res->ai_family == AF_INET6) {
			inet_ntop(
			    AF_INET6,
			    &((const struct sockaddr_in6 *)(const void *)res->ai_addr)->sin6_addr,
			    text, sizeof(text));
			snprintf(pin, pinlen, "%s:%s:[%s]", host, port, text);
		} else {
			inet_ntop(
			    AF_INET,
			    &((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr,
			    text, sizeof(text));
			snprintf(pin, pinlen, "%s:%s:%s", host, port, text);
		}
	}
	rc = KAM_OK;
out:
	if (res)
		freeaddrinfo(res);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* ---- signing ---- */

int app_webhook_sign(const char *secret, const char *previous, const char *msg_id, int64_t ts,
                     const char *body, char **out)
{
	struct buf b = {0};
	const char *keys[2] = {secret, previous};
	char head[128];
	int rc = KAM_OK;

	*out = NULL;
	snprintf(head, sizeof(head), "%s.%lld.", msg_id, (long long)ts);
	for (int i = 0; i < 2; i++) {
		unsigned char key[256], mac[crypto_auth_hmacsha256_BYTES];
		char b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
		                                   sodium_base64_VARIANT_ORIGINAL)];
		const char *k = keys[i];
		size_t klen = 0;
		crypto_auth_hmacsha256_state st;

		if (k == NULL || k[0] == '\0')
			continue;
		if (strncmp(k, "whsec_", 6) == 0)
			k += 6;
		if (sodium_base642bin(key, sizeof(key), k, strlen(k), NULL, &klen, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0) {
			rc = KAM_EINVAL;
			break;
		}
		crypto_auth_hmacsha256_init(&st, key, klen);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)head, strlen(head));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
		                  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(&b, "%sv1,%s", b.len ? " " : "", b64);
		sodium_memzero(key, sizeof(key));
	}
	if (rc == KAM_OK && (*out = buf_take(&b, NULL)) == NULL)
		rc = KAM_ENOMEM;
	buf_free(&b);
	return rc;
}

/* A new secret: whsec_ and the base64 of 32 random bytes. */
static void new_secret(char *out, size_t outlen)
{
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outlen, "whsec_%s", b64);
	sodium_memzero(raw, sizeof(raw));
}

/* ---- endpoints ---- */

static bool known_event(const char *t)
{
	for (size_t i = 0; i < NEVENTS; i++)
		if (strcmp(event_types[i], t) == 0)
			return true;
	return false;
}

static json_t *time_of(int64_t t)
{
	char ts[40];

	if (t <= 0)
		return json_null();
	time_rfc3339(t, ts, sizeof(ts));
	return json_string(ts);
}

static json_t *time_json(const json_t *v)
{
	return time_of(json_is_integer(v) ? json_integer_value(v) : 0);
}

/* A stored endpoint as the API shows it: never its secrets. */
static json_t *endpoint_json(const json_t *row, int64_t now)
{
	json_t *out = json_object(), *events = json_array();
	const char *ev = json_string_value(json_object_get(row, "events"));
	json_int_t until = json_integer_value(json_object_get(row, "previous_secret_until"));

	for (size_t i = 0; i < NEVENTS; i++)
		if (words_has(ev, event_types[i]))
			json_array_append_new(events, json_string(event_types[i]));
	json_object_set(out, "id", json_object_get(row, "id"));
	json_object_set(out, "url", json_object_get(row, "url"));
	json_object_set(out, "description", json_object_get(row, "description"));
	json_object_set_new(out, "events", events);
	json_object_set(out, "format", json_object_get(row, "format"));
	json_object_set_new(out, "enabled",
	                    json_boolean(json_integer_value(json_object_get(row, "enabled")) != 0));
	json_object_set(out, "disabled_reason", json_object_get(row, "disabled_reason"));
	json_object_set_new(out, "disabled_at", time_json(json_object_get(row, "disabled_at")));
	json_object_set_new(out, "previous_secret_valid_until",
	                    until > now ? time_of(until) : json_null());
	if (json_object_get(row, "pending")) {
		json_object_set(out, "pending", json_object_get(row, "pending"));
		json_object_set(out, "failed", json_object_get(row, "failed"));
	}
	json_object_set_new(out, "created_at", time_json(json_object_get(row, "created_at")));
	json_object_set_new(out, "updated_at", time_json(json_object_get(row, "updated_at")));
	return out;
}

static int admin_only(const struct actor *who, struct kam_errinfo *ei)
{
	if (who->role == ROLE_ADMIN)
		return KAM_OK;
	err_detail(ei, "only admins manage webhooks");
	return KAM_EFORBIDDEN;
}

int app_webhook_list(struct store_conn *db, const struct actor *who, json_t **out,
                     struct kam_errinfo *ei)
{
	json_t *rows = NULL, *items, *r, *evs;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK)
		return rc;
	if ((rc = store_webhook_list(db, &rows)) != KAM_OK)
		return rc;
	items = json_array();
	json_array_foreach(rows, i, r) json_array_append_new(items, endpoint_json(r, time_now()));
	evs = json_array();
	for (size_t k = 0; k < NEVENTS; k++)
		json_array_append_new(evs, json_string(event_types[k]));
	json_decref(rows);
	*out = json_pack("{s:o,s:o}", "items", items, "events", evs);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_webhook_get(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                    struct kam_errinfo *ei)
{
	json_t *row = NULL;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK ||
	    (rc = store_webhook_get(db, id, &row)) != KAM_OK)
		return rc;
	*out = endpoint_json(row, time_now());
	json_decref(row);
	return KAM_OK;
}

/* Checks body's fields into w (starting from what is stored, for a patch); events is
 * filled with the comma-separated list (owned by the caller). */
static int parse_body(json_t *body, bool create, struct store_webhook *w, char **events,
                      struct kam_errinfo *ei)
{
	const char *k;
	json_t *v;

	if (!json_is_object(body)) {
		err_detail(ei, "the body must be a JSON object");
		return KAM_EINVAL;
	}
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "url") && strcmp(k, "description") && strcmp(k, "events") &&
		    strcmp(k, "format") && strcmp(k, "enabled")) {
			err_field(ei, k,
			          "is not a field of a webhook (url, description, events, "
			          "format, enabled)");
			return KAM_EINVAL;
		}
	}
	if ((v = json_object_get(body, "url")) != NULL || create) {
		if (!json_is_string(v) || json_string_length(v) == 0) {
			err_field(ei, "url",
			          "is required: the http:// or https:// address to call");
			return KAM_EINVAL;
		}
		w->url = json_string_value(v);
	}
	if ((v = json_object_get(body, "description")) != NULL) {
		if (!(json_is_string(v) && validate_utf8_len(json_string_value(v)) <= 500)) {
			err_field(ei, "description", "must be text of at most 500 characters");
			return KAM_EINVAL;
		}
		w->description = json_string_value(v);
	}
	if ((v = json_object_get(body, "format")) != NULL) {
		const char *f = json_string_value(v);

		if (!f || (strcmp(f, "standard") && strcmp(f, "slack") && strcmp(f, "teams"))) {
			err_field(ei, "format", "must be standard, slack or teams");
			return KAM_EINVAL;
		}
		w->format = f;
	}
	if ((v = json_object_get(body, "enabled")) != NULL) {
		if (!json_is_boolean(v)) {
			err_field(ei, "enabled", "must be true or false");
			return KAM_EINVAL;
		}
		w->enabled = json_is_true(v);
	}
	if ((v = json_object_get(body, "events")) != NULL || create) {
		struct buf b = {0};
		json_t *e;
		size_t i;

		if (!json_is_array(v) || json_array_size(v) == 0) {
			err_field(ei, "events", "is required: a list of one or more event types");
			return KAM_EINVAL;
		}
		json_array_foreach(v, i, e)
		{
			const char *t = json_string_value(e);

			if (t == NULL || !known_event(t)) {
				err_field(ei, "events", "%s%s%s is not an event kam sends",
				          t ? "\"" : "", t ? t : "an item", t ? "\"" : "");
				buf_free(&b);
				return KAM_EINVAL;
			}
		}
		for (size_t n = 0; n < NEVENTS; n++) /* stored in the order of the list above */
			json_array_foreach(v, i,
			                   e) if (strcmp(json_string_value(e), event_types[n]) == 0)
			{
				buf_printf(&b, "%s%s", b.len ? "," : "", event_types[n]);
				break;
			}
		if ((*events = buf_take(&b, NULL)) == NULL)
			return KAM_ENOMEM;
		w->events = *events;
	}
	return KAM_OK;
}

static int check_url(const char *url, struct kam_errinfo *ei)
{
	struct webhook_config c;
	char why[300];

	app_webhook_config(&c);
	if (app_webhook_url_check(&c, url, why, sizeof(why), NULL, 0) == KAM_OK)
		return KAM_OK;
	err_field(ei, "url", "%s", why);
	return KAM_EINVAL;
}

/* The audit's view of an endpoint: what the API shows, never a secret. */
static int audit(struct store_conn *db, const struct actor *who, const char *action, int64_t id,
                 const json_t *before, const json_t *after)
{
	return app_audit(db, who, action, "webhook", id, before, after);
}

int app_webhook_create(struct store_conn *db, const struct actor *who, json_t *body, json_t **out,
                       struct kam_errinfo *ei)
{
	struct store_webhook w = {.description = "", .format = "standard", .enabled = true};
	char *events = NULL, secret[80];
	json_t *row = NULL, *shown = NULL;
	int64_t id = 0, now = time_now();
	bool open = false;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK ||
	    (rc = parse_body(body, true, &w, &events, ei)) != KAM_OK ||
	    (rc = check_url(w.url, ei)) != KAM_OK)
		goto out;
	new_secret(secret, sizeof(secret));
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	open = true;
	if ((rc = store_webhook_insert(db, &w, secret, who->user_id, now, &id)) != KAM_OK ||
	    (rc = store_webhook_get(db, id, &row)) != KAM_OK)
		goto out;
	shown = endpoint_json(row, now);
	if ((rc = audit(db, who, "create", id, NULL, shown)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
	if (rc == KAM_OK) {
		json_object_set_new(shown, "secret", json_string(secret));
		*out = shown;
		shown = NULL;
	}
out:
	if (open)
		store_rollback(db);
	sodium_memzero(secret, sizeof(secret));
	json_decref(row);
	json_decref(shown);
	free(events);
	return rc;
}

int app_webhook_patch(struct store_conn *db, const struct actor *who, int64_t id, json_t *body,
                      json_t **out, struct kam_errinfo *ei)
{
	struct store_webhook w;
	json_t *row = NULL, *before = NULL, *after = NULL;
	char *events = NULL;
	int64_t now = time_now();
	bool open = false;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK || (rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	if ((rc = store_webhook_get(db, id, &row)) != KAM_OK)
		goto out;
	w = (struct store_webhook){
	    .url = json_string_value(json_object_get(row, "url")),
	    .description = json_string_value(json_object_get(row, "description")),
	    .events = json_string_value(json_object_get(row, "events")),
	    .format = json_string_value(json_object_get(row, "format")),
	    .enabled = json_integer_value(json_object_get(row, "enabled")) != 0};
	if ((rc = parse_body(body, false, &w, &events, ei)) != KAM_OK)
		goto out;
	if (json_object_get(body, "url") && (rc = check_url(w.url, ei)) != KAM_OK)
		goto out;
	before = endpoint_json(row, now);
	if ((rc = store_webhook_update(db, id, &w, now)) != KAM_OK)
		goto out;
	json_decref(row);
	row = NULL;
	if ((rc = store_webhook_get(db, id, &row)) != KAM_OK)
		goto out;
	after = endpoint_json(row, now);
	if ((rc = audit(db, who, "update", id, before, after)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
	if (rc == KAM_OK) {
		*out = after;
		after = NULL;
	}
out:
	if (open)
		store_rollback(db);
	json_decref(row);
	json_decref(before);
	json_decref(after);
	free(events);
	return rc;
}

int app_webhook_delete(struct store_conn *db, const struct actor *who, int64_t id,
                       struct kam_errinfo *ei)
{
	json_t *row = NULL, *before = NULL;
	int rc;

	if ((rc = admin_only(who, ei)) != KAM_OK || (rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = store_webhook_get(db, id, &row)) == KAM_OK) {
		before = endpoint_json(row, time_now());
		if ((rc = store_webhook_delete(db, id)) == KAM_OK &&
		    (rc = audit(db, who, "delete", id, before, NULL)) == KAM_OK)
			rc = store_commit(db);
	}
	if (rc != KAM_OK)
		store_rollback(db);
	json_decref(row);
	json_decref(before);
	return rc;
}

int app_webhook_rotate(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                       struct kam_errinfo *ei)
{
	json_t *row = NULL;
	char secret[80], ts[40];
	int64_t now = time_now();
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK || (rc = store_begin(db, true)) != KAM_OK)
		return rc;
	new_secret(secret, sizeof(secret));
	if ((rc = store_webhook_get(db, id, &row)) == KAM_OK &&
	    (rc = store_webhook_rotate(db, id, secret,
	                               json_string_value(json_object_get(row, "secret")),
	                               now + ROTATE_OVERLAP, now)) == KAM_OK &&
	    (rc = app_audit(db, who, "rotate_secret", "webhook", id, NULL, NULL)) == KAM_OK)
		rc = store_commit(db);
	if (rc != KAM_OK)
		store_rollback(db);
	else {
		time_rfc3339(now + ROTATE_OVERLAP, ts, sizeof(ts));
		*out = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "secret", secret,
		                 "previous_secret_valid_until", ts);
		if (*out == NULL)
			rc = KAM_ENOMEM;
	}
	sodium_memzero(secret, sizeof(secret));
	json_decref(row);
	return rc;
}

/* The payload of an event: {type, timestamp, data, version} (and previous when given). */
static char *event_body(const char *type, const json_t *data, const json_t *previous)
{
	char ts[40];
	json_t *p;
	char *s;

	time_rfc3339(time_now(), ts, sizeof(ts));
	p = json_pack("{s:s,s:s,s:O,s:i}", "type", type, "timestamp", ts, "data", data, "version",
	              1);
	if (p && previous)
		json_object_set_new(p, "previous", json_deep_copy(previous));
	s = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	return s;
}

/* Puts one delivery of body to endpoint id in the outbox; *out_id may be NULL. */
static int put(struct store_conn *db, int64_t id, const char *type, const char *body,
               int64_t *out_id)
{
	char rcpt[32];

	snprintf(rcpt, sizeof(rcpt), "%lld", (long long)id);
	struct outbox_msg m = {.channel = "webhook",
	                       .kind = type,
	                       .recipient = rcpt,
	                       .subject = type,
	                       .payload = body};
	return store_outbox_put(db, &m, time_now(), out_id);
}

int app_webhook_ping(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                     struct kam_errinfo *ei)
{
	json_t *row = NULL, *data = NULL;
	char *body = NULL;
	int64_t oid = 0;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK || (rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = store_webhook_get(db, id, &row)) != KAM_OK)
		goto out;
	data = json_pack("{s:I,s:s}", "webhook_id", (json_int_t)id, "message",
	                 "a test event from kam");
	if ((body = event_body("ping", data, NULL)) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = put(db, id, "ping", body, &oid)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	if (rc == KAM_OK) {
		char mid[40];

		snprintf(mid, sizeof(mid), "msg_%lld", (long long)oid);
		*out = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)oid, "webhook_id", mid,
		                 "type", "ping", "queued",
		                 json_integer_value(json_object_get(row, "enabled")) != 0);
	}
out:
	if (rc != KAM_OK)
		store_rollback(db);
	json_decref(row);
	json_decref(data);
	free(body);
	return rc;
}

/* A delivery as the API shows it. */
static json_t *delivery_json(json_t *r)
{
	json_t *out = json_object(), *att = json_array(), *a, *p;
	json_int_t id = json_integer_value(json_object_get(r, "id"));
	const char *state = json_is_integer(json_object_get(r, "sent_at"))     ? "delivered"
	                    : json_is_integer(json_object_get(r, "failed_at")) ? "failed"
	                                                                       : "pending";
	char mid[40];
	size_t i;

	snprintf(mid, sizeof(mid), "msg_%lld", (long long)id);
	json_object_set_new(out, "id", json_integer(id));
	json_object_set_new(out, "webhook_id", json_string(mid));
	json_object_set(out, "type", json_object_get(r, "kind"));
	json_object_set_new(out, "state", json_string(state));
	json_object_set(out, "attempts", json_object_get(r, "attempts"));
	json_object_set(out, "last_error", json_object_get(r, "last_error"));
	json_object_set_new(out, "created_at", time_json(json_object_get(r, "created_at")));
	json_object_set_new(out, "next_attempt_at",
	                    strcmp(state, "pending") == 0
	                        ? time_json(json_object_get(r, "next_attempt_at"))
	                        : json_null());
	json_object_set_new(out, "delivered_at", time_json(json_object_get(r, "sent_at")));
	json_object_set_new(out, "failed_at", time_json(json_object_get(r, "failed_at")));
	p = json_loads(json_string_value(json_object_get(r, "payload")), 0, NULL);
	json_object_set_new(out, "payload", p ? p : json_null());
	json_array_foreach(json_object_get(r, "attempt_log"), i, a)
	{
		json_array_append_new(att,
		                      json_pack("{s:o,s:O,s:O,s:O,s:O}", "at",
		                                time_json(json_object_get(a, "at")), "status_code",
		                                json_object_get(a, "status_code"), "duration_ms",
		                                json_object_get(a, "duration_ms"), "error",
		                                json_object_get(a, "error"), "response",
		                                json_object_get(a, "response")));
	}
	json_object_set_new(out, "attempt_log", att);
	return out;
}

int app_webhook_deliveries(struct store_conn *db, const struct actor *who, int64_t id,
                           const char *cursor, int limit, json_t **out, struct kam_errinfo *ei)
{
	json_t *row = NULL, *rows = NULL, *items, *r;
	int64_t before = 0;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK ||
	    (rc = store_webhook_get(db, id, &row)) != KAM_OK)
		return rc;
	json_decref(row);
	if (cursor && cursor[0]) {
		char *end = NULL;

		before = strtoll(cursor, &end, 10);
		if (before <= 0 || end == NULL || *end) {
			err_field(ei, "cursor", "is not one this list gave");
			return KAM_EINVAL;
		}
	}
	if (limit <= 0 || limit > 200)
		limit = 50;
	if ((rc = store_webhook_deliveries(db, id, before, limit + 1, &rows)) != KAM_OK)
		return rc;
	items = json_array();
	json_array_foreach(rows, i, r) if (i < (size_t)limit)
	    json_array_append_new(items, delivery_json(r));
	if (json_array_size(rows) > (size_t)limit) {
		char next[32];

		snprintf(next, sizeof(next), "%lld",
		         (long long)json_integer_value(
		             json_object_get(json_array_get(rows, (size_t)limit - 1), "id")));
		*out = json_pack("{s:o,s:s}", "items", items, "next", next);
	} else
		*out = json_pack("{s:o,s:n}", "items", items, "next");
	json_decref(rows);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_webhook_replay(struct store_conn *db, const struct actor *who, int64_t delivery_id,
                       json_t **out, struct kam_errinfo *ei)
{
	json_t *rows = NULL;
	int64_t wid = 0;
	int rc;

	*out = NULL;
	if ((rc = admin_only(who, ei)) != KAM_OK || (rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = store_webhook_delivery_owner(db, delivery_id, &wid)) == KAM_OK &&
	    (rc = store_webhook_replay(db, delivery_id, time_now())) == KAM_OK &&
	    (rc = store_webhook_deliveries(db, wid, delivery_id + 1, 1, &rows)) == KAM_OK &&
	    (rc = store_commit(db)) == KAM_OK)
		*out =
		    json_array_size(rows) ? delivery_json(json_array_get(rows, 0)) : json_object();
	if (rc != KAM_OK)
		store_rollback(db);
	json_decref(rows);
	return rc;
}

/* ---- events ---- */

int app_webhook_emit(struct store_conn *db, const char *type, const json_t *data,
                     const json_t *previous)
{
	json_t *eps = NULL, *e;
	char *body = NULL;
	size_t i;
	int rc = store_webhooks_enabled(db, &eps);

	json_array_foreach(eps, i, e)
	{
		if (rc != KAM_OK)
			break;
		if (!words_has(json_string_value(json_object_get(e, "events")), type))
			continue;
		if (body == NULL && (body = event_body(type, data, previous)) == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		rc = put(db, json_integer_value(json_object_get(e, "id")), type, body, NULL);
	}
	free(body);
	json_decref(eps);
	return rc;
}

static bool changed(const json_t *before, const json_t *after, const char *field)
{
	return !json_equal(json_object_get(before, field), json_object_get(after, field));
}

/* {field: before's value} */
static json_t *was(const json_t *before, const char *field)
{
	json_t *v = json_object_get(before, field);

	return json_pack("{s:O}", field, v ? v : json_null());
}

/* Whether an enabled endpoint wants any of types (n of them). */
static int any_wanted(struct store_conn *db, const char *const *types, size_t n, bool *yes)
{
	json_t *eps = NULL, *e;
	size_t i;
	int rc = store_webhooks_enabled(db, &eps);

	*yes = false;
	json_array_foreach(
	    eps, i, e) for (size_t k = 0; k < n;
	                    k++) if (words_has(json_string_value(json_object_get(e, "events")),
	                                      types[k])) *yes = true;
	json_decref(eps);
	return rc;
}

/* row as the API gives it: r's decoration of a copy (*out owned). */
static int api_shape(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                     const json_t *row, json_t **out)
{
	int rc = KAM_OK;

	if ((*out = json_deep_copy(row)) == NULL)
		return KAM_ENOMEM;
	if (r && r->decorate && (rc = r->decorate(db, who, *out, true)) != KAM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int app_webhook_record(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                       const json_t *before, const json_t *after)
{
	const char *types[3], *entity = r->e->name;
	json_t *prev[3] = {NULL, NULL, NULL}, *data = NULL;
	size_t n = 0;
	bool yes = false;
	int rc = KAM_OK;

	if (after == NULL)
		return KAM_OK;
	if (strcmp(entity, "account") == 0) {
		types[n++] = before ? "account.updated" : "account.created";
		if (before && changed(before, after, "status") &&
		    strcmp(json_string_value(json_object_get(after, "status")) ?: "", "churned") ==
		        0) {
			prev[n] = was(before, "status");
			types[n++] = "account.churned";
		}
	} else if (strcmp(entity, "opportunity") == 0) {
		const char *st = json_string_value(json_object_get(after, "stage"));

		if (st && (strcmp(st, "won") == 0 || strcmp(st, "lost") == 0) &&
		    (before == NULL || changed(before, after, "stage"))) {
			prev[n] = before ? was(before, "stage") : NULL;
			types[n++] =
			    strcmp(st, "won") == 0 ? "opportunity.won" : "opportunity.lost";
		}
	}
	/* the decoration costs queries: only for an event someone wants */
	if (n > 0 && (rc = any_wanted(db, types, n, &yes)) == KAM_OK && yes &&
	    (rc = api_shape(db, who, r, after, &data)) == KAM_OK)
		for (size_t i = 0; i < n && rc == KAM_OK; i++)
			rc = app_webhook_emit(db, types[i], data, prev[i]);
	for (size_t i = 0; i < n; i++)
		json_decref(prev[i]);
	json_decref(data);
	return rc;
}

/* Account id as the API gives it, for an event no user's write caused (*out owned; NULL
 * when it is gone). */
static int account_shape(struct store_conn *db, int64_t id, json_t **out)
{
	struct actor sys = {.role = ROLE_ADMIN, .now = time_now()};
	json_t *acc = NULL;
	int rc = store_get(db, &model_account, id, &acc, NULL);

	*out = NULL;
	if (rc == KAM_OK)
		rc = api_shape(db, &sys, &res_accounts, acc, out);
	json_decref(acc);
	return rc == KAM_ENOTFOUND ? KAM_OK : rc;
}

int app_webhook_tier(struct store_conn *db, int64_t id, const char *previous)
{
	json_t *acc = NULL, *prev;
	int rc = account_shape(db, id, &acc);

	if (rc != KAM_OK || acc == NULL)
		return rc;
	prev = json_pack("{s:s}", "tier", previous ? previous : "");
	rc = app_webhook_emit(db, "account.tier_changed", acc, prev);
	json_decref(prev);
	json_decref(acc);
	return rc;
}

/* The event an alert rule stands for when it opens (NULL: none but alert.opened). */
static const char *rule_event(const char *rule)
{
	static const char *const map[][2] = {{"sla_breach", "case.sla_breached"},
	                                     {"detractor", "survey.detractor"},
	                                     {"overdue_action", "action.overdue"},
	                                     {"review_overdue", "plan.review_due"}};

	for (size_t i = 0; rule && i < sizeof(map) / sizeof(*map); i++)
		if (strcmp(map[i][0], rule) == 0)
			return map[i][1];
	return NULL;
}

static int emit_alerts(struct store_conn *db, const char *type, json_t *rows)
{
	json_t *r, *a = NULL;
	size_t i;
	int rc = KAM_OK;

	json_array_foreach(rows, i, r)
	{
		const char *also = NULL;

		rc = store_get(db, &model_alert, json_integer_value(json_object_get(r, "id")), &a,
		               NULL);
		if (rc == KAM_OK)
			rc = app_alert_expand(db, a);
		if (rc == KAM_OK)
			rc = app_webhook_emit(db, type, a, NULL);
		if (rc == KAM_OK && strcmp(type, "alert.opened") == 0 &&
		    (also = rule_event(json_string_value(json_object_get(a, "rule")))) != NULL)
			rc = app_webhook_emit(db, also, a, NULL);
		json_decref(a);
		a = NULL;
		if (rc != KAM_OK)
			break;
	}
	return rc;
}

/* Whether any enabled endpoint wants type: the alerts run skips its queries otherwise. */
static int wanted(struct store_conn *db, const char *type, bool *yes)
{
	json_t *eps = NULL, *e;
	size_t i;
	int rc = store_webhooks_enabled(db, &eps);

	*yes = false;
	json_array_foreach(eps, i, e) if (words_has(json_string_value(json_object_get(e, "events")),
	                                           type)) *yes = true;
	json_decref(eps);
	return rc;
}

int app_webhook_alerts_opened(struct store_conn *db, int64_t after_id)
{
	static const char *const types[] = {"alert.opened", "case.sla_breached", "survey.detractor",
	                                    "action.overdue", "plan.review_due"};
	json_t *rows = NULL;
	bool yes = false;
	int rc = KAM_OK;

	for (size_t i = 0; i < sizeof(types) / sizeof(*types) && rc == KAM_OK && !yes; i++)
		rc = wanted(db, types[i], &yes);
	if (rc != KAM_OK || !yes)
		return rc;
	if ((rc = store_webhook_alerts(db, after_id < 0 ? 0 : after_id, 0, &rows)) == KAM_OK)
		rc = emit_alerts(db, "alert.opened", rows);
	json_decref(rows);
	return rc;
}

int app_webhook_segments_before(struct store_conn *db, json_t **before)
{
	json_t *rows = NULL, *r;
	bool yes = false;
	size_t i;
	int rc = wanted(db, "account.segment_changed", &yes);

	*before = NULL;
	if (rc != KAM_OK || !yes || (rc = store_webhook_segments(db, &rows)) != KAM_OK)
		return rc;
	*before = json_object();
	json_array_foreach(rows, i, r)
	{
		char k[32];

		snprintf(k, sizeof(k), "%lld",
		         (long long)json_integer_value(json_object_get(r, "id")));
		json_object_set(*before, k, json_object_get(r, "segment"));
	}
	json_decref(rows);
	return KAM_OK;
}

int app_webhook_segments_after(struct store_conn *db, json_t *before)
{
	json_t *rows = NULL, *now_seg, *r, *v;
	const char *k;
	size_t i;
	int rc;

	if (before == NULL)
		return KAM_OK;
	if ((rc = store_webhook_segments(db, &rows)) != KAM_OK) {
		json_decref(before);
		return rc;
	}
	now_seg = json_object();
	json_array_foreach(rows, i, r)
	{
		char key[32];

		snprintf(key, sizeof(key), "%lld",
		         (long long)json_integer_value(json_object_get(r, "id")));
		json_object_set(now_seg, key, json_object_get(r, "segment"));
		if (!json_object_get(before, key))
			json_object_set_new(before, key, json_null());
	}
	json_object_foreach(before, k, v)
	{
		json_t *was_seg = v, *is = json_object_get(now_seg, k), *acc = NULL, *prev;

		if (rc != KAM_OK)
			break;
		if (json_equal(was_seg, is ? is : json_null()))
			continue;
		if ((rc = account_shape(db, strtoll(k, NULL, 10), &acc)) == KAM_OK && acc == NULL)
			continue;
		prev = json_pack("{s:O}", "segment", was_seg);
		if (rc == KAM_OK)
			rc = app_webhook_emit(db, "account.segment_changed", acc, prev);
		json_decref(prev);
		json_decref(acc);
	}
	json_decref(now_seg);
	json_decref(rows);
	json_decref(before);
	return rc;
}

int app_webhook_alerts_resolved(struct store_conn *db, int64_t at)
{
	json_t *rows = NULL;
	bool yes = false;
	int rc = wanted(db, "alert.resolved", &yes);

	if (rc != KAM_OK || !yes)
		return rc;
	if ((rc = store_webhook_alerts(db, -1, at, &rows)) == KAM_OK)
		rc = emit_alerts(db, "alert.resolved", rows);
	json_decref(rows);
	return rc;
}

int app_webhook_alert_resolved(struct store_conn *db, int64_t id)
{
	json_t *rows = json_pack("[{s:I}]", "id", (json_int_t)id);
	int rc = rows ? emit_alerts(db, "alert.resolved", rows) : KAM_ENOMEM;

	json_decref(rows);
	return rc;
}

/* ---- chat formats ---- */

/* Appends s with & < > as entities: stored text cannot make Slack or Teams markup. */
static void put_escaped(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_put(b, s, 1);
	}
}

static const char *title_of(const char *type)
{
	static const struct {
		const char *type, *title;
	} t[] = {{"ping", "Test event from kam"},
	         {"alert.opened", "Alert opened"},
	         {"alert.resolved", "Alert resolved"},
	         {"account.created", "Account created"},
	         {"account.updated", "Account updated"},
	         {"account.tier_changed", "Account tier changed"},
	         {"account.segment_changed", "Account segment changed"},
	         {"account.churned", "Account churned"},
	         {"opportunity.won", "Opportunity won"},
	         {"opportunity.lost", "Opportunity lost"},
	         {"import.finished", "Import finished"},
	         {"case.sla_breached", "Case SLA breached"},
	         {"survey.detractor", "Detractor survey answer"},
	         {"action.overdue", "Action overdue"},
	         {"plan.review_due", "Plan review due"}};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (strcmp(t[i].type, type) == 0)
			return t[i].title;
	return type;
}

/* A chat message for an event: slack {"text"} or a Teams MessageCard (*out owned). */
static int chat_body(const struct webhook_config *c, const char *format, const char *payload,
                     char **out)
{
	json_t *p = json_loads(payload, 0, NULL), *d, *msg = NULL;
	const char *type, *name, *detail = NULL;
	char link[700] = "", extra[200] = "";
	struct buf t = {0};
	json_int_t acc = 0;
	bool slack = strcmp(format, "slack") == 0;

	*out = NULL;
	if (p == NULL)
		return KAM_EINVAL;
	type = json_string_value(json_object_get(p, "type"));
	d = json_object_get(p, "data");
	if (strncmp(type ? type : "", "account.", 8) == 0)
		acc = json_integer_value(json_object_get(d, "id"));
	else
		acc = json_integer_value(json_object_get(d, "account_id"));
	name = json_string_value(json_object_get(d, "account_name"));
	if (!name || strncmp(type ? type : "", "opportunity.", 12) == 0)
		name = json_string_value(json_object_get(d, "name"));
	if (!name)
		name = json_string_value(json_object_get(d, "title"));
	if (!name)
		name = json_string_value(json_object_get(d, "message"));
	if (strncmp(type ? type : "", "alert.", 6) == 0 || json_object_get(d, "rule_label")) {
		detail = json_string_value(json_object_get(d, "rule_label"));
		snprintf(extra, sizeof(extra), " (%s)",
		         json_string_value(json_object_get(d, "severity")) ?: "alert");
	} else if (strcmp(type ? type : "", "account.tier_changed") == 0) {
		snprintf(extra, sizeof(extra), ": %s → %s",
		         json_string_value(json_object_get(json_object_get(p, "previous"), "tier"))
		             ?: "none",
		         json_string_value(json_object_get(d, "tier")) ?: "none");
	} else if (strcmp(type ? type : "", "import.finished") == 0) {
		snprintf(extra, sizeof(extra), ": %s, %lld created, %lld updated, %lld rejected",
		         json_string_value(json_object_get(d, "kind")) ?: "",
		         (long long)json_integer_value(json_object_get(d, "created")),
		         (long long)json_integer_value(json_object_get(d, "updated")),
		         (long long)json_integer_value(json_object_get(d, "rejected")));
		name = NULL;
	}
	if (c->public_url[0]) {
		if (acc > 0)
			snprintf(link, sizeof(link), "%s/#/accounts/%lld", c->public_url,
			         (long long)acc);
		else
			snprintf(link, sizeof(link), "%s/", c->public_url);
	}
	buf_puts(&t, slack ? "*" : "**");
	put_escaped(&t, title_of(type ? type : "event"));
	buf_puts(&t, slack ? "*" : "**");
	if (name) {
		buf_puts(&t, ": ");
		if (link[0] && slack) {
			buf_puts(&t, "<");
			put_escaped(&t, link);
			buf_puts(&t, "|");
			put_escaped(&t, name);
			buf_puts(&t, ">");
		} else if (link[0]) {
			buf_puts(&t, "[");
			put_escaped(&t, name);
			buf_puts(&t, "](");
			put_escaped(&t, link);
			buf_puts(&t, ")");
		} else
			put_escaped(&t, name);
	}
	if (detail) {
		buf_puts(&t, " — ");
		put_escaped(&t, detail);
	}
	put_escaped(&t, extra);
	if (!name && link[0]) {
		buf_puts(&t, slack ? " <" : " [Open kam](");
		put_escaped(&t, link);
		buf_puts(&t, slack ? "|Open kam>" : ")");
	}
	{
		char *text = buf_take(&t, NULL);

		if (text == NULL)
			msg = NULL;
		else if (slack)
			msg = json_pack("{s:s}", "text", text);
		else
			msg = json_pack("{s:s,s:s,s:s,s:s,s:s}", "@type", "MessageCard", "@context",
			                "https://schema.org/extensions", "summary",
			                title_of(type ? type : "event"), "themeColor", "1F4E79",
			                "text", text);
		free(text);
	}
	if (msg)
		*out = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	json_decref(p);
	buf_free(&t);
	return *out ? KAM_OK : KAM_ENOMEM;
}

/* ---- delivery ---- */

struct answer {
	char body[RESPONSE_KEEP + 1];
	size_t len, read;
};

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t got = size * n, keep = RESPONSE_KEEP - a->len;

	if (keep > got)
		keep = got;
	memcpy(a->body + a->len, data, keep);
	a->len += keep;
	a->body[a->len] = '\0';
	a->read += got;
	return a->read > RESPONSE_READ ? 0 : got; /* enough: the code is what counts */
}

/* The last word on each connection curl opens: an address the checks refuse gets none,
 * whatever the resolver said after the check (DNS rebinding). */
static curl_socket_t open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const char *allow = arg;
	unsigned char b[16];

	(void)purpose;
	sa_bin(&a->addr, b);
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    (bin_private(b) && !allowed(allow, b)))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

/* One HTTP POST of body; *code 0 when there was no answer (why says why). */
static void post(CURL *h, const struct webhook_config *c, const char *url, const char *pin,
                 const char *msg_id, int64_t ts, const char *sig, const char *body, int *code,
                 struct answer *an, char *why, size_t whylen)
{
	struct curl_slist *hd = NULL, *res = NULL;
	char line[1200], allow[sizeof(c->allow)];
	long status = 0;
	CURLcode cc;

	*code = 0;
	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return;
	}
	/* the options go, the connections to receivers stay open for the next delivery */
	curl_easy_reset(h);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	hd = curl_slist_append(hd, "User-Agent: kam-webhooks/1");
	hd = curl_slist_append(hd, "Expect:");
	snprintf(line, sizeof(line), "webhook-id: %s", msg_id);
	hd = curl_slist_append(hd, line);
	snprintf(line, sizeof(line), "webhook-timestamp: %lld", (long long)ts);
	hd = curl_slist_append(hd, line);
	snprintf(line, sizeof(line), "webhook-signature: %s", sig);
	hd = curl_slist_append(hd, line);
	if (pin && pin[0])
		res = curl_slist_append(NULL, pin);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, ""); /* no proxy from the environment */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)c->timeout);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, an);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_cb);
	snprintf(allow, sizeof(allow), "%s", c->allow);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, (void *)allow);
	if (res)
		curl_easy_setopt(h, CURLOPT_RESOLVE, res);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	/* an answer cut short after 1 MiB still had its code */
	*code = cc == CURLE_OK || cc == CURLE_WRITE_ERROR ? (int)status : 0;
	if (*code == 0)
		snprintf(why, whylen, "%s", curl_easy_strerror(cc));
	curl_slist_free_all(hd);
	curl_slist_free_all(res);
}

/* Tells the admins that an endpoint was turned off: the log, and a mail to each when mail
 * is set up (in the transaction that turns it off). */
static int tell_admins(struct store_conn *db, int64_t id, const char *url, const char *reason)
{
	struct mail_config mc;
	char err[256], subject[300];
	json_t *admins = NULL, *a;
	struct buf t = {0}, h = {0};
	char *text = NULL, *html = NULL;
	size_t i;
	int rc = KAM_OK;

	log_msg("warn", "webhook %lld (%s) turned off: %s", (long long)id, url, reason);
	if (app_mail_config(&mc, err, sizeof(err)) != KAM_OK || !mc.on || !mc.public_url[0])
		return KAM_OK;
	if ((rc = store_webhook_admins(db, &admins)) != KAM_OK)
		return rc;
	snprintf(subject, sizeof(subject), "[kam] A webhook was turned off: %.200s", url);
	buf_printf(&t,
	           "kam turned off the webhook to %s after its deliveries kept failing:\n%s\n\n"
	           "Its later events wait. Look at the delivery log, fix the receiver, then turn "
	           "it on again: %s/#/settings\n",
	           url, reason, mc.public_url);
	buf_puts(&h, "<p>kam turned off the webhook to <b>");
	put_escaped(&h, url);
	buf_puts(&h, "</b> after its deliveries kept failing:</p><p>");
	put_escaped(&h, reason);
	buf_printf(&h,
	           "</p><p>Its later events wait. <a href=\"%s/#/settings\">Look at the "
	           "delivery log</a>, fix the receiver, then turn it on again.</p>",
	           mc.public_url);
	text = buf_take(&t, NULL);
	html = buf_take(&h, NULL);
	json_array_foreach(admins, i, a)
	{
		if (text == NULL || html == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		rc = app_mail_enqueue(db, "webhook_disabled",
		                      json_integer_value(json_object_get(a, "id")),
		                      json_string_value(json_object_get(a, "email")),
		                      json_string_value(json_object_get(a, "name")), subject, text,
		                      html, NULL, time_now());
		if (rc != KAM_OK)
			break;
	}
	buf_free(&t);
	buf_free(&h);
	free(text);
	free(html);
	json_decref(admins);
	return rc;
}

static int deliver(struct store_conn *db, const struct webhook_config *c, CURL *h,
                   const char *owner, json_t *row, int64_t now, bool *ok)
{
	int64_t oid = json_integer_value(json_object_get(row, "id"));
	int64_t attempts = json_integer_value(json_object_get(row, "attempts"));
	int64_t created = json_integer_value(json_object_get(row, "created_at"));
	const char *rcpt = json_string_value(json_object_get(row, "recipient"));
	const char *payload = json_string_value(json_object_get(row, "payload"));
	int64_t wid = rcpt ? strtoll(rcpt, NULL, 10) : 0;
	json_t *ep = NULL;
	char msg_id[40], pin[400] = "", why[400] = "", *sig = NULL, *chat = NULL;
	const char *body = payload ? payload : "{}", *format;
	struct answer *an = calloc(1, sizeof(*an));
	int code = 0, rc;
	double t0;
	int64_t ms, ts = time_now();
	bool refused = false;

	*ok = false;
	if (an == NULL)
		return KAM_ENOMEM;
	snprintf(msg_id, sizeof(msg_id), "msg_%lld", (long long)oid);
	if ((rc = store_webhook_get(db, wid, &ep)) == KAM_ENOTFOUND) {
		rc = store_outbox_retry(db, oid, owner, "the endpoint was removed", 0, now);
		goto out;
	}
	if (rc != KAM_OK)
		goto out;
	format = json_string_value(json_object_get(ep, "format"));
	if (format && strcmp(format, "standard") != 0) {
		if ((rc = chat_body(c, format, body, &chat)) != KAM_OK)
			goto out;
		body = chat;
	}
	{
		const char *prev =
		    json_integer_value(json_object_get(ep, "previous_secret_until")) > ts
		        ? json_string_value(json_object_get(ep, "previous_secret"))
		        : NULL;

		if ((rc = app_webhook_sign(json_string_value(json_object_get(ep, "secret")), prev,
		                           msg_id, ts, body, &sig)) != KAM_OK)
			goto out;
	}
	t0 = time_mono_ms();
	/* checked again at each attempt: the name may point elsewhere since it was saved */
	if (app_webhook_url_check(c, json_string_value(json_object_get(ep, "url")), why,
	                          sizeof(why), pin, sizeof(pin)) != KAM_OK) {
		char tmp[sizeof(why)];

		memcpy(tmp, why, sizeof(tmp));
		snprintf(why, sizeof(why), "refused: the URL %.370s", tmp);
		refused = true;
	} else
		post(h, c, json_string_value(json_object_get(ep, "url")), pin, msg_id, ts, sig,
		     body, &code, an, why, sizeof(why));
	ms = (int64_t)(time_mono_ms() - t0);
	metrics_hist_observe(&attempt_ms, (double)ms);
	*ok = code >= 200 && code < 300;
	if (!*ok && !why[0])
		snprintf(why, sizeof(why), "HTTP %d%s", code,
		         code >= 300 && code < 400 ? " (a redirect; kam does not follow them)"
		                                   : "");
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	rc = store_webhook_attempt(db, wid, oid, ts, code, ms, *ok ? NULL : why,
	                           an->len ? an->body : NULL);
	if (rc == KAM_OK && *ok) {
		rc = store_outbox_sent(db, oid, owner, now);
		atomic_fetch_add(&n_ok, 1);
	} else if (rc == KAM_OK) {
		int shift = attempts < 20 ? (int)attempts : 20;
		int64_t delay = (int64_t)c->retry_base << shift, next;

		if (delay > RETRY_CAP)
			delay = RETRY_CAP;
		next = now + delay;
		if (attempts + 1 >= c->max_attempts || next > created + c->max_age)
			next = 0;
		rc = store_outbox_retry(db, oid, owner, why, next, now);
		atomic_fetch_add(refused ? &n_refused : next ? &n_retry : &n_failed, 1);
		log_msg("warn", "webhook %lld delivery %s: %s%s", (long long)wid, msg_id, why,
		        next ? "; will retry" : "; given up, endpoint turned off");
		if (rc == KAM_OK && next == 0) {
			char reason[600];

			snprintf(reason, sizeof(reason),
			         "turned off after %lld failed attempt%s of %s: %s",
			         (long long)attempts + 1, attempts ? "s" : "", msg_id, why);
			rc = store_webhook_disable(db, wid, reason, now);
			if (rc == KAM_OK)
				rc = tell_admins(
				    db, wid, json_string_value(json_object_get(ep, "url")), reason);
		}
	}
	if (rc == KAM_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
out:
	free(an);
	free(sig);
	free(chat);
	json_decref(ep);
	return rc;
}

int app_webhook_run(struct store_conn *db, const char *owner, int64_t now, int *sent, int *failed)
{
	struct webhook_config c;
	CURL *h = NULL; /* made when something is due */
	double t0 = time_mono_ms();
	int rc = KAM_OK;
	int lease;

	*sent = *failed = 0;
	app_webhook_config(&c);
	lease = 2 * c.timeout + 5; /* outlives one attempt; a killed node's lease runs out */
	/* rounds: each delivers the head of every endpoint's queue, then the next ones, for a
	 * few seconds at most (the caller comes back at once when there was work) */
	while (time_mono_ms() - t0 < 5000) {
		json_t *due = NULL, *v;
		size_t i;
		int done = 0;

		if ((rc = store_webhook_due(db, now, 50, &due)) != KAM_OK)
			break;
		json_array_foreach(due, i, v)
		{
			json_t *row = NULL;
			bool got = false, ok = false;

			rc = store_outbox_claim(db, json_integer_value(json_object_get(v, "id")),
			                        owner, now, lease, &got, &row);
			if (rc != KAM_OK)
				break;
			if (!got)
				continue;
			if (h == NULL && (h = curl_easy_init()) == NULL)
				rc = KAM_ENOMEM; /* the lease runs out; another try then */
			if (rc == KAM_OK)
				rc = deliver(db, &c, h, owner, row, now, &ok);
			json_decref(row);
			if (rc != KAM_OK)
				break;
			done++;
			if (ok)
				(*sent)++;
			else
				(*failed)++;
		}
		json_decref(due);
		if (rc != KAM_OK || done == 0)
			break;
		now = time_now();
	}
	if (h)
		curl_easy_cleanup(h);
	return rc;
}

/* ---- the delivery thread ---- */

struct app_webhooks {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	int poll_ms;
	char owner[200];
};

static void *loop(void *arg)
{
	struct app_webhooks *w = arg;
	int64_t purged = 0;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct store_conn *c;
		struct timespec ts;
		int sent = 0, failed = 0, rc;

		pthread_mutex_unlock(&w->mu);
		store_acquire(w->st, &c);
		rc = app_webhook_run(c, w->owner, time_now(), &sent, &failed);
		/* delivered events stay 30 days in the log, whether mail is set up or not */
		if (rc == KAM_OK && time_now() - purged >= 60) {
			purged = time_now();
			rc = store_outbox_purge(c, purged - 30 * 86400);
		}
		store_release(w->st, c);
		if (rc != KAM_OK)
			log_msg("warn", "webhooks: database error %d; will retry", rc);
		pthread_mutex_lock(&w->mu);
		if (sent + failed > 0 && rc == KAM_OK)
			continue; /* more may be due: no pause */
		time_mono_deadline(&ts, w->poll_ms);
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int app_webhooks_start(struct store *st, struct app_webhooks **out)
{
	struct app_webhooks *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (w == NULL)
		return KAM_ENOMEM;
	w->st = st;
	w->poll_ms = env_int("KAM_WEBHOOK_POLL_MS", 250, 50, 600000);
	snprintf(w->owner, sizeof(w->owner), "%s:webhooks", node_id());
	pthread_mutex_init(&w->mu, NULL);
	time_cond_init_mono(&w->cv);
	if (pthread_create(&w->thread, NULL, loop, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return KAM_ENOMEM;
	}
	*out = w;
	return KAM_OK;
}

void app_webhooks_stop(struct app_webhooks *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

void app_webhooks_metrics_write(struct buf *b)
{
	metrics_family(b, "kam_webhook_deliveries_total", "counter",
	               "Webhook delivery attempts of this server by outcome (delivered: a 2xx; "
	               "retry: failed, tried again later; failed: given up, endpoint turned off; "
	               "refused: the URL went to an address kam does not call)");
	buf_printf(b, "kam_webhook_deliveries_total{outcome=\"delivered\"} %llu\n",
	           atomic_load(&n_ok));
	buf_printf(b, "kam_webhook_deliveries_total{outcome=\"retry\"} %llu\n",
	           atomic_load(&n_retry));
	buf_printf(b, "kam_webhook_deliveries_total{outcome=\"failed\"} %llu\n",
	           atomic_load(&n_failed));
	buf_printf(b, "kam_webhook_deliveries_total{outcome=\"refused\"} %llu\n",
	           atomic_load(&n_refused));
	metrics_family(b, "kam_webhook_attempt_duration_seconds", "histogram",
	               "Webhook delivery attempts, from the URL check to the answer");
	metrics_hist_write(b, "kam_webhook_attempt_duration_seconds", "", &attempt_ms);
}
