/* cluster: the shard's cluster mode: the slot map it serves from (pushed by
 * the supervisor, or read at start), routing of keyed commands as a Redis
 * Cluster node routes them, and the CLUSTER family of commands. */
#include "cluster.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "mem.h"
#include "multi.h"
#include "reply.h"
#include "script.h"
#include "util.h"

/* Handlers compared against (defined by their own modules). */
void cmd_exec(client *c);
void cmd_asking(client *c);
void cmd_xread(client *c);
void cmd_xreadgroup(client *c);

enum cluster_client_flag {
    CLUSTER_CF_READONLY = 1 << 0, /* reads may be served by a replica */
    CLUSTER_CF_ASKING = 1 << 1,   /* one command may use an importing slot */
};

/* The only state: which map, and who we are in it. */
typedef struct cluster_state {
    topology *topo;
    int myself;
} cluster_state;

#define ERR_DISABLED "This instance has cluster support disabled"
#define ERR_CROSSSLOT "-CROSSSLOT Keys in request don't hash to the same slot"
#define ERR_UNBOUND "-CLUSTERDOWN Hash slot not served"
#define ERR_SCRIPT_NONLOCAL                                                    \
    "ERR Script attempted to access a non local key in a cluster node"

/* ---- the map ---- */

static int valid_node_id(const char *id, size_t len)
{
    if (len != TOPO_ID_LEN) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = id[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

/* The first bind address, as peers would reach it: "-" (optional bind)
 * dropped, wildcards mapped to the loopback. */
static void default_announce_ip(const server *srv, char *out, size_t size)
{
    const char *b = srv->cfg.bind != NULL ? srv->cfg.bind : "";
    size_t n;

    while (*b == ' ') {
        b++;
    }
    if (*b == '-') {
        b++;
    }
    n = strcspn(b, " ");
    if (n == 0 || (n == 1 && b[0] == '*') ||
        (n == 7 && strncmp(b, "0.0.0.0", 7) == 0) ||
        (n == 2 && strncmp(b, "::", 2) == 0) ||
        (n == 3 && strncmp(b, "::*", 3) == 0)) {
        snprintf(out, size, "127.0.0.1");
        return;
    }
    snprintf(out, size, "%.*s", (int)n, b);
}

/* The address printed for node i: cluster-announce-ip overrides the map
 * for this node; the map has everyone's announced address. */
static const char *node_ip(const server *srv, int i)
{
    const cluster_state *cs = srv->cluster;
    const str ann = srv->cfg.cluster_announce_ip;

    if (i == cs->myself && ann != NULL && str_len(ann) > 0) {
        return ann;
    }
    return cs->topo->nodes[i].ip;
}

void cluster_set_topology(server *srv, topology *t, int myself)
{
    cluster_state *cs = srv->cluster;

    if (t == NULL) {
        return;
    }
    if (myself < 0 || myself >= t->nnodes) {
        log_warn("cluster: topology rejected: node index %d not in the map "
                 "of %d nodes",
                 myself, t->nnodes);
        topo_free(t);
        return;
    }
    if (cs == NULL) {
        cs = mem_calloc(sizeof(*cs));
        srv->cluster = cs;
    }
    topo_free(cs->topo);
    cs->topo = t;
    cs->myself = myself;
    srv->cfg.cluster_enabled = 1;
    log_notice("cluster: serving topology epoch %llu as node %s (%d of %d)",
               t->epoch, t->nodes[myself].id, myself, t->nnodes);
}

int cluster_setup(server *srv)
{
    const str file = srv->cfg.cluster_config_file;
    const str id = srv->cfg.cluster_node_id;
    size_t idlen = id != NULL ? str_len(id) : 0;
    topology *t = NULL;
    int myself = 0;

    if (!srv->cfg.cluster_enabled || srv->cluster != NULL) {
        return 0;
    }
    if (idlen > 0 && !valid_node_id(id, idlen)) {
        log_warn("cluster-node-id must be 40 lower-case hex characters: %s",
                 id);
        return -1;
    }
    if (file != NULL && str_len(file) > 0) {
        str err = NULL;
        t = topo_load_file(file, &err);
        if (t == NULL && err != NULL) {
            log_warn("cluster-config-file: %s", err);
            str_free(err);
            return -1;
        }
    }
    if (t != NULL) {
        myself = idlen > 0 ? topo_find(t, id) : -1;
        if (myself < 0) {
            log_warn("cluster-config-file %s: %s", file,
                     idlen > 0 ? "cluster-node-id is not a node of the map"
                               : "cluster-node-id is needed to pick this "
                                 "node in the map");
            topo_free(t);
            return -1;
        }
    } else {
        char ip[64];
        default_announce_ip(srv, ip, sizeof(ip));
        t = topo_new_even(1, ip, srv->cfg.port);
        if (idlen > 0) {
            memcpy(t->nodes[0].id, id, TOPO_ID_LEN + 1);
        }
    }
    cluster_set_topology(srv, t, myself);
    return 0;
}

void cluster_teardown(server *srv)
{
    cluster_state *cs = srv->cluster;

    if (cs == NULL) {
        return;
    }
    topo_free(cs->topo);
    mem_free(cs);
    srv->cluster = NULL;
}

/* ---- routing ---- */

enum route_error { ROUTE_OK = 0, ROUTE_CROSSSLOT, ROUTE_UNBOUND };

typedef struct route {
    int slot;   /* slot of the first key; -1 while none was seen */
    int write;  /* a write command is among those routed */
    int pubsub; /* ... a shard channel command (replicas serve those) */
} route;

/* Served by someone: assigned, and to a node that is not down. */
static int slot_served(const cluster_state *cs, int slot)
{
    int owner = cs->topo->owner[slot];

    return owner >= 0 && (owner == cs->myself || cs->topo->nodes[owner].alive);
}

/* Add one command's keys to r. As Redis: the first key decides the slot
 * (an unserved slot fails at once), any key of another slot is
 * CROSSSLOT. */
static int route_command(const cluster_state *cs, route *r, const command *cmd,
                         const arg *argv, int argc)
{
    key_ref local[32];
    key_ref *keys = local;
    int max = (int)(sizeof(local) / sizeof(*local));
    int n, rc = ROUTE_OK;

    if (cmd->flags & CMD_WRITE) {
        r->write = 1;
    }
    if (cmd->flags & CMD_PUBSUB) {
        r->pubsub = 1;
    }
    if (cmd->nspecs == 0 && cmd->getkeys == NULL) {
        return ROUTE_OK;
    }
    /* Specs can name a position twice (a source that is also the
     * destination); 2 * argc bounds every command's key count. */
    if (2 * argc + 2 > max) {
        max = 2 * argc + 2;
        keys = mem_alloc(sizeof(*keys) * (size_t)max);
    }
    n = cmd_get_keys(cmd, argv, argc, keys, max);
    if (n > 0 && (cmd->proc == cmd_xread || cmd->proc == cmd_xreadgroup) &&
        (argc - keys[0].pos) % 2 != 0) {
        /* An unbalanced STREAMS list has no keys for Redis (the command
         * then fails on its own); the key spec alone would route by the
         * first half of it. */
        n = 0;
    }
    for (int i = 0; i < n && rc == ROUTE_OK; i++) {
        const arg *k = &argv[keys[i].pos];
        int slot = (int)util_key_slot(k->p, k->n);
        if (r->slot < 0) {
            r->slot = slot;
            if (!slot_served(cs, slot)) {
                rc = ROUTE_UNBOUND;
            }
        } else if (slot != r->slot) {
            rc = ROUTE_CROSSSLOT;
        }
    }
    if (keys != local) {
        mem_free(keys);
    }
    return rc;
}

/* Where a routed request runs: -1 here, else the node index to send the
 * client to. A replica serves its primary's slots to READONLY clients'
 * reads and to shard channel commands. An ASKING client would be served
 * a slot this node is importing; the map has no importing slots until
 * live resharding comes. */
static int route_target(const cluster_state *cs, const route *r,
                        int readonly_client, int asking)
{
    const topo_node *me = &cs->topo->nodes[cs->myself];
    int owner;

    if (r->slot < 0) {
        return -1;
    }
    owner = cs->topo->owner[r->slot];
    if (owner == cs->myself) {
        return -1;
    }
    if ((readonly_client || r->pubsub) && !r->write &&
        me->role == TOPO_REPLICA && me->primary == owner) {
        return -1;
    }
    (void)asking;
    return owner;
}

static str route_error_text(const server *srv, int rc, const route *r,
                            int target)
{
    const cluster_state *cs = srv->cluster;

    if (rc == ROUTE_CROSSSLOT) {
        return str_from_cstr(ERR_CROSSSLOT);
    }
    if (rc == ROUTE_UNBOUND) {
        return str_from_cstr(ERR_UNBOUND);
    }
    return str_catfmt(str_empty(), "-MOVED %d %s:%d", r->slot,
                      node_ip(srv, target), cs->topo->nodes[target].port);
}

int cluster_redirect(client *c, const command *cmd)
{
    server *srv = c->srv;
    const cluster_state *cs = srv->cluster;
    route r = {-1, 0, 0};
    int is_exec = cmd->proc == cmd_exec;
    int in_multi = multi_active(c);
    int asking = (c->cluster_flags & CLUSTER_CF_ASKING) != 0;
    int rc = ROUTE_OK, target;

    /* ASKING lasts for one command, or for the whole transaction it was
     * sent in. */
    if (cmd->proc != cmd_asking && (!in_multi || is_exec)) {
        c->cluster_flags &= ~CLUSTER_CF_ASKING;
    }
    /* AOF loading and other fake clients are obeyed, never redirected. */
    if (cs == NULL || (c->flags & CF_FAKE)) {
        return 0;
    }
    if (is_exec) {
        int count = multi_queued_count(c);
        for (int i = 0; i < count && rc == ROUTE_OK; i++) {
            const command *qcmd;
            const arg *qargv;
            int qargc;
            multi_queued_get(c, i, &qcmd, &qargv, &qargc);
            rc = route_command(cs, &r, qcmd, qargv, qargc);
        }
    } else {
        rc = route_command(cs, &r, cmd, c->argv, c->argc);
    }
    target = -1;
    if (rc == ROUTE_OK) {
        target = route_target(cs, &r, c->cluster_flags & CLUSTER_CF_READONLY,
                              asking);
        if (target < 0) {
            return 0;
        }
    }
    str err = route_error_text(srv, rc, &r, target);
    ((command *)cmd)->stats.rejected++;
    /* As Redis Cluster: a refused EXEC drops the transaction and answers
     * the routing error itself; a refused queued command fails EXEC. */
    if (is_exec) {
        multi_client_reset(c);
    } else {
        multi_flag_error(c);
    }
    reply_error(c, err);
    str_free(err);
    return -1;
}

/* 1 when a command a script runs may touch its keys here: every key in
 * one slot, served by this node (or, for a READONLY caller of a replica,
 * by its primary). */
static int keys_local(const server *srv, const command *cmd, const arg *argv,
                      int argc, int readonly_client)
{
    const cluster_state *cs = srv->cluster;
    route r = {-1, 0, 0};

    if (!srv->cfg.cluster_enabled || cs == NULL) {
        return 1;
    }
    return route_command(cs, &r, cmd, argv, argc) == ROUTE_OK &&
           route_target(cs, &r, readonly_client, 0) < 0;
}

int cluster_check_keys(server *srv, const command *cmd, const arg *argv,
                       int argc, str *err)
{
    *err = NULL;
    if (keys_local(srv, cmd, argv, argc, 0)) {
        return 0;
    }
    *err = str_from_cstr(ERR_SCRIPT_NONLOCAL);
    return -1;
}

/* script.h's hook for redis.call/pcall (script_lua.c calls it; script.c
 * has a weak allow-all default). As Redis, the script runs with its
 * caller's READONLY flag, and what the AOF loader runs is obeyed. */
int script_check_slot(client *caller, const command *cmd, const arg *argv,
                      int argc, const char **err)
{
    *err = NULL;
    if (caller == NULL || (caller->flags & CF_FAKE) ||
        keys_local(caller->srv, cmd, argv, argc,
                   caller->cluster_flags & CLUSTER_CF_READONLY)) {
        return 0;
    }
    *err = "-" ERR_SCRIPT_NONLOCAL;
    return -1;
}

int cluster_client_readonly(const client *c)
{
    return (c->cluster_flags & CLUSTER_CF_READONLY) != 0;
}

void cluster_client_reset(client *c)
{
    c->cluster_flags = 0;
}

/* ---- descriptions shared by several commands ---- */

/* Calls fn(first, last) for each contiguous range of slots of node. */
typedef void range_fn(void *priv, int first, int last);

static int node_ranges(const topology *t, int node, range_fn *fn, void *priv)
{
    int count = 0;

    for (int s = 0; s < TOPO_SLOTS; s++) {
        if (t->owner[s] != node) {
            continue;
        }
        int e = s;
        while (e + 1 < TOPO_SLOTS && t->owner[e + 1] == node) {
            e++;
        }
        if (fn != NULL) {
            fn(priv, s, e);
        }
        count++;
        s = e;
    }
    return count;
}

static void range_to_line(void *priv, int first, int last)
{
    str *line = priv;

    if (first == last) {
        *line = str_catfmt(*line, " %d", first);
    } else {
        *line = str_catfmt(*line, " %d-%d", first, last);
    }
}

/* One CLUSTER NODES line for node i, without the newline:
 * <id> <ip>:<port>@<cport> <flags> <primary|-> <ping-sent> <pong-recv>
 * <config-epoch> <link-state> <slot ranges...> */
static str node_line(server *srv, str out, int i)
{
    const cluster_state *cs = srv->cluster;
    const topo_node *n = &cs->topo->nodes[i];
    int me = i == cs->myself;
    int up = me || n->alive;
    const char *primary = "-";

    if (n->role == TOPO_REPLICA && n->primary >= 0 &&
        n->primary < cs->topo->nnodes) {
        primary = cs->topo->nodes[n->primary].id;
    }
    /* No cluster bus: pings are never pending and a live peer counts as
     * just heard from. */
    out = str_catfmt(
        out, "%s %s:%d@%d %s%s%s %s 0 %lld %llu %s", n->id, node_ip(srv, i),
        n->port, n->port + 10000, me ? "myself," : "",
        n->role == TOPO_REPLICA ? "slave" : "master", up ? "" : ",fail",
        primary, (me || !up) ? 0LL : srv->mstime, n->config_epoch,
        up ? "connected" : "disconnected");
    if (n->role == TOPO_PRIMARY) {
        node_ranges(cs->topo, i, range_to_line, &out);
    }
    return out;
}

/* ---- commands ---- */

/* In cluster mode? Else replies as Redis does with cluster support off. */
static int cluster_on(client *c)
{
    if (c->srv->cfg.cluster_enabled && c->srv->cluster != NULL) {
        return 1;
    }
    reply_error(c, ERR_DISABLED);
    return 0;
}

static void reply_node_entry(client *c, int i)
{
    const topo_node *n = &c->srv->cluster->topo->nodes[i];

    reply_array_len(c, 4);
    reply_bulk_cstr(c, node_ip(c->srv, i));
    reply_ll(c, n->port);
    reply_bulk(c, n->id, TOPO_ID_LEN);
    reply_map_len(c, 0); /* hostname and other metadata: none */
}

/* Replicas of primary p that are up, as CLUSTER SLOTS lists them. */
static int live_replicas(const topology *t, int p, int *out)
{
    int n = 0;

    for (int i = 0; i < t->nnodes; i++) {
        if (t->nodes[i].role == TOPO_REPLICA && t->nodes[i].primary == p &&
            t->nodes[i].alive) {
            if (out != NULL) {
                out[n] = i;
            }
            n++;
        }
    }
    return n;
}

void cmd_cluster_slots(client *c)
{
    const topology *t;
    void *len;
    long ranges = 0;

    if (!cluster_on(c)) {
        return;
    }
    t = c->srv->cluster->topo;
    len = reply_defer_len(c);
    int *reps = mem_alloc(sizeof(int) * (size_t)(t->nnodes + 1));
    for (int s = 0; s < TOPO_SLOTS; s++) {
        int owner = t->owner[s];
        if (owner < 0) {
            continue;
        }
        int e = s;
        while (e + 1 < TOPO_SLOTS && t->owner[e + 1] == owner) {
            e++;
        }
        int nrep = live_replicas(t, owner, reps);
        reply_array_len(c, 3 + nrep);
        reply_ll(c, s);
        reply_ll(c, e);
        reply_node_entry(c, owner);
        for (int k = 0; k < nrep; k++) {
            reply_node_entry(c, reps[k]);
        }
        ranges++;
        s = e;
    }
    mem_free(reps);
    reply_set_deferred_array(c, len, ranges);
}

static void range_to_reply(void *priv, int first, int last)
{
    client *c = priv;

    reply_ll(c, first);
    reply_ll(c, last);
}

static void reply_shard_node(client *c, int i)
{
    const cluster_state *cs = c->srv->cluster;
    const topo_node *n = &cs->topo->nodes[i];
    int up = i == cs->myself || n->alive;
    const char *ip = node_ip(c->srv, i);

    reply_map_len(c, 7);
    reply_bulk_cstr(c, "id");
    reply_bulk(c, n->id, TOPO_ID_LEN);
    reply_bulk_cstr(c, "port");
    reply_ll(c, n->port);
    reply_bulk_cstr(c, "ip");
    reply_bulk_cstr(c, ip);
    reply_bulk_cstr(c, "endpoint");
    reply_bulk_cstr(c, ip);
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, n->role == TOPO_REPLICA ? "replica" : "master");
    /* Replication lands later: no offset to report yet. */
    reply_bulk_cstr(c, "replication-offset");
    reply_ll(c, 0);
    reply_bulk_cstr(c, "health");
    reply_bulk_cstr(c, up ? "online" : "failed");
}

void cmd_cluster_shards(client *c)
{
    const topology *t;
    int primaries = 0;

    if (!cluster_on(c)) {
        return;
    }
    t = c->srv->cluster->topo;
    for (int i = 0; i < t->nnodes; i++) {
        primaries += t->nodes[i].role == TOPO_PRIMARY;
    }
    reply_array_len(c, primaries);
    for (int p = 0; p < t->nnodes; p++) {
        if (t->nodes[p].role != TOPO_PRIMARY) {
            continue;
        }
        int members = 1;
        for (int i = 0; i < t->nnodes; i++) {
            members +=
                t->nodes[i].role == TOPO_REPLICA && t->nodes[i].primary == p;
        }
        reply_map_len(c, 2);
        reply_bulk_cstr(c, "slots");
        reply_array_len(c, 2L * node_ranges(t, p, NULL, NULL));
        node_ranges(t, p, range_to_reply, c);
        reply_bulk_cstr(c, "nodes");
        reply_array_len(c, members);
        reply_shard_node(c, p);
        for (int i = 0; i < t->nnodes; i++) {
            if (t->nodes[i].role == TOPO_REPLICA && t->nodes[i].primary == p) {
                reply_shard_node(c, i);
            }
        }
    }
}

void cmd_cluster_nodes(client *c)
{
    const topology *t;
    str out;

    if (!cluster_on(c)) {
        return;
    }
    t = c->srv->cluster->topo;
    out = str_empty();
    for (int i = 0; i < t->nnodes; i++) {
        out = node_line(c->srv, out, i);
        out = str_cat(out, "\n", 1);
    }
    reply_verbatim(c, out, str_len(out), "txt");
    str_free(out);
}

void cmd_cluster_info(client *c)
{
    const cluster_state *cs;
    const topology *t;
    long assigned = 0, ok = 0, fail = 0, size = 0;
    unsigned long long my_epoch;

    if (!cluster_on(c)) {
        return;
    }
    cs = c->srv->cluster;
    t = cs->topo;
    for (int s = 0; s < TOPO_SLOTS; s++) {
        if (t->owner[s] < 0) {
            continue;
        }
        assigned++;
        if (slot_served(cs, s)) {
            ok++;
        } else {
            fail++;
        }
    }
    for (int i = 0; i < t->nnodes; i++) {
        if (t->nodes[i].role == TOPO_PRIMARY &&
            node_ranges(t, i, NULL, NULL) > 0) {
            size++;
        }
    }
    /* A replica reports its primary's epoch, as Redis. */
    const topo_node *me = &t->nodes[cs->myself];
    my_epoch = me->config_epoch;
    if (me->role == TOPO_REPLICA && me->primary >= 0 &&
        me->primary < t->nnodes) {
        my_epoch = t->nodes[me->primary].config_epoch;
    }
    str out =
        str_catfmt(str_empty(),
                   "cluster_state:%s\r\n"
                   "cluster_slots_assigned:%ld\r\n"
                   "cluster_slots_ok:%ld\r\n"
                   "cluster_slots_pfail:0\r\n"
                   "cluster_slots_fail:%ld\r\n"
                   "cluster_known_nodes:%d\r\n"
                   "cluster_size:%ld\r\n"
                   "cluster_current_epoch:%llu\r\n"
                   "cluster_my_epoch:%llu\r\n"
                   /* no cluster bus: nothing sent or received */
                   "cluster_stats_messages_sent:0\r\n"
                   "cluster_stats_messages_received:0\r\n"
                   "total_cluster_links_buffer_limit_exceeded:0\r\n",
                   (assigned == TOPO_SLOTS && fail == 0) ? "ok" : "fail",
                   assigned, ok, fail, t->nnodes, size, t->epoch, my_epoch);
    reply_verbatim(c, out, str_len(out), "txt");
    str_free(out);
}

void cmd_cluster_myid(client *c)
{
    const cluster_state *cs;

    if (!cluster_on(c)) {
        return;
    }
    cs = c->srv->cluster;
    reply_bulk(c, cs->topo->nodes[cs->myself].id, TOPO_ID_LEN);
}

void cmd_cluster_myshardid(client *c)
{
    const cluster_state *cs;

    if (!cluster_on(c)) {
        return;
    }
    cs = c->srv->cluster;
    reply_bulk(c, cs->topo->nodes[cs->myself].shard_id, TOPO_ID_LEN);
}

void cmd_cluster_keyslot(client *c)
{
    if (!cluster_on(c)) {
        return;
    }
    reply_ll(c, util_key_slot(c->argv[2].p, c->argv[2].n));
}

static int get_ll_or_reply(client *c, const arg *a, long long *v)
{
    if (util_str2ll(a->p, a->n, v) != 0) {
        reply_error(c, ERR_NOT_INT);
        return -1;
    }
    return 0;
}

void cmd_cluster_countkeysinslot(client *c)
{
    long long slot;

    if (!cluster_on(c) || get_ll_or_reply(c, &c->argv[2], &slot) != 0) {
        return;
    }
    if (slot < 0 || slot >= TOPO_SLOTS) {
        reply_error(c, "Invalid slot");
        return;
    }
    reply_ll(c, (long long)db_slot_size(c->db, (unsigned)slot));
}

void cmd_cluster_getkeysinslot(client *c)
{
    long long slot, count;

    if (!cluster_on(c) || get_ll_or_reply(c, &c->argv[2], &slot) != 0 ||
        get_ll_or_reply(c, &c->argv[3], &count) != 0) {
        return;
    }
    if (count < 0 || slot < 0 || slot >= TOPO_SLOTS) {
        reply_error(c, "Invalid slot or number of keys");
        return;
    }
    dict *d = db_slot_dict(c->db, (unsigned)slot);
    long long have = d != NULL ? (long long)dict_size(d) : 0;
    long long n = count < have ? count : have;
    reply_array_len(c, (long)n);
    if (n == 0) {
        return;
    }
    dict_iter it;
    dict_entry *de;
    long long sent = 0;
    dict_iter_init(&it, d);
    while (sent < n && (de = dict_iter_next(&it)) != NULL) {
        reply_bulk(c, de->key, de->klen);
        sent++;
    }
    dict_iter_deinit(&it);
}

/* CLUSTER REPLICAS / SLAVES <node-id>: the replicas' CLUSTER NODES
 * lines. */
static void list_replicas(client *c)
{
    const topology *t;
    const arg *id = &c->argv[2];
    int node = -1, count = 0;

    if (!cluster_on(c)) {
        return;
    }
    t = c->srv->cluster->topo;
    for (int i = 0; i < t->nnodes; i++) {
        if (id->n == TOPO_ID_LEN && memcmp(t->nodes[i].id, id->p, id->n) == 0) {
            node = i;
        }
    }
    if (node < 0) {
        reply_errorf(c, "Unknown node %.*s", (int)id->n, id->p);
        return;
    }
    if (t->nodes[node].role != TOPO_PRIMARY) {
        reply_error(c, "The specified node is not a master");
        return;
    }
    for (int i = 0; i < t->nnodes; i++) {
        count +=
            t->nodes[i].role == TOPO_REPLICA && t->nodes[i].primary == node;
    }
    reply_array_len(c, count);
    for (int i = 0; i < t->nnodes; i++) {
        if (t->nodes[i].role == TOPO_REPLICA && t->nodes[i].primary == node) {
            str line = node_line(c->srv, str_empty(), i);
            reply_bulk(c, line, str_len(line));
            str_free(line);
        }
    }
}

void cmd_cluster_replicas(client *c)
{
    list_replicas(c);
}

void cmd_cluster_slaves(client *c)
{
    list_replicas(c);
}

void cmd_cluster_links(client *c)
{
    if (!cluster_on(c)) {
        return;
    }
    reply_array_len(c, 0); /* no cluster bus, so no links */
}

void cmd_cluster_help(client *c)
{
    static const char *help[] = {
        "COUNTKEYSINSLOT <slot>",
        "    Count the keys this node holds in <slot>.",
        "GETKEYSINSLOT <slot> <count>",
        "    List up to <count> keys this node holds in <slot>.",
        "INFO",
        "    Report the cluster's state, slot counts and epochs.",
        "KEYSLOT <key>",
        "    Compute the hash slot of <key>.",
        "LINKS",
        "    List the cluster bus links (shoal has no bus: always empty).",
        "MYID",
        "    Report this node's id.",
        "MYSHARDID",
        "    Report the id of this node's shard.",
        "NODES",
        "    Describe every node, one line each:",
        "    <id> <ip:port@cport> <flags> <primary> <ping-sent> <pong-recv> "
        "<epoch> <link> <slot> ...",
        "REPLICAS <node-id>",
        "    Describe the replicas of primary <node-id>.",
        "SHARDS",
        "    Describe each shard: its slot ranges and its nodes.",
        "SLOTS",
        "    List slot ranges with the address, port and id of the nodes "
        "serving them.",
        NULL,
    };

    if (!cluster_on(c)) {
        return;
    }
    reply_help(c, help);
}

void cmd_readonly(client *c)
{
    if (!cluster_on(c)) {
        return;
    }
    c->cluster_flags |= CLUSTER_CF_READONLY;
    reply_ok(c);
}

void cmd_readwrite(client *c)
{
    if (!cluster_on(c)) {
        return;
    }
    c->cluster_flags &= ~CLUSTER_CF_READONLY;
    reply_ok(c);
}

void cmd_asking(client *c)
{
    if (!cluster_on(c)) {
        return;
    }
    c->cluster_flags |= CLUSTER_CF_ASKING;
    reply_ok(c);
}
