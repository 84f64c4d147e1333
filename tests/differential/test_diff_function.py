"""Differential tests of Redis 7 functions (shard/function.c): FUNCTION
LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL and FCALL_RO,
redis.register_function in both forms with flags, library metadata
errors, and the DUMP payload byte for byte, compared with redis-server
7.0."""

from differential.diff import UNORDERED

LIB = "#!lua name=lib\nredis.register_function('f', function(keys, args) " \
      "return 1 end)"
LIB3 = ("#!lua name=lib3\nredis.register_function{function_name='g', "
        "callback=function(keys, args) return args[1] end, "
        "flags={'no-writes'}, description='desc'}")


def info_field(conn, field):
    text = conn.call("INFO", "memory").value.decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"INFO memory has no {field}")


def load(differ, code, *opts):
    differ.check("FUNCTION", "LOAD", *opts, code)


def test_load_errors(differ):
    for code in [
        "return 1", "#!lua\nreturn 1", "#!lua name=a-b\nreturn 1",
        "#!lua name=\nreturn 1", "#!lua name=lib\nreturn 1",
        "#!foo name=x\nreturn 1", "#!lua name=x name=y\nreturn 1",
        "#!lua name=lib4 foo=bar\nreturn 1",
        "#!lua name=lib4\nsyntax error", "#!lua name=lib4\nlocal x = 1",
        "#!lua name=lib4\nredis.call('ping')",
        "#!lua name=lib4\nreturn x",
        "#!lua name=lib4\nx = 1",
        "#!lua name=lib4\nerror('boom')",
        "#!lua name=l5\nredis.register_function()",
        "#!lua name=l5\nredis.register_function(1, 2, 3)",
        "#!lua name=l5\nredis.register_function('a', 1)",
        "#!lua name=l5\nredis.register_function({}, function() end)",
        "#!lua name=l5\nredis.register_function('g 2', function() end)",
        "#!lua name=l5\nredis.register_function('g3')",
        "#!lua name=l5\nredis.register_function{callback=function() end}",
        "#!lua name=l5\nredis.register_function{function_name='a'}",
        "#!lua name=l5\nredis.register_function{function_name={}, "
        "callback=function() end}",
        "#!lua name=l5\nredis.register_function{function_name='a', "
        "callback=1}",
        "#!lua name=l5\nredis.register_function{function_name='a', "
        "callback=function() end, description={}}",
        "#!lua name=l5\nredis.register_function{function_name='a', "
        "callback=function() end, flags=1}",
        "#!lua name=l5\nredis.register_function{function_name='a', "
        "callback=function() end, flags={1}}",
        "#!lua name=l5\nredis.register_function{function_name='a', "
        "callback=function() end, flags={'bad'}}",
        "#!lua name=l5\nredis.register_function{function_name='a', "
        "callback=function() end, foo=1}",
        "#!lua name=l5\nredis.register_function('a', function() end) "
        "redis.register_function('a', function() end)",
        "#!lua name=inf\nwhile true do end",
        "#!lua name=ld\nlocal a = redis.setresp\n"
        "redis.register_function('ld', function() return 1 end)",
        "#!lua name=ld\nlocal a = redis.REDIS_VERSION_NUM "
        "redis.log(redis.LOG_DEBUG, 'x')\n"
        "redis.register_function('ld', function() return 1 end)",
        "#!lua name=ld2\nlocal a = redis.sha1hex\n"
        "redis.register_function('ld2', function() return 1 end)",
        "#!lua name=ld2\nlocal a = string\n"
        "redis.register_function('ld2', function() return 1 end)",
        "#!lua name=inf\nwhile true do pcall(function() end) end",
    ]:
        load(differ, code)
    differ.check("FUNCTION", "LOAD", "foo", LIB)
    differ.check("FUNCTION", "LOAD")
    differ.check("FUNCTION", "LIST")


