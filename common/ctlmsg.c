/* ctlmsg: encoding and parsing of control and peer messages (ctlmsg.h). */
#include "ctlmsg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

str ctlmsg_encode(str out, int argc, const char **argv, const size_t *lens)
{
    out = str_catfmt(out, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t n = lens != NULL ? lens[i] : strlen(argv[i]);
        out = str_catfmt(out, "$%zu\r\n", n);
        out = str_cat(out, argv[i], n);
        out = str_cat(out, "\r\n", 2);
    }
    return out;
}

int ctlmsg_send(int fd, int argc, const char **argv, const size_t *lens)
{
    str msg = ctlmsg_encode(str_empty(), argc, argv, lens);
    size_t off = 0;
    int rc = 0;

    while (off < str_len(msg)) {
        ssize_t n = send(fd, msg + off, str_len(msg) - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    str_free(msg);
    return rc;
}

int ctlmsg_drain(str in, resp_parser *p, long long max_bulk, ctlmsg_fn *fn,
                 void *priv, const char **err)
{
    size_t pos = 0;
    int rc = 0;

    for (;;) {
        resp_limits lim = {max_bulk, 0};
        int r = resp_parse(p, in + pos, str_len(in) - pos, &lim, err);
        if (r == RESP_EUNFIN) {
            break;
        }
        if (r == RESP_EINVALID) {
            resp_parser_reset(p);
            pos = str_len(in);
            rc = -1;
            break;
        }
        if (r == RESP_OK && p->kind == '*' && p->argc > 0) {
            fn(priv, in + pos, p->args, p->argc);
        }
        pos += p->pos;
        resp_parser_reset(p);
    }
    str_consume(in, pos);
    return rc;
}

int ctlmsg_is(const char *buf, const resp_span *a, const char *w)
{
    return a->len == strlen(w) && memcmp(buf + a->off, w, a->len) == 0;
}
