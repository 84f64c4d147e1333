/* quicklist: list of listpack nodes. Every fill, split, merge and
 * compression decision follows redis-server 7.0 step by step (the order of
 * compress/decompress calls decides which nodes end up compressed), so the
 * node layout after any sequence of list commands is Redis's. */
#include "quicklist.h"

#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "log.h"
#include "lzf.h"
#include "mem.h"

/* Byte caps for fill -1..-5. */
static const size_t size_levels[] = {4096, 8192, 16384, 32768, 65536};

/* With a count-based fill a node still stops growing at this size. */
#define SIZE_SAFETY_LIMIT 8192
/* Guessed per-entry listpack overhead when deciding whether one fits. */
#define SIZE_ESTIMATE_OVERHEAD 8
/* Nodes below this are not worth compressing. */
#define MIN_COMPRESS_BYTES 48
/* Keep compressed form only if it saves at least this much. */
#define MIN_COMPRESS_IMPROVE 8
/* Largest packed threshold Redis accepts (the node size is 32 bits). */
#define PACKED_THRESHOLD_MAX (((size_t)1 << 32) - ((size_t)1 << 20))

static int is_plain(const ql_node *n)
{
    return n->container == QL_PLAIN;
}

static int is_large(const ql *q, size_t sz)
{
    return sz >= q->packed_threshold;
}

/* ---- lifecycle ----------------------------------------------------------- */

ql *ql_create(int fill, int compress)
{
    ql *q = mem_calloc(sizeof(*q));

    q->packed_threshold = QL_PACKED_THRESHOLD_DEFAULT;
    ql_set_options(q, fill, compress);
    return q;
}

void ql_set_options(ql *q, int fill, int compress)
{
    if (fill > QL_FILL_MAX) {
        fill = QL_FILL_MAX;
    } else if (fill < QL_FILL_MIN) {
        fill = QL_FILL_MIN;
    }
    if (compress > QL_COMPRESS_MAX) {
        compress = QL_COMPRESS_MAX;
    } else if (compress < 0) {
        compress = 0;
    }
    q->fill = fill;
    q->compress = (unsigned)compress;
}

int ql_set_packed_threshold(ql *q, size_t sz)
{
    if (sz > PACKED_THRESHOLD_MAX) {
        return -1;
    }
    q->packed_threshold = sz == 0 ? QL_PACKED_THRESHOLD_DEFAULT : sz;
    return 0;
}

static ql_node *node_create(void)
{
    ql_node *n = mem_calloc(sizeof(*n));

    n->encoding = QL_ENC_RAW;
    n->container = QL_PACKED;
    return n;
}

void ql_destroy(ql **qp)
{
    ql *q = qp ? *qp : NULL;

    if (q == NULL) {
        return;
    }
    ql_node *n = q->head;
    while (n != NULL) {
        ql_node *next = n->next;
        mem_free(n->entry);
        mem_free(n);
        n = next;
    }
    mem_free(q);
    *qp = NULL;
}

/* ---- compression --------------------------------------------------------- */

/* Tries to LZF the node in place. Returns 1 if it is now compressed. */
static int node_compress(ql_node *n)
{
    if (n->dont_compress) {
        return 0;
    }
    /* Ends are never compressed (Redis asserts this). */
    if (n->prev == NULL || n->next == NULL) {
        n->recompress = 0;
        return 0;
    }
    n->recompress = 0;
    if (n->sz < MIN_COMPRESS_BYTES) {
        return 0;
    }
    ql_lzf *z = mem_alloc(sizeof(*z) + n->sz);
    z->sz = lzf_compress(n->entry, n->sz, z->data, n->sz);
    if (z->sz == 0 || z->sz + MIN_COMPRESS_IMPROVE >= n->sz) {
        mem_free(z);
        return 0;
    }
    z = mem_realloc(z, sizeof(*z) + z->sz);
    mem_free(n->entry);
    n->entry = (unsigned char *)z;
    n->encoding = QL_ENC_LZF;
    return 1;
}

