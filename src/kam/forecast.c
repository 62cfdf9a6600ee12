/* The forecast's rules (kam/forecast.h). */
#include <string.h>
#include "kam/forecast.h"
#include "util/err.h"

const char *const fc_category_names[FC__MAX] = {"commit", "best_case", "pipeline", "omitted"};

/* The first day of month m (1-based, may run past 12) of year y. */
static int month_start(int y, int m, date_t *out)
{
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	return date_from_ymd(y, m, 1, out);
}

static int quarter_make(int year, int q, int fsm, struct fc_quarter *out)
{
	/* the fiscal year `year` ends in it: one starting in January begins that year, any
	 * other in month fsm of the year before */
	int y0 = fsm == 1 ? year : year - 1, m0 = fsm + 3 * (q - 1);
	date_t start, next;

	if (fsm < 1 || fsm > 12 || q < 1 || q > 4 || month_start(y0, m0, &start) != 0 ||
	    month_start(y0, m0 + 3, &next) != 0)
		return KAM_EINVAL;
	out->year = year;
	out->q = q;
	out->fsm = fsm;
	out->start = start;
	out->end = next - 1;
	return KAM_OK;
}

int fc_quarter_parse_fy(const char *s, int fsm, struct fc_quarter *out)
{
	int year = 0;

	if (s != NULL && (s[0] == 'F' || s[0] == 'f') && (s[1] == 'Y' || s[1] == 'y'))
		s += 2;
	if (s == NULL || strlen(s) != 7 || s[4] != '-' || (s[5] != 'Q' && s[5] != 'q') ||
	    s[6] < '1' || s[6] > '4')
		return KAM_EINVAL;
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return KAM_EINVAL;
		year = year * 10 + (s[i] - '0');
	}
	return quarter_make(year, s[6] - '0', fsm, out);
}

int fc_quarter_parse(const char *s, struct fc_quarter *out)
{
	return fc_quarter_parse_fy(s, 1, out);
}

void fc_quarter_of_fy(date_t d, int fsm, struct fc_quarter *out)
{
	int y, m, dd, k, fy;

	if (fsm < 1 || fsm > 12)
		fsm = 1;
	date_ymd(d, &y, &m, &dd);
	k = (m - fsm + 12) % 12; /* months since the fiscal year began */
	fy = fsm > 1 && m >= fsm ? y + 1 : y;
	if (quarter_make(fy, k / 3 + 1, fsm, out) != KAM_OK) { /* the range's edge: cannot */
		out->year = fy;
		out->q = k / 3 + 1;
		out->fsm = fsm;
		out->start = out->end = d;
	}
}

void fc_quarter_of(date_t d, struct fc_quarter *out)
{
	fc_quarter_of_fy(d, 1, out);
}

int fc_quarter_add(const struct fc_quarter *q, int n, struct fc_quarter *out)
{
	int idx = q->year * 4 + (q->q - 1) + n;

	if (idx < 0)
		return KAM_EINVAL;
	return quarter_make(idx / 4, idx % 4 + 1, q->fsm >= 1 && q->fsm <= 12 ? q->fsm : 1, out);
}

static char *put_year(char *o, int year)
{
	unsigned y = (unsigned)year % 10000u;

	*o++ = (char)('0' + y / 1000);
	*o++ = (char)('0' + y / 100 % 10);
	*o++ = (char)('0' + y / 10 % 10);
	*o++ = (char)('0' + y % 10);
	return o;
}

void fc_quarter_name(const struct fc_quarter *q, char out[FC_QUARTER_LEN])
{
	char *o = out;

	if (q->fsm > 1) {
		*o++ = 'F';
		*o++ = 'Y';
	}
	o = put_year(o, q->year);
	*o++ = '-';
	*o++ = 'Q';
	*o++ = (char)('0' + (q->q >= 1 && q->q <= 4 ? q->q : 0));
	*o = '\0';
}

static char *put_str(char *o, const char *s)
{
	while (*s)
		*o++ = *s++;
	return o;
}

