/* script: EVAL, EVALSHA (and _RO), SCRIPT, and running a Lua function
 * atomically: the count hook that keeps the shard answering (-BUSY) past
 * busy-reply-threshold, SCRIPT/FUNCTION KILL. */
#include "script.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "log.h"
#include "mem.h"
#include "net.h"
#include "reply.h"
#include "util.h"

void cmd_shutdown(client *c);

/* Instructions between two looks at the clock. */
#define HOOK_COUNT 100000

/* ---- SHA1 (FIPS 180-1), for script names and redis.sha1hex ---- */

static uint32_t rol(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];

    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[i * 4] << 24 | (uint32_t)p[i * 4 + 1] << 16 |
               (uint32_t)p[i * 4 + 2] << 8 | (uint32_t)p[i * 4 + 3];
    }
    for (int i = 16; i < 80; i++) {
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void script_sha1hex(char out[41], const char *p, size_t n)
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
                     0xc3d2e1f0};
    unsigned char tail[128];
    size_t full = n / 64 * 64, rest = n - full;
    uint64_t bits = (uint64_t)n * 8;

    for (size_t i = 0; i < full; i += 64) {
        sha1_block(h, (const unsigned char *)p + i);
    }
    memset(tail, 0, sizeof(tail));
    memcpy(tail, p + full, rest);
    tail[rest] = 0x80;
    size_t tlen = rest + 1 + 8 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; i++) {
        tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
    }
    sha1_block(h, tail);
    if (tlen == 128) {
        sha1_block(h, tail + 64);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(out + i * 8, 9, "%08x", h[i]);
    }
}

/* ---- setup ---- */

int script_setup(server *srv)
{
    script_state *st = mem_calloc(sizeof(*st));

    srv->script = st;
    st->rand48 = 0x1234abcd330eULL; /* drand48's unseeded state */
    st->eval_L = script_lua_create(srv, 0);
    if (st->eval_L == NULL) {
        return -1;
    }
    /* The SHA1 -> compiled script cache lives in the registry. */
    lua_newtable(st->eval_L);
    lua_setfield(st->eval_L, LUA_REGISTRYINDEX, "shoal.scripts");
    st->fake = net_client_create(srv, -1,
                                 CF_FAKE | CF_DENY_BLOCKING |
                                     CF_SCRIPT_CAPTURE);
    /* MONITOR shows the scripts' commands as coming from "lua". */
    snprintf(st->fake->addr, sizeof(st->fake->addr), "lua");
    return function_setup(srv);
}

void script_teardown(server *srv)
{
    script_state *st = srv->script;

    if (st == NULL) {
        return;
    }
    function_teardown(srv);
    if (st->eval_L != NULL) {
        lua_close(st->eval_L);
    }
    if (st->fake != NULL) {
        net_client_close(st->fake);
    }
    mem_free(st);
    srv->script = NULL;
}

long long script_eval_memory(server *srv)
{
    if (srv->script == NULL || srv->script->eval_L == NULL) {
        return 0;
    }
    /* Whole KB, as Redis reports it. */
    return (long long)lua_gc(srv->script->eval_L, LUA_GCCOUNT, 0) * 1024;
}

long long script_cache_memory(server *srv)
{
    return srv->script != NULL ? srv->script->cache_mem : 0;
}

long long script_cache_count(server *srv)
{
    return srv->script != NULL ? srv->script->cache_count : 0;
}

long long script_func_memory(server *srv)
{
    if (srv->script == NULL || srv->script->func_L == NULL) {
        return 0;
    }
    return (long long)lua_gc(srv->script->func_L, LUA_GCCOUNT, 0) * 1024;
}

/* ---- the busy phase: serve other clients from the hook ---- */

static void busy_enter(server *srv, script_run *run)
{
    srv->script_busy = 1;
    log_warn("Slow script detected: still in execution after %lld "
             "milliseconds. You can try killing the script using the %s "
             "command. Script name is: %s.",
             util_mstime() - run->start_ms,
             run->is_eval ? "SCRIPT KILL" : "FUNCTION KILL", run->name);
    /* While we poll the loop from inside a command: no cron (expiry,
     * eviction would touch the keyspace), no before_sleep (it would serve
     * blocked clients mid-script); their writes we flush ourselves. The
     * caller reads nothing more until its reply is queued. */
    ev_timer_stop(srv->loop, &srv->cron);
    ev_prepare_stop(srv->loop, &srv->before_sleep);
    if (run->caller->fd >= 0) {
        ev_io_stop(srv->loop, &run->caller->rio);
        ev_io_stop(srv->loop, &run->caller->wio);
    }
}

