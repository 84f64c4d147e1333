/* obj: value headers and the string encodings. */
#include "obj.h"

#include <string.h>

#include "mem.h"
#include "util.h"

/* Immutable after obj_setup_shared(); shared by every database. */
obj *obj_shared_ints[OBJ_SHARED_INTEGERS];
static int sharing = 1;
static unsigned lru_clock;

void obj_set_lru_clock(unsigned clock)
{
    lru_clock = clock & LRU_CLOCK_MAX;
}

obj *obj_create(int type, void *ptr)
{
    obj *o = mem_alloc(sizeof(*o));

    o->type = (unsigned)type;
    o->enc = ENC_RAW;
    o->lru = lru_clock;
    o->refcount = 1;
    o->ptr = ptr;
    return o;
}

static obj *create_embstr(const char *p, size_t len)
{
    obj *o = mem_alloc(sizeof(*o) + str_embed_size(len));

    o->type = OBJ_STRING;
    o->enc = ENC_EMBSTR;
    o->lru = lru_clock;
    o->refcount = 1;
    o->ptr = str_embed(o + 1, p, len);
    return o;
}

obj *obj_create_raw_string(const char *p, size_t len)
{
    return obj_create(OBJ_STRING, str_new(p, len));
}

obj *obj_create_string(const char *p, size_t len)
{
    if (len <= OBJ_EMBSTR_LIMIT) {
        return create_embstr(p, len);
    }
    return obj_create_raw_string(p, len);
}

obj *obj_create_from_str(str s)
{
    return obj_create(OBJ_STRING, s);
}

obj *obj_create_ll_unshared(long long v)
{
    obj *o = obj_create(OBJ_STRING, NULL);

    o->enc = ENC_INT;
    o->ptr = (void *)(intptr_t)v;
    return o;
}

obj *obj_create_ll(long long v)
{
    if (sharing && v >= 0 && v < OBJ_SHARED_INTEGERS &&
        obj_shared_ints[v] != NULL) {
        return obj_shared_ints[v];
    }
    return obj_create_ll_unshared(v);
}

void obj_setup_shared(void)
{
    for (int i = 0; i < OBJ_SHARED_INTEGERS; i++) {
        if (obj_shared_ints[i] == NULL) {
            obj_shared_ints[i] = obj_create_ll_unshared(i);
            obj_shared_ints[i]->refcount = OBJ_SHARED_REFCOUNT;
        }
    }
}

void obj_set_sharing(int enabled)
{
    sharing = enabled;
}

obj *obj_try_encode(obj *o)
{
    long long v;

    if (o->type != OBJ_STRING || o->enc == ENC_INT ||
        o->refcount > 1) {
        return o;
    }
    size_t len = str_len(o->ptr);
    if (len <= 20 && util_str2ll(o->ptr, len, &v) == 0) {
        obj *n = obj_create_ll(v);
        obj_decr(o);
        return n;
    }
    if (len <= OBJ_EMBSTR_LIMIT) {
        if (o->enc == ENC_EMBSTR) {
            return o;
        }
        obj *n = create_embstr(o->ptr, len);
        obj_decr(o);
        return n;
    }
    /* Raw: give back spare capacity when it is more than 10%. */
    if (o->enc == ENC_RAW && str_avail(o->ptr) > len / 10) {
        o->ptr = str_trim_alloc(o->ptr);
    }
    return o;
}

obj *obj_dup_string(const obj *o)
{
    if (o->enc == ENC_INT) {
        return obj_create_ll_unshared((long long)(intptr_t)o->ptr);
    }
    if (o->enc == ENC_EMBSTR) {
        return create_embstr(o->ptr, str_len(o->ptr));
    }
    return obj_create_raw_string(o->ptr, str_len(o->ptr));
}

void obj_incr(obj *o)
{
    if (o->refcount != OBJ_SHARED_REFCOUNT) {
        o->refcount++;
    }
}

/* Defined in types.c; weak so the unit tests can link obj.c alone (they
 * only make strings). */
void type_free_value(obj *o) __attribute__((weak));

static void free_value(obj *o)
{
    if (o->type == OBJ_STRING) {
        if (o->enc == ENC_RAW) {
            str_free(o->ptr);
        }
    } else if (type_free_value != NULL) {
        type_free_value(o);
    }
}

void obj_decr(obj *o)
{
    if (o->refcount == OBJ_SHARED_REFCOUNT) {
        return;
    }
    if (--o->refcount == 0) {
        free_value(o);
        mem_free(o);
    }
}

void obj_free_cb(void *o)
{
    obj_decr(o);
}

const char *obj_str_view(const obj *o, char *buf, size_t *len)
{
    if (o->enc == ENC_INT) {
        *len = (size_t)util_ll2str(buf, LONG_STR_SIZE,
                                   (long long)(intptr_t)o->ptr);
        return buf;
    }
    *len = str_len(o->ptr);
    return o->ptr;
}

size_t obj_str_len(const obj *o)
{
    char buf[LONG_STR_SIZE];
    size_t len;

    obj_str_view(o, buf, &len);
    return len;
}

int obj_get_ll(const obj *o, long long *out)
{
    if (o->enc == ENC_INT) {
        *out = (long long)(intptr_t)o->ptr;
        return 0;
    }
    return util_str2ll(o->ptr, str_len(o->ptr), out);
}

int obj_get_ld(const obj *o, long double *out)
{
    if (o->enc == ENC_INT) {
        *out = (long double)(long long)(intptr_t)o->ptr;
        return 0;
    }
    return util_str2ld(o->ptr, str_len(o->ptr), out);
}

obj *obj_unshare_string(obj *o)
{
    if (o->refcount == 1 && o->enc == ENC_RAW) {
        return o;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = obj_str_view(o, buf, &len);
    obj *n = obj_create_raw_string(p, len);
    n->lru = o->lru;
    return n;
}

const char *obj_type_name(int type)
{
    switch (type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    case OBJ_STREAM: return "stream";
    default: return "unknown";
    }
}

const char *obj_encoding_name(int enc)
{
    switch (enc) {
    case ENC_RAW: return "raw";
    case ENC_INT: return "int";
    case ENC_HT: return "hashtable";
    case ENC_ZIPMAP: return "zipmap";
    case ENC_LINKEDLIST: return "linkedlist";
    case ENC_ZIPLIST: return "ziplist";
    case ENC_INTSET: return "intset";
    case ENC_SKIPLIST: return "skiplist";
    case ENC_EMBSTR: return "embstr";
    case ENC_QUICKLIST: return "quicklist";
    case ENC_STREAM: return "stream";
    case ENC_LISTPACK: return "listpack";
    default: return "unknown";
    }
}
