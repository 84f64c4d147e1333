"""Smoke tests: a standalone shard starts, answers real clients over TCP and
a unix socket, survives a large pipeline, and stops cleanly."""

import signal

import pytest
import redis

from lib import resp


def test_ping(shoal):
    assert shoal.client().ping() is True
    with shoal.raw() as c:
        assert c.call("PING") == resp.PONG
        assert c.call("PING", "hello") == resp.bulk("hello")


def test_inline_ping(shoal):
    with shoal.raw() as c:
        c.send(b"PING\r\n")
        assert c.read_reply() == resp.PONG


def test_set_get(shoal):
    r = shoal.client()
    assert r.set("greeting", "hello") is True
    assert r.get("greeting") == b"hello"
    assert r.get("missing") is None
    binary = bytes(range(256)) * 4
    assert r.set(b"bin\x00key", binary) is True
    assert r.get(b"bin\x00key") == binary


def test_set_get_wire_types(shoal):
    with shoal.raw() as c:
        assert c.call("SET", "k", "v") == resp.OK
        assert c.call("GET", "k") == resp.bulk("v")
        assert c.call("GET", "nokey") == resp.NIL


def test_pipeline_10k(shoal):
    r = shoal.client()
    pipe = r.pipeline(transaction=False)
    n = 5000
    for i in range(n):
        pipe.set(f"key:{i}", i)
    for i in range(n):
        pipe.get(f"key:{i}")
    results = pipe.execute()
    assert len(results) == 2 * n
    assert results[:n] == [True] * n
    assert results[n:] == [str(i).encode() for i in range(n)]


def test_raw_pipeline_in_one_write(shoal):
    """10k commands in a single write: the server must cope with a large
    input buffer holding many complete commands."""
    n = 10_000
    with shoal.raw() as c:
        c.send(b"".join(resp.encode_command("INCR", "counter") for _ in range(n)))
        replies = [c.read_reply() for _ in range(n)]
    assert replies == [resp.integer(i) for i in range(1, n + 1)]


def test_unix_socket(shoal_factory):
    server = shoal_factory(start=False, name="unix")
    path = server.dir / "s.sock"
    server.start({"unixsocket": path})
    r = server.client(unix_socket_path=str(path))
    assert r.ping() is True
    assert r.set("over-unix", "yes") is True
    # Same keyspace over TCP.
    assert server.client().get("over-unix") == b"yes"
    with server.raw(unix_path=path) as c:
        assert c.call("GET", "over-unix") == resp.bulk("yes")


def test_many_clients(shoal):
    clients = [shoal.client() for _ in range(50)]
    for i, c in enumerate(clients):
        c.set(f"client:{i}", i)
    for i, c in enumerate(clients):
        assert c.get(f"client:{(i + 1) % 50}") == str((i + 1) % 50).encode()


def test_sigterm_stops_cleanly(shoal):
    shoal.client().set("k", "v")
    assert shoal.stop() == []  # raises on crash, hang or sanitizer report
    assert shoal.returncode in (0, -signal.SIGTERM)


def test_shutdown_command(shoal):
    with shoal.raw() as c:
        c.send_command("SHUTDOWN")
        # SHUTDOWN replies nothing on success: the connection just closes.
        assert c.is_closed(wait=10), "server still connected after SHUTDOWN"
    assert shoal.wait_exit(10) == 0
    with pytest.raises(redis.ConnectionError):
        shoal.client().ping()
