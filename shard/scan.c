/* scan: argument parsing shared by SCAN, HSCAN, SSCAN and ZSCAN. */
#include "scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reply.h"
#include "util.h"

/* Option words compare as C strings, as Redis's strcasecmp does: bytes
 * after an embedded NUL are ignored. */
static int word_is(const arg *a, const char *word)
{
    size_t len = strlen(word);

    if (a->n < len || strncasecmp(a->p, word, len) != 0) {
        return 0;
    }
    return a->n == len || a->p[len] == '\0';
}

int scan_parse_cursor(client *c, const arg *a, unsigned long long *out)
{
    str s = str_new(a->p, a->n);
    char *end;
    int rc = 0;

    errno = 0;
    *out = strtoull(s, &end, 10);
    if (isspace((unsigned char)s[0]) || end[0] != '\0' || errno == ERANGE) {
        reply_error(c, "invalid cursor");
        rc = -1;
    }
    str_free(s);
    return rc;
}

int scan_parse_options(client *c, int first, int allow_type, scan_opts *o)
{
    o->count = 10;
    o->pattern = NULL;
    o->type = NULL;
    for (int i = first; i < c->argc; i += 2) {
        int more = c->argc - i - 1;
        if (word_is(&c->argv[i], "count") && more >= 1) {
            const arg *v = &c->argv[i + 1];
            if (util_str2ll(v->p, v->n, &o->count) != 0) {
                reply_error(c, ERR_NOT_INT);
                return -1;
            }
            if (o->count < 1) {
                reply_error(c, ERR_SYNTAX);
                return -1;
            }
        } else if (word_is(&c->argv[i], "match") && more >= 1) {
            o->pattern = &c->argv[i + 1];
            if (o->pattern->n == 1 && o->pattern->p[0] == '*') {
                o->pattern = NULL;
            }
        } else if (allow_type && word_is(&c->argv[i], "type") && more >= 1) {
            o->type = &c->argv[i + 1];
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}
