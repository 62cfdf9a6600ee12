/* kam export: any list as CSV or XLSX, through the same operation and access rules as the API. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/list.h"
#include "cli/cli.h"
#include "store/store.h"

static const char usage_export[] =
    "usage: kam export KIND [--format csv|xlsx] [--out FILE|-] [--where FIELD=VALUE]...\n"
    "                  [--as EMAIL] [--db PATH]\n"
    "  KIND is a list of the API: accounts, contacts, plans, objectives, actions, products,\n"
    "  units, opportunities, contracts, transactions, interactions, cases, risks, surveys,\n"
    "  alerts, users, imports. --where filters like the list's query parameters (tier=key,\n"
    "  q=acme, sort=-score). Money is in major units; formula-like cells are neutralised.\n"
    "  Default --out: KIND.FORMAT in the current directory.\n";

/* Copies the file fd (at its start) to f. */
static int copy_file(int fd, FILE *f)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (fwrite(chunk, 1, (size_t)n, f) != (size_t)n)
			return KAM_EDB;
	return n == 0 ? KAM_OK : KAM_EDB;
}

int cli_export(const char *db, int argc, char **argv, int64_t now)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"out", required_argument, NULL, 'o'},
	    {"where", required_argument, NULL, 'w'},
	    {"as", required_argument, NULL, 'u'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct app_param params[32];
	struct kam_errinfo ei = {0};
	struct app_list l;
	struct actor who;
	struct store *st = NULL;
	struct store_conn *c = NULL;
	const char *format = "csv", *out = NULL, *as = NULL;
	char outname[200], err[512] = "", names[400];
	size_t nparams = 0, len = 0;
	int ch, fd = -1, exitc = 1, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "csv") && strcmp(optarg, "xlsx")) {
				fputs(usage_export, stderr);
				return 2;
			}
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'w': {
			char *eq = strchr(optarg, '=');

			if (eq == NULL || nparams >= sizeof(params) / sizeof(params[0])) {
				fputs(usage_export, stderr);
				return 2;
			}
			*eq = '\0';
			params[nparams++] = (struct app_param){optarg, eq + 1};
			break;
		}
		case 'u':
			as = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(usage_export, stdout);
			return 0;
		default:
			fputs(usage_export, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(usage_export, stderr);
		return 2;
	}
	if (store_open(db, 1, &st, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "kam: %s\n", err[0] ? err : "cannot open the database");
		return 1;
	}
	if (store_acquire(st, &c) != KAM_OK || cli_run_as(c, as, now, &who) != KAM_OK)
		goto out;
	rc = app_list_of(&who, argv[optind], &l, &ei);
	if (rc == KAM_ENOTFOUND) {
		app_list_names(names, sizeof(names));
		fprintf(stderr, "kam: %s is not a list (the lists: %s)\n", argv[optind], names);
		exitc = 2;
		goto out;
	}
	if (rc == KAM_OK)
		rc = app_export(c, &who, &l, params, nparams, !strcmp(format, "xlsx"), NULL, NULL,
		                &fd, &len, &ei);
	if (rc != KAM_OK) {
		cli_print_refusal("export", &ei, c ? store_last_error(c) : "no database");
		goto out;
	}
	/* the database is done with before the file is written out */
	store_release(st, c);
	c = NULL;
	if (out == NULL) {
		snprintf(outname, sizeof(outname), "%s.%s", argv[optind], format);
		out = outname;
	}
	if (!strcmp(out, "-")) {
		exitc = copy_file(fd, stdout) == KAM_OK ? 0 : 1;
	} else {
		FILE *f = fopen(out, "wb");
		int wr = f ? copy_file(fd, f) : KAM_EDB;

		if (f == NULL || wr != KAM_OK || fclose(f) != 0) {
			fprintf(stderr, "kam: cannot write %s\n", out);
			goto out;
		}
		fprintf(stderr, "kam: wrote %s (%zu bytes)\n", out, len);
		exitc = 0;
	}
out:
	err_clear(&ei);
	if (fd >= 0)
		close(fd);
	if (c)
		store_release(st, c);
	store_close(st);
	return exitc;
}
