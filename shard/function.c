/* function: Redis 7 function libraries on their own Lua state: FUNCTION
 * LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL, FCALL, FCALL_RO, and the
 * hooks persistence uses (function.h). */
#include "function.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "crc64.h"
#include "dict.h"
#include "log.h"
#include "lzf.h"
#include "rdb_int.h"
#include "mem.h"
#include "reply.h"
#include "script.h"
#include "util.h"

#define RDB_OPCODE_FUNCTION2 245
#define RDB_VERSION 10

typedef struct fn_lib fn_lib;

typedef struct fn_def {
    str name;
    str desc;   /* NULL if none */
    int flags;  /* SF_* */
    int ref;    /* the callback, in the registry */
    fn_lib *lib;
} fn_def;

struct fn_lib {
    str name;
    str code;
    int nfn;
    fn_def **fns;
};

typedef struct function_state {
    dict *libs;       /* name -> fn_lib * (owned) */
    dict *funcs;      /* name -> fn_def * (owned by its library) */
    fn_lib *loading;  /* collects register_function calls */
    long long load_start; /* ms, for the load timeout */
} function_state;

static void lib_free(lua_State *L, fn_lib *lib)
{
    for (int i = 0; i < lib->nfn; i++) {
        if (L != NULL) {
            luaL_unref(L, LUA_REGISTRYINDEX, lib->fns[i]->ref);
        }
        str_free(lib->fns[i]->name);
        str_free(lib->fns[i]->desc);
        mem_free(lib->fns[i]);
    }
    mem_free(lib->fns);
    str_free(lib->name);
    str_free(lib->code);
    mem_free(lib);
}

int function_setup(server *srv)
{
    function_state *fs = mem_calloc(sizeof(*fs));

    srv->script->fn = fs;
    fs->libs = dict_create(NULL);
    fs->funcs = dict_create(NULL);
    srv->script->func_L = script_lua_create(srv, 1);
    return srv->script->func_L != NULL ? 0 : -1;
}

static void drop_all(server *srv, int new_state)
{
    script_state *st = srv->script;
    function_state *fs = st->fn;
    dict_iter it;
    dict_entry *de;

    dict_iter_init(&it, fs->libs);
    while ((de = dict_iter_next(&it)) != NULL) {
        lib_free(NULL, de->v.ptr);
    }
    dict_iter_deinit(&it);
    dict_clear(fs->libs);
    dict_clear(fs->funcs);
    if (st->func_L != NULL) {
        lua_close(st->func_L);
        st->func_L = NULL;
    }
    if (new_state) {
        st->func_L = script_lua_create(srv, 1);
    }
}

void function_teardown(server *srv)
{
    function_state *fs = srv->script->fn;

    if (fs == NULL) {
        return;
    }
    drop_all(srv, 0);
    dict_destroy(&fs->libs);
    dict_destroy(&fs->funcs);
    mem_free(fs);
    srv->script->fn = NULL;
}

void functions_flush(server *srv)
{
    drop_all(srv, 1);
}

long long script_func_count(server *srv)
{
    return srv->script != NULL && srv->script->fn != NULL
               ? (long long)dict_size(srv->script->fn->funcs)
               : 0;
}

long long script_lib_count(server *srv)
{
    return srv->script != NULL && srv->script->fn != NULL
               ? (long long)dict_size(srv->script->fn->libs)
               : 0;
}

long long script_func_overhead(server *srv)
{
    long long n = 200;

    if (srv->script == NULL || srv->script->fn == NULL) {
        return n;
    }
    dict_iter it;
    dict_entry *de;
    dict_iter_init(&it, srv->script->fn->libs);
    while ((de = dict_iter_next(&it)) != NULL) {
        fn_lib *lib = de->v.ptr;
        n += (long long)str_len(lib->code) + (long long)str_len(lib->name) +
             64 * (lib->nfn + 1);
    }
    dict_iter_deinit(&it);
    return n;
}

/* ---- loading a library ---- */

static int valid_name(const char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_')) {
            return 0;
        }
    }
    return 1;
}

#define ERR_NAME                                                            \
    "Library names can only contain letters, numbers, or underscores(_) "  \
    "and must be at least one character long"

