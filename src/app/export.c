/*
 * Lists as files: ?format=csv|xlsx on any list returns every row the caller may see under
 * the same filters, as RFC 4180 CSV (quoted by libcsv) or an XLSX workbook (libxlsxwriter).
 * Cells that a spreadsheet would take for a formula (= + - @ tab CR) are neutralised in CSV
 * with a leading apostrophe; XLSX cells are written as typed strings, which never evaluate.
 *
 * Streaming: the rows are fetched a keyset page (500) at a time and written to a spool file
 * (CSV) or to libxlsxwriter in constant-memory mode (XLSX); the reply then sends that file
 * from disk (the API) or copies it (kam export). Memory holds one page; the database is done
 * with before the file is sent, so nothing reads the store after it.
 */
#include <csv.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "app/list.h"
#include "app/scores.h"
#include "kam/settings.h"
#include "util/buf.h"
#include "kam/importfmt.h"
#include "kam/importmap.h"
#include "kam/money.h"

/* The columns: the entity's visible fields in model order, then computed keys of the rows. */
static bool base_money(const char *entity, const char *field);

/* The column written beside field f, if any: owner beside owner_id (a user reference), and
 * revenue_12m_currency beside revenue_12m (money kam derives in the base currency). */
static bool beside_column(const struct model_entity *e, const struct model_field *f, char *out,
                          size_t len)
{
	size_t n = strlen(f->name);

	if (f->type == MT_REF && f->ref && strcmp(f->ref, "user") == 0 && n > 3 &&
	    strcmp(f->name + n - 3, "_id") == 0) {
		snprintf(out, len, "%.*s", (int)(n - 3), f->name);
		return true;
	}
	if (base_money(e->name, f->name)) {
		snprintf(out, len, "%s_currency", f->name);
		return true;
	}
	return false;
}

static json_t *columns(const struct model_entity *e, json_t *items)
{
	json_t *cols = json_array(), *seen = json_object(), *it, *v;
	const char *k;
	size_t i;
	int bad = seen == NULL; /* a column missing would shift every cell after it */

	for (size_t j = 0; j < e->nfields; j++)
		if (!(e->fields[j].flags & MF_INTERNAL)) {
			char beside[64];

			bad |= json_array_append_new(cols, json_string(e->fields[j].name));
			bad |= json_object_set_new(seen, e->fields[j].name, json_true());
			/* a person's name and derived money's currency right beside their column */
			if (!beside_column(e, &e->fields[j], beside, sizeof(beside)))
				continue;
			bad |= json_array_append_new(cols, json_string(beside));
			bad |= json_object_set_new(seen, beside, json_true());
		}
	json_array_foreach(items, i, it)
	{
		if (i >= 50)
			break;
		json_object_foreach(it, k, v) if (!json_object_get(seen, k))
		{
			bad |= json_array_append_new(cols, json_string(k));
			bad |= json_object_set_new(seen, k, json_true());
		}
	}
	json_decref(seen);
	if (bad) {
		json_decref(cols);
		return NULL;
	}
	return cols;
}

/* A cell as text (*owned set when the caller must free it); NULL when out of memory. */
static const char *cell_text(json_t *v, char *buf, size_t len, char **owned)
{
	*owned = NULL;
	if (v == NULL || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%.10g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_array(v)) {
		struct buf s = {0};
		size_t i;
		json_t *x;

		json_array_foreach(v, i, x)
		{
			char b[64], *o;
			const char *t = json_is_object(x) || json_is_array(x)
			                    ? "…"
			                    : cell_text(x, b, sizeof(b), &o);

			if (t == NULL)
				s.err = KAM_ENOMEM;
			else
				buf_printf(&s, "%s%s", i ? "; " : "", t);
		}
		return *owned = buf_take(&s, NULL);
	}
	return *owned = buf_json(v, JSON_COMPACT);
}

/* One CSV field, quoted by libcsv; a formula-like text gets a leading apostrophe first. */
static int put_field(struct buf *b, const char *s, bool first)
{
	size_t len = strlen(s), need;
	char *src = NULL, *dst;
	int rc;

	if (!first && (rc = buf_put(b, ",", 1)) != KAM_OK)
		return rc;
	if (imp_formula_like(s)) {
		if ((src = malloc(len + 2)) == NULL)
			return KAM_ENOMEM;
		src[0] = '\'';
		memcpy(src + 1, s, len + 1);
		s = src;
		len++;
	}
	need = len * 2 + 2;
	if ((dst = malloc(need)) == NULL) {
		free(src);
		return KAM_ENOMEM;
	}
	rc = buf_put(b, dst, csv_write(dst, need, s, len));
	free(dst);
	free(src);
	return rc;
}

