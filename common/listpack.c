/* listpack: Redis 7.0 byte-compatible packed list of strings and integers.
 * The format and the pointer-invalidation rules are in listpack.h; this
 * file keeps every byte decision (encoding choice, backlen size) in one
 * place so the blobs match redis-server's. */
#include "listpack.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

/* First-byte patterns of the entry encodings. */
#define ENC_6BIT_STR 0x80  /* 10xxxxxx: string of up to 63 bytes */
#define ENC_13BIT_INT 0xC0 /* 110xxxxx yyyyyyyy: signed 13 bit */
#define ENC_12BIT_STR 0xE0 /* 1110xxxx yyyyyyyy: string up to 4095 */
#define ENC_32BIT_STR 0xF0 /* then u32 LE length */
#define ENC_16BIT_INT 0xF1
#define ENC_24BIT_INT 0xF2
#define ENC_32BIT_INT 0xF3
#define ENC_64BIT_INT 0xF4

#define MAX_ENC_HDR 9 /* longest encoding prefix we build (64 bit int) */
#define MAX_BACKLEN 5

static uint32_t rd_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd_le(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static void wr_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

static uint32_t hdr_total(const unsigned char *lp)
{
    return rd_u32(lp);
}

static void set_total(unsigned char *lp, uint64_t v)
{
    wr_le(lp, v, 4);
}

static uint32_t hdr_count(const unsigned char *lp)
{
    return (uint32_t)lp[4] | (uint32_t)lp[5] << 8;
}

static void set_count(unsigned char *lp, uint64_t v)
{
    wr_le(lp + 4, v >= LP_HDR_NUMELE_UNKNOWN ? LP_HDR_NUMELE_UNKNOWN : v, 2);
}

/* Bytes the backlen of an entry of l bytes takes. The thresholds are
 * Redis's (note 16383 and 2097151 already take the longer form), which
 * decides the bytes of large entries. */
static size_t backlen_size(uint64_t l)
{
    if (l <= 127) {
        return 1;
    } else if (l < 16383) {
        return 2;
    } else if (l < 2097151) {
        return 3;
    } else if (l < 268435455) {
        return 4;
    }
    return 5;
}

/* Write the backlen of l into buf: the leftmost byte holds the most
 * significant 7 bits with no continuation flag; every byte to its right
 * has bit 7 set, so a reader walking right to left knows to go on. */
static size_t backlen_encode(unsigned char *buf, uint64_t l)
{
    size_t n = backlen_size(l);

    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)((l >> (7 * (n - 1 - i))) & 127);
        buf[i] = i == 0 ? b : (unsigned char)(b | 128);
    }
    return n;
}

/* Decode a backlen given a pointer to its LAST byte. UINT64_MAX if it does
 * not end within 5 bytes. */
static uint64_t backlen_decode(const unsigned char *p)
{
    uint64_t v = 0;

    for (int shift = 0; shift <= 28; shift += 7, p--) {
        v |= (uint64_t)(p[0] & 127) << shift;
        if (!(p[0] & 128)) {
            return v;
        }
    }
    return UINT64_MAX;
}

/* How many bytes of an entry must be readable to know its size: 0 for an
 * unknown encoding byte (including the terminator). */
static size_t enc_prefix_size(unsigned char b)
{
    if (b < 0x80 || (b & 0xC0) == ENC_6BIT_STR || (b & 0xE0) == ENC_13BIT_INT) {
        return 1;
    }
    if ((b & 0xF0) == ENC_12BIT_STR) {
        return 2;
    }
    switch (b) {
    case ENC_32BIT_STR: return 5;
    case ENC_16BIT_INT:
    case ENC_24BIT_INT:
    case ENC_32BIT_INT:
    case ENC_64BIT_INT: return 1;
    default: return 0;
    }
}

/* Size of encoding + data of the entry at p (its prefix must be readable),
 * without the backlen. 0 for an unknown encoding byte. */
