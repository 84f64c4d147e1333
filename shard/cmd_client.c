/* cmd_client: the CLIENT command family: naming, listing and killing
 * connections, pausing clients, reply modes. Replies and errors follow
 * redis-server 7.0 (CLIENT SETINFO follows 7.2, which introduced it). */
#include "cmd_client.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "net.h"
#include "pubsub.h"
#include "reply.h"
#include "server.h"
#include "util.h"

/* Client classes of CLIENT LIST TYPE and CLIENT KILL TYPE. */
enum client_type {
    CLIENT_TYPE_NORMAL,
    CLIENT_TYPE_REPLICA,
    CLIENT_TYPE_PUBSUB,
    CLIENT_TYPE_MASTER,
};

/* Redis compares option words as C strings ("on\0x" is "on"). */
static int opt_is(const arg *a, const char *name)
{
    size_t len = strlen(name);

    if (a->n < len || strncasecmp(a->p, name, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

/* Length of an argument as the C string Redis formats with "%s". */
static int cstr_len(const arg *a)
{
    return (int)strnlen(a->p, a->n);
}

static int type_by_name(const arg *a)
{
    if (opt_is(a, "normal")) {
        return CLIENT_TYPE_NORMAL;
    }
    if (opt_is(a, "slave") || opt_is(a, "replica")) {
        return CLIENT_TYPE_REPLICA;
    }
    if (opt_is(a, "pubsub")) {
        return CLIENT_TYPE_PUBSUB;
    }
    if (opt_is(a, "master")) {
        return CLIENT_TYPE_MASTER;
    }
    return -1;
}

/* A monitor is a normal client here, as in Redis; a subscriber is PUBSUB.
 * TODO(replication): replicas REPLICA and the master link MASTER once
 * those exist. */
static int client_type(const client *c)
{
    if (pubsub_client_subscribed(c)) {
        return CLIENT_TYPE_PUBSUB;
    }
    return CLIENT_TYPE_NORMAL;
}

/* Clients in connection order (Redis lists oldest first; srv->clients
 * has the newest at its head). */
static client *oldest_client(server *srv)
{
    client *c = srv->clients;

    while (c != NULL && c->next != NULL) {
        c = c->next;
    }
    return c;
}

static int valid_name_byte(unsigned char ch)
{
    return ch >= '!' && ch <= '~';
}

int cmd_client_apply_name(client *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!valid_name_byte((unsigned char)p[i])) {
            reply_error(c, "Client names cannot contain spaces, newlines or "
                           "special characters.");
            return -1;
        }
    }
    str_free(c->name);
    c->name = n > 0 ? str_new(p, n) : NULL;
    return 0;
}

void cmd_client_help(client *c)
{
    static const char *lines[] = {
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in "
        "OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is "
        "enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        NULL,
    };

    reply_help(c, lines);
}

void cmd_client_id(client *c)
{
    reply_ll(c, (long long)c->id);
}

void cmd_client_setname(client *c)
{
    if (cmd_client_apply_name(c, c->argv[2].p, c->argv[2].n) == 0) {
        reply_ok(c);
    }
}

void cmd_client_getname(client *c)
{
    if (c->name != NULL) {
        reply_bulk(c, c->name, str_len(c->name));
    } else {
        reply_null(c);
    }
}

/* CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2): the value follows
 * the client name's rules; empty clears it. */
void cmd_client_setinfo(client *c)
{
    const arg *attr = &c->argv[2], *val = &c->argv[3];
    str *dest;

    if (opt_is(attr, "lib-name")) {
        dest = &c->lib_name;
    } else if (opt_is(attr, "lib-ver")) {
        dest = &c->lib_ver;
    } else {
        reply_errorf(c, "Unrecognized option '%.*s'", cstr_len(attr), attr->p);
        return;
    }
    for (size_t i = 0; i < val->n; i++) {
        if (!valid_name_byte((unsigned char)val->p[i])) {
            reply_errorf(c,
                         "%.*s cannot contain spaces, newlines or "
                         "special characters.",
                         cstr_len(attr), attr->p);
            return;
        }
    }
    str_free(*dest);
    *dest = val->n > 0 ? str_new(val->p, val->n) : NULL;
    reply_ok(c);
}

static void reply_info_text(client *c, str text)
{
    reply_verbatim(c, text, str_len(text), "txt");
}

void cmd_client_info(client *c)
{
    str s = net_client_info(str_empty(), c);

    s = str_cat(s, "\n", 1);
    reply_info_text(c, s);
    str_free(s);
}

static client *client_by_id(server *srv, long long id)
{
    for (client *x = srv->clients; x != NULL; x = x->next) {
        if ((long long)x->id == id) {
            return x;
        }
    }
    return NULL;
}

/* CLIENT LIST [TYPE type | ID id [id ...]] */
void cmd_client_list(client *c)
{
    server *srv = c->srv;
    str out = str_empty();
    int type = -1;

    if (c->argc == 4 && opt_is(&c->argv[2], "type")) {
        type = type_by_name(&c->argv[3]);
        if (type < 0) {
            reply_errorf(c, "Unknown client type '%.*s'", cstr_len(&c->argv[3]),
                         c->argv[3].p);
            goto out;
        }
    } else if (c->argc > 3 && opt_is(&c->argv[2], "id")) {
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (util_str2ll(c->argv[j].p, c->argv[j].n, &id) != 0) {
                reply_error(c, "Invalid client ID");
                goto out;
            }
            client *x = client_by_id(srv, id);
            if (x != NULL) {
                out = net_client_info(out, x);
                out = str_cat(out, "\n", 1);
            }
        }
        reply_info_text(c, out);
        goto out;
    } else if (c->argc != 2) {
        reply_error(c, ERR_SYNTAX);
        goto out;
    }
    for (client *x = oldest_client(srv); x != NULL; x = x->prev) {
        if (type >= 0 && client_type(x) != type) {
            continue;
        }
        out = net_client_info(out, x);
        out = str_cat(out, "\n", 1);
    }
    reply_info_text(c, out);
out:
    str_free(out);
}

