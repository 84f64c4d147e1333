/* Unit tests for common/resp.c: every request parses the same however its
 * bytes are split, and every malformed input gets Redis's error text. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resp.h"

#define MAX_BULK (512LL * 1024 * 1024)

static const resp_limits open_lim = {MAX_BULK, 0};
static const resp_limits unauth_lim = {MAX_BULK, 1};

/* One expected argument: bytes and length (they may hold NULs). */
typedef struct want_arg {
    const char *p;
    size_t n;
} want_arg;

#define ARG(s)                                                                 \
    {                                                                          \
        (s), sizeof(s) - 1                                                     \
    }

static const char *arg_base(const resp_parser *p, const char *buf)
{
    return p->kind == 'i' ? p->inline_buf : buf;
}

static void check_args(const resp_parser *p, const char *buf,
                       const want_arg *want, size_t n)
{
    const char *base = arg_base(p, buf);

    assert_int_equal(p->argc, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p->args[i].len, want[i].n);
        assert_memory_equal(base + p->args[i].off, want[i].p, want[i].n);
    }
}

/* Parse buf as one whole request in four ways and require the same result
 * from each: all at once; every prefix fed to one parser in turn (one
 * byte more each call); and, for every split point k, a fresh parser fed
 * k bytes and then all of them. Every proper prefix must ask for more. */
static void check_request(const char *buf, size_t len, const resp_limits *lim,
                          int want_rc, const want_arg *want, size_t n)
{
    resp_parser p;
    const char *err = NULL;

    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, buf, len, lim, &err), want_rc);
    assert_int_equal(p.pos, len);
    check_args(&p, buf, want, n);
    resp_parser_reset(&p);

    for (size_t k = 0; k < len; k++) {
        assert_int_equal(resp_parse(&p, buf, k, lim, &err), RESP_EUNFIN);
    }
    assert_int_equal(resp_parse(&p, buf, len, lim, &err), want_rc);
    assert_int_equal(p.pos, len);
    check_args(&p, buf, want, n);
    resp_parser_deinit(&p);

    for (size_t k = 1; k < len; k++) {
        /* Copy the prefix so ASan catches any read past what was given. */
        char *prefix = malloc(k);
        memcpy(prefix, buf, k);
        resp_parser_init(&p);
        assert_int_equal(resp_parse(&p, prefix, k, lim, &err), RESP_EUNFIN);
        free(prefix);
        assert_int_equal(resp_parse(&p, buf, len, lim, &err), want_rc);
        assert_int_equal(p.pos, len);
        check_args(&p, buf, want, n);
        resp_parser_deinit(&p);
    }
}

#define CHECK_OK(req, ...)                                                     \
    do {                                                                       \
        static const want_arg w_[] = {__VA_ARGS__};                            \
        check_request((req), sizeof(req) - 1, &open_lim, RESP_OK, w_,          \
                      sizeof(w_) / sizeof(w_[0]));                             \
    } while (0)

#define CHECK_EMPTY(req)                                                       \
    check_request((req), sizeof(req) - 1, &open_lim, RESP_EMPTY, NULL, 0)

/* Feed buf whole and require RESP_EINVALID with exactly msg. Also feed
 * every prefix first: none may fail early with a different message. */
static void check_error_lim(const char *buf, size_t len, const resp_limits *lim,
                            const char *msg)
{
    resp_parser p;
    const char *err = NULL;

    resp_parser_init(&p);
    for (size_t k = 0; k < len; k++) {
        err = NULL;
        int rc = resp_parse(&p, buf, k, lim, &err);
        if (rc == RESP_EINVALID) {
            assert_string_equal(err, msg);
            resp_parser_deinit(&p);
            return;
        }
        assert_int_equal(rc, RESP_EUNFIN);
    }
    err = NULL;
    assert_int_equal(resp_parse(&p, buf, len, lim, &err), RESP_EINVALID);
    assert_non_null(err);
    assert_string_equal(err, msg);
    resp_parser_deinit(&p);
}

#define CHECK_ERROR(req, msg)                                                  \
    check_error_lim((req), sizeof(req) - 1, &open_lim, (msg))

/* buf is incomplete: every prefix and the whole give RESP_EUNFIN. */
static void check_unfinished(const char *buf, size_t len,
                             const resp_limits *lim)
{
    resp_parser p;
    const char *err = NULL;

    resp_parser_init(&p);
    for (size_t k = 0; k <= len; k++) {
        assert_int_equal(resp_parse(&p, buf, k, lim, &err), RESP_EUNFIN);
    }
    resp_parser_deinit(&p);
}

