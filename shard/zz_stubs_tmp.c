#include "reply.h"
#include "types.h"
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
void cmd_bitcount(client *c);
__attribute__((weak)) void cmd_bitcount(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bitfield(client *c);
__attribute__((weak)) void cmd_bitfield(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bitfield_ro(client *c);
__attribute__((weak)) void cmd_bitfield_ro(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bitop(client *c);
__attribute__((weak)) void cmd_bitop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bitpos(client *c);
__attribute__((weak)) void cmd_bitpos(client *c) { reply_error(c, "not implemented yet"); }
void cmd_blmove(client *c);
__attribute__((weak)) void cmd_blmove(client *c) { reply_error(c, "not implemented yet"); }
void cmd_blmpop(client *c);
__attribute__((weak)) void cmd_blmpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_blpop(client *c);
__attribute__((weak)) void cmd_blpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_brpop(client *c);
__attribute__((weak)) void cmd_brpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_brpoplpush(client *c);
__attribute__((weak)) void cmd_brpoplpush(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bzmpop(client *c);
__attribute__((weak)) void cmd_bzmpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bzpopmax(client *c);
__attribute__((weak)) void cmd_bzpopmax(client *c) { reply_error(c, "not implemented yet"); }
void cmd_bzpopmin(client *c);
__attribute__((weak)) void cmd_bzpopmin(client *c) { reply_error(c, "not implemented yet"); }
void cmd_geoadd(client *c);
__attribute__((weak)) void cmd_geoadd(client *c) { reply_error(c, "not implemented yet"); }
void cmd_geodist(client *c);
__attribute__((weak)) void cmd_geodist(client *c) { reply_error(c, "not implemented yet"); }
void cmd_geohash(client *c);
__attribute__((weak)) void cmd_geohash(client *c) { reply_error(c, "not implemented yet"); }
void cmd_geopos(client *c);
__attribute__((weak)) void cmd_geopos(client *c) { reply_error(c, "not implemented yet"); }
void cmd_georadius(client *c);
__attribute__((weak)) void cmd_georadius(client *c) { reply_error(c, "not implemented yet"); }
void cmd_georadius_ro(client *c);
__attribute__((weak)) void cmd_georadius_ro(client *c) { reply_error(c, "not implemented yet"); }
void cmd_georadiusbymember(client *c);
__attribute__((weak)) void cmd_georadiusbymember(client *c) { reply_error(c, "not implemented yet"); }
void cmd_georadiusbymember_ro(client *c);
__attribute__((weak)) void cmd_georadiusbymember_ro(client *c) { reply_error(c, "not implemented yet"); }
void cmd_geosearch(client *c);
__attribute__((weak)) void cmd_geosearch(client *c) { reply_error(c, "not implemented yet"); }
void cmd_geosearchstore(client *c);
__attribute__((weak)) void cmd_geosearchstore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_getbit(client *c);
__attribute__((weak)) void cmd_getbit(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hdel(client *c);
__attribute__((weak)) void cmd_hdel(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hexists(client *c);
__attribute__((weak)) void cmd_hexists(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hget(client *c);
__attribute__((weak)) void cmd_hget(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hgetall(client *c);
__attribute__((weak)) void cmd_hgetall(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hincrby(client *c);
__attribute__((weak)) void cmd_hincrby(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hincrbyfloat(client *c);
__attribute__((weak)) void cmd_hincrbyfloat(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hkeys(client *c);
__attribute__((weak)) void cmd_hkeys(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hlen(client *c);
__attribute__((weak)) void cmd_hlen(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hmget(client *c);
__attribute__((weak)) void cmd_hmget(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hmset(client *c);
__attribute__((weak)) void cmd_hmset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hrandfield(client *c);
__attribute__((weak)) void cmd_hrandfield(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hscan(client *c);
__attribute__((weak)) void cmd_hscan(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hset(client *c);
__attribute__((weak)) void cmd_hset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hsetnx(client *c);
__attribute__((weak)) void cmd_hsetnx(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hstrlen(client *c);
__attribute__((weak)) void cmd_hstrlen(client *c) { reply_error(c, "not implemented yet"); }
void cmd_hvals(client *c);
__attribute__((weak)) void cmd_hvals(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lindex(client *c);
__attribute__((weak)) void cmd_lindex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_linsert(client *c);
__attribute__((weak)) void cmd_linsert(client *c) { reply_error(c, "not implemented yet"); }
void cmd_llen(client *c);
__attribute__((weak)) void cmd_llen(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lmove(client *c);
__attribute__((weak)) void cmd_lmove(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lmpop(client *c);
__attribute__((weak)) void cmd_lmpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lpop(client *c);
__attribute__((weak)) void cmd_lpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lpos(client *c);
__attribute__((weak)) void cmd_lpos(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lpush(client *c);
__attribute__((weak)) void cmd_lpush(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lpushx(client *c);
__attribute__((weak)) void cmd_lpushx(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lrange(client *c);
__attribute__((weak)) void cmd_lrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lrem(client *c);
__attribute__((weak)) void cmd_lrem(client *c) { reply_error(c, "not implemented yet"); }
void cmd_lset(client *c);
__attribute__((weak)) void cmd_lset(client *c) { reply_error(c, "not implemented yet"); }
void cmd_ltrim(client *c);
__attribute__((weak)) void cmd_ltrim(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pfadd(client *c);
__attribute__((weak)) void cmd_pfadd(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pfcount(client *c);
__attribute__((weak)) void cmd_pfcount(client *c) { reply_error(c, "not implemented yet"); }
void cmd_pfmerge(client *c);
__attribute__((weak)) void cmd_pfmerge(client *c) { reply_error(c, "not implemented yet"); }
void cmd_rpop(client *c);
__attribute__((weak)) void cmd_rpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_rpoplpush(client *c);
__attribute__((weak)) void cmd_rpoplpush(client *c) { reply_error(c, "not implemented yet"); }
void cmd_rpush(client *c);
__attribute__((weak)) void cmd_rpush(client *c) { reply_error(c, "not implemented yet"); }
void cmd_rpushx(client *c);
__attribute__((weak)) void cmd_rpushx(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sadd(client *c);
__attribute__((weak)) void cmd_sadd(client *c) { reply_error(c, "not implemented yet"); }
void cmd_scard(client *c);
__attribute__((weak)) void cmd_scard(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sdiff(client *c);
__attribute__((weak)) void cmd_sdiff(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sdiffstore(client *c);
__attribute__((weak)) void cmd_sdiffstore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_setbit(client *c);
__attribute__((weak)) void cmd_setbit(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sinter(client *c);
__attribute__((weak)) void cmd_sinter(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sintercard(client *c);
__attribute__((weak)) void cmd_sintercard(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sinterstore(client *c);
__attribute__((weak)) void cmd_sinterstore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sismember(client *c);
__attribute__((weak)) void cmd_sismember(client *c) { reply_error(c, "not implemented yet"); }
void cmd_smembers(client *c);
__attribute__((weak)) void cmd_smembers(client *c) { reply_error(c, "not implemented yet"); }
void cmd_smismember(client *c);
__attribute__((weak)) void cmd_smismember(client *c) { reply_error(c, "not implemented yet"); }
void cmd_smove(client *c);
__attribute__((weak)) void cmd_smove(client *c) { reply_error(c, "not implemented yet"); }
void cmd_spop(client *c);
__attribute__((weak)) void cmd_spop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_srandmember(client *c);
__attribute__((weak)) void cmd_srandmember(client *c) { reply_error(c, "not implemented yet"); }
void cmd_srem(client *c);
__attribute__((weak)) void cmd_srem(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sscan(client *c);
__attribute__((weak)) void cmd_sscan(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sunion(client *c);
__attribute__((weak)) void cmd_sunion(client *c) { reply_error(c, "not implemented yet"); }
void cmd_sunionstore(client *c);
__attribute__((weak)) void cmd_sunionstore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xack(client *c);
__attribute__((weak)) void cmd_xack(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xadd(client *c);
__attribute__((weak)) void cmd_xadd(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xautoclaim(client *c);
__attribute__((weak)) void cmd_xautoclaim(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xclaim(client *c);
__attribute__((weak)) void cmd_xclaim(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xdel(client *c);
__attribute__((weak)) void cmd_xdel(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xgroup_create(client *c);
__attribute__((weak)) void cmd_xgroup_create(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xgroup_createconsumer(client *c);
__attribute__((weak)) void cmd_xgroup_createconsumer(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xgroup_delconsumer(client *c);
__attribute__((weak)) void cmd_xgroup_delconsumer(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xgroup_destroy(client *c);
__attribute__((weak)) void cmd_xgroup_destroy(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xgroup_help(client *c);
__attribute__((weak)) void cmd_xgroup_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xgroup_setid(client *c);
__attribute__((weak)) void cmd_xgroup_setid(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xinfo_consumers(client *c);
__attribute__((weak)) void cmd_xinfo_consumers(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xinfo_groups(client *c);
__attribute__((weak)) void cmd_xinfo_groups(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xinfo_help(client *c);
__attribute__((weak)) void cmd_xinfo_help(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xinfo_stream(client *c);
__attribute__((weak)) void cmd_xinfo_stream(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xlen(client *c);
__attribute__((weak)) void cmd_xlen(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xpending(client *c);
__attribute__((weak)) void cmd_xpending(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xrange(client *c);
__attribute__((weak)) void cmd_xrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xread(client *c);
__attribute__((weak)) void cmd_xread(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xreadgroup(client *c);
__attribute__((weak)) void cmd_xreadgroup(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xrevrange(client *c);
__attribute__((weak)) void cmd_xrevrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xsetid(client *c);
__attribute__((weak)) void cmd_xsetid(client *c) { reply_error(c, "not implemented yet"); }
void cmd_xtrim(client *c);
__attribute__((weak)) void cmd_xtrim(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zadd(client *c);
__attribute__((weak)) void cmd_zadd(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zcard(client *c);
__attribute__((weak)) void cmd_zcard(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zcount(client *c);
__attribute__((weak)) void cmd_zcount(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zdiff(client *c);
__attribute__((weak)) void cmd_zdiff(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zdiffstore(client *c);
__attribute__((weak)) void cmd_zdiffstore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zincrby(client *c);
__attribute__((weak)) void cmd_zincrby(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zinter(client *c);
__attribute__((weak)) void cmd_zinter(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zintercard(client *c);
__attribute__((weak)) void cmd_zintercard(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zinterstore(client *c);
__attribute__((weak)) void cmd_zinterstore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zlexcount(client *c);
__attribute__((weak)) void cmd_zlexcount(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zmpop(client *c);
__attribute__((weak)) void cmd_zmpop(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zmscore(client *c);
__attribute__((weak)) void cmd_zmscore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zpopmax(client *c);
__attribute__((weak)) void cmd_zpopmax(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zpopmin(client *c);
__attribute__((weak)) void cmd_zpopmin(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrandmember(client *c);
__attribute__((weak)) void cmd_zrandmember(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrange(client *c);
__attribute__((weak)) void cmd_zrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrangebylex(client *c);
__attribute__((weak)) void cmd_zrangebylex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrangebyscore(client *c);
__attribute__((weak)) void cmd_zrangebyscore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrangestore(client *c);
__attribute__((weak)) void cmd_zrangestore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrank(client *c);
__attribute__((weak)) void cmd_zrank(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrem(client *c);
__attribute__((weak)) void cmd_zrem(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zremrangebylex(client *c);
__attribute__((weak)) void cmd_zremrangebylex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zremrangebyrank(client *c);
__attribute__((weak)) void cmd_zremrangebyrank(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zremrangebyscore(client *c);
__attribute__((weak)) void cmd_zremrangebyscore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrevrange(client *c);
__attribute__((weak)) void cmd_zrevrange(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrevrangebylex(client *c);
__attribute__((weak)) void cmd_zrevrangebylex(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrevrangebyscore(client *c);
__attribute__((weak)) void cmd_zrevrangebyscore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zrevrank(client *c);
__attribute__((weak)) void cmd_zrevrank(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zscan(client *c);
__attribute__((weak)) void cmd_zscan(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zscore(client *c);
__attribute__((weak)) void cmd_zscore(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zunion(client *c);
__attribute__((weak)) void cmd_zunion(client *c) { reply_error(c, "not implemented yet"); }
void cmd_zunionstore(client *c);
__attribute__((weak)) void cmd_zunionstore(client *c) { reply_error(c, "not implemented yet"); }
__attribute__((weak)) void hash_free_value(obj *o) { (void)o; }
__attribute__((weak)) obj *hash_dup_value(const obj *o) { (void)o; return NULL; }
__attribute__((weak)) void list_free_value(obj *o) { (void)o; }
__attribute__((weak)) obj *list_dup_value(const obj *o) { (void)o; return NULL; }
__attribute__((weak)) void set_free_value(obj *o) { (void)o; }
__attribute__((weak)) obj *set_dup_value(const obj *o) { (void)o; return NULL; }
__attribute__((weak)) void zset_free_value(obj *o) { (void)o; }
__attribute__((weak)) obj *zset_dup_value(const obj *o) { (void)o; return NULL; }
__attribute__((weak)) void stream_free_value(obj *o) { (void)o; }
__attribute__((weak)) obj *stream_dup_value(const obj *o) { (void)o; return NULL; }
void cmd_ping(client *c);
__attribute__((weak)) void cmd_ping(client *c) { reply_error(c, "not implemented yet"); }
