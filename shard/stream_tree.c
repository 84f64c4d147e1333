/* stream_tree: a B+tree from stream IDs to pointers. Leaves hold sorted
 * (id, value) items and are linked both ways for range walks; inner nodes
 * hold separators. Appends at the right edge split so that the old node
 * stays full, since stream nodes and pending lists mostly grow that way. */
#include "stream_tree.h"

#include <string.h>

#include "mem.h"

/* A full leaf is 24 + 31 * 24 = 768 bytes and an inner node 760: both fit
 * the allocator's 768-byte class exactly. */
#define LEAF_MAX 31
#define LEAF_MIN 8
#define INNER_MAX 32
#define INNER_MIN 8

typedef struct item {
    stream_id key;
    void *val;
} item;

struct stree_leaf {
    stree_leaf *prev, *next;
    uint32_t n;
    uint32_t cap; /* only a lone root leaf has less than LEAF_MAX */
    item items[];
};

/* keys[i] separates child[i] and child[i + 1]: every key under child[i + 1]
 * is >= keys[i], every key under child[i] is < keys[i]. */
typedef struct inner {
    uint32_t n; /* children */
    stream_id keys[INNER_MAX - 1];
    void *child[INNER_MAX];
} inner;

struct stree {
    void *root; /* a leaf when height is 0; NULL when empty */
    int height; /* inner levels above the leaves */
    size_t count;
    size_t bytes; /* node allocations, for MEMORY USAGE */
    stree_leaf *head, *tail;
};

typedef struct split {
    stream_id key; /* smallest key of the new right node */
    void *node;
} split;

static size_t leaf_size(uint32_t cap)
{
    return sizeof(stree_leaf) + (size_t)cap * sizeof(item);
}

static stree_leaf *leaf_create(stree *t, uint32_t cap)
{
    stree_leaf *l = mem_alloc(leaf_size(cap));

    l->prev = l->next = NULL;
    l->n = 0;
    l->cap = cap;
    t->bytes += leaf_size(cap);
    return l;
}

static void leaf_free(stree *t, stree_leaf *l)
{
    t->bytes -= leaf_size(l->cap);
    mem_free(l);
}

static inner *inner_create(stree *t)
{
    inner *in = mem_alloc(sizeof(*in));

    in->n = 0;
    t->bytes += sizeof(*in);
    return in;
}

static void inner_free(stree *t, inner *in)
{
    t->bytes -= sizeof(*in);
    mem_free(in);
}

stree *stree_create(void)
{
    return mem_calloc(sizeof(stree));
}

static void free_rec(stree *t, void *node, int h, void (*free_val)(void *))
{
    if (h == 0) {
        stree_leaf *l = node;
        if (free_val != NULL) {
            for (uint32_t i = 0; i < l->n; i++) {
                free_val(l->items[i].val);
            }
        }
        leaf_free(t, l);
        return;
    }
    inner *in = node;
    for (uint32_t i = 0; i < in->n; i++) {
        free_rec(t, in->child[i], h - 1, free_val);
    }
    inner_free(t, in);
}

void stree_destroy(stree **tp, void (*free_val)(void *))
{
    stree *t = *tp;

    if (t == NULL) {
        return;
    }
    if (t->root != NULL) {
        free_rec(t, t->root, t->height, free_val);
    }
    mem_free(t);
    *tp = NULL;
}

size_t stree_size(const stree *t)
{
    return t->count;
}

size_t stree_mem_usage(const stree *t)
{
    return sizeof(*t) + t->bytes;
}

/* ---- searching ---- */

