/* util: number parsing/formatting with Redis's rules, glob matching,
 * argument splitting, CRC16 key slots, clocks and randomness. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

int util_str2ull(const char *s, size_t len, unsigned long long *out)
{
    unsigned long long v = 0;

    if (len == 0 || len >= LONG_STR_SIZE) {
        return -1;
    }
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 0;
    }
    if (s[0] < '1' || s[0] > '9') {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int util_str2ll(const char *s, size_t len, long long *out)
{
    unsigned long long v;

    if (len == 0) {
        return -1;
    }
    if (s[0] == '-') {
        if (util_str2ull(s + 1, len - 1, &v) != 0 || (len == 2 && s[1] == '0')) {
            return -1;
        }
        if (v > (unsigned long long)LLONG_MAX + 1) {
            return -1;
        }
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                       : -(long long)v;
        return 0;
    }
    if (util_str2ull(s, len, &v) != 0 || v > (unsigned long long)LLONG_MAX) {
        return -1;
    }
    *out = (long long)v;
    return 0;
}

int util_str2d(const char *s, size_t len, double *out)
{
    char buf[MAX_D2STR_CHARS * 40];
    char *end;

    if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0])) {
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if ((size_t)(end - buf) != len ||
        (errno == ERANGE &&
         (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) ||
        isnan(v)) {
        return -1;
    }
    *out = v;
    return 0;
}

int util_str2ld(const char *s, size_t len, long double *out)
{
    char buf[5 * 1024];
    char *end;

    if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0])) {
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    long double v = strtold(buf, &end);
    if ((size_t)(end - buf) != len ||
        (errno == ERANGE &&
         (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) ||
        errno == EINVAL || isnan(v)) {
        return -1;
    }
    *out = v;
    return 0;
}

int util_ull2str(char *buf, size_t size, unsigned long long v)
{
    char tmp[LONG_STR_SIZE];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if ((size_t)n + 1 > size) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    buf[n] = '\0';
    return n;
}

int util_ll2str(char *buf, size_t size, long long v)
{
    if (v >= 0) {
        return util_ull2str(buf, size, (unsigned long long)v);
    }
    if (size < 2) {
        return 0;
    }
    unsigned long long u = (unsigned long long)(-(v + 1)) + 1;
    buf[0] = '-';
    int n = util_ull2str(buf + 1, size - 1, u);
    return n == 0 ? 0 : n + 1;
}

int util_d2str(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        return snprintf(buf, size, "nan");
    }
    if (isinf(v)) {
        return snprintf(buf, size, v > 0 ? "inf" : "-inf");
    }
    if (v == 0) {
        return snprintf(buf, size, signbit(v) ? "-0" : "0");
    }
    /* Integers that a double holds exactly print without an exponent. */
    if (v > -4503599627370495.0 && v < 4503599627370496.0 &&
        v == (double)(long long)v) {
        return util_ll2str(buf, size, (long long)v);
    }
    return snprintf(buf, size, "%.17g", v);
}

int util_ld2str(char *buf, size_t size, long double v, int humanfriendly)
{
    int n;

    if (isinf(v)) {
        if (size < 5) {
            return 0;
        }
        return snprintf(buf, size, v > 0 ? "inf" : "-inf");
    }
    if (!humanfriendly) {
        n = snprintf(buf, size, "%.17Lg", v);
        return n < 0 || (size_t)n + 1 > size ? 0 : n;
    }
    n = snprintf(buf, size, "%.17Lf", v);
    if (n < 0 || (size_t)n + 1 > size) {
        return 0;
    }
    if (strchr(buf, '.') != NULL) {
        char *p = buf + n - 1;
        while (*p == '0') {
            p--;
            n--;
        }
        if (*p == '.') {
            n--;
        }
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        n = 1;
    }
    buf[n] = '\0';
    return n;
}

static int fold(int c, int nocase)
{
    return nocase ? tolower(c) : c;
}

