"""Differential tests of the stream commands (shard/t_stream.c,
shard/t_stream_group.c): XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD,
XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO and XSETID
against redis-server 7.0: replies, errors, RESP3 forms, blocking reads,
node layout as XINFO shows it, a seeded random sequence, and memory.
Times (idle, seen-time, delivery times) are compared by kind only.
DIFF_SELFTEST=1 points both sides at redis-server."""

import re
import shlex
import time

import pytest

from differential.diff import RULES, Rule, run_random
from lib import resp
from lib.resp import Reply

# ---------------------------------------------------------------- helpers

TIME = resp.normalized("time")


def _any_time(r):
    return TIME if r.kind == resp.INT else r


def _pairs(r):
    """(key, value) pairs of a flat RESP2 array or a RESP3 map, or None."""
    if r.kind == resp.MAP:
        return list(r.value)
    if r.kind == resp.ARRAY and r.value is not None and len(r.value) % 2 == 0:
        return list(zip(r.value[0::2], r.value[1::2]))
    return None


def _rebuild(r, pairs):
    if r.kind == resp.MAP:
        return Reply(resp.MAP, tuple(pairs))
    return Reply(resp.ARRAY, tuple(x for p in pairs for x in p))


def _norm_fields(r, fn):
    """Apply fn(name, value) -> value to every field of a map-like reply."""
    pairs = _pairs(r)
    if pairs is None:
        return r
    out = []
    for k, v in pairs:
        name = k.value if k.kind in (resp.BULK, resp.SIMPLE) else None
        out.append((k, fn(name, v)))
    return _rebuild(r, out)


def _norm_list(r, fn):
    if r.kind != resp.ARRAY or r.value is None:
        return r
    return Reply(resp.ARRAY, tuple(fn(x) for x in r.value))


def _norm_slot(item, idx):
    """Element idx of an array reply compared by kind only."""
    if item.kind != resp.ARRAY or item.value is None or len(item.value) <= idx:
        return item
    vals = list(item.value)
    vals[idx] = _any_time(vals[idx])
    return Reply(resp.ARRAY, tuple(vals))


def norm_xpending(r):
    """Extended XPENDING: [id, consumer, idle, count] rows, idle by kind."""
    if r.is_error or r.kind != resp.ARRAY or r.value is None:
        return r
    if all(x.kind == resp.ARRAY and x.value is not None and len(x.value) == 4
           for x in r.value):
        return _norm_list(r, lambda x: _norm_slot(x, 2))
    return r


def norm_xinfo_consumers(r):
    return _norm_list(r, lambda c: _norm_fields(
        c, lambda n, v: _any_time(v) if n == b"idle" else v))


def _norm_full_consumer(c):
    def fn(name, v):
        if name == b"seen-time":
            return _any_time(v)
        if name == b"pending":
            return _norm_list(v, lambda x: _norm_slot(x, 1))
        return v
    return _norm_fields(c, fn)


def _norm_full_group(g):
    def fn(name, v):
        if name == b"pending":
            return _norm_list(v, lambda x: _norm_slot(x, 2))
        if name == b"consumers":
            return _norm_list(v, _norm_full_consumer)
        return v
    return _norm_fields(g, fn)


def norm_xinfo_stream(r):
    if r.is_error:
        return r
    return _norm_fields(r, lambda n, v: _norm_list(v, _norm_full_group)
                        if n == b"groups" and v.kind == resp.ARRAY else v)


STREAM_RULES = dict(RULES)
STREAM_RULES.update({
    "XPENDING": Rule(normalize=norm_xpending),
    "XINFO CONSUMERS": Rule(normalize=norm_xinfo_consumers),
    "XINFO STREAM": Rule(normalize=norm_xinfo_stream),
})


@pytest.fixture
def d(differ):
    differ.rules = STREAM_RULES
    return differ


def run(d, script):
    """Check each line of script (shell-like words, quotes allowed)."""
    for line in script.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            d.check(*shlex.split(line))


def resp3(d):
    d.check("HELLO", "3")


def add(d, key, *ids, fields=("f", "v")):
    for i in ids:
        d.check("XADD", key, i, *fields)


# ---------------------------------------------------------------- XADD


def test_xadd_ids(d):
    run(d, """
        XADD s 0-0 a 1
        XADD s 0 a 1
        XADD s 0-* a 1
        XADD s 0-* a 1
        XADD s 5-* a 1
        XADD s 5-* a 1
        XADD s 5-3 a 1
        XADD s 5-3 a 1
        XADD s 4 a 1
        XADD s 5 a 1
        XADD s +6 a 1
        XADD s 6-+1 a 1
        XADD s ' 7' a 1
        XADD s 8--0 a 1
        XADD s 009 a 1
        XADD s 10-0x1 a 1
        XADD s 10-1.5 a 1
        XADD s 10--1 a 1
        XADD s -10 a 1
        XADD s - a 1
        XADD s + a 1
        XADD s 11-* a 1
        XADD s 11-*x a 1
        XADD s *- a 1
        XADD s 18446744073709551616 a 1
        XADD s 12-18446744073709551616 a 1
        XADD s 12-18446744073709551615 a 1
        XADD s 12-* a 1
        XADD s 13-* a 1
        XRANGE s - +
        XLEN s
        XADD t 18446744073709551615-18446744073709551614 a 1
        XADD t * a 1
        XADD t * a 1
        XADD t 18446744073709551615-* a 1
        XADD u 18446744073709551615-* a 1
        XADD u 18446744073709551615-* a 1
        XRANGE t - +
    """)
    d.check("XADD", "s", "20-" + "1" * 130, "a", "1")
    d.check("XADD", "s", b"21\x00junk", "a", "1")
    d.check("XADD", "s", b"*\x00", "a", "1")
    d.check("XRANGE", "s", "20", "+")


def test_xadd_fields(d):
    """Field/value shapes; entries whose fields match the node's master
    entry are stored compressed, the others in full."""
    values = [b"", b"0", b"-1", b"7", b"1234567", b"-0", b"01", b" 5", b"1.5",
              b"9223372036854775807", b"-9223372036854775808",
              b"9223372036854775808", b"\x00", b"1\x00", b"\x00\xff\r\n",
              b"x" * 64, b"y" * 5000]
    for i, v in enumerate(values):
        d.check("XADD", "s", f"{i + 1}-0", "a", v, "b", v)
        d.check("XADD", "s", f"{i + 1}-1", v, v)
        d.check("XADD", "s", f"{i + 1}-2", "a", "1", "b", "2", "c", "3")
        d.check("XADD", "s", f"{i + 1}-3", "b", "1", "a", "2")
        d.check("XADD", "s", f"{i + 1}-4", "a", "1", "a", "2")
    d.check("XRANGE", "s", "-", "+")
    d.check("XREVRANGE", "s", "+", "-")
    d.check("XLEN", "s")
    d.check("XINFO", "STREAM", "s")
    big = ["f%d" % i for i in range(300)]
    d.check("XADD", "wide", "1-1", *[x for f in big for x in (f, f * 3)])
    d.check("XRANGE", "wide", "-", "+")


