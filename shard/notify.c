/* notify: keyspace notifications. A write command calls
 * notify_keyspace_event after changing a key; the event goes out as plain
 * pub/sub messages on this shard only, as in Redis Cluster. */
#include "notify.h"

#include <stdio.h>
#include <string.h>

#include "pubsub.h"

/* Letters in the order CONFIG GET prints them (after A or these, K E m). */
static const struct {
    char ch;
    int flag;
} class_letters[] = {
    {'g', NOTIFY_GENERIC}, {'$', NOTIFY_STRING},  {'l', NOTIFY_LIST},
    {'s', NOTIFY_SET},     {'h', NOTIFY_HASH},    {'z', NOTIFY_ZSET},
    {'x', NOTIFY_EXPIRED}, {'e', NOTIFY_EVICTED}, {'t', NOTIFY_STREAM},
    {'d', NOTIFY_MODULE},  {'n', NOTIFY_NEW},
};

#define N_LETTERS (sizeof(class_letters) / sizeof(class_letters[0]))

/* The flag a letter stands for, 0 if none. */
static int letter_flag(char ch)
{
    switch (ch) {
    case 'A': return NOTIFY_ALL;
    case 'K': return NOTIFY_KEYSPACE;
    case 'E': return NOTIFY_KEYEVENT;
    case 'm': return NOTIFY_KEY_MISS;
    }
    for (size_t j = 0; j < N_LETTERS; j++) {
        if (class_letters[j].ch == ch) {
            return class_letters[j].flag;
        }
    }
    return 0;
}

int notify_parse_flags(const char *s, size_t len)
{
    int flags = 0;

    for (size_t i = 0; i < len; i++) {
        int f = letter_flag(s[i]);
        if (f == 0) {
            return -1;
        }
        flags |= f;
    }
    return flags;
}

str notify_flags_string(int flags)
{
    str s = str_empty();

    /* As 7.0 prints it: "A" stands for its classes and, oddly, hides n. */
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        s = str_cat(s, "A", 1);
    } else {
        for (size_t j = 0; j < N_LETTERS; j++) {
            if (flags & class_letters[j].flag) {
                s = str_cat(s, &class_letters[j].ch, 1);
            }
        }
    }
    if (flags & NOTIFY_KEYSPACE) {
        s = str_cat(s, "K", 1);
    }
    if (flags & NOTIFY_KEYEVENT) {
        s = str_cat(s, "E", 1);
    }
    if (flags & NOTIFY_KEY_MISS) {
        s = str_cat(s, "m", 1);
    }
    return s;
}

void notify_key(client *c, int type, const char *event, const arg *key)
{
    notify_keyspace_event(c->srv, type, event, key->p, key->n, c->db->id);
}

void notify_keyspace_event(server *srv, int type, const char *event,
                           const char *key, size_t keylen, int dbid)
{
    int flags = srv->cfg.notify_keyspace_events;

    if (!(flags & type)) {
        return;
    }
    size_t evlen = strlen(event);
    if (flags & NOTIFY_KEYSPACE) {
        char head[48];
        int n = snprintf(head, sizeof(head), "__keyspace@%d__:", dbid);
        str ch = str_new(head, (size_t)n);
        ch = str_cat(ch, key, keylen);
        pubsub_publish(srv, ch, str_len(ch), event, evlen);
        str_free(ch);
    }
    if (flags & NOTIFY_KEYEVENT) {
        char head[48];
        int n = snprintf(head, sizeof(head), "__keyevent@%d__:", dbid);
        str ch = str_new(head, (size_t)n);
        ch = str_cat(ch, event, evlen);
        pubsub_publish(srv, ch, str_len(ch), key, keylen);
        str_free(ch);
    }
}
