/* t_stream_group: consumer groups (XGROUP, XACK, XPENDING, XCLAIM,
 * XAUTOCLAIM) and XINFO, with redis-server 7.0's replies and errors. The
 * entry commands and XREADGROUP live in t_stream.c. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "blocking.h"
#include "cmd.h"
#include "db.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "stream.h"
#include "t_stream.h"
#include "util.h"

/* Default and largest COUNT of XAUTOCLAIM; it scans ten times that. */
#define XAUTOCLAIM_DEFAULT_COUNT 100
#define XAUTOCLAIM_ATTEMPTS_FACTOR 10
#define XAUTOCLAIM_MAX_COUNT (LONG_MAX / 16)
/* Where redis-server's up-front array of count IDs (16 bytes each) no
 * longer fits a 47-bit address space: 2^45 bytes. */
#define XAUTOCLAIM_MAX_ALLOC (1LL << 41)
/* Entries and PEL items XINFO STREAM FULL shows by default. */
#define XINFO_FULL_DEFAULT_COUNT 10

/* Bytes of a as Redis's "%s" of it prints them: up to the first NUL. */
static int cstr_len(const arg *a)
{
    const char *nul = memchr(a->p, '\0', a->n);

    return (int)(nul != NULL ? (size_t)(nul - a->p) : a->n);
}

/* Redis's addReplySubcommandSyntaxError for cmd ("XGROUP", "XINFO"). */
static void reply_sub_syntax(client *c, const char *cmd)
{
    int n = cstr_len(&c->argv[1]);

    reply_errorf(c,
                 "unknown subcommand or wrong number of arguments for "
                 "'%.*s'. Try %s HELP.",
                 n > 128 ? 128 : n, c->argv[1].p, cmd);
}

static void reply_nogroup_key(client *c, const arg *key, const arg *group)
{
    reply_errorf(c, "-NOGROUP No such key '%.*s' or consumer group '%.*s'",
                 cstr_len(key), key->p, cstr_len(group), group->p);
}

/* ---- XGROUP ---- */

typedef struct xgroup_ctx {
    int mkstream;
    long long entries_read;
    obj *o; /* NULL only for CREATE ... MKSTREAM of a new key */
    stream *s;
    stream_cg *cg; /* NULL if the group does not exist */
} xgroup_ctx;

/* What every XGROUP subcommand but HELP checks first, in Redis's order:
 * CREATE/SETID options, the key, the group. 0, or -1 after replying. */
static int xgroup_prepare(client *c, xgroup_ctx *x)
{
    const arg *sub = &c->argv[1], *key = &c->argv[2], *grp = &c->argv[3];
    int create = xarg_is(sub, "create"), setid = xarg_is(sub, "setid");

    memset(x, 0, sizeof(*x));
    x->entries_read = STREAM_ENTRIES_READ_INVALID;
    if (c->argc > 5 && (create || setid)) {
        for (int i = 5; i < c->argc;) {
            if (create && xarg_is(&c->argv[i], "mkstream")) {
                x->mkstream = 1;
                i++;
            } else if (xarg_is(&c->argv[i], "entriesread") && i + 1 < c->argc) {
                if (xarg_ll(c, &c->argv[i + 1], &x->entries_read, NULL)) {
                    return -1;
                }
                if (x->entries_read < 0 &&
                    x->entries_read != STREAM_ENTRIES_READ_INVALID) {
                    reply_error(c, "value for ENTRIESREAD must be positive "
                                   "or -1");
                    return -1;
                }
                i += 2;
            } else {
                reply_sub_syntax(c, "XGROUP");
                return -1;
            }
        }
    }
    if (xlookup(c, key, 1, &x->o) != 0) {
        return -1;
    }
    if (x->o != NULL) {
        x->s = x->o->ptr;
        x->cg = stream_cg_lookup(x->s, grp->p, grp->n);
    }
    if (!x->mkstream) {
        if (x->s == NULL) {
            reply_error(c, "The XGROUP subcommand requires the key to exist. "
                           "Note that for CREATE you may want to use the "
                           "MKSTREAM option to create an empty stream "
                           "automatically.");
            return -1;
        }
        if (x->cg == NULL && !create && !xarg_is(sub, "destroy")) {
            reply_errorf(c,
                         "-NOGROUP No such consumer group '%.*s' for key "
                         "name '%.*s'",
                         cstr_len(grp), grp->p, cstr_len(key), key->p);
            return -1;
        }
    }
    return 0;
}

