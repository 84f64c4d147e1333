/* tracking: client-side caching. A table of key -> ids of the clients that
 * read it (a key is forgotten once invalidated), a table of BCAST prefixes
 * with the keys changed since the last loop iteration, and the CLIENT
 * TRACKING/CACHING/GETREDIR/TRACKINGINFO commands, with Redis 7.0's
 * replies and message shapes. */
#include "tracking.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "dict.h"
#include "mem.h"
#include "pubsub.h"
#include "reply.h"
#include "util.h"

#define INVALIDATE_CHANNEL "__redis__:invalidate"

/* The ids of the clients that read one key. Kept in the order Redis's
 * radix tree of raw (little-endian) ids visits them, so several clients
 * redirecting to one connection see their messages in Redis's order. */
typedef struct id_set {
    size_t n, cap;
    uint64_t ids[];
} id_set;

/* One BCAST prefix: who follows it, and the keys changed since the last
 * broadcast, each with the id of the last client that changed it (0 for
 * expiry) so NOLOOP clients can skip their own changes. */
typedef struct bcast_prefix {
    str prefix;
    client **clients;
    int nclients, cap;
    dict *pending; /* key -> v.u64 client id */
} bcast_prefix;

typedef struct tracking_state {
    dict *keys;              /* key -> id_set * */
    long long items;         /* (key, client) pairs in keys */
    bcast_prefix **prefixes; /* sorted by prefix bytes */
    int nprefixes, cap;
    dict *by_id;        /* 8 id bytes -> client * (every client) */
    long long nclients; /* with tracking on */
    /* The client whose command is running (outermost cmd_call) and the
     * invalidations for it held until its reply is out (NULL: flush). */
    int depth;
    int limit_rounds; /* calls that found the table over its limit */
    client *running;
    str *held;
    int nheld, heldcap;
} tracking_state;

static void invalidate_table_key(tracking_state *st, const char *key,
                                 size_t len);
static void limit_table(server *srv, tracking_state *st);

static void free_id_set(void *p)
{
    mem_free(p);
}

static const dict_type keys_type = {.val_free = free_id_set};
static const dict_type plain_type = {.val_free = NULL};

int tracking_setup(server *srv)
{
    tracking_state *st = mem_calloc(sizeof(*st));

    st->keys = dict_create(&keys_type);
    st->by_id = dict_create(&plain_type);
    srv->tracking = st;
    return 0;
}

static void free_prefix(bcast_prefix *p)
{
    str_free(p->prefix);
    mem_free(p->clients);
    dict_destroy(&p->pending);
    mem_free(p);
}

void tracking_teardown(server *srv)
{
    tracking_state *st = srv->tracking;

    if (st == NULL) {
        return;
    }
    dict_destroy(&st->keys);
    dict_destroy(&st->by_id);
    for (int i = 0; i < st->nprefixes; i++) {
        free_prefix(st->prefixes[i]);
    }
    mem_free(st->prefixes);
    for (int i = 0; i < st->nheld; i++) {
        str_free(st->held[i]);
    }
    mem_free(st->held);
    mem_free(st);
    srv->tracking = NULL;
}

/* ---- clients by id ---- */

void tracking_client_created(client *c)
{
    tracking_state *st = c->srv->tracking;
    int existed;

    if (st == NULL) {
        return;
    }
    dict_entry *de =
        dict_add_or_find(st->by_id, &c->id, sizeof(c->id), &existed);
    de->v.ptr = c;
}

void tracking_client_freed(client *c)
{
    tracking_state *st = c->srv->tracking;

    tracking_disable(c);
    if (st == NULL) {
        return;
    }
    dict_entry *de = dict_find(st->by_id, &c->id, sizeof(c->id));
    if (de != NULL && de->v.ptr == c) {
        dict_delete(st->by_id, &c->id, sizeof(c->id));
    }
    if (st->running == c) {
        st->running = NULL;
    }
}

