#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kam/date.h"
#include "kam/money.h"
#include "kam/validate.h"
#include "util/time.h"

size_t validate_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int64_t validate_id(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v <= 0)
		return -1;
	return (int64_t)v;
}

static bool has_control(const char *s, bool allow_newlines)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 && !(allow_newlines && (ch == '\n' || ch == '\r' || ch == '\t')))
			return true;
		if (ch == 0x7f)
			return true;
	}
	return false;
}

static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || s[strlen(s) - 1] == '.')
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || *s == '<' || *s == '>' || *s == '"' || *s == ',')
			return false;
	return true;
}

static bool text_len_ok(const struct model_field *f, const char *s, struct kam_errinfo *ei)
{
	size_t n = validate_utf8_len(s);

	if (f->max > 0 && (int64_t)n > f->max) {
		err_field(ei, f->name, "must be at most %lld characters (got %zu)",
			  (long long)f->max, n);
		return false;
	}
	if (f->min > 0 && (int64_t)n < f->min) {
		err_field(ei, f->name, "must not be empty");
		return false;
	}
	return true;
}

int validate_value(const struct model_field *f, const json_t *v, struct kam_errinfo *ei)
{
	const char *s;

	if (json_is_null(v)) {
		if (f->flags & (MF_NOTNULL | MF_REQUIRED)) {
			err_field(ei, f->name, "must not be null");
			return KAM_EINVAL;
		}
		return KAM_OK;
	}
	switch (f->type) {
	case MT_INT:
	case MT_REF:
		if (!json_is_integer(v)) {
			err_field(ei, f->name, "must be an integer");
			return KAM_EINVAL;
		}
		if (json_integer_value(v) < f->min || json_integer_value(v) > f->max) {
			err_field(ei, f->name, "must be between %lld and %lld", (long long)f->min,
				  (long long)f->max);
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_BOOL:
		if (!json_is_boolean(v)) {
			err_field(ei, f->name, "must be true or false");
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_NUM:
		if (!json_is_number(v)) {
			err_field(ei, f->name, "must be a number");
			return KAM_EINVAL;
		}
		if (json_number_value(v) < (double)f->min || json_number_value(v) > (double)f->max) {
			err_field(ei, f->name, "must be between %lld and %lld", (long long)f->min,
				  (long long)f->max);
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_REFS: {
		size_t i, j;
		json_t *t;

		if (!json_is_array(v) || json_array_size(v) > (size_t)f->max) {
			err_field(ei, f->name, "must be an array of at most %lld ids", (long long)f->max);
			return KAM_EINVAL;
		}
		json_array_foreach(v, i, t)
		{
			if (!json_is_integer(t) || json_integer_value(t) < 1) {
				err_field(ei, f->name, "each element must be a positive integer id");
				return KAM_EINVAL;
			}
			for (j = 0; j < i; j++)
				if (json_equal(t, json_array_get(v, j))) {
					err_field(ei, f->name, "id %lld is repeated",
						  (long long)json_integer_value(t));
					return KAM_EINVAL;
				}
		}
		return KAM_OK;
	}
	case MT_TAGS: {
		size_t i, j;
		json_t *t;

		if (!json_is_array(v) || json_array_size(v) > 20) {
			err_field(ei, f->name, "must be an array of at most 20 strings");
			return KAM_EINVAL;
		}
		json_array_foreach(v, i, t)
		{
			if (!json_is_string(t) || json_string_length(t) == 0 ||
			    validate_utf8_len(json_string_value(t)) > (size_t)f->max ||
			    has_control(json_string_value(t), false)) {
				err_field(ei, f->name, "each tag must be a string of 1 to %lld characters",
					  (long long)f->max);
				return KAM_EINVAL;
			}
			for (j = 0; j < i; j++)
				if (json_equal(t, json_array_get(v, j))) {
					err_field(ei, f->name, "tag \"%s\" is repeated",
						  json_string_value(t));
					return KAM_EINVAL;
				}
		}
		return KAM_OK;
	}
	default:
		break;
	}
	if (!json_is_string(v)) {
		err_field(ei, f->name, "must be a string");
		return KAM_EINVAL;
	}
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		err_field(ei, f->name, "must not contain NUL characters");
		return KAM_EINVAL;
	}
	switch (f->type) {
	case MT_TEXT:
		if (!text_len_ok(f, s, ei))
			return KAM_EINVAL;
		if (has_control(s, true)) {
			err_field(ei, f->name, "must not contain control characters");
			return KAM_EINVAL;
		}
		if ((f->flags & MF_REQUIRED) && strspn(s, " \t\r\n") == strlen(s)) {
			err_field(ei, f->name, "must not be blank");
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_DATE:
		if (!date_valid(s)) {
			err_field(ei, f->name,
			          "must be a date written YYYY-MM-DD between " DATE_MIN_TEXT
			          " and " DATE_MAX_TEXT);
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_TIME: {
		int64_t t;

		if (date_parse_time(s, &t) != KAM_OK) {
			err_field(ei, f->name,
			          "must be a UTC timestamp such as 2026-03-01T09:30:00Z, "
			          "between " DATE_MIN_TEXT " and " DATE_MAX_TEXT);
			return KAM_EINVAL;
		}
		return KAM_OK;
	}
	case MT_ENUM:
		if (!model_enum_has(f->values, s)) {
			char list[256] = "";
			size_t n = 0;

			for (const char *const *p = f->values; *p && n < sizeof(list) - 40; p++)
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
						      n ? ", " : "", *p);
			err_field(ei, f->name, "must be one of: %s", list);
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_CURRENCY:
		if (strlen(s) != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
		    !isupper((unsigned char)s[2])) {
			err_field(ei, f->name, "must be an ISO 4217 code such as EUR");
			return KAM_EINVAL;
		}
		/* amounts are stored in minor units, so the digits of the code must be known */
		if (!money_currency_known(s)) {
			err_field(
			    ei, f->name,
			    "%s is not an ISO 4217 currency (GET /api/v1/currencies lists them)",
			    s);
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_EMAIL:
		if (!text_len_ok(f, s, ei))
			return KAM_EINVAL;
		if (!email_ok(s)) {
			err_field(ei, f->name, "must be an e-mail address");
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_URL:
		if (!text_len_ok(f, s, ei))
			return KAM_EINVAL;
		if ((strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) ||
		    has_control(s, false) || strchr(s, ' ')) {
			err_field(ei, f->name, "must be an http:// or https:// address");
			return KAM_EINVAL;
		}
		return KAM_OK;
	default:
		err_field(ei, f->name, "cannot be written");
		return KAM_EINVAL;
	}
}

int validate_body(const struct model_entity *e, json_t *body, bool create,
		  struct kam_errinfo *ei)
{
	const char *key;
	json_t *v;
	int rc = KAM_OK;

	if (!json_is_object(body)) {
		err_detail(ei, "the body must be a JSON object");
		return KAM_EINVAL;
	}
	json_object_foreach(body, key, v)
	{
		const struct model_field *f = model_field_find(e, key);

		if (f == NULL || (f->flags & MF_INTERNAL)) {
			err_field(ei, key, "is not a field of %s", e->name);
			rc = KAM_EINVAL;
		} else if (f->flags & MF_READONLY) {
			err_field(ei, key, "is read-only");
			rc = KAM_EINVAL;
		} else if (validate_value(f, v, ei) != KAM_OK) {
			rc = KAM_EINVAL;
		}
	}
	if (create) {
		for (size_t i = 0; i < e->nfields; i++) {
			const struct model_field *f = &e->fields[i];

			if ((f->flags & MF_REQUIRED) && json_object_get(body, f->name) == NULL) {
				err_field(ei, f->name, "is required");
				rc = KAM_EINVAL;
			}
		}
	}
	if (rc != KAM_OK && ei && ei->errors && json_array_size(ei->errors) > 1)
		err_detail(ei, "%zu fields are invalid", json_array_size(ei->errors));
	return rc;
}

int validate_filter(const struct model_field *f, const char *value, struct kam_errinfo *ei)
{
	json_t *v;
	int rc;

	switch (f->type) {
	case MT_INT:
	case MT_REF: {
		char *end;

		errno = 0;
		(void)strtoll(value, &end, 10);
		if (*value == '\0' || *end != '\0' || errno) {
			err_field(ei, f->name, "filter must be an integer");
			return KAM_EINVAL;
		}
		return KAM_OK;
	}
	case MT_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			err_field(ei, f->name, "filter must be true or false");
			return KAM_EINVAL;
		}
		return KAM_OK;
	case MT_TAGS:
		if (*value == '\0' || validate_utf8_len(value) > (size_t)f->max) {
			err_field(ei, f->name, "filter must be a tag");
			return KAM_EINVAL;
		}
		return KAM_OK;
	default:
		v = json_string(value);
		if (v == NULL) {
			err_field(ei, f->name, "filter must be valid UTF-8");
			return KAM_EINVAL;
		}
		rc = validate_value(f, v, ei);
		json_decref(v);
		return rc;
	}
}
