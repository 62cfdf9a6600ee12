/* The demo generators' random numbers: xorshift64*, tiny and the same on every platform, so
 * a seed always makes the same data. */
#ifndef KAM_CLI_RNG_H
#define KAM_CLI_RNG_H
#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(2685821657736338717);
}

/* 0 .. n-1 */
static inline int pick(struct rng *r, int n)
{
	return (int)(rnd(r) % (uint64_t)n);
}

/* [0, 1) */
static inline double unit_rand(struct rng *r)
{
	return (double)(rnd(r) >> 11) / 9007199254740992.0;
}

#endif
