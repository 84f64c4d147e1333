/* ctlmsg: the messages between the supervisor and its shards, and between
 * shards (peer.c): RESP arrays of bulk strings, encoded, sent and parsed
 * here for every end. */
#ifndef SHOAL_CTLMSG_H
#define SHOAL_CTLMSG_H

#include <stddef.h>

#include "resp.h"
#include "str.h"

/* Append one message to out (lens NULL: the words are C strings). */
str ctlmsg_encode(str out, int argc, const char **argv, const size_t *lens);

/* Encode and write one message on a blocking-enough socket (the other end
 * reads promptly). Returns 0, or -1 when the peer is gone. */
int ctlmsg_send(int fd, int argc, const char **argv, const size_t *lens);

/* Run fn on every complete message in in and drop those bytes; a partial
 * message stays for the next call. Bulk strings longer than max_bulk are a
 * protocol error. Returns -1 on a protocol error (*err says which; the
 * buffer is then discarded), else 0. */
typedef void ctlmsg_fn(void *priv, const char *buf, const resp_span *args,
                       size_t argc);
int ctlmsg_drain(str in, resp_parser *p, long long max_bulk, ctlmsg_fn *fn,
                 void *priv, const char **err);

/* 1 when the message word a is w. */
int ctlmsg_is(const char *buf, const resp_span *a, const char *w);

#endif
