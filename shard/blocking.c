/* blocking: clients waiting on keys. Per database, a table from key to the
 * FIFO of clients waiting on it; a list of keys signalled ready, served
 * after each top-level command by running the waiters' requests again; a
 * libev timer per waiting client with a timeout. */
#include "blocking.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "net.h"
#include "reply.h"
#include "util.h"

/* One client waiting on one key: a node of that key's queue. */
typedef struct waiter {
    struct waiter *prev, *next;
    client *c;
    struct key_queue *q;
} waiter;

/* The clients waiting on one key, oldest first. */
typedef struct key_queue {
    waiter *head, *tail;
    long len;
    dict_entry *de; /* our entry in keys[dbid]: the key bytes */
    int dbid;
    int pinned; /* being served: emptied, it stays until that ends */
} key_queue;

typedef struct ready_key {
    struct ready_key *next;
    int dbid;
    size_t len;
    char key[];
} ready_key;

struct blocked_state {
    client *c;
    ev_timer timer;     /* running iff deadline != 0 while waiting */
    long long deadline; /* ms, 0 = none */
    int type;           /* the value type awaited */
    int nkeys;
    waiter *waiters;    /* nkeys of them; NULL when not waiting */
    const char *served; /* key being served (blocking_served_key) */
    size_t served_len;
    void *priv;
    void (*priv_free)(void *);
    int queued; /* in the unblocked queue */
    client *queue_next;
};

struct blocking_state {
    server *srv;
    dict **keys;      /* per db id: key -> key_queue *, on first use */
    dict **ready_set; /* per db id: keys now in the ready list */
    ready_key *ready_head, *ready_tail;
    client *unblocked_head, *unblocked_tail;
    size_t blocked;      /* clients waiting */
    size_t with_timeout; /* ... of them with a deadline */
    int serving;
};

int blocking_setup(server *srv)
{
    blocking_state *st = mem_calloc(sizeof(*st));

    st->srv = srv;
    st->keys = mem_calloc(sizeof(dict *) * (size_t)srv->dbnum);
    st->ready_set = mem_calloc(sizeof(dict *) * (size_t)srv->dbnum);
    for (int i = 0; i < srv->dbnum; i++) {
        srv->dbs[i].srv = srv;
    }
    srv->blocking = st;
    return 0;
}

void blocking_teardown(server *srv)
{
    blocking_state *st = srv->blocking;

    if (st == NULL) {
        return;
    }
    /* Clients are gone, so are their queues; ready keys may remain. */
    while (st->ready_head != NULL) {
        ready_key *r = st->ready_head;
        st->ready_head = r->next;
        mem_free(r);
    }
    for (int i = 0; i < srv->dbnum; i++) {
        dict_destroy(&st->keys[i]);
        dict_destroy(&st->ready_set[i]);
    }
    mem_free(st->keys);
    mem_free(st->ready_set);
    mem_free(st);
    srv->blocking = NULL;
}

/* ---- timeouts ---- */

int blocking_parse_timeout(client *c, const arg *a, int unit,
                           long long *deadline)
{
    long long ms;

    if (unit == BLOCK_UNIT_SECONDS) {
        long double secs;
        if (util_str2ld(a->p, a->n, &secs) != 0) {
            reply_error(c, "timeout is not a float or out of range");
            return -1;
        }
        /* Redis rounds up to whole ms (0.0001 waits 1 ms; -0.0001 gives
         * 0, "forever") and converts with a plain cast: on x86 anything
         * out of range comes out as LLONG_MIN, hence "negative" for 1e100
         * or inf. */
        long double v = ceill(secs * 1000.0L);
        if (v > -9223372036854775808.0L && v < 9223372036854775808.0L) {
            ms = (long long)v;
        } else {
            ms = LLONG_MIN;
        }
    } else if (util_str2ll(a->p, a->n, &ms) != 0) {
        reply_error(c, "timeout is not an integer or out of range");
        return -1;
    }
    if (ms < 0) {
        reply_error(c, "timeout is negative");
        return -1;
    }
    if (ms > 0) {
        long long now = c->srv->mstime;
        /* redis-server 7.0 overflows here, and the client then waits
         * forever: so does ours. */
        ms = ms > LLONG_MAX - now ? LLONG_MAX : ms + now;
    }
    *deadline = ms;
    return 0;
}

