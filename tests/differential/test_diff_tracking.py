"""Differential tests of client-side caching: CLIENT TRACKING (default,
BCAST with prefixes, OPTIN, OPTOUT, NOLOOP, REDIRECT), CLIENT CACHING,
GETREDIR and TRACKINGINFO. Each scenario runs on shoal and on redis-server
7.0 with several connections, and the exact bytes every connection
receives (replies and invalidation messages, in order) must be equal.
Client ids differ between the servers, so each is replaced by a name."""

import re
import socket
import time

import pytest

from conftest import _redis_factory, _shoal_factory, stop_servers
from lib import resp

PONG_FRAMES = (b"+PONG\r\n", b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")


class Conn:
    """A raw connection that records every byte it receives."""

    def __init__(self, server, log, name):
        self.sock = socket.create_connection((server.host, server.port),
                                             timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.log = log
        self.name = name
        self.buf = b""
        self.id = None
        self.in_multi = False

    def _recv(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"{self.name}: connection closed")
        self.buf += chunk

    def _frame(self):
        """Read one complete RESP frame; return its bytes."""
        while True:
            try:
                _, end = resp.parse(self.buf, 0)
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            except resp.Incomplete:
                self._recv()

    def drain(self):
        """Everything sent to us so far: a PING's answer marks the end
        (the server writes in order, so what came before is complete)."""
        self.sock.sendall(resp.encode_command("PING"))
        got = b""
        while True:
            frame = self._frame()
            if frame in PONG_FRAMES:
                break
            got += frame
        if got:
            self.log.append((self.name, "<-", got))
        return got

    def cmd(self, *args):
        """Send one command; log its reply and whatever came with it. A
        Conn argument stands for its client id."""
        wire = [a.id if isinstance(a, Conn) else a for a in args]
        shown = [f"<{a.name}>" if isinstance(a, Conn) else str(a)
                 for a in args]
        self.sock.sendall(resp.encode_command(*wire))
        first = self._frame()
        self.log.append((self.name, " ".join(shown), first))
        verb = str(args[0]).upper()
        if verb == "MULTI":
            self.in_multi = True
        elif verb in ("EXEC", "DISCARD"):
            self.in_multi = False
        if not self.in_multi:  # a queued PING would not answer
            self.drain()
        return first

    def close(self):
        self.sock.close()


class Session:
    """The connections of one scenario on one server, and their log."""

    def __init__(self, server):
        self.server = server
        self.log = []
        self.conns = []

    def conn(self, name, resp3=False):
        c = Conn(self.server, self.log, name)
        self.conns.append(c)
        c.id = int(c.cmd("CLIENT", "ID")[1:-2])
        if resp3:
            c.cmd("HELLO", "3")
        return c

    def transcript(self):
        """The log with client ids replaced by connection names."""
        out = []
        for who, what, data in self.log:
            if what.startswith("CLIENT ID") or what.startswith("HELLO"):
                continue
            # Only where an id is expected: values may look like ids.
            if what in ("CLIENT GETREDIR", "CLIENT TRACKINGINFO") or (
                    isinstance(data, bytes) and
                    b"tracking-redir-broken" in data):
                for c in self.conns:
                    data = data.replace(b":%d\r\n" % c.id,
                                        b":<%s>\r\n" % c.name.encode())
            out.append((who, what, data))
        return out

    def close(self):
        for c in self.conns:
            c.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    rf = _redis_factory(tmp_path_factory)
    sf = _shoal_factory(tmp_path_factory)
    try:
        yield sf(name="shoal"), rf(name="redis")
    finally:
        stop_servers(sf.servers + rf.servers)


def run_both(servers, scenario, normalize=None, cleanup=()):
    """Run scenario(session) on both servers; the transcripts (each entry
    passed through normalize) must match. cleanup: commands run at the
    end whatever happened (CONFIG SET back)."""
    results = []
    for server in servers:
        s = Session(server)
        admin = None
        try:
            admin = s.conn("admin")
            admin.cmd("FLUSHALL")
            scenario(s)
            t = s.transcript()
            results.append([normalize(x) for x in t] if normalize else t)
        finally:
            for c in cleanup if admin is not None else ():
                admin.cmd(*c)
            s.close()
    shoal, redis_ = results
    for i, (a, b) in enumerate(zip(shoal, redis_)):
        assert a == b, f"step {i}: shoal {a!r} != redis {b!r}\n" \
                       f"before: {shoal[max(0, i - 4):i]!r}"
    assert len(shoal) == len(redis_), (shoal, redis_)
    return shoal


def client_fields(s, conn):
    """flags= and redir= of conn's CLIENT INFO line, logged."""
    conn.sock.sendall(resp.encode_command("CLIENT", "INFO"))
    r = conn._frame()
    text = r.split(b"\r\n", 1)[1]
    flags = re.search(rb" flags=(\S*)", text).group(1)
    redir = int(re.search(rb" redir=(-?\d+)", text).group(1))
    name = next((c.name for c in s.conns if c.id == redir), str(redir))
    s.log.append((conn.name, "CLIENT INFO", (flags, name)))
    conn.drain()


def tracking_info(s, conn):
    """The INFO tracking fields (stats and clients sections), logged."""
    conn.sock.sendall(resp.encode_command("INFO", "everything"))
    text = conn._frame()
    fields = tuple(ln for ln in text.split(b"\r\n")
                   if ln.startswith(b"tracking_"))
    s.log.append((conn.name, "INFO", fields))
    conn.drain()


# ---------------------------------------------------------------- scenarios


def test_default_mode_resp3(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on")
        a.cmd("GET", "k")
        w.cmd("SET", "k", "1")
        a.drain()
        w.cmd("SET", "k", "2")      # forgotten once invalidated
        a.drain()
        a.cmd("MGET", "k", "j", "k")
        w.cmd("MSET", "j", "1", "k", "1", "x", "1")
        a.drain()
        a.cmd("GET", "k")
        a.cmd("SET", "k", "3")      # own write: after the reply
        a.cmd("HGET", "h", "f")
        w.cmd("HSET", "h", "f", "v")
        a.cmd("GET", "other")
        w.cmd("DEL", "other", "nothing")
        a.cmd("GET", "k")
        w.cmd("SELECT", "1")        # keys are names, whatever the db
        w.cmd("SET", "k", "x")
        a.drain()
        a.cmd("GET", "k")
        a.cmd("MULTI")
        a.cmd("GET", "k")
        a.cmd("SET", "k", "4")
        a.cmd("EXEC")
        client_fields(s, a)
        tracking_info(s, a)
        a.cmd("CLIENT", "TRACKING", "off")
        a.cmd("GET", "k")
        w.cmd("SET", "k", "5")
        a.drain()
    run_both(servers, sc)


def test_noloop_and_off_on(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on", "NOLOOP")
        a.cmd("GET", "k")
        a.cmd("SET", "k", "1")      # its own write: nothing
        w.cmd("SET", "k", "2")      # already forgotten
        a.cmd("GET", "k")
        w.cmd("SET", "k", "3")
        a.drain()
        # keys read while tracking was on still count after off/on
        a.cmd("GET", "q")
        a.cmd("CLIENT", "TRACKING", "off")
        a.cmd("CLIENT", "TRACKING", "on")
        w.cmd("SET", "q", "1")
        a.drain()
        # read while off: not remembered
        a.cmd("CLIENT", "TRACKING", "off")
        a.cmd("GET", "r")
        a.cmd("CLIENT", "TRACKING", "on")
        w.cmd("SET", "r", "1")
        a.drain()
        tracking_info(s, a)
        a.cmd("RESET")
        a.cmd("GET", "r")
        w.cmd("SET", "r", "2")
        a.drain()
        client_fields(s, a)
    run_both(servers, sc)


def test_optin_optout(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on", "OPTIN")
        a.cmd("GET", "k1")          # not tracked
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("GET", "k2")          # tracked
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("GET", "k3")          # CACHING was for one command only
        w.cmd("MSET", "k1", "1", "k2", "1", "k3", "1")
        a.drain()
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("MULTI")
        a.cmd("GET", "m1")
        a.cmd("GET", "m2")
        a.cmd("EXEC")
        w.cmd("MSET", "m1", "1", "m2", "1")
        a.drain()
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("PING")
        a.cmd("GET", "p")           # PING used it up
        w.cmd("SET", "p", "1")
        a.drain()
        a.cmd("CLIENT", "TRACKING", "off")
        a.cmd("CLIENT", "TRACKING", "on", "OPTOUT")
        a.cmd("GET", "o1")
        a.cmd("CLIENT", "CACHING", "no")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("GET", "o2")          # not tracked
        a.cmd("GET", "o3")
        w.cmd("MSET", "o1", "1", "o2", "1", "o3", "1")
        a.drain()
    run_both(servers, sc)


def test_bcast_prefixes(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        n = s.conn("n", resp3=True)
        e = s.conn("e", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b",
              "PREFIX", "a")
        n.cmd("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP", "PREFIX", "a")
        e.cmd("CLIENT", "TRACKING", "on", "BCAST")
        w.cmd("MSET", "b2", "1", "a1", "1", "c", "1", "b1", "2", "a1", "3")
        a.drain()
        n.drain()
        e.drain()
        # one loop iteration, several commands: gathered and sorted
        w.sock.sendall(b"".join(resp.encode_command(*c) for c in (
            ("SET", "a9", "1"), ("SET", "a10", "1"), ("DEL", "b2"),
            ("SET", "a9", "2"), ("SET", "zz", "1"))))
        for _ in range(5):
            w._frame()
        a.drain()
        n.drain()
        e.drain()
        a.cmd("MSET", "b9", "1", "a9", "1")  # own writes, no NOLOOP
        n.cmd("MSET", "a1", "1", "a2", "2")  # NOLOOP: nothing for n
        a.drain()
        e.drain()
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("GET", "a1")          # BCAST clients keep no key table
        tracking_info(s, a)
        client_fields(s, a)
        w.cmd("FLUSHALL")
        a.drain()
        n.drain()
        e.drain()
        a.cmd("CLIENT", "TRACKING", "off")
        tracking_info(s, w)
    run_both(servers, sc)


def test_redirect_resp2_subscriber(servers):
    def sc(s):
        r = s.conn("r")
        o = s.conn("o")
        u = s.conn("u")
        a = s.conn("a")
        w = s.conn("w")
        r.cmd("SUBSCRIBE", "__redis__:invalidate")
        o.cmd("SUBSCRIBE", "other")
        a.cmd("CLIENT", "TRACKING", "on", "REDIRECT", r)
        a.cmd("CLIENT", "GETREDIR")
        client_fields(s, a)
        a.cmd("GET", "k")
        w.cmd("SET", "k", "1")
        r.drain()
        a.cmd("GET", "k")
        w.cmd("FLUSHALL")          # a RESP2 tracker: $-1
        r.drain()
        a.cmd("HELLO", "3")
        a.cmd("GET", "k")
        w.cmd("FLUSHALL")          # a RESP3 tracker: _ even to RESP2
        r.drain()
        a.cmd("GET", "k")
        a.cmd("SET", "k", "2")     # own write, to the redirect client
        r.drain()
        # subscribed to something else: still a message on the channel
        a.cmd("CLIENT", "TRACKING", "on", "REDIRECT", o)
        a.cmd("GET", "k")
        w.cmd("SET", "k", "1")
        o.drain()
        # RESP2 and not subscribed: nothing can be sent
        a.cmd("CLIENT", "TRACKING", "on", "REDIRECT", u)
        a.cmd("GET", "k")
        w.cmd("SET", "k", "1")
        u.drain()
        a.drain()
        a.cmd("CLIENT", "TRACKINGINFO")
    run_both(servers, sc)


def test_redirect_resp3_and_broken(servers):
    def sc(s):
        r = s.conn("r", resp3=True)
        a = s.conn("a", resp3=True)
        b = s.conn("b")
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on", "REDIRECT", r)
        b.cmd("CLIENT", "TRACKING", "on", "REDIRECT", r)
        a.cmd("GET", "k")
        b.cmd("GET", "k")
        w.cmd("SET", "k", "1")
        r.drain()
        a.cmd("GET", "k")
        b.cmd("GET", "k")
        r.close()
        s.conns.remove(r)
        s.conns.append(r)  # keep its id for the transcript
        time.sleep(0.1)
        a.drain()                  # nothing until an invalidation
        client_fields(s, a)
        w.cmd("SET", "k", "2")
        a.drain()
        b.drain()                  # RESP2: no frame for it
        client_fields(s, a)
        client_fields(s, b)
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("CLIENT", "GETREDIR")
        a.cmd("GET", "k")
        w.cmd("FLUSHALL")
        a.drain()
        a.cmd("CLIENT", "TRACKING", "on")
        a.cmd("CLIENT", "TRACKINGINFO")
    run_both(servers, sc)


def test_flush_invalidation(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        b = s.conn("b", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on")
        b.cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x")
        a.cmd("GET", "k")
        a.cmd("GET", "j")
        tracking_info(s, a)
        w.cmd("FLUSHALL")
        a.drain()
        b.drain()
        tracking_info(s, a)
        a.cmd("GET", "k")
        w.cmd("SELECT", "3")
        w.cmd("FLUSHDB")           # an empty db: the whole table goes
        a.drain()
        b.drain()
        tracking_info(s, a)
        a.cmd("FLUSHDB")           # own flush: after the reply
        a.cmd("FLUSHALL", "ASYNC")
    run_both(servers, sc)


def test_expiry_invalidation(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on")
        w.cmd("SET", "e", "1", "PX", "200")
        a.cmd("GET", "e")
        time.sleep(0.6)            # the active cycle removes it
        a.drain()
        w.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        w.cmd("SET", "e2", "1", "PX", "150")
        a.cmd("GET", "e2")
        time.sleep(0.3)
        w.cmd("GET", "e2")         # lazily expired by another client
        a.drain()
        w.cmd("SET", "e3", "1", "PX", "150")
        a.cmd("GET", "e3")
        time.sleep(0.3)
        a.cmd("GET", "e3")         # by itself: after its reply
        w.cmd("SET", "e3", "1")    # and tracked again
        a.drain()
        w.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    run_both(servers, sc, cleanup=[("DEBUG", "SET-ACTIVE-EXPIRE", "1")])


def test_errors(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        o = s.conn("o")
        for args in (
            ("on", "optin", "optout"),
            ("on", "bcast", "optin"),
            ("on", "bcast", "optout"),
            ("on", "prefix", "a"),
            ("on", "optin", "optout", "prefix", "x"),
            ("on", "bcast", "prefix", "ab", "prefix", "a"),
            ("on", "bcast", "prefix", "a", "prefix", "ab"),
            ("on", "bcast", "prefix", "x", "prefix", "x"),
            ("on", "bcast", "prefix", "", "prefix", "x"),
            ("on", "redirect", "999999"),
            ("on", "redirect", "0"),
            ("on", "redirect", "-1"),
            ("on", "redirect", "abc"),
            ("on", "redirect", o, "redirect", o),
            ("on", "redirect", o, "redirect", "abc"),
            ("on", "foo"),
            ("maybe",),
            ("on", "redirect"),
            ("on", "prefix"),
            ("off", "bcast", "foo"),
            ("off", "redirect", "999999"),
        ):
            a.cmd("CLIENT", "TRACKING", *args)
        a.cmd("CLIENT", "TRACKING")
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("CLIENT", "CACHING", "maybe")
        a.cmd("CLIENT", "CACHING")
        a.cmd("CLIENT", "GETREDIR")
        a.cmd("CLIENT", "GETREDIR", "x")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("CLIENT", "TRACKINGINFO", "x")
        a.cmd("CLIENT", "TRACKING", "on", "bcast", "prefix", "a")
        a.cmd("CLIENT", "TRACKING", "on", "bcast", "prefix", "a")
        a.cmd("CLIENT", "TRACKING", "on", "bcast", "prefix", "b")
        a.cmd("CLIENT", "TRACKING", "on", "bcast", "prefix", "bc")
        a.cmd("CLIENT", "TRACKING", "on", "bcast", "prefix", "c",
              "prefix", "ax")
        a.cmd("CLIENT", "TRACKING", "on")
        a.cmd("CLIENT", "TRACKING", "on", "prefix", "z")
        a.cmd("CLIENT", "TRACKING", "on", "bcast")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("CLIENT", "TRACKING", "off")
        a.cmd("CLIENT", "TRACKING", "on", "optin")
        a.cmd("CLIENT", "CACHING", "no")
        a.cmd("CLIENT", "CACHING", "maybe")
        a.cmd("CLIENT", "TRACKING", "on", "optout")
        a.cmd("CLIENT", "TRACKING", "on", "bcast")
        a.cmd("CLIENT", "TRACKING", "off")
        a.cmd("CLIENT", "TRACKING", "on", "optout", "noloop")
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("CLIENT", "CACHING", "no")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("CLIENT", "GETREDIR")
        a.cmd("HELLO", "2")
        a.cmd("CLIENT", "TRACKINGINFO")
        o.cmd("CLIENT", "TRACKING", "on")   # RESP2 without redirect: fine
        o.cmd("GET", "k")
        o.cmd("SET", "k", "1")              # and silent
        o.cmd("CLIENT", "TRACKINGINFO")
    run_both(servers, sc)


def test_scripts_reply_off_and_caching_lifetime(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on")
        # a script's reads track the keys its caller declared
        a.cmd("EVAL", "return redis.call('get', KEYS[1])", "2", "z", "zz")
        w.cmd("MSET", "z", "1", "zz", "1")
        a.drain()
        a.cmd("EVAL", "return 1", "1", "z")      # no read: nothing
        a.cmd("EVAL", "return redis.call('get', 'u')", "0")
        w.cmd("MSET", "z", "2", "u", "1")
        a.drain()
        a.cmd("EVAL_RO", "return 1", "1", "y")
        a.cmd("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "y2")
        w.cmd("MSET", "y", "1", "y2", "1")
        a.drain()
        a.cmd("GET", "z")
        a.cmd("EVAL", "redis.call('set', 'z', '3') return 1", "0")
        # SWAPDB is no invalidation
        a.cmd("GET", "k")
        w.cmd("SELECT", "1")
        w.cmd("SET", "k", "1")
        a.drain()
        a.cmd("GET", "k")
        w.cmd("SWAPDB", "0", "1")
        a.drain()
        # pushes get through CLIENT REPLY OFF
        a.sock.sendall(resp.encode_command("CLIENT", "REPLY", "OFF"))
        a.sock.sendall(resp.encode_command("GET", "k"))
        w.cmd("SET", "k", "2")
        a.sock.sendall(resp.encode_command("CLIENT", "REPLY", "ON"))
        s.log.append(("a", "REPLY ON", a._frame()))
        a.drain()
        # CACHING lasts one command; CLIENT subcommands keep it
        a.cmd("CLIENT", "TRACKING", "on", "OPTIN")
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("NOSUCHCOMMAND")
        a.cmd("GET", "q1")
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("GET")
        a.cmd("GET", "q2")
        a.cmd("CLIENT", "CACHING", "yes")
        a.cmd("CLIENT", "ID")
        a.cmd("CLIENT", "TRACKINGINFO")
        a.cmd("GET", "q3")
        w.cmd("MSET", "q1", "1", "q2", "1", "q3", "1")
        a.drain()
    run_both(servers, sc)


def test_table_max_keys(servers):
    """Over tracking-table-max-keys, random keys are invalidated after the
    command that grew the table (which ones is random: names are masked)."""
    def mask(entry):
        who, what, data = entry
        if isinstance(data, bytes):
            data = re.sub(rb"\$2\r\nk\d\r\n", b"$2\r\nk?\r\n", data)
        return who, what, data

    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        w.cmd("CONFIG", "SET", "tracking-table-max-keys", "2")
        w.cmd("CONFIG", "GET", "tracking-table-max-keys")
        a.cmd("CLIENT", "TRACKING", "on")
        a.cmd("GET", "k1")
        a.cmd("GET", "k2")
        a.cmd("GET", "k3")
        tracking_info(s, w)
        a.cmd("MGET", "k4", "k5", "k6", "k7")
        tracking_info(s, w)
        a.cmd("CLIENT", "TRACKING", "on", "NOLOOP")
        a.cmd("MGET", "k1", "k2", "k3", "k4", "k5")   # its own: silent
        tracking_info(s, w)
        w.cmd("CONFIG", "SET", "tracking-table-max-keys", "0")
        a.cmd("MGET", "k8", "k9")                      # no limit now
        tracking_info(s, w)
    run_both(servers, sc, normalize=mask,
             cleanup=[("CONFIG", "SET", "tracking-table-max-keys",
                       "1000000")])


def test_bcast_redirect_and_lazy_expiry_noloop(servers):
    def sc(s):
        r = s.conn("r")
        r3 = s.conn("r3", resp3=True)
        a = s.conn("a")
        b = s.conn("b", resp3=True)
        w = s.conn("w")
        r.cmd("SUBSCRIBE", "__redis__:invalidate")
        a.cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:",
              "REDIRECT", r)
        b.cmd("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", r3)
        w.cmd("MSET", "p:1", "1", "q", "1", "p:0", "2")
        r.drain()
        r3.drain()
        w.cmd("FLUSHALL")
        r.drain()
        r3.drain()
        r3.close()
        s.conns.remove(r3)
        s.conns.append(r3)
        time.sleep(0.1)
        w.cmd("SET", "p:2", "1")
        b.drain()
        client_fields(s, b)
        r.drain()
        # NOLOOP: a key expiring lazily under its own read says nothing
        n = s.conn("n", resp3=True)
        n.cmd("CLIENT", "TRACKING", "on", "NOLOOP")
        w.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        w.cmd("SET", "e", "1", "PX", "100")
        n.cmd("GET", "e")
        time.sleep(0.25)
        n.cmd("GET", "e")
        w.cmd("SET", "e", "2")
        n.drain()
        w.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    run_both(servers, sc, cleanup=[("DEBUG", "SET-ACTIVE-EXPIRE", "1")])


def test_own_invalidations_after_transaction_and_script(servers):
    def sc(s):
        a = s.conn("a", resp3=True)
        w = s.conn("w")
        a.cmd("CLIENT", "TRACKING", "on")
        a.cmd("MGET", "k", "j")
        a.cmd("MULTI")
        a.cmd("SET", "k", "1")
        a.cmd("GET", "k")
        a.cmd("SET", "k", "2")
        a.cmd("SET", "j", "2")
        a.cmd("FLUSHALL")
        a.cmd("EXEC")
        a.cmd("MGET", "k", "j")
        a.cmd("EVAL", "redis.call('set', KEYS[1], '1') "
              "redis.call('get', KEYS[1]) "
              "redis.call('set', KEYS[2], '1') return 1", "2", "k", "j")
        w.cmd("SET", "k", "3")     # tracked again by the script's GET
        a.drain()
        a.cmd("GET", "b")
        w.cmd("LPUSH", "src", "x")
        w.cmd("BLMOVE", "src", "b", "LEFT", "LEFT", "0")
        a.drain()
    run_both(servers, sc)
