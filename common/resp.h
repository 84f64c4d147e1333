/* resp: incremental parser for client requests (RESP multibulk and inline
 * commands). Arguments are reported as offsets into the caller's buffer, so
 * a request is never copied while it is parsed. */
#ifndef SHOAL_RESP_H
#define SHOAL_RESP_H

#include <stddef.h>

#include "str.h"

/* Return codes of resp_parse. */
#define RESP_OK 0         /* one complete request: args ready */
#define RESP_EMPTY 1      /* bytes consumed but no request (blank line, *0) */
#define RESP_EUNFIN (-1)  /* need more bytes; call again with more */
#define RESP_EINVALID (-2) /* protocol error: *err is Redis's message */

#define RESP_INLINE_MAX (64 * 1024)

typedef struct resp_span {
    size_t off; /* from the start of the request (or of inline storage) */
    size_t len;
} resp_span;

typedef struct resp_limits {
    long long max_bulk_len; /* proto-max-bulk-len */
    int unauthenticated;    /* stricter limits before AUTH */
} resp_limits;

typedef struct resp_parser {
    int kind;           /* 0 = at a request boundary, '*' or 'i' */
    long long mb_left;  /* multibulk arguments still to read */
    long long bulk_len; /* -1 while expecting a $ header */
    size_t pos;         /* bytes of the request parsed so far */
    size_t argc;
    size_t cap;
    resp_span *args;
    str inline_buf;     /* unescaped inline arguments, back to back */
} resp_parser;

void resp_parser_init(resp_parser *p);
void resp_parser_deinit(resp_parser *p);
/* Forget the current request (after it ran, or on error). */
void resp_parser_reset(resp_parser *p);

/* Parse the request that starts at buf (len bytes available). On RESP_OK
 * and RESP_EMPTY the request spans p->pos bytes. For multibulk requests the
 * args are offsets into buf; for inline requests into p->inline_buf (check
 * p->kind == 'i'). On RESP_EUNFIN the state is kept: call again with the
 * same start and more bytes. On RESP_EINVALID *err is the message, without
 * the "ERR " prefix. */
int resp_parse(resp_parser *p, const char *buf, size_t len,
               const resp_limits *lim, const char **err);

#endif
