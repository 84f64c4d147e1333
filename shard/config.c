/* config: one table of options, Redis 7.0's names and meanings. Defaults
 * are written as directive text and go through the same parser as the
 * config file, the command line and CONFIG SET. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aof.h"
#include "log.h"
#include "mem.h"
#include "notify.h"
#include "reply.h"
#include "slowlog.h"
#include "util.h"

enum opt_type { T_BOOL, T_INT, T_LL, T_MEM, T_STR, T_ENUM, T_SPECIAL };

#define IMMUTABLE CONFIG_IMMUTABLE
#define PROTECTED CONFIG_PROTECTED /* dir, dbfilename: see Redis 7.0 */
#define SENSITIVE CONFIG_SENSITIVE
#define NO_EMPTY (1 << 8)   /* strings that may not be "" */
#define HIDDEN (1 << 9)

typedef struct enum_val {
    const char *name;
    int val;
} enum_val;

typedef struct option option;
typedef int opt_set_fn(server *srv, const option *o, const char *v,
                       const char **err);
typedef str opt_get_fn(server *srv, const option *o);
typedef int opt_apply_fn(server *srv, const char **err);

struct option {
    const char *name;
    const char *alias;
    enum opt_type type;
    int flags;
    size_t off;
    long long min, max;
    const char *def;
    const enum_val *enums;
    opt_set_fn *set;
    opt_get_fn *get;
    opt_apply_fn *apply;
};

static const enum_val loglevel_enum[] = {
    {"debug", LOG_DEBUG},
    {"verbose", LOG_VERBOSE},
    {"notice", LOG_NOTICE},
    {"warning", LOG_WARNING},
    {NULL, 0},
};

static const enum_val debug_cmd_enum[] = {
    {"no", 0},
    {"yes", 1},
    {"local", 2},
    {NULL, 0},
};

/* Redis's names in Redis's order (its error text lists them so). Only
 * noeviction (0) is accepted until eviction lands: see
 * apply_maxmemory_policy. */
static const enum_val maxmemory_policy_enum[] = {
    {"volatile-lru", 1},   {"volatile-lfu", 2},   {"volatile-random", 3},
    {"volatile-ttl", 4},   {"allkeys-lru", 5},    {"allkeys-lfu", 6},
    {"allkeys-random", 7}, {"noeviction", 0},     {NULL, 0},
};

static const enum_val supervised_enum[] = {
    {"no", 0},
    {"systemd", 1},
    {"auto", 2},
    {NULL, 0},
};

#define F(field) offsetof(server_config, field)

static opt_set_fn set_save, set_obuf, set_unixsocketperm, set_dir,
    set_no_yet, set_percentiles;
static opt_set_fn set_notify;
static opt_get_fn get_notify;
static opt_get_fn get_save, get_obuf, get_unixsocketperm, get_dir,
    get_str;
static opt_apply_fn apply_hz, apply_loglevel, apply_slowlog,
    apply_maxclients, apply_maxmemory_policy;
static opt_apply_fn apply_appendonly;

/* Redis's order (its error text lists them so). */
static const enum_val appendfsync_enum[] = {
    {"everysec", AOF_FSYNC_EVERYSEC},
    {"always", AOF_FSYNC_ALWAYS},
    {"no", AOF_FSYNC_NO},
    {NULL, 0},
};

