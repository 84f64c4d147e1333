/* t_list: the list type on quicklist values (LPUSH ... LMPOP) and its
 * blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) on blocking.c.
 * Replies, errors and encodings follow redis-server 7.0. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "cmd.h"
#include "db.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "quicklist.h"
#include "reply.h"
#include "types.h"
#include "util.h"

/* ---- values ---- */

static obj *list_create(server *srv)
{
    obj *o = obj_create(OBJ_LIST, ql_create(srv->cfg.list_max_listpack_size,
                                            srv->cfg.list_compress_depth));

    o->enc = ENC_QUICKLIST;
    return o;
}

void list_free_value(obj *o)
{
    ql *q = o->ptr;

    ql_destroy(&q);
    o->ptr = NULL;
}

obj *list_dup_value(const obj *o)
{
    obj *copy = obj_create(OBJ_LIST, ql_dup(o->ptr));

    copy->enc = ENC_QUICKLIST;
    return copy;
}

/* An element handed out by the quicklist, as a bulk reply. */
static void reply_val(client *c, const ql_val *v)
{
    if (v->s != NULL) {
        reply_bulk(c, v->s, v->slen);
    } else {
        reply_bulk_ll(c, v->v);
    }
}

/* A copy of an element that outlives changes to its list: points into buf
 * (LONG_STR_SIZE bytes) for integers, else into *heap (caller frees). */
static const char *val_copy(const ql_val *v, char *buf, char **heap,
                            size_t *len)
{
    *heap = NULL;
    if (v->s == NULL) {
        *len = (size_t)util_ll2str(buf, LONG_STR_SIZE, v->v);
        return buf;
    }
    *heap = mem_alloc(v->slen > 0 ? v->slen : 1);
    memcpy(*heap, v->s, v->slen);
    *len = v->slen;
    return *heap;
}

/* ---- argument helpers ---- */

static int arg_is(const arg *a, const char *word)
{
    return a->n == strlen(word) && strncasecmp(a->p, word, a->n) == 0;
}

/* An integer argument; on failure replies msg (or the generic text). */
static int get_ll(client *c, const arg *a, long long *out, const char *msg)
{
    if (util_str2ll(a->p, a->n, out) != 0) {
        reply_error(c, msg != NULL ? msg : ERR_NOT_INT);
        return -1;
    }
    return 0;
}

