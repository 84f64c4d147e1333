"""Differential testing: send the same commands to shoal and to redis-server
(the oracle) over raw RESP and require the same replies, wire types and
error strings included.

    d = Differ(shoal_server, redis_server)     # anything with .raw()
    d.check("SET", "k", "v", "GET")            # exact comparison
    d.check("SMEMBERS", "s")                   # unordered, from RULES
    run_random(d, [gen_get, gen_set], n=2000)  # seeded random sequence

A mismatch raises DiffMismatch with the last commands and both replies; a
random run also prints its seed, and DIFF_SEED=<seed> replays it.
"""

import os
import random
import socket
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from lib import resp
from lib.conn import ConnectionClosed
from lib.resp import Reply, format_command, format_reply

# ---------------------------------------------------------------- modes

EXACT = "exact"                      # same reply, byte for byte
UNORDERED = "unordered"              # top-level elements in any order
UNORDERED_PAIRS = "unordered-pairs"  # flat k,v,k,v array or map, pairs in any order
TYPE_ONLY = "type-only"              # same wire types and lengths, any values

MODES = (EXACT, UNORDERED, UNORDERED_PAIRS, TYPE_ONLY)

# Not a wire type: how a side failed (timeout, closed connection...).
FAILURE = "failure"


def _sorted(items):
    return tuple(sorted(items, key=resp.encode_reply))


def _sorted_pairs(pairs):
    return tuple(sorted(pairs, key=lambda p: resp.encode_reply(p[0]) + resp.encode_reply(p[1])))


def shape(r):
    """The reply with every scalar replaced by its kind (errors kept whole)."""
    if r.is_error or r.kind == FAILURE:
        return r
    if r.kind in resp.AGGREGATES:
        return Reply(r.kind, tuple(shape(x) for x in r.value))
    if r.kind == resp.MAP:
        return Reply(r.kind, tuple((shape(a), shape(b)) for a, b in r.value))
    return resp.normalized(r.kind)


def canonical(r, mode):
    """What is compared for reply `r` under `mode`. Errors always compare
    exactly, whatever the mode."""
    if mode not in MODES:
        raise ValueError(f"unknown comparison mode {mode!r}")
    if mode == EXACT or r.is_error or r.kind == FAILURE:
        return r
    if mode == TYPE_ONLY:
        return shape(r)
    if mode == UNORDERED:
        if r.kind in resp.AGGREGATES:
            return Reply(r.kind, _sorted(r.value))
        if r.kind == resp.MAP:
            return Reply(r.kind, _sorted_pairs(r.value))
        return r
    # UNORDERED_PAIRS
    if r.kind == resp.MAP:
        return Reply(r.kind, _sorted_pairs(r.value))
    if r.kind == resp.ARRAY and len(r.value) % 2 == 0:
        pairs = zip(r.value[0::2], r.value[1::2])
        return Reply(r.kind, tuple(x for p in _sorted_pairs(pairs) for x in p))
    return r


# ---------------------------------------------------------------- normalizers


def ttl_class(r):
    """TTL-like integers compared by class only: -2, -1, or >= 0."""
    if r.kind == resp.INT and r.value >= 0:
        return resp.normalized("int >= 0")
    return r


def any_int(r):
    """Any integer value matches any other (idle times, LFU counters)."""
    if r.kind == resp.INT:
        return resp.normalized("int")
    return r


@dataclass(frozen=True)
class Rule:
    """How to compare a command's replies: a mode and an optional normalizer
    (Reply -> Reply, applied to both replies before the mode)."""

    mode: str = EXACT
    normalize: Optional[Callable[[Reply], Reply]] = None


