/* Changing the installation's settings: one operation behind PATCH /api/v1/settings and
 * `kam settings set`, so the checks, the audit row and the re-ranking are the same. */
#ifndef KAM_APP_SETTINGS_H
#define KAM_APP_SETTINGS_H
#include <jansson.h>
#include "app/record.h"

/*
 * Applies patch (part of the settings document) as who, a director or admin: checks every
 * value, refuses a new base currency once money is stored, stores the settings, audits the
 * change and re-ranks every account, in one transaction (none may be open). want is the
 * version the caller read (-1: any; another: KAM_ESTALE). *out (owned by the caller) is the
 * settings now in force, *version their version.
 */
int app_settings_update(struct store_conn *db, const struct actor *who, json_t *patch, int64_t want,
                        json_t **out, int64_t *version, struct kam_errinfo *ei);

#endif
