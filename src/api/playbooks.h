/* The REST doors of playbooks and their runs (issue 17; app/playbooks.h does the work). */
#ifndef KAM_API_PLAYBOOKS_H
#define KAM_API_PLAYBOOKS_H
#include "http/http.h"

/* GET /api/v1/playbooks: the library, with steps. */
int api_playbook_list(struct req *rq, struct resp *rs);
/* GET /api/v1/playbooks/:id */
int api_playbook_get(struct req *rq, struct resp *rs);
/* POST /api/v1/playbooks (admins, directors) */
int api_playbook_create(struct req *rq, struct resp *rs);
/* PATCH /api/v1/playbooks/:id (admins, directors): bumps the version. */
int api_playbook_update(struct req *rq, struct resp *rs);
/* DELETE /api/v1/playbooks/:id (admins, directors) */
int api_playbook_delete(struct req *rq, struct resp *rs);
/* POST /api/v1/accounts/:id/playbook-runs {playbook_id}: start one by hand. */
int api_run_start(struct req *rq, struct resp *rs);
/* GET /api/v1/accounts/:id/playbook-runs */
int api_account_runs(struct req *rq, struct resp *rs);
/* GET /api/v1/playbook-runs?account_id=&state=&owner_id=&limit= */
int api_run_list(struct req *rq, struct resp *rs);
/* GET /api/v1/playbook-runs/:id */
int api_run_get(struct req *rq, struct resp *rs);

#endif
