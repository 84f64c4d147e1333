"""Differential tests of Lua scripting (shard/script.c, script_lua.c,
lua_struct.c, lua_cmsgpack.c): EVAL/EVALSHA/EVAL_RO/EVALSHA_RO, the SCRIPT
family, Lua <-> RESP2/RESP3 conversions both ways, redis.* API errors, the
sandbox (readonly globals and libraries, missing globals, math.random),
shebang flags, and the cjson/cmsgpack/struct/bit libraries, compared with
redis-server 7.0 byte for byte."""

import pytest

from differential.diff import UNORDERED


def evals(differ, scripts, *tail):
    for s in scripts:
        differ.check("EVAL", s, "0", *tail)


# ---------------------------------------------------------------- Lua -> RESP

LUA_TO_RESP = [
    "return 1", "return -7", "return 3.99", "return -3.99", "return 1/0",
    "return -1/0", "return 0/0", "return 'hello'", "return ''",
    "return true", "return false", "return nil", "return {}",
    "return {1,2,3,nil,4}", "return {1,'a',{true,false},3.7}",
    "return {err='My Error'}", "return {err='-X y'}", "return {err={}}",
    "return {ok='fine'}", "return {ok=1}", "return {1,{err='x'}}",
    "return {1,{ok='x\\r\\ny'}}", "return {double=3.5}",
    "return {double=0.1}", "return {double=1/0}", "return {double=-1/0}",
    "return {map={a=1}}", "return {set={a=1}}", "return {big_number='123'}",
    "return {big_number='1\\r\\n2'}",
    "return {verbatim_string={format='txt',string='hi'}}",
    "return {verbatim_string={format='mkd',string='# x'}}",
    "return {verbatim_string={format='txt'}}",
    "return {map={a={1,2}, b={double=0.5}}}",
    "return {1, {err='e'}, {ok='o'}, {double=1.25}}",
    "return redis.error_reply('boo')", "return redis.error_reply('-boo x')",
    "return redis.error_reply('')", "return redis.error_reply()",
    "return redis.error_reply('two words')",
    "return redis.error_reply('-')", "return redis.error_reply('x\\r\\n')",
    "return redis.error_reply('-A b\\r\\n')",
    "return redis.status_reply('fine')", "return redis.status_reply(1)",
    "return {1e20, -1e20, 2^53, 2^63}",
]


def test_lua_to_resp2(differ):
    evals(differ, LUA_TO_RESP)
    differ.check("EVAL", "redis.setresp(3) return true", "0")
    differ.check("EVAL", "redis.setresp(3) return false", "0")


def test_lua_to_resp3(differ):
    differ.check("HELLO", "3")
    evals(differ, LUA_TO_RESP)
    differ.check("EVAL", "redis.setresp(3) return true", "0")
    differ.check("EVAL", "redis.setresp(3) return false", "0")


# ---------------------------------------------------------------- RESP -> Lua

RESP_TO_LUA = [
    "return redis.call('get','nokey')",
    "return type(redis.call('get','nokey'))",
    "return redis.call('hgetall','nokey')",
    "return redis.call('hgetall','h')",
    "return redis.call('smembers','s')",
    "return redis.call('zscore','z','m')",
    "return redis.call('zrange','z','0','-1','withscores')",
    "return redis.call('exists','h','h')",
    "return {redis.call('sismember','s','x')}",
    "return redis.call('smismember','s','x','y')",
    "return {redis.call('ping')}",
    "return redis.call('ping')['ok']",
    "return redis.call('set','k','v')",
    "return redis.call('lrange','l','0','-1')",
    "return redis.pcall('incr','str')",
    "return redis.pcall('lpush','str','x')",
    # INFO is a verbatim string in RESP3 (DEBUG PROTOCOL is noscript).
    "local v = redis.call('info','server') return type(v)",
    "local v = redis.call('info','server') "
    "return type(v) == 'table' and v['verbatim_string']['format']",
    "local r = redis.call('hgetall','h') return type(r)",
]


