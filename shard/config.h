/* config: the shard's options table. Directives (redis.conf syntax or
 * --name value), CONFIG GET/SET/REWRITE and INFO read the one table. */
#ifndef SHOAL_CONFIG_H
#define SHOAL_CONFIG_H

#include "server.h"

/* Set every option to its default. */
void config_init(server_config *cfg);
void config_deinit(server_config *cfg);

/* Load a config file (may be NULL) and then the command-line directives
 * (argv = "--name", "value", ...). Returns 0, or -1 after printing the
 * offending directive (the caller exits with status 2). */
int config_load(server *srv, const char *file, int argc, char **argv);

/* Apply one directive as CONFIG SET would. Returns 0, or -1 with *err set
 * to a static message. */
int config_set(server *srv, const char *name, const char *value,
               const char **err);

/* CONFIG GET: append name/value pairs matching pattern to the client's
 * reply (as a map). */
void config_get_reply(client *c, const arg *patterns, int npatterns);

/* CONFIG REWRITE: returns 0, or -1 with errno set. */
int config_rewrite(server *srv);

/* Value of an option as CONFIG GET prints it (fresh str), or NULL. */
str config_get_value(server *srv, const char *name);

#endif