static void node_decompress(ql_node *n)
{
    ql_lzf *z = (ql_lzf *)n->entry;
    unsigned char *raw = mem_alloc(n->sz);

    n->recompress = 0;
    if (lzf_decompress(z->data, z->sz, raw, n->sz) != n->sz) {
        /* Only our own compressor made this: memory is corrupt. */
        log_warn("quicklist: a compressed node does not decompress");
        abort();
    }
    mem_free(z);
    n->entry = raw;
    n->encoding = QL_ENC_RAW;
}

static void compress_if_raw(ql_node *n)
{
    if (n != NULL && n->encoding == QL_ENC_RAW) {
        node_compress(n);
    }
}

static void decompress_if_lzf(ql_node *n)
{
    if (n != NULL && n->encoding == QL_ENC_LZF) {
        node_decompress(n);
    }
}

/* Decompress to work on the node, remembering to compress it back. */
static void decompress_for_use(ql_node *n)
{
    if (n != NULL && n->encoding == QL_ENC_LZF) {
        node_decompress(n);
        n->recompress = 1;
    }
}

/* Restores the depth invariant around a change at node n (or after a node
 * was unlinked, n NULL): the `compress` nodes at each end are raw, the node
 * just past the depth on each side is compressed, and so is n if it lies
 * outside the depth. Nodes further inside are left as they are. */
static void compress_around(ql *q, ql_node *n)
{
    if (q->len == 0 || q->compress == 0 ||
        q->len < (unsigned long)q->compress * 2) {
        return;
    }
    ql_node *fwd = q->head;
    ql_node *rev = q->tail;
    int in_depth = 0;
    for (unsigned depth = 0; depth < q->compress; depth++) {
        decompress_if_lzf(fwd);
        decompress_if_lzf(rev);
        if (fwd == n || rev == n) {
            in_depth = 1;
        }
        /* The two depth zones meet: nothing is inner. */
        if (fwd == rev || fwd->next == rev) {
            return;
        }
        fwd = fwd->next;
        rev = rev->prev;
    }
    if (!in_depth) {
        compress_if_raw(n);
    }
    compress_if_raw(fwd);
    compress_if_raw(rev);
}

/* After touching n: recompress it if it was decompressed for use, else
 * re-establish the depth invariant around it. */
static void compress_node(ql *q, ql_node *n)
{
    if (n->recompress) {
        compress_if_raw(n);
    } else {
        compress_around(q, n);
    }
}

static void recompress_only(ql_node *n)
{
    if (n->recompress) {
        compress_if_raw(n);
    }
}

/* ---- linking ------------------------------------------------------------- */

/* Links fresh (raw) node nn after (after=1) or before old, which may be
 * NULL only when the list is empty. */
static void link_node(ql *q, ql_node *old, ql_node *nn, int after)
{
    if (after) {
        nn->prev = old;
        if (old != NULL) {
            nn->next = old->next;
            if (old->next != NULL) {
                old->next->prev = nn;
            }
            old->next = nn;
        }
        if (q->tail == old) {
            q->tail = nn;
        }
    } else {
        nn->next = old;
        if (old != NULL) {
            nn->prev = old->prev;
            if (old->prev != NULL) {
                old->prev->next = nn;
            }
            old->prev = nn;
        }
        if (q->head == old) {
            q->head = nn;
        }
    }
    if (q->len == 0) {
        q->head = q->tail = nn;
    }
    q->len++;
    if (old != NULL) {
        compress_node(q, old);
    }
    compress_node(q, nn);
}

/* Unlinks and frees n, taking its elements off the list's count. */
static void unlink_node(ql *q, ql_node *n)
{
    if (n->next != NULL) {
        n->next->prev = n->prev;
    }
    if (n->prev != NULL) {
        n->prev->next = n->next;
    }
    if (n == q->tail) {
        q->tail = n->prev;
    }
    if (n == q->head) {
        q->head = n->next;
    }
    q->len--;
    q->count -= n->count;
    /* Nodes that moved into the depth zone must be raw again. */
    compress_around(q, NULL);
    mem_free(n->entry);
    mem_free(n);
}

/* ---- fill rules ---------------------------------------------------------- */

/* 1 if a negative fill's byte cap admits sz bytes. */
static int size_fill_ok(size_t sz, int fill)
{
    if (fill >= 0) {
        return 0;
    }
    size_t level = (size_t)(-fill) - 1;
    if (level >= sizeof(size_levels) / sizeof(size_levels[0])) {
        return 0;
    }
    return sz <= size_levels[level];
}

