"""Differential tests of the first command set (connection, strings, keys,
TTL classes, errors): every reply must equal redis-server's, error strings
included. Run with DIFF_SELFTEST=1 to point both sides at redis-server."""

import time

import pytest

from differential.diff import (EXACT, TYPE_ONLY, UNORDERED, UNORDERED_PAIRS,
                               canonical, run_random, ttl_class)
from lib import resp

# ---------------------------------------------------------------- fixed cases


def test_ping_echo(differ):
    differ.check("PING")
    differ.check("PING", "hello")
    differ.check("PING", "")
    differ.check("ECHO", "hello")
    differ.check("ECHO", b"\x00\xff\r\n")
    differ.check("ECHO", "")
    differ.check("ping")
    differ.check("PiNg", "x")


def test_set_get(differ):
    differ.check("GET", "k")
    differ.check("SET", "k", "v")
    differ.check("GET", "k")
    differ.check("SET", "k", "")
    differ.check("GET", "k")
    differ.check("SET", b"bin\x00key", b"\x00\x01\xff")
    differ.check("GET", b"bin\x00key")
    differ.check("SET", "k", "x" * 100_000)
    differ.check("GET", "k")
    differ.check("SET", "", "empty key")
    differ.check("GET", "")


SET_OPTION_CASES = [
    ["NX"], ["XX"], ["NX", "XX"], ["XX", "NX"], ["GET"], ["NX", "GET"],
    ["XX", "GET"], ["EX", "100"], ["PX", "100000"], ["EX", "0"], ["EX", "-1"],
    ["PX", "0"], ["EX", "abc"], ["EX", "1.5"], ["EX"], ["PX"],
    ["EX", "100", "PX", "100000"], ["EX", "100", "EX", "100"],
    ["EX", "9223372036854775807"], ["PX", "9223372036854775807"],
    ["EX", "100", "KEEPTTL"], ["KEEPTTL"], ["KEEPTTL", "GET"],
    ["EXAT", "1"], ["PXAT", "1"], ["EXAT", "0"], ["NOPE"], ["ex", "100"],
    ["GET", "GET"], ["EX", "100", "GET", "XX"],
]


# Table-driven tests loop over their cases on one pair of servers (starting
# servers per case is slow); a mismatch report shows the failing command.


def test_set_options(differ):
    for opts in SET_OPTION_CASES:
        for existing in (None, "old"):
            differ.check("DEL", "k")
            if existing is not None:
                differ.check("SET", "k", existing, "EX", "1000")
            differ.check("SET", "k", "new", *opts)
            differ.check("GET", "k")
            differ.check("TTL", "k")


def test_set_get_option_on_wrong_value(differ):
    differ.check("SET", "k", "v", "GET")
    differ.check("SET", "k", "w", "GET")
    differ.check("SET", "k", "v", "NX", "GET")


def test_keepttl(differ):
    differ.check("SET", "k", "v", "EX", "1000")
    differ.check("SET", "k", "w", "KEEPTTL")
    differ.check("TTL", "k")
    differ.check("SET", "k", "x")
    differ.check("TTL", "k")


def test_exat_future(differ):
    at = str(int(time.time()) + 1000)
    differ.check("SET", "k", "v", "EXAT", at)
    differ.check("TTL", "k")
    differ.check("SET", "k", "v", "PXAT", at + "000")
    differ.check("TTL", "k")


def test_ttl_classes(differ):
    differ.check("TTL", "missing")
    differ.check("SET", "k", "v")
    differ.check("TTL", "k")
    differ.check("SET", "k", "v", "PX", "500000")
    differ.check("TTL", "k")
    differ.check("TTL")
    differ.check("TTL", "a", "b")


INCR_VALUES = [
    "0", "1", "-1", "41", "9223372036854775806", "9223372036854775807",
    "-9223372036854775808", "-9223372036854775807", "abc", "", "1.5", " 1",
    "1 ", "01", "+1", "-0", "9223372036854775808", "\x001", "12345678901234567890",
]


def test_incr_family(differ):
    for value in INCR_VALUES:
        for cmd in (["INCR", "k"], ["DECR", "k"], ["INCRBY", "k", "5"],
                    ["INCRBY", "k", "-5"], ["DECRBY", "k", "3"]):
            differ.check("SET", "k", value)
            differ.check(*cmd)
            differ.check("GET", "k")


INCRBY_ARGS = [
    "0", "1", "-1", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "abc", "", "1.0", " 2",
]


