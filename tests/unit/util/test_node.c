/* Node names: this process's, and telling a dead node on this host from one elsewhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "util/node.h"

/* id with its pid replaced by pid */
static void with_pid(const char *id, int pid, char *out, size_t outlen)
{
	const char *p = strchr(id, ':'), *q = strchr(p + 1, ':');

	snprintf(out, outlen, "%.*s:%d%s", (int)(p - id), id, pid, q);
}

static void test_self(void **state)
{
	const char *id = node_id();
	char pid[32];

	(void)state;
	assert_ptr_equal(id, node_id()); /* one name for the whole process */
	snprintf(pid, sizeof(pid), ":%d:", (int)getpid());
	assert_non_null(strstr(id, pid));
	assert_false(node_gone(id));
}

static void test_gone(void **state)
{
	char other[256];
	pid_t child = fork();

	(void)state;
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	/* a process of this host and namespace that exited: gone */
	with_pid(node_id(), (int)child, other, sizeof(other));
	assert_true(node_gone(other));
	/* a live one (the parent of this test) is not */
	with_pid(node_id(), (int)getppid(), other, sizeof(other));
	assert_false(node_gone(other));
	/* another host, or what cannot be read, is never called dead */
	snprintf(other, sizeof(other), "elsewhere.example:%d:abc:%s", (int)child,
	         strrchr(node_id(), ':') + 1);
	assert_false(node_gone(other));
	assert_false(node_gone(NULL));
	assert_false(node_gone(""));
	assert_false(node_gone("junk"));
	with_pid(node_id(), (int)child, other, sizeof(other));
	snprintf(other + strlen(other), sizeof(other) - strlen(other),
	         "9"); /* another pid namespace */
	assert_false(node_gone(other));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self),
	    cmocka_unit_test(test_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
