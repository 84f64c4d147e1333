/* info: INFO's sections, field by field in redis-server 7.0's order. A
 * feature shoal does not have yet reports what Redis reports when that
 * feature is idle (zeros, "ok"), so clients parsing INFO find every field. */
#include "info.h"

#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "aof.h"
#include "blocking.h"
#include "child.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "mem.h"
#include "net.h"
#include "pubsub.h"
#include "reply.h"
#include "script.h"
#include "stats.h"
#include "tracking.h"
#include "util.h"

void cmd_info(client *c);

/* Redis samples its instantaneous rates every 100 ms. */
#define METRIC_PERIOD_MS 100

/* ---- emitting fields ---- */

static void put(const info_sink *s, const char *name, const char *value)
{
    s->field(s->priv, name, value);
}

static void put_fmt(const info_sink *s, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put_fmt(const info_sink *s, const char *name, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    put(s, name, buf);
}

static void put_ll(const info_sink *s, const char *name, long long v)
{
    put_fmt(s, name, "%lld", v);
}

/* 1536 -> "1.50K", as Redis's human-readable memory fields. */
static void put_human(const info_sink *s, const char *name,
                      unsigned long long n)
{
    static const char units[] = "KMGTP";
    double d = (double)n;

    if (n < 1024) {
        put_fmt(s, name, "%lluB", n);
        return;
    }
    for (int i = 0; units[i] != '\0'; i++) {
        d /= 1024;
        if (d < 1024 || units[i + 1] == '\0') {
            if (d >= 1024) {
                break; /* beyond petabytes: plain bytes */
            }
            put_fmt(s, name, "%.2f%c", d, units[i]);
            return;
        }
    }
    put_fmt(s, name, "%lluB", n);
}

/* a / b as "%.2f", 0 when b is 0 (no allocator statistics). */
static void put_ratio(const info_sink *s, const char *name, double a, double b)
{
    put_fmt(s, name, "%.2f", b != 0 ? a / b : 0.0);
}

/* ---- Server ---- */

static const char *backend_name(struct ev_loop *loop)
{
    switch (ev_backend(loop)) {
    case EVBACKEND_EPOLL: return "epoll";
    case EVBACKEND_KQUEUE: return "kqueue";
    case EVBACKEND_POLL: return "poll";
    case EVBACKEND_SELECT: return "select";
    case EVBACKEND_PORT: return "evport";
    default: return "libev";
    }
}

static void section_server(server *srv, const info_sink *s)
{
    struct utsname un;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    long long uptime = (srv->mstime - srv->start_ms) / 1000;
    str supervised = config_get_value(srv, "supervised");

    exe[n > 0 ? n : 0] = '\0';
    if (uname(&un) != 0) {
        memset(&un, 0, sizeof(un));
    }
    put(s, "redis_version", SHOAL_VERSION);
    put(s, "redis_git_sha1", "00000000");
    put(s, "redis_git_dirty", "0");
    put(s, "redis_build_id", "0");
    put(s, "redis_mode", srv->cfg.cluster_enabled ? "cluster" : "standalone");
    put_fmt(s, "os", "%s %s %s", un.sysname, un.release, un.machine);
    put_ll(s, "arch_bits", (long long)sizeof(void *) * 8);
    put(s, "monotonic_clock", "POSIX clock_gettime");
    put(s, "multiplexing_api", backend_name(srv->loop));
    put(s, "atomicvar_api", "c11-builtin");
#ifdef __GNUC__
    put_fmt(s, "gcc_version", "%d.%d.%d", __GNUC__, __GNUC_MINOR__,
            __GNUC_PATCHLEVEL__);
#else
    put(s, "gcc_version", "0.0.0");
#endif
    put_ll(s, "process_id", (long long)srv->pid);
    /* "auto" resolves to systemd when systemd started us. */
    put(s, "process_supervised",
        strcmp(supervised, "systemd") == 0 ||
                (strcmp(supervised, "auto") == 0 &&
                 getenv("NOTIFY_SOCKET") != NULL)
            ? "systemd"
            : "no");
    str_free(supervised);
    put(s, "run_id", srv->runid);
    put_ll(s, "tcp_port", srv->cfg.port);
    put_ll(s, "server_time_usec", srv->ustime);
    put_ll(s, "uptime_in_seconds", uptime);
    put_ll(s, "uptime_in_days", uptime / 86400);
    put_ll(s, "hz", srv->cfg.hz);
    put_ll(s, "configured_hz", srv->cfg.hz);
    put_ll(s, "lru_clock", srv->lru_clock);
    put(s, "executable", exe);
    put(s, "config_file",
        srv->cfg.config_file != NULL ? srv->cfg.config_file : "");
    put(s, "io_threads_active", "0");
}

/* ---- Clients ---- */

static void section_clients(server *srv, const info_sink *s)
{
    size_t max_in = 0, max_out = 0;

    size_t paused = 0;

    for (const client *c = srv->clients; c != NULL; c = c->next) {
        size_t out = net_client_obuf_mem(c);
        paused += (c->flags & CF_PAUSED) != 0;
        if (c->querybuf_peak > max_in) {
            max_in = c->querybuf_peak;
        }
        if (out > max_out) {
            max_out = out;
        }
    }
    put_ll(s, "connected_clients", (long long)srv->client_count);
    put(s, "cluster_connections", "0");
    put_ll(s, "maxclients", srv->cfg.maxclients);
    put_ll(s, "client_recent_max_input_buffer", (long long)max_in);
    put_ll(s, "client_recent_max_output_buffer", (long long)max_out);
    /* Redis 7.0 counts clients held by CLIENT PAUSE as blocked. */
    put_ll(s, "blocked_clients",
           (long long)(blocking_clients(srv) + paused));
    put_ll(s, "tracking_clients", tracking_client_count(srv));
    put_ll(s, "clients_in_timeout_table",
           (long long)blocking_clients_with_timeout(srv));
}

/* ---- Memory ---- */

static size_t clients_memory(const server *srv)
{
    size_t n = 0;

    for (const client *c = srv->clients; c != NULL; c = c->next) {
        n += net_client_obuf_mem(c);
        if (c->querybuf != NULL) {
            n += str_alloc_size(c->querybuf);
        }
        n += (size_t)c->argv_cap * sizeof(arg);
    }
    return n;
}

/* The keyspace's own bookkeeping: one entry header per key and per
 * expiry. */
static size_t keyspace_overhead(const server *srv)
{
    size_t n = 0;

    for (int i = 0; i < srv->dbnum; i++) {
        const db *d = &srv->dbs[i];
        n += (db_size(d) + db_expires_size(d)) * sizeof(dict_entry);
    }
    return n;
}

static unsigned long long system_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);

    return pages > 0 && page > 0 ? (unsigned long long)pages * page : 0;
}