void fc_quarter_label(const struct fc_quarter *q, char out[FC_LABEL_LEN])
{
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int y1, m1, d1, y2, m2, d2;
	char *o = out;

	date_ymd(q->start, &y1, &m1, &d1);
	date_ymd(q->end, &y2, &m2, &d2);
	if (q->fsm > 1)
		o = put_str(o, "FY");
	o = put_year(o, q->year);
	o = put_str(o, " Q");
	*o++ = (char)('0' + (q->q >= 1 && q->q <= 4 ? q->q : 0));
	o = put_str(o, " (");
	o = put_str(o, mon[(m1 - 1) % 12]);
	if (y1 != y2) {
		*o++ = ' ';
		o = put_year(o, y1);
	}
	o = put_str(o, "\xe2\x80\x93"); /* an en dash */
	o = put_str(o, mon[(m2 - 1) % 12]);
	*o++ = ' ';
	o = put_year(o, y2);
	*o++ = ')';
	*o = '\0';
}

date_t fc_week_start(date_t d)
{
	/* 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0 */
	int64_t wd = ((int64_t)d % 7 + 7 + 3) % 7;

	return (date_t)(d - wd);
}

enum fc_category fc_category_parse(const char *s)
{
	for (int i = 0; s && i < FC__MAX; i++)
		if (!strcmp(fc_category_names[i], s))
			return (enum fc_category)i;
	return FC__MAX;
}

void fc_figures_init(struct fc_figures *f)
{
	memset(f, 0, sizeof(*f));
	f->target = -1;
}

static bool in_quarter(const struct fc_quarter *q, date_t d)
{
	return d >= q->start && d <= q->end;
}

void fc_add_transaction(struct fc_figures *f, const struct fc_quarter *q, date_t today, date_t day,
                        int64_t amount)
{
	if (in_quarter(q, day) && day <= today)
		f->booked += amount;
}

int64_t fc_contract_remaining(int64_t annual, date_t start, date_t end, const struct fc_quarter *q,
                              date_t today)
{
	date_t from = q->start, to = q->end;
	int64_t days;

	if (today + 1 > from)
		from = today + 1;
	if (start > from)
		from = start;
	if (end < to)
		to = end;
	if (to < from || annual <= 0)
		return 0;
	days = (int64_t)(to - from) + 1;
	/* annual ≤ 10^13 and days ≤ 92: the product fits */
	return (annual * days + 182) / 365;
}

void fc_add_contract(struct fc_figures *f, const struct fc_quarter *q, date_t today, int64_t annual,
                     date_t start, date_t end)
{
	f->contracted += fc_contract_remaining(annual, start, end, q, today);
}

enum fc_category fc_opp_place(const struct fc_rules *r, const struct fc_opp *o,
                              const struct fc_quarter *q, bool *won)
{
	enum fc_category c;

	*won = false;
	if (o->stage == NULL || !o->has_close || !in_quarter(q, o->close) ||
	    !strcmp(o->stage, "lost"))
		return FC__MAX;
	if (!strcmp(o->stage, "won")) {
		*won = true;
		return FC_COMMIT;
	}
	c = fc_category_parse(o->category);
	if (c == FC__MAX)
		c = o->probability >= r->commit ? FC_COMMIT
		    : o->probability >= r->best ? FC_BEST_CASE
		                                : FC_PIPELINE;
	return c;
}

enum fc_category fc_add_opp(struct fc_figures *f, const struct fc_rules *r, const struct fc_opp *o,
                            const struct fc_quarter *q)
{
	bool won;
	enum fc_category c = fc_opp_place(r, o, q, &won);

	if (won)
		f->won += o->amount;
	else if (c != FC__MAX)
		f->open[c] += o->amount;
	return c;
}

void fc_figures_sum(struct fc_figures *a, const struct fc_figures *b)
{
	a->booked += b->booked;
	a->contracted += b->contracted;
	a->won += b->won;
	for (int i = 0; i < FC__MAX; i++)
		a->open[i] += b->open[i];
	if (b->target >= 0)
		a->target = (a->target < 0 ? 0 : a->target) + b->target;
}

int64_t fc_commit_total(const struct fc_figures *f)
{
	return f->booked + f->contracted + f->open[FC_COMMIT];
}

int64_t fc_best_total(const struct fc_figures *f)
{
	return fc_commit_total(f) + f->open[FC_BEST_CASE];
}
