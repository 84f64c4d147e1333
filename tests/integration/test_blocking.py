"""Blocking commands with several clients (shard/blocking.c and the list
blocking pops in shard/t_list.c): FIFO order among waiters, timeouts
(fractional, 0 = forever), BLMOVE/BRPOPLPUSH, several keys, waiters that
disconnect, pipelines behind a blocked command, INFO/CLIENT LIST.

Each scenario runs on redis-server 7.0 (the oracle) and on shoal, and the
two transcripts (every reply each client got, in order) must be equal.
DIFF_SELFTEST=1 runs redis-server on both sides."""

import socket
import time

import pytest

from lib import resp
from lib.scene import run_both as scene_run_both

# ---------------------------------------------------------------- harness


def run_both(pair, scenario):
    """Run scenario(scene) on redis-server, then shoal; compare."""
    return scene_run_both({"redis": pair.redis, "shoal": pair.shoal},
                          scenario)


def arr(*items):
    return resp.Reply(resp.ARRAY, tuple(resp.bulk(x) for x in items))


# ---------------------------------------------------------------- scenarios


def sc_fifo(s):
    for name in ("a", "b", "c"):
        s.block(name, "BLPOP", "k", "0")
    s.call("d", "RPUSH", "k", "1", "2")
    s.reply("a")
    s.reply("b")
    s.silent("c")
    s.note("blocked", s.blocked())
    s.call("d", "RPUSH", "k", "3")
    s.reply("c")
    s.call("d", "EXISTS", "k")
    s.note("blocked", s.blocked())


def sc_lpush_many_serves_in_order(s):
    for name in ("a", "b", "c"):
        s.block(name, "BLPOP", "k", "0")
    s.call("d", "LPUSH", "k", "x", "y", "z", "w")
    for name in ("a", "b", "c"):
        s.reply(name)
    s.call("d", "LRANGE", "k", "0", "-1")


def sc_brpop_and_mixed_waiters(s):
    s.block("a", "BRPOP", "k", "0")
    s.block("b", "BLPOP", "k", "0")
    s.block("c", "BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2")
    s.call("d", "RPUSH", "k", "1", "2", "3", "4", "5")
    s.reply("a")
    s.reply("b")
    s.reply("c")
    s.call("d", "LRANGE", "k", "0", "-1")


def sc_multiple_keys(s):
    s.block("a", "BLPOP", "k1", "k2", "k3", "0")
    s.call("d", "RPUSH", "k3", "x")
    s.reply("a")
    s.block("a", "BRPOP", "k1", "k2", "0")
    s.block("b", "BRPOP", "k2", "k1", "0")
    s.call("d", "RPUSH", "k1", "p", "q", "r")
    s.reply("a")
    s.reply("b")
    s.call("d", "LRANGE", "k1", "0", "-1")


def sc_same_key_twice(s):
    s.block("a", "BLPOP", "k", "k", "k", "0")
    s.call("d", "RPUSH", "k", "1", "2")
    s.reply("a")
    s.call("d", "LRANGE", "k", "0", "-1")
    s.note("blocked", s.blocked())


