"""Differential tests of the string commands (shard/t_string.c): every
option, boundary and error of SET, GET, GETEX, GETDEL, GETSET, SETNX, SETEX,
PSETEX, MSET, MSETNX, MGET, APPEND, STRLEN, GETRANGE, SETRANGE, SUBSTR,
INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT and LCS, in RESP2 and RESP3, plus
value encodings and a seeded random sequence. Replies must equal
redis-server's byte for byte. DIFF_SELFTEST=1 points both sides at
redis-server to check the tests themselves."""

import random
import time

import pytest

from differential.diff import BAD_INTS, FLOATS, INTS, run_random

LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808

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


def make_non_string(differ, key):
    """Store a non-string value at `key` on both sides with whichever type
    command shoal has; skip the test if it has none yet."""
    creators = [["LPUSH", key, "x"], ["SADD", key, "x"], ["HSET", key, "f", "v"],
                ["ZADD", key, "1", "m"], ["XADD", key, "*", "f", "v"]]
    differ.check("DEL", key)
    for cmd in creators:
        if shoal_supports(differ, *cmd):
            differ.conns["redis"].call(*cmd)
            differ.check("TYPE", key)
            return cmd[0]
    pytest.skip("shoal has no non-string type yet (LPUSH/SADD/HSET/ZADD/XADD)")


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


def encoding_check(differ, key):
    differ.check("OBJECT", "ENCODING", key)


# ---------------------------------------------------------------- SET

SET_OPTIONS = [
    [], ["NX"], ["XX"], ["GET"], ["KEEPTTL"], ["nx"], ["xX"], ["get"],
    ["keepttl"], ["NX", "XX"], ["XX", "NX"], ["NX", "NX"], ["XX", "XX"],
    ["GET", "GET"], ["NX", "GET"], ["GET", "NX"], ["XX", "GET"],
    ["EX", "100"], ["PX", "100000"], ["EXAT", "4102444800"],
    ["PXAT", "4102444800000"], ["ex", "100"], ["pX", "100000"],
    ["exat", "4102444800"], ["pxat", "4102444800000"],
    ["EX", "100", "EX", "200"], ["PX", "1000", "PX", "200000"],
    ["EXAT", "4102444800", "EXAT", "4102444801"],
    ["PXAT", "4102444800000", "PXAT", "4102444800001"],
    ["EX", "100", "PX", "100"], ["PX", "100", "EX", "100"],
    ["EX", "100", "EXAT", "4102444800"], ["EXAT", "4102444800", "EX", "100"],
    ["PX", "100", "PXAT", "4102444800000"], ["PXAT", "1", "PX", "100"],
    ["EXAT", "1", "PXAT", "1"], ["PXAT", "1", "EXAT", "1"],
    ["EX", "100", "KEEPTTL"], ["KEEPTTL", "EX", "100"], ["KEEPTTL", "PX", "1"],
    ["KEEPTTL", "EXAT", "1"], ["PXAT", "1", "KEEPTTL"], ["KEEPTTL", "KEEPTTL"],
    ["KEEPTTL", "GET"], ["KEEPTTL", "NX"], ["KEEPTTL", "XX", "GET"],
    ["EX"], ["PX"], ["EXAT"], ["PXAT"], ["NX", "EX"], ["GET", "PX"],
    ["EX", "0"], ["EX", "-1"], ["PX", "0"], ["PX", "-100"], ["EXAT", "0"],
    ["PXAT", "0"], ["EXAT", "-1"], ["EX", "abc"], ["EX", "1.5"], ["EX", ""],
    ["EX", " 10"], ["EX", "+10"], ["EX", "010"],
    ["EX", "9223372036854775"], ["EX", "9223372036854776"],
    ["EX", str(LLONG_MAX)], ["PX", str(LLONG_MAX)], ["PX", str(LLONG_MAX - 1)],
    ["PX", "9223372036000000000"], ["PX", "9000000000000000000"],
    ["EXAT", "9223372036854775"], ["EXAT", "9223372036854776"],
    ["PXAT", str(LLONG_MAX)], ["EX", "9223372036854775808"],
    ["PERSIST"], ["NOPE"], [""], ["N"], ["NXX"], ["EXX", "1"], ["EX100"],
    ["EX", "100", "GET", "XX"], ["GET", "EX", "100", "NX"],
    ["EX", "0", "GET"], ["EX", "abc", "NOPE"], ["NOPE", "EX", "abc"],
    [b"nx\x00junk"], [b"GET\x00"], [b"keepttl\x00x"], [b"ex\x00", "100"],
    [b"\x00NX"], [b"N\x00X"],
]


def test_set_options(differ):
    """Every option combination against a missing, a string and an expiring
    key: reply, value and TTL class must match."""
    for opts in SET_OPTIONS:
        for existing in (None, ["old"], ["old", "EX", "1000"], ["17"]):
            differ.check("DEL", "k")
            if existing is not None:
                differ.check("SET", "k", *existing)
            differ.check("SET", "k", "new", *opts)
            differ.check("GET", "k")
            differ.check("TTL", "k")
            differ.check("EXISTS", "k")


