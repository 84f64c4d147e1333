/* hll: HyperLogLog in Redis 7.0's dense/sparse string format, with its
 * element hash and Otmar Ertl's improved cardinality estimator
 * ("New cardinality estimation algorithms for HyperLogLog sketches"). */
#include "hll.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

#define HLL_Q (64 - HLL_P) /* hash bits left after the register index */
#define HLL_SEED 0xadc83b19ULL
/* 0.5 / ln 2: the estimator's alpha for an unbounded number of registers. */
#define HLL_ALPHA_INF 0.721347520444481703680
#define CACHE_STALE_BIT 0x80

/* Sparse opcode limits. */
#define ZERO_MAX 64
#define XZERO_MAX HLL_REGISTERS
#define VAL_MAX_RUN 4

enum op_kind { OP_ZERO, OP_XZERO, OP_VAL };

/* One decoded sparse opcode. */
typedef struct {
    enum op_kind kind;
    uint32_t run;  /* registers covered */
    uint32_t val;  /* register value (0 for the zero kinds) */
    uint32_t size; /* bytes: 1, or 2 for XZERO */
} sparse_op;

static unsigned char *regs(void *buf)
{
    return (unsigned char *)buf + HLL_HDR_SIZE;
}

static const unsigned char *cregs(const void *buf)
{
    return (const unsigned char *)buf + HLL_HDR_SIZE;
}

/* Decode the opcode at p[0..avail). An XZERO cut short by the end of the
 * value reads its missing byte as 0, as redis-server does (it reads the
 * string's NUL terminator): the same bytes give the same registers. */
static int op_decode(const unsigned char *p, size_t avail, sparse_op *op)
{
    unsigned b = p[0];

    if (b & 0x80) {
        op->kind = OP_VAL;
        op->val = ((b >> 2) & 0x1f) + 1;
        op->run = (b & 0x3) + 1;
        op->size = 1;
    } else if (b & 0x40) {
        op->kind = OP_XZERO;
        op->val = 0;
        op->run = (((b & 0x3f) << 8) | (avail < 2 ? 0 : p[1])) + 1;
        op->size = avail < 2 ? 1 : 2;
    } else {
        op->kind = OP_ZERO;
        op->val = 0;
        op->run = (b & 0x3f) + 1;
        op->size = 1;
    }
    return 0;
}

static int is_val(unsigned char b)
{
    return (b & 0x80) != 0;
}

static unsigned val_value(unsigned char b)
{
    return ((b >> 2) & 0x1f) + 1;
}

static unsigned val_run(unsigned char b)
{
    return (b & 0x3) + 1;
}

static unsigned char val_byte(unsigned value, unsigned run)
{
    return (unsigned char)(0x80 | ((value - 1) << 2) | (run - 1));
}

/* Write the shortest zero opcode for run registers; returns its size. */
static size_t zero_write(unsigned char *p, uint32_t run)
{
    if (run > ZERO_MAX) {
        p[0] = (unsigned char)(0x40 | ((run - 1) >> 8));
        p[1] = (unsigned char)((run - 1) & 0xff);
        return 2;
    }
    p[0] = (unsigned char)(run - 1);
    return 1;
}

/* ---- dense registers ---------------------------------------------------
 * Register i occupies bits [6i, 6i+6) of the register area, bit 0 being
 * the least significant bit of byte 0; a register may straddle two bytes.
 * The last register ends exactly at the last byte, so no access goes past
 * the 12288 register bytes. */

static unsigned dense_get(const unsigned char *r, uint32_t i)
{
    size_t bit = (size_t)i * HLL_BITS;
    size_t byte = bit >> 3;
    unsigned shift = bit & 7;
    unsigned v = r[byte] >> shift;

    if (shift > 8 - HLL_BITS) {
        v |= (unsigned)r[byte + 1] << (8 - shift);
    }
    return v & HLL_REGISTER_MAX;
}

static void dense_put(unsigned char *r, uint32_t i, unsigned v)
{
    size_t bit = (size_t)i * HLL_BITS;
    size_t byte = bit >> 3;
    unsigned shift = bit & 7;
    unsigned lo_mask = (HLL_REGISTER_MAX << shift) & 0xff;

    r[byte] = (unsigned char)((r[byte] & ~lo_mask) | ((v << shift) & 0xff));
    if (shift > 8 - HLL_BITS) {
        unsigned hi_mask = HLL_REGISTER_MAX >> (8 - shift);
        r[byte + 1] =
            (unsigned char)((r[byte + 1] & ~hi_mask) | (v >> (8 - shift)));
    }
}

