/* bitops: bitmap commands over string values (SETBIT, GETBIT, BITCOUNT,
 * BITPOS, BITOP, BITFIELD, BITFIELD_RO). Bit 0 is the most significant bit
 * of the first byte, as in Redis. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "db.h"
#include "mem.h"
#include "notify.h"
#include "reply.h"
#include "server.h"
#include "util.h"

#define ERR_BIT_OFFSET "bit offset is not an integer or out of range"
#define ERR_BIT_VALUE "bit is not an integer or out of range"
#define ERR_BITFIELD_TYPE                                                      \
    "Invalid bitfield type. Use something like i16 u8. Note that u64 is "      \
    "not supported but i64 is."

/* ---- small helpers ------------------------------------------------------- */

/* Redis compares option names with strcasecmp on NUL-terminated arguments,
 * so an argument matches when its bytes up to the first NUL do. Kept that
 * way so odd arguments get the same replies. */
static int arg_is(const arg *a, const char *word)
{
    size_t n = strnlen(a->p, a->n);

    return n == strlen(word) && strncasecmp(a->p, word, n) == 0;
}

static int arg_ll(client *c, const arg *a, long long *out)
{
    if (util_str2ll(a->p, a->n, out) != 0) {
        reply_error(c, ERR_NOT_INT);
        return -1;
    }
    return 0;
}

/* A bit offset argument: a non-negative integer whose byte is below
 * proto-max-bulk-len. With hash, "#N" means N * bits (BITFIELD); the
 * product wraps like Redis's, so an overflow lands on the error. */
