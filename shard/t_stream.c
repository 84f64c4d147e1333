/* t_stream: the stream type's value functions and entry commands (XADD,
 * XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD, XREADGROUP, XSETID), with
 * redis-server 7.0's replies and errors. Group commands: t_stream_group.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
#include "types.h"
#include "util.h"

/* Entries an XREAD/XREADGROUP woken from BLOCK gets without COUNT. */
#define XREAD_BLOCKED_DEFAULT_COUNT 1000
/* Stream entries are limited by the listpack's size limit. */
#define STREAM_MAX_ENTRY_BYTES (1ULL << 30)

/* ---- values ---- */

void stream_free_value(obj *o)
{
    stream *s = o->ptr;

    stream_destroy(&s);
    o->ptr = NULL;
}

obj *stream_dup_value(const obj *o)
{
    obj *n = obj_create(OBJ_STREAM, stream_dup(o->ptr));

    n->enc = ENC_STREAM;
    return n;
}

static obj *stream_obj_create(void)
{
    obj *o = obj_create(OBJ_STREAM, stream_create());

    o->enc = ENC_STREAM;
    return o;
}

/* ---- helpers shared with t_stream_group.c ---- */

int xarg_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* a is the one character ch, as a C string ("$", ">", "~", "="). */
static int arg_is_char(const arg *a, char ch)
{
    return a->n >= 1 && a->p[0] == ch && (a->n == 1 || a->p[1] == '\0');
}

int xarg_ll(client *c, const arg *a, long long *out, const char *msg)
{
    if (util_str2ll(a->p, a->n, out) != 0) {
        reply_error(c, msg != NULL ? msg : ERR_NOT_INT);
        return -1;
    }
    return 0;
}

/* Redis's string2ull: a strict integer, or failing that whatever strtoull
 * takes whole (so " 7", "+7" and "007" pass, and "-0" too). */
static int parse_u64(const char *s, uint64_t *out)
{
    long long ll;

    if (util_str2ll(s, strlen(s), &ll) == 0) {
        if (ll < 0) {
            return -1;
        }
        *out = (uint64_t)ll;
        return 0;
    }
    if (*s == '\0') {
        return -1;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == EINVAL || errno == ERANGE || *end != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

int xparse_id(client *c, const arg *a, stream_id *id, uint64_t missing_seq,
              int strict, int *seq_given)
{
    char buf[128];
    uint64_t ms, seq;

    if (seq_given != NULL) {
        *seq_given = 1;
    }
    if (a->n > sizeof(buf) - 1) {
        goto invalid;
    }
    /* Parsed as a C string, as Redis does: bytes after a NUL are ignored. */
    memcpy(buf, a->p, a->n);
    buf[a->n] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') {
        goto invalid;
    }
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = id->seq = 0;
        return 0;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        id->ms = id->seq = UINT64_MAX;
        return 0;
    }
    char *dash = strchr(buf, '-');
    if (dash != NULL) {
        *dash = '\0';
    }
    if (parse_u64(buf, &ms) != 0) {
        goto invalid;
    }
    if (dash == NULL) {
        seq = missing_seq;
    } else if (seq_given != NULL && strcmp(dash + 1, "*") == 0) {
        seq = 0;
        *seq_given = 0;
    } else if (parse_u64(dash + 1, &seq) != 0) {
        goto invalid;
    }
    id->ms = ms;
    id->seq = seq;
    return 0;
invalid:
    if (c != NULL) {
        reply_error(c,
                    "Invalid stream ID specified as stream command argument");
    }
    return -1;
}

int xparse_interval(client *c, const arg *a, stream_id *id, int *exclude,
                    uint64_t missing_seq)
{
    if (exclude != NULL) {
        *exclude = 0;
    }
    if (exclude != NULL && a->n > 1 && a->p[0] == '(') {
        arg rest = {a->p + 1, a->n - 1};
        *exclude = 1;
        return xparse_id(c, &rest, id, missing_seq, 1, NULL);
    }
    return xparse_id(c, a, id, missing_seq, 0, NULL);
}

void reply_stream_id(client *c, const stream_id *id)
{
    char buf[48];
    int n = snprintf(buf, sizeof(buf), "%llu-%llu", (unsigned long long)id->ms,
                     (unsigned long long)id->seq);

    reply_bulk(c, buf, (size_t)n);
}

int xlookup(client *c, const arg *key, int write, obj **out)
{
    obj *o = write ? db_lookup_write(c, key) : db_lookup_read(c, key);

    if (o != NULL && o->type != OBJ_STREAM) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    *out = o;
    return 0;
}

