/*
 * Time zones by IANA name ("Asia/Tokyo", "UTC"), through ICU's calendar (its own copy of
 * the tz database): never the process TZ, localtime or setenv, which are process-wide and
 * not thread-safe. Zones only answer "what is the UTC offset at this instant"; the dates
 * that follow from it are kam/date's.
 */
#ifndef KAM_UTIL_TZ_H
#define KAM_UTIL_TZ_H
#include <stdbool.h>
#include <stdint.h>

#define TZ_NAME_MAX 64 /* the longest IANA name is 32 characters; with its NUL */

/* True when name is an IANA zone ICU knows ("UTC", "Europe/Berlin"; not "GMT+9" or ""). */
bool tz_valid(const char *name);
/* The UTC offset of zone name at Unix time t, in seconds east of UTC, daylight saving
 * included, into *offset; KAM_EINVAL (and *offset 0) when name is not a valid zone. */
int tz_offset(const char *name, int64_t t, int32_t *offset);

#endif
