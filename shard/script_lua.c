/* script_lua: the sandboxed Lua states (libraries, readonly tables, the
 * redis.* API), redis.call through the fake client, and the conversions
 * between Lua values and RESP2/RESP3 replies in both directions. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aof.h"
#include "cmd.h"
#include "log.h"
#include "mem.h"
#include "rdb.h"
#include "reply.h"
#include "script.h"
#include "util.h"

#define REG_SRV "shoal.srv"
#define REG_REALG "shoal.realG"
#define REG_ROMAP "shoal.romap"
#define REG_REDIS_RUN "shoal.redis_run"
#define REG_LOADG "shoal.loadG"

server *script_lua_server(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_SRV);
    server *srv = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return srv;
}

/* Raise {err="ERR <msg>"}: the error handler adds where it happened. */
int script_raise(lua_State *L, const char *msg)
{
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushfstring(L, "ERR %s", msg);
    lua_rawset(L, -3);
    return lua_error(L);
}

static void push_error_table(lua_State *L, const char *msg, size_t len)
{
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushlstring(L, msg, len);
    lua_rawset(L, -3);
}

/* ---- deterministic math.random (the 48-bit LCG of POSIX rand48) ---- */

typedef struct rand48 {
    uint64_t x;
} rand48;

/* One generator per process, as Redis: it goes on across scripts and
 * SCRIPT FLUSH, and only math.randomseed resets it. */
static rand48 *rand_state(lua_State *L)
{
    return (rand48 *)&script_lua_server(L)->script->rand48;
}

void script_lua_reseed(lua_State *L, long seed)
{
    rand48 *r = rand_state(L);

    r->x = (((uint64_t)(uint32_t)seed) << 16 | 0x330e) & 0xffffffffffffULL;
}

static int32_t rand48_next(rand48 *r)
{
    r->x = (r->x * 0x5deece66dULL + 0xb) & 0xffffffffffffULL;
    return (int32_t)(r->x >> 17);
}

static int lua_random(lua_State *L)
{
    rand48 *st = rand_state(L);
    lua_Number r = (lua_Number)(rand48_next(st) % 2147483647) /
                   (lua_Number)2147483647;

    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, r);
        break;
    case 1: {
        int u = luaL_checkint(L, 1);
        luaL_argcheck(L, 1 <= u, 1, "interval is empty");
        lua_pushnumber(L, floor(r * u) + 1);
        break;
    }
    case 2: {
        int l = luaL_checkint(L, 1);
        int u = luaL_checkint(L, 2);
        luaL_argcheck(L, l <= u, 2, "interval is empty");
        lua_pushnumber(L, floor(r * (u - l + 1)) + l);
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int lua_randomseed(lua_State *L)
{
    script_lua_reseed(L, luaL_checkint(L, 1));
    return 0;
}

/* ---- readonly tables: a proxy per table, writes refused ---- */

static int is_readonly(lua_State *L, int idx)
{
    int ro;

    if (!lua_istable(L, idx)) {
        return 0;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ROMAP);
    lua_pushvalue(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
    lua_rawget(L, -2);
    ro = !lua_isnil(L, -1);
    lua_pop(L, 2);
    return ro;
}

/* Push the table a readonly proxy stands for (or the value itself). */
static void push_real(lua_State *L, int idx)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ROMAP);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, idx);
    }
    lua_remove(L, -2);
}

static int ro_newindex(lua_State *L)
{
    return luaL_error(L, "Attempt to modify a readonly table");
}

static int global_missing(lua_State *L)
{
    return luaL_error(L,
                      "Script attempted to access nonexistent global "
                      "variable '%s'",
                      lua_tostring(L, 2));
}

/* Replace the table at the top with its readonly proxy. */
static void make_readonly(lua_State *L)
{
    lua_newtable(L);                 /* real proxy */
    lua_newtable(L);                 /* real proxy mt */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);         /* real proxy */
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ROMAP);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -4);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_remove(L, -2);               /* proxy */
}