static client *client_by_id(tracking_state *st, uint64_t id)
{
    dict_entry *de = dict_find(st->by_id, &id, sizeof(id));

    return de != NULL ? de->v.ptr : NULL;
}

/* ---- sending ---- */

/* Write an invalidation for n keys (n == -1: a flush, sent as a null)
 * meant for target: to it, or to its redirect client. */
static void write_invalidation(tracking_state *st, client *target,
                               const char *const *keys, const size_t *lens,
                               long n)
{
    client *dest = target;
    int redirected = 0;

    if (target->trk_redirect != 0) {
        dest = client_by_id(st, target->trk_redirect);
        if (dest == NULL) {
            /* Redis says so on every invalidation that could not go out
             * (RESP3 only: RESP2 has no frame for it). */
            target->trk_flags |= TRK_BROKEN_REDIR;
            if (target->resp > 2) {
                reply_push_len(target, 2);
                reply_bulk(target, "tracking-redir-broken", 21);
                reply_ll(target, (long long)target->trk_redirect);
            }
            return;
        }
        redirected = 1;
    }
    if (dest->resp > 2) {
        reply_push_len(dest, 2);
        reply_bulk(dest, "invalidate", 10);
    } else if (redirected && pubsub_client_subscribed(dest)) {
        if (n >= 0 || target->resp == 2) {
            pubsub_send_message_array(dest, INVALIDATE_CHANNEL,
                                      sizeof(INVALIDATE_CHANNEL) - 1, keys,
                                      lens, n);
            return;
        }
        /* A flush for a RESP3 client carries RESP3's null even to a RESP2
         * subscriber: Redis writes the tracking client's null. */
        reply_array_len(dest, 3);
        reply_bulk(dest, "message", 7);
        reply_bulk(dest, INVALIDATE_CHANNEL, sizeof(INVALIDATE_CHANNEL) - 1);
        reply_raw(dest, "_\r\n", 3);
        return;
    } else {
        return; /* RESP2 without a subscribed redirect: nowhere to say it */
    }
    if (n < 0) {
        /* The tracking client's null, whatever the receiver speaks. */
        if (target->resp > 2) {
            reply_raw(dest, "_\r\n", 3);
        } else {
            reply_raw(dest, "$-1\r\n", 5);
        }
        return;
    }
    reply_array_len(dest, n);
    for (long i = 0; i < n; i++) {
        reply_bulk(dest, keys[i], lens[i]);
    }
}

/* As write_invalidation. Pushes reach a client even under CLIENT REPLY
 * OFF/SKIP (Redis 7.0.15 lets them through). */
static void send_invalidation(tracking_state *st, client *target,
                              const char *const *keys, const size_t *lens,
                              long n)
{
    client *dest = target->trk_redirect != 0
                       ? client_by_id(st, target->trk_redirect)
                       : NULL;
    int tmode = target->reply_mode;
    int dmode = dest != NULL ? dest->reply_mode : REPLY_ON;

    target->reply_mode = REPLY_ON;
    if (dest != NULL) {
        dest->reply_mode = REPLY_ON;
    }
    write_invalidation(st, target, keys, lens, n);
    target->reply_mode = tmode;
    if (dest != NULL) {
        dest->reply_mode = dmode;
    }
}

static void hold(tracking_state *st, const char *key, size_t len)
{
    if (st->nheld == st->heldcap) {
        st->heldcap = st->heldcap ? st->heldcap * 2 : 8;
        st->held = mem_realloc(st->held, sizeof(str) * (size_t)st->heldcap);
    }
    st->held[st->nheld++] = key != NULL ? str_new(key, len) : NULL;
}

/* The running client's own invalidations, after its reply (Redis 7.0.15
 * sends them once the outermost command is done). */
static void flush_held(tracking_state *st)
{
    client *c = st->running;

    for (int i = 0; i < st->nheld; i++) {
        str k = st->held[i];
        if (c != NULL) {
            if (k != NULL) {
                const char *kp = k;
                size_t kl = str_len(k);
                send_invalidation(st, c, &kp, &kl, 1);
            } else {
                send_invalidation(st, c, NULL, NULL, -1);
            }
        }
        str_free(k);
    }
    st->nheld = 0;
}