static void section_memory(server *srv, const info_sink *s)
{
    long long used = (long long)mem_used();
    long long rss = (long long)mem_rss();
    size_t allocated, active, resident;
    long long startup = srv->info.startup_memory;
    long long clients = (long long)clients_memory(srv);
    long long overhead = startup + clients + (long long)keyspace_overhead(srv);
    long long dataset = used > overhead ? used - overhead : 0;
    long long net_used = used > startup ? used - startup : 0;
    str policy = config_get_value(srv, "maxmemory-policy");

    mem_allocator_stats(&allocated, &active, &resident);
    if (used > srv->stat_peak_memory) {
        srv->stat_peak_memory = used;
    }
    put_ll(s, "used_memory", used);
    put_human(s, "used_memory_human", (unsigned long long)used);
    put_ll(s, "used_memory_rss", rss);
    put_human(s, "used_memory_rss_human", (unsigned long long)rss);
    put_ll(s, "used_memory_peak", srv->stat_peak_memory);
    put_human(s, "used_memory_peak_human",
              (unsigned long long)srv->stat_peak_memory);
    put_fmt(s, "used_memory_peak_perc", "%.2f%%",
            srv->stat_peak_memory > 0
                ? (double)used * 100 / (double)srv->stat_peak_memory
                : 0.0);
    put_ll(s, "used_memory_overhead", overhead);
    put_ll(s, "used_memory_startup", startup);
    put_ll(s, "used_memory_dataset", dataset);
    put_fmt(s, "used_memory_dataset_perc", "%.2f%%",
            net_used > 0 ? (double)dataset * 100 / (double)net_used : 0.0);
    put_ll(s, "allocator_allocated", (long long)allocated);
    put_ll(s, "allocator_active", (long long)active);
    put_ll(s, "allocator_resident", (long long)resident);
    put_ll(s, "total_system_memory", (long long)system_memory());
    put_human(s, "total_system_memory_human", system_memory());
    /* Lua (script.c, function.c). */
    long long vm_eval = script_eval_memory(srv);
    long long vm_func = script_func_memory(srv);
    long long scripts = script_cache_memory(srv) + script_func_overhead(srv);
    put_ll(s, "used_memory_lua", vm_eval);
    put_ll(s, "used_memory_vm_eval", vm_eval);
    put_human(s, "used_memory_lua_human", (unsigned long long)vm_eval);
    put_ll(s, "used_memory_scripts_eval", script_cache_memory(srv));
    put_ll(s, "number_of_cached_scripts", script_cache_count(srv));
    put_ll(s, "number_of_functions", script_func_count(srv));
    put_ll(s, "number_of_libraries", script_lib_count(srv));
    put_ll(s, "used_memory_vm_functions", vm_func);
    put_ll(s, "used_memory_vm_total", vm_eval + vm_func);
    put_human(s, "used_memory_vm_total_human",
              (unsigned long long)(vm_eval + vm_func));
    put_ll(s, "used_memory_functions", script_func_overhead(srv));
    put_ll(s, "used_memory_scripts", scripts);
    put_human(s, "used_memory_scripts_human", (unsigned long long)scripts);
    put_ll(s, "maxmemory", srv->cfg.maxmemory);
    put_human(s, "maxmemory_human", (unsigned long long)srv->cfg.maxmemory);
    put(s, "maxmemory_policy", policy);
    str_free(policy);
    put_ratio(s, "allocator_frag_ratio", (double)active, (double)allocated);
    put_ll(s, "allocator_frag_bytes", (long long)active - (long long)allocated);
    put_ratio(s, "allocator_rss_ratio", (double)resident, (double)active);
    put_ll(s, "allocator_rss_bytes", (long long)resident - (long long)active);
    put_ratio(s, "rss_overhead_ratio", (double)rss, (double)resident);
    put_ll(s, "rss_overhead_bytes", rss - (long long)resident);
    put_ratio(s, "mem_fragmentation_ratio", (double)rss, (double)used);
    put_ll(s, "mem_fragmentation_bytes", rss - used);
    put(s, "mem_not_counted_for_evict", "0");
    put(s, "mem_replication_backlog", "0");
    put(s, "mem_total_replication_buffers", "0");
    put(s, "mem_clients_slaves", "0");
    put_ll(s, "mem_clients_normal", clients);
    put(s, "mem_cluster_links", "0");
    put(s, "mem_aof_buffer", "0");
    put(s, "mem_allocator", mem_allocator_name());
    put(s, "active_defrag_running", "0");
    put(s, "lazyfree_pending_objects", "0");
    put(s, "lazyfreed_objects", "0");
}

