/* server: the shard's state (one struct per process, passed explicitly),
 * the client and database types every command module shares. */
#ifndef SHOAL_SERVER_H
#define SHOAL_SERVER_H

#include <ev.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dict.h"
#include "obj.h"
#include "resp.h"
#include "str.h"

#define SHOAL_VERSION "7.0.15"
#define SLOT_COUNT 16384
#define REPLY_CHUNK 16384
#define IOBUF_LEN (16 * 1024)

typedef struct server server;
typedef struct client client;
typedef struct command command;
typedef struct propagate_state propagate_state;

/* One argument of the running command. The bytes live in the client's query
 * buffer (or a copy the client owns) and are valid until the command
 * returns; copy what you keep. */
typedef struct arg {
    const char *p;
    size_t n;
} arg;

/* ---- databases ---- */
typedef struct db {
    int id;
    server *srv;          /* owner (blocking.c's key-ready hook) */
    dict **slots;         /* SLOT_COUNT dicts, created on first use */
    long long *slot_tree; /* Fenwick tree of per-slot key counts */
    size_t keys;
    dict *expires;        /* key -> v.i64 = absolute expiry in ms */
    long long avg_ttl;
    long long expire_cursor;
} db;

/* ---- clients ---- */
enum client_flag {
    CF_CLOSE_AFTER_REPLY = 1 << 0, /* reply then close (QUIT, proto err) */
    CF_CLOSE_ASAP = 1 << 1,        /* close before writing more */
    CF_PENDING_WRITE = 1 << 2,     /* in srv->pending_writes */
    CF_MONITOR = 1 << 3,
    CF_UNIX = 1 << 4,
    CF_PAUSED = 1 << 5,            /* waiting in srv->paused_clients */
    CF_NO_EVICT = 1 << 6,
    CF_EXECUTING = 1 << 7,         /* inside a command call */
    CF_AUTHENTICATED = 1 << 8,
    CF_PROTECTED = 1 << 9,         /* don't free until the call returns */
    CF_FAKE = 1 << 10,             /* no connection (AOF loading, scripts) */
    CF_BLOCKED = 1 << 11,          /* waiting on keys (blocking.c) */
    CF_DENY_BLOCKING = 1 << 12,    /* MULTI/EXEC, scripts: never wait */
    CF_BLOCK_RERUN = 1 << 13,      /* blocking.c runs the held request again */
    CF_BLOCK_TIMEDOUT = 1 << 14,   /* ... because its timeout passed */
    /* peers (peer.c): a link from another shard of this supervisor; a
     * client whose reply waits for the other shards (no input runs) */
    CF_PEER = 1 << 26,
    CF_SUSPENDED = 1 << 27,
    /* scripting (script.c): the script's fake client keeps its replies in
     * its output chain for redis.call to read back */
    CF_SCRIPT_CAPTURE = 1 << 28,
};

enum reply_mode { REPLY_ON, REPLY_OFF, REPLY_SKIP_NEXT, REPLY_SKIP };

typedef struct reply_block {
    struct reply_block *next;
    size_t size; /* capacity of buf */
    size_t used;
    char buf[];
} reply_block;

