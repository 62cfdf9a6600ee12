/*
 * Background jobs of kam serve: the session janitor and the alert scheduler. Each run takes a lease in the database first, so with
 * several servers on one PostgreSQL a job runs on one node at a time, and moves to
 * another node when its holder stops renewing (dies).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "app/alerts.h"
#include "app/importq.h"
#include "app/contracts.h"
#include "app/forecast.h"
#include "app/jobs.h"
#include "app/mail.h"
#include "app/playbooks.h"
#include "kam/auth.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"
#include "util/node.h"
#include "util/time.h"

/* Seconds between runs (KAM_JOB_INTERVAL overrides, for tests); a lease outlives 3 runs. */
#define JOB_INTERVAL 60

struct jobs {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	bool wake; /* a message was queued: send it now, not at the next run */
	int interval;
	char holder[192];
	struct kam_clock clock; /* what "now" a run evaluates alerts at */
	/* for GET /metrics: each job's run durations and failed runs (enum job order) */
	struct metrics_hist runs[3];
	atomic_ullong failed[3];
};

enum { JOB_NODE, JOB_JANITOR, JOB_ALERTS };
static const char *const job_names[3] = {"node", "janitor", "alerts"};

/* Counts a run that began at t0 (time_mono_ms) and ended with rc. */
static void ran(struct jobs *j, int job, double t0, int rc)
{
	metrics_hist_observe(&j->runs[job], time_mono_ms() - t0);
	if (rc != KAM_OK) {
		atomic_fetch_add_explicit(&j->failed[job], 1, memory_order_relaxed);
		store_note_error(j->st, rc);
	}
}

/* Every node: says it lives (its lease "node:NAME"), and calls off the imports of nodes
 * that do not, so none stays queued or running after its server was killed. */
static void run_node(struct jobs *j)
{
	struct store_conn *c;
	char name[256];
	int64_t now = time_now();
	int abandoned = 0;
	bool got = false;
	double t0 = time_mono_ms();
	int rc;

	snprintf(name, sizeof(name), "node:%s", j->holder);
	store_acquire(j->st, &c);
	rc = store_lease_take(c, name, j->holder, now, 3 * j->interval, &got);
	if (rc == KAM_OK)
		rc = app_imports_recover(c, now, &abandoned);
	store_release(j->st, c);
	ran(j, JOB_NODE, t0, rc);
	if (rc != KAM_OK)
		log_msg("warn", "node: database error %d; will retry", rc);
}

static void run_janitor(struct jobs *j)
{
	struct store_conn *c;
	int64_t now = time_now(), removed = 0;
	bool got = false;
	double t0 = time_mono_ms();
	int rc;

	store_acquire(j->st, &c);
	rc = store_lease_take(c, "janitor", j->holder, now, 3 * j->interval, &got);
	if (rc == KAM_OK && got)
		rc = store_purge_expired(c, now, AUTH_SESSION_IDLE, AUTH_SESSION_MAX_AGE, &removed);
	store_release(j->st, c);
	ran(j, JOB_JANITOR, t0, rc);
	if (rc != KAM_OK)
		log_msg("warn", "janitor: database error %d; will retry", rc);
	else if (removed > 0)
		log_msg("info", "janitor: removed %lld expired sessions", (long long)removed);
}

/* Health snapshots and alerts: one node evaluates every account per run. */
static void run_alerts(struct jobs *j)
{
	struct store_conn *c;
	struct alerts_run r;
	int64_t now = clock_now(&j->clock);
	bool got = false;
	double t0 = time_mono_ms();
	int started = 0, rc;

	store_acquire(j->st, &c);
	rc = store_lease_take(c, "alerts", j->holder, now, 3 * j->interval, &got);
	if (rc == KAM_OK && got) /* tiers first, if stale (app/alerts.h) */
		rc = app_alerts_run(c, now, &r);
	/* then the playbooks the alerts and the review schedule start (app/playbooks.c) */
	if (rc == KAM_OK && got)
		rc = app_playbooks_run(c, now, &started);
	store_release(j->st, c);
	ran(j, JOB_ALERTS, t0, rc);
	if (rc != KAM_OK)
		log_msg("warn", "alerts: database error %d; will retry", rc);
	else if (got && (r.opened || r.resolved))
		log_msg("info", "alerts: %zu accounts, %d opened, %d resolved in %.0f ms", r.accounts,
			r.opened, r.resolved, r.ms);
	if (rc == KAM_OK && started)
		log_msg("info", "playbooks: %d runs started", started);
}

/* Renewal opportunities of contracts coming to an end, then this week's forecast snapshot:
 * one node, under the lease "forecast", at KAM_NOW's clock; both are idempotent (a unique
 * index each), so a lease moving between nodes mid-run makes nothing twice. */
static void run_forecast(struct jobs *j)
{
	struct store_conn *c;
	struct actor sys = {.user_id = 0, .role = ROLE_ADMIN, .now = clock_now(&j->clock)};
	bool got = false;
	int made = 0, added = 0, rc;

	store_acquire(j->st, &c);
	rc = store_lease_take(c, "forecast", j->holder, time_now(), 3 * j->interval, &got);
	if (rc == KAM_OK && got)
		rc = app_renewals_run(c, &sys, &made);
	if (rc == KAM_OK && got)
		rc = app_forecast_snapshot_run(c, &sys, &added);
	store_release(j->st, c);
	if (rc != KAM_OK)
		log_msg("warn", "forecast: database error %d; will retry", rc);
	else if (made || added)
		log_msg("info", "forecast: %d renewal opportunities made, %d snapshots taken", made,
			added);
}

