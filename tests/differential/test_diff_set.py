"""Differential tests of the set commands (shard/t_set.c): SADD, SREM,
SISMEMBER, SMISMEMBER, SMEMBERS, SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER,
SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN,
in RESP2 and RESP3, with the intset/hashtable encodings and their
thresholds, and seeded random sequences. Replies must equal redis-server's
byte for byte, except where Redis's own order or choice is unspecified
(member order of hashtable sets, random picks): there the shape, the
lengths and membership are compared. DIFF_SELFTEST=1 points both sides at
redis-server to check the tests themselves."""

import os
import random
import re
import time

import pytest

from differential.diff import EXACT, TYPE_ONLY, UNORDERED, Gen, resolve_seed
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


def info_field(conn, section, field):
    text = conn.call("INFO", section).value.decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"INFO {section} has no {field}")


def values(reply):
    """The bulk strings of an array/set reply, as a list of bytes."""
    assert reply.kind in resp.AGGREGATES, reply
    return [r.value for r in reply.value]


def both(differ, *command):
    """Run a command on each side without comparing; {side: reply}."""
    return {s: differ.conns[s].call(*command) for s in differ.SIDES}


def same_members(differ, key):
    """Compare SMEMBERS (unordered), SCARD and the encoding of key."""
    differ.check("SMEMBERS", key)
    differ.check("SCARD", key)
    differ.check("OBJECT", "ENCODING", key)
    differ.check("EXISTS", key)


def sscan_all(conn, key, *opts):
    """Every member SSCAN returns over a full iteration (may repeat)."""
    cursor, seen, calls = b"0", [], 0
    while True:
        reply = conn.call("SSCAN", key, cursor, *opts)
        assert reply.kind == resp.ARRAY and len(reply.value) == 2, reply
        cursor = reply.value[0].value
        seen += values(reply.value[1])
        calls += 1
        assert calls < 100000
        if cursor == b"0":
            return seen


def sorted_scan(r):
    """SSCAN reply with the page's members sorted (hashtable order is the
    hash function's)."""
    if r.kind != resp.ARRAY or len(r.value) != 2:
        return r
    page = r.value[1]
    items = tuple(sorted(page.value, key=resp.encode_reply))
    return Reply(r.kind, (r.value[0], Reply(page.kind, items)))


# Members whose intset eligibility is subtle: Redis's strict string-to-int64.
INT_LIKE = [b"0", b"1", b"-1", b"10", b"-10", str(LLONG_MAX).encode(),
            str(LLONG_MIN).encode(), b"65535", b"65536", b"-32768", b"-32769",
            b"2147483647", b"2147483648", b"-2147483649"]
NOT_INT = [b"", b"-0", b"01", b"+1", b" 1", b"1 ", b"1.0", b"1e3", b"0x10",
           str(LLONG_MAX + 1).encode(), str(LLONG_MIN - 1).encode(), b"a",
           b"\x00", b"1\x00", b"-", b"123456789012345678901"]
STRINGS = [b"a", b"b", b"hello", b"", b"\x00\xff", b"caf\xc3\xa9",
           b"x" * 100, b"{tag}m", b"\r\n"]


# ---------------------------------------------------------------- SADD, SCARD


def test_sadd_basic(differ):
    differ.check("SADD", "s", "a")
    differ.check("SADD", "s", "a")
    differ.check("SADD", "s", "b", "c", "a", "b")
    same_members(differ, "s")
    differ.check("SCARD", "missing")
    differ.check("SADD", "s", *STRINGS)
    same_members(differ, "s")
    differ.check("TYPE", "s")


def test_sadd_encoding_of_first_member(differ):
    """A new set is an intset exactly when its first member is an integer
    by Redis's rules; a later non-integer converts it."""
    for m in INT_LIKE + NOT_INT:
        differ.check("DEL", "s")
        differ.check("SADD", "s", m)
        differ.check("OBJECT", "ENCODING", "s")
        differ.check("SMEMBERS", "s")
        differ.check("SISMEMBER", "s", m)
    for m in NOT_INT:
        differ.check("DEL", "s")
        differ.check("SADD", "s", "1", "2", "3")
        differ.check("OBJECT", "ENCODING", "s")
        differ.check("SADD", "s", m)
        differ.check("OBJECT", "ENCODING", "s")
        same_members(differ, "s")
    # Several members in one call: the first decides the starting kind.
    differ.check("DEL", "s")
    differ.check("SADD", "s", "a", "1", "2")
    differ.check("OBJECT", "ENCODING", "s")
    differ.check("DEL", "s")
    differ.check("SADD", "s", "1", "2", "a")
    differ.check("OBJECT", "ENCODING", "s")
    same_members(differ, "s")


def test_intset_widths(differ):
    """Values of every intset width, negative and positive, stay ordered."""
    differ.check("SADD", "s", "5", "-3", "70000", "-70000")
    differ.check("SMEMBERS", "s", mode=EXACT)
    differ.check("SADD", "s", str(LLONG_MAX), str(LLONG_MIN), "0")
    differ.check("SMEMBERS", "s", mode=EXACT)
    differ.check("SSCAN", "s", "0", mode=EXACT)
    differ.check("OBJECT", "ENCODING", "s")
    for m in INT_LIKE + NOT_INT:
        differ.check("SISMEMBER", "s", m)
        differ.check("SREM", "s", m)
    same_members(differ, "s")