static int safe_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_readonly(L, 1)) {
        lua_pushstring(L, "Attempt to modify a readonly table");
        return lua_error(L);
    }
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int safe_rawget(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    push_real(L, 1);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static int safe_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);

    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2,
                  "nil or table expected");
    if (is_readonly(L, 1)) {
        lua_pushstring(L, "Attempt to modify a readonly table");
        return lua_error(L);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int safe_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    push_real(L, 1);
    lua_pushvalue(L, 2);
    if (lua_next(L, -2)) {
        return 2;
    }
    lua_pushnil(L);
    return 1;
}

static int safe_pairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* ---- the error handler: where it happened, as a table ---- */

static int error_handler(lua_State *L)
{
    lua_Debug ar;
    int have = 0;

    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar)) {
        have = 1;
        if (strcmp(ar.what, "C") == 0) {
            have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
        }
    }
    if (!lua_istable(L, 1)) {
        /* As tostring(err). */
        switch (lua_type(L, 1)) {
        case LUA_TNUMBER:
        case LUA_TSTRING:
            lua_pushvalue(L, 1);
            break;
        case LUA_TNIL:
            lua_pushstring(L, "nil");
            break;
        case LUA_TBOOLEAN:
            lua_pushstring(L, lua_toboolean(L, 1) ? "true" : "false");
            break;
        default:
            lua_pushfstring(L, "%s: %p", luaL_typename(L, 1),
                            lua_topointer(L, 1));
            break;
        }
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushfstring(L, "ERR %s", lua_tostring(L, -3));
        lua_rawset(L, -3);
        lua_replace(L, 1);
    }
    lua_settop(L, 1);
    if (have) {
        lua_pushstring(L, "source");
        lua_pushstring(L, ar.source);
        lua_rawset(L, 1);
        lua_pushstring(L, "line");
        lua_pushinteger(L, ar.currentline);
        lua_rawset(L, 1);
    }
    return 1;
}

/* ---- RESP (the fake client's output) -> Lua ---- */

typedef struct rd {
    const char *p, *end;
} rd;

/* Nesting past this reads as nil (Lua's C stack has limits; raising
 * here would leave the fake client's output unread). */
#define RD_MAX_DEPTH 1000

static const char *rd_line(rd *r, size_t *len)
{
    const char *s = r->p;
    const char *e = memchr(s, '\r', (size_t)(r->end - s));

    if (e == NULL) {
        e = r->end;
        *len = (size_t)(e - s);
        r->p = e;
        return s;
    }
    *len = (size_t)(e - s);
    r->p = e + 2 <= r->end ? e + 2 : r->end;
    return s;
}

static long long rd_num(rd *r)
{
    size_t n;
    const char *s = rd_line(r, &n);
    long long v = 0;

    util_str2ll(s, n, &v);
    return v;
}

static void rd_value(lua_State *L, rd *r, int depth);

static void rd_bulk_body(rd *r, long long len, const char **s, size_t *n)
{
    if (len < 0 || r->p + len > r->end) {
        len = 0;
    }
    *s = r->p;
    *n = (size_t)len;
    r->p += len + 2;
    if (r->p > r->end) {
        r->p = r->end;
    }
}

