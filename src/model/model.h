/*
 * The data model: each entity's table, columns, types and constraints, declared once.
 * The store derives its SQL from it (column names only ever come from here, never from a
 * request) and src/kam validates request bodies against it.
 */
#ifndef KAM_MODEL_MODEL_H
#define KAM_MODEL_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum model_type {
	MT_TEXT,
	MT_INT,
	MT_BOOL,
	MT_DATE,     /* YYYY-MM-DD text */
	MT_TIME,     /* Unix seconds in the database, RFC 3339 in JSON */
	MT_ENUM,     /* text from model_field.values */
	MT_REF,      /* id of a row of model_field.ref */
	MT_CURRENCY, /* ISO 4217 code */
	MT_EMAIL,
	MT_URL,      /* http(s) only: a link the UI may render */
	MT_TAGS,     /* array of strings, kept in <table>_tags */
	MT_NUM,      /* a number (double) */
	MT_REFS,     /* array of ids of model_field.ref, kept in <table>_<name> (entity_id, ref_id) */
};

#define MF_REQUIRED 0x01u /* must be given on create */
#define MF_READONLY 0x02u /* set by the server; naming it in a body is an error */
#define MF_FILTER 0x04u   /* ?field=value filters lists */
#define MF_SORT 0x08u     /* allowed as ?sort=field (a NOT NULL column) */
#define MF_SEARCH 0x10u   /* ?q= matches it */
#define MF_INTERNAL 0x20u /* stored but never shown nor accepted from a request */
#define MF_NOTNULL 0x40u  /* may not be set to null */
#define MF_FIXED 0x80u    /* given on create, never changed after (e.g. the parent's id) */

struct model_field {
	const char *name; /* JSON key and column name */
	enum model_type type;
	unsigned flags;
	int64_t min, max; /* INT: range; TEXT-like: length in characters (max) */
	const char *const *values; /* ENUM: NULL-terminated */
	const char *ref;           /* REF: the entity name */
};

struct model_entity {
	const char *name;  /* "account" */
	const char *table; /* "accounts" */
	const struct model_field *fields;
	size_t nfields;
	/* SQL condition limiting rows to those a kam or member may see; every ? is the user id */
	const char *scope_sql;
	int scope_nargs;
};

extern const struct model_entity model_user;
extern const struct model_entity model_account;
extern const struct model_entity model_contact;
extern const struct model_entity model_plan;
extern const struct model_entity model_objective;
extern const struct model_entity model_action;
extern const struct model_entity model_plan_resource;
extern const struct model_entity model_review;
extern const struct model_entity model_product;
extern const struct model_entity model_unit;
extern const struct model_entity model_opportunity;
extern const struct model_entity model_contract;
extern const struct model_entity model_forecast_target;
extern const struct model_entity model_fx_rate;
extern const struct model_entity model_transaction;
extern const struct model_entity model_interaction;
extern const struct model_entity model_case;
extern const struct model_entity model_risk;
extern const struct model_entity model_competitor;
extern const struct model_entity model_coverage;
extern const struct model_entity model_survey;
extern const struct model_entity model_alert;
extern const struct model_entity model_import;
extern const struct model_entity model_import_mapping;

/* Every table holding data, parents before children (for copying a whole database). */
extern const struct model_table {
	const char *name;
	bool has_id; /* an id column the database numbers */
} model_tables[];

extern const char *const model_roles[];
extern const char *const model_tiers[]; /* key, potential, standard */      /* admin, director, kam, member, viewer */
extern const char *const model_team_roles[]; /* suggested roles on an account team */

/* The field called name, or NULL. */
const struct model_field *model_field_find(const struct model_entity *e, const char *name);
/* True when s is one of the NULL-terminated values. */
int model_enum_has(const char *const *values, const char *s);

#endif
