"""pytest fixtures for shoal's integration and differential suites.

Which shoal binary is tested: SHOAL_BIN (default bin/shoal; relative paths
are from the repository root). If SHOAL_BIN names a redis-server, or
DIFF_SELFTEST=1, the "shoal" side is a redis-server: that checks the suites
themselves. The oracle is REDIS_SERVER_BIN (default: redis-server on PATH).

Every server's stdout+stderr goes to <its dir>/server.log; at teardown the
fixture stops it with SIGTERM and fails the test if it crashed, hung, or
left a sanitizer report in its log.
"""

import collections
import importlib.util
import os
import shutil
import subprocess

import pytest

from lib.server import REPO_ROOT, RedisServer, ServerError, resolve_binary, server_for

HAVE_TIMEOUT_PLUGIN = importlib.util.find_spec("pytest_timeout") is not None


def pytest_addoption(parser):
    if not HAVE_TIMEOUT_PLUGIN:
        # Accept pytest.ini's `timeout` without python3-pytest-timeout.
        parser.addini("timeout", "per-test timeout (needs python3-pytest-timeout)")


def shoal_binary():
    if os.environ.get("DIFF_SELFTEST") == "1":
        return oracle_binary() or resolve_binary("redis-server")
    return resolve_binary(os.environ.get("SHOAL_BIN", "bin/shoal"))


def oracle_binary():
    path = shutil.which(os.environ.get("REDIS_SERVER_BIN", "redis-server"))
    return resolve_binary(path) if path else None


def pytest_report_header(config):
    oracle = oracle_binary()
    version = "absent: differential tests will be skipped"
    if oracle:
        out = subprocess.run([str(oracle), "--version"], capture_output=True, text=True)
        version = f"{oracle} ({out.stdout.strip()})"
    return [f"shoal under test: {shoal_binary()}", f"oracle: {version}"]


# ---------------------------------------------------------------- factories


class ServerFactory:
    """Starts servers on demand and stops (and checks) all of them at teardown."""

    def __init__(self, tmp_path_factory, make):
        self._tmp = tmp_path_factory
        self._make = make
        self.servers = []

    def __call__(self, extra_args=None, start=True, name=None):
        """A new server; `extra_args` are redis.conf directives as a dict
        ({"unixsocket": path}) or a ready argv list (["--maxmemory", "1mb"]).
        With start=False, call .start() yourself."""
        server = self._make(self._tmp.mktemp(name or "srv"), extra_args)
        self.servers.append(server)
        if start:
            error = None
            try:
                server.start()
            except ServerError as e:
                error = str(e)
            if error:
                pytest.fail(error, pytrace=False)
        return server

    def stop_all(self):
        stop_servers(self.servers)
        self.servers.clear()


def stop_servers(servers):
    """SIGTERM all servers at once, wait for each, fail listing any problems."""
    problems = []
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.stop()
        except ServerError as e:
            problems.append(str(e))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def _shoal_factory(tmp_path_factory):
    binary = shoal_binary()
    return ServerFactory(tmp_path_factory,
                         lambda d, extra: server_for(binary, d, extra_args=extra))


def _redis_factory(tmp_path_factory):
    binary = oracle_binary()
    if binary is None:
        pytest.skip("redis-server not found (Debian package redis-server): "
                    "it is the oracle for differential tests")
    return ServerFactory(tmp_path_factory,
                         lambda d, extra: RedisServer(binary, d, extra_args=extra))


@pytest.fixture
def shoal_factory(tmp_path_factory):
    """Call it to start extra shoal servers: shoal_factory({"unixsocket": p})."""
    factory = _shoal_factory(tmp_path_factory)
    yield factory
    factory.stop_all()


@pytest.fixture
def redis_factory(tmp_path_factory):
    """Call it to start extra redis-server oracles."""
    factory = _redis_factory(tmp_path_factory)
    yield factory
    factory.stop_all()


# ---------------------------------------------------------------- servers


@pytest.fixture
def shoal(shoal_factory):
    """A fresh, started shoal server for this test."""
    return shoal_factory(name="shoal")


@pytest.fixture(scope="module")
def shoal_module(tmp_path_factory):
    """One shoal server shared by a test module (flush it between tests
    yourself if that matters)."""
    factory = _shoal_factory(tmp_path_factory)
    server = factory(name="shoal")
    yield server
    factory.stop_all()


@pytest.fixture
def redis_oracle(redis_factory):
    """A fresh redis-server (the oracle); skips if redis-server is absent."""
    return redis_factory(name="redis")


Pair = collections.namedtuple("Pair", "shoal redis")


@pytest.fixture
def pair(tmp_path_factory):
    """A fresh redis-server and a fresh shoal: pair.shoal, pair.redis
    (their own servers, not the `shoal`/`redis_oracle` fixtures)."""
    redis_factory = _redis_factory(tmp_path_factory)  # skips if absent
    shoal_factory = _shoal_factory(tmp_path_factory)
    try:
        yield Pair(shoal_factory(name="shoal"), redis_factory(name="redis"))
    finally:
        # Both shut down in parallel: halves the per-test teardown time.
        stop_servers(shoal_factory.servers + redis_factory.servers)


@pytest.fixture
def differ(pair):
    """A differential.diff.Differ over a fresh pair of servers."""
    from differential.diff import Differ

    d = Differ(pair.shoal, pair.redis)
    yield d
    d.close()


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT
