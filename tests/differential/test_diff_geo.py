"""Differential tests of the geo commands (shard/geo.c): GEOADD (NX/XX/CH),
GEODIST (units), GEOPOS, GEOHASH, GEOSEARCH and GEOSEARCHSTORE (FROMMEMBER/
FROMLONLAT, BYRADIUS/BYBOX, ASC/DESC, COUNT [ANY], WITH*, STOREDIST),
GEORADIUS and GEORADIUSBYMEMBER (STORE/STOREDIST) and their _RO forms, in
RESP2 and RESP3, over listpack and skiplist sorted sets.

Replies are compared byte for byte, order included: without ASC/DESC both
servers return matches in the order they scan the covering cells, which is
deterministic. That holds for COUNT without ANY over points at the same
distance too: shoal sorts those with the same partial quicksort steps as
redis-server, so ties come out in the same order. DIFF_SELFTEST=1 points
both sides at redis-server to check the tests themselves."""

import os
import random

import pytest

from differential.diff import resolve_seed
from lib import resp

LAT_MAX = 85.05112878
PROTOCOLS = [2, 3]
UNITS = [("m", 1.0), ("km", 1000.0), ("mi", 1609.34), ("ft", 0.3048)]

# ---------------------------------------------------------------- helpers


def set_protocol(differ, proto):
    if proto == 3:
        differ.check("HELLO", "3")


def both(differ, *command):
    """Run a command on each side without comparing; {side: reply}."""
    return {s: differ.conns[s].call(*command) for s in differ.SIDES}


def config(differ, name, value):
    for reply in both(differ, "CONFIG", "SET", name, str(value)).values():
        assert reply == resp.OK, reply


def same_zset(differ, key):
    differ.check("ZRANGE", key, 0, -1, "WITHSCORES")
    differ.check("OBJECT", "ENCODING", key)
    differ.check("EXISTS", key)


def num(x):
    """A float argument as the shortest text that parses back to it."""
    return repr(float(x)).encode()


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def random_point(rng):
    kind = rng.random()
    if kind < 0.45:
        lon, lat = rng.uniform(-180, 180), rng.uniform(-LAT_MAX, LAT_MAX)
    elif kind < 0.6:  # near the antimeridian
        lon = rng.choice([-1, 1]) * rng.uniform(178.5, 180)
        lat = rng.uniform(-70, 70)
    elif kind < 0.75:  # near the poles (Redis's latitude limits)
        lon = rng.uniform(-180, 180)
        lat = rng.choice([-1, 1]) * rng.uniform(78, LAT_MAX)
    else:  # clusters
        clon, clat = rng.choice([(13.36, 38.11), (-0.12, 51.5), (139.7, 35.7),
                                 (-73.98, 40.75), (0.0, 0.0), (179.9, -16.5)])
        lon = clon + rng.gauss(0, 0.3)
        lat = clat + rng.gauss(0, 0.3)
    if rng.random() < 0.3:
        lon = round(lon, rng.choice([1, 3, 5]))
        lat = round(lat, rng.choice([1, 3, 5]))
    return clamp(lon, -180, 180), clamp(lat, -LAT_MAX, LAT_MAX)


EDGE_POINTS = [(-180, -LAT_MAX), (180, LAT_MAX), (-180, LAT_MAX), (180, -LAT_MAX),
               (0, 0), (180, 0), (-180, 0), (0, LAT_MAX), (0, -LAT_MAX),
               (179.99999, 0.00001), (-179.99999, -0.00001)]


def make_points(rng, n):
    """n members at distinct random positions, so that no two are at
    exactly the same distance from a center (edge points excepted: a few
    of them share a cell)."""
    pts, seen = [], set()
    for lon, lat in EDGE_POINTS:
        seen.add((lon, lat))
        pts.append((lon, lat, b"edge:%d" % len(pts)))
    while len(pts) < n:
        lon, lat = random_point(rng)
        if (lon, lat) in seen:
            continue
        seen.add((lon, lat))
        i = len(pts)
        r = rng.random()
        if r < 0.15:
            member = str(i * 7919).encode()  # listpack integer entries
        elif r < 0.2:
            member = b"m\x00\xff" + str(i).encode()
        else:
            member = b"p:%d" % i
        pts.append((lon, lat, member))
    return pts


def load(differ, key, pts, batch=200):
    for i in range(0, len(pts), batch):
        args = ["GEOADD", key]
        for lon, lat, m in pts[i:i + batch]:
            args += [num(lon), num(lat), m]
        differ.check(*args)


def random_unit(rng):
    name, factor = rng.choice(UNITS)
    if rng.random() < 0.2:
        name = name.upper()
    return name, factor


def random_length(rng, factor, lo=0, hi=7.4):
    """A length in some unit: 1 m .. 25,000 km, sometimes 0 or whole."""
    r = rng.random()
    if r < 0.03:
        return b"0"
    v = 10 ** rng.uniform(lo, hi) / factor
    if r < 0.3:
        return b"%d" % max(1, int(v))
    return num(v)


