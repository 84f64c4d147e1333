/* propagate: collects what each command changed (its argv, a replacement,
 * extra operations) and hands it to the AOF and replica consumers once the
 * top-level command is over. See propagate.h for the model. */
#include "propagate.h"

#include <string.h>

#include "log.h"
#include "mem.h"
#include "util.h"

#define MAX_CONSUMERS 8
#define MAX_DEPTH 32 /* EXEC > EVAL > redis.call is 3; deeper is a bug */

typedef struct prop_op {
    int dbid;
    int argc;
    arg *argv; /* one block: the args, then their bytes (copy_args) */
} prop_op;

/* What one running call asked for (by nesting depth). */
typedef struct call_state {
    int prevent;
    int force;      /* propagate even if the dataset did not change */
    int had_nested; /* a nested call changed the dataset (EXEC, EVAL) */
    int rargc;      /* > 0: replacement argv */
    arg *rargv;
} call_state;

typedef struct consumer {
    propagate_fn *fn;
    void *priv;
} consumer;

struct propagate_state {
    prop_op *ops;
    int nops;
    int cap;
    int depth;
    int disabled;
    consumer consumers[MAX_CONSUMERS];
    int nconsumers;
    call_state calls[MAX_DEPTH + 1];
};

int propagate_setup(server *srv)
{
    srv->prop = mem_calloc(sizeof(*srv->prop));
    return srv->prop != NULL ? 0 : -1;
}

static void free_argv(arg *argv, int argc)
{
    (void)argc;
    mem_free(argv);
}

static void clear_ops(propagate_state *st)
{
    for (int i = 0; i < st->nops; i++) {
        free_argv(st->ops[i].argv, st->ops[i].argc);
    }
    st->nops = 0;
}

void propagate_teardown(server *srv)
{
    propagate_state *st = srv->prop;

    if (st == NULL) {
        return;
    }
    clear_ops(st);
    mem_free(st->ops);
    for (int i = 0; i <= MAX_DEPTH; i++) {
        if (st->calls[i].rargv != NULL) {
            free_argv(st->calls[i].rargv, st->calls[i].rargc);
        }
    }
    mem_free(st);
    srv->prop = NULL;
}

int propagate_add_consumer(server *srv, propagate_fn *fn, void *priv)
{
    propagate_state *st = srv->prop;

    if (st->nconsumers == MAX_CONSUMERS) {
        return -1;
    }
    st->consumers[st->nconsumers].fn = fn;
    st->consumers[st->nconsumers].priv = priv;
    st->nconsumers++;
    return 0;
}

void propagate_remove_consumer(server *srv, propagate_fn *fn, void *priv)
{
    propagate_state *st = srv->prop;

    for (int i = 0; i < st->nconsumers; i++) {
        if (st->consumers[i].fn == fn && st->consumers[i].priv == priv) {
            memmove(&st->consumers[i], &st->consumers[i + 1],
                    sizeof(consumer) * (size_t)(st->nconsumers - i - 1));
            st->nconsumers--;
            return;
        }
    }
}

void propagate_set_disabled(server *srv, int disabled)
{
    srv->prop->disabled = disabled;
}

/* One allocation per operation: the arg array followed by the bytes. */
static arg *copy_args(int argc, const arg *argv)
{
    size_t bytes = 0;

    for (int i = 0; i < argc; i++) {
        bytes += argv[i].n;
    }
    arg *out = mem_alloc(sizeof(arg) * (size_t)argc + bytes);
    char *p = (char *)(out + argc);
    for (int i = 0; i < argc; i++) {
        memcpy(p, argv[i].p, argv[i].n);
        out[i].p = p;
        out[i].n = argv[i].n;
        p += argv[i].n;
    }
    return out;
}

static void emit(propagate_state *st, int dbid, const arg *argv, int argc)
{
    for (int i = 0; i < st->nconsumers; i++) {
        st->consumers[i].fn(st->consumers[i].priv, dbid, argv, argc);
    }
}