def test_intset_threshold(differ):
    """512 integers stay an intset, the 513th converts; CONFIG SET of
    set-max-intset-entries applies to the next add only."""
    ints = [str(i) for i in range(512)]
    differ.check("SADD", "s", *ints)
    differ.check("OBJECT", "ENCODING", "s")
    differ.check("SADD", "s", "100")
    differ.check("OBJECT", "ENCODING", "s")
    differ.check("SADD", "s", "512")
    differ.check("OBJECT", "ENCODING", "s")
    differ.check("SREM", "s", *ints[:500])
    differ.check("OBJECT", "ENCODING", "s")  # never converts back
    same_members(differ, "s")
    differ.check("DEL", "s")
    for i in range(520):
        differ.check("SADD", "t", str(i * 7))
        if i > 505:
            differ.check("OBJECT", "ENCODING", "t")
    same_members(differ, "t")

    differ.check("CONFIG", "SET", "set-max-intset-entries", "5")
    differ.check("SADD", "u", "1", "2", "3", "4", "5")
    differ.check("OBJECT", "ENCODING", "u")
    differ.check("SADD", "u", "6")
    differ.check("OBJECT", "ENCODING", "u")
    differ.check("DEL", "u")
    differ.check("SADD", "u", "1", "2", "3")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "2")
    differ.check("OBJECT", "ENCODING", "u")  # unchanged until next add
    differ.check("SADD", "u", "3")
    differ.check("OBJECT", "ENCODING", "u")
    differ.check("SADD", "u", "4")
    differ.check("OBJECT", "ENCODING", "u")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "0")
    differ.check("SADD", "v", "1")
    differ.check("OBJECT", "ENCODING", "v")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "1")
    differ.check("SADD", "w", "1")
    differ.check("OBJECT", "ENCODING", "w")
    differ.check("SADD", "w", "2")
    differ.check("OBJECT", "ENCODING", "w")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "512")


def test_big_hashtable_set(differ):
    """Thousands of members: every one present, removal shrinks the table
    without losing any."""
    members = [f"m:{i}" for i in range(5000)]
    for i in range(0, 5000, 500):
        differ.check("SADD", "s", *members[i:i + 500])
    differ.check("SCARD", "s")
    differ.check("SMEMBERS", "s")
    differ.check("SMISMEMBER", "s", *members[::97], "nope")
    differ.check("SREM", "s", *members[:4990])
    same_members(differ, "s")
    differ.check("SREM", "s", *members)
    differ.check("EXISTS", "s")


# ---------------------------------------------------------------- SREM, SISMEMBER


def test_srem(differ):
    differ.check("SREM", "missing", "a")
    differ.check("SADD", "s", "a", "b", "c", "1")
    differ.check("SREM", "s", "x")
    differ.check("SREM", "s", "a", "a", "x")
    same_members(differ, "s")
    differ.check("SREM", "s", "b", "c", "1", "zzz")
    differ.check("EXISTS", "s")
    differ.check("SADD", "i", "1", "2", "3")
    differ.check("SREM", "i", "01", "+1", "1.0", "a", "")
    differ.check("SREM", "i", "1", "2")
    same_members(differ, "i")
    differ.check("SREM", "i", "3", "3")
    differ.check("EXISTS", "i")


def test_sismember_smismember(differ):
    differ.check("SISMEMBER", "missing", "a")
    differ.check("SMISMEMBER", "missing", "a", "b")
    for members in (["1", "2", "300000"], ["a", "b", ""], ["1", "a"]):
        differ.check("DEL", "s")
        differ.check("SADD", "s", *members)
        for m in members + ["x", "3", "01", "", "\x00"]:
            differ.check("SISMEMBER", "s", m)
        differ.check("SMISMEMBER", "s", *members, "x", "3", "01", "")
        differ.check("SMISMEMBER", "s", "nope")


def test_wrongtype(differ):
    differ.check("SET", "str", "v")
    differ.check("SADD", "s", "a")
    commands = [
        ["SADD", "str", "a"], ["SREM", "str", "a"], ["SISMEMBER", "str", "a"],
        ["SMISMEMBER", "str", "a"], ["SMEMBERS", "str"], ["SCARD", "str"],
        ["SPOP", "str"], ["SPOP", "str", "1"], ["SPOP", "str", "0"],
        ["SPOP", "str", "-1"], ["SRANDMEMBER", "str"],
        ["SRANDMEMBER", "str", "1"], ["SRANDMEMBER", "str", "0"],
        ["SRANDMEMBER", "str", "-1"], ["SRANDMEMBER", "str", "x"],
        ["SMOVE", "str", "s", "a"], ["SMOVE", "s", "str", "a"],
        ["SMOVE", "s", "str", "nope"], ["SMOVE", "str", "str", "a"],
        ["SMOVE", "missing", "str", "a"],
        ["SINTER", "str"], ["SINTER", "s", "str"], ["SINTER", "missing", "str"],
        ["SINTER", "str", "missing"], ["SINTERCARD", "2", "missing", "str"],
        ["SINTERCARD", "1", "str", "LIMIT", "1"],
        ["SINTERSTORE", "d", "missing", "str"], ["SINTERSTORE", "d", "str"],
        ["SUNION", "s", "str"], ["SUNION", "missing", "str"],
        ["SUNIONSTORE", "d", "missing", "str"], ["SDIFF", "str"],
        ["SDIFF", "missing", "str"], ["SDIFF", "s", "str"],
        ["SDIFF", "s", "missing", "str"], ["SDIFFSTORE", "d", "s", "str"],
        ["SDIFFSTORE", "d", "str"],
        ["SSCAN", "str", "0"], ["SSCAN", "str", "x"],
        ["SSCAN", "str", "0", "COUNT", "0"],
    ]
    for cmd in commands:
        differ.check(*cmd)
        differ.check("GET", "str")
        differ.check("EXISTS", "d")
    # The destination of the STORE forms is overwritten whatever it holds.
    for cmd in (["SINTERSTORE", "str", "s"], ["SUNIONSTORE", "str", "s"],
                ["SDIFFSTORE", "str", "s"]):
        differ.check("SET", "str", "v")
        differ.check(*cmd)
        differ.check("TYPE", "str")
        same_members(differ, "str")
    for cmd in (["SINTERSTORE", "str", "missing"], ["SUNIONSTORE", "str", "missing"],
                ["SDIFFSTORE", "str", "missing"], ["SDIFFSTORE", "str", "s", "s"]):
        differ.check("SET", "str", "v")
        differ.check(*cmd)
        differ.check("EXISTS", "str")