def test_incrby_arguments(differ):
    for increment in INCRBY_ARGS:
        differ.check("DEL", "k")
        differ.check("INCRBY", "k", increment)
        differ.check("SET", "k", "10")
        differ.check("INCRBY", "k", increment)
        differ.check("DECRBY", "k", increment)
        differ.check("GET", "k")


def test_incr_missing_key(differ):
    differ.check("INCR", "a")
    differ.check("DECR", "b")
    differ.check("INCRBY", "c", "-7")
    differ.check("MGET", "a", "b", "c")


def test_append_strlen(differ):
    differ.check("STRLEN", "k")
    differ.check("APPEND", "k", "hello")
    differ.check("APPEND", "k", " world")
    differ.check("APPEND", "k", "")
    differ.check("STRLEN", "k")
    differ.check("GET", "k")
    differ.check("SET", "n", "12")
    differ.check("APPEND", "n", "34")
    differ.check("INCR", "n")
    differ.check("STRLEN", "n")
    differ.check("SET", "n", "-9223372036854775808")
    differ.check("STRLEN", "n")
    differ.check("APPEND", "new", "")
    differ.check("EXISTS", "new")


GETRANGE_CASES = [
    (0, -1), (0, 0), (1, 3), (-3, -1), (-100, 100), (5, 2), (-1, -5),
    (100, 200), (0, 9223372036854775807), (-9223372036854775808, 2),
    ("a", 1), (1, "b"), (0, "1.5"),
]


def test_getrange(differ):
    for start, end in GETRANGE_CASES:
        differ.check("GETRANGE", "missing", start, end)
        for value in ("Hello World", "", "12345"):  # "12345": int encoding
            differ.check("SET", "k", value)
            differ.check("GETRANGE", "k", start, end)


SETRANGE_CASES = [
    (0, "X"), (5, "World"), (20, "far"), (0, ""), (100, ""), (-1, "x"),
    ("a", "x"), (536870912, "x"), (536870912, ""), (1.5, "x"),
]


def test_setrange(differ):
    for offset, value in SETRANGE_CASES:
        differ.check("DEL", "missing")
        differ.check("SETRANGE", "missing", offset, value)
        differ.check("GET", "missing")
        differ.check("SET", "k", "Hello")
        differ.check("SETRANGE", "k", offset, value)
        differ.check("GET", "k")
        differ.check("STRLEN", "k")


def test_mset_mget(differ):
    differ.check("MSET", "a", "1", "b", "2", "c", "3")
    differ.check("MGET", "a", "b", "c", "missing")
    differ.check("MSET", "a", "x", "a", "y")
    differ.check("MGET", "a", "a")
    differ.check("MSET", "a", "1", "b")
    differ.check("MSET")
    differ.check("MGET")
    differ.check("MSET", "k", "v", "EX", "10")  # EX is just a key here


def test_del_exists(differ):
    differ.check("MSET", "a", "1", "b", "2")
    differ.check("EXISTS", "a")
    differ.check("EXISTS", "a", "a", "b", "missing")
    differ.check("DEL", "a", "a", "missing")
    differ.check("EXISTS", "a", "b")
    differ.check("DEL", "b")
    differ.check("DEL", "b")
    differ.check("EXISTS")
    differ.check("DEL")


def test_type(differ):
    differ.check("TYPE", "k")
    differ.check("SET", "k", "v")
    differ.check("TYPE", "k")
    differ.check("SET", "n", "12")
    differ.check("INCR", "n")
    differ.check("TYPE", "n")
    differ.check("TYPE")


def test_unknown_command(differ):
    differ.check_all([
        ["NOSUCHCMD"], ["nosuchcmd", "a", "b"], ["FOO", "x" * 200],
        ["FOO", "a b", "c\r\nd"], ["FOO", b"\x00bin"], [""], ["GET2", "k"],
        ["FOO"] + [str(i) for i in range(40)], ["x" * 200],
    ])


WRONG_ARITY = [
    ["GET"], ["GET", "a", "b"], ["SET"], ["SET", "k"], ["DEL"], ["EXISTS"],
    ["INCR"], ["INCR", "a", "b"], ["INCRBY", "k"], ["DECR"], ["APPEND", "k"],
    ["STRLEN"], ["STRLEN", "a", "b"], ["GETRANGE", "k", "0"], ["SETRANGE", "k", "0"],
    ["MGET"], ["MSET"], ["MSET", "a"], ["MSET", "a", "1", "b"], ["TYPE"],
    ["ECHO"], ["ECHO", "a", "b"], ["PING", "a", "b"], ["TTL"], ["get"], ["SeT", "k"],
]


