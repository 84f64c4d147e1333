/* Unit tests for common/hll.c: golden values captured from redis-server 7.0
 * (same bytes after the same PFADD/PFMERGE calls, same PFCOUNT), the
 * estimator's error over a million elements, sparse/dense agreement, and
 * hostile sparse blobs (run under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hll.h"
#include "mem.h"
#include "str.h"
#include "vectors_hll.h"

#define NVEC (sizeof(hv_vectors) / sizeof(hv_vectors[0]))
#define NKEYS 4

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
    }
    return h;
}

static str from_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    str s = str_new(NULL, n);

    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        s[i] = (char)v;
    }
    return s;
}

/* Element i of a PFADD call, into buf; returns its length. */
static size_t element(const hv_op *op, uint32_t i, char *buf)
{
    uint64_t v = op->start + i;

    switch (op->kind) {
    case HV_LETTERS: buf[0] = (char)('a' + v); return 1;
    case HV_NUM:
        return (size_t)sprintf(buf, "%s%llu", op->prefix,
                               (unsigned long long)v);
    case HV_U64LE:
        for (int b = 0; b < 8; b++) {
            buf[b] = (char)(v >> (8 * b));
        }
        return 8;
    default: memcpy(buf, op->prefix, (size_t)v); return (size_t)v;
    }
}

/* PFADD as the command does it: create a missing key, add every element,
 * mark the cache stale if anything changed; reply 1 or 0. */
static int pfadd(str *key, const hv_op *op, size_t sparse_max)
{
    int changed = 0;
    char buf[64];

    if (*key == NULL) {
        *key = hll_create();
        changed = 1;
    }
    for (uint32_t i = 0; i < op->count; i++) {
        size_t n = element(op, i, buf);
        int rc = hll_add(key, buf, n, sparse_max);
        assert_true(rc >= 0);
        changed |= rc;
    }
    if (changed) {
        hll_invalidate(*key);
    }
    return changed;
}

/* PFMERGE dest src...: the destination's own registers count too; the
 * result is dense only when some input is dense (Redis 7.0). */
static void pfmerge(str *keys, int dest, unsigned srcmask, size_t sparse_max)
{
    uint8_t *max = mem_calloc(HLL_REGISTERS);
    int to_dense = 0;
    unsigned mask = srcmask | (1u << dest);

    for (int k = 0; k < NKEYS; k++) {
        if ((mask >> k & 1) && keys[k] != NULL) {
            assert_int_equal(hll_check(keys[k], str_len(keys[k])), 0);
            to_dense |= hll_encoding(keys[k]) == HLL_DENSE;
            assert_int_equal(hll_merge_raw(max, keys[k], str_len(keys[k])), 0);
        }
    }
    if (keys[dest] == NULL) {
        keys[dest] = hll_create();
    }
    assert_int_equal(hll_store_raw(&keys[dest], max, to_dense, sparse_max), 0);
    mem_free(max);
}

static uint64_t cache_bytes(const str h)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | (unsigned char)h[8 + i];
    }
    return v;
}

static void test_golden_vectors(void **state)
{
    (void)state;
    for (size_t vi = 0; vi < NVEC; vi++) {
        const hv_vector *v = &hv_vectors[vi];
        str keys[NKEYS] = {NULL};
        str k0;
        uint64_t card;
        unsigned used = 0;

        for (size_t i = 0; i < v->nops; i++) {
            const hv_op *op = &v->ops[i];
            used |= 1u << op->key | op->srcmask;
            if (op->op == HV_PFADD) {
                int rc = pfadd(&keys[op->key], op, v->sparse_max);
                if (rc != op->ret) {
                    fail_msg("%s: PFADD %zu replied %d, redis %d", v->name, i,
                             rc, op->ret);
                }
            } else {
                pfmerge(keys, op->key, op->srcmask, v->sparse_max);
            }
        }
        k0 = keys[0];
        if (str_len(k0) != v->len || fnv1a(k0, v->len) != v->fnv) {
            fail_msg("%s: bytes differ (%zu vs %zu)", v->name, str_len(k0),
                     v->len);
        }
        if (v->hex != NULL) {
            str want = from_hex(v->hex);
            assert_memory_equal(k0, want, v->len);
            str_free(want);
        }
        assert_string_equal(hll_encoding(k0) == HLL_DENSE ? "dense" : "sparse",
                            v->encoding);
        assert_int_equal(hll_validate(k0, str_len(k0)), 0);
        if (v->decode != NULL) {
            int err;
            str d = hll_sparse_decode(str_empty(), k0, str_len(k0), &err);
            assert_int_equal(err, 0);
            assert_string_equal(d, v->decode);
            str_free(d);
        }

        /* Redis's bytes count the same with us, and the cache we write is
         * what PFCOUNT writes. */
        if (v->hex != NULL) {
            str theirs = from_hex(v->hex);
            int first = hll_count(theirs, str_len(theirs), &card);
            assert_int_equal(card, (uint64_t)v->pfcount);
            assert_int_equal(cache_bytes(theirs), (uint64_t)v->pfcount);
            assert_int_equal(first, 1);
            assert_int_equal(hll_count(theirs, str_len(theirs), &card), 0);
            assert_int_equal(card, (uint64_t)v->pfcount);
            str_free(theirs);
        }
        assert_int_equal(hll_count(k0, str_len(k0), &card), 1);
        assert_int_equal(card, (uint64_t)v->pfcount);
        assert_int_equal(cache_bytes(k0), (uint64_t)v->pfcount);

        if (v->pfcount_all >= 0) {
            uint8_t *max = mem_calloc(HLL_REGISTERS);
            for (int k = 0; k < NKEYS; k++) {
                if ((used >> k & 1) && keys[k] != NULL) {
                    assert_int_equal(
                        hll_merge_raw(max, keys[k], str_len(keys[k])), 0);
                }
            }
            assert_int_equal(hll_count_raw(max), (uint64_t)v->pfcount_all);
            mem_free(max);
        }
        for (int k = 0; k < NKEYS; k++) {
            if (keys[k] != NULL) {
                str_free(keys[k]);
            }
        }
    }
}

