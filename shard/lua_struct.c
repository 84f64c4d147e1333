/* lua_struct: the `struct` library Redis scripts use: struct.pack(fmt,
 * ...), struct.unpack(fmt, s [, pos]) and struct.size(fmt), with the same
 * format language (endianness < > !, x b B h H l L T i I c s f d). */
#include <lauxlib.h>
#include <lua.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "script.h"

#define MAX_INT_SIZE 32
#define NATIVE_ALIGN 8

typedef struct fmt_state {
    int little;
    int align;
} fmt_state;

static int read_num(const char **f, int def)
{
    if (**f < '0' || **f > '9') {
        return def;
    }
    int n = 0;
    while (**f >= '0' && **f <= '9' && n < 100000) {
        n = n * 10 + (*(*f)++ - '0');
    }
    return n;
}

/* Size of option opt (its count already read into *f). */
static size_t opt_size(lua_State *L, char opt, const char **f)
{
    switch (opt) {
    case 'B':
    case 'b':
        return 1;
    case 'H':
    case 'h':
        return sizeof(short);
    case 'L':
    case 'l':
        return sizeof(long);
    case 'T':
        return sizeof(size_t);
    case 'f':
        return sizeof(float);
    case 'd':
        return sizeof(double);
    case 'x':
        return 1;
    case 'c':
        return (size_t)read_num(f, 1);
    case 'i':
    case 'I': {
        int n = read_num(f, sizeof(int));
        if (n > MAX_INT_SIZE) {
            luaL_error(L, "integral size %d is larger than limit of %d", n,
                       MAX_INT_SIZE);
        }
        return (size_t)n;
    }
    default:
        return 0;
    }
}

static size_t pad_for(size_t len, const fmt_state *h, char opt, size_t size)
{
    if (size <= 1 || opt == 'c') {
        return 0;
    }
    size_t a = size < (size_t)h->align ? size : (size_t)h->align;
    return (a - (len & (a - 1))) & (a - 1);
}

/* Handle header options; returns 1 if opt was one. */
static int header_opt(lua_State *L, char opt, const char **f, fmt_state *h)
{
    switch (opt) {
    case ' ':
        return 1;
    case '>':
        h->little = 0;
        return 1;
    case '<':
        h->little = 1;
        return 1;
    case '!': {
        int a = read_num(f, NATIVE_ALIGN);
        if (a <= 0 || (a & (a - 1)) != 0) {
            luaL_error(L, "alignment %d is not a power of 2", a);
        }
        h->align = a;
        return 1;
    }
    default:
        return 0;
    }
}

static void bad_option(lua_State *L, char opt)
{
    char msg[48];

    snprintf(msg, sizeof(msg), "invalid format option '%c'", opt);
    luaL_argerror(L, 1, msg);
}

static void put_int(luaL_Buffer *b, lua_Number n, int little, size_t size)
{
    unsigned char buf[MAX_INT_SIZE];
    uint64_t v = n < 0 ? (uint64_t)(int64_t)n : (uint64_t)n;
    for (size_t i = 0; i < size; i++) {
        /* Past 64 bits: zero bytes, even for negative numbers (as
         * Redis's struct). */
        unsigned char byte = i < 8 ? (unsigned char)(v >> (8 * i)) : 0;
        buf[little ? i : size - 1 - i] = byte;
    }
    luaL_addlstring(b, (const char *)buf, size);
}

static void put_raw(luaL_Buffer *b, const void *p, size_t n, int little)
{
    unsigned char tmp[8];

    memcpy(tmp, p, n);
    if (!little) {
        for (size_t i = 0; i < n / 2; i++) {
            unsigned char t = tmp[i];
            tmp[i] = tmp[n - 1 - i];
            tmp[n - 1 - i] = t;
        }
    }
    luaL_addlstring(b, (const char *)tmp, n);
}

