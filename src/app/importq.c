/* The background import worker (see importq.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/importq.h"
#include "store/import.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/node.h"
#include "util/time.h"
#include "util/buf.h"

struct job {
	struct job *next;
	int64_t id;
	struct actor who; /* the submitter, whose rights of the day the run has */
	char kind[32], mapping[32];
	bool has_mapping;
	char email_domain[201]; /* "" for none */
	json_t *custom;
	int datefmt;
	bool dry_run, atomic;
	FILE *spool; /* the body, on disk while it waits (an unlinked temporary file) */
	size_t len;
};

struct app_importq {
	struct store *st;
	struct kam_clock clock; /* a run's "now": when it starts, not when it was queued */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	size_t nqueued, queued_bytes;
	bool stop;
	int64_t cur_id, cur_done, cur_total;
	unsigned long long files_run, rows_done; /* for GET /metrics, under mu */
};

static void progress(int64_t done, int64_t total, void *arg)
{
	struct app_importq *q = arg;

	pthread_mutex_lock(&q->mu);
	q->cur_done = done;
	q->cur_total = total;
	pthread_mutex_unlock(&q->mu);
}

/* Writes fields of a run's record in a transaction of their own. */
static void set_fields(struct store_conn *c, int64_t id, const json_t *rec)
{
	if (store_begin(c, true) != KAM_OK)
		return;
	if (store_update(c, &model_import, id, rec, -1, time_now()) == KAM_OK)
		store_commit(c);
	else
		store_rollback(c);
}

/* Marks a run failed for a reason that concerns the whole file; error (may be NULL) is the
 * refusal, whose base_currency suggestion the web app offers as a button. */
static void fail(struct store_conn *c, int64_t id, const char *why, const json_t *error)
{
	json_t *errs = json_pack("[{s:i,s:s,s:s}]", "line", 0, "column", "", "message", why);
	json_t *hint = json_object_get(error, "base_currency");
	char *s;

	if (json_is_string(hint))
		json_object_set(json_array_get(errs, 0), "base_currency", hint);
	s = buf_json(errs, JSON_COMPACT);
	json_t *rec = json_pack("{s:s,s:s,s:I}", "status", "failed", "errors", s ? s : "[]",
				"finished_at", (json_int_t)time_now());

	set_fields(c, id, rec);
	free(s);
	json_decref(errs);
	json_decref(rec);
}

static void run(struct app_importq *q, struct job *j)
{
	struct app_import_opts o = {.kind = j->kind,
				    .mapping = j->has_mapping ? j->mapping : NULL,
				    .custom = j->custom,
				    .datefmt = j->datefmt,
				    .dry_run = j->dry_run,
				    .atomic = j->atomic,
				    .email_domain = j->email_domain[0] ? j->email_domain : NULL,
				    .progress = progress,
				    .progress_arg = q,
				    .import_id = j->id};
	struct actor who = j->who;
	struct kam_errinfo ei = {0};
	struct store_conn *c = NULL;
	json_t *result = NULL;
	char *csv;
	int rc;

	if (store_acquire(q->st, &c) != KAM_OK)
		return;
	who.now = clock_now(&q->clock);
	who.has_today = false;
	/* the file runs with its submitter's rights of today, not of when it was queued */
	if (!app_import_allowed(c, &who)) {
		fail(c, j->id,
		     "the user who queued this import was deactivated or may no longer import; "
		     "nothing was written",
		     NULL);
		store_release(q->st, c);
		return;
	}
	{
		json_t *running = json_pack("{s:s}", "status", "running");

		set_fields(c, j->id, running);
		json_decref(running);
	}
	/* the body comes back into memory only for its own run */
	csv = malloc(j->len + 1);
	if (csv == NULL || fseek(j->spool, 0, SEEK_SET) != 0 ||
	    fread(csv, 1, j->len, j->spool) != j->len) {
		free(csv);
		fail(c, j->id, "the queued file could not be read back; send it again", NULL);
		store_release(q->st, c);
		return;
	}
	csv[j->len] = '\0';
	rc = app_import_run(c, &who, &o, csv, j->len, &result, &ei);
	free(csv);
	if (rc != KAM_OK) {
		json_t *e = json_array_get(ei.errors, 0);
		char why[600];

		if (e)
			snprintf(why, sizeof(why), "%s: %s",
				 json_string_value(json_object_get(e, "field")),
				 json_string_value(json_object_get(e, "message")));
		else if (ei.detail[0])
			snprintf(why, sizeof(why), "%s", ei.detail);
		else { /* the database failed outside a batch (a lost connection, a refused
		        * commit): what earlier batches committed is in, and counted */
			const char *db = store_last_error(c);

			snprintf(why, sizeof(why),
				 "the import stopped (%s); only rows of batches committed before "
				 "that are written",
				 rc == KAM_ENOMEM ? "out of memory"
				 : db && *db      ? db
				                  : "a database error; see the server log");
		}
		log_msg("warn", "import %lld failed: %s", (long long)j->id, why);
		fail(c, j->id, why, e);
	}
	err_clear(&ei);
	json_decref(result);
	store_release(q->st, c);
}

