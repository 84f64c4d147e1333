"""Differential tests of the bitmap commands (shard/bitops.c): SETBIT,
GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO, every option,
range rule and error, on raw, embstr and int-encoded strings, plus the
write accounting (dirty counter) and seeded random sequences. Replies must
equal redis-server's byte for byte. DIFF_SELFTEST=1 points both sides at
redis-server to check the tests themselves."""

import itertools
import random

import pytest

from differential.diff import BAD_INTS, INTS, resolve_seed, run_random

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


def resp3(differ):
    """Switch both connections to RESP3, or skip if shoal lacks HELLO."""
    if not shoal_supports(differ, "HELLO", "3"):
        pytest.skip("HELLO is not implemented in shoal yet: RESP3 untested")
    differ.check("HELLO", "3")


def make_non_string(differ, key):
    """A non-string value at `key` on both sides (whichever type shoal has)."""
    for cmd in (["SADD", key, "x"], ["HSET", key, "f", "v"],
                ["RPUSH", key, "x"], ["ZADD", key, "1", "m"]):
        differ.check("DEL", key)
        if shoal_supports(differ, *cmd):
            differ.conns["redis"].call(*cmd)
            differ.check("TYPE", key)
            return
    pytest.skip("shoal has no non-string type yet")


def dirty(conn):
    text = conn.call("INFO", "persistence").value.decode()
    for line in text.split("\r\n"):
        if line.startswith("rdb_changes_since_last_save:"):
            return int(line.split(":", 1)[1])
    raise AssertionError("INFO persistence has no rdb_changes_since_last_save")


def check_dirty(differ, *command):
    """Run a command on both sides and require the same reply and the same
    change in the dirty counter (what Redis counts as writes)."""
    before = {s: dirty(differ.conns[s]) for s in differ.SIDES}
    differ.check(*command)
    delta = {s: dirty(differ.conns[s]) - before[s] for s in differ.SIDES}
    assert delta["shoal"] == delta["redis"], (command, delta)


def set_both(differ, key, value):
    differ.check("SET", key, value)


# Values of every string encoding and some bit patterns.
VALUES = [b"", b"\x00", b"\xff", b"\x01", b"\x80", b"a", b"foobar",
          b"\xff\xf0\x00", b"\x00\x00\x01", b"\x00\x0f\xff\xff",
          b"\xff" * 20, b"\x00" * 20, b"\x00" * 19 + b"\x10",
          b"\xff" * 19 + b"\xef", b"12", b"-1", b"0", b"123456789",
          b"9223372036854775807", b"x" * 50, b"\xaa\x55" * 30]


# ---------------------------------------------------------------- SETBIT/GETBIT


def test_setbit_getbit_basic(differ):
    for off in ["0", "1", "7", "8", "9", "15", "100", "1000", "7"]:
        differ.check("SETBIT", "k", off, "1")
        differ.check("GET", "k")
        differ.check("GETBIT", "k", off)
    differ.check("SETBIT", "k", "7", "0")
    differ.check("SETBIT", "k", "7", "0")
    differ.check("GET", "k")
    differ.check("STRLEN", "k")
    differ.check("OBJECT", "ENCODING", "k")
    for off in ["0", "1", "6", "7", "999", "1000", "1001", "100000", "4294967295"]:
        differ.check("GETBIT", "k", off)
        differ.check("GETBIT", "missing", off)
    differ.check("BITCOUNT", "k")


def test_setbit_getbit_errors(differ):
    differ.check("SET", "k", "v")
    for off in ["-1", "abc", "", "1.5", " 1", "+1", "01", "0x10",
                "4294967296", "9223372036854775807",
                "-9223372036854775808", "99999999999999999999", "#1"]:
        differ.check("SETBIT", "k", off, "1")
        differ.check("SETBIT", "k", off, "2")
        differ.check("GETBIT", "k", off)
        differ.check("GETBIT", "missing", off)
    # The largest valid offset makes a 512 MB string: check it by its
    # length and bits, not by sending it over the wire.
    differ.check("SETBIT", "big", "4294967295", "1")
    differ.check("SETBIT", "big", "4294967295", "2")
    differ.check("GETBIT", "big", "4294967295")
    differ.check("GETBIT", "big", "4294967294")
    differ.check("STRLEN", "big")
    differ.check("DEL", "big")
    for bit in ["2", "-1", "abc", "", "1.0", "01", "+1", " 1", "11",
                "9223372036854775807", "-9223372036854775808", "0", "1"]:
        differ.check("SETBIT", "k", "3", bit)
        differ.check("SETBIT", "missing2", "3", bit)
    differ.check("GET", "k")
    differ.check("EXISTS", "missing", "missing2")
    differ.check("SETBIT", "k", "1")
    differ.check("SETBIT", "k", "1", "1", "1")
    differ.check("GETBIT", "k")
    differ.check("GETBIT", "k", "1", "2")


