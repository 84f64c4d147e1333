/* cluster: a shard in cluster mode: the slot map it serves from, routing of
 * keyed commands (-MOVED, -CROSSSLOT, -CLUSTERDOWN) and the CLUSTER,
 * READONLY, READWRITE and ASKING commands. */
#ifndef SHOAL_CLUSTER_H
#define SHOAL_CLUSTER_H

#include "cmd.h"
#include "server.h"
#include "str.h"
#include "topology.h"

/* Cluster mode at start (cluster-enabled yes): read the map from
 * cluster-config-file (topology.h's text form) and find this node in it by
 * cluster-node-id; when the file does not exist (or the directive is
 * empty), serve a one-node map owning every slot. Nothing is written.
 * Does nothing when cluster mode is off. Returns 0, or -1 after logging
 * why (unreadable or invalid file, node id missing or not in the map). */
int cluster_setup(server *srv);
void cluster_teardown(server *srv);

/* Serve from map t from now on, as node index myself of it. Takes
 * ownership of t (the previous map is freed; t is freed at once if myself
 * is not one of its nodes). Turns cluster mode on. Safe between any two
 * commands. */
void cluster_set_topology(server *srv, topology *t, int myself);

/* Routing for cmd_process: 0 when c's request (c->argv) is served here;
 * otherwise the refusal was replied (-MOVED, -CROSSSLOT, -CLUSTERDOWN),
 * counted as a rejected call, the transaction flagged (or discarded when
 * the request is EXEC), and -1 is returned. */
int cluster_redirect(client *c, const command *cmd);

/* The same check for a command a script runs (redis.call): 0 when its keys
 * are served here, else -1 with *err set (caller frees) to the error text
 * without the leading '-': "ERR Script attempted to access a non local key
 * in a cluster node". Always 0 when cluster mode is off. */
int cluster_check_keys(server *srv, const command *cmd, const arg *argv,
                       int argc, str *err);

/* 1 when c sent READONLY (CLIENT LIST's 'r' flag). */
int cluster_client_readonly(const client *c);
/* RESET: back to READWRITE, ASKING dropped. */
void cluster_client_reset(client *c);

#endif
