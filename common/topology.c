/* topology: the cluster map, its text form and its file (see topology.h).
 * The supervisor is the only writer; shards parse what it pushes. */
#include "topology.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

static topology *topo_alloc(int nnodes)
{
    topology *t = mem_calloc(sizeof(*t));

    t->nnodes = nnodes;
    t->nodes = mem_calloc((nnodes > 0 ? (size_t)nnodes : 1) *
                          sizeof(topo_node));
    for (int s = 0; s < TOPO_SLOTS; s++) {
        t->owner[s] = -1;
    }
    return t;
}

void topo_random_id(char out[TOPO_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[TOPO_ID_LEN / 2];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    while (fd >= 0 && got < sizeof(raw)) {
        ssize_t n = read(fd, raw + got, sizeof(raw) - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    if (fd >= 0) {
        close(fd);
    }
    /* /dev/urandom can't really fail; if it did, still return an id that
     * is unlikely to collide rather than none. */
    for (; got < sizeof(raw); got++) {
        raw[got] = (unsigned char)(rand() ^ getpid() ^ (int)got);
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[TOPO_ID_LEN] = '\0';
}

topology *topo_new_even(int nshards, const char *ip, int base_port)
{
    topology *t = topo_alloc(nshards);
    /* The split `redis-cli --cluster create` makes (3 shards: 5461, 5462,
     * 5461 slots), computed the same way, single-precision float included,
     * so a shoal cluster and a redis-cli-built one own the same ranges. */
    float per = (float)TOPO_SLOTS / (float)nshards;
    float cursor = 0.0f;
    int slot = 0;

    t->epoch = 1;
    for (int i = 0; i < nshards; i++) {
        topo_node *n = &t->nodes[i];
        topo_random_id(n->id);
        topo_random_id(n->shard_id);
        n->index = i;
        n->role = TOPO_PRIMARY;
        n->primary = -1;
        snprintf(n->ip, sizeof(n->ip), "%s", ip);
        n->port = base_port + i;
        n->alive = 1;
        n->config_epoch = (unsigned long long)i + 1;
        long last = lround(cursor + per - 1);
        if (last > TOPO_SLOTS - 1 || i == nshards - 1) {
            last = TOPO_SLOTS - 1;
        }
        if (last < slot) {
            last = slot;
        }
        while (slot <= last && slot < TOPO_SLOTS) {
            t->owner[slot++] = (int16_t)i;
        }
        cursor += per;
    }
    if (t->epoch < (unsigned long long)nshards) {
        t->epoch = (unsigned long long)nshards;
    }
    return t;
}

topology *topo_dup(const topology *t)
{
    topology *d = topo_alloc(t->nnodes);

    d->epoch = t->epoch;
    memcpy(d->nodes, t->nodes, (size_t)t->nnodes * sizeof(topo_node));
    memcpy(d->owner, t->owner, sizeof(t->owner));
    return d;
}

void topo_free(topology *t)
{
    if (t == NULL) {
        return;
    }
    mem_free(t->nodes);
    mem_free(t);
}

int topo_find(const topology *t, const char *id)
{
    for (int i = 0; i < t->nnodes; i++) {
        if (strcmp(t->nodes[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

str topo_serialize(const topology *t)
{
    str s = str_catfmt(str_empty(), "epoch %llu\n", t->epoch);

    for (int i = 0; i < t->nnodes; i++) {
        const topo_node *n = &t->nodes[i];
        s = str_catfmt(s, "node %s %s %d %s %d %s %d %d %llu\n", n->id,
                       n->shard_id, n->index,
                       n->role == TOPO_PRIMARY ? "primary" : "replica",
                       n->primary, n->ip, n->port, n->alive,
                       n->config_epoch);
    }
    for (int i = 0; i < t->nnodes; i++) {
        int any = 0;
        for (int s0 = 0; s0 < TOPO_SLOTS; s0++) {
            if (t->owner[s0] != i) {
                continue;
            }
            int s1 = s0;
            while (s1 + 1 < TOPO_SLOTS && t->owner[s1 + 1] == i) {
                s1++;
            }
            if (!any) {
                s = str_catfmt(s, "slots %d", i);
                any = 1;
            }
            s = str_catfmt(s, " %d-%d", s0, s1);
            s0 = s1;
        }
        if (any) {
            s = str_catfmt(s, "\n");
        }
    }
    return s;
}

static int valid_id(const char *id)
{
    if (strlen(id) != TOPO_ID_LEN) {
        return 0;
    }
    for (const char *p = id; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static topology *parse_fail(topology *t, str *err, int line, const char *why)
{
    *err = str_catfmt(str_empty(), "topology line %d: %s", line, why);
    topo_free(t);
    return NULL;
}

/* Parse the "slots" line's ranges into t->owner. */
static const char *parse_slots(topology *t, char *rest)
{
    char *save = NULL;
    char *tok = strtok_r(rest, " ", &save);
    char *end;
    long idx;

    if (tok == NULL) {
        return "missing node index";
    }
    idx = strtol(tok, &end, 10);
    if (*end != '\0' || idx < 0 || idx >= t->nnodes) {
        return "bad node index";
    }
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        long a = strtol(tok, &end, 10), b;
        if (end == tok || *end != '-') {
            return "bad slot range";
        }
        char *p = end + 1;
        b = strtol(p, &end, 10);
        if (end == p || *end != '\0' || a < 0 || b < a || b >= TOPO_SLOTS) {
            return "bad slot range";
        }
        for (long s = a; s <= b; s++) {
            if (t->owner[s] != -1) {
                return "slot assigned twice";
            }
            t->owner[s] = (int16_t)idx;
        }
    }
    return NULL;
}

topology *topo_parse(const char *buf, size_t len, str *err)
{
    /* Two passes: count the nodes, then fill. */
    int nodes = 0, lineno = 0, filled = 0, have_epoch = 0;
    char *copy = mem_alloc(len + 1);
    topology *t;

    *err = NULL;
    memcpy(copy, buf, len);
    copy[len] = '\0';
    for (const char *p = copy; (p = strstr(p, "node ")) != NULL; p += 5) {
        if (p == copy || p[-1] == '\n') {
            nodes++;
        }
    }
    t = topo_alloc(nodes);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (strncmp(line, "epoch ", 6) == 0) {
            char *end;
            t->epoch = strtoull(line + 6, &end, 10);
            if (*end != '\0' || end == line + 6) {
                mem_free(copy);
                return parse_fail(t, err, lineno, "bad epoch");
            }
            have_epoch = 1;
        } else if (strncmp(line, "node ", 5) == 0) {
            topo_node *n = &t->nodes[filled];
            char id[64], sid[64], role[16], ip[64];
            int consumed = 0;
            if (sscanf(line + 5, "%63s %63s %d %15s %d %63s %d %d %llu%n",
                       id, sid, &n->index, role, &n->primary, ip, &n->port,
                       &n->alive, &n->config_epoch, &consumed) != 9 ||
                line[5 + consumed] != '\0') {
                mem_free(copy);
                return parse_fail(t, err, lineno, "bad node line");
            }
            if (!valid_id(id) || !valid_id(sid)) {
                mem_free(copy);
                return parse_fail(t, err, lineno, "bad node id");
            }
            if (strcmp(role, "primary") == 0) {
                n->role = TOPO_PRIMARY;
            } else if (strcmp(role, "replica") == 0) {
                n->role = TOPO_REPLICA;
            } else {
                mem_free(copy);
                return parse_fail(t, err, lineno, "bad role");
            }
            if (n->port <= 0 || n->port > 65535 || n->index < 0 ||
                n->primary < -1 || n->primary >= nodes ||
                (n->alive != 0 && n->alive != 1)) {
                mem_free(copy);
                return parse_fail(t, err, lineno, "bad node field");
            }
            memcpy(n->id, id, TOPO_ID_LEN + 1);
            memcpy(n->shard_id, sid, TOPO_ID_LEN + 1);
            snprintf(n->ip, sizeof(n->ip), "%s", ip);
            filled++;
        } else if (strncmp(line, "slots ", 6) == 0) {
            const char *why = parse_slots(t, line + 6);
            if (why != NULL) {
                mem_free(copy);
                return parse_fail(t, err, lineno, why);
            }
        } else if (line[0] != '\0' && line[0] != '#') {
            mem_free(copy);
            return parse_fail(t, err, lineno, "unknown line");
        }
    }
    mem_free(copy);
    if (!have_epoch) {
        return parse_fail(t, err, 0, "no epoch");
    }
    for (int i = 0; i < t->nnodes; i++) {
        if (topo_find(t, t->nodes[i].id) != i) {
            return parse_fail(t, err, 0, "duplicate node id");
        }
    }
    return t;
}

int topo_save_file(const topology *t, const char *path, str *err)
{
    str body = topo_serialize(t);
    str tmp = str_catfmt(str_empty(), "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t off = 0;
    int rc = -1;

    if (fd < 0) {
        *err = str_catfmt(str_empty(), "can't create %s: %s", tmp,
                          strerror(errno));
        goto out;
    }
    while (off < str_len(body)) {
        ssize_t n = write(fd, body + off, str_len(body) - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            *err = str_catfmt(str_empty(), "can't write %s: %s", tmp,
                              strerror(errno));
            close(fd);
            unlink(tmp);
            goto out;
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        *err = str_catfmt(str_empty(), "can't fsync %s: %s", tmp,
                          strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        *err = str_catfmt(str_empty(), "can't rename %s to %s: %s", tmp,
                          path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    /* The rename is durable once the directory entry is. */
    char *dircopy = strdup(path);
    int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dircopy);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    str_free(body);
    str_free(tmp);
    return rc;
}

topology *topo_load_file(const char *path, str *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    str body = str_empty();
    char buf[4096];
    ssize_t n;
    topology *t;

    *err = NULL;
    if (fd < 0) {
        if (errno != ENOENT) {
            *err = str_catfmt(str_empty(), "can't open %s: %s", path,
                              strerror(errno));
        }
        str_free(body);
        return NULL;
    }
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        body = str_cat(body, buf, (size_t)n);
    }
    close(fd);
    if (n < 0) {
        *err = str_catfmt(str_empty(), "can't read %s: %s", path,
                          strerror(errno));
        str_free(body);
        return NULL;
    }
    t = topo_parse(body, str_len(body), err);
    str_free(body);
    if (t == NULL) {
        str e = str_catfmt(str_empty(), "%s: %s", path, *err);
        str_free(*err);
        *err = e;
    }
    return t;
}
