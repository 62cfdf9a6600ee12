#include <string.h>
#include "kam/account.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int account_check(const json_t *acct, struct kam_errinfo *ei)
{
	const char *status = str(acct, "status"), *acq = str(acct, "acquired_on"),
		   *churn = str(acct, "churned_on");
	int rc = KAM_OK;

	/* dates are YYYY-MM-DD, so text order is date order */
	if (acq && churn && strcmp(churn, acq) < 0) {
		err_field(ei, "churned_on", "must not be before acquired_on (%s)", acq);
		rc = KAM_EINVAL;
	}
	if (status && strcmp(status, "churned") == 0 && churn == NULL) {
		err_field(ei, "churned_on", "is required when status is churned");
		rc = KAM_EINVAL;
	}
	if (status && strcmp(status, "churned") != 0 && churn != NULL) {
		err_field(ei, "churned_on", "must be null unless status is churned");
		rc = KAM_EINVAL;
	}
	return rc;
}

json_t *account_merge(const json_t *base, json_t *patch)
{
	json_t *m = json_deep_copy(base);

	if (m && patch)
		json_object_update(m, patch);
	return m;
}