void cmd_xgroup_create(client *c)
{
    const arg *key = &c->argv[2], *grp = &c->argv[3];
    xgroup_ctx x;
    stream_id id;

    if (xgroup_prepare(c, &x) != 0) {
        return;
    }
    if (c->argc > 8) {
        reply_sub_syntax(c, "XGROUP");
        return;
    }
    if (c->argv[4].n >= 1 && c->argv[4].p[0] == '$' &&
        (c->argv[4].n == 1 || c->argv[4].p[1] == '\0')) {
        if (x.s != NULL) {
            id = x.s->last_id;
        } else {
            id.ms = id.seq = 0;
        }
    } else if (xparse_id(c, &c->argv[4], &id, 0, 1, NULL) != 0) {
        return;
    }
    if (x.s == NULL) {
        obj *o = obj_create(OBJ_STREAM, stream_create());
        o->enc = ENC_STREAM;
        db_add(c->db, key->p, key->n, o);
        db_signal_modified(c, c->db, key->p, key->n);
        x.s = o->ptr;
    }
    if (stream_cg_create(x.s, grp->p, grp->n, &id, x.entries_read) == NULL) {
        reply_error(c, "-BUSYGROUP Consumer Group name already exists");
        return;
    }
    c->srv->dirty++;
    reply_ok(c);
    notify_key(c, NOTIFY_STREAM, "xgroup-create", key);
}

void cmd_xgroup_setid(client *c)
{
    xgroup_ctx x;
    stream_id id;

    if (xgroup_prepare(c, &x) != 0) {
        return;
    }
    if (c->argc != 5 && c->argc != 7) {
        reply_sub_syntax(c, "XGROUP");
        return;
    }
    if (c->argv[4].n >= 1 && c->argv[4].p[0] == '$' &&
        (c->argv[4].n == 1 || c->argv[4].p[1] == '\0')) {
        id = x.s->last_id;
    } else if (xparse_id(c, &c->argv[4], &id, 0, 0, NULL) != 0) {
        return;
    }
    x.cg->last_id = id;
    x.cg->entries_read = x.entries_read;
    c->srv->dirty++;
    reply_ok(c);
    notify_key(c, NOTIFY_STREAM, "xgroup-setid", &c->argv[2]);
}

void cmd_xgroup_destroy(client *c)
{
    const arg *key = &c->argv[2], *grp = &c->argv[3];
    xgroup_ctx x;

    if (xgroup_prepare(c, &x) != 0) {
        return;
    }
    if (!stream_cg_destroy(x.s, grp->p, grp->n)) {
        reply_ll(c, 0);
        return;
    }
    c->srv->dirty++;
    /* Its blocked XREADGROUP clients learn it is gone. */
    blocking_signal_key_ready(c->db, key->p, key->n, OBJ_STREAM);
    reply_ll(c, 1);
    notify_key(c, NOTIFY_STREAM, "xgroup-destroy", key);
}

void cmd_xgroup_createconsumer(client *c)
{
    const arg *name = &c->argv[4];
    xgroup_ctx x;

    if (xgroup_prepare(c, &x) != 0) {
        return;
    }
    if (stream_consumer_create(x.cg, name->p, name->n, util_mstime()) == NULL) {
        reply_ll(c, 0);
        return;
    }
    c->srv->dirty++;
    notify_key(c, NOTIFY_STREAM, "xgroup-createconsumer", &c->argv[2]);
    reply_ll(c, 1);
}

void cmd_xgroup_delconsumer(client *c)
{
    const arg *name = &c->argv[4];
    xgroup_ctx x;

    if (xgroup_prepare(c, &x) != 0) {
        return;
    }
    long long pending = stream_consumer_delete(x.cg, name->p, name->n);
    if (pending < 0) {
        reply_ll(c, 0);
        return;
    }
    c->srv->dirty++;
    notify_key(c, NOTIFY_STREAM, "xgroup-delconsumer", &c->argv[2]);
    reply_ll(c, pending);
}

void cmd_xgroup_help(client *c)
{
    static const char *help[] = {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        NULL,
    };

    reply_help(c, help);
}

/* ---- XACK ---- */

/* The stream at key and its group, for XACK/XCLAIM/XAUTOCLAIM: 0 with
 * both set (NULL when missing), or -1 after replying WRONGTYPE. */
