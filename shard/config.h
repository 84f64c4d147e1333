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

/* What CONFIG SET needs to know about an option before changing it. */
enum config_flag {
    CONFIG_IMMUTABLE = 1 << 0, /* only at startup */
    CONFIG_PROTECTED = 1 << 1, /* needs enable-protected-configs */
    CONFIG_SENSITIVE = 1 << 2, /* value must not reach logs */
};

typedef struct config_ref {
    int id;           /* same option under the same name: same id (a name
                         and its alias count as two, as in Redis) */
    const char *name; /* the registered name that matched (lower case) */
    int flags;        /* enum config_flag */
} config_ref;

/* Find an option by name or alias, any case. Returns 0 and fills *ref, or
 * -1 if there is no such option. */
int config_find(const char *name, size_t len, config_ref *ref);

/* Apply one directive as CONFIG SET would (no immutability check: the
 * caller does it). Returns 0, or -1 with *err set to a static message. */
int config_set(server *srv, const char *name, const char *value,
               const char **err);

/* CONFIG GET: reply with a map of the options matching any pattern. A
 * pattern without glob characters names one option and is echoed as
 * typed, as Redis does. */
void config_get_reply(client *c, const arg *patterns, int npatterns);

/* CONFIG REWRITE: returns 0, or -1 with errno set. */
int config_rewrite(server *srv);

/* SIGHUP: read the file and directives again and apply, as CONFIG SET
 * would, every option whose value changed; log those that can't change
 * at run time. Returns 0, or -1 if the new config has errors (nothing
 * applied). */
int config_reload(server *srv, const char *file, int argc, char **argv);

/* Value of an option as CONFIG GET prints it (fresh str), or NULL. */
str config_get_value(server *srv, const char *name);

#endif