static void rd_value(lua_State *L, rd *r, int depth)
{
    const char *s;
    size_t n;
    long long len;
    char type;

    if (r->p >= r->end || depth > RD_MAX_DEPTH || !lua_checkstack(L, 8)) {
        lua_pushnil(L);
        return;
    }
    type = *r->p++;
    switch (type) {
    case ':':
        lua_pushnumber(L, (lua_Number)rd_num(r));
        break;
    case '+':
        s = rd_line(r, &n);
        lua_newtable(L);
        lua_pushstring(L, "ok");
        lua_pushlstring(L, s, n);
        lua_rawset(L, -3);
        break;
    case '-':
        s = rd_line(r, &n);
        push_error_table(L, s, n);
        /* The command counted this error already: replying it again
         * (a script returning or raising it) must not count twice. */
        lua_pushstring(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        break;
    case '$':
        len = rd_num(r);
        if (len < 0) {
            lua_pushboolean(L, 0);
            break;
        }
        rd_bulk_body(r, len, &s, &n);
        lua_pushlstring(L, s, n);
        break;
    case '*':
    case '~':
        len = rd_num(r);
        if (len < 0) {
            lua_pushboolean(L, 0);
            break;
        }
        lua_newtable(L);
        if (type == '~') {
            lua_pushstring(L, "set");
            lua_newtable(L);
            for (long long i = 0; i < len; i++) {
                rd_value(L, r, depth + 1);
                lua_pushboolean(L, 1);
                lua_rawset(L, -3);
            }
            lua_rawset(L, -3);
        } else {
            for (long long i = 0; i < len; i++) {
                rd_value(L, r, depth + 1);
                lua_rawseti(L, -2, (int)i + 1);
            }
        }
        break;
    case '%':
        len = rd_num(r);
        lua_newtable(L);
        lua_pushstring(L, "map");
        lua_newtable(L);
        for (long long i = 0; i < len; i++) {
            rd_value(L, r, depth + 1);
            rd_value(L, r, depth + 1);
            lua_rawset(L, -3);
        }
        lua_rawset(L, -3);
        break;
    case '_':
        rd_line(r, &n);
        lua_pushnil(L);
        break;
    case '#':
        s = rd_line(r, &n);
        lua_pushboolean(L, n > 0 && s[0] == 't');
        break;
    case ',': {
        char buf[64];
        s = rd_line(r, &n);
        if (n >= sizeof(buf)) {
            n = sizeof(buf) - 1;
        }
        memcpy(buf, s, n);
        buf[n] = '\0';
        lua_newtable(L);
        lua_pushstring(L, "double");
        lua_pushnumber(L, strtod(buf, NULL));
        lua_rawset(L, -3);
        break;
    }
    case '(':
        s = rd_line(r, &n);
        lua_newtable(L);
        lua_pushstring(L, "big_number");
        lua_pushlstring(L, s, n);
        lua_rawset(L, -3);
        break;
    case '=':
        len = rd_num(r);
        rd_bulk_body(r, len, &s, &n);
        lua_newtable(L);
        lua_pushstring(L, "verbatim_string");
        lua_newtable(L);
        lua_pushstring(L, "format");
        lua_pushlstring(L, s, n >= 3 ? 3 : n);
        lua_rawset(L, -3);
        lua_pushstring(L, "string");
        lua_pushlstring(L, n >= 4 ? s + 4 : s, n >= 4 ? n - 4 : 0);
        lua_rawset(L, -3);
        lua_rawset(L, -3);
        break;
    case '|':
        /* Attributes carry nothing a script sees: skip, read the value. */
        len = rd_num(r);
        for (long long i = 0; i < len * 2; i++) {
            rd_value(L, r, depth + 1);
            lua_pop(L, 1);
        }
        rd_value(L, r, depth);
        break;
    case '>':
        len = rd_num(r);
        lua_newtable(L);
        for (long long i = 0; i < len; i++) {
            rd_value(L, r, depth + 1);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    default:
        rd_line(r, &n);
        lua_pushnil(L);
        break;
    }
}

/* ---- redis.call / redis.pcall ---- */

static void fake_argv_reserve(client *f, int n)
{
    if (f->argv_cap < n) {
        f->argv_cap = n;
        f->argv = mem_realloc(f->argv, sizeof(arg) * (size_t)n);
    }
}

/* Run the command in the Lua arguments; push its reply as a Lua value.
 * Returns 1 if the reply (or a refusal) is an error: then the error table
 * is on the stack. */
static int run_command(lua_State *L)
{
    server *srv = script_lua_server(L);
    script_state *st = srv->script;
    script_run *run = st->run;
    client *f = st->fake;
    int argc = lua_gettop(L);
    char num[64];

    if (run == NULL) {
        return script_raise(L, "redis.call is not allowed outside of a "
                               "running script");
    }
    if (argc == 0) {
        push_error_table(L, "ERR Please specify at least one argument for "
                            "this redis lib call", 64);
        return 1;
    }
    fake_argv_reserve(f, argc);
    for (int i = 1; i <= argc; i++) {
        int t = lua_type(L, i);
        if (t == LUA_TNUMBER) {
            int n = snprintf(num, sizeof(num), "%.17g",
                             (double)lua_tonumber(L, i));
            lua_pushlstring(L, num, (size_t)n);
            lua_replace(L, i);
        } else if (t != LUA_TSTRING) {
            const char *m = "ERR Lua redis lib command arguments must be "
                            "strings or integers";
            push_error_table(L, m, strlen(m));
            return 1;
        }
        size_t n;
        f->argv[i - 1].p = lua_tolstring(L, i, &n);
        f->argv[i - 1].n = n;
    }
    f->argc = argc;
    command *cmd = cmd_lookup_argv(srv, f->argv, argc);
    const char *err = NULL, *aof_err = NULL;
    str misconf = NULL;
    if (cmd == NULL) {
        err = "ERR Unknown Redis command called from script";
    } else if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity) {
        err = "ERR Wrong number of args calling Redis command from script";
    } else if (cmd->flags & CMD_NOSCRIPT) {
        err = "ERR This Redis command is not allowed from script";
    } else if ((cmd->flags & CMD_WRITE) && run->ro) {
        err = "ERR Write commands are not allowed from read-only scripts.";
    } else if ((cmd->flags & CMD_WRITE) && rdb_writes_refused(srv)) {
        err = "MISCONF Redis is configured to save RDB snapshots, but it's "
              "currently unable to persist to disk. Commands that may modify "
              "the data set are disabled, because this instance is "
              "configured to report errors during writes if RDB "
              "snapshotting fails (stop-writes-on-bgsave-error option). "
              "Please check the Redis logs for details about the RDB error.";
    } else if ((cmd->flags & CMD_WRITE) &&
               aof_writes_refused(srv, &aof_err)) {
        misconf = str_catfmt(str_empty(),
                             "MISCONF Errors writing to the AOF file: %s",
                             aof_err != NULL ? aof_err : "");
        err = misconf;
    } else if ((cmd->flags & CMD_DENYOOM) && srv->cfg.maxmemory > 0 &&
               !(run->flags & SF_ALLOW_OOM) &&
               (long long)mem_used() > srv->cfg.maxmemory &&
               !((run->flags & SF_EVAL_COMPAT) && srv->script_wrote)) {
        err = "OOM command not allowed when used memory > 'maxmemory'.";
    } else if (script_check_slot(run->caller, cmd, f->argv, argc, &err) !=
               0) {
        /* Cluster mode: a key not served here (err is the full reply). */
        if (err != NULL && err[0] == '-') {
            err++;
        }
    }
    if (err != NULL) {
        push_error_table(L, err, strlen(err));
        str_free(misconf);
        return 1;
    }
    if (cmd->flags & CMD_WRITE) {
        srv->script_wrote = 1;
    }
    f->cmd = cmd;
    f->resp = run->resp;
    cmd_call(f);
    f->argc = 0;
    /* Read back what the command replied. */
    reply_block *b = f->out_head;
    str buf = NULL;
    const char *p = "";
    size_t len = 0;
    if (b != NULL && b->next == NULL) {
        p = b->buf;
        len = b->used;
    } else if (b != NULL) {
        buf = str_empty();
        for (; b != NULL; b = b->next) {
            buf = str_cat(buf, b->buf, b->used);
        }
        p = buf;
        len = str_len(buf);
    }
    rd r = {p, p + len};
    int is_err = len > 0 && p[0] == '-';
    rd_value(L, &r, 0);
    str_free(buf);
    reply_free_all(f);
    return is_err;
}

static int lua_redis_call(lua_State *L)
{
    if (run_command(L)) {
        return lua_error(L);
    }
    return 1;
}

static int lua_redis_pcall(lua_State *L)
{
    run_command(L);
    return 1;
}

/* ---- the rest of the redis.* API ---- */

static int lua_error_reply(lua_State *L)
{
    size_t n;

    if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
        const char *m = "ERR wrong number or type of arguments";
        push_error_table(L, m, strlen(m));
        return 1;
    }
    const char *s = lua_tolstring(L, 1, &n);
    if (n > 0 && s[0] == '-') {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n')) {
        n--;
    }
    /* "CODE msg" keeps its code; a single word gets the generic ERR. */
    if (memchr(s, ' ', n) != NULL) {
        push_error_table(L, s, n);
    } else {
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushstring(L, "ERR ");
        lua_pushlstring(L, s, n);
        lua_concat(L, 2);
        lua_rawset(L, -3);
    }
    return 1;
}

