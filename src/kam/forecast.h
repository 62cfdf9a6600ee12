/*
 * The forecast's rules (docs/forecast.md), pure: quarters, which figure a transaction, a
 * contract or an opportunity adds to, and the totals. The app layer reads the rows, converts
 * them to the base currency and feeds them here, one struct fc_figures per KAM.
 */
#ifndef KAM_KAM_FORECAST_H
#define KAM_KAM_FORECAST_H
#include <stdbool.h>
#include <stdint.h>
#include "kam/date.h"

#define FC_QUARTER_LEN 10 /* "FY2027-Q1" and its NUL */
#define FC_LABEL_LEN 48   /* "FY2027 Q1 (Dec 2026–Feb 2027)" and its NUL */

/* A fiscal quarter: its first and last day. The fiscal year starts on the first of month
 * fsm and is named by the calendar year it ends in; with fsm 1 it is the calendar year. */
struct fc_quarter {
	int year, q; /* the fiscal year's name; q: 1..4 */
	int fsm;     /* the month (1..12) the fiscal year starts in */
	date_t start, end;
};

/* The categories of an open deal, in answer order. */
enum fc_category { FC_COMMIT, FC_BEST_CASE, FC_PIPELINE, FC_OMITTED, FC__MAX };
extern const char *const fc_category_names[FC__MAX];

/* The settings' rule: a probability at or above commit is commit, at or above best best case. */
struct fc_rules {
	int commit, best;
};

/* What one owner's deals, contracts and revenue bring in one quarter, base minor units. */
struct fc_figures {
	int64_t booked;     /* transactions booked in the quarter */
	int64_t contracted; /* active contracts, pro rata over the quarter's days after today */
	int64_t won;        /* deals won in the quarter (in booked when won deals are booked) */
	int64_t open[FC__MAX]; /* open deals closing in the quarter, per category */
	int64_t target;     /* -1: none set */
};

/* Parses "2026-Q4" or "FY2026-Q4" (any case) as quarter 4 of the fiscal year 2026 starting in
 * month fsm (1..12); KAM_EINVAL otherwise. With fsm 1 both are the calendar quarter. */
int fc_quarter_parse_fy(const char *s, int fsm, struct fc_quarter *out);
/* The fiscal quarter day d falls in, the fiscal year starting in month fsm (1..12). */
void fc_quarter_of_fy(date_t d, int fsm, struct fc_quarter *out);
/* Calendar quarters: fc_quarter_parse_fy and fc_quarter_of_fy with fsm 1. */
int fc_quarter_parse(const char *s, struct fc_quarter *out);
void fc_quarter_of(date_t d, struct fc_quarter *out);
/* The quarter n quarters after q (n may be negative); KAM_EINVAL out of the date range. */
int fc_quarter_add(const struct fc_quarter *q, int n, struct fc_quarter *out);
/* Its key in answers and in stored targets and snapshots: "2026-Q4" when the fiscal year is
 * the calendar year, else "FY2027-Q1", so a change of fiscal year never reads old keys. */
void fc_quarter_name(const struct fc_quarter *q, char out[FC_QUARTER_LEN]);
/* For people: "2026 Q4 (Oct–Dec 2026)", "FY2027 Q1 (Apr–Jun 2026)",
 * "FY2027 Q1 (Dec 2026–Feb 2027)". */
void fc_quarter_label(const struct fc_quarter *q, char out[FC_LABEL_LEN]);
/* The Monday of d's week (ISO weeks start on Monday). */
date_t fc_week_start(date_t d);
/* The category named s, or FC__MAX. */
enum fc_category fc_category_parse(const char *s);

/* Empty figures (no target). */
void fc_figures_init(struct fc_figures *f);
/* A transaction of amount (base) booked on day: it counts when day is in q and not after
 * today (the days after today are the contracts' and the pipeline's). */
void fc_add_transaction(struct fc_figures *f, const struct fc_quarter *q, date_t today,
                        date_t day, int64_t amount);
/* What an active contract still brings in q after today: annual × the days of q after today
 * that the contract covers ÷ 365, rounded to the nearest unit. Days up to today are what
 * transactions booked, so they are not counted twice. */
int64_t fc_contract_remaining(int64_t annual, date_t start, date_t end, const struct fc_quarter *q,
                              date_t today);
/* Adds an active contract (fc_contract_remaining). */
void fc_add_contract(struct fc_figures *f, const struct fc_quarter *q, date_t today,
                     int64_t annual, date_t start, date_t end);

/* One opportunity as the forecast sees it. */
struct fc_opp {
	const char *stage;    /* identified … negotiation, won, lost */
	int probability;      /* 0..100 */
	const char *category; /* the KAM's call, or NULL: the rule decides */
	bool has_close;       /* expected_close_on for an open deal, closed_on for a closed one */
	date_t close;
	int64_t amount;       /* base minor units, at the rate of its close date */
};

/* Where o goes in q: FC__MAX when nowhere (lost, another quarter, no date, omitted), else
 * its category; *won is true for a deal won in q (then the category is FC_COMMIT). */
enum fc_category fc_opp_place(const struct fc_rules *r, const struct fc_opp *o,
                              const struct fc_quarter *q, bool *won);
/* Adds o to f (fc_opp_place); returns where it went. */
enum fc_category fc_add_opp(struct fc_figures *f, const struct fc_rules *r,
                            const struct fc_opp *o, const struct fc_quarter *q);
/* Adds every figure of b to a (targets too, when set). */
void fc_figures_sum(struct fc_figures *a, const struct fc_figures *b);
/* The call: booked + contracted + commit. Won deals count once, through booked. */
int64_t fc_commit_total(const struct fc_figures *f);
/* The call + best case. */
int64_t fc_best_total(const struct fc_figures *f);

#endif
