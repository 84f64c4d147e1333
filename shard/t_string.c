/* t_string: the string commands (SET/GET families, counters, byte ranges,
 * LCS). Replies, error texts and evaluation order follow redis-server 7.0
 * so that clients see the same answers for the same requests. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "db.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "util.h"

static const char err_exceeds_max[] =
    "string exceeds maximum allowed size (proto-max-bulk-len)";

/* ---- shared helpers ---- */

/* Redis compares option words as C strings, so "nx\0junk" still means NX;
 * do the same to give the same answer for such arguments. */
static int opt_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* Parse an integer argument, replying the standard error if it isn't one.
 * Returns 0 or -1. */
static int arg_ll(client *c, const arg *a, long long *out)
{
    if (util_str2ll(a->p, a->n, out) != 0) {
        reply_error(c, ERR_NOT_INT);
        return -1;
    }
    return 0;
}

/* The object a value argument is stored as: exactly what obj_try_encode
 * makes of a fresh string object (int, embstr or raw), but built with a
 * single allocation straight from the argument bytes. */
static obj *value_from_arg(const arg *a)
{
    long long v;

    if (a->n <= 20 && util_str2ll(a->p, a->n, &v) == 0) {
        return obj_create_ll(v);
    }
    return obj_create_string(a->p, a->n);
}

