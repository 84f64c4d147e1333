/* t_zset: the sorted set value shared by t_zset.c (encodings, point
 * commands) and t_zset_ops.c (ranges, set algebra). Not a public API:
 * other modules reach zsets through types.h. */
#ifndef SHOAL_T_ZSET_H
#define SHOAL_T_ZSET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "listpack.h"
#include "server.h"
#include "skiplist.h"
#include "zindex.h"

/*
 * Encodings (as Redis 7.0):
 *  - ENC_LISTPACK: o->ptr is a listpack of member, score pairs ordered by
 *    (score, member bytes); a score that is an integer within +-2^62 is
 *    stored integer-encoded, any other as its "%.17g" text (Redis 7.0.15).
 *  - ENC_SKIPLIST: o->ptr is a zset: the skiplist (ordered, owns the
 *    members) and a zidx member -> node (common/zindex.h), which holds only
 *    node pointers: that keeps a big zset below redis-server's footprint.
 */

typedef struct zset {
    zsl *zsl;
    zidx idx; /* member -> node */
} zset;

/* zset_add flags, in and out (Redis's ZADD_IN_* / ZADD_OUT_*). */
enum {
    ZADD_IN_INCR = 1 << 0,
    ZADD_IN_NX = 1 << 1,
    ZADD_IN_XX = 1 << 2,
    ZADD_IN_GT = 1 << 3,
    ZADD_IN_LT = 1 << 4,
};
enum {
    ZADD_OUT_NOP = 1 << 0, /* nothing done (NX/XX/GT/LT) */
    ZADD_OUT_NAN = 1 << 1, /* the resulting score would be NaN */
    ZADD_OUT_ADDED = 1 << 2,
    ZADD_OUT_UPDATED = 1 << 3,
};

/* ---- values ---- */

/* Empty zsets of either encoding, refcount 1. */
obj *zset_create_listpack(void);
obj *zset_create_skiplist(void);
/* The empty zset a destination of about size elements (-1: unknown)
 * starts as, as Redis's ZRANGESTORE picks it. */
obj *zset_create_for_size(const server *srv, long size);
size_t zset_length(const obj *o);
/* Convert in place to enc (ENC_LISTPACK or ENC_SKIPLIST). */
void zset_convert(obj *o, int enc);
/* A skiplist zset that fits the listpack thresholds becomes a listpack
 * (results of the STORE commands). */
void zset_convert_to_listpack_if_needed(const server *srv, obj *o,
                                        size_t maxelelen, size_t totelelen);

/* Score of member: 0 and *score, or -1 if absent. */
int zset_score(obj *o, const char *m, size_t n, double *score);
/* Add or update member as ZADD does with the in flags; converts the
 * encoding when the thresholds require it. Returns 1, or 0 when the score
 * is or becomes NaN (nothing changed; *out has ZADD_OUT_NAN). *newscore
 * (if not NULL) gets the member's score when it was added or updated. */
int zset_add(const server *srv, obj *o, double score, const char *m, size_t n,
             int in, int *out, double *newscore);
/* Remove member: 1 if it was there, else 0. The caller deletes the key
 * when the zset becomes empty. */
int zset_del(obj *o, const char *m, size_t n);
/* 0-based rank of member (from the top if reverse) and, if score is not
 * NULL, its score; -1 if absent. */
long zset_rank(obj *o, const char *m, size_t n, int reverse, double *score);

/* ---- listpack helpers ---- */

/* Score stored at sptr. */
double zl_get_score(const unsigned char *sptr);
/* Bytes of the entry at p (integers formatted into buf). */
const char *zl_member(const unsigned char *p, size_t *len,
                      unsigned char buf[LP_INTBUF_SIZE]);
/* Delete the pair whose member is at eptr; *next (if not NULL) gets the
 * member entry after it (NULL at the end). Returns the new listpack. */
unsigned char *zl_delete_pair(unsigned char *lp, unsigned char *eptr,
                              unsigned char **next);

/* ---- command helpers ---- */

/* Redis compares option words as C strings: "withscores\0x" is still
 * WITHSCORES. */
static inline int zarg_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* Redis's getLongFromObjectOrReply: replies msg (or the standard integer
 * error when NULL) and returns -1 if a is not a long. */
int zarg_long(client *c, const arg *a, long *out, const char *msg);
/* Redis's getDoubleFromObjectOrReply. */
int zarg_double(client *c, const arg *a, double *out, const char *msg);

#endif
