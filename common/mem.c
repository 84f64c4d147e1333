/* mem: allocation wrappers over jemalloc (or the libc allocator in
 * sanitizer builds, where ASan must own malloc). */
#include "mem.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef USE_JEMALLOC
#include <jemalloc/jemalloc.h>
static uint64_t *thread_allocated;
static uint64_t *thread_deallocated;
#endif

static void oom(size_t size)
{
    fprintf(stderr, "shoal: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

void *mem_alloc(size_t size)
{
    void *p = malloc(size == 0 ? 1 : size);

    if (p == NULL) {
        oom(size);
    }
    return p;
}

void *mem_calloc(size_t size)
{
    void *p = calloc(1, size == 0 ? 1 : size);

    if (p == NULL) {
        oom(size);
    }
    return p;
}

void *mem_realloc(void *p, size_t size)
{
    void *n = realloc(p, size == 0 ? 1 : size);

    if (n == NULL) {
        oom(size);
    }
    return n;
}

void mem_free(void *p)
{
    free(p);
}

void *mem_try_alloc(size_t size)
{
    return malloc(size == 0 ? 1 : size);
}

size_t mem_usable(void *p)
{
    return malloc_usable_size(p);
}

char *mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mem_alloc(n);

    memcpy(d, s, n);
    return d;
}

void mem_setup(void)
{
#ifdef USE_JEMALLOC
    size_t sz = sizeof(thread_allocated);
    if (mallctl("thread.allocatedp", &thread_allocated, &sz, NULL, 0) != 0) {
        thread_allocated = NULL;
    }
    sz = sizeof(thread_deallocated);
    if (mallctl("thread.deallocatedp", &thread_deallocated, &sz, NULL, 0) !=
        0) {
        thread_deallocated = NULL;
    }
#endif
}

size_t mem_used(void)
{
#ifdef USE_JEMALLOC
    if (thread_allocated != NULL && thread_deallocated != NULL) {
        return (size_t)(*thread_allocated - *thread_deallocated);
    }
    size_t a, b, c;
    mem_allocator_stats(&a, &b, &c);
    return a;
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

size_t mem_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;

    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) {
        resident = 0;
    }
    fclose(f);
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

void mem_allocator_stats(size_t *allocated, size_t *active, size_t *resident)
{
    *allocated = *active = *resident = 0;
#ifdef USE_JEMALLOC
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    sz = sizeof(size_t);
    mallctl("stats.allocated", allocated, &sz, NULL, 0);
    sz = sizeof(size_t);
    mallctl("stats.active", active, &sz, NULL, 0);
    sz = sizeof(size_t);
    mallctl("stats.resident", resident, &sz, NULL, 0);
#endif
}

const char *mem_allocator_name(void)
{
#ifdef USE_JEMALLOC
    return "jemalloc-5.3.0";
#else
    return "libc";
#endif
}
