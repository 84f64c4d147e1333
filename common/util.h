/* util: number parsing and formatting with Redis's exact rules, glob
 * matching, argument splitting, clocks. */
#ifndef SHOAL_UTIL_H
#define SHOAL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

#define LONG_STR_SIZE 21
#define MAX_D2STR_CHARS 128

/* Parse a whole buffer as a signed 64-bit integer: optional '-', no '+', no
 * spaces, no leading zeros. Returns 0 and sets *out, or -1 if the buffer is
 * not exactly such a number or is out of range. */
int util_str2ll(const char *s, size_t len, long long *out);
int util_str2ull(const char *s, size_t len, unsigned long long *out);
/* Parse a double as Redis does for scores and floats: strtod of the whole
 * buffer, no leading space, NaN refused. Returns 0 or -1. */
int util_str2d(const char *s, size_t len, double *out);
/* Same for long double (INCRBYFLOAT). Returns 0 or -1. */
int util_str2ld(const char *s, size_t len, long double *out);

/* Write v in decimal to buf (size >= LONG_STR_SIZE); returns the length. */
int util_ll2str(char *buf, size_t size, long long v);
int util_ull2str(char *buf, size_t size, unsigned long long v);
/* Format a double as Redis's replies do (%.17g, "inf", "-inf", integers
 * without exponent when exact). Returns the length. */
int util_d2str(char *buf, size_t size, double v);
/* Format a long double as INCRBYFLOAT does: no exponent, trailing zeros
 * removed. Returns the length, or 0 if it does not fit. */
int util_ld2str(char *buf, size_t size, long double v, int humanfriendly);

/* Glob-style match of string against pattern (*, ?, [a-z], [^x], \x).
 * nocase compares ASCII case-insensitively. Returns 1 on match. */
int util_glob_match(const char *pat, size_t plen, const char *s, size_t slen,
                    int nocase);

/* Split a line into arguments the way redis-cli and redis.conf do:
 * whitespace separates, "double quotes" with \n \r \t \b \a \\ \" \xHH
 * escapes, 'single quotes' with \' only. Returns a mem_alloc'd array of str
 * (free with util_free_args), or NULL on unbalanced quotes. */
str *util_split_args(const char *line, size_t len, int *argc);
void util_free_args(str *argv, int argc);

/* Redis Cluster key slot: CRC16-XMODEM of the key (or of the first
 * non-empty {hash tag}) mod 16384. */
uint16_t util_crc16(const char *buf, size_t len);
unsigned util_key_slot(const char *key, size_t len);

/* Clocks. */
long long util_ustime(void);
long long util_mstime(void);
long long util_monotonic_us(void);

/* Fill buf with len random bytes from the kernel (falls back to time-seeded
 * bytes if getrandom fails). */
void util_random_bytes(void *buf, size_t len);
/* Random 40 hex character id. buf must hold 41 bytes. */
void util_random_hex(char *buf, size_t len);

/* Sort base[0..n) enough that positions lo..hi hold what a full sort
 * would put there, with the exact steps of redis-server's pqsort (so
 * equal elements land where Redis puts them). */
typedef int util_cmp_fn(const void *a, const void *b);
void util_partial_sort(void *base, size_t n, size_t es, util_cmp_fn *cmp,
                       size_t lo, size_t hi);

#endif
