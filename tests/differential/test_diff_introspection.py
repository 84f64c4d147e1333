"""Differential tests of the introspection commands: CONFIG, COMMAND, INFO,
SLOWLOG and LATENCY must answer as redis-server 7.0 does (error strings
included). Values that depend on the process (ports, pids, timings) are
compared by shape or skipped, each skip saying why."""

import time

import pytest

from differential.diff import EXACT, TYPE_ONLY
from lib import resp
from lib.resp import Reply

# ---------------------------------------------------------------- helpers


def resp3(server):
    """A raw connection switched to RESP3, or None if HELLO 3 fails."""
    c = server.raw()
    r = c.call("HELLO", "3")
    if r.is_error or r.kind != resp.MAP:
        return None
    return c


def info_sections(text):
    """INFO text -> [(section title, [field names])]."""
    out = []
    for line in text.split("\r\n"):
        if line.startswith("# "):
            out.append((line[2:], []))
        elif line:
            assert out, f"field before any section: {line!r}"
            out[-1][1].append(line.split(":", 1)[0])
    return out


def info_text(conn, *sections):
    r = conn.call("INFO", *sections)
    assert r.kind in (resp.BULK, resp.VERBATIM), r
    value = r.value[1] if r.kind == resp.VERBATIM else r.value
    return value.decode()


def pairs_of(reply):
    """A RESP2 flat array or a RESP3 map as a list of (key, value)."""
    if reply.kind == resp.MAP:
        return list(reply.value)
    items = reply.value
    return list(zip(items[0::2], items[1::2]))


# ---------------------------------------------------------------- CONFIG

# Options whose values legitimately differ between the two processes.
CONFIG_VALUE_SKIP = {
    "dir": "each server runs in its own temporary directory",
    "port": "each server listens on its own free port",
}


def test_config_get_values_match(pair):
    """Every option shoal has reads back the same value as redis-server's
    option of that name when both start with the same arguments."""
    s, r = pair.shoal.raw(), pair.redis.raw()
    ours = pairs_of(s.call("CONFIG", "GET", "*"))
    assert ours, "CONFIG GET * returned nothing"
    differences = []
    for name, value in ours:
        if name.value.decode() in CONFIG_VALUE_SKIP:
            continue
        theirs = pairs_of(r.call("CONFIG", "GET", name.value))
        if not theirs:
            differences.append(f"{name.value.decode()}: redis has no such option")
        elif theirs[0][1] != value:
            differences.append(f"{name.value.decode()}: shoal {value.value!r} "
                               f"redis {theirs[0][1].value!r}")
    assert not differences, "\n".join(differences)


