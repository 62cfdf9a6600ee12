/*
 * Relationship coverage: which of our people cover which of the client's stakeholders, and
 * where that leaves the account exposed. Pure: the rows come in, the grid goes out.
 */
#ifndef KAM_KAM_COVERAGE_H
#define KAM_KAM_COVERAGE_H
#include <jansson.h>
#include "kam/date.h"

/* A relationship not confirmed for this long is stale (and one never confirmed is too). */
#define COVERAGE_STALE_DAYS 180

/*
 * The coverage grid of one account. contacts: {id, name, title, decision_role, attitude,
 * left_on}; people: {id, name, role} (our side: the KAM first, then the team); links:
 * {id, contact_id, user_id, strength, verified_on}. The stakeholders are the contacts still
 * there who decide, buy, influence or champion; a person covering one is added to the people
 * if missing. Gaps: "uncovered" (a decision maker or economic buyer nobody covers), "stale"
 * (a link unverified for COVERAGE_STALE_DAYS), "single_threaded" (one person covers every
 * covered decision maker). Returns a new object, or NULL when out of memory.
 */
json_t *coverage_grid(const json_t *contacts, const json_t *people, const json_t *links,
                      date_t today);

#endif
