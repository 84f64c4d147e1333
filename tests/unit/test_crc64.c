/* Unit tests for common/crc64.c: the standard check value, agreement of the
 * sliced path with a bit-at-a-time reference at every length and alignment,
 * and incremental use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc64.h"

/* Bit-at-a-time reference: the definition, no tables. */
static uint64_t crc64_ref(uint64_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
        }
    }
    return crc;
}

static void test_check_value(void **state)
{
    (void)state;
    assert_true(crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    assert_true(crc64(0, "", 0) == 0);
}

static void test_matches_reference(void **state)
{
    unsigned char buf[300];

    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (unsigned char)(i * 131 + 7);
    }
    for (size_t off = 0; off < 8; off++) {
        for (size_t n = 0; off + n <= sizeof(buf); n += 7) {
            assert_true(crc64(0, buf + off, n) == crc64_ref(0, buf + off, n));
        }
    }
}

static void test_incremental(void **state)
{
    const char *s = "The quick brown fox jumps over the lazy dog, twice over";
    size_t n = strlen(s);

    (void)state;
    uint64_t whole = crc64(0, s, n);
    for (size_t cut = 0; cut <= n; cut++) {
        uint64_t c = crc64(0, s, cut);
        assert_true(crc64(c, s + cut, n - cut) == whole);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
