/*
 * The store: kam's only way to its database. Backend-neutral: SQLite now, PostgreSQL behind
 * the same functions next. Records travel as jansson objects shaped by model/model.h.
 * Every function returns 0 or a negative kam_err (util/err.h).
 */
#ifndef KAM_STORE_STORE_H
#define KAM_STORE_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "model/model.h"
#include "util/share.h"

struct store;      /* a pool of connections to one database */
struct store_conn; /* one connection, used by one thread at a time */

/* True when url names a PostgreSQL database (postgres:// or postgresql://). */
bool store_is_pg_url(const char *url);
/* True where every statement is a round trip to a database server (PostgreSQL): there,
 * reads are worth batching; SQLite answers a read by primary key in a function call. */
bool store_remote(const struct store_conn *c);
/* Opens url (a SQLite path, sqlite:PATH, or postgresql://…) with nconns connections and
 * applies pending migrations. */
int store_open(const char *url, int nconns, struct store **out, char *err, size_t errlen);
/* Closes every connection; st may be NULL. */
void store_close(struct store *st);
/* Takes a free connection, waiting for one; release it with store_release. */
int store_acquire(struct store *st, struct store_conn **out);
/* Gives a connection back (rolling back any transaction left open). */
void store_release(struct store *st, struct store_conn *c);
/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *st);
/* Counts rc for GET /metrics when it is a database failure (KAM_EDB, KAM_EBUSY). */
void store_note_error(struct store *st, int rc);
struct buf;
/* Writes the pool's families (size, in use, waits, errors) in the Prometheus text format. */
void store_metrics_write(struct store *st, struct buf *b);
/* Highest migration applied. */
int store_schema_version(struct store_conn *c, int *out);
/* The database's last error message on c, for logs. */
const char *store_last_error(struct store_conn *c);
/* A cheap round trip: 0 when the database answers. */
int store_ping(struct store_conn *c);

/* Transactions: write ones take the write lock at once; a 2xx goes out only after commit. */
int store_begin(struct store_conn *c, bool write);
int store_commit(struct store_conn *c);
void store_rollback(struct store_conn *c);
/* Between the batches of a long write (an import): waits, up to max_ms, while another
 * connection of this process waits for the write lock, so it gets in. */
void store_yield_to_writers(struct store_conn *c, int max_ms);
/* Taken by a write transaction before it writes many accounts (health, scores, segments,
 * an accounts import), held to its end: two such writers would lock account rows in
 * different orders and deadlock on PostgreSQL; with it the second waits for the first. */
int store_portfolio_lock(struct store_conn *c);

/* --- records of a model entity --------------------------------------------------------- */

/* Reads one row as a new JSON object (*out owned by the caller) and its version. */
int store_get(struct store_conn *c, const struct model_entity *e, int64_t id, json_t **out,
	      int64_t *version);
/* What store_get_seen reads beside a record, in the same statement. */
struct store_seen {
	int64_t user_id;     /* in: whose ownership and team membership to report */
	const char *account; /* in: the record's column naming its account ("id" for an account;
	                      * a name from the model, never from a request) */
	bool revenue_span;   /* in: also the account's first and last months of revenue */
	bool owner, on_team; /* out: user_id owns the account, is on its team */
	char first_month[8], last_month[8]; /* out, with revenue_span: YYYY-MM, "" when none */
};

/* store_get (the record, its tags or refs) and what decides who sees it, in one statement
 * where the entity keeps at most one list beside its rows. KAM_ENOTFOUND when the record or
 * its account does not exist. */
int store_get_seen(struct store_conn *c, const struct model_entity *e, int64_t id,
                   struct store_seen *seen, json_t **out, int64_t *version);
/* store_get that also locks the row against other writers until the transaction ends:
 * read-check-write sequences use it, so concurrent writers queue instead of colliding. */
int store_get_locked(struct store_conn *c, const struct model_entity *e, int64_t id,
		     json_t **out, int64_t *version);
/* The records of e whose text column field (a name from the model, e.g. "external_id") is
 * one of keys[0..n), each as store_get reads it, as a new array (*rows, owned by the
 * caller), in no particular order: one statement for them all (and one per list field of
 * e), where store_get is a round trip per record. */
