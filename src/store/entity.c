/*
 * Generic records: SQL derived from a model_entity. Column names come only from the model;
 * every value is a bound parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kam/date.h"
#include "store/internal.h"
#include "util/buf.h"
#include "util/time.h"

#define SQL_MAX 4096
#define MAX_ARGS 48

struct sqlbuf {
	char s[SQL_MAX];
	size_t n;
	bool overflow;
};

static void sb_add(struct sqlbuf *b, const char *s)
{
	size_t l = strlen(s);

	if (b->n + l >= sizeof(b->s)) {
		b->overflow = true;
		return;
	}
	memcpy(b->s + b->n, s, l + 1);
	b->n += l;
}

static bool is_column(const struct model_field *f)
{
	return f->type != MT_TAGS && f->type != MT_REFS;
}

/* Columns the server stamps itself on every insert or update. */
static bool is_stamp(const struct model_field *f)
{
	return strcmp(f->name, "id") == 0 || strcmp(f->name, "created_at") == 0 ||
	       strcmp(f->name, "updated_at") == 0;
}

static bool is_visible(const struct model_field *f)
{
	return !(f->flags & MF_INTERNAL);
}

/* SELECT list of the visible columns, then version. */
static void select_cols(struct sqlbuf *b, const struct model_entity *e)
{
	bool first = true;

	for (size_t i = 0; i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];

		if (!is_column(f) || !is_visible(f))
			continue;
		if (!first)
			sb_add(b, ", ");
		sb_add(b, f->name);
		first = false;
	}
	sb_add(b, ", version");
}

/* Reads a list kept beside the row: tags (strings) or refs (ids) of field f. */
static int load_list(struct store_conn *c, const struct model_entity *e,
		     const struct model_field *f, int64_t id, json_t *obj)
{
	char sql[256];
	struct db_stmt *st;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL)
		return KAM_ENOMEM;
	if (f->type == MT_TAGS)
		snprintf(sql, sizeof(sql), "SELECT tag FROM %s_tags WHERE entity_id = ? ORDER BY tag",
			 e->table);
	else
		snprintf(sql, sizeof(sql), "SELECT ref_id FROM %s_%s WHERE entity_id = ? ORDER BY ref_id",
			 e->table, f->name);
	rc = c->ops->query(c->db, sql, (struct db_val[]){DB_INT(id)}, 1, &st);
	if (rc != KAM_OK)
		goto out;
	while ((rc = c->ops->next(st)) == 1)
		if (json_array_append_new(arr, f->type == MT_TAGS
		                                   ? json_string(c->ops->col_text(st, 0))
		                                   : json_integer(c->ops->col_int(st, 0))) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	c->ops->done(st);
	if (rc == 0)
		rc = json_object_set(obj, f->name, arr) == 0 ? KAM_OK : KAM_ENOMEM;
out:
	json_decref(arr);
	return rc;
}

static int load_lists(struct store_conn *c, const struct model_entity *e, int64_t id, json_t *obj)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < e->nfields && rc == KAM_OK; i++)
		if (!is_column(&e->fields[i]))
			rc = load_list(c, e, &e->fields[i], id, obj);
	return rc;
}

/* The lists kept beside the rows of a page (tags, refs), one query per list field for the
 * whole page instead of one per row: a page of 500 accounts is two queries, not 501. */