struct client {
    uint64_t id;
    server *srv;
    int fd;
    ev_io rio;
    ev_io wio;
    int flags;
    int resp;             /* 2 or 3 */
    db *db;
    str querybuf;
    size_t qb_pos;        /* start of the request being parsed */
    size_t querybuf_peak;
    resp_parser parser;
    int argc;
    int argv_cap;
    arg *argv;
    size_t argv_bytes;    /* sum of argument sizes (CLIENT LIST argv-mem) */
    const command *cmd;
    const command *lastcmd;
    /* Output: a chain of blocks written once per loop iteration. */
    reply_block *out_head;
    reply_block *out_tail;
    size_t out_bytes;     /* unsent bytes queued */
    size_t out_sent;      /* bytes of out_head already sent */
    long long obuf_soft_since; /* ms when the soft limit was first hit */
    int reply_mode;
    str name;
    str lib_name;
    str lib_ver;
    time_t ctime;
    long long last_interaction; /* ms */
    long long pause_since;
    char addr[128];       /* "ip:port", or a unix socket path (<= 108) ":0" */
    char laddr[128];
    unsigned long long commands_processed;
    client *prev, *next;            /* srv->clients */
    client *pw_next;                /* srv->pending_writes chain */
    client *paused_next;
    client *mon_prev, *mon_next;    /* srv->monitors */
    struct blocked_state *blk;      /* blocking.c; NULL until it first blocks */
    /* pub/sub (pubsub.c): this client's subscriptions, NULL if none yet */
    struct pubsub_client *pubsub;
    /* transactions (multi.c): queued commands and watched keys, NULL
     * until MULTI or WATCH */
    struct multi_state *multi;
    /* client-side caching (tracking.c): TRK_* flags, the client id
     * invalidations go to (0: this one) and the BCAST prefixes, sorted */
    int trk_flags;
    uint64_t trk_redirect;
    int trk_nprefixes;
    str *trk_prefixes;
    /* cluster mode (cluster.c): READONLY, ASKING (CLUSTER_CF_*) */
    int cluster_flags;
};

/* ---- statistics ---- */
typedef struct cmd_stats {
    long long calls;
    long long usec;
    long long rejected;
    long long failed;
    /* latency histogram buckets: see stats.c */
    uint32_t *hist;
} cmd_stats;

/* ---- slow log ---- */
typedef struct slowlog_entry {
    struct slowlog_entry *next, *prev;
    long long id;
    long long time;
    long long duration;
    int argc;
    str *argv;
    str peer;
    str name;
} slowlog_entry;

typedef struct latency_sample {
    int32_t time;
    uint32_t latency;
} latency_sample;

#define LATENCY_HISTORY 160
typedef struct latency_event {
    latency_sample samples[LATENCY_HISTORY];
    int idx;
    int32_t max;
    uint32_t max_latency;
} latency_event;

/* ---- INFO's own bookkeeping (info.c) ---- */
#define INFO_METRIC_SAMPLES 16
/* A rate (per second) averaged over the last samples, as Redis's
 * instantaneous_* fields. */
typedef struct info_metric {
    long long last_ms;    /* when the counter was last sampled */
    long long last_value; /* the counter then */
    long long samples[INFO_METRIC_SAMPLES];
    int idx;
} info_metric;

typedef struct info_state {
    info_metric ops, net_in, net_out;
    long long startup_memory; /* used memory once setup finished */
    char replid[41];          /* master_replid until replication owns it */
} info_state;

