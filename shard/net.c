/* net: connections, request reading and reply writing on the libev loop. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "aof.h"
#include "blocking.h"
#include "cluster.h"
#include "cmd.h"
#include "db.h"
#include "listen.h"
#include "log.h"
#include "mem.h"
#include "multi.h"
#include "peer.h"
#include "pubsub.h"
#include "tracking.h"
#include "reply.h"
#include "util.h"

#define READ_CHUNK (16 * 1024)
#define BIG_ARG (32 * 1024)
/* A drained query buffer bigger than this is given back. */
#define QB_SHRINK_SIZE (256 * 1024)

static void process_input(client *c);


static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        return -1;
    }
    return 0;
}

static void set_keepalive(int fd, int interval)
{
    int yes = 1;

    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes)) < 0) {
        return;
    }
    int idle = interval, intvl = interval / 3 > 0 ? interval / 3 : 1, cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void format_addr(const struct sockaddr_storage *ss, char *out,
                        size_t size)
{
    char ip[INET6_ADDRSTRLEN];

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const void *)ss;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        snprintf(out, size, "%s:%d", ip, ntohs(s->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const void *)ss;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        snprintf(out, size, "%s:%d", ip, ntohs(s->sin6_port));
    } else {
        snprintf(out, size, "/unixsocket");
    }
}

/* ---- client lifecycle ---- */

static void on_read(struct ev_loop *loop, ev_io *w, int revents);
static void on_write(struct ev_loop *loop, ev_io *w, int revents);

client *net_client_create(server *srv, int fd, int flags)
{
    client *c = mem_calloc(sizeof(*c));

    c->id = ++srv->next_client_id;
    c->srv = srv;
    c->fd = fd;
    c->flags = flags;
    c->resp = 2;
    c->db = &srv->dbs[0];
    c->querybuf = str_empty();
    resp_parser_init(&c->parser);
    c->ctime = (time_t)(srv->mstime / 1000);
    c->last_interaction = srv->mstime;
    c->reply_mode = REPLY_ON;
    /* As Redis's nopass default user: a connection made while no
     * requirepass is set stays authenticated if one is set later. */
    if (srv->cfg.requirepass == NULL || str_len(srv->cfg.requirepass) == 0) {
        c->flags |= CF_AUTHENTICATED;
    }
    if (fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (flags & CF_UNIX) {
            snprintf(c->addr, sizeof(c->addr), "%s:0",
                     srv->cfg.unixsocket != NULL ? srv->cfg.unixsocket : "");
            snprintf(c->laddr, sizeof(c->laddr), "%s:0",
                     srv->cfg.unixsocket != NULL ? srv->cfg.unixsocket : "");
        } else {
            if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
                format_addr(&ss, c->addr, sizeof(c->addr));
            }
            sl = sizeof(ss);
            if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
                format_addr(&ss, c->laddr, sizeof(c->laddr));
            }
        }
        ev_io_init(&c->rio, on_read, fd, EV_READ);
        c->rio.data = c;
        ev_io_init(&c->wio, on_write, fd, EV_WRITE);
        c->wio.data = c;
        ev_io_start(srv->loop, &c->rio);
        c->next = srv->clients;
        if (srv->clients != NULL) {
            srv->clients->prev = c;
        }
        srv->clients = c;
        srv->client_count++;
        tracking_client_created(c); /* findable by id (REDIRECT) */
    }
    return c;
}

static void remove_pending_write(client *c)
{
    client **pp = &c->srv->pending_writes;

    if (!(c->flags & CF_PENDING_WRITE)) {
        return;
    }
    while (*pp != NULL) {
        if (*pp == c) {
            *pp = c->pw_next;
            break;
        }
        pp = &(*pp)->pw_next;
    }
    c->pw_next = NULL;
    c->flags &= ~CF_PENDING_WRITE;
}

static void remove_paused(client *c)
{
    client **pp = &c->srv->paused_clients;

    if (!(c->flags & CF_PAUSED)) {
        return;
    }
    while (*pp != NULL) {
        if (*pp == c) {
            *pp = c->paused_next;
            break;
        }
        pp = &(*pp)->paused_next;
    }
    c->paused_next = NULL;
    c->flags &= ~CF_PAUSED;
}

