/* Unit tests for common/listpack.c: golden bytes (hand-derived from the
 * spec and captured from redis-server 7.0), every edit path against an
 * array model, and lp_validate() against truncated and corrupted blobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "listpack.h"
#include "mem.h"
#include "vectors_listpack.h"

#define NVEC (sizeof(lp_vectors) / sizeof(lp_vectors[0]))

/* ---- small helpers ---------------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t len;
} ent;

/* xorshift64*: deterministic, so a failure replays with the same seed. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

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

static size_t gv_len(const gv_bytes *b)
{
    size_t n = 0;

    for (size_t i = 0; i < b->nsegs; i++) {
        n += b->segs[i].repeat ? b->segs[i].repeat : b->segs[i].len;
    }
    return n;
}

/* Expand a run-length stored vector into a fresh malloc'd buffer. */
static unsigned char *gv_expand(const gv_bytes *b, size_t *len)
{
    size_t n = gv_len(b);
    unsigned char *out = malloc(n ? n : 1);
    size_t off = 0;

    for (size_t i = 0; i < b->nsegs; i++) {
        const gv_seg *s = &b->segs[i];
        if (s->repeat) {
            memset(out + off, (unsigned char)s->p[0], s->repeat);
            off += s->repeat;
        } else {
            memcpy(out + off, s->p, s->len);
            off += s->len;
        }
    }
    *len = n;
    return out;
}

static ent *vector_entries(const lp_vector *v, size_t *n)
{
    ent *e;

    if (v->gen_pairs) {
        *n = v->gen_pairs * 2;
        e = calloc(*n, sizeof(*e));
        for (size_t i = 0; i < *n; i++) {
            char buf[32];
            e[i].len = (size_t)snprintf(buf, sizeof(buf), "%zu", i / 2);
            e[i].p = malloc(e[i].len);
            memcpy(e[i].p, buf, e[i].len);
        }
        return e;
    }
    *n = v->nentries;
    e = calloc(*n ? *n : 1, sizeof(*e));
    for (size_t i = 0; i < *n; i++) {
        e[i].p = gv_expand(&v->entries[i], &e[i].len);
    }
    return e;
}

static void free_entries(ent *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].p);
    }
    free(e);
}

/* Fail with the first differing offset rather than a 4 MB hex dump. */
static void expect_bytes(const char *what, const unsigned char *got,
                         size_t got_len, const unsigned char *want,
                         size_t want_len)
{
    size_t i = 0;

    while (i < got_len && i < want_len && got[i] == want[i]) {
        i++;
    }
    if (i == got_len && i == want_len) {
        return;
    }
    fail_msg("%s: differs at byte %zu (got %zu bytes, want %zu): "
             "got 0x%02x want 0x%02x",
             what, i, got_len, want_len, i < got_len ? got[i] : 0,
             i < want_len ? want[i] : 0);
}

/* Compare a listpack with a vector's golden bytes (or length + FNV). */
static void expect_vector(const lp_vector *v, const char *how,
                          const unsigned char *lp)
{
    char what[128];
    size_t n = lp_bytes(lp);

    snprintf(what, sizeof(what), "%s via %s", v->name, how);
    if (v->blob.nsegs > 0) {
        size_t wlen;
        unsigned char *want = gv_expand(&v->blob, &wlen);
        expect_bytes(what, lp, n, want, wlen);
        free(want);
    }
    if (n != v->blob_len || fnv1a64(lp, n) != v->blob_fnv) {
        fail_msg("%s: length %zu / fnv mismatch (want %u)", what, n,
                 v->blob_len);
    }
}

static int entry_is_int(const ent *e, long long *v)
{
    int64_t x;

    if (lp_string_to_int64((const char *)e->p, e->len, &x) != 0) {
        return 0;
    }
    *v = x;
    return 1;
}

/* Check lp holds exactly e[0..n) forward and backward. */
static void expect_entries(unsigned char *lp, const ent *e, size_t n)
{
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *p;
    const unsigned char *s;
    uint32_t len;
    size_t i = 0;

    assert_int_equal(lp_length(lp), n);
    for (p = lp_first(lp); p != NULL; p = lp_next(lp, p), i++) {
        assert_true(i < n);
        s = lp_get(p, &len, buf);
        assert_int_equal(len, e[i].len);
        if (len > 0) {
            assert_memory_equal(s, e[i].p, len);
        }
    }
    assert_int_equal(i, n);
    for (p = lp_last(lp); p != NULL; p = lp_prev(lp, p)) {
        assert_true(i > 0);
        i--;
        s = lp_get(p, &len, buf);
        assert_int_equal(len, e[i].len);
        if (len > 0) {
            assert_memory_equal(s, e[i].p, len);
        }
    }
    assert_int_equal(i, 0);
}

/* Sized up front (an entry costs at most 10 bytes over its data), which
 * also spares the sanitizer build thousands of large reallocs. */
static unsigned char *build_append(const ent *e, size_t n)
{
    size_t cap = LP_HDR_SIZE + 1;
    unsigned char *lp;

    for (size_t i = 0; i < n; i++) {
        cap += e[i].len + 10;
    }
    lp = lp_new(cap);

    for (size_t i = 0; i < n; i++) {
        lp = lp_append(lp, e[i].p, (uint32_t)e[i].len);
    }
    return lp;
}

/* ---- hand-derived bytes, straight from the format description --------- */

/* One entry's expected bytes (encoding + data + backlen). */
typedef struct {
    const char *ele;
    size_t len;
    const char *bytes;
    size_t blen;
} hand_case;

