/* aof: writing the append-only file (Redis 7.0's multi-part layout), the
 * fsync policies (group commit for always, a helper thread for everysec),
 * the manifest, rewrites in the forked child and turning it on and off. */
#include "aof.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "cmd.h"
#include "db.h"
#include "function.h"
#include "log.h"
#include "mem.h"
#include "propagate.h"
#include "rdb.h"
#include "reply.h"
#include "util.h"

/* ---- the fsync thread (everysec): fsync and close jobs, in order ---- */

#define JOBS_MAX 64

enum { JOB_FSYNC, JOB_CLOSE };

static void *fsync_thread(void *arg)
{
    aof_state *a = arg;

    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (a->jobs_head == a->jobs_tail && !a->quit) {
            pthread_cond_wait(&a->cv, &a->mu);
        }
        if (a->jobs_head == a->jobs_tail) {
            break; /* quit with nothing queued */
        }
        aof_job job = a->jobs[a->jobs_head % JOBS_MAX];
        pthread_mutex_unlock(&a->mu);
        if (fdatasync(job.fd) == -1 && errno != EBADF && errno != EINVAL) {
            __atomic_store_n(&a->bio_fsync_errno, errno, __ATOMIC_RELAXED);
        } else if (job.type == JOB_FSYNC) {
            __atomic_store_n(&a->bio_fsync_errno, 0, __ATOMIC_RELAXED);
        }
        if (job.type == JOB_CLOSE) {
            close(job.fd);
        }
        pthread_mutex_lock(&a->mu);
        a->jobs_head++;
        if (job.type == JOB_FSYNC) {
            a->fsync_pending--;
        }
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

static void submit_job(aof_state *a, int type, int fd)
{
    /* The thread starts with the first job: a shard without an AOF stays
     * single-threaded (libc's syscalls cost more in a threaded process). */
    if (!a->thread_started) {
        if (pthread_create(&a->thread, NULL, fsync_thread, a) != 0) {
            log_warn("pthread_create() failed for the AOF fsync thread; "
                     "fsync runs on the main thread");
            fdatasync(fd);
            if (type == JOB_CLOSE) {
                close(fd);
            }
            return;
        }
        a->thread_started = 1;
    }
    pthread_mutex_lock(&a->mu);
    while (a->jobs_tail - a->jobs_head >= JOBS_MAX) {
        pthread_cond_wait(&a->cv, &a->mu);
    }
    a->jobs[a->jobs_tail % JOBS_MAX].type = type;
    a->jobs[a->jobs_tail % JOBS_MAX].fd = fd;
    a->jobs_tail++;
    if (type == JOB_FSYNC) {
        a->fsync_pending++;
    }
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

static int fsync_in_progress(aof_state *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->fsync_pending;
    pthread_mutex_unlock(&a->mu);
    return n;
}

/* Wait until the thread has done every job queued so far. */
static void drain_jobs(aof_state *a)
{
    pthread_mutex_lock(&a->mu);
    while (a->jobs_head != a->jobs_tail) {
        pthread_cond_wait(&a->cv, &a->mu);
    }
    pthread_mutex_unlock(&a->mu);
}

/* ---- paths and the manifest ---- */

str aof_path(const server *srv, const char *name)
{
    return str_catfmt(str_empty(), "%s/%s/%s", srv->cfg.dir,
                      srv->cfg.appenddirname, name);
}

static str dir_path(const server *srv)
{
    return str_catfmt(str_empty(), "%s/%s", srv->cfg.dir,
                      srv->cfg.appenddirname);
}

static void fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

void aof_manifest_clear(aof_manifest *m)
{
    str_free(m->base.name);
    m->base.name = NULL;
    for (int i = 0; i < m->nincr; i++) {
        str_free(m->incr[i].name);
    }
    for (int i = 0; i < m->nhist; i++) {
        str_free(m->hist[i].name);
    }
    mem_free(m->incr);
    mem_free(m->hist);
    m->incr = m->hist = NULL;
    m->nincr = m->nhist = 0;
    m->base_seq = m->incr_seq = 0;
}

void aof_manifest_push(aof_file **list, int *n, const char *name, long long seq,
                       char type)
{
    *list = mem_realloc(*list, sizeof(aof_file) * (size_t)(*n + 1));
    (*list)[*n].name = str_from_cstr(name);
    (*list)[*n].seq = seq;
    (*list)[*n].type = type;
    (*n)++;
}

/* As Redis 7.0 writes it: base, history, then incremental files. */
static str manifest_text(const aof_manifest *m)
{
    str s = str_empty();

    if (m->base.name != NULL) {
        s = str_catfmt(s, "file %s seq %lld type b\n", m->base.name,
                       m->base.seq);
    }
    for (int i = 0; i < m->nhist; i++) {
        s = str_catfmt(s, "file %s seq %lld type h\n", m->hist[i].name,
                       m->hist[i].seq);
    }
    for (int i = 0; i < m->nincr; i++) {
        s = str_catfmt(s, "file %s seq %lld type i\n", m->incr[i].name,
                       m->incr[i].seq);
    }
    return s;
}

/* Write a file whole and atomically: temp file, fsync, rename, fsync the
 * directory. Returns 0, or -1 (logged). */
static int write_atomic(const server *srv, const char *name, const char *data,
                        size_t len)
{
    str tmpname = str_catfmt(str_empty(), "temp-%s", name);
    str tmp = aof_path(srv, tmpname);
    str path = aof_path(srv, name);
    str dir = dir_path(srv);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0) {
        log_warn("open() failed for %s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            log_warn("write() failed for %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd) == -1) {
        log_warn("fsync() failed for %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, path) == -1) {
        log_warn("rename() failed for %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    fsync_dir(dir);
    rc = 0;
out:
    str_free(tmpname);
    str_free(tmp);
    str_free(path);
    str_free(dir);
    return rc;
}

static int persist_manifest(server *srv)
{
    str name = str_catfmt(str_empty(), "%s.manifest", srv->cfg.appendfilename);
    str text = manifest_text(&srv->aof->mf);
    int rc = write_atomic(srv, name, text, str_len(text));

    str_free(name);
    str_free(text);
    return rc;
}

/* Remove history files from disk and from the manifest. */
static void delete_history(server *srv)
{
    aof_manifest *m = &srv->aof->mf;

    /* aof-disable-auto-gc: history files stay (debugging, as Redis). */
    if (m->nhist == 0 || srv->cfg.aof_disable_auto_gc) {
        return;
    }
    for (int i = 0; i < m->nhist; i++) {
        str p = aof_path(srv, m->hist[i].name);
        if (unlink(p) == -1 && errno != ENOENT) {
            log_warn("unlink() failed for %s: %s", p, strerror(errno));
        } else {
            log_notice("Removing the history file %s in the background",
                       m->hist[i].name);
        }
        str_free(p);
        str_free(m->hist[i].name);
    }
    m->nhist = 0;
    persist_manifest(srv);
}

static long long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* ---- the consumer and writing ---- */

static void feed(void *priv, int dbid, const arg *argv, int argc)
{
    server *srv = priv;
    aof_state *a = srv->aof;

    /* While turning on, writes go to the new incremental file only once
     * the rewrite child exists (its base has everything before). */
    if (a->state == AOF_ON || (a->state == AOF_WAIT_REWRITE && a->fd >= 0 &&
                               child_type_active(srv) == CHILD_AOF)) {
        a->buf = propagate_encode(a->buf, &a->last_db, dbid, argv, argc);
    }
}

/* Write the whole buffer. Returns 0, or -1 with errno (what was written
 * is dropped from the buffer, the rest kept for the next try). */
static int write_buf(aof_state *a)
{
    size_t len = str_len(a->buf), off = 0;
    int rc = 0;

    while (off < len) {
        ssize_t w = write(a->fd, a->buf + off, len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            if (w == 0) {
                errno = ENOSPC;
            }
            rc = -1;
            break;
        }
        off += (size_t)w;
    }
    a->current_size += (long long)off;
    a->last_incr_size += (long long)off;
    if (off > 0) {
        a->unsynced = 1;
    }
    if (off == len) {
        str_clear(a->buf);
    } else {
        str_consume(a->buf, off);
    }
    return rc;
}

static int fsync_now(server *srv)
{
    aof_state *a = srv->aof;

    if (fdatasync(a->fd) == -1) {
        log_warn("Can't persist the AOF: fdatasync() failed: %s",
                 strerror(errno));
        return -1;
    }
    a->unsynced = 0;
    a->last_fsync_ms = srv->mstime;
    return 0;
}

void aof_flush(server *srv, int force)
{
    aof_state *a = srv->aof;

    if (a == NULL || a->fd < 0) {
        return;
    }
    int policy = srv->cfg.appendfsync;
    if (str_len(a->buf) == 0) {
        /* Written but not yet fsynced (a busy thread, the last write of
         * a burst): everysec catches up here. */
        if (policy == AOF_FSYNC_EVERYSEC && a->unsynced &&
            srv->mstime - a->last_fsync_ms >= 1000 && !fsync_in_progress(a)) {
            submit_job(a, JOB_FSYNC, a->fd);
            a->last_fsync_ms = srv->mstime;
            a->unsynced = 0;
        }
        return;
    }
    /* everysec: a write() behind a running fsync of the same file blocks
     * the loop. Postpone up to two seconds, as Redis does. */
    if (policy == AOF_FSYNC_EVERYSEC && !force && fsync_in_progress(a)) {
        if (a->postponed_since == 0) {
            a->postponed_since = srv->mstime;
            return;
        }
        if (srv->mstime - a->postponed_since < 2000) {
            return;
        }
        a->delayed_fsync++;
        log_notice("Asynchronous AOF fsync is taking too long (disk is "
                   "busy?). Writing the AOF buffer without waiting for "
                   "fsync to complete, this may slow down shoal.");
    }
    a->postponed_since = 0;
    if (write_buf(a) != 0) {
        int err = errno;
        if (policy == AOF_FSYNC_ALWAYS) {
            /* Replies already queued must not be sent: stop here. */
            log_warn("Can't recover from AOF write error when the AOF "
                     "fsync policy is 'always'. Exiting...");
            _exit(1);
        }
        if (a->last_write_ok) {
            log_warn("Error writing to the AOF file: %s", strerror(err));
        }
        a->last_write_ok = 0;
        a->last_write_errno = err;
        return;
    }
    if (!a->last_write_ok) {
        log_warn("AOF write error looks solved. shoal can write again.");
    }
    a->last_write_ok = 1;
    int skip = srv->cfg.no_appendfsync_on_rewrite &&
               child_type_active(srv) != CHILD_NONE;
    if (skip) {
        return;
    }
    if (policy == AOF_FSYNC_ALWAYS) {
        /* Group commit: one fsync for the whole loop iteration, before
         * any reply of it is sent. */
        if (fsync_now(srv) != 0) {
            log_warn("Can't recover from AOF fsync error when the AOF "
                     "fsync policy is 'always'. Exiting...");
            _exit(1);
        }
    } else if (policy == AOF_FSYNC_EVERYSEC &&
               srv->mstime - a->last_fsync_ms >= 1000 &&
               !fsync_in_progress(a)) {
        submit_job(a, JOB_FSYNC, a->fd);
        a->last_fsync_ms = srv->mstime;
        a->unsynced = 0;
    }
}

void aof_flush_before_reply(server *srv)
{
    aof_state *a = srv->aof;

    if (a != NULL && a->fd >= 0 && str_len(a->buf) > 0 &&
        srv->cfg.appendfsync == AOF_FSYNC_ALWAYS) {
        aof_flush(srv, 0);
    }
}

int aof_flush_and_sync(server *srv)
{
    aof_state *a = srv->aof;

    if (a == NULL || a->fd < 0) {
        return 0;
    }
    aof_flush(srv, 1);
    if (str_len(a->buf) > 0) {
        return -1;
    }
    drain_jobs(a);
    return fsync_now(srv);
}

/* ---- opening files ---- */

static int open_append(server *srv, const char *name, int create)
{
    str p = aof_path(srv, name);
    int flags = O_WRONLY | O_APPEND | (create ? O_CREAT | O_TRUNC : 0);
    int fd = open(p, flags, 0644);

    if (fd < 0) {
        log_warn("Can't open the append-only file %s: %s", p, strerror(errno));
    }
    str_free(p);
    return fd;
}

static str base_name(const server *srv, long long seq)
{
    return str_catfmt(str_empty(), "%s.%lld.base.%s", srv->cfg.appendfilename,
                      seq, srv->cfg.aof_use_rdb_preamble ? "rdb" : "aof");
}

static str incr_name(const server *srv, long long seq)
{
    return str_catfmt(str_empty(), "%s.%lld.incr.aof", srv->cfg.appendfilename,
                      seq);
}

/* Swap the file written to; the old descriptor is fsynced and closed by
 * the thread (its data must reach the disk before the manifest drops
 * it). */
static void switch_fd(aof_state *a, int fd)
{
    if (a->fd >= 0) {
        submit_job(a, JOB_CLOSE, a->fd);
    }
    a->fd = fd;
    a->last_incr_size = 0;
    a->unsynced = 0;
}

/* A new incremental file; persisted in the manifest when the AOF is on
 * (Redis 7.0 opens it when a rewrite starts). Returns 0 or -1. */
static int open_new_incr(server *srv, int persist)
{
    aof_state *a = srv->aof;
    long long seq = a->mf.incr_seq + 1;
    str name = incr_name(srv, seq);
    int fd = open_append(srv, name, 1);

    if (fd < 0) {
        str_free(name);
        return -1;
    }
    if (persist) {
        aof_manifest_push(&a->mf.incr, &a->mf.nincr, name, seq, 'i');
        a->mf.incr_seq = seq;
        if (persist_manifest(srv) != 0) {
            str_free(a->mf.incr[a->mf.nincr - 1].name);
            a->mf.nincr--;
            a->mf.incr_seq = seq - 1;
            close(fd);
            str_free(name);
            return -1;
        }
    } else {
        str_free(a->pending_incr);
        a->pending_incr = str_dup(name);
    }
    str_free(name);
    aof_flush(srv, 1);
    switch_fd(a, fd);
    a->last_db = -1; /* a new file starts with a SELECT */
    return 0;
}

static int make_dir(const server *srv)
{
    str d = dir_path(srv);
    int rc = 0;

    if (mkdir(d, 0755) == -1 && errno != EEXIST) {
        log_warn("Can't create the AOF directory %s: %s", d, strerror(errno));
        rc = -1;
    }
    str_free(d);
    return rc;
}

/* ---- the base: written by the child (or at start-up) ---- */

/* The base as commands (aof-use-rdb-preamble no): FUNCTION LOAD for each
 * library, then per database a SELECT and one RESTORE ... ABSTTL per key
 * (the value as a DUMP payload: exact for every type and encoding). */
typedef struct cmd_writer {
    int fd;
    str buf;
    int failed;
    int last_db;
} cmd_writer;

static void cw_flush(cmd_writer *w)
{
    size_t off = 0, len = str_len(w->buf);

    while (!w->failed && off < len) {
        ssize_t n = write(w->fd, w->buf + off, len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            w->failed = 1;
            break;
        }
        off += (size_t)n;
    }
    str_clear(w->buf);
}

static void cw_emit(cmd_writer *w, int dbid, int argc, const str *argv)
{
    arg args[8];

    for (int i = 0; i < argc && i < 8; i++) {
        args[i].p = argv[i];
        args[i].n = str_len(argv[i]);
    }
    w->buf = propagate_encode(w->buf, &w->last_db, dbid, args, argc);
    if (str_len(w->buf) > 64 * 1024) {
        cw_flush(w);
    }
}

static void cw_function(void *priv, const char *code, size_t len)
{
    str argv[3] = {str_new("FUNCTION", 8), str_new("LOAD", 4),
                   str_new(code, len)};

    cw_emit(priv, -1, 3, argv);
    for (int i = 0; i < 3; i++) {
        str_free(argv[i]);
    }
}

static int write_base_commands(server *srv, int fd, str *err)
{
    cmd_writer w = {.fd = fd, .buf = str_empty(), .last_db = -1};
    long long now = util_mstime();
    size_t done = 0;

    functions_foreach_code(srv, cw_function, &w);
    for (int i = 0; i < srv->dbnum && !w.failed; i++) {
        db *d = &srv->dbs[i];
        for (unsigned slot = 0; slot < SLOT_COUNT && !w.failed; slot++) {
            if (db_slot_size(d, slot) == 0) {
                continue;
            }
            dict_iter it;
            dict_entry *de;
            dict_iter_init(&it, db_slot_dict(d, slot));
            while ((de = dict_iter_next(&it)) != NULL) {
                long long when = db_get_expire(d, de->key, de->klen);
                if (when != -1 && when < now) {
                    continue; /* expired: not worth writing */
                }
                char ttl[24];
                int tn = util_ll2str(ttl, sizeof(ttl), when == -1 ? 0 : when);
                str argv[5] = {str_new("RESTORE", 7),
                               str_new(de->key, de->klen),
                               str_new(ttl, (size_t)tn),
                               rdb_dump_value(de->v.ptr), str_new("ABSTTL", 6)};
                cw_emit(&w, i, when == -1 ? 4 : 5, argv);
                for (int j = 0; j < 5; j++) {
                    str_free(argv[j]);
                }
                if ((++done & 1023) == 0) {
                    child_report(srv, done, 0);
                }
            }
            dict_iter_deinit(&it);
        }
    }
    cw_flush(&w);
    str_free(w.buf);
    if (w.failed) {
        *err = str_catfmt(str_empty(), "write(): %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int write_base_fd(server *srv, int fd, str *err)
{
    if (srv->cfg.aof_use_rdb_preamble) {
        return rdb_save_fd(srv, fd, err);
    }
    return write_base_commands(srv, fd, err);
}

/* Synchronous base of the current dataset (start-up, empty or loaded from
 * the RDB). Returns 0 or -1 (logged). */
static int write_base_now(server *srv, const char *name)
{
    str p = aof_path(srv, name);
    str tmp = aof_path(srv, "temp-startup-base.aof");
    str err = NULL;
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0) {
        log_warn("open() failed for %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write_base_fd(srv, fd, &err) != 0 || fsync(fd) == -1) {
        log_warn("Can't write the AOF base %s: %s", tmp,
                 err != NULL ? err : strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, p) == -1) {
        log_warn("rename() failed for %s: %s", tmp, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    str_free(err);
    str_free(p);
    str_free(tmp);
    return rc;
}

static int rewrite_work(server *srv, void *priv)
{
    (void)priv;
    str name =
        str_catfmt(str_empty(), "temp-rewriteaof-bg-%d.aof", (int)getpid());
    str p = aof_path(srv, name);
    str err = NULL;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = 1;

    if (fd < 0) {
        log_warn("Opening the temp file for AOF rewrite in "
                 "rewriteAppendOnlyFile(): %s",
                 strerror(errno));
        goto out;
    }
    if (write_base_fd(srv, fd, &err) != 0) {
        log_warn("Write error writing append only file on disk: %s",
                 err != NULL ? err : "?");
        close(fd);
        unlink(p);
        goto out;
    }
    if (fsync(fd) == -1) {
        log_warn("fsync() failed writing the AOF rewrite: %s", strerror(errno));
        close(fd);
        unlink(p);
        goto out;
    }
    close(fd);
    log_notice("Successfully created the temporary AOF base file %s", name);
    rc = 0;
out:
    str_free(err);
    str_free(p);
    str_free(name);
    return rc;
}

static void rewrite_failed(server *srv)
{
    aof_state *a = srv->aof;

    a->last_bgrewrite_ok = 0;
    a->rewrites_consecutive_failures++;
    if (a->state == AOF_WAIT_REWRITE) {
        /* Retried by the cron; the incremental file opened for this try
         * is not in the manifest: drop it. */
        if (a->fd >= 0) {
            submit_job(a, JOB_CLOSE, a->fd);
            a->fd = -1;
        }
        if (a->pending_incr != NULL) {
            str p = aof_path(srv, a->pending_incr);
            unlink(p);
            str_free(p);
            str_free(a->pending_incr);
            a->pending_incr = NULL;
        }
        str_clear(a->buf);
        a->rewrite_scheduled = 1;
    }
}

static void rewrite_done(server *srv, int ok, int exitcode, int bysignal,
                         void *priv)
{
    aof_state *a = srv->aof;
    pid_t pid = a->rewrite_child_pid;

    (void)priv;
    str tmpname =
        str_catfmt(str_empty(), "temp-rewriteaof-bg-%d.aof", (int)pid);
    str tmp = aof_path(srv, tmpname);

    a->rewrite_time_last = (util_mstime() - a->rewrite_start_ms) / 1000;
    a->rewrite_start_ms = -1;
    a->last_cow_size = srv->stat_aof_cow_bytes;
    if (!ok) {
        if (bysignal != 0) {
            log_warn("Background AOF rewrite terminated by signal %d",
                     bysignal);
        } else {
            log_warn("Background AOF rewrite terminated with error %d",
                     exitcode);
        }
        unlink(tmp);
        rewrite_failed(srv);
        goto out;
    }
    /* The new manifest: the new base; the old base and every incremental
     * file before the one opened at the rewrite's start become history. */
    long long seq = a->mf.base_seq + 1;
    str bname = base_name(srv, seq);
    str bpath = aof_path(srv, bname);
    if (rename(tmp, bpath) == -1) {
        log_warn("Error trying to rename the temporary AOF base file %s "
                 "into %s: %s",
                 tmpname, bname, strerror(errno));
        unlink(tmp);
        str_free(bname);
        str_free(bpath);
        rewrite_failed(srv);
        goto out;
    }
    aof_manifest *m = &a->mf;
    if (m->base.name != NULL) {
        aof_manifest_push(&m->hist, &m->nhist, m->base.name, m->base.seq, 'h');
        str_free(m->base.name);
    }
    m->base.name = str_dup(bname);
    m->base.seq = seq;
    m->base_seq = seq;
    /* With the AOF off (a BGREWRITEAOF anyway, as Redis allows) or being
     * turned on, no incremental file of the old manifest stays. */
    int keep = a->state == AOF_ON ? 1 : 0;
    for (int i = 0; i < m->nincr - keep; i++) {
        aof_manifest_push(&m->hist, &m->nhist, m->incr[i].name, m->incr[i].seq,
                          'h');
        str_free(m->incr[i].name);
    }
    if (keep && m->nincr > 0) {
        m->incr[0] = m->incr[m->nincr - 1];
        m->nincr = 1;
    } else {
        m->nincr = 0;
    }
    if (a->state == AOF_WAIT_REWRITE && a->pending_incr != NULL) {
        aof_manifest_push(&m->incr, &m->nincr, a->pending_incr, m->incr_seq + 1,
                          'i');
        m->incr_seq++;
        str_free(a->pending_incr);
        a->pending_incr = NULL;
    }
    if (persist_manifest(srv) != 0) {
        /* The old files are all still there: the next rewrite retries. */
        log_warn("Can't persist the AOF manifest after a rewrite");
        str_free(bname);
        str_free(bpath);
        rewrite_failed(srv);
        goto out;
    }
    a->base_size = file_size(bpath);
    a->current_size = a->base_size + a->last_incr_size;
    a->rewrite_base_size = a->current_size;
    str_free(bname);
    str_free(bpath);
    if (a->state == AOF_WAIT_REWRITE) {
        a->state = AOF_ON;
        log_notice("Background AOF rewrite finished successfully");
    }
    delete_history(srv);
    a->last_bgrewrite_ok = 1;
    a->rewrites_consecutive_failures = 0;
    log_notice("Background AOF rewrite successfully completed");
out:
    str_free(tmpname);
    str_free(tmp);
}

int aof_rewrite_background(server *srv, const char **err)
{
    aof_state *a = srv->aof;
    int active = child_type_active(srv);

    if (active == CHILD_AOF) {
        *err = "Background append only file rewriting already in progress";
        return -1;
    }
    if (active != CHILD_NONE) {
        a->rewrite_scheduled = 1;
        return 1;
    }
    if (make_dir(srv) != 0) {
        *err = "Can't execute an AOF background rewriting. Please check "
               "the server logs for more information.";
        return -1;
    }
    /* The writes from now on go to a new incremental file; what came
     * before is in the dataset the child snapshots. */
    if (a->state == AOF_ON || a->state == AOF_WAIT_REWRITE) {
        if (open_new_incr(srv, a->state == AOF_ON) != 0) {
            *err = "Can't execute an AOF background rewriting. Please "
                   "check the server logs for more information.";
            return -1;
        }
    }
    a->rewrite_start_ms = util_mstime();
    if (child_start(srv, CHILD_AOF, rewrite_work, rewrite_done, NULL) != 0) {
        a->rewrite_start_ms = -1;
        if (errno == EAGAIN) {
            a->rewrite_scheduled = 1;
            return 1;
        }
        log_warn("Can't rewrite append only file in background: fork: %s",
                 strerror(errno));
        rewrite_failed(srv);
        *err = "Can't execute an AOF background rewriting. Please check "
               "the server logs for more information.";
        return -1;
    }
    /* The child names its temp file by its pid: remember it. */
    a->rewrite_child_pid = srv->child_pid;
    a->rewrite_scheduled = 0;
    a->rewrites++;
    log_notice("Background append only file rewriting started by pid %d",
               (int)srv->child_pid);
    return 0;
}

/* ---- turning on and off ---- */

int aof_set_enabled(server *srv, int on, const char **err)
{
    aof_state *a = srv->aof;

    if (a == NULL) {
        return 0; /* start-up: aof_setup reads the config */
    }
    if (on && a->state == AOF_OFF) {
        a->state = AOF_WAIT_REWRITE;
        a->last_db = -1;
        if (child_type_active(srv) != CHILD_NONE) {
            a->rewrite_scheduled = 1;
            log_notice("AOF was enabled but there is already another "
                       "background operation. An AOF background was "
                       "scheduled to start when possible.");
            return 0;
        }
        const char *e = NULL;
        if (aof_rewrite_background(srv, &e) < 0) {
            a->state = AOF_OFF;
            srv->cfg.appendonly = 0;
            *err = "Unable to turn on AOF. Check server logs.";
            return -1;
        }
        return 0;
    }
    if (!on && a->state != AOF_OFF) {
        if (child_type_active(srv) == CHILD_AOF) {
            log_notice("Killing running AOF rewrite child");
            child_kill(srv);
        }
        aof_flush_and_sync(srv);
        if (a->fd >= 0) {
            close(a->fd);
            a->fd = -1;
        }
        a->state = AOF_OFF;
        a->rewrite_scheduled = 0;
        str_clear(a->buf);
        log_notice("AOF was disabled");
    }
    return 0;
}

/* ---- the cron ---- */

void aof_cron(server *srv)
{
    aof_state *a = srv->aof;

    if (a == NULL) {
        return;
    }
    int active = child_type_active(srv);
    if (active == CHILD_NONE && a->rewrite_scheduled && a->state != AOF_OFF) {
        const char *err;
        aof_rewrite_background(srv, &err);
    }
    if (a->state == AOF_ON && active == CHILD_NONE &&
        srv->cfg.auto_aof_rewrite_percentage > 0 &&
        a->current_size > srv->cfg.auto_aof_rewrite_min_size) {
        long long base = a->rewrite_base_size ? a->rewrite_base_size : 1;
        long long growth = (a->current_size * 100 / base) - 100;
        if (growth >= srv->cfg.auto_aof_rewrite_percentage) {
            log_notice("Starting automatic rewriting of AOF on %lld%% "
                       "growth",
                       growth);
            const char *err;
            aof_rewrite_background(srv, &err);
        }
    }
    /* everysec: data written but not fsynced yet. */
    if (srv->cfg.appendfsync == AOF_FSYNC_EVERYSEC) {
        aof_flush(srv, 0);
    }
    if (a->state == AOF_ON && !a->last_write_ok) {
        aof_flush(srv, 0); /* retry */
    }
}

int aof_writes_refused(const server *srv, const char **msg)
{
    const aof_state *a = srv->aof;

    if (a == NULL || a->state == AOF_OFF || a->last_write_ok) {
        return 0;
    }
    *msg = strerror(a->last_write_errno);
    return 1;
}

/* ---- setup ---- */

int aof_exists(server *srv)
{
    return srv->aof != NULL && srv->aof->mf_loaded;
}

/* Redis < 7 kept one dir/appendonly.aof: move it into the AOF directory as
 * the base of a new manifest (what Redis 7.0 does on upgrade). Returns 0,
 * or -1 (logged). */
static int upgrade_legacy(server *srv)
{
    str old =
        str_catfmt(str_empty(), "%s/%s", srv->cfg.dir, srv->cfg.appendfilename);
    str dst = aof_path(srv, srv->cfg.appendfilename);
    struct stat st;
    int rc = 0;

    if (stat(old, &st) != 0 || !S_ISREG(st.st_mode)) {
        goto out;
    }
    log_notice("Creating AOF manifest from the old-style append only file "
               "%s",
               srv->cfg.appendfilename);
    if (make_dir(srv) != 0 || rename(old, dst) == -1) {
        log_warn("Can't move %s into the AOF directory: %s", old,
                 strerror(errno));
        rc = -1;
        goto out;
    }
    aof_manifest *m = &srv->aof->mf;
    m->base.name = str_dup(srv->cfg.appendfilename);
    m->base.seq = m->base_seq = 1;
    m->base.type = 'b';
    if (persist_manifest(srv) != 0) {
        rc = -1;
        goto out;
    }
    srv->aof->mf_loaded = 1;
    log_notice("Successfully migrated an old-style AOF into the AOF "
               "directory");
out:
    str_free(old);
    str_free(dst);
    return rc;
}

int aof_setup(server *srv)
{
    aof_state *a = mem_calloc(sizeof(*a));

    srv->aof = a;
    a->fd = -1;
    a->buf = str_empty();
    a->last_db = -1;
    a->last_write_ok = 1;
    a->last_bgrewrite_ok = 1;
    a->rewrite_start_ms = -1;
    a->rewrite_time_last = -1;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (propagate_add_consumer(srv, feed, srv) != 0) {
        return -1;
    }
    /* The manifest is read even with the AOF off, as Redis does: a
     * BGREWRITEAOF or CONFIG SET appendonly yes continues its sequence. */
    int rc = aof_manifest_load(srv);
    if (srv->cfg.appendonly) {
        a->state = AOF_ON;
        if (rc < 0 || (rc == 0 && upgrade_legacy(srv) != 0)) {
            return -1;
        }
    } else if (rc < 0) {
        aof_manifest_clear(&a->mf);
        a->mf_loaded = 0;
    }
    return 0;
}

int aof_open_at_startup(server *srv)
{
    aof_state *a = srv->aof;

    if (a->state == AOF_OFF) {
        return 0;
    }
    if (make_dir(srv) != 0) {
        return -1;
    }
    aof_manifest *m = &a->mf;
    int changed = 0, fresh = 0;
    if (m->base.name == NULL && m->nincr == 0) {
        fresh = 1;
        /* No AOF yet: the base is the dataset as it is now. */
        str bname = base_name(srv, m->base_seq + 1);
        if (write_base_now(srv, bname) != 0) {
            str_free(bname);
            return -1;
        }
        m->base.name = bname;
        m->base.seq = ++m->base_seq;
        changed = 1;
        log_notice("Creating AOF base file %s on server start", bname);
    }
    if (m->nincr == 0) {
        long long seq = m->incr_seq + 1;
        str name = incr_name(srv, seq);
        a->fd = open_append(srv, name, 1);
        if (a->fd < 0) {
            str_free(name);
            return -1;
        }
        aof_manifest_push(&m->incr, &m->nincr, name, seq, 'i');
        m->incr_seq = seq;
        log_notice("Creating AOF incr file %s on server start", name);
        str_free(name);
        changed = 1;
    } else {
        a->fd = open_append(srv, m->incr[m->nincr - 1].name, 0);
        if (a->fd < 0) {
            return -1;
        }
    }
    if (changed && persist_manifest(srv) != 0) {
        return -1;
    }
    delete_history(srv);
    a->current_size = 0;
    if (m->base.name != NULL) {
        str p = aof_path(srv, m->base.name);
        a->base_size = file_size(p);
        a->current_size += a->base_size;
        str_free(p);
    }
    for (int i = 0; i < m->nincr; i++) {
        str p = aof_path(srv, m->incr[i].name);
        long long sz = file_size(p);
        a->current_size += sz;
        if (i == m->nincr - 1) {
            a->last_incr_size = sz;
        }
        str_free(p);
    }
    /* As Redis: sizes count from the load; a new AOF starts at 0. */
    if (fresh) {
        a->current_size = 0;
    }
    a->rewrite_base_size = a->current_size;
    a->last_fsync_ms = srv->mstime;
    return 0;
}

void aof_teardown(server *srv)
{
    aof_state *a = srv->aof;

    if (a == NULL) {
        return;
    }
    /* A rewrite still running: stop it and drop its temp file. */
    if (child_type_active(srv) == CHILD_AOF) {
        child_kill(srv);
    }
    if (a->fd >= 0) {
        aof_flush_and_sync(srv);
        close(a->fd);
        a->fd = -1;
    }
    if (a->thread_started) {
        pthread_mutex_lock(&a->mu);
        a->quit = 1;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    if (srv->prop != NULL) {
        propagate_remove_consumer(srv, feed, srv);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    aof_manifest_clear(&a->mf);
    str_free(a->buf);
    str_free(a->pending_incr);
    mem_free(a);
    srv->aof = NULL;
}

/* ---- INFO ---- */

static void info_ll(aof_info_fn *fn, void *priv, const char *name, long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    fn(priv, name, buf);
}

void aof_info(server *srv, aof_info_fn *fn, void *priv)
{
    aof_state *a = srv->aof;
    int rewriting = child_type_active(srv) == CHILD_AOF;

    if (a == NULL) {
        return;
    }
    info_ll(fn, priv, "aof_enabled", a->state != AOF_OFF);
    info_ll(fn, priv, "aof_rewrite_in_progress", rewriting);
    info_ll(fn, priv, "aof_rewrite_scheduled", a->rewrite_scheduled);
    info_ll(fn, priv, "aof_last_rewrite_time_sec", a->rewrite_time_last);
    info_ll(fn, priv, "aof_current_rewrite_time_sec",
            rewriting && a->rewrite_start_ms >= 0
                ? (util_mstime() - a->rewrite_start_ms) / 1000
                : -1);
    fn(priv, "aof_last_bgrewrite_status", a->last_bgrewrite_ok ? "ok" : "err");
    info_ll(fn, priv, "aof_rewrites", a->rewrites);
    info_ll(fn, priv, "aof_rewrites_consecutive_failures",
            a->rewrites_consecutive_failures);
    fn(priv, "aof_last_write_status", a->last_write_ok ? "ok" : "err");
    info_ll(fn, priv, "aof_last_cow_size", a->last_cow_size);
    fn(priv, "module_fork_in_progress", "0");
    fn(priv, "module_fork_last_cow_size", "0");
    if (a->state != AOF_OFF) {
        info_ll(fn, priv, "aof_current_size", a->current_size);
        info_ll(fn, priv, "aof_base_size", a->rewrite_base_size);
        info_ll(fn, priv, "aof_pending_rewrite", a->rewrite_scheduled);
        info_ll(fn, priv, "aof_buffer_length", (long long)str_len(a->buf));
        info_ll(fn, priv, "aof_pending_bio_fsync", fsync_in_progress(a));
        info_ll(fn, priv, "aof_delayed_fsync", a->delayed_fsync);
    }
}

/* ---- BGREWRITEAOF ---- */

void cmd_bgrewriteaof(client *c)
{
    const char *err = NULL;
    int rc = aof_rewrite_background(c->srv, &err);

    if (rc == 0) {
        reply_status(c, "Background append only file rewriting started");
    } else if (rc == 1) {
        reply_status(c, "Background append only file rewriting scheduled");
    } else {
        reply_error(c, err);
    }
}

/* ---- DEBUG LOADAOF ---- */

int aof_debug_loadaof(server *srv)
{
    aof_state *a = srv->aof;

    if (a->state == AOF_ON) {
        aof_flush_and_sync(srv);
    }
    for (int i = 0; i < srv->dbnum; i++) {
        db_empty(&srv->dbs[i]);
    }
    functions_flush(srv);
    aof_manifest_clear(&a->mf);
    a->mf_loaded = 0;
    if (aof_manifest_load(srv) < 0) {
        return -1;
    }
    delete_history(srv);
    int rc = a->mf_loaded ? aof_load_at_startup(srv) : 0;
    srv->dirty = 0;
    return rc;
}
