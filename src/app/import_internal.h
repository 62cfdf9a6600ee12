/*
 * What the three files of the import engine share (src/api only): import_file.c reads the
 * file and its columns, import_row.c turns one row into a write, import.c runs the whole.
 */
#ifndef KAM_APP_IMPORT_INTERNAL_H
#define KAM_APP_IMPORT_INTERNAL_H
#include "app/import.h"
#include "app/record.h"
#include "kam/importmap.h"
#include "store/bulk.h"
#include "util/buf.h"

#define MAX_ERRORS 1000
#define MAX_COLUMNS 200      /* per record: wider files are refused before they cost memory */
#define MAX_CELL (64 * 1024) /* bytes in one cell */
#define MAX_IGNORED 50       /* ignored columns named in the report, each cut to 100 bytes */
#define BATCH_ROWS 10000
#define BATCH_MS 50 /* a batch commits after this long, so other writers wait little */
/* a transactions file of at least this many rows (KAM_IMPORT_BULK_ROWS), and no fewer than
 * the table holds, loads in one transaction with the large indexes built once at its end */
#define BULK_ROWS 100000
#define IMP_DIRECT_FIELDS 8 /* the fields a plain transactions row has (import_row.c) */

struct col {
	char *header;
	const char *target;          /* NULL: ignored */
	const struct model_field *f; /* the field it fills */
	bool ref;                    /* a reference resolved by lookup */
	bool name_part;              /* first_name or last_name */
	int datefmt;
};

struct row {
	long line;
	size_t n;
	char **v;
	char *loop;           /* its reference goes round a loop of rows (refused): the loop */
	const char *loop_col; /* the column of that reference */
};

/* A table of small keyed sums, in memory for the run: the rollup cells of the queued
 * transactions ((account, product, month) → amount, count), and what was checked once per
 * account or product. Open addressing; a key with month "" is not a rollup cell. */
struct imp_cell {
	int64_t a, b;
	char month[8];
	bool used;
	int64_t amount, count;
};
struct imp_cells {
	struct imp_cell *v;
	size_t n, cap; /* cap: 0 or a power of two */
};

/* The external ids of the file's rows so far, each with the line it was first on: copies
 * in blocks that live until the run ends (the queued rows point at them), found by hash.
 * Also the references a transactions file resolved (column and cell → id). */
struct imp_seen_slot {
	const char *s; /* NULL: free */
	uint64_t h;
	long line; /* or the id */
};
struct imp_seen {
	struct imp_seen_slot *v;
	size_t n, cap; /* cap: 0 or a power of two */
	char **blocks;
	size_t nblocks, capblocks;
	char *cur;
	size_t left;
};

/* Memory handed out in pieces from large blocks, all freed when the run ends (the file's
 * records: a million small allocations, and as many frees, otherwise). */
struct imp_arena {
	char **blocks;
	size_t nblocks, capblocks;
	char *cur;
	size_t left;
};