static const option options[] = {
    {"bind", NULL, T_STR, IMMUTABLE, F(bind), 0, 0, "127.0.0.1 -::1",
     NULL, NULL, NULL, NULL},
    {"port", NULL, T_INT, IMMUTABLE, F(port), 0, 65535, "6379", NULL, NULL,
     NULL, NULL},
    {"unixsocket", NULL, T_STR, IMMUTABLE, F(unixsocket), 0, 0, "", NULL,
     NULL, NULL, NULL},
    {"unixsocketperm", NULL, T_SPECIAL, IMMUTABLE, F(unixsocketperm), 0, 0,
     "0", NULL, set_unixsocketperm, get_unixsocketperm, NULL},
    {"tcp-backlog", NULL, T_INT, IMMUTABLE, F(tcp_backlog), 0, INT_MAX,
     "511", NULL, NULL, NULL, NULL},
    {"tcp-keepalive", NULL, T_INT, 0, F(tcp_keepalive), 0, INT_MAX, "300",
     NULL, NULL, NULL, NULL},
    {"timeout", NULL, T_INT, 0, F(timeout), 0, INT_MAX, "0", NULL, NULL,
     NULL, NULL},
    {"protected-mode", NULL, T_BOOL, 0, F(protected_mode), 0, 0, "yes",
     NULL, NULL, NULL, NULL},
    {"dir", NULL, T_SPECIAL, PROTECTED, F(dir), 0, 0, "./", NULL, set_dir, get_dir,
     NULL},
    {"dbfilename", NULL, T_STR, NO_EMPTY | PROTECTED, F(dbfilename), 0, 0, "dump.rdb",
     NULL, NULL, NULL, NULL},
    {"requirepass", NULL, T_STR, SENSITIVE, F(requirepass), 0, 0, "", NULL, NULL,
     NULL, NULL},
    {"maxclients", NULL, T_INT, 0, F(maxclients), 1, INT_MAX, "10000",
     NULL, NULL, NULL, apply_maxclients},
    {"databases", NULL, T_INT, IMMUTABLE, F(databases), 1, INT_MAX, "16",
     NULL, NULL, NULL, NULL},
    {"enable-debug-command", NULL, T_ENUM, IMMUTABLE,
     F(enable_debug_command), 0, 0, "no", debug_cmd_enum, NULL, NULL, NULL},
    {"enable-protected-configs", NULL, T_ENUM, IMMUTABLE,
     F(enable_protected_configs), 0, 0, "no", debug_cmd_enum, NULL, NULL,
     NULL},
    {"proto-max-bulk-len", NULL, T_MEM, 0, F(proto_max_bulk_len), 1024 * 1024,
     LLONG_MAX, "512mb", NULL, NULL, NULL, NULL},
    {"client-query-buffer-limit", NULL, T_MEM, 0,
     F(client_query_buffer_limit), 1024 * 1024, LLONG_MAX, "1gb", NULL,
     NULL, NULL, NULL},
    {"client-output-buffer-limit", NULL, T_SPECIAL, 0, F(obuf_limits), 0, 0,
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
     NULL, set_obuf, get_obuf, NULL},
    {"notify-keyspace-events", NULL, T_SPECIAL, 0,
     F(notify_keyspace_events), 0, 0, "", NULL, set_notify, get_notify,
     NULL},
    {"hz", NULL, T_INT, 0, F(hz), 0, INT_MAX, "10", NULL, NULL, NULL,
     apply_hz},
    {"loglevel", NULL, T_ENUM, 0, F(loglevel), 0, 0, "notice", loglevel_enum,
     NULL, NULL, apply_loglevel},
    {"logfile", NULL, T_STR, IMMUTABLE, F(logfile), 0, 0, "", NULL, NULL,
     NULL, NULL},
    {"pidfile", NULL, T_STR, IMMUTABLE, F(pidfile), 0, 0, "", NULL, NULL,
     NULL, NULL},
    {"daemonize", NULL, T_BOOL, IMMUTABLE, F(daemonize), 0, 0, "no", NULL,
     NULL, NULL, NULL},
    {"supervised", NULL, T_ENUM, IMMUTABLE, F(supervised), 0, 0, "no",
     supervised_enum, NULL, NULL, NULL},
    {"slowlog-log-slower-than", NULL, T_LL, 0, F(slowlog_log_slower_than),
     -1, LLONG_MAX, "10000", NULL, NULL, NULL, NULL},
    {"slowlog-max-len", NULL, T_LL, 0, F(slowlog_max_len), 0, LONG_MAX, "128",
     NULL, NULL, NULL, apply_slowlog},
    {"latency-monitor-threshold", NULL, T_LL, 0,
     F(latency_monitor_threshold), 0, LLONG_MAX, "0", NULL, NULL, NULL,
     NULL},
    {"latency-tracking", NULL, T_BOOL, 0, F(latency_tracking), 0, 0, "yes",
     NULL, NULL, NULL, NULL},
    {"latency-tracking-info-percentiles", NULL, T_SPECIAL, 0,
     F(latency_tracking_info_percentiles), 0, 0, "50 99 99.9", NULL,
     set_percentiles, get_str, NULL},
    {"active-expire-effort", NULL, T_INT, 0, F(active_expire_effort), 1, 10,
     "1", NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-user-del", NULL, T_BOOL, 0, F(lazyfree_lazy_user_del), 0,
     0, "no", NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-user-flush", NULL, T_BOOL, 0,
     F(lazyfree_lazy_user_flush), 0, 0, "no", NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-expire", NULL, T_BOOL, 0, F(lazyfree_lazy_expire), 0, 0,
     "no", NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-server-del", NULL, T_BOOL, 0,
     F(lazyfree_lazy_server_del), 0, 0, "no", NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-eviction", NULL, T_BOOL, 0, F(lazyfree_lazy_eviction), 0,
     0, "no", NULL, NULL, NULL, NULL},
    {"maxmemory", NULL, T_MEM, 0, F(maxmemory), 0, LLONG_MAX, "0", NULL,
     NULL, NULL, NULL},
    {"maxmemory-policy", NULL, T_ENUM, 0, F(maxmemory_policy), 0, 0,
     "noeviction", maxmemory_policy_enum, NULL, NULL,
     apply_maxmemory_policy},
    /* Redis's range; eviction clamps what it samples per round. */
    {"maxmemory-samples", NULL, T_INT, 0, F(maxmemory_samples), 1, INT_MAX,
     "5", NULL, NULL, NULL, NULL},
    {"lfu-log-factor", NULL, T_INT, 0, F(lfu_log_factor), 0, INT_MAX, "10",
     NULL, NULL, NULL, NULL},
    {"lfu-decay-time", NULL, T_INT, 0, F(lfu_decay_time), 0, INT_MAX, "1",
     NULL, NULL, NULL, NULL},
    {"save", NULL, T_SPECIAL, 0, F(save), 0, 0, "3600 1 300 100 60 10000",
     NULL, set_save, get_save, NULL},
    /* RDB (rdb.c, cmd_persist.c) */
    {"rdbcompression", NULL, T_BOOL, 0, F(rdbcompression), 0, 0, "yes", NULL,
     NULL, NULL, NULL},
    {"rdbchecksum", NULL, T_BOOL, IMMUTABLE, F(rdbchecksum), 0, 0, "yes",
     NULL, NULL, NULL, NULL},
    {"stop-writes-on-bgsave-error", NULL, T_BOOL, 0,
     F(stop_writes_on_bgsave_error), 0, 0, "yes", NULL, NULL, NULL, NULL},
    {"rdb-del-sync-files", NULL, T_BOOL, 0, F(rdb_del_sync_files), 0, 0,
     "no", NULL, NULL, NULL, NULL},
    {"rdb-key-save-delay", NULL, T_INT, 0, F(rdb_key_save_delay), INT_MIN,
     INT_MAX, "0", NULL, NULL, NULL, NULL},
    /* AOF (aof.c): Redis 7.0's names, defaults and ranges. */
    {"appendonly", NULL, T_BOOL, 0, F(appendonly), 0, 0, "no", NULL, NULL,
     NULL, apply_appendonly},
    {"appendfsync", NULL, T_ENUM, 0, F(appendfsync), 0, 0, "everysec",
     appendfsync_enum, NULL, NULL, NULL},
    {"appenddirname", NULL, T_STR, IMMUTABLE | NO_EMPTY, F(appenddirname),
     0, 0, "appendonlydir", NULL, NULL, NULL, NULL},
    {"appendfilename", NULL, T_STR, IMMUTABLE | NO_EMPTY, F(appendfilename),
     0, 0, "appendonly.aof", NULL, NULL, NULL, NULL},
    {"aof-use-rdb-preamble", NULL, T_BOOL, 0, F(aof_use_rdb_preamble), 0, 0,
     "yes", NULL, NULL, NULL, NULL},
    {"aof-load-truncated", NULL, T_BOOL, 0, F(aof_load_truncated), 0, 0,
     "yes", NULL, NULL, NULL, NULL},
    {"aof-timestamp-enabled", NULL, T_SPECIAL, 0, F(aof_timestamp_enabled),
     0, 0, "no", NULL, set_no_yet, NULL, NULL},
    {"no-appendfsync-on-rewrite", NULL, T_BOOL, 0,
     F(no_appendfsync_on_rewrite), 0, 0, "no", NULL, NULL, NULL, NULL},
    {"auto-aof-rewrite-percentage", NULL, T_INT, 0,
     F(auto_aof_rewrite_percentage), 0, INT_MAX, "100", NULL, NULL, NULL,
     NULL},
    {"auto-aof-rewrite-min-size", NULL, T_MEM, 0,
     F(auto_aof_rewrite_min_size), 0, LLONG_MAX, "64mb", NULL, NULL, NULL,
     NULL},
    {"aof-disable-auto-gc", NULL, T_BOOL, 0, F(aof_disable_auto_gc), 0, 0,
     "no", NULL, NULL, NULL, NULL},
    /* The rewrite child fsyncs its file once, at the end. */
    {"aof-rewrite-incremental-fsync", NULL, T_BOOL, 0,
     F(aof_rewrite_incremental_fsync), 0, 0, "yes", NULL, NULL, NULL, NULL},
    /* Cluster mode (cluster.c). cluster-config-file holds topology.h's text
     * form (not Redis's nodes.conf); cluster-node-id is shoal's own: this
     * node's id in that map. */
    {"cluster-enabled", NULL, T_BOOL, IMMUTABLE, F(cluster_enabled), 0, 0,
     "no", NULL, NULL, NULL, NULL},
    {"cluster-config-file", NULL, T_STR, IMMUTABLE, F(cluster_config_file),
     0, 0, "nodes.conf", NULL, NULL, NULL, NULL},
    {"cluster-node-id", NULL, T_STR, IMMUTABLE | HIDDEN, F(cluster_node_id),
     0, 0, "", NULL, NULL, NULL, NULL},
    {"cluster-announce-ip", NULL, T_STR, 0, F(cluster_announce_ip), 0, 0, "",
     NULL, NULL, NULL, NULL},
    {"activerehashing", NULL, T_BOOL, 0, F(activerehashing), 0, 0, "yes",
     NULL, NULL, NULL, NULL},
    /* Compact encodings of the data types: thresholds under Redis 7.0's
     * names (and the old ziplist aliases), compiled-in defaults as 7.0. */
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", T_LL, 0,
     F(hash_max_listpack_entries), 0, LONG_MAX, "512", NULL, NULL, NULL,
     NULL},
    {"hash-max-listpack-value", "hash-max-ziplist-value", T_LL, 0,
     F(hash_max_listpack_value), 0, LONG_MAX, "64", NULL, NULL, NULL, NULL},
    {"set-max-intset-entries", NULL, T_LL, 0, F(set_max_intset_entries), 0,
     LONG_MAX, "512", NULL, NULL, NULL, NULL},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", T_LL, 0,
     F(zset_max_listpack_entries), 0, LONG_MAX, "128", NULL, NULL, NULL,
     NULL},
    {"zset-max-listpack-value", "zset-max-ziplist-value", T_LL, 0,
     F(zset_max_listpack_value), 0, LONG_MAX, "64", NULL, NULL, NULL, NULL},
    {"list-max-listpack-size", "list-max-ziplist-size", T_INT, 0,
     F(list_max_listpack_size), INT_MIN, INT_MAX, "-2", NULL, NULL, NULL,
     NULL},
    {"list-compress-depth", NULL, T_INT, 0, F(list_compress_depth), 0,
     INT_MAX, "0", NULL, NULL, NULL, NULL},
    {"stream-node-max-bytes", NULL, T_MEM, 0, F(stream_node_max_bytes), 0,
     LLONG_MAX, "4096", NULL, NULL, NULL, NULL},
    {"stream-node-max-entries", NULL, T_LL, 0, F(stream_node_max_entries), 0,
     LLONG_MAX, "100", NULL, NULL, NULL, NULL},
    {"hll-sparse-max-bytes", NULL, T_MEM, 0, F(hll_sparse_max_bytes), 0,
     LONG_MAX, "3000", NULL, NULL, NULL, NULL},
    {"busy-reply-threshold", "lua-time-limit", T_LL, 0,
     F(busy_reply_threshold), 0, LLONG_MAX, "5000", NULL, NULL, NULL, NULL},
    {"tracking-table-max-keys", NULL, T_LL, 0, F(tracking_table_max_keys),
     0, LLONG_MAX, "1000000", NULL, NULL, NULL, NULL},
    {"shutdown-timeout", NULL, T_INT, 0, F(shutdown_timeout), 0, INT_MAX,
     "10", NULL, NULL, NULL, NULL},
    {"set-proc-title", NULL, T_BOOL, IMMUTABLE, F(set_proc_title), 0, 0,
     "yes", NULL, NULL, NULL, NULL},
    /* The supervisor's: how many shards, how many forks at once. Like
     * cluster-node-id, shoal's own: CONFIG GET names them, globs don't, so
     * a listing compares equal to redis-server's. */
    {"shards", NULL, T_STR, IMMUTABLE | HIDDEN, F(shards), 0, 0, "auto",
     NULL, NULL, NULL, NULL},
    {"max-concurrent-forks", NULL, T_INT, HIDDEN, F(max_concurrent_forks), 1,
     INT_MAX, "1", NULL, NULL, NULL, NULL},
};

