/* t_set: the set commands. A set is an intset while every member is an
 * integer and there are at most set-max-intset-entries of them, otherwise a
 * dict whose keys are the members (redis-server 7.0 has no listpack sets). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "scan.h"
#include "server.h"
#include "types.h"
#include "util.h"

/* ---- the set value: two encodings behind one small interface ---- */

/* One member as the commands see it. Bytes from a dict point into the
 * entry (valid until the set changes); an intset member is its value
 * formatted into buf, with is_int set so integer paths skip parsing. */
typedef struct member {
    const char *p;
    size_t n;
    int is_int;
    long long v;
    char buf[LONG_STR_SIZE];
} member;

static void member_from_ll(member *m, long long v)
{
    m->is_int = 1;
    m->v = v;
    m->n = (size_t)util_ll2str(m->buf, sizeof(m->buf), v);
    m->p = m->buf;
}

static void member_from_bytes(member *m, const char *p, size_t n)
{
    m->is_int = 0;
    m->p = p;
    m->n = n;
}

/* The integer a member stands for when Redis would store it in an intset
 * (its strict string-to-int64 rule). Returns 0, or -1 if it is not one. */
static int member_ll(const member *m, long long *v)
{
    if (m->is_int) {
        *v = m->v;
        return 0;
    }
    return util_str2ll(m->p, m->n, v);
}

/* Hashtable members are dict keys; the entry's value is left unused. */
static dict *ht_create(size_t hint)
{
    dict *d = dict_create(NULL);

    if (hint > 0) {
        dict_expand(d, hint);
    }
    return d;
}

static obj *set_create_intset(void)
{
    obj *o = obj_create(OBJ_SET, intset_new());

    o->enc = ENC_INTSET;
    return o;
}

static obj *set_create_ht(size_t hint)
{
    obj *o = obj_create(OBJ_SET, ht_create(hint));

    o->enc = ENC_HT;
    return o;
}

/* An empty set in the encoding its first member calls for. */
static obj *set_create_for(const member *first)
{
    long long v;

    return member_ll(first, &v) == 0 ? set_create_intset() : set_create_ht(0);
}

static size_t set_size(const obj *o)
{
    if (o->enc == ENC_INTSET) {
        return intset_len(o->ptr);
    }
    return dict_size(o->ptr);
}

/* Rewrite an intset as a hashtable of the members' decimal forms. */
void set_convert_ht(obj *o)
{
    intset *is = o->ptr;
    uint32_t len = intset_len(is);
    dict *d = ht_create(len);
    char buf[LONG_STR_SIZE];

    for (uint32_t i = 0; i < len; i++) {
        int64_t v;

        intset_get(is, i, &v);
        dict_add(d, buf, (size_t)util_ll2str(buf, sizeof(buf), v));
    }
    intset_free(is);
    o->ptr = d;
    o->enc = ENC_HT;
}

/* Returns 1 if m was added, 0 if it was already a member. Converts the
 * intset to a hashtable on a non-integer member, or once it holds more
 * than set-max-intset-entries (capped at 2^30, as Redis caps it). */
static int set_add(server *srv, obj *o, const member *m)
{
    if (o->enc == ENC_INTSET) {
        long long v;

        if (member_ll(m, &v) == 0) {
            long long max = srv->cfg.set_max_intset_entries;
            int added;

            o->ptr = intset_add(o->ptr, v, &added);
            if (max > (1LL << 30)) {
                max = 1LL << 30;
            }
            if (added && (long long)intset_len(o->ptr) > max) {
                set_convert_ht(o);
            }
            return added;
        }
        set_convert_ht(o);
    }
    return dict_add(o->ptr, m->p, m->n) != NULL;
}

/* Returns 1 if m was removed, 0 if it was not a member. m may point into
 * the very entry removed (the dict is done with the bytes before freeing
 * it). An intset never converts back; a dict shrinks by itself. */
static int set_remove(obj *o, const member *m)
{
    if (o->enc == ENC_INTSET) {
        long long v;
        int removed;

        if (member_ll(m, &v) != 0) {
            return 0;
        }
        o->ptr = intset_remove(o->ptr, v, &removed);
        return removed;
    }
    return dict_delete(o->ptr, m->p, m->n) == 0;
}

