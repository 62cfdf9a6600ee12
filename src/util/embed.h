/* Files compiled into the binary by scripts/embed. */
#ifndef KAM_UTIL_EMBED_H
#define KAM_UTIL_EMBED_H
#include <stddef.h>

struct embed_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* Looks a file up by name in a NULL-terminated table; NULL when absent. */
const struct embed_file *embed_find(const struct embed_file *tab, const char *name);

#endif