static void test_hand_encodings(void **state)
{
    static const hand_case cases[] = {
        {"hello", 5, "\x85hello\x06", 7},
        {"", 0, "\x80\x01", 2},
        {"0", 1, "\x00\x01", 2},
        {"1", 1, "\x01\x01", 2},
        {"127", 3, "\x7f\x01", 2},
        /* 13 bit: 110xxxxx yyyyyyyy, two's complement. */
        {"128", 3, "\xc0\x80\x02", 3},
        {"-1", 2, "\xdf\xff\x02", 3},
        {"4095", 4, "\xcf\xff\x02", 3},
        {"-4096", 5, "\xd0\x00\x02", 3},
        /* 16/24/32/64 bit: 0xF1..0xF4 then little endian. */
        {"4096", 4, "\xf1\x00\x10\x03", 4},
        {"-4097", 5, "\xf1\xff\xef\x03", 4},
        {"32767", 5, "\xf1\xff\x7f\x03", 4},
        {"65535", 5, "\xf2\xff\xff\x00\x04", 5},
        {"-32769", 6, "\xf2\xff\x7f\xff\x04", 5},
        {"8388608", 7, "\xf3\x00\x00\x80\x00\x05", 6},
        {"2147483647", 10, "\xf3\xff\xff\xff\x7f\x05", 6},
        {"2147483648", 10, "\xf4\x00\x00\x00\x80\x00\x00\x00\x00\x09", 10},
        {"-9223372036854775808", 20, "\xf4\x00\x00\x00\x00\x00\x00\x00\x80\x09",
         10},
        {"9223372036854775807", 19, "\xf4\xff\xff\xff\xff\xff\xff\xff\x7f\x09",
         10},
        /* Not canonical integers: strings. */
        {"01", 2, "\20201\003", 4},
        {"-0", 2, "\x82-0\x03", 4},
        {"+1", 2, "\x82+1\x03", 4},
        {"9223372036854775808", 19, "\2239223372036854775808\024", 21},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *lp = lp_new(0);
        unsigned char want[64];
        size_t wlen = LP_HDR_SIZE + cases[i].blen + 1;

        lp = lp_append(lp, cases[i].ele, (uint32_t)cases[i].len);
        want[0] = (unsigned char)wlen;
        memcpy(want + 1, "\0\0\0\1\0", 5);
        memcpy(want + LP_HDR_SIZE, cases[i].bytes, cases[i].blen);
        want[wlen - 1] = 0xFF;
        expect_bytes(cases[i].ele, lp, lp_bytes(lp), want, wlen);
        assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
        lp_free(lp);
    }
}

/* Strings of each length class and the backlen size steps: the entry
 * size (encoding + data) is what the backlen stores. */
static void test_hand_strings_and_backlen(void **state)
{
    static const struct {
        size_t len; /* string length */
        size_t hdr; /* encoding bytes */
        size_t bl;  /* backlen bytes */
        unsigned char blb[3];
    } cases[] = {
        {63, 1, 1, {64}},                  /* 6 bit string, entry 64 */
        {64, 2, 1, {66}},                  /* 12 bit string */
        {125, 2, 1, {127}},                /* entry 127: last 1-byte backlen */
        {126, 2, 2, {0x01, 0x80}},         /* entry 128 = 1<<7 | 0 */
        {4095, 2, 2, {0x20, 0x81}},        /* entry 4097 */
        {4096, 5, 2, {0x20, 0x85}},        /* 32 bit string, entry 4101 */
        {16377, 5, 2, {0x7f, 0xfe}},       /* entry 16382 */
        {16378, 5, 3, {0x00, 0xff, 0xff}}, /* entry 16383: 3 bytes */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = cases[i].len;
        char *s = malloc(n);
        unsigned char *lp = lp_new(0);
        unsigned char *p;
        size_t entry = cases[i].hdr + n;

        memset(s, 'q', n);
        lp = lp_append(lp, s, (uint32_t)n);
        assert_int_equal(lp_bytes(lp), LP_HDR_SIZE + entry + cases[i].bl + 1);
        p = lp_first(lp);
        if (n < 64) {
            assert_int_equal(p[0], 0x80 | n);
        } else if (n < 4096) {
            assert_int_equal(p[0], 0xE0 | (n >> 8));
            assert_int_equal(p[1], n & 0xFF);
        } else {
            assert_int_equal(p[0], 0xF0);
            assert_int_equal(p[1] | p[2] << 8 | p[3] << 16 | p[4] << 24, n);
        }
        assert_memory_equal(p + entry, cases[i].blb, cases[i].bl);
        assert_ptr_equal(lp_last(lp), p);
        assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
        lp_free(lp);
        free(s);
    }
}

static void test_string_to_int64(void **state)
{
    static const struct {
        const char *s;
        int ok;
        long long v;
    } cases[] = {
        {"0", 1, 0},
        {"-1", 1, -1},
        {"9223372036854775807", 1, INT64_MAX},
        {"-9223372036854775808", 1, INT64_MIN},
        {"9223372036854775808", 0, 0},
        {"-9223372036854775809", 0, 0},
        {"18446744073709551616", 0, 0},
        {"99999999999999999999", 0, 0},
        {"", 0, 0},
        {"-", 0, 0},
        {"-0", 0, 0},
        {"00", 0, 0},
        {"01", 0, 0},
        {"+1", 0, 0},
        {" 1", 0, 0},
        {"1 ", 0, 0},
        {"1a", 0, 0},
        {"--1", 0, 0},
        {"1.0", 0, 0},
        {"123", 1, 123},
        {"-4096", 1, -4096},
    };
    int64_t v;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = lp_string_to_int64(cases[i].s, strlen(cases[i].s), &v);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        if (cases[i].ok) {
            assert_true(v == cases[i].v);
        }
    }
    assert_int_equal(lp_string_to_int64("12\0", 3, &v), -1);
    assert_int_equal(lp_string_to_int64("5", 1, NULL), 0);
}