static int lookup_group(client *c, const arg *key, const arg *grp, obj **o,
                        stream_cg **cg)
{
    if (xlookup(c, key, 0, o) != 0) {
        return -1;
    }
    *cg = *o != NULL ? stream_cg_lookup((*o)->ptr, grp->p, grp->n) : NULL;
    return 0;
}

void cmd_xack(client *c)
{
    obj *o;
    stream_cg *cg;

    if (lookup_group(c, &c->argv[1], &c->argv[2], &o, &cg) != 0) {
        return;
    }
    if (cg == NULL) {
        reply_ll(c, 0);
        return;
    }
    /* All IDs parse before any is acknowledged: all or nothing. */
    int n = c->argc - 3;
    stream_id *ids = mem_alloc(sizeof(*ids) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (xparse_id(c, &c->argv[3 + j], &ids[j], 0, 1, NULL) != 0) {
            mem_free(ids);
            return;
        }
    }
    long long acked = 0;
    for (int j = 0; j < n; j++) {
        stream_nack *nack = stree_find(cg->pel, &ids[j]);
        if (nack != NULL) {
            stream_nack_release(cg, &ids[j], nack);
            acked++;
        }
    }
    mem_free(ids);
    c->srv->dirty += acked;
    reply_ll(c, acked);
}

/* ---- XPENDING ---- */

static void xpending_summary(client *c, stream_cg *cg)
{
    stree_iter it;

    reply_array_len(c, 4);
    reply_ll(c, (long long)stree_size(cg->pel));
    if (stree_size(cg->pel) == 0) {
        reply_null(c);
        reply_null(c);
        reply_null_array(c);
        return;
    }
    stree_first(cg->pel, &it);
    reply_stream_id(c, stree_iter_key(&it));
    stree_last(cg->pel, &it);
    reply_stream_id(c, stree_iter_key(&it));
    void *h = reply_defer_len(c);
    long n = 0;
    for (uint32_t i = 0; i < cg->nconsumers; i++) {
        const stream_consumer *cons = cg->consumers[i];
        if (stree_size(cons->pel) == 0) {
            continue;
        }
        reply_array_len(c, 2);
        reply_bulk(c, cons->name, cons->namelen);
        reply_bulk_ll(c, (long long)stree_size(cons->pel));
        n++;
    }
    reply_set_deferred_array(c, h, n);
}

void cmd_xpending(client *c)
{
    const arg *key = &c->argv[1], *grp = &c->argv[2];
    const arg *cname = NULL;
    stream_id start = {0, 0}, end = {0, 0};
    long long count = 0, minidle = 0;
    int sx, ex;

    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc >= 6) {
        int at = 3;
        if (xarg_is(&c->argv[3], "idle")) {
            if (xarg_ll(c, &c->argv[4], &minidle, NULL) != 0) {
                return;
            }
            if (c->argc < 8) {
                reply_error(c, ERR_SYNTAX);
                return;
            }
            at += 2;
        }
        if (xarg_ll(c, &c->argv[at + 2], &count, NULL) != 0) {
            return;
        }
        if (count < 0) {
            count = 0;
        }
        if (xparse_interval(c, &c->argv[at], &start, &sx, 0) != 0) {
            return;
        }
        if (sx && stream_id_incr(&start) != 0) {
            reply_error(c, "invalid start ID for the interval");
            return;
        }
        if (xparse_interval(c, &c->argv[at + 1], &end, &ex, UINT64_MAX)) {
            return;
        }
        if (ex && stream_id_decr(&end) != 0) {
            reply_error(c, "invalid end ID for the interval");
            return;
        }
        if (at + 3 < c->argc) {
            cname = &c->argv[at + 3];
        }
    }
    obj *o;
    stream_cg *cg;
    if (lookup_group(c, key, grp, &o, &cg) != 0) {
        return;
    }
    if (cg == NULL) {
        reply_nogroup_key(c, key, grp);
        return;
    }
    if (c->argc == 3) {
        xpending_summary(c, cg);
        return;
    }
    stree *pel = cg->pel;
    if (cname != NULL) {
        stream_consumer *cons = stream_consumer_lookup(cg, cname->p, cname->n);
        if (cons == NULL) {
            reply_array_len(c, 0);
            return;
        }
        pel = cons->pel;
    }
    long long now = util_mstime();
    void *h = reply_defer_len(c);
    long n = 0;
    stree_iter it;
    for (int ok = stree_seek_ge(pel, &start, 0, &it);
         count > 0 && ok && stream_id_cmp(stree_iter_key(&it), &end) <= 0;
         ok = stree_next(&it)) {
        const stream_nack *nack = stree_iter_val(&it);
        long long idle = now - nack->delivery_time;
        if (minidle != 0 && idle < minidle) {
            continue;
        }
        n++;
        count--;
        reply_array_len(c, 4);
        reply_stream_id(c, stree_iter_key(&it));
        reply_bulk(c, nack->consumer->name, nack->consumer->namelen);
        reply_ll(c, idle < 0 ? 0 : idle);
        reply_ll(c, (long long)nack->delivery_count);
    }
    reply_set_deferred_array(c, h, n);
}