/* 1 if an element of sz bytes may join node n. */
static int node_allow_insert(const ql *q, const ql_node *n, size_t sz)
{
    if (n == NULL || is_plain(n) || is_large(q, sz)) {
        return 0;
    }
    /* Over-estimate the growth: at worst a node lands a few bytes under
     * the byte cap instead of just past it. */
    size_t new_sz = n->sz + sz + SIZE_ESTIMATE_OVERHEAD;
    if (size_fill_ok(new_sz, q->fill)) {
        return 1;
    }
    if (new_sz > SIZE_SAFETY_LIMIT) {
        return 0;
    }
    return (int)n->count < q->fill;
}

/* 1 if nodes a and b may become one. */
static int node_allow_merge(const ql *q, const ql_node *a, const ql_node *b)
{
    if (a == NULL || b == NULL || is_plain(a) || is_plain(b)) {
        return 0;
    }
    /* Redis subtracts 11 (a ziplist's header and end) from the sum, not a
     * listpack's 7; we keep its arithmetic so the same nodes merge. */
    unsigned int merge_sz = (unsigned int)(a->sz + b->sz - 11);
    if (size_fill_ok(merge_sz, q->fill)) {
        return 1;
    }
    if (merge_sz > SIZE_SAFETY_LIMIT) {
        return 0;
    }
    return (int)(a->count + b->count) <= q->fill;
}

static void node_update_sz(ql_node *n)
{
    n->sz = lp_bytes(n->entry);
}

static ql_node *plain_node_create(const void *v, size_t len)
{
    ql_node *n = node_create();

    n->entry = mem_alloc(len ? len : 1);
    if (len) {
        memcpy(n->entry, v, len);
    }
    n->container = QL_PLAIN;
    n->sz = len;
    n->count = 1;
    return n;
}

static void insert_plain_node(ql *q, ql_node *old, const void *v, size_t len,
                              int after)
{
    link_node(q, old, plain_node_create(v, len), after);
    q->count++;
}

/* A new raw PACKED node holding just v. */
static ql_node *packed_node_create(const void *v, size_t len)
{
    ql_node *n = node_create();

    n->entry = lp_prepend(lp_new(0), v, (uint32_t)len);
    n->count = 1;
    node_update_sz(n);
    return n;
}

/* ---- push / pop ---------------------------------------------------------- */

void ql_push_head(ql *q, const void *v, size_t len)
{
    if (is_large(q, len)) {
        insert_plain_node(q, q->head, v, len, 0);
        return;
    }
    if (node_allow_insert(q, q->head, len)) {
        q->head->entry = lp_prepend(q->head->entry, v, (uint32_t)len);
        node_update_sz(q->head);
        q->head->count++;
    } else {
        link_node(q, q->head, packed_node_create(v, len), 0);
    }
    q->count++;
}

void ql_push_tail(ql *q, const void *v, size_t len)
{
    if (is_large(q, len)) {
        insert_plain_node(q, q->tail, v, len, 1);
        return;
    }
    if (node_allow_insert(q, q->tail, len)) {
        q->tail->entry = lp_append(q->tail->entry, v, (uint32_t)len);
        node_update_sz(q->tail);
        q->tail->count++;
    } else {
        link_node(q, q->tail, packed_node_create(v, len), 1);
    }
    q->count++;
}

void ql_push(ql *q, const void *v, size_t len, int where)
{
    if (where == QL_HEAD) {
        ql_push_head(q, v, len);
    } else {
        ql_push_tail(q, v, len);
    }
}

static void val_from_lp(const unsigned char *p, ql_val *out)
{
    lp_val lv;

    lp_get_val(p, &lv);
    out->s = lv.s;
    out->slen = lv.slen;
    out->v = lv.v;
}

int ql_peek(ql *q, int where, ql_val *out)
{
    ql_node *n = where == QL_HEAD ? q->head : q->tail;

    if (n == NULL) {
        return -1;
    }
    if (is_plain(n)) {
        out->s = n->entry;
        out->slen = n->sz;
        out->v = 0;
        return 0;
    }
    val_from_lp(lp_seek(n->entry, where == QL_HEAD ? 0 : -1), out);
    return 0;
}