#define CHECK_UNFIN(req) check_unfinished((req), sizeof(req) - 1, &open_lim)

/* ---- multibulk ---- */

static void test_multibulk_basic(void **state)
{
    (void)state;
    CHECK_OK("*1\r\n$4\r\nPING\r\n", ARG("PING"));
    CHECK_OK("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", ARG("SET"),
             ARG("key"), ARG("value"));
    CHECK_OK("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", ARG("GET"), ARG(""));
    CHECK_OK("*1\r\n$10\r\n0123456789\r\n", ARG("0123456789"));
}

static void test_multibulk_binary(void **state)
{
    (void)state;
    /* NULs, CR, LF and CRLF inside a bulk are payload, not framing. */
    CHECK_OK("*3\r\n$3\r\nSET\r\n$5\r\nk\0e\0y\r\n$8\r\n\r\n\0\r\n\n\r\xff\r\n",
             ARG("SET"), ARG("k\0e\0y"), ARG("\r\n\0\r\n\n\r\xff"));
    CHECK_OK("*1\r\n$2\r\n\r\n\r\n", ARG("\r\n"));
    CHECK_OK("*2\r\n$1\r\n*\r\n$1\r\n$\r\n", ARG("*"), ARG("$"));
}

static void test_multibulk_all_bytes(void **state)
{
    char req[600];
    char payload[256];
    (void)state;

    for (int i = 0; i < 256; i++) {
        payload[i] = (char)i;
    }
    int n = snprintf(req, sizeof(req), "*2\r\n$4\r\nECHO\r\n$256\r\n");
    memcpy(req + n, payload, 256);
    memcpy(req + n + 256, "\r\n", 2);
    want_arg w[] = {ARG("ECHO"), {payload, 256}};
    check_request(req, (size_t)n + 258, &open_lim, RESP_OK, w, 2);
}

static void test_multibulk_trailer_unchecked(void **state)
{
    resp_parser p;
    const char *err;
    (void)state;

    /* Redis skips the two bytes after a payload and after a header's '\r'
     * without looking at them; so do we (the args are what Redis sees). */
    resp_parser_init(&p);
    static const char a[] = "*1\r\n$3\r\nfooXY";
    assert_int_equal(resp_parse(&p, a, sizeof(a) - 1, &open_lim, &err),
                     RESP_OK);
    want_arg wa[] = {ARG("foo")};
    check_args(&p, a, wa, 1);
    resp_parser_reset(&p);
    static const char b[] = "*1\rX$4\r\nPING\r\n";
    assert_int_equal(resp_parse(&p, b, sizeof(b) - 1, &open_lim, &err),
                     RESP_OK);
    want_arg wb[] = {ARG("PING")};
    check_args(&p, b, wb, 1);
    resp_parser_deinit(&p);
}

static void test_pipeline(void **state)
{
    static const char buf[] = "*1\r\n$4\r\nPING\r\n"
                              "\r\n"
                              "*0\r\n"
                              "SET a \"b c\"\r\n"
                              "*-1\r\n"
                              "*2\r\n$4\r\nECHO\r\n$3\r\nx\0y\r\n"
                              "PING\n";
    static const struct {
        int rc;
        size_t argc;
        want_arg args[3];
    } want[] = {
        {RESP_OK, 1, {ARG("PING")}},
        {RESP_EMPTY, 0, {{NULL, 0}}},
        {RESP_EMPTY, 0, {{NULL, 0}}},
        {RESP_OK, 3, {ARG("SET"), ARG("a"), ARG("b c")}},
        {RESP_EMPTY, 0, {{NULL, 0}}},
        {RESP_OK, 2, {ARG("ECHO"), ARG("x\0y")}},
        {RESP_OK, 1, {ARG("PING")}},
    };
    resp_parser p;
    const char *err;
    size_t at = 0;
    (void)state;

    resp_parser_init(&p);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int rc =
            resp_parse(&p, buf + at, sizeof(buf) - 1 - at, &open_lim, &err);
        assert_int_equal(rc, want[i].rc);
        check_args(&p, buf + at, want[i].args, want[i].argc);
        at += p.pos;
        resp_parser_reset(&p);
    }
    assert_int_equal(at, sizeof(buf) - 1);
    assert_int_equal(resp_parse(&p, buf + at, 0, &open_lim, &err), RESP_EUNFIN);
    resp_parser_deinit(&p);
}

