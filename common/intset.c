/* intset: Redis 7.0 byte-compatible sorted integer set. Elements are read
 * and written byte by byte in little endian so the blob is the same on any
 * host and no access is ever misaligned. */
#include "intset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define ENC_INT16 2
#define ENC_INT32 4
#define ENC_INT64 8

/* Only ever used through casts of the blob; the bytes are the contract. */
struct intset {
    unsigned char b[INTSET_HDR_SIZE];
};

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

static const unsigned char *bytes(const intset *is)
{
    return (const unsigned char *)is;
}

static unsigned char *wbytes(intset *is)
{
    return (unsigned char *)is;
}

uint32_t intset_encoding(const intset *is)
{
    return rd32(bytes(is));
}

uint32_t intset_len(const intset *is)
{
    return rd32(bytes(is) + 4);
}

size_t intset_blob_len(const intset *is)
{
    return INTSET_HDR_SIZE + (size_t)intset_len(is) * intset_encoding(is);
}

/* Width needed to hold v. */
static uint32_t value_encoding(int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX) {
        return ENC_INT64;
    }
    if (v < INT16_MIN || v > INT16_MAX) {
        return ENC_INT32;
    }
    return ENC_INT16;
}

/* Read element pos of a set stored with width enc (sign-extended). */
static int64_t get_enc(const unsigned char *blob, uint32_t pos, uint32_t enc)
{
    const unsigned char *p = blob + INTSET_HDR_SIZE + (size_t)pos * enc;
    uint64_t u = 0;

    for (int i = (int)enc - 1; i >= 0; i--) {
        u = u << 8 | p[i];
    }
    /* Sign-extend from enc*8 bits without implementation-defined casts. */
    if (enc < 8 && (u >> (enc * 8 - 1)) & 1) {
        u |= ~(uint64_t)0 << (enc * 8);
    }
    return u > (uint64_t)INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

static int64_t get_at(const intset *is, uint32_t pos)
{
    return get_enc(bytes(is), pos, intset_encoding(is));
}

static void set_at(intset *is, uint32_t pos, int64_t v)
{
    uint32_t enc = intset_encoding(is);
    unsigned char *p = wbytes(is) + INTSET_HDR_SIZE + (size_t)pos * enc;
    uint64_t u = (uint64_t)v;

    for (uint32_t i = 0; i < enc; i++) {
        p[i] = (unsigned char)(u >> (8 * i));
    }
}

/* Binary search: 1 and *pos = index if found; else 0 and *pos = where v
 * would be inserted. */
static int search(const intset *is, int64_t v, uint32_t *pos)
{
    uint32_t len = intset_len(is);
    uint32_t lo = 0;
    uint32_t hi = len;

    /* Appends in order are the common case: answer them without a search. */
    if (len == 0 || v > get_at(is, len - 1)) {
        *pos = len;
        return 0;
    }
    if (v < get_at(is, 0)) {
        *pos = 0;
        return 0;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_at(is, mid);
        if (cur == v) {
            *pos = mid;
            return 1;
        }
        if (cur < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *pos = lo;
    return 0;
}

static intset *resize(intset *is, uint32_t len)
{
    size_t size = INTSET_HDR_SIZE + (size_t)len * intset_encoding(is);

    return mem_realloc(is, size);
}

/* Move elements [from, len) so they start at index to. */
static void move_tail(intset *is, uint32_t from, uint32_t to)
{
    uint32_t enc = intset_encoding(is);
    unsigned char *base = wbytes(is) + INTSET_HDR_SIZE;
    size_t n = (size_t)(intset_len(is) - from) * enc;

    memmove(base + (size_t)to * enc, base + (size_t)from * enc, n);
}

intset *intset_new(void)
{
    intset *is = mem_alloc(INTSET_HDR_SIZE);

    wr32(wbytes(is), ENC_INT16);
    wr32(wbytes(is) + 4, 0);
    return is;
}

void intset_free(intset *is)
{
    mem_free(is);
}

intset *intset_dup(const intset *is)
{
    size_t n = intset_blob_len(is);
    intset *d = mem_alloc(n);

    memcpy(d, is, n);
    return d;
}

/* v is wider than every element: widen them all, then v goes first (if
 * negative) or last, since it is beyond the current range. */
static intset *upgrade_and_add(intset *is, int64_t v)
{
    uint32_t old_enc = intset_encoding(is);
    uint32_t len = intset_len(is);
    int front = v < 0;

    wr32(wbytes(is), value_encoding(v));
    is = resize(is, len + 1);
    /* Back to front, so no unread element is overwritten. */
    for (uint32_t i = len; i-- > 0;) {
        set_at(is, i + (uint32_t)front, get_enc(bytes(is), i, old_enc));
    }
    set_at(is, front ? 0 : len, v);
    wr32(wbytes(is) + 4, len + 1);
    return is;
}

intset *intset_add(intset *is, int64_t v, int *added)
{
    uint32_t pos;
    uint32_t len = intset_len(is);

    if (added != NULL) {
        *added = 1;
    }
    if (value_encoding(v) > intset_encoding(is)) {
        return upgrade_and_add(is, v);
    }
    if (search(is, v, &pos)) {
        if (added != NULL) {
            *added = 0;
        }
        return is;
    }
    is = resize(is, len + 1);
    if (pos < len) {
        move_tail(is, pos, pos + 1);
    }
    set_at(is, pos, v);
    wr32(wbytes(is) + 4, len + 1);
    return is;
}

intset *intset_remove(intset *is, int64_t v, int *removed)
{
    uint32_t pos;
    uint32_t len = intset_len(is);

    if (removed != NULL) {
        *removed = 0;
    }
    if (value_encoding(v) > intset_encoding(is) || !search(is, v, &pos)) {
        return is;
    }
    if (removed != NULL) {
        *removed = 1;
    }
    if (pos < len - 1) {
        move_tail(is, pos + 1, pos);
    }
    is = resize(is, len - 1);
    wr32(wbytes(is) + 4, len - 1);
    return is;
}

int intset_find(const intset *is, int64_t v)
{
    uint32_t pos;

    return value_encoding(v) <= intset_encoding(is) && search(is, v, &pos);
}

int intset_get(const intset *is, uint32_t pos, int64_t *v)
{
    if (pos >= intset_len(is)) {
        return -1;
    }
    *v = get_at(is, pos);
    return 0;
}

int64_t intset_random(const intset *is)
{
    uint32_t len = intset_len(is);

    assert(len > 0);
    return get_at(is, (uint32_t)((unsigned long)random() % len));
}

int64_t intset_max(const intset *is)
{
    assert(intset_len(is) > 0);
    return get_at(is, intset_len(is) - 1);
}

int64_t intset_min(const intset *is)
{
    assert(intset_len(is) > 0);
    return get_at(is, 0);
}

int intset_validate(const unsigned char *blob, size_t size, int deep)
{
    uint32_t enc;
    uint32_t len;
    int64_t prev;

    if (blob == NULL || size < INTSET_HDR_SIZE) {
        return -1;
    }
    enc = rd32(blob);
    if (enc != ENC_INT16 && enc != ENC_INT32 && enc != ENC_INT64) {
        return -1;
    }
    len = rd32(blob + 4);
    if (len == 0 || (size - INTSET_HDR_SIZE) / enc != len ||
        (size - INTSET_HDR_SIZE) % enc != 0) {
        return -1;
    }
    if (!deep) {
        return 0;
    }
    prev = get_enc(blob, 0, enc);
    for (uint32_t i = 1; i < len; i++) {
        int64_t cur = get_enc(blob, i, enc);
        if (cur <= prev) {
            return -1;
        }
        prev = cur;
    }
    return 0;
}
