"""Differential tests of cluster mode: three shoal shards started by hand
with cluster-enabled yes and one shared cluster-config-file, against a
three-node Redis Cluster built with `redis-cli --cluster create`. Both own
the same slot ranges (node i: range i of redis-cli's split), so node i of
one answers what node i of the other answers: -MOVED / -CROSSSLOT /
-CLUSTERDOWN, CLUSTER SLOTS/SHARDS/NODES/INFO, KEYSLOT, the slot key
commands, SELECT and friends, MULTI/EXEC routing and SPUBLISH. Ports and
node ids differ between the two clusters: they are replaced by the node's
index ("<port1>", "<id1>") before comparing."""

import random
import re
import secrets
import shutil
import socket
import subprocess
import time

import pytest

from conftest import oracle_binary, shoal_binary, stop_servers
from differential.diff import (EXACT, UNORDERED, Differ, resolve_seed,
                               run_random)
from lib import resp
from lib.conn import RawConn
from lib.resp import Reply
from lib.server import (HOST, RedisServer, ServerError, free_port,
                        is_redis_binary, server_for)

NODES = 3
# redis-cli's split for 3 masters (checked by test_slot_split_is_redis_clis)
RANGES = [(0, 5460), (5461, 10922), (10923, 16383)]

# Keys by the node that owns their slot (slots: b 3300, f 3168 | c 7365,
# g 7233, z 8157 | a 15495, d 11298, x 16287).
ON = {0: ["b", "f", "{b}1", "{b}2"], 1: ["c", "g", "z"], 2: ["a", "d", "x"]}

# ---------------------------------------------------------------- clusters


def pick_ports(count, bus):
    """Free ports; with bus, port+10000 (Redis's cluster bus) free too."""
    ports = []
    while len(ports) < count:
        port = free_port()
        if port in ports:
            continue
        if bus:
            if port + 10000 > 65535:
                continue
            with socket.socket() as s:
                try:
                    s.bind((HOST, port + 10000))
                except OSError:
                    continue
        ports.append(port)
    return ports


def start_on(server, port, timeout=10.0):
    """Start a server on a port chosen in advance: cluster members must
    know each other's addresses before they start."""
    server._spawn(port)
    outcome = server._wait_ready(timeout)
    if outcome != "ready":
        tail = server.log_tail()
        server._kill_quietly()
        raise ServerError(f"{server.flavour} on port {port}: {outcome}\n{tail}")
    return server


def topology_text(ports, ids, shard_ids, ranges, alive=None):
    """topology.h's text form: node i at ports[i] owning ranges[i]."""
    alive = alive or [1] * len(ports)
    lines = [f"epoch {len(ports)}"]
    for i, port in enumerate(ports):
        lines.append(f"node {ids[i]} {shard_ids[i]} {i} primary -1 {HOST} "
                     f"{port} {alive[i]} {i + 1}")
    for i, rng in enumerate(ranges):
        if rng is not None:
            lines.append(f"slots {i} {rng[0]}-{rng[1]}")
    return "\n".join(lines) + "\n"


def start_shoal_cluster(tmp, binary, servers):
    ports = pick_ports(NODES, bus=False)
    ids = [secrets.token_hex(20) for _ in ports]
    topo = tmp / "topology"
    topo.write_text(topology_text(ports, ids, [secrets.token_hex(20)
                                               for _ in ports], RANGES))
    nodes = []
    for i, port in enumerate(ports):
        s = server_for(binary, tmp / f"shard{i}", extra_args={
            "cluster-enabled": "yes", "cluster-config-file": str(topo),
            "cluster-node-id": ids[i]})
        servers.append(s)
        nodes.append(start_on(s, port))
    return nodes


