/* The import engine, part one: the file, its header, its dates (see import_internal.h). */
#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/import_internal.h"
#include "kam/importfmt.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/import.h"
#include "store/portfolio.h"
#include "store/revenue.h"
#include "util/mem.h"
#include "util/time.h"
#include "util/utf8.h"

/* --- parsing ---------------------------------------------------------------------------- */

static void on_field(void *s, size_t len, void *data)
{
	struct imp *im = data;

	/* past a bound the record is not kept: the parse is refused once the line is known */
	if (im->ncur >= MAX_COLUMNS || len > MAX_CELL) {
		long *at = im->ncur >= MAX_COLUMNS ? &im->too_wide : &im->too_long;

		if (*at == 0)
			*at = im->next_start;
		return;
	}
	im->curoff[im->ncur++] = im->cur.len;
	/* the cell and its NUL (buf_put keeps one after the content; the next cell starts
	 * past it) */
	if (buf_put(&im->cur, s ? s : "", len) != KAM_OK || buf_put(&im->cur, "", 1) != KAM_OK)
		im->oom = true;
}

/* blocks from 256 KiB, each twice the last up to 8 MiB: a small file keeps a small block,
 * a large one soon takes whole 2 MiB pages */
#define ARENA_FIRST (256u << 10)
#define ARENA_BLOCK (8u << 20)

void *imp_arena_alloc(struct imp_arena *a, size_t n)
{
	char *p;

	n = (n + 7) & ~(size_t)7; /* the next piece starts aligned too */
	if (n > a->left) {
		size_t size = ARENA_FIRST;
		char **b;

		for (size_t i = 0; i < a->nblocks && size < ARENA_BLOCK; i++)
			size *= 2;
		if (size < n)
			size = n;
		if ((b = vec_push((void **)&a->blocks, &a->nblocks, &a->capblocks, sizeof(*b))) ==
		    NULL)
			return NULL;
		if ((*b = malloc(size)) == NULL) {
			a->nblocks--;
			return NULL;
		}
		mem_huge(*b, size);
		a->cur = *b;
		a->left = size;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

void imp_arena_free(struct imp_arena *a)
{
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	*a = (struct imp_arena){0};
}

/* A record becomes one piece of the run's arena: its cell pointers, then its cells' text (a
 * cell costs its length plus nine bytes, not an allocation of its own). */
static void on_row(int c, void *data)
{
	struct imp *im = data;
	size_t head = im->ncur * sizeof(char *);
	struct row *row;
	char **v, *text;

	(void)c;
	if (im->oom || (v = imp_arena_alloc(&im->rowmem, head + im->cur.len + 1)) == NULL) {
		im->oom = true;
		return;
	}
	if ((row = vec_push((void **)&im->rows, &im->nrows, &im->cap, sizeof(*row))) == NULL) {
		im->oom = true;
		return;
	}
	text = (char *)v + head;
	if (im->cur.len)
		memcpy(text, im->cur.data, im->cur.len);
	for (size_t i = 0; i < im->ncur; i++)
		v[i] = text + im->curoff[i];
	*row = (struct row){.line = im->next_start, .n = im->ncur, .v = v};
	im->ncur = im->cur.len = 0;
	im->next_start = im->line_now + 1;
}

/* Reads every record, fed line by line so each knows the line it starts on. */
int imp_parse(struct imp *im, const char *buf, size_t len, struct kam_errinfo *ei)
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

		size_t blank = 0;

		/* a blank line between records is no record (libcsv's state 0: no row begun); the
		 * span stays inside the line, which may end where the buffer does */
		while (blank < n && (s[blank] == '\r' || s[blank] == '\n'))
			blank++;
		if (p.pstate == 0 && blank >= n)
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
		if (im->too_wide || im->too_long)
			break;
	}
	im->line_now--;
	if (rc == KAM_OK && im->oom) {
		rc = KAM_ENOMEM;
	} else if (rc == KAM_OK && im->too_wide) {
		err_detail(ei, "line %ld has more than %d columns; kam reads at most %d",
		           im->too_wide, MAX_COLUMNS, MAX_COLUMNS);
		rc = KAM_EINVAL;
	} else if (rc == KAM_OK && im->too_long) {
		err_detail(ei, "line %ld has a cell longer than %d bytes", im->too_long, MAX_CELL);
		rc = KAM_EINVAL;
	}
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
		return model_field_find(e, "owner_id")  ? "owner_id"
		       : model_field_find(e, "user_id") ? "user_id"
		                                        : "relationship_owner_id";
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
	if (!strcmp(target, "products"))
		return "product_ids";
	if (!strcmp(target, "manager"))
		return "manager_id";
	return NULL;
}

/* Column names of CRM exports that say what kam calls otherwise, per entity: what a sales
 * team file, a deals file or an accounts file of a CRM sample calls its columns. */
