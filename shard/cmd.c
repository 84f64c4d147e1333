/* cmd: the command table, key extraction and dispatch. */
#include "cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "aof.h"
#include "blocking.h"
#include "cluster.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "multi.h"
#include "net.h"
#include "propagate.h"
#include "rdb.h"
#include "script.h"
#include "pubsub.h"
#include "reply.h"
#include "slowlog.h"
#include "stats.h"
#include "tracking.h"
#include "util.h"

/* Handlers, declared from the table. */
#define CMD(parent, name, proc, ...) void proc(client *c);
#include "commands.def"
#undef CMD

typedef struct cmd_decl {
    const char *parent;
    const char *name;
    cmd_proc *proc;
    int arity;
    const char *flags;
    const char *acl;
    int first, last, step;
    const char *specs;
    const char *tips;
    const char *group;
    const char *since;
    const char *summary;
} cmd_decl;

static const cmd_decl decls[] = {
#define CMD(parent, name, proc, arity, flags, acl, first, last, step, specs, \
            tips, group, since, summary)                                   \
    {parent, name, proc,  arity, flags, acl,   first,                       \
     last,   step, specs, tips,  group, since, summary},
#include "commands.def"
#undef CMD
};

static const char *const flag_names[] = {
    "write",        "readonly",         "denyoom",     "module",
    "admin",        "pubsub",           "noscript",    "blocking",
    "loading",      "stale",            "skip_monitor", "skip_slowlog",
    "asking",       "fast",             "no_auth",     "may_replicate",
    "sentinel",     "only_sentinel",    "no_mandatory_keys", "protected",
    "no_async_loading", "no_multi",     "movablekeys", "allow_busy",
};

static const char *const key_flag_names[] = {
    "RO",     "RW",     "OW",     "RM",         "access", "update",
    "insert", "delete", "not_key", "incomplete", "variable_flags",
};

const char *cmd_flag_name(int bit)
{
    return bit < (int)(sizeof(flag_names) / sizeof(*flag_names))
               ? flag_names[bit]
               : NULL;
}

const char *cmd_key_flag_name(int bit)
{
    return bit < (int)(sizeof(key_flag_names) / sizeof(*key_flag_names))
               ? key_flag_names[bit]
               : NULL;
}

static int name_bit(const char *const *names, int count, const char *w,
                    size_t n)
{
    for (int i = 0; i < count; i++) {
        if (strlen(names[i]) == n && strncasecmp(names[i], w, n) == 0) {
            return i;
        }
    }
    return -1;
}

/* Parse space-separated flag words into a bitmask; -1 on unknown word. */
static long long parse_words(const char *s, const char *const *names,
                             int count)
{
    long long mask = 0;

    while (*s != '\0') {
        while (*s == ' ') {
            s++;
        }
        const char *e = s;
        while (*e != '\0' && *e != ' ') {
            e++;
        }
        if (e > s) {
            int bit = name_bit(names, count, s, (size_t)(e - s));
            if (bit < 0) {
                return -1;
            }
            mask |= 1LL << bit;
        }
        s = e;
    }
    return mask;
}

