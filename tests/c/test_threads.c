/*
 * One vc_client shared by many threads: THREADS threads each send SENDS codes through the
 * same handle, and the simulator's journal must count exactly THREADS * SENDS sends: none
 * lost, none doubled. Usage: test_threads [threads [sends]] (default 8 x 500).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct worker {
    const vc_client *client;
    int index;
    int sends;
    int accepted;
    int refused;
};

static void *send_codes(void *arg) {
    struct worker *w = arg;
    int i;
    for (i = 0; i < w->sends; i++) {
        char request[96];
        char *receipt = NULL;
        vc_error *err = NULL;
        /* A distinct number per send, as real traffic has. */
        snprintf(request, sizeof request, "{\"to\":\"+86138%02d%06d\",\"code\":\"%04d\"}", w->index,
                 i, i % 10000);
        if (vc_client_send(w->client, request, &receipt, &err) == VC_RESULT_OK &&
            strstr(receipt, "\"message_id\":\"") != NULL) {
            w->accepted++;
        } else {
            w->refused++;
            if (w->refused <= 3) {
                fprintf(stderr, "thread %d send %d: %s\n", w->index, i,
                        vc_error_message(err) ? vc_error_message(err) : "(no message)");
            }
        }
        vc_string_free(receipt);
        vc_error_free(err);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    int sends = argc > 2 ? atoi(argv[2]) : 500;
    char options[128];
    vc_sim *sim = NULL;
    vc_client *client = NULL;
    vc_error *err = NULL;
    pthread_t *ids;
    struct worker *workers;
    int i;
    int accepted = 0;

    REQUIRE(threads > 0 && threads < 100 && sends > 0 && sends < 1000000);
    /* Every accepted ihuyi send costs one unit: give the account enough. */
    snprintf(options, sizeof options, "{\"balances\":{\"ihuyi\":%d}}", threads * sends);
    CHECK_RESULT(vc_sim_start(options, &sim, &err), VC_RESULT_OK, err);
    REQUIRE(sim != NULL);
    client = sim_client(sim, "ihuyi");

    ids = calloc((size_t)threads, sizeof *ids);
    workers = calloc((size_t)threads, sizeof *workers);
    REQUIRE(ids != NULL && workers != NULL);
    for (i = 0; i < threads; i++) {
        workers[i].client = client;
        workers[i].index = i;
        workers[i].sends = sends;
        REQUIRE(pthread_create(&ids[i], NULL, send_codes, &workers[i]) == 0);
    }
    for (i = 0; i < threads; i++) {
        REQUIRE(pthread_join(ids[i], NULL) == 0);
        accepted += workers[i].accepted;
    }

    CHECK(accepted == threads * sends);
    CHECK(sim_count(sim, "ihuyi", "send_code") == (size_t)threads * (size_t)sends);
    printf("%d threads x %d sends on one client: %d accepted, journal counts %zu\n", threads, sends,
           accepted, sim_count(sim, "ihuyi", "send_code"));

    free(ids);
    free(workers);
    vc_client_free(client);
    vc_sim_free(sim);
    return checks_report("test_threads");
}
