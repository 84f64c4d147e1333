/* db: per-slot keyspace tables, expiry, random keys and scanning. */
#include "db.h"

#include <string.h>

#include "blocking.h"
#include "mem.h"
#include "multi.h"
#include "notify.h"
#include "propagate.h"
#include "tracking.h"
#include "util.h"

static const dict_type keyspace_type = {.val_free = obj_free_cb};
static const dict_type expires_type = {.val_free = NULL};

int db_setup(server *srv)
{
    srv->dbnum = srv->cfg.databases;
    srv->dbs = mem_calloc(sizeof(db) * (size_t)srv->dbnum);
    for (int i = 0; i < srv->dbnum; i++) {
        srv->dbs[i].id = i;
        srv->dbs[i].expires = dict_create(&expires_type);
    }
    return 0;
}

void db_teardown(server *srv)
{
    for (int i = 0; i < srv->dbnum; i++) {
        db *d = &srv->dbs[i];
        db_empty(d);
        dict_destroy(&d->expires);
        mem_free(d->slots);
        mem_free(d->slot_tree);
    }
    mem_free(srv->dbs);
    srv->dbs = NULL;
}

/* ---- Fenwick tree over slot sizes ---- */

static void tree_add(db *d, unsigned slot, long long delta)
{
    for (unsigned i = slot + 1; i <= SLOT_COUNT; i += i & (~i + 1)) {
        d->slot_tree[i - 1] += delta;
    }
}

/* The slot holding the k-th key (0-based). */
static unsigned tree_find(const db *d, long long k)
{
    unsigned pos = 0;

    for (unsigned step = SLOT_COUNT; step > 0; step >>= 1) {
        unsigned next = pos + step;
        if (next <= SLOT_COUNT && d->slot_tree[next - 1] <= k) {
            pos = next;
            k -= d->slot_tree[next - 1];
        }
    }
    return pos;
}

static dict *slot_dict(db *d, unsigned slot, int create)
{
    if (d->slots == NULL) {
        if (!create) {
            return NULL;
        }
        d->slots = mem_calloc(sizeof(dict *) * SLOT_COUNT);
        d->slot_tree = mem_calloc(sizeof(long long) * SLOT_COUNT);
    }
    if (d->slots[slot] == NULL && create) {
        d->slots[slot] = dict_create(&keyspace_type);
    }
    return d->slots[slot];
}

obj *db_find(db *d, const char *key, size_t len)
{
    dict *t = slot_dict(d, util_key_slot(key, len), 0);

    if (t == NULL) {
        return NULL;
    }
    dict_entry *de = dict_find(t, key, len);
    return de != NULL ? de->v.ptr : NULL;
}

long long db_get_expire(db *d, const char *key, size_t len)
{
    if (dict_size(d->expires) == 0) {
        return -1;
    }
    dict_entry *de = dict_find(d->expires, key, len);
    return de != NULL ? de->v.i64 : -1;
}

void db_set_expire(db *d, const char *key, size_t len, long long when)
{
    int existed;
    dict_entry *de = dict_add_or_find(d->expires, key, len, &existed);

    de->v.i64 = when;
}

int db_remove_expire(db *d, const char *key, size_t len)
{
    if (dict_size(d->expires) == 0) {
        return 0;
    }
    return dict_delete(d->expires, key, len) == 0;
}

obj *db_unlink_value(db *d, const char *key, size_t len)
{
    unsigned slot = util_key_slot(key, len);
    dict *t = slot_dict(d, slot, 0);

    if (t == NULL) {
        return NULL;
    }
    dict_entry *de = dict_unlink(t, key, len);
    if (de == NULL) {
        return NULL;
    }
    obj *val = de->v.ptr;
    de->v.ptr = NULL;
    dict_free_entry(t, de);
    db_remove_expire(d, key, len);
    tree_add(d, slot, -1);
    d->keys--;
    if (val->type == OBJ_STREAM) {
        /* Its blocked XREADGROUP clients are told (Redis 7.0). */
        blocking_signal_key_ready(d, key, len, OBJ_STREAM);
    }
    return val;
}