/* Which clients CLIENT KILL closes. */
typedef struct kill_filter {
    long long id;    /* 0: any */
    int type;        /* -1: any */
    const arg *addr; /* NULL: any */
    const arg *laddr;
    long long max_age; /* 0: any; else only clients older than this */
    int skipme;
} kill_filter;

static int addr_is(const char *have, const arg *want)
{
    /* Compared as C strings, as Redis does. */
    size_t n = (size_t)cstr_len(want);

    return strlen(have) == n && memcmp(have, want->p, n) == 0;
}

static int kill_matches(const kill_filter *f, const client *self,
                        const client *x)
{
    if (f->addr != NULL && !addr_is(x->addr, f->addr)) {
        return 0;
    }
    if (f->laddr != NULL && !addr_is(x->laddr, f->laddr)) {
        return 0;
    }
    if (f->type >= 0 && client_type(x) != f->type) {
        return 0;
    }
    if (f->id != 0 && (long long)x->id != f->id) {
        return 0;
    }
    if (f->max_age > 0 &&
        self->srv->mstime / 1000 - (long long)x->ctime <= f->max_age) {
        return 0;
    }
    if (x == self && f->skipme) {
        return 0;
    }
    return 1;
}

/* Parse the new form's option/value pairs. Returns 0, or -1 after
 * replying the error. */
