/* cmd_conn: connection and server-control commands: PING, ECHO, QUIT,
 * RESET, HELLO, AUTH, TIME, LASTSAVE, SHUTDOWN, MONITOR and DEBUG. Replies
 * and error texts follow redis-server 7.0 byte for byte. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aof.h"
#include "cluster.h"
#include "cmd.h"
#include "cmd_client.h"
#include "db.h"
#include "log.h"
#include "lzf.h"
#include "mem.h"
#include "multi.h"
#include "net.h"
#include "pubsub.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "tracking.h"
#include "util.h"

#define ERR_WRONGPASS                                                          \
    "-WRONGPASS invalid username-password pair or user is disabled."

/* ---- shared helpers ---- */

/* Redis compares option words as C strings, so "now\0junk" still means
 * NOW; do the same to give the same answers. */
static int opt_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* Length of an argument as the C string Redis formats with "%s". */
static int cstr_len(const arg *a)
{
    return (int)strnlen(a->p, a->n);
}

/* A NUL-terminated copy of an argument, truncated to size - 1 bytes, for
 * the C library parsers (strtod, atoi) Redis uses on these arguments. */
static void arg_to_cstr(const arg *a, char *buf, size_t size)
{
    size_t n = a->n < size - 1 ? a->n : size - 1;

    memcpy(buf, a->p, n);
    buf[n] = '\0';
}

/* ---- authentication ---- */

static int password_required(const server *srv)
{
    return srv->cfg.requirepass != NULL && str_len(srv->cfg.requirepass) > 0;
}

/* Compare every byte whatever the first mismatch, so the time a wrong
 * guess takes says nothing about how much of it was right. */
static int secret_equal(const char *a, size_t an, const char *b, size_t bn)
{
    unsigned char diff = an != bn;

    for (size_t i = 0; i < an; i++) {
        diff |= (unsigned char)(a[i] ^ (bn > 0 ? b[i % bn] : 0));
    }
    return diff == 0;
}

/* The default user is the only user: without requirepass it takes any
 * password (Redis's "nopass"), with it exactly that password. Returns 0
 * and marks c authenticated, or -1 (c keeps its current state). */
static int authenticate(client *c, const arg *user, const arg *pass)
{
    const server *srv = c->srv;

    if (user->n != 7 || memcmp(user->p, "default", 7) != 0) {
        return -1;
    }
    if (password_required(srv) &&
        !secret_equal(pass->p, pass->n, srv->cfg.requirepass,
                      str_len(srv->cfg.requirepass))) {
        return -1;
    }
    c->flags |= CF_AUTHENTICATED;
    return 0;
}

/* Hide a secret from MONITOR and the slow log, which read argv after the
 * call. The caller copies the argument out first. */
static void redact(client *c, int i)
{
    c->argv[i].p = "(redacted)";
    c->argv[i].n = 10;
}

void cmd_auth(client *c)
{
    static const arg default_user = {"default", 7};
    arg user, pass;

    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc == 2) {
        /* The old one-argument form is an error when there is no password
         * to check, so a misconfigured client notices. */
        if (!password_required(c->srv)) {
            redact(c, 1);
            reply_error(c, "AUTH <password> called without any password "
                           "configured for the default user. Are you sure "
                           "your configuration is correct?");
            return;
        }
        user = default_user;
        pass = c->argv[1];
        redact(c, 1);
    } else {
        user = c->argv[1];
        pass = c->argv[2];
        redact(c, 1);
        redact(c, 2);
    }
    if (authenticate(c, &user, &pass) != 0) {
        reply_error(c, ERR_WRONGPASS);
        return;
    }
    reply_ok(c);
}

/* HELLO [protover [AUTH user pass] [SETNAME name]]: options take effect
 * as they are read (a later syntax error keeps an earlier SETNAME), as in
 * Redis 7.0. */
