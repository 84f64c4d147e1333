/* Chained hash table over power-of-two bucket arrays. Resizing allocates a
 * second table and moves buckets a few at a time on later operations, so no
 * single command pays for rehashing a large keyspace. */
#include "dict.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "siphash.h"

#define DICT_MIN_SIZE 4         /* smallest bucket array */
#define DICT_FORCE_RATIO 5      /* load beyond which AVOID still grows */
#define DICT_MIN_FILL 8         /* shrink when used < size / DICT_MIN_FILL */
#define DICT_EMPTY_VISITS 10    /* empty buckets skipped per rehash step */
#define DICT_SAMPLE_EMPTY_RUN 5 /* empty buckets before sample jumps away */

static uint8_t dict_seed[16];
static int dict_resize_policy = DICT_RESIZE_ENABLE;

void dict_set_hash_seed(const uint8_t seed[16])
{
    memcpy(dict_seed, seed, sizeof(dict_seed));
}

uint64_t dict_hash(const void *key, size_t len)
{
    return siphash_1_2(key, len, dict_seed);
}

void dict_set_resize_policy(int policy)
{
    dict_resize_policy = policy;
}

/* xorshift64*: a private stream per dict keeps sampling free of globals. */
static uint64_t dict_rand(dict *d)
{
    d->rng ^= d->rng >> 12;
    d->rng ^= d->rng << 25;
    d->rng ^= d->rng >> 27;
    return d->rng * UINT64_C(0x2545f4914f6cdd1d);
}

static size_t entry_alloc_size(size_t klen)
{
    return offsetof(dict_entry, key) + klen + 1;
}

static bool key_equal(const dict_entry *de, const void *key, size_t klen)
{
    /* klen 0 is checked apart: key may then be NULL, invalid for memcmp. */
    return de->klen == klen && (klen == 0 || memcmp(de->key, key, klen) == 0);
}

static void entry_free(dict *d, dict_entry *de)
{
    if (d->type != NULL && d->type->val_free != NULL && de->v.ptr != NULL) {
        d->type->val_free(de->v.ptr);
    }
    mem_free(de);
}

dict *dict_create(const dict_type *type)
{
    dict *d = mem_calloc((1) * sizeof(*d));

    d->type = type;
    d->rng = dict_hash(&d, sizeof(d)) | 1; /* xorshift state must be != 0 */
    return d;
}

int dict_is_rehashing(const dict *d)
{
    return d->table[1] != NULL;
}

size_t dict_size(const dict *d)
{
    return d->used[0] + d->used[1];
}

size_t dict_buckets(const dict *d)
{
    return d->size[0] + d->size[1];
}

size_t dict_mem_usage(const dict *d)
{
    return sizeof(*d) + dict_buckets(d) * sizeof(dict_entry *) + d->entry_bytes;
}

static void table_free_entries(dict *d, int t)
{
    for (size_t i = 0; i < d->size[t]; i++) {
        dict_entry *de = d->table[t][i];

        while (de != NULL) {
            dict_entry *next = de->next;

            entry_free(d, de);
            de = next;
        }
    }
    mem_free(d->table[t]);
    d->table[t] = NULL;
    d->size[t] = 0;
    d->used[t] = 0;
}

void dict_clear(dict *d)
{
    table_free_entries(d, 0);
    table_free_entries(d, 1);
    d->rehash_idx = 0;
    d->entry_bytes = 0;
}

void dict_destroy(dict **d)
{
    if (d == NULL || *d == NULL) {
        return;
    }
    dict_clear(*d);
    mem_free(*d);
    *d = NULL;
}

/* Moves up to n non-empty buckets of table[0] into table[1]; returns true
 * while entries remain in table[0]. Ignores pausing: callers check it. */
static bool rehash(dict *d, int n)
{
    size_t empty_visits = (size_t)n * DICT_EMPTY_VISITS;
    size_t mask1 = d->size[1] - 1;

    if (!dict_is_rehashing(d)) {
        return false;
    }
    while (n-- > 0 && d->used[0] != 0) {
        dict_entry *de;

        /* used[0] != 0 guarantees a non-empty bucket at or after idx. */
        while (d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0) {
                return true;
            }
        }
        de = d->table[0][d->rehash_idx];
        while (de != NULL) {
            dict_entry *next = de->next;
            size_t idx = dict_hash(de->key, de->klen) & mask1;

            de->next = d->table[1][idx];
            d->table[1][idx] = de;
            d->used[0]--;
            d->used[1]++;
            de = next;
        }
        d->table[0][d->rehash_idx++] = NULL;
    }
    if (d->used[0] != 0) {
        return true;
    }
    mem_free(d->table[0]);
    d->table[0] = d->table[1];
    d->size[0] = d->size[1];
    d->used[0] = d->used[1];
    d->table[1] = NULL;
    d->size[1] = 0;
    d->used[1] = 0;
    d->rehash_idx = 0;
    return false;
}