/* "FLAGS|begin_search|find_keys" -> spec. Returns 0 or -1. */
static int parse_spec(const char *txt, size_t len, key_spec *ks)
{
    char buf[256], *parts[3], *save = NULL;
    char word[64];

    if (len >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, txt, len);
    buf[len] = '\0';
    memset(ks, 0, sizeof(*ks));
    parts[0] = strtok_r(buf, "|", &save);
    parts[1] = strtok_r(NULL, "|", &save);
    parts[2] = strtok_r(NULL, "|", &save);
    if (parts[0] == NULL || parts[1] == NULL || parts[2] == NULL) {
        return -1;
    }
    long long f = parse_words(parts[0], key_flag_names,
                              (int)(sizeof(key_flag_names) /
                                    sizeof(*key_flag_names)));
    if (f < 0) {
        return -1;
    }
    ks->flags = (int)f;
    int a = 0, b = 0, c = 0;
    if (sscanf(parts[1], "index %d", &a) == 1) {
        ks->bs_type = KS_BS_INDEX;
        ks->bs_index = a;
    } else if (sscanf(parts[1], "keyword %63s %d", word, &a) == 2) {
        ks->bs_type = KS_BS_KEYWORD;
        ks->bs_keyword = mem_strdup(word);
        ks->bs_index = a;
    } else if (strcmp(parts[1], "unknown") == 0) {
        ks->bs_type = KS_BS_UNKNOWN;
    } else {
        return -1;
    }
    if (sscanf(parts[2], "range %d %d %d", &a, &b, &c) == 3) {
        ks->fk_type = KS_FK_RANGE;
    } else if (sscanf(parts[2], "keynum %d %d %d", &a, &b, &c) == 3) {
        ks->fk_type = KS_FK_KEYNUM;
    } else if (strcmp(parts[2], "unknown") == 0) {
        ks->fk_type = KS_FK_UNKNOWN;
    } else {
        return -1;
    }
    ks->fk_a = a;
    ks->fk_b = b;
    ks->fk_c = c;
    return 0;
}

static int parse_specs(command *cmd, const char *txt)
{
    int n = 0;

    if (*txt == '\0') {
        return 0;
    }
    for (const char *p = txt; *p; p++) {
        n += *p == ';';
    }
    n++;
    cmd->specs = mem_calloc(sizeof(key_spec) * (size_t)n);
    cmd->nspecs = n;
    for (int i = 0; i < n; i++) {
        const char *e = strchr(txt, ';');
        size_t len = e != NULL ? (size_t)(e - txt) : strlen(txt);
        if (parse_spec(txt, len, &cmd->specs[i]) != 0) {
            return -1;
        }
        txt += len + (e != NULL);
        if (cmd->specs[i].bs_type != KS_BS_INDEX ||
            cmd->specs[i].fk_type != KS_FK_RANGE ||
            (cmd->specs[i].flags & KEY_INCOMPLETE)) {
            cmd->flags |= CMD_MOVABLE_KEYS;
        }
    }
    return 0;
}

static const char *const acl_names[] = {
    "@keyspace", "@read",   "@write",     "@set",        "@sortedset",
    "@list",     "@hash",   "@string",    "@bitmap",     "@hyperloglog",
    "@geo",      "@stream", "@pubsub",    "@admin",      "@fast",
    "@slow",     "@blocking", "@dangerous", "@connection", "@transaction",
    "@scripting",
};

static void free_command(void *p)
{
    command *cmd = p;

    if (cmd->subcommands != NULL) {
        dict_destroy(&cmd->subcommands);
    }
    for (int i = 0; i < cmd->nspecs; i++) {
        mem_free((void *)cmd->specs[i].bs_keyword);
    }
    mem_free(cmd->specs);
    mem_free(cmd->stats.hist);
    str_free(cmd->fullname);
    mem_free(cmd);
}

static const dict_type command_dict_type = {.val_free = free_command};

