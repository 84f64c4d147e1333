/* Unit tests for common/intset.c: golden blobs captured from redis-server
 * 7.0, hand-derived bytes, random operations against a sorted-array model,
 * and intset_validate() against truncated and corrupted blobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intset.h"
#include "mem.h"
#include "vectors_intset.h"

#define NVEC (sizeof(is_vectors) / sizeof(is_vectors[0]))

static uint64_t rng_state = 0x243F6A8885A308D3ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static const unsigned char *blob(const intset *is)
{
    return (const unsigned char *)is;
}

static void expect_blob(const char *what, const intset *is,
                        const unsigned char *want, size_t want_len)
{
    size_t n = intset_blob_len(is);

    if (n != want_len || memcmp(blob(is), want, n) != 0) {
        fail_msg("%s: blob differs (got %zu bytes, want %zu)", what, n,
                 want_len);
    }
}

static void test_golden_vectors(void **state)
{
    (void)state;
    for (size_t vi = 0; vi < NVEC; vi++) {
        const is_vector *v = &is_vectors[vi];
        intset *is = intset_new();
        unsigned char *copy;

        for (size_t i = 0; i < v->nops; i++) {
            int changed = -1;
            int had = intset_find(is, v->ops[i].v);
            if (v->ops[i].op > 0) {
                is = intset_add(is, v->ops[i].v, &changed);
                assert_int_equal(changed, !had);
            } else {
                is = intset_remove(is, v->ops[i].v, &changed);
                assert_int_equal(changed, had);
            }
            assert_int_equal(intset_find(is, v->ops[i].v), v->ops[i].op > 0);
        }
        expect_blob(v->name, is, v->blob, v->blob_len);
        assert_int_equal(intset_validate(blob(is), intset_blob_len(is), 1), 0);

        /* The captured blob loads and reads back in order. */
        copy = mem_alloc(v->blob_len);
        memcpy(copy, v->blob, v->blob_len);
        assert_int_equal(intset_validate(copy, v->blob_len, 1), 0);
        assert_int_equal(intset_validate(copy, v->blob_len, 0), 0);
        {
            intset *loaded = (intset *)copy;
            int64_t prev = 0, cur;
            assert_int_equal(intset_len(loaded), intset_len(is));
            for (uint32_t i = 0; i < intset_len(loaded); i++) {
                assert_int_equal(intset_get(loaded, i, &cur), 0);
                assert_true(i == 0 || cur > prev);
                assert_true(intset_find(loaded, cur));
                prev = cur;
            }
            assert_int_equal(intset_get(loaded, intset_len(loaded), &cur), -1);
            /* It is a live intset: edits work on the loaded buffer. */
            loaded = intset_add(loaded, 77, NULL);
            assert_true(intset_find(loaded, 77));
            intset_free(loaded);
        }
        intset_free(is);
    }
}

static void test_hand_bytes(void **state)
{
    intset *is = intset_new();
    int added;

    (void)state;
    expect_blob("new", is, (const unsigned char *)"\2\0\0\0\0\0\0\0", 8);
    is = intset_add(is, 5, &added);
    assert_int_equal(added, 1);
    is = intset_add(is, -2, &added);
    is = intset_add(is, 5, &added);
    assert_int_equal(added, 0);
    expect_blob("int16", is,
                (const unsigned char *)"\2\0\0\0\2\0\0\0\xfe\xff\5\0", 12);
    assert_int_equal(intset_encoding(is), 2);
    /* 65536 needs 32 bits: everything widens, sign-extended. */
    is = intset_add(is, 65536, &added);
    expect_blob("int32", is,
                (const unsigned char *)"\4\0\0\0\3\0\0\0"
                                       "\xfe\xff\xff\xff\5\0\0\0\0\0\1\0",
                20);
    /* A negative wider value goes in front. */
    is = intset_add(is, -4294967296LL, &added);
    expect_blob("int64", is,
                (const unsigned char *)"\x08\0\0\0\4\0\0\0"
                                       "\0\0\0\0\xff\xff\xff\xff"
                                       "\xfe\xff\xff\xff\xff\xff\xff\xff"
                                       "\5\0\0\0\0\0\0\0"
                                       "\0\0\1\0\0\0\0\0",
                40);
    assert_true(intset_min(is) == -4294967296LL);
    assert_int_equal(intset_max(is), 65536);
    /* Removing the wide ones never narrows the encoding. */
    is = intset_remove(is, -4294967296LL, &added);
    assert_int_equal(added, 1);
    is = intset_remove(is, 65536, &added);
    is = intset_remove(is, 65536, &added);
    assert_int_equal(added, 0);
    assert_int_equal(intset_encoding(is), 8);
    assert_int_equal(intset_blob_len(is), 8 + 2 * 8);
    /* A value wider than the encoding is simply absent. */
    is = intset_remove(is, INT64_MAX, &added);
    assert_int_equal(added, 0);
    intset_free(is);
}

