/* listen: a TCP listening socket for one address of a `bind` directive,
 * shared by the shard (binding for itself) and the supervisor (binding
 * every shard's port before it forks). */
#ifndef SHOAL_LISTEN_H
#define SHOAL_LISTEN_H

/* addr as in redis.conf's bind: "*" (any IPv4), "::*" (any IPv6), and a
 * leading "-" for an address that may be unavailable. Returns a
 * non-blocking listening fd; -1 on failure (logged); -2 when an optional
 * ("-") address is unavailable. */
int listen_tcp_addr(const char *addr, int port, int backlog);

#endif
