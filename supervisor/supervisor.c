/* supervisor: config, topology, pre-forked shards, respawn with back-off,
 * graceful stop, SIGHUP reload and the fork gate (see supervisor.h). */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "ctlmsg.h"
#include "listen.h"
#include "log.h"
#include "mem.h"
#include "util.h"

#define TOPOLOGY_FILE "topology.conf"
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define PING_INTERVAL_MS 1000

static long long now_ms(void)
{
    return util_mstime();
}

/* ---- config ---- */

/* Does the user set `dir` (file or arguments)? The supervisor's default
 * differs from a lone shard's ("./data" vs "./"). */
static int dir_given(const char *file, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcasecmp(argv[i], "--dir") == 0) {
            return 1;
        }
    }
    FILE *f = file != NULL ? fopen(file, "r") : NULL;
    char line[4096];
    int found = 0;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *p = line + strspn(line, " \t");
        if (strncasecmp(p, "dir", 3) == 0 && (p[3] == ' ' || p[3] == '\t')) {
            found = 1;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return found;
}

static int count_shards(const char *v)
{
    long long n;

    if (strcasecmp(v, "auto") == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        return cpus > 0 ? (int)cpus : 1;
    }
    if (util_str2ll(v, strlen(v), &n) != 0 || n < 1 || n > 1024) {
        return -1;
    }
    return (int)n;
}

/* The address shards announce: cluster-announce-ip, else the first bind
 * address (an optional "-" prefix dropped). */
static void announce_ip(supervisor *sv, char *out, size_t cap)
{
    str v = config_get_value(sv->conf, "cluster-announce-ip");
    int argc = 0;
    str *addrs;

    if (v != NULL && str_len(v) > 0) {
        snprintf(out, cap, "%s", v);
        str_free(v);
        return;
    }
    str_free(v);
    addrs = util_split_args(sv->conf->cfg.bind, str_len(sv->conf->cfg.bind),
                            &argc);
    if (addrs != NULL && argc > 0) {
        const char *a = addrs[0][0] == '-' ? addrs[0] + 1 : addrs[0];
        snprintf(out, cap, "%s", strcmp(a, "*") == 0 || strcmp(a, "0.0.0.0")
                                         == 0 ? "127.0.0.1" : a);
    } else {
        snprintf(out, cap, "127.0.0.1");
    }
    util_free_args(addrs, argc);
}

/* ---- listeners ---- */

/* Bind every shard's port on every bind address, unless systemd already
 * gave the shard its sockets. The sockets stay open here for good: a
 * client connecting while its shard (re)starts waits in the backlog. */
static int bind_listeners(supervisor *sv)
{
    server_config *cfg = &sv->conf->cfg;
    int argc = 0;
    str *addrs = util_split_args(cfg->bind, str_len(cfg->bind), &argc);
    int rc = 0;

    for (int i = 0; i < sv->nshards && rc == 0; i++) {
        shard_proc *sp = &sv->shards[i];
        if (sp->listen_count > 0) {
            continue; /* socket activation */
        }
        for (int a = 0; a < argc && sp->listen_count < SUP_MAX_LISTEN; a++) {
            int fd = listen_tcp_addr(addrs[a], cfg->port + i,
                                     cfg->tcp_backlog);
            if (fd == -1) {
                rc = -1;
                break;
            }
            if (fd >= 0) {
                sp->listen_fds[sp->listen_count++] = fd;
            }
        }
        if (rc == 0 && sp->listen_count == 0) {
            log_warn("shard %d has no address to listen on", i);
            rc = -1;
        }
    }
    util_free_args(addrs, argc);
    return rc;
}

/* ---- topology ---- */

static int save_topology(supervisor *sv)
{
    str err = NULL;

    if (topo_save_file(sv->topo, TOPOLOGY_FILE, &err) != 0) {
        log_warn("Can't save the topology: %s", err);
        str_free(err);
        return -1;
    }
    return 0;
}

