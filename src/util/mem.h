/*
 * The process heap of kam serve (glibc malloc). glibc gives each thread that allocates at
 * once an arena of its own and keeps what is freed there: a KPI question on one thread and
 * the alerts job on another each held their peak, and the server's peak RSS was their sum
 * (docs/performance.md, "Memory").
 */
#ifndef KAM_UTIL_MEM_H
#define KAM_UTIL_MEM_H
#include <stddef.h>

/* Two arenas for all threads and a working reserve (src/util/mem.c); before any thread
 * starts. KAM_MALLOC=default leaves glibc's own settings (and makes mem_give_back do
 * nothing), to compare. */
void mem_limit_heap(void);
/* Gives the free pages of the heap back to the system once the process holds more than
 * its working reserve (48 MiB): after a run or a request that built large trees, so the
 * next one does not start from their peak. */
void mem_give_back(void);
/* The process's resident memory in bytes (VmRSS), or -1 when unknown. */
long mem_resident(void);

/* Asks for 2 MiB pages for the whole 2 MiB pieces of the n bytes at p (a large table or
 * array filled at once: one page fault per 2 MiB instead of 512, and fewer TLB misses
 * when it is read at random); nothing where the system does not have them. */
void mem_huge(void *p, size_t n);

#endif