static void free_client(client *c)
{
    server *srv = c->srv;

    if (c->fd >= 0) {
        ev_io_stop(srv->loop, &c->rio);
        ev_io_stop(srv->loop, &c->wio);
        close(c->fd);
        if (c->prev != NULL) {
            c->prev->next = c->next;
        } else {
            srv->clients = c->next;
        }
        if (c->next != NULL) {
            c->next->prev = c->prev;
        }
        srv->client_count--;
    }
    remove_pending_write(c);
    remove_paused(c);
    blocking_remove(c);
    if (c->flags & CF_MONITOR) {
        net_remove_monitor(c);
    }
    if (c->flags & CF_SUSPENDED) {
        peer_client_gone(c);
    }
    pubsub_client_unsubscribe_all(c);
    multi_client_reset(c);
    tracking_client_freed(c);
    reply_free_all(c);
    resp_parser_deinit(&c->parser);
    str_free(c->querybuf);
    str_free(c->name);
    str_free(c->lib_name);
    str_free(c->lib_ver);
    mem_free(c->argv);
    mem_free(c);
}

void net_client_close(client *c)
{
    if (c->flags & (CF_EXECUTING | CF_PROTECTED)) {
        net_client_close_async(c);
        return;
    }
    free_client(c);
}

void net_client_close_async(client *c)
{
    c->flags |= CF_CLOSE_ASAP;
    if (c->fd >= 0) {
        ev_io_stop(c->srv->loop, &c->rio);
    }
    if (!(c->flags & CF_PENDING_WRITE)) {
        c->flags |= CF_PENDING_WRITE;
        c->pw_next = c->srv->pending_writes;
        c->srv->pending_writes = c;
    }
}

/* ---- output ---- */

static long long obuf_class_limit(const client *c, int which)
{
    /* Replica class joins when that feature lands. A client with any
     * subscription is of the pubsub class, as Redis decides. */
    int cls = pubsub_client_obuf_class(c) ? 2 : 0;

    return c->srv->cfg.obuf_limits[cls][which];
}

void net_reply_queued(client *c)
{
    server *srv = c->srv;

    if (c->fd < 0) {
        return;
    }
    if (!(c->flags & CF_PENDING_WRITE)) {
        c->flags |= CF_PENDING_WRITE;
        c->pw_next = srv->pending_writes;
        srv->pending_writes = c;
    }
    long long hard = obuf_class_limit(c, 0);
    long long soft = obuf_class_limit(c, 1);
    if (hard > 0 && (long long)c->out_bytes >= hard) {
        goto over;
    }
    if (soft > 0 && (long long)c->out_bytes >= soft) {
        if (c->obuf_soft_since == 0) {
            c->obuf_soft_since = srv->mstime;
        } else if (srv->mstime / 1000 - c->obuf_soft_since / 1000 >
                   obuf_class_limit(c, 2)) {
            /* Whole seconds, as Redis counts them (its unixtime clock). */
            goto over;
        }
    } else {
        c->obuf_soft_since = 0;
    }
    return;
over:
    if (!(c->flags & CF_CLOSE_ASAP)) {
        str info = net_client_info(str_empty(), c);
        log_warn("Client %s scheduled to be closed ASAP for overcoming of "
                 "output buffer limits.", info);
        str_free(info);
        srv->stat_client_outbuf_limit_disconnections++;
        net_client_close_async(c);
    }
}

