/* Lookup keys and savepoints for imports (see import.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/import.h"
#include "store/internal.h"

void store_fold(const char *s, char *out, size_t outlen)
{
	size_t n = 0;
	bool space = false;

	if (outlen == 0)
		return;
	while (s && isspace((unsigned char)*s))
		s++;
	for (; s && *s && n + 1 < outlen; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isspace(ch)) {
			space = true;
			continue;
		}
		if (space && n + 2 < outlen)
			out[n++] = ' ';
		space = false;
		out[n++] = (char)tolower(ch);
	}
	out[n] = '\0';
}

static const struct {
	const struct model_entity *e;
	const char *sql; /* id, external_id or NULL, account_id or NULL, name, e-mail or NULL */
} key_sql[] = {
    {&model_account, "SELECT id, external_id, NULL, name, NULL FROM accounts WHERE 1 = 1"},
    {&model_contact, "SELECT id, external_id, account_id, name, email FROM contacts WHERE 1 = 1"},
    {&model_product, "SELECT id, external_id, NULL, name, NULL FROM products WHERE 1 = 1"},
    {&model_user, "SELECT id, NULL, NULL, name, email FROM users WHERE active = 1"},
    {&model_unit, "SELECT id, NULL, account_id, name, NULL FROM units WHERE 1 = 1"},
    {&model_fx_rate,
     "SELECT id, NULL, NULL, currency || ':' || valid_from, NULL FROM fx_rates WHERE 1 = 1"},
    {&model_transaction, "SELECT id, external_id, account_id, NULL, NULL FROM transactions "
                         "WHERE external_id IS NOT NULL"},
    {&model_opportunity, "SELECT id, external_id, account_id, NULL, NULL FROM opportunities "
                         "WHERE external_id IS NOT NULL"},
    {&model_interaction, "SELECT id, external_id, account_id, NULL, NULL FROM interactions "
                         "WHERE external_id IS NOT NULL"},
    {&model_case, "SELECT id, external_id, account_id, NULL, NULL FROM cases WHERE "
                  "external_id IS NOT NULL"},
    {&model_survey, "SELECT id, external_id, account_id, NULL, NULL FROM surveys WHERE "
                    "external_id IS NOT NULL"},
    /* a contract is known by its number inside its account */
    {&model_contract,
     "SELECT id, external_id, account_id, number, NULL FROM contracts WHERE 1 = 1"},
    /* a target is known by its quarter and user (0: the portfolio) */
    {&model_forecast_target, "SELECT id, NULL, NULL, quarter || ':' || COALESCE(user_id, 0), "
                             "NULL FROM forecast_targets WHERE 1 = 1"},
};

void store_import_key(int64_t account_id, const char *s, bool fold, char *out, size_t outlen)
{
	char folded[512];

	if (fold) {
		store_fold(s, folded, sizeof(folded));
		s = folded;
	}
	/* by hand, as snprintf would (cut to outlen): every row of an import makes a few */
	if (outlen == 0)
		return;
	if (account_id > 0) {
		char digits[24];
		size_t n = 0, o = 0;

		for (int64_t v = account_id; v > 0; v /= 10)
			digits[n++] = (char)('0' + v % 10);
		while (n > 0 && o + 1 < outlen)
			out[o++] = digits[--n];
		if (o + 1 < outlen)
			out[o++] = ':';
		out += o;
		outlen -= o;
	}
	size_t len = strnlen(s, outlen - 1);

	memcpy(out, s, len);
	out[len] = '\0';
}

