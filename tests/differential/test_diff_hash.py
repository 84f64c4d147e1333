"""Differential tests of the hash commands (shard/t_hash.c): HSET, HSETNX,
HGET, HMGET, HMSET, HGETALL, HDEL, HEXISTS, HLEN, HSTRLEN, HKEYS, HVALS,
HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN against redis-server: replies,
errors, encodings (listpack -> hashtable at the configured thresholds),
RESP3 forms, side effects, a seeded random sequence, and the memory the
hash encodings save. DIFF_SELFTEST=1 points both sides at redis-server."""

import time

import pytest

from differential.diff import EXACT, FLOATS, INTS, STRINGS, Rule, run_random, shape
from lib import resp
from lib.resp import Reply

LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808
LONG_MAX = LLONG_MAX

# ---------------------------------------------------------------- helpers


def resp3(differ):
    differ.check("HELLO", "3")


def both(differ, *command):
    """Run a command on each side separately; {side: Reply}."""
    return {s: differ.conns[s].call(*command) for s in differ.SIDES}


def info_field(conn, section, field):
    text = conn.call("INFO", section).value.decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"INFO {section} has no {field}")


def hash_contents(conn, key):
    """{field: value} of a hash, through HGETALL (either protocol)."""
    r = conn.call("HGETALL", key)
    if r.kind == resp.MAP:
        return {a.value: b.value for a, b in r.value}
    items = [x.value for x in r.value]
    return dict(zip(items[0::2], items[1::2]))


def encoding(differ, key):
    return differ.check("OBJECT", "ENCODING", key).value


def check_contents(differ, key):
    """HGETALL, HKEYS, HVALS and HLEN of key on both sides (and its
    encoding): in the same order when the encoding keeps one (listpack),
    else as sets."""
    enc = differ.check("OBJECT", "ENCODING", key).value
    mode = EXACT if enc == b"listpack" else None
    differ.check("HGETALL", key, mode=mode)
    differ.check("HKEYS", key, mode=mode)
    differ.check("HVALS", key, mode=mode)
    differ.check("HLEN", key)


def hscan_sorted(r):
    """An HSCAN reply with its field/value pairs sorted (order of a
    hashtable scan is the table's)."""
    if r.kind != resp.ARRAY or len(r.value) != 2:
        return r
    items = r.value[1].value
    pairs = sorted(zip(items[0::2], items[1::2]), key=lambda p: (p[0].value, p[1].value))
    flat = tuple(x for p in pairs for x in p)
    return Reply(resp.ARRAY, (r.value[0], Reply(resp.ARRAY, flat)))


def hscan_all(conn, key, *opts):
    """Every (field, value) an HSCAN iteration returns, and the number of
    calls it took."""
    cursor, seen, calls = b"0", [], 0
    while True:
        r = conn.call("HSCAN", key, cursor, *opts)
        assert r.kind == resp.ARRAY and len(r.value) == 2, r
        cursor = r.value[0].value
        items = [x.value for x in r.value[1].value]
        seen += list(zip(items[0::2], items[1::2]))
        calls += 1
        if cursor == b"0":
            return seen, calls


def fill(differ, key, n, fmt_field="f{}", fmt_value="v{}", batch=200):
    """HSET n fields on both sides, in pipelined batches."""
    for start in range(0, n, batch):
        args = []
        for i in range(start, min(n, start + batch)):
            args += [fmt_field.format(i), fmt_value.format(i)]
        differ.check("HSET", key, *args)


# ---------------------------------------------------------------- basics


def test_hset_hget_family(differ):
    d = differ
    d.check("HSET", "h", "a", "1")
    d.check("HSET", "h", "a", "2", "b", "3", "c", "x")
    d.check("HSET", "h", "a", "2", "a", "3", "d", "4", "d", "5")
    d.check("HGET", "h", "a")
    d.check("HGET", "h", "d")
    d.check("HGET", "h", "nope")
    d.check("HGET", "nokey", "a")
    d.check("HMGET", "h", "a", "nope", "b", "a", "c")
    d.check("HMGET", "nokey", "a", "b")
    d.check("HMSET", "h", "e", "5", "f", "")
    d.check("HMSET", "h2", "e", "5")
    d.check("HEXISTS", "h", "e")
    d.check("HEXISTS", "h", "E")
    d.check("HEXISTS", "nokey", "e")
    d.check("HLEN", "h")
    d.check("HLEN", "nokey")
    for f in ("a", "c", "e", "f", "nope"):
        d.check("HSTRLEN", "h", f)
    d.check("HSTRLEN", "nokey", "a")
    check_contents(d, "h")
    d.check("HGETALL", "nokey")
    d.check("HKEYS", "nokey")
    d.check("HVALS", "nokey")


