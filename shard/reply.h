/* reply: building RESP2/RESP3 replies into a client's output chain. Every
 * function queues bytes; net.c writes them once per loop iteration. */
#ifndef SHOAL_REPLY_H
#define SHOAL_REPLY_H

#include <stddef.h>

#include "server.h"

void reply_raw(client *c, const char *p, size_t n);
void reply_status(client *c, const char *s);
void reply_ok(client *c);
/* An error reply. msg without a leading '-' gets the "ERR " code; with one,
 * msg carries its own code ("-WRONGTYPE ..."). Counts INFO errorstats. */
void reply_error(client *c, const char *msg);
void reply_errorf(client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void reply_ll(client *c, long long v);
void reply_bulk(client *c, const void *p, size_t n);
void reply_bulk_cstr(client *c, const char *s); /* NULL: null bulk */
void reply_bulk_obj(client *c, const obj *o);
void reply_bulk_ll(client *c, long long v);
void reply_null(client *c);       /* $-1, or _ in RESP3 */
void reply_null_array(client *c); /* *-1, or _ in RESP3 */
void reply_array_len(client *c, long n);
void reply_map_len(client *c, long n);   /* *2n in RESP2 */
void reply_set_len(client *c, long n);   /* * in RESP2 */
void reply_push_len(client *c, long n);  /* * in RESP2 */
void reply_double(client *c, double d);  /* bulk "%.17g" in RESP2 */
/* INCRBYFLOAT-style value: bulk in RESP2, double in RESP3. */
void reply_human_ld(client *c, long double d);
void reply_bool(client *c, int b);       /* :1/:0 in RESP2 */
void reply_verbatim(client *c, const char *p, size_t n, const char *ext);
/* Lines for a HELP subcommand, as Redis formats them (NULL-terminated). */
void reply_help(client *c, const char **lines);
void reply_unknown_subcommand(client *c);

/* An array/map/set whose length is known only after its elements: take a
 * placeholder, add the elements, then fill it in. */
void *reply_defer_len(client *c);
void reply_set_deferred_array(client *c, void *h, long n);
void reply_set_deferred_map(client *c, void *h, long n);
void reply_set_deferred_set(client *c, void *h, long n);

/* Common error texts. */
#define ERR_WRONGTYPE \
    "-WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERR_NOT_INT "value is not an integer or out of range"
#define ERR_NOT_FLOAT "value is not a valid float"
#define ERR_SYNTAX "syntax error"
#define ERR_OVERFLOW "increment or decrement would overflow"
#define ERR_NO_KEY "no such key"
#define ERR_DB_RANGE "DB index is out of range"

/* Free the whole output chain (client teardown). */
void reply_free_all(client *c);

#endif
