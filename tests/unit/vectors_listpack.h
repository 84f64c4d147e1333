/* Golden listpacks captured from redis-server 7.0.15 by
 * tests/unit/capture_vectors.py: each value was built with the
 * commands in `how`, DUMPed (rdbcompression no), the DUMP framing
 * checked (RDB version 10, CRC64) and the listpack blob cut out of
 * the RDB_TYPE_HASH_LISTPACK (16) or RDB_TYPE_LIST_QUICKLIST_2 (18)
 * payload. `entries` is the value in listpack order (HGETALL /
 * LRANGE). Runs of 32+ equal bytes are stored as {byte, 1, count}.
 * Generated file: do not edit, rerun the script. */
#ifndef VECTORS_LISTPACK_H
#define VECTORS_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

#ifndef GV_SEG_DEFINED
#define GV_SEG_DEFINED
/* len literal bytes, or (repeat > 0) p[0] repeated `repeat` times. */
typedef struct {
    const char *p;
    size_t len;
    size_t repeat;
} gv_seg;
typedef struct {
    const gv_seg *segs;
    size_t nsegs;
} gv_bytes;
#endif

enum { GV_HASH, GV_LIST };

typedef struct {
    const char *name;
    const char *how;
    int kind;
    const gv_bytes *entries; /* NULL when generated: see gen_pairs */
    size_t nentries;
    /* If > 0, entries are i, i for i in 0..gen_pairs-1 (decimal). */
    size_t gen_pairs;
    gv_bytes blob; /* nsegs == 0 when only the FNV is kept */
    uint32_t blob_len;
    uint64_t blob_fnv; /* FNV-1a 64 of the blob */
} lp_vector;

static const gv_seg lpv0_e0[] = {
    {"hello", 5, 0},
};
static const gv_seg lpv0_e1[] = {
    {"1", 1, 0},
};
static const gv_seg lpv0_e2[] = {
    {"127", 3, 0},
};
static const gv_seg lpv0_e3[] = {
    {"128", 3, 0},
};
static const gv_seg lpv0_e4[] = {
    {"-1", 2, 0},
};
static const gv_seg lpv0_e5[] = {
    {"4095", 4, 0},
};
static const gv_seg lpv0_e6[] = {
    {"65535", 5, 0},
};
static const gv_seg lpv0_e7[] = {
    {"a", 1, 64},
};
static const gv_seg lpv0_e8[] = {
    {"a", 1, 5000},
};
static const gv_seg lpv0_e9[] = {
    {"-9223372036854775808", 20, 0},
};
static const gv_bytes lpv0_entries[] = {
    {lpv0_e0, 1},
    {lpv0_e1, 1},
    {lpv0_e2, 1},
    {lpv0_e3, 1},
    {lpv0_e4, 1},
    {lpv0_e5, 1},
    {lpv0_e6, 1},
    {lpv0_e7, 1},
    {lpv0_e8, 1},
    {lpv0_e9, 1},
};
static const gv_seg lpv0_blob[] = {
    {"\374\023\000\000\012\000\205hello\006\001\001\177\001\300\200\002\337\377\002\317\377\002\362\377\377\000\004\340@", 33, 0},
    {"a", 1, 64},
    {"B\360\210\023\000\000", 6, 0},
    {"a", 1, 5000},
    {"'\215\364\000\000\000\000\000\000\000\200\011\377", 13, 0},
};