int cmd_setup(server *srv)
{
    srv->commands = dict_create(&command_dict_type);
    for (size_t i = 0; i < sizeof(decls) / sizeof(*decls); i++) {
        const cmd_decl *d = &decls[i];
        command *cmd = mem_calloc(sizeof(*cmd));
        cmd->name = d->name;
        cmd->proc = d->proc;
        cmd->arity = d->arity;
        long long f = parse_words(d->flags, flag_names,
                                  (int)(sizeof(flag_names) /
                                        sizeof(*flag_names)));
        long long a = parse_words(d->acl, acl_names,
                                  (int)(sizeof(acl_names) /
                                        sizeof(*acl_names)));
        if (f < 0 || a < 0) {
            log_warn("command table: bad flags for '%s'", d->name);
            free_command(cmd);
            return -1;
        }
        cmd->flags = (uint32_t)f;
        cmd->acl = (uint64_t)a;
        cmd->acl_str = d->acl;
        cmd->first_key = d->first;
        cmd->last_key = d->last;
        cmd->key_step = d->step;
        cmd->tips = d->tips;
        cmd->group = d->group;
        cmd->since = d->since;
        cmd->summary = d->summary;
        if (parse_specs(cmd, d->specs) != 0) {
            log_warn("command table: bad key spec for '%s'", d->name);
            free_command(cmd);
            return -1;
        }
        dict *target = srv->commands;
        if (d->parent != NULL) {
            dict_entry *pe = dict_find(srv->commands, d->parent,
                                       strlen(d->parent));
            if (pe == NULL) {
                log_warn("command table: '%s' before its parent '%s'",
                         d->name, d->parent);
                free_command(cmd);
                return -1;
            }
            command *parent = pe->v.ptr;
            if (parent->subcommands == NULL) {
                parent->subcommands = dict_create(&command_dict_type);
            }
            cmd->parent = parent;
            target = parent->subcommands;
            cmd->fullname = str_catfmt(str_empty(), "%s|%s", parent->name,
                                       d->name);
        } else {
            cmd->fullname = str_from_cstr(d->name);
        }
        dict_entry *de = dict_add(target, d->name, strlen(d->name));
        if (de == NULL) {
            log_warn("command table: '%s' declared twice", d->name);
            free_command(cmd);
            return -1;
        }
        de->v.ptr = cmd;
        srv->cmd_count++;
    }
    return 0;
}

void cmd_teardown(server *srv)
{
    if (srv->commands != NULL) {
        dict_destroy(&srv->commands);
    }
}

static void foreach_in(dict *d, cmd_visit_fn *fn, void *priv)
{
    dict_iter it;
    dict_entry *de;

    dict_iter_init(&it, d);
    while ((de = dict_iter_next(&it)) != NULL) {
        command *cmd = de->v.ptr;
        fn(cmd, priv);
        if (cmd->subcommands != NULL) {
            foreach_in(cmd->subcommands, fn, priv);
        }
    }
    dict_iter_deinit(&it);
}

void cmd_foreach(server *srv, cmd_visit_fn *fn, void *priv)
{
    foreach_in(srv->commands, fn, priv);
}

static command *lookup_in(dict *d, const char *name, size_t len)
{
    char low[64];

    if (len >= sizeof(low)) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        low[i] = (char)tolower((unsigned char)name[i]);
    }
    dict_entry *de = dict_find(d, low, len);
    return de != NULL ? de->v.ptr : NULL;
}

command *cmd_lookup(server *srv, const char *name, size_t len)
{
    return lookup_in(srv->commands, name, len);
}

command *cmd_lookup_argv(server *srv, const arg *argv, int argc)
{
    command *cmd = cmd_lookup(srv, argv[0].p, argv[0].n);

    if (cmd == NULL || cmd->subcommands == NULL || argc < 2) {
        return cmd;
    }
    command *sub = lookup_in(cmd->subcommands, argv[1].p, argv[1].n);
    return sub != NULL ? sub : cmd;
}

static int add_key(key_ref *out, int n, int max, int pos, int flags)
{
    if (n < max) {
        out[n].pos = pos;
        out[n].flags = flags;
    }
    return n + 1;
}

