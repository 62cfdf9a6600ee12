/* Group accounts at the REST doors (docs/groups.md). */
#ifndef KAM_API_GROUPS_H
#define KAM_API_GROUPS_H
#include <stdbool.h>
#include "api/api.h"
#include "app/group.h"

/* ?scope=group on an account's report (the account in the path is the group's parent):
 * *grouped and g loaded then (free it with app_group_free); ?scope=account or none leaves
 * *grouped false. A group the caller sees nothing of is KAM_ENOTFOUND. */
int api_group_param(struct req *rq, int64_t id, struct app_group *g, bool *grouped,
                    struct kam_errinfo *ei);
/* GET /accounts/:id/health?scope=group: the group's health (app_group_health). */
int api_account_group_health(struct req *rq, struct resp *rs, const struct app_group *g);

#endif
