"""Scenarios with several named raw connections to one server, recording a
transcript of what each got; run the same scenario on redis-server and on
shoal and require equal transcripts."""

import socket
import time

from lib.conn import ConnectionClosed


class Scene:
    """Named raw connections to one server, and a transcript of what each
    one received."""

    reply_timeout = 5.0  # seconds a reply may take
    silent_wait = 0.15   # seconds of silence that count as "nothing"

    def __init__(self, server):
        self.server = server
        self.conns = {}
        self.ctl = server.raw()
        self.log = []

    def conn(self, name):
        if name not in self.conns:
            self.conns[name] = self.server.raw()
        return self.conns[name]

    def call(self, name, *cmd):
        """Run a command that answers at once; record the reply."""
        r = self.conn(name).call(*cmd)
        self.log.append((name, cmd, r))
        return r

    def send(self, name, *cmd):
        self.conn(name).send_command(*cmd)

    def block(self, name, *cmd):
        """Send a command that blocks; return once the server counts it."""
        before = self.blocked()
        self.send(name, *cmd)
        self.wait_blocked(before + 1)

    def reply(self, name, timeout=None):
        r = self.conn(name).read_reply(timeout or self.reply_timeout)
        self.log.append((name, "reply", r))
        return r

    def silent(self, name, wait=None):
        """Record that `name` got nothing within `wait` seconds."""
        try:
            r = self.conn(name).read_reply(wait or self.silent_wait)
        except (socket.timeout, TimeoutError):
            self.log.append((name, "silent", None))
            return
        self.log.append((name, "UNEXPECTED", r))

    def closed(self, name, timeout=None):
        """Record that the server closed `name`'s connection."""
        try:
            r = self.conn(name).read_reply(timeout or self.reply_timeout)
        except ConnectionClosed:
            self.log.append((name, "closed", None))
            return
        self.log.append((name, "UNEXPECTED", r))

    def close(self, name):
        self.conns.pop(name).close()

    def info(self, field):
        text = self.ctl.call("INFO", "clients").value.decode()
        for line in text.split("\r\n"):
            if line.startswith(field + ":"):
                return int(line.split(":", 1)[1])
        raise AssertionError(f"INFO clients has no {field}")

    def blocked(self):
        return self.info("blocked_clients")

    def wait_blocked(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.blocked() != n:
            if time.monotonic() > deadline:
                raise AssertionError(f"blocked_clients never reached {n}")
            time.sleep(0.005)

    def note(self, what, value):
        self.log.append(("note", what, value))

    def finish(self):
        for c in self.conns.values():
            c.close()
        self.ctl.close()


def run_both(servers, scenario, scene_cls=Scene, setup=None):
    """Run setup(scene) and scenario(scene) on servers["redis"], then on
    servers["shoal"]; the transcripts must be equal. Returns shoal's."""
    logs = {}
    for side in ("redis", "shoal"):
        scene = scene_cls(servers[side])
        try:
            if setup is not None:
                setup(scene)
            scenario(scene)
        finally:
            scene.finish()
        logs[side] = scene.log
    for i, (a, b) in enumerate(zip(logs["redis"], logs["shoal"])):
        assert a == b, f"step {i}: redis {a!r} vs shoal {b!r}"
    assert len(logs["redis"]) == len(logs["shoal"])
    return logs["shoal"]
