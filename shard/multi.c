/* multi: MULTI/EXEC/DISCARD (a per-client queue of deep-copied requests)
 * and WATCH/UNWATCH (a server table from watched key to its watchers,
 * touched by every change to a key), as Redis 7.0 behaves. */
#include "multi.h"

#include <string.h>

#include "cmd.h"
#include "db.h"
#include "dict.h"
#include "mem.h"
#include "net.h"
#include "reply.h"

void cmd_multi(client *c);
void cmd_exec(client *c);
void cmd_discard(client *c);
void cmd_watch(client *c);
void cmd_unwatch(client *c);
void cmd_quit(client *c);
void cmd_reset(client *c);

/* One queued request: argv and the argument bytes share one allocation,
 * so a request is one malloc whatever its size. */
typedef struct queued {
    const command *cmd;
    int argc;
    arg *argv;
} queued;

/* One client watching one key. Entries of a key form a doubly linked
 * list (the value of the key's entry in srv->watched_keys); entries of a
 * client a singly linked one. */
typedef struct watcher {
    struct watcher *prev, *next; /* same key */
    struct watcher *client_next;
    client *c;
    dict_entry *de;  /* key entry in srv->watched_keys: dbid + key */
    int dbid;
    int expired;     /* the key was already expired when watched */
} watcher;

typedef struct multi_state {
    int in_multi;
    int dirty_cas;   /* a watched key changed: EXEC returns null */
    int dirty_exec;  /* a request was refused: EXEC fails (EXECABORT) */
    queued *cmds;
    int count, cap;
    uint32_t flags;  /* queued commands' flags, or'ed */
    size_t mem;      /* CLIENT LIST multi-mem, as Redis 7.0 counts it */
    watcher *watched;
} multi_state;

/* Watched-key table keys: the database id then the key bytes. */
#define WKEY_PREFIX sizeof(int)
#define WKEY_STACK 256

typedef struct wkey {
    char stack[WKEY_PREFIX + WKEY_STACK];
    char *p;
    size_t n;
} wkey;

static void wkey_init(wkey *k, int dbid, const char *key, size_t len)
{
    k->n = WKEY_PREFIX + len;
    k->p = len <= WKEY_STACK ? k->stack : mem_alloc(k->n);
    memcpy(k->p, &dbid, WKEY_PREFIX);
    memcpy(k->p + WKEY_PREFIX, key, len);
}

static void wkey_deinit(wkey *k)
{
    if (k->p != k->stack) {
        mem_free(k->p);
    }
}

static const char *wkey_key(const dict_entry *de, size_t *len)
{
    *len = de->klen - WKEY_PREFIX;
    return de->key + WKEY_PREFIX;
}

static int wkey_dbid(const dict_entry *de)
{
    int id;

    memcpy(&id, de->key, WKEY_PREFIX);
    return id;
}

/* ---- client state ---- */

static multi_state *state(client *c)
{
    if (c->multi == NULL) {
        c->multi = mem_calloc(sizeof(multi_state));
    }
    return c->multi;
}

/* Drop the state once it holds nothing: most clients never use it. */
static void release_if_idle(client *c)
{
    multi_state *m = c->multi;

    if (m != NULL && !m->in_multi && m->watched == NULL && !m->dirty_cas &&
        m->cmds == NULL) {
        mem_free(m);
        c->multi = NULL;
    }
}

int multi_active(const client *c)
{
    return c->multi != NULL && c->multi->in_multi;
}

int multi_dirty(const client *c)
{
    return c->multi != NULL && c->multi->dirty_cas;
}

int multi_should_queue(const client *c, const command *cmd)
{
    if (!multi_active(c)) {
        return 0;
    }
    return cmd->proc != cmd_exec && cmd->proc != cmd_discard &&
           cmd->proc != cmd_multi && cmd->proc != cmd_watch &&
           cmd->proc != cmd_quit && cmd->proc != cmd_reset;
}

void multi_queue(client *c)
{
    multi_state *m = state(c);
    size_t bytes = 0;

    /* As Redis: a doomed transaction keeps nothing (CLIENT LIST shows
     * multi=0), though every command still gets +QUEUED. */
    if (m->dirty_cas || m->dirty_exec) {
        c->lastcmd = c->cmd;
        reply_status(c, "QUEUED");
        return;
    }
    for (int i = 0; i < c->argc; i++) {
        bytes += c->argv[i].n + 1;
    }
    if (m->count == m->cap) {
        m->cap = m->cap == 0 ? 4 : m->cap * 2;
        m->cmds = mem_realloc(m->cmds, sizeof(queued) * (size_t)m->cap);
    }
    /* Arguments point into the query buffer, or at static strings: copy
     * every byte, each NUL-terminated for good measure. */
    queued *q = &m->cmds[m->count++];
    q->cmd = c->cmd;
    q->argc = c->argc;
    q->argv = mem_alloc(sizeof(arg) * (size_t)c->argc + bytes);
    char *p = (char *)(q->argv + c->argc);
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].p, c->argv[i].n);
        p[c->argv[i].n] = '\0';
        q->argv[i].p = p;
        q->argv[i].n = c->argv[i].n;
        p += c->argv[i].n + 1;
        m->mem += c->argv[i].n + sizeof(void *);
    }
    m->flags |= c->cmd->flags;
    /* As Redis: CLIENT LIST's cmd= names the last command sent. */
    c->lastcmd = c->cmd;
    reply_status(c, "QUEUED");
}

