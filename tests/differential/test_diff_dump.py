"""Differential tests of DUMP and RESTORE (shard/cmd_persist.c, rdb.c,
rdb_load.c): the same value built the same way dumps to the same bytes on
shoal and redis-server 7.0 for every deterministic encoding; a payload from
either server restores on the other for every type and encoding; RESTORE's
options and errors; corrupt payloads give an error, never a crash."""

import random

import pytest

from lib.crc import crc64

# Values whose encodings are byte-for-byte deterministic: built by the same
# commands they lay out the same on both servers.
DETERMINISTIC = [
    ("str-small-int", [["SET", "k", "12"]]),
    ("str-int16", [["SET", "k", "-3000"]]),
    ("str-int32", [["SET", "k", "2000000000"]]),
    ("str-int64", [["SET", "k", "9000000000000000000"]]),
    ("str-emb", [["SET", "k", "hello"]]),
    ("str-raw", [["SET", "k", "z" * 50 + "q"]]),
    ("str-lzf", [["SET", "k", "abcd" * 100]]),
    ("str-incompressible", [["SET", "k", "".join(
        chr(33 + (i * 7919) % 90) for i in range(300))]]),
    ("str-empty", [["SET", "k", ""]]),
    ("str-append", [["SET", "k", "12"], ["APPEND", "k", "34"]]),
    ("list-small", [["RPUSH", "k", "a", "1", "-7", "x" * 30, "4000000000"]]),
    ("list-nodes", [["RPUSH", "k"] + [f"e{i}" for i in range(400)]]),
    ("list-compressed", [["CONFIG", "SET", "list-compress-depth", "1"],
                         ["RPUSH", "k"] + [f"long element {i}" * 3
                                           for i in range(800)]]),
    ("set-intset", [["SADD", "k", "5", "1", "-9", "70000", "5000000000"]]),
    ("hash-lp", [["HSET", "k", "f1", "v1", "f2", "22", "f3", "x" * 40]]),
    ("zset-lp", [["ZADD", "k", "1", "a", "2.5", "b", "-1e10", "c", "3", "d"]]),
    ("stream", [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "2-0", "f", "w"],
                ["XADD", "k", "3-0", "a", "b", "c", "d"],
                ["XDEL", "k", "2-0"]]),
    ("stream-groups", [["XADD", "k", "1-1", "f", "v"],
                       ["XGROUP", "CREATE", "k", "g", "0"],
                       ["XGROUP", "CREATECONSUMER", "k", "g", "c1"]]),
]

# Every type and encoding, including non-deterministic layouts (hash table
# order, skiplists, random-ish consumer times).
ALL = DETERMINISTIC + [
    ("set-ht", [["SADD", "k"] + [f"m{i}" for i in range(200)]]),
    ("set-bigintset", [["SADD", "k"] + [str(i) for i in range(700)]]),
    ("hash-ht", [["HSET", "k"] + sum([[f"f{i}", f"v{i}" * (i % 9)]
                                      for i in range(600)], [])]),
    ("hash-longval", [["HSET", "k", "a", "x" * 100]]),
    ("zset-skiplist", [["ZADD", "k"] + sum([[str(i * 1.5), f"m{i}"]
                                            for i in range(300)], [])]),
    ("stream-pel", [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "5-0", "g", "w"],
                    ["XGROUP", "CREATE", "k", "g", "0"],
                    ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1",
                     "STREAMS", "k", ">"],
                    ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "k", ">"]]),
]


def build(differ, cmds):
    for cmd in cmds:
        differ.check(*cmd)


def dumps(differ, key="k"):
    out = {}
    for side in differ.SIDES:
        r = differ.conns[side].call("DUMP", key)
        assert r.kind == "bulk", r
        out[side] = r.value
    return out


def contents(conn, key):
    t = conn.call("TYPE", key).value
    if t == b"string":
        return conn.call("GET", key).value
    if t == b"list":
        return conn.call("LRANGE", key, "0", "-1").value
    if t == b"set":
        return sorted(x.value for x in conn.call("SMEMBERS", key).value)
    if t == b"hash":
        v = [x.value for x in conn.call("HGETALL", key).value]
        return sorted(zip(v[::2], v[1::2]))
    if t == b"zset":
        return conn.call("ZRANGE", key, "0", "-1", "WITHSCORES").value
    if t == b"stream":
        return (conn.call("XRANGE", key, "-", "+").value,
                conn.call("XINFO", "GROUPS", key).value)
    return t


@pytest.mark.parametrize("name,cmds", DETERMINISTIC,
                         ids=[n for n, _ in DETERMINISTIC])
def test_dump_bytes_identical(differ, name, cmds):
    build(differ, cmds)
    d = dumps(differ)
    assert d["shoal"] == d["redis"], name
    differ.check("OBJECT", "ENCODING", "k")


