/*
 * The import engine, part four: rows that refer to other rows of the same file. CRM exports
 * list records alphabetically or by creation, so a subsidiary often comes before its parent
 * and an employee before their manager. Rather than reject such a row (and make the user
 * run the file twice), a row's referent in the file is written first: file order is kept
 * except that a parent is pulled ahead of the first row that needs it. Rows whose references
 * go round in a loop are refused, each naming the loop.
 */
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include "app/import_internal.h"
#include "store/import.h"

/* The column of the file's own entity a row's reference points through, and the columns
 * that name a row (in the order lookup() tries them). */
struct selfref {
	ssize_t ref[2];   /* the parent / parent_ext / reports_to columns, -1 if none */
	bool ext_only[2]; /* parent_ext: by external id only */
	ssize_t ext;      /* external_id */
	ssize_t name;     /* name */
	ssize_t email;    /* email */
};

static struct selfref columns_of(const struct imp *im)
{
	struct selfref s = {{-1, -1}, {false, false}, -1, -1, -1};
	int nref = 0;

	for (size_t i = 0; i < im->ncols; i++) {
		const char *t = im->cols[i].target;

		if (t == NULL)
			continue;
		if (nref < 2 && ((im->e == &model_account &&
		                  (!strcmp(t, "parent") || !strcmp(t, "parent_ext"))) ||
		                 (im->e == &model_contact && !strcmp(t, "reports_to")) ||
		                 (im->e == &model_user && !strcmp(t, "manager")))) {
			s.ref[nref] = (ssize_t)i;
			s.ext_only[nref++] = !strcmp(t, "parent_ext");
		} else if (s.ext < 0 && !strcmp(t, "external_id")) {
			s.ext = (ssize_t)i;
		} else if (s.name < 0 && !strcmp(t, "name")) {
			s.name = (ssize_t)i;
		} else if (s.email < 0 && !strcmp(t, "email")) {
			s.email = (ssize_t)i;
		}
	}
	return s;
}

static const char *cell(const struct row *r, ssize_t i)
{
	if (i < 0 || (size_t)i >= r->n)
		return NULL;
	const char *v = r->v[i];

	while (*v == ' ' || *v == '\t')
		v++;
	return *v ? v : NULL;
}

/* Adds key → row to map unless an earlier row holds it (the first one is the one written
 * first, and the duplicate check names it). */
static int index_key(json_t *map, const char *v, bool fold, size_t row)
{
	char key[600];

	if (v == NULL)
		return KAM_OK;
	store_import_key(0, v, fold, key, sizeof(key));
	if (json_object_get(map, key))
		return KAM_OK;
	/* a cell that is not UTF-8, or a key cut inside a character, is a key all the same */
	return json_object_set_new_nocheck(map, key, json_integer((json_int_t)row)) ? KAM_ENOMEM
	                                                                            : KAM_OK;
}

static size_t find_key(json_t *map, const char *v, bool fold)
{
	char key[600];

	store_import_key(0, v, fold, key, sizeof(key));
	return (size_t)json_integer_value(json_object_get(map, key));
}

/* "Acme (line 3) → Acme Europe (line 2) → Acme (line 3)": the rows of the loop path[from..to)
 * starting and ending at path[at], for that row's error. */
static char *loop_text(const struct imp *im, const struct selfref *s, const size_t *path,
                       size_t from, size_t to, size_t at)
{
	struct buf b = {.max = 2048};

	buf_printf(&b, "goes round a loop of %s in this file: ",
	           im->e == &model_account ? "parents" : "managers");
	for (size_t k = 0; k <= to - from; k++) {
		const struct row *r = &im->rows[path[from + (at - from + k) % (to - from)]];
		const char *n = cell(r, s->name) ? cell(r, s->name) : cell(r, s->ext);

		if (k > 0)
			buf_puts(&b, " → ");
		if (n)
			buf_printf(&b, "%.80s (line %ld)", n, r->line);
		else
			buf_printf(&b, "line %ld", r->line);
	}
	return buf_take(&b, NULL);
}

int imp_order_rows(struct imp *im)
{
	struct selfref s = columns_of(im);
	size_t n = im->nrows;
	json_t *ext = NULL, *names = NULL;
	size_t *dep = NULL, *order = NULL, *path = NULL;
	unsigned char *state = NULL;  /* 0 not placed, 1 on the current path, 2 placed */
	unsigned char *refcol = NULL; /* which of s.ref the row's reference is in */
	struct row *rows = NULL;
	size_t norder = 1;
	int rc = KAM_ENOMEM;

	if (s.ref[0] < 0 || n < 3 || (s.ext < 0 && s.name < 0 && s.email < 0))
		return KAM_OK;
	ext = json_object();
	names = json_object();
	dep = calloc(n, sizeof(*dep));
	order = calloc(n, sizeof(*order));
	path = calloc(n, sizeof(*path));
	state = calloc(n, 1);
	refcol = calloc(n, 1);
	rows = calloc(n, sizeof(*rows));
	if (!ext || !names || !dep || !order || !path || !state || !refcol || !rows)
		goto out;
	for (size_t r = 1; r < n; r++) {
		if (im->rows[r].n != im->ncols)
			continue; /* refused as it stands */
		if (index_key(ext, cell(&im->rows[r], s.ext), false, r) != KAM_OK ||
		    index_key(names, cell(&im->rows[r], s.name), true, r) != KAM_OK ||
		    index_key(names, cell(&im->rows[r], s.email), true, r) != KAM_OK)
			goto out;
	}
	for (size_t r = 1; r < n; r++) {
		for (int k = 0; k < 2 && s.ref[k] >= 0 && im->rows[r].n == im->ncols; k++) {
			const char *v = cell(&im->rows[r], s.ref[k]);

			if (v == NULL)
				continue;
			/* the same order of keys as lookup(): external id, then name or e-mail */
			dep[r] = find_key(ext, v, false);
			if (dep[r] == 0 && !s.ext_only[k])
				dep[r] = find_key(names, v, true);
			refcol[r] = (unsigned char)k;
			break;
		}
	}
	for (size_t r = 1; r < n; r++) {
		size_t len = 0, x = r;

		/* one reference per row: the rows it waits for form a chain, walked to its end */
		while (x && state[x] == 0) {
			state[x] = 1;
			path[len++] = x;
			x = dep[x];
		}
		if (x && state[x] == 1) { /* the chain came back to itself */
			size_t from = 0;

			while (path[from] != x)
				from++;
			for (size_t i = from; i < len; i++) {
				struct row *lr = &im->rows[path[i]];

				free(lr->loop);
				if ((lr->loop = loop_text(im, &s, path, from, len, i)) == NULL)
					goto out;
				lr->loop_col = im->cols[s.ref[refcol[path[i]]]].header;
				dep[path[i]] = 0;
			}
		}
		while (len > 0) { /* the chain's end (the parent) first */
			x = path[--len];
			state[x] = 2;
			order[norder++] = x;
		}
	}
	rows[0] = im->rows[0];
	for (size_t i = 1; i < n; i++)
		rows[i] = im->rows[order[i]];
	free(im->rows);
	im->rows = rows;
	im->cap = n;
	rows = NULL;
	rc = KAM_OK;
out:
	json_decref(ext);
	json_decref(names);
	free(dep);
	free(order);
	free(path);
	free(state);
	free(refcol);
	free(rows);
	return rc;
}
