/* skiplist: Pugh's skip list as Redis's zskiplist uses it (ties broken by
 * member bytes, spans for ranks, a backward link on level 0), with the
 * member embedded in each node's allocation. */
#include "skiplist.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ---- helpers ------------------------------------------------------------- */

/* memcmp over the shorter length, then the shorter first (sdscmp). */
static int bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;

    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

static int ele_cmp(const zsl_node *x, const void *ele, size_t len)
{
    return bytes_cmp(x->ele, str_len(x->ele), ele, len);
}

/* 1 if node x sorts before (score, ele). */
static int before(const zsl_node *x, double score, const void *ele, size_t len)
{
    return x->score < score || (x->score == score && ele_cmp(x, ele, len) < 0);
}

/* splitmix64: cheap, and each list carries its own state. */
static uint64_t next_rand(zsl *z)
{
    uint64_t r = (z->rng += 0x9E3779B97F4A7C15ULL);

    r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9ULL;
    r = (r ^ (r >> 27)) * 0x94D049BB133111EBULL;
    return r ^ (r >> 31);
}

/* 1..ZSL_MAXLEVEL, each further level with probability ZSL_P. */
static int random_level(zsl *z)
{
    int level = 1;

    while (level < ZSL_MAXLEVEL &&
           (next_rand(z) & 0xFFFF) < (uint64_t)(ZSL_P * 0xFFFF)) {
        level++;
    }
    return level;
}

static zsl_node *node_create(int height, double score, const void *ele,
                             size_t len)
{
    size_t lv = (size_t)height * sizeof(struct zsl_level);
    size_t bytes = sizeof(zsl_node) + lv;
    zsl_node *n;

    if (ele != NULL) {
        bytes += str_embed_size(len);
    }
    n = mem_alloc(bytes);
    n->score = score;
    n->backward = NULL;
    n->height = height;
    n->ele =
        ele ? str_embed((char *)n + sizeof(zsl_node) + lv, ele, len) : NULL;
    return n;
}

void zsl_free_node(zsl_node *n)
{
    mem_free(n);
}

/* ---- lifecycle ----------------------------------------------------------- */

zsl *zsl_create(void)
{
    zsl *z = mem_alloc(sizeof(*z));

    z->level = 1;
    z->length = 0;
    z->tail = NULL;
    z->header = node_create(ZSL_MAXLEVEL, 0, NULL, 0);
    for (int i = 0; i < ZSL_MAXLEVEL; i++) {
        z->header->level[i].forward = NULL;
        z->header->level[i].span = 0;
    }
    /* Seed from the address: levels only need to look random. */
    z->rng = (uint64_t)(uintptr_t)z ^ 0x5DEECE66DULL;
    return z;
}

void zsl_destroy(zsl **zp)
{
    zsl *z = zp ? *zp : NULL;

    if (z == NULL) {
        return;
    }
    zsl_node *n = z->header->level[0].forward;
    while (n != NULL) {
        zsl_node *next = n->level[0].forward;
        zsl_free_node(n);
        n = next;
    }
    mem_free(z->header);
    mem_free(z);
    *zp = NULL;
}

/* ---- insert / delete ----------------------------------------------------- */

/* Links node x (its height set) in front of the first element that does
 * not sort before it. */
static void link_node(zsl *z, zsl_node *x)
{
    zsl_node *update[ZSL_MAXLEVEL];
    unsigned long rank[ZSL_MAXLEVEL];
    zsl_node *p = z->header;
    size_t len = str_len(x->ele);

    for (int i = z->level - 1; i >= 0; i--) {
        rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
        while (p->level[i].forward &&
               before(p->level[i].forward, x->score, x->ele, len)) {
            rank[i] += p->level[i].span;
            p = p->level[i].forward;
        }
        update[i] = p;
    }
    if (x->height > z->level) {
        for (int i = z->level; i < x->height; i++) {
            rank[i] = 0;
            update[i] = z->header;
            update[i]->level[i].span = z->length;
        }
        z->level = x->height;
    }
    for (int i = 0; i < x->height; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        /* update[i] spanned the gap x now splits. */
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = x->height; i < z->level; i++) {
        update[i]->level[i].span++;
    }
    x->backward = update[0] == z->header ? NULL : update[0];
    if (x->level[0].forward) {
        x->level[0].forward->backward = x;
    } else {
        z->tail = x;
    }
    z->length++;
}