static const struct {
	const char *entity, *key, *target;
} aliases[] = {
    {"user", "sales_agent", "name"},         {"user", "agent", "name"},
    {"user", "sales_rep", "name"},           {"user", "rep", "name"},
    {"user", "full_name", "name"},           {"user", "manager_name", "manager"},
    {"user", "manager_email", "manager"},    {"user", "reports_to", "manager"},
    {"user", "regional_office", "team"},     {"user", "office", "team"},
    {"user", "region", "team"},              {"user", "sales_team", "team"},
    {"user", "e_mail", "email"},             {"contact", "e_mail", "email"},
    {"opportunity", "sales_agent", "owner"}, {"opportunity", "deal_stage", "stage"},
    {"opportunity", "close_value", "amount"}, {"opportunity", "close_date", "expected_close_on"},
    {"opportunity", "deal_name", "name"},    {"opportunity", "deal", "name"},    {"opportunity", "opportunity_id", "external_id"},
    {"account", "company", "name"},         {"account", "company_name", "name"},
    {"account", "customer", "name"},        {"account", "customer_name", "name"},
    {"account", "client", "name"},          {"account", "sector", "industry"},       {"account", "subsidiary_of", "parent"},
    {"account", "parent_company", "parent"}, {"account", "office_location", "country"},
    {"product", "series", "family"},         {"product", "sales_price", "list_price"},
    {"product", "price", "list_price"},
    {"transaction", "invoice", "external_id"}, {"transaction", "invoice_number", "external_id"},
    {"transaction", "invoice_id", "external_id"}, {"transaction", "date", "booked_on"},
    {"transaction", "invoice_date", "booked_on"}, {"transaction", "customer", "account"},
    {"opportunity", "customer", "account"},    {"contact", "customer", "account"},
    {"forecast target", "kam", "owner"},       {"forecast target", "user", "owner"},
    {"forecast target", "email", "owner"},     {"forecast target", "target", "amount"},
};

static const char *native_target(const struct imp *im, const char *key)
{
	static const char *const extra[] = {
	    "account", "account_ext", "owner",      "product",   "contact", "reports_to", "unit",
	    "users",   "contacts",    "first_name", "last_name", "parent",  "parent_ext", "manager",
	    "products", NULL};
	const struct model_field *f = model_field_find(im->e, key);

	char self[64];
	size_t n;

	if (f && !(f->flags & (MF_READONLY | MF_INTERNAL)))
		return f->name;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].entity, im->e->name) && !strcmp(aliases[i].key, key))
			return aliases[i].target;
	/* in a file of products, a column "product" is the product's name, not a reference to
	 * another product (the same for accounts, contacts, users) */
	imp_key(im->e->name, self, sizeof(self));
	n = strlen(self);
	if (model_field_find(im->e, "name") && !strncmp(key, self, n) && key[n] == '\0')
		return "name";
	/* "Product Family", "Account Name", "Contact Email": the kind's own field */
	if (!strncmp(key, self, n) && key[n] == '_' && (f = model_field_find(im->e, key + n + 1)) &&
	    !(f->flags & (MF_READONLY | MF_INTERNAL)))
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

int imp_map_columns(struct imp *im, struct kam_errinfo *ei)
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
			size_t n = json_array_size(im->ignored);

			if (n < MAX_IGNORED) {
				size_t len = strnlen(h->v[i], 100);

				/* cut on a character boundary, not inside a UTF-8 sequence */
				while (len > 0 && len < strlen(h->v[i]) &&
				       ((unsigned char)h->v[i][len] & 0xC0) == 0x80)
					len--;
				json_t *name = json_stringn(h->v[i], len);

				/* the run's record names every column it did not read (a header
				 * that is not UTF-8 it cannot) */
				if (name == NULL && utf8_valid(h->v[i]))
					return KAM_ENOMEM;
				if (name && json_array_append_new(im->ignored, name) != 0)
					return KAM_ENOMEM;
			} else if (n == MAX_IGNORED &&
			           json_array_append_new(im->ignored, json_string("… and more")) !=
			               0) {
				return KAM_ENOMEM;
			}
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

/* A date that starts with a four-digit year reads in ISO order whatever the setting
 * (imp_date), so it is never an example of an ambiguous one: two parses per row saved. */
static bool year_first(const char *v)
{
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)v[i]))
			return false;
	return v[4] == '-' || v[4] == '/' || v[4] == '.';
}

/* The date order of each date column: the option, the mapping file, or the values. */
int imp_decide_dates(struct imp *im, struct kam_errinfo *ei)
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
			if (vote == 0 && v && *v && example == NULL && !year_first(v) &&
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

int imp_check_currency(struct imp *im, struct kam_errinfo *ei)
{
	const char *only = NULL;
	ssize_t col = -1;
	bool any = true;
	double rate;
	int rc;

	if (im->e != &model_transaction)
		return KAM_OK;
	for (size_t i = 0; i < im->ncols; i++)
		if (im->cols[i].f && !strcmp(im->cols[i].f->name, "currency"))
			col = (ssize_t)i;
	if (col < 0)
		return KAM_OK;
	for (size_t r = 1; r < im->nrows; r++) {
		const char *v = (size_t)col < im->rows[r].n ? im->rows[r].v[col] : "";

		if (*v == '\0')
			return KAM_OK; /* a row in the base currency */
		if (only && strcmp(only, v) != 0)
			return KAM_OK; /* several currencies: rates are needed anyway */
		only = v;
	}
	if (only == NULL || !strcmp(only, im->base_currency) || !money_currency_known(only))
		return KAM_OK;
	if ((rc = store_any_transactions(im->db, &any)) != KAM_OK)
		return rc;
	rc = store_fx_rate(im->db, only, "2999-12-31", &rate);
	if (any || rc != KAM_ENOTFOUND)
		return rc == KAM_ENOTFOUND ? KAM_OK : rc;
	/* a company's first revenue file, all in one currency kam has no rate for: every row
	 * would be refused; the likely fix is the base currency, not a hundred FX rates */
	err_field(ei, im->cols[col].header,
	          "every row is in %s and kam has no rate from %s to its base currency %s; as no "
	          "money is stored yet, make %s the base currency (kam settings set "
	          "base_currency %s, or Settings in the web app) and import again, or add FX "
	          "rates for %s",
	          only, only, im->base_currency, only, only, only);
	json_object_set_new(json_array_get(ei->errors, json_array_size(ei->errors) - 1),
	                    "base_currency", json_string(only));
	return KAM_EINVAL;
}
