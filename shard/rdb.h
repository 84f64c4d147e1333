/* rdb: Redis 7.0's RDB format (version 10): whole-dataset snapshots, and
 * the single-value codec DUMP/RESTORE and slot migration use. */
#ifndef SHOAL_RDB_H
#define SHOAL_RDB_H

#include <stddef.h>

#include "obj.h"
#include "server.h"
#include "str.h"

#define RDB_VERSION 10

/* Write the whole RDB (header, aux fields, functions, every db, EOF,
 * checksum) to fd. Returns 0, or -1 with *err set (caller frees). Runs in
 * the parent (SAVE) or in a forked child (BGSAVE, AOF preamble); in an AOF
 * rewrite child the aof-base aux field is 1. */
int rdb_save_fd(server *srv, int fd, str *err);
/* Save to path: a temp file in the same directory, fsync, rename, fsync
 * the directory. Returns 0, or -1 with *err set (caller frees). */
int rdb_save_file(server *srv, const char *path, str *err);

/* Load an RDB file into the (empty) keyspace and functions. Returns 0, or
 * -1 with *err set (caller frees) naming the file and byte offset of the
 * problem. Keys already expired are skipped (counted in
 * rdb_last_load_keys_expired). */
int rdb_load_file(server *srv, const char *path, str *err);
/* The same; with merge, keys (and libraries) already present are
 * replaced instead of being an error (DEBUG RELOAD MERGE). */
int rdb_load_file_ex(server *srv, const char *path, int merge, str *err);
/* Load from an open stream (FILE *) positioned at the "REDIS" magic (the
 * AOF preamble); name is used in messages. Keys already expired are kept,
 * as Redis does for a preamble (the commands after it may touch them).
 * Stops after the EOF opcode and checksum, leaving the stream just past
 * them. */
int rdb_load_stream(server *srv, void *file, const char *name, str *err);

/* Walk an RDB file without touching the keyspace (bin/shoal import): fn
 * gets every key (it owns o; expire_ms is -1 when none; expired keys
 * included) and every function library (dbid -1, key = the code, o NULL).
 * fn returns 0 to go on, -1 to stop. srv supplies the encoding limits.
 * Returns 0, or -1 with *err set (caller frees). */
typedef int rdb_key_fn(void *priv, int dbid, const char *key, size_t klen,
                       obj *o, long long expire_ms);
int rdb_read_file(server *srv, const char *path, rdb_key_fn *fn, void *priv,
                  str *err);

/* Load dbfilename (dir is the working directory) at start-up if it
 * exists. 0 (loaded, or no file), -1 after logging why (the caller exits
 * with status 2). */
int rdb_load_at_startup(server *srv);

/* DUMP payload of one value: type byte + value + RDB version (2 bytes LE)
 * + CRC64 (8 bytes LE). Caller frees. */
str rdb_dump_value(const obj *o);
/* The same with LZF compression of long strings on or off (Redis's DUMP
 * follows rdbcompression). */
str rdb_dump_value_ex(const obj *o, int compress);
/* Check a DUMP payload's footer: 0 when version and checksum are good,
 * -1 otherwise. */
int rdb_verify_dump_payload(const char *p, size_t n);
/* Decode a DUMP payload (footer verified too). Returns a new value
 * (refcount 1), or NULL with *err set (caller frees): "DUMP payload
 * version or checksum are wrong" or "Bad data format". */
obj *rdb_restore_value(const char *p, size_t n, str *err);
/* The same, with srv's encoding limits (hash-max-listpack-entries...)
 * deciding the loaded value's encoding, as Redis's RESTORE does. */
obj *rdb_restore_value_srv(server *srv, const char *p, size_t n, str *err);

/* The MISCONF condition: stop-writes-on-bgsave-error with a failed last
 * BGSAVE and save points configured. 1 when writes must be refused. */
int rdb_writes_refused(const server *srv);

/* Cron: save points, scheduled BGSAVE. */
void rdb_cron(server *srv);
/* Start a BGSAVE to dir/dbfilename. 0 started, -1 with errno (EBUSY: a
 * child is active; EAGAIN: the fork gate said wait). */
int rdb_bgsave_start(server *srv);
/* Free the RDB module's state (save points). */
void rdb_teardown(server *srv);
/* SHUTDOWN and SIGTERM: kill a running child and save when asked to
 * (save), or when save points are configured and nosave is 0. Returns 0,
 * or -1 when the save failed (logged) and force is 0. */
int rdb_shutdown_save(server *srv, int save, int nosave, int force);
/* Synchronous save to dir/dbfilename (SAVE, SHUTDOWN). 0 or -1 (logged). */
int rdb_save_now(server *srv);
/* The same save without counting it in INFO's rdb_saves (FLUSHALL's, as
 * Redis). */
int rdb_save_sync(server *srv);
/* DEBUG RELOAD: save (unless !save), empty the dataset and libraries
 * (unless !flush), load dbfilename back. 0; -1 when the save failed; -2
 * when the load failed (logged). */
int rdb_debug_reload(server *srv, int save, int flush, int merge);

#endif