zsl_node *zsl_insert(zsl *z, double score, const void *ele, size_t len)
{
    zsl_node *x = node_create(random_level(z), score, ele, len);

    link_node(z, x);
    return x;
}

/* Unlinks x; update[i] is the last node before x on level i. */
static void unlink_node(zsl *z, zsl_node *x, zsl_node **update)
{
    for (int i = 0; i < z->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward) {
        x->level[0].forward->backward = x->backward;
    } else {
        z->tail = x->backward;
    }
    while (z->level > 1 && z->header->level[z->level - 1].forward == NULL) {
        z->level--;
    }
    z->length--;
}

/* Fills update[] for (score, ele) and returns the node there if it is
 * exactly that element, else NULL. */
static zsl_node *find_exact(const zsl *z, double score, const void *ele,
                            size_t len, zsl_node **update)
{
    zsl_node *p = z->header;

    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward &&
               before(p->level[i].forward, score, ele, len)) {
            p = p->level[i].forward;
        }
        update[i] = p;
    }
    p = p->level[0].forward;
    if (p != NULL && p->score == score && ele_cmp(p, ele, len) == 0) {
        return p;
    }
    return NULL;
}

int zsl_delete(zsl *z, double score, const void *ele, size_t len,
               zsl_node **node)
{
    zsl_node *update[ZSL_MAXLEVEL];
    zsl_node *x = find_exact(z, score, ele, len, update);

    if (x == NULL) {
        return -1;
    }
    unlink_node(z, x, update);
    if (node != NULL) {
        *node = x;
    } else {
        zsl_free_node(x);
    }
    return 0;
}

zsl_node *zsl_update_score(zsl *z, double curscore, const void *ele, size_t len,
                           double newscore)
{
    zsl_node *update[ZSL_MAXLEVEL];
    zsl_node *x = find_exact(z, curscore, ele, len, update);

    if (x == NULL) {
        return NULL;
    }
    /* Still strictly between its neighbours' scores: no move needed. */
    if ((x->backward == NULL || x->backward->score < newscore) &&
        (x->level[0].forward == NULL ||
         x->level[0].forward->score > newscore)) {
        x->score = newscore;
        return x;
    }
    /* Redis allocates a new node here; relinking this one keeps the
     * address (and the dict's pointer to it) valid. */
    unlink_node(z, x, update);
    x->score = newscore;
    link_node(z, x);
    return x;
}

/* ---- ranks --------------------------------------------------------------- */

unsigned long zsl_get_rank(const zsl *z, double score, const void *ele,
                           size_t len)
{
    const zsl_node *p = z->header;
    unsigned long rank = 0;

    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward &&
               (p->level[i].forward->score < score ||
                (p->level[i].forward->score == score &&
                 ele_cmp(p->level[i].forward, ele, len) <= 0))) {
            rank += p->level[i].span;
            p = p->level[i].forward;
        }
        /* p may still be the header, which has no member. */
        if (p->ele != NULL && p->score == score && ele_cmp(p, ele, len) == 0) {
            return rank;
        }
    }
    return 0;
}

zsl_node *zsl_get_by_rank(const zsl *z, unsigned long rank)
{
    zsl_node *p = z->header;
    unsigned long traversed = 0;

    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward && traversed + p->level[i].span <= rank) {
            traversed += p->level[i].span;
            p = p->level[i].forward;
        }
        if (traversed == rank) {
            return rank == 0 ? NULL : p;
        }
    }
    return NULL;
}

/* ---- score ranges -------------------------------------------------------- */

int zsl_value_gte_min(double value, const zsl_range *r)
{
    return r->minex ? value > r->min : value >= r->min;
}

int zsl_value_lte_max(double value, const zsl_range *r)
{
    return r->maxex ? value < r->max : value <= r->max;
}

int zsl_is_in_range(const zsl *z, const zsl_range *r)
{
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) {
        return 0;
    }
    if (z->tail == NULL || !zsl_value_gte_min(z->tail->score, r)) {
        return 0;
    }
    const zsl_node *first = z->header->level[0].forward;
    return first != NULL && zsl_value_lte_max(first->score, r);
}

zsl_node *zsl_first_in_range(const zsl *z, const zsl_range *r)
{
    zsl_node *p = z->header;

    if (!zsl_is_in_range(z, r)) {
        return NULL;
    }
    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward &&
               !zsl_value_gte_min(p->level[i].forward->score, r)) {
            p = p->level[i].forward;
        }
    }
    /* The range overlaps the list, so something follows. */
    p = p->level[0].forward;
    return p != NULL && zsl_value_lte_max(p->score, r) ? p : NULL;
}