static uint64_t enc_size(const unsigned char *p)
{
    unsigned char b = p[0];

    if (b < 0x80) {
        return 1;
    }
    if ((b & 0xC0) == ENC_6BIT_STR) {
        return 1 + (uint64_t)(b & 0x3F);
    }
    if ((b & 0xE0) == ENC_13BIT_INT) {
        return 2;
    }
    if ((b & 0xF0) == ENC_12BIT_STR) {
        return 2 + ((uint64_t)(b & 0x0F) << 8 | p[1]);
    }
    switch (b) {
    case ENC_32BIT_STR: return 5 + (uint64_t)rd_u32(p + 1);
    case ENC_16BIT_INT: return 3;
    case ENC_24BIT_INT: return 4;
    case ENC_32BIT_INT: return 5;
    case ENC_64BIT_INT: return 9;
    default: return 0;
    }
}

/* Whole entry size: encoding + data + backlen. */
static uint64_t entry_size(const unsigned char *p)
{
    uint64_t n = enc_size(p);

    return n + backlen_size(n);
}

/* Smallest integer encoding of v into buf; returns its length. */
static size_t encode_int(unsigned char *buf, int64_t v)
{
    uint64_t u = (uint64_t)v; /* two's complement bits */

    if (v >= 0 && v <= 127) {
        buf[0] = (unsigned char)v;
        return 1;
    }
    if (v >= -4096 && v <= 4095) {
        u &= 0x1FFF;
        buf[0] = (unsigned char)(ENC_13BIT_INT | u >> 8);
        buf[1] = (unsigned char)(u & 0xFF);
        return 2;
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        buf[0] = ENC_16BIT_INT;
        wr_le(buf + 1, u, 2);
        return 3;
    }
    if (v >= -8388608 && v <= 8388607) {
        buf[0] = ENC_24BIT_INT;
        wr_le(buf + 1, u, 3);
        return 4;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        buf[0] = ENC_32BIT_INT;
        wr_le(buf + 1, u, 4);
        return 5;
    }
    buf[0] = ENC_64BIT_INT;
    wr_le(buf + 1, u, 8);
    return 9;
}

/* String header for len bytes into buf; returns its length. */
static size_t encode_str_hdr(unsigned char *buf, uint32_t len)
{
    if (len < 64) {
        buf[0] = (unsigned char)(ENC_6BIT_STR | len);
        return 1;
    }
    if (len < 4096) {
        buf[0] = (unsigned char)(ENC_12BIT_STR | len >> 8);
        buf[1] = (unsigned char)(len & 0xFF);
        return 2;
    }
    buf[0] = ENC_32BIT_STR;
    wr_le(buf + 1, len, 4);
    return 5;
}

int lp_string_to_int64(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    uint64_t v;

    /* 20 chars is "-9223372036854775808"; anything longer overflows. */
    if (len == 0 || len > 20) {
        return -1;
    }
    if (len == 1 && s[0] == '0') {
        if (out != NULL) {
            *out = 0;
        }
        return 0;
    }
    if (s[0] == '-') {
        i = 1;
        if (len == 1) {
            return -1;
        }
    }
    if (s[i] < '1' || s[i] > '9') {
        return -1;
    }
    v = (uint64_t)(s[i++] - '0');
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    if (s[0] == '-') {
        if (v > (uint64_t)INT64_MAX + 1) {
            return -1;
        }
        if (out != NULL) {
            *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        }
    } else {
        if (v > (uint64_t)INT64_MAX) {
            return -1;
        }
        if (out != NULL) {
            *out = (int64_t)v;
        }
    }
    return 0;
}

