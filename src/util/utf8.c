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
