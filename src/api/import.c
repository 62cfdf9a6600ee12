/*
 * The import engine (see import.h): parse the whole file, map its columns, decide the date
 * order from the values, then write row by row through the REST API's own cores, each row
 * in a savepoint so a rejected one leaves no trace and the rest go on.
 */
#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api/import.h"
#include "api/resource.h"
#include "kam/importfmt.h"
#include "kam/importmap.h"
#include "kam/settings.h"
#include "store/bulk.h"
#include "store/import.h"
#include "store/revenue.h"
#include "kam/revenue.h"
#include "util/time.h"

#define MAX_ERRORS 1000
#define BATCH_ROWS 10000

struct col {
	char *header;
	const char *target;          /* NULL: ignored */
	const struct model_field *f; /* the field it fills */
	bool ref;                    /* a reference resolved by lookup */
	bool name_part;              /* first_name or last_name */
	int datefmt;
};

struct row {
	long line;
	size_t n;
	char **v;
};

struct imp {
	struct req *rq;
	const struct api_import_opts *o;
	const struct imp_kind *k;
	const struct model_entity *e;
	const struct api_resource *res; /* NULL for accounts */
	struct col *cols;
	size_t ncols;
	struct row *rows;
	size_t nrows, cap;
	/* the row being parsed */
	char **cur;
	size_t ncur, capcur;
	long line_now, next_start;
	json_t *keys; /* entity → {ext: {}, name: {}} */
	json_t *errors, *ignored;
	json_t *seen; /* external id → the line it was first on */
	/* new transactions waiting for a multi-row insert, and their rollup cells */
	struct store_bulk_row *pending;
	size_t npending, cappending;
	json_t *cells, *writable, *rates;
	int64_t created, updated, unchanged, rejected;
	char base_currency[4];
};

/* --- parsing ---------------------------------------------------------------------------- */

static void on_field(void *s, size_t len, void *data)
{
	struct imp *im = data;
	char *v;

	if (im->ncur == im->capcur) {
		size_t cap = im->capcur ? im->capcur * 2 : 16;
		char **p = realloc(im->cur, cap * sizeof(*p));

		if (p == NULL)
			return;
		im->cur = p;
		im->capcur = cap;
	}
	v = malloc(len + 1);
	if (v == NULL)
		return;
	memcpy(v, s ? s : "", len);
	v[len] = '\0';
	im->cur[im->ncur++] = v;
}

static void on_row(int c, void *data)
{
	struct imp *im = data;

	(void)c;
	if (im->nrows == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 256;
		struct row *p = realloc(im->rows, cap * sizeof(*p));

		if (p == NULL)
			return;
		im->rows = p;
		im->cap = cap;
	}
	im->rows[im->nrows++] = (struct row){im->next_start, im->ncur, im->cur};
	im->cur = NULL;
	im->ncur = im->capcur = 0;
	im->next_start = im->line_now + 1;
}

/* Reads every record, fed line by line so each knows the line it starts on. */
static int parse(struct imp *im, const char *buf, size_t len, struct kam_errinfo *ei)
{
	struct csv_parser p;
	const char *s = buf, *end = buf + len;
	int rc = KAM_OK;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) /* a UTF-8 byte order mark */
		s += 3;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_delim(&p, (unsigned char)imp_detect_delim(s, (size_t)(end - s)));
	im->next_start = 1;
	for (im->line_now = 1; s < end; im->line_now++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);

		/* a blank line between records is no record (libcsv's state 0: no row begun) */
		if (p.pstate == 0 && strspn(s, "\r\n") >= n)
			im->next_start = im->line_now + 1;
		if (csv_parse(&p, s, n, on_field, on_row, im) != n) {
			err_detail(ei,
			           "line %ld: %s (a quote inside an unquoted field, or a quoted "
			           "field not closed)",
			           im->line_now, csv_strerror(csv_error(&p)));
			rc = KAM_EINVAL;
			break;
		}
		s += n;
	}
	im->line_now--;
	if (rc == KAM_OK && csv_fini(&p, on_field, on_row, im) != 0) {
		err_detail(ei, "line %ld: a quoted field is not closed", im->next_start);
		rc = KAM_EINVAL;
	}
	csv_free(&p);
	if (rc == KAM_OK && im->nrows == 0) {
		err_detail(ei, "the file is empty: the first line must name the columns");
		rc = KAM_EINVAL;
	}
	return rc;
}

/* --- columns ----------------------------------------------------------------------------- */