# Default rules by command name, or "NAME SUBCOMMAND" (upper case).
# Everything not listed is compared exactly.
RULES = {
    "TTL": Rule(normalize=ttl_class),
    "PTTL": Rule(normalize=ttl_class),
    "EXPIRETIME": Rule(normalize=ttl_class),
    "PEXPIRETIME": Rule(normalize=ttl_class),
    "OBJECT IDLETIME": Rule(normalize=any_int),
    "OBJECT FREQ": Rule(normalize=any_int),
    "SMEMBERS": Rule(UNORDERED),
    "KEYS": Rule(UNORDERED),
    "SINTER": Rule(UNORDERED),
    "SUNION": Rule(UNORDERED),
    "SDIFF": Rule(UNORDERED),
    "HKEYS": Rule(UNORDERED),
    "HVALS": Rule(UNORDERED),
    "HGETALL": Rule(UNORDERED_PAIRS),
    "CONFIG GET": Rule(UNORDERED_PAIRS),
    "RANDOMKEY": Rule(TYPE_ONLY),
    "TIME": Rule(TYPE_ONLY),
    "LASTSAVE": Rule(TYPE_ONLY),
    "SRANDMEMBER": Rule(TYPE_ONLY),
    "HRANDFIELD": Rule(TYPE_ONLY),
    "ZRANDMEMBER": Rule(TYPE_ONLY),
    "SPOP": Rule(TYPE_ONLY),
    "SCAN": Rule(TYPE_ONLY),
    "SSCAN": Rule(TYPE_ONLY),
    "HSCAN": Rule(TYPE_ONLY),
    "ZSCAN": Rule(TYPE_ONLY),
    "INFO": Rule(TYPE_ONLY),
    "HELLO": Rule(TYPE_ONLY),
    "CLIENT ID": Rule(TYPE_ONLY),
    "CLIENT LIST": Rule(TYPE_ONLY),
    "CLIENT INFO": Rule(TYPE_ONLY),
    "MEMORY USAGE": Rule(TYPE_ONLY),
}


def _upper(arg):
    if isinstance(arg, (bytes, bytearray)):
        return bytes(arg).decode("latin-1").upper()
    return str(arg).upper()


def rule_for(args, rules=RULES):
    if len(args) > 1:
        rule = rules.get(f"{_upper(args[0])} {_upper(args[1])}")
        if rule is not None:
            return rule
    return rules.get(_upper(args[0]), Rule())


# ---------------------------------------------------------------- differ


class DiffMismatch(AssertionError):
    """shoal and redis-server answered differently."""


@dataclass
class Step:
    number: int
    command: object  # list of args, or raw bytes for check_raw
    redis: object    # Reply or list of Reply
    shoal: object


def _failure(exc):
    if isinstance(exc, (ConnectionClosed, ConnectionResetError, BrokenPipeError)):
        return Reply(FAILURE, "connection closed by server")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return Reply(FAILURE, "timed out waiting for a reply")
    if isinstance(exc, resp.ProtocolError):
        return Reply(FAILURE, f"invalid RESP: {exc}")
    return Reply(FAILURE, f"{type(exc).__name__}: {exc}")