#define NOPTIONS (sizeof(options) / sizeof(*options))

static void *field(server_config *cfg, const option *o)
{
    return (char *)cfg + o->off;
}

static const option *find_option(const char *name)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (strcasecmp(options[i].name, name) == 0 ||
            (options[i].alias != NULL &&
             strcasecmp(options[i].alias, name) == 0)) {
            return &options[i];
        }
    }
    return NULL;
}

/* "1gb" = 1024^3, "1g" = 10^9, as Redis's memtoull. */
static int parse_mem(const char *v, long long *out)
{
    size_t len = strlen(v), digits = len;
    unsigned long long mul = 1;
    static const struct {
        const char *unit;
        unsigned long long mul;
    } units[] = {
        {"b", 1},          {"k", 1000},         {"kb", 1024},
        {"m", 1000000},    {"mb", 1024 * 1024}, {"g", 1000000000ULL},
        {"gb", 1024ULL * 1024 * 1024},
    };

    while (digits > 0 && isalpha((unsigned char)v[digits - 1])) {
        digits--;
    }
    if (digits != len) {
        int found = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
            if (strcasecmp(v + digits, units[i].unit) == 0) {
                mul = units[i].mul;
                found = 1;
            }
        }
        if (!found) {
            return -1;
        }
    }
    long long n;
    if (util_str2ll(v, digits, &n) != 0 || n < 0) {
        return -1;
    }
    if (mul > 1 && (unsigned long long)n > (unsigned long long)LLONG_MAX / mul) {
        return -1;
    }
    *out = n * (long long)mul;
    return 0;
}

