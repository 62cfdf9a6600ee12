#include <stdio.h>
#include <string.h>
#include "kam/privacy.h"

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
	}
	return n;
}
