/* slowlog: the slow command log (SLOWLOG) and the latency monitor
 * (LATENCY), both fed by cmd_call. */
#ifndef SHOAL_SLOWLOG_H
#define SHOAL_SLOWLOG_H

#include "server.h"

/* Record c's command if it took at least slowlog-log-slower-than us. */
void slowlog_maybe_add(server *srv, client *c, long long usec);
void slowlog_reset(server *srv);
/* Trim to slowlog-max-len (after CONFIG SET). */
void slowlog_trim(server *srv);

/* Record a latency sample for event if ms >= latency-monitor-threshold.
 * alias_event, when different from event, is the event actually used. */
void latency_maybe_add(server *srv, const char *event, long long ms,
                       const char *alias_event);
void latency_add_sample(server *srv, const char *event, long long ms);
/* Clear events (all when argc == 0). Returns how many were cleared. */
int latency_reset(server *srv, const arg *names, int argc);
void latency_setup(server *srv);
void latency_teardown(server *srv);

#endif
