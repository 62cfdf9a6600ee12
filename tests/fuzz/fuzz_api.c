/*
 * The whole request path under libFuzzer: routing, auth, body and query parsing, validation,
 * the application layer and SQLite, as an ordinary KAM (input of even length) or an admin.
 *
 * Input: "METHOD /path?query\n" then the body. The database is a temporary SQLite file with
 * the demo data, made once; what one input writes, the next sees. A 5xx other than 503 is a
 * defect: abort() so libFuzzer keeps the input. Seeds: tests/fuzz/corpus/fuzz_api/.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "http/http.h"
#include "fuzz_db.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_init();
	return 0;
}

/* Splits "k=v&k2=v2" in place into rq's query, percent-decoded as libmicrohttpd would. */
static void split_query(char *q, struct req *rq)
{
	char *save = NULL;

	for (char *kv = strtok_r(q, "&", &save); kv && rq->nquery < HTTP_MAX_QUERY;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq++ = '\0';
		MHD_http_unescape(kv);
		if (eq)
			MHD_http_unescape(eq);
		rq->query[rq->nquery].key = kv;
		rq->query[rq->nquery++].value = eq ? eq : "";
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *nl, *sp, *q;
	struct req rq;

	if (in == NULL || size == 0)
		goto out;
	memcpy(in, data, size);
	in[size] = '\0';
	if ((nl = memchr(in, '\n', size)) == NULL || (sp = strchr(in, ' ')) == NULL || sp > nl)
		goto out;
	*nl = '\0';
	*sp = '\0';
	memset(&rq, 0, sizeof(rq));
	rq.method = in;
	rq.path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q++ = '\0';
		split_query(q, &rq);
	}
	MHD_http_unescape((char *)rq.path);
	if (rq.path[0] != '/' || strlen(rq.method) > 10)
		goto out;
	rq.body = nl + 1;
	rq.body_len = size - (size_t)(nl + 1 - in);
	/* a body that opens like JSON is sent as JSON, anything else as a CSV file */
	rq.content_type = rq.body[0] == '{' || rq.body[0] == '[' ? "application/json" : "text/csv";
	fuzz_server_send("fuzz_api", &rq, size & 1 ? FUZZ_ADMIN : FUZZ_ANNA);
out:
	free(in);
	return 0;
}