/* Raise register i to v if lower; 1 if it changed. */
static int dense_raise(unsigned char *r, uint32_t i, unsigned v)
{
    if (dense_get(r, i) >= v) {
        return 0;
    }
    dense_put(r, i, v);
    return 1;
}

/* ---- header -------------------------------------------------------------- */

int hll_check(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    if (len < HLL_HDR_SIZE || memcmp(p, "HYLL", 4) != 0) {
        return -1;
    }
    if (p[4] == HLL_DENSE) {
        return len == HLL_DENSE_SIZE ? 0 : -1;
    }
    return p[4] == HLL_SPARSE ? 0 : -1;
}

int hll_encoding(const void *buf)
{
    return ((const unsigned char *)buf)[4];
}

void hll_invalidate(void *buf)
{
    ((unsigned char *)buf)[15] |= CACHE_STALE_BIT;
}

static int cache_valid(const unsigned char *p)
{
    return (p[15] & CACHE_STALE_BIT) == 0;
}

static uint64_t cache_get(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[8 + i];
    }
    return v;
}

static void cache_put(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[8 + i] = (unsigned char)(v >> (8 * i));
    }
}

str hll_create(void)
{
    unsigned char v[HLL_HDR_SIZE + 2] = {'H', 'Y', 'L', 'L', HLL_SPARSE};

    zero_write(v + HLL_HDR_SIZE, HLL_REGISTERS);
    return str_new(v, sizeof(v));
}

/* ---- sparse walking ------------------------------------------------------ */

/* Call fn for every opcode of a sparse register area, with the index of
 * the first register it covers. Stops early when fn returns nonzero.
 * Returns 0 if the opcodes cover exactly 16384 registers, -1 if an opcode
 * is cut short, the runs overrun or fall short, or fn stopped. */
typedef int (*op_fn)(const sparse_op *op, uint32_t first, void *priv);

static int sparse_walk(const unsigned char *p, size_t n, op_fn fn, void *priv)
{
    size_t pos = 0;
    uint32_t idx = 0;
    sparse_op op;

    while (pos < n) {
        if (op_decode(p + pos, n - pos, &op) != 0) {
            return -1;
        }
        if (op.run > HLL_REGISTERS - idx) {
            return -1;
        }
        if (fn != NULL && fn(&op, idx, priv) != 0) {
            return -1;
        }
        idx += op.run;
        pos += op.size;
    }
    return idx == HLL_REGISTERS ? 0 : -1;
}

int hll_validate(const void *buf, size_t len)
{
    if (hll_check(buf, len) != 0) {
        return -1;
    }
    if (hll_encoding(buf) == HLL_DENSE) {
        return 0;
    }
    return sparse_walk(cregs(buf), len - HLL_HDR_SIZE, NULL, NULL);
}

/* ---- hashing ------------------------------------------------------------- */

uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    const unsigned char *data = key;
    const unsigned char *end = data + (len & ~(size_t)7);
    uint64_t h = seed ^ (len * m);

    for (; data != end; data += 8) {
        uint64_t k = 0;
        for (int i = 7; i >= 0; i--) {
            k = (k << 8) | data[i];
        }
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    if (len & 7) {
        for (int i = (int)(len & 7) - 1; i >= 0; i--) {
            h ^= (uint64_t)data[i] << (8 * i);
        }
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

int hll_pattern(const void *ele, size_t len, uint32_t *index)
{
    uint64_t hash = hll_murmur64a(ele, len, HLL_SEED);
    int count = 1;

    *index = (uint32_t)(hash & (HLL_REGISTERS - 1));
    /* A sentinel bit past the Q usable bits bounds the count at Q+1. */
    hash = (hash >> HLL_P) | (1ULL << HLL_Q);
    while ((hash & 1) == 0) {
        count++;
        hash >>= 1;
    }
    return count;
}

/* ---- sparse to dense ----------------------------------------------------- */

static int fill_dense(const sparse_op *op, uint32_t first, void *priv)
{
    unsigned char *r = priv;

    if (op->kind == OP_VAL) {
        for (uint32_t i = 0; i < op->run; i++) {
            dense_put(r, first + i, op->val);
        }
    }
    return 0;
}

int hll_to_dense(str *h)
{
    str s = *h;
    str d;

    if (hll_encoding(s) == HLL_DENSE) {
        return 0;
    }
    d = str_new(NULL, HLL_DENSE_SIZE);
    memset(d, 0, HLL_DENSE_SIZE);
    memcpy(d, s, HLL_HDR_SIZE);
    d[4] = HLL_DENSE;
    if (sparse_walk(cregs(s), str_len(s) - HLL_HDR_SIZE, fill_dense, regs(d)) !=
        0) {
        str_free(d);
        return -1;
    }
    str_free(s);
    *h = d;
    return 0;
}

/* ---- sparse update -------------------------------------------------------
 * The byte layout after an update must be Redis's exactly (the value is
 * replicated, saved and compared as a string), so the edit follows the same
 * rules: change the opcode covering the register in place when it is a
 * single-register one, else split it into at most three opcodes (zero
 * runs longer than 64 as XZERO), then merge equal adjacent VAL opcodes in a
 * window of five opcodes starting at the one before the edit. */

/* Set register index to count in a sparse value. 1 changed, 0 not, -1
 * corrupt, 2 needs promotion to dense (nothing changed). */
static int sparse_set(str *h, uint32_t index, unsigned count, size_t sparse_max)
{
    str s;
    unsigned char *base, *p, *end, *prev = NULL;
    size_t n, pos = 0;
    uint64_t first = 0; /* wide: hostile runs may add up past 2^32 */
    sparse_op op = {0};
    unsigned char seq[5];
    size_t seqlen = 0;

    if (count > HLL_SPARSE_VAL_MAX) {
        return 2;
    }
    /* The worst split (XZERO into XZERO VAL XZERO) adds three bytes. */
    s = *h = str_make_room(*h, 3);
    base = regs(s);
    n = str_len(s) - HLL_HDR_SIZE;
    end = base + n;

    for (;;) {
        if (pos >= n || op_decode(base + pos, n - pos, &op) != 0) {
            return -1;
        }
        if (index < first + op.run) {
            break;
        }
        prev = base + pos;
        pos += op.size;
        first += op.run;
    }
    p = base + pos;

    if (op.kind == OP_VAL) {
        if (op.val >= count) {
            return 0;
        }
        if (op.run == 1) {
            p[0] = val_byte(count, 1);
            goto updated;
        }
    } else if (op.kind == OP_ZERO && op.run == 1) {
        p[0] = val_byte(count, 1);
        goto updated;
    }

    /* Split: [left part] VAL(count) [right part]. */
    {
        uint32_t left = (uint32_t)(index - first);
        uint32_t right = (uint32_t)(first + op.run - 1 - index);
        ptrdiff_t delta;

        if (left > 0) {
            if (op.kind == OP_VAL) {
                seq[seqlen++] = val_byte(op.val, left);
            } else {
                seqlen += zero_write(seq + seqlen, left);
            }
        }
        seq[seqlen++] = val_byte(count, 1);
        if (right > 0) {
            if (op.kind == OP_VAL) {
                seq[seqlen++] = val_byte(op.val, right);
            } else {
                seqlen += zero_write(seq + seqlen, right);
            }
        }
        delta = (ptrdiff_t)seqlen - (ptrdiff_t)op.size;
        if (delta > 0 && str_len(s) + (size_t)delta > sparse_max) {
            return 2;
        }
        if (delta != 0) {
            unsigned char *next = p + op.size;
            memmove(next + delta, next, (size_t)(end - next));
            str_incr_len(s, delta);
            end += delta;
        }
        memcpy(p, seq, seqlen);
    }

updated : {
    unsigned char *q = prev != NULL ? prev : base;
    int budget = 5;

    while (q < end && budget-- > 0) {
        if (!is_val(q[0])) {
            q += (q[0] & 0x40) ? 2 : 1;
            continue;
        }
        if (q + 1 < end && is_val(q[1]) && val_value(q[0]) == val_value(q[1]) &&
            val_run(q[0]) + val_run(q[1]) <= VAL_MAX_RUN) {
            q[1] = val_byte(val_value(q[0]), val_run(q[0]) + val_run(q[1]));
            memmove(q, q + 1, (size_t)(end - q - 1));
            end--;
            str_incr_len(s, -1);
            /* Stay: the merged opcode may merge with the next too. */
            continue;
        }
        q++;
    }
}
    hll_invalidate(s);
    return 1;
}

int hll_set(str *h, uint32_t index, uint8_t count, size_t sparse_max)
{
    int rc;

    if (hll_check(*h, str_len(*h)) != 0 || index >= HLL_REGISTERS ||
        count > HLL_REGISTER_MAX) {
        return -1;
    }
    if (count == 0) {
        return 0;
    }
    if (hll_encoding(*h) == HLL_SPARSE) {
        rc = sparse_set(h, index, count, sparse_max);
        if (rc != 2) {
            return rc;
        }
        if (hll_to_dense(h) != 0) {
            return -1;
        }
    }
    if (!dense_raise(regs(*h), index, count)) {
        return 0;
    }
    hll_invalidate(*h);
    return 1;
}

int hll_add(str *h, const void *ele, size_t len, size_t sparse_max)
{
    uint32_t index;
    int count = hll_pattern(ele, len, &index);

    return hll_set(h, index, (uint8_t)count, sparse_max);
}

struct get_ctx {
    uint32_t index;
    int val;
};

static int find_reg(const sparse_op *op, uint32_t first, void *priv)
{
    struct get_ctx *g = priv;

    if (g->index >= first && g->index < first + op->run) {
        g->val = (int)op->val;
        return 1;
    }
    return 0;
}

int hll_get(const void *buf, size_t len, uint32_t index)
{
    struct get_ctx g = {index, -1};

    if (index >= HLL_REGISTERS) {
        return -1;
    }
    if (hll_encoding(buf) == HLL_DENSE) {
        return (int)dense_get(cregs(buf), index);
    }
    sparse_walk(cregs(buf), len - HLL_HDR_SIZE, find_reg, &g);
    return g.val;
}

/* ---- estimation ----------------------------------------------------------
 * The estimator needs only the histogram of register values. */

/* sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), summed until it stops
 * changing. */
static double ertl_sigma(double x)
{
    double sum = x, prev, weight = 1;

    if (x == 1.0) {
        return INFINITY;
    }
    do {
        x *= x;
        prev = sum;
        sum += x * weight;
        weight += weight;
    } while (sum != prev);
    return sum;
}

/* tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3. */
static double ertl_tau(double x)
{
    double sum, prev, weight = 1.0;

    if (x == 0.0 || x == 1.0) {
        return 0.0;
    }
    sum = 1 - x;
    do {
        x = sqrt(x);
        prev = sum;
        weight *= 0.5;
        sum -= pow(1 - x, 2) * weight;
    } while (sum != prev);
    return sum / 3;
}

/* hist has 64 entries; values above Q+1 can only come from hostile dense
 * bytes and are ignored, as Redis ignores them. */
static uint64_t estimate_from_hist(const int *hist)
{
    double m = HLL_REGISTERS;
    double z = m * ertl_tau((m - hist[HLL_Q + 1]) / m);

    for (int j = HLL_Q; j >= 1; j--) {
        z += hist[j];
        z *= 0.5;
    }
    z += m * ertl_sigma(hist[0] / m);
    return (uint64_t)llroundl(HLL_ALPHA_INF * m * m / z);
}

static int hist_add(const sparse_op *op, uint32_t first, void *priv)
{
    int *hist = priv;

    (void)first;
    hist[op->val] += (int)op->run;
    return 0;
}

int hll_estimate(const void *buf, size_t len, uint64_t *card)
{
    int hist[64] = {0};

    if (hll_encoding(buf) == HLL_DENSE) {
        const unsigned char *r = cregs(buf);
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            hist[dense_get(r, i)]++;
        }
    } else if (sparse_walk(cregs(buf), len - HLL_HDR_SIZE, hist_add, hist) !=
               0) {
        return -1;
    }
    *card = estimate_from_hist(hist);
    return 0;
}

int hll_count(void *buf, size_t len, uint64_t *card)
{
    if (cache_valid(buf)) {
        *card = cache_get(buf);
        return 0;
    }
    if (hll_estimate(buf, len, card) != 0) {
        return -1;
    }
    cache_put(buf, *card);
    return 1;
}

uint64_t hll_count_raw(const uint8_t *max)
{
    int hist[64] = {0};

    for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
        hist[max[i] & HLL_REGISTER_MAX]++;
    }
    return estimate_from_hist(hist);
}

