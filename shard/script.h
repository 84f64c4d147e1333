/* script: Lua scripting (EVAL family, SCRIPT) and the engine the function
 * libraries (function.c) share: sandboxed Lua states, the redis.* API,
 * Lua <-> RESP conversions, runaway-script handling. */
#ifndef SHOAL_SCRIPT_H
#define SHOAL_SCRIPT_H

#include <lua.h>

#include "server.h"

/* ---- what other modules read (AOF/propagation, cmd.c, INFO) ----
 *
 * Server fields (server.h, "Lua scripting and functions" block):
 *   srv->script_running  1 while a script or function executes (nested
 *                        commands run from the script's fake client,
 *                        srv->script->fake, with CF_SCRIPT_CAPTURE).
 *   srv->script_busy     1 once it ran past busy-reply-threshold: the
 *                        hook polls the loop (cron and before_sleep
 *                        stopped, the caller neither read nor written)
 *                        and other clients get -BUSY (script_busy_error).
 *                        cmd_process skips blocking_serve_ready while
 *                        script_running: a script's writes wake blocked
 *                        clients only after it returns.
 *   srv->script_repl     the running script's redis.set_repl flags, an OR
 *                        of SCRIPT_REPL_AOF and SCRIPT_REPL_REPLICA
 *                        (SCRIPT_REPL_ALL at each script start). Effects
 *                        of commands run while a flag is clear should not
 *                        go to that target.
 *   srv->script_wrote    1 once the running script called a write command
 *                        (SCRIPT KILL answers -UNKILLABLE then). Reset at
 *                        each script start; left as is when it ends.
 * The fake client's reply_error()s count in errorstats; errors a script
 * returns or raises that came from a command's reply are not counted
 * again ("ignore_error_stats_update" in the Lua error table, as Redis). */
enum script_repl {
    SCRIPT_REPL_NONE = 0,
    SCRIPT_REPL_AOF = 1,
    SCRIPT_REPL_REPLICA = 2,
    SCRIPT_REPL_ALL = 3,
};

/* Create the Lua engines. Returns 0, or -1 (logged). */
int script_setup(server *srv);
void script_teardown(server *srv);

/* cmd.c: while a script is busy, only allow_busy commands run (SHUTDOWN
 * only with NOSAVE). Returns the -BUSY error to refuse cmd with, or NULL
 * to go on. */
const char *script_busy_error(client *c, const command *cmd);

/* The cluster key-slot check of a command run from a script (defined in
 * cluster.c; always 0 = allowed when cluster mode is off). Returns 0, or
 * -1 with *err set to a full error reply (static). */
int script_check_slot(client *caller, const command *cmd, const arg *argv,
                      int argc, const char **err);

/* INFO memory fields. */
long long script_eval_memory(server *srv);      /* used_memory_lua */
long long script_cache_memory(server *srv);     /* used_memory_scripts_eval */
long long script_cache_count(server *srv);      /* number_of_cached_scripts */
long long script_func_memory(server *srv);      /* used_memory_vm_functions */
long long script_func_overhead(server *srv);    /* used_memory_functions */
long long script_func_count(server *srv);       /* number_of_functions */
long long script_lib_count(server *srv);

/* ---- shared with function.c ---- */

/* Script flags: shebang flags of EVAL scripts, register_function flags. */
enum script_flag {
    SF_NO_WRITES = 1 << 0,
    SF_ALLOW_OOM = 1 << 1,
    SF_ALLOW_STALE = 1 << 2,
    SF_NO_CLUSTER = 1 << 3,
    SF_CROSS_SLOT = 1 << 4,
    SF_EVAL_COMPAT = 1 << 5, /* EVAL without shebang: Redis 6 rules */
};

/* Parse one flag name; returns its SF_ bit or 0 if unknown. */
int script_flag_parse(const char *name, size_t len);
/* EVAL/FCALL's numkeys (argv[2]): 0, or -1 after replying the error
 * (not_int when it isn't an integer). */
int script_parse_numkeys(client *c, const char *not_int, long long *numkeys);

struct function_state;
typedef struct script_run script_run;

typedef struct script_state {
    lua_State *eval_L;   /* EVAL scripts */
    lua_State *func_L;   /* function libraries */
    client *fake;        /* runs the scripts' redis.call commands */
    long long cache_count;
    long long cache_mem;
    script_run *run;     /* the running script, NULL when idle */
    int kill_requested;
    uint64_t rand48;     /* math.random's state (script_lua.c) */
    struct function_state *fn; /* function.c */
} script_state;

/* Create a sandboxed Lua state: libraries, redis.* API, readonly globals.
 * for_functions: the functions engine (redis.register_function while
 * loading, no KEYS/ARGV). NULL on failure. */
lua_State *script_lua_create(server *srv, int for_functions);

/* Run the Lua function on top of L's stack (popped) for client c and
 * reply to c. is_eval: KEYS/ARGV globals; otherwise (keys, args) tables
 * as its two parameters. name: the SHA1 or function name in errors. */
void script_run_function(client *c, lua_State *L, const char *name,
                         int flags, int is_eval, int ro, const arg *keys,
                         int nkeys, const arg *args, int nargs);

/* FUNCTION KILL / SCRIPT KILL: is_eval selects which may be killed. */
void script_kill(client *c, int is_eval);

/* FUNCTION STATS' running_script part (name, command, duration). */
void script_reply_running(client *c);

/* The running script (script.c owns it; script_lua.c reads it). */
struct script_run {
    client *caller;
    const char *name;    /* SHA1 or function name, for errors */
    int flags;           /* SF_* */
    int ro;              /* write commands refused */
    int is_eval;
    int resp;            /* redis.setresp: 2 or 3 */
    long long start_ms;
    lua_State *L;
};

/* script_lua.c internals used by script.c and function.c. */
server *script_lua_server(lua_State *L);
/* Raise a Lua error {err="ERR msg"}. Does not return. */
int script_raise(lua_State *L, const char *msg);
/* math.randomseed(seed). */
void script_lua_reseed(lua_State *L, long seed);
/* Pop the value at the top into global `name` (bypassing readonly). */
void script_lua_set_global(lua_State *L, const char *name);
/* Functions engine. load_env: give the library chunk on top of the
 * stack the load-time globals (only redis.register_function & co); pushes
 * the env's metatable below the chunk: [M chunk]. run_env: once loaded,
 * point M (at the top) at the full globals the callbacks run with. */
void script_lua_load_env(lua_State *L);
void script_lua_run_env(lua_State *L);
void script_lua_push_error_handler(lua_State *L);
/* Reply "-<s>" (newlines made spaces); counted: the error was already
 * counted in the error stats (by the command that replied it). */
void script_reply_error(client *c, const char *s, size_t n, int counted);
/* Reply the Lua value at the top of L to c (popped). */
void script_reply_value(client *c, lua_State *L, int script_resp, int depth);
/* 40 hex digits + NUL of SHA1(p, n). */
void script_sha1hex(char out[41], const char *p, size_t n);
/* function.c: redis.register_function while a library loads. */
int script_lua_register_loader(lua_State *L);
/* The extra libraries (lua_struct.c, lua_cmsgpack.c). */
int luaopen_struct(lua_State *L);
int luaopen_cmsgpack(lua_State *L);

/* Set up/free the function libraries (function.c). */
int function_setup(server *srv);
void function_teardown(server *srv);

#endif
