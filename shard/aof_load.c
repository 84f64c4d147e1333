/* aof_load: reading the AOF directory at start-up: the manifest, then the
 * base (an RDB preamble or commands) and every incremental file, replayed
 * through a fake client; a truncated tail is trimmed, corruption refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aof.h"
#include "cmd.h"
#include "log.h"
#include "mem.h"
#include "net.h"
#include "propagate.h"
#include "rdb.h"
#include "util.h"

#define MAX_ARGS (1024 * 1024)

/* ---- the manifest ---- */

int aof_manifest_load(server *srv)
{
    aof_manifest *m = &srv->aof->mf;
    str name = str_catfmt(str_empty(), "%s.manifest", srv->cfg.appendfilename);
    str path = aof_path(srv, name);
    FILE *f = fopen(path, "r");
    char line[1024];
    int rc = -1, lineno = 0;

    if (f == NULL) {
        rc = errno == ENOENT ? 0 : -1;
        if (rc < 0) {
            log_warn("Fatal error: can't open the AOF manifest %s for "
                     "reading: %s",
                     path, strerror(errno));
        }
        goto out;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len == 0 || line[0] == '#' || line[0] == '\n') {
            continue;
        }
        if (line[len - 1] != '\n') {
            log_warn("The AOF manifest file %s is invalid format (line %d "
                     "too long or unterminated)",
                     path, lineno);
            goto out;
        }
        int argc;
        str *argv = util_split_args(line, len, &argc);
        const char *fname = NULL, *type = NULL;
        long long seq = -1;
        if (argv == NULL || argc % 2 != 0) {
            goto bad_line;
        }
        for (int i = 0; i < argc; i += 2) {
            if (strcmp(argv[i], "file") == 0) {
                fname = argv[i + 1];
            } else if (strcmp(argv[i], "seq") == 0) {
                if (util_str2ll(argv[i + 1], str_len(argv[i + 1]), &seq) != 0) {
                    goto bad_line;
                }
            } else if (strcmp(argv[i], "type") == 0) {
                type = argv[i + 1];
            }
        }
        if (fname == NULL || seq < 0 || type == NULL ||
            strchr(fname, '/') != NULL || strlen(type) != 1) {
            goto bad_line;
        }
        if (type[0] == 'b') {
            if (m->base.name != NULL) {
                goto bad_line; /* one base only */
            }
            m->base.name = str_from_cstr(fname);
            m->base.seq = seq;
            m->base.type = 'b';
            if (seq > m->base_seq) {
                m->base_seq = seq;
            }
        } else if (type[0] == 'h') {
            aof_manifest_push(&m->hist, &m->nhist, fname, seq, 'h');
        } else if (type[0] == 'i') {
            if (seq <= m->incr_seq) {
                goto bad_line; /* must increase */
            }
            aof_manifest_push(&m->incr, &m->nincr, fname, seq, 'i');
            m->incr_seq = seq;
        } else {
            goto bad_line;
        }
        util_free_args(argv, argc);
        continue;
    bad_line:
        if (argv != NULL) {
            util_free_args(argv, argc);
        }
        log_warn("Invalid AOF manifest file format: %s line %d", path, lineno);
        goto out;
    }
    srv->aof->mf_loaded = 1;
    rc = 1;
out:
    if (f != NULL) {
        fclose(f);
    }
    str_free(name);
    str_free(path);
    return rc;
}

/* ---- replaying commands ---- */

enum { RD_OK = 0, RD_EOF = 1, RD_TRUNC = -1, RD_BAD = -2 };

typedef struct loader {
    server *srv;
    FILE *f;
    const char *name;
    client *fc;
    str *argv; /* the command being read */
    int argc;
    int cap;
    /* MULTI ... EXEC: commands held until EXEC */
    str **held;
    int *held_argc;
    int nheld;
    int heldcap;
    int in_multi;
    long long multi_off; /* offset of the MULTI */
} loader;

/* One "<prefix><number>\r\n" line. */
static int read_num_line(FILE *f, char prefix, long long *v)
{
    char line[64];

    if (fgets(line, sizeof(line), f) == NULL) {
        return feof(f) ? RD_TRUNC : RD_BAD;
    }
    size_t len = strlen(line);
    if (line[len - 1] != '\n') {
        return feof(f) ? RD_TRUNC : RD_BAD;
    }
    if (line[0] != prefix || len < 4 || line[len - 2] != '\r' ||
        util_str2ll(line + 1, len - 3, v) != 0) {
        return RD_BAD;
    }
    return RD_OK;
}

static void free_cmd(str *argv, int argc)
{
    for (int i = 0; i < argc; i++) {
        str_free(argv[i]);
    }
}

