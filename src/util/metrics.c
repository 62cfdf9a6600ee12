/* Counters and histograms for GET /metrics (see metrics.h). */
#include <stdio.h>
#include "util/metrics.h"

static const double bounds[METRICS_NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                0.1,   0.25,   0.5,   1,    2.5,   10};
static const char *const bound_text[METRICS_NBUCKETS] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "10"};

void metrics_hist_observe(struct metrics_hist *h, double ms)
{
	double s = ms / 1000.0;
	int i = 0;

	if (s < 0)
		s = 0;
	while (i < METRICS_NBUCKETS && s > bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, (unsigned long long)(s * 1e6 + 0.5),
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

uint64_t metrics_hist_count(const struct metrics_hist *h)
{
	return atomic_load_explicit(&h->count, memory_order_relaxed);
}

void metrics_hist_write(struct buf *b, const char *name, const char *labels,
                        const struct metrics_hist *h)
{
	unsigned long long cum = 0;
	const char *sep = labels[0] ? "," : "";

	/* each bucket is read once and summed, so the +Inf bucket equals the count written */
	for (int i = 0; i <= METRICS_NBUCKETS; i++) {
		cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
		buf_printf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep,
		           i < METRICS_NBUCKETS ? bound_text[i] : "+Inf", cum);
	}
	buf_printf(b, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels,
	           labels[0] ? "}" : "",
	           (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6);
	buf_printf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels,
	           labels[0] ? "}" : "", cum);
}

void metrics_family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_label_value(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_put(b, s, 1);
	}
}
