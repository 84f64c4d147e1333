/* rdb_load: reading RDB files (versions up to 10, converting the older
 * ziplist encodings) and DUMP payloads. Every blob is validated before use,
 * so a corrupt input is an error, never a crash or a bad value. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crc64.h"
#include "db.h"
#include "function.h"
#include "intset.h"
#include "listpack.h"
#include "log.h"
#include "lzf.h"
#include "mem.h"
#include "quicklist.h"
#include "rdb.h"
#include "rdb_int.h"
#include "skiplist.h"
#include "stream.h"
#include "t_zset.h"
#include "types.h"
#include "util.h"

typedef struct rdb_reader {
    FILE *f; /* NULL: read from p/n */
    const unsigned char *p;
    size_t n;
    size_t pos; /* bytes consumed */
    uint64_t crc;
    int checksum;
    const char *what; /* file name for messages */
    str err;          /* first error */
    server *srv;
    int skip_expired;   /* drop keys already expired (not for the
                           AOF preamble, where later commands may
                           still touch them) */
    uint64_t file_size; /* for check_size when reading a file */
    int merge;          /* a key already present is replaced */
    rdb_key_fn *key_fn; /* set: keys go here, not to the keyspace */
    void *key_priv;
} rdb_reader;

static int fail(rdb_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(rdb_reader *r, const char *fmt, ...)
{
    va_list ap;

    if (r->err == NULL) {
        va_start(ap, fmt);
        r->err = str_catvfmt(str_empty(), fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int rd(rdb_reader *r, void *buf, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (r->f != NULL) {
        if (fread(buf, 1, n, r->f) != n) {
            return fail(r, "Short read or OOM loading DB. Unrecoverable "
                           "error, aborting now.");
        }
    } else {
        if (r->n - r->pos < n) {
            return fail(r, "Unexpected end of data");
        }
        memcpy(buf, r->p + r->pos, n);
    }
    r->pos += n;
    if (r->checksum) {
        r->crc = crc64(r->crc, buf, n);
    }
    return 0;
}

static int rd_byte(rdb_reader *r, int *out)
{
    unsigned char b;

    if (rd(r, &b, 1) != 0) {
        return -1;
    }
    *out = b;
    return 0;
}

/* A length, or an encoded-string marker (*isenc = 1, value = encoding). */
static int rd_len_enc(rdb_reader *r, uint64_t *len, int *isenc)
{
    unsigned char b[8];

    *isenc = 0;
    if (rd(r, b, 1) != 0) {
        return -1;
    }
    int type = (b[0] & 0xC0) >> 6;
    if (type == RDB_ENCVAL) {
        *isenc = 1;
        *len = b[0] & 0x3F;
    } else if (type == RDB_6BITLEN) {
        *len = b[0] & 0x3F;
    } else if (type == RDB_14BITLEN) {
        unsigned char c;
        if (rd(r, &c, 1) != 0) {
            return -1;
        }
        *len = ((uint64_t)(b[0] & 0x3F) << 8) | c;
    } else if (b[0] == RDB_32BITLEN) {
        if (rd(r, b, 4) != 0) {
            return -1;
        }
        *len = ((uint64_t)b[0] << 24) | ((uint64_t)b[1] << 16) |
               ((uint64_t)b[2] << 8) | b[3];
    } else if (b[0] == RDB_64BITLEN) {
        if (rd(r, b, 8) != 0) {
            return -1;
        }
        *len = 0;
        for (int i = 0; i < 8; i++) {
            *len = (*len << 8) | b[i];
        }
    } else {
        return fail(r, "Unknown length encoding %d in rdbLoadLen()", b[0]);
    }
    return 0;
}

static int rd_len(rdb_reader *r, uint64_t *len)
{
    int isenc;

    if (rd_len_enc(r, len, &isenc) != 0) {
        return -1;
    }
    if (isenc) {
        return fail(r, "Unexpected encoded length");
    }
    return 0;
}

/* Caps an allocation driven by the input: a length larger than what is
 * left of the payload or file is corrupt. */
static int check_size(rdb_reader *r, uint64_t n)
{
    uint64_t left = r->f == NULL
                        ? r->n - r->pos
                        : (r->file_size > r->pos ? r->file_size - r->pos : 0);
    if (n > left) {
        return fail(r, "Length %llu beyond the data", (unsigned long long)n);
    }
    return 0;
}

/* A file's size for check_size (pipes and the like: no limit). */
static uint64_t stream_size(FILE *f)
{
    struct stat st;

    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        return (uint64_t)st.st_size;
    }
    return UINT64_MAX;
}

/* A string: *out is a new str (caller frees); isint and iv tell when it was
 * integer-encoded. */
static int rd_string_ex(rdb_reader *r, str *out, int *isint, long long *iv)
{
    uint64_t len;
    int isenc;

    *out = NULL;
    if (isint != NULL) {
        *isint = 0;
    }
    if (rd_len_enc(r, &len, &isenc) != 0) {
        return -1;
    }
    if (isenc) {
        unsigned char b[4];
        long long v;
        char buf[LONG_STR_SIZE];
        switch (len) {
        case RDB_ENC_INT8:
            if (rd(r, b, 1) != 0) {
                return -1;
            }
            v = (int8_t)b[0];
            break;
        case RDB_ENC_INT16:
            if (rd(r, b, 2) != 0) {
                return -1;
            }
            v = (int16_t)(b[0] | (b[1] << 8));
            break;
        case RDB_ENC_INT32:
            if (rd(r, b, 4) != 0) {
                return -1;
            }
            v = (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) |
                          ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24));
            break;
        case RDB_ENC_LZF: {
            uint64_t clen, olen;
            if (rd_len(r, &clen) != 0 || rd_len(r, &olen) != 0 ||
                check_size(r, clen) != 0) {
                return -1;
            }
            /* LZF expands at most ~90 times (264 bytes from 3). */
            if (olen == 0 || olen > clen * 100 + 64 ||
                olen > ((uint64_t)1 << 32)) {
                return fail(r, "Invalid LZF compressed string");
            }
            unsigned char *c = mem_try_alloc(clen ? clen : 1);
            if (c == NULL) {
                return fail(r, "Out of memory loading a string");
            }
            str s = str_grow_zero(str_empty(), olen);
            if (rd(r, c, clen) != 0) {
                mem_free(c);
                str_free(s);
                return -1;
            }
            size_t got = lzf_decompress(c, clen, s, olen);
            mem_free(c);
            if (got != olen) {
                str_free(s);
                return fail(r, "Invalid LZF compressed string");
            }
            *out = s;
            return 0;
        }
        default:
            return fail(r, "Unknown RDB string encoding type %d", (int)len);
        }
        if (isint != NULL) {
            *isint = 1;
            *iv = v;
        }
        int n = util_ll2str(buf, sizeof(buf), v);
        *out = str_new(buf, (size_t)n);
        return 0;
    }
    if (check_size(r, len) != 0) {
        return -1;
    }
    str s = str_grow_zero(str_empty(), len);
    if (rd(r, s, len) != 0) {
        str_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

static int rd_string(rdb_reader *r, str *out)
{
    return rd_string_ex(r, out, NULL, NULL);
}

/* A blob string copied into a mem_alloc'd buffer (listpacks, intsets). */
static int rd_blob(rdb_reader *r, unsigned char **out, size_t *n)
{
    str s;

    if (rd_string(r, &s) != 0) {
        return -1;
    }
    *n = str_len(s);
    *out = mem_alloc(*n ? *n : 1);
    memcpy(*out, s, *n);
    str_free(s);
    return 0;
}

static int rd_ms(rdb_reader *r, long long *ms)
{
    unsigned char b[8];
    uint64_t v = 0;

    if (rd(r, b, 8) != 0) {
        return -1;
    }
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | b[i];
    }
    *ms = (long long)v;
    return 0;
}

static int rd_binary_double(rdb_reader *r, double *d)
{
    unsigned char b[8];
    uint64_t v = 0;

    if (rd(r, b, 8) != 0) {
        return -1;
    }
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | b[i];
    }
    memcpy(d, &v, 8);
    return 0;
}

/* The old text double of RDB_TYPE_ZSET: a length byte, 253 nan, 254 inf,
 * 255 -inf. */
static int rd_text_double(rdb_reader *r, double *d)
{
    int len;
    char buf[256];

    if (rd_byte(r, &len) != 0) {
        return -1;
    }
    if (len == 253) {
        *d = NAN;
    } else if (len == 254) {
        *d = INFINITY;
    } else if (len == 255) {
        *d = -INFINITY;
    } else {
        if (rd(r, buf, (size_t)len) != 0) {
            return -1;
        }
        buf[len] = '\0';
        char *end;
        *d = strtod(buf, &end);
        if (end == buf) {
            return fail(r, "Invalid double");
        }
    }
    return 0;
}

/* ---- values ---- */

static int lp_count_pairs_ok(unsigned char *lp)
{
    return lp_length(lp) % 2 == 0;
}

/* Duplicate check for hash listpacks (fields at even positions) and zset
 * listpacks (members): a dict of what was seen. */
static int lp_has_dup_fields(unsigned char *lp)
{
    dict *seen = dict_create(NULL);
    int dup = 0;
    unsigned char ibuf[LP_INTBUF_SIZE];

    for (unsigned char *p = lp_first(lp); p != NULL; p = lp_next(lp, p)) {
        uint32_t n;
        const unsigned char *s = lp_get(p, &n, ibuf);
        if (dict_add(seen, s, n) == NULL) {
            dup = 1;
            break;
        }
        p = lp_next(lp, p);
        if (p == NULL) {
            dup = 1;
            break;
        }
    }
    dict_destroy(&seen);
    return dup;
}

static obj *load_hash_listpack(rdb_reader *r, unsigned char *lp, size_t n)
{
    server *srv = r->srv;

    if (lp_validate(lp, n, 1) != 0 || !lp_count_pairs_ok(lp) ||
        lp_length(lp) == 0 || lp_has_dup_fields(lp)) {
        lp_free(lp);
        fail(r, "Hash listpack integrity check failed.");
        return NULL;
    }
    size_t maxlen = 0, count = lp_length(lp) / 2;
    unsigned char ibuf[LP_INTBUF_SIZE];
    for (unsigned char *p = lp_first(lp); p != NULL; p = lp_next(lp, p)) {
        uint32_t len;
        lp_get(p, &len, ibuf);
        if (len > maxlen) {
            maxlen = len;
        }
    }
    if (count <= (size_t)srv->cfg.hash_max_listpack_entries &&
        maxlen <= (size_t)srv->cfg.hash_max_listpack_value) {
        lp = lp_shrink_to_fit(lp);
        obj *o = obj_create(OBJ_HASH, lp);
        o->enc = ENC_LISTPACK;
        return o;
    }
    obj *o = hash_create_ht(count);
    unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    for (unsigned char *p = lp_first(lp); p != NULL; p = lp_next(lp, p)) {
        uint32_t fn, vn;
        const unsigned char *f = lp_get(p, &fn, fbuf);
        p = lp_next(lp, p);
        const unsigned char *v = lp_get(p, &vn, vbuf);
        hash_ht_add(o, (const char *)f, fn, (const char *)v, vn);
    }
    lp_free(lp);
    return o;
}

static obj *load_zset_listpack(rdb_reader *r, unsigned char *lp, size_t n)
{
    server *srv = r->srv;

    if (lp_validate(lp, n, 1) != 0 || !lp_count_pairs_ok(lp) ||
        lp_length(lp) == 0 || lp_has_dup_fields(lp)) {
        lp_free(lp);
        fail(r, "Zset listpack integrity check failed.");
        return NULL;
    }
    /* Scores must be numbers: a string that doesn't parse is corrupt. */
    for (unsigned char *p = lp_first(lp); p != NULL; p = lp_next(lp, p)) {
        p = lp_next(lp, p);
        lp_val v;
        lp_get_val(p, &v);
        double d;
        if (v.s != NULL && util_str2d((const char *)v.s, v.slen, &d) != 0) {
            lp_free(lp);
            fail(r, "Zset listpack integrity check failed.");
            return NULL;
        }
    }
    lp = lp_shrink_to_fit(lp);
    obj *o = obj_create(OBJ_ZSET, lp);
    o->enc = ENC_LISTPACK;
    size_t maxlen = 0;
    unsigned char ibuf[LP_INTBUF_SIZE];
    for (unsigned char *p = lp_first(lp); p != NULL; p = lp_next(lp, p)) {
        uint32_t len;
        lp_get(p, &len, ibuf);
        if (len > maxlen) {
            maxlen = len;
        }
        p = lp_next(lp, p);
    }
    if (zset_length(o) > (size_t)srv->cfg.zset_max_listpack_entries ||
        maxlen > (size_t)srv->cfg.zset_max_listpack_value) {
        zset_convert(o, ENC_SKIPLIST);
    }
    return o;
}

static obj *load_set_intset(rdb_reader *r, unsigned char *blob, size_t n)
{
    if (intset_validate(blob, n, 1) != 0) {
        mem_free(blob);
        fail(r, "Intset integrity check failed.");
        return NULL;
    }
    intset *is = (intset *)blob;
    obj *o = obj_create(OBJ_SET, is);
    o->enc = ENC_INTSET;
    if (intset_len(is) > (uint32_t)r->srv->cfg.set_max_intset_entries) {
        set_convert_ht(o);
    }
    return o;
}

static obj *new_list(server *srv)
{
    obj *o = obj_create(OBJ_LIST, ql_create(srv->cfg.list_max_listpack_size,
                                            srv->cfg.list_compress_depth));
    o->enc = ENC_QUICKLIST;
    return o;
}

static obj *load_quicklist(rdb_reader *r, int type)
{
    uint64_t nodes;
    obj *o = new_list(r->srv);
    ql *q = o->ptr;

    if (rd_len(r, &nodes) != 0) {
        goto err;
    }
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container = QL_PACKED;
        unsigned char *blob;
        size_t n;
        if (type == RDB_TYPE_LIST_QUICKLIST_2 && rd_len(r, &container) != 0) {
            goto err;
        }
        if (container != QL_PACKED && container != QL_PLAIN) {
            fail(r, "Quicklist integrity check failed.");
            goto err;
        }
        if (rd_blob(r, &blob, &n) != 0) {
            goto err;
        }
        if (container == QL_PLAIN) {
            ql_append_plain(q, blob, n);
            continue;
        }
        if (type == RDB_TYPE_LIST_QUICKLIST) {
            size_t cnt;
            unsigned char *lp = rdb_ziplist_to_listpack(blob, n, &cnt);
            mem_free(blob);
            if (lp == NULL) {
                fail(r, "Ziplist integrity check failed.");
                goto err;
            }
            ql_append_listpack(q, lp);
            continue;
        }
        if (lp_validate(blob, n, 1) != 0) {
            mem_free(blob);
            fail(r, "Listpack integrity check failed.");
            goto err;
        }
        ql_append_listpack(q, blob);
    }
    if (ql_count(q) == 0) {
        fail(r, "Empty list");
        goto err;
    }
    return o;
err:
    obj_decr(o);
    return NULL;
}