static int set_value(server *srv, const option *o, const char *v,
                     const char **err)
{
    server_config *cfg = &srv->cfg;
    long long n;

    switch (o->type) {
    case T_BOOL:
        if (strcasecmp(v, "yes") == 0) {
            *(int *)field(cfg, o) = 1;
        } else if (strcasecmp(v, "no") == 0) {
            *(int *)field(cfg, o) = 0;
        } else {
            *err = "argument must be 'yes' or 'no'";
            return -1;
        }
        return 0;
    case T_INT:
    case T_LL:
    case T_MEM:
        if (o->type == T_MEM) {
            if (parse_mem(v, &n) != 0) {
                *err = "argument must be a memory value";
                return -1;
            }
        } else if (util_str2ll(v, strlen(v), &n) != 0) {
            *err = "argument couldn't be parsed into an integer";
            return -1;
        }
        if (n < o->min || n > o->max) {
            static char msg[128];
            snprintf(msg, sizeof(msg),
                     "argument must be between %lld and %lld inclusive",
                     o->min, o->max);
            *err = msg;
            return -1;
        }
        if (o->type == T_INT) {
            *(int *)field(cfg, o) = (int)n;
        } else {
            *(long long *)field(cfg, o) = n;
        }
        return 0;
    case T_STR: {
        if ((o->flags & NO_EMPTY) && v[0] == '\0') {
            *err = "argument can't be empty";
            return -1;
        }
        str *p = field(cfg, o);
        str_free(*p);
        *p = str_from_cstr(v);
        return 0;
    }
    case T_ENUM:
        for (const enum_val *e = o->enums; e->name != NULL; e++) {
            if (strcasecmp(e->name, v) == 0) {
                *(int *)field(cfg, o) = e->val;
                return 0;
            }
        }
        {
            static char msg[256];
            size_t off = (size_t)snprintf(
                msg, sizeof(msg),
                "argument(s) must be one of the following: ");
            for (const enum_val *e = o->enums; e->name != NULL; e++) {
                off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s",
                                        e->name, e[1].name ? ", " : "");
                if (off >= sizeof(msg)) {
                    break;
                }
            }
            *err = msg;
        }
        return -1;
    case T_SPECIAL:
        return o->set(srv, o, v, err);
    }
    return -1;
}

static str get_value(server *srv, const option *o)
{
    server_config *cfg = &srv->cfg;

    switch (o->type) {
    case T_BOOL:
        return str_from_cstr(*(int *)field(cfg, o) ? "yes" : "no");
    case T_INT:
        return str_catfmt(str_empty(), "%d", *(int *)field(cfg, o));
    case T_LL:
    case T_MEM:
        return str_catfmt(str_empty(), "%lld", *(long long *)field(cfg, o));
    case T_STR: {
        str s = *(str *)field(cfg, o);
        return str_from_cstr(s != NULL ? s : "");
    }
    case T_ENUM:
        for (const enum_val *e = o->enums; e->name != NULL; e++) {
            if (e->val == *(int *)field(cfg, o)) {
                return str_from_cstr(e->name);
            }
        }
        return str_empty();
    case T_SPECIAL:
        if (o->get != NULL) {
            return o->get(srv, o);
        }
        return str_from_cstr(*(int *)field(cfg, o) ? "yes" : "no");
    }
    return str_empty();
}

/* ---- special options ---- */

static int set_no_yet(server *srv, const option *o, const char *v,
                      const char **err)
{
    if (strcasecmp(v, "no") == 0) {
        *(int *)field(&srv->cfg, o) = 0;
        return 0;
    }
    if (strcasecmp(v, "yes") == 0) {
        *err = "not supported by shoal yet";
        return -1;
    }
    *err = "argument must be 'yes' or 'no'";
    return -1;
}

