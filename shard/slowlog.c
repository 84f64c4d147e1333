/* slowlog: slow command log and latency monitor samples. */
#include "slowlog.h"

#include <string.h>

#include "mem.h"

#define SLOWLOG_MAX_ARGC 32
#define SLOWLOG_MAX_STRING 128

static void free_entry(slowlog_entry *e)
{
    for (int i = 0; i < e->argc; i++) {
        str_free(e->argv[i]);
    }
    mem_free(e->argv);
    str_free(e->peer);
    str_free(e->name);
    mem_free(e);
}

void slowlog_trim(server *srv)
{
    while (srv->slowlog_len > srv->cfg.slowlog_max_len &&
           srv->slowlog_tail != NULL) {
        slowlog_entry *t = srv->slowlog_tail;
        srv->slowlog_tail = t->prev;
        if (t->prev != NULL) {
            t->prev->next = NULL;
        } else {
            srv->slowlog_head = NULL;
        }
        free_entry(t);
        srv->slowlog_len--;
    }
}

void slowlog_maybe_add(server *srv, client *c, long long usec)
{
    if (srv->cfg.slowlog_log_slower_than < 0 ||
        usec < srv->cfg.slowlog_log_slower_than) {
        return;
    }
    slowlog_entry *e = mem_calloc(sizeof(*e));
    int argc = c->argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : c->argc;

    e->argc = argc;
    e->argv = mem_alloc(sizeof(str) * (size_t)argc);
    for (int i = 0; i < argc; i++) {
        if (argc != c->argc && i == argc - 1) {
            e->argv[i] = str_catfmt(str_empty(), "... (%d more arguments)",
                                    c->argc - argc + 1);
        } else if (c->argv[i].n > SLOWLOG_MAX_STRING) {
            e->argv[i] = str_new(c->argv[i].p, SLOWLOG_MAX_STRING);
            e->argv[i] = str_catfmt(e->argv[i], "... (%zu more bytes)",
                                    c->argv[i].n - SLOWLOG_MAX_STRING);
        } else {
            e->argv[i] = str_new(c->argv[i].p, c->argv[i].n);
        }
    }
    e->id = srv->slowlog_next_id++;
    e->time = srv->mstime / 1000;
    e->duration = usec;
    e->peer = str_from_cstr(c->addr);
    e->name = str_from_cstr(c->name != NULL ? c->name : "");
    e->next = srv->slowlog_head;
    if (srv->slowlog_head != NULL) {
        srv->slowlog_head->prev = e;
    } else {
        srv->slowlog_tail = e;
    }
    srv->slowlog_head = e;
    srv->slowlog_len++;
    slowlog_trim(srv);
}

void slowlog_reset(server *srv)
{
    while (srv->slowlog_head != NULL) {
        slowlog_entry *e = srv->slowlog_head;
        srv->slowlog_head = e->next;
        free_entry(e);
    }
    srv->slowlog_tail = NULL;
    srv->slowlog_len = 0;
}

static void free_event(void *p)
{
    mem_free(p);
}

static const dict_type latency_type = {.val_free = free_event};

void latency_setup(server *srv)
{
    srv->latency_events = dict_create(&latency_type);
}

void latency_teardown(server *srv)
{
    dict_destroy(&srv->latency_events);
}

void latency_add_sample(server *srv, const char *event, long long ms)
{
    int existed;
    dict_entry *de = dict_add_or_find(srv->latency_events, event,
                                      strlen(event), &existed);
    if (!existed) {
        de->v.ptr = mem_calloc(sizeof(latency_event));
    }
    latency_event *ev = de->v.ptr;
    int32_t now = (int32_t)(srv->mstime / 1000);
    int prev = (ev->idx + LATENCY_HISTORY - 1) % LATENCY_HISTORY;

    if (ms > ev->max_latency) {
        ev->max_latency = (uint32_t)ms;
    }
    /* One sample per second: keep the worst. */
    if (ev->samples[prev].time == now) {
        if ((uint32_t)ms > ev->samples[prev].latency) {
            ev->samples[prev].latency = (uint32_t)ms;
        }
        return;
    }
    ev->samples[ev->idx].time = now;
    ev->samples[ev->idx].latency = (uint32_t)ms;
    ev->idx = (ev->idx + 1) % LATENCY_HISTORY;
}

void latency_maybe_add(server *srv, const char *event, long long ms,
                       const char *alias_event)
{
    if (srv->cfg.latency_monitor_threshold <= 0 ||
        ms < srv->cfg.latency_monitor_threshold) {
        return;
    }
    latency_add_sample(srv, alias_event != NULL ? alias_event : event, ms);
}

int latency_reset(server *srv, const arg *names, int argc)
{
    int n = 0;

    if (argc == 0) {
        n = (int)dict_size(srv->latency_events);
        dict_clear(srv->latency_events);
        return n;
    }
    for (int i = 0; i < argc; i++) {
        if (dict_delete(srv->latency_events, names[i].p, names[i].n) == 0) {
            n++;
        }
    }
    return n;
}