static const gv_seg lpv1_e0[] = {
    {"0", 1, 0},
};
static const gv_seg lpv1_e1[] = {
    {"", 0, 0},
};
static const gv_seg lpv1_e2[] = {
    {"1", 1, 0},
};
static const gv_seg lpv1_e3[] = {
    {"-0", 2, 0},
};
static const gv_seg lpv1_e4[] = {
    {"127", 3, 0},
};
static const gv_seg lpv1_e5[] = {
    {"01", 2, 0},
};
static const gv_seg lpv1_e6[] = {
    {"128", 3, 0},
};
static const gv_seg lpv1_e7[] = {
    {"+1", 2, 0},
};
static const gv_seg lpv1_e8[] = {
    {"-1", 2, 0},
};
static const gv_seg lpv1_e9[] = {
    {" 1", 2, 0},
};
static const gv_seg lpv1_e10[] = {
    {"4095", 4, 0},
};
static const gv_seg lpv1_e11[] = {
    {"1 ", 2, 0},
};
static const gv_seg lpv1_e12[] = {
    {"4096", 4, 0},
};
static const gv_seg lpv1_e13[] = {
    {"-", 1, 0},
};
static const gv_seg lpv1_e14[] = {
    {"-4096", 5, 0},
};
static const gv_seg lpv1_e15[] = {
    {"9223372036854775808", 19, 0},
};
static const gv_seg lpv1_e16[] = {
    {"-4097", 5, 0},
};
static const gv_seg lpv1_e17[] = {
    {"-9223372036854775809", 20, 0},
};
static const gv_seg lpv1_e18[] = {
    {"32767", 5, 0},
};
static const gv_seg lpv1_e19[] = {
    {"1.5", 3, 0},
};
static const gv_seg lpv1_e20[] = {
    {"32768", 5, 0},
};
static const gv_seg lpv1_e21[] = {
    {"0x10", 4, 0},
};
static const gv_seg lpv1_e22[] = {
    {"-32768", 6, 0},
};
static const gv_seg lpv1_e23[] = {
    {"00", 2, 0},
};
static const gv_seg lpv1_e24[] = {
    {"-32769", 6, 0},
};
static const gv_seg lpv1_e25[] = {
    {"--1", 3, 0},
};
static const gv_seg lpv1_e26[] = {
    {"8388607", 7, 0},
};
static const gv_seg lpv1_e27[] = {
    {"1e3", 3, 0},
};
static const gv_seg lpv1_e28[] = {
    {"8388608", 7, 0},
};
static const gv_seg lpv1_e29[] = {
    {"18446744073709551616", 20, 0},
};
static const gv_seg lpv1_e30[] = {
    {"-8388608", 8, 0},
};
static const gv_seg lpv1_e31[] = {
    {"99999999999999999999", 20, 0},
};
static const gv_seg lpv1_e32[] = {
    {"-8388609", 8, 0},
};
static const gv_seg lpv1_e33[] = {
    {"123456789012345678901", 21, 0},
};
static const gv_seg lpv1_e34[] = {
    {"2147483647", 10, 0},
};
static const gv_seg lpv1_e35[] = {
    {"-01", 3, 0},
};
static const gv_seg lpv1_e36[] = {
    {"2147483648", 10, 0},
};
static const gv_seg lpv1_e37[] = {
    {"\000", 1, 0},
};
static const gv_seg lpv1_e38[] = {
    {"-2147483648", 11, 0},
};
static const gv_seg lpv1_e39[] = {
    {"\377", 1, 0},
};
static const gv_seg lpv1_e40[] = {
    {"-2147483649", 11, 0},
};
static const gv_seg lpv1_e41[] = {
    {"a\000b\377c", 5, 0},
};
static const gv_seg lpv1_e42[] = {
    {"9223372036854775807", 19, 0},
};
static const gv_seg lpv1_e43[] = {
    {"12\000", 3, 0},
};
static const gv_seg lpv1_e44[] = {
    {"-9223372036854775808", 20, 0},
};
static const gv_seg lpv1_e45[] = {
    {"\200\201", 2, 0},
};
static const gv_seg lpv1_e46[] = {
    {"1000000007", 10, 0},
};
static const gv_seg lpv1_e47[] = {
    {"-9223372036854775807", 20, 0},
};
static const gv_seg lpv1_e48[] = {
    {"-123456789012345", 16, 0},
};
static const gv_seg lpv1_e49[] = {
    {"4294967296", 10, 0},
};
static const gv_bytes lpv1_entries[] = {
    {lpv1_e0, 1},
    {lpv1_e1, 0},
    {lpv1_e2, 1},
    {lpv1_e3, 1},
    {lpv1_e4, 1},
    {lpv1_e5, 1},
    {lpv1_e6, 1},
    {lpv1_e7, 1},
    {lpv1_e8, 1},
    {lpv1_e9, 1},
    {lpv1_e10, 1},
    {lpv1_e11, 1},
    {lpv1_e12, 1},
    {lpv1_e13, 1},
    {lpv1_e14, 1},
    {lpv1_e15, 1},
    {lpv1_e16, 1},
    {lpv1_e17, 1},
    {lpv1_e18, 1},
    {lpv1_e19, 1},
    {lpv1_e20, 1},
    {lpv1_e21, 1},
    {lpv1_e22, 1},
    {lpv1_e23, 1},
    {lpv1_e24, 1},
    {lpv1_e25, 1},
    {lpv1_e26, 1},
    {lpv1_e27, 1},
    {lpv1_e28, 1},
    {lpv1_e29, 1},
    {lpv1_e30, 1},
    {lpv1_e31, 1},
    {lpv1_e32, 1},
    {lpv1_e33, 1},
    {lpv1_e34, 1},
    {lpv1_e35, 1},
    {lpv1_e36, 1},
    {lpv1_e37, 1},
    {lpv1_e38, 1},
    {lpv1_e39, 1},
    {lpv1_e40, 1},
    {lpv1_e41, 1},
    {lpv1_e42, 1},
    {lpv1_e43, 1},
    {lpv1_e44, 1},
    {lpv1_e45, 1},
    {lpv1_e46, 1},
    {lpv1_e47, 1},
    {lpv1_e48, 1},
    {lpv1_e49, 1},
};
static const gv_seg lpv1_blob[] = {
    {"\\\001\000\0002\000\000\001\200\001\001\001\202-0\003\177\001\20201\003\300\200\002\202+1\003\337\377\002\202 1\003\317\377\002\2021 \003\361\000\020\003\201-\002\320\000\002\2239223372036854775808\024\361\377\357\003\224-9223372036854775809\025\361\377\177\003\2031.5\004\362\000\200\000\004\2040x10\005\361\000\200\003\20200\003\362\377\177\377\004\203--1\004\362\377\377\177\004\2031e3\004\363\000\000\200\000\005\22418446744073709551616\025\362\000\000\200\004\22499999999999999999999\025\363\377\377\177\377\005\225123456789012345678901\026\363\377\377\377\177\005\203-01\004\364\000\000\000\200\000\000\000\000\011\201\000\002\363\000\000\000\200\005\201\377\002\364\377\377\377\177\377\377\377\377\011\205a\000b\377c\006\364\377\377\377\377\377\377\377\177\011\20312\000\004\364\000\000\000\000\000\000\000\200\011\202\200\201\003\363\007\312\232;\005\364\001\000\000\000\000\000\000\200\011\364\207 \362y\267\217\377\377\011\364\000\000\000\000\001\000\000\000\011\377", 348, 0},
};