int db_delete(db *d, const char *key, size_t len)
{
    obj *val = db_unlink_value(d, key, len);

    if (val == NULL) {
        return 0;
    }
    obj_decr(val);
    return 1;
}

int db_expire_if_needed(server *srv, db *d, const char *key, size_t len)
{
    long long when = db_get_expire(d, key, len);

    if (when < 0 || when > srv->mstime) {
        return 0;
    }
    /* Replaying the AOF, keys expire as the log says (its DELs), not by
     * the clock, as in Redis. */
    if (srv->loading) {
        return 0;
    }
    /* Like Redis, expiry is not a change the save points count; it
     * reaches the AOF and replicas as a DEL (propagate.c). */
    db_delete(d, key, len);
    notify_keyspace_event(srv, NOTIFY_EXPIRED, "expired", key, len, d->id);
    propagate_expired(srv, d->id, key, len);
    multi_touch_key(d, key, len); /* WATCH: as Redis, expiry is a change */
    tracking_invalidate_key(srv, NULL, key, len);
    srv->stat_expired_keys++;
    return 1;
}

void db_add(db *d, const char *key, size_t len, obj *val)
{
    unsigned slot = util_key_slot(key, len);
    dict_entry *de = dict_add(slot_dict(d, slot, 1), key, len);

    de->v.ptr = val;
    tree_add(d, slot, 1);
    d->keys++;
    /* A new list, zset or stream: clients may be waiting for it. */
    blocking_signal_key_ready(d, key, len, val->type);
    /* Keys a snapshot brings back are not new (Redis's RDB load path). */
    if (!d->srv->loading) {
        notify_keyspace_event(d->srv, NOTIFY_NEW, "new", key, len, d->id);
    }
}

void db_overwrite(db *d, const char *key, size_t len, obj *val)
{
    dict *t = slot_dict(d, util_key_slot(key, len), 0);
    dict_entry *de = dict_find(t, key, len);
    obj *old = de->v.ptr;

    if (old->type == OBJ_STREAM) {
        blocking_signal_key_ready(d, key, len, OBJ_STREAM);
    }
    de->v.ptr = val;
    obj_decr(old);
}

void db_set(client *c, db *d, const char *key, size_t len, obj *val,
            int keepttl)
{
    unsigned slot = util_key_slot(key, len);
    int existed;
    dict_entry *de = dict_add_or_find(slot_dict(d, slot, 1), key, len,
                                      &existed);

    if (existed) {
        obj *old = de->v.ptr;
        if (old->type == OBJ_STREAM) {
            blocking_signal_key_ready(d, key, len, OBJ_STREAM);
        }
        de->v.ptr = val;
        obj_decr(old);
        if (!keepttl) {
            db_remove_expire(d, key, len);
        }
    } else {
        de->v.ptr = val;
        tree_add(d, slot, 1);
        d->keys++;
        blocking_signal_key_ready(d, key, len, val->type);
        notify_keyspace_event(d->srv, NOTIFY_NEW, "new", key, len, d->id);
    }
    db_signal_modified(c, d, key, len);
}

/* stats: 0 none; 1 hits/misses and the keymiss event; 2 hits/misses
 * only (Redis's LOOKUP_NONOTIFY). */
static obj *lookup(client *c, const arg *key, int stats, int touch)
{
    server *srv = c->srv;

    db_expire_if_needed(srv, c->db, key->p, key->n);
    obj *o = db_find(c->db, key->p, key->n);
    if (stats) {
        if (o != NULL) {
            srv->stat_keyspace_hits++;
        } else {
            srv->stat_keyspace_misses++;
            if (stats == 1) {
                notify_keyspace_event(srv, NOTIFY_KEY_MISS, "keymiss",
                                      key->p, key->n, c->db->id);
            }
        }
    }
    if (o != NULL && touch && o->refcount != OBJ_SHARED_REFCOUNT) {
        o->lru = srv->lru_clock;
    }
    return o;
}

obj *db_lookup_read(client *c, const arg *key)
{
    return lookup(c, key, 1, 1);
}

