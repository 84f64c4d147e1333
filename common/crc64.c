/* crc64: Jones CRC-64, reflected, computed eight bytes at a time with eight
 * 256-entry tables (slicing-by-8): RDB loading checksums every byte. */
#include "crc64.h"

#include <string.h>

/* The polynomial 0xad93d23594c935a9 with its bits reversed, because the
 * CRC is computed least significant bit first. */
#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t crc64_tab[8][256];

__attribute__((constructor)) static void crc64_build_tables(void)
{
    for (int i = 0; i < 256; i++) {
        uint64_t c = (uint64_t)i;
        for (int b = 0; b < 8; b++) {
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        }
        crc64_tab[0][i] = c;
    }
    for (int k = 1; k < 8; k++) {
        for (int i = 0; i < 256; i++) {
            uint64_t prev = crc64_tab[k - 1][i];
            crc64_tab[k][i] = (prev >> 8) ^ crc64_tab[0][prev & 0xff];
        }
    }
}

uint64_t crc64(uint64_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;

    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        crc ^= w;
        crc = crc64_tab[7][crc & 0xff] ^ crc64_tab[6][(crc >> 8) & 0xff] ^
              crc64_tab[5][(crc >> 16) & 0xff] ^
              crc64_tab[4][(crc >> 24) & 0xff] ^
              crc64_tab[3][(crc >> 32) & 0xff] ^
              crc64_tab[2][(crc >> 40) & 0xff] ^
              crc64_tab[1][(crc >> 48) & 0xff] ^ crc64_tab[0][crc >> 56];
        s += 8;
        n -= 8;
    }
    while (n > 0) {
        crc = crc64_tab[0][(crc ^ *s) & 0xff] ^ (crc >> 8);
        s++;
        n--;
    }
    return crc;
}
