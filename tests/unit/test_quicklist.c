/* Unit tests for common/quicklist.c: redis-server's node layouts replayed
 * from captured command scripts, random operations against an array model
 * under several fill/compress/packed-threshold settings, structural
 * invariants, and O(1) push/pop at both ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "listpack.h"
#include "lzf.h"
#include "mem.h"
#include "quicklist.h"
#include "vectors_quicklist.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0xB7E151628AED2A6BULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001B3ULL;
    }
    return h;
}

/* A model element: malloc'd bytes. */
typedef struct {
    char *p;
    size_t len;
} item;

typedef struct {
    item *v;
    size_t n;
    size_t cap;
} model;

static item item_make(const void *p, size_t len)
{
    item it = {malloc(len ? len : 1), len};

    memcpy(it.p, p, len);
    return it;
}

static void model_insert(model *m, size_t at, item it)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof(item));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(item));
    m->v[at] = it;
    m->n++;
}

static void model_remove(model *m, size_t at)
{
    free(m->v[at].p);
    memmove(m->v + at, m->v + at + 1, (m->n - at - 1) * sizeof(item));
    m->n--;
}

static void model_free(model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].p);
    }
    free(m->v);
    memset(m, 0, sizeof(*m));
}

/* The bytes of a ql_val (integers in decimal, into buf). */
static const char *val_bytes(const ql_val *v, char *buf, size_t *len)
{
    if (v->s != NULL) {
        *len = v->slen;
        return (const char *)v->s;
    }
    *len = (size_t)snprintf(buf, 32, "%lld", v->v);
    return buf;
}

static void expect_val(const ql_val *v, const item *want)
{
    char buf[32];
    size_t len;
    const char *s = val_bytes(v, buf, &len);

    assert_int_equal(len, want->len);
    if (len > 0) {
        assert_memory_equal(s, want->p, len);
    }
}

/* Walks every node checking links, counts, sizes, the compress-depth
 * invariant (the `compress` nodes at each end are raw) and that no node
 * is empty. */
static void check_structure(const ql *q)
{
    unsigned long count = 0;
    unsigned long len = 0;
    const ql_node *prev = NULL;

    for (const ql_node *n = q->head; n != NULL; n = n->next) {
        assert_ptr_equal(n->prev, prev);
        assert_true(n->count > 0);
        assert_int_equal(n->recompress, 0);
        assert_int_equal(n->dont_compress, 0);
        if (n->encoding == QL_ENC_RAW && n->container == QL_PACKED) {
            assert_int_equal(lp_bytes(n->entry), n->sz);
            assert_int_equal(lp_length(n->entry), n->count);
        }
        if (n->container == QL_PLAIN) {
            assert_int_equal(n->count, 1);
        }
        count += n->count;
        len++;
        prev = n;
    }
    assert_ptr_equal(q->tail, prev);
    assert_int_equal(count, q->count);
    assert_int_equal(len, q->len);
    if (q->compress > 0) {
        const ql_node *f = q->head;
        const ql_node *b = q->tail;
        for (unsigned d = 0; d < q->compress && f != NULL; d++) {
            assert_int_equal(f->encoding, QL_ENC_RAW);
            assert_int_equal(b->encoding, QL_ENC_RAW);
            f = f->next;
            b = b->prev;
        }
    } else {
        for (const ql_node *n = q->head; n != NULL; n = n->next) {
            assert_int_equal(n->encoding, QL_ENC_RAW);
        }
    }
}

/* Full comparison with the model, both directions. */
static void check_contents(ql *q, const model *m)
{
    ql_iter it;
    ql_entry e;
    size_t i = 0;

    assert_int_equal(ql_count(q), m->n);
    ql_iter_init(&it, q, QL_HEAD);
    while (ql_iter_next(&it, &e)) {
        assert_true(i < m->n);
        expect_val(&e.val, &m->v[i]);
        i++;
    }
    ql_iter_deinit(&it);
    assert_int_equal(i, m->n);
    ql_iter_init(&it, q, QL_TAIL);
    while (ql_iter_next(&it, &e)) {
        assert_true(i > 0);
        i--;
        expect_val(&e.val, &m->v[i]);
    }
    ql_iter_deinit(&it);
    assert_int_equal(i, 0);
    check_structure(q);
}

/* ---- golden replay ------------------------------------------------------ */

