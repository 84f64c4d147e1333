/* supervisor: the main process. Reads the config, owns the topology,
 * binds (or takes from systemd) every shard's listener, pre-forks one
 * shard per core, restarts the ones that die, and speaks to systemd. */
#ifndef SHOAL_SUPERVISOR_H
#define SHOAL_SUPERVISOR_H

#include <ev.h>
#include <sys/types.h>

#include "resp.h"
#include "server.h"
#include "topology.h"

#define SUP_MAX_LISTEN 16
#define SUP_CRASH_WINDOW_MS 30000
#define SUP_CRASH_LIMIT 5

typedef struct supervisor supervisor;

typedef struct shard_proc {
    supervisor *sv;
    int index;
    pid_t pid;                  /* 0 while not running */
    int ctl_fd;                 /* our end of the control channel */
    ev_io ctl_io;
    str ctl_in;
    resp_parser parser;
    ev_timer respawn;
    int listen_fds[SUP_MAX_LISTEN];
    int listen_count;
    int ready;                  /* said READY since it was forked */
    long long started_ms;
    long long deaths[SUP_CRASH_LIMIT]; /* ring of recent death times */
    int ndeaths;
    int backoff_ms;
    int gave_up;                /* 1: crash loop; 2: exit status 2 */
    long long last_pong_ms;
    int fork_waiting;           /* asked the fork gate, not granted yet */
    int fork_active;            /* granted, FORKDONE not yet received */
} shard_proc;

struct supervisor {
    struct ev_loop *loop;
    server *conf;               /* the parsed config (only cfg is used) */
    char *conf_file;            /* absolute path, or NULL */
    int conf_argc;              /* the user's --directives */
    char **conf_argv;
    char dir[4096];             /* absolute data directory */
    int nshards;
    shard_proc *shards;
    topology *topo;
    ev_signal sigterm, sigint, sighup;
    ev_child child_watch;
    ev_timer tick;
    ev_timer stop_deadline;
    int stopping;
    int killed_any;             /* SIGKILLed a straggler at the deadline */
    int failed_exit;            /* a shard exited non-zero while stopping */
    int exit_code;              /* non-zero: every shard gave up */
    int announced_ready;
    long long watchdog_usec;    /* 0: no systemd watchdog */
    long long last_watchdog_ms;
    long long start_ms;
    int forks_active;
    unsigned long long ping_seq;
};

int supervisor_main(int argc, char **argv);

/* systemd.c: sd_notify and socket activation (no-ops without systemd). */
void sd_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sd_send(const char *state);
long long sd_watchdog_interval_usec(void);
/* Hand sockets systemd passed (LISTEN_FDS) to the shards whose port they
 * are bound to; close the rest. Returns how many were taken. */
int sd_take_listeners(supervisor *sv, int base_port);

#endif