/* ---- golden vectors captured from redis-server 7.0 -------------------- */

static void test_golden_vectors(void **state)
{
    (void)state;
    for (size_t vi = 0; vi < NVEC; vi++) {
        const lp_vector *v = &lp_vectors[vi];
        size_t n;
        ent *e = vector_entries(v, &n);
        unsigned char *lp;
        long long iv;
        int big = n > 1000;

        /* 1. Append in order, as HSET / RPUSH do. */
        lp = build_append(e, n);
        expect_vector(v, "append", lp);
        assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
        expect_entries(lp, e, n);
        lp_free(lp);
        if (big) {
            free_entries(e, n);
            continue;
        }

        /* 2. Prepend in reverse. */
        lp = lp_new(0);
        for (size_t i = n; i-- > 0;) {
            lp = lp_prepend(lp, e[i].p, (uint32_t)e[i].len);
        }
        expect_vector(v, "prepend", lp);
        lp_free(lp);

        /* 3. Integers through the _int calls. */
        lp = lp_new(0);
        for (size_t i = 0; i < n; i++) {
            if (entry_is_int(&e[i], &iv)) {
                lp = lp_append_int(lp, iv);
            } else {
                lp = lp_append(lp, e[i].p, (uint32_t)e[i].len);
            }
        }
        expect_vector(v, "append_int", lp);
        lp_free(lp);

        /* 4. Insert in a random order, each next to its nearest already
         * inserted left neighbour (or before the first one). */
        {
            char *in = calloc(n ? n : 1, 1);
            size_t *order = malloc((n ? n : 1) * sizeof(size_t));
            for (size_t i = 0; i < n; i++) {
                order[i] = i;
            }
            for (size_t i = n; i > 1; i--) {
                size_t j = rnd() % i, t = order[i - 1];
                order[i - 1] = order[j];
                order[j] = t;
            }
            lp = lp_new(0);
            for (size_t k = 0; k < n; k++) {
                size_t i = order[k];
                long left = -1, idx = 0;
                unsigned char *newp = NULL;
                for (size_t j = 0; j < i; j++) {
                    if (in[j]) {
                        left = idx++;
                    }
                }
                if (lp_first(lp) == NULL) {
                    lp = lp_append(lp, e[i].p, (uint32_t)e[i].len);
                } else if (left < 0) {
                    lp = lp_insert(lp, e[i].p, (uint32_t)e[i].len, lp_first(lp),
                                   LP_BEFORE, &newp);
                    assert_ptr_equal(newp, lp_first(lp));
                } else {
                    lp = lp_insert(lp, e[i].p, (uint32_t)e[i].len,
                                   lp_seek(lp, left), LP_AFTER, &newp);
                    assert_ptr_equal(newp, lp_seek(lp, left + 1));
                }
                in[i] = 1;
            }
            expect_vector(v, "random insert", lp);
            lp_free(lp);
            free(in);
            free(order);
        }

        /* 5. Placeholders of other sizes, then replace each; junk entries
         * in between, then delete them. */
        lp = lp_new(0);
        for (size_t i = 0; i < n; i++) {
            lp = lp_append_int(lp, (long long)(rnd() % 100000) - 50000);
            lp = lp_append(lp, "junk-entry-to-delete", 20);
        }
        {
            unsigned char *p = lp_first(lp);
            for (size_t i = 0; i < n; i++) {
                unsigned char *np;
                lp = lp_replace(lp, p, e[i].p, (uint32_t)e[i].len, &np);
                p = lp_next(lp, np);
                assert_non_null(p);
                lp = lp_delete(lp, p, &p);
            }
            assert_null(p);
        }
        expect_vector(v, "replace+delete", lp);
        lp_free(lp);

        /* 6. The golden blob itself decodes to the entries. */
        if (v->blob.nsegs > 0) {
            size_t blen;
            unsigned char *raw = gv_expand(&v->blob, &blen);
            unsigned char *blob = mem_alloc(blen);
            memcpy(blob, raw, blen);
            free(raw);
            assert_int_equal(lp_validate(blob, blen, 1), 0);
            assert_int_equal(lp_validate(blob, blen, 0), 0);
            expect_entries(blob, e, n);
            lp_free(blob);
        }
        free_entries(e, n);
    }
}

