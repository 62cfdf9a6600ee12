/*
 * The account plan as a one-page document (PDF or HTML), for GET /api/v1/plans/{id}/document
 * and `kam report plan`. The data is gathered here; src/kam/plandoc.c holds the pure parts and
 * renders HTML; document_pdf.c draws the PDF with libharu.
 */
#ifndef KAM_APP_DOCUMENT_H
#define KAM_APP_DOCUMENT_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "kam/auth.h"
#include "store/store.h"

/* Everything the document of plan_id shows (shape in kam/plandoc.h), as of now; *out owned by
 * the caller. KAM_ENOTFOUND when there is no such plan. Checks no access: callers do. */
int app_plan_document_data(struct store_conn *c, int64_t plan_id, int64_t now, json_t **out);
/* Renders doc as "pdf" or "html" into *buf (malloc'd, caller frees); KAM_EINVAL for another
 * format. err gets one line on failure. */
int app_plan_document_render(const json_t *doc, const char *format, char **buf, size_t *len,
                             char *err, size_t errlen);
/* Draws doc as a one-page A4 PDF with libharu into *buf (malloc'd, caller frees). */
int app_plan_document_pdf(const json_t *doc, char **buf, size_t *len, char *err, size_t errlen);

/* A rendered document: the bytes (malloc'd, the caller frees buf) and a file name for it. */
struct app_document {
	char *buf;
	size_t len;
	char filename[128];
};
/* The document of plan_id as who sees it now, in format "pdf" or "html", into *out.
 * KAM_ENOTFOUND when there is no such plan or its account is invisible to who; KAM_EINVAL
 * (err says why) for another format. */
int app_plan_document(struct store_conn *db, const struct actor *who, int64_t plan_id, int64_t now,
                      const char *format, struct app_document *out, char *err, size_t errlen);

#endif