static void test_edges(void **state)
{
    intset *is = intset_new();
    intset *d;
    int64_t v;

    (void)state;
    assert_int_equal(intset_len(is), 0);
    assert_int_equal(intset_get(is, 0, &v), -1);
    assert_false(intset_find(is, 0));
    is = intset_add(is, INT64_MIN, NULL);
    is = intset_add(is, INT64_MAX, NULL);
    is = intset_add(is, 0, NULL);
    assert_true(intset_min(is) == INT64_MIN);
    assert_true(intset_max(is) == INT64_MAX);
    assert_true(intset_find(is, INT64_MIN));
    assert_false(intset_find(is, INT64_MIN + 1));
    d = intset_dup(is);
    assert_memory_equal(d, is, intset_blob_len(is));
    intset_free(d);
    /* Remove the last, then all. */
    is = intset_remove(is, INT64_MAX, NULL);
    is = intset_remove(is, INT64_MIN, NULL);
    is = intset_remove(is, 0, NULL);
    assert_int_equal(intset_len(is), 0);
    assert_int_equal(intset_blob_len(is), 8);
    /* Redis never saves an empty intset: an empty blob is refused. */
    assert_int_equal(intset_validate(blob(is), 8, 1), -1);
    intset_free(is);
}

static void test_random(void **state)
{
    intset *is = intset_new();
    int seen[4] = {0};

    (void)state;
    is = intset_add(is, 1, NULL);
    is = intset_add(is, 2, NULL);
    is = intset_add(is, 3, NULL);
    srandom(1);
    for (int i = 0; i < 3000; i++) {
        int64_t v = intset_random(is);
        assert_true(v >= 1 && v <= 3);
        seen[v]++;
    }
    assert_true(seen[1] > 800 && seen[2] > 800 && seen[3] > 800);
    intset_free(is);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Random values of every width, clustered so removes often hit. */
static int64_t gen_value(void)
{
    switch (rnd() % 4) {
    case 0: return (int64_t)(rnd() % 200) - 100;
    case 1: return (int64_t)(rnd() % 140000) - 70000;
    case 2: return (int64_t)(rnd() % 10000000000ULL) - 5000000000LL;
    default: return (int64_t)rnd();
    }
}

static void test_random_ops(void **state)
{
    enum { MAXN = 3000 };
    int64_t *model = malloc(sizeof(int64_t) * (MAXN + 1));
    size_t n = 0;
    intset *is = intset_new();
    uint32_t enc = 2;

    (void)state;
    for (int iter = 0; iter < 100000; iter++) {
        int64_t v = (rnd() % 3 == 0 && n > 0) ? model[rnd() % n] : gen_value();
        int changed;
        size_t pos;
        int found;

        for (pos = 0; pos < n && model[pos] < v; pos++) {
        }
        found = pos < n && model[pos] == v;
        if (n < MAXN && rnd() % 100 < 55) {
            is = intset_add(is, v, &changed);
            assert_int_equal(changed, !found);
            if (!found) {
                memmove(&model[pos + 1], &model[pos],
                        (n - pos) * sizeof(int64_t));
                model[pos] = v;
                n++;
            }
            if (v < INT32_MIN || v > INT32_MAX) {
                enc = 8;
            } else if ((v < INT16_MIN || v > INT16_MAX) && enc < 4) {
                enc = 4;
            }
        } else {
            is = intset_remove(is, v, &changed);
            assert_int_equal(changed, found);
            if (found) {
                memmove(&model[pos], &model[pos + 1],
                        (n - pos - 1) * sizeof(int64_t));
                n--;
            }
        }
        assert_int_equal(intset_len(is), n);
        assert_int_equal(intset_encoding(is), enc);
        assert_int_equal(intset_blob_len(is), 8 + n * enc);
        assert_int_equal(intset_find(is, v), pos < n && model[pos] == v);
        if (iter % 100 == 0) {
            for (size_t i = 0; i < n; i++) {
                int64_t got;
                assert_int_equal(intset_get(is, (uint32_t)i, &got), 0);
                assert_true(got == model[i]);
            }
            if (n > 0) {
                assert_true(intset_min(is) == model[0]);
                assert_true(intset_max(is) == model[n - 1]);
                assert_int_equal(
                    intset_validate(blob(is), intset_blob_len(is), 1), 0);
            }
        }
    }
    /* Same set built in sorted order with the same final width: same
     * bytes (the layout depends only on the members and the width). */
    {
        intset *fresh = intset_new();
        int64_t *sorted = malloc(sizeof(int64_t) * (n + 1));
        memcpy(sorted, model, n * sizeof(int64_t));
        qsort(sorted, n, sizeof(int64_t), cmp64);
        for (size_t i = n; i-- > 0;) {
            fresh = intset_add(fresh, sorted[i], NULL);
        }
        if (intset_encoding(fresh) == enc) {
            assert_memory_equal(fresh, is, intset_blob_len(is));
        }
        free(sorted);
        intset_free(fresh);
    }
    free(model);
    intset_free(is);
}

static void test_validate(void **state)
{
    intset *is = intset_new();
    unsigned char *b;
    size_t n;

    (void)state;
    assert_int_equal(intset_validate(NULL, 0, 1), -1);
    for (int i = 0; i < 10; i++) {
        is = intset_add(is, i * 1000, NULL);
    }
    n = intset_blob_len(is);
    assert_int_equal(intset_validate(blob(is), n, 1), 0);
    assert_int_equal(intset_validate(blob(is), n - 1, 1), -1);
    assert_int_equal(intset_validate(blob(is), n + 2, 0), -1);
    assert_int_equal(intset_validate(blob(is), 7, 0), -1);

    b = mem_alloc(n);
    /* Bad encodings. */
    for (uint32_t enc = 0; enc < 20; enc++) {
        memcpy(b, is, n);
        b[0] = (unsigned char)enc;
        if (enc != 2) {
            assert_int_equal(intset_validate(b, n, 0), -1);
        }
    }
    /* Length that does not match the size, including a huge one. */
    memcpy(b, is, n);
    b[4] = 11;
    assert_int_equal(intset_validate(b, n, 0), -1);
    memset(b + 4, 0xFF, 4);
    assert_int_equal(intset_validate(b, n, 0), -1);
    /* Out of order and duplicate: shallow accepts, deep refuses. */
    memcpy(b, is, n);
    b[8] = 0xFF; /* first element becomes 0x7FFF = 32767, above the */
    b[9] = 0x7F; /* second one (1000) */
    assert_int_equal(intset_validate(b, n, 0), 0);
    assert_int_equal(intset_validate(b, n, 1), -1);
    memcpy(b, is, n);
    memcpy(b + 10, b + 8, 2); /* duplicate of element 0 */
    assert_int_equal(intset_validate(b, n, 1), -1);
    mem_free(b);

    /* Fuzz: flips and truncations never read outside the blob, and an
     * accepted blob is a working intset. */
    rng_state = 0xABCDEF12345ULL;
    for (int iter = 0; iter < 100000; iter++) {
        size_t size = n;
        if (rnd() % 3 == 0) {
            size = rnd() % (n + 3);
        }
        b = mem_alloc(size ? size : 1);
        memcpy(b, is, size < n ? size : n);
        for (size_t i = n; i < size; i++) {
            b[i] = (unsigned char)rnd();
        }
        for (int f = (int)(rnd() % 3); f > 0 && size > 0; f--) {
            b[rnd() % size] ^= (unsigned char)(1u << (rnd() % 8));
        }
        intset_validate(b, size, 0);
        if (intset_validate(b, size, 1) == 0) {
            intset *x = (intset *)b;
            int64_t v;
            for (uint32_t i = 0; i < intset_len(x); i++) {
                assert_int_equal(intset_get(x, i, &v), 0);
                assert_true(intset_find(x, v));
            }
            x = intset_add(x, (int64_t)rnd(), NULL);
            assert_int_equal(intset_validate(blob(x), intset_blob_len(x), 1),
                             0);
            b = (unsigned char *)x;
        }
        mem_free(b);
    }
    intset_free(is);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_vectors),
        cmocka_unit_test(test_hand_bytes),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_validate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
