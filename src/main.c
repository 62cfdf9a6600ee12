/* kam: the command line. Parses options and calls into src/cli, src/store and src/http. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "api/api.h"
#include "api/cache.h"
#include "app/importq.h"
#include "app/jobs.h"
#include "app/mail.h"
#include "app/webhook.h"
#include "api/rollups.h"
#include "cli/cli.h"
#include "http/assets.h"
#include "http/authcache.h"
#include "http/http.h"
#include "util/embed.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/time.h"
#include "util/buf.h"

extern const struct embed_file static_files[];

#ifndef KAM_VERSION
#define KAM_VERSION "dev"
#endif

#define EXIT_USAGE 2

static const char usage_serve[] =
	"usage: kam serve [--listen HOST:PORT] [--db PATH] [--threads N] [--max-connections N]\n"
	"                 [--connections-per-address N] [--head-timeout SECONDS]\n"
	"                 [--trusted-proxy ADDR[,ADDR...]] [--metrics-listen HOST:PORT]\n"
	"  --listen   address to listen on (KAM_LISTEN; default 127.0.0.1:8080; port 0 picks one)\n"
	"  --db       database (KAM_DB; default kam.db)\n"
	"  --threads  worker threads (default: the number of cores; on PostgreSQL four times\n"
	"             that, at most 16)\n"
	"  --max-connections          open connections in all (default 1024)\n"
	"  --connections-per-address  open connections from one client address (default 128;\n"
	"                             behind a reverse proxy, at least the proxy's pool)\n"
	"  --head-timeout             seconds a client has to send a whole request head\n"
	"                             (default 15)\n"
	"  --trusted-proxy            reverse proxies (IP addresses) whose X-Forwarded-For\n"
	"                             gives the client's address (KAM_TRUSTED_PROXY)\n"
	"  --metrics-listen           also serve GET /metrics, without authentication, on this\n"
	"                             address (KAM_METRICS_LISTEN); on the main address\n"
	"                             /metrics is for admins' sessions and tokens\n";
static const char usage_init[] =
	"usage: kam init [--currency CODE] [--db PATH]\n"
	"  creates the database if needed and applies every migration; --currency sets the\n"
	"  base currency (default EUR) while no money is stored\n";
static const char usage_migrate[] =
	"usage: kam migrate [--db PATH]\n"
	"       kam migrate --from kam.db --to postgresql://USER@HOST:PORT/DB\n"
	"  applies pending migrations and prints the schema version; with --from and --to,\n"
	"  copies a whole database into an empty one (both are migrated first)\n";
static const char usage_demo[] =
	"usage: kam demo [--db PATH] [--seed N]\n"
	"       kam demo --accounts N --contacts N --transactions N [--seed N] [--db PATH]\n"
	"  loads a deterministic demo data set into an empty database: the small one tells\n"
	"  stories for every screen; the large one (up to 10,000 accounts, 100,000 contacts,\n"
	"  10,000,000 transactions) is for benchmarks\n";
static const char usage_user[] =
	"usage: kam user add --email E --name N --role ROLE [--password-stdin] [--db PATH]\n"
	"  ROLE is admin, director, kam, member or viewer; without --password-stdin a\n"
	"  password is generated and printed once\n";
static const char usage_kpi[] =
    "usage: kam kpi [--scope portfolio|account|kam|group] [--id N] [--from YYYY-MM-DD]\n"
    "               [--to YYYY-MM-DD] [--format table|json|csv] [--as EMAIL] [--db PATH]\n"
    "  the KPIs of the period [from, to) beside the previous period of the same length;\n"
    "  default: the last twelve whole months. --as: only what that user may see, as the\n"
    "  API answers them (a kam: their accounts); --scope group --id N: account N and all\n"
    "  its descendants, net of intra-group revenue (docs/groups.md)\n";
static const char usage_token[] =
	"usage: kam token create --email E --name LABEL [--db PATH]\n"
	"  prints a new bearer token for the user once; only its hash is stored\n";

static const char usage_report[] =
	"usage: kam report plan ACCOUNT [--format pdf|html] [--out FILE] [--as EMAIL] [--db PATH]\n"
	"  ACCOUNT is an account id or its exact name; the document shows its active plan,\n"
	"  else the latest: situation, objectives, actions, stakeholders, risks, KPIs and\n"
	"  revenue by month on one A4 page. --out - writes to standard output; default: a file\n"
	"  named after the account and plan in the current directory. --as: the user whose\n"
	"  access applies (default: the first admin)\n";
static const char usage_backup[] =
	"usage: kam backup FILE [--db PATH]\n"
	"  writes a consistent copy of the SQLite database to FILE (replaced if it exists),\n"
	"  also while servers run and write; for PostgreSQL use pg_dump\n";
static const char usage_restore[] =
	"usage: kam restore FILE [--db PATH]\n"
	"  replaces the SQLite database with the backup FILE (made by kam backup), then\n"
	"  applies pending migrations; best with the servers stopped. For PostgreSQL use\n"
	"  pg_restore\n";

struct opts {
	const char *db;
	const char *listen;
	const char *email, *name, *role;
	const char *from, *to;
	const char *scope, *id, *format, *out;
	bool want_arg;   /* the command takes one positional argument */
	const char *arg; /* that argument */
	int threads;
	struct http_limits limits;
	const char *trusted_proxies;
	const char *metrics_listen; /* kam serve --metrics-listen */
	const char *as; /* --as EMAIL: the user a command acts as */
	const char *currency; /* kam init --currency */
	struct kam_clock clock; /* kam's "now": KAM_NOW, else the wall clock */
	unsigned long long seed;
	int password_stdin;
	long accounts, contacts, transactions;
};