static int set_contains(obj *o, const member *m)
{
    if (o->enc == ENC_INTSET) {
        long long v;

        return member_ll(m, &v) == 0 && intset_find(o->ptr, v);
    }
    return dict_find(o->ptr, m->p, m->n) != NULL;
}

/* A random member (the set must not be empty). A dict member points into
 * the entry: read it before changing the set. */
static void set_random(obj *o, member *m)
{
    if (o->enc == ENC_INTSET) {
        member_from_ll(m, intset_random(o->ptr));
    } else {
        dict_entry *de = dict_random(o->ptr);

        member_from_bytes(m, de->key, de->klen);
    }
}

/* Walks every member once. The set must not change during the walk,
 * except for removing the member just returned from a hashtable set. */
typedef struct set_iter {
    obj *o;
    uint32_t pos;
    dict_iter di;
} set_iter;

static void set_iter_init(set_iter *it, obj *o)
{
    it->o = o;
    it->pos = 0;
    if (o->enc == ENC_HT) {
        dict_iter_init(&it->di, o->ptr);
    }
}

/* Fills m and returns 1, or returns 0 when done. */
static int set_iter_next(set_iter *it, member *m)
{
    if (it->o->enc == ENC_INTSET) {
        int64_t v;

        if (intset_get(it->o->ptr, it->pos, &v) != 0) {
            return 0;
        }
        it->pos++;
        member_from_ll(m, v);
        return 1;
    }
    dict_entry *de = dict_iter_next(&it->di);

    if (de == NULL) {
        return 0;
    }
    member_from_bytes(m, de->key, de->klen);
    return 1;
}

static void set_iter_deinit(set_iter *it)
{
    if (it->o->enc == ENC_HT) {
        dict_iter_deinit(&it->di);
    }
}

/* Every member, as a RESP3 set (an array in RESP2). */
static void reply_members(client *c, obj *o)
{
    set_iter it;
    member m;

    reply_set_len(c, (long)set_size(o));
    set_iter_init(&it, o);
    while (set_iter_next(&it, &m)) {
        reply_bulk(c, m.p, m.n);
    }
    set_iter_deinit(&it);
}

void set_free_value(obj *o)
{
    if (o->enc == ENC_INTSET) {
        intset_free(o->ptr);
    } else {
        dict *d = o->ptr;

        dict_destroy(&d);
    }
    o->ptr = NULL;
}

obj *set_dup_value(const obj *o)
{
    if (o->enc == ENC_INTSET) {
        obj *n = obj_create(OBJ_SET, intset_dup(o->ptr));

        n->enc = ENC_INTSET;
        return n;
    }
    obj *n = set_create_ht(dict_size(o->ptr));
    dict_iter it;
    dict_entry *de;

    dict_iter_init(&it, o->ptr);
    while ((de = dict_iter_next(&it)) != NULL) {
        dict_add(n->ptr, de->key, de->klen);
    }
    dict_iter_deinit(&it);
    return n;
}

/* ---- shared helpers ---- */

static const char err_not_positive[] =
    "value is out of range, must be positive";

/* Redis compares option words as C strings (strcasecmp), so "limit\0x"
 * still means LIMIT; do the same to give the same answers. */
static int opt_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* Replies WRONGTYPE and returns -1 if o exists and is not a set. */
static int check_set(client *c, const obj *o)
{
    if (o != NULL && o->type != OBJ_SET) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    return 0;
}

static void signal_key(client *c, const arg *key)
{
    db_signal_modified(c, c->db, key->p, key->n);
}

/* Uniform in [0, n) for n > 0, from libc random() as intsets use. */
static uint64_t rand_below(uint64_t n)
{
    uint64_t r = ((uint64_t)random() << 62) ^ ((uint64_t)random() << 31) ^
                 (uint64_t)random();

    return r % n;
}

/* ---- SADD, SREM, SMOVE ---- */

void cmd_sadd(client *c)
{
    const arg *key = &c->argv[1];
    obj *o = db_lookup_write(c, key);
    long long added = 0;
    member m;

    if (check_set(c, o) != 0) {
        return;
    }
    if (o == NULL) {
        member_from_bytes(&m, c->argv[2].p, c->argv[2].n);
        o = set_create_for(&m);
        db_add(c->db, key->p, key->n, o);
    }
    for (int i = 2; i < c->argc; i++) {
        member_from_bytes(&m, c->argv[i].p, c->argv[i].n);
        added += set_add(c->srv, o, &m);
    }
    if (added > 0) {
        signal_key(c, key);
        notify_key(c, NOTIFY_SET, "sadd", key);
        c->srv->dirty += added;
    }
    reply_ll(c, added);
}

