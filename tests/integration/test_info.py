"""INFO's values move as the server works: commands processed, keyspace
hits and misses, expired keys, errors, per-command statistics, the keyspace
section, and CONFIG RESETSTAT putting the counters back to zero."""

import time

import pytest
import redis

from lib import resp


def info(conn, *sections):
    """INFO as {field: value string}."""
    r = conn.call("INFO", *sections)
    assert r.kind in (resp.BULK, resp.VERBATIM), r
    text = (r.value[1] if r.kind == resp.VERBATIM else r.value).decode()
    fields = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            name, value = line.split(":", 1)
            fields[name] = value
    return fields


def stat(conn, name, section="stats"):
    return int(info(conn, section)[name])


def parse_kv(value):
    """'calls=3,usec=10' -> {'calls': '3', 'usec': '10'}"""
    return dict(kv.split("=", 1) for kv in value.split(","))


def test_commands_processed(shoal):
    c = shoal.raw()
    before = stat(c, "total_commands_processed")
    for _ in range(5):
        c.call("PING")
    # The first INFO counts once it has run, after its own reply was built.
    assert stat(c, "total_commands_processed") == before + 1 + 5


def test_keyspace_hits_and_misses(shoal):
    c = shoal.raw()
    c.call("SET", "k", "v")
    hits, misses = stat(c, "keyspace_hits"), stat(c, "keyspace_misses")
    c.call("GET", "k")
    c.call("GET", "k")
    c.call("GET", "missing")
    fields = info(c, "stats")
    assert int(fields["keyspace_hits"]) == hits + 2
    assert int(fields["keyspace_misses"]) == misses + 1


def test_expired_keys(shoal):
    c = shoal.raw()
    before = stat(c, "expired_keys")
    c.call("SET", "a", "v", "PX", "20")
    c.call("SET", "b", "v", "PX", "20")
    time.sleep(0.1)
    c.call("GET", "a")  # lazily expired now, or by the cron already
    deadline = time.monotonic() + 5
    while stat(c, "expired_keys") < before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stat(c, "expired_keys") == before + 2
    assert "db0" not in info(c, "keyspace")


def test_errors_counted(shoal):
    c = shoal.raw()
    total = stat(c, "total_error_replies")
    c.call("NOSUCHCOMMAND")
    c.call("GET")                      # arity: rejected
    c.call("SET", "n", "abc")
    c.call("INCR", "n")                # fails inside the command
    errors = info(c, "errorstats")
    assert parse_kv(errors["errorstat_ERR"]) == {"count": "3"}
    assert stat(c, "total_error_replies") == total + 3
    cmds = info(c, "commandstats")
    assert parse_kv(cmds["cmdstat_get"])["rejected_calls"] == "1"
    assert parse_kv(cmds["cmdstat_get"])["calls"] == "0"
    incr = parse_kv(cmds["cmdstat_incr"])
    assert (incr["calls"], incr["failed_calls"]) == ("1", "1")


def test_commandstats_fields(shoal):
    c = shoal.raw()
    for _ in range(3):
        c.call("SET", "k", "v")
    c.call("CONFIG", "GET", "hz")
    cmds = info(c, "commandstats")
    st = parse_kv(cmds["cmdstat_set"])
    assert list(st) == ["calls", "usec", "usec_per_call", "rejected_calls",
                        "failed_calls"]
    assert st["calls"] == "3"
    assert float(st["usec_per_call"]) >= 0
    assert "cmdstat_config|get" in cmds


def test_latencystats(shoal):
    c = shoal.raw()
    c.call("SET", "k", "v")
    line = info(c, "latencystats")["latency_percentiles_usec_set"]
    assert list(parse_kv(line)) == ["p50", "p99", "p99.9"]
    c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "10 99.99")
    line = info(c, "latencystats")["latency_percentiles_usec_set"]
    assert list(parse_kv(line)) == ["p10", "p99.99"]
    c.call("CONFIG", "SET", "latency-tracking", "no")
    assert info(c, "latencystats") == {}