/* Write what the socket takes. Returns 0, or -1 if the client was freed. */
static int write_client(client *c)
{
    server *srv = c->srv;
    struct iovec iov[64];

    /* appendfsync always: no reply leaves before its write is on disk
     * (before_sleep normally did it already; this is a no-op then). */
    aof_flush_before_reply(srv);

    while (c->out_head != NULL) {
        int n = 0;
        size_t total = 0;
        reply_block *b = c->out_head;
        size_t off = c->out_sent;
        for (; b != NULL && n < 64; b = b->next) {
            if (b->used > off) {
                iov[n].iov_base = b->buf + off;
                iov[n].iov_len = b->used - off;
                total += iov[n].iov_len;
                n++;
            }
            off = 0;
        }
        if (n == 0) {
            reply_free_all(c);
            break;
        }
        ssize_t w = writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            if (errno == EINTR) {
                continue;
            }
            log_verbose("Error writing to client: %s", strerror(errno));
            free_client(c);
            return -1;
        }
        srv->stat_net_output_bytes += w;
        srv->stat_io_writes++;
        c->out_bytes -= (size_t)w < c->out_bytes ? (size_t)w : c->out_bytes;
        size_t left = (size_t)w;
        while (c->out_head != NULL) {
            reply_block *h = c->out_head;
            size_t avail = h->used - c->out_sent;
            if (left < avail || (h->next == NULL && h->size == 0 &&
                                 h->used == 0)) {
                c->out_sent += left;
                break;
            }
            left -= avail;
            c->out_head = h->next;
            if (c->out_head == NULL) {
                c->out_tail = NULL;
            }
            mem_free(h);
            c->out_sent = 0;
        }
        if ((size_t)w < total) {
            break;
        }
    }
    if (c->out_head == NULL) {
        c->out_bytes = 0;
        c->obuf_soft_since = 0;
        ev_io_stop(srv->loop, &c->wio);
        if (c->flags & CF_CLOSE_AFTER_REPLY) {
            free_client(c);
            return -1;
        }
    } else {
        ev_io_start(srv->loop, &c->wio);
    }
    return 0;
}

void net_flush_pending(server *srv)
{
    /* A pause ended during this iteration: run the held clients now, so
     * their replies go out with the rest. */
    if (srv->pause_end_ms != 0 && srv->pause_end_ms <= srv->mstime &&
        !srv->shutdown_asap) {
        net_unpause(srv);
    }
    client *held = NULL;
    while (srv->pending_writes != NULL) {
        client *c = srv->pending_writes;
        srv->pending_writes = c->pw_next;
        c->pw_next = NULL;
        /* A busy script polls the loop from inside its command (script.c):
         * its caller is neither written nor freed until that returns. */
        if (c->flags & CF_EXECUTING) {
            c->pw_next = held;
            held = c;
            continue;
        }
        c->flags &= ~CF_PENDING_WRITE;
        if (c->flags & CF_CLOSE_ASAP) {
            free_client(c);
            continue;
        }
        write_client(c);
    }
    srv->pending_writes = held;
}

static void on_write(struct ev_loop *loop, ev_io *w, int revents)
{
    client *c = w->data;

    (void)loop;
    (void)revents;
    write_client(c);
}

/* ---- input ---- */

static void build_argv(client *c, const char *base)
{
    resp_parser *p = &c->parser;
    const char *src = p->kind == 'i' ? p->inline_buf : base;

    if ((size_t)c->argv_cap < p->argc) {
        c->argv_cap = (int)p->argc;
        c->argv = mem_realloc(c->argv, sizeof(arg) * (size_t)c->argv_cap);
    }
    c->argc = (int)p->argc;
    c->argv_bytes = 0;
    for (size_t i = 0; i < p->argc; i++) {
        c->argv[i].p = src + p->args[i].off;
        c->argv[i].n = p->args[i].len;
        c->argv_bytes += p->args[i].len;
    }
}

static void protocol_error(client *c, const char *err)
{
    if (log_level() <= LOG_VERBOSE) {
        log_verbose("Protocol error (%s) from client: id=%llu addr=%s", err,
                    (unsigned long long)c->id, c->addr);
    }
    reply_errorf(c, "%s", err);
    c->flags |= CF_CLOSE_AFTER_REPLY;
}

