#include <string.h>
#include <sodium.h>
#include "util/tok.h"

int tok_random(const char *prefix, size_t nbytes, char *out, size_t outlen)
{
	unsigned char raw[64];
	size_t plen = strlen(prefix);

	if (nbytes > sizeof(raw) ||
	    outlen < plen + sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	randombytes_buf(raw, nbytes);
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, outlen - plen, raw, nbytes,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

void tok_hash(const char *tok, char out[TOK_HASH_LEN])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)tok, strlen(tok), NULL, 0);
	sodium_bin2hex(out, TOK_HASH_LEN, h, sizeof(h));
}

bool tok_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}