/* ---- Persistence ---- */

static void section_persistence(server *srv, const info_sink *s)
{
    /* RDB and the forked child (rdb.c, child.c). */
    long long now_ms = util_ustime() / 1000;
    int rdb_child = child_type_active(srv) == CHILD_RDB;
    double fork_perc = 0;
    if (child_type_active(srv) != CHILD_NONE &&
        srv->stat_current_save_keys_total > 0) {
        fork_perc = (double)srv->stat_current_save_keys_processed * 100 /
                    (double)srv->stat_current_save_keys_total;
    }
    char pbuf[32];
    snprintf(pbuf, sizeof(pbuf), "%.2f", fork_perc);
    put_ll(s, "loading", srv->loading);
    put(s, "async_loading", "0");
    put_ll(s, "current_cow_peak", srv->stat_current_cow_peak);
    put_ll(s, "current_cow_size", srv->stat_current_cow_bytes);
    put_ll(s, "current_cow_size_age",
           srv->stat_current_cow_updated
               ? (now_ms - srv->stat_current_cow_updated) / 1000
               : 0);
    put(s, "current_fork_perc", pbuf);
    put_ll(s, "current_save_keys_processed",
           srv->stat_current_save_keys_processed);
    put_ll(s, "current_save_keys_total", srv->stat_current_save_keys_total);
    put_ll(s, "rdb_changes_since_last_save", srv->dirty);
    put_ll(s, "rdb_bgsave_in_progress", rdb_child);
    /* Under the supervisor a BGSAVE may wait for the host's fork gate
     * (max-concurrent-forks): say so. A lone shard's INFO stays Redis's. */
    if (srv->control != NULL) {
        put_ll(s, "rdb_bgsave_scheduled", srv->rdb_bgsave_scheduled);
    }
    put_ll(s, "rdb_last_save_time", srv->lastsave);
    put(s, "rdb_last_bgsave_status", srv->rdb_bgsave_ok ? "ok" : "err");
    put_ll(s, "rdb_last_bgsave_time_sec", srv->rdb_save_time_last);
    put_ll(s, "rdb_current_bgsave_time_sec",
           rdb_child ? (long long)time(NULL) - srv->rdb_save_time_start
                     : -1);
    put_ll(s, "rdb_saves", srv->stat_rdb_saves);
    put_ll(s, "rdb_last_cow_size", srv->stat_rdb_cow_bytes);
    put_ll(s, "rdb_last_load_keys_expired", srv->rdb_last_load_keys_expired);
    put_ll(s, "rdb_last_load_keys_loaded", srv->rdb_last_load_keys_loaded);
    /* aof_enabled ... module_fork_last_cow_size, and the aof_* sizes
     * when the AOF is on (aof.c). */
    aof_info(srv, s->field, s->priv);
}