static void process_input(client *c)
{
    server *srv = c->srv;
    resp_limits lim;

    c->flags |= CF_PROTECTED;
    while (c->qb_pos < str_len(c->querybuf)) {
        if (c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP | CF_PAUSED |
                        CF_BLOCKED | CF_SUSPENDED)) {
            break;
        }
        /* Per request: an AUTH or CONFIG SET earlier in the same batch
         * changes the limits for the requests after it. */
        lim.max_bulk_len = srv->cfg.proto_max_bulk_len;
        lim.unauthenticated = srv->cfg.requirepass != NULL &&
                              str_len(srv->cfg.requirepass) > 0 &&
                              !(c->flags & CF_AUTHENTICATED);
        const char *err = NULL;
        const char *base = c->querybuf + c->qb_pos;
        int rc = resp_parse(&c->parser, base, str_len(c->querybuf) - c->qb_pos,
                            &lim, &err);
        if (rc == RESP_EUNFIN) {
            break;
        }
        if (rc == RESP_EINVALID) {
            protocol_error(c, err);
            resp_parser_reset(&c->parser);
            c->qb_pos = str_len(c->querybuf);
            break;
        }
        if (rc == RESP_EMPTY) {
            c->qb_pos += c->parser.pos;
            resp_parser_reset(&c->parser);
            continue;
        }
        build_argv(c, base);
        cmd_process(c);
        if (c->flags & (CF_PAUSED | CF_BLOCKED)) {
            /* Held: parse this request again when the pause ends (or,
             * blocked, when blocking.c runs it again). */
            resp_parser_reset(&c->parser);
            break;
        }
        c->qb_pos += c->parser.pos;
        resp_parser_reset(&c->parser);
        c->argc = 0;
        if (c->reply_mode == REPLY_SKIP) {
            c->reply_mode = REPLY_ON;
        } else if (c->reply_mode == REPLY_SKIP_NEXT) {
            c->reply_mode = REPLY_SKIP;
        }
        if (c->flags & CF_SUSPENDED) {
            break; /* its reply comes from the other shards (peer.c) */
        }
    }
    c->flags &= ~CF_PROTECTED;
    /* Drop what was consumed; a partial request moves to the front, and
     * the parser's offsets stay valid because they are relative to it. */
    if (c->qb_pos > 0) {
        str_consume(c->querybuf, c->qb_pos);
        c->qb_pos = 0;
        /* After a big argument, don't keep its buffer around for the
         * connection's lifetime (offsets survive the move). */
        if (str_len(c->querybuf) < READ_CHUNK &&
            str_alloc_size(c->querybuf) > QB_SHRINK_SIZE) {
            c->querybuf = str_trim_alloc(c->querybuf);
        }
    }
    if (c->flags & CF_CLOSE_ASAP) {
        free_client(c);
    }
}

void net_process_input(client *c)
{
    process_input(c);
}

