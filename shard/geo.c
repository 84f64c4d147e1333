/* geo: the geospatial commands. A geo set is a sorted set whose scores are
 * 52-bit geohashes (common/geohash.h): GEOADD is ZADD with encoded scores,
 * and a search scans the score ranges of the cells covering its area. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "geohash.h"
#include "mem.h"
#include "notify.h"
#include "reply.h"
#include "t_zset.h"
#include "util.h"

/* ZADD's handler (commands.def): GEOADD hands it a rewritten argument
 * vector, as Redis does, so both share every flag, error and encoding. */
void cmd_zadd(client *c);

/* ==== argument parsing ==================================================== */

/* Redis compares words with strcasecmp: an argument ends at its first NUL. */
static size_t cstr_len(const arg *a)
{
    return strnlen(a->p, a->n);
}

static int parse_unit(client *c, const arg *a, double *to_meters)
{
    if (geohash_unit_factor(a->p, cstr_len(a), to_meters) != 0) {
        reply_error(c, GEO_ERR_UNIT);
        return -1;
    }
    return 0;
}

/* Longitude and latitude from a[0], a[1], within Redis's limits. */
static int parse_lonlat(client *c, const arg *a, double xy[2])
{
    for (int i = 0; i < 2; i++) {
        if (zarg_double(c, &a[i], &xy[i], NULL) != 0) {
            return -1;
        }
    }
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN ||
        xy[1] > GEO_LAT_MAX) {
        reply_errorf(c, "-ERR invalid longitude,latitude pair %f,%f", xy[0],
                     xy[1]);
        return -1;
    }
    return 0;
}

/* "radius unit" at a. */
static int parse_radius(client *c, const arg *a, geohash_shape *shape)
{
    double r;

    if (zarg_double(c, &a[0], &r, "need numeric radius") != 0) {
        return -1;
    }
    if (r < 0) {
        reply_error(c, "radius cannot be negative");
        return -1;
    }
    shape->radius = r;
    return parse_unit(c, &a[1], &shape->conversion);
}

/* "width height unit" at a. */
static int parse_box(client *c, const arg *a, geohash_shape *shape)
{
    double w, h;

    if (zarg_double(c, &a[0], &w, "need numeric width") != 0 ||
        zarg_double(c, &a[1], &h, "need numeric height") != 0) {
        return -1;
    }
    if (h < 0 || w < 0) {
        reply_error(c, "height or width cannot be negative");
        return -1;
    }
    shape->width = w;
    shape->height = h;
    return parse_unit(c, &a[2], &shape->conversion);
}

/* A member's position: 0, or -1 if it is absent. */
static int member_lonlat(obj *o, const arg *m, double xy[2])
{
    double score;

    if (zset_score(o, m->p, m->n, &score) != 0) {
        return -1;
    }
    return geohash_score_decode(score, &xy[0], &xy[1]);
}

/* ==== replies ============================================================= */

/* Distances go out with 4 decimals, as a bulk string in either protocol.
 * Like redis-server 7.0.15, the value is scaled and rounded to an integer
 * in binary (ties to even), not rounded in decimal as printf would: the
 * two differ when d * 10^4 lands on a half. */
static void reply_distance(client *c, double d)
{
    char buf[64];
    long long v = llrint(d * 10000.0);
    unsigned long long u =
        v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(buf, sizeof(buf), "%s%llu.%04llu", v < 0 ? "-" : "",
                     u / 10000, u % 10000);

    reply_bulk(c, buf, (size_t)n);
}

static void reply_coords(client *c, double lon, double lat)
{
    reply_array_len(c, 2);
    reply_human_ld(c, lon);
    reply_human_ld(c, lat);
}

/* ==== GEOADD ============================================================== */

