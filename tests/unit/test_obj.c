/* Unit tests for shard/obj.c string encodings (the int/embstr/raw choice,
 * shared integers, integer access) and for the number parsing/formatting
 * in common/util.c that the string commands rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <float.h>
#include <limits.h>
#include <math.h>

#include "obj.h"
#include "str.h"
#include "util.h"

/* A fresh string object for s, encoded as SET would store it. */
static obj *encoded(const char *s, size_t len)
{
    return obj_try_encode(obj_create_string(s, len));
}

static obj *encoded_cstr(const char *s)
{
    return encoded(s, strlen(s));
}

static long long int_value(const obj *o)
{
    return (long long)(intptr_t)o->ptr;
}

static int setup(void **state)
{
    (void)state;
    obj_setup_shared();
    obj_set_sharing(1);
    return 0;
}

/* ---- obj_try_encode ---- */

static void test_integers_become_int(void **state)
{
    static const struct {
        const char *text;
        long long value;
    } cases[] = {
        {"10000", 10000},
        {"-1", -1},
        {"123456789", 123456789},
        {"9223372036854775807", LLONG_MAX},  /* 19 bytes */
        {"-9223372036854775808", LLONG_MIN}, /* 20 bytes */
        {"-9223372036854775807", LLONG_MIN + 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        obj *o = encoded_cstr(cases[i].text);
        assert_int_equal(o->type, OBJ_STRING);
        assert_int_equal(o->enc, ENC_INT);
        assert_int_equal(o->refcount, 1);
        assert_true(int_value(o) == cases[i].value);
        obj_decr(o);
    }
}

static void test_non_canonical_numbers_stay_strings(void **state)
{
    /* Out of range, leading zeros, signs, spaces, fractions, NUL: the
     * bytes could not be rebuilt from an integer, so they stay text. */
    static const char *const cases[] = {
        "9223372036854775808",
        "-9223372036854775809",
        "01",
        "-0",
        "+1",
        " 1",
        "1 ",
        "1.0",
        "1e3",
        "0x10",
        "",
        "-",
        "18446744073709551616",
        "123456789012345678901",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        obj *o = encoded_cstr(cases[i]);
        assert_int_equal(o->enc, ENC_EMBSTR);
        assert_int_equal(str_len(o->ptr), strlen(cases[i]));
        assert_memory_equal(o->ptr, cases[i], strlen(cases[i]));
        obj_decr(o);
    }
    obj *o = encoded("1\0", 2);
    assert_int_equal(o->enc, ENC_EMBSTR);
    assert_int_equal(str_len(o->ptr), 2);
    obj_decr(o);
}

static void test_embstr_raw_boundary(void **state)
{
    char buf[200];
    (void)state;

    memset(buf, 'a', sizeof(buf));
    for (size_t len = 0; len <= 100; len++) {
        obj *o = encoded(buf, len);
        assert_int_equal(o->enc,
                         len <= OBJ_EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW);
        assert_int_equal(str_len(o->ptr), len);
        obj_decr(o);
    }
    /* 44 and 45 exactly, created raw: a short raw string becomes embstr. */
    obj *o = obj_try_encode(obj_create_raw_string(buf, 44));
    assert_int_equal(o->enc, ENC_EMBSTR);
    assert_int_equal(str_len(o->ptr), 44);
    obj_decr(o);
    o = obj_try_encode(obj_create_raw_string(buf, 45));
    assert_int_equal(o->enc, ENC_RAW);
    assert_int_equal(str_len(o->ptr), 45);
    obj_decr(o);
    /* A 45-byte number-looking string can't be an integer. */
    memset(buf, '1', 45);
    o = encoded(buf, 45);
    assert_int_equal(o->enc, ENC_RAW);
    obj_decr(o);
}

static void test_raw_integer_text_becomes_int(void **state)
{
    (void)state;
    obj *o = obj_try_encode(obj_create_raw_string("424242", 6));
    assert_int_equal(o->enc, ENC_INT);
    assert_true(int_value(o) == 424242);
    obj_decr(o);
}

static void test_raw_spare_capacity_trimmed(void **state)
{
    char buf[100];
    (void)state;

    memset(buf, 'z', sizeof(buf));
    str s = str_make_room(str_new(buf, sizeof(buf)), 4000);
    assert_true(str_avail(s) > sizeof(buf) / 10);
    obj *o = obj_try_encode(obj_create_from_str(s));
    assert_int_equal(o->enc, ENC_RAW);
    assert_int_equal(str_len(o->ptr), sizeof(buf));
    assert_true(str_avail(o->ptr) <= sizeof(buf) / 10);
    assert_memory_equal(o->ptr, buf, sizeof(buf));
    obj_decr(o);
}

static void test_shared_object_left_alone(void **state)
{
    (void)state;
    obj *o = obj_create_string("12", 2);
    obj_incr(o); /* refcount 2: someone else holds it */
    obj *r = obj_try_encode(o);
    assert_ptr_equal(r, o);
    assert_int_equal(r->enc, ENC_EMBSTR);
    obj_decr(o);
    obj_decr(o);
}

/* ---- shared integers ---- */

static void test_shared_integers(void **state)
{
    static const long long shared[] = {0, 1, 9, 10, 100, 5000, 9998, 9999};
    (void)state;

    for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
        char buf[LONG_STR_SIZE];
        int n = util_ll2str(buf, sizeof(buf), shared[i]);
        obj *o = encoded(buf, (size_t)n);
        assert_ptr_equal(o, obj_shared_ints[shared[i]]);
        assert_int_equal(o->refcount, OBJ_SHARED_REFCOUNT);
        assert_int_equal(o->enc, ENC_INT);
        assert_true(int_value(o) == shared[i]);
        assert_ptr_equal(obj_create_ll(shared[i]), o);
        obj_decr(o); /* no effect on shared objects */
        obj_incr(o);
        assert_int_equal(o->refcount, OBJ_SHARED_REFCOUNT);
    }
    for (long long v = 0; v < OBJ_SHARED_INTEGERS; v++) {
        assert_int_equal(obj_shared_ints[v]->refcount, OBJ_SHARED_REFCOUNT);
        assert_true(int_value(obj_shared_ints[v]) == v);
    }
    /* Just outside the range: private objects. */
    static const long long private_vals[] = {-1, 10000, 10001, LLONG_MAX};
    for (size_t i = 0; i < sizeof(private_vals) / sizeof(private_vals[0]);
         i++) {
        obj *o = obj_create_ll(private_vals[i]);
        assert_int_equal(o->refcount, 1);
        assert_int_equal(o->enc, ENC_INT);
        assert_true(int_value(o) == private_vals[i]);
        obj_decr(o);
    }
}