/* ---- XCLAIM / XAUTOCLAIM ---- */

/* Moves nack (pending id) to consumer. */
static void reassign(stream_nack *nack, stream_consumer *consumer,
                     const stream_id *id)
{
    if (nack->consumer == consumer) {
        return;
    }
    if (nack->consumer != NULL) {
        stree_remove(nack->consumer->pel, id);
    }
    stree_insert(consumer->pel, id, nack);
    nack->consumer = consumer;
}

/* An XCLAIM/XAUTOCLAIM effect, as Redis 7.0 propagates it: XCLAIM key
 * group owner 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last. */
static void claim_propagate(client *c, const stream_cg *cg,
                            const stream_id *id, const stream_nack *nack)
{
    char idb[48], lastb[48], tb[24], rb[24];

    if (nack->consumer == NULL) {
        return;
    }
    snprintf(idb, sizeof(idb), "%llu-%llu", (unsigned long long)id->ms,
             (unsigned long long)id->seq);
    snprintf(lastb, sizeof(lastb), "%llu-%llu",
             (unsigned long long)cg->last_id.ms,
             (unsigned long long)cg->last_id.seq);
    arg argv[14] = {
        PARG("XCLAIM"), c->argv[1], c->argv[2],
        {nack->consumer->name, nack->consumer->namelen}, PARG("0"),
        PARG(idb), PARG("TIME"), propagate_num(tb, nack->delivery_time),
        PARG("RETRYCOUNT"),
        propagate_num(rb, (long long)nack->delivery_count), PARG("FORCE"),
        PARG("JUSTID"), PARG("LASTID"), PARG(lastb)};
    propagate_also(c->srv, c->db->id, 14, argv);
}

/* The claiming consumer, looked up (or created) on first use. */
static stream_consumer *claimer(client *c, stream_cg *cg, const arg *name,
                                long long now, int notify)
{
    stream_consumer *cons = stream_consumer_lookup(cg, name->p, name->n);

    if (cons == NULL) {
        cons = stream_consumer_create(cg, name->p, name->n, now);
        c->srv->dirty++;
        /* XCLAIM and XAUTOCLAIM: the key is argv[1]. XAUTOCLAIM replies
         * later and sends this itself, where Redis does. */
        if (notify) {
            notify_key(c, NOTIFY_STREAM, "xgroup-createconsumer",
                       &c->argv[1]);
        }
    } else {
        cons->seen_time = now;
    }
    return cons;
}

/* One claimed entry: its ID, or the entry (a null if it is gone). */
static void reply_claimed(client *c, stream *s, const stream_id *id, int justid)
{
    if (justid) {
        reply_stream_id(c, id);
    } else if (xreply_range(c, s, id, id, 1, 0, NULL, NULL, XR_RAW) == 0) {
        reply_null(c);
    }
}

typedef struct xclaim_opts {
    long long minidle;
    long long retrycount;   /* -1: not given */
    long long deliverytime; /* -1: not given */
    int force;
    int justid;
    stream_id lastid;
} xclaim_opts;

