/*
 * A growable byte string with an optional cap, and a growable array: the two shapes every
 * builder in kam needs (HTML, iCalendar, CSV, request bodies, rows read from the store).
 * Growth doubles, sizes are checked for overflow, and a failure is sticky: once an append
 * fails the buffer says so and later appends do nothing, so a builder checks once, at its end.
 */
#ifndef KAM_UTIL_BUF_H
#define KAM_UTIL_BUF_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct buf {
	char *data; /* NUL-terminated once anything was appended; NULL before */
	size_t len, cap;
	size_t max; /* 0: no cap; else the most bytes the content may have */
	int err;    /* 0, or why an append failed (KAM_ENOMEM, KAM_EINVAL past max): sticky */
};

/* Appends n bytes of s: KAM_OK, KAM_ENOMEM when memory ran out, KAM_EINVAL past the cap. */
int buf_put(struct buf *b, const void *s, size_t n);
/* Appends the string s (NULL appends nothing). */
int buf_puts(struct buf *b, const char *s);
/* Appends formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the content over (the caller frees it; "" rather than NULL when empty) and empties
 * b; NULL (and b freed) when an append had failed or memory ran out. */
char *buf_take(struct buf *b, size_t *len);
/* json_dumps(v, flags) (the caller frees it), but NULL when any byte could not be appended:
 * jansson 2.14 drops an object key it ran out of memory for and writes on, so json_dumps can
 * hand back broken JSON. */
char *buf_json(const json_t *v, size_t flags);
/* json_loadb, with *oom set when it failed for want of memory rather than for the input
 * (jansson alone may call that a syntax error). */
json_t *buf_json_load(const char *s, size_t len, size_t flags, json_error_t *err, bool *oom);
/* Frees the content. */
void buf_free(struct buf *b);

/* Makes room in *v (elements of elem bytes, *cap of them) for one more after the *n in use,
 * and returns that slot zeroed (*n counts it); NULL, with *v unchanged, when memory ran out
 * or the size would overflow. */
void *vec_push(void **v, size_t *n, size_t *cap, size_t elem);

#endif
