"""RESP2/RESP3 command encoder and reply parser for the test suites.

Unlike a client library, the parser keeps each reply's wire type (simple
string vs bulk, null bulk vs null array, RESP3 double text...) so tests can
compare replies exactly, error strings included.
"""

from dataclasses import dataclass

CRLF = b"\r\n"

# Reply kinds. Scalars carry bytes/int/bool/None; aggregates carry tuples.
SIMPLE = "simple"          # +OK                  value: bytes
ERROR = "error"            # -ERR ...             value: bytes (whole line)
INT = "int"                # :42                  value: int
BULK = "bulk"              # $3 foo               value: bytes
NULL_BULK = "null_bulk"    # $-1                  value: None
NULL_ARRAY = "null_array"  # *-1                  value: None
ARRAY = "array"            # *N ...               value: tuple of Reply
NULL = "null"              # _ (RESP3)            value: None
DOUBLE = "double"          # ,1.5                 value: bytes (as sent)
BOOL = "bool"              # #t / #f              value: bool
BIGNUM = "bignum"          # (1234...             value: bytes (as sent)
BLOB_ERROR = "blob_error"  # !N ...               value: bytes
VERBATIM = "verbatim"      # =N txt:...           value: (format, text)
MAP = "map"                # %N k v ...           value: tuple of (k, v)
SET = "set"                # ~N ...               value: tuple of Reply
PUSH = "push"              # >N ...               value: tuple of Reply
ATTRIBUTE = "attribute"    # |N k v ... reply     value: (pairs, reply)
# Not a wire type: what a normalizer turns a value into ("ttl >= 0").
NORMALIZED = "normalized"  # value: str label

AGGREGATES = (ARRAY, SET, PUSH)


@dataclass(frozen=True)
class Reply:
    """One decoded reply; equality compares the wire type and the value."""

    kind: str
    value: object = None

    def __repr__(self):
        return format_reply(self)

    @property
    def is_error(self):
        return self.kind in (ERROR, BLOB_ERROR)

    def to_python(self):
        """Plain Python value, roughly what a RESP3-aware client returns."""
        k, v = self.kind, self.value
        if k in AGGREGATES:
            items = [r.to_python() for r in v]
            return set(items) if k == SET else items
        if k == MAP:
            return {a.to_python(): b.to_python() for a, b in v}
        if k == DOUBLE:
            return float(v)
        if k == BIGNUM:
            return int(v)
        if k == VERBATIM:
            return v[1]
        if k == ATTRIBUTE:
            return v[1].to_python()
        return v


class Incomplete(Exception):
    """The buffer ends before the reply does: read more and try again."""


class ProtocolError(Exception):
    """The bytes are not valid RESP."""


# ---------------------------------------------------------------- builders


def _b(x):
    if isinstance(x, (bytes, bytearray, memoryview)):
        return bytes(x)
    if isinstance(x, str):
        return x.encode()
    if isinstance(x, bool):
        raise TypeError("refusing to encode a bool as a RESP argument")
    if isinstance(x, (int, float)):
        return repr(x).encode()
    raise TypeError(f"cannot encode {type(x).__name__} as a RESP argument")


def simple(s):
    return Reply(SIMPLE, _b(s))


def error(s):
    return Reply(ERROR, _b(s))


def integer(n):
    return Reply(INT, int(n))


def bulk(s):
    return Reply(BULK, _b(s))


def array(*items):
    return Reply(ARRAY, tuple(items))


def double(text):
    return Reply(DOUBLE, _b(text))


def boolean(flag):
    return Reply(BOOL, bool(flag))


def resp_map(pairs):
    return Reply(MAP, tuple((k, v) for k, v in pairs))


def resp_set(*items):
    return Reply(SET, tuple(items))


def normalized(label):
    return Reply(NORMALIZED, label)


NIL = Reply(NULL_BULK)
NIL_ARRAY = Reply(NULL_ARRAY)
NULL3 = Reply(NULL)
OK = simple("OK")
PONG = simple("PONG")