static int set_save(server *srv, const option *o, const char *v,
                    const char **err)
{
    int argc;
    str *argv = util_split_args(v, strlen(v), &argc);

    (void)o;
    if (argv == NULL || argc % 2 != 0) {
        util_free_args(argv, argc);
        *err = "Invalid save parameters";
        return -1;
    }
    str out = str_empty();
    for (int i = 0; i < argc; i++) {
        long long n;
        if (util_str2ll(argv[i], str_len(argv[i]), &n) != 0 || n < 0 ||
            n > INT_MAX) {
            util_free_args(argv, argc);
            str_free(out);
            *err = "Invalid save parameters";
            return -1;
        }
        out = str_catfmt(out, "%s%lld", i > 0 ? " " : "", n);
    }
    util_free_args(argv, argc);
    str_free(srv->cfg.save);
    srv->cfg.save = out;
    return 0;
}

static str get_save(server *srv, const option *o)
{
    (void)o;
    return str_dup(srv->cfg.save);
}

static int set_obuf(server *srv, const option *o, const char *v,
                    const char **err)
{
    int argc;
    str *argv = util_split_args(v, strlen(v), &argc);
    long long vals[3][3];

    (void)o;
    memcpy(vals, srv->cfg.obuf_limits, sizeof(vals));
    if (argv == NULL || argc % 4 != 0) {
        *err = "Wrong number of arguments in buffer limit configuration.";
        goto bad;
    }
    /* No classes at all leaves every limit as it was (as Redis). */
    for (int i = 0; i < argc; i += 4) {
        int cls;
        if (strcasecmp(argv[i], "normal") == 0) {
            cls = 0;
        } else if (strcasecmp(argv[i], "slave") == 0 ||
                   strcasecmp(argv[i], "replica") == 0) {
            cls = 1;
        } else if (strcasecmp(argv[i], "pubsub") == 0) {
            cls = 2;
        } else {
            *err = "Invalid client class specified in buffer limit "
                   "configuration.";
            goto bad;
        }
        long long h, s, secs;
        if (parse_mem(argv[i + 1], &h) != 0 ||
            parse_mem(argv[i + 2], &s) != 0 ||
            util_str2ll(argv[i + 3], str_len(argv[i + 3]), &secs) != 0 ||
            secs < 0) {
            *err = "Error in hard, soft or soft_seconds setting in buffer "
                   "limit configuration.";
            goto bad;
        }
        vals[cls][0] = h;
        vals[cls][1] = s;
        vals[cls][2] = secs;
    }
    memcpy(srv->cfg.obuf_limits, vals, sizeof(vals));
    util_free_args(argv, argc);
    return 0;
bad:
    util_free_args(argv, argc);
    return -1;
}

/* notify-keyspace-events: class letters (notify.c owns their meaning). */
static int set_notify(server *srv, const option *o, const char *v,
                      const char **err)
{
    int flags = notify_parse_flags(v, strlen(v));

    (void)o;
    if (flags < 0) {
        *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        return -1;
    }
    srv->cfg.notify_keyspace_events = flags;
    return 0;
}

static str get_notify(server *srv, const option *o)
{
    (void)o;
    return notify_flags_string(srv->cfg.notify_keyspace_events);
}

static str get_obuf(server *srv, const option *o)
{
    static const char *names[] = {"normal", "slave", "pubsub"};
    str s = str_empty();

    (void)o;
    for (int i = 0; i < 3; i++) {
        s = str_catfmt(s, "%s%s %lld %lld %lld", i > 0 ? " " : "", names[i],
                       srv->cfg.obuf_limits[i][0], srv->cfg.obuf_limits[i][1],
                       srv->cfg.obuf_limits[i][2]);
    }
    return s;
}

/* "%f" without its trailing zeros (and dot): 99.900000 -> 99.9. */
static str cat_trimmed_double(str out, double d)
{
    char buf[MAX_D2STR_CHARS];
    int n = snprintf(buf, sizeof(buf), "%f", d);

    if (n > 0 && (size_t)n < sizeof(buf) && strchr(buf, '.') != NULL) {
        while (n > 0 && buf[n - 1] == '0') {
            n--;
        }
        if (n > 0 && buf[n - 1] == '.') {
            n--;
        }
    }
    return str_cat(out, buf, (size_t)(n > 0 ? n : 0));
}

/* Kept as text in canonical form; INFO latencystats parses it. */
static int set_percentiles(server *srv, const option *o, const char *v,
                           const char **err)
{
    int argc;
    str *argv = util_split_args(v, strlen(v), &argc);
    str out = str_empty();

    (void)o;
    if (argv == NULL) {
        *err = "Invalid latency-tracking-info-percentiles parameters";
        goto bad;
    }
    for (int i = 0; i < argc; i++) {
        double d;
        if (argc == 1 && str_len(argv[i]) == 0) {
            break;
        }
        if (util_str2d(argv[i], str_len(argv[i]), &d) != 0) {
            *err = "Invalid latency-tracking-info-percentiles parameters";
            goto bad;
        }
        if (d < 0.0 || d > 100.0) {
            *err = "latency-tracking-info-percentiles parameters should sit "
                   "between [0.0,100.0]";
            goto bad;
        }
        if (i > 0) {
            out = str_cat(out, " ", 1);
        }
        out = cat_trimmed_double(out, d);
    }
    util_free_args(argv, argc);
    str_free(srv->cfg.latency_tracking_info_percentiles);
    srv->cfg.latency_tracking_info_percentiles = out;
    return 0;
bad:
    util_free_args(argv, argc);
    str_free(out);
    return -1;
}

static str get_str(server *srv, const option *o)
{
    str s = *(str *)field(&srv->cfg, o);

    return str_from_cstr(s != NULL ? s : "");
}