/* Index of the first item >= id (> id with strict). */
static uint32_t leaf_lower(const stree_leaf *l, const stream_id *id, int strict)
{
    uint32_t lo = 0, hi = l->n;

    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = stream_id_cmp(&l->items[mid].key, id);
        if (c < 0 || (strict && c == 0)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Index of the child whose range holds id: the number of separators <= id. */
static uint32_t inner_child(const inner *in, const stream_id *id)
{
    uint32_t lo = 0, hi = in->n - 1;

    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (stream_id_cmp(&in->keys[mid], id) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static stree_leaf *descend(const stree *t, const stream_id *id)
{
    void *node = t->root;

    for (int h = t->height; h > 0; h--) {
        inner *in = node;
        node = in->child[inner_child(in, id)];
    }
    return node;
}

void *stree_find(const stree *t, const stream_id *id)
{
    if (t->root == NULL) {
        return NULL;
    }
    stree_leaf *l = descend(t, id);
    uint32_t pos = leaf_lower(l, id, 0);
    if (pos < l->n && stream_id_cmp(&l->items[pos].key, id) == 0) {
        return l->items[pos].val;
    }
    return NULL;
}

/* ---- insertion ---- */

static void leaf_put(stree_leaf *l, uint32_t pos, const stream_id *id,
                     void *val)
{
    memmove(&l->items[pos + 1], &l->items[pos], (l->n - pos) * sizeof(item));
    l->items[pos].key = *id;
    l->items[pos].val = val;
    l->n++;
}

/* Returns -1 if present, 0 if inserted, 1 if inserted and the leaf split
 * (*sp describes the new right sibling). */
static int insert_leaf(stree *t, void **slot, const stream_id *id, void *val,
                       split *sp)
{
    stree_leaf *l = *slot;
    uint32_t pos = leaf_lower(l, id, 0);

    if (pos < l->n && stream_id_cmp(&l->items[pos].key, id) == 0) {
        return -1;
    }
    if (l->n < l->cap) {
        leaf_put(l, pos, id, val);
        return 0;
    }
    if (l->cap < LEAF_MAX) {
        /* A lone root leaf: grow it in place of splitting. */
        uint32_t cap = l->cap * 2 < LEAF_MAX ? l->cap * 2 : LEAF_MAX;
        t->bytes += leaf_size(cap) - leaf_size(l->cap);
        l = mem_realloc(l, leaf_size(cap));
        l->cap = cap;
        *slot = l;
        t->head = t->tail = l;
        leaf_put(l, pos, id, val);
        return 0;
    }
    stree_leaf *r = leaf_create(t, LEAF_MAX);
    if (pos == l->n && l->next == NULL) {
        /* Appending at the very end: keep this leaf full. */
        leaf_put(r, 0, id, val);
    } else {
        uint32_t half = l->n / 2;
        memcpy(r->items, &l->items[half], (l->n - half) * sizeof(item));
        r->n = l->n - half;
        l->n = half;
        if (pos < half) {
            leaf_put(l, pos, id, val);
        } else {
            leaf_put(r, pos - half, id, val);
        }
    }
    r->prev = l;
    r->next = l->next;
    if (l->next != NULL) {
        l->next->prev = r;
    } else {
        t->tail = r;
    }
    l->next = r;
    sp->key = r->items[0].key;
    sp->node = r;
    return 1;
}

static int insert_rec(stree *t, void **slot, int h, int rightmost,
                      const stream_id *id, void *val, split *sp)
{
    if (h == 0) {
        return insert_leaf(t, slot, id, val, sp);
    }
    inner *in = *slot;
    uint32_t i = inner_child(in, id);
    split csp;
    int rc = insert_rec(t, &in->child[i], h - 1, rightmost && i == in->n - 1,
                        id, val, &csp);
    if (rc != 1) {
        return rc;
    }
    if (in->n < INNER_MAX) {
        memmove(&in->keys[i + 1], &in->keys[i],
                (in->n - 1 - i) * sizeof(stream_id));
        memmove(&in->child[i + 2], &in->child[i + 1],
                (in->n - 1 - i) * sizeof(void *));
        in->keys[i] = csp.key;
        in->child[i + 1] = csp.node;
        in->n++;
        return 0;
    }
    inner *r = inner_create(t);
    if (rightmost && i == in->n - 1) {
        /* Growing at the right edge: the new node takes the last child
         * and the new one, this one stays nearly full. */
        sp->key = in->keys[in->n - 2];
        r->child[0] = in->child[in->n - 1];
        r->child[1] = csp.node;
        r->keys[0] = csp.key;
        r->n = 2;
        in->n--;
        sp->node = r;
        return 1;
    }
    /* Lay out all n + 1 children, then cut in the middle. */
    stream_id keys[INNER_MAX];
    void *child[INNER_MAX + 1];
    uint32_t m = in->n + 1;
    memcpy(keys, in->keys, i * sizeof(stream_id));
    keys[i] = csp.key;
    memcpy(&keys[i + 1], &in->keys[i], (in->n - 1 - i) * sizeof(stream_id));
    memcpy(child, in->child, (i + 1) * sizeof(void *));
    child[i + 1] = csp.node;
    memcpy(&child[i + 2], &in->child[i + 1], (in->n - 1 - i) * sizeof(void *));
    uint32_t a = m / 2;
    in->n = a;
    memcpy(in->child, child, a * sizeof(void *));
    memcpy(in->keys, keys, (a - 1) * sizeof(stream_id));
    sp->key = keys[a - 1];
    r->n = m - a;
    memcpy(r->child, &child[a], r->n * sizeof(void *));
    memcpy(r->keys, &keys[a], (r->n - 1) * sizeof(stream_id));
    sp->node = r;
    return 1;
}

int stree_insert(stree *t, const stream_id *id, void *val)
{
    split sp;

    if (t->root == NULL) {
        stree_leaf *l = leaf_create(t, 1);
        leaf_put(l, 0, id, val);
        t->root = l;
        t->height = 0;
        t->head = t->tail = l;
        t->count = 1;
        return 0;
    }
    int rc = insert_rec(t, &t->root, t->height, 1, id, val, &sp);
    if (rc < 0) {
        return -1;
    }
    if (rc == 1) {
        inner *in = inner_create(t);
        in->n = 2;
        in->child[0] = t->root;
        in->child[1] = sp.node;
        in->keys[0] = sp.key;
        t->root = in;
        t->height++;
    }
    t->count++;
    return 0;
}

/* ---- removal ---- */

static void inner_drop(inner *in, uint32_t key_idx)
{
    /* Removes keys[key_idx] and child[key_idx + 1]. */
    memmove(&in->keys[key_idx], &in->keys[key_idx + 1],
            (in->n - 2 - key_idx) * sizeof(stream_id));
    memmove(&in->child[key_idx + 1], &in->child[key_idx + 2],
            (in->n - 2 - key_idx) * sizeof(void *));
    in->n--;
}

static void fix_leaves(stree *t, inner *in, uint32_t left)
{
    stree_leaf *l = in->child[left], *r = in->child[left + 1];

    if (l->n + r->n <= LEAF_MAX) {
        memcpy(&l->items[l->n], r->items, r->n * sizeof(item));
        l->n += r->n;
        l->next = r->next;
        if (r->next != NULL) {
            r->next->prev = l;
        } else {
            t->tail = l;
        }
        leaf_free(t, r);
        inner_drop(in, left);
        return;
    }
    uint32_t total = l->n + r->n, want = total / 2;
    if (l->n < want) {
        uint32_t k = want - l->n;
        memcpy(&l->items[l->n], r->items, k * sizeof(item));
        memmove(r->items, &r->items[k], (r->n - k) * sizeof(item));
        l->n += k;
        r->n -= k;
    } else if (l->n > want) {
        uint32_t k = l->n - want;
        memmove(&r->items[k], r->items, r->n * sizeof(item));
        memcpy(r->items, &l->items[want], k * sizeof(item));
        l->n -= k;
        r->n += k;
    }
    in->keys[left] = r->items[0].key;
}

static void fix_inners(stree *t, inner *in, uint32_t left)
{
    inner *l = in->child[left], *r = in->child[left + 1];
    stream_id sep = in->keys[left];

    if (l->n + r->n <= INNER_MAX) {
        l->keys[l->n - 1] = sep;
        memcpy(&l->keys[l->n], r->keys, (r->n - 1) * sizeof(stream_id));
        memcpy(&l->child[l->n], r->child, r->n * sizeof(void *));
        l->n += r->n;
        inner_free(t, r);
        inner_drop(in, left);
        return;
    }
    stream_id keys[2 * INNER_MAX];
    void *child[2 * INNER_MAX];
    uint32_t m = l->n + r->n;
    memcpy(child, l->child, l->n * sizeof(void *));
    memcpy(&child[l->n], r->child, r->n * sizeof(void *));
    memcpy(keys, l->keys, (l->n - 1) * sizeof(stream_id));
    keys[l->n - 1] = sep;
    memcpy(&keys[l->n], r->keys, (r->n - 1) * sizeof(stream_id));
    uint32_t a = m / 2;
    l->n = a;
    memcpy(l->child, child, a * sizeof(void *));
    memcpy(l->keys, keys, (a - 1) * sizeof(stream_id));
    in->keys[left] = keys[a - 1];
    r->n = m - a;
    memcpy(r->child, &child[a], r->n * sizeof(void *));
    memcpy(r->keys, &keys[a], (r->n - 1) * sizeof(stream_id));
}

/* Child i of in (at level h, 0 = leaves) is too small: merge it with a
 * neighbour, or even the two out. */
static void fix_child(stree *t, inner *in, uint32_t i, int h)
{
    if (in->n < 2) {
        return;
    }
    uint32_t left = i > 0 ? i - 1 : 0;
    if (h == 0) {
        fix_leaves(t, in, left);
    } else {
        fix_inners(t, in, left);
    }
}

static void *remove_rec(stree *t, void *node, int h, const stream_id *id,
                        int *underflow)
{
    if (h == 0) {
        stree_leaf *l = node;
        uint32_t pos = leaf_lower(l, id, 0);
        if (pos >= l->n || stream_id_cmp(&l->items[pos].key, id) != 0) {
            return NULL;
        }
        void *val = l->items[pos].val;
        memmove(&l->items[pos], &l->items[pos + 1],
                (l->n - pos - 1) * sizeof(item));
        l->n--;
        *underflow = l->n < LEAF_MIN;
        return val;
    }
    inner *in = node;
    uint32_t i = inner_child(in, id);
    int cu = 0;
    void *val = remove_rec(t, in->child[i], h - 1, id, &cu);
    if (val != NULL && cu) {
        fix_child(t, in, i, h - 1);
    }
    *underflow = in->n < INNER_MIN;
    return val;
}

void *stree_remove(stree *t, const stream_id *id)
{
    int underflow = 0;

    if (t->root == NULL) {
        return NULL;
    }
    void *val = remove_rec(t, t->root, t->height, id, &underflow);
    if (val == NULL) {
        return NULL;
    }
    t->count--;
    while (t->height > 0 && ((inner *)t->root)->n == 1) {
        inner *in = t->root;
        t->root = in->child[0];
        inner_free(t, in);
        t->height--;
    }
    if (t->height == 0 && ((stree_leaf *)t->root)->n == 0) {
        leaf_free(t, t->root);
        t->root = NULL;
        t->head = t->tail = NULL;
    }
    return val;
}

/* ---- iteration ---- */

static int at(stree_iter *it, stree_leaf *l, long pos)
{
    /* Leaves are never empty, so one step to a neighbour is enough. */
    if (l != NULL && pos >= (long)l->n) {
        l = l->next;
        pos = 0;
    } else if (l != NULL && pos < 0) {
        l = l->prev;
        pos = l != NULL ? (long)l->n - 1 : 0;
    }
    it->leaf = l;
    it->pos = (int)pos;
    return l != NULL;
}

int stree_first(const stree *t, stree_iter *it)
{
    return at(it, t->head, 0);
}

int stree_last(const stree *t, stree_iter *it)
{
    return at(it, t->tail, t->tail != NULL ? (long)t->tail->n - 1 : 0);
}

int stree_seek_ge(const stree *t, const stream_id *id, int strict,
                  stree_iter *it)
{
    if (t->root == NULL) {
        return at(it, NULL, 0);
    }
    stree_leaf *l = descend(t, id);
    return at(it, l, leaf_lower(l, id, strict));
}

int stree_seek_le(const stree *t, const stream_id *id, int strict,
                  stree_iter *it)
{
    if (t->root == NULL) {
        return at(it, NULL, 0);
    }
    stree_leaf *l = descend(t, id);
    return at(it, l, (long)leaf_lower(l, id, !strict) - 1);
}

int stree_next(stree_iter *it)
{
    if (it->leaf == NULL) {
        return 0;
    }
    return at(it, it->leaf, (long)it->pos + 1);
}

int stree_prev(stree_iter *it)
{
    if (it->leaf == NULL) {
        return 0;
    }
    return at(it, it->leaf, (long)it->pos - 1);
}

const stream_id *stree_iter_key(const stree_iter *it)
{
    return &it->leaf->items[it->pos].key;
}

void *stree_iter_val(const stree_iter *it)
{
    return it->leaf->items[it->pos].val;
}

void stree_iter_set_val(const stree_iter *it, void *val)
{
    it->leaf->items[it->pos].val = val;
}
