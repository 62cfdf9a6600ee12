/* Node names (see node.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/node.h"
#include "util/tok.h"

static char self[192];
static char host[64] = "host";
static unsigned long long pidns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	struct stat sb;
	char rnd[32] = "x";

	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, ":")] = '\0'; /* the name is split on ':' */
	/* pids repeat across containers and restarted containers: the namespace tells them
	 * apart (a restarted container gets a new one) */
	if (stat("/proc/self/ns/pid", &sb) == 0)
		pidns = (unsigned long long)sb.st_ino;
	tok_random("", 6, rnd, sizeof(rnd));
	snprintf(self, sizeof(self), "%s:%d:%s:%llu", host, (int)getpid(), rnd, pidns);
}

const char *node_id(void)
{
	pthread_once(&once, init);
	return self;
}

bool node_gone(const char *id)
{
	char h[64];
	const char *p, *q;
	long pid;
	unsigned long long ns;
	char *end;

	pthread_once(&once, init);
	if (id == NULL || pidns == 0 || (p = strchr(id, ':')) == NULL ||
	    (size_t)(p - id) >= sizeof(h))
		return false;
	memcpy(h, id, (size_t)(p - id));
	h[p - id] = '\0';
	if (strcmp(h, host) != 0)
		return false;
	pid = strtol(p + 1, &end, 10);
	if (end == p + 1 || *end != ':' || pid <= 0 || (q = strrchr(id, ':')) == NULL)
		return false;
	ns = strtoull(q + 1, &end, 10);
	if (*end != '\0' || ns != pidns || !strcmp(id, self))
		return false;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}