static const char qv_pad[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* Same as gen_value() in capture_lzf_quicklist.py. */
static size_t qv_value(long id, long len, char *out)
{
    char pre[32];
    size_t plen;

    if (len == 0) {
        return (size_t)sprintf(out, "%ld", (id * 7919) % 2000001 - 1000000);
    }
    plen = (size_t)snprintf(pre, sizeof(pre), "v%ld:", id);
    for (size_t n = 0; n < (size_t)len; n++) {
        out[n] = n < plen ? pre[n] : qv_pad[(n - plen) % (sizeof(qv_pad) - 1)];
    }
    return (size_t)len;
}

/* LINSERT as t_list.c does it: first match from the head. */
static void do_linsert(ql *q, const char *piv, size_t plen, const char *v,
                       size_t vlen, int after)
{
    ql_iter it;
    ql_entry e;
    int done = 0;

    ql_iter_init(&it, q, QL_HEAD);
    while (ql_iter_next(&it, &e)) {
        if (ql_entry_eq(&e, piv, plen)) {
            ql_iter_insert(&it, &e, v, vlen, after);
            done = 1;
            break;
        }
    }
    ql_iter_deinit(&it);
    assert_true(done);
}

/* LTRIM's two range deletes. */
static void do_ltrim(ql *q, long start, long end)
{
    long llen = (long)ql_count(q);
    long ltrim;
    long rtrim;

    if (start < 0) {
        start += llen;
    }
    if (end < 0) {
        end += llen;
    }
    if (start < 0) {
        start = 0;
    }
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) {
            end = llen - 1;
        }
        ltrim = start;
        rtrim = llen - end - 1;
    }
    ql_del_range(q, 0, ltrim);
    ql_del_range(q, -rtrim, rtrim);
}

/* LREM: from the head for count >= 0, from the tail for count < 0. */
static unsigned long do_lrem(ql *q, long count, const char *v, size_t vlen)
{
    ql_iter it;
    ql_entry e;
    unsigned long removed = 0;
    unsigned long want =
        count < 0 ? (unsigned long)-count : (unsigned long)count;

    if (count < 0) {
        ql_iter_init_at(&it, q, QL_TAIL, -1);
    } else {
        ql_iter_init_at(&it, q, QL_HEAD, 0);
    }
    while (ql_iter_next(&it, &e)) {
        if (ql_entry_eq(&e, v, vlen)) {
            ql_iter_delete(&it, &e);
            removed++;
            if (want && removed == want) {
                break;
            }
        }
    }
    ql_iter_deinit(&it);
    return removed;
}

static void compare_snapshot(const qv_scenario *sc, const qv_snap *snap, ql *q)
{
    const ql_node *n = q ? q->head : NULL;
    size_t i = 0;

    for (; n != NULL; n = n->next, i++) {
        const qv_node *w = &snap->nodes[i];
        size_t len;
        int compressed;
        const unsigned char *d = ql_node_data(n, &len, &compressed);
        unsigned char *raw = NULL;

        if (i >= snap->nnodes) {
            fail_msg("%s after %zu ops: %lu nodes, redis has %zu", sc->name,
                     snap->after_ops, q->len, snap->nnodes);
        }
        if (compressed) {
            raw = malloc(n->sz);
            assert_int_equal(lzf_decompress(d, len, raw, n->sz), n->sz);
            d = raw;
            len = n->sz;
        }
        if ((int)n->container != w->container || n->count != w->count ||
            len != w->sz || fnv1a64(d, len) != w->fnv ||
            compressed != w->compressed) {
            fail_msg("%s after %zu ops, node %zu: container %d/%d count "
                     "%u/%u size %zu/%zu compressed %d/%d fnv %s",
                     sc->name, snap->after_ops, i, n->container, w->container,
                     n->count, w->count, len, w->sz, compressed, w->compressed,
                     fnv1a64(d, len) == w->fnv ? "same" : "differs");
        }
        free(raw);
    }
    if (i != snap->nnodes) {
        fail_msg("%s after %zu ops: %zu nodes, redis has %zu", sc->name,
                 snap->after_ops, i, snap->nnodes);
    }
}