def wait_cluster_ok(nodes, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        ready = 0
        for n in nodes:
            with RawConn(n.host, n.port) as c:
                info = c.call("CLUSTER", "INFO").to_python()
                slots = c.call("CLUSTER", "SLOTS").to_python()
            if (b"cluster_state:ok" in info and
                    f"cluster_known_nodes:{len(nodes)}".encode() in info and
                    len(slots) == len(nodes)):
                ready += 1
        if ready == len(nodes):
            return
        if time.monotonic() > deadline:
            raise ServerError("the Redis Cluster did not converge")
        time.sleep(0.1)


def start_redis_cluster(tmp, binary, servers):
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.skip("redis-cli not found (Debian package redis-tools)")
    for attempt in range(3):
        ports = pick_ports(NODES, bus=True)
        nodes = []
        try:
            for i, port in enumerate(ports):
                s = RedisServer(binary, tmp / f"redis{i}-{attempt}",
                                extra_args={
                                    "cluster-enabled": "yes",
                                    "cluster-config-file": "nodes.conf"})
                servers.append(s)
                nodes.append(start_on(s, port))
        except ServerError:
            continue  # a port (or its bus port) was taken meanwhile
        out = subprocess.run(
            [cli, "--cluster", "create"] +
            [f"{HOST}:{p}" for p in ports] +
            ["--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise ServerError("redis-cli --cluster create failed:\n"
                              f"{out.stdout}{out.stderr}")
        wait_cluster_ok(nodes)
        return nodes
    raise ServerError("could not start a Redis Cluster")


def node_id(server):
    with RawConn(server.host, server.port) as c:
        return c.call("CLUSTER", "MYID").value


class Normalizer:
    """Replaces the node-specific parts of replies (ports, bus ports, node
    ids) by the node's index, for both clusters at once."""

    def __init__(self, *clusters):
        self.text = []
        self.ports = {}
        for nodes in clusters:
            for i, n in enumerate(nodes):
                nid = node_id(n)
                self.text.append((nid, f"<id{i}>".encode()))
                self.text.append((f"{HOST}:{n.port}@{n.port + 10000}".encode(),
                                  f"{HOST}:<port{i}>@<cport{i}>".encode()))
                self.text.append((f"{HOST}:{n.port}".encode(),
                                  f"{HOST}:<port{i}>".encode()))
                self.ports[n.port] = i

    def bytes(self, b):
        for old, new in self.text:
            b = b.replace(old, new)
        return b

    def __call__(self, r):
        k = r.kind
        if k in (resp.BULK, resp.SIMPLE, resp.ERROR, resp.BLOB_ERROR):
            return Reply(k, self.bytes(r.value))
        if k == resp.VERBATIM:
            return Reply(k, (r.value[0], self.bytes(r.value[1])))
        if k == resp.INT and r.value in self.ports:
            return resp.normalized(f"port{self.ports[r.value]}")
        if k in resp.AGGREGATES:
            return Reply(k, tuple(self(x) for x in r.value))
        if k == resp.MAP:
            return Reply(k, tuple((self(a), self(b)) for a, b in r.value))
        return r


class ClusterDiffer(Differ):
    """A Differ that normalizes ports and node ids unless told otherwise."""

    def __init__(self, shoal, redis, norm):
        super().__init__(shoal, redis)
        self.norm = norm

    def check(self, *args, mode=None, normalize=None):
        __tracebackhide__ = True
        return super().check(*args, mode=mode,
                             normalize=normalize or self.norm)


class Clusters:
    def __init__(self, shoal, redis):
        self.shoal = shoal
        self.redis = redis
        self.norm = Normalizer(shoal, redis)
        self.differs = []

    def differ(self, i):
        """A Differ between node i of each cluster."""
        d = ClusterDiffer(self.shoal[i], self.redis[i], self.norm)
        self.differs.append(d)
        return d

    def flush(self):
        for d in self.differs:
            d.close()
        self.differs.clear()
        for n in self.shoal + self.redis:
            with RawConn(n.host, n.port) as c:
                c.call("FLUSHALL")


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    oracle = oracle_binary()
    if oracle is None:
        pytest.skip("redis-server not found: it is the oracle")
    tmp = tmp_path_factory.mktemp("cluster")
    servers = []
    try:
        binary = shoal_binary()
        if is_redis_binary(binary):  # DIFF_SELFTEST: both sides Redis
            shoal_side = start_redis_cluster(tmp / "self", binary, servers)
        else:
            shoal_side = start_shoal_cluster(tmp, binary, servers)
        redis_side = start_redis_cluster(tmp, oracle, servers)
        yield Clusters(shoal_side, redis_side)
    finally:
        stop_servers(servers)


@pytest.fixture
def cl(clusters):
    clusters.flush()
    yield clusters
    clusters.flush()


# ---------------------------------------------------------------- tests


def test_slot_split_is_redis_clis(cl):
    for nodes in (cl.shoal, cl.redis):
        with RawConn(nodes[0].host, nodes[0].port) as c:
            slots = c.call("CLUSTER", "SLOTS").to_python()
        got = sorted((s[0], s[1], s[2][1]) for s in slots)
        assert got == [(a, b, nodes[i].port) for i, (a, b) in enumerate(RANGES)]


def test_keyslot(cl):
    d = cl.differ(0)
    keys = ["", "a", "{", "}", "{}", "{}a", "a{}", "{a}", "{a}b", "b{a}",
            "foo{bar}", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}",
            "{user1000}.following", "{user1000}.followers", "a{b", "a}b{c}",
            "{{}}", "}{a}", "{a", "123456789", b"\x00\xff{\x01}\x02",
            b"\xff" * 3, "k" * 1000, "{" + "t" * 500 + "}" + "x" * 10]
    for k in keys:
        d.check("CLUSTER", "KEYSLOT", k)
    d.check("CLUSTER", "KEYSLOT")
    d.check("CLUSTER", "KEYSLOT", "a", "b")


def test_routing_errors(cl):
    for i in range(NODES):
        d = cl.differ(i)
        for cmd in [
            ("GET", "a"), ("GET", "b"), ("GET", "c"), ("SET", "a", "1"),
            ("SET", "b", "1"), ("SET", "c", "1"), ("MGET", "a", "b"),
            ("MGET", "b", "a"), ("MGET", "{a}1", "{a}2"),
            ("MGET", "b", "f"), ("MSET", "{a}1", "x", "{a}2", "y"),
            ("MSET", "{b}1", "x", "b", "y"), ("DEL", "a", "b", "c"),
            ("EXISTS", "{b}1", "{b}2"), ("RENAME", "a", "b"),
            ("RENAME", "{b}1", "{b}2"), ("LMOVE", "{z}a", "{z}b", "LEFT",
                                         "RIGHT"),
            ("LMOVE", "z", "c", "LEFT", "RIGHT"),
            ("SINTERSTORE", "{d}1", "{d}2", "{d}3"),
            ("ZUNIONSTORE", "{x}d", "2", "{x}a", "{x}b"),
            ("ZUNION", "2", "a", "b"), ("ZUNION", "-1", "a"),
            ("XREAD", "STREAMS", "a", "b", "0", "0"),
            ("XREAD", "STREAMS", "a", "b", "0"),
            ("XREAD", "STREAMS", "b", "0"), ("XREAD", "STREAMS", "b"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", "0"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">"),
            ("XREAD", "STREAMS", "{g}a", "{g}b", "0", "0"),
            ("PFCOUNT", "b", "f"), ("BITOP", "AND", "{c}d", "{c}a", "{c}b"),
            ("OBJECT", "ENCODING", "d"),
            ("EVAL", "return 1", "2", "b", "f"),
            ("EVAL", "return 1", "1", "a"), ("EVAL", "return 1", "0"),
            ("EVAL", "return 1", "2", "{z}1", "{z}2"),
            ("EVAL", "return 1", "5", "a"), ("EVAL", "return 1", "-1"),
            ("SPUBLISH", "a", "m"), ("SPUBLISH", "b", "m"),
            ("SPUBLISH", "c", "m"), ("SSUBSCRIBE", "a", "b"),
            ("SSUBSCRIBE", "b", "f"), ("SUNSUBSCRIBE", "c"),
            ("SUNSUBSCRIBE", "a", "b"), ("PUBLISH", "a", "m"),
            ("DBSIZE",), ("PING",), ("GET",), ("MGET",),
        ]:
            d.check(*cmd)
        d.check("KEYS", "*", mode=UNORDERED)


# Keys over all three nodes, some sharing a slot through hash tags.
POOL = ["a", "b", "c", "d", "f", "g", "x", "z", "{a}1", "{a}2", "{b}1",
        "{b}2", "{c}x", "x{c}", "{}a", "{}b", "a{", "{user}1", "{user}2"]


def gen_routed(gen):
    """A random keyed command, one to four keys from POOL."""
    rng = gen.rng

    def keys(lo, hi):
        return [rng.choice(POOL) for _ in range(rng.randint(lo, hi))]

    pick = rng.randrange(9)
    if pick == 0:
        return ["SET", rng.choice(POOL), gen.value()]
    if pick == 1:
        return ["GET", rng.choice(POOL)]
    if pick == 2:
        return ["MGET"] + keys(1, 4)
    if pick == 3:
        ks = keys(1, 3)
        return ["MSET"] + [x for k in ks for x in (k, gen.value())]
    if pick == 4:
        return ["DEL"] + keys(1, 3)
    if pick == 5:
        return ["RPOPLPUSH"] + keys(2, 2)
    if pick == 6:
        ks = keys(1, 3)
        return ["EVAL", "return #KEYS", str(len(ks))] + ks
    if pick == 7:
        return ["SUNIONSTORE"] + keys(2, 4)
    return ["EXISTS"] + keys(1, 4)


def test_random_routing(cl):
    seed = resolve_seed(None)
    rng = random.Random(seed)
    for i in range(NODES):
        d = cl.differ(i)
        d.seed = seed
        run_random(d, [gen_routed], n=300, seed=rng.randrange(1 << 30))


def test_cluster_slots(cl):
    for i in range(NODES):
        d = cl.differ(i)
        d.check("CLUSTER", "SLOTS")
        d.check("HELLO", "3", normalize=lambda r: resp.normalized("hello"))
        d.check("CLUSTER", "SLOTS")
        d.check("CLUSTER", "SLOTS", "x")


def shards_canonical(norm):
    """CLUSTER SHARDS in slot order (Redis lists shards in hash-table
    order), replication offsets blanked (ours has none yet)."""
    def canon(r):
        r = norm(r)
        if r.is_error:
            return r
        shards = []
        for shard in r.value:
            pairs = shard.value if shard.kind == resp.MAP else tuple(
                zip(shard.value[0::2], shard.value[1::2]))
            shards.append((shard.kind, tuple(_blank_offsets(p) for p in pairs)))
        shards.sort(key=lambda s: s[1][0][1].value[0].value)
        return Reply(r.kind, tuple(Reply(k, v) for k, v in shards))
    return canon


def _blank_offsets(pair):
    k, v = pair
    if k.value != b"nodes":
        return pair
    nodes = []
    for node in v.value:
        items = list(node.value)
        if node.kind == resp.MAP:
            items = [(a, resp.normalized("offset")
                      if a.value == b"replication-offset" else b)
                     for a, b in items]
        else:
            for j in range(0, len(items) - 1, 2):
                if items[j].value == b"replication-offset":
                    items[j + 1] = resp.normalized("offset")
        nodes.append(Reply(node.kind, tuple(items)))
    return (k, Reply(v.kind, tuple(nodes)))


def test_cluster_shards(cl):
    for i in range(NODES):
        d = cl.differ(i)
        d.check("CLUSTER", "SHARDS", normalize=shards_canonical(cl.norm))
        d.check("HELLO", "3", normalize=lambda r: resp.normalized("hello"))
        d.check("CLUSTER", "SHARDS", normalize=shards_canonical(cl.norm))


def nodes_canonical(norm):
    """CLUSTER NODES with ping-sent and pong-recv (times) blanked and the
    lines sorted (Redis prints them in hash-table order)."""
    def canon(r):
        r = norm(r)
        if r.is_error:
            return r
        text = r.value[1] if r.kind == resp.VERBATIM else r.value
        assert text.endswith(b"\n")
        lines = []
        for line in text.decode().splitlines():
            f = line.split(" ")
            assert len(f) >= 8, line
            assert f[4].isdigit() and f[5].isdigit(), line
            f[4] = f[5] = "<time>"
            lines.append(" ".join(f))
        kind = r.kind if r.kind != resp.VERBATIM else (r.kind, r.value[0])
        return resp.normalized(repr((kind, sorted(lines))))
    return canon


def test_cluster_nodes(cl):
    for i in range(NODES):
        d = cl.differ(i)
        d.check("CLUSTER", "NODES", normalize=nodes_canonical(cl.norm))
        d.check("HELLO", "3", normalize=lambda r: resp.normalized("hello"))
        d.check("CLUSTER", "NODES", normalize=nodes_canonical(cl.norm))
    # The line format redis-cli parses, field by field, on shoal.
    with RawConn(cl.shoal[0].host, cl.shoal[0].port) as c:
        text = c.call("CLUSTER", "NODES").value.decode()
    pattern = re.compile(r"^[0-9a-f]{40} 127\.0\.0\.1:(\d+)@(\d+) "
                         r"(myself,)?master - 0 \d+ \d+ connected "
                         r"\d+-\d+$")
    lines = text.splitlines()
    assert len(lines) == NODES
    for line in lines:
        m = pattern.match(line)
        assert m, line
        assert int(m.group(2)) == int(m.group(1)) + 10000
    assert sum("myself" in line for line in lines) == 1


def info_canonical(norm):
    """CLUSTER INFO's state fields (the first nine); the message counters
    that follow count cluster bus traffic, which shoal does not have."""
    def canon(r):
        r = norm(r)
        if r.is_error:
            return r
        text = r.value[1] if r.kind == resp.VERBATIM else r.value
        assert text.endswith(b"\r\n")
        kind = r.kind if r.kind != resp.VERBATIM else (r.kind, r.value[0])
        return resp.normalized(repr((kind, text.split(b"\r\n")[:9])))
    return canon


def test_cluster_info(cl):
    for i in range(NODES):
        d = cl.differ(i)
        d.check("CLUSTER", "INFO", normalize=info_canonical(cl.norm))
        d.check("HELLO", "3", normalize=lambda r: resp.normalized("hello"))
        d.check("CLUSTER", "INFO", normalize=info_canonical(cl.norm))
    if is_redis_binary(shoal_binary()):
        return  # DIFF_SELFTEST: that side has a cluster bus
    with RawConn(cl.shoal[0].host, cl.shoal[0].port) as c:
        fields = dict(line.split(":", 1) for line in
                      c.call("CLUSTER", "INFO").value.decode().splitlines())
    # Every counter Redis always prints is there, at 0 without a bus.
    assert fields["cluster_stats_messages_sent"] == "0"
    assert fields["cluster_stats_messages_received"] == "0"
    assert fields["total_cluster_links_buffer_limit_exceeded"] == "0"


def test_node_commands(cl):
    d = cl.differ(1)
    d.normalize = cl.norm
    d.check("CLUSTER", "MYID")
    for i in range(NODES):
        own = node_id(cl.shoal[i]).decode()
        other = node_id(cl.redis[i]).decode()
        # The same normalized id names node i on both sides.
        for sub in ("REPLICAS", "SLAVES"):
            for n, nid in ((cl.shoal[1], own), (cl.redis[1], other)):
                with RawConn(n.host, n.port) as c:
                    assert c.call("CLUSTER", sub, nid) == resp.array(), n
    d.check("CLUSTER", "REPLICAS", "0" * 40)
    d.check("CLUSTER", "SLAVES", "nosuchnode")
    d.check("CLUSTER", "REPLICAS")
    d.check("CLUSTER", "FOO")
    d.check("CLUSTER", "ADDSLOTZ", "1")
    d.check("CLUSTER")
    d.check("CLUSTER", "MYID", "x")
    d.check("CLUSTER", "INFO", "x")


def test_keys_in_slot(cl):
    d = cl.differ(0)
    slot = 3300  # "b", owned by node 0
    for i in range(25):
        d.check("SET", f"{{b}}{i}", "v")
    d.check("SET", "b", "v")
    d.check("CLUSTER", "COUNTKEYSINSLOT", str(slot))
    d.check("CLUSTER", "COUNTKEYSINSLOT", "3168")
    d.check("CLUSTER", "COUNTKEYSINSLOT", "15495")  # another node's slot
    d.check("CLUSTER", "GETKEYSINSLOT", str(slot), "100", mode=UNORDERED)
    d.check("CLUSTER", "GETKEYSINSLOT", str(slot), "26", mode=UNORDERED)
    d.check("CLUSTER", "GETKEYSINSLOT", str(slot), "0")
    d.check("CLUSTER", "GETKEYSINSLOT", "15495", "10")
    few = d.check("CLUSTER", "GETKEYSINSLOT", str(slot), "5",
                  normalize=lambda r: resp.normalized(len(r.value)))
    assert len(few.value) == 5
    for bad in (["COUNTKEYSINSLOT", "16384"], ["COUNTKEYSINSLOT", "-1"],
                ["COUNTKEYSINSLOT", "abc"], ["COUNTKEYSINSLOT", ""],
                ["COUNTKEYSINSLOT", "1.5"],
                ["COUNTKEYSINSLOT", "99999999999999999999"],
                ["GETKEYSINSLOT", "5", "-1"], ["GETKEYSINSLOT", "5", "abc"],
                ["GETKEYSINSLOT", "abc", "-1"], ["GETKEYSINSLOT", "16384", "1"],
                ["GETKEYSINSLOT", "-5", "1"], ["GETKEYSINSLOT", "5"],
                ["COUNTKEYSINSLOT"]):
        d.check("CLUSTER", *bad)


def test_select_and_databases(cl):
    d = cl.differ(0)
    d.normalize = cl.norm
    d.check("SET", "{b}1", "x")
    for cmd in [("SELECT", "0"), ("SELECT", "1"), ("SELECT", "15"),
                ("SELECT", "100"), ("SELECT", "-1"), ("SELECT", "abc"),
                ("SWAPDB", "0", "1"), ("SWAPDB", "0", "0"),
                ("SWAPDB", "a", "b"), ("MOVE", "b", "1"), ("MOVE", "b", "0"),
                ("MOVE", "b", "abc"), ("MOVE", "{b}1", "1"), ("MOVE", "a", "1"),
                ("COPY", "{b}1", "{b}2", "DB", "1"),
                ("COPY", "{b}1", "{b}2", "DB", "15"),
                ("COPY", "{b}1", "{b}2", "DB", "100"),
                ("COPY", "{b}1", "{b}2", "DB", "abc"),
                ("COPY", "{b}1", "{b}2", "DB", "0"),
                ("COPY", "a", "b", "DB", "1"),
                ("GET", "{b}2"), ("MULTI",), ("SELECT", "1"), ("SELECT", "0"),
                ("EXEC",), ("HELLO", "3"), ("CLIENT", "INFO")]:
        if cmd[0] in ("HELLO", "CLIENT"):
            d.check(*cmd, normalize=lambda r: resp.normalized("per process"))
        else:
            d.check(*cmd)


def test_transactions(cl):
    d = cl.differ(0)
    d.normalize = cl.norm
    for cmd in [
        # commands of one slot, different slots, one from another node
        ("MULTI",), ("SET", "{b}1", "1"), ("SET", "{b}2", "2"), ("EXEC",),
        ("MULTI",), ("SET", "b", "1"), ("SET", "f", "2"), ("EXEC",),
        ("EXEC",), ("GET", "b"),
        ("MULTI",), ("SET", "b", "1"), ("GET", "a"), ("EXEC",),
        ("MULTI",), ("SET", "b", "1"), ("MGET", "b", "f"), ("EXEC",),
        ("MULTI",), ("GET", "a"), ("DISCARD",),
        ("MULTI",), ("PING",), ("EXEC",), ("MULTI",), ("EXEC",),
        ("MULTI",), ("PING",), ("GET", "b"), ("DBSIZE",), ("EXEC",),
        # WATCH routes too, inside and outside MULTI
        ("WATCH", "a"), ("WATCH", "b", "f"), ("WATCH", "b"),
        ("MULTI",), ("WATCH", "a"), ("WATCH", "b"), ("EXEC",),
        ("MULTI",), ("SET", "{b}9", "1"), ("SET", "{a}9", "1"), ("EXEC",),
        ("GET", "{b}9"),
    ]:
        d.check(*cmd)


def test_scripts(cl):
    """Declared keys route the script; keys a script reaches with
    redis.call / redis.pcall must be served here, or the call fails."""
    d = cl.differ(0)
    get = "return redis.call('get', KEYS[1] or ARGV[1])"
    for cmd in [
        ("SET", "f", "local"),
        ("EVAL", "return redis.call('get','f')", "1", "b"),
        ("EVAL", "return redis.call('get','a')", "1", "b"),
        ("EVAL", "return redis.call('get','a')", "0"),
        ("EVAL", "return redis.call('get','f')", "0"),
        ("EVAL", "return redis.call('mget','b','f')", "1", "b"),
        ("EVAL", "return redis.pcall('get','a')", "1", "b"),
        ("EVAL", "return redis.pcall('mget','b','a')", "0"),
        ("EVAL", "redis.call('get','b'); return redis.call('get','f')", "0"),
        ("EVAL", "return redis.call('set','c','1')", "0"),
        ("EVAL", "return redis.call('ping')", "1", "a"),
        ("EVAL", get, "1", "a"), ("EVAL", get, "0", "a"),
        ("EVAL", get, "0", "f"), ("EVAL", get, "2", "b", "f"),
        ("EVAL", "return redis.call('select','1')", "0"),
        ("EVAL", "return redis.call('cluster','keyslot','a')", "0"),
        ("EVAL_RO", "return redis.call('get','a')", "0"),
    ]:
        d.check(*cmd)


def test_pubsub_routing(cl):
    d = cl.differ(2)
    d.normalize = cl.norm
    for cmd in [("SPUBLISH", "a", "m"), ("SPUBLISH", "b", "m"),
                ("SPUBLISH", "{a}x", "m"), ("PUBLISH", "b", "m"),
                ("SSUBSCRIBE", "a", "b"), ("SSUBSCRIBE", "b"),
                ("SUNSUBSCRIBE", "b"), ("SUNSUBSCRIBE", "a", "d"),
                ("SUNSUBSCRIBE",), ("PUBSUB", "SHARDNUMSUB", "a", "b")]:
        d.check(*cmd)


def test_readonly_readwrite_asking(cl):
    d = cl.differ(0)
    d.normalize = cl.norm

    def flags(r):
        m = re.search(rb" flags=(\S+) ", r.value)
        return resp.normalized(m.group(1).decode() if m else repr(r))

    for cmd in [("READONLY",), ("GET", "a"), ("GET", "b"), ("SET", "a", "1"),
                ("READWRITE",), ("GET", "a"), ("ASKING",), ("GET", "a"),
                ("ASKING",), ("SET", "b", "1"), ("READONLY", "x"),
                ("ASKING", "x")]:
        d.check(*cmd)
    d.check("READONLY")
    d.check("CLIENT", "INFO", normalize=flags)
    d.check("RESET")
    d.check("CLIENT", "INFO", normalize=flags)


# ---------------------------------------------- outside the 3-node cluster


def test_unserved_slots(shoal_factory, redis_factory, tmp_path):
    """Slots nobody serves (unassigned, or owned by a node that is down)
    answer -CLUSTERDOWN Hash slot not served; the first key decides, as in
    Redis. The oracle: one Redis node owning 0-5460 only, with
    cluster-require-full-coverage off so its other slots still work."""
    if is_redis_binary(shoal_binary()):
        pytest.skip("needs shoal's topology file")
    port = pick_ports(1, bus=False)[0]
    ids = [secrets.token_hex(20) for _ in range(3)]
    topo = tmp_path / "topology"
    # node 1 is down and owns 5461-10922; 10923-16383 is unassigned
    topo.write_text(topology_text([port, 1, 2], ids, ids,
                                  [RANGES[0], RANGES[1], None], [1, 0, 1]))
    shoal = shoal_factory({"cluster-enabled": "yes",
                           "cluster-config-file": str(topo),
                           "cluster-node-id": ids[0]}, start=False)
    start_on(shoal, port)
    redis = redis_factory({"cluster-enabled": "yes",
                           "cluster-require-full-coverage": "no"},
                          start=False)
    start_on(redis, pick_ports(1, bus=True)[0])
    with RawConn(redis.host, redis.port) as c:
        assert c.call("CLUSTER", "ADDSLOTSRANGE", "0", "5460") == resp.OK
    deadline = time.monotonic() + 20
    while True:
        with RawConn(redis.host, redis.port) as c:
            if b"cluster_state:ok" in c.call("CLUSTER", "INFO").to_python():
                break
        assert time.monotonic() < deadline, "redis node never became ok"
        time.sleep(0.1)
    d = Differ(shoal, redis)
    try:
        for cmd in [("GET", "a"), ("GET", "c"), ("GET", "b"), ("SET", "b", "1"),
                    ("MGET", "a", "b"), ("MGET", "c", "b"), ("MGET", "b", "a"),
                    ("MGET", "b", "f"), ("SPUBLISH", "c", "m"),
                    ("EVAL", "return 1", "1", "a"), ("MULTI",), ("GET", "c"),
                    ("EXEC",), ("MULTI",), ("GET", "b"), ("EXEC",),
                    ("CLUSTER", "COUNTKEYSINSLOT", "15495"), ("DBSIZE",)]:
            d.check(*cmd)
    finally:
        d.close()


CLUSTER_ONLY = [("CLUSTER", "INFO"), ("CLUSTER", "SLOTS"), ("CLUSTER", "NODES"),
                ("CLUSTER", "SHARDS"), ("CLUSTER", "MYID"),
                ("CLUSTER", "KEYSLOT", "a"), ("CLUSTER", "HELP"),
                ("CLUSTER", "COUNTKEYSINSLOT", "1"),
                ("CLUSTER", "GETKEYSINSLOT", "1", "1"),
                ("CLUSTER", "REPLICAS", "x"), ("CLUSTER", "SLAVES", "x"),
                ("CLUSTER", "LINKS"), ("READONLY",), ("READWRITE",),
                ("ASKING",), ("CLUSTER", "FOO")]


def test_cluster_mode_off(differ):
    """A standalone shard (cluster mode off) refuses them all as Redis."""
    for cmd in CLUSTER_ONLY:
        differ.check(*cmd)
    differ.check("SELECT", "1")
    differ.check("SET", "a", "1")
    differ.check("MGET", "a", "b")
    differ.check("INFO", "cluster", mode=EXACT)
