/* hll: HyperLogLog cardinality sketches in exactly Redis 7.0's string
 * format, so a value written by redis-server (GET after PFADD) is read here
 * and the reverse, with the same registers, bytes and PFCOUNT. */
#ifndef SHOAL_HLL_H
#define SHOAL_HLL_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

/*
 * Layout (a plain string value):
 *   "HYLL" <encoding u8: 0 dense, 1 sparse> <3 unused bytes, zero>
 *   <cardinality cache: u64 little endian; bit 7 of its last byte set
 *    means "stale, recompute">
 *   <registers>
 * Dense: 16384 registers of 6 bits, register i at bit 6*i counted from the
 * least significant bit of the first register byte (12288 bytes).
 * Sparse: run-length opcodes covering all 16384 registers in order:
 *   00xxxxxx           ZERO   xxxxxx+1 (1..64) registers at 0
 *   01xxxxxx yyyyyyyy  XZERO  (x<<8|y)+1 (1..16384) registers at 0
 *   1vvvvvxx           VAL    xx+1 (1..4) registers at vvvvv+1 (1..32)
 * A sparse value becomes dense when a register must exceed 32 or the
 * value would grow past the sparse limit (hll-sparse-max-bytes).
 *
 * Ownership: functions that may grow or replace a value take a str * and
 * may store a different str there; the old pointer is then freed and must
 * not be used. A value held in an embstr (which can't grow) must be made a
 * raw, unshared string first. Read-only functions take bytes + length and
 * never read outside them, whatever the bytes are.
 */

#define HLL_P 14
#define HLL_REGISTERS (1 << HLL_P) /* 16384 */
#define HLL_BITS 6
#define HLL_REGISTER_MAX ((1 << HLL_BITS) - 1)
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS + 7) / 8)
#define HLL_DENSE 0
#define HLL_SPARSE 1
/* Largest register value a sparse VAL opcode holds. */
#define HLL_SPARSE_VAL_MAX 32
/* Default of the hll-sparse-max-bytes config (header included). */
#define HLL_SPARSE_MAX_BYTES 3000

/* Error replies, Redis's text (pass to reply_error as is). */
#define HLL_ERR_WRONGTYPE                                                      \
    "-WRONGTYPE Key is not a valid HyperLogLog string value."
#define HLL_ERR_INVALID "-INVALIDOBJ Corrupted HLL object detected"

/* A new, empty sparse HLL (18 bytes: header + one XZERO of 16384) with a
 * valid cached cardinality of 0. The caller owns it (str_free). PFADD
 * invalidates the cache even when it adds nothing to a new key. */
str hll_create(void);

/* The shape check Redis does before any HLL command (its WRONGTYPE test):
 * at least a header, "HYLL" magic, encoding 0 or 1, and a dense value of
 * exactly HLL_DENSE_SIZE bytes. Sparse opcodes are not looked at. 0 if it
 * passes, -1 if not (reply HLL_ERR_WRONGTYPE). */
int hll_check(const void *buf, size_t len);

/* hll_check plus a full walk of sparse opcodes: every opcode complete and
 * the runs covering exactly 16384 registers. 0 if valid, -1 if not. Any
 * value that passes can be counted, merged, added to and made dense. */
int hll_validate(const void *buf, size_t len);

/* HLL_DENSE or HLL_SPARSE (the byte after the magic; call after
 * hll_check). */
int hll_encoding(const void *buf);

/* MurmurHash64A (little-endian block reads), as Redis hashes elements. */
uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed);

/* The register an element goes to (*index, 0..16383) and its run length of
 * zeros plus one (the return value, 1..51). */
int hll_pattern(const void *ele, size_t len, uint32_t *index);

/* PFADD of one element: raise its register if the new count is larger.
 * Returns 1 if a register changed (the cached cardinality is then marked
 * stale), 0 if not, -1 if a sparse value is corrupt (HLL_ERR_INVALID).
 * sparse_max is hll-sparse-max-bytes. May reallocate or replace *h (sparse
 * growth, promotion to dense): the old pointer is invalid afterwards. */
int hll_add(str *h, const void *ele, size_t len, size_t sparse_max);

/* Raise register index (< 16384) to count (1..63) if it is lower, in
 * either encoding. Same returns and pointer rule as hll_add. */
int hll_set(str *h, uint32_t index, uint8_t count, size_t sparse_max);

/* Register index of a checked value: 0..63, or -1 if a sparse value ends
 * before reaching it (corrupt). */
int hll_get(const void *buf, size_t len, uint32_t index);

/* Make *h dense (the header, cache included, is kept; encoding becomes 0).
 * A dense value is left alone. 0 on success, -1 if the sparse value is
 * corrupt (*h unchanged). Replaces *h when it converts. */
int hll_to_dense(str *h);

/* Mark the cached cardinality stale (buf is a checked value). */
void hll_invalidate(void *buf);

/* PFCOUNT of one key: the cached cardinality if it is valid (returns 0),
 * else the estimate, which is also written to the cache (returns 1: the
 * caller must treat the key as modified, as Redis does). -1 if corrupt
 * (HLL_ERR_INVALID); *card is then untouched. buf must be writable. */
int hll_count(void *buf, size_t len, uint64_t *card);

/* The estimate for a checked value, ignoring and not touching the cache.
 * 0, or -1 if a sparse value is corrupt. */
int hll_estimate(const void *buf, size_t len, uint64_t *card);

/* Union into raw registers (one byte each, HLL_REGISTERS of them):
 * max[i] = MAX(max[i], register i). With max zeroed this decodes every
 * register. 0, or -1 if a sparse value is corrupt (max is then partly
 * updated). */
int hll_merge_raw(uint8_t *max, const void *buf, size_t len);

/* The estimate for raw registers (PFCOUNT of several keys). */
uint64_t hll_count_raw(const uint8_t *max);

/* PFMERGE's write: make *h dense first when to_dense, raise every
 * register to max[i] (a sparse *h may become dense on the way, as with
 * hll_set), and mark the cache stale. 0, or -1 if *h is a corrupt sparse
 * value. May replace *h. Redis 7.0's PFMERGE merges the destination's own
 * registers with the sources' and passes to_dense = 1 only when one of
 * those values (destination included) is dense: sparse inputs give a
 * sparse result. */
int hll_store_raw(str *h, const uint8_t *max, int to_dense, size_t sparse_max);

/* PFDEBUG DECODE: append the sparse opcodes as "z:N", "Z:N" and "v:V,N"
 * separated by spaces to out and return it (may move out). -1 into *err
 * when an opcode is cut short (the text so far is kept), else 0. */
str hll_sparse_decode(str out, const void *buf, size_t len, int *err);

/* PFSELFTEST: register packing and sparse/dense agreement checks. 0 if all
 * pass, else -1 with a message in err. */
int hll_selftest(char *err, size_t errlen);

#endif