static int usage(const char *text, int code)
{
	fputs(text, code == 0 ? stdout : stderr);
	return code;
}

/* Parses the options of one subcommand; returns -1 on success, else an exit code. */
static int parse(int argc, char **argv, const char *text, struct opts *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},	 {"listen", required_argument, NULL, 'l'},
		{"email", required_argument, NULL, 'e'}, {"name", required_argument, NULL, 'n'},
		{"role", required_argument, NULL, 'r'},	 {"threads", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 's'},	 {"password-stdin", no_argument, NULL, 'p'},
		{"from", required_argument, NULL, 'F'},	 {"to", required_argument, NULL, 'T'},
		{"scope", required_argument, NULL, 'S'}, {"id", required_argument, NULL, 'I'},
		{"format", required_argument, NULL, 'f'}, {"out", required_argument, NULL, 'o'},
		{"accounts", required_argument, NULL, 'A'},
		{"contacts", required_argument, NULL, 'C'},
		{"transactions", required_argument, NULL, 'X'},
		{"max-connections", required_argument, NULL, 'M'},
		{"connections-per-address", required_argument, NULL, 'P'},
		{"head-timeout", required_argument, NULL, 'H'},
		{"trusted-proxy", required_argument, NULL, 'Y'},
		{"metrics-listen", required_argument, NULL, 'm'},
		{"as", required_argument, NULL, 'U'},
		{"currency", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	int ch;
	char *end;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'e':
			o->email = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'r':
			o->role = optarg;
			break;
		case 't':
			o->threads = (int)strtol(optarg, &end, 10);
			if (*end || o->threads < 1 || o->threads > 256)
				return usage(text, EXIT_USAGE);
			break;
		case 's':
			o->seed = strtoull(optarg, &end, 10);
			if (*end || optarg[0] == '\0')
				return usage(text, EXIT_USAGE);
			break;
		case 'p':
			o->password_stdin = 1;
			break;
		case 'F':
			o->from = optarg;
			break;
		case 'T':
			o->to = optarg;
			break;
		case 'S':
			o->scope = optarg;
			break;
		case 'A':
		case 'C':
		case 'X': {
			long v = strtol(optarg, &end, 10);

			if (*end || v < (ch == 'A' ? 1 : 0) || v > 100000000)
				return usage(text, EXIT_USAGE);
			*(ch == 'A' ? &o->accounts : ch == 'C' ? &o->contacts : &o->transactions) = v;
			break;
		}
		case 'M':
		case 'P':
		case 'H': {
			long v = strtol(optarg, &end, 10);

			if (*end || optarg[0] == '\0' || v < 1 || v > (ch == 'H' ? 3600 : 100000))
				return usage(text, EXIT_USAGE);
			*(ch == 'M'   ? &o->limits.max_connections
			  : ch == 'P' ? &o->limits.per_address
				      : &o->limits.head_timeout_s) = (unsigned)v;
			break;
		}
		case 'U':
			o->as = optarg;
			break;
		case 'K':
			o->currency = optarg;
			break;
		case 'Y':
			o->trusted_proxies = optarg;
			break;
		case 'm':
			o->metrics_listen = optarg;
			break;
		case 'I':
			o->id = optarg;
			break;
		case 'f':
			o->format = optarg; /* each command checks its own formats */
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'h':
			return usage(text, 0);
		default:
			fprintf(stderr, "kam: unknown or incomplete option %s\n", argv[optind - 1]);
			return usage(text, EXIT_USAGE);
		}
	}
	if (o->want_arg && optind == argc - 1 && argv[optind][0])
		o->arg = argv[optind++];
	if (o->want_arg && o->arg == NULL) {
		fprintf(stderr, "kam: missing argument\n");
		return usage(text, EXIT_USAGE);
	}
	if (optind != argc) {
		fprintf(stderr, "kam: unexpected argument %s\n", argv[optind]);
		return usage(text, EXIT_USAGE);
	}
	return -1;
}