static int load_page_lists(struct store_conn *c, const struct model_entity *e, json_t *rows)
{
	size_t n = json_array_size(rows), slots, i;
	struct db_val *ids = NULL;
	json_t *byid = NULL, *row;
	int rc = KAM_OK;

	if (n == 0)
		return KAM_OK;
	/* a few statement shapes, not one per page size (each would take a cache slot): the
	 * spare placeholders are bound to id 0, which no row has */
	slots = n <= 8 ? 8 : n <= 64 ? 64 : n <= 512 ? 512 : n;
	if ((ids = calloc(slots, sizeof(*ids))) == NULL || (byid = json_object()) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (i = n; i < slots; i++)
		ids[i] = DB_INT(0);
	json_array_foreach(rows, i, row)
	{
		char key[24];

		ids[i] = DB_INT(json_integer_value(json_object_get(row, "id")));
		snprintf(key, sizeof(key), "%lld", (long long)ids[i].i);
		if (json_object_set(byid, key, row) != 0) {
			rc = KAM_ENOMEM;
			goto out;
		}
	}
	for (size_t j = 0; j < e->nfields && rc == KAM_OK; j++) {
		const struct model_field *f = &e->fields[j];
		struct buf sql = {0};
		struct db_stmt *st;

		if (is_column(f))
			continue;
		json_array_foreach(rows, i, row)
		{
			if (json_object_set_new(row, f->name, json_array()) != 0)
				rc = KAM_ENOMEM;
		}
		if (rc != KAM_OK)
			break;
		/* the ids are bound, one placeholder each; only names from the model are written */
		if (f->type == MT_TAGS)
			buf_printf(&sql, "SELECT entity_id, tag FROM %s_tags WHERE entity_id IN (?",
			           e->table);
		else
			buf_printf(&sql, "SELECT entity_id, ref_id FROM %s_%s WHERE entity_id IN (?",
			           e->table, f->name);
		for (i = 1; i < slots; i++)
			buf_puts(&sql, ",?");
		buf_puts(&sql, f->type == MT_TAGS ? ") ORDER BY entity_id, tag"
		                                  : ") ORDER BY entity_id, ref_id");
		if (sql.err)
			rc = sql.err;
		else
			rc = c->ops->query(c->db, sql.data, ids, (int)slots, &st);
		buf_free(&sql);
		if (rc != KAM_OK)
			break;
		while ((rc = c->ops->next(st)) == 1) {
			char key[24];
			json_t *to;

			snprintf(key, sizeof(key), "%lld", (long long)c->ops->col_int(st, 0));
			to = json_object_get(json_object_get(byid, key), f->name);
			if (json_array_append_new(to, f->type == MT_TAGS
			                                  ? json_string(c->ops->col_text(st, 1))
			                                  : json_integer(c->ops->col_int(st, 1))) !=
			    0) {
				rc = KAM_ENOMEM;
				break;
			}
		}
		c->ops->done(st);
		rc = rc < 0 ? rc : KAM_OK;
	}
out:
	json_decref(byid);
	free(ids);
	return rc;
}

/* Builds the JSON of the current row (columns in select_cols order); *version gets its version.
 * NULL when out of memory: a record missing a field must not pass for the whole one. */
static json_t *row_json(struct store_conn *c, const struct model_entity *e, struct db_stmt *st,
			int64_t *version)
{
	json_t *obj = json_object();
	int col = 0;

	for (size_t i = 0; obj && i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];
		json_t *v;

		if (!is_column(f) || !is_visible(f))
			continue;
		if (c->ops->is_null(st, col)) {
			v = json_null();
		} else {
			switch (f->type) {
			case MT_INT:
			case MT_REF:
				v = json_integer(c->ops->col_int(st, col));
				break;
			case MT_BOOL:
				v = json_boolean(c->ops->col_int(st, col) != 0);
				break;
			case MT_NUM:
				v = json_real(c->ops->col_real(st, col));
				break;
			case MT_TIME: {
				char ts[32];

				time_rfc3339(c->ops->col_int(st, col), ts, sizeof(ts));
				v = json_string(ts);
				break;
			}
			default:
				v = json_string(c->ops->col_text(st, col));
				break;
			}
		}
		if (json_object_set_new(obj, f->name, v) != 0) {
			json_decref(obj);
			return NULL;
		}
		col++;
	}
	if (version)
		*version = c->ops->col_int(st, col);
	return obj;
}


static int get_row(struct store_conn *c, const struct model_entity *e, int64_t id, json_t **out,
		   int64_t *version, bool lock)
{
	struct sqlbuf b = {.n = 0};
	struct db_stmt *st;
	json_t *obj = NULL;
	int rc;

	sb_add(&b, "SELECT ");
	select_cols(&b, e);
	sb_add(&b, " FROM ");
	sb_add(&b, e->table);
	sb_add(&b, " WHERE id = ?");
	if (lock)
		sb_add(&b, c->ops->for_update);
	rc = c->ops->query(c->db, b.s, (struct db_val[]){DB_INT(id)}, 1, &st);
	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1 && (obj = row_json(c, e, st, version)) == NULL)
		rc = KAM_ENOMEM;
	c->ops->done(st);
	if (rc == 0)
		return KAM_ENOTFOUND;
	if (rc < 0)
		return rc;
	if ((rc = load_lists(c, e, id, obj)) != KAM_OK) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return KAM_OK;
}

