/* quicklist: Redis 7.0's list encoding, a doubly linked list of listpack
 * nodes with optional LZF compression of inner nodes. It makes the same
 * fill, split, merge and compress decisions as redis-server, so node
 * layouts (and thus RDB/DUMP payloads) come out the same. */
#ifndef SHOAL_QUICKLIST_H
#define SHOAL_QUICKLIST_H

#include <stddef.h>

/*
 * Nodes. A PACKED node holds a listpack (listpack.h) of up to a "fill"
 * limit; a PLAIN node holds one element of at least the packed threshold
 * (1 GiB by default) as bare bytes. Any node but the head and tail may be
 * LZF-compressed when the list's compress depth is d > 0: the d nodes at
 * each end stay raw, inner nodes are compressed as they are touched (only
 * listpacks of 48+ bytes, and only if that saves 8+ bytes).
 *
 * fill: > 0 caps the entries per node (and a node never grows past 8 KiB
 * unless it holds one entry); -1..-5 caps the node's listpack at 4, 8, 16,
 * 32 or 64 KiB. Values are clamped to [-5, 32767]. As in Redis, nodes
 * are merged with their neighbours only when an insert splits a full
 * node; deletes never merge (an emptied node is simply unlinked).
 *
 * Ownership: the quicklist owns every node and its bytes. Values handed in
 * are copied. Values handed out (ql_val, ql_entry) point into a node and are
 * valid only until the next call that modifies the list, moves the
 * iterator they came from (nodes are recompressed as an iterator leaves
 * them), or deinits it.
 */

typedef struct ql_node {
    struct ql_node *prev;
    struct ql_node *next;
    /* PACKED: the listpack; PLAIN: the element's bytes; when compressed a
     * ql_lzf. Use ql_node_data() rather than reading it directly. */
    unsigned char *entry;
    size_t sz;                  /* uncompressed bytes (listpack or element) */
    unsigned int count;         /* elements in the node */
    unsigned encoding : 2;      /* QL_ENC_RAW or QL_ENC_LZF */
    unsigned container : 2;     /* QL_PLAIN or QL_PACKED (RDB numbering) */
    unsigned recompress : 1;    /* decompressed for use; compress again */
    unsigned dont_compress : 1; /* held raw during an internal move */
} ql_node;

/* The compressed form of a node: sz LZF bytes. */
typedef struct ql_lzf {
    size_t sz;
    unsigned char data[];
} ql_lzf;

/* Fields are read-only for callers. */
typedef struct ql {
    ql_node *head;
    ql_node *tail;
    unsigned long count;     /* elements */
    unsigned long len;       /* nodes */
    int fill;                /* list-max-listpack-size */
    unsigned compress;       /* list-compress-depth */
    size_t packed_threshold; /* elements this large get a PLAIN node */
} ql;

#define QL_ENC_RAW 1
#define QL_ENC_LZF 2
/* Container numbers are the ones RDB_TYPE_LIST_QUICKLIST_2 stores. */
#define QL_PLAIN 1
#define QL_PACKED 2

/* 'where' for push, pop and peek; also an iterator's starting end:
 * QL_HEAD walks head to tail, QL_TAIL walks tail to head. */
#define QL_HEAD 0
#define QL_TAIL 1
/* 'after' for ql_iter_insert(). */
#define QL_BEFORE 0
#define QL_AFTER 1

#define QL_FILL_MAX 32767
#define QL_FILL_MIN -5
#define QL_COMPRESS_MAX 65535
#define QL_PACKED_THRESHOLD_DEFAULT ((size_t)1 << 30)

/* A borrowed element: s != NULL means slen bytes at s, s == NULL means an
 * integer-encoded listpack entry whose value is v. */
typedef struct ql_val {
    const unsigned char *s;
    size_t slen;
    long long v;
} ql_val;

/* An element found by an iterator, with its position (needed to delete,
 * replace or insert next to it). offset follows Redis: the index inside
 * the node, negative (from the node's end) when the iterator started from
 * a negative index. */
typedef struct ql_entry {
    ql_node *node;
    unsigned char *p; /* the listpack entry (or the PLAIN node's bytes) */
    long offset;
    ql_val val;
} ql_entry;

/* An iterator lives on the caller's stack. */
typedef struct ql_iter {
    ql *q;
    ql_node *current;
    unsigned char *p; /* last entry returned in current, NULL: seek offset */
    long offset;
    int dir; /* QL_HEAD (towards the tail) or QL_TAIL (towards the head) */
} ql_iter;

/* New empty list with fill and compress depth (clamped as Redis does) and
 * the default packed threshold. Never returns NULL. */
