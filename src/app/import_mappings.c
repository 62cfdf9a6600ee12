/* Import mappings saved by name (the import wizard's "save this mapping"), and how a run
 * finds one: --map NAME, ?mapping=NAME. */
#include <stdlib.h>
#include <string.h>
#include "app/import.h"
#include "store/import.h"

/* The text must be a mapping file kam can read: an object of the known keys only, each of
 * the right shape, its base (if any) a known CRM layout. */
static int check_mapping(const char *text, struct kam_errinfo *ei)
{
	static const char *const keys[] = {"base",     "columns",     "values",
	                                   "defaults", "date_format", NULL};
	json_error_t jerr;
	json_t *m = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *k, *base;
	int rc = KAM_OK;

	if (!json_is_object(m)) {
		err_field(ei, "mapping", "must be a JSON object (a mapping file): %s",
		          m ? "not an object" : jerr.text);
		json_decref(m);
		return KAM_EINVAL;
	}
	json_object_foreach(m, k, v)
	{
		const char *const *p = keys;

		while (*p && strcmp(*p, k) != 0)
			p++;
		if (*p == NULL ||
		    (strcmp(k, "base") && strcmp(k, "date_format") ? !json_is_object(v)
		                                                   : !json_is_string(v))) {
			err_field(ei, "mapping",
			          "%.60s: a mapping has base, columns, values, defaults "
			          "and date_format, objects but for the two strings",
			          k);
			rc = KAM_EINVAL;
			break;
		}
	}
	base = json_string_value(json_object_get(m, "base"));
	if (rc == KAM_OK && base && strcmp(base, "salesforce") && strcmp(base, "hubspot")) {
		err_field(ei, "mapping", "base is salesforce or hubspot");
		rc = KAM_EINVAL;
	}
	json_decref(m);
	return rc;
}

static int mapping_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                           const json_t *before, struct kam_errinfo *ei)
{
	const char *text = json_string_value(json_object_get(rec, "mapping"));

	(void)db;
	if (before == NULL)
		json_object_set_new(rec, "created_by", json_integer(who->user_id));
	return text ? check_mapping(text, ei) : KAM_OK;
}

const struct app_resource res_import_mappings = {
    .e = &model_import_mapping,
    .base = "/api/v1/import-mappings",
    .scope = SCOPE_GLOBAL,
    .prepare = mapping_prepare,
    .conflict = "a mapping of this name exists already",
};

int app_import_use_saved(struct store_conn *db, struct app_import_opts *o, json_t **owned,
                         struct kam_errinfo *ei)
{
	struct store_list q = {.sort = "id", .limit = 1};
	json_t *items = NULL, *row;
	char *next = NULL;
	int rc;

	*owned = NULL;
	if (o->custom || o->mapping == NULL || !strcmp(o->mapping, "salesforce") ||
	    !strcmp(o->mapping, "hubspot"))
		return KAM_OK;
	q.filters = json_pack("{s:s}", "name", o->mapping);
	rc = store_list(db, &model_import_mapping, &q, &items, &next);
	json_decref(q.filters);
	free(next);
	if (rc != KAM_OK)
		goto out;
	row = json_array_get(items, 0);
	if (row == NULL) {
		err_field(ei, "mapping",
		          "is salesforce, hubspot, a mapping file, or the name of a saved mapping "
		          "(GET /api/v1/import-mappings lists them)");
		rc = KAM_EINVAL;
		goto out;
	}
	if (o->kind && strcmp(json_string_value(json_object_get(row, "kind")), o->kind) != 0) {
		err_field(ei, "mapping", "%.100s is a mapping of %s files, not %.40s", o->mapping,
		          json_string_value(json_object_get(row, "kind")), o->kind);
		rc = KAM_EINVAL;
		goto out;
	}
	*owned = json_loads(json_string_value(json_object_get(row, "mapping")), 0, NULL);
	if (*owned == NULL) {
		rc = KAM_EINVAL;
		goto out;
	}
	o->custom = *owned;
	o->mapping = json_string_value(json_object_get(*owned, "base"));
out:
	json_decref(items);
	return rc;
}
