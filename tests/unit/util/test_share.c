/* A shared read serves only callers that came before it started: those that come while a
 * read is on its way wait for the next one (they may need a change committed meanwhile), and
 * share it. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>
#include "util/share.h"

struct caller {
	struct share *s;
	int how;         /* what share_join answered */
	uint64_t ticket; /* when it reads */
	int seen;        /* the result it used, or the one it published */
	int publish;     /* a reader publishes this */
	bool fail;       /* a reader abandons instead */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool reading, go;
	bool used; /* returned with another's result */
};

static int result; /* the owner's result, under s->mu */

static void *run(void *arg)
{
	struct caller *c = arg;

	c->how = share_join(c->s, &c->ticket);
	if (c->how == SHARE_USE) {
		c->seen = result;
		share_unlock(c->s);
		pthread_mutex_lock(&c->mu);
		c->used = true;
		pthread_mutex_unlock(&c->mu);
		return NULL;
	}
	/* a reader tells the test it is on its way, and finishes when told to */
	pthread_mutex_lock(&c->mu);
	c->reading = true;
	pthread_cond_broadcast(&c->cv);
	while (!c->go)
		pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	if (c->fail) {
		share_abandon(c->s);
		return NULL;
	}
	share_lock(c->s);
	result = c->seen = c->publish;
	share_publish(c->s, c->ticket);
	return NULL;
}

static void start(struct caller *c, struct share *s, int publish, pthread_t *t)
{
	*c = (struct caller){.s = s, .publish = publish};
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	assert_int_equal(pthread_create(t, NULL, run, c), 0);
}