/* The field a reference target fills in entity e. */
static const char *ref_field(const struct model_entity *e, const char *target)
{
	if (!strcmp(target, "account") || !strcmp(target, "account_ext"))
		return "account_id";
	if (!strcmp(target, "parent") || !strcmp(target, "parent_ext"))
		return "parent_id";
	if (!strcmp(target, "owner"))
		return model_field_find(e, "owner_id") ? "owner_id" : "relationship_owner_id";
	if (!strcmp(target, "product"))
		return "product_id";
	if (!strcmp(target, "contact"))
		return "contact_id";
	if (!strcmp(target, "reports_to"))
		return "reports_to_id";
	if (!strcmp(target, "unit"))
		return "unit_id";
	if (!strcmp(target, "users"))
		return "user_ids";
	if (!strcmp(target, "contacts"))
		return "contact_ids";
	return NULL;
}

static const char *native_target(const struct imp *im, const char *key)
{
	static const char *const extra[] = {
	    "account", "account_ext", "owner",      "product",   "contact", "reports_to", "unit",
	    "users",   "contacts",    "first_name", "last_name", "parent",  "parent_ext", NULL};
	const struct model_field *f = model_field_find(im->e, key);

	if (f && !(f->flags & (MF_READONLY | MF_INTERNAL)))
		return f->name;
	if (!strcmp(key, "account_name"))
		return "account";
	if (!strcmp(key, "parent_name") && model_field_find(im->e, "parent_id"))
		return "parent";
	if (!strcmp(key, "owner_email"))
		return "owner";
	for (const char *const *x = extra; *x; x++)
		if (!strcmp(*x, key))
			return *x;
	return NULL;
}

static int map_columns(struct imp *im, struct kam_errinfo *ei)
{
	struct row *h = &im->rows[0];
	json_t *custom = json_object_get(im->o->custom, "columns");

	im->ncols = h->n;
	im->cols = calloc(h->n, sizeof(*im->cols));
	if (im->cols == NULL)
		return KAM_ENOMEM;
	for (size_t i = 0; i < h->n; i++) {
		struct col *c = &im->cols[i];
		json_t *cv = json_object_get(custom, h->v[i]);
		char key[128];
		const char *t = NULL;

		c->header = h->v[i];
		imp_key(h->v[i], key, sizeof(key));
		if (json_is_string(cv))
			t = json_string_value(cv);
		else if (json_is_null(cv))
			t = "ignore";
		if (t == NULL)
			t = imp_map_target(im->k, im->o->mapping, key);
		if (t == NULL)
			t = native_target(im, key);
		if (t == NULL) {
			json_array_append_new(im->ignored, json_string(h->v[i]));
			continue;
		}
		if (!strcmp(t, "ignore"))
			continue;
		c->target = t;
		c->ref = imp_is_ref_target(t);
		c->name_part = !strcmp(t, "first_name") || !strcmp(t, "last_name");
		if (c->ref)
			c->f = model_field_find(im->e, ref_field(im->e, t));
		else if (!strcmp(t, "first_name") || !strcmp(t, "last_name"))
			c->f = model_field_find(im->e, "name");
		else
			c->f = model_field_find(im->e, t);
		if (c->f == NULL || (c->f->flags & (MF_READONLY | MF_INTERNAL))) {
			err_field(ei, h->v[i], "maps to %s, which %ss cannot take", t, im->e->name);
			return KAM_EINVAL;
		}
	}
	return KAM_OK;
}

/* The date order of each date column: the option, the mapping file, or the values. */
static int decide_dates(struct imp *im, struct kam_errinfo *ei)
{
	const char *fmt = json_string_value(json_object_get(im->o->custom, "date_format"));
	int given = im->o->datefmt;

	if (given == IMP_DATE_AUTO && fmt) {
		if ((given = imp_datefmt_parse(fmt)) < 0) {
			err_detail(ei,
			           "date_format %s in the mapping is not M/D/YYYY, D/M/YYYY, "
			           "DD-MM-YY or iso",
			           fmt);
			return KAM_EINVAL;
		}
	}
	for (size_t i = 0; i < im->ncols; i++) {
		struct col *c = &im->cols[i];
		bool md = false, dm = false;
		const char *example = NULL;

		if (c->f == NULL || (c->f->type != MT_DATE && c->f->type != MT_TIME))
			continue;
		c->datefmt = given;
		if (given != IMP_DATE_AUTO)
			continue;
		for (size_t r = 1; r < im->nrows; r++) {
			const char *v = i < im->rows[r].n ? im->rows[r].v[i] : NULL;
			int vote = imp_date_vote(v);
			char out[11];
			int secs;

			md |= vote > 0;
			dm |= vote < 0;
			if (vote == 0 && v && *v && example == NULL &&
			    imp_date(v, IMP_DATE_MDY, out, &secs) == 0 &&
			    imp_date(v, IMP_DATE_AUTO, out, &secs) != 0)
				example = v;
		}
		if (md && dm) {
			err_field(ei, c->header,
			          "has dates in both orders (month first and day "
			          "first); pass --date-format");
			return KAM_EINVAL;
		}
		if (md || dm)
			c->datefmt = md ? IMP_DATE_MDY : IMP_DATE_DMY;
		else if (example) {
			err_field(ei, c->header,
			          "has dates such as %s that read both as month/day "
			          "and day/month; pass --date-format M/D/YYYY or "
			          "D/M/YYYY",
			          example);
			return KAM_EINVAL;
		}
	}
	return KAM_OK;
}