static int open_store(const struct opts *o, int nconns, struct store **st)
{
	char err[512] = "";

	if (store_open(o->db, nconns, st, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "kam: %s\n", err[0] ? err : "cannot open the database");
		return 1;
	}
	return 0;
}

/* The metrics listen address: GET /metrics alone, without authentication, one thread. */
static int start_metrics(const struct opts *o, struct http_app *mapp, struct api_server *server,
                         struct http_server **out)
{
	const char *listen = o->metrics_listen ? o->metrics_listen : getenv("KAM_METRICS_LISTEN");
	char err[256] = "";

	*out = NULL;
	if (listen == NULL || listen[0] == '\0')
		return KAM_OK;
	mapp->routes = api_metrics_routes;
	mapp->nroutes = api_metrics_nroutes;
	mapp->clock = o->clock;
	mapp->data = server;
	if (http_server_start(mapp, listen, 1, out, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "kam: metrics: %s\n", err);
		return KAM_EINVAL;
	}
	printf("kam metrics on http://%.*s:%d/metrics\n", (int)(strrchr(listen, ':') - listen),
	       listen, http_server_port(*out));
	fflush(stdout);
	log_msg("info", "metrics listening on %s port %d", listen, http_server_port(*out));
	return KAM_OK;
}

static int cmd_serve(const struct opts *o)
{
	struct http_app app = {.routes = api_routes,
	                       .nroutes = api_nroutes,
	                       .clock = o->clock,
	                       .limits = o->limits,
	                       .trusted_proxies = o->trusted_proxies ? o->trusted_proxies
	                                                             : getenv("KAM_TRUSTED_PROXY")};
	struct http_app mapp = {.routes = NULL};
	struct api_server server = {.cache = NULL};
	struct http_server *srv = NULL, *msrv = NULL;
	struct jobs *jobs = NULL;
	struct app_webhooks *hooks = NULL;
	struct api_rollups_warm *warm = NULL;
	struct timespec started;
	char err[256] = "", shown[512];
	sigset_t set;
	int sig = 0, n = o->threads;

	clock_gettime(CLOCK_REALTIME, &started);
	mem_limit_heap(); /* before the threads start (util/mem.h) */
	if (n <= 0) {
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
		if (n <= 0)
			n = 2;
		/* on PostgreSQL a request waits for its round trips: more threads than cores keep
		 * the cores busy meanwhile (docs/performance.md); the cap keeps the pool (threads
		 * + 3 connections a node) within PostgreSQL's default 100 connections for a few
		 * nodes */
		if (store_is_pg_url(o->db))
			n = n * 4 > 16 ? 16 : n * 4;
	}
	/* block the stop signals before threads start, so only sigwait below sees them */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* one connection per worker thread, one for the background jobs, one for imports */
	/* the OpenAPI document is built once: a handler building it raced other threads */
	server.openapi = api_openapi_json(&server.openapi_len);
	if (server.openapi == NULL) {
		fprintf(stderr, "kam: cannot build the OpenAPI description\n");
		return 1;
	}
	{
		struct mail_config mc;
		char merr[256] = "";

		if (app_mail_config(&mc, merr, sizeof(merr)) != KAM_OK) {
			fprintf(stderr, "kam: %s\n", merr);
			free(server.openapi);
			return 1;
		}
		log_msg("info", "mail %s", mc.on ? "on: the outbox sends through KAM_SMTP_URL"
		                                 : "off (no KAM_SMTP_URL): nothing is mailed");
	}
	if (open_store(o, n + 3, &app.store)) { /* + webhook deliveries */
		free(server.openapi);
		return 1;
	}
	server.cache = api_cache_new(64, 0, "answer");
	/* a record is a kilobyte or two: 4 MiB keep the ones a team reads over and over */
	server.records = api_cache_new(2048, 4 << 20, "record");
	server.imports = app_importq_new(app.store, &o->clock);
	server.rollups = api_rollups_new();
	server.store = app.store;
	server.version = KAM_VERSION;
	server.started = (double)started.tv_sec + (double)started.tv_nsec / 1e9;
	/* the registry lives with the server: counters of one process, no global state */
	server.requests = app.metrics = http_metrics_new(api_routes, api_nroutes);
	server.auth = app.auth = http_auth_cache_new();
	app.data = &server;
	app.assets = http_assets_new(static_files);
	if (http_server_start(&app, o->listen, n, &srv, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "kam: %s\n", err);
		app_importq_free(server.imports);
		api_rollups_free(server.rollups);
		api_cache_free(server.cache);
		api_cache_free(server.records);
		http_metrics_free(app.metrics);
		http_auth_cache_free(app.auth);
		http_assets_free(app.assets);
		free(server.openapi);
		store_close(app.store);
		return 1;
	}
	{
		char host[128];
		const char *colon = strrchr(o->listen, ':');

		snprintf(host, sizeof(host), "%.*s", (int)(colon - o->listen), o->listen);
		cli_redact_url(o->db, shown, sizeof(shown));
		printf("kam %s serving on http://%s:%d/ (database %s, %d threads)\n", KAM_VERSION,
		       host[0] ? host : "0.0.0.0", http_server_port(srv), shown, n);
		fflush(stdout);
	}
	log_msg("info", "listening on %s port %d", o->listen, http_server_port(srv));
	if (log_buffer_start() != 0)
		log_msg("warn", "access log lines are written one at a time (no memory for a buffer)");
	if (start_metrics(o, &mapp, &server, &msrv) != KAM_OK) {
		sig = -1;
		goto stop;
	}
	if (jobs_start(app.store, &o->clock, &jobs) != KAM_OK)
		log_msg("warn", "background jobs did not start");
	if (app_webhooks_start(app.store, &hooks) != KAM_OK)
		log_msg("warn", "webhook deliveries did not start");
	/* the revenue rollup loaded now rather than by the first KPI question, which waits for
	 * this load if it comes during it; KAM_KPI_WARM=off leaves it to that question
	 * (docs/performance.md, "The rollup loaded at start-up") */
	if ((getenv("KAM_KPI_WARM") == NULL || strcmp(getenv("KAM_KPI_WARM"), "off") != 0) &&
	    api_rollups_warm_start(server.rollups, app.store, &warm) != KAM_OK)
		log_msg("warn",
		        "the KPI rollup is not loaded at start-up: the first question loads it");
	/* handlers read it from now on; stored atomically, so a scrape sees NULL or the jobs */
	__atomic_store_n(&server.jobs, jobs, __ATOMIC_RELEASE);
	sigwait(&set, &sig);
	log_msg("info", "signal %d: draining requests in flight", sig);
stop:
	http_server_stop(msrv, 1000);
	http_server_stop(srv, 10000);
	api_rollups_warm_stop(warm); /* waits for the load, if it still runs */
	jobs_stop(jobs);
	app_webhooks_stop(hooks);
	app_importq_free(server.imports); /* finishes the file in progress */
	api_rollups_free(server.rollups);
	api_cache_free(server.cache);
	api_cache_free(server.records);
	http_metrics_free(app.metrics);
	http_auth_cache_free(app.auth);
	http_assets_free(app.assets);
	free(server.openapi);
	store_close(app.store);
	log_buffer_stop();
	log_msg("info", "stopped");
	return sig < 0 ? 1 : 0;
}