def test_xadd_arity_and_syntax(d):
    run(d, """
        XADD s
        XADD s *
        XADD s * a
        XADD s * a 1 b
        XADD s 1-1 a
        XADD s MAXLEN 1
        XADD s MAXLEN 1 * a
        XADD s NOMKSTREAM
        XADD s NOMKSTREAM * a
        XADD s foo a 1
        XADD s MAXLEN x * a 1
        XADD s MAXLEN -1 * a 1
        XADD s MAXLEN ~ -1 * a 1
        XADD s MAXLEN = x * a 1
        XADD s MAXLEN 1 MINID 1 * a 1
        XADD s MINID 1 MAXLEN 1 * a 1
        XADD s MINID x * a 1
        XADD s MINID - * a 1
        XADD s MINID 5-* * a 1
        XADD s LIMIT 3 * a 1
        XADD s LIMIT x * a 1
        XADD s LIMIT -1 * a 1
        XADD s LIMIT 0 * a 1
        XADD s MAXLEN 5 LIMIT 3 * a 1
        XADD s MAXLEN = 5 LIMIT 3 * a 1
        XADD s MAXLEN ~ 5 LIMIT x * a 1
        XADD s MAXLEN ~ 5 LIMIT -1 * a 1
        XADD s MAXLEN ~ 5 LIMIT 0 1-1 a 1
        XADD s maxlen ~ 5 limit 3 nomkstream 1-2 a 1
        XADD s MAXLEN ~
        XADD s MAXLEN ~ 1-3 a 1
        XADD s MAXLEN = 1-3 a 1
        XRANGE s - +
        XADD nokey NOMKSTREAM 1-1 a 1
        EXISTS nokey
        XADD nokey NOMKSTREAM MAXLEN 0 1-1 a 1
        XADD s NOMKSTREAM 9-9 a 1
        XADD s NOMKSTREAM MAXLEN 0 10-0 a 1
        XLEN s
        XINFO STREAM s
    """)
    d.check("XADD", b"s\x00", b"MAXLEN\x00x", b"1", b"11-1", b"a", b"1")


def test_xadd_trimming(d):
    """MAXLEN/MINID, exact and ~, with LIMIT: ~ only drops whole nodes."""
    d.check("CONFIG", "SET", "stream-node-max-entries", "10")
    for key in ("a", "b", "c", "e", "f"):
        for i in range(1, 56):
            d.check("XADD", key, f"{i}-1", "f", str(i))
    run(d, """
        XADD a MAXLEN 20 100-1 f x
        XLEN a
        XADD b MAXLEN ~ 20 100-1 f x
        XLEN b
        XADD c MAXLEN ~ 20 LIMIT 10 100-1 f x
        XLEN c
        XADD c MAXLEN ~ 20 LIMIT 15 101-1 f x
        XLEN c
        XADD e MINID 30 100-1 f x
        XLEN e
        XADD e MINID ~ 45 101-1 f x
        XLEN e
        XADD f MINID ~ 45 LIMIT 100 100-1 f x
        XADD f MAXLEN 0 101-1 f x
        XLEN f
        XINFO STREAM a
        XINFO STREAM b
        XINFO STREAM c
        XINFO STREAM e
        XINFO STREAM f
        XRANGE a - +
        XRANGE b - + COUNT 3
        XRANGE e - + COUNT 3
    """)
    # Redis bounds an approximate trim by 100 * stream-node-max-entries
    # entries (10000 when that is 0).
    d.check("CONFIG", "SET", "stream-node-max-entries", "1")
    for i in range(1, 260):
        d.check("XADD", "g", f"{i}-1", "f", str(i))
    d.check("XTRIM", "g", "MAXLEN", "~", "0")
    d.check("XLEN", "g")
    d.check("CONFIG", "SET", "stream-node-max-entries", "0")
    d.check("XTRIM", "g", "MAXLEN", "~", "0")
    d.check("XINFO", "STREAM", "g")


def test_auto_ids(d):
    """'*' IDs differ in time between servers: compare shape and order."""
    pat = re.compile(rb"^(\d+)-(\d+)$")
    for side in d.SIDES:
        conn = d.conns[side]
        last = (0, 0)
        for i in range(200):
            r = conn.call("XADD", "auto", "*", "n", str(i))
            m = pat.match(r.value)
            assert m, r
            cur = (int(m.group(1)), int(m.group(2)))
            assert cur > last
            assert abs(cur[0] - time.time() * 1000) < 60_000
            last = cur
        # An explicit ID in the future: '*' then continues its sequence.
        fut = last[0] + 10_000_000
        assert conn.call("XADD", "auto", f"{fut}-5", "a", "1").value == \
            f"{fut}-5".encode()
        assert conn.call("XADD", "auto", "*", "a", "1").value == \
            f"{fut}-6".encode()
        assert conn.call("XADD", "auto", f"{fut}-*", "a", "1").value == \
            f"{fut}-7".encode()
        assert conn.call("XLEN", "auto").value == 203
    d.check("XADD", "auto", "1-1", "a", "1")


# ---------------------------------------------------------------- reading


def test_xrange(d):
    add(d, "s", "1-1", "1-2", "2-1", "3-0", "3-5", "18446744073709551615-0")
    run(d, """
        XRANGE s - +
        XRANGE s (1-1 +
        XRANGE s (- +
        XRANGE s - (+
        XRANGE s 2 2
        XRANGE s 3 3
        XRANGE s 1 3
        XRANGE s 1-2 3-0
        XRANGE s (1-2 (3-5
        XRANGE s 3 1
        XRANGE s - + COUNT 0
        XRANGE s - + COUNT -1
        XRANGE s - + COUNT 2
        XRANGE s - + COUNT 1 COUNT 3
        XRANGE s - + count 2
        XRANGE s - + COUNT x
        XRANGE s - + COUNT
        XRANGE s - + foo
        XRANGE s - + COUNT 1 foo
        XRANGE s (18446744073709551615-18446744073709551615 +
        XRANGE s - (0-0
        XRANGE s (18446744073709551615-18446744073709551614 +
        XRANGE s - (0-1
        XRANGE s (18446744073709551615 +
        XRANGE s abc +
        XRANGE s - abc
        XRANGE s ( +
        XRANGE s ((1 +
        XREVRANGE s + -
        XREVRANGE s + - COUNT 2
        XREVRANGE s (3-5 -
        XREVRANGE s 3 1
        XREVRANGE s 1 3
        XREVRANGE s + (1-1
        XREVRANGE s + - COUNT 0
        XREVRANGE s (0-0 -
        XRANGE nokey - +
        XRANGE nokey - + COUNT 0
        XRANGE nokey x +
        XREVRANGE nokey + -
        XRANGE s
        XRANGE s -
    """)


def test_xrange_many_nodes(d):
    """Ranges across node boundaries, with deleted entries in the way."""
    d.check("CONFIG", "SET", "stream-node-max-entries", "4")
    for i in range(1, 41):
        d.check("XADD", "s", f"{i}-0", "f", str(i), *(["g", "x"] if i % 3 else []))
    d.check("XDEL", "s", "4-0", "5-0", "6-0", "7-0", "8-0", "20-0", "21-0")
    for a, b in (("-", "+"), ("3", "9"), ("4", "8"), ("(3", "(9"), ("9", "9"),
                 ("5", "7"), ("19", "22"), ("39", "+")):
        d.check("XRANGE", "s", a, b)
        d.check("XREVRANGE", "s", b, a)
        d.check("XRANGE", "s", a, b, "COUNT", "3")
        d.check("XREVRANGE", "s", b, a, "COUNT", "3")
    d.check("XINFO", "STREAM", "s")


