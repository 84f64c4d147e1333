"""Differential tests of pub/sub (shard/pubsub.c): SUBSCRIBE, PSUBSCRIBE,
SSUBSCRIBE and their UNSUBSCRIBE forms, PUBLISH/SPUBLISH message frames
as each subscriber receives them (RESP2 arrays, RESP3 pushes), the RESP2
subscribed-context error and PING form, RESET, PUBSUB introspection, INFO
and CLIENT LIST fields. Each side gets the same named connections; every
frame a connection receives is compared with redis-server's."""

import time

import pytest

from lib import resp


class Side:
    """Named raw connections to one server."""

    def __init__(self, server):
        self.server = server
        self.conns = {}

    def conn(self, name):
        if name not in self.conns:
            self.conns[name] = self.server.raw()
        return self.conns[name]

    def close(self):
        for c in self.conns.values():
            c.close()


def is_pong(r):
    """PING's reply in any context: +PONG, or ["pong", ""] when subscribed
    in RESP2."""
    if r.kind == resp.SIMPLE and r.value == b"PONG":
        return True
    return (r.kind == resp.ARRAY and len(r.value) == 2 and
            r.value[0].value == b"pong" and r.value[1].value == b"")


def drain(conn):
    """Every frame waiting on conn: send PING and read up to its pong."""
    conn.send_command("PING")
    out = []
    while True:
        r = conn.read_reply(timeout=5)
        if is_pong(r):
            return out
        out.append(r)


class PubSubDiff:
    def __init__(self, pair):
        self.sides = {"shoal": Side(pair.shoal), "redis": Side(pair.redis)}

    def hello(self, who, proto):
        """HELLO (client ids differ between the servers: not compared)."""
        for side in self.sides.values():
            r = side.conn(who).call("HELLO", proto)
            assert not r.is_error, r

    def quit(self, who):
        """QUIT: one reply, then the connection closes (no drain)."""
        got = {s: side.conn(who).call("QUIT") for s, side in self.sides.items()}
        assert got["shoal"] == got["redis"]
        for side in self.sides.values():
            assert side.conn(who).is_closed(wait=2)
            side.conns.pop(who).close()

    def step(self, who, *args, unordered=False, listeners=(),
             elements=False):
        """Send args on connection `who` of both sides; compare every frame
        that `who` and each listener then holds."""
        got = {}
        for s, side in self.sides.items():
            side.conn(who).send_command(*args)
        for s, side in self.sides.items():
            frames = {}
            for name in (who,) + tuple(listeners):
                f = drain(side.conn(name))
                if elements:  # a reply listing channels in hash order
                    f = [resp.Reply(r.kind, tuple(sorted(
                        r.value, key=resp.encode_reply))) for r in f]
                if unordered:
                    f = sorted(f, key=resp.encode_reply)
                frames[name] = f
            got[s] = frames
        assert got["shoal"] == got["redis"], (
            f"{who}: {args}\n shoal {got['shoal']}\n redis {got['redis']}")
        return got["redis"]

    def close(self):
        for side in self.sides.values():
            side.close()


@pytest.fixture
def ps(pair):
    d = PubSubDiff(pair)
    yield d
    d.close()


