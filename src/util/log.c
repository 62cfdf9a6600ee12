#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "util/log.h"
#include "util/time.h"
#include "util/buf.h"

void log_json(json_t *obj)
{
	char ts[32], *line;

	if (obj == NULL)
		return;
	time_rfc3339(time(NULL), ts, sizeof(ts));
	json_object_set_new(obj, "ts", json_string(ts));
	line = buf_json(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (line) {
		/* one fprintf per line: glibc locks the stream, so lines never interleave */
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(obj);
}

void log_msg(const char *level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_json(json_pack("{s:s,s:s}", "level", level, "msg", buf));
}