def test_set_errors_before_get(differ):
    """An invalid expiry is reported before GET's reply, and nothing is
    changed."""
    differ.check("SET", "k", "v", "EX", "100")
    differ.check("SET", "k", "w", "GET", "EX", "0")
    differ.check("SET", "k", "w", "GET", "PX", "x")
    differ.check("SET", "k", "w", "GET", "BAD")
    differ.check("GET", "k")
    differ.check("TTL", "k")


def test_set_values(differ):
    """Values of every shape round-trip, and are stored with Redis's
    encoding choice (int, embstr up to 44 bytes, raw)."""
    values = ([b"", b"0", b"1", b"-1", b"9999", b"10000", b"-0", b"01", b"+5",
               b" 5", b"5 ", b"1.5", b"1e5", b"0x1f", str(LLONG_MAX).encode(),
               str(LLONG_MIN).encode(), str(LLONG_MAX + 1).encode(),
               str(LLONG_MIN - 1).encode(), b"123456789012345678901",
               b"\x00", b"1\x00", b"\x001", b"\r\n", b"\xff\xfe"]
              + [b"a" * n for n in (1, 20, 21, 43, 44, 45, 46, 100, 1000, 70000)]
              + [b"7" * n for n in (19, 20, 21, 44, 45)])
    for v in values:
        differ.check("SET", "k", v)
        differ.check("GET", "k")
        differ.check("STRLEN", "k")
        encoding_check(differ, "k")
        differ.check("SET", b"key\x00" + v, v)
        differ.check("GET", b"key\x00" + v)


def test_set_get_option(differ):
    differ.check("SET", "k", "v", "GET")
    differ.check("SET", "k", "w", "GET")
    differ.check("SET", "k", "x", "NX", "GET")
    differ.check("GET", "k")
    differ.check("SET", "k", "y", "XX", "GET")
    differ.check("SET", "missing", "y", "XX", "GET")
    differ.check("EXISTS", "missing")
    differ.check("SET", "n", "12345")
    differ.check("SET", "n", "0", "GET")
    differ.check("SET", "n", "v", "GET")


def test_keepttl(differ):
    differ.check("SET", "k", "v", "EX", "1000")
    differ.check("SET", "k", "w", "KEEPTTL")
    differ.check("TTL", "k")
    differ.check("SET", "k", "x", "KEEPTTL", "GET")
    differ.check("TTL", "k")
    differ.check("SET", "k", "y")
    differ.check("TTL", "k")
    differ.check("SET", "k", "v", "EX", "1000")
    differ.check("SET", "k", "z", "XX", "KEEPTTL")
    differ.check("TTL", "k")


def test_keepttl_on_expired_key(differ):
    """An expired key is gone before SET looks at it: KEEPTTL keeps
    nothing, NX succeeds, XX fails."""
    for opts in (["KEEPTTL"], ["NX"], ["XX"], ["GET"], ["KEEPTTL", "GET"]):
        differ.check("SET", "k", "old", "PX", "5")
        time.sleep(0.03)
        differ.check("SET", "k", "new", *opts)
        differ.check("GET", "k")
        differ.check("TTL", "k")


def test_set_expire_in_the_past(differ):
    """EXAT/PXAT in the past: the reply is OK and the key is gone."""
    for opts in (["EXAT", "1"], ["PXAT", "1"], ["PXAT", "1000"],
                 ["EXAT", str(int(time.time()) - 10)]):
        differ.check("SET", "k", "v", *opts)
        differ.check("GET", "k")
        differ.check("EXISTS", "k")
        differ.check("TTL", "k")
        differ.check("SET", "k", "v")
        differ.check("SET", "k", "v", "XX", "GET", *opts)
        differ.check("EXISTS", "k")


def test_set_relative_expiry(differ):
    differ.check("SET", "k", "v", "EX", "100")
    differ.check("TTL", "k")
    differ.check("PTTL", "k")
    differ.check("SET", "k", "v", "PX", "100")
    time.sleep(0.2)
    differ.check("GET", "k")
    differ.check("SET", "k", "v", "EXAT", str(int(time.time()) + 1000))
    differ.check("TTL", "k")
    differ.check("SET", "k", "v", "PXAT", str(int(time.time() * 1000) + 10**6))
    differ.check("TTL", "k")


def test_setnx_setex_psetex(differ):
    differ.check("SETNX", "k", "v")
    differ.check("SETNX", "k", "w")
    differ.check("GET", "k")
    differ.check("SETNX", "n", "42")
    encoding_check(differ, "n")
    for cmd in ("SETEX", "PSETEX"):
        for t in ("100000", "1", "0", "-1", "abc", "", "1.5",
                  str(LLONG_MAX), "9223372036854775", "9223372036854776",
                  "9223372036854775808", "9000000000000000000"):
            if cmd == "PSETEX" and t == "1":
                # 1 ms could expire before the GET on a loaded machine.
                t = "1500"
            differ.check("SET", "k", "old")
            differ.check(cmd, "k", t, "new")
            differ.check("GET", "k")
            differ.check("TTL", "k")
        differ.check(cmd.lower(), "k", "100000", "99")
        encoding_check(differ, "k")
    differ.check("SETEX", "k", "10")
    differ.check("SETEX", "k", "10", "v", "x")
    differ.check("PSETEX", "k")
    differ.check("SETNX", "k")


