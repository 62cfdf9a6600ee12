#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/money.h"

#define ACT MONEY_ACTIVE
#define NA MONEY_NO_MINOR
#define OLD MONEY_WITHDRAWN

/* ISO 4217, sorted by code for bsearch; see money.h for what is in it */
/* clang-format off */
static const struct money_currency currencies[] = {
	{"AED", 2, ACT}, {"AFN", 2, ACT}, {"ALL", 2, ACT}, {"AMD", 2, ACT}, {"ANG", 2, OLD},
	{"AOA", 2, ACT}, {"ARS", 2, ACT}, {"AUD", 2, ACT}, {"AWG", 2, ACT}, {"AZN", 2, ACT},
	{"BAM", 2, ACT}, {"BBD", 2, ACT}, {"BDT", 2, ACT}, {"BGN", 2, OLD}, {"BHD", 3, ACT},
	{"BIF", 0, ACT}, {"BMD", 2, ACT}, {"BND", 2, ACT}, {"BOB", 2, ACT}, {"BOV", 2, ACT},
	{"BRL", 2, ACT}, {"BSD", 2, ACT}, {"BTN", 2, ACT}, {"BWP", 2, ACT}, {"BYN", 2, ACT},
	{"BYR", 0, OLD}, {"BZD", 2, ACT},
	{"CAD", 2, ACT}, {"CDF", 2, ACT}, {"CHE", 2, ACT}, {"CHF", 2, ACT}, {"CHW", 2, ACT},
	{"CLF", 4, ACT}, {"CLP", 0, ACT}, {"CNY", 2, ACT}, {"COP", 2, ACT}, {"COU", 2, ACT},
	{"CRC", 2, ACT}, {"CUC", 2, OLD}, {"CUP", 2, ACT}, {"CVE", 2, ACT}, {"CZK", 2, ACT},
	{"DJF", 0, ACT}, {"DKK", 2, ACT}, {"DOP", 2, ACT}, {"DZD", 2, ACT},
	{"EGP", 2, ACT}, {"ERN", 2, ACT}, {"ETB", 2, ACT}, {"EUR", 2, ACT},
	{"FJD", 2, ACT}, {"FKP", 2, ACT},
	{"GBP", 2, ACT}, {"GEL", 2, ACT}, {"GHS", 2, ACT}, {"GIP", 2, ACT}, {"GMD", 2, ACT},
	{"GNF", 0, ACT}, {"GTQ", 2, ACT}, {"GYD", 2, ACT},
	{"HKD", 2, ACT}, {"HNL", 2, ACT}, {"HRK", 2, OLD}, {"HTG", 2, ACT}, {"HUF", 2, ACT},
	{"IDR", 2, ACT}, {"ILS", 2, ACT}, {"INR", 2, ACT}, {"IQD", 3, ACT}, {"IRR", 2, ACT},
	{"ISK", 0, ACT},
	{"JMD", 2, ACT}, {"JOD", 3, ACT}, {"JPY", 0, ACT},
	{"KES", 2, ACT}, {"KGS", 2, ACT}, {"KHR", 2, ACT}, {"KMF", 0, ACT}, {"KPW", 2, ACT},
	{"KRW", 0, ACT}, {"KWD", 3, ACT}, {"KYD", 2, ACT}, {"KZT", 2, ACT},
	{"LAK", 2, ACT}, {"LBP", 2, ACT}, {"LKR", 2, ACT}, {"LRD", 2, ACT}, {"LSL", 2, ACT},
	{"LTL", 2, OLD}, {"LYD", 3, ACT},
	{"MAD", 2, ACT}, {"MDL", 2, ACT}, {"MGA", 2, ACT}, {"MKD", 2, ACT}, {"MMK", 2, ACT},
	{"MNT", 2, ACT}, {"MOP", 2, ACT}, {"MRO", 2, OLD}, {"MRU", 2, ACT}, {"MUR", 2, ACT},
	{"MVR", 2, ACT}, {"MWK", 2, ACT}, {"MXN", 2, ACT}, {"MXV", 2, ACT}, {"MYR", 2, ACT},
	{"MZN", 2, ACT},
	{"NAD", 2, ACT}, {"NGN", 2, ACT}, {"NIO", 2, ACT}, {"NOK", 2, ACT}, {"NPR", 2, ACT},
	{"NZD", 2, ACT},
	{"OMR", 3, ACT},
	{"PAB", 2, ACT}, {"PEN", 2, ACT}, {"PGK", 2, ACT}, {"PHP", 2, ACT}, {"PKR", 2, ACT},
	{"PLN", 2, ACT}, {"PYG", 0, ACT},
	{"QAR", 2, ACT},
	{"RON", 2, ACT}, {"RSD", 2, ACT}, {"RUB", 2, ACT}, {"RWF", 0, ACT},
	{"SAR", 2, ACT}, {"SBD", 2, ACT}, {"SCR", 2, ACT}, {"SDG", 2, ACT}, {"SEK", 2, ACT},
	{"SGD", 2, ACT}, {"SHP", 2, ACT}, {"SLE", 2, ACT}, {"SLL", 2, OLD}, {"SOS", 2, ACT},
	{"SRD", 2, ACT}, {"SSP", 2, ACT}, {"STD", 2, OLD}, {"STN", 2, ACT}, {"SVC", 2, ACT},
	{"SYP", 2, ACT}, {"SZL", 2, ACT},
	{"THB", 2, ACT}, {"TJS", 2, ACT}, {"TMT", 2, ACT}, {"TND", 3, ACT}, {"TOP", 2, ACT},
	{"TRY", 2, ACT}, {"TTD", 2, ACT}, {"TWD", 2, ACT}, {"TZS", 2, ACT},
	{"UAH", 2, ACT}, {"UGX", 0, ACT}, {"USD", 2, ACT}, {"USN", 2, ACT}, {"UYI", 0, ACT},
	{"UYU", 2, ACT}, {"UYW", 4, ACT}, {"UZS", 2, ACT},
	{"VED", 2, ACT}, {"VEF", 2, OLD}, {"VES", 2, ACT}, {"VND", 0, ACT}, {"VUV", 0, ACT},
	{"WST", 2, ACT},
	{"XAD", 2, ACT}, {"XAF", 0, ACT}, {"XAG", 0, NA}, {"XAU", 0, NA}, {"XBA", 0, NA},
	{"XBB", 0, NA}, {"XBC", 0, NA}, {"XBD", 0, NA}, {"XCD", 2, ACT}, {"XCG", 2, ACT},
	{"XDR", 0, NA}, {"XOF", 0, ACT}, {"XPD", 0, NA}, {"XPF", 0, ACT}, {"XPT", 0, NA},
	{"XSU", 0, NA}, {"XTS", 0, NA}, {"XUA", 0, NA}, {"XXX", 0, NA},
	{"YER", 2, ACT},
	{"ZAR", 2, ACT}, {"ZMW", 2, ACT}, {"ZWG", 2, ACT}, {"ZWL", 2, OLD},
};
/* clang-format on */

