/* Well-formed UTF-8, as ICU's converter decides it. */
#ifndef KAM_UTIL_UTF8_H
#define KAM_UTIL_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* Whether the NUL-terminated s is well-formed UTF-8 (no stray continuation bytes, overlong
 * forms, surrogates or truncated sequences). */
bool utf8_valid(const char *s);
/* s in lower-case ASCII as ICU transliterates it ("Zoë Ölund" → "zoe olund", "Łukasz" →
 * "lukasz") into out; 0 ok, -1 when s is not UTF-8 or out is too small. */
int utf8_ascii_lower(const char *s, char *out, size_t outlen);
/* Copies src (NULL: "") into dst[len], len > 0, cut at a character boundary when it does not
 * fit, so a valid string stays valid. */
void utf8_copy(char *dst, size_t len, const char *src);
/* utf8_copy of src's first 511 bytes with each ill-formed sequence replaced by U+FFFD: text
 * from outside (a request's path) made fit for JSON. */
void utf8_sanitize(char *dst, size_t len, const char *src);

#endif
