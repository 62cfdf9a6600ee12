#include <string.h>
#include "kam/revenue.h"

static const struct {
	const char *stage;
	int p;
} stages[] = {{"identified", 10}, {"qualified", 25}, {"proposal", 50},
	      {"negotiation", 75}, {"won", 100},     {"lost", 0}};

int revenue_stage_probability(const char *stage)
{
	for (size_t i = 0; stage && i < sizeof(stages) / sizeof(stages[0]); i++)
		if (!strcmp(stages[i].stage, stage))
			return stages[i].p;
	return -1;
}

int revenue_stage_closed(const char *stage)
{
	return stage && (!strcmp(stage, "won") || !strcmp(stage, "lost"));
}

static json_t *find(json_t *list, json_int_t unit, json_int_t product)
{
	size_t i;
	json_t *x;

	json_array_foreach(list, i, x)
		if (json_integer_value(json_object_get(x, "unit_id")) == unit &&
		    json_integer_value(json_object_get(x, "product_id")) == product)
			return x;
	return NULL;
}

int64_t revenue_whitespace_value(const json_t *cells)
{
	int64_t sum = 0, v;
	json_t *c;
	size_t i;

	json_array_foreach(cells, i, c)
	{
		v = json_integer_value(json_object_get(c, "value"));
		if (v > 0 && sum <= INT64_MAX - v)
			sum += v;
	}
	return sum;
}

json_t *revenue_whitespace(json_t *units, json_t *products, json_t *sold, json_t *open)
{
	json_t *cells = json_array(), *u, *p;
	size_t i, j;

	json_array_foreach(units, i, u)
	{
		json_int_t uid = json_integer_value(json_object_get(u, "id"));

		json_array_foreach(products, j, p)
		{
			json_int_t pid = json_integer_value(json_object_get(p, "id"));
			json_t *s = find(sold, uid, pid);
			const char *state = s ? "sold" : find(open, uid, pid) ? "pipeline" : "white_space";

			json_t *price = json_object_get(p, "list_price_base");

			json_array_append_new(
				cells, json_pack("{s:I,s:I,s:s,s:I,s:O}", "unit_id", uid, "product_id", pid,
						 "state", state, "revenue",
						 s ? json_integer_value(json_object_get(s, "revenue"))
						   : (json_int_t)0,
						 "value",
						 !strcmp(state, "white_space") && json_is_integer(price)
							 ? price
							 : json_null()));
		}
	}
	return cells;
}