static int read_password(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL) {
		fprintf(stderr, "kam: --password-stdin given but nothing on standard input\n");
		return -1;
	}
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

static int run_serve(int argc, char **argv, struct opts *o)
{
	int rc;

	if ((rc = parse(argc, argv, usage_serve, o)) >= 0)
		return rc;
	return cmd_serve(o);
}

/* kam init and kam migrate: the same work, but only migrate copies between databases. */
static int run_schema(int argc, char **argv, struct opts *o, bool init)
{
	struct store *st = NULL;
	struct store_conn *c;
	char shown[512];
	int rc, version = 0;

	if ((rc = parse(argc, argv, init ? usage_init : usage_migrate, o)) >= 0)
		return rc;
	if (o->from || o->to) {
		if (!o->from || !o->to || init)
			return usage(usage_migrate, EXIT_USAGE);
		return cli_copy(o->from, o->to) == KAM_OK ? 0 : 1;
	}
	if (open_store(o, 1, &st))
		return 1;
	store_acquire(st, &c);
	store_schema_version(c, &version);
	store_release(st, c);
	cli_redact_url(o->db, shown, sizeof(shown));
	printf("database %s is at schema version %d\n", shown, version);
	store_close(st);
	return 0;
}

static int run_init(int argc, char **argv, struct opts *o)
{
	struct actor operator = {.role = ROLE_ADMIN, .now = clock_now(&o->clock)};
	struct store *st = NULL;
	struct store_conn *c = NULL;
	json_t *doc = NULL;
	int rc = run_schema(argc, argv, o, true);

	if (rc != 0 || o->currency == NULL)
		return rc;
	if (open_store(o, 1, &st))
		return 1;
	rc = store_acquire(st, &c) == KAM_OK &&
	             cli_settings_set(c, &operator, "base_currency", o->currency, &doc) == KAM_OK
	         ? 0
	         : 1;
	if (rc == 0)
		printf("base currency %s\n", o->currency);
	json_decref(doc);
	if (c)
		store_release(st, c);
	store_close(st);
	return rc;
}