zsl_node *zsl_last_in_range(const zsl *z, const zsl_range *r)
{
    zsl_node *p = z->header;

    if (!zsl_is_in_range(z, r)) {
        return NULL;
    }
    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward &&
               zsl_value_lte_max(p->level[i].forward->score, r)) {
            p = p->level[i].forward;
        }
    }
    if (p == z->header || !zsl_value_gte_min(p->score, r)) {
        return NULL;
    }
    return p;
}

/* ---- lex ranges ---------------------------------------------------------- */

/* Redis's sdscmplex: "-" is below and "+" above every string; the same
 * special bound equals itself. */
static int bound_cmp(const zsl_lex_bound *a, const zsl_lex_bound *b)
{
    if (a->kind != ZSL_LEX_STR && a->kind == b->kind) {
        return 0;
    }
    if (a->kind == ZSL_LEX_MIN || b->kind == ZSL_LEX_MAX) {
        return -1;
    }
    if (a->kind == ZSL_LEX_MAX || b->kind == ZSL_LEX_MIN) {
        return 1;
    }
    return bytes_cmp(a->s, a->len, b->s, b->len);
}

/* A member against a bound. */
static int value_cmp(const void *ele, size_t len, const zsl_lex_bound *b)
{
    zsl_lex_bound v = {ele, len, ZSL_LEX_STR, 0};

    return bound_cmp(&v, b);
}

int zsl_lex_gte_min(const void *ele, size_t len, const zsl_lex_range *r)
{
    int c = value_cmp(ele, len, &r->min);

    return r->min.ex ? c > 0 : c >= 0;
}

int zsl_lex_lte_max(const void *ele, size_t len, const zsl_lex_range *r)
{
    int c = value_cmp(ele, len, &r->max);

    return r->max.ex ? c < 0 : c <= 0;
}

int zsl_lex_range_empty(const zsl_lex_range *r)
{
    int c = bound_cmp(&r->min, &r->max);

    return c > 0 || (c == 0 && (r->min.ex || r->max.ex));
}

static int node_gte_min(const zsl_node *n, const zsl_lex_range *r)
{
    return zsl_lex_gte_min(n->ele, str_len(n->ele), r);
}

static int node_lte_max(const zsl_node *n, const zsl_lex_range *r)
{
    return zsl_lex_lte_max(n->ele, str_len(n->ele), r);
}

int zsl_is_in_lex_range(const zsl *z, const zsl_lex_range *r)
{
    if (zsl_lex_range_empty(r)) {
        return 0;
    }
    if (z->tail == NULL || !node_gte_min(z->tail, r)) {
        return 0;
    }
    const zsl_node *first = z->header->level[0].forward;
    return first != NULL && node_lte_max(first, r);
}

zsl_node *zsl_first_in_lex_range(const zsl *z, const zsl_lex_range *r)
{
    zsl_node *p = z->header;

    if (!zsl_is_in_lex_range(z, r)) {
        return NULL;
    }
    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward && !node_gte_min(p->level[i].forward, r)) {
            p = p->level[i].forward;
        }
    }
    p = p->level[0].forward;
    return p != NULL && node_lte_max(p, r) ? p : NULL;
}

zsl_node *zsl_last_in_lex_range(const zsl *z, const zsl_lex_range *r)
{
    zsl_node *p = z->header;

    if (!zsl_is_in_lex_range(z, r)) {
        return NULL;
    }
    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward && node_lte_max(p->level[i].forward, r)) {
            p = p->level[i].forward;
        }
    }
    if (p == z->header || !node_gte_min(p, r)) {
        return NULL;
    }
    return p;
}

/* ---- range deletes ------------------------------------------------------- */

/* Deletes from x onward while in(x, arg) holds; update[] is positioned
 * just before x. */
static unsigned long delete_run(zsl *z, zsl_node *x, zsl_node **update,
                                int (*in)(const zsl_node *, const void *),
                                const void *arg, zsl_delete_cb cb, void *priv)
{
    unsigned long removed = 0;

    while (x != NULL && in(x, arg)) {
        zsl_node *next = x->level[0].forward;
        unlink_node(z, x, update);
        if (cb != NULL) {
            cb(priv, x);
        }
        zsl_free_node(x);
        removed++;
        x = next;
    }
    return removed;
}

