/* Who may see and change what, references to users, audit rows and the money caps: the checks
 * every write of kam makes, whichever door it came through. */
#include <stdio.h>
#include <string.h>
#include "app/access.h"
#include "kam/money.h"
#include "store/revenue.h"
#include "util/time.h"

int app_account_visible(struct store_conn *db, const struct actor *who, int64_t id, bool *owner,
                        bool *on_team)
{
	bool o = false, t = false;
	int rc = store_account_access(db, id, who->user_id, &o, &t);

	if (rc != KAM_OK)
		return rc;
	if (owner)
		*owner = o;
	if (on_team)
		*on_team = t;
	if (!actor_sees_account(who, o, t))
		return KAM_ENOTFOUND;
	return KAM_OK;
}

static int check_user(struct store_conn *db, int64_t id, const char *field, bool must_own,
                      struct kam_errinfo *ei)
{
	json_t *u = NULL;
	int rc = store_get(db, &model_user, id, &u, NULL);

	if (rc == KAM_ENOTFOUND) {
		err_field(ei, field, "no such user");
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	if (!json_is_true(json_object_get(u, "active"))) {
		err_field(ei, field, "user %lld is deactivated", (long long)id);
		rc = KAM_EINVAL;
	} else if (must_own &&
	           !auth_can_own(auth_role_parse(json_string_value(json_object_get(u, "role"))))) {
		err_field(ei, field, "user %lld has a role that cannot own accounts",
		          (long long)id);
		rc = KAM_EINVAL;
	}
	json_decref(u);
	return rc;
}

int app_check_owner(struct store_conn *db, int64_t id, const char *field, struct kam_errinfo *ei)
{
	return check_user(db, id, field, true, ei);
}

int app_check_user(struct store_conn *db, int64_t id, const char *field, struct kam_errinfo *ei)
{
	return check_user(db, id, field, false, ei);
}

int app_audit(struct store_conn *db, const struct actor *who, const char *action,
              const char *entity, int64_t id, const json_t *before, const json_t *after)
{
	return store_audit_add(db, who->user_id, action, entity, id, before, after, time_now());
}

int app_money_room(struct store_conn *db, const char *name, int64_t amount, const char *field,
                   struct kam_errinfo *ei)
{
	int64_t total = 0;
	int rc = store_money_total(db, name, &total);

	if (rc == KAM_OK && !money_take(&total, amount, money_total_cap(name))) {
		char why[200];

		money_refusal(name, why, sizeof(why));
		err_field(ei, field, "%s", why);
		rc = KAM_EINVAL;
	}
	return rc;
}

int app_money_check(struct store_conn *db, const struct model_entity *e, struct kam_errinfo *ei)
{
	/* the stored totals a write of each entity can move; other entities hold no money */
	static const struct {
		const struct model_entity *e;
		const char *total, *field;
	} t[] = {{&model_transaction, "transactions", "amount"},
	         {&model_opportunity, "opportunities", "amount"},
	         {&model_account, "potential", "potential_annual_spend"}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return app_money_room(db, t[i].total, 0, t[i].field, ei);
	return KAM_OK;
}

int app_money_convert(struct store_conn *db, int64_t amount, const char *from, const char *to,
                      const char *base, const char *day, int64_t *out)
{
	double rf = 1, rt = 1;
	int rc;

	if (strcmp(from, to) == 0) {
		*out = amount;
		return KAM_OK;
	}
	if ((strcmp(from, base) != 0 && (rc = store_fx_rate(db, from, day, &rf)) != KAM_OK) ||
	    (strcmp(to, base) != 0 && (rc = store_fx_rate(db, to, day, &rt)) != KAM_OK))
		return rc;
	return money_convert_to(amount, from, to, rf / rt, out) ? KAM_OK : KAM_EINVAL;
}
