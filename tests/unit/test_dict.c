/* Unit tests for common/dict.c and common/siphash.c: correctness under
 * incremental rehashing, resize policy, the SCAN guarantee, sampling,
 * safe iteration and value ownership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dict.h"
#include "siphash.h"

#define MANY 100000

/* Writes the text key for id into buf and returns its length. */
static size_t make_key(char *buf, size_t cap, const char *prefix, int id)
{
    return (size_t)snprintf(buf, cap, "%s:%06d", prefix, id);
}

/* A binary key for id that contains NUL bytes and is NOT a C string. */
static size_t make_bin_key(unsigned char buf[12], uint32_t id)
{
    buf[0] = 0;
    memcpy(buf + 1, &id, sizeof(id));
    buf[5] = 0;
    buf[6] = 0xff;
    memcpy(buf + 7, &id, sizeof(id));
    buf[11] = 0;
    return 12;
}

/* Parses "<prefix>:NNNNNN" keys; returns -1 for any other key. */
static int key_id(const dict_entry *de, const char *prefix)
{
    size_t plen = strlen(prefix);

    if (de->klen != plen + 7 || memcmp(de->key, prefix, plen) != 0 ||
        de->key[plen] != ':') {
        return -1;
    }
    return atoi(de->key + plen + 1);
}

static void drain_rehash(dict *d)
{
    while (dict_rehash_step(d, 1000)) {
    }
}

static void test_siphash_vectors(void **state)
{
    /* Reference outputs for key 00..0f and message 00..(n-1), n = 0..63,
     * as published with the SipHash paper's reference code. */
    static const uint64_t expect[64] = {
        0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a,
        0x85676696d7fb7e2d, 0xcf2794e0277187b7, 0x18765564cd99a68d,
        0xcbc9466e58fee3ce, 0xab0200f58b01d137, 0x93f5f5799a932462,
        0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
        0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee,
        0xa129ca6149be45e5, 0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794,
        0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd, 0xbed65cf21aa2ee98,
        0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
        0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3,
        0x2f2e6163076bcfad, 0xde4daaaca71dc9a5, 0xa6a2506687956571,
        0xad87a3535c49ef28, 0x32d892fad841c342, 0x7127512f72f27cce,
        0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
        0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d,
        0x9abfd8766a33735c, 0x0e3ea96b5304a7d0, 0xad0c42d6fc585992,
        0x187306c89bc215a9, 0xd4a60abcf3792b95, 0xf935451de4f21df2,
        0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
        0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72,
        0xa192d576b245165a, 0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f,
        0x7fa8220ba3b2ecea, 0x245731c13ca42499, 0xb78dbfaf3a8d83bd,
        0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
        0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57,
        0x958a324ceb064572,
    };
    uint8_t key[16], msg[64], zero[16] = {0};

    (void)state;
    for (int i = 0; i < 16; i++) {
        key[i] = (uint8_t)i;
    }
    for (int i = 0; i < 64; i++) {
        msg[i] = (uint8_t)i;
    }
    for (int n = 0; n < 64; n++) {
        assert_int_equal(siphash_2_4(msg, (size_t)n, key), expect[n]);
    }
    assert_int_equal(siphash_2_4(NULL, 0, key), expect[0]);
    /* 1-2 shares the code above; check it is a different, keyed function
     * that sees every byte. */
    assert_int_not_equal(siphash_1_2(msg, 15, key), expect[15]);
    assert_int_not_equal(siphash_1_2(msg, 15, key), siphash_1_2(msg, 15, zero));
    assert_int_not_equal(siphash_1_2(msg, 15, key), siphash_1_2(msg, 14, key));
    assert_int_equal(siphash_1_2(msg, 15, key), siphash_1_2(msg, 15, key));

    /* dict_hash is case-sensitive, binary-safe and seed-dependent. */
    dict_set_hash_seed(zero);
    assert_int_not_equal(dict_hash("Key", 3), dict_hash("key", 3));
    assert_int_not_equal(dict_hash("a\0b", 3), dict_hash("a\0c", 3));
    assert_int_equal(dict_hash("abc", 3), siphash_1_2("abc", 3, zero));
    dict_set_hash_seed(key);
    assert_int_equal(dict_hash("abc", 3), siphash_1_2("abc", 3, key));
}

