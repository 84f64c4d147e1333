"""Differential tests of the connection and server-control commands: PING,
ECHO, QUIT, RESET, HELLO (and RESP3 framing), AUTH with and without
requirepass, TIME, LASTSAVE, SHUTDOWN's errors, MONITOR's lines, DEBUG and
the CLIENT family. Every reply must equal redis-server 7.0's, error strings
included; values tied to the process (client ids, addresses, times) are
normalized, each place saying why."""

import re
import time

import pytest

from differential.diff import TYPE_ONLY, Differ
from lib import resp
from lib.resp import Reply

# ---------------------------------------------------------------- helpers


def without_id(r):
    """HELLO's reply with the connection id blanked: ids count connections,
    and the two servers have not seen the same number of them."""
    if r.kind == resp.MAP:
        return Reply(r.kind, tuple(
            (k, resp.normalized("id") if k == resp.bulk("id") else v)
            for k, v in r.value))
    if r.kind == resp.ARRAY:
        items = list(r.value)
        for i in range(0, len(items) - 1, 2):
            if items[i] == resp.bulk("id"):
                items[i + 1] = resp.normalized("id")
        return Reply(r.kind, tuple(items))
    return r


def client_line_fields(r):
    """CLIENT INFO/LIST text -> the field names of each line, in order (the
    values are per process: ids, ports, buffer sizes, ages)."""
    if r.is_error:
        return r
    text = r.value[1] if r.kind == resp.VERBATIM else r.value
    lines = [ln for ln in text.split(b"\n") if ln]
    names = tuple(tuple(f.split(b"=", 1)[0] for f in ln.split(b" "))
                  for ln in lines)
    kind = r.kind if r.kind != resp.VERBATIM else f"verbatim:{r.value[0]}"
    return resp.normalized(f"{kind} {names!r}")


def debug_object_fields(r):
    """DEBUG OBJECT without the address and the LRU clock/idle time."""
    if r.kind != resp.SIMPLE:
        return r
    text = re.sub(rb"Value at:0x[0-9a-f]+ ", b"", r.value)
    text = re.sub(rb" lru:\d+ lru_seconds_idle:\d+", b"", text)
    return Reply(r.kind, text)


def with_requirepass(pair, password):
    """Set requirepass on both servers (startup checks need PING without
    AUTH, so it is set afterwards) and return a Differ whose connections
    were opened after it: unauthenticated."""
    for server in pair:
        with server.raw() as c:
            assert c.call("CONFIG", "SET", "requirepass", password) == resp.OK
    return Differ(pair.shoal, pair.redis)


# ---------------------------------------------------------------- PING ECHO


def test_ping_echo(differ):
    differ.check("PING")
    differ.check("PING", "hello")
    differ.check("PING", "a", "b")
    differ.check("PING", b"\x00\r\n")
    differ.check("ECHO")
    differ.check("ECHO", "a", "b")
    differ.check("ECHO", b"\x00\xff")
    differ.check_raw(b"PING\r\n")
    differ.check_raw(b"ping hello\r\n")
    differ.check_raw(b"ECHO\r\n")


def test_quit_closes_after_reply(differ):
    differ.check_raw(b"*1\r\n$4\r\nQUIT\r\n", close_wait=0.5)
    differ.check_raw(b"*2\r\n$4\r\nquit\r\n$1\r\nx\r\n", close_wait=0.5)
    # Nothing pipelined after QUIT runs.
    differ.check_raw(b"QUIT\r\nPING\r\n", replies=1, close_wait=0.5)


def test_time_lastsave_shapes(differ):
    differ.check("TIME")
    differ.check("TIME", "x")
    differ.check("LASTSAVE")
    differ.check("LASTSAVE", "x")


# ---------------------------------------------------------------- HELLO