/* Hand the batch to the consumers: MULTI/EXEC around more than one
 * operation (Redis 7.0 wraps nothing else, not even a one-write EXEC). */
static void flush(propagate_state *st)
{
    if (st->nops == 0) {
        return;
    }
    if (st->nconsumers > 0) {
        int wrap = st->nops > 1;
        if (wrap) {
            arg multi = PARG("MULTI");
            emit(st, st->ops[0].dbid, &multi, 1);
        }
        for (int i = 0; i < st->nops; i++) {
            emit(st, st->ops[i].dbid, st->ops[i].argv, st->ops[i].argc);
        }
        if (wrap) {
            arg exec = PARG("EXEC");
            emit(st, -1, &exec, 1);
        }
    }
    clear_ops(st);
}

/* Takes ownership of argv. */
static void add_op(propagate_state *st, int dbid, arg *argv, int argc)
{
    if (st->nops == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 8;
        st->ops = mem_realloc(st->ops, sizeof(prop_op) * (size_t)st->cap);
    }
    st->ops[st->nops].dbid = dbid;
    st->ops[st->nops].argv = argv;
    st->ops[st->nops].argc = argc;
    st->nops++;
    if (st->depth == 0) {
        flush(st); /* outside any command: nothing to batch with */
    }
}

void propagate_call_begin(client *c, propagate_frame *f)
{
    propagate_state *st = c->srv->prop;

    f->dirty = c->srv->dirty;
    f->nops = st->nops;
    st->depth++;
    if (st->depth <= MAX_DEPTH) {
        call_state *cs = &st->calls[st->depth];
        cs->prevent = 0;
        cs->force = 0;
        cs->had_nested = 0;
        cs->rargc = 0;
        cs->rargv = NULL;
    }
}

void propagate_call_end(client *c, const propagate_frame *f)
{
    server *srv = c->srv;
    propagate_state *st = srv->prop;
    call_state *cs = st->depth <= MAX_DEPTH ? &st->calls[st->depth] : NULL;
    /* A save resets dirty (SAVE, DEBUG RELOAD): only growth counts. */
    int changed = srv->dirty > f->dirty || (cs != NULL && cs->force);

    /* A blocked call did nothing yet; it propagates when served. */
    if (cs != NULL && !st->disabled && !(c->flags & CF_BLOCKED)) {
        if (cs->rargv != NULL) {
            if (changed && !cs->prevent) {
                add_op(st, c->db->id, cs->rargv, cs->rargc);
                cs->rargv = NULL;
            }
        } else if (changed && !cs->prevent && !cs->had_nested) {
            if (st->depth == 1 && st->nops == 0) {
                /* Alone in its batch (the common case): no copy. */
                emit(st, c->db->id, c->argv, c->argc);
            } else {
                add_op(st, c->db->id, copy_args(c->argc, c->argv), c->argc);
            }
        }
    }
    if (cs != NULL && cs->rargv != NULL) {
        free_argv(cs->rargv, cs->rargc);
        cs->rargv = NULL;
    }
    st->depth--;
    if (st->depth > 0 && st->depth <= MAX_DEPTH && changed) {
        st->calls[st->depth].had_nested = 1;
    }
    if (st->depth == 0) {
        if (st->disabled) {
            clear_ops(st);
        } else {
            flush(st);
        }
    }
}

static call_state *current(server *srv)
{
    propagate_state *st = srv->prop;

    if (st->depth == 0 || st->depth > MAX_DEPTH) {
        return NULL;
    }
    return &st->calls[st->depth];
}

void propagate_replace(client *c, int argc, const arg *argv)
{
    call_state *cs = current(c->srv);

    if (cs == NULL) {
        return;
    }
    if (cs->rargv != NULL) {
        free_argv(cs->rargv, cs->rargc);
    }
    cs->rargv = copy_args(argc, argv);
    cs->rargc = argc;
}