static void test_add_find_delete_many(void **state)
{
    dict *d = dict_create(NULL);
    char buf[32];
    unsigned char bin[12];
    int existed = -1;

    (void)state;
    assert_int_equal(dict_buckets(d), 0); /* lazy allocation */
    assert_null(dict_find(d, "x", 1));
    assert_int_equal(dict_delete(d, "x", 1), -1);

    for (int i = 0; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "key", i);
        dict_entry *de = dict_add(d, buf, n);

        assert_non_null(de);
        assert_int_equal(de->v.u64, 0);
        de->v.i64 = i;
        assert_null(dict_add(d, buf, n));
        n = make_bin_key(bin, (uint32_t)i);
        de = dict_add(d, bin, n);
        assert_non_null(de);
        de->v.i64 = -i;
    }
    assert_int_equal(dict_size(d), 2 * MANY);

    /* Keys that differ only after a NUL, and the empty key. */
    assert_non_null(dict_add(d, "a\0b", 3));
    assert_non_null(dict_add(d, "a\0c", 3));
    assert_non_null(dict_add(d, "a", 1));
    assert_non_null(dict_add(d, "", 0));
    assert_null(dict_add(d, NULL, 0));
    assert_non_null(dict_find(d, NULL, 0));
    assert_int_equal(dict_find(d, "a\0b", 3)->klen, 3);
    assert_null(dict_find(d, "a\0d", 3));
    assert_null(dict_find(d, "A", 1));

    for (int i = 0; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "key", i);
        dict_entry *de = dict_find(d, buf, n);

        assert_non_null(de);
        assert_int_equal(de->v.i64, i);
        assert_int_equal(de->klen, n);
        assert_memory_equal(de->key, buf, n);
        assert_int_equal(de->key[n], '\0');
        assert_ptr_equal(dict_add_or_find(d, buf, n, &existed), de);
        assert_int_equal(existed, 1);
        n = make_bin_key(bin, (uint32_t)i);
        de = dict_find(d, bin, n);
        assert_non_null(de);
        assert_int_equal(de->v.i64, -i);
    }

    /* Delete the even text keys and all binary keys. */
    for (int i = 0; i < MANY; i++) {
        size_t n = make_bin_key(bin, (uint32_t)i);

        assert_int_equal(dict_delete(d, bin, n), 0);
        assert_int_equal(dict_delete(d, bin, n), -1);
        if (i % 2 == 0) {
            n = make_key(buf, sizeof(buf), "key", i);
            assert_int_equal(dict_delete(d, buf, n), 0);
        }
    }
    assert_int_equal(dict_size(d), MANY / 2 + 4);
    for (int i = 0; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "key", i);
        dict_entry *de = dict_find(d, buf, n);

        if (i % 2 == 0) {
            assert_null(de);
            de = dict_add_or_find(d, buf, n, &existed);
            assert_int_equal(existed, 0);
            assert_int_equal(de->v.u64, 0);
        } else {
            assert_non_null(de);
            assert_int_equal(de->v.i64, i);
        }
    }
    assert_int_equal(dict_size(d), MANY + 4);
    assert_true(dict_mem_usage(d) > dict_size(d) * sizeof(dict_entry));

    dict_clear(d);
    assert_int_equal(dict_size(d), 0);
    assert_int_equal(dict_buckets(d), 0);
    assert_null(dict_find(d, "key:000001", 10));
    assert_non_null(dict_add(d, "again", 5));
    assert_int_equal(dict_buckets(d), 4);
    dict_destroy(&d);
    assert_null(d);
    dict_destroy(&d); /* no-op on NULL */
}