static void busy_leave(server *srv, script_run *run)
{
    if (!srv->script_busy) {
        return;
    }
    srv->script_busy = 0;
    ev_timer_again(srv->loop, &srv->cron);
    ev_prepare_start(srv->loop, &srv->before_sleep);
    if (run->caller->fd >= 0 &&
        !(run->caller->flags & (CF_CLOSE_ASAP | CF_CLOSE_AFTER_REPLY))) {
        ev_io_start(srv->loop, &run->caller->rio);
    }
    if (run->caller->fd >= 0 && run->caller->out_head != NULL) {
        ev_io_start(srv->loop, &run->caller->wio);
    }
}

static void raise_killed(lua_State *L, script_run *run)
{
    (void)run;
    /* Redis says SCRIPT KILL for functions too. */
    script_raise(L, "Script killed by user with SCRIPT KILL...");
}

static void count_hook(lua_State *L, lua_Debug *ar);

static void killed_hook(lua_State *L, lua_Debug *ar)
{
    server *srv = script_lua_server(L);

    (void)ar;
    raise_killed(L, srv->script->run);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    server *srv = script_lua_server(L);
    script_state *st = srv->script;
    script_run *run = st->run;

    (void)ar;
    if (run == NULL) {
        return;
    }
    if (!srv->script_busy) {
        long long elapsed = util_mstime() - run->start_ms;
        if (elapsed < srv->cfg.busy_reply_threshold) {
            return;
        }
        busy_enter(srv, run);
    }
    ev_run(srv->loop, EVRUN_NOWAIT);
    server_update_time(srv);
    net_flush_pending(srv);
    if (srv->shutdown_asap) {
        /* SHUTDOWN NOSAVE: the caller gets no reply, as from Redis. */
        net_client_close_async(run->caller);
    }
    if (st->kill_requested || srv->shutdown_asap) {
        /* From now on every instruction raises again: a pcall in the
         * script can't swallow the kill. */
        lua_sethook(L, killed_hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
        raise_killed(L, run);
    }
}

static int arg_is(const arg *a, const char *word)
{
    size_t n = strlen(word);
    return a->n == n && strncasecmp(a->p, word, n) == 0;
}

const char *script_busy_error(client *c, const command *cmd)
{
    server *srv = c->srv;

    if (!srv->script_busy || c == srv->script->fake) {
        return NULL;
    }
    if (cmd->flags & CMD_ALLOW_BUSY) {
        /* SHUTDOWN must be NOSAVE (or ABORT, which fails on its own). */
        if (cmd->proc != cmd_shutdown) {
            return NULL;
        }
        for (int i = 1; i < c->argc; i++) {
            if (arg_is(&c->argv[i], "nosave") ||
                arg_is(&c->argv[i], "abort")) {
                return NULL;
            }
        }
    }
    if (srv->script->run != NULL && !srv->script->run->is_eval) {
        return "-BUSY Redis is busy running a script. You can only call "
               "FUNCTION KILL or SHUTDOWN NOSAVE.";
    }
    return "-BUSY Redis is busy running a script. You can only call SCRIPT "
           "KILL or SHUTDOWN NOSAVE.";
}

void script_kill(client *c, int is_eval)
{
    server *srv = c->srv;
    script_state *st = srv->script;

    if (st->run == NULL) {
        reply_error(c, "-NOTBUSY No scripts in execution right now.");
        return;
    }
    if (srv->script_wrote) {
        reply_error(c, "-UNKILLABLE Sorry the script already executed write "
                       "commands against the dataset. You can either wait "
                       "the script termination or kill the server in a hard "
                       "way using the SHUTDOWN NOSAVE command.");
        return;
    }
    if (st->run->is_eval != is_eval) {
        /* The other kind runs: say which KILL would stop it. */
        reply_error(c, st->run->is_eval
                           ? "-BUSY Redis is busy running a script. You can "
                             "only call SCRIPT KILL or SHUTDOWN NOSAVE."
                           : "-BUSY Redis is busy running a script. You can "
                             "only call FUNCTION KILL or SHUTDOWN NOSAVE.");
        return;
    }
    st->kill_requested = 1;
    reply_ok(c);
}

void script_reply_running(client *c)
{
    script_state *st = c->srv->script;
    script_run *run = st->run;

    if (run == NULL) {
        reply_null(c);
        return;
    }
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "name");
    reply_bulk_cstr(c, run->name);
    reply_bulk_cstr(c, "command");
    reply_array_len(c, run->caller->argc);
    for (int i = 0; i < run->caller->argc; i++) {
        reply_bulk(c, run->caller->argv[i].p, run->caller->argv[i].n);
    }
    reply_bulk_cstr(c, "duration_ms");
    reply_ll(c, util_mstime() - run->start_ms);
}