/* Redis converts small plain sets/hashes/zsets to their compact forms. */
static obj *load_set_plain(rdb_reader *r)
{
    uint64_t n;
    server *srv = r->srv;

    if (rd_len(r, &n) != 0) {
        return NULL;
    }
    if (n == 0) {
        fail(r, "Empty set");
        return NULL;
    }
    obj *o;
    if (n <= (uint64_t)srv->cfg.set_max_intset_entries) {
        o = obj_create(OBJ_SET, intset_new());
        o->enc = ENC_INTSET;
    } else {
        o = obj_create(OBJ_SET, dict_create(NULL));
        o->enc = ENC_HT;
        if (check_size(r, n) == 0) {
            dict_expand(o->ptr, n);
        }
    }
    for (uint64_t i = 0; i < n; i++) {
        str s;
        if (rd_string(r, &s) != 0) {
            obj_decr(o);
            return NULL;
        }
        int64_t v;
        if (o->enc == ENC_INTSET) {
            if (lp_string_to_int64(s, str_len(s), &v) == 0) {
                int added;
                o->ptr = intset_add(o->ptr, v, &added);
                str_free(s);
                if (!added) {
                    obj_decr(o);
                    fail(r, "Duplicate set members detected");
                    return NULL;
                }
                continue;
            }
            /* Not an integer: switch to a dict for good. */
            set_convert_ht(o);
        }
        if (dict_add(o->ptr, s, str_len(s)) == NULL) {
            str_free(s);
            obj_decr(o);
            fail(r, "Duplicate set members detected");
            return NULL;
        }
        str_free(s);
    }
    return o;
}