static void test_sharing_disabled(void **state)
{
    (void)state;
    obj_set_sharing(0);
    obj *o = encoded_cstr("7");
    assert_ptr_not_equal(o, obj_shared_ints[7]);
    assert_int_equal(o->refcount, 1);
    assert_int_equal(o->enc, ENC_INT);
    assert_true(int_value(o) == 7);
    obj_decr(o);
    o = obj_create_ll(7);
    assert_int_equal(o->refcount, 1);
    obj_decr(o);
    obj_set_sharing(1);
    assert_ptr_equal(obj_create_ll(7), obj_shared_ints[7]);
}

/* ---- reading string objects ---- */

static void test_obj_get_ll(void **state)
{
    long long v;
    (void)state;

    obj *o = obj_create_ll(-5);
    assert_int_equal(obj_get_ll(o, &v), 0);
    assert_true(v == -5);
    obj_decr(o);

    o = obj_create_string("42", 2); /* embstr holding a number */
    assert_int_equal(obj_get_ll(o, &v), 0);
    assert_true(v == 42);
    obj_decr(o);

    o = obj_create_raw_string("-9223372036854775808", 20);
    assert_int_equal(obj_get_ll(o, &v), 0);
    assert_true(v == LLONG_MIN);
    obj_decr(o);

    static const char *const bad[] = {
        "abc", " 1", "1.5", "", "9223372036854775808", "01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = obj_create_string(bad[i], strlen(bad[i]));
        v = 12345;
        assert_int_equal(obj_get_ll(o, &v), -1);
        obj_decr(o);
    }
    o = obj_create_string("1\0", 2);
    assert_int_equal(obj_get_ll(o, &v), -1);
    obj_decr(o);
}