/* ---- running ---- */

static void push_arg_table(lua_State *L, const arg *a, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushlstring(L, a[i].p, a[i].n);
        lua_rawseti(L, -2, i + 1);
    }
}

static void reply_lua_error(client *c, lua_State *L, const char *name)
{
    if (!lua_istable(L, -1)) {
        const char *m = lua_tostring(L, -1);
        reply_errorf(c, "Error running script (call to %s): @%s", name,
                     m != NULL ? m : "?");
        return;
    }
    lua_getfield(L, -1, "err");
    lua_getfield(L, -2, "source");
    lua_getfield(L, -3, "line");
    lua_getfield(L, -4, "ignore_error_stats_update");
    int counted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    size_t n = 0;
    const char *msg = lua_tolstring(L, -3, &n);
    str e = str_empty();
    if (msg != NULL) {
        e = str_cat(e, msg, n);
    }
    if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
        e = str_catfmt(e, " script: %s, on %s:%d.", name,
                       lua_tostring(L, -2), (int)lua_tonumber(L, -1));
    }
    script_reply_error(c, e, str_len(e), counted);
    str_free(e);
    lua_pop(L, 3);
}

void script_run_function(client *c, lua_State *L, const char *name,
                         int flags, int is_eval, int ro, const arg *keys,
                         int nkeys, const arg *args, int nargs)
{
    server *srv = c->srv;
    script_state *st = srv->script;
    script_run run;

    if (!(flags & SF_EVAL_COMPAT) && !(flags & (SF_ALLOW_OOM | SF_NO_WRITES)) &&
        srv->cfg.maxmemory > 0 &&
        (long long)mem_used() > srv->cfg.maxmemory) {
        lua_pop(L, 1);
        reply_error(c, "-OOM command not allowed when used memory > "
                       "'maxmemory'.");
        return;
    }
    if ((flags & SF_NO_CLUSTER) && srv->cfg.cluster_enabled) {
        lua_pop(L, 1);
        reply_error(c, "Can not run script on cluster, 'no-cluster' flag is "
                       "set.");
        return;
    }
    if (ro && !(flags & (SF_NO_WRITES | SF_EVAL_COMPAT))) {
        lua_pop(L, 1);
        reply_error(c, "Can not execute a script with write flag using *_ro "
                       "command.");
        return;
    }
    /* EVAL & co skip MONITOR in cmd_call: shown here, before the
     * commands the script runs, as Redis does. */
    if (srv->monitors != NULL) {
        net_feed_monitors(c);
    }
    memset(&run, 0, sizeof(run));
    run.caller = c;
    run.name = name;
    run.flags = flags;
    run.ro = ro || (flags & SF_NO_WRITES);
    run.is_eval = is_eval;
    run.resp = 2;
    run.start_ms = util_mstime();
    run.L = L;
    st->run = &run;
    st->kill_requested = 0;
    st->fake->db = c->db;
    srv->script_running = 1;
    srv->script_wrote = 0;
    srv->script_repl = SCRIPT_REPL_ALL;

    int nparams = 0;
    if (is_eval) {
        push_arg_table(L, keys, nkeys);
        script_lua_set_global(L, "KEYS");
        push_arg_table(L, args, nargs);
        script_lua_set_global(L, "ARGV");
    } else {
        push_arg_table(L, keys, nkeys);
        push_arg_table(L, args, nargs);
        nparams = 2;
    }
    /* Stack: fn [keys args]; the handler goes below the function. */
    script_lua_push_error_handler(L);
    lua_insert(L, -2 - nparams);
    int errh = lua_gettop(L) - 1 - nparams;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_COUNT);
    int rc = lua_pcall(L, nparams, 1, errh);
    lua_sethook(L, NULL, 0, 0);
    busy_leave(srv, &run);
    if (rc != 0) {
        reply_lua_error(c, L, name);
    } else {
        script_reply_value(c, L, run.resp, 0);
        lua_pushnil(L); /* what the pop below takes */
    }
    lua_pop(L, 2); /* the result (or error) and the handler */
    st->run = NULL;
    st->kill_requested = 0;
    srv->script_running = 0;
    /* The script's SELECT stays inside the script. */
    st->fake->db = &srv->dbs[0];
}

