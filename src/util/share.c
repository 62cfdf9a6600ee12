/* One read in flight at a time, shared by every caller that was waiting when it started. */
#include "util/share.h"

void share_init(struct share *s)
{
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->started = s->done = 0;
	s->busy = false;
	s->waiting = 0;
	s->head = s->tail = NULL;
	s->closed = false;
}

void share_free(struct share *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
}

int share_join(struct share *s, uint64_t *ticket)
{
	uint64_t before;

	pthread_mutex_lock(&s->mu);
	/* reads numbered above this one started after the caller came: only they will do */
	before = s->started;
	for (;;) {
		if (s->done > before)
			return SHARE_USE;
		if (!s->busy) {
			s->busy = true;
			*ticket = ++s->started;
			pthread_mutex_unlock(&s->mu);
			return SHARE_READ;
		}
		s->waiting++;
		pthread_cond_wait(&s->cv, &s->mu);
		s->waiting--;
	}
}

int share_wait(struct share *s, struct share_waiter *w)
{
	pthread_mutex_lock(&s->mu);
	if (s->closed) {
		w->outcome = SHARE_SELF;
		pthread_mutex_unlock(&s->mu);
		return SHARE_SELF;
	}
	if (!s->busy) {
		s->busy = true;
		w->ticket = ++s->started;
		w->outcome = SHARE_READ;
		pthread_mutex_unlock(&s->mu);
		return SHARE_READ;
	}
	w->target = s->started + 1;
	w->outcome = 0;
	w->next = NULL;
	if (s->tail)
		s->tail->next = w;
	else
		s->head = w;
	s->tail = w;
	s->waiting++;
	w->park(w);
	pthread_mutex_unlock(&s->mu);
	return SHARE_QUEUED;
}

/* Called with s->mu held: takes off the queue the waiters the last read serves and, when
 * no read is on its way and some still wait, makes the oldest the next reader (every queued
 * waiter came before that read starts). Returns them, linked, to wake once s->mu is free. */
static struct share_waiter *settle(struct share *s)
{
	struct share_waiter *wake = NULL, **tail = &wake, **pp = &s->head, *w;

	s->tail = NULL;
	while ((w = *pp) != NULL) {
		if (w->target <= s->done) {
			*pp = w->next;
			w->outcome = SHARE_USE;
			*tail = w;
			tail = &w->next;
			s->waiting--;
		} else {
			s->tail = w;
			pp = &w->next;
		}
	}
	if (!s->busy && (w = s->head) != NULL) {
		s->head = w->next;
		if (s->tail == w)
			s->tail = NULL;
		s->busy = true;
		w->ticket = ++s->started;
		w->outcome = SHARE_READ;
		*tail = w;
		tail = &w->next;
		s->waiting--;
	}
	*tail = NULL;
	return wake;
}

/* Wakes the waiters settle returned; each may be freed by its owner once woken. */
static void wake_all(struct share_waiter *w)
{
	while (w) {
		struct share_waiter *next = w->next;

		w->wake(w);
		w = next;
	}
}

void share_lock(struct share *s)
{
	pthread_mutex_lock(&s->mu);
}

void share_publish(struct share *s, uint64_t ticket)
{
	struct share_waiter *w;

	s->done = ticket;
	s->busy = false;
	w = settle(s);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	wake_all(w);
}

void share_abandon(struct share *s)
{
	struct share_waiter *w;

	pthread_mutex_lock(&s->mu);
	s->busy = false;
	w = settle(s);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	wake_all(w);
}

/* Called with s->mu held: takes every queued waiter off the queue with SHARE_SELF and
 * returns them, linked, to wake once s->mu is free. */
static struct share_waiter *dequeue_all(struct share *s)
{
	struct share_waiter *w = s->head, *x;

	s->head = s->tail = NULL;
	for (x = w; x; x = x->next) {
		x->outcome = SHARE_SELF;
		s->waiting--;
	}
	return w;
}

void share_drain(struct share *s)
{
	struct share_waiter *w;

	pthread_mutex_lock(&s->mu);
	s->closed = true;
	w = dequeue_all(s);
	pthread_mutex_unlock(&s->mu);
	wake_all(w);
}

void share_unlock(struct share *s)
{
	pthread_mutex_unlock(&s->mu);
}