# ---------------------------------------------------------------- GET family


def test_get_family_missing(differ):
    for cmd in (["GET", "m"], ["GETDEL", "m"], ["GETEX", "m"],
                ["GETEX", "m", "PERSIST"], ["GETEX", "m", "EX", "10"],
                ["GETEX", "m", "EX", "abc"], ["GETEX", "m", "EX", "0"],
                ["GETEX", "m", "BAD"], ["GETSET", "m", "v"], ["STRLEN", "m"],
                ["GETRANGE", "m", "0", "-1"], ["SUBSTR", "m", "0", "-1"],
                ["MGET", "m", "m2"], ["LCS", "m", "m2"], ["LCS", "m", "m2", "LEN"],
                ["LCS", "m", "m2", "IDX"]):
        differ.check(*cmd)
    differ.check("GET", "m")  # GETSET created it
    differ.check("TTL", "m")


GETEX_OPTIONS = [
    [], ["PERSIST"], ["persist"], ["EX", "100"], ["PX", "100000"],
    ["EXAT", "4102444800"], ["PXAT", "4102444800000"], ["EX", "100", "EX", "5"],
    ["PX", "5", "PX", "100000"], ["EX", "100", "PERSIST"], ["PERSIST", "EX", "100"],
    ["PERSIST", "PERSIST"], ["EX", "1", "PX", "1"], ["EXAT", "1", "PXAT", "1"],
    ["NX"], ["XX"], ["GET"], ["KEEPTTL"], ["EX"], ["PERSIST", "EX"], ["BOGUS"],
    ["EX", "0"], ["EX", "-5"], ["PX", "0"], ["EXAT", "0"], ["PXAT", "-1"],
    ["EX", "abc"], ["EX", "9223372036854775"], ["EX", "9223372036854776"],
    ["PX", str(LLONG_MAX)], ["PXAT", str(LLONG_MAX)], ["EXAT", "9223372036854776"],
    ["EXAT", "1"], ["PXAT", "1"], ["EXAT", str(int(time.time()) - 5)],
    [b"persist\x00x"], [b"ex\x00", "100"],
]


def test_getex(differ):
    for opts in GETEX_OPTIONS:
        for setup in (["v"], ["v", "EX", "1000"], ["12"]):
            differ.check("SET", "k", *setup)
            differ.check("GETEX", "k", *opts)
            differ.check("GET", "k")
            differ.check("TTL", "k")
            differ.check("EXISTS", "k")


def test_getdel_getset(differ):
    differ.check("SET", "k", "v", "EX", "1000")
    differ.check("GETDEL", "k")
    differ.check("EXISTS", "k")
    differ.check("GETDEL", "k")
    differ.check("SET", "k", "v", "EX", "1000")
    differ.check("GETSET", "k", "w")
    differ.check("TTL", "k")  # GETSET drops the TTL
    differ.check("GETSET", "k", "123")
    encoding_check(differ, "k")
    differ.check("GETSET", "k", "x" * 50)
    encoding_check(differ, "k")
    differ.check("GETSET", "k", "")
    differ.check("GET", "k")
    differ.check("GETDEL", "k", "x")
    differ.check("GETSET", "k")


def test_mset_msetnx_mget(differ):
    differ.check("MSET", "a", "1", "b", "2", "c", "3")
    differ.check("MGET", "a", "b", "c", "missing", "a")
    differ.check("MSET", "a", "x", "a", "y")
    differ.check("MGET", "a")
    differ.check("MSET", "a", "1", "b")
    differ.check("MSET", "a")
    differ.check("MSETNX", "a", "1", "b")
    differ.check("MSETNX", "a", "9", "z", "9")
    differ.check("MGET", "a", "z")
    differ.check("MSETNX", "x", "1", "y", "2")
    differ.check("MSETNX", "d", "1", "d", "2")
    differ.check("MGET", "x", "y", "d")
    differ.check("SET", "e", "v", "EX", "1000")
    differ.check("MSET", "e", "w")
    differ.check("TTL", "e")
    differ.check("MSET", "i", "100", "j", "x" * 45, "k", "x" * 44)
    for key in ("i", "j", "k"):
        encoding_check(differ, key)
    differ.check("mset", "A", "1")
    differ.check("msetnx", "B")


def test_msetnx_with_expired_key(differ):
    differ.check("SET", "a", "v", "PX", "5")
    time.sleep(0.03)
    differ.check("MSETNX", "a", "1", "b", "2")
    differ.check("MGET", "a", "b")


# ---------------------------------------------------------------- APPEND etc.