static int run_settings(int argc, char **argv, struct opts *o)
{
	return cli_settings(o->db, argc, argv, clock_now(&o->clock));
}

static int run_migrate(int argc, char **argv, struct opts *o)
{
	return run_schema(argc, argv, o, false);
}

static int run_demo(int argc, char **argv, struct opts *o)
{
	struct store *st = NULL;
	int rc;

	if ((rc = parse(argc, argv, usage_demo, o)) >= 0)
		return rc;
	if (open_store(o, 1, &st))
		return 1;
	if (o->accounts > 0)
		rc = cli_demo_large(st, o->seed, o->accounts, o->contacts, o->transactions);
	else if (o->contacts || o->transactions)
		rc = (usage(usage_demo, EXIT_USAGE), KAM_EINVAL);
	else
		rc = cli_demo(st, o->seed);
	store_close(st);
	return rc == KAM_OK ? 0 : 1;
}

static int run_user_add(int argc, char **argv, struct opts *o)
{
	struct store *st = NULL;
	char pw[1100];
	int rc;

	if ((rc = parse(argc, argv, usage_user, o)) >= 0)
		return rc;
	if (!o->email || !o->name || !o->role)
		return usage(usage_user, EXIT_USAGE);
	if (o->password_stdin && read_password(pw, sizeof(pw)) != 0)
		return 1;
	if (open_store(o, 1, &st))
		return 1;
	rc = cli_user_add(st, o->email, o->name, o->role, o->password_stdin ? pw : NULL);
	sodium_memzero(pw, sizeof(pw));
	store_close(st);
	return rc == KAM_OK ? 0 : 1;
}