/* ---- configuration values (see config.c for the options table) ---- */
typedef struct server_config {
    str config_file;
    str bind;             /* space-separated addresses */
    int port;
    str unixsocket;
    int unixsocketperm;
    int tcp_backlog;
    int tcp_keepalive;
    int timeout;
    str dir;
    str dbfilename;
    str requirepass;
    int maxclients;
    int databases;
    int enable_debug_command;  /* 0 no, 1 yes, 2 local */
    int enable_protected_configs; /* 0 no, 1 yes, 2 local */
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    long long obuf_limits[3][3]; /* normal, replica, pubsub: hard soft secs */
    /* keyspace notifications (notify.c): enum notify_class flags */
    int notify_keyspace_events;
    int hz;
    int loglevel;
    str logfile;
    str pidfile;
    int daemonize;
    long long slowlog_log_slower_than;
    long long slowlog_max_len;
    long long latency_monitor_threshold;
    int latency_tracking;
    str latency_tracking_info_percentiles;
    int active_expire_effort;
    int lazyfree_lazy_user_del;
    int lazyfree_lazy_user_flush;
    int lazyfree_lazy_expire;
    int lazyfree_lazy_server_del;
    int lazyfree_lazy_eviction;
    long long maxmemory;
    int maxmemory_policy;
    int maxmemory_samples;
    int lfu_log_factor;
    int lfu_decay_time;
    str save;
    int appendonly;
    int protected_mode;
    int activerehashing;
    long long hash_max_listpack_entries;
    long long hash_max_listpack_value;
    long long set_max_intset_entries;
    long long zset_max_listpack_entries;
    long long zset_max_listpack_value;
    int list_max_listpack_size;
    int list_compress_depth;
    long long stream_node_max_bytes;
    long long stream_node_max_entries;
    long long hll_sparse_max_bytes;
    int cluster_enabled;
    /* cluster mode (cluster.c) */
    str cluster_config_file;
    str cluster_node_id;
    str cluster_announce_ip;
    long long busy_reply_threshold;
    /* client-side caching (tracking.c): most keys remembered, 0 = any */
    long long tracking_table_max_keys;
    int shutdown_timeout;
    int set_proc_title;
    str supervised;
    /* The supervisor's own directives (accepted by shards too, as one
     * config file serves both). */
    str shards;               /* "auto" or a count */
    int max_concurrent_forks;
    /* RDB persistence (rdb.c, cmd_persist.c) */
    int rdbcompression;
    int rdbchecksum;
    int stop_writes_on_bgsave_error;
    int rdb_del_sync_files;
    int rdb_key_save_delay;   /* us per key written (tests: slow children) */
    /* AOF (aof.c) */
    int appendfsync;              /* enum aof_fsync */
    str appenddirname;
    str appendfilename;
    int aof_use_rdb_preamble;
    int aof_load_truncated;
    int aof_timestamp_enabled;
    int no_appendfsync_on_rewrite;
    int auto_aof_rewrite_percentage;
    long long auto_aof_rewrite_min_size;
    int aof_disable_auto_gc;
    int aof_rewrite_incremental_fsync;
} server_config;

