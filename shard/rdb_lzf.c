/* rdb_lzf: the LZF compressor redis-server uses for RDB strings, re-derived
 * from the format and liblzf's published algorithm (hash of three bytes,
 * 2^16 slots, "very fast" re-hashing after a match) so that our compressed
 * strings are the same bytes as Redis's. common/lzf.c decodes them. */
#include <stdint.h>
#include <string.h>

#include "mem.h"
#include "rdb_int.h"

#define LZF_HLOG 16
#define LZF_HSIZE (1u << LZF_HLOG)
#define LZF_MAX_LIT (1 << 5)
#define LZF_MAX_OFF (1 << 13)
#define LZF_MAX_REF ((1 << 8) + (1 << 3))

/* Slots hold input offsets. Redis starts each call with whatever its stack
 * holds; a fresh (empty) table is the reproducible case. Instead of
 * clearing 256 KiB per string, a slot counts only when its generation is
 * the current call's. */
struct rdb_lzf {
    uint32_t off[LZF_HSIZE];
    uint32_t gen[LZF_HSIZE];
    uint32_t cur;
};

struct rdb_lzf *rdb_lzf_create(void)
{
    return mem_calloc(sizeof(struct rdb_lzf));
}

void rdb_lzf_destroy(struct rdb_lzf *z)
{
    mem_free(z);
}

static inline unsigned lzf_idx(uint32_t h)
{
    return ((h >> (3 * 8 - LZF_HLOG)) - h * 5) & (LZF_HSIZE - 1);
}

/* Previous position recorded under idx (0 = none), then record pos. */
static inline size_t slot_swap(struct rdb_lzf *z, unsigned idx, size_t pos)
{
    size_t prev = z->gen[idx] == z->cur ? z->off[idx] : 0;

    z->gen[idx] = z->cur;
    z->off[idx] = (uint32_t)pos;
    return prev;
}

static inline void slot_set(struct rdb_lzf *z, unsigned idx, size_t pos)
{
    z->gen[idx] = z->cur;
    z->off[idx] = (uint32_t)pos;
}

size_t rdb_lzf_compress(struct rdb_lzf *z, const void *in, size_t in_len,
                        void *out, size_t out_len)
{
    const unsigned char *base = in;
    unsigned char *op = out, *out_end = op + out_len;
    size_t ip = 0;
    int lit = 0;

    if (in_len == 0 || out_len == 0 || in_len >= UINT32_MAX) {
        return 0;
    }
    if (++z->cur == 0) {
        memset(z->gen, 0, sizeof(z->gen));
        z->cur = 1;
    }
    op++; /* room for the first literal run's control byte */
    uint32_t hval = in_len >= 2 ? ((uint32_t)base[0] << 8) | base[1] : 0;
    while (in_len >= 3 && ip < in_len - 2) {
        hval = (hval << 8) | base[ip + 2];
        size_t ref = slot_swap(z, lzf_idx(hval), ip);
        size_t off = ip - ref - 1; /* wraps when ref > ip: no match */
        if (ref > 0 && ref < ip && off < LZF_MAX_OFF &&
            base[ref + 2] == base[ip + 2] && base[ref] == base[ip] &&
            base[ref + 1] == base[ip + 1]) {
            size_t len = 2;
            size_t maxlen = in_len - ip - len;
            if (maxlen > LZF_MAX_REF) {
                maxlen = LZF_MAX_REF;
            }
            if (op + 3 + 1 >= out_end && op - !lit + 3 + 1 >= out_end) {
                return 0;
            }
            op[-lit - 1] = (unsigned char)(lit - 1); /* close the run */
            op -= !lit;
            /* liblzf first compares 16 bytes unconditionally when maxlen
             * exceeds 16; reproduce its match lengths exactly. */
            int done = 0;
            if (maxlen > 16) {
                for (int k = 0; k < 16; k++) {
                    len++;
                    if (base[ref + len] != base[ip + len]) {
                        done = 1;
                        break;
                    }
                }
            }
            if (!done) {
                do {
                    len++;
                } while (len < maxlen && base[ref + len] == base[ip + len]);
            }
            len -= 2;
            ip++;
            if (len < 7) {
                *op++ = (unsigned char)((off >> 8) + (len << 5));
            } else {
                *op++ = (unsigned char)((off >> 8) + (7 << 5));
                *op++ = (unsigned char)(len - 7);
            }
            *op++ = (unsigned char)off;
            lit = 0;
            op++; /* start a new run */
            ip += len + 1;
            if (ip >= in_len - 2) {
                break;
            }
            /* "very fast" mode: hash the two positions before ip again */
            ip -= 2;
            hval = ((uint32_t)base[ip] << 8) | base[ip + 1];
            hval = (hval << 8) | base[ip + 2];
            slot_set(z, lzf_idx(hval), ip);
            ip++;
            hval = (hval << 8) | base[ip + 2];
            slot_set(z, lzf_idx(hval), ip);
            ip++;
        } else {
            if (op >= out_end) {
                return 0;
            }
            lit++;
            *op++ = base[ip++];
            if (lit == LZF_MAX_LIT) {
                op[-lit - 1] = (unsigned char)(lit - 1);
                lit = 0;
                op++;
            }
        }
    }
    if (op + 3 > out_end) {
        return 0;
    }
    while (ip < in_len) {
        lit++;
        *op++ = base[ip++];
        if (lit == LZF_MAX_LIT) {
            op[-lit - 1] = (unsigned char)(lit - 1);
            lit = 0;
            op++;
        }
    }
    op[-lit - 1] = (unsigned char)(lit - 1);
    op -= !lit;
    return (size_t)(op - (unsigned char *)out);
}