/* Deletes the entry at *p of node n (any PLAIN node's only element).
 * Returns 1 if the node went away with it; otherwise *p (if p) is the
 * entry that followed. */
static int delete_at(ql *q, ql_node *n, unsigned char **p)
{
    if (is_plain(n)) {
        unlink_node(q, n);
        return 1;
    }
    n->entry = lp_delete(n->entry, *p, p);
    n->count--;
    q->count--;
    if (n->count == 0) {
        unlink_node(q, n);
        return 1;
    }
    node_update_sz(n);
    return 0;
}

int ql_pop(ql *q, int where)
{
    ql_node *n = where == QL_HEAD ? q->head : q->tail;
    unsigned char *p = NULL;

    if (n == NULL) {
        return -1;
    }
    if (!is_plain(n)) {
        p = lp_seek(n->entry, where == QL_HEAD ? 0 : -1);
    }
    delete_at(q, n, &p);
    return 0;
}

/* ---- iteration ----------------------------------------------------------- */

void ql_iter_init(ql_iter *it, ql *q, int dir)
{
    it->q = q;
    it->dir = dir;
    it->p = NULL;
    it->current = dir == QL_HEAD ? q->head : q->tail;
    it->offset = dir == QL_HEAD ? 0 : -1;
}

int ql_iter_init_at(ql_iter *it, ql *q, int dir, long long idx)
{
    int forward = idx >= 0;
    unsigned long long index =
        forward ? (unsigned long long)idx : (unsigned long long)(-(idx + 1));
    unsigned long long accum = 0;

    ql_iter_init(it, q, dir);
    it->current = NULL;
    if (index >= q->count) {
        return -1;
    }
    /* Walk from whichever end is nearer. */
    int seek_forward = forward;
    unsigned long long seek_index = index;
    if (index > (q->count - 1) / 2) {
        seek_forward = !forward;
        seek_index = q->count - 1 - index;
    }
    ql_node *n = seek_forward ? q->head : q->tail;
    while (n != NULL && accum + n->count <= seek_index) {
        accum += n->count;
        n = seek_forward ? n->next : n->prev;
    }
    if (n == NULL) {
        return -1;
    }
    /* Express accum as if we had walked from the requested end. */
    if (seek_forward != forward) {
        accum = q->count - n->count - accum;
    }
    it->current = n;
    if (forward) {
        it->offset = (long)(index - accum);
    } else {
        it->offset = (long)(-(long long)index - 1 + (long long)accum);
    }
    return 0;
}

int ql_iter_next(ql_iter *it, ql_entry *e)
{
    for (;;) {
        ql_node *n = it->current;

        e->node = n;
        if (n == NULL) {
            return 0;
        }
        int plain = is_plain(n);
        if (it->p == NULL) {
            decompress_for_use(n);
            it->p = plain ? n->entry : lp_seek(n->entry, it->offset);
        } else if (plain) {
            it->p = NULL;
        } else if (it->dir == QL_HEAD) {
            it->p = lp_next(n->entry, it->p);
            it->offset++;
        } else {
            it->p = lp_prev(n->entry, it->p);
            it->offset--;
        }
        e->p = it->p;
        e->offset = it->offset;
        if (it->p != NULL) {
            if (plain) {
                e->val.s = n->entry;
                e->val.slen = n->sz;
                e->val.v = 0;
            } else {
                val_from_lp(it->p, &e->val);
            }
            return 1;
        }
        /* Node exhausted: put it back the way it was, move on. */
        compress_node(it->q, n);
        if (it->dir == QL_HEAD) {
            it->current = n->next;
            it->offset = 0;
        } else {
            it->current = n->prev;
            it->offset = -1;
        }
    }
}

void ql_iter_deinit(ql_iter *it)
{
    if (it->current != NULL) {
        compress_node(it->q, it->current);
    }
    it->current = NULL;
    it->p = NULL;
}

int ql_iter_at(ql_iter *it, ql *q, long long idx, ql_entry *e)
{
    if (ql_iter_init_at(it, q, QL_TAIL, idx) != 0) {
        return -1;
    }
    return ql_iter_next(it, e) ? 0 : -1;
}

/* Insert, replace: the iterator may not be used any more. */
static void iter_end(ql_iter *it)
{
    it->current = NULL;
    it->p = NULL;
}