/* ---- Stats ---- */

static long long metric_rate(const info_metric *m)
{
    long long sum = 0;

    for (int i = 0; i < INFO_METRIC_SAMPLES; i++) {
        sum += m->samples[i];
    }
    return sum / INFO_METRIC_SAMPLES;
}

static void section_stats(server *srv, const info_sink *s)
{
    put_ll(s, "total_connections_received", srv->stat_numconnections);
    put_ll(s, "total_commands_processed", srv->stat_numcommands);
    put_ll(s, "instantaneous_ops_per_sec", metric_rate(&srv->info.ops));
    put_ll(s, "total_net_input_bytes", srv->stat_net_input_bytes);
    put_ll(s, "total_net_output_bytes", srv->stat_net_output_bytes);
    put(s, "total_net_repl_input_bytes", "0");
    put(s, "total_net_repl_output_bytes", "0");
    put_fmt(s, "instantaneous_input_kbps", "%.2f",
            (double)metric_rate(&srv->info.net_in) / 1024);
    put_fmt(s, "instantaneous_output_kbps", "%.2f",
            (double)metric_rate(&srv->info.net_out) / 1024);
    put(s, "instantaneous_input_repl_kbps", "0.00");
    put(s, "instantaneous_output_repl_kbps", "0.00");
    put_ll(s, "rejected_connections", srv->stat_rejected_conn);
    put(s, "sync_full", "0");
    put(s, "sync_partial_ok", "0");
    put(s, "sync_partial_err", "0");
    put_ll(s, "expired_keys", srv->stat_expired_keys);
    put_fmt(s, "expired_stale_perc", "%.2f",
            (double)srv->stat_expired_stale_perc);
    put(s, "expired_time_cap_reached_count", "0");
    put_ll(s, "expire_cycle_cpu_milliseconds",
           srv->stat_expire_cycle_time_used / 1000);
    put_ll(s, "evicted_keys", srv->stat_evictedkeys);
    put(s, "evicted_clients", "0");
    put(s, "total_eviction_exceeded_time", "0");
    put(s, "current_eviction_exceeded_time", "0");
    put_ll(s, "keyspace_hits", srv->stat_keyspace_hits);
    put_ll(s, "keyspace_misses", srv->stat_keyspace_misses);
    put_ll(s, "pubsub_channels", pubsub_channel_count(srv));
    put_ll(s, "pubsub_patterns", pubsub_pattern_count(srv));
    put_ll(s, "pubsubshard_channels", pubsub_shard_channel_count(srv));
    put_ll(s, "latest_fork_usec", srv->stat_fork_usec);
    put_ll(s, "total_forks", srv->stat_total_forks);
    put(s, "migrate_cached_sockets", "0");
    put(s, "slave_expires_tracked_keys", "0");
    put(s, "active_defrag_hits", "0");
    put(s, "active_defrag_misses", "0");
    put(s, "active_defrag_key_hits", "0");
    put(s, "active_defrag_key_misses", "0");
    put(s, "total_active_defrag_time", "0");
    put(s, "current_active_defrag_time", "0");
    put_ll(s, "tracking_total_keys", tracking_total_keys(srv));
    put_ll(s, "tracking_total_items", tracking_total_items(srv));
    put_ll(s, "tracking_total_prefixes", tracking_total_prefixes(srv));
    put_ll(s, "unexpected_error_replies", srv->stat_unexpected_error_replies);
    put_ll(s, "total_error_replies", srv->stat_total_error_replies);
    put(s, "dump_payload_sanitizations", "0");
    put_ll(s, "total_reads_processed", srv->stat_io_reads);
    put_ll(s, "total_writes_processed", srv->stat_io_writes);
    put(s, "io_threaded_reads_processed", "0");
    put(s, "io_threaded_writes_processed", "0");
    put(s, "reply_buffer_shrinks", "0");
    put(s, "reply_buffer_expands", "0");
}

