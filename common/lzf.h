/* lzf: compression in liblzf's stream format, the one Redis uses for RDB
 * strings and compressed quicklist nodes, so our blobs and redis-server's
 * decode with either side's decoder. */
#ifndef SHOAL_LZF_H
#define SHOAL_LZF_H

#include <stddef.h>

/*
 * Format: a sequence of items, each starting with a control byte c.
 *   c < 32:  a literal run: the next c+1 bytes are copied to the output.
 *   c >= 32: a back reference: len = c >> 5; if len == 7 one more byte is
 *            added to it; then one byte b; copy len+2 bytes starting
 *            ((c & 0x1f) << 8) + b + 1 bytes behind the output position
 *            (the copy may overlap what it writes, run-length style).
 * So literal runs are 1..32 bytes, matches 3..264 bytes at distances
 * 1..8192. There is no header: the caller stores both sizes (RDB does).
 *
 * The encoder is our own; its output is valid LZF but not byte-identical
 * to liblzf's (liblzf's own output depends on an uninitialised table).
 */

/* Largest output lzf_compress() can produce for in_len bytes when it is
 * given room for it: every 32 literal bytes cost one control byte. */
#define LZF_MAX_COMPRESSED(in_len) ((in_len) + ((in_len) + 31) / 32)

/* Compresses in_len bytes from in into out, which has room for out_len
 * bytes. Returns the compressed size, or 0 if in_len is 0 or the output
 * does not fit in out_len (callers pass out_len < in_len to ask "only if
 * it gets smaller", as Redis does). Never writes past out + out_len. */
size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len);

/* Decompresses in_len bytes from in into out (room for out_len bytes).
 * Returns the decompressed size, or 0 on error: input truncated in the
 * middle of an item, a back reference before the start of the output, or
 * output longer than out_len (also 0 for empty input). Safe on hostile
 * input: never reads outside [in, in+in_len) nor writes outside
 * [out, out+out_len). */
size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len);

#endif
