/* kam settings get|set: every setting of the API from the shell, through the same operation
 * (checks, audit, re-ranking) as PATCH /api/v1/settings. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/scores.h"
#include "app/settings.h"
#include "cli/cli.h"
#include "kam/settings.h"

static const char usage_settings[] =
    "usage: kam settings get [KEY] [--db PATH]\n"
    "       kam settings set KEY VALUE [--as EMAIL] [--db PATH]\n"
    "  KEY is a setting of GET /api/v1/settings, dotted for a nested one: base_currency,\n"
    "  time_zone, company_name, weights.financial, alerts.no_interaction.threshold.\n"
    "  VALUE is read as JSON when it is JSON (0.4, true, {\"low\": 72}), else as text\n"
    "  (USD, Europe/Paris). Without --as the change is made as the operator: audited\n"
    "  without a user. Scores are recomputed as when the web app saves settings.\n";

/* The value at the dotted key in doc (borrowed), or NULL. */
static json_t *at_key(json_t *doc, const char *key)
{
	char part[128];
	const char *p = key;

	while (doc && *p) {
		size_t n = strcspn(p, ".");

		if (n == 0 || n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		doc = json_object_get(doc, part);
		p += n + (p[n] == '.');
	}
	return doc;
}

/* {"a": {"b": value}} for the key "a.b" (a new object; takes value). */
static json_t *patch_of(const char *key, json_t *value)
{
	const char *dot = strrchr(key, '.');
	char head[256];
	json_t *o = json_object();

	if (dot == NULL) {
		json_object_set_new(o, key, value);
		return o;
	}
	json_object_set_new(o, dot + 1, value);
	snprintf(head, sizeof(head), "%.*s", (int)(dot - key), key);
	return patch_of(head, o);
}

static int print_value(const json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		printf("%s\n", json_string_value(v));
		return 0;
	}
	if ((s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10))) == NULL)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int cli_settings_set(struct store_conn *c, const struct actor *who, const char *key,
                     const char *text, json_t **now_in_force)
{
	struct kam_errinfo ei = {0};
	json_t *value = json_loads(text, JSON_DECODE_ANY, NULL), *patch;
	int64_t version = 0;
	int rc;

	*now_in_force = NULL;
	if (value == NULL)
		value = json_string(text);
	patch = patch_of(key, value);
	rc = app_settings_update(c, who, patch, -1, now_in_force, &version, &ei);
	if (rc != KAM_OK)
		cli_print_refusal("settings set", &ei,
		                  rc == KAM_EFORBIDDEN ? "only directors and admins may change settings"
		                                       : "the settings were not saved");
	json_decref(patch);
	err_clear(&ei);
	return rc;
}

int cli_settings(const char *db, int argc, char **argv, int64_t now)
{
	static const struct option longopts[] = {
	    {"as", required_argument, NULL, 'u'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct actor who = {.role = ROLE_ADMIN, .now = now}; /* the operator */
	struct settings s;
	const char *as = NULL, *verb;
	json_t *doc = NULL, *v;
	char err[512] = "";
	int ch, exitc = 1, nargs;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			as = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(usage_settings, stdout);
			return 0;
		default:
			fputs(usage_settings, stderr);
			return 2;
		}
	}
	nargs = argc - optind;
	verb = nargs > 0 ? argv[optind] : "";
	if (!((!strcmp(verb, "get") && nargs <= 2 && !as) ||
	      (!strcmp(verb, "set") && nargs == 3))) {
		fputs(usage_settings, stderr);
		return 2;
	}
	if (store_open(db, 1, &st, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "kam: %s\n", err[0] ? err : "cannot open the database");
		return 1;
	}
	if (store_acquire(st, &c) != KAM_OK || (as && cli_run_as(c, as, now, &who) != KAM_OK))
		goto out;
	if (!strcmp(verb, "set")) {
		if (cli_settings_set(c, &who, argv[optind + 1], argv[optind + 2], &doc) != KAM_OK)
			goto out;
	} else if (app_settings_load(c, &s, NULL) != KAM_OK || !(doc = settings_to_json(&s))) {
		fputs("kam: cannot read the settings\n", stderr);
		goto out;
	}
	v = nargs >= 2 ? at_key(doc, argv[optind + 1]) : doc;
	if (v == NULL) {
		fprintf(stderr, "kam: no setting %s (kam settings get lists them)\n",
		        argv[optind + 1]);
		exitc = 2;
		goto out;
	}
	exitc = print_value(v);
out:
	json_decref(doc);
	if (c)
		store_release(st, c);
	store_close(st);
	return exitc;
}
