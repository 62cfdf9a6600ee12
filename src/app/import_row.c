/* The import engine, part two: one row, from cells to a stored record (see import_internal.h). */
#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/import_internal.h"
#include "kam/validate.h"
#include "store/portfolio.h"
#include "kam/forecast.h"
#include "kam/importfmt.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/import.h"
#include "store/revenue.h"
#include "util/mem.h"
#include "util/time.h"
#include "util/utf8.h"

/* --- lookups ------------------------------------------------------------------------------ */

/* Every map of the run is checked as it is written: an entry missing for want of memory would
 * read later as "no such record" or "not seen yet", and the run would answer 2xx with a row
 * wrongly refused or written twice. */
static int jset(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v) != 0 ? KAM_ENOMEM : KAM_OK;
}

static int keys_of(struct imp *im, const struct model_entity *e, json_t **ext, json_t **name)
{
	json_t *k = json_object_get(im->keys, e->table);

	if (k == NULL) {
		/* only what the caller may see: matches and suggestions never reach further */
		int rc = store_import_keys(im->db, e, actor_scope(&im->who), ext, name);

		if (rc != KAM_OK)
			return rc;
		rc = jset(im->keys, e->table, json_pack("{s:O,s:O}", "ext", *ext, "name", *name));
		/* held by im->keys now (or freed with it when it could not be kept) */
		json_decref(*ext);
		json_decref(*name);
		if (rc != KAM_OK) {
			*ext = *name = NULL;
			return rc;
		}
		k = json_object_get(im->keys, e->table);
	}
	*ext = json_object_get(k, "ext");
	*name = json_object_get(k, "name");
	return KAM_OK;
}

/* Remembers a row written by this import so later rows can refer to it. */
static int remember(struct imp *im, const struct model_entity *e, const json_t *rec)
{
	json_t *k = json_object_get(im->keys, e->table);
	const char *ext = json_string_value(json_object_get(rec, "external_id"));
	const char *name = json_string_value(json_object_get(rec, "name"));
	const char *email = json_string_value(json_object_get(rec, "email"));
	json_t *id = json_object_get(rec, "id");
	int64_t acc =
	    e == &model_account ? 0 : json_integer_value(json_object_get(rec, "account_id"));
	char key[600];
	int rc = KAM_OK;

	if (k == NULL || id == NULL)
		return KAM_OK;
	if (ext) {
		store_import_key(acc, ext, false, key, sizeof(key));
		if (json_object_set_nocheck(json_object_get(k, "ext"), key, id) != 0)
			return KAM_ENOMEM;
	}
	if (name) {
		store_import_key(acc, name, true, key, sizeof(key));
		rc = store_import_name_add(json_object_get(k, "name"), key, json_integer_value(id),
		                           name);
	}
	if (rc == KAM_OK && email) {
		store_import_key(acc, email, true, key, sizeof(key));
		rc = store_import_name_add(json_object_get(k, "name"), key, json_integer_value(id),
		                           email);
	}
	return rc;
}

/* The closest known name (in the same account when prefix is set), for "did you mean". */
static void closest(json_t *names, const char *prefix, const char *want, char *out, size_t outlen)
{
	const char *key, *best = NULL;
	size_t plen = prefix ? strlen(prefix) : 0;
	int best_d = 4;
	json_t *v;
	char folded[512];

	store_fold(want, folded, sizeof(folded));
	out[0] = '\0';
	json_object_foreach(names, key, v)
	{
		const char *k = key;
		int d;

		if (plen) {
			if (strncmp(key, prefix, plen) != 0)
				continue;
			k += plen;
		} else if (strchr(key, ':') && isdigit((unsigned char)key[0])) {
			continue;
		}
		d = imp_distance(folded, k, best_d - 1);
		if (d < best_d) {
			best_d = d;
			best = json_string_value(json_array_get(v, 1));
		}
	}
	if (best)
		snprintf(out, outlen, "%s", best);
}

/* key with everything but letters and digits dropped ("GTX-Pro " and "gtx pro" → "gtxpro"),
 * after its "ACCOUNT_ID:" prefix when it has one. */
static void compact(const char *key, char *out, size_t outlen)
{
	const char *colon = isdigit((unsigned char)key[0]) ? strchr(key, ':') : NULL;
	size_t n = 0;

	if (colon && (size_t)(colon - key + 1) < outlen) {
		n = (size_t)(colon - key + 1);
		memcpy(out, key, n);
		key = colon + 1;
	}
	for (; *key && n + 1 < outlen; key++)
		if (isalnum((unsigned char)*key) || (unsigned char)*key >= 0x80)
			out[n++] = *key;
	out[n] = '\0';
}

/* A name spelt with other spaces or punctuation than the stored one ("GTXPro" for "GTX Pro",
 * "Acme, Inc" for "Acme Inc"): *hit is the one record whose name compacts the same, or NULL
 * (none, or several: then the row must say which). */
static int compact_hit(struct imp *im, const struct model_entity *e, json_t *names,
                       int64_t account_id, const char *v, json_t **hit)
{
	json_t *k = json_object_get(im->keys, e->table), *map = json_object_get(k, "compact"), *x;
	const char *key;
	char want[600], folded[600];

	*hit = NULL;
	if (k == NULL)
		return KAM_OK;
	if (map == NULL) { /* built once per run and entity, from the names already loaded */
		if ((map = json_object()) == NULL)
			return KAM_ENOMEM;
		json_object_foreach(names, key, x)
		{
			json_int_t id = json_integer_value(json_is_array(x) ? json_array_get(x, 0) : x);
			json_t *had;
			int bad = 0;

			compact(key, want, sizeof(want));
			had = json_object_get(map, want);
			if (had && json_integer_value(json_array_get(had, 0)) != id)
				bad = json_array_set_new(had, 0, json_integer(0));
			else if (had == NULL)
				bad = json_object_set_new_nocheck(
				    map, want,
				    json_pack("[I,O]", id,
				              json_is_array(x) ? json_array_get(x, 1)
				                               : json_null()));
			if (bad) {
				json_decref(map);
				return KAM_ENOMEM;
			}
		}
		if (jset(k, "compact", map) != KAM_OK)
			return KAM_ENOMEM;
	}
	store_import_key(account_id, v, true, folded, sizeof(folded));
	compact(folded, want, sizeof(want));
	x = json_object_get(map, want);
	*hit = x && json_integer_value(json_array_get(x, 0)) ? x : NULL;
	return KAM_OK;
}

/* Finds one referenced row among those the caller may see: by external id, then by name or
 * e-mail (inside the row's account for contacts and units). A record the caller may not see
 * is not found and never suggested, so the answer is the one for a name nobody uses. */
static int lookup(struct imp *im, const char *target, const char *v, int64_t account_id,
                  int64_t *id, char *msg, size_t msglen)
{
	const struct model_entity *e =
	    !strcmp(target, "owner") || !strcmp(target, "users") || !strcmp(target, "manager")
	        ? &model_user
	    : !strcmp(target, "product") || !strcmp(target, "products")      ? &model_product
	    : !strcmp(target, "unit")                                         ? &model_unit
	    : !strncmp(target, "account", 7) || !strncmp(target, "parent", 6) ? &model_account
	                                                                      : &model_contact;
	bool in_account = e == &model_contact || e == &model_unit;
	bool ext_only = !strcmp(target, "account_ext") || !strcmp(target, "parent_ext");
	json_t *ext, *names, *hit = NULL;
	char key[600], prefix[32] = "", guess[512];
	int rc = keys_of(im, e, &ext, &names);

	if (rc != KAM_OK)
		return rc;
	store_import_key(in_account ? account_id : 0, v, false, key, sizeof(key));
	hit = json_object_get(ext, key);
	if (hit == NULL && !ext_only) {
		store_import_key(in_account ? account_id : 0, v, true, key, sizeof(key));
		hit = json_object_get(names, key);
	}
	if (in_account)
		snprintf(prefix, sizeof(prefix), "%lld:", (long long)account_id);
	if (hit == NULL && !ext_only &&
	    (rc = compact_hit(im, e, names, in_account ? account_id : 0, v, &hit)) != KAM_OK)
		return rc;
	if (hit && (*id = json_integer_value(json_is_array(hit) ? json_array_get(hit, 0) : hit))) {
		return KAM_OK;
	} else if (hit) {
		snprintf(msg, msglen,
		         "more than one %s is \"%s\"; refer to it by %s (or map it in the "
		         "mapping file's values)",
		         e->name, v, e == &model_user ? "e-mail" : "external id");
		return KAM_ENOTFOUND;
	}
	closest(names, prefix[0] ? prefix : NULL, v, guess, sizeof(guess));
	if (guess[0])
		snprintf(msg, msglen,
		         "no %s \"%s\"; did you mean \"%s\"? (or map it in the "
		         "mapping file's values)",
		         e->name, v, guess);
	else
		snprintf(msg, msglen, "no %s \"%s\"%s", e->name, v,
		         ext_only ? " (by external id)" : "");
	return KAM_ENOTFOUND;
}

