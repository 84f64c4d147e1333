#!/usr/bin/python3
"""Developer tool: print shard/commands.def entries for the named commands,
reading their interface (arity, flags, ACL categories, key specs, tips,
group, since) from a running redis-server 7.0, our behavioural oracle.
Summaries are ours and are kept in SUMMARIES below. Not run by the build.

usage: tools/gen_cmdtable.py PORT cmd [cmd ...] > fragment
"""
import sys

import redis


def dec(x):
    if isinstance(x, bytes):
        return x.decode()
    if isinstance(x, list):
        return [dec(i) for i in x]
    return x


def pairs(lst):
    return {lst[i]: lst[i + 1] for i in range(0, len(lst), 2)}


def spec_str(ks):
    d = pairs(ks)
    flags = " ".join(d["flags"])
    bs = pairs(d["begin_search"])
    bspec = pairs(bs["spec"]) if bs["spec"] else {}
    if bs["type"] == "index":
        b = "index %s" % bspec["index"]
    elif bs["type"] == "keyword":
        b = "keyword %s %s" % (bspec["keyword"], bspec["startfrom"])
    else:
        b = "unknown"
    fk = pairs(d["find_keys"])
    fspec = pairs(fk["spec"]) if fk["spec"] else {}
    if fk["type"] == "range":
        f = "range %s %s %s" % (fspec["lastkey"], fspec["keystep"],
                                fspec["limit"])
    elif fk["type"] == "keynum":
        f = "keynum %s %s %s" % (fspec["keynumidx"], fspec["firstkey"],
                                 fspec["keystep"])
    else:
        f = "unknown"
    return "%s|%s|%s" % (flags, b, f)


SUMMARIES = {
    "set": "Set a string value, with optional expiry and conditions",
    "get": "Return the string value of a key",
    "getex": "Return a string value and change its expiry",
    "getdel": "Return a string value and delete the key",
    "getset": "Set a string value and return the old one",
    "setnx": "Set a string value only if the key is absent",
    "setex": "Set a string value with an expiry in seconds",
    "psetex": "Set a string value with an expiry in milliseconds",
    "mset": "Set several string values",
    "msetnx": "Set several string values only if none of the keys exist",
    "mget": "Return the values of several keys",
    "append": "Append bytes to a string value",
    "strlen": "Return the length of a string value",
    "getrange": "Return a byte range of a string value",
    "setrange": "Overwrite part of a string value at an offset",
    "substr": "Return a byte range of a string value (old name)",
    "incr": "Add one to an integer value",
    "decr": "Subtract one from an integer value",
    "incrby": "Add an integer to an integer value",
    "decrby": "Subtract an integer from an integer value",
    "incrbyfloat": "Add a floating point number to a value",
    "lcs": "Longest common subsequence of two string values",
    "del": "Delete keys",
    "unlink": "Delete keys, freeing memory out of band",
    "exists": "Count how many of the given keys exist",
    "type": "Return the type of a key's value",
    "rename": "Rename a key",
    "renamenx": "Rename a key only if the new name is free",
    "copy": "Copy a key's value to another key",
    "move": "Move a key to another database",
    "keys": "Return the keys matching a glob pattern",
    "scan": "Iterate the keyspace incrementally",
    "randomkey": "Return a random key",
    "dbsize": "Return the number of keys in the database",
    "flushdb": "Delete every key of the current database",
    "flushall": "Delete every key of every database",
    "select": "Change the current database",
    "swapdb": "Swap two databases",
    "touch": "Update the access time of keys; count the existing ones",
    "object": "Inspect the internals of a value",
    "object|encoding": "Return the internal encoding of a value",
    "object|refcount": "Return the reference count of a value",
    "object|idletime": "Return seconds since a value was last accessed",
    "object|freq": "Return the access frequency counter of a value",
    "object|help": "Describe the OBJECT subcommands",
    "expire": "Set a key's time to live in seconds",
    "pexpire": "Set a key's time to live in milliseconds",
    "expireat": "Set a key's expiry as a Unix time in seconds",
    "pexpireat": "Set a key's expiry as a Unix time in milliseconds",
    "ttl": "Return a key's time to live in seconds",
    "pttl": "Return a key's time to live in milliseconds",
    "expiretime": "Return a key's expiry as a Unix time in seconds",
    "pexpiretime": "Return a key's expiry as a Unix time in milliseconds",
    "persist": "Remove a key's expiry",
    "ping": "Check the connection",
    "echo": "Return the given string",
    "quit": "Close the connection",
    "reset": "Reset the connection state",
    "hello": "Handshake: protocol version, authentication, client name",
    "auth": "Authenticate the connection",
    "client": "Inspect and control client connections",
    "client|id": "Return the connection's id",
    "client|setname": "Name the connection",
    "client|getname": "Return the connection's name",
    "client|list": "List client connections",
    "client|info": "Describe this connection",
    "client|kill": "Close client connections",
    "client|setinfo": "Record the client library's name and version",
    "client|pause": "Suspend commands from clients for a while",
    "client|unpause": "Resume commands after CLIENT PAUSE",
    "client|reply": "Turn replies to this connection on or off",
    "client|no-evict": "Exempt this connection from client eviction",
    "client|help": "Describe the CLIENT subcommands",
    "config": "Read and change the configuration",
    "config|get": "Return configuration parameters",
    "config|set": "Change configuration parameters at run time",
    "config|resetstat": "Reset the statistics INFO reports",
    "config|rewrite": "Write the running configuration to the config file",
    "config|help": "Describe the CONFIG subcommands",
    "info": "Return server information and statistics",
    "time": "Return the server time",
    "slowlog": "Inspect the slow command log",
    "slowlog|get": "Return entries of the slow log",
    "slowlog|len": "Return the number of slow log entries",
    "slowlog|reset": "Clear the slow log",
    "slowlog|help": "Describe the SLOWLOG subcommands",
    "latency": "Inspect latency monitoring",
    "latency|latest": "Return the latest latency spike of each event",
    "latency|history": "Return the latency spikes of an event",
    "latency|reset": "Clear latency samples",
    "latency|help": "Describe the LATENCY subcommands",
    "monitor": "Stream every command the server runs",
    "debug": "Debugging and testing helpers",
    "shutdown": "Stop the server",
    "lastsave": "Return the Unix time of the last successful save",
    "command": "Describe the server's commands",
    "command|count": "Return the number of commands",
    "command|info": "Describe the given commands",
    "command|getkeys": "Extract the keys of a command",
    "command|getkeysandflags": "Extract the keys of a command, with flags",
    "command|list": "Return the names of the commands",
    "command|docs": "Return documentation of commands",
    "command|help": "Describe the COMMAND subcommands",
}