obj *db_lookup_write(client *c, const arg *key)
{
    return lookup(c, key, 0, 1);
}

obj *db_lookup_notouch(client *c, const arg *key)
{
    return lookup(c, key, 0, 0);
}

obj *db_lookup_read_notouch(client *c, const arg *key)
{
    return lookup(c, key, 1, 0);
}

obj *db_lookup_read_nonotify(client *c, const arg *key)
{
    return lookup(c, key, 2, 0);
}

size_t db_size(const db *d)
{
    return d->keys;
}

size_t db_expires_size(const db *d)
{
    return dict_size(d->expires);
}

size_t db_empty(db *d)
{
    size_t removed = d->keys;

    multi_touch_db(d, NULL); /* WATCH: while the keys are still there */
    if (d->slots != NULL) {
        for (unsigned s = 0; s < SLOT_COUNT; s++) {
            if (d->slots[s] != NULL) {
                dict_destroy(&d->slots[s]);
            }
        }
        memset(d->slot_tree, 0, sizeof(long long) * SLOT_COUNT);
    }
    dict_clear(d->expires);
    d->keys = 0;
    d->avg_ttl = 0;
    d->expire_cursor = 0;
    blocking_scan_db(d); /* blocked XREADGROUP clients hear of it */
    return removed;
}

str db_random_key(server *srv, db *d)
{
    unsigned char r[8];
    int tries = 0;

    for (;;) {
        if (d->keys == 0) {
            return NULL;
        }
        util_random_bytes(r, sizeof(r));
        unsigned long long x;
        memcpy(&x, r, sizeof(x));
        unsigned slot = tree_find(d, (long long)(x % d->keys));
        dict_entry *de = dict_random(d->slots[slot]);
        if (de == NULL) {
            return NULL;
        }
        str key = str_new(de->key, de->klen);
        long long when = db_get_expire(d, key, str_len(key));
        if (when >= 0 && when <= srv->mstime) {
            /* Like Redis: if every key has a TTL, give up after some
             * tries and return an expired one rather than loop. */
            if (db_expires_size(d) == d->keys && ++tries >= 100) {
                return key;
            }
            db_expire_if_needed(srv, d, key, str_len(key));
            str_free(key);
            continue;
        }
        return key;
    }
}

void db_swap(db *a, db *b)
{
    db tmp = *a;
    int aid = a->id, bid = b->id;

    /* WATCH: each side's watched keys see the other side's contents. */
    multi_touch_db(a, b);
    multi_touch_db(b, a);
    *a = *b;
    *b = tmp;
    a->id = aid;
    b->id = bid;
}

size_t db_slot_size(const db *d, unsigned slot)
{
    if (d->slots == NULL || d->slots[slot] == NULL) {
        return 0;
    }
    return dict_size(d->slots[slot]);
}

dict *db_slot_dict(const db *d, unsigned slot)
{
    return d->slots != NULL ? d->slots[slot] : NULL;
}

typedef struct scan_ctx {
    db_scan_fn *fn;
    void *priv;
    long visited;
} scan_ctx;

static void scan_cb(void *priv, const dict_entry *de)
{
    scan_ctx *ctx = priv;

    ctx->visited++;
    ctx->fn(ctx->priv, de);
}

unsigned long long db_scan(db *d, unsigned long long cursor, long count,
                           db_scan_fn *fn, void *priv)
{
    unsigned slot = (unsigned)(cursor & (SLOT_COUNT - 1));
    uint64_t dc = cursor >> 14;
    scan_ctx ctx = {fn, priv, 0};
    long iterations = count * 10;

    if (d->slots == NULL) {
        return 0;
    }
    while (slot < SLOT_COUNT) {
        dict *t = d->slots[slot];
        if (t == NULL || dict_size(t) == 0) {
            slot++;
            dc = 0;
            continue;
        }
        dc = dict_scan(t, dc, scan_cb, &ctx);
        if (dc == 0) {
            slot++;
        }
        if (ctx.visited >= count || --iterations <= 0) {
            break;
        }
    }
    if (slot >= SLOT_COUNT) {
        return 0;
    }
    return ((unsigned long long)dc << 14) | slot;
}