def setup_keys(differ):
    differ.check("HSET", "h", "a", "1")
    differ.check("SADD", "s", "x")
    differ.check("ZADD", "z", "1.5", "m")
    differ.check("RPUSH", "l", "a", "b")
    differ.check("SET", "str", "notanumber")


def test_resp_to_lua(differ):
    setup_keys(differ)
    for client_resp in ("2", "3"):
        differ.check("HELLO", client_resp)
        for script_resp in ("2", "3"):
            for body in RESP_TO_LUA:
                differ.check("EVAL", f"redis.setresp({script_resp}) {body}",
                             "0", mode=UNORDERED if "map" in body else None)
    # Fields of RESP3 values as Lua sees them.
    evals(differ, [
        "redis.setresp(3) return redis.call('hgetall','h')['map']['a']",
        "redis.setresp(3) return redis.call('zscore','z','m')['double']",
        "redis.setresp(3) local s = redis.call('smembers','s')['set'] "
        "return tostring(s['x'])",
        "redis.setresp(3) local v = "
        "redis.call('info','server')['verbatim_string'] "
        "return {v['format'], type(v['string'])}",
    ])


# ---------------------------------------------------------------- errors


def test_call_errors(differ):
    setup_keys(differ)
    evals(differ, [
        "return redis.call('nosuch')", "return redis.call('get')",
        "return redis.call('get','a','b')", "return redis.pcall('get','a','b')",
        "return redis.call('incr','str')", "return redis.pcall('incr','str')",
        "return redis.pcall('nosuch')", "return redis.call()",
        "return redis.pcall()", "return redis.call(1)",
        "return redis.call({})", "return redis.call('set','a',{})",
        "return redis.call('set','a',true)",
        "return redis.call('set','a',3.5) and redis.call('get','a')",
        "return redis.call('set','a',0.1) and redis.call('get','a')",
        "return redis.call('set','a',10) and redis.call('get','a')",
        "return redis.call('set','a',1e20) and redis.call('get','a')",
        "return redis.call('blpop','l',0)",
        "return redis.call('eval','return 1',0)",
        "return redis.call('subscribe','c')",
        "return redis.call('multi')",
        "return pcall(redis.call,'nosuch')",
        "error('x')", "error({err='hh'})", "error({err='ERR hh'})",
        "error()", "return nil + 1", "local t = nil return t.x",
        "error(true)", "error(12)", "error('x', 0)", "error('x', 2)",
        "local function f() error('deep') end f()", "return {err=''}",
        "error({err='a', source='s', line=9})",
        "return redis.call('set', 'k', 'x', 'EX', 0)",
        "local t = {} t[1] = t return 1",
        "return redis.sha1hex()", "return redis.log(9, 'hi')",
        "return redis.log(1)", "return redis.log('x', 'y')",
        "return redis.setresp()", "redis.setresp(4)",
        "return redis.set_repl(100)", "return redis.set_repl()",
        "return cjson.decode('[')",
        "return redis.register_function('a', function() end)",
    ])
    differ.check("EVAL", "return 1", "-1")
    differ.check("EVAL", "return 1", "2", "a")
    differ.check("EVAL", "return 1", "abc")
    differ.check("EVAL", "return")
    differ.check("EVAL", "syntax error here", "0")
    differ.check("EVAL", "return 'a' ..", "0")
    differ.check("EVAL_RO", "return redis.call('set','a',1)", "0")
    differ.check("EVAL_RO", "return redis.call('get','a')", "0")
    differ.check("EVAL_RO", "return redis.pcall('del','a')", "0")


def test_redis_api(differ):
    evals(differ, [
        "return redis.sha1hex('')", "return redis.sha1hex('abc')",
        "return redis.sha1hex(string.rep('x', 1000))",
        "return redis.sha1hex(123)",
        "return redis.setresp(3)", "return redis.breakpoint()",
        "return redis.replicate_commands()",
        "return redis.set_repl(redis.REPL_ALL)",
        "return redis.set_repl(redis.REPL_NONE)",
        "return {redis.REPL_ALL, redis.REPL_AOF, redis.REPL_SLAVE, "
        "redis.REPL_REPLICA, redis.REPL_NONE}",
        "return redis.debug('x')",
        "return redis.log(redis.LOG_WARNING, 'hi', 'there')",
        "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, "
        "redis.LOG_WARNING}",
        "return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM",
        "return redis.acl_check_cmd('get', 'x')",
        "return redis.acl_check_cmd('nosuch')",
        "return {KEYS[1], ARGV[1], #KEYS, #ARGV}",
        "return redis.call('select', 5) and redis.call('set','zz','1')",
    ])
    differ.check("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}",
                 "2", "k1", "k2", "a1", "a2")
    differ.check("GET", "zz")
    differ.check("SELECT", "5")
    differ.check("GET", "zz")