/* redis.register_function(name, fn) or ({function_name=, callback=,
 * flags=, description=}), while a library loads. */
int script_lua_register_loader(lua_State *L)
{
    server *srv = script_lua_server(L);
    function_state *fs = srv->script->fn;
    fn_lib *lib = fs->loading;
    int argc = lua_gettop(L);
    int flags = 0;

    if (lib == NULL) {
        return script_raise(L, "redis.register_function can only be called "
                               "on FUNCTION LOAD command");
    }
    if (argc == 1) {
        if (!lua_istable(L, 1)) {
            return script_raise(L, "calling redis.register_function with a "
                                   "single argument is only applicable to "
                                   "Lua table (representing named "
                                   "arguments).");
        }
        int has_name = 0, has_cb = 0;
        lua_pushnil(L);
        lua_pushnil(L); /* name slot 3 */
        lua_pushnil(L); /* callback slot 4 */
        lua_pushnil(L); /* description slot 5 */
        lua_pushnil(L); /* key slot 6 */
        while (lua_next(L, 1)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING
                                ? lua_tostring(L, -2)
                                : NULL;
            if (k == NULL) {
                return script_raise(L, "named argument key given to "
                                       "redis.register_function is not a "
                                       "string");
            }
            if (strcmp(k, "function_name") == 0) {
                if (!lua_isstring(L, -1)) {
                    return script_raise(L, "function_name argument given "
                                           "to redis.register_function "
                                           "must be a string");
                }
                lua_replace(L, 3);
                has_name = 1;
            } else if (strcmp(k, "callback") == 0) {
                if (!lua_isfunction(L, -1)) {
                    return script_raise(L, "callback argument given to "
                                           "redis.register_function must "
                                           "be a function");
                }
                lua_replace(L, 4);
                has_cb = 1;
            } else if (strcmp(k, "description") == 0) {
                if (!lua_isstring(L, -1)) {
                    return script_raise(L, "description argument given to "
                                           "redis.register_function must "
                                           "be a string");
                }
                lua_replace(L, 5);
            } else if (strcmp(k, "flags") == 0) {
                if (!lua_istable(L, -1)) {
                    return script_raise(L, "flags argument to "
                                           "redis.register_function must "
                                           "be a table representing "
                                           "function flags");
                }
                lua_pushnil(L);
                while (lua_next(L, -2)) {
                    size_t fl;
                    const char *f = lua_type(L, -1) == LUA_TSTRING
                                        ? lua_tolstring(L, -1, &fl)
                                        : NULL;
                    int bit = f != NULL ? script_flag_parse(f, fl) : 0;
                    if (bit == 0) {
                        return script_raise(L, "unknown flag given");
                    }
                    flags |= bit;
                    lua_pop(L, 1);
                }
                lua_pop(L, 1);
            } else {
                return script_raise(L, "unknown argument given to "
                                       "redis.register_function");
            }
            /* keep the key for lua_next: it is at -1 now */
        }
        if (!has_name) {
            return script_raise(L, "redis.register_function must get a "
                                   "function name argument");
        }
        if (!has_cb) {
            return script_raise(L, "redis.register_function must get a "
                                   "callback argument");
        }
        lua_settop(L, 5);
        lua_remove(L, 1);
        lua_remove(L, 1); /* name cb desc */
    } else if (argc == 2) {
        if (!lua_isstring(L, 1)) {
            return script_raise(L, "first argument to "
                                   "redis.register_function must be a "
                                   "string");
        }
        if (!lua_isfunction(L, 2)) {
            return script_raise(L, "second argument to "
                                   "redis.register_function must be a "
                                   "function");
        }
        lua_pushnil(L);
    } else {
        return script_raise(L, "wrong number of arguments to "
                               "redis.register_function");
    }
    size_t nl;
    const char *name = lua_tolstring(L, 1, &nl);
    if (!valid_name(name, nl)) {
        return script_raise(L, ERR_NAME);
    }
    for (int i = 0; i < lib->nfn; i++) {
        if (str_len(lib->fns[i]->name) == nl &&
            memcmp(lib->fns[i]->name, name, nl) == 0) {
            return script_raise(L, "Function already exists in the library");
        }
    }
    fn_def *fd = mem_calloc(sizeof(*fd));
    fd->name = str_new(name, nl);
    if (lua_isstring(L, 3)) {
        size_t dl;
        const char *d = lua_tolstring(L, 3, &dl);
        fd->desc = str_new(d, dl);
    }
    fd->flags = flags;
    fd->lib = lib;
    lua_pushvalue(L, 2);
    fd->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lib->fns = mem_realloc(lib->fns, sizeof(fn_def *) * (size_t)(lib->nfn + 1));
    lib->fns[lib->nfn++] = fd;
    return 0;
}

