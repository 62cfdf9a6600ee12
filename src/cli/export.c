/* kam export: any list as CSV or XLSX, through the same handler and access rules as the API. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/api.h"
#include "cli/cli.h"
#include "store/store.h"

static const char usage_export[] =
    "usage: kam export KIND [--format csv|xlsx] [--out FILE|-] [--where FIELD=VALUE]...\n"
    "                  [--as EMAIL] [--db PATH]\n"
    "  KIND is a list of the API: accounts, contacts, plans, objectives, actions, products,\n"
    "  units, opportunities, transactions, interactions, cases, risks, surveys, alerts,\n"
    "  users, imports. --where filters like the list's query parameters (tier=key, q=acme,\n"
    "  sort=-score). Money is in major units; formula-like cells are neutralised.\n"
    "  Default --out: KIND.FORMAT in the current directory.\n";

/* Writes the reply's body to f: from its file a chunk at a time (an export), else from memory. */
static int copy_body(const struct resp *rs, FILE *f)
{
	char chunk[65536];
	ssize_t n;

	if (!rs->has_fd)
		return fwrite(rs->body, 1, rs->len, f) == rs->len ? KAM_OK : KAM_EDB;
	while ((n = read(rs->fd, chunk, sizeof(chunk))) > 0)
		if (fwrite(chunk, 1, (size_t)n, f) != (size_t)n)
			return KAM_EDB;
	return n == 0 ? KAM_OK : KAM_EDB;
}

int cli_export(const char *db, int argc, char **argv)
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
	struct req rq = {.method = "GET", .authed = true};
	struct resp rs = {.fd = -1};
	struct store *st = NULL;
	struct store_conn *c = NULL;
	const char *format = "csv", *out = NULL, *as = NULL;
	char path[160], outname[200], err[512] = "";
	const struct http_route *route = NULL;
	int ch, exitc = 1;

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

			if (eq == NULL || rq.nquery >= HTTP_MAX_QUERY - 1) {
				fputs(usage_export, stderr);
				return 2;
			}
			*eq = '\0';
			rq.query[rq.nquery++] = (struct http_kv){optarg, eq + 1};
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
	snprintf(path, sizeof(path), "/api/v1/%s", argv[optind]);
	for (size_t i = 0; i < api_nroutes; i++)
		if (!strcmp(api_routes[i].method, "GET") && !strcmp(api_routes[i].pattern, path))
			route = &api_routes[i];
	if (route == NULL || strchr(argv[optind], '/')) {
		fprintf(stderr, "kam: %s is not a list (kam export --help names them)\n",
		        argv[optind]);
		return 2;
	}
	rq.path = path;
	rq.route_arg = route->arg;
	rq.query[rq.nquery++] = (struct http_kv){"format", format};
	if (store_open(db, 1, &st, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "kam: %s\n", err[0] ? err : "cannot open the database");
		return 1;
	}
	if (store_acquire(st, &c) != KAM_OK || cli_run_as(c, as, &rq.user.who) != KAM_OK)
		goto out;
	rq.db = c;
	rq.store = st;
	route->fn(&rq, &rs);
	if (rs.status != 200) {
		fprintf(stderr, "kam: export refused (%d): %.*s\n", rs.status, (int)rs.len,
		        rs.body ? rs.body : "");
		goto out;
	}
	if (out == NULL) {
		snprintf(outname, sizeof(outname), "%s.%s", argv[optind], format);
		out = outname;
	}
	if (!strcmp(out, "-")) {
		exitc = copy_body(&rs, stdout) == KAM_OK ? 0 : 1;
	} else {
		FILE *f = fopen(out, "wb");
		int wr = f ? copy_body(&rs, f) : KAM_EDB;

		if (f == NULL || wr != KAM_OK || fclose(f) != 0) {
			fprintf(stderr, "kam: cannot write %s\n", out);
			goto out;
		}
		fprintf(stderr, "kam: wrote %s (%zu bytes)\n", out, rs.len);
		exitc = 0;
	}
out:
	http_resp_drop_file(&rs);
	free(rs.body);
	if (c)
		store_release(st, c);
	store_close(st);
	return exitc;
}