def test_append_strlen(differ):
    differ.check("APPEND", "k", "hello")
    encoding_check(differ, "k")
    differ.check("APPEND", "k", " world")
    encoding_check(differ, "k")
    differ.check("STRLEN", "k")
    differ.check("APPEND", "k", "")
    differ.check("GET", "k")
    differ.check("APPEND", "n", "123")  # a new key is encoded like SET's
    encoding_check(differ, "n")
    differ.check("APPEND", "n", "")
    encoding_check(differ, "n")  # any append makes it raw
    differ.check("INCR", "n")
    encoding_check(differ, "n")
    differ.check("APPEND", "e", "")
    differ.check("EXISTS", "e")
    encoding_check(differ, "e")
    differ.check("SET", "k", "v", "EX", "1000")
    differ.check("APPEND", "k", "w")
    differ.check("TTL", "k")
    differ.check("SET", "big", "x" * 100)
    for _ in range(5):
        differ.check("APPEND", "big", "y" * 1000)
    differ.check("GET", "big")
    differ.check("APPEND", b"bin", b"\x00\xff")
    differ.check("APPEND", b"bin", b"\r\n\x00")
    differ.check("GET", b"bin")
    differ.check("STRLEN", b"bin")
    differ.check("SET", "i", str(LLONG_MIN))
    differ.check("STRLEN", "i")
    differ.check("APPEND", "i", "0")
    differ.check("GET", "i")


def test_getrange(differ):
    cases = [(0, -1), (0, 0), (1, 3), (-3, -1), (-100, 100), (5, 2), (-1, -5),
             (-5, -1), (100, 200), (0, LLONG_MAX), (LLONG_MIN, 2),
             (LLONG_MIN, LLONG_MAX), (LLONG_MIN, LLONG_MIN), (-1, 0),
             (3, -100), (10, 10), (11, 11), (-11, -11), (-12, -12),
             ("a", 1), (1, "b"), (0, "1.5"), ("", 1), (" 1", 2),
             ("9223372036854775808", 1)]
    for start, end in cases:
        differ.check("GETRANGE", "missing", start, end)
        for value in ("Hello World", "", "12345", "-9223372036854775808",
                      "x" * 100):
            differ.check("SET", "k", value)
            differ.check("GETRANGE", "k", start, end)
            differ.check("SUBSTR", "k", start, end)


def test_setrange(differ):
    cases = [(0, "X"), (5, "World"), (20, "far"), (0, ""), (100, ""),
             (-1, "x"), (-1, ""), ("a", "x"), ("", "x"), (1.5, "x"),
             (0, "x" * 50), (4, b"\x00\xff"), (536870911, ""),
             (536870912, ""), (LLONG_MAX, "x"), (LLONG_MAX, ""),
             ("9223372036854775808", "x")]
    for offset, value in cases:
        for setup in (None, ["Hello"], ["12345"], ["Hello", "EX", "1000"]):
            differ.check("DEL", "k")
            if setup is not None:
                differ.check("SET", "k", *setup)
            differ.check("SETRANGE", "k", offset, value)
            differ.check("GET", "k")
            differ.check("STRLEN", "k")
            differ.check("TTL", "k")
            encoding_check(differ, "k")


def test_setrange_append_size_limit(differ):
    """proto-max-bulk-len bounds SETRANGE and APPEND (1 MB is the lowest
    value CONFIG SET accepts; the default, 512 MB, is only probed with
    offsets that fail before allocating)."""
    mb = 1024 * 1024
    differ.check("SETRANGE", "k", str(512 * mb), "x")
    differ.check("SETRANGE", "k", str(512 * mb - 1), "xy")
    differ.check("SETRANGE", "k", str(512 * mb), "")
    differ.check("EXISTS", "k")
    differ.check("CONFIG", "SET", "proto-max-bulk-len", str(mb))
    differ.check("SETRANGE", "k", str(mb - 1), "x")
    differ.check("STRLEN", "k")
    differ.check("SETRANGE", "k", str(mb - 1), "xy")
    differ.check("SETRANGE", "k", str(mb), "x")
    differ.check("SETRANGE", "k", str(mb), "")  # empty: no size check
    differ.check("SETRANGE", "new", str(mb), "x")
    differ.check("SETRANGE", "new", str(mb), "")
    differ.check("EXISTS", "new")
    differ.check("APPEND", "k", "")
    differ.check("APPEND", "k", "y")
    differ.check("SET", "s", "x" * (mb - 10))
    differ.check("APPEND", "s", "y" * 10)
    differ.check("APPEND", "s", "z")
    differ.check("APPEND", "s", "")
    differ.check("STRLEN", "s")
    differ.check("CONFIG", "SET", "proto-max-bulk-len", str(512 * mb))


# ---------------------------------------------------------------- counters

COUNTER_VALUES = [
    "0", "1", "-1", "41", "9998", "9999", "10000", "-10000",
    str(LLONG_MAX - 1), str(LLONG_MAX), str(LLONG_MIN), str(LLONG_MIN + 1),
    "abc", "", "1.5", " 1", "1 ", "01", "+1", "-0", str(LLONG_MAX + 1),
    b"\x001", b"1\x00", "12345678901234567890", "1e3",
]


def test_incr_decr_family(differ):
    cmds = [["INCR", "k"], ["DECR", "k"], ["INCRBY", "k", "5"],
            ["INCRBY", "k", "-5"], ["DECRBY", "k", "3"], ["DECRBY", "k", "-3"],
            ["INCRBY", "k", str(LLONG_MAX)], ["INCRBY", "k", str(LLONG_MIN)],
            ["DECRBY", "k", str(LLONG_MAX)], ["DECRBY", "k", str(LLONG_MIN)],
            ["DECRBY", "k", str(LLONG_MIN + 1)], ["INCRBY", "k", "0"]]
    for value in COUNTER_VALUES:
        for cmd in cmds:
            differ.check("SET", "k", value)
            differ.check(*cmd)
            differ.check("GET", "k")
            encoding_check(differ, "k")


