/* pubsub: who listens to what (channels, patterns, shard channels), the
 * (P|S)SUBSCRIBE family, PUBLISH/SPUBLISH delivery and PUBSUB
 * introspection, with Redis 7.0's replies in RESP2 and RESP3. */
#include "pubsub.h"

#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "mem.h"
#include "peer.h"
#include "reply.h"
#include "util.h"

/* The clients of one channel or pattern, in subscription order (the order
 * messages are delivered in). */
typedef struct sub_list {
    client **v;
    size_t n, cap;
} sub_list;

/* The three kinds of subscription share every code path. */
enum { KIND_CHANNEL, KIND_PATTERN, KIND_SHARD, KIND_COUNT };

struct pubsub_state {
    dict *subs[KIND_COUNT]; /* name -> sub_list * */
};

/* A client's own side: name -> nothing (membership only). */
struct pubsub_client {
    dict *subs[KIND_COUNT];
};

static const char *const sub_verb[KIND_COUNT] = {"subscribe", "psubscribe",
                                                 "ssubscribe"};
static const char *const unsub_verb[KIND_COUNT] = {
    "unsubscribe", "punsubscribe", "sunsubscribe"};

static void sub_list_free(void *p)
{
    sub_list *l = p;

    mem_free(l->v);
    mem_free(l);
}

static const dict_type sub_list_dict = {.val_free = sub_list_free};

int pubsub_setup(server *srv)
{
    srv->pubsub = mem_calloc(sizeof(*srv->pubsub));
    for (int k = 0; k < KIND_COUNT; k++) {
        srv->pubsub->subs[k] = dict_create(&sub_list_dict);
    }
    return 0;
}

void pubsub_teardown(server *srv)
{
    if (srv->pubsub == NULL) {
        return;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        dict_destroy(&srv->pubsub->subs[k]);
    }
    mem_free(srv->pubsub);
    srv->pubsub = NULL;
}

/* ---- counts ---- */

static long client_count(const client *c, int kind)
{
    if (c->pubsub == NULL) {
        return 0;
    }
    return (long)dict_size(c->pubsub->subs[kind]);
}

long pubsub_client_channels(const client *c)
{
    return client_count(c, KIND_CHANNEL);
}

long pubsub_client_patterns(const client *c)
{
    return client_count(c, KIND_PATTERN);
}

long pubsub_client_shard_channels(const client *c)
{
    return client_count(c, KIND_SHARD);
}

int pubsub_client_subscribed(const client *c)
{
    return client_count(c, KIND_CHANNEL) + client_count(c, KIND_PATTERN) +
               client_count(c, KIND_SHARD) >
           0;
}

int pubsub_client_obuf_class(const client *c)
{
    return pubsub_client_subscribed(c);
}

long pubsub_channel_count(const server *srv)
{
    return srv->pubsub ? (long)dict_size(srv->pubsub->subs[KIND_CHANNEL]) : 0;
}

long pubsub_pattern_count(const server *srv)
{
    return srv->pubsub ? (long)dict_size(srv->pubsub->subs[KIND_PATTERN]) : 0;
}

long pubsub_shard_channel_count(const server *srv)
{
    return srv->pubsub ? (long)dict_size(srv->pubsub->subs[KIND_SHARD]) : 0;
}

/* The count a (un)subscribe confirmation carries: shard channels count
 * alone, channels and patterns together (Redis 7.0). */
static long confirm_count(const client *c, int kind)
{
    if (kind == KIND_SHARD) {
        return client_count(c, KIND_SHARD);
    }
    return client_count(c, KIND_CHANNEL) + client_count(c, KIND_PATTERN);
}

/* ---- frames ---- */

static void send_confirm(client *c, const char *verb, const char *name,
                         size_t len, long count)
{
    reply_push_len(c, 3);
    reply_bulk_cstr(c, verb);
    if (name != NULL) {
        reply_bulk(c, name, len);
    } else {
        reply_null(c);
    }
    reply_ll(c, count);
}

void pubsub_send_message(client *c, const char *ch, size_t chlen,
                         const char *msg, size_t msglen)
{
    reply_push_len(c, 3);
    reply_bulk_cstr(c, "message");
    reply_bulk(c, ch, chlen);
    reply_bulk(c, msg, msglen);
}

void pubsub_send_message_array(client *c, const char *ch, size_t chlen,
                               const char *const *items, const size_t *lens,
                               long n)
{
    reply_push_len(c, 3);
    reply_bulk_cstr(c, "message");
    reply_bulk(c, ch, chlen);
    if (n < 0) {
        reply_null(c);
        return;
    }
    reply_array_len(c, n);
    for (long i = 0; i < n; i++) {
        reply_bulk(c, items[i], lens[i]);
    }
}