/* Read one command into l->argv. RD_EOF at a clean end of file. */
static int read_command(loader *l)
{
    int ch;

    /* Annotations (aof-timestamp-enabled) are lines starting with '#'. */
    while ((ch = fgetc(l->f)) == '#') {
        char skip[256];
        do {
            if (fgets(skip, sizeof(skip), l->f) == NULL) {
                return RD_TRUNC;
            }
        } while (strchr(skip, '\n') == NULL);
    }
    if (ch == EOF) {
        return ferror(l->f) ? RD_BAD : RD_EOF;
    }
    ungetc(ch, l->f);
    long long argc;
    int rc = read_num_line(l->f, '*', &argc);
    if (rc != RD_OK) {
        return rc;
    }
    if (argc < 1 || argc > MAX_ARGS) {
        return RD_BAD;
    }
    if (argc > l->cap) {
        l->argv = mem_realloc(l->argv, sizeof(str) * (size_t)argc);
        l->cap = (int)argc;
    }
    l->argc = 0;
    for (long long i = 0; i < argc; i++) {
        long long len;
        rc = read_num_line(l->f, '$', &len);
        if (rc != RD_OK) {
            return rc;
        }
        if (len < 0 || len > (long long)l->srv->cfg.proto_max_bulk_len) {
            return RD_BAD;
        }
        str a = str_new(NULL, (size_t)len);
        if (len > 0 && fread(a, 1, (size_t)len, l->f) != (size_t)len) {
            str_free(a);
            return feof(l->f) ? RD_TRUNC : RD_BAD;
        }
        char crlf[2];
        size_t got = fread(crlf, 1, 2, l->f);
        if (got != 2) {
            str_free(a);
            return feof(l->f) ? RD_TRUNC : RD_BAD;
        }
        if (crlf[0] != '\r' || crlf[1] != '\n') {
            str_free(a);
            return RD_BAD;
        }
        l->argv[l->argc++] = a;
    }
    return RD_OK;
}

/* Run one command on the fake client. Returns 0, or -1 for an unknown
 * command (logged). */
static int run(loader *l, str *argv, int argc)
{
    client *c = l->fc;
    arg stack[16];
    arg *args = argc <= 16 ? stack : mem_alloc(sizeof(arg) * (size_t)argc);
    arg *saved = c->argv;
    int saved_argc = c->argc;

    for (int i = 0; i < argc; i++) {
        args[i].p = argv[i];
        args[i].n = str_len(argv[i]);
    }
    c->argv = args;
    c->argc = argc;
    command *cmd = cmd_lookup_argv(l->srv, args, argc);
    int rc = 0;
    if (cmd == NULL) {
        log_warn("Unknown command '%.64s' reading the append only file %s",
                 argv[0], l->name);
        rc = -1;
    } else {
        c->cmd = cmd;
        cmd_call(c);
    }
    c->argv = saved;
    c->argc = saved_argc;
    if (args != stack) {
        mem_free(args);
    }
    return rc;
}

static void drop_held(loader *l)
{
    for (int i = 0; i < l->nheld; i++) {
        free_cmd(l->held[i], l->held_argc[i]);
        mem_free(l->held[i]);
    }
    l->nheld = 0;
    l->in_multi = 0;
}

static int is_cmd(const str *argv, int argc, const char *name)
{
    return argc == 1 && strcasecmp(argv[0], name) == 0;
}

/* Replays l->f from its position. Returns 0 (the whole file), RD_TRUNC
 * with *valid = offset of the end of the last complete command (a MULTI
 * without EXEC counts as truncated at the MULTI), or RD_BAD with *valid =
 * offset of the bad command. -3: an unknown command. */
static int replay(loader *l, long long *valid)
{
    for (;;) {
        long long start = ftello(l->f);
        int rc = read_command(l);
        if (rc == RD_EOF) {
            if (l->in_multi) {
                *valid = l->multi_off;
                return RD_TRUNC;
            }
            return 0;
        }
        if (rc != RD_OK) {
            free_cmd(l->argv, l->argc);
            *valid = rc == RD_TRUNC && l->in_multi ? l->multi_off : start;
            return rc;
        }
        if (is_cmd(l->argv, l->argc, "multi") && !l->in_multi) {
            l->in_multi = 1;
            l->multi_off = start;
            free_cmd(l->argv, l->argc);
            continue;
        }
        if (is_cmd(l->argv, l->argc, "exec") && l->in_multi) {
            free_cmd(l->argv, l->argc);
            for (int i = 0; i < l->nheld; i++) {
                if (run(l, l->held[i], l->held_argc[i]) != 0) {
                    *valid = start;
                    return -3;
                }
            }
            drop_held(l);
            continue;
        }
        if (l->in_multi) {
            if (l->nheld == l->heldcap) {
                l->heldcap = l->heldcap ? l->heldcap * 2 : 16;
                l->held =
                    mem_realloc(l->held, sizeof(str *) * (size_t)l->heldcap);
                l->held_argc =
                    mem_realloc(l->held_argc, sizeof(int) * (size_t)l->heldcap);
            }
            str *copy = mem_alloc(sizeof(str) * (size_t)l->argc);
            memcpy(copy, l->argv, sizeof(str) * (size_t)l->argc);
            l->held[l->nheld] = copy;
            l->held_argc[l->nheld] = l->argc;
            l->nheld++;
            continue;
        }
        rc = run(l, l->argv, l->argc);
        free_cmd(l->argv, l->argc);
        if (rc != 0) {
            *valid = start;
            return -3;
        }
    }
}

