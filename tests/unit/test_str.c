/* Unit tests for common/str.c (binary strings, header kinds, in-place
 * edits) and the text helpers of common/util.c: argument splitting, glob
 * matching, strict integer parsing and cluster key slots. Expected values
 * were checked against redis-server 7.0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <limits.h>

#include "str.h"
#include "util.h"

/* ---- str ---- */

static void test_str_new_binary(void **state)
{
    static const char bin[] = "a\0b\r\n\0";
    (void)state;

    str s = str_new(bin, sizeof(bin) - 1);
    assert_int_equal(str_len(s), 6);
    assert_memory_equal(s, bin, 6);
    assert_int_equal(s[6], '\0');
    str d = str_dup(s);
    assert_int_equal(str_len(d), 6);
    assert_memory_equal(d, bin, 6);
    str_free(s);
    str_free(d);

    s = str_new(NULL, 5);
    assert_int_equal(str_len(s), 5);
    assert_memory_equal(s, "\0\0\0\0\0", 6);
    str_free(s);

    s = str_empty();
    assert_int_equal(str_len(s), 0);
    assert_int_equal(s[0], '\0');
    str_free(s);

    s = str_from_cstr("hello");
    assert_int_equal(str_len(s), 5);
    assert_string_equal(s, "hello");
    str_free(s);
    str_free(NULL);
}

/* Appending one byte at a time walks the string through every header
 * kind change (8-bit lengths to 32-bit); contents must survive each. */
static void test_str_cat_grows_across_kinds(void **state)
{
    (void)state;
    str s = str_empty();

    for (int i = 0; i < 70000; i++) {
        char c = (char)(i % 251);
        s = str_cat(s, &c, 1);
        assert_int_equal(str_len(s), (size_t)i + 1);
        assert_true(str_avail(s) + str_len(s) + 1 <= str_alloc_size(s));
    }
    for (int i = 0; i < 70000; i++) {
        assert_int_equal((unsigned char)s[i], i % 251);
    }
    assert_int_equal(s[70000], '\0');
    str_free(s);
}

static void test_str_make_room(void **state)
{
    (void)state;
    str s = str_new("abc", 3);

    s = str_make_room(s, 1000);
    assert_true(str_avail(s) >= 1000);
    assert_int_equal(str_len(s), 3);
    assert_string_equal(s, "abc");
    /* Writing into the room then claiming it. */
    memset(s + 3, 'x', 1000);
    str_set_len(s, 1003);
    assert_int_equal(s[1003], '\0');
    assert_int_equal(s[1002], 'x');
    /* Room that is already there costs nothing. */
    str same = str_make_room(s, 0);
    assert_ptr_equal(same, s);
    str_incr_len(s, -3);
    assert_int_equal(str_len(s), 1000);
    assert_int_equal(s[1000], '\0');
    s = str_trim_alloc(s);
    assert_int_equal(str_len(s), 1000);
    assert_int_equal(s[0], 'a');
    str_free(s);
}