static int setup_topology(supervisor *sv)
{
    char ip[64];
    str err = NULL;
    topology *t = topo_load_file(TOPOLOGY_FILE, &err);
    int changed = 0;

    announce_ip(sv, ip, sizeof(ip));
    if (t == NULL && err != NULL) {
        log_warn("Can't use %s/%s: %s", sv->dir, TOPOLOGY_FILE, err);
        str_free(err);
        return -1;
    }
    if (t != NULL && t->nnodes != sv->nshards) {
        log_warn("%s/%s has %d shards but the config asks for %d: keeping "
                 "the saved topology (its slots and data)", sv->dir,
                 TOPOLOGY_FILE, t->nnodes, sv->nshards);
        sv->nshards = t->nnodes;
    }
    if (t == NULL) {
        t = topo_new_even(sv->nshards, ip, sv->conf->cfg.port);
        log_notice("New topology: %d shards, epoch %llu", sv->nshards,
                   t->epoch);
        changed = 1;
    } else {
        log_notice("Topology loaded: %d shards, epoch %llu", t->nnodes,
                   t->epoch);
    }
    /* Addresses follow the config; node ids and slots follow the file. */
    for (int i = 0; i < t->nnodes; i++) {
        topo_node *n = &t->nodes[i];
        if (n->port != sv->conf->cfg.port + n->index ||
            strcmp(n->ip, ip) != 0 || !n->alive) {
            n->port = sv->conf->cfg.port + n->index;
            snprintf(n->ip, sizeof(n->ip), "%s", ip);
            n->alive = 1;
            changed = 1;
        }
    }
    if (changed) {
        t->epoch++;
    }
    sv->topo = t;
    for (int i = 0; i < t->nnodes; i++) {
        if (mkdir(t->nodes[i].id, 0755) != 0 && errno != EEXIST) {
            log_warn("Can't create %s/%s: %s", sv->dir, t->nodes[i].id,
                     strerror(errno));
            return -1;
        }
    }
    return changed ? save_topology(sv) : 0;
}

static void send_msg(shard_proc *sp, int argc, const char **argv,
                     const size_t *lens)
{
    /* A failure means it died: the child watcher deals with that. */
    if (sp->ctl_fd >= 0) {
        ctlmsg_send(sp->ctl_fd, argc, argv, lens);
    }
}

static void push_topology(supervisor *sv)
{
    str text = topo_serialize(sv->topo);

    for (int i = 0; i < sv->nshards; i++) {
        shard_proc *sp = &sv->shards[i];
        char me[16];
        snprintf(me, sizeof(me), "%d", i);
        const char *argv[] = {"TOPOLOGY", text, me};
        size_t lens[] = {8, str_len(text), strlen(me)};
        send_msg(sp, 3, argv, lens);
    }
    str_free(text);
}

/* ---- shards ---- */

static void spawn(supervisor *sv, shard_proc *sp);
static void on_ctl(struct ev_loop *loop, ev_io *w, int revents);

static void announce_progress(supervisor *sv)
{
    int ready = 0, live = 0;

    for (int i = 0; i < sv->nshards; i++) {
        if (!sv->shards[i].gave_up) {
            live++;
            ready += sv->shards[i].ready;
        }
    }
    if (sv->stopping) {
        return;
    }
    sd_status("%d of %d shards ready", ready, sv->nshards);
    if (!sv->announced_ready && ready == live && live > 0) {
        sv->announced_ready = 1;
        log_notice("All %d shards ready to accept connections (%lld ms)",
                   ready, now_ms() - sv->start_ms);
        sd_send("READY=1");
    }
}

static void grant_forks(supervisor *sv)
{
    int max = sv->conf->cfg.max_concurrent_forks;

    /* Round-robin would be fairer; shard order is good enough while
     * every shard asks about as often. */
    for (int i = 0; i < sv->nshards && sv->forks_active < max; i++) {
        shard_proc *sp = &sv->shards[i];
        if (sp->fork_waiting) {
            sp->fork_waiting = 0;
            sp->fork_active = 1;
            sv->forks_active++;
            send_msg(sp, 1, (const char *[]){"FORKOK"}, NULL);
        }
    }
}