def _replay_hint(seed):
    """A command line, from the repository root, that reruns this test."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    where = ""
    if test:
        # pytest names tests relative to its rootdir, tests/.
        tests_dir = Path(__file__).resolve().parents[1]
        if (tests_dir / test.split("::")[0]).exists():
            test = "tests/" + test
        where = f" '{test}'"
    return f"DIFF_SEED={seed} /usr/bin/python3 -m pytest{where}"


class Differ:
    """Runs commands on both servers and compares the replies.

    `shoal` and `redis` are server objects with a .raw() method returning a
    lib.conn.RawConn (ServerProcess does). Commands are written to both
    sides before either reply is read, so both see them at about the same
    time.
    """

    SIDES = ("shoal", "redis")

    def __init__(self, shoal, redis, history=20, rules=None):
        self.servers = {"shoal": shoal, "redis": redis}
        self.rules = RULES if rules is None else rules
        self.history = deque(maxlen=history)
        self.count = 0
        self.seed = None  # set by run_random, shown on mismatch
        self.conns = {}
        self.reconnect()

    def reconnect(self):
        self.close()
        self.conns = {side: self.servers[side].raw() for side in self.SIDES}

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    # -- single commands

    def check(self, *args, mode=None, normalize=None):
        """Run one command on both sides; raise DiffMismatch unless the replies
        match under the command's rule (or the given mode/normalizer).
        Returns redis-server's reply."""
        __tracebackhide__ = True  # point pytest at the test's line
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        rule = rule_for(args, self.rules)
        mode = mode or rule.mode
        normalize = normalize or rule.normalize
        wire = resp.encode_command(*args)
        replies = self._exchange(wire, 1)
        self._record(list(args), replies)
        self._compare(replies, mode, normalize)
        return replies["redis"][0]

    def check_all(self, commands, **kw):
        """check() each command in turn; returns redis-server's replies."""
        __tracebackhide__ = True
        return [self.check(*c, **kw) for c in commands]

    def check_pipeline(self, commands, mode=None, normalize=None):
        """Send all commands in one write to each side, compare every reply."""
        __tracebackhide__ = True
        wire = b"".join(resp.encode_command(*c) for c in commands)
        replies = self._exchange(wire, len(commands))
        for i, c in enumerate(commands):
            one = {s: [replies[s][i]] if i < len(replies[s]) else [] for s in self.SIDES}
            self._record(list(c), one)
            rule = rule_for(c, self.rules)
            self._compare(one, mode or rule.mode, normalize or rule.normalize)
        return replies["redis"]

    def check_raw(self, data, replies=1, mode=EXACT, close_wait=0.05):
        """Send the same raw bytes (inline commands, malformed protocol...) to
        both sides; compare `replies` replies and whether each side closes
        the connection within `close_wait` s. Reconnects if a side closed."""
        __tracebackhide__ = True
        got = self._exchange(data, replies)
        closed = {s: self.conns[s].is_closed(wait=close_wait) for s in self.SIDES}
        for s in self.SIDES:
            if closed[s] and not (got[s] and got[s][-1].kind == FAILURE):
                got[s].append(Reply(FAILURE, "connection closed by server"))
        self._record(data, got)
        self._compare(got, mode, None)
        if any(closed.values()):
            self.reconnect()
        return got["redis"]

    # -- internals

    def _exchange(self, wire, count):
        """Write `wire` to both sides, then read `count` replies from each.
        A side that fails gets a FAILURE reply in place of the rest."""
        out = {s: [] for s in self.SIDES}
        failed = {}
        for s in self.SIDES:
            try:
                self.conns[s].send(wire)
            except OSError as e:
                failed[s] = _failure(e)
        for s in self.SIDES:
            if s in failed:
                out[s].append(failed[s])
                continue
            for _ in range(count):
                try:
                    out[s].append(self.conns[s].read_reply())
                except (OSError, ConnectionError, resp.ProtocolError) as e:
                    out[s].append(_failure(e))
                    break
        return out

    def _record(self, command, replies):
        self.count += 1
        self.history.append(Step(self.count, command, replies["redis"], replies["shoal"]))

    def _compare(self, replies, mode, normalize):
        __tracebackhide__ = True
        norm = normalize or (lambda r: r)
        a = [canonical(norm(r), mode) for r in replies["shoal"]]
        b = [canonical(norm(r), mode) for r in replies["redis"]]
        if a == b:
            if any(r.kind == FAILURE for r in a):
                self.reconnect()  # both failed the same way: start afresh
            return
        raise DiffMismatch(self._report(mode))

    def _report(self, mode):
        last = self.history[-1]
        lines = [f"shoal and redis-server differ at command #{last.number} "
                 f"(comparison: {mode})"]
        if self.seed is not None:
            lines.append(f"seed {self.seed}; replay with: {_replay_hint(self.seed)}")
        lines += [f"  command: {_show_command(last.command)}",
                  f"  redis:   {_show_replies(last.redis)}",
                  f"  shoal:   {_show_replies(last.shoal)}",
                  f"last {len(self.history)} commands, oldest first:"]
        for step in self.history:
            line = f"  #{step.number} {_show_command(step.command, 80)} -> {_show_replies(step.redis, 80)}"
            if step.shoal != step.redis:
                line += f"   | shoal: {_show_replies(step.shoal, 80)}"
            lines.append(line)
        return "\n".join(lines)