/* Due mails: every node may send, each message under its own lease (store/outbox.h). The
 * outbox runs on the wall clock, whatever KAM_NOW says: retries wait real seconds. */
static void run_outbox(struct jobs *j)
{
	struct store_conn *c;
	int sent = 0, failed = 0, rc;

	store_acquire(j->st, &c);
	rc = app_outbox_run(c, j->holder, time_now(), &sent, &failed);
	store_release(j->st, c);
	if (rc != KAM_OK)
		log_msg("warn", "outbox: database error %d; will retry", rc);
	else if (sent || failed)
		log_msg("info", "outbox: %d mails sent, %d failed", sent, failed);
}

/* Daily digests at each user's hour: one node, under the lease "digest", at KAM_NOW's
 * clock (the outbox then sends them on the wall clock). */
static void run_digest(struct jobs *j)
{
	struct store_conn *c;
	int64_t now = clock_now(&j->clock);
	bool got = false;
	int queued = 0, rc;

	store_acquire(j->st, &c);
	rc = store_lease_take(c, "digest", j->holder, time_now(), 3 * j->interval, &got);
	if (rc == KAM_OK && got)
		rc = app_digest_run(c, now, &queued);
	store_release(j->st, c);
	if (rc != KAM_OK)
		log_msg("warn", "digest: database error %d; will retry", rc);
	else if (queued)
		log_msg("info", "digest: %d mails queued", queued);
}

static void *loop(void *arg)
{
	struct jobs *j = arg;

	pthread_mutex_lock(&j->mu);
	while (!j->stop) {
		struct timespec ts;

		pthread_mutex_unlock(&j->mu);
		run_node(j);
		run_janitor(j);
		run_forecast(j);
		run_alerts(j);
		run_digest(j);
		run_outbox(j);
		mem_give_back(); /* every account's health and alerts were in memory */
		pthread_mutex_lock(&j->mu);
		time_mono_deadline(&ts, (int64_t)j->interval * 1000);
		for (;;) {
			int w = 0;

			while (!j->stop && !j->wake &&
			       (w = pthread_cond_timedwait(&j->cv, &j->mu, &ts)) == 0)
				;
			if (j->stop || !j->wake)
				break; /* stopping, or time for the next run */
			/* woken by a new message: the outbox alone, then back to waiting */
			j->wake = false;
			pthread_mutex_unlock(&j->mu);
			run_outbox(j);
			pthread_mutex_lock(&j->mu);
			if (w != 0)
				break;
		}
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* The jobs of this process, for jobs_wake_outbox (one kam serve runs one set). */
static struct jobs *running;
static pthread_mutex_t running_mu = PTHREAD_MUTEX_INITIALIZER;

void jobs_wake_outbox(void)
{
	pthread_mutex_lock(&running_mu); /* jobs_stop waits: j is not freed under us */
	if (running) {
		pthread_mutex_lock(&running->mu);
		running->wake = true;
		pthread_cond_signal(&running->cv);
		pthread_mutex_unlock(&running->mu);
	}
	pthread_mutex_unlock(&running_mu);
}

int jobs_start(struct store *st, const struct kam_clock *clock, struct jobs **out)
{
	struct jobs *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return KAM_ENOMEM;
	snprintf(j->holder, sizeof(j->holder), "%s", node_id());
	j->st = st;
	j->clock = *clock;
	j->interval = JOB_INTERVAL;
	if (getenv("KAM_JOB_INTERVAL")) {
		long v = strtol(getenv("KAM_JOB_INTERVAL"), NULL, 10);

		if (v >= 1 && v <= 3600)
			j->interval = (int)v;
	}
	pthread_mutex_init(&j->mu, NULL);
	time_cond_init_mono(&j->cv);
	if (pthread_create(&j->thread, NULL, loop, j) != 0) {
		free(j);
		return KAM_ENOMEM;
	}
	pthread_mutex_lock(&running_mu);
	running = j;
	pthread_mutex_unlock(&running_mu);
	*out = j;
	return KAM_OK;
}

void jobs_stop(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&running_mu);
	if (running == j)
		running = NULL;
	pthread_mutex_unlock(&running_mu);
	pthread_mutex_lock(&j->mu);
	j->stop = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

void jobs_metrics_write(struct jobs *j, struct buf *b)
{
	char labels[64];

	if (j == NULL)
		return;
	metrics_family(b, "kam_job_run_duration_seconds", "histogram",
	               "Background job runs (alerts: health snapshots and alerts; node: liveness "
	               "and import recovery; janitor: expired sessions), lease taken or not");
	for (int i = 0; i < 3; i++) {
		snprintf(labels, sizeof(labels), "job=\"%s\"", job_names[i]);
		metrics_hist_write(b, "kam_job_run_duration_seconds", labels, &j->runs[i]);
	}
	metrics_family(b, "kam_job_failures_total", "counter",
	               "Background job runs that ended in an error (retried next run)");
	for (int i = 0; i < 3; i++)
		buf_printf(b, "kam_job_failures_total{job=\"%s\"} %llu\n", job_names[i],
		           atomic_load(&j->failed[i]));
}
