/*
 * The revenue rollup held in memory for KPI answers, shared by a server's worker threads
 * and valid for one rollup version (store_rollup_version: every change to the rollup moves
 * it, on any node; a change that touches no revenue does not): a question not asked before
 * then sums its windows in memory instead of scanning the rollup table.
 */
#ifndef KAM_API_ROLLUPS_H
#define KAM_API_ROLLUPS_H
#include <stdint.h>
#include "store/kpi.h"
#include "store/store.h"
#include "util/buf.h"

struct api_rollups;
struct api_rollup_ref;

/* An empty holder (free with api_rollups_free). */
struct api_rollups *api_rollups_new(void);
void api_rollups_free(struct api_rollups *h);
/* The rollup as of rollup version or newer (loaded on c when the held one is older; callers
 * that miss meanwhile wait for that one load); *out stays valid until api_rollups_put(ref).
 * h may be NULL: then it is loaded for this caller alone. */
int api_rollups_get(struct api_rollups *h, struct store_conn *c, int64_t version,
                    const struct kpi_rollup **out, struct api_rollup_ref **ref);
/* Gives back what api_rollups_get handed out; ref may be NULL. */
void api_rollups_put(struct api_rollups *h, struct api_rollup_ref *ref);
/* How many times h has read the rollup from the store. */
uint64_t api_rollups_loads(struct api_rollups *h);
/* Writes h's figures in the Prometheus text format (nothing when h is NULL). */
void api_rollups_metrics_write(struct api_rollups *h, struct buf *b);

/* The start-up load (kam serve): a thread of its own borrows a connection of st's, reads the
 * rollup version and loads the rollup into h through api_rollups_get, once, so the first KPI
 * question finds it held (asked during the load, it waits for it). A failed load is logged
 * and leaves h empty: the first question loads it as before. */
struct api_rollups_warm;
int api_rollups_warm_start(struct api_rollups *h, struct store *st, struct api_rollups_warm **out);
/* Waits for the load to end (it is not cut short; before it began, it is called off) and
 * frees w; w may be NULL. Call it before api_rollups_free(h) and store_close(st). */
void api_rollups_warm_stop(struct api_rollups_warm *w);

#endif