static int run_token_create(int argc, char **argv, struct opts *o)
{
	struct store *st = NULL;
	int rc;

	if ((rc = parse(argc, argv, usage_token, o)) >= 0)
		return rc;
	if (!o->email || !o->name)
		return usage(usage_token, EXIT_USAGE);
	if (open_store(o, 1, &st))
		return 1;
	rc = cli_token_create(st, o->email, o->name);
	store_close(st);
	return rc == KAM_OK ? 0 : 1;
}

static int run_kpi(int argc, char **argv, struct opts *o)
{
	struct store *st = NULL;
	int rc;

	if ((rc = parse(argc, argv, usage_kpi, o)) >= 0)
		return rc;
	if (o->format && strcmp(o->format, "table") && strcmp(o->format, "json") &&
	    strcmp(o->format, "csv"))
		return usage(usage_kpi, EXIT_USAGE);
	if (open_store(o, 1, &st))
		return 1;
	rc = cli_kpi(st, o->scope ? o->scope : "portfolio", o->id, o->from, o->to,
	             o->format ? o->format : "table", o->as, clock_now(&o->clock));
	store_close(st);
	return rc == KAM_OK ? 0 : rc == KAM_EINVAL ? EXIT_USAGE : 1;
}

static int run_import(int argc, char **argv, struct opts *o)
{
	return cli_import(o->db, argc, argv, clock_now(&o->clock));
}

static int run_export(int argc, char **argv, struct opts *o)
{
	return cli_export(o->db, argc, argv, clock_now(&o->clock));
}

static int run_report_plan(int argc, char **argv, struct opts *o)
{
	struct store *st = NULL;
	int rc;

	o->want_arg = true;
	if ((rc = parse(argc, argv, usage_report, o)) >= 0)
		return rc;
	if (o->format && strcmp(o->format, "pdf") && strcmp(o->format, "html"))
		return usage(usage_report, EXIT_USAGE);
	if (open_store(o, 1, &st))
		return 1;
	rc = cli_report_plan(st, o->arg, o->format ? o->format : "pdf", o->out, o->as,
	                     clock_now(&o->clock));
	store_close(st);
	return rc == KAM_OK ? 0 : 1;
}

/* kam backup and kam restore: SQLite files only; PostgreSQL has its own tools. */
static int run_copy(int argc, char **argv, struct opts *o, bool backup)
{
	const char *cmd = backup ? "backup" : "restore";
	int rc;

	o->want_arg = true;
	if ((rc = parse(argc, argv, backup ? usage_backup : usage_restore, o)) >= 0)
		return rc;
	if (store_is_pg_url(o->db)) {
		fprintf(stderr,
		        "kam: %s works on SQLite databases; for PostgreSQL use %s (e.g. %s)\n", cmd,
		        backup ? "pg_dump" : "pg_restore",
		        backup ? "pg_dump --format=custom --file=kam.dump \"$KAM_DB\""
		               : "pg_restore --clean --if-exists --dbname=\"$KAM_DB\" kam.dump");
		return EXIT_USAGE;
	}
	rc = backup ? cli_backup(o->db, o->arg) : cli_restore(o->arg, o->db);
	return rc == KAM_OK ? 0 : 1;
}

static int run_backup(int argc, char **argv, struct opts *o)
{
	return run_copy(argc, argv, o, true);
}