static const gv_seg lpv2_e0[] = {
    {"s1", 2, 0},
};
static const gv_seg lpv2_e1[] = {
    {"A", 1, 0},
};
static const gv_seg lpv2_e2[] = {
    {"s62", 3, 0},
};
static const gv_seg lpv2_e3[] = {
    {"B", 1, 62},
};
static const gv_seg lpv2_e4[] = {
    {"s63", 3, 0},
};
static const gv_seg lpv2_e5[] = {
    {"C", 1, 63},
};
static const gv_seg lpv2_e6[] = {
    {"s64", 3, 0},
};
static const gv_seg lpv2_e7[] = {
    {"D", 1, 64},
};
static const gv_seg lpv2_e8[] = {
    {"s65", 3, 0},
};
static const gv_seg lpv2_e9[] = {
    {"E", 1, 65},
};
static const gv_seg lpv2_e10[] = {
    {"s125", 4, 0},
};
static const gv_seg lpv2_e11[] = {
    {"F", 1, 125},
};
static const gv_seg lpv2_e12[] = {
    {"s126", 4, 0},
};
static const gv_seg lpv2_e13[] = {
    {"G", 1, 126},
};
static const gv_seg lpv2_e14[] = {
    {"s127", 4, 0},
};
static const gv_seg lpv2_e15[] = {
    {"H", 1, 127},
};
static const gv_seg lpv2_e16[] = {
    {"s128", 4, 0},
};
static const gv_seg lpv2_e17[] = {
    {"I", 1, 128},
};
static const gv_seg lpv2_e18[] = {
    {"s4094", 5, 0},
};
static const gv_seg lpv2_e19[] = {
    {"J", 1, 4094},
};
static const gv_seg lpv2_e20[] = {
    {"s4095", 5, 0},
};
static const gv_seg lpv2_e21[] = {
    {"K", 1, 4095},
};
static const gv_seg lpv2_e22[] = {
    {"s4096", 5, 0},
};
static const gv_seg lpv2_e23[] = {
    {"L", 1, 4096},
};
static const gv_seg lpv2_e24[] = {
    {"s4097", 5, 0},
};
static const gv_seg lpv2_e25[] = {
    {"M", 1, 4097},
};
static const gv_bytes lpv2_entries[] = {
    {lpv2_e0, 1},
    {lpv2_e1, 1},
    {lpv2_e2, 1},
    {lpv2_e3, 1},
    {lpv2_e4, 1},
    {lpv2_e5, 1},
    {lpv2_e6, 1},
    {lpv2_e7, 1},
    {lpv2_e8, 1},
    {lpv2_e9, 1},
    {lpv2_e10, 1},
    {lpv2_e11, 1},
    {lpv2_e12, 1},
    {lpv2_e13, 1},
    {lpv2_e14, 1},
    {lpv2_e15, 1},
    {lpv2_e16, 1},
    {lpv2_e17, 1},
    {lpv2_e18, 1},
    {lpv2_e19, 1},
    {lpv2_e20, 1},
    {lpv2_e21, 1},
    {lpv2_e22, 1},
    {lpv2_e23, 1},
    {lpv2_e24, 1},
    {lpv2_e25, 1},
};
static const gv_seg lpv2_blob[] = {
    {"{C\000\000\032\000\202s1\003\201A\002\203s62\004\276", 19, 0},
    {"B", 1, 62},
    {"\?\203s63\004\277", 7, 0},
    {"C", 1, 63},
    {"@\203s64\004\340@", 8, 0},
    {"D", 1, 64},
    {"B\203s65\004\340A", 8, 0},
    {"E", 1, 65},
    {"C\204s125\005\340}", 9, 0},
    {"F", 1, 125},
    {"\177\204s126\005\340~", 9, 0},
    {"G", 1, 126},
    {"\001\200\204s127\005\340\177", 10, 0},
    {"H", 1, 127},
    {"\001\201\204s128\005\340\200", 10, 0},
    {"I", 1, 128},
    {"\001\202\205s4094\006\357\376", 11, 0},
    {"J", 1, 4094},
    {" \200\205s4095\006\357\377", 11, 0},
    {"K", 1, 4095},
    {" \201\205s4096\006\360\000\020\000\000", 14, 0},
    {"L", 1, 4096},
    {" \205\205s4097\006\360\001\020\000\000", 14, 0},
    {"M", 1, 4097},
    {" \206\377", 3, 0},
};

