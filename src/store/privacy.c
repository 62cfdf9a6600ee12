#include <stdlib.h>
#include "store/internal.h"
#include "store/privacy.h"
#include "util/buf.h"

/* The first column of every row as an array of integers. */
static int ids(struct store_conn *c, const char *sql, int64_t arg, json_t **out)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db, sql, (struct db_val[]){DB_INT(arg)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	if ((arr = json_array()) == NULL)
		rc = KAM_ENOMEM;
	while (rc >= 0 && (rc = c->ops->next(st)) == 1)
		if (json_array_append_new(arr, json_integer(c->ops->col_int(st, 0))) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return KAM_OK;
}

int store_privacy_refs(struct store_conn *c, int64_t contact_id, json_t **out)
{
	json_t *in = NULL, *sv = NULL;
	int rc =
	    ids(c,
	        "SELECT i.id FROM interactions i JOIN interactions_contact_ids x ON x.entity_id "
	        "= i.id WHERE x.ref_id = ? ORDER BY i.occurred_at, i.id",
	        contact_id, &in);

	if (rc == KAM_OK)
		rc = ids(c, "SELECT id FROM surveys WHERE contact_id = ? ORDER BY answered_on, id",
		         contact_id, &sv);
	if (rc != KAM_OK) {
		json_decref(in);
		return rc;
	}
	/* an export without them would look whole */
	*out = json_pack("{s:o,s:o}", "interactions", in, "surveys", sv);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int store_privacy_blank_surveys(struct store_conn *c, int64_t contact_id, int64_t now, int64_t *n)
{
	int rc = sq_run(c,
	                "UPDATE surveys SET comment = NULL, version = version + 1, updated_at = ? "
	                "WHERE contact_id = ? AND comment IS NOT NULL",
	                (struct db_val[]){DB_INT(now), DB_INT(contact_id)}, 2);

	if (rc == KAM_OK)
		*n = c->ops->changes(c->db);
	return rc;
}

int store_privacy_drop_coverage(struct store_conn *c, int64_t contact_id, int64_t *n)
{
	int rc = sq_run(c, "DELETE FROM coverage WHERE contact_id = ?",
	                (struct db_val[]){DB_INT(contact_id)}, 1);

	if (rc == KAM_OK)
		*n = c->ops->changes(c->db);
	return rc;
}

int store_privacy_audit_rows(struct store_conn *c, int64_t contact_id, json_t **rows)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(
	    c->db,
	    "SELECT id, entity, before, after FROM audit WHERE redacted_at IS NULL AND ((entity "
	    "= 'contact' AND entity_id = ?) OR (entity = 'survey' AND entity_id IN (SELECT id "
	    "FROM surveys WHERE contact_id = ?)) OR (entity = 'coverage' AND entity_id IN (SELECT "
	    "id FROM coverage WHERE contact_id = ?))) ORDER BY id",
	    (struct db_val[]){DB_INT(contact_id), DB_INT(contact_id), DB_INT(contact_id)}, 3, &st);

	if (rc != KAM_OK)
		return rc;
	if ((arr = json_array()) == NULL)
		rc = KAM_ENOMEM;
	while (rc >= 0 && (rc = c->ops->next(st)) == 1) {
		json_error_t eb = {0}, ea = {0};
		json_t *b =
		    c->ops->is_null(st, 2) ? NULL : json_loads(c->ops->col_text(st, 2), 0, &eb);
		json_t *a =
		    c->ops->is_null(st, 3) ? NULL : json_loads(c->ops->col_text(st, 3), 0, &ea);

		/* a row read as null for want of memory would be left unredacted by an erasure */
		if ((!c->ops->is_null(st, 2) && b == NULL &&
		     json_error_code(&eb) == json_error_out_of_memory) ||
		    (!c->ops->is_null(st, 3) && a == NULL &&
		     json_error_code(&ea) == json_error_out_of_memory) ||
		    json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:o}", "id",
		                                         (json_int_t)c->ops->col_int(st, 0),
		                                         "entity", c->ops->col_text(st, 1),
		                                         "before", b ? b : json_null(), "after",
		                                         a ? a : json_null())) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*rows = arr;
	return KAM_OK;
}

int store_privacy_audit_redact(struct store_conn *c, int64_t audit_id, const json_t *before,
                               const json_t *after, int64_t now)
{
	char *b = json_is_null(before) || !before ? NULL
	                                          : buf_json(before, JSON_COMPACT | JSON_SORT_KEYS);
	char *a =
	    json_is_null(after) || !after ? NULL : buf_json(after, JSON_COMPACT | JSON_SORT_KEYS);
	int rc =
	    sq_run(c, "UPDATE audit SET before = ?, after = ?, redacted_at = ? WHERE id = ?",
	           (struct db_val[]){DB_TEXT(b), DB_TEXT(a), DB_INT(now), DB_INT(audit_id)}, 4);

	free(b);
	free(a);
	return rc;
}

int store_privacy_import_reports(struct store_conn *c, int64_t after_id, int limit, json_t **rows)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db,
	                       "SELECT id, errors, ignored_columns FROM imports WHERE id > ? AND "
	                       "(errors <> '[]' OR ignored_columns <> '[]') ORDER BY id LIMIT ?",
	                       (struct db_val[]){DB_INT(after_id), DB_INT(limit)}, 2, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1) {
		json_t *e = json_loads(c->ops->col_text(st, 1), 0, NULL);
		json_t *g = json_loads(c->ops->col_text(st, 2), 0, NULL);

		json_array_append_new(arr, json_pack("{s:I,s:o,s:o}", "id",
		                                     (json_int_t)c->ops->col_int(st, 0), "errors",
		                                     e ? e : json_array(), "ignored_columns",
		                                     g ? g : json_array()));
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*rows = arr;
	return KAM_OK;
}

int store_privacy_import_scrub(struct store_conn *c, int64_t import_id, const json_t *errors,
                               const json_t *ignored, int64_t now)
{
	char *e = buf_json(errors, JSON_COMPACT), *g = buf_json(ignored, JSON_COMPACT);
	int rc =
	    e && g
	        ? sq_run(c,
	                 "UPDATE imports SET errors = ?, ignored_columns = ?, version = "
	                 "version + 1, updated_at = ? WHERE id = ?",
	                 (struct db_val[]){DB_TEXT(e), DB_TEXT(g), DB_INT(now), DB_INT(import_id)},
	                 4)
	        : KAM_ENOMEM;

	free(e);
	free(g);
	return rc;
}
