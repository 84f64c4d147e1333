/* import: `shoal import dump.rdb [host:port]` sends every key of an RDB
 * file written by redis-server to the node owning its slot, as pipelined
 * RESTORE ... REPLACE ABSTTL commands (hiredis), and prints a summary. */
#include "import.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "rdb.h"
#include "util.h"

#define IMPORT_MAX_NODES 64
#define IMPORT_PIPELINE 256

typedef struct import_node {
    char host[256];
    int port;
    redisContext *ctx;
    long long pending; /* commands sent, replies not read */
    long long keys;    /* RESTOREs (and SELECTs) acknowledged */
    long long selects; /* SELECTs sent: not keys */
    int db;            /* database selected on the connection */
} import_node;

typedef struct import_state {
    import_node nodes[IMPORT_MAX_NODES];
    int nnodes;
    short slot_owner[16384]; /* node index; -1 none */
    int cluster;
    long long now_ms;
    long long expired;
    long long errors;
    long long other_db;
    long long functions;
} import_state;

static int parse_addr(const char *s, char *host, size_t hsize, int *port)
{
    const char *colon = strrchr(s, ':');

    if (colon == NULL || colon == s) {
        return -1;
    }
    size_t n = (size_t)(colon - s);
    if (n >= hsize) {
        return -1;
    }
    memcpy(host, s, n);
    host[n] = '\0';
    *port = atoi(colon + 1);
    return *port > 0 && *port < 65536 ? 0 : -1;
}

static int node_index(import_state *st, const char *host, int port)
{
    for (int i = 0; i < st->nnodes; i++) {
        if (st->nodes[i].port == port && strcmp(st->nodes[i].host, host) == 0) {
            return i;
        }
    }
    if (st->nnodes == IMPORT_MAX_NODES) {
        return -1;
    }
    import_node *n = &st->nodes[st->nnodes];
    snprintf(n->host, sizeof(n->host), "%s", host);
    n->port = port;
    return st->nnodes++;
}

static int node_connect(import_node *n)
{
    n->ctx = redisConnect(n->host, n->port);
    if (n->ctx == NULL || n->ctx->err) {
        fprintf(stderr, "import: can't connect to %s:%d: %s\n", n->host,
                n->port, n->ctx != NULL ? n->ctx->errstr : "out of memory");
        return -1;
    }
    return 0;
}

/* Read the replies of everything queued on n. */
static int node_drain(import_state *st, import_node *n)
{
    while (n->pending > 0) {
        redisReply *rep = NULL;
        if (redisGetReply(n->ctx, (void **)&rep) != REDIS_OK) {
            fprintf(stderr, "import: %s:%d: %s\n", n->host, n->port,
                    n->ctx->errstr);
            return -1;
        }
        n->pending--;
        if (rep->type == REDIS_REPLY_ERROR) {
            if (st->errors < 10) {
                fprintf(stderr, "import: %s:%d answered: %s\n", n->host,
                        n->port, rep->str);
            }
            st->errors++;
        } else {
            n->keys++;
        }
        freeReplyObject(rep);
    }
    return 0;
}

/* CLUSTER SLOTS: [[start, end, [ip, port, id], replicas...], ...]. An
 * error (cluster mode off) means one standalone server takes everything. */