/* LEFT / RIGHT. */
static int get_where(client *c, const arg *a, int *where)
{
    if (arg_is(a, "left")) {
        *where = QL_HEAD;
    } else if (arg_is(a, "right")) {
        *where = QL_TAIL;
    } else {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    return 0;
}

/* The list at key (NULL if none): returns 0, or -1 after replying
 * WRONGTYPE. Writers look up without touching hit/miss statistics. */
static int lookup_list(client *c, const arg *key, int write, obj **out)
{
    obj *o = write ? db_lookup_write(c, key) : db_lookup_read(c, key);

    if (o != NULL && o->type != OBJ_LIST) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    *out = o;
    return 0;
}

/* After n elements left the list at key: drop the key if it is empty
 * (o is freed then), signal the change, count it. */
static void list_removed(client *c, const arg *key, obj *o, long long n)
{
    /* The caller sent its own event (lpop, lrem...): "del" comes after. */
    if (ql_count(o->ptr) == 0) {
        db_delete(c->db, key->p, key->n);
        notify_key(c, NOTIFY_GENERIC, "del", key);
    }
    db_signal_modified(c, c->db, key->p, key->n);
    c->srv->dirty += n;
}

/* ---- push ---- */

static const char *pop_event(int where)
{
    return where == QL_HEAD ? "lpop" : "rpop";
}

static const char *push_event(int where)
{
    return where == QL_HEAD ? "lpush" : "rpush";
}

static void push_generic(client *c, int where, int only_existing)
{
    const arg *key = &c->argv[1];
    obj *o;

    if (lookup_list(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        if (only_existing) {
            reply_ll(c, 0);
            return;
        }
        o = list_create(c->srv);
        db_add(c->db, key->p, key->n, o);
    }
    for (int j = 2; j < c->argc; j++) {
        ql_push(o->ptr, c->argv[j].p, c->argv[j].n, where);
    }
    reply_ll(c, (long long)ql_count(o->ptr));
    db_signal_modified(c, c->db, key->p, key->n);
    notify_key(c, NOTIFY_LIST, push_event(where), key);
    c->srv->dirty += c->argc - 2;
}

void cmd_lpush(client *c)
{
    push_generic(c, QL_HEAD, 0);
}

void cmd_rpush(client *c)
{
    push_generic(c, QL_TAIL, 0);
}

void cmd_lpushx(client *c)
{
    push_generic(c, QL_HEAD, 1);
}

void cmd_rpushx(client *c)
{
    push_generic(c, QL_TAIL, 1);
}

/* ---- pop ---- */

/* Pops n elements (at most the length) from one end of the list o,
 * replying each in pop order (the caller replied any array header). */
static void pop_and_reply(client *c, obj *o, int where, long long n)
{
    ql_val v;

    for (long long i = 0; i < n; i++) {
        ql_peek(o->ptr, where, &v);
        reply_val(c, &v);
        ql_pop(o->ptr, where);
    }
}

/* [LR]POP with COUNT in a nested array: key, then the elements. */
static void pop_range_with_key(client *c, const arg *key, obj *o, int where,
                               long long count)
{
    long long len = (long long)ql_count(o->ptr);
    long long n = count < len ? count : len;

    reply_array_len(c, 2);
    reply_bulk(c, key->p, key->n);
    reply_array_len(c, n);
    pop_and_reply(c, o, where, n);
    notify_key(c, NOTIFY_LIST, pop_event(where), key);
    list_removed(c, key, o, n);
}

static void pop_generic(client *c, int where)
{
    const arg *key = &c->argv[1];
    long long count = 0;
    int has_count = c->argc == 3;
    obj *o;

    if (c->argc > 3) {
        reply_errorf(c, "wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    if (has_count &&
        (util_str2ll(c->argv[2].p, c->argv[2].n, &count) != 0 || count < 0)) {
        reply_error(c, "value is out of range, must be positive");
        return;
    }
    if (lookup_list(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        if (has_count) {
            reply_null_array(c);
        } else {
            reply_null(c);
        }
        return;
    }
    if (has_count && count == 0) {
        reply_array_len(c, 0);
        return;
    }
    long long n = 1;
    if (has_count) {
        long long len = (long long)ql_count(o->ptr);
        n = count < len ? count : len;
        reply_array_len(c, n);
    }
    pop_and_reply(c, o, where, n);
    notify_key(c, NOTIFY_LIST, pop_event(where), key);
    list_removed(c, key, o, n);
}

void cmd_lpop(client *c)
{
    pop_generic(c, QL_HEAD);
}

void cmd_rpop(client *c)
{
    pop_generic(c, QL_TAIL);
}

/* ---- reading ---- */

void cmd_llen(client *c)
{
    obj *o;

    if (lookup_list(c, &c->argv[1], 0, &o) != 0) {
        return;
    }
    reply_ll(c, o != NULL ? (long long)ql_count(o->ptr) : 0);
}

void cmd_lindex(client *c)
{
    obj *o;
    long long idx;
    ql_iter it;
    ql_entry e;

    if (lookup_list(c, &c->argv[1], 0, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (get_ll(c, &c->argv[2], &idx, NULL) != 0) {
        return;
    }
    if (ql_iter_at(&it, o->ptr, idx, &e) == 0) {
        reply_val(c, &e.val);
    } else {
        reply_null(c);
    }
    ql_iter_deinit(&it);
}

/* Clamps start..end (negative: from the end) to a list of len elements.
 * Returns the number of elements in range (0: empty). */
static long long clamp_range(long long len, long long *start, long long *end)
{
    if (*start < 0) {
        *start += len;
    }
    if (*end < 0) {
        *end += len;
    }
    if (*start < 0) {
        *start = 0;
    }
    if (*start > *end || *start >= len) {
        return 0;
    }
    if (*end >= len) {
        *end = len - 1;
    }
    return *end - *start + 1;
}

void cmd_lrange(client *c)
{
    long long start, end;
    obj *o;
    ql_iter it;
    ql_entry e;

    if (get_ll(c, &c->argv[2], &start, NULL) != 0 ||
        get_ll(c, &c->argv[3], &end, NULL) != 0 ||
        lookup_list(c, &c->argv[1], 0, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_array_len(c, 0);
        return;
    }
    long long n = clamp_range((long long)ql_count(o->ptr), &start, &end);
    reply_array_len(c, n);
    if (n == 0) {
        return;
    }
    ql_iter_init_at(&it, o->ptr, QL_HEAD, start);
    while (n-- > 0 && ql_iter_next(&it, &e)) {
        reply_val(c, &e.val);
    }
    ql_iter_deinit(&it);
}

void cmd_lpos(client *c)
{
    const arg *ele = &c->argv[2];
    long long rank = 1, count = -1, maxlen = 0;
    obj *o;

    for (int j = 3; j < c->argc; j++) {
        const arg *opt = &c->argv[j];
        int more = j + 1 < c->argc;
        if (arg_is(opt, "rank") && more) {
            if (get_ll(c, &c->argv[++j], &rank, NULL) != 0) {
                return;
            }
            if (rank == 0) {
                reply_error(c, "RANK can't be zero: use 1 to start from the "
                               "first match, 2 from the second ... or use "
                               "negative to start from the end of the list");
                return;
            }
        } else if (arg_is(opt, "count") && more) {
            j++;
            if (util_str2ll(c->argv[j].p, c->argv[j].n, &count) != 0 ||
                count < 0) {
                reply_error(c, "COUNT can't be negative");
                return;
            }
        } else if (arg_is(opt, "maxlen") && more) {
            j++;
            if (util_str2ll(c->argv[j].p, c->argv[j].n, &maxlen) != 0 ||
                maxlen < 0) {
                reply_error(c, "MAXLEN can't be negative");
                return;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (lookup_list(c, &c->argv[1], 0, &o) != 0) {
        return;
    }
    if (o == NULL) {
        if (count != -1) {
            reply_array_len(c, 0);
        } else {
            reply_null(c);
        }
        return;
    }
    /* A negative rank counts matches from the tail. Redis negates it
     * unchecked: -LLONG_MIN stays negative and every match qualifies; the
     * unsigned arithmetic below reproduces that. */
    int from_tail = rank < 0;
    if (from_tail) {
        rank = (long long)(0ULL - (unsigned long long)rank);
    }
    ql *q = o->ptr;
    long long len = (long long)ql_count(q);
    long long index = 0, matches = 0, found = -1, emitted = 0;
    void *hdr = count != -1 ? reply_defer_len(c) : NULL;
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, q, from_tail ? QL_TAIL : QL_HEAD);
    while ((maxlen == 0 || index < maxlen) && ql_iter_next(&it, &e)) {
        if (ql_entry_eq(&e, ele->p, ele->n)) {
            matches++;
            long long pos = from_tail ? len - index - 1 : index;
            if (matches >= rank) {
                if (hdr == NULL) {
                    found = pos;
                    break;
                }
                reply_ll(c, pos);
                emitted++;
                long long past = (long long)((unsigned long long)matches -
                                             (unsigned long long)rank + 1);
                if (count != 0 && past >= count) {
                    break;
                }
            }
        }
        index++;
    }
    ql_iter_deinit(&it);
    if (hdr != NULL) {
        reply_set_deferred_array(c, hdr, emitted);
    } else if (found >= 0) {
        reply_ll(c, found);
    } else {
        reply_null(c);
    }
}

/* ---- changing in place ---- */

void cmd_lset(client *c)
{
    const arg *key = &c->argv[1];
    const arg *val = &c->argv[3];
    long long idx;
    obj *o;

    if (lookup_list(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_error(c, ERR_NO_KEY);
        return;
    }
    if (get_ll(c, &c->argv[2], &idx, NULL) != 0) {
        return;
    }
    if (ql_replace_at(o->ptr, idx, val->p, val->n) != 0) {
        reply_error(c, "index out of range");
        return;
    }
    reply_ok(c);
    db_signal_modified(c, c->db, key->p, key->n);
    notify_key(c, NOTIFY_LIST, "lset", key);
    c->srv->dirty++;
}

void cmd_linsert(client *c)
{
    const arg *key = &c->argv[1];
    const arg *pivot = &c->argv[3];
    const arg *val = &c->argv[4];
    int after;
    obj *o;
    ql_iter it;
    ql_entry e;

    if (arg_is(&c->argv[2], "after")) {
        after = QL_AFTER;
    } else if (arg_is(&c->argv[2], "before")) {
        after = QL_BEFORE;
    } else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (lookup_list(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    int inserted = 0;
    ql_iter_init(&it, o->ptr, QL_HEAD);
    while (ql_iter_next(&it, &e)) {
        if (ql_entry_eq(&e, pivot->p, pivot->n)) {
            ql_iter_insert(&it, &e, val->p, val->n, after);
            inserted = 1;
            break;
        }
    }
    ql_iter_deinit(&it);
    if (!inserted) {
        reply_ll(c, -1);
        return;
    }
    db_signal_modified(c, c->db, key->p, key->n);
    notify_key(c, NOTIFY_LIST, "linsert", key);
    c->srv->dirty++;
    reply_ll(c, (long long)ql_count(o->ptr));
}

void cmd_lrem(client *c)
{
    const arg *key = &c->argv[1];
    const arg *val = &c->argv[3];
    long long toremove, removed = 0;
    obj *o;
    ql_iter it;
    ql_entry e;

    if (get_ll(c, &c->argv[2], &toremove, NULL) != 0 ||
        lookup_list(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    /* A negative count removes from the tail. */
    ql_iter_init(&it, o->ptr, toremove < 0 ? QL_TAIL : QL_HEAD);
    unsigned long long limit = toremove < 0
                                   ? 0ULL - (unsigned long long)toremove
                                   : (unsigned long long)toremove;
    while (ql_iter_next(&it, &e)) {
        if (ql_entry_eq(&e, val->p, val->n)) {
            ql_iter_delete(&it, &e);
            removed++;
            if (limit != 0 && (unsigned long long)removed == limit) {
                break;
            }
        }
    }
    ql_iter_deinit(&it);
    if (removed > 0) {
        notify_key(c, NOTIFY_LIST, "lrem", key);
        list_removed(c, key, o, removed);
    }
    reply_ll(c, removed); /* after the events, as Redis */
}

void cmd_ltrim(client *c)
{
    const arg *key = &c->argv[1];
    long long start, end;
    obj *o;

    if (get_ll(c, &c->argv[2], &start, NULL) != 0 ||
        get_ll(c, &c->argv[3], &end, NULL) != 0 ||
        lookup_list(c, key, 1, &o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_ok(c);
        return;
    }
    long long len = (long long)ql_count(o->ptr);
    long long ltrim, rtrim;
    if (clamp_range(len, &start, &end) == 0) {
        ltrim = len;
        rtrim = 0;
    } else {
        ltrim = start;
        rtrim = len - end - 1;
    }
    ql_del_range(o->ptr, 0, (long)ltrim);
    ql_del_range(o->ptr, (long)-rtrim, (long)rtrim);
    notify_key(c, NOTIFY_LIST, "ltrim", key);
    list_removed(c, key, o, ltrim + rtrim);
    reply_ok(c); /* after the events, as Redis */
}

/* ---- moving between lists ---- */

/* LMOVE once the positions are parsed; replies the element moved (null if
 * the source is empty). */
static void lmove_generic(client *c, const arg *src, const arg *dst, int from,
                          int to)
{
    obj *so, *dobj;
    ql_val v;
    char buf[LONG_STR_SIZE], *heap;
    size_t len;

    if (lookup_list(c, src, 1, &so) != 0) {
        return;
    }
    if (so == NULL) {
        reply_null(c);
        return;
    }
    if (lookup_list(c, dst, 1, &dobj) != 0) {
        return;
    }
    ql_peek(so->ptr, from, &v);
    const char *p = val_copy(&v, buf, &heap, &len);
    ql_pop(so->ptr, from);
    /* When src is dst, dobj is so: the element goes back into it. */
    if (dobj == NULL) {
        dobj = list_create(c->srv);
        db_add(c->db, dst->p, dst->n, dobj);
    }
    ql_push(dobj->ptr, p, len, to);
    db_signal_modified(c, c->db, dst->p, dst->n);
    notify_key(c, NOTIFY_LIST, push_event(to), dst);
    reply_bulk(c, p, len);
    mem_free(heap);
    notify_key(c, NOTIFY_LIST, pop_event(from), src);
    list_removed(c, src, so, 1);
}

void cmd_lmove(client *c)
{
    int from, to;

    if (get_where(c, &c->argv[3], &from) != 0 ||
        get_where(c, &c->argv[4], &to) != 0) {
        return;
    }
    lmove_generic(c, &c->argv[1], &c->argv[2], from, to);
}

void cmd_rpoplpush(client *c)
{
    lmove_generic(c, &c->argv[1], &c->argv[2], QL_TAIL, QL_HEAD);
}

/* ---- multi-key pops ---- */

/* Pops from the first non-empty list among keys: one element replied as
 * [key, element] (count < 0) or up to count as [key, [elements]]. The key
 * that woke a blocked client is tried first. Returns 1 if it replied
 * (elements or WRONGTYPE), 0 if every list is empty. */
static int pop_first_nonempty(client *c, const arg *keys, int nkeys, int where,
                              long long count)
{
    arg woke;
    int first = -1;

    if (blocking_served_key(c, &woke)) {
        for (int i = 0; i < nkeys; i++) {
            if (keys[i].n == woke.n && memcmp(keys[i].p, woke.p, woke.n) == 0) {
                first = i;
                break;
            }
        }
    }
    for (int k = -1; k < nkeys; k++) {
        int i = k < 0 ? first : k;
        if (i < 0 || (k >= 0 && i == first)) {
            continue;
        }
        obj *o;
        if (lookup_list(c, &keys[i], 1, &o) != 0) {
            return 1;
        }
        if (o == NULL) {
            continue;
        }
        /* Effects: [LR]POP key [n] (BLPOP, LMPOP, ... served). */
        char nbuf[24];
        long long len = (long long)ql_count(o->ptr);
        arg cnt = propagate_num(nbuf, count < len ? count : len);
        propagate_replace_argv(c, count >= 0 ? 3 : 2,
                               where == QL_HEAD ? PARG("LPOP") : PARG("RPOP"),
                               keys[i], cnt);
        if (count >= 0) {
            pop_range_with_key(c, &keys[i], o, where, count);
        } else {
            reply_array_len(c, 2);
            reply_bulk(c, keys[i].p, keys[i].n);
            pop_and_reply(c, o, where, 1);
            notify_key(c, NOTIFY_LIST, pop_event(where), &keys[i]);
            list_removed(c, &keys[i], o, 1);
        }
        return 1;
    }
    return 0;
}

/* BLPOP / BRPOP / BLMPOP once parsed. */
static void blocking_pop(client *c, const arg *keys, int nkeys, int where,
                         long long count, long long deadline)
{
    if (pop_first_nonempty(c, keys, nkeys, where, count)) {
        return;
    }
    if (!blocking_allowed(c)) {
        reply_null_array(c); /* as a timeout, even with timeout 0 */
        return;
    }
    blocking_block(c, keys, nkeys, deadline, OBJ_LIST);
}

static void bpop_generic(client *c, int where)
{
    long long deadline;

    if (blocking_parse_timeout(c, &c->argv[c->argc - 1], BLOCK_UNIT_SECONDS,
                               &deadline) != 0) {
        return;
    }
    blocking_pop(c, &c->argv[1], c->argc - 2, where, -1, deadline);
}

void cmd_blpop(client *c)
{
    bpop_generic(c, QL_HEAD);
}

void cmd_brpop(client *c)
{
    bpop_generic(c, QL_TAIL);
}

/* [B]LMPOP's arguments from numkeys on: sets the keys, the end and the
 * count (1 by default). Returns 0, or -1 after replying an error. */
static int parse_mpop(client *c, int numkeys_idx, int *nkeys, int *where,
                      long long *count)
{
    long long numkeys;

    if (util_str2ll(c->argv[numkeys_idx].p, c->argv[numkeys_idx].n, &numkeys) !=
            0 ||
        numkeys < 1) {
        reply_error(c, "numkeys should be greater than 0");
        return -1;
    }
    if (numkeys >= c->argc - numkeys_idx - 1) {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    int where_idx = numkeys_idx + (int)numkeys + 1;
    if (get_where(c, &c->argv[where_idx], where) != 0) {
        return -1;
    }
    *count = -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        if (*count == -1 && arg_is(&c->argv[j], "count") && j + 1 < c->argc) {
            j++;
            if (util_str2ll(c->argv[j].p, c->argv[j].n, count) != 0 ||
                *count < 1) {
                reply_error(c, "count should be greater than 0");
                return -1;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (*count == -1) {
        *count = 1;
    }
    *nkeys = (int)numkeys;
    return 0;
}

void cmd_lmpop(client *c)
{
    int nkeys, where;
    long long count;

    if (parse_mpop(c, 1, &nkeys, &where, &count) != 0) {
        return;
    }
    if (!pop_first_nonempty(c, &c->argv[2], nkeys, where, count)) {
        reply_null_array(c);
    }
}

void cmd_blmpop(client *c)
{
    int nkeys, where;
    long long count, deadline;

    if (parse_mpop(c, 2, &nkeys, &where, &count) != 0 ||
        blocking_parse_timeout(c, &c->argv[1], BLOCK_UNIT_SECONDS, &deadline) !=
            0) {
        return;
    }
    blocking_pop(c, &c->argv[3], nkeys, where, count, deadline);
}

/* BLMOVE / BRPOPLPUSH once parsed: waits on the source only. */
static void blmove_generic(client *c, int from, int to, long long deadline)
{
    obj *o;

    if (lookup_list(c, &c->argv[1], 1, &o) != 0) {
        return;
    }
    if (o != NULL) {
        /* Effects: the non-blocking form. */
        if (c->argc == 6) {
            propagate_replace_argv(c, 5, PARG("LMOVE"), c->argv[1],
                                   c->argv[2], c->argv[3], c->argv[4]);
        } else {
            propagate_replace_argv(c, 3, PARG("RPOPLPUSH"), c->argv[1],
                                   c->argv[2]);
        }
        lmove_generic(c, &c->argv[1], &c->argv[2], from, to);
        return;
    }
    if (!blocking_allowed(c)) {
        reply_null(c);
        return;
    }
    blocking_block(c, &c->argv[1], 1, deadline, OBJ_LIST);
}

void cmd_blmove(client *c)
{
    int from, to;
    long long deadline;

    if (get_where(c, &c->argv[3], &from) != 0 ||
        get_where(c, &c->argv[4], &to) != 0 ||
        blocking_parse_timeout(c, &c->argv[5], BLOCK_UNIT_SECONDS, &deadline) !=
            0) {
        return;
    }
    blmove_generic(c, from, to, deadline);
}

void cmd_brpoplpush(client *c)
{
    long long deadline;

    if (blocking_parse_timeout(c, &c->argv[3], BLOCK_UNIT_SECONDS, &deadline) !=
        0) {
        return;
    }
    blmove_generic(c, QL_TAIL, QL_HEAD, deadline);
}