static int set_unixsocketperm(server *srv, const option *o, const char *v,
                              const char **err)
{
    char *end;
    long n = strtol(v, &end, 8);

    (void)o;
    if (*v == '\0' || *end != '\0' || n < 0 || n > 0777) {
        *err = "argument must be between 0 and 777 inclusive";
        return -1;
    }
    srv->cfg.unixsocketperm = (int)n;
    return 0;
}

static str get_unixsocketperm(server *srv, const option *o)
{
    (void)o;
    return str_catfmt(str_empty(), "%o", srv->cfg.unixsocketperm);
}

static int set_dir(server *srv, const option *o, const char *v,
                   const char **err)
{
    (void)o;
    if (chdir(v) != 0) {
        static char msg[256];
        snprintf(msg, sizeof(msg), "%s", strerror(errno));
        *err = msg;
        return -1;
    }
    str_free(srv->cfg.dir);
    srv->cfg.dir = str_from_cstr(v);
    return 0;
}

static str get_dir(server *srv, const option *o)
{
    char buf[PATH_MAX];

    (void)o;
    (void)srv;
    if (getcwd(buf, sizeof(buf)) == NULL) {
        return str_from_cstr(srv->cfg.dir != NULL ? srv->cfg.dir : "");
    }
    return str_from_cstr(buf);
}

static int apply_hz(server *srv, const char **err)
{
    (void)err;
    if (srv->cfg.hz < 1) {
        srv->cfg.hz = 1;
    }
    if (srv->cfg.hz > 500) {
        srv->cfg.hz = 500;
    }
    if (srv->loop != NULL) {
        srv->cron.repeat = 1.0 / srv->cfg.hz;
        ev_timer_again(srv->loop, &srv->cron);
    }
    return 0;
}

/* CONFIG SET appendonly: aof.c starts a rewrite (yes) or closes the files
 * (no); at start-up there is nothing to do yet. */
static int apply_appendonly(server *srv, const char **err)
{
    return aof_set_enabled(srv, srv->cfg.appendonly, err);
}

static int apply_loglevel(server *srv, const char **err)
{
    (void)err;
    log_set_level(srv->cfg.loglevel);
    return 0;
}

static int apply_slowlog(server *srv, const char **err)
{
    (void)err;
    slowlog_trim(srv);
    return 0;
}

/* Refused rather than silently ignored: nothing evicts yet. */
static int apply_maxmemory_policy(server *srv, const char **err)
{
    if (srv->cfg.maxmemory_policy != 0) {
        srv->cfg.maxmemory_policy = 0;
        *err = "only noeviction is supported by shoal yet";
        return -1;
    }
    return 0;
}

static int apply_maxclients(server *srv, const char **err)
{
    (void)srv;
    (void)err;
    return 0;
}

/* ---- public ---- */

void config_init(server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}

void config_deinit(server_config *cfg)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &options[i];
        if (o->type == T_STR ||
            (o->type == T_SPECIAL &&
             (o->off == F(save) || o->off == F(dir) ||
              o->off == F(latency_tracking_info_percentiles)))) {
            str *p = field(cfg, o);
            str_free(*p);
            *p = NULL;
        }
    }
    str_free(cfg->config_file);
    cfg->config_file = NULL;
}

int config_set(server *srv, const char *name, const char *value,
               const char **err)
{
    const option *o = find_option(name);

    if (o == NULL) {
        *err = "unknown option";
        return -1;
    }
    if (set_value(srv, o, value, err) != 0) {
        return -1;
    }
    if (o->apply != NULL) {
        return o->apply(srv, err);
    }
    return 0;
}

static void fatal_line(const char *file, int lineno, const char *line,
                       const char *why)
{
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (shoal %s) ***\n",
            SHOAL_VERSION);
    if (file != NULL) {
        fprintf(stderr, "Reading the configuration file %s, at line %d\n",
                file, lineno);
    } else {
        fprintf(stderr, "Reading the command line, directive %d\n", lineno);
    }
    fprintf(stderr, ">>> '%s'\n%s\n", line, why);
}

/* Apply one line of config text. Returns 0 or -1 (reported). */
static int load_line(server *srv, const char *file, int lineno,
                     const char *line, int *save_seen)
{
    int argc;
    const char *p = line;
    const char *err = NULL;
    int rc = -1;

    /* Comments and blank lines are skipped before any parsing, as Redis
     * does, so quotes inside comments don't matter. */
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p == '#' || *p == '\0') {
        return 0;
    }
    str *argv = util_split_args(line, strlen(line), &argc);
    if (argv == NULL) {
        fatal_line(file, lineno, line, "Unbalanced quotes in configuration line");
        return -1;
    }
    if (argc == 0 || argv[0][0] == '#') {
        util_free_args(argv, argc);
        return 0;
    }
    str_tolower(argv[0]);
    const option *o = find_option(argv[0]);
    if (o == NULL) {
        str msg = str_catfmt(str_empty(),
                             "Bad directive or wrong number of arguments: "
                             "shoal does not implement '%s'", argv[0]);
        fatal_line(file, lineno, line, msg);
        str_free(msg);
        goto out;
    }
    /* Every argument after the name forms the value; multi-word options
     * (save, bind, client-output-buffer-limit) split it again. */
    str value = str_empty();
    for (int i = 1; i < argc; i++) {
        if (i > 1) {
            value = str_cat(value, " ", 1);
        }
        value = str_cat(value, argv[i], str_len(argv[i]));
    }
    if (argc == 1 && o->type != T_SPECIAL && o->type != T_STR) {
        fatal_line(file, lineno, line, "wrong number of arguments");
        str_free(value);
        goto out;
    }
    if (o->off == F(save)) {
        /* Each save line adds points; the first one replaces defaults. */
        if (*save_seen && str_len(value) > 0 && str_len(srv->cfg.save) > 0) {
            str all = str_catfmt(str_dup(srv->cfg.save), " %s", value);
            str_free(value);
            value = all;
        }
        *save_seen = 1;
    }
    if (set_value(srv, o, value, &err) != 0) {
        fatal_line(file, lineno, line, err);
        str_free(value);
        goto out;
    }
    str_free(value);
    if (o->apply != NULL && o->apply(srv, &err) != 0) {
        fatal_line(file, lineno, line, err);
        goto out;
    }
    rc = 0;