def sc_blmove_chain(s):
    s.block("a", "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    s.block("b", "BLPOP", "dst", "0")
    s.call("d", "RPUSH", "src", "v1", "v2")
    s.reply("a")
    s.reply("b")
    s.call("d", "LRANGE", "src", "0", "-1")
    s.call("d", "EXISTS", "dst")


def sc_brpoplpush(s):
    s.block("a", "BRPOPLPUSH", "src", "dst", "0")
    s.call("d", "RPUSH", "src", "1", "2", "3")
    s.reply("a")
    s.call("d", "LRANGE", "src", "0", "-1")
    s.call("d", "LRANGE", "dst", "0", "-1")
    # Source and destination the same list.
    s.block("a", "BRPOPLPUSH", "same", "same", "0")
    s.call("d", "RPUSH", "same", "x")
    s.reply("a")
    s.call("d", "LRANGE", "same", "0", "-1")


def sc_blmove_wrong_type_destination(s):
    s.call("d", "SET", "dst", "string")
    s.block("a", "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
    s.call("d", "RPUSH", "src", "v")
    s.reply("a")
    s.call("d", "LRANGE", "src", "0", "-1")
    s.note("blocked", s.blocked())


def sc_ready_key_order(s):
    # Two BLMOVEs make b, then a ready; the BLPOP a b waiter is served
    # from the key that became ready first (Redis 7.0 serves ready keys
    # in order).
    s.block("m1", "BLMOVE", "x", "b", "LEFT", "LEFT", "0")
    s.block("m2", "BLMOVE", "x", "a", "LEFT", "LEFT", "0")
    s.block("c", "BLPOP", "a", "b", "0")
    s.call("d", "RPUSH", "x", "1", "2")
    s.reply("m1")
    s.reply("m2")
    s.reply("c")
    s.call("d", "LRANGE", "a", "0", "-1")
    s.call("d", "LRANGE", "b", "0", "-1")


def sc_other_type_does_not_serve(s):
    s.block("a", "BLPOP", "k", "0")
    s.call("d", "SET", "k", "str")
    s.silent("a")
    s.call("d", "DEL", "k")
    s.call("d", "SADD", "k", "m")
    s.silent("a")
    s.call("d", "DEL", "k")
    s.call("d", "RPUSH", "k", "v")
    s.reply("a")


def sc_disconnect_while_blocked(s):
    s.block("a", "BLPOP", "k", "0")
    s.block("b", "BLPOP", "k", "0")
    s.block("c", "BLPOP", "other", "5")
    s.close("a")
    s.close("c")
    s.wait_blocked(1)
    s.note("clients", s.info("connected_clients"))
    s.note("in timeout table", s.info("clients_in_timeout_table"))
    s.call("d", "RPUSH", "k", "v1", "v2")
    s.reply("b")
    s.call("d", "LRANGE", "k", "0", "-1")
    s.note("blocked", s.blocked())


def sc_client_kill_blocked(s):
    s.block("a", "BLPOP", "k", "0")
    s.call("b", "CLIENT", "SETNAME", "waiter")
    s.block("b", "BLPOP", "k", "0")
    listing = s.ctl.call("CLIENT", "LIST").value.decode()
    line = [l for l in listing.splitlines() if "name=waiter" in l][0]
    s.note("flags", [f for f in line.split() if f.startswith("flags=")][0])
    s.note("cmd", [f for f in line.split() if f.startswith("cmd=")][0])
    kid = int([f for f in line.split() if f.startswith("id=")][0][3:])
    s.note("kill", s.ctl.call("CLIENT", "KILL", "ID", str(kid)))
    s.wait_blocked(1)
    listing = s.ctl.call("CLIENT", "LIST").value.decode()
    s.note("waiter listed", "name=waiter" in listing)
    s.call("d", "RPUSH", "k", "v")
    s.reply("a")


def sc_pipeline_behind_blocked(s):
    # The commands after a blocked one wait for it, then run in order.
    s.conn("a").send(resp.encode_command("BLPOP", "k", "0") +
                     resp.encode_command("PING") +
                     resp.encode_command("RPUSH", "k2", "from-a") +
                     resp.encode_command("LLEN", "k"))
    s.wait_blocked(1)
    s.block("b", "BLPOP", "k2", "0")
    s.silent("a")
    s.call("d", "RPUSH", "k", "v", "w")
    for _ in range(4):
        s.reply("a")
    s.reply("b")


def sc_served_then_blocks_again(s):
    s.conn("a").send(resp.encode_command("BLPOP", "k", "0") +
                     resp.encode_command("BLPOP", "k", "0"))
    s.wait_blocked(1)
    s.call("d", "RPUSH", "k", "1")
    s.reply("a")
    s.wait_blocked(1)
    s.silent("a")
    s.call("d", "RPUSH", "k", "2")
    s.reply("a")


def sc_timeouts(s):
    s.conn("a").call("HELLO", "3")
    s.send("a", "BLPOP", "k", "0.05")
    s.reply("a")
    s.send("b", "BRPOPLPUSH", "k", "d", "0.05")
    s.reply("b")
    s.send("b", "BLMOVE", "k", "d", "LEFT", "LEFT", "0.05")
    s.reply("b")
    s.send("b", "BLMPOP", "0.05", "2", "k", "k2", "LEFT")
    s.reply("b")
    s.send("a", "BLMPOP", "0.05", "1", "k", "LEFT", "COUNT", "3")
    s.reply("a")
    s.send("b", "BRPOP", "k", "0.01")
    s.reply("b")
    s.note("blocked", s.blocked())


def sc_timeout_then_pipeline(s):
    s.conn("a").send(resp.encode_command("BLPOP", "k", "0.05") +
                     resp.encode_command("ECHO", "after"))
    s.reply("a")
    s.reply("a")


def sc_zero_waits_forever(s):
    s.block("a", "BLPOP", "k", "0")
    s.note("in timeout table", s.info("clients_in_timeout_table"))
    s.silent("a", wait=1.2)
    s.call("d", "LPUSH", "k", "late")
    s.reply("a")


def sc_tiny_timeouts(s):
    # Rounded up to whole ms: 0.0001 waits 1 ms; -0.0001 gives 0: no
    # timeout at all.
    s.send("b", "BLPOP", "k", "0.0001")
    s.reply("b")
    s.block("a", "BLPOP", "k", "-0.0001")
    s.note("in timeout table", s.info("clients_in_timeout_table"))
    s.silent("a", wait=0.3)
    s.call("d", "RPUSH", "k", "v")
    s.reply("a")


def sc_swapdb(s):
    s.call("d", "SELECT", "1")
    s.call("d", "RPUSH", "k", "from-db1")
    s.block("a", "BLPOP", "k", "0")
    s.call("d", "SWAPDB", "0", "1")
    s.reply("a")
    s.call("d", "LLEN", "k")


def sc_databases_are_separate(s):
    s.call("a", "SELECT", "2")
    s.block("a", "BLPOP", "k", "0")
    s.call("d", "RPUSH", "k", "db0")
    s.silent("a")
    s.call("d", "SELECT", "2")
    s.call("d", "RPUSH", "k", "db2")
    s.reply("a")


def sc_rename_and_move_serve(s):
    s.block("a", "BLPOP", "dest", "0")
    s.call("d", "RPUSH", "tmp", "1")
    s.call("d", "RENAME", "tmp", "dest")
    s.reply("a")
    s.call("b", "SELECT", "3")
    s.block("b", "BLPOP", "moved", "0")
    s.call("d", "RPUSH", "moved", "2")
    s.call("d", "MOVE", "moved", "3")
    s.reply("b")


def sc_stats(s):
    s.ctl.call("CONFIG", "RESETSTAT")
    s.block("a", "BLPOP", "k", "0")
    s.call("d", "RPUSH", "k", "v")
    s.reply("a")
    s.send("a", "BLPOP", "k", "0.01")
    s.reply("a")
    stats = s.ctl.call("INFO", "commandstats").value.decode()
    line = [l for l in stats.split("\r\n") if l.startswith("cmdstat_blpop:")]
    s.note("blpop calls", line[0].split(",")[0] if line else None)


def sc_resp3_served(s):
    s.conn("a").call("HELLO", "3")
    s.block("a", "BLPOP", "k", "0")
    s.call("d", "RPUSH", "k", "v")
    s.reply("a")
    s.block("a", "BLMOVE", "k", "d", "RIGHT", "LEFT", "0")
    s.call("d", "RPUSH", "k", "w")
    s.reply("a")


SCENARIOS = [
    sc_fifo, sc_lpush_many_serves_in_order, sc_brpop_and_mixed_waiters,
    sc_multiple_keys, sc_same_key_twice, sc_blmove_chain, sc_brpoplpush,
    sc_blmove_wrong_type_destination, sc_ready_key_order,
    sc_other_type_does_not_serve, sc_disconnect_while_blocked,
    sc_client_kill_blocked, sc_pipeline_behind_blocked,
    sc_served_then_blocks_again, sc_timeouts, sc_timeout_then_pipeline,
    sc_zero_waits_forever, sc_tiny_timeouts, sc_swapdb,
    sc_databases_are_separate, sc_rename_and_move_serve, sc_stats,
    sc_resp3_served,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__[3:])
def test_scenario(pair, scenario):
    run_both(pair, scenario)


# ---------------------------------------------------------------- shoal only


def test_fractional_timeout_precision(shoal):
    with shoal.raw() as c:
        for timeout in ("0.2", "0.05", ".1"):
            start = time.monotonic()
            assert c.call("BLPOP", "k", timeout, timeout=5) == resp.NIL_ARRAY
            took = time.monotonic() - start
            assert float(timeout) - 0.005 <= took < float(timeout) + 0.25


def test_blocked_client_listed(shoal):
    with shoal.raw() as a, shoal.raw() as ctl:
        a.call("CLIENT", "SETNAME", "w")
        a.send_command("BRPOP", "x", "y", "0")
        time.sleep(0.1)
        line = [l for l in ctl.call("CLIENT", "LIST").value.decode().splitlines()
                if "name=w" in l][0]
        assert " flags=b " in line and " cmd=brpop " in line
        info = ctl.call("INFO", "clients").value.decode()
        assert "blocked_clients:1\r\n" in info
        assert "clients_in_timeout_table:0\r\n" in info


def test_many_waiters_and_disconnects(shoal):
    """200 waiters on 10 keys, half disconnect; every element pushed goes
    to a live waiter, oldest first, and nothing is left behind."""
    conns = [shoal.raw() for _ in range(200)]
    try:
        with shoal.raw() as ctl:
            deadline = time.monotonic() + 10
            for i, c in enumerate(conns):
                c.send_command("BLPOP", f"k{i % 10}", "0")
                # One at a time, so the order they block in is known.
                want = f"blocked_clients:{i + 1}\r\n"
                while want not in ctl.call("INFO", "clients").value.decode():
                    assert time.monotonic() < deadline
            dead = [i for i in range(200) if (i // 10) % 2 == 0]
            for i in dead:
                conns[i].close()
            while "blocked_clients:100\r\n" not in ctl.call("INFO", "clients").value.decode():
                assert time.monotonic() < deadline
                time.sleep(0.01)
            for k in range(10):
                vals = [f"v{k}-{j}" for j in range(10)]
                assert ctl.call("RPUSH", f"k{k}", *vals) == resp.Reply(resp.INT, 10)
            for i in sorted(set(range(200)) - set(dead)):
                k = i % 10
                j = (i // 10) // 2
                assert conns[i].read_reply(5) == arr(f"k{k}", f"v{k}-{j}")
            assert ctl.call("DBSIZE") == resp.Reply(resp.INT, 0)
            assert "blocked_clients:0\r\n" in ctl.call("INFO", "clients").value.decode()
    finally:
        for c in conns:
            c.close()


def test_timeout_while_others_served(shoal):
    with shoal.raw() as a, shoal.raw() as b, shoal.raw() as d:
        a.send_command("BLPOP", "k", "0.1")
        b.send_command("BLPOP", "k", "0")
        time.sleep(0.3)
        assert a.read_reply(1) == resp.NIL_ARRAY
        d.call("RPUSH", "k", "v")
        assert b.read_reply(2) == arr("k", "v")


def test_shutdown_with_blocked_clients(shoal):
    """SIGTERM while clients wait (with and without timeouts, one already
    served and queued): a clean exit, no sanitizer report."""
    socks = []
    try:
        with shoal.raw() as ctl:
            for cmd in (("BLPOP", "k", "0"), ("BLPOP", "k", "100"),
                        ("BLMOVE", "a", "b", "LEFT", "LEFT", "5"),
                        ("BLMPOP", "30", "2", "x", "y", "LEFT")):
                s = socket.create_connection(("127.0.0.1", shoal.port))
                s.sendall(resp.encode_command(*cmd))
                socks.append(s)
            deadline = time.monotonic() + 5
            while "blocked_clients:4\r\n" not in ctl.call("INFO", "clients").value.decode():
                assert time.monotonic() < deadline
                time.sleep(0.01)
            ctl.call("RPUSH", "a", "v")
        shoal.stop()  # raises on a crash, hang or sanitizer report
    finally:
        for s in socks:
            s.close()
