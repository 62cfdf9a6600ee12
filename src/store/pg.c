/*
 * The PostgreSQL backend of the store driver (libpq). SQL arrives with ? placeholders and
 * is rewritten to $n once, then prepared per connection. A connection that PostgreSQL
 * dropped is reset on next use, so the server recovers by itself when the database is back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>
#include "store/db.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/log.h"

extern const struct embed_file schema_pg[];

#define CACHE_SIZE 256
#define MAX_PARAMS 1024

struct prep {
	char *sql; /* the original text with ? */
	char name[16];
};

struct db_conn {
	PGconn *pg;
	struct prep cache[CACHE_SIZE];
	unsigned nprep;
	int64_t changes;
	bool in_tx;
	char err[256];
};

struct db_stmt {
	PGresult *res;
	int row, nrows;
};

static unsigned hash_sql(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void forget_prepared(struct db_conn *c)
{
	for (int i = 0; i < CACHE_SIZE; i++) {
		free(c->cache[i].sql);
		c->cache[i].sql = NULL;
	}
	c->nprep = 0;
}

static void set_err(struct db_conn *c, const char *msg)
{
	size_t n;

	snprintf(c->err, sizeof(c->err), "%s", msg ? msg : "unknown PostgreSQL error");
	n = strlen(c->err);
	while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
}

/* Maps a failed result to a kam_err: constraint 409, retryable 503, the rest 500. The
 * server short of a resource is a 503 like a full SQLite disk: a full disk or an I/O error
 * (53100, 58030) is KAM_EUNAVAIL (retry in 30 s); out of memory, too many connections and the
 * rest of class 53 "insufficient resources", a connection exception (08), a server shutting
 * down or starting (57P01..57P05: 57P03 "cannot connect now"), a serialization failure, a
 * deadlock and a lock not available are KAM_EBUSY (retry shortly). */
static int map_result(struct db_conn *c, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	set_err(c, res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
	if (PQstatus(c->pg) != CONNECTION_OK)
		return KAM_EBUSY;
	if (state == NULL)
		return KAM_EDB;
	if (strncmp(state, "23", 2) == 0)
		return KAM_ECONFLICT;
	if (strcmp(state, "53100") == 0 || strcmp(state, "58030") == 0)
		return KAM_EUNAVAIL;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0 || strcmp(state, "55P03") == 0)
		return KAM_EBUSY;
	return KAM_EDB;
}

/* A dropped connection is reset before use; prepared statements died with it. Not inside a
 * transaction: the rest of it would run, each statement committed alone, on the new
 * connection while its beginning was rolled back with the old one. */
static int ensure_conn(struct db_conn *c)
{
	if (PQstatus(c->pg) == CONNECTION_OK)
		return KAM_OK;
	if (c->in_tx) {
		set_err(c, "the connection to PostgreSQL was lost inside a transaction");
		return KAM_EBUSY;
	}
	forget_prepared(c);
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		set_err(c, PQerrorMessage(c->pg));
		return KAM_EBUSY;
	}
	log_msg("info", "reconnected to PostgreSQL");
	return KAM_OK;
}

static void pg_disconnect(struct db_conn *c)
{
	if (c == NULL)
		return;
	forget_prepared(c);
	PQfinish(c->pg);
	free(c);
}

/* Outside a transaction a statement that met a dropped connection is safe to send again. */
static bool retry_after_reset(struct db_conn *c, int attempt)
{
	return attempt == 0 && !c->in_tx && PQstatus(c->pg) != CONNECTION_OK &&
	       ensure_conn(c) == KAM_OK;
}

static int pg_exec(struct db_conn *c, const char *sql)
{
	PGresult *res;
	int rc = KAM_OK;

	if ((rc = ensure_conn(c)) != KAM_OK)
		return rc;
	for (int attempt = 0;; attempt++) {
		db_count();
		res = PQexec(c->pg, sql);
		if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
			break;
		rc = map_result(c, res);
		PQclear(res);
		if (!retry_after_reset(c, attempt))
			return rc;
		rc = KAM_OK;
	}
	PQclear(res);
	return rc;
}

