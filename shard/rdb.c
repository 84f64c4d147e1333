/* rdb: writing Redis 7.0's RDB format (version 10): whole snapshots to a
 * file (SAVE, BGSAVE in a child) and single values (DUMP). */
#include "rdb.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "crc64.h"
#include "db.h"
#include "function.h"
#include "intset.h"
#include "listpack.h"
#include "log.h"
#include "lzf.h"
#include "mem.h"
#include "quicklist.h"
#include "rdb_int.h"
#include "skiplist.h"
#include "stream.h"
#include "t_zset.h"
#include "types.h"
#include "util.h"

/* ---- the buffered writer ---- */

void rdbw_flush(rdb_writer *w)
{
    size_t off = 0;

    if (w->fd < 0 || w->used == 0) {
        w->used = 0;
        return;
    }
    while (off < w->used && !w->failed) {
        ssize_t n = write(w->fd, w->buf + off, w->used - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            w->failed = 1;
            w->saved_errno = errno;
            break;
        }
        off += (size_t)n;
    }
    w->used = 0;
}

void rdbw_raw(rdb_writer *w, const void *p, size_t n)
{
    if (w->checksum) {
        w->crc = crc64(w->crc, p, n);
    }
    w->written += n;
    if (w->fd < 0) {
        w->mem = str_cat(w->mem, p, n);
        return;
    }
    if (w->used + n > sizeof(w->buf)) {
        rdbw_flush(w);
    }
    if (n >= sizeof(w->buf)) {
        /* Big blobs go straight out. */
        const unsigned char *s = p;
        while (n > 0 && !w->failed) {
            ssize_t r = write(w->fd, s, n);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                w->failed = 1;
                w->saved_errno = errno;
                break;
            }
            s += r;
            n -= (size_t)r;
        }
        return;
    }
    memcpy(w->buf + w->used, p, n);
    w->used += n;
}

void rdbw_type(rdb_writer *w, int t)
{
    unsigned char b = (unsigned char)t;

    rdbw_raw(w, &b, 1);
}

void rdbw_len(rdb_writer *w, uint64_t len)
{
    unsigned char b[9];

    if (len < (1 << 6)) {
        b[0] = (unsigned char)(len | (RDB_6BITLEN << 6));
        rdbw_raw(w, b, 1);
    } else if (len < (1 << 14)) {
        b[0] = (unsigned char)(((len >> 8) & 0xff) | (RDB_14BITLEN << 6));
        b[1] = (unsigned char)(len & 0xff);
        rdbw_raw(w, b, 2);
    } else if (len <= UINT32_MAX) {
        b[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++) {
            b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        }
        rdbw_raw(w, b, 5);
    } else {
        b[0] = RDB_64BITLEN;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        }
        rdbw_raw(w, b, 9);
    }
}

/* The integer encodings: 1, 2 or 4 bytes little endian after a marker.
 * Returns the bytes used in enc, 0 if v doesn't fit in 32 bits. */
static size_t encode_int(long long v, unsigned char *enc)
{
    if (v >= INT8_MIN && v <= INT8_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        enc[1] = (unsigned char)(v & 0xff);
        return 2;
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        enc[1] = (unsigned char)(v & 0xff);
        enc[2] = (unsigned char)((v >> 8) & 0xff);
        return 3;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++) {
            enc[1 + i] = (unsigned char)((v >> (8 * i)) & 0xff);
        }
        return 5;
    }
    return 0;
}

static void write_lzf_blob(rdb_writer *w, const void *data, size_t clen,
                           size_t origlen)
{
    rdbw_type(w, (RDB_ENCVAL << 6) | RDB_ENC_LZF);
    rdbw_len(w, clen);
    rdbw_len(w, origlen);
    rdbw_raw(w, data, clen);
}

/* LZF only pays when it saves at least 4 bytes, as Redis decides. */
static int try_lzf(rdb_writer *w, const void *p, size_t n)
{
    if (n <= 4) {
        return 0;
    }
    size_t outlen = n - 4;
    unsigned char *out = mem_try_alloc(outlen + 1);
    if (out == NULL) {
        return 0;
    }
    if (w->lzf == NULL) {
        w->lzf = rdb_lzf_create();
    }
    size_t clen = rdb_lzf_compress(w->lzf, p, n, out, outlen);
    if (clen == 0) {
        mem_free(out);
        return 0;
    }
    write_lzf_blob(w, out, clen, n);
    mem_free(out);
    return 1;
}