/* A library's top level may run this long (as Redis). */
#define LOAD_TIMEOUT_MS 500

static void load_timeout_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    /* Every instruction from now on: a pcall can't swallow it. */
    lua_sethook(L, load_timeout_hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    script_raise(L, "FUNCTION LOAD timeout");
}

static void load_hook(lua_State *L, lua_Debug *ar)
{
    server *srv = script_lua_server(L);

    if (util_mstime() - srv->script->fn->load_start >= LOAD_TIMEOUT_MS) {
        load_timeout_hook(L, ar);
    }
}

/* Parse "#!lua name=x" into *name. Returns 0 and the first line's length,
 * or -1 with *err. */
static int parse_meta(const char *code, size_t len, str *name, size_t *ll,
                      str *err)
{
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        *err = str_from_cstr("Missing library metadata");
        return -1;
    }
    const char *nl = memchr(code, '\n', len);
    *ll = nl != NULL ? (size_t)(nl - code) : len;
    int argc;
    str *parts = util_split_args(code, *ll, &argc);
    if (parts == NULL || argc == 0) {
        *err = str_from_cstr("Invalid library metadata");
        if (parts != NULL) {
            util_free_args(parts, argc);
        }
        return -1;
    }
    if (strcmp(parts[0], "#!lua") != 0) {
        *err = str_catfmt(str_empty(), "Engine '%s' not found", parts[0] + 2);
        util_free_args(parts, argc);
        return -1;
    }
    *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strncmp(parts[i], "name=", 5) != 0) {
            *err = str_catfmt(str_empty(), "Invalid metadata value given: %s",
                              parts[i]);
            goto fail;
        }
        if (*name != NULL) {
            *err = str_from_cstr("Invalid metadata value, name argument was "
                                 "given multiple times");
            goto fail;
        }
        *name = str_new(parts[i] + 5, str_len(parts[i]) - 5);
    }
    util_free_args(parts, argc);
    if (*name == NULL) {
        *err = str_from_cstr("Library name was not given");
        return -1;
    }
    if (!valid_name(*name, str_len(*name))) {
        *err = str_from_cstr(ERR_NAME);
        str_free(*name);
        *name = NULL;
        return -1;
    }
    return 0;
fail:
    util_free_args(parts, argc);
    str_free(*name);
    *name = NULL;
    return -1;
}

static void lib_unlink(function_state *fs, fn_lib *lib)
{
    for (int i = 0; i < lib->nfn; i++) {
        dict_delete(fs->funcs, lib->fns[i]->name, str_len(lib->fns[i]->name));
    }
    dict_delete(fs->libs, lib->name, str_len(lib->name));
}