static void job_free(struct job *j)
{
	json_decref(j->custom);
	if (j->spool)
		fclose(j->spool);
	free(j);
}

static void *loop(void *arg)
{
	struct app_importq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct job *j;

		while (!q->stop && q->head == NULL)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->head == NULL)
			break;
		j = q->head;
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->nqueued--;
		q->queued_bytes -= j->len;
		if (q->stop) { /* stopping: the queued ones are told so, not run */
			struct store_conn *c;

			pthread_mutex_unlock(&q->mu);
			if (store_acquire(q->st, &c) == KAM_OK) {
				fail(c, j->id,
				     "the server stopped before this import ran; send it again",
				     NULL);
				store_release(q->st, c);
			}
			job_free(j);
			pthread_mutex_lock(&q->mu);
			continue;
		}
		q->cur_id = j->id;
		q->cur_done = q->cur_total = 0;
		pthread_mutex_unlock(&q->mu);
		run(q, j);
		pthread_mutex_lock(&q->mu);
		q->files_run++;
		if (!j->dry_run)
			q->rows_done += (unsigned long long)(q->cur_done > 0 ? q->cur_done : 0);
		q->cur_id = 0;
		pthread_mutex_unlock(&q->mu);
		job_free(j);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct app_importq *app_importq_new(struct store *st, const struct kam_clock *clock)
{
	struct app_importq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->st = st;
	q->clock = *clock;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->th, NULL, loop, q) != 0) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		free(q);
		return NULL;
	}
	return q;
}

void app_importq_free(struct app_importq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

/* Under q->mu: whether a file of len bytes from user_id fits the queue's bounds. */
static bool room(const struct app_importq *q, int64_t user_id, size_t len)
{
	size_t mine = 0;

	for (const struct job *j = q->head; j; j = j->next)
		mine += j->who.user_id == user_id;
	return mine < IMPORTQ_PER_USER && q->nqueued < IMPORTQ_TOTAL &&
	       q->queued_bytes + len <= IMPORTQ_BYTES;
}

int app_importq_room(struct app_importq *q, int64_t user_id, size_t len)
{
	bool ok;

	pthread_mutex_lock(&q->mu);
	ok = room(q, user_id, len);
	pthread_mutex_unlock(&q->mu);
	return ok ? KAM_OK : KAM_ERATE;
}

int app_importq_submit(struct app_importq *q, int64_t id, const struct actor *who,
		       const struct app_import_opts *o, const char *csv, size_t len)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return KAM_ENOMEM;
	/* waiting files wait on disk: the queue's bound is on disk space, not memory */
	if ((j->spool = tmpfile()) == NULL || fwrite(csv, 1, len, j->spool) != len ||
	    fflush(j->spool) != 0) {
		log_msg("error", "import queue: cannot spool a file of %zu bytes to disk", len);
		if (j->spool)
			fclose(j->spool);
		free(j);
		return KAM_EBUSY;
	}
	j->len = len;
	j->id = id;
	j->who = *who;
	snprintf(j->kind, sizeof(j->kind), "%s", o->kind);
	if (o->mapping) {
		snprintf(j->mapping, sizeof(j->mapping), "%s", o->mapping);
		j->has_mapping = true;
	}
	j->custom = o->custom ? json_deep_copy(o->custom) : NULL;
	j->datefmt = o->datefmt;
	j->dry_run = o->dry_run;
	j->atomic = o->atomic;
	snprintf(j->email_domain, sizeof(j->email_domain), "%s",
		 o->email_domain ? o->email_domain : "");
	pthread_mutex_lock(&q->mu);
	if (!room(q, who->user_id, len)) {
		pthread_mutex_unlock(&q->mu);
		json_decref(j->custom);
		fclose(j->spool);
		free(j);
		return KAM_ERATE;
	}
	q->nqueued++;
	q->queued_bytes += len;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return KAM_OK;
}

