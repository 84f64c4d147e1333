#!/usr/bin/python3
"""Capture golden LZF streams and quicklist node layouts from redis-server.

Starts its own redis-server (rdbcompression yes for the LZF strings, no for
the lists, so uncompressed quicklist nodes come out raw) and writes:

  tests/unit/vectors_lzf.h        strings SET then DUMPed: the DUMP payload
      is RDB type 0 + 0xC3 <clen> <ulen> <LZF bytes>; we keep the value and
      liblzf's LZF bytes (redis-server's own encoder).
  tests/unit/vectors_quicklist.h  scripted list-command sequences replayed
      on one key per scenario (list-max-listpack-size, list-compress-depth,
      DEBUG QUICKLIST-PACKED-THRESHOLD set first); every few commands the
      key is DUMPed and each quicklist node recorded: container, whether
      redis-server had it LZF-compressed, entry count, size and FNV-1a 64
      of its (decompressed) listpack or plain bytes.

test_lzf.c decodes the LZF vectors; test_quicklist.c replays the scripts on
ql_ exactly as t_list.c drives quicklist.c and compares node by node.

Usage: tests/unit/capture_lzf_quicklist.py [--port N]
                                           [--server /usr/bin/redis-server]
"""
import argparse
import os
import random
import subprocess
import sys
import time

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
RDB_VERSION = 10
RDB_TYPE_STRING = 0
RDB_TYPE_LIST_QUICKLIST_2 = 18
RAW_INLINE_MAX = 2000  # longer (random) values: length + FNV only
PAD = b"abcdefghijklmnopqrstuvwxyz0123456789"


def crc64(data):
    # Redis's CRC-64/Jones, reflected polynomial 0x95ac9329ac4bc9b5.
    crc = 0
    for b in data:
        c = (crc ^ b) & 0xFF
        for _ in range(8):
            c = (c >> 1) ^ 0x95AC9329AC4BC9B5 if c & 1 else c >> 1
        crc = c ^ (crc >> 8)
    return crc


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def lzf_decompress(src, ulen):
    """Reference decoder (format in common/lzf.h)."""
    out, i = bytearray(), 0
    while i < len(src):
        c = src[i]
        i += 1
        if c < 32:
            out += src[i:i + c + 1]
            i += c + 1
            continue
        n = c >> 5
        if n == 7:
            n += src[i]
            i += 1
        ref = len(out) - ((c & 0x1F) << 8) - src[i] - 1
        i += 1
        assert ref >= 0
        for k in range(n + 2):
            out.append(out[ref + k])
    assert len(out) == ulen, (len(out), ulen)
    return bytes(out)


def rdb_len(buf, i):
    """Decode an RDB length; returns (value, next, special-encoding?)."""
    b = buf[i]
    kind = b >> 6
    if kind == 0:
        return b & 0x3F, i + 1, False
    if kind == 1:
        return ((b & 0x3F) << 8) | buf[i + 1], i + 2, False
    if kind == 3:
        return b & 0x3F, i + 1, True
    if b == 0x80:
        return int.from_bytes(buf[i + 1:i + 5], "big"), i + 5, False
    if b == 0x81:
        return int.from_bytes(buf[i + 1:i + 9], "big"), i + 9, False
    raise ValueError("bad RDB length byte 0x%02x" % b)


def rdb_string(buf, i):
    """Returns (raw bytes, lzf bytes or None, next index)."""
    n, i, special = rdb_len(buf, i)
    if not special:
        return bytes(buf[i:i + n]), None, i + n
    assert n == 3, "integer-encoded string where a blob was expected"
    clen, i, _ = rdb_len(buf, i)
    ulen, i, _ = rdb_len(buf, i)
    lzf = bytes(buf[i:i + clen])
    return lzf_decompress(lzf, ulen), lzf, i + clen


def dump_body(r, key):
    p = r.dump(key)
    if p is None:
        return None
    assert int.from_bytes(p[-10:-8], "little") == RDB_VERSION
    assert crc64(p[:-8]) == int.from_bytes(p[-8:], "little"), "bad CRC"
    return p[:-10]


def c_literal(data, width=72):
    """C string literal(s) for data, split over lines."""
    lines, cur = [], ""
    for b in data:
        c = chr(b)
        if c in '"\\?':
            piece = "\\" + c
        elif 0x20 <= b < 0x7F:
            piece = c
        else:
            piece = "\\%03o" % b
        if len(cur) + len(piece) > width:
            lines.append('"%s"' % cur)
            cur = ""
        cur += piece
    lines.append('"%s"' % cur)
    return "\n        ".join(lines)


# ---- LZF ----------------------------------------------------------------