def random_center(rng, pts):
    r = rng.random()
    if r < 0.1:
        return rng.choice(EDGE_POINTS)
    if r < 0.5:
        return random_point(rng)
    lon, lat, _ = rng.choice(pts)  # at (or near) a member
    if r < 0.75:
        lon = clamp(lon + rng.gauss(0, 0.01), -180, 180)
        lat = clamp(lat + rng.gauss(0, 0.01), -LAT_MAX, LAT_MAX)
    return lon, lat


def random_options(rng, store=False):
    """WITH* (not with store), ASC/DESC, COUNT n [ANY], shuffled. Returns
    (args, partial): partial when COUNT without ANY may cut a sorted
    result."""
    opts = []
    if not store:
        for w in ("WITHDIST", "WITHHASH", "WITHCOORD"):
            if rng.random() < 0.4:
                opts.append([w if rng.random() < 0.8 else w.lower()])
    sort = rng.choice([None, None, "ASC", "DESC", "asc"])
    if sort:
        opts.append([sort])
    count = any_ = False
    if rng.random() < 0.4:
        count = True
        opts.append(["COUNT", str(rng.choice([1, 2, 3, 5, 10, 50, 1000]))])
        if rng.random() < 0.35:
            any_ = True
            opts.append(["ANY"])
    rng.shuffle(opts)
    return [x for o in opts for x in o], count and not any_


def random_search(rng, key, pts, store_key=None):
    """A GEOSEARCH (GEOSEARCHSTORE with store_key) command, and whether a
    partial sort may cut it."""
    if rng.random() < 0.4:
        frm = ["FROMMEMBER", rng.choice(pts)[2]]
    else:
        lon, lat = random_center(rng, pts)
        frm = ["FROMLONLAT", num(lon), num(lat)]
    unit, factor = random_unit(rng)
    if rng.random() < 0.5:
        by = ["BYRADIUS", random_length(rng, factor), unit]
    else:
        by = ["BYBOX", random_length(rng, factor), random_length(rng, factor), unit]
    opts, partial = random_options(rng, store=store_key is not None)
    parts = [frm, by, opts]
    rng.shuffle(parts)
    args = [x for p in parts for x in p]
    if store_key is not None:
        if rng.random() < 0.5:
            args.append("STOREDIST")
        return ["GEOSEARCHSTORE", store_key, key, *args], partial
    return ["GEOSEARCH", key, *args], partial


def random_radius(rng, key, pts, store_key=None):
    """A GEORADIUS-family command (with STORE/STOREDIST if store_key)."""
    unit, factor = random_unit(rng)
    radius = random_length(rng, factor)
    opts, partial = random_options(rng, store=store_key is not None)
    if store_key is not None:
        opts += [rng.choice(["STORE", "STOREDIST", "store"]), store_key]
    ro = store_key is None and rng.random() < 0.5
    if rng.random() < 0.5:
        lon, lat = random_center(rng, pts)
        name = "GEORADIUS_RO" if ro else "GEORADIUS"
        return [name, key, num(lon), num(lat), radius, unit, *opts], partial
    name = "GEORADIUSBYMEMBER_RO" if ro else "GEORADIUSBYMEMBER"
    return [name, key, rng.choice(pts)[2], radius, unit, *opts], partial


# ---------------------------------------------------------------- GEOADD


GEOADD_FLAGS = [[], ["NX"], ["XX"], ["CH"], ["nx", "ch"], ["XX", "CH"],
                ["CH", "XX"], ["NX", "XX"], ["XX", "NX"], ["CH", "CH"],
                ["NX", "NX", "CH"]]


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_geoadd_flags(differ, proto):
    set_protocol(differ, proto)
    for flags in GEOADD_FLAGS:
        for tail in (["13.361389", "38.115556", "Palermo"],
                     ["15", "37", "Palermo", "1", "1", "new"],
                     ["15.087269", "37.502669", "Catania"],
                     ["-0.1", "51.5", "London", "-0.1", "51.5", "London"]):
            differ.check("DEL", "g")
            differ.check("GEOADD", "g", "13.361389", "38.115556", "Palermo",
                         "15.087269", "37.502669", "Catania")
            differ.check("GEOADD", "g", *flags, *tail)
            same_zset(differ, "g")
        differ.check("DEL", "g")
        differ.check("GEOADD", "g", *flags, "1", "2", "m")
        same_zset(differ, "g")


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_geoadd_errors(differ, proto):
    set_protocol(differ, proto)
    differ.check("GEOADD", "g", "1", "2", "keep")
    G = ["GEOADD", "g"]
    cases = [
        G, [*G, "1", "2"], [*G, "1", "2", "m", "3"], [*G, "1", "2", "m", "3", "4"],
        [*G, "NX", "XX", "1", "2", "m"], [*G, "xx", "nx", "1", "2", "m"],
        [*G, "NX", "1", "2"], [*G, "CH", "CH", "CH"], [*G, "NX", "CH", "XX"],
        [*G, "GT", "1", "2", "m"], [*G, "INCR", "1", "2", "m"], [*G, "LT", "1", "2", "m"],
        [*G, "200", "100", "m"], [*G, "-180.0001", "0", "m"], [*G, "180.0001", "0", "m"],
        [*G, "0", "85.05112879", "m"], [*G, "0", "-85.05112879", "m"], [*G, "0", "90", "m"],
        [*G, "abc", "0", "m"], [*G, "0", "abc", "m"], [*G, "inf", "0", "m"],
        [*G, "0", "-inf", "m"], [*G, "nan", "0", "m"], [*G, " 1", "0", "m"],
        [*G, "1 ", "0", "m"], [*G, "", "0", "m"], [*G, "1e400", "0", "m"],
        [*G, "1e-400", "0", "m"], [*G, "1", "2", "a", "200", "0", "b"],
        [*G, "1", "2", "a", "x", "0", "b"],
        [*G, "-180", "-85.05112878", "sw", "180", "85.05112878", "ne"],
        [*G, "0x10", "0", "hex"], [*G, "1e1", "-1E1", "exp"], [*G, "-0", "0", "negzero"],
        [*G, "nx\x00x", "1", "2", "nulflag"],
    ]
    for c in cases:
        differ.check(*c)
    same_zset(differ, "g")
    differ.check("SET", "str", "v")
    differ.check("GEOADD", "str", "1", "2", "m")
    differ.check("GEOADD", "str", "200", "2", "m")
    differ.check("GEOADD", "str", "NX", "XX", "1", "2", "m")


