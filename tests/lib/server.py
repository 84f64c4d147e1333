"""Start, probe and stop shoal and redis-server processes for the test suites.

Every server writes stdout and stderr to its own log file. stop() sends
SIGTERM, waits, and then reports crashes, hangs, unexpected exit statuses
and sanitizer reports (ASan, UBSan, LSan) found in the log.
"""

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from lib.conn import RawConn

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"

# Lines that open a sanitizer report in a server log.
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",  # UBSan
    "ERROR: UndefinedBehaviorSanitizer",
    "WARNING: ThreadSanitizer",
    "WARNING: MemorySanitizer",
)
_SANITIZER_RE = re.compile("|".join(re.escape(m) for m in SANITIZER_MARKERS))
_ADDR_IN_USE_RE = re.compile(r"address already in use|EADDRINUSE", re.I)


class ServerError(Exception):
    """A server failed to start, crashed, hung on shutdown or tripped a sanitizer."""


def free_port():
    """A TCP port that was free a moment ago (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def resolve_binary(value):
    """SHOAL_BIN-style value -> absolute path: bare names go through PATH,
    relative paths are relative to the repository root."""
    if os.sep not in value:
        found = shutil.which(value)
        return Path(found) if found else REPO_ROOT / value
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


def is_redis_binary(path):
    return Path(path).name.startswith("redis-server")


def _args_from(extra):
    """{'unixsocket': p, 'maxmemory': '1mb'} or ['--x', 'y'] -> argv list."""
    if extra is None:
        return []
    if isinstance(extra, dict):
        argv = []
        for name, value in extra.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            argv.append("--" + name)
            argv.extend(str(v) for v in values)
        return argv
    return [str(a) for a in extra]


def _listening_inodes(port):
    """Socket inodes listening on 127.0.0.1:port / *:port, from /proc/net."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except OSError:
            continue
    return inodes


def _pid_listens_on(pid, port):
    """True if process `pid` owns a listening socket on `port`; None if /proc
    cannot tell (not Linux, or no permission)."""
    inodes = _listening_inodes(port)
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return None
    for fd in fds:
        try:
            link = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False