@pytest.mark.parametrize("proto", ["2", "3"])
def test_message_stream(ps, proto):
    ps.hello("a", proto)
    ps.step("a", "SUBSCRIBE", "ch1", "ch2", "ch1")
    ps.step("a", "PSUBSCRIBE", "h*llo", "news.[ab]", "h*llo")
    ps.step("a", "SSUBSCRIBE", "s1", "s2")
    ps.step("b", "SUBSCRIBE", "ch1")
    for ch, msg in [("ch1", "one"), ("ch2", ""), ("hello", "p"),
                    ("news.a", "x" * 3000), ("news.c", "none"),
                    ("s1", "not a shard publish"), ("nobody", "x")]:
        ps.step("p", "PUBLISH", ch, msg, listeners=("a", "b"))
    ps.step("p", "SPUBLISH", "s1", "shard!", listeners=("a", "b"))
    ps.step("p", "SPUBLISH", "ch1", "no shard sub", listeners=("a", "b"))
    ps.step("p", "PUBLISH", b"bin\x00\xff", b"\x00\r\n", listeners=("a",))
    # The subscribed context: RESP2 refuses, RESP3 answers.
    ps.step("a", "GET", "k")
    ps.step("a", "PING", "hi")
    ps.step("a", "ECHO", "e")
    ps.step("a", "PUBSUB", "NUMSUB", "ch1")
    ps.step("a", "UNSUBSCRIBE", "ch1", "nope")
    ps.step("p", "PUBLISH", "ch1", "after", listeners=("a", "b"))
    ps.step("a", "UNSUBSCRIBE", unordered=True)
    ps.step("a", "UNSUBSCRIBE")
    ps.step("a", "GET", "k")
    ps.step("a", "PUNSUBSCRIBE", "news.[ab]")
    ps.step("a", "PUNSUBSCRIBE", unordered=True)
    ps.step("a", "PUNSUBSCRIBE")
    ps.step("a", "GET", "k")
    ps.step("a", "SUNSUBSCRIBE", "s2", "zz")
    ps.step("a", "SUNSUBSCRIBE")
    ps.step("a", "SUNSUBSCRIBE")
    ps.step("a", "GET", "k")
    ps.step("p", "PUBLISH", "ch1", "only b", listeners=("a", "b"))


@pytest.mark.parametrize("proto", ["2", "3"])
def test_counts_across_kinds(ps, proto):
    """(un)subscribe counts: channels and patterns together, shard channels
    alone; the context lasts while any kind remains."""
    ps.hello("a", proto)
    ps.step("a", "SSUBSCRIBE", "x")
    ps.step("a", "GET", "k")
    ps.step("a", "SUBSCRIBE", "a")
    ps.step("a", "PSUBSCRIBE", "p*")
    ps.step("a", "UNSUBSCRIBE", "a")
    ps.step("a", "PUNSUBSCRIBE")
    ps.step("a", "GET", "k")
    ps.step("a", "SUNSUBSCRIBE", "x")
    ps.step("a", "GET", "k")
    ps.step("a", "SSUBSCRIBE", "x")
    ps.step("a", "UNSUBSCRIBE")
    ps.step("a", "PUNSUBSCRIBE")
    ps.step("a", "GET", "k")
    ps.quit("a")


def test_resp2_context_errors(ps):
    ps.step("a", "SUBSCRIBE", "c")
    for cmd in [("SET", "k", "v"), ("CLIENT", "INFO"), ("MULTI",),
                ("HELLO", "3"), ("SELECT", "1"), ("PUBLISH", "c", "m"),
                ("PING", "x"), ("PING",), ("NOSUCHCOMMAND",),
                ("SUBSCRIBE",), ("PUBSUB", "NUMPAT"), ("SPUBLISH", "c", "m"),
                ("CONFIG", "GET", "port")]:
        ps.step("a", *cmd)
    ps.step("a", "RESET")
    ps.step("a", "GET", "k")
    ps.step("p", "PUBLISH", "c", "nobody", listeners=("a",))
    ps.step("a", "SUBSCRIBE", "c")
    ps.quit("a")
    ps.step("p", "PUBSUB", "NUMSUB", "c")


def test_reset_in_resp3(ps):
    ps.hello("a", "3")
    ps.step("a", "SUBSCRIBE", "c")
    ps.step("a", "PSUBSCRIBE", "c*")
    ps.step("a", "SSUBSCRIBE", "c")
    ps.step("p", "PUBLISH", "c", "m", listeners=("a",))
    # Publishing to itself: the message push comes before the reply.
    ps.step("a", "PUBLISH", "c", "self")
    ps.step("a", "SPUBLISH", "c", "self")
    ps.step("a", "RESET")
    ps.step("p", "PUBLISH", "c", "m", listeners=("a",))
    ps.step("p", "SPUBLISH", "c", "m", listeners=("a",))
    ps.step("p", "PUBSUB", "NUMPAT")