void cmd_srem(client *c)
{
    const arg *key = &c->argv[1];
    obj *o = db_lookup_write(c, key);
    long long removed = 0;
    member m;

    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_set(c, o) != 0) {
        return;
    }
    for (int i = 2; i < c->argc; i++) {
        member_from_bytes(&m, c->argv[i].p, c->argv[i].n);
        if (set_remove(o, &m)) {
            removed++;
            if (set_size(o) == 0) {
                db_delete(c->db, key->p, key->n);
                o = NULL; /* freed: the key is gone */
                break;
            }
        }
    }
    if (removed > 0) {
        signal_key(c, key);
        notify_key(c, NOTIFY_SET, "srem", key);
        if (o == NULL) {
            notify_key(c, NOTIFY_GENERIC, "del", key);
        }
        c->srv->dirty += removed;
    }
    reply_ll(c, removed);
}

void cmd_smove(client *c)
{
    const arg *src = &c->argv[1], *dst = &c->argv[2];
    obj *so = db_lookup_write(c, src);
    obj *dobj = db_lookup_write(c, dst);
    member m;

    member_from_bytes(&m, c->argv[3].p, c->argv[3].n);
    /* A missing source answers 0 before the destination's type is seen. */
    if (so == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_set(c, so) != 0 || check_set(c, dobj) != 0) {
        return;
    }
    if (so == dobj) {
        reply_ll(c, set_contains(so, &m));
        return;
    }
    if (!set_remove(so, &m)) {
        reply_ll(c, 0);
        return;
    }
    notify_key(c, NOTIFY_SET, "srem", src);
    if (set_size(so) == 0) {
        db_delete(c->db, src->p, src->n);
        notify_key(c, NOTIFY_GENERIC, "del", src);
    }
    if (dobj == NULL) {
        dobj = set_create_for(&m);
        db_add(c->db, dst->p, dst->n, dobj);
    }
    signal_key(c, src);
    c->srv->dirty++;
    /* The destination counts as a second change only if m was new there. */
    if (set_add(c->srv, dobj, &m)) {
        c->srv->dirty++;
        signal_key(c, dst);
        notify_key(c, NOTIFY_SET, "sadd", dst);
    }
    reply_ll(c, 1);
}

/* ---- SISMEMBER, SMISMEMBER, SCARD ---- */

void cmd_sismember(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    member m;

    if (check_set(c, o) != 0) {
        return;
    }
    member_from_bytes(&m, c->argv[2].p, c->argv[2].n);
    reply_ll(c, o != NULL && set_contains(o, &m));
}

void cmd_smismember(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    member m;

    if (check_set(c, o) != 0) {
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        member_from_bytes(&m, c->argv[i].p, c->argv[i].n);
        reply_ll(c, o != NULL && set_contains(o, &m));
    }
}

void cmd_scard(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (check_set(c, o) != 0) {
        return;
    }
    reply_ll(c, o == NULL ? 0 : (long long)set_size(o));
}

/* ---- SPOP ---- */

/* When at least this many members are popped per member that stays, SPOP
 * with a count builds a new set from the members that stay instead of
 * removing the popped ones one by one (Redis's SPOP_MOVE_STRATEGY_MUL). */
#define SPOP_MOVE_RATIO 5

/* One popped member, as Redis 7.0 propagates it: SREM key member. */
static void spop_propagate(client *c, const arg *key, const member *m)
{
    propagate_also_argv(c->srv, c->db->id, 3, PARG("SREM"), *key,
                        (arg){m->p, m->n});
}

