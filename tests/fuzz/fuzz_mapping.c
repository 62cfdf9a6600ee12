/*
 * The import mapping file under libFuzzer: the JSON object `kam import --mapping FILE` reads
 * and POST /api/v1/imports takes as {"csv", "mapping"}: base (salesforce, hubspot), columns
 * (header → target, null to ignore), values (per target: file value → kam value), defaults
 * (field → value for every row) and date_format. It has no parser of its own: the importer
 * reads it as it maps the header (imp_map_columns), decides the date columns
 * (imp_decide_dates) and builds each row (custom values, defaults), so the harness runs a
 * whole dry-run import as the admin into the demo database with the fuzzed mapping.
 *
 * Input: one byte (kind, date format), then the mapping as JSON text, then optionally a NUL
 * byte and the CSV file; without one, a small file whose headers the seeds' mappings name.
 * The mapping is read as both doors read it (duplicate keys refused, an object or nothing).
 * Seeds: tests/fuzz/corpus/fuzz_mapping/.
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

static const char default_csv[] =
    "External ID;Name;Kunde;Produkt;Datum;Betrag;Email;Stage;Status;Notiz\n"
    "RE-1;Initech GmbH;Initech GmbH;Widget-Pro;1/2/2026;1.000,00;a@initech.example;Won;open;x\n"
    "RE-2;Hooli Europe;hooli europe;Core Platform;13/2/2026;-5;;lost;;\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {
	    "accounts",     "contacts",      "products",     "units", "fx-rates",
	    "transactions", "opportunities", "interactions", "cases", "surveys"};
	struct app_import_opts o = {0};
	const uint8_t *nul;
	json_t *map;
	size_t maplen, csvlen;
	char *csv;

	if (size < 1)
		return 0;
	nul = memchr(data + 1, '\0', size - 1);
	maplen = nul ? (size_t)(nul - data - 1) : size - 1;
	map = json_loadb((const char *)data + 1, maplen, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(map)) {
		json_decref(map);
		return 0;
	}
	csvlen = nul ? size - maplen - 2 : sizeof(default_csv) - 1;
	/* a copy the size of the file: a read past its end is ASan's to report */
	if ((csv = malloc(csvlen ? csvlen : 1)) == NULL) {
		json_decref(map);
		return 0;
	}
	memcpy(csv, nul ? (const char *)nul + 1 : default_csv, csvlen);
	o.kind = kinds[data[0] % 10];
	o.custom = map;
	o.mapping = json_string_value(json_object_get(map, "base"));
	o.datefmt = (data[0] >> 6) & 1 ? data[0] >> 4 & 3 : 0; /* mostly auto */
	fuzz_import_dry_run(&o, csv, csvlen);
	json_decref(map);
	free(csv);
	return 0;
}
