/* The heap's give-back from many threads at once, as a server's request threads, its jobs and
 * its start-up rollup load call it. Under AddressSanitizer (these tests) glibc's own heap is
 * never used, so the first malloc_trim sets it up, and two first calls at once raced: a CI
 * run crashed in mtrim on a bin not yet set up (docs/performance.md, "The give-back's first
 * call"). Each round runs in a child process of its own: a fresh, unused glibc heap. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "util/mem.h"

#define THREADS 8
#define ROUNDS 40

static pthread_barrier_t go;

static void *give_back(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&go);
	mem_give_back();
	return NULL;
}

/* one child: past the 48 MiB line, the heap set up as kam serve does, then THREADS first
 * give-backs at once; exits 0 when all came back */
static int child(void)
{
	pthread_t t[THREADS];
	size_t n = 64 << 20;
	char *big = malloc(n);

	if (big == NULL)
		return 2;
	memset(big, 1, n); /* resident, so the give-back does trim */
	mem_limit_heap();
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, give_back, NULL) != 0)
			return 3;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	free(big);
	return 0;
}

static void test_give_back_at_once(void **state)
{
	(void)state;
	assert_true(getenv("KAM_MALLOC") == NULL); /* the give-back must not be switched off */
	for (int r = 0; r < ROUNDS; r++) {
		int status = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child());
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_give_back_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
