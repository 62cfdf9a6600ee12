/*
 * The import engine (see import.h): parse the whole file, map its columns, decide the date
 * order from the values, then write row by row through the REST API's own cores, each row
 * in a savepoint so a rejected one leaves no trace and the rest go on.
 */
#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/import_internal.h"
#include "app/webhook.h"
#include "kam/importfmt.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/import.h"
#include "store/revenue.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/time.h"

/* --- the run -------------------------------------------------------------------------------- */

struct err_at {
	json_int_t line;
	size_t i;
	json_t *e;
};

static int by_line(const void *a, const void *b)
{
	const struct err_at *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Rows may be written out of file order (a parent before its subsidiary): the report lists
 * problems by line, each row's own problems in the order they were found. Returns errors. */
static json_t *by_lines(json_t *errors)
{
	size_t n = json_array_size(errors);
	struct err_at *v = n > 1 ? calloc(n, sizeof(*v)) : NULL;

	if (v == NULL)
		return errors; /* none or one, or no memory to sort: file order it is */
	for (size_t i = 0; i < n; i++) {
		v[i].e = json_incref(json_array_get(errors, i));
		v[i].line = json_integer_value(json_object_get(v[i].e, "line"));
		v[i].i = i;
	}
	qsort(v, n, sizeof(*v), by_line);
	for (size_t i = 0; i < n; i++)
		json_array_set_new(errors, i, v[i].e);
	free(v);
	return errors;
}

/* Records the run (and its audit row) and reads it back into *result; in_tx: inside the
 * caller's open transaction, which the caller commits. */
static int save(struct imp *im, json_t **result, bool in_tx)
{
	struct store_conn *db = im->db;
	const struct actor *who = &im->who;
	const struct app_import_opts *o = im->o;
	const char *status = o->dry_run                  ? "dry_run"
	                     : im->failed                ? "failed"
	                     : o->atomic && im->rejected ? "failed"
	                                                 : "done";
	char *errors = buf_json(by_lines(im->errors), JSON_COMPACT);
	char *ignored = buf_json(im->ignored, JSON_COMPACT);
	json_t *rec =
	    json_pack("{s:s,s:s,s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I}", "kind", o->kind,
	              "mapping", api_import_mapping_name(o), "status", status, "dry_run",
	              o->dry_run, "atomic", o->atomic, "rows_total", (json_int_t)(im->nrows - 1),
	              "created", (json_int_t)im->created, "updated", (json_int_t)im->updated,
	              "unchanged", (json_int_t)im->unchanged, "rejected", (json_int_t)im->rejected,
	              "errors", errors ? errors : "[]", "ignored_columns", ignored ? ignored : "[]",
	              "created_by", (json_int_t)who->user_id);
	json_t *summary = NULL;
	int64_t id;
	int rc;

	bool oom = rec == NULL || errors == NULL || ignored == NULL;

	free(errors);
	free(ignored);
	if (oom || json_object_set_new(rec, "finished_at", json_integer(time_now())) != 0) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (!in_tx && (rc = store_begin(db, true)) != KAM_OK)
		goto out;
	if (o->import_id > 0) { /* a queued run: its record exists */
		id = o->import_id;
		if ((rc = store_update(db, &model_import, id, rec, -1, time_now())) != KAM_OK)
			goto out;
	} else if ((rc = store_insert(db, &model_import, rec, time_now(), &id)) != KAM_OK) {
		goto out;
	}
	summary =
	    json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "kind", o->kind, "status", status, "created",
	              (json_int_t)im->created, "updated", (json_int_t)im->updated, "unchanged",
	              (json_int_t)im->unchanged, "rejected", (json_int_t)im->rejected);
	if (summary == NULL)
		rc = KAM_ENOMEM;
	if (rc != KAM_OK ||
	    (rc = app_audit(db, who, "import", "import", id, NULL, summary)) != KAM_OK)
		goto out;
	if (!o->dry_run) { /* import.finished, in the run's last transaction */
		json_t *done = NULL;

		if ((rc = store_get(db, &model_import, id, &done, NULL)) == KAM_OK) {
			app_import_decorate(done);
			rc = app_webhook_emit(db, "import.finished", done, NULL);
		}
		json_decref(done);
		if (rc != KAM_OK)
			goto out;
	}
	if (!in_tx && (rc = store_commit(db)) != KAM_OK)
		goto out;
	if ((rc = store_get(db, &model_import, id, result, NULL)) == KAM_OK &&
	    (rc = app_import_decorate(*result)) != KAM_OK) {
		json_decref(*result);
		*result = NULL;
	}
out:
	if (rc != KAM_OK && !in_tx)
		store_rollback(db);
	json_decref(rec);
	json_decref(summary);
	return rc;
}

