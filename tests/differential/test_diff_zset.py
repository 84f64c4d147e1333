"""Differential tests of the sorted set commands (shard/t_zset.c,
shard/t_zset_ops.c): ZADD (every option and conflict), ZINCRBY, ZSCORE,
ZMSCORE, ZCARD, ZCOUNT, ZLEXCOUNT, ZRANGE (BYSCORE/BYLEX/REV/LIMIT/
WITHSCORES), ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
ZREVRANGEBYLEX, ZREVRANGE, ZRANK, ZREVRANK, ZREM, ZREMRANGEBYRANK/SCORE/
LEX, ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, ZUNION, ZINTER,
ZDIFF, their STORE forms, ZINTERCARD, ZRANDMEMBER and ZSCAN, in RESP2 and
RESP3, over both encodings (listpack, skiplist) and their conversion
thresholds, plus a seeded random sequence. Replies must equal
redis-server's byte for byte, except random picks (ZRANDMEMBER: shape and
membership) and ZSCAN of skiplists (complete coverage). DIFF_SELFTEST=1
points both sides at redis-server to check the tests themselves."""

import os
import socket
import time

import pytest

from differential.diff import TYPE_ONLY, Gen, resolve_seed
from lib import resp
from lib.resp import Reply

LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808
WRONGTYPE = b"WRONGTYPE Operation against a key holding the wrong kind of value"

# ---------------------------------------------------------------- helpers


def shoal_supports(differ, *command):
    """Run `command` on the shoal side only; False if shoal doesn't have it
    yet (unknown command or a stub), so a test can skip that part."""
    reply = differ.conns["shoal"].call(*command)
    if reply.is_error:
        text = reply.value if isinstance(reply.value, bytes) else b""
        if b"not implemented" in text or b"unknown command" in text:
            return False
    return True


def resp3(differ):
    """Switch both connections to RESP3, or skip if shoal lacks HELLO."""
    if not shoal_supports(differ, "HELLO", "3"):
        pytest.skip("HELLO is not implemented in shoal yet: RESP3 untested")
    differ.check("HELLO", "3")


def set_protocol(differ, proto):
    if proto == 3:
        resp3(differ)


def both(differ, *command):
    """Run a command on each side without comparing; {side: reply}."""
    return {s: differ.conns[s].call(*command) for s in differ.SIDES}


def config(differ, name, value):
    for reply in both(differ, "CONFIG", "SET", name, str(value)).values():
        assert reply == resp.OK, reply


def use_encoding(differ, encoding):
    """Make new zsets start in `encoding` on both sides."""
    if encoding == "skiplist":
        config(differ, "zset-max-listpack-entries", 0)


def info_field(conn, section, field):
    text = conn.call("INFO", section).value.decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"INFO {section} has no {field}")


def values(reply):
    assert reply.kind in resp.AGGREGATES, reply
    return [r.value for r in reply.value]


def same_zset(differ, key):
    """Whole content (with scores), size, encoding and existence."""
    differ.check("ZRANGE", key, 0, -1, "WITHSCORES")
    differ.check("ZCARD", key)
    differ.check("OBJECT", "ENCODING", key)
    differ.check("EXISTS", key)


def run_all(differ, commands):
    for c in commands:
        differ.check(*c)


ENCODINGS = ["listpack", "skiplist"]
PROTOCOLS = [2, 3]

# ---------------------------------------------------------------- ZADD


