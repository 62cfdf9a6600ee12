#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/err.h"

void err_field(struct kam_errinfo *ei, const char *field, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (ei == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ei->errors == NULL)
		ei->errors = json_array();
	/* json_array_append_new takes the value, NULL or not, and fails for a NULL array */
	if (json_array_append_new(ei->errors, json_pack("{s:s,s:s}", "field", field, "message",
	                                                msg)) != 0)
		ei->lost = true;
	if (ei->detail[0] == '\0')
		snprintf(ei->detail, sizeof(ei->detail), "%.60s: %.190s", field, msg);
}

void err_detail(struct kam_errinfo *ei, const char *fmt, ...)
{
	va_list ap;

	if (ei == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(ei->detail, sizeof(ei->detail), fmt, ap);
	va_end(ap);
}

void err_clear(struct kam_errinfo *ei)
{
	json_decref(ei->errors);
	ei->errors = NULL;
	ei->detail[0] = '\0';
	ei->lost = false;
}

const char *err_strerror(int errnum, char *buf, size_t len)
{
	/* the GNU strerror_r (_GNU_SOURCE): returns buf, or a string of its own */
	return strerror_r(errnum, buf, len);
}
