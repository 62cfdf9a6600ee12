/* The account plan as a one-page document (PDF or HTML): GET /api/v1/plans/{id}/document and
 * `kam report plan` both go through the function below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "app/document.h"
#include "util/time.h"

/* Only shapes and text: no script may run, nothing is fetched. */
static const char doc_csp[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

int api_plan_document(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	const char *format = http_query(rq, "format");
	struct app_document d = {0};
	char disp[200], err[160] = "";
	int rc;

	if (format == NULL)
		format = "pdf";
	for (size_t i = 0; i < rq->nquery; i++)
		if (strcmp(rq->query[i].key, "format") != 0)
			err_field(&ei, rq->query[i].key, "unknown parameter");
	if (strcmp(format, "pdf") != 0 && strcmp(format, "html") != 0)
		err_field(&ei, "format", "must be pdf or html");
	if (ei.errors) {
		rc = KAM_EINVAL;
		goto out;
	}
	rc = id < 0 ? KAM_ENOTFOUND
	            : app_plan_document(rq->db, &rq->user.who, id, api_now(rq), format, &d, err,
	                                sizeof(err));
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "plan");
	if (rc == KAM_EINVAL)
		err_detail(&ei, "%s", err);
	if (rc != KAM_OK)
		goto out;
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", d.filename);
	http_header(rs, "Content-Disposition", disp);
	if (!strcmp(format, "html"))
		http_header(rs, "Content-Security-Policy", doc_csp);
	rc = http_reply_bytes(
	    rs, 200, !strcmp(format, "pdf") ? "application/pdf" : "text/html; charset=utf-8", d.buf,
	    d.len);
out:
	free(d.buf);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
