/* tracking: client-side caching (CLIENT TRACKING and friends). Remembers
 * which clients read which keys (or which prefixes BCAST clients follow)
 * and sends them invalidation messages when those keys change. */
#ifndef SHOAL_TRACKING_H
#define SHOAL_TRACKING_H

#include <stddef.h>

#include "server.h"

/* client->trk_flags */
enum tracking_flag {
    TRK_ON = 1 << 0,
    TRK_BCAST = 1 << 1,
    TRK_OPTIN = 1 << 2,
    TRK_OPTOUT = 1 << 3,
    TRK_CACHING = 1 << 4, /* CLIENT CACHING given for the next command */
    TRK_NOLOOP = 1 << 5,
    TRK_BROKEN_REDIR = 1 << 6, /* the redirect client went away */
};

/* Create/free srv->tracking (server setup/teardown). Returns 0. */
int tracking_setup(server *srv);
void tracking_teardown(server *srv);

/* Every client, from creation to free, so clients are found by id
 * (invalidation targets, REDIRECT). Fake clients may be registered too. */
void tracking_client_created(client *c);
/* Turns tracking off for c and forgets it (client free). */
void tracking_client_freed(client *c);

/* Turn tracking off for c (CLIENT TRACKING OFF, RESET, client free). Keys c
 * read stay in the table, as in Redis: they are dropped when invalidated. */
void tracking_disable(client *c);

/* Around each command execution (cmd_call), nested calls included: the
 * outermost call's client is the one "running" for NOLOOP, and an
 * invalidation meant for it is held until its reply is out. call_end
 * remembers the keys a read-only command read. */
void tracking_call_begin(client *c);
void tracking_call_end(client *c);

/* CLIENT CACHING lasts for one command. Call as a request starts, while
 * c->cmd is still the previous request's command; in_multi: c is inside
 * MULTI (the flag then lasts until EXEC is done). */
void tracking_before_command(client *c, int in_multi);

/* key (of any database) changed: invalidate the clients that read it and
 * queue it for BCAST clients following a matching prefix. c is the client
 * that changed it, NULL for expiry and eviction. */
void tracking_invalidate_key(server *srv, client *c, const char *key,
                             size_t len);
/* A database (or all of them) was flushed: every tracking client gets a
 * null invalidation and the whole table is forgotten. */
void tracking_invalidate_all(server *srv);

/* Send the BCAST invalidations gathered since the last call, one message
 * per prefix (before sleeping, once per loop iteration). */
void tracking_before_sleep(server *srv);

/* INFO: clients with tracking on; keys in the table; (key, client) pairs;
 * BCAST prefixes followed. */
long long tracking_client_count(const server *srv);
long long tracking_total_keys(const server *srv);
long long tracking_total_items(const server *srv);
long long tracking_total_prefixes(const server *srv);

/* CLIENT LIST: the redir= value (-1 when tracking is off). */
long long tracking_redirect_field(const client *c);

#endif