def test_arity_errors(differ):
    d = differ
    for cmd in (["HSET", "h"], ["HSET", "h", "f"], ["HSET", "h", "f", "v", "g"],
                ["HMSET", "h", "f"], ["HMSET", "h", "f", "v", "g"],
                ["HSETNX", "h", "f"], ["HSETNX", "h", "f", "v", "x"],
                ["HGET", "h"], ["HMGET", "h"], ["HDEL", "h"], ["HLEN"],
                ["HEXISTS", "h"], ["HSTRLEN", "h"], ["HGETALL"], ["HKEYS", "h", "x"],
                ["HINCRBY", "h", "f"], ["HINCRBYFLOAT", "h", "f"], ["HRANDFIELD"],
                ["HSCAN", "h"], ["hset", "h", "f", "v", "g"]):
        d.check(*cmd)
    d.check("EXISTS", "h")


def test_values_roundtrip(differ):
    """Fields and values of every shape: empty, binary, integers (stored as
    listpack integers), near the inline/alloc sizes of hashtable cells."""
    values = ([b"", b"0", b"-1", b"7", b"1234567", b"12345678", b"-0", b"01",
               b" 5", b"1.5", str(LLONG_MAX).encode(), str(LLONG_MIN).encode(),
               str(LLONG_MAX + 1).encode(), b"\x00", b"1\x00", b"\x00\xff\r\n"]
              + [b"a" * n for n in (1, 6, 7, 8, 15, 16, 63, 64, 254, 255, 256, 1000)])
    for enc_key, extra in (("lp", []), ("ht", ["big", "z" * 100])):
        differ.check("DEL", enc_key)
        differ.check("HSET", enc_key, "seed", "x", *extra)
        for i, v in enumerate(values):
            differ.check("HSET", enc_key, v, v)
            differ.check("HSET", enc_key, b"f%d" % i, v)
            differ.check("HGET", enc_key, v)
            differ.check("HGET", enc_key, b"f%d" % i)
            differ.check("HSTRLEN", enc_key, v)
            differ.check("HEXISTS", enc_key, v)
        encoding(differ, enc_key)
        check_contents(differ, enc_key)
        differ.check("HMGET", enc_key, *values)


def test_hsetnx(differ):
    d = differ
    d.check("HSETNX", "h", "f", "1")
    d.check("HSETNX", "h", "f", "2")
    d.check("HGET", "h", "f")
    d.check("HSETNX", "h", "g", "")
    d.check("HSETNX", "new", "f", "v")
    check_contents(d, "h")


def test_hdel(differ):
    d = differ
    d.check("HDEL", "nokey", "a")
    d.check("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
    d.check("HDEL", "h", "x")
    d.check("HDEL", "h", "a", "a", "x", "b")
    check_contents(d, "h")
    d.check("HDEL", "h", "c", "d", "c", "e")
    d.check("EXISTS", "h")
    d.check("HLEN", "h")
    # The same on a hashtable hash.
    d.check("HSET", "t", "big", "y" * 100, "a", "1", "b", "2")
    d.check("HDEL", "t", "a", "nope", "a")
    check_contents(d, "t")
    d.check("HDEL", "t", "b", "big", "b")
    d.check("EXISTS", "t")


def test_ttl_kept(differ):
    d = differ
    d.check("HSET", "h", "a", "1")
    d.check("EXPIRE", "h", "1000")
    for cmd in (["HSET", "h", "b", "2"], ["HSETNX", "h", "c", "3"],
                ["HDEL", "h", "c"], ["HINCRBY", "h", "a", "5"],
                ["HINCRBYFLOAT", "h", "a", "1.5"], ["HMSET", "h", "d", "x"]):
        d.check(*cmd)
        d.check("TTL", "h")


# ---------------------------------------------------------------- WRONGTYPE


HASH_COMMANDS = [
    ["HSET", "s", "f", "v"], ["HSETNX", "s", "f", "v"], ["HGET", "s", "f"],
    ["HMGET", "s", "f"], ["HMSET", "s", "f", "v"], ["HGETALL", "s"],
    ["HDEL", "s", "f"], ["HEXISTS", "s", "f"], ["HLEN", "s"],
    ["HSTRLEN", "s", "f"], ["HKEYS", "s"], ["HVALS", "s"],
    ["HINCRBY", "s", "f", "1"], ["HINCRBYFLOAT", "s", "f", "1"],
    ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "0"], ["HRANDFIELD", "s", "3"],
    ["HRANDFIELD", "s", "-3", "WITHVALUES"], ["HSCAN", "s", "0"],
    ["HSCAN", "s", "0", "COUNT", "0"], ["HSCAN", "s", "0", "BAD"],
]


def test_wrongtype(differ):
    differ.check("SET", "s", "string")
    for cmd in HASH_COMMANDS:
        differ.check(*cmd)
    differ.check("GET", "s")
    # Argument errors that Redis reports before looking at the key.
    for cmd in (["HINCRBY", "s", "f", "x"], ["HINCRBYFLOAT", "s", "f", "x"],
                ["HINCRBYFLOAT", "s", "f", "inf"], ["HRANDFIELD", "s", "x"],
                ["HRANDFIELD", "s", "1", "BAD"], ["HSCAN", "s", "x"],
                ["HSET", "s", "f", "v", "g"],
                ["HRANDFIELD", "s", str(LLONG_MIN)],
                ["HRANDFIELD", "s", str(LONG_MAX), "WITHVALUES"]):
        differ.check(*cmd)
    # And a hash against the other types' commands.
    differ.check("HSET", "h", "f", "v")
    differ.check("GET", "h")
    differ.check("INCR", "h")
    differ.check("TYPE", "h")


