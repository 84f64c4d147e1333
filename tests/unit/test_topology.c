/* Unit tests for common/topology.c: the even split (the one redis-cli
 * --cluster create makes), the text form's round trip, every validation
 * error of the parser, and the file round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "topology.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "0123456789abcdef0123456789abcdef01234567"
#define SID_1 "1111111111111111111111111111111111111111"
#define SID_2 "2222222222222222222222222222222222222222"

/* First and last slot of node i, and that its slots are contiguous. */
static void node_range(const topology *t, int node, int *first, int *last)
{
    *first = -1;
    *last = -1;
    for (int s = 0; s < TOPO_SLOTS; s++) {
        if (t->owner[s] == node) {
            if (*first < 0) {
                *first = s;
            } else {
                assert_int_equal(*last, s - 1); /* no gap */
            }
            *last = s;
        }
    }
}

static void test_even_split_matches_redis_cli(void **state)
{
    /* What redis-cli 7.0 printed for "--cluster create" of 3 and of 5
     * nodes ("Master[i] -> Slots a - b"). */
    static const int three[][2] = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    static const int five[][2] = {
        {0, 3276}, {3277, 6553}, {6554, 9829}, {9830, 13106}, {13107, 16383}};
    int a, b;

    (void)state;
    topology *t = topo_new_even(3, "127.0.0.1", 7000);
    for (int i = 0; i < 3; i++) {
        node_range(t, i, &a, &b);
        assert_int_equal(a, three[i][0]);
        assert_int_equal(b, three[i][1]);
    }
    topo_free(t);
    t = topo_new_even(5, "127.0.0.1", 7000);
    for (int i = 0; i < 5; i++) {
        node_range(t, i, &a, &b);
        assert_int_equal(a, five[i][0]);
        assert_int_equal(b, five[i][1]);
    }
    topo_free(t);
}

static void test_even_split_covers_everything(void **state)
{
    static const int counts[] = {1, 2, 4, 6, 7, 12, 16, 64, 100, 1000};

    (void)state;
    for (size_t k = 0; k < sizeof(counts) / sizeof(*counts); k++) {
        int n = counts[k], next = 0;
        topology *t = topo_new_even(n, "10.0.0.1", 7000);
        assert_int_equal(t->nnodes, n);
        for (int i = 0; i < n; i++) {
            int a, b;
            const topo_node *nd = &t->nodes[i];
            node_range(t, i, &a, &b);
            /* contiguous ranges in node order, sizes within one slot */
            assert_int_equal(a, next);
            int size = b - a + 1;
            assert_true(size == TOPO_SLOTS / n || size == TOPO_SLOTS / n + 1);
            next = b + 1;
            assert_int_equal(nd->index, i);
            assert_int_equal(nd->port, 7000 + i);
            assert_string_equal(nd->ip, "10.0.0.1");
            assert_int_equal(nd->role, TOPO_PRIMARY);
            assert_int_equal(nd->primary, -1);
            assert_int_equal(nd->alive, 1);
            assert_int_equal(nd->config_epoch, (unsigned long long)i + 1);
            assert_int_equal(strlen(nd->id), TOPO_ID_LEN);
            assert_int_equal(topo_find(t, nd->id), i); /* ids unique */
        }
        assert_int_equal(next, TOPO_SLOTS);
        assert_true(t->epoch >= (unsigned long long)n);
        topo_free(t);
    }
}

static void test_random_id(void **state)
{
    char a[TOPO_ID_LEN + 1], b[TOPO_ID_LEN + 1];

    (void)state;
    topo_random_id(a);
    topo_random_id(b);
    assert_int_equal(strlen(a), TOPO_ID_LEN);
    assert_int_equal(strspn(a, "0123456789abcdef"), TOPO_ID_LEN);
    assert_string_not_equal(a, b);
}

static topology *parse_ok(const char *text)
{
    str err = NULL;
    topology *t = topo_parse(text, strlen(text), &err);

    if (t == NULL) {
        fail_msg("parse failed: %s", err);
    }
    assert_null(err);
    return t;
}

static void test_parse_fields(void **state)
{
    const char *text =
        "# a comment\n"
        "epoch 9\n"
        "node " ID_A " " SID_1 " 0 primary -1 10.1.2.3 7000 1 4\n"
        "node " ID_B " " SID_1 " 0 replica 0 10.1.2.4 7003 0 4\n"
        "node " ID_C " " SID_2 " 1 primary -1 10.1.2.5 7001 1 5\n"
        "\n"
        "slots 0 0-99 200-200\n"
        "slots 2 100-199 201-16383\n";

    (void)state;
    topology *t = parse_ok(text);
    assert_int_equal(t->epoch, 9);
    assert_int_equal(t->nnodes, 3);
    assert_string_equal(t->nodes[1].id, ID_B);
    assert_string_equal(t->nodes[1].shard_id, SID_1);
    assert_int_equal(t->nodes[1].role, TOPO_REPLICA);
    assert_int_equal(t->nodes[1].primary, 0);
    assert_string_equal(t->nodes[1].ip, "10.1.2.4");
    assert_int_equal(t->nodes[1].port, 7003);
    assert_int_equal(t->nodes[1].alive, 0);
    assert_int_equal(t->nodes[2].config_epoch, 5);
    assert_int_equal(t->owner[0], 0);
    assert_int_equal(t->owner[99], 0);
    assert_int_equal(t->owner[100], 2);
    assert_int_equal(t->owner[200], 0);
    assert_int_equal(t->owner[201], 2);
    assert_int_equal(t->owner[16383], 2);
    assert_int_equal(topo_find(t, ID_C), 2);
    assert_int_equal(topo_find(t, SID_1), -1);
    topo_free(t);
}