/* A request is parsed again from its start after a reset (CLIENT PAUSE
 * holds a parsed request and parses it again later). */
static void test_reparse_after_reset(void **state)
{
    static const char buf[] = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
    resp_parser p;
    const char *err;
    want_arg w[] = {ARG("ECHO"), ARG("hello")};
    (void)state;

    resp_parser_init(&p);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(resp_parse(&p, buf, 20, &open_lim, &err), RESP_EUNFIN);
        assert_int_equal(resp_parse(&p, buf, sizeof(buf) - 1, &open_lim, &err),
                         RESP_OK);
        check_args(&p, buf, w, 2);
        resp_parser_reset(&p);
    }
    resp_parser_deinit(&p);
}

static void test_many_args(void **state)
{
    const size_t n = 5000;
    size_t cap = n * 16 + 32, len = 0;
    char *buf = malloc(cap);
    resp_parser p;
    const char *err;
    (void)state;

    len += (size_t)snprintf(buf + len, cap - len, "*%zu\r\n", n);
    for (size_t i = 0; i < n; i++) {
        char a[16];
        int an = snprintf(a, sizeof(a), "%zu", i);
        len += (size_t)snprintf(buf + len, cap - len, "$%d\r\n%s\r\n", an, a);
    }
    resp_parser_init(&p);
    /* Fed in small pieces, as a slow client would. */
    for (size_t k = 0; k < len; k += 7) {
        assert_int_equal(resp_parse(&p, buf, k, &open_lim, &err), RESP_EUNFIN);
    }
    assert_int_equal(resp_parse(&p, buf, len, &open_lim, &err), RESP_OK);
    assert_int_equal(p.argc, n);
    for (size_t i = 0; i < n; i++) {
        char a[16];
        int an = snprintf(a, sizeof(a), "%zu", i);
        assert_int_equal(p.args[i].len, (size_t)an);
        assert_memory_equal(buf + p.args[i].off, a, (size_t)an);
    }
    resp_parser_deinit(&p);
    free(buf);
}

/* ---- empty requests ---- */

static void test_empty(void **state)
{
    (void)state;
    CHECK_EMPTY("*0\r\n");
    CHECK_EMPTY("*-1\r\n");
    CHECK_EMPTY("*-5\r\n");
    CHECK_EMPTY("*-2147483649\r\n");
    CHECK_EMPTY("*-9223372036854775808\r\n");
    CHECK_EMPTY("\r\n");
    CHECK_EMPTY("\n");
    CHECK_EMPTY("   \r\n");
    CHECK_EMPTY(" \t \x0b\x0c \n");
    CHECK_EMPTY("\r\r\n");
}

/* ---- multibulk errors ---- */

static void test_multibulk_count_errors(void **state)
{
    const char *inv = "Protocol error: invalid multibulk length";
    (void)state;

    CHECK_ERROR("*abc\r\n", inv);
    CHECK_ERROR("*\r\n", inv);
    CHECK_ERROR("*+1\r\n", inv);
    CHECK_ERROR("*01\r\n", inv);
    CHECK_ERROR("* 1\r\n", inv);
    CHECK_ERROR("*1 \r\n", inv);
    CHECK_ERROR("*-0\r\n", inv);
    CHECK_ERROR("*1.0\r\n", inv);
    CHECK_ERROR("*0x10\r\n", inv);
    CHECK_ERROR("*2147483648\r\n", inv);
    CHECK_ERROR("*9223372036854775807\r\n", inv);
    CHECK_ERROR("*9223372036854775808\r\n", inv);
    CHECK_ERROR("*99999999999999999999999\r\n", inv);
    CHECK_ERROR("*-99999999999999999999999\r\n", inv);
    CHECK_ERROR("*-9223372036854775809\r\n", inv);
}

static void test_multibulk_huge_count_is_lazy(void **state)
{
    resp_parser p;
    const char *err;
    (void)state;

    /* INT_MAX arguments announced: accepted, and nothing is reserved for
     * them until they arrive. */
    resp_parser_init(&p);
    static const char a[] = "*2147483647\r\n$1\r\na\r\n";
    assert_int_equal(resp_parse(&p, a, sizeof(a) - 1, &open_lim, &err),
                     RESP_EUNFIN);
    assert_int_equal(p.argc, 1);
    assert_true(p.cap < 1024);
    resp_parser_deinit(&p);
}

