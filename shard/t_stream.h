/* t_stream: helpers shared by the stream commands of t_stream.c (entries,
 * XREAD/XREADGROUP, XSETID) and t_stream_group.c (consumer groups, XINFO).
 * Not a public API: other modules reach streams through types.h. */
#ifndef SHOAL_T_STREAM_H
#define SHOAL_T_STREAM_H

#include "server.h"
#include "stream.h"

/* Redis compares option words as C strings, case-insensitively:
 * "count\0x" still reads as COUNT. */
int xarg_is(const arg *a, const char *name);
/* a as a long long: 0, or -1 after replying msg (or the standard integer
 * error when msg is NULL). */
int xarg_ll(client *c, const arg *a, long long *out, const char *msg);

/* Parses a stream ID: "ms-seq", "ms" (seq = missing_seq), and unless
 * strict "-" and "+". With seq_given != NULL "ms-*" is accepted and sets
 * *seq_given to 0. Returns 0, or -1 after replying the error (nothing is
 * replied when c is NULL). */
int xparse_id(client *c, const arg *a, stream_id *id, uint64_t missing_seq,
              int strict, int *seq_given);
/* An interval bound: as above, non-strict, or "(id" (exclusive, strict);
 * *exclude tells which. */
int xparse_interval(client *c, const arg *a, stream_id *id, int *exclude,
                    uint64_t missing_seq);

void reply_stream_id(client *c, const stream_id *id);

/* Looks up key: 0 with *out set (NULL if missing), or -1 after replying
 * WRONGTYPE. */
int xlookup(client *c, const arg *key, int write, obj **out);

/* stream_reply_range flags. */
enum {
    XR_NOACK = 1 << 0,   /* XREADGROUP NOACK: no PEL entries */
    XR_HISTORY = 1 << 1, /* serve the consumer's own PEL */
    XR_RAW = 1 << 2,     /* entries only, no array header */
};

/* Replies the entries of [start, end] (end NULL: to the end), at most
 * count (0: all), as [[id, [f, v, ...]], ...]. With a group, entries past
 * its last ID advance it and, unless XR_NOACK, go to the group's and the
 * consumer's PEL. Returns the number of entries replied. */
size_t xreply_range(client *c, stream *s, const stream_id *start,
                    const stream_id *end, size_t count, int rev,
                    stream_cg *group, stream_consumer *consumer, int flags);

/* The group's lag as XINFO shows it: an integer or a null. */
void xreply_lag(client *c, const stream *s, const stream_cg *cg);

#endif
