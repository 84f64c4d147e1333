/* txbench: MULTI/EXEC throughput, which redis-benchmark can't drive (its
 * custom commands are one command per request). Each client thread sends
 * batches of `pipeline` transactions "MULTI; INCR k; INCR k2; GET k; EXEC"
 * and waits for all their replies; prints "rps p50_ms p99_ms" where rps is
 * transactions per second and the latencies are per batch.
 *
 * usage: txbench HOST PORT CLIENTS TRANSACTIONS PIPELINE
 * build: cc -O2 -o txbench bench/txbench.c -lhiredis -pthread */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct worker {
    const char *host;
    int port;
    long todo;          /* transactions */
    int pipeline;
    double *lat;        /* batch latencies, ms */
    long nlat;
    int failed;
} worker;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *run(void *arg)
{
    worker *w = arg;
    redisContext *c = redisConnect(w->host, w->port);
    char k[32], k2[32];

    if (c == NULL || c->err) {
        w->failed = 1;
        return NULL;
    }
    snprintf(k, sizeof(k), "tx:%p", (void *)w);
    snprintf(k2, sizeof(k2), "tx2:%p", (void *)w);
    w->lat = malloc(sizeof(double) * (size_t)(w->todo / w->pipeline + 1));
    for (long done = 0; done < w->todo && !w->failed;) {
        int batch = w->pipeline;
        if (w->todo - done < batch) {
            batch = (int)(w->todo - done);
        }
        double t0 = now_ms();
        for (int i = 0; i < batch; i++) {
            redisAppendCommand(c, "MULTI");
            redisAppendCommand(c, "INCR %s", k);
            redisAppendCommand(c, "INCR %s", k2);
            redisAppendCommand(c, "GET %s", k);
            redisAppendCommand(c, "EXEC");
        }
        for (int i = 0; i < batch * 5; i++) {
            redisReply *r;
            if (redisGetReply(c, (void **)&r) != REDIS_OK) {
                w->failed = 1;
                break;
            }
            if (r->type == REDIS_REPLY_ERROR) {
                fprintf(stderr, "txbench: %s\n", r->str);
                w->failed = 1;
            }
            freeReplyObject(r);
        }
        w->lat[w->nlat++] = now_ms() - t0;
        done += batch;
    }
    redisFree(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: txbench HOST PORT CLIENTS N PIPELINE\n");
        return 2;
    }
    int clients = atoi(argv[3]), pipeline = atoi(argv[5]);
    long n = atol(argv[4]);
    worker *ws = calloc((size_t)clients, sizeof(*ws));
    pthread_t *th = calloc((size_t)clients, sizeof(*th));
    double t0 = now_ms();

    for (int i = 0; i < clients; i++) {
        ws[i].host = argv[1];
        ws[i].port = atoi(argv[2]);
        ws[i].todo = n / clients + (i < n % clients ? 1 : 0);
        ws[i].pipeline = pipeline > 0 ? pipeline : 1;
        pthread_create(&th[i], NULL, run, &ws[i]);
    }
    long total_lat = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        if (ws[i].failed) {
            fprintf(stderr, "txbench: client %d failed\n", i);
            return 1;
        }
        total_lat += ws[i].nlat;
    }
    double secs = (now_ms() - t0) / 1e3;
    double *all = malloc(sizeof(double) * (size_t)(total_lat + 1));
    long k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + k, ws[i].lat, sizeof(double) * (size_t)ws[i].nlat);
        k += ws[i].nlat;
        free(ws[i].lat);
    }
    qsort(all, (size_t)k, sizeof(double), cmp);
    printf("%.2f %.3f %.3f\n", n / secs, all[k / 2], all[k * 99 / 100]);
    free(all);
    free(ws);
    free(th);
    return 0;
}
