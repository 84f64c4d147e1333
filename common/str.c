/* str: binary-safe dynamic strings with a variable-size length header. */
#include "str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static int kind_for(size_t size)
{
    if (size < 256) {
        return STR_K8;
    }
    if (size <= UINT32_MAX) {
        return STR_K32;
    }
    return STR_K64;
}

static size_t hdr_size(int kind)
{
    switch (kind) {
    case STR_K8:
        return sizeof(struct str_hdr8);
    case STR_K32:
        return sizeof(struct str_hdr32);
    default:
        return sizeof(struct str_hdr64);
    }
}

static size_t get_alloc(const char *s)
{
    switch ((uint8_t)s[-1]) {
    case STR_K8:
        return ((const struct str_hdr8 *)(s - sizeof(struct str_hdr8)))->alloc;
    case STR_K32:
        return ((const struct str_hdr32 *)(s - sizeof(struct str_hdr32)))
            ->alloc;
    default:
        return ((const struct str_hdr64 *)(s - sizeof(struct str_hdr64)))
            ->alloc;
    }
}

static void set_lens(char *s, size_t len, size_t alloc)
{
    switch ((uint8_t)s[-1]) {
    case STR_K8: {
        struct str_hdr8 *h = (void *)(s - sizeof(*h));
        h->len = (uint8_t)len;
        h->alloc = (uint8_t)alloc;
        break;
    }
    case STR_K32: {
        struct str_hdr32 *h = (void *)(s - sizeof(*h));
        h->len = (uint32_t)len;
        h->alloc = (uint32_t)alloc;
        break;
    }
    default: {
        struct str_hdr64 *h = (void *)(s - sizeof(*h));
        h->len = len;
        h->alloc = alloc;
        break;
    }
    }
}

size_t str_avail(const char *s)
{
    return get_alloc(s) - str_len(s);
}

static str alloc_with(size_t len, size_t cap)
{
    int kind = kind_for(cap);
    size_t hs = hdr_size(kind);
    char *mem = mem_alloc(hs + cap + 1);
    size_t usable = mem_usable(mem) - hs - 1;
    int ukind = kind_for(usable);

    if (ukind == kind) {
        cap = usable;
    }
    mem[hs - 1] = (char)kind;
    str s = mem + hs;
    set_lens(s, len, cap);
    s[len] = '\0';
    return s;
}

str str_new(const void *p, size_t len)
{
    str s = alloc_with(len, len);

    if (p != NULL && len > 0) {
        memcpy(s, p, len);
    } else if (len > 0) {
        memset(s, 0, len);
    }
    return s;
}

str str_from_cstr(const char *cstr)
{
    return str_new(cstr, strlen(cstr));
}

str str_empty(void)
{
    return str_new(NULL, 0);
}

str str_dup(const char *s)
{
    return str_new(s, str_len(s));
}

void str_free(str s)
{
    if (s != NULL) {
        mem_free(s - hdr_size((uint8_t)s[-1]));
    }
}

size_t str_embed_size(size_t len)
{
    return hdr_size(kind_for(len)) + len + 1;
}

str str_embed(void *mem, const void *p, size_t len)
{
    int kind = kind_for(len);
    size_t hs = hdr_size(kind);
    char *s = (char *)mem + hs;

    s[-1] = (char)kind;
    set_lens(s, len, len);
    if (len > 0) {
        memcpy(s, p, len);
    }
    s[len] = '\0';
    return s;
}

str str_make_room(str s, size_t addlen)
{
    size_t len = str_len(s);
    size_t alloc = get_alloc(s);

    if (alloc - len >= addlen) {
        return s;
    }
    size_t need = len + addlen;
    /* Double small strings, grow big ones by 1 MB steps, like most
     * dynamic buffers; keeps appends amortised O(1). */
    size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
    int okind = (uint8_t)s[-1];
    int nkind = kind_for(cap);

    if (nkind == okind) {
        size_t hs = hdr_size(okind);
        char *mem = mem_realloc(s - hs, hs + cap + 1);
        size_t usable = mem_usable(mem) - hs - 1;
        if (kind_for(usable) == okind) {
            cap = usable;
        }
        s = mem + hs;
        set_lens(s, len, cap);
        return s;
    }
    str n = alloc_with(len, cap);
    memcpy(n, s, len + 1);
    str_free(s);
    return n;
}

str str_cat(str s, const void *p, size_t len)
{
    size_t cur = str_len(s);

    s = str_make_room(s, len);
    memcpy(s + cur, p, len);
    str_set_len(s, cur + len);
    return s;
}

str str_cat_cstr(str s, const char *cstr)
{
    return str_cat(s, cstr, strlen(cstr));
}

str str_catvfmt(str s, const char *fmt, va_list ap)
{
    char small[256];
    va_list cp;

    va_copy(cp, ap);
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0) {
        return s;
    }
    if ((size_t)n < sizeof(small)) {
        return str_cat(s, small, (size_t)n);
    }
    size_t cur = str_len(s);
    s = str_make_room(s, (size_t)n + 1);
    vsnprintf(s + cur, (size_t)n + 1, fmt, ap);
    str_set_len(s, cur + (size_t)n);
    return s;
}

str str_catfmt(str s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    s = str_catvfmt(s, fmt, ap);
    va_end(ap);
    return s;
}

str str_grow_zero(str s, size_t len)
{
    size_t cur = str_len(s);

    if (len <= cur) {
        return s;
    }
    s = str_make_room(s, len - cur);
    memset(s + cur, 0, len - cur);
    str_set_len(s, len);
    return s;
}

str str_trim_alloc(str s)
{
    size_t len = str_len(s);

    if (get_alloc(s) == len) {
        return s;
    }
    str n = str_new(s, len);
    str_free(s);
    return n;
}

void str_set_len(str s, size_t len)
{
    set_lens(s, len, get_alloc(s));
    s[len] = '\0';
}

void str_incr_len(str s, ssize_t incr)
{
    str_set_len(s, (size_t)((ssize_t)str_len(s) + incr));
}

void str_clear(str s)
{
    str_set_len(s, 0);
}

void str_range(str s, ssize_t start, ssize_t end)
{
    ssize_t len = (ssize_t)str_len(s);

    if (len == 0) {
        return;
    }
    if (start < 0) {
        start = len + start < 0 ? 0 : len + start;
    }
    if (end < 0) {
        end = len + end < 0 ? 0 : len + end;
    }
    ssize_t n = start > end ? 0 : end - start + 1;
    if (n != 0) {
        if (start >= len) {
            n = 0;
        } else if (end >= len) {
            n = len - start;
        }
    }
    if (n > 0 && start > 0) {
        memmove(s, s + start, (size_t)n);
    }
    str_set_len(s, (size_t)n);
}

void str_consume(str s, size_t n)
{
    size_t len = str_len(s);

    if (n >= len) {
        str_set_len(s, 0);
        return;
    }
    memmove(s, s + n, len - n);
    str_set_len(s, len - n);
}

void str_tolower(str s)
{
    size_t len = str_len(s);

    for (size_t i = 0; i < len; i++) {
        s[i] = (char)tolower((unsigned char)s[i]);
    }
}

size_t str_alloc_size(const char *s)
{
    return mem_usable((char *)s - hdr_size((uint8_t)s[-1]));
}