void cmd_hello(client *c)
{
    server *srv = c->srv;
    long long ver = 0;
    int j = 1;

    if (c->argc >= 2) {
        if (util_str2ll(c->argv[1].p, c->argv[1].n, &ver) != 0) {
            reply_error(c, "Protocol version is not an integer or out of "
                           "range");
            return;
        }
        if (ver < 2 || ver > 3) {
            reply_error(c, "-NOPROTO unsupported protocol version");
            return;
        }
        j = 2;
    }
    for (; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (opt_is(&c->argv[j], "auth") && more >= 2) {
            arg user = c->argv[j + 1], pass = c->argv[j + 2];
            redact(c, j + 1);
            redact(c, j + 2);
            if (authenticate(c, &user, &pass) != 0) {
                reply_error(c, ERR_WRONGPASS);
                return;
            }
            j += 2;
        } else if (opt_is(&c->argv[j], "setname") && more >= 1) {
            if (cmd_client_apply_name(c, c->argv[j + 1].p, c->argv[j + 1].n) !=
                0) {
                return;
            }
            j++;
        } else {
            reply_errorf(c, "Syntax error in HELLO option '%.*s'",
                         cstr_len(&c->argv[j]), c->argv[j].p);
            return;
        }
    }
    if (password_required(srv) && !(c->flags & CF_AUTHENTICATED)) {
        reply_error(c, "-NOAUTH HELLO must be called with the client already "
                       "authenticated, otherwise the HELLO AUTH <user> "
                       "<pass> option can be used to authenticate the "
                       "client and select the RESP protocol version at the "
                       "same time");
        return;
    }
    if (ver != 0) {
        c->resp = (int)ver;
    }
    reply_map_len(c, 7);
    reply_bulk_cstr(c, "server");
    reply_bulk_cstr(c, "redis");
    reply_bulk_cstr(c, "version");
    reply_bulk_cstr(c, SHOAL_VERSION);
    reply_bulk_cstr(c, "proto");
    reply_ll(c, c->resp);
    reply_bulk_cstr(c, "id");
    reply_ll(c, (long long)c->id);
    reply_bulk_cstr(c, "mode");
    reply_bulk_cstr(c, srv->cfg.cluster_enabled ? "cluster" : "standalone");
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, "master");
    reply_bulk_cstr(c, "modules");
    reply_array_len(c, 0);
}

/* ---- simple connection commands ---- */