static int lua_status_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
        const char *m = "ERR wrong number or type of arguments";
        push_error_table(L, m, strlen(m));
        return 1;
    }
    lua_newtable(L);
    lua_pushstring(L, "ok");
    lua_pushvalue(L, 1);
    lua_rawset(L, -3);
    return 1;
}

static int lua_sha1hex(lua_State *L)
{
    char hex[41];
    size_t n;

    if (lua_gettop(L) != 1) {
        return script_raise(L, "wrong number of arguments");
    }
    const char *s = lua_tolstring(L, 1, &n);
    if (s == NULL) {
        s = "";
        n = 0;
    }
    script_sha1hex(hex, s, n);
    lua_pushstring(L, hex);
    return 1;
}

static int lua_log(lua_State *L)
{
    int argc = lua_gettop(L);

    if (argc < 2) {
        return script_raise(L, "redis.log() requires two arguments or more.");
    }
    if (!lua_isnumber(L, 1)) {
        return script_raise(L, "First argument must be a number (log "
                               "level).");
    }
    int level = (int)lua_tonumber(L, 1);
    if (level < 0 || level > 3) {
        return script_raise(L, "Invalid debug level.");
    }
    str msg = str_empty();
    for (int i = 2; i <= argc; i++) {
        size_t n;
        const char *s = lua_tolstring(L, i, &n);
        if (s != NULL) {
            if (i > 2) {
                msg = str_cat(msg, " ", 1);
            }
            msg = str_cat(msg, s, n);
        }
    }
    static const int map[] = {LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING};
    log_msg(map[level], "%s", msg);
    str_free(msg);
    return 0;
}

