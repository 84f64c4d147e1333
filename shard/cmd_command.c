/* cmd_command: the COMMAND family (INFO, DOCS, COUNT, LIST, GETKEYS,
 * GETKEYSANDFLAGS, HELP), every reply derived from the command table in
 * the shape redis-server 7.0 gives it, RESP2 and RESP3. */
#include <strings.h>
#include <string.h>

#include "cmd.h"
#include "mem.h"
#include "reply.h"
#include "util.h"

void cmd_command(client *c);
void cmd_command_info(client *c);
void cmd_command_docs(client *c);
void cmd_command_count(client *c);
void cmd_command_list(client *c);
void cmd_command_getkeys(client *c);
void cmd_command_getkeysandflags(client *c);
void cmd_command_help(client *c);

/* Flags COMMAND keeps to itself, as Redis does. */
#define HIDDEN_FLAGS                                                           \
    (CMD_MAY_REPLICATE | CMD_SENTINEL | CMD_ONLY_SENTINEL | CMD_PROTECTED)

/* Same order as the bits in cmd.h (and as Redis prints them). */
static const char *const acl_category_names[] = {
    "keyspace",  "read",     "write",     "set",        "sortedset",
    "list",      "hash",     "string",    "bitmap",     "hyperloglog",
    "geo",       "stream",   "pubsub",    "admin",      "fast",
    "slow",      "blocking", "dangerous", "connection", "transaction",
    "scripting",
};

#define ACL_CATEGORY_COUNT                                                     \
    ((int)(sizeof(acl_category_names) / sizeof(*acl_category_names)))

/* ---- lookups ---- */

/* "config|get" style names, any case: NULL if unknown or deeper than one
 * level of subcommands. */
static command *lookup_fullname(server *srv, const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);

    if (bar == NULL) {
        return cmd_lookup(srv, name, len);
    }
    arg parts[2] = {
        {name, (size_t)(bar - name)},
        {bar + 1, len - (size_t)(bar - name) - 1},
    };
    if (memchr(parts[1].p, '|', parts[1].n) != NULL) {
        return NULL;
    }
    command *parent = cmd_lookup(srv, parts[0].p, parts[0].n);
    if (parent == NULL || parent->subcommands == NULL) {
        return NULL;
    }
    command *sub = cmd_lookup_argv(srv, parts, 2);
    return sub != parent ? sub : NULL;
}

/* The command a full call would run: a container's subcommand must exist
 * (no falling back to the container), as Redis's strict lookup. */
static command *lookup_call(server *srv, const arg *argv, int argc)
{
    command *base = cmd_lookup(srv, argv[0].p, argv[0].n);

    if (base == NULL || argc == 1 || base->subcommands == NULL) {
        return base;
    }
    command *sub = cmd_lookup_argv(srv, argv, argc);
    return sub != base ? sub : NULL;
}

/* ---- COMMAND INFO ---- */

static void reply_flag_set(client *c, uint32_t flags,
                           const char *(*name_of)(int bit))
{
    long n = 0;

    for (int bit = 0; bit < 32; bit++) {
        n += (flags & (1u << bit)) != 0 && name_of(bit) != NULL;
    }
    reply_set_len(c, n);
    for (int bit = 0; bit < 32; bit++) {
        if ((flags & (1u << bit)) && name_of(bit) != NULL) {
            reply_status(c, name_of(bit));
        }
    }
}

static void reply_categories(client *c, uint64_t acl)
{
    long n = 0;

    for (int i = 0; i < ACL_CATEGORY_COUNT; i++) {
        n += (acl >> i) & 1;
    }
    reply_set_len(c, n);
    for (int i = 0; i < ACL_CATEGORY_COUNT; i++) {
        if ((acl >> i) & 1) {
            str s = str_catfmt(str_empty(), "@%s", acl_category_names[i]);
            reply_status(c, s);
            str_free(s);
        }
    }
}

static long count_words(const char *s)
{
    long n = 0;

    while (s != NULL && *s != '\0') {
        while (*s == ' ') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        n++;
        while (*s != '\0' && *s != ' ') {
            s++;
        }
    }
    return n;
}

