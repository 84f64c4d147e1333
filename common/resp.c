/* resp: incremental request parser (RESP2 multibulk and inline). */
#include "resp.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "util.h"

void resp_parser_init(resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->bulk_len = -1;
}

void resp_parser_deinit(resp_parser *p)
{
    mem_free(p->args);
    str_free(p->inline_buf);
    resp_parser_init(p);
}

void resp_parser_reset(resp_parser *p)
{
    p->kind = 0;
    p->mb_left = 0;
    p->bulk_len = -1;
    p->pos = 0;
    p->argc = 0;
    if (p->inline_buf != NULL && str_alloc_size(p->inline_buf) > 4096) {
        str_free(p->inline_buf);
        p->inline_buf = NULL;
    }
}

static void push_arg(resp_parser *p, size_t off, size_t len)
{
    if (p->argc == p->cap) {
        p->cap = p->cap == 0 ? 8 : p->cap * 2;
        p->args = mem_realloc(p->args, p->cap * sizeof(resp_span));
    }
    p->args[p->argc].off = off;
    p->args[p->argc].len = len;
    p->argc++;
}

/* Redis finds line ends with strchr on its NUL-terminated buffer, so a NUL
 * byte before the terminator hides it: the line then looks unfinished.
 * Returns the offset of the first ch in buf[0..len), or -1 if none is
 * visible that way. */
static ptrdiff_t visible_chr(const char *buf, size_t len, char ch)
{
    const char *hit = memchr(buf, ch, len);

    if (hit == NULL || memchr(buf, '\0', (size_t)(hit - buf)) != NULL) {
        return -1;
    }
    return hit - buf;
}

static int parse_inline(resp_parser *p, const char *buf, size_t len,
                        const char **err)
{
    ptrdiff_t nl = visible_chr(buf, len, '\n');

    if (nl < 0) {
        if (len > RESP_INLINE_MAX) {
            *err = "Protocol error: too big inline request";
            return RESP_EINVALID;
        }
        return RESP_EUNFIN;
    }
    size_t linelen = (size_t)nl;
    p->pos = linelen + 1;
    if (linelen > 0 && buf[linelen - 1] == '\r') {
        linelen--;
    }
    int argc;
    str *argv = util_split_args(buf, linelen, &argc);
    if (argv == NULL) {
        *err = "Protocol error: unbalanced quotes in request";
        return RESP_EINVALID;
    }
    p->kind = 'i';
    if (p->inline_buf == NULL) {
        p->inline_buf = str_empty();
    }
    str_clear(p->inline_buf);
    for (int i = 0; i < argc; i++) {
        push_arg(p, str_len(p->inline_buf), str_len(argv[i]));
        p->inline_buf = str_cat(p->inline_buf, argv[i], str_len(argv[i]));
    }
    util_free_args(argv, argc);
    return argc == 0 ? RESP_EMPTY : RESP_OK;
}

/* The header line ("*N" or "$N") at buf[pos..len). Returns RESP_OK with
 * *n, the line's length before its '\r'; RESP_EUNFIN until the '\r' and
 * one more byte have arrived (like Redis, that byte is skipped unchecked);
 * RESP_EINVALID if no '\r' shows up within RESP_INLINE_MAX bytes. */
static int header_line(const char *buf, size_t len, size_t pos, size_t *n)
{
    size_t avail = len - pos;
    ptrdiff_t cr = visible_chr(buf + pos, avail, '\r');

    if (cr < 0) {
        return avail > RESP_INLINE_MAX ? RESP_EINVALID : RESP_EUNFIN;
    }
    if ((size_t)cr + 2 > avail) {
        return RESP_EUNFIN;
    }
    *n = (size_t)cr;
    return RESP_OK;
}

int resp_parse(resp_parser *p, const char *buf, size_t len,
               const resp_limits *lim, const char **err)
{
    /* Room for the one message that quotes input; static because *err
     * must outlive the call (one parser runs at a time per process). */
    static char expected[64];
    long long ll;
    size_t n;
    int rc;

    if (len == 0) {
        return RESP_EUNFIN;
    }
    if (p->kind == 0) {
        if (buf[0] != '*') {
            return parse_inline(p, buf, len, err);
        }
        rc = header_line(buf, len, 0, &n);
        if (rc == RESP_EUNFIN) {
            return rc;
        }
        if (rc == RESP_EINVALID) {
            *err = "Protocol error: too big mbulk count string";
            return rc;
        }
        if (util_str2ll(buf + 1, n - 1, &ll) != 0 || ll > INT_MAX) {
            *err = "Protocol error: invalid multibulk length";
            return RESP_EINVALID;
        }
        if (ll > 10 && lim->unauthenticated) {
            *err = "Protocol error: unauthenticated multibulk length";
            return RESP_EINVALID;
        }
        p->pos = n + 2;
        if (ll <= 0) {
            return RESP_EMPTY;
        }
        p->kind = '*';
        p->mb_left = ll;
        p->bulk_len = -1;
        p->argc = 0;
    }
    while (p->mb_left > 0) {
        if (p->bulk_len == -1) {
            /* Like Redis, judge the line only once it is complete. */
            rc = header_line(buf, len, p->pos, &n);
            if (rc == RESP_EUNFIN) {
                return rc;
            }
            if (rc == RESP_EINVALID) {
                *err = "Protocol error: too big bulk count string";
                return rc;
            }
            if (buf[p->pos] != '$') {
                snprintf(expected, sizeof(expected),
                         "Protocol error: expected '$', got '%c'", buf[p->pos]);
                *err = expected;
                return RESP_EINVALID;
            }
            if (util_str2ll(buf + p->pos + 1, n - 1, &ll) != 0 || ll < 0 ||
                ll > lim->max_bulk_len) {
                *err = "Protocol error: invalid bulk length";
                return RESP_EINVALID;
            }
            if (ll > 16384 && lim->unauthenticated) {
                *err = "Protocol error: unauthenticated bulk length";
                return RESP_EINVALID;
            }
            p->pos += n + 2;
            p->bulk_len = ll;
        }
        if (len - p->pos < (size_t)p->bulk_len + 2) {
            return RESP_EUNFIN;
        }
        /* Like Redis, the two bytes after the payload are not checked. */
        push_arg(p, p->pos, (size_t)p->bulk_len);
        p->pos += (size_t)p->bulk_len + 2;
        p->bulk_len = -1;
        p->mb_left--;
    }
    return RESP_OK;
}
