/* types: per-type operations on values that generic code needs (free on
 * delete, deep copy for COPY). Each data type module implements its pair;
 * this file only dispatches on o->type. */
#ifndef SHOAL_TYPES_H
#define SHOAL_TYPES_H

#include "obj.h"

/* Free the payload of a non-string value (not the obj header itself). */
void type_free_value(obj *o);
/* A deep copy of any value, refcount 1; NULL if the type can't be copied
 * yet. */
obj *type_dup_value(const obj *o);

/* Implemented by t_hash.c, t_list.c, t_set.c, t_zset.c, t_stream.c. */
void hash_free_value(obj *o);
obj *hash_dup_value(const obj *o);
void list_free_value(obj *o);
obj *list_dup_value(const obj *o);
void set_free_value(obj *o);
obj *set_dup_value(const obj *o);
/* An intset-encoded set becomes a hashtable one (t_set.c; the RDB loader
 * converts as the commands do). */
void set_convert_ht(obj *o);
void zset_free_value(obj *o);
obj *zset_dup_value(const obj *o);
void stream_free_value(obj *o);
obj *stream_dup_value(const obj *o);

/* Hashtable-encoded hashes for the RDB loader and writer (t_hash.c): an
 * empty one sized for hint fields; add a field (0, or -1 if present); a
 * field's value bytes (buf holds at least 8 bytes for short values). */
struct dict_entry;
obj *hash_create_ht(size_t hint);
int hash_ht_add(obj *o, const char *f, size_t fn, const char *v, size_t vn);
const char *hash_ht_value(const struct dict_entry *de, char *buf,
                          size_t *len);

#endif
