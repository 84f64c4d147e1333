/* stream: the stream value (Redis 7.0's layout: listpack nodes indexed by
 * master ID) and its consumer groups, without any command logic. */
#ifndef SHOAL_STREAM_H
#define SHOAL_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "listpack.h"
#include "stream_tree.h"

/*
 * Node layout (byte-compatible with Redis 7.0, so RDB writes the listpacks
 * verbatim, each keyed by its master ID as 16 big-endian bytes). Every
 * element below is one listpack entry; integers use listpack's integer
 * encodings.
 *
 *   master entry:  count | deleted | nfields | field_1 .. field_n | 0
 *   each entry:    flags | ms-diff | seq-diff | nfields | f_1 | v_1 ..
 *                  f_n | v_n | lp-count
 *   or, when the entry's fields are the master's (flags & SAMEFIELDS):
 *                  flags | ms-diff | seq-diff | v_1 .. v_n | lp-count
 *
 * count/deleted: live entries and entries flagged deleted in this node.
 * The master ID is the first entry's ID; the diffs are from it (two's
 * complement: a diff may be negative). lp-count is the number of elements
 * of the entry before it, so the node can be walked backwards; the
 * master's trailing 0 plays that role for the master entry. A deleted
 * entry stays, flagged; a node whose count drops to 0 is removed. A new
 * node starts when the tail one reaches stream-node-max-bytes or
 * stream-node-max-entries (deleted entries included).
 */

enum {
    STREAM_ITEM_DELETED = 1,
    STREAM_ITEM_SAMEFIELDS = 2,
};

/* A group's entries_read when unknown (Redis's SCG_INVALID_ENTRIES_READ). */
#define STREAM_ENTRIES_READ_INVALID (-1LL)

typedef struct stream_consumer stream_consumer;

/* A pending entry: shared by the group's PEL and its owner's PEL. */
typedef struct stream_nack {
    long long delivery_time; /* ms */
    uint64_t delivery_count;
    stream_consumer *consumer;
} stream_nack;

struct stream_consumer {
    long long seen_time; /* ms */
    stree *pel;          /* id -> stream_nack * (owned by the group PEL) */
    uint32_t namelen;
    char name[];
};

typedef struct stream_cg {
    stream_id last_id;
    long long entries_read;
    stree *pel;                  /* id -> stream_nack * (owned here) */
    stream_consumer **consumers; /* sorted by name (memcmp, then length) */
    uint32_t nconsumers, consumers_cap;
    uint32_t namelen;
    char name[];
} stream_cg;

typedef struct stream {
    stree *nodes;             /* master id -> listpack */
    uint64_t length;          /* live entries */
    stream_id last_id;        /* last ID generated or set */
    stream_id first_id;       /* first live entry (0-0 when empty) */
    stream_id max_deleted_id; /* largest ID removed by XDEL */
    uint64_t entries_added;   /* all entries ever added */
    stream_cg **groups;       /* sorted by name, as consumers */
    uint32_t ngroups, groups_cap;
} stream;

/* A field or value to append. */
typedef struct stream_bytes {
    const char *p;
    size_t n;
} stream_bytes;

/* ---- the value ---- */

stream *stream_create(void);
/* Frees the stream, its nodes and groups; sets *s to NULL. */
void stream_destroy(stream **s);
/* A deep copy, consumer groups, consumers and PELs included. */
stream *stream_dup(const stream *s);
/* Bytes the stream holds (headers, nodes, groups): MEMORY USAGE. */
size_t stream_mem_usage(const stream *s);

/* 1 if id is the largest ID there is (UINT64_MAX-UINT64_MAX). */
static inline int stream_id_is_max(const stream_id *id)
{
    return id->ms == UINT64_MAX && id->seq == UINT64_MAX;
}

/* The next / previous ID. Return 0, or -1 (id unchanged) at the end of the
 * ID space. */
int stream_id_incr(stream_id *id);
int stream_id_decr(stream_id *id);

/* Appends an entry with ID id (greater than s->last_id: the caller checks)
 * and numfields field/value pairs in fv[0..2*numfields). Nodes are limited
 * to max_bytes (0: 1 GiB) and max_entries (0: no limit). Updates length,
 * last_id, first_id and entries_added. */
void stream_append(stream *s, const stream_id *id, const stream_bytes *fv,
                   size_t numfields, long long max_bytes,
                   long long max_entries);