def test_geoadd_encodings(differ):
    differ.check("GEOADD", "g", "1", "2", "a" * 64)
    differ.check("OBJECT", "ENCODING", "g")
    differ.check("GEOADD", "g2", "1", "2", "a" * 65)
    differ.check("OBJECT", "ENCODING", "g2")
    differ.check("GEOADD", "g3", "1", "2", "a", "1", "2", "b" * 65)
    differ.check("OBJECT", "ENCODING", "g3")
    pts = make_points(random.Random(7), 130)
    load(differ, "big", pts[:128], batch=64)
    differ.check("OBJECT", "ENCODING", "big")
    load(differ, "big", pts[128:])
    differ.check("OBJECT", "ENCODING", "big")
    same_zset(differ, "big")
    config(differ, "zset-max-listpack-entries", 0)
    differ.check("GEOADD", "g4", "1", "2", "a")
    differ.check("OBJECT", "ENCODING", "g4")
    differ.check("GEOADD", "g", "XX", "3", "4", "new")
    differ.check("EXISTS", "g")
    differ.check("GEOADD", "nokey", "XX", "3", "4", "new")
    differ.check("EXISTS", "nokey")
    differ.check("TYPE", "big")


def _changes(differ, side):
    text = differ.conns[side].call("INFO", "persistence").value.decode()
    for line in text.split("\r\n"):
        if line.startswith("rdb_changes_since_last_save:"):
            return int(line.split(":")[1])
    raise AssertionError("no rdb_changes_since_last_save")


def test_dirty_counts(differ):
    """rdb_changes_since_last_save moves as redis-server's does."""
    steps = [
        ["GEOADD", "g", "1", "2", "a", "3", "4", "b"],
        ["GEOADD", "g", "1", "2", "a"],
        ["GEOADD", "g", "5", "6", "a"],
        ["GEOADD", "g", "NX", "7", "8", "a", "1", "1", "c"],
        ["GEOADD", "g", "200", "8", "x"],
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "20000", "km"],
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
        ["GEORADIUS", "g", "0", "0", "20000", "km", "STORE", "d"],
        ["GEORADIUS", "nokey", "0", "0", "20000", "km", "STORE", "d"],
        ["GEORADIUS", "nokey", "0", "0", "20000", "km", "STORE", "d"],
    ]
    for s in steps:
        before = {side: _changes(differ, side) for side in differ.SIDES}
        differ.check(*s)
        after = {side: _changes(differ, side) for side in differ.SIDES}
        assert after["shoal"] - before["shoal"] == after["redis"] - before["redis"], s


# ---------------------------------------------------------------- point reads


WEIRD_SCORES = ["0", "-1", "1", "1.5", "-0.5", "1e20", "-1e20", "inf", "-inf",
                "4503599627370495", "4503599627370496", "9007199254740993",
                "3471579339700058", "123456789012"]