SUMMARIES.update({
 "hset": "Set fields of a hash", "hsetnx": "Set a hash field only if it is absent",
 "hget": "Return the value of a hash field", "hmget": "Return the values of several hash fields",
 "hmset": "Set several hash fields (old form of HSET)", "hgetall": "Return every field and value of a hash",
 "hdel": "Delete hash fields", "hexists": "Tell whether a hash field exists", "hlen": "Return the number of fields in a hash",
 "hstrlen": "Return the length of a hash field's value", "hkeys": "Return the field names of a hash",
 "hvals": "Return the values of a hash", "hincrby": "Add an integer to a hash field",
 "hincrbyfloat": "Add a floating point number to a hash field", "hrandfield": "Return random fields of a hash",
 "hscan": "Iterate the fields of a hash incrementally",
 "lpush": "Prepend elements to a list", "rpush": "Append elements to a list",
 "lpushx": "Prepend elements only if the list exists", "rpushx": "Append elements only if the list exists",
 "lpop": "Remove and return elements from the head of a list", "rpop": "Remove and return elements from the tail of a list",
 "lrange": "Return a range of list elements", "lindex": "Return the list element at an index",
 "lset": "Set the list element at an index", "linsert": "Insert an element before or after another",
 "llen": "Return the length of a list", "lrem": "Remove occurrences of an element from a list",
 "ltrim": "Keep only a range of a list", "lpos": "Return the positions of matching list elements",
 "lmove": "Pop from one list and push to another", "rpoplpush": "Pop from the tail of one list and push to the head of another",
 "lmpop": "Pop elements from the first non-empty list", "blpop": "Pop from the head of the first non-empty list, waiting if all are empty",
 "brpop": "Pop from the tail of the first non-empty list, waiting if all are empty", "blmove": "Pop from one list and push to another, waiting if the source is empty",
 "brpoplpush": "RPOPLPUSH, waiting if the source is empty", "blmpop": "LMPOP, waiting if every list is empty",
 "sadd": "Add members to a set", "srem": "Remove members from a set", "sismember": "Tell whether a value is a set member",
 "smismember": "Tell which values are set members", "smembers": "Return every member of a set", "scard": "Return the number of members of a set",
 "spop": "Remove and return random set members", "srandmember": "Return random set members", "smove": "Move a member between sets",
 "sinter": "Intersect sets", "sintercard": "Count the intersection of sets", "sinterstore": "Store the intersection of sets",
 "sunion": "Union of sets", "sunionstore": "Store the union of sets", "sdiff": "Difference of sets", "sdiffstore": "Store the difference of sets",
 "sscan": "Iterate the members of a set incrementally",
 "zadd": "Add members to a sorted set or update their scores", "zincrby": "Add to the score of a sorted set member",
 "zscore": "Return the score of a sorted set member", "zmscore": "Return the scores of several sorted set members",
 "zcard": "Return the number of members of a sorted set", "zcount": "Count members within a score range",
 "zlexcount": "Count members within a lexicographical range", "zrange": "Return a range of members by rank, score or lexicographical order",
 "zrangestore": "Store a range of a sorted set", "zrangebyscore": "Return members within a score range",
 "zrevrangebyscore": "Return members within a score range, highest first", "zrangebylex": "Return members within a lexicographical range",
 "zrevrangebylex": "Return members within a lexicographical range, in reverse", "zrevrange": "Return a range of members by rank, highest first",
 "zrank": "Return the rank of a member", "zrevrank": "Return the rank of a member, highest first", "zrem": "Remove members from a sorted set",
 "zremrangebyrank": "Remove members within a rank range", "zremrangebyscore": "Remove members within a score range",
 "zremrangebylex": "Remove members within a lexicographical range", "zpopmin": "Remove and return the lowest-scored members",
 "zpopmax": "Remove and return the highest-scored members", "bzpopmin": "ZPOPMIN, waiting if every sorted set is empty",
 "bzpopmax": "ZPOPMAX, waiting if every sorted set is empty", "zmpop": "Pop members from the first non-empty sorted set",
 "bzmpop": "ZMPOP, waiting if every sorted set is empty", "zunion": "Union of sorted sets", "zinter": "Intersection of sorted sets",
 "zdiff": "Difference of sorted sets", "zunionstore": "Store the union of sorted sets", "zinterstore": "Store the intersection of sorted sets",
 "zdiffstore": "Store the difference of sorted sets", "zintercard": "Count the intersection of sorted sets",
 "zrandmember": "Return random sorted set members", "zscan": "Iterate the members of a sorted set incrementally",
 "setbit": "Set or clear a bit of a string", "getbit": "Return a bit of a string", "bitcount": "Count set bits in a string",
 "bitpos": "Find the first set or clear bit of a string", "bitop": "Bitwise operations between strings",
 "bitfield": "Read and write integer fields of a string", "bitfield_ro": "Read integer fields of a string",
 "pfadd": "Add elements to a HyperLogLog", "pfcount": "Estimate the number of distinct elements seen",
 "pfmerge": "Merge HyperLogLogs",
 "geoadd": "Add places to a geospatial index", "geodist": "Return the distance between two places",
 "geopos": "Return the coordinates of places", "geohash": "Return the geohash strings of places",
 "geosearch": "Find places within a radius or box", "geosearchstore": "Find places within a radius or box and store them",
 "georadius": "Find places within a radius of a point", "georadiusbymember": "Find places within a radius of a member",
 "georadius_ro": "Find places within a radius of a point (read only)", "georadiusbymember_ro": "Find places within a radius of a member (read only)",
 "xadd": "Append an entry to a stream", "xlen": "Return the number of entries of a stream", "xrange": "Return a range of stream entries",
 "xrevrange": "Return a range of stream entries in reverse", "xdel": "Delete stream entries", "xtrim": "Trim a stream",
 "xread": "Read entries from streams, optionally waiting", "xgroup": "Manage consumer groups",
 "xgroup|create": "Create a consumer group", "xgroup|setid": "Set a consumer group's last delivered id",
 "xgroup|destroy": "Destroy a consumer group", "xgroup|createconsumer": "Create a consumer in a group",
 "xgroup|delconsumer": "Delete a consumer from a group", "xgroup|help": "Describe the XGROUP subcommands",
 "xreadgroup": "Read entries as a group consumer, optionally waiting", "xack": "Acknowledge entries of a group",
 "xpending": "Inspect a group's pending entries", "xclaim": "Take ownership of pending entries",
 "xautoclaim": "Take ownership of idle pending entries", "xinfo": "Inspect streams and groups",
 "xinfo|stream": "Describe a stream", "xinfo|groups": "Describe a stream's consumer groups",
 "xinfo|consumers": "Describe the consumers of a group", "xinfo|help": "Describe the XINFO subcommands",
 "xsetid": "Set a stream's last id",
})