int store_get(struct store_conn *c, const struct model_entity *e, int64_t id, json_t **out,
	      int64_t *version)
{
	return get_row(c, e, id, out, version, false);
}

int store_get_locked(struct store_conn *c, const struct model_entity *e, int64_t id,
		     json_t **out, int64_t *version)
{
	return get_row(c, e, id, out, version, true);
}

int store_get_keyed(struct store_conn *c, const struct model_entity *e, const char *field,
                    const char *const *keys, size_t n, json_t **rows)
{
	const struct model_field *f = model_field_find(e, field);
	struct sqlbuf b = {.n = 0};
	struct buf arg = {0};
	struct db_stmt *st;
	json_t *out = json_array(), *obj;
	int rc;

	*rows = NULL;
	if (out == NULL)
		return KAM_ENOMEM;
	if (f == NULL || !is_column(f)) {
		json_decref(out);
		return KAM_EINVAL;
	}
	if (n == 0) {
		*rows = out;
		return KAM_OK;
	}
	/* the keys travel as one JSON array parameter, so the statement text is the same for
	 * every batch: SQLite unpacks it with json_each, PostgreSQL with
	 * json_array_elements_text into an array for ANY; both probe the column's index once
	 * per key */
	{
		json_t *arr = json_array();

		rc = arr ? KAM_OK : KAM_ENOMEM;
		for (size_t i = 0; i < n && rc == KAM_OK; i++)
			if (json_array_append_new(arr, json_string(keys[i])) != 0)
				rc = KAM_ENOMEM;
		if (rc == KAM_OK) {
			char *s = json_dumps(arr, JSON_COMPACT);

			rc = s ? buf_puts(&arg, s) : KAM_ENOMEM;
			free(s);
		}
		json_decref(arr);
	}
	if (rc == KAM_OK && arg.err)
		rc = arg.err;
	if (rc != KAM_OK)
		goto out;
	sb_add(&b, "SELECT ");
	select_cols(&b, e);
	sb_add(&b, " FROM ");
	sb_add(&b, e->table);
	sb_add(&b, " WHERE ");
	sb_add(&b, f->name);
	sb_add(&b, store_remote(c) ? " = ANY(ARRAY(SELECT json_array_elements_text(?::json)))"
	                           : " IN (SELECT value FROM json_each(?))");
	if (b.overflow) {
		rc = KAM_EINVAL;
		goto out;
	}
	rc = c->ops->query(c->db, b.s, (struct db_val[]){DB_TEXT(arg.data)}, 1, &st);
	if (rc != KAM_OK)
		goto out;
	while ((rc = c->ops->next(st)) == 1) {
		if ((obj = row_json(c, e, st, NULL)) == NULL ||
		    json_array_append_new(out, obj) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	c->ops->done(st);
	if (rc == 0)
		rc = load_page_lists(c, e, out);
out:
	buf_free(&arg);
	if (rc == KAM_OK)
		*rows = out;
	else
		json_decref(out);
	return rc;
}

/* The one list field kept beside e's rows (tags or refs), or NULL when it has none or
 * several: that one is read in the row's statement, by a join. */
static const struct model_field *joined_list(const struct model_entity *e)
{
	const struct model_field *one = NULL;

	for (size_t i = 0; i < e->nfields; i++) {
		if (is_column(&e->fields[i]))
			continue;
		if (one)
			return NULL;
		one = &e->fields[i];
	}
	return one;
}

int store_get_seen(struct store_conn *c, const struct model_entity *e, int64_t id,
                   struct store_seen *seen, json_t **out, int64_t *version)
{
	const struct model_field *lf = joined_list(e);
	struct sqlbuf b = {.n = 0};
	struct db_stmt *st;
	json_t *obj = NULL, *list = NULL;
	int rc, ncols = 0, rows = 0;
	bool span = seen->revenue_span;

	/* the record, its account's existence, ownership and team (and revenue span), then
	 * its tags or refs joined on: one row per list item, the record's columns repeated */
	sb_add(&b, "SELECT r.*");
	if (lf)
		sb_add(&b, lf->type == MT_TAGS ? ", l.tag" : ", l.ref_id");
	sb_add(&b, " FROM (SELECT ");
	select_cols(&b, e);
	sb_add(&b, ", EXISTS (SELECT 1 FROM accounts a WHERE a.id = x.");
	sb_add(&b, seen->account);
	sb_add(&b, ") AS kam_account, EXISTS (SELECT 1 FROM accounts a WHERE a.id = x.");
	sb_add(&b, seen->account);
	sb_add(&b, " AND a.owner_id = ?) AS kam_owner, EXISTS (SELECT 1 FROM account_team m "
	           "WHERE m.account_id = x.");
	sb_add(&b, seen->account);
	sb_add(&b, " AND m.user_id = ?) AS kam_team");
	if (span) {
		/* each an index probe: the first month, and the last with revenue from the end */
		sb_add(&b, ", coalesce((SELECT month FROM revenue_account_monthly v WHERE "
		           "v.account_id = x.");
		sb_add(&b, seen->account);
		sb_add(&b, " ORDER BY month LIMIT 1), '') AS kam_first, coalesce((SELECT month FROM "
		           "revenue_account_monthly v WHERE v.account_id = x.");
		sb_add(&b, seen->account);
		sb_add(&b, " AND v.amount <> 0 ORDER BY month DESC LIMIT 1), '') AS kam_last");
	}
	sb_add(&b, " FROM ");
	sb_add(&b, e->table);
	sb_add(&b, " x WHERE x.id = ?) r");
	if (lf) {
		sb_add(&b, " LEFT JOIN ");
		sb_add(&b, e->table);
		sb_add(&b, "_");
		sb_add(&b, lf->type == MT_TAGS ? "tags" : lf->name);
		sb_add(&b, lf->type == MT_TAGS ? " l ON l.entity_id = ? ORDER BY l.tag"
		                               : " l ON l.entity_id = ? ORDER BY l.ref_id");
	}
	if (b.overflow)
		return KAM_EINVAL;
	rc = c->ops->query(
	    c->db, b.s,
	    (struct db_val[]){DB_INT(seen->user_id), DB_INT(seen->user_id), DB_INT(id), DB_INT(id)},
	    lf ? 4 : 3, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		if (rows++ == 0) {
			int x;

			if ((obj = row_json(c, e, st, version)) == NULL) {
				rc = KAM_ENOMEM;
				break;
			}
			ncols = c->ops->ncols(st);
			x = ncols - (lf ? 1 : 0) - (span ? 2 : 0) - 3;
			if (c->ops->col_int(st, x) ==
			    0) { /* its account is gone: no record either */
				rc = KAM_ENOTFOUND;
				break;
			}
			seen->owner = c->ops->col_int(st, x + 1) != 0;
			seen->on_team = c->ops->col_int(st, x + 2) != 0;
			if (span) {
				snprintf(seen->first_month, sizeof(seen->first_month), "%s",
				         c->ops->col_text(st, x + 3));
				snprintf(seen->last_month, sizeof(seen->last_month), "%s",
				         c->ops->col_text(st, x + 4));
			}
			if (lf && ((list = json_array()) == NULL ||
			           json_object_set_new(obj, lf->name, list) != 0)) {
				rc = KAM_ENOMEM;
				break;
			}
		}
		if (lf && !c->ops->is_null(st, ncols - 1) &&
		    json_array_append_new(
		        list, lf->type == MT_TAGS
		                  ? json_string(c->ops->col_text(st, ncols - 1))
		                  : json_integer(c->ops->col_int(st, ncols - 1))) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	c->ops->done(st);
	if (rc == 0 && rows == 0)
		rc = KAM_ENOTFOUND;
	if (rc < 0) {
		json_decref(obj);
		return rc;
	}
	if (!lf && (rc = load_lists(c, e, id, obj)) != KAM_OK) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return KAM_OK;
}

static struct db_val json_val(const json_t *v)
{
	if (json_is_integer(v))
		return DB_INT(json_integer_value(v));
	if (json_is_real(v))
		return DB_REAL(json_real_value(v));
	if (json_is_boolean(v))
		return DB_INT(json_is_true(v) ? 1 : 0);
	if (json_is_string(v))
		return DB_TEXT(json_string_value(v));
	return DB_NULL;
}

/* Replaces the tags or refs of field f kept beside row id. */
static int write_list(struct store_conn *c, const struct model_entity *e,
		      const struct model_field *f, int64_t id, const json_t *vals)
{
	char del[256], ins[256];
	size_t i;
	json_t *t;
	int rc;

	if (f->type == MT_TAGS) {
		snprintf(del, sizeof(del), "DELETE FROM %s_tags WHERE entity_id = ?", e->table);
		snprintf(ins, sizeof(ins),
			 "INSERT INTO %s_tags (entity_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
			 e->table);
	} else {
		snprintf(del, sizeof(del), "DELETE FROM %s_%s WHERE entity_id = ?", e->table, f->name);
		snprintf(ins, sizeof(ins),
			 "INSERT INTO %s_%s (entity_id, ref_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
			 e->table, f->name);
	}
	if ((rc = sq_run(c, del, (struct db_val[]){DB_INT(id)}, 1)) != KAM_OK)
		return rc;
	json_array_foreach(vals, i, t)
	{
		rc = sq_run(c, ins, (struct db_val[]){DB_INT(id), json_val(t)}, 2);
		if (rc != KAM_OK)
			return rc;
	}
	return KAM_OK;
}

static int write_lists(struct store_conn *c, const struct model_entity *e, int64_t id,
		       const json_t *rec)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < e->nfields && rc == KAM_OK; i++) {
		const json_t *v = json_object_get(rec, e->fields[i].name);

		if (!is_column(&e->fields[i]) && json_is_array(v))
			rc = write_list(c, e, &e->fields[i], id, v);
	}
	return rc;
}

/* The database value of a field: timestamps arrive as RFC 3339 text and are kept as seconds. */
static struct db_val field_val(const struct model_field *f, const json_t *v)
{
	int64_t t;

	if (f->type == MT_TIME && json_is_string(v) &&
	    date_parse_time(json_string_value(v), &t) == KAM_OK)
		return DB_INT(t);
	return json_val(v);
}

static bool has_field(const struct model_entity *e, const char *name)
{
	return model_field_find(e, name) != NULL;
}

int store_insert(struct store_conn *c, const struct model_entity *e, const json_t *rec,
		 int64_t now, int64_t *id)
{
	struct sqlbuf b = {.n = 0}, vals = {.n = 0};
	struct db_val args[MAX_ARGS];
	int n = 0, rc;

	sb_add(&b, "INSERT INTO ");
	sb_add(&b, e->table);
	sb_add(&b, " (");
	for (size_t i = 0; i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];
		const json_t *v = json_object_get(rec, f->name);

		if (v == NULL || is_stamp(f) || !is_column(f))
			continue;
		if (n >= MAX_ARGS - 2)
			return KAM_EINVAL;
		sb_add(&b, n ? ", " : "");
		sb_add(&b, f->name);
		sb_add(&vals, n ? ", ?" : "?");
		args[n++] = field_val(f, v);
	}
	if (has_field(e, "created_at")) {
		sb_add(&b, n ? ", created_at, updated_at" : "created_at, updated_at");
		sb_add(&vals, n ? ", ?, ?" : "?, ?");
		args[n++] = DB_INT(now);
		args[n++] = DB_INT(now);
	}
	sb_add(&b, ") VALUES (");
	sb_add(&b, vals.s);
	sb_add(&b, ") RETURNING id");
	if (b.overflow)
		return KAM_EINVAL;
	rc = sq_int(c, b.s, args, n, id);
	if (rc == KAM_OK)
		rc = write_lists(c, e, *id, rec);
	return rc;
}

/* After an UPDATE or DELETE changed nothing: gone (404) or changed meanwhile (412)? */
static int why_unchanged(struct store_conn *c, const struct model_entity *e, int64_t id)
{
	char sql[128];
	int64_t one;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", e->table);
	rc = sq_int(c, sql, (struct db_val[]){DB_INT(id)}, 1, &one);
	return rc == KAM_OK ? KAM_ESTALE : rc;
}

int store_update(struct store_conn *c, const struct model_entity *e, int64_t id,
		 const json_t *rec, int64_t version, int64_t now)
{
	struct sqlbuf b = {.n = 0};
	struct db_val args[MAX_ARGS];
	int n = 0, rc;

	sb_add(&b, "UPDATE ");
	sb_add(&b, e->table);
	sb_add(&b, " SET version = version + 1");
	for (size_t i = 0; i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];
		const json_t *v = json_object_get(rec, f->name);

		if (v == NULL || is_stamp(f) || !is_column(f))
			continue;
		if (n >= MAX_ARGS - 3)
			return KAM_EINVAL;
		sb_add(&b, ", ");
		sb_add(&b, f->name);
		sb_add(&b, " = ?");
		args[n++] = field_val(f, v);
	}
	if (has_field(e, "updated_at")) {
		sb_add(&b, ", updated_at = ?");
		args[n++] = DB_INT(now);
	}
	sb_add(&b, " WHERE id = ?");
	args[n++] = DB_INT(id);
	if (version >= 0) {
		sb_add(&b, " AND version = ?");
		args[n++] = DB_INT(version);
	}
	if (b.overflow)
		return KAM_EINVAL;
	if ((rc = sq_run(c, b.s, args, n)) != KAM_OK)
		return rc;
	if (c->ops->changes(c->db) == 0)
		return why_unchanged(c, e, id);
	return write_lists(c, e, id, rec);
}