static void run_again(client *c, const char *key, size_t len, int timedout);

static void arm_timer(blocked_state *b)
{
    server *srv = b->c->srv;
    /* Timers count from the loop's clock, which lags during a callback. */
    double after = (double)b->deadline / 1000.0 - ev_now(srv->loop);

    ev_timer_set(&b->timer, after > 0 ? after : 0, 0.0);
    ev_timer_start(srv->loop, &b->timer);
}

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
    blocked_state *b = w->data;

    (void)loop;
    (void)revents;
    if (util_mstime() < b->deadline) {
        arm_timer(b); /* woke a little early: rounding */
        return;
    }
    run_again(b->c, NULL, 0, 1);
}

/* ---- waiting ---- */

int blocking_allowed(const client *c)
{
    return c->fd >= 0 && !(c->flags & (CF_DENY_BLOCKING | CF_FAKE));
}

static void queue_append(key_queue *q, waiter *w)
{
    w->q = q;
    w->next = NULL;
    w->prev = q->tail;
    if (q->tail != NULL) {
        q->tail->next = w;
    } else {
        q->head = w;
    }
    q->tail = w;
    q->len++;
}

static void queue_drop(blocking_state *st, key_queue *q)
{
    dict_entry *de = q->de;

    dict_delete(st->keys[q->dbid], de->key, de->klen);
    mem_free(q);
}

static void queue_unlink(blocking_state *st, waiter *w)
{
    key_queue *q = w->q;

    if (w->prev != NULL) {
        w->prev->next = w->next;
    } else {
        q->head = w->next;
    }
    if (w->next != NULL) {
        w->next->prev = w->prev;
    } else {
        q->tail = w->prev;
    }
    q->len--;
    if (q->len == 0 && !q->pinned) {
        queue_drop(st, q);
    }
}

void blocking_block(client *c, const arg *keys, int nkeys, long long deadline,
                    int type)
{
    blocking_state *st = c->srv->blocking;
    int dbid = c->db->id;

    /* Run again and still nothing: keep the place in line. */
    if ((c->flags & CF_BLOCK_RERUN) && c->blk != NULL &&
        c->blk->waiters != NULL) {
        c->flags |= CF_BLOCKED;
        return;
    }
    blocked_state *b = c->blk;
    if (b == NULL) {
        b = mem_calloc(sizeof(*b));
        b->c = c;
        ev_init(&b->timer, on_timeout);
        b->timer.data = b;
        c->blk = b;
    }
    b->deadline = deadline;
    b->type = type;
    b->waiters = mem_calloc(sizeof(waiter) * (size_t)(nkeys > 0 ? nkeys : 1));
    b->nkeys = 0;
    if (st->keys[dbid] == NULL) {
        st->keys[dbid] = dict_create(NULL);
    }
    for (int i = 0; i < nkeys; i++) {
        int existed;
        dict_entry *de =
            dict_add_or_find(st->keys[dbid], keys[i].p, keys[i].n, &existed);
        key_queue *q = de->v.ptr;
        if (q == NULL) {
            q = mem_calloc(sizeof(*q));
            q->de = de;
            q->dbid = dbid;
            de->v.ptr = q;
        } else if (q->tail != NULL && q->tail->c == c) {
            continue; /* a key named twice: we are already its last */
        }
        waiter *w = &b->waiters[b->nkeys++];
        w->c = c;
        queue_append(q, w);
    }
    if (deadline != 0) {
        arm_timer(b);
        st->with_timeout++;
    }
    st->blocked++;
    c->flags |= CF_BLOCKED;
}

