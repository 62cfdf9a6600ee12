/* kam import: CSV files from CRMs, ERPs and spreadsheets, through the API's import engine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/import.h"
#include "app/users.h"
#include "cli/cli.h"
#include "kam/importfmt.h"
#include "store/bulk.h"
#include "util/buf.h"
#include "util/time.h"

static const char usage_import[] =
    "usage: kam import KIND FILE [--map salesforce|hubspot|MAPPING.json|NAME] [--dry-run]\n"
    "                  [--atomic] [--date-format FMT] [--email-domain DOMAIN] [--as EMAIL]\n"
    "                  [--json] [--db PATH]\n"
    "  KIND is accounts, users, contacts, products, units, fx-rates, transactions,\n"
    "  opportunities, interactions, cases, surveys, contracts or targets. Rows with an\n"
    "  external id already stored update that record; importing the same file twice\n"
    "  changes nothing.\n"
    "  --map          the column names of a Salesforce or HubSpot export, a mapping saved\n"
    "                 by name in the web app's import, or a mapping file\n"
    "                 {\"columns\": {\"Header\": \"field\"}, \"values\": {\"field\": {\"from\": "
    "\"to\"}},\n"
    "                  \"defaults\": {\"field\": value}, \"date_format\": \"D/M/YYYY\"}\n"
    "  --dry-run      report what would be created, updated and rejected; write nothing\n"
    "  --atomic       all rows or none: one rejected row rejects the file\n"
    "  --date-format  M/D/YYYY, D/M/YYYY, DD-MM-YY or iso when the values do not decide it\n"
    "  --email-domain users without an e-mail get first.last@DOMAIN (users only); each new\n"
    "                 user signs in through the invitation link printed for them\n"
    "                 (KAM_PUBLIC_URL, e.g. https://kam.example.com, is put before it)\n"
    "  --as EMAIL     the user the import runs as (default: the first admin)\n"
    "exit status: 0 all rows imported, 3 some rows rejected, 1 the file was refused\n";

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[65536];
	size_t got;

	if (f == NULL)
		return KAM_ENOTFOUND;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf_put(&b, chunk, got) == KAM_OK)
		;
	fclose(f);
	/* like an HTTP body, the content is NUL-terminated */
	return (*buf = buf_take(&b, len)) == NULL ? KAM_ENOMEM : KAM_OK;
}

static void progress(int64_t done, int64_t total, void *arg)
{
	int width = 40, fill = total ? (int)(done * width / total) : width;
	int64_t started = *(int64_t *)arg, secs = time_now() - started;

	fprintf(stderr, "\r[%.*s%*s] %3d%% %lld/%lld rows %llds", fill,
	        "########################################", width - fill, "",
	        total ? (int)(done * 100 / total) : 100, (long long)done, (long long)total,
	        (long long)secs);
	if (done == total)
		fputc('\n', stderr);
}

static void print_result(const json_t *r)
{
	json_t *errors = json_object_get(r, "errors"), *e,
	       *ign = json_object_get(r, "ignored_columns");
	size_t i;

	printf("%s: %lld rows: %lld created, %lld updated, %lld unchanged, %lld rejected%s\n",
	       json_string_value(json_object_get(r, "kind")),
	       (long long)json_integer_value(json_object_get(r, "rows_total")),
	       (long long)json_integer_value(json_object_get(r, "created")),
	       (long long)json_integer_value(json_object_get(r, "updated")),
	       (long long)json_integer_value(json_object_get(r, "unchanged")),
	       (long long)json_integer_value(json_object_get(r, "rejected")),
	       !strcmp(json_string_value(json_object_get(r, "status")), "dry_run")
	           ? " (dry run: nothing was written)"
	       : !strcmp(json_string_value(json_object_get(r, "status")), "failed")
	           ? " (atomic: nothing was written)"
	           : "");
	json_array_foreach(errors, i, e)
	{
		const char *col = json_string_value(json_object_get(e, "column"));

		if (i == 50) {
			printf("  … and %zu more (kam import --json lists them all)\n",
			       json_array_size(errors) - 50);
			break;
		}
		printf("  line %lld%s%s: %s\n",
		       (long long)json_integer_value(json_object_get(e, "line")),
		       col && *col ? ", column " : "", col ? col : "",
		       json_string_value(json_object_get(e, "message")));
	}
	if (json_array_size(ign)) {
		char *s = buf_json(ign, JSON_COMPACT);

		printf("  columns not imported: %s\n", s);
		free(s);
	}
}

/* The users this run created (no password, not pending before it) each get an invitation
 * link, printed here once: kam keeps only its hash. */
static void print_invitations(struct store_conn *c, const struct actor *who, json_t *before,
                              bool quiet)
{
	const char *base = getenv("KAM_PUBLIC_URL");
	json_t *after = NULL, *u, *b;
	size_t i, j, n = 0;

	if (app_users_pending(c, &after) != KAM_OK)
		return;
	json_array_foreach(after, i, u)
	{
		json_int_t id = json_integer_value(json_object_get(u, "id"));
		struct kam_errinfo ei = {0};
		char token[INVITE_TOKEN_LEN];
		int64_t expires;
		bool old = false;

		json_array_foreach(before, j, b) old |=
		    json_integer_value(json_object_get(b, "id")) == id;
		if (old || app_invitation_create(c, who, id, token, &expires, &ei) != KAM_OK) {
			err_clear(&ei);
			continue;
		}
		if (n++ == 0 && !quiet)
			printf("invitation links (each works once, for %d days; the user sets a "
			       "password there):\n",
			       INVITE_DAYS);
		if (quiet) /* --json keeps standard output for the JSON */
			fprintf(stderr, "invite %s: %s/#/invite/%s\n",
			        json_string_value(json_object_get(u, "email")), base ? base : "",
			        token);
		else
			printf("  %s <%s>: %s/#/invite/%s\n",
			       json_string_value(json_object_get(u, "name")),
			       json_string_value(json_object_get(u, "email")), base ? base : "",
			       token);
	}
	json_decref(after);
}

