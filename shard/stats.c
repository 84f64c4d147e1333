/* stats: error counters and per-command latency histograms. */
#include "stats.h"

#include <string.h>

#include "cmd.h"
#include "mem.h"

/* Log-linear histogram: 16 linear sub-buckets per power of two, so each
 * bucket is within ~6% of its values; covers 1 us .. 2^40 us. */
#define SUB_BITS 4
#define SUB_COUNT (1 << SUB_BITS)
#define EXP_COUNT 41
#define HIST_BUCKETS (EXP_COUNT * SUB_COUNT)
#define MAX_ERROR_CODES 128

static int bucket_of(long long v)
{
    if (v < SUB_COUNT) {
        return v < 0 ? 0 : (int)v;
    }
    int exp = 63 - __builtin_clzll((unsigned long long)v);
    int sub = (int)((v >> (exp - SUB_BITS)) & (SUB_COUNT - 1));
    int idx = (exp - SUB_BITS + 1) * SUB_COUNT + sub;
    return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* Upper bound of values in bucket idx. */
static double bucket_value(int idx)
{
    if (idx < SUB_COUNT) {
        return idx;
    }
    int exp = idx / SUB_COUNT + SUB_BITS - 1;
    int sub = idx % SUB_COUNT;
    return (double)((1LL << exp) + ((long long)(sub + 1) << (exp - SUB_BITS)) -
                    1);
}

void stats_record_latency(server *srv, command *cmd, long long usec)
{
    if (!srv->cfg.latency_tracking) {
        return;
    }
    if (cmd->stats.hist == NULL) {
        cmd->stats.hist = mem_calloc(sizeof(uint32_t) * (HIST_BUCKETS + 1));
    }
    cmd->stats.hist[bucket_of(usec)]++;
    cmd->stats.hist[HIST_BUCKETS]++; /* total */
}

double stats_percentile(const uint32_t *hist, double p)
{
    uint32_t total = hist[HIST_BUCKETS];
    double want = total * p / 100.0;
    double seen = 0;

    if (total == 0) {
        return 0;
    }
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen >= want && hist[i] > 0) {
            return bucket_value(i);
        }
    }
    return bucket_value(HIST_BUCKETS - 1);
}

void stats_count_error(server *srv, const char *msg)
{
    /* The code is the first word, looked for in the first 31 bytes; an
     * error without one counts as ERR (as Redis). */
    size_t len = strnlen(msg, 31);
    const char *sp = memchr(msg, ' ', len);
    size_t n = sp != NULL ? (size_t)(sp - msg) : 3;

    if (sp == NULL) {
        msg = "ERR";
    }

    srv->stat_total_error_replies++;
    if (srv->error_stats == NULL) {
        return;
    }
    dict_entry *de = dict_find(srv->error_stats, msg, n);
    if (de == NULL) {
        if (dict_size(srv->error_stats) >= MAX_ERROR_CODES) {
            return;
        }
        de = dict_add(srv->error_stats, msg, n);
    }
    de->v.i64++;
}

void stats_count_rejected(server *srv)
{
    (void)srv;
}

static void reset_cmd(command *cmd, void *priv)
{
    (void)priv;
    cmd->stats.calls = 0;
    cmd->stats.usec = 0;
    cmd->stats.rejected = 0;
    cmd->stats.failed = 0;
    mem_free(cmd->stats.hist);
    cmd->stats.hist = NULL;
}

void stats_reset(server *srv)
{
    cmd_foreach(srv, reset_cmd, NULL);
    dict_clear(srv->error_stats);
    srv->stat_numcommands = 0;
    srv->stat_numconnections = 0;
    srv->stat_rejected_conn = 0;
    srv->stat_keyspace_hits = 0;
    srv->stat_keyspace_misses = 0;
    srv->stat_net_input_bytes = 0;
    srv->stat_net_output_bytes = 0;
    srv->stat_total_error_replies = 0;
    srv->stat_unexpected_error_replies = 0;
    srv->stat_evictedkeys = 0;
    srv->stat_expired_keys = 0;
    srv->stat_expired_stale_perc = 0;
    srv->stat_expire_cycle_time_used = 0;
    srv->stat_io_reads = 0;
    srv->stat_io_writes = 0;
    srv->stat_client_qbuf_limit_disconnections = 0;
    srv->stat_client_outbuf_limit_disconnections = 0;
    srv->stat_starttime_reset = srv->mstime;
}