int aof_load_file(server *srv, const char *name, int last)
{
    str path = aof_path(srv, name);
    FILE *f = fopen(path, "r");
    loader l;
    long long valid = 0;
    int rc = -1;

    memset(&l, 0, sizeof(l));
    if (f == NULL) {
        log_warn("Fatal error: can't open the append log file %s for "
                 "reading: %s",
                 path, strerror(errno));
        goto out;
    }
    static char iobuf[1 << 16];
    setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
    l.srv = srv;
    l.f = f;
    l.name = name;
    l.fc = net_client_create(srv, -1, CF_FAKE);
    /* An RDB preamble (a base written with aof-use-rdb-preamble). */
    char magic[5];
    size_t got = fread(magic, 1, 5, f);
    if (got == 5 && memcmp(magic, "REDIS", 5) == 0) {
        str err = NULL;
        rewind(f);
        log_notice("Reading RDB base file on AOF loading...");
        int lrc = rdb_load_stream(srv, f, name, &err);
        srv->loading = 1; /* the RDB loader clears it */
        if (lrc != 0) {
            log_warn("Bad file format reading the append only file %s: %s",
                     name, err != NULL ? err : "bad RDB preamble");
            str_free(err);
            goto out;
        }
        log_notice("Reading the remaining AOF tail...");
    } else {
        rewind(f);
    }
    int r = replay(&l, &valid);
    if (r == 0) {
        rc = 0;
    } else if (r == RD_TRUNC) {
        if (!last || !srv->cfg.aof_load_truncated) {
            log_warn("Unexpected end of file reading the append only file "
                     "%s at offset %lld. You can: 1) Make a backup of your "
                     "AOF file, then use ./redis-check-aof --fix "
                     "<filename.manifest>. 2) Alternatively you can set the "
                     "'aof-load-truncated' configuration option to yes and "
                     "restart the server.",
                     name, valid);
            goto out;
        }
        if (l.in_multi) {
            log_warn("Revert incomplete MULTI/EXEC transaction in AOF file "
                     "%s",
                     name);
        }
        log_warn("!!! Warning: short read while loading the AOF file %s!!!",
                 name);
        log_warn("!!! Truncating the AOF %s at offset %lld !!!", name, valid);
        if (truncate(path, (off_t)valid) == -1) {
            log_warn("Error truncating the AOF file %s: %s", name,
                     strerror(errno));
            goto out;
        }
        log_warn("AOF %s loaded anyway because aof-load-truncated is "
                 "enabled",
                 name);
        rc = 0;
    } else if (r == RD_BAD) {
        log_warn("Bad file format reading the append only file %s at offset "
                 "%lld: make a backup of your AOF file, then use "
                 "./redis-check-aof --fix <filename.manifest>",
                 name, valid);
    }
out:
    drop_held(&l);
    mem_free(l.held);
    mem_free(l.held_argc);
    mem_free(l.argv);
    if (l.fc != NULL) {
        net_client_close(l.fc);
    }
    if (f != NULL) {
        fclose(f);
    }
    str_free(path);
    return rc;
}

int aof_load_at_startup(server *srv)
{
    aof_manifest *m = &srv->aof->mf;
    long long start = util_ustime();
    int rc = 0;
    int total = (m->base.name != NULL) + m->nincr;
    int done = 0;

    srv->loading = 1;
    propagate_set_disabled(srv, 1);
    if (m->base.name != NULL) {
        done++;
        if (aof_load_file(srv, m->base.name, done == total) != 0) {
            rc = -1;
            goto out;
        }
    }
    for (int i = 0; i < m->nincr; i++) {
        done++;
        if (aof_load_file(srv, m->incr[i].name, done == total) != 0) {
            rc = -1;
            goto out;
        }
    }
    log_notice("DB loaded from append only file: %.3f seconds",
               (double)(util_ustime() - start) / 1e6);
out:
    propagate_set_disabled(srv, 0);
    srv->loading = 0;
    srv->dirty = 0;
    return rc;
}