ZADD_FLAG_SETS = [
    [], ["NX"], ["XX"], ["CH"], ["INCR"], ["GT"], ["LT"], ["nx"], ["Ch"],
    ["NX", "XX"], ["XX", "NX"], ["GT", "LT"], ["LT", "GT"], ["GT", "NX"],
    ["NX", "LT"], ["GT", "CH"], ["LT", "CH"], ["XX", "CH"], ["NX", "CH"],
    ["XX", "GT"], ["XX", "LT", "CH"], ["INCR", "NX"], ["INCR", "XX"],
    ["INCR", "GT"], ["INCR", "LT"], ["INCR", "CH"], ["NX", "NX"],
    ["GT", "GT", "CH", "CH"], ["INCR", "INCR"],
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_zadd_flags(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    for flags in ZADD_FLAG_SETS:
        for pairs in ([1, "a"], [5, "a"], [0, "a", 3, "b"], [-1, "c"],
                      [1, "a", 1, "a"], ["+inf", "a"], [2, "new"]):
            differ.check("DEL", "z")
            differ.check("ZADD", "z", 1, "a", 2, "b")
            differ.check("ZADD", "z", *flags, *pairs)
            same_zset(differ, "z")
        # On a missing key too (XX creates nothing).
        differ.check("DEL", "z")
        differ.check("ZADD", "z", *flags, 1, "a")
        same_zset(differ, "z")


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_zadd_errors(differ, proto):
    set_protocol(differ, proto)
    differ.check("ZADD", "z", 1, "a")
    cases = [
        ["ZADD", "z"], ["ZADD", "z", 1], ["ZADD", "z", 1, "a", 2],
        ["ZADD", "z", "NX"], ["ZADD", "z", "NX", 1], ["ZADD", "z", "CH", "XX"],
        ["ZADD", "z", "nan", "a"], ["ZADD", "z", "NaN", "a"],
        ["ZADD", "z", "abc", "a"], ["ZADD", "z", "", "a"],
        ["ZADD", "z", " 1", "a"], ["ZADD", "z", "1 ", "a"],
        ["ZADD", "z", "1e400", "a"], ["ZADD", "z", "-1e400", "a"],
        ["ZADD", "z", "1e-400", "a"], ["ZADD", "z", "1", "a", "x", "b"],
        ["ZADD", "z", "NX", "XX", "x", "a"], ["ZADD", "z", "GT", "LT", 1, "a"],
        ["ZADD", "z", "INCR", 1, "a", 2, "b"], ["ZADD", "z", "INCR", "x", "a"],
        ["ZADD", "z", "FOO", 1, "a"], ["ZADD", "z", 1, "a", "NX"],
        ["ZADD", "z", "XX", "NX", "GT", 1, "a"],
        ["ZADD", "z", "INCR", "+inf", "a"], ["ZADD", "z", "INCR", "-inf", "a"],
        ["ZADD", "z", "INCR", "+inf", "a"],
        ["ZINCRBY", "z", "nan", "a"], ["ZINCRBY", "z", "abc", "a"],
        ["ZINCRBY", "z", "nx", "a"], ["ZINCRBY", "z", "incr", "a"],
        ["ZINCRBY", "z", "-inf", "a"], ["ZINCRBY", "z", "+inf", "a"],
        ["ZINCRBY", "z", "1", "a"], ["ZINCRBY", "z"], ["ZINCRBY", "z", 1],
    ]
    for c in cases:
        differ.check(*c)
        same_zset(differ, "z")
    # NaN halfway through: the members before it stay added.
    differ.check("ZADD", "n", 1, "a", 2, "b")
    differ.check("ZINCRBY", "n", "inf", "a")
    differ.check("ZADD", "n", "INCR", "-inf", "a")
    same_zset(differ, "n")


def test_zadd_score_formats(differ):
    scores = ["0", "-0", "+0", "1", "-1", "1.5", "0.1", "1e10", "1E10",
              "1e17", "-1e17", "1e300", "-1e-300", "5e-324", "0x10", "0X1p3",
              "1.7976931348623157e308", "inf", "-inf", "+inf", "Inf",
              "infinity", "-Infinity", "4611686018427387903",
              "4611686018427387904", "4611686018427387905",
              "9007199254740993", "-4611686018427387904", "123456789.125",
              ".5", "5.", "00012", "-00.5e1"]
    for encoding in ENCODINGS:
        differ.check("FLUSHALL")
        use_encoding(differ, encoding)
        for i, s in enumerate(scores):
            differ.check("ZADD", "z", s, f"m{i}")
            differ.check("ZSCORE", "z", f"m{i}")
            differ.check("ZINCRBY", "w", s, "x")
        differ.check("ZRANGE", "z", 0, -1, "WITHSCORES")
        # ZSCAN prints scores as stored (listpack) or as SCAN formats them.
        if encoding == "listpack":
            differ.check("ZSCAN", "z", 0, mode="exact")
        else:
            assert zscan_all(differ.conns["shoal"], "z")[0] == \
                zscan_all(differ.conns["redis"], "z")[0]
        differ.check("OBJECT", "ENCODING", "z")
        config(differ, "zset-max-listpack-entries", 128)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_zincrby(differ, proto):
    set_protocol(differ, proto)
    run_all(differ, [
        ["ZINCRBY", "z", 1, "a"], ["ZINCRBY", "z", 1.5, "a"],
        ["ZINCRBY", "z", -2.5, "a"], ["ZINCRBY", "z", 0, "a"],
        ["ZINCRBY", "z", "1e308", "a"], ["ZINCRBY", "z", "1e308", "a"],
        ["ZINCRBY", "z", "-inf", "b"], ["ZINCRBY", "z", "inf", "b"],
        ["ZINCRBY", "z", 5, "b"], ["ZRANGE", "z", 0, -1, "WITHSCORES"],
        ["SET", "s", "x"], ["ZINCRBY", "s", 1, "a"],
    ])


def test_wrongtype_everywhere(differ):
    differ.check("SET", "str", "v")
    differ.check("ZADD", "z", 1, "a")
    cmds = [
        ["ZADD", "str", 1, "a"], ["ZINCRBY", "str", 1, "a"],
        ["ZSCORE", "str", "a"], ["ZMSCORE", "str", "a"], ["ZCARD", "str"],
        ["ZCOUNT", "str", 0, 1], ["ZLEXCOUNT", "str", "-", "+"],
        ["ZRANGE", "str", 0, -1], ["ZRANGESTORE", "d", "str", 0, -1],
        ["ZRANGEBYSCORE", "str", 0, 1], ["ZREVRANGEBYSCORE", "str", 1, 0],
        ["ZRANGEBYLEX", "str", "-", "+"], ["ZREVRANGEBYLEX", "str", "+", "-"],
        ["ZREVRANGE", "str", 0, -1], ["ZRANK", "str", "a"],
        ["ZREVRANK", "str", "a"], ["ZREM", "str", "a"],
        ["ZREMRANGEBYRANK", "str", 0, 1], ["ZREMRANGEBYSCORE", "str", 0, 1],
        ["ZREMRANGEBYLEX", "str", "-", "+"], ["ZPOPMIN", "str"],
        ["ZPOPMAX", "str", 2], ["ZMPOP", 1, "str", "MIN"],
        ["ZMPOP", 2, "nokey", "str", "MIN"], ["BZPOPMIN", "str", 0],
        ["BZPOPMAX", "nokey", "str", 0], ["BZMPOP", 0, 1, "str", "MAX"],
        ["ZUNION", 2, "z", "str"], ["ZINTER", 2, "str", "z"],
        ["ZDIFF", 2, "z", "str"], ["ZUNIONSTORE", "d", 2, "z", "str"],
        ["ZINTERSTORE", "d", 1, "str"], ["ZDIFFSTORE", "d", 1, "str"],
        ["ZINTERCARD", 1, "str"], ["ZRANDMEMBER", "str"],
        ["ZRANDMEMBER", "str", 2], ["ZSCAN", "str", 0],
        # WRONGTYPE wins over option errors found later.
        ["ZUNION", 2, "z", "str", "WEIGHTS", "x", "y"],
        ["ZINTERCARD", 2, "z", "str", "LIMIT", -1],
        # Last: a store overwrites a destination of any type (the key
        # stops being a string; earlier, BZPOPMIN would have waited on it).
        ["ZRANGESTORE", "str", "z", 0, -1], ["TYPE", "str"],
    ]
    for c in cmds:
        differ.check(*c)
    differ.check("GET", "str")
    differ.check("EXISTS", "d")
    # Sets of the wrong kind: lists and hashes are refused as inputs.
    if shoal_supports(differ, "LPUSH", "l", "x"):
        differ.conns["redis"].call("LPUSH", "l", "x")
        differ.check("ZUNION", 2, "z", "l")
        differ.check("ZINTERCARD", 2, "z", "l")


# ---------------------------------------------------------------- reads


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_point_reads(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    differ.check("ZADD", "z", 1, "a", 2, "b", 3, "c", "-inf", "lo", "inf",
                 "hi", 2, "bb", 0, "1", 0, "-2", 0, "10")
    for m in ["a", "b", "bb", "c", "lo", "hi", "1", "-2", "10", "nope", "",
              "01", "1.0"]:
        for cmd in ("ZSCORE", "ZRANK", "ZREVRANK"):
            differ.check(cmd, "z", m)
            differ.check(cmd, "nokey", m)
    differ.check("ZMSCORE", "z", "a", "nope", "hi", "lo", "1")
    differ.check("ZMSCORE", "nokey", "a", "b")
    differ.check("ZMSCORE", "z")
    differ.check("ZCARD", "z")
    differ.check("ZCARD", "nokey")
    differ.check("ZCARD", "z", "x")
    differ.check("ZSCORE", "z")
    differ.check("ZRANK", "z")
    # WITHSCORE (Redis 7.2) is served by shoal but not by the 7.0 oracle:
    # see test_zrank_withscore_shoal_only.


def test_zrank_withscore_shoal_only(shoal):
    """ZRANK/ZREVRANK WITHSCORE is a 7.2 addition the oracle lacks."""
    c = shoal.raw()
    info = c.call("COMMAND", "INFO", "zrank").value[0]
    if info.value[1].value == 3:
        pytest.skip("the command table gives zrank arity 3 (7.0): "
                    "WITHSCORE is not reachable")
    c.call("ZADD", "z", 1, "a", 2.5, "b", 3, "c")
    assert c.call("ZRANK", "z", "b", "WITHSCORE") == \
        resp.array(resp.integer(1), resp.bulk("2.5"))
    assert c.call("ZREVRANK", "z", "b", "withscore") == \
        resp.array(resp.integer(1), resp.bulk("2.5"))
    assert c.call("ZRANK", "z", "nope", "WITHSCORE") == resp.NIL_ARRAY
    assert c.call("ZRANK", "nokey", "a", "WITHSCORE") == resp.NIL_ARRAY
    assert c.call("ZRANK", "z", "a", "WITHSCORES") == \
        resp.error("ERR syntax error")
    assert c.call("ZRANK", "z", "a", "WITHSCORE", "x").is_error
    c.call("HELLO", "3")
    assert c.call("ZRANK", "z", "c", "WITHSCORE") == \
        resp.array(resp.integer(2), resp.double("3"))
    assert c.call("ZRANK", "z", "x", "WITHSCORE") == Reply(resp.NULL)


# ---------------------------------------------------------------- ranges

RANK_PAIRS = [(0, -1), (0, 0), (1, 2), (-2, -1), (-100, 100), (5, 1),
              (3, 3), (100, 200), (-1, -2), (0, -100), (-3, 2),
              (LLONG_MIN, LLONG_MAX), (2, LLONG_MAX)]
SCORE_BOUNDS = [("-inf", "+inf"), ("0", "3"), ("(0", "(3"), ("(1", "2"),
                ("1", "(2"), ("2", "1"), ("(2", "2"), ("2", "(2"), ("2", "2"),
                ("-inf", "(1"), ("(-inf", "(+inf"), ("5", "inf"),
                ("-1e300", "1e300"), ("(", "("), ("", "1"), ("0x1", "0x2"),
                (" 1", "2"), ("1\x00x", "2")]
BAD_SCORE_BOUNDS = [("a", "1"), ("1", "b"), ("nan", "1"), ("(nan", "1"),
                    ("1 ", "2"), ("((1", "2"), ("[1", "2"), ("1", "2x")]
LEX_BOUNDS = [("-", "+"), ("[a", "[c"), ("(a", "(c"), ("[b", "+"),
              ("-", "(b"), ("[c", "[a"), ("(b", "[b"), ("[b", "[b"),
              ("+", "-"), ("-", "-"), ("+", "+"), ("[", "("), ("(", "+"),
              ("[aa", "[cc"), ("-\x00x", "+")]
BAD_LEX_BOUNDS = [("a", "+"), ("-", "c"), ("", "+"), ("-x", "+"),
                  ("+a", "-"), ("{a", "[b")]
LIMITS = [[], ["LIMIT", 0, 2], ["LIMIT", 1, 1], ["LIMIT", 1, -1],
          ["LIMIT", -1, 2], ["LIMIT", 0, 0], ["LIMIT", 100, 1],
          ["LIMIT", 2, 100], ["limit", 1, 2]]


def fill_scores(differ, key="z"):
    differ.check("ZADD", key, 1, "a", 1, "b", 2, "c", 2, "d", 2.5, "e",
                 3, "f", "-inf", "lo", "+inf", "hi", 0, "z0", -1, "neg")


def fill_lex(differ, key="l"):
    differ.check("ZADD", key, 0, "a", 0, "aa", 0, "ab", 0, "b", 0, "ba",
                 0, "c", 0, "cc", 0, "d", 0, "", 0, "\x00", 0, "\xff", 0, "1",
                 0, "10", 0, "2")


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_range_by_rank(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    fill_scores(differ)
    for a, b in RANK_PAIRS:
        for opts in ([], ["WITHSCORES"], ["REV"], ["REV", "WITHSCORES"],
                     ["withscores", "rev"]):
            differ.check("ZRANGE", "z", a, b, *opts)
        differ.check("ZREVRANGE", "z", a, b)
        differ.check("ZREVRANGE", "z", a, b, "WITHSCORES")
        differ.check("ZRANGE", "nokey", a, b)
    for c in (["ZRANGE", "z", "a", 1], ["ZRANGE", "z", 0, "1.5"],
              ["ZRANGE", "z", 0, 1, "LIMIT", 0, 1],
              ["ZRANGE", "z", 0, 1, "LIMIT", 0, -1],
              ["ZRANGE", "z", 0, 1, "LIMIT", 0, -5],
              ["ZRANGE", "z", 0, 1, "LIMIT", 0],
              ["ZRANGE", "z", 0, 1, "LIMIT", "x", 1],
              ["ZRANGE", "z", 0, 1, "REV", "REV"],
              ["ZRANGE", "z", 0, 1, "BYSCORE", "BYLEX"],
              ["ZRANGE", "z", 0, 1, "BYLEX", "BYLEX"],
              ["ZRANGE", "z", 0, 1, "FOO"], ["ZRANGE", "z", 0],
              ["ZREVRANGE", "z", 0, 1, "REV"],
              ["ZREVRANGE", "z", 0, 1, "BYSCORE"],
              ["ZREVRANGE", "z", 0, 1, "LIMIT", 0, 1],
              ["ZRANGE", "z", "(1", 2], ["ZRANGE", "z", 0, 1, "WITHSCORES", "x"]):
        differ.check(*c)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_range_by_score(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    fill_scores(differ)
    for lo, hi in SCORE_BOUNDS:
        differ.check("ZCOUNT", "z", lo, hi)
        for limit in LIMITS:
            differ.check("ZRANGEBYSCORE", "z", lo, hi, *limit)
            differ.check("ZRANGEBYSCORE", "z", lo, hi, "WITHSCORES", *limit)
            differ.check("ZREVRANGEBYSCORE", "z", hi, lo, *limit,
                         "WITHSCORES")
            differ.check("ZRANGE", "z", lo, hi, "BYSCORE", *limit)
            differ.check("ZRANGE", "z", hi, lo, "BYSCORE", "REV", *limit,
                         "WITHSCORES")
    for lo, hi in BAD_SCORE_BOUNDS:
        differ.check("ZCOUNT", "z", lo, hi)
        differ.check("ZCOUNT", "nokey", lo, hi)
        differ.check("ZRANGEBYSCORE", "z", lo, hi)
        differ.check("ZRANGEBYSCORE", "nokey", lo, hi)
        differ.check("ZRANGE", "z", lo, hi, "BYSCORE")
        differ.check("ZREMRANGEBYSCORE", "z", lo, hi)
    for c in (["ZRANGEBYSCORE", "z", 0, 1, "BYSCORE"],
              ["ZRANGEBYSCORE", "z", 0, 1, "REV"],
              ["ZRANGEBYSCORE", "z", 0, 1, "LIMIT", 1],
              ["ZRANGEBYSCORE", "z", 0, 1, "LIMIT", 1, "a"],
              ["ZRANGEBYSCORE", "z", "a", 1, "LIMIT", 1, "a"],
              ["ZRANGEBYSCORE", "z", 0, 1, "WITHSCORES", "FOO"],
              ["ZREVRANGEBYSCORE", "z", 1, 0, "BYLEX"],
              ["ZRANGEBYSCORE", "z", 0, 1, "LIMIT", 0, 1, "LIMIT", 1, 1],
              ["ZCOUNT", "nokey", 0, 1], ["ZRANGEBYSCORE", "nokey", 0, 1]):
        differ.check(*c)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_range_by_lex(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    fill_lex(differ)
    for lo, hi in LEX_BOUNDS:
        differ.check("ZLEXCOUNT", "l", lo, hi)
        for limit in LIMITS:
            differ.check("ZRANGEBYLEX", "l", lo, hi, *limit)
            differ.check("ZREVRANGEBYLEX", "l", hi, lo, *limit)
            differ.check("ZRANGE", "l", lo, hi, "BYLEX", *limit)
            differ.check("ZRANGE", "l", hi, lo, "BYLEX", "REV", *limit)
    for lo, hi in BAD_LEX_BOUNDS:
        differ.check("ZLEXCOUNT", "l", lo, hi)
        differ.check("ZLEXCOUNT", "nokey", lo, hi)
        differ.check("ZRANGEBYLEX", "l", lo, hi)
        differ.check("ZRANGE", "l", lo, hi, "BYLEX")
        differ.check("ZREMRANGEBYLEX", "l", lo, hi)
    for c in (["ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"],
              ["ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"],
              ["ZRANGE", "l", "-", "+", "WITHSCORES", "BYLEX"],
              ["ZRANGEBYLEX", "l", "-", "+", "BYLEX"],
              ["ZRANGEBYLEX", "l", "-", "+", "LIMIT", 0],
              ["ZREVRANGEBYLEX", "l", "+", "-", "REV"],
              ["ZRANGEBYLEX", "nokey", "-", "+"], ["ZLEXCOUNT", "nokey", "-", "+"]):
        differ.check(*c)


def test_lex_on_mixed_scores_listpack(differ):
    """Lex ranges over unequal scores are unspecified, but a listpack's
    walk is deterministic: Redis's quirks (bounds checked against the first
    and last element) must show the same way."""
    differ.check("ZADD", "m", 1, "z", 2, "a", 3, "m", 4, "b", 5, "y")
    for lo, hi in LEX_BOUNDS + [("[m", "+"), ("-", "[m"), ("[b", "[y")]:
        differ.check("ZLEXCOUNT", "m", lo, hi)
        differ.check("ZRANGEBYLEX", "m", lo, hi)
        differ.check("ZREVRANGEBYLEX", "m", hi, lo)
    for lo, hi in [("[m", "+"), ("-", "[b"), ("[b", "[y"), ("-", "+")]:
        differ.check("DEL", "m2")
        differ.check("ZADD", "m2", 1, "z", 2, "a", 3, "m", 4, "b", 5, "y")
        differ.check("ZREMRANGEBYLEX", "m2", lo, hi)
        same_zset(differ, "m2")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_zrangestore(differ, encoding):
    use_encoding(differ, encoding)
    fill_scores(differ, "src")
    fill_lex(differ, "lex")
    cases = [
        ["src", 0, -1], ["src", 1, 3], ["src", 3, 1], ["src", 0, -1, "REV"],
        ["src", "-inf", "+inf", "BYSCORE"], ["src", "(1", "3", "BYSCORE"],
        ["src", 3, 1, "BYSCORE", "REV", "LIMIT", 1, 2],
        ["src", 5, 6, "BYSCORE"], ["lex", "[a", "[c", "BYLEX"],
        ["lex", "+", "-", "BYLEX", "REV", "LIMIT", 0, 3],
        ["nokey", 0, -1], ["src", 0, -1, "WITHSCORES"],
        ["src", 0, -1, "LIMIT", 0, 1], ["src", "a", "b", "BYSCORE"],
        ["lex", "a", "b", "BYLEX"], ["src", 0, -1, "BYLEX"],
    ]
    for case in cases:
        differ.check("SET", "dst", "old")
        differ.check("EXPIRE", "dst", 100)
        differ.check("ZRANGESTORE", "dst", *case)
        differ.check("TYPE", "dst")
        differ.check("TTL", "dst")
        same_zset(differ, "dst")
    # Destination = source.
    differ.check("ZRANGESTORE", "src", "src", 1, 2)
    same_zset(differ, "src")
    differ.check("ZRANGESTORE", "dst")
    differ.check("ZRANGESTORE", "dst", "src", 0)


# ---------------------------------------------------------------- writes


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_zrem_and_remrange(differ, encoding):
    use_encoding(differ, encoding)
    for cmd in (["ZREM", "z", "a"], ["ZREM", "z", "a", "a", "b", "nope"],
                ["ZREM", "z", "nope"], ["ZREM", "z", *"abcdef", "lo", "hi",
                                          "z0", "neg"],
                ["ZREM", "nokey", "a"], ["ZREM", "z"]):
        differ.check("DEL", "z")
        fill_scores(differ)
        differ.check(*cmd)
        same_zset(differ, "z")
    for a, b in RANK_PAIRS + [("x", 1), (0, "y")]:
        differ.check("DEL", "z")
        fill_scores(differ)
        differ.check("ZREMRANGEBYRANK", "z", a, b)
        same_zset(differ, "z")
    for lo, hi in SCORE_BOUNDS + BAD_SCORE_BOUNDS:
        differ.check("DEL", "z")
        fill_scores(differ)
        differ.check("ZREMRANGEBYSCORE", "z", lo, hi)
        same_zset(differ, "z")
    for lo, hi in LEX_BOUNDS + BAD_LEX_BOUNDS:
        differ.check("DEL", "l")
        fill_lex(differ)
        differ.check("ZREMRANGEBYLEX", "l", lo, hi)
        same_zset(differ, "l")
    for c in (["ZREMRANGEBYRANK", "nokey", 0, -1],
              ["ZREMRANGEBYSCORE", "nokey", 0, 1],
              ["ZREMRANGEBYLEX", "nokey", "-", "+"],
              ["ZREMRANGEBYRANK", "z", 0], ["ZREMRANGEBYLEX", "l", "-"]):
        differ.check(*c)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_pops(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    for cmd in ("ZPOPMIN", "ZPOPMAX"):
        for count in ([], [0], [1], [2], [100], [-1], ["a"], [1, 2],
                      [LLONG_MAX], ["1.5"]):
            differ.check("DEL", "z")
            fill_scores(differ)
            differ.check(cmd, "z", *count)
            same_zset(differ, "z")
            differ.check(cmd, "nokey", *count)
    fill_scores(differ, "a")
    fill_scores(differ, "b")
    for c in (["ZMPOP", 1, "a", "MIN"], ["ZMPOP", 1, "a", "max"],
              ["ZMPOP", 2, "nokey", "a", "MIN", "COUNT", 3],
              ["ZMPOP", 2, "a", "b", "MAX", "COUNT", 100],
              ["ZMPOP", 3, "nokey", "nokey2", "b", "MIN"],
              ["ZMPOP", 1, "nokey", "MIN"], ["ZMPOP", 0, "a", "MIN"],
              ["ZMPOP", -1, "a", "MIN"], ["ZMPOP", "x", "a", "MIN"],
              ["ZMPOP", 1, "a"], ["ZMPOP", 1, "a", "MID"],
              ["ZMPOP", 2, "a", "MIN"], ["ZMPOP", 5, "a", "b", "MIN"],
              ["ZMPOP", 1, "a", "MIN", "COUNT"],
              ["ZMPOP", 1, "a", "MIN", "COUNT", 0],
              ["ZMPOP", 1, "a", "MIN", "COUNT", -1],
              ["ZMPOP", 1, "a", "MIN", "COUNT", "x"],
              ["ZMPOP", 1, "a", "MIN", "COUNT", 1, "COUNT", 1],
              ["ZMPOP", 1, "a", "MIN", "FOO"],
              ["ZMPOP", LLONG_MAX, "a", "MIN"],
              ["ZMPOP", 1, "b", "MIN", "count", LLONG_MAX]):
        differ.check(*c)
        same_zset(differ, "a")
        same_zset(differ, "b")


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_blocking_pops_immediate(differ, proto):
    set_protocol(differ, proto)
    fill_scores(differ, "a")
    for c in (["BZPOPMIN", "a", 0], ["BZPOPMAX", "a", 0],
              ["BZPOPMIN", "nokey", "a", 0], ["BZPOPMIN", "nokey", 0.01],
              ["BZPOPMAX", "nokey", "0.01"], ["BZPOPMIN", "a", "x"],
              ["BZPOPMIN", "a", -1], ["BZPOPMIN", "a", "inf"],
              ["BZMPOP", 0, 1, "a", "MIN"], ["BZMPOP", 0, 1, "a", "MAX", "COUNT", 3],
              ["BZMPOP", "0.01", 1, "nokey", "MIN"], ["BZMPOP", "x", 1, "a", "MIN"],
              ["BZMPOP", -1, 1, "a", "MIN"], ["BZMPOP", "x", 0, "a", "MIN"],
              ["BZMPOP", 0, 1, "a", "FOO"], ["BZMPOP", "x", 1, "a", "FOO"],
              ["BZMPOP", 0, 1, "a", "MIN", "COUNT", 0],
              ["BZMPOP", 0, 2, "nokey", "a", "MAX", "COUNT", 100]):
        differ.check(*c)
        same_zset(differ, "a")


def _reply_within(conn, seconds):
    try:
        return conn.read_reply(timeout=seconds)
    except (socket.timeout, TimeoutError):
        return None


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_blocking_pops_wakeup(pair, proto):
    """A client waiting on empty zsets is served when another adds."""
    results = {}
    for side, server in (("shoal", pair.shoal), ("redis", pair.redis)):
        waiter, writer = server.raw(), server.raw()
        if proto == 3:
            assert not waiter.call("HELLO", "3").is_error
        got = []
        waiter.send_command("BZPOPMIN", "k1", "k2", 0)
        time.sleep(0.1)
        assert _reply_within(waiter, 0.05) is None
        writer.call("ZADD", "k2", 2, "b", 1, "a")
        got.append(_reply_within(waiter, 5))
        got.append(writer.call("ZRANGE", "k2", 0, -1, "WITHSCORES"))
        waiter.send_command("BZMPOP", 0, 2, "k1", "k3", "MAX", "COUNT", 5)
        time.sleep(0.1)
        writer.call("SET", "k1", "str")  # the wrong type doesn't wake it
        writer.call("ZADD", "k3", 1, "x", 2, "y", 3, "z")
        got.append(_reply_within(waiter, 5))
        got.append(writer.call("EXISTS", "k3"))
        waiter.send_command("BZPOPMAX", "k4", "0.2")
        got.append(_reply_within(waiter, 5))
        # Two waiters on one key: first come, first served.
        other = server.raw()
        waiter.send_command("BZPOPMIN", "k5", 0)
        time.sleep(0.05)
        other.send_command("BZPOPMIN", "k5", 0)
        time.sleep(0.05)
        writer.call("ZADD", "k5", 1, "p", 2, "q")
        got.append(_reply_within(waiter, 5))
        got.append(_reply_within(other, 5))
        results[side] = got
        for c in (waiter, writer, other):
            c.close()
    assert results["shoal"] == results["redis"]


# ---------------------------------------------------------------- algebra


def fill_algebra(differ):
    differ.check("ZADD", "z1", 1, "a", 2, "b", 3, "c", "-inf", "lo")
    differ.check("ZADD", "z2", 10, "b", 20, "c", 30, "d", "+inf", "lo")
    differ.check("ZADD", "z3", 1, "1", 2, "2", 5, "x", 1.5, "b")
    differ.check("ZADD", "zinf", "+inf", "a", "-inf", "b", 0, "c")
    differ.check("SADD", "s1", "a", "d", "e")
    differ.check("SADD", "s2", 1, 2, 3)
    differ.check("SADD", "s3", "b", "x", 2)


ALGEBRA_KEYS = [["z1"], ["z1", "z2"], ["z2", "z1"], ["z1", "z2", "z3"],
                ["z1", "s1"], ["s2", "z3"], ["z3", "s2", "s3"], ["z1", "z1"],
                ["z1", "nokey"], ["nokey", "z1"], ["nokey"], ["s1", "s3"],
                ["zinf", "zinf"], ["zinf", "z1"], ["z1", "z2", "z1"]]
ALGEBRA_OPTS = [[], ["WITHSCORES"], ["AGGREGATE", "MIN", "WITHSCORES"],
                ["AGGREGATE", "max", "WITHSCORES"], ["aggregate", "sum"],
                ["AGGREGATE", "MIN", "AGGREGATE", "MAX", "WITHSCORES"]]


def weights_for(n):
    return [["WEIGHTS"] + ["2", "0.5", "-1"][:n] + ["3"] * max(0, n - 3),
            ["WEIGHTS"] + ["0"] * n, ["WEIGHTS"] + ["inf"] * n,
            ["WEIGHTS"] + ["-inf"] + ["1"] * (n - 1)]


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_union_inter_diff(differ, proto):
    set_protocol(differ, proto)
    fill_algebra(differ)
    for keys in ALGEBRA_KEYS:
        n = len(keys)
        for opts in ALGEBRA_OPTS:
            for w in [[]] + weights_for(n):
                for cmd in ("ZUNION", "ZINTER"):
                    differ.check(cmd, n, *keys, *w, *opts)
                if not w:
                    differ.check("ZDIFF", n, *keys, *opts)
        differ.check("ZINTERCARD", n, *keys)
        for limit in (0, 1, 2, 100):
            differ.check("ZINTERCARD", n, *keys, "LIMIT", limit)


def test_algebra_errors(differ):
    fill_algebra(differ)
    for cmd in ("ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"):
        for args in ([0, "z1"], [-1, "z1"], ["x", "z1"], [3, "z1", "z2"],
                     [LLONG_MAX, "z1"], [2, "z1", "z2", "FOO"],
                     [2, "z1", "z2", "WEIGHTS", 1],
                     [2, "z1", "z2", "WEIGHTS", 1, "x"],
                     [2, "z1", "z2", "WEIGHTS", 1, "nan"],
                     [2, "z1", "z2", "WEIGHTS", 1, 2, 3],
                     [2, "z1", "z2", "AGGREGATE"],
                     [2, "z1", "z2", "AGGREGATE", "AVG"],
                     [2, "z1", "z2", "WITHSCORES", "WITHSCORES"],
                     [2, "z1", "z2", "LIMIT", 1], [2, "z1", "z2", "LIMIT"],
                     [2, "z1", "z2", "LIMIT", -1], [2, "z1", "z2", "LIMIT", "x"],
                     [2, "z1", "z2", "LIMIT", 1, "LIMIT", 2],
                     [1, "z1", "weights", 2, "aggregate", "min"]):
            differ.check(cmd, *args)
    for cmd in ("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"):
        for args in ([0, "z1"], [-1, "z1"], ["x", "z1"], [3, "z1", "z2"],
                     [1, "z1", "WITHSCORES"], [2, "z1", "z2", "LIMIT", 1],
                     [1, "z1", "WEIGHTS", "x"], [1, "z1", "AGGREGATE", "x"]):
            differ.check(cmd, "dst", *args)
            differ.check("EXISTS", "dst")
    differ.check("ZUNIONSTORE", "dst", 1)
    differ.check("ZUNION", 1)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_store_variants(differ, encoding):
    use_encoding(differ, encoding)
    fill_algebra(differ)
    for keys in ALGEBRA_KEYS:
        n = len(keys)
        for cmd, opts in (("ZUNIONSTORE", []), ("ZINTERSTORE", []),
                          ("ZDIFFSTORE", []),
                          ("ZUNIONSTORE", ["AGGREGATE", "MAX"]),
                          ("ZINTERSTORE", weights_for(n)[0])):
            differ.check("SET", "dst", "x")
            differ.check("EXPIRE", "dst", 100)
            differ.check(cmd, "dst", n, *keys, *opts)
            differ.check("TTL", "dst")
            same_zset(differ, "dst")
    # The destination among the sources.
    differ.check("ZUNIONSTORE", "z1", 2, "z1", "z2")
    same_zset(differ, "z1")
    differ.check("ZINTERSTORE", "z2", 2, "z1", "z2", "WEIGHTS", 1, 0)
    same_zset(differ, "z2")
    differ.check("ZDIFFSTORE", "z3", 2, "z3", "z3")
    same_zset(differ, "z3")


# ---------------------------------------------------------------- encodings


def test_encoding_thresholds(differ):
    def add_range(key, lo, hi, width=0):
        args = []
        for i in range(lo, hi):
            args += [i, f"m{i}".ljust(width, "x")]
        differ.check("ZADD", key, *args)

    add_range("z", 0, 128)
    differ.check("OBJECT", "ENCODING", "z")
    add_range("z", 128, 129)
    differ.check("OBJECT", "ENCODING", "z")
    differ.check("ZREMRANGEBYRANK", "z", 0, 100)  # stays a skiplist
    differ.check("OBJECT", "ENCODING", "z")
    differ.check("ZUNIONSTORE", "u", 1, "z")      # the result fits: listpack
    same_zset(differ, "u")
    # Member length: 64 fits, 65 doesn't, on creation and later.
    for key, members in (("v1", ["x" * 64]), ("v2", ["x" * 65]),
                         ("v3", ["a", "x" * 65]), ("v4", ["x" * 65, "a"])):
        args = []
        for i, m in enumerate(members):
            args += [i, m]
        differ.check("ZADD", key, *args)
        same_zset(differ, key)
    # Moved thresholds apply to new insertions.
    for name, value in (("zset-max-listpack-entries", 4),
                        ("zset-max-listpack-value", 3)):
        config(differ, name, value)
        for key, members in (("t1", ["a", "b", "c", "d"]),
                             ("t2", ["a", "b", "c", "d", "e"]),
                             ("t3", ["abc"]), ("t4", ["abcd"]),
                             ("t5", ["ab", "abcd"])):
            differ.check("DEL", key)
            args = []
            for i, m in enumerate(members):
                args += [i, m]
            differ.check("ZADD", key, *args)
            same_zset(differ, key)
        config(differ, "zset-max-listpack-entries", 128)
        config(differ, "zset-max-listpack-value", 64)
    config(differ, "zset-max-listpack-entries", 0)
    differ.check("ZADD", "zero", 1, "a")
    same_zset(differ, "zero")
    differ.check("ZRANGESTORE", "rs", "z", 0, 5)
    same_zset(differ, "rs")
    config(differ, "zset-max-listpack-entries", 3)
    for args in ([0, 2], [0, 3], [0, -1]):
        differ.check("ZRANGESTORE", "rs", "z", *args)
        same_zset(differ, "rs")
        differ.check("ZRANGESTORE", "rs", "z", "-inf", "+inf", "BYSCORE",
                     "LIMIT", *args)
        same_zset(differ, "rs")
    config(differ, "zset-max-listpack-value", 2)
    differ.check("ZADD", "sm", 1, "ab", 2, "cd")
    for cmd in (["ZUNIONSTORE", "o", 1, "sm"], ["ZINTERSTORE", "o", 2, "sm", "sm"],
                ["ZDIFFSTORE", "o", 1, "sm"], ["ZUNIONSTORE", "o", 2, "sm", "v3"],
                ["ZINTERSTORE", "o", 2, "sm", "v3"], ["ZDIFFSTORE", "o", 2, "v3", "sm"]):
        differ.check(*cmd)
        same_zset(differ, "o")


def test_conversion_keeps_content(differ):
    """Grow past the threshold with every kind of member, then shrink."""
    members = ["", "0", "-1", "12", "9223372036854775807", "-9223372036854775808",
               "9223372036854775808", "01", "1.5", "\x00", "\xff\xfe", "a" * 64]
    args = []
    for i, m in enumerate(members):
        args += [(i % 4) - 1.5, m]
    differ.check("ZADD", "z", *args)
    same_zset(differ, "z")
    for i in range(130):
        differ.check("ZADD", "z", i % 7, f"n{i}")
    same_zset(differ, "z")
    for m in members:
        differ.check("ZSCORE", "z", m)
        differ.check("ZRANK", "z", m)
    differ.check("ZREMRANGEBYSCORE", "z", 2, 6)
    same_zset(differ, "z")


def test_big_skiplist(differ):
    """Ranks, ranges and removals deep inside a skiplist of 2000."""
    for base in range(0, 2000, 250):
        args = []
        for i in range(base, base + 250):
            args += [(i * 7919) % 1000 / 8, f"m{i:05d}"]
        differ.check("ZADD", "z", *args)
    differ.check("OBJECT", "ENCODING", "z")
    for m in ("m00000", "m01000", "m01999", "m00777", "nope"):
        differ.check("ZRANK", "z", m)
        differ.check("ZREVRANK", "z", m)
        differ.check("ZSCORE", "z", m)
    for a, b in ((0, 9), (500, 510), (-10, -1), (1990, 3000), (1000, 999)):
        differ.check("ZRANGE", "z", a, b, "WITHSCORES")
        differ.check("ZRANGE", "z", a, b, "REV")
    for lo, hi in (("10", "(12"), ("(100", "+inf"), ("-inf", "0")):
        differ.check("ZCOUNT", "z", lo, hi)
        differ.check("ZRANGE", "z", lo, hi, "BYSCORE", "LIMIT", 3, 5)
        differ.check("ZRANGE", "z", hi, lo, "BYSCORE", "REV", "LIMIT", 2, 4)
    differ.check("ZRANGESTORE", "d", "z", 100, 400)
    same_zset(differ, "d")
    differ.check("ZREMRANGEBYRANK", "z", 100, 300)
    differ.check("ZREMRANGEBYSCORE", "z", "(50", "60")
    differ.check("ZREM", "z", *[f"m{i:05d}" for i in range(0, 2000, 3)])
    differ.check("ZPOPMIN", "z", 10)
    differ.check("ZPOPMAX", "z", 10)
    same_zset(differ, "z")
    differ.check("ZREMRANGEBYRANK", "z", 5, -5)
    same_zset(differ, "z")
    differ.check("ZADD", "z", 1, "back")
    same_zset(differ, "z")


def test_copy_and_dup(differ):
    if not shoal_supports(differ, "COPY", "nokey", "nokey2"):
        pytest.skip("COPY not implemented in shoal")
    fill_scores(differ, "small")
    for i in range(200):
        differ.check("ZADD", "big", i / 3, f"m{i}")
    for src in ("small", "big"):
        differ.check("COPY", src, src + "2")
        same_zset(differ, src + "2")
        differ.check("ZADD", src + "2", 99, "extra")
        differ.check("ZREM", src + "2", "a", "m1")
        same_zset(differ, src)
        same_zset(differ, src + "2")


# ---------------------------------------------------------------- ZRANDMEMBER


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("proto", PROTOCOLS)
def test_zrandmember(differ, encoding, proto):
    use_encoding(differ, encoding)
    set_protocol(differ, proto)
    members = {f"m{i}".encode(): str(i).encode() for i in range(40)}
    for m, s in members.items():
        differ.check("ZADD", "z", s, m)
    for c in (["ZRANDMEMBER", "z", 0], ["ZRANDMEMBER", "nokey"],
              ["ZRANDMEMBER", "nokey", 5], ["ZRANDMEMBER", "nokey", 5, "WITHSCORES"],
              ["ZRANDMEMBER", "z", "x"], ["ZRANDMEMBER", "z", 1, "FOO"],
              ["ZRANDMEMBER", "z", 1, "WITHSCORES", "x"],
              ["ZRANDMEMBER", "z", LLONG_MAX, "WITHSCORES"],
              ["ZRANDMEMBER", "z", -LLONG_MAX, "WITHSCORES"],
              ["ZRANDMEMBER", "z", 4611686018427387904, "WITHSCORES"],
              ["ZRANDMEMBER", "z", -4611686018427387904, "WITHSCORES"],
              ["ZRANDMEMBER", "z", 0, "WITHSCORES"]):
        differ.check(*c, mode="exact")
    conn = differ.conns["shoal"]
    for count in (1, 5, 10, 13, 30, 39, 40, 41, 100, -1, -5, -100):
        for ws in ([], ["WITHSCORES"]):
            differ.check("ZRANDMEMBER", "z", count, *ws)  # shape only
            got = conn.call("ZRANDMEMBER", "z", count, *ws)
            items = got.value
            if ws and proto == 3:
                pairs = [(p.value[0].value, p.value[1].value) for p in items]
            elif ws:
                vals = values(got)
                pairs = list(zip(vals[0::2], vals[1::2]))
            else:
                pairs = [(v, None) for v in values(got)]
            assert len(pairs) == (abs(count) if count < 0 else min(count, 40))
            for m, s in pairs:
                assert m in members
                if s is not None:
                    assert s == members[m]
            if count > 0:
                assert len({m for m, _ in pairs}) == len(pairs), "repeats"
    single = conn.call("ZRANDMEMBER", "z")
    assert single.value in members
    # Every member turns up over enough draws (not a constant pick).
    seen = set(values(conn.call("ZRANDMEMBER", "z", -2000)))
    assert seen == set(members)
    seen = set()
    for _ in range(30):
        seen |= set(values(conn.call("ZRANDMEMBER", "z", 5)))
    assert len(seen) > 20


# ---------------------------------------------------------------- ZSCAN


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_zscan_listpack_exact(differ, proto):
    set_protocol(differ, proto)
    differ.check("ZADD", "z", 1, "a", 2.5, "b", "-inf", "c", 1e17, "d",
                 "-0", "e", 3, "12", 0, "ab")
    for args in ([0], [0, "COUNT", 1], [0, "MATCH", "a*"], [0, "MATCH", "1?"],
                 [0, "match", "*", "count", 100], [0, "MATCH", "nomatch"],
                 [5, "COUNT", 2]):
        differ.check("ZSCAN", "z", *args, mode="exact")
    for args in (["x"], ["-1"], [" 1"], ["1 "], ["18446744073709551616"],
                 [0, "COUNT"], [0, "COUNT", 0], [0, "COUNT", -1],
                 [0, "COUNT", "x"], [0, "MATCH"], [0, "TYPE", "zset"],
                 [0, "FOO", "bar"], ["18446744073709551615"]):
        differ.check("ZSCAN", "z", *args, mode="exact")
        differ.check("ZSCAN", "nokey", *args, mode="exact")


def zscan_all(conn, key, *opts):
    cursor, seen, calls = b"0", {}, 0
    while True:
        reply = conn.call("ZSCAN", key, cursor, *opts)
        cursor = reply.value[0].value
        flat = values(reply.value[1])
        for m, s in zip(flat[0::2], flat[1::2]):
            seen[m] = s
        calls += 1
        if cursor == b"0":
            return seen, calls
        assert calls < 100000


def test_zscan_skiplist_coverage(differ):
    s, r = differ.conns["shoal"], differ.conns["redis"]
    for i in range(0, 3000, 100):
        args = []
        for j in range(i, i + 100):
            args += [j / 4, f"member:{j}"]
        differ.check("ZADD", "z", *args)
    differ.check("OBJECT", "ENCODING", "z")
    mine, calls = zscan_all(s, "z", "COUNT", 50)
    theirs, _ = zscan_all(r, "z", "COUNT", 50)
    assert mine == theirs
    assert calls > 10
    mine, _ = zscan_all(s, "z", "MATCH", "member:1*")
    theirs, _ = zscan_all(r, "z", "MATCH", "member:1*")
    assert mine == theirs
    # Members present throughout are all seen while the zset changes
    # (grows past several resizes, then shrinks) between calls.
    cursor, seen, n = b"0", set(), 3000
    while True:
        reply = s.call("ZSCAN", "z", cursor, "COUNT", 20)
        cursor = reply.value[0].value
        seen |= set(values(reply.value[1])[0::2])
        if cursor == b"0":
            break
        s.call("ZADD", "z", n, f"extra:{n}")
        n += 1
    assert {f"member:{j}".encode() for j in range(3000)} <= seen
    s.call("ZREMRANGEBYSCORE", "z", "(0", "(749")  # 0 and 749.x stay
    mine, _ = zscan_all(s, "z")
    assert b"member:0" in mine and b"member:2999" in mine
    assert len(mine) == s.call("ZCARD", "z").value


# ---------------------------------------------------------------- bookkeeping


def test_dirty_and_keyspace_stats(differ):
    """Each command bumps the change counter and keyspace hits/misses as
    redis-server does."""
    fields = [("persistence", "rdb_changes_since_last_save"),
              ("stats", "keyspace_hits"), ("stats", "keyspace_misses")]
    commands = [
        ["ZADD", "a", 1, "x", 2, "y", 3, "z"], ["ZADD", "a", 1, "x"],
        ["ZADD", "a", 5, "x"], ["ZADD", "a", "XX", 1, "nope"],
        ["ZADD", "nokey", "XX", 1, "a"], ["ZADD", "a", "NX", 9, "x", 10, "w"],
        ["ZADD", "a", "CH", "GT", 0, "x", 100, "y"], ["ZINCRBY", "a", 0, "x"],
        ["ZINCRBY", "a", 1, "x"], ["ZSCORE", "a", "x"], ["ZSCORE", "nokey", "x"],
        ["ZMSCORE", "a", "x", "y"], ["ZCARD", "a"], ["ZCOUNT", "a", 0, 100],
        ["ZLEXCOUNT", "a", "-", "+"], ["ZRANGE", "a", 0, -1],
        ["ZRANGE", "nokey", 0, -1], ["ZRANGESTORE", "d", "a", 0, -1],
        ["ZRANGESTORE", "d", "nokey", 0, -1], ["ZRANGESTORE", "d", "a", 5, 6],
        ["ZRANK", "a", "x"], ["ZREVRANK", "nokey", "x"], ["ZREM", "a", "nope"],
        ["ZREM", "a", "x"], ["ZREMRANGEBYRANK", "a", 0, 0],
        ["ZREMRANGEBYSCORE", "a", 0, 1000], ["ZADD", "a", 1, "x", 2, "y"],
        ["ZREMRANGEBYLEX", "a", "-", "+"], ["ZADD", "a", 1, "x", 2, "y", 3, "z"],
        ["ZPOPMIN", "a"], ["ZPOPMAX", "a", 5], ["ZPOPMIN", "nokey"],
        ["ZADD", "a", 1, "x", 2, "y", 3, "z"], ["ZMPOP", 2, "nokey", "a", "MIN"],
        ["BZPOPMIN", "nokey", "a", 0.01], ["BZMPOP", 0.01, 1, "a", "MIN", "COUNT", 9],
        ["ZADD", "a", 1, "x", 2, "y", 3, "z"], ["ZADD", "b", 2, "y"],
        ["ZUNION", 2, "a", "b"], ["ZUNIONSTORE", "d", 2, "a", "b"],
        ["ZINTERSTORE", "d", 2, "a", "nokey"], ["ZINTERSTORE", "d", 2, "a", "nokey"],
        ["ZDIFFSTORE", "d", 2, "a", "b"], ["ZINTERCARD", 2, "a", "b"],
        ["ZRANDMEMBER", "a"], ["ZRANDMEMBER", "a", 2], ["ZSCAN", "a", 0],
        ["ZSCAN", "nokey", 0],
    ]
    for c in commands:
        before = {s: [info_field(differ.conns[s], *f) for f in fields]
                  for s in differ.SIDES}
        differ.check(*c, mode=TYPE_ONLY)
        after = {s: [info_field(differ.conns[s], *f) for f in fields]
                 for s in differ.SIDES}
        delta = {s: [a - b for a, b in zip(after[s], before[s])]
                 for s in differ.SIDES}
        assert delta["shoal"] == delta["redis"], (c, delta)


# ---------------------------------------------------------------- random


MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"1", b"2", b"10", b"-5",
           b"", b"\x00", b"aa", b"ab", b"zz", b"x" * 70, b"m:1", b"m:2"]
SCORES = [b"0", b"1", b"-1", b"2", b"3", b"1.5", b"-2.25", b"10", b"100",
          b"inf", b"-inf", b"+inf", b"1e300", b"-0", b"0.1", b"7"]
BAD = [b"abc", b"nan", b"", b"1x"]


def _score(g):
    return g.pick(BAD) if g.chance(0.03) else g.pick(SCORES)


def _bound(g):
    b = g.pick(SCORES)
    if g.chance(0.3):
        b = b"(" + b
    return g.pick(BAD) if g.chance(0.03) else b


def _lexbound(g):
    if g.chance(0.2):
        return g.pick([b"-", b"+"])
    if g.chance(0.03):
        return g.pick([b"x", b""])
    return g.pick([b"[", b"("]) + g.pick(MEMBERS[:16])


def _zkey(g):
    return b"z:%d" % g.rng.randrange(5)


def _lkey(g):
    return b"lex:%d" % g.rng.randrange(2)


def _srckey(g):
    r = g.rng.random()
    if r < 0.75:
        return _zkey(g)
    if r < 0.9:
        return b"s:%d" % g.rng.randrange(2)
    return g.pick([b"nokey", b"str"])


def _limit(g):
    if g.chance(0.6):
        return []
    return [b"LIMIT", str(g.rng.randint(-1, 4)).encode(),
            str(g.rng.randint(-1, 6)).encode()]


def _rank(g):
    return str(g.rng.randint(-8, 8)).encode()


def gen_zadd(g):
    flags = [f for f in (b"NX", b"XX", b"GT", b"LT", b"CH") if g.chance(0.12)]
    n = 1 if g.chance(0.5) else g.rng.randint(1, 6)
    if g.chance(0.1):
        flags.append(b"INCR")
        n = 1
    args = []
    for _ in range(n):
        args += [_score(g), g.pick(MEMBERS)]
    return [b"ZADD", _zkey(g) if g.chance(0.95) else b"str", *flags, *args]


def gen_zadd_lex(g):
    args = []
    for _ in range(g.rng.randint(1, 5)):
        args += [b"0", g.pick(MEMBERS)]
    return [b"ZADD", _lkey(g), *args]


def gen_zincrby(g):
    return [b"ZINCRBY", _zkey(g), _score(g), g.pick(MEMBERS)]


def gen_point(g):
    cmd = g.pick([b"ZSCORE", b"ZRANK", b"ZREVRANK"])
    return [cmd, g.pick([_zkey(g), _lkey(g)]), g.pick(MEMBERS)]


def gen_misc_read(g):
    k = g.pick([_zkey(g), _lkey(g), b"nokey"])
    return g.pick([[b"ZCARD", k], [b"ZMSCORE", k, g.pick(MEMBERS), g.pick(MEMBERS)],
                   [b"OBJECT", b"ENCODING", k], [b"TYPE", k], [b"EXISTS", k]])


def gen_zrange(g):
    kind = g.rng.randrange(3)
    rev = [b"REV"] if g.chance(0.4) else []
    ws = [b"WITHSCORES"] if g.chance(0.5) else []
    if kind == 0:
        return [b"ZRANGE", _zkey(g), _rank(g), _rank(g), *rev, *ws]
    if kind == 1:
        return [b"ZRANGE", _zkey(g), _bound(g), _bound(g), b"BYSCORE", *rev,
                *_limit(g), *ws]
    return [b"ZRANGE", _lkey(g), _lexbound(g), _lexbound(g), b"BYLEX", *rev,
            *_limit(g)]


def gen_old_ranges(g):
    ws = [b"WITHSCORES"] if g.chance(0.5) else []
    return g.pick([
        [b"ZRANGEBYSCORE", _zkey(g), _bound(g), _bound(g), *ws, *_limit(g)],
        [b"ZREVRANGEBYSCORE", _zkey(g), _bound(g), _bound(g), *_limit(g), *ws],
        [b"ZRANGEBYLEX", _lkey(g), _lexbound(g), _lexbound(g), *_limit(g)],
        [b"ZREVRANGEBYLEX", _lkey(g), _lexbound(g), _lexbound(g), *_limit(g)],
        [b"ZREVRANGE", _zkey(g), _rank(g), _rank(g), *ws],
        [b"ZCOUNT", _zkey(g), _bound(g), _bound(g)],
        [b"ZLEXCOUNT", _lkey(g), _lexbound(g), _lexbound(g)],
    ])


def gen_zrangestore(g):
    if g.chance(0.3):
        return [b"ZRANGESTORE", _lkey(g), _lkey(g), _lexbound(g), _lexbound(g),
                b"BYLEX", *_limit(g)]
    if g.chance(0.5):
        return [b"ZRANGESTORE", _zkey(g), _zkey(g), _bound(g), _bound(g),
                b"BYSCORE", *([b"REV"] if g.chance(0.3) else []), *_limit(g)]
    return [b"ZRANGESTORE", _zkey(g), _zkey(g), _rank(g), _rank(g)]


def gen_removals(g):
    return g.pick([
        [b"ZREM", _zkey(g), *[g.pick(MEMBERS) for _ in range(g.rng.randint(1, 4))]],
        [b"ZREM", _lkey(g), g.pick(MEMBERS)],
        [b"ZREMRANGEBYRANK", _zkey(g), _rank(g), _rank(g)],
        [b"ZREMRANGEBYSCORE", _zkey(g), _bound(g), _bound(g)],
        [b"ZREMRANGEBYLEX", _lkey(g), _lexbound(g), _lexbound(g)],
    ])


def gen_pops(g):
    count = [] if g.chance(0.4) else [str(g.rng.randint(-1, 5)).encode()]
    k = [_zkey(g) for _ in range(g.rng.randint(1, 3))]
    mpop_count = [] if g.chance(0.5) else [b"COUNT", str(g.rng.randint(0, 5)).encode()]
    where = g.pick([b"MIN", b"MAX"])
    return g.pick([
        [g.pick([b"ZPOPMIN", b"ZPOPMAX"]), k[0], *count],
        [b"ZMPOP", str(len(k)).encode(), *k, where, *mpop_count],
        [g.pick([b"BZPOPMIN", b"BZPOPMAX"]), *k, b"0.01"],
        [b"BZMPOP", b"0.01", str(len(k)).encode(), *k, where, *mpop_count],
    ])


def gen_algebra(g):
    keys = [_srckey(g) for _ in range(g.rng.randint(1, 3))]
    n = str(len(keys)).encode()
    opts = []
    if g.chance(0.3):
        opts += [b"WEIGHTS"] + [g.pick([b"1", b"2", b"-1", b"0.5", b"0", b"inf"])
                                for _ in keys]
    if g.chance(0.3):
        opts += [b"AGGREGATE", g.pick([b"SUM", b"MIN", b"MAX"])]
    ws = [b"WITHSCORES"] if g.chance(0.5) else []
    dst = _zkey(g)
    return g.pick([
        [b"ZUNION", n, *keys, *opts, *ws], [b"ZINTER", n, *keys, *opts, *ws],
        [b"ZDIFF", n, *keys, *ws], [b"ZUNIONSTORE", dst, n, *keys, *opts],
        [b"ZINTERSTORE", dst, n, *keys, *opts], [b"ZDIFFSTORE", dst, n, *keys],
        [b"ZINTERCARD", n, *keys, *([b"LIMIT", str(g.rng.randint(0, 3)).encode()]
                                    if g.chance(0.5) else [])],
    ])


def gen_other(g):
    return g.pick([
        [b"SADD", b"s:%d" % g.rng.randrange(2), g.pick(MEMBERS), g.pick(MEMBERS)],
        [b"DEL", g.pick([_zkey(g), _lkey(g)])],
        [b"ZRANDMEMBER", _zkey(g), str(g.rng.randint(-5, 5)).encode(),
         *([b"WITHSCORES"] if g.chance(0.5) else [])],
        [b"ZRANDMEMBER", _zkey(g)],
    ])


GENERATORS = [(gen_zadd, 8), (gen_zadd_lex, 3), (gen_zincrby, 2), (gen_point, 4),
              (gen_misc_read, 3), (gen_zrange, 5), (gen_old_ranges, 5),
              (gen_zrangestore, 2), (gen_removals, 3), (gen_pops, 2),
              (gen_algebra, 4), (gen_other, 2)]


def _random_run(differ, seed, n, config_entries):
    seed = resolve_seed(seed)
    n = int(os.environ.get("DIFF_N", n))
    print(f"zset random run: seed {seed}, {n} commands")
    differ.check("SET", "str", "v")
    config(differ, "zset-max-listpack-entries", config_entries)
    g = Gen(__import__("random").Random(seed))
    fns = [f for f, _ in GENERATORS]
    weights = [w for _, w in GENERATORS]
    differ.seed = seed
    try:
        for i in range(n):
            cmd = g.rng.choices(fns, weights)[0](g)
            name = cmd[0].upper()
            if name == b"ZRANDMEMBER" and len(cmd) == 2:
                differ.check(*cmd, mode=TYPE_ONLY)
            else:
                differ.check(*cmd)
            if i % 50 == 0:
                for k in [b"z:%d" % j for j in range(5)] + [b"lex:0", b"lex:1"]:
                    differ.check("ZRANGE", k, 0, -1, "WITHSCORES")
                    differ.check("OBJECT", "ENCODING", k)
    finally:
        differ.seed = None


@pytest.mark.parametrize("entries", [128, 6])
def test_random_sequence(differ, entries):
    _random_run(differ, None, 3000, entries)


def test_random_sequence_resp3(differ):
    resp3(differ)
    _random_run(differ, None, 1500, 8)