static obj *load_hash_plain(rdb_reader *r)
{
    uint64_t n;
    server *srv = r->srv;

    if (rd_len(r, &n) != 0) {
        return NULL;
    }
    if (n == 0) {
        fail(r, "Empty hash");
        return NULL;
    }
    /* Read into a listpack while it fits, as Redis does. */
    unsigned char *lp = NULL;
    obj *o = NULL;
    if (n <= (uint64_t)srv->cfg.hash_max_listpack_entries) {
        lp = lp_new(0);
    } else {
        o = hash_create_ht(check_size(r, n) == 0 ? n : 0);
    }
    for (uint64_t i = 0; i < n; i++) {
        str f, v;
        if (rd_string(r, &f) != 0) {
            goto err;
        }
        if (rd_string(r, &v) != 0) {
            str_free(f);
            goto err;
        }
        if (lp != NULL &&
            (str_len(f) > (size_t)srv->cfg.hash_max_listpack_value ||
             str_len(v) > (size_t)srv->cfg.hash_max_listpack_value)) {
            /* Too long for a listpack: move what we have to a dict. */
            o = hash_create_ht(n);
            unsigned char fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE];
            for (unsigned char *p = lp_first(lp); p != NULL;
                 p = lp_next(lp, p)) {
                uint32_t fn, vn;
                const unsigned char *fp = lp_get(p, &fn, fb);
                p = lp_next(lp, p);
                const unsigned char *vp = lp_get(p, &vn, vb);
                hash_ht_add(o, (const char *)fp, fn, (const char *)vp, vn);
            }
            lp_free(lp);
            lp = NULL;
        }
        int dup;
        if (lp != NULL) {
            dup = lp_find(lp, lp_first(lp), f, (uint32_t)str_len(f), 1) != NULL;
            if (!dup) {
                lp = lp_append(lp, f, (uint32_t)str_len(f));
                lp = lp_append(lp, v, (uint32_t)str_len(v));
            }
        } else {
            dup = hash_ht_add(o, f, str_len(f), v, str_len(v)) != 0;
        }
        str_free(f);
        str_free(v);
        if (dup) {
            fail(r, "Duplicate hash fields detected");
            goto err;
        }
    }
    if (lp != NULL) {
        o = obj_create(OBJ_HASH, lp);
        o->enc = ENC_LISTPACK;
    }
    return o;