/* ---- Replication ---- */

static void section_replication(server *srv, const info_sink *s)
{
    put(s, "role", "master");
    put(s, "connected_slaves", "0");
    put(s, "master_failover_state", "no-failover");
    put(s, "master_replid", srv->info.replid);
    put(s, "master_replid2", "0000000000000000000000000000000000000000");
    put(s, "master_repl_offset", "0");
    put(s, "second_repl_offset", "-1");
    put(s, "repl_backlog_active", "0");
    put(s, "repl_backlog_size", "1048576");
    put(s, "repl_backlog_first_byte_offset", "0");
    put(s, "repl_backlog_histlen", "0");
}

/* ---- CPU ---- */

static void put_time(const info_sink *s, const char *name,
                     const struct timeval *tv)
{
    put_fmt(s, name, "%ld.%06ld", (long)tv->tv_sec, (long)tv->tv_usec);
}

static void section_cpu(server *srv, const info_sink *s)
{
    struct rusage self, children, thread;

    (void)srv;
    memset(&self, 0, sizeof(self));
    memset(&children, 0, sizeof(children));
    memset(&thread, 0, sizeof(thread));
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    put_time(s, "used_cpu_sys", &self.ru_stime);
    put_time(s, "used_cpu_user", &self.ru_utime);
    put_time(s, "used_cpu_sys_children", &children.ru_stime);
    put_time(s, "used_cpu_user_children", &children.ru_utime);
    put_time(s, "used_cpu_sys_main_thread", &thread.ru_stime);
    put_time(s, "used_cpu_user_main_thread", &thread.ru_utime);
}

/* ---- Modules (none) ---- */

static void section_modules(server *srv, const info_sink *s)
{
    (void)srv;
    (void)s;
}

/* ---- Commandstats ---- */

static void visit_commandstats(command *cmd, void *priv)
{
    const info_sink *s = priv;
    const cmd_stats *st = &cmd->stats;
    char name[128];

    if (st->calls == 0 && st->failed == 0 && st->rejected == 0) {
        return;
    }
    snprintf(name, sizeof(name), "cmdstat_%s", cmd->fullname);
    /* Redis divides in single precision; so do we, for the same digits. */
    put_fmt(s, name,
            "calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
            "failed_calls=%lld",
            st->calls, st->usec,
            st->calls == 0 ? 0.0 : (double)((float)st->usec / st->calls),
            st->rejected, st->failed);
}

static void section_commandstats(server *srv, const info_sink *s)
{
    cmd_foreach(srv, visit_commandstats, (void *)s);
}

/* ---- Errorstats ---- */