static void reply_tips(client *c, const char *tips)
{
    const char *s = tips;

    reply_set_len(c, count_words(tips));
    while (s != NULL && *s != '\0') {
        while (*s == ' ') {
            s++;
        }
        const char *e = s;
        while (*e != '\0' && *e != ' ') {
            e++;
        }
        if (e > s) {
            reply_bulk(c, s, (size_t)(e - s));
        }
        s = e;
    }
}

static void reply_type_and_spec(client *c, const char *type, long speclen)
{
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, type);
    reply_bulk_cstr(c, "spec");
    reply_map_len(c, speclen);
}

static void reply_named_ll(client *c, const char *name, long long v)
{
    reply_bulk_cstr(c, name);
    reply_ll(c, v);
}

static void reply_key_spec(client *c, const key_spec *ks)
{
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "flags");
    reply_flag_set(c, (uint32_t)ks->flags, cmd_key_flag_name);
    reply_bulk_cstr(c, "begin_search");
    switch (ks->bs_type) {
    case KS_BS_INDEX:
        reply_type_and_spec(c, "index", 1);
        reply_named_ll(c, "index", ks->bs_index);
        break;
    case KS_BS_KEYWORD:
        reply_type_and_spec(c, "keyword", 2);
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, ks->bs_keyword);
        reply_named_ll(c, "startfrom", ks->bs_index);
        break;
    default: reply_type_and_spec(c, "unknown", 0); break;
    }
    reply_bulk_cstr(c, "find_keys");
    switch (ks->fk_type) {
    case KS_FK_RANGE:
        reply_type_and_spec(c, "range", 3);
        reply_named_ll(c, "lastkey", ks->fk_a);
        reply_named_ll(c, "keystep", ks->fk_b);
        reply_named_ll(c, "limit", ks->fk_c);
        break;
    case KS_FK_KEYNUM:
        reply_type_and_spec(c, "keynum", 3);
        reply_named_ll(c, "keynumidx", ks->fk_a);
        reply_named_ll(c, "firstkey", ks->fk_b);
        reply_named_ll(c, "keystep", ks->fk_c);
        break;
    default: reply_type_and_spec(c, "unknown", 0); break;
    }
}

static const char *visible_flag_name(int bit)
{
    return (HIDDEN_FLAGS & (1u << bit)) ? NULL : cmd_flag_name(bit);
}

typedef void reply_cmd_fn(client *c, const command *cmd);

/* Subcommands: an empty set when there are none (Redis's quirk), else an
 * array of entries, or a name -> entry map for DOCS. */
static void reply_subcommands(client *c, const command *cmd, reply_cmd_fn *fn,
                              int as_map)
{
    dict_iter it;
    dict_entry *de;

    if (cmd->subcommands == NULL) {
        reply_set_len(c, 0);
        return;
    }
    if (as_map) {
        reply_map_len(c, (long)dict_size(cmd->subcommands));
    } else {
        reply_array_len(c, (long)dict_size(cmd->subcommands));
    }
    dict_iter_init(&it, cmd->subcommands);
    while ((de = dict_iter_next(&it)) != NULL) {
        const command *sub = de->v.ptr;
        if (as_map) {
            reply_bulk(c, sub->fullname, str_len(sub->fullname));
        }
        fn(c, sub);
    }
    dict_iter_deinit(&it);
}

static void reply_command_info(client *c, const command *cmd)
{
    if (cmd == NULL) {
        reply_null(c);
        return;
    }
    reply_array_len(c, 10);
    reply_bulk(c, cmd->fullname, str_len(cmd->fullname));
    reply_ll(c, cmd->arity);
    reply_flag_set(c, cmd->flags, visible_flag_name);
    reply_ll(c, cmd->first_key);
    reply_ll(c, cmd->last_key);
    reply_ll(c, cmd->key_step);
    reply_categories(c, cmd->acl);
    reply_tips(c, cmd->tips);
    reply_set_len(c, cmd->nspecs);
    for (int i = 0; i < cmd->nspecs; i++) {
        reply_key_spec(c, &cmd->specs[i]);
    }
    reply_subcommands(c, cmd, reply_command_info, 0);
}

static void reply_all_info(client *c)
{
    dict_iter it;
    dict_entry *de;

    reply_array_len(c, (long)dict_size(c->srv->commands));
    dict_iter_init(&it, c->srv->commands);
    while ((de = dict_iter_next(&it)) != NULL) {
        reply_command_info(c, de->v.ptr);
    }
    dict_iter_deinit(&it);
}