static void wait_reading(struct caller *c)
{
	pthread_mutex_lock(&c->mu);
	while (!c->reading)
		pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

static void finish(struct caller *c)
{
	pthread_mutex_lock(&c->mu);
	c->go = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

/* Returns once n callers wait on s. */
static void wait_waiting(struct share *s, unsigned n)
{
	for (;;) {
		unsigned w;

		pthread_mutex_lock(&s->mu);
		w = s->waiting;
		pthread_mutex_unlock(&s->mu);
		if (w >= n)
			return;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
}

static void test_alone(void **state)
{
	struct share s;
	uint64_t t1, t2;

	(void)state;
	share_init(&s);
	assert_int_equal(share_join(&s, &t1), SHARE_READ);
	share_lock(&s);
	share_publish(&s, t1);
	/* a read that finished before the caller came is not its own */
	assert_int_equal(share_join(&s, &t2), SHARE_READ);
	assert_true(t2 > t1);
	share_abandon(&s);
	share_free(&s);
}

static void test_later_callers_share_the_next_read(void **state)
{
	struct share s;
	struct caller a, w[3], *reader = NULL;
	pthread_t ta, tw[3];
	int readers = 0;

	(void)state;
	share_init(&s);
	start(&a, &s, 1, &ta);
	wait_reading(&a);
	/* three come while a's read is on its way: none may use it */
	for (int i = 0; i < 3; i++)
		start(&w[i], &s, 10 + i, &tw[i]);
	wait_waiting(&s, 3);
	finish(&a);
	pthread_join(ta, NULL);
	/* one of them reads; the other two wait for that read, not for a later one */
	for (int used = 0; reader == NULL && used < 3;) {
		used = 0;
		for (int i = 0; i < 3; i++) {
			pthread_mutex_lock(&w[i].mu);
			if (w[i].reading)
				reader = &w[i];
			used += w[i].used;
			pthread_mutex_unlock(&w[i].mu);
		}
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	assert_non_null(reader); /* not a's result, read before they came */
	wait_waiting(&s, 2);
	finish(reader);
	for (int i = 0; i < 3; i++)
		pthread_join(tw[i], NULL);
	for (int i = 0; i < 3; i++) {
		if (w[i].how == SHARE_READ) {
			readers++;
			continue;
		}
		assert_int_equal(w[i].how, SHARE_USE);
		assert_int_equal(w[i].seen, reader->publish);
	}
	assert_int_equal(readers, 1);
	assert_int_equal(result, reader->publish);
	share_free(&s);
}

static void test_failed_read_is_not_shared(void **state)
{
	struct share s;
	struct caller a, b;
	pthread_t ta, tb;

	(void)state;
	share_init(&s);
	start(&a, &s, 1, &ta);
	wait_reading(&a);
	start(&b, &s, 2, &tb);
	wait_waiting(&s, 1);
	a.fail = true;
	finish(&a);
	pthread_join(ta, NULL);
	/* the waiting caller reads in turn */
	wait_reading(&b);
	assert_int_equal(b.how, SHARE_READ);
	finish(&b);
	pthread_join(tb, NULL);
	assert_int_equal(result, 2);
	share_free(&s);
}

/* Callers that wait without a thread (share_wait): each remembers how it was parked and
 * woken. */
struct queued {
	struct share_waiter w; /* first: the callbacks cast */
	struct share *s;
	int parked, woken;
	bool parked_locked, woken_unlocked;
};

static void q_park(struct share_waiter *w)
{
	struct queued *q = (struct queued *)w;

	q->parked++;
	/* parked under the lock, so that its wake-up cannot come first */
	q->parked_locked = pthread_mutex_trylock(&q->s->mu) != 0;
}

static void q_wake(struct share_waiter *w)
{
	struct queued *q = (struct queued *)w;

	q->woken++;
	/* woken without the lock: the waker may take it, and so may the woken */
	q->woken_unlocked = pthread_mutex_trylock(&q->s->mu) == 0;
	if (q->woken_unlocked)
		pthread_mutex_unlock(&q->s->mu);
}

static int q_join(struct share *s, struct queued *q)
{
	*q = (struct queued){.s = s, .w = {.park = q_park, .wake = q_wake}};
	return share_wait(s, &q->w);
}

static void publish(struct share *s, uint64_t ticket, int value)
{
	share_lock(s);
	result = value;
	share_publish(s, ticket);
}

static void test_queued_callers_wait_for_the_next_read(void **state)
{
	struct share s;
	struct queued r, q[4];

	(void)state;
	share_init(&s);
	assert_int_equal(q_join(&s, &r), SHARE_READ);
	assert_int_equal(r.parked, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(q_join(&s, &q[i]), SHARE_QUEUED);
		assert_int_equal(q[i].parked, 1);
		assert_true(q[i].parked_locked);
	}
	assert_int_equal(s.waiting, 3);
	/* r's read was on its way when they came: none may use it; the oldest reads next, and
	 * the two others wait for that read */
	publish(&s, r.w.ticket, 1);
	assert_int_equal(q[0].woken, 1);
	assert_true(q[0].woken_unlocked);
	assert_int_equal(q[0].w.outcome, SHARE_READ);
	assert_true(q[0].w.ticket > r.w.ticket);
	assert_int_equal(q[1].woken + q[2].woken, 0);
	assert_int_equal(s.waiting, 2);
	/* one that comes during q[0]'s read waits for the read after */
	assert_int_equal(q_join(&s, &q[3]), SHARE_QUEUED);
	publish(&s, q[0].w.ticket, 2);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(q[i].woken, 1);
		assert_int_equal(q[i].w.outcome, SHARE_USE);
	}
	assert_int_equal(q[3].woken, 1);
	assert_int_equal(q[3].w.outcome, SHARE_READ);
	assert_int_equal(s.waiting, 0);
	publish(&s, q[3].w.ticket, 3);
	assert_int_equal(q[3].woken, 1); /* woken once */
	share_free(&s);
}

static void test_queued_caller_reads_when_a_read_fails(void **state)
{
	struct share s;
	struct queued r, a, b;

	(void)state;
	share_init(&s);
	assert_int_equal(q_join(&s, &r), SHARE_READ);
	assert_int_equal(q_join(&s, &a), SHARE_QUEUED);
	assert_int_equal(q_join(&s, &b), SHARE_QUEUED);
	share_abandon(&s);
	assert_int_equal(a.w.outcome, SHARE_READ);
	assert_int_equal(b.woken, 0);
	publish(&s, a.w.ticket, 7);
	assert_int_equal(b.w.outcome, SHARE_USE);
	assert_int_equal(result, 7);
	share_free(&s);
}

static void test_drain_wakes_every_queued_caller(void **state)
{
	struct share s;
	struct queued r, a, b, late;

	(void)state;
	share_init(&s);
	assert_int_equal(q_join(&s, &r), SHARE_READ);
	assert_int_equal(q_join(&s, &a), SHARE_QUEUED);
	assert_int_equal(q_join(&s, &b), SHARE_QUEUED);
	share_drain(&s);
	assert_int_equal(a.woken, 1);
	assert_int_equal(b.woken, 1);
	assert_int_equal(a.w.outcome, SHARE_SELF);
	assert_int_equal(b.w.outcome, SHARE_SELF);
	assert_int_equal(s.waiting, 0);
	/* nobody is parked once drained: a server stopping may not keep one suspended */
	assert_int_equal(q_join(&s, &late), SHARE_SELF);
	assert_int_equal(late.parked, 0);
	publish(&s, r.w.ticket, 1);
	assert_int_equal(a.woken + b.woken, 2);
	share_free(&s);
}

/* A blocked caller and a queued one that came during the same read share the next read: the
 * queued one makes it, and the blocked one neither uses the read before nor makes its own. */
static void test_blocked_and_queued_callers_share_a_read(void **state)
{
	struct share s;
	struct queued r, q;
	struct caller b;
	pthread_t tb;

	(void)state;
	share_init(&s);
	assert_int_equal(q_join(&s, &r), SHARE_READ);
	start(&b, &s, 99, &tb);
	wait_waiting(&s, 1);
	assert_int_equal(q_join(&s, &q), SHARE_QUEUED);
	publish(&s, r.w.ticket, 1);
	assert_int_equal(q.w.outcome, SHARE_READ);
	nanosleep(&(struct timespec){0, 20000000}, NULL);
	pthread_mutex_lock(&b.mu);
	assert_false(b.used || b.reading);
	pthread_mutex_unlock(&b.mu);
	publish(&s, q.w.ticket, 2);
	pthread_join(tb, NULL);
	assert_int_equal(b.how, SHARE_USE);
	assert_int_equal(b.seen, 2);
	share_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alone),
	    cmocka_unit_test(test_later_callers_share_the_next_read),
	    cmocka_unit_test(test_failed_read_is_not_shared),
	    cmocka_unit_test(test_queued_callers_wait_for_the_next_read),
	    cmocka_unit_test(test_queued_caller_reads_when_a_read_fails),
	    cmocka_unit_test(test_drain_wakes_every_queued_caller),
	    cmocka_unit_test(test_blocked_and_queued_callers_share_a_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