static void test_bulk_header_errors(void **state)
{
    const char *inv = "Protocol error: invalid bulk length";
    (void)state;

    CHECK_ERROR("*1\r\n+foo\r\n", "Protocol error: expected '$', got '+'");
    CHECK_ERROR("*1\r\n:4\r\nPING\r\n",
                "Protocol error: expected '$', got ':'");
    CHECK_ERROR("*2\r\n$4\r\nECHO\r\nx\r\n",
                "Protocol error: expected '$', got 'x'");
    CHECK_ERROR("*1\r\n*1\r\n", "Protocol error: expected '$', got '*'");
    /* The reply layer turns CR/LF into spaces, as Redis does. */
    CHECK_ERROR("*1\r\n\r\n", "Protocol error: expected '$', got '\r'");
    CHECK_ERROR("*1\r\n\n\r\n", "Protocol error: expected '$', got '\n'");
    CHECK_ERROR("*1\r\n$-5\r\n", inv);
    CHECK_ERROR("*1\r\n$-1\r\n", inv);
    CHECK_ERROR("*1\r\n$-0\r\n", inv);
    CHECK_ERROR("*1\r\n$\r\n", inv);
    CHECK_ERROR("*1\r\n$abc\r\n", inv);
    CHECK_ERROR("*1\r\n$+4\r\nPING\r\n", inv);
    CHECK_ERROR("*1\r\n$04\r\nPING\r\n", inv);
    CHECK_ERROR("*1\r\n$ 4\r\nPING\r\n", inv);
    CHECK_ERROR("*1\r\n$4 \r\nPING\r\n", inv);
    CHECK_ERROR("*1\r\n$600000000\r\n", inv);
    CHECK_ERROR("*1\r\n$536870913\r\n", inv);
    CHECK_ERROR("*1\r\n$99999999999999999999999\r\n", inv);
    CHECK_ERROR("*1\r\n$9223372036854775808\r\n", inv);
    /* The error comes after the good arguments before it. */
    CHECK_ERROR("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$x\r\n", inv);
}

static void test_bulk_len_limit(void **state)
{
    resp_parser p;
    const char *err;
    (void)state;

    /* Exactly proto-max-bulk-len is allowed: it waits for the payload. */
    CHECK_UNFIN("*1\r\n$536870912\r\n");
    /* A smaller configured limit. */
    resp_limits small = {1024 * 1024, 0};
    static const char ok[] = "*1\r\n$1048576\r\n";
    static const char bad[] = "*1\r\n$1048577\r\n";
    check_unfinished(ok, sizeof(ok) - 1, &small);
    check_error_lim(bad, sizeof(bad) - 1, &small,
                    "Protocol error: invalid bulk length");
    /* Nothing is reserved for an announced payload. */
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, ok, sizeof(ok) - 1, &small, &err),
                     RESP_EUNFIN);
    assert_int_equal(p.bulk_len, 1048576);
    assert_int_equal(p.argc, 0);
    resp_parser_deinit(&p);
}

/* A header is judged only when its line is complete. */
static void test_header_waits_for_line(void **state)
{
    (void)state;
    CHECK_UNFIN("*1\r\nx");
    CHECK_UNFIN("*1\r\nxyz\r");
    CHECK_UNFIN("*1\r\n$abc");
    CHECK_UNFIN("*1\r\n$abc\r");
    CHECK_UNFIN("*abc");
    CHECK_UNFIN("*abc\r");
    /* LF alone does not end a header: the line runs to the next CR. */
    CHECK_ERROR("*1\n$4\r\nPING\r\n",
                "Protocol error: invalid multibulk length");
    CHECK_UNFIN("*1\r\n$4\r\nPIN");
    CHECK_UNFIN("*1\r\n$4\r\nPING");
    CHECK_UNFIN("*1\r\n$4\r\nPING\r");
}

/* Redis finds '\r' and '\n' with strchr: a NUL before them hides them, so
 * such a line looks unfinished (until it grows too big). */
static void test_nul_hides_line_end(void **state)
{
    (void)state;
    CHECK_UNFIN("*1\0\r\n");
    CHECK_UNFIN("*1\r\n$4\0\r\nPING\r\n");
    CHECK_UNFIN("*1\r\n\0\r\n");
    CHECK_UNFIN("PING\0\r\n");
    CHECK_UNFIN("\0\n");
}

/* buf (len bytes, no line end in it) waits for more up to fail_at - 1
 * bytes, then fails with msg at fail_at bytes. Checked at a stride: each
 * call scans what it was given. */
