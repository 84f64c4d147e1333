/* keys: the commands that work on keys whatever their type (DEL, EXISTS,
 * RENAME, COPY, MOVE, KEYS, SCAN, SELECT, SWAPDB, FLUSH*, OBJECT...), with
 * Redis 7.0's replies and error texts. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "child.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "mem.h"
#include "notify.h"
#include "propagate.h"
#include "rdb.h"
#include "reply.h"
#include "scan.h"
#include "tracking.h"
#include "types.h"
#include "util.h"

#define ERR_SAME_OBJECT "source and destination objects are the same"

static int arg_eq(const arg *a, const arg *b)
{
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Case-insensitive comparison of an argument with a keyword. */
static int arg_is(const arg *a, const char *word)
{
    size_t n = strlen(word);

    return a->n == n && strncasecmp(a->p, word, n) == 0;
}

/* Redis's getIntFromObjectOrReply: a strict integer that fits an int.
 * With msg NULL the generic texts are used. Returns 0, or -1 after an
 * error reply. */
static int get_int_or_reply(client *c, const arg *a, int *out, const char *msg)
{
    long long v;

    if (util_str2ll(a->p, a->n, &v) != 0) {
        reply_error(c, msg != NULL ? msg : ERR_NOT_INT);
        return -1;
    }
    if (v < INT_MIN || v > INT_MAX) {
        if (msg != NULL) {
            reply_error(c, msg);
        } else {
            reply_errorf(c,
                         "value is out of range, value must between %d "
                         "and %d",
                         INT_MIN, INT_MAX);
        }
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* The database with index id, or NULL if out of range. */
static db *db_by_index(server *srv, int id)
{
    if (id < 0 || id >= srv->dbnum) {
        return NULL;
    }
    return &srv->dbs[id];
}

/* Redis's lookupKeyWrite on any database: expire, find, touch. */
static obj *lookup_write_in(server *srv, db *d, const arg *key)
{
    db_expire_if_needed(srv, d, key->p, key->n);
    obj *o = db_find(d, key->p, key->n);
    if (o != NULL && o->refcount != OBJ_SHARED_REFCOUNT) {
        o->lru = srv->lru_clock;
    }
    return o;
}

/* A private copy of a value for COPY: NULL for types that can't be copied
 * yet. Each new type adds its case here. */
static obj *dup_value(const obj *o)
{
    return type_dup_value(o);
}

/* ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ---- */

static void del_generic(client *c)
{
    server *srv = c->srv;
    long long deleted = 0;

    for (int i = 1; i < c->argc; i++) {
        const arg *k = &c->argv[i];
        /* A key that just expired counts as expired, not as deleted. */
        db_expire_if_needed(srv, c->db, k->p, k->n);
        if (db_delete(c->db, k->p, k->n)) {
            db_signal_modified(c, c->db, k->p, k->n);
            notify_key(c, NOTIFY_GENERIC, "del", k);
            srv->dirty++;
            deleted++;
        }
    }
    reply_ll(c, deleted);
}

void cmd_del(client *c)
{
    del_generic(c);
}

/* Values are freed at once: nothing in the keyspace is big enough yet to
 * be worth a background thread. */
void cmd_unlink(client *c)
{
    del_generic(c);
}

void cmd_exists(client *c)
{
    long long count = 0;

    for (int i = 1; i < c->argc; i++) {
        if (db_lookup_read_notouch(c, &c->argv[i]) != NULL) {
            count++;
        }
    }
    reply_ll(c, count);
}

void cmd_touch(client *c)
{
    long long count = 0;

    for (int i = 1; i < c->argc; i++) {
        if (db_lookup_read(c, &c->argv[i]) != NULL) {
            count++;
        }
    }
    reply_ll(c, count);
}

static const char *type_name(const obj *o)
{
    return o != NULL ? obj_type_name(o->type) : "none";
}

void cmd_type(client *c)
{
    reply_status(c, type_name(db_lookup_read_notouch(c, &c->argv[1])));
}

/* ---- RENAME, RENAMENX, MOVE, COPY ---- */

static void rename_generic(client *c, int nx)
{
    const arg *src = &c->argv[1], *dst = &c->argv[2];
    db *d = c->db;

    if (db_lookup_write(c, src) == NULL) {
        reply_error(c, ERR_NO_KEY);
        return;
    }
    if (arg_eq(src, dst)) {
        if (nx) {
            reply_ll(c, 0);
        } else {
            reply_ok(c);
        }
        return;
    }
    long long when = db_get_expire(d, src->p, src->n);
    if (db_lookup_write(c, dst) != NULL) {
        if (nx) {
            reply_ll(c, 0);
            return;
        }
        db_delete(d, dst->p, dst->n);
    }
    /* The value object itself moves: refcount, LRU and encoding stay. */
    obj *val = db_unlink_value(d, src->p, src->n);
    db_add(d, dst->p, dst->n, val);
    if (when != -1) {
        db_set_expire(d, dst->p, dst->n, when);
    }
    db_signal_modified(c, d, src->p, src->n);
    db_signal_modified(c, d, dst->p, dst->n);
    notify_key(c, NOTIFY_GENERIC, "rename_from", src);
    notify_key(c, NOTIFY_GENERIC, "rename_to", dst);
    c->srv->dirty++;
    if (nx) {
        reply_ll(c, 1);
    } else {
        reply_ok(c);
    }
}

void cmd_rename(client *c)
{
    rename_generic(c, 0);
}

void cmd_renamenx(client *c)
{
    rename_generic(c, 1);
}

void cmd_move(client *c)
{
    server *srv = c->srv;
    const arg *key = &c->argv[1];
    db *src = c->db;
    int id;

    if (srv->cfg.cluster_enabled) {
        reply_error(c, "MOVE is not allowed in cluster mode");
        return;
    }
    if (get_int_or_reply(c, &c->argv[2], &id, NULL) != 0) {
        return;
    }
    db *dst = db_by_index(srv, id);
    if (dst == NULL) {
        reply_error(c, ERR_DB_RANGE);
        return;
    }
    if (dst == src) {
        reply_error(c, ERR_SAME_OBJECT);
        return;
    }
    if (db_lookup_write(c, key) == NULL) {
        reply_ll(c, 0);
        return;
    }
    long long when = db_get_expire(src, key->p, key->n);
    if (lookup_write_in(srv, dst, key) != NULL) {
        reply_ll(c, 0);
        return;
    }
    obj *val = db_unlink_value(src, key->p, key->n);
    db_add(dst, key->p, key->n, val);
    if (when != -1) {
        db_set_expire(dst, key->p, key->n, when);
    }
    db_signal_modified(c, src, key->p, key->n);
    db_signal_modified(c, dst, key->p, key->n);
    notify_keyspace_event(srv, NOTIFY_GENERIC, "move_from", key->p, key->n,
                          src->id);
    notify_keyspace_event(srv, NOTIFY_GENERIC, "move_to", key->p, key->n,
                          dst->id);
    srv->dirty++;
    reply_ll(c, 1);
}

void cmd_copy(client *c)
{
    server *srv = c->srv;
    const arg *key = &c->argv[1], *newkey = &c->argv[2];
    db *src = c->db, *dst = c->db;
    int replace = 0;

    for (int i = 3; i < c->argc; i++) {
        int more = c->argc - i - 1;
        if (arg_is(&c->argv[i], "replace")) {
            replace = 1;
        } else if (arg_is(&c->argv[i], "db") && more >= 1) {
            int id;
            if (get_int_or_reply(c, &c->argv[i + 1], &id, NULL) != 0) {
                return;
            }
            dst = db_by_index(srv, id);
            if (dst == NULL) {
                reply_error(c, ERR_DB_RANGE);
                return;
            }
            i++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (srv->cfg.cluster_enabled && (src->id != 0 || dst->id != 0)) {
        reply_error(c, "Copying to another database is not allowed in "
                       "cluster mode");
        return;
    }
    if (src == dst && arg_eq(key, newkey)) {
        reply_error(c, ERR_SAME_OBJECT);
        return;
    }
    obj *o = db_lookup_read(c, key);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    long long when = db_get_expire(src, key->p, key->n);
    int existed = lookup_write_in(srv, dst, newkey) != NULL;
    if (existed && !replace) {
        reply_ll(c, 0);
        return;
    }
    obj *copy = dup_value(o);
    if (copy == NULL) {
        reply_error(c, "Copying this type of value is not supported yet");
        return;
    }
    if (existed) {
        db_delete(dst, newkey->p, newkey->n);
    }
    db_add(dst, newkey->p, newkey->n, copy);
    if (when != -1) {
        db_set_expire(dst, newkey->p, newkey->n, when);
    }
    db_signal_modified(c, dst, newkey->p, newkey->n);
    notify_keyspace_event(srv, NOTIFY_GENERIC, "copy_to", newkey->p,
                          newkey->n, dst->id);
    srv->dirty++;
    reply_ll(c, 1);
}

/* ---- KEYS, SCAN, RANDOMKEY, DBSIZE ---- */

void cmd_keys(client *c)
{
    server *srv = c->srv;
    db *d = c->db;
    const arg *pat = &c->argv[1];
    int all = pat->n == 1 && pat->p[0] == '*';
    void *len = reply_defer_len(c);
    long n = 0;

    for (unsigned s = 0; s < SLOT_COUNT; s++) {
        dict *t = db_slot_dict(d, s);
        if (t == NULL || dict_size(t) == 0) {
            continue;
        }
        dict_iter it;
        dict_entry *de;
        dict_iter_init(&it, t);
        while ((de = dict_iter_next(&it)) != NULL) {
            if (!all &&
                !util_glob_match(pat->p, pat->n, de->key, de->klen, 0)) {
                continue;
            }
            /* Expired keys are hidden but, as in Redis, left for the
             * expiry cycle: KEYS doesn't write. */
            long long when = db_get_expire(d, de->key, de->klen);
            if (when >= 0 && when <= srv->mstime) {
                continue;
            }
            reply_bulk(c, de->key, de->klen);
            n++;
        }
        dict_iter_deinit(&it);
    }
    reply_set_deferred_array(c, len, n);
}

typedef struct key_list {
    str *keys;
    size_t n;
    size_t cap;
} key_list;

static void collect_key(void *priv, const dict_entry *de)
{
    key_list *l = priv;

    if (l->n == l->cap) {
        l->cap = l->cap == 0 ? 16 : l->cap * 2;
        l->keys = mem_realloc(l->keys, l->cap * sizeof(str));
    }
    l->keys[l->n++] = str_new(de->key, de->klen);
}

/* Whether key is filtered out by SCAN's TYPE option. Like Redis this is a
 * read lookup (stats counted, an expired key deleted and so seen as
 * "none"); the name is compared as a C string, case-insensitively. */
static int type_mismatch(client *c, const str key, const arg *type)
{
    arg k = {key, str_len(key)};
    const char *name = type_name(db_lookup_read_notouch(c, &k));
    size_t n = strnlen(type->p, type->n);

    return strlen(name) != n || strncasecmp(name, type->p, n) != 0;
}

void cmd_scan(client *c)
{
    unsigned long long cursor;
    scan_opts opts;

    if (scan_parse_cursor(c, &c->argv[1], &cursor) != 0 ||
        scan_parse_options(c, 2, 1, &opts) != 0) {
        return;
    }
    long long count = opts.count;
    const arg *pat = opts.pattern, *type = opts.type;

    /* db_scan bounds its work by 10 * count: keep that product in range
     * (any count this large means "everything" anyway). */
    if (count > LONG_MAX / 10) {
        count = LONG_MAX / 10;
    }
    key_list l = {NULL, 0, 0};
    cursor = db_scan(c->db, cursor, (long)count, collect_key, &l);

    /* Filter after collecting, as Redis does: COUNT bounds the work, not
     * the number of keys returned. */
    size_t kept = 0;
    for (size_t i = 0; i < l.n; i++) {
        str k = l.keys[i];
        int drop =
            pat != NULL && !util_glob_match(pat->p, pat->n, k, str_len(k), 0);
        if (!drop && type != NULL) {
            drop = type_mismatch(c, k, type);
        }
        if (!drop) {
            drop = db_expire_if_needed(c->srv, c->db, k, str_len(k));
        }
        if (drop) {
            str_free(k);
        } else {
            l.keys[kept++] = k;
        }
    }

    char buf[LONG_STR_SIZE];
    int blen = util_ull2str(buf, sizeof(buf), cursor);
    reply_array_len(c, 2);
    reply_bulk(c, buf, (size_t)blen);
    reply_array_len(c, (long)kept);
    for (size_t i = 0; i < kept; i++) {
        reply_bulk(c, l.keys[i], str_len(l.keys[i]));
        str_free(l.keys[i]);
    }
    mem_free(l.keys);
}

void cmd_randomkey(client *c)
{
    str key = db_random_key(c->srv, c->db);

    if (key == NULL) {
        reply_null(c);
        return;
    }
    reply_bulk(c, key, str_len(key));
    str_free(key);
}

void cmd_dbsize(client *c)
{
    reply_ll(c, (long long)db_size(c->db));
}

/* ---- FLUSHDB, FLUSHALL, SELECT, SWAPDB ---- */

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]. Both modes free at once for now; the
 * reply is the same. Returns 0, or -1 after an error reply. */
static int flush_args_ok(client *c)
{
    if (c->argc == 1 || (c->argc == 2 && (arg_is(&c->argv[1], "sync") ||
                                          arg_is(&c->argv[1], "async")))) {
        return 0;
    }
    reply_error(c, ERR_SYNTAX);
    return -1;
}

void cmd_flushdb(client *c)
{
    if (flush_args_ok(c) != 0) {
        return;
    }
    tracking_invalidate_all(c->srv); /* any db: every client, as Redis */
    c->srv->dirty += (long long)db_empty(c->db);
    propagate_force(c); /* even when empty, as Redis */
    reply_ok(c);
}

void cmd_flushall(client *c)
{
    server *srv = c->srv;

    if (flush_args_ok(c) != 0) {
        return;
    }
    tracking_invalidate_all(srv);
    for (int i = 0; i < srv->dbnum; i++) {
        srv->dirty += (long long)db_empty(&srv->dbs[i]);
    }
    /* As Redis: a snapshot in progress is of data that is gone; with save
     * points the empty dataset is saved at once (the AOF and replicas
     * still get the FLUSHALL: it is propagated by force). */
    if (child_type_active(srv) == CHILD_RDB) {
        child_kill(srv);
    }
    if (srv->cfg.save != NULL && str_len(srv->cfg.save) > 0) {
        rdb_save_sync(srv);
    }
    propagate_force(c); /* even when empty, as Redis */
    reply_ok(c);
}

void cmd_select(client *c)
{
    int id;

    if (get_int_or_reply(c, &c->argv[1], &id, NULL) != 0) {
        return;
    }
    if (c->srv->cfg.cluster_enabled && id != 0) {
        reply_error(c, "SELECT is not allowed in cluster mode");
        return;
    }
    db *d = db_by_index(c->srv, id);
    if (d == NULL) {
        reply_error(c, ERR_DB_RANGE);
        return;
    }
    c->db = d;
    reply_ok(c);
}

void cmd_swapdb(client *c)
{
    server *srv = c->srv;
    int a, b;

    if (srv->cfg.cluster_enabled) {
        reply_error(c, "SWAPDB is not allowed in cluster mode");
        return;
    }
    if (get_int_or_reply(c, &c->argv[1], &a, "invalid first DB index") != 0 ||
        get_int_or_reply(c, &c->argv[2], &b, "invalid second DB index") != 0) {
        return;
    }
    db *da = db_by_index(srv, a), *dbb = db_by_index(srv, b);
    if (da == NULL || dbb == NULL) {
        reply_error(c, ERR_DB_RANGE);
        return;
    }
    /* Clients keep their db pointer, so they see the other contents. */
    if (da != dbb) {
        db_swap(da, dbb);
        /* Clients waiting on keys now see the other contents. */
        blocking_scan_db(da);
        blocking_scan_db(dbb);
    }
    srv->dirty++;
    reply_ok(c);
}

/* ---- OBJECT ---- */

/* Redis's lookup for OBJECT: no touch, stats counted; a missing key gets a
 * null reply. */
static obj *object_lookup(client *c)
{
    obj *o = db_lookup_read_nonotify(c, &c->argv[2]);

    if (o == NULL) {
        reply_null(c);
    }
    return o;
}

/* Whether maxmemory-policy is one of the LFU ones (the lru field then
 * holds an access counter instead of a clock). */
static int policy_is_lfu(server *srv)
{
    str v = config_get_value(srv, "maxmemory-policy");
    int lfu = v != NULL && strstr(v, "lfu") != NULL;

    str_free(v);
    return lfu;
}

void cmd_object_encoding(client *c)
{
    obj *o = object_lookup(c);

    if (o != NULL) {
        reply_bulk_cstr(c, obj_encoding_name(o->enc));
    }
}

void cmd_object_refcount(client *c)
{
    obj *o = object_lookup(c);

    if (o != NULL) {
        reply_ll(c, o->refcount);
    }
}

/* Milliseconds since the object was last accessed, from the 24-bit clock
 * in seconds, which wraps about every 194 days. */
static unsigned long long idle_ms(const server *srv, const obj *o)
{
    unsigned long long now = srv->lru_clock;

    if (now >= o->lru) {
        return (now - o->lru) * LRU_CLOCK_RESOLUTION;
    }
    return (now + (LRU_CLOCK_MAX - o->lru)) * LRU_CLOCK_RESOLUTION;
}

void cmd_object_idletime(client *c)
{
    obj *o = object_lookup(c);

    if (o == NULL) {
        return;
    }
    if (policy_is_lfu(c->srv)) {
        reply_error(c, "An LFU maxmemory policy is selected, idle time not "
                       "tracked. Please note that when switching between "
                       "policies at runtime LRU and LFU data will take some "
                       "time to adjust.");
        return;
    }
    reply_ll(c, (long long)(idle_ms(c->srv, o) / 1000));
}

/* The LFU counter (low 8 bits of lru) after decaying it by one for every
 * lfu-decay-time minutes since the last access time stored in the high 16
 * bits, in minutes modulo 2^16. */
static long long lfu_counter(const server *srv, const obj *o)
{
    unsigned long last = o->lru >> 8;
    unsigned long counter = o->lru & 255;
    unsigned long now = (unsigned long)(srv->mstime / 1000 / 60) & 65535;
    unsigned long elapsed = now >= last ? now - last : 65535 - last + now;
    int decay = srv->cfg.lfu_decay_time;

    if (decay > 0) {
        unsigned long periods = elapsed / (unsigned long)decay;
        counter = periods > counter ? 0 : counter - periods;
    }
    return (long long)counter;
}

void cmd_object_freq(client *c)
{
    obj *o = object_lookup(c);

    if (o == NULL) {
        return;
    }
    if (!policy_is_lfu(c->srv)) {
        reply_error(c, "An LFU maxmemory policy is not selected, access "
                       "frequency not tracked. Please note that when "
                       "switching between policies at runtime LRU and LFU "
                       "data will take some time to adjust.");
        return;
    }
    reply_ll(c, lfu_counter(c->srv, o));
}

void cmd_object_help(client *c)
{
    static const char *lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to "
        "store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned "
        "integer is",
        "    proportional to the logarithm of the recent access frequency of "
        "the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated "
        "number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with "
        "the specified",
        "    <key>.",
        NULL,
    };

    reply_help(c, lines);
}
