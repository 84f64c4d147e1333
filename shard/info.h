/* info: the INFO command's sections and fields, in redis-server 7.0's
 * names and order. The fields are produced once, through a sink, so other
 * exporters can read the same list INFO prints. */
#ifndef SHOAL_INFO_H
#define SHOAL_INFO_H

#include "server.h"

/* Receives what INFO would print: a section title ("Server"), then that
 * section's fields. Strings are valid only during the call. */
typedef struct info_sink {
    void (*section)(void *priv, const char *title);
    void (*field)(void *priv, const char *name, const char *value);
    void *priv;
} info_sink;

/* Produce the sections INFO selects for these arguments (none: the
 * default sections; "all", "everything", "default" and section names, any
 * case, as Redis 7.0). */
void info_generate(server *srv, const arg *args, int nargs,
                   const info_sink *sink);

/* The INFO reply text ("# Server\r\n...") for these arguments. Returns a
 * fresh str the caller frees. */
str info_text(server *srv, const arg *args, int nargs);

/* Record startup values (memory, replication id); call once after
 * setup. */
void info_setup(server *srv);
/* Sample the instantaneous_* rates; call from the server cron. */
void info_cron(server *srv);

#endif