static int lua_setresp(lua_State *L)
{
    server *srv = script_lua_server(L);

    if (lua_gettop(L) != 1) {
        return script_raise(L, "redis.setresp() requires one argument.");
    }
    int v = (int)lua_tonumber(L, 1);
    if (v != 2 && v != 3) {
        return script_raise(L, "RESP version must be 2 or 3.");
    }
    if (srv->script->run != NULL) {
        srv->script->run->resp = v;
    }
    return 0;
}

static int lua_set_repl(lua_State *L)
{
    server *srv = script_lua_server(L);

    if (lua_gettop(L) != 1) {
        return script_raise(L, "redis.set_repl() requires two arguments.");
    }
    int v = (int)lua_tonumber(L, 1);
    if ((v & ~SCRIPT_REPL_ALL) != 0) {
        return script_raise(L, "Invalid replication flags. Use REPL_AOF, "
                               "REPL_REPLICA, REPL_ALL or REPL_NONE.");
    }
    srv->script_repl = v;
    return 0;
}

static int lua_replicate_commands(lua_State *L)
{
    lua_pushboolean(L, 1);
    return 1;
}

static int lua_breakpoint(lua_State *L)
{
    lua_pushboolean(L, 0);
    return 1;
}

static int lua_debug_noop(lua_State *L)
{
    (void)L;
    return 0;
}

static int lua_acl_check_cmd(lua_State *L)
{
    server *srv = script_lua_server(L);
    int argc = lua_gettop(L);
    arg a[2];

    if (argc == 0) {
        return script_raise(L, "Please specify at least one argument for "
                               "this redis lib call");
    }
    for (int i = 0; i < argc && i < 2; i++) {
        size_t n;
        const char *s = lua_tolstring(L, i + 1, &n);
        a[i].p = s != NULL ? s : "";
        a[i].n = s != NULL ? n : 0;
    }
    if (cmd_lookup_argv(srv, a, argc < 2 ? argc : 2) == NULL) {
        return script_raise(L, "Invalid command passed to "
                               "redis.acl_check_cmd()");
    }
    lua_pushboolean(L, 1);
    return 1;
}

static void set_fn(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushstring(L, name);
    lua_pushcfunction(L, fn);
    lua_rawset(L, -3);
}