unsigned char *lp_new(size_t capacity)
{
    unsigned char *lp =
        mem_alloc(capacity > LP_HDR_SIZE + 1 ? capacity : LP_HDR_SIZE + 1);

    set_total(lp, LP_HDR_SIZE + 1);
    set_count(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp)
{
    mem_free(lp);
}

unsigned char *lp_dup(const unsigned char *lp)
{
    uint32_t n = hdr_total(lp);
    unsigned char *d = mem_alloc(n);

    memcpy(d, lp, n);
    return d;
}

unsigned char *lp_shrink_to_fit(unsigned char *lp)
{
    uint32_t n = hdr_total(lp);

    return n < mem_usable(lp) ? mem_realloc(lp, n) : lp;
}

uint32_t lp_bytes(const unsigned char *lp)
{
    return hdr_total(lp);
}

int lp_safe_to_add(const unsigned char *lp, size_t add)
{
    size_t have = lp != NULL ? hdr_total(lp) : 0;

    return have + add <= LP_MAX_SAFETY_SIZE;
}

unsigned char *lp_first(unsigned char *lp)
{
    unsigned char *p = lp + LP_HDR_SIZE;

    return p[0] == LP_EOF ? NULL : p;
}

unsigned char *lp_next(unsigned char *lp, unsigned char *p)
{
    assert(p != NULL && p[0] != LP_EOF);
    p += entry_size(p);
    /* A corrupt entry must not walk us off the blob. */
    assert(p > lp + LP_HDR_SIZE && p < lp + hdr_total(lp));
    return p[0] == LP_EOF ? NULL : p;
}

unsigned char *lp_prev(unsigned char *lp, unsigned char *p)
{
    uint64_t n;

    assert(p != NULL);
    if (p == lp + LP_HDR_SIZE) {
        return NULL;
    }
    n = backlen_decode(p - 1);
    assert(n != UINT64_MAX);
    n += backlen_size(n);
    assert(n <= (uint64_t)(p - (lp + LP_HDR_SIZE)));
    return p - n;
}

unsigned char *lp_last(unsigned char *lp)
{
    return lp_prev(lp, lp + hdr_total(lp) - 1);
}

uint32_t lp_length(unsigned char *lp)
{
    uint32_t n = hdr_count(lp);
    uint32_t count = 0;

    if (n != LP_HDR_NUMELE_UNKNOWN) {
        return n;
    }
    for (unsigned char *p = lp_first(lp); p != NULL; p = lp_next(lp, p)) {
        count++;
    }
    if (count < LP_HDR_NUMELE_UNKNOWN) {
        set_count(lp, count);
    }
    return count;
}

unsigned char *lp_seek(unsigned char *lp, long index)
{
    uint32_t n = hdr_count(lp);
    int forward = 1;
    unsigned char *p;

    if (n != LP_HDR_NUMELE_UNKNOWN) {
        if (index < 0) {
            index += (long)n;
        }
        if (index < 0 || index >= (long)n) {
            return NULL;
        }
        if (index > (long)n / 2) {
            forward = 0;
            index -= (long)n;
        }
    } else if (index < 0) {
        forward = 0;
    }
    if (forward) {
        p = lp_first(lp);
        while (index > 0 && p != NULL) {
            p = lp_next(lp, p);
            index--;
        }
    } else {
        p = lp_last(lp);
        while (index < -1 && p != NULL) {
            p = lp_prev(lp, p);
            index++;
        }
    }
    return p;
}

void lp_get_val(const unsigned char *p, lp_val *out)
{
    unsigned char b = p[0];
    uint64_t u;

    out->s = NULL;
    out->slen = 0;
    if (b < 0x80) {
        out->v = b;
        return;
    }
    if ((b & 0xC0) == ENC_6BIT_STR) {
        out->s = p + 1;
        out->slen = b & 0x3F;
        return;
    }
    if ((b & 0xE0) == ENC_13BIT_INT) {
        u = (uint64_t)(b & 0x1F) << 8 | p[1];
        out->v = u >= 4096 ? (long long)u - 8192 : (long long)u;
        return;
    }
    if ((b & 0xF0) == ENC_12BIT_STR) {
        out->s = p + 2;
        out->slen = (uint32_t)(b & 0x0F) << 8 | p[1];
        return;
    }
    switch (b) {
    case ENC_32BIT_STR:
        out->s = p + 5;
        out->slen = rd_u32(p + 1);
        return;
    case ENC_16BIT_INT:
        u = rd_le(p + 1, 2);
        out->v = u >= 0x8000 ? (long long)u - 0x10000 : (long long)u;
        return;
    case ENC_24BIT_INT:
        u = rd_le(p + 1, 3);
        out->v = u >= 0x800000 ? (long long)u - 0x1000000 : (long long)u;
        return;
    case ENC_32BIT_INT:
        u = rd_le(p + 1, 4);
        out->v =
            u >= 0x80000000ULL ? (long long)u - 0x100000000LL : (long long)u;
        return;
    case ENC_64BIT_INT:
        u = rd_le(p + 1, 8);
        /* Convert without relying on implementation-defined casts. */
        out->v = u > (uint64_t)INT64_MAX ? -(long long)(~u) - 1 : (long long)u;
        return;
    default:
        /* Not an entry (corruption): Redis's recognisable marker value. */
        out->v = 12345678900000000LL + b;
        return;
    }
}

const unsigned char *lp_get(const unsigned char *p, uint32_t *len,
                            unsigned char *intbuf)
{
    lp_val v;

    lp_get_val(p, &v);
    if (v.s != NULL) {
        *len = v.slen;
        return v.s;
    }
    assert(intbuf != NULL);
    *len = (uint32_t)snprintf((char *)intbuf, LP_INTBUF_SIZE, "%lld", v.v);
    return intbuf;
}

int lp_get_ll(const unsigned char *p, long long *v)
{
    lp_val e;
    int64_t x;

    lp_get_val(p, &e);
    if (e.s == NULL) {
        *v = e.v;
        return 0;
    }
    if (lp_string_to_int64((const char *)e.s, e.slen, &x) != 0) {
        return -1;
    }
    *v = x;
    return 0;
}

/* The single edit primitive: replace the old_len bytes at offset off with
 * a new entry made of hdr (encoding prefix), data and a computed backlen,
 * or with nothing when hdr_len is 0 (deletion). count_delta adjusts the
 * header count. *newp gets the edited position (NULL after deleting the
 * last entry). Returns NULL, touching nothing, past UINT32_MAX bytes. */
static unsigned char *splice(unsigned char *lp, size_t off, size_t old_len,
                             const unsigned char *hdr, size_t hdr_len,
                             const void *data, size_t data_len, int count_delta,
                             unsigned char **newp)
{
    uint64_t old_total = hdr_total(lp);
    uint64_t enc_len = hdr_len + data_len;
    unsigned char bl[MAX_BACKLEN];
    size_t bl_len = hdr_len > 0 ? backlen_encode(bl, enc_len) : 0;
    uint64_t add = enc_len + bl_len;
    uint64_t new_total = old_total - old_len + add;
    unsigned char *copy = NULL;
    uint32_t n;

    if (new_total > UINT32_MAX) {
        return NULL;
    }
    /* The caller may pass bytes that live inside this very listpack (say,
     * another entry's value): take a copy before moving things around. */
    if (data_len > 0 && (const unsigned char *)data >= lp &&
        (const unsigned char *)data < lp + old_total) {
        copy = mem_alloc(data_len);
        memcpy(copy, data, data_len);
        data = copy;
    }
    if (new_total > old_total && new_total > mem_usable(lp)) {
        lp = mem_realloc(lp, new_total);
    }
    memmove(lp + off + add, lp + off + old_len, old_total - off - old_len);
    if (new_total < old_total) {
        lp = mem_realloc(lp, new_total);
    }
    if (hdr_len > 0) {
        unsigned char *dst = lp + off;
        memcpy(dst, hdr, hdr_len);
        if (data_len > 0) {
            memcpy(dst + hdr_len, data, data_len);
        }
        memcpy(dst + enc_len, bl, bl_len);
    }
    n = hdr_count(lp);
    if (count_delta != 0 && n != LP_HDR_NUMELE_UNKNOWN) {
        /* Reaching 65535 turns the count into "unknown", as in Redis. */
        set_count(lp, (uint64_t)((int64_t)n + count_delta));
    }
    set_total(lp, new_total);
    if (newp != NULL) {
        *newp = (hdr_len == 0 && lp[off] == LP_EOF) ? NULL : lp + off;
    }
    mem_free(copy);
    return lp;
}

/* Encode a string element: integer encoding if Redis would use one. */
static size_t encode_ele(unsigned char *hdr, const void *ele, uint32_t len,
                         size_t *data_len)
{
    int64_t v;

    if (lp_string_to_int64(ele, len, &v) == 0) {
        *data_len = 0;
        return encode_int(hdr, v);
    }
    *data_len = len;
    return encode_str_hdr(hdr, len);
}

static unsigned char *put_ele(unsigned char *lp, size_t off, size_t old_len,
                              const void *ele, uint32_t len, int delta,
                              unsigned char **newp)
{
    unsigned char hdr[MAX_ENC_HDR];
    size_t data_len;
    size_t hdr_len = encode_ele(hdr, ele, len, &data_len);

    return splice(lp, off, old_len, hdr, hdr_len, data_len ? ele : NULL,
                  data_len, delta, newp);
}

static unsigned char *put_int(unsigned char *lp, size_t off, size_t old_len,
                              long long v, int delta, unsigned char **newp)
{
    unsigned char hdr[MAX_ENC_HDR];
    size_t hdr_len = encode_int(hdr, v);

    return splice(lp, off, old_len, hdr, hdr_len, NULL, 0, delta, newp);
}

/* Offset at which an insertion relative to p lands. */
static size_t insert_off(unsigned char *lp, unsigned char *p, int where)
{
    assert(p != NULL && p[0] != LP_EOF);
    if (where == LP_AFTER) {
        p += entry_size(p);
        assert(p < lp + hdr_total(lp));
    }
    return (size_t)(p - lp);
}

unsigned char *lp_append(unsigned char *lp, const void *ele, uint32_t len)
{
    return put_ele(lp, hdr_total(lp) - 1, 0, ele, len, 1, NULL);
}

unsigned char *lp_prepend(unsigned char *lp, const void *ele, uint32_t len)
{
    return put_ele(lp, LP_HDR_SIZE, 0, ele, len, 1, NULL);
}

unsigned char *lp_append_int(unsigned char *lp, long long v)
{
    return put_int(lp, hdr_total(lp) - 1, 0, v, 1, NULL);
}

unsigned char *lp_prepend_int(unsigned char *lp, long long v)
{
    return put_int(lp, LP_HDR_SIZE, 0, v, 1, NULL);
}

unsigned char *lp_insert(unsigned char *lp, const void *ele, uint32_t len,
                         unsigned char *p, int where, unsigned char **newp)
{
    return put_ele(lp, insert_off(lp, p, where), 0, ele, len, 1, newp);
}

unsigned char *lp_insert_int(unsigned char *lp, long long v, unsigned char *p,
                             int where, unsigned char **newp)
{
    return put_int(lp, insert_off(lp, p, where), 0, v, 1, newp);
}

unsigned char *lp_replace(unsigned char *lp, unsigned char *p, const void *ele,
                          uint32_t len, unsigned char **newp)
{
    assert(p != NULL && p[0] != LP_EOF);
    return put_ele(lp, (size_t)(p - lp), entry_size(p), ele, len, 0, newp);
}

unsigned char *lp_replace_int(unsigned char *lp, unsigned char *p, long long v,
                              unsigned char **newp)
{
    assert(p != NULL && p[0] != LP_EOF);
    return put_int(lp, (size_t)(p - lp), entry_size(p), v, 0, newp);
}

unsigned char *lp_delete(unsigned char *lp, unsigned char *p,
                         unsigned char **next)
{
    assert(p != NULL && p[0] != LP_EOF);
    return splice(lp, (size_t)(p - lp), entry_size(p), NULL, 0, NULL, 0, -1,
                  next);
}

unsigned char *lp_delete_range(unsigned char *lp, long index,
                               unsigned long count)
{
    uint32_t n = hdr_count(lp);
    uint32_t total = hdr_total(lp);
    unsigned char *p;
    unsigned char *q;
    unsigned long deleted = 0;

    if (count == 0 || (p = lp_seek(lp, index)) == NULL) {
        return lp;
    }
    if (n != LP_HDR_NUMELE_UNKNOWN) {
        if (index < 0) {
            index += (long)n;
        }
        /* Everything from p to the end goes: just move the terminator. */
        if ((unsigned long)n - (unsigned long)index <= count) {
            p[0] = LP_EOF;
            set_total(lp, (uint64_t)(p - lp) + 1);
            set_count(lp, (uint64_t)index);
            return mem_realloc(lp, (size_t)(p - lp) + 1);
        }
    }
    q = p;
    while (deleted < count && q[0] != LP_EOF) {
        q += entry_size(q);
        assert(q < lp + total);
        deleted++;
    }
    memmove(p, q, (size_t)(lp + total - q));
    set_total(lp, total - (uint64_t)(q - p));
    if (n != LP_HDR_NUMELE_UNKNOWN) {
        set_count(lp, n - deleted);
    }
    return mem_realloc(lp, total - (size_t)(q - p));
}

unsigned char *lp_merge(unsigned char **first, unsigned char **second)
{
    unsigned char *target;
    unsigned char *source;
    uint32_t fl, sl, tb, sb;
    uint64_t bytes;
    int append;

    if (first == NULL || second == NULL || *first == NULL || *second == NULL ||
        *first == *second) {
        return NULL;
    }
    fl = lp_length(*first);
    sl = lp_length(*second);
    bytes = (uint64_t)hdr_total(*first) + hdr_total(*second) - LP_HDR_SIZE - 1;
    if (bytes > UINT32_MAX) {
        return NULL;
    }
    /* Keep the longer one and grow it in place, as Redis does. */
    append = fl >= sl;
    target = append ? *first : *second;
    source = append ? *second : *first;
    tb = hdr_total(target);
    sb = hdr_total(source);
    target = mem_realloc(target, bytes);
    if (append) {
        /* [target entries][source entries + EOF] */
        memcpy(target + tb - 1, source + LP_HDR_SIZE, sb - LP_HDR_SIZE);
    } else {
        /* [source header + entries][target entries + EOF] */
        memmove(target + sb - 1, target + LP_HDR_SIZE, tb - LP_HDR_SIZE);
        memcpy(target, source, sb - 1);
    }
    set_total(target, bytes);
    set_count(target, (uint64_t)fl + sl);
    mem_free(source);
    if (append) {
        *first = target;
        *second = NULL;
    } else {
        *first = NULL;
        *second = target;
    }
    return target;
}

unsigned char *lp_find(unsigned char *lp, unsigned char *p, const void *s,
                       uint32_t slen, unsigned skip)
{
    int s_is_int = -1; /* -1: not parsed yet */
    int64_t sv = 0;
    unsigned left = 0;

    while (p != NULL) {
        if (left == 0) {
            lp_val v;
            lp_get_val(p, &v);
            if (v.s != NULL) {
                if (v.slen == slen &&
                    (slen == 0 || memcmp(v.s, s, slen) == 0)) {
                    return p;
                }
            } else {
                /* Parse s once, and only if an integer entry shows up. */
                if (s_is_int < 0) {
                    s_is_int = lp_string_to_int64(s, slen, &sv) == 0;
                }
                if (s_is_int && v.v == sv) {
                    return p;
                }
            }
            left = skip;
        } else {
            left--;
        }
        p = lp_next(lp, p);
    }
    return NULL;
}

/* Check the entry at *off, which is before the terminator slot at
 * size - 1, and advance *off past it. Reads only inside [lp, lp+size). */
static int validate_entry(const unsigned char *lp, size_t size, size_t *off)
{
    const unsigned char *p = lp + *off;
    size_t room = size - 1 - *off; /* bytes before the terminator */
    unsigned char want[MAX_BACKLEN];
    size_t pre = enc_prefix_size(p[0]);
    uint64_t enc;
    size_t bl;

    if (pre == 0 || pre > room) {
        return -1;
    }
    enc = enc_size(p);
    bl = backlen_encode(want, enc);
    if (enc + bl > room) {
        return -1;
    }
    /* Only the canonical backlen is accepted: backward iteration then
     * lands exactly on the entry boundaries forward iteration found. */
    if (memcmp(p + enc, want, bl) != 0) {
        return -1;
    }
    *off += enc + bl;
    return 0;
}

int lp_validate(const unsigned char *lp, size_t size, int deep)
{
    size_t off = LP_HDR_SIZE;
    uint64_t count = 0;
    uint32_t n;

    if (lp == NULL || size < LP_HDR_SIZE + 1 || hdr_total(lp) != size ||
        lp[size - 1] != LP_EOF) {
        return -1;
    }
    while (off < size - 1) {
        if (validate_entry(lp, size, &off) != 0) {
            return -1;
        }
        count++;
        if (!deep) {
            return 0;
        }
    }
    n = hdr_count(lp);
    if (deep && n != LP_HDR_NUMELE_UNKNOWN && n != count) {
        return -1;
    }
    return 0;
}
