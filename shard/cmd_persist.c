/* cmd_persist: the RDB commands (SAVE, BGSAVE, DUMP, RESTORE) and the RDB
 * part of SHUTDOWN. Replies and errors follow redis-server 7.0. */
#include <errno.h>
#include <signal.h>
#include <strings.h>
#include <string.h>

#include "child.h"
#include "cmd.h"
#include "db.h"
#include "log.h"
#include "multi.h"
#include "notify.h"
#include "propagate.h"
#include "rdb.h"
#include "rdb_int.h"
#include "reply.h"
#include "util.h"

/* Redis compares option words as C strings: "replace\0x" is REPLACE. */
static int opt_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

void cmd_save(client *c)
{
    server *srv = c->srv;

    if (child_type_active(srv) == CHILD_RDB) {
        reply_error(c, "Background save already in progress");
        return;
    }
    if (rdb_save_now(srv) == 0) {
        reply_ok(c);
    } else {
        reply_error(c, "-ERR");
    }
}

void cmd_bgsave(client *c)
{
    server *srv = c->srv;
    int schedule = 0;

    if (c->argc > 1) {
        if (c->argc == 2 && opt_is(&c->argv[1], "schedule")) {
            schedule = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (child_type_active(srv) == CHILD_RDB) {
        reply_error(c, "Background save already in progress");
        return;
    }
    if (multi_active(c)) {
        /* Inside EXEC Redis never forks: the cron starts it after. */
        srv->rdb_bgsave_scheduled = 1;
        reply_status(c, "Background saving scheduled");
        return;
    }
    if (child_type_active(srv) == CHILD_NONE && rdb_bgsave_start(srv) == 0) {
        reply_status(c, "Background saving started");
        return;
    }
    if (child_type_active(srv) == CHILD_NONE && errno == EAGAIN) {
        /* The host's fork gate (max-concurrent-forks) queued us: the save
         * starts from the cron when our turn comes. Standalone shards
         * never wait here. */
        log_notice("Background saving waits for the fork gate");
        srv->rdb_bgsave_scheduled = 1;
        reply_status(c, "Background saving scheduled");
        return;
    }
    if (child_type_active(srv) != CHILD_NONE) {
        /* Another child (AOF rewrite) is running. */
        if (schedule) {
            srv->rdb_bgsave_scheduled = 1;
            reply_status(c, "Background saving scheduled");
        } else {
            reply_error(c, "Another child process is active (AOF?): can't "
                           "BGSAVE right now. Use BGSAVE SCHEDULE in order "
                           "to schedule a BGSAVE whenever possible.");
        }
        return;
    }
    reply_error(c, "-ERR");
}

void cmd_dump(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (o == NULL) {
        reply_null(c);
        return;
    }
    str payload = rdb_dump_value_ex(o, c->srv->cfg.rdbcompression);
    reply_bulk(c, payload, str_len(payload));
    str_free(payload);
}

static int parse_ll(const arg *a, long long *v)
{
    return util_str2ll(a->p, a->n, v);
}

void cmd_restore(client *c)
{
    server *srv = c->srv;
    int replace = 0, absttl = 0;
    long long ttl, idle = -1, freq = -1;

    for (int j = 4; j < c->argc; j++) {
        int more = c->argc - j - 1;
        const arg *a = &c->argv[j];
        if (opt_is(a, "replace")) {
            replace = 1;
        } else if (opt_is(a, "absttl")) {
            absttl = 1;
        } else if (opt_is(a, "idletime") && more >= 1 && freq == -1) {
            if (parse_ll(&c->argv[j + 1], &idle) != 0) {
                reply_error(c, ERR_NOT_INT);
                return;
            }
            if (idle < 0) {
                reply_error(c, "Invalid IDLETIME value, must be >= 0");
                return;
            }
            j++;
        } else if (opt_is(a, "freq") && more >= 1 && idle == -1) {
            if (parse_ll(&c->argv[j + 1], &freq) != 0) {
                reply_error(c, ERR_NOT_INT);
                return;
            }
            if (freq < 0 || freq > 255) {
                reply_error(c, "Invalid FREQ value, must be >= 0 and <= 255");
                return;
            }
            j++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    const arg *key = &c->argv[1];
    if (!replace && db_lookup_write(c, key) != NULL) {
        reply_error(c, "-BUSYKEY Target key name already exists.");
        return;
    }
    if (parse_ll(&c->argv[2], &ttl) != 0) {
        reply_error(c, ERR_NOT_INT);
        return;
    }
    if (ttl < 0) {
        reply_error(c, "Invalid TTL value, must be >= 0");
        return;
    }
    str err = NULL;
    obj *o = rdb_restore_value_srv(srv, c->argv[3].p, c->argv[3].n, &err);
    if (o == NULL) {
        reply_error(c, err);
        str_free(err);
        return;
    }
    int deleted = 0;
    if (replace) {
        deleted = db_delete(c->db, key->p, key->n);
    }
    if (ttl && !absttl) {
        ttl += srv->mstime;
    }
    if (ttl && ttl <= srv->mstime) {
        /* Already expired: the old key (if any) is simply gone. */
        if (deleted) {
            propagate_replace_argv(c, 2, PARG("DEL"), *key);
            db_signal_modified(c, c->db, key->p, key->n);
            notify_keyspace_event(srv, NOTIFY_GENERIC, "del", key->p, key->n,
                                  c->db->id);
            srv->dirty++;
        }
        obj_decr(o);
        reply_ok(c);
        return;
    }
    if (idle >= 0 && rdb_policy_lru(srv->cfg.maxmemory_policy)) {
        long long clock =
            (long long)srv->lru_clock - idle * 1000 / LRU_CLOCK_RESOLUTION;
        if (clock < 0) {
            clock += LRU_CLOCK_MAX;
        }
        o->lru = (unsigned)clock;
    } else if (freq >= 0 && rdb_policy_lfu(srv->cfg.maxmemory_policy)) {
        unsigned long mins = (unsigned long)(srv->mstime / 1000 / 60) & 65535;
        o->lru = (unsigned)((mins << 8) | (unsigned long)freq);
    }
    db_add(c->db, key->p, key->n, o);
    if (ttl) {
        db_set_expire(c->db, key->p, key->n, ttl);
    }
    if (ttl && !absttl && c->argc < 16) {
        /* Effects (propagate.c): the TTL as an absolute time + ABSTTL
         * (RESTORE has at most 9 arguments). */
        char tbuf[24];
        arg pargv[16];
        memcpy(pargv, c->argv, sizeof(arg) * (size_t)c->argc);
        pargv[2] = propagate_num(tbuf, ttl);
        pargv[c->argc] = PARG("ABSTTL");
        propagate_replace(c, c->argc + 1, pargv);
    }
    db_signal_modified(c, c->db, key->p, key->n);
    notify_keyspace_event(srv, NOTIFY_GENERIC, "restore", key->p, key->n,
                          c->db->id);
    reply_ok(c);
    srv->dirty++;
}

void cmd_restore_asking(client *c)
{
    cmd_restore(c);
}
