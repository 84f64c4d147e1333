/* notify: keyspace notifications (notify-keyspace-events), published as
 * __keyspace@<db>__:<key> and __keyevent@<db>__:<event> messages. */
#ifndef SHOAL_NOTIFY_H
#define SHOAL_NOTIFY_H

#include <stddef.h>

#include "server.h"

/* Event classes: the letters of notify-keyspace-events. */
enum notify_class {
    NOTIFY_KEYSPACE = 1 << 0,  /* K */
    NOTIFY_KEYEVENT = 1 << 1,  /* E */
    NOTIFY_GENERIC = 1 << 2,   /* g */
    NOTIFY_STRING = 1 << 3,    /* $ */
    NOTIFY_LIST = 1 << 4,      /* l */
    NOTIFY_SET = 1 << 5,       /* s */
    NOTIFY_HASH = 1 << 6,      /* h */
    NOTIFY_ZSET = 1 << 7,      /* z */
    NOTIFY_EXPIRED = 1 << 8,   /* x */
    NOTIFY_EVICTED = 1 << 9,   /* e */
    NOTIFY_STREAM = 1 << 10,   /* t */
    NOTIFY_KEY_MISS = 1 << 11, /* m (not part of A) */
    NOTIFY_LOADED = 1 << 12,   /* module only, no letter */
    NOTIFY_MODULE = 1 << 13,   /* d */
    NOTIFY_NEW = 1 << 14,      /* n (not part of A) */
};
/* A: every class but m and n. */
#define NOTIFY_ALL                                                             \
    (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | \
     NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM |           \
     NOTIFY_MODULE)

/* Parse a notify-keyspace-events value. Returns the flags, or -1 if it
 * has a character that is no class. */
int notify_parse_flags(const char *s, size_t len);
/* The value as CONFIG GET prints it (fresh str the caller frees). */
str notify_flags_string(int flags);

/* Publish the event for key in database dbid if its class is enabled:
 * "__keyspace@<db>__:<key>" gets the event name, "__keyevent@<db>__:
 * <event>" gets the key. Does nothing (cheaply) when notifications are
 * off. The bytes are copied. */
void notify_keyspace_event(server *srv, int type, const char *event,
                           const char *key, size_t keylen, int dbid);
/* The same for a command's key argument in the client's database. */
void notify_key(client *c, int type, const char *event, const arg *key);

#endif