int store_get_keyed(struct store_conn *c, const struct model_entity *e, const char *field,
                    const char *const *keys, size_t n, json_t **rows);
/* Inserts rec (already validated; missing columns take their defaults); sets *id. */
int store_insert(struct store_conn *c, const struct model_entity *e, const json_t *rec,
		 int64_t now, int64_t *id);
/* Writes the fields present in rec; version < 0 skips the check, else KAM_ESTALE on mismatch. */
int store_update(struct store_conn *c, const struct model_entity *e, int64_t id,
		 const json_t *rec, int64_t version, int64_t now);
/* Deletes a row; version as for store_update. */
int store_delete(struct store_conn *c, const struct model_entity *e, int64_t id, int64_t version);

struct store_list {
	const char *sort; /* an MF_SORT field, default "id" */
	bool desc;
	json_t *filters; /* object: MF_FILTER field -> string value (already validated) */
	const char *q;         /* matches MF_SEARCH fields, case-insensitive */
	int limit;             /* 1..500 */
	const char *cursor;    /* from a previous page, or NULL */
	int64_t scope_user;    /* > 0: only rows this user's accounts hold (entity scope_sql) */
};

/* One page of rows: *items a new JSON array, *next_cursor a new string or NULL (both owned). */
int store_list(struct store_conn *c, const struct model_entity *e, const struct store_list *q,
	       json_t **items, char **next_cursor);

/* --- users, sessions and tokens --------------------------------------------------------- */

struct store_auth {
	int64_t user_id;
	char role[16];
	char email[256];
	char name[256];
	bool active;
	char csrf[64];      /* sessions only */
	int64_t created_at; /* of the session or token */
	int64_t last_seen_at;
	int64_t token_id;   /* API tokens only */
	int64_t expires_at; /* API tokens only; 0 = never */
};

/* The numbers a server checks its in-memory caches against on every request. */
struct store_versions {
	int64_t auth;     /* moves when a credential ends or a user changes (migration 036); -1 when
	                   * the row is missing: nothing may then be cached on it */
	int64_t data;     /* the data version (store_audit_add) */
	int64_t derived;  /* the derived version (store_derived_changed) */
	int64_t settings; /* the settings document's row version; 0 when there is none */
};

/* Reads the four versions in one statement. When the settings document's version or the
 * data version differ from have's, *doc gets a copy of the document (owned by the caller,
 * NULL when there is none), else *doc is NULL. With w (a request's place in the
 * shared read, after store_versions_wait) it makes, shares or skips the read as its wait
 * decided; without, on PostgreSQL it
 * blocks until a read that started after it came. */
int store_versions_read(struct store_conn *c, struct share_waiter *w,
                        const struct store_versions *have, struct store_versions *v, char **doc);
/* Before a request's store_versions_read, without blocking: 1 when w (park and wake set by
 * the caller) is queued behind the read on its way (w->park ran; w->wake will run once), 0
 * to go on now. */
int store_versions_wait(struct store *st, struct share_waiter *w);
/* After the request: gives up a read it was handed and never made. */
void store_versions_wait_end(struct store *st, struct share_waiter *w);
/* Wakes every queued request, each to read alone (before the server stops). */
void store_versions_drain(struct store *st);

/* Finds an active or inactive user by e-mail (case-insensitive); *hash owned by the caller. */
int store_user_by_email(struct store_conn *c, const char *email, struct store_auth *out,
			char **hash);
/* The password hash of a user (owned by the caller). */
int store_user_hash(struct store_conn *c, int64_t user_id, char **hash);
/* Replaces a user's password hash. */
int store_user_set_hash(struct store_conn *c, int64_t user_id, const char *hash, int64_t now);
/* Number of users. */
int store_user_count(struct store_conn *c, int64_t *n);

int store_session_create(struct store_conn *c, const char *token_hash, int64_t user_id,
			 const char *csrf, int64_t now);
/* Resolves a session by its token hash to its user. */
int store_session_lookup(struct store_conn *c, const char *token_hash, struct store_auth *out);
int store_session_touch(struct store_conn *c, const char *token_hash, int64_t now);
int store_session_delete(struct store_conn *c, const char *token_hash);
/* Ends every session, API token and calendar feed of a user (deactivation, password change). */
int store_user_logout_all(struct store_conn *c, int64_t user_id);