def _show_command(command, limit=200):
    if isinstance(command, (bytes, bytearray)):
        return "raw " + resp._show_bytes(command, limit)
    return format_command(command, limit)


def _show_replies(replies, limit=2000):
    if len(replies) == 1:
        return format_reply(replies[0], limit)
    return "; ".join(format_reply(r, limit) for r in replies) or "(nothing)"


# ---------------------------------------------------------------- random runs

INTS = [b"0", b"1", b"-1", b"2", b"7", b"10", b"42", b"-42", b"100", b"1000000",
        b"9223372036854775807", b"-9223372036854775808",
        b"9223372036854775806", b"-9223372036854775807", b"4294967296"]
BAD_INTS = [b"9223372036854775808", b"-9223372036854775809", b"1.5", b"abc",
            b"", b" 1", b"1 ", b"+1", b"01", b"-0", b"0x10", b"1e3", b"\x001"]
FLOATS = [b"0.0", b"1.5", b"-1.5", b"3.14159", b"1e10", b"-1e-10", b"0.1",
          b"10.00", b"inf", b"-inf", b"1.7976931348623157e308", b"5e-324"]
BIG_NUMBERS = [b"123456789012345678901234567890", b"-99999999999999999999999",
               b"18446744073709551616"]
STRINGS = [b"", b"a", b"hello", b"hello world", b"\x00", b"\x00\xff\xfe\r\n",
           b"\r\n", b"caf\xc3\xa9", b"x" * 64, b"y" * 1000, b"{tag}v", b" "]


class Gen:
    """What command generators draw from: a seeded RNG, a small key space
    (key:0 .. key:N-1) and value pools of tricky strings and numbers."""

    def __init__(self, rng, keyspace=10, prefix=b"key:"):
        self.rng = rng
        self.keyspace = keyspace
        self.prefix = prefix

    def key(self):
        return self.prefix + str(self.rng.randrange(self.keyspace)).encode()

    def keys(self, lo=1, hi=3):
        return [self.key() for _ in range(self.rng.randint(lo, hi))]

    def value(self):
        """Any value: numbers of every sort, empty, binary, long, random bytes."""
        pool = self.rng.choice((INTS, INTS, BAD_INTS, FLOATS, BIG_NUMBERS, STRINGS, STRINGS, None))
        if pool is None:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(16)))
        return self.rng.choice(pool)

    def int_arg(self, bad=0.1):
        """An integer argument; invalid ones with probability `bad`."""
        if self.chance(bad):
            return self.rng.choice(BAD_INTS)
        if self.chance(0.6):
            return str(self.rng.randint(-20, 20)).encode()
        return self.rng.choice(INTS)

    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def name(self, command, p=0.1):
        """The command name, in random letter case with probability `p`."""
        if not self.chance(p):
            return command
        return "".join(c.lower() if self.chance(0.5) else c for c in command)


def resolve_seed(seed=None):
    """DIFF_SEED from the environment wins; else `seed`; else a fresh one."""
    env = os.environ.get("DIFF_SEED")
    if env:
        return int(env)
    if seed is not None:
        return seed
    return random.SystemRandom().randrange(2**32)


def run_random(differ, generators, n=2000, seed=None, keyspace=10):
    """Run `n` generated commands on both sides, comparing every reply.

    `generators` is a list of functions gen(Gen) -> list of args, or of
    (function, weight) pairs. DIFF_N overrides `n`. Returns the seed used.
    """
    __tracebackhide__ = True
    seed = resolve_seed(seed)
    n = int(os.environ.get("DIFF_N", n))
    print(f"differential random run: seed {seed}, {n} commands "
          f"(replay: {_replay_hint(seed)})")
    fns = [g[0] if isinstance(g, tuple) else g for g in generators]
    weights = [g[1] if isinstance(g, tuple) else 1 for g in generators]
    rng = random.Random(seed)
    gen = Gen(rng, keyspace)
    differ.seed = seed
    try:
        for _ in range(n):
            fn = rng.choices(fns, weights)[0]
            differ.check(*fn(gen))
    finally:
        differ.seed = None
    return seed