/*
 * The run stopped on an error that is not a row's (the database refused a batch): the
 * open batch is undone, what earlier batches committed stays, and the run is recorded as
 * failed with the line it stopped at, so nobody is left guessing what went in.
 */
static int stopped(struct imp *im, long line, bool open, const char *why, json_t **result)
{
	const struct app_import_opts *o = im->o;
	char msg[300];

	snprintf(msg, sizeof(msg),
	         "the import stopped here (%s); only rows of batches before this line were "
	         "written",
	         why ? why : store_last_error(im->db));
	if (json_array_append_new(im->errors, json_pack("{s:I,s:s,s:s}", "line", (json_int_t)line,
	                                                "column", "", "message", msg)) != 0) {
		/* a failed run recorded without where it stopped would leave the client guessing */
		if (open)
			store_rollback(im->db);
		return KAM_ENOMEM;
	}
	if (open)
		store_rollback(im->db);
	im->failed = true;
	im->created = o->atomic ? 0 : im->c_created;
	im->updated = o->atomic ? 0 : im->c_updated;
	im->unchanged = o->atomic ? 0 : im->c_unchanged;
	return save(im, result, false);
}

/*
 * A queued run's record counts the rows of each batch in that batch's transaction: if the
 * server dies before the run ends, the record (marked failed by app_imports_recover) says
 * how many rows went in.
 */
static int batch_counts(struct imp *im)
{
	json_t *rec;
	int rc;

	if (im->o->import_id <= 0)
		return KAM_OK;
	rec =
	    json_pack("{s:I,s:I,s:I,s:I,s:I}", "rows_total", (json_int_t)(im->nrows - 1), "created",
	              (json_int_t)im->created, "updated", (json_int_t)im->updated, "unchanged",
	              (json_int_t)im->unchanged, "rejected", (json_int_t)im->rejected);
	if (rec == NULL)
		return KAM_ENOMEM;
	rc = store_update(im->db, &model_import, im->o->import_id, rec, -1, time_now());
	json_decref(rec);
	return rc;
}

bool app_import_allowed(struct store_conn *db, struct actor *who)
{
	json_t *u = NULL;
	bool ok = false;

	if (store_get(db, &model_user, who->user_id, &u, NULL) == KAM_OK) {
		who->role = auth_role_parse(json_string_value(json_object_get(u, "role")));
		ok = json_is_true(json_object_get(u, "active")) && who->role != ROLE_NONE &&
		     who->role != ROLE_VIEWER;
	}
	json_decref(u);
	return ok;
}

static const struct app_resource *resource_of(const char *entity)
{
	static const struct {
		const char *name;
		const struct app_resource *r;
	} map[] = {
	    {"account", &res_accounts},         {"contact", &res_contacts},         {"unit", &res_units},
	    {"FX rate", &res_fx_rates},         {"product", &res_products},
	    {"transaction", &res_transactions}, {"opportunity", &res_opportunities},
	    {"interaction", &res_interactions}, {"case", &res_cases},
	    {"survey", &res_surveys},           {"user", &res_users},
	    {"contract", &res_contracts},       {"forecast target", &res_forecast_targets},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, entity))
			return map[i].r;
	return NULL;
}

static const struct model_entity *entity_of(const char *name)
{
	const struct app_resource *r = resource_of(name);

	return r ? r->e : NULL;
}

int app_import_check(const struct app_import_opts *o, struct kam_errinfo *ei)
{
	if (imp_kind_get(o->kind) == NULL) {
		err_field(ei, "kind",
		          "is one of accounts, users, contacts, products, units, fx-rates, "
		          "transactions, opportunities, interactions, cases, surveys, contracts, "
		          "targets");
		return KAM_EINVAL;
	}
	if (o->mapping && strcmp(o->mapping, "salesforce") != 0 &&
	    strcmp(o->mapping, "hubspot") != 0) {
		err_field(ei, "mapping", "is salesforce, hubspot, or a mapping file");
		return KAM_EINVAL;
	}
	return KAM_OK;
}

const char *api_import_mapping_name(const struct app_import_opts *o)
{
	return o->custom ? "custom" : o->mapping ? o->mapping : "kam";
}

/* A batch's write transaction. An accounts import writes account rows and then ranks the
 * whole portfolio, as the alerts job writes every account's health: the portfolio lock
 * first, so the two never hold account rows in two orders (a deadlock on PostgreSQL). */
static int begin_batch(struct imp *im)
{
	int rc = store_begin(im->db, true);

	if (rc == KAM_OK && im->e == &model_account && (rc = store_portfolio_lock(im->db)) != KAM_OK)
		store_rollback(im->db);
	return rc;
}