void rdbw_string(rdb_writer *w, const void *p, size_t n)
{
    if (n <= 11) {
        int64_t v;
        unsigned char enc[5];
        size_t elen;
        if (lp_string_to_int64(p, n, &v) == 0 &&
            (elen = encode_int(v, enc)) > 0) {
            rdbw_raw(w, enc, elen);
            return;
        }
    }
    if (w->compress && n > 20 && try_lzf(w, p, n)) {
        return;
    }
    rdbw_len(w, n);
    rdbw_raw(w, p, n);
}

void rdbw_ll_string(rdb_writer *w, long long v)
{
    unsigned char enc[5];
    size_t elen = encode_int(v, enc);

    if (elen > 0) {
        rdbw_raw(w, enc, elen);
        return;
    }
    char buf[LONG_STR_SIZE];
    int n = util_ll2str(buf, sizeof(buf), v);
    rdbw_len(w, (uint64_t)n);
    rdbw_raw(w, buf, (size_t)n);
}

void rdbw_ms(rdb_writer *w, long long ms)
{
    unsigned char b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(((uint64_t)ms >> (8 * i)) & 0xff);
    }
    rdbw_raw(w, b, 8);
}

static void write_double(rdb_writer *w, double d)
{
    uint64_t u;
    unsigned char b[8];

    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(u >> (8 * i));
    }
    rdbw_raw(w, b, 8);
}

static void write_string_obj(rdb_writer *w, const obj *o)
{
    if (o->enc == ENC_INT) {
        rdbw_ll_string(w, (long long)(intptr_t)o->ptr);
        return;
    }
    rdbw_string(w, o->ptr, str_len(o->ptr));
}

/* ---- values ---- */

int rdbw_object_type(const obj *o)
{
    switch (o->type) {
    case OBJ_STRING: return RDB_TYPE_STRING;
    case OBJ_LIST: return RDB_TYPE_LIST_QUICKLIST_2;
    case OBJ_SET:
        return o->enc == ENC_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case OBJ_ZSET:
        return o->enc == ENC_LISTPACK ? RDB_TYPE_ZSET_LISTPACK
                                      : RDB_TYPE_ZSET_2;
    case OBJ_HASH:
        return o->enc == ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    case OBJ_STREAM: return RDB_TYPE_STREAM_LISTPACKS_2;
    default: return -1;
    }
}

/* A compressed quicklist node: Redis writes its node's LZF bytes as they
 * are. Ours came from another compressor, so compress the node again the
 * way Redis's quicklist would have (kept only when it saves 8 bytes or
 * more), which gives the same bytes Redis writes. */
static void write_ql_compressed(rdb_writer *w, const unsigned char *data,
                                size_t clen, size_t sz)
{
    unsigned char *raw = mem_try_alloc(sz ? sz : 1);
    unsigned char *out = mem_try_alloc(sz ? sz : 1);

    if (raw == NULL || out == NULL ||
        lzf_decompress(data, clen, raw, sz) != sz) {
        /* Can't redo it: the node's own bytes are valid LZF too. */
        mem_free(raw);
        mem_free(out);
        write_lzf_blob(w, data, clen, sz);
        return;
    }
    if (w->lzf == NULL) {
        w->lzf = rdb_lzf_create();
    }
    size_t n = rdb_lzf_compress(w->lzf, raw, sz, out, sz);
    if (n == 0 || n + 8 >= sz) {
        rdbw_string(w, raw, sz);
    } else {
        write_lzf_blob(w, out, n, sz);
    }
    mem_free(raw);
    mem_free(out);
}

static void write_list(rdb_writer *w, const obj *o)
{
    const ql *q = o->ptr;

    rdbw_len(w, q->len);
    for (const ql_node *n = q->head; n != NULL; n = n->next) {
        size_t len;
        int compressed;
        const unsigned char *data = ql_node_data(n, &len, &compressed);
        rdbw_len(w, n->container);
        if (compressed) {
            write_ql_compressed(w, data, len, n->sz);
        } else {
            rdbw_string(w, data, len);
        }
    }
}