static int load_library(server *srv, const char *code, size_t len,
                        int replace, str *err, str *out_name)
{
    script_state *st = srv->script;
    function_state *fs = st->fn;
    lua_State *L = st->func_L;
    str name = NULL;
    size_t ll = 0;

    *err = NULL;
    if (parse_meta(code, len, &name, &ll, err) != 0) {
        return -1;
    }
    dict_entry *old_de = dict_find(fs->libs, name, str_len(name));
    fn_lib *old = old_de != NULL ? old_de->v.ptr : NULL;
    if (old != NULL && !replace) {
        *err = str_catfmt(str_empty(), "Library '%s' already exists", name);
        str_free(name);
        return -1;
    }
    str src = str_new("--", 2);
    src = str_cat(src, code + 2, len - 2);
    if (luaL_loadbuffer(L, src, len, "@user_function") != 0) {
        *err = str_catfmt(str_empty(), "Error compiling function: %s",
                          lua_tostring(L, -1));
        lua_pop(L, 1);
        str_free(src);
        str_free(name);
        return -1;
    }
    str_free(src);
    fn_lib *lib = mem_calloc(sizeof(*lib));
    lib->name = name;
    lib->code = str_new(code, len);
    fs->loading = lib;
    script_lua_load_env(L);             /* M chunk */
    script_lua_push_error_handler(L);
    lua_insert(L, -2);                  /* M handler chunk */
    fs->load_start = util_mstime();
    lua_sethook(L, load_hook, LUA_MASKCOUNT, 100000);
    int rc = lua_pcall(L, 0, 0, -2);
    lua_sethook(L, NULL, 0, 0);
    fs->loading = NULL;
    if (rc != 0) {
        const char *m = NULL;
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            m = lua_tostring(L, -1);
            *err = str_catfmt(str_empty(), "Error registering functions: %s",
                              m != NULL ? m : "");
            lua_pop(L, 1);
        } else {
            m = lua_tostring(L, -1);
            *err = str_catfmt(str_empty(), "Error registering functions: %s",
                              m != NULL ? m : "");
        }
        lua_pop(L, 3);
        lib_free(L, lib);
        return -1;
    }
    lua_pop(L, 1);                      /* M */
    script_lua_run_env(L);
    lua_pop(L, 1);
    if (lib->nfn == 0) {
        *err = str_from_cstr("No functions registered");
        lib_free(L, lib);
        return -1;
    }
    for (int i = 0; i < lib->nfn; i++) {
        dict_entry *de = dict_find(fs->funcs, lib->fns[i]->name,
                                   str_len(lib->fns[i]->name));
        if (de != NULL && ((fn_def *)de->v.ptr)->lib != old) {
            *err = str_catfmt(str_empty(), "Function %s already exists",
                              lib->fns[i]->name);
            lib_free(L, lib);
            return -1;
        }
    }
    if (old != NULL) {
        lib_unlink(fs, old);
        lib_free(L, old);
    }
    dict_add(fs->libs, lib->name, str_len(lib->name))->v.ptr = lib;
    for (int i = 0; i < lib->nfn; i++) {
        dict_add(fs->funcs, lib->fns[i]->name, str_len(lib->fns[i]->name))
            ->v.ptr = lib->fns[i];
    }
    if (out_name != NULL) {
        *out_name = str_dup(lib->name);
    }
    return 0;
}

int functions_load_code(server *srv, const char *code, size_t len,
                        int replace, str *err)
{
    return load_library(srv, code, len, replace, err, NULL);
}

static int cmp_lib(const void *a, const void *b)
{
    const fn_lib *x = *(fn_lib *const *)a, *y = *(fn_lib *const *)b;
    return strcmp(x->name, y->name);
}

/* Libraries sorted by name (a stable order for DUMP and RDB). Caller
 * frees the array. */
static fn_lib **sorted_libs(function_state *fs, size_t *n)
{
    dict_iter it;
    dict_entry *de;
    size_t i = 0;

    *n = dict_size(fs->libs);
    fn_lib **v = mem_alloc(sizeof(*v) * (*n + 1));
    dict_iter_init(&it, fs->libs);
    while ((de = dict_iter_next(&it)) != NULL) {
        v[i++] = de->v.ptr;
    }
    dict_iter_deinit(&it);
    qsort(v, *n, sizeof(*v), cmp_lib);
    return v;
}

void functions_foreach_code(server *srv, function_code_fn *fn, void *priv)
{
    size_t n;
    fn_lib **v = sorted_libs(srv->script->fn, &n);

    for (size_t i = 0; i < n; i++) {
        fn(priv, v[i]->code, str_len(v[i]->code));
    }
    mem_free(v);
}

/* ---- FUNCTION ---- */