def test_xdel_xlen(d):
    add(d, "s", "1-1", "2-1", "3-1", "4-1")
    run(d, """
        XDEL s 2-1
        XDEL s 2-1 2-1 9-9
        XDEL s 1-1 x
        XLEN s
        XDEL s 1
        XDEL s -
        XDEL s +
        XINFO STREAM s
        XDEL s 1-1 3-1 4-1
        XLEN s
        XINFO STREAM s
        EXISTS s
        XRANGE s - +
        XDEL nokey 1-1
        XDEL nokey x
        XLEN nokey
        XADD s 4-1 a 1
        XADD s 5-1 a 1
        XINFO STREAM s
    """)


def test_xtrim(d):
    d.check("CONFIG", "SET", "stream-node-max-entries", "5")
    for i in range(1, 33):
        d.check("XADD", "s", f"{i}-1", "f", str(i))
    run(d, """
        XTRIM s
        XTRIM s MAXLEN
        XTRIM s foo 1
        XTRIM s MAXLEN x
        XTRIM s MAXLEN -1
        XTRIM s LIMIT 5
        XTRIM s MAXLEN 1 LIMIT 0
        XTRIM s MAXLEN 1 MINID 1
        XTRIM s MINID x
        XTRIM s MAXLEN 1 foo
        XTRIM nokey MAXLEN 1
        XTRIM s MAXLEN 40
        XTRIM s MAXLEN ~ 29
        XTRIM s MAXLEN ~ 26
        XLEN s
        XTRIM s MAXLEN ~ 10 LIMIT 5
        XLEN s
        XTRIM s MAXLEN ~ 10 LIMIT 0
        XLEN s
        XTRIM s MAXLEN = 8
        XINFO STREAM s
        XTRIM s MINID 27
        XTRIM s MINID ~ 30
        XTRIM s MINID = 29-1
        XRANGE s - +
        XINFO STREAM s
        XTRIM s MAXLEN 0
        XINFO STREAM s
        XTRIM s MAXLEN 0
    """)


def test_xread(d):
    add(d, "s", "1-1", "2-1", "3-1")
    add(d, "t", "5-5")
    run(d, """
        XREAD STREAMS s 0
        XREAD STREAMS s 1-1
        XREAD STREAMS s 1
        XREAD STREAMS s 3-1
        XREAD STREAMS s $
        XREAD COUNT 1 STREAMS s 0
        XREAD COUNT 0 STREAMS s 0
        XREAD COUNT -1 STREAMS s 0
        XREAD COUNT x STREAMS s 0
        XREAD COUNT 2 STREAMS s t 0 0
        XREAD STREAMS s t nokey 0 0 0
        XREAD STREAMS s t 3-1 0
        XREAD STREAMS nokey $
        XREAD STREAMS s s 0 2
        XREAD STREAMS s
        XREAD STREAMS s 0 1
        XREAD STREAMS s t 0
        XREAD STREAMS s -
        XREAD STREAMS s +
        XREAD STREAMS s x
        XREAD STREAMS s >
        XREAD GROUP g c STREAMS s 0
        XREAD NOACK STREAMS s 0
        XREAD foo STREAMS s 0
        XREAD COUNT 1
        XREAD COUNT 1 COUNT
        XREAD BLOCK -1 STREAMS s $
        XREAD BLOCK x STREAMS s $
        XREAD BLOCK 1.5 STREAMS s 0
        XREAD BLOCK 10 STREAMS s 0
        XREAD BLOCK 10 COUNT 1 STREAMS s t 0 0
        XREAD streams s 0
        XREAD STREAMS STREAMS 0
        SET str x
        XREAD STREAMS str 0
        XREAD STREAMS s str 0 0
        XREAD STREAMS str s 0 x
    """)


# ---------------------------------------------------------------- groups


def test_xgroup(d):
    add(d, "s", "1-1", "2-1", "3-1")
    run(d, """
        XGROUP HELP
        XGROUP help
        XGROUP HELP foo
        XGROUP foo s
        XGROUP CREATE s
        XGROUP CREATE s g
        XGROUP CREATE s g $
        XGROUP CREATE s g $
        XGROUP CREATE s g2 0
        XGROUP CREATE s g3 0 ENTRIESREAD 1
        XGROUP CREATE s g4 1-1 ENTRIESREAD -1
        XGROUP CREATE s g5 0 ENTRIESREAD -5
        XGROUP CREATE s g5 0 ENTRIESREAD x
        XGROUP CREATE s g5 0 ENTRIESREAD
        XGROUP CREATE s g5 $ MKSTREAM foo
        XGROUP CREATE s g5 0 ENTRIESREAD 3 MKSTREAM x
        XGROUP CREATE s g5 0 MKSTREAM ENTRIESREAD 1 MKSTREAM
        XGROUP CREATE s g5 (1
        XGROUP CREATE s g5 -
        XGROUP CREATE s g5 +
        XGROUP CREATE s g5 x
        XGROUP CREATE s g5 5
        XGROUP CREATE s '' 0
        XINFO GROUPS s
        XGROUP SETID s g3 1-1
        XINFO GROUPS s
        XGROUP SETID s g3 1-1 ENTRIESREAD 1
        XGROUP SETID s g3 1-1 ENTRIESREAD 1 ENTRIESREAD 2
        XGROUP SETID s g3 $ foo 1
        XGROUP SETID s g3 $ MKSTREAM
        XGROUP SETID s g2 -
        XGROUP SETID s g2 +
        XGROUP SETID s g2 x
        XGROUP SETID s g2 $ ENTRIESREAD 3
        XINFO GROUPS s
        XGROUP SETID s nog 0
        XGROUP CREATECONSUMER s nog c
        XGROUP DELCONSUMER s nog c
        XGROUP DESTROY s nog
        XGROUP CREATE nokey g 0
        XGROUP SETID nokey g 0
        XGROUP DESTROY nokey g
        XGROUP CREATECONSUMER nokey g c
        XGROUP DELCONSUMER nokey g c
        XGROUP CREATE nokey g x MKSTREAM
        EXISTS nokey
        XGROUP CREATE nokey g $ MKSTREAM
        XINFO STREAM nokey
        XGROUP CREATE nokey2 g 5-5 MKSTREAM ENTRIESREAD 3
        XINFO GROUPS nokey2
        XGROUP CREATECONSUMER s g alice
        XGROUP CREATECONSUMER s g alice
        XGROUP CREATECONSUMER s g bob
        XGROUP CREATECONSUMER s g ''
        XINFO CONSUMERS s g
        XGROUP DELCONSUMER s g bob
        XGROUP DELCONSUMER s g bob
        XGROUP DESTROY s g
        XGROUP DESTROY s g
        XGROUP DESTROY s
        XGROUP DESTROY s g x
        XINFO GROUPS s
        SET str x
        XGROUP CREATE str g 0
        XGROUP CREATE str g 0 MKSTREAM
        XGROUP SETID str g 0
    """)
    # Groups and consumers come back in byte order, shorter names first.
    for name in (b"b", b"a", b"ab", b"", b"\xff", b"A", b"a\x00"):
        d.check("XGROUP", "CREATE", "s", name, "0")
        d.check("XGROUP", "CREATECONSUMER", "s", "g2", name)
    d.check("XINFO", "GROUPS", "s")
    d.check("XINFO", "CONSUMERS", "s", "g2")
    d.check("XGROUP", "CREATE", "s", b"bin\x00x", "0")
    d.check("XGROUP", "SETID", "s", b"nog\x00x", "0")


