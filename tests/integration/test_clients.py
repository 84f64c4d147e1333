"""Client connections over their lifetime: CLIENT KILL in all its forms,
CLIENT PAUSE, CLIENT REPLY, MONITOR, maxclients, idle timeout,
tcp-keepalive, QUIT, RESET, SHUTDOWN, DEBUG SLEEP/POPULATE and the
enable-debug-command gate. These pass against redis-server 7.0 too
(DIFF_SELFTEST=1), except the few shoal-only checks that say so."""

import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from lib import resp
from lib.conn import ConnectionClosed, RawConn
from lib.server import is_redis_binary


def is_redis(server):
    return is_redis_binary(server.binary)


def closed(conn, wait=1.0):
    return conn.is_closed(wait=wait)


def field(info_reply, name):
    """A field of a CLIENT INFO/LIST line."""
    text = info_reply.value
    if isinstance(text, tuple):  # RESP3 verbatim
        text = text[1]
    m = re.search(rb"(?:^| )" + name.encode() + rb"=(\S*)", text)
    assert m, f"no {name}= in {text!r}"
    return m.group(1).decode()


def other_ip():
    """A non-loopback IPv4 address of this host, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True,
                             text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for word in out.split():
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", word) and \
                not word.startswith("127."):
            return word
    return None


def settle(conn, clients=1):
    """Wait until the server lists `clients` connections: the startup probe
    and connections we closed may not be reaped yet, and kill counts would
    include them."""
    deadline = time.monotonic() + 5
    while conn.call("CLIENT", "LIST").value.count(b"\n") != clients:
        assert time.monotonic() < deadline, "stale connections linger"
        time.sleep(0.02)


# ---------------------------------------------------------------- KILL


def test_kill_old_form_closes_the_other_client(shoal):
    victim, killer = shoal.raw(), shoal.raw()
    addr = field(victim.call("CLIENT", "INFO"), "addr")
    assert killer.call("CLIENT", "KILL", addr) == resp.OK
    assert closed(victim)
    assert killer.call("CLIENT", "KILL", addr) == \
        resp.error("ERR No such client")
    assert killer.call("PING") == resp.PONG


def test_kill_old_form_can_kill_the_caller(shoal):
    c = shoal.raw()
    addr = field(c.call("CLIENT", "INFO"), "addr")
    c.send_command("CLIENT", "KILL", addr)
    assert c.read_reply() == resp.OK
    assert closed(c)


def test_kill_by_id_addr_laddr(shoal):
    a, b, killer = shoal.raw(), shoal.raw(), shoal.raw()
    settle(killer, 3)
    a_id = a.call("CLIENT", "ID").value
    assert killer.call("CLIENT", "KILL", "ID", str(a_id)) == resp.integer(1)
    assert closed(a)
    assert killer.call("CLIENT", "KILL", "ID", str(a_id)) == resp.integer(0)
    b_addr = field(b.call("CLIENT", "INFO"), "addr")
    assert killer.call("CLIENT", "KILL", "ADDR", b_addr) == resp.integer(1)
    assert closed(b)
    # LADDR is the server's side: it matches every TCP client (and the
    # caller is skipped by default).
    c, d = shoal.raw(), shoal.raw()
    settle(killer, 3)
    laddr = field(killer.call("CLIENT", "INFO"), "laddr")
    assert killer.call("CLIENT", "KILL", "LADDR", laddr) == resp.integer(2)
    assert closed(c) and closed(d)
    assert killer.call("PING") == resp.PONG


def test_kill_filters_combine(shoal):
    a, b, killer = shoal.raw(), shoal.raw(), shoal.raw()
    settle(killer, 3)
    a_id = a.call("CLIENT", "ID").value
    b_addr = field(b.call("CLIENT", "INFO"), "addr")
    # ID and ADDR of different clients: no match.
    assert killer.call("CLIENT", "KILL", "ID", str(a_id), "ADDR",
                       b_addr) == resp.integer(0)
    assert a.call("PING") == resp.PONG and b.call("PING") == resp.PONG
    # TYPE normal USER default kills everyone but the caller.
    assert killer.call("CLIENT", "KILL", "TYPE", "normal", "USER",
                       "default") == resp.integer(2)
    assert closed(a) and closed(b)
    assert killer.call("PING") == resp.PONG
    assert killer.call("CLIENT", "KILL", "TYPE", "pubsub") == resp.integer(0)


def test_kill_skipme_no_closes_caller_after_reply(shoal):
    other, me = shoal.raw(), shoal.raw()
    settle(me, 2)
    me.send(b"CLIENT KILL TYPE normal SKIPME no\r\nPING\r\n")
    assert me.read_reply() == resp.integer(2)
    assert closed(me)
    assert closed(other)
    with shoal.raw() as fresh:
        assert fresh.call("PING") == resp.PONG


def test_kill_maxage(shoal):
    if is_redis(shoal):
        pytest.skip("CLIENT KILL MAXAGE is Redis 7.4; 7.0 says syntax error")
    old, killer = shoal.raw(), shoal.raw()
    settle(killer, 2)
    assert killer.call("CLIENT", "KILL", "MAXAGE", "100") == resp.integer(0)
    assert killer.call("CLIENT", "KILL", "MAXAGE", "x") == \
        resp.error("ERR maxage is not an integer or out of range")
    time.sleep(2.1)
    young = shoal.raw()
    assert young.call("PING") == resp.PONG
    assert killer.call("CLIENT", "KILL", "MAXAGE", "1") == resp.integer(1)
    assert closed(old)
    assert young.call("PING") == resp.PONG


# ---------------------------------------------------------------- LIST INFO


def test_list_shows_clients_oldest_first(shoal):
    conns = [shoal.raw() for _ in range(3)]
    conns[1].call("CLIENT", "SETNAME", "middle")
    ids = [c.call("CLIENT", "ID").value for c in conns]
    listing = conns[0].call("CLIENT", "LIST")
    listed = [int(m) for m in re.findall(rb"^id=(\d+) ", listing.value,
                                         re.M)]
    assert [i for i in listed if i in ids] == ids
    assert b"name=middle " in listing.value
    assert listing.value.endswith(b"\n")
    one = conns[0].call("CLIENT", "LIST", "ID", str(ids[2]))
    assert field(one, "id") == str(ids[2])
    info = conns[1].call("CLIENT", "INFO")
    assert field(info, "name") == "middle"
    assert field(info, "cmd") == "client|info"
    assert field(info, "flags") == "N"


def test_info_flags_and_db(shoal):
    c = shoal.raw()
    c.call("SELECT", "5")
    c.call("CLIENT", "NO-EVICT", "on")
    info = c.call("CLIENT", "INFO")
    assert field(info, "db") == "5"
    assert field(info, "flags") == "e"
    mon = shoal.raw()
    mon.call("MONITOR")
    listing = c.call("CLIENT", "LIST", "ID", str(mon_id(c, mon)))
    assert field(listing, "flags") == "O"


def mon_id(c, mon):
    """The monitor's id, found from another connection (a monitor answers
    only with lines)."""
    listing = c.call("CLIENT", "LIST").value.decode()
    for line in listing.splitlines():
        if " flags=O " in line:
            return int(line.split(" ", 1)[0][3:])
    raise AssertionError(f"no monitor in {listing!r}")


def test_unix_socket_client(shoal_factory, tmp_path):
    path = tmp_path / "s.sock"
    server = shoal_factory({"unixsocket": str(path), "unixsocketperm": "700"})
    c = server.raw(unix_path=path)
    info = c.call("CLIENT", "INFO")
    assert field(info, "flags") == "U"
    assert field(info, "addr") == f"{path}:0"
    # DEBUG local mode counts unix sockets as local.
    assert c.call("DEBUG", "SLEEP", "0") == resp.OK


# ---------------------------------------------------------------- SETINFO


def test_setinfo(shoal):
    if is_redis(shoal):
        pytest.skip("CLIENT SETINFO is Redis 7.2")
    c = shoal.raw()
    assert c.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py") == resp.OK
    assert c.call("CLIENT", "SETINFO", "lib-ver", "4.3.4") == resp.OK
    info = c.call("CLIENT", "INFO")
    assert field(info, "lib-name") == "redis-py"
    assert field(info, "lib-ver") == "4.3.4"
    assert c.call("CLIENT", "SETINFO", "lib-name", "a b") == resp.error(
        "ERR lib-name cannot contain spaces, newlines or special "
        "characters.")
    assert c.call("CLIENT", "SETINFO", "foo", "x") == \
        resp.error("ERR Unrecognized option 'foo'")
    assert c.call("CLIENT", "SETINFO", "lib-name") == resp.error(
        "ERR wrong number of arguments for 'client|setinfo' command")
    assert c.call("CLIENT", "SETINFO", "lib-name", "") == resp.OK
    assert field(c.call("CLIENT", "INFO"), "lib-name") == ""
    # RESET keeps the library's identity.
    assert c.call("RESET") == resp.simple("RESET")
    assert field(c.call("CLIENT", "INFO"), "lib-ver") == "4.3.4"


# ---------------------------------------------------------------- PAUSE


def test_pause_write_holds_writes_not_reads(shoal):
    admin, w, r = shoal.raw(), shoal.raw(), shoal.raw()
    assert w.call("SET", "k", "before") == resp.OK
    assert admin.call("CLIENT", "PAUSE", "700", "WRITE") == resp.OK
    start = time.monotonic()
    w.send_command("SET", "k", "after")
    assert r.call("GET", "k") == resp.bulk("before")   # reads go on
    assert r.call("PING") == resp.PONG
    with pytest.raises(socket.timeout):
        w.read_reply(timeout=0.3)
    assert w.read_reply(timeout=5) == resp.OK   # released by the timeout
    assert time.monotonic() - start >= 0.6
    assert r.call("GET", "k") == resp.bulk("after")


def test_unpause_releases_held_clients_in_order(shoal):
    admin, w = shoal.raw(), shoal.raw()
    assert admin.call("CLIENT", "PAUSE", "100000", "WRITE") == resp.OK
    w.send(b"SET k 1\r\nINCR k\r\nGET k\r\n")
    with pytest.raises(socket.timeout):
        w.read_reply(timeout=0.3)
    start = time.monotonic()
    assert admin.call("CLIENT", "UNPAUSE") == resp.OK
    assert w.read_reply(timeout=2) == resp.OK
    assert w.read_reply(timeout=2) == resp.integer(2)
    assert w.read_reply(timeout=2) == resp.bulk("2")
    assert time.monotonic() - start < 1.0


def test_pause_all_holds_reads_too(shoal):
    admin, r = shoal.raw(), shoal.raw()
    r.call("SET", "k", "v")
    assert admin.call("CLIENT", "PAUSE", "500") == resp.OK
    start = time.monotonic()
    assert r.call("GET", "k", timeout=5) == resp.bulk("v")
    assert time.monotonic() - start >= 0.4


def test_held_client_killed_by_another_held_client(shoal):
    """Released in order: the first held client kills the second while
    that one is still waiting; the server must not touch it afterwards."""
    admin, killer, victim = shoal.raw(), shoal.raw(), shoal.raw()
    victim_id = victim.call("CLIENT", "ID").value
    assert admin.call("CLIENT", "PAUSE", "400", "ALL") == resp.OK
    killer.send_command("CLIENT", "KILL", "ID", str(victim_id))
    time.sleep(0.05)
    victim.send_command("SET", "never", "1")
    assert killer.read_reply(timeout=5) == resp.integer(1)
    assert closed(victim)
    assert killer.call("EXISTS", "never") == resp.integer(0)


def test_released_client_pauses_again(shoal):
    admin, a, b = shoal.raw(), shoal.raw(), shoal.raw()
    assert admin.call("CLIENT", "PAUSE", "300", "WRITE") == resp.OK
    a.send(b"SET a 1\r\nCLIENT PAUSE 400 WRITE\r\n")
    time.sleep(0.05)
    b.send_command("SET", "b", "1")
    assert a.read_reply(timeout=5) == resp.OK
    assert a.read_reply(timeout=5) == resp.OK
    start = time.monotonic()
    assert b.read_reply(timeout=5) == resp.OK   # held by the second pause
    assert time.monotonic() - start >= 0.25


def test_paused_client_is_not_idle_closed(shoal_factory):
    server = shoal_factory({"timeout": "1"})
    admin, w = server.raw(), server.raw()
    assert admin.call("CLIENT", "PAUSE", "2500", "WRITE") == resp.OK
    w.send_command("SET", "k", "v")
    assert w.read_reply(timeout=6) == resp.OK


# ---------------------------------------------------------------- REPLY


def test_reply_off_skip_on(shoal):
    c = shoal.raw()
    c.send(b"CLIENT REPLY OFF\r\nSET a 1\r\nPING\r\nGET\r\n"
           b"CLIENT REPLY ON\r\nGET a\r\n")
    assert c.read_reply() == resp.OK
    assert c.read_reply() == resp.bulk("1")
    c.send(b"CLIENT REPLY SKIP\r\nSET b 2\r\nGET b\r\n")
    assert c.read_reply() == resp.bulk("2")
    c.send(b"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING x\r\nPING y\r\n")
    assert c.read_reply() == resp.bulk("y")
    assert c.read_raw(quiet=0.2) == b""


def test_reply_off_then_quit_serves_nothing_more(shoal):
    """Redis 7.0 leaves such a connection open (its close waits for a reply
    that never comes) but runs nothing more from it."""
    c = shoal.raw()
    c.send(b"CLIENT REPLY OFF\r\nQUIT\r\nCLIENT REPLY ON\r\nSET q 1\r\n")
    time.sleep(0.2)
    assert c.read_raw(quiet=0.2) == b""
    with shoal.raw() as other:
        assert other.call("EXISTS", "q") == resp.integer(0)


# ---------------------------------------------------------------- MONITOR


LINE = re.compile(rb"\+(\d{10})\.(\d{6}) \[(\d+) 127\.0\.0\.1:(\d+)\] (.*)")


def test_monitor_sees_other_clients(shoal):
    mon, c = shoal.raw(), shoal.raw()
    assert mon.call("MONITOR") == resp.OK
    port = field(c.call("CLIENT", "INFO"), "addr").rsplit(":", 1)[1]
    c.call("SET", "key", "va lue\"\n")
    c.call("SELECT", "3")
    c.call("GET", "key")
    c.call("AUTH", "default", "secret")
    c.call("CONFIG", "GET", "port")  # admin commands are not shown
    c.call("PING")
    got = b""
    deadline = time.monotonic() + 5
    while got.count(b"\r\n") < 6 and time.monotonic() < deadline:
        got += mon.read_raw(quiet=0.1)
    lines = got.split(b"\r\n")[:-1]
    parsed = [LINE.fullmatch(ln) for ln in lines]
    assert all(parsed), lines
    now = time.time()
    for m in parsed:
        assert abs(int(m.group(1)) - now) < 60
        assert m.group(4).decode() == port
    assert [(m.group(3), m.group(5)) for m in parsed] == [
        (b"0", b'"CLIENT" "INFO"'),
        (b"0", b'"SET" "key" "va lue\\"\\n"'),
        (b"3", b'"SELECT" "3"'),
        (b"3", b'"GET" "key"'),
        (b"3", b'"AUTH" "(redacted)" "(redacted)"'),
        (b"3", b'"PING"'),
    ]


def test_monitor_client_closing_is_clean(shoal):
    mons = [shoal.raw() for _ in range(3)]
    for m in mons:
        assert m.call("MONITOR") == resp.OK
    mons[1].close()
    with shoal.raw() as c:
        c.call("SET", "a", "b")
    for m in (mons[0], mons[2]):
        assert b'"SET" "a" "b"' in m.read_raw(quiet=0.3)
    assert mons[2].call("RESET") == resp.simple("RESET")
    with shoal.raw() as c:
        c.call("GET", "a")
    assert b'"GET" "a"' in mons[0].read_raw(quiet=0.3)
    assert mons[2].read_raw(quiet=0.3) == b""


# ---------------------------------------------------------------- limits


def test_maxclients_refuses_with_redis_error(shoal_factory):
    server = shoal_factory({"maxclients": "3"})
    first = server.raw()
    settle(first)
    keep = [first, server.raw(), server.raw()]
    for c in keep:
        assert c.call("PING") == resp.PONG
    extra = RawConn(server.host, server.port, timeout=5)
    try:
        assert extra.read_reply() == \
            resp.error("ERR max number of clients reached")
        assert closed(extra)
    finally:
        extra.close()
    keep[0].close()
    time.sleep(0.2)
    with server.raw() as again:
        assert again.call("PING") == resp.PONG
    info = keep[1].call("INFO", "stats").value
    assert b"rejected_connections:1\r\n" in info


def test_idle_timeout_closes_connection(shoal_factory):
    server = shoal_factory({"timeout": "1"})
    idle, busy, mon = server.raw(), server.raw(), server.raw()
    assert mon.call("MONITOR") == resp.OK
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        assert busy.call("PING") == resp.PONG
        time.sleep(0.2)
    assert closed(idle, wait=0.1)
    assert busy.call("PING") == resp.PONG
    mon.read_raw(quiet=0.1)
    assert not closed(mon, wait=0.1)   # monitors are exempt, as in Redis


def test_no_idle_timeout_by_default(shoal):
    c = shoal.raw()
    time.sleep(2.5)
    assert c.call("PING") == resp.PONG


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss(8)")
@pytest.mark.parametrize("interval", [0, 60])
def test_tcp_keepalive(shoal_factory, interval):
    server = shoal_factory({"tcp-keepalive": str(interval)})
    c = server.raw()
    assert c.call("PING") == resp.PONG
    port = c.sock.getsockname()[1]
    out = subprocess.run(
        ["ss", "-tnoH", "state", "established", f"( dport = :{port} )"],
        capture_output=True, text=True, timeout=10).stdout
    assert f":{server.port}" in out, out
    if interval:
        assert "keepalive" in out, out
    else:
        assert "keepalive" not in out, out


# ---------------------------------------------------------------- QUIT RESET


def test_quit(shoal):
    c = shoal.raw()
    c.send(b"QUIT\r\nPING\r\n")
    assert c.read_reply() == resp.OK
    assert closed(c)
    with shoal.raw() as c2:
        assert c2.call("PING") == resp.PONG


def test_reset_restores_defaults(shoal):
    c = shoal.raw()
    c.call("SELECT", "9")
    c.call("CLIENT", "SETNAME", "x")
    c.call("HELLO", "3")
    c.call("CLIENT", "NO-EVICT", "on")
    assert c.call("RESET") == resp.simple("RESET")
    info = c.call("CLIENT", "INFO")
    assert info.kind == resp.BULK     # RESP2 again
    assert field(info, "db") == "0"
    assert field(info, "name") == ""
    assert field(info, "resp") == "2"
    assert field(info, "flags") == "e"   # NO-EVICT survives RESET


def test_reset_with_requirepass_needs_auth_again(shoal):
    admin = shoal.raw()
    assert admin.call("CONFIG", "SET", "requirepass", "pw") == resp.OK
    try:
        c = shoal.raw()
        assert c.call("PING") == resp.error("NOAUTH Authentication required.")
        assert c.call("AUTH", "pw") == resp.OK
        assert c.call("PING") == resp.PONG
        assert c.call("RESET") == resp.simple("RESET")
        assert c.call("PING") == resp.error("NOAUTH Authentication required.")
        # A connection made before requirepass stays authenticated, but
        # RESET takes that away too.
        assert admin.call("PING") == resp.PONG
        assert admin.call("RESET") == resp.simple("RESET")
        assert admin.call("PING") == \
            resp.error("NOAUTH Authentication required.")
        assert admin.call("AUTH", "pw") == resp.OK
    finally:
        admin.call("CONFIG", "SET", "requirepass", "")


# ---------------------------------------------------------------- SHUTDOWN


def test_shutdown_exits_zero(shoal):
    c = shoal.raw()
    c.send(b"SHUTDOWN NOSAVE\r\nPING\r\n")
    assert closed(c, wait=5)
    assert c.read_raw(quiet=0.1) == b""
    assert shoal.wait_exit(10) == 0


def test_shutdown_plain_with_no_save_points(shoal):
    # The harness starts servers with --save "": nothing to save.
    c = shoal.raw()
    c.send_command("SHUTDOWN")
    assert closed(c, wait=5)
    assert shoal.wait_exit(10) == 0


def test_shutdown_save_writes_rdb(shoal):
    # SHUTDOWN SAVE saves even without save points (failures: test_rdb.py).
    c = shoal.raw()
    c.send_command("SHUTDOWN", "SAVE")
    assert closed(c, wait=5)
    assert shoal.wait_exit(10) == 0
    assert (shoal.dir / "dump.rdb").exists()


# ---------------------------------------------------------------- DEBUG


def test_debug_sleep_blocks_other_clients(shoal):
    sleeper, other = shoal.raw(), shoal.raw()
    sleeper.send_command("DEBUG", "SLEEP", "0.6")
    time.sleep(0.1)
    start = time.monotonic()
    assert other.call("PING", timeout=5) == resp.PONG
    assert time.monotonic() - start >= 0.35
    assert sleeper.read_reply() == resp.OK


def test_debug_populate_counts(shoal):
    c = shoal.raw()
    assert c.call("DEBUG", "POPULATE", "1000") == resp.OK
    assert c.call("DBSIZE") == resp.integer(1000)
    assert c.call("GET", "key:999") == resp.bulk("value:999")
    assert c.call("SET", "key:10", "mine") == resp.OK
    assert c.call("DEBUG", "POPULATE", "1500") == resp.OK
    assert c.call("DBSIZE") == resp.integer(1500)
    assert c.call("GET", "key:10") == resp.bulk("mine")
    assert c.call("DEBUG", "POPULATE", "10", "big", "100") == resp.OK
    v = c.call("GET", "big:7").value
    assert v == b"value:7" + b"\x00" * 93
    assert c.call("SELECT", "1") == resp.OK
    assert c.call("DEBUG", "POPULATE", "5", "k") == resp.OK
    assert c.call("DBSIZE") == resp.integer(5)


def test_debug_disabled_error(shoal_factory):
    server = shoal_factory({"enable-debug-command": "no"})
    c = server.raw()
    assert c.call("DEBUG", "SLEEP", "0") == resp.error(
        'ERR DEBUG command not allowed. If the enable-debug-command option '
        'is set to "local", you can run it from a local connection, '
        'otherwise you need to set this option in the configuration file, '
        'and then restart the server.')
    stats = c.call("INFO", "commandstats").value
    assert b"cmdstat_debug:calls=0," in stats
    assert b"rejected_calls=1," in stats


def test_debug_local_mode(shoal_factory):
    ip = other_ip()
    args = {"enable-debug-command": "local", "protected-mode": "no"}
    if ip:
        args["bind"] = f"127.0.0.1 {ip}"
    server = shoal_factory(args)
    with server.raw() as c:
        assert c.call("DEBUG", "SLEEP", "0") == resp.OK   # loopback
    if ip is None:
        pytest.skip("no non-loopback address to test refusal from")
    with RawConn(ip, server.port, timeout=5) as remote:
        r = remote.call("DEBUG", "SLEEP", "0")
        assert r.is_error and b"DEBUG command not allowed" in r.value


def test_debug_help_lists_what_is_there(shoal):
    if is_redis(shoal):
        pytest.skip("shoal's DEBUG HELP lists only its own subcommands")
    r = shoal.raw().call("DEBUG", "HELP")
    lines = [x.value.decode() for x in r.value]
    assert lines[0].startswith("DEBUG <subcommand>")
    names = {ln.split()[0] for ln in lines[1:] if not ln.startswith(" ")}
    assert names == {"ERROR", "LOG", "OBJECT", "POPULATE", "PROTOCOL",
                     "RELOAD", "SEGFAULT", "SET-ACTIVE-EXPIRE", "SLEEP",
                     "HELP"}


def test_debug_set_active_expire(shoal):
    c = shoal.raw()
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == resp.OK
    c.call("SET", "k", "v", "PX", "50")
    time.sleep(0.4)
    # Not reaped in the background: still counted until touched.
    assert c.call("DBSIZE") == resp.integer(1)
    assert c.call("GET", "k") == resp.NIL
    assert c.call("DBSIZE") == resp.integer(0)
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == resp.OK
    c.call("SET", "k2", "v", "PX", "50")
    deadline = time.monotonic() + 3
    while c.call("DBSIZE") != resp.integer(0):
        assert time.monotonic() < deadline, "active expiry did not run"
        time.sleep(0.05)


def test_debug_segfault_kills_the_server(shoal):
    if is_redis(shoal):
        pytest.skip("redis-server prints a crash report; not under test")
    shoal.crash_ok = True
    c = shoal.raw()
    c.send_command("DEBUG", "SEGFAULT")
    assert closed(c, wait=5)
    rc = shoal.wait_exit(10)
    assert rc is not None and rc != 0


def test_concurrent_clients_smoke(shoal):
    """Many clients connecting, naming themselves and leaving while others
    list and kill: no crash, no sanitizer report (checked at teardown)."""
    stop = time.monotonic() + 1.5
    errors = []

    def churn(n):
        try:
            while time.monotonic() < stop:
                with shoal.raw(timeout=5) as c:
                    c.call("CLIENT", "SETNAME", f"churn-{n}")
                    c.call("CLIENT", "LIST")
        except ConnectionClosed:
            pass  # killed by the killer thread
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def killer():
        with shoal.raw(timeout=5) as k:
            while time.monotonic() < stop:
                k.call("CLIENT", "KILL", "TYPE", "normal")
                time.sleep(0.01)

    threads = [threading.Thread(target=churn, args=(i,)) for i in range(4)]
    threads.append(threading.Thread(target=killer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with shoal.raw() as c:
        assert c.call("PING") == resp.PONG
    assert not [e for e in errors
                if not isinstance(e, (ConnectionError, OSError))], errors