@pytest.mark.parametrize("name,cmds", ALL, ids=[n for n, _ in ALL])
def test_restore_across_servers(differ, name, cmds):
    build(differ, cmds)
    d = dumps(differ)
    s, r = differ.conns["shoal"], differ.conns["redis"]
    # both servers restore both payloads: the same payload must give the
    # same value and encoding on each
    for name, payload in (("rp", d["redis"]), ("sp", d["shoal"])):
        differ.check("RESTORE", name, "0", payload)
        differ.check("OBJECT", "ENCODING", name)
        assert contents(s, name) == contents(r, name)
        assert contents(s, name) == contents(s, "k")
    # and its own payload, replacing the key
    for side in differ.SIDES:
        c = differ.conns[side]
        assert c.call("RESTORE", "k", "0", d[side], "REPLACE").value == b"OK"


def test_restore_options_and_errors(differ):
    differ.check("SET", "src", "value")
    payload = differ.conns["redis"].call("DUMP", "src").value
    differ.check("RESTORE", "src", "0", payload)  # BUSYKEY
    differ.check("RESTORE", "new", "0", payload, "BOGUS")
    differ.check("RESTORE", "new", "-1", payload)
    differ.check("RESTORE", "new", "abc", payload)
    differ.check("RESTORE", "new", "0", payload, "IDLETIME", "-1")
    differ.check("RESTORE", "new", "0", payload, "IDLETIME", "x")
    differ.check("RESTORE", "new", "0", payload, "FREQ", "256")
    differ.check("RESTORE", "new", "0", payload, "FREQ", "1", "IDLETIME", "1")
    differ.check("RESTORE", "new", "0", payload, "IDLETIME")
    differ.check("RESTORE", "new", "0", payload, "IDLETIME", "10")
    differ.check("DEL", "new")
    differ.check("RESTORE", "new", "0", payload, "FREQ", "10")
    differ.check("RESTORE", "new", "0", payload, "REPLACE")
    differ.check("RESTORE", "ttl", "100000", payload)
    differ.check("PTTL", "ttl", mode="type-only")
    differ.check("RESTORE", "abs", "1", payload, "ABSTTL")  # long past
    differ.check("EXISTS", "abs")
    differ.check("RESTORE", "new", "1", payload, "ABSTTL", "REPLACE")
    differ.check("EXISTS", "new")
    differ.check("RESTORE-ASKING", "ra", "0", payload)
    differ.check("GET", "ra")
    differ.check("DUMP", "nosuchkey")
    differ.check("RESTORE", "x", "0", "")
    differ.check("RESTORE", "x", "0", "short")
    differ.check("RESTORE", "x", "0", payload[:-1] + b"\x00")
    differ.check("RESTORE", "x", "0", payload[:-10] + b"\x0b\x00" +
                 payload[-8:])  # version 11
    differ.check("DBSIZE")


def _reseal(body):
    """A DUMP payload with a correct footer for body (type + value)."""
    body = bytes(body) + b"\x0a\x00"
    return body + crc64(body).to_bytes(8, "little")


def test_corrupt_bodies_never_crash(pair):
    s = pair.shoal.raw()
    r = pair.redis.raw()
    seeds = [
        ["RPUSH", "k", "a", "b", "1", "2"],
        ["HSET", "k", "f", "v", "g", "w"],
        ["ZADD", "k", "1", "a", "2", "b"],
        ["SADD", "k", "1", "2", "3"],
        ["XADD", "k", "1-1", "f", "v"],
        ["SET", "k", "abcd" * 30],
    ]
    rnd = random.Random(42)
    for cmd in seeds:
        r.call("DEL", "k")
        r.call(*cmd)
        good = r.call("DUMP", "k").value
        body = good[:-10]
        for _ in range(40):
            bad = bytearray(body)
            pos = rnd.randrange(len(bad))
            bad[pos] = rnd.randrange(256)
            reply = s.call("RESTORE", "t", "0", _reseal(bad), "REPLACE")
            assert reply.kind in ("simple", "error"), reply
            if reply.kind == "error":
                assert reply.value == b"ERR Bad data format", reply
            else:
                # accepted: the value must be usable
                s.call("TYPE", "t")
                s.call("DUMP", "t")
        # truncations
        for cut in range(1, len(body)):
            reply = s.call("RESTORE", "t", "0", _reseal(body[:cut]), "REPLACE")
            assert reply.kind in ("simple", "error"), reply
    assert s.call("PING").value == b"PONG"


def test_bgsave_replies(differ):
    differ.check("SET", "k", "v")
    differ.check("BGSAVE", "NOW")
    differ.check("BGSAVE", "SCHEDULE", "x")
    differ.check("MULTI")
    differ.check("BGSAVE")
    differ.check("EXEC")  # inside EXEC: always scheduled
    differ.check("LASTSAVE", mode="type-only")
