/* shoal: the one executable. The first argument picks the role; the shard
 * is a complete standalone server. */
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "server.h"
#include "supervisor.h"

static void usage(void)
{
    fprintf(stderr,
            "Usage: shoal [/path/to/shoal.conf] [--directive value ...]\n"
            "         (the supervisor: one shard per core, a Redis Cluster)\n"
            "       shoal shard [/path/to/shoal.conf] [--directive value ...]\n"
            "         (one standalone shard)\n"
            "       shoal import <dump.rdb> [host:port]\n"
            "         (send an RDB file's keys to the nodes owning them)\n"
            "       shoal -v | --version\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-v") == 0 ||
                      strcmp(argv[1], "--version") == 0)) {
        printf("shoal v=%s (Redis-compatible)\n", SHOAL_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "shard") == 0) {
        return shard_main(argc - 2, argv + 2);
    }
    if (argc >= 2 && strcmp(argv[1], "import") == 0) {
        return import_main(argc - 2, argv + 2);
    }
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "--help") == 0)) {
        usage();
        return 0;
    }
    /* No role: the supervisor, with an optional config file first, as
     * redis-server takes its config. */
    return supervisor_main(argc - 1, argv + 1);
}
