/* SipHash keyed pseudo-random function (Aumasson & Bernstein, 2012), used to
 * hash dictionary keys so that clients cannot force bucket collisions. */
#ifndef SHOAL_SIPHASH_H
#define SHOAL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of len bytes at in (any bytes, NULs included; in may be NULL
 * when len is 0) under the 16-byte key. Returns the 64-bit tag, i.e. the
 * little-endian reading of the reference implementation's 8 output bytes.
 * Never fails; neither buffer is retained. */
uint64_t siphash_2_4(const void *in, size_t len, const uint8_t key[16]);

/* Same construction with one compression and two finalization rounds: about
 * twice as fast on short inputs, still keyed, used for hash tables. */
uint64_t siphash_1_2(const void *in, size_t len, const uint8_t key[16]);

#endif
