/* reply: RESP2/RESP3 reply encoding into the client's block chain. */
#include "reply.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "net.h"
#include "stats.h"
#include "util.h"

static int muted(const client *c)
{
    return c->reply_mode != REPLY_ON ||
           (c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP)) != 0 ||
           (c->fd < 0 && !(c->flags & CF_SCRIPT_CAPTURE));
}

static reply_block *new_block(size_t need)
{
    size_t size = need < REPLY_CHUNK ? REPLY_CHUNK : need;
    reply_block *b = mem_alloc(sizeof(*b) + size);

    b->next = NULL;
    b->size = mem_usable(b) - sizeof(*b);
    b->used = 0;
    return b;
}

static void append(client *c, const char *p, size_t n)
{
    reply_block *t = c->out_tail;

    if (t != NULL && t->size - t->used >= n) {
        memcpy(t->buf + t->used, p, n);
        t->used += n;
    } else {
        if (t != NULL && t->size > t->used) {
            size_t part = t->size - t->used;
            memcpy(t->buf + t->used, p, part);
            t->used += part;
            p += part;
            n -= part;
            c->out_bytes += part;
        }
        reply_block *b = new_block(n);
        memcpy(b->buf, p, n);
        b->used = n;
        if (c->out_tail != NULL) {
            c->out_tail->next = b;
        } else {
            c->out_head = b;
        }
        c->out_tail = b;
    }
    c->out_bytes += n;
}

static void add(client *c, const char *p, size_t n)
{
    if (muted(c)) {
        return;
    }
    append(c, p, n);
    net_reply_queued(c);
}

void reply_raw(client *c, const char *p, size_t n)
{
    add(c, p, n);
}

/* "<prefix><n>\r\n" */
static void add_header(client *c, char prefix, long long n)
{
    char buf[32];

    buf[0] = prefix;
    int len = util_ll2str(buf + 1, sizeof(buf) - 3, n);
    buf[len + 1] = '\r';
    buf[len + 2] = '\n';
    add(c, buf, (size_t)len + 3);
}

void reply_status(client *c, const char *s)
{
    size_t n = strlen(s);

    if (muted(c)) {
        return;
    }
    append(c, "+", 1);
    append(c, s, n);
    append(c, "\r\n", 2);
    net_reply_queued(c);
}

void reply_ok(client *c)
{
    add(c, "+OK\r\n", 5);
}

void reply_error(client *c, const char *msg)
{
    size_t n = strlen(msg);

    stats_count_error(c->srv, msg[0] == '-' ? msg + 1 : "ERR");
    if (muted(c)) {
        return;
    }
    if (msg[0] != '-') {
        append(c, "-ERR ", 5);
    }
    append(c, msg, n);
    append(c, "\r\n", 2);
    net_reply_queued(c);
}

void reply_errorf(client *c, const char *fmt, ...)
{
    va_list ap;
    str s = str_empty();

    va_start(ap, fmt);
    s = str_catvfmt(s, fmt, ap);
    va_end(ap);
    /* A newline would break the protocol: Redis maps them to spaces. */
    for (size_t i = 0; i < str_len(s); i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            s[i] = ' ';
        }
    }
    reply_error(c, s);
    str_free(s);
}

void reply_ll(client *c, long long v)
{
    if (v == 0) {
        add(c, ":0\r\n", 4);
    } else if (v == 1) {
        add(c, ":1\r\n", 4);
    } else {
        add_header(c, ':', v);
    }
}

void reply_bulk(client *c, const void *p, size_t n)
{
    if (muted(c)) {
        return;
    }
    add_header(c, '$', (long long)n);
    append(c, p, n);
    append(c, "\r\n", 2);
}

void reply_bulk_cstr(client *c, const char *s)
{
    if (s == NULL) {
        reply_null(c);
    } else {
        reply_bulk(c, s, strlen(s));
    }
}

void reply_bulk_obj(client *c, const obj *o)
{
    char buf[LONG_STR_SIZE];
    size_t n;
    const char *p = obj_str_view(o, buf, &n);

    reply_bulk(c, p, n);
}

void reply_bulk_ll(client *c, long long v)
{
    char buf[LONG_STR_SIZE];
    int n = util_ll2str(buf, sizeof(buf), v);

    reply_bulk(c, buf, (size_t)n);
}

void reply_null(client *c)
{
    if (c->resp >= 3) {
        add(c, "_\r\n", 3);
    } else {
        add(c, "$-1\r\n", 5);
    }
}

void reply_null_array(client *c)
{
    if (c->resp >= 3) {
        add(c, "_\r\n", 3);
    } else {
        add(c, "*-1\r\n", 5);
    }
}

void reply_array_len(client *c, long n)
{
    add_header(c, '*', n);
}

void reply_map_len(client *c, long n)
{
    if (c->resp >= 3) {
        add_header(c, '%', n);
    } else {
        add_header(c, '*', n * 2);
    }
}

void reply_set_len(client *c, long n)
{
    add_header(c, c->resp >= 3 ? '~' : '*', n);
}