int cli_import(const char *db, int argc, char **argv, int64_t now)
{
	static const struct option longopts[] = {
	    {"map", required_argument, NULL, 'm'}, {"dry-run", no_argument, NULL, 'n'},
	    {"atomic", no_argument, NULL, 'a'},    {"date-format", required_argument, NULL, 'D'},
	    {"as", required_argument, NULL, 'u'},  {"email-domain", required_argument, NULL, 'E'},
	    {"json", no_argument, NULL, 'j'},      {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
	};
	/* big batches: fewer commits, each a sync to disk; a server waits at most a few seconds
	 * (a first load, as large as what is stored, goes in as one: see app_import_run) */
	struct app_import_opts o = {.datefmt = IMP_DATE_AUTO, .batch = 100000, .bulk = true};
	struct kam_errinfo ei = {0};
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct actor who = {0};
	const char *map = NULL, *as = NULL;
	char *buf = NULL;
	size_t len = 0;
	json_t *result = NULL, *pending = NULL, *saved = NULL;
	int64_t started = time_now();
	int ch, rc, json_out = 0, exitc = 1;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			map = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'a':
			o.atomic = true;
			break;
		case 'D':
			if ((o.datefmt = imp_datefmt_parse(optarg)) < 0) {
				fprintf(
				    stderr,
				    "kam: --date-format is M/D/YYYY, D/M/YYYY, DD-MM-YY or iso\n");
				return 2;
			}
			break;
		case 'u':
			as = optarg;
			break;
		case 'E':
			if (strchr(optarg, '@') || !strchr(optarg, '.') || strlen(optarg) > 200) {
				fputs("kam: --email-domain is a domain such as example.com\n",
				      stderr);
				return 2;
			}
			o.email_domain = optarg;
			break;
		case 'j':
			json_out = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(usage_import, stdout);
			return 0;
		default:
			fputs(usage_import, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_import, stderr);
		return 2;
	}
	o.kind = argv[optind];
	if (map && strstr(map, ".json")) {
		json_error_t jerr;

		if ((o.custom = json_load_file(map, JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
		    !json_is_object(o.custom)) {
			fprintf(stderr, "kam: %s: %s (line %d)\n", map,
			        o.custom ? "a mapping file is a JSON object" : jerr.text,
			        jerr.line);
			goto out;
		}
		o.mapping = json_string_value(json_object_get(o.custom, "base"));
	} else {
		o.mapping = map;
	}
	if (read_file(argv[optind + 1], &buf, &len) != KAM_OK) {
		fprintf(stderr, "kam: cannot read %s\n", argv[optind + 1]);
		goto out;
	}
	if (isatty(STDERR_FILENO) && !json_out) {
		o.progress = progress;
		o.progress_arg = &started;
	}
	{
		char err[512] = "";

		if (store_open(db, 1, &st, err, sizeof(err)) != KAM_OK) {
			fprintf(stderr, "kam: %s\n", err[0] ? err : "cannot open the database");
			goto out;
		}
	}
	if ((rc = store_acquire(st, &c)) != KAM_OK)
		goto out;
	/* a big page cache for this one connection: large files write many index pages */
	if ((rc = store_bulk_setup(c)) != KAM_OK)
		goto out;
	if ((rc = cli_run_as(c, as, now, &who)) != KAM_OK)
		goto out;
	if ((rc = app_import_use_saved(c, &o, &saved, &ei)) != KAM_OK) {
		json_t *e = json_array_get(ei.errors, 0);

		fprintf(stderr, "kam: --map %s\n",
		        e ? json_string_value(json_object_get(e, "message")) : "cannot be read");
		goto out;
	}
	if (!strcmp(o.kind, "users") && (rc = app_users_pending(c, &pending)) != KAM_OK)
		goto out;
	rc = app_import_run(c, &who, &o, buf, len, &result, &ei);
	if (rc == KAM_EINVAL || rc == KAM_EFORBIDDEN) {
		cli_print_refusal(argv[optind + 1], &ei, "not imported");
		goto out;
	}
	if (rc != KAM_OK) {
		fprintf(stderr, "kam: import failed: %s\n", store_last_error(c));
		goto out;
	}
	if (json_out) {
		char *s = buf_json(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		printf("%s\n", s);
		free(s);
	} else {
		print_result(result);
	}
	if (pending && !o.dry_run)
		print_invitations(c, &who, pending, json_out);
	exitc = json_integer_value(json_object_get(result, "rejected")) ? 3 : 0;
out:
	if (c)
		store_release(st, c);
	store_close(st);
	err_clear(&ei);
	json_decref(result);
	json_decref(pending);
	if (o.custom != saved)
		json_decref(o.custom);
	json_decref(saved);
	free(buf);
	return exitc;
}
