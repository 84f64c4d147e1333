"""The append-only file (shard/aof.c, shard/aof_load.c): Redis 7.0's
multi-part layout, restarts, BGREWRITEAOF and automatic rewrites, turning
it on at run time, truncated and corrupt files, and the files crossing over
between shoal and redis-server 7.0 (both directions) and redis-check-aof."""

import shutil
import signal
import subprocess
import threading
import time

import pytest

from lib.server import ServerError

AOF = {"appendonly": "yes", "appendfsync": "always"}
MANIFEST = "appendonly.aof.manifest"


def aofdir(server):
    return server.dir / "appendonlydir"


def manifest_lines(server):
    return (aofdir(server) / MANIFEST).read_text().splitlines()


def incr_file(server):
    line = [l for l in manifest_lines(server) if l.endswith("type i")][-1]
    return aofdir(server) / line.split()[1]


def stop(server):
    server.signal(signal.SIGTERM)
    assert server.wait_exit(10) == 0
    server.proc = None


def start_again(server):
    server.start()
    return server


def info(server, field):
    text = server.raw().call("INFO", "persistence").value.decode()
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    return None


def wait_rewrite(server, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if (info(server, "aof_rewrite_in_progress") == "0" and
                info(server, "aof_rewrite_scheduled") == "0"):
            return
        time.sleep(0.02)
    raise AssertionError("AOF rewrite did not finish")


def fill(server):
    """One key of every type (and a TTL, and a second database)."""
    c = server.raw()
    cmds = [
        ("SET", "str", "hello"),
        ("SET", "num", "12345"),
        ("SET", "ttl", "v", "EX", "1000"),
        ("RPUSH", "list", "a", "b", "c"),
        ("SADD", "set", "x", "y", "1"),
        ("SADD", "intset", "1", "2", "3"),
        ("ZADD", "zset", "1", "a", "2.5", "b"),
        ("HSET", "hash", "f", "v", "g", "w"),
        ("XADD", "stream", "1-1", "f", "v"),
        ("XGROUP", "CREATE", "stream", "grp", "0"),
        ("PFADD", "hll", "a", "b", "c"),
        ("INCRBYFLOAT", "float", "1.5"),
        ("SELECT", "5"),
        ("SET", "in5", "five"),
        ("SELECT", "0"),
    ]
    for cmd in cmds:
        r = c.call(*cmd)
        assert not r.is_error, (cmd, r)
    c.close()


def snapshot(server):
    """Every key's type and contents, for comparing servers."""
    c = server.client()
    out = {}
    for dbi in (0, 5):
        c.execute_command("SELECT", dbi)
        for k in sorted(c.keys("*")):
            t = c.type(k)
            if t == b"string":
                v = c.get(k)
            elif t == b"list":
                v = c.lrange(k, 0, -1)
            elif t == b"set":
                v = sorted(c.smembers(k))
            elif t == b"zset":
                v = c.zrange(k, 0, -1, withscores=True)
            elif t == b"hash":
                v = sorted(c.hgetall(k).items())
            elif t == b"stream":
                v = (c.xrange(k), c.execute_command("XINFO", "GROUPS", k))
            else:
                v = None
            ttl = c.ttl(k)
            out[(dbi, k)] = (t, v, ttl > 0 if ttl != -1 else -1)
    c.execute_command("SELECT", 0)
    return out


def test_layout_and_manifest_format(shoal_factory):
    server = shoal_factory(AOF, name="layout")
    server.raw().call("SET", "k", "v")
    assert manifest_lines(server) == [
        "file appendonly.aof.1.base.rdb seq 1 type b",
        "file appendonly.aof.1.incr.aof seq 1 type i",
    ]
    data = incr_file(server).read_bytes()
    assert data == (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")


def test_restart_reloads_every_type(shoal_factory):
    server = shoal_factory(AOF, name="types")
    fill(server)
    before = snapshot(server)
    stop(server)
    start_again(server)
    assert snapshot(server) == before
    assert "DB loaded from append only file" in server.log_text()


def test_bgrewriteaof_switches_manifest(shoal_factory):
    server = shoal_factory(AOF, name="rewrite")
    fill(server)
    c = server.raw()
    assert c.call("BGREWRITEAOF").value == (
        b"Background append only file rewriting started")
    wait_rewrite(server)
    c.call("SET", "after", "1")
    assert manifest_lines(server) == [
        "file appendonly.aof.2.base.rdb seq 2 type b",
        "file appendonly.aof.2.incr.aof seq 2 type i",
    ]
    names = sorted(p.name for p in aofdir(server).iterdir())
    assert names == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                     MANIFEST]
    assert info(server, "aof_rewrites") == "1"
    assert info(server, "aof_last_bgrewrite_status") == "ok"
    before = snapshot(server)
    stop(server)
    start_again(server)
    assert snapshot(server) == before


def test_redis_check_aof_accepts_our_files(shoal_factory):
    tool = shutil.which("redis-check-aof")
    if tool is None:
        pytest.skip("redis-check-aof not installed")
    server = shoal_factory(AOF, name="check")
    fill(server)
    server.raw().call("BGREWRITEAOF")
    wait_rewrite(server)
    c = server.raw()
    c.call("RPUSH", "list", "more")
    c.call("SET", "t", "v", "PX", "100000")
    c.call("MULTI")
    c.call("INCR", "n")
    c.call("INCR", "n")
    c.call("EXEC")
    stop(server)
    out = subprocess.run([tool, str(aofdir(server) / MANIFEST)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All AOF files and manifest are valid" in out.stdout
    start_again(server)


def test_redis_loads_our_aof_and_we_load_redis(shoal_factory,
                                               redis_factory):
    ours = shoal_factory(AOF, name="ours")
    fill(ours)
    ours.raw().call("BGREWRITEAOF")
    wait_rewrite(ours)
    ours.raw().call("RPUSH", "list", "tail")
    expected = snapshot(ours)
    stop(ours)
    # Our directory, loaded by redis-server 7.0.
    redis = redis_factory(AOF, name="redis", start=False)
    shutil.copytree(aofdir(ours), aofdir(redis))
    redis.start()
    assert snapshot(redis) == expected
    # And redis-server's own directory (its base and incr), loaded by us.
    redis.raw().call("SADD", "set", "from-redis")
    redis.raw().call("BGREWRITEAOF")
    wait_rewrite(redis)
    redis.raw().call("HSET", "hash", "h2", "v2")
    expected = snapshot(redis)
    stop(redis)
    back = shoal_factory(AOF, name="back", start=False)
    shutil.copytree(aofdir(redis), aofdir(back))
    back.start()
    assert snapshot(back) == expected


def test_truncated_tail_is_trimmed_with_a_warning(shoal_factory):
    server = shoal_factory(AOF, name="trunc")
    c = server.raw()
    c.call("SET", "a", "1")
    c.call("SET", "b", "2")
    stop(server)
    path = incr_file(server)
    good = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nab")
    start_again(server)
    c = server.raw()
    assert c.call("GET", "b").value == b"2"
    assert c.call("EXISTS", "c").value == 0
    log = server.log_text()
    assert "!!! Warning: short read while loading the AOF file" in log
    assert f"Truncating the AOF appendonly.aof.1.incr.aof at offset {good}" \
        in log
    assert path.stat().st_size == good
    # Writes after the trim land after the last good command.
    c.call("SET", "d", "4")
    stop(server)
    start_again(server)
    assert server.raw().call("GET", "d").value == b"4"


def test_trailing_multi_without_exec_counts_as_truncated(shoal_factory):
    server = shoal_factory(AOF, name="multi")
    server.raw().call("SET", "a", "1")
    stop(server)
    path = incr_file(server)
    good = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1"
                b"\r\n")
    start_again(server)
    assert server.raw().call("EXISTS", "x").value == 0
    assert path.stat().st_size == good
    assert "Revert incomplete MULTI/EXEC transaction" in server.log_text()


def test_truncated_refused_when_option_off(shoal_factory):
    server = shoal_factory(dict(AOF, **{"aof-load-truncated": "no"}),
                           name="truncoff")
    server.raw().call("SET", "a", "1")
    stop(server)
    path = incr_file(server)
    good = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"*2\r\n$3\r\nGET\r\n")
    with pytest.raises(ServerError):
        server.start(attempts=1)
    assert server.returncode == 2
    log = server.log_text()
    assert ("Unexpected end of file reading the append only file "
            f"appendonly.aof.1.incr.aof at offset {good}") in log
    assert path.stat().st_size > good  # untouched


def test_corrupt_aof_refused_with_exit_2(shoal_factory):
    server = shoal_factory(AOF, name="corrupt")
    c = server.raw()
    c.call("SET", "a", "1")
    stop(server)
    path = incr_file(server)
    bad_at = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"*2\r\n$3\r\nGEX\r\nxx\r\n")
        f.write(b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n")
    with pytest.raises(ServerError):
        server.start(attempts=1)
    assert server.returncode == 2
    log = server.log_text()
    assert ("Bad file format reading the append only file "
            f"appendonly.aof.1.incr.aof at offset {bad_at}") in log
    assert "AddressSanitizer" not in log


def test_unknown_command_in_aof_refused(shoal_factory):
    server = shoal_factory(AOF, name="unknown")
    stop(server)
    with open(incr_file(server), "ab") as f:
        f.write(b"*1\r\n$7\r\nNOSUCHC\r\n")
    with pytest.raises(ServerError):
        server.start(attempts=1)
    assert server.returncode == 2
    assert "Unknown command 'NOSUCHC' reading the append only file" in \
        server.log_text()


def test_bgrewriteaof_during_writes_loses_nothing(shoal_factory):
    server = shoal_factory(AOF, name="rwload")
    stop_flag = []
    acked = {}

    def writer(i):
        c = server.raw()
        key = f"w:{i}"
        while not stop_flag:
            r = c.call("INCR", key)
            acked[key] = r.value
        c.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for _ in range(3):
        time.sleep(0.2)
        server.raw().call("BGREWRITEAOF")
        wait_rewrite(server)
    stop_flag.append(1)
    for t in threads:
        t.join(10)
    assert int(info(server, "aof_rewrites")) >= 3
    stop(server)
    start_again(server)
    c = server.raw()
    for key, v in acked.items():
        assert int(c.call("GET", key).value) == v


def test_bgrewriteaof_while_one_runs(shoal_factory, redis_factory):
    replies = []
    for srv in (redis_factory(AOF, name="r"), shoal_factory(AOF, name="s")):
        c = srv.raw()
        c.call("DEBUG", "POPULATE", "200000")
        first = c.call("BGREWRITEAOF")
        second = c.call("BGREWRITEAOF")
        replies.append((first.value, second.value))
        wait_rewrite(srv, 60)
    assert replies[1] == replies[0]


def test_config_set_appendonly_at_run_time(shoal_factory):
    server = shoal_factory(name="runtime")
    fill(server)
    c = server.raw()
    assert info(server, "aof_enabled") == "0"
    assert c.call("CONFIG", "SET", "appendonly", "yes").value == b"OK"
    wait_rewrite(server)
    assert info(server, "aof_enabled") == "1"
    c.call("SET", "later", "1")
    expected = snapshot(server)
    assert manifest_lines(server)[0].endswith("type b")
    # Off again: the files stay and nothing more is written.
    assert c.call("CONFIG", "SET", "appendonly", "no").value == b"OK"
    assert info(server, "aof_enabled") == "0"
    c.call("SET", "unlogged", "1")
    stop(server)
    server.extra_args += ["--appendonly", "yes"]
    start_again(server)
    assert snapshot(server) == expected


def test_auto_rewrite_on_growth(shoal_factory):
    server = shoal_factory(dict(AOF, **{"auto-aof-rewrite-min-size": "4kb",
                                         "auto-aof-rewrite-percentage": "100",
                                         "appendfsync": "no"}),
                           name="auto")
    c = server.raw()
    for i in range(300):
        c.call("SET", f"key:{i}", "x" * 50)
    deadline = time.time() + 10
    while time.time() < deadline and info(server, "aof_rewrites") == "0":
        time.sleep(0.05)
    assert info(server, "aof_rewrites") != "0"
    assert "Starting automatic rewriting of AOF" in server.log_text()


def test_info_persistence_aof_fields_match_redis(shoal_factory,
                                                 redis_factory):
    def names(srv):
        text = srv.raw().call("INFO", "persistence").value.decode()
        return [l.split(":")[0] for l in text.splitlines()
                if l.startswith(("aof_", "module_fork"))]
    for args in ({}, AOF):
        r = redis_factory(args or None, name="ri")
        s = shoal_factory(args or None, name="si")
        assert names(s) == names(r)


def test_select_is_emitted_per_file(shoal_factory):
    """A new incremental file starts with its own SELECT."""
    server = shoal_factory(AOF, name="select")
    c = server.raw()
    c.call("SELECT", "3")
    c.call("SET", "a", "1")
    c.call("BGREWRITEAOF")
    wait_rewrite(server)
    c.call("SET", "b", "1")
    data = incr_file(server).read_bytes()
    assert data.startswith(b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n")


def test_base_as_commands_without_rdb_preamble(shoal_factory, redis_factory):
    args = dict(AOF, **{"aof-use-rdb-preamble": "no"})
    server = shoal_factory(args, name="nopre")
    fill(server)
    server.raw().call("BGREWRITEAOF")
    wait_rewrite(server)
    server.raw().call("SET", "after", "1")
    assert manifest_lines(server)[0] == \
        "file appendonly.aof.2.base.aof seq 2 type b"
    base = aofdir(server) / "appendonly.aof.2.base.aof"
    assert base.read_bytes().startswith(b"*2\r\n$6\r\nSELECT\r\n")
    expected = snapshot(server)
    stop(server)
    tool = shutil.which("redis-check-aof")
    if tool is not None:
        out = subprocess.run([tool, str(aofdir(server) / MANIFEST)],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stdout
    start_again(server)
    assert snapshot(server) == expected
    redis = redis_factory(args, name="redis", start=False)
    shutil.copytree(aofdir(server), aofdir(redis))
    redis.start()
    assert snapshot(redis) == expected


@pytest.mark.parametrize("case", ["manifest", "missing", "base"])
def test_broken_directory_refused_with_exit_2(shoal_factory, case):
    server = shoal_factory(AOF, name="broken")
    server.raw().call("SET", "a", "1")
    stop(server)
    d = aofdir(server)
    if case == "manifest":
        (d / MANIFEST).write_text("file appendonly.aof.1.base.rdb seq x "
                                  "type b\n")
        expect = "Invalid AOF manifest file format"
    elif case == "missing":
        (d / "appendonly.aof.1.base.rdb").unlink()
        expect = "can't open the append log file"
    else:
        (d / "appendonly.aof.1.base.rdb").write_bytes(b"REDIS0010garbage")
        expect = ("Bad file format reading the append only file "
                  "appendonly.aof.1.base.rdb")
    with pytest.raises(ServerError):
        server.start(attempts=1)
    assert server.returncode == 2
    assert expect in server.log_text()


def test_effects_replay_to_the_same_data(shoal_factory):
    """Commands logged as their effects (approximate trims with LIMIT,
    random pops, float increments, relative TTLs) reload to the same data."""
    server = shoal_factory(AOF, name="effects")
    c = server.raw()
    for i in range(300):
        c.call("XADD", "xs", "MAXLEN", "~", "10", "LIMIT", "50", "*", "f",
               str(i))
    c.call("SADD", "s", *[str(i) for i in range(50)])
    c.call("SPOP", "s", "7")
    c.call("SPOP", "s")
    c.call("INCRBYFLOAT", "f", "0.1")
    c.call("INCRBYFLOAT", "f", "0.2")
    c.call("HINCRBYFLOAT", "h", "x", "1e3")
    c.call("SET", "t", "v", "EX", "1000")
    c.call("RPUSH", "l", "a", "b", "c")
    c.call("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "2")
    expected = snapshot(server)
    xlen = c.call("XLEN", "xs").value
    stop(server)
    start_again(server)
    assert snapshot(server) == expected
    assert server.raw().call("XLEN", "xs").value == xlen


def test_bgrewriteaof_with_aof_off_writes_a_base(shoal_factory, redis_factory):
    layouts = []
    for srv in (redis_factory(name="r"), shoal_factory(name="s")):
        c = srv.raw()
        c.call("SET", "a", "1")
        assert c.call("BGREWRITEAOF").value == (
            b"Background append only file rewriting started")
        wait_rewrite(srv)
        layouts.append((manifest_lines(srv),
                        sorted(p.name for p in aofdir(srv).iterdir())))
    assert layouts[1] == layouts[0]


def test_old_style_single_aof_is_upgraded(shoal_factory):
    server = shoal_factory(AOF, name="legacy", start=False)
    (server.dir / "appendonly.aof").write_bytes(
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
        b"*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nvalue\r\n")
    server.start()
    assert server.raw().call("GET", "old").value == b"value"
    assert manifest_lines(server) == [
        "file appendonly.aof seq 1 type b",
        "file appendonly.aof.1.incr.aof seq 1 type i",
    ]
    assert not (server.dir / "appendonly.aof").exists()
    server.raw().call("SET", "new", "1")
    stop(server)
    start_again(server)
    c = server.raw()
    assert c.call("GET", "old").value == b"value"
    assert c.call("GET", "new").value == b"1"


def test_aof_options_like_redis(shoal_factory, redis_factory):
    cmds = [
        ("CONFIG", "GET", "append*"),
        ("CONFIG", "GET", "aof-*"),
        ("CONFIG", "GET", "*auto-aof*"),
        ("CONFIG", "GET", "no-appendfsync-on-rewrite"),
        ("CONFIG", "SET", "appendfsync", "always"),
        ("CONFIG", "SET", "appendfsync", "sometimes"),
        ("CONFIG", "SET", "auto-aof-rewrite-percentage", "50"),
        ("CONFIG", "SET", "auto-aof-rewrite-min-size", "1mb"),
        ("CONFIG", "SET", "aof-load-truncated", "no"),
        ("CONFIG", "SET", "aof-use-rdb-preamble", "no"),
        ("CONFIG", "SET", "no-appendfsync-on-rewrite", "yes"),
        ("CONFIG", "SET", "appenddirname", "other"),
        ("CONFIG", "SET", "appendfilename", "x.aof"),
        ("CONFIG", "GET", "append*"),
        ("CONFIG", "GET", "aof-*"),
        ("CONFIG", "GET", "*auto-aof*"),
    ]
    out = []
    for srv in (redis_factory(name="r"), shoal_factory(name="s")):
        c = srv.raw()
        replies = []
        for cmd in cmds:
            r = c.call(*cmd)
            if r.kind == "array":
                r = sorted(zip(r.value[::2], r.value[1::2]),
                           key=lambda kv: kv[0].value)
            replies.append(r)
        out.append(replies)
    assert out[1] == out[0]


def test_debug_loadaof(shoal_factory, redis_factory):
    for srv in (redis_factory(AOF, name="r"), shoal_factory(AOF, name="s")):
        fill(srv)
        before = snapshot(srv)
        c = srv.raw()
        assert c.call("DEBUG", "LOADAOF").value == b"OK"
        assert snapshot(srv) == before
        # Written after the reload too, and not as DEBUG.
        c.call("SET", "after", "1")
        assert c.call("DEBUG", "LOADAOF").value == b"OK"
        assert c.call("GET", "after").value == b"1"
        assert b"DEBUG" not in incr_file(srv).read_bytes()
