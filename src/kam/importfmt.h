/*
 * How values in files from other systems are read: dates in the formats CRMs and
 * spreadsheets write, numbers with either decimal mark, delimiters, and the closest known
 * name for a reference that matches nothing. Pure functions, no I/O.
 */
#ifndef KAM_KAM_IMPORTFMT_H
#define KAM_KAM_IMPORTFMT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imp_datefmt {
	IMP_DATE_AUTO, /* ISO, or decided by the values (a day above 12) */
	IMP_DATE_ISO,  /* YYYY-MM-DD */
	IMP_DATE_MDY,  /* M/D/YYYY (Salesforce and HubSpot in the US) */
	IMP_DATE_DMY,  /* D/M/YYYY, D.M.YYYY, DD-MM-YY */
};

/* The --date-format names: "iso", "M/D/YYYY", "D/M/YYYY", "DD-MM-YY"; -1 when unknown. */
int imp_datefmt_parse(const char *s);

/*
 * What a date cell says about the file's order: +1 it can only be M/D (second part > 12),
 * -1 only D/M (first part > 12), 0 it fits both or is ISO or not a date.
 */
int imp_date_vote(const char *s);

/*
 * Reads a date (optionally followed by a time, which is kept) into "YYYY-MM-DD" (out 11
 * bytes) and, when a time is present, its seconds after midnight in *secs (else -1).
 * Two-digit years are 2000+YY below 70, else 1900+YY. -1 when it is not a valid date of
 * kam/date's range (1900-01-01..2999-12-31), or
 * when fmt is AUTO and the order is ambiguous (both parts 12 or less, no ISO).
 */
int imp_date(const char *s, enum imp_datefmt fmt, char out[11], int *secs);

/*
 * Reads a number written as 1054, 1054.0, 1,054.00, 1.054,00, 1 054,5, (12.50) or with a
 * currency sign, into *out scaled by 10^decimals and rounded (1,054.00 with 2 → 105400).
 * -1 when it is not a number or does not fit.
 */
int imp_number(const char *s, int decimals, int64_t *out);

/* ',' ';' or '\t': the delimiter of the first line, outside quotes (',' when unsure). */
char imp_detect_delim(const char *buf, size_t len);

/* Edit distance between a and b, case-insensitive, capped at cap+1. */
int imp_distance(const char *a, const char *b, int cap);

/* a normalised key for headers and enum values: lower case, runs of non-alphanumerics to
 * one '_', trimmed ("Closed Won" → "closed_won"); writes at most outlen bytes. */
void imp_key(const char *s, char *out, size_t outlen);

/* Whether s starts like a spreadsheet formula (= + - @ tab CR), so that an export must
 * neutralise it. */
bool imp_formula_like(const char *s);

#endif
