/* Unit tests for shard/stream_tree.c and shard/stream.c: the ID-keyed
 * B+tree against a sorted-array model, stream nodes against golden bytes
 * captured from redis-server 7.0 (tests/unit/capture_stream.py), ranges
 * in both directions against a model, and deep copies with groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The modules under test are in shard/, outside the unit link line. */
#include "stream.c"
#include "stream_tree.c"

#include "vectors_stream.h"

/* xorshift64*: deterministic, so a failure replays the same way. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static stream_id mkid(uint64_t ms, uint64_t seq)
{
    stream_id id = {ms, seq};
    return id;
}

/* ---- the tree against a sorted array ---- */

typedef struct model {
    stream_id *k;
    size_t n, cap;
} model;

static size_t model_lower(const model *m, const stream_id *id, int strict)
{
    size_t i = 0;

    while (i < m->n) {
        int c = stream_id_cmp(&m->k[i], id);
        if (c > 0 || (c == 0 && !strict)) {
            break;
        }
        i++;
    }
    return i;
}

static int model_insert(model *m, const stream_id *id)
{
    size_t i = model_lower(m, id, 0);

    if (i < m->n && stream_id_cmp(&m->k[i], id) == 0) {
        return -1;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->k = realloc(m->k, m->cap * sizeof(stream_id));
    }
    memmove(&m->k[i + 1], &m->k[i], (m->n - i) * sizeof(stream_id));
    m->k[i] = *id;
    m->n++;
    return 0;
}

static int model_remove(model *m, const stream_id *id)
{
    size_t i = model_lower(m, id, 0);

    if (i >= m->n || stream_id_cmp(&m->k[i], id) != 0) {
        return -1;
    }
    memmove(&m->k[i], &m->k[i + 1], (m->n - i - 1) * sizeof(stream_id));
    m->n--;
    return 0;
}

/* Values are the key's ms + 1, so they are never NULL. */
static void *val_of(const stream_id *id)
{
    return (void *)(uintptr_t)(id->ms * 4 + id->seq + 1);
}

static void check_tree(const stree *t, const model *m)
{
    stree_iter it;
    size_t i = 0;

    assert_int_equal(stree_size(t), m->n);
    for (int ok = stree_first(t, &it); ok; ok = stree_next(&it), i++) {
        assert_true(i < m->n);
        assert_int_equal(stream_id_cmp(stree_iter_key(&it), &m->k[i]), 0);
        assert_ptr_equal(stree_iter_val(&it), val_of(&m->k[i]));
    }
    assert_int_equal(i, m->n);
    for (int ok = stree_last(t, &it); ok; ok = stree_prev(&it)) {
        i--;
        assert_int_equal(stream_id_cmp(stree_iter_key(&it), &m->k[i]), 0);
    }
    assert_int_equal(i, 0);
}

static void check_seeks(const stree *t, const model *m, const stream_id *id)
{
    stree_iter it;

    for (int strict = 0; strict <= 1; strict++) {
        size_t i = model_lower(m, id, strict);
        int ok = stree_seek_ge(t, id, strict, &it);
        assert_int_equal(ok, i < m->n);
        if (ok) {
            assert_int_equal(stream_id_cmp(stree_iter_key(&it), &m->k[i]), 0);
        }
        /* Last key <= id (< id when strict). */
        size_t j = model_lower(m, id, !strict);
        ok = stree_seek_le(t, id, strict, &it);
        assert_int_equal(ok, j > 0);
        if (ok) {
            assert_int_equal(stream_id_cmp(stree_iter_key(&it), &m->k[j - 1]),
                             0);
        }
    }
    void *v = stree_find(t, id);
    size_t i = model_lower(m, id, 0);
    int present = i < m->n && stream_id_cmp(&m->k[i], id) == 0;
    assert_ptr_equal(v, present ? val_of(id) : NULL);
}