CONFIG_ERROR_CASES = [
    ["CONFIG"],
    ["CONFIG", "FOO"],
    ["CONFIG", "GET"],
    ["CONFIG", "SET", "hz"],
    ["CONFIG", "SET", "hz", "10", "maxmemory"],
    ["CONFIG", "SET", "foo", "1"],
    ["CONFIG", "SET", "hz", "abc"],
    ["CONFIG", "SET", "HZ", "abc"],
    ["CONFIG", "SET", "hz", "9223372036854775808"],
    ["CONFIG", "SET", "hz", "-1"],
    ["CONFIG", "SET", "hz", "10", "hz", "11"],
    ["CONFIG", "SET", "hz", "10", "HZ", "11"],
    ["CONFIG", "SET", "daemonize", "yes"],
    ["CONFIG", "SET", "DATABASES", "3"],
    ["CONFIG", "SET", "hz", "12", "databases", "3"],
    ["CONFIG", "SET", "hz", "10", "nosuch", "1", "databases", "1"],
    ["CONFIG", "SET", "databases", "1", "nosuch", "1"],
    ["CONFIG", "SET", "enable-debug-command", "no"],
    ["CONFIG", "SET", "cluster-enabled", "yes"],
    ["CONFIG", "SET", "unixsocketperm", "700"],
    ["CONFIG", "SET", "dir", "/tmp"],
    ["CONFIG", "SET", "dbfilename", "x.rdb"],
    ["CONFIG", "SET", "maxmemory", "abc"],
    ["CONFIG", "SET", "maxmemory", "-1"],
    ["CONFIG", "SET", "maxmemory", "10xb"],
    ["CONFIG", "SET", "protected-mode", "maybe"],
    ["CONFIG", "SET", "loglevel", "foo"],
    ["CONFIG", "SET", "maxmemory-policy", "foo"],
    ["CONFIG", "SET", "appendonly", "maybe"],
    ["CONFIG", "SET", "save", "abc"],
    ["CONFIG", "SET", "save", "1 2 3"],
    ["CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 x"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 -1"],
    ["CONFIG", "SET", "slowlog-max-len", "-1"],
    ["CONFIG", "SET", "slowlog-log-slower-than", "-2"],
    ["CONFIG", "SET", "active-expire-effort", "11"],
    ["CONFIG", "SET", "maxmemory-samples", "0"],
    ["CONFIG", "SET", "proto-max-bulk-len", "10"],
    ["CONFIG", "SET", "timeout", "-1"],
    ["CONFIG", "SET", "lua-time-limit", "abc"],
    ["CONFIG", "SET", "LUA-time-limit", "abc"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "abc"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 101"],
    ["CONFIG", "REWRITE"],
    ["CONFIG", "REWRITE", "x"],
    ["CONFIG", "RESETSTAT", "x"],
    ["CONFIG", "HELP"],
    ["CONFIG", "HELP", "x"],
    ["config", "help"],
]


def test_config_errors(differ):
    for case in CONFIG_ERROR_CASES:
        differ.check(*case)


def test_config_set_get_roundtrip(differ):
    cases = [
        ("hz", ["20", "0", "500000", "10"]),
        ("maxmemory", ["1gb", "1GB", "100mb", "1k", "1024", "0"]),
        ("timeout", ["5", "0"]),
        ("tcp-keepalive", ["60", "300"]),
        ("protected-mode", ["no", "YES"]),
        ("loglevel", ["debug", "WARNING", "notice"]),
        ("save", ["", "100 2 100 3", "3600 1"]),
        ("client-output-buffer-limit", ["normal 1gb 2 1", "pubsub 1 2 3",
                                        ""]),
        ("slowlog-max-len", ["0", "1000", "128"]),
        ("latency-monitor-threshold", ["100", "0"]),
        ("latency-tracking-info-percentiles", ["50.0 99.90 1e1", "", "0 100",
                                               "50 99 99.9"]),
        ("lua-time-limit", ["100"]),
        ("busy-reply-threshold", ["200"]),
        ("active-expire-effort", ["10", "1"]),
        ("lazyfree-lazy-user-del", ["yes", "no"]),
        ("maxmemory-samples", ["64", "100", "5"]),
        ("proto-max-bulk-len", ["1mb", "512mb"]),
        ("requirepass", [""]),
    ]
    for name, values in cases:
        for value in values:
            differ.check("CONFIG", "SET", name, value)
            differ.check("CONFIG", "GET", name)
    differ.check("CONFIG", "SET", "lua-time-limit", "100",
                 "busy-reply-threshold", "200")
    differ.check("CONFIG", "GET", "busy-reply-threshold", "lua-time-limit")


def test_config_set_is_atomic(differ):
    """A failing pair leaves the earlier pairs unchanged."""
    differ.check("CONFIG", "SET", "hz", "20", "maxmemory", "abc")
    differ.check("CONFIG", "GET", "hz")
    differ.check("CONFIG", "SET", "maxmemory", "10mb", "timeout", "5",
                 "hz", "abc")
    differ.check("CONFIG", "GET", "maxmemory")
    differ.check("CONFIG", "GET", "timeout")
    differ.check("CONFIG", "SET", "maxmemory", "10mb", "timeout", "5",
                 "hz", "15")
    differ.check("CONFIG", "GET", "maxmemory")
    differ.check("CONFIG", "GET", "timeout")
    differ.check("CONFIG", "GET", "hz")


def test_config_get_patterns(differ):
    differ.check("CONFIG", "GET", "hz")
    differ.check("CONFIG", "GET", "HZ")
    differ.check("CONFIG", "GET", "HZ", "hz")
    differ.check("CONFIG", "GET", "hz", "maxmemory", "timeout")
    differ.check("CONFIG", "GET", "nosuch")
    differ.check("CONFIG", "GET", "nosuch*")
    differ.check("CONFIG", "GET", "lua-time-limit")
    differ.check("CONFIG", "GET", "*time-limit")
    differ.check("CONFIG", "GET", "busy*", "lua*")
    differ.check("CONFIG", "GET", "lazyfree*")
    differ.check("CONFIG", "GET", "slowlog*")


def test_config_resetstat(differ):
    differ.check("GET", "k")
    differ.check("CONFIG", "RESETSTAT")
    for section in ("stats", "commandstats", "errorstats"):
        differ.check("INFO", section, mode=TYPE_ONLY)


def test_config_get_resp3(pair):
    s, r = resp3(pair.shoal), resp3(pair.redis)
    if s is None:
        pytest.skip("shoal does not speak RESP3 yet (HELLO 3)")
    for pattern in ("hz", "maxmemory", "nosuch"):
        assert s.call("CONFIG", "GET", pattern) == r.call("CONFIG", "GET", pattern)


# ---------------------------------------------------------------- COMMAND

# Names shoal serves that redis-server 7.0 does not know.
COMMANDS_NOT_IN_REDIS_7_0 = {
    "client|setinfo": "added in Redis 7.2; shoal serves it for newer clients",
    "cluster|myshardid": "added in Redis 7.2; the cluster issue asks for it",
}


# Commands whose arity grew after 7.0: ZRANK/ZREVRANK take WITHSCORE
# (Redis 7.2), which the issue asks for.
ARITY_FROM_NEWER_REDIS = {"zrank": -3, "zrevrank": -3}


def strip_notes(spec):
    """A key spec map without Redis's free-text 'notes' (we don't carry it)."""
    if spec.kind == resp.MAP:
        return Reply(spec.kind, tuple(p for p in spec.value
                                      if p[0].value != b"notes"))
    items = spec.value
    kept = []
    for k, v in zip(items[0::2], items[1::2]):
        if k.value != b"notes":
            kept += [k, v]
    return Reply(spec.kind, tuple(kept))


def normalize_info(entry, served=None):
    """A COMMAND INFO entry with notes dropped and subcommands sorted; with
    `served`, only the subcommands shoal serves are kept."""
    if entry.kind != resp.ARRAY:
        return entry
    v = list(entry.value)
    v[8] = Reply(v[8].kind, tuple(strip_notes(s) for s in v[8].value))
    subs = [normalize_info(x) for x in v[9].value]
    if served is not None:
        subs = [x for x in subs if x.value[0].value in served]
    subs.sort(key=lambda x: x.value[0].value)
    v[9] = Reply(v[9].kind, tuple(subs))
    return Reply(entry.kind, tuple(v))


def without_notes(r):
    """A COMMAND INFO reply with every entry through normalize_info."""
    if r.kind != resp.ARRAY:
        return r
    return Reply(r.kind, tuple(normalize_info(e) for e in r.value))


def command_names(conn):
    return [x.value.decode() for x in conn.call("COMMAND", "LIST").value]


def check_command_info_all(s, r):
    differences = []
    names = command_names(s)
    assert names
    for name in names:
        if name in COMMANDS_NOT_IN_REDIS_7_0:
            continue
        ours = s.call("COMMAND", "INFO", name).value[0]
        theirs = r.call("COMMAND", "INFO", name).value[0]
        if name in ARITY_FROM_NEWER_REDIS:
            assert ours.value[1].value == ARITY_FROM_NEWER_REDIS[name], name
            ours = Reply(ours.kind, (ours.value[0], theirs.value[1])
                         + tuple(ours.value[2:]))
        if ours.kind == resp.ARRAY and ours.value[9].kind == resp.ARRAY:
            # A container: compare the subcommands we serve.
            served = {x.value[0].value for x in ours.value[9].value}
            missing = served - {x.value[0].value for x in theirs.value[9].value}
            served -= {n.encode() for n in COMMANDS_NOT_IN_REDIS_7_0}
            assert not missing - {n.encode() for n in COMMANDS_NOT_IN_REDIS_7_0}, \
                f"{name}: subcommands unknown to redis: {missing}"
            ours = normalize_info(ours, served)
            theirs = normalize_info(theirs, served)
        else:
            ours, theirs = normalize_info(ours), normalize_info(theirs)
        if ours != theirs:
            differences.append(f"{name}:\n  shoal: {ours}\n  redis: {theirs}")
    assert not differences, "\n".join(differences)


def test_command_info_every_command(pair):
    check_command_info_all(pair.shoal.raw(), pair.redis.raw())


def test_command_info_every_command_resp3(pair):
    s, r = resp3(pair.shoal), resp3(pair.redis)
    if s is None:
        pytest.skip("shoal does not speak RESP3 yet (HELLO 3)")
    check_command_info_all(s, r)


def test_command_info_wire(differ):
    """Whole replies (less Redis's notes), wire types included."""
    for names in (["get"], ["GET", "set"], ["nosuch"], ["get", "nosuch", "mset"],
                  ["config|get"], ["CONFIG|GET"], ["config|nosuch"],
                  ["get|x"], ["config|get|x"], ["rename"], ["object|freq"]):
        differ.check("COMMAND", "INFO", *names, normalize=without_notes)


def test_command_count_and_list(pair):
    s = pair.shoal.raw()
    names = command_names(s)
    top = [n for n in names if "|" not in n]
    count = s.call("COMMAND", "COUNT")
    assert count == resp.integer(len(top))
    everything = s.call("COMMAND")
    assert len(everything.value) == len(top)
    info = s.call("COMMAND", "INFO")
    assert len(info.value) == len(top)
    assert sorted(x.value[0].value.decode() for x in everything.value) == sorted(top)
    assert len(set(names)) == len(names)


def test_command_list_filters(pair):
    s, r = pair.shoal.raw(), pair.redis.raw()
    ours = set(command_names(s))
    for args in (["FILTERBY", "PATTERN", "con*"], ["FILTERBY", "pattern", "*|get"],
                 ["FILTERBY", "ACLCAT", "read"], ["FILTERBY", "aclcat", "admin"],
                 ["FILTERBY", "aclcat", "nosuch"], ["FILTERBY", "aclcat", "@read"],
                 ["FILTERBY", "MODULE", "x"]):
        got = {x.value.decode() for x in s.call("COMMAND", "LIST", *args).value}
        want = {x.value.decode() for x in r.call("COMMAND", "LIST", *args).value}
        assert got == want & ours, args


def test_command_errors(differ):
    for case in (["COMMAND", "FOO"], ["COMMAND", "HELP"], ["command", "help"],
                 ["COMMAND", "HELP", "x"], ["COMMAND", "COUNT", "x"],
                 ["COMMAND", "LIST", "x"], ["COMMAND", "LIST", "FILTERBY"],
                 ["COMMAND", "LIST", "FILTERBY", "aclcat"],
                 ["COMMAND", "LIST", "FILTERBY", "foo", "x"],
                 ["COMMAND", "LIST", "FILTERBY", "pattern", "x", "y"],
                 ["COMMAND", "LIST", "FILTERBY", "module", "x"],
                 ["COMMAND", "DOCS", "nosuch"], ["COMMAND", "GETKEYS"],
                 ["COMMAND", "GETKEYS", "get"]):
        differ.check(*case)


GETKEYS_CASES = [
    ["get", "a"], ["GET", "a"], ["get", "a", "b"], ["nosuch", "a"],
    ["ping", "x"], ["keys", "*"], ["set", "k", "v"], ["set", "k", "v", "GET"],
    ["set", "k", "v", "EX", "10", "get"], ["set", "k"],
    ["mset", "a", "1", "b", "2"], ["mset", "a", "1", "b"], ["mget", "a", "b", "c"],
    ["del", "a", "b"], ["rename", "a", "b"], ["copy", "a", "b", "REPLACE"],
    ["lcs", "a", "b"], ["config", "get", "x"], ["config", "x"],
    ["CONFIG", "GET"], ["object", "encoding", "k"], ["object", "freq"],
    ["object", "nosuch", "k"], ["touch", "a", "b"], ["expire", "k", "10"],
    ["getex", "k", "PERSIST"], ["msetnx", "a", "1", "b", "2"],
]


def test_command_getkeys(differ):
    for case in GETKEYS_CASES:
        differ.check("COMMAND", "GETKEYS", *case)
        differ.check("COMMAND", "GETKEYSANDFLAGS", *case)


def test_command_docs_shape(pair):
    """DOCS carries summary, since and group (and subcommands for
    containers); since and group must match Redis's where it has them."""
    s, r = pair.shoal.raw(), pair.redis.raw()
    differences = []
    for name in command_names(s):
        if name in COMMANDS_NOT_IN_REDIS_7_0:
            continue
        ours = dict(pairs_of(pairs_of(s.call("COMMAND", "DOCS", name))[0][1]))
        theirs = dict(pairs_of(pairs_of(r.call("COMMAND", "DOCS", name))[0][1]))
        keys = [k.value for k in ours]
        assert keys[:3] == [b"summary", b"since", b"group"], (name, keys)
        for field in (b"since", b"group"):
            a = ours[resp.bulk(field)]
            b = theirs.get(resp.bulk(field))
            if a != b:
                differences.append(f"{name} {field.decode()}: shoal {a} redis {b}")
    assert not differences, "\n".join(differences)
    # Unknown names are left out; known ones keyed by full name.
    reply = s.call("COMMAND", "DOCS", "nosuch", "GET", "config|GET")
    assert [k.value for k, _ in pairs_of(reply)] == [b"get", b"config|get"]


# ---------------------------------------------------------------- INFO

# Fields redis-server 7.0 prints that shoal deliberately leaves out, by
# section (empty: shoal prints every field of the fixed sections).
INFO_FIELDS_OMITTED = {}

FIXED_SECTIONS = ("Server", "Clients", "Memory", "Persistence", "Stats",
                  "Replication", "CPU", "Modules", "Cluster")


def test_info_field_names_match(pair):
    s, r = pair.shoal.raw(), pair.redis.raw()
    ours = dict(info_sections(info_text(s, "everything")))
    theirs = dict(info_sections(info_text(r, "everything")))
    problems = []
    for section in FIXED_SECTIONS:
        omitted = INFO_FIELDS_OMITTED.get(section, set())
        want = [f for f in theirs[section] if f not in omitted]
        if ours.get(section) != want:
            import difflib
            diff = "\n".join(difflib.unified_diff(
                want, ours.get(section, []), "redis", "shoal", lineterm=""))
            problems.append(f"# {section}\n{diff}")
    assert not problems, "\n".join(problems)


SECTION_ARGS = [
    [], ["default"], ["all"], ["everything"], ["ALL"], ["server"], ["SERVER"],
    ["server", "clients"], ["clients", "server"], ["cpu", "keyspace"],
    ["commandstats"], ["errorstats"], ["latencystats"], ["modules"],
    ["module_list"], ["nosuch"], ["default", "commandstats"],
    ["all", "server"], ["server", "server"], ["Keyspace", "STATS"],
]


def test_info_section_selection(pair):
    s, r = pair.shoal.raw(), pair.redis.raw()
    for args in SECTION_ARGS:
        ours = [t for t, _ in info_sections(info_text(s, *args))]
        theirs = [t for t, _ in info_sections(info_text(r, *args))]
        assert ours == theirs, args


def test_info_reply_types(differ):
    differ.check("INFO", "nosuch", mode=EXACT)  # empty bulk on both
    differ.check("INFO", "cluster", mode=EXACT)
    differ.check("INFO", "modules", mode=EXACT)
    differ.check("INFO", "keyspace", mode=EXACT)
    differ.check("SET", "k", "v")
    differ.check("INFO", "keyspace", mode=EXACT)


def test_info_resp3_is_verbatim(pair):
    s, r = resp3(pair.shoal), resp3(pair.redis)
    if s is None:
        pytest.skip("shoal does not speak RESP3 yet (HELLO 3)")
    a, b = s.call("INFO", "cluster"), r.call("INFO", "cluster")
    assert a == b and a.kind == resp.VERBATIM


def test_info_errorstats_and_commandstats(differ):
    differ.check("CONFIG", "RESETSTAT")
    differ.check("FOO")
    differ.check("GET")
    differ.check("SET", "k", "v")
    differ.check("INCR", "k")
    differ.check("GET", "k")
    differ.check("INFO", "errorstats")
    sides = {}
    for side, conn in differ.conns.items():
        text = info_text(conn, "commandstats")
        lines = [l for l in text.split("\r\n") if l.startswith("cmdstat_")]
        sides[side] = {l.split(":")[0]: {kv.split("=")[0]: kv.split("=")[1]
                                         for kv in l.split(":")[1].split(",")}
                       for l in lines}
    for name in ("cmdstat_get", "cmdstat_set", "cmdstat_incr"):
        for field in ("calls", "rejected_calls", "failed_calls"):
            assert sides["shoal"][name][field] == sides["redis"][name][field], (
                name, field)


# ---------------------------------------------------------------- SLOWLOG


def normalize_slowlog(r):
    """Ids, times and durations become 'int'; the peer address 'peer'."""
    if r.kind != resp.ARRAY:
        return r
    out = []
    for e in r.value:
        v = list(e.value)
        v[0] = v[1] = v[2] = resp.normalized("int")
        v[4] = resp.normalized("peer")
        out.append(Reply(e.kind, tuple(v)))
    return Reply(r.kind, tuple(out))


def test_slowlog(differ):
    for case in (["SLOWLOG", "HELP"], ["SLOWLOG", "FOO"], ["SLOWLOG", "LEN", "x"],
                 ["SLOWLOG", "RESET", "x"], ["SLOWLOG", "GET", "-2"],
                 ["SLOWLOG", "GET", "abc"], ["SLOWLOG", "GET", "1", "2"],
                 ["slowlog", "get", "1", "2"],
                 ["SLOWLOG", "GET", "9999999999999999999"], ["SLOWLOG"]):
        differ.check(*case)
    differ.check("CONFIG", "SET", "slowlog-log-slower-than", "0")
    differ.check("SLOWLOG", "RESET")
    differ.check("SET", "k", "v")
    differ.check("GET", "k")
    differ.check("SET", "long", "x" * 300)
    differ.check("MSET", *[f"k{i}" for i in range(40)])
    differ.check("SLOWLOG", "LEN", mode=TYPE_ONLY)
    for count in ([], ["0"], ["1"], ["3"], ["-1"], ["100"]):
        differ.check("SLOWLOG", "GET", *count, normalize=normalize_slowlog)
    # Sensitive values never reach the log.
    differ.check("CONFIG", "SET", "requirepass", "", "hz", "10")
    differ.check("CONFIG", "SET", "requirepass", "", "nosuch", "x")
    differ.check("SLOWLOG", "GET", "2", normalize=normalize_slowlog)
    differ.check("SLOWLOG", "RESET")
    differ.check("CONFIG", "SET", "slowlog-log-slower-than", "-1")
    differ.check("SLOWLOG", "RESET")
    differ.check("GET", "k")
    differ.check("SLOWLOG", "LEN")
    differ.check("SLOWLOG", "GET")


def test_slowlog_max_len(differ):
    differ.check("CONFIG", "SET", "slowlog-log-slower-than", "0")
    differ.check("CONFIG", "SET", "slowlog-max-len", "3")
    for i in range(6):
        differ.check("SET", f"k{i}", "v")
    differ.check("SLOWLOG", "LEN")
    differ.check("SLOWLOG", "GET", "-1", normalize=normalize_slowlog)
    differ.check("CONFIG", "SET", "slowlog-max-len", "1")
    differ.check("SLOWLOG", "LEN")


def test_slowlog_client_name(pair):
    conns = []
    for server in (pair.shoal, pair.redis):
        c = server.raw()
        name = c.call("CLIENT", "SETNAME", "worker")
        if name.is_error:
            pytest.skip("CLIENT SETNAME not available yet")
        c.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        c.call("SET", "k", "v")
        conns.append(c)
    entries = [c.call("SLOWLOG", "GET", "1").value[0] for c in conns]
    assert entries[0].value[5] == entries[1].value[5] == resp.bulk("worker")
    assert entries[0].value[3] == entries[1].value[3]


# ---------------------------------------------------------------- LATENCY


def normalize_latency(r):
    """Times and latencies become 'int' (their order and count stay)."""
    if r.kind == resp.INT:
        return resp.normalized("int")
    if r.kind == resp.ARRAY:
        return Reply(r.kind, tuple(normalize_latency(x) for x in r.value))
    return r


def test_latency_commands(differ):
    for case in (["LATENCY", "HELP"], ["LATENCY", "FOO"], ["LATENCY", "LATEST"],
                 ["LATENCY", "LATEST", "x"], ["LATENCY", "HISTORY"],
                 ["LATENCY", "HISTORY", "command"], ["LATENCY", "RESET"],
                 ["LATENCY", "RESET", "a", "b"], ["latency", "help"]):
        differ.check(*case)


def test_latency_monitor_with_debug_sleep(differ):
    probe = differ.conns["shoal"].call("DEBUG", "SLEEP", "0")
    if probe.is_error:
        pytest.skip(f"shoal's DEBUG SLEEP is not available yet: {probe}")
    differ.conns["redis"].call("DEBUG", "SLEEP", "0")
    differ.check("CONFIG", "SET", "latency-monitor-threshold", "10")
    differ.check("LATENCY", "RESET")
    differ.check("DEBUG", "SLEEP", "0.05")
    differ.check("LATENCY", "LATEST", normalize=normalize_latency)
    differ.check("LATENCY", "HISTORY", "command", normalize=normalize_latency)
    for side, conn in differ.conns.items():
        latest = conn.call("LATENCY", "LATEST").value[0].value
        assert latest[0] == resp.bulk("command"), side
        assert 50 <= latest[2].value < 1000, (side, latest)
        assert latest[3].value >= latest[2].value, (side, latest)
    differ.check("LATENCY", "RESET", "command", "nosuch")
    differ.check("LATENCY", "LATEST")
    differ.check("LATENCY", "HISTORY", "command")