/* Match the [class] at *pp against c; advances *pp past it. Returns 1 if
 * c matches. The quirks are Redis's, kept so KEYS and SCAN MATCH select
 * the same keys: an escaped byte compares case-sensitively even with
 * nocase; "x-y" is a range whenever two more bytes follow the 'x', even
 * if the 'y' is the closing ']' (so "[a-]" runs on past that ']'); range
 * ends are signed chars, swapped if reversed, then folded; an unterminated
 * class runs to the end of the pattern. */
static int match_class(const char **pp, const char *pend, int c, int nocase)
{
    const char *p = *pp + 1; /* after '[' */
    int negate = 0, hit = 0;

    if (p < pend && *p == '^') {
        negate = 1;
        p++;
    }
    while (p < pend) {
        if (*p == '\\' && pend - p >= 2) {
            p++;
            if ((unsigned char)*p == c) {
                hit = 1;
            }
        } else if (*p == ']') {
            break;
        } else if (pend - p >= 3 && p[1] == '-') {
            int lo = (signed char)p[0], hi = (signed char)p[2];
            int x = (signed char)c;
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            if (nocase) {
                lo = lo < 0 ? lo : tolower(lo);
                hi = hi < 0 ? hi : tolower(hi);
                x = x < 0 ? x : tolower(x);
            }
            if (x >= lo && x <= hi) {
                hit = 1;
            }
            p += 2;
        } else if (fold((unsigned char)*p, nocase) == fold(c, nocase)) {
            hit = 1;
        }
        p++;
    }
    *pp = p < pend ? p + 1 : pend;
    return negate ? !hit : hit;
}

