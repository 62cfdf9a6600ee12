/* Well-formed UTF-8, as ICU's converter decides it. */
#ifndef KAM_UTIL_UTF8_H
#define KAM_UTIL_UTF8_H
#include <stdbool.h>

/* Whether the NUL-terminated s is well-formed UTF-8 (no stray continuation bytes, overlong
 * forms, surrogates or truncated sequences). */
bool utf8_valid(const char *s);

#endif