ql *ql_create(int fill, int compress);
/* Frees the list and every node; sets *q to NULL. Accepts NULL. */
void ql_destroy(ql **q);
/* A deep copy (compressed nodes are copied compressed). */
ql *ql_dup(const ql *q);
void ql_set_options(ql *q, int fill, int compress);
/* Elements of at least sz bytes go to PLAIN nodes from now on (Redis's
 * DEBUG QUICKLIST-PACKED-THRESHOLD; there it is process-wide, here per
 * list, so the caller applies it to the lists it wants). 0 restores the
 * default. Returns 0, or -1 (unchanged) if sz is above 4 GiB - 1 MiB. */
int ql_set_packed_threshold(ql *q, size_t sz);

static inline unsigned long ql_count(const ql *q)
{
    return q->count;
}

/* O(1) push at either end (where: QL_HEAD or QL_TAIL). */
void ql_push(ql *q, const void *v, size_t len, int where);
void ql_push_head(ql *q, const void *v, size_t len);
void ql_push_tail(ql *q, const void *v, size_t len);

/* The element at an end, borrowed (see Ownership). Returns 0, or -1 if the
 * list is empty. Head and tail are never compressed, so this is O(1) and
 * changes nothing. */
int ql_peek(ql *q, int where, ql_val *out);
/* Removes the element at an end. Returns 0, or -1 if the list is empty.
 * Read it first with ql_peek() if needed: a ql_val from ql_peek() is
 * invalid after this call. */
int ql_pop(ql *q, int where);

/* Iteration. ql_iter_init starts at the head (QL_HEAD: walks towards the
 * tail) or at the tail (QL_TAIL: walks towards the head). ql_iter_init_at
 * starts at index idx (0 first, -1 last) walking in direction dir; it
 * returns -1 if idx is out of range (the iterator then yields nothing).
 * ql_iter_next fills *e and returns 1, or returns 0 at the end. Every init
 * needs a ql_iter_deinit, which recompresses the node it stopped on.
 *
 * While iterating, the list may be changed only through the iterator:
 * ql_iter_delete() keeps the iteration going; ql_iter_insert() and
 * ql_iter_replace() end it (ql_iter_next then returns 0). Any other change
 * to the list requires a fresh iterator. */
void ql_iter_init(ql_iter *it, ql *q, int dir);
int ql_iter_init_at(ql_iter *it, ql *q, int dir, long long idx);
int ql_iter_next(ql_iter *it, ql_entry *e);
void ql_iter_deinit(ql_iter *it);

/* Positions an iterator at idx and fetches that element into *e (Redis's
 * quicklistGetIteratorEntryAtIdx: LINDEX, LSET). Returns 0, or -1 if idx
 * is out of range. Deinit the iterator in both cases. */
int ql_iter_at(ql_iter *it, ql *q, long long idx, ql_entry *e);

/* Deletes e (the entry it last returned); the next ql_iter_next returns
 * the element after it in the iteration direction. */
void ql_iter_delete(ql_iter *it, ql_entry *e);
/* Inserts v before (QL_BEFORE) or after (QL_AFTER) e, in list order.
 * Ends the iteration. */
void ql_iter_insert(ql_iter *it, ql_entry *e, const void *v, size_t len,
                    int after);
/* Replaces e's value with v. Ends the iteration. */
void ql_iter_replace(ql_iter *it, ql_entry *e, const void *v, size_t len);

/* 1 if e's value equals the len bytes at s (an integer entry equals the
 * canonical decimal spelling of its value), else 0. */
int ql_entry_eq(const ql_entry *e, const void *s, size_t len);

/* Replaces the element at idx. Returns 0, or -1 if idx is out of range. */
int ql_replace_at(ql *q, long long idx, const void *v, size_t len);

/* Deletes count elements from index start (negative: from the tail),
 * stopping at the end of the list. Returns how many were deleted (0 when
 * count <= 0 or start is out of range). */
unsigned long ql_del_range(ql *q, long start, long count);

/* Appends a whole listpack as a new tail node (RDB loading); takes
 * ownership of lp (a mem_alloc'd, validated listpack). An empty listpack
 * is freed and nothing is added. */
void ql_append_listpack(ql *q, unsigned char *lp);
/* Appends a PLAIN node holding the sz bytes at data; takes ownership of
 * data (mem_alloc'd). */
void ql_append_plain(ql *q, unsigned char *data, size_t sz);

/* Node enumeration for writers (RDB, DEBUG): walk q->head .. ->next.
 * Returns the node's stored bytes and sets *len: when the node is
 * compressed (*compressed = 1) they are LZF data that decompress to
 * n->sz bytes; otherwise the listpack (PACKED) or the element (PLAIN).
 * Valid until the list is next modified. */
const unsigned char *ql_node_data(const ql_node *n, size_t *len,
                                  int *compressed);

#endif
