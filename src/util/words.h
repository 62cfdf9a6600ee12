/* Comma-separated lists of words, as settings and stored preferences keep them
 * ("critical,warning", "alert.opened,account.created"). */
#ifndef KAM_UTIL_WORDS_H
#define KAM_UTIL_WORDS_H
#include <stdbool.h>

/* Whether the comma-separated list (NULL: empty) has word, whole. */
bool words_has(const char *list, const char *word);

#endif