/* ---- EVAL ---- */

/* Parse "#!lua [flags=a,b]" of an EVAL script. Returns the body offset
 * (0 without shebang), -1 after replying an error. */
static long parse_eval_shebang(client *c, const char *body, size_t len,
                               int *flags)
{
    *flags = SF_EVAL_COMPAT;
    if (len < 2 || body[0] != '#' || body[1] != '!') {
        return 0;
    }
    const char *nl = memchr(body, '\n', len);
    size_t ll = nl != NULL ? (size_t)(nl - body) : len;
    int argc;
    str *parts = util_split_args(body, ll, &argc);
    if (parts == NULL || argc == 0) {
        reply_error(c, "Invalid script shebang");
        if (parts != NULL) {
            util_free_args(parts, argc);
        }
        return -1;
    }
    if (strcmp(parts[0], "#!lua") != 0) {
        reply_errorf(c, "Unexpected engine in script shebang: %s", parts[0]);
        util_free_args(parts, argc);
        return -1;
    }
    *flags = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(parts[i], "flags=", 6) != 0) {
            reply_errorf(c, "Unknown lua shebang option: %s", parts[i]);
            util_free_args(parts, argc);
            return -1;
        }
        const char *p = parts[i] + 6;
        while (*p != '\0') {
            const char *e = strchr(p, ',');
            size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
            int f = script_flag_parse(p, n);
            if (f == 0) {
                reply_errorf(c, "Unexpected flag in script shebang: %.*s",
                             (int)n, p);
                util_free_args(parts, argc);
                return -1;
            }
            *flags |= f;
            p += n + (e != NULL);
        }
    }
    util_free_args(parts, argc);
    return (long)ll;
}

int script_flag_parse(const char *name, size_t len)
{
    static const struct {
        const char *name;
        int flag;
    } names[] = {
        {"no-writes", SF_NO_WRITES},     {"allow-oom", SF_ALLOW_OOM},
        {"allow-stale", SF_ALLOW_STALE}, {"no-cluster", SF_NO_CLUSTER},
        {"allow-cross-slot-keys", SF_CROSS_SLOT},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (strlen(names[i].name) == len &&
            memcmp(names[i].name, name, len) == 0) {
            return names[i].flag;
        }
    }
    return 0;
}

/* Push the cached script for sha (and its flags), or nothing: returns 1
 * if found. */
static int cache_get(lua_State *L, const char *sha, int *flags)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "shoal.scripts");
    lua_getfield(L, -1, sha);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 2);
        return 0;
    }
    lua_rawgeti(L, -1, 2);
    *flags = (int)lua_tonumber(L, -1);
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 1);
    lua_replace(L, -3);
    lua_pop(L, 1);
    return 1;
}

/* Compile body and cache it under sha. Pushes the function and returns
 * 0, or replies an error and returns -1. */
static int cache_add(client *c, lua_State *L, const char *sha,
                     const char *body, size_t len, int *flags)
{
    script_state *st = c->srv->script;
    long off = parse_eval_shebang(c, body, len, flags);

    if (off < 0) {
        return -1;
    }
    /* The shebang line becomes a comment: line numbers stay right. */
    str code = NULL;
    const char *src = body;
    if (off > 0) {
        code = str_new("--", 2);
        code = str_cat(code, body + 2, len - 2);
        src = code;
    }
    if (luaL_loadbuffer(L, src, len, "@user_script") != 0) {
        reply_errorf(c, "Error compiling script (new function): %s",
                     lua_tostring(L, -1));
        lua_pop(L, 1);
        str_free(code);
        return -1;
    }
    str_free(code);
    lua_getfield(L, LUA_REGISTRYINDEX, "shoal.scripts");
    lua_createtable(L, 3, 0);
    lua_pushvalue(L, -3);
    lua_rawseti(L, -2, 1);
    lua_pushnumber(L, *flags);
    lua_rawseti(L, -2, 2);
    lua_pushlstring(L, body, len);
    lua_rawseti(L, -2, 3);
    lua_setfield(L, -2, sha);
    lua_pop(L, 1);
    st->cache_count++;
    st->cache_mem += (long long)len + 40 + 64;
    return 0;
}

