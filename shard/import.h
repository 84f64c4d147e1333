/* import: load a redis-server RDB file into a running shoal (or any Redis
 * Cluster / standalone server) with pipelined RESTOREs. */
#ifndef SHOAL_IMPORT_H
#define SHOAL_IMPORT_H

/* `shoal import <dump.rdb> [host:port]` (argv without "import"). Returns
 * the process exit status: 0 when every key was restored, 1 on errors, 2
 * on bad usage. */
int import_main(int argc, char **argv);

#endif