def test_keyspace_section(shoal):
    c = shoal.raw()
    assert info(c, "keyspace") == {}
    c.call("SET", "a", "1")
    c.call("SET", "b", "2", "EX", "1000")
    assert parse_kv(info(c, "keyspace")["db0"]) == {
        "keys": "2", "expires": "1", "avg_ttl": parse_kv(
            info(c, "keyspace")["db0"])["avg_ttl"]}
    if not c.call("SELECT", "3").is_error:
        c.call("SET", "x", "1")
        assert parse_kv(info(c, "keyspace")["db3"])["keys"] == "1"


def test_dirty_counter(shoal):
    c = shoal.raw()
    before = stat(c, "rdb_changes_since_last_save", "persistence")
    c.call("SET", "a", "1")
    c.call("SET", "b", "1")
    c.call("GET", "a")
    assert stat(c, "rdb_changes_since_last_save", "persistence") == before + 2


def test_connections(shoal):
    c = shoal.raw()
    before = info(c, "stats", "clients")
    others = [shoal.raw() for _ in range(3)]
    for o in others:
        o.call("PING")
    after = info(c, "stats", "clients")
    assert int(after["connected_clients"]) == int(before["connected_clients"]) + 3
    assert (int(after["total_connections_received"]) ==
            int(before["total_connections_received"]) + 3)
    assert int(after["total_net_input_bytes"]) > int(before["total_net_input_bytes"])


def test_instantaneous_ops(shoal):
    c = shoal.raw()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        c.pipeline([("PING",)] * 100)
    assert stat(c, "instantaneous_ops_per_sec") > 0
    assert float(info(c, "stats")["instantaneous_input_kbps"]) > 0


def test_resetstat(shoal):
    c = shoal.raw()
    c.call("SET", "k", "v")
    c.call("GET", "k")
    c.call("GET", "nokey")
    c.call("NOSUCH")
    assert c.call("CONFIG", "RESETSTAT") == resp.OK
    fields = info(c, "stats")
    for name in ("keyspace_hits", "keyspace_misses", "total_error_replies",
                 "expired_keys", "rejected_connections"):
        assert fields[name] == "0", name
    # CONFIG RESETSTAT itself is counted after the reset.
    assert fields["total_commands_processed"] == "1"
    assert info(c, "errorstats") == {}
    assert set(info(c, "commandstats")) == {"cmdstat_config|resetstat",
                                            "cmdstat_info"}


def test_server_section(shoal):
    c = shoal.raw()
    server = info(c, "server")
    assert server["redis_version"] == "7.0.15"
    assert server["redis_mode"] == "standalone"
    assert int(server["tcp_port"]) == shoal.port
    assert int(server["process_id"]) == shoal.pid
    assert len(server["run_id"]) == 40
    assert server["hz"] == server["configured_hz"] == "10"
    c.call("CONFIG", "SET", "hz", "50")
    assert info(c, "server")["hz"] == "50"


def test_memory_section(shoal):
    c = shoal.raw()
    mem = info(c, "memory")
    if mem["used_memory"] == "0":
        # Sanitizer builds use libc malloc, which ASan keeps no totals for.
        assert mem["mem_allocator"] == "libc"
        return
    before = int(mem["used_memory"])
    c.call("SET", "big", "x" * 1_000_000)
    mem = info(c, "memory")
    assert int(mem["used_memory"]) >= before + 1_000_000
    assert int(mem["used_memory_peak"]) >= int(mem["used_memory"])
    assert mem["maxmemory_policy"] == "noeviction"
    assert mem["used_memory_human"].endswith(("K", "M"))


def test_maxmemory_noeviction_refuses_writes(shoal):
    """With maxmemory set (noeviction, the only policy so far), commands
    that may add data get Redis's -OOM error; reads and deletes work."""
    r = shoal.client()
    r.set("a", "1")
    used = int(r.info("memory")["used_memory"])
    if used == 0:
        pytest.skip("used_memory is not measured in this build (ASan)")
    r.config_set("maxmemory", max(used // 2, 1))
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.set("b", "x" * 100)
    assert str(e.value) == ("OOM command not allowed when used memory > "
                            "'maxmemory'.")
    assert r.get("a") == b"1"
    assert r.delete("a") == 1
    r.config_set("maxmemory", 0)
    assert r.set("b", "2")
