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
    {&model_account, "SELECT id, external_id, NULL, name, NULL FROM accounts"},
    {&model_contact, "SELECT id, external_id, account_id, name, email FROM contacts"},
    {&model_product, "SELECT id, external_id, NULL, name, NULL FROM products"},
    {&model_user, "SELECT id, NULL, NULL, name, email FROM users WHERE active = 1"},
    {&model_unit, "SELECT id, NULL, account_id, name, NULL FROM units"},
    {&model_fx_rate, "SELECT id, NULL, NULL, currency || ':' || valid_from, NULL FROM fx_rates"},
    {&model_transaction, "SELECT id, external_id, NULL, NULL, NULL FROM transactions WHERE "
                         "external_id IS NOT NULL"},
    {&model_opportunity, "SELECT id, external_id, NULL, NULL, NULL FROM opportunities WHERE "
                         "external_id IS NOT NULL"},
    {&model_interaction, "SELECT id, external_id, NULL, NULL, NULL FROM interactions WHERE "
                         "external_id IS NOT NULL"},
    {&model_case, "SELECT id, external_id, NULL, NULL, NULL FROM cases WHERE external_id IS NOT "
                  "NULL"},
    {&model_survey, "SELECT id, external_id, NULL, NULL, NULL FROM surveys WHERE external_id IS "
                    "NOT NULL"},
};

int store_import_keys(struct store_conn *c, const struct model_entity *e, json_t **by_ext,
                      json_t **by_name)
{
	const char *sql = NULL;
	struct db_stmt *st;
	json_t *ext, *name;
	int rc;

	for (size_t i = 0; i < sizeof(key_sql) / sizeof(key_sql[0]); i++)
		if (key_sql[i].e == e)
			sql = key_sql[i].sql;
	if (sql == NULL)
		return KAM_EINVAL;
	if ((rc = c->ops->query(c->db, sql, NULL, 0, &st)) != KAM_OK)
		return rc;
	ext = json_object();
	name = json_object();
	while ((rc = c->ops->next(st)) == 1) {
		int64_t id = c->ops->col_int(st, 0);
		char key[600], folded[512];

		if (!c->ops->is_null(st, 1))
			json_object_set_new(ext, c->ops->col_text(st, 1), json_integer(id));
		if (!c->ops->is_null(st, 3)) {
			store_fold(c->ops->col_text(st, 3), folded, sizeof(folded));
			if (!c->ops->is_null(st, 2))
				snprintf(key, sizeof(key), "%lld:%s",
				         (long long)c->ops->col_int(st, 2), folded);
			else
				snprintf(key, sizeof(key), "%s", folded);
			json_object_set_new(
			    name, key, json_pack("[I,s]", (json_int_t)id, c->ops->col_text(st, 3)));
		}
		if (!c->ops->is_null(st, 4)) {
			store_fold(c->ops->col_text(st, 4), folded, sizeof(folded));
			json_object_set_new(
			    name, folded,
			    json_pack("[I,s]", (json_int_t)id, c->ops->col_text(st, 4)));
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

int store_savepoint(struct store_conn *c)
{
	return c->ops->exec(c->db, "SAVEPOINT kam_row");
}

int store_savepoint_end(struct store_conn *c, bool keep)
{
	if (!keep) {
		int rc = c->ops->exec(c->db, "ROLLBACK TO SAVEPOINT kam_row");

		if (rc != KAM_OK)
			return rc;
	}
	return c->ops->exec(c->db, "RELEASE SAVEPOINT kam_row");
}
