/*
 * A request body turned into a record, for every resource on its own, with no database: the
 * JSON reader as the HTTP layer calls it (duplicate keys refused), validate_body against the
 * model for a create or a patch, then the pure checks the application runs next (an
 * account's cross-field rules; the prepare hooks of plans, reviews, interactions, cases and
 * surveys, which take no database) and the settings document (settings_apply).
 *
 * Input: one byte, then the body. The byte's low five bits pick the resource (the model's
 * entities, then the settings); its top bit makes it a create (required fields) or a patch.
 *
 * Checked: a body validate_body accepts for a create is one the prepare hooks take without
 * crashing; settings that apply are stored as a document that loads back to the same
 * settings. Seeds: tests/fuzz/corpus/fuzz_validate/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/record.h"
#include "kam/account.h"
#include "kam/settings.h"
#include "kam/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct model_entity *const entities[] = {
    &model_user,        &model_account,     &model_contact,       &model_plan,
    &model_objective,   &model_action,      &model_plan_resource, &model_review,
    &model_product,     &model_unit,        &model_opportunity,   &model_fx_rate,
    &model_transaction, &model_interaction, &model_case,          &model_risk,
    &model_survey,      &model_alert,       &model_import,
};
#define NENT (sizeof(entities) / sizeof(entities[0]))

/* The resources whose prepare hook reads no database (app/engagement.c, app/plans.c). */
static const struct app_resource *pure_prepare(const struct model_entity *e)
{
	static const struct app_resource *const r[] = {&res_plans, &res_reviews, &res_interactions,
	                                               &res_cases, &res_surveys};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i]->e == e)
			return r[i];
	return NULL;
}

static void check_settings(json_t *doc)
{
	struct kam_errinfo ei = {0};
	struct settings s, back;
	json_t *stored, *a, *b;

	settings_defaults(&s);
	if (settings_apply(&s, doc, &ei) != KAM_OK) {
		err_clear(&ei);
		return;
	}
	/* what PUT /settings stores must load back as the same settings */
	stored = settings_to_stored_json(&s);
	settings_defaults(&back);
	if (stored == NULL || settings_apply(&back, stored, &ei) != KAM_OK) {
		fprintf(stderr, "fuzz_validate: stored settings do not load back: %s\n", ei.detail);
		abort();
	}
	a = settings_to_json(&s);
	b = settings_to_json(&back);
	if (!json_equal(a, b)) {
		fprintf(stderr, "fuzz_validate: settings changed on the way through the store\n");
		abort();
	}
	json_decref(a);
	json_decref(b);
	json_decref(stored);
	err_clear(&ei);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kam_errinfo ei = {0};
	json_error_t jerr;
	json_t *body;
	bool create;
	unsigned pick;

	if (size < 1)
		return 0;
	pick = data[0] & 0x1f;
	create = data[0] & 0x80;
	body = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	if (pick >= NENT) {
		check_settings(body);
		goto out;
	}
	{
		const struct model_entity *e = entities[pick];
		const struct app_resource *r = pure_prepare(e);

		if (validate_body(e, body, create, &ei) != KAM_OK)
			goto out;
		err_clear(&ei);
		if (e == &model_account) {
			/* a patch is checked merged with the stored record: here, an empty one */
			json_t *none = json_object(), *m = account_merge(none, body);

			if (m)
				account_check(m, &ei);
			json_decref(m);
			json_decref(none);
		} else if (r && create) {
			struct actor who = {.role = ROLE_ADMIN, .user_id = 1, .now = 1772323200};

			r->prepare(NULL, &who, body, NULL, &ei);
		}
	}
out:
	err_clear(&ei);
	json_decref(body);
	return 0;
}