int util_glob_match(const char *pat, size_t plen, const char *s, size_t slen,
                    int nocase)
{
    const char *p = pat, *pend = pat + plen;
    const char *sp = s, *send = s + slen;
    const char *star_p = NULL, *star_s = NULL;

    /* Redis matches nothing but the empty pattern against an empty string
     * (so "*" does not match the empty key: KEYS * only does by a
     * shortcut that skips matching). */
    if (slen == 0) {
        return plen == 0;
    }
    while (sp < send) {
        if (p < pend && *p == '*') {
            while (p < pend && *p == '*') {
                p++;
            }
            if (p == pend) {
                return 1;
            }
            star_p = p;
            star_s = sp;
            continue;
        }
        if (p < pend) {
            const char *next = p;
            int ok;
            if (*p == '?') {
                ok = 1;
                next = p + 1;
            } else if (*p == '[') {
                ok = match_class(&next, pend, (unsigned char)*sp, nocase);
            } else if (*p == '\\' && p + 1 < pend) {
                ok = fold((unsigned char)p[1], nocase) ==
                     fold((unsigned char)*sp, nocase);
                next = p + 2;
            } else {
                ok = fold((unsigned char)*p, nocase) ==
                     fold((unsigned char)*sp, nocase);
                next = p + 1;
            }
            if (ok) {
                p = next;
                sp++;
                continue;
            }
        }
        if (star_p == NULL) {
            return 0;
        }
        /* Backtrack: let the last star swallow one more byte. */
        p = star_p;
        sp = ++star_s;
    }
    while (p < pend && *p == '*') {
        p++;
    }
    return p == pend;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

void util_free_args(str *argv, int argc)
{
    if (argv == NULL) {
        return;
    }
    for (int i = 0; i < argc; i++) {
        str_free(argv[i]);
    }
    mem_free(argv);
}

str *util_split_args(const char *line, size_t len, int *argc)
{
    const char *p = line, *end = line + len;
    str *argv = NULL;
    int n = 0, cap = 0;

    *argc = 0;
    for (;;) {
        while (p < end && *p != '\0' && isspace((unsigned char)*p)) {
            p++;
        }
        if (p >= end || *p == '\0') {
            break;
        }
        int inq = 0, insq = 0, done = 0;
        str cur = str_empty();
        while (!done) {
            int at_end = p >= end || *p == '\0';
            if (inq) {
                if (at_end) {
                    goto err_cur;
                }
                if (*p == '\\' && p + 3 < end && p[1] == 'x' &&
                    hexval((unsigned char)p[2]) >= 0 &&
                    hexval((unsigned char)p[3]) >= 0) {
                    char c = (char)(hexval((unsigned char)p[2]) * 16 +
                                    hexval((unsigned char)p[3]));
                    cur = str_cat(cur, &c, 1);
                    p += 3;
                } else if (*p == '\\' && p + 1 < end) {
                    char c;
                    p++;
                    switch (*p) {
                    case 'n': c = '\n'; break;
                    case 'r': c = '\r'; break;
                    case 't': c = '\t'; break;
                    case 'b': c = '\b'; break;
                    case 'a': c = '\a'; break;
                    default: c = *p; break;
                    }
                    cur = str_cat(cur, &c, 1);
                } else if (*p == '"') {
                    /* A closing quote must end the argument. */
                    if (p + 1 < end && p[1] != '\0' &&
                        !isspace((unsigned char)p[1])) {
                        goto err_cur;
                    }
                    done = 1;
                } else {
                    cur = str_cat(cur, p, 1);
                }
            } else if (insq) {
                if (at_end) {
                    goto err_cur;
                }
                if (*p == '\\' && p + 1 < end && p[1] == '\'') {
                    p++;
                    cur = str_cat(cur, "'", 1);
                } else if (*p == '\'') {
                    if (p + 1 < end && p[1] != '\0' &&
                        !isspace((unsigned char)p[1])) {
                        goto err_cur;
                    }
                    done = 1;
                } else {
                    cur = str_cat(cur, p, 1);
                }
            } else {
                if (at_end) {
                    break;
                }
                switch (*p) {
                case ' ':
                case '\n':
                case '\r':
                case '\t':
                    done = 1;
                    break;
                case '"':
                    inq = 1;
                    break;
                case '\'':
                    insq = 1;
                    break;
                default:
                    cur = str_cat(cur, p, 1);
                    break;
                }
            }
            if (p < end) {
                p++;
            }
        }
        if (n == cap) {
            cap = cap == 0 ? 8 : cap * 2;
            argv = mem_realloc(argv, sizeof(str) * (size_t)cap);
        }
        argv[n++] = cur;
        continue;
    err_cur:
        str_free(cur);
        util_free_args(argv, n);
        *argc = 0;
        return NULL;
    }
    if (argv == NULL) {
        argv = mem_alloc(sizeof(str));
    }
    *argc = n;
    return argv;
}

static uint16_t crc16_table[256];
static int crc16_ready;

static void crc16_setup(void)
{
    for (int i = 0; i < 256; i++) {
        uint16_t crc = (uint16_t)(i << 8);
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021)
                                 : (uint16_t)(crc << 1);
        }
        crc16_table[i] = crc;
    }
    crc16_ready = 1;
}

uint16_t util_crc16(const char *buf, size_t len)
{
    uint16_t crc = 0;

    if (!crc16_ready) {
        crc16_setup();
    }
    for (size_t i = 0; i < len; i++) {
        crc = (uint16_t)((crc << 8) ^
                         crc16_table[((crc >> 8) ^ (uint8_t)buf[i]) & 0xff]);
    }
    return crc;
}

unsigned util_key_slot(const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);

    if (open != NULL) {
        size_t off = (size_t)(open - key) + 1;
        const char *close = memchr(key + off, '}', len - off);
        if (close != NULL && close != key + off) {
            return util_crc16(key + off, (size_t)(close - (key + off))) &
                   16383;
        }
    }
    return util_crc16(key, len) & 16383;
}

long long util_ustime(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

long long util_mstime(void)
{
    return util_ustime() / 1000;
}

long long util_monotonic_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void util_random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = getrandom(p + got, len - got, 0);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    if (got < len) {
        unsigned long long x = (unsigned long long)util_ustime() ^
                               ((unsigned long long)getpid() << 32);
        for (; got < len; got++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            p[got] = (unsigned char)(x >> 56);
        }
    }
}

void util_random_hex(char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];

    if (len > sizeof(raw)) {
        len = sizeof(raw);
    }
    util_random_bytes(raw, len);
    for (size_t i = 0; i < len; i++) {
        buf[i] = hex[raw[i] & 15];
    }
    buf[len] = '\0';
}