/* The count header saturates at 65535 ("unknown") exactly as in Redis. */
static void test_count_unknown(void **state)
{
    unsigned char *lp = lp_new(65536 * 5 + 64);

    (void)state;
    for (int i = 0; i < 65534; i++) {
        lp = lp_append_int(lp, i);
    }
    assert_int_equal(lp[4] | lp[5] << 8, 65534);
    lp = lp_append_int(lp, 7);
    assert_int_equal(lp[4] | lp[5] << 8, 65535);
    assert_int_equal(lp_length(lp), 65535);
    assert_int_equal(lp[4] | lp[5] << 8, 65535); /* not representable */
    lp = lp_append(lp, "x", 1);
    assert_int_equal(lp_length(lp), 65536);
    lp = lp_delete(lp, lp_first(lp), NULL);
    lp = lp_delete(lp, lp_first(lp), NULL);
    assert_int_equal(lp[4] | lp[5] << 8, 65535); /* still unknown */
    assert_int_equal(lp_length(lp), 65534);      /* recount... */
    assert_int_equal(lp[4] | lp[5] << 8, 65534); /* ...and store */
    assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
    assert_non_null(lp_seek(lp, -1));
    assert_int_equal(lp_seek(lp, 65533)[0], 0x80 | 1); /* "x" */
    assert_null(lp_seek(lp, 65534));

    /* Unknown count: seek walks, delete_range keeps "unknown". */
    lp = lp_append_int(lp, 1);
    lp = lp_append_int(lp, 2);
    assert_int_equal(lp[4] | lp[5] << 8, 65535);
    assert_null(lp_seek(lp, 70000));
    assert_null(lp_seek(lp, -70000));
    assert_non_null(lp_seek(lp, -65536));
    lp = lp_delete_range(lp, 10, 100);
    assert_int_equal(lp[4] | lp[5] << 8, 65535);
    assert_int_equal(lp_length(lp), 65436);
    assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
    lp_free(lp);
}

/* ---- individual operations -------------------------------------------- */

static void test_seek_and_iterate(void **state)
{
    unsigned char *lp = lp_new(64);
    lp_val v;

    (void)state;
    assert_null(lp_first(lp));
    assert_null(lp_last(lp));
    assert_null(lp_seek(lp, 0));
    assert_null(lp_seek(lp, -1));
    assert_int_equal(lp_length(lp), 0);
    assert_int_equal(lp_bytes(lp), 7);
    for (int i = 0; i < 9; i++) {
        lp = lp_append_int(lp, i * 1000);
    }
    for (long i = -12; i < 12; i++) {
        unsigned char *p = lp_seek(lp, i);
        if (i < -9 || i >= 9) {
            assert_null(p);
            continue;
        }
        assert_non_null(p);
        lp_get_val(p, &v);
        assert_null(v.s);
        assert_int_equal(v.v, (i < 0 ? i + 9 : i) * 1000);
    }
    assert_null(lp_next(lp, lp_last(lp)));
    assert_null(lp_prev(lp, lp_first(lp)));
    lp = lp_shrink_to_fit(lp);
    assert_int_equal(lp_bytes(lp), lp_bytes(lp));
    lp_free(lp);
}

static void test_get_variants(void **state)
{
    unsigned char *lp = lp_new(0);
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    long long ll;
    lp_val v;

    (void)state;
    lp = lp_append(lp, "-9223372036854775808", 20);
    lp = lp_append(lp, "abc", 3);
    lp = lp_append(lp, "007", 3);
    lp = lp_append_int(lp, 4095);
    s = lp_get(lp_seek(lp, 0), &len, buf);
    assert_ptr_equal(s, buf);
    assert_int_equal(len, 20);
    assert_memory_equal(s, "-9223372036854775808", 20);
    lp_get_val(lp_seek(lp, 1), &v);
    assert_non_null(v.s);
    assert_int_equal(v.slen, 3);
    assert_memory_equal(v.s, "abc", 3);
    assert_int_equal(lp_get_ll(lp_seek(lp, 0), &ll), 0);
    assert_true(ll == INT64_MIN);
    assert_int_equal(lp_get_ll(lp_seek(lp, 1), &ll), -1);
    assert_int_equal(lp_get_ll(lp_seek(lp, 2), &ll), -1); /* "007" */
    assert_int_equal(lp_get_ll(lp_seek(lp, 3), &ll), 0);
    assert_int_equal(ll, 4095);
    lp_free(lp);

    /* A string entry that holds a canonical integer (Redis never writes
     * one, but a blob may) still reads as an integer through lp_get_ll. */
    {
        static const unsigned char raw[] = {11,   0,   0,   0, 1,   0,
                                            0x82, '4', '2', 3, 0xFF};
        unsigned char *b = mem_alloc(sizeof(raw));
        memcpy(b, raw, sizeof(raw));
        assert_int_equal(lp_validate(b, sizeof(raw), 1), 0);
        assert_int_equal(lp_get_ll(lp_first(b), &ll), 0);
        assert_int_equal(ll, 42);
        /* ...and lp_find matches it as bytes. */
        assert_ptr_equal(lp_find(b, lp_first(b), "42", 2, 0), lp_first(b));
        lp_free(b);
    }
}

static void test_find(void **state)
{
    unsigned char *lp = lp_new(0);
    static const char *kv[] = {"name", "bob", "123", "x",     "age", "123",
                               "-5",   "abc", "",    "empty", "007", "z"};

    (void)state;
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        lp = lp_append(lp, kv[i], (uint32_t)strlen(kv[i]));
    }
    /* skip=1 looks at fields only. */
    assert_ptr_equal(lp_find(lp, lp_first(lp), "123", 3, 1), lp_seek(lp, 2));
    assert_ptr_equal(lp_find(lp, lp_first(lp), "age", 3, 1), lp_seek(lp, 4));
    assert_null(lp_find(lp, lp_first(lp), "bob", 3, 1));
    assert_ptr_equal(lp_find(lp, lp_seek(lp, 1), "123", 3, 1),
                     lp_seek(lp, 5)); /* values */
    assert_ptr_equal(lp_find(lp, lp_first(lp), "-5", 2, 1), lp_seek(lp, 6));
    assert_ptr_equal(lp_find(lp, lp_first(lp), "", 0, 1), lp_seek(lp, 8));
    assert_ptr_equal(lp_find(lp, lp_first(lp), "007", 3, 1), lp_seek(lp, 10));
    /* Non-canonical spellings never equal an integer entry. */
    assert_null(lp_find(lp, lp_first(lp), "0123", 4, 0));
    assert_null(lp_find(lp, lp_first(lp), "123 ", 4, 0));
    assert_null(lp_find(lp, lp_first(lp), "+123", 4, 0));
    assert_null(lp_find(lp, lp_first(lp), "7", 1, 0));
    assert_null(lp_find(lp, lp_first(lp), "-05", 3, 0));
    assert_ptr_equal(lp_find(lp, lp_first(lp), "bob", 3, 0), lp_seek(lp, 1));
    assert_ptr_equal(lp_find(lp, lp_seek(lp, 2), "z", 1, 2), lp_seek(lp, 11));
    assert_null(lp_find(lp, lp_first(lp), "z", 1, 2)); /* 0,3,6,9 */
    lp_free(lp);
}