@pytest.mark.parametrize("proto", PROTOCOLS)
@pytest.mark.parametrize("encoding", ["listpack", "skiplist"])
def test_point_reads(differ, proto, encoding):
    set_protocol(differ, proto)
    if encoding == "skiplist":
        config(differ, "zset-max-listpack-entries", 0)
    rng = random.Random(11)
    pts = make_points(rng, 100)
    load(differ, "g", pts)
    differ.check("OBJECT", "ENCODING", "g")
    members = [m for _, _, m in pts]
    for i in range(0, len(members), 10):
        differ.check("GEOPOS", "g", *members[i:i + 10], "missing")
        differ.check("GEOHASH", "g", "missing", *members[i:i + 10])
    for _ in range(300):
        a, b = rng.choice(members), rng.choice(members)
        unit = rng.choice(["m", "km", "mi", "ft", "M", "KM", "Mi", "fT"])
        differ.check("GEODIST", "g", a, b, unit)
        differ.check("GEODIST", "g", a, b)
    differ.check("GEODIST", "g", members[0], "missing")
    differ.check("GEODIST", "g", "missing", members[0], "km")
    differ.check("GEODIST", "nokey", "a", "b")
    differ.check("GEODIST", "nokey", "a", "b", "km")
    differ.check("GEOPOS", "nokey", "a", "b")
    differ.check("GEOHASH", "nokey", "a", "b")
    # Scores GEOADD would not write.
    for i, s in enumerate(WEIRD_SCORES):
        differ.check("ZADD", "w", s, "w%d" % i)
    ws = ["w%d" % i for i in range(len(WEIRD_SCORES))]
    differ.check("GEOPOS", "w", *ws)
    differ.check("GEOHASH", "w", *ws)
    for a in ws:
        differ.check("GEODIST", "w", a, "w0")
        differ.check("GEODIST", "w", "w3", a, "km")


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_point_read_errors(differ, proto):
    set_protocol(differ, proto)
    differ.check("GEOADD", "g", "13.361389", "38.115556", "Palermo",
                 "15.087269", "37.502669", "Catania")
    P = ["g", "Palermo", "Catania"]
    cases = [
        ["GEODIST", "g", "Palermo"], ["GEODIST", *P, "xx"], ["GEODIST", *P, ""],
        ["GEODIST", *P, "kms"], ["GEODIST", *P, "km\x00x"], ["GEODIST", *P, "km", "extra"],
        ["GEODIST", "nokey", "a", "b", "xx"], ["GEODIST", "nokey", "a", "b", "km", "x"],
        ["GEOPOS", "g"], ["GEOHASH", "g"], ["GEOPOS"], ["GEOHASH"],
        ["GEOPOS", "g", "Palermo", "Palermo"], ["GEOHASH", "g", "Palermo", "Palermo"],
    ]
    for c in cases:
        differ.check(*c)