void ql_iter_delete(ql_iter *it, ql_entry *e)
{
    ql_node *prev = e->node->prev;
    ql_node *next = e->node->next;
    long old_count = (long)e->node->count;
    int gone = delete_at(it->q, e->node, &e->p);

    /* Seek by offset next time: in the same node the offset now names the
     * following element (or runs off the node's end, which moves on).
     * That holds for an index counted from the end the iteration walks
     * away from: from the head walking forward, from the tail walking
     * back (Redis's only cases). For the other two, restate the offset
     * from that end first; Redis would return a wrong element there. */
    it->p = NULL;
    if (!gone && it->dir == QL_HEAD && it->offset < 0) {
        it->offset += old_count;
    } else if (!gone && it->dir == QL_TAIL && it->offset >= 0) {
        it->offset -= old_count;
    }
    if (gone) {
        if (it->dir == QL_HEAD) {
            it->current = next;
            it->offset = 0;
        } else {
            it->current = prev;
            it->offset = -1;
        }
    }
}

int ql_entry_eq(const ql_entry *e, const void *s, size_t len)
{
    if (e->val.s != NULL) {
        return e->val.slen == len &&
               (len == 0 || memcmp(e->val.s, s, len) == 0);
    }
    int64_t v;
    return lp_string_to_int64(s, len, &v) == 0 && v == e->val.v;
}

/* ---- split, merge, insert ------------------------------------------------ */

/* Splits raw PACKED node n at offset. after=1: n keeps [0, offset] and the
 * returned node gets the rest; after=0: the returned node gets
 * [0, offset-1] and n keeps [offset, end]. The new node is not linked. */
static ql_node *split_node(ql_node *n, long offset, int after)
{
    ql_node *nn = node_create();

    nn->entry = lp_dup(n->entry);
    if (offset < 0) {
        offset += (long)n->count;
    }
    /* (unsigned long)-1 means "through the end". */
    long keep_start = after ? offset + 1 : 0;
    unsigned long keep_del = after ? (unsigned long)-1 : (unsigned long)offset;
    long new_start = after ? 0 : offset;
    unsigned long new_del =
        after ? (unsigned long)offset + 1 : (unsigned long)-1;

    n->entry = lp_delete_range(n->entry, keep_start, keep_del);
    n->count = lp_length(n->entry);
    node_update_sz(n);
    nn->entry = lp_delete_range(nn->entry, new_start, new_del);
    nn->count = lp_length(nn->entry);
    node_update_sz(nn);
    return nn;
}

/* Merges the listpacks of adjacent nodes a (left) and b into whichever one
 * lp_merge keeps, unlinks the other and returns the survivor (NULL if the
 * merge was impossible; both are then unchanged but raw). */
static ql_node *merge_pair(ql *q, ql_node *a, ql_node *b)
{
    decompress_if_lzf(a);
    decompress_if_lzf(b);
    if (lp_merge(&a->entry, &b->entry) == NULL) {
        return NULL;
    }
    ql_node *keep = a->entry != NULL ? a : b;
    ql_node *gone = a->entry != NULL ? b : a;
    keep->count = lp_length(keep->entry);
    node_update_sz(keep);
    gone->count = 0;
    unlink_node(q, gone);
    compress_node(q, keep);
    return keep;
}

/* After a split next to center: merge the pairs prev-prev/prev and
 * next/next-next, then center with its neighbours, when the fill allows. */
static void merge_around(ql *q, ql_node *center)
{
    ql_node *prev = center->prev;
    ql_node *prev_prev = prev ? prev->prev : NULL;
    ql_node *next = center->next;
    ql_node *next_next = next ? next->next : NULL;
    ql_node *target;

    if (node_allow_merge(q, prev, prev_prev)) {
        merge_pair(q, prev_prev, prev);
    }
    if (node_allow_merge(q, next, next_next)) {
        merge_pair(q, next, next_next);
    }
    target = center;
    if (node_allow_merge(q, center, center->prev)) {
        ql_node *keep = merge_pair(q, center->prev, center);
        if (keep != NULL) {
            target = keep;
        }
    }
    if (node_allow_merge(q, target, target->next)) {
        merge_pair(q, target, target->next);
    }
}

