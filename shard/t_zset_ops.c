/* t_zset_ops: sorted set commands over ranges (ZRANGE and its older
 * forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*) and the set algebra
 * (ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD), which also takes
 * plain sets as inputs with score 1. */
#include <math.h>
#include <stdlib.h>

#include "cmd.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "mem.h"
#include "notify.h"
#include "reply.h"
#include "t_zset.h"
#include "util.h"

static int check_zset(client *c, const obj *o)
{
    if (o != NULL && o->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    return 0;
}

static const char err_not_float[] = "min or max is not a float";
static const char err_not_lex[] = "min or max not valid string range item";

/* ==== listpack range lookups (Redis's zzl*InRange, same walks) ========== */

static unsigned char *zl_prev_pair(unsigned char *lp, unsigned char *eptr)
{
    unsigned char *sptr = lp_prev(lp, eptr);

    return sptr != NULL ? lp_prev(lp, sptr) : NULL;
}

static unsigned char *zl_next_pair(unsigned char *lp, unsigned char *eptr)
{
    return lp_next(lp, lp_next(lp, eptr));
}

static int zl_is_in_range(unsigned char *lp, const zsl_range *r)
{
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) {
        return 0;
    }
    unsigned char *p = lp_seek(lp, -1);
    if (p == NULL || !zsl_value_gte_min(zl_get_score(p), r)) {
        return 0;
    }
    return zsl_value_lte_max(zl_get_score(lp_seek(lp, 1)), r);
}

static unsigned char *zl_first_in_range(unsigned char *lp, const zsl_range *r)
{
    if (!zl_is_in_range(lp, r)) {
        return NULL;
    }
    for (unsigned char *e = lp_first(lp); e != NULL; e = zl_next_pair(lp, e)) {
        double s = zl_get_score(lp_next(lp, e));
        if (zsl_value_gte_min(s, r)) {
            return zsl_value_lte_max(s, r) ? e : NULL;
        }
    }
    return NULL;
}

static unsigned char *zl_last_in_range(unsigned char *lp, const zsl_range *r)
{
    if (!zl_is_in_range(lp, r)) {
        return NULL;
    }
    for (unsigned char *e = lp_seek(lp, -2); e != NULL;
         e = zl_prev_pair(lp, e)) {
        double s = zl_get_score(lp_next(lp, e));
        if (zsl_value_lte_max(s, r)) {
            return zsl_value_gte_min(s, r) ? e : NULL;
        }
    }
    return NULL;
}

static int zl_lex_gte_min(const unsigned char *e, const zsl_lex_range *r)
{
    unsigned char buf[LP_INTBUF_SIZE];
    size_t n;
    const char *m = zl_member(e, &n, buf);

    return zsl_lex_gte_min(m, n, r);
}

static int zl_lex_lte_max(const unsigned char *e, const zsl_lex_range *r)
{
    unsigned char buf[LP_INTBUF_SIZE];
    size_t n;
    const char *m = zl_member(e, &n, buf);

    return zsl_lex_lte_max(m, n, r);
}

static int zl_is_in_lex_range(unsigned char *lp, const zsl_lex_range *r)
{
    if (zsl_lex_range_empty(r)) {
        return 0;
    }
    unsigned char *p = lp_seek(lp, -2);
    if (p == NULL || !zl_lex_gte_min(p, r)) {
        return 0;
    }
    return zl_lex_lte_max(lp_first(lp), r);
}

static unsigned char *zl_first_in_lex_range(unsigned char *lp,
                                            const zsl_lex_range *r)
{
    if (!zl_is_in_lex_range(lp, r)) {
        return NULL;
    }
    for (unsigned char *e = lp_first(lp); e != NULL; e = zl_next_pair(lp, e)) {
        if (zl_lex_gte_min(e, r)) {
            return zl_lex_lte_max(e, r) ? e : NULL;
        }
    }
    return NULL;
}

static unsigned char *zl_last_in_lex_range(unsigned char *lp,
                                           const zsl_lex_range *r)
{
    if (!zl_is_in_lex_range(lp, r)) {
        return NULL;
    }
    for (unsigned char *e = lp_seek(lp, -2); e != NULL;
         e = zl_prev_pair(lp, e)) {
        if (zl_lex_lte_max(e, r)) {
            return zl_lex_gte_min(e, r) ? e : NULL;
        }
    }
    return NULL;
}

/* ==== ZCOUNT, ZLEXCOUNT =================================================== */