void propagate_replace_argv(client *c, int argc, ...)
{
    arg argv[16];
    va_list ap;

    if (argc > 16) {
        return; /* a programming error: use propagate_replace */
    }
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        argv[i] = va_arg(ap, arg);
    }
    va_end(ap);
    propagate_replace(c, argc, argv);
}

void propagate_force(client *c)
{
    call_state *cs = current(c->srv);

    if (cs != NULL) {
        cs->force = 1;
    }
}

void propagate_prevent(client *c)
{
    call_state *cs = current(c->srv);

    if (cs != NULL) {
        cs->prevent = 1;
    }
}

void propagate_also(server *srv, int dbid, int argc, const arg *argv)
{
    if (srv->prop == NULL || srv->prop->disabled) {
        return;
    }
    add_op(srv->prop, dbid, copy_args(argc, argv), argc);
}

void propagate_also_argv(server *srv, int dbid, int argc, ...)
{
    arg argv[16];
    va_list ap;

    if (argc > 16) {
        return;
    }
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        argv[i] = va_arg(ap, arg);
    }
    va_end(ap);
    propagate_also(srv, dbid, argc, argv);
}

void propagate_expired(server *srv, int dbid, const char *key, size_t len)
{
    arg argv[2];

    argv[0] = srv->cfg.lazyfree_lazy_expire ? PARG("UNLINK") : PARG("DEL");
    argv[1].p = key;
    argv[1].n = len;
    propagate_also(srv, dbid, 2, argv);
}

static str cat_bulk(str buf, char type, const char *p, size_t n)
{
    char hdr[32];
    int len = util_ll2str(hdr + 1, sizeof(hdr) - 3, (long long)n);

    hdr[0] = type;
    hdr[len + 1] = '\r';
    hdr[len + 2] = '\n';
    buf = str_cat(buf, hdr, (size_t)len + 3);
    if (type == '$') {
        buf = str_cat(buf, p, n);
        buf = str_cat(buf, "\r\n", 2);
    }
    return buf;
}

str propagate_encode(str buf, int *last_db, int dbid, const arg *argv, int argc)
{
    if (dbid >= 0 && dbid != *last_db) {
        char num[24];
        int n = util_ll2str(num, sizeof(num), dbid);
        buf = cat_bulk(buf, '*', NULL, 2);
        buf = cat_bulk(buf, '$', "SELECT", 6);
        buf = cat_bulk(buf, '$', num, (size_t)n);
        *last_db = dbid;
    }
    buf = cat_bulk(buf, '*', NULL, (size_t)argc);
    for (int i = 0; i < argc; i++) {
        buf = cat_bulk(buf, '$', argv[i].p, argv[i].n);
    }
    return buf;
}

arg propagate_num(char *buf, long long v)
{
    arg a;

    a.p = buf;
    a.n = (size_t)util_ll2str(buf, 24, v);
    return a;
}

void propagate_as_expired_delete(client *c, const arg *key)
{
    propagate_replace_argv(
        c, 2, c->srv->cfg.lazyfree_lazy_expire ? PARG("UNLINK") : PARG("DEL"),
        *key);
}

void propagate_as_set_pxat(client *c, const arg *key, const arg *val,
                           long long when)
{
    char buf[24];

    propagate_replace_argv(c, 5, PARG("SET"), *key, *val, PARG("PXAT"),
                           propagate_num(buf, when));
}

void propagate_as_pexpireat(client *c, const arg *key, long long when, int from)
{
    char buf[24];
    int n = 3 + (from < c->argc ? c->argc - from : 0);
    arg *argv = mem_alloc(sizeof(arg) * (size_t)n);

    argv[0] = PARG("PEXPIREAT");
    argv[1] = *key;
    argv[2] = propagate_num(buf, when);
    for (int i = from; i < c->argc; i++) {
        argv[3 + i - from] = c->argv[i];
    }
    propagate_replace(c, n, argv);
    mem_free(argv);
}