static void test_golden_layouts(void **state)
{
    char v[4096];
    char p[4096];
    (void)state;

    for (size_t s = 0; s < sizeof(qv_scenarios) / sizeof(qv_scenarios[0]);
         s++) {
        const qv_scenario *sc = &qv_scenarios[s];
        ql *q = NULL;
        size_t snap = 0;

        for (size_t k = 0; k < sc->nops; k++) {
            const qv_op *op = &sc->ops[k];
            size_t vlen = 0;
            size_t plen = 0;

            if (q == NULL) {
                /* A new key: the list is created with the settings. */
                q = ql_create(sc->fill, sc->depth);
                assert_int_equal(
                    ql_set_packed_threshold(q, sc->packed_threshold), 0);
            }
            if (op->id) {
                vlen = qv_value(op->id, op->len, v);
            }
            if (op->pid) {
                plen = qv_value(op->pid, op->plen, p);
            }
            switch (op->code) {
            case 'R': ql_push_tail(q, v, vlen); break;
            case 'L': ql_push_head(q, v, vlen); break;
            case 'r': assert_int_equal(ql_pop(q, QL_TAIL), 0); break;
            case 'l': assert_int_equal(ql_pop(q, QL_HEAD), 0); break;
            case 'B': do_linsert(q, p, plen, v, vlen, QL_BEFORE); break;
            case 'A': do_linsert(q, p, plen, v, vlen, QL_AFTER); break;
            case 'S':
                assert_int_equal(ql_replace_at(q, op->a, v, vlen), 0);
                break;
            case 'T': do_ltrim(q, op->a, op->b); break;
            case 'M': do_lrem(q, op->a, v, vlen); break;
            default: fail_msg("bad op %c", op->code);
            }
            check_structure(q);
            /* An emptied list is a deleted key in Redis. */
            if (ql_count(q) == 0) {
                ql_destroy(&q);
            }
            while (snap < sc->nsnaps && sc->snaps[snap].after_ops == k + 1) {
                compare_snapshot(sc, &sc->snaps[snap], q);
                snap++;
            }
        }
        assert_int_equal(snap, sc->nsnaps);
        ql_destroy(&q);
    }
}

/* ---- random operations vs the model ------------------------------------- */

/* Values: small ints, short strings, medium, and (rarely) big ones that
 * cross size limits and packed thresholds. Mostly compressible. */
static item random_item(void)
{
    char buf[20000];
    size_t len;
    uint64_t r = rnd() % 100;

    if (r < 25) {
        len =
            (size_t)sprintf(buf, "%lld", (long long)(rnd() % 200001) - 100000);
    } else if (r < 30) {
        len = 0;
    } else {
        if (r < 80) {
            len = 1 + rnd() % 40;
        } else if (r < 97) {
            len = 40 + rnd() % 400;
        } else {
            len = 1000 + rnd() % 9000;
        }
        char c = (char)('a' + rnd() % 26);
        for (size_t i = 0; i < len; i++) {
            buf[i] = (rnd() % 8 == 0) ? (char)('a' + rnd() % 26) : c;
        }
        /* Sometimes a string that looks like an integer but isn't. */
        if (len >= 2 && rnd() % 20 == 0) {
            buf[0] = '0';
        }
    }
    return item_make(buf, len);
}

static size_t rand_index(size_t n)
{
    return (size_t)(rnd() % n);
}