void cmd_zcount(client *c)
{
    zsl_range r;
    long long count = 0;

    if (zsl_parse_range(c->argv[2].p, c->argv[2].n, c->argv[3].p, c->argv[3].n,
                        &r) != 0) {
        reply_error(c, err_not_float);
        return;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        for (unsigned char *e = zl_first_in_range(lp, &r); e != NULL;
             e = zl_next_pair(lp, e)) {
            if (!zsl_value_lte_max(zl_get_score(lp_next(lp, e)), &r)) {
                break;
            }
            count++;
        }
    } else {
        /* Ranks of the first and last nodes in range, as Redis counts. */
        zsl *z = ((zset *)o->ptr)->zsl;
        zsl_node *x = zsl_first_in_range(z, &r);
        if (x != NULL) {
            unsigned long rank =
                zsl_get_rank(z, x->score, x->ele, str_len(x->ele));
            count = (long long)(z->length - (rank - 1));
            x = zsl_last_in_range(z, &r);
            if (x != NULL) {
                rank = zsl_get_rank(z, x->score, x->ele, str_len(x->ele));
                count -= (long long)(z->length - rank);
            }
        }
    }
    reply_ll(c, count);
}

void cmd_zlexcount(client *c)
{
    zsl_lex_range r;
    long long count = 0;

    if (zsl_parse_lex_range(c->argv[2].p, c->argv[2].n, c->argv[3].p,
                            c->argv[3].n, &r) != 0) {
        reply_error(c, err_not_lex);
        return;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        for (unsigned char *e = zl_first_in_lex_range(lp, &r); e != NULL;
             e = zl_next_pair(lp, e)) {
            if (!zl_lex_lte_max(e, &r)) {
                break;
            }
            count++;
        }
    } else {
        zsl *z = ((zset *)o->ptr)->zsl;
        zsl_node *x = zsl_first_in_lex_range(z, &r);
        if (x != NULL) {
            unsigned long rank =
                zsl_get_rank(z, x->score, x->ele, str_len(x->ele));
            count = (long long)(z->length - (rank - 1));
            x = zsl_last_in_lex_range(z, &r);
            if (x != NULL) {
                rank = zsl_get_rank(z, x->score, x->ele, str_len(x->ele));
                count -= (long long)(z->length - rank);
            }
        }
    }
    reply_ll(c, count);
}

/* ==== range results: to the client or into a destination zset ========== */

typedef struct zsink {
    client *c;
    const arg *dstkey; /* ZRANGESTORE: where the result goes */
    obj *dst;
    int withscores;
    void *deferred; /* reply length placeholder, or NULL */
} zsink;

static void sink_begin(zsink *s, long length)
{
    client *c = s->c;

    if (s->dstkey != NULL) {
        s->dst = zset_create_for_size(c->srv, length);
        return;
    }
    s->deferred = NULL;
    if (length > 0) {
        reply_array_len(c, s->withscores && c->resp == 2 ? length * 2 : length);
    } else {
        s->deferred = reply_defer_len(c);
    }
}

static void sink_emit(zsink *s, const char *m, size_t n, double score)
{
    client *c = s->c;

    if (s->dstkey != NULL) {
        int out;
        zset_add(c->srv, s->dst, score, m, n, 0, &out, NULL);
        return;
    }
    if (s->withscores && c->resp > 2) {
        reply_array_len(c, 2);
    }
    reply_bulk(c, m, n);
    if (s->withscores) {
        reply_double(c, score);
    }
}

static void sink_emit_lp(zsink *s, unsigned char *eptr, unsigned char *sptr)
{
    unsigned char buf[LP_INTBUF_SIZE];
    size_t n;
    const char *m = zl_member(eptr, &n, buf);
    /* Scores are only decoded when they are used. */
    int need = s->withscores || s->dstkey != NULL;

    sink_emit(s, m, n, need ? zl_get_score(sptr) : 0);
}

/* Store or reply the result; also drops the destination when empty. */
static void sink_end(zsink *s, long count)
{
    client *c = s->c;

    if (s->dstkey == NULL) {
        if (s->deferred != NULL) {
            reply_set_deferred_array(c, s->deferred,
                                     s->withscores && c->resp == 2 ? count * 2
                                                                   : count);
        }
        return;
    }
    const arg *k = s->dstkey;
    if (count) {
        db_set(c, c->db, k->p, k->n, s->dst, 0);
        s->dst = NULL;
        reply_ll(c, count);
        notify_key(c, NOTIFY_ZSET, "zrangestore", k); /* after, as Redis */
        c->srv->dirty++;
        return;
    }
    reply_ll(c, 0);
    if (db_delete(c->db, k->p, k->n)) {
        db_signal_modified(c, c->db, k->p, k->n);
        notify_key(c, NOTIFY_GENERIC, "del", k);
        c->srv->dirty++;
    }
    obj_decr(s->dst);
    s->dst = NULL;
}