def lzf_values():
    rng = random.Random(11)
    vals = [
        ("run_a", b"a" * 100),
        ("text", b"The quick brown fox jumps over the lazy dog. " * 6),
        ("numbers", b",".join(b"%05d" % i for i in range(300))),
        ("long_run", b"x" * 3000 + b"y" * 3000),
        ("small_alphabet", bytes(rng.choice(b"abcd") for _ in range(600))),
        ("cycle256", bytes(range(256)) * 4),
        ("far_repeat",
         bytes(rng.randrange(256) for _ in range(2000)) * 2),
        ("near_8k",
         bytes(rng.randrange(256) for _ in range(8190)) * 2 + b"z" * 40),
        ("max_matches", (b"0123456789" * 30 + b"#") * 8),
        ("min_len", b"abcabcabcabcabcabcabcabcabc"),
    ]
    return vals


def capture_lzf(r):
    r.config_set("rdbcompression", "yes")
    out = []
    for name, val in lzf_values():
        r.set("lzf", val)
        body = dump_body(r, "lzf")
        assert body[0] == RDB_TYPE_STRING
        raw, lzf, end = rdb_string(body, 1)
        assert end == len(body) and lzf is not None, name
        assert raw == val
        out.append((name, val, lzf))
    r.delete("lzf")
    return out


def write_lzf_header(vecs, version, path):
    o = ["/* Golden LZF streams from %s's liblzf, captured by" % version,
         " * tests/unit/capture_lzf_quicklist.py: SET k <value> with",
         " * rdbcompression yes, DUMP k, CRC64 checked, and the LZF bytes",
         " * cut out of the RDB string (0xC3 <clen> <ulen> <data>). Values",
         " * over %d bytes are kept as length + FNV-1a 64 only." % RAW_INLINE_MAX,
         " * Generated file: do not edit, rerun the script. */",
         "#ifndef VECTORS_LZF_H", "#define VECTORS_LZF_H", "",
         "#include <stddef.h>", "#include <stdint.h>", "",
         "typedef struct {", "    const char *name;",
         "    const char *raw; /* NULL: check raw_len and raw_fnv only */",
         "    size_t raw_len;", "    uint64_t raw_fnv;",
         "    const char *lzf;", "    size_t lzf_len;", "} lzf_vector;", "",
         "static const lzf_vector lzf_vectors[] = {"]
    for name, raw, lzf in vecs:
        o.append("    {\"%s\"," % name)
        if len(raw) <= RAW_INLINE_MAX:
            o.append("        %s," % c_literal(raw))
        else:
            o.append("        NULL,")
        o.append("        %d, 0x%016xULL," % (len(raw), fnv1a64(raw)))
        o.append("        %s," % c_literal(lzf))
        o.append("        %d}," % len(lzf))
    o += ["};", "", "#endif", ""]
    with open(path, "w") as f:
        f.write("\n".join(o))


# ---- quicklist ------------------------------------------------------------

def gen_value(vid, vlen):
    """Same generator as qv_value() in test_quicklist.c."""
    if vlen == 0:
        return b"%d" % ((vid * 7919) % 2000001 - 1000000)
    s = b"v%d:" % vid
    while len(s) < vlen:
        s += PAD[:vlen - len(s)]
    return s[:vlen]


SCENARIOS = [
    # name, fill, depth, packed threshold (0 = default), ops, seed, sizes
    ("fill-2_depth0", -2, 0, 0, 300, 1, (12, 200)),
    ("fill-1_depth1", -1, 1, 0, 300, 2, (12, 300)),
    ("fill5_depth2", 5, 2, 0, 300, 3, (12, 120)),
    ("fill128_depth1", 128, 1, 0, 300, 4, (12, 60)),
    ("fill-2_depth2_plain", -2, 2, 100, 300, 5, (12, 300)),
    ("fill1_depth0", 1, 0, 0, 200, 6, (12, 40)),
    ("fill-5_depth3_big", -5, 3, 0, 250, 7, (500, 3000)),
    ("fill0_depth1", 0, 1, 0, 150, 8, (12, 80)),
    ("fill3_depth1_plain", 3, 1, 60, 300, 9, (12, 120)),
]
SNAP_EVERY = 30


