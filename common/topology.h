/* topology: the cluster map the supervisor owns and pushes to every shard:
 * the epoch, the nodes (id, role, address) and which node serves each hash
 * slot. One text form serves the data-directory file and the control
 * channel. */
#ifndef SHOAL_TOPOLOGY_H
#define SHOAL_TOPOLOGY_H

#include <stdint.h>

#include "str.h"

#define TOPO_SLOTS 16384
#define TOPO_ID_LEN 40

enum topo_role { TOPO_PRIMARY = 0, TOPO_REPLICA = 1 };

typedef struct topo_node {
    char id[TOPO_ID_LEN + 1];       /* 40 lower-case hex chars */
    char shard_id[TOPO_ID_LEN + 1]; /* shared by a primary and its replicas */
    int index;                      /* shard index: 0..nshards-1 */
    int role;                       /* enum topo_role */
    int primary;                    /* replica: node index of its primary */
    char ip[64];                    /* announced address */
    int port;
    int alive;                      /* 0: down or given up on */
    unsigned long long config_epoch;
} topo_node;

typedef struct topology {
    unsigned long long epoch;
    int nnodes;
    topo_node *nodes;
    int16_t owner[TOPO_SLOTS];      /* node index serving the slot; -1 none */
} topology;

/* A fresh map: nshards primaries with new random ids, shard i at
 * ip:base_port+i, the slots split evenly into contiguous ranges exactly as
 * `redis-cli --cluster create` splits them (3 shards: 0-5460, 5461-10922,
 * 10923-16383). Epoch 1. */
topology *topo_new_even(int nshards, const char *ip, int base_port);
topology *topo_dup(const topology *t);
void topo_free(topology *t);

/* Text form, one item per line:
 *   epoch <n>
 *   node <id> <shard-id> <index> primary|replica <primary-node-index|-1>
 *        <ip> <port> <alive 0|1> <config-epoch>
 *   slots <node-index> <first>-<last> [<first>-<last> ...]
 * topo_parse validates everything (ids, ranges, indexes) and returns NULL
 * with *err set (caller frees) on any error. */
str topo_serialize(const topology *t);
topology *topo_parse(const char *buf, size_t len, str *err);

/* Write atomically: temp file, fsync, rename, fsync of the directory.
 * Returns 0, or -1 with *err set. */
int topo_save_file(const topology *t, const char *path, str *err);
/* NULL with *err == NULL when the file does not exist; NULL with *err set
 * when it exists but can't be read or parsed. */
topology *topo_load_file(const char *path, str *err);

/* Node index by id, or -1. */
int topo_find(const topology *t, const char *id);
/* 40 random hex chars (from /dev/urandom) and a NUL. */
void topo_random_id(char out[TOPO_ID_LEN + 1]);

#endif
