/* cmd_client: what the CLIENT commands share with the other connection
 * commands (HELLO sets the name the same way CLIENT SETNAME does). */
#ifndef SHOAL_CMD_CLIENT_H
#define SHOAL_CMD_CLIENT_H

#include <stddef.h>

#include "server.h"

/* Name the connection p[0..n) (an empty name clears it). Returns 0, or -1
 * after replying the error when the name has spaces, newlines or other
 * characters outside '!'..'~'; the name is then left unchanged. */
int cmd_client_apply_name(client *c, const char *p, size_t n);

#endif