def test_load_list_call(differ):
    load(differ, LIB)
    load(differ, LIB)
    load(differ, LIB, "REPLACE")
    load(differ, LIB, "replace")
    load(differ, "#!lua name=lib2\nredis.register_function('f', "
                 "function() return 2 end)")
    load(differ, LIB3)
    load(differ, "#!lua name=m10\nredis.register_function{function_name="
                 "'a10', callback=function() end, flags={'no-writes',"
                 "'allow-oom','allow-stale','no-cluster',"
                 "'allow-cross-slot-keys'}}")
    load(differ, "#!lua name=num\nredis.register_function(1, function() "
                 "return 'one' end)")
    for resp in ("2", "3"):
        differ.check("HELLO", resp)
        differ.check("FUNCTION", "LIST", mode=UNORDERED)
        differ.check("FUNCTION", "LIST", "WITHCODE", mode=UNORDERED)
        differ.check("FUNCTION", "LIST", "LIBRARYNAME", "lib*",
                     mode=UNORDERED)
        differ.check("FUNCTION", "LIST", "libraryname", "m1*", "withcode")
        differ.check("FUNCTION", "LIST", "LIBRARYNAME", "nomatch")
        differ.check("FUNCTION", "STATS")
    differ.check("HELLO", "2")
    for args in [("LIST", "foo"), ("LIST", "LIBRARYNAME"),
                 ("LIST", "WITHCODE", "WITHCODE"),
                 ("LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b")]:
        differ.check("FUNCTION", *args)
    differ.check("FCALL", "f", "0")
    differ.check("FCALL", "g", "0", "a")
    differ.check("FCALL", "1", "0")
    differ.check("FCALL_RO", "g", "0", "b")
    differ.check("FCALL_RO", "f", "0")
    differ.check("FCALL", "nosuch", "0")
    differ.check("FCALL", "g", "-1")
    differ.check("FCALL", "g", "x")
    differ.check("FCALL", "g", "5")
    differ.check("FCALL", "f")
    differ.check("FUNCTION", "DELETE", "nosuch")
    differ.check("FUNCTION", "DELETE", "lib")
    differ.check("FCALL", "f", "0")
    differ.check("FUNCTION", "STATS")
    for field in ("number_of_functions", "number_of_libraries",
                  "number_of_cached_scripts"):
        values = {s: info_field(differ.conns[s], field)
                  for s in differ.SIDES}
        assert values["shoal"] == values["redis"], (field, values)
    differ.check("FUNCTION", "FLUSH", "bad")
    differ.check("FUNCTION", "FLUSH", "sync", "x")
    differ.check("FUNCTION", "FLUSH", "async")
    differ.check("FUNCTION", "LIST")
    differ.check("FUNCTION", "STATS")
    differ.check("FUNCTION", "KILL")
    differ.check("FUNCTION", "HELP")
    differ.check("FUNCTION", "nosuch")


def test_fcall_behaviour(differ):
    load(differ, "#!lua name=b\n"
         "redis.register_function('keys', function(keys, args) "
         "return {keys[1], args[1], #keys, #args} end)\n"
         "redis.register_function('boom', function() error('boom') end)\n"
         "redis.register_function('resp3', function() redis.setresp(3) "
         "return redis.call('hgetall', 'h') end)\n"
         "redis.register_function('setter', function(keys, args) "
         "return redis.call('set', keys[1], args[1]) end)\n"
         "redis.register_function('rf', function() "
         "return redis.register_function end)\n"
         "redis.register_function('glob', function() return x end)\n"
         "redis.register_function('setg', function() y = 1 end)\n"
         "redis.register_function{function_name='ro', callback="
         "function(keys) return redis.call('set', keys[1], 'v') end, "
         "flags={'no-writes'}}\n"
         "redis.register_function{function_name='rd', callback="
         "function(keys) return redis.call('get', keys[1]) end, "
         "flags={'no-writes'}}\n")
    differ.check("HSET", "h", "a", "1")
    differ.check("FCALL", "keys", "1", "k", "a", "b")
    differ.check("FCALL", "boom", "0")
    differ.check("FCALL", "resp3", "0")
    differ.check("FCALL", "setter", "1", "k", "v1")
    differ.check("GET", "k")
    differ.check("FCALL_RO", "setter", "1", "k", "v2")
    differ.check("FCALL", "rf", "0")
    differ.check("FCALL", "glob", "0")
    differ.check("FCALL", "setg", "0")
    differ.check("FCALL", "ro", "1", "k")
    differ.check("FCALL_RO", "ro", "1", "k")
    differ.check("FCALL_RO", "rd", "1", "k")
    differ.check("HELLO", "3")
    differ.check("FCALL", "resp3", "0")
    differ.check("EVAL", "return redis.call('fcall', 'rd', 1, 'k')", "0")


