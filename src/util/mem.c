#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util/mem.h"

/* KAM_MALLOC=default: glibc as it comes, to compare (bench/kpi.sh) */
static int glibc_default(void)
{
	const char *m = getenv("KAM_MALLOC");

	return m && strcmp(m, "default") == 0;
}

/*
 * Pages given back are faulted in again by the next request that needs them, and a page
 * fault is dear on a virtual machine (25-35 µs each on the project's 2-core one): an alert
 * evaluation at 10,000 accounts spent a third of its time faulting in the 15 MB it had
 * given back the run before. So the heap keeps a working reserve: blocks up to 32 MiB come
 * from the heap rather than from mappings of their own (unmapped, and faulted in anew,
 * every time), up to 16 MiB free at the heap's top stays, and the free pages inside the heap
 * are given back only once the process holds more than 48 MiB.
 */
#define MEM_MMAP_FROM (32 << 20)
#define MEM_KEEP_TOP (16 << 20)
#define MEM_TRIM_ABOVE (48L << 20)

void mem_limit_heap(void)
{
	if (glibc_default())
		return;
	mallopt(M_ARENA_MAX, 2);
	mallopt(M_MMAP_THRESHOLD, MEM_MMAP_FROM);
	mallopt(M_TRIM_THRESHOLD, MEM_KEEP_TOP);
	/* glibc sets its heap up on its first call, and malloc_trim's set-up is not safe against
	 * another thread's first call at the same moment (it crashed a test server). Under
	 * AddressSanitizer nothing else sets it up — the tests' allocations are not glibc's and
	 * mallopt above is the sanitizer's — so the first malloc_trim is made here, before any
	 * thread starts; without a sanitizer the heap is long set up and this trims next to
	 * nothing. */
	malloc_trim(0);
}

long mem_resident(void)
{
	long size = 0, pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &pages) != 2)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

void mem_give_back(void)
{
	long held;

	if (glibc_default())
		return;
	/* unknown (no /proc): given back, as before the reserve */
	if ((held = mem_resident()) >= 0 && held <= MEM_TRIM_ABOVE)
		return;
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
