"""Integration tests of a shard's cluster mode, with shards started by hand
(`shoal shard --cluster-enabled yes`) from one shared cluster-config-file,
judged by real clients and tools: redis-cli -c following -MOVED,
`redis-cli --cluster check`, redis-py's RedisCluster; and the cases a
Redis Cluster can't easily be put in for a differential test: a one-node
map built when the file is absent, a node marked down, a replica serving
READONLY reads, cluster-announce-ip, bad cluster configurations."""

import re
import secrets
import shutil
import subprocess

import pytest
import redis
from redis.cluster import RedisCluster

from conftest import shoal_binary
from lib import resp
from lib.server import HOST, ServerError, free_port, is_redis_binary
from lib.util_cluster import key_slot

RANGES = [(0, 5460), (5461, 10922), (10923, 16383)]
SLOTS = 16384

pytestmark = pytest.mark.skipif(is_redis_binary(shoal_binary()),
                                reason="starts shoal shards with a shoal "
                                       "topology file")


def owner_of(slot):
    return next(i for i, (a, b) in enumerate(RANGES) if a <= slot <= b)


def distinct_ports(count):
    ports = []
    while len(ports) < count:
        p = free_port()
        if p not in ports:
            ports.append(p)
    return ports


def start_on(server, port, timeout=10.0):
    """Start a shard on a port chosen in advance (the map names it)."""
    server._spawn(port)
    outcome = server._wait_ready(timeout)
    if outcome != "ready":
        tail = server.log_tail()
        server._kill_quietly()
        raise ServerError(f"shard on port {port}: {outcome}\n{tail}")
    return server


def write_topology(path, nodes, ranges):
    """nodes: dicts with id, sid, port and optionally role ("primary" or
    "replica"), primary (node index) and alive (0/1)."""
    lines = [f"epoch {len(nodes)}"]
    for i, n in enumerate(nodes):
        lines.append(f"node {n['id']} {n['sid']} {i} "
                     f"{n.get('role', 'primary')} {n.get('primary', -1)} "
                     f"{HOST} {n['port']} {n.get('alive', 1)} {i + 1}")
    for i, rng in enumerate(ranges):
        if rng is not None:
            lines.append(f"slots {i} {rng[0]}-{rng[1]}")
    path.write_text("\n".join(lines) + "\n")


def new_node(port, **kw):
    return dict(id=secrets.token_hex(20), sid=secrets.token_hex(20),
                port=port, **kw)


def cluster_args(topo, node):
    return {"cluster-enabled": "yes", "cluster-config-file": str(topo),
            "cluster-node-id": node["id"]}


@pytest.fixture
def three(shoal_factory, tmp_path):
    """Three shards owning redis-cli's split of the slots."""
    nodes = [new_node(p) for p in distinct_ports(3)]
    topo = tmp_path / "topology"
    write_topology(topo, nodes, RANGES)
    shards = []
    for n in nodes:
        s = shoal_factory(cluster_args(topo, n), start=False, name="shard")
        shards.append(start_on(s, n["port"]))
    return shards


def cli():
    path = shutil.which("redis-cli")
    if path is None:
        pytest.skip("redis-cli not found (Debian package redis-tools)")
    return path


def run_cli(*args):
    out = subprocess.run([cli(), *map(str, args)], capture_output=True,
                         text=True, timeout=60)
    return out.returncode, out.stdout + out.stderr


# ---------------------------------------------------------------- clients


def test_redis_cli_follows_moved(three):
    keys = ["a", "b", "c", "{user1}:x", "{user1}:y", "k9", "zz"]
    for k in keys:
        rc, out = run_cli("-c", "-p", three[0].port, "SET", k, f"v-{k}")
        assert rc == 0 and out.strip() == "OK", out
    for k in keys:
        owner = three[owner_of(key_slot(k))]
        # Stored on the owner only; any entry point reaches it with -c.
        assert owner.client().get(k) == f"v-{k}".encode()
        for s in three:
            if s is not owner:
                assert s.client().execute_command(
                    "CLUSTER", "COUNTKEYSINSLOT", key_slot(k)) == 0
            rc, out = run_cli("-c", "-p", s.port, "GET", k)
            assert out.strip() == f"v-{k}", out
    # Without -c redis-cli shows the redirection itself.
    not_owner = next(s for s in three if s is not three[owner_of(15495)])
    rc, out = run_cli("-p", not_owner.port, "GET", "a")
    assert f"MOVED 15495 127.0.0.1:{three[2].port}" in out


