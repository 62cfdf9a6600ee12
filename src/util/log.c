#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/log.h"
#include "util/time.h"
#include "util/buf.h"
#include "util/utf8.h"

/* Buffered lines (log_buffer_start): written when the buffer fills, every second, before any
 * unbuffered line (so lines stay in order) and at log_buffer_stop or exit. */
#define LOG_BUF_MAX (64 * 1024)

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *data; /* NULL: not buffering */
	size_t len;
	bool stop;
	pthread_t flusher;
} lb = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere to log that logging failed */
		p += w;
		n -= (size_t)w;
	}
}

/* With lb.mu held. */
static void flush_locked(void)
{
	if (lb.data && lb.len) {
		write_all(lb.data, lb.len);
		lb.len = 0;
	}
}

void log_flush(void)
{
	pthread_mutex_lock(&lb.mu);
	flush_locked();
	pthread_mutex_unlock(&lb.mu);
}

static void *flusher(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lb.mu);
	while (!lb.stop) {
		struct timespec ts;

		time_mono_deadline(&ts, 1000);
		pthread_cond_timedwait(&lb.cv, &lb.mu, &ts);
		flush_locked();
	}
	pthread_mutex_unlock(&lb.mu);
	return NULL;
}

int log_buffer_start(void)
{
	static bool registered;
	int rc = -1;

	pthread_mutex_lock(&lb.mu);
	if (lb.data) {
		rc = 0;
		goto out;
	}
	if ((lb.data = malloc(LOG_BUF_MAX)) == NULL)
		goto out;
	/* the flusher waits on the monotonic clock, as time_mono_deadline counts */
	pthread_cond_destroy(&lb.cv);
	time_cond_init_mono(&lb.cv);
	lb.len = 0;
	lb.stop = false;
	if (pthread_create(&lb.flusher, NULL, flusher, NULL) != 0) {
		free(lb.data);
		lb.data = NULL;
		goto out;
	}
	if (!registered)
		registered = atexit(log_flush) == 0;
	rc = 0;
out:
	pthread_mutex_unlock(&lb.mu);
	return rc;
}

void log_buffer_stop(void)
{
	pthread_mutex_lock(&lb.mu);
	if (lb.data == NULL) {
		pthread_mutex_unlock(&lb.mu);
		return;
	}
	lb.stop = true;
	pthread_cond_signal(&lb.cv);
	pthread_mutex_unlock(&lb.mu);
	pthread_join(lb.flusher, NULL);
	pthread_mutex_lock(&lb.mu);
	flush_locked();
	free(lb.data);
	lb.data = NULL;
	pthread_mutex_unlock(&lb.mu);
}

/* The line of obj (adds "ts"; steals the reference), newline-terminated; NULL on failure. */
static char *line_of(json_t *obj, size_t *n)
{
	char ts[32], *line, *nl;

	if (obj == NULL)
		return NULL;
	time_rfc3339(time(NULL), ts, sizeof(ts));
	json_object_set_new(obj, "ts", json_string(ts));
	line = buf_json(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(obj);
	if (line == NULL)
		return NULL;
	*n = strlen(line);
	if ((nl = realloc(line, *n + 2)) == NULL) {
		free(line);
		return NULL;
	}
	nl[(*n)++] = '\n';
	nl[*n] = '\0';
	return nl;
}

/* Writes the n bytes of line (newline-terminated), buffered or at once. */
static void put_line(const char *line, size_t n, bool buffered)
{
	/* one write per line, or per buffer, under one lock: lines never interleave */
	pthread_mutex_lock(&lb.mu);
	if (buffered && lb.data) {
		if (lb.len + n > LOG_BUF_MAX)
			flush_locked();
		if (n <= LOG_BUF_MAX) {
			memcpy(lb.data + lb.len, line, n);
			lb.len += n;
		} else {
			write_all(line, n);
		}
	} else {
		flush_locked();
		write_all(line, n);
	}
	pthread_mutex_unlock(&lb.mu);
}

static void emit(json_t *obj, bool buffered)
{
	size_t n = 0;
	char *line = line_of(obj, &n);

	if (line == NULL)
		return;
	put_line(line, n, buffered);
	free(line);
}

/* s (made UTF-8) as a JSON string, quotes included, escaped by jansson into out[len]; "?"
 * when it cannot be. */
static void json_text(const char *s, char *out, size_t len)
{
	char clean[768];
	json_t *j;
	size_t n = 0;

	utf8_sanitize(clean, sizeof(clean), s);
	if ((j = json_string(clean)) != NULL)
		n = json_dumpb(j, out, len - 1, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	json_decref(j);
	if (n == 0 || n >= len)
		n = (size_t)snprintf(out, len, "\"?\"");
	out[n] = '\0';
}

void log_access(const char *method, const char *path, int status, long long bytes, double ms,
                long long user, bool completed)
{
	/* an escaped character is at most six: \u0001, or \ufffd for three bytes */
	char m[6 * 16 + 3], p[6 * 768 + 3], u[24], ts[32], line[sizeof(p) + 256];
	int n;

	json_text(method, m, sizeof(m));
	json_text(path, p, sizeof(p));
	if (user)
		snprintf(u, sizeof(u), "%lld", user);
	else
		snprintf(u, sizeof(u), "null");
	time_rfc3339(time(NULL), ts, sizeof(ts));
	n = snprintf(line, sizeof(line),
	             "{\"level\":\"info\",\"method\":%s,\"path\":%s,\"status\":%d,\"bytes\":%lld,"
	             "\"ms\":%.3f,\"user\":%s,\"completed\":%s,\"ts\":\"%s\"}\n",
	             m, p, status, bytes, ms, u, completed ? "true" : "false", ts);
	if (n > 0 && (size_t)n < sizeof(line))
		put_line(line, (size_t)n, true);
}

void log_json(json_t *obj)
{
	emit(obj, false);
}

void log_json_buffered(json_t *obj)
{
	emit(obj, true);
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