static void spop_with_count(client *c)
{
    const arg *key = &c->argv[1];
    long long count;
    obj *o;
    member m;

    if (util_str2ll(c->argv[2].p, c->argv[2].n, &count) != 0 || count < 0) {
        reply_error(c, err_not_positive);
        return;
    }
    o = db_lookup_write(c, key);
    if (o == NULL) {
        reply_set_len(c, 0);
        return;
    }
    if (check_set(c, o) != 0) {
        return;
    }
    if (count == 0) {
        reply_set_len(c, 0);
        return;
    }
    size_t size = set_size(o);

    /* Redis announces the pop before replying, whatever the count. */
    notify_key(c, NOTIFY_SET, "spop", key);
    if ((unsigned long long)count >= size) {
        /* Everything goes: reply the whole set, then drop the key. */
        reply_members(c, o);
        db_delete(c->db, key->p, key->n);
        propagate_replace_argv(c, 2,
                               c->srv->cfg.lazyfree_lazy_server_del
                                   ? PARG("UNLINK")
                                   : PARG("DEL"),
                               *key);
        signal_key(c, key);
        notify_key(c, NOTIFY_GENERIC, "del", key);
        c->srv->dirty += (long long)size;
        return;
    }
    size_t remaining = size - (size_t)count;

    reply_set_len(c, (long)count);
    if (remaining * SPOP_MOVE_RATIO > (size_t)count) {
        for (long long i = 0; i < count; i++) {
            set_random(o, &m);
            reply_bulk(c, m.p, m.n);
            spop_propagate(c, key, &m);
            set_remove(o, &m);
        }
    } else {
        /* Move the members that stay into a new set, reply what is left
         * in the old one. The new set's encoding follows its own
         * members, so a hashtable may come back as an intset. */
        obj *keep = NULL;
        set_iter it;

        while (remaining-- > 0) {
            /* Add before removing: m may point into the entry removed. */
            set_random(o, &m);
            if (keep == NULL) {
                keep = set_create_for(&m);
            }
            set_add(c->srv, keep, &m);
            set_remove(o, &m);
        }
        set_iter_init(&it, o);
        while (set_iter_next(&it, &m)) {
            reply_bulk(c, m.p, m.n);
            spop_propagate(c, key, &m);
        }
        set_iter_deinit(&it);
        db_overwrite(c->db, key->p, key->n, keep);
    }
    /* Effects: the SREMs above, not a random pop redone elsewhere. */
    propagate_prevent(c);
    signal_key(c, key);
    c->srv->dirty += count;
}

void cmd_spop(client *c)
{
    const arg *key = &c->argv[1];
    obj *o;
    member m;

    if (c->argc == 3) {
        spop_with_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    o = db_lookup_write(c, key);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (check_set(c, o) != 0) {
        return;
    }
    set_random(o, &m);
    notify_key(c, NOTIFY_SET, "spop", key); /* before the reply, as Redis */
    reply_bulk(c, m.p, m.n);
    propagate_replace_argv(c, 3, PARG("SREM"), *key, (arg){m.p, m.n});
    set_remove(o, &m);
    if (set_size(o) == 0) {
        db_delete(c->db, key->p, key->n);
        notify_key(c, NOTIFY_GENERIC, "del", key);
    }
    signal_key(c, key);
    c->srv->dirty++;
}

/* ---- SRANDMEMBER ---- */

/* Above this ratio of set size to count, distinct random members are drawn
 * one at a time; below it, a random subset is cut from all members
 * (Redis's SRANDMEMBER_SUB_STRATEGY_MUL). */
#define SRAND_SUB_RATIO 3

/* count distinct members of a set larger than count, as an array. */
static void srandmember_distinct(client *c, obj *o, size_t count)
{
    size_t size = set_size(o);
    member m;

    reply_array_len(c, (long)count);
    if (count * SRAND_SUB_RATIO > size) {
        /* Partial Fisher-Yates over all members: intsets by position,
         * hashtables by entry. */
        uintptr_t *all = mem_alloc(size * sizeof(*all));
        size_t n = 0;

        if (o->enc == ENC_INTSET) {
            for (n = 0; n < size; n++) {
                all[n] = n;
            }
        } else {
            dict_iter it;
            dict_entry *de;

            dict_iter_init(&it, o->ptr);
            while ((de = dict_iter_next(&it)) != NULL) {
                all[n++] = (uintptr_t)de;
            }
            dict_iter_deinit(&it);
        }
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)rand_below(n - i);
            uintptr_t t = all[i];

            all[i] = all[j];
            all[j] = t;
            if (o->enc == ENC_INTSET) {
                int64_t v;

                intset_get(o->ptr, (uint32_t)all[i], &v);
                reply_bulk_ll(c, v);
            } else {
                const dict_entry *de = (const dict_entry *)all[i];

                reply_bulk(c, de->key, de->klen);
            }
        }
        mem_free(all);
        return;
    }
    /* Few members out of many: draw until count distinct ones are seen. */
    dict *seen = dict_create(NULL);

    while (dict_size(seen) < count) {
        set_random(o, &m);
        if (dict_add(seen, m.p, m.n) != NULL) {
            reply_bulk(c, m.p, m.n);
        }
    }
    dict_destroy(&seen);
}