static void tree_random_run(uint64_t keyspace, int ops, int check_every)
{
    stree *t = stree_create();
    model m = {0};

    for (int op = 0; op < ops; op++) {
        stream_id id = mkid(rnd() % keyspace, rnd() % 3);
        uint64_t r = rnd() % 100;
        if (r < 55) {
            int rc = stree_insert(t, &id, val_of(&id));
            assert_int_equal(rc, model_insert(&m, &id));
        } else if (r < 95) {
            void *v = stree_remove(t, &id);
            int rc = model_remove(&m, &id);
            assert_ptr_equal(v, rc == 0 ? val_of(&id) : NULL);
        } else {
            check_seeks(t, &m, &id);
        }
        if (op % check_every == 0) {
            check_tree(t, &m);
        }
    }
    check_tree(t, &m);
    for (uint64_t k = 0; k <= keyspace; k += keyspace / 50 + 1) {
        stream_id id = mkid(k, 1);
        check_seeks(t, &m, &id);
    }
    /* Empty it in random order, then it must be empty and reusable. */
    while (m.n > 0) {
        stream_id id = m.k[rnd() % m.n];
        assert_ptr_equal(stree_remove(t, &id), val_of(&id));
        model_remove(&m, &id);
        if (m.n % 97 == 0) {
            check_tree(t, &m);
        }
    }
    check_tree(t, &m);
    assert_int_equal(stree_mem_usage(t), stree_mem_usage(t)); /* sane */
    stream_id id = mkid(1, 1);
    assert_int_equal(stree_insert(t, &id, val_of(&id)), 0);
    stree_destroy(&t, NULL);
    assert_null(t);
    free(m.k);
}

static void test_tree_small_random(void **state)
{
    (void)state;
    tree_random_run(40, 20000, 1);
}

static void test_tree_large_random(void **state)
{
    (void)state;
    tree_random_run(20000, 200000, 5000);
}

/* Streams append at the right edge and trim at the left: the tree must
 * stay compact (full leaves) and keep working as the head goes away. */
static void test_tree_append_and_trim(void **state)
{
    stree *t = stree_create();
    stree_iter it;
    const uint64_t n = 100000;

    (void)state;
    for (uint64_t i = 0; i < n; i++) {
        stream_id id = mkid(i, 0);
        assert_int_equal(stree_insert(t, &id, val_of(&id)), 0);
        assert_true(stree_last(t, &it));
        assert_int_equal(stree_iter_key(&it)->ms, i);
    }
    /* 24 bytes an item; full leaves keep the overhead small. */
    assert_true(stree_mem_usage(t) < n * 27);
    for (uint64_t i = 0; i < n - 10; i++) {
        assert_true(stree_first(t, &it));
        stream_id id = *stree_iter_key(&it);
        assert_int_equal(id.ms, i);
        assert_ptr_equal(stree_remove(t, &id), val_of(&id));
    }
    assert_int_equal(stree_size(t), 10);
    assert_true(stree_mem_usage(t) < 4096);
    stree_destroy(&t, NULL);
}

/* ---- golden nodes from redis-server ---- */

static stream *replay(const sv_case *c)
{
    stream *s = stream_create();
    long long max_bytes = 4096, max_entries = 100;

    for (int i = 0; i < c->nops; i++) {
        const sv_op *op = &c->ops[i];
        stream_id id = mkid(op->ms, op->seq);
        switch (op->kind) {
        case SV_CFG:
            max_bytes = op->a;
            max_entries = op->b;
            break;
        case SV_ADD: {
            stream_bytes fv[64];
            assert_true(op->nfv <= 64);
            for (int j = 0; j < op->nfv; j++) {
                fv[j].p = op->fv[j].p;
                fv[j].n = op->fv[j].n;
            }
            assert_true(stream_id_cmp(&id, &s->last_id) > 0);
            stream_append(s, &id, fv, (size_t)op->nfv / 2, max_bytes,
                          max_entries);
            break;
        }
        case SV_DEL: stream_delete(s, &id); break;
        case SV_TRIM:
            stream_trim(s, (int)(op->a & 0xF), op->b, &id, (op->a & 0x20) != 0,
                        op->c);
            break;
        default: fail();
        }
    }
    return s;
}

