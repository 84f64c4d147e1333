/* child: fork one child for a background job (BGSAVE, AOF rewrite), reap it
 * with an ev_child watcher, and collect its copy-on-write reports. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* One report from the child: fixed size, below PIPE_BUF so each write is
 * atomic and the parent never sees half of one. */
typedef struct child_info {
    int type;
    int final;
    long long keys;
    long long cow;
} child_info;

int child_type_active(const server *srv)
{
    return srv->child_pid > 0 ? srv->child_type : CHILD_NONE;
}

int child_in_child(const server *srv)
{
    return srv->child_is_child;
}

/* Private dirty bytes of this process: pages it wrote since the fork, the
 * copy-on-write cost. smaps_rollup sums them in the kernel (fast); fall
 * back to adding up smaps. */
static long long private_dirty_bytes(void)
{
    const char *paths[] = {"/proc/self/smaps_rollup", "/proc/self/smaps"};
    char line[256];

    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "r");
        if (f == NULL) {
            continue;
        }
        long long total = 0;
        while (fgets(line, sizeof(line), f) != NULL) {
            long long kb;
            if (strncmp(line, "Private_Dirty:", 14) == 0 &&
                sscanf(line + 14, "%lld", &kb) == 1) {
                total += kb * 1024;
            }
        }
        fclose(f);
        return total;
    }
    return 0;
}

void child_report(server *srv, size_t keys_processed, int final)
{
    if (!srv->child_is_child || srv->child_info_pipe[1] < 0) {
        return;
    }
    long long now = util_ustime() / 1000;
    if (!final && now - srv->child_last_report_ms < 1000) {
        return;
    }
    srv->child_last_report_ms = now;
    child_info ci = {srv->child_type, final, (long long)keys_processed,
                     private_dirty_bytes()};
    ssize_t n;
    do {
        n = write(srv->child_info_pipe[1], &ci, sizeof(ci));
    } while (n < 0 && errno == EINTR);
}

/* Parent: read whatever reports are queued. */
static void drain_reports(server *srv)
{
    child_info ci;

    if (srv->child_info_pipe[0] <= 0) {
        return;
    }
    for (;;) {
        ssize_t n = read(srv->child_info_pipe[0], &ci, sizeof(ci));
        if (n != (ssize_t)sizeof(ci)) {
            break;
        }
        long long now = util_ustime() / 1000;
        if (ci.cow != srv->stat_current_cow_bytes) {
            srv->stat_current_cow_updated = now;
        }
        srv->stat_current_cow_bytes = ci.cow;
        if (ci.cow > srv->stat_current_cow_peak) {
            srv->stat_current_cow_peak = ci.cow;
        }
        srv->stat_current_save_keys_processed = ci.keys;
        if (ci.final) {
            if (ci.type == CHILD_RDB) {
                srv->stat_rdb_cow_bytes = ci.cow;
            } else if (ci.type == CHILD_AOF) {
                srv->stat_aof_cow_bytes = ci.cow;
            }
        }
    }
}

void child_cron(server *srv)
{
    if (srv->child_pid > 0) {
        drain_reports(srv);
    }
}

static void close_pipe(server *srv)
{
    for (int i = 0; i < 2; i++) {
        if (srv->child_info_pipe[i] > 0) {
            close(srv->child_info_pipe[i]);
        }
        srv->child_info_pipe[i] = -1;
    }
}

/* The child is gone: account, release the gate, tell the owner. */
static void child_finished(server *srv, int status)
{
    child_done_fn *done = (child_done_fn *)srv->child_done;
    void *priv = srv->child_priv;
    int exitcode = 0, bysignal = 0;

    drain_reports(srv);
    close_pipe(srv);
    if (WIFEXITED(status)) {
        exitcode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        bysignal = WTERMSIG(status);
    }
    ev_child_stop(srv->loop, &srv->child_watch);
    srv->child_last_pid = srv->child_pid;
    srv->child_pid = 0;
    srv->child_type = CHILD_NONE;
    srv->child_done = NULL;
    srv->child_priv = NULL;
    srv->stat_current_cow_bytes = 0;
    srv->stat_current_cow_peak = 0;
    srv->stat_current_cow_updated = 0;
    srv->stat_current_save_keys_processed = 0;
    srv->stat_current_save_keys_total = 0;
    server_fork_release(srv);
    if (done != NULL) {
        done(srv, exitcode == 0 && bysignal == 0, exitcode, bysignal, priv);
    }
}

static void on_child(struct ev_loop *loop, ev_child *w, int revents)
{
    server *srv = w->data;

    (void)loop;
    (void)revents;
    if (srv->child_pid <= 0 || w->rpid != srv->child_pid) {
        return;
    }
    child_finished(srv, w->rstatus);
}

/* In the child: drop what belongs to the parent's loop and get signals
 * back to their default actions (libev's handlers would only queue them
 * for a loop that never runs here). */
static void child_setup_after_fork(server *srv)
{
    sigset_t all;

    srv->child_is_child = 1;
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int i = 0; i < srv->listen_count; i++) {
        close(srv->listen_fds[i]);
    }
    if (srv->unix_fd > 0) {
        close(srv->unix_fd);
    }
    close(srv->child_info_pipe[0]);
}

int child_start(server *srv, int type, child_work_fn *work, child_done_fn *done,
                void *priv)
{
    if (srv->child_pid > 0) {
        errno = EBUSY;
        return -1;
    }
    if (!server_fork_acquire(srv)) {
        errno = EAGAIN;
        return -1;
    }
    if (pipe(srv->child_info_pipe) != 0) {
        int e = errno;
        log_warn("pipe() failed while starting a child: %s", strerror(e));
        srv->child_info_pipe[0] = srv->child_info_pipe[1] = -1;
        server_fork_release(srv);
        errno = e;
        return -1;
    }
    fcntl(srv->child_info_pipe[0], F_SETFL, O_NONBLOCK);
    srv->child_type = type;
    long long start = util_ustime();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        log_warn("fork() failed while starting a background job: %s",
                 strerror(e));
        close_pipe(srv);
        srv->child_type = CHILD_NONE;
        server_fork_release(srv);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        child_setup_after_fork(srv);
        int rc = work(srv, priv);
        child_report(srv, (size_t)srv->stat_current_save_keys_processed, 1);
        _exit(rc);
    }
    srv->stat_fork_usec = util_ustime() - start;
    srv->stat_total_forks++;
    close(srv->child_info_pipe[1]);
    srv->child_info_pipe[1] = -1;
    srv->child_pid = pid;
    srv->child_done = (void *)done;
    srv->child_priv = priv;
    srv->child_start_ms = start / 1000;
    srv->stat_current_cow_bytes = 0;
    srv->stat_current_cow_peak = 0;
    srv->stat_current_cow_updated = 0;
    srv->stat_current_save_keys_processed = 0;
    ev_child_init(&srv->child_watch, on_child, pid, 0);
    srv->child_watch.data = srv;
    ev_child_start(srv->loop, &srv->child_watch);
    return 0;
}

void child_kill(server *srv)
{
    int status = 0;

    if (srv->child_pid <= 0) {
        return;
    }
    kill(srv->child_pid, SIGUSR1);
    while (waitpid(srv->child_pid, &status, 0) < 0 && errno == EINTR) {
    }
    child_finished(srv, status);
}
