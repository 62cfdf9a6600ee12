/*
 * Lists as files: ?format=csv|xlsx on any list returns every row the caller may see under
 * the same filters, as RFC 4180 CSV (quoted by libcsv) or an XLSX workbook (libxlsxwriter).
 * Cells that a spreadsheet would take for a formula (= + - @ tab CR) are neutralised in CSV
 * with a leading apostrophe; XLSX cells are written as typed strings, which never evaluate.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "api/api.h"
#include "kam/settings.h"
#include "kam/importfmt.h"
#include "kam/importmap.h"

/* The columns: the entity's visible fields in model order, then computed keys of the rows. */
static json_t *columns(const struct model_entity *e, json_t *items)
{
	json_t *cols = json_array(), *seen = json_object(), *it, *v;
	const char *k;
	size_t i;

	for (size_t j = 0; j < e->nfields; j++)
		if (!(e->fields[j].flags & MF_INTERNAL)) {
			json_array_append_new(cols, json_string(e->fields[j].name));
			json_object_set_new(seen, e->fields[j].name, json_true());
		}
	json_array_foreach(items, i, it)
	{
		if (i >= 50)
			break;
		json_object_foreach(it, k, v) if (!json_object_get(seen, k))
		{
			json_array_append_new(cols, json_string(k));
			json_object_set_new(seen, k, json_true());
		}
	}
	json_decref(seen);
	return cols;
}

/* A cell as text (*owned set when the caller must free it). */
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
		size_t i, n = 0, cap = 256;
		json_t *x;
		char *s = malloc(cap);

		if (s == NULL)
			return "";
		s[0] = '\0';
		json_array_foreach(v, i, x)
		{
			char b[64], *o;
			const char *t = json_is_object(x) || json_is_array(x)
			                    ? "…"
			                    : cell_text(x, b, sizeof(b), &o);
			size_t need = n + strlen(t) + 3;

			if (need > cap) {
				char *p = realloc(s, need * 2);

				if (p == NULL)
					break;
				s = p;
				cap = need * 2;
			}
			n += (size_t)snprintf(s + n, cap - n, "%s%s", i ? "; " : "", t);
		}
		*owned = s;
		return s;
	}
	*owned = json_dumps(v, JSON_COMPACT);
	return *owned ? *owned : "";
}

struct buf {
	char *p;
	size_t n, cap;
};

static int put(struct buf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		size_t cap = (b->n + len + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL)
			return KAM_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	return KAM_OK;
}

/* One CSV field, quoted by libcsv; a formula-like text gets a leading apostrophe first. */
static int put_field(struct buf *b, const char *s, bool first)
{
	size_t len = strlen(s), need;
	char *src = NULL, *dst;
	int rc;

	if (!first && (rc = put(b, ",", 1)) != KAM_OK)
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
	rc = put(b, dst, csv_write(dst, need, s, len));
	free(dst);
	free(src);
	return rc;
}

static int to_csv(json_t *cols, json_t *items, struct buf *b)
{
	json_t *it, *c;
	size_t i, j;
	int rc = put(b, "\xef\xbb\xbf", 3); /* a BOM: spreadsheets then read UTF-8 as UTF-8 */

	json_array_foreach(cols, j, c) if (rc == KAM_OK) rc =
	    put_field(b, json_string_value(c), j == 0);
	if (rc == KAM_OK)
		rc = put(b, "\r\n", 2);
	json_array_foreach(items, i, it)
	{
		json_array_foreach(cols, j, c)
		{
			char tmp[64], *owned;
			const char *t = cell_text(json_object_get(it, json_string_value(c)), tmp,
			                          sizeof(tmp), &owned);

			if (rc == KAM_OK)
				rc = put_field(b, t, j == 0);
			free(owned);
		}
		if (rc == KAM_OK)
			rc = put(b, "\r\n", 2);
	}
	return rc;
}

