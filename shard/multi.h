/* multi: transactions (MULTI, EXEC, DISCARD) and optimistic locking
 * (WATCH, UNWATCH), with Redis 7.0's semantics. */
#ifndef SHOAL_MULTI_H
#define SHOAL_MULTI_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"

/*
 * How the rest of the shard uses this module:
 *
 *   cmd_process runs its checks; a refusal goes through multi_flag_error
 *   (the transaction then fails at EXEC with -EXECABORT) and, when the
 *   refused command is EXEC itself, through multi_exec_abort. Once every
 *   check passed, multi_should_queue says whether the command is queued
 *   (multi_queue) instead of run.
 *
 *   db.c calls multi_touch_key for every change to a key (through
 *   db_signal_modified, and for keys deleted by expiry) and
 *   multi_touch_db before a database is emptied or swapped: clients
 *   watching what changed see EXEC return a null array.
 *
 *   A client being freed or RESET calls multi_client_reset.
 */

/* 1 while c is between MULTI and the end of its EXEC or DISCARD. */
int multi_active(const client *c);

/* 1 when c is in MULTI and cmd must be queued rather than run: anything
 * but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET. */
int multi_should_queue(const client *c, const command *cmd);

/* Queue c's current request (c->cmd, c->argv, deep-copied) and reply
 * +QUEUED. c must be in MULTI. */
void multi_queue(client *c);

/* A request of c was refused before running (unknown command, arity,
 * NOAUTH, OOM, -MOVED, -BUSY...): if c is in MULTI its EXEC will answer
 * -EXECABORT. Does nothing otherwise. */
void multi_flag_error(client *c);

/* EXEC itself was refused with the error msg ("-CODE text" or "text"
 * meaning ERR): discards the transaction and replies
 * "-EXECABORT Transaction discarded because of: <msg without '-'>". */
void multi_exec_abort(client *c, const char *msg);

/* cmd's flags, and for EXEC those of every command it would run, or'ed:
 * what the checks before running (CLIENT PAUSE WRITE, OOM) look at. */
uint32_t multi_effective_flags(const client *c, const command *cmd);

/* Queued commands, for cluster routing of EXEC: the count (0 when c is
 * not in MULTI), and the i-th one (0 <= i < count). The pointers are owned
 * by the transaction and valid until c's next command. */
int multi_queued_count(const client *c);
void multi_queued_get(const client *c, int i, const command **cmd,
                      const arg **argv, int *argc);

/* Bytes held by c's queued commands and watched keys (CLIENT LIST
 * multi-mem). */
size_t multi_client_mem(const client *c);

/* 1 when a key c watches was changed (EXEC will fail): CLIENT LIST's
 * 'd' flag. */
int multi_dirty(const client *c);

/* Leave MULTI (dropping the queue) and unwatch every key: RESET, client
 * free. Frees c->multi. */
void multi_client_reset(client *c);

/* The key of database d changed (written, deleted, expired). Cheap when
 * no client watches anything. */
void multi_touch_key(db *d, const char *key, size_t len);

/* d is about to be emptied (FLUSHDB, FLUSHALL: replaced_with NULL) or to
 * take the contents of replaced_with (SWAPDB; call for both sides before
 * swapping): clients watching a key that existed in d, or will exist
 * after the swap, see their EXEC fail. */
void multi_touch_db(db *d, db *replaced_with);

#endif