/* COPY … FROM STDIN with the rows at once: one round trip and no statement to parse or
 * parameters to bind per row, where a multi-row INSERT had both. Errors map like a
 * statement's (a duplicate key is a 409). */
static int pg_copy_in(struct db_conn *c, const char *copy_sql, const char *data, size_t len)
{
	PGresult *res;
	bool sent = true, ended = false;
	int rc;

	if ((rc = ensure_conn(c)) != KAM_OK)
		return rc;
	res = PQexec(c->pg, copy_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = map_result(c, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);

	for (size_t off = 0; off < len;) { /* in pieces: PQputCopyData takes an int */
		size_t k = len - off < (1u << 20) ? len - off : (1u << 20);

		if (PQputCopyData(c->pg, data + off, (int)k) != 1) {
			sent = false;
			break;
		}
		off += k;
	}
	/* a COPY that could not send every row is ended with an error, so none of it stays */
	if (PQputCopyEnd(c->pg, sent ? NULL : "kam: sending the rows failed") != 1)
		set_err(c, PQerrorMessage(c->pg));
	rc = KAM_OK;
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			c->changes = strtoll(PQcmdTuples(res), NULL, 10);
			ended = true;
		} else if (rc == KAM_OK) {
			rc = map_result(c, res);
		}
		PQclear(res);
	}
	if (rc == KAM_OK && (!sent || !ended)) {
		set_err(c, PQerrorMessage(c->pg));
		rc = PQstatus(c->pg) != CONNECTION_OK ? KAM_EBUSY : KAM_EDB;
	}
	return rc;
}

static int pg_connect(const char *url, struct db_conn **out, char *err, size_t errlen)
{
	struct db_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return KAM_ENOMEM;
	/* "kam" in pg_stat_activity unless the URL names the application itself */
	c->pg =
	    PQconnectdbParams((const char *const[]){"dbname", "fallback_application_name", NULL},
	                      (const char *const[]){url, "kam", NULL}, 1);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(c->pg));
		err[strcspn(err, "\n")] = '\0';
		pg_disconnect(c);
		return KAM_EBUSY;
	}
	/* UTC and plain strings everywhere, whatever the server's defaults */
	if (pg_exec(c, "SET TIME ZONE 'UTC'; SET standard_conforming_strings = on; "
		       "SET client_min_messages = warning") != KAM_OK) {
		snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", c->err);
		pg_disconnect(c);
		return KAM_EDB;
	}
	*out = c;
	return KAM_OK;
}

/* Rewrites ? placeholders (outside quotes) to $1, $2, ... */
static char *rewrite(const char *sql)
{
	size_t n = strlen(sql), cap = n * 2 + 16, o = 0;
	char *out = malloc(cap);
	int k = 0;
	bool quoted = false;

	if (out == NULL)
		return NULL;
	for (const char *p = sql; *p; p++) {
		if (o + 8 >= cap) {
			char *nb = realloc(out, cap *= 2);

			if (nb == NULL) {
				free(out);
				return NULL;
			}
			out = nb;
		}
		if (*p == '\'')
			quoted = !quoted;
		if (*p == '?' && !quoted)
			o += (size_t)snprintf(out + o, cap - o, "$%d", ++k);
		else
			out[o++] = *p;
	}
	out[o] = '\0';
	return out;
}

