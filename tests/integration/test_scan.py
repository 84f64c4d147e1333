"""SCAN in a running shard: a full iteration returns every key, even while
other keys are added and removed between calls (tables growing, shrinking
and rehashing under the cursor); MATCH, TYPE and COUNT; expired keys are
skipped and deleted."""

import time

import pytest

from lib import resp


def set_keys(r, keys, value="v", px=None):
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.set(k, value, px=px)
    assert all(pipe.execute())


def del_keys(r, keys):
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.delete(k)
    pipe.execute()


def full_scan(r, between=None, **kw):
    """All keys one complete iteration returns (a list: duplicates kept)
    and the number of calls. between(i) runs after the i-th call."""
    cursor, found, calls = 0, [], 0
    while True:
        cursor, keys = r.scan(cursor, **kw)
        found += keys
        calls += 1
        if cursor == 0:
            return found, calls
        assert calls < 200_000, "SCAN does not terminate"
        if between is not None:
            between(calls)


def test_empty_db(shoal):
    with shoal.raw() as c:
        assert c.call("SCAN", "0") == resp.array(resp.bulk("0"), resp.array())
        assert c.call("SCAN", "12345") == resp.array(resp.bulk("0"), resp.array())


@pytest.mark.parametrize("count", [1, 10, 100, 10000])
def test_full_scan_returns_every_key(shoal, count):
    r = shoal.client()
    keys = {f"key:{i}".encode() for i in range(5000)}
    set_keys(r, keys)
    found, calls = full_scan(r, count=count)
    assert set(found) == keys
    if count == 1:
        assert calls > 1000  # COUNT really bounds each call's work


def test_cursor_is_decimal_u64(shoal):
    r = shoal.client()
    set_keys(r, [f"k{i}" for i in range(2000)])
    with shoal.raw() as c:
        cursor = b"0"
        while True:
            reply = c.call("SCAN", cursor, "COUNT", "5")
            assert reply.kind == resp.ARRAY and len(reply.value) == 2
            cursor = reply.value[0].value
            assert reply.value[0].kind == resp.BULK
            assert cursor.isdigit() and int(cursor) < 2**64
            assert str(int(cursor)).encode() == cursor
            if cursor == b"0":
                break
        assert c.call("SCAN", "abc") == resp.error("ERR invalid cursor")


def test_guarantee_under_rehash(shoal):
    """Every key present for the whole iteration is returned, while other
    keys come and go between calls. 1000 of the 5000 keys share a hash tag
    (one slot, so one table): once the scan is into that table, it grows
    about 32-fold under the cursor, then shrinks back."""
    r = shoal.client()
    hot = {f"{{hot}}:stable:{i}".encode() for i in range(1000)}
    spread = {f"stable:{i}".encode() for i in range(4000)}
    set_keys(r, hot | spread)
    others, seen = [], set()
    state = {"added": 0, "peak": 0, "batch": 0}

    def churn():
        progress = len(seen & hot) / len(hot)
        if 0.1 <= progress < 0.4 and state["added"] < 30000:
            n = state["batch"] = state["batch"] + 1
            batch = [f"{{hot}}:other:{n}:{j}" for j in range(1500)] + \
                    [f"other:{n}:{j}" for j in range(100)]
            set_keys(r, batch)
            others.extend(batch)
            state["added"] += len(batch)
            state["peak"] = max(state["peak"], len(others))
        elif progress >= 0.4 and others:
            batch, others[:] = others[:3000], others[3000:]
            del_keys(r, batch)

    cursor, calls = 0, 0
    while True:
        cursor, keys = r.scan(cursor, count=20)
        seen.update(keys)
        calls += 1
        if cursor == 0:
            break
        assert calls < 200_000, "SCAN does not terminate"
        churn()
    assert state["peak"] > 10000, "the table never grew much under the scan"
    assert not others, "the scan ended before the table shrank back"
    missing = (hot | spread) - seen
    assert not missing, f"{len(missing)} keys never returned, e.g. {sorted(missing)[:5]}"
    assert r.dbsize() == 5000


def test_guarantee_with_deletions_of_scanned_keys(shoal):
    """Deleting keys already returned must not make SCAN skip others."""
    r = shoal.client()
    keys = [f"{{t}}:{i}" for i in range(3000)] + [f"k:{i}" for i in range(3000)]
    set_keys(r, keys)
    seen = []

    def delete_seen(call):
        if call % 3 == 0 and seen:
            del_keys(r, seen[-50:])

    cursor, calls, found = 0, 0, []
    while True:
        cursor, batch = r.scan(cursor, count=20)
        found += batch
        seen.extend(batch)
        calls += 1
        if cursor == 0:
            break
        delete_seen(calls)
    # Keys deleted during the scan were returned before their deletion;
    # everything else was present throughout.
    assert set(found) == set(k.encode() for k in keys)


def test_match_and_type(shoal):
    r = shoal.client()
    set_keys(r, [f"user:{i}" for i in range(300)])
    set_keys(r, [f"item:{i}" for i in range(300)])
    found, _ = full_scan(r, match="user:1*", count=50)
    assert set(found) == {f"user:{i}".encode() for i in range(300)
                          if str(i).startswith("1")}
    found, _ = full_scan(r, match="*:2?", count=50)
    assert set(found) == {f"{p}:{i}".encode() for p in ("user", "item")
                          for i in range(20, 30)}
    found, _ = full_scan(r, _type="string", count=1000)
    assert len(set(found)) == 600
    found, _ = full_scan(r, _type="STRING", match="item:*")
    assert len(set(found)) == 300
    assert full_scan(r, _type="list")[0] == []
    assert full_scan(r, match="nothing*")[0] == []


def test_other_databases(shoal):
    r0, r5 = shoal.client(db=0), shoal.client(db=5)
    set_keys(r0, [f"zero:{i}" for i in range(100)])
    set_keys(r5, [f"five:{i}" for i in range(50)])
    assert set(full_scan(r5)[0]) == {f"five:{i}".encode() for i in range(50)}
    assert len(set(full_scan(r0)[0])) == 100


def test_skips_and_deletes_expired(shoal_factory):
    """Expired keys are filtered out, and the scan deletes them (hz 1 keeps
    the active cycle mostly out of the way)."""
    server = shoal_factory(["--hz", "1"], name="hz1")
    r = server.client()
    live = {f"live:{i}".encode() for i in range(300)}
    set_keys(r, live)
    set_keys(r, [f"dead:{i}" for i in range(300)], px=10)
    time.sleep(0.05)
    found, _ = full_scan(r, count=25)
    assert set(found) == live
    assert r.dbsize() == 300


def test_keys_agrees_with_scan(shoal):
    r = shoal.client()
    set_keys(r, [f"a:{i}" for i in range(1000)] + [f"b:{i}" for i in range(10)])
    assert sorted(r.keys("*")) == sorted(full_scan(r)[0])
    assert sorted(r.keys("b:*")) == sorted(full_scan(r, match="b:*")[0])
