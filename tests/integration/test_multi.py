"""Transactions with several clients (shard/multi.c): optimistic locking
with WATCH under real contention, clients blocked on keys woken only once
a transaction that fed them has ended (issue 3's requirement), and
clients that leave mid-transaction or while blocked leaving no trace.

Scenarios that have an observable transcript run on redis-server 7.0 too,
and the transcripts must be equal."""

import random
import socket
import threading
import time

import pytest
import redis

from lib import resp

# ---------------------------------------------------------------- helpers


def info_int(conn, section, field):
    text = conn.call("INFO", section).value.decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"INFO {section} has no {field}")


def wait_for(fn, what, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not fn():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def wait_blocked(ctl, n):
    wait_for(lambda: info_int(ctl, "clients", "blocked_clients") == n,
             f"{n} blocked clients")


def silent(conn, wait=0.15):
    try:
        r = conn.read_reply(wait)
    except (socket.timeout, TimeoutError):
        return None
    return r


@pytest.fixture
def servers(shoal, redis_factory):
    """shoal first, then the oracle (skipped if redis-server is absent)."""
    return [("shoal", shoal), ("redis", redis_factory(name="redis"))]


# ---------------------------------------------------------------- WATCH races


def test_watch_incr_race(shoal):
    """Two threads increment one counter with WATCH/GET/MULTI/SET/EXEC,
    retrying when EXEC fails: no increment is lost, and the race really
    happened (some EXECs failed)."""
    per_thread = 300
    shoal.client().set("counter", 0)
    retries = [0, 0]
    errors = []

    def worker(idx):
        try:
            c = shoal.client()
            for _ in range(per_thread):
                while True:
                    with c.pipeline() as p:
                        try:
                            p.watch("counter")
                            v = int(p.get("counter"))
                            # Widen the window between read and write.
                            if v % 3 == idx:
                                time.sleep(0.0005)
                            p.multi()
                            p.set("counter", v + 1)
                            p.execute()
                            break
                        except redis.WatchError:
                            retries[idx] += 1
        except Exception as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert int(shoal.client().get("counter")) == 2 * per_thread
    assert sum(retries) > 0, "the two clients never collided"


def test_watch_without_lock_loses_updates_is_caught(shoal):
    """The check above can fail: the same interleaving without WATCH
    loses an update, with WATCH it is refused."""
    a, b = shoal.raw(), shoal.raw()
    a.call("SET", "n", "0")
    for use_watch in (False, True):
        a.call("SET", "n", "0")
        if use_watch:
            assert a.call("WATCH", "n") == resp.OK
            assert b.call("WATCH", "n") == resp.OK
        va = int(a.call("GET", "n").value)
        vb = int(b.call("GET", "n").value)
        replies = []
        for c, v in ((a, va), (b, vb)):
            assert c.call("MULTI") == resp.OK
            assert c.call("SET", "n", str(v + 1)) == resp.simple("QUEUED")
            replies.append(c.call("EXEC"))
        if use_watch:
            assert replies == [resp.array(resp.OK), resp.NIL_ARRAY]
        else:
            assert replies == [resp.array(resp.OK), resp.array(resp.OK)]
        assert a.call("GET", "n") == resp.bulk("1")


# ---------------------------------------------------------------- wake-ups


def wake_scenario(server):
    """Clients blocked on a list, fed by transactions. Returns the
    transcript: every reply, in order, of every client."""
    log = []
    ctl, a, b, c = server.raw(), server.raw(), server.raw(), server.raw()

    def call(name, conn, *cmd):
        log.append((name, cmd, conn.call(*cmd)))

    # 1. LPUSH then LLEN inside the transaction: the waiter has not taken
    #    the element yet; it gets the head as the list is after EXEC.
    b.send_command("BLPOP", "l", "0")
    wait_blocked(ctl, 1)
    call("a", a, "MULTI")
    call("a", a, "LPUSH", "l", "first")
    call("a", a, "LLEN", "l")
    call("a", a, "LPUSH", "l", "second")
    call("a", a, "LRANGE", "l", "0", "-1")
    call("a", a, "EXEC")
    log.append(("b", "reply", b.read_reply(5)))
    call("a", a, "LRANGE", "l", "0", "-1")
    # 2. Pushed and popped again inside: at EXEC's end the list is empty,
    #    the waiter keeps waiting, in its place.
    call("a", a, "DEL", "l")
    b.send_command("BLPOP", "l", "0")
    wait_blocked(ctl, 1)
    c.send_command("BRPOP", "l", "0")
    wait_blocked(ctl, 2)
    call("a", a, "MULTI")
    call("a", a, "RPUSH", "l", "x")
    call("a", a, "RPOP", "l")
    call("a", a, "EXEC")
    log.append(("b", "silent", silent(b)))
    log.append(("blocked", info_int(ctl, "clients", "blocked_clients")))
    call("a", a, "RPUSH", "l", "y", "z")
    log.append(("b", "reply", b.read_reply(5)))
    log.append(("c", "reply", c.read_reply(5)))
    # 3. A blocked BLMOVE fed by a transaction that also reads the
    #    destination: the move happens after EXEC.
    c.send_command("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
    wait_blocked(ctl, 1)
    call("a", a, "MULTI")
    call("a", a, "RPUSH", "src", "1", "2")
    call("a", a, "LLEN", "dst")
    call("a", a, "EXEC")
    log.append(("c", "reply", c.read_reply(5)))
    call("a", a, "LRANGE", "dst", "0", "-1")
    call("a", a, "LRANGE", "src", "0", "-1")
    # 4. A transaction with a blocking pop of its own on an empty list
    #    answers at once, and a waiter on another key still gets served.
    b.send_command("BLPOP", "w", "0")
    wait_blocked(ctl, 1)
    call("a", a, "MULTI")
    call("a", a, "BLPOP", "empty", "0")
    call("a", a, "RPUSH", "w", "v")
    call("a", a, "EXEC")
    log.append(("b", "reply", b.read_reply(5)))
    for conn in (ctl, a, b, c):
        conn.close()
    return log


def test_blocked_clients_woken_after_exec(servers):
    logs = {name: wake_scenario(srv) for name, srv in servers}
    assert logs["shoal"] == logs["redis"]
    log = logs["shoal"]
    # The facts that matter, spelled out.
    execs = [r for who, cmd, r in (e for e in log if len(e) == 3)
             if cmd == ("EXEC",)]
    assert execs[0] == resp.array(resp.integer(1), resp.integer(1),
                                  resp.integer(2),
                                  resp.array(resp.bulk("second"),
                                             resp.bulk("first")))
    assert (("b", "reply", resp.array(resp.bulk("l"), resp.bulk("second")))
            in log)
    assert ("b", "silent", None) in log


def test_blocked_client_disconnect_no_trace(shoal):
    ctl, a = shoal.raw(), shoal.raw()
    # A waiter that leaves: the pushed element stays for everyone else.
    b = shoal.raw()
    b.send_command("BLPOP", "l", "0")
    wait_blocked(ctl, 1)
    b.close()
    wait_blocked(ctl, 0)
    assert a.call("MULTI") == resp.OK
    a.call("LPUSH", "l", "x")
    assert a.call("EXEC") == resp.array(resp.integer(1))
    assert a.call("LLEN", "l") == resp.integer(1)
    # A client that leaves while watching, inside MULTI, with commands
    # queued: nothing of it runs, and touching its keys is safe.
    before = info_int(ctl, "clients", "connected_clients")
    for i in range(20):
        c = shoal.raw()
        c.call("WATCH", "k", f"k{i}")
        c.call("MULTI")
        c.call("SET", "k", f"from {i}")
        c.call("INCR", "count")
        if i % 2:
            c.call("NOSUCH")
        c.close()
    wait_for(lambda: info_int(ctl, "clients", "connected_clients") == before,
             "the clients to go")
    assert a.call("SET", "k", "1") == resp.OK
    assert a.call("FLUSHALL") == resp.OK
    assert a.call("GET", "k") == resp.NIL
    assert a.call("GET", "count") == resp.NIL
    # A watcher still connected sees the change; the others left nothing.
    assert a.call("WATCH", "k") == resp.OK
    ctl.call("SET", "k", "2")
    assert a.call("MULTI") == resp.OK
    a.call("GET", "k")
    assert a.call("EXEC") == resp.NIL_ARRAY


def test_many_watchers_churn(shoal):
    """Many clients watching overlapping keys across databases while
    others write, flush, swap and disconnect (ASan checks the table)."""
    rng = random.Random(7)
    conns = [shoal.raw() for _ in range(12)]
    writer = shoal.raw()
    for step in range(600):
        c = rng.choice(conns)
        op = rng.random()
        key = f"k{rng.randrange(6)}"
        if op < 0.3:
            c.call("WATCH", key, f"k{rng.randrange(6)}")
        elif op < 0.4:
            c.call("SELECT", str(rng.randrange(3)))
        elif op < 0.55:
            c.call("MULTI")
            c.call("INCR", key)
            r = c.call("EXEC")
            assert r.kind in (resp.ARRAY, resp.NULL_ARRAY, resp.ERROR), r
        elif op < 0.6:
            c.call("UNWATCH")
        elif op < 0.65:
            conns.remove(c)
            c.close()
            conns.append(shoal.raw())
        elif op < 0.9:
            writer.call("SET", key, str(step))
        elif op < 0.95:
            writer.call(rng.choice(["FLUSHDB", "FLUSHALL"]))
        else:
            writer.call("SWAPDB", str(rng.randrange(3)), str(rng.randrange(3)))
    for c in conns:
        c.call("RESET")
    assert writer.call("PING") == resp.PONG