static void insert_at(ql_iter *it, ql_entry *e, const void *v, size_t len,
                      int after)
{
    ql *q = it->q;
    ql_node *n = e->node;
    int full = 0;
    int at_tail = 0;
    int at_head = 0;
    int avail_next = 0;
    int avail_prev = 0;

    if (!node_allow_insert(q, n, len)) {
        full = 1;
    }
    if (after && (e->offset == (long)n->count - 1 || e->offset == -1)) {
        at_tail = 1;
        avail_next = node_allow_insert(q, n->next, len);
    }
    if (!after && (e->offset == 0 || e->offset == -(long)n->count)) {
        at_head = 1;
        avail_prev = node_allow_insert(q, n->prev, len);
    }

    if (is_large(q, len)) {
        if (is_plain(n) || (at_tail && after) || (at_head && !after)) {
            insert_plain_node(q, n, v, len, after);
        } else {
            decompress_for_use(n);
            ql_node *rest = split_node(n, e->offset, after);
            ql_node *pn = plain_node_create(v, len);
            link_node(q, n, pn, after);
            link_node(q, pn, rest, after);
            q->count++;
        }
        /* Redis leaves the iterator on n here: its release recompresses n
         * (see ql_iter_insert). */
        return;
    }

    if (!full) {
        decompress_for_use(n);
        n->entry = lp_insert(n->entry, v, (uint32_t)len, e->p,
                             after ? LP_AFTER : LP_BEFORE, NULL);
        n->count++;
        node_update_sz(n);
        recompress_only(n);
    } else if (at_tail && avail_next && after) {
        /* Full, but the next node has room at its head. */
        ql_node *nn = n->next;
        decompress_for_use(nn);
        nn->entry = lp_prepend(nn->entry, v, (uint32_t)len);
        nn->count++;
        node_update_sz(nn);
        recompress_only(nn);
        recompress_only(n);
    } else if (at_head && avail_prev && !after) {
        /* Full, but the previous node has room at its tail. */
        ql_node *pn = n->prev;
        decompress_for_use(pn);
        pn->entry = lp_append(pn->entry, v, (uint32_t)len);
        pn->count++;
        node_update_sz(pn);
        recompress_only(pn);
        recompress_only(n);
    } else if ((at_tail && after) || (at_head && !after)) {
        /* Full at an edge with no room next door: a node of its own. */
        link_node(q, n, packed_node_create(v, len), after);
    } else {
        /* Full in the middle: split and put v at the cut. */
        decompress_for_use(n);
        ql_node *nn = split_node(n, e->offset, after);
        if (after) {
            nn->entry = lp_prepend(nn->entry, v, (uint32_t)len);
        } else {
            nn->entry = lp_append(nn->entry, v, (uint32_t)len);
        }
        nn->count++;
        node_update_sz(nn);
        link_node(q, n, nn, after);
        merge_around(q, n);
    }
    q->count++;
    iter_end(it);
}

void ql_iter_insert(ql_iter *it, ql_entry *e, const void *v, size_t len,
                    int after)
{
    insert_at(it, e, v, len, after ? 1 : 0);
    /* Still positioned only after a PLAIN insert; do now what Redis does
     * when the caller releases its iterator. */
    if (it->current != NULL) {
        compress_node(it->q, it->current);
    }
    iter_end(it);
}

void ql_iter_replace(ql_iter *it, ql_entry *e, const void *v, size_t len)
{
    ql *q = it->q;
    ql_node *n = e->node;

    if (!is_plain(n) && !is_large(q, len)) {
        n->entry = lp_replace(n->entry, e->p, v, (uint32_t)len, &e->p);
        node_update_sz(n);
        compress_node(q, n);
    } else if (is_plain(n)) {
        if (is_large(q, len)) {
            mem_free(n->entry);
            n->entry = mem_alloc(len ? len : 1);
            memcpy(n->entry, v, len);
            n->sz = len;
            compress_node(q, n);
        } else {
            insert_at(it, e, v, len, 1);
            unlink_node(q, n);
        }
    } else {
        /* A large value replacing a packed entry: put a PLAIN node after
         * it (splitting n), then drop the old entry, now n's last. */
        n->dont_compress = 1;
        insert_at(it, e, v, len, 1);
        if (n->count == 1) {
            unlink_node(q, n);
        } else {
            unsigned char *p = lp_seek(n->entry, -1);
            delete_at(q, n, &p);
            n->dont_compress = 0;
            compress_node(q, n);
            compress_node(q, n->next);
        }
    }
    iter_end(it);
}

