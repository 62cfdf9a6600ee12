/*
 * Imports of CSV files from CRMs, ERPs and spreadsheets: one engine behind `kam import`
 * and POST /api/v1/imports. Rows go through the same validation, access checks and
 * derived-data hooks as the REST API, keyed by external id so a second run updates.
 */
#ifndef KAM_APP_IMPORT_H
#define KAM_APP_IMPORT_H
#include "app/record.h"
#include "app/scores.h"

typedef void (*api_import_progress)(int64_t done, int64_t total, void *arg);

struct app_import_opts {
	const char *kind; /* accounts, users, contacts, products, transactions, opportunities, … */
	const char *mapping; /* "salesforce", "hubspot", or NULL for kam's own column names */
	json_t *custom;      /* a mapping file {columns, values, defaults, date_format}, or NULL */
	int datefmt;         /* enum imp_datefmt; IMP_DATE_AUTO decides from the values */
	bool dry_run;        /* report what would happen, write nothing */
	bool atomic;         /* all rows or none */
	int batch;           /* rows per commit when neither (0: 10,000, short write locks) */
	/* a transactions file as large as the table may load in one transaction, its indexes
	 * built at the end (other writers wait for all of it; an atomic run may anyway) */
	bool bulk;
	int64_t import_id;   /* > 0: the queued run to complete, instead of a new record */
	const char *email_domain; /* users without an e-mail get first.last@this, or NULL */
	json_t *preview; /* an object to fill (a dry run only): columns, picklists, first rows */
	api_import_progress progress;
	void *progress_arg;
};

/*
 * Imports the CSV in buf as who, on db (no transaction open). *result (owned by
 * the caller) is the stored import record: counts, rejected rows with line, column and
 * reason, ignored columns. A problem with the file as a whole (unknown kind, no header,
 * ambiguous dates, broken quoting) is KAM_EINVAL with ei filled and nothing written.
 */
int app_import_run(struct store_conn *db, const struct actor *who, const struct app_import_opts *o,
                   const char *buf, size_t len, json_t **result, struct kam_errinfo *ei);

/* Whether who may import as of now (active, not a viewer), its role set to today's:
 * a run checks it at every batch, a queued one before it starts. */
bool app_import_allowed(struct store_conn *db, struct actor *who);
/* Checks the kind and the named mapping before anything is read or queued. */
int app_import_check(const struct app_import_opts *o, struct kam_errinfo *ei);
/* How a run's mapping is recorded: "salesforce", "hubspot", "custom" or "kam". */
const char *api_import_mapping_name(const struct app_import_opts *o);

/* When o->mapping names a saved mapping (not salesforce or hubspot, no file given), loads
 * it into o->custom (*owned, the caller frees it after the run) and its base into
 * o->mapping; KAM_EINVAL naming mapping for an unknown name or a mapping of another kind. */
int app_import_use_saved(struct store_conn *db, struct app_import_opts *o, json_t **owned,
                         struct kam_errinfo *ei);

/* Turns the stored JSON-text columns of an import record into JSON (in place); KAM_ENOMEM
 * when memory ran out. */
int app_import_decorate(json_t *rec);

#endif
