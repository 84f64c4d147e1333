/* t_hash: the hash type and its commands. Small hashes are one listpack of
 * field,value pairs; past hash-max-listpack-entries/-value they become a
 * dict for good. Replies and error texts follow redis-server 7.0. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "db.h"
#include "dict.h"
#include "listpack.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "scan.h"
#include "server.h"
#include "types.h"
#include "util.h"

/* ---- values of hashtable-encoded hashes ----
 *
 * A field is its dict entry's key; the value lives in the entry's v.ptr.
 * Most hash values are short (counters, flags, ids), so values of up to 7
 * bytes are stored in the pointer itself: the low byte holds len << 1 | 1,
 * an odd number no allocation's address can be, and the bytes follow in
 * the upper seven bytes. Longer values get one allocation: a length byte
 * (or 0xFF and a 64-bit length) and the bytes, with no terminator. */

_Static_assert(sizeof(void *) == 8, "inline hash values need 64-bit pointers");

#define HVAL_INLINE_MAX 7
#define HVAL_LONG 0xFF

static int hval_is_inline(const void *cell)
{
    return ((uintptr_t)cell & 1) != 0;
}

static void *hval_create(const char *p, size_t n)
{
    unsigned char *b;

    if (n <= HVAL_INLINE_MAX) {
        uint64_t v = ((uint64_t)n << 1) | 1;
        for (size_t i = 0; i < n; i++) {
            v |= (uint64_t)(unsigned char)p[i] << (8 * (i + 1));
        }
        return (void *)(uintptr_t)v;
    }
    if (n < HVAL_LONG) {
        b = mem_alloc(1 + n);
        b[0] = (unsigned char)n;
        memcpy(b + 1, p, n);
        return b;
    }
    uint64_t len = n;
    b = mem_alloc(1 + sizeof(len) + n);
    b[0] = HVAL_LONG;
    memcpy(b + 1, &len, sizeof(len));
    memcpy(b + 1 + sizeof(len), p, n);
    return b;
}

/* The bytes of a value cell; inline values are decoded into buf, which
 * must hold HVAL_INLINE_MAX bytes and outlive the returned pointer. */
static const char *hval_view(const void *cell, char *buf, size_t *len)
{
    if (hval_is_inline(cell)) {
        uint64_t v = (uint64_t)(uintptr_t)cell;
        size_t n = (v & 0xFF) >> 1;
        for (size_t i = 0; i < n; i++) {
            buf[i] = (char)(v >> (8 * (i + 1)));
        }
        *len = n;
        return buf;
    }
    const unsigned char *b = cell;
    if (b[0] != HVAL_LONG) {
        *len = b[0];
        return (const char *)b + 1;
    }
    uint64_t n;
    memcpy(&n, b + 1, sizeof(n));
    *len = (size_t)n;
    return (const char *)b + 1 + sizeof(n);
}

static void *hval_dup(const void *cell)
{
    char buf[HVAL_INLINE_MAX];
    size_t n;
    const char *p;

    if (hval_is_inline(cell)) {
        return (void *)cell;
    }
    p = hval_view(cell, buf, &n);
    return hval_create(p, n);
}

/* dict val_free: inline cells own nothing. */
static void hval_free(void *cell)
{
    if (!hval_is_inline(cell)) {
        mem_free(cell);
    }
}

static const dict_type hash_dict_type = {hval_free};

/* ---- one field or value, whatever its encoding ---- */

/* Bytes of a field or value: p points into the listpack, the value cell
 * or buf (so a view must not be copied while in use). */
typedef struct hview {
    const char *p;
    size_t n;
    char buf[LP_INTBUF_SIZE];
} hview;

static void view_lp(unsigned char *ep, hview *v)
{
    uint32_t n;

    v->p = (const char *)lp_get(ep, &n, (unsigned char *)v->buf);
    v->n = n;
}

static void view_cell(const void *cell, hview *v)
{
    v->p = hval_view(cell, v->buf, &v->n);
}