static int in_score_max(const zsl_node *x, const void *arg)
{
    return zsl_value_lte_max(x->score, arg);
}

static int in_lex_max(const zsl_node *x, const void *arg)
{
    return node_lte_max(x, arg);
}

unsigned long zsl_delete_range_by_score(zsl *z, const zsl_range *r,
                                        zsl_delete_cb cb, void *priv)
{
    zsl_node *update[ZSL_MAXLEVEL];
    zsl_node *p = z->header;

    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward &&
               !zsl_value_gte_min(p->level[i].forward->score, r)) {
            p = p->level[i].forward;
        }
        update[i] = p;
    }
    return delete_run(z, p->level[0].forward, update, in_score_max, r, cb,
                      priv);
}

unsigned long zsl_delete_range_by_lex(zsl *z, const zsl_lex_range *r,
                                      zsl_delete_cb cb, void *priv)
{
    zsl_node *update[ZSL_MAXLEVEL];
    zsl_node *p = z->header;

    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward && !node_gte_min(p->level[i].forward, r)) {
            p = p->level[i].forward;
        }
        update[i] = p;
    }
    return delete_run(z, p->level[0].forward, update, in_lex_max, r, cb, priv);
}

unsigned long zsl_delete_range_by_rank(zsl *z, unsigned long start,
                                       unsigned long end, zsl_delete_cb cb,
                                       void *priv)
{
    zsl_node *update[ZSL_MAXLEVEL];
    zsl_node *p = z->header;
    unsigned long traversed = 0;
    unsigned long removed = 0;

    for (int i = z->level - 1; i >= 0; i--) {
        while (p->level[i].forward && traversed + p->level[i].span < start) {
            traversed += p->level[i].span;
            p = p->level[i].forward;
        }
        update[i] = p;
    }
    traversed++;
    p = p->level[0].forward;
    while (p != NULL && traversed <= end) {
        zsl_node *next = p->level[0].forward;
        unlink_node(z, p, update);
        if (cb != NULL) {
            cb(priv, p);
        }
        zsl_free_node(p);
        removed++;
        traversed++;
        p = next;
    }
    return removed;
}

/* ---- argument parsing ---------------------------------------------------- */

/* One ZRANGEBYSCORE bound. Redis runs strtod on the NUL-terminated
 * argument, so we parse a terminated copy to get the same answers. */
static int parse_score_bound(const char *s, size_t len, double *out, int *ex)
{
    char small[128];
    char *buf = len < sizeof(small) ? small : mem_alloc(len + 1);
    char *end;
    int rc = 0;

    memcpy(buf, s, len);
    buf[len] = '\0';
    *ex = buf[0] == '(';
    *out = strtod(buf + *ex, &end);
    if (*end != '\0' || isnan(*out)) {
        rc = -1;
    }
    if (buf != small) {
        mem_free(buf);
    }
    return rc;
}

int zsl_parse_range(const char *min, size_t minlen, const char *max,
                    size_t maxlen, zsl_range *r)
{
    if (parse_score_bound(min, minlen, &r->min, &r->minex) != 0 ||
        parse_score_bound(max, maxlen, &r->max, &r->maxex) != 0) {
        return -1;
    }
    return 0;
}

/* One ZRANGEBYLEX bound. Redis checks the byte after '+'/'-' against the
 * string's NUL terminator, so "+" followed by a NUL byte is still "+". */
static int parse_lex_bound(const char *s, size_t len, zsl_lex_bound *b)
{
    b->s = NULL;
    b->len = 0;
    if (len == 0) {
        return -1;
    }
    switch (s[0]) {
    case '+':
    case '-':
        if (len > 1 && s[1] != '\0') {
            return -1;
        }
        b->kind = s[0] == '+' ? ZSL_LEX_MAX : ZSL_LEX_MIN;
        b->ex = 1;
        return 0;
    case '(':
    case '[':
        b->kind = ZSL_LEX_STR;
        b->ex = s[0] == '(';
        b->s = s + 1;
        b->len = len - 1;
        return 0;
    default: return -1;
    }
}

int zsl_parse_lex_range(const char *min, size_t minlen, const char *max,
                        size_t maxlen, zsl_lex_range *r)
{
    if (parse_lex_bound(min, minlen, &r->min) != 0 ||
        parse_lex_bound(max, maxlen, &r->max) != 0) {
        return -1;
    }
    return 0;
}