/* --- lookups ------------------------------------------------------------------------------ */

static int keys_of(struct imp *im, const char *entity, json_t **ext, json_t **name)
{
	json_t *k;

	if (!strcmp(entity, "business unit")) /* the model's name for units */
		entity = "unit";
	k = json_object_get(im->keys, entity);

	if (k == NULL) {
		int rc = store_import_keys(im->rq->db, entity, ext, name);

		if (rc != KAM_OK)
			return rc;
		json_object_set_new(im->keys, entity,
		                    json_pack("{s:o,s:o}", "ext", *ext, "name", *name));
		return KAM_OK;
	}
	*ext = json_object_get(k, "ext");
	*name = json_object_get(k, "name");
	return KAM_OK;
}

/* Remembers a row written by this import so later rows can refer to it. */
static void remember(struct imp *im, const char *entity, const json_t *rec)
{
	json_t *k = json_object_get(im->keys, strcmp(entity, "business unit") ? entity : "unit");
	const char *ext = json_string_value(json_object_get(rec, "external_id"));
	const char *name = json_string_value(json_object_get(rec, "name"));
	const char *email = json_string_value(json_object_get(rec, "email"));
	json_t *id = json_object_get(rec, "id"), *acc = json_object_get(rec, "account_id");
	char key[600], folded[512];

	if (k == NULL || id == NULL)
		return;
	if (ext)
		json_object_set(json_object_get(k, "ext"), ext, id);
	if (name) {
		store_fold(name, folded, sizeof(folded));
		if (acc && strcmp(entity, "account") != 0)
			snprintf(key, sizeof(key), "%lld:%s", (long long)json_integer_value(acc),
			         folded);
		else
			snprintf(key, sizeof(key), "%s", folded);
		json_object_set_new(json_object_get(k, "name"), key, json_pack("[O,s]", id, name));
	}
	if (email) {
		store_fold(email, folded, sizeof(folded));
		json_object_set_new(json_object_get(k, "name"), folded,
		                    json_pack("[O,s]", id, email));
	}
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

/* Finds one referenced row: by external id, then by name or e-mail (per account). */
static int lookup(struct imp *im, const char *target, const char *v, int64_t account_id,
                  int64_t *id, char *msg, size_t msglen)
{
	const char *entity = !strcmp(target, "owner") || !strcmp(target, "users") ? "user"
	                     : !strcmp(target, "product")                         ? "product"
	                     : !strcmp(target, "unit")                            ? "unit"
	                     : !strncmp(target, "account", 7) || !strncmp(target, "parent", 6)
	                         ? "account"
	                         : "contact";
	json_t *ext, *names, *hit = NULL;
	char folded[512], key[600], prefix[32] = "", guess[512];
	int rc = keys_of(im, entity, &ext, &names);

	if (rc != KAM_OK)
		return rc;
	hit = json_object_get(ext, v);
	store_fold(v, folded, sizeof(folded));
	bool ext_only = !strcmp(target, "account_ext") || !strcmp(target, "parent_ext");

	if (hit == NULL && !ext_only) {
		if (!strcmp(entity, "contact") || !strcmp(entity, "unit")) {
			snprintf(prefix, sizeof(prefix), "%lld:", (long long)account_id);
			snprintf(key, sizeof(key), "%s%s", prefix, folded);
			hit = json_object_get(names, key);
		}
		if (hit == NULL && strcmp(entity, "unit") != 0)
			hit = json_object_get(names, folded); /* e-mail, or a global name */
	}
	if (hit) {
		*id = json_integer_value(json_is_array(hit) ? json_array_get(hit, 0) : hit);
		return KAM_OK;
	}
	closest(names, prefix[0] ? prefix : NULL, v, guess, sizeof(guess));
	if (guess[0])
		snprintf(msg, msglen,
		         "no %s \"%s\"; did you mean \"%s\"? (or map it in the "
		         "mapping file's values)",
		         entity, v, guess);
	else
		snprintf(msg, msglen, "no %s \"%s\"%s", entity, v,
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
};

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
			return *out ? KAM_OK : reject(x, c->header, "is not UTF-8 text");
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

		if (copy == NULL)
			return KAM_ENOMEM;
		*out = json_array();
		for (t = strtok_r(copy, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
			if (imp_number(t, 0, &n) != 0 || n < 1) {
				free(copy);
				json_decref(*out);
				*out = NULL;
				return reject(x, c->header, "\"%.100s\" is not a list of ids", v);
			}
			json_array_append_new(*out, json_integer(n));
		}
		free(copy);
		return KAM_OK;
	}
	case MT_TAGS: {
		char *copy = strdup(v), *save = NULL, *t;
		const char *sep = strchr(v, ';') ? ";" : ",";

		if (copy == NULL)
			return KAM_ENOMEM;
		*out = json_array();
		for (t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save)) {
			while (isspace((unsigned char)*t))
				t++;
			if (*t)
				json_array_append_new(*out, json_string(t));
		}
		free(copy);
		return KAM_OK;
	}
	default:
		*out = json_string(v);
	}
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

				if (probe == NULL)
					return reject(x, c->header,
					              "is not UTF-8 text (save the file as UTF-8)");
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
			snprintf(!strcmp(c->target, "first_name") ? first : last, sizeof(first),
			         "%s", v);
			continue;
		}
		if ((rc = convert(x, c, v, &j)) != KAM_OK)
			return rc;
		json_object_set_new(x->rec, c->f->name, j);
	}
	if ((first[0] || last[0]) && json_object_get(x->rec, "name") == NULL) {
		snprintf(name, sizeof(name), "%s%s%s", first, first[0] && last[0] ? " " : "", last);
		json_object_set_new(x->rec, "name", json_string(name));
	}
	return KAM_OK;
}

