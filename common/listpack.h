/* listpack: a list of strings and integers packed into one allocation, in
 * exactly Redis 7.0's byte format, so RDB listpack payloads (hash, zset,
 * quicklist nodes, streams) are these blobs verbatim. */
#ifndef SHOAL_LISTPACK_H
#define SHOAL_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Layout (all multi-byte header fields little endian):
 *
 *   <total-bytes u32> <num-elements u16> <entry>* <0xFF>
 *
 * num-elements is 65535 when the count is unknown (it reached 65535 at some
 * point); lp_length() then counts and writes the count back if it fits.
 * Each entry is <encoding+data> <backlen>, where backlen is the size of
 * <encoding+data> in 1..5 bytes, readable right to left.
 *
 * Ownership: a listpack is one mem_alloc'd block owned by the caller; free
 * it with lp_free(). Entry pointers ("p") point inside it. EVERY call that
 * takes `unsigned char *lp` and returns `unsigned char *` may reallocate:
 * the old lp pointer and every entry pointer into it are invalid afterwards;
 * use the returned lp and the *newp / *next out-pointers. Read-only calls
 * (lp_first, lp_next, lp_get_val, lp_find, ...) never invalidate anything,
 * except that lp_length() may rewrite the header's count in place.
 *
 * Entry pointers passed in must come from this API on the same listpack and
 * never be the terminator. The iterators assert that they stay inside the
 * blob; a blob from outside (RDB, RESTORE) must first pass lp_validate(),
 * and with deep=1 every iteration over it is safe.
 */

#define LP_HDR_SIZE 6
#define LP_EOF 0xFF
#define LP_HDR_NUMELE_UNKNOWN 65535
/* Big enough for the decimal form of any int64 plus a NUL. */
#define LP_INTBUF_SIZE 21
/* Redis refuses to grow a listpack past 1 GiB (lpSafeToAdd). */
#define LP_MAX_SAFETY_SIZE (1UL << 30)

/* 'where' for lp_insert(). */
#define LP_BEFORE 0
#define LP_AFTER 1

/* A decoded entry: s != NULL means a string of slen bytes pointing into the
 * listpack (valid until the next mutating call); s == NULL means the entry
 * is integer-encoded and v holds it. */
typedef struct {
    const unsigned char *s;
    uint32_t slen;
    long long v;
} lp_val;

/* New empty listpack (7 bytes) in an allocation of at least capacity bytes.
 * Never returns NULL. */
unsigned char *lp_new(size_t capacity);
void lp_free(unsigned char *lp);
/* A copy of lp sized exactly to lp_bytes(); the caller owns it. */
unsigned char *lp_dup(const unsigned char *lp);
/* Gives back spare capacity. Invalidates lp and entry pointers. */
unsigned char *lp_shrink_to_fit(unsigned char *lp);

/* Total size of the blob in bytes (the header's total-bytes field). */
uint32_t lp_bytes(const unsigned char *lp);
/* Number of entries. When the header says "unknown" (65535) this walks the
 * listpack and, if the count is below 65535, stores it in the header. */
uint32_t lp_length(unsigned char *lp);
/* 1 if adding `add` bytes keeps lp under LP_MAX_SAFETY_SIZE, else 0. */
int lp_safe_to_add(const unsigned char *lp, size_t add);

/* Iteration. Each returns NULL past either end (or on an empty listpack). */
unsigned char *lp_first(unsigned char *lp);
unsigned char *lp_last(unsigned char *lp);
unsigned char *lp_next(unsigned char *lp, unsigned char *p);
unsigned char *lp_prev(unsigned char *lp, unsigned char *p);
/* Entry at index (0 first, -1 last); NULL if out of range. Walks from the
 * nearer end when the count is known. */
unsigned char *lp_seek(unsigned char *lp, long index);

/* Decode the entry at p into *out (see lp_val). */
void lp_get_val(const unsigned char *p, lp_val *out);
/* The entry at p as bytes: strings point into the listpack, integers are
 * written in decimal into intbuf (LP_INTBUF_SIZE bytes, required) and intbuf
 * is returned. *len gets the length. */
const unsigned char *lp_get(const unsigned char *p, uint32_t *len,
                            unsigned char *intbuf);
/* The entry at p as an integer: 0 and *v set if it is integer-encoded or a
 * string lp_string_to_int64() accepts, -1 otherwise. */
int lp_get_ll(const unsigned char *p, long long *v);

/* Insertion. A string that lp_string_to_int64() accepts is stored with the
 * smallest integer encoding, as Redis does; any other bytes are stored as a
 * string. All return the new listpack, or NULL (lp untouched and still
 * valid) only if the result would exceed UINT32_MAX bytes. */
unsigned char *lp_append(unsigned char *lp, const void *ele, uint32_t len);
unsigned char *lp_prepend(unsigned char *lp, const void *ele, uint32_t len);
unsigned char *lp_append_int(unsigned char *lp, long long v);
unsigned char *lp_prepend_int(unsigned char *lp, long long v);
/* Insert before or after entry p (LP_BEFORE / LP_AFTER). If newp is not
 * NULL it receives the new entry's address in the returned listpack. */
unsigned char *lp_insert(unsigned char *lp, const void *ele, uint32_t len,
                         unsigned char *p, int where, unsigned char **newp);
unsigned char *lp_insert_int(unsigned char *lp, long long v, unsigned char *p,
                             int where, unsigned char **newp);
/* Replace entry p with ele; *newp (if not NULL) gets the entry's address. */
unsigned char *lp_replace(unsigned char *lp, unsigned char *p, const void *ele,
                          uint32_t len, unsigned char **newp);
unsigned char *lp_replace_int(unsigned char *lp, unsigned char *p, long long v,
                              unsigned char **newp);

/* Delete entry p. If next is not NULL it receives the entry that followed
 * p (in the returned listpack), or NULL if p was the last one. */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p,
                         unsigned char **next);
/* Delete up to count entries starting at index (negative: from the tail).
 * An out-of-range index deletes nothing. */
unsigned char *lp_delete_range(unsigned char *lp, long index,
                               unsigned long count);
/* Append all of *second to *first. The surviving blob is returned and
 * stored in the survivor's slot; the other is freed and its slot set to
 * NULL (the larger one survives, as in Redis). NULL if either is NULL, they
 * are the same listpack, or the result would exceed UINT32_MAX bytes. */
unsigned char *lp_merge(unsigned char **first, unsigned char **second);

/* Starting at p, compare every (skip+1)-th entry with s/slen and return
 * the first equal one, or NULL. Integer-encoded entries equal s when s
 * parses (lp_string_to_int64) to the same value; strings compare bytewise.
 * skip=1 visits the fields of a field/value listpack. */
unsigned char *lp_find(unsigned char *lp, unsigned char *p, const void *s,
                       uint32_t slen, unsigned skip);

/* Check an untrusted blob of size bytes: header, total-bytes == size,
 * terminator; with deep, also every entry (encoding known, inside the blob,
 * backlen canonical and consistent, terminator only at the end) and the
 * count. Never reads outside [lp, lp+size). 0 if valid, -1 if not. Without
 * deep only the header and first entry are checked. */
int lp_validate(const unsigned char *lp, size_t size, int deep);

/* Redis's rule for which strings are stored as integers: a whole buffer
 * that is a canonical int64 in decimal (optional '-', no '+', spaces or
 * leading zeros, "-0" refused). 0 and *out set, or -1. out may be NULL. */
int lp_string_to_int64(const char *s, size_t len, int64_t *out);

#endif