static void srandmember_with_count(client *c)
{
    long long l;
    obj *o;
    member m;

    if (util_str2ll(c->argv[2].p, c->argv[2].n, &l) != 0) {
        reply_error(c, ERR_NOT_INT);
        return;
    }
    if (l < -LLONG_MAX) {
        reply_errorf(c,
                     "value is out of range, value must between %lld and "
                     "%lld",
                     -LLONG_MAX, LLONG_MAX);
        return;
    }
    o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_array_len(c, 0);
        return;
    }
    if (check_set(c, o) != 0) {
        return;
    }
    if (l == 0) {
        reply_array_len(c, 0);
        return;
    }
    if (l < 0) {
        /* Repeats allowed: independent draws. */
        long long count = -l;

        reply_array_len(c, (long)count);
        while (count-- > 0 && !(c->flags & CF_CLOSE_ASAP)) {
            set_random(o, &m);
            reply_bulk(c, m.p, m.n);
        }
        return;
    }
    if ((unsigned long long)l >= set_size(o)) {
        set_iter it;

        reply_array_len(c, (long)set_size(o));
        set_iter_init(&it, o);
        while (set_iter_next(&it, &m)) {
            reply_bulk(c, m.p, m.n);
        }
        set_iter_deinit(&it);
        return;
    }
    srandmember_distinct(c, o, (size_t)l);
}

void cmd_srandmember(client *c)
{
    obj *o;
    member m;

    if (c->argc == 3) {
        srandmember_with_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (check_set(c, o) != 0) {
        return;
    }
    set_random(o, &m);
    reply_bulk(c, m.p, m.n);
}

/* ---- SINTER, SINTERCARD, SINTERSTORE, SMEMBERS ---- */

/* Looks up n source keys. A missing key is a NULL slot (an empty set);
 * every key is still type-checked. Returns the array (caller frees) and
 * the number of missing keys, or NULL after a WRONGTYPE reply. */
static obj **lookup_sources(client *c, const arg *keys, int n, int *missing)
{
    obj **sets = mem_alloc((size_t)n * sizeof(*sets));

    *missing = 0;
    for (int j = 0; j < n; j++) {
        sets[j] = db_lookup_read(c, &keys[j]);
        if (sets[j] == NULL) {
            (*missing)++;
        } else if (check_set(c, sets[j]) != 0) {
            mem_free(sets);
            return NULL;
        }
    }
    return sets;
}

/* qsort orders by size; a missing key (NULL) counts as empty. */
static int by_size(const void *a, const void *b)
{
    const obj *p = *(obj *const *)a, *q = *(obj *const *)b;
    size_t x = p != NULL ? set_size(p) : 0, y = q != NULL ? set_size(q) : 0;

    return x < y ? -1 : x > y;
}

static int by_size_desc(const void *a, const void *b)
{
    return by_size(b, a);
}

/* Store result under dst (an empty result deletes dst instead) and reply
 * the stored size. Takes ownership of result. */
static void store_result(client *c, const arg *dst, obj *result)
{
    size_t size = set_size(result);

    if (size > 0) {
        db_set(c, c->db, dst->p, dst->n, result, 0);
        reply_ll(c, (long long)size);
        /* After the reply, named as the command: sinterstore, ... */
        notify_key(c, NOTIFY_SET, c->cmd->name, dst);
        c->srv->dirty++;
        return;
    }
    obj_decr(result);
    reply_ll(c, 0);
    if (db_delete(c->db, dst->p, dst->n)) {
        signal_key(c, dst);
        notify_key(c, NOTIFY_GENERIC, "del", dst);
        c->srv->dirty++;
    }
}

/* The intersection of n sets: replied (as a set), counted (card_only; a
 * limit > 0 stops counting there) or stored under dst. */
static void sinter_generic(client *c, const arg *keys, int n, const arg *dst,
                           int card_only, long long limit)
{
    int missing;
    obj **sets = lookup_sources(c, keys, n, &missing);
    obj *result = NULL;
    void *len = NULL;
    long long card = 0;
    set_iter it;
    member m;

    if (sets == NULL) {
        return;
    }
    if (missing > 0) {
        mem_free(sets);
        if (dst != NULL) {
            if (db_delete(c->db, dst->p, dst->n)) {
                signal_key(c, dst);
                notify_key(c, NOTIFY_GENERIC, "del", dst);
                c->srv->dirty++;
            }
            reply_ll(c, 0);
        } else if (card_only) {
            reply_ll(c, 0);
        } else {
            reply_set_len(c, 0);
        }
        return;
    }
    /* Walk the smallest set, probing the others. */
    qsort(sets, (size_t)n, sizeof(*sets), by_size);
    if (dst != NULL) {
        result = set_create_intset();
    } else if (!card_only) {
        len = reply_defer_len(c);
    }
    set_iter_init(&it, sets[0]);
    while (set_iter_next(&it, &m)) {
        int j;

        for (j = 1; j < n; j++) {
            if (sets[j] != sets[0] && !set_contains(sets[j], &m)) {
                break;
            }
        }
        if (j < n) {
            continue;
        }
        if (result != NULL) {
            set_add(c->srv, result, &m);
        } else {
            card++;
            if (!card_only) {
                reply_bulk(c, m.p, m.n);
            } else if (limit > 0 && card >= limit) {
                break;
            }
        }
    }
    set_iter_deinit(&it);
    mem_free(sets);

    if (card_only) {
        reply_ll(c, card);
    } else if (result != NULL) {
        store_result(c, dst, result);
    } else {
        reply_set_deferred_set(c, len, (long)card);
    }
}

void cmd_sinter(client *c)
{
    sinter_generic(c, &c->argv[1], c->argc - 1, NULL, 0, 0);
}

/* SMEMBERS is a one-key SINTER in redis-server 7.0. */
void cmd_smembers(client *c)
{
    sinter_generic(c, &c->argv[1], 1, NULL, 0, 0);
}

void cmd_sinterstore(client *c)
{
    sinter_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], 0, 0);
}

