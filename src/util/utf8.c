#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include "util/utf8.h"

bool utf8_valid(const char *s)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t n = 0;

	/* a pre-flight: no room to convert into, so a well-formed string "overflows" */
	u_strFromUTF8(NULL, 0, &n, s, -1, &e);
	return U_SUCCESS(e) || e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING;
}

int utf8_ascii_lower(const char *s, char *out, size_t outlen)
{
	static const UChar id[] = {'A', 'n', 'y', '-', 'L', 'a', 't', 'i', 'n', ';', ' ',
	                           'L', 'a', 't', 'i', 'n', '-', 'A', 'S', 'C', 'I', 'I',
	                           ';', ' ', 'L', 'o', 'w', 'e', 'r', '(', ')', 0};
	UErrorCode e = U_ZERO_ERROR;
	UChar buf[512];
	int32_t n = 0, limit, cap = (int32_t)(sizeof(buf) / sizeof(buf[0]));
	UTransliterator *t;
	int rc = -1;

	u_strFromUTF8(buf, cap / 2, &n, s, -1, &e); /* room for the text to grow */
	if (U_FAILURE(e) || e == U_STRING_NOT_TERMINATED_WARNING)
		return -1;
	t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
	limit = n;
	if (U_SUCCESS(e))
		utrans_transUChars(t, buf, &n, cap, 0, &limit, &e);
	if (U_SUCCESS(e) && e != U_STRING_NOT_TERMINATED_WARNING) {
		int32_t len = 0;

		u_strToUTF8(out, (int32_t)outlen, &len, buf, n, &e);
		rc = U_SUCCESS(e) && e != U_STRING_NOT_TERMINATED_WARNING ? 0 : -1;
	}
	if (t)
		utrans_close(t);
	return rc;
}

void utf8_copy(char *dst, size_t len, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void utf8_sanitize(char *dst, size_t len, const char *src)
{
	UErrorCode e = U_ZERO_ERROR;
	UChar u[512];
	char out[3 * 512 + 1]; /* a UTF-16 unit is at most three bytes of UTF-8 */
	int32_t n = 0, m = 0;

	u_strFromUTF8WithSub(u, 512, &n, src, (int32_t)strnlen(src, 511), 0xFFFD, NULL, &e);
	if (U_SUCCESS(e))
		u_strToUTF8(out, (int32_t)sizeof(out), &m, u, n, &e);
	if (U_FAILURE(e) || m >= (int32_t)sizeof(out))
		m = 0;
	out[m] = '\0';
	utf8_copy(dst, len, out);
}