#undef ACT
#undef NA
#undef OLD

const struct money_currency *money_currencies(size_t *n)
{
	*n = sizeof(currencies) / sizeof(currencies[0]);
	return currencies;
}

static int cmp_code(const void *key, const void *elem)
{
	return strcmp(key, ((const struct money_currency *)elem)->code);
}

static const struct money_currency *find(const char *code)
{
	if (code == NULL || strlen(code) != 3)
		return NULL;
	return bsearch(code, currencies, sizeof(currencies) / sizeof(currencies[0]),
	               sizeof(currencies[0]), cmp_code);
}

bool money_currency_known(const char *code)
{
	return find(code) != NULL;
}

int money_digits(const char *code)
{
	const struct money_currency *c = find(code);

	return c ? c->digits : 2;
}

int64_t money_unit(const char *code)
{
	int64_t u = 1;

	for (int d = money_digits(code); d > 0; d--)
		u *= 10;
	return u;
}

void money_text(int64_t minor, const char *code, char *buf, size_t len)
{
	uint64_t a = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t unit = (uint64_t)money_unit(code);
	int d = money_digits(code);
	char whole[24], grouped[32], frac[8] = "";
	size_t n, o = 0;

	snprintf(whole, sizeof(whole), "%llu", (unsigned long long)(a / unit));
	n = strlen(whole);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = whole[i];
	}
	grouped[o] = '\0';
	if (d > 0) { /* d is at most 4 */
		uint64_t r = a % unit;

		frac[0] = '.';
		for (int i = d; i > 0; i--, r /= 10)
			frac[i] = (char)('0' + r % 10);
		frac[d + 1] = '\0';
	}
	snprintf(buf, len, "%s%s%s%s%s", minor < 0 ? "-" : "", code ? code : "", code ? " " : "",
	         grouped, frac);
}

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

/* exact powers of ten up to the largest minor unit (4) */
static const double p10[] = {1, 10, 100, 1000, 10000};

double money_scale(const char *from, const char *to)
{
	int shift = money_digits(to) - money_digits(from);

	return shift >= 0 ? p10[shift] : 1 / p10[-shift];
}

bool money_convert(int64_t amount, double rate, int64_t *out)
{
	return money_convert_to(amount, NULL, NULL, rate, out);
}

bool money_convert_to(int64_t amount, const char *from, const char *to, double rate, int64_t *out)
{
	/* a row in the base currency (most of an import's) needs no table lookups */
	int shift = from == to || (from && to && !strcmp(from, to))
	                ? 0
	                : money_digits(to) - money_digits(from);
	double v;

	if (!money_rate_ok(rate) || !money_row_ok(amount))
		return false;
	/* both bounded, so the double is far inside llround's range; the check below is on
	 * the rounded integer, so a product just past the cap is refused too. One product
	 * and one exact power of ten, so 1234567 cents at 160 are 1975307 yen, not 1975307.2
	 * rounded twice. */
	v = (double)amount * rate;
	v = shift >= 0 ? v * p10[shift] : v / p10[-shift];
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
