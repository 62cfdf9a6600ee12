/* The background jobs of kam serve: scores, alerts and clean-ups, each under a database
 * lease so that one node of several runs it. */
#ifndef KAM_APP_JOBS_H
#define KAM_APP_JOBS_H
#include "store/store.h"
#include "util/time.h"

struct jobs;
/* Starts the background jobs of kam serve (each under a database lease), at clock's now. */
int jobs_start(struct store *st, const struct kam_clock *clock, struct jobs **out);
/* Stops them and waits for a run in progress. */
void jobs_stop(struct jobs *j);
struct buf;
/* Writes the jobs' run durations and failures in the Prometheus text format; j may be
 * NULL (no jobs: nothing written). */
void jobs_metrics_write(struct jobs *j, struct buf *b);
/* Tells this server's outbox worker that a message was committed, so it sends now instead of
 * at the next run (call it after the commit; without running jobs it does nothing). */
void jobs_wake_outbox(void);

#endif