void cmd_function_load(client *c)
{
    int replace = 0;
    str err = NULL, name = NULL;

    for (int i = 2; i < c->argc - 1; i++) {
        if (c->argv[i].n == 7 && strncasecmp(c->argv[i].p, "replace", 7) == 0) {
            replace = 1;
        } else {
            reply_errorf(c, "Unknown option given: %.*s", (int)c->argv[i].n,
                         c->argv[i].p);
            return;
        }
    }
    const arg *code = &c->argv[c->argc - 1];
    if (load_library(c->srv, code->p, code->n, replace, &err, &name) != 0) {
        reply_errorf(c, "%s", err);
        str_free(err);
        return;
    }
    c->srv->dirty++;
    reply_bulk(c, name, str_len(name));
    str_free(name);
}

void cmd_function_delete(client *c)
{
    server *srv = c->srv;
    function_state *fs = srv->script->fn;
    dict_entry *de = dict_find(fs->libs, c->argv[2].p, c->argv[2].n);

    if (de == NULL) {
        reply_error(c, "Library not found");
        return;
    }
    fn_lib *lib = de->v.ptr;
    lib_unlink(fs, lib);
    lib_free(srv->script->func_L, lib);
    srv->dirty++;
    reply_ok(c);
}

static int flush_mode_ok(client *c, int idx)
{
    if (c->argc <= idx) {
        return 1;
    }
    const arg *a = &c->argv[idx];
    return c->argc == idx + 1 &&
           ((a->n == 4 && strncasecmp(a->p, "sync", 4) == 0) ||
            (a->n == 5 && strncasecmp(a->p, "async", 5) == 0));
}

void cmd_function_flush(client *c)
{
    if (c->argc > 3) {
        reply_errorf(c, "unknown subcommand or wrong number of arguments "
                        "for '%.*s'. Try FUNCTION HELP.",
                     (int)c->argv[1].n, c->argv[1].p);
        return;
    }
    if (!flush_mode_ok(c, 2)) {
        reply_error(c, "FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    functions_flush(c->srv);
    c->srv->dirty++;
    reply_ok(c);
}

void cmd_function_list(client *c)
{
    function_state *fs = c->srv->script->fn;
    int withcode = 0;
    const arg *pat = NULL;

    for (int i = 2; i < c->argc; i++) {
        const arg *a = &c->argv[i];
        if (a->n == 8 && strncasecmp(a->p, "withcode", 8) == 0 &&
            !withcode) {
            withcode = 1;
        } else if (a->n == 11 && strncasecmp(a->p, "libraryname", 11) == 0 &&
                   pat == NULL) {
            if (i + 1 >= c->argc) {
                reply_error(c, "library name argument was not given");
                return;
            }
            pat = &c->argv[++i];
        } else {
            reply_errorf(c, "Unknown argument %.*s", (int)a->n, a->p);
            return;
        }
    }
    size_t n;
    fn_lib **v = sorted_libs(fs, &n);
    void *h = reply_defer_len(c);
    long count = 0;
    for (size_t i = 0; i < n; i++) {
        fn_lib *lib = v[i];
        if (pat != NULL && !util_glob_match(pat->p, pat->n, lib->name,
                                            str_len(lib->name), 0)) {
            continue;
        }
        count++;
        reply_map_len(c, withcode ? 4 : 3);
        reply_bulk_cstr(c, "library_name");
        reply_bulk(c, lib->name, str_len(lib->name));
        reply_bulk_cstr(c, "engine");
        reply_bulk_cstr(c, "LUA");
        reply_bulk_cstr(c, "functions");
        reply_array_len(c, lib->nfn);
        for (int j = 0; j < lib->nfn; j++) {
            fn_def *fd = lib->fns[j];
            reply_map_len(c, 3);
            reply_bulk_cstr(c, "name");
            reply_bulk(c, fd->name, str_len(fd->name));
            reply_bulk_cstr(c, "description");
            if (fd->desc != NULL) {
                reply_bulk(c, fd->desc, str_len(fd->desc));
            } else {
                reply_null(c);
            }
            reply_bulk_cstr(c, "flags");
            static const char *const names[] = {
                "no-writes", "allow-oom", "allow-stale", "no-cluster",
                "allow-cross-slot-keys",
            };
            int nf = 0;
            for (int b = 0; b < 5; b++) {
                nf += (fd->flags >> b) & 1;
            }
            reply_set_len(c, nf);
            for (int b = 0; b < 5; b++) {
                if (fd->flags & (1 << b)) {
                    reply_status(c, names[b]);
                }
            }
        }
        if (withcode) {
            reply_bulk_cstr(c, "library_code");
            reply_bulk(c, lib->code, str_len(lib->code));
        }
    }
    reply_set_deferred_array(c, h, count);
    mem_free(v);
}

void cmd_function_stats(client *c)
{
    script_run *run = c->srv->script->run;

    /* As Redis: an EVAL script is no function to report. */
    if (run != NULL && run->is_eval) {
        reply_error(c, "-BUSY Redis is busy running a script. You can only "
                       "call SCRIPT KILL or SHUTDOWN NOSAVE.");
        return;
    }
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "running_script");
    if (c->srv->script->run != NULL && !c->srv->script->run->is_eval) {
        script_reply_running(c);
    } else {
        reply_null(c);
    }
    reply_bulk_cstr(c, "engines");
    reply_map_len(c, 1);
    reply_bulk_cstr(c, "LUA");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "libraries_count");
    reply_ll(c, script_lib_count(c->srv));
    reply_bulk_cstr(c, "functions_count");
    reply_ll(c, script_func_count(c->srv));
}