/* ---- the key table ---- */

/* Radix order of an id stored as its raw little-endian bytes. */
static uint64_t id_order(uint64_t id)
{
    return __builtin_bswap64(id);
}

/* Add id to the set in de. Returns 1 if it was not there. */
static int id_set_add(dict_entry *de, uint64_t id)
{
    id_set *s = de->v.ptr;
    size_t lo = 0, hi = s != NULL ? s->n : 0;
    uint64_t want = id_order(id);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint64_t have = id_order(s->ids[mid]);
        if (have == want) {
            return 0;
        }
        if (have < want) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (s == NULL || s->n == s->cap) {
        size_t cap = s != NULL ? s->cap * 2 : 2;
        s = mem_realloc(s, sizeof(*s) + sizeof(uint64_t) * cap);
        if (de->v.ptr == NULL) {
            s->n = 0;
        }
        s->cap = cap;
        de->v.ptr = s;
    }
    memmove(&s->ids[lo + 1], &s->ids[lo], sizeof(uint64_t) * (s->n - lo));
    s->ids[lo] = id;
    s->n++;
    return 1;
}

static int is_script_ro(const command *cmd)
{
    return cmd->parent == NULL && (strcmp(cmd->name, "eval_ro") == 0 ||
                                   strcmp(cmd->name, "evalsha_ro") == 0 ||
                                   strcmp(cmd->name, "fcall_ro") == 0);
}

/* After a read-only command: remember that c read the keys of its
 * command (for a script's commands, c is the caller and its command the
 * EVAL/FCALL, as Redis does), unless OPTIN without CACHING YES or OPTOUT
 * with CACHING NO. */
static void remember_keys(client *c)
{
    tracking_state *st = c->srv->tracking;
    const command *cmd = c->cmd;
    int f = c->trk_flags;
    key_ref stack[16], *refs = stack;

    if ((f & TRK_OPTIN && !(f & TRK_CACHING)) ||
        (f & TRK_OPTOUT && (f & TRK_CACHING))) {
        return;
    }
    /* Shard channels look like keys but are not cached data. */
    if (cmd->flags & CMD_PUBSUB) {
        return;
    }
    if (c->argc > (int)(sizeof(stack) / sizeof(*stack))) {
        refs = mem_alloc(sizeof(key_ref) * (size_t)c->argc);
    }
    int n = cmd_get_keys(cmd, c->argv, c->argc, refs, c->argc);
    for (int i = 0; i < n; i++) {
        const arg *k = &c->argv[refs[i].pos];
        int existed;
        dict_entry *de = dict_add_or_find(st->keys, k->p, k->n, &existed);
        if (!existed) {
            de->v.ptr = NULL;
        }
        st->items += id_set_add(de, c->id);
    }
    if (refs != stack) {
        mem_free(refs);
    }
}

void tracking_call_begin(client *c)
{
    tracking_state *st = c->srv->tracking;

    if (st == NULL) {
        return;
    }
    if (st->depth++ == 0) {
        st->running = c;
    }
}

void tracking_call_end(client *c)
{
    tracking_state *st = c->srv->tracking;

    if (st == NULL) {
        return;
    }
    /* A script's command reads for the script's caller. */
    client *owner = c;
    if ((c->flags & CF_FAKE) && st->running != NULL && st->running != c) {
        owner = st->running;
    }
    /* A blocked read that timed out did not run again; EVAL_RO and the
     * like track through the commands they run, not by themselves. */
    if ((owner->trk_flags & (TRK_ON | TRK_BCAST)) == TRK_ON && c->cmd != NULL &&
        (c->cmd->flags & CMD_READONLY) && !is_script_ro(c->cmd) &&
        !(c->flags & CF_BLOCK_TIMEDOUT) && owner->cmd != NULL) {
        remember_keys(owner);
    }
    if (st->depth == 1 && st->nclients > 0) {
        limit_table(c->srv, st); /* c's own invalidations are held */
    }
    if (--st->depth == 0) {
        flush_held(st);
        st->running = NULL;
    }
}