class ServerProcess:
    """One server process. Subclasses say how to build the command line."""

    flavour = "server"

    def __init__(self, binary, workdir, extra_args=None, env=None):
        self.binary = Path(binary)
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.extra_args = _args_from(extra_args)
        self.env = env
        self.host = HOST
        self.port = None
        self.proc = None
        self.argv = None
        self.log_path = self.dir / "server.log"
        self.returncode = None
        # Exit statuses stop() accepts besides 0 and death by our SIGTERM.
        self.allowed_exit_codes = set()
        # Set when a test crashes the server on purpose (DEBUG SEGFAULT...).
        self.crash_ok = False
        self._log = None
        self._log_start = 0
        self._clients = []
        self._sent_term = False

    def __repr__(self):
        rc = self.proc.poll() if self.proc else self.returncode
        state = "running" if self.proc and rc is None else f"exited {rc}"
        return f"<{self.flavour} {self.host}:{self.port} pid={self.pid} {state}>"

    def base_args(self, port):
        raise NotImplementedError

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    # -- lifecycle

    def start(self, extra_args=None, timeout=10.0, attempts=5):
        """Start on a fresh port and wait until it answers PING with PONG.

        Retries on another port if the port turned out to be taken. Raises
        ServerError (with the log tail) if the server does not come up.
        """
        if extra_args is not None:
            self.extra_args = self.extra_args + _args_from(extra_args)
        if not self.binary.exists():
            raise ServerError(f"{self.binary} not found (run `make`?)")
        for attempt in range(attempts):
            port = free_port()
            self._spawn(port)
            outcome = self._wait_ready(timeout)
            if outcome == "ready":
                return self
            if outcome == "port-taken" and attempt + 1 < attempts:
                self._kill_quietly()
                continue
            tail = self.log_tail()
            self._kill_quietly()
            raise ServerError(
                f"{self.flavour} did not become ready on port {port} "
                f"({outcome}).\ncommand: {shlex.join(self.argv)}\n"
                f"log {self.log_path}:\n{tail}")
        raise AssertionError("unreachable")

    def _spawn(self, port):
        self.port = port
        self.argv = [str(self.binary)] + self.base_args(port) + self.extra_args
        self._log = open(self.log_path, "ab")
        self._log_start = self._log.tell()
        self._log.write(f"=== {shlex.join(self.argv)}\n".encode())
        self._log.flush()
        env = dict(os.environ if self.env is None else self.env)
        self.proc = subprocess.Popen(
            self.argv, cwd=self.dir, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.returncode = None
        self._sent_term = False

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.returncode = self.proc.returncode
                if _ADDR_IN_USE_RE.search(self.log_text(self._log_start)):
                    return "port-taken"
                return f"exited with status {self.returncode}"
            if self._pings():
                # Make sure the PONG came from our process, not from some
                # other server that already held this port.
                if _pid_listens_on(self.proc.pid, self.port) is False:
                    return "port-taken"
                return "ready"
            time.sleep(0.005)
        return f"no PONG within {timeout} s"

    def _pings(self):
        try:
            with RawConn(self.host, self.port, timeout=1.0) as c:
                reply = c.call("PING")
                return reply.kind == "simple" and reply.value == b"PONG"
        except (OSError, ConnectionError):
            return False

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        """Send a signal to the server (SIGTERM this way counts as ours)."""
        if sig == signal.SIGTERM:
            self._sent_term = True
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=10.0):
        """Wait for the process to end; returns its status or None on timeout."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def terminate(self):
        """Close our clients and send SIGTERM without waiting (stop() then
        waits): lets several servers shut down in parallel."""
        if self.proc is None:
            return
        self.close_clients()
        if self.proc.poll() is None and not self._sent_term:
            self.signal(signal.SIGTERM)

    def stop(self, timeout=10.0, check=True):
        """SIGTERM the server, wait, then check how it ended and its log.

        Returns the list of problems found; raises ServerError listing them
        unless check=False. Safe to call twice (later calls do nothing).
        """
        __tracebackhide__ = True
        if self.proc is None:
            return []
        self.terminate()
        problems = []
        if self.wait_exit(timeout) is None:
            self.proc.kill()
            self.proc.wait()
            problems.append(f"did not exit within {timeout} s of SIGTERM; "
                            "sent SIGKILL")
        self.returncode = self.proc.returncode
        if not problems:
            problems += self._exit_problems(self.returncode)
        self._log.close()
        problems += self.sanitizer_reports()
        if problems and check:
            message = self.describe(problems)
            self.proc = None
            raise ServerError(message)
        self.proc = None
        return problems

    def _exit_problems(self, rc):
        if rc == 0 or rc in self.allowed_exit_codes or self.crash_ok:
            return []
        if rc == -signal.SIGTERM and self._sent_term:
            return []
        if rc < 0:
            return [f"crashed: killed by {signal.Signals(-rc).name}"]
        return [f"exited with status {rc}"]

    def _kill_quietly(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.returncode = self.proc.returncode
            self.proc = None
        if self._log is not None:
            self._log.close()

    # -- logs

    def log_text(self, start=0):
        """The log from byte offset `start` (all attempts by default)."""
        try:
            return self.log_path.read_bytes()[start:].decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def sanitizer_reports(self, context=120):
        """Each sanitizer report in the log, as text (at most `context` lines)."""
        lines = self.log_text().splitlines()
        reports, i = [], 0
        while i < len(lines):
            if _SANITIZER_RE.search(lines[i]):
                end = i + 1
                while end < len(lines) and end - i < context:
                    if lines[end].startswith("SUMMARY:"):
                        end += 1
                        break
                    end += 1
                reports.append("sanitizer report:\n" + "\n".join(lines[i:end]))
                i = end
            else:
                i += 1
        return reports

    def describe(self, problems):
        head = f"{self.flavour} (pid {self.pid}, port {self.port}, log {self.log_path})"
        body = "\n".join(f"- {p}" for p in problems)
        text = f"{head}:\n{body}"
        if not any(p.startswith("sanitizer report") for p in problems):
            text += f"\nlast log lines:\n{self.log_tail()}"
        return text

    # -- clients

    def client(self, **kw):
        """A redis.Redis for this server (bytes replies unless told otherwise);
        closed by stop()."""
        opts = dict(decode_responses=False, socket_timeout=10)
        if "unix_socket_path" not in kw:
            opts.update(host=self.host, port=self.port)
        opts.update(kw)
        c = redis.Redis(**opts)
        self._clients.append(c)
        return c

    def raw(self, timeout=10.0, unix_path=None):
        """A RawConn (exact bytes in, typed replies out); closed by stop()."""
        if unix_path is not None:
            c = RawConn(unix_path=unix_path, timeout=timeout)
        else:
            c = RawConn(self.host, self.port, timeout=timeout)
        self._clients.append(c)
        return c

    def close_clients(self):
        for c in self._clients:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self._clients.clear()


class ShoalServer(ServerProcess):
    """`bin/shoal shard` run standalone (cluster mode off)."""

    flavour = "shoal"

    def base_args(self, port):
        return ["shard", "--port", str(port), "--bind", self.host,
                "--save", "", "--dir", str(self.dir),
                "--enable-debug-command", "yes"]


class RedisServer(ServerProcess):
    """The reference redis-server, with DEBUG enabled."""

    flavour = "redis"

    def base_args(self, port):
        return ["--port", str(port), "--bind", self.host, "--save", "",
                "--appendonly", "no", "--dir", str(self.dir),
                "--daemonize", "no", "--enable-debug-command", "yes"]


def server_for(binary, workdir, **kw):
    """ShoalServer, or RedisServer when `binary` is a redis-server."""
    cls = RedisServer if is_redis_binary(binary) else ShoalServer
    return cls(binary, workdir, **kw)
