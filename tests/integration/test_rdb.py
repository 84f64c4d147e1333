"""RDB snapshots (shard/rdb.c, rdb_load.c, child.c, cmd_persist.c): shoal's
files load in redis-server 7.0 and pass redis-check-rdb, redis-server's
files load in shoal, for every type and encoding (small and large, with
TTLs, under LRU and LFU policies); SAVE/BGSAVE/LASTSAVE, save points, INFO
persistence, MISCONF, SHUTDOWN saving; corrupt files refused at start-up
with exit status 2; `shoal import`."""

import os
import shutil
import subprocess
import time

import pytest

from lib.crc import crc64
from lib.server import REPO_ROOT, resolve_binary
from lib.supervisor import Supervisor as SupervisorBase

CHECK_RDB = shutil.which("redis-check-rdb")

# ---------------------------------------------------------------- data


def populate(c, big=True, ttl=True):
    """Keys of every type and encoding on client c (redis-py)."""
    p = c.pipeline(transaction=False)
    # strings: int (shared and not), embstr, raw, compressible, binary
    p.set("s:int", "12")
    p.set("s:bigint", "1234567890123")
    p.set("s:neg", "-70000")
    p.set("s:emb", "hello world")
    p.set("s:raw", "x" * 60 + "yz")
    p.set("s:lzf", "abc" * 200)
    p.set("s:bin", bytes(range(256)) * 3)
    p.set("s:empty", "")
    p.set("s:float", "3.14")
    # lists: listpack node, many nodes, compressed inner nodes via config
    p.rpush("l:small", "a", "b", "1", "-5", "x" * 30)
    if big:
        p.rpush("l:big", *[f"item-{i}" for i in range(3000)])
        p.rpush("l:ints", *range(-500, 500))
        p.rpush("l:long", *["y" * 5000 for _ in range(5)])
    # sets: intset, hashtable
    p.sadd("set:int", 1, 2, 3, -100, 70000, 5000000000)
    p.sadd("set:str", "a", "b", "c")
    if big:
        p.sadd("set:bigint", *range(1000))
        p.sadd("set:bigstr", *[f"m{i}" for i in range(300)])
    # hashes: listpack, hashtable (many fields / one long value)
    p.hset("h:small", mapping={"f1": "v1", "f2": "2", "f3": "x" * 20})
    if big:
        p.hset("h:big", mapping={f"f{i}": f"v{i}" for i in range(1000)})
        p.hset("h:longval", mapping={"a": "1", "b": "z" * 100})
    # zsets: listpack, skiplist
    p.zadd("z:small", {"a": 1, "b": 2.5, "c": -3, "d": 1e20, "e": 0})
    if big:
        p.zadd("z:big", {f"m{i}": i / 3 for i in range(500)})
        p.zadd("z:longmember", {"q" * 100: 1, "r": 2})
        p.zadd("z:inf", {"lo": float("-inf"), "hi": float("inf"), "m": 0})
    p.execute()
    # streams: entries, deletions, groups, PEL, consumers
    for i in range(20 if big else 3):
        c.xadd("st", {"f": str(i), "g": "x" * i})
    c.xadd("st", {"other": "fields", "n": "2"})
    c.xdel("st", c.xrange("st", count=1)[0][0])
    c.xgroup_create("st", "g1", id="0")
    c.xgroup_create("st", "g2", id="$")
    c.xreadgroup("g1", "alice", {"st": ">"}, count=3)
    c.xreadgroup("g1", "bob", {"st": ">"}, count=2)
    c.xadd("st:empty", {"a": "1"})
    c.xtrim("st:empty", maxlen=0)
    if big:
        for i in range(600):
            c.xadd("st:big", {"k": str(i)}, id=f"{1000 + i}-{i % 3}")
    if ttl:
        c.set("t:str", "v", px=500000)
        c.rpush("t:list", "a")
        c.pexpire("t:list", 900000)
        c.hset("t:hash", "f", "v")
        c.expire("t:hash", 7000)
    # another database
    c.execute_command("SELECT", 3)
    c.set("db3:key", "in three")
    c.execute_command("SELECT", 0)


