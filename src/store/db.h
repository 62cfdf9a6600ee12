/*
 * The driver interface inside src/store: what a database backend (SQLite now, PostgreSQL
 * next) provides. SQL is written once with ? placeholders; a backend rewrites what it must.
 * Nothing outside src/store includes this file.
 */
#ifndef KAM_STORE_DB_H
#define KAM_STORE_DB_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum db_type { DBV_NULL, DBV_INT, DBV_TEXT, DBV_REAL };

struct db_val {
	enum db_type type;
	int64_t i;
	const char *s;
	double r;
};

#define DB_INT(v) ((struct db_val){DBV_INT, (v), NULL, 0})
#define DB_TEXT(v) ((struct db_val){(v) ? DBV_TEXT : DBV_NULL, 0, (v), 0})
#define DB_STR(v) ((struct db_val){DBV_TEXT, 0, (v), 0}) /* a string known not to be NULL */
#define DB_REAL(v) ((struct db_val){DBV_REAL, 0, NULL, (v)})
#define DB_NULL ((struct db_val){DBV_NULL, 0, NULL, 0})

struct db_conn;
struct db_stmt;

struct db_ops {
	const char *name;
	/* Opens one connection; err gets one line on failure. */
	int (*connect)(const char *url, struct db_conn **out, char *err, size_t errlen);
	void (*disconnect)(struct db_conn *c);
	/* Runs SQL text without parameters or results (DDL, several statements). */
	int (*exec)(struct db_conn *c, const char *sql);
	/* Starts a query; the statement stays owned by the connection until db_done. */
	int (*query)(struct db_conn *c, const char *sql, const struct db_val *args, int nargs,
		     struct db_stmt **out);
	/* 1 when a row is ready, 0 when done, negative kam_err on failure. */
	int (*next)(struct db_stmt *st);
	bool (*is_null)(struct db_stmt *st, int col);
	int64_t (*col_int)(struct db_stmt *st, int col);
	double (*col_real)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	void (*done)(struct db_stmt *st);
	/* Columns of a result, their names and the type of the current row's value. */
	int (*ncols)(struct db_stmt *st);
	const char *(*col_name)(struct db_stmt *st, int col);
	enum db_type (*col_type)(struct db_stmt *st, int col);
	/* Loads rows given in PostgreSQL's COPY text format (tab-separated, \N for NULL, one
	 * line each) by copy_sql ("COPY t (cols) FROM STDIN"); NULL where the backend has no
	 * COPY (then the caller inserts). */
	int (*copy_in)(struct db_conn *c, const char *copy_sql, const char *data, size_t len);
	/* Rows changed by the last statement. */
	int64_t (*changes)(struct db_conn *c);
	int (*begin)(struct db_conn *c, bool write);
	int (*commit)(struct db_conn *c);
	void (*rollback)(struct db_conn *c);
	/* Last error text of the connection, for logs. */
	const char *(*errmsg)(struct db_conn *c);
	/* Appended to a SELECT that must lock the row until commit ("" where the write
	 * transaction already excludes other writers). */
	const char *for_update;
	/* The SQL operator for a case-insensitive LIKE. */
	const char *ilike;
	/* The migration scripts of this backend. */
	const struct embed_file *schema;
	/* Defers foreign-key checks to commit, for copying rows in any order. */
	const char *defer_fks;
	/* printf template (%s = table) run after rows with explicit ids were copied in; or NULL. */
	const char *reset_ids;
	/* Run before a bulk load on that connection (a bigger page cache); or NULL. */
	const char *bulk_setup;
	/* Run inside each migration's transaction so concurrent starters wait; NULL if none. */
	const char *migrate_lock;
	/* Taken first by a transaction that writes many accounts (store_portfolio_lock); NULL
	 * where writers already go one at a time. */
	const char *portfolio_lock;
};

/* Statements sent to the database by this process, for GET /metrics: on PostgreSQL each
 * is a round trip (a statement's first PREPARE on a connection is one more). */
extern atomic_ullong db_statements;

/* Counts one statement (or round trip) sent. */
static inline void db_count(void)
{
	atomic_fetch_add_explicit(&db_statements, 1, memory_order_relaxed);
}

extern const struct db_ops db_sqlite;
extern const struct db_ops db_pg;

#endif
