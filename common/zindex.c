/* zindex: Robin Hood hash table of skiplist node pointers (the member ->
 * node index of skiplist-encoded sorted sets), growing incrementally. */
#include "zindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mem.h"

/*
 * Each slot packs
 *
 *     bits  0..47  the node pointer (user-space addresses fit in 48 bits)
 *     bits 48..55  displacement: distance from the home slot
 *     bits 56..63  tag: the top 8 bits of the member's hash
 *
 * and 0 is an empty slot. The displacement gives every entry's home slot
 * without rehashing its member, so deletes (backward shift), scans and
 * shrinking never touch the nodes, and lookups compare members only with
 * entries of the same home and tag. Home slots use the low bits of the
 * hash, so the SCAN cursor works as for dict.
 *
 * Growing must rehash every member (a cache miss per node, ~0.4 s for a
 * million at once), hence the incremental move: removing an entry from
 * the old table is an ordinary delete, so lookups stay correct in both
 * tables throughout, and slots already passed stay empty because nothing
 * is inserted into the old table.
 */

#define IDX_PTR_MASK ((UINT64_C(1) << 48) - 1)
#define IDX_DISP_SHIFT 48
#define IDX_DISP_ONE (UINT64_C(1) << IDX_DISP_SHIFT)
#define IDX_DISP_FIELD (UINT64_C(0xFF) << IDX_DISP_SHIFT)
#define IDX_DISP_MAX 255u
#define IDX_TAG_SHIFT 56
#define IDX_MIN_CAP 8
/* Tables up to this size grow at once (cheap); bigger ones gradually. */
#define IDX_SYNC_GROW_CAP 1024
/* Old-table slots moved per write (and per lookup) while growing: enough
 * to finish long before the new table fills up. */
#define IDX_WRITE_STEPS 8
#define IDX_READ_STEPS 2

static inline zsl_node *slot_node(uint64_t s)
{
    return (zsl_node *)(uintptr_t)(s & IDX_PTR_MASK);
}

static inline unsigned slot_disp(uint64_t s)
{
    return (unsigned)((s >> IDX_DISP_SHIFT) & 0xFF);
}

static inline unsigned hash_tag(uint64_t h)
{
    return (unsigned)(h >> IDX_TAG_SHIFT);
}

static inline uint64_t member_hash(const void *p, size_t n)
{
    return dict_hash(p, n);
}

static inline uint64_t node_hash(const zsl_node *n)
{
    return member_hash(n->ele, str_len(n->ele));
}

/* A slot value for node n (displacement 0). */
static uint64_t slot_make(const zsl_node *n, uint64_t h)
{
    uint64_t p = (uint64_t)(uintptr_t)n;

    if (p > IDX_PTR_MASK) {
        fprintf(stderr, "zindex: node address %p above 2^48\n", (void *)n);
        abort();
    }
    return p | ((uint64_t)hash_tag(h) << IDX_TAG_SHIFT);
}

static inline int rehashing(const zidx *ix)
{
    return ix->t[1] != NULL;
}

/* Robin Hood insertion of entry e (displacement field clear) whose home
 * is `home`. Returns 0, or -1 if some entry would end up more than
 * IDX_DISP_MAX slots from home: the entry then left out is in *carry. */
static int tbl_place(uint64_t *t, size_t mask, size_t home, uint64_t e,
                     uint64_t *carry)
{
    size_t pos = home;
    unsigned d = 0;

    for (;;) {
        uint64_t s = t[pos];
        if (s == 0) {
            t[pos] = e | ((uint64_t)d << IDX_DISP_SHIFT);
            return 0;
        }
        unsigned sd = slot_disp(s);
        if (sd < d) {
            /* Take the slot from the entry closer to its home. */
            t[pos] = e | ((uint64_t)d << IDX_DISP_SHIFT);
            e = s & ~IDX_DISP_FIELD;
            d = sd;
        }
        pos = (pos + 1) & mask;
        if (++d > IDX_DISP_MAX) {
            *carry = e;
            return -1;
        }
    }
}

/* The slot of member (m, n) with hash h in table t, or -1. */
static long tbl_find(const uint64_t *t, size_t cap, const char *m, size_t n,
                     uint64_t h)
{
    if (cap == 0) {
        return -1;
    }
    size_t mask = cap - 1, pos = h & mask;
    unsigned tag = hash_tag(h);

    for (unsigned d = 0;; d++) {
        uint64_t s = t[pos];
        if (s == 0 || slot_disp(s) < d) {
            return -1; /* Robin Hood: it would have been placed here */
        }
        if (slot_disp(s) == d && (unsigned)(s >> IDX_TAG_SHIFT) == tag) {
            const zsl_node *x = slot_node(s);
            if (str_len(x->ele) == n && memcmp(x->ele, m, n) == 0) {
                return (long)pos;
            }
        }
        pos = (pos + 1) & mask;
    }
}