static void view_field(const dict_entry *de, hview *v)
{
    v->p = de->key;
    v->n = de->klen;
}

static void reply_view(client *c, const hview *v)
{
    reply_bulk(c, v->p, v->n);
}

/* ---- the hash type ---- */

static obj *hash_create(void)
{
    obj *o = obj_create(OBJ_HASH, lp_new(0));

    o->enc = ENC_LISTPACK;
    return o;
}

static size_t hash_len(const obj *o)
{
    if (o->enc == ENC_LISTPACK) {
        return lp_length(o->ptr) / 2;
    }
    return dict_size(o->ptr);
}

/* The listpack entry of a field, or NULL. */
static unsigned char *lp_find_field(unsigned char *lp, const char *f, size_t fn)
{
    unsigned char *p = lp_first(lp);

    if (p == NULL) {
        return NULL;
    }
    return lp_find(lp, p, f, (uint32_t)fn, 1);
}

/* Fills v with the value of a field: 0, or -1 if the field is absent. */
static int hash_get(obj *o, const char *f, size_t fn, hview *v)
{
    if (o->enc == ENC_LISTPACK) {
        unsigned char *fp = lp_find_field(o->ptr, f, fn);
        if (fp == NULL) {
            return -1;
        }
        view_lp(lp_next(o->ptr, fp), v);
        return 0;
    }
    dict_entry *de = dict_find(o->ptr, f, fn);
    if (de == NULL) {
        return -1;
    }
    view_cell(de->v.ptr, v);
    return 0;
}

static int hash_exists(obj *o, const char *f, size_t fn)
{
    if (o->enc == ENC_LISTPACK) {
        return lp_find_field(o->ptr, f, fn) != NULL;
    }
    return dict_find(o->ptr, f, fn) != NULL;
}

/* Listpack to dict, pre-sized so the copy never rehashes. */
static void hash_convert(obj *o)
{
    unsigned char *lp = o->ptr;
    dict *d = dict_create(&hash_dict_type);
    unsigned char *p = lp_first(lp);

    dict_expand(d, lp_length(lp) / 2);
    while (p != NULL) {
        hview f, v;
        unsigned char *vp = lp_next(lp, p);

        view_lp(p, &f);
        view_lp(vp, &v);
        dict_entry *de = dict_add(d, f.p, f.n);
        if (de == NULL) {
            /* Only a corrupt listpack repeats a field. */
            abort();
        }
        de->v.ptr = hval_create(v.p, v.n);
        p = lp_next(lp, vp);
    }
    lp_free(lp);
    o->ptr = d;
    o->enc = ENC_HT;
}

static int too_long(const server *srv, size_t n)
{
    return n > (unsigned long long)srv->cfg.hash_max_listpack_value;
}

/* Before HSET/HSETNX write anything: a listpack hash becomes a dict if any
 * argument in [start, end] is longer than hash-max-listpack-value, or if
 * they all together could push the listpack past its safety size. HSET
 * checks even fields that turn out to exist, as Redis does. */
static void hash_convert_for_args(server *srv, obj *o, const arg *argv,
                                  int start, int end)
{
    size_t sum = 0;

    if (o->enc != ENC_LISTPACK) {
        return;
    }
    for (int i = start; i <= end; i++) {
        if (too_long(srv, argv[i].n)) {
            hash_convert(o);
            return;
        }
        sum += argv[i].n;
    }
    if (!lp_safe_to_add(o->ptr, sum)) {
        hash_convert(o);
    }
}

/* Set a field. Returns 1 if it existed (value replaced), 0 if added. The
 * listpack becomes a dict when the field or value is too long for it (the
 * HINCRBY* path; HSET checked earlier) or when it has too many fields. */