/*
 * A transactions file at least as large as the table (and past KAM_IMPORT_BULK_ROWS rows,
 * default BULK_ROWS) loads in one transaction: the large indexes are dropped inside it and
 * built once, sorted, at its end, rather than written into row by row. Readers keep the
 * committed table with its indexes meanwhile, and a crash or a rollback leaves the database
 * as it was, indexes included. Other writers wait for the whole load, not a batch: only
 * for a run that holds the lock throughout anyway (atomic) or may (the command line's).
 */
static int bulk_maybe(struct imp *im)
{
	const char *env = getenv("KAM_IMPORT_BULK_ROWS");
	int64_t min = BULK_ROWS, rows = (int64_t)im->nrows - 1, have = 0;
	int rc;

	if (env && *env) {
		char *end;
		long long v = strtoll(env, &end, 10);

		if (*end == '\0' && v > 0)
			min = v;
	}
	if (im->e != &model_transaction || im->o->dry_run || !(im->o->bulk || im->o->atomic) ||
	    rows < min)
		return KAM_OK;
	if ((rc = store_bulk_tx_rows(im->db, &have)) != KAM_OK || rows < have)
		return rc;
	return store_bulk_defer(im->db, &im->deferred);
}

int app_import_run(struct store_conn *db, const struct actor *who, const struct app_import_opts *o, const char *buf, size_t len,
                   json_t **result, struct kam_errinfo *ei)
{
	struct imp im = {.db = db,
	                 .who = *who,
	                 .o = o,
	                 .keys = json_object(),
	                 .errors = json_array(),
	                 .ignored = json_array(),
	                 .rates = json_object()};
	struct settings s;
	const char *ahead;
	bool open = false;
	double t0;
	size_t inbatch = 0;
	int rc;

	*result = NULL;
	if ((rc = app_import_check(o, ei)) != KAM_OK)
		goto out;
	/* a map missing for want of memory would take every reference for "not found" */
	if (im.keys == NULL || im.errors == NULL || im.ignored == NULL || im.rates == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (o->preview && !o->dry_run) { /* a preview never writes */
		err_detail(ei, "a preview is a dry run");
		rc = KAM_EINVAL;
		goto out;
	}
	im.k = imp_kind_get(o->kind);
	im.e = entity_of(im.k->entity);
	im.res = resource_of(im.k->entity);
	if (im.e == &model_user && who->role != ROLE_ADMIN) {
		err_detail(ei, "only admins may import users");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	snprintf(im.base_currency, sizeof(im.base_currency), "%s", s.base_currency);
	im.fiscal_year_start_month = s.fiscal_year_start_month;
	if ((rc = imp_parse(&im, buf, len, ei)) != KAM_OK ||
	    (rc = imp_map_columns(&im, ei)) != KAM_OK ||
	    (rc = imp_decide_dates(&im, ei)) != KAM_OK || (rc = imp_order_rows(&im)) != KAM_OK ||
	    (rc = imp_check_currency(&im, ei)) != KAM_OK ||
	    (o->preview && (rc = imp_preview_columns(&im)) != KAM_OK))
		goto out;
	imp_direct_plan(&im);
	/* a row's external id is noted as it is read: the set sized for the file at once
	 * rather than grown (each growth a new table, each of its pages a fault, every key
	 * placed again) */
	for (size_t i = 0; i < im.ncols; i++)
		if (im.cols[i].f && !im.cols[i].ref && !strcmp(im.cols[i].f->name, "external_id") &&
		    (rc = imp_seen_reserve(&im.seen, im.nrows - 1)) != KAM_OK)
			goto out;
	/* and the queue of new transactions for every row (pages never written cost nothing) */
	if (im.e == &model_transaction && im.nrows > 1) {
		if ((im.pending = malloc((im.nrows - 1) * sizeof(*im.pending))) == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		im.cappending = im.nrows - 1;
		mem_huge(im.pending, im.cappending * sizeof(*im.pending));
	}
	if (o->progress) /* the file is read: how many rows there are is known */
		o->progress(0, (int64_t)im.nrows - 1, o->progress_arg);
	/* a re-import reads the stored rows of a batch of rows in one statement where each
	 * statement is a round trip; SQLite reads one row by its id faster than a batch by
	 * external id (KAM_IMPORT_READ_AHEAD=1 or 0 decides otherwise: tests take both paths) */
	ahead = getenv("KAM_IMPORT_READ_AHEAD");
	im.ahead_on = ahead && *ahead ? strcmp(ahead, "0") != 0 : store_remote(db);
	if ((rc = begin_batch(&im)) != KAM_OK)
		goto out;
	open = true;
	if ((rc = bulk_maybe(&im)) != KAM_OK)
		goto out;
	t0 = time_mono_ms();
	for (size_t r = 1; r < im.nrows && rc == KAM_OK; r++) {
		rc = imp_row(&im, &im.rows[r]);
		/* a batch ends after BATCH_ROWS rows or BATCH_MS, whichever comes first, so no
		 * other writer waits long behind an import (o->batch: a fixed row count); a bulk
		 * load writes all its new rows at its end, sorted as the indexes want them */
		if (rc == KAM_OK && !im.deferred.on &&
		    (o->batch ? r % o->batch == 0
		              : ++inbatch >= BATCH_ROWS || time_mono_ms() - t0 >= BATCH_MS)) {
			inbatch = 0;
			t0 = time_mono_ms();
			rc = imp_flush(&im);
			if (rc == KAM_OK && !o->dry_run &&
			    !o->atomic) { /* let other writers in between batches */
				/* who gets in may change what was read ahead */
				imp_ahead_clear(&im);
				if ((rc = batch_counts(&im)) != KAM_OK) {
					/* the batch is still open: stopped() undoes it */
				} else if ((rc = store_commit(db)) == KAM_OK) {
					im.c_created = im.created;
					im.c_updated = im.updated;
					im.c_unchanged = im.unchanged;
					store_yield_to_writers(db, 250);
					rc = begin_batch(&im);
					open = rc == KAM_OK;
				} else {
					open = false;
				}
				if (rc == KAM_OK && !app_import_allowed(db, &im.who)) {
					/* deactivated (or made a viewer) while it ran: it stops */
					rc = stopped(
					    &im, im.rows[r].line, open,
					    "the user who started it was deactivated or may no "
					    "longer import",
					    result);
					open = false;
					goto out;
				}
			}
		}
		if (rc != KAM_OK && rc != KAM_ENOMEM) {
			rc = stopped(&im, im.rows[r].line, open, NULL, result);
			open = false;
			goto out;
		}
		if (rc == KAM_OK && o->progress && r % 1000 == 0)
			o->progress((int64_t)r, (int64_t)im.nrows - 1, o->progress_arg);
	}
	if (rc == KAM_OK && (rc = imp_flush(&im)) == KAM_OK && im.deferred.on)
		rc = store_bulk_restore(db, &im.deferred);
	if (rc != KAM_OK && rc != KAM_ENOMEM) {
		rc = stopped(&im, im.rows[im.nrows - 1].line, open, NULL, result);
		open = false;
		goto out;
	}
	/* accounts were written without ranking each among all (that made imports quadratic):
	 * the whole portfolio is ranked once, here, in the last batch's transaction */
	if (rc == KAM_OK && im.e == &model_account && !o->dry_run && (im.created || im.updated))
		rc = app_scores_refresh(db, &s, who->now);
	if (rc == KAM_OK && o->progress)
		o->progress((int64_t)im.nrows - 1, (int64_t)im.nrows - 1, o->progress_arg);
	if (rc != KAM_OK)
		goto out;
	if (o->dry_run || (o->atomic && im.rejected)) {
		store_rollback(db);
		if (o->atomic && im.rejected && !o->dry_run)
			im.created = im.updated = im.unchanged = 0;
		open = false;
		rc = save(&im, result, false);
	} else {
		/* the run's record goes into the last batch's transaction: the rows without the
		 * record of their run (a client told 503 that retries) cannot happen */
		if ((rc = save(&im, result, true)) == KAM_OK)
			rc = store_commit(db); /* which undoes all when it fails */
		open = rc != KAM_OK;
		if (rc != KAM_OK) {
			json_decref(*result);
			*result = NULL;
		}
	}
out:
	if (open)
		store_rollback(db);
	for (size_t r = 0; r < im.nrows; r++)
		free(im.rows[r].loop);
	imp_arena_free(&im.rowmem); /* each row's pointers and text */
	buf_free(&im.cur);
	free(im.rows);
	free(im.cols);
	json_decref(im.keys);
	json_decref(im.errors);
	json_decref(im.ignored);
	imp_seen_free(&im.seen);
	imp_seen_free(&im.refs);
	imp_cells_free(&im.cells);
	imp_cells_free(&im.checked);
	imp_ahead_clear(&im);
	imp_cells_free(&im.ahead_ix);
	json_decref(im.rates);
	free(im.pending);
	store_bulk_deferred_free(&im.deferred);
	return rc;
}

int app_import_decorate(json_t *rec)
{
	static const char *const cols[] = {"errors", "ignored_columns"};

	for (size_t i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(rec, cols[i]));
		json_error_t err;
		json_t *v = s ? json_loads(s, 0, &err) : NULL;

		/* an answer whose errors went missing would read as a clean run */
		if (s && v == NULL && json_error_code(&err) == json_error_out_of_memory)
			return KAM_ENOMEM;
		if (json_object_set_new(rec, cols[i], v ? v : json_array()) != 0)
			return KAM_ENOMEM;
	}
	return KAM_OK;
}