int store_token_create(struct store_conn *c, int64_t user_id, const char *name,
		       const char *token_hash, int64_t now, int64_t expires_at, int64_t *id);
int store_token_lookup(struct store_conn *c, const char *token_hash, struct store_auth *out);
int store_token_touch(struct store_conn *c, int64_t token_id, int64_t now);
/* Tokens of one user, or of everyone when user_id is 0; *items owned by the caller. */
int store_token_list(struct store_conn *c, int64_t user_id, json_t **items);
/* Deletes a token; user_id 0 means any owner. KAM_ENOTFOUND when none matched. */
int store_token_delete(struct store_conn *c, int64_t id, int64_t user_id);

/*
 * Takes one attempt under a throttle key (fixed window of window seconds, atomic across
 * connections and nodes): count is the attempts in the current window, this one included.
 */
int store_throttle_take(struct store_conn *c, const char *key, int64_t window, int64_t now,
                        int64_t *count, int64_t *window_start);
/* Gives an attempt back (a login that succeeded), or forgets the key altogether. */
int store_throttle_give(struct store_conn *c, const char *key, bool forget);

/* --- account access and teams -------------------------------------------------------------- */

/* Whether user may see the account as its owner or a team member. */
int store_account_access(struct store_conn *c, int64_t account_id, int64_t user_id,
			 bool *owner, bool *on_team);
/* The account's team, as {user_id, name, email, role, added_at} (owned by the caller). */
int store_team_list(struct store_conn *c, int64_t account_id, json_t **items);
/* Adds or changes a member's role; *created tells which. */
int store_team_put(struct store_conn *c, int64_t account_id, int64_t user_id, const char *role,
		   int64_t now, bool *created);
int store_team_delete(struct store_conn *c, int64_t account_id, int64_t user_id);

/* --- audit ----------------------------------------------------------------------------- */

/* Appends an audit row (before/after may be NULL) and moves the data version unless the
 * event changes no reported data (a login, a token, a share link, a feed, an alert's state). */
int store_audit_add(struct store_conn *c, int64_t user_id, const char *action,
		    const char *entity, int64_t entity_id, const json_t *before,
		    const json_t *after, int64_t now);
/* store_audit_add for a change a client member made (member_id; user_id 0): the audit shows
 * them as "client: Name (Account)" (docs/workspace.md). */
int store_audit_add_by(struct store_conn *c, int64_t user_id, int64_t member_id,
		       const char *action, const char *entity, int64_t entity_id,
		       const json_t *before, const json_t *after, int64_t now);
/* A number that moves with every audited change (0 before the first). */
int store_data_version(struct store_conn *c, int64_t *v);
/* The version of answers that also show derived fields (health scores, segments): the data
 * version plus the derived version, which the jobs move without an audit row. */
int store_answer_version(struct store_conn *c, int64_t *v);
/* Audit rows, newest first, optionally of one entity and id (entity NULL / id 0 = any). */
int store_audit_list(struct store_conn *c, const char *entity, int64_t id, int limit,
		     const char *cursor, json_t **items, char **next_cursor);
/* The audit rows since the instant since and after the row after_id (oldest first, at most
 * limit) of the objectives and actions of plan and the contacts and risks of account:
 * {entity, entity_id, action, at, before, after} with the records as JSON (*items owned by
 * the caller). */
int store_plan_audit(struct store_conn *c, int64_t plan, int64_t account, int64_t since,
                     int64_t after_id, int limit, json_t **items);

/* --- whole databases and jobs ----------------------------------------------------------- */

typedef void (*store_copy_progress)(const char *table, int64_t rows, void *arg);
/* Copies every table of from into the empty, same-version database to, in one transaction. */
int store_copy(struct store *from, struct store *to, store_copy_progress progress, void *arg,
	       char *err, size_t errlen);
/* Takes or renews the lease name for holder until now + ttl; *got says whether it is ours. */
int store_lease_take(struct store_conn *c, const char *name, const char *holder, int64_t now,
		     int ttl, bool *got);
/* Deletes sessions idle or older than allowed and stale login failures. */
int store_purge_expired(struct store_conn *c, int64_t now, int64_t idle, int64_t max_age,
			int64_t *removed);

#endif