class Script:
    def __init__(self, rng, sizes):
        self.rng, self.sizes = rng, sizes
        self.items = []  # model: list of (vid, vlen)
        self.next_id = 1
        self.ops = []

    def fresh(self):
        rng = self.rng
        if self.items and rng.random() < 0.1:
            return rng.choice(self.items)  # a duplicate value
        vid = self.next_id
        self.next_id += 1
        if rng.random() < 0.25:
            return (vid, 0)
        lo, hi = self.sizes
        if rng.random() < 0.7:
            hi = min(hi, lo + 40)
        return (vid, rng.randint(lo, hi))

    def step(self):
        rng, items = self.rng, self.items
        n = len(items)
        x = rng.random()
        if n == 0 or x < 0.40:
            v = self.fresh()
            if rng.random() < 0.5:
                items.append(v)
                self.ops.append(("R", 0, 0, v, (0, 0)))
            else:
                items.insert(0, v)
                self.ops.append(("L", 0, 0, v, (0, 0)))
        elif x < 0.48:
            if rng.random() < 0.5:
                items.pop()
                self.ops.append(("r", 0, 0, (0, 0), (0, 0)))
            else:
                items.pop(0)
                self.ops.append(("l", 0, 0, (0, 0), (0, 0)))
        elif x < 0.66:
            piv = rng.choice(items)
            pos = items.index(piv)
            v = self.fresh()
            if rng.random() < 0.5:
                items.insert(pos, v)
                self.ops.append(("B", 0, 0, v, piv))
            else:
                items.insert(pos + 1, v)
                self.ops.append(("A", 0, 0, v, piv))
        elif x < 0.80:
            idx = rng.randrange(-n, n)
            v = self.fresh()
            items[idx] = v
            self.ops.append(("S", idx, 0, v, (0, 0)))
        elif x < 0.86:
            a = rng.choice([0, 0, 1, 2, 3, -n - 2])
            b = rng.choice([-1, -1, -2, -3, n + 5])
            self.ops.append(("T", a, b, (0, 0), (0, 0)))
            s, e = a, b
            if s < 0:
                s += n
            if e < 0:
                e += n
            s = max(s, 0)
            if s > e or s >= n:
                items.clear()
            else:
                del items[e + 1:]
                del items[:s]
        elif x < 0.95:
            v = rng.choice(items)
            cnt = rng.choice([0, 1, 2, -1, -2])
            self.ops.append(("M", cnt, 0, v, (0, 0)))
            idxs = [i for i, it in enumerate(items)
                    if gen_value(*it) == gen_value(*v)]
            if cnt < 0:
                idxs = idxs[::-1][:(-cnt)]
            elif cnt > 0:
                idxs = idxs[:cnt]
            for i in sorted(idxs, reverse=True):
                del items[i]
        else:
            # A burst of pushes at one end, to grow runs of full nodes.
            end = "R" if rng.random() < 0.5 else "L"
            for _ in range(rng.randint(5, 30)):
                v = self.fresh()
                if end == "R":
                    items.append(v)
                else:
                    items.insert(0, v)
                self.ops.append((end, 0, 0, v, (0, 0)))


def run_op(r, key, op):
    code, a, b, v, piv = op
    val = gen_value(*v) if code in "RLBASM" else None
    if code == "R":
        r.rpush(key, val)
    elif code == "L":
        r.lpush(key, val)
    elif code == "r":
        r.rpop(key)
    elif code == "l":
        r.lpop(key)
    elif code in "BA":
        where = "BEFORE" if code == "B" else "AFTER"
        got = r.linsert(key, where, gen_value(*piv), val)
        assert got > 0
    elif code == "S":
        r.lset(key, a, val)
    elif code == "T":
        r.ltrim(key, a, b)
    elif code == "M":
        r.lrem(key, a, val)


def snapshot(r, key):
    body = dump_body(r, key)
    if body is None:
        return []
    assert body[0] == RDB_TYPE_LIST_QUICKLIST_2
    nodes, i, _ = rdb_len(body, 1)
    out = []
    for _ in range(nodes):
        container, i, _ = rdb_len(body, i)
        raw, lzf, i = rdb_string(body, i)
        if container == 2:
            count = int.from_bytes(raw[4:6], "little")
        else:
            count = 1
        out.append((container, lzf is not None, count, len(raw),
                    fnv1a64(raw)))
    assert i == len(body)
    return out


def capture_quicklist(r):
    r.config_set("rdbcompression", "no")
    result = []
    for name, fill, depth, thr, nops, seed, sizes in SCENARIOS:
        r.delete("ql")
        r.config_set("list-max-listpack-size", fill)
        r.config_set("list-compress-depth", depth)
        r.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", thr)
        sc = Script(random.Random(seed), sizes)
        while len(sc.ops) < nops:
            sc.step()
        snaps = []
        for k, op in enumerate(sc.ops):
            run_op(r, "ql", op)
            if (k + 1) % SNAP_EVERY == 0 or k + 1 == len(sc.ops):
                snaps.append((k + 1, snapshot(r, "ql")))
        model = [gen_value(*v) for v in sc.items]
        assert r.lrange("ql", 0, -1) == model, name
        result.append((name, fill, depth, thr, sc.ops, snaps))
    r.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", 0)
    r.delete("ql")
    return result


