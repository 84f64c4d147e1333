/* stream_tree: an ordered map from 128-bit stream IDs to pointers (a B+tree
 * with linked leaves). Streams index their listpack nodes by master ID with
 * it, and consumer groups keep their pending entries lists in it. */
#ifndef SHOAL_STREAM_TREE_H
#define SHOAL_STREAM_TREE_H

#include <stddef.h>
#include <stdint.h>

/* A stream entry ID: milliseconds and sequence number, ordered by ms then
 * seq (Redis compares them as one big-endian 128-bit number). */
typedef struct stream_id {
    uint64_t ms;
    uint64_t seq;
} stream_id;

/* -1, 0 or 1 as a is lower than, equal to or greater than b. */
static inline int stream_id_cmp(const stream_id *a, const stream_id *b)
{
    if (a->ms != b->ms) {
        return a->ms < b->ms ? -1 : 1;
    }
    if (a->seq != b->seq) {
        return a->seq < b->seq ? -1 : 1;
    }
    return 0;
}

typedef struct stree stree;
typedef struct stree_leaf stree_leaf;

/* A position in the tree: valid (leaf != NULL) or past either end. Any
 * insertion or removal invalidates every iterator of that tree; seek again
 * afterwards (by key, which is O(log n)). Changing a value through
 * stree_iter_set_val does not. */
typedef struct stree_iter {
    stree_leaf *leaf;
    int pos;
} stree_iter;

/* Lifecycle. An empty tree allocates nothing but its header. destroy calls
 * free_val (if not NULL) on every value, frees the tree and sets *t to
 * NULL. */
stree *stree_create(void);
void stree_destroy(stree **t, void (*free_val)(void *));

/* Number of keys. */
size_t stree_size(const stree *t);
/* Bytes allocated by the tree itself (not the values): MEMORY USAGE. */
size_t stree_mem_usage(const stree *t);

/* Inserts id -> val. Returns 0, or -1 (tree unchanged) if id is present. */
int stree_insert(stree *t, const stream_id *id, void *val);
/* The value of id, or NULL if absent (values are never NULL). */
void *stree_find(const stree *t, const stream_id *id);
/* Removes id. Returns its value, or NULL if it was absent. */
void *stree_remove(stree *t, const stream_id *id);

/* Positioning. Each returns 1 when it is on a key, 0 when there is none
 * (the iterator is then past the end). */
int stree_first(const stree *t, stree_iter *it);
int stree_last(const stree *t, stree_iter *it);
/* First key >= id (or > id with strict). */
int stree_seek_ge(const stree *t, const stream_id *id, int strict,
                  stree_iter *it);
/* Last key <= id (or < id with strict). */
int stree_seek_le(const stree *t, const stream_id *id, int strict,
                  stree_iter *it);
int stree_next(stree_iter *it);
int stree_prev(stree_iter *it);

/* The key and value at a valid position. */
const stream_id *stree_iter_key(const stree_iter *it);
void *stree_iter_val(const stree_iter *it);
void stree_iter_set_val(const stree_iter *it, void *val);

#endif