static void random_ops(int fill, int depth, size_t threshold, int steps)
{
    ql *q = ql_create(fill, depth);
    model m = {0};

    if (threshold) {
        assert_int_equal(ql_set_packed_threshold(q, threshold), 0);
    }
    for (int step = 0; step < steps; step++) {
        uint64_t op = rnd() % 100;
        size_t n = m.n;

        if (n == 0 || op < 30) {
            item it = random_item();
            if (rnd() % 2) {
                ql_push_tail(q, it.p, it.len);
                model_insert(&m, m.n, it);
            } else {
                ql_push_head(q, it.p, it.len);
                model_insert(&m, 0, it);
            }
        } else if (op < 40) {
            int where = rnd() % 2 ? QL_HEAD : QL_TAIL;
            ql_val v;
            size_t at = where == QL_HEAD ? 0 : n - 1;
            assert_int_equal(ql_peek(q, where, &v), 0);
            expect_val(&v, &m.v[at]);
            assert_int_equal(ql_pop(q, where), 0);
            model_remove(&m, at);
        } else if (op < 50) {
            /* Index access, positive or negative. */
            size_t i = rand_index(n);
            long long idx =
                rnd() % 2 ? (long long)i : (long long)i - (long long)n;
            ql_iter it;
            ql_entry e;
            assert_int_equal(ql_iter_at(&it, q, idx, &e), 0);
            expect_val(&e.val, &m.v[i]);
            ql_iter_deinit(&it);
        } else if (op < 60) {
            size_t i = rand_index(n);
            long long idx =
                rnd() % 2 ? (long long)i : (long long)i - (long long)n;
            item it = random_item();
            assert_int_equal(ql_replace_at(q, idx, it.p, it.len), 0);
            free(m.v[i].p);
            m.v[i] = it;
        } else if (op < 75) {
            /* Insert next to an element reached by index (the iterator's
             * offset is negative for negative indexes). */
            size_t i = rand_index(n);
            long long idx =
                rnd() % 2 ? (long long)i : (long long)i - (long long)n;
            int after = (int)(rnd() % 2);
            item it = random_item();
            ql_iter qi;
            ql_entry e;
            assert_int_equal(ql_iter_at(&qi, q, idx, &e), 0);
            ql_iter_insert(&qi, &e, it.p, it.len, after);
            assert_int_equal(ql_iter_next(&qi, &e), 0);
            ql_iter_deinit(&qi);
            model_insert(&m, i + (size_t)after, it);
        } else if (op < 82) {
            /* Range delete, like LTRIM's. */
            long start = (long)rand_index(n + 2) - (long)(n / 2) - 1;
            long count = (long)(rnd() % 10) - 1;
            if (rnd() % 10 == 0) {
                count = (long)n;
            }
            unsigned long got = ql_del_range(q, start, count);
            size_t s =
                start < 0
                    ? (start + (long)n < 0 ? n : (size_t)(start + (long)n))
                    : (size_t)start;
            unsigned long want = 0;
            if (count > 0 && s < n) {
                want =
                    (unsigned long)count < n - s ? (unsigned long)count : n - s;
            }
            assert_int_equal(got, want);
            for (unsigned long k = 0; k < want; k++) {
                model_remove(&m, s);
            }
        } else if (op < 92) {
            /* Iterate (either way, from an end or an index) deleting some
             * elements as we go. */
            int dir = rnd() % 2 ? QL_HEAD : QL_TAIL;
            size_t i = rand_index(n);
            long long idx =
                rnd() % 2 ? (long long)i : (long long)i - (long long)n;
            ql_iter it;
            ql_entry e;
            size_t pos = i;
            int fromend = rnd() % 3 == 0;
            if (fromend) {
                ql_iter_init(&it, q, dir);
                pos = dir == QL_HEAD ? 0 : n - 1;
            } else {
                assert_int_equal(ql_iter_init_at(&it, q, dir, idx), 0);
            }
            uint64_t keep = 1 + rnd() % 4;
            size_t limit = 1 + rnd() % (n + 1);
            while (limit-- && ql_iter_next(&it, &e)) {
                expect_val(&e.val, &m.v[pos]);
                if (rnd() % keep == 0) {
                    ql_iter_delete(&it, &e);
                    model_remove(&m, pos);
                    if (dir == QL_TAIL) {
                        if (pos == 0) {
                            break;
                        }
                        pos--;
                    }
                } else if (dir == QL_HEAD) {
                    pos++;
                } else {
                    if (pos == 0) {
                        assert_int_equal(ql_iter_next(&it, &e), 0);
                        break;
                    }
                    pos--;
                }
            }
            ql_iter_deinit(&it);
        } else if (op < 96) {
            /* Out-of-range accesses fail cleanly. */
            ql_iter it;
            ql_entry e;
            assert_int_equal(ql_iter_at(&it, q, (long long)n, &e), -1);
            ql_iter_deinit(&it);
            assert_int_equal(ql_iter_at(&it, q, -(long long)n - 1, &e), -1);
            ql_iter_deinit(&it);
            assert_int_equal(ql_replace_at(q, (long long)n, "x", 1), -1);
            assert_int_equal(ql_del_range(q, (long)n, 3), 0);
        } else {
            /* Copy, and rebuild from the node blobs as an RDB load would. */
            ql *c = ql_dup(q);
            ql *r = ql_create(fill, depth);
            check_contents(c, &m);
            for (const ql_node *nd = q->head; nd != NULL; nd = nd->next) {
                size_t len;
                int z;
                const unsigned char *d = ql_node_data(nd, &len, &z);
                unsigned char *raw = mem_alloc(nd->sz ? nd->sz : 1);
                if (z) {
                    assert_int_equal(lzf_decompress(d, len, raw, nd->sz),
                                     nd->sz);
                } else {
                    memcpy(raw, d, len);
                }
                if (nd->container == QL_PLAIN) {
                    ql_append_plain(r, raw, nd->sz);
                } else {
                    assert_int_equal(lp_validate(raw, nd->sz, 1), 0);
                    ql_append_listpack(r, raw);
                }
            }
            assert_int_equal(r->len, q->len);
            check_contents(r, &m);
            ql_destroy(&c);
            ql_destroy(&r);
        }
        check_structure(q);
        if (step % 64 == 0) {
            check_contents(q, &m);
        }
    }
    check_contents(q, &m);
    ql_destroy(&q);
    assert_null(q);
    model_free(&m);
}