static const gv_seg lpv3_e0[] = {
    {"f1", 2, 0},
};
static const gv_seg lpv3_e1[] = {
    {"x", 1, 16377},
};
static const gv_seg lpv3_e2[] = {
    {"f2", 2, 0},
};
static const gv_seg lpv3_e3[] = {
    {"y", 1, 16378},
};
static const gv_bytes lpv3_entries[] = {
    {lpv3_e0, 1},
    {lpv3_e1, 1},
    {lpv3_e2, 1},
    {lpv3_e3, 1},
};
static const gv_seg lpv3_blob[] = {
    {"\021\200\000\000\004\000\202f1\003\360\371\?\000\000", 15, 0},
    {"x", 1, 16377},
    {"\177\376\202f2\003\360\372\?\000\000", 11, 0},
    {"y", 1, 16378},
    {"\000\377\377\377", 4, 0},
};

static const gv_seg lpv4_e0[] = {
    {"f1", 2, 0},
};
static const gv_seg lpv4_e1[] = {
    {"x", 1, 2097145},
};
static const gv_seg lpv4_e2[] = {
    {"f2", 2, 0},
};
static const gv_seg lpv4_e3[] = {
    {"y", 1, 2097146},
};
static const gv_bytes lpv4_entries[] = {
    {lpv4_e0, 1},
    {lpv4_e1, 1},
    {lpv4_e2, 1},
    {lpv4_e3, 1},
};
static const gv_seg lpv4_blob[] = {
    {"\023\000@\000\004\000\202f1\003\360\371\377\037\000", 15, 0},
    {"x", 1, 2097145},
    {"\177\377\376\202f2\003\360\372\377\037\000", 12, 0},
    {"y", 1, 2097146},
    {"\000\377\377\377\377", 5, 0},
};