/* Over tracking-table-max-keys: invalidate random keys (as if changed)
 * until under it, with an effort that grows while the table stays over
 * the limit (Redis's approach). Runs as a command ends, so the running
 * client counts for NOLOOP and gets its invalidations after its reply. */
static void limit_table(server *srv, tracking_state *st)
{
    long long max = srv->cfg.tracking_table_max_keys;

    if (max <= 0 || (long long)dict_size(st->keys) <= max) {
        st->limit_rounds = 0;
        return;
    }
    int effort = 100 * (st->limit_rounds + 1);
    while (effort-- > 0) {
        dict_entry *de = dict_random(st->keys);
        if (de == NULL) {
            break;
        }
        str key = str_new(de->key, de->klen);
        invalidate_table_key(st, key, str_len(key));
        str_free(key);
        if ((long long)dict_size(st->keys) <= max) {
            st->limit_rounds = 0;
            return;
        }
    }
    st->limit_rounds++;
}

/* CLIENT CACHING lasts for one command: Redis drops it after any command
 * that is not a CLIENT subcommand, unless the client is in MULTI. Called
 * as the next request starts, with c->cmd still the previous command. */
void tracking_before_command(client *c, int in_multi)
{
    const command *prev = c->cmd;

    if (!(c->trk_flags & TRK_CACHING) || in_multi) {
        return;
    }
    if (prev != NULL && prev->parent != NULL &&
        strcmp(prev->parent->name, "client") == 0) {
        return;
    }
    if (prev != NULL && strcmp(prev->name, "client") == 0) {
        return;
    }
    c->trk_flags &= ~TRK_CACHING;
}

/* Queue key for the BCAST prefixes it matches. */
static void bcast_remember(tracking_state *st, client *c, const char *key,
                           size_t len)
{
    for (int i = 0; i < st->nprefixes; i++) {
        bcast_prefix *p = st->prefixes[i];
        size_t plen = str_len(p->prefix);
        if (plen <= len && memcmp(key, p->prefix, plen) == 0) {
            int existed;
            dict_entry *de = dict_add_or_find(p->pending, key, len, &existed);
            /* The last writer wins, as Redis records it. */
            de->v.u64 = c != NULL ? c->id : 0;
        }
    }
}

void tracking_invalidate_key(server *srv, client *c, const char *key,
                             size_t len)
{
    tracking_state *st = srv != NULL ? srv->tracking : NULL;

    if (st == NULL) {
        return;
    }
    if (st->nprefixes > 0) {
        bcast_remember(st, c, key, len);
    }
    invalidate_table_key(st, key, len);
}

/* The key table part of an invalidation (no BCAST). */
static void invalidate_table_key(tracking_state *st, const char *key,
                                 size_t len)
{
    if (dict_size(st->keys) == 0) {
        return;
    }
    dict_entry *de = dict_unlink(st->keys, key, len);
    if (de == NULL) {
        return;
    }
    id_set *s = de->v.ptr;
    de->v.ptr = NULL;
    dict_free_entry(st->keys, de);
    if (s == NULL) {
        return;
    }
    st->items -= (long long)s->n;
    for (size_t i = 0; i < s->n; i++) {
        client *t = client_by_id(st, s->ids[i]);
        /* Clients that turned tracking off, or on again in BCAST mode, get
         * nothing for keys they read before. */
        if (t == NULL || !(t->trk_flags & TRK_ON) ||
            (t->trk_flags & TRK_BCAST)) {
            continue;
        }
        if ((t->trk_flags & TRK_NOLOOP) && t == st->running) {
            continue;
        }
        if (t == st->running && st->depth > 0) {
            hold(st, key, len);
            continue;
        }
        send_invalidation(st, t, &key, &len, 1);
    }
    mem_free(s);
}