static void test_unassigned_slots_allowed(void **state)
{
    (void)state;
    topology *t = parse_ok("epoch 1\nnode " ID_A " " SID_1
                           " 0 primary -1 127.0.0.1 7000 1 1\n"
                           "slots 0 5-9\n");
    assert_int_equal(t->owner[4], -1);
    assert_int_equal(t->owner[5], 0);
    assert_int_equal(t->owner[10], -1);
    topo_free(t);
}

static void test_round_trip(void **state)
{
    (void)state;
    topology *t = topo_new_even(4, "192.168.0.7", 6400);
    t->nodes[2].alive = 0;
    t->owner[7] = -1; /* a hole splits node 0's range */
    str text = topo_serialize(t);
    topology *u = parse_ok(text);
    str again = topo_serialize(u);

    assert_string_equal(text, again);
    assert_int_equal(u->epoch, t->epoch);
    assert_int_equal(u->nnodes, t->nnodes);
    assert_memory_equal(u->owner, t->owner, sizeof(t->owner));
    for (int i = 0; i < t->nnodes; i++) {
        assert_string_equal(u->nodes[i].id, t->nodes[i].id);
        assert_string_equal(u->nodes[i].shard_id, t->nodes[i].shard_id);
        assert_string_equal(u->nodes[i].ip, t->nodes[i].ip);
        assert_int_equal(u->nodes[i].port, t->nodes[i].port);
        assert_int_equal(u->nodes[i].alive, t->nodes[i].alive);
        assert_int_equal(u->nodes[i].config_epoch, t->nodes[i].config_epoch);
    }
    assert_non_null(strstr(text, "slots 0 0-6 8-4095\n"));
    topology *d = topo_dup(t);
    str dtext = topo_serialize(d);
    assert_string_equal(text, dtext);
    str_free(dtext);
    topo_free(d);
    str_free(again);
    str_free(text);
    topo_free(u);
    topo_free(t);
}

/* Each must be refused with an error message, and nothing leaked. */
static void test_parse_errors(void **state)
{
    static const char *bad[] = {
        /* no epoch */
        "node " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n",
        "epoch x\n",
        "epoch 1\nwhat is this\n",
        /* node lines: id length/case, role, port, alive, primary, extra */
        "epoch 1\nnode aaaa " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n",
        "epoch 1\nnode AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA " SID_1
        " 0 primary -1 127.0.0.1 7000 1 1\n",
        "epoch 1\nnode " ID_A " xyz 0 primary -1 127.0.0.1 7000 1 1\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 leader -1 127.0.0.1 7000 1 1\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 0 1 1\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 70000 1 1\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 2 1\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 replica 5 127.0.0.1 7000 1 1\n",
        "epoch 1\nnode " ID_A " " SID_1 " -1 primary -1 127.0.0.1 7000 1 1\n",
        "epoch 1\nnode " ID_A " " SID_1
        " 0 primary -1 127.0.0.1 7000 1 1 extra\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000\n",
        /* the same id twice */
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "node " ID_A " " SID_2 " 1 primary -1 127.0.0.1 7001 1 2\n",
        /* slots: node index, ranges, overlaps */
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots 1 0-10\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots 0 0-16384\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots 0 10-5\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots 0 7\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots 0 -1-5\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots 0 0-10 5-20\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "node " ID_B " " SID_2 " 1 primary -1 127.0.0.1 7001 1 2\n"
        "slots 0 0-10\nslots 1 10-20\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots x 0-10\n",
        "epoch 1\nnode " ID_A " " SID_1 " 0 primary -1 127.0.0.1 7000 1 1\n"
        "slots\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        str err = NULL;
        topology *t = topo_parse(bad[i], strlen(bad[i]), &err);
        if (t != NULL) {
            topo_free(t);
            fail_msg("accepted bad topology #%zu:\n%s", i, bad[i]);
        }
        assert_non_null(err);
        assert_non_null(strstr(err, "topology line"));
        str_free(err);
    }
}

static void test_file_round_trip(void **state)
{
    char dir[] = "/tmp/test_topology.XXXXXX";
    char path[128];
    str err = NULL;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/topology", dir);
    /* Absent: NULL and no error. */
    assert_null(topo_load_file(path, &err));
    assert_null(err);

    topology *t = topo_new_even(3, "127.0.0.1", 7000);
    assert_int_equal(topo_save_file(t, path, &err), 0);
    topology *u = topo_load_file(path, &err);
    assert_non_null(u);
    assert_null(err);
    assert_memory_equal(u->owner, t->owner, sizeof(t->owner));
    assert_string_equal(u->nodes[2].id, t->nodes[2].id);
    topo_free(u);

    /* Present but corrupt: NULL with an error naming the file. */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("epoch 1\nnonsense\n", f);
    fclose(f);
    assert_null(topo_load_file(path, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, path));
    str_free(err);
    err = NULL;

    /* Saving into a missing directory fails cleanly. */
    char missing[160];
    snprintf(missing, sizeof(missing), "%s/nope/topology", dir);
    assert_int_equal(topo_save_file(t, missing, &err), -1);
    assert_non_null(err);
    str_free(err);

    topo_free(t);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_even_split_matches_redis_cli),
        cmocka_unit_test(test_even_split_covers_everything),
        cmocka_unit_test(test_random_id),
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_unassigned_slots_allowed),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_file_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
