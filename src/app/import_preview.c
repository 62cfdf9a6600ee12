/*
 * The import engine, part five: what the import wizard shows before anything is written.
 * A preview is a dry run that also says how each column was read (its field, a few sample
 * values, the date order it decided, a suggestion for a column it does not know), which
 * picklist values it cannot place, and the first rows as they would be stored.
 */
#include <stdio.h>
#include <string.h>
#include "app/import_internal.h"
#include "kam/importfmt.h"
#include "kam/importmap.h"

#define PREVIEW_ROWS 20
#define PREVIEW_SAMPLES 3
#define PREVIEW_VALUES 50 /* distinct picklist values listed per column */

static const char *datefmt_name(int f)
{
	return f == IMP_DATE_MDY ? "M/D/YYYY" : f == IMP_DATE_DMY ? "D/M/YYYY" : "YYYY-MM-DD";
}

/* The field whose name is closest to an unknown header ("acount name" → name), or NULL. */
static const char *closest_field(const struct imp *im, const char *key)
{
	const char *best = NULL;
	int best_d = 3;

	for (size_t i = 0; i < im->e->nfields; i++) {
		const struct model_field *f = &im->e->fields[i];
		int d;

		if (f->flags & (MF_READONLY | MF_INTERNAL))
			continue;
		d = imp_distance(key, f->name, best_d - 1);
		if (d < best_d) {
			best_d = d;
			best = f->name;
		}
	}
	return best;
}

/* How a picklist value of the file reads in kam: itself, the CRM tables' value, the mapping
 * file's, or NULL when none. */
static const char *placed(const struct imp *im, const struct col *c, const char *v, char *buf,
                          size_t len)
{
	json_t *vals = json_object_get(json_object_get(im->o->custom, "values"), c->f->name);
	const char *m;

	if (json_is_string(json_object_get(vals, v)))
		return json_string_value(json_object_get(vals, v));
	imp_key(v, buf, len);
	if (model_enum_has(c->f->values, buf))
		return buf;
	m = imp_map_value(c->f->name, buf);
	return m && model_enum_has(c->f->values, m) ? m : NULL;
}

/* What a column of this kind may be mapped to: its fields, references by their names. */
static json_t *targets_of(const struct imp *im)
{
	static const struct {
		const char *field, *target;
	} refs[] = {{"account_id", "account"},   {"owner_id", "owner"},
	            {"relationship_owner_id", "owner"}, {"product_id", "product"},
	            {"parent_id", "parent"},     {"manager_id", "manager"},
	            {"reports_to_id", "reports_to"}, {"contact_id", "contact"},
	            {"unit_id", "unit"},         {"user_ids", "users"},
	            {"contact_ids", "contacts"}, {"product_ids", "products"}, {"user_id", "owner"}};
	json_t *out = json_array();

	for (size_t i = 0; i < im->e->nfields; i++) {
		const struct model_field *f = &im->e->fields[i];
		const char *t = f->name;

		if (f->flags & (MF_READONLY | MF_INTERNAL))
			continue;
		for (size_t k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
			if (!strcmp(refs[k].field, f->name))
				t = refs[k].target;
		if (f->type == MT_REF && t == f->name)
			continue; /* a reference the importer does not look up by name */
		json_array_append_new(out, json_string(t));
	}
	return out;
}

int imp_preview_columns(struct imp *im)
{
	json_t *cols = json_array(), *picks = json_array();

	if (cols == NULL || picks == NULL)
		goto fail;
	json_object_set_new(im->o->preview, "targets", targets_of(im));
	for (size_t i = 0; i < im->ncols; i++) {
		const struct col *c = &im->cols[i];
		json_t *samples = json_array(), *o;
		char key[128];

		for (size_t r = 1; r < im->nrows && json_array_size(samples) < PREVIEW_SAMPLES;
		     r++) {
			const char *v = i < im->rows[r].n ? im->rows[r].v[i] : "";
			bool seen = false;
			json_t *s;
			size_t k;

			json_array_foreach(samples, k, s) seen |= !strcmp(json_string_value(s), v);
			if (*v && !seen)
				json_array_append_new(samples, json_stringn(v, strnlen(v, 100)));
		}
		imp_key(c->header, key, sizeof(key));
		o = json_pack("{s:s,s:s?,s:s?,s:o}", "header", c->header, "target", c->target,
		              "field", c->f ? c->f->name : NULL, "samples", samples);
		if (o == NULL)
			goto fail;
		if (c->f && (c->f->type == MT_DATE || c->f->type == MT_TIME))
			json_object_set_new(o, "date_format",
			                    json_string(datefmt_name(c->datefmt)));
		if (c->target == NULL && closest_field(im, key))
			json_object_set_new(o, "suggestion", json_string(closest_field(im, key)));
		json_array_append_new(cols, o);
		if (c->f && c->f->type == MT_ENUM && !c->ref) {
			json_t *values = json_object(), *list = json_array(), *n;
			const char *v;
			char buf[200];

			for (size_t r = 1; r < im->nrows; r++) {
				v = i < im->rows[r].n ? im->rows[r].v[i] : "";
				if (*v == '\0' || (json_object_size(values) >= PREVIEW_VALUES &&
				                   !json_object_get(values, v)))
					continue;
				n = json_object_get(values, v);
				json_object_set_new(values, v,
				                    json_integer(json_integer_value(n) + 1));
			}
			json_object_foreach(values, v, n)
			{
				const char *to = placed(im, c, v, buf, sizeof(buf));

				json_array_append_new(list, json_pack("{s:s,s:I,s:s?}", "value", v,
				                                      "rows", json_integer_value(n),
				                                      "as", to));
			}
			json_decref(values);
			n = json_array();
			for (const char *const *a = c->f->values; *a; a++)
				json_array_append_new(n, json_string(*a));
			json_array_append_new(picks, json_pack("{s:s,s:s,s:o,s:o}", "column",
			                                       c->header, "field", c->f->name,
			                                       "values", list, "allowed", n));
		}
	}
	json_object_set_new(im->o->preview, "columns", cols);
	json_object_set_new(im->o->preview, "picklists", picks);
	json_object_set_new(im->o->preview, "rows", json_array());
	return KAM_OK;
fail:
	json_decref(cols);
	json_decref(picks);
	return KAM_ENOMEM;
}

void imp_preview_row(struct imp *im, const struct row *r, const json_t *rec, bool rejected)
{
	json_t *rows = json_object_get(im->o->preview, "rows");

	if (rows == NULL || json_array_size(rows) >= PREVIEW_ROWS)
		return;
	json_array_append_new(rows,
	                      json_pack("{s:I,s:O,s:b}", "line", (json_int_t)r->line, "record",
	                                rec ? rec : json_null(), "rejected", rejected));
}