def test_arity(differ):
    for cmd in (["SADD", "s"], ["SREM", "s"], ["SISMEMBER", "s"],
                ["SISMEMBER", "s", "a", "b"], ["SMISMEMBER", "s"],
                ["SMEMBERS"], ["SMEMBERS", "a", "b"], ["SCARD"], ["SPOP"],
                ["SRANDMEMBER"], ["SMOVE", "a", "b"], ["SINTER"],
                ["SINTERCARD", "1"], ["SINTERSTORE", "d"], ["SUNION"],
                ["SUNIONSTORE", "d"], ["SDIFF"], ["SDIFFSTORE", "d"],
                ["SSCAN", "s"]):
        differ.check(*cmd)


# ---------------------------------------------------------------- SMOVE


def test_smove(differ):
    differ.check("SMOVE", "missing", "d", "a")
    differ.check("EXISTS", "d")
    differ.check("SADD", "src", "a", "b", "1")
    differ.check("SMOVE", "src", "dst", "x")
    differ.check("EXISTS", "dst")
    differ.check("SMOVE", "src", "dst", "a")
    same_members(differ, "src")
    same_members(differ, "dst")
    differ.check("SMOVE", "src", "dst", "1")  # dst hashtable already
    same_members(differ, "dst")
    differ.check("SADD", "dst", "b")
    differ.check("SMOVE", "src", "dst", "b")  # already there: src loses it
    differ.check("EXISTS", "src")
    same_members(differ, "dst")
    # Same key: membership only.
    differ.check("SMOVE", "dst", "dst", "a")
    differ.check("SMOVE", "dst", "dst", "zz")
    same_members(differ, "dst")
    # An integer moved into a new key makes an intset; a string a hashtable.
    differ.check("SADD", "i", "1", "2", "x")
    differ.check("SMOVE", "i", "ni", "2")
    differ.check("OBJECT", "ENCODING", "ni")
    differ.check("SMOVE", "i", "ns", "x")
    differ.check("OBJECT", "ENCODING", "ns")
    differ.check("SMOVE", "i", "ni", "1")
    differ.check("EXISTS", "i")
    same_members(differ, "ni")
    # Into an intset: a non-integer converts it; past the limit converts.
    differ.check("SADD", "a", "hello", "7")
    differ.check("SMOVE", "a", "ni", "hello")
    differ.check("OBJECT", "ENCODING", "ni")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "3")
    differ.check("SADD", "j", "1", "2", "3")
    differ.check("SMOVE", "a", "j", "7")
    differ.check("OBJECT", "ENCODING", "j")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "512")


def test_smove_ttl(differ):
    """SMOVE keeps both keys' TTLs; a source emptied is deleted."""
    differ.check("SADD", "a", "x", "y")
    differ.check("EXPIRE", "a", "1000")
    differ.check("SADD", "b", "z")
    differ.check("EXPIRE", "b", "2000")
    differ.check("SMOVE", "a", "b", "x")
    differ.check("TTL", "a")
    differ.check("TTL", "b")
    differ.check("SMOVE", "a", "b", "y")
    differ.check("TTL", "a")
    differ.check("TTL", "b")


# ---------------------------------------------------------------- SPOP


def redis_int(m):
    """Whether Redis would store member m in an intset (strict int64)."""
    if not re.fullmatch(rb"-?(0|[1-9][0-9]*)", m) or m == b"-0":
        return False
    return LLONG_MIN <= int(m) <= LLONG_MAX


def popped(reply):
    if reply.kind in (resp.BULK,):
        return [reply.value]
    if reply.kind in (resp.NULL_BULK, resp.NULL):
        return []
    return values(reply)


def check_spop(differ, key, *count):
    """SPOP on both sides: same shape; each side popped distinct members of
    the set it had, and kept the rest. Then make shoal's set equal to
    redis-server's again (same members, same encoding). Returns redis's
    reply."""
    before = {s: set(values(differ.conns[s].call("SMEMBERS", key)))
              for s in differ.SIDES}
    assert before["shoal"] == before["redis"]
    differ.check("SPOP", key, *count, mode=TYPE_ONLY)
    got = {s: popped(getattr(differ.history[-1], s)[0]) for s in differ.SIDES}
    for s in differ.SIDES:
        assert len(got[s]) == len(set(got[s])), (s, got[s])
        assert set(got[s]) <= before[s], (s, got[s])
        left = set(values(differ.conns[s].call("SMEMBERS", key)))
        assert left == before[s] - set(got[s]), s
    # Swap shoal's extra pops back in for redis's, one pair at a time, so
    # that the swap itself changes no encoding: add first (a set must not
    # become empty), except that an intset with two or more members left
    # removes first (adding first could pass set-max-intset-entries).
    back = sorted(set(got["shoal"]) - set(got["redis"]))
    out = sorted(set(got["redis"]) - set(got["shoal"]))
    conn = differ.conns["shoal"]
    left = len(before["redis"]) - len(got["redis"])
    if back and left > 1 and \
            conn.call("OBJECT", "ENCODING", key).value == b"intset":
        for a, b in zip(back, out):
            conn.call("SREM", key, b)
            conn.call("SADD", key, a)
    else:
        for a, b in zip(back, out):
            conn.call("SADD", key, a)
            conn.call("SREM", key, b)
    enc = both(differ, "OBJECT", "ENCODING", key)
    if enc["shoal"] != enc["redis"]:
        # When SPOP rebuilds the set from the members that stay, their kind
        # decides its encoding (an intset if all are integers): random when
        # the set mixes integers and strings, deterministic otherwise.
        mixed = len({redis_int(m) for m in before["redis"]}) > 1
        assert mixed, (enc, before["redis"])
        members = sorted(before["redis"] - set(got["redis"]))
        pttl = differ.conns["redis"].call("PTTL", key).value
        for s in differ.SIDES:
            differ.conns[s].call("DEL", key)
            differ.conns[s].call("SADD", key, *members)
            if pttl > 0:
                differ.conns[s].call("PEXPIRE", key, pttl)
    same_members(differ, key)