def test_dump_restore(differ):
    differ.check("FUNCTION", "DUMP")
    load(differ, LIB)
    # One library: the payload is byte for byte Redis's.
    differ.check("FUNCTION", "DUMP")
    dumps = {s: differ.conns[s].call("FUNCTION", "DUMP").value
             for s in differ.SIDES}
    differ.check("FUNCTION", "RESTORE", dumps["redis"])
    differ.check("FUNCTION", "RESTORE", dumps["redis"], "APPEND")
    differ.check("FUNCTION", "RESTORE", dumps["redis"], "REPLACE")
    differ.check("FUNCTION", "RESTORE", dumps["redis"], "bad")
    differ.check("FUNCTION", "RESTORE", dumps["redis"], "FLUSH", "x")
    differ.check("FUNCTION", "RESTORE", "\xf5")
    differ.check("FUNCTION", "RESTORE", "x" * 30)
    broken = bytearray(dumps["redis"])
    broken[-1] ^= 1
    differ.check("FUNCTION", "RESTORE", bytes(broken))
    differ.check("FUNCTION", "FLUSH")
    differ.check("FUNCTION", "RESTORE", dumps["redis"])
    differ.check("FCALL", "f", "0")
    load(differ, LIB3)
    # Several libraries (LZF-compressed code): each side restores the
    # other's payload.
    dumps = {s: differ.conns[s].call("FUNCTION", "DUMP").value
             for s in differ.SIDES}
    for s in differ.SIDES:
        other = "redis" if s == "shoal" else "shoal"
        conn = differ.conns[s]
        assert conn.call("FUNCTION", "FLUSH").value == b"OK"
        assert conn.call("FUNCTION", "RESTORE", dumps[other]).value == b"OK"
    differ.check("FUNCTION", "LIST", "WITHCODE", mode=UNORDERED)
    differ.check("FUNCTION", "RESTORE", dumps["redis"], "FLUSH")
    differ.check("FUNCTION", "LIST", "WITHCODE", mode=UNORDERED)
    differ.check("FUNCTION", "DELETE", "lib3")
    differ.check("FUNCTION", "RESTORE", dumps["redis"], "REPLACE")
    differ.check("FCALL", "g", "0", "z")


def test_restore_all_or_nothing(differ):
    # One function per library: Redis lists a library's functions in
    # hash order.
    load(differ, "#!lua name=z\nredis.register_function('f', function() "
                 "return 'b' end)")
    load(differ, "#!lua name=c\nredis.register_function('cf', function() "
                 "return 'c' end)")
    payload = differ.conns["redis"].call("FUNCTION", "DUMP").value
    differ.check("FUNCTION", "FLUSH")
    load(differ, "#!lua name=a\nredis.register_function('f', function() "
                 "return 'a' end)")
    for policy in ("APPEND", "REPLACE"):
        differ.check("FUNCTION", "RESTORE", payload, policy)
        differ.check("FUNCTION", "LIST", mode=UNORDERED)
        differ.check("FCALL", "f", "0")
        differ.check("FCALL", "cf", "0")
    differ.check("FUNCTION", "RESTORE", payload, "FLUSH")
    differ.check("FUNCTION", "LIST", mode=UNORDERED)
    differ.check("FCALL", "f", "0")


def test_dump_compressed_code_matches(differ):
    """One library whose code LZF compresses: the payload is Redis's byte
    for byte (the same LZF layout as redis-server's)."""
    body = "".join("redis.register_function('fn%d', function() return %d "
                   "end)\n" % (i, i) for i in range(40))
    differ.check("FUNCTION", "LOAD", "#!lua name=big\n" + body)
    differ.check("FUNCTION", "DUMP")
    differ.check("FCALL", "fn7", "0")
