/* Random capability tokens and their stored hashes (libsodium). */
#ifndef KAM_UTIL_TOK_H
#define KAM_UTIL_TOK_H
#include <stdbool.h>
#include <stddef.h>

#define TOK_HASH_LEN 65 /* 64 hex digits + NUL */

/* Writes prefix + base64url(nbytes random bytes) into out; 0 ok, -1 when out is too small. */
int tok_random(const char *prefix, size_t nbytes, char *out, size_t outlen);
/* Hex BLAKE2b-256 of tok into out[TOK_HASH_LEN]: what the database keeps instead of the token. */
void tok_hash(const char *tok, char out[TOK_HASH_LEN]);
/* Constant-time equality of two NUL-terminated strings. */
bool tok_equal(const char *a, const char *b);

#endif