def write_ql_header(scs, version, path):
    o = ["/* Golden quicklist node layouts from %s, captured by" % version,
         " * tests/unit/capture_lzf_quicklist.py: for each scenario, set",
         " * list-max-listpack-size, list-compress-depth and DEBUG",
         " * QUICKLIST-PACKED-THRESHOLD (0 = default), run `ops` on one key",
         " * and every few ops DUMP it (rdbcompression no, CRC64 checked):",
         " * each node's container, whether redis-server stored it",
         " * LZF-compressed, entry count, uncompressed size and FNV-1a 64 of",
         " * its uncompressed bytes. Values come from qv_value(id, len).",
         " * Ops: R/L push, r/l pop, B/A LINSERT BEFORE/AFTER pivot, S LSET a,",
         " * T LTRIM a b, M LREM a. Generated file: do not edit. */",
         "#ifndef VECTORS_QUICKLIST_H", "#define VECTORS_QUICKLIST_H", "",
         "#include <stddef.h>", "#include <stdint.h>", "",
         "typedef struct {", "    char code;", "    long a;", "    long b;",
         "    long id;", "    long len;", "    long pid;", "    long plen;",
         "} qv_op;", "",
         "typedef struct {", "    int container;", "    int compressed;",
         "    unsigned count;", "    size_t sz;", "    uint64_t fnv;",
         "} qv_node;", "",
         "typedef struct {", "    size_t after_ops;",
         "    const qv_node *nodes;", "    size_t nnodes;", "} qv_snap;", "",
         "typedef struct {", "    const char *name;", "    int fill;",
         "    int depth;", "    size_t packed_threshold;",
         "    const qv_op *ops;", "    size_t nops;",
         "    const qv_snap *snaps;", "    size_t nsnaps;", "} qv_scenario;",
         ""]
    for si, (name, fill, depth, thr, ops, snaps) in enumerate(scs):
        o.append("static const qv_op qv_ops_%d[] = {" % si)
        for code, a, b, v, piv in ops:
            o.append("    {'%s', %d, %d, %d, %d, %d, %d}," %
                     (code, a, b, v[0], v[1], piv[0], piv[1]))
        o.append("};")
        for k, (after, nodes) in enumerate(snaps):
            o.append("static const qv_node qv_nodes_%d_%d[] = {" % (si, k))
            for c, z, cnt, sz, h in nodes:
                o.append("    {%d, %d, %d, %d, 0x%016xULL}," %
                         (c, int(z), cnt, sz, h))
            if not nodes:
                o.append("    {0, 0, 0, 0, 0},")
            o.append("};")
        o.append("static const qv_snap qv_snaps_%d[] = {" % si)
        for k, (after, nodes) in enumerate(snaps):
            o.append("    {%d, qv_nodes_%d_%d, %d}," %
                     (after, si, k, len(nodes)))
        o.append("};")
        o.append("")
    o.append("static const qv_scenario qv_scenarios[] = {")
    for si, (name, fill, depth, thr, ops, snaps) in enumerate(scs):
        o.append("    {\"%s\", %d, %d, %d, qv_ops_%d, %d, qv_snaps_%d, %d},"
                 % (name, fill, depth, thr, si, len(ops), si, len(snaps)))
    o += ["};", "", "#endif", ""]
    with open(path, "w") as f:
        f.write("\n".join(o))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=6497)
    ap.add_argument("--server", default="/usr/bin/redis-server")
    args = ap.parse_args()
    proc = subprocess.Popen([args.server, "--port", str(args.port),
                             "--save", "", "--appendonly", "no",
                             "--enable-debug-command", "yes"],
                            stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=args.port)
        for _ in range(100):
            if proc.poll() is not None:
                sys.exit("redis-server exited (port %d taken?)" % args.port)
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        version = "redis-server " + r.info("server")["redis_version"]
        lzf = capture_lzf(r)
        write_lzf_header(lzf, version, os.path.join(HERE, "vectors_lzf.h"))
        scs = capture_quicklist(r)
        write_ql_header(scs, version,
                        os.path.join(HERE, "vectors_quicklist.h"))
    finally:
        proc.terminate()
        proc.wait()
    print("wrote vectors_lzf.h (%d) and vectors_quicklist.h (%d scenarios)"
          % (len(lzf), len(scs)), file=sys.stderr)


if __name__ == "__main__":
    main()