def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def emit(r, parent, info, docs):
    name, arity, flags, first, last, step, acl, tips, specs, subs = info[:10]
    full = name
    short = name.split("|")[-1]
    handler = "cmd_" + full.replace("|", "_").replace("-", "_")
    ks = ";".join(spec_str(k) for k in specs)
    d = pairs(docs.get(full, [])) if docs.get(full) else {}
    print("CMD(%s, %s, %s, %d, %s, %s, %d, %d, %d, %s, %s, %s, %s, %s)" % (
        c_str(parent) if parent else "NULL", c_str(short),
        handler if not subs else "NULL", arity,
        c_str(" ".join(flags)), c_str(" ".join(acl)), first, last, step,
        c_str(ks), c_str(" ".join(tips)), c_str(d.get("group", "")),
        c_str(d.get("since", "")), c_str(SUMMARIES.get(full, ""))))
    for sub in subs:
        emit(r, name, sub, docs)

# issues 4-6: cluster, persistence, transactions, scripting, pub/sub, tracking
SUMMARIES.update({
    "cluster": "Inspect the cluster topology",
    "cluster|slots": "Return the slot ranges and the nodes serving them",
    "cluster|shards": "Return the shards of the cluster and their nodes",
    "cluster|nodes": "Return the cluster's nodes in the nodes.conf format",
    "cluster|info": "Return the cluster's state and counters",
    "cluster|myid": "Return this node's id",
    "cluster|myshardid": "Return this node's shard id",
    "cluster|keyslot": "Return the hash slot of a key",
    "cluster|countkeysinslot": "Count the keys of a hash slot",
    "cluster|getkeysinslot": "Return keys of a hash slot",
    "cluster|help": "Describe the CLUSTER subcommands",
    "readonly": "Allow reads from a replica for this connection",
    "readwrite": "End READONLY mode for this connection",
    "asking": "Let the next command reach a slot being imported",
    "save": "Write a snapshot to disk, blocking",
    "bgsave": "Write a snapshot to disk in a child process",
    "bgrewriteaof": "Rewrite the append-only file in a child process",
    "dump": "Serialize a key's value",
    "restore": "Create a key from a DUMP payload",
    "restore-asking": "Create a key from a DUMP payload during a migration",
    "multi": "Start a transaction",
    "exec": "Run the queued commands of a transaction",
    "discard": "Drop the queued commands of a transaction",
    "watch": "Make the next EXEC conditional on keys staying unchanged",
    "unwatch": "Forget all watched keys",
    "eval": "Run a Lua script",
    "evalsha": "Run a cached Lua script by its SHA1",
    "eval_ro": "Run a read-only Lua script",
    "evalsha_ro": "Run a cached read-only Lua script by its SHA1",
    "script": "Manage the Lua script cache",
    "script|load": "Cache a Lua script and return its SHA1",
    "script|exists": "Tell which SHA1s are cached",
    "script|flush": "Empty the Lua script cache",
    "script|kill": "Stop the running script if it has not written",
    "script|help": "Describe the SCRIPT subcommands",
    "script|debug": "Set the debug mode of scripts",
    "function": "Manage Lua function libraries",
    "function|load": "Load a function library",
    "function|delete": "Delete a function library",
    "function|flush": "Delete every function library",
    "function|list": "List the function libraries",
    "function|dump": "Serialize every function library",
    "function|restore": "Load libraries from a FUNCTION DUMP payload",
    "function|stats": "Report the running function and the engines",
    "function|kill": "Stop the running function if it has not written",
    "function|help": "Describe the FUNCTION subcommands",
    "fcall": "Call a function",
    "fcall_ro": "Call a read-only function",
    "subscribe": "Listen for messages on channels",
    "unsubscribe": "Stop listening on channels",
    "psubscribe": "Listen for messages on channel patterns",
    "punsubscribe": "Stop listening on channel patterns",
    "publish": "Send a message to a channel",
    "pubsub": "Inspect the pub/sub state",
    "pubsub|channels": "List the channels with subscribers",
    "pubsub|numsub": "Count the subscribers of channels",
    "pubsub|numpat": "Count the pattern subscriptions",
    "pubsub|shardchannels": "List the shard channels with subscribers",
    "pubsub|shardnumsub": "Count the subscribers of shard channels",
    "pubsub|help": "Describe the PUBSUB subcommands",
    "ssubscribe": "Listen for messages on shard channels",
    "sunsubscribe": "Stop listening on shard channels",
    "spublish": "Send a message to a shard channel",
    "client|tracking": "Turn client-side caching invalidations on or off",
    "client|caching": "Say whether the next command's keys are tracked",
    "client|getredir": "Return the id invalidations are redirected to",
    "client|trackinginfo": "Describe this connection's tracking state",
})


class Raw:
    def __init__(self, port):
        pool = redis.ConnectionPool(port=port)
        self.conn = pool.get_connection("x")

    def execute_command(self, *args):
        self.conn.send_command(*args)
        return self.conn.read_response()


def main():
    r = Raw(int(sys.argv[1]))
    for name in sys.argv[2:]:
        info = dec(r.execute_command("COMMAND", "INFO", name))[0]
        raw = dec(r.execute_command("COMMAND", "DOCS", name))
        docs = pairs(raw) if raw else {}
        # subcommand docs live inside the parent's doc map
        if docs.get(name):
            top = pairs(docs[name])
            for k, v in pairs(top.get("subcommands", [])).items():
                docs[k] = v
        emit(r, None, info, docs)


main()