/* --- one row ------------------------------------------------------------------------------- */

struct rowctx {
	struct imp *im;
	struct row *row;
	json_t *rec;
	const char *bad_col;
	char msg[700];
	json_t *errs; /* every problem of the row's cells, [{column, message}] (build) */
	bool sp;      /* its savepoint is taken (only a row that writes takes one) */
	const char *ext; /* its external id as im->seen keeps it, or NULL */
};

/* --- external ids seen in the file ---------------------------------------------------------- */

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3u;
	return h ^ (h >> 31);
}

/* The line s was first on, or 0 when it was not seen. */
static long seen_line(const struct imp_seen *m, const char *s, uint64_t h)
{
	if (m->cap == 0)
		return 0;
	for (size_t i = h & (m->cap - 1); m->v[i].s; i = (i + 1) & (m->cap - 1))
		if (m->v[i].h == h && !strcmp(m->v[i].s, s))
			return m->v[i].line;
	return 0;
}

/* A copy of s kept until the run ends; NULL without memory. */
static char *seen_copy(struct imp_seen *m, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p;

	if (len > m->left) {
		size_t size = len > (1u << 20) ? len : (1u << 20);
		char **b = vec_push((void **)&m->blocks, &m->nblocks, &m->capblocks, sizeof(*b));

		if (b == NULL)
			return NULL;
		if ((*b = malloc(size)) == NULL) {
			m->nblocks--;
			return NULL;
		}
		m->cur = *b;
		m->left = size;
	}
	p = m->cur;
	memcpy(p, s, len);
	m->cur += len;
	m->left -= len;
	return p;
}

/* Moves the keys to a table of cap slots (a power of two, more than m has). */
static int seen_resize(struct imp_seen *m, size_t cap)
{
	struct imp_seen_slot *v = calloc(cap, sizeof(*v));

	if (v == NULL)
		return KAM_ENOMEM;
	mem_huge(v, cap * sizeof(*v));
	for (size_t j = 0; j < m->cap; j++) {
		size_t i;

		if (m->v[j].s == NULL)
			continue;
		for (i = m->v[j].h & (cap - 1); v[i].s; i = (i + 1) & (cap - 1))
			;
		v[i] = m->v[j];
	}
	free(m->v);
	m->v = v;
	m->cap = cap;
	return KAM_OK;
}

/* Room for one more key (at most three quarters full); false without memory. */
static bool seen_room(struct imp_seen *m)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		return seen_resize(m, m->cap ? m->cap * 2 : 1024) == KAM_OK;
	return true;
}

/* Keeps s in slot i, which is free. */
static const char *seen_keep(struct imp_seen *m, size_t i, const char *s, uint64_t h, long line)
{
	if ((m->v[i].s = seen_copy(m, s)) == NULL)
		return NULL;
	m->v[i].h = h;
	m->v[i].line = line;
	m->n++;
	return m->v[i].s;
}

/* Adds s first seen on line; the kept copy, or NULL without memory. */
static const char *seen_add(struct imp_seen *m, const char *s, uint64_t h, long line)
{
	size_t i;

	if (!seen_room(m))
		return NULL;
	for (i = h & (m->cap - 1); m->v[i].s; i = (i + 1) & (m->cap - 1))
		;
	return seen_keep(m, i, s, h, line);
}

/* seen_line and seen_add in one probe of the table (a million external ids do not fit in
 * any cache: each probe is a miss): *first is the line s was on, else 0 and s is added
 * with line. The kept copy of s (NULL when it was there already, or without memory). */
static const char *seen_put(struct imp_seen *m, const char *s, uint64_t h, long line, long *first)
{
	size_t i;

	*first = 0;
	if (!seen_room(m))
		return NULL;
	for (i = h & (m->cap - 1); m->v[i].s; i = (i + 1) & (m->cap - 1))
		if (m->v[i].h == h && !strcmp(m->v[i].s, s)) {
			*first = m->v[i].line;
			return NULL;
		}
	return seen_keep(m, i, s, h, line);
}

int imp_seen_reserve(struct imp_seen *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 1024;

	while (n * 4 > cap * 3 && cap < SIZE_MAX / 4 / sizeof(*m->v))
		cap *= 2;
	if (cap <= m->cap)
		return KAM_OK;
	return seen_resize(m, cap);
}

void imp_seen_free(struct imp_seen *m)
{
	for (size_t i = 0; i < m->nblocks; i++)
		free(m->blocks[i]);
	free(m->blocks);
	free(m->v);
	*m = (struct imp_seen){0};
}

/* s with '?' for each byte that does not start a well-formed character (in place). */
static void scrub(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p;) {
		int n = *p < 0x80             ? 1
		        : (*p & 0xE0) == 0xC0 ? 2
		        : (*p & 0xF0) == 0xE0 ? 3
		        : (*p & 0xF8) == 0xF0 ? 4
		                              : 0;
		bool ok = n > 0;
		char one[5];

		for (int i = 1; ok && i < n; i++)
			ok = (p[i] & 0xC0) == 0x80;
		if (ok && n > 1) { /* overlong forms and surrogates too */
			memcpy(one, p, (size_t)n);
			one[n] = '\0';
			ok = utf8_valid(one);
		}
		if (!ok)
			*p++ = '?';
		else
			p += n;
	}
}

/* A problem of a row as the run reports it ({line, column, field, message}; line < 0: only
 * column and message). A header or a cell quoted in the message may not be UTF-8 (or be cut
 * inside a character), which jansson refuses: its bad bytes are written '?' rather than the
 * problem lost. NULL only without memory. */
static json_t *problem(long line, const char *col, const char *field, const char *msg)
{
	char *c = NULL, *m = NULL;
	json_t *e;

	col = col ? col : "";
	msg = msg ? msg : "";
	for (int pass = 0; pass < 2; pass++) {
		e = line < 0 ? json_pack("{s:s,s:s}", "column", col, "message", msg)
		             : json_pack("{s:I,s:s,s:s?,s:s}", "line", (json_int_t)line, "column",
		                         col, "field", field, "message", msg);
		if (e || pass || (utf8_valid(col) && utf8_valid(msg)))
			break;
		if ((c = strdup(col)) == NULL || (m = strdup(msg)) == NULL)
			break;
		scrub(c);
		scrub(m);
		col = c;
		msg = m;
	}
	free(c);
	free(m);
	return e;
}