static void write_set(rdb_writer *w, const obj *o)
{
    if (o->enc == ENC_INTSET) {
        rdbw_string(w, o->ptr, intset_blob_len(o->ptr));
        return;
    }
    dict_iter it;
    dict_entry *de;
    rdbw_len(w, dict_size(o->ptr));
    dict_iter_init(&it, o->ptr);
    while ((de = dict_iter_next(&it)) != NULL) {
        rdbw_string(w, de->key, de->klen);
    }
    dict_iter_deinit(&it);
}

static void write_zset(rdb_writer *w, const obj *o)
{
    if (o->enc == ENC_LISTPACK) {
        rdbw_string(w, o->ptr, lp_bytes(o->ptr));
        return;
    }
    const zset *zs = o->ptr;
    /* Tail to head, so that loading inserts each element at the head. */
    rdbw_len(w, zsl_length(zs->zsl));
    for (zsl_node *n = zsl_last(zs->zsl); n != NULL; n = n->backward) {
        rdbw_string(w, n->ele, str_len(n->ele));
        write_double(w, n->score);
    }
}

static void write_hash(rdb_writer *w, const obj *o)
{
    if (o->enc == ENC_LISTPACK) {
        rdbw_string(w, o->ptr, lp_bytes(o->ptr));
        return;
    }
    dict_iter it;
    dict_entry *de;
    rdbw_len(w, dict_size(o->ptr));
    dict_iter_init(&it, o->ptr);
    while ((de = dict_iter_next(&it)) != NULL) {
        char buf[16];
        size_t vn;
        const char *v = hash_ht_value(de, buf, &vn);
        rdbw_string(w, de->key, de->klen);
        rdbw_string(w, v, vn);
    }
    dict_iter_deinit(&it);
}

static void write_raw_id(rdb_writer *w, const stream_id *id)
{
    unsigned char b[16];

    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
    rdbw_raw(w, b, 16);
}

