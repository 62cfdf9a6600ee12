/*
 * Money: integer minor units (ISO 4217 digits) beside a currency code, and the bounds that
 * keep every sum kam computes inside a 64-bit integer. The bounds are written here once:
 *
 * - one amount (a transaction, its value in the base currency, an opportunity, an account's
 *   potential annual spend) is at most MONEY_ROW_MAX in absolute value;
 * - the absolute values of each stored money column add up to at most its total cap
 *   (kept by the store in money_totals, checked before a write commits).
 *
 * So any sum over a subset of stored values (an account, a month, a product, a portfolio, a
 * KPI window, a pipeline) is at most the cap. The caps are below 2^53, so such a sum is
 * exact in a double too (the KPI engine's figures are doubles), and even times
 * MONEY_HEADROOM (a percentage, a ten-year horizon) it fits in an int64.
 */
#ifndef KAM_KAM_MONEY_H
#define KAM_KAM_MONEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 10^13 minor units: 100 billion in a two-digit currency, per row */
#define MONEY_ROW_MAX INT64_C(10000000000000)
/* 9 * 10^15 minor units (90 trillion in a two-digit currency, about world GDP), over all
 * transactions in the base currency and over all accounts' potential spend: under 2^53 */
#define MONEY_TOTAL_MAX INT64_C(9000000000000000)
/* opportunities are weighted by a probability in percent, so their sum is 100 times lower:
 * amount × probability stays under 2^53 as well */
#define MONEY_PIPELINE_MAX INT64_C(90000000000000)
/* the factor every capped sum may still be multiplied by without overflowing an int64 */
#define MONEY_HEADROOM 1000
/* an FX rate: base-currency units per unit of the currency */
#define MONEY_RATE_MIN 1e-6
#define MONEY_RATE_MAX 1e6

/*
 * Currencies: ISO 4217 list one (published 2026-01-01, 178 codes) with its minor units, and
 * the codes it withdrew since 2015 (list three) with the minor units they had, so revenue
 * history booked in them (HRK before 2023, BGN before 2026) can still be imported. Where
 * ISO gives no minor unit ("N.A.": precious metals, bond-market units, SDR, XTS, XXX) an
 * amount counts whole units (0 digits). kam refuses any other code where a currency is
 * written (docs/limits.md), so every stored amount has known digits.
 */
enum money_status {
	MONEY_ACTIVE,    /* in list one, with a minor unit */
	MONEY_NO_MINOR,  /* in list one, minor unit N.A. */
	MONEY_WITHDRAWN, /* withdrawn since 2015 */
};

/* One currency of the table. */
struct money_currency {
	char code[4];
	unsigned char digits; /* minor unit: 0, 2, 3 or 4 */
	unsigned char status; /* enum money_status */
};

/* The whole table, sorted by code; *n gets its length. */
const struct money_currency *money_currencies(size_t *n);
/* Whether code is a currency of the table (exactly three capitals). */
bool money_currency_known(const char *code);
/* The digits of code's minor unit (JPY 0, EUR 2, KWD 3, CLF 4); 2 for NULL or an unknown
 * code, which only rows stored before codes were checked can hold. */
int money_digits(const char *code);
/* 10 to the power of money_digits(code): minor units per major unit. */
int64_t money_unit(const char *code);

/* The exact amount in major units with thousands separators and the currency's digits,
 * "EUR 1,234.50", "JPY 120,000", "KWD 1.000", "-EUR 0.05" (the sign first, as in the plan
 * document), into buf. */
void money_text(int64_t minor, const char *code, char *buf, size_t len);

/* out = a + b; false (out untouched) when the sum would not fit in an int64. */
bool money_add(int64_t a, int64_t b, int64_t *out);
/* out = a * b; false (out untouched) when the product would not fit in an int64. */
bool money_mul(int64_t a, int64_t b, int64_t *out);
/* Whether one amount is within MONEY_ROW_MAX either way. */
bool money_row_ok(int64_t amount);
/* Whether rate is a usable FX rate (finite, MONEY_RATE_MIN..MONEY_RATE_MAX). */
bool money_rate_ok(double rate);
/* amount converted at rate, rounded half away from zero; false when the rate is not usable
 * or the result is past MONEY_ROW_MAX. For two currencies with the same digits. */
bool money_convert(int64_t amount, double rate, int64_t *out);
/* amount in minor units of `from` converted at rate (units of `to` per unit of `from`) into
 * minor units of `to`, their digits told apart: ¥120,000 at 0.00625 is 75000 cents, €1.00
 * at 160 is 160 yen. Rounded half away from zero; false as money_convert. */
bool money_convert_to(int64_t amount, const char *from, const char *to, double rate, int64_t *out);
/* The factor from minor units of `from` to minor units of `to` at a rate of 1 (EUR → JPY
 * 0.01, JPY → KWD 1000): for figures that are doubles, such as potential spend in KPIs. */
double money_scale(const char *from, const char *to);
/* The cap of a stored total by its name in money_totals ("transactions", "opportunities",
 * "potential"); 0 for an unknown name. */
int64_t money_total_cap(const char *name);
/* Adds |amount| to *total when that stays within cap (either sign takes room, since sums
 * of any subset must fit); false, *total untouched, when it would not. */
bool money_take(int64_t *total, int64_t amount, int64_t cap);
/* The sentence refusing a write that would take the total `name` past its cap, into buf. */
void money_refusal(const char *name, char *buf, size_t len);

#endif
