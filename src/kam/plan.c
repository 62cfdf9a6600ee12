#include <string.h>
#include "kam/plan.h"

bool plan_progress(const json_t *o, double *out)
{
	json_t *b = json_object_get(o, "baseline"), *t = json_object_get(o, "target"),
	       *c = json_object_get(o, "current");
	double p;

	if (!json_is_number(b) || !json_is_number(t) || !json_is_number(c) ||
	    json_number_value(t) == json_number_value(b))
		return false;
	p = (json_number_value(c) - json_number_value(b)) /
	    (json_number_value(t) - json_number_value(b));
	*out = p < 0 ? 0 : p > 1 ? 1 : p;
	return true;
}

bool plan_action_overdue(const json_t *a, const char *today)
{
	const char *status = json_string_value(json_object_get(a, "status"));
	const char *due = json_string_value(json_object_get(a, "due_on"));

	return due && status && (!strcmp(status, "open") || !strcmp(status, "in_progress")) &&
	       strcmp(due, today) < 0;
}