/* COMMAND with no subcommand lists everything; any other word is an
 * unknown subcommand (the known ones are dispatched by cmd.c). */
void cmd_command(client *c)
{
    if (c->argc == 1) {
        reply_all_info(c);
        return;
    }
    reply_unknown_subcommand(c);
}

void cmd_command_info(client *c)
{
    if (c->argc == 2) {
        reply_all_info(c);
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        reply_command_info(c,
                           lookup_fullname(c->srv, c->argv[i].p, c->argv[i].n));
    }
}

/* ---- COMMAND DOCS ---- */

/* Summary, since and group come from our table; Redis's complexity,
 * history and argument trees are not carried. */
static void reply_command_docs(client *c, const command *cmd)
{
    long n = 1 + (cmd->summary != NULL) + (cmd->since != NULL) +
             (cmd->subcommands != NULL);

    reply_map_len(c, n);
    if (cmd->summary != NULL) {
        reply_bulk_cstr(c, "summary");
        reply_bulk_cstr(c, cmd->summary);
    }
    if (cmd->since != NULL) {
        reply_bulk_cstr(c, "since");
        reply_bulk_cstr(c, cmd->since);
    }
    reply_bulk_cstr(c, "group");
    reply_bulk_cstr(c, cmd->group != NULL ? cmd->group : "");
    if (cmd->subcommands != NULL) {
        reply_bulk_cstr(c, "subcommands");
        reply_subcommands(c, cmd, reply_command_docs, 1);
    }
}

void cmd_command_docs(client *c)
{
    if (c->argc == 2) {
        dict_iter it;
        dict_entry *de;

        reply_map_len(c, (long)dict_size(c->srv->commands));
        dict_iter_init(&it, c->srv->commands);
        while ((de = dict_iter_next(&it)) != NULL) {
            const command *cmd = de->v.ptr;
            reply_bulk(c, cmd->fullname, str_len(cmd->fullname));
            reply_command_docs(c, cmd);
        }
        dict_iter_deinit(&it);
        return;
    }
    /* Unknown names are left out. */
    void *h = reply_defer_len(c);
    long n = 0;
    for (int i = 2; i < c->argc; i++) {
        const command *cmd =
            lookup_fullname(c->srv, c->argv[i].p, c->argv[i].n);
        if (cmd == NULL) {
            continue;
        }
        reply_bulk(c, cmd->fullname, str_len(cmd->fullname));
        reply_command_docs(c, cmd);
        n++;
    }
    reply_set_deferred_map(c, h, n);
}

/* ---- COMMAND COUNT / LIST ---- */

void cmd_command_count(client *c)
{
    reply_ll(c, (long long)dict_size(c->srv->commands));
}

enum list_filter { FILTER_NONE, FILTER_MODULE, FILTER_ACLCAT, FILTER_PATTERN };

typedef struct list_state {
    client *c;
    int filter;
    const arg *value;
    uint64_t aclcat; /* 0: unknown category, nothing matches */
    long n;
} list_state;

static int list_keeps(const list_state *st, const command *cmd)
{
    switch (st->filter) {
    case FILTER_MODULE: return 0; /* no modules */
    case FILTER_ACLCAT: return (cmd->acl & st->aclcat) != 0;
    case FILTER_PATTERN:
        return util_glob_match(st->value->p, st->value->n, cmd->fullname,
                               str_len(cmd->fullname), 1);
    default: return 1;
    }
}

static void list_visit(command *cmd, void *priv)
{
    list_state *st = priv;

    if (list_keeps(st, cmd)) {
        reply_bulk(st->c, cmd->fullname, str_len(cmd->fullname));
        st->n++;
    }
}