def test_xreadgroup(d):
    add(d, "s", "1-1", "2-1", "3-1")
    run(d, """
        XREADGROUP STREAMS s >
        XREADGROUP GROUP g c STREAMS s >
        XREADGROUP GROUP g c STREAMS s $
        XREADGROUP GROUP g c STREAMS s 0 1
        XREADGROUP GROUP g STREAMS s >
        XREADGROUP COUNT 1 STREAMS s >
        XGROUP CREATE s g $
        XREADGROUP GROUP g c STREAMS s $
        XREADGROUP GROUP g bob COUNT 1 STREAMS s >
        XINFO CONSUMERS s g
        XREADGROUP GROUP g carol STREAMS s 0
        XINFO CONSUMERS s g
        XGROUP SETID s g 0
        XREADGROUP GROUP g dave COUNT 2 STREAMS s >
        XREADGROUP GROUP g dave COUNT 2 STREAMS s 0
        XREADGROUP GROUP g dave STREAMS s 1-1
        XREADGROUP GROUP g dave STREAMS s -
        XREADGROUP GROUP g dave STREAMS s x
        XINFO GROUPS s
        XDEL s 1-1
        XREADGROUP GROUP g dave STREAMS s 0
        XREADGROUP GROUP g erin NOACK STREAMS s >
        XREADGROUP GROUP g erin noack COUNT 5 STREAMS s >
        XPENDING s g
        XINFO GROUPS s
        XGROUP SETID s g 0
        XREADGROUP GROUP g frank COUNT 1 STREAMS s >
        XPENDING s g - + 10
        XREADGROUP GROUP g frank STREAMS s 18446744073709551615-18446744073709551615
        XINFO STREAM s FULL
        XREADGROUP GROUP g c STREAMS s nokey > >
        XADD t 1-1 a 1
        XGROUP CREATE t g 0
        XREADGROUP GROUP g c STREAMS s t > >
        XREADGROUP GROUP g c STREAMS s t 0 0
        XREADGROUP GROUP g c COUNT 1 STREAMS s t 0 >
        XREADGROUP GROUP g c BLOCK 10 STREAMS s >
        XREADGROUP GROUP g c BLOCK x STREAMS s >
        XREADGROUP GROUP g c NOACK BLOCK 10 COUNT 1 STREAMS t >
        SET str x
        XREADGROUP GROUP g c STREAMS str >
    """)


def test_entries_read_and_lag(d):
    """The 7.0 counters: entries_read, lag, and when they are unknown."""
    for i in range(1, 11):
        d.check("XADD", "s", f"{i}-0", "f", str(i))
    run(d, """
        XGROUP CREATE s a 0
        XGROUP CREATE s b $
        XGROUP CREATE s c 5-0
        XGROUP CREATE s d 5-0 ENTRIESREAD 5
        XGROUP CREATE s e 0 ENTRIESREAD 0
        XINFO GROUPS s
        XREADGROUP GROUP a x COUNT 3 STREAMS s >
        XREADGROUP GROUP c x COUNT 3 STREAMS s >
        XREADGROUP GROUP d x COUNT 3 STREAMS s >
        XINFO GROUPS s
        XDEL s 9-0
        XINFO GROUPS s
        XREADGROUP GROUP a x STREAMS s >
        XREADGROUP GROUP c x STREAMS s >
        XINFO GROUPS s
        XDEL s 1-0
        XINFO GROUPS s
        XADD s 11-0 f 11
        XINFO GROUPS s
        XTRIM s MAXLEN 3
        XINFO GROUPS s
        XINFO STREAM s
        XGROUP SETID s e 0
        XINFO GROUPS s
        XGROUP SETID s e 20-0
        XINFO GROUPS s
        XGROUP SETID s e 11-0
        XINFO GROUPS s
        XDEL s 10-0 11-0
        XINFO GROUPS s
        XDEL s 8-0
        XINFO GROUPS s
        XINFO STREAM s
    """)


def test_xack_xpending(d):
    add(d, "s", "1-1", "2-1", "3-1", "4-1", "5-1")
    run(d, """
        XACK nokey g 1-1
        XACK nokey g x
        XACK s g x
        XPENDING s g
        XPENDING nokey g
        XPENDING nokey g - + 10
        XGROUP CREATE s g 0
        XPENDING s g
        XPENDING s g - + 10
        XREADGROUP GROUP g alice COUNT 2 STREAMS s >
        XREADGROUP GROUP g bob COUNT 2 STREAMS s >
        XREADGROUP GROUP g carol STREAMS s >
        XPENDING s g
        XPENDING s g - + 10
        XPENDING s g - + 2
        XPENDING s g - + 0
        XPENDING s g - + -1
        XPENDING s g (1-1 (5-1 10
        XPENDING s g 2 4 10
        XPENDING s g - + 10 bob
        XPENDING s g - + 10 nobody
        XPENDING s g IDLE 0 - + 10
        XPENDING s g IDLE 3600000 - + 10
        XPENDING s g IDLE 0 - + 10 alice
        XPENDING s g IDLE 0 - +
        XPENDING s g IDLE x - + 10
        XPENDING s g - +
        XPENDING s g -
        XPENDING s g - + 10 bob extra
        XPENDING s g - + 10 bob extra more
        XPENDING s g - + x
        XPENDING s g x + 10
        XPENDING s g - x 10
        XPENDING s g (18446744073709551615-18446744073709551615 + 10
        XPENDING s g - (0-0 10
        XPENDING s nog
        XPENDING s nog - + x
        XACK s g 1-1 1-1 9-9
        XACK s g 2-1 x
        XACK s g 2-1 -
        XACK s nog 2-1
        XPENDING s g
        XACK s g 2-1 3-1 4-1 5-1
        XPENDING s g
        XPENDING s g - + 10
        XINFO CONSUMERS s g
        XREADGROUP GROUP g dave STREAMS s 0
        SET str x
        XACK str g 1-1
        XPENDING str g
    """)


def test_xclaim(d):
    add(d, "s", "1-1", "2-1", "3-1", "4-1")
    run(d, """
        XCLAIM nokey g c 0 1-1
        XCLAIM s g c 0 1-1
        XGROUP CREATE s g 0
        XCLAIM s nog c x 1-1
        XREADGROUP GROUP g alice STREAMS s >
        XCLAIM s g bob x 1-1
        XCLAIM s g bob 3600000 1-1
        XCLAIM s g bob 0 1-1
        XCLAIM s g bob -5 2-1 JUSTID
        XPENDING s g - + 10
        XCLAIM s g bob 0 1-1 2-1 9-9 RETRYCOUNT 7
        XPENDING s g - + 10
        XCLAIM s g carol 0 1-1 IDLE 100000000
        XCLAIM s g carol 3600000 1-1 JUSTID
        XPENDING s g - + 10
        XCLAIM s g carol 0 3-1 TIME 1000 JUSTID
        XCLAIM s g carol 0 3-1 TIME 99999999999999 JUSTID
        XCLAIM s g carol 0 4-1 IDLE -5 JUSTID
        XCLAIM s g carol 0 9-9 FORCE
        XADD s 5-1 a 1
        XCLAIM s g carol 0 5-1
        XCLAIM s g carol 0 5-1 FORCE JUSTID
        XCLAIM s g dave 0 5-1 FORCE
        XPENDING s g - + 10
        XCLAIM s g carol 0 1-1 LASTID 10-1
        XINFO GROUPS s
        XCLAIM s g carol 0 1-1 LASTID 2-1
        XINFO GROUPS s
        XCLAIM s g carol 0 9-9 LASTID 11-1
        XINFO GROUPS s
        XCLAIM s g carol 0 1-1 RETRYCOUNT x
        XCLAIM s g carol 0 1-1 RETRYCOUNT -1
        XCLAIM s g carol 0 1-1 IDLE x
        XCLAIM s g carol 0 1-1 TIME x
        XCLAIM s g carol 0 1-1 LASTID x
        XCLAIM s g carol 0 1-1 LASTID
        XCLAIM s g carol 0 1-1 IDLE
        XCLAIM s g carol 0 1-1 foo
        XCLAIM s g carol 0 + 1-1
        XCLAIM s g carol 0 - 1-1
        XCLAIM s g carol 0 foo
        XCLAIM s g carol 0 JUSTID
        XCLAIM s g carol 0 1-1 JUSTID 2-1
        XCLAIM s g
        XDEL s 2-1
        XCLAIM s g erin 0 2-1 3-1
        XPENDING s g
        XINFO CONSUMERS s g
        SET str x
        XCLAIM str g c 0 1-1
    """)