def test_spop_basic(differ):
    differ.check("SPOP", "missing")
    differ.check("SPOP", "missing", "0")
    differ.check("SPOP", "missing", "3")
    differ.check("SADD", "s", "only")
    differ.check("SPOP", "s")
    differ.check("EXISTS", "s")
    differ.check("SADD", "s", "1")
    differ.check("SPOP", "s", "1")
    differ.check("EXISTS", "s")
    differ.check("SADD", "s", "a", "b", "c")
    differ.check("SPOP", "s", "0")
    differ.check("SPOP", "s", "3", mode=UNORDERED)  # everything
    differ.check("EXISTS", "s")
    differ.check("SADD", "s", "1", "2", "3")
    differ.check("SPOP", "s", "100", mode=EXACT)  # whole intset, in order
    differ.check("EXISTS", "s")


def test_spop_errors(differ):
    differ.check("SADD", "s", "a", "b")
    for count in ("-1", "x", "", "1.5", str(LLONG_MAX + 1), str(LLONG_MIN),
                  " 1", "+1"):
        differ.check("SPOP", "s", count)
        differ.check("SPOP", "missing", count)
    differ.check("SPOP", "s", "1", "2")
    differ.check("SPOP", "s", "x", "2")
    differ.check("SPOP", "missing", "1", "2")
    differ.check("SPOP", "s", str(LLONG_MAX), mode=UNORDERED)
    differ.check("EXISTS", "s")


@pytest.mark.parametrize("kind", ["ints", "strings", "mixed", "big-ints"])
def test_spop_strategies(differ, kind):
    """Every count against sets of each kind: small counts pop one by one,
    large ones rebuild the set from the members that stay (which can turn a
    hashtable of integers back into an intset)."""
    if kind == "ints":
        members = [str(i) for i in range(20)]
    elif kind == "strings":
        members = [f"m{i}" for i in range(20)]
    elif kind == "mixed":
        members = ["x"] + [str(i) for i in range(19)]
    else:
        members = [str(i) for i in range(600)]  # hashtable of integers
    size = len(members)
    counts = [1, 2, 3, size // 6, size // 2, size - size // 6, size - 4,
              size - 3, size - 2, size - 1, size, size + 1]
    for count in counts:
        differ.check("DEL", "s")
        differ.check("SADD", "s", *members)
        differ.check("OBJECT", "ENCODING", "s")
        check_spop(differ, "s", str(count))
    # Pop until empty: one by one, and (big sets) in chunks.
    step = [] if size < 100 else ["37"]
    for _ in range(3):
        differ.check("DEL", "s")
        differ.check("SADD", "s", *members)
        while both(differ, "EXISTS", "s")["redis"].value:
            check_spop(differ, "s", *step)


def test_spop_keeps_ttl(differ):
    members = [str(i) for i in range(30)]
    for count in ("1", "28", "29"):
        differ.check("DEL", "s")
        differ.check("SADD", "s", *members)
        differ.check("EXPIRE", "s", "1000")
        check_spop(differ, "s", count)
        differ.check("TTL", "s")


def test_spop_ints_hashtable_to_intset(differ):
    """600 integers (a hashtable) popping 550: the 50 that stay are rebuilt
    as an intset, as Redis does; popping 10 leaves a hashtable."""
    members = [str(i) for i in range(600)]
    differ.check("SADD", "s", *members)
    check_spop(differ, "s", "550")
    differ.check("OBJECT", "ENCODING", "s")
    differ.check("DEL", "s")
    differ.check("SADD", "s", *members)
    check_spop(differ, "s", "10")
    differ.check("OBJECT", "ENCODING", "s")


# ---------------------------------------------------------------- SRANDMEMBER


def check_srandmember(differ, key, count):
    """Same shape and length; members from the set; distinct for positive
    counts."""
    r = differ.check("SRANDMEMBER", key, count)
    if r.is_error:
        return
    have = set(values(differ.conns["redis"].call("SMEMBERS", key)))
    for s in differ.SIDES:
        got = values(getattr(differ.history[-1], s)[0])
        assert set(got) <= have, s
        if int(count) > 0:
            assert len(got) == len(set(got)) == min(int(count), len(have)), s
        else:
            assert len(got) == -int(count), s


def test_srandmember(differ):
    differ.check("SRANDMEMBER", "missing")
    differ.check("SRANDMEMBER", "missing", "0")
    differ.check("SRANDMEMBER", "missing", "5")
    differ.check("SRANDMEMBER", "missing", "-5")
    differ.check("SADD", "one", "x")
    differ.check("SRANDMEMBER", "one", mode=EXACT)
    differ.check("SRANDMEMBER", "one", "-3", mode=EXACT)
    differ.check("SRANDMEMBER", "one", "1", mode=EXACT)
    for members in ([str(i) for i in range(30)], [f"m{i}" for i in range(30)],
                    [str(i) for i in range(700)]):
        differ.check("DEL", "s")
        differ.check("SADD", "s", *members)
        size = len(members)
        for count in (0, 1, 2, 5, size // 3 - 1, size // 3, size // 3 + 1,
                      size // 2, size - 1, size, size + 1, 10 * size, -1, -2,
                      -size, -2 * size):
            check_srandmember(differ, "s", str(count))
        differ.check("SRANDMEMBER", "s")
        same_members(differ, "s")
    differ.check("SRANDMEMBER", "s", str(LLONG_MAX))
    differ.check("SADD", "i", "1", "2", "3")
    differ.check("SRANDMEMBER", "i", "3", mode=UNORDERED)