void reply_push_len(client *c, long n)
{
    add_header(c, c->resp >= 3 ? '>' : '*', n);
}

void reply_double(client *c, double d)
{
    char buf[MAX_D2STR_CHARS];
    int n;

    if (isinf(d)) {
        n = snprintf(buf, sizeof(buf), "%s", d > 0 ? "inf" : "-inf");
    } else {
        n = snprintf(buf, sizeof(buf), "%.17g", d);
    }
    if (c->resp >= 3) {
        if (muted(c)) {
            return;
        }
        append(c, ",", 1);
        append(c, buf, (size_t)n);
        append(c, "\r\n", 2);
        net_reply_queued(c);
    } else {
        reply_bulk(c, buf, (size_t)n);
    }
}

void reply_human_ld(client *c, long double d)
{
    char buf[5 * 1024];
    int n = util_ld2str(buf, sizeof(buf), d, 1);

    if (c->resp >= 3) {
        if (muted(c)) {
            return;
        }
        append(c, ",", 1);
        append(c, buf, (size_t)n);
        append(c, "\r\n", 2);
        net_reply_queued(c);
    } else {
        reply_bulk(c, buf, (size_t)n);
    }
}

void reply_bool(client *c, int b)
{
    if (c->resp >= 3) {
        add(c, b ? "#t\r\n" : "#f\r\n", 4);
    } else {
        add(c, b ? ":1\r\n" : ":0\r\n", 4);
    }
}

void reply_verbatim(client *c, const char *p, size_t n, const char *ext)
{
    if (c->resp < 3) {
        reply_bulk(c, p, n);
        return;
    }
    if (muted(c)) {
        return;
    }
    add_header(c, '=', (long long)n + 4);
    append(c, ext, 3);
    append(c, ":", 1);
    append(c, p, n);
    append(c, "\r\n", 2);
}

static void upper_arg0(const client *c, char *up, size_t size)
{
    size_t n = c->argv[0].n < size - 1 ? c->argv[0].n : size - 1;

    for (size_t i = 0; i < n; i++) {
        char ch = c->argv[0].p[i];
        up[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    }
    up[n] = '\0';
}

void reply_help(client *c, const char **lines)
{
    char up[64];
    str head;
    long n = 0;

    while (lines[n] != NULL) {
        n++;
    }
    upper_arg0(c, up, sizeof(up));
    reply_array_len(c, n + 3);
    head = str_catfmt(str_empty(),
                      "%s <subcommand> [<arg> [value] [opt] ...]. "
                      "Subcommands are:", up);
    reply_status(c, head);
    str_free(head);
    for (long i = 0; i < n; i++) {
        reply_status(c, lines[i]);
    }
    reply_status(c, "HELP");
    reply_status(c, "    Prints this help.");
}

void reply_unknown_subcommand(client *c)
{
    char up[64];
    int n = c->argc > 1 ? (int)(c->argv[1].n > 128 ? 128 : c->argv[1].n) : 0;

    upper_arg0(c, up, sizeof(up));
    reply_errorf(c, "unknown subcommand '%.*s'. Try %s HELP.", n,
                 c->argc > 1 ? c->argv[1].p : "", up);
}

#define DEFER_CAP 24

/* Deferred lengths: the header goes in a block of its own, reserved now,
 * filled later; later replies go to a fresh block after it. */
void *reply_defer_len(client *c)
{
    if (muted(c)) {
        return NULL;
    }
    reply_block *b = mem_alloc(sizeof(*b) + DEFER_CAP);

    /* size 0: appends skip it and start a new block after it. */
    b->next = NULL;
    b->size = 0;
    b->used = 0;
    if (c->out_tail != NULL) {
        c->out_tail->next = b;
    } else {
        c->out_head = b;
    }
    c->out_tail = b;
    net_reply_queued(c);
    return b;
}

static void set_deferred(client *c, void *h, char prefix, long n)
{
    reply_block *b = h;

    if (b == NULL) {
        return;
    }
    b->buf[0] = prefix;
    int len = util_ll2str(b->buf + 1, DEFER_CAP - 3, n);
    b->buf[len + 1] = '\r';
    b->buf[len + 2] = '\n';
    b->used = (size_t)len + 3;
    b->size = b->used;
    c->out_bytes += b->used;
}

void reply_set_deferred_array(client *c, void *h, long n)
{
    set_deferred(c, h, '*', n);
}

void reply_set_deferred_map(client *c, void *h, long n)
{
    if (c->resp >= 3) {
        set_deferred(c, h, '%', n);
    } else {
        set_deferred(c, h, '*', n * 2);
    }
}

void reply_set_deferred_set(client *c, void *h, long n)
{
    set_deferred(c, h, c->resp >= 3 ? '~' : '*', n);
}

void reply_free_all(client *c)
{
    reply_block *b = c->out_head;

    while (b != NULL) {
        reply_block *next = b->next;
        mem_free(b);
        b = next;
    }
    c->out_head = c->out_tail = NULL;
    c->out_bytes = 0;
    c->out_sent = 0;
}