err:
    if (lp != NULL) {
        lp_free(lp);
    }
    if (o != NULL) {
        obj_decr(o);
    }
    return NULL;
}

static obj *load_zset_plain(rdb_reader *r, int type)
{
    uint64_t n;
    server *srv = r->srv;

    if (rd_len(r, &n) != 0) {
        return NULL;
    }
    if (n == 0) {
        fail(r, "Empty zset");
        return NULL;
    }
    obj *o = zset_create_skiplist();
    size_t maxelelen = 0, totelelen = 0;
    for (uint64_t i = 0; i < n; i++) {
        str m;
        double score, old;
        if (rd_string(r, &m) != 0) {
            goto err;
        }
        int rc = type == RDB_TYPE_ZSET_2 ? rd_binary_double(r, &score)
                                         : rd_text_double(r, &score);
        if (rc != 0 || isnan(score)) {
            str_free(m);
            fail(r, "Zset with an invalid score");
            goto err;
        }
        if (zset_score(o, m, str_len(m), &old) == 0) {
            str_free(m);
            fail(r, "Duplicate zset fields detected");
            goto err;
        }
        int out = 0;
        zset_add(srv, o, score, m, str_len(m), 0, &out, NULL);
        if (str_len(m) > maxelelen) {
            maxelelen = str_len(m);
        }
        totelelen += str_len(m);
        str_free(m);
    }
    zset_convert_to_listpack_if_needed(srv, o, maxelelen, totelelen);
    return o;
err:
    obj_decr(o);
    return NULL;
}

/* ---- streams ---- */

static int lp_int_at(unsigned char *lp, unsigned char **p, int64_t *v)
{
    long long x;

    if (*p == NULL || lp_get_ll(*p, &x) != 0) {
        return -1;
    }
    *v = x;
    *p = lp_next(lp, *p);
    return 0;
}

/* Check a stream node's structure (see stream.h) so iteration over it is
 * safe. The blob already passed lp_validate(deep). */
