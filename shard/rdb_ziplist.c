/* rdb_ziplist: the ziplist encoding of RDB files before version 10
 * (Redis 6.x hashes, zsets and list nodes), converted to listpacks on
 * load. The input is untrusted: every read is bounds-checked. */
#include <stddef.h>
#include <stdint.h>

#include "listpack.h"
#include "rdb_int.h"

/* Decode a ziplist of size bytes into a new listpack; NULL if malformed.
 * Never reads outside [zl, zl+size). */
unsigned char *rdb_ziplist_to_listpack(const unsigned char *zl, size_t size,
                                       size_t *count)
{
    if (size < 11) {
        return NULL;
    }
    uint32_t zlbytes =
        zl[0] | (zl[1] << 8) | (zl[2] << 16) | ((uint32_t)zl[3] << 24);
    if (zlbytes != size || zl[size - 1] != 0xFF) {
        return NULL;
    }
    unsigned char *lp = lp_new(size);
    size_t pos = 10;
    *count = 0;
    while (pos < size - 1) {
        /* prevlen */
        if (zl[pos] < 254) {
            pos += 1;
        } else if (zl[pos] == 254) {
            pos += 5;
        } else {
            goto bad;
        }
        if (pos >= size - 1) {
            goto bad;
        }
        unsigned char e = zl[pos];
        size_t slen = 0, hdr = 0;
        long long v = 0;
        int isint = 1;
        switch (e >> 6) {
        case 0:
            slen = e & 0x3F;
            hdr = 1;
            isint = 0;
            break;
        case 1:
            if (pos + 2 > size - 1) {
                goto bad;
            }
            slen = ((size_t)(e & 0x3F) << 8) | zl[pos + 1];
            hdr = 2;
            isint = 0;
            break;
        case 2:
            if (e != 0x80 || pos + 5 > size - 1) {
                goto bad;
            }
            slen = ((size_t)zl[pos + 1] << 24) | ((size_t)zl[pos + 2] << 16) |
                   ((size_t)zl[pos + 3] << 8) | zl[pos + 4];
            hdr = 5;
            isint = 0;
            break;
        default: {
            size_t ilen;
            if (e == 0xC0) {
                ilen = 2;
            } else if (e == 0xD0) {
                ilen = 4;
            } else if (e == 0xE0) {
                ilen = 8;
            } else if (e == 0xF0) {
                ilen = 3;
            } else if (e == 0xFE) {
                ilen = 1;
            } else if (e >= 0xF1 && e <= 0xFD) {
                ilen = 0;
                v = (e & 0x0F) - 1;
            } else {
                goto bad;
            }
            if (pos + 1 + ilen > size - 1) {
                goto bad;
            }
            if (ilen > 0) {
                uint64_t u = 0;
                for (size_t i = 0; i < ilen; i++) {
                    u |= (uint64_t)zl[pos + 1 + i] << (8 * i);
                }
                /* sign-extend from ilen bytes */
                int shift = 64 - 8 * (int)ilen;
                v = (long long)(u << shift) >> shift;
            }
            hdr = 1 + ilen;
            break;
        }
        }
        if (!isint) {
            if (pos + hdr + slen > size - 1) {
                goto bad;
            }
            unsigned char *nlp = lp_append(lp, zl + pos + hdr, (uint32_t)slen);
            if (nlp == NULL) {
                goto bad;
            }
            lp = nlp;
            pos += hdr + slen;
        } else {
            lp = lp_append_int(lp, v);
            pos += hdr;
        }
        (*count)++;
    }
    if (pos != size - 1) {
        goto bad;
    }
    return lp;
bad:
    lp_free(lp);
    return NULL;
}
