/*
 * Group accounts (docs/groups.md): a parent and all its descendants, at any depth. Pure
 * rules over (id, parent id) pairs, so a cycle in stored data (which kam refuses to write)
 * can never loop, and the group-level score a KAM can check by hand.
 */
#ifndef KAM_KAM_GROUP_H
#define KAM_KAM_GROUP_H
#include <stddef.h>
#include <stdint.h>
#include "kam/score.h"

/* The deepest a group may be: a parent_id that would make a chain of more accounts above
 * one is refused (so the check that refuses a cycle always walks to the top). */
#define GROUP_DEPTH_MAX 64

/* One account as the group rules see it: parent_id 0 when it has none. */
struct group_node {
	int64_t id, parent_id;
};

/*
 * For each of the n nodes (sorted by id), the index of its top-level ancestor among them:
 * the first one up the chain whose parent is 0 or not among the nodes. A node on a cycle
 * is its own root. root must hold n values.
 */
void group_roots(const struct group_node *v, size_t n, size_t *root);

/*
 * The depth of each of the n nodes (sorted by id) below the node top (0 for top itself,
 * 1 for its children…), or -1 for a node not under top. depth must hold n values.
 */
void group_depths(const struct group_node *v, size_t n, int64_t top, int *depth);

/*
 * Identification at group level: each top-level group (a root with all its descendants) is
 * scored as one account on its combined revenue, net of intra-group revenue (revenue minus
 * intra of every member), ranked among the other top-level groups and stand-alone accounts;
 * its ratings and churn are the root's. Every member takes its root's score and tier.
 * root as group_roots gives it; in and intra hold n values (intra: minor units, >= 0);
 * out n results; combined (may be NULL) gets each node's group revenue.
 */
void score_by_group(const struct settings *s, size_t n, const size_t *root,
                    const struct score_input *in, const double *intra, struct score_result *out,
                    double *combined);

#endif
