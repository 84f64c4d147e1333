/* peer: the links between shards of one supervisor (see peer.h). The
 * outgoing side is a minimal RESP client: it only sends PUBLISH and only
 * reads integer or error replies, in order. */
#include "peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "log.h"
#include "mem.h"
#include "net.h"
#include "reply.h"
#include "util.h"

/* One PUBLISH waiting for the other shards' counts. */
typedef struct fanout {
    client *c;           /* NULL once the client is gone */
    long long total;
    int pending;
    struct fanout *next; /* srv-wide list, to find c's on free */
} fanout;

typedef struct peer_link {
    server *srv;
    char id[TOPO_ID_LEN + 1];
    int fd;              /* -1: not connected */
    int connecting;
    ev_io rio, wio;
    str out;
    str in;
    fanout **queue;      /* one per request sent, in order */
    size_t qhead, qlen, qcap;
} peer_link;

typedef struct peer_state {
    int listen_fd;
    ev_io listen_io;
    peer_link *links;         /* one per node of the map; unused for myself */
    int nlinks;
    topology *topo;
    int myself;
    fanout *fanouts;
} peer_state;

static socklen_t peer_addr(const char *id, struct sockaddr_un *sa)
{
    int n;

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    /* Abstract namespace: no path length limit or stale files to clean. */
    n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "shoal-peer-%s",
                 id);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* ---- incoming ---- */

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    server *srv = w->data;

    (void)loop;
    (void)revents;
    for (;;) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (fd < 0) {
            return;
        }
        /* An abstract socket has no file permissions: only processes of
         * our own user (the other shards) get in, and they skip AUTH as
         * the shard's own connections. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
            cred.uid != geteuid()) {
            log_warn("peer socket: refused a connection from uid %d",
                     (int)cred.uid);
            close(fd);
            continue;
        }
        net_client_create(srv, fd, CF_UNIX | CF_PEER | CF_AUTHENTICATED);
    }
}

int peer_setup(server *srv, const char *my_id)
{
    peer_state *ps = mem_calloc(sizeof(*ps));
    struct sockaddr_un sa;
    socklen_t len = peer_addr(my_id, &sa);

    ps->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
                                        SOCK_CLOEXEC, 0);
    if (ps->listen_fd < 0 ||
        bind(ps->listen_fd, (struct sockaddr *)&sa, len) != 0 ||
        listen(ps->listen_fd, 64) != 0) {
        log_warn("Can't listen for peer shards: %s", strerror(errno));
        if (ps->listen_fd >= 0) {
            close(ps->listen_fd);
        }
        mem_free(ps);
        return -1;
    }
    ev_io_init(&ps->listen_io, on_accept, ps->listen_fd, EV_READ);
    ps->listen_io.data = srv;
    ev_io_start(srv->loop, &ps->listen_io);
    srv->peers = ps;
    return 0;
}

/* ---- outgoing ---- */

static void fanout_free(server *srv, fanout *f)
{
    fanout **pp = &srv->peers->fanouts;

    while (*pp != NULL && *pp != f) {
        pp = &(*pp)->next;
    }
    if (*pp == f) {
        *pp = f->next;
    }
    mem_free(f);
}

static void fanout_answer(server *srv, fanout *f, long long n)
{
    f->total += n;
    if (--f->pending > 0) {
        return;
    }
    client *c = f->c;
    long long total = f->total;
    fanout_free(srv, f);
    if (c != NULL) {
        c->flags &= ~CF_SUSPENDED;
        reply_ll(c, total);
        /* Requests that arrived meanwhile run now, in order. */
        net_process_input(c);
    }
}

static void link_close(server *srv, peer_link *l)
{
    if (l->fd >= 0) {
        ev_io_stop(srv->loop, &l->rio);
        ev_io_stop(srv->loop, &l->wio);
        close(l->fd);
        l->fd = -1;
    }
    l->connecting = 0;
    str_clear(l->out);
    str_clear(l->in);
    /* Requests in flight count no receivers there. */
    while (l->qlen > 0) {
        fanout *f = l->queue[l->qhead];
        l->qhead = (l->qhead + 1) % l->qcap;
        l->qlen--;
        fanout_answer(srv, f, 0);
    }
}