/* Keeps the problem reject() just described, so the row's other cells are still checked. */
static int note(struct rowctx *x)
{
	if (x->errs == NULL && (x->errs = json_array()) == NULL)
		return KAM_ENOMEM;
	if (json_array_append_new(x->errs, problem(-1, x->bad_col, NULL, x->msg)) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

static int reject(struct rowctx *x, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reject(struct rowctx *x, const char *col, const char *fmt, ...)
{
	va_list ap;

	x->bad_col = col;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	return KAM_EINVAL;
}

static const char *custom_value(struct imp *im, const struct col *c, const char *v)
{
	json_t *vals = json_object_get(im->o->custom, "values"), *m, *to;

	if (vals == NULL) /* most files: no lookups (each hashes the cell) */
		return v;
	m = json_object_get(vals, c->target);
	if (m == NULL)
		m = json_object_get(vals, c->f->name);
	to = json_object_get(m, v);
	return json_is_string(to) ? json_string_value(to) : v;
}

static bool is_money(const struct imp *im, const char *field)
{
	for (const char *const *m = im->k->money; *m; m++)
		if (!strcmp(*m, field))
			return true;
	return false;
}

/* A cell as the JSON value its field takes; money waits for the row's currency. */
static int convert(struct rowctx *x, const struct col *c, const char *v, json_t **out)
{
	const struct model_field *f = c->f;
	char buf[600], day[11];
	int64_t n;
	int secs;

	*out = NULL;
	switch (f->type) {
	case MT_ENUM:
		imp_key(v, buf, sizeof(buf));
		if (!model_enum_has(f->values, buf)) {
			const char *m = imp_map_value(f->name, buf);

			if (m == NULL || !model_enum_has(f->values, m)) {
				char list[300];
				size_t len = 0;

				list[0] = '\0';
				for (const char *const *e = f->values; *e && len < 250; e++)
					len += (size_t)snprintf(list + len, sizeof(list) - len,
					                        "%s%s", len ? ", " : "", *e);
				return reject(x, c->header,
				              "\"%.100s\" is not one of %s (map it in the "
				              "mapping file's values)",
				              v, list);
			}
			snprintf(buf, sizeof(buf), "%s", m);
		}
		*out = json_string(buf);
		return KAM_OK;
	case MT_INT:
	case MT_REF: {
		char tmp[64];
		size_t len = strlen(v);

		if (is_money(x->im, f->name)) {
			*out = json_string(v); /* scaled once the currency is known */
			return *out            ? KAM_OK
			       : utf8_valid(v) ? KAM_ENOMEM /* not "not UTF-8" for want of memory */
			                       : reject(x, c->header, "is not UTF-8 text");
		}
		if (len && len < sizeof(tmp) && v[len - 1] == '%') { /* "75%" */
			memcpy(tmp, v, len - 1);
			tmp[len - 1] = '\0';
			v = tmp;
		}
		if (imp_number(v, 0, &n) != 0)
			return reject(x, c->header, "\"%.100s\" is not a number", v);
		*out = json_integer(n);
		return KAM_OK;
	}
	case MT_NUM:
		if (imp_number(v, 6, &n) != 0)
			return reject(x, c->header, "\"%.100s\" is not a number", v);
		*out = json_real((double)n / 1e6);
		return KAM_OK;
	case MT_BOOL:
		imp_key(v, buf, sizeof(buf));
		if (!strcmp(buf, "true") || !strcmp(buf, "yes") || !strcmp(buf, "1") ||
		    !strcmp(buf, "x"))
			*out = json_true();
		else if (!strcmp(buf, "false") || !strcmp(buf, "no") || !strcmp(buf, "0"))
			*out = json_false();
		else
			return reject(x, c->header, "\"%.100s\" is not yes or no", v);
		return KAM_OK;
	case MT_DATE:
	case MT_TIME:
		if (imp_date(v, c->datefmt, day, &secs) != 0)
			return reject(x, c->header, "\"%.100s\" is not a date%s", v,
			              c->datefmt == IMP_DATE_MDY   ? " (read as month/day/year)"
			              : c->datefmt == IMP_DATE_DMY ? " (read as day/month/year)"
			                                           : "");
		if (f->type == MT_DATE) {
			*out = json_string(day);
		} else {
			if (secs < 0)
				secs = 0;
			snprintf(buf, sizeof(buf), "%sT%02d:%02d:%02dZ", day, secs / 3600,
			         secs / 60 % 60, secs % 60);
			*out = json_string(buf);
		}
		return KAM_OK;
	case MT_CURRENCY:
		snprintf(buf, sizeof(buf), "%s", v);
		for (char *p = buf; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		*out = json_string(buf);
		break;
	case MT_REFS: { /* ids as kam exports them: "3; 5" */
		char *copy = strdup(v), *save = NULL, *t;

		if (copy == NULL || (*out = json_array()) == NULL) {
			free(copy);
			return KAM_ENOMEM;
		}
		for (t = strtok_r(copy, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
			if (imp_number(t, 0, &n) != 0 || n < 1) {
				free(copy);
				json_decref(*out);
				*out = NULL;
				return reject(x, c->header, "\"%.100s\" is not a list of ids", v);
			}
			if (json_array_append_new(*out, json_integer(n)) != 0) {
				free(copy);
				json_decref(*out);
				*out = NULL;
				return KAM_ENOMEM;
			}
		}
		free(copy);
		return KAM_OK;
	}
	case MT_TAGS: {
		char *copy = strdup(v), *save = NULL, *t;
		const char *sep = strchr(v, ';') ? ";" : ",";

		if (copy == NULL || (*out = json_array()) == NULL) {
			free(copy);
			return KAM_ENOMEM;
		}
		for (t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save)) {
			while (isspace((unsigned char)*t))
				t++;
			if (*t && json_array_append_new(*out, json_string(t)) != 0) {
				free(copy);
				json_decref(*out);
				*out = NULL;
				return KAM_ENOMEM;
			}
		}
		free(copy);
		return KAM_OK;
	}
	default:
		*out = json_string(v);
	}
	/* jansson refuses text that is not UTF-8, and fails without memory: told apart here */
	if (*out == NULL && utf8_valid(v))
		return KAM_ENOMEM;
	if (*out == NULL)
		return reject(x, c->header, "is not UTF-8 text (save the file as UTF-8)");
	return KAM_OK;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The fields of a row, references left for later (they need the account). */
static int build(struct rowctx *x)
{
	struct imp *im = x->im;
	char first[200] = "", last[200] = "", name[420];
	int rc;

	for (size_t i = 0; i < im->ncols && i < x->row->n; i++) {
		const struct col *c = &im->cols[i];
		const char *v;
		json_t *j;

		if (c->target == NULL)
			continue;
		v = trim(x->row->v[i]);
		if (*v == '\0')
			continue;
		for (const unsigned char *p = (const unsigned char *)v; *p; p++)
			if (*p >= 0x80) { /* jansson refuses bytes that are not UTF-8 */
				json_t *probe = json_string(v);

				if (probe == NULL) {
					reject(x, c->header,
					       "is not UTF-8 text (save the file as UTF-8)");
					if ((rc = note(x)) != KAM_OK)
						return rc;
					goto next;
				}
				json_decref(probe);
				break;
			}
		if (v[0] == '\'' && imp_formula_like(v + 1))
			v++; /* the apostrophe an export put before a formula-like text */
		v = custom_value(im, c, v);
		if (c->ref && !(c->f->type == MT_REF && isdigit((unsigned char)*v) &&
		                !strcmp(c->target, c->f->name)))
			continue;
		if (c->name_part) {
			/* cut whole to a character: the name is made of both */
			utf8_copy(!strcmp(c->target, "first_name") ? first : last, sizeof(first), v);
			continue;
		}
		rc = convert(x, c, v, &j);
		if (rc == KAM_EINVAL) { /* a bad cell: note it and check the others too */
			if ((rc = note(x)) != KAM_OK)
				return rc;
			continue;
		}
		if (rc != KAM_OK)
			return rc;
		if ((rc = jset(x->rec, c->f->name, j)) != KAM_OK)
			return rc;
	next:;
	}
	if ((first[0] || last[0]) && json_object_get(x->rec, "name") == NULL) {
		snprintf(name, sizeof(name), "%s%s%s", first, first[0] && last[0] ? " " : "", last);
		if ((rc = jset(x->rec, "name", json_string(name))) != KAM_OK)
			return rc;
	}
	return json_array_size(x->errs) ? KAM_EINVAL : KAM_OK;
}

/* lookup, remembered: a transactions file names the same few accounts and products on
 * every row, and writes no account or product that would change the answer. Only a found
 * reference is kept (a missing one is described again on each row). */
#define REF_KEY 600

/* The key lookup_kept keeps the cell v of column col under (key: REF_KEY bytes); false when
 * it is not kept (too long). */
static bool ref_key(size_t col, const char *v, char *key)
{
	size_t len = strlen(v);

	if (len + 2 > REF_KEY || col >= 255)
		return false;
	key[0] = (char)(col + 1); /* the column's own: a product may share an account's name */
	memcpy(key + 1, v, len + 1);
	return true;
}

/* The id lookup_kept found for the cell v of column col, or 0 when none is kept. */
static int64_t ref_kept(const struct imp *im, size_t col, const char *v)
{
	char key[REF_KEY];
	long kept;

	if (!ref_key(col, v, key))
		return 0;
	kept = seen_line(&im->refs, key, str_hash(key));
	return kept > 0 ? kept : 0;
}

static int lookup_kept(struct imp *im, size_t col, const char *target, const char *v,
                       int64_t account_id, int64_t *id, char *msg, size_t msglen)
{
	char key[REF_KEY];
	uint64_t h;
	long kept;
	int rc;

	if (im->e != &model_transaction || !ref_key(col, v, key) ||
	    (strncmp(target, "account", 7) != 0 && strcmp(target, "product") != 0))
		return lookup(im, target, v, account_id, id, msg, msglen);
	h = str_hash(key);
	if ((kept = seen_line(&im->refs, key, h)) > 0) {
		*id = kept;
		return KAM_OK;
	}
	rc = lookup(im, target, v, account_id, id, msg, msglen);
	if (rc == KAM_OK && *id > 0 && seen_add(&im->refs, key, h, (long)*id) == NULL)
		return KAM_ENOMEM;
	return rc;
}

/* References, now that the row's account is known. */
static int resolve(struct rowctx *x)
{
	struct imp *im = x->im;
	int64_t account_id, id;
	bool bad = false;
	int rc;

	/* the account first: the others are looked up inside it */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < im->ncols && i < x->row->n; i++) {
			const struct col *c = &im->cols[i];
			bool acc;
			const char *v;

			if (c->target == NULL || !c->ref ||
			    json_object_get(x->rec, c->f->name) != NULL)
				continue;
			acc = !strncmp(c->target, "account", 7);
			if (acc != (pass == 0))
				continue;
			v = trim(x->row->v[i]);
			/* a cell that is not UTF-8 build() named already, and nothing is called that */
			if (*v == '\0' || !utf8_valid(v))
				continue;
			v = custom_value(im, c, v);
			account_id = json_integer_value(json_object_get(x->rec, "account_id"));
			if (c->f->type == MT_REFS) {
				char *copy = strdup(v), *save = NULL, *t;
				json_t *ids = json_array();

				if (copy == NULL) {
					json_decref(ids);
					return KAM_ENOMEM;
				}
				rc = KAM_OK;
				for (t = strtok_r(copy, ";", &save); t && rc == KAM_OK;
				     t = strtok_r(NULL, ";", &save)) {
					t = trim(t);
					if (*t == '\0')
						continue;
					rc = lookup(im, c->target, t, account_id, &id, x->msg,
					            sizeof(x->msg));
					if (rc == KAM_OK &&
					    json_array_append_new(ids, json_integer(id)) != 0)
						rc = KAM_ENOMEM;
				}
				free(copy);
				if (json_object_set_new(x->rec, c->f->name, ids) != 0 &&
				    rc == KAM_OK)
					rc = KAM_ENOMEM;
			} else {
				rc = lookup_kept(im, i, c->target, v, account_id, &id, x->msg,
				                 sizeof(x->msg));
				if (rc == KAM_OK &&
				    json_object_set_new(x->rec, c->f->name, json_integer(id)) != 0)
					rc = KAM_ENOMEM;
			}
			if (rc == KAM_ENOTFOUND) { /* noted; the row's other references still looked up */
				x->bad_col = c->header;
				if ((rc = note(x)) != KAM_OK)
					return rc;
				bad = true;
				continue;
			}
			if (rc != KAM_OK)
				return rc;
		}
		/* without its account, what is looked up inside the account cannot be found */
		if (bad && pass == 0)
			break;
	}
	return bad ? KAM_EINVAL : KAM_OK;
}

/* Money cells in minor units of the row's currency. */
static int scale_money(struct rowctx *x, const json_t *stored)
{
	struct imp *im = x->im;
	const char *cur = json_string_value(json_object_get(x->rec, "currency"));

	if (cur == NULL)
		cur = json_string_value(json_object_get(stored, "currency"));
	if (cur == NULL)
		cur = im->base_currency;
	for (const char *const *m = im->k->money; *m; m++) {
		json_t *v = json_object_get(x->rec, *m);
		int64_t n;

		if (!json_is_string(v))
			continue;
		if (imp_number(json_string_value(v), money_digits(cur), &n) != 0) {
			const char *col = *m;

			for (size_t i = 0; i < im->ncols; i++)
				if (im->cols[i].f && !strcmp(im->cols[i].f->name, *m))
					col = im->cols[i].header;
			return reject(x, col, "\"%.100s\" is not an amount", json_string_value(v));
		}
		if (jset(x->rec, *m, json_integer(n)) != KAM_OK)
			return KAM_ENOMEM;
	}
	return KAM_OK;
}

static int apply_defaults(struct rowctx *x)
{
	struct imp *im = x->im;
	const struct model_field *cur;
	bool money = false;
	json_t *custom = json_object_get(im->o->custom, "defaults"), *v;
	const char *key;

	json_object_foreach(custom, key, v)
	{
		if (json_object_get(x->rec, key) == NULL && json_object_set(x->rec, key, v) != 0)
			return KAM_ENOMEM;
	}
	for (const char *const *d = im->k->defaults; *d; d++) {
		const char *eq = strchr(*d, '=');
		char field[64];

		snprintf(field, sizeof(field), "%.*s", (int)(eq - *d), *d);
		if (json_object_get(x->rec, field) == NULL &&
		    jset(x->rec, field, json_string(eq + 1)) != KAM_OK)
			return KAM_ENOMEM;
	}
	cur = model_field_find(im->e, "currency");
	for (const char *const *m = im->k->money; *m && !money; m++)
		money = json_object_get(x->rec, *m) != NULL;
	/* a currency the record must have, or one its amounts are in (a product's price) */
	if (cur && json_object_get(x->rec, "currency") == NULL &&
	    ((cur->flags & (MF_REQUIRED | MF_NOTNULL)) || money) &&
	    jset(x->rec, "currency", json_string(im->base_currency)) != KAM_OK)
		return KAM_ENOMEM;
	/* a deals table without a name column (a CRM's raw export): a deal is called by its id */
	if (im->e == &model_opportunity && json_object_get(x->rec, "name") == NULL &&
	    json_is_string(json_object_get(x->rec, "external_id")) &&
	    json_object_set(x->rec, "name", json_object_get(x->rec, "external_id")) != 0)
		return KAM_ENOMEM;
	/* a CRM's "Close Date" is when a closed deal closed, not a forecast: a won or lost row
	 * closed on it, not on the day of the import */
	if (im->e == &model_opportunity && json_object_get(x->rec, "closed_on") == NULL &&
	    json_is_string(json_object_get(x->rec, "stage")) &&
	    revenue_stage_closed(json_string_value(json_object_get(x->rec, "stage"))) &&
	    json_is_string(json_object_get(x->rec, "expected_close_on")) &&
	    json_object_set(x->rec, "closed_on", json_object_get(x->rec, "expected_close_on")) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

static const char *column_of(struct imp *im, const char *field);

/* The stored row this one updates, among those the caller may see: by external id (inside
 * the row's account for records of an account), else accounts and products by name and
 * contacts by e-mail in their account, so a file without ids still updates rather than
 * duplicates. A key shared by two visible records matches neither: the row is refused. */
static int existing(struct rowctx *x, int64_t *id)
{
	struct imp *im = x->im;
	const char *ext = json_string_value(json_object_get(x->rec, "external_id"));
	const char *by =
	    im->e == &model_contact || (im->e == &model_user && json_object_get(x->rec, "email"))
	        ? "email"
	    : im->e == &model_contract ? "number"
	                               : "name";
	int64_t acc = im->e->scope_sql && im->e != &model_account
	                  ? json_integer_value(json_object_get(x->rec, "account_id"))
	                  : 0;
	json_t *exts, *names, *hit = NULL;
	int rc = keys_of(im, im->e, &exts, &names);
	char key[600];

	*id = 0;
	if (rc != KAM_OK)
		return rc;
	if (ext) {
		store_import_key(acc, ext, false, key, sizeof(key));
		hit = json_object_get(exts, key);
	} else if ((im->e == &model_account || im->e == &model_product || im->e == &model_contact ||
	            im->e == &model_unit || im->e == &model_user ||
	            im->e == &model_contract) &&
	           json_is_string(json_object_get(x->rec, by))) {
		store_import_key(acc, json_string_value(json_object_get(x->rec, by)), true, key,
		                 sizeof(key));
		hit = json_object_get(names, key);
	} else if (im->e == &model_forecast_target &&
	           json_is_string(json_object_get(x->rec, "quarter"))) {
		char q[17];
		struct fc_quarter fq;

		/* "2026-q4" is kam's "2026-Q4", "2027-Q1" its "FY2027-Q1" when the fiscal year
		 * starts in another month: compared as stored, so a rerun is unchanged */
		snprintf(q, sizeof(q), "%s", json_string_value(json_object_get(x->rec, "quarter")));
		for (char *p = q; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (fc_quarter_parse_fy(q, im->fiscal_year_start_month, &fq) == KAM_OK)
			fc_quarter_name(&fq, q);
		json_object_set_new(x->rec, "quarter", json_string(q));
		snprintf(key, sizeof(key), "%s:%lld", q,
		         (long long)json_integer_value(json_object_get(x->rec, "user_id")));
		store_import_key(0, key, true, key, sizeof(key));
		hit = json_object_get(names, key);
	} else if (im->e == &model_fx_rate && json_object_get(x->rec, "valid_from")) {
		snprintf(key, sizeof(key), "%s:%s",
		         json_string_value(json_object_get(x->rec, "currency")),
		         json_string_value(json_object_get(x->rec, "valid_from")));
		store_import_key(0, key, true, key, sizeof(key));
		hit = json_object_get(names, key);
	}
	if (hit)
		*id = json_integer_value(json_is_array(hit) ? json_array_get(hit, 0) : hit);
	if (hit && *id == 0)
		return reject(x, column_of(im, by),
		              "more than one %s is \"%.200s\"; add an external_id column so the "
		              "row says which",
		              im->e->name, json_string_value(json_object_get(x->rec, by)));
	return KAM_OK;
}

/* The fields of rec that differ from the stored row; NULL without memory (a patch short of
 * a field would count the row updated with the field not written). */
static json_t *diff(const json_t *stored, json_t *rec)
{
	json_t *patch = json_object(), *v;
	const char *k;

	json_object_foreach(rec, k, v)
	{
		if (patch && !json_equal(v, json_object_get(stored, k)) &&
		    json_object_set(patch, k, v) != 0) {
			json_decref(patch);
			patch = NULL;
		}
	}
	return patch;
}

static const char *column_of(struct imp *im, const char *field)
{
	for (size_t i = 0; field && i < im->ncols; i++)
		if (im->cols[i].f && !strcmp(im->cols[i].f->name, field))
			return im->cols[i].header;
	return field ? field : "";
}

/* Notes every money cell that is no amount at all, so it is named with the row's other
 * problems (the amount is scaled to its currency's digits later, when the write is known);
 * true when one was. */
static bool money_unreadable(struct rowctx *x)
{
	bool bad = false;
	int64_t n;

	for (const char *const *m = x->im->k->money; *m; m++) {
		json_t *v = json_object_get(x->rec, *m);

		if (!json_is_string(v) || imp_number(json_string_value(v), 0, &n) == 0)
			continue;
		reject(x, column_of(x->im, *m), "\"%.100s\" is not an amount", json_string_value(v));
		bad = true;
		if (note(x) != KAM_OK)
			return true;
	}
	return bad;
}

/* Everything about a row that needs no write: its fields, references, and the stored row
 * it updates (*id, 0 for a new one). */
static int read_row(struct rowctx *x, int64_t *id)
{
	struct imp *im = x->im;
	int rc;

	*id = 0;
	/* every problem of the row at once: its references are looked up even when a cell did
	 * not parse, so one pass over the file names them all */
	rc = build(x);
	if (rc == KAM_OK || rc == KAM_EINVAL) {
		int rr = resolve(x);

		if (rr != KAM_OK && rr != KAM_EINVAL)
			rc = rr; /* the database or memory failed: that stops the run */
		else if (rc == KAM_OK)
			rc = rr;
		if ((rc == KAM_OK || rc == KAM_EINVAL) && money_unreadable(x))
			rc = x->errs ? KAM_EINVAL : KAM_ENOMEM;
	}
	if (rc != KAM_OK)
		return rc;
	if (json_is_string(json_object_get(x->rec, "external_id"))) {
		const char *ext = json_string_value(json_object_get(x->rec, "external_id"));
		long first;

		x->ext = seen_put(&im->seen, ext, str_hash(ext), x->row->line, &first);
		if (first)
			return reject(
			    x, column_of(im, "external_id"),
			    "external id %.200s is in the file twice (first on line %lld)", ext,
			    (long long)first);
		if (x->ext == NULL)
			return KAM_ENOMEM;
	}
	return existing(x, id);
}

/* A new user needs an e-mail (their login): the file's, else one made from the name under
 * the run's --email-domain ("Anna Maria Ölund" → anna.maria.olund@example.com). */
static int user_email(struct rowctx *x)
{
	const char *dom = x->im->o->email_domain, *name;
	char local[201], folded[401];
	size_t n = 0;

	if (json_is_string(json_object_get(x->rec, "email")))
		return KAM_OK;
	name = json_string_value(json_object_get(x->rec, "name"));
	if (dom == NULL || name == NULL)
		return reject(x, "email",
		              "no e-mail for this user (their login): add an email column, or pass "
		              "an e-mail domain (--email-domain example.com) to make one from the "
		              "name");
	if (utf8_ascii_lower(name, folded, sizeof(folded)) != 0)
		folded[0] = '\0';
	for (const char *p = folded; *p && n + 1 < sizeof(local); p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			local[n++] = (char)ch;
		else if (n > 0 && local[n - 1] != '.')
			local[n++] = '.';
	}
	while (n > 0 && local[n - 1] == '.')
		n--;
	local[n] = '\0';
	if (n == 0)
		return reject(
		    x, "email",
		    "no e-mail for this user and none can be made from the name \"%.100s\"; "
		    "add an email column",
		    name);
	snprintf(folded, sizeof(folded), "%s@%s", local, dom);
	return jset(x->rec, "email", json_string(folded));
}

/* The row's savepoint, taken before its first write: a row found unchanged (a re-import's
 * every row) costs no savepoint. */
static int savepoint(struct rowctx *x)
{
	int rc = store_savepoint(x->im->db);

	x->sp = rc == KAM_OK;
	return rc;
}

/* --- a re-import's stored transactions, read ahead --------------------------------------- */

#define AHEAD 512 /* rows whose stored transactions one statement reads */

void imp_ahead_clear(struct imp *im)
{
	json_decref(im->ahead);
	im->ahead = NULL;
	/* the table is kept for the next window (freeing a large block costs glibc a
	 * consolidation of its free lists each time) */
	if (im->ahead_ix.v)
		memset(im->ahead_ix.v, 0, im->ahead_ix.cap * sizeof(*im->ahead_ix.v));
	im->ahead_ix.n = 0;
	im->ahead_until = 0;
}

/* Reads the stored transactions of rows at… by their external id cells (as build() will read
 * them), so that each of the next AHEAD rows that updates one finds it in memory. What is
 * read here only saves a read: a row whose record is not among them (matched another way,
 * a cell build() reads differently) reads it as before. */
static int read_ahead(struct imp *im, size_t at)
{
	size_t col = SIZE_MAX, end = at + AHEAD < im->nrows ? at + AHEAD : im->nrows, n = 0, i;
	const char **keys;
	json_t *rows = NULL, *rec;
	int rc;

	imp_ahead_clear(im);
	im->ahead_until = end;
	for (i = 0; i < im->ncols; i++)
		if (im->cols[i].target && im->cols[i].f && !im->cols[i].ref &&
		    !strcmp(im->cols[i].f->name, "external_id"))
			col = i;
	if (col == SIZE_MAX)
		return KAM_OK;
	if ((keys = malloc((end - at) * sizeof(*keys))) == NULL)
		return KAM_ENOMEM;
	for (i = at; i < end; i++) {
		struct row *r = &im->rows[i];
		const char *v;

		if (r->n != im->ncols || r->loop)
			continue;
		v = trim(r->v[col]);
		if (v[0] == '\'' && imp_formula_like(v + 1))
			v++;
		v = custom_value(im, &im->cols[col], v);
		if (*v && utf8_valid(v))
			keys[n++] = v;
	}
	rc = store_get_keyed(im->db, im->e, "external_id", keys, n, &rows);
	free(keys);
	if (rc != KAM_OK)
		return rc;
	im->ahead = rows;
	json_array_foreach(rows, i, rec)
	{
		bool added;
		struct imp_cell *c = imp_cell_at(
		    &im->ahead_ix, json_integer_value(json_object_get(rec, "id")), 0, "s", &added);

		if (c == NULL)
			return KAM_ENOMEM;
		c->amount = (int64_t)i + 1;
	}
	return KAM_OK;
}

/* The stored record id that row r updates (*out, owned by the caller). A transactions
 * file's are read ahead, a batch of rows at a time; each record read ahead serves one row
 * (a second row for the same record reads what the first wrote). */
static int stored_row(struct imp *im, const struct row *r, int64_t id, json_t **out)
{
	size_t at = (size_t)(r - im->rows);
	struct imp_cell *c;
	bool added;
	int rc;

	/* a bulk load has set the external id index aside: no lookups by it */
	if (im->ahead_on && im->e == &model_transaction && !im->deferred.on) {
		if (at >= im->ahead_until && (rc = read_ahead(im, at)) != KAM_OK)
			return rc;
		if ((c = imp_cell_at(&im->ahead_ix, id, 0, "s", &added)) == NULL)
			return KAM_ENOMEM;
		if (c->amount > 0) {
			/* taken out of the window: freed after this row, while it is in cache */
			size_t k = (size_t)(c->amount - 1);

			*out = json_incref(json_array_get(im->ahead, k));
			c->amount = 0;
			return json_array_set_new(im->ahead, k, json_null()) == 0 ? KAM_OK
			                                                          : KAM_ENOMEM;
		}
	}
	return store_get(im->db, im->e, id, out, NULL);
}

static int write_row(struct rowctx *x, int64_t id, struct kam_errinfo *ei)
{
	struct imp *im = x->im;
	json_t *stored = NULL, *patch = NULL, *after = NULL;
	int rc;

	if (id) {
		struct imp_cell *ok = NULL;
		int64_t acc;
		bool added;

		if ((rc = stored_row(im, x->row, id, &stored)) != KAM_OK)
			goto out;
		/* the access check comes before any comparison: a row is counted (even as
		 * unchanged) only for a record the caller may change. A transaction's is its
		 * account's, asked once per account and run while the answer is yes. */
		acc = json_integer_value(json_object_get(stored, "account_id"));
		if (im->e == &model_transaction && acc > 0 &&
		    (ok = imp_cell_at(&im->checked, acc, 0, "w", &added)) == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		rc = ok && ok->count == 1
		         ? KAM_OK
		         : app_res_may_write(im->db, &im->who, im->res, stored, ei);
		if (rc == KAM_OK && ok)
			ok->count = 1;
		if (rc != KAM_OK || (rc = scale_money(x, stored)) != KAM_OK)
			goto out;
		if ((patch = diff(stored, x->rec)) == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		if (json_object_size(patch) == 0) {
			im->unchanged++;
			goto out;
		}
		if ((rc = validate_body(im->e, patch, false, ei)) != KAM_OK ||
		    (rc = savepoint(x)) != KAM_OK)
			goto out;
		rc = app_res_patch(im->db, &im->who, im->res, id, patch, -1, &after, ei);
		if (rc == KAM_OK)
			im->updated++;
	} else {
		if ((rc = apply_defaults(x)) != KAM_OK)
			goto out;
		if (im->e == &model_user && (rc = user_email(x)) != KAM_OK)
			goto out;
		if ((rc = scale_money(x, NULL)) != KAM_OK)
			goto out;
		if ((rc = validate_body(im->e, x->rec, true, ei)) != KAM_OK ||
		    (rc = savepoint(x)) != KAM_OK)
			goto out;
		rc = app_res_insert(im->db, &im->who, im->res, x->rec, &after, ei);
		if (rc == KAM_OK)
			im->created++;
	}
	/* accounts are not ranked one by one (app_resource.settle): the run ranks them all at
	 * its end, and a run stopped before that leaves the scores marked stale */
	if (rc == KAM_OK && im->e == &model_account)
		rc = store_scores_dirty(im->db);
	if (rc == KAM_OK)
		rc = remember(im, im->e, after);
out:
	json_decref(stored);
	json_decref(patch);
	json_decref(after);
	return rc;
}

/* --- the fast lane for new transactions ---------------------------------------------------- */

static uint64_t cell_hash(int64_t a, int64_t b, const char *month)
{
	uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15u ^ (uint64_t)b * 0xC2B2AE3D27D4EB4Fu;

	for (const char *p = month; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001B3u;
	return h ^ (h >> 29);
}

static bool cell_is(const struct imp_cell *c, int64_t a, int64_t b, const char *month)
{
	return c->a == a && c->b == b && !strcmp(c->month, month);
}

struct imp_cell *imp_cell_find(const struct imp_cells *m, int64_t a, int64_t b, const char *month)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = cell_hash(a, b, month) & (m->cap - 1); m->v[i].used;
	     i = (i + 1) & (m->cap - 1))
		if (cell_is(&m->v[i], a, b, month))
			return &m->v[i];
	return NULL;
}

struct imp_cell *imp_cell_at(struct imp_cells *m, int64_t a, int64_t b, const char *month,
                             bool *added)
{
	size_t i;

	*added = false;
	if (m->cap) {
		for (i = cell_hash(a, b, month) & (m->cap - 1); m->v[i].used;
		     i = (i + 1) & (m->cap - 1))
			if (cell_is(&m->v[i], a, b, month))
				return &m->v[i];
	}
	if ((m->n + 1) * 4 > m->cap * 3) { /* at most three quarters full */
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct imp_cell *v = calloc(cap, sizeof(*v));

		if (v == NULL)
			return NULL;
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->v[j].used)
				continue;
			for (i = cell_hash(m->v[j].a, m->v[j].b, m->v[j].month) & (cap - 1);
			     v[i].used; i = (i + 1) & (cap - 1))
				;
			v[i] = m->v[j];
		}
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	for (i = cell_hash(a, b, month) & (m->cap - 1); m->v[i].used; i = (i + 1) & (m->cap - 1))
		;
	m->v[i] = (struct imp_cell){.a = a, .b = b, .used = true};
	snprintf(m->v[i].month, sizeof(m->v[i].month), "%s", month);
	m->n++;
	*added = true;
	return &m->v[i];
}

void imp_cells_free(struct imp_cells *m)
{
	free(m->v);
	*m = (struct imp_cells){0};
}

/* A queued row's place in the sort: its day as a number and its account. A bulk load sorts
 * a million rows at once: small keys with an integer compare, and the rows moved once,
 * rather than qsort moving the rows themselves and comparing the days as text. */
struct order {
	uint32_t day;
	uint32_t i;
	int64_t account_id;
};

static int by_day_account(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->account_id > y->account_id) - (x->account_id < y->account_id);
}

/* The pending rows in (day, account) order: the order of two of the indexes. Sorted in
 * place through small keys (a bulk load's million rows are 64 MB: a sorted copy of them
 * would be as much memory again, each page of it a fault). */
static int sort_pending(struct imp *im)
{
	size_t n = im->npending;
	struct order *o = malloc(n * sizeof(*o));
	struct store_bulk_row *v = im->pending, tmp;

	if (o == NULL)
		return KAM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *d = v[i].booked_on; /* YYYY-MM-DD, checked */
		uint32_t k = 0;

		for (int j = 0; j < 10; j++)
			if (d[j] >= '0' && d[j] <= '9')
				k = k * 10 + (uint32_t)(d[j] - '0');
		o[i] = (struct order){.day = k, .i = (uint32_t)i, .account_id = v[i].account_id};
	}
	qsort(o, n, sizeof(*o), by_day_account);
	/* row o[j].i goes to place j: each cycle of that permutation followed once, a place
	 * done marked by o[j].i = j */
	for (size_t j = 0; j < n; j++) {
		size_t k = j;

		if (o[j].i == j)
			continue;
		tmp = v[j];
		for (;;) {
			size_t from = o[k].i;

			o[k].i = (uint32_t)k;
			if (from == j) {
				v[k] = tmp;
				break;
			}
			v[k] = v[from];
			k = from;
		}
	}
	free(o);
	return KAM_OK;
}

/* Writes the queued transactions with multi-row inserts and adds their month totals to
 * the rollup cell by cell: what makes ERP files import at hundreds of thousands of rows a
 * second. The rows were checked like any other; only the writing is batched. */
int imp_flush(struct imp *im)
{
	int rc;

	if (im->npending == 0)
		return KAM_OK;
	/* in index order: neighbouring rows touch the same index pages, and the indexes a bulk
	 * load builds at its end read rows that are in order already */
	if ((rc = sort_pending(im)) != KAM_OK)
		return rc;
	rc = store_bulk_import(im->db, im->pending, im->npending, time_now());
	if (rc == KAM_OK && im->deferred.on) { /* the insert trigger is set aside too */
		int64_t sum = 0;

		for (size_t i = 0; i < im->npending; i++)
			sum += im->pending[i].amount_base < 0 ? -im->pending[i].amount_base
			                                      : im->pending[i].amount_base;
		rc = store_bulk_money_add(im->db, sum);
	}
	for (size_t i = 0; i < im->cells.cap && rc == KAM_OK; i++) {
		const struct imp_cell *c = &im->cells.v[i];

		if (c->used)
			rc = store_rollup_add(im->db, c->a, c->b, c->month, c->amount,
			                      (int)c->count);
	}
	if (rc == KAM_OK)
		rc = store_revenue_changed(im->db);
	imp_cells_free(&im->cells);
	im->npending = 0;
	im->money_known = false;
	return rc;
}

/* snprintf(dst, n, "%s", src) without parsing a format, three times per row. */
static void copy_cut(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = '\0';
}

/* A new transaction as its row gives it, every cell read and checked: from the row's JSON
 * (queue_txn) or straight from its cells (direct_row). */
struct txn_vals {
	int64_t acc, prod, amount;
	bool has_prod, intra;
	const char *cur, *day; /* a known currency code; YYYY-MM-DD */
};

/* direct_row's answer for a row it does not take: the row goes the JSON way, which does
 * everything direct_row checks and says what is wrong */
#define IMP_SLOW 1

/* Checks what the row needs from the database (its account writable, its product, the FX
 * rate, room under the money cap) and queues it with its rollup cell. x NULL (direct_row):
 * only from what the run has asked already, and then the file's external ids (*ext is
 * added to them); anything else, or any refusal, is IMP_SLOW with nothing changed. */
static int queue_vals(struct imp *im, struct rowctx *x, const struct row *r,
                      const struct txn_vals *v, const char *ext, struct kam_errinfo *ei)
{
	bool direct = x == NULL, added;
	struct store_bulk_row *t;
	struct imp_cell *cell, *w;
	int64_t base, total;
	double rate = 1;
	char key[64], month[8];
	int rc;

	if (direct) {
		if ((w = imp_cell_find(&im->checked, v->acc, 0, "a")) == NULL || w->count != 1)
			return IMP_SLOW;
	} else {
		if ((w = imp_cell_at(&im->checked, v->acc, 0, "a", &added)) == NULL)
			return KAM_ENOMEM;
		if (added || w->count < 0) { /* asked once per account and run */
			bool owner = false, team = false;

			w->count = -1; /* not known yet */
			rc = app_account_visible(im->db, &im->who, v->acc, &owner, &team);
			if (rc != KAM_OK && rc != KAM_ENOTFOUND)
				return rc;
			w->count = rc == KAM_OK && auth_account_writable(im->who.role, owner, team);
		}
		if (!w->count)
			return reject(x, column_of(im, "account_id"),
			              "no such account, or not yours to write");
	}
	/* the multi-row insert trusts its rows: every reference is checked here, per row, as
	 * the REST API checks it (a product id that does not exist rejects this row alone) */
	if (v->has_prod && direct) {
		if ((w = imp_cell_find(&im->checked, 0, v->prod, "p")) == NULL || w->count != 1)
			return IMP_SLOW;
	} else if (v->has_prod) {
		if ((w = imp_cell_at(&im->checked, 0, v->prod, "p", &added)) == NULL)
			return KAM_ENOMEM;
		if (!w->count) { /* refused: this row says so, and the next one asks again */
			if ((rc = app_check_refs(im->db, &im->who, im->e, x->rec, v->acc, ei)) !=
			    KAM_OK)
				return rc;
			w->count = 1;
		}
	}
	if (strcmp(v->cur, im->base_currency) != 0) {
		json_t *fx;

		snprintf(key, sizeof(key), "%s:%s", v->cur, v->day);
		if ((fx = json_object_get(im->rates, key)) != NULL) {
			rate = json_real_value(fx);
		} else if (direct) {
			return IMP_SLOW;
		} else {
			rc = store_fx_rate(im->db, v->cur, v->day, &rate);
			if (rc == KAM_ENOTFOUND)
				return reject(
				    x, column_of(im, "currency"),
				    "no FX rate for %s on %s; add one at /api/v1/fx-rates", v->cur,
				    v->day);
			if (rc != KAM_OK)
				return rc;
			if (jset(im->rates, key, json_real(rate)) != KAM_OK)
				return KAM_ENOMEM;
		}
	}
	/* the amount in the base currency, and room for it in the revenue kam holds: the
	 * total is read once per batch, the queued rows' amounts are added as they come */
	if (!money_convert_to(v->amount, v->cur, im->base_currency, rate, &base))
		return direct ? IMP_SLOW
		              : reject(x, column_of(im, "amount"),
		                       "is past %lld minor units in %s at the %s rate of %g",
		                       (long long)MONEY_ROW_MAX, im->base_currency, v->cur, rate);
	if (!im->money_known && direct)
		return IMP_SLOW;
	if (!im->money_known) {
		if ((rc = store_money_total(im->db, "transactions", &im->money_total)) != KAM_OK)
			return rc;
		im->money_known = true;
	}
	total = im->money_total;
	if (!money_take(&total, base, MONEY_TOTAL_MAX)) {
		char why[200];

		if (direct)
			return IMP_SLOW;
		money_refusal("transactions", why, sizeof(why));
		return reject(x, column_of(im, "amount"), "%s", why);
	}
	/* the JSON way has checked the file's external ids before everything else: here last,
	 * as the one check that adds (a row in the file twice goes the JSON way unchanged) */
	if (direct && ext) {
		long first;
		const char *kept = seen_put(&im->seen, ext, str_hash(ext), r->line, &first);

		if (first)
			return IMP_SLOW;
		if ((ext = kept) == NULL)
			return KAM_ENOMEM;
	}
	t = vec_push((void **)&im->pending, &im->npending, &im->cappending, sizeof(*t));
	if (t == NULL)
		return KAM_ENOMEM;
	*t = (struct store_bulk_row){
	    .account_id = v->acc,
	    .product_id = v->prod,
	    .amount = v->amount,
	    .amount_base = base,
	    .intra_group = v->intra,
	    /* the external id lives in im->seen until the import ends */
	    .external_id = ext,
	};
	copy_cut(t->booked_on, sizeof(t->booked_on), v->day);
	copy_cut(t->currency, sizeof(t->currency), v->cur);
	copy_cut(month, sizeof(month), v->day);
	/* the rollup cell must count the row the insert writes */
	if ((cell = imp_cell_at(&im->cells, v->acc, t->product_id, month, &added)) == NULL) {
		im->npending--;
		return KAM_ENOMEM;
	}
	im->money_total = total;
	cell->amount += t->amount_base;
	cell->count++;
	im->created++;
	return KAM_OK;
}

static int queue_txn(struct rowctx *x, struct kam_errinfo *ei)
{
	struct imp *im = x->im;
	struct txn_vals v;
	int rc;

	if ((rc = apply_defaults(x)) != KAM_OK || (rc = scale_money(x, NULL)) != KAM_OK)
		return rc;
	if ((rc = validate_body(im->e, x->rec, true, ei)) != KAM_OK)
		return rc;
	v = (struct txn_vals){
	    .acc = json_integer_value(json_object_get(x->rec, "account_id")),
	    .prod = json_integer_value(json_object_get(x->rec, "product_id")),
	    .has_prod = json_object_get(x->rec, "product_id") != NULL,
	    .amount = json_integer_value(json_object_get(x->rec, "amount")),
	    .intra = json_is_true(json_object_get(x->rec, "intra_group")),
	    .cur = json_string_value(json_object_get(x->rec, "currency")),
	    .day = json_string_value(json_object_get(x->rec, "booked_on")),
	};
	return queue_vals(im, x, x->row, &v, x->ext, ei);
}

/* --- a plain transactions file, from cells to queued rows ------------------------------------ */

/* What direct_row reads: the file's one column for each field (-1: none). */
enum { D_EXT, D_ACCOUNT, D_PRODUCT, D_DAY, D_AMOUNT, D_CURRENCY, D_INTRA, D_UNIT, D_NFIELDS };
_Static_assert(D_NFIELDS == IMP_DIRECT_FIELDS, "struct imp holds a column for each");

static const char *const direct_fields[D_NFIELDS] = {
    [D_EXT] = "external_id",   [D_ACCOUNT] = "account_id", [D_PRODUCT] = "product_id",
    [D_DAY] = "booked_on",     [D_AMOUNT] = "amount",      [D_CURRENCY] = "currency",
    [D_INTRA] = "intra_group", [D_UNIT] = "unit_id"};

void imp_direct_plan(struct imp *im)
{
	const char *env = getenv("KAM_IMPORT_DIRECT");
	json_t *custom = im->o->custom;

	im->direct = false;
	for (size_t k = 0; k < D_NFIELDS; k++)
		im->dcol[k] = -1;
	/* a mapping's values and defaults, a preview (it shows each row's JSON), other fields
	 * (a unit: the REST API's insert): the JSON way */
	if (im->e != &model_transaction || im->o->preview || json_object_get(custom, "values") ||
	    json_object_get(custom, "defaults") || (env && !strcmp(env, "0")))
		return;
	for (size_t i = 0; i < im->ncols; i++) {
		const struct col *c = &im->cols[i];
		size_t k = 0;

		if (c->target == NULL)
			continue;
		while (k < D_NFIELDS && strcmp(c->f->name, direct_fields[k]) != 0)
			k++;
		/* a field filled by two columns takes the first non-empty one: the JSON way */
		if (k == D_NFIELDS || c->name_part || im->dcol[k] >= 0)
			return;
		/* the references the JSON way resolves through lookup_kept, and plain cells */
		if (c->ref && strcmp(c->target, "account") != 0 &&
		    strcmp(c->target, "account_ext") != 0 && strcmp(c->target, "product") != 0 &&
		    strcmp(c->target, "unit") != 0)
			return;
		if (!c->ref && strcmp(c->target, c->f->name) != 0)
			return;
		im->dcol[k] = (int)i;
	}
	/* without a column for a required field every row is refused: the JSON way says so */
	im->direct = im->dcol[D_ACCOUNT] >= 0 && im->dcol[D_DAY] >= 0 && im->dcol[D_AMOUNT] >= 0;
}

/* What validate_value refuses in a text: a control character other than a line break or
 * tab, or more than max characters. */
static bool text_ok(const char *s, int64_t max)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
			return false;
		n += (*p & 0xc0) != 0x80;
	}
	return max <= 0 || (int64_t)n <= max;
}

/* An id cell as convert() reads it into an MT_REF field ("75%" too), within f's range. */
static bool id_cell(const struct model_field *f, const char *v, int64_t *n)
{
	char tmp[64];
	size_t len = strlen(v);

	if (len && len < sizeof(tmp) && v[len - 1] == '%') {
		memcpy(tmp, v, len - 1);
		tmp[len - 1] = '\0';
		v = tmp;
	}
	return imp_number(v, 0, n) == 0 && *n >= f->min && *n <= f->max;
}

/*
 * A row of a plain transactions file (imp_direct_plan) straight from its cells to a queued
 * row, without the JSON object the other way builds, converts and validates field by field.
 * It takes only a new row whose every cell reads as that way reads it and passes the same
 * checks, from what the run has asked already (references, accounts, products, rates, the
 * money total: the first row of each goes the JSON way, which asks); for anything else it
 * changes nothing and answers IMP_SLOW, so every refusal and its words stay the JSON way's.
 */
static int direct_row(struct imp *im, struct row *r)
{
	struct txn_vals v = {.cur = im->base_currency};
	const struct model_field *f;
	const char *cell[D_NFIELDS] = {0}, *ext = NULL, *amount;
	char day[11], cur[4], buf[600];
	int64_t n;
	int secs;

	for (size_t k = 0; k < D_NFIELDS; k++) {
		const struct col *c;
		char *s;

		if (im->dcol[k] < 0)
			continue;
		c = &im->cols[im->dcol[k]];
		s = trim(r->v[im->dcol[k]]);
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			if (*p >= 0x80) {
				if (!utf8_valid(s))
					return IMP_SLOW;
				break;
			}
		/* build() takes the apostrophe an export put before a formula-like text off a
		 * cell it converts, resolve() not off a reference */
		if (!c->ref && s[0] == '\'' && imp_formula_like(s + 1))
			s++;
		cell[k] = *s ? s : NULL;
	}
	if (cell[D_ACCOUNT] == NULL || cell[D_DAY] == NULL || (amount = cell[D_AMOUNT]) == NULL)
		return IMP_SLOW; /* required */
	if (cell[D_UNIT])
		return IMP_SLOW; /* a row with a unit is written by the REST API's insert */
	if (im->cols[im->dcol[D_ACCOUNT]].ref)
		v.acc = ref_kept(im, (size_t)im->dcol[D_ACCOUNT], cell[D_ACCOUNT]);
	else if (!id_cell(im->cols[im->dcol[D_ACCOUNT]].f, cell[D_ACCOUNT], &v.acc))
		return IMP_SLOW;
	if (v.acc <= 0)
		return IMP_SLOW;
	/* first, as a re-import's every row is one: a stored transaction of this account with
	 * this external id, to update */
	if ((ext = cell[D_EXT]) != NULL) {
		json_t *k = json_object_get(im->keys, im->e->table);
		char key[600];

		f = model_field_find(im->e, "external_id");
		if (!text_ok(ext, f->max) || k == NULL)
			return IMP_SLOW;
		store_import_key(v.acc, ext, false, key, sizeof(key));
		if (json_object_get(json_object_get(k, "ext"), key) != NULL)
			return IMP_SLOW;
	}
	if ((v.has_prod = cell[D_PRODUCT] != NULL)) {
		if (im->cols[im->dcol[D_PRODUCT]].ref)
			v.prod = ref_kept(im, (size_t)im->dcol[D_PRODUCT], cell[D_PRODUCT]);
		else if (!id_cell(im->cols[im->dcol[D_PRODUCT]].f, cell[D_PRODUCT], &v.prod))
			return IMP_SLOW;
		if (v.prod <= 0)
			return IMP_SLOW;
	}
	if (imp_date(cell[D_DAY], im->cols[im->dcol[D_DAY]].datefmt, day, &secs) != 0 ||
	    !date_valid(day))
		return IMP_SLOW;
	v.day = day;
	if (cell[D_CURRENCY]) {
		const char *s = cell[D_CURRENCY];

		if (strlen(s) != 3)
			return IMP_SLOW;
		for (int i = 0; i < 3; i++)
			cur[i] = (char)toupper((unsigned char)s[i]);
		cur[3] = '\0';
		if (!isupper((unsigned char)cur[0]) || !isupper((unsigned char)cur[1]) ||
		    !isupper((unsigned char)cur[2]) || !money_currency_known(cur))
			return IMP_SLOW;
		v.cur = cur;
	}
	/* an amount: readable at all (money_unreadable), then in the currency's digits
	 * (scale_money), within the field's range (validate_body) */
	f = model_field_find(im->e, "amount");
	if (imp_number(amount, 0, &n) != 0 ||
	    imp_number(amount, money_digits(v.cur), &v.amount) != 0 || v.amount < f->min ||
	    v.amount > f->max)
		return IMP_SLOW;
	if (cell[D_INTRA]) {
		imp_key(cell[D_INTRA], buf, sizeof(buf));
		if (!strcmp(buf, "true") || !strcmp(buf, "yes") || !strcmp(buf, "1") ||
		    !strcmp(buf, "x"))
			v.intra = true;
		else if (strcmp(buf, "false") != 0 && strcmp(buf, "no") != 0 &&
		         strcmp(buf, "0") != 0)
			return IMP_SLOW;
	}
	return queue_vals(im, NULL, r, &v, ext, NULL);
}

/* A lost error would answer a rejected row without saying why: im->oom stops the run. */
static void add_error(struct imp *im, long line, const char *col, const char *field,
                      const char *msg)
{
	im->rejected++;
	if (json_array_size(im->errors) < MAX_ERRORS &&
	    json_array_append_new(im->errors, problem(line, col, field, msg)) != 0)
		im->oom = true;
}

/* Another problem of a row already counted as rejected. */
static void more_error(struct imp *im, long line, const char *col, const char *field,
                       const char *msg)
{
	if (json_array_size(im->errors) < MAX_ERRORS &&
	    json_array_append_new(im->errors, problem(line, col, field, msg)) != 0)
		im->oom = true;
}

/* Names the record of the row's errors added since from (its name or title as read), so a
 * reader can tell which record a line was. */
static void name_errors(struct imp *im, size_t from, const json_t *rec)
{
	json_t *n = json_object_get(rec, "name");

	if (!json_is_string(n))
		n = json_object_get(rec, "title");
	if (!json_is_string(n))
		return;
	for (size_t i = from; i < json_array_size(im->errors); i++)
		if (json_object_set(json_array_get(im->errors, i), "record", n) != 0)
			im->oom = true;
}

/* Whether direct_row tries the next row: not for a while after it took fewer than one in
 * eight of DIRECT_WINDOW rows (a re-import's rows are all updates, which it only reads to
 * hand them on), then again, as the file may change. */
#define DIRECT_WINDOW 4096
static bool try_direct(struct imp *im)
{
	if (im->direct_skip > 0) {
		im->direct_skip--;
		return false;
	}
	if (im->direct_tried == DIRECT_WINDOW) {
		if (im->direct_taken * 8 < im->direct_tried)
			im->direct_skip = 7 * DIRECT_WINDOW;
		im->direct_tried = im->direct_taken = 0;
		if (im->direct_skip > 0)
			return try_direct(im);
	}
	im->direct_tried++;
	return true;
}

/* One row in its savepoint; a rejected row is recorded and undone, other errors stop all. */
int imp_row(struct imp *im, struct row *r)
{
	struct rowctx x = {.im = im, .row = r};
	struct kam_errinfo ei = {0};
	int64_t id = 0, rejected_before = im->rejected;
	int rc, end = KAM_OK;

	if (r->n != im->ncols) {
		char msg[120];

		snprintf(msg, sizeof(msg), "has %zu fields where the header has %zu", r->n,
		         im->ncols);
		add_error(im, r->line, "", NULL, msg);
		return KAM_OK;
	}
	if (r->loop) {
		add_error(im, r->line, r->loop_col, NULL, r->loop);
		return KAM_OK;
	}
	if (im->direct && try_direct(im)) {
		rc = direct_row(im, r);
		im->direct_taken += rc != IMP_SLOW;
		if (rc != IMP_SLOW)
			return rc == KAM_OK && im->oom ? KAM_ENOMEM : rc;
	}
	if ((x.rec = json_object()) == NULL)
		return KAM_ENOMEM;
	rc = read_row(&x, &id);
	if (rc == KAM_OK && id == 0 && im->e == &model_transaction &&
	    json_object_get(x.rec, "unit_id") == NULL) {
		rc = queue_txn(&x, &ei);
	} else if (rc == KAM_OK) {
		rc = write_row(&x, id, &ei);
		if (x.sp)
			end = store_savepoint_end(im->db, rc == KAM_OK);
	}
	if (rc == KAM_EINVAL || rc == KAM_EFORBIDDEN || rc == KAM_ENOTFOUND ||
	    rc == KAM_ECONFLICT) {
		json_t *e = json_array_get(ei.errors, 0);
		const char *field = e ? json_string_value(json_object_get(e, "field")) : NULL;
		const char *msg = x.bad_col      ? x.msg
		                  : e            ? json_string_value(json_object_get(e, "message"))
		                  : ei.detail[0] ? ei.detail
		                  : rc == KAM_ECONFLICT
		                      ? "conflicts with a stored row (a duplicate)"
		                  : rc == KAM_ENOTFOUND ? "refers to something that does not exist"
		                                        : "not allowed";

		size_t from = json_array_size(im->errors);

		if (json_array_size(x.errs) > 0) { /* every bad cell of the row */
			json_t *b;
			size_t i;

			json_array_foreach(x.errs, i, b)
			{
				const char *col = json_string_value(json_object_get(b, "column"));
				const char *m = json_string_value(json_object_get(b, "message"));

				if (i == 0)
					add_error(im, r->line, col, NULL, m);
				else
					more_error(im, r->line, col, NULL, m);
			}
		} else {
			add_error(im, r->line, x.bad_col ? x.bad_col : column_of(im, field), field,
			          msg);
			/* the model's other complaints about the same row */
			for (size_t i = 1; !x.bad_col && i < json_array_size(ei.errors); i++) {
				json_t *o = json_array_get(ei.errors, i);
				const char *of = json_string_value(json_object_get(o, "field"));

				more_error(im, r->line, column_of(im, of), of,
				           json_string_value(json_object_get(o, "message")));
			}
		}
		name_errors(im, from, x.rec);
		rc = KAM_OK;
	}
	if (rc == KAM_OK)
		rc = end;
	if (rc == KAM_OK && im->oom)
		rc = KAM_ENOMEM;
	if (rc == KAM_OK && im->o->preview)
		imp_preview_row(im, r, x.rec, im->rejected > rejected_before);
	err_clear(&ei);
	json_decref(x.rec);
	json_decref(x.errs);
	return rc;
}
