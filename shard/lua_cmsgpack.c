/* lua_cmsgpack: MessagePack for scripts, as Redis's cmsgpack module:
 * cmsgpack.pack(...), cmsgpack.unpack(s), cmsgpack.unpack_one(s [, off]),
 * cmsgpack.unpack_limit(s, limit [, off]). */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "script.h"

/* Deeper tables encode as nil (and can't loop forever on cycles). */
#define MAX_NESTING 16

/* ---- encoding ---- */

/* Count the keys of the table at idx into *len; returns 1 if they are
 * exactly 1..n (a sequence without holes). */
static int is_array(lua_State *L, int idx, size_t *len)
{
    size_t count = 0;
    lua_Number max = 0;
    int seq = 1;

    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
        if (lua_type(L, -1) != LUA_TNUMBER) {
            seq = 0;
            continue;
        }
        lua_Number k = lua_tonumber(L, -1);
        if (k <= 0 || k != floor(k)) {
            seq = 0;
        } else if (k > max) {
            max = k;
        }
    }
    *len = count;
    return seq && (lua_Number)count == max;
}

/* The output grows in memory from Lua's allocator (luaL_Buffer's stack
 * discipline doesn't mix with walking nested tables). */
typedef struct mp_buf {
    lua_State *L;
    char *p;
    size_t len, cap;
} mp_buf;

static void mb_add(mp_buf *m, const void *p, size_t n)
{
    if (m->len + n > m->cap) {
        size_t cap = m->cap * 2 + n + 64;
        void *ud;
        lua_Alloc fa = lua_getallocf(m->L, &ud);
        m->p = fa(ud, m->p, m->cap, cap);
        if (m->p == NULL) {
            luaL_error(m->L, "not enough memory");
        }
        m->cap = cap;
    }
    memcpy(m->p + m->len, p, n);
    m->len += n;
}

static void mb_be(mp_buf *m, unsigned char tag, uint64_t v, int n)
{
    unsigned char buf[9];

    buf[0] = tag;
    for (int i = 0; i < n; i++) {
        buf[1 + i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    }
    mb_add(m, buf, (size_t)n + 1);
}

static void mb_byte(mp_buf *m, unsigned char c)
{
    mb_add(m, &c, 1);
}

static void mb_int(mp_buf *m, int64_t v)
{
    if (v >= 0) {
        if (v <= 127) {
            mb_byte(m, (unsigned char)v);
        } else if (v <= 0xff) {
            mb_be(m, 0xcc, (uint64_t)v, 1);
        } else if (v <= 0xffff) {
            mb_be(m, 0xcd, (uint64_t)v, 2);
        } else if (v <= 0xffffffffLL) {
            mb_be(m, 0xce, (uint64_t)v, 4);
        } else {
            mb_be(m, 0xcf, (uint64_t)v, 8);
        }
    } else if (v >= -32) {
        mb_byte(m, (unsigned char)(0xe0 | (v + 32)));
    } else if (v >= -128) {
        mb_be(m, 0xd0, (uint64_t)v & 0xff, 1);
    } else if (v >= -32768) {
        mb_be(m, 0xd1, (uint64_t)v & 0xffff, 2);
    } else if (v >= -2147483648LL) {
        mb_be(m, 0xd2, (uint64_t)v & 0xffffffffULL, 4);
    } else {
        mb_be(m, 0xd3, (uint64_t)v, 8);
    }
}

static void mb_value(mp_buf *m, int depth);

/* Encode the value at the top of the stack (left there). */
static void mb_table(mp_buf *m, int depth)
{
    lua_State *L = m->L;
    int t = lua_gettop(L);
    size_t n;

    if (depth >= MAX_NESTING || !lua_checkstack(L, 4)) {
        mb_byte(m, 0xc0);
        return;
    }
    if (is_array(L, t, &n)) {
        if (n < 16) {
            mb_byte(m, (unsigned char)(0x90 | n));
        } else if (n <= 0xffff) {
            mb_be(m, 0xdc, n, 2);
        } else {
            mb_be(m, 0xdd, n, 4);
        }
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, t, (int)i);
            mb_value(m, depth + 1);
            lua_pop(L, 1);
        }
        return;
    }
    if (n < 16) {
        mb_byte(m, (unsigned char)(0x80 | n));
    } else if (n <= 0xffff) {
        mb_be(m, 0xde, n, 2);
    } else {
        mb_be(m, 0xdf, n, 4);
    }
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pushvalue(L, -2);
        mb_value(m, depth + 1);
        lua_pop(L, 1);
        mb_value(m, depth + 1);
        lua_pop(L, 1);
    }
}