bool app_importq_progress(struct app_importq *q, int64_t id, int64_t *done, int64_t *total)
{
	bool mine;

	if (q == NULL)
		return false;
	pthread_mutex_lock(&q->mu);
	mine = q->cur_id == id;
	*done = q->cur_done;
	*total = q->cur_total;
	pthread_mutex_unlock(&q->mu);
	return mine;
}

void app_importq_metrics_write(struct app_importq *q, struct buf *b)
{
	size_t queued;
	int running;
	unsigned long long files, rows;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	queued = q->nqueued;
	running = q->cur_id != 0;
	files = q->files_run;
	rows = q->rows_done;
	pthread_mutex_unlock(&q->mu);
	metrics_family(b, "kam_import_queue_depth", "gauge",
	               "Background imports waiting on this server (the running one aside)");
	buf_printf(b, "kam_import_queue_depth %zu\n", queued);
	metrics_family(b, "kam_import_running", "gauge", "Background imports running now (0 or 1)");
	buf_printf(b, "kam_import_running %d\n", running);
	metrics_family(b, "kam_import_files_total", "counter",
	               "Background imports this server finished (done or failed)");
	buf_printf(b, "kam_import_files_total %llu\n", files);
	metrics_family(b, "kam_import_rows_total", "counter",
	               "Rows processed by imports that were not dry runs, counted when each file "
	               "ends (rate() gives rows per second)");
	buf_printf(b, "kam_import_rows_total %llu\n", rows);
}

void app_importq_add_rows(struct app_importq *q, int64_t n)
{
	if (q == NULL || n <= 0)
		return;
	pthread_mutex_lock(&q->mu);
	q->rows_done += (unsigned long long)n;
	pthread_mutex_unlock(&q->mu);
}

int app_imports_recover(struct store_conn *c, int64_t now, int *abandoned)
{
	static const char why[] =
	    "the server running this import stopped (it was killed or crashed) before the import "
	    "finished; the rows of the batches it committed were written (created, updated and "
	    "unchanged count them), the rest not; send the file again: rows with an external id "
	    "that are in already are updated, not duplicated";
	json_t *items = NULL, *it, *errs = NULL;
	char *errors = NULL;
	size_t i;
	int rc;

	*abandoned = 0;
	if ((rc = store_imports_unfinished(c, node_id(), now, &items)) != KAM_OK)
		goto out;
	errs = json_pack("[{s:i,s:s,s:s}]", "line", 0, "column", "", "message", why);
	if (errs == NULL || (errors = json_dumps(errs, JSON_COMPACT)) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	json_array_foreach(items, i, it)
	{
		const char *node = json_string_value(json_object_get(it, "node"));
		bool changed = false;

		if (json_integer_value(json_object_get(it, "live")) > 0 && !node_gone(node))
			continue;
		if ((rc = store_import_abandon(c, json_integer_value(json_object_get(it, "id")),
		                               errors, now, &changed)) != KAM_OK)
			goto out;
		if (changed) {
			(*abandoned)++;
			log_msg("warn", "import %lld: its server (%s) is gone; marked failed",
			        (long long)json_integer_value(json_object_get(it, "id")),
			        node ? node : "unknown");
		}
	}
out:
	free(errors);
	json_decref(errs);
	json_decref(items);
	return rc;
}
