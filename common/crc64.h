/* crc64: the CRC-64 that RDB files and DUMP payloads carry (Jones
 * polynomial 0xad93d23594c935a9, reflected in and out, init 0, xorout 0). */
#ifndef SHOAL_CRC64_H
#define SHOAL_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Continue a checksum over n more bytes: start with crc = 0. The tables are
 * built by a constructor before main, so calls are safe from any thread. */
uint64_t crc64(uint64_t crc, const void *p, size_t n);

#endif