static void test_str_view_and_unshare(void **state)
{
    char buf[LONG_STR_SIZE];
    size_t len;
    (void)state;

    obj *o = obj_create_ll(LLONG_MIN);
    const char *p = obj_str_view(o, buf, &len);
    assert_int_equal(len, 20);
    assert_memory_equal(p, "-9223372036854775808", 20);
    assert_int_equal(obj_str_len(o), 20);

    /* Unsharing an int gives a raw copy of its digits. */
    obj *r = obj_unshare_string(o);
    assert_ptr_not_equal(r, o);
    assert_int_equal(r->enc, ENC_RAW);
    assert_int_equal(r->refcount, 1);
    assert_memory_equal(r->ptr, "-9223372036854775808", 20);
    obj_decr(o);
    /* A private raw object is already writable. */
    assert_ptr_equal(obj_unshare_string(r), r);
    obj_decr(r);

    o = obj_create_string("short", 5);
    r = obj_unshare_string(o);
    assert_ptr_not_equal(r, o);
    assert_int_equal(r->enc, ENC_RAW);
    assert_int_equal(str_len(r->ptr), 5);
    obj_decr(o);
    obj_decr(r);
}

/* ---- util number parsing / formatting ---- */

static void test_str2ll(void **state)
{
    static const struct {
        const char *s;
        long long v;
    } good[] = {
        {"0", 0},
        {"1", 1},
        {"-1", -1},
        {"10", 10},
        {"1234567890", 1234567890},
        {"9223372036854775807", LLONG_MAX},
        {"-9223372036854775808", LLONG_MIN},
    };
    static const char *const bad[] = {
        "",
        "-",
        "-0",
        "00",
        "01",
        "-01",
        "+1",
        " 1",
        "1 ",
        "1a",
        "a1",
        "1.0",
        "0x1",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999",
        "100000000000000000000",
    };
    long long v;
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        v = 7;
        assert_int_equal(util_str2ll(good[i].s, strlen(good[i].s), &v), 0);
        assert_true(v == good[i].v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(util_str2ll(bad[i], strlen(bad[i]), &v), -1);
    }
    /* Binary safe: the length is what counts, not a NUL. */
    assert_int_equal(util_str2ll("12\0", 3, &v), -1);
    assert_int_equal(util_str2ll("\0"
                                 "1",
                                 2, &v),
                     -1);
    assert_int_equal(util_str2ll("123456", 3, &v), 0);
    assert_true(v == 123);
}

static void test_ll2str_round_trip(void **state)
{
    static const long long vals[] = {
        0, 1, -1, 9, 10, -10, 9999, 10000, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
    char buf[LONG_STR_SIZE];
    long long back;
    (void)state;

    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        int n = util_ll2str(buf, sizeof(buf), vals[i]);
        char want[32];
        snprintf(want, sizeof(want), "%lld", vals[i]);
        assert_int_equal(n, (int)strlen(want));
        assert_string_equal(buf, want);
        assert_int_equal(util_str2ll(buf, (size_t)n, &back), 0);
        assert_true(back == vals[i]);
    }
}

