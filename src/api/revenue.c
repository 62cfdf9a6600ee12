/* Products, business units, FX rates, transactions with their monthly rollup, bulk import
 * of transactions, and an account's whitespace. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api/groups.h"
#include "api/resource.h"
#include "app/revenue.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/revenue.h"
#include "util/time.h"

/* --- bulk import ---------------------------------------------------------------------- */

struct bulk {
	struct req *rq;
	int created, updated, unchanged;
	json_t *errors;
	long line;
	/* CSV state */
	json_t *header, *row;
	int col;
	int fatal;
};

static void row_error(struct bulk *b, const char *field, const char *msg)
{
	if (json_array_size(b->errors) < 1000)
		json_array_append_new(b->errors, json_pack("{s:I,s:s,s:s}", "line", (json_int_t)b->line,
							   "field", field, "message", msg));
}

static bool same(const json_t *stored, json_t *row)
{
	const char *k;
	json_t *v;

	json_object_foreach(row, k, v)
		if (!json_equal(v, json_object_get(stored, k)))
			return false;
	return true;
}

/* One row: validated, authorized, then created, updated or left as it is (by external_id). */
static int bulk_row(struct bulk *b, json_t *row)
{
	struct req *rq = b->rq;
	struct kam_errinfo ei = {0};
	const char *ext = json_string_value(json_object_get(row, "external_id"));
	json_t *stored = NULL, *after = NULL;
	bool owner = false, team = false;
	int64_t version = 0, id;
	int rc;

	if ((rc = validate_body(&model_transaction, row, true, &ei)) != KAM_OK)
		goto bad;
	if (ext == NULL) {
		err_field(&ei, "external_id", "is required in a bulk import (it makes re-sends safe)");
		rc = KAM_EINVAL;
		goto bad;
	}
	rc = app_account_visible(rq->db, &rq->user.who, json_integer_value(json_object_get(row, "account_id")), &owner,
				 &team);
	if (rc == KAM_ENOTFOUND || (rc == KAM_OK && !auth_account_writable(rq->user.who.role, owner, team))) {
		err_field(&ei, "account_id", "no such account, or not yours to write");
		rc = KAM_EINVAL;
		goto bad;
	}
	if (rc == KAM_OK)
		rc = app_check_refs(rq->db, &rq->user.who, &model_transaction, row,
				    json_integer_value(json_object_get(row, "account_id")), &ei);
	if (rc == KAM_OK)
		rc = res_transactions.prepare(rq->db, &rq->user.who, row, NULL, &ei);
	/* rows are written as they come (no savepoint), so the room is checked first, to name
	 * the row that does not fit */
	if (rc == KAM_OK)
		rc = app_money_room(rq->db, "transactions",
		                    json_integer_value(json_object_get(row, "amount_base")),
		                    "amount", &ei);
	if (rc != KAM_OK)
		goto bad;
	/* external ids are keys inside an account: one of an account the caller cannot see
	 * neither matches nor conflicts */
	rc = store_transaction_by_external(
	    rq->db, json_integer_value(json_object_get(row, "account_id")), ext, &stored, &version);
	if (rc == KAM_ENOTFOUND) {
		if ((rc = store_insert(rq->db, &model_transaction, row, time_now(), &id)) != KAM_OK ||
		    (rc = store_get(rq->db, &model_transaction, id, &after, NULL)) != KAM_OK ||
		    (rc = res_transactions.after_write(rq->db, &rq->user.who, NULL, after)) != KAM_OK)
			goto out;
		b->created++;
	} else if (rc == KAM_OK && same(stored, row)) {
		b->unchanged++;
	} else if (rc == KAM_OK) {
		id = json_integer_value(json_object_get(stored, "id"));
		if ((rc = store_update(rq->db, &model_transaction, id, row, version, time_now())) !=
			    KAM_OK ||
		    (rc = store_get(rq->db, &model_transaction, id, &after, NULL)) != KAM_OK ||
		    (rc = res_transactions.after_write(rq->db, &rq->user.who, stored, after)) != KAM_OK)
			goto out;
		b->updated++;
	}
	goto out;
bad:
	if (rc == KAM_EINVAL) {
		json_t *e = json_array_get(ei.errors, 0);

		row_error(b, e ? json_string_value(json_object_get(e, "field")) : "",
			  e ? json_string_value(json_object_get(e, "message")) : ei.detail);
		rc = KAM_OK; /* a bad row is reported; the others go on */
	}
out:
	err_clear(&ei);
	json_decref(stored);
	json_decref(after);
	return rc;
}

static const char *const csv_fields[] = {"account_id", "unit_id", "product_id", "booked_on",
					 "amount", "currency", "external_id", NULL};

