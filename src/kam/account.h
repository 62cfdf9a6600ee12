/* Rules of an account record beyond single fields. */
#ifndef KAM_KAM_ACCOUNT_H
#define KAM_KAM_ACCOUNT_H
#include <jansson.h>
#include "util/err.h"

/* Cross-field checks of a whole account (stored fields merged with a patch). */
int account_check(const json_t *acct, struct kam_errinfo *ei);
/* Returns a new object: base with every key of patch set over it (caller owns it). */
json_t *account_merge(const json_t *base, json_t *patch);

#endif