struct imp {
	struct store_conn *db;
	struct actor who; /* every lookup, match and suggestion is bounded by what they see */
	const struct app_import_opts *o;
	const struct imp_kind *k;
	const struct model_entity *e;
	const struct app_resource *res; /* NULL for accounts */
	struct col *cols;
	size_t ncols;
	struct row *rows;
	size_t nrows, cap;
	struct imp_arena rowmem; /* each row's cell pointers and text */
	/* the row being parsed: its cells end to end (each with its NUL) in cur, each starting
	 * at curoff[i] */
	struct buf cur;
	size_t ncur;
	size_t curoff[MAX_COLUMNS];
	bool oom;
	long line_now, next_start;
	long too_wide, too_long; /* the first line past MAX_COLUMNS / MAX_CELL, 0 if none */
	json_t *keys; /* entity → {ext: {}, name: {}} */
	json_t *errors, *ignored;
	struct imp_seen seen;
	struct imp_seen refs; /* account and product cells of a transactions file, resolved */
	/* new transactions waiting for a multi-row insert, and their rollup cells */
	struct store_bulk_row *pending;
	size_t npending, cappending;
	struct imp_cells cells;
	/* (account, 0, "a"): writable or not; (0, product, "p"): exists; (account, 0, "w"): a
	 * stored row there may be changed */
	struct imp_cells checked;
	json_t *rates;
	/* the revenue kam holds (sum of |amount_base|) with the queued rows; read again after
	 * each flush, so a row that would take it past its cap is refused by line */
	int64_t money_total;
	bool money_known;
	int64_t created, updated, unchanged, rejected;
	/* the counts as of the last commit, and whether the run stopped on an error */
	int64_t c_created, c_updated, c_unchanged;
	bool failed;
	char base_currency[4];
	int fiscal_year_start_month; /* targets' quarters are fiscal */
	/* a load large beside the table: one transaction, its indexes built once at the end */
	struct store_bulk_deferred deferred;
	/* stored transactions read ahead by the external ids of the rows before ahead_until,
	 * one statement for AHEAD rows instead of a read per row: ahead_ix maps (id, 0, "s")
	 * to the record's index in ahead plus one (amount; 0 once used). Dropped at every commit,
	 * so a row is always compared with what its own batch's transaction reads. */
	json_t *ahead;
	struct imp_cells ahead_ix;
	size_t ahead_until;
	bool ahead_on; /* where reads are round trips (store_remote), or KAM_IMPORT_READ_AHEAD */
	/* a plain transactions file: a row's cells go straight to its queued row when every
	 * check passes from what the run knows (imp_direct_plan); dcol: the column of each
	 * field that way reads, -1 when the file has none */
	bool direct;
	int dcol[IMP_DIRECT_FIELDS];
	size_t direct_tried, direct_taken, direct_skip; /* the rows it tried of late (try_direct) */
};

/* n bytes from a, aligned for a pointer; NULL without memory. */
void *imp_arena_alloc(struct imp_arena *a, size_t n);
/* Frees every block of a. */
void imp_arena_free(struct imp_arena *a);
/* Reads every record of buf into im->rows, each with the line it starts on. */
int imp_parse(struct imp *im, const char *buf, size_t len, struct kam_errinfo *ei);
/* Maps the header to targets and fields (custom mapping, then CRM tables, then kam's). */
int imp_map_columns(struct imp *im, struct kam_errinfo *ei);
/* Decides each date column's order: the option, the mapping, else the values. */
int imp_decide_dates(struct imp *im, struct kam_errinfo *ei);
/* Refuses a first transactions file all in one currency with no FX rate for it, offering
 * to make it the base currency (the error's base_currency) instead of refusing each row. */
int imp_check_currency(struct imp *im, struct kam_errinfo *ei);
/* Fills the preview (o->preview) with how each column is read and the picklist values of
 * the file, before the rows run. */
int imp_preview_columns(struct imp *im);
/* Adds a row as it would be stored (rec, NULL when it could not be read) to the preview. */
void imp_preview_row(struct imp *im, const struct row *r, const json_t *rec, bool rejected);
/* Puts each row after the row of the same file it refers to (a parent, a manager), keeping
 * file order otherwise; rows whose references loop get .loop set. */
int imp_order_rows(struct imp *im);
/* Decides whether the rows of the file go straight from cells to queued transactions when
 * they can (a transactions file whose columns are all plain fields, no mapped values or
 * defaults, no preview; KAM_IMPORT_DIRECT=0 never). */
void imp_direct_plan(struct imp *im);
/* One data row in its savepoint; a rejected row is recorded, other errors stop the run. */
int imp_row(struct imp *im, struct row *r);
/* The entry of key (a, b, month) in m, added (zeroed) when new; NULL without memory. */
struct imp_cell *imp_cell_at(struct imp_cells *m, int64_t a, int64_t b, const char *month,
                             bool *added);
/* The entry of key (a, b, month) in m, or NULL when there is none. */
struct imp_cell *imp_cell_find(const struct imp_cells *m, int64_t a, int64_t b, const char *month);
/* Frees what m holds. */
void imp_cells_free(struct imp_cells *m);
/* Room in s for n keys without growing; KAM_ENOMEM. */
int imp_seen_reserve(struct imp_seen *s, size_t n);
/* Frees what s holds. */
void imp_seen_free(struct imp_seen *s);
/* Forgets the stored rows read ahead (at a commit: other writers may change them next). */
void imp_ahead_clear(struct imp *im);
/* Writes the queued new transactions and their rollup cells. */
int imp_flush(struct imp *im);

#endif
