/*
 * One read that many threads may share, when what each needs is a value read *after* it
 * asked: a request that arrives while a read is on its way cannot use that read (it may have
 * been answered before a change the request must see), but every request that arrived
 * meanwhile can use the next one. So one read is in flight at a time, and it serves every
 * caller that was waiting when it started. Used for the versions every request reads from
 * PostgreSQL (a round trip each): under load most requests wait for the next read instead of
 * making their own.
 */
#ifndef KAM_UTIL_SHARE_H
#define KAM_UTIL_SHARE_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct share {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t started; /* reads started */
	uint64_t done;    /* the number of the read whose result the owner keeps; 0: none */
	bool busy;        /* a read is on its way */
	unsigned waiting; /* callers waiting for a read to finish */
};

enum { SHARE_READ = 1, SHARE_USE = 2 };

/* Initialises s: no read yet. */
void share_init(struct share *s);
/* Frees what share_init made. */
void share_free(struct share *s);
/* Waits until the caller may use a result read after it called (SHARE_USE: s->mu is held,
 * read the owner's result, then share_unlock) or must read itself (SHARE_READ: nothing is
 * held; *ticket names the read, to pass to share_publish or share_abandon). */
int share_join(struct share *s, uint64_t *ticket);
/* Takes s->mu, for the reader to store its result before share_publish. */
void share_lock(struct share *s);
/* Called with s->mu held (share_lock) once the result of read ticket is stored: wakes the
 * waiting callers, who use it, and releases s->mu. */
void share_publish(struct share *s, uint64_t ticket);
/* The read failed: wakes the waiting callers, one of whom reads in turn. */
void share_abandon(struct share *s);
/* Releases s->mu after SHARE_USE. */
void share_unlock(struct share *s);

#endif