def test_introspection(ps):
    ps.step("a", "SUBSCRIBE", "news.tech", "news.art", "sport", "x")
    ps.step("b", "SUBSCRIBE", "news.tech", "y")
    ps.step("a", "PSUBSCRIBE", "news.*", "q?")
    ps.step("b", "PSUBSCRIBE", "news.*")
    ps.step("b", "SSUBSCRIBE", "sh1", "sh2")
    ps.step("a", "SSUBSCRIBE", "sh1")
    for proto in ["2", "3"]:
        ps.hello("p", proto)
        ps.step("p", "PUBSUB", "CHANNELS", elements=True)
        ps.step("p", "PUBSUB", "CHANNELS", "news.*", elements=True)
        ps.step("p", "PUBSUB", "CHANNELS", "nomatch*")
        ps.step("p", "PUBSUB", "NUMSUB")
        ps.step("p", "PUBSUB", "NUMSUB", "news.tech", "sport", "none",
                "news.*")
        ps.step("p", "PUBSUB", "NUMPAT")
        ps.step("p", "PUBSUB", "SHARDCHANNELS", elements=True)
        ps.step("p", "PUBSUB", "SHARDCHANNELS", "*1")
        ps.step("p", "PUBSUB", "SHARDNUMSUB", "sh1", "sh2", "sh3")
        ps.step("p", "PUBSUB", "SHARDNUMSUB")
        ps.step("p", "PUBLISH", "news.tech", "m",
                listeners=("a", "b"), unordered=True)
    for bad in [("PUBSUB",), ("PUBSUB", "HELP"), ("PUBSUB", "help", "x"),
                ("PUBSUB", "NUMPAT", "x"), ("PUBSUB", "CHANNELS", "a", "b"),
                ("PUBSUB", "SHARDCHANNELS", "a", "b"), ("PUBSUB", "nope"),
                ("PUBLISH", "c"), ("SPUBLISH", "c"), ("SSUBSCRIBE",),
                ("PSUBSCRIBE",)]:
        ps.step("p", *bad)


def info_fields(conn, names):
    text = conn.call("INFO", "stats").value.decode()
    found = {}
    for line in text.split("\r\n"):
        k, _, v = line.partition(":")
        if k in names:
            found[k] = v
    return found


def client_fields(conn, names):
    text = conn.call("CLIENT", "INFO").value
    if isinstance(text, tuple):  # RESP3 verbatim: (format, text)
        text = text[1]
    out = {}
    for part in text.decode().split():
        k, _, v = part.partition("=")
        if k in names:
            out[k] = v
    return out


def test_info_and_client_list(pair):
    names = ("pubsub_channels", "pubsub_patterns", "pubsubshard_channels")
    cnames = ("flags", "sub", "psub", "ssub")
    got = {}
    for s, server in (("shoal", pair.shoal), ("redis", pair.redis)):
        a, b, p = server.raw(), server.raw(), server.raw()
        rows = [info_fields(p, names)]
        a.call("HELLO", "3")
        rows.append(client_fields(a, cnames))
        a.call("SUBSCRIBE", "x")
        b.call("SUBSCRIBE", "x")
        b.call("SUBSCRIBE", "y")
        a.call("PSUBSCRIBE", "p*")
        a.call("PSUBSCRIBE", "q*")
        b.call("PSUBSCRIBE", "p*")
        a.call("SSUBSCRIBE", "s")
        rows.append(info_fields(p, names))
        rows.append(client_fields(a, cnames))
        # CLIENT LIST TYPE pubsub names the subscribers.
        r = p.call("CLIENT", "LIST", "TYPE", "pubsub").value
        rows.append(len(r.decode().strip().split("\n")))
        r = p.call("CLIENT", "LIST", "TYPE", "normal").value
        rows.append(len(r.decode().strip().split("\n")))
        b.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            row = info_fields(p, names)
            if row["pubsub_channels"] == "1":
                break
            time.sleep(0.01)
        rows.append(row)
        a.call("RESET")
        rows.append(info_fields(p, names))
        rows.append(client_fields(a, cnames))
        z = server.raw()
        z.call("PSUBSCRIBE", "z*")
        rows.append(p.call("CLIENT", "KILL", "TYPE", "pubsub"))
        rows.append(z.is_closed(wait=2))
        got[s] = rows
        a.close()
        p.close()
    assert got["shoal"] == got["redis"]