int net_rerun_held(client *c)
{
    server *srv = c->srv;
    resp_limits lim;
    const char *err = NULL;
    const char *base = c->querybuf + c->qb_pos;

    lim.max_bulk_len = srv->cfg.proto_max_bulk_len;
    lim.unauthenticated = 0; /* it parsed once already */
    resp_parser_reset(&c->parser);
    if (resp_parse(&c->parser, base, str_len(c->querybuf) - c->qb_pos, &lim,
                   &err) != RESP_OK) {
        resp_parser_reset(&c->parser);
        return -1;
    }
    build_argv(c, base);
    c->flags |= CF_PROTECTED;
    cmd_call(c);
    c->flags &= ~CF_PROTECTED;
    if (c->flags & CF_BLOCKED) {
        resp_parser_reset(&c->parser);
        return 1;
    }
    /* Done: consume it as process_input would have. */
    c->qb_pos += c->parser.pos;
    resp_parser_reset(&c->parser);
    c->argc = 0;
    if (c->reply_mode == REPLY_SKIP) {
        c->reply_mode = REPLY_ON;
    } else if (c->reply_mode == REPLY_SKIP_NEXT) {
        c->reply_mode = REPLY_SKIP;
    }
    return 0;
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents)
{
    client *c = w->data;
    server *srv = c->srv;
    size_t want = READ_CHUNK;

    (void)loop;
    (void)revents;
    /* A big bulk argument in progress: read up to what is missing, so
     * the buffer ends up holding it without slack. Reserve no more than
     * the buffer already holds, though: growing by doubling keeps copies
     * linear, and a bare "$500000000" header costs nothing up front. */
    if (c->parser.kind == '*' && c->parser.bulk_len >= BIG_ARG) {
        size_t have = str_len(c->querybuf) - c->qb_pos - c->parser.pos;
        size_t need = (size_t)c->parser.bulk_len + 2;
        size_t step = str_len(c->querybuf) > READ_CHUNK
                          ? str_len(c->querybuf) : READ_CHUNK;
        if (need > have) {
            want = need - have < step ? need - have : step;
        }
    }
    c->querybuf = str_make_room(c->querybuf, want);
    size_t cur = str_len(c->querybuf);
    ssize_t n = read(c->fd, c->querybuf + cur, want);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return;
        }
        log_verbose("Reading from client: %s", strerror(errno));
        free_client(c);
        return;
    }
    if (n == 0) {
        log_verbose("Client closed connection id=%llu addr=%s",
                    (unsigned long long)c->id, c->addr);
        free_client(c);
        return;
    }
    str_set_len(c->querybuf, cur + (size_t)n);
    srv->stat_net_input_bytes += n;
    srv->stat_io_reads++;
    c->last_interaction = srv->mstime;
    if (str_len(c->querybuf) > c->querybuf_peak) {
        c->querybuf_peak = str_len(c->querybuf);
    }
    /* Complete arguments of the request under way don't count: Redis has
     * already moved them out of its query buffer (we keep them in place). */
    size_t pending = str_len(c->querybuf) - c->qb_pos -
                     (c->parser.kind == '*' ? c->parser.pos : 0);
    if ((long long)pending > srv->cfg.client_query_buffer_limit) {
        str info = net_client_info(str_empty(), c);
        log_warn("Closing client that reached max query buffer length: %s",
                 info);
        str_free(info);
        srv->stat_client_qbuf_limit_disconnections++;
        free_client(c);
        return;
    }
    process_input(c);
}

/* ---- accepting ---- */

static void accept_common(server *srv, int fd, int flags)
{
    if (set_nonblock(fd) != 0) {
        close(fd);
        return;
    }
    if (!(flags & CF_UNIX)) {
        int yes = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
        if (srv->cfg.tcp_keepalive > 0) {
            set_keepalive(fd, srv->cfg.tcp_keepalive);
        }
    }
    if (srv->client_count >= (size_t)srv->cfg.maxclients) {
        static const char msg[] = "-ERR max number of clients reached\r\n";
        ssize_t w = write(fd, msg, sizeof(msg) - 1);
        (void)w;
        srv->stat_rejected_conn++;
        close(fd);
        return;
    }
    srv->stat_numconnections++;
    client *c = net_client_create(srv, fd, flags);
    log_verbose("Accepted %s", c->addr);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    server *srv = w->data;

    (void)loop;
    (void)revents;
    for (int i = 0; i < 1000; i++) {
        int fd = accept(w->fd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                log_warn("accept() failed: %s", strerror(errno));
            }
            return;
        }
        accept_common(srv, fd, w == &srv->unix_io ? CF_UNIX : 0);
    }
}

static int listen_tcp(server *srv, const char *addr)
{
    int fd = listen_tcp_addr(addr, srv->cfg.port, srv->cfg.tcp_backlog);

    if (fd == -2) {
        return 0; /* an optional address that isn't there */
    }
    return fd >= 0 && net_adopt_listener(srv, fd) == 0 ? 0 : -1;
}

int net_adopt_listener(server *srv, int fd)
{
    int i = srv->listen_count;

    if (i >= (int)(sizeof(srv->listen_fds) / sizeof(int))) {
        log_warn("too many listening sockets");
        return -1;
    }
    set_nonblock(fd);
    srv->listen_fds[i] = fd;
    ev_io_init(&srv->listen_io[i], on_accept, fd, EV_READ);
    srv->listen_io[i].data = srv;
    ev_io_start(srv->loop, &srv->listen_io[i]);
    srv->listen_count++;
    return 0;
}