static void test_delete_range(void **state)
{
    (void)state;
    static const struct {
        long index;
        unsigned long count;
        int left; /* entries left */
        int first;
    } cases[] = {
        {0, 0, 10, 0},    {10, 1, 10, 0},  {-11, 1, 10, 0}, {0, 1, 9, 1},
        {-1, 1, 9, 0},    {-3, 100, 7, 0}, {3, 4, 6, 0},    {0, 10, 0, -1},
        {0, ~0UL, 0, -1}, {5, ~0UL, 5, 0}, {-10, 3, 7, 3},  {9, 1, 9, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *lp = lp_new(0);
        long long model[10];
        int n = 0;
        long idx = cases[i].index;

        for (int k = 0; k < 10; k++) {
            lp = lp_append_int(lp, k);
        }
        lp = lp_delete_range(lp, cases[i].index, cases[i].count);
        assert_int_equal(lp_length(lp), cases[i].left);
        assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
        /* Rebuild what should be left and compare bytes. */
        if (idx < 0) {
            idx += 10;
        }
        for (long k = 0; k < 10; k++) {
            if (cases[i].count == 0 || idx < 0 || idx >= 10 || k < idx ||
                (unsigned long)(k - idx) >= cases[i].count) {
                model[n++] = k;
            }
        }
        assert_int_equal(n, cases[i].left);
        {
            unsigned char *want = lp_new(0);
            for (int k = 0; k < n; k++) {
                want = lp_append_int(want, model[k]);
            }
            expect_bytes("delete_range", lp, lp_bytes(lp), want,
                         lp_bytes(want));
            lp_free(want);
        }
        lp_free(lp);
    }
}

static void test_merge(void **state)
{
    unsigned char *a = lp_new(0);
    unsigned char *b = lp_new(0);
    unsigned char *want = lp_new(0);
    unsigned char *m;

    (void)state;
    assert_null(lp_merge(&a, &a));
    assert_null(lp_merge(NULL, &a));
    for (int i = 0; i < 3; i++) {
        a = lp_append_int(a, i);
        want = lp_append_int(want, i);
    }
    for (int i = 3; i < 8; i++) {
        b = lp_append(b, "yy", 2);
        want = lp_append(want, "yy", 2);
    }
    /* b is longer: it survives and a's entries are put in front. */
    m = lp_merge(&a, &b);
    assert_null(a);
    assert_ptr_equal(m, b);
    expect_bytes("merge prepend", m, lp_bytes(m), want, lp_bytes(want));
    a = lp_new(0);
    a = lp_append(a, "tail", 4);
    want = lp_append(want, "tail", 4);
    m = lp_merge(&b, &a);
    assert_null(a);
    assert_ptr_equal(m, b);
    expect_bytes("merge append", m, lp_bytes(m), want, lp_bytes(want));
    lp_free(m);
    lp_free(want);
}

/* Replacing with bytes that live inside the same listpack is safe. */
static void test_self_alias(void **state)
{
    unsigned char *lp = lp_new(0);
    char big[300];
    lp_val v;

    (void)state;
    memset(big, 'b', sizeof(big));
    lp = lp_append(lp, "short", 5);
    lp = lp_append(lp, big, sizeof(big));
    lp_get_val(lp_seek(lp, 1), &v);
    /* Grows entry 0 while reading from entry 1, which moves. */
    lp = lp_replace(lp, lp_first(lp), v.s, v.slen, NULL);
    lp_get_val(lp_first(lp), &v);
    assert_int_equal(v.slen, sizeof(big));
    assert_memory_equal(v.s, big, sizeof(big));
    lp_get_val(lp_seek(lp, 1), &v);
    lp = lp_insert(lp, v.s, v.slen, lp_first(lp), LP_BEFORE, NULL);
    assert_int_equal(lp_length(lp), 3);
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        lp_get_val(p, &v);
        assert_int_equal(v.slen, sizeof(big));
        assert_memory_equal(v.s, big, sizeof(big));
    }
    lp_free(lp);
}

static void test_safe_to_add_and_dup(void **state)
{
    unsigned char *lp = lp_new(0);
    unsigned char *d;

    (void)state;
    lp = lp_append(lp, "abc", 3);
    assert_true(lp_safe_to_add(lp, 100));
    assert_false(lp_safe_to_add(lp, LP_MAX_SAFETY_SIZE));
    assert_true(lp_safe_to_add(NULL, LP_MAX_SAFETY_SIZE));
    d = lp_dup(lp);
    assert_memory_equal(d, lp, lp_bytes(lp));
    lp_free(d);
    lp_free(lp);
}

/* ---- random operations against an array model ------------------------ */

#define MODEL_MAX 600

typedef struct {
    ent e[MODEL_MAX + 8];
    size_t n;
} model;

