/* /api/v1/imports: CSV uploads through the import engine, and the record of each run. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api/api.h"
#include "app/import.h"
#include "app/importq.h"
#include "store/import.h"
#include "util/buf.h"
#include "util/node.h"
#include "util/time.h"
#include "kam/importfmt.h"

static int flag(const struct req *rq, const char *name, bool *out, struct kam_errinfo *ei)
{
	const char *v = http_query(rq, name);

	*out = false;
	if (v == NULL || !strcmp(v, "false") || !strcmp(v, "0"))
		return KAM_OK;
	if (!strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return KAM_OK;
	}
	err_field(ei, name, "is true or false");
	return KAM_EINVAL;
}

/* 429 with Retry-After: the queue has no room for this user's file now. */
static int queue_full(struct resp *rs, struct kam_errinfo *ei)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", IMPORTQ_RETRY_AFTER);
	http_header(rs, "Retry-After", s);
	err_detail(ei,
	           "the import queue is full (%d files waiting per user, %d in all); try again "
	           "when one has run",
	           IMPORTQ_PER_USER, IMPORTQ_TOTAL);
	return KAM_ERATE;
}

/* A queued run: the record now (202, status queued), the rows by the server's import
 * worker; GET /api/v1/imports/{id} shows its progress and then its result. */
static int queue(struct req *rq, struct resp *rs, const struct app_import_opts *o, const char *csv,
                 size_t len, struct kam_errinfo *ei)
{
	const struct api_server *srv = rq->app_data;
	json_t *rec = NULL;
	int64_t id, version;
	int rc;

	if (srv == NULL || srv->imports == NULL) {
		err_field(ei, "async", "is not available here; import without it");
		return KAM_EINVAL;
	}
	if ((rc = app_import_check(o, ei)) != KAM_OK)
		return rc;
	if (app_importq_room(srv->imports, rq->user.who.user_id, len) != KAM_OK)
		return queue_full(rs, ei);
	rec = json_pack("{s:s,s:s,s:s,s:b,s:b,s:I}", "kind", o->kind, "mapping",
	                api_import_mapping_name(o), "status", "queued", "dry_run", o->dry_run,
	                "atomic", o->atomic, "created_by", (json_int_t)rq->user.who.user_id);
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = store_insert(rq->db, &model_import, rec, time_now(), &id)) != KAM_OK ||
	    (rc = store_import_node_set(rq->db, id, node_id())) != KAM_OK ||
	    (rc = app_audit(rq->db, &rq->user.who, "queue", "import", id, NULL, rec)) != KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	/* the reply is the run as accepted (queued), read before the worker can take it: after
	 * the submit nothing may fail, or a client that retries would queue the file twice */
	json_decref(rec);
	rec = NULL;
	if ((rc = store_get(rq->db, &model_import, id, &rec, &version)) != KAM_OK ||
	    (rc = app_import_decorate(rec)) != KAM_OK ||
	    (rc = app_importq_submit(srv->imports, id, &rq->user.who, o, csv, len)) != KAM_OK) {
		/* filled up since the check (or no memory to answer): the record says so, and
		 * the client may retry */
		json_t *failed = json_pack("{s:s}", "status", "failed");

		store_update(rq->db, &model_import, id, failed, -1, time_now());
		json_decref(failed);
		if (rc == KAM_ERATE)
			rc = queue_full(rs, ei);
		goto out;
	}
	api_created(rs, "/api/v1/imports", id, version, rec);
	rs->status = 202; /* accepted: the rows are still to come */
	rec = NULL;
out:
	if (rc != KAM_OK)
		store_rollback(rq->db);
	json_decref(rec);
	return rc;
}