void cmd_sintercard(client *c)
{
    long long numkeys, limit = 0;

    if (util_str2ll(c->argv[1].p, c->argv[1].n, &numkeys) != 0 || numkeys < 1) {
        reply_error(c, "numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        int more = c->argc - 1 - j;

        if (opt_is(&c->argv[j], "limit") && more > 0) {
            j++;
            if (util_str2ll(c->argv[j].p, c->argv[j].n, &limit) != 0 ||
                limit < 0) {
                reply_error(c, "LIMIT can't be negative");
                return;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    sinter_generic(c, &c->argv[2], (int)numkeys, NULL, 1, limit);
}

/* ---- SUNION, SDIFF and their STORE forms ---- */

enum set_op { OP_UNION, OP_DIFF };

/* Which SDIFF method: 1 probes each member of the first set in the others
 * (cost ~ first size x sets, halved as it usually ends early), 2 copies
 * the first set and removes the others' members (cost ~ all sizes). The
 * choice shows in the stored encoding (method 2 may pass through a
 * hashtable), so it is made exactly as Redis makes it. */
static int diff_method(obj **sets, int n)
{
    long long one = 0, two = 0;

    for (int j = 0; j < n; j++) {
        if (sets[j] != NULL) {
            one += (long long)set_size(sets[0]);
            two += (long long)set_size(sets[j]);
        }
    }
    one /= 2;
    return one <= two ? 1 : 2;
}

static void sunion_diff_generic(client *c, const arg *keys, int n,
                                const arg *dst, int op)
{
    int missing, same = 0, method = 0;
    obj **sets = lookup_sources(c, keys, n, &missing);
    obj *result;
    long long card = 0;
    set_iter it;
    member m;

    if (sets == NULL) {
        return;
    }
    for (int j = 1; j < n; j++) {
        if (sets[j] != NULL && sets[j] == sets[0]) {
            same = 1;
        }
    }
    if (op == OP_DIFF && sets[0] != NULL && !same) {
        method = diff_method(sets, n);
        if (method == 1 && n > 1) {
            /* Biggest first: a member is likelier to be found early. */
            qsort(sets + 1, (size_t)n - 1, sizeof(*sets), by_size_desc);
        }
    }
    result = set_create_intset();
    if (op == OP_UNION) {
        for (int j = 0; j < n; j++) {
            if (sets[j] == NULL) {
                continue;
            }
            set_iter_init(&it, sets[j]);
            while (set_iter_next(&it, &m)) {
                card += set_add(c->srv, result, &m);
            }
            set_iter_deinit(&it);
        }
    } else if (method == 1) {
        set_iter_init(&it, sets[0]);
        while (set_iter_next(&it, &m)) {
            int j;

            for (j = 1; j < n; j++) {
                if (sets[j] != NULL && set_contains(sets[j], &m)) {
                    break;
                }
            }
            if (j == n) {
                set_add(c->srv, result, &m);
                card++;
            }
        }
        set_iter_deinit(&it);
    } else if (method == 2) {
        for (int j = 0; j < n && !(j > 0 && card == 0); j++) {
            if (sets[j] == NULL) {
                continue;
            }
            set_iter_init(&it, sets[j]);
            while (set_iter_next(&it, &m)) {
                if (j == 0) {
                    card += set_add(c->srv, result, &m);
                } else {
                    card -= set_remove(result, &m);
                }
            }
            set_iter_deinit(&it);
        }
    }
    /* else: an empty first set, or the first set repeated: empty. */
    mem_free(sets);

    if (dst != NULL) {
        store_result(c, dst, result);
        return;
    }
    reply_members(c, result);
    obj_decr(result);
}

void cmd_sunion(client *c)
{
    sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, OP_UNION);
}

void cmd_sunionstore(client *c)
{
    sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], OP_UNION);
}

void cmd_sdiff(client *c)
{
    sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, OP_DIFF);
}