void cmd_geoadd(client *c)
{
    int nx = 0, xx = 0, first = 2;

    for (; first < c->argc; first++) {
        const arg *a = &c->argv[first];
        if (zarg_is(a, "nx")) {
            nx = 1;
        } else if (zarg_is(a, "xx")) {
            xx = 1;
        } else if (!zarg_is(a, "ch")) {
            break; /* CH is ZADD's to handle */
        }
    }
    if ((c->argc - first) % 3 != 0 || (nx && xx)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }

    /* ZADD key [options] score member ...: options are kept, each
     * "lon lat member" becomes "score member". */
    enum { SCORE_CHARS = 24 };
    int elements = (c->argc - first) / 3;
    int argc = first + elements * 2;
    arg *argv = mem_alloc((size_t)argc * sizeof(*argv));
    char *scores = mem_alloc((size_t)elements * SCORE_CHARS + 1);

    argv[0].p = "zadd";
    argv[0].n = 4;
    for (int i = 1; i < first; i++) {
        argv[i] = c->argv[i];
    }
    for (int i = 0; i < elements; i++) {
        double xy[2], score;
        char *buf = scores + (size_t)i * SCORE_CHARS;

        if (parse_lonlat(c, &c->argv[first + i * 3], xy) != 0) {
            goto done;
        }
        geohash_score_encode(xy[0], xy[1], &score);
        argv[first + i * 2].p = buf;
        argv[first + i * 2].n = (size_t)snprintf(buf, SCORE_CHARS, "%llu",
                                                 (unsigned long long)score);
        argv[first + i * 2 + 1] = c->argv[first + i * 3 + 2];
    }

    arg *saved_argv = c->argv;
    int saved_argc = c->argc;
    c->argv = argv;
    c->argc = argc;
    cmd_zadd(c);
    c->argv = saved_argv;
    c->argc = saved_argc;
done:
    mem_free(scores);
    mem_free(argv);
}

/* ==== GEODIST, GEOPOS, GEOHASH ============================================ */