# ---------------------------------------------------------------- encoding


def encode_command(*args):
    """A command as a RESP array of bulk strings. Args: bytes, str or numbers."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = _b(a)
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def encode_reply(r):
    """The reply's wire bytes (also a total order key for sorting replies)."""
    k, v = r.kind, r.value
    if k == SIMPLE:
        return b"+" + v + CRLF
    if k == ERROR:
        return b"-" + v + CRLF
    if k == INT:
        return b":%d\r\n" % v
    if k in (BULK, BLOB_ERROR):
        return b"%s%d\r\n%s\r\n" % (b"$" if k == BULK else b"!", len(v), v)
    if k == NULL_BULK:
        return b"$-1\r\n"
    if k == NULL_ARRAY:
        return b"*-1\r\n"
    if k == NULL:
        return b"_\r\n"
    if k == DOUBLE:
        return b"," + v + CRLF
    if k == BOOL:
        return b"#t\r\n" if v else b"#f\r\n"
    if k == BIGNUM:
        return b"(" + v + CRLF
    if k == VERBATIM:
        body = v[0] + b":" + v[1]
        return b"=%d\r\n%s\r\n" % (len(body), body)
    if k in AGGREGATES:
        mark = {ARRAY: b"*", SET: b"~", PUSH: b">"}[k]
        return b"%s%d\r\n" % (mark, len(v)) + b"".join(map(encode_reply, v))
    if k == MAP:
        body = b"".join(encode_reply(a) + encode_reply(b) for a, b in v)
        return b"%%%d\r\n" % len(v) + body
    if k == ATTRIBUTE:
        pairs, inner = v
        body = b"".join(encode_reply(a) + encode_reply(b) for a, b in pairs)
        return b"|%d\r\n" % len(pairs) + body + encode_reply(inner)
    if k == NORMALIZED:
        return b"?" + str(v).encode() + CRLF
    raise ValueError(f"unknown reply kind {k!r}")


# ---------------------------------------------------------------- parsing


def parse(buf, pos=0):
    """Parse one reply from bytes `buf` at `pos`.

    Returns (reply, position after it). Raises Incomplete if `buf` holds only
    part of a reply and ProtocolError if the bytes are not RESP.
    """
    eol = buf.find(CRLF, pos)
    if eol < 0:
        if len(buf) - pos > 64 * 1024 * 1024:
            raise ProtocolError("no CRLF in 64 MiB")
        raise Incomplete()
    mark = buf[pos:pos + 1]
    line = buf[pos + 1:eol]
    nxt = eol + 2

    if mark == b"+":
        return Reply(SIMPLE, line), nxt
    if mark == b"-":
        return Reply(ERROR, line), nxt
    if mark == b":":
        return Reply(INT, _int(line, mark)), nxt
    if mark == b",":
        return Reply(DOUBLE, line), nxt
    if mark == b"(":
        if not line.lstrip(b"-").isdigit():
            raise ProtocolError(f"bad big number {line!r}")
        return Reply(BIGNUM, line), nxt
    if mark == b"#":
        if line not in (b"t", b"f"):
            raise ProtocolError(f"bad boolean {line!r}")
        return Reply(BOOL, line == b"t"), nxt
    if mark == b"_":
        if line:
            raise ProtocolError(f"bad null {line!r}")
        return Reply(NULL), nxt
    if mark in (b"$", b"!", b"="):
        n = _int(line, mark)
        if n == -1 and mark == b"$":
            return Reply(NULL_BULK), nxt
        if n < 0:
            raise ProtocolError(f"bad length {line!r} after {mark!r}")
        end = nxt + n
        if len(buf) < end + 2:
            raise Incomplete()
        if buf[end:end + 2] != CRLF:
            raise ProtocolError(f"{mark!r} payload of {n} bytes not followed by CRLF")
        data = buf[nxt:end]
        if mark == b"$":
            return Reply(BULK, data), end + 2
        if mark == b"!":
            return Reply(BLOB_ERROR, data), end + 2
        if len(data) < 4 or data[3:4] != b":":
            raise ProtocolError(f"verbatim string without format: {data[:8]!r}")
        return Reply(VERBATIM, (data[:3], data[4:])), end + 2
    if mark in (b"*", b"~", b">"):
        n = _int(line, mark)
        if n == -1 and mark == b"*":
            return Reply(NULL_ARRAY), nxt
        if n < 0:
            raise ProtocolError(f"bad aggregate length {line!r}")
        items = []
        for _ in range(n):
            item, nxt = parse(buf, nxt)
            items.append(item)
        kind = {b"*": ARRAY, b"~": SET, b">": PUSH}[mark]
        return Reply(kind, tuple(items)), nxt
    if mark in (b"%", b"|"):
        n = _int(line, mark)
        if n < 0:
            raise ProtocolError(f"bad map length {line!r}")
        pairs = []
        for _ in range(n):
            key, nxt = parse(buf, nxt)
            val, nxt = parse(buf, nxt)
            pairs.append((key, val))
        if mark == b"%":
            return Reply(MAP, tuple(pairs)), nxt
        inner, nxt = parse(buf, nxt)
        return Reply(ATTRIBUTE, (tuple(pairs), inner)), nxt
    raise ProtocolError(f"unknown reply type byte {mark!r} in {buf[pos:pos + 40]!r}")