static int hash_set(server *srv, obj *o, const char *f, size_t fn,
                    const char *v, size_t vn)
{
    if (o->enc == ENC_LISTPACK && (too_long(srv, fn) || too_long(srv, vn))) {
        hash_convert(o);
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *fp = lp_find_field(lp, f, fn);
        if (fp != NULL) {
            o->ptr = lp_replace(lp, lp_next(lp, fp), v, (uint32_t)vn, NULL);
            return 1;
        }
        lp = lp_append(lp, f, (uint32_t)fn);
        o->ptr = lp_append(lp, v, (uint32_t)vn);
        if (hash_len(o) >
            (unsigned long long)srv->cfg.hash_max_listpack_entries) {
            hash_convert(o);
        }
        return 0;
    }
    int existed;
    dict_entry *de = dict_add_or_find(o->ptr, f, fn, &existed);
    if (existed) {
        hval_free(de->v.ptr);
    }
    de->v.ptr = hval_create(v, vn);
    return existed;
}

/* Delete a field. Returns 1 if it was there. A dict never goes back to a
 * listpack. */
static int hash_delete(obj *o, const char *f, size_t fn)
{
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *fp = lp_find_field(lp, f, fn);
        unsigned char *vp;
        if (fp == NULL) {
            return 0;
        }
        lp = lp_delete(lp, fp, &vp);
        o->ptr = lp_delete(lp, vp, NULL);
        return 1;
    }
    return dict_delete(o->ptr, f, fn) == 0;
}

/* ---- iteration over both encodings ---- */

typedef struct hash_iter {
    obj *o;
    unsigned char *fp; /* listpack: current field entry */
    dict_iter di;      /* dict: safe iterator (pauses rehashing) */
    dict_entry *de;    /* dict: current entry */
    int done;
} hash_iter;

static void hash_iter_init(hash_iter *hi, obj *o)
{
    hi->o = o;
    hi->fp = NULL;
    hi->de = NULL;
    hi->done = 0;
    if (o->enc == ENC_HT) {
        dict_iter_init(&hi->di, o->ptr);
    }
}

/* Advance to the next pair: 1, or 0 at the end. */
static int hash_iter_next(hash_iter *hi)
{
    if (hi->done) {
        return 0;
    }
    if (hi->o->enc == ENC_LISTPACK) {
        unsigned char *lp = hi->o->ptr;
        hi->fp =
            hi->fp == NULL ? lp_first(lp) : lp_next(lp, lp_next(lp, hi->fp));
        hi->done = hi->fp == NULL;
    } else {
        hi->de = dict_iter_next(&hi->di);
        hi->done = hi->de == NULL;
    }
    return !hi->done;
}

static void hash_iter_field(const hash_iter *hi, hview *v)
{
    if (hi->o->enc == ENC_LISTPACK) {
        view_lp(hi->fp, v);
    } else {
        view_field(hi->de, v);
    }
}

static void hash_iter_value(const hash_iter *hi, hview *v)
{
    if (hi->o->enc == ENC_LISTPACK) {
        view_lp(lp_next(hi->o->ptr, hi->fp), v);
    } else {
        view_cell(hi->de->v.ptr, v);
    }
}

static void hash_iter_deinit(hash_iter *hi)
{
    if (hi->o->enc == ENC_HT) {
        dict_iter_deinit(&hi->di);
    }
}

/* ---- per-type operations for generic code (types.h) ---- */

void hash_free_value(obj *o)
{
    if (o->enc == ENC_LISTPACK) {
        lp_free(o->ptr);
    } else {
        dict *d = o->ptr;
        dict_destroy(&d);
    }
    o->ptr = NULL;
}

obj *hash_dup_value(const obj *o)
{
    obj *n;

    if (o->enc == ENC_LISTPACK) {
        n = obj_create(OBJ_HASH, lp_dup(o->ptr));
        n->enc = ENC_LISTPACK;
        return n;
    }
    /* The iterator only pauses the source's rehashing: its contents are
     * not changed. */
    dict *src = (dict *)o->ptr;
    dict *d = dict_create(&hash_dict_type);
    dict_iter it;
    dict_entry *de;

    dict_expand(d, dict_size(src));
    dict_iter_init(&it, src);
    while ((de = dict_iter_next(&it)) != NULL) {
        dict_entry *copy = dict_add(d, de->key, de->klen);
        copy->v.ptr = hval_dup(de->v.ptr);
    }
    dict_iter_deinit(&it);
    n = obj_create(OBJ_HASH, d);
    n->enc = ENC_HT;
    return n;
}

