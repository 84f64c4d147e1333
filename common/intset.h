/* intset: a sorted set of integers in one allocation, in exactly Redis
 * 7.0's byte format, so an RDB intset payload (RDB_TYPE_SET_INTSET) is the
 * blob verbatim. */
#ifndef SHOAL_INTSET_H
#define SHOAL_INTSET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Layout (little endian): <encoding u32: 2, 4 or 8> <length u32>
 * <length integers of `encoding` bytes each, strictly ascending>.
 * The encoding is the width of the widest value ever added; adding a wider
 * value rewrites every element wider ("upgrade"); removing never narrows.
 *
 * Ownership: an intset is one mem_alloc'd block owned by the caller; its
 * bytes ARE the blob: (const unsigned char *)is, intset_blob_len(is) bytes.
 * A blob that passed intset_validate() and lives in a mem_alloc'd buffer
 * of exactly that size may be cast to intset * and used directly.
 * intset_add() and intset_remove() may reallocate: the old pointer is
 * invalid afterwards; use the returned one.
 */
typedef struct intset intset;

#define INTSET_HDR_SIZE 8

/* New empty intset (8 bytes, 16 bit encoding). Never returns NULL. */
intset *intset_new(void);
void intset_free(intset *is);
/* A copy of is; the caller owns it. */
intset *intset_dup(const intset *is);

/* Add v; *added (if not NULL) is 1 if it was new, 0 if already present.
 * Returns the (possibly moved) intset. */
intset *intset_add(intset *is, int64_t v, int *added);
/* Remove v; *removed (if not NULL) is 1 if it was there, else 0. Returns
 * the (possibly moved) intset. */
intset *intset_remove(intset *is, int64_t v, int *removed);
/* 1 if v is in the set, else 0 (binary search). */
int intset_find(const intset *is, int64_t v);
/* Element at 0-based position pos (ascending order): 0 and *v set, or -1
 * if pos is out of range. */
int intset_get(const intset *is, uint32_t pos, int64_t *v);
uint32_t intset_len(const intset *is);
/* Bytes of the blob: header plus length * encoding. */
size_t intset_blob_len(const intset *is);
/* Width in bytes of every element: 2, 4 or 8. */
uint32_t intset_encoding(const intset *is);
/* A uniformly chosen element (libc random()). is must not be empty. */
int64_t intset_random(const intset *is);
/* Largest / smallest element. is must not be empty. */
int64_t intset_max(const intset *is);
int64_t intset_min(const intset *is);

/* Check an untrusted blob of size bytes without reading outside it:
 * known encoding, size == header + length * encoding, not empty (Redis
 * never stores an empty set); with deep, also strictly ascending. 0 if
 * valid, -1 if not. */
int intset_validate(const unsigned char *blob, size_t size, int deep);

#endif