def test_xautoclaim(d):
    add(d, "s", "1-1", "2-1", "3-1", "4-1", "5-1")
    run(d, """
        XAUTOCLAIM nokey g c 0 0
        XAUTOCLAIM nokey g c x 0
        XAUTOCLAIM s g c 0 0
        XGROUP CREATE s g 0
        XREADGROUP GROUP g bob STREAMS s >
        XAUTOCLAIM s g zed 0 0 COUNT 0
        XAUTOCLAIM s g zed 0 0 COUNT x
        XAUTOCLAIM s g zed 0 0 COUNT -1
        XAUTOCLAIM s g zed 0 0 COUNT 9223372036854775807
        XAUTOCLAIM s g zed 0 0 COUNT 576460752303423488
        XAUTOCLAIM s g zed 0 0 COUNT 576460752303423487
        XAUTOCLAIM s g zed 0 0 COUNT 5764607523034234
        XAUTOCLAIM s g zed 0 0 JUSTID foo
        XAUTOCLAIM s g zed 0 0 COUNT
        XAUTOCLAIM s g zed x 0
        XAUTOCLAIM s g zed 0 x
        XAUTOCLAIM s g zed 0 (18446744073709551615-18446744073709551615
        XAUTOCLAIM s g zed 3600000 0
        XINFO CONSUMERS s g
        XDEL s 1-1 2-1 4-1
        XAUTOCLAIM s g zed 0 0 COUNT 1
        XAUTOCLAIM s g zed 0 0 COUNT 1
        XPENDING s g
        XINFO CONSUMERS s g
        XAUTOCLAIM s g zed 0 0 COUNT 1 JUSTID
        XAUTOCLAIM s g zed 0 0 COUNT 1 JUSTID
        XPENDING s g - + 10
        XAUTOCLAIM s g zed 3600000 0
        XAUTOCLAIM s g amy 0 (3-1
        XAUTOCLAIM s g amy 0 - JUSTID COUNT 5
        XAUTOCLAIM s g amy 0 +
        XPENDING s g - + 10
        XINFO CONSUMERS s g
        SET str x
        XAUTOCLAIM str g c 0 0
    """)
    for i in range(6, 60):
        d.check("XADD", "s", f"{i}-1", "f", str(i))
    d.check("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    d.check("XDEL", "s", *[f"{i}-1" for i in range(10, 50, 3)])
    cursor = "0"
    for _ in range(20):
        r = d.check("XAUTOCLAIM", "s", "g", "amy", "0", cursor, "COUNT", "4")
        cursor = r.value[0].value
        if cursor == b"0-0":
            break
    d.check("XPENDING", "s", "g")


def test_xsetid(d):
    add(d, "s", "1-1", "2-1")
    run(d, """
        XSETID nokey 5-1
        XSETID s x
        XSETID s -
        XSETID s +
        XSETID s 1-1
        XSETID s 0-0
        XSETID s 2-1
        XSETID s 5-1 ENTRIESADDED 1
        XSETID s 5-1 ENTRIESADDED -1
        XSETID s 5-1 ENTRIESADDED x
        XSETID s 5-1 ENTRIESADDED
        XSETID s 5-1 MAXDELETEDID 6-1
        XSETID s 5-1 MAXDELETEDID x
        XSETID s 5-1 MAXDELETEDID 3-1
        XSETID s 5-1 foo
        XINFO STREAM s
        XSETID s 7-1 ENTRIESADDED 10 MAXDELETEDID 6-0
        XINFO STREAM s
        XADD s 7-1 a 1
        XADD s 7-* a 1
        XDEL s 1-1 2-1 7-2
        XSETID s 1-5
        XSETID s 3-0 ENTRIESADDED 0
        XINFO STREAM s
        XSETID s 3-0 MAXDELETEDID 2-0
        XINFO STREAM s
        XSETID s 18446744073709551615-18446744073709551615
        XADD s * a 1
        SET str x
        XSETID str 1-1
    """)


def test_xinfo(d):
    run(d, """
        XINFO HELP
        XINFO help
        XINFO HELP foo
        XINFO foo s
        XINFO STREAM nokey
        XINFO GROUPS nokey
        XINFO CONSUMERS nokey g
        XINFO STREAM
        XINFO CONSUMERS s
        XGROUP CREATE s g $ MKSTREAM
        XINFO STREAM s
        XINFO STREAM s FULL
        XINFO GROUPS s
        XINFO CONSUMERS s g
        XINFO CONSUMERS s nog
        XINFO STREAM s foo
        XINFO STREAM s FULL COUNT
        XINFO STREAM s FULL COUNT x
        XINFO STREAM s FULL foo 1
        XINFO STREAM s full count 1 x
        XINFO STREAM s FOO 1 2
        XINFO stream s FULL
        SET str x
        XINFO STREAM str
        XINFO GROUPS str
        XINFO CONSUMERS str g
    """)
    for i in range(1, 16):
        d.check("XADD", "s", f"{i}-0", "f", str(i))
    d.check("XGROUP", "CREATE", "s", "h", "0")
    d.check("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">")
    d.check("XREADGROUP", "GROUP", "h", "c2", "COUNT", "12", "STREAMS", "s", ">")
    d.check("XREADGROUP", "GROUP", "h", "c3", "STREAMS", "s", ">")
    d.check("XDEL", "s", "2-0", "15-0")
    for extra in ([], ["FULL"], ["FULL", "COUNT", "0"], ["FULL", "COUNT", "3"],
                  ["FULL", "COUNT", "-5"], ["full", "count", "12"]):
        d.check("XINFO", "STREAM", "s", *extra)
    d.check("XINFO", "GROUPS", "s")
    d.check("XINFO", "CONSUMERS", "s", "g")
    d.check("XINFO", "CONSUMERS", "s", "h")


def test_radix_tree_counts(d):
    """XINFO's radix-tree-keys/-nodes follow the node layout: nodes split
    at stream-node-max-entries/-bytes, and the count of radix tree nodes
    Redis would hold for their keys, as nodes come and go."""
    d.check("CONFIG", "SET", "stream-node-max-entries", "3")
    ids = ([f"{i}-0" for i in range(1, 40)] + ["300-0", "301-0", "70000-0",
           "70000-5", "16777216-1", "16777216-300", "4294967296-0",
           "1099511627776-7", "18446744073709551615-0"])
    for i in ids:
        d.check("XADD", "s", i, "f", "v")
        d.check("XINFO", "STREAM", "s")
    for i in ids[::4] + ids[1::3]:
        d.check("XDEL", "s", i)
        d.check("XINFO", "STREAM", "s")
    d.check("CONFIG", "SET", "stream-node-max-entries", "0")
    d.check("CONFIG", "SET", "stream-node-max-bytes", "120")
    for i in range(1, 30):
        d.check("XADD", "b", f"{i}-0", "f", "x" * (i * 3))
    d.check("XINFO", "STREAM", "b")
    d.check("CONFIG", "SET", "stream-node-max-bytes", "0")
    d.check("CONFIG", "SET", "stream-node-max-entries", "100")
    for i in range(1, 250):
        d.check("XADD", "c", f"{i}-0", "f", "v")
    d.check("XINFO", "STREAM", "c")


def test_wrongtype_and_type(d):
    run(d, """
        SET str x
        XADD str * a 1
        XADD str 0-0 a 1
        XADD str NOMKSTREAM 1-1 a 1
        XLEN str
        XRANGE str - +
        XRANGE str x +
        XREVRANGE str + -
        XDEL str 1-1
        XTRIM str MAXLEN 1
        XTRIM str foo 1
        XREAD STREAMS str 0
        XSETID str 1-1
        XADD s 1-1 a 1
        TYPE s
        OBJECT ENCODING s
        XGROUP CREATE s g 0
        XREADGROUP GROUP g c STREAMS s >
        COPY s s2
        TYPE s2
        OBJECT ENCODING s2
        XINFO STREAM s2 FULL
        XADD s2 2-1 b 2
        XACK s2 g 1-1
        XINFO STREAM s FULL
        XINFO STREAM s2 FULL
        DEL s
        XINFO STREAM s2 FULL
        XPENDING s2 g
        RENAME s2 s3
        XPENDING s3 g - + 10
    """)


def test_copy_deep(d):
    """COPY duplicates nodes, groups, consumers and PELs; the copy and the
    original then change independently."""
    d.check("CONFIG", "SET", "stream-node-max-entries", "4")
    for i in range(1, 30):
        d.check("XADD", "s", f"{i}-1", "f", str(i))
    d.check("XGROUP", "CREATE", "s", "g", "0")
    d.check("XGROUP", "CREATE", "s", "h", "$")
    d.check("XREADGROUP", "GROUP", "g", "a", "COUNT", "10", "STREAMS", "s", ">")
    d.check("XREADGROUP", "GROUP", "g", "b", "COUNT", "10", "STREAMS", "s", ">")
    d.check("XDEL", "s", "3-1", "15-1")
    d.check("COPY", "s", "c")
    for key in ("s", "c"):
        d.check("XINFO", "STREAM", key, "FULL", "COUNT", "0")
    d.check("XACK", "c", "g", "1-1", "11-1")
    d.check("XADD", "c", "40-1", "f", "x")
    d.check("XGROUP", "DESTROY", "s", "h")
    d.check("XTRIM", "c", "MAXLEN", "5")
    for key in ("s", "c"):
        d.check("XINFO", "STREAM", key, "FULL", "COUNT", "0")
        d.check("XPENDING", key, "g", "-", "+", "100")
    d.check("COPY", "s", "c")
    d.check("COPY", "s", "c", "REPLACE")
    d.check("XINFO", "STREAM", "c", "FULL", "COUNT", "0")


def test_resp3(d):
    resp3(d)
    add(d, "s", "1-1", "2-1", "3-1")
    add(d, "t", "1-1")
    run(d, """
        XRANGE s - +
        XRANGE s - + COUNT 0
        XREAD STREAMS s t 0 0
        XREAD STREAMS s $
        XREAD COUNT 1 STREAMS s t 1-1 0
        XADD nokey NOMKSTREAM 1-1 a 1
        XGROUP CREATE s g 0
        XREADGROUP GROUP g c COUNT 2 STREAMS s >
        XREADGROUP GROUP g c STREAMS s 0
        XREADGROUP GROUP g c STREAMS s t > 0
        XREADGROUP GROUP g c STREAMS s >
        XPENDING s g
        XPENDING s g - + 10
        XPENDING nokey g - + 10
        XGROUP CREATE s h $
        XPENDING s h
        XCLAIM s g d 0 1-1
        XCLAIM s g d 0 1-1 JUSTID
        XAUTOCLAIM s g e 0 0
        XINFO STREAM s
        XINFO STREAM s FULL
        XINFO GROUPS s
        XINFO CONSUMERS s g
        XINFO STREAM t
        XDEL t 1-1
        XINFO STREAM t
        XINFO GROUPS t
        XINFO HELP
        XGROUP HELP
    """)


# ---------------------------------------------------------------- blocking


def _both_conns(pair):
    return {"shoal": pair.shoal.raw(), "redis": pair.redis.raw()}


def _send(conns, *args):
    for c in conns.values():
        c.send_command(*args)


def _replies(conns, timeout=3.0):
    return {s: c.read_reply(timeout=timeout) for s, c in conns.items()}


def _same(replies):
    assert replies["shoal"] == replies["redis"], replies
    return replies["redis"]


def _still_waiting(conns, wait=0.15):
    """True on both sides if no reply came within wait seconds."""
    out = {}
    for s, c in conns.items():
        try:
            c.read_reply(timeout=wait)
            out[s] = False
        except (TimeoutError, OSError):
            out[s] = True
    assert out["shoal"] == out["redis"], out
    return out["redis"]


def _blocking_case(pair, d, setup, block, actions):
    """Runs setup on d, sends the blocking command on fresh connections,
    then each (command, unblocks) action; when one unblocks the waiter,
    both waiters' replies must be the same."""
    for cmd in setup:
        d.check(*cmd)
    conns = _both_conns(pair)
    try:
        _send(conns, *block)
        time.sleep(0.1)
        for cmd, unblocks in actions:
            d.check(*cmd)
            if unblocks:
                _same(_replies(conns))
                return
            assert _still_waiting(conns)
        raise AssertionError("the waiter was never unblocked")
    finally:
        for c in conns.values():
            c.close()


def test_xread_block(pair, d):
    _blocking_case(pair, d, [["XADD", "s", "5-1", "a", "1"]],
                   ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
                   [(["XADD", "other", "1-1", "a", "1"], False),
                    (["XADD", "s", "6-1", "a", "2"], True)])
    d.check("FLUSHALL")
    # A missing key with "$" means 0-0; a key of another type on the way.
    _blocking_case(pair, d, [],
                   ["XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "a", "b", "$", "$"],
                   [(["SET", "b", "x"], False), (["DEL", "b"], False),
                    (["XADD", "b", "1-1", "f", "1"], True)])
    d.check("FLUSHALL")
    # An explicit ID: the next entry past it wakes the reader.
    _blocking_case(pair, d, [["XADD", "s", "1-1", "a", "1"]],
                   ["XREAD", "BLOCK", "0", "STREAMS", "s", "5-0"],
                   [(["XADD", "s", "2-1", "a", "1"], False),
                    (["XADD", "s", "6-1", "a", "1"], True)])
    d.check("FLUSHALL")
    _blocking_case(pair, d, [["XADD", "s", "1-1", "a", "1"]],
                   ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
                   [(["XDEL", "s", "1-1"], False), (["DEL", "s"], False),
                    (["XADD", "s", "0-5", "a", "1"], False),
                    (["XADD", "s", "3-5", "a", "1"], True)])
    d.check("FLUSHALL")
    # Woken without COUNT: at most 1000 entries (Redis's default). The
    # group is moved back while the reader waits, so one XADD makes 1300
    # entries new to it.
    d.check_pipeline([["XADD", "big", f"{i}-0", "n", str(i)]
                      for i in range(1, 1300)])
    d.check("XGROUP", "CREATE", "big", "g", "$")
    conns = _both_conns(pair)
    try:
        _send(conns, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS",
              "big", ">")
        time.sleep(0.1)
        d.check("XGROUP", "SETID", "big", "g", "0")
        d.check("XADD", "big", "1300-0", "n", "1300")
        r = _same(_replies(conns))
        assert len(r.value[0].value[1].value) == 1000
    finally:
        for c in conns.values():
            c.close()


def _has_multi(d):
    r = d.conns["shoal"].call("MULTI")
    if r.is_error:
        return False
    d.conns["shoal"].call("DISCARD")
    return True


def test_xread_block_timeout(pair, d):
    d.check("XADD", "s", "1-1", "a", "1")
    conns = _both_conns(pair)
    try:
        _send(conns, "XREAD", "BLOCK", "100", "STREAMS", "s", "$")
        _same(_replies(conns))
        _send(conns, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", "s", ">")
        _same(_replies(conns))
        d.check("XGROUP", "CREATE", "s", "g", "$")
        _send(conns, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", "s", ">")
        _same(_replies(conns))
        d.check("XINFO", "CONSUMERS", "s", "g")
        d.check("INFO", "clients")
    finally:
        for c in conns.values():
            c.close()


def test_xreadgroup_block(pair, d):
    mk = [["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]]
    blk = ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"]
    _blocking_case(pair, d, mk, blk, [(["XADD", "s", "1-1", "a", "1"], True)])
    d.check("XPENDING", "s", "g", "-", "+", "10")
    d.check("XINFO", "GROUPS", "s")
    d.check("FLUSHALL")
    _blocking_case(pair, d, mk, ["XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK",
                                 "0", "COUNT", "1", "STREAMS", "s", ">"],
                   [(["XADD", "s", "1-1", "a", "1"], True)])
    d.check("XPENDING", "s", "g")
    d.check("XINFO", "GROUPS", "s")
    d.check("XINFO", "CONSUMERS", "s", "g")
    # The group or the key going away wakes the reader with an error.
    for action in (["XGROUP", "DESTROY", "s", "g"], ["DEL", "s"], ["SET", "s", "x"],
                   ["FLUSHALL"], ["FLUSHDB"], ["RENAME", "s", "t"], ["UNLINK", "s"],
                   ["SWAPDB", "0", "1"], ["MOVE", "s", "1"]):
        d.check("FLUSHALL")
        _blocking_case(pair, d, mk, blk, [(action, True)])
    d.check("FLUSHALL")
    # The group moving back: only a new entry wakes the reader, which then
    # gets everything after the group's last ID.
    _blocking_case(pair, d, [["XADD", "s", "1-1", "a", "1"],
                             ["XGROUP", "CREATE", "s", "g", "$"]], blk,
                   [(["XGROUP", "SETID", "s", "g", "0"], False),
                    (["XGROUP", "CREATECONSUMER", "s", "g", "zz"], False),
                    (["XADD", "s", "2-1", "a", "1"], True)])
    d.check("FLUSHALL")
    # Expiry, found by the active expire cycle.
    for cmd in mk + [["PEXPIRE", "s", "50"]]:
        d.check(*cmd)
    conns = _both_conns(pair)
    try:
        _send(conns, *blk)
        _same(_replies(conns, timeout=5))
    finally:
        for c in conns.values():
            c.close()


def test_two_readers_one_group(pair, d):
    """Two consumers of one group blocked on '>': one XADD serves the
    first; the second waits for the next entry."""
    d.check("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    first, second = _both_conns(pair), _both_conns(pair)
    try:
        _send(first, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">")
        time.sleep(0.05)
        _send(second, "XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">")
        time.sleep(0.1)
        d.check("XADD", "s", "1-1", "a", "1")
        _same(_replies(first))
        assert _still_waiting(second)
        d.check("XADD", "s", "2-1", "a", "2")
        _same(_replies(second))
        d.check("XPENDING", "s", "g", "-", "+", "10")
    finally:
        for c in list(first.values()) + list(second.values()):
            c.close()


def test_block_inside_multi_is_timeout(d):
    if not _has_multi(d):
        pytest.skip("MULTI is not available in this build yet")
    d.check("XADD", "s", "1-1", "a", "1")
    d.check("MULTI")
    d.check("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    d.check("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    d.check("EXEC")


# ---------------------------------------------------------------- random

FIELD_SETS = [[b"a"], [b"a", b"b"], [b"b", b"a"], [b"1", b"-5"], [b"x" * 70],
              [b"a", b"b", b"c"], [b""]]
KEYS = [b"s:0", b"s:1", b"s:2"]
GROUPS = [b"g1", b"g2"]
CONSUMERS = [b"c1", b"c2", b"c3", b""]


class StreamGen:
    """Command generators over a few streams with explicit IDs ('*' would
    differ in time): IDs mostly increase, so most XADDs succeed."""

    def __init__(self):
        self.ms = 1

    def id(self, g):
        if g.chance(0.1):
            return g.pick([b"-", b"+", b"0", b"0-0", b"x", b"18446744073709551615"])
        return b"%d-%d" % (g.rng.randint(0, self.ms + 2), g.rng.randint(0, 3))

    def bound(self, g):
        i = self.id(g)
        if g.chance(0.2) and i not in (b"-", b"+"):
            return b"(" + i
        if g.chance(0.2):
            return i.split(b"-")[0]
        return i

    def trim_opts(self, g):
        kind = g.pick([b"MAXLEN", b"MINID"])
        args = [kind] + ([g.pick([b"~", b"="])] if g.chance(0.5) else [])
        args.append(str(g.rng.randint(0, 15)).encode() if kind == b"MAXLEN"
                    else self.id(g))
        if g.chance(0.2):
            args += [b"LIMIT", str(g.rng.randint(0, 8)).encode()]
        return args

    def xadd(self, g):
        args = [b"XADD", g.pick(KEYS)]
        if g.chance(0.1):
            args.append(b"NOMKSTREAM")
        if g.chance(0.2):
            args += self.trim_opts(g)
        self.ms += g.rng.randint(0, 2)
        if g.chance(0.1):
            args.append(b"%d-*" % self.ms)
        elif g.chance(0.05):
            args.append(self.id(g))
        else:
            args.append(b"%d-%d" % (self.ms, g.rng.randint(0, 3)))
        for f in g.pick(FIELD_SETS):
            v = str(g.rng.randint(-5, 500)).encode() if g.chance(0.5) else g.value()
            args += [f, v]
        return args

    def xdel(self, g):
        return [b"XDEL", g.pick(KEYS)] + [self.id(g) for _ in range(g.rng.randint(1, 3))]

    def xtrim(self, g):
        return [b"XTRIM", g.pick(KEYS)] + self.trim_opts(g)

    def read(self, g):
        k = g.pick(KEYS)
        count = [b"COUNT", str(g.rng.randint(-1, 5)).encode()] if g.chance(0.4) else []
        return g.pick([
            [b"XRANGE", k, self.bound(g), self.bound(g)] + count,
            [b"XRANGE", k, b"-", b"+"],
            [b"XREVRANGE", k, self.bound(g), self.bound(g)] + count,
            [b"XLEN", k],
            [b"XREAD"] + count + [b"STREAMS", k, g.pick(KEYS), self.id(g), b"$"],
            [b"XINFO", b"STREAM", k],
            [b"XINFO", b"STREAM", k, b"FULL", b"COUNT", b"0"],
            [b"XINFO", b"GROUPS", k],
            [b"XINFO", b"CONSUMERS", k, g.pick(GROUPS)],
            [b"XPENDING", k, g.pick(GROUPS)],
            [b"XPENDING", k, g.pick(GROUPS), self.bound(g), b"+", b"10"]
            + ([g.pick(CONSUMERS)] if g.chance(0.3) else []),
        ])

    def xgroup(self, g):
        k, grp = g.pick(KEYS), g.pick(GROUPS)
        er = [b"ENTRIESREAD", str(g.rng.randint(-1, 10)).encode()]
        return g.pick([
            [b"XGROUP", b"CREATE", k, grp, g.pick([b"$", b"0", self.id(g)])]
            + ([b"MKSTREAM"] if g.chance(0.3) else [])
            + (er if g.chance(0.2) else []),
            [b"XGROUP", b"SETID", k, grp, g.pick([b"$", b"0", self.id(g)])]
            + (er if g.chance(0.3) else []),
            [b"XGROUP", b"DESTROY", k, grp],
            [b"XGROUP", b"CREATECONSUMER", k, grp, g.pick(CONSUMERS)],
            [b"XGROUP", b"DELCONSUMER", k, grp, g.pick(CONSUMERS)],
        ])

    def xreadgroup(self, g):
        args = [b"XREADGROUP", b"GROUP", g.pick(GROUPS), g.pick(CONSUMERS)]
        if g.chance(0.4):
            args += [b"COUNT", str(g.rng.randint(0, 4)).encode()]
        if g.chance(0.2):
            args.append(b"NOACK")
        keys = [g.pick(KEYS)] + ([g.pick(KEYS)] if g.chance(0.2) else [])
        ids = [g.pick([b">", b">", b"0", self.id(g)]) for _ in keys]
        return args + [b"STREAMS"] + keys + ids

    def xack(self, g):
        return [b"XACK", g.pick(KEYS), g.pick(GROUPS)] + [
            self.id(g) for _ in range(g.rng.randint(1, 3))]

    def xclaim(self, g):
        args = [b"XCLAIM", g.pick(KEYS), g.pick(GROUPS), g.pick(CONSUMERS),
                g.pick([b"0", b"3600000"])]
        args += [self.id(g) for _ in range(g.rng.randint(1, 3))]
        for opt in (b"FORCE", b"JUSTID"):
            if g.chance(0.2):
                args.append(opt)
        if g.chance(0.2):
            args += [b"RETRYCOUNT", str(g.rng.randint(0, 9)).encode()]
        if g.chance(0.2):
            args += [b"IDLE", b"100000000"]
        if g.chance(0.1):
            args += [b"LASTID", self.id(g)]
        return args

    def xautoclaim(self, g):
        args = [b"XAUTOCLAIM", g.pick(KEYS), g.pick(GROUPS), g.pick(CONSUMERS),
                g.pick([b"0", b"3600000"]), self.bound(g)]
        if g.chance(0.5):
            args += [b"COUNT", str(g.rng.randint(1, 5)).encode()]
        if g.chance(0.3):
            args.append(b"JUSTID")
        return args

    def xsetid(self, g):
        args = [b"XSETID", g.pick(KEYS), b"%d-%d" % (self.ms + g.rng.randint(-2, 2), 9)]
        if g.chance(0.2):
            args += [b"ENTRIESADDED", str(g.rng.randint(0, 60)).encode()]
        if g.chance(0.2):
            args += [b"MAXDELETEDID", self.id(g)]
        return args

    def other(self, g):
        return g.pick([[b"DEL", g.pick(KEYS)], [b"TYPE", g.pick(KEYS)],
                       [b"COPY", g.pick(KEYS), g.pick(KEYS), b"REPLACE"],
                       [b"EXISTS", g.pick(KEYS)]])

    def generators(self):
        return [(self.xadd, 12), (self.xdel, 3), (self.xtrim, 2), (self.read, 10),
                (self.xgroup, 3), (self.xreadgroup, 5), (self.xack, 3),
                (self.xclaim, 3), (self.xautoclaim, 2), (self.xsetid, 1),
                (self.other, 1)]


def test_random(d):
    run_random(d, StreamGen().generators(), n=4000, seed=11)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_small_nodes(d, seed):
    """Tiny nodes: entries spread over many nodes, split by count or by
    bytes, and trimmed or emptied node by node."""
    d.check("CONFIG", "SET", "stream-node-max-entries", str(seed + 1))
    d.check("CONFIG", "SET", "stream-node-max-bytes", str(60 + 40 * seed))
    run_random(d, StreamGen().generators(), n=3000, seed=seed)


def test_random_resp3(d):
    resp3(d)
    run_random(d, StreamGen().generators(), n=2000, seed=33)


def test_pipelined_bulk(d):
    cmds = []
    for i in range(1, 3000):
        cmds.append(["XADD", f"p{i % 3}", f"{i}-0", "a", str(i), "b", str(i * 7)])
        if i % 50 == 0:
            cmds.append(["XTRIM", f"p{i % 3}", "MAXLEN", "~", "300"])
    d.check_pipeline(cmds)
    for k in ("p0", "p1", "p2"):
        d.check("XINFO", "STREAM", k)
        d.check("XRANGE", k, "-", "+", "COUNT", "20")
        d.check("XREVRANGE", k, "+", "-", "COUNT", "20")


# ---------------------------------------------------------------- memory


def _used(conn):
    text = conn.call("INFO", "memory").value.decode()
    return int(re.search(r"used_memory:(\d+)", text).group(1))


def _load(conn, key, n):
    for start in range(0, n, 1000):
        conn.pipeline([["XADD", key, f"{1_600_000_000_000 + i}-0",
                        "sensor", "temp", "value", str(i % 97)]
                       for i in range(start, start + 1000)])


def test_memory_100k_xadd(pair):
    """used_memory for 100,000 XADDs of a small entry, against
    redis-server (jemalloc on both; the ASan build uses libc malloc).
    Connection buffers are warmed up first; the memory DEL gives back is
    the stream alone."""
    shoal = pair.shoal.raw()
    if "mem_allocator:jemalloc" not in shoal.call("INFO", "memory").value.decode():
        pytest.skip("memory ratios need the jemalloc (release) build")
    grown, freed = {}, {}
    for side, conn in (("shoal", shoal), ("redis", pair.redis.raw())):
        _load(conn, "warm", 2000)
        conn.call("DEL", "warm")
        base = _used(conn)
        _load(conn, "mem", 100_000)
        full = _used(conn)
        assert conn.call("XLEN", "mem").value == 100_000
        conn.call("DEL", "mem")
        grown[side], freed[side] = full - base, full - _used(conn)
    ratios = {k: v["shoal"] / v["redis"] for k, v in
              (("grown", grown), ("freed", freed))}
    print(f"100k XADD used_memory: shoal {grown['shoal']} redis {grown['redis']} "
          f"(ratio {ratios['grown']:.3f}); freed by DEL: shoal {freed['shoal']} "
          f"redis {freed['redis']} (ratio {ratios['freed']:.3f})")
    assert ratios["grown"] <= 1.0 and ratios["freed"] <= 1.0
