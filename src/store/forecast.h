/* What the forecast and contracts read and write beside the generic records. */
#ifndef KAM_STORE_FORECAST_H
#define KAM_STORE_FORECAST_H
#include <jansson.h>
#include <stdint.h>
#include "store/store.h"

/* The id of contract_id's renewal opportunity; KAM_ENOTFOUND when it has none. */
int store_contract_renewal(struct store_conn *c, int64_t contract_id, int64_t *opp_id);
/* Links contract_id to an unlinked renewal opportunity of account_id closing on end (one
 * imported from a CRM beside its contract); *opp_id 0 when there is none. */
int store_renewal_adopt(struct store_conn *c, int64_t contract_id, int64_t account_id,
                        const char *end, int64_t now, int64_t *opp_id);
/* Unlinks the renewal opportunity of a contract being deleted. */
int store_contract_unlink(struct store_conn *c, int64_t contract_id);
/* Active contracts ending on or before horizon without a renewal opportunity, with their
 * account's owner: [{id, account_id, number, annual_value, currency, end_date, owner_id}]. */
int store_contracts_due(struct store_conn *c, const char *horizon, json_t **items);
/* Revenue booked from..to (dates, inclusive) per account owner: [{owner_id, amount}]; owner
 * > 0 keeps that owner's rows only. */
int store_forecast_booked(struct store_conn *c, const char *from, const char *to, int64_t owner,
                          json_t **items);
/* Active contracts covering some day of from..to: [{owner_id, annual_value, currency,
 * start_date, end_date}]. */
int store_forecast_contracts(struct store_conn *c, const char *from, const char *to,
                             int64_t owner, json_t **items);
/* Opportunities open and expected, or won, in from..to: [{id, account_id, account_name, name,
 * owner_id, stage, probability, forecast_category, close_on, amount, currency}]; the owner is
 * the opportunity's, else its account's. */
int store_forecast_opps(struct store_conn *c, const char *from, const char *to, int64_t owner,
                        json_t **items);
/* Every user who owns an account or an opportunity, or has a target: [{id, name, team}]. */
int store_forecast_people(struct store_conn *c, json_t **items);
/* The targets of quarter: [{user_id, amount}] (user 0: the portfolio). */
int store_forecast_targets(struct store_conn *c, const char *quarter, json_t **items);
/* Sets (amount >= 0) or removes (amount < 0) one target. */
int store_forecast_target_put(struct store_conn *c, const char *quarter, int64_t user_id,
                              int64_t amount, int64_t now);
/* Stores one weekly snapshot unless that week's is stored; *added 1 when it was new. */
int store_forecast_snapshot_put(struct store_conn *c, const char *quarter, const char *week,
                                int64_t user_id, const int64_t fig[7], int64_t target,
                                int64_t now, int *added);
/* The snapshots of quarter, by week then user: [{week, user_id, booked, contracted,
 * commit_amount, best_case, pipeline, won, target}]; owner > 0: that user's only. */
int store_forecast_snapshots(struct store_conn *c, const char *quarter, int64_t owner,
                             json_t **items);

#endif