static void test_random_default(void **state)
{
    (void)state;
    random_ops(-2, 0, 0, 6000);
}

static void test_random_compress1(void **state)
{
    (void)state;
    random_ops(-2, 1, 0, 6000);
    random_ops(8, 1, 0, 4000);
}

static void test_random_compress2(void **state)
{
    (void)state;
    random_ops(-1, 2, 0, 6000);
    random_ops(4, 2, 0, 4000);
    random_ops(1, 2, 0, 3000);
}

static void test_random_fills(void **state)
{
    static const int fills[] = {-5, -3, 0, 1, 2, 16, 128, 1000, 40000, -100};
    (void)state;
    for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
        random_ops(fills[i], (int)(i % 4), 0, 2000);
    }
}

static void test_random_plain(void **state)
{
    (void)state;
    random_ops(-2, 1, 30, 4000);
    random_ops(4, 2, 100, 4000);
    random_ops(-1, 0, 1, 2000);
}

/* ---- focused cases ------------------------------------------------------ */

static void test_options_and_empty(void **state)
{
    ql *q = ql_create(100000, -3);
    ql_val v;
    ql_iter it;
    ql_entry e;
    (void)state;

    assert_int_equal(q->fill, QL_FILL_MAX);
    assert_int_equal(q->compress, 0);
    ql_set_options(q, -9, 1 << 20);
    assert_int_equal(q->fill, QL_FILL_MIN);
    assert_int_equal(q->compress, QL_COMPRESS_MAX);
    assert_int_equal(ql_set_packed_threshold(q, ((size_t)1 << 32)), -1);
    assert_int_equal(ql_set_packed_threshold(q, 0), 0);
    assert_int_equal(q->packed_threshold, QL_PACKED_THRESHOLD_DEFAULT);

    assert_int_equal(ql_peek(q, QL_HEAD, &v), -1);
    assert_int_equal(ql_pop(q, QL_TAIL), -1);
    assert_int_equal(ql_del_range(q, 0, 5), 0);
    ql_iter_init(&it, q, QL_HEAD);
    assert_int_equal(ql_iter_next(&it, &e), 0);
    ql_iter_deinit(&it);
    assert_int_equal(ql_iter_init_at(&it, q, QL_HEAD, 0), -1);
    assert_int_equal(ql_iter_next(&it, &e), 0);
    ql_iter_deinit(&it);

    /* Integers come back as integers, canonical strings compare equal. */
    ql_push_tail(q, "12345", 5);
    ql_push_tail(q, "012", 3);
    assert_int_equal(ql_peek(q, QL_HEAD, &v), 0);
    assert_null(v.s);
    assert_int_equal(v.v, 12345);
    assert_int_equal(ql_iter_at(&it, q, 0, &e), 0);
    assert_true(ql_entry_eq(&e, "12345", 5));
    assert_false(ql_entry_eq(&e, "012345", 6));
    assert_false(ql_entry_eq(&e, "1234", 4));
    ql_iter_deinit(&it);
    assert_int_equal(ql_iter_at(&it, q, -1, &e), 0);
    assert_non_null(e.val.s);
    assert_true(ql_entry_eq(&e, "012", 3));
    assert_false(ql_entry_eq(&e, "12", 2));
    ql_iter_deinit(&it);
    ql_destroy(&q);
    ql_destroy(&q); /* NULL is fine */
}