static const gv_seg lpv5_e0[] = {
    {"b", 1, 0},
};
static const gv_seg lpv5_e1[] = {
    {"12345678", 8, 0},
};
static const gv_seg lpv5_e2[] = {
    {"c", 1, 0},
};
static const gv_seg lpv5_e3[] = {
    {"99995", 5, 0},
};
static const gv_seg lpv5_e4[] = {
    {"d", 1, 0},
};
static const gv_seg lpv5_e5[] = {
    {"short", 5, 0},
};
static const gv_seg lpv5_e6[] = {
    {"z", 1, 0},
};
static const gv_seg lpv5_e7[] = {
    {"-70000", 6, 0},
};
static const gv_seg lpv5_e8[] = {
    {"a", 1, 0},
};
static const gv_seg lpv5_e9[] = {
    {"back", 4, 0},
};
static const gv_bytes lpv5_entries[] = {
    {lpv5_e0, 1},
    {lpv5_e1, 1},
    {lpv5_e2, 1},
    {lpv5_e3, 1},
    {lpv5_e4, 1},
    {lpv5_e5, 1},
    {lpv5_e6, 1},
    {lpv5_e7, 1},
    {lpv5_e8, 1},
    {lpv5_e9, 1},
};
static const gv_seg lpv5_blob[] = {
    {"3\000\000\000\012\000\201b\002\363Na\274\000\005\201c\002\362\233\206\001\004\201d\002\205short\006\201z\002\362\220\356\376\004\201a\002\204back\005\377", 51, 0},
};

static const gv_seg lpv6_e0[] = {
    {"", 0, 0},
};
static const gv_seg lpv6_e1[] = {
    {"", 0, 0},
};
static const gv_seg lpv6_e2[] = {
    {"x", 1, 0},
};
static const gv_seg lpv6_e3[] = {
    {"", 0, 0},
};
static const gv_bytes lpv6_entries[] = {
    {lpv6_e0, 0},
    {lpv6_e1, 0},
    {lpv6_e2, 1},
    {lpv6_e3, 0},
};
static const gv_seg lpv6_blob[] = {
    {"\020\000\000\000\004\000\200\001\200\001\201x\002\200\001\377", 16, 0},
};