HELLO_CASES = [
    [], ["2"], ["3"], ["4"], ["1"], ["0"], ["-1"], ["abc"], ["2.0"], ["03"],
    ["99999999999999999999"], ["2", "AUTH"], ["2", "AUTH", "default"],
    ["2", "SETNAME"], ["2", "FOO"], ["3", "foo", "bar"],
    ["2", "AUTH", "default", "anything"], ["2", "auth", "default", "x"],
    ["2", "AUTH", "nobody", "x"], ["2", "AUTH", "default", "x", "SETNAME"],
    ["2", "SETNAME", "a b"], ["2", "SETNAME", "ok", "FOO"],
    ["2", "SETNAME", "a b", "AUTH", "x"], ["2", "SETNAME", ""],
    ["2", "SETNAME", "x", "SETNAME", "y"], ["4", "SETNAME", "a b"],
    ["2", "AUTH", "nobody", "x", "SETNAME", "a b"],
    ["2", "SETNAME", b"caf\xc3\xa9"], [b"2\x00"],
]


def test_hello_variants(differ):
    for args in HELLO_CASES:
        differ.check("HELLO", *args, normalize=without_id)
        differ.check("CLIENT", "GETNAME")
        differ.check("PING")


def test_hello_switches_protocol_and_framing(differ):
    differ.check("HELLO", "3", normalize=without_id)
    differ.check("PING")
    differ.check("PING", "x")
    differ.check("GET", "missing")
    differ.check("CLIENT", "GETNAME")
    differ.check("CLIENT", "INFO", normalize=client_line_fields)
    differ.check("CLIENT", "LIST", "ID", "999999")
    differ.check("TIME")
    differ.check("HELLO", normalize=without_id)   # stays RESP3
    differ.check("HELLO", "3", "SETNAME", "n3", normalize=without_id)
    differ.check("CLIENT", "GETNAME")
    differ.check("HELLO", "2", normalize=without_id)
    differ.check("GET", "missing")
    differ.check("CLIENT", "INFO", normalize=client_line_fields)
    # A failed HELLO does not switch.
    differ.check("HELLO", "3", "FOO")
    differ.check("GET", "missing")


def test_debug_protocol_framing(differ):
    types = ["string", "integer", "double", "bignum", "null", "array", "set",
             "map", "attrib", "push", "verbatim", "true", "false", "nope",
             "STRING"]
    for proto in ("2", "3"):
        differ.check("HELLO", proto, normalize=without_id)
        for t in types:
            differ.check("DEBUG", "PROTOCOL", t)
    differ.check("DEBUG", "PROTOCOL")


# ---------------------------------------------------------------- AUTH


def test_auth_without_requirepass(differ):
    differ.check("AUTH")
    differ.check("AUTH", "x")
    differ.check("AUTH", "")
    differ.check("AUTH", "default", "x")
    differ.check("AUTH", "default", "")
    differ.check("AUTH", "Default", "x")
    differ.check("AUTH", "nobody", "x")
    differ.check("AUTH", "a", "b", "c")
    differ.check("PING")


def test_auth_with_requirepass(pair):
    d = with_requirepass(pair, "s3cret")
    try:
        d.check("PING")
        d.check("GET", "k")
        d.check("NOSUCHCOMMAND")
        d.check("GET")
        d.check("HELLO", normalize=without_id)
        d.check("HELLO", "3", normalize=without_id)
        d.check("HELLO", "3", "SETNAME", "early", normalize=without_id)
        d.check("AUTH")
        d.check("AUTH", "wrong")
        d.check("AUTH", "a", "b", "c")
        d.check("AUTH", "default", "wrong")
        d.check("AUTH", "nobody", "s3cret")
        d.check("AUTH", "s3cret\x00")
        d.check("PING")
        d.check("AUTH", "s3cret")
        d.check("PING")
        d.check("CLIENT", "GETNAME")   # HELLO's SETNAME applied before NOAUTH
        d.check("AUTH", "wrong")       # a failure keeps the session
        d.check("PING")
        d.check("AUTH", "default", "s3cret")
        d.check("RESET")               # back to unauthenticated
        d.check("PING")
        d.check("HELLO", "3", "AUTH", "default", "wrong", normalize=without_id)
        d.check("PING")
        d.check("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me",
                normalize=without_id)
        d.check("PING")
        d.check("GET", "missing")
        d.check("CLIENT", "GETNAME")
        d.check("HELLO", "2", "AUTH", "default", normalize=without_id)
        d.reconnect()
        d.check("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "a b",
                normalize=without_id)
        d.check("PING")
        d.reconnect()
        d.check("HELLO", "2", "SETNAME", "first", "AUTH", "default", "s3cret",
                normalize=without_id)
        d.check("CLIENT", "GETNAME")
        d.check("QUIT")
        d.reconnect()
        d.check_raw(b"QUIT\r\n", close_wait=0.5)   # QUIT needs no AUTH
    finally:
        d.close()