def test_setbit_encodings(differ):
    """Int and embstr values are read as their bytes and become raw on a
    SETBIT, even one that changes nothing."""
    for value in [b"12", b"-7", b"0", b"1234567", b"short", b"x" * 44,
                  b"x" * 45]:
        for off, bit in [("0", "0"), ("2", "1"), ("3", "1"), ("60", "1"),
                         ("7", "0")]:
            set_both(differ, "k", value)
            differ.check("OBJECT", "ENCODING", "k")
            differ.check("GETBIT", "k", off)
            differ.check("SETBIT", "k", off, bit)
            differ.check("OBJECT", "ENCODING", "k")
            differ.check("GET", "k")


def test_setbit_wrongtype(differ):
    make_non_string(differ, "nk")
    differ.check("SETBIT", "nk", "1", "1")
    differ.check("GETBIT", "nk", "1")
    differ.check("SETBIT", "nk", "-1", "1")  # argument errors come first
    differ.check("SETBIT", "nk", "1", "5")
    differ.check("GETBIT", "nk", "x")


def test_setbit_keeps_ttl(differ):
    differ.check("SET", "k", "abc", "EX", "1000")
    differ.check("SETBIT", "k", "100", "1")
    differ.check("TTL", "k")
    differ.check("GET", "k")


def test_offset_limit_follows_proto_max_bulk_len(differ):
    differ.check("CONFIG", "SET", "proto-max-bulk-len", "1048576")
    last = str(8 * 1048576 - 1)
    differ.check("SETBIT", "k", str(8 * 1048576), "1")
    differ.check("GETBIT", "k", str(8 * 1048576))
    differ.check("BITFIELD", "k", "GET", "u8", str(8 * 1048576))
    differ.check("BITFIELD", "k", "GET", "u8", "#131072")
    differ.check("BITFIELD", "k", "GET", "u8", "#131071")
    differ.check("SETBIT", "k", last, "1")
    differ.check("STRLEN", "k")
    differ.check("GETBIT", "k", last)
    differ.check("BITCOUNT", "k")
    differ.check("BITPOS", "k", "1")
    differ.check("BITPOS", "k", "0", "-1")
    differ.check("BITFIELD", "k", "SET", "u8", "#131071", "7")
    differ.check("BITFIELD", "k", "SET", "u2", str(8 * 1048576 - 1), "3")
    differ.check("GETRANGE", "k", "-2", "-1")


def test_setbit_dirty(differ):
    """A SETBIT that neither flips a bit nor grows the string is no write."""
    check_dirty(differ, "SETBIT", "k", "3", "1")
    check_dirty(differ, "SETBIT", "k", "3", "1")
    check_dirty(differ, "SETBIT", "k", "3", "0")
    check_dirty(differ, "SETBIT", "k", "5", "0")
    check_dirty(differ, "SETBIT", "k", "50", "0")
    check_dirty(differ, "SETBIT", "k", "50", "0")
    differ.check("SET", "i", "12")
    check_dirty(differ, "SETBIT", "i", "0", "0")
    differ.check("OBJECT", "ENCODING", "i")


# ---------------------------------------------------------------- BITCOUNT


RANGE_ARGS = ["0", "1", "2", "-1", "-2", "-3", "5", "-5", "7", "8", "9",
              "100", "-100", "15", "16", "-8", "-9", "23", "24", "160",
              str(LLONG_MAX), str(LLONG_MIN)]