void cmd_function_kill(client *c)
{
    script_kill(c, 0);
}

void cmd_function_help(client *c)
{
    static const char *lines[] = {
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern "
        "using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior "
        "is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes "
        "are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current "
        "libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is "
        "possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing "
        "libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing "
        "libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this "
        "option there is a chance of failure",
        "      in case of functions name collision with another library).",
        NULL,
    };

    reply_help(c, lines);
}

/* ---- DUMP / RESTORE: RDB-encoded FUNCTION2 records ---- */

static str rdb_len(str s, uint64_t n)
{
    unsigned char b[9];

    if (n < 64) {
        b[0] = (unsigned char)n;
        return str_cat(s, b, 1);
    }
    if (n < 16384) {
        b[0] = (unsigned char)(0x40 | (n >> 8));
        b[1] = (unsigned char)(n & 0xff);
        return str_cat(s, b, 2);
    }
    if (n <= UINT32_MAX) {
        b[0] = 0x80;
        for (int i = 0; i < 4; i++) {
            b[1 + i] = (unsigned char)(n >> (24 - 8 * i));
        }
        return str_cat(s, b, 5);
    }
    b[0] = 0x81;
    for (int i = 0; i < 8; i++) {
        b[1 + i] = (unsigned char)(n >> (56 - 8 * i));
    }
    return str_cat(s, b, 9);
}

/* An RDB string: LZF-compressed when that saves space (rdbcompression
 * yes, as Redis's default), else raw. */
static str rdb_string(str s, const char *p, size_t n)
{
    if (n > 20) {
        size_t cap = n - 4;
        char *out = mem_alloc(cap + 1);
        /* Redis's own LZF layout, so FUNCTION DUMP payloads match its
         * byte for byte (common/lzf.c may pick other matches). */
        struct rdb_lzf *z = rdb_lzf_create();
        size_t cl = rdb_lzf_compress(z, p, n, out, cap);
        rdb_lzf_destroy(z);
        if (cl > 0) {
            unsigned char enc = 0xc3;
            s = str_cat(s, &enc, 1);
            s = rdb_len(s, cl);
            s = rdb_len(s, n);
            s = str_cat(s, out, cl);
            mem_free(out);
            return s;
        }
        mem_free(out);
    }
    s = rdb_len(s, n);
    return str_cat(s, p, n);
}

static void dump_one(void *priv, const char *code, size_t len)
{
    str *s = priv;
    unsigned char op = RDB_OPCODE_FUNCTION2;

    *s = str_cat(*s, &op, 1);
    *s = rdb_string(*s, code, len);
}