void cmd_sdiffstore(client *c)
{
    sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], OP_DIFF);
}

/* ---- SSCAN ---- */

typedef struct scan_list {
    str *items;
    size_t n;
    size_t cap;
} scan_list;

static void scan_push(scan_list *l, const char *p, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap == 0 ? 16 : l->cap * 2;
        l->items = mem_realloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->n++] = str_new(p, n);
}

static void scan_collect(void *priv, const dict_entry *de)
{
    scan_push(priv, de->key, de->klen);
}

void cmd_sscan(client *c)
{
    unsigned long long cursor;
    long long count = 10;
    const arg *pat = NULL;
    scan_list l = {NULL, 0, 0};
    obj *o;

    if (scan_parse_cursor(c, &c->argv[2], &cursor) != 0) {
        return;
    }
    o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_array_len(c, 2);
        reply_bulk(c, "0", 1);
        reply_array_len(c, 0);
        return;
    }
    if (check_set(c, o) != 0) {
        return;
    }
    scan_opts opts;
    if (scan_parse_options(c, 3, 0, &opts) != 0) {
        return;
    }
    count = opts.count;
    pat = opts.pattern;

    if (o->enc == ENC_INTSET) {
        /* Compact: everything in one reply, and the scan is over. */
        set_iter it;
        member m;

        set_iter_init(&it, o);
        while (set_iter_next(&it, &m)) {
            scan_push(&l, m.p, m.n);
        }
        set_iter_deinit(&it);
        cursor = 0;
    } else {
        /* About count members per call, visiting at most 10 * count
         * buckets so a sparse table can't stall the server. */
        long long budget = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;

        do {
            cursor = dict_scan(o->ptr, cursor, scan_collect, &l);
        } while (cursor != 0 && budget-- > 0 && l.n < (size_t)count);
    }

    size_t kept = 0;

    for (size_t i = 0; i < l.n; i++) {
        str s = l.items[i];

        if (pat != NULL && !util_glob_match(pat->p, pat->n, s, str_len(s), 0)) {
            str_free(s);
        } else {
            l.items[kept++] = s;
        }
    }
    char buf[LONG_STR_SIZE];
    int blen = util_ull2str(buf, sizeof(buf), cursor);

    reply_array_len(c, 2);
    reply_bulk(c, buf, (size_t)blen);
    reply_array_len(c, (long)kept);
    for (size_t i = 0; i < kept; i++) {
        reply_bulk(c, l.items[i], str_len(l.items[i]));
        str_free(l.items[i]);
    }
    mem_free(l.items);
}