static void send_pmessage(client *c, const char *pat, size_t plen,
                          const char *ch, size_t chlen, const char *msg,
                          size_t msglen)
{
    reply_push_len(c, 4);
    reply_bulk_cstr(c, "pmessage");
    reply_bulk(c, pat, plen);
    reply_bulk(c, ch, chlen);
    reply_bulk(c, msg, msglen);
}

static void send_smessage(client *c, const char *ch, size_t chlen,
                          const char *msg, size_t msglen)
{
    reply_push_len(c, 3);
    reply_bulk_cstr(c, "smessage");
    reply_bulk(c, ch, chlen);
    reply_bulk(c, msg, msglen);
}

/* ---- subscribing ---- */

/* Add one subscription. Returns 1 if it is new, 0 if c already had it. */
static int subscribe(client *c, int kind, const char *name, size_t len)
{
    server *srv = c->srv;
    int existed;

    if (c->pubsub == NULL) {
        c->pubsub = mem_calloc(sizeof(*c->pubsub));
        for (int k = 0; k < KIND_COUNT; k++) {
            c->pubsub->subs[k] = dict_create(NULL);
        }
    }
    dict_add_or_find(c->pubsub->subs[kind], name, len, &existed);
    if (existed) {
        return 0;
    }
    dict_entry *de = dict_add_or_find(srv->pubsub->subs[kind], name, len,
                                      &existed);
    sub_list *l = de->v.ptr;
    if (l == NULL) {
        l = mem_calloc(sizeof(*l));
        de->v.ptr = l;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = mem_realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = c;
    return 1;
}

/* Remove one subscription. Returns 1 if c had it. */
static int unsubscribe(client *c, int kind, const char *name, size_t len)
{
    server *srv = c->srv;

    if (c->pubsub == NULL ||
        dict_delete(c->pubsub->subs[kind], name, len) != 0) {
        return 0;
    }
    dict_entry *de = dict_find(srv->pubsub->subs[kind], name, len);
    if (de != NULL) {
        sub_list *l = de->v.ptr;
        for (size_t i = 0; i < l->n; i++) {
            if (l->v[i] == c) {
                memmove(&l->v[i], &l->v[i + 1],
                        (l->n - i - 1) * sizeof(*l->v));
                l->n--;
                break;
            }
        }
        if (l->n == 0) {
            dict_delete(srv->pubsub->subs[kind], name, len);
        }
    }
    return 1;
}

static void subscribe_command(client *c, int kind)
{
    for (int i = 1; i < c->argc; i++) {
        const arg *a = &c->argv[i];
        subscribe(c, kind, a->p, a->n);
        send_confirm(c, sub_verb[kind], a->p, a->n, confirm_count(c, kind));
    }
}

/* Drop every subscription of one kind; notify sends the confirmations
 * (a single one with a null name when there was none). */
static void unsubscribe_all(client *c, int kind, int notify)
{
    long n = 0;

    if (c->pubsub != NULL) {
        dict_iter it;
        dict_entry *de;
        dict_iter_init(&it, c->pubsub->subs[kind]);
        while ((de = dict_iter_next(&it)) != NULL) {
            /* Copy the name: unsubscribe frees the entry. */
            str name = str_new(de->key, de->klen);
            unsubscribe(c, kind, name, str_len(name));
            if (notify) {
                send_confirm(c, unsub_verb[kind], name, str_len(name),
                             confirm_count(c, kind));
            }
            str_free(name);
            n++;
        }
        dict_iter_deinit(&it);
    }
    if (notify && n == 0) {
        send_confirm(c, unsub_verb[kind], NULL, 0, confirm_count(c, kind));
    }
}

static void unsubscribe_command(client *c, int kind)
{
    if (c->argc == 1) {
        unsubscribe_all(c, kind, 1);
        return;
    }
    for (int i = 1; i < c->argc; i++) {
        const arg *a = &c->argv[i];
        unsubscribe(c, kind, a->p, a->n);
        send_confirm(c, unsub_verb[kind], a->p, a->n,
                     confirm_count(c, kind));
    }
}

void pubsub_client_unsubscribe_all(client *c)
{
    if (c->pubsub == NULL) {
        return;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        unsubscribe_all(c, k, 0);
        dict_destroy(&c->pubsub->subs[k]);
    }
    mem_free(c->pubsub);
    c->pubsub = NULL;
}

void cmd_subscribe(client *c)
{
    subscribe_command(c, KIND_CHANNEL);
}

void cmd_psubscribe(client *c)
{
    subscribe_command(c, KIND_PATTERN);
}

void cmd_ssubscribe(client *c)
{
    subscribe_command(c, KIND_SHARD);
}

void cmd_unsubscribe(client *c)
{
    unsubscribe_command(c, KIND_CHANNEL);
}

void cmd_punsubscribe(client *c)
{
    unsubscribe_command(c, KIND_PATTERN);
}

void cmd_sunsubscribe(client *c)
{
    unsubscribe_command(c, KIND_SHARD);
}

/* ---- publishing ---- */

long long pubsub_publish(server *srv, const char *ch, size_t chlen,
                         const char *msg, size_t msglen)
{
    long long receivers = 0;
    dict_entry *de;

    if (srv->pubsub == NULL) {
        return 0;
    }
    de = dict_find(srv->pubsub->subs[KIND_CHANNEL], ch, chlen);
    if (de != NULL) {
        sub_list *l = de->v.ptr;
        for (size_t i = 0; i < l->n; i++) {
            pubsub_send_message(l->v[i], ch, chlen, msg, msglen);
            receivers++;
        }
    }
    if (dict_size(srv->pubsub->subs[KIND_PATTERN]) > 0) {
        dict_iter it;
        dict_iter_init(&it, srv->pubsub->subs[KIND_PATTERN]);
        while ((de = dict_iter_next(&it)) != NULL) {
            if (!util_glob_match(de->key, de->klen, ch, chlen, 0)) {
                continue;
            }
            sub_list *l = de->v.ptr;
            for (size_t i = 0; i < l->n; i++) {
                send_pmessage(l->v[i], de->key, de->klen, ch, chlen, msg,
                              msglen);
                receivers++;
            }
        }
        dict_iter_deinit(&it);
    }
    return receivers;
}

long long pubsub_spublish(server *srv, const char *ch, size_t chlen,
                          const char *msg, size_t msglen)
{
    long long receivers = 0;
    dict_entry *de;

    if (srv->pubsub == NULL) {
        return 0;
    }
    de = dict_find(srv->pubsub->subs[KIND_SHARD], ch, chlen);
    if (de != NULL) {
        sub_list *l = de->v.ptr;
        for (size_t i = 0; i < l->n; i++) {
            send_smessage(l->v[i], ch, chlen, msg, msglen);
            receivers++;
        }
    }
    return receivers;
}

void cmd_publish(client *c)
{
    long long n = pubsub_publish(c->srv, c->argv[1].p, c->argv[1].n,
                                 c->argv[2].p, c->argv[2].n);

    /* Under the supervisor every shard's subscribers get it, and the
     * reply counts them all (peer.c replies when they have answered). */
    if (peer_fanout_wanted(c)) {
        peer_publish(c, c->argv[1].p, c->argv[1].n, c->argv[2].p,
                     c->argv[2].n, n);
        return;
    }
    reply_ll(c, n);
}

void cmd_spublish(client *c)
{
    long long n = pubsub_spublish(c->srv, c->argv[1].p, c->argv[1].n,
                                  c->argv[2].p, c->argv[2].n);
    reply_ll(c, n);
}

/* ---- PUBSUB ---- */

static const char *pubsub_help_lines[] = {
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> "
    "(default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, "
    "excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a "
    "<pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level "
    "channel(s)",
    NULL,
};

void cmd_pubsub_help(client *c)
{
    reply_help(c, pubsub_help_lines);
}

static void channels_reply(client *c, int kind)
{
    dict *d = c->srv->pubsub->subs[kind];
    const arg *pat = c->argc == 3 ? &c->argv[2] : NULL;
    void *h;
    long n = 0;
    dict_iter it;
    dict_entry *de;

    if (c->argc > 3) {
        reply_errorf(c,
                     "unknown subcommand or wrong number of arguments for "
                     "'%.*s'. Try PUBSUB HELP.",
                     c->argv[1].n > 128 ? 128 : (int)c->argv[1].n,
                     c->argv[1].p);
        return;
    }
    h = reply_defer_len(c);
    dict_iter_init(&it, d);
    while ((de = dict_iter_next(&it)) != NULL) {
        if (pat != NULL &&
            !util_glob_match(pat->p, pat->n, de->key, de->klen, 0)) {
            continue;
        }
        reply_bulk(c, de->key, de->klen);
        n++;
    }
    dict_iter_deinit(&it);
    reply_set_deferred_array(c, h, n);
}

void cmd_pubsub_channels(client *c)
{
    channels_reply(c, KIND_CHANNEL);
}

void cmd_pubsub_shardchannels(client *c)
{
    channels_reply(c, KIND_SHARD);
}

static void numsub_reply(client *c, int kind)
{
    dict *d = c->srv->pubsub->subs[kind];

    reply_array_len(c, (long)(c->argc - 2) * 2); /* flat, even in RESP3 */
    for (int i = 2; i < c->argc; i++) {
        dict_entry *de = dict_find(d, c->argv[i].p, c->argv[i].n);
        reply_bulk(c, c->argv[i].p, c->argv[i].n);
        reply_ll(c, de != NULL ? (long long)((sub_list *)de->v.ptr)->n : 0);
    }
}

void cmd_pubsub_numsub(client *c)
{
    numsub_reply(c, KIND_CHANNEL);
}

void cmd_pubsub_shardnumsub(client *c)
{
    numsub_reply(c, KIND_SHARD);
}

void cmd_pubsub_numpat(client *c)
{
    reply_ll(c, pubsub_pattern_count(c->srv));
}
