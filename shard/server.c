/* server: the shard process: setup from config, the event loop, the cron,
 * signals and shutdown. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aof.h"
#include "blocking.h"
#include "cmd.h"
#include "config.h"
#include "control.h"
#include "db.h"
#include "info.h"
#include "log.h"
#include "mem.h"
#include "net.h"
#include "propagate.h"
#include "child.h"
#include "cluster.h"
#include "rdb.h"
#include "pubsub.h"
#include "script.h"
#include "tracking.h"
#include "slowlog.h"
#include "stats.h"
#include "util.h"

void server_update_time(server *srv)
{
    server_set_time(srv, util_ustime());
}

void server_set_time(server *srv, long long us)
{
    srv->ustime = us;
    srv->mstime = srv->ustime / 1000;
    srv->lru_clock = (unsigned)((srv->mstime / LRU_CLOCK_RESOLUTION) &
                                LRU_CLOCK_MAX);
    obj_set_lru_clock(srv->lru_clock);
}

void server_propagate(server *srv, int dbid, const arg *argv, int argc)
{
    /* One more operation for the AOF and replicas (propagate.c); the
     * caller bumps srv->dirty itself if the dataset changed. */
    propagate_also(srv, dbid, argc, argv);
}

int server_fork_acquire(server *srv)
{
    return srv->control != NULL ? control_fork_acquire(srv) : 1;
}

void server_fork_release(server *srv)
{
    if (srv->control != NULL) {
        control_fork_release(srv);
    }
}

static void before_sleep(struct ev_loop *loop, ev_prepare *w, int revents)
{
    server *srv = w->data;

    (void)loop;
    (void)revents;
    blocking_before_sleep(srv);
    tracking_before_sleep(srv); /* BCAST invalidations, one per prefix */
    /* AOF before replies: with appendfsync always, a reply leaves only
     * once its write is on disk (one fsync for the whole iteration). */
    aof_flush(srv, 0);
    net_flush_pending(srv);
}

static void cron(struct ev_loop *loop, ev_timer *w, int revents)
{
    server *srv = w->data;

    (void)revents;
    server_update_time(srv);
    srv->cron_loops++;
    long long used = (long long)mem_used();
    if (used > srv->stat_peak_memory) {
        srv->stat_peak_memory = used;
    }
    info_cron(srv);
    db_active_expire_cycle(srv);
    aof_cron(srv);
    rdb_cron(srv); /* save points, BGSAVE SCHEDULE, child reports */
    if (srv->cfg.activerehashing) {
        db_rehash_step(srv);
    }
    net_cron(srv);
    if (srv->shutdown_asap) {
        log_warn("Received shutdown request, scheduling shutdown...");
        ev_break(loop, EVBREAK_ALL);
    }
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    server *srv = w->data;

    (void)revents;
    log_warn("Received %s scheduling shutdown...",
             w->signum == SIGINT ? "SIGINT" : "SIGTERM");
    /* Save points configured: the final snapshot first, as Redis; if it
     * fails, keep running rather than lose the data. */
    if (rdb_shutdown_save(srv, 0, 0, 0) != 0) {
        log_warn("%s received but errors trying to shut down the server, "
                 "check the logs for more information",
                 w->signum == SIGINT ? "SIGINT" : "SIGTERM");
        return;
    }
    srv->shutdown_asap = 1;
    ev_break(loop, EVBREAK_ALL);
}

/* Start-up data: the AOF when appendonly is on and one exists, else the
 * RDB. Returns 0, or -1 after logging why (the shard exits with 2). */
static int load_data(server *srv)
{
    if (srv->cfg.appendonly && aof_exists(srv)) {
        return aof_load_at_startup(srv);
    }
    return rdb_load_at_startup(srv);
}

int server_setup(server *srv)
{
    uint8_t seed[16];

    util_random_bytes(seed, sizeof(seed));
    dict_set_hash_seed(seed);
    {
        /* libc random() serves the types' random picks (HRANDFIELD,
         * SRANDMEMBER, intsets): a new sequence each run, as Redis. */
        unsigned rseed;
        util_random_bytes(&rseed, sizeof(rseed));
        srandom(rseed);
    }
    mem_setup();
    /* Shared integers take the LRU clock of their creation: set it first
     * (OBJECT IDLETIME of a shared value counts from server start). */
    server_update_time(srv);
    obj_setup_shared();
    srv->pid = getpid();
    util_random_hex(srv->runid, 40);
    server_update_time(srv);
    srv->start_ms = srv->mstime;
    srv->lastsave = srv->mstime / 1000;
    /* RDB state (rdb.c): no save has failed or run yet. */
    srv->rdb_bgsave_ok = 1;
    srv->rdb_save_time_last = -1;
    srv->rdb_save_time_start = -1;
    srv->stat_starttime_reset = srv->mstime;
    srv->active_expire_enabled = 1;
    srv->error_stats = dict_create(NULL);
    latency_setup(srv);
    srv->loop = ev_default_loop(EVFLAG_AUTO);
    if (db_setup(srv) != 0 || blocking_setup(srv) != 0 ||
        pubsub_setup(srv) != 0 || cmd_setup(srv) != 0 ||
        cluster_setup(srv) != 0 || tracking_setup(srv) != 0 ||
        script_setup(srv) != 0) {
        return -1;
    }
    if (net_setup(srv) != 0) {
        return -1;
    }
    ev_prepare_init(&srv->before_sleep, before_sleep);
    srv->before_sleep.data = srv;
    ev_prepare_start(srv->loop, &srv->before_sleep);
    ev_timer_init(&srv->cron, cron, 1.0 / srv->cfg.hz, 1.0 / srv->cfg.hz);
    srv->cron.data = srv;
    ev_timer_start(srv->loop, &srv->cron);
    ev_signal_init(&srv->sigterm, on_signal, SIGTERM);
    srv->sigterm.data = srv;
    ev_signal_start(srv->loop, &srv->sigterm);
    ev_signal_init(&srv->sigint, on_signal, SIGINT);
    srv->sigint.data = srv;
    ev_signal_start(srv->loop, &srv->sigint);
    signal(SIGPIPE, SIG_IGN);
    info_setup(srv);
    if (propagate_setup(srv) != 0 || aof_setup(srv) != 0 ||
        load_data(srv) != 0 || aof_open_at_startup(srv) != 0) {
        return -1;
    }
    return 0;
}

