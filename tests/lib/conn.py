"""A raw RESP connection: send exact bytes, read typed replies (tests/lib/resp.py)."""

import socket
import time

from lib import resp


class ConnectionClosed(ConnectionError):
    """The server closed the connection; `.partial` holds unparsed bytes."""

    def __init__(self, msg, partial=b""):
        super().__init__(msg)
        self.partial = partial


class RawConn:
    """One TCP or unix-socket connection to a RESP server.

    Nothing is interpreted: error replies come back as resp.Reply values of
    kind "error", not as exceptions.
    """

    def __init__(self, host="127.0.0.1", port=None, unix_path=None, timeout=10.0):
        if unix_path is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(str(unix_path))
            self.peer = str(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.peer = f"{host}:{port}"
        self.timeout = timeout
        self._buf = b""
        self._pos = 0

    # -- writing

    def send(self, data):
        """Send raw bytes as they are (inline commands, malformed input...)."""
        self.sock.sendall(data)

    def send_command(self, *args):
        self.sock.sendall(resp.encode_command(*args))

    # -- reading

    def read_reply(self, timeout=None):
        """The next reply. Raises ConnectionClosed on EOF, socket.timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if self._pos < len(self._buf):
                try:
                    reply, self._pos = resp.parse(self._buf, self._pos)
                    return reply
                except resp.Incomplete:
                    pass
            self._fill(deadline)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout(f"no complete reply from {self.peer}")
        self.sock.settimeout(left)
        chunk = self.sock.recv(256 * 1024)
        if not chunk:
            raise ConnectionClosed(f"{self.peer} closed the connection",
                                   self._buf[self._pos:])
        self._buf = self._buf[self._pos:] + chunk
        self._pos = 0

    def call(self, *args, timeout=None):
        """Send one command and return its reply."""
        self.send_command(*args)
        return self.read_reply(timeout)

    def pipeline(self, commands, timeout=None):
        """Send all commands in one write, then read one reply per command."""
        self.sock.sendall(b"".join(resp.encode_command(*c) for c in commands))
        return [self.read_reply(timeout) for _ in commands]

    def read_raw(self, quiet=0.2):
        """All bytes that arrive until the connection is quiet for `quiet` s."""
        data = self._buf[self._pos:]
        self._buf, self._pos = b"", 0
        self.sock.settimeout(quiet)
        try:
            while True:
                chunk = self.sock.recv(256 * 1024)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        return data

    def is_closed(self, wait=1.0):
        """True if the server closes the connection within `wait` seconds
        (bytes that arrive meanwhile are kept for read_reply)."""
        deadline = time.monotonic() + wait
        try:
            while True:
                self._fill(deadline)
        except ConnectionClosed:
            return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
