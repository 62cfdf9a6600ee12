/* Changing the installation's settings (see settings.h). */
#include <string.h>
#include "app/access.h"
#include "app/revenue.h"
#include "app/scores.h"
#include "app/settings.h"
#include "kam/money.h"
#include "kam/settings.h"
#include "store/portfolio.h"
#include "util/time.h"

int app_settings_update(struct store_conn *db, const struct actor *who, json_t *patch, int64_t want,
                        json_t **out, int64_t *version, struct kam_errinfo *ei)
{
	struct settings s, before;
	json_t *stored = NULL, *jb = NULL, *ja = NULL;
	int64_t have = 0, ntx = 0;
	bool open = false;
	int rc;

	*out = NULL;
	if (who->role != ROLE_ADMIN && who->role != ROLE_DIRECTOR) {
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	open = true;
	if ((rc = app_settings_load(db, &s, &have)) != KAM_OK)
		goto out;
	before = s;
	if (want >= 0 && want != have) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = settings_apply(&s, patch, ei)) != KAM_OK)
		goto out;
	/* checked here, not when settings load: a code stored before the table existed must
	 * not throw every other setting back to its default */
	if (strcmp(s.base_currency, before.base_currency) != 0 &&
	    !money_currency_known(s.base_currency)) {
		err_field(ei, "base_currency",
		          "%s is not an ISO 4217 currency (GET /api/v1/currencies lists them)",
		          s.base_currency);
		rc = KAM_EINVAL;
		goto out;
	}
	if (strcmp(s.base_currency, before.base_currency) != 0) {
		rc = store_count_transactions(db, &ntx);
		if (rc == KAM_OK && ntx > 0) {
			err_field(ei, "base_currency",
			          "cannot change once transactions exist (%lld are stored in %s)",
			          (long long)ntx, before.base_currency);
			rc = KAM_ECONFLICT;
		}
		if (rc != KAM_OK)
			goto out;
	}
	jb = settings_to_json(&before);
	ja = settings_to_json(&s);
	stored = settings_to_stored_json(&s);
	if ((rc = store_settings_put(db, stored, have, time_now())) != KAM_OK ||
	    (rc = app_audit(db, who, "update", "settings", 0, jb, ja)) != KAM_OK)
		goto out;
	/* won deals booked as revenue, or no longer: every booking follows at once */
	if (s.book_won_opportunities != before.book_won_opportunities &&
	    (rc = app_bookings_refresh(db, who, &s)) != KAM_OK)
		goto out;
	/* new weights or thresholds re-rank everyone in the same transaction */
	if ((rc = app_scores_refresh(db, &s, who->now)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
	if (rc != KAM_OK)
		goto out;
	*out = ja;
	*version = have + 1;
	ja = NULL;
out:
	if (open)
		store_rollback(db);
	json_decref(stored);
	json_decref(jb);
	json_decref(ja);
	return rc;
}