static int run_restore(int argc, char **argv, struct opts *o)
{
	return run_copy(argc, argv, o, false);
}

static int run_openapi(int argc, char **argv, struct opts *o)
{
	json_t *doc = api_openapi_doc();
	char *s = doc ? buf_json(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	(void)argc, (void)argv, (void)o;
	if (s == NULL) {
		fprintf(stderr, "kam: cannot build the OpenAPI description\n");
		json_decref(doc);
		return 1;
	}
	printf("%s\n", s);
	free(s);
	json_decref(doc);
	return 0;
}

static int run_version(int argc, char **argv, struct opts *o)
{
	(void)argc, (void)argv, (void)o;
	printf("kam %s\n", KAM_VERSION);
	return 0;
}

static int run_help(int argc, char **argv, struct opts *o);

static const char usage_mail[] =
    "usage: kam mail test ADDRESS\n"
    "  sends a test message through the server of KAM_SMTP_URL (docs/mail.md) and prints\n"
    "  its answer; exits 1 with the reason when it refuses the message or cannot be reached\n";

/* kam mail test ADDRESS: one message straight through SMTP, no database. */
static int run_mail_test(int argc, char **argv, struct opts *o)
{
	struct mail_config mc;
	char err[256] = "", answer[512] = "";
	char *msg = NULL;
	bool permanent = false;
	int rc;

	(void)o;
	if (argc != 2 || argv[1][0] == '-')
		return usage(usage_mail, argc == 2 && !strcmp(argv[1], "--help") ? 0 : EXIT_USAGE);
	if (app_mail_config(&mc, err, sizeof(err)) != KAM_OK || !mc.on) {
		fprintf(stderr, "kam: %s\n",
		        err[0] ? err : "mail is off: set KAM_SMTP_URL and KAM_MAIL_FROM (docs/mail.md)");
		return 1;
	}
	app_mail_global_init();
	rc = app_mail_message(&mc, 0, argv[1], NULL, "kam: test message \xe2\x9c\x93",
	                      "This is a test message from kam: mail works.\n",
	                      "<p>This is a test message from <b>kam</b>: mail works.</p>", NULL,
	                      time_now(), &msg);
	if (rc == KAM_EINVAL) {
		fprintf(stderr, "kam: %s is not an e-mail address\n", argv[1]);
		return EXIT_USAGE;
	}
	if (rc != KAM_OK) {
		fprintf(stderr, "kam: out of memory\n");
		return 1;
	}
	rc = app_smtp_send(&mc, argv[1], msg, answer, sizeof(answer), &permanent);
	free(msg);
	if (rc != KAM_OK) {
		fprintf(stderr, "kam: the mail server did not take the message: %s\n", answer);
		return 1;
	}
	printf("%s\n", answer);
	return 0;
}

/* A subcommand: kam NAME [SUB] [OPTIONS]. */
struct command {
	const char *name;
	const char *sub;   /* a second word it requires ("user add"), or NULL */
	const char *help;  /* its line in kam help */
	const char *usage; /* printed when SUB is missing; NULL when there is no SUB */
	bool pure;         /* touches no data and no keys: runs without libsodium */
	/* argv[0] is the last word of the command's name; o holds the defaults */
	int (*run)(int argc, char **argv, struct opts *o);
};

/* Every command of kam, in the order kam help lists them. */
static const struct command commands[] = {
    {"serve", NULL, "run the HTTP server", NULL, false, run_serve},
    {"init", NULL, "create the database and apply migrations", NULL, false, run_init},
    {"migrate", NULL, "apply pending migrations", NULL, false, run_migrate},
    {"demo", NULL, "load the demo data set into an empty database", NULL, false, run_demo},
    {"settings", NULL, "read or change a setting (base currency, time zone, weights, …)", NULL,
     false, run_settings},
    {"user", "add", "create a user", usage_user, false, run_user_add},
    {"token", "create", "create an API token for a user", usage_token, false, run_token_create},
    {"mail", "test", "send a test mail through the SMTP server (KAM_SMTP_URL)", usage_mail, false,
     run_mail_test},
    {"kpi", NULL, "print KPIs (table, JSON or CSV)", NULL, false, run_kpi},
    {"import", NULL, "import a CSV file (accounts, contacts, transactions, …)", NULL, false,
     run_import},
    {"export", NULL, "write a list as CSV or XLSX", NULL, false, run_export},
    {"report", "plan", "write an account's plan as a one-page PDF or HTML document", usage_report,
     false, run_report_plan},
    {"backup", NULL, "write a consistent copy of the SQLite database while it runs", NULL, false,
     run_backup},
    {"restore", NULL, "replace the SQLite database with a backup", NULL, false, run_restore},
    {"openapi", NULL, "print the OpenAPI description of the REST API", NULL, true, run_openapi},
    {"version", NULL, "print the version", NULL, true, run_version},
    {"help", NULL, "list the commands, or print the options of one (help COMMAND)", NULL, true,
     run_help},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
	fputs("usage: kam COMMAND [OPTIONS]\n\ncommands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s%s", commands[i].name, commands[i].sub ? " " : "",
		         commands[i].sub ? commands[i].sub : "");
		fprintf(f, "  %-14s %s\n", name, commands[i].help);
	}
	fputs("\nEvery command that touches data takes --db PATH (or KAM_DB; default kam.db).\n"
	      "Run kam COMMAND --help for the options of one command.\n",
	      f);
}