static void on_link_write(struct ev_loop *loop, ev_io *w, int revents)
{
    peer_link *l = w->data;
    server *srv = l->srv;

    (void)loop;
    (void)revents;
    if (l->connecting) {
        int err = 0;
        socklen_t el = sizeof(err);
        getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err != 0) {
            log_warn("peer %.8s: connect failed: %s", l->id, strerror(err));
            link_close(srv, l);
            return;
        }
        l->connecting = 0;
    }
    while (str_len(l->out) > 0) {
        ssize_t n = send(l->fd, l->out, str_len(l->out), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        if (n <= 0) {
            log_warn("peer %.8s: write failed: %s", l->id, strerror(errno));
            link_close(srv, l);
            return;
        }
        str_consume(l->out, (size_t)n);
    }
    ev_io_stop(srv->loop, &l->wio);
}

static void on_link_read(struct ev_loop *loop, ev_io *w, int revents)
{
    peer_link *l = w->data;
    server *srv = l->srv;
    char buf[4096];
    ssize_t n = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT);

    (void)loop;
    (void)revents;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        link_close(srv, l);
        return;
    }
    l->in = str_cat(l->in, buf, (size_t)n);
    for (;;) {
        char *eol = memmem(l->in, str_len(l->in), "\r\n", 2);
        if (eol == NULL) {
            break;
        }
        long long v = 0;
        if (l->in[0] != ':' ||
            util_str2ll(l->in + 1, (size_t)(eol - l->in - 1), &v) != 0) {
            /* An error (say, a shard still loading): nobody got it there. */
            v = 0;
        }
        str_consume(l->in, (size_t)(eol - l->in) + 2);
        if (l->qlen == 0) {
            log_warn("peer %.8s: unexpected reply", l->id);
            link_close(srv, l);
            return;
        }
        fanout *f = l->queue[l->qhead];
        l->qhead = (l->qhead + 1) % l->qcap;
        l->qlen--;
        fanout_answer(srv, f, v);
    }
}

static int link_connect(server *srv, peer_link *l)
{
    struct sockaddr_un sa;
    socklen_t len = peer_addr(l->id, &sa);

    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0) {
        return -1;
    }
    if (connect(l->fd, (struct sockaddr *)&sa, len) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            close(l->fd);
            l->fd = -1;
            return -1;
        }
        l->connecting = 1;
    }
    ev_io_init(&l->rio, on_link_read, l->fd, EV_READ);
    ev_io_init(&l->wio, on_link_write, l->fd, EV_WRITE);
    l->rio.data = l->wio.data = l;
    ev_io_start(srv->loop, &l->rio);
    if (l->connecting) {
        ev_io_start(srv->loop, &l->wio);
    }
    return 0;
}

static void link_queue(peer_link *l, fanout *f)
{
    if (l->qlen == l->qcap) {
        size_t cap = l->qcap == 0 ? 16 : l->qcap * 2;
        fanout **q = mem_alloc(cap * sizeof(*q));
        for (size_t i = 0; i < l->qlen; i++) {
            q[i] = l->queue[(l->qhead + i) % l->qcap];
        }
        mem_free(l->queue);
        l->queue = q;
        l->qhead = 0;
        l->qcap = cap;
    }
    l->queue[(l->qhead + l->qlen) % l->qcap] = f;
    l->qlen++;
}

int peer_fanout_wanted(const client *c)
{
    peer_state *ps = c->srv->peers;

    return ps != NULL && ps->topo != NULL && ps->topo->nnodes > 1 &&
           !(c->flags & CF_PEER);
}