def test_srandmember_errors(differ):
    differ.check("SADD", "s", "a")
    for count in ("x", "", "1.5", str(LLONG_MIN), str(LLONG_MAX + 1),
                  str(-LLONG_MAX - 2), " 1", "+1"):
        differ.check("SRANDMEMBER", "s", count)
        differ.check("SRANDMEMBER", "missing", count)
    differ.check("SRANDMEMBER", "s", "1", "2")
    differ.check("SRANDMEMBER", "s", "x", "2")
    differ.check("SRANDMEMBER", "missing", "1", "2")


# ---------------------------------------------------------------- SINTER & co


def load_sets(differ):
    differ.check("SADD", "i1", "1", "2", "3", "4", "5")
    differ.check("SADD", "i2", "4", "5", "6", "7")
    differ.check("SADD", "i3", "5", "7", "9", "-1")
    differ.check("SADD", "h1", "a", "b", "c", "4", "5")
    differ.check("SADD", "h2", "b", "c", "d", "5")
    differ.check("SADD", "h3", "c", "5", "zz")
    differ.check("SADD", "big", *[str(i) for i in range(1000)])
    differ.check("SADD", "bigh", *[f"e{i}" for i in range(300)], "4", "5", "c")
    differ.check("SET", "str", "v")


KEYS = ["i1", "i2", "i3", "h1", "h2", "h3", "big", "bigh", "missing"]


def combos(rng, n=150):
    out = [[k] for k in KEYS]
    out += [[a, b] for a in KEYS for b in KEYS]
    for _ in range(n):
        out.append([rng.choice(KEYS) for _ in range(rng.randint(3, 6))])
    return out


def test_sinter_sunion_sdiff(differ):
    load_sets(differ)
    for keys in combos(random.Random(7)):
        differ.check("SINTER", *keys)
        differ.check("SUNION", *keys)
        differ.check("SDIFF", *keys)
        differ.check("SINTERCARD", str(len(keys)), *keys)
        differ.check("SINTERCARD", str(len(keys)), *keys, "LIMIT", "2")


def test_store_variants(differ):
    """Results, result encodings, and the destination's fate (overwritten,
    TTL dropped, deleted on an empty result)."""
    load_sets(differ)
    for keys in combos(random.Random(8), n=80):
        for cmd in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
            differ.check("SET", "dst", "old", "EX", "1000")
            differ.check(cmd, "dst", *keys)
            differ.check("TTL", "dst")
            same_members(differ, "dst")
            differ.check("DEL", "dst")
            differ.check(cmd, "dst", *keys)
            same_members(differ, "dst")


def test_store_destination_is_source(differ):
    load_sets(differ)
    for cmd in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        for keys in (["i1", "i2"], ["i2", "i1"], ["h1", "h2", "h3"],
                     ["h1", "missing"], ["h1", "h1"], ["h1"]):
            differ.check("DEL", "x")
            differ.check("SUNIONSTORE", "x", keys[0])
            differ.check(cmd, "x", "x", *keys[1:])
            same_members(differ, "x")


def test_store_thresholds(differ):
    """Result encodings follow the same rules as SADD: a union past 512
    integers, or with a string, is a hashtable; SDIFF's second method adds
    the first set whole (passing through a hashtable when it holds a
    string) and keeps that encoding."""
    differ.check("SADD", "a", *[str(i) for i in range(300)])
    differ.check("SADD", "b", *[str(i) for i in range(200, 500)])
    differ.check("SADD", "c", *[str(i) for i in range(250, 800)])
    for cmd in (["SUNIONSTORE", "d", "a", "b"], ["SUNIONSTORE", "d", "a", "c"],
                ["SINTERSTORE", "d", "a", "c"], ["SDIFFSTORE", "d", "c", "a"],
                ["SDIFFSTORE", "d", "a", "c"]):
        differ.check(*cmd)
        same_members(differ, "d")
    # Method 2 (chosen when many small sets are subtracted from a larger one).
    differ.check("SADD", "m", *[str(i) for i in range(1, 10)], "x")
    for k in ("k1", "k2", "k3", "k4"):
        differ.check("SADD", k, "x")
    differ.check("SDIFFSTORE", "d", "m", "k1", "k2", "k3", "k4")
    same_members(differ, "d")
    differ.check("SDIFFSTORE", "d", "m", "k1")
    same_members(differ, "d")
    differ.check("SDIFFSTORE", "d", "m", "k1", "missing", "k2", "k3", "k4")
    same_members(differ, "d")
    differ.check("SDIFFSTORE", "d", "m", "k1", "missing", "missing", "missing",
                 "missing", "missing")
    same_members(differ, "d")
    differ.check("SINTERSTORE", "d", "m", "m")
    same_members(differ, "d")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "4")
    differ.check("SINTERSTORE", "d", "m", "m")
    same_members(differ, "d")
    differ.check("SINTERSTORE", "d", "a")
    same_members(differ, "d")
    differ.check("CONFIG", "SET", "set-max-intset-entries", "512")


def test_sintercard(differ):
    load_sets(differ)
    for args in (["1", "i1"], ["2", "i1", "i2"], ["2", "big", "i1"],
                 ["2", "i1", "missing"], ["1", "missing"],
                 ["2", "i1", "i2", "LIMIT", "0"], ["2", "i1", "i2", "limit", "1"],
                 ["1", "big", "LIMIT", "10"], ["1", "big", "LIMIT", "1000"],
                 ["1", "big", "LIMIT", "100000"], ["1", "i1", "LIMIT", "1", "LIMIT", "0"],
                 ["1", "i1", "LIMIT", "0", "LIMIT", "2"],
                 # errors
                 ["0", "i1"], ["-1", "i1"], ["x", "i1"], ["", "i1"],
                 [str(LLONG_MAX), "i1"], [str(LLONG_MAX + 1), "i1"],
                 ["2", "i1"], ["3", "i1", "i2"], ["1", "i1", "LIMIT"],
                 ["1", "i1", "LIMIT", "-1"], ["1", "i1", "LIMIT", "x"],
                 ["1", "i1", "LIMIT", str(LLONG_MAX + 1)],
                 ["1", "i1", "FOO", "1"], ["1", "i1", "i2"],
                 ["1", "i1", "LIMIT", "1", "FOO"],
                 ["1", "i1", b"limit\x00x", "1"], ["1", "i1", "LIMITS", "1"],
                 ["2", "str", "i1", "LIMIT", "-1"], ["1", "str", "FOO"],
                 ["0", "str"], ["1", "str"]):
        differ.check("SINTERCARD", *args)