void server_teardown(server *srv)
{
    child_kill(srv); /* a BGSAVE/rewrite child must not outlive us */
    rdb_teardown(srv);
    aof_teardown(srv);
    control_teardown(srv);
    script_teardown(srv); /* its fake client, before the rest */
    net_teardown(srv);
    blocking_teardown(srv);
    propagate_teardown(srv);
    pubsub_teardown(srv); /* after the clients that referenced it */
    tracking_teardown(srv); /* likewise */
    slowlog_reset(srv);
    latency_teardown(srv);
    if (srv->error_stats != NULL) {
        dict_destroy(&srv->error_stats);
    }
    if (srv->dbs != NULL) {
        db_teardown(srv);
    }
    cmd_teardown(srv);
    cluster_teardown(srv);
    if (srv->loop != NULL) {
        ev_loop_destroy(srv->loop);
        srv->loop = NULL;
    }
    for (int i = 0; i < OBJ_SHARED_INTEGERS; i++) {
        if (obj_shared_ints[i] != NULL) {
            mem_free(obj_shared_ints[i]);
            obj_shared_ints[i] = NULL;
        }
    }
    if (srv->cfg.pidfile != NULL && str_len(srv->cfg.pidfile) > 0) {
        unlink(srv->cfg.pidfile);
    }
    config_deinit(&srv->cfg);
}

static int write_pidfile(const server *srv)
{
    FILE *f = fopen(srv->cfg.pidfile, "w");

    if (f == NULL) {
        log_warn("Failed to write PID file %s: %s", srv->cfg.pidfile,
                 strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    return 0;
}

void server_daemonize(void)
{
    pid_t pid = fork();

    if (pid < 0) {
        fprintf(stderr, "fork() failed while daemonizing: %s\n",
                strerror(errno));
        exit(2);
    }
    if (pid > 0) {
        exit(0);
    }
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
}

int shard_main(int argc, char **argv)
{
    return shard_run(argc, argv, NULL);
}

int shard_run(int argc, char **argv, shard_boot *boot)
{
    server *srv = mem_calloc(sizeof(*srv));
    const char *file = NULL;
    int rc = 2;

    config_init(&srv->cfg);
    if (argc > 0 && strncmp(argv[0], "--", 2) != 0) {
        file = argv[0];
        argc--;
        argv++;
    }
    if (config_load(srv, file, argc, argv) != 0) {
        goto out;
    }
    log_setup('M', srv->cfg.loglevel, srv->cfg.logfile);
    if (boot != NULL) {
        /* The supervisor bound our listeners (or systemd passed them). */
        for (int i = 0; i < boot->listen_count; i++) {
            srv->boot_fds[srv->boot_fd_count++] = boot->listen_fds[i];
        }
    } else if (srv->cfg.daemonize) {
        server_daemonize();
    }
    log_notice("oO0OoO0OoO0Oo shoal shard is starting oO0OoO0OoO0Oo");
    log_notice("shoal version=%s, bits=64, pid=%d, just started",
               SHOAL_VERSION, (int)getpid());
    if (server_setup(srv) != 0) {
        goto out;
    }
    if (boot != NULL) {
        control_setup(srv, boot);
    } else if (srv->cfg.pidfile != NULL && str_len(srv->cfg.pidfile) > 0) {
        write_pidfile(srv);
    }
    log_notice("Ready to accept connections tcp port %d", srv->cfg.port);
    ev_run(srv->loop, 0);
    /* SIGTERM, SHUTDOWN: what was acknowledged must be on disk. */
    aof_flush_and_sync(srv);
    net_flush_pending(srv);
    log_warn("shoal is now ready to exit, bye bye...");
    rc = srv->exit_code;
out:
    server_teardown(srv);
    mem_free(srv);
    return rc;
}
