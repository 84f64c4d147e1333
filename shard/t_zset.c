/* t_zset: sorted sets. The two encodings (listpack, skiplist + member
 * index), conversions between them at Redis 7.0's thresholds, and the
 * commands that act on single members; ranges and set algebra live in
 * t_zset_ops.c. */
#include "t_zset.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "blocking.h"
#include "cmd.h"
#include "db.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "scan.h"
#include "types.h"
#include "util.h"

/* ==== values ============================================================== */

obj *zset_create_listpack(void)
{
    obj *o = obj_create(OBJ_ZSET, lp_new(0));

    o->enc = ENC_LISTPACK;
    return o;
}

/* An empty skiplist zset with room for about n members. */
static zset *zs_new(size_t n)
{
    zset *zs = mem_alloc(sizeof(*zs));

    zs->zsl = zsl_create();
    zidx_init(&zs->idx, n);
    return zs;
}

obj *zset_create_skiplist(void)
{
    obj *o = obj_create(OBJ_ZSET, zs_new(0));

    o->enc = ENC_SKIPLIST;
    return o;
}

obj *zset_create_for_size(const server *srv, long size)
{
    if (size > (long)srv->cfg.zset_max_listpack_entries) {
        return zset_create_skiplist();
    }
    return zset_create_listpack();
}

static void zs_free(zset *zs)
{
    zsl_destroy(&zs->zsl);
    zidx_deinit(&zs->idx);
    mem_free(zs);
}

void zset_free_value(obj *o)
{
    if (o->enc == ENC_LISTPACK) {
        lp_free(o->ptr);
    } else {
        zs_free(o->ptr);
    }
    o->ptr = NULL;
}

obj *zset_dup_value(const obj *o)
{
    obj *d;

    if (o->enc == ENC_LISTPACK) {
        d = obj_create(OBJ_ZSET, lp_dup(o->ptr));
        d->enc = ENC_LISTPACK;
        return d;
    }
    const zset *src = o->ptr;
    zset *zs = zs_new(zsl_length(src->zsl));
    /* Insert from the tail: each new node goes in front of the last. */
    for (zsl_node *x = zsl_last(src->zsl); x != NULL; x = x->backward) {
        size_t len = str_len(x->ele);
        zsl_node *n = zsl_insert(zs->zsl, x->score, x->ele, len);
        zidx_add(&zs->idx, n);
    }
    d = obj_create(OBJ_ZSET, zs);
    d->enc = ENC_SKIPLIST;
    return d;
}

size_t zset_length(const obj *o)
{
    if (o->enc == ENC_LISTPACK) {
        return lp_length(o->ptr) / 2;
    }
    return zsl_length(((const zset *)o->ptr)->zsl);
}

/* ==== listpack helpers ==================================================== */

