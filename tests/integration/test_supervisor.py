"""The supervisor: shards per port, the Redis Cluster client protocol as real
clients and tools see it, respawn and crash loops, signals, systemd socket
activation and notifications, cross-shard PUBLISH."""

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster

from lib.server import REPO_ROOT, is_redis_binary, resolve_binary
from lib.supervisor import Supervisor, free_port_run
from lib.util_cluster import key_slot

BINARY = resolve_binary(os.environ.get("SHOAL_BIN", "bin/shoal"))

pytestmark = pytest.mark.skipif(
    is_redis_binary(BINARY) or os.environ.get("DIFF_SELFTEST") == "1",
    reason="the supervisor is shoal's own")


@pytest.fixture
def cluster(tmp_path):
    sup = Supervisor(BINARY, tmp_path, shards=3).start()
    yield sup
    assert sup.stop() == 0, sup.log_tail()


def wait_for(cond, timeout=15.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def slot_ranges(sup):
    """{port: [(first, last), ...]} from CLUSTER SLOTS of the first shard."""
    out = {}
    for first, last, primary, *_ in sup.client(sup.port).cluster("SLOTS"):
        out.setdefault(primary[1], []).append((first, last))
    return out


def owner_port(sup, key):
    slot = key_slot(key)
    for port, ranges in slot_ranges(sup).items():
        if any(a <= slot <= b for a, b in ranges):
            return port
    raise AssertionError("slot %d not served" % slot)


# ---------------------------------------------------------------- topology

def test_slots_split_evenly_and_every_shard_agrees(cluster):
    ranges = slot_ranges(cluster)
    assert sorted(ranges) == cluster.ports
    covered = sorted(r for rs in ranges.values() for r in rs)
    assert covered[0][0] == 0 and covered[-1][1] == 16383
    for (a0, b0), (a1, b1) in zip(covered, covered[1:]):
        assert a1 == b0 + 1
    sizes = [sum(b - a + 1 for a, b in rs) for rs in ranges.values()]
    assert max(sizes) - min(sizes) <= 1
    views = [cluster.client(p).cluster("SLOTS") for p in cluster.ports]
    assert all(v == views[0] for v in views)
    nodes = {p: cluster.client(p).execute_command("CLUSTER", "MYID")
             for p in cluster.ports}
    assert len(set(nodes.values())) == 3
    assert all(re.fullmatch(rb"[0-9a-f]{40}", v) for v in nodes.values())
    info = cluster.client(cluster.port).info("cluster")
    assert info["cluster_enabled"] == 1


def test_moved_and_crossslot(cluster):
    for i in range(50):
        key = "k%d" % i
        owner = owner_port(cluster, key)
        other = next(p for p in cluster.ports if p != owner)
        with pytest.raises(redis.ResponseError) as e:
            cluster.client(other).set(key, "v")
        assert str(e.value) == "MOVED %d 127.0.0.1:%d" % (key_slot(key),
                                                          owner)
        assert cluster.client(owner).set(key, "v")
    c = cluster.client(owner_port(cluster, "{t}a"))
    assert c.mset({"{t}a": 1, "{t}b": 2})
    with pytest.raises(redis.ResponseError, match="CROSSSLOT Keys in request "
                       "don't hash to the same slot"):
        c.mset({"a": 1, "b": 2, "c": 3})


def test_redis_cli_follows_moved(cluster):
    cli = ["redis-cli", "-c", "-p", str(cluster.port)]
    for i in range(20):
        out = subprocess.run(cli + ["SET", "cli%d" % i, "v%d" % i],
                             capture_output=True, text=True, timeout=10)
        assert out.stdout.strip() == "OK", out
    for i in range(20):
        port = cluster.ports[i % 3]
        out = subprocess.run(["redis-cli", "-c", "-p", str(port), "GET",
                              "cli%d" % i], capture_output=True, text=True,
                             timeout=10)
        assert out.stdout.strip() == "v%d" % i, out
        # the key lives on its owner only
        assert cluster.client(owner_port(cluster, "cli%d" % i)).get(
            "cli%d" % i) == b"v%d" % i


def test_redis_cli_cluster_check(cluster):
    out = subprocess.run(["redis-cli", "--cluster", "check",
                          "127.0.0.1:%d" % cluster.port],
                         capture_output=True, text=True, timeout=30)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "[OK] All 16384 slots covered." in text, text
    assert "[OK] All nodes agree about slots configuration." in text, text
    assert "[ERR]" not in text and "[WARNING]" not in text, text


def test_redis_py_cluster_10000_keys(cluster):
    rc = RedisCluster(host="127.0.0.1", port=cluster.port)
    pipe = rc.pipeline()
    for i in range(10000):
        pipe.set("rp:%d" % i, i)
    assert all(pipe.execute())
    pipe = rc.pipeline()
    for i in range(10000):
        pipe.get("rp:%d" % i)
    assert pipe.execute() == [b"%d" % i for i in range(10000)]
    # every key on its owning shard only
    ranges = slot_ranges(cluster)
    expect = {p: 0 for p in cluster.ports}
    for i in range(10000):
        s = key_slot("rp:%d" % i)
        for p, rs in ranges.items():
            if any(a <= s <= b for a, b in rs):
                expect[p] += 1
    for p in cluster.ports:
        assert cluster.client(p).dbsize() == expect[p]
    assert sum(expect.values()) == 10000
    rc.close()


NODE_DIR = REPO_ROOT / "tests" / "node"


def test_ioredis_cluster(cluster):
    node = shutil.which("node")
    assert node, "node is a test dependency (make test-deps)"
    assert (NODE_DIR / "node_modules" / "ioredis").is_dir(), \
        "ioredis is a test dependency (make test-deps)"
    out = subprocess.run([node, str(NODE_DIR / "cluster_check.js"),
                          str(cluster.port), "10000"], capture_output=True,
                         text=True, timeout=60, cwd=NODE_DIR)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "ok 10000", out.stdout + out.stderr
    total = sum(cluster.client(p).dbsize() for p in cluster.ports)
    assert total == 10000


def test_redis_benchmark_cluster(cluster):
    out = subprocess.run(["redis-benchmark", "--cluster", "-p",
                          str(cluster.port), "-t", "set,get", "-n", "20000",
                          "-c", "10", "-q"], capture_output=True, text=True,
                         timeout=120)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert re.search(r"SET: [\d.]+ requests per second", text), text
    assert re.search(r"GET: [\d.]+ requests per second", text), text
    assert "error" not in text.lower(), text
    assert sum(cluster.client(p).dbsize() for p in cluster.ports) > 0


# ---------------------------------------------------------------- respawn

def test_kill9_shard_is_respawned_and_serves_its_slots(cluster):
    c = cluster.client(cluster.ports[1])
    key = next("r%d" % i for i in range(1000)
               if owner_port(cluster, "r%d" % i) == cluster.ports[1])
    myid = c.execute_command("CLUSTER", "MYID")
    old = cluster.shard_pids()[1]
    os.kill(old, signal.SIGKILL)
    new = wait_for(lambda: cluster.shard_pids().get(1) != old and
                   cluster.shard_pids().get(1), what="respawn")
    assert new != old
    c2 = cluster.client(cluster.ports[1])
    wait_for(lambda: _pings(c2), what="respawned shard answering")
    assert c2.execute_command("CLUSTER", "MYID") == myid
    assert c2.set(key, "back")
    assert c2.get(key) == b"back"
    assert "shard 1 (pid %d) killed by signal 9" % old in cluster.log_text()


def _pings(c):
    try:
        return c.ping()
    except redis.RedisError:
        return False


def test_crash_loop_stops_respawning(cluster):
    victim = 2
    for _ in range(5):
        pid = wait_for(lambda: cluster.shard_pids().get(victim),
                       what="shard pid")
        wait_for(lambda: _pings(cluster.client(cluster.ports[victim],
                                               socket_timeout=1)),
                 what="shard up")
        pid = cluster.shard_pids()[victim]
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: "(pid %d) killed by signal 9" % pid in
                 cluster.log_text(), what="death noticed")
    wait_for(lambda: "crash loop" in cluster.log_text(), what="give up")
    time.sleep(0.5)
    assert cluster.log_text().count("shard %d started" % victim) == 5
    # its port refuses; its slots answer CLUSTERDOWN elsewhere
    with pytest.raises(redis.ConnectionError):
        cluster.client(cluster.ports[victim], socket_timeout=2).ping()
    key = next("d%d" % i for i in range(1000)
               if owner_port(cluster, "d%d" % i) == cluster.ports[victim])
    with pytest.raises(redis.ResponseError,
                       match="CLUSTERDOWN Hash slot not served"):
        cluster.client(cluster.ports[0]).get(key)
    # the others keep serving
    other = next("o%d" % i for i in range(1000)
                 if owner_port(cluster, "o%d" % i) == cluster.ports[0])
    assert cluster.client(cluster.ports[0]).set(other, 1)


