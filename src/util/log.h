/* JSON-lines logging on stderr: one object per line, user text escaped by jansson. */
#ifndef KAM_UTIL_LOG_H
#define KAM_UTIL_LOG_H
#include <jansson.h>

/* Writes obj as one line on stderr (adds "ts"); steals the reference. */
void log_json(json_t *obj);
/* Logs {"level":level,"msg":...} built from a printf format. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
