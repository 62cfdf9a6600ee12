/* The KPI answer for one scope and period, from what store_kpi_fetch read. */
#ifndef KAM_KAM_KPI_REPORT_H
#define KAM_KAM_KPI_REPORT_H
#include <jansson.h>
#include "kam/kpi.h"
#include "kam/settings.h"
#include "kam/kpi_input.h"

/* Which accounts a scope covers: called with each account row. */
typedef bool (*kpi_scope_fn)(const struct kpi_in_account *a, void *arg);

/* The names of every figure, in answer order. */
extern const char *const kpi_names[];

/*
 * The figures of P = [from, to): a new object name → {value, numerator, denominator} (plus
 * the counts some figures carry). Caller owns it.
 */
json_t *kpi_figures(const struct settings *s, const struct kpi_input *d, kpi_scope_fn in,
		    void *arg, const char *from, const char *to);
/* The same for P-1 = [from, to) from the same read (its previous-period columns). */
json_t *kpi_figures_previous(const struct settings *s, const struct kpi_input *d,
			     kpi_scope_fn in, void *arg, const char *from, const char *to);
/* The rows a figure counted (accounts, answers, cases, objectives…), as a new array. */
json_t *kpi_rows(const char *name, const struct settings *s, const struct kpi_input *d,
		 kpi_scope_fn in, void *arg, const char *from, const char *to);
/* True when name is a figure. */
bool kpi_known(const char *name);

#endif