int script_parse_numkeys(client *c, const char *not_int, long long *numkeys)
{
    if (util_str2ll(c->argv[2].p, c->argv[2].n, numkeys) != 0) {
        reply_error(c, not_int);
        return -1;
    }
    if (*numkeys > c->argc - 3) {
        reply_error(c, "Number of keys can't be greater than number of "
                       "args");
        return -1;
    }
    if (*numkeys < 0) {
        reply_error(c, "Number of keys can't be negative");
        return -1;
    }
    return 0;
}

static void eval_generic(client *c, int by_sha, int ro)
{
    script_state *st = c->srv->script;
    lua_State *L = st->eval_L;
    long long numkeys;
    char sha[41];
    int flags = 0;

    if (script_parse_numkeys(c, ERR_NOT_INT, &numkeys) != 0) {
        return;
    }
    if (by_sha) {
        if (c->argv[1].n != 40) {
            reply_error(c, "-NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
        for (int i = 0; i < 40; i++) {
            char ch = c->argv[1].p[i];
            sha[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        sha[40] = '\0';
        if (!cache_get(L, sha, &flags)) {
            reply_error(c, "-NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
    } else {
        script_sha1hex(sha, c->argv[1].p, c->argv[1].n);
        if (!cache_get(L, sha, &flags) &&
            cache_add(c, L, sha, c->argv[1].p, c->argv[1].n, &flags) != 0) {
            return;
        }
    }
    script_run_function(c, L, sha, flags, 1, ro, c->argv + 3, (int)numkeys,
                        c->argv + 3 + numkeys,
                        c->argc - 3 - (int)numkeys);
}

void cmd_eval(client *c)
{
    eval_generic(c, 0, 0);
}

void cmd_evalsha(client *c)
{
    eval_generic(c, 1, 0);
}

void cmd_eval_ro(client *c)
{
    eval_generic(c, 0, 1);
}

void cmd_evalsha_ro(client *c)
{
    eval_generic(c, 1, 1);
}

/* ---- SCRIPT ---- */

void cmd_script_help(client *c)
{
    static const char *lines[] = {
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the "
        "script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior "
        "is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes "
        "are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        NULL,
    };

    reply_help(c, lines);
}

void cmd_script_exists(client *c)
{
    lua_State *L = c->srv->script->eval_L;
    char sha[41];

    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        int found = 0;
        if (c->argv[i].n == 40) {
            for (int j = 0; j < 40; j++) {
                char ch = c->argv[i].p[j];
                sha[j] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            }
            sha[40] = '\0';
            lua_getfield(L, LUA_REGISTRYINDEX, "shoal.scripts");
            lua_getfield(L, -1, sha);
            found = !lua_isnil(L, -1);
            lua_pop(L, 2);
        }
        reply_ll(c, found);
    }
}

void cmd_script_flush(client *c)
{
    script_state *st = c->srv->script;

    if (c->argc > 3 ||
        (c->argc == 3 &&
         !(c->argv[2].n == 4 && strncasecmp(c->argv[2].p, "sync", 4) == 0) &&
         !(c->argv[2].n == 5 &&
           strncasecmp(c->argv[2].p, "async", 5) == 0))) {
        reply_error(c, "SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    /* A fresh state: what scripts left in it goes too (as Redis). */
    lua_State *L = script_lua_create(c->srv, 0);
    if (L == NULL) {
        reply_error(c, "Failed to create a new Lua state");
        return;
    }
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "shoal.scripts");
    lua_close(st->eval_L);
    st->eval_L = L;
    st->cache_count = 0;
    st->cache_mem = 0;
    reply_ok(c);
}

void cmd_script_load(client *c)
{
    lua_State *L = c->srv->script->eval_L;
    char sha[41];
    int flags;

    script_sha1hex(sha, c->argv[2].p, c->argv[2].n);
    if (cache_get(L, sha, &flags)) {
        lua_pop(L, 1);
    } else if (cache_add(c, L, sha, c->argv[2].p, c->argv[2].n, &flags) !=
               0) {
        return;
    } else {
        lua_pop(L, 1);
    }
    reply_bulk(c, sha, 40);
}

void cmd_script_kill(client *c)
{
    script_kill(c, 1);
}