def test_wrong_arity(differ):
    differ.check_all(WRONG_ARITY)


def test_pipelined(differ):
    commands = []
    for i in range(200):
        commands += [["SET", f"key:{i}", i], ["INCR", f"key:{i}"],
                     ["APPEND", f"key:{i}", "x"], ["GET", f"key:{i}"]]
    commands += [["NOSUCH", "a"], ["GET"], ["MGET"] + [f"key:{i}" for i in range(200)]]
    differ.check_pipeline(commands)


def test_inline_commands(differ):
    differ.check_raw(b"PING\r\n")
    differ.check_raw(b"SET k v\r\nGET k\r\n", replies=2)
    differ.check_raw(b"ECHO \"a b\"\r\n")
    differ.check_raw(b"\r\n\r\nPING\r\n")


def test_protocol_errors(differ):
    """Malformed requests: same error, and the connection closes on both."""
    differ.check_raw(b"*1\r\n$-5\r\n")
    differ.check_raw(b"*x\r\n")
    differ.check_raw(b"*1\r\nfoo\r\n")
    differ.check_raw(b'SET k "unbalanced\r\n')
    differ.check_raw(b"*0\r\n*-1\r\nPING\r\n")
    # An incomplete command gets no reply and keeps the connection open.
    differ.check_raw(b"*2\r\n$3\r\nGET\r\n", replies=0)


# ---------------------------------------------------------------- random


def gen_ping(g):
    return [g.name("PING")] + ([g.value()] if g.chance(0.5) else [])


def gen_echo(g):
    return [g.name("ECHO"), g.value()]


def gen_set(g):
    cmd = [g.name("SET"), g.key(), g.value()]
    opts = []
    if g.chance(0.3):
        opts.append(g.pick(["NX", "XX"]))
    if g.chance(0.3):
        opts += g.pick([
            ["EX", str(g.rng.randint(100, 100_000))],
            ["PX", str(g.rng.randint(100_000, 10**8))],
            ["EXAT", str(int(time.time()) + g.rng.randint(1000, 10**6))],
            ["KEEPTTL"],
            ["EX", g.pick(["0", "-5", "abc", "9223372036854775807"])],
        ])
    if g.chance(0.25):
        opts.append("GET")
    if g.chance(0.03):
        opts.append(g.pick(["NX", "XX", "KEEPTTL", "EX", "BOGUS"]))  # conflicts, syntax errors
    if g.chance(0.1):
        g.rng.shuffle(opts)
    return cmd + opts


def gen_get(g):
    return [g.name("GET"), g.key()]


def gen_del(g):
    return [g.name("DEL")] + g.keys(1, 3)


def gen_exists(g):
    return [g.name("EXISTS")] + g.keys(1, 4)


def gen_incr(g):
    return [g.name(g.pick(["INCR", "DECR"])), g.key()]


def gen_incrby(g):
    return [g.name(g.pick(["INCRBY", "DECRBY"])), g.key(), g.int_arg()]


def gen_append(g):
    return [g.name("APPEND"), g.key(), g.value()]


def gen_strlen(g):
    return [g.name("STRLEN"), g.key()]


def gen_getrange(g):
    return [g.name("GETRANGE"), g.key(), g.int_arg(0.05), g.int_arg(0.05)]


def gen_setrange(g):
    offset = str(g.rng.randint(0, 40)).encode()
    if g.chance(0.05):
        offset = g.pick([b"-1", b"abc", b"536870912"])
    return [g.name("SETRANGE"), g.key(), offset, g.value()]


def gen_mset(g):
    args = [g.name("MSET")]
    for _ in range(g.rng.randint(1, 3)):
        args += [g.key(), g.value()]
    if g.chance(0.05):
        args.pop()
    return args


def gen_mget(g):
    return [g.name("MGET")] + g.keys(1, 4)


def gen_type(g):
    return [g.name("TYPE"), g.key()]


def gen_ttl(g):
    return [g.name("TTL"), g.key()]


def gen_unknown(g):
    return [g.pick(["NOSUCH", "fOo", "GETT", "SET2"])] + [g.value() for _ in range(g.rng.randint(0, 3))]


