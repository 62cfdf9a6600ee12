/* What the fuzz harnesses share: a temporary SQLite database with the demo data. */
#ifndef KAM_FUZZ_DB_H
#define KAM_FUZZ_DB_H
#include <stdint.h>
#include "store/store.h"

/* Opens a new SQLite database in a temporary directory and fills it with the demo data
 * (its printed logins go nowhere); aborts when it cannot, as a harness has nothing to run. */
struct store *fuzz_demo_store(void);
/* The id of the active demo user with that e-mail; aborts when there is none. */
int64_t fuzz_user(struct store *st, const char *email);

#endif
