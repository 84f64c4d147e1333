/* aof: the append-only file in Redis 7.0's multi-part layout (a manifest
 * naming one base file and the incremental files after it), its fsync
 * policies, rewrites in the forked child, and loading at start-up. */
#ifndef SHOAL_AOF_H
#define SHOAL_AOF_H

#include "server.h"
#include "str.h"

enum aof_fsync {
    AOF_FSYNC_NO = 0,
    AOF_FSYNC_ALWAYS = 1,
    AOF_FSYNC_EVERYSEC = 2
};

/* Create srv->aof and, when appendonly is on, open (or create) the AOF
 * directory's files for appending; registers the propagation consumer.
 * Call after the dataset was loaded. Returns 0, or -1 after logging why
 * (the caller exits with status 2). */
int aof_setup(server *srv);
/* Flush and fsync what is pending, stop the fsync thread, close files. */
void aof_teardown(server *srv);

/* Write the buffered operations to the file, and with appendfsync always
 * fsync them: one write and one fsync for everything a loop iteration
 * produced (group commit). Call in before_sleep before replies are sent;
 * force also writes when the everysec thread is busy (shutdown). */
void aof_flush(server *srv, int force);
/* Called before any reply is written: with appendfsync always, writes and
 * fsyncs what is still buffered (normally nothing: before_sleep did it).
 * A no-op for the other policies. */
void aof_flush_before_reply(server *srv);
/* SHUTDOWN, SIGTERM: write and fsync everything now. Returns 0, or -1
 * when the write or fsync failed (logged). */
int aof_flush_and_sync(server *srv);
/* Cron: everysec fsync, automatic and scheduled rewrites, retries. */
void aof_cron(server *srv);

/* BGREWRITEAOF. Returns 0 started, 1 scheduled (a child is busy), or -1
 * with *err set to a static message. */
int aof_rewrite_background(server *srv, const char **err);

/* CONFIG SET appendonly: turn the AOF on (writes a base by a rewrite) or
 * off. Returns 0, or -1 with *err set to a static message. */
int aof_set_enabled(server *srv, int on, const char **err);

/* Start-up: 1 when appendonly is on and an AOF manifest exists (then
 * aof_load_at_startup loads it), 0 otherwise. */
int aof_exists(server *srv);
/* Load the AOF directory (base, then every incremental file). Returns 0,
 * or -1 after logging the file and offset of the problem (the caller exits
 * with status 2). A truncated last command is trimmed with a warning when
 * aof-load-truncated is yes. */
int aof_load_at_startup(server *srv);

/* DEBUG LOADAOF: write and fsync what is pending, empty the dataset and
 * load the AOF directory again. Returns 0, or -1 (logged) when it cannot
 * be loaded (the dataset is then partial). */
int aof_debug_loadaof(server *srv);

/* INFO persistence: the aof_* fields, Redis 7.0's names and order. */
typedef void aof_info_fn(void *priv, const char *name, const char *value);
void aof_info(server *srv, aof_info_fn *fn, void *priv);

/* 1 when writes must be refused because the AOF cannot be written
 * (Redis's MISCONF for AOF); *msg is the reason (strerror text). */
int aof_writes_refused(const server *srv, const char **msg);

/* ---- internal to aof.c / aof_load.c ---- */
#include <pthread.h>

enum aof_status { AOF_OFF = 0, AOF_ON, AOF_WAIT_REWRITE };

typedef struct aof_file {
    str name;
    long long seq;
    char type; /* 'b' base, 'h' history, 'i' incremental */
} aof_file;

typedef struct aof_manifest {
    aof_file base; /* name NULL: none */
    aof_file *incr;
    int nincr;
    aof_file *hist;
    int nhist;
    long long base_seq; /* highest sequence numbers used */
    long long incr_seq;
} aof_manifest;

typedef struct aof_job {
    int type;
    int fd;
} aof_job;

typedef struct aof_state {
    int state; /* enum aof_status */
    aof_manifest mf;
    int mf_loaded;    /* a manifest was found at start-up */
    int fd;           /* the incremental file written, -1 none */
    str buf;          /* operations not written yet */
    int last_db;      /* last SELECT written to the file */
    str pending_incr; /* incr file of a rewrite turning the AOF on */
    long long current_size;
    long long base_size;
    long long rewrite_base_size; /* aof_base_size: at the last rewrite */
    long long last_incr_size;
    long long last_fsync_ms;
    int unsynced; /* written since the last fsync */
    long long postponed_since;
    long long delayed_fsync;
    int last_write_ok;
    int last_write_errno;
    /* rewrites */
    int rewrite_scheduled;
    pid_t rewrite_child_pid;
    long long rewrite_start_ms;  /* -1: none running */
    long long rewrite_time_last; /* s, -1 never */
    int last_bgrewrite_ok;
    long long rewrites;
    long long rewrites_consecutive_failures;
    long long last_cow_size;
    /* the everysec fsync thread: a queue of fsync/close jobs */
    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    aof_job jobs[64];
    unsigned long jobs_head, jobs_tail;
    int fsync_pending;
    int quit;
    int bio_fsync_errno;
} aof_state;

/* Open the files for appending once the dataset is loaded (creating a
 * base and an incremental file when there are none). 0 or -1 (logged). */
int aof_open_at_startup(server *srv);
/* Read dir/appenddirname/appendfilename.manifest into srv->aof->mf.
 * Returns 1 loaded, 0 none, -1 malformed (logged). */
int aof_manifest_load(server *srv);
void aof_manifest_clear(aof_manifest *m);
void aof_manifest_push(aof_file **list, int *n, const char *name, long long seq,
                       char type);
/* Path of a file of the AOF directory: dir/appenddirname/name (fresh). */
str aof_path(const server *srv, const char *name);
/* Replay one AOF file (commands, or an RDB preamble then commands).
 * Returns 0; -1 when corrupt (logged). */
int aof_load_file(server *srv, const char *name, int last);

#endif