static void test_incremental_rehash(void **state)
{
    dict *d = dict_create(NULL);
    char buf[32];
    int i, mid_rehash_checks = 0;

    (void)state;
    /* Grow step by step; whenever a rehash is under way, both tables must
     * hold entries and every key must still be found. */
    for (i = 0; i < 20000; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
        if (dict_is_rehashing(d) && d->used[0] > 0 && d->used[1] > 0 &&
            d->size[1] >= 4096 && mid_rehash_checks < 3) {
            assert_true(d->size[1] > d->size[0]);
            assert_int_equal(dict_buckets(d), d->size[0] + d->size[1]);
            for (int j = 0; j <= i; j++) {
                n = make_key(buf, sizeof(buf), "k", j);
                assert_non_null(dict_find(d, buf, n));
            }
            mid_rehash_checks++;
        }
    }
    assert_int_equal(mid_rehash_checks, 3);

    /* Rehashing moves a little per operation, never all at once. */
    drain_rehash(d);
    assert_false(dict_is_rehashing(d));
    assert_int_equal(dict_expand(d, 100000), 0);
    assert_int_equal(dict_buckets(d), 32768 + 131072);
    assert_int_equal(dict_expand(d, 300000), -1); /* already rehashing */
    for (i = 0; i < 100; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_find(d, buf, n));
    }
    assert_true(dict_is_rehashing(d));
    assert_true(d->used[0] > 0 && d->used[1] > 0);
    assert_true(dict_rehash_step(d, 10));
    assert_true(dict_rehash_ms(d, 1000) > 0);
    assert_false(dict_is_rehashing(d));
    assert_int_equal(dict_rehash_ms(d, 10), 0);
    assert_int_equal(dict_buckets(d), 131072);
    assert_int_equal(d->used[0], 20000);

    /* dict_expand rejects sizes below the entry count or unchanged. */
    assert_int_equal(dict_expand(d, 100), -1);
    assert_int_equal(dict_expand(d, 131072), -1);
    assert_int_equal(dict_expand(d, SIZE_MAX), -1);
    dict_destroy(&d);

    /* Pre-sizing an empty dict allocates without rehashing. */
    d = dict_create(NULL);
    assert_int_equal(dict_expand(d, 1000), 0);
    assert_int_equal(dict_buckets(d), 1024);
    assert_false(dict_is_rehashing(d));
    for (i = 0; i < 1024; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
    }
    assert_false(dict_is_rehashing(d));
    assert_int_equal(dict_buckets(d), 1024);
    dict_destroy(&d);
}

static void test_shrink_after_mass_delete(void **state)
{
    dict *d = dict_create(NULL);
    char buf[32];
    int i;

    (void)state;
    for (i = 0; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
    }
    drain_rehash(d);
    assert_int_equal(dict_buckets(d), 131072);
    for (i = 100; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_int_equal(dict_delete(d, buf, n), 0);
    }
    /* Settle: finish any rehash, then let one more delete re-check. */
    for (int round = 0; round < 10; round++) {
        drain_rehash(d);
        assert_non_null(dict_add(d, "probe", 5));
        assert_int_equal(dict_delete(d, "probe", 5), 0);
    }
    drain_rehash(d);
    assert_int_equal(dict_size(d), 100);
    assert_true(dict_buckets(d) <= 8 * dict_size(d));
    assert_true(dict_buckets(d) >= dict_size(d) / 2);
    for (i = 0; i < 100; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_find(d, buf, n));
    }

    /* Down to empty: the table shrinks to the minimum, never below. */
    for (i = 0; i < 100; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_int_equal(dict_delete(d, buf, n), 0);
        drain_rehash(d);
    }
    assert_int_equal(dict_size(d), 0);
    assert_int_equal(dict_buckets(d), 4);
    dict_destroy(&d);
}

static void test_rehash_step_bounded(void **state)
{
    dict *d = dict_create(NULL);
    char buf[32];
    int i;

    (void)state;
    for (i = 0; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
    }
    drain_rehash(d);
    /* Delete with rehashing held off: a shrink is scheduled, and the old
     * table is left with 10 entries among 131072 buckets. */
    d->pause_rehash++;
    for (i = 10; i < MANY; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_int_equal(dict_delete(d, buf, n), 0);
    }
    d->pause_rehash--;
    assert_true(dict_is_rehashing(d));
    assert_int_equal(d->size[0], 131072);
    assert_int_equal(d->used[0], 10);

    /* One step moves one bucket or gives up after 10 empty ones. */
    for (int step = 0; step < 1000 && dict_is_rehashing(d); step++) {
        size_t before = d->rehash_idx;

        assert_int_equal(dict_rehash_step(d, 1), 1);
        assert_true(d->rehash_idx - before <= 11);
    }
    assert_true(dict_is_rehashing(d));
    for (i = 0; i < 10; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_find(d, buf, n));
    }
    drain_rehash(d);
    assert_int_equal(d->used[0], 10);
    assert_int_equal(dict_buckets(d), 16384);
    dict_destroy(&d);
}

