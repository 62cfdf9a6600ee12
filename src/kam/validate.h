/* Request bodies and query values checked against the data model (model/model.h). */
#ifndef KAM_KAM_VALIDATE_H
#define KAM_KAM_VALIDATE_H
#include <stdbool.h>
#include <jansson.h>
#include "model/model.h"
#include "util/err.h"

/* Checks body for a create (required fields present) or a patch; every fault goes in ei. */
int validate_body(const struct model_entity *e, json_t *body, bool create,
		  struct kam_errinfo *ei);
/* Checks one field's value; name is used in the message. */
int validate_value(const struct model_field *f, const json_t *v, struct kam_errinfo *ei);
/* Checks a ?field=value filter's text against the field's type. */
int validate_filter(const struct model_field *f, const char *value, struct kam_errinfo *ei);
/* Number of Unicode code points of a valid UTF-8 string. */
size_t validate_utf8_len(const char *s);
/* Parses a positive decimal id ("42"); -1 when s is not one. */
int64_t validate_id(const char *s);

#endif
