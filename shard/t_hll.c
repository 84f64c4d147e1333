/* t_hll: the HyperLogLog commands (PFADD, PFCOUNT, PFMERGE) over string
 * values in Redis's HLL format; the sketch itself lives in common/hll.c. */
#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "hll.h"
#include "notify.h"
#include "reply.h"
#include "server.h"

/* Redis's check before touching a value as an HLL: a string of the right
 * shape (its sparse opcodes are only checked when read). Replies and
 * returns -1 otherwise. */
static int check_hll(client *c, const obj *o)
{
    if (o->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    if ((o->enc != ENC_RAW && o->enc != ENC_EMBSTR) ||
        hll_check(o->ptr, str_len(o->ptr)) != 0) {
        reply_error(c, HLL_ERR_WRONGTYPE);
        return -1;
    }
    return 0;
}

void cmd_pfadd(client *c)
{
    const arg *key = &c->argv[1];
    size_t sparse_max = (size_t)c->srv->cfg.hll_sparse_max_bytes;
    obj *o = db_lookup_write(c, key);
    int updated = 0;

    if (o == NULL) {
        o = obj_create_from_str(hll_create());
        db_add(c->db, key->p, key->n, o);
        updated++;
    } else {
        if (check_hll(c, o) != 0) {
            return;
        }
        o = db_unshare_string(c->db, key->p, key->n, o);
    }
    for (int j = 2; j < c->argc; j++) {
        /* May move o->ptr (sparse growth, promotion to dense). */
        int rc =
            hll_add((str *)&o->ptr, c->argv[j].p, c->argv[j].n, sparse_max);
        if (rc < 0) {
            reply_error(c, HLL_ERR_INVALID);
            return;
        }
        updated += rc;
    }
    if (updated) {
        hll_invalidate(o->ptr);
        db_signal_modified(c, c->db, key->p, key->n);
        notify_key(c, NOTIFY_STRING, "pfadd", key);
        c->srv->dirty += updated;
    }
    reply_ll(c, updated ? 1 : 0);
}

/* PFCOUNT of several keys: the estimate of their union; read only. */
static void pfcount_union(client *c)
{
    uint8_t max[HLL_REGISTERS];

    memset(max, 0, sizeof(max));
    for (int j = 1; j < c->argc; j++) {
        obj *o = db_lookup_read(c, &c->argv[j]);
        if (o == NULL) {
            continue; /* a missing key is an empty HLL */
        }
        if (check_hll(c, o) != 0) {
            return;
        }
        if (hll_merge_raw(max, o->ptr, str_len(o->ptr)) != 0) {
            reply_error(c, HLL_ERR_INVALID);
            return;
        }
    }
    reply_ll(c, (long long)hll_count_raw(max));
}

void cmd_pfcount(client *c)
{
    const arg *key = &c->argv[1];
    uint64_t card;

    if (c->argc > 2) {
        pfcount_union(c);
        return;
    }
    obj *o = db_lookup_read(c, key);
    if (o == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (check_hll(c, o) != 0) {
        return;
    }
    /* The cardinality cache lives in the value, so even a read may write
     * it; Redis unshares the value either way. */
    o = db_unshare_string(c->db, key->p, key->n, o);
    int rc = hll_count(o->ptr, str_len(o->ptr), &card);
    if (rc < 0) {
        reply_error(c, HLL_ERR_INVALID);
        return;
    }
    if (rc == 1) {
        /* The cache was refreshed: a change to propagate, as in Redis. */
        db_signal_modified(c, c->db, key->p, key->n);
        c->srv->dirty++;
    }
    reply_ll(c, (long long)card);
}

void cmd_pfmerge(client *c)
{
    const arg *dest = &c->argv[1];
    uint8_t max[HLL_REGISTERS];
    int use_dense = 0;

    /* Redis 7.0 folds the destination's own registers in too (j from 1). */
    memset(max, 0, sizeof(max));
    for (int j = 1; j < c->argc; j++) {
        obj *o = db_lookup_read(c, &c->argv[j]);
        if (o == NULL) {
            continue;
        }
        if (check_hll(c, o) != 0) {
            return;
        }
        if (hll_encoding(o->ptr) == HLL_DENSE) {
            use_dense = 1;
        }
        if (hll_merge_raw(max, o->ptr, str_len(o->ptr)) != 0) {
            reply_error(c, HLL_ERR_INVALID);
            return;
        }
    }

    obj *o = db_lookup_write(c, dest);
    if (o == NULL) {
        o = obj_create_from_str(hll_create());
        db_add(c->db, dest->p, dest->n, o);
    } else {
        /* Already checked as a source above. */
        o = db_unshare_string(c->db, dest->p, dest->n, o);
    }
    if (hll_store_raw((str *)&o->ptr, max, use_dense,
                      (size_t)c->srv->cfg.hll_sparse_max_bytes) != 0) {
        reply_error(c, HLL_ERR_INVALID);
        return;
    }
    db_signal_modified(c, c->db, dest->p, dest->n);
    /* PFMERGE announces itself as pfadd, as Redis 7.0 does. */
    notify_key(c, NOTIFY_STRING, "pfadd", dest);
    c->srv->dirty++;
    reply_ok(c);
}