static const struct command *find_command(const char *name)
{
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0)
		name = "version";
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "kam: unknown command %s\n", name);
	print_usage(stderr);
	return EXIT_USAGE;
}

/* Runs c with argv[0] its name; a command of two words checks the second. */
static int run_command(const struct command *c, int argc, char **argv, struct opts *o)
{
	if (!c->pure && sodium_init() < 0) {
		fprintf(stderr, "kam: libsodium failed to start\n");
		return 1;
	}
	if (c->sub) {
		if (argc < 2 || strcmp(argv[1], c->sub) != 0)
			return usage(c->usage,
			             argc >= 2 && !strcmp(argv[1], "--help") ? 0 : EXIT_USAGE);
		argc--;
		argv++;
	}
	return c->run(argc, argv, o);
}

static int run_help(int argc, char **argv, struct opts *o)
{
	const struct command *c;
	char help[] = "--help", sub[32];
	char *args[4];
	int n = 0;

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	/* kam help COMMAND is kam COMMAND --help */
	if ((c = find_command(argv[1])) == NULL || c->run == run_help)
		return c ? (print_usage(stdout), 0) : unknown_command(argv[1]);
	args[n++] = argv[1];
	if (c->sub) {
		snprintf(sub, sizeof(sub), "%s", c->sub);
		args[n++] = sub;
	}
	args[n++] = help;
	args[n] = NULL;
	return run_command(c, n, args, o);
}

/* KAM_NOW (an RFC 3339 UTC time) fixes kam's "now" for tests; unset, the wall clock. */
static int read_clock(struct kam_clock *c)
{
	const char *v = getenv("KAM_NOW");

	c->fixed = false;
	if (v == NULL || v[0] == '\0')
		return 0;
	if (date_parse_time(v, &c->at) != KAM_OK) {
		fprintf(stderr,
		        "kam: KAM_NOW must be a UTC time written like 2026-03-01T23:30:00Z\n");
		return -1;
	}
	c->fixed = true;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.db = getenv("KAM_DB"), .listen = getenv("KAM_LISTEN"), .seed = 1};
	const struct command *c;

	if (read_clock(&o.clock) != 0)
		return EXIT_USAGE;
	app_mail_global_init(); /* libcurl, before any thread */
	if (!o.db || !o.db[0])
		o.db = "kam.db";
	if (!o.listen || !o.listen[0])
		o.listen = "127.0.0.1:8080";
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if ((c = find_command(argv[1])) == NULL)
		return unknown_command(argv[1]);
	return run_command(c, argc - 1, argv + 1, &o);
}
