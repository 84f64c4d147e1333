/* pubsub: channels, patterns and shard channels; SUBSCRIBE and friends,
 * PUBLISH/SPUBLISH delivery and the PUBSUB introspection commands. */
#ifndef SHOAL_PUBSUB_H
#define SHOAL_PUBSUB_H

#include <stddef.h>

#include "server.h"

/* Create the server's subscription tables (server setup). Returns 0. */
int pubsub_setup(server *srv);
void pubsub_teardown(server *srv);

/* Deliver msg on channel ch to this shard's subscribers of the channel and
 * of every matching pattern. Returns the number of receivers (a client
 * subscribed to the channel and to two matching patterns counts 3 times,
 * as in Redis). The bytes are copied; the caller keeps ownership. */
long long pubsub_publish(server *srv, const char *ch, size_t chlen,
                         const char *msg, size_t msglen);
/* The same for shard channels (SPUBLISH): "smessage" to SSUBSCRIBErs. */
long long pubsub_spublish(server *srv, const char *ch, size_t chlen,
                          const char *msg, size_t msglen);

/* 1 if c holds any subscription (channel, pattern or shard channel). */
int pubsub_client_subscribed(const client *c);

/* Queue one ["message", ch, msg] frame for c: a push frame in RESP3, an
 * array in RESP2, exactly as a PUBLISH delivers it. For other modules
 * (client tracking's redirect to __redis__:invalidate sends its own
 * frames with pubsub_send_message_array). */
void pubsub_send_message(client *c, const char *ch, size_t chlen,
                         const char *msg, size_t msglen);
/* Queue ["message", ch, <array of n bulk strings>] (the tracking
 * invalidation shape: n strings; n == -1 sends a null in place of the
 * array: FLUSHALL invalidation). */
void pubsub_send_message_array(client *c, const char *ch, size_t chlen,
                               const char *const *items, const size_t *lens,
                               long n);

/* Drop every subscription of c without replying (RESET, client free). */
void pubsub_client_unsubscribe_all(client *c);

/* Counts of one client's subscriptions (CLIENT LIST sub= psub= ssub=). */
long pubsub_client_channels(const client *c);
long pubsub_client_patterns(const client *c);
long pubsub_client_shard_channels(const client *c);

/* Server-wide counts (INFO pubsub_channels, pubsub_patterns,
 * pubsubshard_channels). */
long pubsub_channel_count(const server *srv);
long pubsub_pattern_count(const server *srv);
long pubsub_shard_channel_count(const server *srv);

/* 1 if c must use the pubsub class of client-output-buffer-limit. */
int pubsub_client_obuf_class(const client *c);

#endif
