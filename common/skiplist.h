/* skiplist: the ordered index of a sorted set, with Redis's zskiplist
 * semantics: order by (score, member bytes), 1-based ranks from spans,
 * backward links, score and lex ranges, and the range parsers ZRANGEBYSCORE
 * and ZRANGEBYLEX use (their quirks included). */
#ifndef SHOAL_SKIPLIST_H
#define SHOAL_SKIPLIST_H

#include <stddef.h>

#include "str.h"

/*
 * Ordering: by score, then by member bytes (memcmp over the shorter length,
 * the shorter member first on a tie). A member appears at most once; the
 * caller (the zset's dict) guarantees it: zsl_insert does not check.
 *
 * Ownership: each node owns its member, a str embedded in the node's own
 * allocation (one allocation per element; never str_free it, never grow
 * it). Redis 7.0 shares one sds between the zset's dict and skiplist, but
 * our dict copies keys into its entries, so a shared str is not possible;
 * instead the zset's dict should map member -> zsl_node * (entry v.ptr):
 * the score is node->score, and deleting needs no second lookup. A node
 * stays at the same address until it is deleted, including across
 * zsl_update_score, so such pointers stay valid.
 */

#define ZSL_MAXLEVEL 32
#define ZSL_P 0.25

typedef struct zsl_node {
    str ele; /* the member; points inside this allocation */
    double score;
    struct zsl_node *backward;
    int height; /* entries in level[] */
    struct zsl_level {
        struct zsl_node *forward;
        unsigned long span; /* elements skipped by this link */
    } level[];
} zsl_node;

/* Fields are read-only for callers. Walk forward from
 * header->level[0].forward, backward from tail via ->backward. */
typedef struct zsl {
    zsl_node *header;
    zsl_node *tail;
    unsigned long length;
    int level;
    unsigned long long rng; /* for node levels; per list, no globals */
} zsl;

/* A score interval; minex/maxex make a bound exclusive. */
typedef struct zsl_range {
    double min;
    double max;
    int minex;
    int maxex;
} zsl_range;

/* A lex bound: kind ZSL_LEX_MIN ("-"), ZSL_LEX_MAX ("+") or ZSL_LEX_STR
 * (the len bytes at s, inclusive or exclusive by ex). */
enum { ZSL_LEX_STR = 0, ZSL_LEX_MIN = 1, ZSL_LEX_MAX = 2 };
typedef struct zsl_lex_bound {
    const char *s;
    size_t len;
    int kind;
    int ex;
} zsl_lex_bound;

typedef struct zsl_lex_range {
    zsl_lex_bound min;
    zsl_lex_bound max;
} zsl_lex_range;

/* Called for each node a range delete removes, before it is freed (so the
 * zset can drop its dict entry). */
typedef void (*zsl_delete_cb)(void *priv, zsl_node *n);

/* New empty skiplist. Never returns NULL. */
zsl *zsl_create(void);
/* Frees every node and the list; sets *z to NULL. Accepts NULL. */
void zsl_destroy(zsl **z);

static inline unsigned long zsl_length(const zsl *z)
{
    return z->length;
}

/* Adds member (len bytes, copied) with score; returns its node. The member
 * must not be present already and score must not be NaN. */
zsl_node *zsl_insert(zsl *z, double score, const void *ele, size_t len);

/* Removes the element (score, member). Returns 0, or -1 if not found. If
 * node is not NULL the removed node is not freed but handed back in
 * *node: the caller frees it with zsl_free_node(). */
int zsl_delete(zsl *z, double score, const void *ele, size_t len,
               zsl_node **node);
void zsl_free_node(zsl_node *n);

/* Changes the score of the element (curscore, member) to newscore and
 * returns its node, which keeps its address. Returns NULL if not found. */
zsl_node *zsl_update_score(zsl *z, double curscore, const void *ele, size_t len,
                           double newscore);

/* 1-based rank of (score, member), or 0 if it is not in the list. */
unsigned long zsl_get_rank(const zsl *z, double score, const void *ele,
                           size_t len);
/* The node at 1-based rank, or NULL if out of range. */
zsl_node *zsl_get_by_rank(const zsl *z, unsigned long rank);

static inline zsl_node *zsl_first(const zsl *z)
{
    return z->header->level[0].forward;
}

static inline zsl_node *zsl_last(const zsl *z)
{
    return z->tail;
}

/* Score ranges. The value tests also serve listpack-encoded zsets. */
int zsl_value_gte_min(double value, const zsl_range *r);
int zsl_value_lte_max(double value, const zsl_range *r);
/* Quick overlap test: 0 if r is empty or lies wholly before the first or
 * after the last element (no element can match), else 1 (one may). */
int zsl_is_in_range(const zsl *z, const zsl_range *r);
/* First / last node in r, or NULL if none. */
zsl_node *zsl_first_in_range(const zsl *z, const zsl_range *r);
zsl_node *zsl_last_in_range(const zsl *z, const zsl_range *r);

/* Lex ranges (meaningful when all scores are equal, as in Redis). */
int zsl_lex_gte_min(const void *ele, size_t len, const zsl_lex_range *r);
int zsl_lex_lte_max(const void *ele, size_t len, const zsl_lex_range *r);
/* 1 if r can never match (min above max, or equal with an exclusive
 * bound), as Redis tests before any lookup. */
int zsl_lex_range_empty(const zsl_lex_range *r);
/* Same quick overlap test as zsl_is_in_range, for lex ranges. */
int zsl_is_in_lex_range(const zsl *z, const zsl_lex_range *r);
zsl_node *zsl_first_in_lex_range(const zsl *z, const zsl_lex_range *r);
zsl_node *zsl_last_in_lex_range(const zsl *z, const zsl_lex_range *r);

/* Range deletes; each returns how many elements it removed and calls cb
 * (if not NULL) on each node before freeing it. Ranks are 1-based and
 * inclusive. */
unsigned long zsl_delete_range_by_score(zsl *z, const zsl_range *r,
                                        zsl_delete_cb cb, void *priv);
unsigned long zsl_delete_range_by_lex(zsl *z, const zsl_lex_range *r,
                                      zsl_delete_cb cb, void *priv);
unsigned long zsl_delete_range_by_rank(zsl *z, unsigned long start,
                                       unsigned long end, zsl_delete_cb cb,
                                       void *priv);

/* Parses ZRANGEBYSCORE-style bounds exactly as Redis 7.0 does: an
 * optional '(' for exclusive, then what strtod accepts up to the first NUL
 * byte ("", "(" are 0; leading spaces, hex, "inf" and overflow to inf are
 * allowed; NaN or trailing bytes are not). Returns 0, or -1 for Redis's
 * "min or max is not a float". */
int zsl_parse_range(const char *min, size_t minlen, const char *max,
                    size_t maxlen, zsl_range *r);
/* Parses ZRANGEBYLEX-style bounds: "-", "+", "[member", "(member".
 * Bounds point into the arguments (no copy). Returns 0, or -1 for Redis's
 * "min or max not valid string range item". */
int zsl_parse_lex_range(const char *min, size_t minlen, const char *max,
                        size_t maxlen, zsl_lex_range *r);

#endif