/* Replies WRONGTYPE and returns -1 if o exists and is not a string. */
static int check_string(client *c, const obj *o)
{
    if (o != NULL && o->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    return 0;
}

/* Would a string of size bytes plus append more exceed the configured
 * maximum (or overflow)? Replies the error and returns -1 if so. */
static int check_length(client *c, unsigned long long size,
                        unsigned long long append)
{
    unsigned long long total = size + append;
    long long max = c->srv->cfg.proto_max_bulk_len;

    if (total < size || total > (unsigned long long)max) {
        reply_error(c, err_exceeds_max);
        return -1;
    }
    return 0;
}

static void signal_key(client *c, const arg *key)
{
    db_signal_modified(c, c->db, key->p, key->n);
}

/* GET's reply for key: the value, or null when absent. Returns -1 (after
 * replying WRONGTYPE) if the key holds another type. */
static int get_generic(client *c, const arg *key)
{
    obj *o = db_lookup_read(c, key);

    if (o == NULL) {
        reply_null(c);
        return 0;
    }
    if (check_string(c, o) != 0) {
        return -1;
    }
    reply_bulk_obj(c, o);
    return 0;
}

/* ---- SET and its options ---- */

enum set_flag {
    SET_NX = 1 << 0,
    SET_XX = 1 << 1,
    SET_GET = 1 << 2,
    SET_KEEPTTL = 1 << 3,
    SET_PERSIST = 1 << 4,
    SET_EX = 1 << 5,
    SET_PX = 1 << 6,
    SET_EXAT = 1 << 7,
    SET_PXAT = 1 << 8,
};
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/* What the option parser may accept: SET's words or GETEX's. */
enum { OPTS_SET, OPTS_GETEX };

/* Parse the options of SET (from argv[3]) or GETEX (from argv[2]). Each
 * word is accepted only when it doesn't conflict with the earlier ones
 * (repeating the same expiry word is allowed, the last value wins), as in
 * Redis; anything else is a syntax error. Returns 0 or -1 (replied). */
static int parse_expire_opts(client *c, int kind, int *flags,
                             const arg **expire)
{
    int set = kind == OPTS_SET;

    for (int j = set ? 3 : 2; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        const arg *next = j + 1 < c->argc ? &c->argv[j + 1] : NULL;
        int f = *flags;
        int ttl = f & (SET_KEEPTTL | SET_PERSIST);

        if (set && opt_is(a, "nx") && !(f & SET_XX)) {
            *flags |= SET_NX;
        } else if (set && opt_is(a, "xx") && !(f & SET_NX)) {
            *flags |= SET_XX;
        } else if (set && opt_is(a, "get")) {
            *flags |= SET_GET;
        } else if (set && opt_is(a, "keepttl") &&
                   !(f & (SET_PERSIST | SET_ANY_EXPIRE))) {
            *flags |= SET_KEEPTTL;
        } else if (!set && opt_is(a, "persist") &&
                   !(f & (SET_KEEPTTL | SET_ANY_EXPIRE))) {
            *flags |= SET_PERSIST;
        } else if (opt_is(a, "ex") && next != NULL && !ttl &&
                   !(f & (SET_PX | SET_EXAT | SET_PXAT))) {
            *flags |= SET_EX;
            *expire = next;
            j++;
        } else if (opt_is(a, "px") && next != NULL && !ttl &&
                   !(f & (SET_EX | SET_EXAT | SET_PXAT))) {
            *flags |= SET_PX;
            *expire = next;
            j++;
        } else if (opt_is(a, "exat") && next != NULL && !ttl &&
                   !(f & (SET_EX | SET_PX | SET_PXAT))) {
            *flags |= SET_EXAT;
            *expire = next;
            j++;
        } else if (opt_is(a, "pxat") && next != NULL && !ttl &&
                   !(f & (SET_EX | SET_PX | SET_EXAT))) {
            *flags |= SET_PXAT;
            *expire = next;
            j++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* Turn an expiry argument into an absolute Unix time in ms. Relative
 * forms (EX, PX) add the current time. Zero, negative and overflowing
 * times are refused with Redis's error. Returns 0 or -1 (replied). */
static int expire_at_ms(client *c, const arg *a, int flags, long long *out)
{
    long long ms;
    int seconds = (flags & (SET_EX | SET_EXAT)) != 0;

    if (arg_ll(c, a, &ms) != 0) {
        return -1;
    }
    if (ms <= 0 || (seconds && ms > LLONG_MAX / 1000)) {
        goto invalid;
    }
    if (seconds) {
        ms *= 1000;
    }
    if (flags & (SET_EX | SET_PX)) {
        long long now = c->srv->mstime;
        if (ms > LLONG_MAX - now) {
            goto invalid;
        }
        ms += now;
    }
    *out = ms;
    return 0;
invalid:
    reply_errorf(c, "invalid expire time in '%s' command", c->cmd->fullname);
    return -1;
}

/* How SET-like commands answer: SET's +OK / null, or SETNX's 1 / 0. */
enum { SET_REPLY_OK, SET_REPLY_BOOL };

/* The common body of SET, SETNX, SETEX and PSETEX. */
static void set_generic(client *c, int flags, const arg *key, const arg *val,
                        const arg *expire, int reply_kind)
{
    long long when = 0;
    db *d = c->db;

    if (expire != NULL && expire_at_ms(c, expire, flags, &when) != 0) {
        return;
    }
    if ((flags & SET_GET) && get_generic(c, key) != 0) {
        return;
    }
    if (flags & (SET_NX | SET_XX)) {
        int found = db_lookup_write(c, key) != NULL;
        if (((flags & SET_NX) && found) || ((flags & SET_XX) && !found)) {
            if (!(flags & SET_GET)) {
                if (reply_kind == SET_REPLY_BOOL) {
                    reply_ll(c, 0);
                } else {
                    reply_null(c);
                }
            }
            return;
        }
    } else {
        /* An expired key must go first: KEEPTTL must not keep its TTL. */
        db_expire_if_needed(c->srv, d, key->p, key->n);
    }
    db_set(c, d, key->p, key->n, value_from_arg(val),
           (flags & SET_KEEPTTL) != 0);
    if (expire != NULL) {
        /* A time already past still goes in: the key then expires on its
         * next access, exactly as in Redis. */
        db_set_expire(d, key->p, key->n, when);
        /* Effects: SET key val PXAT <absolute ms> (other options off). */
        if (!(flags & SET_PXAT)) {
            propagate_as_set_pxat(c, key, val, when);
        }
    }
    notify_key(c, NOTIFY_STRING, "set", key);
    if (expire != NULL) {
        notify_key(c, NOTIFY_GENERIC, "expire", key);
    }
    c->srv->dirty++;
    if (!(flags & SET_GET)) {
        if (reply_kind == SET_REPLY_BOOL) {
            reply_ll(c, 1);
        } else {
            reply_ok(c);
        }
    }
}

void cmd_set(client *c)
{
    int flags = 0;
    const arg *expire = NULL;

    if (c->argc > 3 && parse_expire_opts(c, OPTS_SET, &flags, &expire) != 0) {
        return;
    }
    set_generic(c, flags, &c->argv[1], &c->argv[2], expire, SET_REPLY_OK);
}

void cmd_setnx(client *c)
{
    set_generic(c, SET_NX, &c->argv[1], &c->argv[2], NULL, SET_REPLY_BOOL);
}

void cmd_setex(client *c)
{
    set_generic(c, SET_EX, &c->argv[1], &c->argv[3], &c->argv[2], SET_REPLY_OK);
}

void cmd_psetex(client *c)
{
    set_generic(c, SET_PX, &c->argv[1], &c->argv[3], &c->argv[2], SET_REPLY_OK);
}

/* ---- GET family ---- */

void cmd_get(client *c)
{
    get_generic(c, &c->argv[1]);
}

void cmd_getex(client *c)
{
    const arg *key = &c->argv[1];
    const arg *expire = NULL;
    int flags = 0;
    long long when = 0;

    if (parse_expire_opts(c, OPTS_GETEX, &flags, &expire) != 0) {
        return;
    }
    obj *o = db_lookup_read(c, key);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (check_string(c, o) != 0) {
        return;
    }
    if (expire != NULL && expire_at_ms(c, expire, flags, &when) != 0) {
        return;
    }
    /* Reply first: the value may be freed below. */
    reply_bulk_obj(c, o);
    if ((flags & (SET_EXAT | SET_PXAT)) && when <= c->srv->mstime) {
        db_delete(c->db, key->p, key->n);
        propagate_as_expired_delete(c, key);
        signal_key(c, key);
        notify_key(c, NOTIFY_GENERIC, "del", key);
        c->srv->dirty++;
    } else if (expire != NULL) {
        db_set_expire(c->db, key->p, key->n, when);
        propagate_as_pexpireat(c, key, when, c->argc);
        signal_key(c, key);
        notify_key(c, NOTIFY_GENERIC, "expire", key);
        c->srv->dirty++;
    } else if (flags & SET_PERSIST) {
        if (db_remove_expire(c->db, key->p, key->n)) {
            propagate_replace_argv(c, 2, PARG("PERSIST"), *key);
            signal_key(c, key);
            notify_key(c, NOTIFY_GENERIC, "persist", key);
            c->srv->dirty++;
        }
    }
}

void cmd_getdel(client *c)
{
    const arg *key = &c->argv[1];

    if (get_generic(c, key) != 0) {
        return;
    }
    if (db_delete(c->db, key->p, key->n)) {
        propagate_replace_argv(c, 2, PARG("DEL"), *key);
        signal_key(c, key);
        notify_key(c, NOTIFY_GENERIC, "del", key);
        c->srv->dirty++;
    }
}

void cmd_getset(client *c)
{
    const arg *key = &c->argv[1];

    if (get_generic(c, key) != 0) {
        return;
    }
    db_set(c, c->db, key->p, key->n, value_from_arg(&c->argv[2]), 0);
    notify_key(c, NOTIFY_STRING, "set", key);
    c->srv->dirty++;
}

void cmd_mget(client *c)
{
    reply_array_len(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        obj *o = db_lookup_read(c, &c->argv[j]);
        if (o == NULL || o->type != OBJ_STRING) {
            reply_null(c);
        } else {
            reply_bulk_obj(c, o);
        }
    }
}

/* ---- MSET / MSETNX ---- */

static void mset_generic(client *c, int nx)
{
    db *d = c->db;

    if (c->argc % 2 == 0) {
        reply_errorf(c, "wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    /* MSETNX sets nothing if any key exists. */
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (db_lookup_write(c, &c->argv[j]) != NULL) {
                reply_ll(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        const arg *key = &c->argv[j];
        db_expire_if_needed(c->srv, d, key->p, key->n);
        db_set(c, d, key->p, key->n, value_from_arg(&c->argv[j + 1]), 0);
        notify_key(c, NOTIFY_STRING, "set", key);
    }
    c->srv->dirty += (c->argc - 1) / 2;
    if (nx) {
        reply_ll(c, 1);
    } else {
        reply_ok(c);
    }
}

void cmd_mset(client *c)
{
    mset_generic(c, 0);
}

void cmd_msetnx(client *c)
{
    mset_generic(c, 1);
}

/* ---- byte-level edits and reads ---- */

void cmd_append(client *c)
{
    const arg *key = &c->argv[1];
    const arg *val = &c->argv[2];
    obj *o = db_lookup_write(c, key);
    size_t total;

    if (o == NULL) {
        db_add(c->db, key->p, key->n, value_from_arg(val));
        total = val->n;
    } else {
        if (check_string(c, o) != 0 ||
            check_length(c, obj_str_len(o), val->n) != 0) {
            return;
        }
        /* Appending makes the value raw, as in Redis. */
        o = db_unshare_string(c->db, key->p, key->n, o);
        o->ptr = str_cat(o->ptr, val->p, val->n);
        total = str_len(o->ptr);
    }
    signal_key(c, key);
    notify_key(c, NOTIFY_STRING, "append", key);
    c->srv->dirty++;
    reply_ll(c, (long long)total);
}

void cmd_strlen(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_string(c, o) != 0) {
        return;
    }
    reply_ll(c, (long long)obj_str_len(o));
}

void cmd_setrange(client *c)
{
    const arg *key = &c->argv[1];
    const arg *val = &c->argv[3];
    long long offset;
    obj *o;

    if (arg_ll(c, &c->argv[2], &offset) != 0) {
        return;
    }
    if (offset < 0) {
        reply_error(c, "offset is out of range");
        return;
    }
    o = db_lookup_write(c, key);
    if (o == NULL) {
        if (val->n == 0) {
            reply_ll(c, 0);
            return;
        }
        if (check_length(c, (unsigned long long)offset, val->n) != 0) {
            return;
        }
        /* Zero-filled up to the offset. */
        o = obj_create_raw_string(NULL, (size_t)offset + val->n);
        db_add(c->db, key->p, key->n, o);
    } else {
        if (check_string(c, o) != 0) {
            return;
        }
        if (val->n == 0) {
            reply_ll(c, (long long)obj_str_len(o));
            return;
        }
        if (check_length(c, (unsigned long long)offset, val->n) != 0) {
            return;
        }
        o = db_unshare_string(c->db, key->p, key->n, o);
        o->ptr = str_grow_zero(o->ptr, (size_t)offset + val->n);
    }
    memcpy((char *)o->ptr + offset, val->p, val->n);
    signal_key(c, key);
    notify_key(c, NOTIFY_STRING, "setrange", key);
    c->srv->dirty++;
    reply_ll(c, (long long)str_len(o->ptr));
}

void cmd_getrange(client *c)
{
    long long start, end;
    char buf[LONG_STR_SIZE];
    size_t len;

    if (arg_ll(c, &c->argv[2], &start) != 0 ||
        arg_ll(c, &c->argv[3], &end) != 0) {
        return;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_bulk(c, "", 0);
        return;
    }
    if (check_string(c, o) != 0) {
        return;
    }
    const char *p = obj_str_view(o, buf, &len);
    long long slen = (long long)len;

    if (start < 0 && end < 0 && start > end) {
        reply_bulk(c, "", 0);
        return;
    }
    /* Negative indexes count from the end (no overflow: one side of each
     * sum is negative, the other non-negative). */
    if (start < 0) {
        start += slen;
    }
    if (end < 0) {
        end += slen;
    }
    if (start < 0) {
        start = 0;
    }
    if (end < 0) {
        end = 0;
    }
    if (end >= slen) {
        end = slen - 1;
    }
    if (start > end || slen == 0) {
        reply_bulk(c, "", 0);
        return;
    }
    reply_bulk(c, p + start, (size_t)(end - start + 1));
}

void cmd_substr(client *c)
{
    cmd_getrange(c);
}

/* ---- counters ---- */

static void incr_decr(client *c, long long incr)
{
    const arg *key = &c->argv[1];
    obj *o = db_lookup_write(c, key);
    long long value = 0;

    if (o != NULL) {
        if (check_string(c, o) != 0) {
            return;
        }
        if (obj_get_ll(o, &value) != 0) {
            reply_error(c, ERR_NOT_INT);
            return;
        }
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(c, ERR_OVERFLOW);
        return;
    }
    value += incr;
    /* A private int object is updated in place; values in the shared
     * range use the shared objects instead. */
    if (o != NULL && o->refcount == 1 && o->enc == ENC_INT &&
        (value < 0 || value >= OBJ_SHARED_INTEGERS)) {
        o->ptr = (void *)(intptr_t)value;
    } else if (o != NULL) {
        db_overwrite(c->db, key->p, key->n, obj_create_ll(value));
    } else {
        db_add(c->db, key->p, key->n, obj_create_ll(value));
    }
    signal_key(c, key);
    notify_key(c, NOTIFY_STRING, "incrby", key);
    c->srv->dirty++;
    reply_ll(c, value);
}

void cmd_incr(client *c)
{
    incr_decr(c, 1);
}

void cmd_decr(client *c)
{
    incr_decr(c, -1);
}

void cmd_incrby(client *c)
{
    long long incr;

    if (arg_ll(c, &c->argv[2], &incr) != 0) {
        return;
    }
    incr_decr(c, incr);
}

void cmd_decrby(client *c)
{
    long long incr;

    if (arg_ll(c, &c->argv[2], &incr) != 0) {
        return;
    }
    if (incr == LLONG_MIN) {
        reply_error(c, "decrement would overflow");
        return;
    }
    incr_decr(c, -incr);
}

void cmd_incrbyfloat(client *c)
{
    const arg *key = &c->argv[1];
    const arg *a = &c->argv[2];
    obj *o = db_lookup_write(c, key);
    long double value = 0, incr;
    char buf[5 * 1024];

    if (check_string(c, o) != 0) {
        return;
    }
    if ((o != NULL && obj_get_ld(o, &value) != 0) ||
        util_str2ld(a->p, a->n, &incr) != 0) {
        reply_error(c, ERR_NOT_FLOAT);
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    /* Stored as the text replied (embstr or raw, never int), as Redis
     * does. */
    int n = util_ld2str(buf, sizeof(buf), value, 1);
    obj *nv = obj_create_string(buf, (size_t)n);
    if (o != NULL) {
        db_overwrite(c->db, key->p, key->n, nv);
    } else {
        db_add(c->db, key->p, key->n, nv);
    }
    signal_key(c, key);
    notify_key(c, NOTIFY_STRING, "incrbyfloat", key);
    c->srv->dirty++;
    /* Effects: the exact result, not a float sum redone elsewhere. */
    propagate_replace_argv(c, 4, PARG("SET"), *key,
                           (arg){buf, (size_t)n}, PARG("KEEPTTL"));
    reply_bulk(c, buf, (size_t)n);
}

/* ---- LCS ---- */

typedef struct lcs_opts {
    int len;
    int idx;
    int withmatchlen;
    long long minmatchlen;
} lcs_opts;

/* One range pair of LCS IDX: [a0, a1] in the first string, [b0, b1] in
 * the second. */
static void lcs_emit(client *c, const lcs_opts *op, uint32_t a0, uint32_t a1,
                     uint32_t b0, uint32_t b1)
{
    reply_array_len(c, 2 + op->withmatchlen);
    reply_array_len(c, 2);
    reply_ll(c, a0);
    reply_ll(c, a1);
    reply_array_len(c, 2);
    reply_ll(c, b0);
    reply_ll(c, b1);
    if (op->withmatchlen) {
        reply_ll(c, (long long)(a1 - a0 + 1));
    }
}

/* LEN alone needs only the table's last row: two rows of memory, as long
 * as the shorter string (the length is the same either way round). */
static uint32_t lcs_length(const char *a, uint32_t alen, const char *b,
                           uint32_t blen)
{
    if (blen > alen) {
        const char *tp = a;
        uint32_t tl = alen;
        a = b;
        alen = blen;
        b = tp;
        blen = tl;
    }
    uint32_t *prev = mem_calloc(sizeof(uint32_t) * ((size_t)blen + 1));
    uint32_t *cur = mem_calloc(sizeof(uint32_t) * ((size_t)blen + 1));

    for (uint32_t i = 1; i <= alen; i++) {
        for (uint32_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1]) {
                cur[j] = prev[j - 1] + 1;
            } else {
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
            }
        }
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    uint32_t r = prev[blen];
    mem_free(prev);
    mem_free(cur);
    return r;
}

/* The full table T[i][j] = LCS length of a[0..i) and b[0..j), walked back
 * from the end to build the string and the matching ranges. The walk (on
 * a tie it moves along b) fixes which of several equally long answers is
 * returned; it is the one Redis returns. */
static void lcs_full(client *c, const lcs_opts *op, const char *a,
                     uint32_t alen, const char *b, uint32_t blen, uint32_t *t)
{
    size_t w = (size_t)blen + 1;
#define T(i, j) t[(size_t)(i)*w + (j)]

    for (uint32_t j = 0; j <= blen; j++) {
        T(0, j) = 0;
    }
    for (uint32_t i = 1; i <= alen; i++) {
        T(i, 0) = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1]) {
                T(i, j) = T(i - 1, j - 1) + 1;
            } else {
                uint32_t up = T(i - 1, j), left = T(i, j - 1);
                T(i, j) = up > left ? up : left;
            }
        }
    }

    uint32_t total = T(alen, blen);
    uint32_t k = total;
    char *result = op->idx ? NULL : mem_alloc((size_t)total + 1);
    void *deferred = NULL;
    long ranges = 0;
    /* The range being grown backwards; open == 0 when there is none. */
    int open = 0;
    uint32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;

    if (op->idx) {
        reply_map_len(c, 2);
        reply_bulk(c, "matches", 7);
        deferred = reply_defer_len(c);
    }
    uint32_t i = alen, j = blen;
    while (i > 0 && j > 0) {
        int emit = 0;
        if (a[i - 1] == b[j - 1]) {
            if (result != NULL) {
                result[k - 1] = a[i - 1];
            }
            if (!open) {
                open = 1;
                a0 = a1 = i - 1;
                b0 = b1 = j - 1;
            } else {
                /* Consecutive matches always extend the open range. */
                a0--;
                b0--;
            }
            /* A range touching the start of either string is complete. */
            if (a0 == 0 || b0 == 0) {
                emit = 1;
            }
            k--;
            i--;
            j--;
        } else {
            if (T(i - 1, j) > T(i, j - 1)) {
                i--;
            } else {
                j--;
            }
            emit = open;
        }
        if (emit) {
            if (op->idx && (op->minmatchlen == 0 ||
                            (long long)(a1 - a0 + 1) >= op->minmatchlen)) {
                lcs_emit(c, op, a0, a1, b0, b1);
                ranges++;
            }
            open = 0;
        }
    }
#undef T

    if (op->idx) {
        reply_bulk(c, "len", 3);
        reply_ll(c, total);
        reply_set_deferred_array(c, deferred, ranges);
    } else {
        reply_bulk(c, result, total);
        mem_free(result);
    }
}

void cmd_lcs(client *c)
{
    obj *oa = db_lookup_read(c, &c->argv[1]);
    obj *ob = db_lookup_read(c, &c->argv[2]);
    lcs_opts op = {0, 0, 0, 0};
    char abuf[LONG_STR_SIZE], bbuf[LONG_STR_SIZE];
    size_t alen = 0, blen = 0;
    const char *a = "", *b = "";

    if ((oa != NULL && oa->type != OBJ_STRING) ||
        (ob != NULL && ob->type != OBJ_STRING)) {
        reply_error(c, "The specified keys must contain string values");
        return;
    }
    if (oa != NULL) {
        a = obj_str_view(oa, abuf, &alen);
    }
    if (ob != NULL) {
        b = obj_str_view(ob, bbuf, &blen);
    }
    for (int j = 3; j < c->argc; j++) {
        const arg *opt = &c->argv[j];
        int more = c->argc - 1 - j;

        if (opt_is(opt, "idx")) {
            op.idx = 1;
        } else if (opt_is(opt, "len")) {
            op.len = 1;
        } else if (opt_is(opt, "withmatchlen")) {
            op.withmatchlen = 1;
        } else if (opt_is(opt, "minmatchlen") && more) {
            if (arg_ll(c, &c->argv[j + 1], &op.minmatchlen) != 0) {
                return;
            }
            if (op.minmatchlen < 0) {
                op.minmatchlen = 0;
            }
            j++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (op.idx && op.len) {
        reply_error(c, "If you want both the length and indexes, please "
                       "just use IDX.");
        return;
    }
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(c, "String too long for LCS");
        return;
    }
    /* Redis refuses a table bigger than proto-max-bulk-len; so do we, even
     * for LEN which here needs far less memory, to answer alike. */
    unsigned long long cells = (unsigned long long)(alen + 1) * (blen + 1);
    unsigned long long bytes = cells * sizeof(uint32_t);
    int sized = bytes / sizeof(uint32_t) == cells && bytes < SIZE_MAX;
    if (sized && bytes > (unsigned long long)c->srv->cfg.proto_max_bulk_len) {
        reply_error(c, "Insufficient memory, transient memory for LCS "
                       "exceeds proto-max-bulk-len");
        return;
    }
    if (sized && op.len) {
        reply_ll(c, lcs_length(a, (uint32_t)alen, b, (uint32_t)blen));
        return;
    }
    uint32_t *table = sized ? mem_try_alloc((size_t)bytes) : NULL;
    if (table == NULL) {
        reply_error(c, "Insufficient memory, failed allocating transient "
                       "memory for LCS");
        return;
    }
    lcs_full(c, &op, a, (uint32_t)alen, b, (uint32_t)blen, table);
    mem_free(table);
}