/* Where the rows go: a CSV spool file, or an XLSX workbook in constant-memory mode (rows
 * flushed to its temporary files as they are written). Either ends as one file on disk. */
struct sink {
	bool xlsx;
	char path[64];
	FILE *f;      /* CSV */
	struct buf b; /* one CSV line */
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_row_t row;
	json_t *cols;
};

static int csv_rows(struct sink *k, json_t *items)
{
	json_t *it, *c;
	size_t i, j;
	int rc = KAM_OK;

	json_array_foreach(items, i, it)
	{
		k->b.len = 0;
		json_array_foreach(k->cols, j, c)
		{
			char tmp[64], *owned;
			const char *t = cell_text(json_object_get(it, json_string_value(c)), tmp,
			                          sizeof(tmp), &owned);

			if (rc == KAM_OK)
				rc = t ? put_field(&k->b, t, j == 0) : KAM_ENOMEM;
			free(owned);
		}
		if (rc == KAM_OK)
			rc = buf_put(&k->b, "\r\n", 2);
		if (rc == KAM_OK && fwrite(k->b.data, 1, k->b.len, k->f) != k->b.len)
			rc = KAM_EDB;
		if (rc != KAM_OK)
			break;
	}
	return rc;
}

/*
 * s as XML 1.0 can hold it. A stored string is valid UTF-8, which may hold U+FFFE and U+FFFF;
 * XML has neither, libxlsxwriter copies them into the sheet as they are, and a spreadsheet
 * then refuses the whole file as corrupt. Each becomes U+FFFD. (Controls libxlsxwriter
 * writes as _xHHHH_ itself.) Returns s, or a new string in *owned (NULL when s is returned).
 */
static const char *xml_text(const char *s, char **owned)
{
	char *o;

	*owned = NULL;
	if (strstr(s, "\xef\xbf\xbe") == NULL && strstr(s, "\xef\xbf\xbf") == NULL)
		return s;
	if ((o = strdup(s)) == NULL)
		return NULL; /* no blank cell in its place: the export fails */
	for (char *p = o; (p = strstr(p, "\xef\xbf")) != NULL; p += 3)
		if ((unsigned char)p[2] == 0xbe || (unsigned char)p[2] == 0xbf)
			p[2] = (char)0xbd;
	*owned = o;
	return o;
}

static int xlsx_rows(struct sink *k, json_t *items)
{
	json_t *it, *c;
	size_t i, j;

	json_array_foreach(items, i, it)
	{
		lxw_row_t row = ++k->row;

		json_array_foreach(k->cols, j, c)
		{
			json_t *v = json_object_get(it, json_string_value(c));

			if (json_is_integer(v) || json_is_real(v)) {
				worksheet_write_number(k->ws, row, (lxw_col_t)j,
				                       json_number_value(v), NULL);
			} else if (json_is_boolean(v)) {
				worksheet_write_boolean(k->ws, row, (lxw_col_t)j, json_is_true(v),
				                        NULL);
			} else if (v && !json_is_null(v)) {
				char tmp[64], *owned, *safe = NULL;
				const char *t = cell_text(v, tmp, sizeof(tmp), &owned);

				if (t == NULL)
					return KAM_ENOMEM;
				/* a string cell: Excel shows "=1+1" as text and never evaluates it
				 */
				t = xml_text(t, &safe);
				if (t)
					worksheet_write_string(k->ws, row, (lxw_col_t)j, t, NULL);
				free(safe);
				free(owned);
				if (t == NULL)
					return KAM_ENOMEM;
			}
		}
	}
	return KAM_OK;
}