def test_redis_cli_cluster_check(three):
    three[0].client().set("b", "1")
    for s in three:
        rc, out = run_cli("--cluster", "check", f"{HOST}:{s.port}")
        assert rc == 0, out
        assert "[OK] All 16384 slots covered." in out, out
        assert "[OK] All nodes agree about slots configuration." in out, out
        assert "[ERR]" not in out and "[WARNING]" not in out, out
        for i, (a, b) in enumerate(RANGES):
            assert f"127.0.0.1:{three[i].port}" in out
            assert f"slots:[{a}-{b}] ({b - a + 1} slots) master" in out, out


def test_redis_py_cluster_10000_keys(three):
    rc = RedisCluster(host=HOST, port=three[1].port, socket_timeout=20)
    try:
        keys = [f"key:{i}" for i in range(10000)]
        pipe = rc.pipeline(transaction=False)
        for k in keys:
            pipe.set(k, k)
        assert all(pipe.execute())
        pipe = rc.pipeline(transaction=False)
        for k in keys:
            pipe.get(k)
        assert pipe.execute() == [k.encode() for k in keys]
        assert rc.get("key:4242") == b"key:4242"
    finally:
        rc.close()
    # Each key lives on its owning shard and nowhere else.
    expected = [set() for _ in three]
    for k in keys:
        expected[owner_of(key_slot(k))].add(k.encode())
    for i, s in enumerate(three):
        c = s.client()
        assert set(c.scan_iter(count=1000)) == expected[i]
        assert c.dbsize() == len(expected[i])
        for slot in (RANGES[i][0], RANGES[i][1]):
            assert c.execute_command("CLUSTER", "COUNTKEYSINSLOT", slot) == \
                sum(1 for k in expected[i] if key_slot(k) == slot)


def test_rejections_are_counted(three):
    c = three[0].client()
    c.config_resetstat()
    for _ in range(3):
        with pytest.raises(redis.ResponseError, match="MOVED 15495"):
            c.get("a")
    with pytest.raises(redis.ResponseError, match="CROSSSLOT"):
        c.mget("b", "f")
    stats = c.info("commandstats")
    assert stats["cmdstat_get"]["rejected_calls"] == 3
    assert stats["cmdstat_get"]["calls"] == 0
    assert stats["cmdstat_mget"]["rejected_calls"] == 1
    errors = c.info("errorstats")
    # (redis-py leaves these values unparsed: "count=3")
    assert errors["errorstat_MOVED"] in ("count=3", {"count": 3})
    assert errors["errorstat_CROSSSLOT"] in ("count=1", {"count": 1})


# ---------------------------------------------------------------- one node


def test_one_node_map_when_no_file(shoal_factory):
    s = shoal_factory({"cluster-enabled": "yes"})
    c = s.raw()
    myid = c.call("CLUSTER", "MYID").value
    assert re.fullmatch(rb"[0-9a-f]{40}", myid)
    assert c.call("CLUSTER", "SLOTS") == resp.array(resp.array(
        resp.integer(0), resp.integer(SLOTS - 1),
        resp.array(resp.bulk(HOST), resp.integer(s.port), resp.bulk(myid),
                   resp.array())))
    info = c.call("CLUSTER", "INFO").value.decode()
    for field in ("cluster_state:ok", "cluster_slots_assigned:16384",
                  "cluster_slots_ok:16384", "cluster_known_nodes:1",
                  "cluster_size:1"):
        assert field + "\r\n" in info
    nodes = c.call("CLUSTER", "NODES").value.decode()
    assert nodes == (f"{myid.decode()} {HOST}:{s.port}@{s.port + 10000} "
                     f"myself,master - 0 0 1 connected 0-16383\n")
    assert c.call("SET", "a", "1") == resp.OK
    assert c.call("MGET", "a", "b").is_error  # still one slot per command
    assert b"cluster_enabled:1" in c.call("INFO", "cluster").value
    hello = c.call("HELLO", "3").to_python()
    assert hello[b"mode"] == b"cluster"
    assert c.call("CLUSTER", "MYSHARDID").value != myid
    rc, out = run_cli("--cluster", "check", f"{HOST}:{s.port}")
    assert rc == 0 and "[OK] All 16384 slots covered." in out, out
    # Nothing written: the map lives in memory only.
    assert not (s.dir / "nodes.conf").exists()