def test_smembers_and_sinter_order(differ):
    """Intsets come out in ascending order (exact); hashtables in any."""
    differ.check("SADD", "i", "30", "-2", "7", "100000", "0")
    differ.check("SMEMBERS", "i", mode=EXACT)
    differ.check("SINTER", "i", mode=EXACT)
    differ.check("SUNION", "i", mode=EXACT)
    differ.check("SDIFF", "i", mode=EXACT)
    differ.check("SMEMBERS", "missing", mode=EXACT)


# ---------------------------------------------------------------- SSCAN


def test_sscan_errors(differ):
    differ.check("SADD", "i", "1", "2", "3")
    differ.check("SADD", "h", "a", "b", "c")
    for key in ("i", "h", "missing"):
        for args in (["x"], ["-"], [" 1"], ["1 "], ["18446744073709551616"],
                     ["0", "COUNT"], ["0", "COUNT", "0"], ["0", "COUNT", "-1"],
                     ["0", "COUNT", "x"], ["0", "MATCH"], ["0", "TYPE", "set"],
                     ["0", "NOVALUE"], ["0", "foo", "bar"],
                     ["0", "COUNT", "1", "MATCH"], ["0", b"count\x00", "5"]):
            differ.check("SSCAN", key, *args, mode=EXACT, normalize=sorted_scan)


def test_sscan_intset(differ):
    """Intsets come back whole in one call with cursor 0, whatever the
    cursor or COUNT; MATCH filters the decimal forms."""
    differ.check("SADD", "i", *[str(i) for i in range(-50, 200, 3)])
    for args in (["0"], ["5"], ["-1"], [""], ["0", "COUNT", "1"],
                 ["0", "MATCH", "1*"], ["0", "MATCH", "-*"],
                 ["0", "MATCH", "*", "COUNT", "2"], ["0", "match", "?"],
                 ["0", "MATCH", "x", "MATCH", "2?"], ["0", "COUNT", "5", "COUNT", "1"]):
        differ.check("SSCAN", "i", *args, mode=EXACT)


def test_sscan_hashtable(differ):
    """Hashtables iterate by cursor: a full iteration returns every member
    (with MATCH, every matching one) on both sides."""
    members = [f"m{i}".encode() for i in range(1500)] + [b"", b"\x00", b"*"]
    differ.check("SADD", "h", *members)
    for opts in ([], ["COUNT", "1"], ["COUNT", "7"], ["COUNT", "1000"],
                 ["MATCH", "m1*"], ["MATCH", "m1*", "COUNT", "50"],
                 ["MATCH", "nothing"], ["MATCH", "\\*"]):
        got = {s: sscan_all(differ.conns[s], "h", *opts) for s in differ.SIDES}
        assert set(got["shoal"]) == set(got["redis"]), opts
    # A first page: a numeric cursor, not the end, and some members.
    for s in differ.SIDES:
        page = differ.conns[s].call("SSCAN", "h", "0")
        assert int(page.value[0].value) > 0, s
        assert len(page.value[1].value) > 0, s
    # Small hashtables come back whole from cursor 0.
    differ.check("SADD", "small", "a", "b", "c")
    differ.check("SSCAN", "small", "0", normalize=sorted_scan, mode=EXACT)


# ---------------------------------------------------------------- RESP3


def test_resp3(differ):
    resp3(differ)
    load_sets(differ)
    for cmd in (["SMEMBERS", "i1"], ["SMEMBERS", "h1"], ["SMEMBERS", "missing"],
                ["SINTER", "i1", "i2"], ["SINTER", "h1", "missing"],
                ["SUNION", "h1", "i1"], ["SUNION", "missing"], ["SDIFF", "h1", "h2"],
                ["SDIFF", "missing", "h1"], ["SISMEMBER", "h1", "a"],
                ["SMISMEMBER", "h1", "a", "z"], ["SMISMEMBER", "missing", "a"],
                ["SCARD", "h1"], ["SINTERCARD", "2", "h1", "h2"],
                ["SPOP", "missing"], ["SPOP", "missing", "2"], ["SPOP", "i1", "0"],
                ["SRANDMEMBER", "missing"], ["SRANDMEMBER", "missing", "3"],
                ["SRANDMEMBER", "i1", "0"], ["SRANDMEMBER", "i1", "2"],
                ["SRANDMEMBER", "i1", "10"], ["SRANDMEMBER", "i1", "-7"],
                ["SRANDMEMBER", "h1", "10"], ["SRANDMEMBER", "h1", "2"],
                ["SSCAN", "i1", "0"], ["SSCAN", "missing", "0"],
                ["SMOVE", "i1", "n", "1"], ["SINTERSTORE", "d", "h1", "h2"],
                ["SPOP", "i1", "1"], ["SPOP", "h1", "2"], ["SPOP", "i2", "10"],
                ["SPOP", "i3"], ["SPOP", "big", "999"]):
        differ.check(*cmd)


# ---------------------------------------------------------------- side effects


