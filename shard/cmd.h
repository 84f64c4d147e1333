/* cmd: the command table (built from commands.def), key extraction from
 * key specs, and dispatch of a parsed request. */
#ifndef SHOAL_CMD_H
#define SHOAL_CMD_H

#include <stdint.h>

#include "server.h"

/* Command flags (COMMAND INFO names in cmd.c). */
enum cmd_flag {
    CMD_WRITE = 1 << 0,
    CMD_READONLY = 1 << 1,
    CMD_DENYOOM = 1 << 2,
    CMD_MODULE = 1 << 3,
    CMD_ADMIN = 1 << 4,
    CMD_PUBSUB = 1 << 5,
    CMD_NOSCRIPT = 1 << 6,
    CMD_BLOCKING = 1 << 7,
    CMD_LOADING = 1 << 8,
    CMD_STALE = 1 << 9,
    CMD_SKIP_MONITOR = 1 << 10,
    CMD_SKIP_SLOWLOG = 1 << 11,
    CMD_ASKING = 1 << 12,
    CMD_FAST = 1 << 13,
    CMD_NO_AUTH = 1 << 14,
    CMD_MAY_REPLICATE = 1 << 15,
    CMD_SENTINEL = 1 << 16,
    CMD_ONLY_SENTINEL = 1 << 17,
    CMD_NO_MANDATORY_KEYS = 1 << 18,
    CMD_PROTECTED = 1 << 19,
    CMD_NO_ASYNC_LOADING = 1 << 20,
    CMD_NO_MULTI = 1 << 21,
    CMD_MOVABLE_KEYS = 1 << 22,
    CMD_ALLOW_BUSY = 1 << 23,
};

/* Key spec flags, as COMMAND prints them. */
enum key_flag {
    KEY_RO = 1 << 0,
    KEY_RW = 1 << 1,
    KEY_OW = 1 << 2,
    KEY_RM = 1 << 3,
    KEY_ACCESS = 1 << 4,
    KEY_UPDATE = 1 << 5,
    KEY_INSERT = 1 << 6,
    KEY_DELETE = 1 << 7,
    KEY_NOT_KEY = 1 << 8,
    KEY_INCOMPLETE = 1 << 9,
    KEY_VARIABLE_FLAGS = 1 << 10,
};

enum { KS_BS_INVALID, KS_BS_UNKNOWN, KS_BS_INDEX, KS_BS_KEYWORD };
enum { KS_FK_INVALID, KS_FK_UNKNOWN, KS_FK_RANGE, KS_FK_KEYNUM };

typedef struct key_spec {
    int flags;
    int bs_type;
    int bs_index;          /* INDEX: position; KEYWORD: startfrom */
    const char *bs_keyword;
    int fk_type;
    int fk_a, fk_b, fk_c;  /* RANGE: lastkey step limit;
                              KEYNUM: keynumidx firstkey step */
} key_spec;

/* A key found in a command's arguments. */
typedef struct key_ref {
    int pos;
    int flags;
} key_ref;

typedef void cmd_proc(client *c);
/* Keys of commands the specs can't describe fully. Returns the number of
 * keys stored in out (at most max). */
typedef int cmd_getkeys_fn(const arg *argv, int argc, key_ref *out, int max);

struct command {
    const char *name;      /* lower case; subcommands without parent */
    str fullname;          /* "config|get" */
    cmd_proc *proc;
    int arity;
    uint32_t flags;
    uint64_t acl;
    const char *acl_str;
    int first_key, last_key, key_step;
    key_spec *specs;
    int nspecs;
    const char *tips;
    const char *group;
    const char *since;
    const char *summary;
    command *parent;
    dict *subcommands;     /* name -> command *, NULL if none */
    cmd_getkeys_fn *getkeys;
    cmd_stats stats;
};

/* Build srv->commands from commands.def. Returns 0, or -1 on a malformed
 * table entry (a programming error, logged). */
int cmd_setup(server *srv);
void cmd_teardown(server *srv);

/* Find a top-level command by name (any case); NULL if unknown. */
command *cmd_lookup(server *srv, const char *name, size_t len);
/* Resolve argv to a command, descending into subcommands. */
command *cmd_lookup_argv(server *srv, const arg *argv, int argc);

/* Keys of a command call, from its key specs (and getkeys function).
 * Returns the count (<= max), or -1 if the arguments are invalid for it. */
int cmd_get_keys(const command *cmd, const arg *argv, int argc, key_ref *out,
                 int max);

/* Run the request in c->argv: all checks, then call. */
void cmd_process(client *c);
/* Execute c->cmd with statistics, slow log, latency and MONITOR. */
void cmd_call(client *c);

/* Name tables for COMMAND replies. */
const char *cmd_flag_name(int bit);
const char *cmd_key_flag_name(int bit);

/* Container commands without a matching subcommand land here. */
void cmd_container(client *c);

/* Iterate every command and subcommand. */
typedef void cmd_visit_fn(command *cmd, void *priv);
void cmd_foreach(server *srv, cmd_visit_fn *fn, void *priv);

#endif
