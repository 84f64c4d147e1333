/* SipHash-c-d written from the description in the SipHash paper: four 64-bit
 * lanes initialised from the key, one c-round compression per 8-byte word,
 * then d finalization rounds. */
#include "siphash.h"

#include <string.h>

static inline uint64_t rotl64(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

/* Reads 8 bytes as a little-endian word whatever the host byte order. */
static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static inline void sip_round(sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = rotl64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl64(s->v2, 32);
}

static inline void sip_absorb(sip_state *s, uint64_t m, int c_rounds)
{
    s->v3 ^= m;
    for (int i = 0; i < c_rounds; i++) {
        sip_round(s);
    }
    s->v0 ^= m;
}

/* Inlined into each public variant so the round counts are constants. */
static inline uint64_t sip_hash(const void *in, size_t len,
                                const uint8_t key[16], int c_rounds,
                                int d_rounds)
{
    const uint8_t *p = in;
    uint64_t k0 = load_le64(key);
    uint64_t k1 = load_le64(key + 8);
    sip_state s = {
        .v0 = k0 ^ UINT64_C(0x736f6d6570736575),
        .v1 = k1 ^ UINT64_C(0x646f72616e646f6d),
        .v2 = k0 ^ UINT64_C(0x6c7967656e657261),
        .v3 = k1 ^ UINT64_C(0x7465646279746573),
    };
    size_t tail = len & 7;
    size_t off = 0;
    uint64_t last;

    /* Indexes rather than pointer arithmetic: p may be NULL when len is 0. */
    for (; off < len - tail; off += 8) {
        sip_absorb(&s, load_le64(p + off), c_rounds);
    }

    /* The final word holds the 0-7 leftover bytes and the length mod 256. */
    last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < tail; i++) {
        last |= (uint64_t)p[off + i] << (8 * i);
    }
    sip_absorb(&s, last, c_rounds);

    s.v2 ^= 0xff;
    for (int i = 0; i < d_rounds; i++) {
        sip_round(&s);
    }
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash_2_4(const void *in, size_t len, const uint8_t key[16])
{
    return sip_hash(in, len, key, 2, 4);
}

uint64_t siphash_1_2(const void *in, size_t len, const uint8_t key[16])
{
    return sip_hash(in, len, key, 1, 2);
}
