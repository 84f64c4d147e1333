/* Unit tests for common/lzf.c: redis-server's LZF streams decode to their
 * values, our streams round-trip, both directions agree with the system
 * liblzf when it is installed (loaded with dlopen, test-only oracle), and
 * hostile input never reads or writes out of bounds (run under ASan). */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lzf.h"
#include "vectors_lzf.h"

#define NVEC (sizeof(lzf_vectors) / sizeof(lzf_vectors[0]))

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x243F6A8885A308D3ULL;

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

/* malloc exactly n bytes (at least 1) so ASan flags any overrun. */
static unsigned char *xmalloc(size_t n)
{
    unsigned char *p = malloc(n ? n : 1);

    assert_non_null(p);
    return p;
}

/* The system liblzf, if present: lzf_compress/lzf_decompress with
 * unsigned int sizes. Looked up through the handle, so our own symbols of
 * the same names are not picked. */
typedef unsigned (*sys_lzf_fn)(const void *, unsigned, void *, unsigned);
static sys_lzf_fn sys_compress;
static sys_lzf_fn sys_decompress;

static int sys_lzf_load(void)
{
    static int tried;
    void *h;

    if (tried) {
        return sys_compress != NULL;
    }
    tried = 1;
    h = dlopen("liblzf.so.1", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        printf("   (liblzf.so.1 not found: cross-checks skipped)\n");
        return 0;
    }
    sys_compress = (sys_lzf_fn)dlsym(h, "lzf_compress");
    sys_decompress = (sys_lzf_fn)dlsym(h, "lzf_decompress");
    if (sys_compress == NULL || sys_decompress == NULL) {
        sys_compress = sys_decompress = NULL;
        return 0;
    }
    return 1;
}

/* Data generators. */
enum { GEN_RANDOM, GEN_TEXT, GEN_RUNS, GEN_ALPHA4, GEN_REPEAT_BLOCK, NGEN };

static void gen_data(unsigned char *p, size_t n, int kind)
{
    static const char *words[] = {"redis", "shoal", "list", "node",
                                  "quick", "the",   "of",   "compress",
                                  "12345", "-",     " ",    "\n"};
    size_t i = 0;

    switch (kind) {
    case GEN_RANDOM:
        for (i = 0; i < n; i++) {
            p[i] = (unsigned char)rnd();
        }
        break;
    case GEN_TEXT:
        while (i < n) {
            const char *w = words[rnd() % 12];
            for (size_t k = 0; w[k] && i < n; k++) {
                p[i++] = (unsigned char)w[k];
            }
        }
        break;
    case GEN_RUNS:
        while (i < n) {
            unsigned char c = (unsigned char)rnd();
            size_t run = 1 + rnd() % 400;
            while (run-- && i < n) {
                p[i++] = c;
            }
        }
        break;
    case GEN_ALPHA4:
        for (i = 0; i < n; i++) {
            p[i] = (unsigned char)("abcd"[rnd() % 4]);
        }
        break;
    default: {
        /* A random block repeated at a distance near the 8 KiB window. */
        size_t block = 1 + rnd() % 9000;
        for (i = 0; i < n; i++) {
            p[i] = i < block ? (unsigned char)rnd() : p[i - block];
        }
        break;
    }
    }
}

/* Compress with ours into an exact-size buffer, decompress with ours (and
 * liblzf), compare. Returns the compressed size. */
static size_t round_trip(const unsigned char *in, size_t n)
{
    size_t cap = LZF_MAX_COMPRESSED(n);
    unsigned char *c = xmalloc(cap);
    unsigned char *d = xmalloc(n);
    size_t clen = lzf_compress(in, n, c, cap);

    if (n == 0) {
        assert_int_equal(clen, 0);
        free(c);
        free(d);
        return 0;
    }
    assert_true(clen > 0 && clen <= cap);
    assert_int_equal(lzf_decompress(c, clen, d, n), n);
    assert_memory_equal(d, in, n);
    if (sys_lzf_load()) {
        memset(d, 0, n);
        assert_int_equal(sys_decompress(c, (unsigned)clen, d, (unsigned)n), n);
        assert_memory_equal(d, in, n);
    }
    free(c);
    free(d);
    return clen;
}

/* ---- tests -------------------------------------------------------------- */

static void test_golden_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVEC; i++) {
        const lzf_vector *v = &lzf_vectors[i];
        unsigned char *out = xmalloc(v->raw_len);
        const unsigned char *z = (const unsigned char *)v->lzf;

        assert_int_equal(lzf_decompress(z, v->lzf_len, out, v->raw_len),
                         v->raw_len);
        if (v->raw != NULL) {
            assert_memory_equal(out, v->raw, v->raw_len);
        }
        if (fnv1a64(out, v->raw_len) != v->raw_fnv) {
            fail_msg("%s: decompressed bytes differ", v->name);
        }
        /* One byte short of room: refused, not truncated. */
        assert_int_equal(lzf_decompress(z, v->lzf_len, out, v->raw_len - 1), 0);
        /* Our encoder on the same value: valid, and about as small as
         * liblzf (ours may differ byte-wise). */
        size_t ours = round_trip(out, v->raw_len);
        if (ours > v->lzf_len + v->lzf_len / 8 + 8) {
            fail_msg("%s: our stream %zu bytes vs liblzf's %zu", v->name, ours,
                     v->lzf_len);
        }
        free(out);
    }
}

