#include <malloc.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
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

void mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1),
	          to = ((uintptr_t)p + n) & ~(huge - 1);

	if (p && to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}
