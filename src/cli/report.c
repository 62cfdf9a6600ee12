/* kam report plan: the account plan document written to a file; kam backup and kam restore. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/access.h"
#include "app/document.h"
#include "app/scores.h"
#include "cli/cli.h"
#include "store/backup.h"
#include "store/document.h"
#include "util/err.h"
#include "util/time.h"

/* Writes len bytes to path ("-": standard output). */
static int write_file(const char *path, const char *buf, size_t len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	int rc = KAM_OK;
	char why[128];

	if (f == NULL) {
		fprintf(stderr, "kam: cannot write %s: %s\n", path,
		        err_strerror(errno, why, sizeof(why)));
		return KAM_EDB;
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f) != 0) {
		fprintf(stderr, "kam: cannot write %s: %s\n", path,
		        err_strerror(errno, why, sizeof(why)));
		rc = KAM_EDB;
	}
	if (f != stdout && fclose(f) != 0 && rc == KAM_OK) {
		fprintf(stderr, "kam: cannot write %s: %s\n", path,
		        err_strerror(errno, why, sizeof(why)));
		rc = KAM_EDB;
	}
	return rc;
}

int cli_report_plan(struct store *st, const char *account, const char *format, const char *out,
                    const char *as, int64_t now)
{
	struct store_conn *c = NULL;
	struct actor who;
	struct app_document d = {0};
	int64_t account_id = 0, plan_id = 0;
	char today[DATE_LEN], err[200] = "";
	int rc;

	if ((rc = store_acquire(st, &c)) != KAM_OK)
		goto fail;
	if ((rc = cli_run_as(c, as, now, &who)) != KAM_OK ||
	    (rc = app_today_text(c, &who, today)) != KAM_OK)
		goto out;
	rc = store_account_resolve(c, account, &account_id);
	if (rc == KAM_OK)
		rc = app_account_visible(c, &who, account_id, NULL, NULL);
	if (rc == KAM_ENOTFOUND || rc == KAM_ECONFLICT) {
		fprintf(stderr, "kam: %s account %s\n",
		        rc == KAM_ENOTFOUND ? "no such" : "several accounts are called", account);
		goto out;
	}
	if (rc != KAM_OK)
		goto fail;
	rc = store_plan_pick(c, account_id, today, &plan_id);
	if (rc == KAM_ENOTFOUND) {
		fprintf(stderr, "kam: account %s has no plan yet\n", account);
		goto out;
	}
	if (rc != KAM_OK)
		goto fail;
	rc = app_plan_document(c, &who, plan_id, now, format, &d, err, sizeof(err));
	if (rc == KAM_EINVAL) {
		fprintf(stderr, "kam: %s\n", err);
		goto out;
	}
	if (rc != KAM_OK)
		goto fail;
	if (out == NULL)
		out = d.filename;
	if ((rc = write_file(out, d.buf, d.len)) == KAM_OK && strcmp(out, "-") != 0)
		printf("wrote %s (%zu bytes): the plan of %s\n", out, d.len, account);
	goto out;
fail:
	fprintf(stderr, "kam: cannot read the plan: %s\n",
	        c ? store_last_error(c) : "no connection");
out:
	if (c)
		store_release(st, c);
	free(d.buf);
	return rc;
}

int cli_backup(const char *db, const char *file)
{
	char err[512] = "";
	int rc = store_backup(db, file, err, sizeof(err));

	if (rc != KAM_OK) {
		fprintf(stderr, "kam: backup failed: %s\n", err);
		return rc;
	}
	printf("backed up %s to %s\n", db, file);
	return KAM_OK;
}

int cli_restore(const char *file, const char *db)
{
	struct store *st = NULL;
	char err[512] = "";
	int version = 0, rc = store_restore(file, db, &version, err, sizeof(err));

	if (rc != KAM_OK) {
		fprintf(stderr, "kam: restore failed: %s\n", err);
		return rc;
	}
	/* a backup of an older kam: bring it up to this one's schema */
	if ((rc = store_open(db, 1, &st, err, sizeof(err))) != KAM_OK) {
		fprintf(stderr, "kam: restored, but the database does not open: %s\n", err);
		return rc;
	}
	store_close(st);
	printf("restored %s into %s (schema version %d when backed up)\n", file, db, version);
	return KAM_OK;
}
