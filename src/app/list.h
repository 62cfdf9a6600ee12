/*
 * Lists: every list kam has (accounts, contacts, … imports) as who may read it, a keyset
 * page at a time under the same parameters wherever they come from (a query string, the
 * options of `kam export`), and the whole list as a CSV or XLSX file.
 */
#ifndef KAM_APP_LIST_H
#define KAM_APP_LIST_H
#include "app/access.h"

/* One parameter of a list: limit, cursor, sort, q, format, or a filter field. */
struct app_param {
	const char *key, *value;
};

struct app_list {
	const struct model_entity *e;
	int64_t scope_user; /* > 0: only rows of accounts this user owns or is on the team of */
	/* Adds a listed record's computed keys (arg: the list's own). May be NULL. */
	int (*decorate)(struct store_conn *db, const struct actor *who, json_t *rec,
	                const void *arg);
	const void *arg;
	bool fresh_scores; /* refresh stale scores first: the list sorts and filters by them */
};

/* The most rows one file holds. */
#define APP_EXPORT_MAX 200000

/* The list called kind ("accounts", "contacts", "imports", …: the last part of its URL) as
 * who may read it, into *out. KAM_ENOTFOUND for no such list, KAM_EFORBIDDEN (ei says why)
 * when who's role may not read it. */
int app_list_of(const struct actor *who, const char *kind, struct app_list *out,
                struct kam_errinfo *ei);
struct app_resource;
/* The list of resource r (app/record.h) as who may read it, into *out. */
void app_list_of_resource(const struct actor *who, const struct app_resource *r,
                          struct app_list *out);
/* The names of the lists, for messages ("accounts, contacts, …"), into buf. */
void app_list_names(char *buf, size_t len);
/* Reads a page size from v into *limit: an integer from 1 to 500, else KAM_EINVAL naming
 * "limit" in ei. Every list and history page takes the same bound. */
int app_list_limit(const char *v, int *limit, struct kam_errinfo *ei);
/* A decorated page of l under the n parameters p (an unknown one is KAM_EINVAL naming it).
 * cursor, when not NULL, replaces p's; whole pages (500 rows) are for files. *items and
 * *next (NULL on the last page) are owned by the caller. */
int app_list_page(struct store_conn *db, const struct actor *who, const struct app_list *l,
                  const struct app_param *p, size_t n, const char *cursor, bool whole,
                  json_t **items, char **next, struct kam_errinfo *ei);
/*
 * The whole of l under p as a file (xlsx, else CSV) on disk: *fd (open, at its start, the
 * caller closes it) of *len bytes. items/next: a first page already read (taken; NULL to
 * start from the beginning). Money is in major units; formula-like cells are neutralised.
 */
int app_export(struct store_conn *db, const struct actor *who, const struct app_list *l,
               const struct app_param *p, size_t n, bool xlsx, json_t *items, char *next, int *fd,
               size_t *len, struct kam_errinfo *ei);

/* items (objects) as a file with the columns cols (names, taken), as app_export writes one:
 * for answers that are not lists (the forecast). */
int app_export_rows(bool xlsx, const char *sheet, json_t *cols, json_t *items, int *fd,
                    size_t *len);

#endif
