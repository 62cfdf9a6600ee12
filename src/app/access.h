/*
 * The application layer (docs/architecture.md): the operations of kam, whichever door (the
 * REST API, the CLI, the import worker, a background job) they come through. Each takes the
 * connection it runs on and the actor it runs for; nothing here knows about HTTP.
 *
 * This header: who may see and change what, references to users, audit, the money caps.
 */
#ifndef KAM_APP_ACCESS_H
#define KAM_APP_ACCESS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "kam/auth.h"
#include "model/model.h"
#include "store/store.h"
#include "util/err.h"

/*
 * Checks who may see account id: every account for admin, director and viewer, owned or
 * team accounts for kam and member. KAM_ENOTFOUND otherwise (never a 403: an account you
 * may not see does not exist for you). owner/on_team may be NULL.
 */
int app_account_visible(struct store_conn *db, const struct actor *who, int64_t id, bool *owner,
                        bool *on_team);
/* Checks that id is an active user who may own accounts; the error goes on field. */
int app_check_owner(struct store_conn *db, int64_t id, const char *field, struct kam_errinfo *ei);
/* Checks that id is an active user. */
int app_check_user(struct store_conn *db, int64_t id, const char *field, struct kam_errinfo *ei);
/* Appends an audit row for who. */
int app_audit(struct store_conn *db, const struct actor *who, const char *action,
              const char *entity, int64_t id, const json_t *before, const json_t *after);
/* Refuses (KAM_EINVAL naming the field) a write of entity e that took a stored money total
 * past its cap (kam/money.h); call it after the write, before the commit. */
int app_money_check(struct store_conn *db, const struct model_entity *e, struct kam_errinfo *ei);
/* Whether the stored total `name` has room for amount more (KAM_EINVAL naming field when
 * not): for writes that must be refused before they are made. */
int app_money_room(struct store_conn *db, const char *name, int64_t amount, const char *field,
                   struct kam_errinfo *ei);

/* amount (minor units of from) in minor units of to, at the rates valid on day, through the
 * base currency base: KAM_ENOTFOUND when a rate is missing, KAM_EINVAL past the row cap. */
int app_money_convert(struct store_conn *db, int64_t amount, const char *from, const char *to,
                      const char *base, const char *day, int64_t *out);

#endif