static void test_golden_nodes(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < sizeof(sv_cases) / sizeof(sv_cases[0]); ci++) {
        const sv_case *c = &sv_cases[ci];
        stream *s = replay(c);
        stree_iter it;
        int i = 0;

        print_message("stream case %s: %d nodes\n", c->name, c->nnodes);
        for (int ok = stree_first(s->nodes, &it); ok;
             ok = stree_next(&it), i++) {
            unsigned char key[16];
            const unsigned char *lp = stree_iter_val(&it);
            assert_true(i < c->nnodes);
            encode_id(key, stree_iter_key(&it));
            assert_memory_equal(key, c->nodes[i].key, 16);
            assert_int_equal(lp_bytes(lp), c->nodes[i].len);
            assert_memory_equal(lp, c->nodes[i].lp, c->nodes[i].len);
        }
        assert_int_equal(i, c->nnodes);
        assert_int_equal(s->length, c->length);
        assert_int_equal(s->entries_added, c->added);
        assert_int_equal(s->last_id.ms, c->last[0]);
        assert_int_equal(s->last_id.seq, c->last[1]);
        assert_int_equal(s->first_id.ms, c->first[0]);
        assert_int_equal(s->first_id.seq, c->first[1]);
        assert_int_equal(s->max_deleted_id.ms, c->maxdel[0]);
        assert_int_equal(s->max_deleted_id.seq, c->maxdel[1]);
        assert_int_equal(stream_rax_nodes(s), c->rax_nodes);
        stream_destroy(&s);
    }
}

/* ---- ranges against a model ---- */

typedef struct entry_model {
    stream_id id;
    int nf;
    char f[3][8], v[3][24];
    int live;
} entry_model;

static void add_entry(stream *s, entry_model *e, const stream_id *id,
                      long long max_bytes, long long max_entries)
{
    stream_bytes fv[6];

    e->id = *id;
    e->nf = 1 + (int)(rnd() % 3);
    e->live = 1;
    for (int j = 0; j < e->nf; j++) {
        /* Mostly the same fields, so that many entries are compressed. */
        snprintf(e->f[j], sizeof(e->f[j]), "%c", rnd() % 4 ? 'a' + j : 'x');
        snprintf(e->v[j], sizeof(e->v[j]), "%lld",
                 (long long)(rnd() % 100000) - 50000);
        if (rnd() % 3 == 0) {
            snprintf(e->v[j], sizeof(e->v[j]), "val%llu",
                     (unsigned long long)(rnd() % 1000));
        }
        fv[2 * j].p = e->f[j];
        fv[2 * j].n = strlen(e->f[j]);
        fv[2 * j + 1].p = e->v[j];
        fv[2 * j + 1].n = strlen(e->v[j]);
    }
    stream_append(s, id, fv, (size_t)e->nf, max_bytes, max_entries);
}

static void check_range(stream *s, const entry_model *es, int n,
                        const stream_id *start, const stream_id *end, int rev)
{
    stream_iter it;
    stream_id id;
    int64_t nf;
    int i = rev ? n - 1 : 0;

    stream_iter_start(&it, s, start, end, rev);
    while (stream_iter_next(&it, &id, &nf)) {
        /* The next live model entry inside [start, end]. */
        for (;; i += rev ? -1 : 1) {
            assert_true(i >= 0 && i < n);
            if (!es[i].live || stream_id_cmp(&es[i].id, start) < 0 ||
                stream_id_cmp(&es[i].id, end) > 0) {
                continue;
            }
            break;
        }
        assert_int_equal(stream_id_cmp(&id, &es[i].id), 0);
        assert_int_equal(nf, es[i].nf);
        for (int j = 0; j < nf; j++) {
            const unsigned char *f, *v;
            uint32_t fl, vl;
            stream_iter_field(&it, &f, &fl, &v, &vl);
            assert_int_equal(fl, strlen(es[i].f[j]));
            assert_memory_equal(f, es[i].f[j], fl);
            assert_int_equal(vl, strlen(es[i].v[j]));
            assert_memory_equal(v, es[i].v[j], vl);
        }
        i += rev ? -1 : 1;
    }
    for (; i >= 0 && i < n; i += rev ? -1 : 1) {
        assert_false(es[i].live && stream_id_cmp(&es[i].id, start) >= 0 &&
                     stream_id_cmp(&es[i].id, end) <= 0);
    }
}