static void test_create_and_check(void **state)
{
    str h = hll_create();
    unsigned char bad[HLL_DENSE_SIZE + 1];
    uint64_t card = 99;

    (void)state;
    assert_int_equal(str_len(h), HLL_HDR_SIZE + 2);
    assert_memory_equal(h, "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18);
    assert_int_equal(hll_validate(h, str_len(h)), 0);
    assert_int_equal(hll_count(h, str_len(h), &card), 0);
    assert_int_equal(card, 0);

    /* Redis's WRONGTYPE shape test. */
    assert_int_equal(hll_check("HYLL", 4), -1);
    assert_int_equal(hll_check("HYLX\x01\0\0\0\0\0\0\0\0\0\0\0", 16), -1);
    assert_int_equal(hll_check("HYLL\x02\0\0\0\0\0\0\0\0\0\0\0", 16), -1);
    assert_int_equal(hll_check("HYLL\xff\0\0\0\0\0\0\0\0\0\0\0", 16), -1);
    /* A sparse header alone passes the shape test but is corrupt. */
    assert_int_equal(hll_check("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0", 16), 0);
    assert_int_equal(hll_validate("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0", 16), -1);
    memset(bad, 0, sizeof(bad));
    memcpy(bad, "HYLL", 4);
    assert_int_equal(hll_check(bad, HLL_DENSE_SIZE), 0);
    assert_int_equal(hll_check(bad, HLL_DENSE_SIZE - 1), -1);
    assert_int_equal(hll_check(bad, HLL_DENSE_SIZE + 1), -1);
    str_free(h);
}

/* Registers set in a random order give the same registers whether the
 * value stays sparse, is promoted, or was dense from the start. */
static void test_sparse_dense_agree(void **state)
{
    (void)state;
    for (int round = 0; round < 40; round++) {
        str sp = hll_create();
        str de = hll_create();
        uint8_t *want = mem_calloc(HLL_REGISTERS);
        int n = (int)(rnd() % 3000);
        size_t smax = round % 4 == 0 ? 200 : 100000;
        uint64_t c1, c2;

        assert_int_equal(hll_to_dense(&de), 0);
        assert_int_equal(hll_encoding(de), HLL_DENSE);
        assert_int_equal(str_len(de), HLL_DENSE_SIZE);
        for (int i = 0; i < n; i++) {
            uint32_t idx = (uint32_t)(rnd() % (round % 2 ? 64 : 16384));
            /* Mostly small values, sometimes past the sparse limit. */
            uint8_t val = (uint8_t)(1 + rnd() % (round % 5 == 0 ? 40 : 6));
            int a = hll_set(&sp, idx, val, smax);
            int b = hll_set(&de, idx, val, smax);
            assert_int_equal(a, b);
            assert_int_equal(a, val > want[idx]);
            if (val > want[idx]) {
                want[idx] = val;
            }
        }
        assert_int_equal(hll_validate(sp, str_len(sp)), 0);
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            assert_int_equal(hll_get(sp, str_len(sp), i), want[i]);
            assert_int_equal(hll_get(de, str_len(de), i), want[i]);
        }
        assert_int_equal(hll_estimate(sp, str_len(sp), &c1), 0);
        assert_int_equal(hll_estimate(de, str_len(de), &c2), 0);
        assert_int_equal(c1, c2);
        assert_int_equal(hll_count_raw(want), c1);
        assert_int_equal(hll_to_dense(&sp), 0);
        assert_memory_equal(sp + HLL_HDR_SIZE, de + HLL_HDR_SIZE,
                            HLL_DENSE_SIZE - HLL_HDR_SIZE);
        mem_free(want);
        str_free(sp);
        str_free(de);
    }
}