/* The one bucket move every lookup and update pays while rehashing. */
static void rehash_step_if_allowed(dict *d, int n)
{
    if (d->pause_rehash == 0 && dict_is_rehashing(d)) {
        rehash(d, n);
    }
}

int dict_rehash_step(dict *d, int n)
{
    if (d->pause_rehash > 0) {
        return dict_is_rehashing(d);
    }
    return rehash(d, n);
}

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int dict_rehash_ms(dict *d, int ms)
{
    uint64_t start = now_us();
    int moves = 0;

    if (d->pause_rehash > 0) {
        return 0;
    }
    while (rehash(d, 100)) {
        moves += 100;
        if (now_us() - start >= (uint64_t)ms * 1000) {
            break;
        }
    }
    return moves;
}

/* Smallest power of two >= n and >= DICT_MIN_SIZE, or 0 on overflow. */
static size_t table_size_for(size_t n)
{
    size_t size = DICT_MIN_SIZE;

    if (n > SIZE_MAX / 2 / sizeof(dict_entry *)) {
        return 0;
    }
    while (size < n) {
        size <<= 1;
    }
    return size;
}

/* Installs a table of new_size buckets: directly when no entry would have
 * to move, else as table[1] to be filled by incremental rehashing. */
static int resize(dict *d, size_t new_size)
{
    size_t size = table_size_for(new_size);
    dict_entry **table;

    if (dict_is_rehashing(d) || size == 0 || size == d->size[0] ||
        size < d->used[0]) {
        return -1;
    }
    table = mem_calloc((size) * sizeof(*table));
    /* An empty table may be swapped at once, unless an iterator holds a
     * bucket index into it. */
    if (d->table[0] == NULL || (d->used[0] == 0 && d->pause_rehash == 0)) {
        mem_free(d->table[0]);
        d->table[0] = table;
        d->size[0] = size;
        return 0;
    }
    d->table[1] = table;
    d->size[1] = size;
    d->rehash_idx = 0;
    return 0;
}

int dict_expand(dict *d, size_t size)
{
    if (size < dict_size(d)) {
        return -1;
    }
    return resize(d, size);
}

static void grow_if_needed(dict *d)
{
    size_t used = d->used[0];
    size_t size = d->size[0];

    if (dict_is_rehashing(d)) {
        return;
    }
    if (size == 0) {
        resize(d, DICT_MIN_SIZE);
        return;
    }
    if ((dict_resize_policy == DICT_RESIZE_ENABLE && used >= size) ||
        used / size > DICT_FORCE_RATIO) {
        resize(d, used + 1);
    }
}

static void shrink_if_needed(dict *d)
{
    size_t used = d->used[0];
    size_t size = d->size[0];
    size_t ratio = DICT_MIN_FILL;

    if (dict_is_rehashing(d) || size <= DICT_MIN_SIZE) {
        return;
    }
    if (dict_resize_policy != DICT_RESIZE_ENABLE) {
        ratio *= DICT_FORCE_RATIO;
    }
    if (used * ratio < size) {
        resize(d, used);
    }
}

/* Finds the link (bucket head or some entry's next field) that points at
 * the entry for key, or NULL; *table_out, if non-NULL, gets its table.
 * Buckets of table[0] below rehash_idx are known empty and skipped. */
static dict_entry **find_link(dict *d, uint64_t h, const void *key, size_t klen,
                              int *table_out)
{
    for (int t = 0; t < 2; t++) {
        size_t idx = h & (d->size[t] - 1);
        dict_entry **link;

        if (d->size[t] == 0 || (t == 0 && idx < d->rehash_idx)) {
            continue;
        }
        for (link = &d->table[t][idx]; *link != NULL; link = &(*link)->next) {
            if (key_equal(*link, key, klen)) {
                if (table_out != NULL) {
                    *table_out = t;
                }
                return link;
            }
        }
    }
    return NULL;
}