static int listen_unix(server *srv)
{
    struct sockaddr_un sa;
    const char *path = srv->cfg.unixsocket;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        log_warn("unixsocket path too long: %s", path);
        return -1;
    }
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        log_warn("socket(AF_UNIX) failed: %s", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, srv->cfg.tcp_backlog) < 0 || set_nonblock(fd) < 0) {
        log_warn("Failed opening Unix socket %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (srv->cfg.unixsocketperm != 0) {
        chmod(path, (mode_t)srv->cfg.unixsocketperm);
    }
    srv->unix_fd = fd;
    ev_io_init(&srv->unix_io, on_accept, fd, EV_READ);
    srv->unix_io.data = srv;
    ev_io_start(srv->loop, &srv->unix_io);
    return 0;
}

int net_setup(server *srv)
{
    srv->unix_fd = -1;
    for (int i = 0; i < srv->boot_fd_count; i++) {
        if (net_adopt_listener(srv, srv->boot_fds[i]) != 0) {
            return -1;
        }
    }
    if (srv->listen_count == 0 && srv->cfg.port != 0) {
        int argc;
        str *addrs = util_split_args(srv->cfg.bind, str_len(srv->cfg.bind),
                                     &argc);
        for (int i = 0; addrs != NULL && i < argc; i++) {
            if (listen_tcp(srv, addrs[i]) != 0) {
                util_free_args(addrs, argc);
                return -1;
            }
        }
        util_free_args(addrs, argc);
    }
    if (srv->cfg.unixsocket != NULL && str_len(srv->cfg.unixsocket) > 0) {
        if (listen_unix(srv) != 0) {
            return -1;
        }
    }
    if (srv->listen_count == 0 && srv->unix_fd < 0) {
        log_warn("Configured to not listen anywhere, exiting.");
        return -1;
    }
    return 0;
}

void net_stop_listening(server *srv)
{
    for (int i = 0; i < srv->listen_count; i++) {
        ev_io_stop(srv->loop, &srv->listen_io[i]);
        close(srv->listen_fds[i]);
    }
    srv->listen_count = 0;
    if (srv->unix_fd >= 0) {
        ev_io_stop(srv->loop, &srv->unix_io);
        close(srv->unix_fd);
        unlink(srv->cfg.unixsocket);
        srv->unix_fd = -1;
    }
}

void net_teardown(server *srv)
{
    net_stop_listening(srv);
    while (srv->clients != NULL) {
        free_client(srv->clients);
    }
}

/* ---- CLIENT PAUSE ---- */

int net_should_pause(client *c, const command *cmd)
{
    server *srv = c->srv;

    /* An ended pause whose clients are not released yet holds nothing. */
    if (srv->pause_end_ms == 0 || srv->pause_end_ms <= srv->mstime ||
        c->fd < 0) {
        return 0;
    }
    /* EXEC is held as a write when it would run one. */
    if (!srv->pause_all && !(multi_effective_flags(c, cmd) &
                             (CMD_WRITE | CMD_MAY_REPLICATE))) {
        return 0;
    }
    c->flags |= CF_PAUSED;
    c->pause_since = srv->mstime;
    /* Append: the list is oldest first, the order of release. */
    client **pp = &srv->paused_clients;
    while (*pp != NULL) {
        pp = &(*pp)->paused_next;
    }
    c->paused_next = NULL;
    *pp = c;
    return 1;
}

void net_pause(server *srv, long long end_ms, int all)
{
    /* A new pause never shortens or weakens one in force. */
    if (srv->pause_end_ms != 0) {
        if (end_ms < srv->pause_end_ms) {
            end_ms = srv->pause_end_ms;
        }
        all = all || srv->pause_all;
    }
    srv->pause_end_ms = end_ms;
    srv->pause_all = all;
}