static void test_ranges(void **state)
{
    const int n = 3000;
    entry_model *es = calloc((size_t)n, sizeof(*es));
    stream *s = stream_create();
    uint64_t ms = 1;
    int live = 0;

    (void)state;
    for (int i = 0; i < n; i++) {
        ms += rnd() % 3;
        stream_id id = mkid(ms, (uint64_t)i);
        add_entry(s, &es[i], &id, 200 + (long long)(rnd() % 400),
                  (long long)(rnd() % 8));
        live++;
    }
    for (int k = 0; k < n / 2; k++) {
        int i = (int)(rnd() % (uint64_t)n);
        int gone = stream_delete(s, &es[i].id);
        assert_int_equal(gone, es[i].live);
        live -= es[i].live;
        es[i].live = 0;
    }
    assert_int_equal(s->length, (uint64_t)live);
    /* Whole range, then random windows, both ways. */
    stream_id lo = mkid(0, 0), hi = mkid(UINT64_MAX, UINT64_MAX);
    check_range(s, es, n, &lo, &hi, 0);
    check_range(s, es, n, &lo, &hi, 1);
    for (int k = 0; k < 300; k++) {
        stream_id a = mkid(rnd() % (ms + 2), rnd() % (uint64_t)n);
        stream_id b = mkid(a.ms + rnd() % 50, rnd() % (uint64_t)n);
        check_range(s, es, n, &a, &b, (int)(rnd() % 2));
    }
    /* Removing through the iterator, every other entry, forwards. */
    stream_iter it;
    stream_id id;
    int64_t nf;
    int flip = 0;
    stream_iter_start(&it, s, NULL, NULL, 0);
    while (stream_iter_next(&it, &id, &nf)) {
        if (flip++ % 2 == 0) {
            stream_iter_remove(&it);
            for (int i = 0; i < n; i++) {
                if (stream_id_cmp(&es[i].id, &id) == 0) {
                    es[i].live = 0;
                }
            }
        }
    }
    check_range(s, es, n, &lo, &hi, 0);
    check_range(s, es, n, &lo, &hi, 1);
    /* And backwards, all of them: every node goes away. */
    stream_iter_start(&it, s, NULL, NULL, 1);
    while (stream_iter_next(&it, &id, &nf)) {
        stream_iter_remove(&it);
    }
    assert_int_equal(s->length, 0);
    assert_int_equal(stree_size(s->nodes), 0);
    stream_destroy(&s);
    free(es);
}

/* ---- trimming ---- */

static void test_trim_counts(void **state)
{
    stream *s = stream_create();
    stream_id none = {0, 0};

    (void)state;
    for (uint64_t i = 1; i <= 95; i++) {
        stream_id id = mkid(i, 0);
        stream_bytes fv[2] = {{"f", 1}, {"v", 1}};
        stream_append(s, &id, fv, 1, 0, 10);
    }
    assert_int_equal(stree_size(s->nodes), 10);
    /* ~ drops whole nodes only; LIMIT bounds it. */
    assert_int_equal(stream_trim(s, STREAM_TRIM_MAXLEN, 52, &none, 1, 0), 40);
    assert_int_equal(stream_trim(s, STREAM_TRIM_MAXLEN, 0, &none, 1, 15), 10);
    assert_int_equal(s->length, 45);
    assert_int_equal(s->first_id.ms, 51);
    /* Exact: into the head node. */
    assert_int_equal(stream_trim(s, STREAM_TRIM_MAXLEN, 43, &none, 0, 0), 2);
    assert_int_equal(s->first_id.ms, 53);
    stream_id minid = mkid(70, 0);
    assert_int_equal(stream_trim(s, STREAM_TRIM_MINID, 0, &minid, 0, 0), 17);
    assert_int_equal(s->first_id.ms, 70);
    assert_int_equal(stream_trim(s, STREAM_TRIM_MAXLEN, 0, &none, 0, 0), 26);
    assert_int_equal(s->first_id.ms, 0);
    assert_int_equal(stree_size(s->nodes), 0);
    assert_int_equal(s->entries_added, 95);
    stream_destroy(&s);
}

/* ---- groups, consumers, deep copies ---- */

