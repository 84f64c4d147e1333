/* net: listening sockets, client connections and their I/O on the libev
 * loop: reading and parsing requests, writing queued replies once per
 * loop iteration, limits, idle timeouts, CLIENT PAUSE, MONITOR. */
#ifndef SHOAL_NET_H
#define SHOAL_NET_H

#include "server.h"

/* Bind every configured address (and the unix socket) and start
 * accepting. Returns 0, or -1 after logging why (the caller exits 2). */
int net_setup(server *srv);
void net_teardown(server *srv);
/* Serve an already listening socket (socket activation). 0 or -1. */
int net_adopt_listener(server *srv, int fd);
/* Stop accepting new connections (shutdown). */
void net_stop_listening(server *srv);

/* Create a client for an accepted descriptor (or fd -1: a fake client
 * with no connection). */
client *net_client_create(server *srv, int fd, int flags);
/* Free now, unless the client is running a command: then close it as
 * soon as that returns. */
void net_client_close(client *c);
void net_client_close_async(client *c);

/* Replies were queued for c: schedule the write for this iteration and
 * enforce client-output-buffer-limit. */
void net_reply_queued(client *c);
/* Write everything queued for every client (before the loop sleeps). */
void net_flush_pending(server *srv);

/* blocking.c: run again the request c is held on (blocked, now served or
 * timed out), with cmd_call. Returns 1 if it blocked again (still held),
 * 0 once it completed and was consumed, -1 if it no longer parses. The
 * rest of c's input is left for net_process_input. */
int net_rerun_held(client *c);
/* Parse and run what c's query buffer holds (as after a read). May free
 * c. */
void net_process_input(client *c);

/* Hold c if clients are paused for its command; returns 1 if held. */
int net_should_pause(client *c, const command *cmd);
/* Start or end CLIENT PAUSE. */
void net_pause(server *srv, long long end_ms, int all);
void net_unpause(server *srv);

/* MONITOR */
void net_add_monitor(client *c);
/* Stop c monitoring (RESET); c must be a monitor. */
void net_remove_monitor(client *c);
void net_feed_monitors(client *c);

/* Cron work: idle timeouts, soft output limits, pause deadline. */
void net_cron(server *srv);

/* "id=... addr=..." line for CLIENT LIST / CLIENT INFO. */
str net_client_info(str out, const client *c);

/* Bytes of a client's query buffer and output (INFO, CLIENT LIST). */
size_t net_client_obuf_mem(const client *c);

#endif