/* References, now that the row's account is known. */
static int resolve(struct rowctx *x)
{
	struct imp *im = x->im;
	int64_t account_id, id;
	int rc;

	/* the account first: the others are looked up inside it */
	for (int pass = 0; pass < 2; pass++)
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
			if (*v == '\0')
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
					if (rc == KAM_OK)
						json_array_append_new(ids, json_integer(id));
				}
				free(copy);
				json_object_set_new(x->rec, c->f->name, ids);
			} else {
				rc = lookup(im, c->target, v, account_id, &id, x->msg,
				            sizeof(x->msg));
				if (rc == KAM_OK)
					json_object_set_new(x->rec, c->f->name, json_integer(id));
			}
			if (rc == KAM_ENOTFOUND) {
				x->bad_col = c->header;
				return KAM_EINVAL;
			}
			if (rc != KAM_OK)
				return rc;
		}
	return KAM_OK;
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
		if (imp_number(json_string_value(v), imp_minor_digits(cur), &n) != 0) {
			const char *col = *m;

			for (size_t i = 0; i < im->ncols; i++)
				if (im->cols[i].f && !strcmp(im->cols[i].f->name, *m))
					col = im->cols[i].header;
			return reject(x, col, "\"%.100s\" is not an amount", json_string_value(v));
		}
		json_object_set_new(x->rec, *m, json_integer(n));
	}
	return KAM_OK;
}

static void apply_defaults(struct rowctx *x)
{
	struct imp *im = x->im;
	json_t *custom = json_object_get(im->o->custom, "defaults"), *v;
	const char *key;

	json_object_foreach(custom, key, v) if (json_object_get(x->rec, key) == NULL)
	    json_object_set(x->rec, key, v);
	for (const char *const *d = im->k->defaults; *d; d++) {
		const char *eq = strchr(*d, '=');
		char field[64];

		snprintf(field, sizeof(field), "%.*s", (int)(eq - *d), *d);
		if (json_object_get(x->rec, field) == NULL)
			json_object_set_new(x->rec, field, json_string(eq + 1));
	}
	if (model_field_find(im->e, "currency") && json_object_get(x->rec, "currency") == NULL)
		json_object_set_new(x->rec, "currency", json_string(im->base_currency));
}

/* The stored row this one updates: by external id, else accounts and products by name and
 * contacts by e-mail, so a file without ids still updates rather than duplicates. */