static void release_fork(supervisor *sv, shard_proc *sp)
{
    sp->fork_waiting = 0;
    if (sp->fork_active) {
        sp->fork_active = 0;
        sv->forks_active--;
        grant_forks(sv);
    }
}

static void on_shard_message(void *priv, const char *buf, const resp_span *a,
                             size_t argc)
{
    shard_proc *sp = priv;
    supervisor *sv = sp->sv;
#define IS(i, w) ctlmsg_is(buf, &a[i], w)
    if (IS(0, "READY")) {
        sp->ready = 1;
        sp->last_pong_ms = now_ms();
        log_notice("shard %d (pid %d) is ready", sp->index, (int)sp->pid);
        announce_progress(sv);
    } else if (IS(0, "PONG")) {
        sp->last_pong_ms = now_ms();
    } else if (IS(0, "FORK")) {
        if (!sp->fork_active) {
            sp->fork_waiting = 1;
            grant_forks(sv);
            if (sp->fork_waiting) {
                log_notice("shard %d waits for a fork slot (%d of %d in use)",
                           sp->index, sv->forks_active,
                           sv->conf->cfg.max_concurrent_forks);
                send_msg(sp, 1, (const char *[]){"FORKWAIT"}, NULL);
            }
        } else {
            send_msg(sp, 1, (const char *[]){"FORKOK"}, NULL);
        }
    } else if (IS(0, "FORKDONE")) {
        release_fork(sv, sp);
    } else {
        log_warn("shard %d sent an unknown message (%zu words)", sp->index,
                 argc);
    }
#undef IS
}

static void close_ctl(shard_proc *sp)
{
    if (sp->ctl_fd >= 0) {
        ev_io_stop(sp->sv->loop, &sp->ctl_io);
        close(sp->ctl_fd);
        sp->ctl_fd = -1;
    }
    str_clear(sp->ctl_in);
    resp_parser_reset(&sp->parser);
}

static void on_ctl(struct ev_loop *loop, ev_io *w, int revents)
{
    shard_proc *sp = w->data;
    char buf[4096];
    ssize_t n;

    (void)loop;
    (void)revents;
    n = recv(sp->ctl_fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        close_ctl(sp); /* the exit itself comes through SIGCHLD */
        return;
    }
    sp->ctl_in = str_cat(sp->ctl_in, buf, (size_t)n);
    const char *err = NULL;
    if (ctlmsg_drain(sp->ctl_in, &sp->parser, 1024 * 1024, on_shard_message,
                     sp, &err) != 0) {
        log_warn("shard %d: control protocol error: %s", sp->index, err);
    }
}

/* In the forked child: drop the supervisor's loop, signals and the other
 * shards' descriptors, then run the shard. Never returns. */
