/* Hash table keyed by binary strings copied into each entry, with incremental
 * rehashing and a SCAN cursor that survives resizes. Every keyed collection
 * in the server (keyspace, hash fields, set members, commands) is a dict. */
#ifndef SHOAL_DICT_H
#define SHOAL_DICT_H

#include <stddef.h>
#include <stdint.h>

/* One allocation per entry: the header below followed by klen key bytes and
 * a NUL (so key can be printed, but it may also contain NULs). The dict owns
 * the entry; v is the caller's to fill and interpret. */
typedef struct dict_entry {
    struct dict_entry *next;
    union {
        void *ptr;
        int64_t i64;
        uint64_t u64;
        double d;
    } v;
    uint32_t klen;
    char key[]; /* klen bytes followed by a NUL byte */
} dict_entry;

/* Per-dict callbacks; a dict_type outlives every dict that uses it. */
typedef struct dict_type {
    /* If non-NULL, called on v.ptr (only when non-NULL) whenever the dict
     * frees an entry: dict_delete, dict_free_entry, dict_clear and
     * dict_destroy. Dicts holding integers in v must leave this NULL. */
    void (*val_free)(void *ptr);
} dict_type;

/* Fields are private: read them only through the functions below (tests
 * may peek). While rehashing, entries live in table[0] from rehash_idx on
 * and in table[1]; a dict is rehashing exactly when table[1] != NULL. */
typedef struct dict {
    const dict_type *type;
    dict_entry **table[2];
    size_t size[2];     /* bucket count, a power of two, 0 if no table */
    size_t used[2];     /* entries in each table */
    size_t rehash_idx;  /* next table[0] bucket to move */
    size_t entry_bytes; /* bytes allocated for entries, for dict_mem_usage */
    uint64_t rng;       /* per-dict state for dict_random/dict_sample */
    int pause_rehash;   /* > 0 while iterators or scans are active */
} dict;

/* Safe iterator: lives on the caller's stack, pauses rehashing from
 * dict_iter_init to dict_iter_deinit. */
typedef struct dict_iter {
    dict *d;
    dict_entry *next; /* entry to return next, saved ahead of time */
    size_t index;     /* next bucket to load */
    int table;        /* table being walked; 2 when finished */
} dict_iter;

enum {
    DICT_RESIZE_ENABLE = 0, /* normal: grow at load 1, shrink below 1/8 */
    DICT_RESIZE_AVOID = 1   /* a child shares our pages: resize only when
                             * load > 5 (grow) or < 1/40 (shrink) */
};

/* Sets the process-wide SipHash key. Call once at startup, before any dict
 * holds entries: changing it later makes existing entries unreachable. */
void dict_set_hash_seed(const uint8_t seed[16]);

/* Keyed hash (SipHash-1-2 under the seed) of len bytes at key. */
uint64_t dict_hash(const void *key, size_t len);

/* Returns a new empty dict (no bucket array until the first add). type may
 * be NULL, meaning no callbacks; otherwise it is borrowed, not copied.
 * Aborts if out of memory. */
dict *dict_create(const dict_type *type);

/* Frees every entry (calling val_free), the tables and the dict, then sets
 * *d to NULL. Accepts NULL or a pointer to NULL. */
void dict_destroy(dict **d);

/* Frees every entry (calling val_free) and both tables; the dict stays
 * usable and empty. Must not be called while an iterator is active. All
 * entry pointers into the dict become invalid. */
void dict_clear(dict *d);

/* Number of entries. */
size_t dict_size(const dict *d);

/* Total bucket slots of both tables (0 for a fresh or cleared dict). */
size_t dict_buckets(const dict *d);

/* Returns 1 while an incremental rehash is in progress, 0 otherwise. */
int dict_is_rehashing(const dict *d);

/* Returns the entry whose key is the klen bytes at key, or NULL. The entry
 * stays valid until it is deleted or unlinked, or the dict is cleared or
 * destroyed; rehashing moves bucket links, never entries. */