static void test_resize_policy_avoid(void **state)
{
    dict *d = dict_create(NULL);
    char buf[32];
    int i;

    (void)state;
    for (i = 0; i < 64; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
    }
    drain_rehash(d);
    assert_int_equal(dict_buckets(d), 64);

    /* While a child shares our pages, grow only past load 5. */
    dict_set_resize_policy(DICT_RESIZE_AVOID);
    for (; i < 64 * 6; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
        assert_int_equal(dict_buckets(d), 64);
    }
    for (; i < 64 * 7; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_non_null(dict_add(d, buf, n));
    }
    assert_true(dict_buckets(d) > 64);
    drain_rehash(d);
    assert_true(dict_buckets(d) >= 64 * 6);

    /* And do not shrink at 1/8 load. */
    size_t buckets = dict_buckets(d);
    for (i = 0; i < 64 * 7 - 20; i++) {
        size_t n = make_key(buf, sizeof(buf), "k", i);

        assert_int_equal(dict_delete(d, buf, n), 0);
    }
    assert_int_equal(dict_buckets(d), buckets);
    assert_true(dict_size(d) * 8 < buckets);

    dict_set_resize_policy(DICT_RESIZE_ENABLE);
    assert_int_equal(dict_delete(d, "k:000447", 8), 0);
    drain_rehash(d);
    assert_true(dict_buckets(d) < buckets);
    dict_destroy(&d);
}

typedef struct scan_seen {
    unsigned char *seen;
    int n;
    dict *d;
    int paused_ok;
} scan_seen;

static void scan_record(void *priv, const dict_entry *de)
{
    scan_seen *s = priv;
    int id = key_id(de, "keep");

    if (s->d->pause_rehash == 0) {
        s->paused_ok = 0;
    }
    if (id >= 0) {
        assert_true(id < s->n);
        s->seen[id] = 1;
    }
}

/* Scans a dict of nkeep keys while, between calls, churn_per_call temp keys
 * are added until tmp_target exist (growing the table), then deleted again
 * (shrinking it). Every keep key never deleted must be reported. */
static void scan_with_churn(int nkeep, int churn_per_call, int tmp_target,
                            size_t want_buckets)
{
    dict *d = dict_create(NULL);
    scan_seen s = {calloc((size_t)nkeep, 1), nkeep, d, 1};
    char buf[32];
    uint64_t cursor = 0;
    int calls = 0, tmp_added = 0, tmp_deleted = 0;
    int grew = 0, shrank = 0, rehashing_seen = 0;
    size_t max_buckets = 0;

    for (int i = 0; i < nkeep; i++) {
        size_t n = make_key(buf, sizeof(buf), "keep", i);

        assert_non_null(dict_add(d, buf, n));
    }
    drain_rehash(d);
    max_buckets = dict_buckets(d);

    do {
        size_t before = d->size[0];

        cursor = dict_scan(d, cursor, scan_record, &s);
        calls++;
        for (int j = 0; j < churn_per_call; j++) {
            if (tmp_added < tmp_target && tmp_deleted == 0) {
                size_t n = make_key(buf, sizeof(buf), "tmp", tmp_added++);

                assert_non_null(dict_add(d, buf, n));
            } else if (tmp_deleted < tmp_added) {
                size_t n = make_key(buf, sizeof(buf), "tmp", tmp_deleted++);

                assert_int_equal(dict_delete(d, buf, n), 0);
            }
        }
        /* Keep-key ids divisible by 7 are deleted mid-scan: not owed. */
        if (calls == 3) {
            for (int i = 0; i < nkeep; i += 7) {
                size_t n = make_key(buf, sizeof(buf), "keep", i);

                assert_int_equal(dict_delete(d, buf, n), 0);
            }
        }
        rehashing_seen |= dict_is_rehashing(d);
        grew |= d->size[0] > before || d->size[1] > before;
        shrank |= d->size[0] < before || (d->size[1] && d->size[1] < before);
        if (dict_buckets(d) > max_buckets) {
            max_buckets = dict_buckets(d);
        }
        assert_true(calls < 10000000);
    } while (cursor != 0);

    for (int i = 0; i < nkeep; i++) {
        if (i % 7 != 0) {
            assert_int_equal(s.seen[i], 1);
        }
    }
    assert_int_equal(s.paused_ok, 1);
    if (tmp_target > 0) {
        assert_true(grew);
        assert_true(shrank);
        assert_true(rehashing_seen);
        assert_true(max_buckets >= want_buckets);
        assert_int_equal(tmp_deleted, tmp_added);
    }
    free(s.seen);
    dict_destroy(&d);
}

