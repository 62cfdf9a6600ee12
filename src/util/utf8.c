#include <string.h>
#include <unicode/ustring.h>
#include "util/utf8.h"

bool utf8_valid(const char *s)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t n = 0;

	/* a pre-flight: no room to convert into, so a well-formed string "overflows" */
	u_strFromUTF8(NULL, 0, &n, s, -1, &e);
	return U_SUCCESS(e) || e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING;
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
