/* Unit tests for common/zindex.c: random adds/removes/lookups against the
 * skiplist that owns the nodes, table invariants (homes, Robin Hood order,
 * counts) through incremental growth and shrinking, and the SCAN cursor's
 * guarantee while the index changes between calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dict.h"
#include "skiplist.h"
#include "zindex.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static int member(char *buf, size_t size, uint64_t i)
{
    return snprintf(buf, size, "member:%llu", (unsigned long long)i);
}

/* Every slot: the stored home matches the hash, entries of a cluster are
 * ordered by home (Robin Hood), counts add up, and every entry is
 * findable. */
static void check_invariants(zidx *ix)
{
    size_t seen = 0;

    for (int k = 0; k < 2; k++) {
        size_t cap = ix->cap[k], used = 0;
        if (cap == 0) {
            assert_null(ix->t[k]);
            continue;
        }
        assert_int_equal(cap & (cap - 1), 0);
        for (size_t i = 0; i < cap; i++) {
            uint64_t s = ix->t[k][i];
            if (s == 0) {
                continue;
            }
            used++;
            zsl_node *n = (zsl_node *)(uintptr_t)(s & ((1ULL << 48) - 1));
            unsigned disp = (unsigned)((s >> 48) & 0xFF);
            uint64_t h = dict_hash(n->ele, str_len(n->ele));
            assert_int_equal((i - disp) & (cap - 1), h & (cap - 1));
            assert_int_equal(s >> 56, h >> 56);
            /* The previous slot holds an entry at most one further. */
            if (disp > 0) {
                uint64_t p = ix->t[k][(i - 1) & (cap - 1)];
                assert_true(p != 0);
                assert_true(((p >> 48) & 0xFF) + 1 >= disp);
            }
        }
        assert_int_equal(used, ix->used[k]);
        seen += used;
    }
    assert_int_equal(seen, zidx_size(ix));
}

static void test_empty(void **state)
{
    (void)state;
    zidx ix;

    zidx_init(&ix, 0);
    assert_int_equal(zidx_size(&ix), 0);
    assert_null(zidx_find(&ix, "a", 1));
    assert_null(zidx_remove(&ix, "a", 1));
    assert_int_equal(zidx_scan(&ix, 0, NULL, NULL), 0);
    zidx_maybe_shrink(&ix);
    zidx_deinit(&ix);
    zidx_init(&ix, 1000);
    assert_true(ix.cap[0] * 3 >= 1000 * 4);
    zidx_deinit(&ix);
}

/* Random operations against a presence bitmap. */
static void test_random_ops(void **state)
{
    (void)state;
    enum { N = 60000, OPS = 400000 };
    zsl *z = zsl_create();
    zidx ix;
    unsigned char *present = calloc(N, 1);
    size_t count = 0;
    char buf[32];

    zidx_init(&ix, 0);
    for (long op = 0; op < OPS; op++) {
        uint64_t i = rnd() % N;
        int len = member(buf, sizeof(buf), i);
        /* Mostly adds early, mostly removes late: grow then shrink. */
        int add = (rnd() % 100) < (op < OPS / 2 ? 70 : 25);
        zsl_node *x = zidx_find(&ix, buf, (size_t)len);
        assert_int_equal(x != NULL, present[i]);
        if (x != NULL) {
            assert_int_equal(str_len(x->ele), (size_t)len);
            assert_memory_equal(x->ele, buf, (size_t)len);
        }
        if (add && !present[i]) {
            zsl_node *n = zsl_insert(z, (double)i, buf, (size_t)len);
            zidx_add(&ix, n);
            present[i] = 1;
            count++;
        } else if (!add && present[i]) {
            zsl_node *n = zidx_remove(&ix, buf, (size_t)len);
            assert_non_null(n);
            assert_int_equal(zsl_delete(z, n->score, buf, (size_t)len, NULL),
                             0);
            zidx_maybe_shrink(&ix);
            present[i] = 0;
            count--;
        }
        assert_int_equal(zidx_size(&ix), count);
        if (op % 50000 == 0) {
            check_invariants(&ix);
        }
    }
    check_invariants(&ix);
    for (uint64_t i = 0; i < N; i++) {
        int len = member(buf, sizeof(buf), i);
        assert_int_equal(zidx_find(&ix, buf, (size_t)len) != NULL, present[i]);
    }
    zidx_deinit(&ix);
    zsl_destroy(&z);
    free(present);
}