static void become_shard(supervisor *sv, shard_proc *sp, int ctl_fd)
{
    sigset_t none;
    char tag[32], port[16], dir[4200], myid[TOPO_ID_LEN + 1];

    ev_loop_destroy(sv->loop);
    /* Own process group: a terminal's Ctrl-C reaches the supervisor only,
     * which then stops the shards in order (and never mistakes their
     * exit for a crash). */
    setpgid(0, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    for (int i = 0; i < sv->nshards; i++) {
        shard_proc *o = &sv->shards[i];
        if (o == sp) {
            continue;
        }
        for (int k = 0; k < o->listen_count; k++) {
            close(o->listen_fds[k]);
        }
        if (o->ctl_fd >= 0) {
            close(o->ctl_fd);
        }
    }
    snprintf(tag, sizeof(tag), "shard %d", sp->index);
    log_set_tag('M', tag);
    snprintf(port, sizeof(port), "%d", sv->conf->cfg.port + sp->index);
    memcpy(myid, sv->topo->nodes[sp->index].id, sizeof(myid));
    snprintf(dir, sizeof(dir), "%s/%s", sv->dir, myid);

    /* The user's config, then what makes this process shard i. */
    const char *extra[] = {"--port", port, "--dir", dir,
                           "--cluster-enabled", "yes",
                           "--cluster-config-file", "",
                           "--daemonize", "no", "--pidfile", ""};
    int nextra = (int)(sizeof(extra) / sizeof(*extra));
    int argc = (sv->conf_file != NULL ? 1 : 0) + sv->conf_argc + nextra;
    char **argv = mem_calloc((size_t)(argc + 1) * sizeof(char *));
    int k = 0;
    if (sv->conf_file != NULL) {
        argv[k++] = sv->conf_file;
    }
    for (int i = 0; i < sv->conf_argc; i++) {
        argv[k++] = sv->conf_argv[i];
    }
    for (int i = 0; i < nextra; i++) {
        argv[k++] = (char *)extra[i];
    }
    shard_boot boot = {0};
    boot.index = sp->index;
    boot.control_fd = ctl_fd;
    boot.listen_count = sp->listen_count;
    memcpy(boot.listen_fds, sp->listen_fds, sizeof(boot.listen_fds));
    boot.topo = topo_dup(sv->topo);
    boot.myself = sp->index;
    boot.conf_file = sv->conf_file;
    /* RELOAD re-reads the same directives, our additions included. */
    boot.conf_argc = argc - (sv->conf_file != NULL ? 1 : 0);
    boot.conf_argv = argv + (sv->conf_file != NULL ? 1 : 0);
    int rc = shard_run(argc, argv, &boot);
    fflush(stdout);
    _exit(rc);
}

static void spawn(supervisor *sv, shard_proc *sp)
{
    int pair[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        log_warn("shard %d: socketpair failed: %s", sp->index,
                 strerror(errno));
        return;
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        log_warn("shard %d: fork failed: %s", sp->index, strerror(errno));
        close(pair[0]);
        close(pair[1]);
        return;
    }
    if (pid == 0) {
        close(pair[0]);
        become_shard(sv, sp, pair[1]);
    }
    close(pair[1]);
    sp->pid = pid;
    sp->ready = 0;
    sp->started_ms = now_ms();
    sp->last_pong_ms = sp->started_ms;
    sp->ctl_fd = pair[0];
    ev_io_init(&sp->ctl_io, on_ctl, sp->ctl_fd, EV_READ);
    sp->ctl_io.data = sp;
    ev_io_start(sv->loop, &sp->ctl_io);
    log_notice("shard %d started, pid %d, port %d", sp->index, (int)pid,
               sv->conf->cfg.port + sp->index);
}

static void on_respawn(struct ev_loop *loop, ev_timer *w, int revents)
{
    shard_proc *sp = w->data;

    (void)loop;
    (void)revents;
    if (!sp->sv->stopping && sp->pid == 0 && !sp->gave_up) {
        spawn(sp->sv, sp);
    }
}

/* code: 2 when the shard can't start (its exit status 2), else 1. */
static void give_up(supervisor *sv, shard_proc *sp, int code,
                    const char *why)
{
    sp->gave_up = code;
    log_warn("shard %d: %s; not restarting it. Its slots answer "
             "-CLUSTERDOWN until shoal is restarted.", sp->index, why);
    /* Nobody will accept on its sockets again: refuse rather than leave
     * clients waiting in the backlog. */
    for (int i = 0; i < sp->listen_count; i++) {
        close(sp->listen_fds[i]);
    }
    sp->listen_count = 0;
    sv->topo->nodes[sp->index].alive = 0;
    sv->topo->epoch++;
    save_topology(sv);
    push_topology(sv);
    sd_status("shard %d down: %s", sp->index, why);
    for (int i = 0; i < sv->nshards; i++) {
        if (!sv->shards[i].gave_up) {
            return;
        }
    }
    log_warn("No shard is left running: the supervisor exits");
    sv->exit_code = 2;
    for (int i = 0; i < sv->nshards; i++) {
        if (sv->shards[i].gave_up != 2) {
            sv->exit_code = 1;
        }
    }
    ev_break(sv->loop, EVBREAK_ALL);
}

static int all_stopped(supervisor *sv)
{
    for (int i = 0; i < sv->nshards; i++) {
        if (sv->shards[i].pid != 0) {
            return 0;
        }
    }
    return 1;
}

static void on_child(struct ev_loop *loop, ev_child *w, int revents)
{
    supervisor *sv = w->data;
    shard_proc *sp = NULL;
    int status = w->rstatus;

    (void)revents;
    for (int i = 0; i < sv->nshards; i++) {
        if (sv->shards[i].pid == w->rpid) {
            sp = &sv->shards[i];
        }
    }
    if (sp == NULL) {
        return;
    }
    sp->pid = 0;
    sp->ready = 0;
    close_ctl(sp);
    release_fork(sv, sp);
    if (sv->stopping) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            sv->failed_exit = 1;
        }
        log_notice("shard %d exited (%s %d)", sp->index,
                   WIFEXITED(status) ? "status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status)
                                     : WTERMSIG(status));
        if (all_stopped(sv)) {
            ev_break(loop, EVBREAK_ALL);
        }
        return;
    }
    if (WIFEXITED(status)) {
        log_warn("shard %d (pid %d) exited with status %d", sp->index,
                 (int)w->rpid, WEXITSTATUS(status));
    } else {
        log_warn("shard %d (pid %d) killed by signal %d", sp->index,
                 (int)w->rpid, WTERMSIG(status));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
        give_up(sv, sp, 2, "it exited with status 2 (cannot start)");
        return;
    }
    long long now = now_ms();
    int recent = 0;
    sp->deaths[sp->ndeaths++ % SUP_CRASH_LIMIT] = now;
    for (int i = 0; i < SUP_CRASH_LIMIT && i < sp->ndeaths; i++) {
        recent += now - sp->deaths[i] <= SUP_CRASH_WINDOW_MS;
    }
    if (recent >= SUP_CRASH_LIMIT) {
        give_up(sv, sp, 1, "crash loop (5 deaths in 30 s)");
        return;
    }
    /* Back off exponentially; a shard that ran a while starts over. */
    if (now - sp->started_ms > SUP_CRASH_WINDOW_MS) {
        sp->backoff_ms = 0;
    }
    sp->backoff_ms = sp->backoff_ms == 0 ? BACKOFF_MIN_MS
                                         : sp->backoff_ms * 2;
    if (sp->backoff_ms > BACKOFF_MAX_MS) {
        sp->backoff_ms = BACKOFF_MAX_MS;
    }
    log_notice("restarting shard %d in %d ms", sp->index, sp->backoff_ms);
    ev_timer_set(&sp->respawn, sp->backoff_ms / 1000.0, 0);
    ev_timer_start(loop, &sp->respawn);
}