static int existing(struct rowctx *x, int64_t *id)
{
	struct imp *im = x->im;
	const char *ext = json_string_value(json_object_get(x->rec, "external_id"));
	const char *by = !strcmp(im->e->name, "contact") ? "email" : "name";
	json_t *exts, *names, *hit = NULL;
	int rc = keys_of(im, im->e->name, &exts, &names);
	char folded[512], key[600];

	*id = 0;
	if (rc != KAM_OK)
		return rc;
	if (ext)
		hit = json_object_get(exts, ext);
	else if (im->e == &model_account || im->e == &model_product ||
	         (im->e == &model_contact && json_object_get(x->rec, "email"))) {
		store_fold(json_string_value(json_object_get(x->rec, by)), folded, sizeof(folded));
		snprintf(key, sizeof(key), "%s", folded);
		hit = json_object_get(names, key);
	} else if (im->e == &model_fx_rate && json_object_get(x->rec, "valid_from")) {
		snprintf(key, sizeof(key), "%s:%s",
		         json_string_value(json_object_get(x->rec, "currency")),
		         json_string_value(json_object_get(x->rec, "valid_from")));
		store_fold(key, folded, sizeof(folded));
		hit = json_object_get(names, folded);
	} else if (im->e == &model_unit && json_object_get(x->rec, "name")) {
		store_fold(json_string_value(json_object_get(x->rec, "name")), folded,
		           sizeof(folded));
		snprintf(key, sizeof(key), "%lld:%s",
		         (long long)json_integer_value(json_object_get(x->rec, "account_id")),
		         folded);
		hit = json_object_get(names, key);
	}
	if (hit)
		*id = json_integer_value(json_is_array(hit) ? json_array_get(hit, 0) : hit);
	return KAM_OK;
}

/* The fields of rec that differ from the stored row. */
static json_t *diff(const json_t *stored, json_t *rec)
{
	json_t *patch = json_object(), *v;
	const char *k;

	json_object_foreach(rec, k, v) if (!json_equal(v, json_object_get(stored, k)))
	    json_object_set(patch, k, v);
	return patch;
}

static const char *column_of(struct imp *im, const char *field)
{
	for (size_t i = 0; field && i < im->ncols; i++)
		if (im->cols[i].f && !strcmp(im->cols[i].f->name, field))
			return im->cols[i].header;
	return field ? field : "";
}

/* Everything about a row that needs no write: its fields, references, and the stored row
 * it updates (*id, 0 for a new one). */
static int read_row(struct rowctx *x, int64_t *id)
{
	struct imp *im = x->im;
	int rc;

	*id = 0;
	if ((rc = build(x)) != KAM_OK || (rc = resolve(x)) != KAM_OK)
		return rc;
	if (json_is_string(json_object_get(x->rec, "external_id"))) {
		const char *ext = json_string_value(json_object_get(x->rec, "external_id"));
		json_t *first = json_object_get(im->seen, ext);

		if (first)
			return reject(
			    x, column_of(im, "external_id"),
			    "external id %.200s is in the file twice (first on line %lld)", ext,
			    (long long)json_integer_value(first));
		json_object_set_new(im->seen, ext, json_integer(x->row->line));
	}
	return existing(x, id);
}

static int write_row(struct rowctx *x, int64_t id, struct kam_errinfo *ei)
{
	struct imp *im = x->im;
	json_t *stored = NULL, *patch = NULL, *after = NULL;
	int rc;

	if (id) {
		if ((rc = store_get(im->rq->db, im->e, id, &stored, NULL)) != KAM_OK)
			goto out;
		if ((rc = scale_money(x, stored)) != KAM_OK)
			goto out;
		patch = diff(stored, x->rec);
		if (json_object_size(patch) == 0) {
			im->unchanged++;
			goto out;
		}
		if ((rc = validate_body(im->e, patch, false, ei)) != KAM_OK)
			goto out;
		rc = im->res ? api_res_patch(im->rq, im->res, id, patch, -1, &after, ei)
		             : api_account_patch(im->rq, id, patch, -1, &after, ei);
		if (rc == KAM_OK)
			im->updated++;
	} else {
		apply_defaults(x);
		if ((rc = scale_money(x, NULL)) != KAM_OK)
			goto out;
		if ((rc = validate_body(im->e, x->rec, true, ei)) != KAM_OK)
			goto out;
		rc = im->res ? api_res_insert(im->rq, im->res, x->rec, &after, ei)
		             : api_account_insert(im->rq, x->rec, &after, ei);
		if (rc == KAM_OK)
			im->created++;
	}
	if (rc == KAM_OK)
		remember(im, im->e->name, after);
out:
	json_decref(stored);
	json_decref(patch);
	json_decref(after);
	return rc;
}

/* --- the fast lane for new transactions ---------------------------------------------------- */

static int by_day_account(const void *a, const void *b)
{
	const struct store_bulk_row *x = a, *y = b;
	int c = strcmp(x->booked_on, y->booked_on);

	return c ? c : (x->account_id > y->account_id) - (x->account_id < y->account_id);
}