int ql_replace_at(ql *q, long long idx, const void *v, size_t len)
{
    ql_iter it;
    ql_entry e;

    if (ql_iter_at(&it, q, idx, &e) != 0) {
        ql_iter_deinit(&it);
        return -1;
    }
    ql_iter_replace(&it, &e, v, len);
    ql_iter_deinit(&it);
    return 0;
}

/* ---- range delete -------------------------------------------------------- */

unsigned long ql_del_range(ql *q, long start, long count)
{
    ql_iter it;

    if (count <= 0) {
        return 0;
    }
    unsigned long extent = (unsigned long)count;
    if (start >= 0 && extent > q->count - (unsigned long)start) {
        extent = q->count - (unsigned long)start;
    } else if (start < 0 && extent > (unsigned long)-start) {
        extent = (unsigned long)-start;
    }
    if (ql_iter_init_at(&it, q, QL_TAIL, start) != 0) {
        return 0;
    }
    ql_node *n = it.current;
    long offset = it.offset;
    ql_iter_deinit(&it);

    unsigned long removed = extent;
    while (extent > 0) {
        ql_node *next = n->next;
        unsigned long del;
        int whole = 0;

        if (offset == 0 && extent >= n->count) {
            whole = 1;
            del = n->count;
        } else if (offset >= 0 && extent + (unsigned long)offset >= n->count) {
            del = n->count - (unsigned long)offset;
        } else if (offset < 0) {
            /* Only on the first node: -offset elements to its end. */
            del = (unsigned long)-offset;
            if (del > extent) {
                del = extent;
            }
        } else {
            del = extent;
        }

        if (whole || is_plain(n)) {
            unlink_node(q, n);
        } else {
            decompress_for_use(n);
            n->entry = lp_delete_range(n->entry, offset, del);
            node_update_sz(n);
            n->count -= (unsigned int)del;
            q->count -= del;
            if (n->count == 0) {
                unlink_node(q, n);
            } else {
                recompress_only(n);
            }
        }
        extent -= del;
        n = next;
        offset = 0;
    }
    return removed;
}

/* ---- bulk building, copying, enumeration --------------------------------- */

void ql_append_listpack(ql *q, unsigned char *lp)
{
    uint32_t count = lp_length(lp);

    if (count == 0) {
        lp_free(lp);
        return;
    }
    ql_node *n = node_create();
    n->entry = lp;
    n->count = count;
    n->sz = lp_bytes(lp);
    link_node(q, q->tail, n, 1);
    q->count += count;
}

void ql_append_plain(ql *q, unsigned char *data, size_t sz)
{
    ql_node *n = node_create();

    n->entry = data;
    n->container = QL_PLAIN;
    n->count = 1;
    n->sz = sz;
    link_node(q, q->tail, n, 1);
    q->count++;
}

ql *ql_dup(const ql *q)
{
    ql *c = ql_create(q->fill, (int)q->compress);

    c->packed_threshold = q->packed_threshold;
    for (const ql_node *n = q->head; n != NULL; n = n->next) {
        ql_node *m = node_create();
        size_t bytes = n->encoding == QL_ENC_LZF
                           ? sizeof(ql_lzf) + ((const ql_lzf *)n->entry)->sz
                           : n->sz;
        m->entry = mem_alloc(bytes ? bytes : 1);
        memcpy(m->entry, n->entry, bytes);
        m->count = n->count;
        m->sz = n->sz;
        m->encoding = n->encoding;
        m->container = n->container;
        c->count += n->count;
        link_node(c, c->tail, m, 1);
    }
    return c;
}

const unsigned char *ql_node_data(const ql_node *n, size_t *len,
                                  int *compressed)
{
    if (n->encoding == QL_ENC_LZF) {
        const ql_lzf *z = (const ql_lzf *)n->entry;
        *compressed = 1;
        *len = z->sz;
        return z->data;
    }
    *compressed = 0;
    *len = n->sz;
    return n->entry;
}