/* Empty slot pos, shifting the rest of its cluster back one place. */
static void tbl_delete_at(uint64_t *t, size_t cap, size_t pos)
{
    size_t mask = cap - 1;

    for (;;) {
        size_t next = (pos + 1) & mask;
        uint64_t s = t[next];
        if (s == 0 || slot_disp(s) == 0) {
            t[pos] = 0;
            return;
        }
        t[pos] = s - IDX_DISP_ONE;
        pos = next;
    }
}

/* Every entry of both tables, plus extra (if not 0), into one table of
 * at least cap slots, at once. The fallback for the rare cases (a
 * pathological cluster, growth while still growing) and the way small
 * tables resize. */
static void rebuild(zidx *ix, size_t cap, uint64_t extra)
{
    for (;;) {
        uint64_t *nt = mem_calloc(cap * sizeof(uint64_t));
        uint64_t carry;
        int ok = 1;

        for (int k = 0; k < 2 && ok; k++) {
            size_t ocap = ix->cap[k];
            for (size_t i = 0; i < ocap && ok; i++) {
                uint64_t s = ix->t[k][i];
                size_t home;
                if (s == 0) {
                    continue;
                }
                /* A smaller table's home is the old one, masked. */
                if (cap <= ocap) {
                    home = ((i - slot_disp(s)) & (ocap - 1)) & (cap - 1);
                } else {
                    home = node_hash(slot_node(s)) & (cap - 1);
                }
                ok = tbl_place(nt, cap - 1, home, s & ~IDX_DISP_FIELD,
                               &carry) == 0;
            }
        }
        if (ok && extra != 0) {
            size_t home = node_hash(slot_node(extra)) & (cap - 1);
            ok = tbl_place(nt, cap - 1, home, extra, &carry) == 0;
        }
        if (ok) {
            size_t used = ix->used[0] + ix->used[1] + (extra != 0);
            mem_free(ix->t[0]);
            mem_free(ix->t[1]);
            ix->t[0] = nt;
            ix->cap[0] = cap;
            ix->used[0] = used;
            ix->t[1] = NULL;
            ix->cap[1] = ix->used[1] = 0;
            ix->migrate = 0;
            return;
        }
        mem_free(nt);
        cap *= 2;
    }
}

/* Move old-table entries to the new table, visiting up to `steps` old
 * slots; switches tables when the old one is empty. */
static void step(zidx *ix, int steps)
{
    while (rehashing(ix) && steps-- > 0) {
        if (ix->migrate < ix->cap[0]) {
            uint64_t s = ix->t[0][ix->migrate], carry;
            if (s == 0) {
                ix->migrate++;
                continue;
            }
            /* Deleting may shift the next entry into this slot: stay. */
            tbl_delete_at(ix->t[0], ix->cap[0], ix->migrate);
            ix->used[0]--;
            size_t home = node_hash(slot_node(s)) & (ix->cap[1] - 1);
            if (tbl_place(ix->t[1], ix->cap[1] - 1, home, s & ~IDX_DISP_FIELD,
                          &carry) != 0) {
                rebuild(ix, ix->cap[1] * 2, carry);
                return;
            }
            ix->used[1]++;
        }
        if (ix->migrate == ix->cap[0]) {
            mem_free(ix->t[0]);
            ix->t[0] = ix->t[1];
            ix->cap[0] = ix->cap[1];
            ix->used[0] = ix->used[1];
            ix->t[1] = NULL;
            ix->cap[1] = ix->used[1] = 0;
            ix->migrate = 0;
        }
    }
}

static size_t cap_for(size_t n)
{
    size_t cap = IDX_MIN_CAP;

    while (n * 4 > cap * 3) {
        cap *= 2;
    }
    return cap;
}

void zidx_init(zidx *ix, size_t n)
{
    memset(ix, 0, sizeof(*ix));
    if (n > 0) {
        ix->cap[0] = cap_for(n);
        ix->t[0] = mem_calloc(ix->cap[0] * sizeof(uint64_t));
    }
}

void zidx_deinit(zidx *ix)
{
    mem_free(ix->t[0]);
    mem_free(ix->t[1]);
    memset(ix, 0, sizeof(*ix));
}

size_t zidx_size(const zidx *ix)
{
    return ix->used[0] + ix->used[1];
}

size_t zidx_mem_usage(const zidx *ix)
{
    return (ix->cap[0] + ix->cap[1]) * sizeof(uint64_t);
}