/* XCLAIM's options after the IDs, from argv[j]. 0 or -1 (replied). */
static int xclaim_parse(client *c, int j, long long now, xclaim_opts *x)
{
    for (; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        const arg *o = &c->argv[j];
        if (xarg_is(o, "force")) {
            x->force = 1;
        } else if (xarg_is(o, "justid")) {
            x->justid = 1;
        } else if (xarg_is(o, "idle") && more) {
            j++;
            if (xarg_ll(c, &c->argv[j], &x->deliverytime,
                        "Invalid IDLE option argument for XCLAIM") != 0) {
                return -1;
            }
            x->deliverytime = now - x->deliverytime;
        } else if (xarg_is(o, "time") && more) {
            j++;
            if (xarg_ll(c, &c->argv[j], &x->deliverytime,
                        "Invalid TIME option argument for XCLAIM") != 0) {
                return -1;
            }
        } else if (xarg_is(o, "retrycount") && more) {
            j++;
            if (xarg_ll(c, &c->argv[j], &x->retrycount,
                        "Invalid RETRYCOUNT option argument for XCLAIM")) {
                return -1;
            }
        } else if (xarg_is(o, "lastid") && more) {
            j++;
            if (xparse_id(c, &c->argv[j], &x->lastid, 0, 1, NULL) != 0) {
                return -1;
            }
        } else {
            reply_errorf(c, "Unrecognized XCLAIM option '%.*s'", cstr_len(o),
                         o->p);
            return -1;
        }
    }
    return 0;
}

void cmd_xclaim(client *c)
{
    const arg *key = &c->argv[1], *grp = &c->argv[2], *name = &c->argv[3];
    xclaim_opts x = {0, -1, -1, 0, 0, {0, 0}};
    obj *o;
    stream_cg *cg;

    if (lookup_group(c, key, grp, &o, &cg) != 0) {
        return;
    }
    if (cg == NULL) {
        reply_nogroup_key(c, key, grp);
        return;
    }
    if (xarg_ll(c, &c->argv[4], &x.minidle,
                "Invalid min-idle-time argument for XCLAIM") != 0) {
        return;
    }
    if (x.minidle < 0) {
        x.minidle = 0;
    }
    /* The IDs run up to the first argument that is not one; options
     * follow. */
    stream_id *ids = mem_alloc(sizeof(*ids) * (size_t)(c->argc - 5));
    int nids = 0;
    while (5 + nids < c->argc &&
           xparse_id(NULL, &c->argv[5 + nids], &ids[nids], 0, 1, NULL) == 0) {
        nids++;
    }
    long long now = util_mstime();
    if (xclaim_parse(c, 5 + nids, now, &x) != 0) {
        mem_free(ids);
        return;
    }
    stream *s = o->ptr;
    int move_last = stream_id_cmp(&x.lastid, &cg->last_id) > 0;
    if (move_last) {
        cg->last_id = x.lastid;
    }
    if (x.deliverytime != -1) {
        /* A bogus time means now: clocks of clients drift. */
        if (x.deliverytime < 0 || x.deliverytime > now) {
            x.deliverytime = now;
        }
    } else {
        x.deliverytime = now;
    }
    stream_consumer *cons = NULL;
    void *h = reply_defer_len(c);
    long n = 0;
    for (int j = 0; j < nids; j++) {
        const stream_id *id = &ids[j];
        stream_nack *nack = stree_find(cg->pel, id);
        if (!stream_entry_exists(s, id)) {
            /* Deleted meanwhile: it no longer belongs in any PEL. */
            if (nack != NULL) {
                claim_propagate(c, cg, id, nack);
                stream_nack_release(cg, id, nack);
                move_last = 0;
                c->srv->dirty++;
            }
            continue;
        }
        if (x.force && nack == NULL) {
            nack = stream_nack_create(NULL, now);
            stree_insert(cg->pel, id, nack);
        }
        if (nack == NULL) {
            continue;
        }
        /* A FORCE-made NACK has no owner yet and ignores min-idle-time. */
        if (nack->consumer != NULL && x.minidle != 0 &&
            now - nack->delivery_time < x.minidle) {
            continue;
        }
        if (cons == NULL) {
            cons = claimer(c, cg, name, now, 1);
        }
        reassign(nack, cons, id);
        nack->delivery_time = x.deliverytime;
        if (x.retrycount >= 0) {
            nack->delivery_count = (uint64_t)x.retrycount;
        } else if (!x.justid) {
            nack->delivery_count++;
        }
        reply_claimed(c, s, id, x.justid);
        claim_propagate(c, cg, id, nack);
        n++;
        move_last = 0;
        c->srv->dirty++;
    }
    if (move_last) {
        c->srv->dirty++;
        char lastb[48], rb[24];
        snprintf(lastb, sizeof(lastb), "%llu-%llu",
                 (unsigned long long)cg->last_id.ms,
                 (unsigned long long)cg->last_id.seq);
        propagate_also_argv(c->srv, c->db->id, 7, PARG("XGROUP"),
                            PARG("SETID"), c->argv[1], c->argv[2],
                            PARG(lastb), PARG("ENTRIESREAD"),
                            propagate_num(rb, cg->entries_read));
    }
    propagate_prevent(c); /* the effects above stand for it */
    reply_set_deferred_array(c, h, n);
    mem_free(ids);
}

