/* kam kpi: the KPI answer of the API, printed as a table, JSON or CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/access.h"
#include "app/group.h"
#include "app/scores.h"
#include "cli/cli.h"
#include "kam/date.h"
#include "kam/kpi_report.h"
#include "store/kpi.h"
#include "store/portfolio.h"
#include "util/time.h"
#include "util/buf.h"

struct cli_scope {
	int kind; /* 0 portfolio, 1 account, 2 kam, 3 group */
	int64_t id;
	struct app_group g; /* kind 3: the group as the caller sees it */
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool in_scope(const struct kpi_in_account *a, void *arg)
{
	const struct cli_scope *s = arg;

	if (s->kind == 3)
		return bsearch(&a->id, s->g.count, s->g.ncount, sizeof(*s->g.count), cmp_id) !=
		       NULL;
	return s->kind == 0 || (s->kind == 1 ? a->id == s->id : a->owner_id == s->id);
}

static void print_value(const json_t *v)
{
	if (json_is_null(v) || v == NULL)
		printf("%16s", "-");
	else if (json_is_integer(v))
		printf("%16lld", (long long)json_integer_value(v));
	else
		printf("%16.4f", json_real_value(v));
}

static void csv_value(const json_t *v)
{
	if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%.10g", json_real_value(v));
}

int cli_kpi(struct store *st, const char *scope, const char *id, const char *from, const char *to,
            const char *format, const char *as, int64_t now)
{
	struct store_conn *c = NULL;
	struct actor who = {.now = now};
	int64_t scope_user = 0;
	struct cli_scope sc = {0};
	struct settings set;
	struct kpi_input cur = {0};
	char f[11], t[11];
	struct app_kpi_periods p;
	date_t m0 = 0, today = 0, d;
	bool bad = false;
	json_t *a = NULL, *b = NULL;
	int rc;

	if (!strcmp(scope, "account") || !strcmp(scope, "kam") || !strcmp(scope, "group")) {
		char *end;

		sc.kind = scope[0] == 'a' ? 1 : scope[0] == 'k' ? 2 : 3;
		sc.id = id ? strtoll(id, &end, 10) : 0;
		if (id == NULL || *end || sc.id <= 0) {
			fprintf(stderr, "kam: --scope %s needs --id N\n", scope);
			return KAM_EINVAL;
		}
	} else if (strcmp(scope, "portfolio") != 0) {
		fprintf(stderr, "kam: --scope must be portfolio, account, kam or group\n");
		return KAM_EINVAL;
	}
	if ((rc = store_acquire(st, &c)) != KAM_OK)
		goto out;
	/* the default: the last twelve whole months of the installation's time zone */
	if ((rc = app_today_at(c, now, &today)) != KAM_OK)
		goto out;
	m0 = date_month_start(today);
	date_format(m0, t);
	date_format(date_add_months_clamped(m0, -12), f);
	/* the API's convention (date_parse_bound): a month as to is included */
	for (int i = 0; i < 2; i++) {
		const char *v = i == 0 ? from : to;

		if (v == NULL)
			continue;
		if (date_parse_bound(v, i == 1, &d) != KAM_OK)
			bad = true;
		else
			date_format(d, i == 0 ? f : t);
	}
	if (bad || strcmp(f, t) >= 0) {
		fprintf(stderr,
		        "kam: --from and --to must be dates YYYY-MM-DD or months YYYY-MM between " DATE_MIN_TEXT
		        " and " DATE_MAX_TEXT " with from before to\n");
		store_release(st, c);
		return KAM_EINVAL;
	}
	/* --as: the figures that user may see, as the API answers them (default: everything) */
	if (as) {
		if ((rc = cli_run_as(c, as, now, &who)) != KAM_OK)
			goto out;
		scope_user = actor_scope(&who);
		if (sc.kind == 1 &&
		    (rc = app_account_visible(c, &who, sc.id, NULL, NULL)) == KAM_ENOTFOUND) {
			fprintf(stderr, "kam: no such account %lld\n", (long long)sc.id);
			goto out;
		}
		if (rc != KAM_OK)
			goto out;
	}
	/* a group (docs/groups.md): its members as who sees them (without --as: all) */
	if (sc.kind == 3) {
		if (!as)
			who.role = ROLE_ADMIN;
		if ((rc = app_group_load(c, &who, sc.id, &sc.g)) == KAM_ENOTFOUND) {
			fprintf(stderr, "kam: no such account %lld\n", (long long)sc.id);
			goto out;
		}
		if (rc != KAM_OK)
			goto out;
		scope_user = 0;
	}
	if ((rc = app_settings_load(c, &set, NULL)) != KAM_OK)
		goto out;
	{
		struct store_kpi_query q = {.scope_user = scope_user,
		                            .base_currency = set.base_currency,
		                            .account_id = sc.kind == 1 ? sc.id : 0,
		                            .net_intra_group = sc.kind == 3};

		app_kpi_periods(&p, f, t, &q);
		if ((rc = app_kpi_fetch(c, &set, today, &q, &cur)) != KAM_OK)
			goto out;
	}
	a = kpi_figures(&set, &cur, in_scope, &sc, f, t);
	b = kpi_figures_previous(&set, &cur, in_scope, &sc, p.pfrom, p.pto);
	if (a == NULL || b == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (!strcmp(format, "json")) {
		const char *name;
		json_t *v, *ans;
		char *s;

		json_object_foreach(a, name, v)
			json_object_set(v, "previous", json_object_get(json_object_get(b, name), "value"));
		ans = json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:s},s:s,s:O}", "scope", scope, "period",
				"from", f, "to", t, "previous", "from", p.pfrom, "to", p.pto, "currency",
				set.base_currency, "kpis", a);
		s = buf_json(ans, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
		printf("%s\n", s);
		free(s);
		json_decref(ans);
	} else if (!strcmp(format, "csv")) {
		printf("name,value,previous,numerator,denominator\n");
		for (const char *const *n = kpi_names; *n; n++) {
			json_t *x = json_object_get(a, *n);

			printf("%s,", *n);
			csv_value(json_object_get(x, "value"));
			putchar(',');
			csv_value(json_object_get(json_object_get(b, *n), "value"));
			putchar(',');
			csv_value(json_object_get(x, "numerator"));
			putchar(',');
			csv_value(json_object_get(x, "denominator"));
			putchar('\n');
		}
	} else {
		printf("%s KPIs, %s to %s (previous %s to %s), money in %s minor units\n\n", scope, f,
		       t, p.pfrom, p.pto, set.base_currency);
		printf("%-32s%16s%16s%16s%16s\n", "kpi", "value", "previous", "numerator",
		       "denominator");
		for (const char *const *n = kpi_names; *n; n++) {
			json_t *x = json_object_get(a, *n);

			printf("%-32s", *n);
			print_value(json_object_get(x, "value"));
			print_value(json_object_get(json_object_get(b, *n), "value"));
			print_value(json_object_get(x, "numerator"));
			print_value(json_object_get(x, "denominator"));
			putchar('\n');
		}
	}
out:
	if (rc != KAM_OK)
		fprintf(stderr, "kam: cannot compute the KPIs (database error %d)\n", rc);
	json_decref(a);
	json_decref(b);
	store_kpi_free(&cur);
	app_group_free(&sc.g);
	store_release(st, c);
	return rc;
}
