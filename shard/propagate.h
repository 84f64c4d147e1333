/* propagate: the one path by which writes leave a shard. Every command's
 * effects are collected here and handed, once per top-level command, to
 * the consumers (the AOF today, replicas later), Redis 7.0's semantics. */
#ifndef SHOAL_PROPAGATE_H
#define SHOAL_PROPAGATE_H

#include <stdarg.h>

#include "server.h"
#include "str.h"

/*
 * The model (Redis 7.0's call()/alsoPropagate):
 *
 *   cmd_call notes srv->dirty before the command. If it grew, the command's
 *   argv is propagated as it was given, unless the command replaced it
 *   (propagate_replace*) or prevented it (propagate_prevent). A command may
 *   add operations of its own (propagate_also), before its own argv.
 *   Commands run inside EXEC or a script run through cmd_call too: their
 *   operations join the same batch and the outer command propagates
 *   nothing itself.
 *
 *   When the outermost cmd_call returns (a client's command, a blocked
 *   client served later, a timer-driven call), the batch is flushed: one
 *   operation alone, more than one wrapped in MULTI ... EXEC (what
 *   redis-server 7.0 writes: an EXEC or a script with a single write is
 *   not wrapped). Operations added outside any call (active expiry) flush
 *   at once, unwrapped.
 *
 *   Each consumer gets every operation with its database id and decides
 *   itself when a SELECT is needed (propagate_encode does it for RESP
 *   streams), because the AOF and each replica stream track their own
 *   "last selected db".
 */

/* A consumer of propagated operations. argv is lent for the call only. */
typedef void propagate_fn(void *priv, int dbid, const arg *argv, int argc);

/* Create/destroy srv->prop. Returns 0, -1 on allocation failure. */
int propagate_setup(server *srv);
void propagate_teardown(server *srv);

/* Register a consumer (at most 8). Returns 0, or -1 when full. */
int propagate_add_consumer(server *srv, propagate_fn *fn, void *priv);
/* Remove the consumer registered with this fn and priv. */
void propagate_remove_consumer(server *srv, propagate_fn *fn, void *priv);

/* Around a command's proc (cmd_call). begin returns a token to give end;
 * end decides whether the command's argv is propagated and, for the
 * outermost call, flushes the batch to the consumers. */
typedef struct propagate_frame {
    long long dirty;
    int nops;
} propagate_frame;
void propagate_call_begin(client *c, propagate_frame *f);
void propagate_call_end(client *c, const propagate_frame *f);

/* While on (AOF loading), nothing is collected or emitted. */
void propagate_set_disabled(server *srv, int disabled);

/* ---- helpers for commands ---- */

/* Builds an arg from a C string literal or a NUL-terminated string. */
#define PARG(s) ((arg){(s), strlen(s)})

/* Propagate this argv instead of the command's own (copied now), if the
 * call changes the dataset (srv->dirty grows). Replaces an earlier
 * replacement. Valid only inside the command's proc; at most 16 args for
 * the _argv form. */
void propagate_replace(client *c, int argc, const arg *argv);
/* The same with the arguments given one by one as `arg` values. */
void propagate_replace_argv(client *c, int argc, ...);
/* Propagate this call's argv even if the dataset did not change (FLUSHALL
 * and FLUSHDB on empty databases, as Redis 7.0). */
void propagate_force(client *c);
/* Propagate nothing for this call (its argv). Operations added with
 * propagate_also stay. */
void propagate_prevent(client *c);
/* Add one more operation on database dbid (copied now). Inside a call it
 * joins the batch before the command's own argv; outside any call it is
 * emitted at once. */
void propagate_also(server *srv, int dbid, int argc, const arg *argv);
void propagate_also_argv(server *srv, int dbid, int argc, ...);

/* A number as an arg, formatted into buf (at least 24 bytes). */
arg propagate_num(char *buf, long long v);
/* The common effect forms (Redis 7.0's): key deleted by a time in the past
 * (DEL, or UNLINK with lazyfree-lazy-expire); SET key val PXAT when;
 * PEXPIREAT key when, followed by argv[from..] (EXPIRE's NX/XX/GT/LT). */
void propagate_as_expired_delete(client *c, const arg *key);
void propagate_as_set_pxat(client *c, const arg *key, const arg *val,
                           long long when);
void propagate_as_pexpireat(client *c, const arg *key, long long when,
                            int from);

/* A key deleted by expiry (lazy or active): propagated as DEL, or UNLINK
 * with lazyfree-lazy-expire, as Redis does. */
void propagate_expired(server *srv, int dbid, const char *key, size_t len);

/* Append one operation to a RESP stream: a SELECT first when dbid differs
 * from *last_db (which is updated). Returns the grown buffer (buf may move:
 * the passed pointer is no longer valid). */
str propagate_encode(str buf, int *last_db, int dbid, const arg *argv,
                     int argc);

#endif
