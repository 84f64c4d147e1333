"""Start-up configuration: redis.conf syntax files, --directive arguments,
refusal of unknown directives (exit status 2), CONFIG REWRITE."""

import contextlib
import os
import socket
import subprocess
import time

import pytest
import redis

from conftest import shoal_binary


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_briefly(args, cwd, timeout=5):
    """Start bin/shoal shard with args; return (exit status, output) for a
    server that exits by itself, or None if it is still serving."""
    p = subprocess.Popen([str(shoal_binary()), "shard"] + args, cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None


@contextlib.contextmanager
def running(conf, cwd, port, extra=()):
    """A shoal started from a config file; yields a redis-py client."""
    p = subprocess.Popen([str(shoal_binary()), "shard", str(conf)] + list(extra),
                         cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port, decode_responses=True)
        for _ in range(200):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                assert p.poll() is None, "shoal exited at start"
                time.sleep(0.05)
        yield r
        r.close()
    finally:
        p.terminate()
        assert p.wait(10) == 0


@pytest.fixture(autouse=True)
def _only_shoal():
    if os.environ.get("DIFF_SELFTEST") == "1":
        pytest.skip("shoal start-up rules (role argument, exit status)")


def test_unknown_directive_in_file_exits_2(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("port %d\nno-such-directive yes\n" % free_port())
    rc, out = run_briefly([str(conf)], tmp_path)
    assert rc == 2
    assert "no-such-directive" in out


def test_unknown_directive_on_command_line_exits_2(tmp_path):
    rc, out = run_briefly(["--port", str(free_port()), "--frobnicate", "1"],
                          tmp_path)
    assert rc == 2
    assert "frobnicate" in out


def test_bad_value_exits_2(tmp_path):
    rc, out = run_briefly(["--port", "notaport"], tmp_path)
    assert rc == 2
    assert "port" in out


def test_comments_with_quotes_and_multiword_values(tmp_path):
    port = free_port()
    conf = tmp_path / "ok.conf"
    conf.write_text(
        "# a comment with an 'unbalanced quote\n"
        "   # indented comment \"too\n"
        "\n"
        "port %d\n"
        "bind 127.0.0.1\n"
        "maxclients 321\n"
        "client-output-buffer-limit normal 1mb 512kb 10\n" % port)
    with running(conf, tmp_path, port) as r:
        assert r.config_get("maxclients") == {"maxclients": "321"}
        got = r.config_get("client-output-buffer-limit")
        assert got["client-output-buffer-limit"].startswith(
            "normal 1048576 524288 10")


def test_save_lines_accumulate(tmp_path):
    port = free_port()
    conf = tmp_path / "save.conf"
    conf.write_text("save 900 1\nsave 300 10\nport %d\nbind 127.0.0.1\n" % port)
    with running(conf, tmp_path, port) as r:
        assert r.config_get("save") == {"save": "900 1 300 10"}


def test_command_line_overrides_file(tmp_path):
    port = free_port()
    conf = tmp_path / "o.conf"
    conf.write_text("port %d\nbind 127.0.0.1\nsave 900 1\nhz 15\n" % port)
    with running(conf, tmp_path, port, ["--save", "", "--hz", "25"]) as r:
        assert r.config_get("save") == {"save": ""}
        assert r.config_get("hz") == {"hz": "25"}


def test_config_rewrite_keeps_comments_and_updates(tmp_path):
    port = free_port()
    conf = tmp_path / "rw.conf"
    conf.write_text("# keep me\nport %d\nbind 127.0.0.1\nsave \"\"\nhz 10\n"
                    % port)
    with running(conf, tmp_path, port) as r:
        r.config_set("hz", 20)
        r.config_set("maxclients", 777)
        assert r.execute_command("CONFIG", "REWRITE") in (True, "OK")
    text = conf.read_text()
    assert "# keep me" in text
    assert "hz 20" in text
    assert "maxclients 777" in text
    assert text.count("\nhz ") == 1
    # The rewritten file starts a server with the same settings.
    with running(conf, tmp_path, port) as r:
        assert r.config_get("hz") == {"hz": "20"}
        assert r.config_get("maxclients") == {"maxclients": "777"}
