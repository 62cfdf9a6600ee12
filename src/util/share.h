/*
 * One read that many threads may share, when what each needs is a value read *after* it
 * asked: a request that arrives while a read is on its way cannot use that read (it may have
 * been answered before a change the request must see), but every request that arrived
 * meanwhile can use the next one. So one read is in flight at a time, and it serves every
 * caller that was waiting when it started. Used for the versions every request reads from
 * PostgreSQL (a round trip each): under load most requests wait for the next read instead of
 * making their own.
 *
 * A caller that cannot block its thread (a request on the server's event loop) waits
 * without a thread: share_wait queues a struct share_waiter, parks it under s->mu, and the
 * read that serves it wakes it once with its outcome. Blocking callers (share_join) and
 * queued ones share the same reads.
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
	unsigned waiting; /* callers waiting for a read to finish, blocked or queued */
	struct share_waiter *head, *tail; /* queued callers, oldest first */
	bool closed;                      /* drained: nobody is queued any more */
};

/* SHARE_SELF: read on your own, share nothing (the read was given up, or the server stops) */
enum { SHARE_READ = 1, SHARE_USE = 2, SHARE_SELF = 3, SHARE_QUEUED = 4 };

/* A caller waiting without a thread. park runs under s->mu once the waiter is queued (so
 * wake, which runs without s->mu, never comes first); wake runs exactly once, after which
 * the share no longer touches the waiter. */
struct share_waiter {
	struct share_waiter *next;
	uint64_t target; /* the first read that will do */
	uint64_t ticket; /* SHARE_READ: the read this caller makes */
	int outcome;     /* SHARE_READ, SHARE_USE or SHARE_SELF once woken */
	void (*park)(struct share_waiter *w);
	void (*wake)(struct share_waiter *w);
};

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
/* Without blocking: SHARE_READ when the caller reads now (w->ticket names the read),
 * SHARE_SELF once drained (the caller reads alone), or SHARE_QUEUED when w is queued and parked, to be woken with its outcome: SHARE_USE (take
 * the owner's result under share_lock), SHARE_READ (read w->ticket, then publish or
 * abandon it) or SHARE_SELF. */
int share_wait(struct share *s, struct share_waiter *w);
/* Wakes every queued waiter with SHARE_SELF and queues none from then on (before the server
 * stops: none may stay parked). */
void share_drain(struct share *s);

#endif