static void write_stream(rdb_writer *w, const obj *o)
{
    const stream *s = o->ptr;
    stree_iter it;

    rdbw_len(w, stree_size(s->nodes));
    for (int ok = stree_first(s->nodes, &it); ok; ok = stree_next(&it)) {
        unsigned char key[16];
        const stream_id *id = stree_iter_key(&it);
        const unsigned char *lp = stree_iter_val(&it);
        for (int i = 0; i < 8; i++) {
            key[i] = (unsigned char)(id->ms >> (56 - 8 * i));
            key[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
        }
        rdbw_string(w, key, 16);
        rdbw_string(w, lp, lp_bytes(lp));
    }
    rdbw_len(w, s->length);
    rdbw_len(w, s->last_id.ms);
    rdbw_len(w, s->last_id.seq);
    rdbw_len(w, s->first_id.ms);
    rdbw_len(w, s->first_id.seq);
    rdbw_len(w, s->max_deleted_id.ms);
    rdbw_len(w, s->max_deleted_id.seq);
    rdbw_len(w, s->entries_added);
    rdbw_len(w, s->ngroups);
    for (uint32_t g = 0; g < s->ngroups; g++) {
        const stream_cg *cg = s->groups[g];
        rdbw_string(w, cg->name, cg->namelen);
        rdbw_len(w, cg->last_id.ms);
        rdbw_len(w, cg->last_id.seq);
        rdbw_len(w, (uint64_t)cg->entries_read);
        rdbw_len(w, stree_size(cg->pel));
        for (int ok = stree_first(cg->pel, &it); ok; ok = stree_next(&it)) {
            const stream_nack *nack = stree_iter_val(&it);
            write_raw_id(w, stree_iter_key(&it));
            rdbw_ms(w, nack->delivery_time);
            rdbw_len(w, nack->delivery_count);
        }
        rdbw_len(w, cg->nconsumers);
        for (uint32_t c = 0; c < cg->nconsumers; c++) {
            const stream_consumer *sc = cg->consumers[c];
            rdbw_string(w, sc->name, sc->namelen);
            rdbw_ms(w, sc->seen_time);
            rdbw_len(w, stree_size(sc->pel));
            for (int ok = stree_first(sc->pel, &it); ok; ok = stree_next(&it)) {
                write_raw_id(w, stree_iter_key(&it));
            }
        }
    }
}

void rdbw_object(rdb_writer *w, const obj *o)
{
    switch (o->type) {
    case OBJ_STRING: write_string_obj(w, o); break;
    case OBJ_LIST: write_list(w, o); break;
    case OBJ_SET: write_set(w, o); break;
    case OBJ_ZSET: write_zset(w, o); break;
    case OBJ_HASH: write_hash(w, o); break;
    case OBJ_STREAM: write_stream(w, o); break;
    default: break;
    }
}

/* ---- DUMP ---- */

str rdb_dump_value(const obj *o)
{
    return rdb_dump_value_ex(o, 1);
}

str rdb_dump_value_ex(const obj *o, int compress)
{
    rdb_writer *w = mem_alloc(sizeof(*w));
    unsigned char footer[10];

    memset(w, 0, offsetof(rdb_writer, buf));
    w->fd = -1;
    w->mem = str_empty();
    w->compress = compress;
    rdbw_type(w, rdbw_object_type(o));
    rdbw_object(w, o);
    footer[0] = RDB_VERSION & 0xff;
    footer[1] = (RDB_VERSION >> 8) & 0xff;
    str out = str_cat(w->mem, footer, 2);
    uint64_t crc = crc64(0, out, str_len(out));
    for (int i = 0; i < 8; i++) {
        footer[i] = (unsigned char)(crc >> (8 * i));
    }
    out = str_cat(out, footer, 8);
    rdb_lzf_destroy(w->lzf);
    mem_free(w);
    return out;
}

int rdb_verify_dump_payload(const char *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;

    if (n < 10) {
        return -1;
    }
    unsigned ver = b[n - 10] | ((unsigned)b[n - 9] << 8);
    if (ver > RDB_VERSION) {
        return -1;
    }
    uint64_t crc = crc64(0, p, n - 8), stored = 0;
    for (int i = 0; i < 8; i++) {
        stored |= (uint64_t)b[n - 8 + i] << (8 * i);
    }
    return crc == stored ? 0 : -1;
}

/* ---- whole snapshots ---- */

static void write_aux(rdb_writer *w, const char *key, const char *val)
{
    rdbw_type(w, RDB_OPCODE_AUX);
    rdbw_string(w, key, strlen(key));
    rdbw_string(w, val, strlen(val));
}

static void write_aux_ll(rdb_writer *w, const char *key, long long v)
{
    char buf[LONG_STR_SIZE];

    util_ll2str(buf, sizeof(buf), v);
    write_aux(w, key, buf);
}

static void write_function(void *priv, const char *code, size_t len)
{
    rdb_writer *w = priv;

    rdbw_type(w, RDB_OPCODE_FUNCTION2);
    rdbw_string(w, code, len);
}

/* LRU idle seconds / LFU counter of o, by the policy, before its type. */
static void write_lru_info(rdb_writer *w, const server *srv, const obj *o)
{
    int policy = srv->cfg.maxmemory_policy;

    if (rdb_policy_lru(policy)) {
        unsigned long long now = srv->lru_clock, idle;
        idle = now >= o->lru ? now - o->lru : now + (LRU_CLOCK_MAX - o->lru);
        rdbw_type(w, RDB_OPCODE_IDLE);
        rdbw_len(w, idle * LRU_CLOCK_RESOLUTION / 1000);
    } else if (rdb_policy_lfu(policy)) {
        unsigned long last = o->lru >> 8, counter = o->lru & 255;
        unsigned long nowm = (unsigned long)(srv->mstime / 1000 / 60) & 65535;
        unsigned long elapsed =
            nowm >= last ? nowm - last : 65535 - last + nowm;
        if (srv->cfg.lfu_decay_time > 0) {
            unsigned long periods =
                elapsed / (unsigned long)srv->cfg.lfu_decay_time;
            counter = periods > counter ? 0 : counter - periods;
        }
        unsigned char b = (unsigned char)counter;
        rdbw_type(w, RDB_OPCODE_FREQ);
        rdbw_raw(w, &b, 1);
    }
}

static int write_db(rdb_writer *w, server *srv, db *d, long long *keys)
{
    if (db_size(d) == 0) {
        return 0;
    }
    rdbw_type(w, RDB_OPCODE_SELECTDB);
    rdbw_len(w, (uint64_t)d->id);
    rdbw_type(w, RDB_OPCODE_RESIZEDB);
    rdbw_len(w, db_size(d));
    rdbw_len(w, db_expires_size(d));
    for (unsigned slot = 0; slot < SLOT_COUNT; slot++) {
        dict *sd = d->slots[slot];
        dict_iter it;
        dict_entry *de;
        if (sd == NULL || dict_size(sd) == 0) {
            continue;
        }
        dict_iter_init(&it, sd);
        while ((de = dict_iter_next(&it)) != NULL) {
            const obj *o = de->v.ptr;
            /* The walk is bound by cache misses: start loading the next
             * entry while this one is written. */
            if (it.next != NULL) {
                __builtin_prefetch(it.next);
            }
            int type = rdbw_object_type(o);
            if (type < 0) {
                continue;
            }
            long long when = db_get_expire(d, de->key, de->klen);
            if (when != -1) {
                rdbw_type(w, RDB_OPCODE_EXPIRETIME_MS);
                rdbw_ms(w, when);
            }
            write_lru_info(w, srv, o);
            rdbw_type(w, type);
            rdbw_string(w, de->key, de->klen);
            rdbw_object(w, o);
            (*keys)++;
            if (srv->cfg.rdb_key_save_delay > 0) {
                usleep((useconds_t)srv->cfg.rdb_key_save_delay);
            }
            if ((*keys & 1023) == 0) {
                child_report(srv, (size_t)*keys, 0);
            }
        }
        dict_iter_deinit(&it);
        if (w->failed) {
            return -1;
        }
    }
    return 0;
}

int rdb_save_fd(server *srv, int fd, str *err)
{
    rdb_writer *w = mem_alloc(sizeof(*w));
    char magic[16];
    long long keys = 0;

    memset(w, 0, offsetof(rdb_writer, buf));
    w->fd = fd;
    w->checksum = srv->cfg.rdbchecksum;
    w->compress = srv->cfg.rdbcompression;
    snprintf(magic, sizeof(magic), "REDIS%04d", RDB_VERSION);
    rdbw_raw(w, magic, 9);
    write_aux(w, "redis-ver", SHOAL_VERSION);
    write_aux_ll(w, "redis-bits", sizeof(void *) * 8);
    write_aux_ll(w, "ctime", (long long)time(NULL));
    write_aux_ll(w, "used-mem", (long long)mem_used());
    /* 1 in an AOF base file: the rewrite child writes those. */
    write_aux_ll(w, "aof-base",
                 child_in_child(srv) && srv->child_type == CHILD_AOF);
    functions_foreach_code(srv, write_function, w);
    for (int i = 0; i < srv->dbnum && !w->failed; i++) {
        write_db(w, srv, &srv->dbs[i], &keys);
    }
    rdbw_type(w, RDB_OPCODE_EOF);
    uint64_t crc = w->checksum ? w->crc : 0;
    unsigned char b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(crc >> (8 * i));
    }
    rdbw_raw(w, b, 8);
    rdbw_flush(w);
    if (child_in_child(srv)) {
        /* for the child's final report */
        srv->stat_current_save_keys_processed = keys;
    }
    int rc = 0;
    if (w->failed) {
        *err = str_catfmt(str_empty(), "Write error saving DB on disk: %s",
                          strerror(w->saved_errno));
        rc = -1;
    }
    rdb_lzf_destroy(w->lzf);
    mem_free(w);
    return rc;
}

