/* Privacy requests: what erasing a contact changes, as pure functions over records. */
#ifndef KAM_KAM_PRIVACY_H
#define KAM_KAM_PRIVACY_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The contact fields an erasure nulls (the name is replaced, see privacy_erased_name). */
extern const char *const privacy_contact_fields[];

/* "Erased contact #ID" into out. */
void privacy_erased_name(int64_t contact_id, char *out, size_t len);
/* The changes that anonymise contact rec (as stored): a new object (owned by the caller) with
 * name and the personal fields that are not already anonymous; empty when nothing is left. */
json_t *privacy_contact_patch(const json_t *rec, int64_t contact_id);
/* Redacts the personal data in an audit row's before/after object of entity ("contact":
 * the contact's fields, "survey": the comment); obj may be NULL or not an object. Returns
 * how many keys changed. */
int privacy_redact(json_t *obj, const char *entity, int64_t contact_id);
/* Replaces every whole-word, ASCII-case-insensitive occurrence of needle by repl in each
 * string inside v (arrays and objects walked, keys kept); needles shorter than 2 bytes are
 * ignored. Returns how many strings changed. */
int privacy_scrub(json_t *v, const char *needle, const char *repl);

#endif
