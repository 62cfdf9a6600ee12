#include <math.h>
#include <stdio.h>
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

static const struct {
	const char *name, *what;
	int64_t cap;
} totals[] = {{"transactions", "the revenue kam holds", MONEY_TOTAL_MAX},
              {"potential", "the potential spend kam holds", MONEY_TOTAL_MAX},
              {"opportunities", "the pipeline kam holds", MONEY_PIPELINE_MAX}};

int64_t money_total_cap(const char *name)
{
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		if (!strcmp(totals[i].name, name))
			return totals[i].cap;
	return 0;
}

bool money_take(int64_t *total, int64_t amount, int64_t cap)
{
	int64_t r;

	if (amount == INT64_MIN || !money_add(*total, amount < 0 ? -amount : amount, &r) || r > cap)
		return false;
	*total = r;
	return true;
}

void money_refusal(const char *name, char *buf, size_t len)
{
	const char *what = "a total kam holds";

	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		if (!strcmp(totals[i].name, name))
			what = totals[i].what;
	snprintf(buf, len,
	         "would take %s past %lld minor units (the sum of all amounts, either sign; "
	         "see the README's limits)",
	         what, (long long)money_total_cap(name));
}