void tracking_invalidate_all(server *srv)
{
    tracking_state *st = srv->tracking;

    if (st == NULL) {
        return;
    }
    if (st->nclients > 0) {
        /* Oldest connection first, as Redis walks its client list. */
        client *t = srv->clients;
        while (t != NULL && t->next != NULL) {
            t = t->next;
        }
        for (; t != NULL; t = t->prev) {
            if (!(t->trk_flags & TRK_ON)) {
                continue;
            }
            if (t == st->running && st->depth > 0) {
                hold(st, NULL, 0);
            } else {
                send_invalidation(st, t, NULL, NULL, -1);
            }
        }
    }
    dict_clear(st->keys);
    st->items = 0;
}

/* ---- BCAST ---- */

static int key_cmp(const void *a, const void *b)
{
    const dict_entry *x = *(dict_entry *const *)a;
    const dict_entry *y = *(dict_entry *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int r = memcmp(x->key, y->key, n);

    if (r != 0) {
        return r;
    }
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static void broadcast_prefix(tracking_state *st, bcast_prefix *p)
{
    size_t n = dict_size(p->pending), got = 0;
    dict_entry **ents = mem_alloc(sizeof(*ents) * n);
    const char **keys = mem_alloc(sizeof(*keys) * n);
    size_t *lens = mem_alloc(sizeof(*lens) * n);
    dict_iter it;
    dict_entry *de;

    dict_iter_init(&it, p->pending);
    while ((de = dict_iter_next(&it)) != NULL && got < n) {
        ents[got++] = de;
    }
    dict_iter_deinit(&it);
    qsort(ents, got, sizeof(*ents), key_cmp);
    for (int ci = 0; ci < p->nclients; ci++) {
        client *t = p->clients[ci];
        long m = 0;
        for (size_t i = 0; i < got; i++) {
            if ((t->trk_flags & TRK_NOLOOP) && ents[i]->v.u64 == t->id) {
                continue;
            }
            keys[m] = ents[i]->key;
            lens[m] = ents[i]->klen;
            m++;
        }
        if (m > 0) {
            send_invalidation(st, t, keys, lens, m);
        }
    }
    mem_free(ents);
    mem_free(keys);
    mem_free(lens);
    dict_clear(p->pending);
}

void tracking_before_sleep(server *srv)
{
    tracking_state *st = srv->tracking;

    if (st == NULL) {
        return;
    }
    for (int i = 0; i < st->nprefixes; i++) {
        if (dict_size(st->prefixes[i]->pending) > 0) {
            broadcast_prefix(st, st->prefixes[i]);
        }
    }
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int r = memcmp(a, b, n);

    if (r != 0) {
        return r;
    }
    return an < bn ? -1 : an > bn;
}

/* Index of prefix in the sorted table, or where it would go (*found 0). */
static int prefix_index(tracking_state *st, const char *p, size_t n, int *found)
{
    int lo = 0, hi = st->nprefixes;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        str have = st->prefixes[mid]->prefix;
        int r = bytes_cmp(have, str_len(have), p, n);
        if (r == 0) {
            *found = 1;
            return mid;
        }
        if (r < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = 0;
    return lo;
}

static void follow_prefix(client *c, const char *p, size_t n)
{
    tracking_state *st = c->srv->tracking;
    int found;
    int at = prefix_index(st, p, n, &found);
    bcast_prefix *bp;

    if (!found) {
        bp = mem_calloc(sizeof(*bp));
        bp->prefix = str_new(p, n);
        bp->pending = dict_create(&plain_type);
        if (st->nprefixes == st->cap) {
            st->cap = st->cap ? st->cap * 2 : 4;
            st->prefixes = mem_realloc(st->prefixes,
                                       sizeof(*st->prefixes) * (size_t)st->cap);
        }
        memmove(&st->prefixes[at + 1], &st->prefixes[at],
                sizeof(*st->prefixes) * (size_t)(st->nprefixes - at));
        st->prefixes[at] = bp;
        st->nprefixes++;
    } else {
        bp = st->prefixes[at];
    }
    for (int i = 0; i < bp->nclients; i++) {
        if (bp->clients[i] == c) {
            return; /* already following it */
        }
    }
    if (bp->nclients == bp->cap) {
        bp->cap = bp->cap ? bp->cap * 2 : 4;
        bp->clients =
            mem_realloc(bp->clients, sizeof(*bp->clients) * (size_t)bp->cap);
    }
    bp->clients[bp->nclients++] = c;
    /* The client's own list, sorted as TRACKINGINFO shows it. */
    int pos = 0;
    while (pos < c->trk_nprefixes &&
           bytes_cmp(c->trk_prefixes[pos], str_len(c->trk_prefixes[pos]), p,
                     n) < 0) {
        pos++;
    }
    c->trk_prefixes = mem_realloc(c->trk_prefixes,
                                  sizeof(str) * (size_t)(c->trk_nprefixes + 1));
    memmove(&c->trk_prefixes[pos + 1], &c->trk_prefixes[pos],
            sizeof(str) * (size_t)(c->trk_nprefixes - pos));
    c->trk_prefixes[pos] = str_new(p, n);
    c->trk_nprefixes++;
}

static void unfollow_prefix(client *c, str p)
{
    tracking_state *st = c->srv->tracking;
    int found;
    int at = prefix_index(st, p, str_len(p), &found);

    if (!found) {
        return;
    }
    bcast_prefix *bp = st->prefixes[at];
    for (int i = 0; i < bp->nclients; i++) {
        if (bp->clients[i] == c) {
            bp->clients[i] = bp->clients[--bp->nclients];
            break;
        }
    }
    if (bp->nclients == 0) {
        free_prefix(bp);
        memmove(&st->prefixes[at], &st->prefixes[at + 1],
                sizeof(*st->prefixes) * (size_t)(st->nprefixes - at - 1));
        st->nprefixes--;
    }
}

void tracking_disable(client *c)
{
    tracking_state *st = c->srv->tracking;

    if (!(c->trk_flags & TRK_ON)) {
        return;
    }
    for (int i = 0; i < c->trk_nprefixes; i++) {
        if (st != NULL) {
            unfollow_prefix(c, c->trk_prefixes[i]);
        }
        str_free(c->trk_prefixes[i]);
    }
    mem_free(c->trk_prefixes);
    c->trk_prefixes = NULL;
    c->trk_nprefixes = 0;
    c->trk_flags = 0;
    if (st != NULL) {
        st->nclients--;
    }
}

/* ---- INFO / CLIENT LIST ---- */

long long tracking_client_count(const server *srv)
{
    return srv->tracking != NULL ? srv->tracking->nclients : 0;
}

long long tracking_total_keys(const server *srv)
{
    return srv->tracking != NULL ? (long long)dict_size(srv->tracking->keys)
                                 : 0;
}

long long tracking_total_items(const server *srv)
{
    return srv->tracking != NULL ? srv->tracking->items : 0;
}

long long tracking_total_prefixes(const server *srv)
{
    return srv->tracking != NULL ? srv->tracking->nprefixes : 0;
}

long long tracking_redirect_field(const client *c)
{
    return (c->trk_flags & TRK_ON) ? (long long)c->trk_redirect : -1;
}

/* ---- commands ---- */

static int arg_is(const arg *a, const char *word)
{
    size_t n = strlen(word);

    return a->n == n && strncasecmp(a->p, word, n) == 0;
}

/* 1 if one of a and b starts with the other (prefixes of one client must
 * not: a key would be announced twice). */
static int prefixes_overlap(const char *a, size_t an, const char *b, size_t bn)
{
    return memcmp(a, b, an < bn ? an : bn) == 0;
}

/* Redis formats these with %s: the text stops at a NUL byte. */
static int cstr_len(const char *p, size_t n)
{
    const char *z = memchr(p, '\0', n);

    return (int)(z != NULL ? (size_t)(z - p) : n);
}

static int check_prefixes(client *c, const arg *const *given, int n)
{
    for (int i = 0; i < n; i++) {
        const arg *a = given[i];
        for (int j = 0; j < c->trk_nprefixes; j++) {
            str have = c->trk_prefixes[j];
            if (prefixes_overlap(have, str_len(have), a->p, a->n)) {
                reply_errorf(c,
                             "Prefix '%.*s' overlaps with an existing prefix "
                             "'%.*s'. Prefixes for a single client must not "
                             "overlap.",
                             cstr_len(a->p, a->n), a->p,
                             cstr_len(have, str_len(have)), have);
                return -1;
            }
        }
        for (int j = i + 1; j < n; j++) {
            const arg *b = given[j];
            if (prefixes_overlap(a->p, a->n, b->p, b->n)) {
                reply_errorf(c,
                             "Prefix '%.*s' overlaps with another provided "
                             "prefix '%.*s'. Prefixes for a single client "
                             "must not overlap.",
                             cstr_len(a->p, a->n), a->p, cstr_len(b->p, b->n),
                             b->p);
                return -1;
            }
        }
    }
    return 0;
}

static void enable(client *c, uint64_t redirect, int options,
                   const arg *const *prefixes, int nprefixes)
{
    tracking_state *st = c->srv->tracking;

    if (!(c->trk_flags & TRK_ON)) {
        st->nclients++;
    }
    /* CACHING survives, as in Redis; the mode flags are set anew. */
    c->trk_flags &=
        ~(TRK_BROKEN_REDIR | TRK_BCAST | TRK_OPTIN | TRK_OPTOUT | TRK_NOLOOP);
    c->trk_flags |= TRK_ON;
    c->trk_redirect = redirect;
    if (options & TRK_BCAST) {
        c->trk_flags |= TRK_BCAST;
        if (nprefixes == 0) {
            follow_prefix(c, "", 0);
        }
        for (int i = 0; i < nprefixes; i++) {
            follow_prefix(c, prefixes[i]->p, prefixes[i]->n);
        }
    }
    c->trk_flags |= options & (TRK_OPTIN | TRK_OPTOUT | TRK_NOLOOP);
}

void cmd_client_tracking(client *c)
{
    tracking_state *st = c->srv->tracking;
    long long redirect = 0;
    int options = 0, nprefixes = 0;
    const arg **prefixes = NULL;

    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        const arg *a = &c->argv[j];
        if (arg_is(a, "redirect") && more) {
            j++;
            if (redirect != 0) {
                reply_error(c, "A client can only redirect to a single "
                               "other client");
                goto out;
            }
            if (util_str2ll(c->argv[j].p, c->argv[j].n, &redirect) != 0) {
                reply_error(c, ERR_NOT_INT);
                goto out;
            }
            /* The target must exist now; it may go away later. */
            if (client_by_id(st, (uint64_t)redirect) == NULL) {
                reply_error(c, "The client ID you want redirect to does "
                               "not exist");
                goto out;
            }
        } else if (arg_is(a, "bcast")) {
            options |= TRK_BCAST;
        } else if (arg_is(a, "optin")) {
            options |= TRK_OPTIN;
        } else if (arg_is(a, "optout")) {
            options |= TRK_OPTOUT;
        } else if (arg_is(a, "noloop")) {
            options |= TRK_NOLOOP;
        } else if (arg_is(a, "prefix") && more) {
            j++;
            prefixes = mem_realloc(prefixes,
                                   sizeof(*prefixes) * (size_t)(nprefixes + 1));
            prefixes[nprefixes++] = &c->argv[j];
        } else {
            reply_error(c, ERR_SYNTAX);
            goto out;
        }
    }
    if (arg_is(&c->argv[2], "on")) {
        if (!(options & TRK_BCAST) && nprefixes > 0) {
            reply_error(c, "PREFIX option requires BCAST mode to be enabled");
            goto out;
        }
        if ((c->trk_flags & TRK_ON) &&
            !!(c->trk_flags & TRK_BCAST) != !!(options & TRK_BCAST)) {
            reply_error(c, "You can't switch BCAST mode on/off before "
                           "disabling tracking for this client, and then "
                           "re-enabling it with a different mode.");
            goto out;
        }
        if ((options & TRK_BCAST) && (options & (TRK_OPTIN | TRK_OPTOUT))) {
            reply_error(c, "OPTIN and OPTOUT are not compatible with BCAST");
            goto out;
        }
        if ((options & TRK_OPTIN) && (options & TRK_OPTOUT)) {
            reply_error(c, "You can't specify both OPTIN mode and OPTOUT "
                           "mode");
            goto out;
        }
        if (((options & TRK_OPTIN) && (c->trk_flags & TRK_OPTOUT)) ||
            ((options & TRK_OPTOUT) && (c->trk_flags & TRK_OPTIN))) {
            reply_error(c, "You can't switch OPTIN/OPTOUT mode before "
                           "disabling tracking for this client, and then "
                           "re-enabling it with a different mode.");
            goto out;
        }
        if ((options & TRK_BCAST) &&
            check_prefixes(c, prefixes, nprefixes) != 0) {
            goto out;
        }
        enable(c, (uint64_t)redirect, options, prefixes, nprefixes);
    } else if (arg_is(&c->argv[2], "off")) {
        tracking_disable(c);
    } else {
        reply_error(c, ERR_SYNTAX);
        goto out;
    }
    reply_ok(c);
out:
    mem_free(prefixes);
}

void cmd_client_caching(client *c)
{
    if (!(c->trk_flags & TRK_ON)) {
        reply_error(c, "CLIENT CACHING can be called only when the client is "
                       "in tracking mode with OPTIN or OPTOUT mode enabled");
        return;
    }
    if (arg_is(&c->argv[2], "yes")) {
        if (!(c->trk_flags & TRK_OPTIN)) {
            reply_error(c, "CLIENT CACHING YES is only valid when tracking is "
                           "enabled in OPTIN mode.");
            return;
        }
    } else if (arg_is(&c->argv[2], "no")) {
        if (!(c->trk_flags & TRK_OPTOUT)) {
            reply_error(c, "CLIENT CACHING NO is only valid when tracking is "
                           "enabled in OPTOUT mode.");
            return;
        }
    } else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    c->trk_flags |= TRK_CACHING;
    reply_ok(c);
}

void cmd_client_getredir(client *c)
{
    reply_ll(c, tracking_redirect_field(c));
}

void cmd_client_trackinginfo(client *c)
{
    const char *flags[8];
    int n = 0, f = c->trk_flags;

    flags[n++] = (f & TRK_ON) ? "on" : "off";
    if (f & TRK_BCAST) {
        flags[n++] = "bcast";
    }
    if (f & TRK_OPTIN) {
        flags[n++] = "optin";
        if (f & TRK_CACHING) {
            flags[n++] = "caching-yes";
        }
    }
    if (f & TRK_OPTOUT) {
        flags[n++] = "optout";
        if (f & TRK_CACHING) {
            flags[n++] = "caching-no";
        }
    }
    if (f & TRK_NOLOOP) {
        flags[n++] = "noloop";
    }
    if (f & TRK_BROKEN_REDIR) {
        flags[n++] = "broken_redirect";
    }
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "flags");
    reply_set_len(c, n);
    for (int i = 0; i < n; i++) {
        reply_bulk_cstr(c, flags[i]);
    }
    reply_bulk_cstr(c, "redirect");
    reply_ll(c, tracking_redirect_field(c));
    reply_bulk_cstr(c, "prefixes");
    reply_array_len(c, c->trk_nprefixes);
    for (int i = 0; i < c->trk_nprefixes; i++) {
        reply_bulk(c, c->trk_prefixes[i], str_len(c->trk_prefixes[i]));
    }
}
