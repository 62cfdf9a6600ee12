/*
 * One set of handlers for every resource that hangs off an account: list, create, read,
 * update, delete. The operations themselves are in app/record.h; these parse the request,
 * call them and reply (ETags, 201 with Location). The route table points at api_res_* with
 * the struct app_resource as the route's arg.
 */
#ifndef KAM_API_RESOURCE_H
#define KAM_API_RESOURCE_H
#include "api/api.h"
#include "app/record.h"

/* Route handlers: rq->route_arg is the struct app_resource. */
int api_res_list(struct req *rq, struct resp *rs);
int api_res_create(struct req *rq, struct resp *rs);
int api_res_get(struct req *rq, struct resp *rs);
int api_res_update(struct req *rq, struct resp *rs);
int api_res_delete(struct req *rq, struct resp *rs);
/* GET …/:id/history: the record's change history (limit, cursor). */
int api_res_history(struct req *rq, struct resp *rs);

#endif
