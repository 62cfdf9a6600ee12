/* kam migrate --from A --to B: move a whole database, e.g. SQLite into PostgreSQL. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "util/err.h"

void cli_redact_url(const char *url, char *buf, size_t len)
{
	const char *scheme = strstr(url, "://"), *at, *colon;

	snprintf(buf, len, "%s", url);
	if (scheme == NULL)
		return;
	at = strchr(scheme + 3, '@');
	colon = strchr(scheme + 3, ':');
	if (at && colon && colon < at)
		snprintf(buf, len, "%.*s:***%s", (int)(colon - url), url, at);
}

static void progress(const char *table, int64_t rows, void *arg)
{
	(void)arg;
	printf("  %-16s %lld rows\n", table, (long long)rows);
}

int cli_copy(const char *from, const char *to)
{
	struct store *a = NULL, *b = NULL;
	char err[512] = "", ra[512], rb[512];
	int rc;

	cli_redact_url(from, ra, sizeof(ra));
	cli_redact_url(to, rb, sizeof(rb));
	if ((rc = store_open(from, 1, &a, err, sizeof(err))) != KAM_OK ||
	    (rc = store_open(to, 1, &b, err, sizeof(err))) != KAM_OK)
		goto out;
	printf("copying %s into %s\n", ra, rb);
	rc = store_copy(a, b, progress, NULL, err, sizeof(err));
	if (rc == KAM_OK)
		printf("done: %s now holds everything %s held\n", rb, ra);
out:
	if (rc != KAM_OK)
		fprintf(stderr, "kam: %s\n", err[0] ? err : "copy failed");
	store_close(a);
	store_close(b);
	return rc;
}
