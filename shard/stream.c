/* stream: the stream value. Entries live in listpack nodes laid out as in
 * Redis 7.0 (see stream.h), indexed by master ID in a stream_tree; groups
 * and consumers are kept in name order, their PELs in stream_trees. */
#include "stream.h"

#include <string.h>

#include "mem.h"

/* Redis's ceiling for a node, and what a new node reserves up front. */
#define NODE_MAX_SIZE (1LL << 30)
#define NODE_PREALLOC 4096

/* ---- IDs ---- */

int stream_id_incr(stream_id *id)
{
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) {
            return -1;
        }
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return 0;
}

int stream_id_decr(stream_id *id)
{
    if (id->seq == 0) {
        if (id->ms == 0) {
            return -1;
        }
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return 0;
}

/* ---- listpack helpers ---- */

/* The integer at p: node bookkeeping is always integer-encoded. */
static int64_t lp_int(unsigned char *p)
{
    long long v = 0;

    lp_get_ll(p, &v);
    return v;
}

static unsigned char *lp_skip(unsigned char *lp, unsigned char *p, int64_t n)
{
    while (n-- > 0 && p != NULL) {
        p = lp_next(lp, p);
    }
    return p;
}

/* ---- the value ---- */

stream *stream_create(void)
{
    stream *s = mem_calloc(sizeof(*s));

    s->nodes = stree_create();
    return s;
}

static void free_lp(void *lp)
{
    lp_free(lp);
}

static void free_nack(void *nack)
{
    mem_free(nack);
}

static void consumer_free(stream_consumer *c)
{
    stree_destroy(&c->pel, NULL); /* NACKs belong to the group PEL */
    mem_free(c);
}

static void cg_free(stream_cg *cg)
{
    stree_destroy(&cg->pel, free_nack);
    for (uint32_t i = 0; i < cg->nconsumers; i++) {
        consumer_free(cg->consumers[i]);
    }
    mem_free(cg->consumers);
    mem_free(cg);
}

void stream_destroy(stream **sp)
{
    stream *s = *sp;

    if (s == NULL) {
        return;
    }
    stree_destroy(&s->nodes, free_lp);
    for (uint32_t i = 0; i < s->ngroups; i++) {
        cg_free(s->groups[i]);
    }
    mem_free(s->groups);
    mem_free(s);
    *sp = NULL;
}

stream *stream_dup(const stream *src)
{
    stream *s = stream_create();
    stree_iter it;

    for (int ok = stree_first(src->nodes, &it); ok; ok = stree_next(&it)) {
        stree_insert(s->nodes, stree_iter_key(&it),
                     lp_dup(stree_iter_val(&it)));
    }
    s->length = src->length;
    s->last_id = src->last_id;
    s->first_id = src->first_id;
    s->max_deleted_id = src->max_deleted_id;
    s->entries_added = src->entries_added;
    for (uint32_t g = 0; g < src->ngroups; g++) {
        const stream_cg *ocg = src->groups[g];
        stream_cg *cg = stream_cg_create(s, ocg->name, ocg->namelen,
                                         &ocg->last_id, ocg->entries_read);
        for (uint32_t i = 0; i < ocg->nconsumers; i++) {
            const stream_consumer *oc = ocg->consumers[i];
            stream_consumer_create(cg, oc->name, oc->namelen, oc->seen_time);
        }
        for (int ok = stree_first(ocg->pel, &it); ok; ok = stree_next(&it)) {
            const stream_nack *on = stree_iter_val(&it);
            stream_nack *n = mem_alloc(sizeof(*n));
            *n = *on;
            n->consumer = NULL;
            if (on->consumer != NULL) {
                n->consumer = stream_consumer_lookup(cg, on->consumer->name,
                                                     on->consumer->namelen);
                stree_insert(n->consumer->pel, stree_iter_key(&it), n);
            }
            stree_insert(cg->pel, stree_iter_key(&it), n);
        }
    }
    return s;
}

size_t stream_mem_usage(const stream *s)
{
    size_t bytes = sizeof(*s) + stree_mem_usage(s->nodes);
    stree_iter it;

    for (int ok = stree_first(s->nodes, &it); ok; ok = stree_next(&it)) {
        bytes += mem_usable(stree_iter_val(&it));
    }
    bytes += s->groups_cap * sizeof(stream_cg *);
    for (uint32_t g = 0; g < s->ngroups; g++) {
        const stream_cg *cg = s->groups[g];
        bytes += sizeof(*cg) + cg->namelen + stree_mem_usage(cg->pel) +
                 stree_size(cg->pel) * sizeof(stream_nack) +
                 cg->consumers_cap * sizeof(stream_consumer *);
        for (uint32_t i = 0; i < cg->nconsumers; i++) {
            const stream_consumer *c = cg->consumers[i];
            bytes += sizeof(*c) + c->namelen + stree_mem_usage(c->pel);
        }
    }
    return bytes;
}

/* ---- appending ---- */

void stream_append(stream *s, const stream_id *id, const stream_bytes *fv,
                   size_t numfields, long long max_bytes, long long max_entries)
{
    long long node_max =
        max_bytes > 0 && max_bytes < NODE_MAX_SIZE ? max_bytes : NODE_MAX_SIZE;
    size_t totlen = 0;
    unsigned char *lp = NULL, *p;
    stream_id master = {0, 0};
    stree_iter ni;
    int flags = 0;

    for (size_t i = 0; i < numfields * 2; i++) {
        totlen += fv[i].n;
    }
    if (stree_last(s->nodes, &ni)) {
        lp = stree_iter_val(&ni);
        master = *stree_iter_key(&ni);
        int full = (long long)(lp_bytes(lp) + totlen) >= node_max;
        if (!full && max_entries > 0) {
            p = lp_first(lp);
            int64_t all = lp_int(p) + lp_int(lp_next(lp, p));
            full = all >= max_entries;
        }
        if (full) {
            /* The node is closed: give back its reserve. */
            stree_iter_set_val(&ni, lp_shrink_to_fit(lp));
            lp = NULL;
        }
    }
    int new_node = lp == NULL;
    if (new_node) {
        size_t prealloc = NODE_PREALLOC;
        if (max_bytes > 0 && max_bytes < (long long)prealloc) {
            prealloc = (size_t)max_bytes;
        }
        master = *id;
        lp = lp_new(prealloc);
        lp = lp_append_int(lp, 1);
        lp = lp_append_int(lp, 0);
        lp = lp_append_int(lp, (long long)numfields);
        for (size_t i = 0; i < numfields; i++) {
            lp = lp_append(lp, fv[2 * i].p, (uint32_t)fv[2 * i].n);
        }
        lp = lp_append_int(lp, 0);
        flags = STREAM_ITEM_SAMEFIELDS;
    } else {
        p = lp_first(lp);
        lp = lp_replace_int(lp, p, lp_int(p) + 1, &p);
        p = lp_next(lp, p); /* deleted */
        p = lp_next(lp, p); /* master field count */
        int64_t mfields = lp_int(p);
        if ((size_t)mfields == numfields) {
            size_t i;
            p = lp_next(lp, p);
            for (i = 0; i < numfields; i++) {
                unsigned char buf[LP_INTBUF_SIZE];
                uint32_t n;
                const unsigned char *f = lp_get(p, &n, buf);
                if (n != fv[2 * i].n || memcmp(f, fv[2 * i].p, n) != 0) {
                    break;
                }
                p = lp_next(lp, p);
            }
            if (i == numfields) {
                flags = STREAM_ITEM_SAMEFIELDS;
            }
        }
    }
    int same = flags & STREAM_ITEM_SAMEFIELDS;
    lp = lp_append_int(lp, flags);
    lp = lp_append_int(lp, (long long)(id->ms - master.ms));
    lp = lp_append_int(lp, (long long)(id->seq - master.seq));
    if (!same) {
        lp = lp_append_int(lp, (long long)numfields);
    }
    for (size_t i = 0; i < numfields; i++) {
        if (!same) {
            lp = lp_append(lp, fv[2 * i].p, (uint32_t)fv[2 * i].n);
        }
        lp = lp_append(lp, fv[2 * i + 1].p, (uint32_t)fv[2 * i + 1].n);
    }
    long long lp_count = (long long)numfields + 3;
    if (!same) {
        lp_count += (long long)numfields + 1;
    }
    lp = lp_append_int(lp, lp_count);
    if (new_node) {
        stree_insert(s->nodes, id, lp);
    } else {
        stree_iter_set_val(&ni, lp);
    }
    s->length++;
    s->entries_added++;
    s->last_id = *id;
    if (s->length == 1) {
        s->first_id = *id;
    }
}

/* ---- iteration ----
 *
 * Forwards, it->next is the flags element of the next entry to look at
 * (NULL past the node's end). Backwards, it is the lp-count element of the
 * next entry to look at, or master_end when the node is done. */

void stream_iter_start(stream_iter *it, stream *s, const stream_id *start,
                       const stream_id *end, int rev)
{
    memset(it, 0, sizeof(*it));
    it->s = s;
    if (start != NULL) {
        it->start = *start;
    }
    if (end != NULL) {
        it->end = *end;
    } else {
        it->end.ms = it->end.seq = UINT64_MAX;
    }
    it->rev = rev;
    if (stream_id_cmp(&it->start, &it->end) > 0 || s->length == 0) {
        it->state = 3;
    }
}

/* Opens the node under it->ni. */
static void open_node(stream_iter *it)
{
    unsigned char *lp = stree_iter_val(&it->ni), *p;

    it->lp = lp;
    it->master_id = *stree_iter_key(&it->ni);
    p = lp_first(lp);   /* count */
    p = lp_next(lp, p); /* deleted */
    p = lp_next(lp, p); /* field count */
    it->master_nfields = lp_int(p);
    it->master_fields = lp_next(lp, p);
    it->master_end = lp_skip(lp, p, it->master_nfields + 1);
    it->next = it->rev ? lp_last(lp) : lp_next(lp, it->master_end);
    it->state = 1;
}

/* Moves to the node to visit next: 1, or 0 when there is none. */
static int next_node(stream_iter *it)
{
    stree *t = it->s->nodes;
    int ok;

    if (it->state == 0) {
        if (it->rev) {
            ok = stree_seek_le(t, &it->end, 0, &it->ni);
        } else {
            /* The node holding start begins at or before it. */
            ok = stree_seek_le(t, &it->start, 0, &it->ni) ||
                 stree_first(t, &it->ni);
        }
    } else if (it->reseek) {
        it->reseek = 0;
        ok = it->rev ? stree_seek_le(t, &it->master_id, 1, &it->ni)
                     : stree_seek_ge(t, &it->master_id, 1, &it->ni);
    } else {
        ok = it->rev ? stree_prev(&it->ni) : stree_next(&it->ni);
    }
    if (!ok) {
        it->state = 3;
        return 0;
    }
    if (!it->rev && stream_id_cmp(stree_iter_key(&it->ni), &it->end) > 0) {
        it->state = 3; /* every entry there is past the end */
        return 0;
    }
    open_node(it);
    return 1;
}

int stream_iter_next(stream_iter *it, stream_id *id, int64_t *nfields)
{
    while (it->state != 3) {
        if (it->state != 1) {
            if (!next_node(it)) {
                return 0;
            }
        }
        unsigned char *lp = it->lp, *p;
        if (it->rev) {
            if (it->next == it->master_end) {
                it->state = 2;
                continue;
            }
            int64_t back = lp_int(it->next);
            p = it->next;
            while (back-- > 0) {
                p = lp_prev(lp, p);
            }
            it->cur = p;
            it->next = lp_prev(lp, p);
        } else {
            if (it->next == NULL) {
                it->state = 2;
                continue;
            }
            p = it->cur = it->next;
        }
        int64_t flags = lp_int(p);
        p = lp_next(lp, p);
        id->ms = it->master_id.ms + (uint64_t)lp_int(p);
        p = lp_next(lp, p);
        id->seq = it->master_id.seq + (uint64_t)lp_int(p);
        p = lp_next(lp, p);
        int64_t n;
        if (flags & STREAM_ITEM_SAMEFIELDS) {
            n = it->master_nfields;
            it->fp = it->master_fields;
            it->vp = p;
        } else {
            n = lp_int(p);
            p = lp_next(lp, p);
            it->fp = NULL;
            it->vp = p;
        }
        if (!it->rev) {
            /* Past the values (and fields) and the lp-count. */
            int64_t elems = (flags & STREAM_ITEM_SAMEFIELDS) ? n : 2 * n;
            it->next = lp_skip(lp, p, elems + 1);
        }
        it->cur_flags = flags;
        if (flags & STREAM_ITEM_DELETED) {
            continue;
        }
        if (it->rev) {
            if (stream_id_cmp(id, &it->end) > 0) {
                continue;
            }
            if (stream_id_cmp(id, &it->start) < 0) {
                it->state = 3;
                return 0;
            }
        } else {
            if (stream_id_cmp(id, &it->start) < 0) {
                continue;
            }
            if (stream_id_cmp(id, &it->end) > 0) {
                it->state = 3;
                return 0;
            }
        }
        *nfields = n;
        return 1;
    }
    return 0;
}

void stream_iter_field(stream_iter *it, const unsigned char **f, uint32_t *flen,
                       const unsigned char **v, uint32_t *vlen)
{
    if (it->fp != NULL) {
        *f = lp_get(it->fp, flen, it->fbuf);
        it->fp = lp_next(it->lp, it->fp);
    } else {
        *f = lp_get(it->vp, flen, it->fbuf);
        it->vp = lp_next(it->lp, it->vp);
    }
    *v = lp_get(it->vp, vlen, it->vbuf);
    it->vp = lp_next(it->lp, it->vp);
}

void stream_iter_remove(stream_iter *it)
{
    unsigned char *lp = it->lp, *p;
    size_t old_bytes = lp_bytes(lp);
    /* Offsets survive the listpack moving; the counts changed below sit
     * before every pointer we hold, so they all shift alike. */
    size_t off_cur = (size_t)(it->cur - lp);
    size_t off_fields = (size_t)(it->master_fields - lp);
    size_t off_mend = (size_t)(it->master_end - lp);
    size_t off_next = it->next != NULL ? (size_t)(it->next - lp) : 0;

    lp = lp_replace_int(lp, it->cur, it->cur_flags | STREAM_ITEM_DELETED, NULL);
    p = lp_first(lp);
    int64_t count = lp_int(p) - 1;
    lp = lp_replace_int(lp, p, count, &p);
    p = lp_next(lp, p);
    lp = lp_replace_int(lp, p, lp_int(p) + 1, NULL);
    it->s->length--;
    if (count == 0) {
        lp_free(lp);
        stree_remove(it->s->nodes, &it->master_id);
        it->lp = NULL;
        it->state = 2;
        it->reseek = 1;
        return;
    }
    stree_iter_set_val(&it->ni, lp);
    /* The counts may have changed size: everything after them moved by
     * the same number of bytes (offsets are computed as integers so no
     * pointer leaves the blob). */
    size_t now = lp_bytes(lp);
    it->lp = lp;
    it->cur = lp + (off_cur + now - old_bytes);
    it->master_fields = lp + (off_fields + now - old_bytes);
    it->master_end = lp + (off_mend + now - old_bytes);
    if (it->next != NULL) {
        it->next = lp + (off_next + now - old_bytes);
    }
    it->fp = it->vp = NULL;
}

/* ---- whole-stream operations ---- */

int stream_delete(stream *s, const stream_id *id)
{
    stream_iter it;
    stream_id got;
    int64_t n;

    stream_iter_start(&it, s, id, id, 0);
    if (!stream_iter_next(&it, &got, &n)) {
        return 0;
    }
    stream_iter_remove(&it);
    if (stream_id_cmp(id, &s->max_deleted_id) > 0) {
        s->max_deleted_id = *id;
    }
    if (s->length == 0) {
        s->first_id.ms = s->first_id.seq = 0;
    } else if (stream_id_cmp(id, &s->first_id) == 0) {
        stream_first_id(s, &s->first_id);
    }
    return 1;
}

int stream_entry_exists(stream *s, const stream_id *id)
{
    stream_iter it;
    stream_id got;
    int64_t n;

    stream_iter_start(&it, s, id, id, 0);
    return stream_iter_next(&it, &got, &n);
}

static int edge_id(stream *s, int rev, stream_id *id)
{
    stream_iter it;
    int64_t n;

    stream_iter_start(&it, s, NULL, NULL, rev);
    return stream_iter_next(&it, id, &n);
}

int stream_first_id(stream *s, stream_id *id)
{
    return edge_id(s, 0, id);
}

int stream_last_valid_id(stream *s, stream_id *id)
{
    return edge_id(s, 1, id);
}

/* The ID of the node's last entry, deleted or not. */
static stream_id node_last_id(unsigned char *lp, const stream_id *master)
{
    unsigned char *p = lp_last(lp);
    int64_t back = lp_int(p);
    stream_id id;

    while (back-- > 0) {
        p = lp_prev(lp, p);
    }
    p = lp_next(lp, p);
    id.ms = master->ms + (uint64_t)lp_int(p);
    p = lp_next(lp, p);
    id.seq = master->seq + (uint64_t)lp_int(p);
    return id;
}

/* Flags the entries of the head node (lp, with master) that the trim
 * covers; returns how many live ones it flagged. */
static int64_t trim_in_node(stream *s, unsigned char **lpp,
                            const stream_id *master, int strategy,
                            long long maxlen, const stream_id *minid)
{
    unsigned char *lp = *lpp;
    unsigned char *p = lp_skip(lp, lp_first(lp), 2);
    int64_t mfields = lp_int(p);
    int64_t flagged = 0;

    p = lp_skip(lp, p, mfields + 2); /* first entry's flags */
    while (p != NULL) {
        unsigned char *fl = p;
        int64_t flags = lp_int(p);
        stream_id id;
        p = lp_next(lp, p);
        id.ms = master->ms + (uint64_t)lp_int(p);
        p = lp_next(lp, p);
        id.seq = master->seq + (uint64_t)lp_int(p);
        p = lp_next(lp, p);
        int stop = strategy == STREAM_TRIM_MAXLEN
                       ? s->length <= (uint64_t)maxlen
                       : stream_id_cmp(&id, minid) >= 0;
        if (stop) {
            break;
        }
        int64_t elems = mfields;
        if (!(flags & STREAM_ITEM_SAMEFIELDS)) {
            elems = 2 * lp_int(p);
            p = lp_next(lp, p);
        }
        p = lp_skip(lp, p, elems + 1);
        if (!(flags & STREAM_ITEM_DELETED)) {
            /* Same-size rewrite: the listpack does not move. */
            size_t off = p != NULL ? (size_t)(p - lp) : 0;
            lp = lp_replace_int(lp, fl, flags | STREAM_ITEM_DELETED, NULL);
            p = p != NULL ? lp + off : NULL;
            flagged++;
            s->length--;
        }
    }
    p = lp_first(lp);
    int64_t count = lp_int(p);
    lp = lp_replace_int(lp, p, count - flagged, &p);
    p = lp_next(lp, p);
    lp = lp_replace_int(lp, p, lp_int(p) + flagged, NULL);
    *lpp = lp;
    return flagged;
}

long long stream_trim(stream *s, int strategy, long long maxlen,
                      const stream_id *minid, int approx, long long limit)
{
    long long removed = 0;
    stree_iter ni;

    while (stree_first(s->nodes, &ni)) {
        if (strategy == STREAM_TRIM_MAXLEN && s->length <= (uint64_t)maxlen) {
            break;
        }
        unsigned char *lp = stree_iter_val(&ni);
        stream_id master = *stree_iter_key(&ni);
        int64_t entries = lp_int(lp_first(lp));
        if (limit > 0 && removed + entries > limit) {
            break;
        }
        int whole;
        if (strategy == STREAM_TRIM_MAXLEN) {
            whole = s->length - (uint64_t)entries >= (uint64_t)maxlen;
        } else {
            stream_id last = node_last_id(lp, &master);
            whole = stream_id_cmp(&last, minid) < 0;
        }
        if (whole) {
            lp_free(lp);
            stree_remove(s->nodes, &master);
            s->length -= (uint64_t)entries;
            removed += entries;
            continue;
        }
        if (approx) {
            break;
        }
        removed += trim_in_node(s, &lp, &master, strategy, maxlen, minid);
        stree_iter_set_val(&ni, lp);
        break;
    }
    if (s->length == 0) {
        s->first_id.ms = s->first_id.seq = 0;
    } else {
        stream_first_id(s, &s->first_id);
    }
    return removed;
}

/* ---- the numbers XINFO shows ---- */

static void encode_id(unsigned char *k, const stream_id *id)
{
    for (int i = 0; i < 8; i++) {
        k[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        k[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
}

/* Nodes of a compressed radix tree holding keys[lo, hi) below depth d (all
 * keys share their first d bytes): a run shared by all of them is one
 * compressed node, a fork is one node with a child per distinct byte, and
 * every key ends in a leaf node. */
static long long rax_count(const unsigned char (*k)[16], size_t lo, size_t hi,
                           int d)
{
    if (d == 16) {
        return 1;
    }
    int m = d;
    while (m < 16 && k[lo][m] == k[hi - 1][m]) {
        m++;
    }
    if (m > d) {
        return 1 + rax_count(k, lo, hi, m);
    }
    long long total = 1;
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && k[j][d] == k[i][d]) {
            j++;
        }
        total += rax_count(k, i, j, d + 1);
        i = j;
    }
    return total;
}

long long stream_rax_nodes(const stream *s)
{
    size_t n = stree_size(s->nodes), i = 0;
    stree_iter it;

    if (n == 0) {
        return 1; /* the empty root */
    }
    unsigned char(*keys)[16] = mem_alloc(n * 16);
    for (int ok = stree_first(s->nodes, &it); ok; ok = stree_next(&it)) {
        encode_id(keys[i++], stree_iter_key(&it));
    }
    long long total = rax_count((const unsigned char(*)[16])keys, 0, n, 0);
    mem_free(keys);
    return total;
}

static int id_is_zero(const stream_id *id)
{
    return id->ms == 0 && id->seq == 0;
}

int stream_range_has_tombstones(const stream *s, const stream_id *start,
                                const stream_id *end)
{
    stream_id lo = {0, 0}, hi = {UINT64_MAX, UINT64_MAX};

    if (s->length == 0 || id_is_zero(&s->max_deleted_id)) {
        return 0;
    }
    if (stream_id_cmp(&s->first_id, &s->max_deleted_id) > 0) {
        return 0; /* every tombstone is before the first entry */
    }
    if (start != NULL) {
        lo = *start;
    }
    if (end != NULL) {
        hi = *end;
    }
    return stream_id_cmp(&lo, &s->max_deleted_id) <= 0 &&
           stream_id_cmp(&s->max_deleted_id, &hi) <= 0;
}

long long stream_estimate_distance(const stream *s, const stream_id *id)
{
    if (s->entries_added == 0) {
        return 0;
    }
    int cmp_last = stream_id_cmp(id, &s->last_id);
    if (s->length == 0 && cmp_last <= 0) {
        return (long long)s->entries_added;
    }
    if (cmp_last == 0) {
        return (long long)s->entries_added;
    }
    if (cmp_last > 0) {
        return STREAM_ENTRIES_READ_INVALID;
    }
    int cmp_first = stream_id_cmp(id, &s->first_id);
    if (id_is_zero(&s->max_deleted_id) ||
        stream_id_cmp(&s->max_deleted_id, &s->first_id) < 0) {
        /* No tombstone after the first entry: counting works. */
        if (cmp_first < 0) {
            return (long long)(s->entries_added - s->length);
        }
        if (cmp_first == 0) {
            return (long long)(s->entries_added - s->length + 1);
        }
    }
    return STREAM_ENTRIES_READ_INVALID;
}

/* ---- groups and consumers, kept sorted by name ---- */

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;

    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Binary search in a sorted array of groups or consumers: the index of
 * the name, or of where it would go (*found tells which). */
#define NAME_SEARCH(arr, n, name, len, found)                                  \
    ({                                                                         \
        uint32_t lo_ = 0, hi_ = (n);                                           \
        *(found) = 0;                                                          \
        while (lo_ < hi_) {                                                    \
            uint32_t mid_ = (lo_ + hi_) / 2;                                   \
            int c_ = name_cmp((arr)[mid_]->name, (arr)[mid_]->namelen, (name), \
                              (len));                                          \
            if (c_ == 0) {                                                     \
                *(found) = 1;                                                  \
                lo_ = mid_;                                                    \
                break;                                                         \
            }                                                                  \
            if (c_ < 0) {                                                      \
                lo_ = mid_ + 1;                                                \
            } else {                                                           \
                hi_ = mid_;                                                    \
            }                                                                  \
        }                                                                      \
        lo_;                                                                   \
    })

/* Makes room at index pos of a pointer array with n used of *cap. */
static void **array_open(void **arr, uint32_t n, uint32_t *cap, uint32_t pos)
{
    if (n == *cap) {
        *cap = *cap == 0 ? 1 : *cap * 2;
        arr = mem_realloc(arr, *cap * sizeof(void *));
    }
    memmove(&arr[pos + 1], &arr[pos], (n - pos) * sizeof(void *));
    return arr;
}

stream_cg *stream_cg_lookup(const stream *s, const char *name, size_t len)
{
    int found;
    uint32_t i = NAME_SEARCH(s->groups, s->ngroups, name, len, &found);

    return found ? s->groups[i] : NULL;
}

stream_cg *stream_cg_create(stream *s, const char *name, size_t len,
                            const stream_id *last_id, long long entries_read)
{
    int found;
    uint32_t i = NAME_SEARCH(s->groups, s->ngroups, name, len, &found);

    if (found) {
        return NULL;
    }
    stream_cg *cg = mem_calloc(sizeof(*cg) + len);
    cg->last_id = *last_id;
    cg->entries_read = entries_read;
    cg->pel = stree_create();
    cg->namelen = (uint32_t)len;
    memcpy(cg->name, name, len);
    s->groups = (stream_cg **)array_open((void **)s->groups, s->ngroups,
                                         &s->groups_cap, i);
    s->groups[i] = cg;
    s->ngroups++;
    return cg;
}

int stream_cg_destroy(stream *s, const char *name, size_t len)
{
    int found;
    uint32_t i = NAME_SEARCH(s->groups, s->ngroups, name, len, &found);

    if (!found) {
        return 0;
    }
    cg_free(s->groups[i]);
    memmove(&s->groups[i], &s->groups[i + 1],
            (s->ngroups - i - 1) * sizeof(stream_cg *));
    s->ngroups--;
    return 1;
}

stream_consumer *stream_consumer_lookup(const stream_cg *cg, const char *name,
                                        size_t len)
{
    int found;
    uint32_t i = NAME_SEARCH(cg->consumers, cg->nconsumers, name, len, &found);

    return found ? cg->consumers[i] : NULL;
}

stream_consumer *stream_consumer_create(stream_cg *cg, const char *name,
                                        size_t len, long long now)
{
    int found;
    uint32_t i = NAME_SEARCH(cg->consumers, cg->nconsumers, name, len, &found);

    if (found) {
        return NULL;
    }
    stream_consumer *c = mem_alloc(sizeof(*c) + len);
    c->seen_time = now;
    c->pel = stree_create();
    c->namelen = (uint32_t)len;
    memcpy(c->name, name, len);
    cg->consumers = (stream_consumer **)array_open(
        (void **)cg->consumers, cg->nconsumers, &cg->consumers_cap, i);
    cg->consumers[i] = c;
    cg->nconsumers++;
    return c;
}

long long stream_consumer_delete(stream_cg *cg, const char *name, size_t len)
{
    int found;
    uint32_t i = NAME_SEARCH(cg->consumers, cg->nconsumers, name, len, &found);
    stree_iter it;

    if (!found) {
        return -1;
    }
    stream_consumer *c = cg->consumers[i];
    long long pending = (long long)stree_size(c->pel);
    for (int ok = stree_first(c->pel, &it); ok; ok = stree_next(&it)) {
        mem_free(stree_remove(cg->pel, stree_iter_key(&it)));
    }
    consumer_free(c);
    memmove(&cg->consumers[i], &cg->consumers[i + 1],
            (cg->nconsumers - i - 1) * sizeof(stream_consumer *));
    cg->nconsumers--;
    return pending;
}

stream_nack *stream_nack_create(stream_consumer *consumer, long long now)
{
    stream_nack *n = mem_alloc(sizeof(*n));

    n->delivery_time = now;
    n->delivery_count = 1;
    n->consumer = consumer;
    return n;
}

void stream_nack_release(stream_cg *cg, const stream_id *id, stream_nack *nack)
{
    stree_remove(cg->pel, id);
    if (nack->consumer != NULL) {
        stree_remove(nack->consumer->pel, id);
    }
    mem_free(nack);
}