int store_delete(struct store_conn *c, const struct model_entity *e, int64_t id, int64_t version)
{
	char sql[160];
	int rc;

	if (version >= 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ? AND version = ?", e->table);
		rc = sq_run(c, sql, (struct db_val[]){DB_INT(id), DB_INT(version)}, 2);
	} else {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", e->table);
		rc = sq_run(c, sql, (struct db_val[]){DB_INT(id)}, 1);
	}
	if (rc != KAM_OK)
		return rc;
	return c->ops->changes(c->db) == 0 ? why_unchanged(c, e, id) : KAM_OK;
}

/* Cursors are base64url JSON [sort value, id]: opaque to clients, checked on the way back. */
static char *cursor_encode(const json_t *sortv, int64_t id)
{
	json_t *arr = json_pack("[O,I]", sortv, (json_int_t)id);
	char *js = buf_json(arr, JSON_COMPACT), *out = NULL;
	size_t l, ol;

	json_decref(arr);
	if (js == NULL)
		return NULL;
	l = strlen(js);
	ol = sodium_base64_ENCODED_LEN(l, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = malloc(ol);
	if (out)
		sodium_bin2base64(out, ol, (unsigned char *)js, l,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	free(js);
	return out;
}

/* want: 'i' integer, 's' string, 'n' any number */
static int cursor_decode(const char *cur, char want, json_t **sortv, int64_t *id)
{
	unsigned char raw[1024];
	size_t l;
	json_t *arr;
	int rc = KAM_EINVAL;

	if (strlen(cur) > 1300 ||
	    sodium_base642bin(raw, sizeof(raw) - 1, cur, strlen(cur), NULL, &l, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return KAM_EINVAL;
	arr = json_loadb((char *)raw, l, 0, NULL);
	if (json_is_array(arr) && json_array_size(arr) == 2 &&
	    json_is_integer(json_array_get(arr, 1)) &&
	    (want == 'i'   ? json_is_integer(json_array_get(arr, 0))
	     : want == 'n' ? json_is_number(json_array_get(arr, 0))
			   : json_is_string(json_array_get(arr, 0)))) {
		*sortv = json_incref(json_array_get(arr, 0));
		*id = json_integer_value(json_array_get(arr, 1));
		rc = KAM_OK;
	}
	json_decref(arr);
	return rc;
}

void store_like_pattern(const char *q, char *out, size_t outlen)
{
	size_t n = 0;

	out[n++] = '%';
	for (; *q && n + 3 < outlen; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			out[n++] = '\\';
		out[n++] = *q;
	}
	out[n++] = '%';
	out[n] = '\0';
}

static struct db_val filter_val(const struct model_field *f, const char *s)
{
	if (f->type == MT_INT || f->type == MT_REF)
		return DB_INT(strtoll(s, NULL, 10));
	if (f->type == MT_BOOL)
		return DB_INT(strcmp(s, "true") == 0 ? 1 : 0);
	return DB_TEXT(s);
}

int store_list(struct store_conn *c, const struct model_entity *e, const struct store_list *q,
	       json_t **items, char **next_cursor)
{
	struct sqlbuf b = {.n = 0};
	struct db_val args[MAX_ARGS];
	int n = 0, rc, count = 0;
	const struct model_field *sf = model_field_find(e, q->sort ? q->sort : "id");
	json_t *arr = NULL, *cur_v = NULL, *last_v = NULL;
	int64_t cur_id = 0, last_id = 0;
	char pat[600];
	struct db_stmt *st;
	const char *key;
	json_t *fv;
	int sort_col = -1, col = 0;

	if (sf == NULL || !(sf->flags & MF_SORT))
		return KAM_EINVAL;
	if (q->cursor) {
		char want = sf->type == MT_NUM ? 'n'
			    : (sf->type == MT_TEXT || sf->type == MT_ENUM || sf->type == MT_EMAIL ||
			       sf->type == MT_DATE)
				? 's'
				: 'i';

		if (cursor_decode(q->cursor, want, &cur_v, &cur_id) != KAM_OK)
			return KAM_EINVAL;
	}
	for (size_t i = 0; i < e->nfields; i++) {
		if (!is_column(&e->fields[i]) || !is_visible(&e->fields[i]))
			continue;
		if (&e->fields[i] == sf)
			sort_col = col;
		col++;
	}
	sb_add(&b, "SELECT ");
	select_cols(&b, e);
	sb_add(&b, " FROM ");
	sb_add(&b, e->table);
	sb_add(&b, " WHERE 1 = 1");
	if (q->scope_user > 0 && e->scope_sql) {
		sb_add(&b, " AND ");
		sb_add(&b, e->scope_sql);
		for (int i = 0; i < e->scope_nargs; i++)
			args[n++] = DB_INT(q->scope_user);
	}
	json_object_foreach(q->filters, key, fv)
	{
		const struct model_field *f = model_field_find(e, key);
		char frag[160];
		size_t klen = strlen(key);

		/* "group": the rows of an account and all its descendants (docs/groups.md);
		 * UNION keeps each account once, so even a cycle ends the recursion */
		if (f == NULL && !strcmp(key, "group")) {
			const char *gcol = e == &model_account ? "id"
			                   : model_field_find(e, "account_id") != NULL
			                       ? "account_id"
			                       : NULL;
			char *end = NULL;
			long long gid =
			    json_is_string(fv) ? strtoll(json_string_value(fv), &end, 10) : 0;

			if (gcol == NULL || gid <= 0 || end == NULL || *end || n >= MAX_ARGS - 8) {
				rc = KAM_EINVAL;
				goto out;
			}
			sb_add(&b, " AND ");
			sb_add(&b, gcol);
			sb_add(
			    &b,
			    " IN (WITH RECURSIVE grp(id) AS (SELECT id FROM accounts WHERE id = ? "
			    "UNION SELECT a.id FROM accounts a JOIN grp ON a.parent_id = grp.id) "
			    "SELECT id FROM grp)");
			args[n++] = DB_INT((int64_t)gid);
			continue;
		}
		/* "end_date<" / "end_date>": a range on a date field (app/list.c) */
		if (f == NULL && klen > 1 && klen < 64 &&
		    (key[klen - 1] == '<' || key[klen - 1] == '>')) {
			char name[64];

			memcpy(name, key, klen - 1);
			name[klen - 1] = '\0';
			f = model_field_find(e, name);
			if (f == NULL || f->type != MT_DATE || !json_is_string(fv) ||
			    n >= MAX_ARGS - 8) {
				rc = KAM_EINVAL;
				goto out;
			}
			snprintf(frag, sizeof(frag), " AND %s %c ?", f->name, key[klen - 1]);
			sb_add(&b, frag);
			args[n++] = DB_TEXT(json_string_value(fv));
			continue;
		}
		if (f == NULL || !(f->flags & MF_FILTER) || !json_is_string(fv) || n >= MAX_ARGS - 8) {
			rc = KAM_EINVAL;
			goto out;
		}
		if (f->type == MT_TAGS)
			snprintf(frag, sizeof(frag),
				 " AND id IN (SELECT entity_id FROM %s_tags WHERE tag = ?)",
				 e->table);
		else
			snprintf(frag, sizeof(frag), " AND %s = ?", f->name);
		sb_add(&b, frag);
		args[n++] = filter_val(f, json_string_value(fv));
	}
	if (q->q && q->q[0]) {
		bool first = true;

		store_like_pattern(q->q, pat, sizeof(pat));
		sb_add(&b, " AND (");
		for (size_t i = 0; i < e->nfields; i++) {
			const struct model_field *f = &e->fields[i];

			if (!(f->flags & MF_SEARCH) || n >= MAX_ARGS - 6)
				continue;
			sb_add(&b, first ? "" : " OR ");
			sb_add(&b, f->name);
			sb_add(&b, " ");
			sb_add(&b, c->ops->ilike);
			sb_add(&b, " ? ESCAPE '\\'");
			args[n++] = (struct db_val){DBV_TEXT, 0, pat, 0};
			first = false;
		}
		sb_add(&b, first ? "1 = 1)" : ")");
	}
	if (cur_v) {
		char frag[200];
		const char *op = q->desc ? "<" : ">";

		snprintf(frag, sizeof(frag), " AND (%s %s ? OR (%s = ? AND id %s ?))", sf->name, op,
			 sf->name, op);
		sb_add(&b, frag);
		args[n++] = json_val(cur_v);
		args[n++] = json_val(cur_v);
		args[n++] = DB_INT(cur_id);
	}
	{
		char frag[160];
		int lim = q->limit < 1 ? 50 : q->limit > 500 ? 500 : q->limit;

		snprintf(frag, sizeof(frag), " ORDER BY %s %s, id %s LIMIT %d", sf->name,
			 q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC", lim + 1);
		sb_add(&b, frag);
		if (b.overflow) {
			rc = KAM_EINVAL;
			goto out;
		}
		rc = c->ops->query(c->db, b.s, args, n, &st);
		if (rc != KAM_OK)
			goto out;
		if ((arr = json_array()) == NULL) {
			c->ops->done(st);
			rc = KAM_ENOMEM;
			goto out;
		}
		while ((rc = c->ops->next(st)) == 1) {
			json_t *row;

			if (count == lim) {
				rc = 2; /* one more row exists: there is a next page */
				break;
			}
			if ((row = row_json(c, e, st, NULL)) == NULL) {
				rc = KAM_ENOMEM;
				break;
			}
			json_decref(last_v);
			last_v = json_incref(json_object_get(row, sf->name));
			if (sf->type == MT_TIME) { /* cursors hold the raw integer, not the text */
				json_decref(last_v);
				if ((last_v = json_integer(c->ops->col_int(st, sort_col))) ==
				    NULL) {
					json_decref(row);
					rc = KAM_ENOMEM;
					break;
				}
			}
			last_id = json_integer_value(json_object_get(row, "id"));
			if (json_array_append_new(arr, row) != 0) {
				rc = KAM_ENOMEM;
				break;
			}
			count++;
		}
		c->ops->done(st);
		if (rc < 0)
			goto out;
		*next_cursor = rc == 2 && last_v ? cursor_encode(last_v, last_id) : NULL;
		if (rc == 2 && last_v && *next_cursor == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		rc = KAM_OK;
	}
	if ((rc = load_page_lists(c, e, arr)) != KAM_OK)
		goto out;
	*items = arr;
	arr = NULL;
out:
	json_decref(arr);
	json_decref(cur_v);
	json_decref(last_v);
	return rc;
}
