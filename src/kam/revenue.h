/* Money rules: conversion to the base currency, whitespace states, pipeline weights. */
#ifndef KAM_KAM_REVENUE_H
#define KAM_KAM_REVENUE_H
#include <stdint.h>
#include <jansson.h>

/* The default win probability of a stage (identified 10 … won 100, lost 0); -1 if unknown. */
int revenue_stage_probability(const char *stage);
/* True for won and lost. */
int revenue_stage_closed(const char *stage);
/*
 * The whitespace grid: every unit × product, sold when sold[] has it (revenue beside),
 * white space valued at its product's list_price_base when products carry one,
 * pipeline when open[] has it, else white_space. Returns a new array of cells.
 */
json_t *revenue_whitespace(json_t *units, json_t *products, json_t *sold, json_t *open);
/* The sum of the white-space cells' values (their product's list price in the base
 * currency), saturating rather than wrapping. */
int64_t revenue_whitespace_value(const json_t *cells);

#endif