# ---------------------------------------------------------------- sandbox


def test_sandbox(differ):
    evals(differ, [
        "local r={} for k,v in pairs(_G) do r[#r+1]=k end table.sort(r) "
        "return r",
        "local r={} for k,v in pairs(redis) do r[#r+1]=k end table.sort(r) "
        "return r",
        "local r={} for k,v in pairs(math) do r[#r+1]=k end table.sort(r) "
        "return r",
        "local r={} for k,v in pairs(string) do r[#r+1]=k end "
        "table.sort(r) return r",
        "local r={} for k,v in pairs(table) do r[#r+1]=k end table.sort(r) "
        "return r",
        "x=1", "return y", "return os", "return io", "return print",
        "return loadfile", "return dofile", "return require",
        "return module", "return setfenv", "return getfenv",
        "return newproxy", "return debug", "return package",
        "redis.call = 1", "_G.x = 1", "rawset(_G,'x',1) return 1",
        "KEYS = 1 return 1", "string.foo = 1", "cjson.x = 1",
        "math.huge = 1", "table.insert = nil", "bit.x = 1",
        "setmetatable(_G, nil) return 1",
        "return getmetatable(_G) == nil",
        "local t = setmetatable({}, {}) return 1",
        "function f() end", "local function f() return 1 end return f()",
        "return rawget(_G, 'redis') ~= nil",
        "return type(rawget(_G, 'nothing'))",
        "return next(redis) ~= nil",
        "return type(loadstring('return 1'))",
        "return loadstring('return 1')()",
        "return ('abc'):upper()",
        "return type(_G)",
        "return _VERSION",
    ])


def test_math_random(differ):
    # One generator per process, never reseeded by EVAL itself.
    evals(differ, [
        "return math.random()",
        "return {math.random(100), math.random(100), math.random(5,10), "
        "tostring(math.random())}",
        "return math.random(100)", "return math.random(100)",
        "math.randomseed(7); return {math.random(100), math.random(100)}",
        "math.randomseed(0) return math.random(100)",
        "return math.random(100)",
        "return math.random(0)", "return math.random(3, 1)",
        "return math.random(1, 2, 3)",
    ])


# ---------------------------------------------------------------- SCRIPT

SHA_RETURN_1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"


def test_script_family(differ):
    differ.check("EVALSHA", SHA_RETURN_1, "0")
    differ.check("EVALSHA", "fff", "0")
    differ.check("EVALSHA_RO", SHA_RETURN_1, "0")
    differ.check("SCRIPT", "LOAD", "return 1")
    differ.check("SCRIPT", "LOAD", "syntax error")
    differ.check("SCRIPT", "EXISTS", SHA_RETURN_1, "f" * 40, "x")
    differ.check("SCRIPT", "EXISTS", SHA_RETURN_1.upper())
    differ.check("EVALSHA", SHA_RETURN_1, "0")
    differ.check("EVALSHA", SHA_RETURN_1.upper(), "0")
    differ.check("EVALSHA_RO", SHA_RETURN_1, "0")
    differ.check("EVALSHA", SHA_RETURN_1, "-1")
    differ.check("EVAL", "return 2", "0")
    differ.check("EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", "0")
    differ.check("EVALSHA_RO", "7f923f79fe76194c868d7e1d0820de36700eb649",
                 "0")
    differ.check("SCRIPT", "KILL")
    differ.check("SCRIPT", "FLUSH", "bad")
    differ.check("SCRIPT", "FLUSH", "sync", "extra")
    differ.check("SCRIPT", "FLUSH")
    differ.check("SCRIPT", "EXISTS", SHA_RETURN_1)
    differ.check("EVALSHA", SHA_RETURN_1, "0")
    differ.check("SCRIPT", "LOAD", "return 1")
    differ.check("SCRIPT", "FLUSH", "ASYNC")
    differ.check("SCRIPT", "FLUSH", "sync")
    differ.check("SCRIPT", "EXISTS", SHA_RETURN_1)
    differ.check("SCRIPT", "HELP")
    differ.check("SCRIPT", "foo")
    differ.check("SCRIPT")
    differ.check("SCRIPT", "LOAD")
    differ.check("SCRIPT", "EXISTS")