void peer_publish(client *c, const char *ch, size_t chlen, const char *msg,
                  size_t msglen, long long local)
{
    server *srv = c->srv;
    peer_state *ps = srv->peers;
    /* Inside EXEC or a script the caller can't wait: send, don't count. */
    int wait = !(c->flags & (CF_DENY_BLOCKING | CF_FAKE));
    fanout *f = mem_calloc(sizeof(*f));

    f->c = wait ? c : NULL;
    f->total = local;
    f->pending = 1; /* ours, released below: no early completion */
    f->next = ps->fanouts;
    ps->fanouts = f;
    const char *words[] = {"PUBLISH", ch, msg};
    const size_t lens[] = {7, chlen, msglen};
    str req = ctlmsg_encode(str_empty(), 3, words, lens);
    for (int i = 0; i < ps->nlinks; i++) {
        peer_link *l = &ps->links[i];
        if (i == ps->myself || !ps->topo->nodes[i].alive) {
            continue;
        }
        if (l->fd < 0 && link_connect(srv, l) != 0) {
            continue;
        }
        l->out = str_cat(l->out, req, str_len(req));
        link_queue(l, f);
        f->pending++;
        if (!l->connecting) {
            ev_io_start(srv->loop, &l->wio);
        }
    }
    str_free(req);
    if (wait) {
        c->flags |= CF_SUSPENDED;
    } else {
        reply_ll(c, local);
    }
    fanout_answer(srv, f, 0);
}

void peer_client_gone(client *c)
{
    peer_state *ps = c->srv->peers;

    for (fanout *f = ps != NULL ? ps->fanouts : NULL; f != NULL; f = f->next) {
        if (f->c == c) {
            f->c = NULL;
        }
    }
}

static void free_links(server *srv, peer_state *ps)
{
    for (int i = 0; i < ps->nlinks; i++) {
        link_close(srv, &ps->links[i]);
        str_free(ps->links[i].out);
        str_free(ps->links[i].in);
        mem_free(ps->links[i].queue);
    }
    mem_free(ps->links);
    ps->links = NULL;
    ps->nlinks = 0;
}

static int same_nodes(const topology *a, const topology *b)
{
    if (a == NULL || a->nnodes != b->nnodes) {
        return 0;
    }
    for (int i = 0; i < a->nnodes; i++) {
        if (strcmp(a->nodes[i].id, b->nodes[i].id) != 0) {
            return 0;
        }
    }
    return 1;
}

void peer_set_topology(server *srv, topology *t, int myself)
{
    peer_state *ps = srv->peers;

    if (ps == NULL) {
        topo_free(t);
        return;
    }
    /* Links stay where they are (libev holds pointers to their watchers):
     * the same nodes keep theirs; a new node set starts over. */
    if (!same_nodes(ps->topo, t)) {
        free_links(srv, ps);
        ps->links = mem_calloc((size_t)t->nnodes * sizeof(peer_link));
        ps->nlinks = t->nnodes;
        for (int i = 0; i < t->nnodes; i++) {
            peer_link *l = &ps->links[i];
            l->srv = srv;
            memcpy(l->id, t->nodes[i].id, sizeof(l->id));
            l->fd = -1;
            l->out = str_empty();
            l->in = str_empty();
        }
    }
    for (int i = 0; i < t->nnodes; i++) {
        if (!t->nodes[i].alive) {
            link_close(srv, &ps->links[i]);
        }
    }
    topo_free(ps->topo);
    ps->topo = t;
    ps->myself = myself;
}

void peer_teardown(server *srv)
{
    peer_state *ps = srv->peers;

    if (ps == NULL) {
        return;
    }
    free_links(srv, ps);
    while (ps->fanouts != NULL) {
        fanout *f = ps->fanouts;
        ps->fanouts = f->next;
        mem_free(f);
    }
    ev_io_stop(srv->loop, &ps->listen_io);
    close(ps->listen_fd);
    topo_free(ps->topo);
    mem_free(ps);
    srv->peers = NULL;
}