def test_requirepass_set_later_keeps_old_connections(pair):
    old = Differ(pair.shoal, pair.redis)
    d = with_requirepass(pair, "pw")
    try:
        old.check("PING")
        d.check("PING")
        old.check("CONFIG", "SET", "requirepass", "")
        d.check("PING")   # requirepass off: every connection may run
    finally:
        old.close()
        d.close()


# ---------------------------------------------------------------- RESET


def test_reset(differ):
    differ.check("SELECT", "3")
    differ.check("SET", "in3", "v")
    differ.check("CLIENT", "SETNAME", "before")
    differ.check("CLIENT", "NO-EVICT", "on")
    differ.check("HELLO", "3", normalize=without_id)
    differ.check("RESET")
    differ.check("RESET", "x")
    differ.check("GET", "in3")          # back in db 0
    differ.check("GET", "missing")      # RESP2 again
    differ.check("CLIENT", "GETNAME")
    differ.check("CLIENT", "INFO", normalize=client_line_fields)
    # RESET turns replies back on, but a pending SKIP still eats its reply.
    differ.check_raw(b"CLIENT REPLY OFF\r\nRESET\r\nPING\r\n", replies=2)
    differ.check_raw(b"CLIENT REPLY SKIP\r\nRESET\r\nPING\r\n", replies=1)
    differ.check_raw(b"MONITOR\r\nRESET\r\nPING\r\n", replies=3)
    differ.check("PING")


# ---------------------------------------------------------------- SHUTDOWN


def test_shutdown_errors(differ):
    for args in (["foo"], ["NOSAVE", "SAVE"], ["save", "nosave"], ["ABORT"],
                 ["abort", "abort"], ["ABORT", "NOW"], ["ABORT", "FORCE"],
                 ["ABORT", "NOSAVE"], ["nosave", "abort"], ["NOW", "bogus"]):
        differ.check("SHUTDOWN", *args)
    differ.check("PING")


# ---------------------------------------------------------------- MONITOR


def _monitor_lines(server, commands):
    mon = server.raw()
    assert mon.call("MONITOR") == resp.OK
    with server.raw() as c:
        for cmd in commands:
            c.call(*cmd)
    # Give the last line time to arrive before reading what came.
    deadline = time.monotonic() + 2
    data = b""
    while time.monotonic() < deadline:
        data += mon.read_raw(quiet=0.1)
        if data.count(b"\r\n") >= len(commands):
            break
    mon.close()
    port = rb"\d+"
    lines = []
    for line in data.split(b"\r\n"):
        if not line:
            continue
        m = re.fullmatch(rb"\+(\d+)\.(\d{6}) \[(\d+) 127\.0\.0\.1:" + port +
                         rb"\](.*)", line)
        assert m, f"{server.flavour}: bad monitor line {line!r}"
        lines.append(m.group(3) + b" " + m.group(4))
    return lines


MONITOR_COMMANDS = [
    ("SET", "k", "v\n\x01\"\\\t\r"), ("GET", "k"), ("SELECT", "2"),
    ("GET", "k"), ("SELECT", "0"), ("ECHO", b"caf\xc3\xa9 \x7f"),
    ("AUTH", "pw"), ("AUTH", "default", "pw"), ("AUTH", "a", "b", "c"),
    ("HELLO", "2", "AUTH", "default", "pw"), ("HELLO", "2"),
    ("CONFIG", "GET", "port"),          # admin: not shown
    ("DEBUG", "SLEEP", "0"),            # admin: not shown
    ("CLIENT", "LIST"),                 # admin: not shown
    ("CLIENT", "ID"), ("NOSUCHCMD", "x"), ("GET",), ("PING",),
    # Redis redacts only what it parsed as a secret before any error.
    ("HELLO", "4", "AUTH", "default", "pw"),
    ("HELLO", "2", "SETNAME", "a b", "AUTH", "default", "pw"),
    ("HELLO", "2", "AUTH", "default", "pw", "AUTH", "x", "y"),
    ("HELLO", "2", "SETNAME", "auth", "AUTH", "u", "p"),
    ("QUIT",),
]


