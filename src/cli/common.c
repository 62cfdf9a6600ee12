/* What every subcommand shares: the user it runs as, and how a refusal is printed. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "kam/auth.h"
#include "util/err.h"

int cli_run_as(struct store_conn *c, const char *email, int64_t now, struct actor *who)
{
	struct store_auth a;
	char *hash = NULL;
	int rc;

	*who = (struct actor){.now = now};
	if (email) {
		rc = store_user_by_email(c, email, &a, &hash);
		free(hash);
		if (rc != KAM_OK || !a.active) {
			fprintf(stderr, "kam: no active user %s\n", email);
			return KAM_ENOTFOUND;
		}
		who->user_id = a.user_id;
		who->role = auth_role_parse(a.role);
	} else {
		struct store_list q = {
		    .sort = "id", .limit = 100, .filters = json_pack("{s:s}", "role", "admin")};
		json_t *items = NULL, *it;
		char *next = NULL;
		size_t i;

		rc = store_list(c, &model_user, &q, &items, &next);
		json_decref(q.filters);
		free(next);
		who->user_id = 0;
		json_array_foreach(items, i, it) if (who->user_id == 0 &&
		                                     json_is_true(json_object_get(it, "active")))
		    who->user_id = json_integer_value(json_object_get(it, "id"));
		json_decref(items);
		if (rc != KAM_OK || who->user_id == 0) {
			fprintf(stderr, "kam: no admin to run the import as; pass --as EMAIL\n");
			return KAM_ENOTFOUND;
		}
		who->role = ROLE_ADMIN;
	}
	return KAM_OK;
}

void cli_print_refusal(const char *what, const struct kam_errinfo *ei, const char *otherwise)
{
	json_t *e;
	size_t i;

	/* the detail repeats the first error, cut: the errors are printed in full */
	if (json_array_size(ei->errors) == 0) {
		fprintf(stderr, "kam: %s refused: %s\n", what, ei->detail[0] ? ei->detail : otherwise);
		return;
	}
	fprintf(stderr, "kam: %s refused\n", what);
	json_array_foreach(ei->errors, i, e)
	    fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(e, "field")),
	            json_string_value(json_object_get(e, "message")));
}