dict_entry *dict_find(dict *d, const void *key, size_t klen);

/* Adds a copy of the key with v zeroed and returns the new entry; returns
 * NULL if the key already exists (the dict is unchanged). Aborts if out of
 * memory or if klen does not fit in 32 bits. */
dict_entry *dict_add(dict *d, const void *key, size_t klen);

/* Returns the existing entry for the key, or adds one as dict_add does.
 * If existed is non-NULL it is set to 1 or 0 accordingly. */
dict_entry *dict_add_or_find(dict *d, const void *key, size_t klen,
                             int *existed);

/* Removes the key and frees its entry (calling val_free). Returns 0 if it
 * was deleted, -1 if not found. Pointers to that entry become invalid. */
int dict_delete(dict *d, const void *key, size_t klen);

/* Removes the key and returns its entry without freeing it, or NULL if not
 * found. The caller owns the entry and must pass it to dict_free_entry (of
 * the same dict) once done, before that dict is destroyed. */
dict_entry *dict_unlink(dict *d, const void *key, size_t klen);

/* Calls val_free on de and frees it. de must have come from dict_unlink. */
void dict_free_entry(dict *d, dict_entry *de);

/* Returns a random entry, or NULL if the dict is empty: picks a random
 * non-empty bucket, then a random entry of its chain, so entries in long
 * chains are somewhat less likely. */
dict_entry *dict_random(dict *d);

/* Stores up to count entries in out, starting at a random bucket and
 * walking on from there; cheap rather than uniform, and an entry may appear
 * more than once. Visits at most 10*count buckets, so it returns fewer than
 * count (maybe 0) when the table is sparse; returns 0 if the dict is empty.
 * The pointers are valid until the dict is next modified. */
unsigned dict_sample(dict *d, dict_entry **out, unsigned count);

/* Calls fn on every entry of a bucket group and returns the cursor for the
 * next call; start with 0, stop when 0 comes back. Every entry present for
 * the whole iteration is reported at least once, whatever resizes happen
 * between calls; some may be reported more than once. fn must not modify
 * the dict; de is valid only for the callback. */
uint64_t dict_scan(dict *d, uint64_t cursor,
                   void (*fn)(void *priv, const dict_entry *de), void *priv);

/* Moves up to n buckets to the new table, skipping at most 10*n empty ones.
 * Returns 1 while more remains to move, 0 when not (or no longer)
 * rehashing. Does nothing while an iterator or scan is active. */
int dict_rehash_step(dict *d, int n);

/* Rehashes in steps of 100 buckets for about ms milliseconds. Returns the
 * number of bucket moves attempted, 0 if not rehashing or paused. */
int dict_rehash_ms(dict *d, int ms);

/* Resizes to the smallest power of two >= size (at least 4), starting an
 * incremental rehash if the dict has entries. Returns 0 on success, -1 if
 * already rehashing, if size < dict_size, if the size would not change, or
 * if it overflows. Allowed whatever the resize policy. */
int dict_expand(dict *d, size_t size);

/* Approximate bytes used: the dict, both bucket arrays and entries at their
 * requested sizes (allocator overhead not counted). */
size_t dict_mem_usage(const dict *d);

/* Sets the process-wide policy, DICT_RESIZE_ENABLE or DICT_RESIZE_AVOID. */
void dict_set_resize_policy(int policy);

/* Starts a safe iteration over d. Until dict_iter_deinit rehashing is
 * paused and the caller may dict_delete/dict_unlink the entry last
 * returned (no other entry) and add entries (which may or may not be
 * returned). Every entry present throughout is returned exactly once. */
void dict_iter_init(dict_iter *it, dict *d);

/* Returns the next entry, or NULL at the end. */
dict_entry *dict_iter_next(dict_iter *it);

/* Ends the iteration and resumes rehashing; required after every init. */
void dict_iter_deinit(dict_iter *it);

#endif