def test_shebang(differ):
    evals(differ, [
        "#!lua\nerror('x')",
        "#!lua\nreturn 1",
        "#!lua flags=no-writes\nreturn redis.call('set','a','1')",
        "#!lua flags=no-writes\nreturn redis.call('get','a')",
        "#!lua flags=bad\nreturn 1",
        "#!foo\nreturn 1",
        "#!lua name=x\nreturn 1",
        "#!lua flags=no-writes,allow-oom\nreturn 1",
        "#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2",
        "#!lua\nreturn redis.call('set','a','2')",
    ])
    differ.check("EVAL_RO", "#!lua\nreturn 1", "0")
    differ.check("EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0")


def test_maxmemory_oom(differ):
    info = differ.conns["shoal"].call("INFO", "memory").value.decode()
    used = int(info.split("used_memory:", 1)[1].split("\r\n", 1)[0])
    if used <= 1:
        pytest.skip("this build does not measure its memory (sanitizers)")
    differ.check("CONFIG", "SET", "maxmemory", "1")
    evals(differ, [
        "return redis.call('set','a','1')",
        "return redis.call('get','a')",
        "return redis.pcall('set','a','1')",
        "#!lua\nreturn 1",
        "#!lua flags=allow-oom\nreturn redis.call('set','a','1')",
        "#!lua flags=no-writes\nreturn redis.call('get','a')",
    ])
    differ.check("CONFIG", "SET", "maxmemory", "0")


# ---------------------------------------------------------------- libraries


def test_cjson_bit(differ):
    evals(differ, [
        "return cjson.encode({1,2,{a=1}})",
        "return cjson.decode('[1,2,3]')",
        "return cjson.decode('{\"a\":[1,\"x\",true]}')['a']",
        "return cjson.encode(cjson.decode('{\"a\":null}'))",
        "return cjson.encode('x\\ny')",
        "return cjson.decode('[')",
        "return bit.band(7,3)",
        "return {bit.tohex(255), bit.bxor(1,3), bit.bor(1,2), "
        "bit.lshift(1,4), bit.rshift(256,4), bit.arshift(-256,4), "
        "bit.bnot(0), bit.tobit(2^32 + 1)}",
    ])


def test_struct(differ):
    evals(differ, [
        "return struct.pack('>I2', 258)",
        "return {struct.unpack('>I2', struct.pack('>I2', 258))}",
        "return struct.size('>iId')",
        "return struct.pack('<i4d', -5, 1.5)",
        "return {struct.unpack('<i4d', struct.pack('<i4d', -5, 1.5))}",
        "return struct.pack('bBhHlL', -1, 255, -2, 65535, -3, 7)",
        "return {struct.unpack('bBhHlL', "
        "struct.pack('bBhHlL', -1, 255, -2, 65535, -3, 7))}",
        "return struct.pack('c5s', 'ab', 'xyz')",
        "return struct.pack('c2s', 'ab', 'xyz')",
        "return {struct.unpack('c2s', 'abhello' .. string.char(0) .. "
        "'zz')}",
        "return struct.pack('Q', 1)",
        "return struct.pack('i17', 1)",
        "return struct.pack('i17', -1)",
        "return struct.unpack('i4', 'ab')",
        "return struct.pack('!4bi', 1, 2)",
        "return struct.pack('!bd', 1, 2)",
        "return struct.size('!4bi')",
        "return {struct.unpack('i1c0', struct.pack('i1c0', 3, 'abc'))}",
        "return struct.pack('f', 1.5)",
        "return struct.pack('x b', 1)",
        "return struct.size('s')",
        "return {struct.unpack('>h', 'ab', 1)}",
        "return {struct.unpack('B', 'abc', 3)}",
        "return struct.pack('>I3', 65536 * 3 + 5)",
        "return {struct.unpack('<I3', struct.pack('<I3', 70000))}",
    ])