static void free_queue(multi_state *m)
{
    for (int i = 0; i < m->count; i++) {
        mem_free(m->cmds[i].argv);
    }
    mem_free(m->cmds);
    m->cmds = NULL;
    m->count = m->cap = 0;
    m->flags = 0;
    m->mem = 0;
}

void multi_flag_error(client *c)
{
    if (multi_active(c)) {
        c->multi->dirty_exec = 1;
    }
}

uint32_t multi_effective_flags(const client *c, const command *cmd)
{
    if (cmd->proc == cmd_exec && multi_active(c)) {
        return cmd->flags | c->multi->flags;
    }
    return cmd->flags;
}

int multi_queued_count(const client *c)
{
    return multi_active(c) ? c->multi->count : 0;
}

void multi_queued_get(const client *c, int i, const command **cmd,
                      const arg **argv, int *argc)
{
    const queued *q = &c->multi->cmds[i];

    *cmd = q->cmd;
    *argv = q->argv;
    *argc = q->argc;
}

size_t multi_client_mem(const client *c)
{
    return c->multi != NULL ? c->multi->mem : 0;
}

/* ---- watched keys ---- */

static void watched_free(void *p)
{
    (void)p; /* watchers are freed by their clients */
}

static const dict_type watched_type = {.val_free = watched_free};

static int key_expired(db *d, const char *key, size_t len)
{
    long long when = db_get_expire(d, key, len);

    return when >= 0 && when <= d->srv->mstime;
}

static void watch_key(client *c, const arg *key)
{
    server *srv = c->srv;
    multi_state *m = state(c);
    wkey k;
    int existed;

    if (srv->watched_keys == NULL) {
        srv->watched_keys = dict_create(&watched_type);
    }
    wkey_init(&k, c->db->id, key->p, key->n);
    dict_entry *de = dict_add_or_find(srv->watched_keys, k.p, k.n,
                                      &existed);
    wkey_deinit(&k);
    watcher *head = existed ? de->v.ptr : NULL;
    for (watcher *w = head; w != NULL; w = w->next) {
        if (w->c == c) {
            return; /* already watched */
        }
    }
    watcher *w = mem_calloc(sizeof(*w));
    w->c = c;
    w->de = de;
    w->dbid = c->db->id;
    /* Redis 7.0: a key already expired (but not yet deleted) when watched
     * does not fail EXEC by being deleted later. */
    w->expired = key_expired(c->db, key->p, key->n);
    w->next = head;
    if (head != NULL) {
        head->prev = w;
    }
    de->v.ptr = w;
    w->client_next = m->watched;
    m->watched = w;
}

static void unwatch_all(client *c)
{
    server *srv = c->srv;
    multi_state *m = c->multi;

    if (m == NULL) {
        return;
    }
    while (m->watched != NULL) {
        watcher *w = m->watched;
        m->watched = w->client_next;
        if (w->prev != NULL) {
            w->prev->next = w->next;
        } else {
            w->de->v.ptr = w->next;
        }
        if (w->next != NULL) {
            w->next->prev = w->prev;
        }
        if (w->de->v.ptr == NULL) {
            dict_delete(srv->watched_keys, w->de->key, w->de->klen);
        }
        mem_free(w);
    }
    /* Nobody watches anything: drop the table, so writes skip it. */
    if (srv->watched_keys != NULL && dict_size(srv->watched_keys) == 0) {
        dict_destroy(&srv->watched_keys);
    }
}

void multi_touch_key(db *d, const char *key, size_t len)
{
    server *srv = d->srv;
    wkey k;

    if (srv == NULL || srv->watched_keys == NULL) {
        return;
    }
    wkey_init(&k, d->id, key, len);
    dict_entry *de = dict_find(srv->watched_keys, k.p, k.n);
    wkey_deinit(&k);
    if (de == NULL) {
        return;
    }
    for (watcher *w = de->v.ptr; w != NULL; w = w->next) {
        if (w->expired) {
            /* The expired key is gone now: logically nothing changed,
             * and from here on it is watched as a missing key. */
            if (db_find(d, key, len) == NULL) {
                w->expired = 0;
                continue;
            }
        }
        w->c->multi->dirty_cas = 1;
    }
}

