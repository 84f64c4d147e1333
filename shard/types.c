/* types: dispatch of per-type value operations. */
#include "types.h"

#include <stddef.h>

void type_free_value(obj *o)
{
    switch (o->type) {
    case OBJ_HASH: hash_free_value(o); break;
    case OBJ_LIST: list_free_value(o); break;
    case OBJ_SET: set_free_value(o); break;
    case OBJ_ZSET: zset_free_value(o); break;
    case OBJ_STREAM: stream_free_value(o); break;
    default: break;
    }
}

obj *type_dup_value(const obj *o)
{
    switch (o->type) {
    case OBJ_STRING: return obj_dup_string(o);
    case OBJ_HASH: return hash_dup_value(o);
    case OBJ_LIST: return list_dup_value(o);
    case OBJ_SET: return set_dup_value(o);
    case OBJ_ZSET: return zset_dup_value(o);
    case OBJ_STREAM: return stream_dup_value(o);
    default: return NULL;
    }
}