void cmd_function_dump(client *c)
{
    str s = str_empty();
    unsigned char tail[10];

    functions_foreach_code(c->srv, dump_one, &s);
    tail[0] = RDB_VERSION & 0xff;
    tail[1] = (RDB_VERSION >> 8) & 0xff;
    s = str_cat(s, tail, 2);
    uint64_t crc = crc64(0, s, str_len(s));
    for (int i = 0; i < 8; i++) {
        tail[i] = (unsigned char)(crc >> (8 * i));
    }
    s = str_cat(s, tail, 8);
    reply_bulk(c, s, str_len(s));
    str_free(s);
}

/* Read an RDB length; -1 on truncation. *enc set for special encodings. */
static int read_len(const unsigned char **p, const unsigned char *end,
                    uint64_t *n, int *enc)
{
    *enc = -1;
    if (*p >= end) {
        return -1;
    }
    unsigned char b = *(*p)++;
    int type = b >> 6;
    if (type == 0) {
        *n = b & 0x3f;
    } else if (type == 1) {
        if (*p >= end) {
            return -1;
        }
        *n = ((uint64_t)(b & 0x3f) << 8) | *(*p)++;
    } else if (type == 3) {
        *enc = b & 0x3f;
        *n = 0;
    } else if (b == 0x80) {
        if (end - *p < 4) {
            return -1;
        }
        *n = 0;
        for (int i = 0; i < 4; i++) {
            *n = (*n << 8) | *(*p)++;
        }
    } else if (b == 0x81) {
        if (end - *p < 8) {
            return -1;
        }
        *n = 0;
        for (int i = 0; i < 8; i++) {
            *n = (*n << 8) | *(*p)++;
        }
    } else {
        return -1;
    }
    return 0;
}

/* Read an RDB string into a new str; NULL if malformed. */
static str read_string(const unsigned char **p, const unsigned char *end)
{
    uint64_t n;
    int enc;

    if (read_len(p, end, &n, &enc) != 0) {
        return NULL;
    }
    if (enc == -1) {
        if ((uint64_t)(end - *p) < n) {
            return NULL;
        }
        str s = str_new(*p, (size_t)n);
        *p += n;
        return s;
    }
    if (enc == 3) {
        uint64_t cl, ul;
        int e2;
        if (read_len(p, end, &cl, &e2) != 0 || e2 != -1 ||
            read_len(p, end, &ul, &e2) != 0 || e2 != -1 ||
            (uint64_t)(end - *p) < cl || ul > (1ULL << 32)) {
            return NULL;
        }
        str s = str_grow_zero(str_empty(), (size_t)ul);
        if (lzf_decompress(*p, (size_t)cl, s, (size_t)ul) != ul) {
            str_free(s);
            return NULL;
        }
        *p += cl;
        return s;
    }
    if (enc <= 2) {
        int bytes = 1 << enc;
        if (end - *p < bytes) {
            return NULL;
        }
        long long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long long)(*p)[i] << (8 * i);
        }
        if (bytes == 1) {
            v = (int8_t)v;
        } else if (bytes == 2) {
            v = (int16_t)v;
        } else {
            v = (int32_t)v;
        }
        *p += bytes;
        return str_catfmt(str_empty(), "%lld", v);
    }
    return NULL;
}

typedef struct code_list {
    str *v;
    int n;
} code_list;

static void collect_code(void *priv, const char *code, size_t len)
{
    code_list *l = priv;

    l->v = mem_realloc(l->v, sizeof(str) * (size_t)(l->n + 1));
    l->v[l->n++] = str_new(code, len);
}

static void free_codes(code_list *l)
{
    for (int i = 0; i < l->n; i++) {
        str_free(l->v[i]);
    }
    mem_free(l->v);
    l->v = NULL;
    l->n = 0;
}