/* The table and slot of member (m, len) with hash h: 0, or -1 if absent. */
static int locate(zidx *ix, const void *m, size_t len, uint64_t h, int *k,
                  size_t *pos)
{
    for (int i = 0; i < 2; i++) {
        long p = tbl_find(ix->t[i], ix->cap[i], m, len, h);
        if (p >= 0) {
            *k = i;
            *pos = (size_t)p;
            return 0;
        }
    }
    return -1;
}

zsl_node *zidx_find(zidx *ix, const void *m, size_t len)
{
    int k;
    size_t pos;

    step(ix, IDX_READ_STEPS);
    if (locate(ix, m, len, member_hash(m, len), &k, &pos) != 0) {
        return NULL;
    }
    return slot_node(ix->t[k][pos]);
}

zsl_node *zidx_remove(zidx *ix, const void *m, size_t len)
{
    int k;
    size_t pos;

    if (locate(ix, m, len, member_hash(m, len), &k, &pos) != 0) {
        return NULL;
    }
    zsl_node *x = slot_node(ix->t[k][pos]);
    tbl_delete_at(ix->t[k], ix->cap[k], pos);
    ix->used[k]--;
    step(ix, IDX_WRITE_STEPS);
    return x;
}

void zidx_add(zidx *ix, const zsl_node *n)
{
    uint64_t h = node_hash(n);
    uint64_t e = slot_make(n, h), carry;
    size_t total = zidx_size(ix);

    if (rehashing(ix)) {
        step(ix, IDX_WRITE_STEPS);
        if (rehashing(ix) && (total + 1) * 4 > ix->cap[1] * 3) {
            rebuild(ix, ix->cap[1] * 2, 0); /* outpaced: finish now */
        }
    } else if ((total + 1) * 4 > ix->cap[0] * 3) {
        if (ix->cap[0] < IDX_SYNC_GROW_CAP) {
            rebuild(ix, ix->cap[0] ? ix->cap[0] * 2 : IDX_MIN_CAP, 0);
        } else {
            ix->cap[1] = ix->cap[0] * 2;
            ix->t[1] = mem_calloc(ix->cap[1] * sizeof(uint64_t));
            ix->used[1] = 0;
            ix->migrate = 0;
            step(ix, IDX_WRITE_STEPS);
        }
    }
    int k = rehashing(ix) ? 1 : 0;
    size_t mask = ix->cap[k] - 1;
    if (tbl_place(ix->t[k], mask, h & mask, e, &carry) != 0) {
        /* The table holds everything but `carry`: rebuild around it. */
        rebuild(ix, ix->cap[k] * 2, carry);
        return;
    }
    ix->used[k]++;
}

void zidx_maybe_shrink(zidx *ix)
{
    if (!rehashing(ix) && ix->cap[0] > IDX_MIN_CAP &&
        ix->used[0] * 8 < ix->cap[0]) {
        size_t cap = cap_for(ix->used[0] * 2);
        if (cap < ix->cap[0]) {
            rebuild(ix, cap, 0);
        }
    }
}

static uint64_t rev64(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
}

/* Entries of table t whose home slot is `home`. */
static void tbl_visit_home(const uint64_t *t, size_t cap, size_t home,
                           zidx_scan_fn *fn, void *priv)
{
    size_t mask = cap - 1, pos = home;

    for (unsigned d = 0;; d++) {
        uint64_t s = t[pos];
        if (s == 0 || slot_disp(s) < d) {
            return;
        }
        if (slot_disp(s) == d) {
            fn(priv, slot_node(s));
        }
        pos = (pos + 1) & mask;
    }
}

/* Visit the entries whose home is the cursor's slot (and, while growing,
 * its expansions in the bigger table); returns the next cursor in
 * reverse-binary order, 0 when done: dict_scan's contract. fn must not
 * change the index. */
uint64_t zidx_scan(const zidx *ix, uint64_t v, zidx_scan_fn *fn, void *priv)
{
    if (zidx_size(ix) == 0) {
        return 0;
    }
    if (!rehashing(ix)) {
        uint64_t m0 = ix->cap[0] - 1;
        tbl_visit_home(ix->t[0], ix->cap[0], v & m0, fn, priv);
        v |= ~m0;
        return rev64(rev64(v) + 1);
    }
    /* Growing: table 0 is the smaller one. */
    uint64_t m0 = ix->cap[0] - 1, m1 = ix->cap[1] - 1;
    tbl_visit_home(ix->t[0], ix->cap[0], v & m0, fn, priv);
    do {
        tbl_visit_home(ix->t[1], ix->cap[1], v & m1, fn, priv);
        v |= ~m1;
        v = rev64(rev64(v) + 1);
    } while (v & (m0 ^ m1));
    return v;
}