void cmd_command_list(client *c)
{
    list_state st = {.c = c, .filter = FILTER_NONE};

    for (int i = 2; i < c->argc; i += 3) {
        const arg *a = &c->argv[i];
        if (!(a->n == 8 && strncasecmp(a->p, "filterby", 8) == 0) ||
            c->argc - 1 - i != 2) {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        const arg *type = &c->argv[i + 1];
        if (type->n == 6 && strncasecmp(type->p, "module", 6) == 0) {
            st.filter = FILTER_MODULE;
        } else if (type->n == 6 && strncasecmp(type->p, "aclcat", 6) == 0) {
            st.filter = FILTER_ACLCAT;
        } else if (type->n == 7 && strncasecmp(type->p, "pattern", 7) == 0) {
            st.filter = FILTER_PATTERN;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
        st.value = &c->argv[i + 2];
    }
    if (st.filter == FILTER_ACLCAT) {
        for (int k = 0; k < ACL_CATEGORY_COUNT; k++) {
            if (strlen(acl_category_names[k]) == st.value->n &&
                strncasecmp(acl_category_names[k], st.value->p, st.value->n) ==
                    0) {
                st.aclcat = 1ULL << k;
            }
        }
    }
    void *h = reply_defer_len(c);
    cmd_foreach(c->srv, list_visit, &st);
    reply_set_deferred_array(c, h, st.n);
}

/* ---- COMMAND GETKEYS / GETKEYSANDFLAGS ---- */

static int has_keys(const command *cmd)
{
    if (cmd->getkeys != NULL) {
        return 1;
    }
    for (int i = 0; i < cmd->nspecs; i++) {
        if (!(cmd->specs[i].flags & KEY_NOT_KEY)) {
            return 1;
        }
    }
    return 0;
}

static int arg_is(const arg *a, const char *word)
{
    size_t n = strlen(word);

    return a->n == n && strncasecmp(a->p, word, n) == 0;
}

/* Keys whose spec says variable_flags get the flags this particular call
 * implies, as Redis's per-command key functions work them out. */
static int call_key_flags(const command *cmd, const arg *argv, int argc,
                          int flags)
{
    if (!(flags & KEY_VARIABLE_FLAGS)) {
        return flags;
    }
    if (strcmp(cmd->fullname, "set") == 0) {
        for (int i = 3; i < argc; i++) {
            if (arg_is(&argv[i], "get")) {
                return KEY_RW | KEY_ACCESS | KEY_UPDATE;
            }
        }
        return KEY_OW | KEY_UPDATE;
    }
    if (strcmp(cmd->fullname, "bitfield") == 0) {
        for (int i = 2; i < argc; i++) {
            int left = argc - i - 1;
            if (arg_is(&argv[i], "get") && left >= 2) {
                i += 2;
            } else if (arg_is(&argv[i], "overflow") && left >= 1) {
                i += 1;
            } else {
                /* SET, INCRBY, or a syntax error: assume a write. */
                return KEY_RW | KEY_ACCESS | KEY_UPDATE;
            }
        }
        return KEY_RO | KEY_ACCESS;
    }
    return flags;
}

static void getkeys(client *c, int with_flags)
{
    const arg *argv = c->argv + 2;
    int argc = c->argc - 2;
    const command *cmd = lookup_call(c->srv, argv, argc);

    if (cmd == NULL) {
        reply_error(c, "Invalid command specified");
        return;
    }
    if (!has_keys(cmd)) {
        reply_error(c, "The command has no key arguments");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(c, "Invalid number of arguments specified for command");
        return;
    }
    key_ref *keys = mem_alloc(sizeof(*keys) * (size_t)argc);
    int n = cmd_get_keys(cmd, argv, argc, keys, argc);
    if (n <= 0) {
        if (cmd->flags & CMD_NO_MANDATORY_KEYS) {
            reply_array_len(c, 0);
        } else {
            reply_error(c, "Invalid arguments specified for command");
        }
        mem_free(keys);
        return;
    }
    reply_array_len(c, n);
    for (int i = 0; i < n; i++) {
        const arg *k = &argv[keys[i].pos];
        if (with_flags) {
            reply_array_len(c, 2);
            reply_bulk(c, k->p, k->n);
            reply_flag_set(
                c, (uint32_t)call_key_flags(cmd, argv, argc, keys[i].flags),
                cmd_key_flag_name);
        } else {
            reply_bulk(c, k->p, k->n);
        }
    }
    mem_free(keys);
}

void cmd_command_getkeys(client *c)
{
    getkeys(c, 0);
}

void cmd_command_getkeysandflags(client *c)
{
    getkeys(c, 1);
}

void cmd_command_help(client *c)
{
    static const char *help[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL,
    };

    reply_help(c, help);
}
