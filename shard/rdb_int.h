/* rdb_int: constants and the value writer shared by rdb.c (writing) and
 * rdb_load.c (reading). Private to the RDB modules. */
#ifndef SHOAL_RDB_INT_H
#define SHOAL_RDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"
#include "str.h"

/* Value type bytes (Redis's numbering). */
enum {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
};

/* Opcodes. */
enum {
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

/* Length prefixes. */
#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

/* maxmemory-policy enum values (config.c) that keep LRU / LFU bits. */
static inline int rdb_policy_lfu(int policy)
{
    return policy == 2 || policy == 6;
}
static inline int rdb_policy_lru(int policy)
{
    return policy == 1 || policy == 5;
}

/* The value writer: buffered output to a fd, or to a str in memory, with
 * the running CRC64. */
typedef struct rdb_writer {
    int fd; /* -1: write to mem */
    str mem;
    size_t used;
    uint64_t crc;
    int checksum;        /* keep crc up to date */
    int compress;        /* LZF for strings > 20 bytes */
    int failed;          /* a write failed (errno saved) */
    struct rdb_lzf *lzf; /* compressor state, made on first use */
    int saved_errno;
    unsigned long long written;
    unsigned char buf[64 * 1024]; /* last: setup clears what precedes it */
} rdb_writer;

/* LZF compression laid out exactly as redis-server's (liblzf's algorithm
 * on a fresh hash table), so DUMP payloads and RDB files match byte for
 * byte. Returns the compressed size, or 0 if it doesn't fit in out_len. */
struct rdb_lzf;
struct rdb_lzf *rdb_lzf_create(void);
void rdb_lzf_destroy(struct rdb_lzf *z);
size_t rdb_lzf_compress(struct rdb_lzf *z, const void *in, size_t in_len,
                        void *out, size_t out_len);

/* Convert an untrusted ziplist blob of size bytes into a new listpack;
 * *count gets its number of entries. NULL when the blob is malformed. */
unsigned char *rdb_ziplist_to_listpack(const unsigned char *zl, size_t size,
                                       size_t *count);

void rdbw_raw(rdb_writer *w, const void *p, size_t n);
void rdbw_flush(rdb_writer *w);
void rdbw_type(rdb_writer *w, int t);
void rdbw_len(rdb_writer *w, uint64_t len);
void rdbw_string(rdb_writer *w, const void *p, size_t n);
void rdbw_ll_string(rdb_writer *w, long long v);
void rdbw_ms(rdb_writer *w, long long ms);
/* The value's type byte for o (RDB_TYPE_*), -1 if it can't be written. */
int rdbw_object_type(const obj *o);
/* Write o's payload (without type byte). */
void rdbw_object(rdb_writer *w, const obj *o);

#endif
