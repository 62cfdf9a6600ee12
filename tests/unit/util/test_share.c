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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alone),
	    cmocka_unit_test(test_later_callers_share_the_next_read),
	    cmocka_unit_test(test_failed_read_is_not_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