int rdb_save_file(server *srv, const char *path, str *err)
{
    char tmp[4200], dirbuf[4096];
    int fd;

    /* The temp file lives beside the target so rename() is atomic. */
    snprintf(dirbuf, sizeof(dirbuf), "%s", path);
    char *slash = strrchr(dirbuf, '/');
    if (slash == dirbuf) {
        snprintf(dirbuf, sizeof(dirbuf), "/");
    } else if (slash != NULL) {
        *slash = '\0';
    } else {
        snprintf(dirbuf, sizeof(dirbuf), ".");
    }
    snprintf(tmp, sizeof(tmp), "%.4000s/temp-%d.rdb", dirbuf, (int)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        char cwd[1024];
        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            snprintf(cwd, sizeof(cwd), "unknown");
        }
        *err = str_catfmt(str_empty(),
                          "Failed opening the temp RDB file %s (in server "
                          "root dir %s) for saving: %s",
                          tmp, cwd, strerror(errno));
        return -1;
    }
    if (rdb_save_fd(srv, fd, err) != 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (fsync(fd) != 0) {
        *err = str_catfmt(str_empty(), "fsync() failed saving DB: %s",
                          strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        *err = str_catfmt(str_empty(),
                          "Error moving temp DB file %s on the final "
                          "destination %s: %s",
                          tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    int dfd = open(dirbuf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0) {
            log_warn("fsync() failed on directory %s: %s", dirbuf,
                     strerror(errno));
        }
        close(dfd);
    }
    return 0;
}

/* ---- SAVE, BGSAVE, save points ---- */

/* The RDB file's path: dbfilename, relative to dir, which config.c made
 * the working directory (as Redis does). */
static const char *rdb_path(const server *srv, char *buf, size_t size)
{
    snprintf(buf, size, "%s", srv->cfg.dbfilename);
    return buf;
}

int rdb_save_sync(server *srv)
{
    char path[4096];
    str err = NULL;

    rdb_path(srv, path, sizeof(path));
    if (rdb_save_file(srv, path, &err) != 0) {
        log_warn("%s", err);
        str_free(err);
        return -1;
    }
    log_notice("DB saved on disk");
    srv->dirty = 0;
    srv->lastsave = time(NULL);
    srv->rdb_bgsave_ok = 1;
    return 0;
}

int rdb_save_now(server *srv)
{
    if (rdb_save_sync(srv) != 0) {
        return -1;
    }
    srv->stat_rdb_saves++;
    return 0;
}

static int bgsave_work(server *srv, void *priv)
{
    char path[4096];
    str err = NULL;

    (void)priv;
    rdb_path(srv, path, sizeof(path));
    if (rdb_save_file(srv, path, &err) != 0) {
        log_warn("%s", err);
        str_free(err);
        return 1;
    }
    log_notice("DB saved on disk");
    return 0;
}

static void bgsave_done(server *srv, int ok, int exitcode, int bysignal,
                        void *priv)
{
    (void)priv;
    long long now = time(NULL);

    if (ok) {
        log_notice("Background saving terminated with success");
        srv->dirty -= srv->rdb_dirty_before_bgsave;
        if (srv->dirty < 0) {
            srv->dirty = 0;
        }
        srv->lastsave = now;
        srv->rdb_bgsave_ok = 1;
    } else if (bysignal == 0) {
        log_warn("Background saving error (exit code %d)", exitcode);
        srv->rdb_bgsave_ok = 0;
    } else {
        log_warn("Background saving terminated by signal %d", bysignal);
        /* A killed child leaves its temp file behind. */
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)srv->child_last_pid);
        unlink(tmp);
        /* A kill we asked for (SIGUSR1) is not an error. */
        if (bysignal != SIGUSR1) {
            srv->rdb_bgsave_ok = 0;
        }
    }
    srv->rdb_save_time_last = now - srv->rdb_save_time_start;
    srv->rdb_save_time_start = -1;
}