static int cmp_entry_keys(const void *a, const void *b)
{
    const dict_entry *x = *(const dict_entry *const *)a;
    const dict_entry *y = *(const dict_entry *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int r = memcmp(x->key, y->key, n);

    return r != 0 ? r : (x->klen > y->klen) - (x->klen < y->klen);
}

/* In byte order of the error code, as Redis keeps them (a radix tree). */
static void section_errorstats(server *srv, const info_sink *s)
{
    size_t n = srv->error_stats != NULL ? dict_size(srv->error_stats) : 0;
    dict_iter it;
    dict_entry *de;
    size_t i = 0;

    if (n == 0) {
        return;
    }
    dict_entry **all = mem_alloc(sizeof(*all) * n);
    dict_iter_init(&it, srv->error_stats);
    while ((de = dict_iter_next(&it)) != NULL && i < n) {
        all[i++] = de;
    }
    dict_iter_deinit(&it);
    qsort(all, i, sizeof(*all), cmp_entry_keys);
    for (size_t k = 0; k < i; k++) {
        char name[160];
        snprintf(name, sizeof(name), "errorstat_%.*s", (int)all[k]->klen,
                 all[k]->key);
        put_fmt(s, name, "count=%lld", (long long)all[k]->v.i64);
    }
    mem_free(all);
}

/* ---- Latencystats ---- */

typedef struct percentiles {
    const info_sink *sink;
    int count;
    str *labels; /* canonical text from the config: "99.9" */
    double *values;
} percentiles;

static void visit_latencystats(command *cmd, void *priv)
{
    const percentiles *p = priv;
    char name[160];

    if (cmd->stats.hist == NULL) {
        return;
    }
    str line = str_empty();
    snprintf(name, sizeof(name), "latency_percentiles_usec_%s", cmd->fullname);
    for (int i = 0; i < p->count; i++) {
        line = str_catfmt(line, "%sp%s=%.3f", i > 0 ? "," : "", p->labels[i],
                          stats_percentile(cmd->stats.hist, p->values[i]));
    }
    put(p->sink, name, line);
    str_free(line);
}

static void section_latencystats(server *srv, const info_sink *s)
{
    const char *cfg = srv->cfg.latency_tracking_info_percentiles;
    percentiles p = {.sink = s};

    if (!srv->cfg.latency_tracking) {
        return;
    }
    p.labels = util_split_args(cfg != NULL ? cfg : "",
                               cfg != NULL ? str_len(cfg) : 0, &p.count);
    if (p.labels == NULL) {
        p.count = 0;
    }
    p.values = mem_alloc(sizeof(double) * (size_t)(p.count + 1));
    for (int i = 0; i < p.count; i++) {
        p.values[i] = strtod(p.labels[i], NULL);
    }
    cmd_foreach(srv, visit_latencystats, &p);
    mem_free(p.values);
    util_free_args(p.labels, p.count);
}

/* ---- Cluster, Keyspace ---- */

static void section_cluster(server *srv, const info_sink *s)
{
    put_ll(s, "cluster_enabled", srv->cfg.cluster_enabled != 0);
}

static void section_keyspace(server *srv, const info_sink *s)
{
    for (int i = 0; i < srv->dbnum; i++) {
        const db *d = &srv->dbs[i];
        char name[32];
        if (db_size(d) == 0) {
            continue;
        }
        snprintf(name, sizeof(name), "db%d", i);
        put_fmt(s, name, "keys=%zu,expires=%zu,avg_ttl=%lld", db_size(d),
                db_expires_size(d), d->avg_ttl);
    }
}

/* ---- section selection ---- */

typedef void section_fn(server *srv, const info_sink *s);

typedef struct section {
    const char *name;  /* as INFO's argument, lower case */
    const char *alias; /* another accepted name */
    const char *title;
    int by_default;
    section_fn *fn;
} section;

static const section sections[] = {
    {"server", NULL, "Server", 1, section_server},
    {"clients", NULL, "Clients", 1, section_clients},
    {"memory", NULL, "Memory", 1, section_memory},
    {"persistence", NULL, "Persistence", 1, section_persistence},
    {"stats", NULL, "Stats", 1, section_stats},
    {"replication", NULL, "Replication", 1, section_replication},
    {"cpu", NULL, "CPU", 1, section_cpu},
    {"modules", "module_list", "Modules", 1, section_modules},
    {"commandstats", NULL, "Commandstats", 0, section_commandstats},
    {"errorstats", NULL, "Errorstats", 1, section_errorstats},
    {"latencystats", NULL, "Latencystats", 0, section_latencystats},
    {"cluster", NULL, "Cluster", 1, section_cluster},
    {"keyspace", NULL, "Keyspace", 1, section_keyspace},
};

#define NSECTIONS ((int)(sizeof(sections) / sizeof(*sections)))

static int arg_is(const arg *a, const char *word)
{
    return word != NULL && strlen(word) == a->n &&
           strncasecmp(a->p, word, a->n) == 0;
}

void info_generate(server *srv, const arg *args, int nargs,
                   const info_sink *sink)
{
    int want[NSECTIONS];

    for (int i = 0; i < NSECTIONS; i++) {
        want[i] = nargs == 0 && sections[i].by_default;
    }
    for (int a = 0; a < nargs; a++) {
        int all = arg_is(&args[a], "all") || arg_is(&args[a], "everything");
        int defaults = arg_is(&args[a], "default");
        for (int i = 0; i < NSECTIONS; i++) {
            if (all || (defaults && sections[i].by_default) ||
                arg_is(&args[a], sections[i].name) ||
                arg_is(&args[a], sections[i].alias)) {
                want[i] = 1;
            }
        }
    }
    for (int i = 0; i < NSECTIONS; i++) {
        if (want[i]) {
            sink->section(sink->priv, sections[i].title);
            sections[i].fn(srv, sink);
        }
    }
}

/* ---- the INFO text ---- */

typedef struct text_out {
    str s;
    int sections;
} text_out;

static void text_section(void *priv, const char *title)
{
    text_out *t = priv;

    if (t->sections++ > 0) {
        t->s = str_cat(t->s, "\r\n", 2);
    }
    t->s = str_catfmt(t->s, "# %s\r\n", title);
}

static void text_field(void *priv, const char *name, const char *value)
{
    text_out *t = priv;

    t->s = str_catfmt(t->s, "%s:%s\r\n", name, value);
}

str info_text(server *srv, const arg *args, int nargs)
{
    text_out t = {str_empty(), 0};
    info_sink sink = {text_section, text_field, &t};

    info_generate(srv, args, nargs, &sink);
    return t.s;
}

void cmd_info(client *c)
{
    str text = info_text(c->srv, c->argv + 1, c->argc - 1);

    reply_verbatim(c, text, str_len(text), "txt");
    str_free(text);
}

/* ---- bookkeeping ---- */

void info_setup(server *srv)
{
    info_state *st = &srv->info;

    st->startup_memory = (long long)mem_used();
    util_random_hex(st->replid, 40);
    st->ops.last_ms = st->net_in.last_ms = st->net_out.last_ms = srv->mstime;
}

static void track(info_metric *m, long long now_ms, long long value)
{
    long long dt = now_ms - m->last_ms;
    long long dv = value - m->last_value;

    /* A counter reset (CONFIG RESETSTAT) reads as no activity. */
    m->samples[m->idx] = dt > 0 && dv > 0 ? dv * 1000 / dt : 0;
    m->idx = (m->idx + 1) % INFO_METRIC_SAMPLES;
    m->last_ms = now_ms;
    m->last_value = value;
}

void info_cron(server *srv)
{
    info_state *st = &srv->info;
    int hz = srv->cfg.hz > 0 ? srv->cfg.hz : 1;
    int period_ms = 1000 / hz > 0 ? 1000 / hz : 1;
    long long every = METRIC_PERIOD_MS / period_ms;

    /* Every cron call when it runs at 10 Hz or less, as Redis. */
    if (every > 1 && srv->cron_loops % every != 0) {
        return;
    }
    track(&st->ops, srv->mstime, srv->stat_numcommands);
    track(&st->net_in, srv->mstime, srv->stat_net_input_bytes);
    track(&st->net_out, srv->mstime, srv->stat_net_output_bytes);
}
