/* Growable strings and arrays (util/buf.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/buf.h"
#include "util/err.h"

int buf_put(struct buf *b, const void *s, size_t n)
{
	size_t need;

	if (b->err)
		return b->err;
	if (n > SIZE_MAX - b->len - 1 || (b->max && b->len + n > b->max))
		return b->err = KAM_EINVAL;
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if ((p = realloc(b->data, cap)) == NULL)
			return b->err = KAM_ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return KAM_OK;
}

int buf_puts(struct buf *b, const char *s)
{
	return s ? buf_put(b, s, strlen(s)) : b->err;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[512], *big;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = KAM_EINVAL;
	if ((size_t)n < sizeof(small))
		return buf_put(b, small, (size_t)n);
	if ((big = malloc((size_t)n + 1)) == NULL)
		return b->err = KAM_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = buf_put(b, big, (size_t)n);
	free(big);
	return rc;
}

static int json_put(const char *s, size_t n, void *b)
{
	return buf_put(b, s, n) == KAM_OK ? 0 : -1;
}

char *buf_json(const json_t *v, size_t flags)
{
	struct buf b = {0};

	if (json_dump_callback(v, json_put, &b, flags) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b, NULL);
}

json_t *buf_json_load(const char *s, size_t len, size_t flags, json_error_t *err, bool *oom)
{
	json_t *v = json_loadb(s, len, flags, err);

	/* jansson's lexer reports an allocation it could not make as a syntax error (or as an
	 * error with no text): a second try tells the input's fault from the memory's */
	if (v == NULL && json_error_code(err) != json_error_out_of_memory)
		v = json_loadb(s, len, flags, err);
	*oom =
	    v == NULL && (json_error_code(err) == json_error_out_of_memory || err->text[0] == '\0');
	return v;
}

char *buf_take(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (b->err) {
		buf_free(b);
		return NULL;
	}
	if (p == NULL)
		p = calloc(1, 1);
	if (len)
		*len = p ? b->len : 0;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void *vec_push(void **v, size_t *n, size_t *cap, size_t elem)
{
	char *slot;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *nv;

		if (elem == 0 || nc > SIZE_MAX / elem || nc < *cap)
			return NULL;
		if ((nv = realloc(*v, nc * elem)) == NULL)
			return NULL;
		*v = nv;
		*cap = nc;
	}
	slot = (char *)*v + *n * elem;
	memset(slot, 0, elem);
	(*n)++;
	return slot;
}
