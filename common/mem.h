/* mem: the allocator seam. Everything allocates through these so memory
 * accounting (INFO memory, later maxmemory) has one source. */
#ifndef SHOAL_MEM_H
#define SHOAL_MEM_H

#include <stddef.h>

/* Never return NULL: out of memory logs and aborts, as Redis does. */
void *mem_alloc(size_t size);
void *mem_calloc(size_t size);
void *mem_realloc(void *p, size_t size);
void mem_free(void *p);
/* Like mem_alloc but returns NULL when memory is short: for big transient
 * buffers whose failure becomes an error reply (LCS's table). */
void *mem_try_alloc(size_t size);
size_t mem_usable(void *p);
char *mem_strdup(const char *s);

/* Call once per process (and again in a forked child). */
void mem_setup(void);
/* Bytes currently allocated by this thread (the shard is one thread). */
size_t mem_used(void);
/* Resident set size of the process, from /proc/self/statm. */
size_t mem_rss(void);
/* Allocator stats for INFO: allocated, active, resident (0 if unknown). */
void mem_allocator_stats(size_t *allocated, size_t *active, size_t *resident);
const char *mem_allocator_name(void);

#endif