void cmd_function_restore(client *c)
{
    server *srv = c->srv;
    function_state *fs = srv->script->fn;
    const arg *pl = &c->argv[2];
    int policy = 0; /* 0 append, 1 replace, 2 flush */

    if (c->argc > 4) {
        reply_errorf(c, "unknown subcommand or wrong number of arguments "
                        "for '%.*s'. Try FUNCTION HELP.",
                     (int)c->argv[1].n, c->argv[1].p);
        return;
    }
    if (c->argc == 4) {
        const arg *a = &c->argv[3];
        if (a->n == 5 && strncasecmp(a->p, "flush", 5) == 0) {
            policy = 2;
        } else if (a->n == 6 && strncasecmp(a->p, "append", 6) == 0) {
            policy = 0;
        } else if (a->n == 7 && strncasecmp(a->p, "replace", 7) == 0) {
            policy = 1;
        } else {
            reply_error(c, "Wrong restore policy given, value should be "
                           "either FLUSH, APPEND or REPLACE.");
            return;
        }
    }
    const unsigned char *p = (const unsigned char *)pl->p;
    if (pl->n < 10) {
        reply_error(c, "DUMP payload version or checksum are wrong");
        return;
    }
    const unsigned char *end = p + pl->n - 10;
    unsigned ver = end[0] | (unsigned)end[1] << 8;
    uint64_t crc = 0;
    for (int i = 0; i < 8; i++) {
        crc |= (uint64_t)end[2 + i] << (8 * i);
    }
    if (ver > RDB_VERSION || crc64(0, p, pl->n - 8) != crc) {
        reply_error(c, "DUMP payload version or checksum are wrong");
        return;
    }
    /* Parse every library first. */
    str *codes = NULL;
    int ncodes = 0;
    while (p < end) {
        if (*p != RDB_OPCODE_FUNCTION2) {
            reply_error(c, "given type is not a function");
            goto done;
        }
        p++;
        str code = read_string(&p, end);
        if (code == NULL) {
            reply_error(c, "DUMP payload version or checksum are wrong");
            goto done;
        }
        codes = mem_realloc(codes, sizeof(str) * (size_t)(ncodes + 1));
        codes[ncodes++] = code;
    }
    if (policy == 0) {
        for (int i = 0; i < ncodes; i++) {
            str name = NULL, err = NULL;
            size_t ll;
            if (parse_meta(codes[i], str_len(codes[i]), &name, &ll, &err) !=
                0) {
                reply_errorf(c, "%s", err);
                str_free(err);
                goto done;
            }
            int exists = dict_find(fs->libs, name, str_len(name)) != NULL;
            if (exists) {
                reply_errorf(c, "Library %s already exists", name);
                str_free(name);
                goto done;
            }
            str_free(name);
        }
    }
    /* All or nothing: on a failure the libraries we had come back. */
    code_list old = {NULL, 0};
    functions_foreach_code(srv, collect_code, &old);
    if (policy == 2) {
        functions_flush(srv);
    }
    for (int i = 0; i < ncodes; i++) {
        str err = NULL;
        if (load_library(srv, codes[i], str_len(codes[i]), policy != 0, &err,
                         NULL) != 0) {
            reply_errorf(c, "%s", err);
            str_free(err);
            functions_flush(srv);
            for (int j = 0; j < old.n; j++) {
                str e2 = NULL;
                if (load_library(srv, old.v[j], str_len(old.v[j]), 0, &e2,
                                 NULL) != 0) {
                    log_warn("FUNCTION RESTORE: could not reload a library: "
                             "%s", e2);
                    str_free(e2);
                }
            }
            free_codes(&old);
            goto done;
        }
    }
    free_codes(&old);
    srv->dirty++;
    reply_ok(c);
done:
    for (int i = 0; i < ncodes; i++) {
        str_free(codes[i]);
    }
    mem_free(codes);
}

/* ---- FCALL ---- */

static void fcall_generic(client *c, int ro)
{
    function_state *fs = c->srv->script->fn;
    lua_State *L = c->srv->script->func_L;
    long long numkeys;

    dict_entry *de = dict_find(fs->funcs, c->argv[1].p, c->argv[1].n);
    if (de == NULL) {
        reply_error(c, "Function not found");
        return;
    }
    fn_def *fd = de->v.ptr;
    if (script_parse_numkeys(c, "Bad number of keys provided", &numkeys) !=
        0) {
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, fd->ref);
    script_run_function(c, L, fd->name, fd->flags, 0, ro, c->argv + 3,
                        (int)numkeys, c->argv + 3 + numkeys,
                        c->argc - 3 - (int)numkeys);
}

void cmd_fcall(client *c)
{
    fcall_generic(c, 0);
}

void cmd_fcall_ro(client *c)
{
    fcall_generic(c, 1);
}
