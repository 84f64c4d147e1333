/* control: a shard's end of the control channel to the supervisor (a
 * socketpair made before the fork). Messages both ways are RESP arrays of
 * bulk strings:
 *   supervisor -> shard: TOPOLOGY <text> <myself>, PING <n>, FORKOK,
 *                        FORKWAIT (queued; FORKOK follows),
 *                        RELOAD (SIGHUP: re-read the config)
 *   shard -> supervisor: READY, PONG <n>, FORK, FORKDONE
 * A shard whose supervisor is gone (EOF) shuts down. */
#ifndef SHOAL_CONTROL_H
#define SHOAL_CONTROL_H

#include "server.h"
#include "topology.h"

/* What a forked shard starts with (it inherits the supervisor's memory:
 * no exec, so the map and the sockets come as they are). */
typedef struct shard_boot {
    int index;            /* shard index */
    int control_fd;
    int listen_fds[16];   /* sockets bound for this shard's port */
    int listen_count;
    topology *topo;       /* owned by the shard once passed */
    int myself;           /* node index in topo */
    const char *conf_file;
    int conf_argc;        /* the directives the shard was started with */
    char **conf_argv;
} shard_boot;

/* Run a shard; boot is NULL when it runs alone (`shoal shard`). Returns
 * the process exit status. */
int shard_run(int argc, char **argv, shard_boot *boot);

/* Start listening on the channel and say READY. */
int control_setup(server *srv, shard_boot *boot);
void control_teardown(server *srv);
/* Send one message (best effort: the supervisor reads it promptly). */
void control_send(server *srv, int argc, const char **argv);

/* The fork gate's shard side (server_fork_acquire/release). */
int control_fork_acquire(server *srv);
void control_fork_release(server *srv);

#endif