void cmd_geodist(client *c)
{
    double to_meters = 1;

    if (c->argc == 5) {
        if (parse_unit(c, &c->argv[4], &to_meters) != 0) {
            return;
        }
    } else if (c->argc > 5) {
        reply_error(c, ERR_SYNTAX);
        return;
    }

    obj *o = db_lookup_read(c, &c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (o->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    double a[2], b[2];
    if (member_lonlat(o, &c->argv[2], a) != 0 ||
        member_lonlat(o, &c->argv[3], b) != 0) {
        reply_null(c);
        return;
    }
    reply_distance(c, geohash_distance(a[0], a[1], b[0], b[1]) / to_meters);
}

void cmd_geopos(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (o != NULL && o->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double xy[2];
        if (o == NULL || member_lonlat(o, &c->argv[j], xy) != 0) {
            reply_null_array(c);
        } else {
            reply_coords(c, xy[0], xy[1]);
        }
    }
}

void cmd_geohash(client *c)
{
    obj *o = db_lookup_read(c, &c->argv[1]);

    if (o != NULL && o->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        const arg *m = &c->argv[j];
        double score;
        char buf[12];
        if (o == NULL || zset_score(o, m->p, m->n, &score) != 0 ||
            geohash_score_to_string(score, buf) != 0) {
            reply_null(c);
        } else {
            reply_bulk(c, buf, 11);
        }
    }
}

/* ==== searching =========================================================== */

typedef struct geo_point {
    double lon, lat;
    double dist; /* meters while searching; in the query's unit after */
    double score;
    const char *member; /* into the zset; NULL: the integer ival */
    size_t len;
    long long ival;
} geo_point;

typedef struct geo_search {
    geohash_shape shape;
    geo_point *pts;
    size_t used, cap;
    unsigned long limit; /* ANY: stop at this many matches; 0: no limit */
} geo_search;

static int search_full(const geo_search *s)
{
    return s->limit != 0 && s->used >= s->limit;
}

/* Keep the element if its position lies inside the search shape. member
 * NULL means the integer ival (a listpack integer entry). */
static void search_consider(geo_search *s, double score, const char *member,
                            size_t len, long long ival)
{
    double lon, lat, dist;

    if (geohash_score_decode(score, &lon, &lat) != 0 ||
        !geohash_in_shape(&s->shape, lon, lat, &dist)) {
        return;
    }
    if (s->used == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->pts = mem_realloc(s->pts, s->cap * sizeof(*s->pts));
    }
    geo_point *p = &s->pts[s->used++];
    p->lon = lon;
    p->lat = lat;
    p->dist = dist;
    p->score = score;
    p->member = member;
    p->len = len;
    p->ival = ival;
}

/* Elements with min <= score < max, in order: a listpack walk (it holds
 * at most the listpack thresholds' worth of pairs). */
static void scan_listpack(geo_search *s, unsigned char *lp, double min,
                          double max)
{
    unsigned char *eptr = lp_first(lp);

    while (eptr != NULL) {
        unsigned char *sptr = lp_next(lp, eptr);
        double score = zl_get_score(sptr);
        if (score >= max) {
            break;
        }
        if (score >= min) {
            lp_val v;
            lp_get_val(eptr, &v);
            search_consider(s, score, (const char *)v.s, v.slen, v.v);
            if (search_full(s)) {
                break;
            }
        }
        eptr = lp_next(lp, sptr);
    }
}

static void scan_skiplist(geo_search *s, const zsl *z, double min, double max)
{
    zsl_range r = {.min = min, .max = max, .minex = 0, .maxex = 1};

    for (zsl_node *x = zsl_first_in_range(z, &r);
         x != NULL && zsl_value_lte_max(x->score, &r);
         x = x->level[0].forward) {
        search_consider(s, x->score, x->ele, str_len(x->ele), 0);
        if (search_full(s)) {
            break;
        }
    }
}

/* Collect the matches of every cell covering the shape, in Redis's scan
 * order (the center cell, then its neighbours). */
static void search_run(geo_search *s, obj *o)
{
    geohash_cover cover;
    geohash_score_range ranges[9];

    geohash_cover_shape(&s->shape, &cover);
    int n = geohash_cover_ranges(&cover, ranges);
    for (int i = 0; i < n && !search_full(s); i++) {
        double min = (double)ranges[i].min, max = (double)ranges[i].max;
        if (o->enc == ENC_LISTPACK) {
            scan_listpack(s, o->ptr, min, max);
        } else {
            scan_skiplist(s, ((zset *)o->ptr)->zsl, min, max);
        }
    }
}

static int cmp_dist_asc(const void *a, const void *b)
{
    const geo_point *x = a, *y = b;

    if (x->dist > y->dist) {
        return 1;
    }
    return x->dist == y->dist ? 0 : -1;
}

static int cmp_dist_desc(const void *a, const void *b)
{
    return -cmp_dist_asc(a, b);
}

static const char *point_member(const geo_point *p, size_t *len,
                                char buf[LP_INTBUF_SIZE])
{
    if (p->member != NULL) {
        *len = p->len;
        return p->member;
    }
    *len = (size_t)util_ll2str(buf, LP_INTBUF_SIZE, p->ival);
    return buf;
}

enum {
    GEO_FROM_COORDS = 1 << 0, /* GEORADIUS: key lon lat radius unit */
    GEO_FROM_MEMBER = 1 << 1, /* GEORADIUSBYMEMBER: key member radius unit */
    GEO_NOSTORE = 1 << 2,     /* the _RO forms */
    GEO_SEARCH = 1 << 3,      /* GEOSEARCH: FROM... BY... options */
    GEO_SEARCHSTORE = 1 << 4, /* GEOSEARCHSTORE: dst src, then as GEOSEARCH */
};

enum { SORT_NONE, SORT_ASC, SORT_DESC };

typedef struct geo_opts {
    int withdist, withhash, withcoord;
    int frommember, fromlonlat, byradius, bybox;
    int sort, any, storedist;
    long long count; /* 0: all */
    const arg *storekey;
} geo_opts;

/* Options after the fixed arguments, in Redis's order of checks. With src
 * NULL, FROMMEMBER is accepted unchecked (the caller then answers empty).
 * Returns 0, or -1 having replied an error. */
static int parse_options(client *c, int base, int flags, obj *src,
                         geo_search *s, geo_opts *op)
{
    int search = (flags & GEO_SEARCH) != 0;

    for (int i = base; i < c->argc; i++) {
        const arg *a = &c->argv[i];
        int left = c->argc - i - 1; /* arguments after this one */

        if (zarg_is(a, "withdist")) {
            op->withdist = 1;
        } else if (zarg_is(a, "withhash")) {
            op->withhash = 1;
        } else if (zarg_is(a, "withcoord")) {
            op->withcoord = 1;
        } else if (zarg_is(a, "any")) {
            op->any = 1;
        } else if (zarg_is(a, "asc")) {
            op->sort = SORT_ASC;
        } else if (zarg_is(a, "desc")) {
            op->sort = SORT_DESC;
        } else if (zarg_is(a, "count") && left >= 1) {
            long long n;
            if (util_str2ll(c->argv[i + 1].p, c->argv[i + 1].n, &n) != 0) {
                reply_error(c, ERR_NOT_INT);
                return -1;
            }
            if (n <= 0) {
                reply_error(c, "COUNT must be > 0");
                return -1;
            }
            op->count = n;
            i++;
        } else if ((zarg_is(a, "store") || zarg_is(a, "storedist")) &&
                   left >= 1 && !(flags & GEO_NOSTORE) && !search) {
            op->storekey = &c->argv[i + 1];
            op->storedist = zarg_is(a, "storedist");
            i++;
        } else if (zarg_is(a, "storedist") && (flags & GEO_SEARCHSTORE)) {
            op->storedist = 1;
        } else if (zarg_is(a, "frommember") && left >= 1 && search &&
                   !op->fromlonlat) {
            double xy[2];
            if (src != NULL && member_lonlat(src, &c->argv[i + 1], xy) != 0) {
                reply_error(c, "could not decode requested zset member");
                return -1;
            }
            if (src != NULL) {
                s->shape.lon = xy[0];
                s->shape.lat = xy[1];
            }
            op->frommember = 1;
            i++;
        } else if (zarg_is(a, "fromlonlat") && left >= 2 && search &&
                   !op->frommember) {
            double xy[2];
            if (parse_lonlat(c, &c->argv[i + 1], xy) != 0) {
                return -1;
            }
            s->shape.lon = xy[0];
            s->shape.lat = xy[1];
            op->fromlonlat = 1;
            i += 2;
        } else if (zarg_is(a, "byradius") && left >= 2 && search &&
                   !op->bybox) {
            if (parse_radius(c, &c->argv[i + 1], &s->shape) != 0) {
                return -1;
            }
            s->shape.type = GEOHASH_CIRCLE;
            op->byradius = 1;
            i += 2;
        } else if (zarg_is(a, "bybox") && left >= 3 && search &&
                   !op->byradius) {
            if (parse_box(c, &c->argv[i + 1], &s->shape) != 0) {
                return -1;
            }
            s->shape.type = GEOHASH_BOX;
            op->bybox = 1;
            i += 3;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }

    if (op->storekey != NULL &&
        (op->withdist || op->withhash || op->withcoord)) {
        reply_errorf(c,
                     "%s is not compatible with WITHDIST, WITHHASH and "
                     "WITHCOORD options",
                     (flags & GEO_SEARCHSTORE) ? "GEOSEARCHSTORE"
                                               : "STORE option in GEORADIUS");
        return -1;
    }
    const arg *name = &c->argv[0];
    if (search && !(op->frommember || op->fromlonlat)) {
        reply_errorf(c,
                     "exactly one of FROMMEMBER or FROMLONLAT can be "
                     "specified for %.*s",
                     (int)cstr_len(name), name->p);
        return -1;
    }
    if (search && !(op->byradius || op->bybox)) {
        reply_errorf(c,
                     "exactly one of BYRADIUS and BYBOX can be specified for "
                     "%.*s",
                     (int)cstr_len(name), name->p);
        return -1;
    }
    if (op->any && op->count == 0) {
        reply_error(c, "the ANY argument requires COUNT argument");
        return -1;
    }
    return 0;
}

static void reply_results(client *c, const geo_search *s, size_t n,
                          const geo_opts *op)
{
    int extra = op->withdist + op->withhash + op->withcoord;

    reply_array_len(c, (long)n);
    for (size_t i = 0; i < n; i++) {
        const geo_point *p = &s->pts[i];
        char buf[LP_INTBUF_SIZE];
        size_t len;
        const char *m = point_member(p, &len, buf);

        if (extra) {
            reply_array_len(c, extra + 1);
        }
        reply_bulk(c, m, len);
        if (op->withdist) {
            reply_distance(c, p->dist);
        }
        if (op->withhash) {
            reply_ll(c, (long long)p->score);
        }
        if (op->withcoord) {
            reply_coords(c, p->lon, p->lat);
        }
    }
}

/* Replace the destination with the results (scores: geohashes, or the
 * distances with STOREDIST); no results delete it. Replies the count. */
static void store_results(client *c, const geo_search *s, size_t n,
                          const geo_opts *op)
{
    const arg *k = op->storekey;

    if (n == 0) {
        if (db_delete(c->db, k->p, k->n)) {
            db_signal_modified(c, c->db, k->p, k->n);
            notify_key(c, NOTIFY_GENERIC, "del", k);
            c->srv->dirty++;
        }
        reply_ll(c, 0);
        return;
    }
    obj *dst = zset_create_for_size(c->srv, (long)n);
    for (size_t i = 0; i < n; i++) {
        const geo_point *p = &s->pts[i];
        char buf[LP_INTBUF_SIZE];
        size_t len;
        const char *m = point_member(p, &len, buf);
        int out;

        zset_add(c->srv, dst, op->storedist ? p->dist : p->score, m, len, 0,
                 &out, NULL);
    }
    /* The source may be the destination: nothing points into it now. */
    db_set(c, c->db, k->p, k->n, dst, 0);
    /* GEORADIUS* ... STORE say georadiusstore, as Redis. */
    notify_key(c, NOTIFY_ZSET,
               strcmp(c->cmd->name, "geosearchstore") == 0 ? "geosearchstore"
                                                            : "georadiusstore",
               k);
    c->srv->dirty += (long long)n;
    reply_ll(c, (long long)n);
}

/* GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and
 * GEOSEARCHSTORE; srcidx is the source key's argument. */
static void search_command(client *c, int srcidx, int flags)
{
    geo_search s = {0};
    geo_opts op = {0};
    int base;
    obj *src = db_lookup_read(c, &c->argv[srcidx]);

    if (src != NULL && src->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }

    /* The center and radius of the GEORADIUS forms come first. */
    if (flags & GEO_FROM_COORDS) {
        double xy[2];
        base = 6;
        s.shape.type = GEOHASH_CIRCLE;
        if (parse_lonlat(c, &c->argv[2], xy) != 0) {
            return;
        }
        s.shape.lon = xy[0];
        s.shape.lat = xy[1];
        if (parse_radius(c, &c->argv[4], &s.shape) != 0) {
            return;
        }
    } else if (flags & GEO_FROM_MEMBER) {
        double xy[2];
        base = 5;
        /* Without a source the options are still parsed, for the errors
         * and to know which empty reply to give. */
        if (src != NULL) {
            s.shape.type = GEOHASH_CIRCLE;
            if (member_lonlat(src, &c->argv[2], xy) != 0) {
                reply_error(c, "could not decode requested zset member");
                return;
            }
            s.shape.lon = xy[0];
            s.shape.lat = xy[1];
            if (parse_radius(c, &c->argv[3], &s.shape) != 0) {
                return;
            }
        }
    } else {
        base = 2;
        if (flags & GEO_SEARCHSTORE) {
            base = 3;
            op.storekey = &c->argv[1];
        }
    }
    if (parse_options(c, base, flags, src, &s, &op) != 0) {
        return;
    }

    if (src == NULL) {
        if (op.storekey != NULL) {
            store_results(c, &s, 0, &op);
        } else {
            reply_array_len(c, 0);
        }
        return;
    }

    /* COUNT without ANY means the nearest ones. */
    if (op.count != 0 && op.sort == SORT_NONE && !op.any) {
        op.sort = SORT_ASC;
    }
    s.limit = op.any ? (unsigned long)op.count : 0;
    search_run(&s, src);

    size_t n = s.used;
    if (op.count != 0 && (unsigned long long)op.count < n) {
        n = (size_t)op.count;
    }
    /* The scan-ordered matches sorted as redis-server sorts them, so
     * members at one distance come out in the same order: libc's qsort
     * (glibc's is stable) for the whole result, its partial quicksort
     * when COUNT cuts the result. */
    if (op.sort != SORT_NONE && s.used > 1) {
        util_cmp_fn *cmp = op.sort == SORT_ASC ? cmp_dist_asc : cmp_dist_desc;
        if (n == s.used) {
            qsort(s.pts, s.used, sizeof(*s.pts), cmp);
        } else {
            util_partial_sort(s.pts, s.used, sizeof(*s.pts), cmp, 0, n - 1);
        }
    }
    for (size_t i = 0; i < n; i++) {
        s.pts[i].dist /= s.shape.conversion;
    }

    if (op.storekey != NULL) {
        store_results(c, &s, n, &op);
    } else {
        reply_results(c, &s, n, &op);
    }
    mem_free(s.pts);
}

void cmd_georadius(client *c)
{
    search_command(c, 1, GEO_FROM_COORDS);
}

void cmd_georadius_ro(client *c)
{
    search_command(c, 1, GEO_FROM_COORDS | GEO_NOSTORE);
}

void cmd_georadiusbymember(client *c)
{
    search_command(c, 1, GEO_FROM_MEMBER);
}

void cmd_georadiusbymember_ro(client *c)
{
    search_command(c, 1, GEO_FROM_MEMBER | GEO_NOSTORE);
}

void cmd_geosearch(client *c)
{
    search_command(c, 1, GEO_SEARCH);
}

void cmd_geosearchstore(client *c)
{
    search_command(c, 2, GEO_SEARCH | GEO_SEARCHSTORE);
}