static const gv_seg lpv8_e0[] = {
    {"first", 5, 0},
};
static const gv_seg lpv8_e1[] = {
    {"y", 1, 80},
};
static const gv_seg lpv8_e2[] = {
    {"-200", 4, 0},
};
static const gv_seg lpv8_e3[] = {
    {"9223372036854775807", 19, 0},
};
static const gv_seg lpv8_e4[] = {
    {"hello", 5, 0},
};
static const gv_seg lpv8_e5[] = {
    {"", 0, 0},
};
static const gv_seg lpv8_e6[] = {
    {"x", 1, 100},
};
static const gv_seg lpv8_e7[] = {
    {"tail", 4, 0},
};
static const gv_seg lpv8_e8[] = {
    {"z", 1, 0},
};
static const gv_seg lpv8_e9[] = {
    {"12", 2, 0},
};
static const gv_seg lpv8_e10[] = {
    {"012", 3, 0},
};
static const gv_bytes lpv8_entries[] = {
    {lpv8_e0, 1},
    {lpv8_e1, 1},
    {lpv8_e2, 1},
    {lpv8_e3, 1},
    {lpv8_e4, 1},
    {lpv8_e5, 0},
    {lpv8_e6, 1},
    {lpv8_e7, 1},
    {lpv8_e8, 1},
    {lpv8_e9, 1},
    {lpv8_e10, 1},
};
static const gv_seg lpv8_blob[] = {
    {"\356\000\000\000\013\000\205first\006\340P", 15, 0},
    {"y", 1, 80},
    {"R\3378\002\364\377\377\377\377\377\377\377\177\011\205hello\006\200\001\340d", 25, 0},
    {"x", 1, 100},
    {"f\204tail\005\201z\002\014\001\203012\004\377", 18, 0},
};

static const gv_seg lpv9_e0[] = {
    {"1", 1, 0},
};
static const gv_seg lpv9_e1[] = {
    {"2", 1, 0},
};
static const gv_seg lpv9_e2[] = {
    {"3", 1, 0},
};
static const gv_bytes lpv9_entries[] = {
    {lpv9_e0, 1},
    {lpv9_e1, 1},
    {lpv9_e2, 1},
};
static const gv_seg lpv9_blob[] = {
    {"\015\000\000\000\003\000\001\001\002\001\003\001\377", 13, 0},
};

static const lp_vector lp_vectors[] = {
    {"spec_mix", "HSET k hello 1 127 128 -1 4095 65535 a*64 a*5000 INT64_MIN", GV_HASH, lpv0_entries, 10, 0, {lpv0_blob, 5}, 5116, 0xa3dcdee2a3a4c47cULL},
    {"int_boundaries", "HSET k <int> <non-canonical number string> for 25 pairs", GV_HASH, lpv1_entries, 50, 0, {lpv1_blob, 1}, 348, 0xc7c5770f842c151bULL},
    {"string_lengths", "HSET k sN <N bytes> for N at every string/backlen boundary", GV_HASH, lpv2_entries, 26, 0, {lpv2_blob, 25}, 17275, 0x2d031a3fe7b7abbaULL},
    {"backlen_16383", "HSET k f1 x*16377 f2 y*16378 (entry sizes 16382 and 16383)", GV_HASH, lpv3_entries, 4, 0, {lpv3_blob, 5}, 32785, 0xca003fbec8a15ff4ULL},
    {"backlen_2097151", "HSET k f1 x*2097145 f2 y*2097146 (entries 2097150, 2097151)", GV_HASH, lpv4_entries, 4, 0, {lpv4_blob, 5}, 4194323, 0xd12524cc57b91b58ULL},
    {"updates", "HSET/HSET-overwrite/HDEL/HINCRBY mix (replace and delete)", GV_HASH, lpv5_entries, 10, 0, {lpv5_blob, 1}, 51, 0x322398fea7ca2624ULL},
    {"empty_strings", "HSET k '' '' x ''", GV_HASH, lpv6_entries, 4, 0, {lpv6_blob, 1}, 16, 0x42aaf13044eba0daULL},
    {"count_unknown", "HSET k i i for i in 0..32999 (66000 entries: header count 65535 = unknown); entries generated, blob checked by FNV", GV_HASH, NULL, 0, 33000, {NULL, 0}, 256023, 0x30cec534e739dde0ULL},
    {"list_ops", "RPUSH/LPUSH/LINSERT/LSET/LREM/LPOP/RPOP on one quicklist node", GV_LIST, lpv8_entries, 11, 0, {lpv8_blob, 5}, 238, 0xcb2603ee0115b855ULL},
    {"list_small", "RPUSH k 1 2 3", GV_LIST, lpv9_entries, 3, 0, {lpv9_blob, 1}, 13, 0x91494c1c55271531ULL},
};

#endif