def test_monitor_lines(pair):
    """Same lines, in the same order, timestamps and ports aside."""
    ours = _monitor_lines(pair.shoal, MONITOR_COMMANDS)
    theirs = _monitor_lines(pair.redis, MONITOR_COMMANDS)
    assert ours == theirs


def test_monitor_twice_and_errors(differ):
    differ.check("MONITOR", "x")
    differ.check_raw(b"MONITOR\r\nMONITOR\r\nPING\r\n", replies=2)


# ---------------------------------------------------------------- DEBUG


def test_debug_errors(differ):
    for args in ([], ["JMAP"], ["foo"], ["SLEEP"], ["SLEEP", "0", "x"],
                 ["POPULATE"], ["POPULATE", "1", "a", "1", "x"], ["OBJECT"],
                 ["SET-ACTIVE-EXPIRE"], ["ERROR"], ["ERROR", "a", "b"],
                 ["HELP", "x"], ["LOG"], [b"sleep\x00x", "0"]):
        differ.check("DEBUG", *args)


def test_debug_sleep_and_flags(differ):
    for v in ("0", "0.01", "abc", "-1", "", "1e-9"):
        differ.check("DEBUG", "SLEEP", v)
    for v in ("0", "1", "abc", "5", "-1", "1"):
        differ.check("DEBUG", "SET-ACTIVE-EXPIRE", v)
    differ.check("DEBUG", "LOG", "hello from the differential tests")
    for v in ("foo bar", "-X y", "ERR z", "a\r\nb", "", b"\x00x"):
        differ.check("DEBUG", "ERROR", v)


def test_debug_populate(differ):
    for args in (["abc"], ["-1"], ["1.5"], ["0"], ["3"], ["3"], ["2", "p"],
                 ["2", "s", "3"], ["2", "t", "10"], ["2", "u", "0"],
                 ["2", "u", "abc"], ["2", "u", "-1"], ["5", "big", "100"],
                 ["1", "p" * 200], ["1", b"a\x00b"], ["1", ""],
                 ["2", "PREFIX:{tag}"]):
        differ.check("DEBUG", "POPULATE", *args)
        differ.check("DBSIZE")
    differ.check("KEYS", "*", mode="unordered")
    differ.check("MGET", "key:0", "key:1", "key:2", "key:3", "p:0", "p:1",
                 "s:0", "s:1", "t:0", "t:1", "u:0", "big:4", ":0", "a:0",
                 "PREFIX:{tag}:1")
    for key in ("key:0", "s:0", "t:1", "big:0"):
        differ.check("OBJECT", "ENCODING", key)
    # Existing keys are skipped, not overwritten; expired ones are replaced.
    differ.check("SET", "key:1", "mine")
    differ.check("SET", "key:5", "gone", "PX", "1")
    time.sleep(0.01)
    differ.check("DEBUG", "POPULATE", "7")
    differ.check("DBSIZE")
    differ.check("MGET", "key:1", "key:5", "key:6")


def test_debug_object(differ):
    differ.check("SET", "s", "hello")
    differ.check("SET", "i8", "-5")
    differ.check("SET", "shared", "100")
    differ.check("SET", "i16", "12345")
    differ.check("SET", "i32", "3000000")
    differ.check("SET", "big", "123456789012")
    differ.check("SET", "lead0", "01")
    differ.check("SET", "short", "abcdefghijklmnopqrst")   # 20: not compressed
    differ.check("SET", "nocompress", "abcdefghijklmnopqrstuvwxy")
    differ.check("SET", "raw", "r" * 45)
    for key in ("s", "i8", "shared", "i16", "i32", "big", "lead0", "short",
                "nocompress"):
        differ.check("DEBUG", "OBJECT", key, normalize=debug_object_fields)
    differ.check("DEBUG", "OBJECT", "missing")