def test_empty_config_file_means_one_node_map(shoal_factory):
    """cluster-config-file "": no file is read at all (a supervised shard
    gets its map over the control channel instead)."""
    s = shoal_factory({"cluster-enabled": "yes", "cluster-config-file": ""},
                      start=False)
    (s.dir / "nodes.conf").write_text("not a topology\n")  # not read
    s.start()
    slots = s.raw().call("CLUSTER", "SLOTS").to_python()
    assert [(r[0], r[1], r[2][1]) for r in slots] == [(0, SLOTS - 1, s.port)]


def test_node_id_and_announce_ip(shoal_factory):
    nid = secrets.token_hex(20)
    s = shoal_factory({"cluster-enabled": "yes", "cluster-node-id": nid,
                       "cluster-announce-ip": "10.11.12.13"})
    c = s.raw()
    assert c.call("CLUSTER", "MYID") == resp.bulk(nid)
    slots = c.call("CLUSTER", "SLOTS").to_python()
    assert slots[0][2][:3] == [b"10.11.12.13", s.port, nid.encode()]
    nodes = c.call("CLUSTER", "NODES").value.decode()
    assert f" 10.11.12.13:{s.port}@" in nodes
    # It can change at run time, as in Redis.
    assert c.call("CONFIG", "SET", "cluster-announce-ip", "10.0.0.9") == resp.OK
    assert c.call("CLUSTER", "SLOTS").to_python()[0][2][0] == b"10.0.0.9"
    assert c.call("CONFIG", "GET", "cluster-node-id").to_python() == \
        [b"cluster-node-id", nid.encode()]


@pytest.mark.parametrize("case", ["no-node-id", "unknown-node-id",
                                  "bad-node-id", "bad-file"])
def test_bad_cluster_config_exits_2(shoal_factory, tmp_path, case):
    topo = tmp_path / "topology"
    node = new_node(7000)
    write_topology(topo, [node], [(0, SLOTS - 1)])
    args = {"cluster-enabled": "yes", "cluster-config-file": str(topo)}
    if case == "unknown-node-id":
        args["cluster-node-id"] = secrets.token_hex(20)
    elif case == "bad-node-id":
        args["cluster-node-id"] = "XYZ"
    elif case == "bad-file":
        args["cluster-node-id"] = node["id"]
        topo.write_text("epoch 1\nthis is not a topology\n")
    s = shoal_factory(args, start=False)
    s.allowed_exit_codes.add(2)
    with pytest.raises(ServerError, match="exited with status 2"):
        start_on(s, free_port(), timeout=5)
    assert "cluster" in s.log_text()


def test_cluster_enabled_is_immutable(shoal):
    c = shoal.raw()
    assert c.call("CONFIG", "GET", "cluster-enabled").to_python() == \
        [b"cluster-enabled", b"no"]
    r = c.call("CONFIG", "SET", "cluster-enabled", "yes")
    assert r.is_error and b"can't set immutable config" in r.value


# ---------------------------------------------------------------- topologies


