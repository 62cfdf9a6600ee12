/* Copying a whole database into an empty one (kam migrate --from --to), and job leases. */
#include <stdio.h>
#include <string.h>
#include "store/internal.h"

#define COPY_MAX_COLS 48

/* Copies the rows of one table; *rows gets their number. */
static int copy_table(struct store_conn *src, struct store_conn *dst, const char *table,
		      int64_t *rows)
{
	char sql[2048];
	struct db_stmt *st;
	struct db_val args[COPY_MAX_COLS];
	int rc, n = 0;

	*rows = 0;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1", table);
	if ((rc = src->ops->query(src->db, sql, NULL, 0, &st)) != KAM_OK)
		return rc;
	while ((rc = src->ops->next(st)) == 1) {
		if (n == 0) {
			size_t o;

			n = src->ops->ncols(st);
			if (n > COPY_MAX_COLS) {
				rc = KAM_EINVAL;
				break;
			}
			o = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (", table);
			for (int i = 0; i < n && o < sizeof(sql); i++)
				o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s", i ? ", " : "",
						      src->ops->col_name(st, i));
			for (int i = 0; i < n && o < sizeof(sql); i++)
				o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s", i ? ", ?" : ") VALUES (?");
			if (o + 2 >= sizeof(sql)) {
				rc = KAM_EINVAL;
				break;
			}
			memcpy(sql + o, ")", 2);
		}
		for (int i = 0; i < n; i++) {
			switch (src->ops->col_type(st, i)) {
			case DBV_NULL:
				args[i] = DB_NULL;
				break;
			case DBV_INT:
				args[i] = DB_INT(src->ops->col_int(st, i));
				break;
			case DBV_TEXT:
				args[i] = (struct db_val){DBV_TEXT, 0, src->ops->col_text(st, i), 0};
				break;
			case DBV_REAL:
				args[i] = DB_REAL(src->ops->col_real(st, i));
				break;
			}
		}
		if ((rc = sq_run(dst, sql, args, n)) != KAM_OK)
			break;
		(*rows)++;
	}
	src->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

int store_copy(struct store *from, struct store *to, store_copy_progress progress, void *arg,
	       char *err, size_t errlen)
{
	struct store_conn *src = NULL, *dst = NULL;
	int64_t n = 0;
	int rc, vs = 0, vd = 0;

	store_acquire(from, &src);
	store_acquire(to, &dst);
	if ((rc = store_schema_version(src, &vs)) != KAM_OK ||
	    (rc = store_schema_version(dst, &vd)) != KAM_OK)
		goto fail;
	if (vs != vd) {
		snprintf(err, errlen, "schema versions differ (%d and %d); run kam migrate on both",
			 vs, vd);
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = sq_int(dst, "SELECT count(*) FROM users", NULL, 0, &n)) != KAM_OK)
		goto fail;
	if (n > 0) {
		snprintf(err, errlen, "the target database is not empty (it has %lld users)",
			 (long long)n);
		rc = KAM_ECONFLICT;
		goto out;
	}
	if ((rc = store_begin(src, false)) != KAM_OK || (rc = store_begin(dst, true)) != KAM_OK)
		goto fail;
	if (dst->ops->defer_fks && (rc = dst->ops->exec(dst->db, dst->ops->defer_fks)) != KAM_OK)
		goto fail;
	for (const struct model_table *t = model_tables; t->name; t++) {
		char del[128];

		/* rows a migration seeds (the default playbooks) give way to the source's; the
		 * names are the constant list's, never input */
		snprintf(del, sizeof(del), "DELETE FROM %s", t->name);
		if ((rc = dst->ops->exec(dst->db, del)) != KAM_OK)
			goto fail;
		if ((rc = copy_table(src, dst, t->name, &n)) != KAM_OK) {
			snprintf(err, errlen, "copying %s failed: %s", t->name,
				 dst->ops->errmsg(dst->db));
			goto out;
		}
		if (t->has_id && dst->ops->reset_ids) {
			char sql[512];
			int64_t ignored;

			snprintf(sql, sizeof(sql), dst->ops->reset_ids, t->name, t->name);
			if ((rc = sq_int(dst, sql, NULL, 0, &ignored)) != KAM_OK)
				goto fail;
		}
		if (progress)
			progress(t->name, n, arg);
	}
	if ((rc = store_commit(dst)) != KAM_OK)
		goto fail;
	store_rollback(src);
	goto out;
fail:
	snprintf(err, errlen, "database error: %s", dst->ops->errmsg(dst->db));
out:
	store_release(from, src);
	store_release(to, dst);
	return rc;
}

int store_lease_take(struct store_conn *c, const char *name, const char *holder, int64_t now,
		     int ttl, bool *got)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db,
			       "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
			       "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
			       "expires_at = excluded.expires_at WHERE leases.holder = "
			       "excluded.holder OR leases.expires_at < ? RETURNING holder",
			       (struct db_val[]){DB_TEXT(name), DB_TEXT(holder), DB_INT(now + ttl),
						 DB_INT(now)},
			       4, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	c->ops->done(st);
	if (rc < 0)
		return rc;
	*got = rc == 1;
	return KAM_OK;
}

int store_purge_expired(struct store_conn *c, int64_t now, int64_t idle, int64_t max_age,
			int64_t *removed)
{
	int rc = sq_run(c, "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
			(struct db_val[]){DB_INT(now - idle), DB_INT(now - max_age)}, 2);

	*removed = rc == KAM_OK ? c->ops->changes(c->db) : 0;
	if (rc == KAM_OK)
		rc = sq_run(c, "DELETE FROM login_throttle WHERE window_start < ?",
		            (struct db_val[]){DB_INT(now - 86400)}, 1);
	if (rc == KAM_OK) /* nodes gone for a day */
		rc = sq_run(c, "DELETE FROM leases WHERE name LIKE 'node:%' AND expires_at < ?",
		            (struct db_val[]){DB_INT(now - 86400)}, 1);
	return rc;
}