static void test_str_catfmt(void **state)
{
    (void)state;
    str s = str_empty();

    s = str_catfmt(s, "%d-%s-%lld", 42, "x", -9223372036854775807LL - 1);
    assert_string_equal(s, "42-x--9223372036854775808");
    assert_int_equal(str_len(s), strlen(s));
    /* Longer than the formatter's stack buffer. */
    char big[1000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = str_catfmt(s, "[%s]", big);
    assert_int_equal(str_len(s), 25 + 1001);
    assert_int_equal(s[25], '[');
    assert_int_equal(s[25 + 1000], ']');
    str_free(s);
}

static void test_str_range(void **state)
{
    static const struct {
        ssize_t start, end;
        const char *want;
    } cases[] = {
        {0, -1, "hello world"}, {0, 4, "hello"},
        {6, -1, "world"},       {-5, -1, "world"},
        {-100, 1, "he"},        {3, 2, ""},
        {20, 30, ""},           {5, 100, " world"},
        {-1, -1, "d"},          {0, 0, "h"},
        {-100, -100, "h"},      {10, 10, "d"},
        {11, -1, ""},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        str s = str_from_cstr("hello world");
        str_range(s, cases[i].start, cases[i].end);
        assert_int_equal(str_len(s), strlen(cases[i].want));
        assert_string_equal(s, cases[i].want);
        str_free(s);
    }
    str s = str_empty();
    str_range(s, 0, -1);
    assert_int_equal(str_len(s), 0);
    str_free(s);
}

static void test_str_consume_clear_tolower(void **state)
{
    (void)state;
    str s = str_from_cstr("Hello\0World");
    s = str_cat(s, "\0MiXeD", 6);

    str_consume(s, 2);
    assert_int_equal(str_len(s), 9);
    assert_memory_equal(s, "llo\0MiXeD", 9);
    str_tolower(s);
    assert_memory_equal(s, "llo\0mixed", 10);
    str_consume(s, 100);
    assert_int_equal(str_len(s), 0);
    s = str_cat(s, "x", 1);
    str_clear(s);
    assert_int_equal(str_len(s), 0);
    assert_int_equal(s[0], '\0');
    str_free(s);
}

static void test_str_grow_zero(void **state)
{
    (void)state;
    str s = str_new("ab", 2);

    s = str_grow_zero(s, 300);
    assert_int_equal(str_len(s), 300);
    assert_memory_equal(s, "ab", 2);
    for (int i = 2; i < 300; i++) {
        assert_int_equal(s[i], 0);
    }
    s = str_grow_zero(s, 10); /* never shrinks */
    assert_int_equal(str_len(s), 300);
    str_free(s);
}

static void test_str_embed(void **state)
{
    char mem[64];
    (void)state;

    assert_true(str_embed_size(10) <= sizeof(mem));
    str s = str_embed(mem, "embedded\0!", 10);
    assert_int_equal(str_len(s), 10);
    assert_memory_equal(s, "embedded\0!", 11);
    assert_int_equal(str_avail(s), 0);
}

/* ---- util_split_args ---- */

typedef struct split_case {
    const char *line;
    int argc; /* -1: unbalanced quotes */
    const char *args[6];
    size_t lens[6]; /* 0: strlen */
} split_case;

static void check_split(const split_case *c)
{
    int argc = -2;
    str *argv = util_split_args(c->line, strlen(c->line), &argc);

    if (c->argc < 0) {
        assert_null(argv);
        assert_int_equal(argc, 0);
        return;
    }
    assert_non_null(argv);
    assert_int_equal(argc, c->argc);
    for (int i = 0; i < argc; i++) {
        size_t n = c->lens[i] ? c->lens[i] : strlen(c->args[i]);
        assert_int_equal(str_len(argv[i]), n);
        assert_memory_equal(argv[i], c->args[i], n);
    }
    util_free_args(argv, argc);
}

static void test_split_args(void **state)
{
    static const split_case cases[] = {
        {"", 0, {NULL}, {0}},
        {"   \t ", 0, {NULL}, {0}},
        {"set key value", 3, {"set", "key", "value"}, {0}},
        {"  a\t\tb  ", 2, {"a", "b"}, {0}},
        /* \v and \f are skipped before an argument but don't end one. */
        {"\v\fa\vb c", 2, {"a\vb", "c"}, {0}},
        {"\"a b\" 'c d'", 2, {"a b", "c d"}, {0}},
        {"\"\" ''", 2, {"", ""}, {0}},
        {"\"\\x41\\x62\\x7A\\x7a\"", 1, {"Abzz"}, {0}},
        {"\"\\x00\\xff\"", 1, {"\0\xff"}, {2}},
        {"\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", 1, {"\n\r\t\b\a\\\"q"}, {0}},
        /* Not a valid \x escape: a plain escaped 'x'. */
        {"\"\\x4g\" \"\\x\"", 2, {"x4g", "x"}, {0}},
        /* Single quotes: only \' is an escape. */
        {"'a\\'b' 'c\\nd' 'e\\\\f'", 3, {"a'b", "c\\nd", "e\\\\f"}, {0}},
        {"\"it's\" 'say \"hi\"'", 2, {"it's", "say \"hi\""}, {0}},
        /* A quote inside a word starts a quoted part of that word. */
        {"ab\"c d\"", 1, {"abc d"}, {0}},
        {"ab'c d' e", 2, {"abc d", "e"}, {0}},
        /* Backslashes outside quotes are literal. */
        {"a\\nb \\x41", 2, {"a\\nb", "\\x41"}, {0}},
        {"\"a\"\t\"b\"", 2, {"a", "b"}, {0}},
        {"\"a\"\n'b'", 2, {"a", "b"}, {0}},
        {"\"abc", -1, {NULL}, {0}},
        {"'abc", -1, {NULL}, {0}},
        {"\"", -1, {NULL}, {0}},
        {"\"a\"b", -1, {NULL}, {0}},
        {"'a'b", -1, {NULL}, {0}},
        {"x \"a\\\"", -1, {NULL}, {0}},
        {"x 'a\\'", -1, {NULL}, {0}},
        {"\"abc\\", -1, {NULL}, {0}},
        {"ok \"bad", -1, {NULL}, {0}},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_split(&cases[i]);
    }
}

static void test_split_args_len_bound(void **state)
{
    int argc;
    (void)state;

    /* Only len bytes are looked at: no reading past them. */
    char *line = malloc(7);
    memcpy(line, "a \"b c\"", 7);
    str *argv = util_split_args(line, 7, &argc);
    assert_int_equal(argc, 2);
    assert_string_equal(argv[1], "b c");
    util_free_args(argv, argc);
    argv = util_split_args(line, 5, &argc); /* cut inside the quotes */
    assert_null(argv);
    argv = util_split_args(line, 1, &argc);
    assert_int_equal(argc, 1);
    assert_string_equal(argv[0], "a");
    util_free_args(argv, argc);
    free(line);
    /* Many arguments. */
    str many = str_empty();
    for (int i = 0; i < 1000; i++) {
        many = str_catfmt(many, "%d ", i);
    }
    argv = util_split_args(many, str_len(many), &argc);
    assert_int_equal(argc, 1000);
    assert_string_equal(argv[999], "999");
    util_free_args(argv, argc);
    str_free(many);
}

/* ---- util_glob_match ---- */

static int gm(const char *pat, const char *s, int nocase)
{
    return util_glob_match(pat, strlen(pat), s, strlen(s), nocase);
}

static void test_glob_basic(void **state)
{
    (void)state;
    assert_true(gm("*", "anything", 0));
    assert_true(gm("h?llo", "hello", 0));
    assert_true(gm("h?llo", "hallo", 0));
    assert_false(gm("h?llo", "hllo", 0));
    assert_true(gm("h*llo", "hllo", 0));
    assert_true(gm("h*llo", "heeeello", 0));
    assert_true(gm("h[ae]llo", "hello", 0));
    assert_false(gm("h[ae]llo", "hillo", 0));
    assert_true(gm("h[^e]llo", "hallo", 0));
    assert_false(gm("h[^e]llo", "hello", 0));
    assert_true(gm("h[a-b]llo", "hbllo", 0));
    assert_false(gm("h[a-b]llo", "hcllo", 0));
    assert_true(gm("h[b-a]llo", "hallo", 0)); /* reversed range */
    assert_true(gm("user:*:name", "user:1000:name", 0));
    assert_false(gm("user:*:name", "user:1000:age", 0));
    assert_true(gm("a*", "a", 0));
    assert_true(gm("a**", "a", 0));
    assert_true(gm("*a*", "xax", 0));
    assert_false(gm("a?*", "a", 0));
    assert_false(gm("abc", "abcd", 0));
    assert_false(gm("abcd", "abc", 0));
    assert_true(gm("", "", 0));
    assert_false(gm("", "a", 0));
    /* Redis matches nothing but "" against the empty string. */
    assert_false(gm("*", "", 0));
    assert_false(gm("**", "", 0));
    /* Binary: NULs are ordinary bytes. */
    assert_true(util_glob_match("a\0*", 3, "a\0bc", 4, 0));
    assert_false(util_glob_match("a\0*", 3, "a\1bc", 4, 0));
    assert_true(util_glob_match("?", 1, "\0", 1, 0));
}

static void test_glob_escapes(void **state)
{
    (void)state;
    assert_true(gm("\\*", "*", 0));
    assert_false(gm("\\*", "a", 0));
    assert_true(gm("a\\?c", "a?c", 0));
    assert_false(gm("a\\?c", "abc", 0));
    assert_true(gm("\\[a]", "[a]", 0));
    assert_true(gm("\\\\", "\\", 0));
    /* A trailing backslash is a literal backslash. */
    assert_true(gm("a\\", "a\\", 0));
    assert_true(gm("[\\]]", "]", 0));
    assert_true(gm("[\\^]", "^", 0));
    assert_true(gm("[\\-]", "-", 0));
    assert_false(gm("[\\-]", "\\", 0));
}

static void test_glob_nocase(void **state)
{
    (void)state;
    assert_true(gm("HeLLo", "hello", 1));
    assert_false(gm("HeLLo", "hello", 0));
    assert_true(gm("h*O", "HELLO", 1));
    assert_true(gm("[A-C]x", "bX", 1));
    assert_true(gm("[a-c]x", "BX", 1));
    assert_true(gm("[^A]", "b", 1));
    assert_false(gm("[^A]", "a", 1));
    assert_true(gm("\\A", "a", 1));
    /* Redis quirk: an escaped byte in a class compares exactly. */
    assert_false(gm("[\\A]", "a", 1));
    assert_true(gm("[\\A]", "A", 1));
    /* Range ends are swapped before folding: "Z-a" is 'Z'..'a', which
     * folds to 'z'..'a', an empty range. */
    assert_false(gm("[Z-a]", "b", 1));
    assert_false(gm("[Z-a]", "_", 1));
    assert_true(gm("[Z-a]", "_", 0));
}

/* Quirks of Redis's class parsing, kept so KEYS selects the same keys. */
static void test_glob_class_quirks(void **state)
{
    (void)state;
    /* "[a-]": the ']' is taken as the range's end ('a'..']', i.e. ']'
     * to 'a'), and the class runs on past it to the end of the pattern. */
    assert_true(gm("[a-]", "]", 0));
    assert_true(gm("[a-]", "^", 0));
    assert_true(gm("[a-]", "a", 0));
    assert_false(gm("[a-]", "-", 0));
    assert_false(gm("[a-]", "b", 0));
    /* ...so the '*' after it is a class member, not a wildcard. */
    assert_true(gm("[a-]*", "*", 0));
    assert_false(gm("[a-]*", "ab", 0));
    assert_true(gm("[a-]xy]", "y", 0));
    /* A '-' with nothing after it is a member. */
    assert_true(gm("[-]", "-", 0));
    assert_true(gm("[a-b-]", "-", 0));
    assert_true(gm("[]", "]", 0) == 0);
    assert_false(gm("[]", "a", 0));
    /* Unterminated classes run to the end of the pattern. */
    assert_true(gm("[abc", "b", 0));
    assert_false(gm("[abc", "bc", 0));
    assert_false(gm("[", "a", 0));
    assert_true(gm("[^", "a", 0));
    assert_true(gm("a[", "a", 0) == 0);
    assert_true(gm("[\\", "\\", 0));
    /* Range ends are signed chars: "[a-\xff]" is -1..'a'. */
    assert_true(gm("[a-\xff]", "\xff", 0));
    assert_true(gm("[a-\xff]", "0", 0));
    assert_false(gm("[a-\xff]", "\x80", 0));
    assert_false(gm("[a-\xff]", "b", 0));
    assert_true(gm("[\x80-\xff]", "\x90", 0));
    assert_false(gm("[\x80-\xff]", "a", 0));
}

/* Pattern as a C string against n bytes of s. */
static int gmn(const char *pat, const char *s, size_t n, int nocase)
{
    return util_glob_match(pat, strlen(pat), s, n, nocase);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Patterns that make naive backtracking exponential must stay fast. */
static void test_glob_pathological(void **state)
{
    const size_t n = 200000;
    char *s = malloc(n + 1);
    (void)state;

    memset(s, 'a', n);
    s[n] = '\0';
    double t0 = now_s();
    assert_false(gmn("a*a*a*a*a*b", s, n, 0));
    assert_false(gmn("a*a*a*a*a*a*a*a*a*b", s, n, 0));
    assert_false(gmn("*a*a*a*a*a*a*a*a*a*a*a*b*", s, n, 0));
    assert_false(gmn("*[a-z]*[a-z]*[a-z]*[a-z]*?b", s, n, 1));
    assert_false(gmn("*?*?*?*?*?*?*?*?*[^a]", s, n, 0));
    assert_true(gmn("a*a*a*a*a*a*a*a*a*a", s, n, 0));
    assert_true(gmn("*a*a*a*a*a*a*a*a*a*?", s, n, 0));
    /* Many stars. */
    str pat = str_empty();
    for (int i = 0; i < 500; i++) {
        pat = str_cat(pat, "a*", 2);
    }
    pat = str_cat(pat, "b", 1);
    assert_false(util_glob_match(pat, str_len(pat), s, 20000, 0));
    str_set_len(pat, str_len(pat) - 1);
    assert_true(util_glob_match(pat, str_len(pat), s, 20000, 0));
    double took = now_s() - t0;
    /* Linear-ish work is milliseconds even under sanitizers; exponential
     * backtracking would not finish at all. */
    assert_true(took < 5.0);
    str_free(pat);
    free(s);
}

/* ---- util_str2ll ---- */

static void test_str2ll_strict(void **state)
{
    static const struct {
        const char *s;
        long long v;
    } good[] = {
        {"0", 0},
        {"1", 1},
        {"-1", -1},
        {"10", 10},
        {"123456789", 123456789},
        {"9223372036854775807", LLONG_MAX},
        {"-9223372036854775808", LLONG_MIN},
        {"-9223372036854775807", -LLONG_MAX},
    };
    static const char *const bad[] = {
        "",
        "-",
        "+",
        "-0",
        "+1",
        " 1",
        "1 ",
        "01",
        "00",
        "-01",
        "1a",
        "a1",
        "1.0",
        "1e3",
        "0x10",
        "--1",
        "- 1",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999",
        "-99999999999999999999",
        "123456789012345678901234567890",
        "\t1",
        "1\n",
    };
    long long v;
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        v = 12345;
        assert_int_equal(util_str2ll(good[i].s, strlen(good[i].s), &v), 0);
        assert_true(v == good[i].v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 12345;
        assert_int_equal(util_str2ll(bad[i], strlen(bad[i]), &v), -1);
        assert_int_equal(v, 12345); /* untouched on failure */
    }
    /* Length-bounded: no NUL needed, embedded NULs refused. */
    assert_int_equal(util_str2ll("42xyz", 2, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(util_str2ll("4\0"
                                 "2",
                                 3, &v),
                     -1);
    assert_int_equal(util_str2ll("-", 1, &v), -1);
}

static void test_str2ull(void **state)
{
    unsigned long long u;
    (void)state;

    assert_int_equal(util_str2ull("18446744073709551615", 20, &u), 0);
    assert_true(u == ULLONG_MAX);
    assert_int_equal(util_str2ull("18446744073709551616", 20, &u), -1);
    assert_int_equal(util_str2ull("0", 1, &u), 0);
    assert_true(u == 0);
    assert_int_equal(util_str2ull("-1", 2, &u), -1);
    assert_int_equal(util_str2ull("01", 2, &u), -1);
    assert_int_equal(util_str2ull("+1", 2, &u), -1);
    assert_int_equal(util_str2ull("", 0, &u), -1);
}

static void test_ll2str_limits(void **state)
{
    char buf[LONG_STR_SIZE];
    (void)state;

    assert_int_equal(util_ll2str(buf, sizeof(buf), LLONG_MIN), 20);
    assert_string_equal(buf, "-9223372036854775808");
    assert_int_equal(util_ll2str(buf, sizeof(buf), LLONG_MAX), 19);
    assert_string_equal(buf, "9223372036854775807");
    assert_int_equal(util_ll2str(buf, sizeof(buf), 0), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(util_ll2str(buf, sizeof(buf), -7), 2);
    assert_string_equal(buf, "-7");
    /* Too small a buffer: 0, nothing claimed. */
    assert_int_equal(util_ll2str(buf, 3, 12345), 0);
    assert_int_equal(util_ll2str(buf, 3, -12), 0);
    assert_int_equal(util_ll2str(buf, 3, 12), 2);
    assert_string_equal(buf, "12");
}

/* ---- CRC16 and key slots ---- */

static unsigned slot_of(const char *k)
{
    return util_key_slot(k, strlen(k));
}

static void test_crc16(void **state)
{
    (void)state;
    /* The CRC16-XMODEM check value. */
    assert_int_equal(util_crc16("123456789", 9), 0x31C3);
    assert_int_equal(util_crc16("", 0), 0);
    assert_int_equal(util_crc16("\0", 1), 0);
}

static void test_key_slot(void **state)
{
    /* From CLUSTER KEYSLOT on a cluster-enabled redis-server 7.0. */
    static const struct {
        const char *key;
        unsigned slot;
    } cases[] = {
        {"123456789", 12739},
        {"", 0},
        {"foo", 12182},
        {"bar", 5061},
        {"hello", 866},
        {"key:0", 2592},
        {"user1000", 3443},
        {"{user1000}.following", 3443},
        {"{user1000}.followers", 3443},
        /* An empty tag doesn't count: the whole key is hashed. */
        {"foo{}{bar}", 8363},
        {"{}", 15257},
        {"zzz{}", 5542},
        /* The tag runs from the first '{' to the first '}' after it. */
        {"foo{{bar}}zap", 4015}, /* tag "{bar" */
        {"{bar", 4015},
        {"foo{bar}{zap}", 5061}, /* tag "bar" */
        {"a{b}c", 3300},
        {"b", 3300},
        {"{{}}", 4092}, /* tag "{" */
        {"{", 4092},
        {"bar}", 6624},
        {"}{", 12793},
        {"{a}", 15495},
        {"a", 15495},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(slot_of(cases[i].key), cases[i].slot);
    }
    /* Binary keys. */
    assert_int_equal(util_key_slot("k\0ey", 4), 7340);
    assert_int_equal(util_key_slot("\0", 1), 0);
    assert_int_equal(util_key_slot("\xff\xfe", 2), 3374);
    assert_int_equal(util_key_slot("{\0}x", 4), 0);
    /* Long keys and long tags. */
    char big[1000];
    memset(big, 'a', sizeof(big));
    assert_int_equal(util_key_slot(big, sizeof(big)), 6383);
    char tag[302];
    tag[0] = '{';
    memset(tag + 1, 'z', 300);
    tag[301] = '}';
    assert_int_equal(util_key_slot(tag, sizeof(tag)), 10508);
    /* Every slot is in range. */
    for (int i = 0; i < 100000; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "key:%d", i);
        assert_true(util_key_slot(k, (size_t)n) < 16384);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_new_binary),
        cmocka_unit_test(test_str_cat_grows_across_kinds),
        cmocka_unit_test(test_str_make_room),
        cmocka_unit_test(test_str_catfmt),
        cmocka_unit_test(test_str_range),
        cmocka_unit_test(test_str_consume_clear_tolower),
        cmocka_unit_test(test_str_grow_zero),
        cmocka_unit_test(test_str_embed),
        cmocka_unit_test(test_split_args),
        cmocka_unit_test(test_split_args_len_bound),
        cmocka_unit_test(test_glob_basic),
        cmocka_unit_test(test_glob_escapes),
        cmocka_unit_test(test_glob_nocase),
        cmocka_unit_test(test_glob_class_quirks),
        cmocka_unit_test(test_glob_pathological),
        cmocka_unit_test(test_str2ll_strict),
        cmocka_unit_test(test_str2ull),
        cmocka_unit_test(test_ll2str_limits),
        cmocka_unit_test(test_crc16),
        cmocka_unit_test(test_key_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
