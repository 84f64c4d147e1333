"""Start and stop shoal's supervisor (one shard per port) for the tests.

The supervisor's stdout and stderr (its own lines and every shard's) go to
<workdir>/supervisor.log; stop() sends SIGTERM and checks the exit status
and the log for sanitizer reports, as lib.server does for one server.
"""

import os
import random
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from lib.server import HOST, SANITIZER_MARKERS, ServerError

_SANITIZER_RE = re.compile("|".join(re.escape(m) for m in SANITIZER_MARKERS))


def free_port_run(n):
    """A base port such that base..base+n-1 (and +10000, the cluster bus
    ports tools expect) were free a moment ago."""
    for _ in range(200):
        base = random.randint(20000, 45000)
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind((HOST, p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port run")


class Supervisor:
    def __init__(self, binary, workdir, shards=3, extra_args=None, env=None,
                 port=None):
        self.binary = str(binary)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.shards = shards
        self.port = port or free_port_run(shards)
        self.extra = [str(a) for a in (extra_args or [])]
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.log_path = self.workdir / "supervisor.log"
        self.data = self.workdir / "data"

    @property
    def ports(self):
        return [self.port + i for i in range(self.shards)]

    def argv(self):
        return [self.binary, "--shards", str(self.shards), "--port",
                str(self.port), "--dir", str(self.data), "--save", "",
                "--enable-debug-command", "yes"] + self.extra

    def start(self, wait=True, timeout=20.0):
        self.data.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stdout=log,
                                     stderr=subprocess.STDOUT,
                                     cwd=self.workdir, env=self.env)
        log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=20.0):
        deadline = time.time() + timeout
        for port in self.ports:
            while True:
                if self.proc.poll() is not None:
                    raise ServerError("supervisor exited early (%s):\n%s" % (
                        self.proc.returncode, self.log_tail()))
                try:
                    if self.client(port, socket_timeout=1).ping():
                        break
                except (redis.ConnectionError, redis.TimeoutError,
                        redis.ResponseError):
                    pass
                if time.time() > deadline:
                    raise ServerError("shard on port %d not ready:\n%s" % (
                        port, self.log_tail()))
                time.sleep(0.05)

    def client(self, port, **kw):
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host=HOST, port=port, **kw)

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=60):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def shard_pids(self):
        """Shard index -> pid, from the supervisor's latest log lines."""
        pids = {}
        for m in re.finditer(r"shard (\d+) started, pid (\d+)",
                             self.log_text()):
            pids[int(m.group(1))] = int(m.group(2))
        return pids

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=30.0):
        return self.proc.wait(timeout)

    def stop(self, timeout=30.0, check=True):
        if self.proc is None or self.proc.poll() is not None:
            rc = None if self.proc is None else self.proc.returncode
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise ServerError("supervisor hung on SIGTERM:\n" +
                                  self.log_tail())
        if check:
            reports = _SANITIZER_RE.findall(self.log_text())
            if reports:
                raise ServerError("sanitizer report in supervisor.log:\n" +
                                  self.log_tail(120))
        return rc