int store_import_name_add(json_t *names, const char *key, int64_t id, const char *shown)
{
	json_t *had = json_object_get(names, key);

	/* two records under one key: neither is chosen, the row must say which (id 0) */
	if (had && json_integer_value(json_array_get(had, 0)) != id)
		id = 0;
	/* a key missing for want of memory would read as "no such record"; a key is folded and
	 * cut to its buffer, maybe inside a character, so jansson's UTF-8 check is not for it */
	if (json_object_set_new_nocheck(names, key, json_pack("[I,s]", (json_int_t)id, shown)) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

int store_import_keys(struct store_conn *c, const struct model_entity *e, int64_t scope_user,
                      json_t **by_ext, json_t **by_name)
{
	const char *base = NULL;
	struct db_val args[4];
	struct db_stmt *st;
	json_t *ext, *name;
	char sql[600];
	int rc, n = 0;

	for (size_t i = 0; i < sizeof(key_sql) / sizeof(key_sql[0]); i++)
		if (key_sql[i].e == e)
			base = key_sql[i].sql;
	if (base == NULL)
		return KAM_EINVAL;
	/* the caller's visibility, as lists have it: nothing else is matched or suggested */
	if (scope_user > 0 && e->scope_sql) {
		snprintf(sql, sizeof(sql), "%s AND %s", base, e->scope_sql);
		for (; n < e->scope_nargs && n < 4; n++)
			args[n] = DB_INT(scope_user);
	} else {
		snprintf(sql, sizeof(sql), "%s", base);
	}
	if ((rc = c->ops->query(c->db, sql, args, n, &st)) != KAM_OK)
		return rc;
	ext = json_object();
	name = json_object();
	if (ext == NULL || name == NULL)
		rc = KAM_ENOMEM;
	while (rc == KAM_OK && (rc = c->ops->next(st)) == 1) {
		int64_t id = c->ops->col_int(st, 0);
		int64_t acc = c->ops->is_null(st, 2) ? 0 : c->ops->col_int(st, 2);
		char key[600];

		rc = KAM_OK;
		if (!c->ops->is_null(st, 1)) {
			store_import_key(acc, c->ops->col_text(st, 1), false, key, sizeof(key));
			if (json_object_set_new_nocheck(ext, key, json_integer(id)) != 0)
				rc = KAM_ENOMEM;
		}
		if (rc == KAM_OK && !c->ops->is_null(st, 3)) {
			store_import_key(acc, c->ops->col_text(st, 3), true, key, sizeof(key));
			rc = store_import_name_add(name, key, id, c->ops->col_text(st, 3));
		}
		if (rc == KAM_OK && !c->ops->is_null(st, 4)) {
			store_import_key(acc, c->ops->col_text(st, 4), true, key, sizeof(key));
			rc = store_import_name_add(name, key, id, c->ops->col_text(st, 4));
		}
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(ext);
		json_decref(name);
		return rc;
	}
	*by_ext = ext;
	*by_name = name;
	return KAM_OK;
}

/* On SQLite a prepared statement kept in the cache (exec compiles its text every time, and
 * an import runs these per row); PostgreSQL prepares no savepoints. */
static int sp_run(struct store_conn *c, const char *sql)
{
	return c->ops == &db_sqlite ? sq_run(c, sql, NULL, 0) : c->ops->exec(c->db, sql);
}

int store_savepoint(struct store_conn *c)
{
	return sp_run(c, "SAVEPOINT kam_row");
}

int store_savepoint_end(struct store_conn *c, bool keep)
{
	if (!keep) {
		int rc = sp_run(c, "ROLLBACK TO SAVEPOINT kam_row");

		if (rc != KAM_OK)
			return rc;
	}
	return sp_run(c, "RELEASE SAVEPOINT kam_row");
}

int store_import_node_set(struct store_conn *c, int64_t id, const char *node)
{
	return sq_run(c, "UPDATE imports SET node = ? WHERE id = ?",
	              (struct db_val[]){DB_TEXT(node), DB_INT(id)}, 2);
}

int store_imports_unfinished(struct store_conn *c, const char *self, int64_t now, json_t **items)
{
	/* a node renews its lease "node:NAME" while it lives; a run whose node holds none is
	 * an orphan whatever the node's name says */
	return sq_rows(
	    c,
	    "SELECT i.id AS id, i.node AS node, (SELECT count(*) FROM leases l WHERE "
	    "l.name = 'node:' || i.node AND l.expires_at >= ?) AS live FROM imports i "
	    "WHERE i.status IN ('queued', 'running') AND (i.node IS NULL OR i.node <> ?) "
	    "ORDER BY i.id",
	    (struct db_val[]){DB_INT(now), DB_TEXT(self)}, 2, items);
}

int store_import_abandon(struct store_conn *c, int64_t id, const char *errors, int64_t now,
                         bool *changed)
{
	int rc =
	    sq_run(c,
	           "UPDATE imports SET status = 'failed', errors = ?, finished_at = ?, "
	           "updated_at = ?, version = version + 1 WHERE id = ? AND status IN "
	           "('queued', 'running')",
	           (struct db_val[]){DB_TEXT(errors), DB_INT(now), DB_INT(now), DB_INT(id)}, 4);

	*changed = rc == KAM_OK && c->ops->changes(c->db) > 0;
	return rc;
}
