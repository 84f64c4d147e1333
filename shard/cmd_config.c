/* cmd_config: CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the
 * options table in config.c. CONFIG SET of several options is all or
 * nothing, with Redis 7.0's error texts. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "mem.h"
#include "reply.h"
#include "stats.h"

void cmd_config_get(client *c);
void cmd_config_set(client *c);
void cmd_config_resetstat(client *c);
void cmd_config_rewrite(client *c);
void cmd_config_help(client *c);

void cmd_config_get(client *c)
{
    config_get_reply(c, c->argv + 2, c->argc - 2);
}

/* enable-protected-configs: no, yes, or local (loopback and unix socket
 * clients only). */
static int protected_allowed(const client *c)
{
    int mode = c->srv->cfg.enable_protected_configs;

    if (mode == 1) {
        return 1;
    }
    if (mode == 2) {
        return (c->flags & CF_UNIX) != 0 ||
               strncmp(c->addr, "127.0.0.1:", 10) == 0 ||
               strncmp(c->addr, "::1:", 4) == 0;
    }
    return 0;
}

/* Check every name before changing anything; the first problem found, in
 * argument order, is the one reported. Returns 0, or -1 after replying. */
static int check_names(client *c, config_ref *refs, int count)
{
    for (int i = 0; i < count; i++) {
        const arg *name = &c->argv[2 + i * 2];
        const char *why = NULL;

        if (config_find(name->p, name->n, &refs[i]) != 0) {
            reply_errorf(c,
                         "Unknown option or number of arguments for CONFIG "
                         "SET - '%.*s'",
                         (int)name->n, name->p);
            return -1;
        }
        if (refs[i].flags & CONFIG_IMMUTABLE) {
            why = "can't set immutable config";
        } else if ((refs[i].flags & CONFIG_PROTECTED) &&
                   !protected_allowed(c)) {
            why = "can't set protected config";
        }
        for (int j = 0; j < i && why == NULL; j++) {
            if (refs[j].id == refs[i].id) {
                why = "duplicate parameter";
            }
        }
        if (why != NULL) {
            reply_errorf(c,
                         "CONFIG SET failed (possibly related to argument "
                         "'%.*s') - %s",
                         (int)name->n, name->p, why);
            return -1;
        }
    }
    return 0;
}

/* Values of sensitive options (requirepass) must not reach the slow log:
 * swap them for a placeholder once the command is done with them. */
static void redact_sensitive(client *c)
{
    static const char redacted[] = "(redacted)";

    for (int i = 2; i + 1 < c->argc; i += 2) {
        config_ref ref;
        if (config_find(c->argv[i].p, c->argv[i].n, &ref) == 0 &&
            (ref.flags & CONFIG_SENSITIVE)) {
            c->argv[i + 1].p = redacted;
            c->argv[i + 1].n = sizeof(redacted) - 1;
        }
    }
}

void cmd_config_set(client *c)
{
    server *srv = c->srv;
    int count = (c->argc - 2) / 2;
    config_ref *refs = NULL;
    str *old = NULL;
    int applied = 0;

    if ((c->argc - 2) % 2 != 0) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    refs = mem_calloc(sizeof(*refs) * (size_t)count);
    old = mem_calloc(sizeof(*old) * (size_t)count);
    if (check_names(c, refs, count) != 0) {
        goto out;
    }
    for (int i = 0; i < count; i++) {
        old[i] = config_get_value(srv, refs[i].name);
    }
    for (; applied < count; applied++) {
        const arg *v = &c->argv[3 + applied * 2];
        str value = str_new(v->p, v->n);
        const char *err = NULL;
        int rc = config_set(srv, refs[applied].name, value, &err);

        str_free(value);
        if (rc != 0) {
            reply_errorf(c,
                         "CONFIG SET failed (possibly related to argument "
                         "'%s') - %s",
                         refs[applied].name,
                         err != NULL ? err : "unknown error");
            /* Put back what was already changed, this one included: a
             * failed apply may have left the new value in place. */
            for (int j = applied; j >= 0; j--) {
                const char *ignored = NULL;
                config_set(srv, refs[j].name, old[j], &ignored);
            }
            goto out;
        }
    }
    reply_ok(c);
out:
    for (int i = 0; i < count; i++) {
        str_free(old[i]);
    }
    mem_free(old);
    mem_free(refs);
    redact_sensitive(c);
}

/* Redis 7.0 resets the counters but keeps the slow log, the latency
 * monitor samples and the memory peak. */
void cmd_config_resetstat(client *c)
{
    stats_reset(c->srv);
    reply_ok(c);
}

void cmd_config_rewrite(client *c)
{
    if (c->srv->cfg.config_file == NULL) {
        reply_error(c, "The server is running without a config file");
        return;
    }
    if (config_rewrite(c->srv) != 0) {
        reply_errorf(c, "Rewriting config file: %s", strerror(errno));
        return;
    }
    reply_ok(c);
}

void cmd_config_help(client *c)
{
    static const char *help[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their "
        "values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL,
    };

    reply_help(c, help);
}
