"""Key expiry in a running shard: the active cycle removes keys nobody
touches, reads and writes delete expired keys lazily, and the TTL travels
with RENAME, COPY, MOVE and SWAPDB."""

import time

import pytest

from lib import resp


def wait_for(predicate, timeout=5.0, step=0.02):
    """Poll until predicate() is true; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def set_many(r, prefix, n, px=None):
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        if px is None:
            pipe.set(f"{prefix}{i}", i)
        else:
            pipe.set(f"{prefix}{i}", i, px=px)
    assert all(pipe.execute())


# ---------------------------------------------------------------- active expiry


def test_active_expiry_empties_db(shoal):
    """1000 keys with PX 100 vanish without being accessed."""
    r = shoal.client()
    set_many(r, "volatile:", 1000, px=100)
    assert 0 < r.dbsize() <= 1000
    time.sleep(1.5)
    # Only DBSIZE is sent: it never looks at a key.
    assert wait_for(lambda: r.dbsize() == 0, timeout=3.0), r.dbsize()


def test_active_expiry_spares_persistent_keys(shoal):
    r = shoal.client()
    set_many(r, "keep:", 500)
    set_many(r, "volatile:", 1000, px=100)
    assert wait_for(lambda: r.dbsize() == 500, timeout=5.0), r.dbsize()
    assert r.get("keep:499") == b"499"
    assert r.exists("volatile:0") == 0


def test_active_expiry_in_every_db(shoal):
    r = shoal.client()
    for db in (0, 3, 15):
        c = shoal.client(db=db)
        set_many(c, f"db{db}:", 200, px=100)
    assert wait_for(lambda: all(shoal.client(db=d).dbsize() == 0
                                for d in (0, 3, 15)), timeout=5.0)
    assert r.dbsize() == 0


# ---------------------------------------------------------------- lazy expiry


LAZY_ACCESSES = [
    ("GET", "k"), ("EXISTS", "k"), ("TYPE", "k"), ("TTL", "k"), ("PTTL", "k"),
    ("EXPIRETIME", "k"), ("OBJECT", "ENCODING", "k"), ("TOUCH", "k"),
    ("STRLEN", "k"), ("PERSIST", "k"), ("EXPIRE", "k", "100"),
    ("COPY", "k", "other"), ("MOVE", "k", "1"),
    ("DEL", "k"), ("SCAN", "0", "COUNT", "100"),
]

_Z, _M2 = resp.integer(0), resp.integer(-2)
MISSING = {"GET": resp.NIL, "EXISTS": _Z, "TYPE": resp.simple("none"),
           "TTL": _M2, "PTTL": _M2, "EXPIRETIME": _M2, "OBJECT": resp.NIL,
           "TOUCH": _Z, "STRLEN": _Z, "PERSIST": _Z, "EXPIRE": _Z, "COPY": _Z,
           "MOVE": _Z, "DEL": _Z, "SCAN": resp.array(resp.bulk("0"), resp.array())}


def expired_but_present(server, r):
    """Leave an expired key "k" that nothing has deleted yet. With hz 1 the
    active cycle runs once a second, so a retry or two suffices."""
    for _attempt in range(10):
        r.set("k", "v", px=20)
        time.sleep(0.05)
        if r.dbsize() == 1:  # still there: the cycle didn't run meanwhile
            return
    pytest.fail("the active expiry cycle always got the key first")


@pytest.mark.parametrize("access", LAZY_ACCESSES, ids=" ".join)
def test_lazy_expiry_on_access(shoal_factory, access):
    """The first command that looks at an expired key deletes it and sees
    no key."""
    server = shoal_factory(["--hz", "1"], name="hz1")
    r = server.client()
    expired_but_present(server, r)
    with server.raw() as c:
        assert c.call(*access) == MISSING[access[0]], access
    assert r.dbsize() == 0
    assert r.exists("other") == 0
    assert server.client(db=1).dbsize() == 0


def test_lazy_expiry_rename_error(shoal_factory):
    server = shoal_factory(["--hz", "1"], name="hz1")
    r = server.client()
    with server.raw() as c:
        for cmd in (("RENAME", "k", "x"), ("RENAMENX", "k", "x")):
            expired_but_present(server, r)
            assert c.call(*cmd) == resp.error("ERR no such key")
            assert r.dbsize() == 0


# ---------------------------------------------------------------- TTLs


def test_ttl_counts_down(shoal):
    r = shoal.client()
    r.set("k", "v")
    assert r.pexpire("k", 2000) is True
    time.sleep(0.5)
    pttl = r.pttl("k")
    assert 1000 < pttl <= 1500, pttl
    assert r.ttl("k") in (1, 2)
    at = r.pexpiretime("k")
    assert abs(at - (time.time() * 1000 + pttl)) < 200


def test_expire_in_the_past_deletes_now(shoal):
    r = shoal.client()
    for cmd in (("EXPIRE", "k", "-1"), ("PEXPIRE", "k", "0"),
                ("EXPIREAT", "k", "1"), ("PEXPIREAT", "k", "1")):
        r.set("k", "v")
        assert r.execute_command(*cmd) == 1
        assert r.dbsize() == 0


def test_persist_prevents_expiry(shoal):
    r = shoal.client()
    r.set("k", "v", px=200)
    assert r.persist("k") is True
    time.sleep(0.5)
    assert r.get("k") == b"v"
    assert r.ttl("k") == -1


def test_set_clears_ttl(shoal):
    r = shoal.client()
    r.set("k", "v", px=200)
    r.set("k", "w")
    time.sleep(0.5)
    assert r.get("k") == b"w"


def test_rename_carries_ttl(shoal):
    r = shoal.client()
    r.set("a", "v", px=300)
    r.rename("a", "b")
    assert 0 < r.pttl("b") <= 300
    assert r.pttl("a") == -2
    assert wait_for(lambda: r.dbsize() == 0, timeout=3.0)


def test_rename_over_volatile_key_drops_its_ttl(shoal):
    r = shoal.client()
    r.set("dst", "old", px=200)
    r.set("src", "new")
    r.rename("src", "dst")
    time.sleep(0.5)
    assert r.get("dst") == b"new"


def test_copy_and_move_carry_ttl(shoal):
    r = shoal.client()
    r.set("a", "v", px=300)
    assert r.copy("a", "c") is True
    assert r.copy("a", "d", destination_db=2) is True
    assert r.move("a", 1) is True
    r1, r2 = shoal.client(db=1), shoal.client(db=2)
    assert 0 < r.pttl("c") <= 300
    assert 0 < r1.pttl("a") <= 300
    assert 0 < r2.pttl("d") <= 300
    assert wait_for(lambda: r.dbsize() + r1.dbsize() + r2.dbsize() == 0,
                    timeout=3.0)


def test_swapdb_keeps_ttls(shoal):
    r0, r1 = shoal.client(db=0), shoal.client(db=1)
    set_many(r1, "v:", 100, px=300)
    set_many(r1, "p:", 10)
    r0.swapdb(0, 1)
    assert r0.dbsize() == 110 and r1.dbsize() == 0
    assert wait_for(lambda: r0.dbsize() == 10, timeout=3.0), r0.dbsize()
    assert r0.ttl("p:0") == -1


def test_flush_clears_expiry_table(shoal):
    r = shoal.client()
    for flush in (r.flushall, r.flushdb):
        r.set("k", "v", px=200)
        flush()
        r.set("k", "again")
        time.sleep(0.4)
        assert r.get("k") == b"again"
        assert r.ttl("k") == -1


def test_expired_keys_hidden_everywhere(shoal_factory):
    """Before anything deletes them, expired keys are invisible to KEYS,
    SCAN, RANDOMKEY, EXISTS and friends."""
    server = shoal_factory(["--hz", "1"], name="hz1")
    r = server.client()
    r.set("live", "v")
    set_many(r, "dead:", 50, px=10)
    time.sleep(0.05)
    assert r.keys("*") == [b"live"]
    for _ in range(20):
        assert r.randomkey() == b"live"
    assert r.exists(*[f"dead:{i}" for i in range(50)]) == 0
    cursor, found = 0, []
    while True:
        cursor, keys = r.scan(cursor)
        found += keys
        if cursor == 0:
            break
    assert found == [b"live"]
    assert r.dbsize() == 1