def gen_wrong_arity(g):
    return g.pick([
        ["GET"], ["GET", g.key(), g.key()], ["SET", g.key()], ["DEL"], ["INCR"],
        ["INCRBY", g.key()], ["APPEND", g.key()], ["STRLEN"], ["MGET"], ["MSET", g.key()],
        ["GETRANGE", g.key(), "1"], ["SETRANGE", g.key()], ["TYPE"], ["TTL"], ["ECHO"],
        ["PING", "a", "b"], ["EXISTS"],
    ])


GENERATORS = [
    (gen_ping, 1), (gen_echo, 1), (gen_set, 6), (gen_get, 6), (gen_del, 2),
    (gen_exists, 2), (gen_incr, 3), (gen_incrby, 3), (gen_append, 3),
    (gen_strlen, 2), (gen_getrange, 3), (gen_setrange, 2), (gen_mset, 2),
    (gen_mget, 3), (gen_type, 2), (gen_ttl, 2), (gen_unknown, 1),
    (gen_wrong_arity, 1),
]


def test_random(differ):
    """A fresh seed every run (printed on failure; DIFF_SEED replays it)."""
    run_random(differ, GENERATORS, n=2000)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_fixed_seed(differ, seed):
    """The same sequences every run, so a regression shows up at once."""
    run_random(differ, GENERATORS, n=1000, seed=seed)


# ---------------------------------------------------------------- framework

# No servers needed: checks of the RESP parser and the comparison modes.

RESP3_SAMPLES = [
    b"+OK\r\n", b"-ERR x y\r\n", b":-12\r\n", b"$3\r\nfoo\r\n", b"$0\r\n\r\n",
    b"$-1\r\n", b"*-1\r\n", b"*0\r\n", b"*2\r\n$1\r\na\r\n:1\r\n", b"_\r\n",
    b",1.5\r\n", b",inf\r\n", b"#t\r\n", b"#f\r\n", b"(123456789012345678901\r\n",
    b"!5\r\nERR x\r\n", b"=7\r\ntxt:abc\r\n", b"%1\r\n+a\r\n:1\r\n",
    b"~2\r\n+a\r\n+b\r\n", b">2\r\n+message\r\n$1\r\nx\r\n",
    b"|1\r\n+ttl\r\n:3\r\n+OK\r\n",
]


@pytest.mark.parametrize("wire", RESP3_SAMPLES, ids=repr)
def test_parser_round_trip(wire):
    reply, end = resp.parse(wire)
    assert end == len(wire)
    assert resp.encode_reply(reply) == wire
    for cut in range(len(wire)):
        with pytest.raises(resp.Incomplete):
            resp.parse(wire[:cut])


@pytest.mark.parametrize("wire", [b"?x\r\n", b":1x\r\n", b"$3\r\nfoobar\r\n", b"#x\r\n"])
def test_parser_rejects(wire):
    with pytest.raises(resp.ProtocolError):
        resp.parse(wire)


def test_wire_types_are_distinct():
    assert resp.simple("OK") != resp.bulk("OK")
    assert resp.integer(1) != resp.boolean(True)
    assert resp.NIL != resp.NIL_ARRAY != resp.NULL3


def test_comparison_modes():
    a = resp.array(resp.bulk("x"), resp.bulk("y"))
    b = resp.array(resp.bulk("y"), resp.bulk("x"))
    assert canonical(a, EXACT) != canonical(b, EXACT)
    assert canonical(a, UNORDERED) == canonical(b, UNORDERED)
    assert canonical(a, TYPE_ONLY) == canonical(resp.array(resp.bulk("1"), resp.bulk("2")), TYPE_ONLY)
    assert canonical(a, TYPE_ONLY) != canonical(resp.array(resp.bulk("1")), TYPE_ONLY)
    pairs = resp.array(*map(resp.bulk, ["f1", "v1", "f2", "v2"]))
    swapped = resp.array(*map(resp.bulk, ["f2", "v2", "f1", "v1"]))
    crossed = resp.array(*map(resp.bulk, ["f1", "v2", "f2", "v1"]))
    assert canonical(pairs, UNORDERED_PAIRS) == canonical(swapped, UNORDERED_PAIRS)
    assert canonical(pairs, UNORDERED_PAIRS) != canonical(crossed, UNORDERED_PAIRS)
    # Errors compare exactly whatever the mode.
    assert canonical(resp.error("ERR a"), TYPE_ONLY) != canonical(resp.error("ERR b"), TYPE_ONLY)
    assert ttl_class(resp.integer(5)) == ttl_class(resp.integer(100))
    assert ttl_class(resp.integer(-1)) != ttl_class(resp.integer(-2))