/* A random element: integers of every width, near-integers, binary
 * strings of every length class. */
static size_t gen_value(unsigned char *buf)
{
    uint64_t r = rnd();
    size_t len;

    switch (r % 10) {
    case 0:
    case 1:
    case 2:
    case 3: {
        int bits = (int)(rnd() % 64);
        long long v = (long long)(rnd() >> (63 - bits) >> 1);
        if (rnd() & 1) {
            v = -v - (long long)(rnd() & 1);
        }
        return (size_t)sprintf((char *)buf, "%lld", v);
    }
    case 4: {
        static const char *odd[] = {"-0",
                                    "00",
                                    "01",
                                    "+1",
                                    " 1",
                                    "1 ",
                                    "-",
                                    "1.5",
                                    "0x1",
                                    "9223372036854775808",
                                    "-9223372036854775809",
                                    ""};
        const char *s = odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
        len = strlen(s);
        memcpy(buf, s, len);
        return len;
    }
    case 5:
    case 6:
    case 7: len = rnd() % 70; break;
    case 8: len = 60 + rnd() % 250; break;
    default: len = rnd() % 20 == 0 ? 4000 + rnd() % 1000 : rnd() % 130; break;
    }
    for (size_t i = 0; i < len; i++) {
        buf[i] = (unsigned char)(rnd() % 4 == 0 ? rnd() : 'a' + rnd() % 3);
    }
    return len;
}

static void model_insert(model *m, size_t pos, const unsigned char *s,
                         size_t len)
{
    memmove(&m->e[pos + 1], &m->e[pos], (m->n - pos) * sizeof(ent));
    m->e[pos].p = malloc(len ? len : 1);
    memcpy(m->e[pos].p, s, len);
    m->e[pos].len = len;
    m->n++;
}

static void model_delete(model *m, size_t pos)
{
    free(m->e[pos].p);
    memmove(&m->e[pos], &m->e[pos + 1], (m->n - pos - 1) * sizeof(ent));
    m->n--;
}

static void expect_entry(const unsigned char *p, const ent *e)
{
    unsigned char buf[LP_INTBUF_SIZE];
    uint32_t len;
    const unsigned char *s;

    assert_non_null(p);
    s = lp_get(p, &len, buf);
    assert_int_equal(len, e->len);
    if (len > 0) {
        assert_memory_equal(s, e->p, len);
    }
}

/* A random index for position pos, sometimes in its negative form. */
static long seek_index(size_t pos, size_t n)
{
    return (rnd() & 1) ? (long)pos : (long)pos - (long)n;
}

static void test_random_ops(void **state)
{
    static unsigned char val[6000];
    model *m = calloc(1, sizeof(*m));
    unsigned char *lp = lp_new(0);

    (void)state;
    rng_state = 0x1234567887654321ULL;
    for (int iter = 0; iter < 100000; iter++) {
        size_t len = gen_value(val);
        unsigned op = (unsigned)(rnd() % 100);
        size_t n = m->n;
        size_t pos = n ? rnd() % n : 0;
        unsigned char *p = n ? lp_seek(lp, seek_index(pos, n)) : NULL;
        unsigned char *np = NULL;
        long long iv;

        if (n >= MODEL_MAX && op < 50) {
            op += 50; /* keep it bounded: turn inserts into deletes */
        }
        if (n == 0 && op >= 50) {
            op = 30;
        }
        if (op < 25) {
            if (n == 0) {
                lp = lp_append(lp, val, (uint32_t)len);
                model_insert(m, 0, val, len);
                continue;
            }
            int where = (rnd() & 1) ? LP_AFTER : LP_BEFORE;
            lp = lp_insert(lp, val, (uint32_t)len, p, where, &np);
            pos += where == LP_AFTER;
            model_insert(m, pos, val, len);
            expect_entry(np, &m->e[pos]);
        } else if (op < 35) {
            int as_int =
                (rnd() & 1) && lp_string_to_int64((char *)val, len, NULL) == 0;
            if (as_int) {
                int64_t x;
                lp_string_to_int64((char *)val, len, &x);
                lp = lp_append_int(lp, x);
            } else {
                lp = lp_append(lp, val, (uint32_t)len);
            }
            model_insert(m, n, val, len);
        } else if (op < 45) {
            lp = lp_prepend(lp, val, (uint32_t)len);
            model_insert(m, 0, val, len);
        } else if (op < 50) {
            int64_t x;
            if (lp_string_to_int64((char *)val, len, &x) != 0) {
                x = (int64_t)rnd();
                len = (size_t)sprintf((char *)val, "%lld", (long long)x);
            }
            if (n > 0 && (rnd() & 1)) {
                lp = lp_replace_int(lp, p, x, &np);
                model_delete(m, pos);
                model_insert(m, pos, val, len);
            } else if (n > 0) {
                lp = lp_insert_int(lp, x, p, LP_BEFORE, &np);
                model_insert(m, pos, val, len);
            } else {
                lp = lp_prepend_int(lp, x);
                model_insert(m, 0, val, len);
                np = lp_first(lp);
            }
            expect_entry(np, &m->e[pos < m->n ? pos : 0]);
        } else if (op < 70) {
            lp = lp_delete(lp, p, &np);
            model_delete(m, pos);
            if (pos < m->n) {
                expect_entry(np, &m->e[pos]);
            } else {
                assert_null(np);
            }
        } else if (op < 88) {
            lp = lp_replace(lp, p, val, (uint32_t)len, &np);
            model_delete(m, pos);
            model_insert(m, pos, val, len);
            expect_entry(np, &m->e[pos]);
        } else if (op < 92) {
            long idx = (long)(rnd() % (n + 4)) - (long)(rnd() % (n + 4));
            unsigned long cnt = rnd() % 8 == 0 ? ~0UL : rnd() % 6;
            long at = idx < 0 ? idx + (long)n : idx;
            lp = lp_delete_range(lp, idx, cnt);
            if (at >= 0 && at < (long)n) {
                for (unsigned long k = 0; k < cnt && (size_t)at < m->n; k++) {
                    model_delete(m, (size_t)at);
                }
            }
        } else {
            /* Find an existing value (or a fresh one) from a random start. */
            size_t from = pos;
            const ent *want = n && (rnd() & 1) ? &m->e[rnd() % n] : NULL;
            const unsigned char *s = want ? want->p : val;
            size_t slen = want ? want->len : len;
            size_t k;
            unsigned skip = (unsigned)(rnd() % 3);
            unsigned char *got;
            if (n == 0) {
                continue;
            }
            got = lp_find(lp, p, s, (uint32_t)slen, skip);
            for (k = from; k < n; k += skip + 1) {
                if (m->e[k].len == slen &&
                    (slen == 0 || memcmp(m->e[k].p, s, slen) == 0)) {
                    break;
                }
            }
            if (k < n) {
                assert_ptr_equal(got, lp_seek(lp, (long)k));
            } else {
                assert_null(got);
            }
        }
        (void)iv;
        /* Full check: both directions, count, and every 64 ops, bytes
         * identical to a fresh build and a clean deep validation. */
        expect_entries(lp, m->e, m->n);
        if (iter % 64 == 0) {
            unsigned char *fresh = build_append(m->e, m->n);
            expect_bytes("random ops vs fresh build", lp, lp_bytes(lp), fresh,
                         lp_bytes(fresh));
            lp_free(fresh);
            assert_int_equal(lp_validate(lp, lp_bytes(lp), 1), 0);
        }
    }
    while (m->n > 0) {
        model_delete(m, m->n - 1);
    }
    free(m);
    lp_free(lp);
}

