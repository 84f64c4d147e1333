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
    long long busy_reply_threshold;
    int shutdown_timeout;
    int set_proc_title;
    str supervised;
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
    /* shutdown */
    int shutdown_asap;
    int exit_code;
};

/* ---- the shard's entry points ---- */
int shard_main(int argc, char **argv);
int server_setup(server *srv);
void server_teardown(server *srv);
void server_update_time(server *srv);
/* Set the cached clocks (mstime, ustime, LRU clock) from us. */
void server_set_time(server *srv, long long us);
/* Called when a write changes the dataset: bumps dirty and (later) feeds
 * the AOF and replicas through one propagation path. */
void server_propagate(server *srv, int dbid, const arg *argv, int argc);

/* Fork gate: all shards of a host share its memory, so at most
 * max-concurrent-forks of them may have a child (BGSAVE, AOF rewrite)
 * alive at once. Ask before forking: 1 = go ahead now; 0 = not now (the
 * supervisor queued the request; ask again from the cron). Release when
 * the child has exited. Standalone shards always get 1. */
int server_fork_acquire(server *srv);
void server_fork_release(server *srv);

#endif
