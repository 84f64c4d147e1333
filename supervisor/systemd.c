/* systemd: readiness and watchdog notifications, and socket activation.
 * Everything here is a no-op when not started by systemd (no
 * NOTIFY_SOCKET, no LISTEN_FDS). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"
#include "supervisor.h"

void sd_send(const char *state)
{
    sd_notify(0, state);
}

void sd_status(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    int n = snprintf(msg, sizeof(msg), "STATUS=");
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    sd_notify(0, msg);
}

long long sd_watchdog_interval_usec(void)
{
    uint64_t usec = 0;

    /* sd_watchdog_enabled checks WATCHDOG_PID too: only ours counts. */
    if (sd_watchdog_enabled(0, &usec) <= 0) {
        return 0;
    }
    return (long long)usec;
}

static int socket_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET) {
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    if (ss.ss_family == AF_INET6) {
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return -1;
}

int sd_take_listeners(supervisor *sv, int base_port)
{
    /* unset_environment=1: the shards must not see LISTEN_FDS again. */
    int n = sd_listen_fds(1);
    int taken = 0;

    if (n <= 0) {
        return 0;
    }
    for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
        int port = socket_port(fd);
        int idx = port - base_port;
        if (port < 0 || sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0 ||
            idx < 0 || idx >= sv->nshards ||
            sv->shards[idx].listen_count >= SUP_MAX_LISTEN) {
            log_warn("systemd passed socket fd %d (port %d) that matches "
                     "no shard; closing it", fd, port);
            close(fd);
            continue;
        }
        shard_proc *sp = &sv->shards[idx];
        sp->listen_fds[sp->listen_count++] = fd;
        taken++;
        log_notice("shard %d takes socket fd %d (port %d) from systemd", idx,
                   fd, port);
    }
    return taken;
}
