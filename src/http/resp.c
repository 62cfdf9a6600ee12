/* Building replies: JSON, RFC 9457 problem documents, headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "http/http.h"
#include "util/buf.h"

static const struct {
	int status;
	const char *title;
	const char *slug;
} statuses[] = {
	{200, "OK", "ok"},
	{201, "Created", "created"},
	{204, "No Content", "no-content"},
	{400, "Bad Request", "bad-request"},
	{401, "Unauthorized", "unauthorized"},
	{403, "Forbidden", "forbidden"},
	{404, "Not Found", "not-found"},
	{405, "Method Not Allowed", "method-not-allowed"},
	{409, "Conflict", "conflict"},
	{412, "Precondition Failed", "precondition-failed"},
	{413, "Content Too Large", "content-too-large"},
	{415, "Unsupported Media Type", "unsupported-media-type"},
	{422, "Unprocessable Content", "unprocessable-content"},
	{428, "Precondition Required", "precondition-required"},
	{429, "Too Many Requests", "too-many-requests"},
	{500, "Internal Server Error", "internal-error"},
	{503, "Service Unavailable", "service-unavailable"},
};

const char *http_status_title(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status)
			return statuses[i].title;
	return "Error";
}

static const char *status_slug(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status)
			return statuses[i].slug;
	return "error";
}

int http_status_of(int err)
{
	switch (err) {
	case KAM_OK:
		return 200;
	case KAM_EINVAL:
		return 400;
	case KAM_EAUTH:
		return 401;
	case KAM_EFORBIDDEN:
		return 403;
	case KAM_ENOTFOUND:
		return 404;
	case KAM_ECONFLICT:
		return 409;
	case KAM_ESTALE:
		return 412;
	case KAM_ERATE:
		return 429;
	case KAM_EBUSY:
	case KAM_EUNAVAIL:
		return 503;
	default:
		return 500;
	}
}

void http_header(struct resp *rs, const char *name, const char *value)
{
	if (rs->nheaders >= HTTP_MAX_HEADERS)
		return;
	snprintf(rs->headers[rs->nheaders].name, sizeof(rs->headers[0].name), "%s", name);
	snprintf(rs->headers[rs->nheaders].value, sizeof(rs->headers[0].value), "%s", value);
	rs->nheaders++;
}

void http_resp_drop_file(struct resp *rs)
{
	if (rs->has_fd)
		close(rs->fd);
	rs->has_fd = false;
	rs->fd = -1;
}

int http_reply_file(struct resp *rs, int status, const char *ctype, int fd, size_t len)
{
	http_resp_drop_file(rs);
	free(rs->body);
	rs->body = NULL;
	rs->fd = fd;
	rs->has_fd = true;
	rs->len = len;
	rs->status = status;
	rs->content_type = ctype;
	return KAM_OK;
}

int http_reply_bytes(struct resp *rs, int status, const char *ctype, const void *data, size_t len)
{
	http_resp_drop_file(rs);
	free(rs->body);
	rs->body = malloc(len ? len : 1);
	if (rs->body == NULL) {
		rs->status = 500;
		rs->len = 0;
		return KAM_ENOMEM;
	}
	memcpy(rs->body, data, len);
	rs->len = len;
	rs->status = status;
	rs->content_type = ctype;
	return KAM_OK;
}

/* The reply when not even a problem document could be built: a constant one, so the client
 * still reads a 500 it can parse (an empty body once the copy fails too). */
static int reply_oom(struct resp *rs)
{
	static const char doc[] = "{\"type\":\"https://kam.dev/problems/internal-error\","
	                          "\"title\":\"Internal Server Error\",\"status\":500,"
	                          "\"detail\":\"out of memory\"}";

	http_reply_bytes(rs, 500, "application/problem+json; charset=utf-8", doc, sizeof(doc) - 1);
	return KAM_ENOMEM;
}

char *http_json_text(const json_t *obj)
{
	return buf_json(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
}

static int reply_dump(struct resp *rs, int status, json_t *obj, const char *ctype)
{
	char *s = http_json_text(obj);

	json_decref(obj);
	http_resp_drop_file(rs);
	free(rs->body);
	rs->body = NULL;
	rs->len = 0;
	if (s == NULL)
		return reply_oom(rs);
	rs->body = s;
	rs->len = strlen(s);
	rs->status = status;
	rs->content_type = ctype;
	return KAM_OK;
}

#define JSON_TYPE "application/json; charset=utf-8"

int http_reply_json(struct resp *rs, int status, json_t *obj)
{
	if (obj == NULL)
		return http_problem(rs, 500, "out of memory", NULL);
	return reply_dump(rs, status, obj, JSON_TYPE);
}

int http_reply_json_text(struct resp *rs, int status, const char *text, size_t len)
{
	return http_reply_bytes(rs, status, JSON_TYPE, text, len);
}

int http_problem(struct resp *rs, int status, const char *detail, json_t *errors)
{
	char type[96];
	json_t *p;

	snprintf(type, sizeof(type), "https://kam.dev/problems/%s", status_slug(status));
	p = json_pack("{s:s,s:s,s:i}", "type", type, "title", http_status_title(status), "status",
		      status);
	if (p == NULL) {
		json_decref(errors);
		return reply_oom(rs);
	}
	/* a document without its detail or its errors would be a different answer: out of
	 * memory for either, the constant 500 (json_object_set_new frees what it could not set) */
	if (detail && detail[0] && json_object_set_new(p, "detail", json_string(detail))) {
		json_decref(errors);
		goto oom;
	}
	if (errors && json_object_set_new(p, "errors", errors))
		goto oom;
	return reply_dump(rs, status, p, "application/problem+json; charset=utf-8");
oom:
	json_decref(p);
	return reply_oom(rs);
}

int http_reply_err(struct resp *rs, int err, struct kam_errinfo *ei)
{
	int status = http_status_of(err);
	const char *detail = ei && ei->detail[0] ? ei->detail : NULL;
	json_t *errors = NULL;

	if (ei) {
		errors = ei->errors;
		ei->errors = NULL;
		if (ei->lost) { /* a 4xx without all its fields would name the wrong ones */
			json_decref(errors);
			return reply_oom(rs);
		}
	}
	if (detail == NULL) {
		switch (err) {
		case KAM_ENOTFOUND:
			detail = "no such resource";
			break;
		case KAM_ESTALE:
			detail = "the resource changed since you read it; read it again";
			break;
		case KAM_EBUSY:
			detail = "the database is busy; retry shortly";
			break;
		case KAM_EUNAVAIL:
			detail = "the database cannot store data now (disk full or an I/O error); "
			         "retry later";
			break;
		case KAM_ECONFLICT:
			detail = "the change conflicts with existing data";
			break;
		default:
			detail = NULL;
		}
	}
	if (status == 503) /* a full disk is not freed in a second */
		http_header(rs, "Retry-After", err == KAM_EUNAVAIL ? "30" : "1");
	return http_problem(rs, status, detail, errors);
}

int http_reply_empty(struct resp *rs, int status)
{
	http_resp_drop_file(rs);
	free(rs->body);
	rs->body = NULL;
	rs->len = 0;
	rs->status = status;
	rs->content_type = NULL;
	return KAM_OK;
}