/* Opens the sink and writes the header row of cols (taken). */
static int sink_open(struct sink *k, bool xlsx, const char *sheet, json_t *cols)
{
	json_t *c;
	size_t j;
	int fd, rc = KAM_OK;

	k->xlsx = xlsx;
	k->cols = cols;
	if (cols == NULL)
		return KAM_ENOMEM;
	snprintf(k->path, sizeof(k->path), "/tmp/kam-export-XXXXXX");
	if ((fd = mkstemp(k->path)) < 0) {
		k->path[0] = '\0';
		return KAM_EDB;
	}
	if (xlsx) {
		lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
		lxw_format *bold;

		close(fd);
		if ((k->wb = workbook_new_opt(k->path, &opt)) == NULL)
			return KAM_ENOMEM;
		k->ws = workbook_add_worksheet(k->wb, sheet);
		bold = workbook_add_format(k->wb);
		format_set_bold(bold);
		json_array_foreach(cols, j, c)
		{
			char *safe;

			worksheet_write_string(k->ws, 0, (lxw_col_t)j,
			                       xml_text(json_string_value(c), &safe), bold);
			free(safe);
		}
		worksheet_freeze_panes(k->ws, 1, 0);
		return KAM_OK;
	}
	unlink(k->path); /* the open file is all that remains: gone with the reply */
	k->path[0] = '\0';
	if ((k->f = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return KAM_ENOMEM;
	}
	/* a BOM: spreadsheets then read UTF-8 as UTF-8 */
	rc = buf_put(&k->b, "\xef\xbb\xbf", 3);
	json_array_foreach(cols, j, c) if (rc == KAM_OK) rc =
	    put_field(&k->b, json_string_value(c), j == 0);
	if (rc == KAM_OK)
		rc = buf_put(&k->b, "\r\n", 2);
	if (rc == KAM_OK && fwrite(k->b.data, 1, k->b.len, k->f) != k->b.len)
		rc = KAM_EDB;
	return rc;
}

/* Finishes the file: *fd (the caller's) reads it from its start, *len bytes long. */
static int sink_finish(struct sink *k, int *fd, size_t *len)
{
	struct stat sb;
	int rc = KAM_OK;

	if (k->xlsx) {
		lxw_error e = workbook_close(k->wb);

		k->wb = NULL;
		if (e != LXW_NO_ERROR || (*fd = open(k->path, O_RDONLY | O_CLOEXEC)) < 0)
			return KAM_EDB;
		unlink(k->path);
		k->path[0] = '\0';
	} else {
		if (fflush(k->f) != 0 || (*fd = dup(fileno(k->f))) < 0)
			return KAM_EDB;
	}
	if (fstat(*fd, &sb) != 0 || lseek(*fd, 0, SEEK_SET) != 0)
		rc = KAM_EDB;
	*len = (size_t)sb.st_size;
	if (rc != KAM_OK) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

static void sink_close(struct sink *k)
{
	if (k->wb)
		workbook_close(k->wb);
	if (k->f)
		fclose(k->f);
	if (k->path[0])
		unlink(k->path);
	buf_free(&k->b);
	json_decref(k->cols);
}

/* Money kam derives in the base currency: a transaction's amount_base, an account's
 * revenue of the last twelve months. */
static bool base_money(const char *entity, const char *field)
{
	return (!strcmp(entity, "transaction") && !strcmp(field, "amount_base")) ||
	       (!strcmp(entity, "account") && !strcmp(field, "revenue_12m"));
}

/* Money in files is in major units (1054.00), as people and spreadsheets read it; the
 * JSON API keeps minor units. Derived money is in the base currency. */
static int major_units(const struct settings *s, const struct model_entity *e, json_t *items)
{
	json_t *it;
	size_t i;
	int bad = 0; /* a value left in minor units would be off a hundredfold */

	json_array_foreach(items, i, it)
	{
		const char *cur = json_string_value(json_object_get(it, "currency"));

		for (size_t j = 0; j < e->nfields; j++) {
			const char *f = e->fields[j].name;
			json_t *v = json_object_get(it, f);

			if (!json_is_integer(v) ||
			    !(imp_money_field(e->name, f) || base_money(e->name, f)))
				continue;
			bad |= json_object_set_new(
			    it, f,
			    json_real((double)json_integer_value(v) /
			              (double)money_unit(base_money(e->name, f) || !cur
			                                     ? s->base_currency
			                                     : cur)));
		}
		/* derived money has no currency column of its own beside it: name it */
		for (size_t j = 0; j < e->nfields; j++) {
			char col[64];

			if (base_money(e->name, e->fields[j].name) &&
			    beside_column(e, &e->fields[j], col, sizeof(col)))
				bad |= json_object_set_new(it, col, json_string(s->base_currency));
		}
		/* decorated, not a model field: an opportunity's amount × probability */
		if (!strcmp(e->name, "opportunity") &&
		    json_is_integer(json_object_get(it, "weighted_amount")))
			bad |= json_object_set_new(
			    it, "weighted_amount",
			    json_real(
			        (double)json_integer_value(json_object_get(it, "weighted_amount")) /
			        (double)money_unit(cur ? cur : s->base_currency)));
	}
	return bad ? KAM_ENOMEM : KAM_OK;
}

/* People as names beside their ids (owner_id gets owner): a file is read by people, who
 * do not know user 7. names caches id → name over the pages of one export. */
static int user_names(struct store_conn *db, const struct model_entity *e, json_t *items,
                      json_t *names)
{
	json_t *it;
	size_t i;
	int rc = KAM_OK;

	json_array_foreach(items, i, it)
	{
		for (size_t j = 0; j < e->nfields; j++) {
			const struct model_field *f = &e->fields[j];
			json_t *v = json_object_get(it, f->name), *name;
			char key[24], col[64];

			if (f->type != MT_REF || base_money(e->name, f->name) ||
			    !beside_column(e, f, col, sizeof(col)))
				continue;
			if (!json_is_integer(v)) {
				if (json_object_set_new(it, col, json_null()) != 0)
					return KAM_ENOMEM;
				continue;
			}
			snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(v));
			if ((name = json_object_get(names, key)) == NULL) {
				json_t *u = NULL;

				/* a user deleted since is no name; a failed read is no export */
				rc = store_get(db, &model_user, json_integer_value(v), &u, NULL);
				name = rc == KAM_OK ? json_object_get(u, "name") : NULL;
				if (rc == KAM_OK || rc == KAM_ENOTFOUND)
					rc = json_object_set(names, key, name ? name : json_null())
					         ? KAM_ENOMEM
					         : KAM_OK;
				json_decref(u);
				if (rc != KAM_OK)
					return rc;
				name = json_object_get(names, key);
			}
			if (json_object_set(it, col, name) != 0)
				return KAM_ENOMEM;
		}
	}
	return rc;
}

int app_export_rows(bool xlsx, const char *sheet, json_t *cols, json_t *items, int *fd,
                    size_t *len)
{
	struct sink k = {0};
	int rc = sink_open(&k, xlsx, sheet, cols);

	*fd = -1;
	*len = 0;
	if (rc == KAM_OK)
		rc = xlsx ? xlsx_rows(&k, items) : csv_rows(&k, items);
	if (rc == KAM_OK)
		rc = sink_finish(&k, fd, len);
	sink_close(&k);
	return rc;
}

int app_export(struct store_conn *db, const struct actor *who, const struct app_list *l,
               const struct app_param *p, size_t n, bool xlsx, json_t *items, char *next,
               int *fd, size_t *len, struct kam_errinfo *ei)
{
	struct sink k = {0};
	struct settings set;
	json_t *names = json_object();
	size_t rows = 0;
	int rc = KAM_OK;

	*fd = -1;
	*len = 0;
	if (items == NULL)
		rc = app_list_page(db, who, l, p, n, NULL, true, &items, &next, ei);
	if (rc != KAM_OK) {
		json_decref(names);
		return rc;
	}
	if ((rc = app_settings_load(db, &set, NULL)) == KAM_OK &&
	    (rc = major_units(&set, l->e, items)) == KAM_OK) {
		if ((rc = user_names(db, l->e, items, names)) == KAM_OK)
			rc = sink_open(&k, xlsx, l->e->table, columns(l->e, items));
	}
	/* a page at a time: memory holds one page of rows, the file holds the rest */
	for (;;) {
		if (rc == KAM_OK && (rows += json_array_size(items)) > APP_EXPORT_MAX) {
			err_detail(ei, "more than %d rows: narrow the filters", APP_EXPORT_MAX);
			rc = KAM_EINVAL;
		}
		if (rc == KAM_OK)
			rc = xlsx ? xlsx_rows(&k, items) : csv_rows(&k, items);
		json_decref(items);
		items = NULL;
		if (rc != KAM_OK || next == NULL)
			break;
		{
			char *cur = next;

			next = NULL;
			rc = app_list_page(db, who, l, p, n, cur, true, &items, &next, ei);
			free(cur);
		}
		if (rc == KAM_OK && (rc = major_units(&set, l->e, items)) == KAM_OK)
			rc = user_names(db, l->e, items, names);
	}
	json_decref(names);
	free(next);
	if (rc == KAM_OK)
		rc = sink_finish(&k, fd, len);
	sink_close(&k);
	return rc;
}
