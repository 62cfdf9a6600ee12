/* JSON-lines logging on stderr: one object per line, user text escaped by jansson. */
#ifndef KAM_UTIL_LOG_H
#define KAM_UTIL_LOG_H
#include <stdbool.h>
#include <jansson.h>

/* Writes obj as one line on stderr (adds "ts"); steals the reference. Lines buffered before
 * it are written first. */
void log_json(json_t *obj);
/* log_json for lines that may wait (the access log): kept in memory after log_buffer_start
 * and written in batches, at the latest a second later; at once without it. */
void log_json_buffered(json_t *obj);
/* log_json_buffered of {"level":"info","method","path","status","bytes","ms","user" (0: null),
 * "completed"}, written without building the object: one per request. A path that is not
 * UTF-8 has U+FFFD for each bad sequence. */
void log_access(const char *method, const char *path, int status, long long bytes, double ms,
                long long user, bool completed);
/* Logs {"level":level,"msg":...} built from a printf format. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Starts buffering log_json_buffered lines (a thread writes them every second; exit
 * writes what is left); 0 ok, -1 when it cannot (lines are then written at once). */
int log_buffer_start(void);
/* Writes the buffered lines now. */
void log_flush(void);
/* Writes what is buffered and goes back to writing each line at once. */
void log_buffer_stop(void);

#endif