def test_incrby_argument_errors(differ):
    """The increment is parsed before the key is looked at."""
    make_key_string = ["SET", "k", "abc"]
    for increment in ["abc", "", "1.0", " 2", "+2", "01", "9223372036854775808",
                      "-9223372036854775809", b"1\x00"]:
        differ.check(*make_key_string)
        differ.check("INCRBY", "k", increment)
        differ.check("DECRBY", "k", increment)
        differ.check("INCRBY", "missing", increment)
        differ.check("EXISTS", "missing")


def test_counter_encodings(differ):
    """Shared integers below 10000, private int objects above, in-place
    updates of private ones: the encoding is int throughout."""
    differ.check("SET", "k", "9998")
    for cmd in (["INCR", "k"], ["INCR", "k"], ["INCR", "k"], ["DECR", "k"],
                ["DECR", "k"], ["INCRBY", "k", "-10000"], ["DECR", "k"],
                ["INCR", "k"], ["INCRBY", "k", str(LLONG_MAX)]):
        differ.check(*cmd)
        encoding_check(differ, "k")
        if shoal_supports(differ, "OBJECT", "REFCOUNT", "k"):
            differ.check("OBJECT", "REFCOUNT", "k")
    differ.check("INCR", "fresh")
    encoding_check(differ, "fresh")
    differ.check("SET", "r", "x" * 5)
    differ.check("SETRANGE", "r", "0", "12345")  # raw text "12345"
    differ.check("INCR", "r")
    encoding_check(differ, "r")
    differ.check("SET", "t", "v", "EX", "1000")
    differ.check("SET", "t", "5", "KEEPTTL")
    differ.check("INCR", "t")
    differ.check("TTL", "t")  # INCR keeps the TTL


FLOAT_INCREMENTS = [
    "0", "1", "-1", "0.1", "-0.1", "1.5", "10.5", "3.0e3", "1e-5", "-1e-20",
    "5.0e3", "1e308", "-1e308", "1.7976931348623157e308", "1e4000", "1e4930",
    "inf", "-inf", "+inf", "nan", "abc", "", " 1", "1 ", "1.5x", "0x10",
    "1e5000", "-1e5000", "1e-5000", "00001.5", "+1.5", ".5", "5.", b"1\x00",
    "123456789012345678901234567890", "9223372036854775807",
    "-9223372036854775808", "3.141592653589793238462643383279",
]


def test_incrbyfloat(differ):
    starts = [None, "0", "10.5", "-3", "1.5e3", "12345", "abc", "",
              "1e4931", " 1", "9223372036854775807", "0.1"]
    for start in starts:
        for incr in FLOAT_INCREMENTS:
            differ.check("DEL", "k")
            if start is not None:
                differ.check("SET", "k", start)
            differ.check("INCRBYFLOAT", "k", incr)
            differ.check("GET", "k")
            encoding_check(differ, "k")


def test_incrbyfloat_sequence(differ):
    for incr in ["0.1"] * 12 + ["-0.3"] * 5 + ["1e10", "-1e10", "1e-17",
                                                "2.5", "-2.5e-3"]:
        differ.check("INCRBYFLOAT", "k", incr)
    differ.check("SET", "t", "1", "EX", "1000")
    differ.check("INCRBYFLOAT", "t", "0.5")
    differ.check("TTL", "t")
    differ.check("INCR", "t")  # "1.5" isn't an integer
    differ.check("INCRBYFLOAT", "n", "3")
    differ.check("INCR", "n")  # "3" stored as text still counts
    encoding_check(differ, "n")


# ---------------------------------------------------------------- LCS