static int stream_lp_ok(unsigned char *lp)
{
    unsigned char *p = lp_first(lp);
    int64_t count, deleted, mfields, zero;

    if (lp_int_at(lp, &p, &count) || lp_int_at(lp, &p, &deleted) ||
        lp_int_at(lp, &p, &mfields) || count < 0 || deleted < 0 ||
        mfields < 0 || mfields > 1000000) {
        return -1;
    }
    for (int64_t i = 0; i < mfields; i++) {
        if (p == NULL) {
            return -1;
        }
        p = lp_next(lp, p);
    }
    if (lp_int_at(lp, &p, &zero) || zero != 0) {
        return -1;
    }
    int64_t live = 0, dead = 0;
    while (p != NULL) {
        int64_t flags, msd, seqd, nf, lpcount, elems;
        if (lp_int_at(lp, &p, &flags) || lp_int_at(lp, &p, &msd) ||
            lp_int_at(lp, &p, &seqd)) {
            return -1;
        }
        if (flags & STREAM_ITEM_SAMEFIELDS) {
            nf = mfields;
            elems = 3 + nf;
            for (int64_t i = 0; i < nf; i++) {
                if (p == NULL) {
                    return -1;
                }
                p = lp_next(lp, p);
            }
        } else {
            if (lp_int_at(lp, &p, &nf) || nf < 0 || nf > 1000000) {
                return -1;
            }
            elems = 4 + 2 * nf;
            for (int64_t i = 0; i < 2 * nf; i++) {
                if (p == NULL) {
                    return -1;
                }
                p = lp_next(lp, p);
            }
        }
        if (lp_int_at(lp, &p, &lpcount) || lpcount != elems) {
            return -1;
        }
        if (flags & STREAM_ITEM_DELETED) {
            dead++;
        } else {
            live++;
        }
    }
    return live == count && dead == deleted && live > 0 ? 0 : -1;
}

static int rd_raw_id(rdb_reader *r, stream_id *id)
{
    unsigned char b[16];

    if (rd(r, b, 16) != 0) {
        return -1;
    }
    id->ms = id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = (id->ms << 8) | b[i];
        id->seq = (id->seq << 8) | b[8 + i];
    }
    return 0;
}

static obj *load_stream(rdb_reader *r, int type)
{
    uint64_t nodes, v;
    stream *s = stream_create();
    obj *o = obj_create(OBJ_STREAM, s);
    o->enc = ENC_STREAM;

    if (rd_len(r, &nodes) != 0) {
        goto err;
    }
    for (uint64_t i = 0; i < nodes; i++) {
        str key;
        unsigned char *lp;
        size_t n;
        if (rd_string(r, &key) != 0) {
            goto err;
        }
        if (str_len(key) != 16) {
            str_free(key);
            fail(r, "Stream node key entry is not the size of a stream ID");
            goto err;
        }
        stream_id id = {0, 0};
        for (int k = 0; k < 8; k++) {
            id.ms = (id.ms << 8) | (unsigned char)key[k];
            id.seq = (id.seq << 8) | (unsigned char)key[8 + k];
        }
        str_free(key);
        if (rd_blob(r, &lp, &n) != 0) {
            goto err;
        }
        if (lp_validate(lp, n, 1) != 0 || lp_first(lp) == NULL ||
            stream_lp_ok(lp) != 0) {
            mem_free(lp);
            fail(r, "Stream listpack integrity check failed.");
            goto err;
        }
        if (stree_insert(s->nodes, &id, lp) != 0) {
            mem_free(lp);
            fail(r, "Duplicated key found in stream listpack tree.");
            goto err;
        }
    }
    if (rd_len(r, &v) != 0) {
        goto err;
    }
    s->length = v;
    if (rd_len(r, &s->last_id.ms) != 0 || rd_len(r, &s->last_id.seq) != 0) {
        goto err;
    }
    if (type == RDB_TYPE_STREAM_LISTPACKS_2) {
        if (rd_len(r, &s->first_id.ms) != 0 ||
            rd_len(r, &s->first_id.seq) != 0 ||
            rd_len(r, &s->max_deleted_id.ms) != 0 ||
            rd_len(r, &s->max_deleted_id.seq) != 0 ||
            rd_len(r, &s->entries_added) != 0) {
            goto err;
        }
    } else {
        s->entries_added = s->length;
        stream_first_id(s, &s->first_id);
    }
    if (s->length > 0 && stree_size(s->nodes) == 0) {
        fail(r, "Stream length inconsistent with its nodes");
        goto err;
    }
    uint64_t ngroups;
    if (rd_len(r, &ngroups) != 0) {
        goto err;
    }
    for (uint64_t g = 0; g < ngroups; g++) {
        str name;
        stream_id last;
        uint64_t er = 0;
        if (rd_string(r, &name) != 0) {
            goto err;
        }
        if (rd_len(r, &last.ms) != 0 || rd_len(r, &last.seq) != 0 ||
            (type == RDB_TYPE_STREAM_LISTPACKS_2 && rd_len(r, &er) != 0)) {
            str_free(name);
            goto err;
        }
        long long entries_read = type == RDB_TYPE_STREAM_LISTPACKS_2
                                     ? (long long)er
                                     : stream_estimate_distance(s, &last);
        stream_cg *cg =
            stream_cg_create(s, name, str_len(name), &last, entries_read);
        str_free(name);
        if (cg == NULL) {
            fail(r, "Duplicated consumer group name");
            goto err;
        }
        uint64_t npel;
        if (rd_len(r, &npel) != 0) {
            goto err;
        }
        for (uint64_t k = 0; k < npel; k++) {
            stream_id id;
            long long t;
            uint64_t cnt;
            if (rd_raw_id(r, &id) != 0 || rd_ms(r, &t) != 0 ||
                rd_len(r, &cnt) != 0) {
                goto err;
            }
            stream_nack *nack = stream_nack_create(NULL, t);
            nack->delivery_count = cnt;
            if (stree_insert(cg->pel, &id, nack) != 0) {
                mem_free(nack);
                fail(r, "Duplicated global PEL entry loading stream "
                        "consumer group");
                goto err;
            }
        }
        uint64_t ncons;
        if (rd_len(r, &ncons) != 0) {
            goto err;
        }
        for (uint64_t c = 0; c < ncons; c++) {
            str cname;
            long long seen;
            uint64_t cpel;
            if (rd_string(r, &cname) != 0) {
                goto err;
            }
            if (rd_ms(r, &seen) != 0) {
                str_free(cname);
                goto err;
            }
            stream_consumer *sc =
                stream_consumer_create(cg, cname, str_len(cname), seen);
            str_free(cname);
            if (sc == NULL) {
                fail(r, "Duplicate stream consumer detected.");
                goto err;
            }
            if (rd_len(r, &cpel) != 0) {
                goto err;
            }
            for (uint64_t k = 0; k < cpel; k++) {
                stream_id id;
                if (rd_raw_id(r, &id) != 0) {
                    goto err;
                }
                stream_nack *nack = stree_find(cg->pel, &id);
                if (nack == NULL || nack->consumer != NULL) {
                    fail(r, "Consumer entry not found in group global PEL");
                    goto err;
                }
                nack->consumer = sc;
                stree_insert(sc->pel, &id, nack);
            }
        }
        /* Every pending entry must have an owner. */
        stree_iter it;
        for (int ok = stree_first(cg->pel, &it); ok; ok = stree_next(&it)) {
            stream_nack *nack = stree_iter_val(&it);
            if (nack->consumer == NULL) {
                fail(r, "Stream CG PEL entry without consumer");
                goto err;
            }
        }
    }
    return o;
err:
    /* PEL entries without a consumer yet are only in the group PEL,
     * which stream_destroy frees with the group. */
    obj_decr(o);
    return NULL;
}

