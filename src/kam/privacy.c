#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include "kam/privacy.h"
#include "util/buf.h"

const char *const privacy_contact_fields[] = {"title", "email", "phone", "notes", NULL};

void privacy_erased_name(int64_t contact_id, char *out, size_t len)
{
	snprintf(out, len, "Erased contact #%lld", (long long)contact_id);
}

json_t *privacy_contact_patch(const json_t *rec, int64_t contact_id)
{
	char name[64];
	const char *have = json_string_value(json_object_get(rec, "name"));
	json_t *p = json_object();

	privacy_erased_name(contact_id, name, sizeof(name));
	if (have == NULL || strcmp(have, name) != 0)
		json_object_set_new(p, "name", json_string(name));
	for (const char *const *f = privacy_contact_fields; *f; f++)
		if (!json_is_null(json_object_get(rec, *f)) && json_object_get(rec, *f))
			json_object_set_new(p, *f, json_null());
	return p;
}

/* Sets key to v (stolen) when the object has the key with another value. */
static int replace(json_t *obj, const char *key, json_t *v)
{
	json_t *old = json_object_get(obj, key);

	if (old == NULL || json_equal(old, v)) {
		json_decref(v);
		return 0;
	}
	json_object_set_new(obj, key, v);
	return 1;
}

int privacy_redact(json_t *obj, const char *entity, int64_t contact_id)
{
	int n = 0;

	if (!json_is_object(obj) || entity == NULL)
		return 0;
	if (strcmp(entity, "contact") == 0) {
		char name[64];

		privacy_erased_name(contact_id, name, sizeof(name));
		n += replace(obj, "name", json_string(name));
		for (const char *const *f = privacy_contact_fields; *f; f++)
			n += replace(obj, *f, json_null());
	} else if (strcmp(entity, "survey") == 0) {
		n += replace(obj, "comment", json_null());
	} else if (strcmp(entity, "coverage") == 0) { /* our notes on the relationship */
		n += replace(obj, "notes", json_null());
	}
	return n;
}

/* A byte that continues a word: an ASCII letter or digit, or any byte of a UTF-8 sequence. */
static bool wordy(unsigned char ch)
{
	return ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z');
}

/* A scrubbed copy of s (malloc'd, caller frees), or NULL when needle does not occur. */
static char *scrub_str(const char *s, size_t len, const char *needle, size_t nl, const char *repl)
{
	struct buf out = {0};
	size_t i = 0, run = 0;
	bool hit = false;

	while (i < len) {
		bool at = i + nl <= len && strncasecmp(s + i, needle, nl) == 0 &&
		          (i == 0 || !wordy((unsigned char)s[i - 1]) ||
		           !wordy((unsigned char)needle[0])) &&
		          (i + nl == len || !wordy((unsigned char)s[i + nl]) ||
		           !wordy((unsigned char)needle[nl - 1]));

		if (!at) {
			i++;
			continue;
		}
		buf_put(&out, s + run, i - run);
		buf_puts(&out, repl);
		i += nl;
		run = i;
		hit = true;
	}
	buf_put(&out, s + run, len - run);
	if (!hit || (out.len == len && memcmp(out.data, s, len) == 0)) { /* nothing, or itself */
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out, NULL);
}

int privacy_scrub(json_t *v, const char *needle, const char *repl)
{
	size_t nl = needle ? strlen(needle) : 0, i;
	const char *k;
	json_t *x;
	int n = 0;

	if (nl < 2)
		return 0;
	if (json_is_string(v)) {
		/* in place: the string keeps its slot in its array or object */
		char *s = scrub_str(json_string_value(v), json_string_length(v), needle, nl, repl);

		if (s == NULL)
			return 0;
		n = json_string_set(v, s) == 0;
		free(s);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) n += privacy_scrub(x, needle, repl);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) n += privacy_scrub(x, needle, repl);
	}
	return n;
}
