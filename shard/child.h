/* child: the shard's one forked child. BGSAVE and AOF rewrite share it (as
 * in Redis, one child at a time), with copy-on-write accounting. */
#ifndef SHOAL_CHILD_H
#define SHOAL_CHILD_H

#include <stddef.h>

#include "server.h"

enum child_type { CHILD_NONE, CHILD_RDB, CHILD_AOF };

/* Runs in the child; its return value is the exit status (0 = success). */
typedef int child_work_fn(server *srv, void *priv);
/* Runs in the parent once the child is reaped (or could not be). ok is 1
 * when it exited with status 0; otherwise exitcode/bysignal tell why
 * (bysignal is the signal number, 0 if it exited). srv->child_last_pid is
 * the child's pid; no child is active any more. */
typedef void child_done_fn(server *srv, int ok, int exitcode, int bysignal,
                           void *priv);

/* Fork a child running work. Returns 0 when started; -1 with errno set:
 * EAGAIN when the host's fork gate says wait (reschedule from the cron),
 * EBUSY when a child is already alive, or fork()'s errno. done is not
 * called when child_start fails. The fork gate is released when the child
 * is gone. */
int child_start(server *srv, int type, child_work_fn *work, child_done_fn *done,
                void *priv);
/* CHILD_NONE, CHILD_RDB or CHILD_AOF. */
int child_type_active(const server *srv);
/* Kill the active child (SIGUSR1) and wait for it; done runs with ok = 0
 * and bysignal = SIGUSR1. No-op without a child. */
void child_kill(server *srv);

/* In the child: report progress to the parent (keys written so far and
 * the private dirty bytes), at most about once a second unless final. */
void child_report(server *srv, size_t keys_processed, int final);
/* Set in the child before calling work: 1 in the child, 0 in the parent. */
int child_in_child(const server *srv);
/* Parent: drain progress reports (called by the cron). */
void child_cron(server *srv);

#endif