static void test_groups_and_dup(void **state)
{
    stream *s = stream_create();
    stream_id zero = {0, 0};

    (void)state;
    for (uint64_t i = 1; i <= 50; i++) {
        stream_id id = mkid(i, 0);
        stream_bytes fv[2] = {{"f", 1}, {"v", 1}};
        stream_append(s, &id, fv, 1, 0, 7);
    }
    const char *names[] = {"b", "a", "ab", "", "zz"};
    for (int i = 0; i < 5; i++) {
        assert_non_null(
            stream_cg_create(s, names[i], strlen(names[i]), &zero, -1));
    }
    assert_null(stream_cg_create(s, "a", 1, &zero, 3));
    /* Name order: bytes, then shorter first. */
    const char *want[] = {"", "a", "ab", "b", "zz"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(s->groups[i]->namelen, strlen(want[i]));
        assert_memory_equal(s->groups[i]->name, want[i], strlen(want[i]));
    }
    stream_cg *cg = stream_cg_lookup(s, "a", 1);
    stream_consumer *c1 = stream_consumer_create(cg, "c1", 2, 1000);
    stream_consumer *c2 = stream_consumer_create(cg, "c2", 2, 2000);
    assert_null(stream_consumer_create(cg, "c1", 2, 5));
    for (uint64_t i = 1; i <= 40; i++) {
        stream_id id = mkid(i, 0);
        stream_consumer *owner = i % 3 ? c1 : c2;
        stream_nack *n = stream_nack_create(owner, (long long)i);
        assert_int_equal(stree_insert(cg->pel, &id, n), 0);
        assert_int_equal(stree_insert(owner->pel, &id, n), 0);
    }
    stream *d = stream_dup(s);
    assert_int_equal(d->length, s->length);
    assert_int_equal(d->ngroups, 5);
    assert_int_equal(stree_size(d->nodes), stree_size(s->nodes));
    stream_cg *dcg = stream_cg_lookup(d, "a", 1);
    assert_int_equal(stree_size(dcg->pel), 40);
    assert_int_equal(dcg->nconsumers, 2);
    stream_consumer *d1 = stream_consumer_lookup(dcg, "c1", 2);
    assert_int_equal(stree_size(d1->pel), stree_size(c1->pel));
    assert_int_equal(d1->seen_time, 1000);
    stree_iter it;
    for (int ok = stree_first(dcg->pel, &it); ok; ok = stree_next(&it)) {
        const stream_nack *n = stree_iter_val(&it);
        assert_true(n->consumer == d1 ||
                    n->consumer == stream_consumer_lookup(dcg, "c2", 2));
        assert_ptr_equal(stree_find(n->consumer->pel, stree_iter_key(&it)), n);
    }
    /* Independent: deleting from one leaves the other whole. */
    assert_int_equal(stream_consumer_delete(cg, "c1", 2), 27);
    assert_int_equal(stream_consumer_delete(cg, "c1", 2), -1);
    assert_int_equal(stree_size(cg->pel), 13);
    assert_int_equal(stree_size(dcg->pel), 40);
    assert_int_equal(stream_cg_destroy(s, "a", 1), 1);
    assert_int_equal(stream_cg_destroy(s, "a", 1), 0);
    stream_id id = mkid(7, 0);
    assert_int_equal(stream_delete(s, &id), 1);
    assert_true(stream_entry_exists(d, &id));
    assert_false(stream_entry_exists(s, &id));
    stream_destroy(&s);
    stream_destroy(&d);
    assert_null(d);
}

static void test_rax_nodes(void **state)
{
    stream *s = stream_create();
    stream_bytes fv[2] = {{"f", 1}, {"v", 1}};

    (void)state;
    assert_int_equal(stream_rax_nodes(s), 1);
    stream_id id = mkid(1, 1);
    stream_append(s, &id, fv, 1, 0, 1);
    assert_int_equal(stream_rax_nodes(s), 2);
    id = mkid(1, 2);
    stream_append(s, &id, fv, 1, 0, 1);
    /* 15 shared bytes, a fork, two leaves. */
    assert_int_equal(stream_rax_nodes(s), 4);
    id = mkid(1, 3);
    stream_append(s, &id, fv, 1, 0, 1);
    assert_int_equal(stream_rax_nodes(s), 5);
    id = mkid(2, 0);
    stream_append(s, &id, fv, 1, 0, 1);
    /* Fork at byte 7 (ms 1 / 2); under 1: run of 7, fork, three leaves;
     * under 2: run of 8, leaf. */
    assert_int_equal(stream_rax_nodes(s), 1 + 1 + (1 + 1 + 3) + (1 + 1));
    stream_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_small_random),
        cmocka_unit_test(test_tree_large_random),
        cmocka_unit_test(test_tree_append_and_trim),
        cmocka_unit_test(test_golden_nodes),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_trim_counts),
        cmocka_unit_test(test_groups_and_dup),
        cmocka_unit_test(test_rax_nodes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
