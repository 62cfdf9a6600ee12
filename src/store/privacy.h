/* Privacy requests: reading what is held about a contact, and the writes of an erasure. */
#ifndef KAM_STORE_PRIVACY_H
#define KAM_STORE_PRIVACY_H
#include "store/store.h"

/* Ids of the interactions the contact attended and of the surveys they answered, oldest
 * first: *out (owned) is {"interactions": [id…], "surveys": [id…]}. */
int store_privacy_refs(struct store_conn *c, int64_t contact_id, json_t **out);
/* Blanks (NULLs) the comments of the contact's surveys; *n says how many changed. */
int store_privacy_blank_surveys(struct store_conn *c, int64_t contact_id, int64_t now, int64_t *n);
/* Deletes who of ours covered the contact and how (their notes may describe the person). */
int store_privacy_drop_coverage(struct store_conn *c, int64_t contact_id, int64_t *n);
/* Audit rows not yet redacted about the contact or their surveys: *rows (owned) is an array
 * of {id, entity, before, after} with before/after parsed (or null). */
int store_privacy_audit_rows(struct store_conn *c, int64_t contact_id, json_t **rows);
/* Replaces an audit row's before/after (NULL = SQL NULL) and marks it redacted at now; the
 * only change the audit log allows (schema 10). */
int store_privacy_audit_redact(struct store_conn *c, int64_t audit_id, const json_t *before,
                               const json_t *after, int64_t now);

/* Up to limit import runs with an id above after_id that have an error report or ignored
 * columns, by id: *rows (owned) is an array of {id, errors, ignored_columns} parsed. */
int store_privacy_import_reports(struct store_conn *c, int64_t after_id, int limit, json_t **rows);
/* Stores an import run's scrubbed error report and ignored columns. */
int store_privacy_import_scrub(struct store_conn *c, int64_t import_id, const json_t *errors,
                               const json_t *ignored, int64_t now);

#endif