def _int(line, mark):
    try:
        if line != line.strip():
            raise ValueError
        return int(line)
    except ValueError:
        raise ProtocolError(f"bad integer {line!r} after {mark!r}") from None


# ---------------------------------------------------------------- display


def _show_bytes(b, limit=200):
    text = repr(bytes(b[:limit]))[1:]
    if len(b) > limit:
        text += f"...({len(b)} bytes)"
    return text


def format_reply(r, limit=200):
    """A compact one-line rendering that shows the wire type."""
    k, v = r.kind, r.value
    if k == SIMPLE:
        return "+" + _show_bytes(v, limit)[1:-1]
    if k == ERROR:
        return "-" + _show_bytes(v, limit)[1:-1]
    if k == INT:
        return f":{v}"
    if k == BULK:
        return _show_bytes(v, limit)
    if k == NULL_BULK:
        return "(nil)"
    if k == NULL_ARRAY:
        return "(nil-array)"
    if k == NULL:
        return "_null"
    if k == DOUBLE:
        return "," + v.decode(errors="replace")
    if k == BOOL:
        return "#t" if v else "#f"
    if k == BIGNUM:
        return "(" + v.decode(errors="replace")
    if k == BLOB_ERROR:
        return "!" + _show_bytes(v, limit)
    if k == VERBATIM:
        return f"={v[0].decode(errors='replace')}:" + _show_bytes(v[1], limit)
    if k in AGGREGATES:
        open_, close = {ARRAY: ("[", "]"), SET: ("~{", "}"), PUSH: (">[", "]")}[k]
        shown = [format_reply(x, limit) for x in v[:20]]
        if len(v) > 20:
            shown.append(f"...({len(v)} items)")
        return open_ + ", ".join(shown) + close
    if k == MAP:
        shown = [f"{format_reply(a, limit)}: {format_reply(b, limit)}" for a, b in v[:20]]
        if len(v) > 20:
            shown.append(f"...({len(v)} pairs)")
        return "{" + ", ".join(shown) + "}"
    if k == ATTRIBUTE:
        return f"|{format_reply(resp_map(v[0]), limit)} {format_reply(v[1], limit)}"
    if k == NORMALIZED:
        return f"<{v}>"
    return f"<{k} {v!r}>"


def format_command(args, limit=60):
    """A command as a readable line: GET key:1 "a b" "\\x00"."""
    out = []
    for a in args:
        a = _b(a)
        if a and all(33 <= c < 127 and c != 34 and c != 92 for c in a) and len(a) <= limit:
            out.append(a.decode())
        else:
            out.append('"' + _show_bytes(a, limit)[1:-1].replace('"', '\\"') + '"')
    return " ".join(out)
