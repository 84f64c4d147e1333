/* resp: incremental request parser (RESP2 multibulk and inline). */
#include "resp.h"

#include <limits.h>
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

static int parse_inline(resp_parser *p, const char *buf, size_t len,
                        const char **err)
{
    const char *nl = memchr(buf, '\n', len);

    if (nl == NULL) {
        if (len > RESP_INLINE_MAX) {
            *err = "Protocol error: too big inline request";
            return RESP_EINVALID;
        }
        return RESP_EUNFIN;
    }
    size_t linelen = (size_t)(nl - buf);
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

/* Read a "<prefix><integer>\r\n" line at p->pos. Returns RESP_OK with *out,
 * RESP_EUNFIN, or RESP_EINVALID (bad number: caller picks the message). */
static int read_line_int(resp_parser *p, const char *buf, size_t len,
                         long long *out, int *toolong)
{
    const char *start = buf + p->pos;
    size_t avail = len - p->pos;
    const char *cr = memchr(start, '\r', avail);

    *toolong = 0;
    if (cr == NULL || (size_t)(cr - start) + 1 >= avail) {
        if (avail > RESP_INLINE_MAX) {
            *toolong = 1;
            return RESP_EINVALID;
        }
        return RESP_EUNFIN;
    }
    size_t n = (size_t)(cr - start);
    if (n > RESP_INLINE_MAX) {
        *toolong = 1;
        return RESP_EINVALID;
    }
    /* Skip the type byte; the value must parse as a whole. */
    if (util_str2ll(start + 1, n - 1, out) != 0) {
        p->pos += n + 2;
        return RESP_EINVALID;
    }
    p->pos += n + 2;
    return RESP_OK;
}

int resp_parse(resp_parser *p, const char *buf, size_t len,
               const resp_limits *lim, const char **err)
{
    static char expected[64];
    long long ll;
    int toolong, rc;

    if (len == 0) {
        return RESP_EUNFIN;
    }
    if (p->kind == 0) {
        if (buf[0] != '*') {
            return parse_inline(p, buf, len, err);
        }
        rc = read_line_int(p, buf, len, &ll, &toolong);
        if (rc == RESP_EUNFIN) {
            return rc;
        }
        if (rc == RESP_EINVALID) {
            *err = toolong ? "Protocol error: too big mbulk count string"
                           : "Protocol error: invalid multibulk length";
            return rc;
        }
        if (ll > INT_MAX) {
            *err = "Protocol error: invalid multibulk length";
            return RESP_EINVALID;
        }
        if (ll > 10 && lim->unauthenticated) {
            *err = "Protocol error: unauthenticated multibulk length";
            return RESP_EINVALID;
        }
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
            if (p->pos >= len) {
                return RESP_EUNFIN;
            }
            if (buf[p->pos] != '$') {
                /* Like Redis, judge the line only once it is complete. */
                const char *cr = memchr(buf + p->pos, '\r', len - p->pos);
                if (cr == NULL || (size_t)(cr - buf) + 1 >= len) {
                    if (len - p->pos > RESP_INLINE_MAX) {
                        *err = "Protocol error: too big bulk count string";
                        return RESP_EINVALID;
                    }
                    return RESP_EUNFIN;
                }
                memcpy(expected, "Protocol error: expected '$', got ' '",
                       sizeof("Protocol error: expected '$', got ' '"));
                expected[strlen(expected) - 2] = buf[p->pos];
                *err = expected;
                return RESP_EINVALID;
            }
            rc = read_line_int(p, buf, len, &ll, &toolong);
            if (rc == RESP_EUNFIN) {
                return rc;
            }
            if (rc == RESP_EINVALID) {
                *err = toolong ? "Protocol error: too big bulk count string"
                               : "Protocol error: invalid bulk length";
                return rc;
            }
            if (ll < 0 || ll > lim->max_bulk_len) {
                *err = "Protocol error: invalid bulk length";
                return RESP_EINVALID;
            }
            if (ll > 16384 && lim->unauthenticated) {
                *err = "Protocol error: unauthenticated bulk length";
                return RESP_EINVALID;
            }
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