struct server {
    struct ev_loop *loop;
    server_config cfg;
    db *dbs;
    int dbnum;
    char runid[41];
    pid_t pid;
    long long start_ms;
    /* listeners */
    int listen_fds[16];
    int listen_count;
    ev_io listen_io[16];
    int unix_fd;
    ev_io unix_io;
    ev_prepare before_sleep;
    ev_timer cron;
    ev_signal sigterm, sigint;
    long long cron_loops;
    /* clients */
    client *clients;
    size_t client_count;
    uint64_t next_client_id;
    client *pending_writes;
    client *paused_clients;
    client *monitors;
    client *current;            /* client whose command is running */
    struct blocking_state *blocking; /* blocked clients, ready keys */
    /* pub/sub (pubsub.c): channel/pattern/shard channel -> subscribers */
    struct pubsub_state *pubsub;
    /* client-side caching (tracking.c): invalidation tables */
    struct tracking_state *tracking;
    long long pause_end_ms;     /* CLIENT PAUSE deadline, 0 = none */
    int pause_all;              /* ALL vs WRITE */
    /* commands */
    dict *commands;             /* lower-case name -> command */
    command *cmd_table;
    size_t cmd_count;
    /* time caches */
    long long mstime;
    long long ustime;
    unsigned lru_clock;
    /* persistence placeholders reported by INFO/LASTSAVE */
    long long dirty;
    long long lastsave;
    /* active expiry */
    int active_expire_enabled;
    int expire_db_cursor;
    long long stat_expired_keys;
    long long stat_expired_stale_perc;
    long long stat_expire_cycle_time_used;
    /* statistics */
    long long stat_numcommands;
    long long stat_numconnections;
    long long stat_rejected_conn;
    long long stat_keyspace_hits;
    long long stat_keyspace_misses;
    long long stat_net_input_bytes;
    long long stat_net_output_bytes;
    long long stat_total_error_replies;
    long long stat_unexpected_error_replies;
    long long stat_evictedkeys;
    long long stat_io_reads;
    long long stat_io_writes;
    long long stat_client_qbuf_limit_disconnections;
    long long stat_client_outbuf_limit_disconnections;
    long long stat_peak_memory;
    long long stat_starttime_reset;
    dict *error_stats;          /* error prefix -> v.i64 count */
    /* slow log and latency monitor */
    slowlog_entry *slowlog_head, *slowlog_tail;
    long long slowlog_len;
    long long slowlog_next_id;
    dict *latency_events;       /* event name -> latency_event * */
    info_state info;
    /* Under the supervisor (control.c): the control channel and the
     * listeners the supervisor bound (or got from systemd) for us. */
    struct control_state *control; /* NULL when running alone */
    struct peer_state *peers;      /* peer.c: links to the other shards */
    int boot_fds[16];
    int boot_fd_count;
    /* shutdown */
    int shutdown_asap;
    int exit_code;
    /* propagation and AOF (propagate.c, aof.c) */
    struct propagate_state *prop;
    struct aof_state *aof;
    /* persistence: the one forked child (child.c) */
    pid_t child_pid;             /* 0: none */
    pid_t child_last_pid;        /* the child just reaped (for done) */
    int child_type;              /* enum child_type */
    int child_is_child;          /* 1 inside the forked child */
    ev_child child_watch;
    int child_info_pipe[2];      /* child -> parent progress reports */
    void *child_done;            /* child_done_fn * */
    void *child_priv;
    long long child_start_ms;
    long long child_last_report_ms; /* in the child */
    long long stat_fork_usec;    /* latest_fork_usec */
    long long stat_total_forks;
    long long stat_current_cow_peak;
    long long stat_current_cow_bytes;
    long long stat_current_cow_updated; /* ms */
    long long stat_current_save_keys_processed;
    long long stat_current_save_keys_total;
    long long stat_rdb_cow_bytes;
    long long stat_aof_cow_bytes;
    /* RDB state (rdb.c, cmd_persist.c) */
    int rdb_bgsave_scheduled;    /* BGSAVE waiting for the fork gate */
    int rdb_bgsave_ok;           /* last BGSAVE succeeded (MISCONF if not) */
    long long rdb_last_bgsave_try; /* s */
    long long rdb_save_time_last;  /* s, -1 never */
    long long rdb_save_time_start; /* s, -1 none running */
    long long rdb_dirty_before_bgsave;
    long long stat_rdb_saves;
    long long rdb_last_load_keys_expired;
    long long rdb_last_load_keys_loaded;
    int loading;
    str rdb_save_parsed_from;    /* cfg.save the table below came from */
    int rdb_save_npoints;
    struct rdb_save_point {
        long long seconds;
        long long changes;
    } *rdb_save_points;
    /* Lua scripting and functions (script.c, function.c; see script.h) */
    struct script_state *script;
    int script_running;          /* a script or function is executing */
    int script_busy;             /* ... and ran past busy-reply-threshold */
    int script_repl;             /* its redis.set_repl flags (SCRIPT_REPL_*) */
    int script_wrote;            /* it has called a write command */
    /* transactions (multi.c): dbid + key -> its watchers; NULL while
     * nobody watches anything */
    dict *watched_keys;
    /* cmd_call: error replies already counted as failed_calls of a nested
     * call (EXEC's commands), so the outer call does not count them */
    long long stat_errors_accounted;
    /* cluster mode (cluster.c): the slot map served; NULL when off */
    struct cluster_state *cluster;
};

/* ---- the shard's entry points ---- */
int shard_main(int argc, char **argv);
int server_setup(server *srv);
void server_teardown(server *srv);
/* daemonize yes: fork to the background, detach, stdio to /dev/null
 * (the supervisor does it too, before forking its shards). */
void server_daemonize(void);
void server_update_time(server *srv);
/* Set the cached clocks (mstime, ustime, LRU clock) from us. */
void server_set_time(server *srv, long long us);
/* One more operation for the AOF and replicas (propagate_also, see
 * propagate.h); the caller bumps srv->dirty itself if the dataset
 * changed. A command's own argv is propagated without any call. */
void server_propagate(server *srv, int dbid, const arg *argv, int argc);

/* Fork gate: all shards of a host share its memory, so at most
 * max-concurrent-forks of them may have a child (BGSAVE, AOF rewrite)
 * alive at once. Ask before forking: 1 = go ahead now; 0 = not now (the
 * supervisor queued the request; ask again from the cron). Release when
 * the child has exited. Standalone shards always get 1. */
int server_fork_acquire(server *srv);
void server_fork_release(server *srv);

#endif
