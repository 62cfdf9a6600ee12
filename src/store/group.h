/* Store queries behind group accounts (docs/groups.md). */
#ifndef KAM_STORE_GROUP_H
#define KAM_STORE_GROUP_H
#include <stdbool.h>
#include "store/store.h"

/* One entity of a group with what group answers show of it. */
struct store_group_row {
	int64_t id, parent_id, owner_id; /* parent_id 0: none */
	char name[201], owner_name[201];
	int64_t revenue_12m; /* base minor units, as the score refresh stored it */
	double health;       /* < 0: not enough data */
	bool shared;         /* group_totals_shared */
	bool mine, team;     /* the asking user owns it / is on its team */
};

/* The account id and all its descendants at any depth, sorted by id (cycle-safe: each
 * account once); user is the caller (mine, team). *rows owned; *n 0 when id does not exist. */
int store_group_members(struct store_conn *c, int64_t id, int64_t user,
                        struct store_group_row **rows, size_t *n);
/* The ancestors of id, nearest first, at most max of them (a cycle ends the walk). */
int store_group_ancestors(struct store_conn *c, int64_t id, int64_t user,
                          struct store_group_row **rows, size_t *n);

/* Intra-group revenue booked in [from, to) (dates), per account. */
struct store_group_amount {
	int64_t account_id;
	double amount; /* base minor units */
};
/* Sums the intra-group transactions of [from, to) per account; *rows owned, sorted by id. */
int store_group_intra(struct store_conn *c, const char *from, const char *to,
                      struct store_group_amount **rows, size_t *n);

/* Every account's (id, parent_id), sorted by id, as two new arrays. */
int store_group_links(struct store_conn *c, int64_t **ids, int64_t **parents, size_t *n);

/* What the group of id (id and its descendants) bought since a date, per entity (unit_id)
 * and product, intra-group rows left out: [{unit_id, product_id, revenue}], a new array. */
int store_group_sold(struct store_conn *c, int64_t id, const char *since, json_t **items);
/* The open opportunities of the group of id per entity (unit_id) and product, a new array. */
int store_group_open(struct store_conn *c, int64_t id, json_t **items);
/* The open opportunities of the group of id: [{account_id, stage, amount, currency,
 * probability (-1: none)}], a new array. */
int store_group_pipeline(struct store_conn *c, int64_t id, json_t **items);

#endif