# ---------------------------------------------------------------- counters


def test_hincrby(differ):
    d = differ
    d.check("HINCRBY", "h", "n", "5")
    d.check("HINCRBY", "h", "n", "-12")
    d.check("HINCRBY", "h", "n", "0")
    d.check("HGET", "h", "n")
    for bad in (b"x", b"1.5", b"", b" 1", b"01", b"+1", b"9223372036854775808", b"1\x00"):
        d.check("HINCRBY", "h", "n", bad)
    for stored in (b"abc", b"1.0", b" 1", b"01", b"", b"-0", b"1e3",
                   b"9223372036854775808", b"12345678901", b"\x001"):
        d.check("HSET", "h", "s", stored)
        d.check("HINCRBY", "h", "s", "1")
    d.check("HSET", "h", "m", str(LLONG_MAX))
    d.check("HINCRBY", "h", "m", "1")
    d.check("HINCRBY", "h", "m", "0")
    d.check("HINCRBY", "h", "m", str(LLONG_MIN))
    d.check("HINCRBY", "h", "m", "-1")
    d.check("HSET", "h", "m", str(LLONG_MIN))
    d.check("HINCRBY", "h", "m", "-1")
    d.check("HINCRBY", "h", "m", str(LLONG_MAX))
    d.check("HINCRBY", "h", "m", str(LLONG_MIN))
    d.check("HINCRBY", "h", "z", str(LLONG_MIN))
    d.check("HINCRBY", "h", "z", "-1")
    check_contents(d, "h")
    d.check("HINCRBY", "new", "f", "x")
    d.check("EXISTS", "new")


def test_hincrbyfloat(differ):
    d = differ
    for incr in (b"1.5", b"-0.25", b"0.1", b"0.2", b"3", b"1e10", b"-1e-10",
                 b"10.00", b"5e-324", b"1.7976931348623157e308", b"-1e308",
                 b"0x10", b"1e400", b".5", b"5.", b"-0"):
        d.check("HINCRBYFLOAT", "h", "f", incr)
        d.check("HGET", "h", "f")
    for bad in (b"x", b"", b" 1", b"1 ", b"nan", b"NaN", b"inf", b"-inf",
                b"+inf", b"Infinity", b"1e5000", b"1,5", b"1\x00x", b"1\x00"):
        d.check("HINCRBYFLOAT", "h", "g", bad)
    d.check("EXISTS", "nokey")
    d.check("HINCRBYFLOAT", "nokey", "f", "inf")
    d.check("EXISTS", "nokey")
    for stored in (b"abc", b"", b" 1", b"1 ", b"nan", b"inf", b"-inf", b"1e5",
                   b"0x1p3", b"2\x00z", b"1" * 5200, b"7", str(LLONG_MIN).encode()):
        d.check("HSET", "h", "s", stored)
        d.check("HINCRBYFLOAT", "h", "s", "1.5")
        d.check("HGET", "h", "s")
    d.check("HSET", "h", "big", "1.7976931348623157e308")
    d.check("HINCRBYFLOAT", "h", "big", "1.7976931348623157e308")
    # Results that are integers are stored as listpack integers.
    d.check("HSET", "k", "a", "10.5")
    d.check("HINCRBYFLOAT", "k", "a", "-0.5")
    d.check("HINCRBY", "k", "a", "1")
    check_contents(d, "k")
    encoding(d, "k")


def test_hincrbyfloat_long_results_convert(differ):
    """A result longer than hash-max-listpack-value turns the listpack
    into a hashtable, as do HINCRBY* on a too-long field name."""
    d = differ
    d.check("HSET", "h", "a", "1")
    d.check("HINCRBYFLOAT", "h", "a", "1e100")
    encoding(d, "h")
    d.check("HGET", "h", "a")
    d.check("HSET", "h2", "a", "1")
    d.check("HINCRBY", "h2", "f" * 65, "1")
    encoding(d, "h2")
    d.check("HSET", "h3", "a", "1")
    d.check("HINCRBYFLOAT", "h3", "f" * 64, "1")
    encoding(d, "h3")
    d.check("HINCRBYFLOAT", "h3", "g" * 65, "1")
    encoding(d, "h3")


# ---------------------------------------------------------------- encodings


def test_entries_threshold(differ):
    d = differ
    fill(d, "h", 512)
    assert encoding(d, "h") == b"listpack"
    check_contents(d, "h")
    d.check("HSET", "h", "f0", "updated")       # update: no new entry
    encoding(d, "h")
    d.check("HSET", "h", "extra", "1")          # 513 fields
    assert encoding(d, "h") == b"hashtable"
    check_contents(d, "h")
    # Never back, even when small again.
    d.check("HDEL", "h", *[f"f{i}" for i in range(500)])
    encoding(d, "h")
    check_contents(d, "h")
    # Several fields in one HSET crossing the limit.
    fill(d, "m", 510)
    d.check("HSET", "m", "x1", "1", "x2", "2", "x3", "3")
    encoding(d, "m")
    # HSETNX adding the 513th field.
    fill(d, "n", 512)
    d.check("HSETNX", "n", "f1", "v")
    encoding(d, "n")
    d.check("HSETNX", "n", "new", "v")
    encoding(d, "n")
    # HINCRBY adding the 513th field.
    fill(d, "i", 512)
    d.check("HINCRBY", "i", "counter", "1")
    encoding(d, "i")