static void test_golden_truncations(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVEC; i++) {
        const lzf_vector *v = &lzf_vectors[i];
        unsigned char *full = xmalloc(v->raw_len);

        assert_int_equal(lzf_decompress(v->lzf, v->lzf_len, full, v->raw_len),
                         v->raw_len);
        /* Every prefix in a tight buffer: either an error or a clean
         * prefix of the value (cut at an item boundary). */
        for (size_t cut = 0; cut < v->lzf_len; cut++) {
            unsigned char *in = xmalloc(cut);
            unsigned char *out = xmalloc(v->raw_len);
            memcpy(in, v->lzf, cut);
            size_t got = lzf_decompress(in, cut, out, v->raw_len);
            assert_true(got < v->raw_len);
            if (got > 0) {
                assert_memory_equal(out, full, got);
            }
            if (sys_lzf_load()) {
                unsigned char *o2 = xmalloc(v->raw_len);
                assert_int_equal(
                    sys_decompress(in, (unsigned)cut, o2, (unsigned)v->raw_len),
                    got);
                free(o2);
            }
            free(in);
            free(out);
        }
        free(full);
    }
}

static void test_round_trips(void **state)
{
    static const size_t sizes[] = {0,    1,    2,    3,     4,     5,
                                   31,   32,   33,   47,    48,    64,
                                   100,  264,  265,  1000,  4096,  8191,
                                   8192, 8193, 9000, 20000, 70000, 300000};
    (void)state;
    for (int kind = 0; kind < NGEN; kind++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            size_t n = sizes[s];
            unsigned char *in = xmalloc(n);
            gen_data(in, n, kind);
            size_t clen = round_trip(in, n);
            /* Compressible kinds must actually shrink when long. */
            if ((kind == GEN_TEXT || kind == GEN_RUNS || kind == GEN_ALPHA4) &&
                n >= 1000) {
                assert_true(clen < n);
            }
            free(in);
        }
    }
    /* Random sizes and kinds. */
    for (int iter = 0; iter < 400; iter++) {
        size_t n = rnd() % 20000;
        unsigned char *in = xmalloc(n);
        gen_data(in, n, (int)(rnd() % NGEN));
        round_trip(in, n);
        free(in);
    }
}

static void test_output_limit(void **state)
{
    (void)state;
    for (int iter = 0; iter < 300; iter++) {
        size_t n = 1 + rnd() % 5000;
        unsigned char *in = xmalloc(n);
        gen_data(in, n, (int)(rnd() % NGEN));
        size_t cap = LZF_MAX_COMPRESSED(n);
        unsigned char *c = xmalloc(cap);
        size_t clen = lzf_compress(in, n, c, cap);
        assert_true(clen > 0);

        /* Exactly enough room works; one byte less refuses, and neither
         * writes past the (exact-size) buffer. */
        unsigned char *e = xmalloc(clen);
        assert_int_equal(lzf_compress(in, n, e, clen), clen);
        assert_memory_equal(e, c, clen);
        free(e);
        if (clen > 1) {
            unsigned char *s = xmalloc(clen - 1);
            assert_int_equal(lzf_compress(in, n, s, clen - 1), 0);
            free(s);
        }
        /* Random bytes don't shrink: "only if smaller" refuses them. */
        if (iter % 10 == 0) {
            gen_data(in, n, GEN_RANDOM);
            unsigned char *s = xmalloc(n);
            size_t got = lzf_compress(in, n, s, n);
            assert_true(got == 0 || got <= n);
            free(s);
        }
        free(in);
        free(c);
    }
    assert_int_equal(lzf_compress("abc", 3, NULL, 0), 0);
}

static void test_against_liblzf(void **state)
{
    (void)state;
    if (!sys_lzf_load()) {
        skip();
    }
    for (int iter = 0; iter < 300; iter++) {
        size_t n = 1 + rnd() % 30000;
        unsigned char *in = xmalloc(n);
        gen_data(in, n, (int)(rnd() % NGEN));
        size_t cap = LZF_MAX_COMPRESSED(n) + 16;
        unsigned char *c = xmalloc(cap);
        unsigned char *d = xmalloc(n);
        /* liblzf compresses, we decompress. */
        unsigned clen = sys_compress(in, (unsigned)n, c, (unsigned)cap);
        assert_true(clen > 0);
        assert_int_equal(lzf_decompress(c, clen, d, n), n);
        assert_memory_equal(d, in, n);
        /* Ours compresses within a few percent of liblzf. */
        unsigned char *c2 = xmalloc(cap);
        size_t ours = lzf_compress(in, n, c2, cap);
        assert_true(ours > 0);
        if (ours > clen + clen / 8 + 16) {
            fail_msg("size %zu: ours %zu vs liblzf %u", n, ours, clen);
        }
        free(c2);
        free(in);
        free(c);
        free(d);
    }
}