/* ---- stop, reload, health ---- */

static void on_stop_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
    supervisor *sv = w->data;

    (void)loop;
    (void)revents;
    for (int i = 0; i < sv->nshards; i++) {
        if (sv->shards[i].pid != 0) {
            log_warn("shard %d did not stop within shutdown-timeout: "
                     "SIGKILL", i);
            kill(sv->shards[i].pid, SIGKILL);
            sv->killed_any = 1;
        }
    }
}

static void begin_stop(supervisor *sv, const char *why)
{
    if (sv->stopping) {
        return;
    }
    sv->stopping = 1;
    log_warn("Received %s: stopping the shards", why);
    sd_send("STOPPING=1");
    for (int i = 0; i < sv->nshards; i++) {
        shard_proc *sp = &sv->shards[i];
        ev_timer_stop(sv->loop, &sp->respawn);
        if (sp->pid != 0) {
            kill(sp->pid, SIGTERM);
        }
    }
    if (all_stopped(sv)) {
        ev_break(sv->loop, EVBREAK_ALL);
        return;
    }
    double secs = sv->conf->cfg.shutdown_timeout > 0
                      ? sv->conf->cfg.shutdown_timeout
                      : 10;
    ev_timer_init(&sv->stop_deadline, on_stop_deadline, secs, 0);
    sv->stop_deadline.data = sv;
    ev_timer_start(sv->loop, &sv->stop_deadline);
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    supervisor *sv = w->data;

    (void)loop;
    (void)revents;
    if (w->signum == SIGHUP) {
        sd_send("RELOADING=1");
        log_notice("Received SIGHUP: reloading the configuration");
        if (config_reload(sv->conf, sv->conf_file, sv->conf_argc,
                          sv->conf_argv) == 0) {
            log_set_level(sv->conf->cfg.loglevel);
            for (int i = 0; i < sv->nshards; i++) {
                send_msg(&sv->shards[i], 1, (const char *[]){"RELOAD"},
                         NULL);
            }
        }
        sd_send("READY=1");
        return;
    }
    begin_stop(sv, w->signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    supervisor *sv = w->data;
    long long now = now_ms();
    char seq[32];
    int healthy = 1;

    (void)loop;
    (void)revents;
    if (sv->stopping) {
        return;
    }
    snprintf(seq, sizeof(seq), "%llu", ++sv->ping_seq);
    for (int i = 0; i < sv->nshards; i++) {
        shard_proc *sp = &sv->shards[i];
        if (sp->gave_up) {
            continue;
        }
        if (sp->pid == 0 || !sp->ready ||
            now - sp->last_pong_ms > 3 * PING_INTERVAL_MS) {
            healthy = 0;
        }
        send_msg(sp, 2, (const char *[]){"PING", seq}, NULL);
    }
    /* The watchdog is fed only while every live shard answers. */
    if (sv->watchdog_usec > 0 && healthy &&
        (now - sv->last_watchdog_ms) * 1000 >= sv->watchdog_usec / 2) {
        sv->last_watchdog_ms = now;
        sd_send("WATCHDOG=1");
    }
}

/* ---- main ---- */

static void supervisor_free(supervisor *sv)
{
    for (int i = 0; sv->shards != NULL && i < sv->nshards; i++) {
        shard_proc *sp = &sv->shards[i];
        close_ctl(sp);
        for (int k = 0; k < sp->listen_count; k++) {
            close(sp->listen_fds[k]);
        }
        str_free(sp->ctl_in);
        resp_parser_deinit(&sp->parser);
    }
    mem_free(sv->shards);
    topo_free(sv->topo);
    if (sv->conf != NULL) {
        config_deinit(&sv->conf->cfg);
        mem_free(sv->conf);
    }
    free(sv->conf_file);
    if (sv->loop != NULL) {
        ev_loop_destroy(sv->loop);
    }
    mem_free(sv);
}

static void usage(void)
{
    fprintf(stderr,
            "Usage: shoal [/path/to/shoal.conf] [--directive value ...]\n"
            "       shoal shard [/path/to/shoal.conf] [--directive value ...]\n"
            "       shoal -v | --version\n");
}

int supervisor_main(int argc, char **argv)
{
    supervisor *sv = mem_calloc(sizeof(*sv));
    int rc = 2;
    char abs[PATH_MAX];

    log_setup('X', LOG_NOTICE, NULL);
    sv->start_ms = now_ms();
    if (argc > 0 && strncmp(argv[0], "--", 2) != 0) {
        if (realpath(argv[0], abs) == NULL) {
            fprintf(stderr, "Fatal error, can't open config file '%s': %s\n",
                    argv[0], strerror(errno));
            usage();
            goto out;
        }
        sv->conf_file = strdup(abs);
        argc--;
        argv++;
    }
    sv->conf_argc = argc;
    sv->conf_argv = argv;
    int given = dir_given(sv->conf_file, argc, argv);
    sv->conf = mem_calloc(sizeof(*sv->conf));
    config_init(&sv->conf->cfg);
    if (config_load(sv->conf, sv->conf_file, argc, argv) != 0) {
        goto out;
    }
    if (!given) {
        if ((mkdir("data", 0755) != 0 && errno != EEXIST) ||
            chdir("data") != 0) {
            fprintf(stderr, "Can't use the data directory ./data: %s\n",
                    strerror(errno));
            goto out;
        }
    }
    if (getcwd(sv->dir, sizeof(sv->dir)) == NULL) {
        goto out;
    }
    log_setup('X', sv->conf->cfg.loglevel, sv->conf->cfg.logfile);
    sv->nshards = count_shards(sv->conf->cfg.shards);
    if (sv->nshards < 0) {
        fprintf(stderr, "Bad 'shards' value '%s': auto or 1..1024\n",
                sv->conf->cfg.shards);
        goto out;
    }
    log_notice("oO0OoO0OoO0Oo shoal supervisor is starting oO0OoO0OoO0Oo");
    log_notice("shoal version=%s, pid=%d, data directory %s", SHOAL_VERSION,
               (int)getpid(), sv->dir);
    sd_status("starting");
    if (setup_topology(sv) != 0) {
        goto out;
    }
    sv->shards = mem_calloc((size_t)sv->nshards * sizeof(shard_proc));
    for (int i = 0; i < sv->nshards; i++) {
        shard_proc *sp = &sv->shards[i];
        sp->sv = sv;
        sp->index = i;
        sp->ctl_fd = -1;
        sp->ctl_in = str_empty();
        resp_parser_init(&sp->parser);
        ev_timer_init(&sp->respawn, on_respawn, 0, 0);
        sp->respawn.data = sp;
    }
    sd_take_listeners(sv, sv->conf->cfg.port);
    if (bind_listeners(sv) != 0) {
        goto out;
    }
    /* After binding, so a port in use is still reported (exit 2) to the
     * shell that started us. */
    if (sv->conf->cfg.daemonize) {
        server_daemonize();
    }
    if (sv->conf->cfg.pidfile != NULL && str_len(sv->conf->cfg.pidfile) > 0) {
        FILE *f = fopen(sv->conf->cfg.pidfile, "w");
        if (f != NULL) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    signal(SIGPIPE, SIG_IGN);
    sv->loop = ev_default_loop(EVFLAG_AUTO);
    ev_signal_init(&sv->sigterm, on_signal, SIGTERM);
    ev_signal_init(&sv->sigint, on_signal, SIGINT);
    ev_signal_init(&sv->sighup, on_signal, SIGHUP);
    sv->sigterm.data = sv->sigint.data = sv->sighup.data = sv;
    ev_signal_start(sv->loop, &sv->sigterm);
    ev_signal_start(sv->loop, &sv->sigint);
    ev_signal_start(sv->loop, &sv->sighup);
    ev_child_init(&sv->child_watch, on_child, 0, 0);
    sv->child_watch.data = sv;
    ev_child_start(sv->loop, &sv->child_watch);
    sv->watchdog_usec = sd_watchdog_interval_usec();
    ev_timer_init(&sv->tick, on_tick, 0.25, 0.25);
    sv->tick.data = sv;
    ev_timer_start(sv->loop, &sv->tick);
    for (int i = 0; i < sv->nshards; i++) {
        spawn(sv, &sv->shards[i]);
    }
    sd_status("0 of %d shards ready", sv->nshards);
    ev_run(sv->loop, 0);
    rc = sv->exit_code != 0 ? sv->exit_code
         : sv->killed_any || sv->failed_exit ? 1 : 0;
    log_notice("supervisor exiting (status %d)", rc);
    if (sv->conf->cfg.pidfile != NULL && str_len(sv->conf->cfg.pidfile) > 0) {
        unlink(sv->conf->cfg.pidfile);
    }
out:
    supervisor_free(sv);
    return rc;
}