/* c stops waiting: out of every queue, timer stopped, private data freed. */
static void stop_waiting(client *c)
{
    blocking_state *st = c->srv->blocking;
    blocked_state *b = c->blk;

    if (b == NULL || b->waiters == NULL) {
        return;
    }
    for (int i = 0; i < b->nkeys; i++) {
        queue_unlink(st, &b->waiters[i]);
    }
    mem_free(b->waiters);
    b->waiters = NULL;
    b->nkeys = 0;
    if (b->deadline != 0) {
        ev_timer_stop(c->srv->loop, &b->timer);
        st->with_timeout--;
    }
    if (b->priv_free != NULL) {
        b->priv_free(b->priv);
    }
    b->priv = NULL;
    b->priv_free = NULL;
    st->blocked--;
    c->flags &= ~CF_BLOCKED;
}

int blocking_served_key(const client *c, arg *key)
{
    if (c->blk == NULL || c->blk->served == NULL) {
        return 0;
    }
    key->p = c->blk->served;
    key->n = c->blk->served_len;
    return 1;
}

void blocking_set_priv(client *c, void *priv, void (*free_fn)(void *))
{
    blocked_state *b = c->blk;

    if (b == NULL) {
        if (free_fn != NULL) {
            free_fn(priv);
        }
        return;
    }
    if (b->priv_free != NULL && b->priv != priv) {
        b->priv_free(b->priv);
    }
    b->priv = priv;
    b->priv_free = free_fn;
}

void *blocking_priv(const client *c)
{
    return c->blk != NULL ? c->blk->priv : NULL;
}

void blocking_reply_timeout(client *c)
{
    reply_null_array(c);
}

/* Queue c to have the rest of its input processed before the loop
 * sleeps: not now, as we may be deep inside another client's command. */
static void queue_unblocked(client *c)
{
    blocking_state *st = c->srv->blocking;
    blocked_state *b = c->blk;

    if (b->queued) {
        return;
    }
    b->queued = 1;
    b->queue_next = NULL;
    if (st->unblocked_tail != NULL) {
        st->unblocked_tail->blk->queue_next = c;
    } else {
        st->unblocked_head = c;
    }
    st->unblocked_tail = c;
}

/* Runs c's held request again: for the ready key (key != NULL), or to
 * give the timeout reply. */
static void run_again(client *c, const char *key, size_t len, int timedout)
{
    blocked_state *b = c->blk;

    c->flags &= ~CF_BLOCKED;
    c->flags |= CF_BLOCK_RERUN | (timedout ? CF_BLOCK_TIMEDOUT : 0);
    b->served = key;
    b->served_len = len;
    int rc = net_rerun_held(c);
    c->flags &= ~(CF_BLOCK_RERUN | CF_BLOCK_TIMEDOUT);
    b->served = NULL;
    if (rc < 0) {
        /* The held request no longer parses: cannot happen, but never
         * leave the client waiting on nothing. */
        c->flags &= ~CF_BLOCKED;
        net_client_close_async(c);
    }
    if (!(c->flags & CF_BLOCKED)) {
        stop_waiting(c);
        queue_unblocked(c);
    }
}

/* ---- ready keys ---- */

void blocking_signal_key_ready(db *d, const char *key, size_t len, int type)
{
    blocking_state *st;

    if (type != OBJ_LIST && type != OBJ_ZSET && type != OBJ_STREAM) {
        return;
    }
    if (d->srv == NULL || (st = d->srv->blocking) == NULL || st->blocked == 0 ||
        st->keys[d->id] == NULL ||
        dict_find(st->keys[d->id], key, len) == NULL) {
        return;
    }
    if (st->ready_set[d->id] == NULL) {
        st->ready_set[d->id] = dict_create(NULL);
    }
    if (dict_add(st->ready_set[d->id], key, len) == NULL) {
        return; /* already in the list */
    }
    ready_key *r = mem_alloc(sizeof(*r) + len + 1);
    r->next = NULL;
    r->dbid = d->id;
    r->len = len;
    memcpy(r->key, key, len);
    r->key[len] = '\0';
    if (st->ready_tail != NULL) {
        st->ready_tail->next = r;
    } else {
        st->ready_head = r;
    }
    st->ready_tail = r;
}