/* ---- iteration ---- */

/* Walks the live entries with start <= id <= end, forwards or backwards.
 * The stream must not change while iterating, except through
 * stream_iter_remove. */
typedef struct stream_iter {
    stream *s;
    stream_id start, end;
    int rev;
    int state;  /* 0 before the first node, 1 in a node,
                   2 between nodes, 3 done */
    int reseek; /* the node left was removed */
    stree_iter ni;
    stream_id master_id;
    unsigned char *lp;
    unsigned char *master_fields;
    int64_t master_nfields;
    unsigned char *master_end; /* the master entry's trailing 0 */
    unsigned char *next;       /* next entry to visit (see stream.c) */
    unsigned char *cur;        /* flags of the current entry */
    int64_t cur_flags;
    unsigned char *fp, *vp; /* field / value cursors */
    unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
} stream_iter;

/* start/end NULL mean the whole ID space. */
void stream_iter_start(stream_iter *it, stream *s, const stream_id *start,
                       const stream_id *end, int rev);
/* Moves to the next entry: 1 with *id and *nfields set, 0 at the end. */
int stream_iter_next(stream_iter *it, stream_id *id, int64_t *nfields);
/* The current entry's next field and value, nfields times in a row. The
 * bytes live in the node (or the iterator) until the next call. */
void stream_iter_field(stream_iter *it, const unsigned char **f, uint32_t *flen,
                       const unsigned char **v, uint32_t *vlen);
/* Deletes the current entry (flags it; frees its node when it was the
 * last live one there). Iteration goes on from the following entry. Does
 * not touch first_id / max_deleted_id (the callers decide). */
void stream_iter_remove(stream_iter *it);

/* ---- whole-stream operations ---- */

/* XDEL of one ID: deletes the entry, raises max_deleted_id and moves
 * first_id past it. 1 if it was there, else 0. */
int stream_delete(stream *s, const stream_id *id);
/* 1 if a live entry has this ID. */
int stream_entry_exists(stream *s, const stream_id *id);
/* The first / last live entry's ID: 1, or 0 when the stream is empty. */
int stream_first_id(stream *s, stream_id *id);
int stream_last_valid_id(stream *s, stream_id *id);

enum { STREAM_TRIM_MAXLEN = 1, STREAM_TRIM_MINID = 2 };
/* XADD/XTRIM trimming as Redis 7.0 does it: whole nodes from the head;
 * with approx, stop at the first node that can't go whole; limit (> 0)
 * bounds the entries removed. Returns the number removed and updates
 * first_id. */
long long stream_trim(stream *s, int strategy, long long maxlen,
                      const stream_id *minid, int approx, long long limit);

/* The number of nodes Redis's radix tree would have for these node keys
 * (XINFO STREAM radix-tree-nodes). */
long long stream_rax_nodes(const stream *s);

/* 1 if an XDEL tombstone may lie in [start, end] (NULL: unbounded). */
int stream_range_has_tombstones(const stream *s, const stream_id *start,
                                const stream_id *end);
/* The entries_read value matching id, or STREAM_ENTRIES_READ_INVALID. */
long long stream_estimate_distance(const stream *s, const stream_id *id);

/* ---- consumer groups ---- */

stream_cg *stream_cg_lookup(const stream *s, const char *name, size_t len);
/* A new group, or NULL if one of that name exists. */
stream_cg *stream_cg_create(stream *s, const char *name, size_t len,
                            const stream_id *last_id, long long entries_read);
/* 1 if the group existed and was freed, else 0. */
int stream_cg_destroy(stream *s, const char *name, size_t len);

stream_consumer *stream_consumer_lookup(const stream_cg *cg, const char *name,
                                        size_t len);
/* A new consumer seen at now (ms), or NULL if it exists. */
stream_consumer *stream_consumer_create(stream_cg *cg, const char *name,
                                        size_t len, long long now);
/* Deletes a consumer and its pending entries (from the group too).
 * Returns how many were pending, or -1 if there was no such consumer. */
long long stream_consumer_delete(stream_cg *cg, const char *name, size_t len);

/* A NACK delivered now to consumer (NULL for XCLAIM FORCE), count 1. */
stream_nack *stream_nack_create(stream_consumer *consumer, long long now);
/* Removes id from the group PEL and its owner's PEL, frees the NACK. */
void stream_nack_release(stream_cg *cg, const stream_id *id, stream_nack *nack);

#endif