void net_unpause(server *srv)
{
    /* From inside a command (CLIENT UNPAUSE): end the pause now, but run
     * the held clients from the loop once this command is done, as Redis
     * does, not nested inside it (net_flush_pending releases them). */
    if (srv->current != NULL) {
        srv->pause_end_ms = 1;
        srv->pause_all = 0;
        return;
    }

    srv->pause_end_ms = 0;
    srv->pause_all = 0;
    /* Release from the list itself, one at a time: a released client may
     * kill a held one (free_client unlinks it), or pause again, and then
     * the rest stay held, ahead of any it holds. */
    while (srv->paused_clients != NULL && srv->pause_end_ms == 0) {
        client *c = srv->paused_clients;
        srv->paused_clients = c->paused_next;
        c->paused_next = NULL;
        c->flags &= ~CF_PAUSED;
        /* It was waiting on us, not idle: the idle timeout starts now. */
        c->last_interaction = srv->mstime;
        process_input(c);
    }
}

/* ---- MONITOR ---- */

void net_add_monitor(client *c)
{
    server *srv = c->srv;

    c->flags |= CF_MONITOR;
    c->mon_prev = NULL;
    c->mon_next = srv->monitors;
    if (srv->monitors != NULL) {
        srv->monitors->mon_prev = c;
    }
    srv->monitors = c;
}

void net_remove_monitor(client *c)
{
    server *srv = c->srv;

    if (c->mon_prev != NULL) {
        c->mon_prev->mon_next = c->mon_next;
    } else {
        srv->monitors = c->mon_next;
    }
    if (c->mon_next != NULL) {
        c->mon_next->mon_prev = c->mon_prev;
    }
    c->mon_prev = c->mon_next = NULL;
    c->flags &= ~CF_MONITOR;
}

static str cat_repr(str s, const char *p, size_t n)
{
    s = str_cat(s, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\\': s = str_cat(s, "\\\\", 2); break;
        case '"': s = str_cat(s, "\\\"", 2); break;
        case '\n': s = str_cat(s, "\\n", 2); break;
        case '\r': s = str_cat(s, "\\r", 2); break;
        case '\t': s = str_cat(s, "\\t", 2); break;
        case '\a': s = str_cat(s, "\\a", 2); break;
        case '\b': s = str_cat(s, "\\b", 2); break;
        default:
            if (ch >= 32 && ch < 127) {
                s = str_cat(s, p + i, 1);
            } else {
                s = str_catfmt(s, "\\x%02x", ch);
            }
        }
    }
    return str_cat(s, "\"", 1);
}

void net_feed_monitors(client *c)
{
    server *srv = c->srv;
    long long us = util_ustime();
    str line;

    if (c->flags & CF_UNIX) {
        line = str_catfmt(str_empty(), "+%lld.%06lld [%d unix:%s]",
                          us / 1000000, us % 1000000, c->db->id,
                          srv->cfg.unixsocket);
    } else {
        line = str_catfmt(str_empty(), "+%lld.%06lld [%d %s]", us / 1000000,
                          us % 1000000, c->db->id, c->addr);
    }
    /* AUTH and HELLO replace the secrets they read with "(redacted)" in
     * argv (cmd_conn.c), exactly where Redis does. */
    for (int i = 0; i < c->argc; i++) {
        line = str_cat(line, " ", 1);
        line = cat_repr(line, c->argv[i].p, c->argv[i].n);
    }
    line = str_cat(line, "\r\n", 2);
    for (client *m = srv->monitors; m != NULL; m = m->mon_next) {
        reply_raw(m, line, str_len(line));
    }
    str_free(line);
}

/* ---- cron ---- */

void net_cron(server *srv)
{
    long long now = srv->mstime;

    if (srv->pause_end_ms != 0 && now >= srv->pause_end_ms) {
        net_unpause(srv);
    }
    if (srv->cfg.timeout > 0) {
        client *c = srv->clients;
        while (c != NULL) {
            client *next = c->next;
            if (!(c->flags & (CF_MONITOR | CF_PAUSED | CF_BLOCKED)) &&
                now - c->last_interaction > (long long)srv->cfg.timeout * 1000) {
                log_verbose("Closing idle client");
                free_client(c);
            }
            c = next;
        }
    }
}

size_t net_client_obuf_mem(const client *c)
{
    size_t n = 0;

    for (const reply_block *b = c->out_head; b != NULL; b = b->next) {
        n += sizeof(*b) + b->size;
    }
    return n;
}

