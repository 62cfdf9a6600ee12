/*
 * A whole CSV import under libFuzzer, a dry run as an admin into the demo database: the file
 * reader, header mapping (kam's names, Salesforce, HubSpot), every cell parser (dates in each
 * format, numbers, money, picklists, references) and the per-row checks.
 *
 * Input: one byte that picks the kind, the mapping and the date format, then the file.
 * Seeds: tests/fuzz/corpus/fuzz_import/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "app/import.h"
#include "fuzz_db.h"

static struct store *st;
static struct actor admin = {.role = ROLE_ADMIN};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	st = fuzz_demo_store();
	admin.user_id = fuzz_user(st, "admin@example.com");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"accounts",      "contacts",     "products",
	                                    "units",         "fx-rates",     "transactions",
	                                    "opportunities", "interactions", "cases",
	                                    "surveys"};
	static const char *const mappings[] = {NULL, "salesforce", "hubspot", NULL};
	struct app_import_opts o = {0};
	struct kam_errinfo ei = {0};
	struct store_conn *c = NULL;
	json_t *result = NULL;
	char *csv;

	if (size < 1 || (csv = malloc(size)) == NULL)
		return 0;
	/* a copy the size of the file: a read past its end is ASan's to report */
	memcpy(csv, data + 1, size - 1);
	o.kind = kinds[data[0] % 10];
	o.mapping = mappings[(data[0] >> 4) & 3];
	o.datefmt = data[0] >> 6; /* auto, ISO, M/D/Y, D/M/Y */
	o.dry_run = true;
	admin.now = 1772323200; /* 2026-03-01 */
	store_acquire(st, &c);
	app_import_run(c, &admin, &o, csv, size - 1, &result, &ei);
	store_release(st, c);
	json_decref(result);
	err_clear(&ei);
	free(csv);
	return 0;
}