@pytest.mark.parametrize("mode", ["no", "local"])
def test_debug_disabled_modes(mode, shoal_factory, redis_factory):
    flags = {"enable-debug-command": mode}
    d = Differ(shoal_factory(flags, name="shoal"),
               redis_factory(flags, name="redis"))
    try:
        d.check("DEBUG", "SLEEP", "0")
        d.check("DEBUG")
        d.check("DEBUG", "HELP", "x")
        d.check("DEBUG", "nosuch")
        d.check("CONFIG", "GET", "enable-debug-command")
        d.check("PING")
    finally:
        d.close()


def test_debug_disabled_before_auth(shoal_factory, redis_factory):
    """An unauthenticated DEBUG hears that DEBUG is disabled, not NOAUTH."""
    flags = {"enable-debug-command": "no"}
    s = shoal_factory(flags, name="shoal")
    r = redis_factory(flags, name="redis")
    for server in (s, r):
        with server.raw() as c:
            assert c.call("CONFIG", "SET", "requirepass", "pw") == resp.OK
    d = Differ(s, r)
    try:
        d.check("DEBUG", "SLEEP", "0")
        d.check("DEBUG")
        d.check("PING")
    finally:
        d.close()


# ---------------------------------------------------------------- CLIENT


def test_client_help_and_errors(differ):
    differ.check("CLIENT", "HELP")
    differ.check("client", "help")
    differ.check("CLIENT")
    differ.check("CLIENT", "FOO")
    differ.check("CLIENT", "HELP", "x")
    for sub in ("ID", "INFO", "GETNAME", "UNPAUSE"):
        differ.check("CLIENT", sub, "x")
    for sub in ("SETNAME", "REPLY", "NO-EVICT", "PAUSE", "KILL"):
        differ.check("CLIENT", sub)
    differ.check("CLIENT", "SETNAME", "a", "b")


def test_client_id_is_stable(differ):
    first = {side: differ.conns[side].call("CLIENT", "ID") for side in
             differ.SIDES}
    for side, reply in first.items():
        assert reply.kind == resp.INT and reply.value > 0, (side, reply)
        assert differ.conns[side].call("CLIENT", "ID") == reply
    differ.check("CLIENT", "ID")


def test_client_setname_getname(differ):
    differ.check("CLIENT", "GETNAME")
    for name in ("conn-1", "~!@#$%^&*()_+{}|:<>?", "", "a b", "a\nb", "tab\t",
                 b"\x7f", b"\x80", b"caf\xc3\xa9", b"\x00", "!", "~",
                 "x" * 1000, b"nul\x00in"):
        differ.check("CLIENT", "SETNAME", name)
        differ.check("CLIENT", "GETNAME")
    differ.check("CLIENT", "INFO", normalize=client_line_fields)


def test_client_info_and_list_layout(differ):
    differ.check("CLIENT", "INFO", normalize=client_line_fields)
    differ.check("CLIENT", "LIST", normalize=client_line_fields)
    differ.check("CLIENT", "SETNAME", "named")
    differ.check("CLIENT", "NO-EVICT", "on")
    differ.check("CLIENT", "LIST", "TYPE", "normal",
                 normalize=client_line_fields)
    differ.check("HELLO", "3", normalize=without_id)
    differ.check("CLIENT", "INFO", normalize=client_line_fields)
    differ.check("CLIENT", "LIST", normalize=client_line_fields)


def test_client_list_filters(differ):
    for args in (["TYPE"], ["TYPE", "foo"], ["TYPE", "pubsub"],
                 ["TYPE", "master"], ["TYPE", "replica"], ["TYPE", "slave"],
                 ["type", "PUBSUB"], ["ID"], ["ID", "abc"],
                 ["ID", "999999", "abc"], ["ID", "999999"], ["ID", "-5"],
                 ["ID", "0"], ["foo", "bar"], ["TYPE", "normal", "x"],
                 ["foo"]):
        differ.check("CLIENT", "LIST", *args, normalize=client_line_fields)


def test_client_list_by_own_id(differ):
    """CLIENT LIST ID <own id> lists exactly this connection."""
    for side in differ.SIDES:
        c = differ.conns[side]
        my_id = c.call("CLIENT", "ID").value
        r = c.call("CLIENT", "LIST", "ID", str(my_id), "999999", str(my_id))
        lines = [ln for ln in r.value.split(b"\n") if ln]
        assert len(lines) == 2, (side, r)
        assert all(ln.startswith(b"id=%d " % my_id) for ln in lines), (side, r)