/* ---- union --------------------------------------------------------------- */

static int merge_op(const sparse_op *op, uint32_t first, void *priv)
{
    uint8_t *max = priv;

    if (op->kind == OP_VAL) {
        for (uint32_t i = first; i < first + op->run; i++) {
            if (max[i] < op->val) {
                max[i] = (uint8_t)op->val;
            }
        }
    }
    return 0;
}

int hll_merge_raw(uint8_t *max, const void *buf, size_t len)
{
    if (hll_encoding(buf) == HLL_DENSE) {
        const unsigned char *r = cregs(buf);
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            unsigned v = dense_get(r, i);
            if (max[i] < v) {
                max[i] = (uint8_t)v;
            }
        }
        return 0;
    }
    return sparse_walk(cregs(buf), len - HLL_HDR_SIZE, merge_op, max);
}

int hll_store_raw(str *h, const uint8_t *max, int to_dense, size_t sparse_max)
{
    if (to_dense && hll_to_dense(h) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
        if (max[i] != 0 &&
            hll_set(h, i, max[i] & HLL_REGISTER_MAX, sparse_max) < 0) {
            return -1;
        }
    }
    hll_invalidate(*h);
    return 0;
}

/* ---- debugging ----------------------------------------------------------- */

str hll_sparse_decode(str out, const void *buf, size_t len, int *err)
{
    const unsigned char *p = cregs(buf);
    size_t n = len - HLL_HDR_SIZE, pos = 0;
    sparse_op op;

    *err = 0;
    while (pos < n) {
        if (op_decode(p + pos, n - pos, &op) != 0) {
            *err = -1;
            break;
        }
        if (pos > 0) {
            out = str_cat(out, " ", 1);
        }
        switch (op.kind) {
        case OP_ZERO: out = str_catfmt(out, "z:%u", op.run); break;
        case OP_XZERO: out = str_catfmt(out, "Z:%u", op.run); break;
        default: out = str_catfmt(out, "v:%u,%u", op.val, op.run); break;
        }
        pos += op.size;
    }
    return out;
}

