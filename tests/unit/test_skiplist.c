/* Unit tests for common/skiplist.c: 100k random operations against a
 * sorted-array model (insert, delete, update, rank, element by rank,
 * score and lex ranges, range deletes), structural invariants (spans,
 * backward links, levels), and the range parsers' Redis quirks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skiplist.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x13198A2E03707344ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

#define MAXMEM 12

typedef struct {
    double score;
    size_t len;
    char m[MAXMEM];
} elem;

typedef struct {
    elem *v;
    size_t n;
    size_t cap;
} model;

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;

    if (c) {
        return c;
    }
    return al < bl ? -1 : al > bl;
}

static int elem_cmp(const elem *a, double score, const char *m, size_t len)
{
    if (a->score < score) {
        return -1;
    }
    if (a->score > score) {
        return 1;
    }
    return bytes_cmp(a->m, a->len, m, len);
}

/* Index where (score, m) is or would go. */
static size_t model_pos(const model *md, double score, const char *m,
                        size_t len, int *found)
{
    size_t lo = 0;
    size_t hi = md->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (elem_cmp(&md->v[mid], score, m, len) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < md->n && elem_cmp(&md->v[lo], score, m, len) == 0;
    return lo;
}

/* Members are unique: find one by bytes (linear; the model is small). */
static long model_find_member(const model *md, const char *m, size_t len)
{
    for (size_t i = 0; i < md->n; i++) {
        if (md->v[i].len == len && memcmp(md->v[i].m, m, len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static void model_insert(model *md, double score, const char *m, size_t len)
{
    int found;
    size_t at = model_pos(md, score, m, len, &found);

    assert_false(found);
    if (md->n == md->cap) {
        md->cap = md->cap ? md->cap * 2 : 256;
        md->v = realloc(md->v, md->cap * sizeof(elem));
    }
    memmove(md->v + at + 1, md->v + at, (md->n - at) * sizeof(elem));
    md->v[at].score = score;
    md->v[at].len = len;
    memcpy(md->v[at].m, m, len);
    md->n++;
}

static void model_remove(model *md, size_t at)
{
    memmove(md->v + at, md->v + at + 1, (md->n - at - 1) * sizeof(elem));
    md->n--;
}

static void expect_node(const zsl_node *x, const elem *e)
{
    assert_non_null(x);
    assert_true(x->score == e->score || (isnan(x->score) && isnan(e->score)));
    assert_int_equal(str_len(x->ele), e->len);
    assert_memory_equal(x->ele, e->m, e->len);
    assert_int_equal(x->ele[e->len], '\0');
}

/* Small alphabets make prefixes, ties and NUL/0xff bytes common. */
static size_t random_member(char *m)
{
    static const char alpha[] = {'a', 'b', 'c', '\0', '\xff', 'B'};
    size_t len = rnd() % (MAXMEM + 1);

    if (rnd() % 4 == 0) {
        len = rnd() % 3;
    }
    for (size_t i = 0; i < len; i++) {
        m[i] = alpha[rnd() % sizeof(alpha)];
    }
    return len;
}

static double random_score(void)
{
    static const double pool[] = {
        -INFINITY, -1e300, -2.5, -1, 0, 0, 0, 1, 1, 2.5, 3, 1e300, INFINITY};
    if (rnd() % 3 == 0) {
        return (double)((int64_t)(rnd() % 2001) - 1000) / 8.0;
    }
    return pool[rnd() % (sizeof(pool) / sizeof(pool[0]))];
}

/* Spans, backward links, tail, length and level against level 0. */
static void check_structure(const zsl *z, const model *md)
{
    const zsl_node *x;
    unsigned long rank = 0;
    int maxh = 1;

    /* Level 0 order and backward links. */
    const zsl_node *prev = NULL;
    for (x = z->header->level[0].forward; x != NULL; x = x->level[0].forward) {
        assert_true(rank < md->n);
        expect_node(x, &md->v[rank]);
        assert_ptr_equal(x->backward, prev);
        if (x->level[0].forward != NULL) {
            assert_int_equal(x->level[0].span, 1);
        }
        assert_true(x->height >= 1 && x->height <= ZSL_MAXLEVEL);
        if (x->height > maxh) {
            maxh = x->height;
        }
        prev = x;
        rank++;
    }
    assert_int_equal(rank, md->n);
    assert_int_equal(z->length, md->n);
    assert_ptr_equal(z->tail, prev);
    assert_int_equal(z->level, maxh);
    for (int i = z->level; i < ZSL_MAXLEVEL; i++) {
        assert_null(z->header->level[i].forward);
    }
    /* Every link's span is the rank difference it jumps. */
    for (int i = 0; i < z->level; i++) {
        const zsl_node *p = z->header;
        unsigned long prank = 0;
        while (p->level[i].forward != NULL) {
            const zsl_node *q = p->level[i].forward;
            unsigned long qrank = prank + p->level[i].span;
            assert_true(q->height > i);
            assert_ptr_equal(zsl_get_by_rank(z, qrank), q);
            p = q;
            prank = qrank;
        }
    }
}

/* Model answers for score ranges, with Redis's empty-range test. */
static int m_gte(double v, const zsl_range *r)
{
    return r->minex ? v > r->min : v >= r->min;
}

static int m_lte(double v, const zsl_range *r)
{
    return r->maxex ? v < r->max : v <= r->max;
}

static long model_first_in_range(const model *md, const zsl_range *r)
{
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) {
        return -1;
    }
    for (size_t i = 0; i < md->n; i++) {
        if (m_gte(md->v[i].score, r)) {
            return m_lte(md->v[i].score, r) ? (long)i : -1;
        }
    }
    return -1;
}

static long model_last_in_range(const model *md, const zsl_range *r)
{
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) {
        return -1;
    }
    for (size_t i = md->n; i-- > 0;) {
        if (m_lte(md->v[i].score, r)) {
            return m_gte(md->v[i].score, r) ? (long)i : -1;
        }
    }
    return -1;
}

static void random_range(zsl_range *r)
{
    r->min = random_score();
    r->max = rnd() % 4 ? r->min + (double)(rnd() % 8) : random_score();
    r->minex = (int)(rnd() % 2);
    r->maxex = (int)(rnd() % 2);
}

typedef struct {
    model *md;
    unsigned long calls;
} del_ctx;

/* Range-delete callback: the node must be the model's next victim. */
static void on_delete(void *priv, zsl_node *n)
{
    del_ctx *c = priv;
    int found;
    size_t at = model_pos(c->md, n->score, n->ele, str_len(n->ele), &found);

    assert_true(found);
    model_remove(c->md, at);
    c->calls++;
}

/* ---- score-ordered random operations ------------------------------------ */

static void test_random_ops(void **state)
{
    zsl *z = zsl_create();
    model md = {0};
    char m[MAXMEM];
    size_t peak = 0;
    (void)state;

    for (int step = 0; step < 100000; step++) {
        uint64_t op = rnd() % 100;
        /* Keep the size oscillating between small and a few thousand. */
        int grow = (step / 20000) % 2 == 0;

        if (op < (grow ? 50u : 25u)) {
            size_t len = random_member(m);
            double score = random_score();
            if (model_find_member(&md, m, len) >= 0) {
                continue;
            }
            zsl_node *x = zsl_insert(z, score, m, len);
            assert_true(x->score == score);
            assert_int_equal(str_len(x->ele), len);
            assert_memory_equal(x->ele, m, len);
            model_insert(&md, score, m, len);
        } else if (op < 60) {
            if (md.n == 0 || (grow && op < 55)) {
                continue;
            }
            if (rnd() % 5 == 0) {
                /* Right member, wrong score: not found. */
                elem e = md.v[rnd() % md.n];
                assert_int_equal(zsl_delete(z, e.score + 0.5, e.m, e.len, NULL),
                                 e.score + 0.5 == e.score ? 0 : -1);
                if (e.score + 0.5 == e.score) {
                    int found;
                    model_remove(&md,
                                 model_pos(&md, e.score, e.m, e.len, &found));
                }
                continue;
            }
            size_t at = rnd() % md.n;
            elem e = md.v[at];
            zsl_node *out = NULL;
            if (rnd() % 2) {
                assert_int_equal(zsl_delete(z, e.score, e.m, e.len, &out), 0);
                expect_node(out, &e);
                zsl_free_node(out);
            } else {
                assert_int_equal(zsl_delete(z, e.score, e.m, e.len, NULL), 0);
            }
            model_remove(&md, at);
            assert_int_equal(zsl_delete(z, e.score, e.m, e.len, NULL), -1);
        } else if (op < 70) {
            if (md.n == 0) {
                continue;
            }
            size_t at = rnd() % md.n;
            elem e = md.v[at];
            double ns = rnd() % 3 == 0 ? e.score : random_score();
            unsigned long r0 = zsl_get_rank(z, e.score, e.m, e.len);
            assert_int_equal(r0, at + 1);
            zsl_node *before = zsl_get_by_rank(z, r0);
            zsl_node *after = zsl_update_score(z, e.score, e.m, e.len, ns);
            assert_ptr_equal(before, after);
            model_remove(&md, at);
            model_insert(&md, ns, e.m, e.len);
            assert_true(after->score == ns);
            assert_null(zsl_update_score(z, ns, "\x01nope", 5, 1));
        } else if (op < 80) {
            /* Rank of present and absent elements, element by rank. */
            if (md.n > 0) {
                size_t at = rnd() % md.n;
                elem *e = &md.v[at];
                assert_int_equal(zsl_get_rank(z, e->score, e->m, e->len),
                                 at + 1);
                expect_node(zsl_get_by_rank(z, at + 1), e);
            }
            size_t len = random_member(m);
            double score = random_score();
            int found;
            size_t pos = model_pos(&md, score, m, len, &found);
            assert_int_equal(zsl_get_rank(z, score, m, len),
                             found ? pos + 1 : 0);
            assert_null(zsl_get_by_rank(z, md.n + 1 + rnd() % 3));
            assert_null(zsl_get_by_rank(z, 0));
        } else if (op < 96) {
            zsl_range r;
            random_range(&r);
            long f = model_first_in_range(&md, &r);
            long l = model_last_in_range(&md, &r);
            zsl_node *zf = zsl_first_in_range(z, &r);
            zsl_node *zl = zsl_last_in_range(z, &r);
            if (f < 0) {
                assert_null(zf);
                assert_null(zl);
                assert_int_equal(l, -1);
            } else {
                expect_node(zf, &md.v[f]);
                expect_node(zl, &md.v[l]);
            }
            /* A quick overlap test: 0 rules out any match. */
            if (!zsl_is_in_range(z, &r)) {
                assert_true(f < 0);
            }
        } else if (op < 98) {
            /* Rare and narrow, so the list keeps growing (a range around
             * a popular score can still take a good share of it). */
            if (grow && rnd() % 8) {
                continue;
            }
            zsl_range r;
            random_range(&r);
            if (rnd() % 8) {
                r.max = r.min + (double)(rnd() % 3) / 8.0;
            }
            size_t before = md.n;
            del_ctx c = {&md, 0};
            unsigned long got = zsl_delete_range_by_score(z, &r, on_delete, &c);
            assert_int_equal(got, c.calls);
            assert_int_equal(md.n, before - got);
            /* Nothing left in the range. */
            for (size_t i = 0; i < md.n; i++) {
                assert_false(m_gte(md.v[i].score, &r) &&
                             m_lte(md.v[i].score, &r));
            }
        } else {
            if (md.n == 0 || (grow && rnd() % 4)) {
                continue;
            }
            unsigned long start = 1 + rnd() % md.n;
            unsigned long end = start + rnd() % 5;
            size_t before = md.n;
            unsigned long want = (end <= md.n ? end : md.n) - start + 1;
            /* Victims are ranks start..end, i.e. model [start-1, ...). */
            elem first = md.v[start - 1];
            del_ctx c = {&md, 0};
            unsigned long got =
                zsl_delete_range_by_rank(z, start, end, on_delete, &c);
            assert_int_equal(got, want);
            assert_int_equal(c.calls, want);
            assert_int_equal(md.n, before - want);
            assert_int_equal(zsl_get_rank(z, first.score, first.m, first.len),
                             0);
        }
        if (step % 1000 == 0) {
            check_structure(z, &md);
        }
        if (md.n > peak) {
            peak = md.n;
        }
    }
    check_structure(z, &md);
    printf("   peak size %zu, final %zu\n", peak, md.n);
    assert_true(peak > 2000);
    zsl_destroy(&z);
    assert_null(z);
    zsl_destroy(&z);
    free(md.v);
}

/* ---- lex ranges (all scores equal, as ZRANGEBYLEX requires) -------------- */

static void random_lex_bound(zsl_lex_bound *b, char *buf)
{
    uint64_t k = rnd() % 10;

    if (k == 0) {
        *b = (zsl_lex_bound){NULL, 0, ZSL_LEX_MIN, 1};
    } else if (k == 1) {
        *b = (zsl_lex_bound){NULL, 0, ZSL_LEX_MAX, 1};
    } else {
        size_t len = random_member(buf);
        *b = (zsl_lex_bound){buf, len, ZSL_LEX_STR, (int)(rnd() % 2)};
    }
}

/* Model comparison of a member with a bound (Redis's sdscmplex). */
static int m_lex_cmp(const elem *e, const zsl_lex_bound *b)
{
    if (b->kind == ZSL_LEX_MIN) {
        return 1;
    }
    if (b->kind == ZSL_LEX_MAX) {
        return -1;
    }
    return bytes_cmp(e->m, e->len, b->s, b->len);
}

static int m_in_lex(const elem *e, const zsl_lex_range *r)
{
    int a = m_lex_cmp(e, &r->min);
    int b = m_lex_cmp(e, &r->max);

    return (r->min.ex ? a > 0 : a >= 0) && (r->max.ex ? b < 0 : b <= 0);
}

static void test_lex_ranges(void **state)
{
    zsl *z = zsl_create();
    model md = {0};
    char m[MAXMEM];
    char b1[MAXMEM];
    char b2[MAXMEM];
    size_t peak = 0;
    (void)state;

    for (int step = 0; step < 40000; step++) {
        uint64_t op = rnd() % 100;

        if (op < 45) {
            size_t len = random_member(m);
            if (model_find_member(&md, m, len) < 0) {
                zsl_insert(z, 0, m, len);
                model_insert(&md, 0, m, len);
            }
        } else if (op < 60) {
            if (md.n > 0) {
                size_t at = rnd() % md.n;
                assert_int_equal(
                    zsl_delete(z, 0, md.v[at].m, md.v[at].len, NULL), 0);
                model_remove(&md, at);
            }
        } else {
            zsl_lex_range r;
            random_lex_bound(&r.min, b1);
            random_lex_bound(&r.max, b2);
            int empty = zsl_lex_range_empty(&r);
            long f = -1;
            long l = -1;
            if (!empty) {
                for (size_t i = 0; i < md.n; i++) {
                    if (m_in_lex(&md.v[i], &r)) {
                        if (f < 0) {
                            f = (long)i;
                        }
                        l = (long)i;
                    }
                }
            }
            /* The range test agrees with a direct bound comparison. */
            if (r.min.kind == ZSL_LEX_STR && r.max.kind == ZSL_LEX_STR) {
                int c = bytes_cmp(r.min.s, r.min.len, r.max.s, r.max.len);
                assert_int_equal(empty,
                                 c > 0 || (c == 0 && (r.min.ex || r.max.ex)));
            }
            zsl_node *zf = zsl_first_in_lex_range(z, &r);
            zsl_node *zl = zsl_last_in_lex_range(z, &r);
            if (f < 0) {
                assert_null(zf);
                assert_null(zl);
            } else {
                expect_node(zf, &md.v[f]);
                expect_node(zl, &md.v[l]);
            }
            if (!zsl_is_in_lex_range(z, &r)) {
                assert_true(f < 0);
            }
            if (op >= 97 && rnd() % 10 == 0) {
                size_t before = md.n;
                del_ctx c = {&md, 0};
                unsigned long got =
                    zsl_delete_range_by_lex(z, &r, on_delete, &c);
                assert_int_equal(got, c.calls);
                assert_int_equal(got, f < 0 ? 0 : (unsigned long)(l - f + 1));
                assert_int_equal(md.n, before - got);
            }
        }
        if (step % 1000 == 0) {
            check_structure(z, &md);
        }
        if (md.n > peak) {
            peak = md.n;
        }
    }
    check_structure(z, &md);
    printf("   peak size %zu, final %zu\n", peak, md.n);
    assert_true(peak > 200);
    zsl_destroy(&z);
    free(md.v);
}

/* ---- parsers ------------------------------------------------------------- */

static void test_parse_range(void **state)
{
    /* Each checked against redis-server 7.0's ZRANGEBYSCORE. */
    static const struct {
        const char *s;
        size_t len;
        int ok;
        double v;
        int ex;
    } cases[] = {
        {"1", 1, 1, 1, 0},
        {"(1.5", 4, 1, 1.5, 1},
        {"", 0, 1, 0, 0},
        {"(", 1, 1, 0, 1},
        {" 1", 2, 1, 1, 0},
        {"  -1", 4, 1, -1, 0},
        {"\t2", 2, 1, 2, 0},
        {"1 ", 2, 0, 0, 0},
        {"0x1", 3, 1, 1, 0},
        {"0X1P0", 5, 1, 1, 0},
        {"inf", 3, 1, INFINITY, 0},
        {"+inf", 4, 1, INFINITY, 0},
        {"-inf", 4, 1, -INFINITY, 0},
        {"(-inf", 5, 1, -INFINITY, 1},
        {"infinity", 8, 1, INFINITY, 0},
        {"1e400", 5, 1, INFINITY, 0},
        {"-1e400", 6, 1, -INFINITY, 0},
        {"1e-400", 6, 1, 0, 0},
        {"nan", 3, 0, 0, 0},
        {"(nan", 4, 0, 0, 0},
        {"-nan", 4, 0, 0, 0},
        {"1\0abc", 5, 1, 1, 0},
        {"(0\0x", 4, 1, 0, 1},
        {"abc", 3, 0, 0, 0},
        {"((1", 3, 0, 0, 0},
        {"[1", 2, 0, 0, 0},
    };
    zsl_range r;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = zsl_parse_range(cases[i].s, cases[i].len, "2", 1, &r);
        if (rc != (cases[i].ok ? 0 : -1)) {
            fail_msg("case %zu (%s): rc %d", i, cases[i].s, rc);
        }
        if (cases[i].ok) {
            assert_true(r.min == cases[i].v);
            assert_int_equal(r.minex, cases[i].ex);
            assert_true(r.max == 2 && r.maxex == 0);
        }
        rc = zsl_parse_range("(0", 2, cases[i].s, cases[i].len, &r);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        if (cases[i].ok) {
            assert_true(r.max == cases[i].v);
            assert_int_equal(r.maxex, cases[i].ex);
            assert_int_equal(r.minex, 1);
        }
    }
    /* Long arguments take the heap path. */
    char big[300];
    memset(big, '0', sizeof(big));
    big[0] = '(';
    big[sizeof(big) - 1] = '7';
    assert_int_equal(zsl_parse_range(big, sizeof(big), big, sizeof(big), &r),
                     0);
    assert_true(r.min == 7 && r.minex && r.max == 7 && r.maxex);
}

static void test_parse_lex_range(void **state)
{
    /* Each checked against redis-server 7.0's ZRANGEBYLEX. */
    static const struct {
        const char *s;
        size_t len;
        int ok;
        int kind;
        int ex;
        size_t blen;
    } cases[] = {
        {"-", 1, 1, ZSL_LEX_MIN, 1, 0},
        {"+", 1, 1, ZSL_LEX_MAX, 1, 0},
        {"-\0x", 3, 1, ZSL_LEX_MIN, 1, 0},
        {"+\0zz", 4, 1, ZSL_LEX_MAX, 1, 0},
        {"+x", 2, 0, 0, 0, 0},
        {"-1", 2, 0, 0, 0, 0},
        {"", 0, 0, 0, 0, 0},
        {"a", 1, 0, 0, 0, 0},
        {"[", 1, 1, ZSL_LEX_STR, 0, 0},
        {"(", 1, 1, ZSL_LEX_STR, 1, 0},
        {"[a\0", 3, 1, ZSL_LEX_STR, 0, 2},
        {"(abc", 4, 1, ZSL_LEX_STR, 1, 3},
    };
    zsl_lex_range r;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = zsl_parse_lex_range(cases[i].s, cases[i].len, "+", 1, &r);
        if (rc != (cases[i].ok ? 0 : -1)) {
            fail_msg("case %zu: rc %d", i, rc);
        }
        if (cases[i].ok) {
            assert_int_equal(r.min.kind, cases[i].kind);
            assert_int_equal(r.min.ex, cases[i].ex);
            if (cases[i].kind == ZSL_LEX_STR) {
                assert_int_equal(r.min.len, cases[i].blen);
                assert_ptr_equal(r.min.s, cases[i].s + 1);
            }
        }
        assert_int_equal(
            zsl_parse_lex_range("-", 1, cases[i].s, cases[i].len, &r),
            cases[i].ok ? 0 : -1);
    }

    /* Empty-range rules, as ZRANGEBYLEX answered them. */
    static const struct {
        const char *min;
        const char *max;
        int empty;
    } ranges[] = {
        {"-", "+", 0},   {"+", "-", 1},   {"-", "-", 1},   {"+", "+", 1},
        {"[b", "[b", 0}, {"(b", "[b", 1}, {"[b", "[a", 1}, {"[a", "(a", 1},
        {"-", "(a", 0},  {"-", "[", 0},   {"[", "-", 1},   {"+", "[z", 1},
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        assert_int_equal(
            zsl_parse_lex_range(ranges[i].min, strlen(ranges[i].min),
                                ranges[i].max, strlen(ranges[i].max), &r),
            0);
        if (zsl_lex_range_empty(&r) != ranges[i].empty) {
            fail_msg("%s %s: empty %d", ranges[i].min, ranges[i].max,
                     !ranges[i].empty);
        }
    }
}

/* The example from ZRANGEBYLEX's checks: z = {"":0, a:0, b:0}. */
static void test_lex_small(void **state)
{
    zsl *z = zsl_create();
    zsl_lex_range r;
    (void)state;

    zsl_insert(z, 0, "b", 1);
    zsl_insert(z, 0, "", 0);
    zsl_insert(z, 0, "a", 1);
    assert_int_equal(zsl_parse_lex_range("(", 1, "+", 1, &r), 0);
    assert_memory_equal(zsl_first_in_lex_range(z, &r)->ele, "a", 2);
    assert_int_equal(zsl_parse_lex_range("[a\0", 3, "+", 1, &r), 0);
    assert_memory_equal(zsl_first_in_lex_range(z, &r)->ele, "b", 2);
    assert_int_equal(zsl_parse_lex_range("-", 1, "(a", 2, &r), 0);
    assert_int_equal(str_len(zsl_last_in_lex_range(z, &r)->ele), 0);
    assert_int_equal(zsl_parse_lex_range("-", 1, "[", 1, &r), 0);
    assert_int_equal(zsl_delete_range_by_lex(z, &r, NULL, NULL), 1);
    assert_int_equal(zsl_length(z), 2);
    assert_memory_equal(zsl_first(z)->ele, "a", 2);
    assert_memory_equal(zsl_last(z)->ele, "b", 2);
    zsl_destroy(&z);
}

/* Levels follow p = 1/4: about 3/4 of nodes have height 1. */
static void test_level_distribution(void **state)
{
    zsl *z = zsl_create();
    unsigned long h1 = 0;
    unsigned long h2 = 0;
    char m[16];
    (void)state;

    for (int i = 0; i < 40000; i++) {
        int n = snprintf(m, sizeof(m), "%08d", i);
        zsl_insert(z, i, m, (size_t)n);
    }
    for (zsl_node *x = zsl_first(z); x; x = x->level[0].forward) {
        h1 += x->height == 1;
        h2 += x->height == 2;
    }
    assert_true(h1 > 29000 && h1 < 31000);
    assert_true(h2 > 6800 && h2 < 8200);
    assert_true(z->level >= 6 && z->level <= 14);
    assert_int_equal(zsl_get_rank(z, 20000, "00020000", 8), 20001);
    zsl_destroy(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_lex_ranges),
        cmocka_unit_test(test_lex_small),
        cmocka_unit_test(test_parse_range),
        cmocka_unit_test(test_parse_lex_range),
        cmocka_unit_test(test_level_distribution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
