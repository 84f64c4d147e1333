#!/usr/bin/python3
"""Capture golden stream nodes from a real redis-server 7.0.

Starts its own redis-server (rdbcompression off), replays scripted and
seeded-random scenarios of XADD / XDEL / XTRIM with explicit IDs and node
limits on one stream, DUMPs it, checks the framing (RDB 10, CRC64) and
parses the stream payload (RDB_TYPE_STREAM_LISTPACKS_2): every node's
16-byte master ID and listpack, and the stream's length, IDs and counters,
plus XINFO's radix-tree-nodes. Writes tests/unit/vectors_stream.h; the
cmocka test replays each scenario through shard/stream.c and compares the
nodes byte for byte.

Usage: tests/unit/capture_stream.py [--port N] [--server /usr/bin/redis-server]
"""
import argparse
import os
import random
import subprocess
import sys
import time

import redis

RDB_TYPE_STREAM_LISTPACKS_2 = 19
RDB_VERSION = 10
HERE = os.path.dirname(os.path.abspath(__file__))

# Operations, as the C test replays them.
ADD, DEL, TRIM, CFG = "SV_ADD", "SV_DEL", "SV_TRIM", "SV_CFG"
MAXLEN, MINID = 1, 2


def crc64(data):
    """Redis's CRC-64/Jones (reflected polynomial 0x95ac9329ac4bc9b5)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc


class Reader:
    """Walks an RDB object payload."""

    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def length(self):
        b = self.buf[self.pos]
        kind = b >> 6
        if kind == 0:
            self.pos += 1
            return b & 0x3F
        if kind == 1:
            self.pos += 2
            return ((b & 0x3F) << 8) | self.buf[self.pos - 1]
        if b == 0x80:
            self.pos += 5
            return int.from_bytes(self.buf[self.pos - 4:self.pos], "big")
        if b == 0x81:
            self.pos += 9
            return int.from_bytes(self.buf[self.pos - 8:self.pos], "big")
        raise ValueError("encoded RDB string 0x%02x (rdbcompression on?)" % b)

    def string(self):
        n = self.length()
        self.pos += n
        return bytes(self.buf[self.pos - n:self.pos])


def parse_stream(payload):
    body, ver, crc = payload[:-10], payload[-10:-8], payload[-8:]
    assert int.from_bytes(ver, "little") == RDB_VERSION, ver
    assert crc64(payload[:-8]) == int.from_bytes(crc, "little"), "bad CRC"
    assert body[0] == RDB_TYPE_STREAM_LISTPACKS_2, body[0]
    rd = Reader(body, 1)
    nodes = []
    for _ in range(rd.length()):
        key = rd.string()
        assert len(key) == 16, key
        nodes.append((key, rd.string()))
    meta = {"length": rd.length()}
    for name in ("last", "first", "maxdel"):
        meta[name] = (rd.length(), rd.length())
    meta["added"] = rd.length()
    assert rd.length() == 0, "scenarios have no groups"
    assert rd.pos == len(body)
    return nodes, meta


def c_bytes(data):
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\?':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


class Scenario:
    def __init__(self, name, r):
        self.name, self.r, self.ops = name, r, []
        r.delete("s")
        self.cfg(4096, 100)

    def cfg(self, max_bytes, max_entries):
        self.r.config_set("stream-node-max-bytes", max_bytes)
        self.r.config_set("stream-node-max-entries", max_entries)
        self.ops.append((CFG, 0, 0, max_bytes, max_entries, 0, []))

    def add(self, ms, seq, *fv):
        fv = [x if isinstance(x, bytes) else str(x).encode() for x in fv]
        got = self.r.execute_command("XADD", "s", "%d-%d" % (ms, seq), *fv)
        assert got == b"%d-%d" % (ms, seq), got
        self.ops.append((ADD, ms, seq, 0, 0, 0, fv))

    def delete(self, ms, seq):
        self.r.execute_command("XDEL", "s", "%d-%d" % (ms, seq))
        self.ops.append((DEL, ms, seq, 0, 0, 0, []))

    def trim(self, strategy, arg, approx=False, limit=0):
        """arg: maxlen, or an (ms, seq) MINID."""
        cmd = ["XTRIM", "s", "MAXLEN" if strategy == MAXLEN else "MINID"]
        if approx:
            cmd.append("~")
        cmd.append(str(arg) if strategy == MAXLEN else "%d-%d" % arg)
        if approx:
            cmd += ["LIMIT", str(limit)]
        self.r.execute_command(*cmd)
        ms, seq = (0, 0) if strategy == MAXLEN else arg
        maxlen = arg if strategy == MAXLEN else 0
        self.ops.append((TRIM, ms, seq, strategy | (2 if approx else 0) << 4,
                         maxlen, limit, []))

    def capture(self):
        self.nodes, self.meta = parse_stream(self.r.dump("s"))
        info = self.r.execute_command("XINFO", "STREAM", "s")
        info = dict(zip(info[0::2], info[1::2]))
        self.rax_nodes = info[b"radix-tree-nodes"]
        assert info[b"radix-tree-keys"] == len(self.nodes)
        return self


def scripted(r):
    out = []
    s = Scenario("basic", r)
    s.add(1, 1, "a", 1, "b", 2)
    s.add(1, 2, "a", 3, "b", 4)
    s.add(2, 0, "c", "x")
    out.append(s.capture())

    s = Scenario("values", r)
    vals = [b"", b"0", b"-1", b"127", b"128", b"-4096", b"4095", b"8191",
            b"-32768", b"32767", b"8388607", b"-8388608", b"2147483647",
            b"9223372036854775807", b"-9223372036854775808",
            b"9223372036854775808", b"01", b"-0", b" 1", b"1.5", b"\x00\xff",
            b"x" * 63, b"y" * 64]
    for i, v in enumerate(vals):
        s.add(10 + i, 0, "f", v, "g", v)
        s.add(10 + i, 1, v, v)
        s.add(10 + i, 2, "f", v)
        s.add(10 + i, 3, "g", v, "f", v)
    s.add(100, 0, "f", b"w" * 4096)
    out.append(s.capture())

    s = Scenario("id-deltas", r)
    for ms, seq in ((5, 100), (5, 101), (6, 0), (6, 99), (1000, 3), (70000, 1),
                    (1 << 32, 0), ((1 << 40) + 5, 1 << 33),
                    ((1 << 64) - 1, 0), ((1 << 64) - 1, (1 << 64) - 1)):
        s.add(ms, seq, "f", ms % 97)
    out.append(s.capture())

    s = Scenario("split-entries", r)
    s.cfg(4096, 3)
    for i in range(1, 12):
        s.add(i, 0, "f", i)
    s.cfg(4096, 5)
    for i in range(12, 20):
        s.add(i, 0, "f", i, "g", "x")
    out.append(s.capture())

    s = Scenario("split-bytes", r)
    s.cfg(120, 0)
    for i in range(1, 30):
        s.add(i, 0, "f", "v" * (i % 9 * 7))
    s.cfg(0, 0)
    for i in range(30, 60):
        s.add(i, 0, "f", "v" * 50)
    out.append(s.capture())

    s = Scenario("xdel", r)
    s.cfg(4096, 4)
    for i in range(1, 20):
        s.add(i, 0, "f", i)
    for i in (2, 5, 6, 7, 8, 19, 1, 13, 14, 15):
        s.delete(i, 0)
    s.add(20, 0, "f", 20)
    out.append(s.capture())

    s = Scenario("xdel-all", r)
    for i in range(1, 5):
        s.add(i, 0, "f", i)
    for i in range(1, 5):
        s.delete(i, 0)
    out.append(s.capture())

    s = Scenario("trim", r)
    s.cfg(4096, 10)
    for i in range(1, 60):
        s.add(i, 1, "f", i)
    s.trim(MAXLEN, 45, approx=True, limit=1000)
    s.trim(MAXLEN, 33)
    s.trim(MINID, (40, 0), approx=True, limit=1000)
    s.trim(MINID, (43, 1))
    s.trim(MAXLEN, 5, approx=True, limit=10)
    s.trim(MAXLEN, 5, approx=True, limit=20)
    out.append(s.capture())

    s = Scenario("trim-all", r)
    for i in range(1, 40):
        s.add(i, 1, "f", i)
    s.trim(MAXLEN, 0)
    out.append(s.capture())
    return out


def seeded(r, seed, n):
    rng = random.Random(seed)
    s = Scenario("random-%d" % seed, r)
    s.cfg(rng.choice([60, 200, 4096]), rng.choice([0, 2, 5, 100]))
    ms, live = 1, []
    fields = [[b"a"], [b"a", b"b"], [b"b", b"a"], [b"7"], [b"a", b"b", b"c"]]
    for _ in range(n):
        x = rng.random()
        if x < 0.7:
            ms += rng.randint(0, 3)
            seq = rng.randint(0, 5)
            if live and (ms, seq) <= live[-1]:
                seq = live[-1][1] + 1 if ms == live[-1][0] else seq
            fv = []
            for f in rng.choice(fields):
                fv += [f, rng.choice([str(rng.randint(-300, 70000)).encode(),
                                      b"v" * rng.randint(0, 40)])]
            s.add(ms, seq, *fv)
            live.append((ms, seq))
        elif x < 0.85 and live:
            victim = rng.choice(live)
            s.delete(*victim)
            live.remove(victim)
        elif x < 0.95:
            if rng.random() < 0.5:
                s.trim(MAXLEN, rng.randint(0, 30), approx=rng.random() < 0.5,
                       limit=rng.choice([0, 5, 50]))
            else:
                s.trim(MINID, (rng.randint(0, ms), rng.randint(0, 5)),
                       approx=rng.random() < 0.5, limit=rng.choice([0, 5, 50]))
            length = r.xlen("s")
            ids = [e[0] for e in r.xrange("s", "-", "+")]
            live = [tuple(int(p) for p in i.split(b"-")) for i in ids]
            assert len(live) == length
        else:
            s.cfg(rng.choice([60, 200, 4096]), rng.choice([0, 2, 5, 100]))
    return s.capture()


def write_header(cases, version, path):
    out = ["/* Generated by tests/unit/capture_stream.py from %s: do not" % version,
           " * edit. Scenarios of XADD/XDEL/XTRIM (explicit IDs) and the",
           " * stream's nodes DUMP then held: master ID and listpack bytes. */",
           "#ifndef VECTORS_STREAM_H", "#define VECTORS_STREAM_H", "",
           "#include <stddef.h>", "#include <stdint.h>", "",
           "enum { SV_ADD, SV_DEL, SV_TRIM, SV_CFG };", "",
           "typedef struct sv_tok {", "    const char *p;", "    size_t n;",
           "} sv_tok;", "",
           "/* ADD ms-seq fv; DEL ms-seq; TRIM: a = strategy (1 MAXLEN,",
           " * 2 MINID) | 0x20 if approximate, b = maxlen, c = limit, MINID",
           " * ms-seq; CFG: a = node max bytes, b = node max entries. */",
           "typedef struct sv_op {", "    int kind;", "    uint64_t ms, seq;",
           "    long long a, b, c;", "    int nfv;", "    const sv_tok *fv;",
           "} sv_op;", "",
           "typedef struct sv_node {", "    const char *key; /* 16 bytes */",
           "    const char *lp;", "    size_t len;", "} sv_node;", "",
           "typedef struct sv_case {", "    const char *name;", "    int nops;",
           "    const sv_op *ops;", "    int nnodes;", "    const sv_node *nodes;",
           "    uint64_t length, added;", "    uint64_t last[2], first[2], maxdel[2];",
           "    long long rax_nodes;", "} sv_case;", ""]
    for ci, c in enumerate(cases):
        for oi, op in enumerate(c.ops):
            if op[6]:
                out.append("static const sv_tok sv_fv_%d_%d[] = {" % (ci, oi))
                for t in op[6]:
                    out.append("    {%s, %d}," % (c_bytes(t), len(t)))
                out.append("};")
        out.append("static const sv_op sv_ops_%d[] = {" % ci)
        for oi, op in enumerate(c.ops):
            kind, ms, seq, a, b, cc, fv = op
            out.append("    {%s, %dULL, %dULL, %d, %d, %d, %d, %s}," % (
                kind, ms, seq, a, b, cc, len(fv),
                "sv_fv_%d_%d" % (ci, oi) if fv else "NULL"))
        out.append("};")
        out.append("static const sv_node sv_nodes_%d[] = {" % ci)
        for key, lp in c.nodes:
            out.append("    {%s,\n     %s,\n     %d}," % (c_bytes(key), c_bytes(lp), len(lp)))
        if not c.nodes:
            out.append("    {NULL, NULL, 0},")
        out.append("};")
    out.append("static const sv_case sv_cases[] = {")
    for ci, c in enumerate(cases):
        m = c.meta
        out.append('    {"%s", %d, sv_ops_%d, %d, sv_nodes_%d, %dULL, %dULL,' % (
            c.name, len(c.ops), ci, len(c.nodes), ci, m["length"], m["added"]))
        out.append("     {%dULL, %dULL}, {%dULL, %dULL}, {%dULL, %dULL}, %d}," % (
            m["last"] + m["first"] + m["maxdel"] + (c.rax_nodes,)))
    out.append("};")
    out += ["", "#endif", ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=6589)
    ap.add_argument("--server", default="/usr/bin/redis-server")
    args = ap.parse_args()
    proc = subprocess.Popen(
        [args.server, "--port", str(args.port), "--save", "",
         "--appendonly", "no", "--rdbcompression", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=args.port)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        ver = r.info("server")["redis_version"]
        if not ver.startswith("7.0."):
            sys.exit("need redis-server 7.0, got " + ver)
        cases = scripted(r) + [seeded(r, seed, 300) for seed in (1, 2, 3)]
    finally:
        proc.terminate()
        proc.wait()
    write_header(cases, "redis-server " + ver, os.path.join(HERE, "vectors_stream.h"))
    print("wrote %d stream scenarios from redis-server %s" % (len(cases), ver))


if __name__ == "__main__":
    main()