/* Dense packing at the edges: every register alone at 63 leaves the others
 * at 0, and the last register ends at the last byte. */
static void test_dense_edges(void **state)
{
    str h = hll_create();
    uint8_t *max = mem_calloc(HLL_REGISTERS);

    (void)state;
    assert_int_equal(hll_to_dense(&h), 0);
    for (uint32_t i = 0; i < 24; i++) {
        assert_int_equal(hll_set(&h, i, 63, 0), 1);
        assert_int_equal(hll_get(h, str_len(h), i), 63);
        if (i > 0) {
            assert_int_equal(hll_get(h, str_len(h), i - 1), 63);
        }
        assert_int_equal(hll_get(h, str_len(h), i + 1), 0);
    }
    assert_int_equal(hll_set(&h, HLL_REGISTERS - 1, 63, 0), 1);
    assert_int_equal((unsigned char)h[HLL_DENSE_SIZE - 1], 0xfc);
    assert_int_equal(hll_get(h, str_len(h), HLL_REGISTERS - 2), 0);
    assert_int_equal(hll_set(&h, 5, 62, 0), 0);
    assert_int_equal(hll_set(&h, HLL_REGISTERS, 1, 0), -1);
    assert_int_equal(hll_merge_raw(max, h, str_len(h)), 0);
    assert_int_equal(max[0], 63);
    assert_int_equal(max[HLL_REGISTERS - 1], 63);
    assert_int_equal(max[HLL_REGISTERS - 2], 0);
    mem_free(max);
    str_free(h);
}

static void test_pattern(void **state)
{
    uint32_t idx;
    /* Found by search: its hash has 32 zero bits after the index, so it
     * needs a register value of 33, beyond what sparse VAL holds. */
    const unsigned char e33[8] = {0xba, 0x09, 0x9d, 0xba, 0, 0, 0, 0};
    str h = hll_create();

    (void)state;
    assert_int_equal(hll_pattern(e33, 8, &idx), 33);
    assert_int_equal(idx, 3655);
    assert_int_equal(hll_add(&h, e33, 8, HLL_SPARSE_MAX_BYTES), 1);
    assert_int_equal(hll_encoding(h), HLL_DENSE);
    assert_int_equal(hll_get(h, str_len(h), 3655), 33);
    assert_int_equal(hll_add(&h, e33, 8, HLL_SPARSE_MAX_BYTES), 0);
    /* No blocks, no tail, seed 0: every step keeps 0. */
    assert_true(hll_murmur64a("", 0, 0) == 0);
    str_free(h);
}

static void test_error_rate(void **state)
{
    const uint32_t n = 1000000;
    str h = hll_create();
    uint64_t card;
    double err, worst = 0;

    (void)state;
    for (uint32_t i = 1; i <= n; i++) {
        char buf[32];
        size_t len = (size_t)sprintf(buf, "ele:%u", i);
        assert_true(hll_add(&h, buf, len, HLL_SPARSE_MAX_BYTES) >= 0);
        if (i == 100 || i == 1000 || i == 10000 || i == 100000 || i == n) {
            assert_int_equal(hll_estimate(h, str_len(h), &card), 0);
            err = ((double)card - i) / i;
            printf("   hll estimate for %7u distinct: %7llu (error %+.3f%%)\n",
                   i, (unsigned long long)card, err * 100);
            if (err < 0) {
                err = -err;
            }
            if (err > worst) {
                worst = err;
            }
        }
    }
    /* Standard error is 1.04/sqrt(16384) = 0.81%: allow three of them. */
    assert_true(worst < 0.025);
    str_free(h);
}

/* Random mutations of valid sparse values: nothing may read or write out
 * of bounds (ASan), and the checks must agree with each other. */