double zl_get_score(const unsigned char *sptr)
{
    lp_val v;
    char buf[128];

    lp_get_val(sptr, &v);
    if (v.s == NULL) {
        return (double)v.v;
    }
    /* Stored scores are short "%.17g" texts; Redis parses at most 127
     * bytes the same way. */
    size_t n = v.slen < sizeof(buf) - 1 ? v.slen : sizeof(buf) - 1;
    memcpy(buf, v.s, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

const char *zl_member(const unsigned char *p, size_t *len,
                      unsigned char buf[LP_INTBUF_SIZE])
{
    uint32_t n;
    const unsigned char *s = lp_get(p, &n, buf);

    *len = n;
    return (const char *)s;
}

/* memcmp order, shorter first on a common prefix (as the skiplist). */
static int member_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;

    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* The member entry of (m, n) and its score, or NULL. */
static unsigned char *zl_find(unsigned char *lp, const char *m, size_t n,
                              double *score)
{
    unsigned char *eptr = lp_first(lp);

    if (eptr == NULL) {
        return NULL;
    }
    eptr = lp_find(lp, eptr, m, (uint32_t)n, 1);
    if (eptr != NULL && score != NULL) {
        *score = zl_get_score(lp_next(lp, eptr));
    }
    return eptr;
}

/* Redis 7.0.15 stores a score that is an integer within +-2^62 in the
 * integer encoding (so -0 becomes 0) and any other in its "%.17g" text. */
static int score_as_ll(double d, long long *out)
{
    if (d < (double)(-LLONG_MAX / 2) || d > (double)(LLONG_MAX / 2)) {
        return 0;
    }
    long long ll = (long long)d;
    if ((double)ll != d) {
        return 0;
    }
    *out = ll;
    return 1;
}

/* Insert the pair before eptr (append if NULL), the score stored as
 * Redis writes it, so the blob is byte for byte Redis's. */
static unsigned char *zl_insert_at(unsigned char *lp, unsigned char *eptr,
                                   const char *m, size_t n, double score)
{
    char sbuf[MAX_D2STR_CHARS];
    long long ll;
    int is_ll = score_as_ll(score, &ll);
    int slen = is_ll ? 0 : util_d2str(sbuf, sizeof(sbuf), score);
    unsigned char *mptr;

    if (eptr == NULL) {
        lp = lp_append(lp, m, (uint32_t)n);
        return is_ll ? lp_append_int(lp, ll)
                     : lp_append(lp, sbuf, (uint32_t)slen);
    }
    lp = lp_insert(lp, m, (uint32_t)n, eptr, LP_BEFORE, &mptr);
    return is_ll ? lp_insert_int(lp, ll, mptr, LP_AFTER, NULL)
                 : lp_insert(lp, sbuf, (uint32_t)slen, mptr, LP_AFTER, NULL);
}

/* Insert keeping the (score, member) order. */
static unsigned char *zl_insert(unsigned char *lp, const char *m, size_t n,
                                double score)
{
    unsigned char *eptr = lp_first(lp);

    while (eptr != NULL) {
        unsigned char *sptr = lp_next(lp, eptr);
        double s = zl_get_score(sptr);
        if (s > score) {
            break;
        }
        if (s == score) {
            unsigned char buf[LP_INTBUF_SIZE];
            size_t elen;
            const char *e = zl_member(eptr, &elen, buf);
            if (member_cmp(e, elen, m, n) > 0) {
                break;
            }
        }
        eptr = lp_next(lp, sptr);
    }
    return zl_insert_at(lp, eptr, m, n, score);
}

unsigned char *zl_delete_pair(unsigned char *lp, unsigned char *eptr,
                              unsigned char **next)
{
    unsigned char *sptr;

    lp = lp_delete(lp, eptr, &sptr);
    return lp_delete(lp, sptr, next);
}

/* ==== conversions ========================================================= */

void zset_convert(obj *o, int enc)
{
    if (o->enc == enc) {
        return;
    }
    if (enc == ENC_SKIPLIST) {
        unsigned char *lp = o->ptr;
        zset *zs = zs_new(lp_length(lp) / 2);
        unsigned char *eptr = lp_first(lp);
        while (eptr != NULL) {
            unsigned char *sptr = lp_next(lp, eptr);
            unsigned char buf[LP_INTBUF_SIZE];
            size_t n;
            const char *m = zl_member(eptr, &n, buf);
            zsl_node *x = zsl_insert(zs->zsl, zl_get_score(sptr), m, n);
            zidx_add(&zs->idx, x);
            eptr = lp_next(lp, sptr);
        }
        lp_free(lp);
        o->ptr = zs;
        o->enc = ENC_SKIPLIST;
    } else {
        zset *zs = o->ptr;
        unsigned char *lp = lp_new(0);
        for (zsl_node *x = zsl_first(zs->zsl); x != NULL;
             x = x->level[0].forward) {
            lp = zl_insert_at(lp, NULL, x->ele, str_len(x->ele), x->score);
        }
        zs_free(zs);
        o->ptr = lp;
        o->enc = ENC_LISTPACK;
    }
}

void zset_convert_to_listpack_if_needed(const server *srv, obj *o,
                                        size_t maxelelen, size_t totelelen)
{
    if (o->enc == ENC_LISTPACK) {
        return;
    }
    if (zset_length(o) <= (size_t)srv->cfg.zset_max_listpack_entries &&
        maxelelen <= (size_t)srv->cfg.zset_max_listpack_value &&
        lp_safe_to_add(NULL, totelelen)) {
        zset_convert(o, ENC_LISTPACK);
    }
}

/* ==== member operations =================================================== */

int zset_score(obj *o, const char *m, size_t n, double *score)
{
    if (o->enc == ENC_LISTPACK) {
        return zl_find(o->ptr, m, n, score) != NULL ? 0 : -1;
    }
    zset *zs = o->ptr;
    zsl_node *x = zidx_find(&zs->idx, m, n);
    if (x == NULL) {
        return -1;
    }
    *score = x->score;
    return 0;
}

/* The NX/XX/GT/LT/INCR rules for a member already present with score
 * cur. Returns 1 to go on with *score as the new score, 0 when nothing is
 * to be done (*out set), -1 for a NaN result. */
static int add_existing(int in, double cur, double *score, int *out)
{
    if (in & ZADD_IN_NX) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    if (in & ZADD_IN_INCR) {
        *score += cur;
        if (isnan(*score)) {
            *out |= ZADD_OUT_NAN;
            return -1;
        }
    }
    if (((in & ZADD_IN_LT) && *score >= cur) ||
        ((in & ZADD_IN_GT) && *score <= cur)) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    return 1;
}

int zset_add(const server *srv, obj *o, double score, const char *m, size_t n,
             int in, int *out, double *newscore)
{
    double cur;
    int r;

    *out = 0;
    if (isnan(score)) {
        *out = ZADD_OUT_NAN;
        return 0;
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *eptr = zl_find(o->ptr, m, n, &cur);
        if (eptr != NULL) {
            if ((r = add_existing(in, cur, &score, out)) <= 0) {
                return r == 0;
            }
            if (newscore != NULL) {
                *newscore = score;
            }
            if (score != cur) {
                o->ptr = zl_delete_pair(o->ptr, eptr, NULL);
                o->ptr = zl_insert(o->ptr, m, n, score);
                *out |= ZADD_OUT_UPDATED;
            }
            return 1;
        }
        if (in & ZADD_IN_XX) {
            *out |= ZADD_OUT_NOP;
            return 1;
        }
        if (zset_length(o) + 1 > (size_t)srv->cfg.zset_max_listpack_entries ||
            n > (size_t)srv->cfg.zset_max_listpack_value ||
            !lp_safe_to_add(o->ptr, n)) {
            zset_convert(o, ENC_SKIPLIST);
        } else {
            o->ptr = zl_insert(o->ptr, m, n, score);
            if (newscore != NULL) {
                *newscore = score;
            }
            *out |= ZADD_OUT_ADDED;
            return 1;
        }
    }

    zset *zs = o->ptr;
    zsl_node *x = zidx_find(&zs->idx, m, n);
    if (x != NULL) {
        cur = x->score;
        if ((r = add_existing(in, cur, &score, out)) <= 0) {
            return r == 0;
        }
        if (newscore != NULL) {
            *newscore = score;
        }
        if (score != cur) {
            zsl_update_score(zs->zsl, cur, m, n, score);
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    x = zsl_insert(zs->zsl, score, m, n);
    zidx_add(&zs->idx, x);
    if (newscore != NULL) {
        *newscore = score;
    }
    *out |= ZADD_OUT_ADDED;
    return 1;
}

int zset_del(obj *o, const char *m, size_t n)
{
    if (o->enc == ENC_LISTPACK) {
        unsigned char *eptr = zl_find(o->ptr, m, n, NULL);
        if (eptr == NULL) {
            return 0;
        }
        o->ptr = zl_delete_pair(o->ptr, eptr, NULL);
        return 1;
    }
    zset *zs = o->ptr;
    zsl_node *x = zidx_remove(&zs->idx, m, n);
    if (x == NULL) {
        return 0;
    }
    zsl_delete(zs->zsl, x->score, m, n, NULL);
    zidx_maybe_shrink(&zs->idx);
    return 1;
}

long zset_rank(obj *o, const char *m, size_t n, int reverse, double *score)
{
    size_t len = zset_length(o);

    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *eptr = lp_first(lp);
        long rank = 0;
        while (eptr != NULL) {
            unsigned char *sptr = lp_next(lp, eptr);
            unsigned char buf[LP_INTBUF_SIZE];
            size_t elen;
            const char *e = zl_member(eptr, &elen, buf);
            if (elen == n && memcmp(e, m, n) == 0) {
                if (score != NULL) {
                    *score = zl_get_score(sptr);
                }
                return reverse ? (long)len - rank - 1 : rank;
            }
            rank++;
            eptr = lp_next(lp, sptr);
        }
        return -1;
    }
    zset *zs = o->ptr;
    zsl_node *x = zidx_find(&zs->idx, m, n);
    if (x == NULL) {
        return -1;
    }
    unsigned long r = zsl_get_rank(zs->zsl, x->score, m, n);
    if (score != NULL) {
        *score = x->score;
    }
    return reverse ? (long)(len - r) : (long)r - 1;
}

/* ==== argument helpers ==================================================== */

int zarg_long(client *c, const arg *a, long *out, const char *msg)
{
    long long v;

    if (util_str2ll(a->p, a->n, &v) != 0) {
        reply_error(c, msg != NULL ? msg : ERR_NOT_INT);
        return -1;
    }
    *out = (long)v;
    return 0;
}

int zarg_double(client *c, const arg *a, double *out, const char *msg)
{
    if (util_str2d(a->p, a->n, out) != 0) {
        reply_error(c, msg != NULL ? msg : ERR_NOT_FLOAT);
        return -1;
    }
    return 0;
}

static int check_zset(client *c, const obj *o)
{
    if (o != NULL && o->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    return 0;
}

/* ==== ZADD, ZINCRBY ======================================================= */

static void zadd_generic(client *c, int in)
{
    const arg *key = &c->argv[1];
    int ch = 0, scoreidx = 2;

    /* Options come first; ZINCRBY goes through the same parse, so an
     * increment spelled "nx" is an option there too (as in Redis). */
    for (; scoreidx < c->argc; scoreidx++) {
        const arg *a = &c->argv[scoreidx];
        if (zarg_is(a, "nx")) {
            in |= ZADD_IN_NX;
        } else if (zarg_is(a, "xx")) {
            in |= ZADD_IN_XX;
        } else if (zarg_is(a, "ch")) {
            ch = 1;
        } else if (zarg_is(a, "incr")) {
            in |= ZADD_IN_INCR;
        } else if (zarg_is(a, "gt")) {
            in |= ZADD_IN_GT;
        } else if (zarg_is(a, "lt")) {
            in |= ZADD_IN_LT;
        } else {
            break;
        }
    }
    int incr = (in & ZADD_IN_INCR) != 0;
    int nx = (in & ZADD_IN_NX) != 0, xx = (in & ZADD_IN_XX) != 0;
    int gt = (in & ZADD_IN_GT) != 0, lt = (in & ZADD_IN_LT) != 0;
    int elements = c->argc - scoreidx;

    if (elements % 2 != 0 || elements == 0) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    elements /= 2;
    if (nx && xx) {
        reply_error(c, "XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        reply_error(c, "GT, LT, and/or NX options at the same time are not "
                       "compatible");
        return;
    }
    if (incr && elements > 1) {
        reply_error(c, "INCR option supports a single increment-element pair");
        return;
    }

    double *scores = mem_alloc((size_t)elements * sizeof(double));
    for (int j = 0; j < elements; j++) {
        if (zarg_double(c, &c->argv[scoreidx + j * 2], &scores[j], NULL) != 0) {
            mem_free(scores);
            return;
        }
    }

    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    obj *o = db_lookup_write(c, key);
    if (check_zset(c, o) != 0) {
        goto cleanup;
    }
    if (o == NULL) {
        if (xx) {
            goto reply;
        }
        const arg *first = &c->argv[scoreidx + 1];
        if (c->srv->cfg.zset_max_listpack_entries == 0 ||
            (long long)first->n > c->srv->cfg.zset_max_listpack_value) {
            o = zset_create_skiplist();
        } else {
            o = zset_create_listpack();
        }
        db_add(c->db, key->p, key->n, o);
    }
    for (int j = 0; j < elements; j++) {
        const arg *m = &c->argv[scoreidx + j * 2 + 1];
        int out;
        double newscore;
        if (!zset_add(c->srv, o, scores[j], m->p, m->n, in, &out, &newscore)) {
            reply_error(c, "resulting score is not a number (NaN)");
            goto cleanup;
        }
        if (out & ZADD_OUT_ADDED) {
            added++;
        }
        if (out & ZADD_OUT_UPDATED) {
            updated++;
        }
        if (!(out & ZADD_OUT_NOP)) {
            processed++;
        }
        score = newscore;
    }
    c->srv->dirty += added + updated;

reply:
    if (incr) {
        if (processed) {
            reply_double(c, score);
        } else {
            reply_null(c);
        }
    } else {
        reply_ll(c, ch ? added + updated : added);
    }
cleanup:
    mem_free(scores);
    if (added || updated) {
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_ZSET, incr ? "zincr" : "zadd", key);
    }
}

void cmd_zadd(client *c)
{
    zadd_generic(c, 0);
}

void cmd_zincrby(client *c)
{
    zadd_generic(c, ZADD_IN_INCR);
}

/* ==== reads of single members ============================================= */

void cmd_zscore(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    double score;

    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    if (zset_score(o, c->argv[2].p, c->argv[2].n, &score) != 0) {
        reply_null(c);
    } else {
        reply_double(c, score);
    }
}

void cmd_zmscore(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    double score;

    if (check_zset(c, o) != 0) {
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        if (o == NULL ||
            zset_score(o, c->argv[j].p, c->argv[j].n, &score) != 0) {
            reply_null(c);
        } else {
            reply_double(c, score);
        }
    }
}

void cmd_zcard(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    reply_ll(c, (long long)zset_length(o));
}

/* ZRANK/ZREVRANK, with 7.2's WITHSCORE (the table's arity admits it). */
static void zrank_generic(client *c, int reverse)
{
    int withscore = 0;
    double score;

    if (c->argc > 4) {
        reply_errorf(c, "wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    if (c->argc > 3) {
        if (!zarg_is(&c->argv[3], "withscore")) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        withscore = 1;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        if (withscore) {
            reply_null_array(c);
        } else {
            reply_null(c);
        }
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    long rank = zset_rank(o, c->argv[2].p, c->argv[2].n, reverse, &score);
    if (rank < 0) {
        if (withscore) {
            reply_null_array(c);
        } else {
            reply_null(c);
        }
        return;
    }
    if (withscore) {
        reply_array_len(c, 2);
    }
    reply_ll(c, rank);
    if (withscore) {
        reply_double(c, score);
    }
}

void cmd_zrank(client *c)
{
    zrank_generic(c, 0);
}

void cmd_zrevrank(client *c)
{
    zrank_generic(c, 1);
}

/* ==== ZREM ================================================================ */

void cmd_zrem(client *c)
{
    const arg *key = &c->argv[1];
    obj *o = db_lookup_write(c, key);
    long long deleted = 0;

    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    int key_removed = 0;
    for (int j = 2; j < c->argc; j++) {
        deleted += zset_del(o, c->argv[j].p, c->argv[j].n);
        if (zset_length(o) == 0) {
            db_delete(c->db, key->p, key->n);
            key_removed = 1;
            break;
        }
    }
    if (deleted) {
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_ZSET, "zrem", key);
        if (key_removed) {
            notify_key(c, NOTIFY_GENERIC, "del", key);
        }
        c->srv->dirty += deleted;
    }
    reply_ll(c, deleted);
}

/* ==== pops ================================================================ */

enum { ZPOP_MIN = 0, ZPOP_MAX = 1 };

/* Reply the lowest or highest member and its score, and remove it. */
static void pop_one(client *c, obj *o, int where, int nested)
{
    if (nested) {
        reply_array_len(c, 2);
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *eptr = lp_seek(lp, where == ZPOP_MAX ? -2 : 0);
        unsigned char buf[LP_INTBUF_SIZE];
        size_t n;
        const char *m = zl_member(eptr, &n, buf);
        double score = zl_get_score(lp_next(lp, eptr));
        reply_bulk(c, m, n);
        reply_double(c, score);
        o->ptr = zl_delete_pair(lp, eptr, NULL);
        return;
    }
    zset *zs = o->ptr;
    zsl_node *x = where == ZPOP_MAX ? zsl_last(zs->zsl) : zsl_first(zs->zsl);
    size_t n = str_len(x->ele);
    reply_bulk(c, x->ele, n);
    reply_double(c, x->score);
    zidx_remove(&zs->idx, x->ele, n);
    zsl_node *gone;
    zsl_delete(zs->zsl, x->score, x->ele, n, &gone);
    zsl_free_node(gone);
    zidx_maybe_shrink(&zs->idx);
}

/* Pop from the first non-empty zset among keys (Redis's
 * genericZpopCommand). count -1 means "no COUNT given". */
static void zpop_generic(client *c, const arg *keys, int nkeys, int where,
                         int emitkey, long count, int nested, int nil_empty)
{
    obj *o = NULL;
    const arg *key = NULL;

    for (int i = 0; i < nkeys; i++) {
        key = &keys[i];
        o = db_lookup_write(c, key);
        if (o == NULL) {
            continue;
        }
        if (check_zset(c, o) != 0) {
            return;
        }
        break;
    }
    if (o == NULL) {
        if (nil_empty) {
            reply_null_array(c);
        } else {
            reply_array_len(c, 0);
        }
        return;
    }
    if (count == 0) {
        reply_array_len(c, 0);
        return;
    }
    if (count == -1) {
        count = 1;
    }
    long llen = (long)zset_length(o);
    long n = count > llen ? llen : count;

    if (!emitkey) {
        reply_array_len(c, nested ? n : n * 2);
    } else if (!nested) {
        reply_array_len(c, n * 2 + 1);
        reply_bulk(c, key->p, key->n);
    } else {
        reply_array_len(c, 2);
        reply_bulk(c, key->p, key->n);
        reply_array_len(c, n);
    }
    if (emitkey) {
        /* Effects (ZMPOP, BZMPOP, BZPOPMIN/MAX): ZPOPMIN|ZPOPMAX key, with
         * the count popped for the MPOP forms, as Redis 7.0. */
        char nbuf[24];
        propagate_replace_argv(c, nested ? 3 : 2,
                               where == ZPOP_MAX ? PARG("ZPOPMAX")
                                                 : PARG("ZPOPMIN"),
                               *key, propagate_num(nbuf, n));
    }
    /* Redis sends the event with the first pop: after the reply's headers,
     * before its elements (a RESP3 client watching its keys sees that). */
    notify_key(c, NOTIFY_ZSET, where == ZPOP_MAX ? "zpopmax" : "zpopmin", key);
    for (long i = 0; i < n; i++) {
        pop_one(c, o, where, nested);
    }
    c->srv->dirty += n;
    if (zset_length(o) == 0) {
        db_delete(c->db, key->p, key->n);
        notify_key(c, NOTIFY_GENERIC, "del", key);
    }
    db_signal_modified(c, c->db, key->p, key->n);
}

static void zpop_minmax(client *c, int where)
{
    long count = -1;

    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc == 3) {
        const char *msg = "value is out of range, must be positive";
        if (zarg_long(c, &c->argv[2], &count, msg) != 0) {
            return;
        }
        if (count < 0) {
            reply_error(c, msg);
            return;
        }
    }
    /* RESP3 nests pairs only when COUNT was given. */
    zpop_generic(c, &c->argv[1], 1, where, 0, count, c->resp > 2 && count != -1,
                 0);
}

void cmd_zpopmin(client *c)
{
    zpop_minmax(c, ZPOP_MIN);
}

void cmd_zpopmax(client *c)
{
    zpop_minmax(c, ZPOP_MAX);
}

/* ZMPOP numkeys key... MIN|MAX [COUNT n]: parse; returns 0 or -1 (after
 * the error reply). */
static int zmpop_parse(client *c, int numkeys_idx, long *numkeys, int *where,
                       long *count)
{
    const char *msg = "numkeys should be greater than 0";

    *count = -1;
    if (zarg_long(c, &c->argv[numkeys_idx], numkeys, msg) != 0) {
        return -1;
    }
    if (*numkeys < 1) {
        reply_error(c, msg);
        return -1;
    }
    if (*numkeys >= c->argc - numkeys_idx - 1) {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    int where_idx = numkeys_idx + (int)*numkeys + 1;
    if (zarg_is(&c->argv[where_idx], "min")) {
        *where = ZPOP_MIN;
    } else if (zarg_is(&c->argv[where_idx], "max")) {
        *where = ZPOP_MAX;
    } else {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    for (int j = where_idx + 1; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (*count == -1 && zarg_is(&c->argv[j], "count") && more) {
            j++;
            const char *cmsg = "count should be greater than 0";
            if (zarg_long(c, &c->argv[j], count, cmsg) != 0) {
                return -1;
            }
            if (*count < 1) {
                reply_error(c, cmsg);
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
    return 0;
}

void cmd_zmpop(client *c)
{
    long numkeys, count;
    int where;

    if (zmpop_parse(c, 1, &numkeys, &where, &count) != 0) {
        return;
    }
    zpop_generic(c, &c->argv[2], (int)numkeys, where, 1, count, 1, 1);
}

/* ==== blocking pops ======================================================= */

/* Pop from the first non-empty zset among keys, or wait for one. The key
 * whose arrival woke a blocked client is tried first, so it is served
 * from that key as Redis 7.0 serves it. */
static void bzpop_generic(client *c, const arg *keys, int nkeys, int where,
                          long count, int nested, long long deadline)
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
        obj *o = db_lookup_write(c, &keys[i]);
        if (o == NULL) {
            continue;
        }
        if (check_zset(c, o) != 0) {
            return;
        }
        zpop_generic(c, &keys[i], 1, where, 1, count, nested, nested);
        return;
    }
    if (!blocking_allowed(c)) {
        reply_null_array(c); /* as on timeout, even with timeout 0 */
        return;
    }
    blocking_block(c, keys, nkeys, deadline, OBJ_ZSET);
}

static void bzpop_minmax(client *c, int where)
{
    long long deadline;

    if (blocking_parse_timeout(c, &c->argv[c->argc - 1], BLOCK_UNIT_SECONDS,
                               &deadline) != 0) {
        return;
    }
    bzpop_generic(c, &c->argv[1], c->argc - 2, where, -1, 0, deadline);
}

void cmd_bzpopmin(client *c)
{
    bzpop_minmax(c, ZPOP_MIN);
}

void cmd_bzpopmax(client *c)
{
    bzpop_minmax(c, ZPOP_MAX);
}

void cmd_bzmpop(client *c)
{
    long numkeys, count;
    long long deadline;
    int where;

    /* Unlike BZPOPMIN, the timeout is checked after the other arguments. */
    if (zmpop_parse(c, 2, &numkeys, &where, &count) != 0 ||
        blocking_parse_timeout(c, &c->argv[1], BLOCK_UNIT_SECONDS, &deadline) !=
            0) {
        return;
    }
    bzpop_generic(c, &c->argv[3], (int)numkeys, where, count, 1, deadline);
}

/* ==== ZRANDMEMBER ========================================================= */

static unsigned long rand_below(unsigned long n)
{
    /* random() gives 31 bits; combine two for big zsets. */
    unsigned long r = ((unsigned long)random() << 31) ^ (unsigned long)random();
    return r % n;
}

/* One (member, score) reply element of ZRANDMEMBER. */
static void rand_reply(client *c, const char *m, size_t n, double score,
                       int withscores)
{
    if (withscores && c->resp > 2) {
        reply_array_len(c, 2);
    }
    reply_bulk(c, m, n);
    if (withscores) {
        reply_double(c, score);
    }
}

/* The element at 0-based rank r. */
static void rand_reply_rank(client *c, obj *o, unsigned long r, int withscores)
{
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *eptr = lp_seek(lp, (long)(2 * r));
        unsigned char buf[LP_INTBUF_SIZE];
        size_t n;
        const char *m = zl_member(eptr, &n, buf);
        rand_reply(c, m, n, zl_get_score(lp_next(lp, eptr)), withscores);
        return;
    }
    zsl_node *x = zsl_get_by_rank(((zset *)o->ptr)->zsl, r + 1);
    rand_reply(c, x->ele, str_len(x->ele), x->score, withscores);
}

static void zrandmember_count(client *c, long l, int withscores)
{
    obj *o = db_lookup_read(c, &c->argv[1]);
    unsigned long count, size;
    int uniq = 1;

    if (o == NULL) {
        reply_array_len(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    size = zset_length(o);
    if (l >= 0) {
        count = (unsigned long)l;
    } else {
        count = -(unsigned long)l;
        uniq = 0;
    }
    if (count == 0) {
        reply_array_len(c, 0);
        return;
    }
    /* Repeats allowed: independent draws, in random order. */
    if (!uniq || count == 1) {
        reply_array_len(c, withscores && c->resp == 2 ? (long)count * 2
                                                      : (long)count);
        while (count--) {
            rand_reply_rank(c, o, rand_below(size), withscores);
        }
        return;
    }
    unsigned long n = count < size ? count : size;
    reply_array_len(c, withscores && c->resp == 2 ? (long)n * 2 : (long)n);
    /* Distinct members: selection sampling walks the zset once and keeps
     * each element with the probability that leaves exactly n (Knuth's
     * algorithm S); the order is the zset's own, as Redis's listpack
     * case. */
    unsigned long need = n, left = size;
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *eptr = lp_first(lp);
        while (need > 0) {
            unsigned char *sptr = lp_next(lp, eptr);
            if (rand_below(left) < need) {
                unsigned char buf[LP_INTBUF_SIZE];
                size_t mlen;
                const char *m = zl_member(eptr, &mlen, buf);
                rand_reply(c, m, mlen, zl_get_score(sptr), withscores);
                need--;
            }
            left--;
            eptr = lp_next(lp, sptr);
        }
        return;
    }
    zset *zs = o->ptr;
    if (n * 4 >= size) {
        for (zsl_node *x = zsl_first(zs->zsl); need > 0;
             x = x->level[0].forward) {
            if (rand_below(left) < need) {
                rand_reply(c, x->ele, str_len(x->ele), x->score, withscores);
                need--;
            }
            left--;
        }
        return;
    }
    /* Few members of a big zset: draw ranks, skipping repeats (a small
     * table of the ranks chosen so far). */
    size_t cap = 8;
    while (cap < n * 2) {
        cap *= 2;
    }
    unsigned long *seen = mem_alloc(cap * sizeof(unsigned long));
    memset(seen, 0xFF, cap * sizeof(unsigned long));
    while (need > 0) {
        unsigned long r = rand_below(size);
        size_t pos = (r * 0x9E3779B97F4A7C15ULL) & (cap - 1);
        while (seen[pos] != (unsigned long)-1 && seen[pos] != r) {
            pos = (pos + 1) & (cap - 1);
        }
        if (seen[pos] == r) {
            continue;
        }
        seen[pos] = r;
        rand_reply_rank(c, o, r, withscores);
        need--;
    }
    mem_free(seen);
}

void cmd_zrandmember(client *c)
{
    long l;

    if (c->argc >= 3) {
        if (zarg_long(c, &c->argv[2], &l, NULL) != 0) {
            return;
        }
        if (c->argc > 4 ||
            (c->argc == 4 && !zarg_is(&c->argv[3], "withscores"))) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        if (c->argc == 4 && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
            reply_error(c, "value is out of range");
            return;
        }
        zrandmember_count(c, l, c->argc == 4);
        return;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    unsigned long r = rand_below(zset_length(o));
    if (o->enc == ENC_LISTPACK) {
        unsigned char buf[LP_INTBUF_SIZE];
        size_t n;
        const char *m = zl_member(lp_seek(o->ptr, (long)(2 * r)), &n, buf);
        reply_bulk(c, m, n);
    } else {
        zsl_node *x = zsl_get_by_rank(((zset *)o->ptr)->zsl, r + 1);
        reply_bulk(c, x->ele, str_len(x->ele));
    }
}

/* ==== ZSCAN =============================================================== */

typedef struct scan_acc {
    const zsl_node **nodes;
    size_t n, cap;
} scan_acc;

static void scan_collect(void *priv, const zsl_node *x)
{
    scan_acc *a = priv;

    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->nodes = mem_realloc(a->nodes, a->cap * sizeof(*a->nodes));
    }
    a->nodes[a->n++] = x;
}

/* Reply one member/score pair of ZSCAN: the score as Redis formats it for
 * SCAN (integers without exponent), always a bulk string. */
static void scan_reply_pair(client *c, const char *m, size_t n, double s)
{
    char buf[MAX_D2STR_CHARS];
    int len = util_d2str(buf, sizeof(buf), s);

    reply_bulk(c, m, n);
    reply_bulk(c, buf, (size_t)len);
}

void cmd_zscan(client *c)
{
    unsigned long long cursor;
    long count = 10;
    const arg *pat = NULL;

    if (scan_parse_cursor(c, &c->argv[2], &cursor) != 0) {
        return;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_array_len(c, 2);
        reply_bulk(c, "0", 1);
        reply_array_len(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    scan_opts opts;
    if (scan_parse_options(c, 3, 0, &opts) != 0) {
        return;
    }
    count = opts.count;
    pat = opts.pattern;

    if (o->enc == ENC_LISTPACK) {
        /* Small: everything in one call. */
        unsigned char *lp = o->ptr;
        long n = 0;
        reply_array_len(c, 2);
        reply_bulk(c, "0", 1);
        void *h2 = reply_defer_len(c);
        for (unsigned char *eptr = lp_first(lp); eptr != NULL;) {
            unsigned char *sptr = lp_next(lp, eptr);
            unsigned char buf[LP_INTBUF_SIZE], sbuf[LP_INTBUF_SIZE];
            size_t mlen, slen;
            const char *m = zl_member(eptr, &mlen, buf);
            if (pat == NULL || util_glob_match(pat->p, pat->n, m, mlen, 0)) {
                const char *s = zl_member(sptr, &slen, sbuf);
                reply_bulk(c, m, mlen);
                reply_bulk(c, s, slen);
                n += 2;
            }
            eptr = lp_next(lp, sptr);
        }
        reply_set_deferred_array(c, h2, n);
        return;
    }

    zset *zs = o->ptr;
    scan_acc acc = {NULL, 0, 0};
    long maxiter = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
    do {
        cursor = zidx_scan(&zs->idx, cursor, scan_collect, &acc);
    } while (cursor && maxiter-- && acc.n < (size_t)count);

    char cbuf[LONG_STR_SIZE];
    int clen = util_ull2str(cbuf, sizeof(cbuf), cursor);
    reply_array_len(c, 2);
    reply_bulk(c, cbuf, (size_t)clen);
    void *h = reply_defer_len(c);
    long n = 0;
    for (size_t i = 0; i < acc.n; i++) {
        const zsl_node *x = acc.nodes[i];
        size_t mlen = str_len(x->ele);
        if (pat != NULL && !util_glob_match(pat->p, pat->n, x->ele, mlen, 0)) {
            continue;
        }
        scan_reply_pair(c, x->ele, mlen, x->score);
        n += 2;
    }
    reply_set_deferred_array(c, h, n);
    mem_free(acc.nodes);
}
