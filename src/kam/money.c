#include <math.h>
#include <string.h>
#include "kam/money.h"

bool money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_row_ok(int64_t amount)
{
	return amount >= -MONEY_ROW_MAX && amount <= MONEY_ROW_MAX;
}

bool money_rate_ok(double rate)
{
	return isfinite(rate) && rate >= MONEY_RATE_MIN && rate <= MONEY_RATE_MAX;
}

bool money_convert(int64_t amount, double rate, int64_t *out)
{
	double v;

	if (!money_rate_ok(rate) || !money_row_ok(amount))
		return false;
	/* both bounded, so the double is far inside llround's range; the check below is on
	 * the rounded integer, so a product just past the cap is refused too */
	v = (double)amount * rate;
	if (!(fabs(v) <= (double)MONEY_ROW_MAX * 2))
		return false;
	if (!money_row_ok((int64_t)llround(v)))
		return false;
	*out = (int64_t)llround(v);
	return true;
}

int64_t money_total_cap(const char *name)
{
	if (!strcmp(name, "transactions") || !strcmp(name, "potential"))
		return MONEY_TOTAL_MAX;
	if (!strcmp(name, "opportunities"))
		return MONEY_PIPELINE_MAX;
	return 0;
}