def test_exit_status_2_is_not_respawned(cluster):
    c = cluster.client(cluster.ports[0])
    myid = c.execute_command("CLUSTER", "MYID").decode()
    node_dir = cluster.data / myid
    # The shard can't start again: its directory became a file.
    shutil.rmtree(node_dir)
    node_dir.write_text("not a directory")
    pid = cluster.shard_pids()[0]
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: "exited with status 2 (cannot start); not restarting"
             in cluster.log_text(), what="exit 2 noticed")
    time.sleep(1)
    assert cluster.log_text().count("shard 0 started") == 2
    node_dir.unlink()
    node_dir.mkdir()


def test_restart_keeps_node_ids_and_slots(tmp_path):
    sup = Supervisor(BINARY, tmp_path, shards=3).start()
    ids = [sup.client(p).execute_command("CLUSTER", "MYID")
           for p in sup.ports]
    slots = sup.client(sup.port).cluster("SLOTS")
    assert sup.stop() == 0
    topo = (sup.data / "topology.conf").read_text()
    assert all(i.decode() in topo for i in ids)
    for i in ids:
        assert (sup.data / i.decode()).is_dir()
    sup2 = Supervisor(BINARY, tmp_path, shards=3, port=sup.port).start()
    try:
        assert [sup2.client(p).execute_command("CLUSTER", "MYID")
                for p in sup2.ports] == ids
        assert sup2.client(sup2.port).cluster("SLOTS") == slots
    finally:
        assert sup2.stop() == 0