static void check_too_big(const char *buf, size_t fail_at, const char *msg)
{
    resp_parser p;
    const char *err = NULL;

    resp_parser_init(&p);
    for (size_t k = 0; k < fail_at; k += 1021) {
        assert_int_equal(resp_parse(&p, buf, k, &open_lim, &err), RESP_EUNFIN);
    }
    assert_int_equal(resp_parse(&p, buf, fail_at - 1, &open_lim, &err),
                     RESP_EUNFIN);
    assert_int_equal(resp_parse(&p, buf, fail_at, &open_lim, &err),
                     RESP_EINVALID);
    assert_string_equal(err, msg);
    resp_parser_deinit(&p);
}

static void test_too_big_headers(void **state)
{
    static char buf[RESP_INLINE_MAX + 16];
    size_t n = RESP_INLINE_MAX + 10;
    resp_parser p;
    const char *err;
    (void)state;

    /* No '\r' within 64 KB of the header's start: "too big" as soon as
     * more than 64 KB are there, and not before. */
    buf[0] = '*';
    memset(buf + 1, '1', n - 1);
    check_too_big(buf, RESP_INLINE_MAX + 1,
                  "Protocol error: too big mbulk count string");

    memcpy(buf, "*1\r\n$", 5);
    memset(buf + 5, '1', n - 5);
    check_too_big(buf, 4 + RESP_INLINE_MAX + 1,
                  "Protocol error: too big bulk count string");

    memcpy(buf, "*1\r\n", 4);
    memset(buf + 4, 'x', n - 4);
    check_too_big(buf, 4 + RESP_INLINE_MAX + 1,
                  "Protocol error: too big bulk count string");

    /* A '\r' within reach: then it is just a bad number (Redis too). */
    buf[0] = '*';
    memset(buf + 1, '1', n - 1);
    memcpy(buf + n, "\r\n", 2);
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, buf, n + 2, &open_lim, &err),
                     RESP_EINVALID);
    assert_string_equal(err, "Protocol error: invalid multibulk length");
    resp_parser_deinit(&p);
}

static void test_unauthenticated_limits(void **state)
{
    static const char mb11[] = "*11\r\n";
    static const char mb10[] = "*10\r\n";
    static const char big[] = "*2\r\n$3\r\nSET\r\n$16385\r\n";
    static const char fits[] = "*2\r\n$3\r\nSET\r\n$16384\r\n";
    static const char huge[] = "*1\r\n$600000000\r\n";
    static const char neg[] = "*1\r\n$-1\r\n";
    (void)state;

    check_error_lim(mb11, sizeof(mb11) - 1, &unauth_lim,
                    "Protocol error: unauthenticated multibulk length");
    check_unfinished(mb10, sizeof(mb10) - 1, &unauth_lim);
    check_unfinished(mb11, sizeof(mb11) - 1, &open_lim);
    check_error_lim(big, sizeof(big) - 1, &unauth_lim,
                    "Protocol error: unauthenticated bulk length");
    check_unfinished(fits, sizeof(fits) - 1, &unauth_lim);
    check_unfinished(big, sizeof(big) - 1, &open_lim);
    /* Bad lengths are reported as such first. */
    check_error_lim(huge, sizeof(huge) - 1, &unauth_lim,
                    "Protocol error: invalid bulk length");
    check_error_lim(neg, sizeof(neg) - 1, &unauth_lim,
                    "Protocol error: invalid bulk length");
    static const char inv[] = "*2147483648\r\n";
    check_error_lim(inv, sizeof(inv) - 1, &unauth_lim,
                    "Protocol error: invalid multibulk length");
    /* Inline requests have no such limits. */
    static const char line[] = "a b c d e f g h i j k l m\r\n";
    want_arg w[13];
    for (int i = 0; i < 13; i++) {
        w[i].p = line + 2 * i;
        w[i].n = 1;
    }
    check_request(line, sizeof(line) - 1, &unauth_lim, RESP_OK, w, 13);
}

/* ---- inline ---- */

static void test_inline_basic(void **state)
{
    (void)state;
    CHECK_OK("PING\r\n", ARG("PING"));
    CHECK_OK("PING\n", ARG("PING"));
    CHECK_OK("  SET   key\tvalue  \r\n", ARG("SET"), ARG("key"), ARG("value"));
    CHECK_OK("PING\r\r\n", ARG("PING"));
    /* \v and \f are skipped between arguments but don't end one. */
    CHECK_OK("\x0b PING a\x0b"
             "b\r\n",
             ARG("PING"),
             ARG("a\x0b"
                 "b"));
    CHECK_OK("$4\r\n", ARG("$4"));
    CHECK_OK("+PING\r\n", ARG("+PING"));
}

