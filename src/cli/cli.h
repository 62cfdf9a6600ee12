/* The kam command's subcommands; main.c parses options and calls these. */
#ifndef KAM_CLI_CLI_H
#define KAM_CLI_CLI_H
#include <stdint.h>
#include "store/store.h"

#define DEMO_PASSWORD "demo-password-1"

/* Fills an empty database with the demo data set; prints the logins. */
int cli_demo(struct store *st, uint64_t seed);
/* The large generated data set for benchmarks (accounts, contacts, transactions). */
int cli_demo_large(struct store *st, uint64_t seed, long accounts, long contacts,
		   long transactions);
/* Adds the KAM-cycle part of the demo (revenue, plans, interactions, …) to these accounts. */
int demo_cycle(struct store_conn *c, uint64_t seed, const int64_t *acct, int nacct,
	       const int64_t *uid, int64_t now);
/* Adds the demo's contracts to the first accounts (in the caller's transaction). */
int demo_contracts(struct store_conn *c, const int64_t *acct, int nacct, int64_t now);
/* Makes the demo's two groups of accounts, their group plans and cross-entity reporting lines
 * (in the caller's transaction). */
int demo_groups(struct store_conn *c, const int64_t *acct, int nacct, int64_t now);
/* Sets the demo's targets and replays the weekly forecast snapshots of this quarter and the
 * last (each in a transaction of its own). */
int demo_forecast_history(struct store_conn *c, int64_t now);
/* Creates a user; prints a generated password when pw is NULL. */
int cli_user_add(struct store *st, const char *email, const char *name, const char *role,
		 const char *pw);
/* Creates an API token for the user with that e-mail and prints it. */
int cli_token_create(struct store *st, const char *email, const char *label);

/* Prints the KPIs of a scope (portfolio, account, kam) as table, json or csv; as (NULL: all)
 * limits them to what that user sees. */
int cli_kpi(struct store *st, const char *scope, const char *id, const char *from, const char *to,
            const char *format, const char *as, int64_t now);

struct store_conn;
struct actor;
/* The user a command runs as (the active user with that e-mail, else the first admin), acting
 * at now. */
int cli_run_as(struct store_conn *c, const char *email, int64_t now, struct actor *who);
struct kam_errinfo;
/* Prints why what ("export", a file name) was refused: each field's error on a line, else the
 * detail, else otherwise. */
void cli_print_refusal(const char *what, const struct kam_errinfo *ei, const char *otherwise);
/* kam export KIND …: a list as CSV or XLSX; returns the exit status. */
int cli_export(const char *db, int argc, char **argv, int64_t now);
/* kam import KIND FILE …: parses its own options; returns the exit status. */
int cli_import(const char *db, int argc, char **argv, int64_t now);
/* Writes the document (pdf or html) of the plan of account (an id or exact name: its active
 * plan, else the latest) to out ("-": standard output; NULL: a file named after the plan). */
int cli_report_plan(struct store *st, const char *account, const char *format, const char *out,
                    const char *as, int64_t now);
/* Writes a consistent copy of the SQLite database db to file, while servers may run. */
int cli_backup(const char *db, const char *file);
/* Replaces the SQLite database db with the backup file, then applies pending migrations. */
int cli_restore(const char *file, const char *db);

/* kam settings get|set …: parses its own options; returns the exit status. */
int cli_settings(const char *db, int argc, char **argv, int64_t now);
/* Sets the dotted key to text (JSON when it parses, else a string) as who; prints why not.
 * *now_in_force (owned by the caller): the settings after the change. */
int cli_settings_set(struct store_conn *c, const struct actor *who, const char *key,
                     const char *text, json_t **now_in_force);

/* Copies the database at from into the empty one at to; prints progress. */
int cli_copy(const char *from, const char *to);
/* Writes url into buf with any password replaced by ***, for printing. */
void cli_redact_url(const char *url, char *buf, size_t len);

#endif