/* ==== the three kinds of range ============================================ */

static void range_by_rank(zsink *s, obj *o, long start, long end, int rev)
{
    long llen = (long)zset_length(o);

    if (start < 0) {
        start = llen + start;
    }
    if (end < 0) {
        end = llen + end;
    }
    if (start < 0) {
        start = 0;
    }
    if (start > end || start >= llen) {
        sink_begin(s, 0);
        sink_end(s, 0);
        return;
    }
    if (end >= llen) {
        end = llen - 1;
    }
    long n = end - start + 1;
    sink_begin(s, n);
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *e = lp_seek(lp, rev ? -2 - 2 * start : 2 * start);
        for (long i = 0; i < n; i++) {
            sink_emit_lp(s, e, lp_next(lp, e));
            e = rev ? zl_prev_pair(lp, e) : zl_next_pair(lp, e);
        }
    } else {
        zsl *z = ((zset *)o->ptr)->zsl;
        zsl_node *x;
        if (rev) {
            x = start > 0 ? zsl_get_by_rank(z, (unsigned long)(llen - start))
                          : zsl_last(z);
        } else {
            x = start > 0 ? zsl_get_by_rank(z, (unsigned long)start + 1)
                          : zsl_first(z);
        }
        for (long i = 0; i < n; i++) {
            sink_emit(s, x->ele, str_len(x->ele), x->score);
            x = rev ? x->backward : x->level[0].forward;
        }
    }
    sink_end(s, n);
}

/* LIMIT semantics as Redis: a negative offset walks off the end (empty
 * result), a negative limit means no limit. */
static void range_by_score(zsink *s, obj *o, const zsl_range *r, long offset,
                           long limit, int rev)
{
    long n = 0;

    sink_begin(s, -1);
    if (offset > 0 && offset >= (long)zset_length(o)) {
        sink_end(s, 0);
        return;
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *e =
            rev ? zl_last_in_range(lp, r) : zl_first_in_range(lp, r);
        while (e != NULL && offset--) {
            e = rev ? zl_prev_pair(lp, e) : zl_next_pair(lp, e);
        }
        while (e != NULL && limit--) {
            unsigned char *sp = lp_next(lp, e);
            double score = zl_get_score(sp);
            if (rev ? !zsl_value_gte_min(score, r)
                    : !zsl_value_lte_max(score, r)) {
                break;
            }
            unsigned char buf[LP_INTBUF_SIZE];
            size_t mlen;
            const char *m = zl_member(e, &mlen, buf);
            sink_emit(s, m, mlen, score);
            n++;
            e = rev ? zl_prev_pair(lp, e) : zl_next_pair(lp, e);
        }
    } else {
        zsl *z = ((zset *)o->ptr)->zsl;
        zsl_node *x = rev ? zsl_last_in_range(z, r) : zsl_first_in_range(z, r);
        while (x != NULL && offset--) {
            x = rev ? x->backward : x->level[0].forward;
        }
        while (x != NULL && limit--) {
            if (rev ? !zsl_value_gte_min(x->score, r)
                    : !zsl_value_lte_max(x->score, r)) {
                break;
            }
            sink_emit(s, x->ele, str_len(x->ele), x->score);
            n++;
            x = rev ? x->backward : x->level[0].forward;
        }
    }
    sink_end(s, n);
}

static void range_by_lex(zsink *s, obj *o, const zsl_lex_range *r, long offset,
                         long limit, int rev)
{
    long n = 0;

    sink_begin(s, -1);
    if (offset > 0 && offset >= (long)zset_length(o)) {
        sink_end(s, 0);
        return;
    }
    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *e =
            rev ? zl_last_in_lex_range(lp, r) : zl_first_in_lex_range(lp, r);
        while (e != NULL && offset--) {
            e = rev ? zl_prev_pair(lp, e) : zl_next_pair(lp, e);
        }
        while (e != NULL && limit--) {
            if (rev ? !zl_lex_gte_min(e, r) : !zl_lex_lte_max(e, r)) {
                break;
            }
            sink_emit_lp(s, e, lp_next(lp, e));
            n++;
            e = rev ? zl_prev_pair(lp, e) : zl_next_pair(lp, e);
        }
    } else {
        zsl *z = ((zset *)o->ptr)->zsl;
        zsl_node *x =
            rev ? zsl_last_in_lex_range(z, r) : zsl_first_in_lex_range(z, r);
        while (x != NULL && offset--) {
            x = rev ? x->backward : x->level[0].forward;
        }
        while (x != NULL && limit--) {
            size_t len = str_len(x->ele);
            if (rev ? !zsl_lex_gte_min(x->ele, len, r)
                    : !zsl_lex_lte_max(x->ele, len, r)) {
                break;
            }
            sink_emit(s, x->ele, len, x->score);
            n++;
            x = rev ? x->backward : x->level[0].forward;
        }
    }
    sink_end(s, n);
}