static void set_num(lua_State *L, const char *name, lua_Number v)
{
    lua_pushstring(L, name);
    lua_pushnumber(L, v);
    lua_rawset(L, -3);
}

static void set_common_consts(lua_State *L)
{
    set_num(L, "LOG_DEBUG", 0);
    set_num(L, "LOG_VERBOSE", 1);
    set_num(L, "LOG_NOTICE", 2);
    set_num(L, "LOG_WARNING", 3);
    lua_pushstring(L, "REDIS_VERSION");
    lua_pushstring(L, SHOAL_VERSION);
    lua_rawset(L, -3);
    int maj = 0, min = 0, pat = 0;
    sscanf(SHOAL_VERSION, "%d.%d.%d", &maj, &min, &pat);
    set_num(L, "REDIS_VERSION_NUM", (maj << 16) | (min << 8) | pat);
}

/* The full redis table (scripts and functions at run time). */
static void push_redis_run(lua_State *L)
{
    lua_newtable(L);
    set_fn(L, "call", lua_redis_call);
    set_fn(L, "pcall", lua_redis_pcall);
    set_fn(L, "error_reply", lua_error_reply);
    set_fn(L, "status_reply", lua_status_reply);
    set_fn(L, "sha1hex", lua_sha1hex);
    set_fn(L, "log", lua_log);
    set_fn(L, "setresp", lua_setresp);
    set_fn(L, "set_repl", lua_set_repl);
    set_fn(L, "replicate_commands", lua_replicate_commands);
    set_fn(L, "breakpoint", lua_breakpoint);
    set_fn(L, "debug", lua_debug_noop);
    set_fn(L, "acl_check_cmd", lua_acl_check_cmd);
    set_common_consts(L);
    set_num(L, "REPL_NONE", SCRIPT_REPL_NONE);
    set_num(L, "REPL_AOF", SCRIPT_REPL_AOF);
    set_num(L, "REPL_SLAVE", SCRIPT_REPL_REPLICA);
    set_num(L, "REPL_REPLICA", SCRIPT_REPL_REPLICA);
    set_num(L, "REPL_ALL", SCRIPT_REPL_ALL);
}

/* ---- Lua value -> reply to the caller ---- */

void script_reply_error(client *c, const char *s, size_t n, int counted)
{
    str e = str_new("-", 1);

    e = str_cat(e, s, n);
    for (size_t i = 0; i < str_len(e); i++) {
        if (e[i] == '\r' || e[i] == '\n') {
            e[i] = ' ';
        }
    }
    if (counted) {
        e = str_cat(e, "\r\n", 2);
        reply_raw(c, e, str_len(e));
    } else {
        reply_error(c, e);
    }
    str_free(e);
}

/* Field k of the table at the top, if it has type t: pushed (return 1),
 * else nothing pushed. */
static int field_of(lua_State *L, const char *k, int t)
{
    lua_pushstring(L, k);
    lua_rawget(L, -2);
    if (lua_type(L, -1) == t) {
        return 1;
    }
    lua_pop(L, 1);
    return 0;
}

