/* zindex: the member -> node index of a skiplist-encoded sorted set, a
 * Robin Hood hash table of skiplist node pointers that stores no copy of
 * the members (the nodes own them). */
#ifndef SHOAL_ZINDEX_H
#define SHOAL_ZINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "skiplist.h"

/*
 * Redis pairs its zskiplist with a dict member -> score. Our dict embeds a
 * copy of each key in its entry, which would store every member twice; this
 * index costs 8 bytes per slot and nothing per element instead.
 *
 * Ownership: the index borrows the nodes; it never frees them. A node must
 * stay at its address while indexed (zsl_update_score keeps it there) and
 * be removed from the index before the skiplist frees it.
 *
 * Growing is incremental, as Redis's dict rehash: a table twice the size
 * takes new entries while every operation moves a few old ones, so no
 * single call rehashes a million members. Lookups, inserts and deletes
 * may all move entries; node pointers stay valid, slots do not.
 */

typedef struct zidx {
    uint64_t *t[2]; /* t[1] != NULL while growing into it */
    size_t cap[2];  /* powers of two, or 0 with t[k] == NULL */
    size_t used[2];
    size_t migrate; /* next slot of t[0] to move while growing */
} zidx;

/* An empty index sized for about n entries (0: allocate on first add). */
void zidx_init(zidx *ix, size_t n);
/* Frees the tables (not the nodes). The index may be reused after init. */
void zidx_deinit(zidx *ix);

/* Number of entries. */
size_t zidx_size(const zidx *ix);
/* Bytes of the tables. */
size_t zidx_mem_usage(const zidx *ix);

/* The node whose member is the len bytes at m, or NULL. */
zsl_node *zidx_find(zidx *ix, const void *m, size_t len);
/* Adds node n, whose member must not be indexed yet. Aborts if the node's
 * address does not fit in 48 bits (never on Linux x86-64 / arm64). */
void zidx_add(zidx *ix, const zsl_node *n);
/* Removes the member's entry; returns its node, or NULL if absent. */
zsl_node *zidx_remove(zidx *ix, const void *m, size_t len);
/* Halves the table while it is less than 1/8 full (not while growing);
 * call after removals. Cheap: homes are derived without the members. */
void zidx_maybe_shrink(zidx *ix);

/* Calls fn on the entries of one bucket group and returns the next
 * cursor, 0 when done: SCAN's reverse-binary cursor, with its guarantee
 * (every entry present throughout is reported at least once, across
 * resizes). fn must not change the index. */
typedef void zidx_scan_fn(void *priv, const zsl_node *n);
uint64_t zidx_scan(const zidx *ix, uint64_t cursor, zidx_scan_fn *fn,
                   void *priv);

#endif