static void test_scan_guarantee(void **state)
{
    (void)state;
    scan_with_churn(1000, 0, 0, 0);            /* stable table */
    scan_with_churn(1000, 200, 20000, 16384);  /* fast growth, then shrink */
    scan_with_churn(200, 7, 3000, 4096);       /* slow churn, many calls */
    scan_with_churn(5000, 4000, 60000, 65536); /* big jumps between calls */
    scan_with_churn(3, 500, 30000, 32768);     /* tiny table grows a lot */
}

static void test_scan_mid_rehash_and_empty(void **state)
{
    dict *d = dict_create(NULL);
    scan_seen s = {calloc(2000, 1), 2000, d, 1};
    char buf[32];
    uint64_t cursor = 0;

    (void)state;
    assert_int_equal(dict_scan(d, 0, scan_record, &s), 0);
    for (int i = 0; i < 2000; i++) {
        size_t n = make_key(buf, sizeof(buf), "keep", i);

        assert_non_null(dict_add(d, buf, n));
    }
    drain_rehash(d);
    /* A grow is in progress for the whole scan, advancing between calls. */
    assert_int_equal(dict_expand(d, 50000), 0);
    assert_true(dict_is_rehashing(d));
    do {
        cursor = dict_scan(d, cursor, scan_record, &s);
        dict_rehash_step(d, 3);
    } while (cursor != 0);
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(s.seen[i], 1);
    }
    free(s.seen);
    dict_destroy(&d);
}

static void check_random_coverage(dict *d, int nkeys)
{
    unsigned char *hit = calloc((size_t)nkeys, 1);
    dict_entry *out[32];
    int distinct = 0;
    size_t total = 0;

    for (int i = 0; i < 50 * nkeys; i++) {
        dict_entry *de = dict_random(d);
        int id;

        assert_non_null(de);
        assert_ptr_equal(dict_find(d, de->key, de->klen), de);
        id = key_id(de, "r");
        assert_true(id >= 0 && id < nkeys);
        distinct += !hit[id];
        hit[id] = 1;
    }
    assert_true(distinct >= nkeys * 99 / 100);

    memset(hit, 0, (size_t)nkeys);
    distinct = 0;
    for (int i = 0; i < 20 * nkeys; i++) {
        unsigned got = dict_sample(d, out, 20);

        /* While rehashing, a sample landing in the sparse new table may
         * come back short; on average it must be nearly full. */
        assert_true(got <= 20);
        total += got;
        for (unsigned j = 0; j < got; j++) {
            int id = key_id(out[j], "r");

            assert_ptr_equal(dict_find(d, out[j]->key, out[j]->klen), out[j]);
            assert_true(id >= 0 && id < nkeys);
            distinct += !hit[id];
            hit[id] = 1;
        }
    }
    assert_true(distinct >= nkeys * 99 / 100);
    assert_true(total >= (size_t)nkeys * 20 * 20 * 9 / 10);
    free(hit);
}