void multi_touch_db(db *d, db *replaced_with)
{
    server *srv = d->srv;
    dict_iter it;
    dict_entry *de;

    if (srv == NULL || srv->watched_keys == NULL) {
        return;
    }
    dict_iter_init(&it, srv->watched_keys);
    while ((de = dict_iter_next(&it)) != NULL) {
        size_t len;
        const char *key = wkey_key(de, &len);
        if (wkey_dbid(de) != d->id) {
            continue;
        }
        int in_old = db_find(d, key, len) != NULL;
        int in_new = replaced_with != NULL &&
                     db_find(replaced_with, key, len) != NULL;
        if (!in_old && !in_new) {
            continue;
        }
        for (watcher *w = de->v.ptr; w != NULL; w = w->next) {
            if (w->expired) {
                if (!in_new) {
                    w->expired = 0; /* the expired key goes: no change */
                    continue;
                }
                if (key_expired(replaced_with, key, len)) {
                    continue; /* expired before, expired after */
                }
            } else if (!in_old && key_expired(replaced_with, key, len)) {
                /* Missing, then expired: still logically missing. */
                w->expired = 1;
                continue;
            }
            w->c->multi->dirty_cas = 1;
        }
    }
    dict_iter_deinit(&it);
}

/* Redis 7.0 checks at EXEC whether a watched key expired since WATCH. */
static int watched_key_expired(client *c)
{
    server *srv = c->srv;

    for (watcher *w = c->multi->watched; w != NULL; w = w->client_next) {
        size_t len;
        const char *key = wkey_key(w->de, &len);
        if (!w->expired && key_expired(&srv->dbs[w->dbid], key, len)) {
            return 1;
        }
    }
    return 0;
}

/* ---- ending a transaction ---- */

/* Out of MULTI, queue dropped, keys unwatched (EXEC, DISCARD). */
static void discard(client *c)
{
    multi_state *m = c->multi;

    if (m == NULL) {
        return;
    }
    free_queue(m);
    m->in_multi = 0;
    m->dirty_cas = 0;
    m->dirty_exec = 0;
    unwatch_all(c);
    release_if_idle(c);
}

void multi_client_reset(client *c)
{
    discard(c);
}

void multi_exec_abort(client *c, const char *msg)
{
    discard(c);
    reply_errorf(c, "-EXECABORT Transaction discarded because of: %s",
                 msg[0] == '-' ? msg + 1 : msg);
    /* It did not run through cmd_call, yet Redis shows it to MONITOR. */
    if (c->srv->monitors != NULL) {
        net_feed_monitors(c);
    }
}

/* ---- commands ---- */

void cmd_multi(client *c)
{
    if (multi_active(c)) {
        reply_error(c, "MULTI calls can not be nested");
        return;
    }
    state(c)->in_multi = 1;
    reply_ok(c);
}

void cmd_discard(client *c)
{
    if (!multi_active(c)) {
        reply_error(c, "DISCARD without MULTI");
        return;
    }
    discard(c);
    reply_ok(c);
}

void cmd_exec(client *c)
{
    multi_state *m = c->multi;

    if (!multi_active(c)) {
        reply_error(c, "EXEC without MULTI");
        return;
    }
    if (!m->dirty_cas && watched_key_expired(c)) {
        m->dirty_cas = 1;
    }
    if (m->dirty_exec) {
        reply_error(c, "-EXECABORT Transaction discarded because of "
                       "previous errors.");
        discard(c);
        return;
    }
    if (m->dirty_cas) {
        reply_null_array(c);
        discard(c);
        return;
    }
    /* Nothing it runs can change the transaction itself (MULTI, EXEC,
     * DISCARD, WATCH and RESET are never queued), so the queue stays put
     * while it runs. Keys are unwatched first: its own writes don't
     * matter, and others' writes no longer can. */
    unwatch_all(c);
    int deny = c->flags & CF_DENY_BLOCKING;
    c->flags |= CF_DENY_BLOCKING;
    const command *exec_cmd = c->cmd;
    arg *exec_argv = c->argv;
    int exec_argc = c->argc;
    reply_array_len(c, m->count);
    for (int i = 0; i < m->count; i++) {
        /* CLIENT LIST's cmd= says "exec" while these run, as Redis. */
        c->lastcmd = exec_cmd;
        c->cmd = m->cmds[i].cmd;
        c->argv = m->cmds[i].argv;
        c->argc = m->cmds[i].argc;
        cmd_call(c);
    }
    c->cmd = exec_cmd;
    c->argv = exec_argv;
    c->argc = exec_argc;
    if (!deny) {
        c->flags &= ~CF_DENY_BLOCKING;
    }
    discard(c);
}

void cmd_watch(client *c)
{
    if (multi_active(c)) {
        reply_error(c, "WATCH inside MULTI is not allowed");
        return;
    }
    /* Already doomed: watching more changes nothing. */
    if (!multi_dirty(c)) {
        for (int i = 1; i < c->argc; i++) {
            watch_key(c, &c->argv[i]);
        }
    }
    reply_ok(c);
}

void cmd_unwatch(client *c)
{
    unwatch_all(c);
    if (c->multi != NULL) {
        c->multi->dirty_cas = 0;
    }
    release_if_idle(c);
    reply_ok(c);
}
