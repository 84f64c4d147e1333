/* scan: argument parsing shared by SCAN, HSCAN, SSCAN and ZSCAN. */
#ifndef SHOAL_SCAN_H
#define SHOAL_SCAN_H

#include "server.h"

typedef struct scan_opts {
    long long count;      /* COUNT, default 10 */
    const arg *pattern;   /* MATCH, NULL for none (or "*") */
    const arg *type;      /* TYPE (SCAN only), NULL for none */
} scan_opts;

/* Parse a cursor as Redis does (strtoull of the whole argument). Returns 0,
 * or -1 after replying "invalid cursor". */
int scan_parse_cursor(client *c, const arg *a, unsigned long long *out);

/* Parse [MATCH pattern] [COUNT n] (and [TYPE t] when allow_type) from
 * argv[first] on. Returns 0, or -1 after replying Redis's error. The
 * pattern/type point into c->argv. */
int scan_parse_options(client *c, int first, int allow_type, scan_opts *o);

#endif