static void check_d2str(double v, const char *want)
{
    char buf[MAX_D2STR_CHARS];
    int n = util_d2str(buf, sizeof(buf), v);

    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

static void test_d2str(void **state)
{
    (void)state;
    check_d2str(0.0, "0");
    check_d2str(-0.0, "-0");
    check_d2str(1.0, "1");
    check_d2str(-3.0, "-3");
    check_d2str(1.5, "1.5");
    check_d2str(0.1, "0.10000000000000001");
    check_d2str(1e10, "10000000000");
    /* Integers print as integers only below 2^52... */
    check_d2str(4503599627370495.0, "4503599627370495");
    check_d2str(-4503599627370494.0, "-4503599627370494");
    /* ...from there on %.17g decides. */
    check_d2str(4503599627370496.0, "4503599627370496");
    check_d2str(1e17, "1e+17");
    check_d2str(1e300, "1.0000000000000001e+300");
    check_d2str(5e-324, "4.9406564584124654e-324");
    check_d2str(INFINITY, "inf");
    check_d2str(-INFINITY, "-inf");
    check_d2str(NAN, "nan");
}

static void check_ld2str(long double v, int human, const char *want)
{
    char buf[5 * 1024];
    int n = util_ld2str(buf, sizeof(buf), v, human);

    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

static void test_ld2str(void **state)
{
    (void)state;
    /* INCRBYFLOAT's form: fixed point, trailing zeros (and dot) removed. */
    check_ld2str(0.0L, 1, "0");
    check_ld2str(-0.0L, 1, "0");
    check_ld2str(3.0L, 1, "3");
    check_ld2str(-3.0L, 1, "-3");
    check_ld2str(1.5L, 1, "1.5");
    check_ld2str(10.5L, 1, "10.5");
    check_ld2str(0.1L + 0.2L, 1, "0.3");
    check_ld2str(5.0e3L, 1, "5000");
    check_ld2str(1e20L, 1, "100000000000000000000");
    check_ld2str(-1e-18L, 1, "0"); /* below 17 decimals: "-0" -> "0" */
    check_ld2str(1.25e-5L, 1, "0.0000125");
    check_ld2str(INFINITY, 1, "inf");
    check_ld2str(-INFINITY, 1, "-inf");
    /* The non-human form is %.17Lg. */
    check_ld2str(1.5L, 0, "1.5");
    check_ld2str(1e20L, 0, "1e+20");
    check_ld2str(0.1L, 0, "0.1");
    check_ld2str(2.0L / 3.0L, 0, "0.66666666666666667");

    /* Too small a buffer: 0, nothing claimed. */
    char small[4];
    assert_int_equal(util_ld2str(small, sizeof(small), 12345.0L, 1), 0);
    assert_int_equal(util_ld2str(small, sizeof(small), INFINITY, 1), 0);

    /* The largest long double still fits INCRBYFLOAT's buffer. */
    char big[5 * 1024];
    int n = util_ld2str(big, sizeof(big), LDBL_MAX, 1);
    assert_true(n > 4900);
    assert_int_equal(n, (int)strlen(big));
}

static void test_str2ld(void **state)
{
    long double v;
    (void)state;

    assert_int_equal(util_str2ld("1.5", 3, &v), 0);
    assert_true(v == 1.5L);
    assert_int_equal(util_str2ld("-10", 3, &v), 0);
    assert_true(v == -10.0L);
    assert_int_equal(util_str2ld("1e4000", 6, &v), 0); /* fits long double */
    assert_int_equal(util_str2ld("inf", 3, &v), 0);
    assert_true(isinf(v));
    static const char *const bad[] = {"",     " 1",  "1 ",     "abc",
                                      "1.5x", "nan", "1e5000", "-1e5000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(util_str2ld(bad[i], strlen(bad[i]), &v), -1);
    }
    assert_int_equal(util_str2ld("1\0", 2, &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_become_int),
        cmocka_unit_test(test_non_canonical_numbers_stay_strings),
        cmocka_unit_test(test_embstr_raw_boundary),
        cmocka_unit_test(test_raw_integer_text_becomes_int),
        cmocka_unit_test(test_raw_spare_capacity_trimmed),
        cmocka_unit_test(test_shared_object_left_alone),
        cmocka_unit_test(test_shared_integers),
        cmocka_unit_test(test_sharing_disabled),
        cmocka_unit_test(test_obj_get_ll),
        cmocka_unit_test(test_str_view_and_unshare),
        cmocka_unit_test(test_str2ll),
        cmocka_unit_test(test_ll2str_round_trip),
        cmocka_unit_test(test_d2str),
        cmocka_unit_test(test_ld2str),
        cmocka_unit_test(test_str2ld),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
