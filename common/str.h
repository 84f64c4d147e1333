/* str: binary-safe dynamic strings. A str is a char * to the bytes, always
 * NUL-terminated, with a small length header stored just before them, so it
 * can be handed to any function that takes a C string. */
#ifndef SHOAL_STR_H
#define SHOAL_STR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef char *str;

/* Header kinds; the byte just before the data holds the kind. */
#define STR_K8 1
#define STR_K32 2
#define STR_K64 3

struct __attribute__((packed)) str_hdr8 {
    uint8_t len;
    uint8_t alloc;
    uint8_t kind;
    char buf[];
};
struct __attribute__((packed)) str_hdr32 {
    uint32_t len;
    uint32_t alloc;
    uint8_t kind;
    char buf[];
};
struct __attribute__((packed)) str_hdr64 {
    uint64_t len;
    uint64_t alloc;
    uint8_t kind;
    char buf[];
};

static inline size_t str_len(const char *s)
{
    switch ((uint8_t)s[-1]) {
    case STR_K8:
        return ((const struct str_hdr8 *)(s - sizeof(struct str_hdr8)))->len;
    case STR_K32:
        return ((const struct str_hdr32 *)(s - sizeof(struct str_hdr32)))->len;
    default:
        return ((const struct str_hdr64 *)(s - sizeof(struct str_hdr64)))->len;
    }
}

/* Bytes that can be appended without reallocating. */
size_t str_avail(const char *s);

/* New string holding a copy of len bytes at p (p may be NULL: zero bytes).
 * Never returns NULL (aborts on out of memory). The caller owns it. */
str str_new(const void *p, size_t len);
str str_from_cstr(const char *cstr);
str str_empty(void);
str str_dup(const char *s);
void str_free(str s);

/* Initialise a str in caller-provided memory of at least str_hdr_size(len)
 * + len + 1 bytes (used for strings embedded in another allocation). The
 * result can't grow and must not be passed to str_free. */
size_t str_embed_size(size_t len);
str str_embed(void *mem, const void *p, size_t len);

/* Functions that may grow a string return the new pointer: the passed str is
 * no longer valid afterwards. */
str str_make_room(str s, size_t addlen);
str str_cat(str s, const void *p, size_t len);
str str_cat_cstr(str s, const char *cstr);
str str_catfmt(str s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
str str_catvfmt(str s, const char *fmt, va_list ap);
/* Grow to len bytes, zero-filling new space (no-op if already longer). */
str str_grow_zero(str s, size_t len);
/* Release unused capacity. */
str str_trim_alloc(str s);

/* In-place edits; they never reallocate. */
void str_set_len(str s, size_t len);
void str_incr_len(str s, ssize_t incr);
void str_clear(str s);
/* Keep [start, end] inclusive, negative indices count from the end. */
void str_range(str s, ssize_t start, ssize_t end);
/* Drop the first n bytes. */
void str_consume(str s, size_t n);
void str_tolower(str s);

/* Total bytes of the allocation behind s (header included). */
size_t str_alloc_size(const char *s);

#endif