dict_entry *dict_find(dict *d, const void *key, size_t klen)
{
    dict_entry **link;

    if (dict_size(d) == 0) {
        return NULL;
    }
    rehash_step_if_allowed(d, 1);
    link = find_link(d, dict_hash(key, klen), key, klen, NULL);
    return link != NULL ? *link : NULL;
}

dict_entry *dict_add_or_find(dict *d, const void *key, size_t klen,
                             int *existed)
{
    uint64_t h = dict_hash(key, klen);
    dict_entry **link;
    dict_entry *de;
    int t;
    size_t idx;

    if (klen >= UINT32_MAX) {
        abort();
    }
    rehash_step_if_allowed(d, 1);
    link = find_link(d, h, key, klen, NULL);
    if (existed != NULL) {
        *existed = link != NULL;
    }
    if (link != NULL) {
        return *link;
    }
    grow_if_needed(d);
    t = dict_is_rehashing(d) ? 1 : 0;
    idx = h & (d->size[t] - 1);
    de = mem_alloc(entry_alloc_size(klen));
    de->v.u64 = 0;
    de->klen = (uint32_t)klen;
    if (klen > 0) {
        memcpy(de->key, key, klen);
    }
    de->key[klen] = '\0';
    de->next = d->table[t][idx];
    d->table[t][idx] = de;
    d->used[t]++;
    d->entry_bytes += entry_alloc_size(klen);
    return de;
}

dict_entry *dict_add(dict *d, const void *key, size_t klen)
{
    int existed;
    dict_entry *de = dict_add_or_find(d, key, klen, &existed);

    return existed ? NULL : de;
}

dict_entry *dict_unlink(dict *d, const void *key, size_t klen)
{
    dict_entry **link;
    dict_entry *de;
    int t = 0;

    if (dict_size(d) == 0) {
        return NULL;
    }
    rehash_step_if_allowed(d, 1);
    link = find_link(d, dict_hash(key, klen), key, klen, &t);
    if (link == NULL) {
        return NULL;
    }
    de = *link;
    *link = de->next;
    de->next = NULL;
    d->used[t]--;
    d->entry_bytes -= entry_alloc_size(de->klen);
    shrink_if_needed(d);
    return de;
}

void dict_free_entry(dict *d, dict_entry *de)
{
    entry_free(d, de);
}

int dict_delete(dict *d, const void *key, size_t klen)
{
    dict_entry *de = dict_unlink(d, key, klen);

    if (de == NULL) {
        return -1;
    }
    entry_free(d, de);
    return 0;
}

/* Returns the n-th entry of a chain known to be longer than n. */
static dict_entry *chain_nth(dict_entry *de, size_t n)
{
    while (n-- > 0) {
        de = de->next;
    }
    return de;
}

dict_entry *dict_random(dict *d)
{
    dict_entry *head;
    size_t len = 0;

    if (dict_size(d) == 0) {
        return NULL;
    }
    rehash_step_if_allowed(d, 1);
    if (dict_is_rehashing(d)) {
        /* Buckets below rehash_idx in table[0] are empty: draw from the
         * rest of table[0] followed by all of table[1]. */
        size_t span = d->size[0] + d->size[1] - d->rehash_idx;

        do {
            size_t i = d->rehash_idx + dict_rand(d) % span;

            head =
                i < d->size[0] ? d->table[0][i] : d->table[1][i - d->size[0]];
        } while (head == NULL);
    } else {
        do {
            head = d->table[0][dict_rand(d) & (d->size[0] - 1)];
        } while (head == NULL);
    }
    for (dict_entry *de = head; de != NULL; de = de->next) {
        len++;
    }
    return chain_nth(head, dict_rand(d) % len);
}

