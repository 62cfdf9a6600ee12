/* This server process's name among the nodes sharing a database, and whether another named
 * node is known to be gone (so work it left half done can be called off at once). */
#ifndef KAM_UTIL_NODE_H
#define KAM_UTIL_NODE_H
#include <stdbool.h>

/* "host:pid:random:pid-namespace": unique to this process, the same for its whole life. */
const char *node_id(void);
/* Whether node id is certainly dead: it ran on this host, in this pid namespace, and no
 * process has its pid any more. False when that cannot be told (another host or container). */
bool node_gone(const char *id);

#endif