LCS_OPTIONS = [
    [], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"], ["WITHMATCHLEN", "IDX"],
    ["IDX", "MINMATCHLEN", "2"], ["IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
    ["IDX", "MINMATCHLEN", "0"], ["IDX", "MINMATCHLEN", "-3"],
    ["IDX", "MINMATCHLEN", "100"], ["MINMATCHLEN", "2"], ["WITHMATCHLEN"],
    ["LEN", "WITHMATCHLEN"], ["LEN", "MINMATCHLEN", "3"], ["LEN", "IDX"],
    ["IDX", "LEN"], ["len"], ["idx", "withmatchlen"], ["IDX", "IDX"],
    ["LEN", "LEN"], ["MINMATCHLEN"], ["IDX", "MINMATCHLEN"],
    ["IDX", "MINMATCHLEN", "x"], ["IDX", "MINMATCHLEN", "1.5"],
    ["IDX", "MINMATCHLEN", str(LLONG_MAX)], ["FOO"], ["IDX", "FOO"],
    ["LEN", "IDX", "FOO"], [b"idx\x00x"], [b"len\x00"],
    ["MINMATCHLEN", "x", "LEN", "IDX"],
]

LCS_PAIRS = [
    ("ohmytext", "mynewtext"), ("", ""), ("abc", ""), ("", "abc"),
    ("abc", "abc"), ("abc", "def"), ("aaaa", "aa"), ("abcabcabc", "cbacba"),
    ("12345", "2345"), ("rosettacode", "raisethysword"),
    ("the quick brown fox", "a quick brown dog"), ("\x00\x01\x02", "\x02\x00"),
    ("x" * 300, "x" * 200 + "y" * 50),
]


def test_lcs(differ):
    for a, b in LCS_PAIRS:
        differ.check("MSET", "a", a, "b", b)
        for opts in LCS_OPTIONS:
            differ.check("LCS", "a", "b", *opts)
            differ.check("LCS", "b", "a", *opts)
        differ.check("LCS", "a", "missing", "IDX")
        differ.check("LCS", "missing", "b")
        differ.check("LCS", "a", "a", "IDX", "WITHMATCHLEN")


def test_lcs_random(differ):
    rng = random.Random(1234)
    for _ in range(150):
        alphabet = rng.choice(["ab", "abc", "acgt", "abcdefgh"])
        a = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        differ.check("MSET", "a", a, "b", b)
        differ.check("LCS", "a", "b")
        differ.check("LCS", "a", "b", "LEN")
        differ.check("LCS", "a", "b", "IDX", "WITHMATCHLEN")
        differ.check("LCS", "a", "b", "IDX", "MINMATCHLEN", str(rng.randrange(4)))


def test_lcs_integers_and_limits(differ):
    differ.check("SET", "a", "1234567")
    differ.check("SET", "b", "-91234")
    differ.check("LCS", "a", "b", "IDX", "WITHMATCHLEN")
    differ.check("LCS", "a", "b")
    differ.check("LCS", "a")
    # The DP table may not exceed proto-max-bulk-len.
    differ.check("CONFIG", "SET", "proto-max-bulk-len", str(1024 * 1024))
    differ.check("SET", "a", "x" * 600)
    differ.check("SET", "b", "y" * 600)
    for opts in ([], ["LEN"], ["IDX"]):
        differ.check("LCS", "a", "b", *opts)
    differ.check("SET", "b", "y" * 400)
    differ.check("LCS", "a", "b", "LEN")
    differ.check("LCS", "a", "b", "FOO")  # syntax is checked first
    differ.check("CONFIG", "SET", "proto-max-bulk-len", str(512 * 1024 * 1024))
    differ.check("SET", "a", "ab" * 1000)
    differ.check("SET", "b", "ba" * 1000)
    differ.check("LCS", "a", "b", "LEN")
    differ.check("LCS", "a", "b")


# ---------------------------------------------------------------- types


def test_wrongtype(differ):
    make_non_string(differ, "nots")
    differ.check("SET", "s", "v")
    for cmd in (["GET", "nots"], ["GETEX", "nots"], ["GETEX", "nots", "EX", "0"],
                ["GETEX", "nots", "BAD"], ["GETDEL", "nots"],
                ["GETSET", "nots", "v"], ["SET", "nots", "v", "GET"],
                ["SET", "nots", "v", "GET", "NX"], ["SET", "nots", "v", "GET", "EX", "0"],
                ["APPEND", "nots", "x"], ["STRLEN", "nots"],
                ["GETRANGE", "nots", "0", "-1"], ["GETRANGE", "nots", "x", "1"],
                ["SUBSTR", "nots", "0", "1"], ["SETRANGE", "nots", "0", "x"],
                ["SETRANGE", "nots", "0", ""], ["SETRANGE", "nots", "-1", "x"],
                ["INCR", "nots"], ["DECR", "nots"], ["INCRBY", "nots", "2"],
                ["INCRBY", "nots", "x"], ["DECRBY", "nots", "2"],
                ["DECRBY", "nots", str(LLONG_MIN)], ["INCRBYFLOAT", "nots", "1"],
                ["INCRBYFLOAT", "nots", "x"], ["MGET", "s", "nots", "missing"],
                ["LCS", "nots", "s"], ["LCS", "s", "nots"], ["LCS", "s", "nots", "FOO"],
                ["SETNX", "nots", "v"], ["MSETNX", "nots", "v"], ["TYPE", "nots"]):
        differ.check(*cmd)
    # Plain SET family commands overwrite any type.
    differ.check("SET", "nots", "v")
    differ.check("GET", "nots")
    make_non_string(differ, "nots")
    differ.check("MSET", "nots", "w")
    differ.check("GET", "nots")
    make_non_string(differ, "nots")
    differ.check("SETEX", "nots", "100", "w")
    differ.check("GET", "nots")


# ---------------------------------------------------------------- arity


def test_wrong_arity(differ):
    differ.check_all([
        ["GET"], ["GET", "a", "b"], ["SET", "k"], ["GETEX"], ["GETDEL"],
        ["GETDEL", "a", "b"], ["GETSET", "k"], ["GETSET", "k", "v", "x"],
        ["SETNX", "k"], ["SETEX", "k", "1"], ["PSETEX", "k", "1"], ["MSET"],
        ["MSETNX"], ["MGET"], ["APPEND", "k"], ["APPEND", "k", "v", "x"],
        ["STRLEN"], ["GETRANGE", "k", "0"], ["GETRANGE", "k", "0", "1", "2"],
        ["SETRANGE", "k", "0"], ["SUBSTR", "k", "0"], ["INCR"], ["DECR", "a", "b"],
        ["INCRBY", "k"], ["DECRBY", "k", "1", "2"], ["INCRBYFLOAT", "k"],
        ["LCS", "a"], ["LCS"],
    ])


# ---------------------------------------------------------------- RESP3


def test_resp3_replies(differ):
    resp3(differ)
    differ.check("GET", "missing")
    differ.check("SET", "k", "v")
    differ.check("SET", "k", "w", "GET")
    differ.check("SET", "k2", "w", "GET")
    differ.check("SET", "k", "x", "NX")
    differ.check("SET", "k", "x", "XX", "GET")
    differ.check("MGET", "k", "missing", "k2")
    differ.check("GETEX", "missing", "EX", "10")
    differ.check("GETDEL", "missing")
    differ.check("GETSET", "new", "1")
    differ.check("INCRBYFLOAT", "f", "1.5")
    differ.check("INCRBYFLOAT", "f", "abc")
    differ.check("INCR", "n")
    differ.check("SETNX", "n", "1")
    differ.check("MSETNX", "n", "1")
    differ.check("MSET", "a", "ohmytext", "b", "mynewtext")
    for opts in LCS_OPTIONS:
        differ.check("LCS", "a", "b", *opts)
    differ.check("LCS", "a", "missing", "IDX")
    differ.check("GETRANGE", "missing", "0", "1")
    differ.check("STRLEN", "missing")
    differ.check("HELLO", "2")
    differ.check("LCS", "a", "b", "IDX")


# ---------------------------------------------------------------- side effects


def test_dirty_counting(differ):
    """Each change counts in rdb_changes_since_last_save as in Redis (MSET
    one per key, no-op writes none)."""
    if not shoal_supports(differ, "INFO", "persistence"):
        pytest.skip("INFO is not implemented in shoal yet")
    commands = [
        ["SET", "k", "v"], ["SET", "k", "v", "NX"], ["SET", "k", "v", "XX"],
        ["SET", "k", "v", "EX", "1000"], ["SET", "k", "v", "GET"],
        ["SET", "k", "v", "EX", "0"], ["SETNX", "k", "v"], ["SETNX", "n", "v"],
        ["SETEX", "k", "100", "v"], ["PSETEX", "k", "100000", "v"],
        ["GET", "k"], ["GETEX", "k"], ["GETEX", "k", "PERSIST"],
        ["GETEX", "k", "PERSIST"], ["GETEX", "k", "EX", "100"],
        ["GETEX", "k", "PXAT", "1"], ["GETEX", "k", "EX", "100"],
        ["GETDEL", "k"], ["GETDEL", "k"], ["GETSET", "k", "1"],
        ["MSET", "a", "1", "b", "2", "c", "3"], ["MSETNX", "a", "1", "z", "2"],
        ["MSETNX", "y", "1", "z", "2"], ["APPEND", "a", "x"], ["APPEND", "q", ""],
        ["SETRANGE", "a", "1", ""], ["SETRANGE", "a", "1", "x"],
        ["SETRANGE", "m", "1", ""], ["INCR", "k"], ["INCRBY", "k", "x"],
        ["DECRBY", "k", "5"], ["INCRBYFLOAT", "k", "1.5"],
        ["INCRBYFLOAT", "k", "inf"], ["MGET", "a", "b"], ["LCS", "a", "b"],
        ["STRLEN", "a"], ["GETRANGE", "a", "0", "1"],
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
    """Reads count keyspace hits and misses; writes don't."""
    if not shoal_supports(differ, "INFO", "stats"):
        pytest.skip("INFO is not implemented in shoal yet")
    commands = [
        ["GET", "k"], ["SET", "k", "v"], ["GET", "k"], ["MGET", "k", "x", "k"],
        ["SET", "k", "v", "GET"], ["SET", "x", "v", "GET", "NX"], ["GETEX", "k"],
        ["GETDEL", "x"], ["GETSET", "x", "1"], ["STRLEN", "k"],
        ["GETRANGE", "k", "0", "1"], ["LCS", "k", "nope"], ["INCR", "x"],
        ["APPEND", "k", "v"], ["SETRANGE", "k", "0", "x"], ["INCRBYFLOAT", "x", "1"],
        ["SETNX", "k", "v"], ["MSETNX", "k", "v"],
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


def test_pipelined_counters(differ):
    commands = []
    for i in range(300):
        commands += [["INCR", f"c:{i % 7}"], ["INCRBY", f"c:{i % 5}", str(i)],
                     ["APPEND", f"s:{i % 3}", str(i)], ["GET", f"s:{i % 3}"],
                     ["SET", f"v:{i % 11}", str(i * 997), "GET"]]
    commands += [["MGET"] + [f"c:{i}" for i in range(7)] + [f"s:{i}" for i in range(3)]]
    differ.check_pipeline(commands)


# ---------------------------------------------------------------- random


def _expiry(g):
    now = int(time.time())
    return g.pick([
        ["EX", str(g.rng.randint(100, 100_000))],
        ["PX", str(g.rng.randint(100_000, 10**8))],
        ["EXAT", str(now + g.rng.randint(1000, 10**6))],
        ["PXAT", str((now + g.rng.randint(1000, 10**6)) * 1000)],
        ["EXAT", str(g.rng.randint(1, 10**6))],  # in the past
        ["PXAT", str(g.rng.randint(1, 10**9))],
        ["EX", g.pick(["0", "-5", "abc", str(LLONG_MAX), "9223372036854776"])],
        ["PX", g.pick(["0", "-1", "1.5", str(LLONG_MAX)])],
    ])


def gen_set(g):
    opts = []
    if g.chance(0.3):
        opts.append(g.pick(["NX", "XX"]))
    if g.chance(0.35):
        opts += _expiry(g)
    elif g.chance(0.1):
        opts.append("KEEPTTL")
    if g.chance(0.25):
        opts.append("GET")
    if g.chance(0.04):
        opts.append(g.pick(["NX", "XX", "KEEPTTL", "EX", "PERSIST", "BOGUS"]))
    if g.chance(0.1):
        g.rng.shuffle(opts)
    opts = [g.name(o, 0.2) for o in opts]
    return [g.name("SET"), g.key(), g.value()] + opts


def gen_getex(g):
    opts = []
    if g.chance(0.5):
        opts += _expiry(g)
    if g.chance(0.2):
        opts.append("PERSIST")
    if g.chance(0.03):
        opts.append(g.pick(["NX", "GET", "KEEPTTL", "EX"]))
    return [g.name("GETEX"), g.key()] + opts


def gen_get(g):
    return [g.name("GET"), g.key()]


def gen_getdel(g):
    return [g.name("GETDEL"), g.key()]


def gen_getset(g):
    return [g.name("GETSET"), g.key(), g.value()]


def gen_setnx(g):
    return [g.name("SETNX"), g.key(), g.value()]


def gen_setex(g):
    if g.chance(0.5):
        return [g.name("SETEX"), g.key(), str(g.rng.randint(-1, 10**5)), g.value()]
    return [g.name("PSETEX"), g.key(), str(g.rng.randint(-1, 10**8)), g.value()]


def gen_mset(g):
    args = [g.name(g.pick(["MSET", "MSETNX"]))]
    for _ in range(g.rng.randint(1, 3)):
        args += [g.key(), g.value()]
    if g.chance(0.05):
        args.pop()
    return args


def gen_mget(g):
    return [g.name("MGET")] + g.keys(1, 4)


def gen_append(g):
    return [g.name("APPEND"), g.key(), g.value()]


def gen_strlen(g):
    return [g.name("STRLEN"), g.key()]


def gen_getrange(g):
    return [g.name(g.pick(["GETRANGE", "SUBSTR"])), g.key(), g.int_arg(0.05),
            g.int_arg(0.05)]


def gen_setrange(g):
    offset = str(g.rng.randint(0, 40)).encode()
    if g.chance(0.05):
        offset = g.pick([b"-1", b"abc", b"536870912", b"9223372036854775807"])
    return [g.name("SETRANGE"), g.key(), offset, g.value()]


def gen_incr(g):
    return [g.name(g.pick(["INCR", "DECR"])), g.key()]


def gen_incrby(g):
    return [g.name(g.pick(["INCRBY", "DECRBY"])), g.key(), g.int_arg()]


def gen_incrbyfloat(g):
    pool = g.pick([FLOATS, INTS, FLOATS, BAD_INTS])
    return [g.name("INCRBYFLOAT"), g.key(), g.pick(pool)]


def gen_lcs(g):
    opts = g.pick([[], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"],
                   ["IDX", "MINMATCHLEN", str(g.rng.randint(-1, 4))],
                   ["IDX", "WITHMATCHLEN", "MINMATCHLEN", "2"], ["LEN", "IDX"],
                   ["BOGUS"]])
    return [g.name("LCS"), g.key(), g.key()] + opts


def gen_ttl(g):
    return [g.name("TTL"), g.key()]


def gen_encoding(g):
    return ["OBJECT", "ENCODING", g.key()]


def gen_del(g):
    return ["DEL"] + g.keys(1, 2)


GENERATORS = [
    (gen_set, 8), (gen_get, 6), (gen_getex, 3), (gen_getdel, 1), (gen_getset, 2),
    (gen_setnx, 2), (gen_setex, 2), (gen_mset, 3), (gen_mget, 3), (gen_append, 4),
    (gen_strlen, 2), (gen_getrange, 3), (gen_setrange, 3), (gen_incr, 4),
    (gen_incrby, 3), (gen_incrbyfloat, 3), (gen_lcs, 2), (gen_ttl, 2),
    (gen_encoding, 2), (gen_del, 1),
]


def test_random(differ):
    """A fresh seed every run (printed on failure; DIFF_SEED replays it)."""
    run_random(differ, GENERATORS, n=3000)


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_random_fixed_seed(differ, seed):
    run_random(differ, GENERATORS, n=2000, seed=seed)


def test_random_resp3(differ):
    resp3(differ)
    run_random(differ, GENERATORS, n=2000, seed=44)
