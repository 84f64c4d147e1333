/* cmd_slowlog: SLOWLOG GET/LEN/RESET/HELP and LATENCY LATEST/HISTORY/
 * RESET/HELP, replying from the logs kept by slowlog.c. */
#include <string.h>

#include "reply.h"
#include "slowlog.h"
#include "util.h"

void cmd_slowlog_get(client *c);
void cmd_slowlog_len(client *c);
void cmd_slowlog_reset(client *c);
void cmd_slowlog_help(client *c);
void cmd_latency_latest(client *c);
void cmd_latency_history(client *c);
void cmd_latency_reset(client *c);
void cmd_latency_help(client *c);

/* ---- SLOWLOG ---- */

static void reply_entry(client *c, const slowlog_entry *e)
{
    reply_array_len(c, 6);
    reply_ll(c, e->id);
    reply_ll(c, e->time);
    reply_ll(c, e->duration);
    reply_array_len(c, e->argc);
    for (int i = 0; i < e->argc; i++) {
        reply_bulk(c, e->argv[i], str_len(e->argv[i]));
    }
    reply_bulk(c, e->peer, str_len(e->peer));
    reply_bulk(c, e->name, str_len(e->name));
}

void cmd_slowlog_get(client *c)
{
    server *srv = c->srv;
    long long count = 10;

    if (c->argc > 3) {
        /* Redis's generic "bad subcommand use" text, argument as typed. */
        reply_errorf(c,
                     "unknown subcommand or wrong number of arguments for "
                     "'%.*s'. Try SLOWLOG HELP.",
                     (int)(c->argv[1].n > 128 ? 128 : c->argv[1].n),
                     c->argv[1].p);
        return;
    }
    if (c->argc == 3) {
        if (util_str2ll(c->argv[2].p, c->argv[2].n, &count) != 0 ||
            count < -1) {
            reply_error(c, "count should be greater than or equal to -1");
            return;
        }
        if (count == -1) {
            count = srv->slowlog_len;
        }
    }
    if (count > srv->slowlog_len) {
        count = srv->slowlog_len;
    }
    reply_array_len(c, (long)count);
    const slowlog_entry *e = srv->slowlog_head;
    for (long long i = 0; i < count && e != NULL; i++, e = e->next) {
        reply_entry(c, e);
    }
}

void cmd_slowlog_len(client *c)
{
    reply_ll(c, c->srv->slowlog_len);
}

void cmd_slowlog_reset(client *c)
{
    slowlog_reset(c->srv);
    reply_ok(c);
}

void cmd_slowlog_help(client *c)
{
    static const char *help[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 "
        "mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP "
        "and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL,
    };

    reply_help(c, help);
}

/* ---- LATENCY ---- */

static int last_sample(const latency_event *ev)
{
    return (ev->idx + LATENCY_HISTORY - 1) % LATENCY_HISTORY;
}

void cmd_latency_latest(client *c)
{
    dict *events = c->srv->latency_events;
    dict_iter it;
    dict_entry *de;

    reply_array_len(c, (long)dict_size(events));
    dict_iter_init(&it, events);
    while ((de = dict_iter_next(&it)) != NULL) {
        const latency_event *ev = de->v.ptr;
        const latency_sample *s = &ev->samples[last_sample(ev)];
        reply_array_len(c, 4);
        reply_bulk(c, de->key, de->klen);
        reply_ll(c, s->time);
        reply_ll(c, s->latency);
        reply_ll(c, ev->max_latency);
    }
    dict_iter_deinit(&it);
}

void cmd_latency_history(client *c)
{
    dict_entry *de =
        dict_find(c->srv->latency_events, c->argv[2].p, c->argv[2].n);

    if (de == NULL) {
        reply_array_len(c, 0);
        return;
    }
    const latency_event *ev = de->v.ptr;
    long n = 0;
    for (int i = 0; i < LATENCY_HISTORY; i++) {
        n += ev->samples[i].time != 0;
    }
    reply_array_len(c, n);
    /* Oldest first: the ring's next slot holds the oldest sample. */
    for (int i = 0; i < LATENCY_HISTORY; i++) {
        const latency_sample *s = &ev->samples[(ev->idx + i) % LATENCY_HISTORY];
        if (s->time == 0) {
            continue;
        }
        reply_array_len(c, 2);
        reply_ll(c, s->time);
        reply_ll(c, s->latency);
    }
}

void cmd_latency_reset(client *c)
{
    reply_ll(c, latency_reset(c->srv, c->argv + 2, c->argc - 2));
}

void cmd_latency_help(client *c)
{
    /* DOCTOR, GRAPH and HISTOGRAM are listed as Redis lists them; shoal's
     * table does not serve them yet. */
    static const char *help[] = {
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a "
        "histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        NULL,
    };

    reply_help(c, help);
}
