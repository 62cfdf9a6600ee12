/* Group accounts: who sees what of a group, the tree, and what group answers count. */
#include <stdlib.h>
#include <string.h>
#include "app/group.h"
#include "app/list.h"
#include "app/scores.h"
#include "kam/group.h"
#include "kam/money.h"

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static ptrdiff_t member(const struct app_group *g, int64_t id)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->m[mid].id == id)
			return (ptrdiff_t)mid;
		if (g->m[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void app_group_free(struct app_group *g)
{
	free(g->m);
	free(g->depth);
	free(g->figures);
	free(g->open);
	free(g->count);
	free(g->list);
	memset(g, 0, sizeof(*g));
}

bool app_group_complete(const struct app_group *g)
{
	return g->ncount == g->n;
}

int app_group_load(struct store_conn *db, const struct actor *who, int64_t id, struct app_group *g)
{
	struct store_group_row *up = NULL;
	struct group_node *nodes = NULL;
	size_t nup = 0;
	bool owns_above = false, shared = false, any = false;
	ptrdiff_t self;
	int rc;

	memset(g, 0, sizeof(*g));
	g->id = id;
	if ((rc = store_group_members(db, id, who->user_id, &g->m, &g->n)) != KAM_OK)
		goto out;
	if (g->n == 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = store_group_ancestors(db, id, who->user_id, &up, &nup)) != KAM_OK)
		goto out;
	for (size_t i = 0; i < nup; i++) {
		owns_above = owns_above || up[i].mine;
		shared = shared || up[i].shared;
	}
	self = member(g, id);
	g->depth = calloc(g->n, sizeof(*g->depth));
	g->figures = calloc(g->n, sizeof(*g->figures));
	g->open = calloc(g->n, sizeof(*g->open));
	g->count = calloc(g->n, sizeof(*g->count));
	g->list = calloc(g->n, sizeof(*g->list));
	nodes = calloc(g->n, sizeof(*nodes));
	if (self < 0 || !g->depth || !g->figures || !g->open || !g->count || !g->list || !nodes) {
		rc = KAM_ENOMEM;
		goto out;
	}
	shared = shared || g->m[self].shared;
	/* staff see every account; the owner of the group's parent, or of a parent above it,
	 * sees the whole group */
	g->full = actor_sees_account(who, false, false) || owns_above || g->m[self].mine;
	for (size_t i = 0; i < g->n; i++)
		nodes[i] = (struct group_node){g->m[i].id, g->m[i].parent_id};
	group_depths(nodes, g->n, id, g->depth);
	for (size_t i = 0; i < g->n; i++) {
		size_t at = i;

		g->open[i] = actor_sees_account(who, g->m[i].mine, g->m[i].team);
		g->figures[i] = g->full || g->open[i];
		/* the owner of a sub-group sees its entities' figures too */
		for (size_t steps = 0; !g->figures[i] && steps <= g->n; steps++) {
			ptrdiff_t p;

			if (g->m[at].mine) {
				g->figures[i] = true;
				break;
			}
			if (g->m[at].id == id || (p = member(g, g->m[at].parent_id)) < 0)
				break;
			at = (size_t)p;
		}
		any = any || g->figures[i];
	}
	if (!any) { /* nothing of it is the caller's: no such group */
		rc = KAM_ENOTFOUND;
		goto out;
	}
	g->totals = g->full || shared;
	for (size_t i = 0; i < g->n; i++) {
		if (g->totals || g->figures[i])
			g->count[g->ncount++] = g->m[i].id;
		if (g->figures[i])
			g->list[g->nlist++] = g->m[i].id;
	}
out:
	free(up);
	free(nodes);
	if (rc != KAM_OK)
		app_group_free(g);
	return rc;
}

int app_group_net(struct store_conn *db, const char *from, const char *to, const int64_t *ids,
                  double *sum, size_t n)
{
	struct store_group_amount *x = NULL;
	size_t nx = 0;
	int rc = store_group_intra(db, from, to, &x, &nx);

	for (size_t i = 0; i < nx && rc == KAM_OK; i++) {
		const int64_t *p =
		    n ? bsearch(&x[i].account_id, ids, n, sizeof(*ids), cmp_id) : NULL;

		if (p)
			sum[p - ids] -= x[i].amount;
	}
	free(x);
	return rc;
}

/* Order of the tree: siblings by name, then id (grouped by parent). */
struct tree_key {
	int64_t parent_id, id;
	const char *name;
	size_t at;
};

static int by_parent_name(const void *a, const void *b)
{
	const struct tree_key *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (x->parent_id != y->parent_id)
		return (x->parent_id > y->parent_id) - (x->parent_id < y->parent_id);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static json_t *entity_json(const struct store_group_row *r, int depth, bool open)
{
	return json_pack("{s:I,s:s,s:o,s:i,s:{s:I,s:s},s:I,s:o,s:b}", "id", (json_int_t)r->id,
	                 "name", r->name, "parent_id",
	                 r->parent_id ? json_integer((json_int_t)r->parent_id) : json_null(),
	                 "depth", depth, "owner", "id", (json_int_t)r->owner_id, "name",
	                 r->owner_name, "revenue_12m", (json_int_t)r->revenue_12m, "health",
	                 r->health >= 0 ? json_real(r->health) : json_null(), "visible", open);
}

/* The entities of g in tree order (depth-first, siblings by name), those the caller may see. */
static int tree_entities(const struct app_group *g, json_t *out)
{
	struct tree_key *ord = calloc(g->n + 1, sizeof(*ord));
	size_t *stack = calloc(g->n + 1, sizeof(*stack));
	bool *done = calloc(g->n + 1, sizeof(*done));
	size_t top = 0;
	int rc = KAM_OK;

	if (ord == NULL || stack == NULL || done == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < g->n; i++)
		ord[i] = (struct tree_key){g->m[i].parent_id, g->m[i].id, g->m[i].name, i};
	qsort(ord, g->n, sizeof(*ord), by_parent_name);
	for (size_t i = 0; i < g->n; i++)
		if (g->depth[i] == 0)
			stack[top++] = i;
	while (top > 0 && rc == KAM_OK) {
		size_t i = stack[--top], k;

		if (done[i])
			continue;
		done[i] = true;
		if (g->figures[i] &&
		    json_array_append_new(out, entity_json(&g->m[i], g->depth[i], g->open[i])) != 0)
			rc = KAM_ENOMEM;
		/* the children are one run of ord (sorted by parent): found by bisection, pushed
		 * in reverse so the first by name comes out first */
		{
			size_t lo = 0, hi = g->n;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (ord[mid].parent_id <= g->m[i].id)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (k = lo; k-- > 0 && ord[k].parent_id == g->m[i].id;)
				if (!done[ord[k].at] && top < g->n)
					stack[top++] = ord[k].at;
		}
	}
out:
	free(ord);
	free(stack);
	free(done);
	return rc;
}

/* The whole group's totals: revenue net of intra-group revenue, and the health weighted by
 * each entity's revenue (a plain mean when none has revenue), null without any. */
static int tree_totals(struct store_conn *db, const struct actor *who, const struct app_group *g,
                       json_t **out)
{
	double *sum = calloc(g->n + 1, sizeof(*sum));
	int64_t *ids = calloc(g->n + 1, sizeof(*ids));
	double revenue = 0, own = 0, hw = 0, hsum = 0, hplain = 0;
	size_t hn = 0;
	char from[DATE_LEN], to[DATE_LEN];
	date_t today = 0;
	int rc = app_today(db, who, &today);

	if (sum == NULL || ids == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	app_revenue_window_dates(today, from, to);
	for (size_t i = 0; i < g->n; i++) {
		ids[i] = g->m[i].id;
		sum[i] = (double)g->m[i].revenue_12m;
		own += sum[i];
	}
	if (rc == KAM_OK)
		rc = app_group_net(db, from, to, ids, sum, g->n);
	if (rc != KAM_OK)
		goto out;
	for (size_t i = 0; i < g->n; i++) {
		revenue += sum[i];
		if (g->m[i].health >= 0) {
			hn++;
			hplain += g->m[i].health;
			if (g->m[i].revenue_12m > 0) {
				hw += (double)g->m[i].revenue_12m;
				hsum += g->m[i].health * (double)g->m[i].revenue_12m;
			}
		}
	}
	*out =
	    json_pack("{s:I,s:I,s:I,s:o}", "entities", (json_int_t)g->n, "revenue_12m",
	              (json_int_t)revenue, "intra_group_12m", (json_int_t)(own - revenue), "health",
	              hw > 0   ? json_real(hsum / hw)
	              : hn > 0 ? json_real(hplain / (double)hn)
	                       : json_null());
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	free(sum);
	free(ids);
	return rc;
}

int app_group_tree(struct store_conn *db, const struct actor *who, int64_t id, json_t **out)
{
	struct app_group g = {0}, top = {0};
	struct store_group_row *up = NULL;
	struct settings s;
	size_t nup = 0;
	int64_t root;
	json_t *ans = NULL, *entities = NULL, *totals = NULL;
	ptrdiff_t self;
	int rc;

	*out = NULL;
	/* the account itself must be the caller's to see (or under a parent they own) */
	if ((rc = app_group_load(db, who, id, &g)) != KAM_OK)
		goto out;
	if ((self = member(&g, id)) < 0 || !g.figures[self]) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = store_group_ancestors(db, id, who->user_id, &up, &nup)) != KAM_OK)
		goto out;
	root = nup ? up[nup - 1].id : id;
	if ((rc = app_group_load(db, who, root, &top)) != KAM_OK ||
	    (rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	if ((entities = json_array()) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = tree_entities(&top, entities)) != KAM_OK)
		goto out;
	if (top.totals && (rc = tree_totals(db, who, &top, &totals)) != KAM_OK)
		goto out;
	ans = json_pack("{s:I,s:I,s:s,s:b,s:O,s:o}", "root_id", (json_int_t)root, "account_id",
	                (json_int_t)id, "currency", s.base_currency, "complete", top.nlist == top.n,
	                "entities", entities, "totals", totals ? totals : json_null());
	totals = NULL;
	if (ans == NULL)
		rc = KAM_ENOMEM;
	*out = ans;
out:
	json_decref(entities);
	json_decref(totals);
	free(up);
	app_group_free(&g);
	app_group_free(&top);
	return rc;
}

struct item_rev {
	json_t *item;
	int64_t id;
	double revenue;
	size_t at; /* the item's place in the report */
};

static int by_place(const void *a, const void *b)
{
	const struct item_rev *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

static int by_id_rev(const void *a, const void *b)
{
	const struct item_rev *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int by_revenue(const void *a, const void *b)
{
	const struct item_rev *x = a, *y = b;

	if (x->revenue != y->revenue)
		return x->revenue < y->revenue ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

int app_group_items(struct store_conn *db, const struct app_group *g, const char *from_month,
                    const char *to_month, json_t *items, bool sort, json_t **out)
{
	struct item_rev *v = calloc(json_array_size(items) + 1, sizeof(*v));
	int64_t *ids = calloc(json_array_size(items) + 1, sizeof(*ids));
	double *sum = calloc(json_array_size(items) + 1, sizeof(*sum));
	char from[DATE_LEN], to[DATE_LEN];
	date_t f, t;
	size_t n = 0, i;
	json_t *it;
	int rc = KAM_OK;

	*out = NULL;
	if (v == NULL || ids == NULL || sum == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if (date_parse_month(from_month, &f) != KAM_OK ||
	    date_parse_month(to_month, &t) != KAM_OK || date_add_months(t, 1, &t) != KAM_OK) {
		rc = KAM_EINVAL;
		goto out;
	}
	date_format(f, from);
	date_format(t, to);
	json_array_foreach(items, i, it)
	{
		int64_t id = json_integer_value(json_object_get(it, "account_id"));

		if (bsearch(&id, g->list, g->nlist, sizeof(*g->list), cmp_id) == NULL)
			continue;
		v[n] = (struct item_rev){
		    it, id, (double)json_integer_value(json_object_get(it, "revenue")), i};
		n++;
	}
	/* app_group_net wants the ids sorted */
	qsort(v, n, sizeof(*v), by_id_rev);
	for (i = 0; i < n; i++) {
		ids[i] = v[i].id;
		sum[i] = v[i].revenue;
	}
	if ((rc = app_group_net(db, from, to, ids, sum, n)) != KAM_OK)
		goto out;
	for (i = 0; i < n; i++)
		v[i].revenue = sum[i];
	qsort(v, n, sizeof(*v), sort ? by_revenue : by_place);
	if ((*out = json_array()) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (i = 0; i < n && rc == KAM_OK; i++)
		if (json_object_set_new(v[i].item, "revenue",
		                        json_integer((json_int_t)v[i].revenue)) != 0 ||
		    json_array_append(*out, v[i].item) != 0)
			rc = KAM_ENOMEM;
out:
	if (rc != KAM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	free(v);
	free(ids);
	free(sum);
	return rc;
}

int app_group_health(const struct app_group *g, json_t **out)
{
	json_t *items = json_array();
	double w = 0, sum = 0, plain = 0;
	size_t n = 0;

	*out = NULL;
	if (items == NULL)
		return KAM_ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		const struct store_group_row *r = &g->m[i];
		bool counted = bsearch(&r->id, g->count, g->ncount, sizeof(*g->count), cmp_id);

		if (counted && r->health >= 0) {
			n++;
			plain += r->health;
			if (r->revenue_12m > 0) {
				w += (double)r->revenue_12m;
				sum += r->health * (double)r->revenue_12m;
			}
		}
		if (g->figures[i] &&
		    json_array_append_new(
		        items, json_pack("{s:I,s:s,s:i,s:o,s:I}", "account_id", (json_int_t)r->id,
		                         "name", r->name, "depth", g->depth[i], "health",
		                         r->health >= 0 ? json_real(r->health) : json_null(),
		                         "revenue_12m", (json_int_t)r->revenue_12m)) != 0) {
			json_decref(items);
			return KAM_ENOMEM;
		}
	}
	*out = json_pack("{s:I,s:s,s:o,s:b,s:I,s:I,s:o}", "account_id", (json_int_t)g->id, "scope",
	                 "group", "score",
	                 w > 0   ? json_real(sum / w)
	                 : n > 0 ? json_real(plain / (double)n)
	                         : json_null(),
	                 "complete", app_group_complete(g), "entities", (json_int_t)g->ncount,
	                 "with_health", (json_int_t)n, "items", items);
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_group_tree_file(struct store_conn *db, const struct actor *who, int64_t id, bool xlsx,
                        int *fd, size_t *len)
{
	json_t *tree = NULL, *items = json_array(), *e, *cols, *tot;
	const char *cur;
	double unit;
	size_t i;
	int rc = app_group_tree(db, who, id, &tree);

	*fd = -1;
	*len = 0;
	if (rc != KAM_OK || items == NULL)
		goto out;
	cur = json_string_value(json_object_get(tree, "currency"));
	/* files carry money in major units, as every export does */
	unit = (double)money_unit(cur);
	json_array_foreach(json_object_get(tree, "entities"), i, e)
	{
		json_t *o = json_pack(
		    "{s:O,s:O,s:O,s:O,s:O,s:O,s:f,s:s,s:O,s:O}", "account_id",
		    json_object_get(e, "id"), "name", json_object_get(e, "name"), "parent_id",
		    json_object_get(e, "parent_id"), "depth", json_object_get(e, "depth"),
		    "owner_id", json_object_get(json_object_get(e, "owner"), "id"), "owner_name",
		    json_object_get(json_object_get(e, "owner"), "name"), "revenue_12m",
		    (double)json_integer_value(json_object_get(e, "revenue_12m")) / unit,
		    "currency", cur, "health", json_object_get(e, "health"), "visible",
		    json_object_get(e, "visible"));

		if (o == NULL || json_array_append_new(items, o) != 0) {
			rc = KAM_ENOMEM;
			goto out;
		}
	}
	/* the group's total, net of intra-group revenue, when the caller may see it */
	if (json_is_object(tot = json_object_get(tree, "totals")) &&
	    json_array_append_new(
	        items,
	        json_pack("{s:n,s:s,s:n,s:n,s:n,s:n,s:f,s:s,s:O,s:n}", "account_id", "name",
	                  "Group total (net of intra-group revenue)", "parent_id", "depth",
	                  "owner_id", "owner_name", "revenue_12m",
	                  (double)json_integer_value(json_object_get(tot, "revenue_12m")) / unit,
	                  "currency", cur, "health", json_object_get(tot, "health"), "visible")) !=
	        0) {
		rc = KAM_ENOMEM;
		goto out;
	}
	cols = json_pack("[s,s,s,s,s,s,s,s,s,s]", "account_id", "name", "parent_id", "depth",
	                 "owner_id", "owner_name", "revenue_12m", "currency", "health", "visible");
	rc = app_export_rows(xlsx, "group", cols, items, fd, len);
out:
	json_decref(tree);
	json_decref(items);
	return rc;
}
