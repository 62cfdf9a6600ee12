/* /api/v1/contacts: the people of the client's organisation, with their place in it. Served
 * by the generic resource handlers; what is particular is the reporting line. */
#include "app/record.h"

#define MAX_CHAIN 100

/* reports_to must be another contact of the same account (api_check_refs sees to that),
 * and following the chain up must never come back to this contact. */
static int contact_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                           const json_t *before, struct kam_errinfo *ei)
{
	(void)who;
	int64_t self = before ? json_integer_value(json_object_get(before, "id")) : 0;
	int64_t boss = json_integer_value(json_object_get(rec, "reports_to_id"));

	for (int hops = 0; self > 0 && boss > 0 && hops < MAX_CHAIN; hops++) {
		json_t *b = NULL;
		int rc;

		if (boss == self) {
			err_field(ei, "reports_to_id", "would make a reporting loop");
			return KAM_EINVAL;
		}
		if ((rc = store_get(db, &model_contact, boss, &b, NULL)) != KAM_OK)
			return rc == KAM_ENOTFOUND ? KAM_OK : rc;
		boss = json_integer_value(json_object_get(b, "reports_to_id"));
		json_decref(b);
	}
	return KAM_OK;
}

const struct app_resource res_contacts = {
	.e = &model_contact,
	.base = "/api/v1/contacts",
	.scope = SCOPE_ACCOUNT,
	.prepare = contact_prepare,
};
