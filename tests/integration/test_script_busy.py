"""Runaway scripts and atomicity (shard/script.c): past busy-reply-threshold
other clients get -BUSY, SCRIPT KILL / FUNCTION KILL end a script that has
not written (-UNKILLABLE once it has; -NOTBUSY when idle), SHUTDOWN NOSAVE
still works, and a client blocked on BLPOP is woken only after the script
that pushed returns. Each scenario runs on redis-server 7.0 and on shoal;
the transcripts (what every client got, in order) must be equal."""

import time

import pytest

from lib import resp
from lib.scene import Scene as BaseScene, run_both as scene_run_both

THRESHOLD_MS = 100



def spin(ms):
    """Lua that spins for ms of wall-clock time (TIME is allowed in
    scripts). Long enough to outlast the busy detection (the hook looks at
    the clock every 100000 instructions: slow under sanitizers) and the
    checks made meanwhile."""
    return ("local function now() local t = redis.call('time') "
            "return t[1] * 1000000 + t[2] end "
            f"local s = now() while now() - s < {ms * 1000} do end ")


class Scene(BaseScene):
    reply_timeout = 10.0
    silent_wait = 0.2

    def wait_busy(self, name):
        """PING until the server answers -BUSY (it answers nothing at all
        before the threshold); record the first -BUSY."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = self.conn(name).call("PING")
            if r.is_error:
                self.log.append((name, "busy", r))
                return
            time.sleep(0.01)
        raise AssertionError("the server never became busy")


def set_threshold(scene):
    scene.call("ctl", "CONFIG", "SET", "busy-reply-threshold",
               str(THRESHOLD_MS))


def run_both(servers, scenario):
    return scene_run_both(servers, scenario, Scene, set_threshold)


def sc_kill(s):
    s.call("b", "SCRIPT", "KILL")
    s.call("b", "FUNCTION", "KILL")
    s.call("b", "SET", "k", "before")
    s.send("a", "EVAL", "local i = 0 while true do i = i + 1 end", "0")
    s.wait_busy("b")
    s.call("b", "GET", "k")
    s.call("b", "SET", "k", "during")
    s.call("b", "FUNCTION", "STATS")
    s.call("b", "SCRIPT", "FLUSH")
    s.call("b", "CLIENT", "SETNAME", "x")
    s.call("b", "SHUTDOWN")
    s.call("b", "SHUTDOWN", "SAVE")
    s.call("b", "SHUTDOWN", "ABORT")
    s.call("c", "MULTI")
    s.call("c", "SET", "k", "in-multi")
    s.call("c", "EXEC")
    s.call("b", "FUNCTION", "KILL")
    s.call("b", "SCRIPT", "KILL")
    s.reply("a")
    s.call("b", "PING")
    s.call("b", "GET", "k")
    s.call("a", "PING")
    s.call("b", "SCRIPT", "KILL")


def test_script_kill(pair):
    log = run_both({"redis": pair.redis, "shoal": pair.shoal}, sc_kill)
    assert any(step[1] == "busy" for step in log)


def sc_pcall_cannot_swallow_kill(s):
    s.send("a", "EVAL", "while true do pcall(function() "
           "local x = 0 for i = 1, 1000 do x = x + i end end) end", "0")
    s.wait_busy("b")
    s.call("b", "SCRIPT", "KILL")
    s.reply("a")
    s.call("b", "PING")


def test_kill_through_pcall(pair):
    run_both({"redis": pair.redis, "shoal": pair.shoal},
             sc_pcall_cannot_swallow_kill)


def sc_function_kill(s):
    s.call("b", "FUNCTION", "LOAD",
           "#!lua name=spin\nredis.register_function('spin', function() "
           "while true do end end)")
    s.send("a", "FCALL", "spin", "0")
    s.wait_busy("b")
    # What runs, and for how long (not logged: the duration varies).
    stats = s.conn("b").call("FUNCTION", "STATS").value
    running = dict(zip(stats[1].value[0::2], stats[1].value[1::2]))
    assert running[resp.bulk(b"name")].value == b"spin"
    assert [x.value for x in running[resp.bulk(b"command")].value] == \
        [b"FCALL", b"spin", b"0"]
    assert running[resp.bulk(b"duration_ms")].value >= THRESHOLD_MS
    s.call("b", "GET", "x")
    s.call("b", "SCRIPT", "KILL")
    s.call("b", "FUNCTION", "KILL")
    s.reply("a")
    s.call("b", "PING")


def test_function_kill(pair):
    run_both({"redis": pair.redis, "shoal": pair.shoal}, sc_function_kill)


def sc_unkillable(s):
    s.send("a", "EVAL", "redis.call('set','w','1') while true do end", "0")
    s.wait_busy("b")
    s.call("b", "SCRIPT", "KILL")
    s.call("b", "FUNCTION", "KILL")
    s.call("b", "GET", "w")
    s.send("b", "SHUTDOWN", "NOSAVE")
    s.closed("b")
    s.closed("a")


def test_unkillable_then_shutdown_nosave(shoal_factory, redis_factory):
    servers = {"redis": redis_factory(name="redis"),
               "shoal": shoal_factory(name="shoal")}
    run_both(servers, sc_unkillable)
    for server in servers.values():
        deadline = time.monotonic() + 10
        while server.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.proc.poll() is not None, "SHUTDOWN NOSAVE: still up"


def sc_blpop_after_script(s):
    s.send("w", "BLPOP", "q", "0")
    time.sleep(0.1)
    # The push happens first, but the waiter is served only after the
    # script returns (and it sees the script's final state).
    s.call("a", "EVAL", "redis.call('rpush', KEYS[1], 'x', 'y') "
           "redis.call('lpop', KEYS[1]) return redis.call('llen', KEYS[1])",
           "1", "q")
    s.reply("w")
    s.call("a", "LRANGE", "q", "0", "-1")
    # A busy script that pushes: the waiter stays blocked while it runs,
    # even when other clients' commands (SCRIPT KILL) run meanwhile.
    s.send("w", "BLPOP", "q2", "0")
    time.sleep(0.1)
    s.send("a", "EVAL", "redis.call('rpush', KEYS[1], 'v') " + spin(1500) +
           "redis.call('rpush', KEYS[1], 'w') return 1", "1", "q2")
    s.wait_busy("b")
    s.call("b", "SCRIPT", "KILL")
    s.silent("w")
    s.reply("a")
    s.reply("w")
    s.call("b", "LRANGE", "q2", "0", "-1")


def test_blpop_woken_after_script(pair):
    run_both({"redis": pair.redis, "shoal": pair.shoal},
             sc_blpop_after_script)


def sc_pipelined_caller(s):
    # The script's caller pipelines more commands: they run after the
    # script, in order, and nothing interleaves with the script's reply.
    conn = s.conn("a")
    conn.sock.sendall(resp.encode_command("EVAL", spin(800) + "return 1", "0") +
                      resp.encode_command("SET", "p", "1") +
                      resp.encode_command("GET", "p"))
    s.wait_busy("b")
    s.reply("a")
    s.reply("a")
    s.reply("a")
    s.call("b", "GET", "p")


def test_pipelined_caller(pair):
    run_both({"redis": pair.redis, "shoal": pair.shoal}, sc_pipelined_caller)
