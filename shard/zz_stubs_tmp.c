/* Placeholders for handlers being written now: each answers an error until
 * its real (strong) definition lands. Temporary; removed when all exist. */
#include "reply.h"

#define STUB(name) \
    __attribute__((weak)) void name(client *c) \
    { \
        reply_error(c, "not implemented yet"); \
    }

STUB(cmd_client_trackinginfo)
STUB(cmd_client_caching)
STUB(cmd_client_getredir)
STUB(cmd_client_tracking)
STUB(cmd_cluster_slaves)
STUB(cmd_cluster_slots)
STUB(cmd_cluster_countkeysinslot)
STUB(cmd_cluster_info)
STUB(cmd_cluster_links)
STUB(cmd_cluster_myid)
STUB(cmd_cluster_myshardid)
STUB(cmd_cluster_getkeysinslot)
STUB(cmd_cluster_keyslot)
STUB(cmd_cluster_replicas)
STUB(cmd_cluster_help)
STUB(cmd_cluster_nodes)
STUB(cmd_cluster_shards)
STUB(cmd_readonly)
STUB(cmd_readwrite)
STUB(cmd_asking)
STUB(cmd_save)
STUB(cmd_bgsave)
STUB(cmd_bgrewriteaof)
STUB(cmd_dump)
STUB(cmd_restore)
STUB(cmd_restore_asking)
STUB(cmd_multi)
STUB(cmd_exec)
STUB(cmd_discard)
STUB(cmd_watch)
STUB(cmd_unwatch)
STUB(cmd_eval)
STUB(cmd_evalsha)
STUB(cmd_eval_ro)
STUB(cmd_evalsha_ro)
STUB(cmd_script_help)
STUB(cmd_script_exists)
STUB(cmd_script_flush)
STUB(cmd_script_load)
STUB(cmd_script_kill)
STUB(cmd_function_flush)
STUB(cmd_function_delete)
STUB(cmd_function_dump)
STUB(cmd_function_list)
STUB(cmd_function_restore)
STUB(cmd_function_help)
STUB(cmd_function_load)
STUB(cmd_function_kill)
STUB(cmd_function_stats)
STUB(cmd_fcall)
STUB(cmd_fcall_ro)
STUB(cmd_subscribe)
STUB(cmd_unsubscribe)
STUB(cmd_psubscribe)
STUB(cmd_punsubscribe)
STUB(cmd_publish)
STUB(cmd_pubsub_help)
STUB(cmd_pubsub_numsub)
STUB(cmd_pubsub_numpat)
STUB(cmd_pubsub_channels)
STUB(cmd_pubsub_shardnumsub)
STUB(cmd_pubsub_shardchannels)
STUB(cmd_ssubscribe)
STUB(cmd_sunsubscribe)
STUB(cmd_spublish)

/* Function library hooks for persistence (function.h). */
#include "function.h"

__attribute__((weak)) void functions_foreach_code(server *srv,
                                                  function_code_fn *fn,
                                                  void *priv)
{
    (void)srv;
    (void)fn;
    (void)priv;
}

__attribute__((weak)) int functions_load_code(server *srv, const char *code,
                                              size_t len, int replace,
                                              str *err)
{
    (void)srv;
    (void)code;
    (void)len;
    (void)replace;
    *err = str_new("functions are not supported yet", 31);
    return -1;
}

__attribute__((weak)) void functions_flush(server *srv)
{
    (void)srv;
}