int cmd_get_keys(const command *cmd, const arg *argv, int argc, key_ref *out,
                 int max)
{
    int n = 0;

    for (int s = 0; s < cmd->nspecs; s++) {
        const key_spec *ks = &cmd->specs[s];
        int first;
        if (ks->bs_type == KS_BS_INDEX) {
            first = ks->bs_index;
        } else if (ks->bs_type == KS_BS_KEYWORD) {
            int start = ks->bs_index, i, end, step;
            if (start >= 0) {
                i = start;
                end = argc - 1;
                step = 1;
            } else {
                i = argc + start;
                end = 0;
                step = -1;
            }
            first = -1;
            for (; step > 0 ? i <= end : i >= end; i += step) {
                if (i < 0 || i >= argc) {
                    break;
                }
                if (argv[i].n == strlen(ks->bs_keyword) &&
                    strncasecmp(argv[i].p, ks->bs_keyword, argv[i].n) ==
                        0) {
                    first = i + 1;
                    break;
                }
            }
            if (first < 0) {
                continue;
            }
        } else {
            continue;
        }
        if (first >= argc) {
            continue;
        }
        int last, step;
        if (ks->fk_type == KS_FK_RANGE) {
            step = ks->fk_b;
            if (ks->fk_a >= 0) {
                last = first + ks->fk_a;
            } else if (ks->fk_c == 0) {
                last = argc + ks->fk_a;
            } else {
                last = first + (argc - first) / ks->fk_c - 1;
            }
        } else if (ks->fk_type == KS_FK_KEYNUM) {
            long long num;
            int idx = first + ks->fk_a;
            if (idx >= argc ||
                util_str2ll(argv[idx].p, argv[idx].n, &num) != 0 ||
                num < 0) {
                return -1;
            }
            first += ks->fk_b;
            step = ks->fk_c;
            last = first + ((int)num - 1) * step;
        } else {
            continue;
        }
        if (last >= argc || last < first) {
            if (ks->flags & KEY_INCOMPLETE) {
                continue;
            }
            return -1;
        }
        for (int i = first; i <= last; i += step) {
            n = add_key(out, n, max, i, ks->flags);
        }
    }
    if (cmd->getkeys != NULL) {
        n = cmd->getkeys(argv, argc, out, max);
    }
    return n < max ? n : max;
}

void cmd_container(client *c)
{
    reply_unknown_subcommand(c);
}