def test_bad_config_exits_2(tmp_path):
    out = subprocess.run([str(BINARY), "--no-such-directive", "x",
                          "--dir", str(tmp_path)], capture_output=True,
                         text=True, timeout=20)
    assert out.returncode == 2, out


def test_port_taken_exits_2(tmp_path):
    base = free_port_run(2)
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", base + 1))
    blocker.listen()
    try:
        out = subprocess.run([str(BINARY), "--shards", "2", "--port",
                              str(base), "--dir", str(tmp_path), "--save",
                              ""], capture_output=True, text=True,
                             timeout=20)
        assert out.returncode == 2, out
    finally:
        blocker.close()


# ---------------------------------------------------------------- signals

def test_sigterm_while_clients_write(tmp_path):
    """SIGTERM under a write load: a clean exit, no reply lost or out of
    order, and with appendfsync always every acknowledged INCR is there
    after a restart."""
    aof = ["--appendonly", "yes", "--appendfsync", "always"]
    sup = Supervisor(BINARY, tmp_path, shards=3, extra_args=aof).start()
    stop = threading.Event()
    acked = {}
    errors = []

    def writer(port, name):
        c = sup.client(port, socket_timeout=10)
        key = next("w%s%d" % (name, i) for i in range(10000)
                   if owner_port(sup, "w%s%d" % (name, i)) == port)
        n = 0
        try:
            while not stop.is_set():
                r = c.incr(key)
                n += 1
                if r != n:
                    errors.append((key, r, n))
                    return
        except redis.ConnectionError:
            pass  # the shard closed the connection: every reply was read
        acked[key] = n

    threads = [threading.Thread(target=writer, args=(p, str(i)))
               for i, p in enumerate(sup.ports)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    sup.signal(signal.SIGTERM)
    rc = sup.wait_exit(30)
    stop.set()
    for t in threads:
        t.join(10)
    assert rc == 0, sup.log_tail()
    assert not errors
    assert len(acked) == 3 and all(n > 0 for n in acked.values())
    log = sup.log_text()
    assert "stopping the shards" in log
    assert log.count("exited (status 0)") == 3, log
    sup2 = Supervisor(BINARY, tmp_path, shards=3, port=sup.port,
                      extra_args=aof).start()
    try:
        for key, n in acked.items():
            got = int(sup2.client(owner_port(sup2, key)).get(key))
            # acknowledged writes all survived; at most the one whose reply
            # the closing connection swallowed was applied on top
            assert n <= got <= n + 1, (key, n, got)
    finally:
        assert sup2.stop() == 0


def test_sighup_reloads_what_can_change(tmp_path):
    conf = tmp_path / "shoal.conf"
    conf.write_text("slowlog-max-len 128\nloglevel notice\n")
    sup = Supervisor(BINARY, tmp_path, shards=2)
    sup.extra = []
    argv = sup.argv()
    sup.argv = lambda: [argv[0], str(conf)] + argv[1:]
    sup.start()
    try:
        conf.write_text("slowlog-max-len 77\nloglevel notice\n"
                        "databases 4\n")
        sup.signal(signal.SIGHUP)
        wait_for(lambda: all(
            sup.client(p).config_get("slowlog-max-len")["slowlog-max-len"]
            == "77" for p in sup.ports), what="reload")
        wait_for(lambda: "'databases' can't change at run time" in
                 sup.log_text(), what="immutable logged")
    finally:
        assert sup.stop() == 0


# ---------------------------------------------------------------- systemd

def test_socket_activation_serves_early_client(tmp_path):
    exe = shutil.which("systemd-socket-activate")
    assert exe, "systemd-socket-activate is a test dependency (systemd)"
    base = free_port_run(3)
    data = tmp_path / "data"
    data.mkdir()
    argv = [exe]
    for i in range(3):
        argv += ["-l", "127.0.0.1:%d" % (base + i)]
    # one socket that matches no shard: closed with a log line
    stray = free_port_run(1)
    argv += ["-l", "127.0.0.1:%d" % stray]
    argv += ["--", str(BINARY), "--shards", "3", "--port", str(base),
             "--dir", str(data), "--save", ""]
    log = open(tmp_path / "activate.log", "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        # systemd-socket-activate starts shoal on the first connection:
        # this client connects before any shard exists and must be served.
        deadline = time.time() + 10
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", base + 1), 2)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        s.sendall(b"PING\r\n")
        s.settimeout(20)
        assert s.recv(100) == b"+PONG\r\n"
        s.close()
        for i in range(3):
            assert redis.Redis(port=base + i).ping()
        text = (tmp_path / "activate.log").read_text()
        assert "takes socket fd" in text
        assert "matches no shard" in text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        log.close()


def test_sd_notify_messages(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    sup = Supervisor(BINARY, tmp_path, shards=2,
                     env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "600000"})
    sup.start(wait=False)
    got = []

    def collect(until, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                got.extend(sock.recv(4096).decode().split("\n"))
            except socket.timeout:
                pass
            if until():
                return
        raise AssertionError("notify messages: %r" % got)

    collect(lambda: "READY=1" in got)
    collect(lambda: "WATCHDOG=1" in got)
    assert any(m.startswith("STATUS=") for m in got)
    assert "STATUS=2 of 2 shards ready" in got
    sup.signal(signal.SIGTERM)
    collect(lambda: "STOPPING=1" in got)
    assert sup.wait_exit(30) == 0
    sock.close()


# ---------------------------------------------------------------- pub/sub

def test_publish_reaches_subscribers_on_every_shard(cluster):
    subs = []
    for p in cluster.ports:
        ps = cluster.client(p).pubsub()
        ps.subscribe("news")
        assert ps.get_message(timeout=5)["type"] == "subscribe"
        subs.append(ps)
    pub = cluster.client(cluster.ports[1])
    for i in range(20):
        assert pub.publish("news", "m%d" % i) == 3
    for ps in subs:
        got = []
        while len(got) < 20:
            m = ps.get_message(timeout=5)
            assert m is not None, got
            got.append(m["data"])
        assert got == [b"m%d" % i for i in range(20)]
        ps.close()
    assert pub.publish("nobody", "x") == 0


# ---------------------------------------------------------------- forks

def test_fork_gate_one_child_at_a_time(tmp_path):
    """max-concurrent-forks 1: BGSAVE asked of every shard at once runs
    one child at a time; the others wait their turn and then run."""
    sup = Supervisor(BINARY, tmp_path, shards=3,
                     extra_args=["--max-concurrent-forks", "1",
                                 "--rdb-key-save-delay", "200"]).start()
    try:
        clients = [sup.client(p) for p in sup.ports]
        for c in clients:
            c.execute_command("DEBUG", "POPULATE", 2000)
        replies = [c.bgsave() and c.execute_command("INFO", "persistence")
                   for c in clients]
        assert replies
        overlap = 0
        waited = 0
        saves = [0, 0, 0]
        deadline = time.time() + 60
        while time.time() < deadline:
            infos = [c.info("persistence") for c in clients]
            running = sum(i["rdb_bgsave_in_progress"] for i in infos)
            overlap = max(overlap, running)
            waited = max(waited, sum(i["rdb_bgsave_scheduled"]
                                     for i in infos))
            saves = [i["rdb_saves"] for i in infos]
            if all(s >= 1 for s in saves) and running == 0:
                break
            time.sleep(0.01)
        assert saves == [1, 1, 1], saves
        assert overlap == 1
        assert waited >= 1  # INFO shows the shards waiting their turn
        assert all(c.info("persistence")["rdb_last_bgsave_status"] == "ok"
                   for c in clients)
        assert sup.log_text().count("waits for a fork slot") >= 2
    finally:
        assert sup.stop() == 0


def test_publish_reaches_every_shard_with_requirepass(tmp_path):
    """The shards' own links don't need the password clients need."""
    sup = Supervisor(BINARY, tmp_path, shards=2,
                     extra_args=["--requirepass", "s3cret"]).start(
                         wait=False)
    try:
        clients = [sup.client(p, password="s3cret") for p in sup.ports]
        wait_for(lambda: all(_pings(c) for c in clients), what="shards up")
        with pytest.raises(redis.AuthenticationError):
            sup.client(sup.ports[0]).ping()
        ps = clients[1].pubsub()
        ps.subscribe("ch")
        assert ps.get_message(timeout=5)["type"] == "subscribe"
        assert clients[0].publish("ch", "hello") == 1
        m = ps.get_message(timeout=5)
        assert m["data"] == b"hello"
        ps.close()
    finally:
        assert sup.stop() == 0