def test_client_kill_errors_and_misses(differ):
    for args in (["1.2.3.4:5"], ["foo"], ["ID"], ["ID", "abc"], ["ID", "-1"],
                 ["ID", "0"], ["ID", "999999"],
                 ["ID", "9223372036854775807"], ["ADDR", "1.2.3.4:5"],
                 ["LADDR", "1.2.3.4:5"], ["TYPE", "foo"],
                 ["TYPE", "master"], ["TYPE", "replica"], ["TYPE", "slave"],
                 ["TYPE", "pubsub"], ["USER", "foo"], ["SKIPME", "foo"],
                 ["SKIPME", "yes"], ["ID", "1", "SKIPME"], ["FOO", "bar"],
                 ["ID", "999998", "ID", "999999"], ["a", "b", "c"],
                 ["SKIPME", "no", "ID", "999999"], ["ID", "abc", "SKIPME"],
                 ["TYPE", "normal", "SKIPME", "yes", "USER", "nobody"],
                 ["TYPE", "normal", "SKIPME", "yes"],
                 ["USER", "default", "SKIPME", "yes"]):
        differ.check("CLIENT", "KILL", *args)
    differ.check("PING")


def settle(differ):
    """Wait until each server has reaped connections closed on our side
    (the differ reconnects after a close): kill counts include them."""
    deadline = time.monotonic() + 5
    for side in differ.SIDES:
        c = differ.conns[side]
        while c.call("CLIENT", "LIST").value.count(b"\n") > 1:
            assert time.monotonic() < deadline, f"{side}: stale clients"
            time.sleep(0.02)


def test_client_kill_self(differ):
    # SKIPME no: the caller is killed, after its reply.
    settle(differ)
    differ.check_raw(b"CLIENT KILL TYPE normal SKIPME no\r\nPING\r\n",
                     replies=1, close_wait=0.5)
    settle(differ)
    differ.check_raw(b"CLIENT KILL USER default SKIPME no\r\n",
                     close_wait=0.5)


def test_client_reply_modes(differ):
    differ.check("CLIENT", "REPLY", "FOO")
    differ.check("CLIENT", "REPLY", "on")
    cases = [
        b"CLIENT REPLY SKIP\r\nPING a\r\nPING b\r\n",
        b"CLIENT REPLY OFF\r\nPING a\r\nCLIENT REPLY SKIP\r\nPING b\r\n"
        b"CLIENT REPLY ON\r\nPING c\r\n",
        b"CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING d\r\n",
        b"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING e\r\nPING f\r\n",
        b"CLIENT REPLY SKIP\r\nNOSUCH\r\nPING g\r\n",
        b"CLIENT REPLY SKIP\r\nGET\r\nPING h\r\n",
        b"CLIENT REPLY OFF\r\nGET\r\nNOSUCH\r\nCLIENT REPLY ON\r\n",
        b"CLIENT REPLY SKIP\r\nCLIENT REPLY OFF\r\nPING i\r\n"
        b"CLIENT REPLY ON\r\n",
    ]
    expected = [1, 2, 2, 1, 1, 1, 1, 1]
    for data, n in zip(cases, expected):
        differ.check_raw(data, replies=n)
        differ.check_raw(b"PING after\r\n")  # nothing left over


def test_client_no_evict_and_pause_errors(differ):
    for v in ("on", "OFF", "foo", ""):
        differ.check("CLIENT", "NO-EVICT", v)
    for args in (["abc"], ["abc", "foo"], ["-1"], ["10", "foo"],
                 ["10", "write", "x"], ["1.5"], ["9999999999999999999"],
                 ["0"], ["0", "WRITE"], ["0", "all"], ["", "ALL"]):
        differ.check("CLIENT", "PAUSE", *args)
    differ.check("CLIENT", "PAUSE", "50", "WRITE")
    differ.check("CLIENT", "UNPAUSE")
    differ.check("CLIENT", "UNPAUSE")
    differ.check("SET", "k", "v")