/* A small deterministic generator for the self test (no globals). */
static uint64_t selftest_rand(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

int hll_selftest(char *err, size_t errlen)
{
    unsigned char *r = mem_calloc(HLL_DENSE_SIZE);
    uint8_t *shadow = mem_calloc(HLL_REGISTERS);
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    str sparse = hll_create();
    str dense = hll_create();
    int rc = -1;

    /* Packing: random writes read back, neighbours untouched. */
    for (int round = 0; round < 10; round++) {
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            unsigned v = (unsigned)(selftest_rand(&state) & 63);
            dense_put(r + HLL_HDR_SIZE, i, v);
            shadow[i] = (uint8_t)v;
        }
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            if (dense_get(r + HLL_HDR_SIZE, i) != shadow[i]) {
                snprintf(err, errlen, "TESTFAILED Register error at %u", i);
                goto out;
            }
        }
    }

    /* The same elements in both encodings give the same registers. */
    if (hll_to_dense(&dense) != 0) {
        snprintf(err, errlen, "TESTFAILED conversion to dense");
        goto out;
    }
    for (uint32_t j = 0; j < 20000; j++) {
        uint64_t e = selftest_rand(&state);
        int a = hll_add(&sparse, &e, sizeof(e), HLL_SPARSE_MAX_BYTES);
        int b = hll_add(&dense, &e, sizeof(e), HLL_SPARSE_MAX_BYTES);
        uint64_t c1, c2;
        if (a != b || a < 0) {
            snprintf(err, errlen, "TESTFAILED add mismatch at %u", j);
            goto out;
        }
        if ((j & 1023) == 0 &&
            (hll_estimate(sparse, str_len(sparse), &c1) != 0 ||
             hll_estimate(dense, str_len(dense), &c2) != 0 || c1 != c2)) {
            snprintf(err, errlen, "TESTFAILED sparse/dense count at %u", j);
            goto out;
        }
    }
    rc = 0;
out:
    mem_free(r);
    mem_free(shadow);
    str_free(sparse);
    str_free(dense);
    return rc;
}