static int to_xlsx(const char *sheet, json_t *cols, json_t *items, struct buf *b)
{
	char path[] = "/tmp/kam-export-XXXXXX";
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	json_t *it, *c;
	size_t i, j;
	FILE *f;
	int fd = mkstemp(path), rc = KAM_OK;

	if (fd < 0)
		return KAM_EDB;
	close(fd);
	if ((wb = workbook_new_opt(path, &opt)) == NULL) {
		unlink(path);
		return KAM_ENOMEM;
	}
	ws = workbook_add_worksheet(wb, sheet);
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	json_array_foreach(cols, j, c)
	    worksheet_write_string(ws, 0, (lxw_col_t)j, json_string_value(c), bold);
	json_array_foreach(items, i, it)
	{
		json_array_foreach(cols, j, c)
		{
			json_t *v = json_object_get(it, json_string_value(c));
			lxw_row_t row = (lxw_row_t)(i + 1);

			if (json_is_integer(v) || json_is_real(v)) {
				worksheet_write_number(ws, row, (lxw_col_t)j, json_number_value(v),
				                       NULL);
			} else if (json_is_boolean(v)) {
				worksheet_write_boolean(ws, row, (lxw_col_t)j, json_is_true(v),
				                        NULL);
			} else if (v && !json_is_null(v)) {
				char tmp[64], *owned;

				/* a string cell: Excel shows "=1+1" as text and never evaluates it
				 */
				worksheet_write_string(ws, row, (lxw_col_t)j,
				                       cell_text(v, tmp, sizeof(tmp), &owned),
				                       NULL);
				free(owned);
			}
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
	if (workbook_close(wb) != LXW_NO_ERROR)
		rc = KAM_EDB;
	if (rc == KAM_OK && (f = fopen(path, "rb")) != NULL) {
		char chunk[65536];
		size_t n;

		while (rc == KAM_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			rc = put(b, chunk, n);
		fclose(f);
	} else if (rc == KAM_OK) {
		rc = KAM_EDB;
	}
	unlink(path);
	return rc;
}

/* Money in files is in major units (1054.00), as people and spreadsheets read it; the
 * JSON API keeps minor units. amount_base is in the base currency. */
static void major_units(struct req *rq, const struct model_entity *e, json_t *items)
{
	struct settings s;
	json_t *it;
	size_t i;

	if (api_settings_load(rq, &s, NULL) != KAM_OK)
		snprintf(s.base_currency, sizeof(s.base_currency), "EUR");
	json_array_foreach(items, i, it)
	{
		const char *cur = json_string_value(json_object_get(it, "currency"));

		for (size_t j = 0; j < e->nfields; j++) {
			const char *f = e->fields[j].name;
			json_t *v = json_object_get(it, f);
			int digits;
			double div = 1;

			if (!json_is_integer(v) || !imp_money_field(e->name, f))
				continue;
			digits = imp_minor_digits(
			    !strcmp(f, "amount_base") || !cur ? s.base_currency : cur);
			for (int d = 0; d < digits; d++)
				div *= 10;
			json_object_set_new(it, f, json_real((double)json_integer_value(v) / div));
		}
	}
}

int api_export(struct req *rq, struct resp *rs, const struct model_entity *e, json_t *items)
{
	const char *format = http_query(rq, "format");
	bool xlsx = !strcmp(format, "xlsx");
	json_t *cols;
	struct buf b = {NULL, 0, 0};
	char disp[160];
	int rc;

	major_units(rq, e, items);
	cols = columns(e, items);
	rc = xlsx ? to_xlsx(e->table, cols, items, &b) : to_csv(cols, items, &b);

	json_decref(cols);
	json_decref(items);
	if (rc != KAM_OK) {
		free(b.p);
		return http_reply_err(rs, rc, NULL), rc;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", e->table, format);
	http_header(rs, "Content-Disposition", disp);
	rc = http_reply_bytes(
	    rs, 200,
	    xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	         : "text/csv; charset=utf-8",
	    b.p, b.n);
	free(b.p);
	return rc;
}