void script_reply_value(client *c, lua_State *L, int script_resp, int depth)
{
    size_t n;
    const char *s;

    if (depth > 1000 || !lua_checkstack(L, 4)) {
        reply_error(c, "reached lua stack limit");
        lua_pop(L, 1);
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING:
        s = lua_tolstring(L, -1, &n);
        reply_bulk(c, s, n);
        break;
    case LUA_TBOOLEAN:
        if (script_resp == 2) {
            if (lua_toboolean(L, -1)) {
                reply_ll(c, 1);
            } else {
                reply_null(c);
            }
        } else {
            reply_bool(c, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER: {
        /* As a C cast on x86: out of range (inf, nan) is LLONG_MIN. */
        double d = (double)lua_tonumber(L, -1);
        reply_ll(c, d >= -9.2233720368547758e18 && d < 9.2233720368547758e18
                        ? (long long)d
                        : LLONG_MIN);
        break;
    }
    case LUA_TTABLE:
        if (field_of(L, "err", LUA_TSTRING)) {
            s = lua_tolstring(L, -1, &n);
            lua_pushstring(L, "ignore_error_stats_update");
            lua_rawget(L, -3);
            int counted = lua_toboolean(L, -1);
            lua_pop(L, 1);
            script_reply_error(c, s, n, counted);
            lua_pop(L, 1);
            break;
        }
        if (field_of(L, "ok", LUA_TSTRING)) {
            str ok = str_new(lua_tostring(L, -1), lua_strlen(L, -1));
            for (size_t i = 0; i < str_len(ok); i++) {
                if (ok[i] == '\r' || ok[i] == '\n') {
                    ok[i] = ' ';
                }
            }
            reply_status(c, ok);
            str_free(ok);
            lua_pop(L, 1);
            break;
        }
        if (field_of(L, "double", LUA_TNUMBER)) {
            reply_double(c, lua_tonumber(L, -1));
            lua_pop(L, 1);
            break;
        }
        if (field_of(L, "big_number", LUA_TSTRING)) {
            str bn = str_new(lua_tostring(L, -1), lua_strlen(L, -1));
            for (size_t i = 0; i < str_len(bn); i++) {
                if (bn[i] == '\r' || bn[i] == '\n') {
                    bn[i] = ' ';
                }
            }
            if (c->resp >= 3) {
                str raw = str_catfmt(str_new("(", 1), "%s\r\n", bn);
                reply_raw(c, raw, str_len(raw));
                str_free(raw);
            } else {
                reply_bulk(c, bn, str_len(bn));
            }
            str_free(bn);
            lua_pop(L, 1);
            break;
        }
        if (field_of(L, "verbatim_string", LUA_TTABLE)) {
            lua_pushstring(L, "format");
            lua_rawget(L, -2);
            lua_pushstring(L, "string");
            lua_rawget(L, -3);
            if (lua_type(L, -1) == LUA_TSTRING &&
                lua_type(L, -2) == LUA_TSTRING) {
                size_t fl;
                const char *fmt = lua_tolstring(L, -2, &fl);
                char ext[4] = "txt";
                s = lua_tolstring(L, -1, &n);
                if (fl == 3) {
                    memcpy(ext, fmt, 3);
                }
                reply_verbatim(c, s, n, ext);
                lua_pop(L, 3);
                break;
            }
            lua_pop(L, 3);
        }
        if (field_of(L, "map", LUA_TTABLE)) {
            void *h = reply_defer_len(c);
            long count = 0;
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                lua_pushvalue(L, -2);
                script_reply_value(c, L, script_resp, depth + 1);
                script_reply_value(c, L, script_resp, depth + 1);
                count++;
            }
            reply_set_deferred_map(c, h, count);
            lua_pop(L, 1);
            break;
        }
        if (field_of(L, "set", LUA_TTABLE)) {
            void *h = reply_defer_len(c);
            long count = 0;
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                lua_pop(L, 1);
                lua_pushvalue(L, -1);
                script_reply_value(c, L, script_resp, depth + 1);
                count++;
            }
            reply_set_deferred_set(c, h, count);
            lua_pop(L, 1);
            break;
        }
        {
            void *h = reply_defer_len(c);
            long j = 0;
            for (;;) {
                lua_rawgeti(L, -1, (int)j + 1);
                if (lua_isnil(L, -1)) {
                    lua_pop(L, 1);
                    break;
                }
                script_reply_value(c, L, script_resp, depth + 1);
                j++;
            }
            reply_set_deferred_array(c, h, j);
        }
        break;
    default:
        reply_null(c);
        break;
    }
    lua_pop(L, 1);
}

/* ---- building a state ---- */

static void open_lib(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(L, fn);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    /* Debian's cjson returns its table without setting a global. */
    if (name[0] != '\0' && lua_istable(L, -1)) {
        lua_setglobal(L, name);
    } else {
        lua_pop(L, 1);
    }
}

/* Replace global `name` (in the real globals table at the top) by its
 * readonly proxy. */
static void protect_global(lua_State *L, const char *name)
{
    lua_getfield(L, -1, name);
    if (lua_istable(L, -1)) {
        make_readonly(L);
        lua_setfield(L, -2, name);
    } else {
        lua_pop(L, 1);
    }
}