def test_value_threshold(differ):
    d = differ
    for n in (63, 64):
        d.check("HSET", f"f{n}", "x" * n, "v")
        d.check("HSET", f"v{n}", "f", "y" * n)
    d.check("HSET", "f65", "x" * 65, "v")
    d.check("HSET", "v65", "f", "y" * 65)
    for k in ("f63", "f64", "v63", "v64", "f65", "v65"):
        encoding(d, k)
    # Lengths are checked on every argument before anything is written:
    # even an update of an existing field converts.
    d.check("HSET", "a", "f", "1", "g", "2")
    d.check("HSET", "a", "f", "z" * 65)
    encoding(d, "a")
    check_contents(d, "a")
    # HSETNX checks lengths only when it sets: an existing field keeps the
    # listpack.
    d.check("HSET", "b", "f", "1")
    d.check("HSETNX", "b", "f", "z" * 65)
    encoding(d, "b")
    d.check("HGET", "b", "f")
    d.check("HSET", "c", "f", "1")
    d.check("HSETNX", "c", "g" * 65, "1")
    encoding(d, "c")
    # HMSET with one long value among short ones.
    d.check("HMSET", "e", "a", "1", "b", "x" * 100, "c", "3")
    encoding(d, "e")
    check_contents(d, "e")
    # Integers count by their text length.
    d.check("HSET", "i", "f", "1" * 19)
    encoding(d, "i")


def test_config_thresholds(differ):
    d = differ
    d.check("CONFIG", "SET", "hash-max-listpack-entries", "0")
    d.check("HSET", "z", "f", "v")
    encoding(d, "z")
    d.check("CONFIG", "SET", "hash-max-listpack-entries", "1")
    d.check("HSET", "one", "f", "v")
    encoding(d, "one")
    d.check("HSET", "one", "g", "v")
    encoding(d, "one")
    d.check("CONFIG", "SET", "hash-max-listpack-entries", "4")
    d.check("CONFIG", "SET", "hash-max-listpack-value", "3")
    d.check("HSET", "s", "abc", "def", "a", "b")
    encoding(d, "s")
    d.check("HSET", "s", "abcd", "e")
    encoding(d, "s")
    d.check("HSET", "t", "a", "1", "b", "2", "c", "3", "d", "4")
    encoding(d, "t")
    d.check("HSET", "t", "e", "5")
    encoding(d, "t")
    d.check("CONFIG", "SET", "hash-max-listpack-value", "0")
    d.check("HSET", "u", "", "")
    encoding(d, "u")
    d.check("HSET", "u", "", "1")
    encoding(d, "u")
    # Raising the limits converts nothing back.
    d.check("CONFIG", "SET", "hash-max-listpack-entries", "512")
    d.check("CONFIG", "SET", "hash-max-listpack-value", "64")
    d.check("HDEL", "t", "a", "b", "c")
    encoding(d, "t")
    d.check("CONFIG", "GET", "hash-max-*")
    d.check("CONFIG", "GET", "hash-max-ziplist-*")
    d.check("CONFIG", "SET", "hash-max-ziplist-entries", "3")
    d.check("HSET", "w", "a", "1", "b", "2", "c", "3", "d", "4")
    encoding(d, "w")


def test_hashtable_many_fields(differ):
    """A large hashtable hash: every field readable, counts right, updates
    and deletes while the table grows and shrinks."""
    d = differ
    fill(d, "h", 5000, batch=500)
    d.check("HLEN", "h")
    d.check("HMGET", "h", *[f"f{i}" for i in range(0, 5000, 37)], "nope")
    fill(d, "h", 5000, fmt_value="w{}", batch=500)
    d.check("HDEL", "h", *[f"f{i}" for i in range(0, 5000, 2)])
    d.check("HLEN", "h")
    check_contents(d, "h")
    d.check("HDEL", "h", *[f"f{i}" for i in range(1, 5000, 2)])
    d.check("EXISTS", "h")


# ---------------------------------------------------------------- copies


def test_copy_and_rename(differ):
    """COPY duplicates both encodings deeply; RENAME/MOVE carry them."""
    d = differ
    d.check("HSET", "lp", "a", "1", "b", "x" * 20, "c", "-5")
    fill(d, "ht", 600, fmt_value="value-{}")
    d.check("HSET", "ht", "short", "abc", "long", "L" * 300)
    for src in ("lp", "ht"):
        d.check("COPY", src, src + ":copy")
        encoding(d, src + ":copy")
        check_contents(d, src + ":copy")
        d.check("HSET", src + ":copy", "a", "changed")
        d.check("HDEL", src + ":copy", "b", "short")
        d.check("HGET", src, "a")
        d.check("HLEN", src)
        d.check("DEL", src)
        check_contents(d, src + ":copy")
        d.check("RENAME", src + ":copy", src + ":renamed")
        check_contents(d, src + ":renamed")
        d.check("COPY", src + ":renamed", src + ":db1", "DB", "1")
        d.check("SELECT", "1")
        check_contents(d, src + ":db1")
        d.check("SELECT", "0")
        d.check("UNLINK", src + ":renamed")


