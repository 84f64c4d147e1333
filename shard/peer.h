/* peer: links between the shards of one supervisor, carrying what a Redis
 * Cluster sends over its bus. Today: PUBLISH reaches subscribers on every
 * shard, and its reply counts them all.
 *
 * Each shard listens on an abstract unix socket named after its node id;
 * a peer connects lazily and sends ordinary requests ("PUBLISH ch msg")
 * that the receiving shard runs locally only (its clients carry
 * CF_PEER). One connection per ordered pair keeps a publisher's messages
 * in order everywhere. */
#ifndef SHOAL_PEER_H
#define SHOAL_PEER_H

#include "server.h"
#include "topology.h"

/* Listen for peers (under the supervisor only). Returns 0 or -1. */
int peer_setup(server *srv, const char *my_id);
void peer_teardown(server *srv);
/* The map changed: drop links to nodes gone or down. Takes ownership. */
void peer_set_topology(server *srv, topology *t, int myself);

/* 1 when PUBLISH from c should go to the other shards too. */
int peer_fanout_wanted(const client *c);
/* Send PUBLISH to every other live shard; c is suspended and gets
 * `local` plus their receiver counts as its reply once all answered (or
 * failed). Call instead of replying. */
void peer_publish(client *c, const char *ch, size_t chlen, const char *msg,
                  size_t msglen, long long local);
/* c is being freed while a fan-out waits for it. */
void peer_client_gone(client *c);

#endif
