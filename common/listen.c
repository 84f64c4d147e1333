/* listen: bind and listen on one bind address (see listen.h). */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

int listen_tcp_addr(const char *addr, int port, int backlog)
{
    struct addrinfo hints, *res = NULL;
    char portstr[16];
    int optional = addr[0] == '-';
    const char *host = optional ? addr + 1 : addr;
    int fd = -1, yes = 1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(portstr, sizeof(portstr), "%d", port);
    if (strcmp(host, "*") == 0) {
        host = "0.0.0.0";
    } else if (strcmp(host, "::*") == 0) {
        host = "::";
    }
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        log_warn("Could not resolve bind address %s: %s", host,
                 gai_strerror(rc));
        return optional ? -2 : -1;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        log_warn("socket() failed for %s:%s: %s", host, portstr,
                 strerror(errno));
        goto err;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (res->ai_family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    }
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
        log_warn("Could not create server TCP listening socket %s:%s: "
                 "bind: %s", host, portstr, strerror(errno));
        goto err;
    }
    int fl = fcntl(fd, F_GETFL);
    if (listen(fd, backlog) < 0 || fl < 0 ||
        fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        log_warn("listen() failed for %s:%s: %s", host, portstr,
                 strerror(errno));
        goto err;
    }
    freeaddrinfo(res);
    return fd;
err:
    if (fd >= 0) {
        close(fd);
    }
    freeaddrinfo(res);
    return optional ? -2 : -1;
}