# ---------------------------------------------------------------- HRANDFIELD


def test_hrandfield_errors(differ):
    d = differ
    d.check("HSET", "h", "a", "1", "b", "2")
    # (A count of -LONG_MAX without WITHVALUES is valid and asks for that
    # many picks: not something to send.)
    for args in (["x"], [""], ["1.5"], [str(LLONG_MIN)], [str(LLONG_MAX)], ["9223372036854775808"],
                 ["1", "WITHVALUE"], ["1", "withvalues", "x"], ["1", "x", "y"],
                 [str(LONG_MAX // 2 + 1), "WITHVALUES"],
                 [str(-(LONG_MAX // 2) - 1), "WITHVALUES"],
                 [str(LONG_MAX // 2), "withvalues"], ["x", "BAD"],
                 ["0"], ["0", "WITHVALUES"], ["-0"]):
        d.check("HRANDFIELD", "h", *args)
    for args in ([], ["0"], ["5"], ["-5"], ["5", "WITHVALUES"], ["x"],
                 [str(LLONG_MIN)]):
        d.check("HRANDFIELD", "nokey", *args, mode=EXACT)


def _check_random_reply(reply, contents, count, withvalues, resp_version):
    """A HRANDFIELD reply is right for a hash with these contents."""
    size = len(contents)
    if count is None:
        assert reply.kind == resp.BULK and reply.value in contents, reply
        return
    assert reply.kind == resp.ARRAY, reply
    items = list(reply.value)
    if withvalues and resp_version == 3:
        pairs = []
        for p in items:
            assert p.kind == resp.ARRAY and len(p.value) == 2, p
            pairs.append((p.value[0].value, p.value[1].value))
    elif withvalues:
        vals = [x.value for x in items]
        pairs = list(zip(vals[0::2], vals[1::2]))
        assert len(vals) % 2 == 0
    else:
        pairs = [(x.value, contents.get(x.value)) for x in items]
    for f, v in pairs:
        assert f in contents, f
        assert v == contents[f], (f, v)
    fields = [f for f, _ in pairs]
    if count >= 0:
        assert len(fields) == min(count, size)
        assert len(set(fields)) == len(fields), "repeated field for a positive count"
    else:
        assert len(fields) == -count


def check_hrandfield(differ, key, count=None, withvalues=False, resp_version=2):
    args = ["HRANDFIELD", key]
    if count is not None:
        args.append(str(count))
    if withvalues:
        args.append("WITHVALUES")
    replies = both(differ, *args)
    assert shape(replies["shoal"]) == shape(replies["redis"]), replies
    for side in differ.SIDES:
        contents = hash_contents(differ.conns[side], key)
        _check_random_reply(replies[side], contents, count, withvalues, resp_version)
    return replies


@pytest.mark.parametrize("proto", [2, 3])
def test_hrandfield_semantics(differ, proto):
    d = differ
    if proto == 3:
        resp3(d)
    d.check("HSET", "lp", *[x for i in range(20) for x in (f"f{i}", str(i * 3))])
    fill(d, "ht", 700, fmt_value="{}")
    d.check("HSET", "one", "only", "v")
    for key in ("lp", "ht", "one"):
        size = {"lp": 20, "ht": 700, "one": 1}[key]
        counts = [None, 1, 2, 5, -1, -5, -50, size - 1, size, size + 1,
                  size // 3, size // 3 + 1, size // 2, 1000, -1000]
        for count in counts:
            if count is not None and count == 0:
                continue
            for wv in ((False, True) if count is not None else (False,)):
                check_hrandfield(d, key, count, wv, proto)
    # Asking for at least the whole listpack hash returns it in order.
    for args in (["20"], ["21"], ["100", "WITHVALUES"]):
        d.check("HRANDFIELD", "lp", *args, mode=EXACT)
    d.check("HRANDFIELD", "one", "-3", "WITHVALUES", mode=EXACT)
    d.check("HRANDFIELD", "one", "1", mode=EXACT)


def test_hrandfield_distribution(differ):
    """Many single picks reach every field of both encodings (a fixed
    generator or a stuck index would not)."""
    d = differ
    d.check("HSET", "lp", *[x for i in range(8) for x in (f"f{i}", "v")])
    fill(d, "ht", 600)
    for key, size in (("lp", 8), ("ht", 600)):
        conn = d.conns["shoal"]
        seen = set()
        for _ in range(20):
            r = conn.call("HRANDFIELD", key, "-200")
            seen |= {x.value for x in r.value}
        assert len(seen) > size * 0.9, (key, len(seen))
        r = conn.call("HRANDFIELD", key, str(size // 2))
        assert len({x.value for x in r.value}) == size // 2


# ---------------------------------------------------------------- HSCAN


def test_hscan_errors(differ):
    d = differ
    d.check("HSET", "h", "a", "1")
    for args in (["x"], [" 1"], ["1 "], ["-1"], ["18446744073709551615"],
                 ["18446744073709551616"], [""], ["+5"],
                 ["0", "COUNT"], ["0", "COUNT", "0"], ["0", "COUNT", "-1"],
                 ["0", "COUNT", "x"], ["0", "MATCH"], ["0", "TYPE", "string"],
                 ["0", "NOVALUES"], ["0", "BAD", "x"], ["0", "count", "1", "match"],
                 ["0", "COUNT", "9223372036854775807"]):
        d.check("HSCAN", "h", *args, mode=EXACT)
        d.check("HSCAN", "nokey", *args, mode=EXACT)


def test_hscan_listpack(differ):
    """A listpack hash is returned whole in one call, in order, cursor 0;
    MATCH filters on fields (integers matched by their digits)."""
    d = differ
    d.check("HSET", "h", "alpha", "1", "beta", "2", "12", "x", "120", "y",
            "", "empty", "a*b", "star", b"\x00bin", b"\xff")
    for opts in ([], ["COUNT", "1"], ["MATCH", "a*"], ["MATCH", "1*"],
                 ["MATCH", "*"], ["MATCH", "nothing"], ["MATCH", "a\\*b"],
                 ["MATCH", "[ab]*", "COUNT", "2"], ["match", "?2?"],
                 ["MATCH", ""], ["MATCH", "*", "MATCH", "b*"]):
        d.check("HSCAN", "h", "0", *opts, mode=EXACT)
        d.check("HSCAN", "h", "12345", *opts, mode=EXACT)


@pytest.mark.parametrize("count", [None, 1, 3, 10, 100, 10000])
def test_hscan_hashtable(differ, count):
    """A full iteration returns every field with its value on both sides;
    small counts take several calls."""
    d = differ
    fill(d, "h", 1000, fmt_value="val{}")
    opts = [] if count is None else ["COUNT", str(count)]
    expected = {f"f{i}".encode(): f"val{i}".encode() for i in range(1000)}
    for side in d.SIDES:
        seen, calls = hscan_all(d.conns[side], "h", *opts)
        assert dict(seen) == expected
        if count is not None and count <= 10:
            assert calls > 10, (side, calls)
        if count == 10000:
            assert calls == 1
    for side in d.SIDES:
        seen, _ = hscan_all(d.conns[side], "h", "MATCH", "f1*", *opts)
        assert dict(seen) == {k: v for k, v in expected.items() if k.startswith(b"f1")}
    d.check("HSCAN", "h", "0", "COUNT", "100000", normalize=hscan_sorted, mode=EXACT)


# ---------------------------------------------------------------- RESP3


def test_resp3_replies(differ):
    d = differ
    resp3(d)
    d.check("HSET", "h", "a", "1", "b", "2.5", "c", "")
    d.check("HGETALL", "h", mode=EXACT)
    d.check("HGETALL", "nokey", mode=EXACT)
    d.check("HKEYS", "h", mode=EXACT)
    d.check("HVALS", "nokey", mode=EXACT)
    d.check("HGET", "h", "a")
    d.check("HGET", "h", "nope")
    d.check("HGET", "nokey", "a")
    d.check("HMGET", "h", "a", "nope")
    d.check("HMGET", "nokey", "a")
    d.check("HEXISTS", "h", "a")
    d.check("HINCRBYFLOAT", "h", "b", "1")
    d.check("HINCRBY", "h", "a", "1")
    d.check("HRANDFIELD", "nokey")
    d.check("HRANDFIELD", "nokey", "3", "WITHVALUES", mode=EXACT)
    d.check("HRANDFIELD", "h", "0", "WITHVALUES", mode=EXACT)
    d.check("HRANDFIELD", "h", "10", "WITHVALUES", mode=EXACT)
    d.check("HSCAN", "h", "0", mode=EXACT)
    d.check("HSCAN", "nokey", "0", mode=EXACT)
    fill(d, "ht", 600)
    d.check("HGETALL", "ht")
    d.check("HSCAN", "ht", "0", "COUNT", "100000", normalize=hscan_sorted, mode=EXACT)


# ---------------------------------------------------------------- side effects


def test_dirty_counting(differ):
    """rdb_changes_since_last_save grows as in Redis: one per field set
    (even unchanged), one per field deleted, none for no-ops and errors."""
    commands = [
        ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a", "1"],
        ["HMSET", "h", "a", "1", "c", "3", "d", "4"], ["HSETNX", "h", "a", "x"],
        ["HSETNX", "h", "e", "x"], ["HDEL", "h", "zz"], ["HDEL", "h", "a", "b", "zz"],
        ["HDEL", "nokey", "a"], ["HINCRBY", "h", "n", "2"], ["HINCRBY", "h", "e", "1"],
        ["HINCRBY", "h", "n", "x"], ["HINCRBYFLOAT", "h", "n", "1.5"],
        ["HINCRBYFLOAT", "h", "e", "1"], ["HGET", "h", "n"], ["HGETALL", "h"],
        ["HRANDFIELD", "h", "-3"], ["HSCAN", "h", "0"],
        ["HDEL", "h", "c", "d", "e", "n"], ["HSET", "s", "f", "v", "f", "w"],
    ]
    conns = differ.conns
    for cmd in commands:
        before = {s: info_field(conns[s], "persistence", "rdb_changes_since_last_save")
                  for s in differ.SIDES}
        differ.check(*cmd)
        delta = {s: info_field(conns[s], "persistence", "rdb_changes_since_last_save")
                 - before[s] for s in differ.SIDES}
        assert delta["shoal"] == delta["redis"], (cmd, delta)


def test_keyspace_hits_misses(differ):
    """Reads count hits and misses; writes (HSET, HDEL, HINCRBY...) don't."""
    commands = [
        ["HGET", "h", "a"], ["HSET", "h", "a", "1"], ["HGET", "h", "a"],
        ["HGET", "h", "zz"], ["HMGET", "h", "a", "b"], ["HMGET", "x", "a"],
        ["HLEN", "h"], ["HSTRLEN", "x", "a"], ["HEXISTS", "h", "a"],
        ["HGETALL", "h"], ["HKEYS", "x"], ["HVALS", "h"], ["HRANDFIELD", "h"],
        ["HRANDFIELD", "x", "2"], ["HSCAN", "h", "0"], ["HSCAN", "x", "0"],
        ["HSETNX", "h", "a", "1"], ["HINCRBY", "h", "n", "1"],
        ["HINCRBYFLOAT", "h", "n", "1"], ["HDEL", "h", "n"], ["HDEL", "x", "n"],
    ]
    conns = differ.conns
    for cmd in commands:
        before = {s: (info_field(conns[s], "stats", "keyspace_hits"),
                      info_field(conns[s], "stats", "keyspace_misses"))
                  for s in differ.SIDES}
        differ.check(*cmd)
        after = {s: (info_field(conns[s], "stats", "keyspace_hits"),
                     info_field(conns[s], "stats", "keyspace_misses"))
                 for s in differ.SIDES}
        delta = {s: (after[s][0] - before[s][0], after[s][1] - before[s][1])
                 for s in differ.SIDES}
        assert delta["shoal"] == delta["redis"], (cmd, delta)


def test_expired_hash(differ):
    d = differ
    d.check("HSET", "h", "a", "1")
    d.check("PEXPIRE", "h", "1")
    time.sleep(0.02)
    d.check("HGET", "h", "a")
    d.check("HSETNX", "h", "a", "2")
    d.check("HGETALL", "h")
    d.check("TTL", "h")


def test_pipelined(differ):
    commands = []
    for i in range(400):
        commands += [["HINCRBY", f"c:{i % 7}", f"f{i % 13}", str(i)],
                     ["HSET", f"h:{i % 5}", f"f{i % 17}", str(i * 31)],
                     ["HGET", f"h:{i % 5}", f"f{(i * 7) % 17}"],
                     ["HDEL", f"h:{i % 5}", f"f{(i * 3) % 17}"]]
    commands += [["HGETALL", f"c:{i}"] for i in range(7)]
    differ.check_pipeline(commands)


# ---------------------------------------------------------------- random

FIELDS = [b"a", b"b", b"c", b"f1", b"f2", b"1", b"2", b"-3", b"", b"\x00",
          b"long" + b"x" * 61, b"counter", b"flt"]


def _field(g):
    return g.pick(FIELDS)


def _value(g):
    if g.chance(0.3):
        return str(g.rng.randint(-100, 100)).encode()
    return g.value()


def gen_hset(g):
    args = []
    for _ in range(g.rng.randint(1, 4)):
        args += [_field(g), _value(g)]
    return [g.name(g.pick(["HSET", "HMSET"])), g.key()] + args


def gen_hsetnx(g):
    return ["HSETNX", g.key(), _field(g), _value(g)]


def gen_read(g):
    k = g.key()
    return g.pick([["HGET", k, _field(g)], ["HEXISTS", k, _field(g)],
                   ["HSTRLEN", k, _field(g)], ["HLEN", k], ["HGETALL", k],
                   ["HKEYS", k], ["HVALS", k], ["OBJECT", "ENCODING", k],
                   ["HMGET", k] + [_field(g) for _ in range(g.rng.randint(1, 4))]])


def gen_hdel(g):
    return ["HDEL", g.key()] + [_field(g) for _ in range(g.rng.randint(1, 3))]


def gen_hincrby(g):
    return ["HINCRBY", g.key(), g.pick([b"counter", _field(g)]), g.int_arg()]


def gen_hincrbyfloat(g):
    incr = g.pick(FLOATS) if g.chance(0.7) else g.int_arg()
    return ["HINCRBYFLOAT", g.key(), g.pick([b"flt", _field(g)]), incr]


def gen_hrandfield(g):
    args = ["HRANDFIELD", g.key()]
    if g.chance(0.7):
        # Not int_arg(): a huge negative count (-9223372036854775807) makes
        # both servers stream an endless reply until memory runs out.
        args.append(str(g.rng.randint(-30, 30)).encode() if g.chance(0.9)
                    else g.pick([b"0", b"-1", b"1000000", b"9223372036854775807",
                                 b"-9223372036854775808", b"abc", b"1.5"]))
        if g.chance(0.5):
            args.append(g.pick([b"WITHVALUES", b"withvalues", b"nope"]))
    return args


def gen_hscan(g):
    args = ["HSCAN", g.key(), b"0", b"COUNT", b"1000"]
    if g.chance(0.3):
        args += [b"MATCH", g.pick([b"f*", b"*", b"?", b"[a-c]", b"long*"])]
    return args


def gen_other(g):
    return g.pick([["DEL", g.key()], ["SET", g.key(), "s"], ["TYPE", g.key()],
                   ["EXISTS", g.key()], ["COPY", g.key(), g.key(), "REPLACE"]])


GENERATORS = [(gen_hset, 6), (gen_hsetnx, 2), (gen_read, 8), (gen_hdel, 3),
              (gen_hincrby, 2), (gen_hincrbyfloat, 2), (gen_hrandfield, 2),
              (gen_hscan, 1), (gen_other, 1)]

def _random_differ(differ):
    from differential.diff import RULES
    rules = dict(RULES)
    rules["HSCAN"] = Rule(EXACT, hscan_sorted)
    differ.rules = rules
    return differ


def test_random(differ):
    run_random(_random_differ(differ), GENERATORS, n=3000, keyspace=5)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_small_thresholds(differ, seed):
    """Low thresholds so that conversions happen all the time."""
    differ.check("CONFIG", "SET", "hash-max-listpack-entries", "6")
    differ.check("CONFIG", "SET", "hash-max-listpack-value", "8")
    run_random(_random_differ(differ), GENERATORS, n=2000, seed=seed, keyspace=5)


def test_random_resp3(differ):
    resp3(differ)
    run_random(_random_differ(differ), GENERATORS, n=2000, seed=33, keyspace=5)


# ---------------------------------------------------------------- memory


def _jemalloc(conn):
    text = conn.call("INFO", "memory").value.decode()
    return "mem_allocator:jemalloc" in text


def _used(client):
    return client.info("memory")["used_memory"]


def test_instagram_pattern(shoal):
    """Instagram's bucketing: 1,000,000 small values as 1,000 hashes of
    1,000 fields (with hash-max-listpack-entries raised to 1024 as they
    did) take far less memory than 1,000,000 string keys."""
    if not _jemalloc(shoal.raw()):
        pytest.skip("memory ratios need the jemalloc (release) build")
    r = shoal.client()
    r.config_set("hash-max-listpack-entries", 1024)
    p = r.pipeline(transaction=False)
    base = _used(r)
    for i in range(1_000_000):
        p.set(f"media:{i}", str(1_000_000 + i * 7))
        if i % 10_000 == 9_999:
            p.execute()
    p.execute()
    strings = _used(r) - base
    r.flushall()
    base = _used(r)
    for b in range(1000):
        p.hset(f"media:{b}", mapping={str(j): str(1_000_000 + (b * 1000 + j) * 7)
                                      for j in range(1000)})
        if b % 10 == 9:
            p.execute()
    p.execute()
    hashes = _used(r) - base
    assert r.object("encoding", "media:7") == b"listpack"
    assert r.hget("media:123", "456") == str(1_000_000 + 123456 * 7).encode()
    ratio = hashes / strings
    print(f"instagram pattern: strings {strings} B, hashes {hashes} B, ratio {ratio:.3f}")
    assert ratio < 0.5


def test_memory_vs_redis(pair):
    """The bench's two hash data sets, filled through pipelines: one hash
    of 1,000,000 fields (hashtable) and 100,000 hashes of 10 fields
    (listpack). shoal's used_memory must not exceed redis-server's."""
    if not _jemalloc(pair.shoal.raw()) or not _jemalloc(pair.redis.raw()):
        pytest.skip("memory ratios need jemalloc on both sides")
    results = {}
    for name, server in (("shoal", pair.shoal), ("redis", pair.redis)):
        r = server.client()
        p = r.pipeline(transaction=False)
        for i in range(1_000_000):
            p.hset("big", f"field:{i}", f"value:{i}")
            if i % 10_000 == 9_999:
                p.execute()
        p.execute()
        big = _used(r)
        assert r.object("encoding", "big") == b"hashtable"
        r.flushall()
        for i in range(100_000):
            p.hset(f"user:{i}", mapping={f"f{j}": f"value{i + j}" for j in range(10)})
            if i % 1000 == 999:
                p.execute()
        p.execute()
        small = _used(r)
        assert r.object("encoding", "user:5") == b"listpack"
        results[name] = (big, small)
    big_ratio = results["shoal"][0] / results["redis"][0]
    small_ratio = results["shoal"][1] / results["redis"][1]
    print(f"hash used_memory vs redis: 1M fields {big_ratio:.3f}, "
          f"100k x 10 fields {small_ratio:.3f}")
    assert big_ratio <= 1.0
    assert small_ratio <= 1.0