/* ---- hashtable hashes for rdb.c (types.h) ---- */

obj *hash_create_ht(size_t hint)
{
    obj *o = obj_create(OBJ_HASH, dict_create(&hash_dict_type));

    o->enc = ENC_HT;
    if (hint > 0) {
        dict_expand(o->ptr, hint);
    }
    return o;
}

int hash_ht_add(obj *o, const char *f, size_t fn, const char *v, size_t vn)
{
    dict_entry *de = dict_add(o->ptr, f, fn);

    if (de == NULL) {
        return -1;
    }
    de->v.ptr = hval_create(v, vn);
    return 0;
}

const char *hash_ht_value(const dict_entry *de, char *buf, size_t *len)
{
    return hval_view(de->v.ptr, buf, len);
}

/* ---- command helpers ---- */

/* Replies WRONGTYPE and returns -1 if o exists and is not a hash. */
static int check_hash(client *c, const obj *o)
{
    if (o != NULL && o->type != OBJ_HASH) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    return 0;
}

/* The hash at key for writing, created empty if missing; NULL after a
 * WRONGTYPE reply. */
static obj *lookup_write_or_create(client *c, const arg *key)
{
    obj *o = db_lookup_write(c, key);

    if (check_hash(c, o) != 0) {
        return NULL;
    }
    if (o == NULL) {
        o = hash_create();
        db_add(c->db, key->p, key->n, o);
    }
    return o;
}

static void signal_key(client *c, const arg *key)
{
    db_signal_modified(c, c->db, key->p, key->n);
}

/* Option words compared as C strings, as Redis's strcasecmp does. */
static int opt_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* ---- HSET, HMSET, HSETNX ---- */

