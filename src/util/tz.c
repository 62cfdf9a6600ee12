#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>
#include "util/err.h"
#include "util/tz.h"

/* name as ICU's UTF-16, into id (TZ_NAME_MAX units); its length, or -1 when it cannot be a
 * zone name (empty, too long, or outside the characters IANA names use). */
static int32_t to_uchars(const char *name, UChar id[TZ_NAME_MAX])
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= TZ_NAME_MAX ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != n)
		return -1;
	u_charsToUChars(name, id, (int32_t)n);
	return (int32_t)n;
}

/* Whether id names a zone of the tz database: ICU answers an unknown id with GMT silently,
 * so the id is checked against its canonical table first ("GMT+09:00" is custom, not IANA). */
static bool known(const UChar *id, int32_t len)
{
	UChar canon[TZ_NAME_MAX * 2];
	UErrorCode st = U_ZERO_ERROR;
	UBool sys = 0;

	ucal_getCanonicalTimeZoneID(id, len, canon, TZ_NAME_MAX * 2, &sys, &st);
	return U_SUCCESS(st) && sys;
}

bool tz_valid(const char *name)
{
	UChar id[TZ_NAME_MAX];
	int32_t len = to_uchars(name, id);

	return len > 0 && known(id, len);
}

int tz_offset(const char *name, int64_t t, int32_t *offset)
{
	UChar id[TZ_NAME_MAX];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal = NULL;
	int32_t len = to_uchars(name, id), zone, dst;
	int rc = KAM_EINVAL;

	*offset = 0;
	if (len <= 0 || !known(id, len))
		return KAM_EINVAL;
	cal = ucal_open(id, len, "", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		goto out;
	ucal_setMillis(cal, (UDate)t * 1000.0, &st);
	zone = ucal_get(cal, UCAL_ZONE_OFFSET, &st);
	dst = ucal_get(cal, UCAL_DST_OFFSET, &st);
	if (U_FAILURE(st))
		goto out;
	*offset = (zone + dst) / 1000;
	rc = KAM_OK;
out:
	if (cal)
		ucal_close(cal);
	return rc;
}