/* XREADGROUP with an ID other than ">": the consumer's own pending
 * entries from start, each with its fields, or a null when the entry was
 * deleted meanwhile. Each delivery counts. */
static size_t reply_history(client *c, stream *s, const stream_id *start,
                            const stream_id *end, size_t count,
                            stream_consumer *consumer)
{
    void *h = reply_defer_len(c);
    long long now = util_mstime();
    size_t n = 0;
    stree_iter it;

    for (int ok = stree_seek_ge(consumer->pel, start, 0, &it);
         ok && (count == 0 || n < count); ok = stree_next(&it)) {
        stream_id id = *stree_iter_key(&it);
        if (end != NULL && stream_id_cmp(&id, end) > 0) {
            break;
        }
        stream_nack *nack = stree_iter_val(&it);
        if (xreply_range(c, s, &id, &id, 1, 0, NULL, NULL, XR_RAW) == 0) {
            reply_array_len(c, 2);
            reply_stream_id(c, &id);
            reply_null_array(c);
        } else {
            nack->delivery_time = now;
            nack->delivery_count++;
        }
        n++;
    }
    reply_set_deferred_array(c, h, (long)n);
    return n;
}

/* Entry id was just delivered to consumer: it goes to the group's and
 * the consumer's PEL, taken from whoever had it before. */
static void deliver(stream_cg *group, stream_consumer *consumer,
                    const stream_id *id, long long now)
{
    stream_nack *nack = stree_find(group->pel, id);

    if (nack == NULL) {
        nack = stream_nack_create(consumer, now);
        stree_insert(group->pel, id, nack);
        stree_insert(consumer->pel, id, nack);
        return;
    }
    /* Already pending (XGROUP SETID moved the group back): it restarts
     * with this consumer. */
    if (nack->consumer != NULL) {
        stree_remove(nack->consumer->pel, id);
    }
    nack->consumer = consumer;
    nack->delivery_time = now;
    nack->delivery_count = 1;
    stree_insert(consumer->pel, id, nack);
}

size_t xreply_range(client *c, stream *s, const stream_id *start,
                    const stream_id *end, size_t count, int rev,
                    stream_cg *group, stream_consumer *consumer, int flags)
{
    if (group != NULL && (flags & XR_HISTORY)) {
        return reply_history(c, s, start, end, count, consumer);
    }
    void *h = (flags & XR_RAW) ? NULL : reply_defer_len(c);
    long long now = group != NULL ? util_mstime() : 0;
    stream_iter it;
    stream_id id;
    int64_t nf;
    size_t n = 0;

    stream_iter_start(&it, s, start, end, rev);
    while (stream_iter_next(&it, &id, &nf)) {
        if (group != NULL && stream_id_cmp(&id, &group->last_id) > 0) {
            if (group->entries_read != STREAM_ENTRIES_READ_INVALID &&
                !stream_range_has_tombstones(s, &id, NULL)) {
                group->entries_read++;
            } else if (s->entries_added != 0) {
                group->entries_read = stream_estimate_distance(s, &id);
            }
            group->last_id = id;
        }
        reply_array_len(c, 2);
        reply_stream_id(c, &id);
        reply_array_len(c, (long)nf * 2);
        while (nf-- > 0) {
            const unsigned char *f, *v;
            uint32_t fl, vl;
            stream_iter_field(&it, &f, &fl, &v, &vl);
            reply_bulk(c, f, fl);
            reply_bulk(c, v, vl);
        }
        if (group != NULL && !(flags & XR_NOACK)) {
            deliver(group, consumer, &id, now);
        }
        n++;
        if (count != 0 && n == count) {
            break;
        }
    }
    if (h != NULL) {
        reply_set_deferred_array(c, h, (long)n);
    }
    return n;
}

void xreply_lag(client *c, const stream *s, const stream_cg *cg)
{
    long long read;

    if (s->entries_added == 0) {
        reply_ll(c, 0);
        return;
    }
    if (cg->entries_read != STREAM_ENTRIES_READ_INVALID &&
        !stream_range_has_tombstones(s, &cg->last_id, NULL)) {
        reply_ll(c, (long long)s->entries_added - cg->entries_read);
        return;
    }
    read = stream_estimate_distance(s, &cg->last_id);
    if (read == STREAM_ENTRIES_READ_INVALID) {
        reply_null(c);
    } else {
        reply_ll(c, (long long)s->entries_added - read);
    }
}

/* ---- XADD / XTRIM ---- */

