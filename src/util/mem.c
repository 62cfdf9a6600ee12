#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "util/mem.h"

/* KAM_MALLOC=default: glibc as it comes, to compare (bench/kpi.sh) */
static int glibc_default(void)
{
	const char *m = getenv("KAM_MALLOC");

	return m && strcmp(m, "default") == 0;
}

void mem_limit_heap(void)
{
	if (!glibc_default())
		mallopt(M_ARENA_MAX, 2);
}

void mem_give_back(void)
{
	if (!glibc_default())
		malloc_trim(0);
}