/* ==== ZRANGE and friends ================================================== */

enum { RANGE_AUTO, RANGE_RANK, RANGE_SCORE, RANGE_LEX };
enum { DIR_AUTO, DIR_FORWARD, DIR_REVERSE };

/* Redis's zrangeGenericCommand: the source key is argv[start], bounds
 * follow, then options. dstkey is set for ZRANGESTORE. */
static void zrange_generic(client *c, int start, const arg *dstkey, int type,
                           int dir)
{
    const arg *key = &c->argv[start];
    int minidx = start + 1, maxidx = start + 2;
    long opt_start = 0, opt_end = 0, offset = 0, limit = -1;
    int withscores = 0;
    zsl_range range;
    zsl_lex_range lex;

    for (int j = start + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const arg *a = &c->argv[j];
        if (dstkey == NULL && zarg_is(a, "withscores")) {
            withscores = 1;
        } else if (zarg_is(a, "limit") && left >= 2) {
            if (zarg_long(c, &c->argv[j + 1], &offset, NULL) != 0 ||
                zarg_long(c, &c->argv[j + 2], &limit, NULL) != 0) {
                return;
            }
            j += 2;
        } else if (dir == DIR_AUTO && zarg_is(a, "rev")) {
            dir = DIR_REVERSE;
        } else if (type == RANGE_AUTO && zarg_is(a, "bylex")) {
            type = RANGE_LEX;
        } else if (type == RANGE_AUTO && zarg_is(a, "byscore")) {
            type = RANGE_SCORE;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (dir == DIR_AUTO) {
        dir = DIR_FORWARD;
    }
    if (type == RANGE_AUTO) {
        type = RANGE_RANK;
    }
    if (limit != -1 && type == RANGE_RANK) {
        reply_error(c, "syntax error, LIMIT is only supported in "
                       "combination with either BYSCORE or BYLEX");
        return;
    }
    if (withscores && type == RANGE_LEX) {
        reply_error(c, "syntax error, WITHSCORES not supported in "
                       "combination with BYLEX");
        return;
    }
    int rev = dir == DIR_REVERSE;
    if (rev && type != RANGE_RANK) {
        /* The range is given as max, min. */
        int t = minidx;
        minidx = maxidx;
        maxidx = t;
    }
    const arg *amin = &c->argv[minidx], *amax = &c->argv[maxidx];
    switch (type) {
    case RANGE_RANK:
        if (zarg_long(c, amin, &opt_start, NULL) != 0 ||
            zarg_long(c, amax, &opt_end, NULL) != 0) {
            return;
        }
        break;
    case RANGE_SCORE:
        if (zsl_parse_range(amin->p, amin->n, amax->p, amax->n, &range) != 0) {
            reply_error(c, err_not_float);
            return;
        }
        break;
    default:
        if (zsl_parse_lex_range(amin->p, amin->n, amax->p, amax->n, &lex) !=
            0) {
            reply_error(c, err_not_lex);
            return;
        }
        break;
    }

    zsink s = {c, dstkey, NULL, withscores, NULL};
    obj *o = db_lookup_read(c, key);
    if (o == NULL) {
        if (dstkey != NULL) {
            sink_begin(&s, -1);
            sink_end(&s, 0);
        } else {
            reply_array_len(c, 0);
        }
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    switch (type) {
    case RANGE_RANK: range_by_rank(&s, o, opt_start, opt_end, rev); break;
    case RANGE_SCORE: range_by_score(&s, o, &range, offset, limit, rev); break;
    default: range_by_lex(&s, o, &lex, offset, limit, rev); break;
    }
}

void cmd_zrange(client *c)
{
    zrange_generic(c, 1, NULL, RANGE_AUTO, DIR_AUTO);
}

void cmd_zrangestore(client *c)
{
    zrange_generic(c, 2, &c->argv[1], RANGE_AUTO, DIR_AUTO);
}

void cmd_zrevrange(client *c)
{
    zrange_generic(c, 1, NULL, RANGE_RANK, DIR_REVERSE);
}

void cmd_zrangebyscore(client *c)
{
    zrange_generic(c, 1, NULL, RANGE_SCORE, DIR_FORWARD);
}

void cmd_zrevrangebyscore(client *c)
{
    zrange_generic(c, 1, NULL, RANGE_SCORE, DIR_REVERSE);
}

void cmd_zrangebylex(client *c)
{
    zrange_generic(c, 1, NULL, RANGE_LEX, DIR_FORWARD);
}

void cmd_zrevrangebylex(client *c)
{
    zrange_generic(c, 1, NULL, RANGE_LEX, DIR_REVERSE);
}

/* ==== ZREMRANGEBY* ======================================================== */

static void drop_node(void *priv, zsl_node *x)
{
    zidx_remove(priv, x->ele, str_len(x->ele));
}

static void zremrange_generic(client *c, int type)
{
    const arg *key = &c->argv[1];
    long start = 0, end = 0;
    zsl_range range;
    zsl_lex_range lex;
    unsigned long deleted = 0;

    if (type == RANGE_RANK) {
        if (zarg_long(c, &c->argv[2], &start, NULL) != 0 ||
            zarg_long(c, &c->argv[3], &end, NULL) != 0) {
            return;
        }
    } else if (type == RANGE_SCORE) {
        if (zsl_parse_range(c->argv[2].p, c->argv[2].n, c->argv[3].p,
                            c->argv[3].n, &range) != 0) {
            reply_error(c, err_not_float);
            return;
        }
    } else if (zsl_parse_lex_range(c->argv[2].p, c->argv[2].n, c->argv[3].p,
                                   c->argv[3].n, &lex) != 0) {
        reply_error(c, err_not_lex);
        return;
    }

    obj *o = db_lookup_write(c, key);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_zset(c, o) != 0) {
        return;
    }
    if (type == RANGE_RANK) {
        long llen = (long)zset_length(o);
        if (start < 0) {
            start = llen + start;
        }
        if (end < 0) {
            end = llen + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= llen) {
            reply_ll(c, 0);
            return;
        }
        if (end >= llen) {
            end = llen - 1;
        }
    }

    if (o->enc == ENC_LISTPACK) {
        unsigned char *lp = o->ptr, *e;
        if (type == RANGE_RANK) {
            deleted = (unsigned long)(end - start + 1);
            lp = lp_delete_range(lp, 2 * start, 2 * deleted);
        } else if (type == RANGE_SCORE) {
            e = zl_first_in_range(lp, &range);
            while (e != NULL &&
                   zsl_value_lte_max(zl_get_score(lp_next(lp, e)), &range)) {
                lp = zl_delete_pair(lp, e, &e);
                deleted++;
            }
        } else {
            e = zl_first_in_lex_range(lp, &lex);
            while (e != NULL && zl_lex_lte_max(e, &lex)) {
                lp = zl_delete_pair(lp, e, &e);
                deleted++;
            }
        }
        o->ptr = lp;
    } else {
        zset *zs = o->ptr;
        if (type == RANGE_RANK) {
            deleted = zsl_delete_range_by_rank(
                zs->zsl, (unsigned long)start + 1, (unsigned long)end + 1,
                drop_node, &zs->idx);
        } else if (type == RANGE_SCORE) {
            deleted =
                zsl_delete_range_by_score(zs->zsl, &range, drop_node, &zs->idx);
        } else {
            deleted =
                zsl_delete_range_by_lex(zs->zsl, &lex, drop_node, &zs->idx);
        }
        zidx_maybe_shrink(&zs->idx);
    }
    if (deleted) {
        /* The event is the command's name: zremrangebyrank, ...bylex. */
        notify_key(c, NOTIFY_ZSET, c->cmd->name, key);
        if (zset_length(o) == 0) {
            db_delete(c->db, key->p, key->n);
            notify_key(c, NOTIFY_GENERIC, "del", key);
        }
        db_signal_modified(c, c->db, key->p, key->n);
    }
    c->srv->dirty += (long long)deleted;
    reply_ll(c, (long long)deleted);
}

void cmd_zremrangebyrank(client *c)
{
    zremrange_generic(c, RANGE_RANK);
}

void cmd_zremrangebyscore(client *c)
{
    zremrange_generic(c, RANGE_SCORE);
}

void cmd_zremrangebylex(client *c)
{
    zremrange_generic(c, RANGE_LEX);
}

/* ==== inputs of the set algebra: zsets and plain sets ==================== */

/* A set is read as a zset whose scores are all 1 (Redis's zsetopsrc). Sets
 * (t_set.c) are an intset or a dict whose keys are the members. */
typedef struct zsrc {
    obj *o; /* NULL for a missing key */
    double weight;
    size_t len;
    int order; /* position on the command line, for a stable sort */
} zsrc;

typedef struct zval {
    const char *p;
    size_t n;
    double score;
    unsigned char buf[LP_INTBUF_SIZE];
} zval;

typedef struct zsrc_iter {
    obj *o;
    unsigned char *eptr; /* listpack zset */
    zsl_node *node;      /* skiplist zset */
    uint32_t pos;        /* intset */
    dict_iter di;        /* hashtable set */
} zsrc_iter;

static size_t zsrc_length(const obj *o)
{
    if (o == NULL) {
        return 0;
    }
    if (o->type == OBJ_ZSET) {
        return zset_length(o);
    }
    if (o->enc == ENC_INTSET) {
        return intset_len(o->ptr);
    }
    return dict_size(o->ptr);
}

static void zsrc_iter_init(zsrc_iter *it, obj *o)
{
    it->o = o;
    if (o->type == OBJ_ZSET) {
        if (o->enc == ENC_LISTPACK) {
            it->eptr = lp_first(o->ptr);
        } else {
            it->node = zsl_first(((zset *)o->ptr)->zsl);
        }
    } else if (o->enc == ENC_INTSET) {
        it->pos = 0;
    } else {
        dict_iter_init(&it->di, o->ptr);
    }
}

static void zsrc_iter_deinit(zsrc_iter *it)
{
    if (it->o->type == OBJ_SET && it->o->enc != ENC_INTSET) {
        dict_iter_deinit(&it->di);
    }
}

/* Next element into *v (valid until the next call); 0 at the end. */
static int zsrc_next(zsrc_iter *it, zval *v)
{
    obj *o = it->o;

    if (o->type == OBJ_ZSET) {
        if (o->enc == ENC_LISTPACK) {
            unsigned char *lp = o->ptr;
            if (it->eptr == NULL) {
                return 0;
            }
            unsigned char *sptr = lp_next(lp, it->eptr);
            v->p = zl_member(it->eptr, &v->n, v->buf);
            v->score = zl_get_score(sptr);
            it->eptr = lp_next(lp, sptr);
            return 1;
        }
        if (it->node == NULL) {
            return 0;
        }
        v->p = it->node->ele;
        v->n = str_len(it->node->ele);
        v->score = it->node->score;
        it->node = it->node->level[0].forward;
        return 1;
    }
    v->score = 1.0;
    if (o->enc == ENC_INTSET) {
        int64_t x;
        if (intset_get(o->ptr, it->pos, &x) != 0) {
            return 0;
        }
        it->pos++;
        v->n = (size_t)util_ll2str((char *)v->buf, sizeof(v->buf), x);
        v->p = (const char *)v->buf;
        return 1;
    }
    dict_entry *de = dict_iter_next(&it->di);
    if (de == NULL) {
        return 0;
    }
    v->p = de->key;
    v->n = de->klen;
    return 1;
}

/* Is member (p, n) in o? Its score goes to *score. */
static int zsrc_find(obj *o, const char *p, size_t n, double *score)
{
    if (o == NULL) {
        return 0;
    }
    if (o->type == OBJ_ZSET) {
        return zset_score(o, p, n, score) == 0;
    }
    *score = 1.0;
    if (o->enc == ENC_INTSET) {
        long long v;
        return util_str2ll(p, n, &v) == 0 && intset_find(o->ptr, v);
    }
    return dict_find(o->ptr, p, n) != NULL;
}

/* Smallest first; equal sizes keep their command-line order. */
static int by_length(const void *a, const void *b)
{
    const zsrc *x = a, *y = b;

    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    return x->order - y->order;
}

/* ==== ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD =========== */

enum { OP_UNION, OP_INTER, OP_DIFF };
enum { AGG_SUM, AGG_MIN, AGG_MAX };

static void aggregate(double *target, double v, int agg)
{
    if (agg == AGG_SUM) {
        *target += v;
        /* inf + -inf: Redis's convention is 0. */
        if (isnan(*target)) {
            *target = 0.0;
        }
    } else if (agg == AGG_MIN) {
        *target = v < *target ? v : *target;
    } else {
        *target = v > *target ? v : *target;
    }
}

/* Add a member known not to be in the (skiplist) result yet. */
static void result_add(client *c, obj *dst, const char *p, size_t n,
                       double score, size_t *maxlen, size_t *totlen)
{
    int out;

    zset_add(c->srv, dst, score, p, n, 0, &out, NULL);
    *totlen += n;
    if (n > *maxlen) {
        *maxlen = n;
    }
}

static void op_inter(client *c, zsrc *src, long n, int agg, obj *dst,
                     unsigned long *card, long limit, size_t *maxlen,
                     size_t *totlen)
{
    zsrc_iter it;
    zval v;

    if (src[0].len == 0) {
        return;
    }
    zsrc_iter_init(&it, src[0].o);
    while (zsrc_next(&it, &v)) {
        double score = src[0].weight * v.score, value;
        long j;
        if (isnan(score)) {
            score = 0;
        }
        for (j = 1; j < n; j++) {
            if (src[j].o == src[0].o) {
                value = v.score * src[j].weight;
            } else if (zsrc_find(src[j].o, v.p, v.n, &value)) {
                value *= src[j].weight;
            } else {
                break;
            }
            aggregate(&score, value, agg);
        }
        if (j < n) {
            continue;
        }
        if (dst == NULL) {
            (*card)++;
            if (limit && *card >= (unsigned long)limit) {
                break;
            }
        } else {
            result_add(c, dst, v.p, v.n, score, maxlen, totlen);
        }
    }
    zsrc_iter_deinit(&it);
}

static void op_union(client *c, zsrc *src, long n, int agg, obj *dst,
                     size_t *maxlen, size_t *totlen)
{
    dict *acc = dict_create(NULL);
    zsrc_iter it;
    zval v;

    if (n > 0 && src[n - 1].len > 0) {
        dict_expand(acc, src[n - 1].len);
    }
    for (long i = 0; i < n; i++) {
        if (src[i].len == 0) {
            continue;
        }
        zsrc_iter_init(&it, src[i].o);
        while (zsrc_next(&it, &v)) {
            double score = src[i].weight * v.score;
            int existed;
            if (isnan(score)) {
                score = 0;
            }
            dict_entry *de = dict_add_or_find(acc, v.p, v.n, &existed);
            if (!existed) {
                de->v.d = score;
                *totlen += v.n;
                if (v.n > *maxlen) {
                    *maxlen = v.n;
                }
            } else {
                aggregate(&de->v.d, score, agg);
            }
        }
        zsrc_iter_deinit(&it);
    }
    dict_iter di;
    dict_entry *de;
    dict_iter_init(&di, acc);
    while ((de = dict_iter_next(&di)) != NULL) {
        int out;
        zset_add(c->srv, dst, de->v.d, de->key, de->klen, 0, &out, NULL);
    }
    dict_iter_deinit(&di);
    dict_destroy(&acc);
}

static void op_diff(client *c, zsrc *src, long n, obj *dst, size_t *maxlen,
                    size_t *totlen)
{
    zsrc_iter it;
    zval v;

    if (src[0].len == 0) {
        return;
    }
    zsrc_iter_init(&it, src[0].o);
    while (zsrc_next(&it, &v)) {
        int exists = 0;
        for (long j = 1; j < n && !exists; j++) {
            double ignored;
            exists =
                src[j].o == src[0].o || zsrc_find(src[j].o, v.p, v.n, &ignored);
        }
        if (!exists) {
            result_add(c, dst, v.p, v.n, v.score, maxlen, totlen);
        }
    }
    zsrc_iter_deinit(&it);
}

/* Redis's zunionInterDiffGenericCommand. numkeys is argv[numkeys_idx];
 * dstkey is set for the STORE forms; card_only for ZINTERCARD. */
static void zsetop_generic(client *c, const arg *dstkey, int numkeys_idx,
                           int op, int card_only)
{
    long setnum, limit = 0;
    int agg = AGG_SUM, withscores = 0;

    if (zarg_long(c, &c->argv[numkeys_idx], &setnum, NULL) != 0) {
        return;
    }
    if (setnum < 1) {
        reply_errorf(c, "at least 1 input key is needed for '%s' command",
                     c->cmd->fullname);
        return;
    }
    if (setnum > c->argc - (numkeys_idx + 1)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }

    zsrc *src = mem_calloc((size_t)setnum * sizeof(zsrc));
    int j = numkeys_idx + 1;
    for (long i = 0; i < setnum; i++, j++) {
        obj *o = db_lookup_read(c, &c->argv[j]);
        if (o != NULL && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            reply_error(c, ERR_WRONGTYPE);
            goto done;
        }
        src[i].o = o;
        src[i].weight = 1.0;
        src[i].len = zsrc_length(o);
        src[i].order = (int)i;
    }

    while (j < c->argc) {
        int remaining = c->argc - j;
        const arg *a = &c->argv[j];
        if (op != OP_DIFF && !card_only && remaining >= setnum + 1 &&
            zarg_is(a, "weights")) {
            j++;
            for (long i = 0; i < setnum; i++, j++) {
                if (zarg_double(c, &c->argv[j], &src[i].weight,
                                "weight value is not a float") != 0) {
                    goto done;
                }
            }
        } else if (op != OP_DIFF && !card_only && remaining >= 2 &&
                   zarg_is(a, "aggregate")) {
            const arg *v = &c->argv[j + 1];
            if (zarg_is(v, "sum")) {
                agg = AGG_SUM;
            } else if (zarg_is(v, "min")) {
                agg = AGG_MIN;
            } else if (zarg_is(v, "max")) {
                agg = AGG_MAX;
            } else {
                reply_error(c, ERR_SYNTAX);
                goto done;
            }
            j += 2;
        } else if (dstkey == NULL && !card_only && zarg_is(a, "withscores")) {
            withscores = 1;
            j++;
        } else if (card_only && remaining >= 2 && zarg_is(a, "limit")) {
            const char *msg = "LIMIT can't be negative";
            if (zarg_long(c, &c->argv[j + 1], &limit, msg) != 0) {
                goto done;
            }
            if (limit < 0) {
                reply_error(c, msg);
                goto done;
            }
            j += 2;
        } else {
            reply_error(c, ERR_SYNTAX);
            goto done;
        }
    }

    if (op != OP_DIFF) {
        qsort(src, (size_t)setnum, sizeof(zsrc), by_length);
    }

    size_t maxlen = 0, totlen = 0;
    unsigned long card = 0;
    obj *dst = card_only ? NULL : zset_create_skiplist();
    if (op == OP_INTER) {
        op_inter(c, src, setnum, agg, dst, &card, limit, &maxlen, &totlen);
    } else if (op == OP_UNION) {
        op_union(c, src, setnum, agg, dst, &maxlen, &totlen);
    } else {
        op_diff(c, src, setnum, dst, &maxlen, &totlen);
    }

    if (card_only) {
        reply_ll(c, (long long)card);
    } else if (dstkey != NULL) {
        size_t len = zset_length(dst);
        if (len) {
            zset_convert_to_listpack_if_needed(c->srv, dst, maxlen, totlen);
            db_set(c, c->db, dstkey->p, dstkey->n, dst, 0);
            dst = NULL;
            reply_ll(c, (long long)len);
            /* After the reply, as Redis; named as the command:
             * zunionstore, zinterstore or zdiffstore. */
            notify_key(c, NOTIFY_ZSET, c->cmd->name, dstkey);
            c->srv->dirty++;
        } else {
            reply_ll(c, 0);
            if (db_delete(c->db, dstkey->p, dstkey->n)) {
                db_signal_modified(c, c->db, dstkey->p, dstkey->n);
                notify_key(c, NOTIFY_GENERIC, "del", dstkey);
                c->srv->dirty++;
            }
        }
    } else {
        zsl *z = ((zset *)dst->ptr)->zsl;
        long len = (long)zsl_length(z);
        reply_array_len(c, withscores && c->resp == 2 ? len * 2 : len);
        for (zsl_node *x = zsl_first(z); x != NULL; x = x->level[0].forward) {
            if (withscores && c->resp > 2) {
                reply_array_len(c, 2);
            }
            reply_bulk(c, x->ele, str_len(x->ele));
            if (withscores) {
                reply_double(c, x->score);
            }
        }
    }
    if (dst != NULL) {
        obj_decr(dst);
    }
done:
    mem_free(src);
}

void cmd_zunion(client *c)
{
    zsetop_generic(c, NULL, 1, OP_UNION, 0);
}

void cmd_zinter(client *c)
{
    zsetop_generic(c, NULL, 1, OP_INTER, 0);
}

void cmd_zdiff(client *c)
{
    zsetop_generic(c, NULL, 1, OP_DIFF, 0);
}

void cmd_zunionstore(client *c)
{
    zsetop_generic(c, &c->argv[1], 2, OP_UNION, 0);
}

void cmd_zinterstore(client *c)
{
    zsetop_generic(c, &c->argv[1], 2, OP_INTER, 0);
}

void cmd_zdiffstore(client *c)
{
    zsetop_generic(c, &c->argv[1], 2, OP_DIFF, 0);
}

void cmd_zintercard(client *c)
{
    zsetop_generic(c, NULL, 1, OP_INTER, 1);
}