void db_signal_modified(client *c, db *d, const char *key, size_t len)
{
    (void)c;
    multi_touch_key(d, key, len); /* WATCH */
    tracking_invalidate_key(d->srv, c, key, len); /* client-side caching */
}

obj *db_unshare_string(db *d, const char *key, size_t len, obj *o)
{
    obj *n = obj_unshare_string(o);

    if (n != o) {
        db_overwrite(d, key, len, n);
    }
    return n;
}

#define EXPIRE_KEYS_PER_LOOP 20
#define EXPIRE_STALE_PERC 10

void db_active_expire_cycle(server *srv)
{
    if (!srv->active_expire_enabled) {
        return;
    }
    int effort = srv->cfg.active_expire_effort - 1; /* 0..9 */
    int per_loop = EXPIRE_KEYS_PER_LOOP + EXPIRE_KEYS_PER_LOOP / 4 * effort;
    /* Use at most 25% (+ effort) of each cron period. */
    long long limit_us =
        (long long)(25 + 2 * effort) * 1000000 / srv->cfg.hz / 100;
    long long start = util_ustime();
    long long sampled_total = 0, expired_total = 0;

    for (int n = 0; n < srv->dbnum; n++) {
        db *d = &srv->dbs[srv->expire_db_cursor % srv->dbnum];
        srv->expire_db_cursor++;
        if (dict_size(d->expires) == 0) {
            continue;
        }
        for (;;) {
            dict_entry *batch[64];
            unsigned want = (unsigned)(per_loop < 64 ? per_loop : 64);
            unsigned got = dict_sample(d->expires, batch, want);
            long long now = util_mstime();
            unsigned expired = 0;
            /* Collect first: deleting invalidates the sampled entries. */
            str keys[64];
            unsigned nkeys = 0;
            for (unsigned i = 0; i < got; i++) {
                if (batch[i]->v.i64 <= now) {
                    keys[nkeys++] = str_new(batch[i]->key, batch[i]->klen);
                }
            }
            for (unsigned i = 0; i < nkeys; i++) {
                long long when = db_get_expire(d, keys[i], str_len(keys[i]));
                if (when >= 0 && when <= now) {
                    db_delete(d, keys[i], str_len(keys[i]));
                    notify_keyspace_event(srv, NOTIFY_EXPIRED, "expired",
                                          keys[i], str_len(keys[i]), d->id);
                    propagate_expired(srv, d->id, keys[i],
                                      str_len(keys[i]));
                    multi_touch_key(d, keys[i], str_len(keys[i]));
                    tracking_invalidate_key(srv, NULL, keys[i],
                                            str_len(keys[i]));
                    srv->stat_expired_keys++;
                    expired++;
                }
                str_free(keys[i]);
            }
            sampled_total += got;
            expired_total += expired;
            if (got == 0 || expired * 100 <= got * EXPIRE_STALE_PERC ||
                dict_size(d->expires) == 0) {
                break;
            }
            if (util_ustime() - start > limit_us) {
                goto out;
            }
        }
        if (util_ustime() - start > limit_us) {
            break;
        }
    }
out:
    srv->stat_expire_cycle_time_used += util_ustime() - start;
    if (sampled_total > 0) {
        long long perc = expired_total * 100 / sampled_total;
        srv->stat_expired_stale_perc =
            (srv->stat_expired_stale_perc * 95 + perc * 5) / 100;
    }
}

void db_rehash_step(server *srv)
{
    /* One millisecond of rehashing for the tables that need it. */
    long long deadline = util_ustime() + 1000;

    for (int i = 0; i < srv->dbnum; i++) {
        db *d = &srv->dbs[i];
        dict_rehash_step(d->expires, 100);
        if (d->slots == NULL) {
            continue;
        }
        for (unsigned s = 0; s < SLOT_COUNT; s++) {
            if (d->slots[s] != NULL && dict_rehash_step(d->slots[s], 10)) {
                if (util_ustime() > deadline) {
                    return;
                }
            }
        }
    }
}
