#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli/cli.h"
#include "fuzz_db.h"
#include "util/err.h"

static char dir[] = "/tmp/kam-fuzz-XXXXXX";

/* libFuzzer starts a process per job and per merge: each leaves no database behind */
static void remove_dir(void)
{
	static const char *const files[] = {"kam.db", "kam.db-wal", "kam.db-shm"};
	char path[64];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

struct store *fuzz_demo_store(void)
{
	char url[64], err[256];
	struct store *st = NULL;

	if (mkdtemp(dir) == NULL)
		abort();
	atexit(remove_dir);
	snprintf(url, sizeof(url), "%s/kam.db", dir);
	if (store_open(url, 2, &st, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	if (freopen("/dev/null", "w", stdout) == NULL || cli_demo(st, 1) != KAM_OK)
		abort();
	return st;
}

int64_t fuzz_user(struct store *st, const char *email)
{
	struct store_conn *c = NULL;
	struct store_auth a;
	char *hash = NULL;

	store_acquire(st, &c);
	if (store_user_by_email(c, email, &a, &hash) != KAM_OK || !a.active)
		abort();
	free(hash);
	store_release(st, c);
	return a.user_id;
}
