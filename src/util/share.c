/* One read in flight at a time, shared by every caller that was waiting when it started. */
#include "util/share.h"

void share_init(struct share *s)
{
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->started = s->done = 0;
	s->busy = false;
	s->waiting = 0;
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

void share_lock(struct share *s)
{
	pthread_mutex_lock(&s->mu);
}

void share_publish(struct share *s, uint64_t ticket)
{
	s->done = ticket;
	s->busy = false;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void share_abandon(struct share *s)
{
	pthread_mutex_lock(&s->mu);
	s->busy = false;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void share_unlock(struct share *s)
{
	pthread_mutex_unlock(&s->mu);
}