/* ---- partial quicksort ---- */

/* Bentley and McIlroy's quicksort ("Engineering a Sort Function", 1993),
 * the algorithm of the BSD libc qsort, which stops descending into parts
 * that lie wholly outside [lo, hi]. redis-server orders GEOSEARCH ... COUNT
 * results with this same algorithm; elements that compare equal end up in
 * the order it leaves them, so ours must take the same steps. */
static void pq_swap(char *a, char *b, size_t n)
{
    while (n-- > 0) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static char *pq_med3(char *a, char *b, char *c, util_cmp_fn *cmp)
{
    if (cmp(a, b) < 0) {
        return cmp(b, c) < 0 ? b : (cmp(a, c) < 0 ? c : a);
    }
    return cmp(b, c) > 0 ? b : (cmp(a, c) < 0 ? a : c);
}

static void pq_insertion(char *a, size_t n, size_t es, util_cmp_fn *cmp)
{
    for (char *m = a + es; m < a + n * es; m += es) {
        for (char *l = m; l > a && cmp(l - es, l) > 0; l -= es) {
            pq_swap(l, l - es, es);
        }
    }
}

static int pq_outside(const char *l, const char *r, const char *lo,
                      const char *hi)
{
    return (lo < l && hi < l) || (lo > r && hi > r);
}

static void pq_sort(char *a, size_t n, size_t es, util_cmp_fn *cmp,
                    const char *lo, const char *hi)
{
    for (;;) {
        int swapped = 0;
        if (n < 7) {
            pq_insertion(a, n, es, cmp);
            return;
        }
        char *m = a + (n / 2) * es;
        if (n > 7) {
            char *l = a, *h = a + (n - 1) * es;
            if (n > 40) {
                size_t d = (n / 8) * es;
                l = pq_med3(l, l + d, l + 2 * d, cmp);
                m = pq_med3(m - d, m, m + d, cmp);
                h = pq_med3(h - 2 * d, h - d, h, cmp);
            }
            m = pq_med3(l, m, h, cmp);
        }
        pq_swap(a, m, es);
        char *pa = a + es, *pb = a + es;
        char *pc = a + (n - 1) * es, *pd = pc;
        for (;;) {
            int r;
            while (pb <= pc && (r = cmp(pb, a)) <= 0) {
                if (r == 0) {
                    swapped = 1;
                    pq_swap(pa, pb, es);
                    pa += es;
                }
                pb += es;
            }
            while (pb <= pc && (r = cmp(pc, a)) >= 0) {
                if (r == 0) {
                    swapped = 1;
                    pq_swap(pc, pd, es);
                    pd -= es;
                }
                pc -= es;
            }
            if (pb > pc) {
                break;
            }
            pq_swap(pb, pc, es);
            swapped = 1;
            pb += es;
            pc -= es;
        }
        if (!swapped) {
            pq_insertion(a, n, es, cmp);
            return;
        }
        char *pn = a + n * es;
        size_t r = (size_t)(pa - a) < (size_t)(pb - pa) ? (size_t)(pa - a)
                                                          : (size_t)(pb - pa);
        pq_swap(a, pb - r, r);
        r = (size_t)(pd - pc) < (size_t)(pn - pd) - es
                ? (size_t)(pd - pc)
                : (size_t)(pn - pd) - es;
        pq_swap(pb, pn - r, r);
        if ((r = (size_t)(pb - pa)) > es &&
            !pq_outside(a, a + r - 1, lo, hi)) {
            pq_sort(a, r / es, es, cmp, lo, hi);
        }
        if ((r = (size_t)(pd - pc)) <= es) {
            return;
        }
        a = pn - r;
        n = r / es;
        if (pq_outside(a, a + r - 1, lo, hi)) {
            return;
        }
    }
}

void util_partial_sort(void *base, size_t n, size_t es, util_cmp_fn *cmp,
                       size_t lo, size_t hi)
{
    char *a = base;

    pq_sort(a, n, es, cmp, a + lo * es, a + hi * es);
}