/* Compression actually happens for inner nodes, and the blobs handed to
 * writers decompress to the listpack. */
static void test_compression_happens(void **state)
{
    ql *q = ql_create(16, 1);
    char buf[64];
    unsigned long compressed = 0;
    (void)state;

    for (int i = 0; i < 1600; i++) {
        int n = snprintf(buf, sizeof(buf), "element-number-%06d-padding", i);
        ql_push_tail(q, buf, (size_t)n);
    }
    assert_int_equal(q->len, 100);
    for (const ql_node *n = q->head; n != NULL; n = n->next) {
        size_t len;
        int z;
        const unsigned char *d = ql_node_data(n, &len, &z);
        if (z) {
            unsigned char *raw = malloc(n->sz);
            compressed++;
            assert_true(len + 8 < n->sz);
            assert_int_equal(lzf_decompress(d, len, raw, n->sz), n->sz);
            assert_int_equal(lp_validate(raw, n->sz, 1), 0);
            free(raw);
        }
    }
    /* Pushing at the tail compresses each node as it leaves the depth. */
    assert_int_equal(compressed, 98);
    check_structure(q);

    /* Reading the middle decompresses one node temporarily. */
    ql_iter it;
    ql_entry e;
    assert_int_equal(ql_iter_at(&it, q, 800, &e), 0);
    assert_int_equal(e.node->encoding, QL_ENC_RAW);
    assert_int_equal(e.val.slen, 29);
    assert_memory_equal(e.val.s, "element-number-000800-padding", 29);
    ql_iter_deinit(&it);
    assert_int_equal(e.node->encoding, QL_ENC_LZF);
    check_structure(q);
    ql_destroy(&q);
}

/* Pushes and pops at both ends stay O(1): a million of each, with
 * compression on, in well under the time an O(n) step would take. */
static void test_push_pop_speed(void **state)
{
    ql *q = ql_create(-2, 1);
    char buf[32];
    clock_t t0 = clock();
    (void)state;

    for (int i = 0; i < 1000000; i++) {
        int n = snprintf(buf, sizeof(buf), "v%d", i);
        ql_push(q, buf, (size_t)n, (i & 1) ? QL_HEAD : QL_TAIL);
    }
    assert_int_equal(ql_count(q), 1000000);
    check_structure(q);
    for (int i = 0; i < 1000000; i++) {
        ql_val v;
        int where = (i & 2) ? QL_HEAD : QL_TAIL;
        assert_int_equal(ql_peek(q, where, &v), 0);
        assert_int_equal(ql_pop(q, where), 0);
    }
    assert_int_equal(ql_count(q), 0);
    assert_null(q->head);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("   2M push/pop ops: %.2fs\n", secs);
    assert_true(secs < 20.0);
    ql_destroy(&q);
}

/* The iterator's documented contract around insert and replace. */
static void test_iterator_ends(void **state)
{
    ql *q = ql_create(3, 0);
    ql_iter it;
    ql_entry e;
    (void)state;

    for (int i = 0; i < 10; i++) {
        char c = (char)('a' + i);
        ql_push_tail(q, &c, 1);
    }
    ql_iter_init(&it, q, QL_HEAD);
    assert_int_equal(ql_iter_next(&it, &e), 1);
    assert_int_equal(ql_iter_next(&it, &e), 1);
    ql_iter_replace(&it, &e, "B", 1);
    assert_int_equal(ql_iter_next(&it, &e), 0);
    ql_iter_deinit(&it);

    /* Deleting everything while walking backwards. */
    ql_iter_init(&it, q, QL_TAIL);
    int seen = 0;
    while (ql_iter_next(&it, &e)) {
        ql_iter_delete(&it, &e);
        seen++;
    }
    ql_iter_deinit(&it);
    assert_int_equal(seen, 10);
    assert_int_equal(ql_count(q), 0);
    assert_int_equal(q->len, 0);
    ql_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_and_empty),
        cmocka_unit_test(test_golden_layouts),
        cmocka_unit_test(test_compression_happens),
        cmocka_unit_test(test_iterator_ends),
        cmocka_unit_test(test_random_default),
        cmocka_unit_test(test_random_compress1),
        cmocka_unit_test(test_random_compress2),
        cmocka_unit_test(test_random_fills),
        cmocka_unit_test(test_random_plain),
        cmocka_unit_test(test_push_pop_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