def test_bitcount_whole_and_errors(differ):
    for v in VALUES:
        set_both(differ, "k", v)
        differ.check("BITCOUNT", "k")
    differ.check("BITCOUNT", "missing")
    differ.check("SET", "k", "foobar")
    for args in [["0"], ["0", "1", "BIT", "x"], ["a", "b"], ["0", "b"],
                 ["a", "0"], ["0", "1", "bits"], ["0", "1", ""],
                 ["0", "1", "BYTE"], ["0", "1", "bYtE"], ["0", "1", "BiT"],
                 ["1.5", "2"], ["0", "1", "BIT\x00x"], ["0", "1", "\x00"],
                 ["9223372036854775808", "1"]]:
        differ.check("BITCOUNT", "k", *args)
        # Redis 7.0 looks the key up before reading the arguments.
        differ.check("BITCOUNT", "missing", *args)
    make_non_string(differ, "nk")
    differ.check("BITCOUNT", "nk")
    differ.check("BITCOUNT", "nk", "0")
    differ.check("BITCOUNT", "nk", "a", "b")


def test_bitcount_ranges(differ):
    cmds = []
    for v in [b"", b"\xff", b"foobar", b"\xff\xf0\x00\x0f\xaa", b"12",
              b"\x01\x02\x04\x08\x10\x20\x40\x80"]:
        cmds.append(["SET", "k", v])
        for s, e in itertools.product(RANGE_ARGS, RANGE_ARGS):
            cmds.append(["BITCOUNT", "k", s, e])
            cmds.append(["BITCOUNT", "k", s, e, "BIT"])
            cmds.append(["BITCOUNT", "k", s, e, "byte"])
    for i in range(0, len(cmds), 500):
        differ.check_pipeline(cmds[i:i + 500])


def test_bitcount_long_values(differ):
    """Word-at-a-time counting over lengths around the word sizes."""
    rng = random.Random(resolve_seed(7))
    for n in [1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 1000, 4096, 100003]:
        value = bytes(rng.randrange(256) for _ in range(n))
        set_both(differ, "k", value)
        differ.check("BITCOUNT", "k")
        for _ in range(20):
            s, e = rng.randrange(-n - 5, n + 5), rng.randrange(-n - 5, n + 5)
            differ.check("BITCOUNT", "k", str(s), str(e))
            s, e = rng.randrange(-8 * n - 5, 8 * n + 5), rng.randrange(-8 * n - 5, 8 * n + 5)
            differ.check("BITCOUNT", "k", str(s), str(e), "BIT")


# ---------------------------------------------------------------- BITPOS


def test_bitpos_errors(differ):
    differ.check("SET", "k", "\xff\xf0\x00")
    for bit in ["2", "-1", "a", "", "1.0", "01"]:
        differ.check("BITPOS", "k", bit)
        differ.check("BITPOS", "missing", bit)
    for args in [["a"], ["0", "a"], ["0", "1", "BIT", "x"],
                 ["0", "1", "bits"], ["0", "BIT"], ["0", "1", "2", "3"],
                 ["1.5"], ["0", "1", ""], ["0", "1", "BIT\x00"],
                 ["9223372036854775808"]]:
        differ.check("BITPOS", "k", "1", *args)
        differ.check("BITPOS", "k", "0", *args)
        differ.check("BITPOS", "missing", "0", *args)
        differ.check("BITPOS", "missing", "1", *args)
    make_non_string(differ, "nk")
    differ.check("BITPOS", "nk", "1")
    differ.check("BITPOS", "nk", "2")
    differ.check("BITPOS", "nk", "0", "a")


def test_bitpos_ranges(differ):
    cmds = []
    values = [b"", b"\x00", b"\xff", b"\xff\xf0\x00", b"\x00\x0f\xff",
              b"\x00\x00\x00", b"\xff\xff\xff", b"\xfe\xff\x7f", b"12",
              b"\x00" * 20 + b"\x01", b"\xff" * 20 + b"\xfe"]
    short = ["0", "1", "2", "-1", "-2", "-3", "5", "-5", "7", "8", "9",
             "15", "16", "17", "-8", "-9", "-17", "23", "24", "100", "-100",
             "167", "168", str(LLONG_MAX), str(LLONG_MIN)]
    for v in values:
        cmds.append(["SET", "k", v])
        for bit in ["0", "1"]:
            cmds.append(["BITPOS", "k", bit])
            for s in short:
                cmds.append(["BITPOS", "k", bit, s])
                for e in short:
                    cmds.append(["BITPOS", "k", bit, s, e])
                    cmds.append(["BITPOS", "k", bit, s, e, "BIT"])
                    cmds.append(["BITPOS", "k", bit, s, e, "BYTE"])
    for i in range(0, len(cmds), 500):
        differ.check_pipeline(cmds[i:i + 500])