void cmd_ping(client *c)
{
    if (c->argc > 2) {
        reply_errorf(c, "wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    /* A subscribed RESP2 client reads messages: the pong comes in the
     * same shape, ["pong", msg]. */
    if (c->resp == 2 && pubsub_client_subscribed(c)) {
        reply_array_len(c, 2);
        reply_bulk_cstr(c, "pong");
        if (c->argc == 2) {
            reply_bulk(c, c->argv[1].p, c->argv[1].n);
        } else {
            reply_bulk(c, "", 0);
        }
        return;
    }
    if (c->argc == 2) {
        reply_bulk(c, c->argv[1].p, c->argv[1].n);
    } else {
        reply_status(c, "PONG");
    }
}

void cmd_echo(client *c)
{
    reply_bulk(c, c->argv[1].p, c->argv[1].n);
}

void cmd_quit(client *c)
{
    reply_ok(c);
    /* After the reply: replies to a closing client are dropped. */
    c->flags |= CF_CLOSE_AFTER_REPLY;
}

/* Back to a fresh connection's state. CLIENT NO-EVICT and the library
 * name stay: they describe the connection, not a session on it.
 * TODO(multi, pubsub, tracking): discard the transaction, unsubscribe
 * and stop tracking here when those exist. */
void cmd_reset(client *c)
{
    if (c->flags & CF_MONITOR) {
        net_remove_monitor(c);
    }
    pubsub_client_unsubscribe_all(c);
    multi_client_reset(c);
    cluster_client_reset(c);
    tracking_disable(c);
    c->db = &c->srv->dbs[0];
    c->resp = 2;
    str_free(c->name);
    c->name = NULL;
    /* A pending CLIENT REPLY SKIP still swallows this reply, as in Redis. */
    if (c->reply_mode != REPLY_SKIP) {
        c->reply_mode = REPLY_ON;
    }
    if (password_required(c->srv)) {
        c->flags &= ~CF_AUTHENTICATED;
    } else {
        c->flags |= CF_AUTHENTICATED;
    }
    reply_status(c, "RESET");
}

void cmd_time(client *c)
{
    long long us = util_ustime();

    reply_array_len(c, 2);
    reply_bulk_ll(c, us / 1000000);
    reply_bulk_ll(c, us % 1000000);
}

void cmd_lastsave(client *c)
{
    reply_ll(c, c->srv->lastsave);
}

void cmd_monitor(client *c)
{
    /* Inside EXEC: its caller expects one reply per command. */
    if (c->flags & CF_DENY_BLOCKING) {
        reply_error(c, "MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    /* Already monitoring: nothing to do and, as in Redis, no reply. */
    if (c->flags & CF_MONITOR) {
        return;
    }
    net_add_monitor(c);
    reply_ok(c);
}

/* ---- SHUTDOWN ---- */

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. With no replicas to wait
 * for, a shutdown is immediate, so ABORT never finds one in progress. */
void cmd_shutdown(client *c)
{
    server *srv = c->srv;
    int nosave = 0, save = 0, now = 0, force = 0, abort_req = 0;

    for (int i = 1; i < c->argc; i++) {
        const arg *a = &c->argv[i];
        if (opt_is(a, "nosave")) {
            nosave = 1;
        } else if (opt_is(a, "save")) {
            save = 1;
        } else if (opt_is(a, "now")) {
            now = 1;
        } else if (opt_is(a, "force")) {
            force = 1;
        } else if (opt_is(a, "abort")) {
            abort_req = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if ((abort_req && (nosave || save || now || force)) || (nosave && save)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (abort_req) {
        reply_error(c, "No shutdown in progress.");
        return;
    }
    /* The AOF first, as Redis: everything acknowledged reaches the disk
     * (aof.c); FORCE exits even if that fails. */
    if (aof_flush_and_sync(srv) != 0 && !force) {
        reply_error(c, "Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    /* An RDB is saved when asked to, or when save points are configured
     * and NOSAVE wasn't given; FORCE exits even if that save fails. */
    if (rdb_shutdown_save(srv, save, nosave, force) != 0) {
        reply_error(c, "Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    log_warn("User requested shutdown...");
    srv->shutdown_asap = 1;
    srv->exit_code = 0;
    /* Like Redis, which exits inside the command: no reply, and nothing
     * this client pipelined after SHUTDOWN runs. */
    net_client_close_async(c);
    ev_break(srv->loop, EVBREAK_ALL);
}

/* ---- DEBUG ---- */

static void debug_help(client *c)
{
    static const char *lines[] = {
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful "
        "for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is "
        "specified then",
        "    it is used instead of the 'key' prefix. These are not "
        "propagated to",
        "    replicas. Cluster slots are not respected so keys not "
        "belonging to the",
        "    current node can be created in cluster mode.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: "
        "string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, "
        "verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> "
        "values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before "
        "load, but",
        "      conflicting keys will generate an exception and kill the "
        "server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush "
        "and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the "
        "contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an "
        "existing RDB",
        "      file to the database.",
        "SEGFAULT",
        "    Crash the server with sigsegv.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they "
        "are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 "
        "reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        NULL,
    };

    reply_help(c, lines);
}

static void debug_sleep(client *c)
{
    char buf[128];

    /* strtod of the whole argument, as Redis: junk means 0 seconds. */
    arg_to_cstr(&c->argv[2], buf, sizeof(buf));
    double us = strtod(buf, NULL) * 1000000.0;
    if (us >= 1.0) {
        struct timespec ts;
        /* Clamp before converting: "inf" would be undefined behaviour. */
        if (!(us < 9.0e18)) {
            us = 9.0e18;
        }
        long long whole = (long long)us;
        ts.tv_sec = (time_t)(whole / 1000000);
        ts.tv_nsec = (long)(whole % 1000000) * 1000;
        nanosleep(&ts, NULL);
    }
    reply_ok(c);
}

static int positive_arg(client *c, const arg *a, long long *out)
{
    if (util_str2ll(a->p, a->n, out) != 0 || *out < 0) {
        reply_error(c, "value is out of range, must be positive");
        return -1;
    }
    return 0;
}

/* DEBUG POPULATE count [prefix] [size]: "prefix:N" -> "value:N" for N in
 * 0..count-1, skipping keys that exist. A size pads the value with zero
 * bytes or cuts it. Like Redis, keys are formatted into 128 bytes and the
 * prefix is read as a C string; the writes count no dirty changes. */
static void debug_populate(client *c)
{
    long long count, size = 0;
    const char *prefix = "key";
    int plen = 3;
    char *sized = NULL;

    if (positive_arg(c, &c->argv[2], &count) != 0) {
        return;
    }
    if (c->argc == 5 && positive_arg(c, &c->argv[4], &size) != 0) {
        return;
    }
    if (c->argc >= 4) {
        prefix = c->argv[3].p;
        plen = cstr_len(&c->argv[3]);
    }
    if (size > 0) {
        /* "value:N" only grows with N, so each copy covers the last. */
        sized = mem_calloc((size_t)size);
    }
    for (long long j = 0; j < count; j++) {
        char key[128], val[32];
        int kn = snprintf(key, sizeof(key), "%.*s:%lld", plen, prefix, j);
        if (kn >= (int)sizeof(key)) {
            kn = (int)sizeof(key) - 1;
        }
        arg k = {key, (size_t)kn};
        if (db_lookup_write(c, &k) != NULL) {
            continue;
        }
        int vn = snprintf(val, sizeof(val), "value:%lld", j);
        obj *o;
        if (sized != NULL) {
            memcpy(sized, val, (size_t)(vn < size ? vn : size));
            o = obj_create_string(sized, (size_t)size);
        } else {
            o = obj_create_string(val, (size_t)vn);
        }
        db_add(c->db, key, (size_t)kn, o);
        db_signal_modified(c, c->db, key, (size_t)kn);
    }
    mem_free(sized);
    reply_ok(c);
}

/* Bytes of an RDB length prefix. */
static size_t rdb_len_size(size_t n)
{
    if (n < (1 << 6)) {
        return 1;
    }
    if (n < (1 << 14)) {
        return 2;
    }
    return n <= UINT32_MAX ? 5 : 9;
}

/* What the value would take in an RDB file (rdbcompression on). Strings
 * are measured as RDB writes them; a compressed size may differ from
 * Redis's by a few bytes (another LZF encoder). Other types aren't
 * measured yet (0). */
static size_t serialized_len(const obj *o)
{
    char buf[LONG_STR_SIZE];
    size_t n;
    long long v;

    if (o->type != OBJ_STRING) {
        return 0;
    }
    const char *p = obj_str_view(o, buf, &n);
    /* Short decimal strings are stored as 8/16/32-bit integers. */
    if (n <= 11 && util_str2ll(p, n, &v) == 0) {
        if (v >= INT8_MIN && v <= INT8_MAX) {
            return 2;
        }
        if (v >= INT16_MIN && v <= INT16_MAX) {
            return 3;
        }
        if (v >= INT32_MIN && v <= INT32_MAX) {
            return 5;
        }
    }
    /* Longer strings are stored LZF-compressed when that saves bytes. */
    if (n > 20) {
        size_t room = n - 4;
        char *out = mem_alloc(room);
        size_t clen = lzf_compress(p, n, out, room);
        mem_free(out);
        if (clen > 0) {
            return 1 + rdb_len_size(clen) + rdb_len_size(n) + clen;
        }
    }
    return rdb_len_size(n) + n;
}

static void debug_object(client *c)
{
    server *srv = c->srv;
    obj *o = db_find(c->db, c->argv[2].p, c->argv[2].n);

    if (o == NULL) {
        reply_error(c, ERR_NO_KEY);
        return;
    }
    unsigned long long idle;
    if (srv->lru_clock >= o->lru) {
        idle = srv->lru_clock - o->lru;
    } else {
        idle = srv->lru_clock + (LRU_CLOCK_MAX - o->lru);
    }
    str line = str_catfmt(str_empty(),
                          "Value at:%p refcount:%d encoding:%s "
                          "serializedlength:%zu lru:%d lru_seconds_idle:%llu",
                          (void *)o, o->refcount, obj_encoding_name(o->enc),
                          serialized_len(o), (int)o->lru, idle);
    reply_status(c, line);
    str_free(line);
}

static void debug_set_active_expire(client *c)
{
    char buf[32];

    /* atoi, as Redis: any non-zero number enables, junk disables. */
    arg_to_cstr(&c->argv[2], buf, sizeof(buf));
    c->srv->active_expire_enabled = atoi(buf);
    reply_ok(c);
}

static void debug_error(client *c)
{
    /* Sent as given, code included: no "ERR " is added. */
    str s = str_cat(str_new("-", 1), c->argv[2].p, c->argv[2].n);

    for (size_t i = 0; i < str_len(s); i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            s[i] = ' ';
        }
    }
    s = str_cat(s, "\r\n", 2);
    reply_raw(c, s, str_len(s));
    str_free(s);
}

static void debug_log(client *c)
{
    log_warn("DEBUG LOG: %.*s", cstr_len(&c->argv[2]), c->argv[2].p);
    reply_ok(c);
}

static void debug_protocol(client *c)
{
    static const char bignum[] = "1234567999999999999999999999999999999";
    const arg *t = &c->argv[2];

    if (opt_is(t, "string")) {
        reply_bulk_cstr(c, "Hello World");
    } else if (opt_is(t, "integer")) {
        reply_ll(c, 12345);
    } else if (opt_is(t, "double")) {
        reply_double(c, 3.141);
    } else if (opt_is(t, "bignum")) {
        if (c->resp >= 3) {
            reply_raw(c, "(", 1);
            reply_raw(c, bignum, sizeof(bignum) - 1);
            reply_raw(c, "\r\n", 2);
        } else {
            reply_bulk_cstr(c, bignum);
        }
    } else if (opt_is(t, "null")) {
        reply_null(c);
    } else if (opt_is(t, "array") || opt_is(t, "set")) {
        if (opt_is(t, "set")) {
            reply_set_len(c, 3);
        } else {
            reply_array_len(c, 3);
        }
        for (int i = 0; i < 3; i++) {
            reply_ll(c, i);
        }
    } else if (opt_is(t, "map")) {
        reply_map_len(c, 3);
        for (int i = 0; i < 3; i++) {
            reply_ll(c, i);
            reply_bool(c, i == 1);
        }
    } else if (opt_is(t, "attrib")) {
        if (c->resp >= 3) {
            reply_raw(c, "|1\r\n", 4);
            reply_bulk_cstr(c, "key-popularity");
            reply_array_len(c, 2);
            reply_bulk_cstr(c, "key:123");
            reply_ll(c, 90);
        }
        reply_bulk_cstr(c, "Some real reply following the attribute");
    } else if (opt_is(t, "push")) {
        if (c->resp < 3) {
            reply_error(c, "RESP2 is not supported by this command");
            return;
        }
        reply_push_len(c, 2);
        reply_bulk_cstr(c, "server-cpu-usage");
        reply_ll(c, 42);
        reply_bulk_cstr(c, "Some real reply following the push reply");
    } else if (opt_is(t, "true")) {
        reply_bool(c, 1);
    } else if (opt_is(t, "false")) {
        reply_bool(c, 0);
    } else if (opt_is(t, "verbatim")) {
        static const char text[] = "This is a verbatim\nstring";
        reply_verbatim(c, text, sizeof(text) - 1, "txt");
    } else {
        reply_error(c, "Wrong protocol type name. Please use one of the "
                       "following: string|integer|double|bignum|null|array|"
                       "set|map|attrib|push|verbatim|true|false");
    }
}

static void debug_segfault(client *c)
{
    (void)c;
    log_warn("DEBUG SEGFAULT: crashing the server on request");
    /* The default action, not a sanitizer's report: this crash is wanted. */
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
}

/* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load (rdb.c). */
static void debug_reload(client *c)
{
    int save = 1, flush = 1, merge = 0;

    for (int j = 2; j < c->argc; j++) {
        if (opt_is(&c->argv[j], "merge")) {
            merge = 1;
        } else if (opt_is(&c->argv[j], "noflush")) {
            flush = 0;
        } else if (opt_is(&c->argv[j], "nosave")) {
            save = 0;
        } else {
            reply_error(c, "DEBUG RELOAD only supports the MERGE, NOFLUSH "
                           "and NOSAVE options.");
            return;
        }
    }
    int rc = rdb_debug_reload(c->srv, save, flush, merge);
    if (rc == -1) {
        reply_error(c, "-ERR");
    } else if (rc == -2) {
        reply_error(c, "Error trying to load the RDB dump, check server "
                       "logs.");
    } else {
        reply_ok(c);
    }
}

/* DEBUG LOADAOF (aof.c): reload the dataset from the AOF directory. */
static void debug_loadaof(client *c)
{
    if (aof_debug_loadaof(c->srv) != 0) {
        reply_error(c, "Error trying to load the AOF files, check server "
                       "logs.");
    } else {
        reply_ok(c);
    }
}

typedef struct debug_sub {
    const char *name;
    int min_argc, max_argc; /* counting DEBUG and the subcommand */
    void (*fn)(client *c);
} debug_sub;

static const debug_sub debug_subs[] = {
    {"help", 2, 2, debug_help},
    {"sleep", 3, 3, debug_sleep},
    {"populate", 3, 5, debug_populate},
    {"object", 3, 3, debug_object},
    {"set-active-expire", 3, 3, debug_set_active_expire},
    {"error", 3, 3, debug_error},
    {"log", 3, 3, debug_log},
    {"protocol", 3, 3, debug_protocol},
    {"segfault", 2, 2, debug_segfault},
    {"reload", 2, 5, debug_reload},
    {"loadaof", 2, 2, debug_loadaof},
};

/* Enabling DEBUG (enable-debug-command) is checked before the call, in
 * cmd_process, as Redis rejects it before authentication. */
void cmd_debug(client *c)
{
    for (size_t i = 0; i < sizeof(debug_subs) / sizeof(*debug_subs); i++) {
        const debug_sub *s = &debug_subs[i];
        if (opt_is(&c->argv[1], s->name) && c->argc >= s->min_argc &&
            c->argc <= s->max_argc) {
            s->fn(c);
            return;
        }
    }
    reply_errorf(c,
                 "unknown subcommand or wrong number of arguments for "
                 "'%.*s'. Try DEBUG HELP.",
                 cstr_len(&c->argv[1]) > 128 ? 128 : cstr_len(&c->argv[1]),
                 c->argv[1].p);
}