static void hset_generic(client *c, int hmset)
{
    const arg *key = &c->argv[1];
    obj *o;
    long long created = 0;

    if (c->argc % 2 == 1) {
        reply_errorf(c, "wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    if ((o = lookup_write_or_create(c, key)) == NULL) {
        return;
    }
    hash_convert_for_args(c->srv, o, c->argv, 2, c->argc - 1);
    for (int i = 2; i < c->argc; i += 2) {
        const arg *f = &c->argv[i], *v = &c->argv[i + 1];
        created += !hash_set(c->srv, o, f->p, f->n, v->p, v->n);
    }
    if (hmset) {
        reply_ok(c);
    } else {
        reply_ll(c, created);
    }
    signal_key(c, key);
    notify_key(c, NOTIFY_HASH, "hset", key);
    c->srv->dirty += (c->argc - 2) / 2;
}

void cmd_hset(client *c)
{
    hset_generic(c, 0);
}

void cmd_hmset(client *c)
{
    hset_generic(c, 1);
}

void cmd_hsetnx(client *c)
{
    const arg *key = &c->argv[1], *f = &c->argv[2], *v = &c->argv[3];
    obj *o;

    if ((o = lookup_write_or_create(c, key)) == NULL) {
        return;
    }
    if (hash_exists(o, f->p, f->n)) {
        reply_ll(c, 0);
        return;
    }
    hash_convert_for_args(c->srv, o, c->argv, 2, 3);
    hash_set(c->srv, o, f->p, f->n, v->p, v->n);
    reply_ll(c, 1);
    signal_key(c, key);
    notify_key(c, NOTIFY_HASH, "hset", key);
    c->srv->dirty++;
}

/* ---- HGET, HMGET, HEXISTS, HLEN, HSTRLEN ---- */

void cmd_hget(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    hview v;

    if (check_hash(c, o) != 0) {
        return;
    }
    if (o == NULL || hash_get(o, c->argv[2].p, c->argv[2].n, &v) != 0) {
        reply_null(c);
        return;
    }
    reply_view(c, &v);
}

void cmd_hmget(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (check_hash(c, o) != 0) {
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        hview v;
        if (o == NULL || hash_get(o, c->argv[i].p, c->argv[i].n, &v) != 0) {
            reply_null(c);
        } else {
            reply_view(c, &v);
        }
    }
}

void cmd_hexists(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (check_hash(c, o) != 0) {
        return;
    }
    reply_ll(c, o != NULL && hash_exists(o, c->argv[2].p, c->argv[2].n));
}

void cmd_hlen(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (check_hash(c, o) != 0) {
        return;
    }
    reply_ll(c, o == NULL ? 0 : (long long)hash_len(o));
}

void cmd_hstrlen(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    hview v;

    if (check_hash(c, o) != 0) {
        return;
    }
    if (o == NULL || hash_get(o, c->argv[2].p, c->argv[2].n, &v) != 0) {
        reply_ll(c, 0);
        return;
    }
    reply_ll(c, (long long)v.n);
}

/* ---- HDEL ---- */

void cmd_hdel(client *c)
{
    const arg *key = &c->argv[1];
    obj *o = db_lookup_write(c, key);
    long long deleted = 0;

    if (check_hash(c, o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    int key_removed = 0;
    for (int i = 2; i < c->argc; i++) {
        if (hash_delete(o, c->argv[i].p, c->argv[i].n)) {
            deleted++;
            if (hash_len(o) == 0) {
                db_delete(c->db, key->p, key->n);
                key_removed = 1;
                break;
            }
        }
    }
    if (deleted > 0) {
        signal_key(c, key);
        notify_key(c, NOTIFY_HASH, "hdel", key);
        if (key_removed) {
            notify_key(c, NOTIFY_GENERIC, "del", key);
        }
        c->srv->dirty += deleted;
    }
    reply_ll(c, deleted);
}

/* ---- HGETALL, HKEYS, HVALS ---- */

#define WANT_FIELDS 1
#define WANT_VALUES 2

static void getall_generic(client *c, int want)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    int both = want == (WANT_FIELDS | WANT_VALUES);
    hash_iter hi;

    if (check_hash(c, o) != 0) {
        return;
    }
    long len = o == NULL ? 0 : (long)hash_len(o);
    /* A map when both are asked for (RESP3), a flat array otherwise. */
    if (both) {
        reply_map_len(c, len);
    } else {
        reply_array_len(c, len);
    }
    if (o == NULL) {
        return;
    }
    hash_iter_init(&hi, o);
    while (hash_iter_next(&hi)) {
        hview v;
        if (want & WANT_FIELDS) {
            hash_iter_field(&hi, &v);
            reply_view(c, &v);
        }
        if (want & WANT_VALUES) {
            hash_iter_value(&hi, &v);
            reply_view(c, &v);
        }
    }
    hash_iter_deinit(&hi);
}

void cmd_hgetall(client *c)
{
    getall_generic(c, WANT_FIELDS | WANT_VALUES);
}

void cmd_hkeys(client *c)
{
    getall_generic(c, WANT_FIELDS);
}

void cmd_hvals(client *c)
{
    getall_generic(c, WANT_VALUES);
}

/* ---- HINCRBY, HINCRBYFLOAT ---- */

void cmd_hincrby(client *c)
{
    const arg *key = &c->argv[1], *f = &c->argv[2];
    long long incr, value = 0;
    obj *o;
    hview v;

    if (util_str2ll(c->argv[3].p, c->argv[3].n, &incr) != 0) {
        reply_error(c, ERR_NOT_INT);
        return;
    }
    if ((o = lookup_write_or_create(c, key)) == NULL) {
        return;
    }
    if (hash_get(o, f->p, f->n, &v) == 0 &&
        util_str2ll(v.p, v.n, &value) != 0) {
        reply_error(c, "hash value is not an integer");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(c, ERR_OVERFLOW);
        return;
    }
    value += incr;

    char buf[LONG_STR_SIZE];
    int n = util_ll2str(buf, sizeof(buf), value);
    hash_set(c->srv, o, f->p, f->n, buf, (size_t)n);
    reply_ll(c, value);
    signal_key(c, key);
    notify_key(c, NOTIFY_HASH, "hincrby", key);
    c->srv->dirty++;
}

void cmd_hincrbyfloat(client *c)
{
    const arg *key = &c->argv[1], *f = &c->argv[2];
    long double incr, value = 0;
    obj *o;
    hview v;
    char buf[5 * 1024];

    if (util_str2ld(c->argv[3].p, c->argv[3].n, &incr) != 0) {
        reply_error(c, ERR_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "value is NaN or Infinity");
        return;
    }
    if ((o = lookup_write_or_create(c, key)) == NULL) {
        return;
    }
    if (hash_get(o, f->p, f->n, &v) == 0 &&
        util_str2ld(v.p, v.n, &value) != 0) {
        reply_error(c, "hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    int n = util_ld2str(buf, sizeof(buf), value, 1);
    hash_set(c->srv, o, f->p, f->n, buf, (size_t)n);
    /* A bulk string in RESP3 too, as Redis replies. */
    reply_bulk(c, buf, (size_t)n);
    signal_key(c, key);
    notify_key(c, NOTIFY_HASH, "hincrbyfloat", key);
    c->srv->dirty++;
    /* Effects: the exact result (HSET), not a float sum redone. */
    propagate_replace_argv(c, 4, PARG("HSET"), *key, *f,
                           (arg){buf, (size_t)n});
}

/* ---- HRANDFIELD ---- */

/* Uniform enough in [0, n) for n > 0; random() gives 31 bits, so two are
 * combined for huge hashes. */
static long rand_below(size_t n)
{
    uint64_t r = (uint64_t)random();

    if (n > (1UL << 31)) {
        r = (r << 31) ^ (uint64_t)random();
    }
    return (long)(r % n);
}

/* One field/value pair of a random reply: RESP3 nests each pair. */
static void reply_pair(client *c, const hview *f, const hview *v)
{
    if (v != NULL && c->resp > 2) {
        reply_array_len(c, 2);
    }
    reply_view(c, f);
    if (v != NULL) {
        reply_view(c, v);
    }
}

static void reply_lp_pair(client *c, unsigned char *lp, unsigned char *fp,
                          int withvalues)
{
    hview f, v;

    view_lp(fp, &f);
    if (withvalues) {
        view_lp(lp_next(lp, fp), &v);
    }
    reply_pair(c, &f, withvalues ? &v : NULL);
}

static void reply_de_pair(client *c, const dict_entry *de, int withvalues)
{
    hview f, v;

    view_field(de, &f);
    if (withvalues) {
        view_cell(de->v.ptr, &v);
    }
    reply_pair(c, &f, withvalues ? &v : NULL);
}

/* The field entries of a listpack hash, in order (size of them). */
static unsigned char **lp_field_array(unsigned char *lp, size_t size)
{
    unsigned char **out = mem_alloc(size * sizeof(*out));
    unsigned char *p = lp_first(lp);

    for (size_t i = 0; i < size; i++) {
        out[i] = p;
        p = lp_next(lp, lp_next(lp, p));
    }
    return out;
}

/* Negative count: count picks, repeats allowed. */
static void hrandfield_repeat(client *c, obj *o, unsigned long count,
                              int withvalues)
{
    size_t size = hash_len(o);

    reply_array_len(c, (long)(withvalues && c->resp == 2 ? count * 2 : count));
    if (o->enc == ENC_HT) {
        while (count-- > 0 && !(c->flags & CF_CLOSE_ASAP)) {
            reply_de_pair(c, dict_random(o->ptr), withvalues);
        }
        return;
    }
    unsigned char **fields = lp_field_array(o->ptr, size);
    while (count-- > 0 && !(c->flags & CF_CLOSE_ASAP)) {
        reply_lp_pair(c, o->ptr, fields[rand_below(size)], withvalues);
    }
    mem_free(fields);
}

/* count distinct fields out of size (count < size): a partial shuffle of
 * every entry when count is a good part of the hash, else random picks
 * with the ones seen remembered, as Redis splits the two cases. */
static void hrandfield_distinct(client *c, obj *o, size_t count, int withvalues)
{
    size_t size = hash_len(o);

    if (o->enc == ENC_LISTPACK || count * 3 > size) {
        void **all = mem_alloc(size * sizeof(*all));
        if (o->enc == ENC_LISTPACK) {
            unsigned char **f = lp_field_array(o->ptr, size);
            memcpy(all, f, size * sizeof(*all));
            mem_free(f);
        } else {
            dict_iter it;
            size_t i = 0;
            dict_iter_init(&it, o->ptr);
            while (i < size && (all[i] = dict_iter_next(&it)) != NULL) {
                i++;
            }
            dict_iter_deinit(&it);
        }
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)rand_below(size - i);
            void *t = all[i];
            all[i] = all[j];
            all[j] = t;
            if (o->enc == ENC_LISTPACK) {
                reply_lp_pair(c, o->ptr, all[i], withvalues);
            } else {
                reply_de_pair(c, all[i], withvalues);
            }
        }
        mem_free(all);
        return;
    }
    /* Entries don't move while we only read: their addresses identify
     * them in the set of those already replied. */
    dict *seen = dict_create(NULL);
    size_t added = 0;
    while (added < count) {
        dict_entry *de = dict_random(o->ptr);
        if (dict_add(seen, &de, sizeof(de)) == NULL) {
            continue;
        }
        reply_de_pair(c, de, withvalues);
        added++;
    }
    dict_destroy(&seen);
}

static void hrandfield_with_count(client *c, long l, int withvalues)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    unsigned long count;
    int distinct = l >= 0;

    if (check_hash(c, o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_array_len(c, 0);
        return;
    }
    count = l >= 0 ? (unsigned long)l : (unsigned long)-l;
    if (count == 0) {
        reply_array_len(c, 0);
        return;
    }
    if (!distinct || count == 1) {
        hrandfield_repeat(c, o, count, withvalues);
        return;
    }

    size_t size = hash_len(o);
    size_t n = count < size ? count : size;
    reply_array_len(c, (long)(withvalues && c->resp == 2 ? n * 2 : n));
    if (count >= size) {
        /* All of it, in the hash's own order. */
        hash_iter hi;
        hash_iter_init(&hi, o);
        while (hash_iter_next(&hi)) {
            hview f, v;
            hash_iter_field(&hi, &f);
            if (withvalues) {
                hash_iter_value(&hi, &v);
            }
            reply_pair(c, &f, withvalues ? &v : NULL);
        }
        hash_iter_deinit(&hi);
        return;
    }
    hrandfield_distinct(c, o, count, withvalues);
}

void cmd_hrandfield(client *c)
{
    if (c->argc >= 3) {
        long long l;
        int withvalues = 0;

        if (util_str2ll(c->argv[2].p, c->argv[2].n, &l) != 0) {
            reply_error(c, ERR_NOT_INT);
            return;
        }
        if (l < -LONG_MAX) {
            reply_errorf(c,
                         "value is out of range, value must between %ld "
                         "and %ld",
                         -LONG_MAX, LONG_MAX);
            return;
        }
        if (c->argc > 4 ||
            (c->argc == 4 && !opt_is(&c->argv[3], "withvalues"))) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        if (c->argc == 4) {
            withvalues = 1;
            /* Keeps count * 2 (the RESP2 reply length) in range. */
            if (l < -LONG_MAX / 2 || l > LONG_MAX / 2) {
                reply_error(c, "value is out of range");
                return;
            }
        }
        hrandfield_with_count(c, (long)l, withvalues);
        return;
    }

    obj *o = db_lookup_read(c, &c->argv[1]);
    hview f;
    if (check_hash(c, o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (o->enc == ENC_HT) {
        view_field(dict_random(o->ptr), &f);
    } else {
        unsigned char *lp = o->ptr;
        view_lp(lp_seek(lp, 2 * rand_below(hash_len(o))), &f);
    }
    reply_view(c, &f);
}

/* ---- HSCAN ---- */

/* Pairs collected by one HSCAN call on a dict. */
typedef struct scan_acc {
    const arg *pat; /* NULL: everything */
    str *items;     /* field, value, field, value... */
    size_t n, cap;
    size_t visited; /* fields and values seen, kept or not */
} scan_acc;

static int scan_keep(const arg *pat, const hview *f)
{
    return pat == NULL || util_glob_match(pat->p, pat->n, f->p, f->n, 0);
}

static void scan_collect(void *priv, const dict_entry *de)
{
    scan_acc *acc = priv;
    hview f, v;

    acc->visited += 2;
    view_field(de, &f);
    if (!scan_keep(acc->pat, &f)) {
        return;
    }
    view_cell(de->v.ptr, &v);
    if (acc->n + 2 > acc->cap) {
        acc->cap = acc->cap == 0 ? 16 : acc->cap * 2;
        acc->items = mem_realloc(acc->items, acc->cap * sizeof(str));
    }
    acc->items[acc->n++] = str_new(f.p, f.n);
    acc->items[acc->n++] = str_new(v.p, v.n);
}

static void reply_cursor(client *c, unsigned long long cursor)
{
    char buf[LONG_STR_SIZE];
    int n = util_ull2str(buf, sizeof(buf), cursor);

    reply_array_len(c, 2);
    reply_bulk(c, buf, (size_t)n);
}

void cmd_hscan(client *c)
{
    unsigned long long cursor;
    long long count = 10;
    const arg *pat = NULL;
    obj *o;

    if (scan_parse_cursor(c, &c->argv[2], &cursor) != 0) {
        return;
    }
    o = db_lookup_read(c, &c->argv[1]);
    if (check_hash(c, o) != 0) {
        return;
    }
    if (o == NULL) {
        reply_cursor(c, 0);
        reply_array_len(c, 0);
        return;
    }
    /* Options are parsed only once the key is known to be a hash. */
    scan_opts opts;
    if (scan_parse_options(c, 3, 0, &opts) != 0) {
        return;
    }
    count = opts.count;
    pat = opts.pattern;

    if (o->enc == ENC_LISTPACK) {
        /* A listpack is small: all of it at once, cursor 0. */
        hash_iter hi;
        long n = 0;
        reply_cursor(c, 0);
        void *len = reply_defer_len(c);
        hash_iter_init(&hi, o);
        while (hash_iter_next(&hi)) {
            hview f, v;
            hash_iter_field(&hi, &f);
            if (!scan_keep(pat, &f)) {
                continue;
            }
            hash_iter_value(&hi, &v);
            reply_view(c, &f);
            reply_view(c, &v);
            n += 2;
        }
        hash_iter_deinit(&hi);
        reply_set_deferred_array(c, len, n);
        return;
    }

    /* As Redis: about count fields and values (each counts one), at most
     * 10 * count bucket visits. */
    scan_acc acc = {pat, NULL, 0, 0, 0};
    long long budget = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    do {
        cursor = dict_scan(o->ptr, cursor, scan_collect, &acc);
    } while (cursor != 0 && budget-- > 0 &&
             acc.visited < (unsigned long long)count);
    reply_cursor(c, cursor);
    reply_array_len(c, (long)acc.n);
    for (size_t i = 0; i < acc.n; i++) {
        reply_bulk(c, acc.items[i], str_len(acc.items[i]));
        str_free(acc.items[i]);
    }
    mem_free(acc.items);
}