static str client_flags(str out, const client *c)
{
    size_t start = str_len(out);

    if (c->flags & CF_MONITOR) {
        out = str_cat(out, "O", 1);
    }
    if (pubsub_client_subscribed(c)) {
        out = str_cat(out, "P", 1);
    }
    if (multi_active(c)) {
        out = str_cat(out, "x", 1);
    }
    /* Redis 7.0 shows clients held by CLIENT PAUSE as blocked too. */
    if (c->flags & (CF_BLOCKED | CF_PAUSED)) {
        out = str_cat(out, "b", 1);
    }
    if (c->trk_flags & TRK_ON) {
        out = str_cat(out, "t", 1);
    }
    if (c->trk_flags & TRK_BROKEN_REDIR) {
        out = str_cat(out, "R", 1);
    }
    if (c->trk_flags & TRK_BCAST) {
        out = str_cat(out, "B", 1);
    }
    if (multi_dirty(c)) {
        out = str_cat(out, "d", 1);
    }
    if (c->flags & CF_CLOSE_AFTER_REPLY) {
        out = str_cat(out, "c", 1);
    }
    if (c->flags & CF_CLOSE_ASAP) {
        out = str_cat(out, "A", 1);
    }
    if (c->flags & CF_UNIX) {
        out = str_cat(out, "U", 1);
    }
    if (cluster_client_readonly(c)) {
        out = str_cat(out, "r", 1);
    }
    if (c->flags & CF_NO_EVICT) {
        out = str_cat(out, "e", 1);
    }
    if (str_len(out) == start) {
        out = str_cat(out, "N", 1);
    }
    return out;
}

str net_client_info(str out, const client *c)
{
    const server *srv = c->srv;
    size_t qbuf = str_len(c->querybuf);
    size_t obuf = net_client_obuf_mem(c);
    const char *cmdname = c->lastcmd != NULL ? c->lastcmd->fullname : "NULL";
    long long age = srv->mstime / 1000 - (long long)c->ctime;
    long long idle = (srv->mstime - c->last_interaction) / 1000;
    size_t rbs = c->out_tail != NULL ? c->out_tail->size : 0;
    size_t rbp = c->out_tail != NULL ? c->out_tail->used : 0;
    long oll = 0;

    for (const reply_block *b = c->out_head; b != NULL; b = b->next) {
        oll++;
    }
    /* Inside EXEC (still in MULTI) Redis names the EXEC: lastcmd. */
    if (c->flags & CF_EXECUTING && c->cmd != NULL && !multi_active(c)) {
        cmdname = c->cmd->fullname;
    }
    out = str_catfmt(out, "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld "
                          "idle=%lld flags=",
                     (unsigned long long)c->id, c->addr, c->laddr, c->fd,
                     c->name != NULL ? c->name : "", age, idle);
    out = client_flags(out, c);
    out = str_catfmt(
        out,
        " db=%d sub=%ld psub=%ld ssub=%ld multi=%d qbuf=%zu qbuf-free=%zu "
        "argv-mem=%zu multi-mem=%zu rbs=%zu rbp=%zu obl=0 oll=%ld omem=%zu "
        "tot-mem=%zu events=r%s cmd=%s user=default redir=%lld resp=%d",
        c->db->id, pubsub_client_channels(c), pubsub_client_patterns(c),
        pubsub_client_shard_channels(c),
        multi_active(c) ? multi_queued_count(c) : -1, qbuf,
        str_avail(c->querybuf), c->argv_bytes, multi_client_mem(c), rbs, rbp,
        oll, obuf,
        sizeof(client) + str_alloc_size(c->querybuf) + obuf + c->argv_bytes +
            multi_client_mem(c),
        c->out_head != NULL ? "w" : "", cmdname, tracking_redirect_field(c),
        c->resp);
    if (c->lib_name != NULL || c->lib_ver != NULL) {
        out = str_catfmt(out, " lib-name=%s lib-ver=%s",
                         c->lib_name != NULL ? c->lib_name : "",
                         c->lib_ver != NULL ? c->lib_ver : "");
    }
    return out;
}