int rdb_bgsave_start(server *srv)
{
    if (child_type_active(srv) != CHILD_NONE) {
        errno = EBUSY;
        return -1;
    }
    srv->rdb_dirty_before_bgsave = srv->dirty;
    srv->rdb_last_bgsave_try = time(NULL);
    long long total = 0;
    for (int i = 0; i < srv->dbnum; i++) {
        total += (long long)db_size(&srv->dbs[i]);
    }
    if (child_start(srv, CHILD_RDB, bgsave_work, bgsave_done, NULL) != 0) {
        if (errno != EAGAIN) {
            srv->rdb_bgsave_ok = 0;
        }
        return -1;
    }
    srv->stat_current_save_keys_total = total;
    srv->rdb_save_time_start = time(NULL);
    srv->stat_rdb_saves++;
    srv->rdb_bgsave_scheduled = 0;
    log_notice("Background saving started by pid %d", (int)srv->child_pid);
    return 0;
}

/* Parse cfg.save again when it changed. */
static void refresh_save_points(server *srv)
{
    if (srv->rdb_save_parsed_from != NULL &&
        strcmp(srv->rdb_save_parsed_from, srv->cfg.save) == 0) {
        return;
    }
    if (srv->rdb_save_parsed_from != NULL) {
        str_free(srv->rdb_save_parsed_from);
    }
    srv->rdb_save_parsed_from = str_dup(srv->cfg.save);
    mem_free(srv->rdb_save_points);
    srv->rdb_save_points = NULL;
    srv->rdb_save_npoints = 0;
    const char *p = srv->cfg.save;
    long long a, b;
    int used;
    while (sscanf(p, "%lld %lld%n", &a, &b, &used) == 2) {
        srv->rdb_save_points = mem_realloc(
            srv->rdb_save_points, sizeof(*srv->rdb_save_points) *
                                      (size_t)(srv->rdb_save_npoints + 1));
        srv->rdb_save_points[srv->rdb_save_npoints].seconds = a;
        srv->rdb_save_points[srv->rdb_save_npoints].changes = b;
        srv->rdb_save_npoints++;
        p += used;
    }
}