unsigned dict_sample(dict *d, dict_entry **out, unsigned count)
{
    size_t mask, i, empty_run = 0;
    size_t max_steps;
    unsigned stored = 0;
    int tables;

    if (count > dict_size(d)) {
        count = (unsigned)dict_size(d);
    }
    if (count == 0) {
        return 0;
    }
    rehash_step_if_allowed(d, (int)(count < 1000 ? count : 1000));
    tables = dict_is_rehashing(d) ? 2 : 1;
    mask = d->size[0] - 1;
    if (tables == 2 && d->size[1] > d->size[0]) {
        mask = d->size[1] - 1;
    }
    max_steps = (size_t)count * 10;
    i = dict_rand(d) & mask;
    while (stored < count && max_steps-- > 0) {
        for (int t = 0; t < tables; t++) {
            dict_entry *de;

            if (tables == 2 && t == 0 && i < d->rehash_idx) {
                /* Already moved. When the new table is the smaller one,
                 * i may be out of its range too: jump to unmoved buckets. */
                if (i >= d->size[1]) {
                    i = d->rehash_idx;
                } else {
                    continue;
                }
            }
            if (i >= d->size[t]) {
                continue;
            }
            de = d->table[t][i];
            if (de == NULL) {
                /* A long run of empty buckets: try elsewhere. */
                if (++empty_run >= DICT_SAMPLE_EMPTY_RUN && empty_run > count) {
                    i = dict_rand(d) & mask;
                    empty_run = 0;
                }
                continue;
            }
            empty_run = 0;
            for (; de != NULL && stored < count; de = de->next) {
                out[stored++] = de;
            }
            if (stored == count) {
                return stored;
            }
        }
        i = (i + 1) & mask;
    }
    return stored;
}

/* Reverses the bits of a 64-bit word by swapping ever larger groups. */
static uint64_t rev64(uint64_t v)
{
    v = ((v >> 1) & UINT64_C(0x5555555555555555)) |
        ((v & UINT64_C(0x5555555555555555)) << 1);
    v = ((v >> 2) & UINT64_C(0x3333333333333333)) |
        ((v & UINT64_C(0x3333333333333333)) << 2);
    v = ((v >> 4) & UINT64_C(0x0f0f0f0f0f0f0f0f)) |
        ((v & UINT64_C(0x0f0f0f0f0f0f0f0f)) << 4);
    return __builtin_bswap64(v);
}

/* Increments the cursor's unmasked high bits in reverse order: the next
 * cursor is the next bucket in an order where a bucket of a table of size
 * 2^k is visited just before all of its 2^(j-k) images in a table of 2^j,
 * which is why resizes between calls cannot make us skip entries. */
static uint64_t cursor_next(uint64_t v, uint64_t mask)
{
    v |= ~mask;
    v = rev64(v);
    v++;
    return rev64(v);
}

static void scan_bucket(dict_entry *de,
                        void (*fn)(void *priv, const dict_entry *de),
                        void *priv)
{
    while (de != NULL) {
        dict_entry *next = de->next;

        fn(priv, de);
        de = next;
    }
}

uint64_t dict_scan(dict *d, uint64_t cursor,
                   void (*fn)(void *priv, const dict_entry *de), void *priv)
{
    uint64_t v = cursor;

    if (dict_size(d) == 0) {
        return 0;
    }
    d->pause_rehash++;
    if (!dict_is_rehashing(d)) {
        uint64_t m0 = d->size[0] - 1;

        scan_bucket(d->table[0][v & m0], fn, priv);
        v = cursor_next(v, m0);
    } else {
        /* Visit the cursor's bucket in the small table, then every bucket
         * of the large table that it expands to. */
        int small = d->size[0] <= d->size[1] ? 0 : 1;
        int large = 1 - small;
        uint64_t m0 = d->size[small] - 1;
        uint64_t m1 = d->size[large] - 1;

        scan_bucket(d->table[small][v & m0], fn, priv);
        do {
            scan_bucket(d->table[large][v & m1], fn, priv);
            v = cursor_next(v, m1);
        } while (v & (m0 ^ m1));
    }
    d->pause_rehash--;
    return v;
}

void dict_iter_init(dict_iter *it, dict *d)
{
    it->d = d;
    it->next = NULL;
    it->index = 0;
    it->table = 0;
    d->pause_rehash++;
}

dict_entry *dict_iter_next(dict_iter *it)
{
    dict *d = it->d;
    dict_entry *de;

    while (it->next == NULL) {
        if (it->table > 1) {
            return NULL;
        }
        if (it->index >= d->size[it->table]) {
            /* Rehashing may have started since init; then table[1]
             * holds entries added meanwhile. */
            it->table = it->table == 0 && dict_is_rehashing(d) ? 1 : 2;
            it->index = 0;
            continue;
        }
        it->next = d->table[it->table][it->index++];
    }
    /* Remember the successor now so the caller may free de. */
    de = it->next;
    it->next = de->next;
    return de;
}

void dict_iter_deinit(dict_iter *it)
{
    it->d->pause_rehash--;
}
