/*
 * What the columns of an import file mean: the kinds kam imports, the column names of the
 * standard Salesforce and HubSpot exports, and their picklist values in kam's terms.
 * Pure data and lookups.
 *
 * A column maps to a target: a field of the kind's entity ("name", "amount"), or one of
 * the references resolved at import time:
 *   account      an account by external id, else by name (case-insensitive)
 *   account_ext  an account by external id only
 *   parent, parent_ext   an account's parent account, likewise
 *   owner        a user by e-mail, else by name (owner_id, or relationship_owner_id)
 *   product      a product by external id, else by name
 *   contact      a contact by external id, else e-mail, else name within the account
 *   reports_to   the same, for a contact's manager
 *   manager      a user's manager: a user by e-mail, else by name
 *   unit         a business unit of the row's account, by name
 *   users        several users, by e-mail or name, separated by ';'
 *   contacts     several contacts, likewise
 *   first_name, last_name   joined into name
 *   ignore       a column that is known and deliberately not imported
 */
#ifndef KAM_KAM_IMPORTMAP_H
#define KAM_KAM_IMPORTMAP_H
#include <stddef.h>

struct imp_col {
	const char *key;    /* the header as imp_key() normalises it */
	const char *target; /* see above */
};

struct imp_kind {
	const char *name;                           /* "accounts", the KIND of `kam import KIND` */
	const char *entity;                         /* the model entity name */
	const struct imp_col *salesforce, *hubspot; /* NULL-terminated */
	const char *const *money;    /* fields in minor units of the row's currency */
	const char *const *defaults; /* "field=value" pairs filled when the file has none */
};

/* The kind called name, or NULL. */
const struct imp_kind *imp_kind_get(const char *name);
/* The target of header key in the named mapping ("salesforce", "hubspot"), or NULL. */
const char *imp_map_target(const struct imp_kind *k, const char *mapping, const char *key);
/* kam's value for an enum field given the source's normalised value, or NULL if none. */
const char *imp_map_value(const char *field, const char *key);
/* Whether field of entity holds money in minor units (files show it in major units). */
int imp_money_field(const char *entity, const char *field);
/* Whether target is one of the references listed above. */
int imp_is_ref_target(const char *target);

#endif