int rdb_writes_refused(const server *srv)
{
    return srv->cfg.stop_writes_on_bgsave_error && !srv->rdb_bgsave_ok &&
           srv->cfg.save != NULL && str_len(srv->cfg.save) > 0;
}

void rdb_cron(server *srv)
{
    child_cron(srv);
    if (child_type_active(srv) != CHILD_NONE) {
        return;
    }
    long long now = time(NULL);
    if (srv->rdb_bgsave_scheduled) {
        if (rdb_bgsave_start(srv) != 0 && errno != EAGAIN) {
            srv->rdb_bgsave_scheduled = 0;
        }
        return;
    }
    refresh_save_points(srv);
    for (int i = 0; i < srv->rdb_save_npoints; i++) {
        const struct rdb_save_point *sp = &srv->rdb_save_points[i];
        /* After a failed BGSAVE wait 5 seconds before trying again. */
        if (srv->dirty >= sp->changes && now - srv->lastsave > sp->seconds &&
            (srv->rdb_bgsave_ok || now - srv->rdb_last_bgsave_try > 5)) {
            log_notice("%lld changes in %lld seconds. Saving...", sp->changes,
                       sp->seconds);
            if (rdb_bgsave_start(srv) != 0 && errno == EAGAIN) {
                srv->rdb_bgsave_scheduled = 1;
                log_notice("Background saving waits for the fork gate");
            }
            break;
        }
    }
}

void rdb_teardown(server *srv)
{
    if (srv->rdb_save_parsed_from != NULL) {
        str_free(srv->rdb_save_parsed_from);
        srv->rdb_save_parsed_from = NULL;
    }
    mem_free(srv->rdb_save_points);
    srv->rdb_save_points = NULL;
    srv->rdb_save_npoints = 0;
}

int rdb_shutdown_save(server *srv, int save, int nosave, int force)
{
    if (child_type_active(srv) == CHILD_RDB) {
        log_warn("There is a child saving an .rdb. Killing it!");
        child_kill(srv);
    }
    int want = save ||
               (!nosave && srv->cfg.save != NULL && str_len(srv->cfg.save) > 0);
    if (!want) {
        return 0;
    }
    log_notice("Saving the final RDB snapshot before exiting.");
    if (rdb_save_now(srv) != 0) {
        if (force) {
            log_warn("Error trying to save the DB, exit anyway.");
            return 0;
        }
        log_warn("Error trying to save the DB, can't exit.");
        return -1;
    }
    return 0;
}

int rdb_debug_reload(server *srv, int save, int flush, int merge)
{
    char path[4096];
    str err = NULL;

    if (save && rdb_save_now(srv) != 0) {
        return -1;
    }
    if (flush) {
        for (int i = 0; i < srv->dbnum; i++) {
            db_empty(&srv->dbs[i]);
        }
        functions_flush(srv);
    }
    rdb_path(srv, path, sizeof(path));
    if (rdb_load_file_ex(srv, path, merge, &err) != 0) {
        log_warn("Error trying to load the RDB dump: %s", err);
        str_free(err);
        return -2;
    }
    log_warn("DB reloaded by DEBUG RELOAD");
    return 0;
}
