/* Revenue booked from won opportunities, for companies whose CRM is their only revenue
 * source (settings.book_won_opportunities). */
#ifndef KAM_APP_REVENUE_H
#define KAM_APP_REVENUE_H
#include "app/group.h"
#include "app/record.h"
#include "kam/settings.h"

/*
 * Keeps the transaction booking opportunity opp (after, as stored; NULL when deleted; before
 * as it was) in step with it, in the open write transaction: a won deal with a close date is
 * booked on that day for its amount when s books won deals; anything else has no booking.
 * Idempotent: a second call changes nothing. The rollups follow.
 */
int app_booking_sync(struct store_conn *db, const struct actor *who, const struct settings *s,
                     const json_t *before, const json_t *after);
/* Brings every opportunity's booking in step with s (after book_won_opportunities changed). */
int app_bookings_refresh(struct store_conn *db, const struct actor *who, const struct settings *s);
/* Whether a won deal (rec as it will be stored) can be booked in the base currency on its
 * close date; KAM_EINVAL naming currency when no FX rate is there. */
int app_booking_check(struct store_conn *db, const struct settings *s, const json_t *rec,
                      struct kam_errinfo *ei);
/* The white-space grid of account id as the API answers it: units × products, what was sold
 * in the last 365 days, open deals, list prices in the base currency; KAM_ENOTFOUND when who
 * cannot see it. *out is owned by the caller. */
int app_account_whitespace(struct store_conn *db, const struct actor *who, int64_t id,
                           json_t **out);

/* The white-space grid of a group (app/group.h): its entities the caller may see × products,
 * what each bought in the last 365 days (intra-group rows left out) and its open deals; cells
 * name their account_id. *out is owned by the caller. */
int app_group_whitespace(struct store_conn *db, const struct actor *who, const struct app_group *g,
                         json_t **out);

#endif
