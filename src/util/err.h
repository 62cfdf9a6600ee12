/* The one error enum of kam; src/http maps each code to an HTTP status. */
#ifndef KAM_UTIL_ERR_H
#define KAM_UTIL_ERR_H
#include <jansson.h>
#include <stdbool.h>

enum kam_err {
	KAM_OK = 0,
	KAM_ENOMEM = -1,
	KAM_EINVAL = -2,     /* bad input: 400 */
	KAM_ENOTFOUND = -3,  /* absent or not visible to the caller: 404 */
	KAM_ECONFLICT = -4,  /* a uniqueness or reference constraint: 409 */
	KAM_EFORBIDDEN = -5, /* visible but not writable by this role: 403 */
	KAM_EDB = -6,        /* database failure: 500 */
	KAM_ESTALE = -7,     /* If-Match did not match: 412 */
	KAM_EBUSY = -8,      /* database busy, retry: 503 */
	KAM_EAUTH = -9,      /* not authenticated: 401 */
	KAM_ERATE = -10,     /* rate limited: 429 */
	KAM_EUNAVAIL = -11,  /* the database cannot write (disk full, I/O error), retry: 503 */
};

/* Detail of a failure: a human sentence and, for bad input, the fields at fault. */
struct kam_errinfo {
	char detail[256];
	json_t *errors; /* array of {field, message}, owned; NULL when none */
	/* a field could not be added (out of memory): the list is not the whole answer, and a
	 * reply from it must not claim to be (http_reply_err answers the out-of-memory 500) */
	bool lost;
};

/* Adds {field, message} to ei->errors and sets detail when still empty. */
void err_field(struct kam_errinfo *ei, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the detail sentence. */
void err_detail(struct kam_errinfo *ei, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees what ei holds and empties it. */
void err_clear(struct kam_errinfo *ei);
/* The message of errno value errnum, in buf or a constant string; thread-safe, unlike
 * strerror, whose buffer every thread shares. */
const char *err_strerror(int errnum, char *buf, size_t len);

#endif
