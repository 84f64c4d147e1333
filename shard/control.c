/* control: the shard's end of the supervisor's control channel (see
 * control.h for the messages). */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster.h"
#include "config.h"
#include "ctlmsg.h"
#include "log.h"
#include "mem.h"
#include "peer.h"
#include "resp.h"
#include "util.h"

typedef struct control_state {
    int fd;
    ev_io io;
    str in;
    resp_parser parser;
    int fork_requested;  /* FORK sent, FORKOK not yet received */
    int fork_granted;    /* FORKOK received, not yet used */
    int fork_answered;   /* FORKOK or FORKWAIT since the last FORK */
    const char *conf_file;
    int conf_argc;
    char **conf_argv;
} control_state;

void control_send(server *srv, int argc, const char **argv)
{
    control_state *cs = srv->control;

    if (cs != NULL && cs->fd >= 0 &&
        ctlmsg_send(cs->fd, argc, argv, NULL) != 0) {
        log_warn("control channel: send failed: %s", strerror(errno));
    }
}

static void on_message(void *priv, const char *buf, const resp_span *a,
                       size_t argc)
{
    server *srv = priv;
    control_state *cs = srv->control;

    if (argc == 3 && ctlmsg_is(buf, &a[0], "TOPOLOGY")) {
        str err = NULL;
        topology *t = topo_parse(buf + a[1].off, a[1].len, &err);
        long long myself;
        if (t == NULL ||
            util_str2ll(buf + a[2].off, a[2].len, &myself) != 0 ||
            myself < 0 || myself >= t->nnodes) {
            log_warn("control channel: bad topology: %s",
                     err != NULL ? err : "bad node index");
            str_free(err);
            topo_free(t);
            return;
        }
        peer_set_topology(srv, topo_dup(t), (int)myself);
        cluster_set_topology(srv, t, (int)myself);
    } else if (argc == 2 && ctlmsg_is(buf, &a[0], "PING")) {
        char n[32];
        snprintf(n, sizeof(n), "%.*s", (int)a[1].len, buf + a[1].off);
        control_send(srv, 2, (const char *[]){"PONG", n});
    } else if (argc == 1 && ctlmsg_is(buf, &a[0], "FORKOK")) {
        cs->fork_requested = 0;
        cs->fork_granted = 1;
        cs->fork_answered = 1;
    } else if (argc == 1 && ctlmsg_is(buf, &a[0], "FORKWAIT")) {
        cs->fork_answered = 1; /* queued: FORKOK comes later */
    } else if (argc == 1 && ctlmsg_is(buf, &a[0], "RELOAD")) {
        log_notice("supervisor asked to reload the configuration");
        config_reload(srv, cs->conf_file, cs->conf_argc, cs->conf_argv);
    } else {
        log_warn("control channel: unknown message %.*s", (int)a[0].len,
                 buf + a[0].off);
    }
}

/* Run every complete message in the input buffer. */
static void drain(server *srv)
{
    control_state *cs = srv->control;
    const char *err = NULL;

    if (ctlmsg_drain(cs->in, &cs->parser, 512LL * 1024 * 1024, on_message,
                     srv, &err) != 0) {
        log_warn("control channel: protocol error: %s", err);
    }
}

/* Read what is there; 0, or -1 when the supervisor is gone (then the
 * shard is already stopping). */
static int read_some(server *srv)
{
    control_state *cs = srv->control;
    char buf[16384];
    ssize_t n = recv(cs->fd, buf, sizeof(buf), MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return 0;
    }
    if (n <= 0) {
        /* The supervisor is gone: nobody will route to us or restart us
         * coherently; stop as on SIGTERM. */
        log_warn("control channel closed: the supervisor exited; "
                 "shutting down");
        ev_io_stop(srv->loop, &cs->io);
        close(cs->fd);
        cs->fd = -1;
        srv->shutdown_asap = 1;
        ev_break(srv->loop, EVBREAK_ALL);
        return -1;
    }
    cs->in = str_cat(cs->in, buf, (size_t)n);
    drain(srv);
    return 0;
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    read_some(w->data);
}

int control_setup(server *srv, shard_boot *boot)
{
    control_state *cs = mem_calloc(sizeof(*cs));

    cs->fd = boot->control_fd;
    cs->in = str_empty();
    cs->conf_file = boot->conf_file;
    cs->conf_argc = boot->conf_argc;
    cs->conf_argv = boot->conf_argv;
    resp_parser_init(&cs->parser);
    srv->control = cs;
    ev_io_init(&cs->io, on_readable, cs->fd, EV_READ);
    cs->io.data = srv;
    ev_io_start(srv->loop, &cs->io);
    if (boot->topo != NULL) {
        if (peer_setup(srv, boot->topo->nodes[boot->myself].id) == 0) {
            peer_set_topology(srv, topo_dup(boot->topo), boot->myself);
        }
        cluster_set_topology(srv, boot->topo, boot->myself);
        boot->topo = NULL;
    }
    control_send(srv, 1, (const char *[]){"READY"});
    return 0;
}

void control_teardown(server *srv)
{
    control_state *cs = srv->control;

    peer_teardown(srv);
    if (cs == NULL) {
        return;
    }
    if (cs->fd >= 0) {
        ev_io_stop(srv->loop, &cs->io);
        close(cs->fd);
    }
    resp_parser_deinit(&cs->parser);
    str_free(cs->in);
    mem_free(cs);
    srv->control = NULL;
}

int control_fork_acquire(server *srv)
{
    control_state *cs = srv->control;

    if (cs->fork_granted) {
        cs->fork_granted = 0;
        return 1;
    }
    if (cs->fork_requested || cs->fd < 0) {
        return 0; /* queued earlier: FORKOK arrives through the loop */
    }
    cs->fork_requested = 1;
    cs->fork_answered = 0;
    control_send(srv, 1, (const char *[]){"FORK"});
    /* The supervisor answers at once (it is never busy): wait for that
     * answer here, so a free gate means "Background saving started" as
     * from a lone Redis, not a schedule. */
    long long deadline = util_mstime() + 1000;
    while (!cs->fork_answered && cs->fd >= 0) {
        long long left = deadline - util_mstime();
        struct pollfd pfd = {cs->fd, POLLIN, 0};
        if (left <= 0) {
            break;
        }
        if (poll(&pfd, 1, (int)left) > 0 && read_some(srv) != 0) {
            break;
        }
    }
    if (cs->fork_granted) {
        cs->fork_granted = 0;
        return 1;
    }
    return 0;
}

void control_fork_release(server *srv)
{
    control_send(srv, 1, (const char *[]){"FORKDONE"});
}