/* Writes the queued transactions with multi-row inserts and adds their month totals to
 * the rollup cell by cell: what makes ERP files import at hundreds of thousands of rows a
 * second. The rows were checked like any other; only the writing is batched. */
static int flush(struct imp *im)
{
	const char *key;
	json_t *v;
	int rc;

	if (im->npending == 0)
		return KAM_OK;
	/* in index order: neighbouring rows touch the same index pages */
	qsort(im->pending, im->npending, sizeof(*im->pending), by_day_account);
	rc = store_bulk_import(im->rq->db, im->pending, im->npending, time_now());
	json_object_foreach(im->cells, key, v)
	{
		long long acc = 0, prod = 0;
		char month[8] = "";
		char *end;

		if (rc != KAM_OK)
			break;
		acc = strtoll(key, &end, 10);
		prod = strtoll(end + 1, &end, 10);
		snprintf(month, sizeof(month), "%.7s", end + 1);
		rc = store_rollup_add(im->rq->db, acc, prod, month,
		                      json_integer_value(json_array_get(v, 0)),
		                      (int)json_integer_value(json_array_get(v, 1)));
	}
	if (rc == KAM_OK)
		rc = store_revenue_changed(im->rq->db);
	json_object_clear(im->cells);
	im->npending = 0;
	return rc;
}

static int queue_txn(struct rowctx *x, struct kam_errinfo *ei)
{
	struct imp *im = x->im;
	struct store_bulk_row *t;
	json_t *w, *cell;
	const char *cur, *day;
	int64_t acc;
	double rate = 1;
	char key[64];
	int rc;

	apply_defaults(x);
	if ((rc = scale_money(x, NULL)) != KAM_OK)
		return rc;
	if ((rc = validate_body(im->e, x->rec, true, ei)) != KAM_OK)
		return rc;
	acc = json_integer_value(json_object_get(x->rec, "account_id"));
	snprintf(key, sizeof(key), "%lld", (long long)acc);
	if ((w = json_object_get(im->writable, key)) == NULL) {
		bool owner = false, team = false;

		rc = api_account_visible(im->rq, acc, &owner, &team);
		if (rc != KAM_OK && rc != KAM_ENOTFOUND)
			return rc;
		w = json_boolean(rc == KAM_OK &&
		                 auth_account_writable(im->rq->user.role, owner, team));
		json_object_set_new(im->writable, key, w);
	}
	if (!json_is_true(w))
		return reject(x, column_of(im, "account_id"),
		              "no such account, or not yours to write");
	cur = json_string_value(json_object_get(x->rec, "currency"));
	day = json_string_value(json_object_get(x->rec, "booked_on"));
	if (strcmp(cur, im->base_currency) != 0) {
		json_t *r;

		snprintf(key, sizeof(key), "%s:%s", cur, day);
		if ((r = json_object_get(im->rates, key)) == NULL) {
			rc = store_fx_rate(im->rq->db, cur, day, &rate);
			if (rc == KAM_ENOTFOUND)
				return reject(
				    x, column_of(im, "currency"),
				    "no FX rate for %s on %s; add one at /api/v1/fx-rates", cur,
				    day);
			if (rc != KAM_OK)
				return rc;
			json_object_set_new(im->rates, key, json_real(rate));
		} else {
			rate = json_real_value(r);
		}
	}
	if (im->npending == im->cappending) {
		size_t cap = im->cappending ? im->cappending * 2 : 1024;
		struct store_bulk_row *p = realloc(im->pending, cap * sizeof(*p));

		if (p == NULL)
			return KAM_ENOMEM;
		im->pending = p;
		im->cappending = cap;
	}
	t = &im->pending[im->npending++];
	*t = (struct store_bulk_row){
	    .account_id = acc,
	    .product_id = json_integer_value(json_object_get(x->rec, "product_id")),
	    .amount = json_integer_value(json_object_get(x->rec, "amount")),
	    /* the external id lives in im->seen until the import ends */
	    .external_id =
	        json_object_get(x->rec, "external_id")
	            ? json_object_iter_key(json_object_iter_at(
	                  im->seen, json_string_value(json_object_get(x->rec, "external_id"))))
	            : NULL,
	};
	snprintf(t->booked_on, sizeof(t->booked_on), "%s", day);
	snprintf(t->currency, sizeof(t->currency), "%s", cur);
	t->amount_base = revenue_to_base(t->amount, rate);
	snprintf(key, sizeof(key), "%lld:%lld:%.7s", (long long)acc, (long long)t->product_id, day);
	if ((cell = json_object_get(im->cells, key)) == NULL) {
		cell = json_pack("[I,I]", (json_int_t)0, (json_int_t)0);
		json_object_set_new(im->cells, key, cell);
	}
	json_array_set_new(
	    cell, 0, json_integer(json_integer_value(json_array_get(cell, 0)) + t->amount_base));
	json_array_set_new(cell, 1, json_integer(json_integer_value(json_array_get(cell, 1)) + 1));
	im->created++;
	return KAM_OK;
}

