/* db: the keyspace. Each database keeps one hash table per hash slot (so a
 * slot's keys are found without a full scan), a Fenwick tree of slot sizes
 * (fair random keys, counts), and a table of expiry times. */
#ifndef SHOAL_DB_H
#define SHOAL_DB_H

#include "server.h"

/* Allocate srv->dbs (cfg.databases of them). Returns 0. */
int db_setup(server *srv);
void db_teardown(server *srv);

/* Raw lookup: no expiry check, no statistics. NULL if absent. */
obj *db_find(db *d, const char *key, size_t len);
/* Lookup for reading: an expired key is deleted first (NULL); counts
 * keyspace hits/misses and updates the access clock. */
obj *db_lookup_read(client *c, const arg *key);
/* Lookup for writing: expired keys deleted, no hit/miss counting. */
obj *db_lookup_write(client *c, const arg *key);
/* Like db_lookup_read without touching the access time or stats
 * (TYPE, OBJECT, TTL). */
obj *db_lookup_notouch(client *c, const arg *key);
/* Redis's LOOKUP_NOTOUCH reads (EXISTS, TYPE, TTL, OBJECT): expired keys
 * deleted, hits/misses counted, access time left alone. */
obj *db_lookup_read_notouch(client *c, const arg *key);
/* The same without the keymiss notification (OBJECT, as Redis's
 * LOOKUP_NONOTIFY). */
obj *db_lookup_read_nonotify(client *c, const arg *key);

/* Insert a key that must not exist. Takes ownership of val. */
void db_add(db *d, const char *key, size_t len, obj *val);
/* Replace the value of a key that must exist; keeps its TTL. The old value
 * is released. Takes ownership of val. */
void db_overwrite(db *d, const char *key, size_t len, obj *val);
/* Add or overwrite (SET semantics): drops the TTL unless keepttl.
 * Takes ownership of val; signals the key as modified. */
void db_set(client *c, db *d, const char *key, size_t len, obj *val,
            int keepttl);
/* Delete a key and its TTL. Returns 1 if it existed, else 0. */
int db_delete(db *d, const char *key, size_t len);
/* Remove the key's entry without freeing the value; returns the value
 * (owned by the caller now) or NULL. TTL is removed too. */
obj *db_unlink_value(db *d, const char *key, size_t len);

/* Expiry. Times are absolute Unix milliseconds; -1 means none. */
long long db_get_expire(db *d, const char *key, size_t len);
void db_set_expire(db *d, const char *key, size_t len, long long when);
int db_remove_expire(db *d, const char *key, size_t len);
/* Delete the key if it has expired. Returns 1 if it was deleted. */
int db_expire_if_needed(server *srv, db *d, const char *key, size_t len);

size_t db_size(const db *d);
size_t db_expires_size(const db *d);
/* Empty a database. Returns the number of keys removed. */
size_t db_empty(db *d);
/* A random key (a fresh str the caller frees), skipping expired ones as
 * Redis does; NULL if the database is empty. */
str db_random_key(server *srv, db *d);
/* Swap the contents of two databases. */
void db_swap(db *a, db *b);

/* Keys of one slot. */
size_t db_slot_size(const db *d, unsigned slot);
dict *db_slot_dict(const db *d, unsigned slot);

/* Scan the keyspace: the cursor encodes the slot (low 14 bits) and the
 * position in that slot's table. Calls fn for each entry visited and
 * returns the next cursor (0 when done). Visits about count buckets. */
typedef void db_scan_fn(void *priv, const dict_entry *de);
unsigned long long db_scan(db *d, unsigned long long cursor, long count,
                           db_scan_fn *fn, void *priv);

/* Hook for every write to a key: WATCH, client tracking and keyspace
 * notifications attach here as they are built. */
void db_signal_modified(client *c, db *d, const char *key, size_t len);

/* The active expiry cycle (server cron): bounded in time. */
void db_active_expire_cycle(server *srv);

/* Rehash the slot tables a little (server cron, activerehashing). */
void db_rehash_step(server *srv);

/* Make a string value writable in place (SETRANGE, APPEND): returns the
 * object now stored under key. */
obj *db_unshare_string(db *d, const char *key, size_t len, obj *o);

#endif
