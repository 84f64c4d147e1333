#include "reply.h"
void cmd_append(client *c);
__attribute__((weak)) void cmd_append(client *c) { reply_error(c, "not implemented yet"); }
void cmd_auth(client *c);
__attribute__((weak)) void cmd_auth(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_getname(client *c);
__attribute__((weak)) void cmd_client_getname(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_help(client *c);
__attribute__((weak)) void cmd_client_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_id(client *c);
__attribute__((weak)) void cmd_client_id(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_info(client *c);
__attribute__((weak)) void cmd_client_info(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_kill(client *c);
__attribute__((weak)) void cmd_client_kill(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_list(client *c);
__attribute__((weak)) void cmd_client_list(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_no_evict(client *c);
__attribute__((weak)) void cmd_client_no_evict(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_pause(client *c);
__attribute__((weak)) void cmd_client_pause(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_reply(client *c);
__attribute__((weak)) void cmd_client_reply(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_setinfo(client *c);
__attribute__((weak)) void cmd_client_setinfo(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_setname(client *c);
__attribute__((weak)) void cmd_client_setname(client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_unpause(client *c);
__attribute__((weak)) void cmd_client_unpause(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_count(client *c);
__attribute__((weak)) void cmd_command_count(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_docs(client *c);
__attribute__((weak)) void cmd_command_docs(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_getkeys(client *c);
__attribute__((weak)) void cmd_command_getkeys(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_getkeysandflags(client *c);
__attribute__((weak)) void cmd_command_getkeysandflags(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_help(client *c);
__attribute__((weak)) void cmd_command_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_info(client *c);
__attribute__((weak)) void cmd_command_info(client *c) { reply_error(c, "not implemented yet"); }
void cmd_command_list(client *c);
__attribute__((weak)) void cmd_command_list(client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_get(client *c);
__attribute__((weak)) void cmd_config_get(client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_help(client *c);
__attribute__((weak)) void cmd_config_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_resetstat(client *c);
__attribute__((weak)) void cmd_config_resetstat(client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_rewrite(client *c);
__attribute__((weak)) void cmd_config_rewrite(client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_set(client *c);
__attribute__((weak)) void cmd_config_set(client *c) { reply_error(c, "not implemented yet"); }
void cmd_copy(client *c);
__attribute__((weak)) void cmd_copy(client *c) { reply_error(c, "not implemented yet"); }
void cmd_dbsize(client *c);
__attribute__((weak)) void cmd_dbsize(client *c) { reply_error(c, "not implemented yet"); }
void cmd_debug(client *c);
__attribute__((weak)) void cmd_debug(client *c) { reply_error(c, "not implemented yet"); }
void cmd_decr(client *c);
__attribute__((weak)) void cmd_decr(client *c) { reply_error(c, "not implemented yet"); }
void cmd_decrby(client *c);
__attribute__((weak)) void cmd_decrby(client *c) { reply_error(c, "not implemented yet"); }
void cmd_del(client *c);
__attribute__((weak)) void cmd_del(client *c) { reply_error(c, "not implemented yet"); }
void cmd_echo(client *c);
__attribute__((weak)) void cmd_echo(client *c) { reply_error(c, "not implemented yet"); }
void cmd_exists(client *c);
__attribute__((weak)) void cmd_exists(client *c) { reply_error(c, "not implemented yet"); }
void cmd_expire(client *c);
__attribute__((weak)) void cmd_expire(client *c) { reply_error(c, "not implemented yet"); }
void cmd_expireat(client *c);
__attribute__((weak)) void cmd_expireat(client *c) { reply_error(c, "not implemented yet"); }
void cmd_expiretime(client *c);
__attribute__((weak)) void cmd_expiretime(client *c) { reply_error(c, "not implemented yet"); }
void cmd_flushall(client *c);
__attribute__((weak)) void cmd_flushall(client *c) { reply_error(c, "not implemented yet"); }
void cmd_flushdb(client *c);
__attribute__((weak)) void cmd_flushdb(client *c) { reply_error(c, "not implemented yet"); }
void cmd_get(client *c);
__attribute__((weak)) void cmd_get(client *c) { reply_error(c, "not implemented yet"); }
void cmd_getdel(client *c);
__attribute__((weak)) void cmd_getdel(client *c) { reply_error(c, "not implemented yet"); }
void cmd_getex(client *c);
__attribute__((weak)) void cmd_getex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_getrange(client *c);
__attribute__((weak)) void cmd_getrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_getset(client *c);
__attribute__((weak)) void cmd_getset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hello(client *c);
__attribute__((weak)) void cmd_hello(client *c) { reply_error(c, "not implemented yet"); }
void cmd_incr(client *c);
__attribute__((weak)) void cmd_incr(client *c) { reply_error(c, "not implemented yet"); }
void cmd_incrby(client *c);
__attribute__((weak)) void cmd_incrby(client *c) { reply_error(c, "not implemented yet"); }
void cmd_incrbyfloat(client *c);
__attribute__((weak)) void cmd_incrbyfloat(client *c) { reply_error(c, "not implemented yet"); }
void cmd_info(client *c);
__attribute__((weak)) void cmd_info(client *c) { reply_error(c, "not implemented yet"); }
void cmd_keys(client *c);
__attribute__((weak)) void cmd_keys(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lastsave(client *c);
__attribute__((weak)) void cmd_lastsave(client *c) { reply_error(c, "not implemented yet"); }
void cmd_latency_help(client *c);
__attribute__((weak)) void cmd_latency_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_latency_history(client *c);
__attribute__((weak)) void cmd_latency_history(client *c) { reply_error(c, "not implemented yet"); }
void cmd_latency_latest(client *c);
__attribute__((weak)) void cmd_latency_latest(client *c) { reply_error(c, "not implemented yet"); }
void cmd_latency_reset(client *c);
__attribute__((weak)) void cmd_latency_reset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lcs(client *c);
__attribute__((weak)) void cmd_lcs(client *c) { reply_error(c, "not implemented yet"); }
void cmd_mget(client *c);
__attribute__((weak)) void cmd_mget(client *c) { reply_error(c, "not implemented yet"); }
void cmd_monitor(client *c);
__attribute__((weak)) void cmd_monitor(client *c) { reply_error(c, "not implemented yet"); }
void cmd_move(client *c);
__attribute__((weak)) void cmd_move(client *c) { reply_error(c, "not implemented yet"); }
void cmd_mset(client *c);
__attribute__((weak)) void cmd_mset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_msetnx(client *c);
__attribute__((weak)) void cmd_msetnx(client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_encoding(client *c);
__attribute__((weak)) void cmd_object_encoding(client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_freq(client *c);
__attribute__((weak)) void cmd_object_freq(client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_help(client *c);
__attribute__((weak)) void cmd_object_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_idletime(client *c);
__attribute__((weak)) void cmd_object_idletime(client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_refcount(client *c);
__attribute__((weak)) void cmd_object_refcount(client *c) { reply_error(c, "not implemented yet"); }
void cmd_persist(client *c);
__attribute__((weak)) void cmd_persist(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pexpire(client *c);
__attribute__((weak)) void cmd_pexpire(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pexpireat(client *c);
__attribute__((weak)) void cmd_pexpireat(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pexpiretime(client *c);
__attribute__((weak)) void cmd_pexpiretime(client *c) { reply_error(c, "not implemented yet"); }
void cmd_psetex(client *c);
__attribute__((weak)) void cmd_psetex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pttl(client *c);
__attribute__((weak)) void cmd_pttl(client *c) { reply_error(c, "not implemented yet"); }
void cmd_quit(client *c);
__attribute__((weak)) void cmd_quit(client *c) { reply_error(c, "not implemented yet"); }
void cmd_randomkey(client *c);
__attribute__((weak)) void cmd_randomkey(client *c) { reply_error(c, "not implemented yet"); }
void cmd_rename(client *c);
__attribute__((weak)) void cmd_rename(client *c) { reply_error(c, "not implemented yet"); }
void cmd_renamenx(client *c);
__attribute__((weak)) void cmd_renamenx(client *c) { reply_error(c, "not implemented yet"); }
void cmd_reset(client *c);
__attribute__((weak)) void cmd_reset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_scan(client *c);
__attribute__((weak)) void cmd_scan(client *c) { reply_error(c, "not implemented yet"); }
void cmd_select(client *c);
__attribute__((weak)) void cmd_select(client *c) { reply_error(c, "not implemented yet"); }
void cmd_set(client *c);
__attribute__((weak)) void cmd_set(client *c) { reply_error(c, "not implemented yet"); }
void cmd_setex(client *c);
__attribute__((weak)) void cmd_setex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_setnx(client *c);
__attribute__((weak)) void cmd_setnx(client *c) { reply_error(c, "not implemented yet"); }
void cmd_setrange(client *c);
__attribute__((weak)) void cmd_setrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_shutdown(client *c);
__attribute__((weak)) void cmd_shutdown(client *c) { reply_error(c, "not implemented yet"); }
void cmd_slowlog_get(client *c);
__attribute__((weak)) void cmd_slowlog_get(client *c) { reply_error(c, "not implemented yet"); }
void cmd_slowlog_help(client *c);
__attribute__((weak)) void cmd_slowlog_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_slowlog_len(client *c);
__attribute__((weak)) void cmd_slowlog_len(client *c) { reply_error(c, "not implemented yet"); }
void cmd_slowlog_reset(client *c);
__attribute__((weak)) void cmd_slowlog_reset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_strlen(client *c);
__attribute__((weak)) void cmd_strlen(client *c) { reply_error(c, "not implemented yet"); }
void cmd_substr(client *c);
__attribute__((weak)) void cmd_substr(client *c) { reply_error(c, "not implemented yet"); }
void cmd_swapdb(client *c);
__attribute__((weak)) void cmd_swapdb(client *c) { reply_error(c, "not implemented yet"); }
void cmd_time(client *c);
__attribute__((weak)) void cmd_time(client *c) { reply_error(c, "not implemented yet"); }
void cmd_touch(client *c);
__attribute__((weak)) void cmd_touch(client *c) { reply_error(c, "not implemented yet"); }
void cmd_ttl(client *c);
__attribute__((weak)) void cmd_ttl(client *c) { reply_error(c, "not implemented yet"); }
void cmd_type(client *c);
__attribute__((weak)) void cmd_type(client *c) { reply_error(c, "not implemented yet"); }
void cmd_unlink(client *c);
__attribute__((weak)) void cmd_unlink(client *c) { reply_error(c, "not implemented yet"); }