static void test_hostile_sparse(void **state)
{
    str seeds[4];
    char buf[16];

    (void)state;
    seeds[0] = hll_create();
    seeds[1] = hll_create();
    seeds[2] = hll_create();
    seeds[3] = hll_create();
    for (int i = 0; i < 30; i++) {
        size_t n = (size_t)sprintf(buf, "s%d", i);
        hll_add(&seeds[1], buf, n, HLL_SPARSE_MAX_BYTES);
    }
    for (int i = 0; i < 600; i++) {
        size_t n = (size_t)sprintf(buf, "t%d", i);
        hll_add(&seeds[2], buf, n, HLL_SPARSE_MAX_BYTES);
    }
    for (uint32_t i = 0; i < 64; i++) {
        hll_set(&seeds[3], i * 3, (uint8_t)(1 + i % 32), 100000);
    }

    for (int iter = 0; iter < 20000; iter++) {
        str src = seeds[iter % 4];
        size_t len = str_len(src);
        str b = str_new(src, len);
        int kind = (int)(rnd() % 5);
        int valid;
        uint64_t card;
        uint8_t *max;

        if (kind == 0 || kind == 4) {
            /* Flip a few bytes of the opcodes. */
            int flips = 1 + (int)(rnd() % 4);
            for (int f = 0; f < flips; f++) {
                size_t at = HLL_HDR_SIZE + rnd() % (len - HLL_HDR_SIZE);
                b[at] = (char)rnd();
            }
        } else if (kind == 1) {
            str_set_len(b, HLL_HDR_SIZE + rnd() % (len - HLL_HDR_SIZE + 1));
        } else if (kind == 2) {
            size_t extra = 1 + rnd() % 8;
            for (size_t e = 0; e < extra; e++) {
                char c = (char)rnd();
                b = str_cat(b, &c, 1);
            }
        } else {
            /* All random opcodes. */
            size_t n = rnd() % 64;
            str_set_len(b, HLL_HDR_SIZE);
            for (size_t e = 0; e < n; e++) {
                char c = (char)rnd();
                b = str_cat(b, &c, 1);
            }
        }
        len = str_len(b);
        assert_int_equal(hll_check(b, len), 0);
        valid = hll_validate(b, len) == 0;

        assert_int_equal(hll_estimate(b, len, &card) == 0, valid);
        max = mem_calloc(HLL_REGISTERS);
        assert_int_equal(hll_merge_raw(max, b, len) == 0, valid);
        mem_free(max);
        for (int r = 0; r < 4; r++) {
            int g = hll_get(b, len, (uint32_t)(rnd() % HLL_REGISTERS));
            assert_true(g >= -1 && g <= 32);
        }
        {
            int err;
            str d = hll_sparse_decode(str_empty(), b, len, &err);
            str_free(d);
        }
        {
            str c = str_new(b, len);
            int rc = hll_to_dense(&c);
            assert_int_equal(rc == 0, valid);
            str_free(c);
        }
        {
            /* Adds may succeed on a corrupt value (as in Redis, only the
             * opcodes up to the register are read) but must stay in
             * bounds; on a valid one they must keep it valid. */
            str c = str_new(b, len);
            for (int a = 0; a < 8; a++) {
                size_t n = (size_t)sprintf(buf, "h%d", (int)(rnd() % 1000));
                int rc = hll_add(&c, buf, n, iter % 3 ? 3000 : 40);
                if (valid) {
                    assert_true(rc >= 0);
                } else if (rc < 0) {
                    break;
                }
            }
            if (valid) {
                assert_int_equal(hll_validate(c, str_len(c)), 0);
            }
            str_free(c);
        }
        {
            /* A valid cache is trusted (as Redis does); a stale one makes
             * the count walk the opcodes. */
            uint64_t c2;
            int rc;
            hll_invalidate(b);
            rc = hll_count(b, len, &c2);
            assert_int_equal(rc >= 0, valid);
        }
        str_free(b);
    }
    for (int i = 0; i < 4; i++) {
        str_free(seeds[i]);
    }
}

static void test_cache(void **state)
{
    str h = hll_create();
    uint64_t card;

    (void)state;
    assert_int_equal(hll_add(&h, "x", 1, HLL_SPARSE_MAX_BYTES), 1);
    assert_int_equal(hll_count(h, str_len(h), &card), 1);
    assert_int_equal(card, 1);
    assert_int_equal(hll_count(h, str_len(h), &card), 0);
    assert_int_equal(hll_add(&h, "x", 1, HLL_SPARSE_MAX_BYTES), 0);
    assert_int_equal(hll_count(h, str_len(h), &card), 0);
    /* A stale cache is recomputed; a valid one is trusted as is. */
    h[8] = 42;
    assert_int_equal(hll_count(h, str_len(h), &card), 0);
    assert_int_equal(card, 42);
    hll_invalidate(h);
    assert_int_equal(hll_count(h, str_len(h), &card), 1);
    assert_int_equal(card, 1);
    str_free(h);
}

static void test_selftest(void **state)
{
    char err[128] = "";

    (void)state;
    assert_int_equal(hll_selftest(err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_vectors),
        cmocka_unit_test(test_create_and_check),
        cmocka_unit_test(test_sparse_dense_agree),
        cmocka_unit_test(test_dense_edges),
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_error_rate),
        cmocka_unit_test(test_hostile_sparse),
        cmocka_unit_test(test_selftest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