static void test_random_and_sample(void **state)
{
    dict *d = dict_create(NULL);
    dict_entry *out[64];
    char buf[32];

    (void)state;
    assert_null(dict_random(d));
    assert_int_equal(dict_sample(d, out, 10), 0);

    assert_non_null(dict_add(d, "only", 4));
    for (int i = 0; i < 10; i++) {
        assert_ptr_equal(dict_random(d), dict_find(d, "only", 4));
    }
    assert_int_equal(dict_sample(d, out, 64), 1);
    assert_int_equal(dict_delete(d, "only", 4), 0);

    for (int i = 0; i < 1000; i++) {
        size_t n = make_key(buf, sizeof(buf), "r", i);

        assert_non_null(dict_add(d, buf, n));
    }
    drain_rehash(d);
    check_random_coverage(d, 1000);
    assert_int_equal(dict_sample(d, out, 64), 64);

    /* Same while a doubling is in progress (and rehashing is paused so it
     * stays in progress). */
    assert_int_equal(dict_expand(d, 2048), 0);
    dict_rehash_step(d, 100);
    d->pause_rehash++;
    assert_true(d->used[0] > 0 && d->used[1] > 0);
    check_random_coverage(d, 1000);
    d->pause_rehash--;
    drain_rehash(d);

    /* Sparse table left by deletions under AVOID: still finds entries. */
    dict_set_resize_policy(DICT_RESIZE_AVOID);
    for (int i = 30; i < 1000; i++) {
        size_t n = make_key(buf, sizeof(buf), "r", i);

        assert_int_equal(dict_delete(d, buf, n), 0);
    }
    dict_set_resize_policy(DICT_RESIZE_ENABLE);
    assert_true(dict_buckets(d) >= 1024);
    for (int i = 0; i < 200; i++) {
        unsigned got = dict_sample(d, out, 5);

        assert_true(got <= 5);
        for (unsigned j = 0; j < got; j++) {
            int id = key_id(out[j], "r");

            assert_true(id >= 0 && id < 30);
        }
        assert_true(key_id(dict_random(d), "r") < 30);
    }
    dict_destroy(&d);
}

static void test_safe_iterator_delete(void **state)
{
    dict *d = dict_create(NULL);
    unsigned char *seen = calloc(10000, 1);
    char buf[32];
    dict_iter it;
    dict_entry *de;
    int returned = 0, deleted = 0;

    (void)state;
    dict_iter_init(&it, d);
    assert_null(dict_iter_next(&it));
    dict_iter_deinit(&it);

    for (int i = 0; i < 10000; i++) {
        size_t n = make_key(buf, sizeof(buf), "it", i);

        assert_non_null(dict_add(d, buf, n));
    }
    /* Start mid-rehash so both tables are walked. */
    drain_rehash(d);
    assert_int_equal(dict_expand(d, 40000), 0);
    dict_rehash_step(d, 1000);
    assert_true(d->used[0] > 0 && d->used[1] > 0);

    dict_iter_init(&it, d);
    while ((de = dict_iter_next(&it)) != NULL) {
        int id = key_id(de, "it");

        assert_true(id >= 0 && id < 10000);
        assert_int_equal(seen[id], 0);
        seen[id] = 1;
        returned++;
        /* Rehashing stays paused however many operations we do. */
        assert_int_equal(dict_rehash_step(d, 100), 1);
        if (id % 2 == 0) {
            assert_int_equal(dict_delete(d, de->key, de->klen), 0);
            deleted++;
        }
    }
    dict_iter_deinit(&it);
    assert_int_equal(returned, 10000);
    assert_int_equal(dict_size(d), 10000 - deleted);
    assert_int_equal(d->pause_rehash, 0);
    drain_rehash(d);

    /* Deleting everything while iterating (shrinks get scheduled) and
     * adding new keys (growth may start) still returns each old key once. */
    memset(seen, 0, 10000);
    returned = 0;
    dict_iter_init(&it, d);
    while ((de = dict_iter_next(&it)) != NULL) {
        int id = key_id(de, "it");

        if (id < 0) {
            continue; /* a "new" key: may or may not be returned */
        }
        assert_int_equal(seen[id], 0);
        seen[id] = 1;
        returned++;
        assert_int_equal(dict_delete(d, de->key, de->klen), 0);
        make_key(buf, sizeof(buf), "new", id);
        assert_non_null(dict_add(d, buf, strlen(buf)));
    }
    dict_iter_deinit(&it);
    assert_int_equal(returned, 5000);
    assert_int_equal(dict_size(d), 5000);
    drain_rehash(d);
    for (int i = 1; i < 10000; i += 2) {
        size_t n = make_key(buf, sizeof(buf), "new", i);

        assert_non_null(dict_find(d, buf, n));
    }
    free(seen);
    dict_destroy(&d);
}