/* ---- lp_validate against hostile input -------------------------------- */

/* A deep-valid blob must be safe to use in every way. */
static void exercise(unsigned char *lp)
{
    unsigned char buf[LP_INTBUF_SIZE];
    uint32_t len;
    size_t fwd = 0, back = 0;
    unsigned char *p;

    for (p = lp_first(lp); p; p = lp_next(lp, p)) {
        lp_get(p, &len, buf);
        fwd++;
    }
    for (p = lp_last(lp); p; p = lp_prev(lp, p)) {
        back++;
    }
    assert_int_equal(fwd, back);
    assert_int_equal(lp_length(lp), fwd);
    if (fwd > 0) {
        lp_find(lp, lp_first(lp), "12", 2, 1);
        lp_seek(lp, -1);
        lp_seek(lp, (long)(fwd / 2));
    }
}

static unsigned char *copy_exact(const unsigned char *src, size_t n)
{
    unsigned char *b = mem_alloc(n);

    memcpy(b, src, n);
    return b;
}

static void test_validate_basic(void **state)
{
    unsigned char *lp = lp_new(0);
    unsigned char *b;
    size_t n;

    (void)state;
    assert_int_equal(lp_validate(lp, 7, 1), 0);
    assert_int_equal(lp_validate(lp, 6, 1), -1);
    assert_int_equal(lp_validate(NULL, 7, 1), -1);
    lp = lp_append(lp, "hello", 5);
    lp = lp_append_int(lp, 1000);
    n = lp_bytes(lp);
    assert_int_equal(lp_validate(lp, n, 1), 0);
    assert_int_equal(lp_validate(lp, n - 1, 1), -1); /* size != header */
    assert_int_equal(lp_validate(lp, n + 0, 0), 0);

    /* Wrong count in the header: deep catches it, 65535 is accepted. */
    b = copy_exact(lp, n);
    b[4] = 3;
    assert_int_equal(lp_validate(b, n, 1), -1);
    assert_int_equal(lp_validate(b, n, 0), 0);
    b[4] = 0xFF;
    b[5] = 0xFF;
    assert_int_equal(lp_validate(b, n, 1), 0);
    lp_free(b);

    /* Missing terminator. */
    b = copy_exact(lp, n);
    b[n - 1] = 0xFE;
    assert_int_equal(lp_validate(b, n, 0), -1);
    lp_free(b);

    /* Backlen that disagrees with the entry. */
    b = copy_exact(lp, n);
    b[6 + 6] = 7;
    assert_int_equal(lp_validate(b, n, 1), -1);
    assert_int_equal(lp_validate(b, n, 0), -1);
    lp_free(b);

    /* Unused encodings 0xF5..0xFE, and a terminator mid-blob. */
    for (int enc = 0xF5; enc <= 0xFF; enc++) {
        b = copy_exact(lp, n);
        b[6 + 7] = (unsigned char)enc; /* first byte of the second entry */
        assert_int_equal(lp_validate(b, n, 1), -1);
        lp_free(b);
    }

    /* A 32 bit string length pointing far past the end. */
    {
        static const unsigned char raw[] = {
            13, 0, 0, 0, 1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0x05, 0xFF};
        b = copy_exact(raw, sizeof(raw));
        assert_int_equal(lp_validate(b, sizeof(raw), 1), -1);
        assert_int_equal(lp_validate(b, sizeof(raw), 0), -1);
        lp_free(b);
    }
    /* A 12 bit string whose length byte is the terminator slot. */
    {
        static const unsigned char raw[] = {8, 0, 0, 0, 1, 0, 0xE0, 0xFF};
        b = copy_exact(raw, sizeof(raw));
        assert_int_equal(lp_validate(b, sizeof(raw), 1), -1);
        lp_free(b);
    }
    /* A backlen with a stray continuation bit (0x82 for 2) is refused. */
    {
        static const unsigned char raw[] = {10, 0,    0,   0,    1,
                                            0,  0x81, 'a', 0x82, 0xFF};
        b = copy_exact(raw, sizeof(raw));
        assert_int_equal(lp_validate(b, sizeof(raw), 1), -1);
        lp_free(b);
    }
    lp_free(lp);
}

