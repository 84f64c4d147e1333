"""Integration tests of pub/sub flow control (shard/pubsub.c, net.c): a
subscriber that never reads is disconnected by the pubsub class of
client-output-buffer-limit while a subscriber that keeps up receives every
message in order; the normal class does not apply to subscribers."""

import socket
import threading
import time

from lib import resp

MSG = 10 * 1024
BATCH = 16          # 160 KB per batch: under the 256 KB soft limit
BATCHES = 150       # 24 MB in all: far past the slow side's socket buffers


class Reader(threading.Thread):
    """Reads message frames from a subscriber as fast as they come."""

    def __init__(self, conn):
        super().__init__(daemon=True)
        self.conn = conn
        self.got = []
        self.error = None
        self.cv = threading.Condition()

    def run(self):
        try:
            while True:
                r = self.conn.read_reply(timeout=30)
                kind, ch, msg = (x.value for x in r.value)
                assert kind == b"message" and ch == b"feed", r
                with self.cv:
                    self.got.append(msg)
                    self.cv.notify_all()
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e
            with self.cv:
                self.cv.notify_all()

    def wait_for(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        with self.cv:
            while len(self.got) < n and self.error is None:
                left = deadline - time.monotonic()
                assert left > 0, f"fast subscriber stuck at {len(self.got)}"
                self.cv.wait(left)
        assert self.error is None, self.error


def subscribe(server, channel="feed"):
    c = server.raw(timeout=30)
    r = c.call("SUBSCRIBE", channel)
    assert r.value[0].value == b"subscribe", r
    return c


def slow_socket(server):
    """A subscriber with a small receive buffer that never reads."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", server.port))
    s.sendall(resp.encode_command("SUBSCRIBE", "feed"))
    return s


def publish_paced(ctl, reader, batches, start=0):
    """Publish in batches; wait for the fast reader after each one so it is
    never more than one batch behind. Returns the receiver counts."""
    counts = []
    n = start
    for _ in range(batches):
        cmds = []
        for _ in range(BATCH):
            body = b"%08d" % n + b"x" * (MSG - 8)
            cmds.append(("PUBLISH", "feed", body))
            n += 1
        counts += [r.value for r in ctl.pipeline(cmds)]
        reader.wait_for(n)
    return counts, n


def test_slow_subscriber_disconnected_fast_one_served(shoal):
    ctl = shoal.raw(timeout=30)
    assert ctl.call("CONFIG", "SET", "client-output-buffer-limit",
                    "pubsub 1mb 256kb 1").value == b"OK"
    fast = subscribe(shoal)
    slow = slow_socket(shoal)
    # Let the slow SUBSCRIBE land before publishing.
    deadline = time.monotonic() + 5
    while ctl.call("PUBSUB", "NUMSUB", "feed").value[1].value != 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    reader = Reader(fast)
    reader.start()
    counts, total = publish_paced(ctl, reader, BATCHES)
    # Both received at first; once the slow one is cut off, only one.
    assert counts[0] == 2
    assert counts[-1] == 1
    assert ctl.call("PUBSUB", "NUMSUB", "feed").value[1].value == 1
    # Every message reached the fast subscriber, in order.
    assert [int(m[:8]) for m in reader.got] == list(range(total))
    # The slow socket ends (after what its buffers held) in EOF.
    slow.settimeout(10)
    received = 0
    while True:
        chunk = slow.recv(1 << 20)
        if not chunk:
            break
        received += len(chunk)
    assert received < total * MSG
    slow.close()
    fast.close()
    ctl.close()


def test_normal_class_does_not_apply_to_subscribers(shoal):
    """Subscribers are the pubsub class: a tiny normal limit leaves them be,
    and a subscriber that unsubscribes everything is normal again."""
    ctl = shoal.raw(timeout=30)
    assert ctl.call("CONFIG", "SET", "client-output-buffer-limit",
                    "normal 64kb 32kb 1 pubsub 0 0 0").value == b"OK"
    slow = slow_socket(shoal)
    deadline = time.monotonic() + 5
    while ctl.call("PUBSUB", "NUMSUB", "feed").value[1].value != 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    body = b"y" * MSG
    for _ in range(20):
        counts = ctl.pipeline([("PUBLISH", "feed", body)] * 50)
        assert all(r.value == 1 for r in counts)
    # Still there, holding megabytes of output.
    text = ctl.call("CLIENT", "LIST", "TYPE", "pubsub").value.decode()
    fields = dict(p.split("=", 1) for p in text.split() if "=" in p)
    assert fields["flags"] == "P"
    assert int(fields["omem"]) > 1024 * 1024
    slow.close()
    ctl.close()


def test_subscriber_freed_on_close(shoal):
    ctl = shoal.raw()
    subs = [subscribe(shoal, "c%d" % i) for i in range(5)]
    p = shoal.raw()
    p.call("PSUBSCRIBE", "c*")
    assert ctl.call("PUBLISH", "c1", "m").value == 2
    for s in subs:
        s.close()
    p.close()
    deadline = time.monotonic() + 5
    while ctl.call("PUBSUB", "NUMPAT").value != 0 or \
            ctl.call("PUBSUB", "CHANNELS").value:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert ctl.call("PUBLISH", "c1", "m").value == 0
    ctl.close()


def test_soft_limit_after_its_seconds(shoal):
    """Over the soft limit for longer than its seconds: disconnected at the
    next message, not before."""
    ctl = shoal.raw(timeout=30)
    assert ctl.call("CONFIG", "SET", "client-output-buffer-limit",
                    "pubsub 0 256kb 1").value == b"OK"
    slow = slow_socket(shoal)
    deadline = time.monotonic() + 5
    while ctl.call("PUBSUB", "NUMSUB", "feed").value[1].value != 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    body = b"z" * MSG
    for _ in range(16):  # 8 MB: past every socket buffer
        counts = ctl.pipeline([("PUBLISH", "feed", body)] * 50)
    assert counts[-1].value == 1  # over the soft limit, but not for long
    # Redis counts whole seconds: "more than 1" is 2 ticks of its clock.
    time.sleep(2.1)
    ctl.call("PUBLISH", "feed", body)
    assert ctl.call("PUBLISH", "feed", body).value == 0
    slow.close()
    ctl.close()