def test_dirty_counting(differ):
    """Each change counts in rdb_changes_since_last_save as in Redis."""
    if not shoal_supports(differ, "INFO", "persistence"):
        pytest.skip("INFO is not implemented in shoal yet")
    commands = [
        ["SADD", "a", "1", "2", "3"], ["SADD", "a", "1", "2", "3"],
        ["SADD", "a", "3", "4", "5"], ["SREM", "a", "9"], ["SREM", "a", "1", "2", "9"],
        ["SPOP", "a", "10"], ["SADD", "a", *[str(i) for i in range(10)]],
        ["SPOP", "a", "3"], ["SPOP", "a", "6"], ["SPOP", "a"], ["SPOP", "a", "0"],
        ["SPOP", "missing", "5"], ["SPOP", "missing"],
        ["SADD", "a", "1", "2", "3"], ["SMOVE", "a", "b", "1"],
        ["SMOVE", "a", "b", "9"], ["SADD", "a", "1"], ["SMOVE", "a", "b", "1"],
        ["SMOVE", "a", "a", "2"], ["SMOVE", "missing", "b", "1"],
        ["SINTERSTORE", "d", "a", "b"], ["SINTERSTORE", "d", "a", "missing"],
        ["SUNIONSTORE", "d", "a", "b"], ["SUNIONSTORE", "d", "a", "b"],
        ["SDIFFSTORE", "d", "a", "a"], ["SDIFFSTORE", "d", "a", "a"],
        ["SINTERSTORE", "d", "a", "b"], ["SUNIONSTORE", "d", "missing"],
        ["SADD", "d", "x"], ["SINTERSTORE", "d", "missing", "a"],
        ["SINTER", "a", "b"], ["SMEMBERS", "a"], ["SRANDMEMBER", "a", "2"],
        ["SSCAN", "a", "0"], ["SINTERCARD", "1", "a"],
    ]
    conns = differ.conns
    for cmd in commands:
        before = {s: info_field(conns[s], "persistence", "rdb_changes_since_last_save")
                  for s in differ.SIDES}
        differ.check(*cmd, mode=TYPE_ONLY)
        delta = {s: info_field(conns[s], "persistence", "rdb_changes_since_last_save")
                 - before[s] for s in differ.SIDES}
        assert delta["shoal"] == delta["redis"], (cmd, delta)


def test_keyspace_hits_misses(differ):
    if not shoal_supports(differ, "INFO", "stats"):
        pytest.skip("INFO is not implemented in shoal yet")
    differ.check("SADD", "a", "1", "2")
    commands = [
        ["SINTERSTORE", "d", "a"], ["SUNIONSTORE", "d", "a", "missing"],
        ["SDIFFSTORE", "d", "a"], ["SINTER", "a", "a"], ["SMOVE", "a", "b", "1"],
        ["SMOVE", "b", "a", "1"], ["SPOP", "a", "0"], ["SREM", "a", "5"],
        ["SADD", "a", "1"], ["SINTERCARD", "2", "a", "missing"],
        ["SINTERSTORE", "d", "missing"], ["SMISMEMBER", "a", "1"],
        ["SISMEMBER", "missing", "1"], ["SCARD", "a"], ["SMEMBERS", "a"],
        ["SSCAN", "a", "0"], ["SSCAN", "missing", "0"], ["SRANDMEMBER", "a"],
        ["SRANDMEMBER", "a", "5"], ["SPOP", "a", "1"], ["SPOP", "missing"],
    ]
    conns = differ.conns
    for cmd in commands:
        before = {s: (info_field(conns[s], "stats", "keyspace_hits"),
                      info_field(conns[s], "stats", "keyspace_misses"))
                  for s in differ.SIDES}
        differ.check(*cmd, mode=TYPE_ONLY)
        after = {s: (info_field(conns[s], "stats", "keyspace_hits"),
                     info_field(conns[s], "stats", "keyspace_misses"))
                 for s in differ.SIDES}
        delta = {s: (after[s][0] - before[s][0], after[s][1] - before[s][1])
                 for s in differ.SIDES}
        assert delta["shoal"] == delta["redis"], (cmd, delta)


def test_copy_and_generic(differ):
    """COPY deep-copies both encodings (set_dup_value); DEL, TYPE, RENAME
    and expiry treat sets like any value."""
    if not shoal_supports(differ, "COPY", "nothing", "nothing2"):
        pytest.skip("COPY is not implemented in shoal yet")
    differ.check("SADD", "i", "1", "2", "3")
    differ.check("SADD", "h", "a", "b", *[str(i) for i in range(100)])
    for src in ("i", "h"):
        differ.check("COPY", src, src + "c")
        same_members(differ, src + "c")
        differ.check("SADD", src + "c", "new")
        differ.check("SREM", src + "c", "1")
        same_members(differ, src)
        same_members(differ, src + "c")
        differ.check("TYPE", src)
    differ.check("DEL", "i", "h", "ic", "hc")
    differ.check("SADD", "e", "x")
    differ.check("PEXPIRE", "e", "1")
    time.sleep(0.02)
    differ.check("SMEMBERS", "e")
    differ.check("SADD", "e", "y")
    differ.check("TTL", "e")


# ---------------------------------------------------------------- memory


def info_text(conn, section):
    return conn.call("INFO", section).value.decode()


@pytest.mark.parametrize("kind", ["member:N", "ints", "hex32"])
def test_memory_vs_redis(differ, kind):
    """used_memory growth for one 200,000-member hashtable set is at most
    redis-server's (the full bench uses 1,000,000). Only meaningful with
    jemalloc on both sides (sanitizer builds use libc malloc)."""
    if "mem_allocator:jemalloc" not in info_text(differ.conns["shoal"], "memory"):
        pytest.skip("shoal is not using jemalloc (sanitizer build?)")
    n = 200000

    def batch(i):
        if kind == "member:N":
            return [f"member:{j}" for j in range(i, i + 2000)]
        if kind == "ints":
            return [str(j) for j in range(i, i + 2000)]
        return [f"{j:032x}" for j in range(i, i + 2000)]

    growth = {}
    for s in differ.SIDES:
        conn = differ.conns[s]
        # Warm up the connection's buffers so only the set is measured.
        conn.call("SADD", "warm", *batch(n))
        conn.call("DEL", "warm")
        before = info_field(conn, "memory", "used_memory")
        for i in range(0, n, 2000):
            conn.call("SADD", "big", *batch(i))
        growth[s] = info_field(conn, "memory", "used_memory") - before
    differ.check("SCARD", "big")
    differ.check("OBJECT", "ENCODING", "big")
    ratio = growth["shoal"] / growth["redis"]
    print(f"{kind}: shoal {growth['shoal']} redis {growth['redis']} "
          f"ratio {ratio:.3f}")
    assert ratio <= 1.0, growth