/* Load one value of the given type. NULL with r->err on error. */
static obj *load_object(rdb_reader *r, int type)
{
    switch (type) {
    case RDB_TYPE_STRING: {
        str s;
        int isint;
        long long v;
        if (rd_string_ex(r, &s, &isint, &v) != 0) {
            return NULL;
        }
        obj *o;
        if (isint) {
            o = obj_create_ll(v);
            str_free(s);
            return o;
        }
        /* As Redis: the best encoding for the bytes (int, embstr). */
        if (str_len(s) <= OBJ_EMBSTR_LIMIT) {
            o = obj_create_string(s, str_len(s));
            str_free(s);
        } else {
            o = obj_create_from_str(s);
        }
        return obj_try_encode(o);
    }
    case RDB_TYPE_LIST: {
        uint64_t n;
        if (rd_len(r, &n) != 0) {
            return NULL;
        }
        if (n == 0) {
            fail(r, "Empty list");
            return NULL;
        }
        obj *o = new_list(r->srv);
        for (uint64_t i = 0; i < n; i++) {
            str s;
            if (rd_string(r, &s) != 0) {
                obj_decr(o);
                return NULL;
            }
            ql_push_tail(o->ptr, s, str_len(s));
            str_free(s);
        }
        return o;
    }
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: return load_quicklist(r, type);
    case RDB_TYPE_LIST_ZIPLIST: {
        unsigned char *blob, *lp;
        size_t n, cnt;
        if (rd_blob(r, &blob, &n) != 0) {
            return NULL;
        }
        lp = rdb_ziplist_to_listpack(blob, n, &cnt);
        mem_free(blob);
        if (lp == NULL || cnt == 0) {
            if (lp != NULL) {
                lp_free(lp);
            }
            fail(r, "Ziplist integrity check failed.");
            return NULL;
        }
        obj *o = new_list(r->srv);
        ql_append_listpack(o->ptr, lp);
        return o;
    }
    case RDB_TYPE_SET: return load_set_plain(r);
    case RDB_TYPE_SET_INTSET: {
        unsigned char *blob;
        size_t n;
        if (rd_blob(r, &blob, &n) != 0) {
            return NULL;
        }
        return load_set_intset(r, blob, n);
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: return load_zset_plain(r, type);
    case RDB_TYPE_HASH: return load_hash_plain(r);
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_ZSET_LISTPACK:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST: {
        unsigned char *blob;
        size_t n;
        if (rd_blob(r, &blob, &n) != 0) {
            return NULL;
        }
        if (type == RDB_TYPE_HASH_ZIPLIST || type == RDB_TYPE_ZSET_ZIPLIST) {
            size_t cnt;
            unsigned char *lp = rdb_ziplist_to_listpack(blob, n, &cnt);
            mem_free(blob);
            if (lp == NULL) {
                fail(r, "Ziplist integrity check failed.");
                return NULL;
            }
            blob = lp;
            n = lp_bytes(lp);
        }
        if (type == RDB_TYPE_HASH_LISTPACK || type == RDB_TYPE_HASH_ZIPLIST) {
            return load_hash_listpack(r, blob, n);
        }
        return load_zset_listpack(r, blob, n);
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2: return load_stream(r, type);
    default: fail(r, "Unknown RDB encoding type %d", type); return NULL;
    }
}

/* ---- RESTORE ---- */

obj *rdb_restore_value(const char *p, size_t n, str *err)
{
    /* Without a server at hand, decode with the default encoding limits. */
    server *tmp = mem_alloc(sizeof(*tmp));
    memset(tmp, 0, sizeof(*tmp));
    config_init(&tmp->cfg);
    obj *o = rdb_restore_value_srv(tmp, p, n, err);
    config_deinit(&tmp->cfg);
    mem_free(tmp);
    return o;
}

obj *rdb_restore_value_srv(server *srv, const char *p, size_t n, str *err)
{
    rdb_reader r;
    int type;

    if (rdb_verify_dump_payload(p, n) != 0) {
        *err = str_from_cstr("DUMP payload version or checksum are wrong");
        return NULL;
    }
    memset(&r, 0, sizeof(r));
    r.p = (const unsigned char *)p;
    r.n = n - 10;
    r.srv = srv;
    obj *o = NULL;
    if (rd_byte(&r, &type) == 0) {
        o = load_object(&r, type);
    }
    if (o == NULL || r.pos != r.n) {
        if (o != NULL) {
            obj_decr(o);
        }
        if (r.err != NULL) {
            str_free(r.err);
        }
        *err = str_from_cstr("Bad data format");
        return NULL;
    }
    if (r.err != NULL) {
        str_free(r.err);
    }
    return o;
}

/* ---- whole files ---- */

static int load_body(rdb_reader *r)
{
    server *srv = r->srv;
    char magic[10];
    db *d = r->key_fn != NULL ? NULL : &srv->dbs[0];
    int dbid = 0;
    long long expire = -1, idle = -1;
    int freq = -1;
    long long now = util_ustime() / 1000;

    if (rd(r, magic, 9) != 0) {
        return -1;
    }
    if (memcmp(magic, "REDIS", 5) != 0) {
        return fail(r, "Wrong signature trying to load DB from file");
    }
    magic[9] = '\0';
    int ver = atoi(magic + 5);
    if (ver < 1 || ver > RDB_VERSION) {
        return fail(r, "Can't handle RDB format version %d", ver);
    }
    for (;;) {
        int type;
        if (rd_byte(r, &type) != 0) {
            return -1;
        }
        if (type == RDB_OPCODE_EXPIRETIME) {
            unsigned char b[4];
            if (rd(r, b, 4) != 0) {
                return -1;
            }
            expire = (long long)(b[0] | (b[1] << 8) | (b[2] << 16) |
                                 ((uint32_t)b[3] << 24)) *
                     1000;
            continue;
        }
        if (type == RDB_OPCODE_EXPIRETIME_MS) {
            if (rd_ms(r, &expire) != 0) {
                return -1;
            }
            continue;
        }
        if (type == RDB_OPCODE_FREQ) {
            if (rd_byte(r, &freq) != 0) {
                return -1;
            }
            continue;
        }
        if (type == RDB_OPCODE_IDLE) {
            uint64_t v;
            if (rd_len(r, &v) != 0) {
                return -1;
            }
            idle = (long long)v;
            continue;
        }
        if (type == RDB_OPCODE_EOF) {
            break;
        }
        if (type == RDB_OPCODE_SELECTDB) {
            uint64_t id;
            if (rd_len(r, &id) != 0) {
                return -1;
            }
            if (r->key_fn != NULL) {
                dbid = (int)(id > INT32_MAX ? INT32_MAX : id);
                continue;
            }
            if (id >= (uint64_t)srv->dbnum) {
                return fail(r,
                            "FATAL: Data file was created with a Redis "
                            "server configured to handle more than %d "
                            "databases. Exiting",
                            srv->dbnum);
            }
            d = &srv->dbs[id];
            dbid = (int)id;
            continue;
        }
        if (type == RDB_OPCODE_RESIZEDB) {
            uint64_t a, b;
            if (rd_len(r, &a) != 0 || rd_len(r, &b) != 0) {
                return -1;
            }
            continue;
        }
        if (type == RDB_OPCODE_AUX) {
            str k, v;
            if (rd_string(r, &k) != 0) {
                return -1;
            }
            if (rd_string(r, &v) != 0) {
                str_free(k);
                return -1;
            }
            if (strcmp(k, "redis-ver") == 0) {
                log_notice("Loading RDB produced by version %s", v);
            }
            str_free(k);
            str_free(v);
            continue;
        }
        if (type == RDB_OPCODE_MODULE_AUX) {
            return fail(r, "The RDB file contains AUX module data I can't "
                           "load: no matching module");
        }
        if (type == RDB_OPCODE_FUNCTION) {
            return fail(r, "Pre-release function format not supported.");
        }
        if (type == RDB_OPCODE_FUNCTION2) {
            str code, ferr = NULL;
            if (rd_string(r, &code) != 0) {
                return -1;
            }
            if (r->key_fn != NULL) {
                int rc =
                    r->key_fn(r->key_priv, -1, code, str_len(code), NULL, -1);
                str_free(code);
                if (rc != 0) {
                    return fail(r, "Stopped by the reader");
                }
                continue;
            }
            int rc =
                functions_load_code(srv, code, str_len(code), r->merge, &ferr);
            str_free(code);
            if (rc != 0) {
                fail(r, "Failed loading library: %s",
                     ferr != NULL ? ferr : "unknown error");
                if (ferr != NULL) {
                    str_free(ferr);
                }
                return -1;
            }
            continue;
        }
        /* A key and its value. */
        str key;
        if (rd_string(r, &key) != 0) {
            return -1;
        }
        obj *o = load_object(r, type);
        if (o == NULL) {
            str_free(key);
            return -1;
        }
        if (r->key_fn != NULL) {
            int rc = r->key_fn(r->key_priv, dbid, key, str_len(key), o, expire);
            str_free(key);
            expire = -1;
            idle = -1;
            freq = -1;
            if (rc != 0) {
                return fail(r, "Stopped by the reader");
            }
            continue;
        }
        if (r->skip_expired && expire != -1 && expire < now) {
            obj_decr(o);
            srv->rdb_last_load_keys_expired++;
        } else if (!r->merge && db_find(d, key, str_len(key)) != NULL) {
            obj_decr(o);
            fail(r, "Duplicate key '%s' found in RDB file", key);
            str_free(key);
            return -1;
        } else {
            if (rdb_policy_lfu(srv->cfg.maxmemory_policy) && freq >= 0) {
                unsigned long mins = (unsigned long)(now / 1000 / 60) & 65535;
                o->lru = (unsigned)((mins << 8) | (unsigned)freq);
            } else if (rdb_policy_lru(srv->cfg.maxmemory_policy) && idle >= 0) {
                long long clock = srv->lru_clock;
                long long back = idle * 1000 / LRU_CLOCK_RESOLUTION;
                clock -= back;
                if (clock < 0) {
                    clock += LRU_CLOCK_MAX;
                }
                o->lru = (unsigned)clock;
            }
            if (o->refcount == OBJ_SHARED_REFCOUNT) {
                /* shared integers carry no per-key access bits */
            }
            if (r->merge) {
                db_delete(d, key, str_len(key));
            }
            db_add(d, key, str_len(key), o);
            if (expire != -1) {
                db_set_expire(d, key, str_len(key), expire);
            }
            srv->rdb_last_load_keys_loaded++;
        }
        str_free(key);
        expire = -1;
        idle = -1;
        freq = -1;
    }
    /* The checksum: 8 bytes, 0 when the writer had rdbchecksum off. */
    if (ver >= 5) {
        uint64_t expect = r->crc;
        unsigned char b[8];
        int was = r->checksum;
        r->checksum = 0;
        if (rd(r, b, 8) != 0) {
            return -1;
        }
        r->checksum = was;
        uint64_t got = 0;
        for (int i = 7; i >= 0; i--) {
            got = (got << 8) | b[i];
        }
        if (was && got != 0 && got != expect) {
            return fail(r,
                        "Wrong RDB checksum expected: (%016llx) got: "
                        "(%016llx). Aborting now.",
                        (unsigned long long)got, (unsigned long long)expect);
        }
    }
    return 0;
}

static int load_rdb_stream(server *srv, FILE *file, const char *name,
                           int skip_expired, int merge, str *err)
{
    rdb_reader r;

    memset(&r, 0, sizeof(r));
    r.skip_expired = skip_expired;
    r.merge = merge;
    r.f = file;
    r.file_size = stream_size(file);
    r.what = name;
    r.srv = srv;
    r.checksum = srv->cfg.rdbchecksum;
    srv->rdb_last_load_keys_expired = 0;
    srv->rdb_last_load_keys_loaded = 0;
    srv->loading = 1;
    int rc = load_body(&r);
    srv->loading = 0;
    if (rc != 0) {
        *err = str_catfmt(str_empty(), "%s (file %s, offset %zu)",
                          r.err != NULL ? r.err : "Bad RDB", name, r.pos);
    }
    if (r.err != NULL) {
        str_free(r.err);
    }
    return rc;
}

int rdb_load_stream(server *srv, void *file, const char *name, str *err)
{
    return load_rdb_stream(srv, file, name, 0, 0, err);
}

int rdb_load_file(server *srv, const char *path, str *err)
{
    return rdb_load_file_ex(srv, path, 0, err);
}

int rdb_load_file_ex(server *srv, const char *path, int merge, str *err)
{
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        *err =
            str_catfmt(str_empty(), "Can't open %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = load_rdb_stream(srv, f, path, 1, merge, err);
    fclose(f);
    return rc;
}

int rdb_load_at_startup(server *srv)
{
    char path[4200];
    str err = NULL;

    /* dir is the working directory (config.c chdir()s to it). */
    snprintf(path, sizeof(path), "%s", srv->cfg.dbfilename);
    if (access(path, F_OK) != 0) {
        return 0;
    }
    long long start = util_ustime();
    if (rdb_load_file(srv, path, &err) != 0) {
        log_warn("Fatal error loading the DB: %s. Exiting.", err);
        str_free(err);
        return -1;
    }
    log_notice("DB loaded from disk: %.3f seconds",
               (double)(util_ustime() - start) / 1e6);
    if (srv->rdb_last_load_keys_expired > 0) {
        log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld.",
                   srv->rdb_last_load_keys_loaded,
                   srv->rdb_last_load_keys_expired);
    }
    return 0;
}

int rdb_read_file(server *srv, const char *path, rdb_key_fn *fn, void *priv,
                  str *err)
{
    FILE *f = fopen(path, "r");
    rdb_reader r;

    if (f == NULL) {
        *err =
            str_catfmt(str_empty(), "Can't open %s: %s", path, strerror(errno));
        return -1;
    }
    memset(&r, 0, sizeof(r));
    r.f = f;
    r.file_size = stream_size(f);
    r.what = path;
    r.srv = srv;
    r.checksum = 1;
    r.key_fn = fn;
    r.key_priv = priv;
    int rc = load_body(&r);
    if (rc != 0) {
        *err = str_catfmt(str_empty(), "%s (file %s, offset %zu)",
                          r.err != NULL ? r.err : "Bad RDB", path, r.pos);
    }
    if (r.err != NULL) {
        str_free(r.err);
    }
    fclose(f);
    return rc;
}
