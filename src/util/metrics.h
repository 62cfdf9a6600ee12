/*
 * The building blocks of GET /metrics: lock-free counters and latency histograms that any
 * thread updates with C11 atomics, and their Prometheus text exposition. Each part of the
 * server keeps its own (the pool in struct store, the answer cache, the import queue, the
 * jobs, the request registry in the server context) and writes its own lines; nothing here
 * is global.
 */
#ifndef KAM_UTIL_METRICS_H
#define KAM_UTIL_METRICS_H
#include <stdatomic.h>
#include <stdint.h>
#include "util/buf.h"

/* Upper bounds (seconds) of the latency buckets, +Inf aside. */
#define METRICS_NBUCKETS 12

/* A latency histogram: cumulative counts per bucket are computed when written. */
struct metrics_hist {
	atomic_ullong bucket[METRICS_NBUCKETS + 1]; /* per bucket, not cumulative; last: +Inf */
	atomic_ullong count;
	atomic_ullong sum_us; /* microseconds, so the sum stays an integer add */
};

/* Records one observation of ms milliseconds. */
void metrics_hist_observe(struct metrics_hist *h, double ms);
/* How many observations h has. */
uint64_t metrics_hist_count(const struct metrics_hist *h);
/* Writes the _bucket, _sum and _count lines of h under name, with labels ("a=\"b\"" or
 * "" for none) before le. */
void metrics_hist_write(struct buf *b, const char *name, const char *labels,
                        const struct metrics_hist *h);
/* Writes the # HELP and # TYPE lines of a metric family. */
void metrics_family(struct buf *b, const char *name, const char *type, const char *help);
/* Appends s as a label value, escaped (backslash, double quote, newline). */
void metrics_label_value(struct buf *b, const char *s);

#endif