static int arg_bit_offset(client *c, const arg *a, int hash, int bits,
                          uint64_t *out)
{
    int use_hash = hash && bits > 0 && a->n > 0 && a->p[0] == '#';
    long long v;

    if (util_str2ll(a->p + use_hash, a->n - (size_t)use_hash, &v) != 0) {
        reply_error(c, ERR_BIT_OFFSET);
        return -1;
    }
    if (use_hash) {
        v = (long long)((uint64_t)v * (uint64_t)bits);
    }
    if (v < 0 || (v >> 3) >= c->srv->cfg.proto_max_bulk_len) {
        reply_error(c, ERR_BIT_OFFSET);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* The string at argv[1] made writable and long enough to hold bit maxbit
 * (zero-filled growth; created if missing). NULL after replying WRONGTYPE.
 * *grew is set when the key was created or lengthened: such a write counts
 * as a change even if no bit flips, as in Redis. */
static obj *string_for_bit_write(client *c, uint64_t maxbit, int *grew)
{
    const arg *key = &c->argv[1];
    size_t need = (size_t)(maxbit >> 3) + 1;
    obj *o = db_lookup_write(c, key);

    if (o == NULL) {
        o = obj_create_raw_string(NULL, need);
        db_add(c->db, key->p, key->n, o);
        *grew = 1;
        return o;
    }
    if (o->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        return NULL;
    }
    o = db_unshare_string(c->db, key->p, key->n, o);
    size_t old = str_len(o->ptr);
    o->ptr = str_grow_zero(o->ptr, need);
    *grew = str_len(o->ptr) != old;
    return o;
}

/* ---- popcount ------------------------------------------------------------ */

/* An unaligned 64-bit load. One word per call: copying several words
 * into an array makes the compiler bounce them through the stack. */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

/* Sum of set bits, eight bytes at a time. */
static inline __attribute__((always_inline)) uint64_t
popcount_body(const uint8_t *p, size_t n)
{
    uint64_t a = 0, b = 0, c = 0, d = 0;

    while (n >= 32) {
        a += (uint64_t)__builtin_popcountll(load64(p));
        b += (uint64_t)__builtin_popcountll(load64(p + 8));
        c += (uint64_t)__builtin_popcountll(load64(p + 16));
        d += (uint64_t)__builtin_popcountll(load64(p + 24));
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        a += (uint64_t)__builtin_popcountll(load64(p));
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        a += (uint64_t)__builtin_popcount(*p++);
        n--;
    }
    return a + b + c + d;
}

static uint64_t popcount_generic(const uint8_t *p, size_t n)
{
    return popcount_body(p, n);
}

#if defined(__x86_64__) || defined(__i386__)
/* The same loop compiled to use the POPCNT instruction, picked at run time
 * (the portable build can't assume the CPU has it). */
__attribute__((target("popcnt"))) static uint64_t popcount_hw(const uint8_t *p,
                                                              size_t n)
{
    return popcount_body(p, n);
}

static uint64_t popcount(const uint8_t *p, size_t n)
{
    if (__builtin_cpu_supports("popcnt")) {
        return popcount_hw(p, n);
    }
    return popcount_generic(p, n);
}
#else
static uint64_t popcount(const uint8_t *p, size_t n)
{
    return popcount_generic(p, n);
}
#endif

/* ---- ranges -------------------------------------------------------------- */

/* Turn BITCOUNT/BITPOS start and end (inclusive, negative counting from the
 * end, in bytes or bits) into an inclusive bit range of a len-byte string,
 * clamped as Redis clamps. -1 if the range is empty. */
static int resolve_range(long long start, long long end, int isbit,
                         long long len, uint64_t *first, uint64_t *last)
{
    long long total = isbit ? len * 8 : len;

    if (start < 0) {
        start += total;
    }
    if (end < 0) {
        end += total;
    }
    if (start < 0) {
        start = 0;
    }
    if (end < 0) {
        end = 0;
    }
    if (end >= total) {
        end = total - 1;
    }
    if (start > end) {
        return -1;
    }
    *first = isbit ? (uint64_t)start : (uint64_t)start * 8;
    *last = isbit ? (uint64_t)end : (uint64_t)end * 8 + 7;
    return 0;
}

/* The optional BYTE|BIT unit argument; replies syntax error. */
static int arg_unit(client *c, const arg *a, int *isbit)
{
    if (arg_is(a, "bit")) {
        *isbit = 1;
    } else if (arg_is(a, "byte")) {
        *isbit = 0;
    } else {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    return 0;
}

/* Set bits in the inclusive bit range [first, last] of p. */
static uint64_t count_range(const uint8_t *p, uint64_t first, uint64_t last)
{
    uint64_t fb = first >> 3, lb = last >> 3;
    uint8_t head = (uint8_t)(0xff >> (first & 7));      /* kept of p[fb] */
    uint8_t tail = (uint8_t)(0xff << (7 - (last & 7))); /* kept of p[lb] */
    uint64_t n = popcount(p + fb, lb - fb + 1);

    n -= (uint64_t)__builtin_popcount(p[fb] & (uint8_t)~head);
    n -= (uint64_t)__builtin_popcount(p[lb] & (uint8_t)~tail);
    return n;
}

/* Position of the first bit equal to bit in [first, last] of p, or -1. */
static long long find_bit(const uint8_t *p, uint64_t first, uint64_t last,
                          int bit)
{
    uint64_t i = first >> 3, lb = last >> 3;
    uint8_t flip = bit ? 0 : 0xff; /* look for a 1 in p ^ flip */
    uint64_t nothing = bit ? 0 : UINT64_MAX;

    for (; i <= lb; i++) {
        if (i != first >> 3) {
            /* Whole words with nothing to find are skipped at once,
             * four at a time while far from the end. */
            if (bit) {
                while (i + 32 <= lb &&
                       (load64(p + i) | load64(p + i + 8) | load64(p + i + 16) |
                        load64(p + i + 24)) == 0) {
                    i += 32;
                }
            } else {
                while (i + 32 <= lb &&
                       (load64(p + i) & load64(p + i + 8) & load64(p + i + 16) &
                        load64(p + i + 24)) == UINT64_MAX) {
                    i += 32;
                }
            }
            while (i + 8 <= lb && load64(p + i) == nothing) {
                i += 8;
            }
        }
        uint8_t v = p[i] ^ flip;
        if (i == first >> 3) {
            v &= (uint8_t)(0xff >> (first & 7));
        }
        if (i == lb) {
            v &= (uint8_t)(0xff << (7 - (last & 7)));
        }
        if (v != 0) {
            return (long long)(i * 8) + __builtin_clz(v) - 24;
        }
    }
    return -1;
}

/* ---- SETBIT / GETBIT ----------------------------------------------------- */

void cmd_setbit(client *c)
{
    const arg *key = &c->argv[1];
    uint64_t offset;
    long long on;
    int grew;

    if (arg_bit_offset(c, &c->argv[2], 0, 0, &offset) != 0) {
        return;
    }
    if (util_str2ll(c->argv[3].p, c->argv[3].n, &on) != 0 || (on & ~1LL)) {
        reply_error(c, ERR_BIT_VALUE);
        return;
    }
    obj *o = string_for_bit_write(c, offset, &grew);
    if (o == NULL) {
        return;
    }
    uint8_t *byte = (uint8_t *)o->ptr + (offset >> 3);
    uint8_t mask = (uint8_t)(0x80 >> (offset & 7));
    int old = (*byte & mask) != 0;

    /* Only a real change (or a grown string) is a write. */
    if (grew || old != on) {
        *byte = on ? (uint8_t)(*byte | mask) : (uint8_t)(*byte & ~mask);
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_STRING, "setbit", key);
        c->srv->dirty++;
    }
    reply_ll(c, old);
}

void cmd_getbit(client *c)
{
    char buf[LONG_STR_SIZE];
    uint64_t offset;
    size_t len;
    int bit = 0;

    if (arg_bit_offset(c, &c->argv[2], 0, 0, &offset) != 0) {
        return;
    }
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (o->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    const uint8_t *p = (const uint8_t *)obj_str_view(o, buf, &len);
    if ((offset >> 3) < len) {
        bit = (p[offset >> 3] & (0x80 >> (offset & 7))) != 0;
    }
    reply_ll(c, bit);
}

/* ---- BITCOUNT / BITPOS --------------------------------------------------- */

void cmd_bitcount(client *c)
{
    char buf[LONG_STR_SIZE];
    long long start, end;
    uint64_t first, last;
    size_t len;
    int isbit = 0;

    /* Redis 7.0 looks the key up before it reads the range arguments. */
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (o->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    const uint8_t *p = (const uint8_t *)obj_str_view(o, buf, &len);

    if (c->argc == 2) {
        reply_ll(c, (long long)popcount(p, len));
        return;
    }
    if (c->argc != 4 && c->argc != 5) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (arg_ll(c, &c->argv[2], &start) != 0 ||
        arg_ll(c, &c->argv[3], &end) != 0) {
        return;
    }
    /* Checked before the unit argument is even read, as in Redis. */
    if (start < 0 && end < 0 && start > end) {
        reply_ll(c, 0);
        return;
    }
    if (c->argc == 5 && arg_unit(c, &c->argv[4], &isbit) != 0) {
        return;
    }
    if (resolve_range(start, end, isbit, (long long)len, &first, &last) != 0) {
        reply_ll(c, 0);
        return;
    }
    reply_ll(c, (long long)count_range(p, first, last));
}

void cmd_bitpos(client *c)
{
    char buf[LONG_STR_SIZE];
    long long bit, start = 0, end = -1;
    uint64_t first, last;
    size_t len;
    int isbit = 0, end_given = 0;

    if (arg_ll(c, &c->argv[2], &bit) != 0) {
        return;
    }
    if (bit != 0 && bit != 1) {
        reply_error(c, "The bit argument must be 1 or 0.");
        return;
    }
    /* A missing key is an endless run of zeros. */
    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_ll(c, bit ? -1 : 0);
        return;
    }
    if (o->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    const uint8_t *p = (const uint8_t *)obj_str_view(o, buf, &len);

    if (c->argc > 6) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc >= 4 && arg_ll(c, &c->argv[3], &start) != 0) {
        return;
    }
    if (c->argc == 6 && arg_unit(c, &c->argv[5], &isbit) != 0) {
        return;
    }
    if (c->argc >= 5) {
        if (arg_ll(c, &c->argv[4], &end) != 0) {
            return;
        }
        end_given = 1;
    }
    if (resolve_range(start, end, isbit, (long long)len, &first, &last) != 0) {
        reply_ll(c, -1);
        return;
    }
    long long pos = find_bit(p, first, last, (int)bit);
    if (pos < 0 && bit == 0 && !end_given) {
        /* Without an explicit end the string counts as followed by
         * zeros: the first clear bit is the one just past the range. */
        pos = (long long)last + 1;
    }
    reply_ll(c, pos);
}

/* ---- BITOP --------------------------------------------------------------- */

enum bitop_kind { BITOP_AND, BITOP_OR, BITOP_XOR, BITOP_NOT };

#define BITOP_CHUNK (64 * 1024)

/* r = r op s over n bytes (NOT: r = ~r, s unused), a word at a time. */
static void bitop_fold(int kind, uint8_t *r, const uint8_t *s, size_t n)
{
    size_t i = 0;
    uint64_t w;

    switch (kind) {
    case BITOP_AND:
        for (; i + 8 <= n; i += 8) {
            w = load64(r + i) & load64(s + i);
            memcpy(r + i, &w, 8);
        }
        for (; i < n; i++) {
            r[i] &= s[i];
        }
        break;
    case BITOP_OR:
        for (; i + 8 <= n; i += 8) {
            w = load64(r + i) | load64(s + i);
            memcpy(r + i, &w, 8);
        }
        for (; i < n; i++) {
            r[i] |= s[i];
        }
        break;
    case BITOP_XOR:
        for (; i + 8 <= n; i += 8) {
            w = load64(r + i) ^ load64(s + i);
            memcpy(r + i, &w, 8);
        }
        for (; i < n; i++) {
            r[i] ^= s[i];
        }
        break;
    default: /* BITOP_NOT */
        for (; i + 8 <= n; i += 8) {
            w = ~load64(r + i);
            memcpy(r + i, &w, 8);
        }
        for (; i < n; i++) {
            r[i] = (uint8_t)~r[i];
        }
        break;
    }
}

void cmd_bitop(client *c)
{
    const arg *dest = &c->argv[2];
    int nsrc = c->argc - 3;
    int kind;

    if (arg_is(&c->argv[1], "and")) {
        kind = BITOP_AND;
    } else if (arg_is(&c->argv[1], "or")) {
        kind = BITOP_OR;
    } else if (arg_is(&c->argv[1], "xor")) {
        kind = BITOP_XOR;
    } else if (arg_is(&c->argv[1], "not")) {
        kind = BITOP_NOT;
    } else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (kind == BITOP_NOT && nsrc != 1) {
        reply_error(c, "BITOP NOT must be called with a single source key.");
        return;
    }

    /* Views of every source; int-encoded ones are written out as digits. */
    const uint8_t **src = mem_alloc(sizeof(*src) * (size_t)nsrc);
    size_t *lens = mem_alloc(sizeof(*lens) * (size_t)nsrc);
    char(*digits)[LONG_STR_SIZE] = mem_alloc(sizeof(*digits) * (size_t)nsrc);
    size_t maxlen = 0;

    for (int j = 0; j < nsrc; j++) {
        obj *o = db_lookup_read(c, &c->argv[3 + j]);
        if (o == NULL) {
            src[j] = NULL;
            lens[j] = 0;
            continue;
        }
        if (o->type != OBJ_STRING) {
            reply_error(c, ERR_WRONGTYPE);
            goto done;
        }
        src[j] = (const uint8_t *)obj_str_view(o, digits[j], &lens[j]);
        if (lens[j] > maxlen) {
            maxlen = lens[j];
        }
    }

    if (maxlen == 0) {
        /* An empty result deletes the destination. */
        if (db_delete(c->db, dest->p, dest->n)) {
            db_signal_modified(c, c->db, dest->p, dest->n);
            notify_key(c, NOTIFY_GENERIC, "del", dest);
            c->srv->dirty++;
        }
        reply_ll(c, 0);
        goto done;
    }

    /* Missing bytes (short or absent sources) read as zeros; res starts
     * zero-filled. The work goes in chunks that stay in the CPU cache
     * while every source is folded in. */
    str res = str_new(NULL, maxlen);
    uint8_t *r = (uint8_t *)res;

    for (size_t off = 0; off < maxlen; off += BITOP_CHUNK) {
        size_t n = maxlen - off < BITOP_CHUNK ? maxlen - off : BITOP_CHUNK;

        if (off < lens[0]) {
            size_t m = lens[0] - off < n ? lens[0] - off : n;
            memcpy(r + off, src[0] + off, m);
        }
        if (kind == BITOP_NOT) {
            bitop_fold(BITOP_NOT, r + off, NULL, n);
            continue;
        }
        for (int j = 1; j < nsrc; j++) {
            size_t m = off < lens[j] ? lens[j] - off : 0;
            if (m > n) {
                m = n;
            }
            bitop_fold(kind, r + off, m > 0 ? src[j] + off : NULL, m);
            if (kind == BITOP_AND && m < n) {
                memset(r + off + m, 0, n - m); /* ANDed with zeros */
            }
        }
    }
    /* Like SET: a raw string, any TTL dropped, the key signalled. */
    db_set(c, c->db, dest->p, dest->n, obj_create_from_str(res), 0);
    notify_key(c, NOTIFY_STRING, "set", dest);
    c->srv->dirty++;
    reply_ll(c, (long long)maxlen);

done:
    mem_free(digits);
    mem_free(lens);
    mem_free(src);
}

/* ---- BITFIELD ------------------------------------------------------------ */

enum bf_opcode { BF_GET, BF_SET, BF_INCRBY };
enum bf_overflow { BF_WRAP, BF_SAT, BF_FAIL };

typedef struct bf_op {
    uint64_t offset;
    int64_t value; /* SET value or INCRBY increment */
    int opcode;
    int overflow;
    int bits;
    int is_signed;
} bf_op;

/* The field type argument: i1..i64 or u1..u63. The width is read up to the
 * first NUL, as Redis does. */
static int arg_bf_type(client *c, const arg *a, int *is_signed, int *bits)
{
    long long n;

    if (a->n > 0 && a->p[0] == 'i') {
        *is_signed = 1;
    } else if (a->n > 0 && a->p[0] == 'u') {
        *is_signed = 0;
    } else {
        reply_error(c, ERR_BITFIELD_TYPE);
        return -1;
    }
    size_t digits = strnlen(a->p + 1, a->n - 1);
    if (util_str2ll(a->p + 1, digits, &n) != 0 || n < 1 ||
        n > (*is_signed ? 64 : 63)) {
        reply_error(c, ERR_BITFIELD_TYPE);
        return -1;
    }
    *bits = (int)n;
    return 0;
}

/* A field of up to 64 bits starting anywhere in a byte spans at most nine
 * bytes: they are handled as one big-endian 72-bit window. */
static unsigned __int128 window_load(const uint8_t *p, size_t len,
                                     uint64_t byte)
{
    unsigned __int128 w = 0;

    for (uint64_t i = 0; i < 9; i++) {
        w = (w << 8) | (byte + i < len ? p[byte + i] : 0);
    }
    return w;
}

static uint64_t field_mask(int bits)
{
    return bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
}

/* Read bits bits at bit offset off as an unsigned number; bytes past len
 * read as zero. */
static uint64_t field_get(const uint8_t *p, size_t len, uint64_t off, int bits)
{
    unsigned __int128 w = window_load(p, len, off >> 3);
    int shift = 72 - (int)(off & 7) - bits;

    return (uint64_t)(w >> shift) & field_mask(bits);
}

/* Write the low bits bits of v at bit offset off (the string covers the
 * field: the caller grew it). */
static void field_set(uint8_t *p, size_t len, uint64_t off, int bits,
                      uint64_t v)
{
    uint64_t byte = off >> 3;
    unsigned __int128 w = window_load(p, len, byte);
    int shift = 72 - (int)(off & 7) - bits;
    uint64_t mask = field_mask(bits);

    w &= ~((unsigned __int128)mask << shift);
    w |= (unsigned __int128)(v & mask) << shift;
    for (uint64_t i = 0; i < 9 && byte + i < len; i++) {
        p[byte + i] = (uint8_t)(w >> (8 * (8 - i)));
    }
}

/* The low bits bits of v as a signed number (higher bits ignored). */
static int64_t sign_extend(uint64_t v, int bits)
{
    if (bits < 64) {
        v &= field_mask(bits);
        if (v & (UINT64_C(1) << (bits - 1))) {
            v |= UINT64_MAX << bits;
        }
    }
    return (int64_t)v;
}

/* Would value + incr leave the signed bits-wide range? 1 above, -1 below,
 * 0 fits. *res gets what to store under WRAP (two's complement
 * truncation) or SAT (the limit). The headroom is computed with wrapping
 * arithmetic as Redis does, so a SET of a value just above INT64_MIN is
 * judged "above" there too: the same replies. */
static int overflow_signed(int64_t value, int64_t incr, int bits, int mode,
                           int64_t *res)
{
    int64_t max =
        bits == 64 ? INT64_MAX : (int64_t)((UINT64_C(1) << (bits - 1)) - 1);
    int64_t min = -max - 1;
    int64_t room_up = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t room_down = (int64_t)((uint64_t)min - (uint64_t)value);
    int dir = 0;

    if (value > max || (bits != 64 && incr > room_up) ||
        (value >= 0 && incr > 0 && incr > room_up)) {
        dir = 1;
    } else if (value < min || (bits != 64 && incr < room_down) ||
               (value < 0 && incr < 0 && incr < room_down)) {
        dir = -1;
    }
    if (dir == 0) {
        return 0;
    }
    if (mode == BF_WRAP) {
        *res = sign_extend((uint64_t)value + (uint64_t)incr, bits);
    } else if (mode == BF_SAT) {
        *res = dir > 0 ? max : min;
    }
    return dir;
}

/* The unsigned counterpart (bits <= 63). */
static int overflow_unsigned(uint64_t value, int64_t incr, int bits, int mode,
                             uint64_t *res)
{
    uint64_t max = field_mask(bits);
    int64_t room_up = (int64_t)(max - value);
    int64_t room_down = (int64_t)(0 - value);
    int dir = 0;

    if (value > max || (incr > 0 && incr > room_up)) {
        dir = 1;
    } else if (incr < 0 && incr < room_down) {
        dir = -1;
    }
    if (dir == 0) {
        return 0;
    }
    if (mode == BF_WRAP) {
        *res = (value + (uint64_t)incr) & max;
    } else if (mode == BF_SAT) {
        *res = dir > 0 ? max : 0;
    }
    return dir;
}

enum bf_result { BF_FAILED = -1, BF_SAME = 0, BF_CHANGED = 1 };

/* Run one SET/INCRBY on the grown, writable string and reply its value (nil
 * for an overflow under FAIL, which writes nothing). */
static int bf_write(client *c, uint8_t *p, size_t len, const bf_op *op)
{
    uint64_t raw = field_get(p, len, op->offset, op->bits);
    uint64_t stored;
    long long ret;
    int over;

    if (op->is_signed) {
        int64_t old = sign_extend(raw, op->bits), val, lim = 0;

        if (op->opcode == BF_INCRBY) {
            over =
                overflow_signed(old, op->value, op->bits, op->overflow, &lim);
            val = over ? lim : (int64_t)((uint64_t)old + (uint64_t)op->value);
            ret = val;
        } else {
            over = overflow_signed(op->value, 0, op->bits, op->overflow, &lim);
            val = over ? lim : op->value;
            ret = old;
        }
        stored = (uint64_t)val & field_mask(op->bits);
    } else {
        uint64_t val, lim = 0;

        if (op->opcode == BF_INCRBY) {
            over =
                overflow_unsigned(raw, op->value, op->bits, op->overflow, &lim);
            val = over ? lim : raw + (uint64_t)op->value;
            ret = (long long)val;
        } else {
            over = overflow_unsigned((uint64_t)op->value, 0, op->bits,
                                     op->overflow, &lim);
            val = over ? lim : (uint64_t)op->value;
            ret = (long long)raw;
        }
        stored = val;
    }
    if (over && op->overflow == BF_FAIL) {
        reply_null(c);
        return BF_FAILED;
    }
    reply_ll(c, ret);
    field_set(p, len, op->offset, op->bits, stored);
    return stored != raw ? BF_CHANGED : BF_SAME;
}

/* BITFIELD and BITFIELD_RO: parse every operation first (an error leaves
 * the key untouched), then run them in order. */
static void bitfield(client *c, int readonly_cmd)
{
    const arg *key = &c->argv[1];
    bf_op *ops = mem_alloc(sizeof(*ops) * (size_t)c->argc);
    int nops = 0, overflow = BF_WRAP, writes = 0;
    uint64_t highest = 0;

    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const arg *sub = &c->argv[j];
        bf_op *op = &ops[nops];

        if (arg_is(sub, "get") && left >= 2) {
            op->opcode = BF_GET;
        } else if (arg_is(sub, "set") && left >= 3) {
            op->opcode = BF_SET;
        } else if (arg_is(sub, "incrby") && left >= 3) {
            op->opcode = BF_INCRBY;
        } else if (arg_is(sub, "overflow") && left >= 1) {
            const arg *mode = &c->argv[++j];
            if (arg_is(mode, "wrap")) {
                overflow = BF_WRAP;
            } else if (arg_is(mode, "sat")) {
                overflow = BF_SAT;
            } else if (arg_is(mode, "fail")) {
                overflow = BF_FAIL;
            } else {
                reply_error(c, "Invalid OVERFLOW type specified");
                goto done;
            }
            continue;
        } else {
            reply_error(c, ERR_SYNTAX);
            goto done;
        }
        if (arg_bf_type(c, &c->argv[j + 1], &op->is_signed, &op->bits) != 0 ||
            arg_bit_offset(c, &c->argv[j + 2], 1, op->bits, &op->offset) != 0) {
            goto done;
        }
        op->value = 0;
        op->overflow = overflow;
        if (op->opcode != BF_GET) {
            long long v;
            uint64_t top = op->offset + (uint64_t)op->bits - 1;

            writes = 1;
            if (top > highest) {
                highest = top;
            }
            if (arg_ll(c, &c->argv[j + 3], &v) != 0) {
                goto done;
            }
            op->value = v;
        }
        nops++;
        j += op->opcode == BF_GET ? 2 : 3;
    }

    obj *o;
    int grew = 0, changes = 0;
    if (!writes) {
        o = db_lookup_read(c, key);
        if (o != NULL && o->type != OBJ_STRING) {
            reply_error(c, ERR_WRONGTYPE);
            goto done;
        }
    } else {
        if (readonly_cmd) {
            reply_error(c, "BITFIELD_RO only supports the GET subcommand");
            goto done;
        }
        o = string_for_bit_write(c, highest, &grew);
        if (o == NULL) {
            goto done;
        }
    }

    reply_array_len(c, nops);
    for (int i = 0; i < nops; i++) {
        const bf_op *op = &ops[i];

        if (op->opcode != BF_GET) {
            int rc = bf_write(c, (uint8_t *)o->ptr, str_len(o->ptr), op);
            /* On a grown string every write that went through counts. */
            if (rc == BF_CHANGED || (rc == BF_SAME && grew)) {
                changes++;
            }
            continue;
        }
        char buf[LONG_STR_SIZE];
        size_t len = 0;
        const uint8_t *p = NULL;
        if (o != NULL) {
            p = (const uint8_t *)obj_str_view(o, buf, &len);
        }
        uint64_t v = field_get(p, len, op->offset, op->bits);
        reply_ll(c, op->is_signed ? sign_extend(v, op->bits) : (long long)v);
    }
    if (changes > 0) {
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_STRING, "setbit", key);
        c->srv->dirty += changes;
    }

done:
    mem_free(ops);
}

void cmd_bitfield(client *c)
{
    bitfield(c, 0);
}

void cmd_bitfield_ro(client *c)
{
    bitfield(c, 1);
}