# ---------------------------------------------------------------- random


MEMBERS = ([b"0", b"1", b"2", b"3", b"5", b"8", b"13", b"-1", b"-7", b"100",
            b"70000", b"-70000", b"4294967296", str(LLONG_MAX).encode(),
            str(LLONG_MIN).encode()] * 3
           + [b"01", b"+1", b"-0", b"1.5", b""]
           + [b"a", b"b", b"c", b"d", b"e", b"hello", b"\x00", b"x" * 50])
SET_KEYS = [b"s:%d" % i for i in range(6)]


def any_key(g):
    if g.chance(0.05):
        return b"str"
    if g.chance(0.05):
        return b"missing"
    return g.pick(SET_KEYS)


def some_members(g, lo=1, hi=5):
    return [g.pick(MEMBERS) for _ in range(g.rng.randint(lo, hi))]


def gen_sadd(g):
    return [g.name("SADD"), any_key(g), *some_members(g, 1, 8)]


def gen_srem(g):
    return [g.name("SREM"), any_key(g), *some_members(g)]


def gen_smove(g):
    return ["SMOVE", any_key(g), any_key(g), g.pick(MEMBERS)]


def gen_read(g):
    cmd = g.pick(["SISMEMBER", "SMISMEMBER", "SCARD", "SMEMBERS"])
    if cmd == "SISMEMBER":
        return [cmd, any_key(g), g.pick(MEMBERS)]
    if cmd == "SMISMEMBER":
        return [cmd, any_key(g), *some_members(g)]
    return [cmd, any_key(g)]


def gen_algebra(g):
    cmd = g.pick(["SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE",
                  "SDIFFSTORE", "SINTERCARD"])
    keys = [any_key(g) for _ in range(g.rng.randint(1, 4))]
    if cmd.endswith("STORE"):
        return [cmd, any_key(g), *keys]
    if cmd == "SINTERCARD":
        extra = ["LIMIT", str(g.rng.randint(-1, 5))] if g.chance(0.4) else []
        n = len(keys) if g.chance(0.9) else g.rng.randint(-1, 6)
        return [cmd, str(n), *keys, *extra]
    return [cmd, *keys]


def gen_srandmember(g):
    if g.chance(0.2):
        return ["SRANDMEMBER", any_key(g)]
    # Not int_arg: a huge negative count would make both servers stream
    # replies for ever.
    if g.chance(0.05):
        return ["SRANDMEMBER", any_key(g), g.pick(["x", "1.5", "", str(LLONG_MIN)])]
    return ["SRANDMEMBER", any_key(g), str(g.rng.randint(-12, 12))]


def gen_sscan(g):
    return ["SSCAN", any_key(g), "0", "COUNT", "1000",
            *(["MATCH", g.pick(["*", "1*", "?", "[a-c]", "-*"])] if g.chance(0.4) else [])]


def gen_misc(g):
    return g.pick([["SET", "str", "v"], ["DEL", any_key(g)],
                   ["OBJECT", "ENCODING", any_key(g)], ["TYPE", any_key(g)],
                   ["EXISTS", any_key(g)]])


def gen_spop(g):
    if g.chance(0.3):
        return ["SPOP", any_key(g)]
    return ["SPOP", any_key(g), str(g.rng.randint(-1, 12))]


GENERATORS = [(gen_sadd, 6), (gen_srem, 3), (gen_smove, 2), (gen_read, 3),
              (gen_algebra, 5), (gen_srandmember, 2), (gen_sscan, 1),
              (gen_misc, 1), (gen_spop, 2)]


def run_set_random(differ, n, seed=None):
    """Like diff.run_random, but SPOP is checked by check_spop (which
    resynchronises the two sides after their different random picks) and
    SRANDMEMBER/SSCAN by shape and membership."""
    seed = resolve_seed(seed)
    n = int(os.environ.get("DIFF_N", n))
    print(f"set random run: seed {seed}, {n} commands (replay with DIFF_SEED={seed})")
    rng = random.Random(seed)
    g = Gen(rng)
    fns = [f for f, _ in GENERATORS]
    weights = [w for _, w in GENERATORS]
    # A small intset limit so conversions happen often.
    differ.check("CONFIG", "SET", "set-max-intset-entries", "8")
    differ.seed = seed
    try:
        for _ in range(n):
            cmd = rng.choices(fns, weights)[0](g)
            name = cmd[0].upper() if isinstance(cmd[0], str) else cmd[0]
            if name == "SPOP":
                key = cmd[1]
                t = both(differ, "TYPE", key)
                if t["redis"].value == b"set" and len(cmd) == 3 and \
                        cmd[2].lstrip("-").isdigit() and int(cmd[2]) >= 0:
                    check_spop(differ, key, cmd[2])
                elif t["redis"].value == b"set" and len(cmd) == 2:
                    check_spop(differ, key)
                else:
                    differ.check(*cmd)
            elif name == "SRANDMEMBER":
                differ.check(*cmd, mode=TYPE_ONLY)
            elif name == "SSCAN":
                differ.check(*cmd, normalize=sorted_scan, mode=EXACT)
            else:
                differ.check(*cmd)
    finally:
        differ.seed = None
    for k in SET_KEYS:
        same_members(differ, k)
    return seed


def test_random(differ):
    """A fresh seed every run (printed; DIFF_SEED replays it)."""
    run_set_random(differ, 3000)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_fixed_seed(differ, seed):
    run_set_random(differ, 2000, seed=seed)


def test_random_resp3(differ):
    resp3(differ)
    run_set_random(differ, 2000, seed=4)