def test_bitpos_long_values(differ):
    """The word skipping search against long runs of 0x00 and 0xff."""
    rng = random.Random(resolve_seed(11))
    for n in [9, 16, 17, 64, 65, 1000, 50000]:
        for fill in [b"\x00", b"\xff"]:
            for where in [0, n // 2, n - 1, n - 9, n - 8]:
                value = bytearray(fill * n)
                value[where] ^= 1 << rng.randrange(8)
                set_both(differ, "k", bytes(value))
                for bit in ["0", "1"]:
                    differ.check("BITPOS", "k", bit)
                    differ.check("BITPOS", "k", bit, "1")
                    differ.check("BITPOS", "k", bit, "3", "-2")
                    differ.check("BITPOS", "k", bit, "13", str(8 * n - 3), "BIT")
                    differ.check("BITPOS", "k", bit, "0", "-1")


# ---------------------------------------------------------------- BITOP


def test_bitop_all_ops(differ):
    rng = random.Random(resolve_seed(3))
    pool = VALUES + [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 70)))
                     for _ in range(6)]
    for i, v in enumerate(pool):
        set_both(differ, f"s{i}", v)
    for op in ["AND", "OR", "XOR", "and", "Or", "xOr"]:
        for _ in range(30):
            srcs = [f"s{rng.randrange(len(pool))}" for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.3:
                srcs.insert(rng.randrange(len(srcs) + 1), "missing")
            differ.check("BITOP", op, "d", *srcs)
            differ.check("GET", "d")
            differ.check("EXISTS", "d")
    for i in range(len(pool)):
        differ.check("BITOP", "NOT", "d", f"s{i}")
        differ.check("GET", "d")
        differ.check("OBJECT", "ENCODING", "d")


def test_bitop_edge_cases(differ):
    differ.check("SET", "a", "abc")
    differ.check("SET", "n", "1")
    differ.check("SET", "e", "")
    differ.check("BITOP", "OR", "d", "a", "n")
    differ.check("OBJECT", "ENCODING", "d")  # raw, whatever the length
    differ.check("GET", "d")
    differ.check("EXPIRE", "d", "1000")
    differ.check("BITOP", "NOT", "d", "n")
    differ.check("TTL", "d")  # the result replaces the key: TTL gone
    differ.check("GET", "d")
    # Empty result: the destination is deleted.
    differ.check("BITOP", "AND", "d", "missing", "other")
    differ.check("EXISTS", "d")
    differ.check("BITOP", "OR", "d", "e")
    differ.check("EXISTS", "d")
    differ.check("BITOP", "NOT", "d", "e")
    differ.check("BITOP", "XOR", "d", "e", "missing")
    differ.check("BITOP", "OR", "a", "a", "a")
    differ.check("GET", "a")
    differ.check("BITOP", "NOT", "a", "a")
    differ.check("GET", "a")
    differ.check("BITOP", "AND", "d", "a", "e")
    differ.check("GET", "d")
    # A source that is the destination of another type is overwritten.
    make_non_string(differ, "nk")
    differ.check("BITOP", "OR", "nk", "a")
    differ.check("TYPE", "nk")
    differ.check("GET", "nk")


def test_bitop_errors(differ):
    differ.check("SET", "a", "abc")
    make_non_string(differ, "nk")
    for args in [["NOT", "d", "a", "a"], ["NOT", "d", "a", "missing"],
                 ["FOO", "d", "a"], ["", "d", "a"], ["ANDx", "d", "a"],
                 ["AND\x00x", "d", "a"], ["NOT\x00", "d", "a"],
                 ["OR", "d", "a", "nk"], ["OR", "d", "nk", "missing"],
                 ["AND", "d", "missing", "nk"], ["NOT", "d", "nk"],
                 ["XOR", "nk", "a", "nk"], ["NOT", "d"], ["AND", "d"],
                 ["FOO", "d"]]:
        differ.check("BITOP", *args)
        differ.check("EXISTS", "d")
    differ.check("TYPE", "nk")


def test_bitop_dirty(differ):
    differ.check("SET", "a", "abc")
    check_dirty(differ, "BITOP", "OR", "d", "a")
    check_dirty(differ, "BITOP", "OR", "d", "a")
    check_dirty(differ, "BITOP", "AND", "d", "missing")
    check_dirty(differ, "BITOP", "AND", "d", "missing")


def test_bitop_long(differ):
    rng = random.Random(resolve_seed(5))
    for n in [100, 4096, 65537]:
        a = bytes(rng.randrange(256) for _ in range(n))
        b = bytes(rng.randrange(256) for _ in range(n // 2 + 3))
        set_both(differ, "a", a)
        set_both(differ, "b", b)
        for op in ["AND", "OR", "XOR"]:
            differ.check("BITOP", op, "d", "a", "b", "a")
            differ.check("GET", "d")
        differ.check("BITOP", "NOT", "d", "a")
        differ.check("GET", "d")


# ---------------------------------------------------------------- BITFIELD

TYPES = ["i1", "u1", "i2", "u2", "i7", "u7", "i8", "u8", "i13", "u13",
         "i31", "u31", "i32", "u32", "i33", "u33", "i63", "u63", "i64"]


def test_bitfield_get_types(differ):
    differ.check("SET", "k", b"\xde\xad\xbe\xef\x01\x23\x45\x67\x89\xab\xcd\xef\xff")
    cmds = []
    for t in TYPES:
        for off in ["0", "1", "3", "7", "8", "13", "40", "63", "64", "65",
                    "100", "103", "104", "200", "#0", "#1", "#2", "#3", "#7"]:
            cmds.append(["BITFIELD", "k", "GET", t, off])
            cmds.append(["BITFIELD_RO", "k", "GET", t, off])
    differ.check_pipeline(cmds)
    differ.check("SET", "n", "-123")  # int encoding: the digits' bytes
    differ.check("BITFIELD", "n", "GET", "u16", "0", "GET", "i8", "4",
                 "GET", "u8", "16", "GET", "i64", "20")
    differ.check("BITFIELD", "missing", "GET", "i64", "0", "GET", "u8", "7")
    differ.check("BITFIELD_RO", "missing", "GET", "u63", "1")
    differ.check("EXISTS", "missing")
    differ.check("BITFIELD", "k")
    differ.check("BITFIELD_RO", "k")
    differ.check("BITFIELD", "missing")
    differ.check("BITFIELD", "k", "OVERFLOW", "SAT")
    differ.check("BITFIELD_RO", "k", "OVERFLOW", "FAIL", "GET", "u8", "0")


def test_bitfield_type_errors(differ):
    differ.check("SET", "k", "abc")
    for t in ["i0", "u0", "i65", "u64", "u65", "I8", "U8", "8", "i", "u",
              "", "i-1", "u-8", "i08", "i8x", "x8", "i 8", "i+8", "i8\x00zz",
              "u63\x00", "i9999999999999999999999", "ii8"]:
        differ.check("BITFIELD", "k", "GET", t, "0")
        differ.check("BITFIELD", "k", "SET", t, "0", "1")
        differ.check("BITFIELD_RO", "k", "GET", t, "0")
        differ.check("BITFIELD", "missing", "INCRBY", t, "0", "1")
    differ.check("EXISTS", "missing")


def test_bitfield_offset_errors(differ):
    differ.check("SET", "k", "abc")
    for off in ["-1", "a", "", "#", "#-1", "#a", "##1", "1.5", "#1.5",
                "4294967296", "4294967295", "4294967290", "#536870912",
                "#536870911", "#9223372036854775807", "#1152921504606846975",
                "#2305843009213693951", "#-9223372036854775808", " 1", "#01",
                "#0"]:
        for t in ["u8", "i64", "i1"]:
            differ.check("BITFIELD", "k", "GET", t, off)
            differ.check("BITFIELD_RO", "k", "GET", t, off)
        differ.check("BITFIELD", "missing", "SET", "u8", off, "1")
    differ.check("EXISTS", "missing")


def test_bitfield_syntax_errors(differ):
    differ.check("SET", "k", "abc")
    for args in [["GET"], ["GET", "u8"], ["SET", "u8", "0"], ["INCRBY", "u8", "0"],
                 ["FOO", "u8", "0"], ["OVERFLOW"], ["OVERFLOW", "X"],
                 ["OVERFLOW", ""], ["OVERFLOW", "WRAPS"], ["overflow", "sat", "get"],
                 ["SET", "u8", "0", "x"], ["INCRBY", "u8", "0", "1.5"],
                 ["INCRBY", "u8", "0", "9223372036854775808"],
                 ["GET", "u8", "0", "GET"], ["GET", "u8", "0", "SET", "u8", "0"],
                 ["SET", "u8", "0", "1", "BAR"], ["GET", "u8", "0", "0"],
                 ["get\x00", "u8", "0"], ["OVERFLOW", "fail\x00x", "GET", "u8", "0"],
                 ["GETx", "u8", "0"], ["SET", "u64", "0", "1", "GET", "x", "y"],
                 ["SET", "u8", "0", "1", "OVERFLOW", "NO"],
                 ["SET", "u8", "0", "1", "GET", "u8", "-1"]]:
        differ.check("BITFIELD", "k", *args)
        differ.check("BITFIELD_RO", "k", *args)
        differ.check("BITFIELD", "missing", *args)
    differ.check("EXISTS", "missing")
    differ.check("GET", "k")


def test_bitfield_ro_rejects_writes(differ):
    differ.check("SET", "k", "abc")
    differ.check("BITFIELD_RO", "k", "SET", "u8", "0", "1")
    differ.check("BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1")
    differ.check("BITFIELD_RO", "missing", "INCRBY", "u8", "0", "1")
    differ.check("BITFIELD_RO", "k", "OVERFLOW", "FAIL")
    differ.check("EXISTS", "missing")
    differ.check("GET", "k")
    make_non_string(differ, "nk")
    differ.check("BITFIELD_RO", "nk", "GET", "u8", "0")
    differ.check("BITFIELD_RO", "nk", "SET", "u8", "0", "1")
    differ.check("BITFIELD", "nk", "GET", "u8", "0")
    differ.check("BITFIELD", "nk", "SET", "u8", "0", "1")
    differ.check("BITFIELD", "nk")
    differ.check("BITFIELD", "nk", "GET", "u8", "x")


SET_VALUES = ["0", "1", "-1", "2", "-2", "3", "-3", "4", "7", "8", "-8", "-9",
              "100", "127", "128", "-128", "-129", "255", "256", "65535",
              "2147483647", "2147483648", "-2147483648", "-2147483649",
              "4294967295", "4294967296", "4611686018427387903",
              "4611686018427387904", "9223372036854775807",
              "-9223372036854775808", "-9223372036854775807",
              "-9223372036854775680", "-9223372036854775681",
              "-9223372036854775000", "9223372036854775000"]


def test_bitfield_set_incrby_overflow(differ):
    """Every type, every overflow mode, values around every limit, and
    increments that overflow one way or the other."""
    cmds = []
    for mode in ["WRAP", "SAT", "FAIL"]:
        for t in TYPES:
            for v in SET_VALUES:
                for off in ["0", "5"]:
                    cmds.append(["BITFIELD", "k", "OVERFLOW", mode, "SET", t, off, v,
                                 "GET", t, off])
            for start in ["0", "1", "-1", "100", "-100", "9223372036854775807",
                          "-9223372036854775808"]:
                for incr in SET_VALUES:
                    cmds.append(["BITFIELD", "k", "OVERFLOW", mode, "SET", t, "3", start,
                                 "INCRBY", t, "3", incr, "GET", t, "3"])
    cmds.append(["GET", "k"])
    for i in range(0, len(cmds), 400):
        differ.check_pipeline(cmds[i:i + 400])


def test_bitfield_overflow_mode_sequence(differ):
    """OVERFLOW applies to the operations after it, until the next one."""
    differ.check("BITFIELD", "k", "SET", "u8", "0", "250",
                 "INCRBY", "u8", "0", "10", "OVERFLOW", "SAT",
                 "INCRBY", "u8", "0", "300", "OVERFLOW", "FAIL",
                 "INCRBY", "u8", "0", "1", "GET", "u8", "0",
                 "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "1",
                 "OVERFLOW", "fail", "overflow", "sat", "incrby", "i8", "8", "1000",
                 "Set", "i8", "#2", "-5", "gEt", "i8", "#2")
    differ.check("GET", "k")
    differ.check("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "i8", "100", "1000")
    differ.check("GET", "k")  # grown even though the only write failed
    differ.check("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100")
    differ.check("EXISTS", "new")
    differ.check("GET", "new")


def test_bitfield_encodings_and_growth(differ):
    for value in [b"12", b"-7", b"short", b"x" * 50]:
        set_both(differ, "k", value)
        differ.check("BITFIELD", "k", "GET", "u8", "0")
        differ.check("OBJECT", "ENCODING", "k")
        differ.check("BITFIELD", "k", "SET", "u4", "0", "3", "GET", "u4", "0")
        differ.check("OBJECT", "ENCODING", "k")
        differ.check("GET", "k")
        differ.check("BITFIELD", "k", "SET", "i64", "1000", "-1")
        differ.check("GET", "k")
        differ.check("STRLEN", "k")
        differ.check("BITFIELD", "k", "SET", "u8", "1000", "0", "GET", "u1", "2000")
        differ.check("STRLEN", "k")
    differ.check("SET", "k", "abc", "EX", "1000")
    differ.check("BITFIELD", "k", "INCRBY", "u8", "0", "1")
    differ.check("TTL", "k")


def test_bitfield_dirty(differ):
    """Writes count once per field that changed; on a created or grown
    string every write that went through counts; FAIL never does."""
    check_dirty(differ, "BITFIELD", "k", "SET", "u2", "0", "0", "SET", "u2", "0", "0")
    check_dirty(differ, "BITFIELD", "k", "SET", "u2", "0", "0", "SET", "u2", "2", "1")
    check_dirty(differ, "BITFIELD", "k", "SET", "u2", "2", "1", "GET", "u2", "2")
    check_dirty(differ, "BITFIELD", "k", "INCRBY", "u2", "2", "0")
    check_dirty(differ, "BITFIELD", "k", "INCRBY", "u2", "2", "4")
    check_dirty(differ, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100")
    check_dirty(differ, "BITFIELD", "k2", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100")
    check_dirty(differ, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "100",
                "SET", "u2", "100", "0")
    check_dirty(differ, "BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "u2", "0", "100",
                "INCRBY", "u2", "0", "100")
    check_dirty(differ, "BITFIELD", "k", "GET", "u2", "0")
    check_dirty(differ, "BITFIELD_RO", "k", "GET", "u2", "0")


def test_bitfield_resp3(differ):
    resp3(differ)
    differ.check("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100",
                 "SET", "i8", "8", "-3")
    differ.check("BITFIELD_RO", "k", "GET", "i8", "8")
    differ.check("BITFIELD", "k")
    differ.check("BITCOUNT", "k")
    differ.check("BITPOS", "k", "1")
    differ.check("SETBIT", "k", "1", "1")
    differ.check("GETBIT", "k", "1")
    differ.check("BITOP", "NOT", "d", "k")


# ---------------------------------------------------------------- random


def _offset(g):
    r = g.rng.random()
    if r < 0.8:
        return str(g.rng.randrange(64)).encode()
    if r < 0.95:
        return str(g.rng.randrange(2000)).encode()
    if r < 0.98:
        return g.pick([b"-1", b"x", b"4294967296", b"100000"])
    return str(g.rng.randrange(80000)).encode()


def _range(g):
    return str(g.rng.randint(-12, 12)).encode()


def gen_setbit(g):
    bit = b"1" if g.chance(0.6) else (b"0" if g.chance(0.9) else b"2")
    return [g.name("SETBIT"), g.key(), _offset(g), bit]


def gen_getbit(g):
    return [g.name("GETBIT"), g.key(), _offset(g)]


def gen_bitcount(g):
    cmd = [g.name("BITCOUNT"), g.key()]
    if g.chance(0.7):
        cmd += [_range(g), _range(g)]
        if g.chance(0.5):
            cmd.append(g.pick([b"BIT", b"BYTE", b"bit", b"nope"]))
    return cmd


def gen_bitpos(g):
    cmd = [g.name("BITPOS"), g.key(), g.pick([b"0", b"1", b"1", b"0", b"2"])]
    if g.chance(0.7):
        cmd.append(_range(g))
        if g.chance(0.7):
            cmd.append(_range(g))
            if g.chance(0.5):
                cmd.append(g.pick([b"BIT", b"BYTE", b"bit", b"x"]))
    return cmd


def gen_bitop(g):
    op = g.pick([b"AND", b"OR", b"XOR", b"NOT", b"not", b"bad"])
    n = 1 if op.upper() == b"NOT" and g.chance(0.9) else g.rng.randint(1, 4)
    return [g.name("BITOP"), op, g.key()] + [g.key() for _ in range(n)]


def _bf_type(g):
    if g.chance(0.03):
        return g.pick([b"u64", b"i0", b"x8"])
    sign = g.pick([b"i", b"u"])
    return sign + str(g.rng.randint(1, 64 if sign == b"i" else 63)).encode()


def _bf_value(g):
    if g.chance(0.5):
        return str(g.rng.randint(-300, 300)).encode()
    return g.pick(INTS + [b"x"] if g.chance(0.05) else INTS)


def gen_bitfield(g, name="BITFIELD"):
    cmd = [g.name(name), g.key()]
    for _ in range(g.rng.randint(0, 4)):
        r = g.rng.random()
        off = _offset(g) if g.chance(0.8) else b"#" + str(g.rng.randrange(20)).encode()
        if r < 0.3:
            cmd += [b"GET", _bf_type(g), off]
        elif r < 0.55:
            cmd += [b"SET", _bf_type(g), off, _bf_value(g)]
        elif r < 0.85:
            cmd += [b"INCRBY", _bf_type(g), off, _bf_value(g)]
        else:
            cmd += [b"OVERFLOW", g.pick([b"WRAP", b"SAT", b"FAIL", b"sat", b"bad"])]
    return cmd


def gen_bitfield_ro(g):
    return gen_bitfield(g, "BITFIELD_RO")


def gen_string(g):
    r = g.rng.random()
    if r < 0.3:
        return [b"SET", g.key(), g.value()]
    if r < 0.5:
        return [b"APPEND", g.key(), g.value()]
    if r < 0.7:
        return [b"GET", g.key()]
    if r < 0.8:
        return [b"SETRANGE", g.key(), str(g.rng.randrange(40)).encode(), g.value()]
    if r < 0.9:
        return [b"OBJECT", b"ENCODING", g.key()]
    if r < 0.95:
        return [b"DEL", g.key()]
    return [b"SADD", g.key(), b"member"]


def test_random_bit_commands(differ):
    if not shoal_supports(differ, "SADD", "probe", "x"):
        pytest.skip("needs SADD for wrong-type keys")
    differ.conns["redis"].call("SADD", "probe", "x")
    run_random(differ, [(gen_setbit, 4), (gen_getbit, 2), (gen_bitcount, 3),
                        (gen_bitpos, 3), (gen_bitop, 2), (gen_bitfield, 4),
                        (gen_bitfield_ro, 1), (gen_string, 4)],
               n=4000, keyspace=6)
    for i in range(6):
        differ.check("GET", f"key:{i}")


# ---------------------------------------------------------------- lookups


def keyspace_stats(conn):
    text = conn.call("INFO", "stats").value.decode()
    out = {}
    for line in text.split("\r\n"):
        if line.startswith(("keyspace_hits:", "keyspace_misses:")):
            name, value = line.split(":", 1)
            out[name] = int(value)
    return out


def test_keyspace_hits_and_misses(differ):
    """Reads count hits and misses, write lookups don't, as in Redis."""
    differ.check("SET", "a", "abc")
    for cmd in [["GETBIT", "a", "1"], ["GETBIT", "missing", "1"],
                ["SETBIT", "a", "1", "1"], ["SETBIT", "new", "1", "1"],
                ["BITCOUNT", "a"], ["BITCOUNT", "missing"],
                ["BITPOS", "a", "1"], ["BITPOS", "missing", "0"],
                ["BITOP", "OR", "d", "a", "missing", "new"],
                ["BITOP", "NOT", "d2", "missing"],
                ["BITFIELD", "a", "GET", "u8", "0"],
                ["BITFIELD", "missing", "GET", "u8", "0"],
                ["BITFIELD", "a", "SET", "u8", "0", "1"],
                ["BITFIELD_RO", "a", "GET", "u8", "0"],
                ["BITFIELD_RO", "missing", "GET", "u8", "0"]]:
        before = {s: keyspace_stats(differ.conns[s]) for s in differ.SIDES}
        differ.check(*cmd)
        after = {s: keyspace_stats(differ.conns[s]) for s in differ.SIDES}
        delta = {s: {k: after[s][k] - before[s][k] for k in after[s]}
                 for s in differ.SIDES}
        assert delta["shoal"] == delta["redis"], (cmd, delta)