static void add_error(struct imp *im, long line, const char *col, const char *field,
                      const char *msg)
{
	im->rejected++;
	if (json_array_size(im->errors) < MAX_ERRORS)
		json_array_append_new(
		    im->errors, json_pack("{s:I,s:s,s:s?,s:s}", "line", (json_int_t)line, "column",
		                          col ? col : "", "field", field, "message", msg));
}

/* One row in its savepoint; a rejected row is recorded and undone, other errors stop all. */
static int import_row(struct imp *im, struct row *r)
{
	struct rowctx x = {.im = im, .row = r, .rec = json_object()};
	struct kam_errinfo ei = {0};
	int64_t id = 0;
	int rc, end = KAM_OK;

	if (r->n != im->ncols) {
		char msg[120];

		snprintf(msg, sizeof(msg), "has %zu fields where the header has %zu", r->n,
		         im->ncols);
		add_error(im, r->line, "", NULL, msg);
		json_decref(x.rec);
		return KAM_OK;
	}
	rc = read_row(&x, &id);
	if (rc == KAM_OK && id == 0 && im->e == &model_transaction &&
	    json_object_get(x.rec, "unit_id") == NULL) {
		rc = queue_txn(&x, &ei);
	} else if (rc == KAM_OK) {
		if ((rc = store_savepoint(im->rq->db)) != KAM_OK)
			goto out;
		rc = write_row(&x, id, &ei);
		end = store_savepoint_end(im->rq->db, rc == KAM_OK);
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

		add_error(im, r->line, x.bad_col ? x.bad_col : column_of(im, field), field, msg);
		rc = KAM_OK;
	}
	if (rc == KAM_OK)
		rc = end;
out:
	err_clear(&ei);
	json_decref(x.rec);
	return rc;
}

/* --- the run -------------------------------------------------------------------------------- */

static int save(struct imp *im, int64_t started, json_t **result)
{
	struct req *rq = im->rq;
	const struct api_import_opts *o = im->o;
	const char *status = o->dry_run ? "dry_run" : o->atomic && im->rejected ? "failed" : "done";
	char *errors = json_dumps(im->errors, JSON_COMPACT);
	char *ignored = json_dumps(im->ignored, JSON_COMPACT);
	json_t *rec = json_pack(
	    "{s:s,s:s,s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I}", "kind", o->kind, "mapping",
	    o->custom    ? "custom"
	    : o->mapping ? o->mapping
	                 : "kam",
	    "status", status, "dry_run", o->dry_run, "atomic", o->atomic, "rows_total",
	    (json_int_t)(im->nrows - 1), "created", (json_int_t)im->created, "updated",
	    (json_int_t)im->updated, "unchanged", (json_int_t)im->unchanged, "rejected",
	    (json_int_t)im->rejected, "errors", errors ? errors : "[]", "ignored_columns",
	    ignored ? ignored : "[]", "created_by", (json_int_t)rq->user.id);
	json_t *summary = NULL;
	int64_t id;
	int rc;

	free(errors);
	free(ignored);
	(void)started;
	json_object_set_new(rec, "finished_at", json_integer(time_now()));
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if (o->import_id > 0) { /* a queued run: its record exists */
		id = o->import_id;
		if ((rc = store_update(rq->db, &model_import, id, rec, -1, time_now())) != KAM_OK)
			goto out;
	} else if ((rc = store_insert(rq->db, &model_import, rec, time_now(), &id)) != KAM_OK) {
		goto out;
	}
	summary =
	    json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "kind", o->kind, "status", status, "created",
	              (json_int_t)im->created, "updated", (json_int_t)im->updated, "unchanged",
	              (json_int_t)im->unchanged, "rejected", (json_int_t)im->rejected);
	if ((rc = api_audit(rq, "import", "import", id, NULL, summary)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_import, id, result, NULL)) == KAM_OK)
		api_import_decorate(*result);
out:
	if (rc != KAM_OK)
		store_rollback(rq->db);
	json_decref(rec);
	json_decref(summary);
	return rc;
}