static int free_counts[3000];

static void count_free(void *ptr)
{
    (*(int *)ptr)++;
}

static void test_val_free_once(void **state)
{
    static const dict_type type = {.val_free = count_free};
    dict *d = dict_create(&type);
    char buf[32];
    dict_iter it;
    dict_entry *de;

    (void)state;
    memset(free_counts, 0, sizeof(free_counts));
    for (int i = 0; i < 3000; i++) {
        size_t n = make_key(buf, sizeof(buf), "v", i);

        de = dict_add(d, buf, n);
        de->v.ptr = &free_counts[i];
    }
    /* An entry with a NULL value is freed without the callback. */
    assert_non_null(dict_add(d, "null", 4));

    for (int i = 0; i < 500; i++) { /* dict_delete */
        size_t n = make_key(buf, sizeof(buf), "v", i);

        assert_int_equal(dict_delete(d, buf, n), 0);
        assert_int_equal(free_counts[i], 1);
    }
    for (int i = 500; i < 1000; i++) { /* unlink, then free */
        size_t n = make_key(buf, sizeof(buf), "v", i);

        de = dict_unlink(d, buf, n);
        assert_non_null(de);
        assert_null(dict_find(d, buf, n));
        assert_int_equal(free_counts[i], 0);
        dict_free_entry(d, de);
        assert_int_equal(free_counts[i], 1);
    }
    assert_null(dict_unlink(d, "v:000000", 8));

    /* Deletion of the current entry under a safe iterator. */
    dict_iter_init(&it, d);
    while ((de = dict_iter_next(&it)) != NULL) {
        int id = key_id(de, "v");

        if (id >= 1000 && id < 1500) {
            assert_int_equal(dict_delete(d, de->key, de->klen), 0);
        }
    }
    dict_iter_deinit(&it);

    dict_clear(d); /* 1500..2999 */
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(free_counts[i], 1);
    }

    memset(free_counts, 0, sizeof(free_counts));
    for (int i = 0; i < 3000; i++) {
        size_t n = make_key(buf, sizeof(buf), "v", i);

        dict_add(d, buf, n)->v.ptr = &free_counts[i];
    }
    dict_destroy(&d);
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(free_counts[i], 1);
    }
}

static void test_mem_usage(void **state)
{
    dict *d = dict_create(NULL);
    size_t empty = dict_mem_usage(d);
    size_t with_one;
    char big[1000] = {0};

    (void)state;
    assert_true(empty >= sizeof(dict));
    assert_non_null(dict_add(d, big, sizeof(big)));
    with_one = dict_mem_usage(d);
    assert_true(with_one >= empty + sizeof(big) + 4 * sizeof(void *));
    assert_int_equal(dict_delete(d, big, sizeof(big)), 0);
    assert_true(dict_mem_usage(d) < with_one - sizeof(big));
    dict_destroy(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_add_find_delete_many),
        cmocka_unit_test(test_incremental_rehash),
        cmocka_unit_test(test_shrink_after_mass_delete),
        cmocka_unit_test(test_rehash_step_bounded),
        cmocka_unit_test(test_resize_policy_avoid),
        cmocka_unit_test(test_scan_guarantee),
        cmocka_unit_test(test_scan_mid_rehash_and_empty),
        cmocka_unit_test(test_random_and_sample),
        cmocka_unit_test(test_safe_iterator_delete),
        cmocka_unit_test(test_val_free_once),
        cmocka_unit_test(test_mem_usage),
    };
    uint8_t seed[16];

    for (int i = 0; i < 16; i++) {
        seed[i] = (uint8_t)(0x5a ^ (i * 37));
    }
    dict_set_hash_seed(seed);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