def test_wrongtype(differ):
    differ.check("SET", "str", "v")
    differ.check("GEOADD", "g", "1", "2", "a")
    R = ["BYRADIUS", "1", "km"]
    cases = [
        ["GEOADD", "str", "1", "2", "m"], ["GEODIST", "str", "a", "b"],
        ["GEODIST", "str", "a", "b", "xx"], ["GEOPOS", "str", "a"], ["GEOHASH", "str", "a"],
        ["GEOSEARCH", "str", "FROMLONLAT", "0", "0", *R],
        ["GEOSEARCH", "str", "FROMLONLAT", "200", "0", *R],
        ["GEOSEARCH", "str", "FROMMEMBER", "a", "BYRADIUS", "-1", "km"],
        ["GEOSEARCHSTORE", "d", "str", "FROMLONLAT", "0", "0", *R],
        ["GEOSEARCHSTORE", "str", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1000", "km"],
        ["TYPE", "str"], ["SET", "str", "v"],
        ["GEORADIUS", "str", "0", "0", "1", "km"], ["GEORADIUS", "str", "200", "0", "1", "km"],
        ["GEORADIUS_RO", "str", "0", "0", "1", "km"],
        ["GEORADIUSBYMEMBER", "str", "a", "1", "km"],
        ["GEORADIUSBYMEMBER_RO", "str", "a", "1", "km"],
        ["GEORADIUS", "g", "0", "0", "1000", "km", "STORE", "str"],
        ["TYPE", "str"],
    ]
    for c in cases:
        differ.check(*c)


# ---------------------------------------------------------------- search errors


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_search_errors(differ, proto):
    set_protocol(differ, proto)
    differ.check("GEOADD", "g", "13.361389", "38.115556", "Palermo",
                 "15.087269", "37.502669", "Catania")
    S = ["GEOSEARCH", "g"]
    F = ["FROMLONLAT", "15", "37"]
    B = ["BYRADIUS", "200", "km"]
    GR = ["GEORADIUS", "g", "15", "37", "200", "km"]
    GM = ["GEORADIUSBYMEMBER", "g", "Palermo", "200", "km"]
    cases = [
        [*S, *F], [*S, *B], [*S, "FROMMEMBER", "Palermo"], [*S, *F, "WITHDIST"],
        [*S, *B, "WITHDIST"], ["geosearch", "g", *B, "WITHDIST"],
        ["GeoSearch", "g", *F, "ASC"], [*S, *F, "FROMMEMBER", "Palermo", *B],
        [*S, "FROMMEMBER", "Palermo", *F, *B],
        [*S, "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania", *B],
        [*S, *F, *F, *B], [*S, *F, *B, "BYBOX", "1", "1", "km"],
        [*S, *F, "BYBOX", "1", "1", "km", *B], [*S, *F, *B, *B],
        [*S, *F, "BYBOX", "1", "1", "km", "BYBOX", "500", "500", "km"],
        [*S, "FROMMEMBER", "nomember", *B], [*S, "FROMLONLAT", "200", "0", *B],
        [*S, "FROMLONLAT", "0", "86", *B], [*S, "FROMLONLAT", "x", "0", *B],
        [*S, "FROMLONLAT", "0", "nan", *B], [*S, *F, "BYRADIUS", "-1", "km"],
        [*S, *F, "BYRADIUS", "x", "km"], [*S, *F, "BYRADIUS", "1", "kmx"],
        [*S, *F, "BYRADIUS", "1", ""], [*S, *F, "BYRADIUS", "-0", "km"],
        [*S, *F, "BYRADIUS", "inf", "km"], [*S, *F, "BYBOX", "inf", "inf", "km"],
        [*S, *F, "BYBOX", "-1", "1", "km"], [*S, *F, "BYBOX", "1", "-1", "km"],
        [*S, *F, "BYBOX", "x", "1", "km"], [*S, *F, "BYBOX", "1", "x", "km"],
        [*S, *F, "BYBOX", "x", "-1", "km"], [*S, *F, "BYBOX", "-1", "x", "km"],
        [*S, *F, "BYBOX", "1", "1", "yd"], [*S, *F, "BYBOX", "1", "1"],
        [*S, *F, "BYRADIUS", "1"], [*S, "FROMLONLAT", "1", *B],
        [*S, *F, *B, "COUNT"], [*S, *F, *B, "COUNT", "0"], [*S, *F, *B, "COUNT", "-1"],
        [*S, *F, *B, "COUNT", "x"], [*S, *F, *B, "COUNT", "1.5"],
        [*S, *F, *B, "COUNT", "99999999999999999999"],
        [*S, *F, *B, "COUNT", "9223372036854775807"], [*S, *F, *B, "ANY"],
        [*S, *F, *B, "ANY", "COUNT", "1"], [*S, *F, *B, "ASC", "DESC"],
        [*S, *F, *B, "DESC", "ASC"], [*S, *F, *B, "STORE", "d"], [*S, *F, *B, "STOREDIST"],
        [*S, *F, *B, "WITHDIST", "bogus"], [*S, *F, *B, "withdist\x00x"],
        [*S, *F, "BYRADIUS", "200", "km\x00x"],
        ["GEOSEARCH", "nokey", "FROMMEMBER", "x", *B],
        ["GEOSEARCH", "nokey", "FROMMEMBER", "x", *B, "WITHDIST", "COUNT", "3", "ANY"],
        ["GEOSEARCH", "nokey", *F, "WITHDIST", "ASC"],
        ["GEOSEARCH", "nokey", "FROMMEMBER", "x", "WITHDIST", "ASC"],
        ["GEOSEARCH", "nokey", *F, *B, "ANY"],
        ["GEOSEARCH", "nokey", *F, "BYRADIUS", "-1", "km"],
        ["GEOSEARCHSTORE", "d", "g", *F, *B, "WITHDIST"],
        ["GEOSEARCHSTORE", "d", "g", *F, *B, "WITHHASH"],
        ["GEOSEARCHSTORE", "d", "g", *F, *B, "WITHCOORD", "STOREDIST"],
        ["GEOSEARCHSTORE", "d", "g", *F, *B, "STORE", "x"],
        ["GEOSEARCHSTORE", "d", "g", *F, "STOREDIST", "ASC"],
        ["geosearchstore", "d", "g", *B, "STOREDIST"],
        ["GEOSEARCHSTORE", "d", "g", *F, *B, "ANY"],
        ["GEOSEARCHSTORE", "d", "nokey", "FROMMEMBER", "x", *B, "WITHDIST"],
        [*GR, "STORE"], [*GR, "STORE", "d", "WITHDIST"], [*GR, "WITHCOORD", "STOREDIST", "d"],
        [*GR, "FROMMEMBER", "Palermo"], [*GR, "BYRADIUS", "1", "km"],
        [*GR, "COUNT", "0"], [*GR, "ANY"], [*GR, "STOREDIST"],
        ["GEORADIUS", "g", "15", "37", "-200", "km"], ["GEORADIUS", "g", "15", "37", "x", "km"],
        ["GEORADIUS", "g", "15", "37", "200", "kmx"], ["GEORADIUS", "g", "200", "37", "200", "km"],
        ["GEORADIUS", "g", "15", "x", "200", "km"],
        ["GEORADIUS", "nokey", "200", "37", "200", "km"],
        ["GEORADIUS", "nokey", "15", "37", "-1", "km"],
        ["GEORADIUS", "nokey", "15", "37", "1", "km", "bogus"],
        ["GEORADIUS", "nokey", "15", "37", "1", "km", "WITHDIST", "STORE", "d"],
        ["GEORADIUS_RO", "g", "15", "37", "200", "km", "STORE", "d"],
        ["GEORADIUS_RO", "g", "15", "37", "200", "km", "STOREDIST", "d"],
        ["GEORADIUSBYMEMBER", "g", "nomember", "200", "km"],
        ["GEORADIUSBYMEMBER", "g", "nomember", "-200", "km"],
        ["GEORADIUSBYMEMBER", "g", "Palermo", "-200", "km"],
        ["GEORADIUSBYMEMBER", "g", "Palermo", "x", "km"],
        ["GEORADIUSBYMEMBER", "g", "Palermo", "200", "yd"],
        [*GM, "STORE"], [*GM, "COUNT", "x"], [*GM, "STORE", "d", "WITHHASH"],
        [*GM, "FROMLONLAT", "1", "2"],
        ["GEORADIUSBYMEMBER", "nokey", "x", "abc", "km"],
        ["GEORADIUSBYMEMBER", "nokey", "x", "-1", "yd"],
        ["GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "bogus"],
        ["GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "ANY"],
        ["GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "WITHDIST", "STORE", "d"],
        ["GEORADIUSBYMEMBER_RO", "g", "Palermo", "200", "km", "STORE", "d"],
        ["GEORADIUSBYMEMBER_RO", "nokey", "x", "1", "km", "STORE", "d"],
        ["GEORADIUS", "g", "15", "37"], ["GEORADIUSBYMEMBER", "g", "Palermo", "1"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX"],
    ]
    for c in cases:
        differ.check(*c)
    differ.check("EXISTS", "d")


# ---------------------------------------------------------------- searches


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_search_basics(differ, proto):
    set_protocol(differ, proto)
    differ.check("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo",
                 "15.087269", "37.502669", "Catania", "12.758489", "38.788135", "edge1",
                 "17.241510", "38.788135", "edge2", "15", "37", "12345")
    opts = [[], ["WITHDIST"], ["WITHCOORD"], ["WITHHASH"],
            ["WITHDIST", "WITHCOORD", "WITHHASH"], ["WITHHASH", "WITHDIST", "ASC"],
            ["DESC", "WITHCOORD"], ["COUNT", "2"], ["COUNT", "2", "DESC"],
            ["COUNT", "1", "ANY"], ["ANY", "COUNT", "3", "ASC"], ["COUNT", "10"],
            ["WITHDIST", "WITHDIST"], ["COUNT", "5", "COUNT", "1"]]
    for o in opts:
        differ.check("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", *o)
        differ.check("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", *o)
        differ.check("GEOSEARCH", "Sicily", *o, "BYBOX", "4000", "40", "mi", "FROMLONLAT", "15", "37")
        differ.check("GEORADIUS", "Sicily", "15", "37", "200", "km", *o)
        differ.check("GEORADIUS_RO", "Sicily", "15", "37", "100000", "m", *o)
        differ.check("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", *o)
        differ.check("GEORADIUSBYMEMBER_RO", "Sicily", "12345", "656168", "ft", *o)
    for extra in (["BYRADIUS", "0", "km"], ["BYBOX", "0", "0", "km"], ["BYBOX", "0", "1", "m"]):
        differ.check("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", *extra)
        differ.check("GEOSEARCH", "Sicily", "FROMMEMBER", "Catania", *extra)
    differ.check("GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m")
    differ.check("GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "inf", "m")
    differ.check("GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYBOX", "inf", "inf", "m")
    differ.check("GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYBOX", "1e300", "1", "m")
    differ.check("GEOSEARCH", "nokey", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m")


def _search_run(differ, key, pts, n, rng):
    for _ in range(n):
        if rng.random() < 0.6:
            cmd, partial = random_search(rng, key, pts)
        else:
            cmd, partial = random_radius(rng, key, pts)
        differ.check(*cmd)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_random_searches_skiplist(differ, proto):
    seed = resolve_seed(None)
    print(f"geo random searches: seed {seed}")
    set_protocol(differ, proto)
    pts = make_points(random.Random(2024), 2000)
    load(differ, "geo", pts)
    differ.check("OBJECT", "ENCODING", "geo")
    differ.seed = seed
    _search_run(differ, "geo", pts, int(os.environ.get("DIFF_N", 700)), random.Random(seed))


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_random_searches_listpack(differ, proto):
    seed = resolve_seed(None)
    print(f"geo random searches: seed {seed}")
    set_protocol(differ, proto)
    pts = make_points(random.Random(99), 120)
    load(differ, "geo", pts)
    differ.check("OBJECT", "ENCODING", "geo")
    differ.seed = seed
    _search_run(differ, "geo", pts, int(os.environ.get("DIFF_N", 700)), random.Random(seed))


def test_regional_searches(differ):
    """Dense points around the antimeridian and the poles; small to huge
    areas centered on and across the edges."""
    rng = random.Random(5)
    pts = []
    for i in range(1500):
        r = rng.random()
        if r < 0.4:
            lon, lat = rng.choice([-1, 1]) * rng.uniform(179, 180), rng.uniform(-5, 5)
        elif r < 0.7:
            lon, lat = rng.uniform(-180, 180), rng.uniform(83, LAT_MAX)
        else:
            lon, lat = rng.uniform(-180, 180), -rng.uniform(83, LAT_MAX)
        pts.append((lon, lat, b"r:%d" % i))
    load(differ, "polar", pts)
    centers = [(180, 0), (-180, 0), (179.999, 0.5), (-179.999, -0.5), (0, LAT_MAX),
               (0, -LAT_MAX), (180, LAT_MAX), (-180, -LAT_MAX), (90, 84.9), (-90, -84.9),
               (179.5, 84), (-179.5, -84)]
    for lon, lat in centers:
        c = [num(lon), num(lat)]
        for meters in (1, 100, 5000, 50000, 200000, 1000000, 5000000, 20000000, 40000000):
            m = str(meters)
            differ.check("GEOSEARCH", "polar", "FROMLONLAT", *c, "BYRADIUS", m, "m",
                         "WITHDIST", "WITHCOORD")
            differ.check("GEOSEARCH", "polar", "FROMLONLAT", *c, "BYBOX", m,
                         str(meters // 3 + 1), "m", "ASC", "WITHHASH")
            differ.check("GEOSEARCH", "polar", "FROMLONLAT", *c, "BYBOX",
                         str(meters // 5 + 1), str(meters * 2), "m", "DESC", "COUNT", "20")
            differ.check("GEORADIUS", "polar", *c, m, "m", "COUNT", "5", "ANY")
    _search_run(differ, "polar", pts, 400, rng)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_same_position_ties(differ, proto):
    """Members sharing positions: full sorts keep the scan order on both
    sides (glibc's qsort is a stable merge sort), and partial sorts (COUNT
    without ANY) leave ties where Redis's partial quicksort leaves them."""
    set_protocol(differ, proto)
    rng = random.Random(3)
    spots = [random_point(rng) for _ in range(40)]
    pts = []
    for i in range(600):
        lon, lat = rng.choice(spots)
        pts.append((lon, lat, b"t:%d" % i))
    load(differ, "ties", pts)
    load(differ, "ties_lp", pts[:100])
    differ.check("OBJECT", "ENCODING", "ties_lp")
    for _ in range(300):
        key = rng.choice(["ties", "ties_lp"])
        if rng.random() < 0.6:
            cmd, partial = random_search(rng, key, pts)
        else:
            cmd, partial = random_radius(rng, key, pts)
        differ.check(*cmd)


# ---------------------------------------------------------------- STORE


@pytest.mark.parametrize("entries", [128, 4])
def test_store_random(differ, entries):
    seed = resolve_seed(None)
    print(f"geo random stores: seed {seed}")
    rng = random.Random(seed)
    config(differ, "zset-max-listpack-entries", entries)
    pts = make_points(random.Random(77), 1500)
    load(differ, "geo", pts)
    load(differ, "small", pts[:100])
    differ.check("SET", "str", "v")
    differ.seed = seed
    for _ in range(int(os.environ.get("DIFF_N", 500))):
        src = rng.choice(["geo", "small", "nokey"])
        dst = rng.choice(["dst", "dst2", "geo2", "str", src])
        if src == "geo" and dst == "geo":
            # Keep the big source: store over a copy of it instead.
            differ.check("COPY", "geo", "geo2", "REPLACE")
            src = dst = "geo2"
        if rng.random() < 0.2:
            differ.check("EXPIRE", dst, "1000")
        if rng.random() < 0.5:
            cmd, _ = random_search(rng, src, pts, store_key=dst)
        else:
            cmd, _ = random_radius(rng, src, pts, store_key=dst)
        differ.check(*cmd)
        same_zset(differ, dst)
        differ.check("TTL", dst)
        if src == "small" and rng.random() < 0.1:
            load(differ, "small", pts[:100])
        if dst == "str":
            differ.check("SET", "str", "v")


def test_store_details(differ):
    differ.check("GEOADD", "g", "13.361389", "38.115556", "Palermo",
                 "15.087269", "37.502669", "Catania", "15", "37", "12345",
                 "16", "38", "x" * 70)
    GR = ["GEORADIUS", "g", "15", "37"]
    differ.check(*GR, "200", "km", "STORE", "d")
    same_zset(differ, "d")
    differ.check(*GR, "200", "km", "STOREDIST", "d")
    same_zset(differ, "d")
    differ.check(*GR, "500", "km", "STORE", "d")
    same_zset(differ, "d")  # a member longer than 64 bytes: skiplist
    differ.check(*GR, "500", "km", "STOREDIST", "d", "COUNT", "2")
    same_zset(differ, "d")
    differ.check(*GR, "500", "km", "STORE", "d", "COUNT", "2", "DESC")
    same_zset(differ, "d")
    differ.check("GEORADIUSBYMEMBER", "g", "Palermo", "500", "km", "STORE", "d",
                 "STOREDIST", "d2")
    same_zset(differ, "d")
    same_zset(differ, "d2")
    differ.check("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYBOX", "500", "500",
                 "km", "STOREDIST", "ASC", "COUNT", "3", "ANY")
    same_zset(differ, "d")
    differ.check("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500",
                 "mi", "STOREDIST", "STOREDIST")
    same_zset(differ, "d")
    # Empty results delete the destination; so do missing sources.
    differ.check("EXPIRE", "d", "100")
    differ.check("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km")
    differ.check("EXISTS", "d")
    differ.check("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km")
    for cmd in (["GEOSEARCHSTORE", "d", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km"],
                ["GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "STORE", "d"],
                ["GEORADIUS", "nokey", "0", "0", "1", "km", "STOREDIST", "d"],
                ["GEORADIUS", "g", "0", "0", "1", "km", "STOREDIST", "d"]):
        differ.check("SET", "d", "v")
        differ.check(*cmd)
        differ.check("EXISTS", "d")
    # A string destination is replaced and its TTL dropped.
    differ.check("SET", "d", "v", "EX", "100")
    differ.check(*GR, "200", "km", "STORE", "d")
    same_zset(differ, "d")
    differ.check("TTL", "d")
    # The source as destination.
    differ.check("GEOSEARCHSTORE", "g", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km")
    same_zset(differ, "g")
    differ.check(*GR, "200", "km", "STOREDIST", "g")
    same_zset(differ, "g")
    # The last STORE/STOREDIST wins.
    differ.check("GEOADD", "h", "15", "37", "a", "15.1", "37.1", "b")
    differ.check("GEORADIUS", "h", "15", "37", "200", "km", "STORE", "x1", "STOREDIST", "x2")
    for k in ("x1", "x2"):
        same_zset(differ, k)
    config(differ, "zset-max-listpack-entries", 1)
    differ.check("GEORADIUS", "h", "15", "37", "200", "km", "STORE", "d")
    same_zset(differ, "d")
    differ.check("GEORADIUS", "h", "15", "37", "200", "km", "STORE", "d", "COUNT", "1")
    same_zset(differ, "d")
    config(differ, "zset-max-listpack-value", 0)
    differ.check("GEORADIUS", "h", "15", "37", "200", "km", "STORE", "d", "COUNT", "1")
    same_zset(differ, "d")


# ---------------------------------------------------------------- random mix


def test_random_mix(differ):
    """GEOADD / ZADD / ZREM / DEL interleaved with every read and search."""
    seed = resolve_seed(None)
    print(f"geo random mix: seed {seed}")
    rng = random.Random(seed)
    config(differ, "zset-max-listpack-entries", 16)
    pts = make_points(random.Random(1), 60)
    keys = ["g0", "g1", "g2"]
    differ.seed = seed
    for i in range(int(os.environ.get("DIFF_N", 1500))):
        key = rng.choice(keys)
        r = rng.random()
        if r < 0.3:
            cmd = ["GEOADD", key]
            if rng.random() < 0.3:
                cmd += rng.sample(["NX", "XX", "CH"], rng.randint(1, 2))
            for _ in range(rng.randint(1, 4)):
                lon, lat, m = rng.choice(pts)
                if rng.random() < 0.2:
                    lon, lat = random_point(rng)
                cmd += [num(lon), num(lat), m]
        elif r < 0.35:
            cmd = ["ZREM", key, rng.choice(pts)[2]]
        elif r < 0.37:
            cmd = ["DEL", key]
        elif r < 0.4:
            cmd = ["ZADD", key, rng.choice(WEIRD_SCORES), rng.choice(pts)[2]]
        elif r < 0.5:
            cmd = [rng.choice(["GEOPOS", "GEOHASH"]), key] + \
                [rng.choice(pts)[2] for _ in range(rng.randint(1, 3))]
        elif r < 0.55:
            cmd = ["GEODIST", key, rng.choice(pts)[2], rng.choice(pts)[2],
                   rng.choice(["m", "km", "mi", "ft"])]
        elif r < 0.65:
            cmd, _ = random_search(rng, key, pts, store_key=rng.choice(keys + ["d"]))
        elif r < 0.7:
            cmd, _ = random_radius(rng, key, pts, store_key=rng.choice(keys + ["d"]))
        else:
            gen = random_search if r < 0.85 else random_radius
            cmd, _ = gen(rng, key, pts)
        differ.check(*cmd)
        if i % 40 == 0:
            for k in keys + ["d"]:
                same_zset(differ, k)


def test_same_meridian_distances(differ):
    """Members on one meridian: redis-server measures the arc along it
    (its last bits differ from the haversine's; STOREDIST shows them)."""
    rng = random.Random(8)
    for i in range(150):
        lon = rng.choice([rng.uniform(-180, 180), 180, -180, 0])
        lats = [rng.uniform(-LAT_MAX, LAT_MAX) for _ in range(2)] + [0, LAT_MAX, -LAT_MAX]
        args = ["GEOADD", "mer"]
        for j, lat in enumerate(lats):
            args += [num(lon), num(lat), "m%d" % j]
        differ.check("DEL", "mer")
        differ.check(*args)
        for unit in ("m", "mi"):
            differ.check("GEOSEARCHSTORE", "d", "mer", "FROMMEMBER", "m0", "BYRADIUS",
                         "30000", "km", "STOREDIST")
            differ.check("ZRANGE", "d", 0, -1, "WITHSCORES")
            differ.check("GEOSEARCHSTORE", "d", "mer", "FROMLONLAT", num(lon), "0",
                         "BYBOX", "1", "40000", "km", "STOREDIST")
            differ.check("ZRANGE", "d", 0, -1, "WITHSCORES")
            differ.check("GEODIST", "mer", "m0", "m1", unit)