out:
    util_free_args(argv, argc);
    return rc;
}

int config_load(server *srv, const char *file, int argc, char **argv)
{
    int save_seen = 0;

    for (size_t i = 0; i < NOPTIONS; i++) {
        const char *err = NULL;
        if (set_value(srv, &options[i], options[i].def, &err) != 0) {
            fprintf(stderr, "bad default for %s: %s\n", options[i].name, err);
            return -1;
        }
    }
    if (file != NULL) {
        FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
        char line[64 * 1024];
        int lineno = 0;
        if (f == NULL) {
            fprintf(stderr, "Fatal error, can't open config file '%s': %s\n",
                    file, strerror(errno));
            return -1;
        }
        while (fgets(line, sizeof(line), f) != NULL) {
            lineno++;
            line[strcspn(line, "\r\n")] = '\0';
            if (load_line(srv, file, lineno, line, &save_seen) != 0) {
                if (f != stdin) {
                    fclose(f);
                }
                return -1;
            }
        }
        if (f != stdin) {
            fclose(f);
        }
        if (strcmp(file, "-") != 0) {
            char abs[PATH_MAX];
            srv->cfg.config_file =
                str_from_cstr(realpath(file, abs) != NULL ? abs : file);
        }
    }
    /* "--name v1 v2 --other v": each --name starts a directive, the words
     * after it are its arguments, quoted so spaces and "" survive. */
    int n = 0;
    for (int i = 0; i < argc;) {
        if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
            fprintf(stderr, "Invalid argument '%s': expected --directive\n",
                    argv[i]);
            return -1;
        }
        str line = str_from_cstr(argv[i] + 2);
        i++;
        int words = 0;
        for (; i < argc && !(strncmp(argv[i], "--", 2) == 0 &&
                             argv[i][2] != '\0' && words > 0); i++) {
            if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
                break;
            }
            line = str_cat(line, " \"", 2);
            for (const char *p = argv[i]; *p; p++) {
                if (*p == '"' || *p == '\\') {
                    line = str_cat(line, "\\", 1);
                }
                line = str_cat(line, p, 1);
            }
            line = str_cat(line, "\"", 1);
            words++;
        }
        if (words == 0) {
            line = str_cat(line, " \"\"", 3);
        }
        int rc = load_line(srv, NULL, ++n, line, &save_seen);
        str_free(line);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

str config_get_value(server *srv, const char *name)
{
    const option *o = find_option(name);

    return o != NULL ? get_value(srv, o) : NULL;
}

int config_find(const char *name, size_t len, config_ref *ref)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &options[i];
        int alias = 0;
        if (strlen(o->name) == len && strncasecmp(o->name, name, len) == 0) {
            alias = 0;
        } else if (o->alias != NULL && strlen(o->alias) == len &&
                   strncasecmp(o->alias, name, len) == 0) {
            alias = 1;
        } else {
            continue;
        }
        ref->id = (int)i * 2 + alias;
        ref->name = alias ? o->alias : o->name;
        ref->flags = o->flags & (CONFIG_IMMUTABLE | CONFIG_PROTECTED |
                                 CONFIG_SENSITIVE);
        return 0;
    }
    return -1;
}

/* One CONFIG GET result: an option under the name it is shown with. */
typedef struct get_match {
    const option *o;
    const char *name;
    size_t len;
} get_match;

static int already_matched(const get_match *m, int n, const char *name,
                           size_t len)
{
    for (int i = 0; i < n; i++) {
        if (m[i].len == len && strncasecmp(m[i].name, name, len) == 0) {
            return 1;
        }
    }
    return 0;
}

void config_get_reply(client *c, const arg *patterns, int npatterns)
{
    server *srv = c->srv;
    /* Each option matches at most under its name and its alias. */
    get_match *m = mem_alloc(sizeof(*m) * NOPTIONS * 2);
    int n = 0;

    for (int p = 0; p < npatterns; p++) {
        const arg *pat = &patterns[p];
        if (memchr(pat->p, '*', pat->n) == NULL &&
            memchr(pat->p, '?', pat->n) == NULL &&
            memchr(pat->p, '[', pat->n) == NULL) {
            /* A plain name: shown as the client typed it, hidden options
             * included. */
            config_ref ref;
            if (!already_matched(m, n, pat->p, pat->n) &&
                config_find(pat->p, pat->n, &ref) == 0) {
                m[n].o = &options[ref.id / 2];
                m[n].name = pat->p;
                m[n].len = pat->n;
                n++;
            }
            continue;
        }
        for (size_t i = 0; i < NOPTIONS; i++) {
            const option *o = &options[i];
            const char *names[2] = {o->name, o->alias};
            if (o->flags & HIDDEN) {
                continue;
            }
            for (int k = 0; k < 2; k++) {
                if (names[k] == NULL) {
                    continue;
                }
                size_t len = strlen(names[k]);
                if (!already_matched(m, n, names[k], len) &&
                    util_glob_match(pat->p, pat->n, names[k], len, 1)) {
                    m[n].o = o;
                    m[n].name = names[k];
                    m[n].len = len;
                    n++;
                }
            }
        }
    }
    reply_map_len(c, n);
    for (int i = 0; i < n; i++) {
        str v = get_value(srv, m[i].o);
        reply_bulk(c, m[i].name, m[i].len);
        reply_bulk(c, v, str_len(v));
        str_free(v);
    }
    mem_free(m);
}