static const struct api_resource *resource_of(const char *entity)
{
	static const struct {
		const char *name;
		const struct api_resource *r;
	} map[] = {
	    {"contact", &res_contacts},         {"unit", &res_units},
	    {"FX rate", &res_fx_rates},         {"product", &res_products},
	    {"transaction", &res_transactions}, {"opportunity", &res_opportunities},
	    {"interaction", &res_interactions}, {"case", &res_cases},
	    {"survey", &res_surveys},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, entity))
			return map[i].r;
	return NULL;
}

static const struct model_entity *entity_of(const char *name)
{
	const struct api_resource *r = resource_of(name);

	return r ? r->e : !strcmp(name, "account") ? &model_account : NULL;
}

int api_import_run(struct req *rq, const struct api_import_opts *o, const char *buf, size_t len,
                   json_t **result, struct kam_errinfo *ei)
{
	struct imp im = {.rq = rq,
	                 .o = o,
	                 .keys = json_object(),
	                 .errors = json_array(),
	                 .ignored = json_array(),
	                 .seen = json_object(),
	                 .cells = json_object(),
	                 .writable = json_object(),
	                 .rates = json_object()};
	struct settings s;
	int64_t started = time_now();
	bool open = false;
	int rc;

	*result = NULL;
	if ((im.k = imp_kind_get(o->kind)) == NULL) {
		err_field(ei, "kind",
		          "is one of accounts, contacts, products, units, fx-rates, transactions, "
		          "opportunities, interactions, cases, surveys");
		rc = KAM_EINVAL;
		goto out;
	}
	if (o->mapping && strcmp(o->mapping, "salesforce") != 0 &&
	    strcmp(o->mapping, "hubspot") != 0) {
		err_field(ei, "mapping", "is salesforce, hubspot, or a mapping file");
		rc = KAM_EINVAL;
		goto out;
	}
	im.e = entity_of(im.k->entity);
	im.res = resource_of(im.k->entity);
	if ((rc = api_settings_load(rq, &s, NULL)) != KAM_OK)
		goto out;
	snprintf(im.base_currency, sizeof(im.base_currency), "%s", s.base_currency);
	if ((rc = parse(&im, buf, len, ei)) != KAM_OK || (rc = map_columns(&im, ei)) != KAM_OK ||
	    (rc = decide_dates(&im, ei)) != KAM_OK)
		goto out;
	if (o->progress) /* the file is read: how many rows there are is known */
		o->progress(0, (int64_t)im.nrows - 1, o->progress_arg);
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	open = true;
	for (size_t r = 1; r < im.nrows && rc == KAM_OK; r++) {
		rc = import_row(&im, &im.rows[r]);
		if (rc == KAM_OK && r % (o->batch ? o->batch : BATCH_ROWS) == 0) {
			rc = flush(&im);
			if (rc == KAM_OK && !o->dry_run &&
			    !o->atomic) { /* let other writers in between batches */
				if ((rc = store_commit(rq->db)) == KAM_OK)
					rc = store_begin(rq->db, true);
				open = rc == KAM_OK;
			}
		}
		if (rc == KAM_OK && o->progress && r % 1000 == 0)
			o->progress((int64_t)r, (int64_t)im.nrows - 1, o->progress_arg);
	}
	if (rc == KAM_OK)
		rc = flush(&im);
	if (rc == KAM_OK && o->progress)
		o->progress((int64_t)im.nrows - 1, (int64_t)im.nrows - 1, o->progress_arg);
	if (rc != KAM_OK)
		goto out;
	if (o->dry_run || (o->atomic && im.rejected)) {
		store_rollback(rq->db);
		if (o->atomic && im.rejected && !o->dry_run)
			im.created = im.updated = im.unchanged = 0;
	} else if ((rc = store_commit(rq->db)) != KAM_OK) {
		open = false;
		goto out;
	}
	open = false;
	rc = save(&im, started, result);
out:
	if (open)
		store_rollback(rq->db);
	for (size_t r = 0; r < im.nrows; r++) {
		for (size_t i = 0; i < im.rows[r].n; i++)
			free(im.rows[r].v[i]);
		free(im.rows[r].v);
	}
	for (size_t i = 0; i < im.ncur; i++)
		free(im.cur[i]);
	free(im.cur);
	free(im.rows);
	free(im.cols);
	json_decref(im.keys);
	json_decref(im.errors);
	json_decref(im.ignored);
	json_decref(im.seen);
	json_decref(im.cells);
	json_decref(im.writable);
	json_decref(im.rates);
	free(im.pending);
	return rc;
}

void api_import_decorate(json_t *rec)
{
	static const char *const cols[] = {"errors", "ignored_columns"};

	for (size_t i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(rec, cols[i]));
		json_t *v = s ? json_loads(s, 0, NULL) : NULL;

		json_object_set_new(rec, cols[i], v ? v : json_array());
	}
}