def snapshot(c):
    """Every key of dbs 0 and 3: {(db, key): (type, encoding, value, ttl)}."""
    out = {}
    for dbn in (0, 3):
        c.execute_command("SELECT", dbn)
        for k in c.keys("*"):
            t = c.type(k).decode()
            enc = c.object("encoding", k)
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = c.lrange(k, 0, -1)
            elif t == "set":
                v = sorted(c.smembers(k))
            elif t == "hash":
                v = sorted(c.hgetall(k).items())
            elif t == "zset":
                v = c.zrange(k, 0, -1, withscores=True)
            elif t == "stream":
                info = c.execute_command("XINFO", "STREAM", k, "FULL")
                v = repr(info)
            else:
                v = None
            pttl = c.pttl(k)
            out[(dbn, k)] = (t, enc, v, pttl > 0)
    c.execute_command("SELECT", 0)
    return out


def compare(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == b[key], key


def check_rdb(path):
    if CHECK_RDB is None:
        pytest.skip("redis-check-rdb not installed (Debian redis-tools)")
    r = subprocess.run([CHECK_RDB, str(path)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "RDB looks OK" in r.stdout, r.stdout


def info(c, section="persistence"):
    return c.info(section)


def start_shoal(shoal_factory, args, start=True):
    """A shoal with args; the maxmemory-policy is set at run time, and the
    test skipped while shoal has only noeviction."""
    args = dict(args)
    policy = args.pop("maxmemory-policy", "noeviction")
    s = shoal_factory(args, start=start)
    if start:
        set_policy(s, policy)
    return s, policy


def call(server, *args):
    """One command over a raw connection: the Reply (errors included)."""
    return server.raw().call(*args)


def set_policy(s, policy):
    if policy == "noeviction":
        return
    try:
        s.client().config_set("maxmemory-policy", policy)
    except Exception as e:
        pytest.skip(f"shoal has no {policy} yet: {e}")


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("policy", ["noeviction", "allkeys-lru",
                                    "allkeys-lfu"])
def test_shoal_rdb_loads_in_redis(shoal_factory, redis_factory, policy):
    args = {"maxmemory-policy": policy, "list-compress-depth": "1",
            "list-max-listpack-size": "-1"}
    s, _ = start_shoal(shoal_factory, args)
    c = s.client()
    populate(c)
    if policy == "allkeys-lfu":
        for _ in range(30):
            c.get("s:emb")
    before = snapshot(c)
    assert c.save() is True
    path = s.dir / "dump.rdb"
    check_rdb(path)
    r = redis_factory(args, start=False)
    shutil.copy(path, r.dir / "dump.rdb")
    r.start()
    rc = r.client()
    after = snapshot(rc)
    compare(before, after)
    if policy == "allkeys-lfu":
        assert rc.object("freq", "s:emb") > 1
    if policy == "allkeys-lru":
        assert rc.object("idletime", "s:emb") < 100


@pytest.mark.parametrize("policy", ["noeviction", "allkeys-lfu"])
def test_redis_rdb_loads_in_shoal(shoal_factory, redis_factory, policy):
    args = {"maxmemory-policy": policy, "list-compress-depth": "2",
            "list-max-listpack-size": "64"}
    if policy != "noeviction":
        start_shoal(shoal_factory, {"maxmemory-policy": policy})
    r = redis_factory(args)
    rc = r.client()
    populate(rc)
    if policy == "allkeys-lfu":
        for _ in range(30):
            rc.get("s:emb")
    before = snapshot(rc)
    rc.save()
    s, _ = start_shoal(shoal_factory, args, start=False)
    shutil.copy(r.dir / "dump.rdb", s.dir / "dump.rdb")
    if policy != "noeviction":
        s.start(["--maxmemory-policy", policy, "--maxmemory", "1gb"])
    else:
        s.start()
    c = s.client()
    after = snapshot(c)
    compare(before, after)
    st = info(c)
    assert st["rdb_last_load_keys_loaded"] == len(before)
    if policy == "allkeys-lfu":
        assert c.object("freq", "s:emb") > 1
    # And back out again: shoal's rewrite of redis's data still checks.
    c.save()
    check_rdb(s.dir / "dump.rdb")


def test_small_values_and_checksum_off(shoal_factory, redis_factory):
    args = {"rdbcompression": "no", "rdbchecksum": "no"}
    s = shoal_factory(args)
    c = s.client()
    populate(c, big=False, ttl=False)
    before = snapshot(c)
    c.save()
    data = (s.dir / "dump.rdb").read_bytes()
    assert data[-8:] == b"\0" * 8  # no checksum written
    check_rdb(s.dir / "dump.rdb")
    r = redis_factory(start=False)
    shutil.copy(s.dir / "dump.rdb", r.dir / "dump.rdb")
    r.start()
    compare(before, snapshot(r.client()))


def test_restart_keeps_data_and_skips_expired(shoal_factory):
    s = shoal_factory()
    c = s.client()
    populate(c, big=False)
    c.set("soon", "gone", px=300)
    before = snapshot(c)
    del before[(0, b"soon")]
    c.save()
    s.stop()
    time.sleep(0.4)
    s.start()
    c = s.client()
    compare(before, snapshot(c))
    st = info(c)
    assert st["rdb_last_load_keys_expired"] == 1
    assert st["rdb_last_load_keys_loaded"] == len(before)


# ---------------------------------------------------------------- commands


def test_save_bgsave_lastsave_info(shoal):
    c = shoal.client()
    st = info(c)
    assert st["rdb_bgsave_in_progress"] == 0
    assert st["rdb_last_bgsave_status"] == "ok"
    assert st["rdb_saves"] == 0
    c.set("a", "1")
    assert info(c)["rdb_changes_since_last_save"] >= 1
    assert c.save() is True
    assert info(c)["rdb_changes_since_last_save"] == 0
    assert abs(c.lastsave().timestamp() - time.time()) < 5
    c.set("b", "2")
    assert call(shoal, "BGSAVE").value == b"Background saving started"
    deadline = time.time() + 10
    while info(c)["rdb_bgsave_in_progress"] and time.time() < deadline:
        time.sleep(0.05)
    st = info(c)
    assert st["rdb_bgsave_in_progress"] == 0
    assert st["rdb_last_bgsave_status"] == "ok"
    assert st["rdb_changes_since_last_save"] == 0
    assert st["rdb_saves"] == 2
    assert st["rdb_last_bgsave_time_sec"] >= 0
    assert c.info("stats")["total_forks"] == 1
    assert call(shoal, "BGSAVE", "NOW").value == b"ERR syntax error"
    check_rdb(shoal.dir / "dump.rdb")


def test_bgsave_while_writing(shoal_factory, redis_factory):
    """The snapshot is the dataset at fork time, whatever is written while
    the child runs; the parent keeps serving."""
    s = shoal_factory()
    c = s.client()
    p = c.pipeline(transaction=False)
    for i in range(3000):
        p.set(f"k{i}", "v" * 50)
    p.execute()
    # the child sleeps 300 us per key: about a second
    c.config_set("rdb-key-save-delay", "300")
    assert call(s, "BGSAVE").value == b"Background saving started"
    c.config_set("rdb-key-save-delay", "0")
    for i in range(3000):
        c.set(f"k{i}", "changed")
    c.set("new-key", "x")
    st = info(c)
    assert st["rdb_bgsave_in_progress"] == 1
    assert st["rdb_current_bgsave_time_sec"] >= 0
    assert st["current_save_keys_total"] == 3000
    assert call(s, "BGSAVE").value == \
        b"ERR Background save already in progress"
    assert call(s, "SAVE").value == b"ERR Background save already in progress"
    deadline = time.time() + 20
    while info(c)["rdb_bgsave_in_progress"] and time.time() < deadline:
        time.sleep(0.05)
    st = info(c)
    assert st["rdb_last_bgsave_status"] == "ok"
    # the writes made during the save are still to be saved
    assert st["rdb_changes_since_last_save"] == 3001
    check_rdb(s.dir / "dump.rdb")
    r = redis_factory(start=False)
    shutil.copy(s.dir / "dump.rdb", r.dir / "dump.rdb")
    r.start()
    rc = r.client()
    assert rc.dbsize() == 3000
    assert rc.get("k5") == b"v" * 50


def test_bgsave_schedule(shoal):
    c = shoal.client()
    c.set("x", "1")
    assert call(shoal, "BGSAVE").value == b"Background saving started"
    # While an RDB child runs, SCHEDULE doesn't queue a second one.
    reply = call(shoal, "BGSAVE", "SCHEDULE").value
    assert reply in (b"ERR Background save already in progress",
                     b"Background saving started")


def test_save_points_trigger_bgsave(shoal_factory):
    s = shoal_factory(["--save", "1 1"])
    c = s.client()
    c.set("a", "b")
    deadline = time.time() + 10
    while time.time() < deadline:
        if info(c)["rdb_changes_since_last_save"] == 0:
            break
        time.sleep(0.1)
    assert info(c)["rdb_changes_since_last_save"] == 0
    assert (s.dir / "dump.rdb").exists()


def test_misconf_after_failed_bgsave(shoal_factory):
    s = shoal_factory(["--save", "3600 1", "--enable-protected-configs",
                       "yes"])
    c = s.client()
    sub = s.dir / "gone"
    sub.mkdir()
    c.config_set("dir", str(sub))
    sub.rmdir()
    c.set("a", "1")
    c.execute_command("BGSAVE")
    deadline = time.time() + 10
    while info(c)["rdb_last_bgsave_status"] == "ok" and time.time() < deadline:
        time.sleep(0.05)
    assert info(c)["rdb_last_bgsave_status"] == "err"
    misconf = (b"MISCONF Redis is configured to save RDB snapshots, but "
               b"it's currently unable to persist to disk. Commands that "
               b"may modify the data set are disabled, because this "
               b"instance is configured to report errors during writes if "
               b"RDB snapshotting fails (stop-writes-on-bgsave-error "
               b"option). Please check the Redis logs for details about "
               b"the RDB error.")
    assert call(s, "SET", "b", "2").value == misconf
    assert call(s, "PING").value == misconf
    assert call(s, "SAVE").value == b"ERR"
    assert c.get("a") == b"1"  # reads still work
    c.config_set("stop-writes-on-bgsave-error", "no")
    assert c.set("b", "2")
    c.config_set("stop-writes-on-bgsave-error", "yes")
    sub.mkdir()
    c.config_set("dir", str(sub))
    assert c.save() is True  # a good save clears the condition
    assert c.set("c", "3")
    s.allowed_exit_codes.add(0)
    c.config_set("save", "")


def test_shutdown_saves(shoal_factory):
    s = shoal_factory(["--save", "3600 1"])
    c = s.client()
    c.set("kept", "yes")
    try:
        c.shutdown()
    except Exception:
        pass
    assert s.wait_exit(10) == 0
    assert (s.dir / "dump.rdb").exists()
    s.stop()
    s.start()
    assert s.client().get("kept") == b"yes"


def test_shutdown_nosave_and_failure(shoal_factory):
    s = shoal_factory(["--save", "3600 1", "--enable-protected-configs",
                       "yes"])
    c = s.client()
    c.set("k", "v")
    sub = s.dir / "gone"
    sub.mkdir()
    c.config_set("dir", str(sub))
    sub.rmdir()
    with pytest.raises(Exception, match="Errors trying to SHUTDOWN"):
        c.shutdown()
    assert c.ping()
    try:
        c.shutdown(nosave=True)
    except Exception:
        pass
    assert s.wait_exit(10) == 0
    assert not (s.dir / "dump.rdb").exists()


# ---------------------------------------------------------------- corruption


def _good_rdb(tmp_path, redis_factory, **kw):
    r = redis_factory(kw.get("args"))
    rc = r.client()
    populate(rc, big=False)
    rc.save()
    return (r.dir / "dump.rdb").read_bytes()


def _start_fails(shoal_factory, data, args=None):
    s = shoal_factory(args, start=False)
    (s.dir / "dump.rdb").write_bytes(data)
    s.allowed_exit_codes.add(2)
    with pytest.raises(BaseException):
        s.start(timeout=5, attempts=1)
    assert s.returncode == 2
    log = s.log_text()
    assert "dump.rdb" in log and "offset" in log, log
    return log


def test_corrupt_rdb_refused(shoal_factory, redis_factory, tmp_path):
    data = _good_rdb(tmp_path, redis_factory)
    # truncated
    log = _start_fails(shoal_factory, data[: len(data) // 2])
    assert "Short read" in log or "beyond the data" in log
    # bad magic
    _start_fails(shoal_factory, b"REDIX" + data[5:])
    # flipped checksum
    _start_fails(shoal_factory, data[:-1] + bytes([data[-1] ^ 0xFF]))
    # unsupported version
    _start_fails(shoal_factory, b"REDIS0099" + data[9:])


def test_corrupt_listpack_without_checksum(shoal_factory, redis_factory):
    r = redis_factory({"rdbchecksum": "no", "rdbcompression": "no"})
    rc = r.client()
    rc.hset("h", mapping={"field1": "value1", "field2": "value2"})
    rc.save()
    data = bytearray((r.dir / "dump.rdb").read_bytes())
    at = data.index(b"field1")
    # entry encoding, element count (odd), a backlen
    for pos, val in [(at - 1, 0xEE), (at - 3, 0x03), (at + 14, 0x05)]:
        bad = bytearray(data)
        bad[pos] = val
        log = _start_fails(shoal_factory, bytes(bad),
                           ["--rdbchecksum", "no"])
        assert "integrity" in log or "Bad" in log or "Duplicate" in log \
            or "Unknown" in log or "Unexpected" in log or "Short" in log, log


def test_fuzzed_rdb_never_crashes(shoal_factory, redis_factory, tmp_path):
    """Random byte flips with checksums off: exit 0 or 2, never a crash."""
    r = redis_factory({"rdbchecksum": "no", "rdbcompression": "no"})
    rc = r.client()
    populate(rc, big=False, ttl=False)
    rc.save()
    data = (r.dir / "dump.rdb").read_bytes()
    import random
    rnd = random.Random(1234)
    s = shoal_factory(["--rdbchecksum", "no"], start=False)
    s.allowed_exit_codes.add(2)
    for _ in range(12):
        bad = bytearray(data)
        for _ in range(3):
            pos = rnd.randrange(9, len(bad) - 9)
            bad[pos] = rnd.randrange(256)
        (s.dir / "dump.rdb").write_bytes(bytes(bad))
        try:
            s.start(timeout=5, attempts=1)
        except BaseException:
            assert s.returncode == 2, s.log_tail()
            continue
        s.client().dbsize()
        s.stop()


# ---------------------------------------------------------------- import


def test_import_into_standalone_shard(shoal, redis_factory):
    r = redis_factory()
    rc = r.client()
    populate(rc, big=True)
    rc.set("expired", "x", px=100)
    before = snapshot(rc)
    rc.save()
    time.sleep(0.2)
    binary = os.environ.get("SHOAL_BIN", "bin/shoal")
    if not os.path.isabs(binary):
        binary = str(REPO_ROOT / binary)
    out = subprocess.run([binary, "import", str(r.dir / "dump.rdb"),
                          f"127.0.0.1:{shoal.port}"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "skipped 1 expired" in out.stdout
    c = shoal.client()
    # Standalone target: each key in its own database.
    want = {key: v for key, v in before.items() if key[1] != b"expired"}
    got = snapshot(c)
    compare(want, got)
    assert c.pttl("t:str") > 400000


def test_import_errors(shoal):
    binary = os.environ.get("SHOAL_BIN", "bin/shoal")
    if not os.path.isabs(binary):
        binary = str(REPO_ROOT / binary)
    out = subprocess.run([binary, "import", "/nonexistent.rdb",
                          f"127.0.0.1:{shoal.port}"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "nonexistent" in out.stderr


# ---------------------------------------------------------------- old formats


def _rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + n.to_bytes(4, "big")


def _rdb_str(b):
    if isinstance(b, str):
        b = b.encode()
    return _rdb_len(len(b)) + b


def _ziplist(items):
    """A Redis 6 ziplist of short strings and small integers."""
    entries = []
    prev = 0
    for it in items:
        if isinstance(it, int):
            if 0 <= it <= 12:
                body = bytes([0xF1 + it])
            elif -128 <= it <= 127:
                body = b"\xfe" + it.to_bytes(1, "little", signed=True)
            else:
                body = b"\xd0" + it.to_bytes(4, "little", signed=True)
        else:
            b = it.encode()
            assert len(b) < 64
            body = bytes([len(b)]) + b
        entry = bytes([prev]) + body
        entries.append(entry)
        prev = len(entry)
    data = b"".join(entries)
    total = 10 + len(data) + 1
    tail = 10 + len(data) - len(entries[-1]) if entries else 10
    return (total.to_bytes(4, "little") + tail.to_bytes(4, "little") +
            len(entries).to_bytes(2, "little") + data + b"\xff")


def _old_rdb():
    body = b"REDIS0009"
    body += b"\xfa" + _rdb_str("redis-ver") + _rdb_str("6.2.14")
    body += b"\xfe\x00"
    body += b"\x0d" + _rdb_str("zh") + _rdb_str(
        _ziplist(["f1", "v1", "f2", 7, "n", -300]))
    body += b"\x0c" + _rdb_str("zz") + _rdb_str(
        _ziplist(["a", 1, "b", "2.5", "c", 100000]))
    body += b"\x0e" + _rdb_str("ql") + _rdb_len(2) + _rdb_str(
        _ziplist(["x", 1, "y"])) + _rdb_str(_ziplist([-5, "z" * 40]))
    body += b"\x0a" + _rdb_str("zl") + _rdb_str(_ziplist(["p", "q", 3]))
    # old plain encodings: a linked list, a text-score zset
    body += b"\x01" + _rdb_str("ll") + _rdb_len(2) + _rdb_str("a") + \
        _rdb_str("b")
    body += b"\x03" + _rdb_str("tz") + _rdb_len(2) + _rdb_str("m") + \
        bytes([3]) + b"1.5" + _rdb_str("n") + bytes([254])
    body += b"\xfd" + (2000000000).to_bytes(4, "little") + b"\x00" + \
        _rdb_str("old-expire") + _rdb_str("v")
    body += b"\xff"
    return body + crc64(body).to_bytes(8, "little")


def test_redis6_encodings_load_and_convert(shoal_factory, redis_factory):
    data = _old_rdb()
    r = redis_factory(start=False)
    (r.dir / "dump.rdb").write_bytes(data)
    check_rdb(r.dir / "dump.rdb")
    r.start()
    s = shoal_factory(start=False)
    (s.dir / "dump.rdb").write_bytes(data)
    s.start()
    want = snapshot(r.client())
    got = snapshot(s.client())
    compare(want, got)
    assert len(got) == 7
    # and what shoal writes of them is 7.0's format
    s.client().save()
    check_rdb(s.dir / "dump.rdb")


def test_bad_ziplist_refused(shoal_factory):
    zl = bytearray(_ziplist(["f1", "v1"]))
    zl[11] = 0x3F  # string length past the end
    body = b"REDIS0009\xfe\x00\x0d" + _rdb_str("zh") + _rdb_str(bytes(zl))
    body += b"\xff"
    data = body + crc64(body).to_bytes(8, "little")
    log = _start_fails(shoal_factory, data)
    assert "Ziplist integrity" in log


def test_info_persistence_fields_match_redis(shoal, redis_oracle):
    def fields(server):
        text = call(server, "INFO", "persistence").value.decode()
        return [line.split(":")[0] for line in text.splitlines()
                if ":" in line]
    theirs = fields(redis_oracle)
    rdb = [f for f in theirs if not f.startswith(("aof_", "module_"))]
    assert [f for f in fields(shoal) if f in rdb] == rdb


class Supervisor(SupervisorBase):
    """bin/shoal (the supervisor) with two shards on port, port+1."""

    def __init__(self, tmp_path, extra=()):
        binary = resolve_binary(os.environ.get("SHOAL_BIN", "bin/shoal"))
        super().__init__(binary, tmp_path, shards=2, extra_args=list(extra))
        self.dir = self.data
        self.nodes = []

    def start(self):
        super().start()
        self.nodes = [self.client(p, socket_timeout=5) for p in self.ports]
        return self

    def stop(self):
        for n in self.nodes:
            n.close()
        return super().stop()

    def owner(self, key):
        """The node that owns key (the other answers MOVED)."""
        import redis as redislib
        for n in self.nodes:
            try:
                n.exists(key)
                return n
            except redislib.exceptions.ResponseError:
                continue
        raise AssertionError(f"no node owns {key}")


def test_import_into_cluster(tmp_path, redis_factory):
    """Under the supervisor (two shards): each key goes to its slot's
    owner."""
    r = redis_factory()
    rc = r.client()
    p = rc.pipeline(transaction=False)
    for i in range(300):
        p.set(f"key:{i}", i)
    p.hset("{tag}h", "f", "v")
    p.set("{tag}s", "v", px=600000)
    p.execute()
    rc.save()
    sup = Supervisor(tmp_path).start()
    try:
        out = subprocess.run([sup.binary, "import", str(r.dir / "dump.rdb"),
                              f"127.0.0.1:{sup.port}"], capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "imported 302 keys" in out.stdout, out.stdout
        total = 0
        for n in sup.nodes:
            keys = n.keys("*")
            total += len(keys)
            assert keys, "every shard owns some of 300 keys"
            for k in keys:
                # a key on the wrong node would answer MOVED
                assert n.type(k) in (b"string", b"hash"), (k, n)
        assert total == 302
        owner = sup.owner("{tag}s")
        assert owner.pttl("{tag}s") > 500000
        assert owner.hget("{tag}h", "f") == b"v"
    finally:
        sup.stop()


def test_bgsave_under_supervisor_staggered(tmp_path):
    """max-concurrent-forks 1: both shards' BGSAVEs run, one after the
    other, each into its own directory; a restart reloads them."""
    sup = Supervisor(tmp_path, ["--max-concurrent-forks", "1"]).start()
    try:
        for i in range(200):
            sup.owner(f"k{i}").set(f"k{i}", i)
        replies = [n.execute_command("BGSAVE") for n in sup.nodes]
        for reply in replies:
            assert reply in (b"Background saving started",
                             b"Background saving scheduled", True), reply
        deadline = time.time() + 15
        while time.time() < deadline:
            if all(n.info("persistence")["rdb_saves"] == 1 and
                   n.info("persistence")["rdb_bgsave_in_progress"] == 0
                   for n in sup.nodes):
                break
            time.sleep(0.05)
        for n in sup.nodes:
            assert n.info("persistence")["rdb_saves"] == 1
            assert n.info("persistence")["rdb_last_bgsave_status"] == "ok"
        dumps = sorted(sup.dir.glob("*/dump.rdb"))
        assert len(dumps) == 2
        for d in dumps:
            check_rdb(d)
        sup.stop()
        sup.start()
        assert sum(n.dbsize() for n in sup.nodes) == 200
        assert sup.owner("k7").get("k7") == b"7"
    finally:
        sup.stop()


def test_debug_reload(shoal, redis_oracle):
    c = shoal.client()
    populate(c)
    before = snapshot(c)
    assert call(shoal, "DEBUG", "RELOAD").value == b"OK"
    compare(before, snapshot(c))
    # NOSAVE NOFLUSH MERGE: the file's keys replace the live ones
    c.set("s:emb", "changed")
    c.set("only-live", "1")
    assert call(shoal, "DEBUG", "RELOAD", "NOSAVE", "NOFLUSH",
                "MERGE").value == b"OK"
    assert c.get("s:emb") == b"hello world"
    assert c.get("only-live") == b"1"
    # NOFLUSH without MERGE: duplicate keys make the load fail
    assert call(shoal, "DEBUG", "RELOAD", "NOSAVE", "NOFLUSH").value == \
        b"ERR Error trying to load the RDB dump, check server logs."
    for server in (shoal, redis_oracle):
        assert call(server, "DEBUG", "RELOAD", "BOGUS").value == \
            b"ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and " \
            b"NOSAVE options."


def test_rdb_file_bytes_match_redis(shoal, redis_oracle):
    """Same data, same file: only ctime, used-mem and the checksum (which
    covers them) differ."""
    for server in (shoal, redis_oracle):
        c = server.client()
        c.rpush("list", "a", "b", "12345")
        c.set("str", "some value")
        c.pexpireat("str", 40000000000000)
        c.execute_command("SELECT", 5)
        c.hset("h", mapping={"x": "1"})
        c.execute_command("SELECT", 0)
        c.save()
    files = [(server.dir / "dump.rdb").read_bytes()
             for server in (shoal, redis_oracle)]

    def split(data):
        head = data[:data.index(b"ctime")]
        body = data[data.index(b"\xfa\x08aof-base"):-8]
        return head, body
    shoal_head, shoal_body = split(files[0])
    redis_head, redis_body = split(files[1])
    assert shoal_head == redis_head
    # key order within a db follows each server's hash table: compare the
    # one-key databases exactly and the rest as sorted records
    assert shoal_body[:16] == redis_body[:16]  # aux, SELECTDB, RESIZEDB
    assert len(shoal_body) == len(redis_body)
    assert sorted(shoal_body) == sorted(redis_body)


def test_bgsave_while_aof_rewrite(shoal):
    """One child at a time: BGSAVE waits for the AOF rewrite child with
    SCHEDULE, and is refused without it, as Redis does."""
    c = shoal.client()
    c.execute_command("DEBUG", "POPULATE", "1000")
    # ~1 s of rewrite child (the RDB preamble writer sleeps per key)
    c.config_set("rdb-key-save-delay", "1000")
    r = call(shoal, "BGREWRITEAOF")
    if r.kind == "error":
        pytest.skip(f"no BGREWRITEAOF yet: {r.value}")
    c.config_set("rdb-key-save-delay", "0")
    if c.info("persistence")["aof_rewrite_in_progress"] != 1:
        pytest.skip("the rewrite finished before BGSAVE could race it")
    assert call(shoal, "BGSAVE").value == (
        b"ERR Another child process is active (AOF?): can't BGSAVE right "
        b"now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever "
        b"possible.")
    assert call(shoal, "BGSAVE", "SCHEDULE").value == \
        b"Background saving scheduled"
    deadline = time.time() + 30
    while time.time() < deadline:
        st = c.info("persistence")
        if st["rdb_saves"] == 1 and not st["rdb_bgsave_in_progress"]:
            break
        time.sleep(0.05)
    st = c.info("persistence")
    assert st["rdb_saves"] == 1
    assert st["rdb_last_bgsave_status"] == "ok"
    assert c.info("stats")["total_forks"] == 2


LIB = ("#!lua name=rdblib\n"
       "redis.register_function('rdbfn', function(keys, args) "
       "return 42 end)")


def test_functions_round_trip(shoal_factory, redis_factory):
    s = shoal_factory(["--enable-debug-command", "yes"])
    c = s.client()
    if call(s, "FUNCTION", "LOAD", LIB).kind == "error":
        pytest.skip("no FUNCTION LOAD yet")
    c.set("k", "v")
    c.save()
    check_rdb(s.dir / "dump.rdb")
    r = redis_factory(start=False)
    shutil.copy(s.dir / "dump.rdb", r.dir / "dump.rdb")
    r.start()
    assert r.client().fcall("rdbfn", 0) == 42
    # and back: redis's file (FUNCTION2 record) loads in shoal
    r.client().save()
    s2 = shoal_factory(start=False)
    shutil.copy(r.dir / "dump.rdb", s2.dir / "dump.rdb")
    s2.start()
    assert s2.client().fcall("rdbfn", 0) == 42
    assert s2.client().get("k") == b"v"
    # DEBUG RELOAD flushes libraries with the data and loads them back
    assert call(s, "DEBUG", "RELOAD").value == b"OK"
    assert c.fcall("rdbfn", 0) == 42


def test_shutdown_kills_bgsave_child(shoal):
    c = shoal.client()
    c.execute_command("DEBUG", "POPULATE", "1000")
    c.config_set("rdb-key-save-delay", "10000")  # a 10 s child
    assert call(shoal, "BGSAVE").value == b"Background saving started"
    time.sleep(0.2)
    assert list(shoal.dir.glob("temp-*.rdb"))
    conn = shoal.raw()
    conn.send_command("SHUTDOWN", "NOSAVE")
    assert shoal.wait_exit(5) == 0
    assert not list(shoal.dir.glob("temp-*.rdb"))
    assert not (shoal.dir / "dump.rdb").exists()
    assert "Killing it" in shoal.log_text()


def test_flushall_saves_with_save_points(shoal_factory, redis_factory):
    """FLUSHALL with save points writes the (empty) snapshot at once and
    still counts as a change, as redis-server does."""
    args = {"save": "3600 1"}
    s = shoal_factory(args)
    r = redis_factory(args)
    for server in (s, r):
        c = server.client()
        c.set("a", 1)
        c.set("b", 2)
        c.save()
        c.set("c", 3)
        before = c.lastsave()
        time.sleep(1.1)
        assert c.flushall()
        assert c.lastsave() > before
        info = c.info("persistence")
        server.result = (info["rdb_changes_since_last_save"],
                         info["rdb_saves"])
    assert s.result == r.result
    assert check_rdb_keys(s.dir / "dump.rdb") == 0


def check_rdb_keys(path):
    out = subprocess.run(["redis-check-rdb", str(path)], capture_output=True,
                         text=True, timeout=30)
    assert "RDB looks OK" in out.stdout, out.stdout
    for line in out.stdout.splitlines():
        if "keys read" in line:
            return int(line.split()[-3])
    return 0
