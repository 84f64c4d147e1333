/* stats: counters behind INFO's stats, commandstats, errorstats and
 * latencystats sections. */
#ifndef SHOAL_STATS_H
#define SHOAL_STATS_H

#include "server.h"

/* Count an error reply; msg is the text after '-' ("ERR ...").
 * Feeds total_error_replies and errorstats (by the first word). */
void stats_count_error(server *srv, const char *msg);
/* A command rejected before it ran (unknown command). */
void stats_count_rejected(server *srv);
/* Record one call's duration (microseconds) in the command's latency
 * histogram, when latency-tracking is on. */
void stats_record_latency(server *srv, command *cmd, long long usec);
/* Latency (microseconds) at percentile p (0..100) of a histogram. */
double stats_percentile(const uint32_t *hist, double p);
/* Forget counters (CONFIG RESETSTAT). */
void stats_reset(server *srv);

#endif