static int struct_pack(lua_State *L)
{
    const char *f = luaL_checkstring(L, 1);
    fmt_state h = {1, 1};
    int argi = 2;
    size_t total = 0;
    luaL_Buffer b;

    lua_pushnil(L); /* the buffer may use the stack */
    luaL_buffinit(L, &b);
    while (*f != '\0') {
        char opt = *f++;
        if (header_opt(L, opt, &f, &h)) {
            continue;
        }
        size_t size = opt_size(L, opt, &f);
        size_t pad = pad_for(total, &h, opt, size);
        while (pad-- > 0) {
            luaL_addchar(&b, '\0');
            total++;
        }
        switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I':
            put_int(&b, luaL_checknumber(L, argi++), h.little, size);
            break;
        case 'x':
            luaL_addchar(&b, '\0');
            break;
        case 'f': {
            float v = (float)luaL_checknumber(L, argi++);
            put_raw(&b, &v, sizeof(v), h.little);
            break;
        }
        case 'd': {
            double v = (double)luaL_checknumber(L, argi++);
            put_raw(&b, &v, sizeof(v), h.little);
            break;
        }
        case 'c':
        case 's': {
            size_t l;
            const char *s = luaL_checklstring(L, argi, &l);
            if (opt == 'c' && size == 0) {
                size = l;
            } else if (opt == 's') {
                size = l + 1;
            }
            if (opt == 'c') {
                luaL_argcheck(L, l >= size, argi + 1, "string too short");
                luaL_addlstring(&b, s, size);
            } else {
                luaL_addlstring(&b, s, l);
                luaL_addchar(&b, '\0');
            }
            argi++;
            break;
        }
        default:
            bad_option(L, opt);
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

static lua_Number get_int(lua_State *L, const unsigned char *p, int little,
                          int is_signed, size_t size)
{
    uint64_t v = 0;

    for (size_t i = 0; i < size; i++) {
        unsigned char byte = p[little ? size - 1 - i : i];
        if (size - i > 8) {
            /* Bytes past 64 bits must only extend the sign. */
            if (byte != 0 && !(is_signed && byte == 0xff)) {
                luaL_error(L, "%d-byte integer does not fit into Lua "
                              "Integer",
                           (int)size);
            }
            continue;
        }
        v = (v << 8) | byte;
    }
    if (is_signed) {
        if (size < 8 && size > 0) {
            uint64_t mask = 1ULL << (size * 8 - 1);
            v = (v ^ mask) - mask;
        }
        return (lua_Number)(int64_t)v;
    }
    return (lua_Number)v;
}

static void get_raw(void *out, const char *p, size_t n, int little)
{
    unsigned char tmp[8];

    memcpy(tmp, p, n);
    if (!little) {
        for (size_t i = 0; i < n / 2; i++) {
            unsigned char t = tmp[i];
            tmp[i] = tmp[n - 1 - i];
            tmp[n - 1 - i] = t;
        }
    }
    memcpy(out, tmp, n);
}

static int struct_unpack(lua_State *L)
{
    const char *f = luaL_checkstring(L, 1);
    size_t ld;
    const char *data = luaL_checklstring(L, 2, &ld);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1) - 1;
    fmt_state h = {1, 1};
    int n = 0;

    luaL_argcheck(L, pos <= ld, 3, "offset must be 1 or greater");
    while (*f != '\0') {
        char opt = *f++;
        if (header_opt(L, opt, &f, &h)) {
            continue;
        }
        size_t size = opt_size(L, opt, &f);
        pos += pad_for(pos, &h, opt, size);
        luaL_argcheck(L, pos <= ld && size <= ld - pos, 2,
                      "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I':
            lua_pushnumber(L, get_int(L, (const unsigned char *)data + pos,
                                      h.little, opt >= 'a', size));
            n++;
            break;
        case 'x':
            break;
        case 'f': {
            float v;
            get_raw(&v, data + pos, sizeof(v), h.little);
            lua_pushnumber(L, v);
            n++;
            break;
        }
        case 'd': {
            double v;
            get_raw(&v, data + pos, sizeof(v), h.little);
            lua_pushnumber(L, v);
            n++;
            break;
        }
        case 'c':
            if (size == 0) {
                /* c0: the length is the value read just before. */
                if (n == 0 || !lua_isnumber(L, -1)) {
                    luaL_error(L, "format 'c0' needs a previous size");
                }
                size = (size_t)lua_tonumber(L, -1);
                lua_pop(L, 1);
                n--;
                luaL_argcheck(L, size <= ld - pos, 2,
                              "data string too short");
            }
            lua_pushlstring(L, data + pos, size);
            n++;
            break;
        case 's': {
            const char *e = memchr(data + pos, '\0', ld - pos);
            if (e == NULL) {
                luaL_error(L, "unfinished string in data");
            }
            size = (size_t)(e - (data + pos)) + 1;
            lua_pushlstring(L, data + pos, size - 1);
            n++;
            break;
        }
        default:
            bad_option(L, opt);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos + 1);
    return n + 1;
}

static int struct_size(lua_State *L)
{
    const char *f = luaL_checkstring(L, 1);
    fmt_state h = {1, 1};
    size_t pos = 0;

    while (*f != '\0') {
        char opt = *f++;
        if (header_opt(L, opt, &f, &h)) {
            continue;
        }
        size_t size = opt_size(L, opt, &f);
        pos += pad_for(pos, &h, opt, size);
        if (opt == 's') {
            luaL_argerror(L, 1, "option 's' has no fixed size");
        } else if (opt == 'c' && size == 0) {
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        }
        if (size == 0 && opt != 'i' && opt != 'I') {
            bad_option(L, opt);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

int luaopen_struct(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"pack", struct_pack},
        {"unpack", struct_unpack},
        {"size", struct_size},
        {NULL, NULL},
    };

    luaL_register(L, "struct", fns);
    return 1;
}