static int arity_ok(const command *cmd, int argc)
{
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* enable-debug-command: 0 no, 1 yes, 2 only from loopback or the unix
 * socket (fake clients, with no peer, count as local). */
static int debug_allowed(const client *c)
{
    int mode = c->srv->cfg.enable_debug_command;

    if (mode == 1) {
        return 1;
    }
    if (mode != 2) {
        return 0;
    }
    return c->fd < 0 || (c->flags & CF_UNIX) ||
           strncmp(c->addr, "127.0.0.1:", 10) == 0 ||
           strncmp(c->addr, "::1:", 4) == 0;
}

/* Every refusal of a request before it runs goes through here (fmt may
 * carry its own "-CODE "): counted as rejected, it makes a transaction in
 * progress fail at EXEC, and a refused EXEC discards its transaction
 * ("-EXECABORT Transaction discarded because of: ..."), as Redis does. */
static void reject(client *c, command *cmd, const char *fmt, const char *a,
                   const char *b)
{
    if (cmd != NULL) {
        cmd->stats.rejected++;
    }
    multi_flag_error(c);
    if (cmd != NULL && cmd->proc == cmd_exec) {
        str msg = str_catfmt(str_empty(), fmt, a, b);
        multi_exec_abort(c, msg);
        str_free(msg);
        return;
    }
    reply_errorf(c, fmt, a, b);
}

void cmd_process(client *c)
{
    server *srv = c->srv;
    command *cmd = cmd_lookup_argv(srv, c->argv, c->argc);

    tracking_before_command(c, multi_active(c)); /* c->cmd: the last one */
    c->cmd = cmd;
    if (cmd == NULL) {
        str args = str_empty();
        for (int i = 1; i < c->argc && str_len(args) < 128; i++) {
            int room = 128 - (int)str_len(args);
            args = str_catfmt(args, "'%.*s' ",
                              (int)c->argv[i].n < room ? (int)c->argv[i].n
                                                       : room,
                              c->argv[i].p);
        }
        str name = str_new(c->argv[0].p,
                           c->argv[0].n > 128 ? 128 : c->argv[0].n);
        reply_errorf(c, "unknown command '%s', with args beginning with: %s",
                     name, args);
        str_free(name);
        str_free(args);
        stats_count_rejected(srv);
        multi_flag_error(c);
        return;
    }
    /* A container command with an unknown subcommand is refused before
     * running, as Redis does (so MULTI queues nothing and aborts). */
    if (cmd->subcommands != NULL && cmd->parent == NULL && c->argc >= 2) {
        str name = str_new(c->argv[0].p, c->argv[0].n);
        for (size_t i = 0; i < str_len(name); i++) {
            name[i] = (char)toupper((unsigned char)name[i]);
        }
        str msg = str_catfmt(str_empty(),
                             "unknown subcommand '%.*s'. Try %s HELP.",
                             (int)(c->argv[1].n > 128 ? 128 : c->argv[1].n),
                             c->argv[1].p, name);
        reject(c, NULL, "%s", msg, NULL);
        str_free(msg);
        str_free(name);
        return;
    }
    if (!arity_ok(cmd, c->argc)) {
        reject(c, cmd, "wrong number of arguments for '%s' command",
               cmd->fullname, NULL);
        return;
    }
    /* enable-debug-command, checked before authentication as in Redis. */
    if (cmd->proc == cmd_debug && !debug_allowed(c)) {
        reject(c, cmd,
               "DEBUG command not allowed. If the enable-debug-command "
               "option is set to \"local\", you can run it from a local "
               "connection, otherwise you need to set this option in the "
               "configuration file, and then restart the server.",
               NULL, NULL);
        return;
    }
    if (srv->cfg.requirepass != NULL && str_len(srv->cfg.requirepass) > 0 &&
        !(c->flags & CF_AUTHENTICATED) && !(cmd->flags & CMD_NO_AUTH)) {
        reject(c, cmd, "-NOAUTH Authentication required.", NULL, NULL);
        return;
    }
    /* Cluster mode: keys of slots served elsewhere get -MOVED & co.
     * (cluster.c counts the rejection and flags the transaction). */
    if (srv->cfg.cluster_enabled && cluster_redirect(c, cmd) != 0) {
        return;
    }
    if ((cmd->flags & CMD_NO_MULTI) && multi_active(c)) {
        reject(c, cmd, "Command not allowed inside a transaction", NULL,
               NULL);
        return;
    }
    /* A script ran past busy-reply-threshold: only allow_busy commands
     * (script.c). */
    if (srv->script_busy) {
        const char *busy = script_busy_error(c, cmd);
        if (busy != NULL) {
            reject(c, cmd, busy, NULL, NULL);
            return;
        }
    }
    /* maxmemory with the noeviction policy (the only one until eviction
     * lands): commands that may grow the dataset are refused, and inside
     * MULTI anything that would grow the queue (EXEC only if it runs such
     * commands), as Redis does. */
    if (srv->cfg.maxmemory > 0 &&
        ((multi_effective_flags(c, cmd) & CMD_DENYOOM) ||
         (multi_active(c) && cmd->proc != cmd_exec &&
          cmd->proc != cmd_discard && cmd->proc != cmd_quit &&
          cmd->proc != cmd_reset)) &&
        (long long)mem_used() > srv->cfg.maxmemory) {
        reject(c, cmd,
               "-OOM command not allowed when used memory > 'maxmemory'.",
               NULL, NULL);
        return;
    }
    /* stop-writes-on-bgsave-error: after a failed BGSAVE, writes (and
     * PING) are refused until a save succeeds, as Redis does. */
    if (rdb_writes_refused(srv) &&
        ((multi_effective_flags(c, cmd) & CMD_WRITE) ||
         cmd->proc == cmd_ping)) {
        reject(c, cmd,
               "-MISCONF Redis is configured to save RDB snapshots, but "
               "it's currently unable to persist to disk. Commands that may "
               "modify the data set are disabled, because this instance is "
               "configured to report errors during writes if RDB "
               "snapshotting fails (stop-writes-on-bgsave-error option). "
               "Please check the Redis logs for details about the RDB "
               "error.",
               NULL, NULL);
        return;
    }
    /* The AOF can't be written (disk full...): the same refusal until a
     * write succeeds again (aof.c retries from the cron). */
    const char *aof_err = NULL;
    if (aof_writes_refused(srv, &aof_err) &&
        ((multi_effective_flags(c, cmd) & CMD_WRITE) ||
         cmd->proc == cmd_ping)) {
        reject(c, cmd, "-MISCONF Errors writing to the AOF file: %s",
               aof_err, NULL);
        return;
    }
    /* A subscribed RESP2 connection carries messages: only commands that
     * keep it a subscriber make sense there (RESP3 pushes allow all). */
    if (c->resp == 2 && pubsub_client_subscribed(c) &&
        cmd->proc != cmd_ping && cmd->proc != cmd_subscribe &&
        cmd->proc != cmd_ssubscribe && cmd->proc != cmd_unsubscribe &&
        cmd->proc != cmd_sunsubscribe && cmd->proc != cmd_psubscribe &&
        cmd->proc != cmd_punsubscribe && cmd->proc != cmd_quit &&
        cmd->proc != cmd_reset) {
        reject(c, cmd,
               "Can't execute '%s': only (P|S)SUBSCRIBE / "
               "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
               "context",
               cmd->fullname, NULL);
        return;
    }
    /* CLIENT PAUSE: hold the client (its request stays in the buffer) until
     * the pause ends. */
    if (net_should_pause(c, cmd)) {
        return;
    }
    /* Inside MULTI, all checks passed: queue it for EXEC. */
    if (multi_should_queue(c, cmd)) {
        multi_queue(c);
        return;
    }
    cmd_call(c);
    /* A top-level command is done: serve clients waiting on keys it made
     * ready (EXEC and scripts run theirs through cmd_call, so this comes
     * after all of them). Not while a busy script lets SCRIPT KILL & co
     * run from its hook: its writes wake nobody before it ends. */
    if (!srv->script_running) {
        blocking_serve_ready(srv);
    }
}

void cmd_call(client *c)
{
    server *srv = c->srv;
    command *cmd = (command *)c->cmd;
    long long errors_before = srv->stat_total_error_replies;
    long long start = util_ustime();

    /* Expiry checks and TTLs read the cached clock: refresh it per call,
     * as Redis does, or an idle server runs up to a cron period late. */
    server_set_time(srv, start);
    /* Calls nest (EXEC's commands, scripts'): restore the outer state. */
    client *outer_current = srv->current;
    int outer_executing = c->flags & CF_EXECUTING;
    c->flags |= CF_EXECUTING;
    srv->current = c;
    /* Propagation: the outermost call flushes what it (and the calls
     * nested in it, EXEC's and scripts') changed to the AOF/replicas. */
    propagate_frame pf;
    propagate_call_begin(c, &pf);
    tracking_call_begin(c);
    if (c->flags & CF_BLOCK_TIMEDOUT) {
        blocking_reply_timeout(c); /* its wait ended: not run again */
    } else {
        cmd->proc(c);
    }
    propagate_call_end(c, &pf);
    /* Keys a read-only command read; the outermost call then sends the
     * client's own invalidations, after its reply. */
    tracking_call_end(c);
    srv->current = outer_current;
    if (!outer_executing) {
        c->flags &= ~CF_EXECUTING;
    }
    long long duration = util_ustime() - start;

    /* A blocked request run again (blocking.c) was shown to MONITOR and
     * counted in total_commands_processed when it first ran. */
    if (c->flags & CF_BLOCK_RERUN) {
        goto counted;
    }
    /* After the call, as Redis 7.0: admin commands are not shown. */
    if (srv->monitors != NULL &&
        !(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN))) {
        net_feed_monitors(c);
    }
    c->lastcmd = cmd;
    c->commands_processed++;
    srv->stat_numcommands++;
counted:
    /* As Redis, a call that blocked counts (calls, time, slow log) once
     * it ends. */
    if (c->flags & CF_BLOCKED) {
        return;
    }
    cmd->stats.calls++;
    cmd->stats.usec += duration;
    /* Errors replied by nested calls (EXEC's commands) were theirs. */
    if (srv->stat_errors_accounted > errors_before) {
        errors_before = srv->stat_errors_accounted;
    }
    if (srv->stat_total_error_replies > errors_before) {
        cmd->stats.failed++;
    }
    srv->stat_errors_accounted = srv->stat_total_error_replies;
    stats_record_latency(srv, cmd, duration);
    if (!(cmd->flags & CMD_SKIP_SLOWLOG)) {
        slowlog_maybe_add(srv, c, duration);
        latency_maybe_add(srv, "command", duration / 1000,
                          (cmd->flags & CMD_FAST) ? "fast-command"
                                                  : "command");
    }
}