/* Growth happens gradually and ends; memory is the final table. */
static void test_growth_finishes(void **state)
{
    (void)state;
    enum { N = 300000 };
    zsl *z = zsl_create();
    zidx ix;
    char buf[32];
    int was_growing = 0;

    zidx_init(&ix, 0);
    for (uint64_t i = 0; i < N; i++) {
        int len = member(buf, sizeof(buf), i);
        zidx_add(&ix, zsl_insert(z, 1.0, buf, (size_t)len));
        was_growing |= ix.t[1] != NULL;
        if (i % 20011 == 0) {
            check_invariants(&ix);
        }
    }
    assert_true(was_growing);
    /* A few lookups finish whatever move is left. */
    for (int i = 0; ix.t[1] != NULL && i < 1000000; i++) {
        zidx_find(&ix, "x", 1);
    }
    assert_null(ix.t[1]);
    assert_int_equal(zidx_size(&ix), N);
    assert_true(N * 4 <= ix.cap[0] * 3 && ix.cap[0] <= 4 * N);
    assert_int_equal(zidx_mem_usage(&ix), ix.cap[0] * 8);
    check_invariants(&ix);
    zidx_deinit(&ix);
    zsl_destroy(&z);
}

typedef struct scan_seen {
    unsigned char *hits;
} scan_seen;

static void on_scan(void *priv, const zsl_node *n)
{
    scan_seen *s = priv;
    unsigned long long i;

    assert_int_equal(sscanf(n->ele, "member:%llu", &i), 1);
    s->hits[i] = 1;
}

/* Members present for the whole scan are reported even though the index
 * grows (incrementally) and shrinks between calls. */
static void test_scan_guarantee(void **state)
{
    (void)state;
    enum { BASE = 5000, EXTRA = 40000 };
    zsl *z = zsl_create();
    zidx ix;
    char buf[32];
    scan_seen s = {calloc(BASE + EXTRA, 1)};

    zidx_init(&ix, 0);
    for (uint64_t i = 0; i < BASE; i++) {
        int len = member(buf, sizeof(buf), i);
        zidx_add(&ix, zsl_insert(z, 0, buf, (size_t)len));
    }
    /* Phase 1: grow during the scan. */
    uint64_t cursor = 0, next = BASE;
    do {
        cursor = zidx_scan(&ix, cursor, on_scan, &s);
        for (int k = 0; k < 40 && next < BASE + EXTRA; k++, next++) {
            int len = member(buf, sizeof(buf), next);
            zidx_add(&ix, zsl_insert(z, 0, buf, (size_t)len));
        }
    } while (cursor != 0);
    for (uint64_t i = 0; i < BASE; i++) {
        assert_true(s.hits[i]);
    }
    /* Phase 2: shrink during the scan (remove the extras). */
    memset(s.hits, 0, BASE + EXTRA);
    cursor = 0;
    next = BASE;
    do {
        cursor = zidx_scan(&ix, cursor, on_scan, &s);
        for (int k = 0; k < 400 && next < BASE + EXTRA; k++, next++) {
            int len = member(buf, sizeof(buf), next);
            zsl_node *n = zidx_remove(&ix, buf, (size_t)len);
            if (n != NULL) {
                zsl_delete(z, n->score, buf, (size_t)len, NULL);
            }
            zidx_maybe_shrink(&ix);
        }
    } while (cursor != 0);
    for (uint64_t i = 0; i < BASE; i++) {
        assert_true(s.hits[i]);
    }
    check_invariants(&ix);
    zidx_deinit(&ix);
    zsl_destroy(&z);
    free(s.hits);
}

/* Members that differ only after a NUL byte or in length. */
static void test_binary_members(void **state)
{
    (void)state;
    zsl *z = zsl_create();
    zidx ix;
    const char *m[] = {"", "a", "a\0", "a\0b", "\0", "ab"};
    size_t len[] = {0, 1, 2, 3, 1, 2};

    zidx_init(&ix, 0);
    for (int i = 0; i < 6; i++) {
        zidx_add(&ix, zsl_insert(z, i, m[i], len[i]));
    }
    for (int i = 0; i < 6; i++) {
        zsl_node *x = zidx_find(&ix, m[i], len[i]);
        assert_non_null(x);
        assert_true(x->score == i);
    }
    assert_null(zidx_find(&ix, "b", 1));
    assert_non_null(zidx_remove(&ix, "a\0", 2));
    assert_null(zidx_find(&ix, "a\0", 2));
    assert_non_null(zidx_find(&ix, "a\0b", 3));
    check_invariants(&ix);
    zidx_deinit(&ix);
    zsl_destroy(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_growth_finishes),
        cmocka_unit_test(test_scan_guarantee),
        cmocka_unit_test(test_binary_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
