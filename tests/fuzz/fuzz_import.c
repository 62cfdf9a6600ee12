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
#include "fuzz_db.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_import_init();
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
	char *csv;

	if (size < 1 || (csv = malloc(size)) == NULL)
		return 0;
	/* a copy the size of the file: a read past its end is ASan's to report */
	memcpy(csv, data + 1, size - 1);
	o.kind = kinds[data[0] % 10];
	o.mapping = mappings[(data[0] >> 4) & 3];
	o.datefmt = data[0] >> 6; /* auto, ISO, M/D/Y, D/M/Y */
	fuzz_import_dry_run(&o, csv, size - 1);
	free(csv);
	return 0;
}