static str quote_value(str out, const char *v)
{
    int plain = v[0] != '\0';

    for (const char *p = v; *p; p++) {
        if (isspace((unsigned char)*p) || *p == '"' || *p == '\'' ||
            *p == '\\' || !isprint((unsigned char)*p)) {
            plain = 0;
        }
    }
    if (plain) {
        return str_cat_cstr(out, v);
    }
    out = str_cat(out, "\"", 1);
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\') {
            out = str_cat(out, "\\", 1);
            out = str_cat(out, p, 1);
        } else if (!isprint((unsigned char)*p)) {
            out = str_catfmt(out, "\\x%02x", (unsigned char)*p);
        } else {
            out = str_cat(out, p, 1);
        }
    }
    return str_cat(out, "\"", 1);
}

static str option_line(server *srv, const option *o)
{
    str v = get_value(srv, o);
    str line = str_catfmt(str_empty(), "%s ", o->name);

    if (o->type == T_SPECIAL || o->off == F(bind)) {
        /* Multi-word values are written as words. */
        line = str_len(v) > 0 ? str_cat(line, v, str_len(v))
                              : str_cat(line, "\"\"", 2);
    } else {
        line = quote_value(line, v);
    }
    str_free(v);
    return line;
}

int config_rewrite(server *srv)
{
    const char *file = srv->cfg.config_file;
    char done[NOPTIONS];
    str out = str_empty();
    FILE *f;
    char line[64 * 1024];

    if (file == NULL) {
        errno = ENOENT;
        str_free(out);
        return -1;
    }
    memset(done, 0, sizeof(done));
    f = fopen(file, "r");
    if (f != NULL) {
        while (fgets(line, sizeof(line), f) != NULL) {
            int argc;
            size_t len = strcspn(line, "\r\n");
            line[len] = '\0';
            str *argv = util_split_args(line, len, &argc);
            const option *o = NULL;
            if (argv != NULL && argc > 0 && argv[0][0] != '#') {
                o = find_option(argv[0]);
            }
            util_free_args(argv, argc);
            if (o == NULL) {
                out = str_catfmt(out, "%s\n", line);
                continue;
            }
            size_t idx = (size_t)(o - options);
            if (!done[idx]) {
                str l = option_line(srv, o);
                out = str_catfmt(out, "%s\n", l);
                str_free(l);
                done[idx] = 1;
            }
        }
        fclose(f);
    }
    int header = 0;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &options[i];
        if (done[i]) {
            continue;
        }
        /* Only options that differ from their defaults are added. */
        server tmp;
        memset(&tmp, 0, sizeof(tmp));
        const char *err;
        str cur = get_value(srv, o);
        str def = NULL;
        if (o->type != T_SPECIAL || o->set != set_dir) {
            if (set_value(&tmp, o, o->def, &err) == 0) {
                def = get_value(&tmp, o);
            }
        } else {
            def = str_dup(cur);
        }
        config_deinit(&tmp.cfg);
        if (def == NULL || strcmp(cur, def) != 0) {
            if (!header) {
                out = str_cat_cstr(out, "# Generated by CONFIG REWRITE\n");
                header = 1;
            }
            str l = option_line(srv, o);
            out = str_catfmt(out, "%s\n", l);
            str_free(l);
        }
        str_free(cur);
        str_free(def);
    }
    str tmpname = str_catfmt(str_empty(), "%s.tmp-%d", file, (int)getpid());
    int fd = open(tmpname, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = -1;
    if (fd >= 0) {
        size_t off = 0;
        while (off < str_len(out)) {
            ssize_t w = write(fd, out + off, str_len(out) - off);
            if (w <= 0) {
                break;
            }
            off += (size_t)w;
        }
        if (off == str_len(out) && fsync(fd) == 0 && close(fd) == 0) {
            fd = -1;
            rc = rename(tmpname, file);
        }
        if (fd >= 0) {
            close(fd);
        }
        if (rc != 0) {
            unlink(tmpname);
        }
    }
    str_free(tmpname);
    str_free(out);
    return rc;
}

int config_reload(server *srv, const char *file, int argc, char **argv)
{
    server *tmp = mem_calloc(sizeof(*tmp));
    char cwd[PATH_MAX];
    int rc = 0;

    /* Loading applies "dir" (a chdir): come back to where we are. */
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        cwd[0] = '\0';
    }
    config_init(&tmp->cfg);
    if (config_load(tmp, file, argc, argv) != 0) {
        log_warn("config reload: %s has errors; nothing changed",
                 file != NULL ? file : "(arguments)");
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &options[i];
        str now = config_get_value(srv, o->name);
        str want = config_get_value(tmp, o->name);
        if (now == NULL || want == NULL || strcmp(now, want) == 0) {
            str_free(now);
            str_free(want);
            continue;
        }
        const char *err = NULL;
        if ((o->flags & IMMUTABLE) || o->off == F(dir)) {
            log_warn("config reload: '%s' can't change at run time "
                     "(keeping '%s')", o->name, now);
        } else if (config_set(srv, o->name, want, &err) != 0) {
            log_warn("config reload: '%s' '%s' refused: %s", o->name, want,
                     err != NULL ? err : "invalid");
        } else {
            log_notice("config reload: %s changed to '%s'", o->name, want);
        }
        str_free(now);
        str_free(want);
    }
out:
    if (cwd[0] != '\0' && chdir(cwd) != 0) {
        log_warn("config reload: can't return to %s", cwd);
    }
    config_deinit(&tmp->cfg);
    mem_free(tmp);
    return rc;
}