void blocking_scan_db(db *d)
{
    blocking_state *st = d->srv != NULL ? d->srv->blocking : NULL;
    dict_iter it;
    dict_entry *de;

    if (st == NULL || st->keys[d->id] == NULL) {
        return;
    }
    dict_iter_init(&it, st->keys[d->id]);
    while ((de = dict_iter_next(&it)) != NULL) {
        obj *o = db_find(d, de->key, de->klen);
        /* A key now absent may have been a stream: its XREADGROUP
         * waiters must hear of it (serve_key). */
        blocking_signal_key_ready(d, de->key, de->klen,
                                  o != NULL ? o->type : OBJ_STREAM);
    }
    dict_iter_deinit(&it);
}

static void serve_key(blocking_state *st, const ready_key *r)
{
    server *srv = st->srv;
    db *d = &srv->dbs[r->dbid];
    dict_entry *de = st->keys[r->dbid] != NULL
                         ? dict_find(st->keys[r->dbid], r->key, r->len)
                         : NULL;

    if (de == NULL) {
        return;
    }
    key_queue *q = de->v.ptr;
    long n = q->len;
    waiter *w = q->head;
    q->pinned = 1;
    /* Only the client being run leaves the queue meanwhile, so the next
     * waiter stays valid; n bounds the walk to the clients there now. */
    while (n-- > 0 && w != NULL) {
        waiter *next = w->next;
        db_expire_if_needed(srv, d, r->key, r->len);
        obj *o = db_find(d, r->key, r->len);
        client *c = w->c;
        /* Stream waiters also run when their key is gone or holds another
         * type: XREADGROUP then fails as in Redis 7.0, XREAD waits on. */
        int wake = c->blk->type == OBJ_STREAM ||
                   (o != NULL && c->blk->type == o->type);
        if (wake && !(c->flags & CF_CLOSE_ASAP)) {
            run_again(c, r->key, r->len, 0);
        }
        w = next;
    }
    q->pinned = 0;
    if (q->len == 0) {
        queue_drop(st, q);
    }
}

void blocking_serve_ready(server *srv)
{
    blocking_state *st = srv->blocking;

    if (st == NULL || st->ready_head == NULL || st->serving) {
        return;
    }
    st->serving = 1;
    /* Keys that become ready while serving (BLMOVE's destination) go to
     * the tail and are served in this same loop, as Redis does. */
    while (st->ready_head != NULL) {
        ready_key *r = st->ready_head;
        st->ready_head = r->next;
        if (st->ready_head == NULL) {
            st->ready_tail = NULL;
        }
        dict_delete(st->ready_set[r->dbid], r->key, r->len);
        serve_key(st, r);
        mem_free(r);
    }
    st->serving = 0;
}

void blocking_before_sleep(server *srv)
{
    blocking_state *st = srv->blocking;

    /* Keys signalled outside any command (active expiry deleting a
     * stream) are served here, as Redis's beforeSleep does. */
    blocking_serve_ready(srv);
    while (st != NULL && st->unblocked_head != NULL) {
        client *c = st->unblocked_head;
        st->unblocked_head = c->blk->queue_next;
        if (st->unblocked_head == NULL) {
            st->unblocked_tail = NULL;
        }
        c->blk->queued = 0;
        c->blk->queue_next = NULL;
        /* May run more commands, block again, or free c. */
        net_process_input(c);
    }
}

void blocking_remove(client *c)
{
    blocking_state *st = c->srv->blocking;
    blocked_state *b = c->blk;

    if (b == NULL) {
        return;
    }
    stop_waiting(c);
    if (b->queued) {
        client *prev = NULL;
        for (client *x = st->unblocked_head; x != NULL;
             x = x->blk->queue_next) {
            if (x == c) {
                if (prev != NULL) {
                    prev->blk->queue_next = b->queue_next;
                } else {
                    st->unblocked_head = b->queue_next;
                }
                if (st->unblocked_tail == c) {
                    st->unblocked_tail = prev;
                }
                break;
            }
            prev = x;
        }
    }
    mem_free(b);
    c->blk = NULL;
}

size_t blocking_clients(const server *srv)
{
    return srv->blocking != NULL ? srv->blocking->blocked : 0;
}

size_t blocking_clients_with_timeout(const server *srv)
{
    return srv->blocking != NULL ? srv->blocking->with_timeout : 0;
}