static void mb_value(mp_buf *m, int depth)
{
    lua_State *L = m->L;
    size_t n;
    const char *s;

    switch (lua_type(L, -1)) {
    case LUA_TNUMBER: {
        lua_Number x = lua_tonumber(L, -1);
        if (!isinf(x) && x == floor(x) && x >= -9.2233720368547758e18 &&
            x < 9.2233720368547758e18) {
            mb_int(m, (int64_t)x);
        } else {
            float f = (float)x;
            if ((lua_Number)f == x) {
                uint32_t u;
                memcpy(&u, &f, sizeof(u));
                mb_be(m, 0xca, u, 4);
            } else {
                double d = (double)x;
                uint64_t bits;
                memcpy(&bits, &d, sizeof(bits));
                mb_be(m, 0xcb, bits, 8);
            }
        }
        break;
    }
    case LUA_TSTRING:
        s = lua_tolstring(L, -1, &n);
        if (n < 32) {
            mb_byte(m, (unsigned char)(0xa0 | n));
        } else if (n <= 0xff) {
            mb_be(m, 0xd9, n, 1);
        } else if (n <= 0xffff) {
            mb_be(m, 0xda, n, 2);
        } else {
            mb_be(m, 0xdb, n, 4);
        }
        mb_add(m, s, n);
        break;
    case LUA_TBOOLEAN:
        mb_byte(m, lua_toboolean(L, -1) ? 0xc3 : 0xc2);
        break;
    case LUA_TTABLE:
        mb_table(m, depth);
        break;
    default:
        mb_byte(m, 0xc0);
        break;
    }
}

static int mp_pack(lua_State *L)
{
    int argc = lua_gettop(L);
    mp_buf m = {L, NULL, 0, 0};
    void *ud;
    lua_Alloc fa = lua_getallocf(L, &ud);

    if (argc == 0) {
        return luaL_argerror(L, 0, "MessagePack pack needs input.");
    }
    for (int i = 1; i <= argc; i++) {
        lua_pushvalue(L, i);
        mb_value(&m, 0);
        lua_pop(L, 1);
    }
    lua_pushlstring(L, m.p != NULL ? m.p : "", m.len);
    fa(ud, m.p, m.cap, 0);
    return 1;
}

/* ---- decoding ---- */

typedef struct mp_cur {
    const unsigned char *p;
    size_t left;
    int err;
} mp_cur;

static uint64_t cur_be(mp_cur *c, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++) {
        v = (v << 8) | c->p[i];
    }
    c->p += n;
    c->left -= (size_t)n;
    return v;
}

#define NEED(c, n)                                                          \
    do {                                                                    \
        if ((c)->left < (size_t)(n)) {                                      \
            (c)->err = 1;                                                   \
            return;                                                         \
        }                                                                   \
    } while (0)

static void dec_value(lua_State *L, mp_cur *c, int depth);

static void dec_array(lua_State *L, mp_cur *c, uint64_t n, int depth)
{
    lua_newtable(L);
    for (uint64_t i = 0; i < n; i++) {
        dec_value(L, c, depth + 1);
        if (c->err) {
            return;
        }
        lua_rawseti(L, -2, (int)i + 1);
    }
}

static void dec_map(lua_State *L, mp_cur *c, uint64_t n, int depth)
{
    lua_newtable(L);
    for (uint64_t i = 0; i < n; i++) {
        dec_value(L, c, depth + 1);
        if (c->err) {
            return;
        }
        dec_value(L, c, depth + 1);
        if (c->err) {
            lua_pop(L, 1);
            return;
        }
        if (lua_isnil(L, -2)) {
            lua_pop(L, 2);
            continue;
        }
        lua_rawset(L, -3);
    }
}

static void dec_bytes(lua_State *L, mp_cur *c, uint64_t n)
{
    NEED(c, n);
    lua_pushlstring(L, (const char *)c->p, (size_t)n);
    c->p += n;
    c->left -= (size_t)n;
}