static int discover(import_state *st, const char *host, int port)
{
    for (int i = 0; i < 16384; i++) {
        st->slot_owner[i] = -1;
    }
    int seed = node_index(st, host, port);
    if (node_connect(&st->nodes[seed]) != 0) {
        return -1;
    }
    redisReply *rep = redisCommand(st->nodes[seed].ctx, "CLUSTER SLOTS");
    if (rep == NULL) {
        fprintf(stderr, "import: %s:%d: %s\n", host, port,
                st->nodes[seed].ctx->errstr);
        return -1;
    }
    if (rep->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(rep);
        for (int i = 0; i < 16384; i++) {
            st->slot_owner[i] = (short)seed;
        }
        return 0;
    }
    st->cluster = 1;
    for (size_t i = 0; i < rep->elements; i++) {
        redisReply *r = rep->element[i];
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
            r->element[2]->type != REDIS_REPLY_ARRAY ||
            r->element[2]->elements < 2) {
            continue;
        }
        long long a = r->element[0]->integer, b = r->element[1]->integer;
        redisReply *addr = r->element[2];
        const char *h = addr->element[0]->str;
        int p = (int)addr->element[1]->integer;
        if (h == NULL || h[0] == '\0') {
            h = host;
        }
        int idx = node_index(st, h, p);
        if (idx < 0 || a < 0 || b > 16383) {
            continue;
        }
        for (long long s = a; s <= b; s++) {
            st->slot_owner[s] = (short)idx;
        }
    }
    freeReplyObject(rep);
    for (int i = 0; i < st->nnodes; i++) {
        if (st->nodes[i].ctx == NULL && node_connect(&st->nodes[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

static int on_key(void *priv, int dbid, const char *key, size_t klen, obj *o,
                  long long expire_ms)
{
    import_state *st = priv;

    if (o == NULL) {
        st->functions++; /* libraries are not imported */
        return 0;
    }
    if (expire_ms != -1 && expire_ms <= st->now_ms) {
        st->expired++;
        obj_decr(o);
        return 0;
    }
    if (dbid != 0 && st->cluster) {
        /* A cluster has only database 0: every key goes there. */
        st->other_db++;
    }
    int idx = st->slot_owner[util_key_slot(key, klen)];
    if (idx < 0) {
        fprintf(stderr, "import: no node owns the slot of key '%.*s'\n",
                (int)klen, key);
        obj_decr(o);
        st->errors++;
        return 0;
    }
    import_node *n = &st->nodes[idx];
    if (!st->cluster && dbid != n->db) {
        /* A standalone server keeps the file's databases. */
        char num[16];
        snprintf(num, sizeof(num), "%d", dbid);
        const char *sargv[] = {"SELECT", num};
        size_t slens[] = {6, strlen(num)};
        redisAppendCommandArgv(n->ctx, 2, sargv, slens);
        n->pending++;
        n->selects++;
        n->db = dbid;
    }
    str payload = rdb_dump_value(o);
    obj_decr(o);
    char ttl[32];
    snprintf(ttl, sizeof(ttl), "%lld", expire_ms == -1 ? 0 : expire_ms);
    const char *argv[] = {"RESTORE", key, ttl, payload, "REPLACE", "ABSTTL"};
    size_t lens[] = {7, klen, strlen(ttl), str_len(payload), 7, 6};
    redisAppendCommandArgv(n->ctx, 6, argv, lens);
    str_free(payload);
    n->pending++;
    if (n->pending >= IMPORT_PIPELINE && node_drain(st, n) != 0) {
        return -1;
    }
    return 0;
}

int import_main(int argc, char **argv)
{
    char host[256] = "127.0.0.1";
    int port = 7000;
    int rc = 1;

    if (argc < 1 || argc > 2) {
        fprintf(stderr, "Usage: shoal import <dump.rdb> [host:port]\n");
        return 2;
    }
    if (argc == 2 && parse_addr(argv[1], host, sizeof(host), &port) != 0) {
        fprintf(stderr, "import: bad address '%s' (want host:port)\n", argv[1]);
        return 2;
    }
    uint8_t seed[16];
    log_set_level(LOG_WARNING); /* the summary is the output */
    util_random_bytes(seed, sizeof(seed));
    dict_set_hash_seed(seed);
    mem_setup();
    server *srv = mem_calloc(sizeof(*srv));
    config_init(&srv->cfg);
    server_update_time(srv);
    obj_setup_shared();
    import_state *st = mem_calloc(sizeof(*st));
    st->now_ms = srv->mstime;
    if (discover(st, host, port) != 0) {
        goto out;
    }
    str err = NULL;
    int read_rc = rdb_read_file(srv, argv[0], on_key, st, &err);
    for (int i = 0; i < st->nnodes; i++) {
        if (st->nodes[i].ctx != NULL && node_drain(st, &st->nodes[i]) != 0) {
            read_rc = -1;
        }
    }
    if (read_rc != 0 && err != NULL) {
        fprintf(stderr, "import: %s\n", err);
        str_free(err);
    }
    long long total = 0;
    for (int i = 0; i < st->nnodes; i++) {
        st->nodes[i].keys -= st->nodes[i].selects;
        if (st->nodes[i].keys > 0 || !st->cluster) {
            printf("%s:%d: %lld keys\n", st->nodes[i].host, st->nodes[i].port,
                   st->nodes[i].keys);
        }
        total += st->nodes[i].keys;
    }
    printf("imported %lld keys, skipped %lld expired, %lld errors\n", total,
           st->expired, st->errors);
    if (st->other_db > 0) {
        printf("note: %lld keys from databases other than 0 went to "
               "database 0 (a cluster has only that one)\n",
               st->other_db);
    }
    if (st->functions > 0) {
        printf("note: %lld function libraries were not imported\n",
               st->functions);
    }
    rc = read_rc == 0 && st->errors == 0 ? 0 : 1;
out:
    for (int i = 0; i < st->nnodes; i++) {
        if (st->nodes[i].ctx != NULL) {
            redisFree(st->nodes[i].ctx);
        }
    }
    mem_free(st);
    config_deinit(&srv->cfg);
    mem_free(srv);
    return rc;
}