def test_node_down_and_unassigned_slots(shoal_factory, tmp_path):
    """Slots of a node marked down answer -CLUSTERDOWN from the others, as
    unassigned ones do; the node shows as failed everywhere."""
    port = free_port()
    nodes = [new_node(port), new_node(port + 1, alive=0), new_node(port + 2)]
    topo = tmp_path / "topology"
    write_topology(topo, nodes, [RANGES[0], RANGES[1], (10923, 16000)])
    s = start_on(shoal_factory(cluster_args(topo, nodes[0]), start=False),
                 port)
    c = s.raw()
    down = b"CLUSTERDOWN Hash slot not served"
    assert c.call("GET", "c") == resp.error(down)          # slot 7365: down
    assert c.call("GET", "x") == resp.error(down)          # 16287: nobody
    assert c.call("GET", "a") == resp.error(
        f"MOVED 15495 {HOST}:{port + 2}")
    assert c.call("SET", "b", "1") == resp.OK
    assert c.call("MGET", "c", "b") == resp.error(down)
    assert c.call("MGET", "b", "c").value.startswith(b"CROSSSLOT")
    info = dict(line.split(":", 1) for line in
                c.call("CLUSTER", "INFO").value.decode().splitlines())
    assert info["cluster_state"] == "fail"
    assert info["cluster_slots_assigned"] == str(16001)
    assert info["cluster_slots_ok"] == str(16001 - 5462)
    assert info["cluster_slots_fail"] == "5462"
    lines = c.call("CLUSTER", "NODES").value.decode().splitlines()
    failed = next(line for line in lines if line.startswith(nodes[1]["id"]))
    assert " master,fail - 0 0 2 disconnected 5461-10922" in failed
    shards = c.call("CLUSTER", "SHARDS").to_python()
    health = {sh[3][0][1]: sh[3][0][13] for sh in shards}
    assert health[nodes[1]["id"].encode()] == b"failed"
    assert health[nodes[0]["id"].encode()] == b"online"


def test_replica_serves_reads_after_readonly(shoal_factory, tmp_path):
    port = free_port()
    primary = new_node(port + 1)
    replica = new_node(port, role="replica", primary=0)
    replica["sid"] = primary["sid"]
    topo = tmp_path / "topology"
    write_topology(topo, [primary, replica], [(0, SLOTS - 1), None])
    s = start_on(shoal_factory(cluster_args(topo, replica), start=False),
                 port)
    c = s.raw()
    moved = resp.error(f"MOVED 3300 {HOST}:{port + 1}")
    assert c.call("GET", "b") == moved
    assert c.call("READONLY") == resp.OK
    assert c.call("GET", "b") == resp.NIL
    assert c.call("MGET", "b", "{b}x") == resp.array(resp.NIL, resp.NIL)
    assert c.call("SET", "b", "1") == moved   # writes still go to the primary
    assert c.call("READWRITE") == resp.OK
    # Shard channels are served by replicas without READONLY (as Redis).
    assert c.call("SPUBLISH", "b", "m") == resp.integer(0)
    assert c.call("READONLY") == resp.OK
    assert b" flags=r " in c.call("CLIENT", "INFO").value
    assert c.call("READWRITE") == resp.OK
    assert c.call("GET", "b") == moved
    assert c.call("READONLY") == resp.OK
    assert c.call("RESET") == resp.simple("RESET")
    assert c.call("GET", "b") == moved        # RESET forgets READONLY

    slots = c.call("CLUSTER", "SLOTS").to_python()
    assert [e[2] for e in slots[0][2:]] == [primary["id"].encode(),
                                            replica["id"].encode()]
    lines = c.call("CLUSTER", "NODES").value.decode().splitlines()
    mine = next(line for line in lines if line.startswith(replica["id"]))
    assert f" myself,slave {primary['id']} " in mine
    assert mine.endswith(" connected")      # replicas list no slots
    replicas = c.call("CLUSTER", "REPLICAS", primary["id"]).to_python()
    assert len(replicas) == 1 and replicas[0].startswith(replica["id"].encode())
    assert c.call("CLUSTER", "REPLICAS", replica["id"]) == resp.error(
        "ERR The specified node is not a master")
    shards = c.call("CLUSTER", "SHARDS").to_python()
    assert len(shards) == 1
    assert [n[1] for n in shards[0][3]] == [primary["id"].encode(),
                                                   replica["id"].encode()]
    info = c.call("CLUSTER", "INFO").value.decode()
    assert "cluster_size:1\r\n" in info and "cluster_my_epoch:1\r\n" in info
    assert c.call("CLUSTER", "MYSHARDID") == resp.bulk(primary["sid"])