static void test_validate_fuzz(void **state)
{
    enum { NSRC = 40 };
    unsigned char *src[NSRC];
    static unsigned char val[6000];
    int nsrc = 0, accepted = 0;

    (void)state;
    rng_state = 0xC0FFEE1234ULL;
    /* Sources: small golden blobs plus random listpacks. */
    for (size_t vi = 0; vi < NVEC && nsrc < NSRC; vi++) {
        if (lp_vectors[vi].blob.nsegs > 0 && lp_vectors[vi].blob_len < 40000) {
            size_t n;
            unsigned char *raw = gv_expand(&lp_vectors[vi].blob, &n);
            src[nsrc++] = copy_exact(raw, n);
            free(raw);
        }
    }
    while (nsrc < NSRC) {
        unsigned char *lp = lp_new(0);
        int k = (int)(rnd() % 20);
        for (int i = 0; i < k; i++) {
            size_t len = gen_value(val);
            if (len > 300) {
                len = 300;
            }
            lp = lp_append(lp, val, (uint32_t)len);
        }
        src[nsrc++] = lp;
    }
    for (int iter = 0; iter < 200000; iter++) {
        const unsigned char *s = src[rnd() % NSRC];
        size_t n = lp_bytes(s);
        size_t size = n;
        unsigned char *b;
        int kind = (int)(rnd() % 4);

        if (kind == 1) {
            size = rnd() % n; /* truncate */
        } else if (kind == 2) {
            size = n + 1 + rnd() % 4; /* extend with garbage */
        }
        b = mem_alloc(size ? size : 1);
        memcpy(b, s, size < n ? size : n);
        for (size_t i = n; i < size; i++) {
            b[i] = (unsigned char)rnd();
        }
        if (kind == 1 || kind == 2) {
            /* Make the header and terminator agree, so the entries
             * themselves are what validation has to judge. */
            if (size >= 4) {
                b[0] = (unsigned char)size;
                b[1] = (unsigned char)(size >> 8);
                b[2] = (unsigned char)(size >> 16);
                b[3] = (unsigned char)(size >> 24);
            }
            if (size > 0 && (rnd() & 1)) {
                b[size - 1] = 0xFF;
            }
        }
        if (kind == 0 || kind == 3 || (rnd() & 1)) {
            int flips = 1 + (int)(rnd() % 4);
            for (int f = 0; f < flips && size > 0; f++) {
                size_t at = rnd() % size;
                if (kind == 3) {
                    b[at] ^= (unsigned char)(1u << (rnd() % 8));
                } else {
                    b[at] = (unsigned char)rnd();
                }
            }
        }
        lp_validate(b, size, 0);
        if (lp_validate(b, size, 1) == 0) {
            accepted++;
            exercise(b);
            /* And it stays valid through edits. */
            b = lp_append(b, "fuzz", 4);
            b = lp_prepend_int(b, 123456);
            b = lp_delete(b, lp_first(b), NULL);
            assert_int_equal(lp_validate(b, lp_bytes(b), 1), 0);
        }
        mem_free(b);
    }
    /* Some mutations (e.g. flips inside string data) keep it valid. */
    assert_true(accepted > 1000);
    for (int i = 0; i < nsrc; i++) {
        lp_free(src[i]);
    }
}

/* Every truncation of every golden blob, header patched or not. */
static void test_validate_truncations(void **state)
{
    (void)state;
    for (size_t vi = 0; vi < NVEC; vi++) {
        size_t n;
        unsigned char *raw;

        if (lp_vectors[vi].blob.nsegs == 0 || lp_vectors[vi].blob_len > 40000) {
            continue;
        }
        raw = gv_expand(&lp_vectors[vi].blob, &n);
        for (size_t size = 0; size < n; size++) {
            unsigned char *b = copy_exact(raw, size ? size : 1);
            assert_int_equal(lp_validate(b, size, 1), -1);
            if (size >= 7) {
                b[0] = (unsigned char)size;
                b[1] = (unsigned char)(size >> 8);
                b[2] = (unsigned char)(size >> 16);
                b[3] = (unsigned char)(size >> 24);
                b[size - 1] = 0xFF;
                /* Only a cut right after an entry can still be valid,
                 * and then the count no longer matches. */
                assert_int_equal(lp_validate(b, size, 1), -1);
                lp_validate(b, size, 0);
            }
            mem_free(b);
        }
        free(raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_encodings),
        cmocka_unit_test(test_hand_strings_and_backlen),
        cmocka_unit_test(test_string_to_int64),
        cmocka_unit_test(test_golden_vectors),
        cmocka_unit_test(test_count_unknown),
        cmocka_unit_test(test_seek_and_iterate),
        cmocka_unit_test(test_get_variants),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_delete_range),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_self_alias),
        cmocka_unit_test(test_safe_to_add_and_dup),
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_validate_basic),
        cmocka_unit_test(test_validate_fuzz),
        cmocka_unit_test(test_validate_truncations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
