/* The kam command's subcommands; main.c parses options and calls these. */
#ifndef KAM_CLI_CLI_H
#define KAM_CLI_CLI_H
#include <stdint.h>
#include "store/store.h"

#define DEMO_PASSWORD "demo-password-1"

/* Fills an empty database with the demo data set; prints the logins. */
int cli_demo(struct store *st, uint64_t seed);
/* Creates a user; prints a generated password when pw is NULL. */
int cli_user_add(struct store *st, const char *email, const char *name, const char *role,
		 const char *pw);
/* Creates an API token for the user with that e-mail and prints it. */
int cli_token_create(struct store *st, const char *email, const char *label);

#endif
