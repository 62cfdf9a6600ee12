/*
 * Imports in the background: POST /api/v1/imports?async=true answers 202 at once and one
 * worker thread per server runs the queued files in order (they would queue on the write
 * lock anyway), keeping each run's progress for GET /api/v1/imports/{id}.
 */
#ifndef KAM_APP_IMPORTQ_H
#define KAM_APP_IMPORTQ_H
#include <stdbool.h>
#include <stdint.h>
#include "app/import.h"
#include "util/time.h"

struct app_importq;

#define IMPORTQ_PER_USER 2                 /* files waiting per user (the running one aside) */
#define IMPORTQ_TOTAL 16                   /* files waiting on one server */
#define IMPORTQ_BYTES (256u * 1024 * 1024) /* their bodies, spooled to disk until they run */
#define IMPORTQ_RETRY_AFTER 30             /* seconds a refused client is asked to wait */

/* Starts the worker on st (it takes one connection while it runs a file); free with
 * app_importq_free. */
struct app_importq *app_importq_new(struct store *st, const struct kam_clock *clock);
/* Finishes the file in progress, marks the queued ones failed, and stops. q may be NULL. */
void app_importq_free(struct app_importq *q);
/* Queues the file (csv, len copied) for import id as who; custom is copied too. */
int app_importq_submit(struct app_importq *q, int64_t id, const struct actor *who,
                       const struct app_import_opts *o, const char *csv, size_t len);
/* Whether the queue takes a file of len bytes from user_id now: KAM_ERATE when they have
 * IMPORTQ_PER_USER files waiting, or the server IMPORTQ_TOTAL files or IMPORTQ_BYTES. */
int app_importq_room(struct app_importq *q, int64_t user_id, size_t len);
/* Rows done and in the file of import id when this server is running it now. */
bool app_importq_progress(struct app_importq *q, int64_t id, int64_t *done, int64_t *total);
/* Counts n rows of an import run outside the queue (a synchronous one) for GET /metrics. */
void app_importq_add_rows(struct app_importq *q, int64_t n);
struct buf;
/* Writes the queue's depth, files run and rows imported in the Prometheus text format. */
void app_importq_metrics_write(struct app_importq *q, struct buf *b);
/* Marks failed, with the reason, every queued or running import of a node that is gone
 * (its lease "node:NAME" ran out, or util/node.h knows it dead); *abandoned counts them.
 * Any node may run it at any time: a run another node finishes meanwhile is left alone. */
int app_imports_recover(struct store_conn *c, int64_t now, int *abandoned);

#endif
