/*
 * Group accounts as operations (docs/groups.md): who may see what of a group, the group
 * tree of an account, and the sets of accounts a group answer counts and lists.
 */
#ifndef KAM_APP_GROUP_H
#define KAM_APP_GROUP_H
#include <jansson.h>
#include <stdbool.h>
#include "kam/auth.h"
#include "store/group.h"
#include "store/store.h"

/* What a caller gets of a group (an account and all its descendants). */
struct app_group {
	int64_t id;                /* the group's parent */
	struct store_group_row *m; /* id and its descendants, sorted by id */
	size_t n;
	int *depth;            /* each member's depth below id */
	bool *figures;         /* the caller may see this entity's own figures */
	bool *open;            /* the caller may open this entity's record */
	bool full;             /* staff, or the caller owns id or one of its ancestors */
	bool totals;           /* the caller may see the whole group's totals */
	int64_t *count, *list; /* sorted ids: what a group figure counts, what rows list */
	size_t ncount, nlist;
};

/*
 * Loads the group of id for who: KAM_ENOTFOUND (as for a missing account) when id does not
 * exist or the caller sees nothing of it (no entity of it, no ancestor they own). Free it
 * with app_group_free.
 */
int app_group_load(struct store_conn *db, const struct actor *who, int64_t id, struct app_group *g);
/* Frees what g holds. */
void app_group_free(struct app_group *g);
/* Whether a group answer of g is complete (counts every entity). */
bool app_group_complete(const struct app_group *g);

/*
 * GET /accounts/:id/group: the tree of the group id belongs to, from its top parent down,
 * as the caller may see it (docs/groups.md); *out a new object. KAM_ENOTFOUND when the
 * caller may not see id.
 */
int app_group_tree(struct store_conn *db, const struct actor *who, int64_t id, json_t **out);
/* The tree of app_group_tree as a file (xlsx, else CSV): one row per entity listed, money
 * in major units, then the group's total when the caller may see it; *fd (the caller closes
 * it) of *len bytes. */
int app_group_tree_file(struct store_conn *db, const struct actor *who, int64_t id, bool xlsx,
                        int *fd, size_t *len);

/* The intra-group revenue of [from, to) per account, subtracted from each of the n
 * accounts' sums (ids sorted; sum[i] goes with ids[i]): a group answer's figures. */
int app_group_net(struct store_conn *db, const char *from, const char *to, const int64_t *ids,
                  double *sum, size_t n);

/*
 * A portfolio report's rows (each with account_id and revenue over the months from_month..
 * to_month, to included) kept to the entities of g the caller may see, each revenue net of
 * its intra-group revenue; sorted by revenue (highest first) when sort, else kept in order. *out a
 * new array sharing the items.
 */
int app_group_items(struct store_conn *db, const struct app_group *g, const char *from_month,
                    const char *to_month, json_t *items, bool sort, json_t **out);

/*
 * A group's health: the health of the entities it counts, weighted by each one's 12-month
 * revenue (a plain mean when none has revenue; null when none has enough data), with the
 * entities the caller may see listed; *out a new object.
 */
int app_group_health(const struct app_group *g, json_t **out);

#endif