void cmd_xautoclaim(client *c)
{
    const arg *key = &c->argv[1], *grp = &c->argv[2], *name = &c->argv[3];
    long long minidle, count = XAUTOCLAIM_DEFAULT_COUNT;
    stream_id start;
    int sx, justid = 0;
    obj *o;
    stream_cg *cg;

    if (xarg_ll(c, &c->argv[4], &minidle,
                "Invalid min-idle-time argument for XAUTOCLAIM") != 0) {
        return;
    }
    if (minidle < 0) {
        minidle = 0;
    }
    if (xparse_interval(c, &c->argv[5], &start, &sx, 0) != 0) {
        return;
    }
    if (sx && stream_id_incr(&start) != 0) {
        reply_error(c, "invalid start ID for the interval");
        return;
    }
    for (int j = 6; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (xarg_is(&c->argv[j], "count") && more) {
            long long v;
            if (util_str2ll(c->argv[j + 1].p, c->argv[j + 1].n, &v) != 0 ||
                v < 1 || v > XAUTOCLAIM_MAX_COUNT) {
                reply_error(c, "COUNT must be > 0");
                return;
            }
            count = v;
            j++;
        } else if (xarg_is(&c->argv[j], "justid")) {
            justid = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (lookup_group(c, key, grp, &o, &cg) != 0) {
        return;
    }
    if (cg == NULL) {
        reply_nogroup_key(c, key, grp);
        return;
    }
    if (count > XAUTOCLAIM_MAX_ALLOC) {
        /* redis-server reserves count IDs up front; past the address
         * space that fails, with this error. */
        reply_error(c, "Insufficient memory, failed allocating transient "
                       "memory, COUNT too high.");
        return;
    }
    stream *s = o->ptr;
    long long attempts = count * XAUTOCLAIM_ATTEMPTS_FACTOR;
    long long now = util_mstime();
    stream_consumer *cons = NULL;
    int had_consumer = 1;
    stream_id *claimed = NULL, *gone = NULL;
    size_t nclaimed = 0, ngone = 0, cap_claimed = 0, cap_gone = 0;
    stree_iter it;
    int ok = stree_seek_ge(cg->pel, &start, 0, &it);

    while (attempts-- > 0 && count > 0 && ok) {
        stream_id id = *stree_iter_key(&it);
        stream_nack *nack = stree_iter_val(&it);
        if (!stream_entry_exists(s, &id)) {
            claim_propagate(c, cg, &id, nack);
            stream_nack_release(cg, &id, nack);
            if (ngone == cap_gone) {
                cap_gone = cap_gone ? cap_gone * 2 : 8;
                gone = mem_realloc(gone, cap_gone * sizeof(*gone));
            }
            gone[ngone++] = id;
            count--;
            c->srv->dirty++;
            ok = stree_seek_ge(cg->pel, &id, 0, &it);
            continue;
        }
        if (minidle != 0 && now - nack->delivery_time < minidle) {
            ok = stree_next(&it);
            continue;
        }
        if (cons == NULL) {
            had_consumer = stream_consumer_lookup(cg, name->p, name->n) != NULL;
            cons = claimer(c, cg, name, now, 0);
        }
        reassign(nack, cons, &id);
        nack->delivery_time = now;
        if (!justid) {
            nack->delivery_count++;
        }
        if (nclaimed == cap_claimed) {
            cap_claimed = cap_claimed ? cap_claimed * 2 : 8;
            claimed = mem_realloc(claimed, cap_claimed * sizeof(*claimed));
        }
        claimed[nclaimed++] = id;
        claim_propagate(c, cg, &id, nack);
        count--;
        c->srv->dirty++;
        ok = stree_next(&it);
    }
    propagate_prevent(c); /* the effects above stand for it */
    /* The cursor: where the next call should start, 0-0 when done. */
    stream_id cursor = {0, 0};
    if (ok) {
        cursor = *stree_iter_key(&it);
    }
    reply_array_len(c, 3);
    reply_stream_id(c, &cursor);
    reply_array_len(c, (long)nclaimed);
    if (!had_consumer) {
        /* Where Redis sends it: before the first claimed entry. */
        notify_key(c, NOTIFY_STREAM, "xgroup-createconsumer", key);
    }
    for (size_t i = 0; i < nclaimed; i++) {
        reply_claimed(c, s, &claimed[i], justid);
    }
    reply_array_len(c, (long)ngone);
    for (size_t i = 0; i < ngone; i++) {
        reply_stream_id(c, &gone[i]);
    }
    mem_free(claimed);
    mem_free(gone);
}

/* ---- XINFO ---- */

/* The stream for XINFO: NULL after replying "no such key" or WRONGTYPE. */
static stream *xinfo_stream(client *c)
{
    obj *o;

    if (xlookup(c, &c->argv[2], 0, &o) != 0) {
        return NULL;
    }
    if (o == NULL) {
        reply_error(c, ERR_NO_KEY);
        return NULL;
    }
    return o->ptr;
}

void cmd_xinfo_consumers(client *c)
{
    const arg *grp = &c->argv[3];
    stream *s = xinfo_stream(c);

    if (s == NULL) {
        return;
    }
    stream_cg *cg = stream_cg_lookup(s, grp->p, grp->n);
    if (cg == NULL) {
        reply_errorf(c,
                     "-NOGROUP No such consumer group '%.*s' for key name "
                     "'%.*s'",
                     cstr_len(grp), grp->p, cstr_len(&c->argv[2]),
                     c->argv[2].p);
        return;
    }
    long long now = util_mstime();
    reply_array_len(c, cg->nconsumers);
    for (uint32_t i = 0; i < cg->nconsumers; i++) {
        const stream_consumer *cons = cg->consumers[i];
        long long idle = now - cons->seen_time;
        reply_map_len(c, 3);
        reply_bulk_cstr(c, "name");
        reply_bulk(c, cons->name, cons->namelen);
        reply_bulk_cstr(c, "pending");
        reply_ll(c, (long long)stree_size(cons->pel));
        reply_bulk_cstr(c, "idle");
        reply_ll(c, idle < 0 ? 0 : idle);
    }
}

void cmd_xinfo_groups(client *c)
{
    stream *s = xinfo_stream(c);

    if (s == NULL) {
        return;
    }
    reply_array_len(c, s->ngroups);
    for (uint32_t i = 0; i < s->ngroups; i++) {
        const stream_cg *cg = s->groups[i];
        reply_map_len(c, 6);
        reply_bulk_cstr(c, "name");
        reply_bulk(c, cg->name, cg->namelen);
        reply_bulk_cstr(c, "consumers");
        reply_ll(c, cg->nconsumers);
        reply_bulk_cstr(c, "pending");
        reply_ll(c, (long long)stree_size(cg->pel));
        reply_bulk_cstr(c, "last-delivered-id");
        reply_stream_id(c, &cg->last_id);
        reply_bulk_cstr(c, "entries-read");
        if (cg->entries_read != STREAM_ENTRIES_READ_INVALID) {
            reply_ll(c, cg->entries_read);
        } else {
            reply_null(c);
        }
        reply_bulk_cstr(c, "lag");
        xreply_lag(c, s, cg);
    }
}

/* XINFO STREAM ... FULL: one group, its PEL and consumers, each list cut
 * at count (0: all). */
static void xinfo_full_group(client *c, const stream *s, const stream_cg *cg,
                             long long count)
{
    stree_iter it;
    long n;

    reply_map_len(c, 7);
    reply_bulk_cstr(c, "name");
    reply_bulk(c, cg->name, cg->namelen);
    reply_bulk_cstr(c, "last-delivered-id");
    reply_stream_id(c, &cg->last_id);
    reply_bulk_cstr(c, "entries-read");
    if (cg->entries_read != STREAM_ENTRIES_READ_INVALID) {
        reply_ll(c, cg->entries_read);
    } else {
        reply_null(c);
    }
    reply_bulk_cstr(c, "lag");
    xreply_lag(c, s, cg);
    reply_bulk_cstr(c, "pel-count");
    reply_ll(c, (long long)stree_size(cg->pel));
    reply_bulk_cstr(c, "pending");
    void *h = reply_defer_len(c);
    n = 0;
    for (int ok = stree_first(cg->pel, &it); ok && (!count || n < count);
         ok = stree_next(&it)) {
        const stream_nack *nack = stree_iter_val(&it);
        reply_array_len(c, 4);
        reply_stream_id(c, stree_iter_key(&it));
        reply_bulk(c, nack->consumer->name, nack->consumer->namelen);
        reply_ll(c, nack->delivery_time);
        reply_ll(c, (long long)nack->delivery_count);
        n++;
    }
    reply_set_deferred_array(c, h, n);
    reply_bulk_cstr(c, "consumers");
    reply_array_len(c, cg->nconsumers);
    for (uint32_t i = 0; i < cg->nconsumers; i++) {
        const stream_consumer *cons = cg->consumers[i];
        reply_map_len(c, 4);
        reply_bulk_cstr(c, "name");
        reply_bulk(c, cons->name, cons->namelen);
        reply_bulk_cstr(c, "seen-time");
        reply_ll(c, cons->seen_time);
        reply_bulk_cstr(c, "pel-count");
        reply_ll(c, (long long)stree_size(cons->pel));
        reply_bulk_cstr(c, "pending");
        h = reply_defer_len(c);
        n = 0;
        for (int ok = stree_first(cons->pel, &it); ok && (!count || n < count);
             ok = stree_next(&it)) {
            const stream_nack *nack = stree_iter_val(&it);
            reply_array_len(c, 3);
            reply_stream_id(c, stree_iter_key(&it));
            reply_ll(c, nack->delivery_time);
            reply_ll(c, (long long)nack->delivery_count);
            n++;
        }
        reply_set_deferred_array(c, h, n);
    }
}

void cmd_xinfo_stream(client *c)
{
    long long count = XINFO_FULL_DEFAULT_COUNT;
    int full = 0;
    stream *s = xinfo_stream(c);

    if (s == NULL) {
        return;
    }
    if (c->argc > 3) {
        if (!xarg_is(&c->argv[3], "full") ||
            (c->argc > 4 && (c->argc != 6 || !xarg_is(&c->argv[4], "count")))) {
            reply_sub_syntax(c, "XINFO");
            return;
        }
        if (c->argc == 6) {
            if (xarg_ll(c, &c->argv[5], &count, NULL) != 0) {
                return;
            }
            if (count < 0) {
                count = XINFO_FULL_DEFAULT_COUNT;
            }
        }
        full = 1;
    }
    reply_map_len(c, full ? 9 : 10);
    reply_bulk_cstr(c, "length");
    reply_ll(c, (long long)s->length);
    reply_bulk_cstr(c, "radix-tree-keys");
    reply_ll(c, (long long)stree_size(s->nodes));
    reply_bulk_cstr(c, "radix-tree-nodes");
    reply_ll(c, stream_rax_nodes(s));
    reply_bulk_cstr(c, "last-generated-id");
    reply_stream_id(c, &s->last_id);
    reply_bulk_cstr(c, "max-deleted-entry-id");
    reply_stream_id(c, &s->max_deleted_id);
    reply_bulk_cstr(c, "entries-added");
    reply_ll(c, (long long)s->entries_added);
    reply_bulk_cstr(c, "recorded-first-entry-id");
    reply_stream_id(c, &s->first_id);
    if (!full) {
        reply_bulk_cstr(c, "groups");
        reply_ll(c, s->ngroups);
        reply_bulk_cstr(c, "first-entry");
        if (xreply_range(c, s, NULL, NULL, 1, 0, NULL, NULL, XR_RAW) == 0) {
            reply_null(c);
        }
        reply_bulk_cstr(c, "last-entry");
        if (xreply_range(c, s, NULL, NULL, 1, 1, NULL, NULL, XR_RAW) == 0) {
            reply_null(c);
        }
        return;
    }
    reply_bulk_cstr(c, "entries");
    xreply_range(c, s, NULL, NULL, (size_t)count, 0, NULL, NULL, 0);
    reply_bulk_cstr(c, "groups");
    reply_array_len(c, s->ngroups);
    for (uint32_t i = 0; i < s->ngroups; i++) {
        xinfo_full_group(c, s, s->groups[i], count);
    }
}

void cmd_xinfo_help(client *c)
{
    static const char *help[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        NULL,
    };

    reply_help(c, help);
}