/* The name of sql's prepared statement on this connection, preparing it when new. */
static int prepared(struct db_conn *c, const char *sql, const char **name)
{
	unsigned h = hash_sql(sql);
	struct prep *slot = NULL;
	PGresult *res;
	char *pgsql;
	int rc = KAM_OK;

	for (unsigned i = 0; i < 8; i++) {
		struct prep *p = &c->cache[(h + i) % CACHE_SIZE];

		if (p->sql && strcmp(p->sql, sql) == 0) {
			*name = p->name;
			return KAM_OK;
		}
		if (p->sql == NULL && slot == NULL)
			slot = p;
	}
	*name = NULL;
	if (slot == NULL)
		return KAM_OK; /* cache full here: run unnamed */
	pgsql = rewrite(sql);
	if (pgsql == NULL)
		return KAM_ENOMEM;
	snprintf(slot->name, sizeof(slot->name), "k%u", c->nprep++);
	db_count();
	res = PQprepare(c->pg, slot->name, pgsql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = map_result(c, res);
	else if ((slot->sql = strdup(sql)) == NULL)
		rc = KAM_ENOMEM;
	else
		*name = slot->name;
	PQclear(res);
	free(pgsql);
	return rc;
}

static int pg_query(struct db_conn *c, const char *sql, const struct db_val *args, int nargs,
		    struct db_stmt **out)
{
	char bufs[MAX_PARAMS][24];
	const char *vals[MAX_PARAMS];
	const char *name;
	PGresult *res;
	struct db_stmt *st;
	int rc;

	if (nargs > MAX_PARAMS)
		return KAM_EINVAL;
	if ((rc = ensure_conn(c)) != KAM_OK)
		return rc;
	for (int i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case DBV_NULL:
			vals[i] = NULL;
			break;
		case DBV_INT:
			snprintf(bufs[i], sizeof(bufs[i]), "%lld", (long long)args[i].i);
			vals[i] = bufs[i];
			break;
		case DBV_TEXT:
			vals[i] = args[i].s;
			break;
		case DBV_REAL:
			snprintf(bufs[i], sizeof(bufs[i]), "%.17g", args[i].r);
			vals[i] = bufs[i];
			break;
		}
	}
	for (int attempt = 0;; attempt++) {
		if ((rc = prepared(c, sql, &name)) != KAM_OK) {
			if (retry_after_reset(c, attempt))
				continue;
			return rc;
		}
		db_count();
		if (name) {
			res = PQexecPrepared(c->pg, name, nargs, vals, NULL, NULL, 0);
		} else {
			char *pgsql = rewrite(sql);

			if (pgsql == NULL)
				return KAM_ENOMEM;
			res = PQexecParams(c->pg, pgsql, nargs, NULL, vals, NULL, NULL, 0);
			free(pgsql);
		}
		if (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK)
			break;
		rc = map_result(c, res);
		PQclear(res);
		if (!retry_after_reset(c, attempt))
			return rc;
	}
	c->changes = strtoll(PQcmdTuples(res), NULL, 10);
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		PQclear(res);
		return KAM_ENOMEM;
	}
	st->res = res;
	st->row = -1;
	st->nrows = PQntuples(res);
	*out = st;
	return KAM_OK;
}

static int pg_next(struct db_stmt *st)
{
	if (st->row + 1 >= st->nrows)
		return 0;
	st->row++;
	return 1;
}

static bool pg_is_null(struct db_stmt *st, int col)
{
	return PQgetisnull(st->res, st->row, col) != 0;
}

static int64_t pg_col_int(struct db_stmt *st, int col)
{
	const char *s = PQgetvalue(st->res, st->row, col);

	/* booleans (owner_id = ?, EXISTS …) come back as t / f */
	if (s[0] == 't' && s[1] == '\0')
		return 1;
	if (s[0] == 'f' && s[1] == '\0')
		return 0;
	return strtoll(s, NULL, 10);
}

static double pg_col_real(struct db_stmt *st, int col)
{
	return strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	return PQgetvalue(st->res, st->row, col);
}

static void pg_done(struct db_stmt *st)
{
	if (st == NULL)
		return;
	PQclear(st->res);
	free(st);
}

static int pg_ncols(struct db_stmt *st)
{
	return PQnfields(st->res);
}

static const char *pg_col_name(struct db_stmt *st, int col)
{
	return PQfname(st->res, col);
}