def test_cmsgpack(differ):
    evals(differ, [
        "return cmsgpack.pack(1, -1, 127, 128, -33, 256, 65536, -129, "
        "-40000, 4294967296, -4294967296)",
        "return cmsgpack.pack(1.5, 0.1, 'abc', true, false, nil)",
        "return cmsgpack.pack({1,2,3}, {a=1}, {}, string.rep('x', 40), "
        "string.rep('y', 300))",
        "return {cmsgpack.unpack(cmsgpack.pack({1,2,{a='b'}}, 'x', 7))}",
        "return cmsgpack.unpack(cmsgpack.pack({a='b'}))['a']",
        "return cmsgpack.pack()",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1,2), 0)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1,2), 1)}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2, 0)}",
        "return {cmsgpack.unpack(cmsgpack.pack(-1.5, 2^53, -2^40))}",
        "local t = {} t[1]=1 t[3]=3 return cmsgpack.pack(t)",
        "return cmsgpack.pack(string.rep('z', 70000)):sub(1,5)",
        "return cmsgpack.pack(-0.0)",
        "return cmsgpack.pack(1/0)",
        "return cmsgpack.pack(1e300)",
        "return cmsgpack.unpack(string.char(0xcd, 1))",
        "return {cmsgpack.unpack(string.char(0xc4, 2) .. 'ab')}",
        "local t = {} local c = t for i=1,20 do c[1] = {} c = c[1] end "
        "return cmsgpack.pack(t)",
        "return #cmsgpack.pack(string.rep('q', 20), {string.rep('r', 20)})",
    ])


def test_error_stats(differ):
    # Errors a command replied inside the script count once, not again
    # when the script returns or raises them.
    differ.check("SET", "str", "x")
    differ.check("CONFIG", "RESETSTAT")
    evals(differ, [
        "return redis.call('incr','str')", "return redis.pcall('incr','str')",
        "return redis.call('nosuch')", "return {err='MY thing'}",
        "error('x')", "return redis.pcall('nosuch')",
        "return {redis.pcall('incr','str')}",
        "local e = redis.pcall('incr','str') return redis.error_reply(e.err)",
    ])
    differ.check("INFO", "errorstats")
    for s in differ.SIDES:
        text = differ.conns[s].call("INFO", "stats").value.decode()
        total = [l for l in text.split("\r\n")
                 if l.startswith("total_error_replies:")]
        assert total == ["total_error_replies:9"], (s, total)


def test_commands_from_scripts(differ):
    # Blocking forms, noscript commands, and the rest as scripts see them.
    differ.check("RPUSH", "l", "a")
    evals(differ, [
        "return redis.call('xread','block','0','streams','xs','$')",
        "return redis.call('XREAD','BLOCK','100','streams','xs','0')",
        "return redis.call('xread','streams','xs','0')",
        "return redis.call('xreadgroup','group','g','c','block','0',"
        "'streams','xs','>')",
        "return redis.call('blmpop','0','1','l','left')",
        "return redis.call('bzmpop','0','1','z','min')",
        "return redis.call('brpoplpush','l','m','0')",
        "return redis.call('client','pause','10')",
        "return redis.call('monitor')",
        "return redis.call('time')[1] > '0'",
        "return redis.call('spop','noset')",
        "return redis.call('debug','sleep','0')",
        "return redis.call('script','load','return 1')",
        "return redis.call('function','list')",
        "return redis.call('publish','ch','m')",
        "return redis.call('watch','k')",
        "return redis.call('select','100')",
        "return redis.call('lpop','l')",
        "return redis.call('swapdb','0','1')",
        "return redis.call('flushall')",
        "return redis.call('randomkey')",
    ])
