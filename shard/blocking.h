/* blocking: clients waiting on keys (BLPOP, BLMOVE, BLMPOP, BZPOPMIN,
 * XREAD BLOCK...). A blocked client's request stays in its query buffer;
 * when a key it waits on gets data, or its timeout passes, the request is
 * run again, waiters of a key served first-come first-served. */
#ifndef SHOAL_BLOCKING_H
#define SHOAL_BLOCKING_H

#include <stddef.h>

#include "server.h"

/*
 * How a blocking command uses this module:
 *
 *   parse arguments and the timeout (blocking_parse_timeout);
 *   try to serve the request now; if it can, reply and return;
 *   if !blocking_allowed(c) reply as on timeout and return;
 *   blocking_block(c, keys, nkeys, deadline, OBJ_LIST) and return without
 *   replying.
 *
 * When one of the keys is signalled ready (blocking_signal_key_ready; db_add
 * does it for every new list, zset or stream key) and holds a value of the
 * awaited type, the command runs again, with the same arguments, right after
 * the top-level command that made the key ready (blocking_serve_ready). If
 * it blocks again it keeps its place in the queues and its deadline. When
 * the deadline passes the command is not run: the client gets the timeout
 * reply (a null array). Either way the rest of the client's input is
 * processed before the loop sleeps.
 */

/* Server-wide state (srv->blocking) and a client's state (c->blk). */
typedef struct blocking_state blocking_state;
typedef struct blocked_state blocked_state;

int blocking_setup(server *srv);
/* Call after every client is freed. */
void blocking_teardown(server *srv);

/* Timeout units: seconds as a float (BLPOP), or integer milliseconds
 * (XREAD BLOCK). */
enum { BLOCK_UNIT_SECONDS, BLOCK_UNIT_MS };

/* Parses a timeout argument into an absolute deadline in ms (0: wait
 * forever). Returns 0, or -1 after replying the error ("timeout is not a
 * float or out of range", "timeout is negative", ...). */
int blocking_parse_timeout(client *c, const arg *a, int unit,
                           long long *deadline);

/* 1 if c may wait; 0 inside MULTI/EXEC or a script, or for a fake client:
 * the command then replies as it would on timeout. */
int blocking_allowed(const client *c);

/* Blocks c on nkeys keys of its database, waiting for a value of type
 * (OBJ_LIST, OBJ_ZSET, OBJ_STREAM), until deadline (ms, 0 = none). The key
 * bytes are copied. The command must return without replying. When the
 * command is being run again and blocks again, this keeps its existing
 * queue positions and deadline. */
void blocking_block(client *c, const arg *keys, int nkeys, long long deadline,
                    int type);

/* While c's held command is being run again because a key became ready:
 * sets *key to that key and returns 1; otherwise returns 0. A command that
 * waits on several keys tries that one first, so the client is served from
 * the key that woke it, as Redis 7.0 does. */
int blocking_served_key(const client *c, arg *key);

/* Private data a command keeps across runs of the same blocked request
 * (say, the IDs XREAD resolved from "$"): owned by the block, freed with
 * free_fn when the client stops waiting. NULL when there is none. */
void blocking_set_priv(client *c, void *priv, void (*free_fn)(void *));
void *blocking_priv(const client *c);

/* The key of database d may now have data for clients waiting on values of
 * the given type. Cheap when nobody waits on it. The waiters are served at
 * the end of the current top-level command. */
void blocking_signal_key_ready(db *d, const char *key, size_t len, int type);

/* After SWAPDB: signals every key waited on in d that now holds a value. */
void blocking_scan_db(db *d);

/* Serves waiters of the keys signalled ready, in signal order (keys that
 * become ready meanwhile, BLMOVE's destination, are served in the same
 * call). Called when a top-level command (EXEC and scripts as a whole)
 * has finished. */
void blocking_serve_ready(server *srv);

/* The reply of a command whose wait timed out: cmd_call calls it in place
 * of the command when CF_BLOCK_TIMEDOUT is set. */
void blocking_reply_timeout(client *c);

/* Runs the pending input of clients that stopped waiting during this loop
 * iteration (call before the loop sleeps, before writing replies). */
void blocking_before_sleep(server *srv);

/* Forgets c (the client is being freed): no waiting, no timer, nothing
 * queued. */
void blocking_remove(client *c);

/* INFO: clients waiting on keys, and those among them with a timeout. */
size_t blocking_clients(const server *srv);
size_t blocking_clients_with_timeout(const server *srv);

#endif