static void dec_value(lua_State *L, mp_cur *c, int depth)
{
    NEED(c, 1);
    if (!lua_checkstack(L, 4) || depth > 1000) {
        luaL_error(L, "too many nested levels");
    }
    unsigned char t = *c->p++;
    c->left--;
    if (t <= 0x7f) {
        lua_pushnumber(L, t);
    } else if (t >= 0xe0) {
        lua_pushnumber(L, (int8_t)t);
    } else if ((t & 0xe0) == 0xa0) {
        dec_bytes(L, c, t & 0x1f);
    } else if ((t & 0xf0) == 0x90) {
        dec_array(L, c, t & 0x0f, depth);
    } else if ((t & 0xf0) == 0x80) {
        dec_map(L, c, t & 0x0f, depth);
    } else {
        switch (t) {
        case 0xc0:
            lua_pushnil(L);
            break;
        case 0xc2:
            lua_pushboolean(L, 0);
            break;
        case 0xc3:
            lua_pushboolean(L, 1);
            break;
        case 0xcc:
            NEED(c, 1);
            lua_pushnumber(L, (lua_Number)cur_be(c, 1));
            break;
        case 0xcd:
            NEED(c, 2);
            lua_pushnumber(L, (lua_Number)cur_be(c, 2));
            break;
        case 0xce:
            NEED(c, 4);
            lua_pushnumber(L, (lua_Number)cur_be(c, 4));
            break;
        case 0xcf:
            NEED(c, 8);
            lua_pushnumber(L, (lua_Number)cur_be(c, 8));
            break;
        case 0xd0:
            NEED(c, 1);
            lua_pushnumber(L, (int8_t)cur_be(c, 1));
            break;
        case 0xd1:
            NEED(c, 2);
            lua_pushnumber(L, (int16_t)cur_be(c, 2));
            break;
        case 0xd2:
            NEED(c, 4);
            lua_pushnumber(L, (int32_t)cur_be(c, 4));
            break;
        case 0xd3:
            NEED(c, 8);
            lua_pushnumber(L, (lua_Number)(int64_t)cur_be(c, 8));
            break;
        case 0xca: {
            NEED(c, 4);
            uint32_t u = (uint32_t)cur_be(c, 4);
            float f;
            memcpy(&f, &u, sizeof(f));
            lua_pushnumber(L, f);
            break;
        }
        case 0xcb: {
            NEED(c, 8);
            uint64_t u = cur_be(c, 8);
            double d;
            memcpy(&d, &u, sizeof(d));
            lua_pushnumber(L, d);
            break;
        }
        case 0xd9:
            NEED(c, 1);
            dec_bytes(L, c, cur_be(c, 1));
            break;
        case 0xda:
            NEED(c, 2);
            dec_bytes(L, c, cur_be(c, 2));
            break;
        case 0xdb:
            NEED(c, 4);
            dec_bytes(L, c, cur_be(c, 4));
            break;
        case 0xdc:
            NEED(c, 2);
            dec_array(L, c, cur_be(c, 2), depth);
            break;
        case 0xdd:
            NEED(c, 4);
            dec_array(L, c, cur_be(c, 4), depth);
            break;
        case 0xde:
            NEED(c, 2);
            dec_map(L, c, cur_be(c, 2), depth);
            break;
        case 0xdf:
            NEED(c, 4);
            dec_map(L, c, cur_be(c, 4), depth);
            break;
        default:
            /* bin, ext and the rest: Redis's module knows none of them. */
            c->err = 2;
            return;
        }
    }
}

/* Decode up to limit values (0: all) from offset; push them, return the
 * count; *next = offset after them, -1 at the end. */
static int unpack_full(lua_State *L, int limit, int offset)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    mp_cur c;
    int n = 0;

    if (offset < 0 || limit < 0) {
        return luaL_error(L, "Invalid request to unpack with offset of %d "
                             "and limit of %d.",
                          offset, limit);
    }
    if ((size_t)offset > len) {
        return luaL_error(L, "Start offset %d greater than input length "
                             "%d.",
                          offset, (int)len);
    }
    c.p = (const unsigned char *)s + offset;
    c.left = len - (size_t)offset;
    c.err = 0;
    lua_pushnil(L); /* offset slot, filled below */
    int slot = lua_gettop(L);
    while (c.left > 0 && (limit == 0 || n < limit)) {
        dec_value(L, &c, 0);
        if (c.err) {
            return luaL_error(L, c.err == 2 ? "Bad data format in input."
                                            : "Missing bytes in input.");
        }
        n++;
    }
    if (limit > 0) {
        lua_pushinteger(L, c.left == 0 ? -1
                                       : (lua_Integer)(len - c.left));
        lua_replace(L, slot);
    }
    return n;
}

static int mp_unpack(lua_State *L)
{
    int n = unpack_full(L, 0, 0);
    return n;
}

static int mp_unpack_one(lua_State *L)
{
    int offset = (int)luaL_optinteger(L, 2, 0);

    lua_settop(L, 1);
    return unpack_full(L, 1, offset) + 1;
}

static int mp_unpack_limit(lua_State *L)
{
    int limit = (int)luaL_checkinteger(L, 2);
    int offset = (int)luaL_optinteger(L, 3, 0);

    lua_settop(L, 1);
    return unpack_full(L, limit, offset) + 1;
}

int luaopen_cmsgpack(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"pack", mp_pack},
        {"unpack", mp_unpack},
        {"unpack_one", mp_unpack_one},
        {"unpack_limit", mp_unpack_limit},
        {NULL, NULL},
    };

    luaL_register(L, "cmsgpack", fns);
    return 1;
}
