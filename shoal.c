/* shoal: the one executable. The first argument picks the role; the shard
 * is a complete standalone server. */
#include <stdio.h>
#include <string.h>

#include "server.h"

static void usage(void)
{
    fprintf(stderr,
            "Usage: shoal shard [/path/to/shoal.conf] [--directive value ...]\n"
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
    /* The supervisor (one shard per core) is not built yet. */
    usage();
    return 2;
}