static void test_hostile_handmade(void **state)
{
    unsigned char out[64];
    (void)state;

    /* Streams are spelled in hex: a letter after \x would extend it. */
    /* Empty input. */
    assert_int_equal(lzf_decompress("", 0, out, sizeof(out)), 0);
    /* Back reference with nothing behind it. */
    assert_int_equal(lzf_decompress("\x20\x00", 2, out, 64), 0);
    /* Literal "ab" then a reference one byte too far back. */
    assert_int_equal(lzf_decompress("\x01\x61\x62\x20\x02", 5, out, 64), 0);
    /* ...and exactly as far back as allowed (distance 2, len 3). */
    assert_int_equal(lzf_decompress("\x01\x61\x62\x20\x01", 5, out, 64), 5);
    assert_memory_equal(out, "ababa", 5);
    /* Overlapping run: "z", then distance 1, length 9. */
    assert_int_equal(lzf_decompress("\x00\x7a\xe0\x00\x00", 5, out, 64), 10);
    assert_memory_equal(out, "zzzzzzzzzz", 10);
    /* Literal run longer than the input. */
    assert_int_equal(lzf_decompress("\x05\x61\x62\x63", 4, out, 64), 0);
    /* Length byte missing; offset byte missing (long and short form). */
    assert_int_equal(lzf_decompress("\x00\x61\xe0", 3, out, 64), 0);
    assert_int_equal(lzf_decompress("\x00\x61\xe0\x01", 4, out, 64), 0);
    assert_int_equal(lzf_decompress("\x00\x61\x20", 3, out, 64), 0);
    /* Output too small for a literal, for a reference. */
    assert_int_equal(lzf_decompress("\x03\x61\x62\x63\x64", 5, out, 3), 0);
    assert_int_equal(lzf_decompress("\x00\x61\x40\x00", 4, out, 4), 0);
    assert_int_equal(lzf_decompress("\x00\x61\x40\x00", 4, out, 5), 5);
    /* Maximum distance (8192) and maximum length (264). */
    {
        size_t n = 8192 + 264;
        unsigned char *src = xmalloc(256 * 33 + 3);
        unsigned char *dst = xmalloc(n);
        size_t o = 0;
        for (int k = 0; k < 256; k++) {
            src[o++] = 31;
            for (int j = 0; j < 32; j++) {
                src[o++] = (unsigned char)(k + j);
            }
        }
        src[o++] = 0xff;
        src[o++] = 255;
        src[o++] = 0xff;
        assert_int_equal(lzf_decompress(src, o, dst, n), n);
        assert_memory_equal(dst + 8192, dst, 264);
        assert_int_equal(lzf_decompress(src, o, dst, n - 1), 0);
        free(src);
        free(dst);
    }
}

/* Random bytes and mutated real streams into exact-size buffers: ASan
 * catches any stray access; liblzf (same checks) must agree exactly. */
static void test_hostile_fuzz(void **state)
{
    (void)state;
    sys_lzf_load();
    for (int iter = 0; iter < 20000; iter++) {
        size_t in_len = rnd() % 300;
        size_t out_len = rnd() % 2000;
        unsigned char *in = xmalloc(in_len);
        unsigned char *out = xmalloc(out_len);

        if (iter % 2 == 0 || in_len == 0) {
            for (size_t i = 0; i < in_len; i++) {
                in[i] = (unsigned char)rnd();
            }
        } else {
            /* A real stream with a few bytes flipped. */
            const lzf_vector *v = &lzf_vectors[rnd() % NVEC];
            size_t n = v->lzf_len < in_len ? v->lzf_len : in_len;
            memcpy(in, v->lzf, n);
            in_len = n;
            for (int k = 0; k < 3 && n > 0; k++) {
                in[rnd() % n] ^= (unsigned char)(1u << (rnd() % 8));
            }
        }
        size_t got = lzf_decompress(in, in_len, out, out_len);
        assert_true(got <= out_len);
        if (sys_decompress != NULL) {
            unsigned char *o2 = xmalloc(out_len);
            unsigned want =
                sys_decompress(in, (unsigned)in_len, o2, (unsigned)out_len);
            assert_int_equal(got, want);
            if (got > 0) {
                assert_memory_equal(out, o2, got);
            }
            free(o2);
        }
        free(in);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_vectors),
        cmocka_unit_test(test_golden_truncations),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_against_liblzf),
        cmocka_unit_test(test_hostile_handmade),
        cmocka_unit_test(test_hostile_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
