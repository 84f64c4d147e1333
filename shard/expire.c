/* expire: setting, reading and removing key expiry times (EXPIRE family
 * with NX/XX/GT/LT, TTL family, PERSIST), with Redis 7.0's replies. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "db.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"

enum {
    EXP_NX = 1 << 0,
    EXP_XX = 1 << 1,
    EXP_GT = 1 << 2,
    EXP_LT = 1 << 3,
};

static int arg_is(const arg *a, const char *word)
{
    size_t n = strlen(word);

    return a->n == n && strncasecmp(a->p, word, n) == 0;
}

/* The NX/XX/GT/LT options after the time. Returns 0 with *flags set, or
 * -1 after an error reply. */
static int parse_flags(client *c, int *flags)
{
    *flags = 0;
    for (int i = 3; i < c->argc; i++) {
        const arg *a = &c->argv[i];
        if (arg_is(a, "nx")) {
            *flags |= EXP_NX;
        } else if (arg_is(a, "xx")) {
            *flags |= EXP_XX;
        } else if (arg_is(a, "gt")) {
            *flags |= EXP_GT;
        } else if (arg_is(a, "lt")) {
            *flags |= EXP_LT;
        } else {
            /* Redis prints the option as a C string: up to a NUL. */
            reply_errorf(c, "Unsupported option %.*s", (int)strnlen(a->p, a->n),
                         a->p);
            return -1;
        }
    }
    if ((*flags & EXP_NX) && (*flags & (EXP_XX | EXP_GT | EXP_LT))) {
        reply_error(c, "NX and XX, GT or LT options at the same time are "
                       "not compatible");
        return -1;
    }
    if ((*flags & EXP_GT) && (*flags & EXP_LT)) {
        reply_error(c, "GT and LT options at the same time are not "
                       "compatible");
        return -1;
    }
    return 0;
}

/* Whether the conditions allow replacing current (-1: none) with when.
 * A key without expiry counts as an infinite TTL. */
static int conditions_hold(int flags, long long current, long long when)
{
    if ((flags & EXP_NX) && current != -1) {
        return 0;
    }
    if ((flags & EXP_XX) && current == -1) {
        return 0;
    }
    if ((flags & EXP_GT) && (current == -1 || when <= current)) {
        return 0;
    }
    if ((flags & EXP_LT) && current != -1 && when >= current) {
        return 0;
    }
    return 1;
}

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: the time argument is relative to
 * base (0 for the absolute forms), in seconds when secs. */
static void expire_generic(client *c, long long base, int secs)
{
    server *srv = c->srv;
    const arg *key = &c->argv[1], *t = &c->argv[2];
    int flags;
    long long when;

    if (parse_flags(c, &flags) != 0) {
        return;
    }
    if (util_str2ll(t->p, t->n, &when) != 0) {
        reply_error(c, ERR_NOT_INT);
        return;
    }
    /* Negative times are allowed (the key is deleted); only overflow in
     * the unit conversion or the addition is an error. */
    if (secs) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            goto bad_time;
        }
        when *= 1000;
    }
    if (when > LLONG_MAX - base) {
        goto bad_time;
    }
    when += base;

    if (db_lookup_write(c, key) == NULL) {
        reply_ll(c, 0);
        return;
    }
    if (flags != 0 &&
        !conditions_hold(flags, db_get_expire(c->db, key->p, key->n), when)) {
        reply_ll(c, 0);
        return;
    }
    if (when <= srv->mstime) {
        /* Already in the past: an ordinary deletion (propagated as DEL in
         * Redis), not counted among expired keys. */
        db_delete(c->db, key->p, key->n);
        propagate_as_expired_delete(c, key);
    } else {
        db_set_expire(c->db, key->p, key->n, when);
        /* Effects: an absolute time, so replaying later means the same. */
        if (strcmp(c->cmd->name, "pexpireat") != 0) {
            propagate_as_pexpireat(c, key, when, 3);
        }
    }
    db_signal_modified(c, c->db, key->p, key->n);
    /* Redis sends "del" before the reply and "expire" after it (a RESP3
     * client watching its own keys sees the difference). */
    int past = when <= srv->mstime;
    if (past) {
        notify_key(c, NOTIFY_GENERIC, "del", key);
    }
    srv->dirty++;
    reply_ll(c, 1);
    if (!past) {
        notify_key(c, NOTIFY_GENERIC, "expire", key);
    }
    return;

bad_time:
    reply_errorf(c, "invalid expire time in '%s' command", c->cmd->fullname);
}

void cmd_expire(client *c)
{
    expire_generic(c, c->srv->mstime, 1);
}

void cmd_pexpire(client *c)
{
    expire_generic(c, c->srv->mstime, 0);
}

void cmd_expireat(client *c)
{
    expire_generic(c, 0, 1);
}

void cmd_pexpireat(client *c)
{
    expire_generic(c, 0, 0);
}

/* TTL family: -2 for a missing key, -1 without expiry; otherwise the time
 * left (or the absolute time when absolute), in ms or rounded seconds. */
static void ttl_generic(client *c, int ms, int absolute)
{
    const arg *key = &c->argv[1];

    if (db_lookup_read_notouch(c, key) == NULL) {
        reply_ll(c, -2);
        return;
    }
    long long when = db_get_expire(c->db, key->p, key->n);
    if (when == -1) {
        reply_ll(c, -1);
        return;
    }
    long long v = absolute ? when : when - c->srv->mstime;
    if (v < 0) {
        v = 0;
    }
    reply_ll(c, ms ? v : (v + 500) / 1000);
}

void cmd_ttl(client *c)
{
    ttl_generic(c, 0, 0);
}

void cmd_pttl(client *c)
{
    ttl_generic(c, 1, 0);
}

void cmd_expiretime(client *c)
{
    ttl_generic(c, 0, 1);
}

void cmd_pexpiretime(client *c)
{
    ttl_generic(c, 1, 1);
}

void cmd_persist(client *c)
{
    const arg *key = &c->argv[1];

    if (db_lookup_write(c, key) == NULL ||
        !db_remove_expire(c->db, key->p, key->n)) {
        reply_ll(c, 0);
        return;
    }
    db_signal_modified(c, c->db, key->p, key->n);
    notify_key(c, NOTIFY_GENERIC, "persist", key);
    c->srv->dirty++;
    reply_ll(c, 1);
}
