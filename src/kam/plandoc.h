/*
 * The account plan as a one-page document: the pure parts. src/api/document.c gathers the
 * data into one JSON object (shape below); this module formats figures, scales the revenue
 * chart, names the file and renders the HTML variant. No I/O.
 *
 * The document object:
 *   generated_on "YYYY-MM-DD", currency "EUR",
 *   account {id, name, tier, status, industry, owner},
 *   plan {id, title, period_start, period_end, status, situation, vision},
 *   objectives [{title, metric, baseline, target, current, due_on, status, progress}],
 *   actions [{title, owner, due_on, status, overdue}],
 *   stakeholders [{name, title, influence, attitude, decision_role}],
 *   risks [{title, category, probability, impact, status, owner}]   (open ones only),
 *   kpis {revenue_12m, nrr, nps, sla_compliance} (numbers or null), kpi_period {from, to},
 *   revenue_by_month [{month "YYYY-MM", amount (base minor units)}]
 * Any string may be null.
 */
#ifndef KAM_KAM_PLANDOC_H
#define KAM_KAM_PLANDOC_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "util/buf.h"

/* A growing byte buffer; data is malloc'd and owned by whoever holds the struct. */
/* Appends s with &, <, >, " and ' escaped for HTML text and attributes (NULL: nothing). */
void plandoc_put_escaped(struct buf *b, const char *s);

/* Writes minor units of currency (ISO 4217 digits: JPY 0, KWD 3) as whole units with
 * thousands separators: "EUR 1,234,568". */
void plandoc_money(double minor, const char *currency, char *buf, size_t len);
/* Writes a ratio as a percentage with one decimal ("104.2%"), or "–" when v is null. */
void plandoc_percent(const json_t *v, char *buf, size_t len);
/* Writes a number as people read it: integers as they are, others with at most two decimals
 * ("26.53", "2.5"); "-" when v is not a number. */
void plandoc_number(const json_t *v, char *buf, size_t len);
/* A round chart maximum at or above max: 1, 2, 2.5 or 5 times a power of ten; 1 for max <= 0. */
double plandoc_axis_max(double max);
/* An enum value for people: "in_progress" -> "in progress" (into buf). */
void plandoc_label(const char *value, char *buf, size_t len);
/* "plan-<account>-<period start>.<ext>": ASCII letters, digits and dashes only. */
void plandoc_filename(const json_t *doc, const char *ext, char *buf, size_t len);
/* The document as a standalone HTML page: every stored string escaped, no scripts.
 * *out is malloc'd (caller frees); KAM_ENOMEM on allocation failure. */
int plandoc_html(const json_t *doc, char **out, size_t *len);

#endif