static void csv_field(void *s, size_t len, void *data)
{
	struct bulk *b = data;
	json_t *name;
	char *v = strndup(s, len);

	if (v == NULL)
		return;
	if (b->header == NULL || json_array_size(b->header) < (size_t)b->col + 1) {
		/* still reading the header row */
		if (b->line == 1) {
			if (b->header == NULL)
				b->header = json_array();
			json_array_append_new(b->header, json_string(v));
		}
		b->col++;
		free(v);
		return;
	}
	name = json_array_get(b->header, (size_t)b->col++);
	if (b->row == NULL)
		b->row = json_object();
	if (len == 0) {
		/* an empty cell is an absent value */
	} else {
		const char *n = json_string_value(name);
		bool numeric = !strcmp(n, "account_id") || !strcmp(n, "unit_id") ||
			       !strcmp(n, "product_id") || !strcmp(n, "amount");
		char *end;
		long long x = strtoll(v, &end, 10);

		json_object_set_new(b->row, n, numeric && *end == '\0' ? json_integer(x) : json_string(v));
	}
	free(v);
}

static void csv_row(int c, void *data)
{
	struct bulk *b = data;

	(void)c;
	if (b->line == 1) {
		size_t i;
		json_t *h;

		json_array_foreach(b->header, i, h)
		{
			bool known = false;

			for (const char *const *f = csv_fields; *f; f++)
				known |= !strcmp(*f, json_string_value(h));
			if (!known)
				row_error(b, json_string_value(h), "is not a column of transactions");
		}
	} else if (b->row && !b->fatal) {
		if (bulk_row(b, b->row) != KAM_OK)
			b->fatal = 1;
	}
	json_decref(b->row);
	b->row = NULL;
	b->col = 0;
	b->line++;
}

int api_transactions_bulk(struct req *rq, struct resp *rs)
{
	struct bulk b = {.rq = rq, .errors = json_array(), .line = 1};
	const char *ct = rq->content_type ? rq->content_type : "";
	bool csv = !strncasecmp(ct, "text/csv", 8);
	int rc;

	if (!csv && strncasecmp(ct, "application/x-ndjson", 20) != 0) {
		json_decref(b.errors);
		http_problem(rs, 415, "send application/x-ndjson (one JSON object per line) or text/csv",
			     NULL);
		return KAM_EINVAL;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if (csv) {
		struct csv_parser p;

		csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
		if (csv_parse(&p, rq->body, rq->body_len, csv_field, csv_row, &b) != rq->body_len) {
			row_error(&b, "", csv_strerror(csv_error(&p)));
		}
		csv_fini(&p, csv_field, csv_row, &b);
		csv_free(&p);
		json_decref(b.header);
		rc = b.fatal ? KAM_EDB : KAM_OK;
	} else {
		const char *p = rq->body, *end = rq->body + rq->body_len;

		while (p < end && rc == KAM_OK) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			json_error_t jerr;
			json_t *row;

			size_t blank = 0;

			/* bounded by the line: the body's last line ends where the body does */
			while (blank < len &&
			       (p[blank] == ' ' || p[blank] == '\t' || p[blank] == '\r'))
				blank++;
			if (blank < len) {
				row = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
				if (row == NULL || !json_is_object(row))
					row_error(&b, "", row ? "a line must be a JSON object" : jerr.text);
				else
					rc = bulk_row(&b, row);
				json_decref(row);
			}
			b.line++;
			p += len + 1;
		}
	}
	if (rc == KAM_OK && (b.created || b.updated)) {
		json_t *summary = json_pack("{s:i,s:i,s:i,s:I}", "created", b.created, "updated",
					    b.updated, "unchanged", b.unchanged, "errors",
					    (json_int_t)json_array_size(b.errors));

		rc = app_audit(rq->db, &rq->user.who, "import", "transaction", 0, NULL, summary);
		json_decref(summary);
	}
	if (rc == KAM_OK)
		rc = store_commit(rq->db);
out:
	if (rc != KAM_OK) {
		json_decref(b.errors);
		return http_reply_err(rs, rc, NULL), rc;
	}
	return http_reply_json(rs, 200,
			       json_pack("{s:i,s:i,s:i,s:o}", "created", b.created, "updated",
					 b.updated, "unchanged", b.unchanged, "errors", b.errors));
}

int api_account_whitespace(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	struct kam_errinfo ei = {0};
	struct app_group g;
	bool grouped = false;
	json_t *grid = NULL;
	/* ?scope=group: the group's entities × products (docs/groups.md) */
	int rc = api_group_param(rq, id, &g, &grouped, &ei);

	if (rc == KAM_OK)
		rc = grouped  ? app_group_whitespace(rq->db, &rq->user.who, &g, &grid)
		     : id < 0 ? KAM_ENOTFOUND
		              : app_account_whitespace(rq->db, &rq->user.who, id, &grid);
	app_group_free(&g);
	if (rc == KAM_ENOTFOUND)
		rc = api_not_found(rs, "account");
	else if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	else
		http_reply_json(rs, 200, grid);
	err_clear(&ei);
	return rc;
}