int api_import_create(struct req *rq, struct resp *rs)
{
	static const char *const params[] = {"kind",         "mapping",     "dry_run",
	                                     "atomic",       "date_format", "async",
	                                     "email_domain", "preview",     NULL};
	struct app_import_opts o = {.datefmt = IMP_DATE_AUTO};
	struct kam_errinfo ei = {0};
	const char *ct = rq->content_type ? rq->content_type : "";
	const char *csv = rq->body, *df;
	size_t len = rq->body_len;
	json_t *doc = NULL, *result = NULL, *saved = NULL;
	bool async = false, preview = false;
	int rc = KAM_OK;

	for (size_t i = 0; i < rq->nquery && rc == KAM_OK; i++) {
		const char *const *p = params;

		while (*p && strcmp(*p, rq->query[i].key) != 0)
			p++;
		if (*p == NULL) {
			err_field(&ei, rq->query[i].key, "is not a parameter of an import");
			rc = KAM_EINVAL;
		}
	}
	if (rc != KAM_OK || (rc = flag(rq, "dry_run", &o.dry_run, &ei)) != KAM_OK ||
	    (rc = flag(rq, "atomic", &o.atomic, &ei)) != KAM_OK ||
	    (rc = flag(rq, "async", &async, &ei)) != KAM_OK ||
	    (rc = flag(rq, "preview", &preview, &ei)) != KAM_OK)
		goto out;
	/* a preview is a dry run that also tells how each column and value was read */
	if (preview && (async || (http_query(rq, "dry_run") && !o.dry_run))) {
		err_field(&ei, "preview", "is a dry run: leave out dry_run=false and async");
		rc = KAM_EINVAL;
		goto out;
	}
	if (preview) {
		o.dry_run = true;
		async = false;
		o.preview = json_object();
	}
	o.kind = http_query(rq, "kind");
	o.mapping = http_query(rq, "mapping");
	o.email_domain = http_query(rq, "email_domain");
	if (o.email_domain && (strchr(o.email_domain, '@') || !strchr(o.email_domain, '.') ||
	                       strlen(o.email_domain) > 200)) {
		err_field(&ei, "email_domain", "is a domain such as example.com");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((df = http_query(rq, "date_format")) && (o.datefmt = imp_datefmt_parse(df)) < 0) {
		err_field(&ei, "date_format", "is M/D/YYYY, D/M/YYYY, DD-MM-YY or iso");
		rc = KAM_EINVAL;
		goto out;
	}
	if (!strncasecmp(ct, "application/json", 16)) {
		/* {"csv": "...", "mapping": {...}}: a custom mapping travels with the file */
		json_error_t jerr;
		bool oom;

		doc = buf_json_load(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr, &oom);
		if (oom) {
			rc = KAM_ENOMEM;
			goto out;
		}
		if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "csv")) ||
		    !json_is_object(json_object_get(doc, "mapping"))) {
			err_detail(
			    &ei,
			    "a JSON import is {\"csv\": \"…\", \"mapping\": {\"columns\": …}}");
			rc = KAM_EINVAL;
			goto out;
		}
		o.custom = json_object_get(doc, "mapping");
		if (o.mapping == NULL)
			o.mapping = json_string_value(json_object_get(o.custom, "base"));
		csv = json_string_value(json_object_get(doc, "csv"));
		len = json_string_length(json_object_get(doc, "csv"));
	} else if (strncasecmp(ct, "text/csv", 8) != 0) {
		json_decref(doc);
		return http_problem(rs, 415,
		                    "send the file as text/csv, or as application/json "
		                    "{\"csv\", \"mapping\"} with a custom mapping",
		                    NULL),
		       KAM_EINVAL;
	}
	if ((rc = app_import_use_saved(rq->db, &o, &saved, &ei)) != KAM_OK)
		goto out;
	if (async) {
		rc = queue(rq, rs, &o, csv, len, &ei);
		goto out;
	}
	if ((rc = app_import_run(rq->db, &rq->user.who, &o, csv, len, &result, &ei)) != KAM_OK)
		goto out;
	if (!o.dry_run && rq->app_data) {
		static const char *const counts[] = {"created", "updated", "unchanged", "rejected"};
		int64_t rows = 0;

		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
			rows += json_integer_value(json_object_get(result, counts[i]));
		app_importq_add_rows(((const struct api_server *)rq->app_data)->imports, rows);
	}
	if (preview) {
		json_object_update(result, o.preview);
		http_reply_json(rs, 200, result);
		result = NULL;
		goto out;
	}
	api_created(rs, "/api/v1/imports", json_integer_value(json_object_get(result, "id")), 1,
	            result);
	result = NULL;
out:
	json_decref(doc);
	json_decref(result);
	json_decref(o.preview);
	json_decref(saved);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_import_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), version;
	json_t *rec = NULL;
	int rc = id < 0 ? KAM_ENOTFOUND : store_get(rq->db, &model_import, id, &rec, &version);

	if (rc == KAM_OK && !auth_sees_all(rq->user.who.role) &&
	    json_integer_value(json_object_get(rec, "created_by")) != rq->user.who.user_id)
		rc = KAM_ENOTFOUND;
	if (rc != KAM_OK) {
		json_decref(rec);
		return rc == KAM_ENOTFOUND ? api_not_found(rs, "import")
		                           : (http_reply_err(rs, rc, NULL), rc);
	}
	if ((rc = app_import_decorate(rec)) != KAM_OK) {
		json_decref(rec);
		return http_reply_err(rs, rc, NULL), rc;
	}
	{
		const struct api_server *srv = rq->app_data;
		int64_t done, total;

		const char *st = json_string_value(json_object_get(rec, "status"));

		/* the worker may still hold a run whose result is stored: that is done */
		if (srv && st && (!strcmp(st, "queued") || !strcmp(st, "running")) &&
		    app_importq_progress(srv->imports, id, &done, &total))
			json_object_set_new(
			    rec, "progress",
			    /* rows_total is null while the file is still being read */
			    json_pack("{s:I,s:o}", "rows_done", (json_int_t)done, "rows_total",
			              total > 0 ? json_integer(total) : json_null()));
	}
	http_etag(rs, version);
	return http_reply_json(rs, 200, rec);
}