typedef struct trim_args {
    int strategy; /* 0, STREAM_TRIM_MAXLEN or STREAM_TRIM_MINID */
    int approx;
    long long maxlen;
    stream_id minid;
    long long limit;
    int nomkstream;
    int id_given;
    int seq_given;
    stream_id id;
    int trim_arg;  /* index of the MAXLEN/MINID value (propagation) */
} trim_args;

/* Parses XADD's options and ID (xadd) or XTRIM's options. Returns the
 * index of XADD's ID argument (or of the last option), or -1 after
 * replying an error. */
static int parse_add_trim(client *c, trim_args *a, int xadd)
{
    int i, limit_given = 0;

    memset(a, 0, sizeof(*a));
    for (i = 2; i < c->argc; i++) {
        int more = c->argc - 1 - i;
        const arg *o = &c->argv[i];
        if (xadd && arg_is_char(o, '*')) {
            break;
        } else if ((xarg_is(o, "maxlen") || xarg_is(o, "minid")) && more) {
            int minid = xarg_is(o, "minid");
            if (a->strategy != 0) {
                reply_error(c, "syntax error, MAXLEN and MINID options at "
                               "the same time are not compatible");
                return -1;
            }
            a->approx = 0;
            const arg *next = &c->argv[i + 1];
            if (more >= 2 && arg_is_char(next, '~')) {
                a->approx = 1;
                i++;
            } else if (more >= 2 && arg_is_char(next, '=')) {
                i++;
            }
            a->trim_arg = i + 1;
            if (minid) {
                if (xparse_id(c, &c->argv[i + 1], &a->minid, 0, 1, NULL)) {
                    return -1;
                }
                a->strategy = STREAM_TRIM_MINID;
            } else {
                if (xarg_ll(c, &c->argv[i + 1], &a->maxlen, NULL) != 0) {
                    return -1;
                }
                if (a->maxlen < 0) {
                    reply_error(c, "The MAXLEN argument must be >= 0.");
                    return -1;
                }
                a->strategy = STREAM_TRIM_MAXLEN;
            }
            i++;
        } else if (xarg_is(o, "limit") && more) {
            if (xarg_ll(c, &c->argv[i + 1], &a->limit, NULL) != 0) {
                return -1;
            }
            if (a->limit < 0) {
                reply_error(c, "The LIMIT argument must be >= 0.");
                return -1;
            }
            limit_given = 1;
            i++;
        } else if (xadd && xarg_is(o, "nomkstream")) {
            a->nomkstream = 1;
        } else if (xadd) {
            if (xparse_id(c, o, &a->id, 0, 1, &a->seq_given) != 0) {
                return -1;
            }
            a->id_given = 1;
            break;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (a->limit != 0 && a->strategy == 0) {
        reply_error(c, "syntax error, LIMIT cannot be used without specifying "
                       "a trimming strategy");
        return -1;
    }
    if (!xadd && a->strategy == 0) {
        reply_error(c, "syntax error, XTRIM must be called with a trimming "
                       "strategy");
        return -1;
    }
    if (limit_given && !a->approx && c->srv->loading) {
        /* An approximate trim propagated as its exact result ("= n")
         * keeps its LIMIT (as Redis 7.0 writes it): exact means no limit. */
        a->limit = 0;
    } else if (limit_given) {
        if (!a->approx) {
            reply_error(c, "syntax error, LIMIT cannot be used without the "
                           "special ~ option");
            return -1;
        }
    } else if (a->approx) {
        /* Bound the work of an approximate trim, as Redis does. */
        a->limit = 100 * c->srv->cfg.stream_node_max_entries;
        if (a->limit <= 0 || a->limit > 1000000) {
            a->limit = 10000;
        }
    } else {
        a->limit = 0;
    }
    return i;
}

/* Effects, as Redis 7.0: the ID generated for "*" or "ms-*" (at idpos,
 * -1: none), and an approximate trim ("~") as the exact one it did
 * ("= <length>" or "= <first id>"), so a replay trims the same. */
static void xadd_trim_propagate(client *c, const trim_args *a,
                                const stream *s, int idpos,
                                const stream_id *id)
{
    char idbuf[48], trimbuf[48];

    if (idpos < 0 && !a->approx) {
        return;
    }
    arg *argv = mem_alloc(sizeof(arg) * (size_t)c->argc);
    memcpy(argv, c->argv, sizeof(arg) * (size_t)c->argc);
    if (idpos >= 0) {
        argv[idpos].p = idbuf;
        argv[idpos].n = (size_t)snprintf(idbuf, sizeof(idbuf), "%llu-%llu",
                                         (unsigned long long)id->ms,
                                         (unsigned long long)id->seq);
    }
    if (a->approx && a->trim_arg > 0) {
        argv[a->trim_arg - 1].p = "=";
        argv[a->trim_arg - 1].n = 1;
        argv[a->trim_arg].p = trimbuf;
        if (a->strategy == STREAM_TRIM_MAXLEN) {
            argv[a->trim_arg].n = (size_t)snprintf(
                trimbuf, sizeof(trimbuf), "%llu",
                (unsigned long long)s->length);
        } else {
            argv[a->trim_arg].n = (size_t)snprintf(
                trimbuf, sizeof(trimbuf), "%llu-%llu",
                (unsigned long long)s->first_id.ms,
                (unsigned long long)s->first_id.seq);
        }
    }
    propagate_replace(c, c->argc, argv);
    mem_free(argv);
}

/* The ID "*" stands for: now in ms, or one after the last ID. */
static void next_auto_id(const stream_id *last, stream_id *id)
{
    uint64_t ms = (uint64_t)util_mstime();

    if (ms > last->ms) {
        id->ms = ms;
        id->seq = 0;
    } else {
        *id = *last;
        stream_id_incr(id);
    }
}

void cmd_xadd(client *c)
{
    trim_args a;
    const arg *key = &c->argv[1];
    int i = parse_add_trim(c, &a, 1);

    if (i < 0) {
        return;
    }
    int fpos = i + 1, nargs = c->argc - fpos;
    if (nargs < 2 || nargs % 2 == 1) {
        reply_errorf(c, "wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        reply_error(c, "The ID specified in XADD must be greater than 0-0");
        return;
    }
    obj *o;
    if (xlookup(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        if (a.nomkstream) {
            reply_null(c);
            return;
        }
        o = stream_obj_create();
        db_add(c->db, key->p, key->n, o);
    }
    stream *s = o->ptr;
    if (stream_id_is_max(&s->last_id)) {
        reply_error(c, "The stream has exhausted the last possible ID, "
                       "unable to add more items");
        return;
    }
    stream_id id;
    if (!a.id_given) {
        next_auto_id(&s->last_id, &id);
    } else if (a.seq_given || s->last_id.ms != a.id.ms) {
        id = a.id;
    } else if (s->last_id.seq == UINT64_MAX) {
        /* "ms-*" with no sequence left: redis-server 7.0 says this. */
        reply_error(c, "Elements are too large to be stored");
        return;
    } else {
        id = s->last_id;
        id.seq++;
    }
    if (stream_id_cmp(&id, &s->last_id) <= 0) {
        reply_error(c, "The ID specified in XADD is equal or smaller than "
                       "the target stream top item");
        return;
    }
    size_t nfields = (size_t)nargs / 2, total = 0;
    stream_bytes stack[32];
    stream_bytes *fv =
        nargs <= 32 ? stack : mem_alloc(sizeof(*fv) * (size_t)nargs);
    for (int j = 0; j < nargs; j++) {
        fv[j].p = c->argv[fpos + j].p;
        fv[j].n = c->argv[fpos + j].n;
        total += fv[j].n;
    }
    if (total > STREAM_MAX_ENTRY_BYTES) {
        reply_error(c, "Elements are too large to be stored");
    } else {
        stream_append(s, &id, fv, nfields, c->srv->cfg.stream_node_max_bytes,
                      c->srv->cfg.stream_node_max_entries);
        reply_stream_id(c, &id);
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_STREAM, "xadd", key);
        c->srv->dirty++;
        if (a.strategy != 0 &&
            stream_trim(s, a.strategy, a.maxlen, &a.minid, a.approx,
                        a.limit) > 0) {
            notify_key(c, NOTIFY_STREAM, "xtrim", key);
        }
        xadd_trim_propagate(c, &a, s, a.id_given && a.seq_given ? -1 : i,
                            &id);
        blocking_signal_key_ready(c->db, key->p, key->n, OBJ_STREAM);
    }
    if (fv != stack) {
        mem_free(fv);
    }
}

void cmd_xtrim(client *c)
{
    const arg *key = &c->argv[1];
    trim_args a;
    obj *o;

    if (parse_add_trim(c, &a, 0) < 0 || xlookup(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    long long n =
        stream_trim(o->ptr, a.strategy, a.maxlen, &a.minid, a.approx, a.limit);
    if (n > 0) {
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_STREAM, "xtrim", key);
        c->srv->dirty += n;
        xadd_trim_propagate(c, &a, o->ptr, -1, NULL);
    }
    reply_ll(c, n);
}

/* ---- XLEN, XRANGE, XREVRANGE, XDEL ---- */

void cmd_xlen(client *c)
{
    obj *o;

    if (xlookup(c, &c->argv[1], 0, &o) != 0) {
        return;
    }
    reply_ll(c, o != NULL ? (long long)((stream *)o->ptr)->length : 0);
}

static void xrange_generic(client *c, int rev)
{
    const arg *sa = &c->argv[rev ? 3 : 2], *ea = &c->argv[rev ? 2 : 3];
    stream_id start, end;
    int sx, ex;
    long long count = -1;
    obj *o;

    if (xparse_interval(c, sa, &start, &sx, 0) != 0) {
        return;
    }
    if (sx && stream_id_incr(&start) != 0) {
        reply_error(c, "invalid start ID for the interval");
        return;
    }
    if (xparse_interval(c, ea, &end, &ex, UINT64_MAX) != 0) {
        return;
    }
    if (ex && stream_id_decr(&end) != 0) {
        reply_error(c, "invalid end ID for the interval");
        return;
    }
    for (int j = 4; j < c->argc; j++) {
        if (xarg_is(&c->argv[j], "count") && c->argc - j - 1 >= 1) {
            if (xarg_ll(c, &c->argv[j + 1], &count, NULL) != 0) {
                return;
            }
            if (count < 0) {
                count = 0;
            }
            j++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (xlookup(c, &c->argv[1], 0, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_array_len(c, 0);
    } else if (count == 0) {
        reply_null_array(c);
    } else {
        xreply_range(c, o->ptr, &start, &end, count == -1 ? 0 : (size_t)count,
                     rev, NULL, NULL, 0);
    }
}

void cmd_xrange(client *c)
{
    xrange_generic(c, 0);
}

void cmd_xrevrange(client *c)
{
    xrange_generic(c, 1);
}

/* Parses IDs argv[from..argc) (strict). Returns an array to free with
 * mem_free, or NULL after replying the error. */
static stream_id *parse_ids(client *c, int from)
{
    stream_id *ids = mem_alloc(sizeof(*ids) * (size_t)(c->argc - from));

    for (int j = from; j < c->argc; j++) {
        if (xparse_id(c, &c->argv[j], &ids[j - from], 0, 1, NULL) != 0) {
            mem_free(ids);
            return NULL;
        }
    }
    return ids;
}

void cmd_xdel(client *c)
{
    const arg *key = &c->argv[1];
    obj *o;

    if (xlookup(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    stream *s = o->ptr;
    stream_id *ids = parse_ids(c, 2);
    if (ids == NULL) {
        return;
    }
    long long deleted = 0;
    for (int j = 0; j < c->argc - 2; j++) {
        deleted += stream_delete(s, &ids[j]);
    }
    mem_free(ids);
    if (deleted > 0) {
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_STREAM, "xdel", key);
        c->srv->dirty += deleted;
    }
    reply_ll(c, deleted);
}

/* ---- XSETID ---- */

void cmd_xsetid(client *c)
{
    stream_id id, max_xdel = {0, 0};
    long long entries_added = -1;
    obj *o;

    if (xparse_id(c, &c->argv[2], &id, 0, 1, NULL) != 0) {
        return;
    }
    for (int i = 3; i < c->argc; i += 2) {
        int more = c->argc - 1 - i;
        if (xarg_is(&c->argv[i], "entriesadded") && more) {
            if (xarg_ll(c, &c->argv[i + 1], &entries_added, NULL) != 0) {
                return;
            }
            if (entries_added < 0) {
                reply_error(c, "entries_added must be positive");
                return;
            }
        } else if (xarg_is(&c->argv[i], "maxdeletedid") && more) {
            if (xparse_id(c, &c->argv[i + 1], &max_xdel, 0, 1, NULL) != 0) {
                return;
            }
            if (stream_id_cmp(&id, &max_xdel) < 0) {
                reply_error(c, "The ID specified in XSETID is smaller than "
                               "the provided max_deleted_entry_id");
                return;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (xlookup(c, &c->argv[1], 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_error(c, ERR_NO_KEY);
        return;
    }
    stream *s = o->ptr;
    if (s->length > 0) {
        stream_id top;
        stream_last_valid_id(s, &top);
        if (stream_id_cmp(&id, &top) < 0) {
            reply_error(c, "The ID specified in XSETID is smaller than the "
                           "target stream top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            reply_error(c, "The entries_added specified in XSETID is smaller "
                           "than the target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1) {
        s->entries_added = (uint64_t)entries_added;
    }
    if (max_xdel.ms != 0 || max_xdel.seq != 0) {
        s->max_deleted_id = max_xdel;
    }
    c->srv->dirty++;
    reply_ok(c);
    notify_key(c, NOTIFY_STREAM, "xsetid", &c->argv[1]);
}

/* ---- XREAD / XREADGROUP ---- */

typedef struct xread_req {
    int group_mode;
    int block;
    long long deadline;
    long long count;
    int noack;
    int streams_arg; /* index of the first key */
    int nstreams;
    const arg *group;
    const arg *consumer;
} xread_req;

/* What a blocked XREAD remembers: the IDs its "$"s resolved to. */
typedef struct xread_ids {
    int n;
    stream_id ids[];
} xread_ids;

/* Bytes of a as Redis's "%s" of it prints them: up to the first NUL. */
static int cstr_len(const arg *a)
{
    const char *nul = memchr(a->p, '\0', a->n);

    return (int)(nul != NULL ? (size_t)(nul - a->p) : a->n);
}

static int parse_xread(client *c, xread_req *r, int group_mode)
{
    memset(r, 0, sizeof(*r));
    r->group_mode = group_mode;
    for (int i = 1; i < c->argc; i++) {
        int more = c->argc - i - 1;
        const arg *o = &c->argv[i];
        if (xarg_is(o, "block") && more) {
            /* From a script (script.c's fake client), as Redis. */
            if (c->flags & CF_SCRIPT_CAPTURE) {
                reply_errorf(c, "%.*s command is not allowed with BLOCK "
                                "option from scripts",
                             (int)c->argv[0].n, c->argv[0].p);
                return -1;
            }
            i++;
            if (blocking_parse_timeout(c, &c->argv[i], BLOCK_UNIT_MS,
                                       &r->deadline) != 0) {
                return -1;
            }
            r->block = 1;
        } else if (xarg_is(o, "count") && more) {
            i++;
            if (xarg_ll(c, &c->argv[i], &r->count, NULL) != 0) {
                return -1;
            }
            if (r->count < 0) {
                r->count = 0;
            }
        } else if (xarg_is(o, "streams") && more) {
            r->streams_arg = i + 1;
            r->nstreams = c->argc - r->streams_arg;
            if (r->nstreams % 2 != 0) {
                reply_error(c, "Unbalanced XREAD list of streams: for each "
                               "stream key an ID or '$' must be specified.");
                return -1;
            }
            r->nstreams /= 2;
            break;
        } else if (xarg_is(o, "group") && more >= 2) {
            if (!r->group_mode) {
                reply_error(c, "The GROUP option is only supported by "
                               "XREADGROUP. You called XREAD instead.");
                return -1;
            }
            r->group = &c->argv[i + 1];
            r->consumer = &c->argv[i + 2];
            i += 2;
        } else if (xarg_is(o, "noack")) {
            if (!r->group_mode) {
                reply_error(c, "The NOACK option is only supported by "
                               "XREADGROUP. You called XREAD instead.");
                return -1;
            }
            r->noack = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (r->streams_arg == 0) {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    if (r->group_mode && r->group == NULL) {
        reply_error(c, "Missing GROUP option for XREADGROUP");
        return -1;
    }
    return 0;
}

/* The consumer named in the request, created (seen now) if new. */
static stream_consumer *xread_consumer(client *c, const xread_req *r,
                                       stream_cg *group, long long now,
                                       const arg *key)
{
    stream_consumer *cons =
        stream_consumer_lookup(group, r->consumer->p, r->consumer->n);

    if (cons == NULL) {
        cons =
            stream_consumer_create(group, r->consumer->p, r->consumer->n, now);
        c->srv->dirty++;
        notify_key(c, NOTIFY_STREAM, "xgroup-createconsumer", key);
    }
    cons->seen_time = now;
    return cons;
}

/* A blocked request run again because key woke it: serve that key alone
 * (as Redis does), or wait on. */
static void xread_woken(client *c, const xread_req *r, const arg *key)
{
    const arg *keys = &c->argv[r->streams_arg];
    obj *o = db_lookup_notouch(c, key);
    int k = 0;

    while (k < r->nstreams - 1 &&
           (keys[k].n != key->n || memcmp(keys[k].p, key->p, key->n) != 0)) {
        k++;
    }
    if (o == NULL || o->type != OBJ_STREAM) {
        if (r->group_mode) {
            reply_error(c, "-UNBLOCKED the stream key no longer exists");
            return;
        }
        blocking_block(c, keys, r->nstreams, r->deadline, OBJ_STREAM);
        return;
    }
    stream *s = o->ptr;
    stream_cg *group = NULL;
    stream_id gt;
    if (r->group_mode) {
        group = stream_cg_lookup(s, r->group->p, r->group->n);
        if (group == NULL) {
            reply_error(c, "-NOGROUP the consumer group this client was "
                           "blocked on no longer exists");
            return;
        }
        gt = group->last_id;
    } else {
        const xread_ids *saved = blocking_priv(c);
        gt = saved->ids[k];
    }
    if (stream_id_cmp(&s->last_id, &gt) <= 0) {
        blocking_block(c, keys, r->nstreams, r->deadline, OBJ_STREAM);
        return;
    }
    long long now = util_mstime();
    stream_consumer *cons = NULL;
    if (group != NULL) {
        cons = xread_consumer(c, r, group, now, key);
    }
    stream_id start = gt;
    stream_id_incr(&start);
    if (c->resp == 2) {
        reply_array_len(c, 1);
        reply_array_len(c, 2);
    } else {
        reply_map_len(c, 1);
    }
    reply_bulk(c, key->p, key->n);
    xreply_range(c, s, &start, NULL,
                 r->count != 0 ? (size_t)r->count : XREAD_BLOCKED_DEFAULT_COUNT,
                 0, group, cons, r->noack ? XR_NOACK : 0);
}

/* Resolves each stream's ID ("$", ">", or an ID) and group. Returns 0, or
 * -1 after replying an error. */
static int xread_resolve(client *c, const xread_req *r, stream_id *ids,
                         stream_cg **groups)
{
    for (int k = 0; k < r->nstreams; k++) {
        const arg *key = &c->argv[r->streams_arg + k];
        const arg *ida = &c->argv[r->streams_arg + r->nstreams + k];
        obj *o;
        if (xlookup(c, key, 0, &o) != 0) {
            return -1;
        }
        if (r->group_mode) {
            stream_cg *g =
                o != NULL ? stream_cg_lookup(o->ptr, r->group->p, r->group->n)
                          : NULL;
            if (g == NULL) {
                reply_errorf(c,
                             "-NOGROUP No such key '%.*s' or consumer "
                             "group '%.*s' in XREADGROUP with GROUP "
                             "option",
                             cstr_len(key), key->p, cstr_len(r->group),
                             r->group->p);
                return -1;
            }
            groups[k] = g;
        }
        if (arg_is_char(ida, '$')) {
            if (r->group_mode) {
                reply_error(c, "The $ ID is meaningless in the context of "
                               "XREADGROUP: you want to read the history of "
                               "this consumer by specifying a proper ID, or "
                               "use the > ID to get new messages. The $ ID "
                               "would just return an empty result set.");
                return -1;
            }
            if (o != NULL) {
                ids[k] = ((stream *)o->ptr)->last_id;
            } else {
                ids[k].ms = ids[k].seq = 0;
            }
        } else if (arg_is_char(ida, '>')) {
            if (!r->group_mode) {
                reply_error(c, "The > ID can be specified only when calling "
                               "XREADGROUP using the GROUP <group> "
                               "<consumer> option.");
                return -1;
            }
            ids[k].ms = ids[k].seq = UINT64_MAX;
        } else if (xparse_id(c, ida, &ids[k], 0, 1, NULL) != 0) {
            return -1;
        }
    }
    return 0;
}

/* XREADGROUP's effects, as Redis 7.0 propagates them: each entry handed
 * to the consumer as XCLAIM key group consumer 0 id TIME t RETRYCOUNT n
 * FORCE JUSTID LASTID id (the entries are read again from start); with
 * NOACK, the group's new position as XGROUP SETID ... ENTRIESREAD. */
static void xread_propagate(client *c, const arg *key, stream *s,
                            stream_cg *g, stream_consumer *cons,
                            const stream_id *start, size_t n, int noack)
{
    char idb[48], lastb[48], tb[24], rb[24];
    arg group = {g->name, g->namelen};

    if (noack) {
        snprintf(lastb, sizeof(lastb), "%llu-%llu",
                 (unsigned long long)g->last_id.ms,
                 (unsigned long long)g->last_id.seq);
        propagate_also_argv(c->srv, c->db->id, 7, PARG("XGROUP"),
                            PARG("SETID"), *key, group, PARG(lastb),
                            PARG("ENTRIESREAD"),
                            propagate_num(rb, g->entries_read));
        return;
    }
    stream_iter it;
    stream_id id;
    int64_t nf;
    stream_iter_start(&it, s, start, NULL, 0);
    while (n-- > 0 && stream_iter_next(&it, &id, &nf)) {
        stream_nack *nack = stree_find(g->pel, &id);
        if (nack == NULL) {
            continue;
        }
        snprintf(idb, sizeof(idb), "%llu-%llu", (unsigned long long)id.ms,
                 (unsigned long long)id.seq);
        arg argv[14] = {
            PARG("XCLAIM"), *key, group, {cons->name, cons->namelen},
            PARG("0"), PARG(idb), PARG("TIME"),
            propagate_num(tb, nack->delivery_time), PARG("RETRYCOUNT"),
            propagate_num(rb, (long long)nack->delivery_count),
            PARG("FORCE"), PARG("JUSTID"), PARG("LASTID"), PARG(idb)};
        propagate_also(c->srv, c->db->id, 14, argv);
    }
}

/* Serves every stream that has something now. Returns how many. */
static long xread_serve(client *c, const xread_req *r, const stream_id *ids,
                        stream_cg **groups)
{
    void *h = NULL;
    long served = 0;
    long long now = util_mstime();
    int any_history = 0;

    for (int k = 0; k < r->nstreams; k++) {
        const arg *key = &c->argv[r->streams_arg + k];
        obj *o = db_lookup_read(c, key);
        if (o == NULL) {
            continue;
        }
        stream *s = o->ptr;
        stream_id gt = ids[k], top;
        int serve = 0, history = 0;
        if (groups != NULL) {
            if (!stream_id_is_max(&gt)) {
                serve = history = 1;
            } else if (s->length > 0) {
                stream_last_valid_id(s, &top);
                if (stream_id_cmp(&top, &groups[k]->last_id) > 0) {
                    serve = 1;
                    gt = groups[k]->last_id;
                }
            }
        } else if (s->length > 0) {
            stream_last_valid_id(s, &top);
            serve = stream_id_cmp(&top, &gt) > 0;
        }
        if (!serve) {
            continue;
        }
        if (served++ == 0) {
            h = reply_defer_len(c);
        }
        stream_id start = gt;
        stream_id_incr(&start);
        if (c->resp == 2) {
            reply_array_len(c, 2);
        }
        reply_bulk(c, key->p, key->n);
        stream_consumer *cons = NULL;
        if (groups != NULL) {
            cons = xread_consumer(c, r, groups[k], now, key);
        }
        int flags = (r->noack ? XR_NOACK : 0) | (history ? XR_HISTORY : 0);
        size_t got = xreply_range(c, s, &start, NULL, (size_t)r->count, 0,
                                  groups != NULL ? groups[k] : NULL, cons,
                                  flags);
        if (groups != NULL && !history) {
            xread_propagate(c, key, s, groups[k], cons, &start, got,
                            r->noack);
        } else if (groups != NULL) {
            any_history = 1;
        }
        if (groups != NULL) {
            c->srv->dirty++;
        }
    }
    if (groups != NULL) {
        /* Its effects went out above; history reads (an explicit ID)
         * propagate nothing, as in Redis 7.0. */
        (void)any_history;
        propagate_prevent(c);
    }
    if (served > 0) {
        if (c->resp == 2) {
            reply_set_deferred_array(c, h, served);
        } else {
            reply_set_deferred_map(c, h, served);
        }
    }
    return served;
}

static void xread_generic(client *c, int group_mode)
{
    xread_req r;
    arg woke;

    if (parse_xread(c, &r, group_mode) != 0) {
        return;
    }
    if (blocking_served_key(c, &woke)) {
        xread_woken(c, &r, &woke);
        return;
    }
    stream_id *ids = mem_alloc(sizeof(*ids) * (size_t)r.nstreams);
    stream_cg **groups =
        r.group_mode ? mem_alloc(sizeof(*groups) * (size_t)r.nstreams) : NULL;
    if (xread_resolve(c, &r, ids, groups) != 0 ||
        xread_serve(c, &r, ids, groups) > 0) {
        goto done;
    }
    if (!r.block || !blocking_allowed(c)) {
        /* Nothing now and no waiting: the timeout reply, even for BLOCK
         * inside MULTI. */
        reply_null_array(c);
        goto done;
    }
    blocking_block(c, &c->argv[r.streams_arg], r.nstreams, r.deadline,
                   OBJ_STREAM);
    if (!r.group_mode) {
        xread_ids *saved =
            mem_alloc(sizeof(*saved) + sizeof(stream_id) * (size_t)r.nstreams);
        saved->n = r.nstreams;
        memcpy(saved->ids, ids, sizeof(stream_id) * (size_t)r.nstreams);
        blocking_set_priv(c, saved, mem_free);
    }
done:
    mem_free(ids);
    mem_free(groups);
}

void cmd_xread(client *c)
{
    xread_generic(c, 0);
}

void cmd_xreadgroup(client *c)
{
    xread_generic(c, 1);
}
