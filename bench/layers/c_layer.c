/* The C ABI under bench/run.sh: libvoicecode's vc_client_send from one or many threads on one
 * shared handle, each part appending JSON lines to the results file.
 *
 *   c_layer loopback|memory|overhead|threads RESULTS SECONDS CONFIG_DIR [EXTRA]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "voicecode.h"

static const char *REQUEST = "{\"to\":\"+8613800138000\",\"code\":\"4821\"}";
static const char *INVALID = "{\"to\":\"not a phone\",\"code\":\"4821\"}";

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *dir, const char *vendor) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, vendor);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *text = malloc((size_t)len + 1);
    if (fread(text, 1, (size_t)len, f) != (size_t)len) { perror(path); exit(1); }
    text[len] = '\0';
    fclose(f);
    return text;
}

static vc_client *client_for(const char *dir, const char *vendor) {
    char *config = read_file(dir, vendor);
    vc_client *client = NULL;
    vc_error *err = NULL;
    if (vc_client_new(config, &client, &err) != VC_RESULT_OK) {
        fprintf(stderr, "vc_client_new: %s\n", vc_error_message(err));
        exit(1);
    }
    free(config);
    return client;
}

/* One send; returns 1 when the simulator accepted it. */
static int send_one(const vc_client *client, const char *request) {
    char *receipt = NULL;
    vc_error *err = NULL;
    vc_result result = vc_client_send(client, request, &receipt, &err);
    vc_string_free(receipt);
    vc_error_free(err);
    return result == VC_RESULT_OK;
}

static FILE *results;

static void record(const char *json) {
    printf("%s\n", json);
    fprintf(results, "%s\n", json);
    fflush(results);
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kib;
}

struct caller {
    const vc_client *client;
    double deadline;
    atomic_long *done, *failed;
};

static void *call_until_deadline(void *arg) {
    struct caller *c = arg;
    while (now() < c->deadline) {
        int ok = send_one(c->client, REQUEST);
        if (now() > c->deadline) break; /* only sends completed inside the window count */
        atomic_fetch_add(ok ? c->done : c->failed, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: c_layer PART RESULTS SECONDS CONFIG_DIR [EXTRA]\n");
        return 2;
    }
    const char *part = argv[1], *dir = argv[4], *extra = argc > 5 ? argv[5] : "";
    double seconds = atof(argv[3]);
    results = fopen(argv[2], "a");
    if (!results) { perror(argv[2]); return 1; }
    char line[512];

    if (strcmp(part, "loopback") == 0) {
        const char *vendors[] = {"huawei", "ihuyi"};
        for (int v = 0; v < 2; v++) {
            vc_client *client = client_for(dir, vendors[v]);
            for (int i = 0; i < 20; i++) send_one(client, REQUEST);
            long calls = 0;
            double started = now();
            while (now() - started < seconds) {
                if (!send_one(client, REQUEST)) { fprintf(stderr, "refused\n"); return 1; }
                calls++;
            }
            snprintf(line, sizeof line,
                     "{\"part\":\"loopback\",\"vendor\":\"%s\",\"layer\":\"c\",\"per_s\":%.1f}",
                     vendors[v], (double)calls / (now() - started));
            record(line);
            vc_client_free(client);
        }
    } else if (strcmp(part, "overhead") == 0) {
        vc_client *client = client_for(dir, "huawei");
        double best = 1e9;
        /* Five rounds of about a fifth of the time each; the best round is the figure. */
        for (int round = 0; round < 5; round++) {
            long n = 0;
            double started = now();
            while (now() - started < seconds / 5) {
                for (int i = 0; i < 100; i++)
                    if (send_one(client, INVALID)) { fprintf(stderr, "accepted\n"); return 1; }
                n += 100;
            }
            double ns = (now() - started) * 1e9 / (double)n;
            if (ns < best) best = ns;
        }
        snprintf(line, sizeof line, "{\"part\":\"overhead\",\"layer\":\"c\",\"ns\":%.1f}", best);
        record(line);
        vc_client_free(client);
    } else if (strcmp(part, "threads") == 0) {
        vc_client *client = client_for(dir, "huawei");
        char *list = strdup(extra);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            int n = atoi(tok);
            atomic_long done = 0, failed = 0;
            pthread_t *threads = calloc((size_t)n, sizeof *threads);
            double started = now();
            struct caller c = {client, started + seconds, &done, &failed};
            pthread_attr_t attr;
            pthread_attr_init(&attr);
            pthread_attr_setstacksize(&attr, 256 * 1024);
            for (int i = 0; i < n; i++)
                if (pthread_create(&threads[i], &attr, call_until_deadline, &c) != 0) {
                    fprintf(stderr, "pthread_create failed at %d\n", i);
                    return 1;
                }
            for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
            free(threads);
            snprintf(line, sizeof line,
                     "{\"part\":\"concurrency\",\"layer\":\"c-threads\",\"in_flight\":%d,"
                     "\"per_s\":%.1f,\"errors\":%ld}",
                     n, (double)done / seconds, (long)failed);
            record(line);
        }
        free(list);
        vc_client_free(client);
    } else if (strcmp(part, "memory") == 0) {
        vc_client *client = client_for(dir, "huawei");
        long sends = atol(extra), step = sends / 10 > 0 ? sends / 10 : 1;
        int len = snprintf(line, sizeof line, "{\"part\":\"memory\",\"layer\":\"c\",\"samples\":[");
        for (long i = 1; i <= sends; i++) {
            if (!send_one(client, REQUEST)) { fprintf(stderr, "refused\n"); return 1; }
            if (i % step == 0)
                len += snprintf(line + len, sizeof line - (size_t)len, "%s[%ld,%ld]",
                                i == step ? "" : ",", i, rss_kib());
        }
        snprintf(line + len, sizeof line - (size_t)len, "]}");
        record(line);
        vc_client_free(client);
    } else {
        fprintf(stderr, "unknown part %s\n", part);
        return 2;
    }
    fclose(results);
    return 0;
}