static int parse_kill_filter(client *c, kill_filter *f)
{
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
        const arg *opt = &c->argv[i], *val = &c->argv[i + 1];
        if (opt_is(opt, "id")) {
            if (util_str2ll(val->p, val->n, &f->id) != 0 || f->id < 1) {
                reply_error(c, "client-id should be greater than 0");
                return -1;
            }
        } else if (opt_is(opt, "type")) {
            f->type = type_by_name(val);
            if (f->type < 0) {
                reply_errorf(c, "Unknown client type '%.*s'", cstr_len(val),
                             val->p);
                return -1;
            }
        } else if (opt_is(opt, "addr")) {
            f->addr = val;
        } else if (opt_is(opt, "laddr")) {
            f->laddr = val;
        } else if (opt_is(opt, "user")) {
            /* The default user is the only one, and everyone's. */
            if (val->n != 7 || memcmp(val->p, "default", 7) != 0) {
                reply_errorf(c, "No such user '%.*s'", cstr_len(val), val->p);
                return -1;
            }
        } else if (opt_is(opt, "skipme")) {
            if (opt_is(val, "yes")) {
                f->skipme = 1;
            } else if (opt_is(val, "no")) {
                f->skipme = 0;
            } else {
                reply_error(c, ERR_SYNTAX);
                return -1;
            }
        } else if (opt_is(opt, "maxage")) {
            /* From Redis 7.4; 7.0 answers a syntax error. */
            if (util_str2ll(val->p, val->n, &f->max_age) != 0) {
                reply_error(c, "maxage is not an integer or out of range");
                return -1;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* CLIENT KILL ip:port (old form: +OK or "No such client") or CLIENT KILL
 * <filter> <value> ... (new form: the number killed). The caller itself
 * is closed after its reply. */
void cmd_client_kill(client *c)
{
    server *srv = c->srv;
    kill_filter f = {.id = 0, .type = -1, .skipme = 1};
    int old_form = c->argc == 3;
    long long killed = 0;
    int close_self = 0;

    if (old_form) {
        f.addr = &c->argv[2];
        f.skipme = 0;
    } else if (parse_kill_filter(c, &f) != 0) {
        return;
    }
    client *x = srv->clients;
    while (x != NULL) {
        client *next = x->next;
        if (kill_matches(&f, c, x)) {
            if (x == c) {
                close_self = 1;
            } else {
                net_client_close(x);
            }
            killed++;
            if (old_form) {
                break;
            }
        }
        x = next;
    }
    if (old_form) {
        if (killed == 0) {
            reply_error(c, "No such client");
        } else {
            reply_ok(c);
        }
    } else {
        reply_ll(c, killed);
    }
    if (close_self) {
        c->flags |= CF_CLOSE_AFTER_REPLY;
    }
}

/* CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the
 * timeout, as in Redis. */
void cmd_client_pause(client *c)
{
    server *srv = c->srv;
    long long ms;
    int all = 1;

    if (c->argc > 4) {
        reply_errorf(c,
                     "unknown subcommand or wrong number of arguments "
                     "for '%.*s'. Try CLIENT HELP.",
                     cstr_len(&c->argv[1]), c->argv[1].p);
        return;
    }
    if (c->argc == 4) {
        if (opt_is(&c->argv[3], "write")) {
            all = 0;
        } else if (!opt_is(&c->argv[3], "all")) {
            reply_error(c, "CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    if (util_str2ll(c->argv[2].p, c->argv[2].n, &ms) != 0) {
        reply_error(c, "timeout is not an integer or out of range");
        return;
    }
    if (ms < 0) {
        reply_error(c, "timeout is negative");
        return;
    }
    /* A zero timeout starts nothing, but can still widen a running
     * pause to ALL. */
    if (ms > 0 || srv->pause_end_ms != 0) {
        long long end =
            ms > LLONG_MAX - srv->mstime ? LLONG_MAX : srv->mstime + ms;
        net_pause(srv, end, all);
    }
    reply_ok(c);
}

void cmd_client_unpause(client *c)
{
    net_unpause(c->srv);
    reply_ok(c);
}

/* CLIENT REPLY ON|OFF|SKIP. OFF and SKIP send no reply; net.c moves
 * REPLY_SKIP_NEXT to REPLY_SKIP after this command and REPLY_SKIP back to
 * REPLY_ON after the next. */
void cmd_client_reply(client *c)
{
    const arg *mode = &c->argv[2];

    if (opt_is(mode, "on")) {
        /* Cancels a pending SKIP too, and answers (unlike RESET). */
        c->reply_mode = REPLY_ON;
        reply_ok(c);
    } else if (opt_is(mode, "off")) {
        c->reply_mode = REPLY_OFF;
    } else if (opt_is(mode, "skip")) {
        if (c->reply_mode != REPLY_OFF) {
            c->reply_mode = REPLY_SKIP_NEXT;
        }
    } else {
        reply_error(c, ERR_SYNTAX);
    }
}

void cmd_client_no_evict(client *c)
{
    const arg *v = &c->argv[2];

    if (opt_is(v, "on")) {
        c->flags |= CF_NO_EVICT;
    } else if (opt_is(v, "off")) {
        c->flags &= ~CF_NO_EVICT;
    } else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    reply_ok(c);
}
