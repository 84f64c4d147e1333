/* lzf: a greedy LZ77 encoder (one hash slot per 3-byte prefix) and a
 * bounds-checked decoder for the LZF stream format described in lzf.h. */
#include "lzf.h"

#include <stdint.h>
#include <string.h>

#define LIT_MAX 32              /* bytes per literal run */
#define MATCH_MIN 3             /* shortest back reference */
#define MATCH_MAX (7 + 255 + 2) /* longest back reference */
#define DIST_MAX 8192           /* farthest back reference */
#define HLOG_MIN 8
#define HLOG_MAX 14

static uint32_t rd3(const unsigned char *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t hash3(uint32_t v, unsigned hlog)
{
    return (v * 2654435761u) >> (32 - hlog);
}

/* Appends n literal bytes as runs of at most LIT_MAX. Returns the new
 * output offset, or 0 if they do not fit (the output is never empty when
 * this succeeds with n > 0, so 0 is unambiguous). */
static size_t put_literals(unsigned char *out, size_t o, size_t out_len,
                           const unsigned char *lit, size_t n)
{
    while (n > 0) {
        size_t k = n < LIT_MAX ? n : LIT_MAX;
        if (out_len - o < k + 1) {
            return 0;
        }
        out[o++] = (unsigned char)(k - 1);
        memcpy(out + o, lit, k);
        o += k;
        lit += k;
        n -= k;
    }
    return o;
}

size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len)
{
    const unsigned char *ip = in;
    unsigned char *op = out;
    /* Slot values are position + 1 (0 = empty), kept modulo 2^32: every
     * candidate is verified byte by byte, so a stale or wrapped slot costs
     * a missed match, never a wrong one. */
    uint32_t tab[1u << HLOG_MAX];
    unsigned hlog = HLOG_MIN;
    size_t i = 0;
    size_t anchor = 0; /* first byte not yet emitted */
    size_t o = 0;

    if (in_len == 0 || out_len == 0) {
        return 0;
    }
    /* Size the table to the input so small inputs clear little memory. */
    while (hlog < HLOG_MAX && ((size_t)1 << hlog) < in_len) {
        hlog++;
    }
    memset(tab, 0, sizeof(tab[0]) << hlog);

    while (in_len - i > 2) {
        uint32_t h = hash3(rd3(ip + i), hlog);
        uint32_t d = (uint32_t)(i + 1) - tab[h];
        int found = tab[h] != 0 && d >= 1 && d <= DIST_MAX && d <= i &&
                    memcmp(ip + i - d, ip + i, MATCH_MIN) == 0;

        tab[h] = (uint32_t)(i + 1);
        if (!found) {
            i++;
            continue;
        }

        const unsigned char *ref = ip + i - d;
        size_t max = in_len - i < MATCH_MAX ? in_len - i : MATCH_MAX;
        size_t len = MATCH_MIN;
        while (len < max && ref[len] == ip[i + len]) {
            len++;
        }

        if (i > anchor) {
            o = put_literals(op, o, out_len, ip + anchor, i - anchor);
            if (o == 0) {
                return 0;
            }
        }
        size_t off = d - 1;
        size_t code = len - 2; /* 1..262; 7 and up spill into a byte */
        if (out_len - o < (code < 7 ? 2u : 3u)) {
            return 0;
        }
        if (code < 7) {
            op[o++] = (unsigned char)(code << 5 | off >> 8);
        } else {
            op[o++] = (unsigned char)(7 << 5 | off >> 8);
            op[o++] = (unsigned char)(code - 7);
        }
        op[o++] = (unsigned char)(off & 0xff);

        /* Index the last two positions of the match: the next repeat
         * often starts right there (indexing every position costs twice
         * the time for a fraction of a percent of ratio). */
        size_t end = i + len;
        for (size_t j = end - 2; j < end && in_len - j > 2; j++) {
            tab[hash3(rd3(ip + j), hlog)] = (uint32_t)(j + 1);
        }
        i = end;
        anchor = end;
    }
    if (in_len > anchor) {
        o = put_literals(op, o, out_len, ip + anchor, in_len - anchor);
    }
    return o;
}

size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len)
{
    const unsigned char *ip = in;
    const unsigned char *in_end = ip + in_len;
    unsigned char *op = out;
    unsigned char *out_end = op + out_len;

    while (ip < in_end) {
        unsigned ctrl = *ip++;

        if (ctrl < 32) {
            size_t n = (size_t)ctrl + 1;
            if ((size_t)(in_end - ip) < n || (size_t)(out_end - op) < n) {
                return 0;
            }
            memcpy(op, ip, n);
            ip += n;
            op += n;
            continue;
        }

        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip == in_end) {
                return 0;
            }
            len += *ip++;
        }
        if (ip == in_end) {
            return 0;
        }
        size_t back = ((size_t)(ctrl & 0x1f) << 8) + *ip++ + 1;
        len += 2;
        if (back > (size_t)(op - (unsigned char *)out) ||
            (size_t)(out_end - op) < len) {
            return 0;
        }
        const unsigned char *ref = op - back;
        if (back >= len) {
            memcpy(op, ref, len);
            op += len;
        } else {
            /* Overlapping copy: each byte may be one this copy wrote. */
            while (len--) {
                *op++ = *ref++;
            }
        }
    }
    return (size_t)(op - (unsigned char *)out);
}
