/* function: Redis 7 function libraries (FUNCTION, FCALL) on the Lua engine.
 * The persistence code reaches libraries only through these calls. */
#ifndef SHOAL_FUNCTION_H
#define SHOAL_FUNCTION_H

#include <stddef.h>

#include "server.h"
#include "str.h"

/* Call fn with the source code of every loaded library (RDB's FUNCTION2
 * records, FUNCTION DUMP), in a stable order. */
typedef void function_code_fn(void *priv, const char *code, size_t len);
void functions_foreach_code(server *srv, function_code_fn *fn, void *priv);

/* Load one library from its source (the "#!lua name=..." shebang first).
 * Returns 0, or -1 with *err set (caller frees) when the code is invalid
 * or the library exists and replace is 0. */
int functions_load_code(server *srv, const char *code, size_t len,
                        int replace, str *err);

/* Drop every library (FLUSHALL, a full RDB load). */
void functions_flush(server *srv);

#endif