static enum db_type pg_col_type(struct db_stmt *st, int col)
{
	if (PQgetisnull(st->res, st->row, col))
		return DBV_NULL;
	switch (PQftype(st->res, col)) {
	case 16: /* bool */
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
		return DBV_INT;
	case 701: /* float8 */
		return DBV_REAL;
	default:
		return DBV_TEXT;
	}
}

static int64_t pg_changes(struct db_conn *c)
{
	return c->changes;
}

static int pg_begin(struct db_conn *c, bool write)
{
	int rc;

	(void)write; /* row versions guard concurrent writes; READ COMMITTED is enough */
	rc = pg_exec(c, "BEGIN");
	c->in_tx = rc == KAM_OK;
	return rc;
}

/* Whether transaction xid committed, asked on a new connection: 1 yes, 0 no, negative
 * when that cannot be told. */
static int committed(struct db_conn *c, const char *xid)
{
	for (int i = 0; i < 20; i++) {
		PGresult *res;
		int rc = -1;

		if (ensure_conn(c) != KAM_OK)
			return -1;
		res = PQexecParams(c->pg, "SELECT txid_status($1)", 1, NULL, (const char *[]){xid},
		                   NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    !PQgetisnull(res, 0, 0)) {
			const char *st = PQgetvalue(res, 0, 0);

			rc = !strcmp(st, "committed") ? 1 : !strcmp(st, "aborted") ? 0 : 2;
		}
		PQclear(res);
		if (rc != 2)
			return rc;
		/* in progress: the backend that ran it has not finished dying */
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	return -1;
}

/*
 * A COMMIT whose answer the connection lost may have committed or not, and a 503 for a
 * write that is in would make the client send it twice. So the transaction's id is asked
 * first, and when COMMIT meets a dropped connection its fate is read on a new one.
 */
static int pg_commit(struct db_conn *c)
{
	char xid[32] = "";
	PGresult *res;
	int rc, fate;

	db_count();
	res = PQexec(c->pg, "SELECT txid_current_if_assigned()");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0))
		snprintf(xid, sizeof(xid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	rc = pg_exec(c, "COMMIT");
	c->in_tx = false;
	if (rc == KAM_OK || xid[0] == '\0' || PQstatus(c->pg) == CONNECTION_OK)
		return rc;
	fate = committed(c, xid);
	if (fate == 1) {
		log_msg("info", "the connection dropped under a COMMIT that went through");
		return KAM_OK;
	}
	if (fate < 0)
		log_msg("warn",
		        "the connection dropped under a COMMIT whose outcome is unknown "
		        "(transaction %s)",
		        xid);
	return rc;
}

static void pg_rollback(struct db_conn *c)
{
	c->in_tx = false;
	if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		PGresult *res;

		db_count();
		res = PQexec(c->pg, "ROLLBACK");

		PQclear(res);
	}
}

static const char *pg_errmsg(struct db_conn *c)
{
	return c->err[0] ? c->err : PQerrorMessage(c->pg);
}

const struct db_ops db_pg = {
	.name = "postgresql",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.exec = pg_exec,
	.query = pg_query,
	.next = pg_next,
	.is_null = pg_is_null,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_real = pg_col_real,
	.done = pg_done,
	.ncols = pg_ncols,
	.col_name = pg_col_name,
	.col_type = pg_col_type,
	.copy_in = pg_copy_in,
	.changes = pg_changes,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.errmsg = pg_errmsg,
	.for_update = " FOR UPDATE",
	.ilike = "ILIKE",
	.schema = schema_pg,
	.defer_fks = "SET CONSTRAINTS ALL DEFERRED",
	.reset_ids = "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
		     "coalesce((SELECT max(id) FROM %s), 0) + 1, false)",
	.bulk_setup = NULL,
	.migrate_lock = "LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE",
	/* "kam" in ASCII: one key for every node of one database; released at COMMIT */
	.portfolio_lock = "SELECT pg_advisory_xact_lock(7037293)",
};
