/* "Changed since the last review": what happened to a plan's objectives, actions and
 * account since a day, read from the audit trail and the health history. */
#include <stdio.h>
#include <string.h>
#include "app/access.h"
#include "app/plan_changes.h"
#include "app/scores.h"
#include "kam/date.h"
#include "kam/plan_changes.h"
#include "store/health.h"
#include "store/revenue.h"

#define CHANGES_MAX 5000 /* audit rows read for one "changed since": a year of a busy plan */

/* The latest review of plan held on or before today, as {id, held_on}, or NULL. */
static int last_review(struct store_conn *db, int64_t plan, const char *today, json_t **out)
{
	json_t *rows = NULL, *r;
	size_t i;
	int rc =
	    store_rows(db,
	               "SELECT id, held_on, created_at FROM reviews WHERE plan_id = ? ORDER BY "
	               "held_on DESC, id DESC",
	               plan, &rows);

	*out = NULL;
	if (rc != KAM_OK)
		return rc;
	json_array_foreach(rows, i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "held_on")), today) <= 0) {
			*out = json_incref(r);
			break;
		}
	}
	json_decref(rows);
	return KAM_OK;
}

int app_plan_changes(struct store_conn *db, const struct actor *who, int64_t plan_id,
                     const char *since, json_t **out)
{
	json_t *plan = NULL, *review = NULL, *rows = NULL, *items = NULL, *hist = NULL, *acc = NULL;
	char today[DATE_LEN], from[DATE_LEN];
	int64_t account, at, after = 0;
	date_t d;
	int rc;

	*out = NULL;
	if ((rc = store_get(db, &model_plan, plan_id, &plan, NULL)) != KAM_OK)
		return rc == KAM_ENOTFOUND ? KAM_ENOTFOUND : rc;
	account = json_integer_value(json_object_get(plan, "account_id"));
	if (app_account_visible(db, who, account, NULL, NULL) != KAM_OK) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = app_today_text(db, who, today)) != KAM_OK ||
	    (rc = last_review(db, plan_id, today, &review)) != KAM_OK)
		goto out;
	/* since the given day, else the last review, else the plan's start */
	snprintf(from, sizeof(from), "%s",
	         since    ? since
	         : review ? json_string_value(json_object_get(review, "held_on"))
	                  : json_string_value(json_object_get(plan, "period_start")));
	if ((rc = date_parse(from, &d)) != KAM_OK)
		goto out;
	/* a review recorded on the day it was held starts when it was recorded (its audit row):
	 * the day's earlier changes were before it */
	at = (int64_t)d * 86400;
	if (since == NULL && review) {
		int64_t made = json_integer_value(json_object_get(review, "created_at"));
		json_t *mark = NULL;

		if (made >= at && made < at + 86400 &&
		    (rc = store_rows(db,
		                     "SELECT id FROM audit WHERE entity = 'review' AND action = "
		                     "'create' AND entity_id = ?",
		                     json_integer_value(json_object_get(review, "id")), &mark)) !=
		        KAM_OK)
			goto out;
		after = json_integer_value(json_object_get(json_array_get(mark, 0), "id"));
		json_decref(mark);
		json_object_del(review, "created_at");
	}
	if ((rc = store_plan_audit(db, plan_id, account, at, after, CHANGES_MAX, &rows)) !=
	        KAM_OK ||
	    (rc = store_health_history(db, account, from, &hist)) != KAM_OK ||
	    (rc = store_get(db, &model_account, account, &acc, NULL)) != KAM_OK)
		goto out;
	if ((items = plan_changes(rows)) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	{
		json_t *then = json_object_get(json_array_get(hist, 0), "score");
		json_t *now = json_object_get(acc, "health");

		*out = json_pack("{s:I,s:s,s:O?,s:o,s:{s:O?,s:O?},s:b}", "plan_id",
		                 (json_int_t)plan_id, "since", from, "review", review, "items",
		                 items, "health", "then", then, "now",
		                 json_is_number(now) && json_number_value(now) >= 0 ? now : NULL,
		                 "truncated", json_array_size(rows) >= CHANGES_MAX);
		items = NULL;
		if (*out == NULL)
			rc = KAM_ENOMEM;
	}
out:
	json_decref(plan);
	json_decref(review);
	json_decref(rows);
	json_decref(items);
	json_decref(hist);
	json_decref(acc);
	return rc;
}
