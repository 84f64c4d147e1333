/* obj: the value header every keyspace value carries, and the string
 * encodings (int, embstr, raw). The 24-bit lru field holds the LRU clock or
 * the LFU counter, for eviction. */
#ifndef SHOAL_OBJ_H
#define SHOAL_OBJ_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "str.h"

/* Type and encoding numbers are Redis's (they are written to RDB files). */
enum obj_type {
    OBJ_STRING = 0,
    OBJ_LIST = 1,
    OBJ_SET = 2,
    OBJ_ZSET = 3,
    OBJ_HASH = 4,
    OBJ_MODULE = 5,
    OBJ_STREAM = 6,
};

enum obj_encoding {
    ENC_RAW = 0,
    ENC_INT = 1,
    ENC_HT = 2,
    ENC_ZIPMAP = 3,
    ENC_LINKEDLIST = 4,
    ENC_ZIPLIST = 5,
    ENC_INTSET = 6,
    ENC_SKIPLIST = 7,
    ENC_EMBSTR = 8,
    ENC_QUICKLIST = 9,
    ENC_STREAM = 10,
    ENC_LISTPACK = 11,
};

#define OBJ_SHARED_REFCOUNT INT_MAX
#define OBJ_SHARED_INTEGERS 10000
#define OBJ_EMBSTR_LIMIT 44
#define LRU_BITS 24
#define LRU_CLOCK_MAX ((1 << LRU_BITS) - 1)
#define LRU_CLOCK_RESOLUTION 1000 /* ms */

typedef struct obj {
    unsigned type : 4;
    unsigned enc : 4;
    unsigned lru : LRU_BITS;
    int refcount;
    void *ptr; /* str for RAW/EMBSTR, the integer itself for INT */
} obj;

/* Every create function returns an object with refcount 1 owned by the
 * caller; obj_decr frees it when the count drops to zero. */
obj *obj_create(int type, void *ptr);
obj *obj_create_string(const char *p, size_t len);    /* embstr or raw */
obj *obj_create_raw_string(const char *p, size_t len); /* always raw */
/* Integer value: a shared object for 0..9999 (when sharing is allowed),
 * otherwise an int-encoded one. */
obj *obj_create_ll(long long v);
obj *obj_create_ll_unshared(long long v);
/* Take ownership of s (no copy): raw encoding. */
obj *obj_create_from_str(str s);
/* Best encoding for a string value about to be stored: int when the bytes
 * are a canonical integer, embstr when short, raw otherwise. May free o and
 * return another object. */
obj *obj_try_encode(obj *o);
obj *obj_dup_string(const obj *o);

void obj_incr(obj *o);
void obj_decr(obj *o);
void obj_free_cb(void *o); /* for dict_type.val_free */

/* String access: copies the bytes of a string object (any encoding) into
 * a view. For ENC_INT the digits go to buf (LONG_STR_SIZE bytes). */
const char *obj_str_view(const obj *o, char *buf, size_t *len);
size_t obj_str_len(const obj *o);
/* Get a long long from a string object: 0, or -1 if it isn't one. */
int obj_get_ll(const obj *o, long long *out);
int obj_get_ld(const obj *o, long double *out);
/* Make a string object's bytes writable (raw, unshared): returns the
 * object to use in place of o (the old pointer may be freed). */
obj *obj_unshare_string(obj *o);
/* The LRU clock new objects start with (set by the server cron). */
void obj_set_lru_clock(unsigned clock);

const char *obj_type_name(int type);
const char *obj_encoding_name(int enc);

/* Shared integer objects (0..9999) are used unless maxmemory with an
 * LRU/LFU policy needs per-object access bits. */
void obj_setup_shared(void);
void obj_set_sharing(int enabled);
extern obj *obj_shared_ints[OBJ_SHARED_INTEGERS];

#endif