lua_State *script_lua_create(server *srv, int for_functions)
{
    lua_State *L = luaL_newstate();
    static const char *const removed[] = {
        "dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy",
        "module", "require", NULL,
    };

    if (L == NULL) {
        log_warn("Lua: luaL_newstate() failed");
        return NULL;
    }
    lua_pushlightuserdata(L, srv);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_SRV);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushstring(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_ROMAP);

    open_lib(L, "", luaopen_base);
    open_lib(L, LUA_TABLIBNAME, luaopen_table);
    open_lib(L, LUA_STRLIBNAME, luaopen_string);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math);
    open_lib(L, "cjson", luaopen_cjson);
    open_lib(L, "bit", luaopen_bit);
    open_lib(L, "struct", luaopen_struct);
    open_lib(L, "cmsgpack", luaopen_cmsgpack);
    lua_pop(L, lua_gettop(L));

    lua_pushvalue(L, LUA_GLOBALSINDEX); /* the real globals */
    for (int i = 0; removed[i] != NULL; i++) {
        lua_pushnil(L);
        lua_setfield(L, -2, removed[i]);
    }
    /* Debian's cjson and bitop register in package.loaded too: only the
     * globals matter to scripts. */
    lua_getfield(L, -1, "math");
    lua_pushcfunction(L, lua_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, lua_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);
    lua_pushcfunction(L, safe_rawset);
    lua_setfield(L, -2, "rawset");
    lua_pushcfunction(L, safe_rawget);
    lua_setfield(L, -2, "rawget");
    lua_pushcfunction(L, safe_setmetatable);
    lua_setfield(L, -2, "setmetatable");
    lua_pushcfunction(L, safe_next);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "next");
    lua_pushcclosure(L, safe_pairs, 1);
    lua_setfield(L, -2, "pairs");
    lua_pushcfunction(L, error_handler);
    lua_setfield(L, -2, "__redis__err__handler");

    /* redis: the run-time table; functions get a load-time one too. */
    push_redis_run(L);
    make_readonly(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_REDIS_RUN);
    lua_setfield(L, -2, "redis");
    if (for_functions) {
        lua_newtable(L);
        set_common_consts(L);
        set_fn(L, "log", lua_log);
        lua_pushstring(L, "register_function");
        lua_pushcfunction(L, script_lua_register_loader);
        lua_rawset(L, -3);
        /* Anything else is missing, with the globals' error. */
        lua_newtable(L);
        lua_pushcfunction(L, global_missing);
        lua_setfield(L, -2, "__index");
        lua_setmetatable(L, -2);
        make_readonly(L);
        /* What library code sees while it loads: only that redis. */
        lua_newtable(L);
        lua_insert(L, -2);
        lua_setfield(L, -2, "redis");
        lua_newtable(L);
        lua_pushcfunction(L, global_missing);
        lua_setfield(L, -2, "__index");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADG);
    }
    static const char *const libs[] = {
        "string", "math", "table", "cjson", "bit", "struct", "cmsgpack",
        "coroutine", NULL,
    };
    for (int i = 0; libs[i] != NULL; i++) {
        protect_global(L, libs[i]);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_REALG);
    /* Reading a missing global is an error; the proxy refuses writes. */
    lua_newtable(L);
    lua_pushcfunction(L, global_missing);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    make_readonly(L);                 /* realG proxy */
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "_G");
    lua_replace(L, LUA_GLOBALSINDEX);
    lua_pop(L, 1);
    return L;
}

void script_lua_set_global(lua_State *L, const char *name)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_REALG);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

void script_lua_load_env(lua_State *L)
{
    lua_newtable(L);                          /* fn E */
    lua_newtable(L);                          /* fn E M */
    lua_getfield(L, LUA_REGISTRYINDEX, REG_LOADG);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, -1);
    lua_insert(L, -4);                        /* M fn E M */
    lua_setmetatable(L, -2);                  /* M fn E */
    lua_setfenv(L, -2);                       /* M fn */
}

void script_lua_run_env(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_REALG);
    lua_setfield(L, -2, "__index");
}

void script_lua_push_error_handler(lua_State *L)
{
    lua_pushcfunction(L, error_handler);
}
