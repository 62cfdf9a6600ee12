/* Query results as JSON, for reports whose shape is not an entity of the model. */
#include "store/internal.h"

int sq_rows(struct store_conn *c, const char *sql, const struct db_val *args, int nargs,
            json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db, sql, args, nargs, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1) {
		json_t *row = json_object();

		for (int i = 0; i < c->ops->ncols(st); i++) {
			json_t *v;

			switch (c->ops->col_type(st, i)) {
			case DBV_NULL:
				v = json_null();
				break;
			case DBV_INT:
				v = json_integer(c->ops->col_int(st, i));
				break;
			case DBV_REAL:
				v = json_real(c->ops->col_real(st, i));
				break;
			default:
				v = json_string(c->ops->col_text(st, i));
			}
			json_object_set_new(row, c->ops->col_name(st, i), v);
		}
		json_array_append_new(arr, row);
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}