static void test_inline_quotes(void **state)
{
    (void)state;
    CHECK_OK("SET \"a b\" 'c d'\r\n", ARG("SET"), ARG("a b"), ARG("c d"));
    CHECK_OK("ECHO \"\\x41\\x7a\\x7A\\n\\r\\t\\b\\a\\\\\\\"\"\r\n", ARG("ECHO"),
             ARG("Azz\n\r\t\b\a\\\""));
    CHECK_OK("ECHO \"\\x00\\xff\"\n", ARG("ECHO"), ARG("\0\xff"));
    /* A bad \x escape is a plain escaped 'x'. */
    CHECK_OK("ECHO \"\\x4g\"\r\n", ARG("ECHO"), ARG("x4g"));
    CHECK_OK("ECHO \"\\q\"\r\n", ARG("ECHO"), ARG("q"));
    /* Single quotes only know \'. */
    CHECK_OK("ECHO 'a\\'b' 'c\\nd'\r\n", ARG("ECHO"), ARG("a'b"), ARG("c\\nd"));
    CHECK_OK("ECHO \"\" ''\r\n", ARG("ECHO"), ARG(""), ARG(""));
    /* A quote inside an unquoted word opens a quoted part of it. */
    CHECK_OK("ECHO a\"b c\"\r\n", ARG("ECHO"), ARG("ab c"));
    CHECK_OK("ECHO \"a\"\t'b'\r\n", ARG("ECHO"), ARG("a"), ARG("b"));
    CHECK_OK("ECHO \"a'b\" 'a\"b'\r\n", ARG("ECHO"), ARG("a'b"), ARG("a\"b"));
}

static void test_inline_unbalanced(void **state)
{
    const char *unb = "Protocol error: unbalanced quotes in request";
    (void)state;

    CHECK_ERROR("SET \"abc\r\n", unb);
    CHECK_ERROR("SET 'abc\r\n", unb);
    CHECK_ERROR("SET \"\r\n", unb);
    CHECK_ERROR("ECHO \"a\"b\r\n", unb);
    CHECK_ERROR("ECHO 'a'b\r\n", unb);
    CHECK_ERROR("ECHO a\"b c\"d\r\n", unb);
    CHECK_ERROR("ECHO \"a\\\"\r\n", unb);
    CHECK_ERROR("ECHO 'a\\'\r\n", unb);
    CHECK_ERROR("ECHO \"abc\\\r\n", unb);
}

static void test_inline_too_big(void **state)
{
    static char buf[RESP_INLINE_MAX + 16];
    size_t n = RESP_INLINE_MAX + 1;
    resp_parser p;
    const char *err;
    (void)state;

    memset(buf, 'a', n);
    check_too_big(buf, RESP_INLINE_MAX + 1,
                  "Protocol error: too big inline request");
    /* A long line that arrives whole is fine. */
    buf[n] = '\n';
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, buf, n + 1, &open_lim, &err), RESP_OK);
    assert_int_equal(p.argc, 1);
    assert_int_equal(p.args[0].len, n);
    /* The inline storage is given back on reset when it grew big. */
    resp_parser_reset(&p);
    assert_null(p.inline_buf);
    resp_parser_deinit(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multibulk_basic),
        cmocka_unit_test(test_multibulk_binary),
        cmocka_unit_test(test_multibulk_all_bytes),
        cmocka_unit_test(test_multibulk_trailer_unchecked),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_reparse_after_reset),
        cmocka_unit_test(test_many_args),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_multibulk_count_errors),
        cmocka_unit_test(test_multibulk_huge_count_is_lazy),
        cmocka_unit_test(test_bulk_header_errors),
        cmocka_unit_test(test_bulk_len_limit),
        cmocka_unit_test(test_header_waits_for_line),
        cmocka_unit_test(test_nul_hides_line_end),
        cmocka_unit_test(test_too_big_headers),
        cmocka_unit_test(test_unauthenticated_limits),
        cmocka_unit_test(test_inline_basic),
        cmocka_unit_test(test_inline_quotes),
        cmocka_unit_test(test_inline_unbalanced),
        cmocka_unit_test(test_inline_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
